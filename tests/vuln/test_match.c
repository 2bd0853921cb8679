/* test_match.c - the matcher over a small DB built here: OSV event order, fixed version of the installed
 * branch, PEP 503 names, RustSec intervals as cargo-audit reads them, informational kinds, alias
 * merging, borrowed severities, OS-owned language packages and the coverage warnings. The ranges of
 * PYSEC-2023-212, PYSEC-2023-192, PYSEC-2019-13, RUSTSEC-2021-0003 and RUSTSEC-2016-0002 are the real
 * records' (as `db import` stores them from ../shared/data). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "version/version.h"
#include "vuln/db.h"
#include "vuln/match.h"
#include "support/tmpdir.h"

static char dir[64];
static char path[128];

static void adv(bh_vulndb *db, const char *source, const char *id, const char *severity, double cvss, const char *kind,
		const char *const *aliases, size_t naliases)
{
	bh_advisory a;
	bh_error err;
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.source = source;
	a.summary = id;
	a.severity = severity;
	a.cvss_score = cvss;
	a.kind = kind;
	a.aliases = aliases;
	a.naliases = naliases;
	assert_int_equal(bh_vulndb_put_advisory(db, &a, &err), 0);
}

static void aff(bh_vulndb *db, const char *id, const char *eco, const char *pkg, const char *distro, const char *ranges,
		const char *versions, const char *status, const char *fixed)
{
	bh_affected r;
	bh_error err;
	memset(&r, 0, sizeof(r));
	r.advisory_id = id;
	r.ecosystem = eco;
	r.package = pkg;
	r.distro = distro;
	r.ranges = ranges;
	r.versions = versions;
	r.status = status;
	r.fixed_version = fixed;
	assert_int_equal(bh_vulndb_put_affected(db, &r, &err), 0);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state)
{
	bh_vulndb *db;
	bh_error err;
	(void)state;
	if (bh_test_mkdtemp(dir, sizeof(dir), "match"))
		return -1;
	snprintf(path, sizeof(path), "%s/vuln.db", dir);
	bh_log_set_level(BH_LOG_QUIET);
	if (bh_vulndb_create(path, false, &db, &err) || bh_vulndb_begin(db, &err))
		return -1;
	{
		/* real PyPA records: events out of order */
		static const char *const a212[] = { "CVE-2023-45803", "GHSA-g4mx-q9vg-27p4" };
		static const char *const a192[] = { "CVE-2023-43804", "GHSA-v845-jxx5-vc9f" };
		static const char *const a13[] = { "CVE-2019-14234", "GHSA-6r97-cj55-9hrq" };
		adv(db, "osv", "PYSEC-2023-212", NULL, 0, NULL, a212, N(a212));
		aff(db, "PYSEC-2023-212", "pypi", "urllib3", NULL,
		    "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.0.7\"},{\"introduced\":\"0\"},{\"fixed\":\"1.26.18\"}]}]",
		    NULL, "fixed", "2.0.7");
		adv(db, "osv", "PYSEC-2023-192", NULL, 0, NULL, a192, N(a192));
		aff(db, "PYSEC-2023-192", "pypi", "urllib3", NULL,
		    "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.0.6\"},{\"introduced\":\"0\"},{\"fixed\":\"1.26.17\"}]}]",
		    NULL, "fixed", "2.0.6");
		adv(db, "osv", "PYSEC-2019-13", NULL, 0, NULL, a13, N(a13));
		aff(db, "PYSEC-2019-13", "pypi", "django", NULL,
		    "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.1\"},{\"fixed\":\"2.1.11\"},{\"introduced\":\"1.11\"},{\"fixed\":\"1.11.23\"},"
		    "{\"introduced\":\"2.2\"},{\"fixed\":\"2.2.4\"}]}]", NULL, "fixed", "2.1.11");
	}
	/* last_affected, limit, ties in the record's order, versions lists */
	adv(db, "osv", "OSV-LA", NULL, 0, NULL, NULL, 0);
	aff(db, "OSV-LA", "pypi", "la", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"last_affected\":\"1.5\"}]}]", NULL,
	    "affected", NULL);
	adv(db, "osv", "OSV-LIMIT", NULL, 0, NULL, NULL, 0);
	aff(db, "OSV-LIMIT", "pypi", "lim", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"limit\":\"2.0\"}]}]", NULL,
	    "affected", NULL);
	adv(db, "osv", "OSV-TIE", NULL, 0, NULL, NULL, 0);
	aff(db, "OSV-TIE", "pypi", "tie", NULL,
	    "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"fixed\":\"2.0\"},{\"introduced\":\"2.0\"},{\"fixed\":\"3.0\"}]}]", NULL,
	    "fixed", "2.0");
	adv(db, "osv", "OSV-VERS", NULL, 0, NULL, NULL, 0);
	aff(db, "OSV-VERS", "pypi", "vers", NULL, NULL, "[\"1.0\",\"2.0.0\"]", "affected", NULL);
	adv(db, "osv", "GO-2099-0001", NULL, 0, NULL, NULL, 0);
	aff(db, "GO-2099-0001", "golang", "example.com/m", NULL, NULL, "[\"1.2.3\"]", "affected", NULL);
	/* PEP 503 */
	adv(db, "osv", "PYSEC-2020-43", "HIGH", 0, NULL, NULL, 0);
	aff(db, "PYSEC-2020-43", "pypi", "flask-cors", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.9\"}]}]",
	    NULL, "fixed", "3.0.9");
	{
		/* real RustSec records, plus an informational one */
		static const char *const a3[] = { "CVE-2021-25900", "GHSA-43w2-9j62-hq99" };
		adv(db, "rustsec", "RUSTSEC-2021-0003", "CRITICAL", 9.8, NULL, a3, N(a3));
		aff(db, "RUSTSEC-2021-0003", "cargo", "smallvec", NULL,
		    "[{\"type\":\"REQS\",\"patched\":[\">= 0.6.14, < 1.0.0\",\">= 1.6.1\"],\"unaffected\":[\"< 0.6.3\"]}]", NULL, "fixed",
		    ">= 0.6.14, < 1.0.0");
		adv(db, "rustsec", "RUSTSEC-2016-0002", NULL, 0, NULL, NULL, 0);
		aff(db, "RUSTSEC-2016-0002", "cargo", "hyper", NULL, "[{\"type\":\"REQS\",\"patched\":[\">= 0.9.4\"],\"unaffected\":[]}]", NULL,
		    "fixed", ">= 0.9.4");
		adv(db, "rustsec", "RUSTSEC-2099-0001", "LOW", 0, "unmaintained", NULL, 0);
		aff(db, "RUSTSEC-2099-0001", "cargo", "oldcrate", NULL, "[{\"type\":\"REQS\",\"patched\":[],\"unaffected\":[]}]", NULL, "affected",
		    NULL);
	}
	{
		/* aliases: a PYSEC and its GHSA twin (GHSA lists the PYSEC: the other direction), two records
		 * sharing a CVE, a Debian CVE row and the DSA listing it */
		static const char *const ap[] = { "CVE-2099-1" };
		static const char *const ag[] = { "CVE-2099-1", "PYSEC-2099-1" };
		static const char *const as[] = { "CVE-2099-2" };
		static const char *const ad[] = { "CVE-2099-3" };
		adv(db, "osv", "PYSEC-2099-1", NULL, 0, NULL, ap, N(ap));
		aff(db, "PYSEC-2099-1", "pypi", "twin", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.2\"}]}]", NULL,
		    "fixed", "1.2");
		adv(db, "ghsa", "GHSA-aaaa-bbbb-cccc", "HIGH", 0, NULL, ag, N(ag));
		aff(db, "GHSA-aaaa-bbbb-cccc", "pypi", "twin", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.3\"}]}]",
		    NULL, "fixed", "1.3");
		adv(db, "osv", "PYSEC-2099-3", NULL, 0, NULL, as, N(as));
		aff(db, "PYSEC-2099-3", "pypi", "twin", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]", NULL, "affected", NULL);
		adv(db, "osv", "PYSEC-2099-2", NULL, 0, NULL, as, N(as));
		aff(db, "PYSEC-2099-2", "pypi", "twin", NULL, "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}]}]", NULL,
		    "fixed", "2.0");
		adv(db, "debian", "CVE-2099-3", NULL, 0, NULL, NULL, 0);
		aff(db, "CVE-2099-3", "deb", "openssl", "debian:12", NULL, NULL, "fixed", "3.0.11-1~deb12u1");
		adv(db, "debian-dsa", "DSA-9999-1", NULL, 0, NULL, ad, N(ad));
		aff(db, "DSA-9999-1", "deb", "openssl", "debian:12", NULL, NULL, "fixed", "3.0.11-1~deb12u2");
	}
	{
		/* severity from an alias: a GO- record has none, its GHSA twin elsewhere in the DB has one */
		static const char *const ag[] = { "CVE-2099-9", "GHSA-gggg-hhhh-iiii" };
		static const char *const ah[] = { "CVE-2099-9" };
		adv(db, "osv", "GO-2099-0002", NULL, 0, NULL, ag, N(ag));
		aff(db, "GO-2099-0002", "golang", "example.com/sev", NULL,
		    "[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.1.0\"}]}]", NULL, "fixed", "1.1.0");
		adv(db, "ghsa", "GHSA-gggg-hhhh-iiii", "CRITICAL", 0, NULL, ah, N(ah));
		adv(db, "osv", "GO-2099-0003", NULL, 0, NULL, NULL, 0);
		aff(db, "GO-2099-0003", "golang", "example.com/nosev", NULL,
		    "[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.1.0\"}]}]", NULL, "fixed", "1.1.0");
	}
	if (bh_vulndb_end(db, &err) || bh_vulndb_commit(db, &err))
		return -1;
	bh_vulndb_close(db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

static bh_component *comp(bh_sbom *s, bh_ecosystem eco, const char *name, const char *version)
{
	bh_component *c = bh_complist_add(&s->comps, eco);
	assert_non_null(c);
	assert_int_equal(bh_component_set(&c->name, name, (size_t)-1), 0);
	assert_int_equal(bh_component_set(&c->version, version, (size_t)-1), 0);
	return c;
}

static void run(const bh_sbom *s, bh_findings *f)
{
	bh_vulndb *db;
	bh_error err;
	bh_match_opts o = { false };
	memset(f, 0, sizeof(*f));
	assert_int_equal(bh_vulndb_open(path, &db, &err), 0);
	assert_int_equal(bh_match(db, s, &o, f, &err), 0);
	bh_vulndb_close(db);
}

/* The finding of component i naming id (as its id or an alias), or NULL. */
static const bh_finding *find(const bh_findings *f, size_t i, const char *id)
{
	size_t k;
	for (k = 0; k < f->n; k++) {
		const bh_finding *x = &f->items[k];
		const char *p = x->aliases;
		if (x->comp != i)
			continue;
		if (!strcmp(x->id, id))
			return x;
		while (p && *p) {
			size_t n = strcspn(p, " ");
			if (n == strlen(id) && !strncmp(p, id, n))
				return x;
			p += n + (p[n] == ' ');
		}
	}
	return NULL;
}

static size_t count_for(const bh_findings *f, size_t i)
{
	size_t k, n = 0;
	for (k = 0; k < f->n; k++)
		n += f->items[k].comp == i;
	return n;
}

static void expect(const bh_findings *f, size_t i, const char *id, const char *fixed)
{
	const bh_finding *x = find(f, i, id);
	assert_non_null(x);
	if (fixed) {
		assert_non_null(x->fixed);
		assert_string_equal(x->fixed, fixed);
		assert_string_equal(x->status, "fixed");
	} else {
		assert_null(x->fixed);
	}
}

/* PYSEC-2023-212 lists `introduced 2.0.0, fixed 2.0.7, introduced 0, fixed 1.26.18`: sorted first. */
static void test_events_sorted_and_branch_fix(void **state)
{
	bh_sbom s;
	bh_findings f;
	(void)state;
	bh_sbom_init(&s);
	comp(&s, BH_ECO_PYPI, "urllib3", "2.0.6+local"); /* 0 */
	comp(&s, BH_ECO_PYPI, "urllib3", "1.26.12");     /* 1 */
	comp(&s, BH_ECO_PYPI, "urllib3", "2.0.7");       /* 2 */
	comp(&s, BH_ECO_PYPI, "urllib3", "1.26.18");     /* 3 */
	comp(&s, BH_ECO_PYPI, "Django", "2.1.6");        /* 4 */
	comp(&s, BH_ECO_PYPI, "Django", "2.2.post1");    /* 5 */
	comp(&s, BH_ECO_PYPI, "Django", "1.11.0");       /* 6 */
	comp(&s, BH_ECO_PYPI, "Django", "2.1.11");       /* 7 */
	comp(&s, BH_ECO_PYPI, "Django", "1.10");         /* 8 */
	run(&s, &f);
	expect(&f, 0, "PYSEC-2023-212", "2.0.7");
	assert_null(find(&f, 0, "PYSEC-2023-192")); /* 2.0.6+local >= 2.0.6 */
	expect(&f, 1, "PYSEC-2023-212", "1.26.18");
	expect(&f, 1, "PYSEC-2023-192", "1.26.17");
	assert_int_equal(count_for(&f, 2), 0);
	assert_int_equal(count_for(&f, 3), 0);
	expect(&f, 4, "PYSEC-2019-13", "2.1.11");
	expect(&f, 5, "PYSEC-2019-13", "2.2.4");
	expect(&f, 6, "PYSEC-2019-13", "1.11.23");
	assert_int_equal(count_for(&f, 7), 0);
	assert_int_equal(count_for(&f, 8), 0);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_last_affected_limit_ties_versions(void **state)
{
	bh_sbom s;
	bh_findings f;
	(void)state;
	bh_sbom_init(&s);
	comp(&s, BH_ECO_PYPI, "la", "1.5");           /* 0: last_affected is affected, no fix */
	comp(&s, BH_ECO_PYPI, "la", "1.5.1");         /* 1 */
	comp(&s, BH_ECO_PYPI, "lim", "1.9");          /* 2: below the limit */
	comp(&s, BH_ECO_PYPI, "lim", "2.0");          /* 3: at the limit: out */
	comp(&s, BH_ECO_PYPI, "tie", "2.0");          /* 4: fixed 2.0 then introduced 2.0 (record order) */
	comp(&s, BH_ECO_PYPI, "vers", "1.0");         /* 5: listed */
	comp(&s, BH_ECO_PYPI, "vers", "1.0.0");       /* 6: equal under PEP 440 but not listed: string equality */
	comp(&s, BH_ECO_GO, "example.com/m", "v1.2.3"); /* 7: OSV Go versions carry no "v" */
	run(&s, &f);
	expect(&f, 0, "OSV-LA", NULL);
	assert_string_equal(find(&f, 0, "OSV-LA")->status, "affected");
	assert_int_equal(count_for(&f, 1), 0);
	expect(&f, 2, "OSV-LIMIT", NULL);
	assert_int_equal(count_for(&f, 3), 0);
	expect(&f, 4, "OSV-TIE", "3.0");
	expect(&f, 5, "OSV-VERS", NULL);
	assert_int_equal(count_for(&f, 6), 0);
	expect(&f, 7, "GO-2099-0001", NULL);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_pep503_names(void **state)
{
	static const char *const names[] = { "Flask__Cors", "flask.cors", "Flask-CORS", "flask_-.cors", "FLASK-CORS" };
	bh_sbom s;
	bh_findings f;
	size_t i;
	(void)state;
	bh_sbom_init(&s);
	for (i = 0; i < N(names); i++)
		comp(&s, BH_ECO_PYPI, names[i], "3.0.0");
	comp(&s, BH_ECO_PYPI, "flaskcors", "3.0.0");
	run(&s, &f);
	for (i = 0; i < N(names); i++)
		expect(&f, i, "PYSEC-2020-43", "3.0.9");
	assert_int_equal(count_for(&f, N(names)), 0);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_rustsec_intervals(void **state)
{
	bh_sbom s;
	bh_findings f;
	(void)state;
	bh_sbom_init(&s);
	comp(&s, BH_ECO_CARGO, "smallvec", "1.6.0");      /* 0 */
	comp(&s, BH_ECO_CARGO, "smallvec", "0.6.10");     /* 1 */
	comp(&s, BH_ECO_CARGO, "smallvec", "0.6.2");      /* 2: unaffected < 0.6.3 */
	comp(&s, BH_ECO_CARGO, "smallvec", "1.6.1");      /* 3 */
	comp(&s, BH_ECO_CARGO, "smallvec", "0.6.14");     /* 4 */
	comp(&s, BH_ECO_CARGO, "hyper", "1.0.0-rc.1");    /* 5: >= 0.9.4 in SemVer order */
	comp(&s, BH_ECO_CARGO, "hyper", "0.9.3");         /* 6 */
	comp(&s, BH_ECO_CARGO, "hyper", "0.9.4-rc.1");    /* 7: below 0.9.4 */
	run(&s, &f);
	expect(&f, 0, "RUSTSEC-2021-0003", "1.6.1");
	expect(&f, 1, "RUSTSEC-2021-0003", "0.6.14");
	assert_int_equal(count_for(&f, 2), 0);
	assert_int_equal(count_for(&f, 3), 0);
	assert_int_equal(count_for(&f, 4), 0);
	assert_int_equal(count_for(&f, 5), 0);
	expect(&f, 6, "RUSTSEC-2016-0002", "0.9.4");
	expect(&f, 7, "RUSTSEC-2016-0002", "0.9.4");
	assert_string_equal(find(&f, 0, "RUSTSEC-2021-0003")->aliases, "CVE-2021-25900 GHSA-43w2-9j62-hq99");
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_rustsec_req(void **state)
{
	static const struct { const char *v, *req; bool in; const char *lower; } t[] = {
		{ "1.0.0-rc.1", ">= 0.9.4", true, "0.9.4" },
		{ "2.0.0-alpha.1", "^1.2", false, "1.2.0" },   /* ^1.2 ends at 2.0.0-0 */
		{ "1.9.9", "^1.2", true, "1.2.0" },
		{ "0.3.0", "^0.2.3", false, "0.2.3" },
		{ "0.0.4", "^0.0.3", false, "0.0.3" },
		{ "1.2.9", "~1.2", true, "1.2.0" },
		{ "1.3.0-alpha", "~1.2", false, "1.2.0" },
		{ "1.0.0", "=1.0", true, "1.0.0" },
		{ "1.0.1", "=1.0", false, "1.0.0" },
		{ "0.7.0", "< 1.0.0, >= 0.6.14", true, "0.6.14" },
		{ "0.4.0", "> 0.4.0", false, "0.4.1" },
		{ "0.4.1-rc.1", "> 0.4.0", true, "0.4.1" },
		{ "0.5.0", "< 0.6.3", true, "" },
		{ "1.2.5", "1.2.3", true, "1.2.3" },          /* bare: caret */
	};
	size_t i;
	(void)state;
	for (i = 0; i < N(t); i++) {
		bool in = !t[i].in;
		char low[64];
		bh_error err;
		assert_int_equal(bh_version_rustsec_req(t[i].v, t[i].req, &in, low, sizeof(low), &err), 0);
		if (in != t[i].in)
			fail_msg("%s in \"%s\": got %d", t[i].v, t[i].req, in);
		assert_string_equal(low, t[i].lower);
	}
	{
		bool in;
		bh_error err;
		assert_int_equal(bh_version_rustsec_req("1.0.0", ">= 1.0, >= 2.0", &in, NULL, 0, &err), BH_EINVAL);
		assert_int_equal(bh_version_rustsec_req("1.0.0", "^1.0, < 1.5", &in, NULL, 0, &err), BH_EINVAL);
		assert_int_equal(bh_version_rustsec_req("banana", ">= 1.0", &in, NULL, 0, &err), BH_EINVAL);
	}
}

/* Informational kinds survive the repeated-component copy. */
static void test_kind(void **state)
{
	bh_sbom s;
	bh_findings f;
	(void)state;
	bh_sbom_init(&s);
	comp(&s, BH_ECO_CARGO, "oldcrate", "0.1.0");
	comp(&s, BH_ECO_CARGO, "oldcrate", "0.1.0");
	comp(&s, BH_ECO_CARGO, "smallvec", "1.6.0");
	run(&s, &f);
	assert_non_null(find(&f, 0, "RUSTSEC-2099-0001"));
	assert_string_equal(find(&f, 0, "RUSTSEC-2099-0001")->kind, "unmaintained");
	assert_string_equal(find(&f, 1, "RUSTSEC-2099-0001")->kind, "unmaintained");
	assert_null(find(&f, 2, "RUSTSEC-2021-0003")->kind);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_alias_merge(void **state)
{
	bh_sbom s;
	bh_findings f;
	const bh_finding *x;
	bh_component *c;
	(void)state;
	bh_sbom_init(&s);
	comp(&s, BH_ECO_PYPI, "twin", "1.0");
	c = comp(&s, BH_ECO_DEB, "libssl3", "3.0.9-1");
	assert_int_equal(bh_component_set(&c->src_name, "openssl", (size_t)-1), 0);
	assert_int_equal(bh_component_set(&s.osinfo.family, "debian", (size_t)-1), 0);
	assert_int_equal(bh_component_set(&s.osinfo.version, "12.5", (size_t)-1), 0);
	run(&s, &f);
	/* PYSEC-2099-1 + GHSA (listing it), and PYSEC-2099-2 + PYSEC-2099-3 (sharing CVE-2099-2) */
	assert_int_equal(count_for(&f, 0), 2);
	x = find(&f, 0, "PYSEC-2099-1");
	assert_string_equal(x->id, "PYSEC-2099-1");
	assert_string_equal(x->aliases, "CVE-2099-1 GHSA-aaaa-bbbb-cccc");
	assert_string_equal(x->fixed, "1.3");            /* the highest fix of the merged records */
	assert_int_equal(x->severity, BH_SEV_HIGH);      /* the GHSA's */
	x = find(&f, 0, "PYSEC-2099-3");
	assert_string_equal(x->id, "PYSEC-2099-2");      /* ties by id */
	assert_string_equal(x->aliases, "CVE-2099-2 PYSEC-2099-3");
	assert_string_equal(x->fixed, "2.0");
	assert_string_equal(x->status, "fixed");
	/* Debian: the CVE row is the finding, the DSA listing it an alias */
	assert_int_equal(count_for(&f, 1), 1);
	x = find(&f, 1, "DSA-9999-1");
	assert_string_equal(x->id, "CVE-2099-3");
	assert_string_equal(x->aliases, "DSA-9999-1");
	assert_string_equal(x->fixed, "3.0.11-1~deb12u2");
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_severity_from_alias(void **state)
{
	bh_sbom s;
	bh_findings f;
	const bh_finding *x;
	(void)state;
	bh_sbom_init(&s);
	comp(&s, BH_ECO_GO, "example.com/sev", "v1.0.0");
	comp(&s, BH_ECO_GO, "example.com/nosev", "v1.0.0");
	run(&s, &f);
	x = find(&f, 0, "GO-2099-0002");
	assert_non_null(x);
	assert_int_equal(x->severity, BH_SEV_CRITICAL);
	assert_non_null(strstr(x->severity_source, "GHSA-gggg-hhhh-iiii"));
	assert_int_equal(find(&f, 1, "GO-2099-0003")->severity, BH_SEV_UNKNOWN);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_os_owner(void **state)
{
	bh_sbom s;
	bh_findings f;
	bh_component *c;
	(void)state;
	bh_sbom_init(&s);
	c = comp(&s, BH_ECO_PYPI, "urllib3", "1.26.12");
	assert_int_equal(bh_component_prop(c, "os.owner", "python3-urllib3"), 0);
	comp(&s, BH_ECO_PYPI, "urllib3", "1.26.12");
	run(&s, &f);
	assert_int_equal(count_for(&f, 0), 0);
	assert_int_equal(count_for(&f, 1), 2);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

static void test_coverage(void **state)
{
	bh_sbom s;
	bh_vulndb *db;
	bh_error err;
	bh_component *c;
	long n = -1;
	size_t i;
	(void)state;
	bh_sbom_init(&s);
	assert_int_equal(bh_component_set(&s.osinfo.family, "debian", (size_t)-1), 0);
	assert_int_equal(bh_component_set(&s.osinfo.version, "11.7", (size_t)-1), 0);
	assert_int_equal(bh_component_set(&s.osinfo.codename, "bullseye", (size_t)-1), 0);
	comp(&s, BH_ECO_DEB, "bash", "5.1-2");
	for (i = 0; i < 27; i++)
		comp(&s, BH_ECO_NPM, "left-pad", "1.0.0");
	c = comp(&s, BH_ECO_PYPI, "urllib3", "1.26.12"); /* pypi has rows: no warning */
	(void)c;
	c = comp(&s, BH_ECO_GEM, "rake", "13.0.0");      /* OS-owned: counted with its OS package */
	assert_int_equal(bh_component_prop(c, "os.owner", "ruby-rake"), 0);
	assert_int_equal(bh_vulndb_open(path, &db, &err), 0);
	assert_int_equal(bh_vulndb_count_rows(db, "deb", "debian:12", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bh_vulndb_count_rows(db, "npm", NULL, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(bh_match_coverage(db, &s, &err), 0);
	assert_int_equal(s.nwarnings, 2);
	assert_string_equal(s.warnings[0], "debian 11 (bullseye): no advisories in the DB; OS packages were not checked");
	assert_string_equal(s.warnings[1], "npm: no advisories in the DB; 27 npm packages were not checked");
	/* a release the DB holds rows for, none of which names these packages */
	assert_int_equal(bh_component_set(&s.osinfo.version, "12.5", (size_t)-1), 0);
	assert_int_equal(bh_component_set(&s.osinfo.codename, "bookworm", (size_t)-1), 0);
	assert_int_equal(bh_match_coverage(db, &s, &err), 0);
	assert_int_equal(s.nwarnings, 4);
	assert_non_null(strstr(s.warnings[2], "debian 12 (bookworm): the DB has advisories for 1 package of this release and none"));
	bh_vulndb_close(db);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_sorted_and_branch_fix),
		cmocka_unit_test(test_last_affected_limit_ties_versions),
		cmocka_unit_test(test_pep503_names),
		cmocka_unit_test(test_rustsec_intervals),
		cmocka_unit_test(test_rustsec_req),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_alias_merge),
		cmocka_unit_test(test_severity_from_alias),
		cmocka_unit_test(test_os_owner),
		cmocka_unit_test(test_coverage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
