/* scanapi.c - CI scan results over /api/v1/scans: a scans row per upload, the image's check results beside its SBOM. */
#include "server/scanapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/apictx.h"
#include "server/hostapi.h"
#include "store/scanrec.h"

void bh_scanapi_body_free(bh_scanapi_body *b)
{
	free(b->pipeline_json);
	free(b->summary_json);
	free(b->checks);
	json_decref(b->doc);
	memset(b, 0, sizeof(*b));
}

static bool str_ok(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) <= max && strlen(json_string_value(v)) == json_string_length(v);
}

int bh_scanapi_parse(const char *body, size_t len, unsigned max_depth, bh_scanapi_body *out, char *why, size_t whylen)
{
	static const char *const pkeys[] = { "id", "url", "commit", "branch" };
	json_t *v, *pl;
	bh_error err;
	size_t i;
	memset(out, 0, sizeof(*out));
	if (!len || bh_srv_body_parse(body, len, max_depth, &out->doc, &err) || !json_is_object(out->doc)) {
		snprintf(why, whylen, "the body must be a JSON object%s%s", len && !out->doc ? ": " : "", len && !out->doc ? err.msg : "");
		return 400;
	}
	v = json_object_get(out->doc, "target");
	if (!str_ok(v, 4096) || !json_string_length(v)) {
		snprintf(why, whylen, "\"target\" must be the scanned target, 1..4096 bytes");
		return 400;
	}
	out->target = json_string_value(v);
	v = json_object_get(out->doc, "image_digest");
	if (v && !json_is_null(v)) {
		if (!bh_apictx_digest_ok(json_string_value(v))) {
			snprintf(why, whylen, "\"image_digest\" must be sha256:<64 lowercase hex> (or sha512) or null");
			return 400;
		}
		out->image_digest = json_string_value(v);
	}
	v = json_object_get(out->doc, "verdict");
	if (!json_is_string(v) || (strcmp(json_string_value(v), "pass") != 0 && strcmp(json_string_value(v), "fail") != 0)) {
		snprintf(why, whylen, "\"verdict\" must be \"pass\" or \"fail\"");
		return 400;
	}
	out->verdict = json_string_value(v);
	v = json_object_get(out->doc, "exit_code");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 255)) {
		snprintf(why, whylen, "\"exit_code\" must be 0..255");
		return 400;
	}
	out->exit_code = v ? (int)json_integer_value(v) : 0;
	/* only the four identifiers are kept: the row says which pipeline, not what else the client sent */
	pl = json_object_get(out->doc, "pipeline");
	if (pl && !json_is_null(pl) && !json_is_object(pl)) {
		snprintf(why, whylen, "\"pipeline\" must be an object {id, url, commit, branch}");
		return 400;
	}
	{
		json_t *keep = json_object();
		if (!keep)
			return BH_ENOMEM;
		for (i = 0; i < sizeof(pkeys) / sizeof(pkeys[0]); i++) {
			v = json_object_get(pl, pkeys[i]);
			if (!v || json_is_null(v))
				continue;
			if (!str_ok(v, 2048)) {
				json_decref(keep);
				snprintf(why, whylen, "\"pipeline.%s\" must be a string of at most 2048 bytes", pkeys[i]);
				return 400;
			}
			json_object_set(keep, pkeys[i], v);
		}
		out->pipeline_json = json_dumps(keep, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(keep);
		if (!out->pipeline_json)
			return BH_ENOMEM;
	}
	v = json_object_get(out->doc, "summary");
	if (v && !json_is_null(v) && !json_is_object(v)) {
		snprintf(why, whylen, "\"summary\" must be an object");
		return 400;
	}
	if (!(out->summary_json = v && json_is_object(v) ? json_dumps(v, JSON_COMPACT) : strdup("{}")))
		return BH_ENOMEM;
	v = json_object_get(out->doc, "checks");
	if (v && !json_is_null(v))
		return bh_hostapi_check_items(v, BH_SCANAPI_CHECKS_MAX, &out->checks, &out->nchecks, why, whylen);
	return 0;
}

static int post_scan(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	const bh_srv_principal *p = bh_srv_principal_of(req);
	size_t len, i, nfail = 0;
	const char *body = bh_srv_body(req, &len);
	bh_scanapi_body b;
	bh_store_check *ic = NULL;
	bh_scanrec r;
	char why[240], who[96], detail[200];
	bh_error err;
	int64_t id = 0, now = (int64_t)time(NULL);
	int rc, has = 0;

	if ((rc = bh_scanapi_parse(body, len, a->max_json_depth, &b, why, sizeof(why)))) {
		bh_scanapi_body_free(&b);
		if (rc < 0)
			return rc;
		return bh_srv_resp_error(resp, (unsigned)rc, rc == 413 ? "too_many" : "bad_request", "%s", why);
	}
	/* the image's checks table keeps failures (a status column it has not) */
	if (b.nchecks && !(ic = calloc(b.nchecks, sizeof(*ic)))) {
		bh_scanapi_body_free(&b);
		return BH_ENOMEM;
	}
	for (i = 0; i < b.nchecks; i++)
		if (!strcmp(b.checks[i].status, "fail")) {
			ic[nfail].rule_id = b.checks[i].rule_id;
			ic[nfail].target = b.checks[i].target;
			ic[nfail].severity = b.checks[i].severity;
			ic[nfail].title = b.checks[i].title;
			ic[nfail].detail = b.checks[i].detail;
			nfail++;
		}
	snprintf(who, sizeof(who), "%s#%lld", p->name[0] ? p->name : "token", (long long)p->id);
	memset(&r, 0, sizeof(r));
	r.who = who;
	r.target = b.target;
	r.image_digest = b.image_digest;
	r.pipeline_json = b.pipeline_json;
	r.verdict = b.verdict;
	r.summary_json = b.summary_json;
	r.exit_code = b.exit_code;
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc)
		rc = bh_scanrec_add(st, &r, now, &id, &err);
	/* checks go beside an SBOM the server has; without one (its upload failed) the row alone says it */
	if (!rc && b.image_digest && (has = bh_store_image_has(st, b.image_digest, &err)) < 0)
		rc = has;
	if (!rc && has == 1)
		rc = bh_store_check_set(st, b.image_digest, ic, nfail, now, &err);
	snprintf(detail, sizeof(detail), "scan=%lld verdict=%s checks=%zu", (long long)id, b.verdict, nfail);
	if (!rc)
		rc = bh_apictx_audit(st, req, "scan.add", b.image_digest ? b.image_digest : b.target, detail, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	free(ic);
	if (rc) {
		bh_scanapi_body_free(&b);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	rc = bh_srv_resp_json(resp, 201, json_pack("{s:I, s:s?, s:b, s:I}", "id", (json_int_t)id, "image_digest", b.image_digest,
						     "image_known", has == 1, "checks_stored", (json_int_t)(has == 1 ? nfail : 0)));
	bh_scanapi_body_free(&b);
	return rc;
}

static int scan_cb(void *ud, const bh_scanrec *s)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "id", json_integer(s->id));
	json_object_set_new(o, "who", bh_apictx_jstr(s->who));
	json_object_set_new(o, "target", bh_apictx_jstr(s->target));
	json_object_set_new(o, "image_digest", bh_apictx_jstr(s->image_digest));
	json_object_set_new(o, "pipeline", bh_apictx_jraw(s->pipeline_json));
	json_object_set_new(o, "verdict", bh_apictx_jstr(s->verdict));
	json_object_set_new(o, "summary", bh_apictx_jraw(s->summary_json));
	json_object_set_new(o, "exit_code", json_integer(s->exit_code));
	json_object_set_new(o, "created", bh_apictx_jtime(s->created));
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int list_scans(bh_store *st, const void *args, int64_t after, size_t limit, json_t *items, int64_t *next,
		      bh_error *err)
{
	return bh_scanrec_list(st, args, after, limit, scan_cb, items, next, err);
}

static int get_scans(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_apictx_page_list(ud, req, resp, list_scans, bh_srv_query(req, "image"));
}

int bh_scanapi_register(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "POST", "/api/v1/scans", post_scan, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT,
		  .body = BH_SRV_BODY_RAW, .max_body = BH_SCANAPI_BODY_MAX },
		{ "GET", "/api/v1/scans", get_scans, a, .allow = BH_SRV_ALLOW_VIEWER },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}
