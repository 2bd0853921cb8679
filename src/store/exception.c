/* exception.c - exceptions rows (accepted risks of advisories and check rules), the repository index of images they scope by, the SQL that hides covered findings and the match of check results. */
#include "store/exception.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "store/sql.h"

#define COLS "id, advisory, package, scope, value, justification, reason, expires, created, created_by, revoked, kind, target"

int bh_exception_add(bh_store *st, const bh_exception *e, int64_t now, int64_t *id, bh_error *err)
{
	bh_sql_value p[11] = { BH_SQL_TEXT(e->advisory), BH_SQL_TEXT(e->rule ? NULL : e->package), BH_SQL_TEXT(e->scope),
			       BH_SQL_TEXT(e->value), BH_SQL_TEXT(e->justification), BH_SQL_TEXT(e->reason),
			       BH_SQL_INT(e->expires), BH_SQL_INT(now), BH_SQL_TEXT(e->created_by),
			       BH_SQL_TEXT(e->rule ? "rule" : "advisory"), BH_SQL_TEXT(e->rule ? e->target : NULL) };
	int64_t v = 0;
	int rc;
	if (!e->advisory || !*e->advisory || !e->reason || !*e->reason || !e->scope)
		return bh_error_set(err, BH_EINVAL, "store: an exception needs an advisory or rule, a scope and a reason");
	if (!e->rule && !strcmp(e->scope, "host"))
		return bh_error_set(err, BH_EINVAL, "store: only a rule can be accepted for a host");
	rc = bh_sql_query_int(bh_store_sql(st),
			      "INSERT INTO exceptions(advisory, package, scope, value, justification, reason, expires, created,"
			      " created_by, kind, target) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
			      p, 11, &v, err);
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

int bh_exception_revoke(bh_store *st, int64_t id, int64_t now, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(id), BH_SQL_INT(now) };
	int rc = bh_sql_exec(bh_store_sql(st), "UPDATE exceptions SET revoked = $2 WHERE id = $1 AND revoked = 0", p, 2, err);
	if (!rc && bh_sql_changes(bh_store_sql(st)) == 0)
		return bh_error_set(err, BH_ENOTFOUND, "store: no exception %lld in force", (long long)id);
	return rc;
}

static int rows(bh_sql *db, const char *sql, const bh_sql_value *p, size_t n, bh_exception_cb cb, void *ud, bh_error *err)
{
	bh_sql_rows *r = NULL;
	int rc = bh_sql_query(db, sql, p, n, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		bh_exception e;
		e.id = bh_sql_int(r, 0);
		e.advisory = bh_sql_text(r, 1);
		e.package = bh_sql_text(r, 2);
		e.scope = bh_sql_text(r, 3);
		e.value = bh_sql_text(r, 4);
		e.justification = bh_sql_text(r, 5);
		e.reason = bh_sql_text(r, 6);
		e.expires = bh_sql_int(r, 7);
		e.created = bh_sql_int(r, 8);
		e.created_by = bh_sql_text(r, 9);
		e.revoked = bh_sql_int(r, 10);
		e.rule = bh_sql_text(r, 11) && !strcmp(bh_sql_text(r, 11), "rule");
		e.target = bh_sql_text(r, 12);
		if ((rc = cb(ud, &e)) != 0)
			break;
		rc = 0;
	}
	bh_sql_rows_free(r);
	return rc;
}

int bh_exception_list(bh_store *st, bool all, int64_t now, bh_exception_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(all ? 1 : 0), BH_SQL_INT(now) };
	return rows(bh_store_sql(st),
		    "SELECT " COLS " FROM exceptions WHERE $1 = 1 OR (revoked = 0 AND (expires = 0 OR expires > $2))"
		    " ORDER BY id LIMIT 10000",
		    p, 2, cb, ud, err);
}

/* "e covers this finding's images": f and c are the finding and its component. */
static bool scope_sql(char *buf, size_t cap, unsigned image_param)
{
	int n;
	if (image_param)
		n = snprintf(buf, cap,
			     "(e.scope = 'image' AND e.value = $%u) OR (e.scope = 'repository' AND EXISTS (SELECT 1 FROM"
			     " image_repos r JOIN images ri ON ri.id = r.image_id WHERE ri.digest = $%u AND r.repository = e.value))",
			     image_param, image_param);
	else
		/* every image holding the component is in scope, and there is one */
		n = snprintf(buf, cap,
			     "EXISTS (SELECT 1 FROM image_components l0 WHERE l0.component_id = f.component_id) AND NOT EXISTS"
			     " (SELECT 1 FROM image_components l1 JOIN images i1 ON i1.id = l1.image_id WHERE"
			     " l1.component_id = f.component_id AND NOT ((e.scope = 'image' AND i1.digest = e.value) OR"
			     " (e.scope = 'repository' AND EXISTS (SELECT 1 FROM image_repos r WHERE r.image_id = i1.id AND"
			     " r.repository = e.value))))");
	return n >= 0 && (size_t)n < cap;
}

#define IN_FORCE(NOW) "e.revoked = 0 AND (e.expires = 0 OR e.expires > $" NOW ") AND (e.package IS NULL OR e.package = c.name)"

bool bh_exception_sql_hidden(char *buf, size_t cap, unsigned now_param, unsigned image_param)
{
	char scope[700];
	int n;
	if (!scope_sql(scope, sizeof(scope), image_param))
		return false;
	n = snprintf(buf, cap,
		     "EXISTS (SELECT 1 FROM exceptions e WHERE e.advisory = f.advisory AND e.kind = 'advisory' AND e.revoked = 0 AND"
		     " (e.expires = 0 OR e.expires > $%u) AND (e.package IS NULL OR e.package = c.name) AND"
		     " (e.scope = 'everywhere' OR (%s)))",
		     now_param, scope);
	return n >= 0 && (size_t)n < cap;
}

int bh_exception_covering(bh_store *st, int64_t component_id, const char *advisory, const char *image_digest, int64_t now,
			  bh_exception_cb cb, void *ud, bh_error *err)
{
	char scope[700], sql[2048];
	bh_sql_value p[4] = { BH_SQL_INT(component_id), BH_SQL_TEXT(advisory), BH_SQL_INT(now), BH_SQL_TEXT(image_digest) };
	int n;
	/* the list's condition asked of one finding, returning the exceptions instead of EXISTS */
	if (!scope_sql(scope, sizeof(scope), image_digest ? 4 : 0))
		return bh_error_set(err, BH_ELIMIT, "store: exception query too long");
	n = snprintf(sql, sizeof(sql),
		     "SELECT e.id, e.advisory, e.package, e.scope, e.value, e.justification, e.reason, e.expires, e.created,"
		     " e.created_by, e.revoked, e.kind, e.target FROM exceptions e JOIN findings f ON f.advisory = e.advisory"
		     " JOIN components c ON c.id = f.component_id WHERE f.component_id = $1 AND f.advisory = $2 AND"
		     " e.kind = 'advisory' AND " IN_FORCE("3")
		     " AND (e.scope = 'everywhere' OR (%s)) ORDER BY e.id",
		     scope);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return bh_error_set(err, BH_ELIMIT, "store: exception query too long");
	return rows(bh_store_sql(st), sql, p, image_digest ? 4 : 3, cb, ud, err);
}

int bh_exception_rules(bh_store *st, int64_t now, bh_exception_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(now);
	return rows(bh_store_sql(st),
		    "SELECT " COLS " FROM exceptions WHERE kind = 'rule' AND revoked = 0 AND (expires = 0 OR expires > $1)"
		    " ORDER BY id LIMIT 10000",
		    &p, 1, cb, ud, err);
}

static bool eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

bool bh_exception_rule_covers(const bh_exception *e, const bh_exception_subject *s)
{
	size_t i;
	if (!e->rule || !eq(e->advisory, s->rule_id))
		return false;
	/* a target named: only that result ("" and NULL are both "no target") */
	if (e->target && strcmp(e->target, s->target ? s->target : "") != 0)
		return false;
	if (eq(e->scope, "everywhere"))
		return true;
	if (eq(e->scope, "host"))
		return eq(e->value, s->host);
	if (eq(e->scope, "image"))
		return eq(e->value, s->digest);
	if (eq(e->scope, "repository"))
		for (i = 0; i < s->nrepos; i++)
			if (eq(e->value, s->repos[i]))
				return true;
	return false;
}

int bh_exception_image_repos(bh_store *st, const char *digest, int (*cb)(void *ud, const char *repo), void *ud,
			     bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(digest);
	bh_sql_rows *r = NULL;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT r.repository FROM image_repos r JOIN images i ON i.id = r.image_id WHERE i.digest = $1"
			      " ORDER BY r.repository LIMIT 128",
			      &p, 1, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		if ((rc = cb(ud, bh_sql_text(r, 0))) != 0)
			break;
		rc = 0;
	}
	bh_sql_rows_free(r);
	return rc;
}

int bh_exception_take_expired(bh_store *st, int64_t now, bh_exception_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(now);
	bh_sql_rows *r = NULL;
	int64_t ids[256];
	size_t n = 0, i;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT id FROM exceptions WHERE expired_noted = 0 AND revoked = 0 AND expires > 0 AND expires <= $1"
			      " ORDER BY id LIMIT 256",
			      &p, 1, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		ids[n++] = bh_sql_int(r, 0);
		rc = 0;
	}
	bh_sql_rows_free(r);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		bh_sql_value q = BH_SQL_INT(ids[i]);
		/* marked first: a second server racing for it sees no change and reports nothing */
		if ((rc = bh_sql_exec(bh_store_sql(st), "UPDATE exceptions SET expired_noted = 1 WHERE id = $1 AND expired_noted = 0",
				      &q, 1, err)) != 0)
			return rc;
		if (bh_sql_changes(bh_store_sql(st)) == 0)
			continue;
		if ((rc = rows(bh_store_sql(st), "SELECT " COLS " FROM exceptions WHERE id = $1", &q, 1, cb, ud, err)) != 0)
			return rc;
	}
	return 0;
}

void bh_exception_repo_names(const char *tag, char *out, char *short_, size_t cap)
{
	const char *first;
	size_t n, fl;
	out[0] = short_[0] = '\0';
	if (!bh_registry_repository_of(tag, out, cap)) {
		out[0] = '\0';
		return;
	}
	n = strlen(out);
	/* a first segment with a dot or a port, or "localhost", is a registry host (the reference grammar) */
	first = memchr(out, '/', n);
	if (first) {
		fl = (size_t)(first - out);
		if (memchr(out, '.', fl) || memchr(out, ':', fl) || (fl == 9 && !memcmp(out, "localhost", 9)))
			snprintf(short_, cap, "%s", first + 1);
	}
}

int bh_exception_index_image(bh_store *st, int64_t image_id, const char *repo_tags_json, bh_error *err)
{
	json_t *tags = repo_tags_json ? json_loads(repo_tags_json, 0, NULL) : NULL, *t;
	size_t i;
	int rc = 0;
	json_array_foreach(tags, i, t) {
		char full[512], shrt[512];
		const char *names[2] = { full, shrt };
		size_t k;
		if (!json_is_string(t) || i >= 64)
			continue;
		bh_exception_repo_names(json_string_value(t), full, shrt, sizeof(full));
		for (k = 0; k < 2 && !rc; k++) {
			bh_sql_value p[2] = { BH_SQL_INT(image_id), BH_SQL_TEXT(names[k]) };
			if (!*names[k])
				continue;
			rc = bh_sql_exec(bh_store_sql(st),
					 "INSERT INTO image_repos(image_id, repository) VALUES ($1, $2) ON CONFLICT DO NOTHING", p, 2, err);
		}
		if (rc)
			break;
	}
	json_decref(tags);
	return rc;
}
