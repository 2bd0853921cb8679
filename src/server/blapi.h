/* blapi.h - behaviour baselines and the network map over the API (README "Baselines", "Network map"). */
#ifndef BH_SERVER_BLAPI_H
#define BH_SERVER_BLAPI_H

#include <stdint.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
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

#endif
