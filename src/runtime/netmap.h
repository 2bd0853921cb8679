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
 * before. Bytes in are added only when peer_hooked is false (a hooked peer counts them as its
 * bytes out).
 */
int bh_netmap_feed_bytes(bh_netmap *m, uint64_t cgroup_id, const uint8_t peer[16], uint16_t svc_port, uint8_t proto, int role,
			 uint64_t bytes_out, uint64_t bytes_in, bool peer_hooked);

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

/* Nodes and edges so far. */
size_t bh_netmap_edge_count(const bh_netmap *m);

#endif
