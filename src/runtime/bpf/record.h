/* record.h - the bytes the sensor's BPF programs put on the ring buffers, shared by sensor.bpf.c and the user-space decoder (runtime/rtrecord.c). */
#ifndef BH_RUNTIME_BPF_RECORD_H
#define BH_RUNTIME_BPF_RECORD_H

/*
 * Kernel side: vmlinux.h gives __u8..__u64. User side: <linux/types.h>. Layouts are fixed-size
 * per class (a ring buffer reservation takes a constant size) and use only naturally aligned
 * fields, so clang -target bpf and the host compiler agree; rtrecord.c checks the sizes.
 * Record types carry the bh_rt_type values of runtime/event.h (rtrecord.c asserts they match).
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum {
	BH_REC_EXEC = 1, BH_REC_EXIT, BH_REC_OPEN, BH_REC_UNLINK, BH_REC_RENAME, BH_REC_CHMOD,
	BH_REC_CONNECT, BH_REC_ACCEPT, BH_REC_LISTEN, BH_REC_SETUID, BH_REC_CAPSET, BH_REC_UNSHARE,
	BH_REC_SETNS, BH_REC_PTRACE, BH_REC_MODULE, BH_REC_MOUNT, BH_REC_MEMFD, BH_REC__TYPE_END
};

/* Ring buffers and drop counters, one per class (the order of bh_rt_class). */
enum { BH_REC_CLASS_PROC = 0, BH_REC_CLASS_FILE, BH_REC_CLASS_NET, BH_REC_CLASS_PRIV, BH_REC_CLASS_COUNT };

#define BH_REC_COMM 16
#define BH_REC_PATH 256
#define BH_REC_AT_FDCWD (-100) /* the working directory (Linux's AT_FDCWD) */
enum { BH_REC_DIR_PATH = 1, BH_REC_DIR_PATH2 = 2 };
#define BH_REC_ARGS 512
#define BH_REC_CWD 256

/* Set by the kernel side when it cut something (user space maps them to BH_RT_TRUNC_*). */
enum { BH_REC_TRUNC_PATH = 1, BH_REC_TRUNC_PATH2 = 2, BH_REC_TRUNC_ARGS = 4, BH_REC_TRUNC_CWD = 8 };

/* EXEC: the executable's overlay inode has an upper dentry; the task was sent SIGKILL in the kernel
 * (bpf_send_signal, delivered before the new program's first instruction) and why. */
enum { BH_REC_ACT_EXE_UPPER = 1, BH_REC_ACT_KILLED = 2, BH_REC_ACT_WHY_DRIFT = 4, BH_REC_ACT_WHY_DENIED = 8,
       BH_REC_ACT_SCRIPT_WATCH = 16, /* maybe a script: killed when its interpreter opens it, if it is on the upper layer */
       BH_REC_ACT_WHY_BASELINE = 32, /* killed: the path is not on the container's allow-list (a baseline in protect mode) */
       BH_REC_ACT_WHY_PARENT = 64, /* with WHY_BASELINE: the path is allowed, not under this parent (allow_pair) */
       BH_REC_ACT_STDIO_NET = 128 /* standard input or output is an IPv4/IPv6 socket (a shell on a connection) */ };

/* Enforcement flags per cgroup (map `enforce`, or bh_rec_config.enforce_all for every container). */
enum { BH_REC_ENF_KILL_DRIFT = 1, /* kill an exec whose executable is not from the image */
       BH_REC_ENF_DENY_PATHS = 2, /* kill an exec whose path (as passed to execve) is in `deny_exe` */
       BH_REC_ENF_ALLOW_ONLY = 4  /* kill an exec whose path is not in `allow_exe` for its cgroup */ };

/*
 * Values of `allow_exe`: the path may run under any parent (an entry with parent "*", a glob, a
 * probe, the health check), or only under a parent of `allow_pair`. The parent is the executable
 * its parent process exec'd, as `exe_rec` remembers it, or BH_REC_ENGINE_PARENT when the engine
 * (runc, conmon, ...) started it; a parent exec'd before the sensor watched is not known, and then
 * user space judges, as the baseline's rule says ("not known" matches any parent).
 */
enum { BH_REC_ALLOW_ANY_PARENT = 1, BH_REC_ALLOW_PARENTS = 2 };
#define BH_REC_ENGINE_PARENT "(engine)"

/* Key of `allow_pair`: the cgroup, the executable's path hash and its parent's (bh_rec_hash). */
struct bh_rec_pair_key {
	__u64 cgroup_id;
	__u64 exe;
	__u64 parent;
};

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
/* FNV-1a 64 of a path up to its NUL (at most BH_REC_PATH bytes): how both sides name paths in
 * `exe_rec` and `allow_pair`, keys a tenth the size of a path's. */
static __always_inline __u64 bh_rec_hash(const char *p)
{
	__u64 h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < BH_REC_PATH; i++) {
		/* cppcheck-suppress arrayIndexOutOfBounds ; the loop ends at the NUL of shorter strings */
		if (!p[i])
			break;
		h ^= (__u8)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Key of the deny and allow lists: the cgroup (0: every container; deny list only) and the exact path, NUL-padded. */
struct bh_rec_deny_key {
	__u64 cgroup_id;
	char path[BH_REC_PATH];
};

struct bh_rec_hdr {
	__u64 ts_ns;      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;  /* bpf_get_current_cgroup_id() */
	__u32 type;       /* BH_REC_* */
	__u32 pid, tid, ppid;
	__u32 uid, euid, gid;
	__s32 ret;
	__u32 trunc;      /* BH_REC_TRUNC_* */
	__u32 act;        /* BH_REC_ACT_*: what the kernel side found and did (EXEC only, else 0) */
	char comm[BH_REC_COMM];
};

/*
 * EXEC and EXIT (class proc). args: argv as the process's memory holds it, each argument
 * NUL-terminated, args_len bytes. cwd: the names of the working directory's dentries from the
 * leaf up to the root of its mount, each NUL-terminated, cwd_len bytes ("" when at the root).
 */
struct bh_rec_proc {
	struct bh_rec_hdr h;
	__u32 args_len, cwd_len;
	char pcomm[BH_REC_COMM];
	char path[BH_REC_PATH];
	char args[BH_REC_ARGS];
	char cwd[BH_REC_CWD];
};

/* OPEN, UNLINK, RENAME, CHMOD (class file): paths as the process passed them; a relative one comes with
 * the directory it starts at (dir), which user space joins it to (rtrecord.c). */
struct bh_rec_file {
	struct bh_rec_hdr h;
	__u32 flags, mode;
	/* the directory a relative path is relative to (the working directory or the *at() call's
	 * descriptor's), names from the leaf up as BH_REC_EXEC's cwd, dir_len bytes; dir_of says which
	 * paths it is for (a rename's two relative paths with two descriptors: the first only) */
	__u32 dir_len, dir_of; /* dir_of: BH_REC_DIR_* */
	char dir[BH_REC_CWD];
	char path[BH_REC_PATH];
	char path2[BH_REC_PATH];
};

/* CONNECT, ACCEPT, LISTEN (class net). Addresses in network byte order, ports in host order. */
struct bh_rec_net {
	struct bh_rec_hdr h;
	__u16 family, proto, sport, dport;
	__u8 saddr[16], daddr[16];
	char path[108]; /* AF_UNIX: sun_path of connect's address */
	__u32 pad;
};

/* SETUID .. MEMFD (class priv). */
struct bh_rec_priv {
	struct bh_rec_hdr h;
	__u64 arg;
	__u32 target_pid, flags;
	char path[BH_REC_PATH];
	char path2[BH_REC_PATH];
};

/* The configuration map's one value, written by user space before attaching. */
struct bh_rec_config {
	__u32 containers_only;   /* 1: drop events of tasks outside every container parent below */
	__u32 self_tgid;         /* the sensor's own process: never reported */
	__u64 only_cgroup;       /* non-zero: only this cgroup (bulkhead watch --container) */
	__u64 parent_cgroup[4];  /* cgroup ids of the engines' parent dirs (libpod_parent, ...) */
	__u32 enforce_all;       /* BH_REC_ENF_* for every task below a parent that has no `enforce` entry */
	__u32 enforce_any;       /* non-zero when any enforcement is on (the openat exit hook's fast path) */
	__u64 engine_hash;       /* bh_rec_hash(BH_REC_ENGINE_PARENT) */
};

#endif
