/* evbatch.h - a batch of events copied out of the store, for the threads that deliver them (webhooks, trackers). */
#ifndef BH_SERVER_EVBATCH_H
#define BH_SERVER_EVBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* Events read per look: a thread holds its store connection only for the read. */
#define BH_EVBATCH_MAX 100

typedef struct bh_evbatch_item {
	int64_t seq, time;
	char *type;                  /* never NULL ("" when the row has none) */
	char *host, *container;      /* NULL when absent */
	char *payload;               /* the stored JSON text, NULL when absent */
} bh_evbatch_item;

typedef struct bh_evbatch {
	bh_evbatch_item v[BH_EVBATCH_MAX];
	size_t n;
} bh_evbatch;

/* Empties b, then copies up to BH_EVBATCH_MAX events after seq `after` into it, in order; *next as
 * bh_store_event_list (0: no more). The strings are b's: bh_evbatch_clear frees them. An allocation
 * that fails is an error (BH_ENOMEM), never an event copied without its payload. */
int bh_evbatch_read(bh_store *st, bh_evbatch *b, int64_t after, int64_t *next, bh_error *err);
void bh_evbatch_clear(bh_evbatch *b);

/* Seconds before the next try after `fails` failures in a row: 1, 2, 4 ... and never more than max_s. */
int64_t bh_evbatch_backoff_s(int64_t fails, int64_t max_s);

#endif
