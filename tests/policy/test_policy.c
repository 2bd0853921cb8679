/* test_policy.c - the policy file: what it accepts, what it refuses (naming the key), and lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "policy/policy.h"

static int parse(const char *text, bh_policy *p, bh_error *e)
{
	bh_limits lim;
	bh_limits_default(&lim);
	return bh_policy_parse(text, strlen(text), "t.yaml", &lim, p, e);
}

static void test_full(void **state)
{
	const char *doc = "version: 1\n"
			  "severity: [HIGH, critical]\n"
			  "fail-on: HIGH\n"
			  "exit-code: 3\n"
			  "ignore-unfixed: true\n"
			  "registries: {allow: [registry.example.com]}\n"
			  "packages: {deny: telnetd}\n"
			  "licenses: {allow: [MIT], deny: [AGPL-3.0-only], deny-classes: [network-copyleft]}\n"
			  "labels: {require: [org.opencontainers.image.source]}\n"
			  "checks:\n"
			  "  disable: [BH-IMG-002]\n"
			  "  max-image-age-days: 90\n"
			  "  exceptions:\n"
			  "    - {rule: BH-IMG-010, paths: [/usr/bin/passwd], expires: 2030-01-31, reason: ok}\n"
			  "    - {paths: [/opt/vendor/]}\n"
			  "secrets: {rules: [{id: x, regex: 'x_[0-9]{8}'}]}\n";
	bh_policy p;
	bh_error e;
	(void)state;
	assert_int_equal(parse(doc, &p, &e), 0);
	assert_int_equal(p.severities, (1u << BH_SEV_HIGH) | (1u << BH_SEV_CRITICAL));
	assert_int_equal(p.fail_on, BH_SEV_HIGH);
	assert_int_equal(p.exit_code, 3);
	assert_true(p.ignore_unfixed);
	assert_int_equal(p.nregistries, 1);
	assert_int_equal(p.ndeny_packages, 1); /* a single string is a list of one */
	assert_string_equal(p.deny_packages[0], "telnetd");
	assert_int_equal(p.max_image_age_days, 90);
	assert_int_equal(p.nexceptions, 2);
	assert_non_null(p.secret_rules);
	/* disabled everywhere; excepted on its path until its expiry (2030-01-31 23:59:59 UTC) */
	assert_true(bh_policy_suppressed(&p, "BH-IMG-002", NULL, 0));
	assert_true(bh_policy_suppressed(&p, "BH-IMG-010", "/usr/bin/passwd", 1893455999));
	assert_false(bh_policy_suppressed(&p, "BH-IMG-010", "/usr/bin/passwd", 1896134400));
	assert_false(bh_policy_suppressed(&p, "BH-IMG-010", "/usr/bin/su", 0));
	/* a path-only exception covers every rule under it */
	assert_true(bh_policy_suppressed(&p, "BH-SECRET-jwt", "/opt/vendor/lib.js", 0));
	assert_false(bh_policy_suppressed(&p, "BH-SECRET-jwt", "/opt/other/lib.js", 0));
	assert_false(bh_policy_suppressed(NULL, "BH-IMG-002", NULL, 0));
	bh_policy_free(&p);
}

static void test_refused(void **state)
{
	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{ "version: 2\n", "version must be 1" },
		{ "registry: {allow: [x]}\n", "unknown key \"registry\"" },
		{ "checks: {exceptions: [{rule: X, expires: soon}]}\n", "expires must be YYYY-MM-DD" },
		{ "checks: {exceptions: [{reason: why}]}\n", "needs a rule or paths" },
		{ "checks: {max-image-age-days: many}\n", "must be a number" },
		{ "severity: [HIGH, SEVERE]\n", "is not a severity" },
		{ "fail-on: loud\n", "is not a severity" },
		{ "exit-code: 300\n", "between 0 and 255" },
		{ "ignore-unfixed: perhaps\n", "true or false" },
		{ "packages: {deny: [[nested]]}\n", "must be a string" },
		{ "licenses: {deny: {a: b}}\n", "must be a list of strings" },
		{ "- just\n- a list\n", "must be a mapping" },
		{ "secrets: {rules: x}\n", "must be a list" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bh_policy p;
		bh_error e;
		memset(&e, 0, sizeof(e));
		assert_int_equal(parse(bad[i].doc, &p, &e), BH_EINVAL);
		if (!strstr(e.msg, bad[i].msg) || !strstr(e.msg, "t.yaml"))
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].doc, e.msg, bad[i].msg);
	}
}

static void test_limits(void **state)
{
	bh_limits lim;
	bh_policy p;
	bh_error e;
	char big[4096];
	(void)state;
	bh_limits_default(&lim);
	lim.max_meta_size = 100;
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(bh_policy_parse(big, strlen(big), "big.yaml", &lim, &p, &e), BH_ELIMIT);
	assert_int_equal(bh_policy_load("/nonexistent/bulkhead.yaml", &lim, &p, &e), BH_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
