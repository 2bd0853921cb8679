/* sensor.bpf.c - the runtime sensor's kernel side: CO-RE tracepoint programs that filter in the kernel and put records (record.h) on one ring buffer per class. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "runtime/bpf/record.h"

/* For static analysers run over src/ without libbpf's headers (`make lint`'s cppcheck). */
#ifndef SEC
#define SEC(name)
#define __uint(name, val) int name
#define __type(name, val) val name
#endif

char LICENSE[] SEC("license") = "GPL";

/* Not in vmlinux.h (they are macros in the UAPI headers). */
#define BH_O_WRONLY 01
#define BH_O_RDWR 02
#define BH_O_CREAT 0100
#define BH_O_TRUNC 01000
#define BH_AF_UNIX 1
#define BH_AF_INET 2
#define BH_AF_INET6 10

/*
 * Sizes: a burst of 10,000 execs is ~11 MB of proc records if user space stalled completely; the
 * file class gets its own buffer so a write storm fills only that one.
 */
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16 << 20); } rb_proc SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 8 << 20); } rb_file SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 2 << 20); } rb_net SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 20); } rb_priv SEC(".maps");

/* Reservations that failed (buffer full), per class and CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BH_REC_CLASS_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* The same per cgroup (container), so a report can say whose events were lost. */
struct drops_cg_val {
	__u64 n[BH_REC_CLASS_COUNT];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct drops_cg_val);
} drops_cg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bh_rec_config);
} bh_config SEC(".maps");

/*
 * Enforcement: BH_REC_ENF_* per cgroup id, written by user space (bh_sensor_enforce_set) for
 * containers under enforcement; bh_config.enforce_all stands for every container without an entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} enforce SEC(".maps");

/* Executables denied by exact path (as passed to execve), per cgroup or (cgroup 0) every container. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct bh_rec_deny_key);
	__type(value, __u32);
} deny_exe SEC(".maps");

/* Executables allowed per cgroup, for cgroups with BH_REC_ENF_ALLOW_ONLY (a baseline in protect mode):
 * by exact path, or by a directory pattern: the directory, a slash and a star (any file directly in
 * it, as the baseline's glob matches it); user space keeps other patterns out of the kernel's hands. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bh_rec_deny_key);
	__type(value, __u32);
} allow_exe SEC(".maps");

/* The executable (bh_rec_hash of the path passed to execve) each process of a container last exec'd,
 * by tgid: the parent an allow_pair lookup is made with. LRU: a process long gone drops out first. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} exe_rec SEC(".maps");

/* (cgroup, executable, parent) allowed, for executables whose allow_exe value is BH_REC_ALLOW_PARENTS. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bh_rec_pair_key);
	__type(value, __u32);
} allow_pair SEC(".maps");

/*
 * Execs that may be scripts (the executable's name is not the exec's comm) in a
 * cgroup that kills drift: the script itself is checked when the interpreter opens it.
 */
#define BH_SCRIPT_NAME 64
struct script_watch {
	char name[BH_SCRIPT_NAME]; /* the exec's comm: the exec path's last component, cut at 15 bytes */
	__u32 opens;               /* opens seen since the exec; the watch ends after a few */
	__u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct script_watch);
} script_watch SEC(".maps");

/* Per-CPU scratch: a path read before deciding whether to report it, the cwd built from dentries. */
struct scratch {
	struct bh_rec_deny_key dk; /* a deny-list key is bigger than the BPF stack allows */
	struct bh_rec_deny_key pk; /* dk's directory pattern (bh_allowed_dir) */
	char path[BH_REC_PATH];
	struct script_watch sw;
	char name[BH_SCRIPT_NAME];
	char cwd[BH_REC_CWD * 2]; /* twice the size: a name read at any offset below BH_REC_CWD fits */
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");


/*
 * Wake the reader once per batch: when this record took the ring's unread data across BH_WAKE_BYTES.
 * A wakeup is an irq_work (a self-IPI, a VM exit under virtualisation: 10-20 us of the traced task's
 * time here), so neither every record (the old exec) nor every record while the reader lags (a level
 * test) may pay it; the reader's 20 ms poll timeout delivers the smaller batches.
 */
#define BH_WAKE_BYTES (64 << 10)
static __always_inline __u64 wake_flag(void *rb, __u64 size)
{
	__u64 avail = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
	return avail >= BH_WAKE_BYTES && avail < BH_WAKE_BYTES + size + 16 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void count_drop(__u32 cls)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &cls);
	__u64 cg = bpf_get_current_cgroup_id();
	struct drops_cg_val *v;

	if (n)
		*n += 1;
	if (cls >= BH_REC_CLASS_COUNT)
		return;
	v = bpf_map_lookup_elem(&drops_cg, &cg);
	if (!v) {
		struct drops_cg_val zero = {};
		bpf_map_update_elem(&drops_cg, &cg, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&drops_cg, &cg);
	}
	if (v) {
		__u32 i = cls;
		/* call sites share this code with cls in a register: bound it where it is used */
		asm volatile("" : "+r"(i));
		i &= BH_REC_CLASS_COUNT - 1;
		__sync_fetch_and_add(&v->n[i], 1);
	}
}

/* Whether the current task is below one of the engines' parent cgroups (in a container). */
static __always_inline int in_container(const struct bh_rec_config *c)
{
	for (int level = 1; level <= 3; level++) {
		__u64 a = bpf_get_current_ancestor_cgroup_id(level);
		if (!a)
			break;
		for (int i = 0; i < 4; i++)
			if (c->parent_cgroup[i] && c->parent_cgroup[i] == a)
				return 1;
	}
	return 0;
}

/* Whether the current task's events are wanted (the sensor itself, --container, containers only). */
static __always_inline int wanted(void)
{
	__u32 k = 0;
	struct bh_rec_config *c = bpf_map_lookup_elem(&bh_config, &k);
	if (!c)
		return 0;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == c->self_tgid)
		return 0;
	if (c->only_cgroup && bpf_get_current_cgroup_id() != c->only_cgroup)
		return 0;
	if (!c->containers_only)
		return 1;
	return in_container(c);
}

static __always_inline void fill_hdr(struct bh_rec_hdr *h, __u32 type)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 pt = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();

	h->ts_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->type = type;
	h->pid = pt >> 32;
	h->tid = (__u32)pt;
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = (__u32)ug;
	h->gid = ug >> 32;
	h->euid = BPF_CORE_READ(t, cred, euid.val);
	h->ret = 0;
	h->trunc = 0;
	h->act = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* A user string into a fixed field; sets `bit` in trunc when it filled the field (maybe cut). */
static __always_inline void user_str(char *dst, __u32 size, const void *src, __u32 *trunc, __u32 bit)
{
	long n = bpf_probe_read_user_str(dst, size, src);
	if (n <= 0)
		dst[0] = 0;
	else if (n >= size)
		*trunc |= bit;
}

/* ---- proc ---- */

/* A directory's dentry names, leaf first, crossing mounts up to the namespace's root. */
static __always_inline __u32 read_dir(struct dentry *d, struct vfsmount *vm, char *buf, __u32 *trunc)
{
	struct mount *m = (struct mount *)((char *)vm - bpf_core_field_offset(struct mount, mnt));
	__u32 off = 0;

	for (int i = 0; i < 24; i++) {
		struct dentry *root = BPF_CORE_READ(vm, mnt_root);
		if (d == root) {
			struct mount *pm = BPF_CORE_READ(m, mnt_parent);
			if (pm == m)
				break;
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = pm;
			vm = (struct vfsmount *)((char *)pm + bpf_core_field_offset(struct mount, mnt));
			continue;
		}
		struct dentry *p = BPF_CORE_READ(d, d_parent);
		if (p == d)
			break;
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		long n = bpf_probe_read_kernel_str(buf + (off & (BH_REC_CWD - 1)), BH_REC_CWD, name);
		if (n <= 0)
			break;
		if (off + n > BH_REC_CWD) {
			*trunc |= BH_REC_TRUNC_CWD;
			break;
		}
		off += n;
		d = p;
	}
	return off;
}

static __always_inline __u32 read_cwd(struct task_struct *t, char *buf, __u32 *trunc)
{
	return read_dir(BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt), buf, trunc);
}

/* The file open on descriptor fd of the current task, or NULL. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds) || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return 0;
	return f;
}

/* The socket behind fd of the current task, or NULL when fd is not a socket. */
static __always_inline struct sock *fd_sock(long fd)
{
	struct file *f = fd_file(fd), *back;
	struct socket *so;

	if (!f)
		return 0;
	so = BPF_CORE_READ(f, private_data);
	if (!so)
		return 0;
	back = BPF_CORE_READ(so, file);
	if (back != f) /* private_data of something that is not a socket */
		return 0;
	return BPF_CORE_READ(so, sk);
}

/* The directory a relative path of an *at() call starts at: the working directory, or the one
 * descriptor dirfd is open on. Names into buf as read_cwd; (__u32)-1 when dirfd is not open. */
static __always_inline __u32 read_at_dir(__s32 dirfd, char *buf, __u32 *trunc)
{
	struct file *f;

	if (dirfd == BH_REC_AT_FDCWD)
		return read_cwd((struct task_struct *)bpf_get_current_task(), buf, trunc);
	if (!(f = fd_file(dirfd)))
		return (__u32)-1;
	return read_dir(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), buf, trunc);
}

/* Fills r's dir for the paths in `of` (BH_REC_DIR_*) from dirfd through s's buffer; none when dirfd
 * is not open (the call fails, and the path stays as passed). */
static __always_inline void rel_dir(struct bh_rec_file *r, __u32 of, __s32 dirfd, struct scratch *s)
{
	__u32 n = read_at_dir(dirfd, s->cwd, &r->h.trunc);

	r->dir_of = n == (__u32)-1 ? 0 : of;
	r->dir_len = r->dir_of ? n : 0;
	if (r->dir_of)
		bpf_probe_read_kernel(r->dir, sizeof(r->dir), s->cwd);
}

#define BH_OVERLAYFS_MAGIC 0x794c7630
#define BH_SIGKILL 9

/*
 * Whether the new executable (mm->exe_file, already the new image's at this tracepoint) is an
 * overlay inode with an upper dentry: written or changed in the container, not from the image.
 * For a script this is its interpreter; the script itself is not seen here.
 */
static __always_inline int exe_upper(struct task_struct *t)
{
	struct file *f = BPF_CORE_READ(t, mm, exe_file);
	struct inode *ino;
	struct ovl_inode *oi;

	if (!f)
		return 0;
	ino = BPF_CORE_READ(f, f_inode);
	if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != BH_OVERLAYFS_MAGIC)
		return 0;
	oi = (struct ovl_inode *)((char *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode));
	return BPF_CORE_READ(oi, __upperdentry) != 0;
}

/*
 * Whether a and b, names of up to BH_REC_COMM - 1 bytes as comm holds them, are the same: comm is
 * cut at 15 bytes, so a longer name matches on its first 15.
 */
static __always_inline int same_comm(const char *a, const char *b)
{
	for (int i = 0; i < BH_REC_COMM - 1; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

/*
 * Whether the exec's comm (the exec path's last component, set at exec) differs from the
 * executable's own name: a script, whose executable is its interpreter (or a symlink). Leaves comm
 * in s->sw.name.
 */
static __always_inline int maybe_script(struct task_struct *t, struct scratch *s)
{
	const unsigned char *dn = BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name);

	__builtin_memset(&s->sw, 0, sizeof(s->sw));
	bpf_get_current_comm(s->sw.name, BH_REC_COMM);
	if (bpf_probe_read_kernel_str(s->name, sizeof(s->name), dn) <= 0)
		return 0;
	return !same_comm(s->name, s->sw.name);
}

/* Whether s starts with the n bytes of p. */
static __always_inline int pfx(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return 0;
	return 1;
}
#define PFX(s, lit) pfx((s), (lit), sizeof(lit) - 1)

/* The exec's path as passed into s->dk.path, NUL-padded (the lists' keys are hashed whole): its
 * length with the NUL, 0 when unreadable, more than BH_REC_PATH - 1 when cut. */
static __always_inline long exec_path(struct trace_event_raw_sched_process_exec *ctx, struct scratch *s)
{
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;
	long n;

	__builtin_memset(&s->dk, 0, sizeof(s->dk));
	n = bpf_probe_read_kernel_str(s->dk.path, sizeof(s->dk.path), (char *)ctx + off);
	return n > 0 ? n : 0;
}

/* deny_exe holds (cgroup, path) or (0, path) for the exec's path (s->dk.path). */
static __always_inline int denied(struct scratch *s, long n, __u64 cg)
{
	if (!n)
		return 0;
	s->dk.cgroup_id = cg;
	if (bpf_map_lookup_elem(&deny_exe, &s->dk))
		return 1;
	s->dk.cgroup_id = 0;
	return bpf_map_lookup_elem(&deny_exe, &s->dk) != 0;
}

/* The engines' process names (runtime/blmon.c's list), as comm holds them: cut at 15 bytes. */
static __always_inline int engine_comm(const char *c)
{
	return same_comm(c, "runc") || same_comm(c, "crun") || same_comm(c, "conmon") || same_comm(c, "containerd-shim") ||
	       same_comm(c, "runc:[0:PARENT]") || same_comm(c, "runc:[1:CHILD]") || same_comm(c, "runc:[2:INIT]") ||
	       same_comm(c, "dockerd") || same_comm(c, "podman");
}

/*
 * allow_exe holds (cgroup, path) for the exec's path (s->dk.path); a path that does not fit is not
 * allowed. A path allowed only under some parents is checked against allow_pair with the parent's
 * executable; a parent not known (exec'd before the sensor, or a fork that did not exec) is let
 * through here and judged in user space.
 */
/* Whether allow_exe holds the directory pattern of the exec's path: for /opt/tools/x, the path up to
 * its last slash and a star, in dk's cgroup. A pattern entry's parent is judged in user space.
 * A global function, so the verifier checks its two 256-byte loops once, not once per state the
 * exec program reaches it in (inlined, that passed the verifier's million instructions). */
__noinline int bh_allowed_dir(struct bh_rec_deny_key *dk, struct bh_rec_deny_key *pk)
{
	long last = -1;

	if (!dk || !pk)
		return 0;
	/* Branch-free: a branch that sets last would leave the verifier a state per value of it. The
	 * path is NUL-padded after its end (exec_path). */
	for (int i = 0; i < BH_REC_PATH; i++) {
		__u32 x = (__u32)(unsigned char)dk->path[i] ^ '/';
		long eq = (long)(((x - 1) >> 31) & 1); /* 1 when the byte is a slash */
		last += eq * (i - last);
	}
	if (last < 0 || last + 2 >= BH_REC_PATH)
		return 0;
	pk->cgroup_id = dk->cgroup_id;
	/* also branch-free: the bytes up to the slash, a star after it, zeros to the end */
	for (int i = 0; i < BH_REC_PATH; i++) {
		long d = last - i;                        /* >= 0: keep; -1: the star; less: zero */
		long keep = -(long)(1 - ((__u64)d >> 63)); /* all ones when d >= 0 */
		__u32 v = (__u32)((d + 1) & 0x1ff);       /* 0 only when d == -1 (d is within -256..255) */
		long star = -(long)(((v - 1) >> 31) & 1); /* all ones when d == -1 */
		/* opaque to clang, which would otherwise turn the mask back into a branch on d */
		barrier_var(keep);
		pk->path[i] = (char)((dk->path[i] & keep) | ('*' & star));
	}
	return bpf_map_lookup_elem(&allow_exe, pk) != 0;
}

static __always_inline __u32 allowed(struct task_struct *t, struct scratch *s, long n, __u64 cg, const struct bh_rec_config *c)
{
	struct bh_rec_pair_key pk;
	char pcomm[BH_REC_COMM];
	__u32 *v, ptgid;
	__u64 *ph;

	if (!n || n >= (long)sizeof(s->dk.path))
		return BH_REC_ACT_KILLED; /* fail closed: an unreadable or over-long path is not on any list */
	s->dk.cgroup_id = cg;
	v = bpf_map_lookup_elem(&allow_exe, &s->dk);
	if (!v)
		return bh_allowed_dir(&s->dk, &s->pk) ? 0 : BH_REC_ACT_KILLED;
	if (*v != BH_REC_ALLOW_PARENTS)
		return 0;
	pk.cgroup_id = cg;
	pk.exe = bh_rec_hash(s->dk.path);
	BPF_CORE_READ_INTO(&pcomm, t, real_parent, comm);
	if (engine_comm(pcomm)) {
		pk.parent = c->engine_hash;
	} else {
		ptgid = BPF_CORE_READ(t, real_parent, tgid);
		ph = bpf_map_lookup_elem(&exe_rec, &ptgid);
		if (!ph)
			return 0;
		pk.parent = *ph;
	}
	if (bpf_map_lookup_elem(&allow_pair, &pk))
		return 0;
	/* a directory pattern allows it under any parent, as the baseline's own matching would */
	return bh_allowed_dir(&s->dk, &s->pk) ? 0 : BH_REC_ACT_KILLED | BH_REC_ACT_WHY_PARENT;
}

/* The engine's own execs (runc re-executing itself, a shim's fd): no parent of the container's. */
static __always_inline int engine_exec(const char *p)
{
	return PFX(p, "/proc/self/exe") || PFX(p, "/dev/fd/") || PFX(p, "/proc/self/fd/");
}

/*
 * Enforcement at exec, before the event is reported (a full ring must not let a program through):
 * SIGKILL from bpf_send_signal is pending when the task returns to user mode, so the new image
 * never runs an instruction. Returns BH_REC_ACT_* for the record.
 */
static __always_inline __u32 enforce_exec(struct trace_event_raw_sched_process_exec *ctx, struct task_struct *t,
					  struct scratch *s)
{
	__u64 cg = bpf_get_current_cgroup_id();
	__u32 k = 0, flags = 0, act = 0;
	long n;
	__u32 *f = bpf_map_lookup_elem(&enforce, &cg);
	struct bh_rec_config *c = bpf_map_lookup_elem(&bh_config, &k);

	if (!c || (__u32)(bpf_get_current_pid_tgid() >> 32) == c->self_tgid)
		return 0;
	if (f)
		flags = *f;
	else if (c->enforce_all && in_container(c))
		flags = c->enforce_all;
	n = exec_path(ctx, s);
	if (exe_upper(t))
		act |= BH_REC_ACT_EXE_UPPER;
	if ((flags & BH_REC_ENF_KILL_DRIFT) && (act & BH_REC_ACT_EXE_UPPER))
		act |= BH_REC_ACT_KILLED | BH_REC_ACT_WHY_DRIFT;
	if ((flags & BH_REC_ENF_DENY_PATHS) && denied(s, n, cg))
		act |= BH_REC_ACT_KILLED | BH_REC_ACT_WHY_DENIED;
	if (flags & BH_REC_ENF_ALLOW_ONLY) {
		__u32 a = allowed(t, s, n, cg, c);
		if (a)
			act |= a | BH_REC_ACT_WHY_BASELINE;
	}
	/* remembered for its children's execs: every container process that runs, the engine's own aside */
	if (!(act & BH_REC_ACT_KILLED) && n && n < (long)sizeof(s->dk.path) && (f || in_container(c))) {
		char pcomm[BH_REC_COMM];
		BPF_CORE_READ_INTO(&pcomm, t, real_parent, comm);
		if (!(engine_comm(pcomm) && engine_exec(s->dk.path))) {
			__u32 tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
			__u64 h = bh_rec_hash(s->dk.path);
			bpf_map_update_elem(&exe_rec, &tgid, &h, BPF_ANY);
		}
	}
	if (act & BH_REC_ACT_KILLED) {
		bpf_send_signal(BH_SIGKILL);
	} else if ((flags & BH_REC_ENF_KILL_DRIFT) && maybe_script(t, s)) {
		__u32 tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
		bpf_map_update_elem(&script_watch, &tgid, &s->sw, BPF_ANY);
		act |= BH_REC_ACT_SCRIPT_WATCH;
	}
	return act;
}

/* Whether descriptor fd of the current task is an IPv4 or IPv6 socket (a pipe, a tty or a unix
 * socket is not). */
static __always_inline int inet_fd(long fd)
{
	struct sock *sk = fd_sock(fd);
	__u16 fam;

	if (!sk)
		return 0;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	return fam == BH_AF_INET || fam == BH_AF_INET6;
}

SEC("tracepoint/sched/sched_process_exec")
int bh_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct bh_rec_proc *r;
	struct scratch *s;
	__u32 k = 0, len, cwd_len, act;
	unsigned long a0, a1;

	s = bpf_map_lookup_elem(&scratch, &k);
	if (!s)
		return 0;
	act = enforce_exec(ctx, t, s);
	if (!wanted())
		return 0;
	r = bpf_ringbuf_reserve(&rb_proc, sizeof(*r), 0);
	if (!r) {
		count_drop(BH_REC_CLASS_PROC);
		return 0;
	}
	fill_hdr(&r->h, BH_REC_EXEC);
	/* a program started with its standard input or output on a TCP or UDP connection: how a
	 * reverse shell runs, whatever its command line says */
	if (inet_fd(0) || inet_fd(1))
		act |= BH_REC_ACT_STDIO_NET;
	r->h.act = act;
	{
		unsigned int off = ctx->__data_loc_filename & 0xFFFF;
		long n = bpf_probe_read_kernel_str(r->path, sizeof(r->path), (char *)ctx + off);
		if (n <= 0)
			r->path[0] = 0;
		else if (n >= (long)sizeof(r->path))
			r->h.trunc |= BH_REC_TRUNC_PATH;
	}
	BPF_CORE_READ_INTO(&r->pcomm, t, real_parent, comm);
	a0 = BPF_CORE_READ(t, mm, arg_start);
	a1 = BPF_CORE_READ(t, mm, arg_end);
	len = 0;
	if (a1 > a0) {
		__u64 d = a1 - a0;
		if (d > BH_REC_ARGS - 1) { /* the last byte stays for a NUL of our own */
			d = BH_REC_ARGS - 1;
			r->h.trunc |= BH_REC_TRUNC_ARGS;
		}
		len = (__u32)d;
	}
	/* the verifier wants the bound on the register it is passed in; the barrier keeps the mask */
	asm volatile("" : "+r"(len));
	len &= BH_REC_ARGS - 1;
	if (bpf_probe_read_user(r->args, len, (void *)a0))
		len = 0;
	r->args_len = len;
	cwd_len = read_cwd(t, s->cwd, &r->h.trunc);
	bpf_probe_read_kernel(r->cwd, sizeof(r->cwd), s->cwd);
	r->cwd_len = cwd_len;
	/* batched wakeup (wake_flag); a lone exec waits at most the reader's poll timeout */
	bpf_ringbuf_submit(r, wake_flag(&rb_proc, sizeof(*r)));
	return 0;
}

/*
 * The interpreter of a watched exec opened a file: when it is the script (its name is the comm) and an
 * overlay inode with an upper dentry, SIGKILL before the open returns, so not a line of the script
 * is read. The watch ends there or after 64 opens (the dynamic loader's come first).
 */
SEC("tracepoint/syscalls/sys_exit_openat")
int bh_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 k = 0, tgid;
	struct bh_rec_config *c = bpf_map_lookup_elem(&bh_config, &k);
	struct script_watch *w;
	struct scratch *s;
	struct file *f;
	long fd = ctx->ret;

	if (!c || !c->enforce_any || fd < 0)
		return 0;
	tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
	w = bpf_map_lookup_elem(&script_watch, &tgid);
	if (!w)
		return 0;
	s = bpf_map_lookup_elem(&scratch, &k);
	if (!s)
		return 0;
	if (++w->opens > 64) {
		bpf_map_delete_elem(&script_watch, &tgid);
		return 0;
	}
	if (!(f = fd_file(fd)))
		return 0;
	if (bpf_probe_read_kernel_str(s->name, sizeof(s->name), BPF_CORE_READ(f, f_path.dentry, d_name.name)) <= 0)
		return 0;
	if (!same_comm(s->name, w->name))
		return 0;
	bpf_map_delete_elem(&script_watch, &tgid);
	{
		struct inode *ino = BPF_CORE_READ(f, f_inode);
		struct ovl_inode *oi;
		if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != BH_OVERLAYFS_MAGIC)
			return 0;
		oi = (struct ovl_inode *)((char *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode));
		if (BPF_CORE_READ(oi, __upperdentry))
			bpf_send_signal(BH_SIGKILL);
	}
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int bh_exit(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 pt = bpf_get_current_pid_tgid();
	struct bh_rec_proc *r;

	if ((__u32)pt != (__u32)(pt >> 32)) /* a thread, not the process */
		return 0;
	{
		/* a pid used again must not inherit this process's executable as a parent */
		__u32 tg = (__u32)(pt >> 32);
		bpf_map_delete_elem(&exe_rec, &tg);
	}
	if (!wanted())
		return 0;
	/* Only the header and pcomm matter; the rest of the record is left as reserved (zeroed below). */
	r = bpf_ringbuf_reserve(&rb_proc, sizeof(*r), 0);
	if (!r) {
		count_drop(BH_REC_CLASS_PROC);
		return 0;
	}
	fill_hdr(&r->h, BH_REC_EXIT);
	r->h.ret = BPF_CORE_READ(t, exit_code);
	BPF_CORE_READ_INTO(&r->pcomm, t, real_parent, comm);
	r->args_len = 0;
	r->cwd_len = 0;
	r->path[0] = 0;
	bpf_ringbuf_submit(r, wake_flag(&rb_proc, sizeof(*r)));
	return 0;
}

/* ---- file ---- */

/* The longest user name a home directory is looked at for (useradd allows 32 bytes). */
#define BH_HOME_NAME_MAX 32

/* Below a home directory (the rest of the path after "/root/" or "/home/USER/"): the credentials
 * the rules name (SSH keys, cloud, registry and Kubernetes configuration). */
static __always_inline int home_secret(const char *h)
{
	return PFX(h, ".ssh/") || PFX(h, ".aws/") || PFX(h, ".kube/") || PFX(h, ".config/gcloud/") ||
	       PFX(h, ".azure/") || PFX(h, ".docker/config.json");
}

/* Files a read of which rules care about (credentials, engine sockets). */
static __always_inline int sensitive(const char *p)
{
	int i;

	if (PFX(p, "/etc/shadow") || PFX(p, "/etc/gshadow") || PFX(p, "/etc/sudoers") ||
	    PFX(p, "/etc/ssh/ssh_host_") || PFX(p, "/var/run/docker.sock") || PFX(p, "/run/docker.sock") ||
	    PFX(p, "/run/containerd/containerd.sock") || PFX(p, "/var/run/secrets/kubernetes.io/") ||
	    PFX(p, "/proc/self/mem"))
		return 1;
	if (PFX(p, "/root/"))
		return home_secret(p + 6);
	if (!PFX(p, "/home/"))
		return 0;
	/* /home/USER/: the user's name ends at the first slash within BH_HOME_NAME_MAX bytes */
	for (i = 6; i < 6 + BH_HOME_NAME_MAX + 1; i++) {
		if (!p[i])
			return 0;
		if (p[i] == '/')
			return i > 6 && home_secret(p + i + 1);
	}
	return 0;
}

/* The first bytes of every path sensitive() accepts: most opens are reads of other files, and this
 * test (one 8-byte read, no helper lookups) lets them leave before wanted() and the full path read. */
static __always_inline int maybe_sensitive(const char *p)
{
	return PFX(p, "/etc/sha") || PFX(p, "/etc/gsh") || PFX(p, "/etc/sud") || PFX(p, "/etc/ssh") ||
	       PFX(p, "/root/.") || PFX(p, "/home/") || PFX(p, "/var/run") || PFX(p, "/run/doc") ||
	       PFX(p, "/run/con") || PFX(p, "/proc/se");
}

/* A relative path's first 8 bytes naming a credential directory of a home: ".ssh/id_rsa" from ~. */
static __always_inline int home_dot(const char *p)
{
	return PFX(p, ".ssh/") || PFX(p, ".aws/") || PFX(p, ".kube/") || PFX(p, ".config/") || PFX(p, ".azure/") ||
	       PFX(p, ".docker/");
}

/* Whether the working directory is one of home_secret()'s directories: `cd ~/.aws && cat credentials`
 * (its name only: one dentry read; where it is, user space learns from the record's dir). */
static __always_inline int secret_cwd(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	char b[8] = {};

	bpf_probe_read_kernel_str(b, sizeof(b), BPF_CORE_READ(t, fs, pwd.dentry, d_name.name));
	return (PFX(b, ".ssh") && !b[4]) || (PFX(b, ".aws") && !b[4]) || (PFX(b, ".kube") && !b[5]) ||
	       (PFX(b, "gcloud") && !b[6]) || (PFX(b, ".azure") && !b[6]) || (PFX(b, ".docker") && !b[7]);
}

static __always_inline int do_open(__s32 dirfd, const char *upath, __u32 flags, __u32 mode)
{
	struct bh_rec_file *r;
	struct scratch *s;
	__u32 k = 0, trunc = 0;
	int rel_secret = 0;
	long n;

	if (!(flags & (BH_O_WRONLY | BH_O_RDWR | BH_O_CREAT | BH_O_TRUNC))) {
		char p8[8];
		if (bpf_probe_read_user(p8, sizeof(p8), upath))
			return 0;
		/* a relative read is a credential's when it names a credential directory, or when it is
		 * made in one; the full test comes in user space once the path is joined to its directory */
		if (p8[0] == '/' ? !maybe_sensitive(p8) : !(rel_secret = home_dot(p8) || secret_cwd()))
			return 0;
	}
	if (!wanted())
		return 0;
	s = bpf_map_lookup_elem(&scratch, &k);
	if (!s)
		return 0;
	n = bpf_probe_read_user_str(s->path, sizeof(s->path), upath);
	if (n <= 0)
		return 0;
	if (n >= (long)sizeof(s->path))
		trunc |= BH_REC_TRUNC_PATH;
	if (!(flags & (BH_O_WRONLY | BH_O_RDWR | BH_O_CREAT | BH_O_TRUNC))) {
		if (!rel_secret && !sensitive(s->path))
			return 0;
	} else if (n == sizeof("/dev/null") && PFX(s->path, "/dev/null")) {
		return 0; /* every shell redirect; nothing a rule could use */
	}
	r = bpf_ringbuf_reserve(&rb_file, sizeof(*r), 0);
	if (!r) {
		count_drop(BH_REC_CLASS_FILE);
		return 0;
	}
	fill_hdr(&r->h, BH_REC_OPEN);
	r->h.trunc = trunc;
	r->flags = flags;
	r->mode = mode;
	bpf_probe_read_kernel(r->path, sizeof(r->path), s->path);
	r->path2[0] = 0;
	r->dir_len = 0;
	r->dir_of = 0;
	/* relative: the directory it starts at, so user space can tell /etc/passwd from passwd */
	if (s->path[0] && s->path[0] != '/')
		rel_dir(r, BH_REC_DIR_PATH, dirfd, s);
	bpf_ringbuf_submit(r, wake_flag(&rb_file, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int bh_openat(struct trace_event_raw_sys_enter *ctx)
{
	return do_open((__s32)ctx->args[0], (const char *)ctx->args[1], (__u32)ctx->args[2], (__u32)ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_enter_open")
int bh_open(struct trace_event_raw_sys_enter *ctx)
{
	return do_open(BH_REC_AT_FDCWD, (const char *)ctx->args[0], (__u32)ctx->args[1], (__u32)ctx->args[2]);
}

/* unlink, rename, chmod: reported whatever the path (they are rare next to opens). */
static __always_inline int do_file(__u32 type, __s32 d1, const char *p1, __s32 d2, const char *p2, __u32 flags, __u32 mode)
{
	struct bh_rec_file *r;

	if (!wanted())
		return 0;
	r = bpf_ringbuf_reserve(&rb_file, sizeof(*r), 0);
	if (!r) {
		count_drop(BH_REC_CLASS_FILE);
		return 0;
	}
	fill_hdr(&r->h, type);
	r->flags = flags;
	r->mode = mode;
	user_str(r->path, sizeof(r->path), p1, &r->h.trunc, BH_REC_TRUNC_PATH);
	if (p2)
		user_str(r->path2, sizeof(r->path2), p2, &r->h.trunc, BH_REC_TRUNC_PATH2);
	else
		r->path2[0] = 0;
	r->dir_len = 0;
	r->dir_of = 0;
	{
		/* a relative path: the directory it starts at (for a rename, the first's; the second's too
		 * when it names the same directory) */
		int rel1 = r->path[0] && r->path[0] != '/', rel2 = r->path2[0] && r->path2[0] != '/';
		__u32 k = 0, of = rel1 ? BH_REC_DIR_PATH | (rel2 && d2 == d1 ? BH_REC_DIR_PATH2 : 0) : rel2 ? BH_REC_DIR_PATH2 : 0;
		struct scratch *s = of ? bpf_map_lookup_elem(&scratch, &k) : 0;

		if (s)
			rel_dir(r, of, rel1 ? d1 : d2, s);
	}
	bpf_ringbuf_submit(r, wake_flag(&rb_file, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int bh_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_UNLINK, (__s32)ctx->args[0], (const char *)ctx->args[1], BH_REC_AT_FDCWD, 0, (__u32)ctx->args[2], 0);
}

SEC("tracepoint/syscalls/sys_enter_unlink")
int bh_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_UNLINK, BH_REC_AT_FDCWD, (const char *)ctx->args[0], BH_REC_AT_FDCWD, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat2")
int bh_renameat2(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_RENAME, (__s32)ctx->args[0], (const char *)ctx->args[1], (__s32)ctx->args[2],
		       (const char *)ctx->args[3], (__u32)ctx->args[4], 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat")
int bh_renameat(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_RENAME, (__s32)ctx->args[0], (const char *)ctx->args[1], (__s32)ctx->args[2],
		       (const char *)ctx->args[3], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_rename")
int bh_rename(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_RENAME, BH_REC_AT_FDCWD, (const char *)ctx->args[0], BH_REC_AT_FDCWD, (const char *)ctx->args[1], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_fchmodat")
int bh_fchmodat(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_CHMOD, (__s32)ctx->args[0], (const char *)ctx->args[1], BH_REC_AT_FDCWD, 0, 0, (__u32)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_fchmodat2")
int bh_fchmodat2(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_CHMOD, (__s32)ctx->args[0], (const char *)ctx->args[1], BH_REC_AT_FDCWD, 0, (__u32)ctx->args[3],
		       (__u32)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_chmod")
int bh_chmod(struct trace_event_raw_sys_enter *ctx)
{
	return do_file(BH_REC_CHMOD, BH_REC_AT_FDCWD, (const char *)ctx->args[0], BH_REC_AT_FDCWD, 0, 0, (__u32)ctx->args[1]);
}

/* ---- net ---- */


/* Family, protocol and both ends of a connected or bound socket. */
static __always_inline void sock_ends(struct sock *sk, struct bh_rec_net *r)
{
	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->proto = BPF_CORE_READ(sk, sk_protocol);
	r->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	r->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (r->family == BH_AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)r->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)r->daddr, sk, __sk_common.skc_daddr);
	} else if (r->family == BH_AF_INET6) {
		BPF_CORE_READ_INTO(&r->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&r->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

static __always_inline struct bh_rec_net *net_reserve(__u32 type)
{
	struct bh_rec_net *r = bpf_ringbuf_reserve(&rb_net, sizeof(struct bh_rec_net), 0);
	if (!r) {
		count_drop(BH_REC_CLASS_NET);
		return 0;
	}
	__builtin_memset(r, 0, sizeof(*r));
	fill_hdr(&r->h, type);
	return r;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int bh_connect(struct trace_event_raw_sys_enter *ctx)
{
	const void *ua = (const void *)ctx->args[1];
	struct bh_rec_net *r;
	struct sock *sk;
	__u16 fam = 0;

	if (!wanted())
		return 0;
	if (bpf_probe_read_user(&fam, sizeof(fam), ua))
		return 0;
	if (fam != BH_AF_INET && fam != BH_AF_INET6 && fam != BH_AF_UNIX)
		return 0;
	r = net_reserve(BH_REC_CONNECT);
	if (!r)
		return 0;
	r->family = fam;
	sk = fd_sock((long)ctx->args[0]);
	if (sk)
		r->proto = BPF_CORE_READ(sk, sk_protocol);
	if (fam == BH_AF_INET) {
		struct sockaddr_in sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), ua);
		r->dport = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(r->daddr, &sin.sin_addr.s_addr, 4);
	} else if (fam == BH_AF_INET6) {
		struct sockaddr_in6 sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), ua);
		r->dport = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(r->daddr, &sin6.sin6_addr, 16);
	} else {
		bpf_probe_read_user_str(r->path, sizeof(r->path), (const char *)ua + 2);
	}
	bpf_ringbuf_submit(r, wake_flag(&rb_net, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_listen")
int bh_listen(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_net *r;
	struct sock *sk;

	if (!wanted())
		return 0;
	sk = fd_sock((long)ctx->args[0]);
	if (!sk)
		return 0;
	r = net_reserve(BH_REC_LISTEN);
	if (!r)
		return 0;
	sock_ends(sk, r);
	bpf_ringbuf_submit(r, wake_flag(&rb_net, sizeof(*r)));
	return 0;
}

static __always_inline int do_accept(struct trace_event_raw_sys_exit *ctx)
{
	struct bh_rec_net *r;
	struct sock *sk;

	if (ctx->ret < 0 || !wanted())
		return 0;
	sk = fd_sock(ctx->ret);
	if (!sk)
		return 0;
	r = net_reserve(BH_REC_ACCEPT);
	if (!r)
		return 0;
	sock_ends(sk, r);
	r->h.ret = (__s32)ctx->ret;
	/* the peer is the remote end: saddr/sport per event.h */
	{
		__u8 tmp[16];
		__u16 p = r->sport;
		__builtin_memcpy(tmp, r->saddr, 16);
		__builtin_memcpy(r->saddr, r->daddr, 16);
		__builtin_memcpy(r->daddr, tmp, 16);
		r->sport = r->dport;
		r->dport = p;
	}
	bpf_ringbuf_submit(r, wake_flag(&rb_net, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int bh_accept4(struct trace_event_raw_sys_exit *ctx) { return do_accept(ctx); }

SEC("tracepoint/syscalls/sys_exit_accept")
int bh_accept(struct trace_event_raw_sys_exit *ctx) { return do_accept(ctx); }

/* ---- priv ---- */

static __always_inline struct bh_rec_priv *priv_reserve(__u32 type)
{
	struct bh_rec_priv *r;

	if (!wanted())
		return 0;
	r = bpf_ringbuf_reserve(&rb_priv, sizeof(struct bh_rec_priv), 0);
	if (!r) {
		count_drop(BH_REC_CLASS_PRIV);
		return 0;
	}
	fill_hdr(&r->h, type);
	r->arg = 0;
	r->target_pid = 0;
	r->flags = 0;
	r->path[0] = 0;
	r->path2[0] = 0;
	return r;
}

/*
 * setuid and setresuid are reported at their exit, with the call's result (a refused setuid(0) is
 * no escalation) and the uids the caller had before it (after a successful call they are the new
 * ones). The entry keeps what the exit needs, by thread.
 */
struct setuid_call {
	__u32 arg, flags, uid, euid;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct setuid_call);
} setuid_calls SEC(".maps");

static __always_inline int setuid_enter(__u32 arg, __u32 flags)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct setuid_call c = { arg, flags, (__u32)bpf_get_current_uid_gid(), 0 };

	if (!wanted()) {
		/* a stale entry of a thread killed inside the call must not pair with this call's exit */
		bpf_map_delete_elem(&setuid_calls, &tid);
		return 0;
	}
	c.euid = BPF_CORE_READ(t, cred, euid.val);
	bpf_map_update_elem(&setuid_calls, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int setuid_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct setuid_call *c = bpf_map_lookup_elem(&setuid_calls, &tid);
	struct bh_rec_priv *r;

	if (!c)
		return 0;
	r = priv_reserve(BH_REC_SETUID);
	if (r) {
		r->arg = c->arg;
		r->flags = c->flags;
		r->h.uid = c->uid;
		r->h.euid = c->euid;
		r->h.ret = (__s32)ctx->ret;
		bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	}
	bpf_map_delete_elem(&setuid_calls, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_setuid")
int bh_setuid(struct trace_event_raw_sys_enter *ctx)
{
	return setuid_enter((__u32)ctx->args[0], 0);
}

SEC("tracepoint/syscalls/sys_exit_setuid")
int bh_setuid_exit(struct trace_event_raw_sys_exit *ctx)
{
	return setuid_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_setresuid")
int bh_setresuid(struct trace_event_raw_sys_enter *ctx)
{
	__u32 ruid = (__u32)ctx->args[0], euid = (__u32)ctx->args[1];
	/* the new effective uid when set, else the real one (-1: unchanged); flags 1: setresuid */
	return setuid_enter(euid != (__u32)-1 ? euid : ruid, 1);
}

SEC("tracepoint/syscalls/sys_exit_setresuid")
int bh_setresuid_exit(struct trace_event_raw_sys_exit *ctx)
{
	return setuid_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_capset")
int bh_capset(struct trace_event_raw_sys_enter *ctx)
{
	struct { __u32 effective, permitted, inheritable; } d[2] = {};
	struct bh_rec_priv *r = priv_reserve(BH_REC_CAPSET);
	if (!r)
		return 0;
	bpf_probe_read_user(&d, sizeof(d), (const void *)ctx->args[1]);
	r->arg = (__u64)d[0].effective | (__u64)d[1].effective << 32;
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int bh_unshare(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_priv *r = priv_reserve(BH_REC_UNSHARE);
	if (!r)
		return 0;
	r->arg = ctx->args[0];
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_setns")
int bh_setns(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_priv *r = priv_reserve(BH_REC_SETNS);
	if (!r)
		return 0;
	r->arg = ctx->args[1];
	r->flags = (__u32)ctx->args[0]; /* the namespace fd */
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int bh_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	long req = (long)ctx->args[0];
	struct bh_rec_priv *r;

	/* attach, seize and memory/register writes; reads and PTRACE_TRACEME-less chatter are not rule food */
	if (req != 16 && req != 0x4206 && req != 4 && req != 5 && req != 6)
		return 0;
	r = priv_reserve(BH_REC_PTRACE);
	if (!r)
		return 0;
	r->arg = req;
	r->target_pid = (__u32)ctx->args[1];
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_init_module")
int bh_init_module(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_priv *r = priv_reserve(BH_REC_MODULE);
	if (!r)
		return 0;
	r->arg = ctx->args[1]; /* image length */
	user_str(r->path2, sizeof(r->path2), (const char *)ctx->args[2], &r->h.trunc, BH_REC_TRUNC_PATH2);
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_finit_module")
int bh_finit_module(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_priv *r = priv_reserve(BH_REC_MODULE);
	if (!r)
		return 0;
	r->arg = ctx->args[0]; /* the module file's fd */
	r->flags = (__u32)ctx->args[2];
	user_str(r->path2, sizeof(r->path2), (const char *)ctx->args[1], &r->h.trunc, BH_REC_TRUNC_PATH2);
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mount")
int bh_mount(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_priv *r = priv_reserve(BH_REC_MOUNT);
	if (!r)
		return 0;
	user_str(r->path, sizeof(r->path), (const char *)ctx->args[1], &r->h.trunc, BH_REC_TRUNC_PATH);
	user_str(r->path2, sizeof(r->path2), (const char *)ctx->args[0], &r->h.trunc, BH_REC_TRUNC_PATH2);
	r->flags = (__u32)ctx->args[3];
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_memfd_create")
int bh_memfd_create(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_rec_priv *r = priv_reserve(BH_REC_MEMFD);
	if (!r)
		return 0;
	user_str(r->path, sizeof(r->path), (const char *)ctx->args[0], &r->h.trunc, BH_REC_TRUNC_PATH);
	r->flags = (__u32)ctx->args[1];
	bpf_ringbuf_submit(r, wake_flag(&rb_priv, sizeof(*r)));
	return 0;
}
