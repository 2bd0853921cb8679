/* fallback.c - the sensor without eBPF: process-connector datagrams decoded and completed from /proc, fanotify events on containers' filesystems turned into file events, all bounded. */
#include "runtime/fallback.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS 64
#define MAX_HOOKS (4 + 2 * MAX_MARKS)
#define HOOK_NAME 256
#define OE_SLOTS 256      /* pid -> the first path it opened for exec (fanotify), until its exec event */
#define PID_SLOTS 8192    /* pid -> cgroup id, container or not; dropped at the pid's exit */
#define UP_SLOTS 64       /* cgroup id -> the upperdir of its root overlay */
#define WR_SLOTS 512      /* (pid, dev, ino) reported as opened for write, until close-write */
#define NL_BUF 16384
#define FAN_BUF 65536
#define PROC_SMALL 4096   /* status, cgroup, cmdline: read no more than this */
#define PROC_BIG (256 * 1024) /* mountinfo: many layers make long lines; never more */
#define PC_BATCH 64
#define DEFER_MAX 256     /* execs read from netlink whose process was gone, until fanotify is read */
#define RESCAN_NS 2000000000ull
#define FAN_MASK_FD (FAN_OPEN_EXEC | FAN_MODIFY | FAN_CLOSE_WRITE)
#define FAN_MASK_FID (FAN_DELETE | FAN_RENAME | FAN_ATTRIB)

/* An upper layer watched through its filesystem's file ids: events below `path` are `cgid`'s. */
struct upper {
	char path[BH_RT_PATH_MAX * 2];
	size_t len;
	uint64_t cgid;
	dev_t dev;   /* of the upper's filesystem */
	__kernel_fsid_t fsid; /* the same, as fanotify names it */
	int mfd;     /* the upper dir, open: the mount for open_by_handle_at (an O_PATH one is refused) */
};

/* A container filesystem watched; dev + mount id, as ended overlays' device numbers are reused. */
struct mark {
	dev_t dev;
	uint64_t mnt, cgid;
	unsigned tries; /* of the upper layer's file-id mark */
	bool fid_done;
};

struct bh_fallback {
	bh_sensor_opts o;
	int nl, fan, fid;
	dev_t own_root;
	char cg2[256];
	uint32_t self;
	int64_t wall_off;
	bh_sensor_hook hooks[MAX_HOOKS];
	char hook_names[MAX_HOOKS][HOOK_NAME];
	size_t nhooks;
	struct mark marked[MAX_MARKS];
	size_t nmarked;
	bool full_said;
	struct upper uppers[MAX_MARKS];
	size_t nuppers;
	dev_t fid_devs[MAX_MARKS];
	size_t nfid_devs;
	struct { uint32_t pid; uint64_t cgid; bool upper; char path[BH_RT_PATH_MAX]; } oe[OE_SLOTS];
	bh_fallback_pcev defer[DEFER_MAX];
	size_t ndefer;
	struct { uint32_t pid; uint64_t cgid; bool cont, known; char comm[BH_RT_COMM_MAX]; } pids[PID_SLOTS];
	struct { uint64_t cgid; bool known; char upper[BH_RT_PATH_MAX * 2]; } up[UP_SLOTS];
	struct { uint32_t pid; dev_t dev; ino_t ino; } wr[WR_SLOTS];
	uint64_t last_scan;
	bh_fallback_stats st;
	uint64_t delivered;
	char *big;  /* PROC_BIG + 1 */
	char *fbuf; /* FAN_BUF, 8-byte aligned by malloc */
	bh_rt_event ev;
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int64_t wall_offset(void)
{
	struct timespec r, m;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - (int64_t)m.tv_sec) * 1000000000ll + ((int64_t)r.tv_nsec - (int64_t)m.tv_nsec);
}

/* ---------------------------------------------------------------- pure decoders */

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

int bh_fallback_decode(const void *buf, size_t len, bh_fallback_pcev *out, size_t max, bh_error *err)
{
	const unsigned char *p = buf;
	size_t off = 0, n = 0;
	/* proc_event: what, cpu, timestamp_ns (8-aligned), then the union */
	enum { EV_DATA = 16, CN_HDR = (int)sizeof(struct cn_msg) };

	while (p && len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nh;
		struct cn_msg cn;
		const unsigned char *pl, *d;
		size_t plen, dlen;
		uint32_t what;
		bh_fallback_pcev e;

		memcpy(&nh, p + off, sizeof(nh));
		if (nh.nlmsg_len < sizeof(nh) || nh.nlmsg_len > len - off)
			return bh_error_set(err, BH_EINVAL, "process connector: netlink message of %u bytes in %zu", nh.nlmsg_len, len - off);
		pl = p + off + NLMSG_HDRLEN;
		plen = nh.nlmsg_len >= NLMSG_HDRLEN ? nh.nlmsg_len - NLMSG_HDRLEN : 0;
		off += NLMSG_ALIGN(nh.nlmsg_len) <= len - off ? NLMSG_ALIGN(nh.nlmsg_len) : len - off;
		if (nh.nlmsg_type == NLMSG_NOOP || nh.nlmsg_type == NLMSG_ERROR || nh.nlmsg_type == NLMSG_OVERRUN)
			continue; /* no event in them (an overrun is counted by the socket's ENOBUFS) */
		if (plen < CN_HDR)
			return bh_error_set(err, BH_EINVAL, "process connector: %zu bytes, shorter than cn_msg", plen);
		memcpy(&cn, pl, CN_HDR);
		if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
			continue;
		if (cn.len > plen - CN_HDR)
			return bh_error_set(err, BH_EINVAL, "process connector: payload of %u bytes in %zu", cn.len, plen - CN_HDR);
		d = pl + CN_HDR;
		dlen = cn.len;
		if (dlen < EV_DATA)
			continue; /* the answer to our subscription (an ack without event data) is shorter */
		what = rd32(d);
		memset(&e, 0, sizeof(e));
		memcpy(&e.ts_ns, d + 8, 8);
		d += EV_DATA;
		dlen -= EV_DATA;
		switch (what) {
		case PROC_EVENT_EXEC:
			if (dlen < 8)
				return bh_error_set(err, BH_EINVAL, "process connector: exec event of %zu bytes", dlen);
			e.type = BH_RT_EXEC;
			e.tid = rd32(d);
			e.pid = rd32(d + 4);
			break;
		case PROC_EVENT_EXIT:
			if (dlen < 16)
				return bh_error_set(err, BH_EINVAL, "process connector: exit event of %zu bytes", dlen);
			e.tid = rd32(d);
			e.pid = rd32(d + 4);
			if (e.tid != e.pid)
				continue; /* a thread, not the process */
			e.type = BH_RT_EXIT;
			{
				uint32_t status = rd32(d + 8); /* the wait status: code << 8 | signal */
				e.code = (status & 0x7f) ? (int32_t)((status & 0x7f) << 8) : (int32_t)((status >> 8) & 0xff);
			}
			if (dlen >= 24) /* kernels since 4.18 say who the parent was */
				e.ppid = rd32(d + 20);
			break;
		case PROC_EVENT_UID:
			if (dlen < 16)
				return bh_error_set(err, BH_EINVAL, "process connector: uid event of %zu bytes", dlen);
			e.type = BH_RT_SETUID;
			e.tid = rd32(d);
			e.pid = rd32(d + 4);
			e.ruid = rd32(d + 8);
			e.euid = rd32(d + 12);
			break;
		case PROC_EVENT_PTRACE:
			if (dlen < 16)
				return bh_error_set(err, BH_EINVAL, "process connector: ptrace event of %zu bytes", dlen);
			if (rd32(d + 12) == 0)
				continue; /* a detach */
			e.type = BH_RT_PTRACE;
			e.target_pid = rd32(d + 4);
			e.tid = rd32(d + 8);
			e.pid = rd32(d + 12);
			break;
		default:
			continue;
		}
		if (n < max)
			out[n++] = e;
	}
	return (int)n;
}

void bh_fallback_args(bh_rt_event *ev, const char *cmdline, size_t n)
{
	size_t i, k = n < BH_RT_ARGS_MAX - 1 ? n : BH_RT_ARGS_MAX - 1;

	ev->argc = 0;
	if (n > k && !(n == k + 1 && cmdline[k] == 0))
		ev->trunc |= BH_RT_TRUNC_ARGS;
	for (i = 0; i < k; i++) {
		if (cmdline[i] == 0) {
			ev->argc++;
			ev->args[i] = ' ';
		} else {
			ev->args[i] = cmdline[i];
		}
	}
	if (k && cmdline[k - 1] != 0)
		ev->argc++;
	while (k && cmdline[k - 1] == 0) /* the last argument's terminator */
		k--;
	ev->args[k] = 0;
}

/* src[0..n) with mountinfo's \ooo escapes undone into dst[cap]; false when it does not fit. */
static bool unescape(char *dst, size_t cap, const char *src, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '\\' && n - i > 3 && src[i + 1] >= '0' && src[i + 1] <= '3' &&
		    src[i + 2] >= '0' && src[i + 2] <= '7' && src[i + 3] >= '0' && src[i + 3] <= '7') {
			c = (char)(((src[i + 1] - '0') << 6) | ((src[i + 2] - '0') << 3) | (src[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= cap)
			return false;
		dst[o++] = c;
	}
	if (cap == 0)
		return false;
	dst[o] = 0;
	return true;
}

/* The n-th space-separated field of line[0..len) (0-based). */
static bool field(const char *line, size_t len, int nth, const char **f, size_t *flen)
{
	size_t i = 0;
	for (int k = 0; i <= len; k++) {
		size_t s = i;
		while (i < len && line[i] != ' ')
			i++;
		if (k == nth) {
			*f = line + s;
			*flen = i - s;
			return true;
		}
		if (i >= len)
			return false;
		i++;
	}
	return false;
}

bool bh_fallback_upperdir(const char *mi, size_t n, char *upper, size_t cap)
{
	size_t pos = 0;

	if (cap == 0)
		return false;
	upper[0] = 0;
	while (pos < n) {
		const char *line = mi + pos, *nl = memchr(line, '\n', n - pos), *mp, *sep, *opt;
		size_t len = nl ? (size_t)(nl - line) : n - pos, mplen;
		pos += len + 1;
		if (!field(line, len, 4, &mp, &mplen) || mplen != 1 || mp[0] != '/')
			continue;
		upper[0] = 0; /* a later "/" mount hides the earlier one, overlay or not */
		/* the optional fields end at " - "; then fstype, source, super options */
		sep = NULL;
		for (size_t i = 0; i + 3 <= len; i++)
			if (!memcmp(line + i, " - ", 3)) {
				sep = line + i + 3;
				break;
			}
		if (!sep || (size_t)(line + len - sep) < 8 || memcmp(sep, "overlay ", 8) != 0)
			continue;
		{
			size_t rest = (size_t)(line + len - sep), olen;
			if (!field(sep, rest, 2, &opt, &olen))
				continue;
			/* options are comma-separated; commas inside values are escaped as \054 */
			for (size_t i = 0; i < olen;) {
				size_t s = i;
				while (i < olen && opt[i] != ',')
					i++;
				if (i - s > 9 && !memcmp(opt + s, "upperdir=", 9)) {
					/* the last "/" mount wins (a later one hides the earlier): keep scanning */
					if (!unescape(upper, cap, opt + s + 9, i - s - 9))
						upper[0] = 0;
				}
				i++;
			}
		}
	}
	return upper[0] == '/';
}

bool bh_fallback_cgroup_path(const char *text, size_t n, char *path, size_t cap)
{
	size_t pos = 0;
	while (pos < n) {
		const char *line = text + pos, *nl = memchr(line, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - line) : n - pos;
		pos += len + 1;
		if (len >= 4 && !memcmp(line, "0::/", 4)) {
			if (len - 3 >= cap)
				return false;
			memcpy(path, line + 3, len - 3);
			path[len - 3] = 0;
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------------- /proc readers */

/* Up to cap-1 bytes of path, NUL-terminated; the count or -1 (errno). */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got + 1 < cap) {
		ssize_t r = read(fd, buf + got, cap - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

/* readlink into out[cap] (NUL-terminated); 1 when cut, 0 when whole, -1 (errno) when unreadable. */
static int read_link(const char *path, char *out, size_t cap)
{
	char tmp[BH_RT_PATH_MAX * 4];
	ssize_t r = readlink(path, tmp, sizeof(tmp));
	size_t n;

	if (r < 0)
		return -1;
	n = (size_t)r;
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	tmp[n] = 0;
	if (n >= cap) {
		memcpy(out, tmp, cap - 1);
		out[cap - 1] = 0;
		return 1;
	}
	memcpy(out, tmp, n + 1);
	return (size_t)r >= sizeof(tmp) ? 1 : 0;
}

/* A link to a file unlinked since ends in " (deleted)": the path is the one before. */
static void strip_deleted(char *path)
{
	size_t n = strlen(path);
	if (n > 10 && !strcmp(path + n - 10, " (deleted)"))
		path[n - 10] = 0;
}

static void read_comm(uint32_t pid, char comm[BH_RT_COMM_MAX])
{
	char p[64], b[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%u/comm", pid);
	comm[0] = 0;
	if ((n = read_file(p, b, sizeof(b))) <= 0)
		return;
	if (b[n - 1] == '\n')
		b[--n] = 0;
	snprintf(comm, BH_RT_COMM_MAX, "%.15s", b);
}

/* Name's ids from /proc/PID/status; false when the process is gone. */
static bool read_status(uint32_t pid, uint32_t *ppid, uint32_t *uid, uint32_t *euid, uint32_t *gid)
{
	char p[64], b[PROC_SMALL], *s;
	unsigned long a, c;

	snprintf(p, sizeof(p), "/proc/%u/status", pid);
	if (read_file(p, b, sizeof(b)) <= 0)
		return false;
	if ((s = strstr(b, "\nPPid:")) && sscanf(s + 6, "%lu", &a) == 1)
		*ppid = (uint32_t)a;
	if ((s = strstr(b, "\nUid:")) && sscanf(s + 5, "%lu %lu", &a, &c) == 2) {
		*uid = (uint32_t)a;
		*euid = (uint32_t)c;
	}
	if ((s = strstr(b, "\nGid:")) && sscanf(s + 5, "%lu", &a) == 1)
		*gid = (uint32_t)a;
	return true;
}

__attribute__((format(printf, 5, 6)))
static void add_hook(bh_fallback *f, bool ok, int e, const char *stage, const char *fmt, ...)
{
	va_list ap;

	if (f->nhooks >= MAX_HOOKS)
		return;
	va_start(ap, fmt);
	vsnprintf(f->hook_names[f->nhooks], HOOK_NAME, fmt, ap); /* a long path is cut: it is a report line */
	va_end(ap);
	f->hooks[f->nhooks] = (bh_sensor_hook){ f->hook_names[f->nhooks], ok, e, ok ? "" : stage };
	f->nhooks++;
}

/* Whether the cgroup at path (below cg2) has one of the container parents among its ancestors. */
static bool under_parents(const bh_fallback *f, const char *cgpath)
{
	char p[1024];
	size_t n;
	int w = snprintf(p, sizeof(p), "%s%s", f->cg2, cgpath);

	if (w < 0 || (size_t)w >= sizeof(p))
		return false;
	for (n = (size_t)w; n > strlen(f->cg2); n--) {
		struct stat st;
		if (p[n] != '/')
			continue;
		p[n] = 0;
		if (stat(p, &st) == 0)
			for (size_t i = 0; i < 4; i++)
				if (f->o.parents[i] && f->o.parents[i] == (uint64_t)st.st_ino)
					return true;
	}
	return false;
}

static size_t pid_slot(uint32_t pid) { return (pid * 2654435761u) % PID_SLOTS; }

/* The cgroup id of pid (the inode of its v2 dir, as bpf_get_current_cgroup_id) and whether it is a container's. */
static bool pid_cgroup(bh_fallback *f, uint32_t pid, uint64_t *cgid, bool *cont)
{
	size_t k = pid_slot(pid);
	char p[64], b[PROC_SMALL], cg[512], full[1024];
	struct stat st;
	ssize_t n;

	if (f->pids[k].known && f->pids[k].pid == pid) {
		*cgid = f->pids[k].cgid;
		*cont = f->pids[k].cont;
		return true;
	}
	snprintf(p, sizeof(p), "/proc/%u/cgroup", pid);
	if ((n = read_file(p, b, sizeof(b))) <= 0 || !bh_fallback_cgroup_path(b, (size_t)n, cg, sizeof(cg)))
		return false;
	n = snprintf(full, sizeof(full), "%s%s", f->cg2, strcmp(cg, "/") ? cg : "");
	if (n < 0 || (size_t)n >= sizeof(full) || stat(full, &st))
		return false;
	*cgid = (uint64_t)st.st_ino;
	*cont = strcmp(cg, "/") != 0 && under_parents(f, cg);
	if (!*cont) {
		/* no engine parent known: a process whose root is another filesystem counts as in a container */
		snprintf(p, sizeof(p), "/proc/%u/root", pid);
		if (!f->o.parents[0] && stat(p, &st) == 0 && st.st_dev != f->own_root)
			*cont = true;
	}
	f->pids[k].pid = pid;
	f->pids[k].cgid = *cgid;
	f->pids[k].cont = *cont;
	f->pids[k].known = true;
	read_comm(pid, f->pids[k].comm);
	return true;
}

/* comm, parent and ids of a live pid; the comm it had at its exec when it is gone already. */
static void fill_task(bh_fallback *f, bh_rt_event *ev)
{
	size_t k = pid_slot(ev->pid);
	uint32_t ppid = 0;

	read_comm(ev->pid, ev->comm);
	if (!ev->comm[0] && f->pids[k].known && f->pids[k].pid == ev->pid)
		memcpy(ev->comm, f->pids[k].comm, sizeof(ev->comm));
	if (read_status(ev->pid, &ppid, &ev->uid, &ev->euid, &ev->gid) && !ev->ppid)
		ev->ppid = ppid;
	if (ev->ppid && !ev->pcomm[0])
		read_comm(ev->ppid, ev->pcomm);
}

static bool wanted(const bh_fallback *f, uint32_t pid, uint64_t cgid, bool cont)
{
	if (pid == f->self)
		return false;
	if (f->o.only_cgroup && cgid != f->o.only_cgroup)
		return false;
	if (f->o.containers_only && !cont)
		return false;
	return true;
}

/* The upperdir of pid's root overlay, cached per cgroup; "" when none. */
static const char *upper_of(bh_fallback *f, uint32_t pid, uint64_t cgid)
{
	size_t k = (size_t)(cgid % UP_SLOTS);
	char p[64];
	ssize_t n;

	if (f->up[k].known && f->up[k].cgid == cgid)
		return f->up[k].upper;
	snprintf(p, sizeof(p), "/proc/%u/mountinfo", pid);
	if ((n = read_file(p, f->big, PROC_BIG + 1)) <= 0)
		return "";
	if (!bh_fallback_upperdir(f->big, (size_t)n, f->up[k].upper, sizeof(f->up[k].upper)))
		return ""; /* not cached: its processes may not have entered the container's root yet */
	f->up[k].cgid = cgid;
	f->up[k].known = true;
	return f->up[k].upper;
}

static bool exe_upper(const char *upper, const char *path)
{
	char full[BH_RT_PATH_MAX * 3];
	struct stat st;
	int n;

	if (!upper[0] || path[0] != '/' || strstr(path, "/../") || strstr(path, "/./"))
		return false;
	n = snprintf(full, sizeof(full), "%s%s", upper, path);
	return n > 0 && (size_t)n < sizeof(full) && lstat(full, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---------------------------------------------------------------- fanotify marks */

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U /* Linux 6.8: a mount id never reused */
#endif

/* The device and mount id of pid's root ("/proc/PID/root"); false when it is gone. */
static bool root_id(const char *root, dev_t *dev, uint64_t *mnt)
{
	struct statx sx;

	if (statx(AT_FDCWD, root, 0, STATX_MNT_ID_UNIQUE | STATX_MNT_ID, &sx))
		return false;
	*dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	*mnt = (sx.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID)) ? sx.stx_mnt_id : 0;
	return true;
}

#define FID_TRIES 5 /* a container's first processes may run before its overlay is their root */

/*
 * Deletes, renames and chmod need file ids, which overlayfs does not give fanotify on every
 * kernel: watch the filesystem that holds the container's upper layer instead and keep the events
 * below that layer. True when done, or when it cannot be done (said in the hooks).
 */
static bool mark_fid(bh_fallback *f, uint32_t pid, uint64_t cgid, const char *what, bool last_try)
{
	char up[BH_RT_PATH_MAX * 2];
	struct stat ust;
	struct statfs sf;
	struct upper *u;
	bool have = false;

	snprintf(up, sizeof(up), "%s", upper_of(f, pid, cgid));
	if (!up[0]) {
		if (last_try)
			add_hook(f, false, EOPNOTSUPP, "mark", "fanotify: delete/rename/attrib on the %s (not an overlay)", what);
		return last_try;
	}
	if (f->nuppers >= MAX_MARKS || stat(up, &ust))
		return true;
	u = &f->uppers[f->nuppers];
	snprintf(u->path, sizeof(u->path), "%s", up);
	u->len = strlen(u->path);
	u->cgid = cgid;
	u->dev = ust.st_dev;
	u->mfd = open(up, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->mfd < 0)
		return true;
	if (fstatfs(u->mfd, &sf)) {
		close(u->mfd);
		return true;
	}
	memcpy(&u->fsid, &sf.f_fsid, sizeof(u->fsid));
	for (size_t i = 0; i < f->nfid_devs; i++)
		have |= f->fid_devs[i] == ust.st_dev;
	if (!have) {
		if (fanotify_mark(f->fid, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_MASK_FID, AT_FDCWD, up)) {
			add_hook(f, false, errno, "mark", "fanotify: delete/rename/attrib on the filesystem of %s", up);
			close(u->mfd);
			return true;
		}
		if (f->nfid_devs < MAX_MARKS)
			f->fid_devs[f->nfid_devs++] = ust.st_dev;
	}
	f->nuppers++;
	add_hook(f, true, 0, "", "fanotify: delete/rename/attrib below upper layer %s", up);
	return true;
}

/* Watches the root filesystem of pid (a container's) with both groups; once per filesystem. */
static void mark_root(bh_fallback *f, uint32_t pid, uint64_t cgid)
{
	char root[64], what[96];
	dev_t dev;
	uint64_t mnt;
	size_t i;

	if (f->fan < 0)
		return;
	snprintf(root, sizeof(root), "/proc/%u/root", pid);
	if (!root_id(root, &dev, &mnt) || dev == f->own_root)
		return;
	snprintf(what, sizeof(what), "root of pid %u (cgroup %llu)", pid, (unsigned long long)cgid);
	for (i = 0; i < f->nmarked; i++)
		if (f->marked[i].dev == dev && f->marked[i].mnt == mnt)
			break;
	if (i < f->nmarked) {
		if (!f->marked[i].fid_done && f->fid >= 0)
			f->marked[i].fid_done = mark_fid(f, pid, cgid, what, ++f->marked[i].tries >= FID_TRIES);
		return;
	}
	if (f->nmarked >= MAX_MARKS) {
		if (!f->full_said) /* said once: the hooks report is bounded too */
			add_hook(f, false, ENOSPC, "mark", "fanotify: more than %d container filesystems; pid %u's is not watched", MAX_MARKS, pid);
		f->full_said = true;
		return;
	}
	f->marked[f->nmarked] = (struct mark){ dev, mnt, cgid, 0, false };
	f->nmarked++;
	if (fanotify_mark(f->fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_MASK_FD, AT_FDCWD, root)) {
		add_hook(f, false, errno, "mark", "fanotify: open-exec/modify/close-write on the %s", what);
		f->marked[f->nmarked - 1].fid_done = true;
		return;
	}
	f->st.marks++;
	add_hook(f, true, 0, "", "fanotify: open-exec/modify/close-write on the %s", what);
	f->marked[f->nmarked - 1].fid_done = f->fid < 0 || mark_fid(f, pid, cgid, what, false);
}

/* Every process whose root is not ours: mark its filesystem (new containers since the last scan). */
static void scan_roots(bh_fallback *f)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool seen[MAX_MARKS] = { false };
	size_t i, k;

	f->last_scan = mono_ns();
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		char root[64];
		dev_t dev;
		uint64_t cgid, mnt;
		bool cont;
		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		snprintf(root, sizeof(root), "/proc/%lu/root", pid);
		if (!root_id(root, &dev, &mnt) || dev == f->own_root)
			continue;
		for (i = 0; i < f->nmarked; i++)
			if (f->marked[i].dev == dev && f->marked[i].mnt == mnt)
				seen[i] = true;
		if (pid_cgroup(f, (uint32_t)pid, &cgid, &cont) && cont)
			mark_root(f, (uint32_t)pid, cgid); /* new, or its upper layer still to watch */
	}
	closedir(d);
	/*
	 * A filesystem no process has for root any more was a container's that ended: its mark went
	 * with its superblock, and its device number will be given to the next overlay mounted.
	 * Forget it so that one is marked. (Marks made during this scan are all seen.)
	 */
	for (i = k = 0; i < f->nmarked; i++) {
		if (!seen[i]) {
			size_t u = 0;
			while (u < f->nuppers) {
				if (f->uppers[u].cgid == f->marked[i].cgid) {
					close(f->uppers[u].mfd);
					f->uppers[u] = f->uppers[--f->nuppers];
				} else {
					u++;
				}
			}
			continue;
		}
		f->marked[k++] = f->marked[i];
	}
	f->nmarked = k;
}

/* ---------------------------------------------------------------- events */

static int deliver(bh_fallback *f, bh_sensor_event_fn fn, void *ud)
{
	bh_rt_class c = bh_rt_class_of(f->ev.type);
	if (f->ev.wall_ns == 0)
		f->ev.wall_ns = (uint64_t)((int64_t)f->ev.ts_ns + f->wall_off);
	f->st.events[c]++;
	f->delivered++;
	return fn ? fn(ud, &f->ev) : 0;
}

static size_t oe_slot(uint32_t pid) { return (pid * 2654435761u) % OE_SLOTS; }

/* An exec whose process is gone: what fanotify saw it open for exec, in the container of that filesystem. */
static int exec_from_fan(bh_fallback *f, const bh_fallback_pcev *pc, bh_sensor_event_fn fn, void *ud)
{
	bh_rt_event *ev = &f->ev;
	size_t k = oe_slot(pc->pid);
	const char *base;

	memset(ev, 0, sizeof(*ev));
	ev->type = BH_RT_EXEC;
	ev->ts_ns = pc->ts_ns;
	ev->pid = pc->pid;
	ev->tid = pc->tid;
	memcpy(ev->path, f->oe[k].path, sizeof(ev->path));
	ev->exe_upper = f->oe[k].upper;
	ev->cgroup_id = f->oe[k].cgid;
	f->oe[k].pid = 0;
	if (!wanted(f, pc->pid, ev->cgroup_id, true))
		return 0;
	/* the kernel names a task after its file; the arguments and cwd are lost with the process */
	base = strrchr(ev->path, '/');
	snprintf(ev->comm, sizeof(ev->comm), "%.15s", base ? base + 1 : ev->path);
	snprintf(ev->args, sizeof(ev->args), "%s", ev->path);
	ev->argc = 1;
	snprintf(ev->cwd, sizeof(ev->cwd), "/");
	f->st.exec_from_fan++;
	return deliver(f, fn, ud);
}

/* Execs deferred for want of their open-exec: delivered from it now, or lost. */
static int resolve_deferred(bh_fallback *f, bh_sensor_event_fn fn, void *ud)
{
	size_t i, n = f->ndefer;
	int rc = 0;

	f->ndefer = 0;
	for (i = 0; i < n && !rc; i++) {
		const bh_fallback_pcev *pc = &f->defer[i];
		size_t k = oe_slot(pc->pid);
		if (f->oe[k].pid == pc->pid && f->oe[k].path[0])
			rc = exec_from_fan(f, pc, fn, ud);
		else
			f->st.lost_exec++;
	}
	return rc;
}

/* An exec: the process is read from /proc at once; its fanotify open-exec path stands in when it is gone. */
static int on_exec(bh_fallback *f, const bh_fallback_pcev *pc, bh_sensor_event_fn fn, void *ud)
{
	bh_rt_event *ev = &f->ev;
	size_t k = oe_slot(pc->pid);
	char p[64], b[PROC_SMALL];
	uint64_t cgid = 0;
	bool cont = false, have_oe = f->oe[k].pid == pc->pid && f->oe[k].path[0];
	ssize_t n;
	int r;

	/* an exec gives the pid a new image: forget what was cached for its old one */
	if (f->pids[pid_slot(pc->pid)].pid == pc->pid)
		f->pids[pid_slot(pc->pid)].known = false;
	memset(ev, 0, sizeof(*ev));
	ev->type = BH_RT_EXEC;
	ev->ts_ns = pc->ts_ns;
	ev->pid = pc->pid;
	ev->tid = pc->tid;
	snprintf(p, sizeof(p), "/proc/%u/exe", pc->pid);
	r = read_link(p, ev->path, sizeof(ev->path));
	strip_deleted(ev->path);
	if (r < 0 || !pid_cgroup(f, pc->pid, &cgid, &cont)) {
		if (have_oe)
			return exec_from_fan(f, pc, fn, ud);
		/* its open-exec may still be in fanotify's queue: look again after the next read of it */
		if (f->ndefer < DEFER_MAX)
			f->defer[f->ndefer++] = *pc;
		else
			f->st.lost_exec++;
		return 0;
	}
	f->oe[k].pid = 0;
	if (r > 0)
		ev->trunc |= BH_RT_TRUNC_PATH;
	if (!wanted(f, pc->pid, cgid, cont))
		return 0;
	ev->cgroup_id = cgid;
	fill_task(f, ev);
	snprintf(p, sizeof(p), "/proc/%u/cmdline", pc->pid);
	if ((n = read_file(p, b, sizeof(b))) > 0)
		bh_fallback_args(ev, b, (size_t)n);
	snprintf(p, sizeof(p), "/proc/%u/cwd", pc->pid);
	if (read_link(p, ev->cwd, sizeof(ev->cwd)) > 0)
		ev->trunc |= BH_RT_TRUNC_CWD;
	if (!ev->cwd[0])
		snprintf(ev->cwd, sizeof(ev->cwd), "/");
	if (cont) {
		ev->exe_upper = exe_upper(upper_of(f, pc->pid, cgid), ev->path);
		mark_root(f, pc->pid, cgid); /* a new container's first process */
	}
	return deliver(f, fn, ud);
}

static int on_pcev(bh_fallback *f, const bh_fallback_pcev *pc, bh_sensor_event_fn fn, void *ud)
{
	bh_rt_event *ev = &f->ev;
	uint64_t cgid = 0;
	bool cont = false;

	if (pc->type == BH_RT_EXEC)
		return on_exec(f, pc, fn, ud);
	memset(ev, 0, sizeof(*ev));
	ev->type = pc->type;
	ev->ts_ns = pc->ts_ns;
	ev->pid = pc->pid;
	ev->tid = pc->tid;
	(void)pid_cgroup(f, pc->pid, &cgid, &cont); /* an exiting process may be gone: cgroup 0 then */
	if (pc->type == BH_RT_EXIT) {
		/* the pid cache keeps it: fanotify may still hold its last writes (an exec refreshes the slot) */
		if (f->oe[oe_slot(pc->pid)].pid == pc->pid)
			f->oe[oe_slot(pc->pid)].pid = 0;
		for (size_t i = 0; i < WR_SLOTS; i++)
			if (f->wr[i].pid == pc->pid)
				f->wr[i].pid = 0;
	}
	if (!wanted(f, pc->pid, cgid, cont))
		return 0;
	ev->cgroup_id = cgid;
	ev->ppid = pc->ppid;
	fill_task(f, ev);
	switch (pc->type) {
	case BH_RT_EXIT:
		ev->ret = pc->code;
		break;
	case BH_RT_SETUID:
		ev->uid = pc->ruid;
		ev->euid = pc->euid;
		ev->arg = pc->euid;
		break;
	case BH_RT_PTRACE:
		ev->arg = 16; /* PTRACE_ATTACH (or SEIZE): the connector reports attaches only */
		ev->target_pid = pc->target_pid;
		break;
	default:
		break;
	}
	return deliver(f, fn, ud);
}

static int drain_netlink(bh_fallback *f, bh_sensor_event_fn fn, void *ud)
{
	unsigned char buf[NL_BUF] __attribute__((aligned(8)));
	bh_fallback_pcev pcs[PC_BATCH] = { 0 };

	for (;;) {
		struct sockaddr_nl from = { 0 };
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(f->nl, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		bh_error e;
		int n;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				f->st.nl_overruns++;
				continue;
			}
			return 0; /* EAGAIN: drained */
		}
		if (fl != sizeof(from) || from.nl_pid != 0)
			continue; /* only the kernel speaks for the connector */
		n = bh_fallback_decode(buf, (size_t)r, pcs, PC_BATCH, &e);
		if (n < 0) {
			f->st.bad_messages++;
			continue;
		}
		for (int i = 0; i < n; i++) {
			int rc = on_pcev(f, &pcs[i], fn, ud);
			if (rc)
				return rc;
		}
	}
}

static size_t wr_slot(uint32_t pid, dev_t dev, ino_t ino)
{
	return (size_t)((pid * 2654435761u) ^ (uint64_t)ino ^ ((uint64_t)dev << 7)) % WR_SLOTS;
}

/* The descriptors of the records from off on, when the caller stopped the poll before them. */
static void close_rest(const char *buf, size_t off, size_t len)
{
	while (len - off >= FAN_EVENT_METADATA_LEN) {
		struct fanotify_event_metadata m;
		memcpy(&m, buf + off, sizeof(m));
		if (m.event_len < FAN_EVENT_METADATA_LEN || m.event_len > len - off)
			return;
		if (m.fd >= 0)
			close(m.fd);
		off += m.event_len;
	}
}

static int drain_fan(bh_fallback *f, bh_sensor_event_fn fn, void *ud)
{
	for (;;) {
		ssize_t r = read(f->fan, f->fbuf, FAN_BUF);
		size_t off = 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		while ((size_t)r - off >= FAN_EVENT_METADATA_LEN) {
			struct fanotify_event_metadata mm, *m = &mm;
			char lp[64], path[BH_RT_PATH_MAX];
			struct stat st;
			uint64_t cgid = 0;
			bool cont = false, cut;
			uint32_t pid;
			int rc = 0;
			/* records are 4-aligned, the metadata has a u64: copied out */
			memcpy(&mm, f->fbuf + off, sizeof(mm));
			if (mm.event_len < FAN_EVENT_METADATA_LEN || mm.event_len > (size_t)r - off) {
				f->st.bad_messages++;
				break;
			}
			off += mm.event_len;
			pid = m->pid > 0 ? (uint32_t)m->pid : 0;
			if (m->vers != FANOTIFY_METADATA_VERSION) {
				f->st.bad_messages++;
				if (m->fd >= 0)
					close(m->fd);
				continue;
			}
			if (m->mask & FAN_Q_OVERFLOW) {
				f->st.fan_overflows++;
				continue;
			}
			if (m->fd < 0)
				continue;
			snprintf(lp, sizeof(lp), "/proc/self/fd/%d", m->fd);
			cut = read_link(lp, path, sizeof(path)) > 0;
			strip_deleted(path);
			if (fstat(m->fd, &st)) {
				close(m->fd);
				continue;
			}
			close(m->fd);
			if (!pid_cgroup(f, pid, &cgid, &cont)) {
				/* gone: the container whose filesystem it is */
				for (size_t i = 0; i < f->nmarked; i++)
					if (f->marked[i].dev == st.st_dev)
						cgid = f->marked[i].cgid;
				cont = true;
			}
			if (m->mask & FAN_OPEN_EXEC) {
				size_t k = oe_slot(pid);
				/* the first file a pid opens for exec is its program; the loader comes after */
				if (f->oe[k].pid != pid || !f->oe[k].path[0]) {
					f->oe[k].pid = pid;
					f->oe[k].cgid = cgid;
					memcpy(f->oe[k].path, path, sizeof(path));
					/* now, while the file is most likely still there */
					f->oe[k].upper = cont && exe_upper(upper_of(f, pid, cgid), path);
				}
			}
			if (!(m->mask & (FAN_MODIFY | FAN_CLOSE_WRITE)) || !wanted(f, pid, cgid, cont) || !S_ISREG(st.st_mode))
				continue;
			{
				/* one open-for-write per (process, file) until it closes it: writes come in thousands */
				size_t k = wr_slot(pid, st.st_dev, st.st_ino);
				bool seen = f->wr[k].pid == pid && f->wr[k].dev == st.st_dev && f->wr[k].ino == st.st_ino;
				if (m->mask & FAN_CLOSE_WRITE)
					f->wr[k].pid = 0;
				else {
					f->wr[k].pid = pid;
					f->wr[k].dev = st.st_dev;
					f->wr[k].ino = st.st_ino;
				}
				if (seen)
					continue;
			}
			memset(&f->ev, 0, sizeof(f->ev));
			f->ev.type = BH_RT_OPEN;
			f->ev.ts_ns = mono_ns();
			f->ev.pid = f->ev.tid = pid;
			f->ev.cgroup_id = cgid;
			f->ev.flags = O_WRONLY;
			f->ev.mode = st.st_mode & 07777;
			if (cut)
				f->ev.trunc |= BH_RT_TRUNC_PATH;
			memcpy(f->ev.path, path, sizeof(path));
			fill_task(f, &f->ev);
			if ((rc = deliver(f, fn, ud))) {
				close_rest(f->fbuf, off, (size_t)r);
				return rc;
			}
		}
	}
}

/* One FID info record: its handle, name and the filesystem it is on. */
struct fidinfo {
	struct file_handle *fh;
	const char *name;
	__kernel_fsid_t fsid;
	bool ok;
};

/* The container path of dir handle + name from the upper layer's filesystem; false when not below an upper. */
static bool fid_path(bh_fallback *f, const struct fidinfo *fi, char *out, size_t cap, const struct upper **which)
{
	char lp[64], dir[BH_RT_PATH_MAX * 4];
	const char *name = fi->name;
	int fd = -1;

	if (!fi->ok || !name[0] || !strcmp(name, "."))
		return false;
	for (size_t i = 0; i < f->nuppers && fd < 0; i++)
		if (!memcmp(&f->uppers[i].fsid, &fi->fsid, sizeof(fi->fsid)))
			fd = open_by_handle_at(f->uppers[i].mfd, fi->fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return false;
	snprintf(lp, sizeof(lp), "/proc/self/fd/%d", fd);
	if (read_link(lp, dir, sizeof(dir)) != 0) {
		close(fd);
		return false;
	}
	close(fd);
	for (size_t i = 0; i < f->nuppers; i++) {
		const struct upper *u = &f->uppers[i];
		int n;
		if (strncmp(dir, u->path, u->len) != 0 || (dir[u->len] != '/' && dir[u->len] != 0))
			continue;
		n = snprintf(out, cap, "%s/%s", dir[u->len] ? dir + u->len : "", name);
		*which = u;
		return n > 0 && (size_t)n < cap;
	}
	return false;
}


static void parse_fid(const char *rec, size_t len, struct fidinfo *fi)
{
	struct fanotify_event_info_fid h;
	struct file_handle fh;
	size_t hoff = offsetof(struct fanotify_event_info_fid, handle);

	fi->ok = false;
	if (len < hoff + sizeof(fh))
		return;
	memcpy(&h, rec, sizeof(h));
	memcpy(&fh, rec + hoff, sizeof(fh));
	if (fh.handle_bytes > MAX_HANDLE_SZ || hoff + sizeof(fh) + fh.handle_bytes >= len)
		return;
	fi->fh = (struct file_handle *)(void *)(rec + hoff); /* the record buffer is 4-aligned (the kernel pads) */
	fi->name = rec + hoff + sizeof(fh) + fh.handle_bytes;
	if (!memchr(fi->name, 0, len - (hoff + sizeof(fh) + fh.handle_bytes)))
		return;
	memcpy(&fi->fsid, &h.fsid, sizeof(fi->fsid));
	fi->ok = true;
}

static int drain_fid(bh_fallback *f, bh_sensor_event_fn fn, void *ud)
{
	for (;;) {
		ssize_t r = read(f->fid, f->fbuf, FAN_BUF);
		size_t off = 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		while ((size_t)r - off >= FAN_EVENT_METADATA_LEN) {
			struct fanotify_event_metadata mm, *m = &mm;
			struct fidinfo dfid = { 0 }, oldf = { 0 }, newf = { 0 };
			const char *rec, *end;
			uint32_t pid;
			char p1[BH_RT_PATH_MAX], p2[BH_RT_PATH_MAX];
			const struct upper *u1 = NULL, *u2 = NULL;
			uint64_t cgid = 0;
			bool cont = false, known;
			int rc;

			memcpy(&mm, f->fbuf + off, sizeof(mm));
			if (mm.event_len < FAN_EVENT_METADATA_LEN || mm.event_len > (size_t)r - off) {
				f->st.bad_messages++;
				break;
			}
			rec = f->fbuf + off + FAN_EVENT_METADATA_LEN;
			end = f->fbuf + off + mm.event_len;
			off += mm.event_len;
			pid = m->pid > 0 ? (uint32_t)m->pid : 0;

			if (m->mask & FAN_Q_OVERFLOW) {
				f->st.fan_overflows++;
				continue;
			}
			/* host processes write to this filesystem all the time: drop live ones before any lookup */
			known = pid_cgroup(f, pid, &cgid, &cont);
			if (m->vers != FANOTIFY_METADATA_VERSION || (known && (!cont || !wanted(f, pid, cgid, cont))))
				continue;
			while (end - rec >= (ptrdiff_t)sizeof(struct fanotify_event_info_header)) {
				struct fanotify_event_info_header h;
				memcpy(&h, rec, sizeof(h));
				if (h.len < sizeof(h) || h.len > (size_t)(end - rec)) {
					f->st.bad_messages++;
					break;
				}
				if (h.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME)
					parse_fid(rec, h.len, &dfid);
				else if (h.info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME)
					parse_fid(rec, h.len, &oldf);
				else if (h.info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME)
					parse_fid(rec, h.len, &newf);
				rec += h.len;
			}
			memset(&f->ev, 0, sizeof(f->ev));
			if (m->mask & FAN_RENAME) {
				bool o = fid_path(f, &oldf, p1, sizeof(p1), &u1);
				bool n = fid_path(f, &newf, p2, sizeof(p2), &u2);
				if (o && n && u1 == u2) {
					f->ev.type = BH_RT_RENAME;
					snprintf(f->ev.path, sizeof(f->ev.path), "%s", p1);
					snprintf(f->ev.path2, sizeof(f->ev.path2), "%s", p2);
				} else if (!o && n) {
					/* into the upper layer from overlay's work dir: a copy-up, or a whiteout (a delete) */
					char full[BH_RT_PATH_MAX * 3];
					struct stat st;
					int w = snprintf(full, sizeof(full), "%s%s", u2->path, p2);
					if (w < 0 || (size_t)w >= sizeof(full) || lstat(full, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0))
						continue;
					f->ev.type = BH_RT_UNLINK;
					snprintf(f->ev.path, sizeof(f->ev.path), "%s", p2);
				} else {
					continue;
				}
			} else if (fid_path(f, &dfid, p1, sizeof(p1), &u1)) {
				if (m->mask & FAN_DELETE) {
					f->ev.type = BH_RT_UNLINK;
				} else if (m->mask & FAN_ATTRIB) {
					char full[BH_RT_PATH_MAX * 3];
					struct stat st;
					int w = snprintf(full, sizeof(full), "%s%s", u1->path, p1);
					bool there = w > 0 && (size_t)w < sizeof(full) && lstat(full, &st) == 0;
					if (there && !S_ISREG(st.st_mode))
						continue; /* whiteouts and directories change attributes as overlay works */
					f->ev.type = BH_RT_CHMOD;
					f->ev.mode = there ? st.st_mode & 07777 : 0; /* 0: gone before it was looked at */
				} else {
					continue;
				}
				snprintf(f->ev.path, sizeof(f->ev.path), "%s", p1);
			} else {
				continue;
			}
			if (!known) { /* gone already: the container whose upper layer it is */
				const struct upper *u = u1 ? u1 : u2;
				if (!u || !wanted(f, pid, u->cgid, true))
					continue;
				cgid = u->cgid;
			}
			f->ev.ts_ns = mono_ns();
			f->ev.pid = f->ev.tid = pid;
			f->ev.cgroup_id = cgid;
			fill_task(f, &f->ev);
			if ((rc = deliver(f, fn, ud)))
				return rc;
		}
	}
}

/* ---------------------------------------------------------------- open, poll, close */

/* Where cgroup v2 is mounted (the hybrid layout's /sys/fs/cgroup/unified, or /sys/fs/cgroup). */
static void find_cg2(bh_fallback *f)
{
	ssize_t n = read_file("/proc/self/mountinfo", f->big, PROC_BIG + 1);
	size_t pos = 0;

	snprintf(f->cg2, sizeof(f->cg2), "/sys/fs/cgroup");
	while (n > 0 && pos < (size_t)n) {
		const char *line = f->big + pos, *nl = memchr(line, '\n', (size_t)n - pos), *mp;
		size_t len = nl ? (size_t)(nl - line) : (size_t)n - pos, mplen;
		pos += len + 1;
		for (size_t i = 0; i + 11 <= len; i++)
			if (!memcmp(line + i, " - cgroup2 ", 11)) {
				if (field(line, len, 4, &mp, &mplen))
					unescape(f->cg2, sizeof(f->cg2), mp, mplen);
				return;
			}
	}
}

static int subscribe(bh_fallback *f, bh_error *err)
{
	struct sockaddr_nl sa;
	struct {
		struct nlmsghdr nh;
		struct cn_msg cn;
		uint32_t op;
	} __attribute__((packed)) req;
	int sz = 8 << 20;

	f->nl = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	if (f->nl < 0)
		return bh_error_set(err, BH_EIO, "netlink process connector: socket: %s", strerror(errno));
	/* a burst of execs must not overflow the socket before we read it */
	if (setsockopt(f->nl, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		(void)setsockopt(f->nl, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = CN_IDX_PROC;
	if (bind(f->nl, (struct sockaddr *)&sa, sizeof(sa)))
		return bh_error_set(err, BH_EIO, "netlink process connector: bind: %s%s", strerror(errno),
				    errno == EPERM ? " (needs root in the initial user namespace)" : "");
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = NLMSG_DONE;
	req.nh.nlmsg_pid = 0;
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.len = sizeof(uint32_t);
	req.op = PROC_CN_MCAST_LISTEN;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(f->nl, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bh_error_set(err, BH_EIO, "netlink process connector: subscribe: %s%s", strerror(errno),
				    errno == ECONNREFUSED || errno == EPERM ? " (only in the initial network namespace)" : "");
	return 0;
}

int bh_fallback_open(const bh_sensor_opts *o, bh_fallback **out, bh_error *err)
{
	bh_fallback *f;
	struct stat st;
	int rc;

	*out = NULL;
	if (geteuid() != 0)
		return bh_error_set(err, BH_EIO, "the fallback sensor needs root (the process connector and fanotify want CAP_NET_ADMIN and CAP_SYS_ADMIN)");
	if (!(f = calloc(1, sizeof(*f))) || !(f->big = malloc(PROC_BIG + 1)) || !(f->fbuf = malloc(FAN_BUF))) {
		if (f) {
			free(f->big);
			free(f);
		}
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (o)
		f->o = *o;
	f->nl = f->fan = f->fid = -1;
	f->self = (uint32_t)getpid();
	f->own_root = stat("/", &st) == 0 ? st.st_dev : 0;
	f->wall_off = wall_offset();
	find_cg2(f);
	if ((rc = subscribe(f, err))) {
		bh_fallback_close(f);
		return rc;
	}
	add_hook(f, true, 0, "", "netlink proc connector: exec/exit/uid/ptrace");
	f->fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (f->fan < 0)
		add_hook(f, false, errno, "init", "fanotify: open-exec/modify/close-write");
	f->fid = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME, O_RDONLY | O_CLOEXEC);
	if (f->fid < 0)
		add_hook(f, false, errno, "init", "fanotify file ids: delete/rename/attrib (kernel before 5.17?)");
	add_hook(f, false, EOPNOTSUPP, "n/a", "network: connect/accept/listen are not seen without eBPF");
	scan_roots(f);
	*out = f;
	return 0;
}

const bh_sensor_hook *bh_fallback_hooks(const bh_fallback *f, size_t *n)
{
	*n = f ? f->nhooks : 0;
	return f ? f->hooks : NULL;
}

int bh_fallback_poll(bh_fallback *f, int timeout_ms, bh_sensor_event_fn fn, void *ud, bh_error *err)
{
	struct pollfd p[3] = { { f->nl, POLLIN, 0 }, { f->fan, POLLIN, 0 }, { f->fid, POLLIN, 0 } };
	uint64_t before = f->delivered;
	int n, rc;

	n = poll(p, 3, timeout_ms);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0)
		return bh_error_set(err, BH_EIO, "polling the fallback sensor: %s", strerror(errno));
	/*
	 * The process connector first: /proc is read while the process most likely lives. Execs whose
	 * process was gone wait for fanotify's open-exec paths, read next.
	 */
	if ((rc = drain_netlink(f, fn, ud)))
		return rc;
	if (f->fan >= 0 && (rc = drain_fan(f, fn, ud)))
		return rc;
	if ((rc = resolve_deferred(f, fn, ud)))
		return rc;
	if (f->fid >= 0 && (rc = drain_fid(f, fn, ud)))
		return rc;
	if (mono_ns() - f->last_scan >= RESCAN_NS)
		scan_roots(f);
	return (int)(f->delivered - before);
}

void bh_fallback_stats_get(const bh_fallback *f, bh_fallback_stats *st)
{
	if (!f) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = f->st;
}

void bh_fallback_close(bh_fallback *f)
{
	if (!f)
		return;
	if (f->nl >= 0)
		close(f->nl);
	if (f->fan >= 0)
		close(f->fan);
	if (f->fid >= 0)
		close(f->fid);
	for (size_t i = 0; i < f->nuppers; i++)
		if (f->uppers[i].mfd >= 0)
			close(f->uppers[i].mfd);
	free(f->big);
	free(f->fbuf);
	free(f);
}
