/* exceptapi.c - /api/v1/exceptions: accepted risks (advisories and check rules) added, listed, revoked, exported as OpenVEX and as an ignore file; check results marked accepted; expiry events. */
#include "server/exceptapi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/product.h"
#include "net/http.h"
#include "server/apictx.h"
#include "store/exception.h"
#include "store/sql.h"

#define TEXT_MAX 1000
#define ID_MAX 128

const char *const bh_exceptapi_justifications[] = { "component_not_present", "vulnerable_code_not_present",
						    "vulnerable_code_not_in_execute_path",
						    "vulnerable_code_cannot_be_controlled_by_adversary",
						    "inline_mitigations_already_exist", NULL };

static json_t *exc_json(const bh_exception *e)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(e->id));
	json_object_set_new(o, "kind", json_string(e->rule ? "rule" : "advisory"));
	json_object_set_new(o, "advisory", bh_apictx_jstr(e->rule ? NULL : e->advisory));
	json_object_set_new(o, "rule", bh_apictx_jstr(e->rule ? e->advisory : NULL));
	json_object_set_new(o, "package", bh_apictx_jstr(e->rule ? NULL : e->package));
	json_object_set_new(o, "target", bh_apictx_jstr(e->rule ? e->target : NULL));
	json_object_set_new(o, "scope", json_pack("{s:s?, s:o}", "kind", e->scope, "value", bh_apictx_jstr(e->value)));
	json_object_set_new(o, "justification", bh_apictx_jstr(e->justification));
	json_object_set_new(o, "reason", bh_apictx_jstr(e->reason));
	json_object_set_new(o, "expires", bh_apictx_jtime(e->expires));
	json_object_set_new(o, "created", bh_apictx_jtime(e->created));
	json_object_set_new(o, "created_by", bh_apictx_jstr(e->created_by));
	json_object_set_new(o, "revoked", bh_apictx_jtime(e->revoked));
	return o;
}

static int list_cb(void *ud, const bh_exception *e)
{
	json_t *o = exc_json(e);
	return o && !json_array_append_new(ud, o) ? 0 : BH_ENOMEM;
}

/* ---- exports ---- */

static void iso8601(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int purl_cb(void *ud, const bh_store_component *c)
{
	json_t *set = ud;
	char base[1024];
	size_t n;
	if (!c->purl)
		return 0;
	/* versionless: the statement is about the package whatever version the next build has */
	n = strcspn(c->purl, "@?#");
	if (n >= sizeof(base))
		return 0;
	memcpy(base, c->purl, n);
	base[n] = '\0';
	return json_object_set_new(set, base, json_true()) ? BH_ENOMEM : 0;
}

/* The versionless purls of the components an exception is about (its advisory's open findings, in
 * scope), into the object set (keys). */
static int scoped_purls(bh_store *st, const bh_exception *e, json_t *set, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_TEXT(e->advisory), BH_SQL_TEXT(e->package), BH_SQL_TEXT(e->value) };
	bh_sql_rows *r = NULL;
	int rc;
	const char *sql =
		!strcmp(e->scope, "image")
			? "SELECT DISTINCT c.purl FROM findings f JOIN components c ON c.id = f.component_id JOIN image_components l"
			  " ON l.component_id = c.id JOIN images i ON i.id = l.image_id WHERE f.advisory = $1 AND"
			  " (CAST($2 AS TEXT) IS NULL OR c.name = $2) AND i.digest = $3 LIMIT 1000"
		: !strcmp(e->scope, "repository")
			? "SELECT DISTINCT c.purl FROM findings f JOIN components c ON c.id = f.component_id JOIN image_components l"
			  " ON l.component_id = c.id JOIN image_repos r ON r.image_id = l.image_id WHERE f.advisory = $1 AND"
			  " (CAST($2 AS TEXT) IS NULL OR c.name = $2) AND r.repository = $3 LIMIT 1000"
			: "SELECT DISTINCT c.purl FROM findings f JOIN components c ON c.id = f.component_id WHERE f.advisory = $1"
			  " AND (CAST($2 AS TEXT) IS NULL OR c.name = $2) AND CAST($3 AS TEXT) IS NULL LIMIT 1000";
	rc = bh_sql_query(bh_store_sql(st), sql, p, 3, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		bh_store_component c;
		memset(&c, 0, sizeof(c));
		c.purl = bh_sql_text(r, 0);
		if ((rc = purl_cb(set, &c)) != 0)
			break;
		rc = 0;
	}
	bh_sql_rows_free(r);
	return rc;
}

/* pkg:oci/NAME?repository_url=REPO (repository scope) or pkg:oci/NAME@DIGEST (image scope, NAME from
 * one of its tags when the store knows one). */
static char *oci_product(bh_store *st, const bh_exception *e, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	char repo[512] = "";
	const char *name;
	bh_sql_value p = BH_SQL_TEXT(e->value);
	bh_sql_rows *r = NULL;
	char *s;
	int rc;
	if (!strcmp(e->scope, "repository")) {
		snprintf(repo, sizeof(repo), "%s", e->value);
	} else {
		rc = bh_sql_query(bh_store_sql(st), "SELECT r.repository FROM image_repos r JOIN images i ON i.id = r.image_id"
						    " WHERE i.digest = $1 ORDER BY length(r.repository) DESC, r.repository LIMIT 1",
				  &p, 1, &r, err);
		if (!rc && bh_sql_next(r, err) == 1)
			snprintf(repo, sizeof(repo), "%s", bh_sql_text(r, 0));
		bh_sql_rows_free(r);
	}
	name = strrchr(repo, '/') ? strrchr(repo, '/') + 1 : repo;
	bh_buf_puts(&b, "pkg:oci/");
	bh_http_escape(&b, *name ? name : "image");
	if (!strcmp(e->scope, "image")) {
		bh_buf_putc(&b, '@');
		bh_http_escape(&b, e->value);
	}
	if (strchr(repo, '/')) {
		bh_buf_puts(&b, "?repository_url=");
		bh_http_escape(&b, repo);
	}
	if (bh_buf_oom(&b) || !(s = bh_buf_steal(&b))) {
		bh_buf_free(&b);
		return NULL;
	}
	return s;
}

typedef struct exp_ctx {
	bh_store *st;
	json_t *statements; /* openvex */
	bh_buf *yaml;       /* ignore */
	const char *image;  /* ignore: ?image=, the digest the file is for (rule scopes are judged by it) */
	const char *const *repos;
	size_t nrepos;
	bh_error *err;
	int rc;
} exp_ctx;

static void yaml_str(bh_buf *b, const char *s)
{
	/* a JSON string is a YAML double-quoted scalar: every character escaped the same way, non-ASCII
	 * too (YAML refuses C1 control characters written raw) */
	json_t *j = json_string(s ? s : "");
	char *d = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	bh_buf_puts(b, d ? d : "\"\"");
	free(d);
	json_decref(j);
}

/*
 * A rule in the ignore file: `bulkhead scan` matches a check by its rule id alone, so only an
 * exception that holds for the whole scan can go in — everywhere, or (with ?image=) one whose image
 * or repository scope covers that image. The others are named in a comment, not dropped silently.
 */
static int export_rule(exp_ctx *x, const bh_exception *e, const char *note)
{
	bh_exception_subject s;
	bh_buf *b = x->yaml;
	char at[32];
	bool in;
	if (x->statements)
		return 0; /* OpenVEX speaks of vulnerabilities only */
	memset(&s, 0, sizeof(s));
	s.rule_id = e->advisory;
	s.digest = x->image;
	s.repos = x->repos;
	s.nrepos = x->nrepos;
	in = !e->target && strcmp(e->scope, "host") != 0 && bh_exception_rule_covers(e, &s);
	if (!in) {
		json_t *j = json_pack("{s:s, s:s, s:s?, s:s?}", "rule", e->advisory, "scope", e->scope, "value", e->value,
				      "target", e->target);
		char *d = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		/* ASCII JSON: no newline or other byte can end the comment early */
		bh_buf_printf(b, "  # not for this scan (%s): exception %lld %s\n",
			      e->target ? "one target only" : !strcmp(e->scope, "host") ? "a host's results" : "another image",
			      (long long)e->id, d ? d : "");
		free(d);
		json_decref(j);
		return 0;
	}
	bh_buf_puts(b, "  - id: ");
	yaml_str(b, e->advisory);
	if (e->expires) {
		iso8601(e->expires, at);
		bh_buf_printf(b, "\n    expires: \"%s\"", at);
	}
	bh_buf_puts(b, "\n    reason: ");
	yaml_str(b, note);
	bh_buf_puts(b, "\n");
	return 0;
}

static int export_cb(void *ud, const bh_exception *e)
{
	exp_ctx *x = ud;
	json_t *set, *st, *prods = NULL;
	const char *k;
	json_t *v;
	char when[32], note[TEXT_MAX + 200], exp[32] = "never";
	int rc;
	if (e->expires)
		iso8601(e->expires, exp);
	snprintf(note, sizeof(note), "risk accepted (bulkhead exception %lld, %s%s%s) by %s, expires %s: %s", (long long)e->id,
		 e->scope, e->value ? " " : "", e->value ? e->value : "", e->created_by ? e->created_by : "?", exp, e->reason);
	if (e->rule)
		return export_rule(x, e, note);
	if (!(set = json_object()))
		return BH_ENOMEM;
	if ((rc = scoped_purls(x->st, e, set, x->err)) != 0) {
		json_decref(set);
		return rc;
	}
	if (x->statements) {
		iso8601(e->created, when);
		st = json_pack("{s:{s:s}, s:s, s:s, s:s}", "vulnerability", "name", e->advisory, "status", "not_affected",
			       "timestamp", when, "status_notes", note);
		if (!st) {
			json_decref(set);
			return BH_ENOMEM;
		}
		if (e->justification)
			json_object_set_new(st, "justification", json_string(e->justification));
		json_object_set_new(st, "impact_statement", json_string(e->reason));
		if (!strcmp(e->scope, "everywhere")) {
			/* no package named: the advisory everywhere (no products); else each package */
			if (e->package) {
				prods = json_array();
				json_object_foreach(set, k, v) {
					json_array_append_new(prods, json_pack("{s:s}", "@id", k));
				}
			}
		} else {
			char *prod = oci_product(x->st, e, x->err);
			json_t *subs = json_array();
			if (!prod || !subs) {
				free(prod);
				json_decref(subs);
				json_decref(st);
				json_decref(set);
				return BH_ENOMEM;
			}
			json_object_foreach(set, k, v) {
				json_array_append_new(subs, json_pack("{s:s}", "@id", k));
			}
			prods = json_pack("[{s:s, s:o}]", "@id", prod, "subcomponents", subs);
			free(prod);
		}
		if (prods && json_array_size(prods))
			json_object_set_new(st, "products", prods);
		else
			json_decref(prods);
		/* an image scope with no finding left names no package: nothing to say */
		if (strcmp(e->scope, "everywhere") != 0 && !json_object_size(set))
			json_decref(st);
		else
			json_array_append_new(x->statements, st);
	} else {
		bh_buf *b = x->yaml;
		bh_buf_puts(b, "  - id: ");
		yaml_str(b, e->advisory);
		if (json_object_size(set) && (e->package || strcmp(e->scope, "everywhere") != 0)) {
			bool first = true;
			bh_buf_puts(b, "\n    purls: [");
			json_object_foreach(set, k, v) {
				if (!first)
					bh_buf_puts(b, ", ");
				yaml_str(b, k);
				first = false;
			}
			bh_buf_puts(b, "]");
		}
		if (e->expires) {
			char at[32];
			iso8601(e->expires, at);
			bh_buf_printf(b, "\n    expires: \"%s\"", at); /* the instant: the file reads "YYYY-MM-DDTHH:MM:SS" */
		}
		bh_buf_puts(b, "\n    reason: ");
		yaml_str(b, note);
		bh_buf_puts(b, "\n");
	}
	json_decref(set);
	return 0;
}

static int repo_cb(void *ud, const char *repo)
{
	return json_array_append_new(ud, json_string(repo)) ? BH_ENOMEM : 0;
}

/* The repository names of digest as a NULL-free array of borrowed strings (from arr, which owns
 * them); *out NULL and *n 0 when there are none. */
static int repos_of(bh_store *st, const char *digest, json_t *arr, const char ***out, size_t *n, bh_error *err)
{
	size_t i;
	int rc;
	*out = NULL;
	*n = 0;
	if (!digest || (rc = bh_exception_image_repos(st, digest, repo_cb, arr, err)) == 0) {
		if (!json_array_size(arr))
			return 0;
		if (!(*out = calloc(json_array_size(arr), sizeof(**out))))
			return BH_ENOMEM;
		for (i = 0; i < json_array_size(arr); i++)
			(*out)[i] = json_string_value(json_array_get(arr, i));
		*n = json_array_size(arr);
		return 0;
	}
	return rc;
}

static int export_doc(bh_srv_resp *resp, bh_api *a, bool openvex, const char *image)
{
	bh_store *st;
	bh_error err;
	bh_buf yaml = BH_BUF_INIT;
	exp_ctx x;
	int64_t now = (int64_t)time(NULL);
	char when[32], id[96];
	json_t *repo_names = json_array();
	const char **repos = NULL;
	int rc;
	if (!repo_names)
		return BH_ENOMEM;
	memset(&x, 0, sizeof(x));
	x.err = &err;
	x.image = image;
	if (openvex && !(x.statements = json_array()))
		return BH_ENOMEM;
	x.yaml = &yaml;
	if (!openvex)
		bh_buf_printf(&yaml, "# bulkhead: accepted risks in force, for `bulkhead scan --ignore-file` (exported %s%s%s)\n"
				     "vulnerabilities:\n", (iso8601(now, when), when), image ? " for " : "", image ? image : "");
	st = bh_apictx_store(a);
	x.st = st;
	rc = repos_of(st, image, repo_names, &repos, &x.nrepos, &err);
	x.repos = repos;
	if (!rc)
		rc = bh_exception_list(st, false, now, export_cb, &x, &err);
	bh_apictx_release(a, st);
	free(repos);
	json_decref(repo_names);
	if (rc) {
		json_decref(x.statements);
		bh_buf_free(&yaml);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	if (openvex) {
		json_t *doc;
		iso8601(now, when);
		snprintf(id, sizeof(id), "https://bulkhead.invalid/vex/exceptions-%lld", (long long)now);
		if (!json_array_size(x.statements)) {
			/* the schema wants one statement at least: say that nothing is accepted */
			json_decref(x.statements);
			x.statements = NULL;
		}
		doc = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "@context", "https://openvex.dev/ns/v0.2.0", "@id", id, "author",
				"bulkhead " BH_VERSION, "timestamp", when, "version", 1, "tooling", "bulkhead serve");
		if (!doc) {
			json_decref(x.statements);
			return BH_ENOMEM;
		}
		json_object_set_new(doc, "statements", x.statements ? x.statements : json_array());
		bh_buf_free(&yaml);
		return bh_srv_resp_json(resp, 200, doc);
	}
	if (bh_buf_oom(&yaml)) {
		bh_buf_free(&yaml);
		return BH_ENOMEM;
	}
	rc = bh_srv_resp_data(resp, 200, "application/yaml; charset=utf-8", yaml.data ? yaml.data : "", yaml.len);
	bh_buf_free(&yaml);
	return rc;
}

/* ---- routes ---- */

static int get_exceptions(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	static const char *const formats[] = { "json", "openvex", "ignore", NULL };
	bh_api *a = ud;
	json_t *items;
	bh_store *st;
	bh_error err;
	bool all;
	int fmt, rc;
	const char *image = bh_srv_query(req, "image");
	if (bh_srv_query_enum(req, resp, "format", formats, 0, &fmt) || bh_srv_query_bool(req, resp, "all", false, &all))
		return 0;
	if (image && (fmt != 2 || !bh_apictx_digest_ok(image)))
		return bh_srv_resp_error(resp, 400, "bad_request", "image=sha256:<64 hex> goes with format=ignore only");
	if (fmt > 0)
		return export_doc(resp, a, fmt == 1, image);
	if (!(items = json_array()))
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_exception_list(st, all, (int64_t)time(NULL), list_cb, items, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, items, 0);
}

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), BH_EINVAL)

int bh_exceptapi_parse(const json_t *b, int64_t now, bh_exception *e, char *why, size_t whylen)
{
	const json_t *sc, *v;
	const char *rule;
	size_t i;
	memset(e, 0, sizeof(*e));
	if (!json_is_object(b))
		return BAD("the body is a JSON object {advisory or rule, scope, reason, expires}");
	e->advisory = json_string_value(json_object_get(b, "advisory"));
	rule = json_string_value(json_object_get(b, "rule"));
	if ((json_object_get(b, "advisory") && json_object_get(b, "rule")) || (!e->advisory && !rule))
		return BAD("name one of advisory (CVE-…, GHSA-…) or rule (a check rule id: CIS-DI-0001, BH-CTR-…)");
	if (rule) {
		/* the limit of a stored check's rule_id (hostapi.c) */
		if (!*rule || strlen(rule) > 64 || !bh_apictx_printable(rule) || strchr(rule, ' '))
			return BAD("rule is a check rule id of 1 to 64 printable bytes without spaces");
		e->rule = true;
		e->advisory = rule;
		if (json_object_get(b, "package") && !json_is_null(json_object_get(b, "package")))
			return BAD("package goes with an advisory; a rule takes target (one check target)");
		if ((v = json_object_get(b, "target")) && !json_is_null(v) &&
		    (!(e->target = json_string_value(v)) || !*e->target || strlen(e->target) > 1024 || !bh_apictx_printable(e->target)))
			return BAD("target is a check target (a path, a setting) of at most 1024 printable bytes");
	} else {
		if (!*e->advisory || strlen(e->advisory) > ID_MAX || !bh_apictx_printable(e->advisory) || strchr(e->advisory, ' '))
			return BAD("advisory is an id (CVE-…, GHSA-…) of 1 to %d printable bytes", ID_MAX);
		if ((v = json_object_get(b, "package")) && !json_is_null(v) &&
		    (!(e->package = json_string_value(v)) || !*e->package || strlen(e->package) > 512 || !bh_apictx_printable(e->package)))
			return BAD("package is a package name of at most 512 printable bytes");
		if (json_object_get(b, "target") && !json_is_null(json_object_get(b, "target")))
			return BAD("target goes with a rule; an advisory takes package");
	}
	sc = json_object_get(b, "scope");
	e->scope = json_string_value(json_object_get(sc, "kind"));
	if (!e->scope || (strcmp(e->scope, "everywhere") != 0 && strcmp(e->scope, "image") != 0 &&
			  strcmp(e->scope, "repository") != 0 && strcmp(e->scope, "host") != 0))
		return BAD("scope is {kind: everywhere|image|repository|host, value}");
	if (!strcmp(e->scope, "host") && !e->rule)
		return BAD("scope host is for rules (a host's check results); an advisory is accepted for an image, a repository or everywhere");
	if ((v = json_object_get(sc, "value")) && !json_is_null(v) && !(e->value = json_string_value(v)))
		return BAD("scope value is a string");
	if (!strcmp(e->scope, "everywhere") && e->value)
		return BAD("scope everywhere takes no value");
	if (!strcmp(e->scope, "image") && (!e->value || !bh_apictx_digest_ok(e->value)))
		return BAD("scope image needs value: the image digest sha256:<64 hex>");
	if (!strcmp(e->scope, "repository") &&
	    (!e->value || !*e->value || strlen(e->value) > 255 || !bh_apictx_printable(e->value) || strchr(e->value, ' ') || strchr(e->value, '@')))
		return BAD("scope repository needs value: a repository name (team/app or registry:5000/team/app)");
	if (!strcmp(e->scope, "host") && (!e->value || !*e->value || strlen(e->value) > 255 || !bh_apictx_printable(e->value)))
		return BAD("scope host needs value: the host's name as its agent reports it (1 to 255 printable bytes)");
	e->reason = json_string_value(json_object_get(b, "reason"));
	if (!e->reason || !*e->reason || strlen(e->reason) > TEXT_MAX || !bh_apictx_printable(e->reason))
		return BAD("reason is required: 1 to %d printable bytes saying why the risk is accepted", TEXT_MAX);
	v = json_object_get(b, "expires");
	/* an acceptance that never ends is how risks are forgotten: an expiry is required */
	if (!json_is_integer(v) || json_integer_value(v) <= now)
		return BAD("expires is required: Unix seconds in the future");
	e->expires = json_integer_value(v);
	if ((v = json_object_get(b, "justification")) && !json_is_null(v)) {
		if (e->rule)
			return BAD("justification is an OpenVEX one, for advisories; a rule's reason says why");
		e->justification = json_string_value(v);
		for (i = 0; e->justification && bh_exceptapi_justifications[i] &&
			    strcmp(bh_exceptapi_justifications[i], e->justification) != 0;
		     i++)
			;
		if (!e->justification || !bh_exceptapi_justifications[i])
			return BAD("justification is an OpenVEX one: component_not_present, vulnerable_code_not_present, "
				   "vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, "
				   "inline_mitigations_already_exist");
	}
	return 0;
}

struct exc_add {
	const bh_exception *e;
	int64_t now, id;
};

static int add_exc(bh_store *st, void *ud, bh_error *err)
{
	struct exc_add *x = ud;
	return bh_exception_add(st, x->e, x->now, &x->id, err);
}

static int revoke_exc(bh_store *st, void *ud, bh_error *err)
{
	return bh_exception_revoke(st, *(int64_t *)ud, (int64_t)time(NULL), err);
}

static int post_exception(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	const bh_srv_principal *who = bh_srv_principal_of(req);
	bh_exception e;
	struct exc_add ex;
	bh_error err;
	int64_t id = 0, now = (int64_t)time(NULL);
	char detail[256], why[400];
	int rc;

	if (bh_exceptapi_parse(bh_srv_json(req), now, &e, why, sizeof(why)))
		return bh_srv_resp_error(resp, 400, "bad_request", "%s", why);
	e.created_by = who ? who->name : NULL;
	snprintf(detail, sizeof(detail), "%s scope=%s %.90s expires=%lld %s=%.60s", e.rule ? "rule" : "advisory", e.scope,
		 e.value ? e.value : "", (long long)e.expires, e.rule ? "target" : "package",
		 e.rule ? (e.target ? e.target : "*") : (e.package ? e.package : "*"));
	ex.e = &e;
	ex.now = now;
	rc = bh_apictx_write(a, req, add_exc, &ex, "exception.add", e.advisory, detail, &err);
	id = ex.id;
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	/* the counts do not hide accepted risks today; marked so a count that does stays current */
	bh_apictx_changed(a);
	e.id = id;
	e.created = now;
	return bh_srv_resp_json(resp, 201, exc_json(&e));
}

static int delete_exception(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_error err;
	int64_t id;
	char target[32];
	int rc;
	if (bh_srv_parse_int(bh_srv_param(req, "id"), 1, INT64_MAX, &id))
		return bh_srv_resp_error(resp, 400, "bad_request", "the exception id is a positive integer");
	snprintf(target, sizeof(target), "%lld", (long long)id);
	rc = bh_apictx_write(ud, req, revoke_exc, &id, "exception.revoke", target, NULL, &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "no exception %lld in force", (long long)id);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	bh_apictx_changed(ud);
	return bh_srv_resp_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
}

int bh_exceptapi_routes(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/exceptions", get_exceptions, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "POST", "/api/v1/exceptions", post_exception, a, .allow = BH_SRV_ALLOW_OPERATOR, .body = BH_SRV_BODY_JSON,
		  .max_body = 16u << 10 },
		{ "DELETE", "/api/v1/exceptions/{id}", delete_exception, a, .allow = BH_SRV_ALLOW_OPERATOR },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}

/* ---- findings and expiry ---- */

static int acc_cb(void *ud, const bh_exception *e)
{
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)e->id, "scope", e->scope, "value",
			      bh_apictx_jstr(e->value), "reason", e->reason, "expires", bh_apictx_jtime(e->expires),
			      "created_by", bh_apictx_jstr(e->created_by));
	return o && !json_array_append_new(ud, o) ? 0 : BH_ENOMEM;
}

/*
 * An accepted finding's risk as the formula says it (README "Risk order": 0 when accepted): score
 * 0 and the policy term naming the exception. The stored score, the one the finding has again when
 * the exception ends, stays as score_unaccepted (and orders the list).
 */
static void accepted_risk(json_t *f, const json_t *exc)
{
	json_t *risk = json_object_get(f, "risk"), *terms = json_object_get(risk, "terms"), *t;
	const json_t *exp = json_object_get(exc, "expires");
	char val[200], src[48], date[40] = "";
	size_t i;
	if (!json_is_object(risk))
		return;
	snprintf(val, sizeof(val), "accepted: %.150s", json_string_value(json_object_get(exc, "reason")) ?
							  json_string_value(json_object_get(exc, "reason")) : "");
	snprintf(src, sizeof(src), "exception %lld", (long long)json_integer_value(json_object_get(exc, "id")));
	if (json_is_integer(exp)) {
		time_t tt = (time_t)json_integer_value(exp);
		struct tm tm;
		if (gmtime_r(&tt, &tm))
			strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	}
	json_object_set(risk, "score_unaccepted", json_object_get(risk, "score"));
	json_object_set_new(risk, "score", json_integer(0));
	json_array_foreach(terms, i, t) {
		if (!json_is_object(t) || !json_is_string(json_object_get(t, "name")) ||
		    strcmp(json_string_value(json_object_get(t, "name")), "policy") != 0)
			continue;
		json_object_set_new(t, "value", json_string(val));
		json_object_set_new(t, "weight", json_integer(0));
		json_object_set_new(t, "source", json_string(src));
		json_object_set_new(t, "date", date[0] ? json_string(date) : json_null());
	}
}

int bh_exceptapi_annotate(bh_store *st, json_t *items, const char *image, int64_t now, bh_error *err)
{
	size_t i;
	json_t *f;
	json_array_foreach(items, i, f) {
		json_t *acc = json_array();
		int rc;
		if (!acc)
			return BH_ENOMEM;
		rc = bh_exception_covering(st, json_integer_value(json_object_get(f, "component_id")),
					   json_string_value(json_object_get(f, "advisory")), image, now, acc_cb, acc, err);
		if (rc) {
			json_decref(acc);
			return rc;
		}
		/* the one that accepted it first; the others are listed by GET /api/v1/exceptions */
		if (json_array_size(acc)) {
			json_object_set(f, "accepted", json_array_get(acc, 0));
			accepted_risk(f, json_array_get(acc, 0));
		}
		json_decref(acc);
	}
	return 0;
}

/* ---- check results ---- */

/* e's fields borrowed from o, an exc_json object */
static void exc_of(const json_t *o, bh_exception *e)
{
	const json_t *sc = json_object_get(o, "scope");
	memset(e, 0, sizeof(*e));
	e->id = json_integer_value(json_object_get(o, "id"));
	e->rule = true;
	e->advisory = json_string_value(json_object_get(o, "rule"));
	e->target = json_string_value(json_object_get(o, "target"));
	e->scope = json_string_value(json_object_get(sc, "kind"));
	e->value = json_string_value(json_object_get(sc, "value"));
}

struct ctr_map {
	json_t *map; /* container id -> image digest */
};

static int ctr_cb(void *ud, const bh_store_container *c)
{
	struct ctr_map *m = ud;
	if (!c->container_id || !c->image_digest)
		return 0;
	return json_object_set_new(m->map, c->container_id, json_string(c->image_digest)) ? BH_ENOMEM : 0;
}

#define CTR_PAGES 20 /* 20,000 containers of one host at most are looked up */

/* host's containers into map[host] (an object container id -> image digest), once per host */
static int host_containers(bh_store *st, json_t *hosts, const char *host, json_t **out, bh_error *err)
{
	struct ctr_map m;
	int64_t after = 0, next = 0;
	unsigned pages = 0;
	int rc;
	if ((*out = json_object_get(hosts, host)) != NULL)
		return 0;
	if (!(m.map = json_object()))
		return BH_ENOMEM;
	do {
		rc = bh_store_container_list(st, host, NULL, false, after, BH_STORE_LIMIT_MAX, ctr_cb, &m, &next, err);
		after = next;
	} while (!rc && next && ++pages < CTR_PAGES);
	if (rc || json_object_set_new(hosts, host, m.map)) {
		if (rc)
			json_decref(m.map);
		return rc ? rc : BH_ENOMEM;
	}
	*out = m.map;
	return 0;
}

int bh_exceptapi_checks(bh_store *st, json_t *items, const char *image, int mode, int64_t now, bh_error *err)
{
	json_t *rules = json_array(), *hosts = json_object(), *repo_cache = json_object(), *c;
	bool need_images = false;
	size_t i, k;
	int rc = 0;
	if (!rules || !hosts || !repo_cache) {
		rc = BH_ENOMEM;
		goto out;
	}
	if ((rc = bh_exception_rules(st, now, list_cb, rules, err)) != 0)
		goto out;
	json_array_foreach(rules, k, c) {
		const char *kind = json_string_value(json_object_get(json_object_get(c, "scope"), "kind"));
		need_images |= kind && (!strcmp(kind, "image") || !strcmp(kind, "repository"));
	}
	for (i = 0; json_array_size(rules) && i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i), *ctrs, *repos;
		const char *host = image ? NULL : json_string_value(json_object_get(it, "host"));
		const char *cid = json_string_value(json_object_get(it, "container_id"));
		const char *digest = image, *names[128];
		bh_exception_subject subj;
		memset(&subj, 0, sizeof(subj));
		/* a container's result is judged by the image it runs; the host's own results by none */
		if (!image && need_images && host && cid && *cid) {
			if ((rc = host_containers(st, hosts, host, &ctrs, err)) != 0)
				goto out;
			digest = json_string_value(json_object_get(ctrs, cid));
		}
		if (digest && need_images) {
			if (!(repos = json_object_get(repo_cache, digest))) {
				if (!(repos = json_array()) || json_object_set_new(repo_cache, digest, repos)) {
					rc = BH_ENOMEM;
					goto out;
				}
				if ((rc = bh_exception_image_repos(st, digest, repo_cb, repos, err)) != 0)
					goto out;
			}
			for (k = 0; k < json_array_size(repos) && k < 128; k++)
				names[k] = json_string_value(json_array_get(repos, k));
			subj.repos = names;
			subj.nrepos = k;
		}
		subj.rule_id = json_string_value(json_object_get(it, "rule_id"));
		subj.target = json_string_value(json_object_get(it, "target"));
		subj.host = host;
		subj.digest = digest;
		json_array_foreach(rules, k, c) {
			bh_exception e;
			exc_of(c, &e);
			if (!bh_exception_rule_covers(&e, &subj))
				continue;
			/* the oldest that covers it, as for findings */
			if (json_object_set_new(it, "accepted", json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(c, "id"),
									    "scope", json_object_get(json_object_get(c, "scope"), "kind"),
									    "value", json_object_get(json_object_get(c, "scope"), "value"),
									    "reason", json_object_get(c, "reason"),
									    "expires", json_object_get(c, "expires"),
									    "created_by", json_object_get(c, "created_by")))) {
				rc = BH_ENOMEM;
				goto out;
			}
			break;
		}
	}
	/* 0: hide the accepted; 1: keep all; 2: only the accepted */
	for (i = json_array_size(items); mode != 1 && i-- > 0;) {
		bool acc = json_object_get(json_array_get(items, i), "accepted") != NULL;
		if (acc == (mode == 0))
			json_array_remove(items, i);
	}
out:
	json_decref(rules);
	json_decref(hosts);
	json_decref(repo_cache);
	return rc;
}

typedef struct tick_ctx {
	bh_store *st;
	int rc;
	bh_error *err;
} tick_ctx;

static int expired_cb(void *ud, const bh_exception *e)
{
	tick_ctx *t = ud;
	bh_store_event ev;
	json_t *o = exc_json(e);
	char *payload = o ? json_dumps(o, JSON_COMPACT) : NULL, key[64];
	int64_t seq;
	bool dup;
	int rc;
	json_decref(o);
	if (!payload)
		return BH_ENOMEM;
	memset(&ev, 0, sizeof(ev));
	snprintf(key, sizeof(key), "exception.expired:%lld", (long long)e->id);
	ev.type = "exception.expired";
	ev.payload_json = payload;
	ev.idem_key = key;
	ev.time = e->expires;
	rc = bh_store_event_add(t->st, &ev, (int64_t)time(NULL), &seq, &dup, t->err);
	free(payload);
	return rc;
}

void bh_exceptapi_tick(bh_api *a)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static time_t last;
	time_t now = time(NULL);
	bh_store *st;
	bh_error err;
	tick_ctx t;
	int rc;
	pthread_mutex_lock(&mu);
	if (now == last) {
		pthread_mutex_unlock(&mu);
		return;
	}
	last = now;
	pthread_mutex_unlock(&mu);
	st = bh_apictx_store(a);
	t.st = st;
	t.rc = 0;
	t.err = &err;
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc)
		rc = bh_exception_take_expired(st, (int64_t)now, expired_cb, &t, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	if (rc)
		bh_log_warn("exceptions: expiry events: %s", err.msg);
}
