/* test_rules.c - the rule catalogue: every module's table listed once, ids unique and well formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/rules.h"

struct seen {
	char *id[512];
	size_t n;
	size_t img, df, ctr, host, k8s, lic, secret;
};

static const struct {
	const char *category, *prefix;
} prefixes[] = {
	{ "image-config", "BH-IMG-" }, { "dockerfile", "BH-DF-" }, { "container", "BH-CTR-" },
	{ "host", "BH-HOST-" },        { "kubernetes", "BH-K8S-" }, { "license", "BH-LIC-" },
	{ "secret", "BH-SECRET-" },
};

static int visit(const bh_rule *r, const char *category, void *ctx)
{
	struct seen *s = ctx;
	size_t i;
	assert_non_null(r->id);
	assert_non_null(r->title);
	assert_non_null(r->why);
	assert_non_null(r->fix);
	assert_true(strlen(r->title) > 0 && strlen(r->why) > 0 && strlen(r->fix) > 0);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strcmp(prefixes[i].category, category) == 0)
			break;
	if (i == sizeof(prefixes) / sizeof(prefixes[0]))
		fail_msg("%s: unexpected category %s", r->id, category);
	if (strncmp(r->id, prefixes[i].prefix, strlen(prefixes[i].prefix)) != 0)
		fail_msg("%s: category %s wants %s", r->id, category, prefixes[i].prefix);
	for (i = 0; i < s->n; i++)
		if (strcmp(s->id[i], r->id) == 0)
			fail_msg("%s: listed twice", r->id);
	assert_true(s->n < 512);
	s->id[s->n++] = strdup(r->id); /* secret ids live for the call only */
	s->img += strcmp(category, "image-config") == 0;
	s->df += strcmp(category, "dockerfile") == 0;
	s->ctr += strcmp(category, "container") == 0;
	s->host += strcmp(category, "host") == 0;
	s->k8s += strcmp(category, "kubernetes") == 0;
	s->lic += strcmp(category, "license") == 0;
	/* the licence rules as the README lists them: denied by the policy is the one CRITICAL */
	if (!strcmp(r->id, "BH-LIC-001"))
		assert_int_equal(r->severity, BH_SEV_CRITICAL);
	s->secret += strcmp(category, "secret") == 0;
	/* rules that always need the running daemon have no severity; every other one has */
	if (r->severity == BH_SEV_UNKNOWN &&
	    !(strcmp(r->id, "BH-HOST-000") == 0 || strcmp(r->id, "BH-HOST-019") == 0 || strcmp(r->id, "BH-HOST-020") == 0 ||
	      strcmp(r->id, "BH-HOST-051") == 0))
		fail_msg("%s: no severity", r->id);
	return 0;
}

static void test_catalogue(void **state)
{
	struct seen s;
	size_t i;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_rules_each(visit, &s), 0);
	/* the counts README and tests/e2e/checks.sh rely on */
	assert_int_equal(s.img, 14);
	assert_int_equal(s.df, 22);
	assert_int_equal(s.ctr, 25);
	assert_int_equal(s.k8s, 24);
	assert_int_equal(s.host, 64);
	assert_int_equal(s.lic, 5);
	assert_true(s.secret >= 40);
	assert_string_equal(s.id[0], "BH-IMG-001");
	assert_string_equal(s.id[13], "BH-IMG-014");
	for (i = 0; i < s.n; i++)
		free(s.id[i]);
}

static int stop_at_third(const bh_rule *r, const char *category, void *ctx)
{
	int *n = ctx;
	(void)r; (void)category;
	return ++*n == 3 ? 42 : 0;
}

static void test_each_stops(void **state)
{
	int n = 0;
	(void)state;
	assert_int_equal(bh_rules_each(stop_at_third, &n), 42);
	assert_int_equal(n, 3);
}

static void test_find(void **state)
{
	const char *cat = NULL;
	const bh_rule *r;
	(void)state;
	assert_non_null(r = bh_rules_find("BH-CTR-005", &cat));
	assert_string_equal(cat, "container");
	assert_string_equal(r->cis, "5.5");
	assert_int_equal(r->severity, BH_SEV_CRITICAL);
	assert_string_equal(r->title, "Ensure that privileged containers are not used");
	assert_non_null(r = bh_rules_find("BH-K8S-013", NULL));
	assert_string_equal(r->title, "Privilege Escalation (Pod Security Standards restricted)");
	assert_int_equal(r->severity, BH_SEV_MEDIUM);
	assert_non_null(r = bh_rules_find("BH-DF-008", &cat));
	assert_string_equal(cat, "dockerfile");
	assert_non_null(r = bh_rules_find("BH-HOST-116", &cat));
	assert_string_equal(r->cis, "3.16");
	assert_null(bh_rules_find("BH-IMG-999", NULL));
	assert_null(bh_rules_find("BH-SECRET-jwt", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_each_stops),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
