/* blapi.c - behaviour baselines and the network map over the API: list, read, import, mode, accept (audit-logged), versions and diffs, the label rules of modes; nodes and edges agents report. */
#include "server/blapi.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "runtime/baseline.h"
#include "runtime/blmodes.h"
#include "server/apictx.h"
#include "store/blstore.h"

/* ---------------------------------------------------------------- baselines */

static bool repo_ok(const char *r)
{
	return r && *r && strlen(r) < BH_BL_STR_MAX && bh_apictx_printable(r) && !strchr(r, ' ') && !strchr(r, '@');
}

struct got {
	json_t *doc;
	bh_blstore_row row;
	char *updated_by;
};

static int got_cb(void *ud, const bh_blstore_row *r)
{
	struct got *g = ud;
	g->doc = r->doc ? json_loads(r->doc, 0, NULL) : NULL;
	g->row = *r;
	g->row.repository = g->row.mode = g->row.digest = g->row.doc = NULL;
	free(g->updated_by);
	g->updated_by = r->updated_by ? strdup(r->updated_by) : NULL;
	return 0;
}

/* The stored baseline (version 0: current) as a parsed baseline; BH_ENOTFOUND when none. */
static int load(bh_store *st, const char *repo, int64_t version, bh_baseline **out, bh_error *err)
{
	struct got g = { 0 };
	int rc = bh_blstore_get(st, repo, version, got_cb, &g, err);
	*out = NULL;
	free(g.updated_by);
	if (rc) {
		json_decref(g.doc);
		return rc;
	}
	if (!g.doc)
		return bh_error_set(err, BH_EIO, "stored baseline of %s is not JSON", repo);
	rc = bh_baseline_from_json(g.doc, repo, out, err);
	json_decref(g.doc);
	return rc;
}

static int store_baseline(bh_store *st, bh_baseline *b, const char *who, bh_error *err)
{
	json_t *doc = bh_baseline_to_json(b);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	bh_blstore_row r;
	int rc;

	json_decref(doc);
	if (!text)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	memset(&r, 0, sizeof(r));
	r.repository = bh_baseline_repository(b);
	r.mode = bh_bl_mode_name(bh_baseline_mode(b));
	r.digest = bh_baseline_digest(b);
	r.doc = text;
	r.version = (int64_t)bh_baseline_version(b);
	r.updated = (int64_t)time(NULL);
	r.updated_by = who;
	rc = bh_blstore_put(st, &r, err);
	free(text);
	return rc;
}

static json_t *summary(const bh_blstore_row *r)
{
	json_t *o = json_pack("{s:s, s:I, s:s, s:o, s:o, s:o}", "repository", r->repository, "version", (json_int_t)r->version, "mode",
			      r->mode ? r->mode : "", "digest", bh_apictx_jstr(r->digest), "updated", bh_apictx_jtime(r->updated),
			      "updated_by", bh_apictx_jstr(r->updated_by));
	json_t *doc = r->doc ? json_loads(r->doc, 0, NULL) : NULL, *counts = json_object();
	if (o && doc && counts) {
		for (int k = 0; k < BH_BL__KIND_COUNT; k++)
			json_object_set_new(counts, bh_bl_section_name((bh_bl_kind)k),
					    json_integer((json_int_t)json_array_size(json_object_get(doc, bh_bl_section_name((bh_bl_kind)k)))));
		json_object_set_new(o, "entries", counts);
		counts = NULL;
	}
	json_decref(counts);
	json_decref(doc);
	return o;
}

static int list_cb(void *ud, const bh_blstore_row *r)
{
	json_t *o = summary(r);
	return !o || json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int get_baselines(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	json_t *items = json_array();
	bh_store *st;
	bh_error err;
	int rc;
	(void)req;
	if (!items)
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_blstore_list(st, list_cb, items, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_srv_resp_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/baselines/doc?repository=R[&version=V][&format=yaml] */
static int get_doc(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const char *repo = bh_srv_query(req, "repository"), *fmt = bh_srv_query(req, "format"), *vs = bh_srv_query(req, "version");
	int64_t version = 0;
	bh_baseline *b = NULL;
	bh_store *st;
	bh_error err;
	int rc;

	if (!repo_ok(repo))
		return bh_srv_resp_error(resp, 400, "bad_request", "repository=REPOSITORY is required (e.g. localhost/app)");
	if (vs && bh_srv_parse_int(vs, 1, INT64_MAX, &version))
		return bh_srv_resp_error(resp, 400, "bad_request", "version is a positive integer");
	if (fmt && strcmp(fmt, "yaml") != 0 && strcmp(fmt, "json") != 0)
		return bh_srv_resp_error(resp, 400, "bad_request", "format is json or yaml");
	st = bh_apictx_store(a);
	rc = load(st, repo, version, &b, &err);
	bh_apictx_release(a, st);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "%s", err.msg);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	if (fmt && !strcmp(fmt, "yaml")) {
		bh_buf y = BH_BUF_INIT;
		rc = bh_baseline_to_yaml(b, &y);
		bh_baseline_free(b);
		if (rc) {
			bh_buf_free(&y);
			return BH_ENOMEM;
		}
		rc = bh_srv_resp_data(resp, 200, "application/yaml", y.data, y.len);
		bh_buf_free(&y);
		return rc;
	}
	{
		json_t *o = bh_baseline_to_json(b);
		bh_baseline_free(b);
		return o ? bh_srv_resp_json(resp, 200, o) : BH_ENOMEM;
	}
}

/* GET /api/v1/baselines/versions?repository=R */
static int get_versions(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const char *repo = bh_srv_query(req, "repository");
	json_t *items;
	bh_store *st;
	bh_error err;
	int rc;
	if (!repo_ok(repo))
		return bh_srv_resp_error(resp, 400, "bad_request", "repository=REPOSITORY is required");
	if (!(items = json_array()))
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_blstore_versions(st, repo, list_cb, items, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_srv_resp_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/baselines/diff?repository=R&from=V[&to=V] */
static int get_diff(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const char *repo = bh_srv_query(req, "repository");
	int64_t from = 0, to = 0;
	bh_baseline *x = NULL, *y = NULL;
	bh_store *st;
	bh_error err;
	json_t *d;
	int rc;

	if (!repo_ok(repo))
		return bh_srv_resp_error(resp, 400, "bad_request", "repository=REPOSITORY is required");
	if (bh_srv_parse_int(bh_srv_query(req, "from"), 1, INT64_MAX, &from) ||
	    (bh_srv_query(req, "to") && bh_srv_parse_int(bh_srv_query(req, "to"), 1, INT64_MAX, &to)))
		return bh_srv_resp_error(resp, 400, "bad_request", "from (and to, default the current version) are version numbers");
	st = bh_apictx_store(a);
	if (!(rc = load(st, repo, from, &x, &err)))
		rc = load(st, repo, to, &y, &err);
	bh_apictx_release(a, st);
	if (rc) {
		bh_baseline_free(x);
		return rc == BH_ENOTFOUND ? bh_srv_resp_error(resp, 404, "not_found", "%s", err.msg) : bh_apictx_store_failed(resp, rc, &err);
	}
	d = bh_baseline_diff(x, y);
	if (d) {
		json_object_set_new(d, "from_version", json_integer((json_int_t)bh_baseline_version(x)));
		json_object_set_new(d, "to_version", json_integer((json_int_t)bh_baseline_version(y)));
	}
	bh_baseline_free(x);
	bh_baseline_free(y);
	return d ? bh_srv_resp_json(resp, 200, d) : BH_ENOMEM;
}

struct put_ctx {
	bh_baseline *b;
	const char *who;
	uint64_t stored_version;
};

static int put_write(bh_store *st, void *ud, bh_error *err)
{
	struct put_ctx *c = ud;
	bh_baseline *cur = NULL;
	int rc = load(st, bh_baseline_repository(c->b), 0, &cur, err);
	if (rc && rc != BH_ENOTFOUND)
		return rc;
	/* a version never goes back: an import after edits elsewhere becomes the next version */
	while (cur && bh_baseline_version(c->b) <= bh_baseline_version(cur))
		bh_baseline_bump(c->b);
	bh_baseline_free(cur);
	err->code = 0;
	c->stored_version = bh_baseline_version(c->b);
	return store_baseline(st, c->b, c->who, err);
}

/* PUT /api/v1/baselines: a baseline document (JSON or YAML), as `baseline export` writes it. */
static int put_baseline(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const bh_srv_principal *who = bh_srv_principal_of(req);
	size_t len = 0;
	const char *body = bh_srv_body(req, &len);
	struct put_ctx c = { NULL, who ? who->name : NULL, 0 };
	bh_error err;
	char detail[64];
	int rc;

	if (!body || !len)
		return bh_srv_resp_error(resp, 400, "bad_request", "the body is a baseline document (YAML or JSON)");
	if (bh_baseline_load(body, len, "body", &c.b, &err))
		return bh_srv_resp_error(resp, 400, "bad_request", "%s", err.msg);
	snprintf(detail, sizeof(detail), "mode=%s", bh_bl_mode_name(bh_baseline_mode(c.b)));
	rc = bh_apictx_write(ud, req, put_write, &c, "baseline.put", bh_baseline_repository(c.b), detail, &err);
	if (rc) {
		bh_baseline_free(c.b);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	{
		json_t *o = json_pack("{s:s, s:I, s:s}", "repository", bh_baseline_repository(c.b), "version", (json_int_t)c.stored_version,
				      "mode", bh_bl_mode_name(bh_baseline_mode(c.b)));
		bh_baseline_free(c.b);
		return o ? bh_srv_resp_json(resp, 200, o) : BH_ENOMEM;
	}
}

struct change_ctx {
	const char *repo, *who;
	bool set_mode;
	bh_bl_mode mode;
	uint64_t learn_for; /* mode learn: how long (seconds; 0: the baseline's own) */
	bh_bl_entry entry; /* accept */
	bool added;
	uint64_t version;
	char why[400];
};

static int change_write(bh_store *st, void *ud, bh_error *err)
{
	struct change_ctx *c = ud;
	bh_baseline *b = NULL;
	int rc = load(st, c->repo, 0, &b, err);
	if (rc)
		return rc;
	if (c->set_mode) {
		if (bh_baseline_mode(b) == BH_BL_LEARN && c->mode != BH_BL_LEARN)
			rc = bh_baseline_generalize(b, err);
		if (!rc && c->mode == BH_BL_LEARN) {
			bh_baseline_learn(b)->started = bh_baseline_learn(b)->last_new = (uint64_t)time(NULL);
			if (c->learn_for)
				bh_baseline_learn(b)->duration_s = c->learn_for;
		}
		bh_baseline_set_mode(b, c->mode);
	} else {
		rc = bh_baseline_add(b, &c->entry, &c->added, err);
	}
	if (!rc) {
		/* bh_baseline_add and bh_baseline_set_mode raised the version when something changed */
		c->version = bh_baseline_version(b);
		rc = store_baseline(st, b, c->who, err);
	}
	bh_baseline_free(b);
	return rc;
}

/* POST /api/v1/baselines/mode {repository, mode[, learn_for]} */
static int post_mode(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const bh_srv_principal *who = bh_srv_principal_of(req);
	const json_t *b = bh_srv_json(req);
	struct change_ctx c;
	bh_error err;
	int rc;

	memset(&c, 0, sizeof(c));
	c.repo = json_string_value(json_object_get(b, "repository"));
	c.who = who ? who->name : NULL;
	c.set_mode = true;
	if (!repo_ok(c.repo) || bh_bl_mode_parse(json_string_value(json_object_get(b, "mode")), &c.mode))
		return bh_srv_resp_error(resp, 400, "bad_request", "the body is {repository, mode: learn|monitor|protect[, learn_for: SECONDS]}");
	if (json_object_get(b, "learn_for")) {
		const json_t *lf = json_object_get(b, "learn_for");
		if (!json_is_integer(lf) || json_integer_value(lf) < 1 || json_integer_value(lf) > 366 * 86400 || c.mode != BH_BL_LEARN)
			return bh_srv_resp_error(resp, 400, "bad_request", "learn_for: seconds of learning, 1 to a year, with mode learn only");
		c.learn_for = (uint64_t)json_integer_value(lf);
	}
	rc = bh_apictx_write(ud, req, change_write, &c, "baseline.mode", c.repo, bh_bl_mode_name(c.mode), &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "%s", err.msg);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:s, s:s, s:I}", "repository", c.repo, "mode", bh_bl_mode_name(c.mode), "version",
						     (json_int_t)c.version));
}

/* POST /api/v1/baselines/accept {repository, entry: {kind, exe|path|peer|name, parent|args|access|proto, port, sha256}} */
static int post_accept(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const bh_srv_principal *who = bh_srv_principal_of(req);
	const json_t *b = bh_srv_json(req), *e = json_object_get(b, "entry"), *port;
	const char *kind = json_string_value(json_object_get(e, "kind"));
	struct change_ctx c;
	char detail[600];
	bh_error err;
	int k, rc;

	memset(&c, 0, sizeof(c));
	c.repo = json_string_value(json_object_get(b, "repository"));
	c.who = who ? who->name : NULL;
	if (!repo_ok(c.repo) || !json_is_object(e) || !kind)
		return bh_srv_resp_error(resp, 400, "bad_request", "the body is {repository, entry: {kind, ...}}");
	for (k = 0; k < BH_BL__KIND_COUNT && strcmp(kind, bh_bl_kind_name((bh_bl_kind)k)) != 0; k++)
		;
	if (k == BH_BL__KIND_COUNT)
		return bh_srv_resp_error(resp, 400, "bad_request", "entry.kind is process, probe, file, listen, outbound, inbound or capability");
	c.entry.kind = (bh_bl_kind)k;
	for (const char *const *ak = (const char *const[]){ "exe", "path", "peer", "name", NULL }; *ak; ak++)
		if (json_is_string(json_object_get(e, *ak)))
			c.entry.a = json_string_value(json_object_get(e, *ak));
	for (const char *const *bk = (const char *const[]){ "parent", "args", "access", "proto", NULL }; *bk; bk++)
		if (json_is_string(json_object_get(e, *bk)))
			c.entry.b = json_string_value(json_object_get(e, *bk));
	c.entry.sha256 = json_string_value(json_object_get(e, "sha256"));
	port = json_object_get(e, "port");
	if (port && (!json_is_integer(port) || json_integer_value(port) < 0 || json_integer_value(port) > 65535))
		return bh_srv_resp_error(resp, 400, "bad_request", "entry.port is 0..65535");
	c.entry.port = port ? (uint32_t)json_integer_value(port) : 0;
	c.entry.source = "accepted";
	c.entry.first_seen = c.entry.last_seen = (uint64_t)time(NULL);
	if ((c.entry.a && !bh_apictx_printable(c.entry.a)) || (c.entry.b && !bh_apictx_printable(c.entry.b)))
		return bh_srv_resp_error(resp, 400, "bad_request", "entry fields are printable text");
	bh_baseline_entry_describe(&c.entry, detail, sizeof(detail));
	rc = bh_apictx_write(ud, req, change_write, &c, "baseline.accept", c.repo, detail, &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "%s", err.msg);
	if (rc == BH_EINVAL || rc == BH_ELIMIT)
		return bh_srv_resp_error(resp, 400, "bad_request", "%s", err.msg);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:s, s:s, s:b, s:I}", "repository", c.repo, "accepted", detail, "added", c.added,
						     "version", (json_int_t)c.version));
}

/* ---------------------------------------------------------------- label rules */

/* The stored label rules: the settings row's text (raw, to compare and swap), its parsed document
 * and time. No row: version 0, no rules. */
struct modes_cur {
	char *raw;
	json_t *doc; /* {version, updated_by, labels} */
	int64_t updated, version;
};

static void modes_cur_free(struct modes_cur *c)
{
	free(c->raw);
	json_decref(c->doc);
	memset(c, 0, sizeof(*c));
}

static int modes_read(bh_store *st, struct modes_cur *c, bh_error *err)
{
	int rc;
	memset(c, 0, sizeof(*c));
	if ((rc = bh_blstore_modes_get(st, &c->raw, &c->updated, err)))
		return rc;
	if (c->raw)
		c->doc = json_loads(c->raw, 0, NULL); /* not inside json_is_object: a macro, it would parse twice */
	if (c->raw && !json_is_object(c->doc)) {
		modes_cur_free(c);
		return bh_error_set(err, BH_EIO, "the stored label rules are not JSON");
	}
	c->version = c->doc ? json_integer_value(json_object_get(c->doc, "version")) : 0;
	return 0;
}

/* The stored rules as a list, checked again by the one parser (runtime/blmodes.c). */
static int modes_list(const struct modes_cur *c, bh_blmodes **out, bh_error *err)
{
	json_t *l = c->doc ? json_object_get(c->doc, "labels") : NULL;
	json_t *d = json_pack("{s:o}", "labels", json_is_array(l) ? json_incref(l) : json_array());
	char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
	int rc;
	json_decref(d);
	if (!text)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = bh_blmodes_load(text, strlen(text), "stored label rules", out, err);
	free(text);
	return rc;
}

/* [{label, mode}] of ms, in order. */
static json_t *modes_json(const bh_blmodes *ms)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < bh_blmodes_count(ms); i++)
		if (json_array_append_new(a, json_pack("{s:s, s:s}", "label", bh_blmodes_label(ms, i), "mode",
						       bh_bl_mode_name(bh_blmodes_mode(ms, i))))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The answer of GET and PUT: {version, updated, updated_by, labels}. */
static json_t *modes_answer(const struct modes_cur *c, const bh_blmodes *ms)
{
	return json_pack("{s:I, s:o, s:o, s:o}", "version", (json_int_t)c->version, "updated", bh_apictx_jtime(c->updated), "updated_by",
			 bh_apictx_jstr(c->doc ? json_string_value(json_object_get(c->doc, "updated_by")) : NULL), "labels", modes_json(ms));
}

/* GET /api/v1/baselines/modes[?format=yaml] */
static int get_modes(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const char *fmt = bh_srv_query(req, "format");
	struct modes_cur c;
	bh_blmodes *ms = NULL;
	bh_store *st;
	bh_error err;
	int rc;

	if (fmt && strcmp(fmt, "yaml") != 0 && strcmp(fmt, "json") != 0)
		return bh_srv_resp_error(resp, 400, "bad_request", "format is json or yaml");
	st = bh_apictx_store(a);
	rc = modes_read(st, &c, &err);
	bh_apictx_release(a, st);
	if (!rc)
		rc = modes_list(&c, &ms, &err);
	if (rc) {
		modes_cur_free(&c);
		return bh_apictx_store_failed(resp, rc == BH_EINVAL ? BH_EIO : rc, &err);
	}
	if (fmt && !strcmp(fmt, "yaml")) {
		bh_buf y = BH_BUF_INIT;
		const char *by = c.doc ? json_string_value(json_object_get(c.doc, "updated_by")) : NULL;
		/* a comment: bh_blmodes_load reads the document back the same; the version is for people */
		bh_buf_printf(&y, "# label rules of the server, version %" PRId64 "%s%s\n", c.version, by ? ", by " : "", by ? by : "");
		rc = bh_blmodes_to_yaml(ms, &y);
		bh_blmodes_free(ms);
		modes_cur_free(&c);
		if (rc || bh_buf_oom(&y)) {
			bh_buf_free(&y);
			return BH_ENOMEM;
		}
		rc = bh_srv_resp_data(resp, 200, "application/yaml", y.data, y.len);
		bh_buf_free(&y);
		return rc;
	}
	{
		json_t *o = modes_answer(&c, ms);
		bh_blmodes_free(ms);
		modes_cur_free(&c);
		return o ? bh_srv_resp_json(resp, 200, o) : BH_ENOMEM;
	}
}

struct modes_put {
	const bh_blmodes *ms;
	const char *who;
	bool agent;            /* an agent sends its rules only while the server has none */
	int64_t if_version;    /* ?if_version=V: the version the caller edited (another is a conflict); -1: any */
	struct modes_cur now;  /* after the write */
};

static int modes_write(bh_store *st, void *ud, bh_error *err)
{
	struct modes_put *p = ud;
	int rc = BH_EBUSY;

	/* a concurrent writer makes the swap fail: read again and build on its version */
	for (int tries = 0; tries < 5 && rc == BH_EBUSY; tries++) {
		json_t *d;
		char *text;
		modes_cur_free(&p->now);
		if ((rc = modes_read(st, &p->now, err)))
			return rc;
		if (p->agent && p->now.version)
			return bh_error_set(err, BH_EBUSY, "the server has label rules already (version %" PRId64
					    "): an agent sends its modes.yaml only while the server has none", p->now.version);
		if (p->if_version >= 0 && p->now.version != p->if_version)
			return bh_error_set(err, BH_EBUSY, "the label rules are at version %" PRId64 " now, not %" PRId64
					    ": someone changed them meanwhile (read them again)", p->now.version, p->if_version);
		if (!(d = json_pack("{s:I, s:s?, s:o}", "version", (json_int_t)p->now.version + 1, "updated_by", p->who, "labels",
				    modes_json(p->ms))) ||
		    !(text = json_dumps(d, JSON_COMPACT))) {
			json_decref(d);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		json_decref(d);
		err->code = 0;
		rc = bh_blstore_modes_put(st, p->now.raw, text, (int64_t)time(NULL), err);
		free(text);
	}
	if (rc)
		return rc;
	modes_cur_free(&p->now);
	return modes_read(st, &p->now, err);
}

/* PUT /api/v1/baselines/modes[?if_version=V]: the whole modes.yaml document (YAML or JSON), as
 * `bulkhead baseline mode --label` writes it; checked by bh_blmodes_load. */
static int put_modes(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const bh_srv_principal *who = bh_srv_principal_of(req);
	size_t len = 0;
	const char *body = bh_srv_body(req, &len);
	struct modes_put p;
	bh_blmodes *ms = NULL;
	bh_buf detail = BH_BUF_INIT;
	bh_error err;
	size_t i;
	int rc;

	memset(&p, 0, sizeof(p));
	p.if_version = -1;
	if (bh_srv_query(req, "if_version") && bh_srv_parse_int(bh_srv_query(req, "if_version"), 0, INT64_MAX, &p.if_version))
		return bh_srv_resp_error(resp, 400, "bad_request", "if_version is the version the rules were read at (0: none yet)");
	if (!body || !len)
		return bh_srv_resp_error(resp, 400, "bad_request", "the body is a modes document (YAML or JSON: kind: %s, labels: [{label, mode}]; "
				       "labels: [] removes every rule)", BH_BLMODES_KIND);
	if ((rc = bh_blmodes_load(body, len, "body", &ms, &err)))
		return bh_srv_resp_error(resp, rc == BH_ELIMIT ? 413 : 400, rc == BH_ELIMIT ? "too_large" : "bad_request", "%s", err.msg);
	/* the audit row says what the rules became (cut at 400 bytes; the row's version says which) */
	bh_buf_printf(&detail, "%zu rule%s", bh_blmodes_count(ms), bh_blmodes_count(ms) == 1 ? "" : "s");
	for (i = 0; i < bh_blmodes_count(ms) && detail.len < 400; i++)
		bh_buf_printf(&detail, "%s%.100s=>%s", i ? ", " : ": ", bh_blmodes_label(ms, i), bh_bl_mode_name(bh_blmodes_mode(ms, i)));
	if (i < bh_blmodes_count(ms))
		bh_buf_puts(&detail, ", ...");
	if (bh_buf_oom(&detail)) {
		bh_blmodes_free(ms);
		bh_buf_free(&detail);
		return BH_ENOMEM;
	}
	p.ms = ms;
	p.who = who ? who->name : NULL;
	p.agent = who && who->role == BH_SRV_ROLE_AGENT;
	rc = bh_apictx_write(ud, req, modes_write, &p, "baseline.modes", "labels", detail.data, &err);
	bh_buf_free(&detail);
	if (rc == BH_EBUSY) {
		bh_blmodes_free(ms);
		modes_cur_free(&p.now);
		return bh_srv_resp_error(resp, 409, "conflict", "%s", err.msg);
	}
	if (rc) {
		bh_blmodes_free(ms);
		modes_cur_free(&p.now);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	{
		json_t *o = modes_answer(&p.now, ms);
		bh_blmodes_free(ms);
		modes_cur_free(&p.now);
		return o ? bh_srv_resp_json(resp, 200, o) : BH_ENOMEM;
	}
}

/* ---------------------------------------------------------------- network */

#define NET_MAX 20000

struct netout {
	json_t *nodes, *edges;
	json_t *seen; /* node id -> its object in nodes (one node per id, whichever host saw it last) */
};

static int node_cb(void *ud, const char *host, const bh_netstore_node *n)
{
	struct netout *o = ud;
	json_t *doc = n->doc ? json_loads(n->doc, 0, NULL) : NULL, *cur;
	if (!json_is_object(doc)) {
		json_decref(doc);
		doc = json_object();
		if (!doc)
			return BH_ENOMEM;
	}
	json_object_set_new(doc, "id", json_string(n->id));
	json_object_set_new(doc, "kind", json_string(n->kind ? n->kind : ""));
	json_object_set_new(doc, "last_seen", bh_apictx_jtime(n->last_seen));
	if ((cur = json_object_get(o->seen, n->id))) {
		json_t *hosts = json_object_get(cur, "hosts");
		json_array_append_new(hosts, json_string(host ? host : ""));
		json_decref(doc);
		return 0;
	}
	json_object_set_new(doc, "hosts", json_pack("[s]", host ? host : ""));
	json_object_set(o->seen, n->id, doc);
	return json_array_append_new(o->nodes, doc) ? BH_ENOMEM : 0;
}

static int edge_cb(void *ud, const bh_netstore_edge *e)
{
	struct netout *o = ud;
	json_t *x = json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:o, s:o, s:s}", "from", e->from, "to", e->to, "port", (json_int_t)e->port,
			      "proto", e->proto, "connections", (json_int_t)e->connections, "bytes", (json_int_t)e->bytes, "blocked",
			      (json_int_t)e->blocked, "first_seen", bh_apictx_jtime(e->first_seen), "last_seen",
			      bh_apictx_jtime(e->last_seen), "host", e->host ? e->host : "");
	return !x || json_array_append_new(o->edges, x) ? BH_ENOMEM : 0;
}

/* GET /api/v1/network[?since=UNIX]: {nodes, edges} over every host's reports. */
static int get_network(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const char *s = bh_srv_query(req, "since");
	int64_t since = 0;
	struct netout o = { json_array(), json_array(), json_object() };
	bh_store *st;
	bh_error err;
	int rc;

	if (s && bh_srv_parse_int(s, 0, INT64_MAX, &since)) {
		rc = bh_srv_resp_error(resp, 400, "bad_request", "since is Unix seconds");
		goto out;
	}
	if (!o.nodes || !o.edges || !o.seen) {
		rc = BH_ENOMEM;
		goto out;
	}
	st = bh_apictx_store(a);
	rc = bh_netstore_read(st, since, NET_MAX, node_cb, edge_cb, &o, &err);
	bh_apictx_release(a, st);
	if (rc) {
		rc = rc == BH_ELIMIT ? bh_srv_resp_error(resp, 413, "too_large", "%s", err.msg) : bh_apictx_store_failed(resp, rc, &err);
		goto out;
	}
	rc = bh_srv_resp_json(resp, 200, json_pack("{s:O, s:O}", "nodes", o.nodes, "edges", o.edges));
out:
	json_decref(o.nodes);
	json_decref(o.edges);
	json_decref(o.seen);
	return rc;
}

/* A node or edge string from an agent: printable, bounded. */
static const char *nstr(const json_t *o, const char *k, size_t max)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && *s && strlen(s) <= max && bh_apictx_printable(s) ? s : NULL;
}

static int64_t ntime(const json_t *o, const char *k, int64_t dflt)
{
	const json_t *v = json_object_get(o, k);
	struct tm tm;
	const char *s;
	char *end;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (!(s = json_string_value(v)))
		return dflt;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	return end ? (int64_t)timegm(&tm) : dflt;
}

static int64_t nint(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : 0;
}

int bh_blapi_network_parse(const char *payload, const char *host, int64_t now, bh_blapi_node_fn nfn, bh_blapi_edge_fn efn, void *ud,
			   bh_error *err)
{
	json_t *p = payload ? json_loads(payload, 0, NULL) : NULL, *x;
	size_t i;
	int rc = 0;

	if (!json_is_object(p)) {
		json_decref(p);
		return 0; /* stored as an event; nothing to map */
	}
	json_array_foreach(json_object_get(p, "nodes"), i, x) {
		const char *id = nstr(x, "id", 300), *kind = nstr(x, "kind", 32);
		char *doc;
		bh_netstore_node n;
		if (i >= NET_MAX)
			break;
		if (!id || !kind || !json_is_object(x))
			continue;
		if (!(doc = json_dumps(x, JSON_COMPACT))) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		n.id = id;
		n.kind = kind;
		n.doc = doc;
		n.last_seen = now;
		rc = nfn(ud, host, &n, err);
		free(doc);
		if (rc)
			goto out;
	}
	json_array_foreach(json_object_get(p, "edges"), i, x) {
		bh_netstore_edge e;
		const char *proto = nstr(x, "proto", 8);
		if (i >= NET_MAX)
			break;
		memset(&e, 0, sizeof(e));
		e.host = host;
		e.run = nstr(p, "run", 64);
		e.from = nstr(x, "from", 300);
		e.to = nstr(x, "to", 300);
		e.proto = proto && (!strcmp(proto, "tcp") || !strcmp(proto, "udp")) ? proto : NULL;
		e.port = nint(x, "port");
		if (!e.from || !e.to || !e.proto || e.port > 65535)
			continue;
		e.connections = nint(x, "connections");
		e.bytes = nint(x, "bytes");
		e.blocked = nint(x, "blocked");
		e.first_seen = ntime(x, "first_seen", now);
		e.last_seen = ntime(x, "last_seen", now);
		if ((rc = efn(ud, &e, err)))
			goto out;
	}
out:
	json_decref(p);
	return rc;
}

static int put_node(void *ud, const char *host, const bh_netstore_node *n, bh_error *err)
{
	return bh_netstore_node_put(ud, host, n, err);
}

static int put_edge(void *ud, const bh_netstore_edge *e, bh_error *err)
{
	return bh_netstore_edge_put(ud, e, err);
}

int bh_blapi_network_ingest(bh_store *st, const char *host, const char *payload, int64_t now, bh_error *err)
{
	return bh_blapi_network_parse(payload, host, now, put_node, put_edge, st, err);
}

int bh_blapi_routes(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/baselines", get_baselines, a, .allow = BH_SRV_ALLOW_VIEWER | BH_SRV_ALLOW_AGENT },
		{ "GET", "/api/v1/baselines/doc", get_doc, a, .allow = BH_SRV_ALLOW_VIEWER | BH_SRV_ALLOW_AGENT },
		{ "GET", "/api/v1/baselines/versions", get_versions, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "GET", "/api/v1/baselines/diff", get_diff, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "PUT", "/api/v1/baselines", put_baseline, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT, .body = BH_SRV_BODY_RAW,
		  .max_body = 4u << 20 },
		/* POST too: the agent's HTTP client speaks GET, POST and PATCH */
		{ "POST", "/api/v1/baselines", put_baseline, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT, .body = BH_SRV_BODY_RAW,
		  .max_body = 4u << 20 },
		{ "GET", "/api/v1/baselines/modes", get_modes, a, .allow = BH_SRV_ALLOW_VIEWER | BH_SRV_ALLOW_AGENT },
		/* agents too, only while the server has no rules (put_modes): a host's modes.yaml goes up once */
		{ "PUT", "/api/v1/baselines/modes", put_modes, a, .allow = BH_SRV_ALLOW_OPERATOR | BH_SRV_ALLOW_AGENT, .body = BH_SRV_BODY_RAW,
		  .max_body = BH_BLMODES_FILE_MAX },
		{ "POST", "/api/v1/baselines/mode", post_mode, a, .allow = BH_SRV_ALLOW_OPERATOR, .body = BH_SRV_BODY_JSON, .max_body = 4096 },
		{ "POST", "/api/v1/baselines/accept", post_accept, a, .allow = BH_SRV_ALLOW_OPERATOR, .body = BH_SRV_BODY_JSON,
		  .max_body = 8192 },
		{ "GET", "/api/v1/network", get_network, a, .allow = BH_SRV_ALLOW_VIEWER },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}

void bh_blapi_tick(bh_api *a, int64_t now)
{
	int64_t every, removed = 0;
	bh_store *st;
	bh_error err;
	int rc;

	if (a->net_retention_s <= 0)
		return;
	every = a->net_retention_s / 10;
	every = every < 1 ? 1 : every > 600 ? 600 : every;
	if (now - a->net_pruned_at < every)
		return;
	a->net_pruned_at = now;
	st = bh_apictx_store(a);
	rc = bh_netstore_prune(st, now - a->net_retention_s, &removed, &err);
	bh_apictx_release(a, st);
	if (rc)
		bh_log_warn("network map: forgetting rows not seen for %lld s: %s", (long long)a->net_retention_s, err.msg);
	else if (removed)
		bh_log_info("network map: %lld nodes and edges not seen for %lld s forgotten", (long long)removed,
			    (long long)a->net_retention_s);
}
