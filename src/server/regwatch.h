/* regwatch.h - registries watched by `bulkhead serve`: the /api/v1/registries routes, the Distribution
 * push-notification endpoint, and the worker that polls registries and indexes new digests through jobs. */
#ifndef BH_SERVER_REGWATCH_H
#define BH_SERVER_REGWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"

/*
 * Work goes through the store's jobs table, so several servers over one PostgreSQL share it:
 *   "registry.poll"  {"registry": URL}: list repositories (the configured ones, else /v2/_catalog)
 *                    and their tags, resolve each tag, index each digest the store does not have;
 *   "registry.index" {"registry": URL, "repository", "digest", "tag"}: read the image through the
 *                    registry client, store its SBOM, findings (server DB), image checks and an
 *                    image.indexed event. The event's idempotency key is the digest, and the
 *                    digest is checked again inside the storing transaction, so a digest is
 *                    indexed once however many notifications, polls and servers race for it.
 *
 * Registry rows (store.h): `secret` holds the password or token sealed with AES-256-GCM
 * ("v1:" base64(nonce 12 | ciphertext | tag 16), the registry URL as associated data, so a sealed
 * secret copied to another row does not open); `repositories` holds a JSON object
 * {"repositories": [..] or null, "ca_file": path or null, "tls_verify": bool, "secret_kind":
 * "password"|"token"|null}.
 */

/* Where the 32-byte key is (made with mode 0600 on first use when missing). Process-wide: one
 * server per process. The path is copied. Call before the routes or the worker run. */
int bh_regwatch_set_key_file(const char *path, bh_error *err);

/* The /api/v1/registries routes and POST /api/v1/registry/notifications on s (ud: a). */
int bh_regwatch_routes(bh_api *a, bh_srv *s, bh_error *err);

/* The worker thread. */
typedef struct bh_regwatch bh_regwatch;
typedef struct bh_regwatch_config {
	bh_api *api;        /* borrowed; outlives the worker (bh_regwatch_stop before bh_api_free) */
	unsigned tick_s;    /* how often registries whose interval is due get a poll job; 0: 30 */
	int64_t lease_s;    /* a job's lease (a dead server's job is taken again after it); 0: 600 */
} bh_regwatch_config;
#define BH_REGWATCH_TICK_DEFAULT 30u
#define BH_REGWATCH_LEASE_DEFAULT 600

/* Starts the worker (named hostname:pid in the jobs table). *out freed by bh_regwatch_stop. */
int bh_regwatch_start(const bh_regwatch_config *cfg, bh_regwatch **out, bh_error *err);
/* Ends transfers in progress, joins the thread, frees w. NULL is fine. */
void bh_regwatch_stop(bh_regwatch *w);

/* ---- the notification envelope parser (pure; fuzz/fuzz_regnotify.c) ---- */

/* One pushed manifest. Owned strings; host may be NULL (neither target.url nor request.host). */
typedef struct bh_regwatch_push {
	char *host;        /* registry host[:port] from target.url, else request.host */
	char *repository;
	char *digest;      /* sha256:<64 lowercase hex> */
	char *tag;         /* NULL when pushed by digest */
	char *media_type;
} bh_regwatch_push;

typedef struct bh_regwatch_pushes {
	bh_regwatch_push *items;
	size_t n;
	size_t ignored;    /* pulls, deletes, blob pushes, repeats of a push in the same envelope */
} bh_regwatch_pushes;

/* Bounds of one envelope. */
#define BH_REGWATCH_NOTIFY_MAX (1u << 20)
#define BH_REGWATCH_NOTIFY_EVENTS 1000u

/*
 * Parses a Distribution notification envelope ({"events": [...]}): every event must be an object
 * with a string "action"; a push must carry a "target" object with string mediaType, digest
 * (sha256), repository (Distribution grammar) and optional tag, url (http[s]://host/...) and an
 * optional "request" object with a string host. Manifest pushes (Docker v2 and OCI manifests and
 * indexes) go to out; everything else is counted in out->ignored. Returns 0, or 400 / 413 (more
 * than max_events) with why filled, or BH_ENOMEM. out is initialised here; free it with
 * bh_regwatch_pushes_free in every case.
 */
int bh_regwatch_notification_parse(const char *body, size_t len, unsigned max_depth, size_t max_events,
				   bh_regwatch_pushes *out, char *why, size_t whylen);
void bh_regwatch_pushes_free(bh_regwatch_pushes *p);

/* Distribution's repository grammar (lowercase components joined by '/', at most 255 bytes). */
bool bh_regwatch_repo_ok(const char *s);

/* The server's 32-byte secret key (from bh_regwatch_set_key_file's file, made on first use), for
 * other modules that seal secrets (webhook keys). Caller wipes key after use. */
int bh_regwatch_key_get(unsigned char key[32], bh_error *err);

/* ---- sealing (tests) ---- */
/* *out (caller frees) is plain sealed for ad. */
int bh_regwatch_seal(const unsigned char key[32], const char *ad, const char *plain, char **out, bh_error *err);
/* BH_EINVAL when sealed is malformed or does not open with key and ad. *out: caller wipes and frees. */
int bh_regwatch_unseal(const unsigned char key[32], const char *ad, const char *sealed, char **out, bh_error *err);

#endif
