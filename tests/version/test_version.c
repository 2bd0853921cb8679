/* test_version.c - version ordering cross-checked against dpkg and npm's semver on real versions,
 * plus known orderings for rpm, apk, PEP 440, Maven and RubyGems. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

static int sgn(int x) { return x < 0 ? -1 : x > 0; }

/* Reads "a<TAB>b<TAB>expected" lines (gzip through zcat) and checks every pair. */
static void pairs(const char *cmd, bh_ecosystem eco, size_t min)
{
	FILE *p = popen(cmd, "r");
	char line[1024];
	size_t n = 0, bad = 0;
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *a = line, *b = strchr(a, '\t'), *e;
		int want, got;
		bh_error err;
		if (!b || !(e = strchr(b + 1, '\t')))
			continue;
		*b++ = '\0';
		*e++ = '\0';
		want = atoi(e);
		n++;
		if (bh_version_cmp(eco, a, b, &got, &err) || sgn(got) != want) {
			if (bad++ < 10)
				print_error("%s vs %s: want %d, got %d\n", a, b, want, sgn(got));
		}
	}
	pclose(p);
	print_message("%zu pairs, %zu disagreements\n", n, bad);
	assert_true(n >= min);
	assert_int_equal(bad, 0);
}

static void test_dpkg_vs_dpkg(void **state)
{
	(void)state;
	pairs("zcat tests/fixtures/version/dpkg-pairs.tsv.gz", BH_ECO_DEB, 10000);
}

static void test_semver_vs_npm(void **state)
{
	(void)state;
	pairs("zcat tests/fixtures/version/semver-pairs.tsv.gz", BH_ECO_NPM, 10000);
}

static void test_npm_ranges(void **state)
{
	FILE *fp = fopen("tests/fixtures/version/semver-ranges.tsv", "r");
	char line[512];
	size_t n = 0, bad = 0;
	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char *v = line, *r = strchr(v, '\t'), *e;
		bool got;
		bh_error err;
		if (!r || !(e = strchr(r + 1, '\t')))
			continue;
		*r++ = '\0';
		*e++ = '\0';
		n++;
		if (bh_version_req_match(BH_ECO_NPM, v, r, &got, &err) || got != (atoi(e) == 1)) {
			if (bad++ < 10)
				print_error("%s in %s: want %s\n", v, r, atoi(e) ? "yes" : "no");
		}
	}
	fclose(fp);
	print_message("%zu range checks, %zu disagreements\n", n, bad);
	assert_true(n >= 700);
	assert_int_equal(bad, 0);
}

struct kc { const char *a, *b; int want; };

static void table(bh_ecosystem eco, const struct kc *t, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		int got;
		bh_error err;
		assert_int_equal(bh_version_cmp(eco, t[i].a, t[i].b, &got, &err), 0);
		if (sgn(got) != t[i].want)
			fail_msg("%s: %s vs %s want %d got %d", bh_ecosystem_name(eco), t[i].a, t[i].b, t[i].want, sgn(got));
	}
}

static void test_known_orders(void **state)
{
	static const struct kc rpm[] = {
		{ "1.0", "1.0", 0 }, { "1.0", "2.0", -1 }, { "2.0.1", "2.0", 1 }, { "1.0~rc1", "1.0", -1 },
		{ "1.0^git1", "1.0", 1 }, { "1.0^git1", "1.0.1", -1 }, { "1:1.0", "2.0", 1 }, { "1.0-1.el9", "1.0-2.el9", -1 },
		{ "5.1.8-6.el9", "5.1.8-6.el9_1", -1 }, { "1.0a", "1.0", 1 }, { "1.a", "1.1", -1 }, { "1.010", "1.9", 1 },
	};
	static const struct kc apk[] = {
		{ "1.2.3-r0", "1.2.3-r1", -1 }, { "1.2.3_rc1-r0", "1.2.3-r0", -1 }, { "1.2.3_p1-r0", "1.2.3-r0", 1 },
		{ "1.2.10-r0", "1.2.9-r0", 1 }, { "1.2a-r0", "1.2-r0", 1 }, { "1.2_alpha1", "1.2_beta1", -1 },
		{ "2.9.3-r0", "2.9.3-r0", 0 }, { "1.36.1-r5", "1.36.1-r15", -1 }, { "1.2", "1.2.1", -1 },
	};
	static const struct kc pep[] = {
		{ "1.0", "1.0.0", 0 }, { "1.0a1", "1.0", -1 }, { "1.0.dev1", "1.0a1", -1 }, { "1.0rc1", "1.0", -1 },
		{ "1.0.post1", "1.0", 1 }, { "1!0.1", "2.0", 1 }, { "1.0+local", "1.0", 1 }, { "1.0b2", "1.0rc1", -1 },
		{ "1.0alpha1", "1.0a1", 0 }, { "2.25.1", "2.26.0", -1 }, { "1.0.post1.dev1", "1.0.post1", -1 }, { "1.0-1", "1.0.post1", 0 },
	};
	static const struct kc mvn[] = {
		{ "1.0", "1.0.0", 0 }, { "1.0-alpha-1", "1.0", -1 }, { "1.0-SNAPSHOT", "1.0", -1 }, { "1.0-rc1", "1.0-SNAPSHOT", -1 },
		{ "1.0-sp1", "1.0", 1 }, { "2.12.1", "2.9.10", 1 }, { "1.0.RELEASE", "1.0", 0 }, { "1.0-beta", "1.0-alpha", 1 },
	};
	static const struct kc gem[] = {
		{ "1.0", "1.0.0", 0 }, { "1.0.a", "1.0", -1 }, { "1.10", "1.9", 1 }, { "2.2.3", "2.2.3.1", -1 }, { "1.0.0.pre", "1.0.0", -1 },
	};
	static const struct kc go[] = {
		{ "v1.2.3", "1.2.3", 0 }, { "v0.0.0-20210101000000-abcdef123456", "v0.0.1", -1 },
		{ "v2.0.0+incompatible", "v2.0.0", 0 }, { "v1.21.5", "1.21.10", -1 }, { "v1.2.4-0.20200101000000-abcdef123456", "v1.2.3", 1 },
	};
	(void)state;
	table(BH_ECO_RPM, rpm, sizeof(rpm) / sizeof(rpm[0]));
	table(BH_ECO_APK, apk, sizeof(apk) / sizeof(apk[0]));
	table(BH_ECO_PYPI, pep, sizeof(pep) / sizeof(pep[0]));
	table(BH_ECO_MAVEN, mvn, sizeof(mvn) / sizeof(mvn[0]));
	table(BH_ECO_GEM, gem, sizeof(gem) / sizeof(gem[0]));
	table(BH_ECO_GO, go, sizeof(go) / sizeof(go[0]));
}

static void test_requirements(void **state)
{
	static const struct { bh_ecosystem eco; const char *v, *req; bool want; } t[] = {
		{ BH_ECO_CARGO, "0.4.5", ">= 0.4.5", true }, { BH_ECO_CARGO, "0.4.4", ">= 0.4.5", false },
		{ BH_ECO_CARGO, "1.2.9", "^1.2.3", true }, { BH_ECO_CARGO, "2.0.0", "^1.2.3", false },
		{ BH_ECO_CARGO, "0.3.9", "^0.3.1", true }, { BH_ECO_CARGO, "0.4.0", "^0.3.1", false },
		{ BH_ECO_CARGO, "1.5.0", ">= 1.2, < 1.4", false }, { BH_ECO_CARGO, "1.3.1", ">= 1.2, < 1.4", true },
		{ BH_ECO_CARGO, "0.2.1", "0.2", true }, { BH_ECO_CARGO, "1.0.0", "=1.0.0", true },
		{ BH_ECO_PYPI, "2.2.5", "~=2.2", true }, { BH_ECO_PYPI, "3.0", "~=2.2", false },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool got;
		bh_error err;
		assert_int_equal(bh_version_req_match(t[i].eco, t[i].v, t[i].req, &got, &err), 0);
		if (got != t[i].want)
			fail_msg("%s in %s: want %d", t[i].v, t[i].req, t[i].want);
	}
}

static void test_hostile(void **state)
{
	char huge[600];
	int got;
	bool m;
	bh_error err;
	(void)state;
	memset(huge, '9', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, huge, "1", &got, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_NPM, "not-a-version", "1.0.0", &got, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "", ":", &got, &err), 0);
	assert_int_equal(bh_version_cmp(BH_ECO_RPM, "~~^^", "^~", &got, &err), 0);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "_-r", "-r_", &got, &err), 0);
	assert_int_equal(bh_version_req_match(BH_ECO_NPM, "1.0.0", ">=", &m, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_vs_dpkg),
		cmocka_unit_test(test_semver_vs_npm),
		cmocka_unit_test(test_npm_ranges),
		cmocka_unit_test(test_known_orders),
		cmocka_unit_test(test_requirements),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
