/* netmap.h - the network map: who talks to whom (container, host, external) with ports, protocols, connection and byte counts, first/last seen and blocks, from the sensor's connect/accept events, /proc/PID/net of each container's network namespace and netpol's counters; as JSON. */
#ifndef BH_RUNTIME_NETMAP_H
#define BH_RUNTIME_NETMAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/ctnet.h"
#include "runtime/event.h"
#include "runtime/netpol.h"

typedef struct bh_netmap bh_netmap;

int bh_netmap_new(bh_netmap **out, bh_error *err);
void bh_netmap_free(bh_netmap *m);

/*
 * The containers that nodes are resolved against (by cgroup id and by address); their details
 * (name, image, digest, labels, addresses) are copied. Call again when containers start or stop:
 * what is known of containers that left is kept.
 */
int bh_netmap_set_containers(bh_netmap *m, const bh_ctnet *cts, bh_error *err);

/*
 * One sensor event (others than CONNECT and ACCEPT over IPv4/IPv6 are ignored; loopback too). An
 * edge goes from the connecting side to the accepting side, keyed (from, to, port, proto). A TCP
 * connection is counted once: by its ACCEPT when the accepting side is a container or this host
 * (the sensor sees those), by its CONNECT when the peer is external; a UDP connect is counted by
 * the CONNECT. ct is the event's container (NULL or id "" for the host).
 */
int bh_netmap_feed(bh_netmap *m, const bh_rt_event *ev, const bh_rt_container *ct);

/* A verdict of the network policy: blocked ones add to the edge's `blocked`. */
int bh_netmap_feed_verdict(bh_netmap *m, const bh_netpol_verdict *v);

/*
 * Byte counters of netpol's skb hooks (bh_netpol_bytes) for the cgroup's side of an edge; the
 * counters are totals, so each call replaces what this (cgroup, peer, port, proto, role) gave
 * before, and a total smaller than the last is a counter made anew (added on top). Bytes in are
 * added only while the peer is not known as hooked (a hooked peer counts them as its bytes out);
 * once peer_hooked was true for this counter it stays so, also after the peer stopped.
 */
int bh_netmap_feed_bytes(bh_netmap *m, uint64_t cgroup_id, const uint8_t peer[16], uint16_t svc_port, uint8_t proto, int role,
			 uint64_t bytes_out, uint64_t bytes_in, bool peer_hooked);

/*
 * Ends one full read of the counters (every bh_netpol_bytes entry fed): a counter missing from two
 * reads in a row is gone from the kernel and forgotten (its bytes stay on its edge), so a map fed
 * for months keeps at most what the kernel holds. Returns how many were forgotten.
 */
size_t bh_netmap_bytes_round(bh_netmap *m);

/* One socket of /proc/PID/net/{tcp,tcp6,udp,udp6}: addresses 16 bytes (IPv4 v4-mapped), ports host order. */
typedef struct bh_netmap_sock {
	uint8_t local[16], remote[16];
	uint16_t lport, rport;
	uint8_t state;  /* the kernel's TCP state number (1 established, 10 listen; UDP 1 connected, 7 unconnected) */
} bh_netmap_sock;

/*
 * Parses a /proc/net/{tcp,udp} (v6 false) or {tcp6,udp6} (v6 true) table into out[0..max); lines
 * that do not parse are skipped and counted in *bad (may be NULL). Returns the number of sockets
 * (at most max), BH_EINVAL when the header is not the kernel's.
 */
int bh_netmap_parse_proc_net(const char *data, size_t len, bool v6, bh_netmap_sock *out, size_t max, size_t *bad, bh_error *err);

/*
 * Connections that already existed: each container's (not --network=host) TCP and UDP sockets read
 * from proc_root/PID/net/ (proc_root NULL: /proc), one connection per connected socket pair (a
 * connection between two containers appears in both namespaces and is counted once). Established
 * sockets on a port the namespace listens on are accepted ones. Returns the connections added.
 */
int bh_netmap_scan_proc(bh_netmap *m, const bh_ctnet *cts, const char *proc_root, bh_error *err);

/*
 * The map: {"nodes":[{id, kind, name, image, image_digest, labels, addresses}], "edges":[{from, to,
 * port, proto, connections, bytes, first_seen, last_seen, blocked}]}; node ids "container:<full id>",
 * "host", "external:<addr>"; image, image_digest null for the host and external nodes. Nodes and
 * edges are sorted. *out is the caller's to json_decref.
 */
int bh_netmap_to_json(const bh_netmap *m, json_t **out, bh_error *err);

/*
 * As bh_netmap_to_json with at most max_edges edges (0: all): the most recently seen are kept, and
 * *dropped (may be NULL) says how many were left out. Nodes are those of the kept edges (so at most
 * 2 * max_edges).
 */
int bh_netmap_to_json_max(const bh_netmap *m, size_t max_edges, json_t **out, size_t *dropped, bh_error *err);

/* Nodes and edges so far. */
size_t bh_netmap_edge_count(const bh_netmap *m);

/* A number that moves whenever an edge is added or a counter changes (a snapshot is due). */
uint64_t bh_netmap_changes(const bh_netmap *m);

/*
 * A map kept up to date from the engine and the sensor, the sequence `bulkhead netmap` and the
 * agent share: the containers listed (runtime/ctnet.h) and given to the map, their open connections
 * read from /proc/PID/net, then each event fed, listing again first when it shows a container the
 * last list lacks. Fields are read-only for callers.
 */
typedef struct bh_netmap_live {
	bh_netmap *map;
	bh_ctnet cts;             /* the containers of the last list */
	const char *engine_host;  /* as engine/engine.h; not owned */
	uint64_t listed_ns;       /* CLOCK_MONOTONIC of the last list (tried) */
	unsigned relists;         /* lists that succeeded */
	bh_rt_event *pending;     /* connects and accepts held for the next list (owned; BH_NETMAP_PENDING_MAX) */
	size_t npending;
} bh_netmap_live;

/* Events held at most while a list is due (they wait for at most one RELIST interval). */
#define BH_NETMAP_PENDING_MAX 256

/*
 * A new map, the running containers listed and set, their open connections read from
 * /proc/PID/net (bh_netmap_scan_proc). Returns the connections found (>= 0) or a status; when the
 * engine cannot be listed (BH_ENET, …) l->map is still usable (containers come with a later list).
 * Free with bh_netmap_live_close in every case.
 */
int bh_netmap_live_open(bh_netmap_live *l, const char *engine_host, bh_error *err);
/* Lists the containers again (those still running are not inspected again) and gives them to the map. */
int bh_netmap_live_relist(bh_netmap_live *l, bh_error *err);
/*
 * bh_netmap_feed, after a new list (at most every 0.5 s) when a connect or accept comes from a
 * container the last list lacks or names a peer on a listed container's network that no listed
 * container holds (a container that started since). BH_ENOMEM or the feed's status.
 */
int bh_netmap_live_feed(bh_netmap_live *l, const bh_rt_event *ev, const bh_rt_container *ct, bh_error *err);
void bh_netmap_live_close(bh_netmap_live *l);
/*
 * The held events drawn: when a connect or accept comes from a container, or names a peer on a
 * container network, that the last list does not have and the engine was listed less than half a second ago,
 * bh_netmap_live_feed holds the event instead of drawing the edge to the host or an outside address;
 * the next feed after that half second, or this call once it passed (force: at once), lists again and
 * draws them. Call before reading the map (a snapshot, the end of a watch).
 */
int bh_netmap_live_flush(bh_netmap_live *l, bool force, bh_error *err);

/*
 * netpol's hooks in counting mode, where the map's bytes come from: the eBPF programs attached to
 * parents (nparents 0: the engines' parents that exist) with no policy and unmapped containers let
 * through, so nothing is enforced. bh_netpol_open's status and err when they cannot be attached (not
 * root, no BTF, no cgroup v2 parent, a hook the kernel refuses; *out NULL then). The caller reports
 * bh_netpol_hooks that did not attach and frees with bh_netpol_close.
 */
int bh_netmap_counters_open(const char *engine_host, const char *const *parents, size_t nparents, bh_netpol **out, bh_error *err);

/*
 * The counters' totals into l's map, the sequence `bulkhead netmap` and the agent share: np synced
 * (containers started since become hooked peers), each counter fed (bh_netmap_feed_bytes; peer_hooked
 * when the peer's address is a listed container under np's parents, so a container-to-container
 * edge is counted once: each side's bytes out), then bh_netmap_bytes_round. Returns 0, BH_ENOMEM,
 * or the sync's status with err (the bytes are read all the same, peers judged by the sync before).
 */
int bh_netmap_live_bytes(bh_netmap_live *l, bh_netpol *np, bh_error *err);

#endif
