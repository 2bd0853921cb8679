/* uimetrics.c - keeps the dashboard's stored counts current: the recount worker (after writes, on an interval) and what a GET is answered with. */
#include "server/uimetrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "server/apictx.h"

/* the worker's look at the change counter, and the quiet time / longest wait that end a burst */
#define TICK_MS 200
#define QUIET_S 0.2
#define BURST_S 0.7
/* after a failed counting (the store away), the next try */
#define RETRY_S 5.0

struct bh_uimetrics {
	bh_api *api;
	unsigned interval_s;
	int sync_ms;
	pthread_t th;
	pthread_mutex_t mu;    /* the worker's pause */
	pthread_cond_t cv;
	volatile int stop;
	pthread_mutex_t cmu;   /* one counting at a time in this process */
	pthread_mutex_t smu;   /* the fields below */
	bool have;             /* this process has counted and stored */
	uint64_t done;         /* the change counter when that counting began */
	int64_t last_ms;       /* how long it took */
	double last_at;        /* when it (or a failed try) ended, monotonic seconds */
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Counts and stores, unless (force false) a counting that began after the change counter reached
 * `want` has ended meanwhile: then 1 (the stored copy is current; the caller loads it). 0: *out
 * (may be NULL) gets the new counts.
 */
static int count(bh_uimetrics *w, uint64_t want, bool force, bh_metrics **out, bh_error *err)
{
	bh_metrics *m = NULL;
	bh_store *st;
	uint64_t g0;
	bool current;
	int rc;
	if (out)
		*out = NULL;
	pthread_mutex_lock(&w->cmu);
	pthread_mutex_lock(&w->smu);
	current = w->have && w->done >= want;
	pthread_mutex_unlock(&w->smu);
	if (current && !force) {
		pthread_mutex_unlock(&w->cmu);
		return 1;
	}
	/* read before counting: a write committed before this is in the counts */
	g0 = atomic_load(&w->api->changes);
	st = bh_apictx_store(w->api);
	rc = bh_metrics_compute(st, (int64_t)time(NULL), &m, err);
	if (!rc)
		rc = bh_metrics_save(st, m, NULL, err);
	bh_apictx_release(w->api, st);
	pthread_mutex_lock(&w->smu);
	if (!rc) {
		w->have = true;
		w->done = g0;
		w->last_ms = m->compute_ms;
	}
	w->last_at = mono();
	pthread_mutex_unlock(&w->smu);
	pthread_mutex_unlock(&w->cmu);
	if (rc) {
		bh_metrics_free(m);
		return rc;
	}
	if (m->compute_ms >= 1000)
		bh_log_info("metrics: the dashboard's counts (%lld open findings, %zu images) took %lld ms", (long long)m->open,
			    m->nimg, (long long)m->compute_ms);
	if (out)
		*out = m;
	else
		bh_metrics_free(m);
	return 0;
}

static void *worker_main(void *arg)
{
	bh_uimetrics *w = arg;
	uint64_t seen = atomic_load(&w->api->changes);
	double first = 0, last_change = 0, retry_at = 0;
	bh_error err;
	/* at start: writes made by another server (or before a restart) since the stored copy */
	if (count(w, 0, true, NULL, &err) < 0) {
		bh_log_warn("metrics: counting for the dashboard: %s", err.msg);
		retry_at = mono() + RETRY_S;
	}
	while (!w->stop) {
		uint64_t g, done;
		double now, last_at;
		bool due;
		bh_apictx_pause(&w->cv, &w->mu, &w->stop, NULL, TICK_MS);
		if (w->stop)
			break;
		g = atomic_load(&w->api->changes);
		now = mono();
		pthread_mutex_lock(&w->smu);
		done = w->done;
		last_at = w->last_at;
		pthread_mutex_unlock(&w->smu);
		if (g != seen) {
			seen = g;
			last_change = now;
		}
		/* first: since when writes are waiting to be counted */
		if (g == done)
			first = 0;
		else if (!first)
			first = now;
		due = first && (now - last_change >= QUIET_S || now - first >= BURST_S);
		if (now < retry_at || (!due && now - last_at < (double)w->interval_s))
			continue;
		if (count(w, g, !due, NULL, &err) < 0) {
			bh_log_warn("metrics: counting for the dashboard: %s", err.msg);
			retry_at = mono() + RETRY_S;
		}
	}
	return NULL;
}

int bh_uimetrics_start(const bh_uimetrics_config *cfg, bh_uimetrics **out, bh_error *err)
{
	bh_uimetrics *w;
	*out = NULL;
	if (!cfg || !cfg->api)
		return bh_error_set(err, BH_EUSAGE, "metrics: no API");
	if (cfg->api->metrics)
		return bh_error_set(err, BH_EUSAGE, "metrics: the API has a worker already");
	if (!(w = calloc(1, sizeof(*w))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	w->api = cfg->api;
	w->interval_s = cfg->interval_s ? cfg->interval_s : BH_UIMETRICS_INTERVAL_DEFAULT;
	w->sync_ms = cfg->sync_ms < 0 ? BH_UIMETRICS_SYNC_MS_DEFAULT : cfg->sync_ms;
	pthread_mutex_init(&w->cmu, NULL);
	pthread_mutex_init(&w->smu, NULL);
	/* attached first: handlers see it from their first request (the server starts after this) */
	cfg->api->metrics = w;
	if (bh_apictx_thread_start(&w->th, &w->mu, &w->cv, worker_main, w)) {
		cfg->api->metrics = NULL;
		pthread_mutex_destroy(&w->cmu);
		pthread_mutex_destroy(&w->smu);
		free(w);
		return bh_error_set(err, BH_EIO, "metrics: cannot start the counting thread");
	}
	*out = w;
	return 0;
}

void bh_uimetrics_stop(bh_uimetrics *w)
{
	if (!w)
		return;
	bh_apictx_thread_stop(w->th, &w->mu, &w->cv, &w->stop);
	w->api->metrics = NULL;
	pthread_mutex_destroy(&w->cmu);
	pthread_mutex_destroy(&w->smu);
	free(w);
}

static int load(bh_api *a, bool with_images, bh_metrics **out, bh_error *err)
{
	bh_store *st = bh_apictx_store(a);
	int rc = bh_metrics_load(st, with_images, out, err);
	bh_apictx_release(a, st);
	return rc;
}

/* counted now (or just now by another caller: then the stored copy) */
static int count_now(bh_uimetrics *w, uint64_t want, bool with_images, bh_metrics **out, bh_error *err)
{
	int rc = count(w, want, false, out, err);
	return rc == 1 ? load(w->api, with_images, out, err) : rc;
}

int bh_uimetrics_get(bh_api *a, bool with_images, bh_metrics **out, bool *stale, bh_error *err)
{
	bh_uimetrics *w = a->metrics;
	bh_metrics *m = NULL;
	uint64_t g, done;
	int64_t last_ms;
	bool have;
	int rc;
	*out = NULL;
	*stale = false;
	if (!w) {
		bh_store *st = bh_apictx_store(a);
		rc = bh_metrics_compute(st, (int64_t)time(NULL), out, err);
		bh_apictx_release(a, st);
		return rc;
	}
	g = atomic_load(&a->changes);
	pthread_mutex_lock(&w->smu);
	have = w->have;
	done = w->done;
	last_ms = w->last_ms;
	pthread_mutex_unlock(&w->smu);
	/* a small store is counted on the spot after a write: a read right after it sees it */
	if (have && g != done && last_ms < w->sync_ms)
		return count_now(w, g, with_images, out, err);
	rc = load(a, with_images, &m, err);
	/* none stored yet, or a small copy stored before this process counted (a restart) */
	if (rc == BH_ENOTFOUND || (!rc && !have && m->compute_ms < w->sync_ms)) {
		bh_metrics_free(m);
		return count_now(w, g, with_images, out, err);
	}
	if (rc)
		return rc;
	*stale = !have || g != done;
	*out = m;
	return 0;
}
