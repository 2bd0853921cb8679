/* scanrec.h - results uploaded by `bulkhead scan --server` (the scans table): who, target, image, pipeline, verdict. */
#ifndef BH_STORE_SCANREC_H
#define BH_STORE_SCANREC_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * One uploaded scan. pipeline_json and summary_json are JSON texts the caller validated; image_digest
 * is NULL for targets that are no image (a directory, a Dockerfile). Strings handed to callbacks
 * belong to the store and live only during the callback.
 */
typedef struct bh_scanrec {
	int64_t id;
	const char *who, *target, *image_digest, *pipeline_json, *verdict, *summary_json;
	int exit_code;
	int64_t created;
} bh_scanrec;
typedef int (*bh_scanrec_cb)(void *ud, const bh_scanrec *s);

/* Adds the row (created = now; id of s ignored); *id (optional) gets its id. */
int bh_scanrec_add(bh_store *st, const bh_scanrec *s, int64_t now, int64_t *id, bh_error *err);
/* Rows by id, paged as the store's lists (store.h); image_digest NULL: every image and none. */
int bh_scanrec_list(bh_store *st, const char *image_digest, int64_t after, size_t limit, bh_scanrec_cb cb, void *ud,
		    int64_t *next, bh_error *err);

#endif
