/* fallback.h - the runtime sensor where eBPF is not allowed: the netlink process connector (exec, exit, setuid, ptrace) and fanotify on containers' root filesystems (exec, writes, creates, deletes, renames, chmod), as bh_rt_event. */
#ifndef BH_RUNTIME_FALLBACK_H
#define BH_RUNTIME_FALLBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/event.h"
#include "runtime/sensor.h"

/*
 * Same shape as runtime/sensor.h and the same options (containers_only, only_cgroup and parents
 * are applied in user space here; ring_kb and verbose are ignored). What it cannot see, the
 * eBPF sensor can: network events (none here), arguments and paths of processes that exit
 * before user space reads /proc (counted as lost_exec), and on kernels whose overlayfs has no
 * fanotify file ids, creates/deletes/renames/chmod are read from the upper layer's filesystem.
 * bh_fallback_hooks says which sources work.
 */
typedef struct bh_fallback bh_fallback;

typedef struct bh_fallback_stats {
	uint64_t events[BH_RT_CLASS__COUNT]; /* delivered */
	uint64_t lost_exec;        /* execs whose process was gone before /proc was read (no path known) */
	uint64_t exec_from_fan;    /* of the delivered execs, ones whose path came from fanotify's open-exec */
	uint64_t bad_messages;     /* netlink datagrams or fanotify records the decoders refused */
	uint64_t nl_overruns;      /* ENOBUFS on the netlink socket: the kernel dropped events */
	uint64_t fan_overflows;    /* FAN_Q_OVERFLOW: fanotify's queue dropped events */
	uint64_t marks;            /* container filesystems marked */
} bh_fallback_stats;

/*
 * Subscribes to the process connector (root, initial network namespace) and starts fanotify on
 * the root filesystem of every process whose root is not ours (containers), found now, at each
 * new container's first exec and by a rescan every 2 s. BH_EIO (err says why) when the process
 * connector cannot be used; fanotify failing is reported in the hooks, not fatal.
 * *out is freed with bh_fallback_close.
 */
int bh_fallback_open(const bh_sensor_opts *o, bh_fallback **out, bh_error *err);

/* The start-up report (and marks added since), valid until bh_fallback_close; n entries. */
const bh_sensor_hook *bh_fallback_hooks(const bh_fallback *f, size_t *n);

/* As bh_sensor_poll: delivered count, 0 on timeout or a signal, a callback's non-zero result, or BH_EIO. */
int bh_fallback_poll(bh_fallback *f, int timeout_ms, bh_sensor_event_fn fn, void *ud, bh_error *err);

void bh_fallback_stats_get(const bh_fallback *f, bh_fallback_stats *st);

/* Closes every descriptor and frees f (NULL is fine). */
void bh_fallback_close(bh_fallback *f);

/* ---- pure decoders, exposed for the tests and the fuzzer ---- */

/* One process-connector event as the kernel sent it (pids are the initial namespace's). */
typedef struct bh_fallback_pcev {
	bh_rt_type type;     /* BH_RT_EXEC, BH_RT_EXIT, BH_RT_SETUID or BH_RT_PTRACE */
	uint64_t ts_ns;      /* CLOCK_MONOTONIC */
	uint32_t pid, tid;   /* thread group id and thread id */
	uint32_t ppid;       /* EXIT: the parent's tgid (0 when the kernel does not say) */
	uint32_t ruid, euid; /* SETUID */
	uint32_t target_pid; /* PTRACE: the tracee (pid/tid are the tracer) */
	int32_t code;        /* EXIT: exit code, or the signal << 8 (as event.h) */
} bh_fallback_pcev;

/*
 * Decodes one datagram of the process connector (netlink headers, cn_msg, proc_event) into at
 * most max events; other connector messages and event kinds (fork, comm, sid, ...) and ptrace
 * detaches are skipped. Returns the count, or BH_EINVAL when a length does not fit the datagram.
 */
int bh_fallback_decode(const void *buf, size_t len, bh_fallback_pcev *out, size_t max, bh_error *err);

/* /proc/PID/cmdline bytes (NUL-separated, n bytes) into ev->args and ev->argc, cut at BH_RT_ARGS_MAX. */
void bh_fallback_args(bh_rt_event *ev, const char *cmdline, size_t n);

/*
 * The upperdir of the overlay mounted at "/" in a /proc/PID/mountinfo text (n bytes, no NUL
 * needed), octal escapes undone, into upper[cap]. False when "/" is not an overlay or it does not fit.
 */
bool bh_fallback_upperdir(const char *mountinfo, size_t n, char *upper, size_t cap);

/* The cgroup v2 path ("0::/a/b") in a /proc/PID/cgroup text into path[cap]; false when absent. */
bool bh_fallback_cgroup_path(const char *text, size_t n, char *path, size_t cap);

#endif
