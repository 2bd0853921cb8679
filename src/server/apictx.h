/* apictx.h - what every /api/v1 module shares: the pool of store connections, the vulnerability DB, JSON, paging and audit helpers. */
#ifndef BH_SERVER_APICTX_H
#define BH_SERVER_APICTX_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
#include "store/store.h"
#include "vuln/db.h"

/*
 * The API's state, seen by its route modules (api.c and the modules that add routes beside it).
 * A store serves one thread at a time (store.h), so the API keeps a pool of connections: a
 * handler takes one with bh_apictx_store for the length of its store calls and gives it back
 * with bh_apictx_release (a handler waits only when every connection is busy). SQLite writers
 * still take turns inside the database (BEGIN IMMEDIATE with a busy timeout); readers do not
 * wait for them (WAL).
 *
 * The vulnerability DB is one bh_vulndb (not thread-safe) behind its own mutex; a DB update
 * swaps it under that mutex (bh_apictx_vdb_swap), so a match in progress finishes on the old one.
 */
struct bh_api {
	bh_store **idle;           /* connections not in use: idle[0..nidle) */
	size_t nidle, npool;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bh_store *borrowed;        /* cfg->store: one of the pool, not closed by the API */
	bh_vulndb *vdb;            /* NULL: uploads are stored without findings */
	char *vdb_path;            /* owned */
	pthread_mutex_t vmu;
	unsigned max_json_depth;
	char backend[16];          /* "sqlite" or "postgres" */
	/* the dashboard's stored counts (server/uimetrics.h): writes bump changes, the worker recounts */
	atomic_uint_fast64_t changes;
	struct bh_uimetrics *metrics; /* set before the server starts; NULL: every GET counts */
	int64_t net_retention_s;   /* bh_api_config.network_retention_s */
	int64_t net_pruned_at;     /* when the map was last pruned (bh_blapi_tick; the notify thread only) */
};

/* A write moved what the dashboard counts (images, containers, hosts, findings, accepted risks):
 * its stored counts are recounted soon (server/uimetrics.h). Call after the change is committed. */
void bh_apictx_changed(bh_api *a);

/* A connection of the pool, waiting for one when all are taken. Give it back with bh_apictx_release. */
bh_store *bh_apictx_store(bh_api *a);
void bh_apictx_release(bh_api *a, bh_store *st);

/* The DB for one match (NULL when the server has none): hold it between lock and unlock. */
bh_vulndb *bh_apictx_vdb_lock(bh_api *a);
void bh_apictx_vdb_unlock(bh_api *a);
/* Puts db (owned from now on; path copied) in place of the current DB, which is closed. */
int bh_apictx_vdb_swap(bh_api *a, bh_vulndb *db, const char *path, bh_error *err);

/* A string, or null for NULL (and for text that is not UTF-8, which JSON cannot carry). */
json_t *bh_apictx_jstr(const char *s);
/* A stored JSON column as JSON, null when absent or unreadable. */
json_t *bh_apictx_jraw(const char *s);
/* A Unix time, or null for 0 (unknown). */
json_t *bh_apictx_jtime(int64_t t);
/* ?after= and ?limit= (an answer is already made when this returns non-zero). */
int bh_apictx_page_args(bh_srv_req *req, bh_srv_resp *resp, int64_t *after, int64_t *limit);
/* {"items": items, "next": N or null}; items is taken. */
int bh_apictx_page_answer(bh_srv_resp *resp, json_t *items, int64_t next);
/* One page of a store's list: fills items with up to limit rows after the given one, *next the
 * cursor of the next page (0 at the end). args is the handler's own (its query's filters). */
typedef int (*bh_apictx_list_fn)(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items,
				 int64_t *next, bh_error *err);
/* A store's event as the API shows it, appended to the JSON array items (a bh_store_event_cb). */
int bh_apictx_event_append(void *items, const bh_store_event *e);
/* A GET of a paged list: ?after= and ?limit=, one store call, then {"items", "next"} or the error. */
int bh_apictx_page_list(bh_api *a, bh_srv_req *req, bh_srv_resp *resp, bh_apictx_list_fn list, const void *args);
/* The answer to a failed store call: the caller's mistakes are 400, BH_ENOTFOUND 404, the rest 500 (reason logged). */
int bh_apictx_store_failed(bh_srv_resp *resp, int rc, const bh_error *err);
/* No control characters (C0 or DEL): what a stored name, URL or reason from a request body may hold. */
bool bh_apictx_printable(const char *s);
/* "sha256:" and 64 lowercase hex digits (or sha512 and 128). */
bool bh_apictx_digest_ok(const char *d);
/* An audit row on st (inside the change's transaction): who (token name and id), what, on what,
 * when, from which address. */
int bh_apictx_audit(bh_store *st, bh_srv_req *req, const char *action, const char *target, const char *detail,
		    bh_error *err);

/* A background worker's name in leases and job rows: "hostname:pid" into out[n]. */
void bh_apictx_worker_name(char *out, size_t n);
/* A worker thread's life: start inits mu and cv and runs fn(arg) (BH_EIO, mu and cv destroyed again,
 * when the thread cannot start); stop sets *stop under mu, wakes cv, joins th and destroys both. */
int bh_apictx_thread_start(pthread_t *th, pthread_mutex_t *mu, pthread_cond_t *cv, void *(*fn)(void *), void *arg);
void bh_apictx_thread_stop(pthread_t th, pthread_mutex_t *mu, pthread_cond_t *cv, volatile int *stop);
/* A worker's pause: waits on cv (mu not held by the caller) up to ms, or until *stop or *kick (may
 * be NULL) is set and cv is signalled; clears *kick. */
void bh_apictx_pause(pthread_cond_t *cv, pthread_mutex_t *mu, const volatile int *stop, bool *kick, unsigned ms);

/* A change with its audit row in one transaction on a pool connection: fn(st, ud, err), then the
 * audit row (action, target, detail), commit; rolled back when either fails. fn's status is returned. */
typedef int (*bh_apictx_write_fn)(bh_store *st, void *ud, bh_error *err);
int bh_apictx_write(bh_api *a, bh_srv_req *req, bh_apictx_write_fn fn, void *ud, const char *action, const char *target,
		    const char *detail, bh_error *err);

#define BH_APICTX_LIMIT_DEFAULT 100

#endif
