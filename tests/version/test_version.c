/* test_version.c - version ordering and requirement matching cross-checked against the real tools
 * (dpkg, npm semver, rpm, Python packaging, RubyGems) and known orderings (apk-tools, Maven). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

#define FX "tests/fixtures/version/"

static int sgn(int x) { return x < 0 ? -1 : x > 0; }

/* Splits "a<TAB>b<TAB>want" in place; false on a malformed line. */
static bool split3(char *line, char **a, char **b, int *want)
{
	char *t1 = strchr(line, '\t'), *t2;
	if (!t1 || !(t2 = strchr(t1 + 1, '\t')))
		return false;
	*t1 = *t2 = '\0';
	*a = line;
	*b = t1 + 1;
	*want = atoi(t2 + 1);
	return true;
}

static FILE *open_fixture(const char *name, bool *piped)
{
	char cmd[512];
	*piped = strstr(name, ".gz") != NULL;
	if (!*piped)
		return fopen(name, "r");
	snprintf(cmd, sizeof(cmd), "zcat '%s'", name);
	return popen(cmd, "r");
}

/* Every "a b expected-order" line of a fixture must agree; prints the first disagreements. */
static void pairs(const char *name, bh_ecosystem eco, size_t min)
{
	bool piped;
	FILE *f = open_fixture(name, &piped);
	char line[1024];
	size_t n = 0, bad = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *a, *b;
		int want, got = 0, rc;
		bh_error err;
		line[strcspn(line, "\n")] = '\0';
		if (!split3(line, &a, &b, &want))
			continue;
		n++;
		rc = bh_version_cmp(eco, a, b, &got, &err);
		if (rc || sgn(got) != want) {
			if (bad++ < 10)
				print_error("%s: \"%s\" vs \"%s\": want %d, got %d%s%s\n", bh_ecosystem_name(eco), a, b, want, sgn(got),
					    rc ? " / " : "", rc ? err.msg : "");
		}
	}
	if (piped)
		pclose(f);
	else
		fclose(f);
	print_message("%s: %zu pairs, %zu disagreements\n", name, n, bad);
	assert_true(n >= min);
	assert_int_equal(bad, 0);
}

/* Every "version requirement 1|0" line must agree. */
static void reqs(const char *name, bh_ecosystem eco, size_t min)
{
	bool piped;
	FILE *f = open_fixture(name, &piped);
	char line[1024];
	size_t n = 0, bad = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *v, *r;
		int want, rc;
		bool got = false;
		bh_error err;
		line[strcspn(line, "\n")] = '\0';
		if (!split3(line, &v, &r, &want))
			continue;
		n++;
		rc = bh_version_req_match(eco, v, r, &got, &err);
		if (rc || got != (want == 1)) {
			if (bad++ < 10)
				print_error("%s: \"%s\" in \"%s\": want %s%s%s\n", bh_ecosystem_name(eco), v, r, want ? "yes" : "no",
					    rc ? " / " : "", rc ? err.msg : "");
		}
	}
	if (piped)
		pclose(f);
	else
		fclose(f);
	print_message("%s: %zu requirement checks, %zu disagreements\n", name, n, bad);
	assert_true(n >= min);
	assert_int_equal(bad, 0);
}

static void test_dpkg_vs_dpkg(void **state) { (void)state; pairs(FX "dpkg-pairs.tsv.gz", BH_ECO_DEB, 10000); }
static void test_npm_vs_semver(void **state) { (void)state; pairs(FX "semver-pairs.tsv.gz", BH_ECO_NPM, 10000); }
static void test_npm_ranges_vs_semver(void **state) { (void)state; reqs(FX "semver-ranges.tsv", BH_ECO_NPM, 2000); }
static void test_rpm_vs_rpm(void **state) { (void)state; pairs(FX "rpm-pairs.tsv", BH_ECO_RPM, 1000); }
static void test_pep440_vs_packaging(void **state) { (void)state; pairs(FX "pep440-pairs.tsv", BH_ECO_PYPI, 800); }
static void test_pep440_specs_vs_packaging(void **state) { (void)state; reqs(FX "pep440-specs.tsv", BH_ECO_PYPI, 3000); }
static void test_gem_vs_rubygems(void **state) { (void)state; pairs(FX "gem-pairs.tsv", BH_ECO_GEM, 600); }
static void test_gem_reqs_vs_rubygems(void **state) { (void)state; reqs(FX "gem-reqs.tsv", BH_ECO_GEM, 1000); }

/* Every element of an ascending list is below every later one (and each equals itself). */
static void ascending(bh_ecosystem eco, const char *const *v, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++) {
			int ab, ba;
			bh_error err;
			assert_int_equal(bh_version_cmp(eco, v[i], v[j], &ab, &err), 0);
			assert_int_equal(bh_version_cmp(eco, v[j], v[i], &ba, &err), 0);
			if (sgn(ab) != (i == j ? 0 : -1) || sgn(ba) != -sgn(ab))
				fail_msg("%s: \"%s\" vs \"%s\" gave %d / %d", bh_ecosystem_name(eco), v[i], v[j], ab, ba);
		}
}

static void equal(bh_ecosystem eco, const char *const *v, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int r;
			bh_error err;
			assert_int_equal(bh_version_cmp(eco, v[i], v[j], &r, &err), 0);
			if (r)
				fail_msg("%s: \"%s\" should equal \"%s\", got %d", bh_ecosystem_name(eco), v[i], v[j], r);
		}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* maven-artifact 3.9's ComparableVersionTest orderings and equalities. */
static void test_maven_comparableversion(void **state)
{
	static const char *const qualifiers[] = { "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2",
		"1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1",
		"1-1-snapshot", "1-1", "1-2", "1-123" };
	static const char *const numbers[] = { "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c",
		"2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b",
		"11c", "11m" };
	static const char *const releases[] = { "1.17.0-alpha", "1.17.0-RC1", "1.17.0-SNAPSHOT", "1.17.0", "1.17.0.RELEASE-sp",
		"1.17.1", "1.17.10", "2.0-SNAPSHOT", "2.0" };
	static const char *const real[] = { "2.9.10", "2.9.10.1", "2.9.10.8", "2.12.0-rc1", "2.12.0-rc2", "2.12.0", "2.12.1",
		"2.12.7.1", "2.13.0", "2.17.0-M1", "2.17.0", "2.17.1" };
	static const char *const eq1[] = { "1", "1.0", "1.0.0", "1-0", "1.0-0", "1.ga", "1-ga", "1.final", "1-final",
		"1.release", "1-release", "1.0.0.RELEASE", "1.GA", "1.FINAL" };
	static const char *const eq2[] = { "1a1", "1-a1", "1-alpha-1", "1alpha1" };
	static const char *const eq3[] = { "2.0.a", "2.0.0.a", "2-a" };
	static const char *const eq4[] = { "1.0.0.M1", "1-m1", "1-milestone-1" };
	static const char *const eq5[] = { "1b2", "1-b2", "1-beta-2", "1beta2" };
	static const char *const eq6[] = { "1rc", "1cr", "1-rc", "1-cr", "1.RC" };
	static const char *const eq7[] = { "1-SNAPSHOT", "1-snapshot", "1.0-SNAPSHOT" };
	static const char *const eq8[] = { "12345678901234567890", "12345678901234567890.0" };
	static const char *const eq9[] = { "5.3.0.RELEASE", "5.3.0" };
	int r;
	bh_error err;
	(void)state;
	ascending(BH_ECO_MAVEN, qualifiers, N(qualifiers));
	ascending(BH_ECO_MAVEN, numbers, N(numbers));
	ascending(BH_ECO_MAVEN, releases, N(releases));
	ascending(BH_ECO_MAVEN, real, N(real));
	equal(BH_ECO_MAVEN, eq1, N(eq1));
	equal(BH_ECO_MAVEN, eq2, N(eq2));
	equal(BH_ECO_MAVEN, eq3, N(eq3));
	equal(BH_ECO_MAVEN, eq4, N(eq4));
	equal(BH_ECO_MAVEN, eq5, N(eq5));
	equal(BH_ECO_MAVEN, eq6, N(eq6));
	equal(BH_ECO_MAVEN, eq7, N(eq7));
	equal(BH_ECO_MAVEN, eq8, N(eq8));
	equal(BH_ECO_MAVEN, eq9, N(eq9));
	assert_int_equal(bh_version_cmp(BH_ECO_MAVEN, "1-0.1", "1", &r, &err), 0);
	assert_true(r > 0);
	assert_int_equal(bh_version_cmp(BH_ECO_MAVEN, "1-0-alpha", "1", &r, &err), 0);
	assert_true(r < 0);
	assert_int_equal(bh_version_cmp(BH_ECO_MAVEN, "1.9", "1.10", &r, &err), 0);
	assert_true(r < 0);
}

/* apk-tools ordering: numbers, one letter, suffixes (pre < none < post), -rN, leading zeros. */
static void test_apk_orders(void **state)
{
	static const char *const asc1[] = { "1.0_alpha-r0", "1.0_alpha1-r0", "1.0_alpha2-r0", "1.0_beta-r0", "1.0_beta3-r0",
		"1.0_pre1-r0", "1.0_rc1-r0", "1.0_rc2-r0", "1.0-r0", "1.0-r1", "1.0-r2", "1.0-r10", "1.0_cvs20200101-r0",
		"1.0_svn1-r0", "1.0_git20230101-r0", "1.0_hg1-r0", "1.0_p1-r0", "1.0_p2-r0", "1.0a-r0", "1.0b-r0", "1.0.1_rc1-r0",
		"1.0.1-r0", "1.0.2-r0", "1.0.10-r0", "1.1-r0", "1.10-r0", "2-r0" };
	static const char *const bare[] = { "1.1_alpha", "1.1_rc1", "1.1", "1.1_p1", "1.1a", "1.1.1" };
	static const char *const asc2[] = { "1.001", "1.01", "1.1", "1.2" };
	static const char *const asc3[] = { "1.2.3_rc1-r0", "1.2.3-r0", "1.2.3-r1", "1.2.3_p1-r0", "1.2.3a-r0", "1.2.4-r0" };
	static const char *const real[] = { "1.36.1-r2", "1.36.1-r5", "1.36.1-r15", "1.36.1-r29", "1.37.0-r0", "3.0.8-r0",
		"3.0.12-r0", "3.0.12-r1", "3.1.4-r0", "3.1.4-r5", "3.1.7-r0", "3.3.2-r0" };
	static const char *const rev[] = { "1.0", "1.0-r0", "1.0-r1" }; /* apk-tools: the bare form is lowest */
	int r;
	bh_error err;
	(void)state;
	ascending(BH_ECO_APK, asc1, N(asc1));
	ascending(BH_ECO_APK, bare, N(bare));
	ascending(BH_ECO_APK, asc2, N(asc2));
	/* apk-tools 3: a pre-release ranks below the bare version also after a ".0" (apk-tools 2 had it
	 * the other way round; its unit data pins "6.0_pre1 < 6.0") */
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "1.0_alpha", "1.0", &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "7.51.0_rc1-r0", "7.51.0", &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "6.0_p1", "6.0", &r, &err), 0);
	assert_int_equal(r, 1);
	ascending(BH_ECO_APK, asc3, N(asc3));
	ascending(BH_ECO_APK, real, N(real));
	ascending(BH_ECO_APK, rev, N(rev));
	/* commit hashes order as text, before the revision */
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "1.0~abc-r1", "1.0~abd-r0", &r, &err), 0);
	assert_int_equal(r, -1);
	/* every string has an order: the comparison runs until one side stops being a version, and a
	 * side that turns invalid ranks below one that goes on (real secdb keys: "4.10-1-r1") */
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "4.7.0-r0", "4.10-1-r1", &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "4.10-1-r1", "4.10-r0", &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "1.0_foo1", "1.0", &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "1.0-r1_p1", "1.0-r1", &r, &err), 0);
	assert_int_equal(r, -1);
	assert_int_equal(bh_version_cmp(BH_ECO_APK, "1.0a1", "1.0a", &r, &err), 0);
	assert_int_equal(r, -1);
}

/* Go (pseudo-versions, +incompatible, toolchain names), Cargo, Composer stabilities. */
static void test_semver_dialects(void **state)
{
	static const char *const go[] = { "v0.0.0-20190101000000-aaaaaaaaaaaa", "v0.0.0-20210101000000-abcdef123456",
		"v0.0.1", "v1.2.3", "v1.2.4-0.20200101000000-abcdef123456", "v1.2.4-pre", "v1.2.4", "v1.21.5", "1.21.10",
		"v2.0.0+incompatible", "v2.0.1-0.20220101000000-0123456789ab+incompatible", "v2.1.0" };
	static const char *const gotool[] = { "go1.20", "go1.21rc1", "go1.21rc2", "go1.21.0", "go1.21.5", "1.22.0" };
	static const char *const composer[] = { "1.0.0-dev", "1.0.0-alpha1", "v1.0.0-alpha2", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta10", "1.0.0-RC1", "1.0.0-rc2", "1.0.0", "1.0.0-patch1", "1.0.0.1", "1.0.1", "2.0.0.0" };
	static const char *const cargo[] = { "0.1.0-alpha", "0.1.0-alpha.1", "0.1.0-alpha.beta", "0.1.0-beta", "0.1.0-beta.2",
		"0.1.0-beta.11", "0.1.0-rc.1", "0.1.0", "0.1.1", "1.0.0", "1.0.0+build5" };
	static const char *const goeq[] = { "v2.0.0+incompatible", "v2.0.0", "2.0.0", "v2.0.0+meta" };
	int r;
	bh_error err;
	(void)state;
	ascending(BH_ECO_GO, go, N(go) - 2); /* the last two rely on build metadata being ignored */
	assert_int_equal(bh_version_cmp(BH_ECO_GO, go[10], go[11], &r, &err), 0);
	assert_true(r < 0);
	ascending(BH_ECO_GO, gotool, N(gotool));
	ascending(BH_ECO_COMPOSER, composer, N(composer));
	ascending(BH_ECO_CARGO, cargo, N(cargo) - 1);
	equal(BH_ECO_GO, goeq, N(goeq));
	assert_int_equal(bh_version_cmp(BH_ECO_CARGO, "1.0.0", "1.0.0+build5", &r, &err), 0);
	assert_int_equal(r, 0);
	/* four components degrade to a fourth number; huge numbers do not overflow */
	assert_int_equal(bh_version_cmp(BH_ECO_COMPOSER, "1.2.3.4", "1.2.3.10", &r, &err), 0);
	assert_true(r < 0);
	assert_int_equal(bh_version_cmp(BH_ECO_NPM, "1.0.0-99999999999999999999999", "1.0.0-100000000000000000000000", &r, &err), 0);
	assert_true(r < 0);
	assert_int_equal(bh_version_cmp(BH_ECO_NPM, "99999999999999999999999.0.0", "1.0.0", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_NPM, "not-a-version", "1.0.0", &r, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "not-a-version"));
	assert_int_equal(bh_version_cmp(BH_ECO_NPM, "1.0.0-", "1.0.0", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_NPM, "1.0.0-a..b", "1.0.0", &r, &err), BH_EINVAL);
}

static void test_dpkg_edges(void **state)
{
	static const char *const asc[] = { "", "0", "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-0.1", "1.0-1", "1.0-1+b1",
		"1.0-1+deb12u1", "1.0-1+deb12u2", "1.0-1+deb12u10", "1.0-1.1", "1.0a", "1.0+dfsg", "1.0.1", "1:0.1", "1:0.2",
		"2:0.0.1" };
	int r;
	bh_error err;
	(void)state;
	ascending(BH_ECO_DEB, asc, N(asc));
	/* dpkg's hard errors */
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, ":", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "1:", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "a:1", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "-1:1", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "99999999999:1", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "1.0-", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "1.0 2", "1", &r, &err), BH_EINVAL);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "1", "-1", &r, &err), BH_EINVAL);
	/* dpkg's warnings only: still compared */
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, "a1.0", "1.0", &r, &err), 0);
	assert_int_equal(bh_version_cmp(BH_ECO_DEB, " 1.0 ", "1.0", &r, &err), 0);
	assert_int_equal(r, 0);
}

static void test_rpm_edges(void **state)
{
	static const char *const asc[] = { "1.0~~", "1.0~rc1", "1.0~rc1^post", "1.0", "1.0^", "1.0^git1", "1.0.a", "1.0.1",
		"1.010", "1:0.1" };
	int r;
	bh_error err;
	(void)state;
	ascending(BH_ECO_RPM, asc, N(asc));
	/* a side without a release matches any release, as rpm's dependency compare does */
	assert_int_equal(bh_version_cmp(BH_ECO_RPM, "1.0", "1.0-5.el9", &r, &err), 0);
	assert_int_equal(r, 0);
	assert_int_equal(bh_version_cmp(BH_ECO_RPM, "0:1.0-1", "1.0-1", &r, &err), 0);
	assert_int_equal(r, 0);
	assert_int_equal(bh_version_cmp(BH_ECO_RPM, "", "1", &r, &err), BH_EINVAL);
}

struct rq {
	bh_ecosystem eco;
	const char *v, *req;
	bool want;
};

static void test_requirements(void **state)
{
	static const struct rq t[] = {
		/* Cargo (RustSec patched/unaffected lists) */
		{ BH_ECO_CARGO, "0.4.5", ">= 0.4.5", true }, { BH_ECO_CARGO, "0.4.4", ">= 0.4.5", false },
		{ BH_ECO_CARGO, "1.2.9", "^1.2.3", true }, { BH_ECO_CARGO, "2.0.0", "^1.2.3", false },
		{ BH_ECO_CARGO, "0.3.9", "^0.3.1", true }, { BH_ECO_CARGO, "0.4.0", "^0.3.1", false },
		{ BH_ECO_CARGO, "0.0.3", "^0.0.3", true }, { BH_ECO_CARGO, "0.0.4", "^0.0.3", false },
		{ BH_ECO_CARGO, "1.5.0", ">= 1.2, < 1.4", false }, { BH_ECO_CARGO, "1.3.1", ">= 1.2, < 1.4", true },
		{ BH_ECO_CARGO, "0.2.1", "0.2", true }, { BH_ECO_CARGO, "0.3.0", "0.2", false },
		{ BH_ECO_CARGO, "1.0.0", "=1.0.0", true }, { BH_ECO_CARGO, "1.0.1", "=1.0.0", false },
		{ BH_ECO_CARGO, "1.2.9", "~1.2.3", true }, { BH_ECO_CARGO, "1.3.0", "~1.2.3", false },
		{ BH_ECO_CARGO, "0.9.9", "< 1", true }, { BH_ECO_CARGO, "1.0.0", "< 1", false },
		{ BH_ECO_CARGO, "7.7.7", "*", true }, { BH_ECO_CARGO, "1.2.7", "1.2.x", true }, { BH_ECO_CARGO, "1.3.0", "1.2.*", false },
		{ BH_ECO_CARGO, "1.3.0-alpha.1", ">= 1.2.0", false }, { BH_ECO_CARGO, "1.3.0-alpha.2", ">= 1.3.0-alpha.1", true },
		{ BH_ECO_CARGO, "0.7.1", "^0.6.2, < 0.7 || >= 0.7.1", true },
		/* Composer */
		{ BH_ECO_COMPOSER, "1.9.0", "~1.2", true }, { BH_ECO_COMPOSER, "2.0.0", "~1.2", false },
		{ BH_ECO_COMPOSER, "1.2.9", "~1.2.3", true }, { BH_ECO_COMPOSER, "1.3.0", "~1.2.3", false },
		{ BH_ECO_COMPOSER, "v5.4.3", ">=5.4.0 <5.4.20 || >=6.0.0,<6.0.4", true },
		{ BH_ECO_COMPOSER, "6.0.4", ">=5.4.0 <5.4.20 | >=6.0.0,<6.0.4", false }, { BH_ECO_COMPOSER, "1.0.0", "1.0", true },
		{ BH_ECO_COMPOSER, "1.0.5", "1.0.*", true }, { BH_ECO_COMPOSER, "2.0.5", "1.0 - 2.0", true },
		{ BH_ECO_COMPOSER, "2.1.0", "1.0 - 2.0", false }, { BH_ECO_COMPOSER, "1.0.0-beta1", ">=1.0.0-alpha3", true },
		/* Go: plain comparators */
		{ BH_ECO_GO, "v1.2.3", ">=1.2.0, <1.3.0", true }, { BH_ECO_GO, "v0.0.0-20210101000000-abcdef123456", "<0.1.0", true },
		/* PEP 440 */
		{ BH_ECO_PYPI, "2.2.5", "~=2.2", true }, { BH_ECO_PYPI, "3.0", "~=2.2", false },
		{ BH_ECO_PYPI, "1.0rc1", ">=1.0rc1,<2", true }, { BH_ECO_PYPI, "2.31.0", "<2.31.0 || >=3", false },
		/* Maven ranges and comparators */
		{ BH_ECO_MAVEN, "2.12.1", "[2.9.0,2.12.6.1)", true }, { BH_ECO_MAVEN, "2.12.6.1", "[2.9.0,2.12.6.1)", false },
		{ BH_ECO_MAVEN, "1.0", "(,1.0]", true }, { BH_ECO_MAVEN, "1.2", "(,1.0],[1.2,)", true },
		{ BH_ECO_MAVEN, "1.1", "(,1.0],[1.2,)", false }, { BH_ECO_MAVEN, "1.0", "[1.0]", true },
		{ BH_ECO_MAVEN, "5.3.18", ">=5.3.0, <5.3.20", true }, { BH_ECO_MAVEN, "5.3.0.RELEASE", "=5.3.0", true },
		/* distro comparator lists */
		{ BH_ECO_DEB, "2.36-9+deb12u4", "<< 2.36-9+deb12u7", true }, { BH_ECO_DEB, "1:2.0", ">= 1:2.0, < 1:3", true },
		{ BH_ECO_DEB, "2.0", ">= 1:2.0", false }, { BH_ECO_RPM, "1:3.0.7-27.el9", "< 1:3.0.7-28.el9_4", true },
		{ BH_ECO_APK, "1.36.1-r5", ">=1.36.1-r2, <1.36.1-r29", true }, { BH_ECO_APK, "3.1.4-r5", "3.1.4-r5", true },
		{ BH_ECO_GEM, "7.0.4.3", "~> 7.0.4", true }, { BH_ECO_GEM, "7.1.0", "~> 7.0.4", false },
		{ BH_ECO_GEM, "1.16.0", ">= 1.15.0, != 1.15.6", true },
	};
	size_t i;
	(void)state;
	for (i = 0; i < N(t); i++) {
		bool got = !t[i].want;
		bh_error err;
		int rc = bh_version_req_match(t[i].eco, t[i].v, t[i].req, &got, &err);
		if (rc)
			fail_msg("%s: \"%s\" in \"%s\": %s", bh_ecosystem_name(t[i].eco), t[i].v, t[i].req, err.msg);
		if (got != t[i].want)
			fail_msg("%s: \"%s\" in \"%s\": want %d", bh_ecosystem_name(t[i].eco), t[i].v, t[i].req, t[i].want);
	}
}

static void test_bad_requirements(void **state)
{
	static const struct { bh_ecosystem eco; const char *v, *req; } t[] = {
		{ BH_ECO_NPM, "1.0.0", ">=" }, { BH_ECO_NPM, "1.0.0", "^1.2.3.4.5.6.7.8.9" }, { BH_ECO_CARGO, "1.0.0", ">= banana" },
		{ BH_ECO_NPM, "banana", "*" }, { BH_ECO_PYPI, "1.0", "~=1" }, { BH_ECO_PYPI, "1.0", ">=1.*" }, { BH_ECO_PYPI, "1.0", "1.0" },
		{ BH_ECO_MAVEN, "1.0", "[1.0,2.0" }, { BH_ECO_MAVEN, "1.0", "(1.0)" }, { BH_ECO_DEB, "1.0", "<< " },
		{ BH_ECO_DEB, "1.0", "~~ 1.0" }, { BH_ECO_GEM, "1.0", "~> x" }, { BH_ECO_APK, "1.0", "~~ 1.0" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < N(t); i++) {
		bool m;
		bh_error err;
		if (bh_version_req_match(t[i].eco, t[i].v, t[i].req, &m, &err) != BH_EINVAL)
			fail_msg("%s: \"%s\" in \"%s\" should be BH_EINVAL", bh_ecosystem_name(t[i].eco), t[i].v, t[i].req);
	}
}

/* Garbage never crashes, and whenever both orders parse, they are antisymmetric. */
static void test_hostile(void **state)
{
	static const char alphabet[] = "0123456789.-+~^:_abcdeprvxXzRCP*!=<>|, \t\xff\x80";
	char huge[600], a[64], b[64];
	unsigned seed = 12345;
	int e, i, r;
	bool m;
	bh_error err;
	(void)state;
	memset(huge, '9', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	for (e = BH_ECO_DEB; e < BH_ECO__COUNT; e++) {
		assert_int_equal(bh_version_cmp((bh_ecosystem)e, huge, "1", &r, &err), BH_EINVAL);
		assert_int_equal(bh_version_cmp((bh_ecosystem)e, "1", huge, &r, &err), BH_EINVAL);
		assert_int_equal(bh_version_req_match((bh_ecosystem)e, huge, "*", &m, &err), BH_EINVAL);
		assert_int_equal(bh_version_cmp((bh_ecosystem)e, NULL, "1", &r, &err), BH_EINVAL);
	}
	for (i = 0; i < 200000; i++) {
		size_t la, lb, k;
		int r1, r2;
		seed = seed * 1103515245u + 12345u;
		la = (seed >> 16) % sizeof(a);
		seed = seed * 1103515245u + 12345u;
		lb = (seed >> 16) % sizeof(b);
		for (k = 0; k < la; k++) {
			seed = seed * 1103515245u + 12345u;
			a[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		a[la] = '\0';
		for (k = 0; k < lb; k++) {
			seed = seed * 1103515245u + 12345u;
			b[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		b[lb] = '\0';
		e = BH_ECO_DEB + i % (BH_ECO__COUNT - BH_ECO_DEB);
		if (bh_version_cmp((bh_ecosystem)e, a, b, &r1, &err) == 0 && bh_version_cmp((bh_ecosystem)e, b, a, &r2, &err) == 0 &&
		    sgn(r1) != -sgn(r2))
			fail_msg("%s: \"%s\" vs \"%s\" not antisymmetric (%d, %d)", bh_ecosystem_name((bh_ecosystem)e), a, b, r1, r2);
		(void)bh_version_req_match((bh_ecosystem)e, a, b, &m, &err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_vs_dpkg),
		cmocka_unit_test(test_npm_vs_semver),
		cmocka_unit_test(test_npm_ranges_vs_semver),
		cmocka_unit_test(test_rpm_vs_rpm),
		cmocka_unit_test(test_pep440_vs_packaging),
		cmocka_unit_test(test_pep440_specs_vs_packaging),
		cmocka_unit_test(test_gem_vs_rubygems),
		cmocka_unit_test(test_gem_reqs_vs_rubygems),
		cmocka_unit_test(test_maven_comparableversion),
		cmocka_unit_test(test_apk_orders),
		cmocka_unit_test(test_semver_dialects),
		cmocka_unit_test(test_dpkg_edges),
		cmocka_unit_test(test_rpm_edges),
		cmocka_unit_test(test_requirements),
		cmocka_unit_test(test_bad_requirements),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
