/* exceptapi.h - accepted risks over the API: /api/v1/exceptions (add, list, revoke, export as OpenVEX or as the ignore file CI reads) and their expiry events. */
#ifndef BH_SERVER_EXCEPTAPI_H
#define BH_SERVER_EXCEPTAPI_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
#include "store/exception.h"
#include "store/store.h"

/*
 * Routes: POST /api/v1/exceptions (operator, admin; audited) {advisory, package | rule, target;
 * scope: {kind: everywhere|image|repository|host (rules), value}, reason, expires, justification};
 * GET /api/v1/exceptions (viewer; ?all=true with expired and revoked ones; ?format=openvex: an
 * OpenVEX 0.2.0 document of the advisories in force; ?format=ignore[&image=DIGEST]: the YAML ignore
 * file `bulkhead scan --ignore-file` reads, with reasons and expiries, rules included when their
 * scope holds for the whole scan); DELETE /api/v1/exceptions/{id} (operator, admin; audited).
 */
int bh_exceptapi_routes(bh_api *a, bh_srv *s, bh_error *err);

/* Adds "accepted": {id, scope, value, reason, expires, created_by} (the oldest exception in force
 * at now that covers it) to each finding of items (the JSON of GET /api/v1/findings); image: the
 * list's ?image=. */
int bh_exceptapi_annotate(bh_store *st, json_t *items, const char *image, int64_t now, bh_error *err);

/*
 * Marks each check result of items accepted ("accepted": {id, scope, value, reason, expires,
 * created_by}, the oldest rule exception in force at now that covers it) and keeps, by mode, the
 * unaccepted ones (0), all (1) or the accepted ones (2). items are GET .../checks objects (rule_id,
 * target, host, container_id: a container's result is judged by the image it runs, looked up in the
 * store), or, with image set, that image's own checks.
 */
int bh_exceptapi_checks(bh_store *st, json_t *items, const char *image, int mode, int64_t now, bh_error *err);

/* Writes an exception.expired event for each exception that ran out since the last call (once,
 * whichever server sees it first). Called about once a second by a server thread. */
void bh_exceptapi_tick(bh_api *a);

/* Checks a POST body into e (strings borrowed from b; created_by left NULL): 0, or BH_EINVAL with
 * why filled. Pure (fuzz/fuzz_exception.c). */
int bh_exceptapi_parse(const json_t *b, int64_t now, bh_exception *e, char *why, size_t whylen);

/* The OpenVEX justifications (NULL-terminated). */
extern const char *const bh_exceptapi_justifications[];

#endif
