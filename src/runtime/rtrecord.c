/* rtrecord.c - raw sensor records to bh_rt_event: every length clamped, every string bounded. */
#include "runtime/rtrecord.h"

#include <string.h>

#include "image/collect.h"
#include "runtime/bpf/record.h"

/* The record types are the event types (record.h cannot include event.h: the BPF side has no libc). */
_Static_assert((int)BH_REC_EXEC == (int)BH_RT_EXEC && (int)BH_REC_EXIT == (int)BH_RT_EXIT && (int)BH_REC_OPEN == (int)BH_RT_OPEN &&
	       (int)BH_REC_CONNECT == (int)BH_RT_CONNECT && (int)BH_REC_SETUID == (int)BH_RT_SETUID && (int)BH_REC_MEMFD == (int)BH_RT_MEMFD &&
	       (int)BH_REC__TYPE_END == (int)BH_RT__TYPE_COUNT, "record types must be the event types");
_Static_assert((int)BH_REC_CLASS_PROC == (int)BH_RT_CLASS_PROC && (int)BH_REC_CLASS_PRIV == (int)BH_RT_CLASS_PRIV &&
	       (int)BH_REC_CLASS_COUNT == (int)BH_RT_CLASS__COUNT, "record classes must be the event classes");
_Static_assert((int)BH_REC_ACT_EXE_UPPER == (int)BH_RT_KACT_EXE_UPPER && (int)BH_REC_ACT_KILLED == (int)BH_RT_KACT_KILLED &&
	       (int)BH_REC_ACT_WHY_DRIFT == (int)BH_RT_KACT_WHY_DRIFT && (int)BH_REC_ACT_WHY_DENIED == (int)BH_RT_KACT_WHY_DENIED &&
	       (int)BH_REC_ACT_SCRIPT_WATCH == (int)BH_RT_KACT_SCRIPT_WATCH && (int)BH_REC_ACT_WHY_BASELINE == (int)BH_RT_KACT_WHY_BASELINE &&
	       (int)BH_REC_ACT_STDIO_NET == (int)BH_RT_KACT_STDIO_NET,
	       "record action bits must be the event's");
_Static_assert(BH_REC_COMM == BH_RT_COMM_MAX && BH_REC_PATH == BH_RT_PATH_MAX && BH_REC_CWD == BH_RT_PATH_MAX &&
	       BH_REC_ARGS == BH_RT_ARGS_MAX, "record fields must fit the event's");
/* Layouts the BPF side (clang -target bpf) lays out the same way: no implicit padding. */
_Static_assert(sizeof(struct bh_rec_hdr) == 72, "bh_rec_hdr layout");
_Static_assert(sizeof(struct bh_rec_proc) == 72 + 8 + 16 + 256 + 512 + 256, "bh_rec_proc layout");
_Static_assert(sizeof(struct bh_rec_file) == 72 + 16 + 512 + BH_REC_CWD, "bh_rec_file layout");
_Static_assert(sizeof(struct bh_rec_net) == 72 + 8 + 32 + 108 + 4, "bh_rec_net layout");
_Static_assert(sizeof(struct bh_rec_priv) == 72 + 16 + 512, "bh_rec_priv layout");

/* src[0..srcn) up to its first NUL into dst[dstn]; true when it did not fit (or had no NUL). */
static int copy_str(char *dst, size_t dstn, const char *src, size_t srcn)
{
	size_t n = strnlen(src, srcn);
	int cut = n >= srcn;
	if (n > srcn) /* never, but says so to the compiler's bounds check */
		n = srcn;
	if (n >= dstn) {
		n = dstn - 1;
		cut = 1;
	}
	memcpy(dst, src, n);
	dst[n] = 0;
	return cut;
}

/* argv as NUL-separated bytes -> "a b c"; argc counts the arguments seen (a cut last one too). */
static void decode_args(bh_rt_event *ev, const char *a, uint32_t len)
{
	uint32_t i, n = len < BH_RT_ARGS_MAX - 1 ? len : BH_RT_ARGS_MAX - 1;

	if (len > n)
		ev->trunc |= BH_RT_TRUNC_ARGS;
	ev->argc = 0;
	for (i = 0; i < n; i++) {
		if (a[i] == 0) {
			ev->argc++;
			ev->args[i] = ' ';
		} else {
			ev->args[i] = a[i];
		}
	}
	if (n && a[n - 1] != 0)
		ev->argc++;
	while (n && ev->args[n - 1] == ' ' && a[n - 1] == 0) /* the last argument's terminator */
		n--;
	ev->args[n] = 0;
}

/* Dentry names leaf first, NUL-terminated each -> "/a/b/c"; "/" when there are none. */
static void decode_cwd(bh_rt_event *ev, const char *c, uint32_t len)
{
	const char *start[BH_REC_CWD / 2 + 1] = { 0 };
	size_t nlen[BH_REC_CWD / 2 + 1] = { 0 }, k = 0, pos = 0, i;
	uint32_t n = len < BH_REC_CWD ? len : BH_REC_CWD;

	if (len > n)
		ev->trunc |= BH_RT_TRUNC_CWD;
	for (i = 0; i < n && k < sizeof(start) / sizeof(start[0]);) {
		size_t l = strnlen(c + i, n - i);
		if (l == 0) /* an empty name is not a dentry: stop at what is left */
			break;
		start[k] = c + i;
		nlen[k++] = l;
		i += l + 1;
	}
	ev->cwd[0] = 0;
	while (k > 0) {
		k--;
		if (pos + 1 + nlen[k] >= sizeof(ev->cwd)) {
			ev->trunc |= BH_RT_TRUNC_CWD;
			break;
		}
		ev->cwd[pos++] = '/';
		memcpy(ev->cwd + pos, start[k], nlen[k]);
		pos += nlen[k];
		ev->cwd[pos] = 0;
	}
	if (pos == 0)
		memcpy(ev->cwd, "/", 2);
}

/*
 * A relative path of a file event made absolute from the directory the kernel read (ev->cwd), ".."
 * never above the root, as the kernel resolves it: `cd /etc && echo x >>passwd` is a write of
 * /etc/passwd. A result too long is cut as the kernel cuts a path, with the trunc bit.
 */
static void absolute(bh_rt_event *ev, char *path, size_t cap, uint32_t bit)
{
	char out[2 * BH_RT_PATH_MAX];
	size_t len;

	if (!path[0] || path[0] == '/' || bh_path_join(ev->cwd, strlen(ev->cwd), path, out, sizeof(out)))
		return;
	len = strlen(out);
	if (len + 2 > cap) {
		len = cap - 2;
		ev->trunc |= bit;
	}
	memmove(path + 1, out, len);
	path[0] = '/';
	path[len + 1] = '\0';
}

int bh_rtrecord_decode(bh_rt_class cls, const void *data, size_t len, int64_t wall_off_ns, bh_rt_event *ev, bh_error *err)
{
	struct bh_rec_hdr h;
	size_t need;

	memset(ev, 0, sizeof(*ev));
	if (!data || len < sizeof(h))
		return bh_error_set(err, BH_EINVAL, "sensor record: %zu bytes, shorter than its header", len);
	memcpy(&h, data, sizeof(h)); /* ring-buffer data is 8-byte aligned, but the fuzzer's is not */
	if (h.type == 0 || h.type >= BH_REC__TYPE_END)
		return bh_error_set(err, BH_EINVAL, "sensor record: unknown type %u", h.type);
	if ((unsigned)cls >= BH_RT_CLASS__COUNT || bh_rt_class_of((bh_rt_type)h.type) != cls)
		return bh_error_set(err, BH_EINVAL, "sensor record: type %u on the %s ring", h.type, bh_rt_class_name(cls));
	need = cls == BH_RT_CLASS_PROC ? sizeof(struct bh_rec_proc) : cls == BH_RT_CLASS_FILE ? sizeof(struct bh_rec_file)
	     : cls == BH_RT_CLASS_NET ? sizeof(struct bh_rec_net) : sizeof(struct bh_rec_priv);
	if (len < need)
		return bh_error_set(err, BH_EINVAL, "sensor record: %zu bytes, a %s record has %zu", len, bh_rt_class_name(cls), need);

	ev->type = (bh_rt_type)h.type;
	ev->ts_ns = h.ts_ns;
	ev->wall_ns = (uint64_t)((int64_t)h.ts_ns + wall_off_ns);
	ev->cgroup_id = h.cgroup_id;
	ev->pid = h.pid;
	ev->tid = h.tid;
	ev->ppid = h.ppid;
	ev->uid = h.uid;
	ev->euid = h.euid;
	ev->gid = h.gid;
	ev->ret = h.ret;
	if (h.trunc & BH_REC_TRUNC_PATH) ev->trunc |= BH_RT_TRUNC_PATH;
	if (h.trunc & BH_REC_TRUNC_PATH2) ev->trunc |= BH_RT_TRUNC_PATH2;
	if (h.trunc & BH_REC_TRUNC_ARGS) ev->trunc |= BH_RT_TRUNC_ARGS;
	if (h.trunc & BH_REC_TRUNC_CWD) ev->trunc |= BH_RT_TRUNC_CWD;
	copy_str(ev->comm, sizeof(ev->comm), h.comm, sizeof(h.comm));

	switch (cls) {
	case BH_RT_CLASS_PROC: {
		struct bh_rec_proc r;
		memcpy(&r, data, sizeof(r));
		copy_str(ev->pcomm, sizeof(ev->pcomm), r.pcomm, sizeof(r.pcomm));
		if (ev->type == BH_RT_EXIT) /* the kernel's wait status -> event.h's: code, or signal << 8 */
			ev->ret = (h.ret & 0x7f) ? (h.ret & 0x7f) << 8 : (h.ret >> 8) & 0xff;
		if (ev->type == BH_RT_EXEC) {
			if (copy_str(ev->path, sizeof(ev->path), r.path, sizeof(r.path)))
				ev->trunc |= BH_RT_TRUNC_PATH;
			decode_args(ev, r.args, r.args_len);
			decode_cwd(ev, r.cwd, r.cwd_len);
			ev->kact = h.act & (BH_RT_KACT_EXE_UPPER | BH_RT_KACT_KILLED | BH_RT_KACT_WHY_DRIFT | BH_RT_KACT_WHY_DENIED |
					    BH_RT_KACT_SCRIPT_WATCH | BH_RT_KACT_WHY_BASELINE | BH_RT_KACT_STDIO_NET);
			ev->exe_upper = (ev->kact & BH_RT_KACT_EXE_UPPER) != 0;
			ev->stdio_net = (ev->kact & BH_RT_KACT_STDIO_NET) != 0;
		}
		break;
	}
	case BH_RT_CLASS_FILE: {
		struct bh_rec_file r;
		memcpy(&r, data, sizeof(r));
		ev->flags = r.flags;
		ev->mode = r.mode;
		if (copy_str(ev->path, sizeof(ev->path), r.path, sizeof(r.path)))
			ev->trunc |= BH_RT_TRUNC_PATH;
		if (copy_str(ev->path2, sizeof(ev->path2), r.path2, sizeof(r.path2)))
			ev->trunc |= BH_RT_TRUNC_PATH2;
		if (r.dir_of & (BH_REC_DIR_PATH | BH_REC_DIR_PATH2)) {
			decode_cwd(ev, r.dir, r.dir_len);
			if (r.dir_of & BH_REC_DIR_PATH)
				absolute(ev, ev->path, sizeof(ev->path), BH_RT_TRUNC_PATH);
			if (r.dir_of & BH_REC_DIR_PATH2)
				absolute(ev, ev->path2, sizeof(ev->path2), BH_RT_TRUNC_PATH2);
		}
		break;
	}
	case BH_RT_CLASS_NET: {
		struct bh_rec_net r;
		memcpy(&r, data, sizeof(r));
		ev->family = r.family;
		ev->proto = r.proto;
		ev->sport = r.sport;
		ev->dport = r.dport;
		memcpy(ev->saddr, r.saddr, sizeof(ev->saddr));
		memcpy(ev->daddr, r.daddr, sizeof(ev->daddr));
		if (copy_str(ev->path, sizeof(ev->path), r.path, sizeof(r.path)))
			ev->trunc |= BH_RT_TRUNC_PATH;
		break;
	}
	default: {
		struct bh_rec_priv r;
		memcpy(&r, data, sizeof(r));
		ev->arg = r.arg;
		ev->target_pid = r.target_pid;
		ev->flags = r.flags;
		if (copy_str(ev->path, sizeof(ev->path), r.path, sizeof(r.path)))
			ev->trunc |= BH_RT_TRUNC_PATH;
		if (copy_str(ev->path2, sizeof(ev->path2), r.path2, sizeof(r.path2)))
			ev->trunc |= BH_RT_TRUNC_PATH2;
		break;
	}
	}
	return 0;
}
