/* action.h - what a runtime rule's action does to a container: pause (cgroup freezer), stop (engine API), quarantine (nftables in its network namespace) with forensics, and their undo. */
#ifndef BH_RUNTIME_ACTION_H
#define BH_RUNTIME_ACTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * A container as the actions need it. Filled by bh_action_target_resolve (engine inspect) or by
 * hand (a pid is enough for pause and quarantine). Plain arrays: nothing to free.
 */
typedef struct bh_action_target {
	char id[128];     /* full id ("" when unknown) */
	char name[256];   /* "" when unknown */
	int pid;          /* a process of the container in the host's pid namespace (its init) */
	char upper[1024]; /* overlay upper dir ("" when unknown: no upper-layer forensics) */
} bh_action_target;

/*
 * Inspects name_or_id through the engine (engine_host as for engine/engine.h, NULL: the default
 * sockets). BH_ENOTFOUND when there is no such container, BH_EINVAL when it is not running.
 */
int bh_action_target_resolve(const char *engine_host, const char *name_or_id, bh_action_target *t, bh_error *err);

/*
 * Freezes (freeze) or thaws every process of t->pid's cgroup: the cgroup v1 freezer
 * (freezer.state) when the process is in one, else cgroup v2 (cgroup.freeze); waits up to 5 s for
 * the state to settle. *mechanism (may be NULL) gets a static description of what was used.
 */
int bh_action_pause(const bh_action_target *t, bool freeze, const char **mechanism, bh_error *err);

/* 1 when t's cgroup is frozen, 0 when not, negative on error. */
int bh_action_is_paused(const bh_action_target *t, bh_error *err);

/* POST /containers/{id}/stop?t=timeout_s through the engine (SIGTERM, then SIGKILL after timeout_s). */
int bh_action_stop(const char *engine_host, const char *id, int timeout_s, bh_error *err);

/*
 * on: installs the nftables table `inet bulkhead_quarantine` in t->pid's network namespace, which
 * drops every packet in, out and forwarded (loopback inside the container stays up); replaces an
 * earlier one atomically. off: deletes that table (no table is fine). Runs /usr/sbin/nft -f - in a
 * forked child that joined the namespace (setns). Refuses the host's own network namespace
 * (a container with --network=host): BH_EUSAGE. BH_EUNSUPPORTED when nft is not installed.
 */
int bh_action_quarantine(const bh_action_target *t, bool on, bh_error *err);

/*
 * Runs nft inside pid's network namespace (refused for the host's own, BH_EUSAGE): with args (a
 * NULL-terminated list after "nft") or, when args is NULL, `nft -f -` reading script. Returns nft's
 * exit status (>= 0) with its output in out (newlines as spaces, cut at outn), or a negative status.
 * The network policy's nftables fallback (runtime/netpol.c) uses it.
 */
int bh_action_nft_run(int pid, const char *const *args, const char *script, char *out, size_t outn, bh_error *err);

/* Whether the quarantine table is present in t's network namespace: 1, 0, or negative. */
int bh_action_is_quarantined(const bh_action_target *t, bh_error *err);

#define BH_ACTION_FILE_CAP (1u << 20)   /* an upper-layer file bigger than this is listed, not copied */
#define BH_ACTION_TOTAL_CAP (64u << 20) /* copies stop at this many bytes in all */

/*
 * Forensics of a container under suspicion, into a new directory base_dir/<name or id>-<UTC time>/
 * (base_dir NULL: ./bulkhead-forensics), mode 0700: container.txt (id, name, pid, upper dir,
 * time), processes.tsv (pid, ppid, uid, exe, cmdline of every task in its cgroup), upper.tsv
 * (every entry of the upper layer: type, size, mode, path; whiteouts as "deleted") and files/
 * (the upper layer's regular files up to the caps above). The directory's path is written to
 * out_dir[out_n]. Strings from the container are escaped (\xNN for bytes below 0x20 and \\).
 */
int bh_action_forensics(const bh_action_target *t, const char *base_dir, char *out_dir, size_t out_n, bh_error *err);

#endif
