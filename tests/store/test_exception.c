/* test_exception.c - accepted risks of check rules (store/exception.h, migration 10): stored beside advisories without touching their SQL, listed in force, matched by scope; SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "store/exception.h"
#include "store/store.h"
#include "support/storetest.h"

#define OK(call) do { bh_error e_ = { 0 }; if ((call) != 0) fail_msg("%s: %s", #call, e_.msg); } while (0)
#define E (&e_)

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define NOW ((int64_t)1800000000)

struct seen {
	char rows[8][200];
	size_t n;
};

static int seen_cb(void *ud, const bh_exception *e)
{
	struct seen *s = ud;
	if (s->n < 8)
		snprintf(s->rows[s->n++], sizeof(s->rows[0]), "%s %s %s %s %s", e->rule ? "rule" : "advisory", e->advisory,
			 e->scope, e->value ? e->value : "-", e->rule ? (e->target ? e->target : "-") : (e->package ? e->package : "-"));
	return 0;
}

static int repo_cb(void *ud, const char *repo)
{
	struct seen *s = ud;
	if (s->n < 8)
		snprintf(s->rows[s->n++], sizeof(s->rows[0]), "%s", repo);
	return 0;
}

static void test_exception_rules_stored(void **state)
{
	bh_store *st = *state;
	bh_exception r, a;
	struct seen s;
	int64_t id1 = 0, id2 = 0, id3 = 0, n = -1;

	memset(&r, 0, sizeof(r));
	r.rule = true;
	r.advisory = "BH-HOST-014";
	r.target = "daemon.json";
	r.scope = "host";
	r.value = "node-1";
	r.reason = "overlay network does it";
	r.expires = NOW + 60;
	OK(bh_exception_add(st, &r, NOW, &id1, E));
	/* an advisory of the same id as a rule is another exception: it must not hide that rule, nor
	 * the rule its findings */
	memset(&a, 0, sizeof(a));
	a.advisory = "BH-HOST-014";
	a.scope = "everywhere";
	a.reason = "x";
	a.expires = NOW + 60;
	OK(bh_exception_add(st, &a, NOW, &id2, E));
	r.scope = "everywhere";
	r.value = NULL;
	r.target = NULL;
	r.advisory = "BH-CTR-004";
	r.expires = NOW + 1; /* runs out */
	OK(bh_exception_add(st, &r, NOW, &id3, E));
	assert_true(id1 < id2 && id2 < id3);

	memset(&s, 0, sizeof(s));
	OK(bh_exception_rules(st, NOW, seen_cb, &s, E));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[0], "rule BH-HOST-014 host node-1 daemon.json");
	assert_string_equal(s.rows[1], "rule BH-CTR-004 everywhere - -");
	memset(&s, 0, sizeof(s));
	OK(bh_exception_rules(st, NOW + 1, seen_cb, &s, E));
	assert_int_equal(s.n, 1);
	/* the full list has both kinds, each read back as what it is */
	memset(&s, 0, sizeof(s));
	OK(bh_exception_list(st, true, NOW, seen_cb, &s, E));
	assert_int_equal(s.n, 3);
	assert_string_equal(s.rows[1], "advisory BH-HOST-014 everywhere - -");
	/* a rule's exception never enters the findings' condition */
	{
		char cond[2048];
		assert_true(bh_exception_sql_hidden(cond, sizeof(cond), 1, 0));
		assert_non_null(strstr(cond, "e.kind = 'advisory'"));
		OK(bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM exceptions WHERE kind = 'rule'", NULL, 0, &n, E) < 0);
		assert_int_equal(n, 2);
	}
	/* scope host is for rules only */
	{
		bh_error e_ = { 0 };
		a.scope = "host";
		a.value = "node-1";
		assert_int_equal(bh_exception_add(st, &a, NOW, NULL, &e_), BH_EINVAL);
	}
	OK(bh_exception_revoke(st, id1, NOW, E));
	memset(&s, 0, sizeof(s));
	OK(bh_exception_rules(st, NOW, seen_cb, &s, E));
	assert_int_equal(s.n, 1);
}

static void test_exception_image_repos(void **state)
{
	bh_store *st = *state;
	bh_sbom sb;
	bh_store_image m;
	struct seen s;
	bh_sbom_init(&sb);
	memset(&m, 0, sizeof(m));
	m.repo_tags_json = "[\"reg.example:5000/team/app:1.0\", \"team/app:2.0\"]";
	OK(bh_store_image_put_sbom(st, D1, &sb, &m, 0, NOW, NULL, NULL, E));
	memset(&s, 0, sizeof(s));
	OK(bh_exception_image_repos(st, D1, repo_cb, &s, E));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[0], "reg.example:5000/team/app");
	assert_string_equal(s.rows[1], "team/app");
	memset(&s, 0, sizeof(s));
	OK(bh_exception_image_repos(st, D2, repo_cb, &s, E));
	assert_int_equal(s.n, 0);
	bh_sbom_free(&sb);
}

static void test_exception_rule_covers(void **state)
{
	const char *repos[] = { "reg.example:5000/team/app", "team/app" };
	bh_exception e;
	bh_exception_subject ctr = { "BH-CTR-004", "", "node-1", D1, repos, 2 };
	bh_exception_subject host = { "BH-CTR-004", NULL, "node-1", NULL, NULL, 0 };
	bh_exception_subject other = { "BH-CTR-004", "web", "node-2", D2, NULL, 0 };
	(void)state;
	memset(&e, 0, sizeof(e));
	e.rule = true;
	e.advisory = "BH-CTR-004";
	e.scope = "everywhere";
	assert_true(bh_exception_rule_covers(&e, &ctr));
	assert_true(bh_exception_rule_covers(&e, &other));
	e.advisory = "BH-CTR-005";
	assert_false(bh_exception_rule_covers(&e, &ctr));
	e.advisory = "BH-CTR-004";
	/* an advisory's exception of that id covers no check */
	e.rule = false;
	assert_false(bh_exception_rule_covers(&e, &ctr));
	e.rule = true;
	e.scope = "host";
	e.value = "node-1";
	assert_true(bh_exception_rule_covers(&e, &ctr));
	assert_true(bh_exception_rule_covers(&e, &host));
	assert_false(bh_exception_rule_covers(&e, &other));
	e.scope = "image";
	e.value = D1;
	assert_true(bh_exception_rule_covers(&e, &ctr));
	assert_false(bh_exception_rule_covers(&e, &host)); /* the host's own result has no image */
	assert_false(bh_exception_rule_covers(&e, &other));
	e.scope = "repository";
	e.value = "team/app";
	assert_true(bh_exception_rule_covers(&e, &ctr));
	e.value = "reg.example:5000/team/app";
	assert_true(bh_exception_rule_covers(&e, &ctr));
	e.value = "team/ap";
	assert_false(bh_exception_rule_covers(&e, &ctr));
	assert_false(bh_exception_rule_covers(&e, &other));
	/* a target: only that result; "" and NULL targets are the same "none" */
	e.scope = "everywhere";
	e.value = NULL;
	e.target = "web";
	assert_true(bh_exception_rule_covers(&e, &other));
	assert_false(bh_exception_rule_covers(&e, &ctr));
	e.target = "";
	assert_true(bh_exception_rule_covers(&e, &host));
	assert_true(bh_exception_rule_covers(&e, &ctr));
	e.scope = "cluster"; /* unknown scopes cover nothing */
	e.target = NULL;
	assert_false(bh_exception_rule_covers(&e, &ctr));
}

#define TESTS                                                                                                    \
	cmocka_unit_test_setup_teardown(test_exception_rules_stored, bh_storetest_setup, bh_storetest_teardown),   \
	cmocka_unit_test_setup_teardown(test_exception_image_repos, bh_storetest_setup, bh_storetest_teardown),    \
	cmocka_unit_test(test_exception_rule_covers)

int main(void)
{
	const struct CMUnitTest tests[] = { TESTS };
	return bh_storetest_run("exception", tests, sizeof(tests) / sizeof(tests[0]), 5488);
}
