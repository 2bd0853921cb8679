/* vulndb.c - reading back what a test stored in a vulnerability DB, through db.h's typed reads. */
#include "support/vulndb.h"

#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"

struct walk {
	const char *const *conds;
	const char *field; /* wanted field, or NULL to count */
	long n;
	char *got;
	bool done;
};

/* Whether one "FIELD=PATTERN" condition holds for value v (NULL: unset). */
static bool holds(const char *cond, const char *name, const char *v, bool *known)
{
	size_t n = strlen(name);
	bool neg;
	const char *pat;
	if (strncmp(cond, name, n) != 0 || (cond[n] != '=' && strncmp(cond + n, "!=", 2) != 0))
		return true;
	*known = true;
	neg = cond[n] == '!';
	pat = cond + n + (neg ? 2 : 1);
	if (!strcmp(pat, "NULL"))
		return neg ? v != NULL : v == NULL;
	if (!v)
		return false; /* as SQL: an unset field neither matches nor fails to match */
	return (fnmatch(pat, v, 0) == 0) != neg;
}

static bool all_hold(const char *const *conds, const char *const *names, const char *const *vals, size_t nf,
		     const bh_advisory *a)
{
	size_t c, i;
	for (c = 0; conds && conds[c]; c++) {
		bool known = false, ok = true;
		for (i = 0; i < nf && ok; i++)
			ok = holds(conds[c], names[i], vals[i], &known);
		if (ok && a && !strncmp(conds[c], "alias=", 6)) {
			known = true;
			ok = false;
			for (i = 0; i < a->naliases && !ok; i++)
				ok = fnmatch(conds[c] + 6, a->aliases[i], 0) == 0;
		}
		if (!known)
			fail_msg("unknown field in \"%s\"", conds[c]);
		if (!ok)
			return false;
	}
	return true;
}

static void take(struct walk *w, const char *const *names, const char *const *vals, size_t nf, const char *extra)
{
	size_t i;
	w->n++;
	if (!w->field || w->done)
		return;
	w->done = true;
	if (extra) {
		w->got = strdup(extra);
		return;
	}
	for (i = 0; i < nf; i++)
		if (!strcmp(names[i], w->field)) {
			w->got = vals[i] ? strdup(vals[i]) : NULL;
			return;
		}
	fail_msg("unknown field \"%s\"", w->field);
}

static const char *const row_names[] = { "advisory_id", "source", "ecosystem", "package", "distro",
					  "ranges", "versions", "status", "fixed_version", "severity" };

static int on_row(void *arg, const bh_vulndb_row *r)
{
	struct walk *w = arg;
	const char *vals[] = { r->advisory_id, r->source, r->ecosystem, r->package, r->distro,
			       r->ranges, r->versions, r->status, r->fixed_version, r->urgency };
	if (all_hold(w->conds, row_names, vals, 10, NULL))
		take(w, row_names, vals, 10, NULL);
	return 0;
}

static const char *const adv_names[] = { "id", "source", "summary", "severity", "modified", "withdrawn", "kind" };

static int on_adv(void *arg, const bh_advisory *a)
{
	struct walk *w = arg;
	const char *vals[] = { a->id, a->source, a->summary, a->severity, a->modified, a->withdrawn, a->kind };
	if (!all_hold(w->conds, adv_names, vals, 7, a))
		return 0;
	if (w->field && !strcmp(w->field, "aliases") && !w->done) {
		bh_buf b = BH_BUF_INIT;
		size_t i;
		for (i = 0; i < a->naliases; i++)
			assert_int_equal(bh_buf_printf(&b, "%s%s", i ? " " : "", a->aliases[i]), 0);
		w->n++;
		w->done = true;
		w->got = b.len ? strdup(b.data) : NULL;
		bh_buf_free(&b);
		return 0;
	}
	take(w, adv_names, vals, 7, NULL);
	return 0;
}

static struct walk rows(bh_vulndb *db, const char *field, const char *const *conds)
{
	struct walk w = { conds, field, 0, NULL, false };
	bh_error err;
	assert_int_equal(bh_vulndb_each_row(db, on_row, &w, &err), 0);
	return w;
}

static struct walk advisories(bh_vulndb *db, const char *field, const char *const *conds)
{
	struct walk w = { conds, field, 0, NULL, false };
	bh_error err;
	assert_int_equal(bh_vulndb_each_advisory(db, on_adv, &w, &err), 0);
	return w;
}

long bh_test_count_rows(bh_vulndb *db, const char *const *conds) { return rows(db, NULL, conds).n; }
long bh_test_count_advisories(bh_vulndb *db, const char *const *conds) { return advisories(db, NULL, conds).n; }
char *bh_test_row_field(bh_vulndb *db, const char *field, const char *const *conds) { return rows(db, field, conds).got; }
char *bh_test_advisory_field(bh_vulndb *db, const char *field, const char *const *conds)
{
	return advisories(db, field, conds).got;
}

long bh_test_count_aliases(bh_vulndb *db)
{
	bh_vulndb_stats st;
	bh_error err;
	long n;
	assert_int_equal(bh_vulndb_get_stats(db, &st, &err), 0);
	n = (long)st.aliases;
	bh_vulndb_stats_free(&st);
	return n;
}

long bh_test_count_words(char *list)
{
	long n = 0;
	const char *p = list;
	while (p && *p) {
		p += strspn(p, " ");
		if (*p)
			n++;
		p += strcspn(p, " ");
	}
	free(list);
	return n;
}
