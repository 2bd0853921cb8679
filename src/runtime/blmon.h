/* blmon.h - baselines at work: the sensor's events learned into each image's baseline, promoted from learn to monitor after a quiet period, and deviations reported with the entry they violated. */
#ifndef BH_RUNTIME_BLMON_H
#define BH_RUNTIME_BLMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/baseline.h"
#include "runtime/blmodes.h"
#include "runtime/containers.h"
#include "runtime/event.h"
#include "runtime/netpol.h"
#include "runtime/sensor.h"

/*
 * One baseline per image repository (bh_registry_repository_of of the container's image); a
 * container of a repository without one gets a new baseline in opts.mode when the repository is
 * among opts.repos (all when nrepos is 0), else it is not watched. Baselines are kept as YAML files in
 * opts.store_dir (one per repository, and each earlier version under history/), loaded by
 * bh_blmon_load_dir and written by bh_blmon_save/bh_blmon_tick when they changed.
 *
 * What an event is as an observation (bh_bl_obs):
 *   exec:    a process: its path, its parent's executable (the exec table of this monitor; the
 *            engine's helpers runc/crun/conmon/containerd-shim as parent are "(engine)"), the sha256 of
 *            /proc/PID/exe (cached per path and inode). An exec by the engine whose args are the
 *            container's health check, and everything it starts, is a probe: allowed, never a deviation.
 *   open (write or a sensitive read), unlink, rename, chmod: a file with access "w" or "r".
 *   listen: proto and port; connect: outbound (peer, remote port); accept: inbound (peer, local port).
 *   capset: each capability of the new effective set.
 * Peers are named "image:REPO" when the address is a container's (bh_containers_by_addr), "host" when
 * it is one of this machine's addresses.
 */
typedef struct bh_blmon bh_blmon;

/* A baseline changed mode (learn -> monitor by promotion); bl NULL: a message about the monitor as a
 * whole (baselines or modes.yaml read again because their files changed, every 2 s at most; a
 * file whose version is older than the one in memory is left to be overwritten; a container
 * whose label asks for a mode its repository has no baseline for). */
typedef void (*bh_blmon_note_fn)(void *ud, bh_baseline *bl, const char *what);

typedef struct bh_blmon_opts {
	const char *store_dir;        /* NULL: baselines live in memory only */
	bh_bl_mode mode;              /* of the baselines it creates */
	uint64_t learn_s;             /* a new baseline learns this long (0: until its mode is changed) */
	uint64_t learn_events;        /* ... or until it has seen this many events, whichever first (0: time only) */
	uint64_t quiet_s;             /* then becomes monitor once nothing new came for this long (0: right away) */
	const char *const *repos;     /* repositories to create baselines for (nrepos 0: every one) */
	size_t nrepos;
	bh_containers *cts;           /* peers by address (NULL: peers are addresses only) */
	bool no_hash;                 /* do not hash executables */
	bh_blmon_note_fn note;        /* warnings while events are handled (NULL: none) */
	void *note_ud;
} bh_blmon_opts;

/*
 * Modes per label (runtime/blmodes.h): store_dir/modes.yaml, read by bh_blmon_load_dir and again
 * by bh_blmon_tick within 2 s of a change (a broken file then keeps the rules before it, with a
 * note). A container's effective mode is the first label rule its labels match, else its
 * baseline's own mode; it decides everything below: learning (only a container in learn adds
 * entries, to its repository's baseline whatever that baseline's own mode), deviations (carry
 * it), the kernel allow-list and the network policy (protect only).
 * A rule in learn creates the repository's baseline when it has none (the rule is the opt-in, as
 * --learn is). A rule in monitor or protect for a repository WITHOUT a baseline does not fail
 * closed (protecting with nothing learned would kill every process of every such container): the
 * container is not watched and opts.note says so loudly, once per container and rules version.
 */

/* A deviation: what a container of bl did that no entry matches. */
typedef struct bh_blmon_dev {
	const bh_rt_event *ev;
	const bh_rt_container *ct;
	bh_baseline *bl;
	bh_bl_obs obs;
	char what[400];      /* the observation ("process /bin/sh (parent /usr/bin/app)") */
	char chain[512];     /* a process's ancestry as far as it was seen: "/bin/sh < /usr/bin/app < (engine)"; "" otherwise */
	char violated[600];  /* the entry it violated or the section it is missing from */
	bh_bl_mode mode;     /* the container's effective mode (monitor or protect) */
	const char *rule;    /* the label rule that made it ("env=prod"), NULL: the baseline's own mode */
	char mode_text[BH_BLMODES_LABEL_MAX + 32]; /* "protect (label env=prod)", "monitor (baseline)" */
} bh_blmon_dev;
typedef int (*bh_blmon_dev_fn)(void *ud, const bh_blmon_dev *d);

int bh_blmon_new(const bh_blmon_opts *o, bh_blmon **out, bh_error *err);
void bh_blmon_free(bh_blmon *m);

/* Loads every *.yaml / *.json baseline in store_dir and its modes.yaml (a broken file is an error naming it). */
int bh_blmon_load_dir(bh_blmon *m, bh_error *err);
/* Writes b to store_dir (the previous file, if its version differs, goes to history/ first). */
int bh_blmon_save(bh_blmon *m, bh_baseline *b, bh_error *err);
/* The file name a repository's baseline has in store_dir (into out[n]); never modes.yaml (a
 * repository named "modes" is "%6Dodes.yaml"). */
int bh_blmon_file_of(const char *repo, char *out, size_t n);

bh_baseline *bh_blmon_get(bh_blmon *m, const char *repo);
/* Adds or replaces (the old one is freed); takes b in every case. */
int bh_blmon_put(bh_blmon *m, bh_baseline *b, bh_error *err);
size_t bh_blmon_count(const bh_blmon *m);
bh_baseline *bh_blmon_at(bh_blmon *m, size_t i);
/* The baseline that applies to ct (NULL: not watched); creates one when opts allow, its learning
 * starting at now (unix seconds; 0: the clock's now). */
bh_baseline *bh_blmon_for(bh_blmon *m, const bh_rt_container *ct, uint64_t now, bh_error *err);

/* The label rules in force (never NULL); valid until the next bh_blmon_tick or bh_blmon_set_modes. */
const bh_blmodes *bh_blmon_modes(const bh_blmon *m);
/* Replaces the label rules (takes ms; a monitor without store_dir, tests). */
void bh_blmon_set_modes(bh_blmon *m, bh_blmodes *ms);
/* ct's effective mode with bl its baseline: the first label rule's (*rule its label, valid as
 * bh_blmon_modes), else bl's own (*rule NULL; bl NULL: monitor). rule may be NULL. */
bh_bl_mode bh_blmon_mode_of(bh_blmon *m, const bh_rt_container *ct, const bh_baseline *bl, const char **rule);

/*
 * One event of container ct (NULL: the host, ignored) at now (Unix seconds): learned, or matched
 * and fn called for a deviation. Returns 0 or a negative BH_E* (fn's own negative result too).
 */
int bh_blmon_event(bh_blmon *m, const bh_rt_event *ev, const bh_rt_container *ct, uint64_t now, bh_blmon_dev_fn fn, void *ud,
		   bh_error *err);

/* Promotions (learn -> monitor: generalised, saved) and saving changed baselines; call every second or so. */
int bh_blmon_tick(bh_blmon *m, uint64_t now, bh_blmon_note_fn fn, void *ud, bh_error *err);

/*
 * The executables a protected container may run, for the kernel's allow-list: every process
 * entry's exe without a glob character with its parent (NULL, any parent, when the entry's parent
 * is "*", empty or a glob: the kernel matches exact paths only), every directory pattern exe (the
 * directory, a slash and a star, nothing else a glob character: the kernel matches it too) under
 * any parent, every probe's exe and the health check's first word (any parent). fn is called once
 * per entry. *unkernel (may be NULL) is set to the first exe pattern the kernel cannot match
 * (`**`, `?`, a class, a star inside a name), NULL when there is none: such a baseline cannot be
 * enforced in the kernel without killing what it allows.
 */
typedef int (*bh_blmon_path_fn)(void *ud, const char *path, const char *parent);
int bh_blmon_allowed_exes(const bh_baseline *bl, const bh_rt_container *ct, bh_blmon_path_fn fn, void *ud,
			  const char **unkernel);

/* Whether the kernel's allow-list can hold exe pattern p: the directory pattern described above. */
bool bh_blmon_kernel_pattern(const char *p);

/*
 * Protect mode in the kernel: when ct's effective mode is protect and ct's allow-list does not
 * hold the baseline's current version yet, empties the sensor's allow-list of ct's cgroup, fills it
 * with bh_blmon_allowed_exes and sets BH_SENSOR_ALLOW_ONLY | BH_SENSOR_KILL_DRIFT. A baseline with
 * an exe pattern the kernel cannot match gets BH_SENSOR_KILL_DRIFT only (its execs are judged in
 * user space, after the event) and a warning naming the entry, once per version. When ct left
 * protect (a label rule removed, the baseline's mode changed) its cgroup's flags and list are
 * removed. 1: installed now, 3: installed without the allow-list (a pattern), 2: lifted now, 0:
 * nothing to do, negative: the sensor refused (err says why; deviations are then killed from user
 * space). s NULL (the fallback sensor): 0.
 */
int bh_blmon_protect(bh_blmon *m, bh_sensor *s, const bh_rt_container *ct, bh_error *err);

/* Containers that stopped (not bh_containers_live after cts's last refresh): their cgroups' protect
 * flags and allow-lists leave the kernel. Cgroup ids are not reused, so they could do no harm, but the
 * kernel's maps are bounded and a host that starts containers all day would fill them. Returns how
 * many were removed, or a negative BH_ code (err) when the sensor refused one. */
int bh_blmon_forget_gone(bh_blmon *m, bh_sensor *s, const bh_containers *cts, bh_error *err);

/*
 * Protect mode on the network: the allow rules a baseline's outbound, inbound and listen entries
 * make (outbound: egress to the peer and port; inbound: ingress from the peer to the local port;
 * peers image:R, address/CIDR, host, world, *) into rules[max]; how many there are (more than max:
 * the first max, and the caller sees the count).
 */
size_t bh_blmon_netpol_rules(const bh_baseline *bl, bh_netpol_rule *rules, size_t max);
/*
 * Brings np in line with the baselines: each baseline with a container in protect (its effective
 * mode, bh_blmon_mode_of) is the policy "baseline:REPOSITORY" (PROTECT; anything no rule allows is
 * refused in the kernel at connect, a peer's connect refused by the container's ingress rules too)
 * and every container of that repository that cts knows in protect is bound to it by id (kept over
 * restarts); a container that left protect is unbound. Cheap when nothing changed; call every
 * second or so.
 */
int bh_blmon_netpol_sync(bh_blmon *m, bh_netpol *np, bh_containers *cts, bh_error *err);

/* Whether comm is one of the engine's helpers that start a container's processes (runc, conmon, ...). */
bool bh_blmon_engine_comm(const char *comm);

#endif
