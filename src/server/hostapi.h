/* hostapi.h - /api/v1 routes for agents' host data: which image digests the server has, CIS results of hosts and
 * containers, host facts from host.facts events; their request body parsers (fuzz/fuzz_known.c, fuzz_hostchecks.c). */
#ifndef BH_SERVER_HOSTAPI_H
#define BH_SERVER_HOSTAPI_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
#include "store/hostcheck.h"
#include "store/store.h"

/*
 * Adds (on the API a, in server/apictx.h's pool):
 *   POST /api/v1/images/known            {"digests":[...]} -> {"known":[...]}   viewer, operator, admin, agent
 *   POST /api/v1/hosts/{name}/checks     {"container_id":"" | ID, "checks":[...]} operator, admin; agent: own host only
 *   GET  /api/v1/hosts/{name}/checks     ?container=ID ("" the host's own), paged   viewer
 *   GET  /api/v1/containers/{id}/checks  ?host=NAME, paged                          viewer
 * and the routes of server/scanapi.h.
 */
int bh_hostapi_register(bh_api *a, bh_srv *s, bh_error *err);

/*
 * The host row fields a host.facts payload gives (os, kernel, engine, engine_version; facts is
 * payload_json itself). Returns the parsed payload, which the strings put in *h borrow (caller
 * json_decref's it after the store call; NULL and *h untouched for a payload that is no JSON object).
 */
json_t *bh_hostapi_facts(const char *payload_json, bh_store_host *h);

/* Body limits. */
#define BH_HOSTAPI_KNOWN_MAX 1000        /* digests in one /images/known question */
#define BH_HOSTAPI_CHECKS_MAX 5000       /* results in one POST */
#define BH_HOSTAPI_KNOWN_BODY (256u << 10)
#define BH_HOSTAPI_CHECKS_BODY (8u << 20)

/*
 * POST /images/known body: *digests gets the array of digest strings (a reference into *doc, which
 * the caller json_decref's, also after a failure). Returns 0, or the HTTP status to answer (400, 413)
 * with the reason in why.
 */
int bh_hostapi_parse_known(const char *body, size_t len, unsigned max_depth, json_t **doc, json_t **digests, char *why,
			   size_t whylen);

/*
 * Check results [{rule_id, target, status, severity, title, detail}] of arr (a JSON array, at most max)
 * into *items (caller frees the array; the strings are borrowed from arr). Returns 0, or 400/413 with why.
 */
int bh_hostapi_check_items(const json_t *arr, size_t max, bh_hostcheck **items, size_t *n, char *why, size_t whylen);

/* POST /hosts/{name}/checks body, parsed: the strings borrow from doc. */
typedef struct bh_hostapi_checks {
	json_t *doc;
	const char *container_id; /* "" for the host */
	bh_hostcheck *items;
	size_t n;
} bh_hostapi_checks;
/* Returns 0, or the HTTP status to answer (400, 413) with why; bh_hostapi_checks_free after either. */
int bh_hostapi_parse_checks(const char *body, size_t len, unsigned max_depth, bh_hostapi_checks *out, char *why,
			    size_t whylen);
void bh_hostapi_checks_free(bh_hostapi_checks *c);

/* A container id as the API takes it: 1..128 of A-Z a-z 0-9 _ . - */
bool bh_hostapi_container_id_ok(const char *id);

#endif
