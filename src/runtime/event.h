/* event.h - one runtime event as user space sees it (the sensor fills it, rules read it), and the container it happened in. */
#ifndef BH_RUNTIME_EVENT_H
#define BH_RUNTIME_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The sensor (runtime/sensor.c, BPF programs in runtime/bpf/) decodes each kernel record into a
 * bh_rt_event; attribution (runtime/containers.c) adds the bh_rt_container; the rules engine
 * (runtime/rules.c) evaluates conditions over both; actions, drift and the agent's channel take
 * the same pair. Strings are NUL-terminated and may be truncated at their array size (a
 * truncated one has BH_RT_TRUNC_* set in `trunc`); they come from the kernel and from processes
 * an attacker controls: escape them when printing (core/text.h).
 */

/* Event classes: one ring buffer and one drop counter each, so a storm of one cannot crowd out another. */
typedef enum bh_rt_class {
	BH_RT_CLASS_PROC = 0, /* exec, exit */
	BH_RT_CLASS_FILE,     /* open for write or of a sensitive file, create, unlink, rename, chmod */
	BH_RT_CLASS_NET,      /* connect, accept, listen */
	BH_RT_CLASS_PRIV,     /* setuid, capset, unshare, setns, ptrace, module load, mount, memfd */
	BH_RT_CLASS__COUNT
} bh_rt_class;

typedef enum bh_rt_type {
	BH_RT_NONE = 0,
	BH_RT_EXEC,      /* path = executable, args, cwd; exe_upper: the file is not from the image */
	BH_RT_EXIT,      /* ret = exit code (or signal << 8) */
	BH_RT_OPEN,      /* path, flags (O_*), mode: opened for writing, or a sensitive file read */
	BH_RT_UNLINK,    /* path */
	BH_RT_RENAME,    /* path -> path2 */
	BH_RT_CHMOD,     /* path, mode */
	BH_RT_CONNECT,   /* net: daddr/dport = the peer */
	BH_RT_ACCEPT,    /* net: saddr/sport = the peer */
	BH_RT_LISTEN,    /* net: saddr/sport = the bound address */
	BH_RT_SETUID,    /* arg = the new uid */
	BH_RT_CAPSET,    /* arg = the new effective capability set */
	BH_RT_UNSHARE,   /* arg = CLONE_* flags */
	BH_RT_SETNS,     /* arg = nstype */
	BH_RT_PTRACE,    /* arg = request, target_pid */
	BH_RT_MODULE,    /* path = module name (init_module / finit_module) */
	BH_RT_MOUNT,     /* path = target, path2 = source, flags */
	BH_RT_MEMFD,     /* path = memfd name */
	BH_RT__TYPE_COUNT
} bh_rt_type;

/* Which strings were cut at their array size. */
enum { BH_RT_TRUNC_PATH = 1u << 0, BH_RT_TRUNC_PATH2 = 1u << 1, BH_RT_TRUNC_ARGS = 1u << 2, BH_RT_TRUNC_CWD = 1u << 3 };

/*
 * What the kernel side did at an exec (bh_rt_event.kact). KILLED: bpf_send_signal(SIGKILL) in the
 * sched_process_exec program, so the new program never ran an instruction of its own; WHY_* says
 * which enforcement asked for it (bh_sensor_enforce_set).
 */
enum { BH_RT_KACT_EXE_UPPER = 1u << 0, BH_RT_KACT_KILLED = 1u << 1, BH_RT_KACT_WHY_DRIFT = 1u << 2, BH_RT_KACT_WHY_DENIED = 1u << 3,
       BH_RT_KACT_SCRIPT_WATCH = 1u << 4, /* maybe a script: killed in the kernel when its interpreter opens it, if on the upper layer */
       BH_RT_KACT_WHY_BASELINE = 1u << 5, /* killed: not on the allow-list of its container's baseline (protect mode) */
       BH_RT_KACT_STDIO_NET = 1u << 7 /* standard input or output is an IPv4/IPv6 socket (BH_REC_ACT_STDIO_NET) */ };
#define BH_RT_KILL_MECHANISM "bpf_send_signal at sched_process_exec"
#define BH_RT_KILL_SCRIPT_MECHANISM "bpf_send_signal at the interpreter's openat of the script"

#define BH_RT_COMM_MAX 16
#define BH_RT_PATH_MAX 256
#define BH_RT_ARGS_MAX 512

typedef struct bh_rt_event {
	uint64_t ts_ns;      /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	uint64_t wall_ns;    /* Unix time, set in user space */
	bh_rt_type type;
	uint32_t pid, tid, ppid;
	uint32_t uid, euid, gid;
	uint64_t cgroup_id;  /* the cgroup v2 id of the task; 0 on the host's root cgroup */
	uint32_t trunc;      /* BH_RT_TRUNC_* */
	int32_t ret;         /* the syscall's result where it is known (0 when not) */
	char comm[BH_RT_COMM_MAX];
	char pcomm[BH_RT_COMM_MAX]; /* the parent's comm */
	char path[BH_RT_PATH_MAX];
	char path2[BH_RT_PATH_MAX];
	char cwd[BH_RT_PATH_MAX];
	char args[BH_RT_ARGS_MAX]; /* argv joined by single spaces (argv[0] first) */
	uint32_t argc;
	uint32_t flags, mode;
	uint64_t arg;        /* per type, above */
	uint32_t target_pid;
	bool exe_upper;      /* EXEC: the executable's inode is on the container's upper layer */
	bool stdio_net;      /* EXEC: standard input or output is an IPv4/IPv6 socket (a shell on a connection) */
	uint32_t kact;       /* EXEC: BH_RT_KACT_*, what the sensor's kernel side found and did */
	/* NET */
	uint16_t family;     /* AF_INET, AF_INET6, AF_UNIX */
	uint16_t proto;      /* IPPROTO_TCP, IPPROTO_UDP */
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16]; /* IPv4 in the first 4 bytes */
} bh_rt_event;

/* The container an event happened in (id "" for the host), from the engine's inspect data. */
typedef struct bh_rt_container {
	const char *id;            /* full id; "" for the host */
	const char *name;
	const char *image;         /* the reference it was started from */
	const char *image_digest;  /* sha256:… of the image (its config digest) */
	const char *labels_json;   /* {"k": "v", …} or NULL */
	bool privileged;
	uint64_t cgroup_id;
	const char *healthcheck;   /* the command line of its health check as an exec's args show it, or NULL */
	const char *addresses;     /* its network addresses, space-separated, or NULL */
} bh_rt_container;

/* Names, for output and rule fields ("execve", "open", …) and classes ("proc", "file", …). */
const char *bh_rt_type_name(bh_rt_type t);
bh_rt_type bh_rt_type_parse(const char *name); /* BH_RT_NONE when unknown */
bh_rt_class bh_rt_class_of(bh_rt_type t);
const char *bh_rt_class_name(bh_rt_class c);

#endif
