/* rtapi.c - runtime alerts and drift from agents' sensors over the API, and each host's sensor counters in /metrics. */
#include "server/rtapi.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/text.h"
#include "server/apictx.h"
#include "server/hostapi.h"
#include "store/rtevents.h"

/* ---------------------------------------------------------------- routes */

struct event_args {
	const char *type, *host, *container;
};

static int list_rows(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		     bh_error *err)
{
	const struct event_args *e = args;
	return bh_rtevents_list(st, e->type, e->host, e->container, after, limit, bh_apictx_event_append, items, next, err);
}

static int list_events(bh_api *a, bh_srv_req *req, bh_srv_resp *resp, const char *type, const char *container)
{
	struct event_args e = { type, bh_srv_query(req, "host"), container };
	if (e.host && (!*e.host || strlen(e.host) > 255))
		return bh_srv_resp_error(resp, 400, "bad_request", "host must be 1..255 bytes");
	if (container && !bh_hostapi_container_id_ok(container))
		return bh_srv_resp_error(resp, 400, "bad_request", "a container id is 1..128 of A-Z a-z 0-9 _ . -");
	return bh_apictx_page_list(a, req, resp, list_rows, &e);
}

static int get_alerts(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return list_events(ud, req, resp, "runtime.alert", bh_srv_query(req, "container"));
}

static int get_drift(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return list_events(ud, req, resp, "drift.detected", bh_srv_param(req, "id"));
}

int bh_rtapi_register(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/runtime/alerts", get_alerts, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/containers/{id}/drift", get_drift, a, .allow = BH_SRV_ALLOW_VIEWER },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}

/* ---------------------------------------------------------------- /metrics */

struct hoststat {
	char *host;
	int64_t seq, time;
	json_t *stats; /* the runtime.stats payload */
};

/* Each host's newest runtime.stats, and the seq up to which the store was read. */
static struct {
	pthread_mutex_t mu;
	const bh_api *api;
	int64_t cursor;
	struct hoststat *v;
	size_t n, cap;
} cache = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void cache_reset(const bh_api *a)
{
	size_t i;
	for (i = 0; i < cache.n; i++) {
		free(cache.v[i].host);
		json_decref(cache.v[i].stats);
	}
	free(cache.v);
	cache.v = NULL;
	cache.n = cache.cap = 0;
	cache.cursor = 0;
	cache.api = a;
}

static int latest_cb(void *ud, int64_t seq, const char *host, int64_t t, const char *payload)
{
	json_t *p = payload ? json_loads(payload, 0, NULL) : NULL;
	size_t i;
	(void)ud;
	if (seq > cache.cursor)
		cache.cursor = seq;
	if (!host || !json_is_object(p)) {
		json_decref(p);
		return 0;
	}
	for (i = 0; i < cache.n && strcmp(cache.v[i].host, host) != 0; i++)
		;
	if (i == cache.n) {
		char *h;
		if (cache.n == BH_RTAPI_HOSTS_MAX || !(h = strdup(host))) {
			json_decref(p);
			return 0;
		}
		if (cache.n == cache.cap) {
			size_t nc = cache.cap ? cache.cap * 2 : 16;
			struct hoststat *nv = nc <= SIZE_MAX / sizeof(*nv) ? realloc(cache.v, nc * sizeof(*nv)) : NULL;
			if (!nv) {
				free(h);
				json_decref(p);
				return 0;
			}
			cache.v = nv;
			cache.cap = nc;
		}
		cache.v[i].host = h;
		cache.v[i].stats = NULL;
		cache.n++;
	}
	json_decref(cache.v[i].stats);
	cache.v[i].stats = p;
	cache.v[i].seq = seq;
	cache.v[i].time = t;
	return 0;
}

int bh_rtapi_label(bh_buf *out, const char *s)
{
	char *u = bh_text_utf8_dup(s ? s : "");
	const char *p;
	int rc = 0;
	if (!u)
		return BH_ENOMEM;
	for (p = u; *p && !rc; p++) {
		if (*p == '\\')
			rc = bh_buf_puts(out, "\\\\");
		else if (*p == '"')
			rc = bh_buf_puts(out, "\\\"");
		else if (*p == '\n')
			rc = bh_buf_puts(out, "\\n");
		else
			rc = bh_buf_putc(out, *p);
	}
	free(u);
	return rc;
}

/* A class name as the agent writes them (runtime/event.h): what else is in the payload stays out. */
static bool class_ok(const char *k)
{
	size_t n = strlen(k);
	return n && n <= 32 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* A counter's value: a non-negative JSON integer. */
static bool count_of(const json_t *v, json_int_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = json_integer_value(v);
	return true;
}

static void header(bh_buf *out, const char *name, const char *type, const char *help)
{
	bh_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{host="H"[,k2="v2"][,k3="v3"]} value */
static void sample(bh_buf *out, const char *name, const char *host, const char *k2, const char *v2, const char *k3,
		   const char *v3, json_int_t value)
{
	bh_buf_printf(out, "%s{host=\"", name);
	bh_rtapi_label(out, host);
	if (k2) {
		bh_buf_printf(out, "\",%s=\"", k2);
		bh_rtapi_label(out, v2);
	}
	if (k3) {
		bh_buf_printf(out, "\",%s=\"", k3);
		bh_rtapi_label(out, v3);
	}
	bh_buf_printf(out, "\"} %" PRId64 "\n", (int64_t)value);
}

/* One sample per class (label) of the host's stats object key. */
static void per_class(bh_buf *out, const char *name, const char *key, const char *label)
{
	size_t i;
	for (i = 0; i < cache.n; i++) {
		const json_t *o = json_object_get(cache.v[i].stats, key), *v;
		const char *k;
		size_t nc = 0;
		json_int_t n;
		json_object_foreach((json_t *)o, k, v) {
			if (nc++ == BH_RTAPI_CLASSES_MAX)
				break;
			if (class_ok(k) && count_of(v, &n))
				sample(out, name, cache.v[i].host, label, k, NULL, NULL, n);
		}
	}
}

static void per_container(bh_buf *out)
{
	size_t i, j;
	for (i = 0; i < cache.n; i++) {
		const json_t *arr = json_object_get(cache.v[i].stats, "drops_by_container"), *row;
		json_array_foreach((json_t *)arr, j, row) {
			const char *id = json_string_value(json_object_get(row, "container")), *k;
			const json_t *v;
			size_t nc = 0;
			json_int_t n;
			if (j == BH_RTAPI_CONTAINERS_MAX)
				break;
			if (!id || strlen(id) > 256)
				continue;
			json_object_foreach(json_object_get(row, "drops"), k, v) {
				if (nc++ == BH_RTAPI_CLASSES_MAX)
					break;
				if (class_ok(k) && count_of(v, &n))
					sample(out, "bulkhead_sensor_drops_container_total", cache.v[i].host, "container", *id ? id : "host",
					       "class", k, n);
			}
		}
	}
}

void bh_rtapi_gauges(bh_api *a, bh_buf *out)
{
	bh_store *st;
	bh_error err;
	size_t i;
	int rc;
	pthread_mutex_lock(&cache.mu);
	if (cache.api != a)
		cache_reset(a);
	/* only what arrived since the last scrape is read */
	st = bh_apictx_store(a);
	rc = bh_rtevents_latest(st, "runtime.stats", cache.cursor, latest_cb, NULL, &err);
	bh_apictx_release(a, st);
	if (rc)
		bh_log_warn("api: runtime stats for /metrics: %s", err.msg);
	if (!cache.n) {
		pthread_mutex_unlock(&cache.mu);
		return;
	}
	header(out, "bulkhead_sensor_up", "gauge", "1 when the host's agent runs the eBPF sensor, 0 when it could not start it (latest runtime.stats).");
	for (i = 0; i < cache.n; i++)
		sample(out, "bulkhead_sensor_up", cache.v[i].host, NULL, NULL, NULL, NULL,
		       json_is_true(json_object_get(cache.v[i].stats, "available")) ? 1 : 0);
	header(out, "bulkhead_sensor_report_time_seconds", "gauge", "Unix time of the host's latest runtime.stats.");
	for (i = 0; i < cache.n; i++)
		sample(out, "bulkhead_sensor_report_time_seconds", cache.v[i].host, NULL, NULL, NULL, NULL, (json_int_t)cache.v[i].time);
	header(out, "bulkhead_sensor_hooks_attached", "gauge", "Kernel hooks the host's sensor attached.");
	for (i = 0; i < cache.n; i++) {
		json_int_t n;
		if (count_of(json_object_get(json_object_get(cache.v[i].stats, "hooks"), "attached"), &n))
			sample(out, "bulkhead_sensor_hooks_attached", cache.v[i].host, NULL, NULL, NULL, NULL, n);
	}
	header(out, "bulkhead_sensor_events_total", "counter", "Events the host's sensor decoded since its agent started, per class.");
	per_class(out, "bulkhead_sensor_events_total", "events", "class");
	header(out, "bulkhead_sensor_drops_total", "counter", "Events the host's kernel dropped (ring buffer full) since its agent started, per class.");
	per_class(out, "bulkhead_sensor_drops_total", "drops", "class");
	header(out, "bulkhead_sensor_drops_container_total", "counter",
	       "Events dropped in the kernel per container and class (container=\"host\": the host's own cgroups).");
	per_container(out);
	header(out, "bulkhead_runtime_suppressed_total", "counter",
	       "Alerts and drift reports the agent held back (per-container rate bound), per kind.");
	per_class(out, "bulkhead_runtime_suppressed_total", "suppressed", "kind");
	pthread_mutex_unlock(&cache.mu);
}
