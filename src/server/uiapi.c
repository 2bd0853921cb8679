/* uiapi.c - what the dashboard reads beyond the core API: summary and trends, per-image counts, events newest first, tokens. */
#include "server/uiapi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/severity.h"
#include "server/apictx.h"
#include "server/webui.h"
#include "store/sql.h"
#include "vuln/db.h"

/*
 * The aggregates below are read-only SQL over the store's tables, written once for SQLite and
 * PostgreSQL ($N placeholders, values bound, integer division on BIGINT columns in both).
 */

#define DAY 86400
#define NSEV (BH_SEV_CRITICAL + 1)

static const char *sev_key(int rank)
{
	static const char *const names[NSEV] = { "unknown", "low", "medium", "high", "critical" };
	return rank >= 0 && rank < NSEV ? names[rank] : "unknown";
}

static int count_of(bh_store *st, const char *sql, int64_t *out, bh_error *err)
{
	*out = 0;
	return bh_sql_query_int(bh_store_sql(st), sql, NULL, 0, out, err) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- summary */

struct daybin {
	int64_t day;                  /* Unix day number */
	int64_t n, nsev[NSEV];
};

/* rows of (day, severity_rank, count) into counts per day of the window [first, first+ndays) and
 * a running total of everything before it */
static int day_rows(bh_store *st, const char *sql, int64_t first, int64_t ndays, struct daybin *bins, int64_t *before,
		    int64_t before_sev[NSEV], bh_error *err)
{
	bh_sql_rows *r;
	int rc;
	if ((rc = bh_sql_query(bh_store_sql(st), sql, NULL, 0, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		int64_t d = bh_sql_int(r, 0), rank = bh_sql_int(r, 1), n = bh_sql_int(r, 2);
		if (rank < 0 || rank >= NSEV)
			rank = 0;
		if (d < first) {
			*before += n;
			before_sev[rank] += n;
		} else if (d < first + ndays) {
			bins[d - first].n += n;
			bins[d - first].nsev[rank] += n;
		}
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

static int get_summary(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	bh_error err;
	int64_t days, today = (int64_t)time(NULL) / DAY, first;
	int64_t images = 0, hosts = 0, ctr = 0, running = 0, kev_running = 0, in_running = 0;
	int64_t open = 0, kev = 0, fixable = 0, bysev[NSEV] = { 0 };
	int64_t new_before = 0, res_before = 0, new_bsev[NSEV] = { 0 }, res_bsev[NSEV] = { 0 };
	struct daybin *nb = NULL, *rb = NULL;
	bh_sql_rows *r = NULL;
	json_t *o, *f, *sev, *trend;
	int rc = 0, i, k;

	if (bh_srv_query_int(req, resp, "days", 1, 365, 30, &days))
		return 0;
	first = today - days + 1;
	nb = calloc((size_t)days, sizeof(*nb));
	rb = calloc((size_t)days, sizeof(*rb));
	if (!nb || !rb) {
		free(nb);
		free(rb);
		return BH_ENOMEM;
	}
	st = bh_apictx_store(a);
	if (count_of(st, "SELECT count(*) FROM images", &images, &err) ||
	    count_of(st, "SELECT count(*) FROM hosts", &hosts, &err) ||
	    count_of(st, "SELECT count(*) FROM containers WHERE state <> 'removed'", &ctr, &err) ||
	    count_of(st, "SELECT count(*) FROM containers WHERE state = 'running'", &running, &err) ||
	    count_of(st,
		     "SELECT count(DISTINCT f.id) FROM findings f JOIN image_components l ON l.component_id = f.component_id"
		     " JOIN images i ON i.id = l.image_id JOIN containers c ON c.image_digest = i.digest AND c.state = 'running'"
		     " WHERE f.state = 'open' AND f.kev = 1", &kev_running, &err) ||
	    count_of(st,
		     "SELECT count(DISTINCT f.id) FROM findings f JOIN image_components l ON l.component_id = f.component_id"
		     " JOIN images i ON i.id = l.image_id JOIN containers c ON c.image_digest = i.digest AND c.state = 'running'"
		     " WHERE f.state = 'open'", &in_running, &err))
		rc = -1;
	if (!rc && (rc = bh_sql_query(bh_store_sql(st),
				      "SELECT severity_rank, count(*), sum(kev), sum(CASE WHEN fixed_version IS NOT NULL AND"
				      " fixed_version <> '' THEN 1 ELSE 0 END) FROM findings WHERE state = 'open' GROUP BY severity_rank",
				      NULL, 0, &r, &err)) == 0) {
		while ((rc = bh_sql_next(r, &err)) == 1) {
			int64_t rank = bh_sql_int(r, 0);
			bysev[rank >= 0 && rank < NSEV ? rank : 0] += bh_sql_int(r, 1);
			open += bh_sql_int(r, 1);
			kev += bh_sql_int(r, 2);
			fixable += bh_sql_int(r, 3);
		}
		bh_sql_rows_free(r);
		rc = rc < 0 ? rc : 0;
	}
	/* a reopened finding has resolved_at NULL again: it counts as open since first_seen */
	if (!rc)
		rc = day_rows(st, "SELECT first_seen / 86400, severity_rank, count(*) FROM findings GROUP BY first_seen / 86400, severity_rank",
			      first, days, nb, &new_before, new_bsev, &err);
	if (!rc)
		rc = day_rows(st,
			      "SELECT resolved_at / 86400, severity_rank, count(*) FROM findings WHERE resolved_at IS NOT NULL"
			      " AND state = 'resolved' GROUP BY resolved_at / 86400, severity_rank",
			      first, days, rb, &res_before, res_bsev, &err);
	bh_apictx_release(a, st);
	if (rc) {
		free(nb);
		free(rb);
		return bh_apictx_store_failed(resp, BH_EIO, &err);
	}
	o = json_object();
	f = json_object();
	sev = json_object();
	trend = json_array();
	for (k = 0; k < NSEV; k++)
		json_object_set_new(sev, sev_key(k), json_integer(bysev[k]));
	json_object_set_new(f, "open", json_integer(open));
	json_object_set_new(f, "kev", json_integer(kev));
	json_object_set_new(f, "fixable", json_integer(fixable));
	json_object_set_new(f, "in_running", json_integer(in_running));
	json_object_set_new(f, "kev_running", json_integer(kev_running));
	json_object_set_new(f, "by_severity", sev);
	{
		int64_t cum_new = new_before, cum_res = res_before, cn[NSEV], cr[NSEV];
		memcpy(cn, new_bsev, sizeof(cn));
		memcpy(cr, res_bsev, sizeof(cr));
		for (i = 0; i < days; i++) {
			json_t *d = json_object(), *ds = json_object();
			cum_new += nb[i].n;
			cum_res += rb[i].n;
			for (k = 0; k < NSEV; k++) {
				cn[k] += nb[i].nsev[k];
				cr[k] += rb[i].nsev[k];
				json_object_set_new(ds, sev_key(k), json_integer(cn[k] - cr[k]));
			}
			json_object_set_new(d, "day", json_integer((first + i) * DAY));
			json_object_set_new(d, "open", json_integer(cum_new - cum_res));
			json_object_set_new(d, "new", json_integer(nb[i].n));
			json_object_set_new(d, "resolved", json_integer(rb[i].n));
			json_object_set_new(d, "by_severity", ds);
			json_array_append_new(trend, d);
		}
	}
	free(nb);
	free(rb);
	{
		/* the caller's role, so the page shows admin views without asking a route that answers 403 */
		const bh_srv_principal *p = bh_srv_principal_of(req);
		json_object_set_new(o, "role", json_string(p->role == BH_SRV_ROLE_ADMIN ? "admin"
							    : p->role == BH_SRV_ROLE_OPERATOR ? "operator" : "viewer"));
	}
	json_object_set_new(o, "images", json_integer(images));
	json_object_set_new(o, "hosts", json_integer(hosts));
	json_object_set_new(o, "containers", json_pack("{s:I, s:I}", "total", (json_int_t)ctr, "running", (json_int_t)running));
	json_object_set_new(o, "findings", f);
	json_object_set_new(o, "trend", trend);
	return bh_srv_resp_json(resp, 200, o);
}

/* ---------------------------------------------------------------- per-image counts */

static int get_image_findings(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	bh_sql_rows *r;
	bh_error err;
	json_t *by = json_object(), *items = json_array();
	const char *key;
	json_t *v;
	int rc;
	(void)req;
	if (!by || !items) {
		json_decref(by);
		json_decref(items);
		return BH_ENOMEM;
	}
	st = bh_apictx_store(a);
	rc = bh_sql_query(bh_store_sql(st),
			  "SELECT i.digest, f.severity_rank, f.kev, count(DISTINCT f.id) FROM images i"
			  " JOIN image_components l ON l.image_id = i.id JOIN findings f ON f.component_id = l.component_id"
			  " WHERE f.state = 'open' GROUP BY i.digest, f.severity_rank, f.kev",
			  NULL, 0, &r, &err);
	if (!rc) {
		while ((rc = bh_sql_next(r, &err)) == 1) {
			const char *d = bh_sql_text(r, 0);
			int64_t rank = bh_sql_int(r, 1), n = bh_sql_int(r, 3);
			json_t *o;
			if (!d)
				continue;
			if (!(o = json_object_get(by, d))) {
				o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "digest", d, "total", (json_int_t)0, "kev",
					      (json_int_t)0, "critical", (json_int_t)0, "high", (json_int_t)0, "medium", (json_int_t)0,
					      "low", (json_int_t)0, "unknown", (json_int_t)0);
				if (!o || json_object_set_new(by, d, o)) {
					rc = BH_ENOMEM;
					break;
				}
			}
			json_object_set_new(o, "total", json_integer(json_integer_value(json_object_get(o, "total")) + n));
			if (bh_sql_int(r, 2))
				json_object_set_new(o, "kev", json_integer(json_integer_value(json_object_get(o, "kev")) + n));
			key = sev_key((int)rank);
			json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
		}
		bh_sql_rows_free(r);
	}
	bh_apictx_release(a, st);
	if (rc < 0 || rc == BH_ENOMEM) {
		json_decref(by);
		json_decref(items);
		return rc == BH_ENOMEM ? rc : bh_apictx_store_failed(resp, rc, &err);
	}
	json_object_foreach(by, key, v) {
		json_array_append(items, v);
	}
	json_decref(by);
	return bh_apictx_page_answer(resp, items, 0);
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

static int get_tokens(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	int64_t after, limit, next = 0;
	json_t *items;
	bh_error err;
	int rc;
	if (bh_apictx_page_args(req, resp, &after, &limit))
		return 0;
	if (!(items = json_array()))
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_store_token_list(st, after, (size_t)limit, token_cb, items, &next, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, items, next);
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
