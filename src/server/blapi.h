/* blapi.h - behaviour baselines and the network map over the API (README "Baselines", "Network map"). */
#ifndef BH_SERVER_BLAPI_H
#define BH_SERVER_BLAPI_H

#include <stdint.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
#include "store/blstore.h"
#include "store/store.h"

/*
 * GET  /api/v1/baselines                       every baseline's summary (viewer, agent)
 * GET  /api/v1/baselines/doc?repository=R[&version=V][&format=yaml]   one document
 * GET  /api/v1/baselines/versions?repository=R  its versions, newest first
 * GET  /api/v1/baselines/diff?repository=R&from=V[&to=V]               what changed
 * PUT  /api/v1/baselines                       import a document, YAML or JSON (operator, agent; POST too)
 * POST /api/v1/baselines/mode {repository, mode}                      (operator, audit-logged)
 * POST /api/v1/baselines/accept {repository, entry}                   a deviation into the baseline
 *                                              (operator, audit-logged: one click in the dashboard)
 * GET  /api/v1/network[?since=UNIX]            {nodes, edges} of every host's network.snapshot
 */
int bh_blapi_routes(bh_api *a, bh_srv *s, bh_error *err);

/* A network.snapshot event's payload ({nodes, edges} as runtime/netmap.h writes it) into the map
 * tables, in the caller's transaction; malformed nodes and edges are skipped (the event keeps them). */
int bh_blapi_network_ingest(bh_store *st, const char *host, const char *payload, int64_t now, bh_error *err);

/* The parse behind it (fuzz/fuzz_netsnap.c): each well-formed node and edge of payload to the
 * callbacks, strings bounded and printable, ports 0..65535, protocols tcp or udp, at most 20000 of each. */
typedef int (*bh_blapi_node_fn)(void *ud, const char *host, const bh_netstore_node *n, bh_error *err);
typedef int (*bh_blapi_edge_fn)(void *ud, const bh_netstore_edge *e, bh_error *err);
int bh_blapi_network_parse(const char *payload, const char *host, int64_t now, bh_blapi_node_fn nfn, bh_blapi_edge_fn efn, void *ud,
			   bh_error *err);

/* The network map's retention (bh_api_config.network_retention_s): rows not seen for that long are
 * forgotten, looked at every tenth of it (at least each second, at most every 10 minutes). Called
 * by one server thread (notify's loop); nothing when the retention is 0. */
void bh_blapi_tick(bh_api *a, int64_t now);

#endif
