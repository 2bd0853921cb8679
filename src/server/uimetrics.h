/* uimetrics.h - keeps the dashboard's stored counts (store/metrics.h) current: a worker recounts after writes and on an interval; GET reads the stored copy. */
#ifndef BH_SERVER_UIMETRICS_H
#define BH_SERVER_UIMETRICS_H

#include <stdbool.h>

#include "core/error.h"
#include "server/api.h"
#include "store/metrics.h"

/*
 * When it counts. Writes that move what the dashboard shows call bh_apictx_changed (a counter in
 * the API). The worker looks at the counter every 200 ms and counts once a burst of writes is
 * over (no write for 200 ms, or 700 ms after the first: a steady stream is counted about once a
 * second), and every interval_s seconds in any case: another server on the same PostgreSQL
 * writes without this process knowing. It also counts once at start.
 *
 * What GET gets (bh_uimetrics_get). A small store, whose last counting took under sync_ms, is
 * counted on the spot when this process wrote since, so a read right after a write sees it (the
 * tests rely on this); a big store answers the stored copy at once, marked stale until the worker
 * has counted again. No stored copy yet: counted on the spot, once. Counting is one at a time in
 * a process (a GET that finds a counting under way waits for it and takes its result).
 */
typedef struct bh_uimetrics bh_uimetrics;

typedef struct bh_uimetrics_config {
	bh_api *api;          /* borrowed; outlives the worker */
	unsigned interval_s;  /* 0: BH_UIMETRICS_INTERVAL_DEFAULT */
	int sync_ms;          /* negative: BH_UIMETRICS_SYNC_MS_DEFAULT; 0: never count on a GET once a copy is stored */
} bh_uimetrics_config;

#define BH_UIMETRICS_INTERVAL_DEFAULT 300
#define BH_UIMETRICS_SYNC_MS_DEFAULT 250

/* Starts the worker and attaches it to the API (before the server starts). *out freed by bh_uimetrics_stop,
 * after the server has stopped. */
int bh_uimetrics_start(const bh_uimetrics_config *cfg, bh_uimetrics **out, bh_error *err);
void bh_uimetrics_stop(bh_uimetrics *w);

/*
 * The counts a GET answers (with_images: also the per-image rows). *stale: writes this process
 * knows of are not in them yet. An API without a worker counts every time (never stale). Caller
 * frees *out with bh_metrics_free.
 */
int bh_uimetrics_get(bh_api *a, bool with_images, bh_metrics **out, bool *stale, bh_error *err);

#endif
