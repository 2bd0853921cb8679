/* update.h - fetches advisory feeds over HTTP(S) into a cache (ETag / If-Modified-Since, retries)
 * and rebuilds the DB from them. */
#ifndef BH_VULN_UPDATE_H
#define BH_VULN_UPDATE_H

#include <stdbool.h>

#include "core/limits.h"
#include "vuln/import.h"

typedef struct bh_update_opts {
	const char *db_path;
	const char *cache_dir;   /* where feeds are kept between runs */
	const char *mirror;      /* base URL replacing every default location, or NULL */
	const char *only;        /* comma-separated feed names, or NULL for all */
	bool progress;
	unsigned retries;        /* per feed */
	long timeout_s;
	long lock_wait_s;        /* bound on the wait for another writer of the DB; 0: BH_VULNDB_LOCK_WAIT_S */
} bh_update_opts;

/* Feed names and their default public URLs, for help texts. */
typedef struct bh_feed {
	const char *name;
	const char *url;         /* default location */
	const char *mirror_path; /* path below a mirror base URL */
	const char *file;        /* cache file name (its extension tells the importer the format) */
} bh_feed;
const bh_feed *bh_update_feeds(size_t *n);

/* Fetches every selected feed (304 keeps the cached copy) and rebuilds the DB from the cache. */
int bh_update_run(const bh_update_opts *o, const bh_limits *lim, bh_error *err);

#endif
