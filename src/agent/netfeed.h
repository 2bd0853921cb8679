/* netfeed.h - the agent's network map: the runtime feed's connect/accept events, the containers' open sockets, netpol's byte counters and the engine's container list folded into a bounded network.snapshot payload, due every interval when something changed. */
#ifndef BH_AGENT_NETFEED_H
#define BH_AGENT_NETFEED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/event.h"

/*
 * Used from the runtime feed's thread only (agent/rtfeed.h): it feeds every sensor event and asks
 * for a snapshot on each turn of its loop. The payload is runtime/netmap.h's JSON ({nodes, edges},
 * counters totals since the agent started, and run: this start of the agent), which the server's
 * POST /api/v1/events keeps per host (store/blstore.h adds a new run's totals to the old). Bytes
 * come from netpol's skb hooks attached in counting mode to the engines' parent cgroups (the
 * agent enforces no network policy), read when a snapshot is due; 0 without them.
 */
typedef struct bh_netfeed bh_netfeed;

#define BH_NETFEED_MAX_EDGES 5000            /* edges in one snapshot: the most recently seen kept */
#define BH_NETFEED_MAX_BYTES ((size_t)1 << 20) /* one snapshot's JSON; fewer edges until it fits */

/*
 * With count_bytes, attaches the byte counters (bh_netmap_counters_open); when they cannot be (not
 * root, no BTF, no cgroup v2 parent, ...) it logs once that edges carry no byte counts and goes on.
 * Lists the containers of engine_host (NULL: the usual sockets) and reads their open connections
 * from /proc/PID/net. An engine that cannot be listed now is logged and listed again later; only
 * BH_ENOMEM fails. interval_s > 0; max_edges 0: BH_NETFEED_MAX_EDGES. Free with bh_netfeed_free.
 */
int bh_netfeed_new(const char *engine_host, unsigned interval_s, size_t max_edges, bool count_bytes, bh_netfeed **out, bh_error *err);

/* One sensor event of container ct (NULL: the host); others than connect and accept are ignored. */
void bh_netfeed_event(bh_netfeed *nf, const bh_rt_event *ev, const bh_rt_container *ct);

/* Containers started or stopped (the agent's engine events): listed again on the next turn. Any thread. */
void bh_netfeed_containers_changed(bh_netfeed *nf);

/*
 * The network.snapshot payload (caller json_decref's) when the interval has passed since the last
 * one (or final) and the map changed since (byte counters read then included); NULL otherwise.
 * Lists the containers again when they changed or every 10 s. now_ns: CLOCK_MONOTONIC.
 */
json_t *bh_netfeed_due(bh_netfeed *nf, uint64_t now_ns, bool final);

/* Snapshots made, and edges left out of them by the caps (for logs and tests). */
void bh_netfeed_counts(const bh_netfeed *nf, uint64_t *snapshots, uint64_t *capped_edges);

void bh_netfeed_free(bh_netfeed *nf);

#endif
