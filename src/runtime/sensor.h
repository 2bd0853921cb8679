/* sensor.h - the eBPF runtime sensor: loads and attaches the programs of runtime/bpf/, reports which hooks work, polls the ring buffers into bh_rt_event. */
#ifndef BH_RUNTIME_SENSOR_H
#define BH_RUNTIME_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/event.h"

typedef struct bh_sensor bh_sensor;

typedef struct bh_sensor_opts {
	bool containers_only;      /* drop host events in the kernel (tasks outside every parent below) */
	uint64_t only_cgroup;      /* non-zero: only this cgroup's events (one container) */
	uint64_t parents[4];       /* cgroup ids of the engines' parent dirs (bh_containers_parents) */
	bool verbose;              /* libbpf's messages (verifier logs) on stderr */
	uint32_t ring_kb;          /* size of each ring buffer in KiB, a power of two >= 4 (0: built-in sizes,
	                              proc 16 MiB, file 8, net 2, priv 1); small ones for tests of drops */
} bh_sensor_opts;

/* One program's fate on this kernel. */
typedef struct bh_sensor_hook {
	const char *hook;  /* "tracepoint/syscalls/sys_enter_openat" */
	bool attached;
	int err;           /* errno when not attached */
	const char *stage; /* "load" or "attach" when not attached */
} bh_sensor_hook;

typedef struct bh_sensor_stats {
	uint64_t events[BH_RT_CLASS__COUNT];  /* decoded and delivered */
	uint64_t drops[BH_RT_CLASS__COUNT];   /* ring buffer full in the kernel (sum over CPUs) */
	uint64_t bad_records;                 /* records the decoder refused */
	uint64_t exec_lat_n;                  /* exec -> decoded in user space, CLOCK_MONOTONIC */
	uint64_t exec_lat_p50_us, exec_lat_p99_us, exec_lat_max_us;
} bh_sensor_stats;

/*
 * Opens, loads and attaches every program, each on its own: a hook this kernel lacks is reported,
 * not fatal. BH_EUNSUPPORTED when built without eBPF support; BH_EIO (err says what: not root,
 * no BTF, no program attached) when nothing could run. *out is freed with bh_sensor_close.
 */
int bh_sensor_open(const bh_sensor_opts *o, bh_sensor **out, bh_error *err);

/* The start-up report: n hooks, valid until bh_sensor_close. */
const bh_sensor_hook *bh_sensor_hooks(const bh_sensor *s, size_t *n);

/* ev is borrowed for the call. Return 0 to go on, non-zero to stop the poll (returned by it). */
typedef int (*bh_sensor_event_fn)(void *ud, const bh_rt_event *ev);

/*
 * Waits up to timeout_ms for records and delivers every one ready (proc first). Returns the number
 * delivered, 0 on timeout or a signal, a callback's non-zero result, or BH_EIO.
 */
int bh_sensor_poll(bh_sensor *s, int timeout_ms, bh_sensor_event_fn fn, void *ud, bh_error *err);

void bh_sensor_stats_get(bh_sensor *s, bh_sensor_stats *st);

/* Calls fn for each cgroup id that lost events, with its drops per class (BH_RT_CLASS_*). */
typedef void (*bh_sensor_cgdrops_fn)(void *ud, uint64_t cgroup_id, const uint64_t drops[BH_RT_CLASS__COUNT]);
void bh_sensor_drops_by_cgroup(bh_sensor *s, bh_sensor_cgdrops_fn fn, void *ud);

/*
 * In-kernel enforcement at exec (sched_process_exec program): flags for cgroup_id, or with
 * cgroup_id 0 for every container without flags of its own (tasks below the engines' parent
 * cgroups of bh_sensor_opts.parents). BH_SENSOR_KILL_DRIFT sends SIGKILL (bpf_send_signal) when the
 * new executable is an overlay inode with an upper dentry (written or changed in the container; a
 * script's interpreter is what is checked, not the script); BH_SENSOR_DENY_PATHS when the path as
 * passed to execve is on the deny list. flags 0 removes the entry. The kill is pending on return
 * to user mode, so the new program never runs an instruction; the exec's event has
 * BH_RT_KACT_KILLED. BH_EUNSUPPORTED when the exec program is not attached (callers fall back to a
 * user-space kill after the event).
 */
enum { BH_SENSOR_KILL_DRIFT = 1u << 0, BH_SENSOR_DENY_PATHS = 1u << 1,
       BH_SENSOR_ALLOW_ONLY = 1u << 2 /* kill every exec whose path is not on the cgroup's allow-list (bh_sensor_allow_exe) */ };
int bh_sensor_enforce_set(bh_sensor *s, uint64_t cgroup_id, uint32_t flags, bh_error *err);

/* Adds path (exact, as passed to execve; at most 255 bytes) to the deny list of cgroup_id (0: every container). */
int bh_sensor_deny_exe(bh_sensor *s, uint64_t cgroup_id, const char *path, bh_error *err);

/*
 * Adds path (exact, as passed to execve; at most 255 bytes) to the allow-list of cgroup_id (a
 * container whose baseline is in protect mode: BH_SENSOR_ALLOW_ONLY): under any parent when parent
 * is NULL, else only when the exec's parent process exec'd parent (or parent is "(engine)" and the
 * engine started it) — checked in the kernel too, so a listed program under another parent never
 * runs. Calls add up: any parent wins over a list of parents. A parent the kernel did not see exec
 * is let through there, for the caller to judge from the event.
 */
int bh_sensor_allow_exe(bh_sensor *s, uint64_t cgroup_id, const char *path, const char *parent, bh_error *err);

/* Empties cgroup_id's allow-list (its executables and their parents): before a new version of its
 * baseline is installed, so an entry the baseline no longer has is no longer allowed, and when the
 * container leaves protect mode or stops. */
int bh_sensor_allow_clear(bh_sensor *s, uint64_t cgroup_id, bh_error *err);

/* Whether the exec program is attached (in-kernel kill at exec is possible). */
bool bh_sensor_can_kill_at_exec(const bh_sensor *s);

/* Detaches every program and frees s (NULL is fine). */
void bh_sensor_close(bh_sensor *s);

#endif
