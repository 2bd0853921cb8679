/* metrics.h - the dashboard's portfolio metrics: the summary and per-image finding counts, computed over every finding, stored (migration 9) and read back. */
#ifndef BH_STORE_METRICS_H
#define BH_STORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * Counting over every finding takes seconds at millions of findings, so the dashboard does not
 * count on each visit: bh_metrics_compute counts once (reads only, no transaction held: writers
 * are not kept waiting), bh_metrics_save stores the result in one short transaction (table
 * metrics, row "summary", and image_metrics, one row per image with open findings), and the
 * dashboard reads the stored copy with bh_metrics_load.
 *
 * Severity arrays are indexed by severity rank (core/severity.h: 0 unknown .. 4 critical). The
 * trend is the last BH_METRICS_DAYS days, oldest first, ending with the day of computed_at (UTC).
 */
#define BH_METRICS_NSEV 5
#define BH_METRICS_DAYS 365

typedef struct bh_metrics_day {
	int64_t day;                       /* Unix time of the day's start (UTC) */
	int64_t open, new_, resolved;      /* open at the end of the day; first seen / resolved that day */
	int64_t open_sev[BH_METRICS_NSEV]; /* open at the end of the day, by severity */
} bh_metrics_day;

typedef struct bh_metrics_image {
	char *digest;                      /* owned by the bh_metrics */
	int64_t total, kev, sev[BH_METRICS_NSEV];
} bh_metrics_image;

typedef struct bh_metrics {
	int64_t computed_at;               /* Unix seconds when the counting began */
	int64_t compute_ms;                /* how long the counting took */
	int64_t images, hosts, containers, running; /* containers: not removed; running: state running */
	int64_t open, kev, fixable, in_running, kev_running, sev[BH_METRICS_NSEV]; /* open findings */
	bh_metrics_day trend[BH_METRICS_DAYS];
	bh_metrics_image *img;             /* images with open findings, by digest */
	size_t nimg;
} bh_metrics;

/* Counts the store as it is now (now: the trend's last day and computed_at). Caller frees *out. */
int bh_metrics_compute(bh_store *st, int64_t now, bh_metrics **out, bh_error *err);

/*
 * Stores m in place of the stored copy, in one transaction (on PostgreSQL under a transaction
 * lock, so two servers saving at once take turns). A stored copy computed later than m is kept:
 * *saved (may be NULL) says whether m was written.
 */
int bh_metrics_save(bh_store *st, const bh_metrics *m, bool *saved, bh_error *err);

/* The stored copy (with_images: also the per-image rows); BH_ENOTFOUND when none was stored. Caller frees. */
int bh_metrics_load(bh_store *st, bool with_images, bh_metrics **out, bh_error *err);

void bh_metrics_free(bh_metrics *m);

#endif
