/* api.c - the /api/v1 routes of `bulkhead serve`: JSON over the store, writes audited and checked by role and host. */
#include "server/api.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/container.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/severity.h"
#include "report/report.h"
#include "sbom/sbomread.h"
#include "server/apictx.h"
#include "server/blapi.h"
#include "server/envelope.h"
#include "server/hostapi.h"
#include "server/exceptapi.h"
#include "server/notify.h"
#include "server/tracker.h"
#include "server/regwatch.h"
#include "server/rtapi.h"
#include "server/uiapi.h"
#include "server/rescore.h"
#include "vuln/db.h"
#include "vuln/match.h"

/* Findings summarised for one image (pages of BH_STORE_LIMIT_MAX). */
#define SUMMARY_PAGES 100


/* ---------------------------------------------------------------- life */

int bh_api_new(const bh_api_config *cfg, bh_api **out, bh_error *err)
{
	bh_api *a;
	bh_limits lim;
	size_t n;
	int rc = 0;
	*out = NULL;
	if (!cfg || (!cfg->store && !cfg->store_url && !cfg->data_dir))
		return bh_error_set(err, BH_EUSAGE, "api: no store");
	n = cfg->pool ? cfg->pool : BH_API_POOL_DEFAULT;
	if (n > BH_API_POOL_MAX)
		n = BH_API_POOL_MAX;
	if (!(a = calloc(1, sizeof(*a))) || !(a->idle = calloc(n, sizeof(bh_store *)))) {
		free(a);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	bh_limits_default(&lim);
	a->max_json_depth = lim.max_json_depth;
	a->net_retention_s = cfg->network_retention_s > 0 ? cfg->network_retention_s : 0;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	pthread_mutex_init(&a->vmu, NULL);
	atomic_init(&a->changes, 0);
	if (cfg->store) {
		a->borrowed = cfg->store;
		a->idle[a->nidle++] = cfg->store;
	}
	/* more connections only when the API knows where the store is */
	while (!rc && a->nidle < n && (cfg->store_url || cfg->data_dir)) {
		bh_store *st;
		rc = cfg->store_url ? bh_store_open(cfg->store_url, &st, err) : bh_store_open_dir(cfg->data_dir, &st, err);
		if (!rc)
			a->idle[a->nidle++] = st;
	}
	a->npool = a->nidle;
	if (!rc && a->nidle)
		snprintf(a->backend, sizeof(a->backend), "%s", bh_sql_backend_name(bh_store_sql(a->idle[0])));
	if (!rc && cfg->vuln_db) {
		if ((rc = bh_vulndb_open(cfg->vuln_db, &a->vdb, err)) == 0 && !(a->vdb_path = strdup(cfg->vuln_db)))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (rc) {
		bh_api_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void bh_api_free(bh_api *a)
{
	size_t i;
	if (!a)
		return;
	/* every connection is back in the pool: the server was freed before */
	for (i = 0; i < a->nidle; i++)
		if (a->idle[i] != a->borrowed)
			bh_store_close(a->idle[i]);
	free(a->idle);
	if (a->vdb)
		bh_vulndb_close(a->vdb);
	free(a->vdb_path);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->vmu);
	free(a);
}

const char *bh_api_backend(const bh_api *a) { return a->backend; }
int bh_api_authenticate(void *ud, const char *token, bh_srv_principal *p)
{
	bh_api *a = ud;
	bh_store *st;
	bh_store_auth who;
	bh_error err;
	int rc;
	st = bh_apictx_store(a);
	rc = bh_store_token_check(st, token, (int64_t)time(NULL), &who, &err);
	bh_apictx_release(a, st);
	if (rc == BH_EAUTH)
		return BH_EAUTH;
	if (rc) {
		bh_log_warn("api: token check: %s", err.msg);
		return rc;
	}
	memset(p, 0, sizeof(*p));
	if (!strcmp(who.role, "viewer"))
		p->role = BH_SRV_ROLE_VIEWER;
	else if (!strcmp(who.role, "operator"))
		p->role = BH_SRV_ROLE_OPERATOR;
	else if (!strcmp(who.role, "admin"))
		p->role = BH_SRV_ROLE_ADMIN;
	else if (!strcmp(who.role, "agent"))
		p->role = BH_SRV_ROLE_AGENT;
	else
		return BH_EAUTH;
	p->id = who.id;
	snprintf(p->name, sizeof(p->name), "%.63s", who.name);
	snprintf(p->host, sizeof(p->host), "%.127s", who.host);
	return 0;
}

void bh_api_gauges(void *ud, bh_buf *out)
{
	bh_api *a = ud;
	bh_store *st;
	static const char *const tables[][2] = { { "images", "images" }, { "components", "components" },
						 { "containers", "containers" }, { "events", "events" },
						 { "findings", "findings" }, { "hosts", "hosts" } };
	char q[64], lbl[64];
	size_t i;
	st = bh_apictx_store(a);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int64_t n = 0;
		bh_error err;
		/* table names are constants of this file, never input */
		snprintf(q, sizeof(q), "SELECT count(*) FROM %s", tables[i][0]);
		if (bh_sql_query_int(bh_store_sql(st), q, NULL, 0, &n, &err) < 0)
			continue;
		snprintf(lbl, sizeof(lbl), "table=\"%s\"", tables[i][1]);
		bh_srv_metrics_gauge(out, "bulkhead_store_rows", "Rows in the store per table", lbl, (double)n);
	}
	/* the work queue several servers share: what waits and what runs */
	for (i = 0; i < 2; i++) {
		static const char *const states[] = { "queued", "running" };
		int64_t n = 0;
		bh_error err;
		bh_sql_value v = BH_SQL_TEXT(states[i]);
		if (bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM jobs WHERE state = $1", &v, 1, &n, &err) < 0)
			continue;
		snprintf(lbl, sizeof(lbl), "state=\"%s\"", states[i]);
		bh_srv_metrics_gauge(out, "bulkhead_jobs", "Jobs in the shared work queue per state", lbl, (double)n);
	}
	bh_apictx_release(a, st);
	bh_rtapi_gauges(a, out);
}

/* ---------------------------------------------------------------- hosts */

static int host_cb(void *ud, const bh_store_host *h)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "id", json_integer(h->id));
	json_object_set_new(o, "name", bh_apictx_jstr(h->name));
	json_object_set_new(o, "os", bh_apictx_jstr(h->os));
	json_object_set_new(o, "kernel", bh_apictx_jstr(h->kernel));
	json_object_set_new(o, "engine", bh_apictx_jstr(h->engine));
	json_object_set_new(o, "engine_version", bh_apictx_jstr(h->engine_version));
	json_object_set_new(o, "facts", bh_apictx_jraw(h->facts_json));
	json_object_set_new(o, "first_seen", bh_apictx_jtime(h->first_seen));
	json_object_set_new(o, "last_seen", bh_apictx_jtime(h->last_seen));
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int list_hosts(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		      bh_error *err)
{
	(void)args;
	return bh_store_host_list(st, after, limit, host_cb, items, next, err);
}

static int get_hosts(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_apictx_page_list(ud, req, resp, list_hosts, NULL);
}

/* ---------------------------------------------------------------- images */

static json_t *image_json(const bh_store_image *i)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(i->id));
	json_object_set_new(o, "digest", bh_apictx_jstr(i->digest));
	json_object_set_new(o, "repo_tags", bh_apictx_jraw(i->repo_tags_json));
	json_object_set_new(o, "registry", bh_apictx_jstr(i->registry));
	json_object_set_new(o, "labels", bh_apictx_jraw(i->labels_json));
	json_object_set_new(o, "config", bh_apictx_jraw(i->config_json));
	json_object_set_new(o, "os", bh_apictx_jstr(i->os));
	json_object_set_new(o, "arch", bh_apictx_jstr(i->arch));
	json_object_set_new(o, "distro", bh_apictx_jstr(i->distro));
	json_object_set_new(o, "distro_version", bh_apictx_jstr(i->distro_version));
	json_object_set_new(o, "components", json_integer(i->ncomponents));
	json_object_set_new(o, "has_sbom", json_boolean(i->has_sbom));
	json_object_set_new(o, "first_seen", bh_apictx_jtime(i->first_seen));
	json_object_set_new(o, "last_seen", bh_apictx_jtime(i->last_seen));
	return o;
}

static int image_cb(void *ud, const bh_store_image *i)
{
	json_t *o = image_json(i);
	return !o || json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int list_images(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		       bh_error *err)
{
	(void)args;
	return bh_store_image_list(st, after, limit, image_cb, items, next, err);
}

static int get_images(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_apictx_page_list(ud, req, resp, list_images, NULL);
}

static int image_one_cb(void *ud, const bh_store_image *i)
{
	json_t **o = ud;
	*o = image_json(i);
	return *o ? 0 : BH_ENOMEM;
}

struct summary {
	int64_t total, kev, fixable, by_sev[BH_SEV_CRITICAL + 1];
};

static int summary_cb(void *ud, const bh_store_finding *f)
{
	struct summary *s = ud;
	bh_severity v = bh_severity_parse(f->severity ? f->severity : "");
	s->total++;
	s->kev += f->kev;
	s->fixable += f->fixed_version && *f->fixed_version;
	s->by_sev[(unsigned)v <= BH_SEV_CRITICAL ? v : BH_SEV_UNKNOWN]++;
	return 0;
}

static int check_cb(void *ud, const bh_store_check *c)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "rule_id", bh_apictx_jstr(c->rule_id));
	json_object_set_new(o, "target", bh_apictx_jstr(c->target));
	json_object_set_new(o, "severity", bh_apictx_jstr(c->severity));
	json_object_set_new(o, "title", bh_apictx_jstr(c->title));
	json_object_set_new(o, "detail", bh_apictx_jstr(c->detail));
	json_object_set_new(o, "updated_at", bh_apictx_jtime(c->updated_at));
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int get_image(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	static const char *const accepted_vals[] = { "false", "true", "only", NULL };
	bh_api *a = ud;
	bh_store *st;
	const char *digest = bh_srv_param(req, "digest");
	json_t *img = NULL, *checks, *sum, *sev;
	struct summary s;
	bh_store_filter f;
	bh_error err;
	int64_t after = 0, next = 0;
	unsigned pages = 0;
	int rc, acc;
	unsigned v;

	/* the image's checks of an accepted rule: hidden (false), shown with the exception (true), only them */
	if (bh_srv_query_enum(req, resp, "accepted", accepted_vals, 0, &acc))
		return 0;
	if (!(checks = json_array()))
		return BH_ENOMEM;
	memset(&s, 0, sizeof(s));
	memset(&f, 0, sizeof(f));
	f.image_digest = digest;
	st = bh_apictx_store(a);
	rc = bh_store_image_get(st, digest, image_one_cb, &img, &err);
	if (rc == 1) {
		do {
			rc = bh_store_finding_list(st, &f, after, BH_STORE_LIMIT_MAX, summary_cb, &s, &next, &err);
			after = next;
		} while (!rc && next && ++pages < SUMMARY_PAGES);
		if (!rc)
			rc = bh_store_check_list(st, digest, check_cb, checks, &err);
		if (!rc)
			rc = bh_exceptapi_checks(st, checks, digest, acc, (int64_t)time(NULL), &err);
		if (!rc)
			rc = 1;
	}
	bh_apictx_release(a, st);
	if (rc != 1) {
		json_decref(checks);
		json_decref(img);
		if (rc == 0)
			return bh_srv_resp_error(resp, 404, "not_found", "no image with this digest");
		return bh_apictx_store_failed(resp, rc, &err);
	}
	if (!img) {
		json_decref(checks);
		return BH_ENOMEM;
	}
	sum = json_object();
	sev = json_object();
	for (v = 0; v <= BH_SEV_CRITICAL; v++) {
		char low[16];
		const char *n = bh_severity_name((bh_severity)v);
		size_t k;
		for (k = 0; n[k] && k + 1 < sizeof(low); k++)
			low[k] = (char)tolower((unsigned char)n[k]);
		low[k] = '\0';
		json_object_set_new(sev, low, json_integer(s.by_sev[v]));
	}
	json_object_set_new(sum, "total", json_integer(s.total));
	json_object_set_new(sum, "kev", json_integer(s.kev));
	json_object_set_new(sum, "fixable", json_integer(s.fixable));
	json_object_set_new(sum, "by_severity", sev);
	json_object_set_new(img, "findings", sum);
	json_object_set_new(img, "checks", checks);
	return bh_srv_resp_json(resp, 200, img);
}

static json_t *component_json(const bh_store_component *c)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "purl", bh_apictx_jstr(c->purl));
	json_object_set_new(o, "ecosystem", bh_apictx_jstr(c->eco));
	json_object_set_new(o, "name", bh_apictx_jstr(c->name));
	json_object_set_new(o, "namespace", bh_apictx_jstr(c->namespace_));
	json_object_set_new(o, "version", bh_apictx_jstr(c->version));
	json_object_set_new(o, "arch", bh_apictx_jstr(c->arch));
	json_object_set_new(o, "src_name", bh_apictx_jstr(c->src_name));
	json_object_set_new(o, "src_version", bh_apictx_jstr(c->src_version));
	json_object_set_new(o, "license", bh_apictx_jstr(c->license));
	json_object_set_new(o, "path", bh_apictx_jstr(c->path));
	json_object_set_new(o, "layer", json_integer(c->layer));
	return o;
}

static int component_cb(void *ud, const bh_store_component *c)
{
	json_t *o = component_json(c);
	return !o || json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int noop_image_cb(void *ud, const bh_store_image *i)
{
	(void)ud; (void)i;
	return 0;
}

static int list_components(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
			   bh_error *err)
{
	int rc = bh_store_image_get(st, args, noop_image_cb, NULL, err);
	if (rc == 0)
		return bh_error_set(err, BH_ENOTFOUND, "no image with this digest");
	if (rc < 0)
		return rc;
	return bh_store_image_components(st, args, after, limit, component_cb, items, next, err);
}

static int get_image_components(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_apictx_page_list(ud, req, resp, list_components, bh_srv_param(req, "digest"));
}

/* ---- SBOM download: the stored components back into a bh_sbom, written by report/ ---- */

struct rebuild {
	bh_sbom *s;
	int rc;
};

static int rebuild_cb(void *ud, const bh_store_component *c)
{
	struct rebuild *rb = ud;
	bh_component *x = bh_complist_add(&rb->s->comps, bh_ecosystem_parse(c->eco));
	if (!x)
		return rb->rc = BH_ENOMEM;
	if (bh_component_set(&x->name, c->name, (size_t)-1) || bh_component_set(&x->namespace, c->namespace_, (size_t)-1) ||
	    bh_component_set(&x->version, c->version, (size_t)-1) || bh_component_set(&x->arch, c->arch, (size_t)-1) ||
	    bh_component_set(&x->src_name, c->src_name, (size_t)-1) ||
	    bh_component_set(&x->src_version, c->src_version, (size_t)-1) ||
	    bh_component_set(&x->license, c->license, (size_t)-1) || bh_component_set(&x->path, c->path, (size_t)-1) ||
	    bh_component_set(&x->purl, c->purl, (size_t)-1))
		return rb->rc = BH_ENOMEM;
	x->layer = c->layer;
	return 0;
}

static int meta_cb(void *ud, const bh_store_image *i)
{
	bh_sbom *s = ud;
	json_t *tags = bh_apictx_jraw(i->repo_tags_json);
	size_t k;
	json_t *t;
	if ((i->os && !(s->os = strdup(i->os))) || (i->arch && !(s->arch = strdup(i->arch))))
		return BH_ENOMEM;
	if ((i->distro && !(s->osinfo.family = strdup(i->distro))) ||
	    (i->distro_version && !(s->osinfo.version = strdup(i->distro_version))))
		return BH_ENOMEM;
	if (json_is_array(tags))
		json_array_foreach(tags, k, t)
			if (json_is_string(t) && bh_strv_push(&s->repo_tags, &s->nrepo_tags, json_string_value(t))) {
				json_decref(tags);
				return BH_ENOMEM;
			}
	json_decref(tags);
	return 0;
}

static int get_image_sbom(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	static const char *const fmts[] = { "cyclonedx", "spdx", NULL };
	bh_api *a = ud;
	bh_store *st;
	const char *digest = bh_srv_param(req, "digest");
	struct rebuild rb;
	bh_sbom s;
	bh_error err;
	int64_t after = 0, next = 0;
	char *text = NULL;
	size_t tlen = 0;
	FILE *fp;
	int which, rc;

	if (bh_srv_query_enum(req, resp, "format", fmts, 0, &which))
		return 0;
	bh_sbom_init(&s);
	rb.s = &s;
	rb.rc = 0;
	st = bh_apictx_store(a);
	rc = bh_store_image_get(st, digest, meta_cb, &s, &err);
	if (rc == 1) {
		do {
			rc = bh_store_image_components(st, digest, after, BH_STORE_LIMIT_MAX, rebuild_cb, &rb, &next, &err);
			after = next;
		} while (!rc && next);
		if (!rc)
			rc = 1;
	}
	bh_apictx_release(a, st);
	if (rc != 1) {
		bh_sbom_free(&s);
		if (rc == 0)
			return bh_srv_resp_error(resp, 404, "not_found", "no image with this digest");
		return rb.rc ? rb.rc : bh_apictx_store_failed(resp, rc, &err);
	}
	if (!(s.name = strdup(s.nrepo_tags ? s.repo_tags[0] : digest)) || !(s.manifest_digest = strdup(digest)) ||
	    !(s.kind = strdup("sbom"))) {
		bh_sbom_free(&s);
		return BH_ENOMEM;
	}
	if (!(fp = open_memstream(&text, &tlen))) {
		bh_sbom_free(&s);
		return BH_ENOMEM;
	}
	rc = bh_report_write(&s, which == 0 ? BH_FORMAT_CYCLONEDX : BH_FORMAT_SPDX, fp, &err);
	if (fclose(fp) && !rc)
		rc = BH_EIO;
	bh_sbom_free(&s);
	if (rc) {
		free(text);
		bh_log_error("api: sbom of %s: %s", digest, err.msg);
		return bh_srv_resp_error(resp, 500, "internal", "the SBOM could not be written");
	}
	rc = bh_srv_resp_data(resp, 200, which == 0 ? "application/vnd.cyclonedx+json" : "application/spdx+json", text, tlen);
	free(text);
	return rc;
}

/* POST /api/v1/images?digest=D: the body is an SBOM document (bulkhead JSON, CycloneDX, SPDX). */
static int post_image(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	const char *digest = bh_srv_query(req, "digest"), *body;
	size_t len, skipped = 0, i, nfind = 0;
	bh_limits lim;
	bh_sbom s;
	bh_findings fs;
	bh_match_opts mo;
	bh_vulndb *vdb;
	bh_error err;
	bool is_new = false;
	char detail[160];
	bh_store_image meta;
	char *cfg;
	int rc;
	json_t *o;

	body = bh_srv_body(req, &len);
	if (!len)
		return bh_srv_resp_error(resp, 400, "bad_request", "the body must be an SBOM document (bulkhead sbom -f json or -f cyclonedx)");
	bh_limits_default(&lim);
	bh_sbom_init(&s);
	memset(&fs, 0, sizeof(fs));
	if ((rc = bh_sbom_read_mem(body, len, "request body", &lim, &s, &err)) != 0) {
		bh_sbom_free(&s);
		if (rc == BH_ENOMEM)
			return rc;
		return bh_srv_resp_error(resp, rc == BH_ELIMIT ? 413 : 400, rc == BH_ELIMIT ? "too_large" : "bad_sbom", "%s", err.msg);
	}
	if (!digest)
		digest = s.manifest_digest ? s.manifest_digest : s.image_id;
	if (!bh_apictx_digest_ok(digest)) {
		bh_sbom_free(&s);
		return bh_srv_resp_error(resp, 400, "bad_digest",
					 "?digest= must be sha256:<64 lowercase hex> (or sha512); the SBOM names no image digest");
	}
	memset(&mo, 0, sizeof(mo));
	vdb = bh_apictx_vdb_lock(a);
	rc = vdb ? bh_match(vdb, &s, &mo, &fs, &err) : 0;
	bh_apictx_vdb_unlock(a);
	if (rc) {
		bh_findings_free(&fs);
		bh_sbom_free(&s);
		bh_log_error("api: match: %s", err.msg);
		return bh_srv_resp_error(resp, 500, "internal", "matching the SBOM failed");
	}
	/* the SBOM's layers (created_by, diff_id) kept as the image's config: the dashboard shows them */
	memset(&meta, 0, sizeof(meta));
	meta.config_json = cfg = bh_uiapi_config_json(&s);
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc)
		rc = bh_store_image_put_sbom(st, digest, &s, &meta, 0, (int64_t)time(NULL), &is_new, &skipped, &err);
	free(cfg);
	/* findings only for a digest seen the first time: the same digest has the same components */
	for (i = 0; !rc && is_new && i < fs.n; i++) {
		const bh_finding *x = &fs.items[i];
		const bh_component *c = x->comp < s.comps.n ? s.comps.items[x->comp] : NULL;
		bh_sql_value p = BH_SQL_TEXT(c ? c->purl : NULL);
		int64_t cid = 0;
		char sev[16];
		bh_store_change chg;
		size_t k;
		const char *sn = bh_severity_name(x->severity);
		if (!c || !c->purl)
			continue;
		if ((rc = bh_sql_query_int(bh_store_sql(st), "SELECT id FROM components WHERE purl = $1", &p, 1, &cid, &err)) < 0)
			break;
		rc = 0;
		if (!cid)
			continue;
		for (k = 0; sn[k] && k + 1 < sizeof(sev); k++)
			sev[k] = (char)tolower((unsigned char)sn[k]);
		sev[k] = '\0';
		if ((rc = bh_store_finding_put(st, cid, x->id, sev, x->kev, x->fixed, NULL, (int64_t)time(NULL), &chg, &err)) == 0)
			nfind++;
	}
	snprintf(detail, sizeof(detail), "new=%s components=%zu skipped=%zu findings=%zu", is_new ? "true" : "false",
		 s.comps.n, skipped, nfind);
	if (!rc)
		rc = bh_apictx_audit(st, req, "image.put", digest, detail, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	if (!rc)
		bh_apictx_changed(a);
	if (!rc && nfind) {
		/* the new findings get their risk now; a failure leaves them unscored (risk 0) until the
		 * next re-evaluation or POST /api/v1/findings/rescore, which the log says */
		bh_error rerr;
		bh_vulndb *rv = bh_apictx_vdb_lock(a);
		if (bh_rescore_run(st, rv, true, NULL, &rerr) != 0)
			bh_log_warn("api: risk scores of %s: %s", digest, rerr.msg);
		bh_apictx_vdb_unlock(a);
	}
	bh_apictx_release(a, st);
	if (rc) {
		bh_findings_free(&fs);
		bh_sbom_free(&s);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	o = json_pack("{s:s, s:b, s:I, s:I, s:I}", "digest", digest, "new", is_new, "components", (json_int_t)s.comps.n,
		      "skipped", (json_int_t)skipped, "findings", (json_int_t)nfind);
	bh_findings_free(&fs);
	bh_sbom_free(&s);
	return bh_srv_resp_json(resp, is_new ? 201 : 200, o);
}

/* ---------------------------------------------------------------- containers */

static int container_cb(void *ud, const bh_store_container *c)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "host", bh_apictx_jstr(c->host));
	json_object_set_new(o, "container_id", bh_apictx_jstr(c->container_id));
	json_object_set_new(o, "image_digest", bh_apictx_jstr(c->image_digest));
	json_object_set_new(o, "name", bh_apictx_jstr(c->name));
	json_object_set_new(o, "state", bh_apictx_jstr(c->state));
	json_object_set_new(o, "config", bh_apictx_jraw(c->config_json));
	json_object_set_new(o, "created_at", bh_apictx_jtime(c->created_at));
	json_object_set_new(o, "started_at", bh_apictx_jtime(c->started_at));
	json_object_set_new(o, "stopped_at", bh_apictx_jtime(c->stopped_at));
	json_object_set_new(o, "updated_at", bh_apictx_jtime(c->updated_at));
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

struct container_args {
	const char *host, *image;
	bool running;
};

static int list_containers(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
			   bh_error *err)
{
	const struct container_args *c = args;
	return bh_store_container_list(st, c->host, c->image, c->running, after, limit, container_cb, items, next, err);
}

static int get_containers(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	struct container_args c = { bh_srv_query(req, "host"), bh_srv_query(req, "image"), false };
	if (bh_srv_query_bool(req, resp, "running", false, &c.running))
		return 0;
	return bh_apictx_page_list(ud, req, resp, list_containers, &c);
}

/* ---------------------------------------------------------------- findings */

static int finding_cb(void *ud, const bh_store_finding *f)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "id", json_integer(f->id));
	json_object_set_new(o, "component_id", json_integer(f->component_id));
	json_object_set_new(o, "purl", bh_apictx_jstr(f->purl));
	json_object_set_new(o, "ecosystem", bh_apictx_jstr(f->eco));
	json_object_set_new(o, "package", bh_apictx_jstr(f->package));
	json_object_set_new(o, "version", bh_apictx_jstr(f->version));
	json_object_set_new(o, "advisory", bh_apictx_jstr(f->advisory));
	json_object_set_new(o, "severity", bh_apictx_jstr(f->severity));
	json_object_set_new(o, "fixed_version", bh_apictx_jstr(f->fixed_version));
	json_object_set_new(o, "kev", json_boolean(f->kev));
	json_object_set_new(o, "state", bh_apictx_jstr(f->state));
	json_object_set_new(o, "db_version", bh_apictx_jstr(f->db_version));
	json_object_set_new(o, "first_seen", bh_apictx_jtime(f->first_seen));
	json_object_set_new(o, "updated_at", bh_apictx_jtime(f->updated_at));
	json_object_set_new(o, "resolved_at", bh_apictx_jtime(f->resolved_at));
	{
		/* the stored terms as they were written; [] until the finding is scored */
		json_t *terms = f->risk_terms_json ? json_loads(f->risk_terms_json, 0, NULL) : NULL;
		json_object_set_new(o, "risk", json_pack("{s:i, s:o}", "score", f->risk, "terms", json_is_array(terms) ? terms : json_array()));
		if (terms && !json_is_array(terms))
			json_decref(terms);
	}
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

struct finding_args {
	bh_store_filter f;
	int acc; /* accepted risks: 0 hidden, 1 shown with what accepted them, 2 only them */
};

static int list_findings(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
			 bh_error *err)
{
	const struct finding_args *fa = args;
	int rc = bh_store_finding_list(st, &fa->f, after, limit, finding_cb, items, next, err);
	if (!rc && fa->acc)
		rc = bh_exceptapi_annotate(st, items, fa->f.image_digest, fa->f.now, err);
	return rc;
}

static int get_findings(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	static const char *const sevs[] = { "unknown", "low", "medium", "high", "critical", NULL };
	static const char *const accepted_vals[] = { "false", "true", "only", NULL };
	static const char *const sorts[] = { "risk", "id", NULL };
	struct finding_args fa;
	bh_store_filter *f = &fa.f;
	int sev, sort;
	bool b;
	memset(&fa, 0, sizeof(fa));
	if (bh_srv_query_enum(req, resp, "severity", sevs, -1, &sev))
		return 0;
	if (sev >= 0)
		f->min_severity = sevs[sev];
	if (bh_srv_query_enum(req, resp, "sort", sorts, 0, &sort))
		return 0;
	f->by_risk = sort == 0;
	if (bh_srv_query(req, "kev")) {
		if (bh_srv_query_bool(req, resp, "kev", false, &b))
			return 0;
		f->kev = b ? 1 : -1;
	}
	if (bh_srv_query(req, "fix")) {
		if (bh_srv_query_bool(req, resp, "fix", false, &b))
			return 0;
		f->fix = b ? 1 : -1;
	}
	if (bh_srv_query_bool(req, resp, "running", false, &f->running_only) ||
	    bh_srv_query_bool(req, resp, "resolved", false, &f->include_resolved))
		return 0;
	f->ecosystem = bh_srv_query(req, "ecosystem");
	f->package = bh_srv_query(req, "package");
	f->advisory = bh_srv_query(req, "advisory");
	f->image_digest = bh_srv_query(req, "image");
	if (bh_srv_query_enum(req, resp, "accepted", accepted_vals, 0, &fa.acc))
		return 0;
	f->accepted = fa.acc == 0 ? 0 : fa.acc == 1 ? -1 : 1;
	f->now = (int64_t)time(NULL);
	return bh_apictx_page_list(ud, req, resp, list_findings, &fa);
}

/* POST /api/v1/findings/rescore: every open finding scored again now (admin). */
static int post_rescore(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	bh_vulndb *vdb;
	size_t n = 0;
	char detail[64];
	bh_error err;
	int rc;
	st = bh_apictx_store(a);
	vdb = bh_apictx_vdb_lock(a);
	rc = bh_rescore_run(st, vdb, false, &n, &err);
	bh_apictx_vdb_unlock(a);
	snprintf(detail, sizeof(detail), "scored=%zu", n);
	if (!rc)
		rc = bh_apictx_audit(st, req, "findings.rescore", NULL, detail, &err);
	bh_apictx_release(a, st);
	if (n)
		bh_apictx_changed(a);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:I}", "scored", (json_int_t)n));
}

/* ---------------------------------------------------------------- advisories */

struct affected {
	json_t *rows, *images, *containers;
	size_t nrows;
};

/* true when arr holds an object whose key equals v */
static bool has_value(json_t *arr, const char *key, const char *v, const char *key2, const char *v2)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		const char *a = json_string_value(json_object_get(o, key));
		const char *b = key2 ? json_string_value(json_object_get(o, key2)) : NULL;
		if (a && !strcmp(a, v) && (!key2 || (b && v2 && !strcmp(b, v2))))
			return true;
	}
	return false;
}

#define AFFECTED_MAX 10000

static int affected_cb(void *ud, const bh_store_affected *x)
{
	struct affected *af = ud;
	json_t *o;
	if (++af->nrows > AFFECTED_MAX)
		return 1; /* truncated: said in the answer */
	o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "image_digest", bh_apictx_jstr(x->image_digest));
	json_object_set_new(o, "purl", bh_apictx_jstr(x->purl));
	json_object_set_new(o, "version", bh_apictx_jstr(x->version));
	json_object_set_new(o, "fixed_version", bh_apictx_jstr(x->fixed_version));
	json_object_set_new(o, "severity", bh_apictx_jstr(x->severity));
	json_object_set_new(o, "kev", json_boolean(x->kev));
	json_object_set_new(o, "host", bh_apictx_jstr(x->host));
	json_object_set_new(o, "container_id", bh_apictx_jstr(x->container_id));
	json_object_set_new(o, "container_name", bh_apictx_jstr(x->container_name));
	if (json_array_append_new(af->rows, o))
		return BH_ENOMEM;
	if (x->image_digest && !has_value(af->images, "digest", x->image_digest, NULL, NULL))
		json_array_append_new(af->images, json_pack("{s:s, s:o}", "digest", x->image_digest, "repo_tags", bh_apictx_jraw(x->repo_tags_json)));
	if (x->container_id && x->host && !has_value(af->containers, "container_id", x->container_id, "host", x->host))
		json_array_append_new(af->containers, json_pack("{s:s, s:s, s:o, s:o}", "host", x->host, "container_id", x->container_id,
								"name", bh_apictx_jstr(x->container_name), "image_digest", bh_apictx_jstr(x->image_digest)));
	return 0;
}

static int get_affected(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	const char *adv = bh_srv_param(req, "id");
	struct affected af;
	bool running;
	bh_error err;
	int rc;
	json_t *o;
	if (bh_srv_query_bool(req, resp, "running", false, &running))
		return 0;
	af.rows = json_array();
	af.images = json_array();
	af.containers = json_array();
	af.nrows = 0;
	if (!af.rows || !af.images || !af.containers) {
		json_decref(af.rows);
		json_decref(af.images);
		json_decref(af.containers);
		return BH_ENOMEM;
	}
	st = bh_apictx_store(a);
	rc = bh_store_affected_by(st, adv, running, affected_cb, &af, &err);
	bh_apictx_release(a, st);
	if (rc < 0) {
		json_decref(af.rows);
		json_decref(af.images);
		json_decref(af.containers);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	o = json_object();
	json_object_set_new(o, "advisory", bh_apictx_jstr(adv));
	json_object_set_new(o, "images", af.images);
	json_object_set_new(o, "containers", af.containers);
	json_object_set_new(o, "rows", af.rows);
	json_object_set_new(o, "truncated", json_boolean(rc == 1));
	return bh_srv_resp_json(resp, 200, o);
}

/* ---------------------------------------------------------------- events */

static int list_events(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		       bh_error *err)
{
	return bh_store_event_list(st, args, after, limit, bh_apictx_event_append, items, next, err);
}

static int get_events(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_apictx_page_list(ud, req, resp, list_events, bh_srv_query(req, "type"));
}

/* container.* events keep the containers table current. */
/* digests: the images whose containers changed state in this request (a few, for their risk's
 * "running" term; beyond RESCORE_MAX the next re-evaluation or rescore catches up) */
#define RESCORE_MAX 16
typedef struct digests {
	char v[RESCORE_MAX][136];
	size_t n;
} digests;

static int container_from_event(bh_store *st, const bh_envelope *e, digests *dg, bh_error *err)
{
	static const char *const map[][2] = { { "container.create", "created" }, { "container.start", "running" },
					      { "container.die", "exited" },     { "container.stop", "exited" },
					      { "container.kill", "exited" },    { "container.destroy", "removed" },
					      { "container.pause", "paused" },   { "container.unpause", "running" } };
	bh_store_container c;
	json_t *pl = NULL, *cfg = NULL;
	char *cfgtxt = NULL;
	size_t i;
	int rc;
	if (!e->host || !e->container)
		return 0;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(e->type, map[i][0]))
			break;
	if (i == sizeof(map) / sizeof(map[0]))
		return 0;
	memset(&c, 0, sizeof(c));
	c.host = e->host;
	c.container_id = e->container;
	c.state = map[i][1];
	if (e->payload)
		pl = json_loads(e->payload, 0, NULL);
	if (json_is_object(pl)) {
		const char *img = json_string_value(json_object_get(pl, "image"));
		if (img && bh_apictx_digest_ok(img))
			c.image_digest = img;
		c.name = json_string_value(json_object_get(pl, "name"));
		/* the exposure fields only, rebuilt and typed (the risk order's exposure term reads them);
		 * an event without them keeps what was stored */
		if (json_is_object(json_object_get(pl, "config")) &&
		    (cfg = bh_container_exposure(json_object_get(pl, "config"))) != NULL)
			c.config_json = cfgtxt = json_dumps(cfg, JSON_COMPACT);
	}
	if (!strcmp(map[i][1], "created"))
		c.created_at = e->time;
	else if (!strcmp(map[i][1], "running"))
		c.started_at = e->time;
	else if (!strcmp(map[i][1], "exited"))
		c.stopped_at = e->time;
	rc = bh_store_container_put(st, &c, (int64_t)time(NULL), err);
	if (!rc && c.image_digest && strlen(c.image_digest) < sizeof(dg->v[0])) {
		size_t k;
		for (k = 0; k < dg->n && strcmp(dg->v[k], c.image_digest) != 0; k++)
			;
		if (k == dg->n && dg->n < RESCORE_MAX)
			snprintf(dg->v[dg->n++], sizeof(dg->v[0]), "%s", c.image_digest);
	}
	free(cfgtxt);
	json_decref(cfg);
	json_decref(pl);
	return rc;
}

/* POST /api/v1/events: a JSON array of envelopes, or JSON lines (one envelope per line). */
static int post_events(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	const bh_srv_principal *p = bh_srv_principal_of(req);
	size_t len, n = 0, i, acc = 0, dup = 0;
	const char *body = bh_srv_body(req, &len);
	json_t *results, *o;
	bh_envelope_batch batch;
	bh_envelope *ev;
	char why[320];
	const char *last_host = NULL;
	bh_error err;
	digests dg;
	bool moved = false;
	int rc = 0;

	dg.n = 0;
	rc = bh_envelope_parse(body, len, a->max_json_depth, BH_API_EVENTS_PER_POST,
			       p->role == BH_SRV_ROLE_AGENT ? p->host : NULL, &batch, why, sizeof(why));
	if (rc) {
		bh_envelope_batch_free(&batch);
		if (rc < 0)
			return rc;
		return bh_srv_resp_error(resp, (unsigned)rc,
					 rc == 403 ? "forbidden" : rc == 413 ? "too_many_events"
					 : strncmp(why, "event ", 6) == 0 ? "invalid_event"
					 : strstr(why, " events per request") || !strcmp(why, "no events in the body") ? "bad_request" : "bad_json",
					 "%s", why);
	}
	ev = batch.ev;
	n = batch.n;
	if (!(results = json_array())) {
		bh_envelope_batch_free(&batch);
		return BH_ENOMEM;
	}
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	for (i = 0; !rc && i < n; i++) {
		bh_store_event e;
		int64_t seq = 0;
		bool isdup = false;
		memset(&e, 0, sizeof(e));
		e.type = ev[i].type;
		e.host = ev[i].host;
		e.container = ev[i].container;
		e.payload_json = ev[i].payload;
		e.idem_key = ev[i].key;
		e.time = ev[i].time;
		if ((rc = bh_store_event_add(st, &e, (int64_t)time(NULL), &seq, &isdup, &err)) != 0)
			break;
		/* one upsert per host and batch: an agent's batch names its own host on every event */
		if (!isdup && e.host && (!last_host || strcmp(last_host, e.host) != 0)) {
			bh_store_host h;
			json_t *facts;
			memset(&h, 0, sizeof(h));
			facts = !strcmp(e.type, "host.facts") ? bh_hostapi_facts(e.payload_json, &h) : NULL;
			h.name = e.host;
			rc = bh_store_host_put(st, &h, (int64_t)time(NULL), NULL, &err);
			json_decref(facts);
			if (rc != 0)
				break;
			last_host = e.host;
		}
		if (!isdup && (rc = container_from_event(st, &ev[i], &dg, &err)) != 0)
			break;
		/* what the dashboard counts: containers and hosts (a runtime alert moves neither) */
		if (!isdup && (!strncmp(e.type, "container.", 10) || !strcmp(e.type, "host.facts")))
			moved = true;
		if (!isdup && e.host && !strcmp(e.type, "network.snapshot") &&
		    (rc = bh_blapi_network_ingest(st, e.host, e.payload_json, (int64_t)time(NULL), &err)) != 0)
			break;
		isdup ? dup++ : acc++;
		json_array_append_new(results, json_pack("{s:I, s:s, s:I}", "index", (json_int_t)i, "status",
							 isdup ? "duplicate" : "accepted", "seq", (json_int_t)seq));
	}
	if (!rc && acc) {
		char detail[96];
		snprintf(detail, sizeof(detail), "accepted=%zu duplicate=%zu", acc, dup);
		rc = bh_apictx_audit(st, req, "events.add", p->host[0] ? p->host : NULL, detail, &err);
	}
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	if (!rc && moved)
		bh_apictx_changed(a);
	if (!rc && dg.n) {
		/* a container started or stopped: its image's findings get their "running" term now */
		bh_vulndb *rv = bh_apictx_vdb_lock(a);
		for (i = 0; i < dg.n; i++) {
			bh_error rerr;
			if (bh_rescore_image(st, rv, dg.v[i], NULL, &rerr) != 0)
				bh_log_warn("api: risk scores of %s: %s", dg.v[i], rerr.msg);
		}
		bh_apictx_vdb_unlock(a);
	}
	bh_apictx_release(a, st);
	bh_envelope_batch_free(&batch);
	if (rc) {
		json_decref(results);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	o = json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)acc, "duplicate", (json_int_t)dup, "results", results);
	return bh_srv_resp_json(resp, 200, o);
}

/* ---------------------------------------------------------------- routes */

int bh_api_register(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/hosts", get_hosts, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/images", get_images, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "POST", "/api/v1/images", post_image, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT,
		  .body = BH_SRV_BODY_RAW, .max_body = BH_API_SBOM_MAX },
		{ "GET", "/api/v1/images/{digest}", get_image, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/images/{digest}/components", get_image_components, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/images/{digest}/sbom", get_image_sbom, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/containers", get_containers, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/findings", get_findings, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "POST", "/api/v1/findings/rescore", post_rescore, a, .allow = BH_SRV_ALLOW_ADMIN },
		{ "GET", "/api/v1/advisories/{id}/affected", get_affected, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/events", get_events, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "POST", "/api/v1/events", post_events, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT,
		  .body = BH_SRV_BODY_RAW, .max_body = BH_API_EVENTS_MAX },
	};
	int rc;
	if ((rc = bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err)) != 0)
		return rc;
	if ((rc = bh_regwatch_routes(a, s, err)) != 0)
		return rc;
	if ((rc = bh_notify_routes(a, s, err)) != 0)
		return rc;
	if ((rc = bh_exceptapi_routes(a, s, err)) != 0)
		return rc;
	if ((rc = bh_rtapi_register(a, s, err)) != 0)
		return rc;
	if ((rc = bh_blapi_routes(a, s, err)) != 0)
		return rc;
	if ((rc = bh_uiapi_register(a, s, err)) != 0)
		return rc;
	if ((rc = bh_tracker_routes(a, s, err)) != 0)
		return rc;
	return bh_hostapi_register(a, s, err);
}
