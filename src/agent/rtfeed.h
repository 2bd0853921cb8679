/* rtfeed.h - `bulkhead agent --runtime`: the eBPF sensor in a thread of its own, rules evaluated on every event, drift seen the moment it happens, bounded per container and queued for the agent's spool. */
#ifndef BH_AGENT_RTFEED_H
#define BH_AGENT_RTFEED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/*
 * The feed's thread polls the sensor (runtime/sensor.h), attributes each event to its container
 * (runtime/containers.h), evaluates the compiled rules (runtime/rules.h) and queues envelope parts
 * (type, container id, time, payload); the agent takes them (bh_rtfeed_take), gives them sequence
 * numbers and spools them, so the sensor's thread never waits for the server or the spool. Types:
 *
 *   runtime.alert   {rule, priority, output, tags, action, action_taken: "none",
 *                    container {id, name, image, image_digest} (absent on the host),
 *                    event: the event as runtime/eventjson.h writes it}
 *   drift.detected  {path, kind: "added" | "changed" | "exec", cause: "open" | "rename" | "chmod" | "execve",
 *                    repeats, container {...}, process {pid, ppid, uid, comm, args}}
 *                   a file of the container's upper layer written, created, renamed to or chmod-ed
 *                   ("added": not in the image's layers, "changed": it is), or an executable of the
 *                   upper layer run; one envelope per (container, path, kind) per dedup interval,
 *                   repeats = the events folded into it since the previous one
 *   baseline.deviation {repository, mode, kind, what, violated, baseline_version, action_taken,
 *                    obs {kind, exe, parent, args, path, access, proto, port, peer} (what accepting it adds),
 *                    container {...}, event}: something no entry of the container's baseline matches
 *                   (runtime/blmon.h); in protect mode execs are killed in the kernel at exec
 *   runtime.stats   {available: true, started, interval_s, events {CLASS: n}, drops {CLASS: n},
 *                    bad_records, drops_by_container [{container, name, drops {CLASS: n}}] ("" is the host),
 *                    hooks {attached, total, failed: ["HOOK: stage: reason"]}, alerts, drift,
 *                    suppressed {alert, drift}, suppressed_by_container [{container, name, alert, drift}],
 *                    queue_dropped, exec_latency_us {p50, p99, max}}
 *                   at start, every stats interval and at stop; counters are totals since the start
 *   network.snapshot {nodes, edges} as runtime/netmap.h writes it (agent/netfeed.h): who talked to
 *                   whom, from the containers' open sockets at start and the sensor's connect/accept
 *                   events, bytes from netpol's skb hooks in counting mode (0 with network_no_bytes
 *                   or where they cannot be attached); every network interval and at stop when it
 *                   changed; counters are totals since the start, run names the start
 *
 * Bounds: a token bucket per container (rate, burst) over alerts and drift; what it refuses is
 * counted in runtime.stats. The queue holds at most queue_max envelopes (more are counted as
 * queue_dropped). Strings from events are made valid UTF-8.
 */

typedef struct bh_rtfeed bh_rtfeed;

typedef struct bh_rtfeed_opts {
	const char *engine_host;        /* names and images of containers; NULL: $DOCKER_HOST, the usual sockets */
	const char *const *rule_files;  /* loaded after the default set, in order */
	size_t nrule_files;
	bool no_default_rules;
	unsigned stats_interval_s;      /* 0: 10 */
	unsigned dedup_interval_s;      /* 0: 10 */
	double rate;                    /* envelopes per second per container; 0: 20 */
	double burst;                   /* bucket size per container; 0: 200 */
	size_t queue_max;               /* 0: 10000 */
	uint32_t ring_kb;               /* sensor ring size (bh_sensor_opts.ring_kb); 0: built-in */
	const char *baseline_dir;       /* non-NULL: baselines at work (runtime/blmon.h), kept in this dir
	                                 * (the agent mirrors it with the server's /api/v1/baselines) */
	const char *const *learn_repos; /* repositories that get a new baseline in learn mode */
	size_t nlearn_repos;
	unsigned learn_s, quiet_s;      /* 0: 300 and 60 */
	unsigned long learn_events;     /* learning also ends after this many events (0: time only) */
	unsigned network_interval_s;    /* network.snapshot every this many seconds; 0: no network map */
	size_t network_max_edges;       /* edges in one snapshot; 0: BH_NETFEED_MAX_EDGES */
	bool network_no_bytes;          /* the map without byte counters (no skb hooks attached) */
	void (*notify)(void *ud);       /* called from the feed's thread after it queued something */
	void *notify_ud;
} bh_rtfeed_opts;

/* One queued envelope's parts; the caller of bh_rtfeed_take owns them (bh_rtfeed_items_free). */
typedef struct bh_rtfeed_item {
	const char *type;   /* static */
	char *container;    /* container id, NULL for the host */
	int64_t time;       /* Unix seconds */
	json_t *payload;
} bh_rtfeed_item;

/*
 * Loads and compiles the rules, opens the sensor and starts the thread. BH_EUSAGE when a rule file
 * does not load or compile (each message logged with bh_log_error, err: the first); otherwise the
 * sensor's status when it cannot start (BH_EIO: not root, no BTF, no hook; BH_EUNSUPPORTED: built
 * without eBPF), err saying why. *out is freed with bh_rtfeed_free.
 */
int bh_rtfeed_start(const bh_rtfeed_opts *o, bh_rtfeed **out, bh_error *err);

/* Moves every queued envelope, oldest first, into *items (NULL when none; caller frees with
 * bh_rtfeed_items_free). Any thread. */
size_t bh_rtfeed_take(bh_rtfeed *f, bh_rtfeed_item **items);
void bh_rtfeed_items_free(bh_rtfeed_item *items, size_t n);

/* Containers started or stopped (the agent's engine events): the network map lists them again. Any thread. */
void bh_rtfeed_containers_changed(bh_rtfeed *f);

/* Hooks attached and in all (for the agent's start-up line). */
void bh_rtfeed_hooks(const bh_rtfeed *f, size_t *attached, size_t *total);

/* Stops and joins the thread after a last poll and a last runtime.stats; what is queued stays
 * takeable. Idempotent. */
void bh_rtfeed_stop(bh_rtfeed *f);
/* Stops if needed and frees everything (NULL is fine). */
void bh_rtfeed_free(bh_rtfeed *f);

/* The runtime.stats payload of an agent whose sensor could not start: {available: false, reason}. */
json_t *bh_rtfeed_unavailable(const char *reason);

#endif
