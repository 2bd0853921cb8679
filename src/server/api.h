/* api.h - the /api/v1 routes of `bulkhead serve` over one bh_store: hosts, images, components, SBOM
 * download, containers, findings, advisories' reach, events; bearer tokens checked by the store. */
#ifndef BH_SERVER_API_H
#define BH_SERVER_API_H

#include "core/error.h"
#include "server/http.h"
#include "store/store.h"

/*
 * The API holds a pool of store connections (server/apictx.h): a handler takes one for the length
 * of its store calls, so a slow list does not hold up the others.
 *
 * Every change made through the API adds an audit row (who: the token's name and id, what, when,
 * from the client address) in the same transaction as the change.
 */
typedef struct bh_api bh_api;

typedef struct bh_api_config {
	bh_store *store;        /* optional, borrowed (must outlive the bh_api): one connection of the pool */
	const char *store_url;  /* where more connections come from: a URL as bh_store_open takes it, */
	const char *data_dir;   /* or the SQLite data dir (bh_store_open_dir); neither: the pool is `store` */
	unsigned pool;          /* connections (0: BH_API_POOL_DEFAULT, at most BH_API_POOL_MAX) */
	const char *vuln_db;    /* a vulnerability DB: uploaded SBOMs are matched into findings; NULL none */
	long network_retention_s; /* the network map forgets what it has not seen for this long; 0: never */
} bh_api_config;

#define BH_API_POOL_DEFAULT 8
#define BH_API_POOL_MAX 64

/* A new API over the store (the DB, when named, is opened here: BH_ENODB when missing). Caller
 * frees with bh_api_free after the server is freed. */
int bh_api_new(const bh_api_config *cfg, bh_api **out, bh_error *err);
void bh_api_free(bh_api *a);
/* "sqlite" or "postgres". */
const char *bh_api_backend(const bh_api *a);
/* The bh_srv_config.authenticate callback; auth_ud is the bh_api. Role and host from the store's
 * token row; BH_EAUTH for an unknown, expired or revoked token. */
int bh_api_authenticate(void *ud, const char *token, bh_srv_principal *p);
/* The bh_srv_config.gauges callback (store sizes); gauges_ud is the bh_api. */
void bh_api_gauges(void *ud, bh_buf *out);
/* Adds every /api/v1 route to s (before bh_srv_start). */
int bh_api_register(bh_api *a, bh_srv *s, bh_error *err);

/* Body caps (413 above them). */
#define BH_API_SBOM_MAX (64u << 20)
#define BH_API_EVENTS_MAX (4u << 20)
/* Events in one POST. */
#define BH_API_EVENTS_PER_POST 1000

#endif
