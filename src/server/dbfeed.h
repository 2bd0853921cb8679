/* dbfeed.h - the server's vulnerability DB kept current (scheduled `db update`, a feed bundle POSTed by an admin, a file replaced on disk) and each new DB re-evaluated against the store. */
#ifndef BH_SERVER_DBFEED_H
#define BH_SERVER_DBFEED_H

#include <stdbool.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"

/*
 * One thread per server does the DB work, so a request never waits for an import or a
 * re-evaluation (a POST answers 202 and GET /api/v1/db says how it went):
 *  - at start, and whenever the DB file changes on disk (checked every `check_s` seconds: a cron
 *    job running `bulkhead db update --db PATH`), the new file is put in place for uploads
 *    (bh_apictx_vdb_swap) and the store is re-evaluated (server/reeval.h);
 *  - every `update_interval_s` (0: never) the feeds are fetched (bh_update_run, from `mirror`
 *    when given) into the DB file, then as above;
 *  - POST /api/v1/db (admin) with a feed bundle (an archive or document `bulkhead db import`
 *    takes; air-gapped sites) adds it to the DB, then as above;
 *  - POST /api/v1/db/reeval (admin; ?full=true matches every component again, for a new
 *    matcher) re-evaluates with the DB in place.
 * Each re-evaluation adds a `db.reevaluated` event with its counts. With several servers over one
 * PostgreSQL, the re-evaluation lock and the fingerprints make the second server's run a no-op.
 */
typedef struct bh_dbfeed bh_dbfeed;

typedef struct bh_dbfeed_config {
	bh_api *api;              /* borrowed: store connections and the DB uploads are matched with */
	const char *db_path;      /* the server's DB file (need not exist yet) */
	const char *cache_dir;    /* feed cache of scheduled updates (NULL: db_path + ".feeds") */
	const char *mirror;       /* base URL of the feeds, NULL for their public locations */
	long update_interval_s;   /* 0: no scheduled update */
	long check_s;             /* how often the DB file is looked at (0: 30 s) */
	bool reeval_at_start;     /* re-evaluate once at start when a DB exists */
} bh_dbfeed_config;

/* Starts the thread. Caller stops with bh_dbfeed_stop (joins: an import or re-evaluation in
 * progress finishes first) before freeing the API. */
int bh_dbfeed_start(const bh_dbfeed_config *cfg, bh_dbfeed **out, bh_error *err);
void bh_dbfeed_stop(bh_dbfeed *f);
/* GET /api/v1/db, POST /api/v1/db, POST /api/v1/db/reeval. */
int bh_dbfeed_register(bh_dbfeed *f, bh_srv *s, bh_error *err);
/* Blocks until the thread is idle with nothing queued (tests, `--once` style tools); false after timeout_ms. */
bool bh_dbfeed_wait_idle(bh_dbfeed *f, long timeout_ms);

/* Cap of a POSTed feed bundle. */
#define BH_DBFEED_BUNDLE_MAX (512u << 20)

#endif
