/* uiapi.c - what the dashboard reads beyond the core API: summary and trends, per-image counts (both stored: server/uimetrics.h), events newest first, tokens. */
#include "server/uiapi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "server/apictx.h"
#include "server/uimetrics.h"
#include "server/webui.h"
#include "store/sql.h"
#include "vuln/db.h"

/*
 * The summary and the per-image counts are counted over every finding: seconds at millions of
 * them. They are read from the stored copy that server/uimetrics.h keeps current (counted after
 * writes and on an interval), with computed_at and stale in the answer.
 */


static const char *sev_key(int rank)
{
	static const char *const names[BH_METRICS_NSEV] = { "unknown", "low", "medium", "high", "critical" };
	return rank >= 0 && rank < BH_METRICS_NSEV ? names[rank] : "unknown";
}

static json_t *by_severity(const int64_t *v)
{
	json_t *o = json_object();
	int k;
	for (k = 0; o && k < BH_METRICS_NSEV; k++)
		json_object_set_new(o, sev_key(k), json_integer(v[k]));
	return o;
}

static int metrics_failed(bh_srv_resp *resp, int rc, const bh_error *err)
{
	if (rc == BH_ENOMEM)
		return rc;
	return bh_apictx_store_failed(resp, rc == BH_EUSAGE || rc == BH_EINVAL ? BH_EIO : rc, err);
}

/* ---------------------------------------------------------------- summary */

static int get_summary(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_metrics *m;
	bh_error err;
	int64_t days, i;
	json_t *o, *f, *trend;
	bool stale;
	int rc;

	if (bh_srv_query_int(req, resp, "days", 1, BH_METRICS_DAYS, 30, &days))
		return 0;
	if ((rc = bh_uimetrics_get(a, false, &m, &stale, &err)) != 0)
		return metrics_failed(resp, rc, &err);
	o = json_object();
	f = json_object();
	trend = json_array();
	if (!o || !f || !trend) {
		json_decref(o);
		json_decref(f);
		json_decref(trend);
		bh_metrics_free(m);
		return BH_ENOMEM;
	}
	json_object_set_new(f, "open", json_integer(m->open));
	json_object_set_new(f, "kev", json_integer(m->kev));
	json_object_set_new(f, "fixable", json_integer(m->fixable));
	json_object_set_new(f, "in_running", json_integer(m->in_running));
	json_object_set_new(f, "kev_running", json_integer(m->kev_running));
	json_object_set_new(f, "by_severity", by_severity(m->sev));
	/* the last `days` days of the stored window, which ends with the day it was counted */
	for (i = BH_METRICS_DAYS - days; i < BH_METRICS_DAYS; i++) {
		const bh_metrics_day *d = &m->trend[i];
		json_array_append_new(trend, json_pack("{s:I, s:I, s:I, s:I, s:o}", "day", (json_int_t)d->day, "open",
						       (json_int_t)d->open, "new", (json_int_t)d->new_, "resolved",
						       (json_int_t)d->resolved, "by_severity", by_severity(d->open_sev)));
	}
	{
		/* the caller's role, so the page shows admin views without asking a route that answers 403 */
		const bh_srv_principal *p = bh_srv_principal_of(req);
		json_object_set_new(o, "role", json_string(p->role == BH_SRV_ROLE_ADMIN ? "admin"
							    : p->role == BH_SRV_ROLE_OPERATOR ? "operator" : "viewer"));
	}
	json_object_set_new(o, "images", json_integer(m->images));
	json_object_set_new(o, "hosts", json_integer(m->hosts));
	json_object_set_new(o, "containers", json_pack("{s:I, s:I}", "total", (json_int_t)m->containers, "running",
							(json_int_t)m->running));
	json_object_set_new(o, "findings", f);
	json_object_set_new(o, "trend", trend);
	json_object_set_new(o, "computed_at", json_integer(m->computed_at));
	json_object_set_new(o, "compute_ms", json_integer(m->compute_ms));
	json_object_set_new(o, "stale", json_boolean(stale));
	bh_metrics_free(m);
	return bh_srv_resp_json(resp, 200, o);
}

/* ---------------------------------------------------------------- per-image counts */

static int get_image_findings(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_metrics *m;
	bh_error err;
	json_t *o, *items;
	bool stale;
	size_t i;
	int rc;
	(void)req;
	if ((rc = bh_uimetrics_get(a, true, &m, &stale, &err)) != 0)
		return metrics_failed(resp, rc, &err);
	o = json_object();
	items = json_array();
	if (!o || !items) {
		json_decref(o);
		json_decref(items);
		bh_metrics_free(m);
		return BH_ENOMEM;
	}
	for (i = 0; i < m->nimg; i++) {
		const bh_metrics_image *x = &m->img[i];
		json_t *it = json_pack("{s:s, s:I, s:I}", "digest", x->digest, "total", (json_int_t)x->total, "kev",
				       (json_int_t)x->kev);
		int k;
		for (k = BH_METRICS_NSEV - 1; it && k >= 0; k--)
			json_object_set_new(it, sev_key(k), json_integer(x->sev[k]));
		json_array_append_new(items, it);
	}
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "next", json_null());
	json_object_set_new(o, "computed_at", json_integer(m->computed_at));
	json_object_set_new(o, "stale", json_boolean(stale));
	bh_metrics_free(m);
	return bh_srv_resp_json(resp, 200, o);
}

/* ---------------------------------------------------------------- events, newest first */

static int get_ui_events(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	bh_sql_rows *r;
	bh_error err;
	bh_buf q = BH_BUF_INIT;
	bh_sql_value p[5];
	size_t np = 0;
	int64_t before, limit, last = 0, n = 0;
	const char *filt[3][2] = { { "container", bh_srv_query(req, "container") }, { "host", bh_srv_query(req, "host") },
				   { "type", bh_srv_query(req, "type") } };
	json_t *items;
	int rc, i;

	if (bh_srv_query_int(req, resp, "before", 1, INT64_MAX, INT64_MAX, &before) ||
	    bh_srv_query_int(req, resp, "limit", 1, 1000, BH_APICTX_LIMIT_DEFAULT, &limit))
		return 0;
	p[np++] = BH_SQL_INT(before);
	bh_buf_puts(&q, "SELECT seq, type, host, container, time, received, payload FROM events WHERE seq < $1");
	/* column names are this function's constants; the values are bound */
	for (i = 0; i < 3; i++)
		if (filt[i][1]) {
			p[np] = BH_SQL_TEXT(filt[i][1]);
			bh_buf_printf(&q, " AND %s = $%zu", filt[i][0], ++np);
		}
	p[np] = BH_SQL_INT(limit);
	bh_buf_printf(&q, " ORDER BY seq DESC LIMIT $%zu", ++np);
	if (bh_buf_oom(&q) || !(items = json_array())) {
		bh_buf_free(&q);
		return BH_ENOMEM;
	}
	st = bh_apictx_store(a);
	rc = bh_sql_query(bh_store_sql(st), q.data, p, np, &r, &err);
	if (!rc) {
		while ((rc = bh_sql_next(r, &err)) == 1) {
			json_t *o = json_object();
			last = bh_sql_int(r, 0);
			n++;
			json_object_set_new(o, "seq", json_integer(last));
			json_object_set_new(o, "type", bh_apictx_jstr(bh_sql_text(r, 1)));
			json_object_set_new(o, "host", bh_apictx_jstr(bh_sql_text(r, 2)));
			json_object_set_new(o, "container", bh_apictx_jstr(bh_sql_text(r, 3)));
			json_object_set_new(o, "time", json_integer(bh_sql_int(r, 4)));
			json_object_set_new(o, "received", json_integer(bh_sql_int(r, 5)));
			json_object_set_new(o, "payload", bh_apictx_jraw(bh_sql_text(r, 6)));
			json_array_append_new(items, o);
		}
		bh_sql_rows_free(r);
	}
	bh_apictx_release(a, st);
	bh_buf_free(&q);
	if (rc < 0) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	/* next is the `before` of the following page */
	return bh_apictx_page_answer(resp, items, n == limit ? last : 0);
}

/* ---------------------------------------------------------------- aliases (search by CVE) */

/*
 * Findings carry the advisory's own id (PYSEC-2020-102, GO-2022-0001); people search by CVE. The DB
 * keeps aliases per advisory only, so the first question after a DB swap reads every advisory once
 * into pairs sorted by key, both ways (alias -> id, id -> alias), and later questions bisect them.
 */
struct alias_pair {
	char *key, *val;
};
static struct {
	pthread_mutex_t mu;
	const void *db;            /* the DB the pairs were read from (compared, never used) */
	struct alias_pair *p;
	size_t n, cap;
} ax = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0 };

static void ax_clear(void)
{
	size_t i;
	for (i = 0; i < ax.n; i++) {
		free(ax.p[i].key);
		free(ax.p[i].val);
	}
	free(ax.p);
	ax.p = NULL;
	ax.n = ax.cap = 0;
	ax.db = NULL;
}

static int ax_push(const char *k, const char *v)
{
	if (ax.n == ax.cap) {
		size_t nc = ax.cap ? ax.cap * 2 : 4096, bytes;
		struct alias_pair *np;
		if (!bh_size_mul(nc, sizeof(*np), &bytes) || !(np = realloc(ax.p, bytes)))
			return BH_ENOMEM;
		ax.p = np;
		ax.cap = nc;
	}
	ax.p[ax.n].key = strdup(k);
	ax.p[ax.n].val = strdup(v);
	if (!ax.p[ax.n].key || !ax.p[ax.n].val) {
		free(ax.p[ax.n].key);
		free(ax.p[ax.n].val);
		return BH_ENOMEM;
	}
	ax.n++;
	return 0;
}

static int ax_each(void *arg, const bh_advisory *adv)
{
	size_t i;
	(void)arg;
	for (i = 0; adv->id && i < adv->naliases; i++)
		if (adv->aliases[i] && strcmp(adv->aliases[i], adv->id) != 0 &&
		    (ax_push(adv->aliases[i], adv->id) || ax_push(adv->id, adv->aliases[i])))
			return BH_ENOMEM;
	return 0;
}

static int ax_cmp(const void *a, const void *b)
{
	const struct alias_pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->val, y->val);
}

static int get_aliases(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const char *id = bh_srv_query(req, "id");
	bh_vulndb *db;
	bh_error err;
	json_t *rel;
	size_t lo, hi;
	int rc = 0;
	if (!id || !*id || strlen(id) > 256)
		return bh_srv_resp_error(resp, 400, "bad_request", "?id= must be an advisory id or alias (1..256 bytes)");
	if (!(rel = json_array()))
		return BH_ENOMEM;
	db = bh_apictx_vdb_lock(a);
	pthread_mutex_lock(&ax.mu);
	if (db && ax.db != (const void *)db) {
		ax_clear();
		if ((rc = bh_vulndb_each_advisory(db, ax_each, NULL, &err)) == 0) {
			qsort(ax.p, ax.n, sizeof(*ax.p), ax_cmp);
			ax.db = db;
		} else {
			ax_clear();
		}
	}
	bh_apictx_vdb_unlock(a);
	/* the first pair with this key, then every one after it */
	lo = 0;
	hi = ax.n;
	while (db && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ax.p[mid].key, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; db && lo < ax.n && !strcmp(ax.p[lo].key, id); lo++)
		if (!lo || strcmp(ax.p[lo].val, ax.p[lo - 1].val) != 0 || strcmp(ax.p[lo - 1].key, id) != 0)
			json_array_append_new(rel, json_string(ax.p[lo].val));
	pthread_mutex_unlock(&ax.mu);
	if (rc) {
		json_decref(rel);
		bh_log_error("api: aliases: %s", err.msg);
		return bh_srv_resp_error(resp, 500, "internal", "the vulnerability DB could not be read");
	}
	return bh_srv_resp_json(resp, 200, json_pack("{s:s, s:o}", "id", id, "related", rel));
}

/* ---------------------------------------------------------------- tokens */

static int token_cb(void *ud, const bh_store_token *t)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "role", bh_apictx_jstr(t->role));
	json_object_set_new(o, "name", bh_apictx_jstr(t->name));
	json_object_set_new(o, "host", bh_apictx_jstr(t->host && *t->host ? t->host : NULL));
	json_object_set_new(o, "expires", bh_apictx_jtime(t->expires));
	json_object_set_new(o, "created", bh_apictx_jtime(t->created));
	json_object_set_new(o, "last_used", bh_apictx_jtime(t->last_used));
	json_object_set_new(o, "revoked", json_boolean(t->revoked));
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int list_tokens(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		       bh_error *err)
{
	(void)args;
	return bh_store_token_list(st, after, limit, token_cb, items, next, err);
}

static int get_tokens(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_apictx_page_list(ud, req, resp, list_tokens, NULL);
}

static int revoke_token(bh_store *st, void *ud, bh_error *err)
{
	return bh_store_token_revoke(st, *(int64_t *)ud, err);
}

static int delete_token(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_error err;
	int64_t id;
	char target[32];
	int rc;
	if (bh_srv_parse_int(bh_srv_param(req, "id"), 1, INT64_MAX, &id))
		return bh_srv_resp_error(resp, 400, "bad_request", "the token id must be a positive integer");
	snprintf(target, sizeof(target), "token:%lld", (long long)id);
	rc = bh_apictx_write(ud, req, revoke_token, &id, "token.revoke", target, NULL, &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "no token with this id");
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
}

/* ---------------------------------------------------------------- the layers of an uploaded SBOM */

char *bh_uiapi_config_json(const bh_sbom *s)
{
	json_t *o, *hist, *ids;
	char *text;
	size_t i;
	if (!s || !s->nlayers)
		return NULL;
	o = json_object();
	hist = json_array();
	ids = json_array();
	if (!o || !hist || !ids) {
		json_decref(o);
		json_decref(hist);
		json_decref(ids);
		return NULL;
	}
	for (i = 0; i < s->nlayers; i++) {
		const bh_layer *l = &s->layers[i];
		json_array_append_new(hist, json_pack("{s:o}", "created_by", bh_apictx_jstr(l->created_by ? l->created_by : "")));
		json_array_append_new(ids, bh_apictx_jstr(l->diff_id ? l->diff_id : l->digest));
	}
	if (s->created)
		json_object_set_new(o, "created", bh_apictx_jstr(s->created));
	if (s->os)
		json_object_set_new(o, "os", bh_apictx_jstr(s->os));
	if (s->arch)
		json_object_set_new(o, "architecture", bh_apictx_jstr(s->arch));
	json_object_set_new(o, "rootfs", json_pack("{s:s, s:o}", "type", "layers", "diff_ids", ids));
	json_object_set_new(o, "history", hist);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* ---------------------------------------------------------------- routes */

int bh_uiapi_register(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/ui/summary", get_summary, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/ui/image-findings", get_image_findings, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/ui/events", get_ui_events, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/ui/aliases", get_aliases, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/tokens", get_tokens, a, .allow = BH_SRV_ALLOW_ADMIN },
		{ "DELETE", "/api/v1/tokens/{id}", delete_token, a, .allow = BH_SRV_ALLOW_ADMIN },
	};
	int rc;
	if ((rc = bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err)) != 0)
		return rc;
	return bh_webui_register(s, err);
}
