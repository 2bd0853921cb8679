/* hostapi.c - agents' host data over /api/v1: the digests the server has, CIS results of hosts and containers, host facts. */
#include "server/hostapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "server/apictx.h"
#include "server/exceptapi.h"
#include "server/scanapi.h"

/* ---------------------------------------------------------------- parsers */

static int parse_body(const char *body, size_t len, unsigned max_depth, json_t **doc, char *why, size_t whylen)
{
	bh_error err;
	*doc = NULL;
	if (!len) {
		snprintf(why, whylen, "the body must be a JSON object");
		return 400;
	}
	if (bh_srv_body_parse(body, len, max_depth, doc, &err)) {
		snprintf(why, whylen, "%s", err.msg);
		return 400;
	}
	if (!json_is_object(*doc)) {
		snprintf(why, whylen, "the body must be a JSON object");
		return 400;
	}
	return 0;
}

bool bh_hostapi_container_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	return n && n <= 128 &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int bh_hostapi_parse_known(const char *body, size_t len, unsigned max_depth, json_t **doc, json_t **digests, char *why,
			   size_t whylen)
{
	json_t *v;
	size_t i;
	int rc;
	*digests = NULL;
	if ((rc = parse_body(body, len, max_depth, doc, why, whylen)))
		return rc;
	v = json_object_get(*doc, "digests");
	if (!json_is_array(v)) {
		snprintf(why, whylen, "\"digests\" must be an array of image digests");
		return 400;
	}
	if (json_array_size(v) > BH_HOSTAPI_KNOWN_MAX) {
		snprintf(why, whylen, "at most %d digests per question", BH_HOSTAPI_KNOWN_MAX);
		return 413;
	}
	for (i = 0; i < json_array_size(v); i++)
		if (!bh_apictx_digest_ok(json_string_value(json_array_get(v, i)))) {
			snprintf(why, whylen, "digests[%zu] must be sha256:<64 lowercase hex> (or sha512)", i);
			return 400;
		}
	*digests = v;
	return 0;
}

/* s when it is a string of at most max bytes (NULL allowed unless required); else why. */
static const char *opt_str(const json_t *o, const char *key, size_t max, bool required, const char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? "is required" : NULL;
	if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v))
		return "must be a string without NUL bytes, not too long";
	*out = json_string_value(v);
	return NULL;
}

int bh_hostapi_check_items(const json_t *arr, size_t max, bh_hostcheck **items, size_t *n, char *why, size_t whylen)
{
	static const char *const statuses[] = { "fail", "not-applicable", "manual", "pass", NULL };
	static const char *const sevs[] = { "unknown", "low", "medium", "high", "critical", NULL };
	static const struct { const char *key; size_t max; bool required; } fields[] = {
		{ "rule_id", 64, true }, { "target", 1024, false }, { "status", 32, false },
		{ "severity", 16, false }, { "title", 512, false }, { "detail", 4096, false },
	};
	bh_hostcheck *it;
	size_t i, k, m = json_array_size(arr);
	*items = NULL;
	*n = 0;
	if (!json_is_array(arr)) {
		snprintf(why, whylen, "\"checks\" must be an array of check results");
		return 400;
	}
	if (m > max) {
		snprintf(why, whylen, "at most %zu check results per request", max);
		return 413;
	}
	if (!m)
		return 0;
	if (!(it = calloc(m, sizeof(*it)))) {
		snprintf(why, whylen, "out of memory");
		return BH_ENOMEM;
	}
	for (i = 0; i < m; i++) {
		const json_t *c = json_array_get(arr, i);
		const char *vals[6];
		if (!json_is_object(c)) {
			snprintf(why, whylen, "checks[%zu] must be an object", i);
			free(it);
			return 400;
		}
		for (k = 0; k < 6; k++) {
			const char *e = opt_str(c, fields[k].key, fields[k].max, fields[k].required, &vals[k]);
			if (e) {
				snprintf(why, whylen, "checks[%zu].%s %s", i, fields[k].key, e);
				free(it);
				return 400;
			}
		}
		for (k = 0; vals[2] && statuses[k] && strcmp(vals[2], statuses[k]) != 0; k++)
			;
		if (vals[2] && !statuses[k]) {
			snprintf(why, whylen, "checks[%zu].status must be fail, not-applicable, manual or pass", i);
			free(it);
			return 400;
		}
		for (k = 0; vals[3] && sevs[k] && strcmp(vals[3], sevs[k]) != 0; k++)
			;
		if (vals[3] && !sevs[k]) {
			snprintf(why, whylen, "checks[%zu].severity must be unknown, low, medium, high or critical", i);
			free(it);
			return 400;
		}
		if (!vals[0][0]) {
			snprintf(why, whylen, "checks[%zu].rule_id must not be empty", i);
			free(it);
			return 400;
		}
		it[i].rule_id = vals[0];
		it[i].target = vals[1];
		it[i].status = vals[2] ? vals[2] : "fail";
		it[i].severity = vals[3];
		it[i].title = vals[4];
		it[i].detail = vals[5];
	}
	*items = it;
	*n = m;
	return 0;
}

int bh_hostapi_parse_checks(const char *body, size_t len, unsigned max_depth, bh_hostapi_checks *out, char *why,
			    size_t whylen)
{
	const char *cid;
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = parse_body(body, len, max_depth, &out->doc, why, whylen)))
		return rc;
	if (opt_str(out->doc, "container_id", 128, false, &cid) || (cid && *cid && !bh_hostapi_container_id_ok(cid))) {
		snprintf(why, whylen, "\"container_id\" must be \"\" (the host) or 1..128 of A-Z a-z 0-9 _ . -");
		return 400;
	}
	out->container_id = cid ? cid : "";
	return bh_hostapi_check_items(json_object_get(out->doc, "checks"), BH_HOSTAPI_CHECKS_MAX, &out->items, &out->n, why,
				      whylen);
}

void bh_hostapi_checks_free(bh_hostapi_checks *c)
{
	free(c->items);
	json_decref(c->doc);
	memset(c, 0, sizeof(*c));
}

json_t *bh_hostapi_facts(const char *payload_json, bh_store_host *h)
{
	json_t *f = payload_json ? json_loads(payload_json, 0, NULL) : NULL;
	if (!json_is_object(f)) {
		json_decref(f);
		return NULL;
	}
	h->os = json_string_value(json_object_get(f, "os"));
	h->kernel = json_string_value(json_object_get(f, "kernel"));
	h->engine = json_string_value(json_object_get(f, "engine"));
	h->engine_version = json_string_value(json_object_get(f, "engine_version"));
	h->facts_json = payload_json; /* compact JSON already (the envelope parser wrote it) */
	return f;
}

/* ---------------------------------------------------------------- routes */

static int post_known(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	size_t len, i;
	const char *body = bh_srv_body(req, &len);
	json_t *doc = NULL, *digests = NULL, *known;
	char why[200];
	bh_error err;
	int rc = bh_hostapi_parse_known(body, len, a->max_json_depth, &doc, &digests, why, sizeof(why));
	if (rc) {
		json_decref(doc);
		return bh_srv_resp_error(resp, (unsigned)rc, rc == 413 ? "too_many" : "bad_request", "%s", why);
	}
	if (!(known = json_array())) {
		json_decref(doc);
		return BH_ENOMEM;
	}
	st = bh_apictx_store(a);
	for (i = 0; i < json_array_size(digests); i++) {
		const char *d = json_string_value(json_array_get(digests, i));
		if ((rc = bh_store_image_has(st, d, &err)) < 0)
			break;
		if (rc == 1)
			json_array_append_new(known, json_string(d));
		rc = 0;
	}
	bh_apictx_release(a, st);
	json_decref(doc);
	if (rc) {
		json_decref(known);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_srv_resp_json(resp, 200, json_pack("{s:o}", "known", known));
}

/* The host a write names must be an agent's own (the other writers may name any). */
static bool may_write_host(bh_srv_req *req, const char *host)
{
	const bh_srv_principal *p = bh_srv_principal_of(req);
	return p->role != BH_SRV_ROLE_AGENT || (p->host[0] && !strcmp(p->host, host));
}

static int post_host_checks(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	const char *host = bh_srv_param(req, "name");
	size_t len;
	const char *body = bh_srv_body(req, &len);
	bh_hostapi_checks c;
	char why[200], detail[200];
	bh_error err;
	int rc;
	if (!host || !*host || strlen(host) > 255)
		return bh_srv_resp_error(resp, 400, "bad_request", "the host name must be 1..255 bytes");
	if (!may_write_host(req, host))
		return bh_srv_resp_error(resp, 403, "forbidden", "an agent token may write only its own host's checks");
	if ((rc = bh_hostapi_parse_checks(body, len, a->max_json_depth, &c, why, sizeof(why)))) {
		bh_hostapi_checks_free(&c);
		if (rc < 0)
			return rc;
		return bh_srv_resp_error(resp, (unsigned)rc, rc == 413 ? "too_many" : "bad_request", "%s", why);
	}
	snprintf(detail, sizeof(detail), "container=%.140s results=%zu", c.container_id[0] ? c.container_id : "(host)", c.n);
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc)
		rc = bh_hostcheck_set(st, host, c.container_id, c.items, c.n, (int64_t)time(NULL), &err);
	if (!rc)
		rc = bh_apictx_audit(st, req, "host.checks", host, detail, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	if (rc) {
		bh_hostapi_checks_free(&c);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	bh_apictx_changed(a); /* the host may be new: the dashboard counts hosts */
	rc = bh_srv_resp_json(resp, 200, json_pack("{s:s, s:s, s:I}", "host", host, "container_id", c.container_id,
						     "stored", (json_int_t)c.n));
	bh_hostapi_checks_free(&c);
	return rc;
}

static int hostcheck_cb(void *ud, const bh_hostcheck *c)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "host", bh_apictx_jstr(c->host));
	json_object_set_new(o, "container_id", bh_apictx_jstr(c->container_id));
	json_object_set_new(o, "rule_id", bh_apictx_jstr(c->rule_id));
	json_object_set_new(o, "target", bh_apictx_jstr(c->target));
	json_object_set_new(o, "status", bh_apictx_jstr(c->status));
	json_object_set_new(o, "severity", bh_apictx_jstr(c->severity));
	json_object_set_new(o, "title", bh_apictx_jstr(c->title));
	json_object_set_new(o, "detail", bh_apictx_jstr(c->detail));
	json_object_set_new(o, "updated_at", bh_apictx_jtime(c->updated_at));
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

struct check_args {
	const char *host, *container;
	int acc; /* results of an accepted rule: 0 hidden, 1 shown with the exception, 2 only them */
};

static int list_rows(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		     bh_error *err)
{
	const struct check_args *ca = args;
	int rc = bh_hostcheck_list(st, ca->host, ca->container, after, limit, hostcheck_cb, items, next, err);
	/* a page may come back shorter than limit: next still goes on from the last row read */
	if (!rc)
		rc = bh_exceptapi_checks(st, items, NULL, ca->acc, (int64_t)time(NULL), err);
	return rc;
}

static int list_checks(bh_api *a, bh_srv_req *req, bh_srv_resp *resp, const char *host, const char *container)
{
	static const char *const accepted_vals[] = { "false", "true", "only", NULL };
	struct check_args ca = { host, container, 0 };
	if (bh_srv_query_enum(req, resp, "accepted", accepted_vals, 0, &ca.acc))
		return 0;
	return bh_apictx_page_list(a, req, resp, list_rows, &ca);
}

static int get_host_checks(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return list_checks(ud, req, resp, bh_srv_param(req, "name"), bh_srv_query(req, "container"));
}

static int get_container_checks(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const char *id = bh_srv_param(req, "id");
	if (!bh_hostapi_container_id_ok(id))
		return bh_srv_resp_error(resp, 400, "bad_request", "a container id is 1..128 of A-Z a-z 0-9 _ . -");
	return list_checks(ud, req, resp, bh_srv_query(req, "host"), id);
}

int bh_hostapi_register(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "POST", "/api/v1/images/known", post_known, a, .allow = BH_SRV_ALLOW_VIEWER | BH_SRV_ALLOW_AGENT,
		  .body = BH_SRV_BODY_RAW, .max_body = BH_HOSTAPI_KNOWN_BODY },
		{ "POST", "/api/v1/hosts/{name}/checks", post_host_checks, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT,
		  .body = BH_SRV_BODY_RAW, .max_body = BH_HOSTAPI_CHECKS_BODY },
		{ "GET", "/api/v1/hosts/{name}/checks", get_host_checks, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/containers/{id}/checks", get_container_checks, a, .allow = BH_SRV_ALLOW_VIEWER },
	};
	int rc;
	if ((rc = bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err)) != 0)
		return rc;
	return bh_scanapi_register(a, s, err);
}
