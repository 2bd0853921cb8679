/* netfeed.c - the agent's network map: a runtime/netmap.h map kept up to date from the engine, the sensor and netpol's byte counters, snapshotted into network.snapshot payloads bounded in edges and bytes. */
#include "agent/netfeed.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "runtime/netmap.h"
#include "runtime/netpol.h"

#define RELIST_EVERY_NS 10000000000ull /* stopped containers and label changes: the engine's events say most */

struct bh_netfeed {
	bh_netmap_live live;
	bh_netpol *np;             /* the byte counters (counting only); NULL: --no-bytes or not attachable */
	bool warned_sync;
	const char *engine_host;   /* not owned (the agent's options) */
	uint64_t interval_ns;
	size_t max_edges;
	uint64_t last_snap_ns;     /* CLOCK_MONOTONIC of the last snapshot (or the start) */
	uint64_t sent_changes;     /* bh_netmap_changes at the last snapshot */
	uint64_t snapshots, capped;
	atomic_int changed;        /* set by the engine's thread */
	bool warned_engine;
	char run[40];              /* this run of the agent: the server adds a new run's counters to the old */
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* netpol's skb hooks in counting mode; what cannot be had is said once and the map goes on without it. */
static void open_counters(bh_netfeed *nf)
{
	const bh_netpol_hook *h;
	size_t n;
	bh_error e;

	if (bh_netmap_counters_open(nf->engine_host, NULL, 0, &nf->np, &e) && !nf->np) {
		bh_log_warn("agent: network map: edges carry no byte counts: %s", e.msg);
		return;
	}
	h = bh_netpol_hooks(nf->np, &n);
	for (size_t i = 0; i < n; i++)
		if (!h[i].attached)
			bh_log_warn("agent: network map: hook %s on %s unavailable (%s: %s): %s", h[i].hook, h[i].where, h[i].stage,
				    strerror(h[i].err), h[i].loses);
}

int bh_netfeed_new(const char *engine_host, unsigned interval_s, size_t max_edges, bool count_bytes, bh_netfeed **out, bh_error *err)
{
	bh_netfeed *nf = calloc(1, sizeof(*nf));
	bh_error e;
	int rc;

	*out = NULL;
	if (!nf)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	nf->engine_host = engine_host;
	nf->interval_ns = (uint64_t)(interval_s ? interval_s : 30) * 1000000000ull;
	nf->max_edges = max_edges ? max_edges : BH_NETFEED_MAX_EDGES;
	atomic_init(&nf->changed, 0);
	snprintf(nf->run, sizeof(nf->run), "%llx-%x", (unsigned long long)time(NULL), (unsigned)getpid());
	/* the counters before the /proc scan, like the sensor: from here on no byte goes uncounted */
	if (count_bytes)
		open_counters(nf);
	rc = bh_netmap_live_open(&nf->live, engine_host, &e);
	if (rc == BH_ENOMEM || !nf->live.map) {
		bh_netmap_live_close(&nf->live);
		bh_netpol_close(nf->np);
		free(nf);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (rc < 0) {
		/* the map goes on: a later list names the containers */
		bh_log_warn("agent: network map: containers not listed yet: %s", e.msg);
		nf->warned_engine = true;
	} else {
		bh_log_info("agent: network map: %zu containers, %d open connections, a snapshot every %u s when it changed; %s", nf->live.cts.n,
			    rc, interval_s ? interval_s : 30,
			    nf->np ? "bytes counted by netpol's skb hooks (nothing enforced)" : count_bytes ? "no byte counts" : "no byte counts (--no-bytes)");
	}
	nf->last_snap_ns = mono_ns();
	*out = nf;
	return 0;
}

void bh_netfeed_event(bh_netfeed *nf, const bh_rt_event *ev, const bh_rt_container *ct)
{
	bh_error err;
	if (ev->type != BH_RT_CONNECT && ev->type != BH_RT_ACCEPT)
		return;
	/* BH_ELIMIT (the map is full) keeps what is there; nothing else to do about either */
	(void)bh_netmap_live_feed(&nf->live, ev, ct, &err);
}

void bh_netfeed_containers_changed(bh_netfeed *nf)
{
	if (nf)
		atomic_store(&nf->changed, 1);
}

/* The map as JSON within the caps: fewer edges until its text fits BH_NETFEED_MAX_BYTES. */
static json_t *snapshot(bh_netfeed *nf)
{
	size_t max = nf->max_edges, total = bh_netmap_edge_count(nf->live.map);
	for (;;) {
		json_t *p = NULL;
		size_t dropped = 0, len;
		char *txt;
		bh_error err;
		if (bh_netmap_to_json_max(nf->live.map, max, &p, &dropped, &err)) {
			bh_log_error("agent: network map: %s", err.msg);
			return NULL;
		}
		/* labels make a node's size the user's: measure the text the spool will hold */
		txt = json_dumps(p, JSON_COMPACT);
		len = txt ? strlen(txt) : 0;
		free(txt);
		if (len <= BH_NETFEED_MAX_BYTES || max <= 1) {
			json_object_set_new(p, "run", json_string(nf->run));
			if (dropped) {
				nf->capped += dropped;
				bh_log_warn("agent: network map capped: %zu of %zu edges sent (at most %zu edges and %zu bytes a snapshot; the most "
					    "recently seen kept)",
					    total - dropped, total, nf->max_edges, BH_NETFEED_MAX_BYTES);
			}
			return p;
		}
		json_decref(p);
		max = (total < max ? total : max) / 2;
		if (!max)
			max = 1;
	}
}

json_t *bh_netfeed_due(bh_netfeed *nf, uint64_t now_ns, bool final)
{
	bh_error err;
	json_t *p;
	if (atomic_exchange(&nf->changed, 0) || now_ns - nf->live.listed_ns >= RELIST_EVERY_NS) {
		int rc = bh_netmap_live_relist(&nf->live, &err);
		if (rc && !nf->warned_engine)
			bh_log_warn("agent: network map: containers not listed: %s", err.msg);
		nf->warned_engine = rc != 0;
	}
	/* connects and accepts of a container that started moments after a list, held for the next */
	(void)bh_netmap_live_flush(&nf->live, false, &err);
	if (!final && now_ns - nf->last_snap_ns < nf->interval_ns)
		return NULL;
	nf->last_snap_ns = now_ns;
	(void)bh_netmap_live_flush(&nf->live, true, &err);
	/* the counters are read when a snapshot is due: a read walks the kernel's whole map */
	if (nf->np) {
		int rc = bh_netmap_live_bytes(&nf->live, nf->np, &err);
		if (rc && rc != BH_ENOMEM && !nf->warned_sync)
			bh_log_warn("agent: network map: containers not listed for the byte counters (a container-to-container edge may "
				    "count its bytes twice until they are): %s", err.msg);
		nf->warned_sync = rc != 0 && rc != BH_ENOMEM;
	}
	if (bh_netmap_changes(nf->live.map) == nf->sent_changes)
		return NULL;
	if (!(p = snapshot(nf)))
		return NULL;
	nf->sent_changes = bh_netmap_changes(nf->live.map);
	nf->snapshots++;
	return p;
}

void bh_netfeed_counts(const bh_netfeed *nf, uint64_t *snapshots, uint64_t *capped_edges)
{
	*snapshots = nf ? nf->snapshots : 0;
	*capped_edges = nf ? nf->capped : 0;
}

void bh_netfeed_free(bh_netfeed *nf)
{
	if (!nf)
		return;
	bh_netmap_live_close(&nf->live);
	bh_netpol_close(nf->np);
	free(nf);
}
