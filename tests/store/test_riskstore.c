/* test_riskstore.c - stored risk scores (migration 3): order, cursor, KEV + running filter, reach and exposure; SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "store/migrate.h"
#include "store/store.h"
#include "support/storetest.h"

#define OK(call) do { bh_error e_ = { 0 }; if ((call) != 0) fail_msg("%s: %s", #call, e_.msg); } while (0)
#define E (&e_)

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

typedef struct seen {
	size_t n;
	int64_t ids[64];
	int risk[64];
	int64_t running[64];
	char adv[64][32];
	char terms0[128];
} seen;

static int seen_cb(void *ud, const bh_store_finding *f)
{
	seen *s = ud;
	if (s->n < 64) {
		s->ids[s->n] = f->id;
		s->risk[s->n] = f->risk;
		s->running[s->n] = f->running;
		snprintf(s->adv[s->n], sizeof(s->adv[0]), "%s", f->advisory);
		if (!s->n && f->risk_terms_json)
			snprintf(s->terms0, sizeof(s->terms0), "%s", f->risk_terms_json);
	}
	s->n++;
	return 0;
}

static int64_t comp_id(bh_store *st, const char *purl)
{
	int64_t v = 0;
	bh_sql_value p = BH_SQL_TEXT(purl);
	bh_error e_ = { 0 };
	if (bh_sql_query_int(bh_store_sql(st), "SELECT id FROM components WHERE purl = $1", &p, 1, &v, &e_) < 0)
		fail_msg("%s", e_.msg);
	return v;
}

static void add(bh_sbom *s, const char *name)
{
	bh_component *x = bh_complist_add(&s->comps, BH_ECO_GO);
	char purl[64];
	assert_non_null(x);
	snprintf(purl, sizeof(purl), "pkg:golang/%s@1.0", name);
	x->name = strdup(name);
	x->version = strdup("1.0");
	x->purl = strdup(purl);
}

/* Two images: D1 (a, b) runs on h1 and h2 (one container privileged, with a published port), D2 (c) is stopped. */
static void fleet(bh_store *st, int64_t *a, int64_t *b, int64_t *c)
{
	bh_sbom s1, s2;
	bh_sbom_init(&s1);
	bh_sbom_init(&s2);
	add(&s1, "a");
	add(&s1, "b");
	add(&s2, "c");
	OK(bh_store_image_put_sbom(st, D1, &s1, NULL, 0, 1000, NULL, NULL, E));
	OK(bh_store_image_put_sbom(st, D2, &s2, NULL, 0, 1000, NULL, NULL, E));
	*a = comp_id(st, "pkg:golang/a@1.0");
	*b = comp_id(st, "pkg:golang/b@1.0");
	*c = comp_id(st, "pkg:golang/c@1.0");
	assert_true(*a > 0 && *b > 0 && *c > 0);
	{
		bh_store_container k1 = { 0, "h1", "k1", D1, "web", "running",
					  "{\"HostConfig\":{\"Privileged\":true,\"CapAdd\":[\"NET_ADMIN\"],\"NetworkMode\":\"bridge\","
					  "\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}],\"443/tcp\":null}}}", 900, 950, 0, 0 };
		bh_store_container k2 = { 0, "h2", "k2", D1, "web", "running", "{\"HostConfig\":{\"NetworkMode\":\"host\"}}", 900, 950, 0, 0 };
		bh_store_container k3 = { 0, "h1", "k3", D2, "job", "exited", NULL, 900, 950, 960, 0 };
		OK(bh_store_container_put(st, &k1, 1000, E));
		OK(bh_store_container_put(st, &k2, 1000, E));
		OK(bh_store_container_put(st, &k3, 1000, E));
	}
	bh_sbom_free(&s1);
	bh_sbom_free(&s2);
}

static void test_migration_3(void **state)
{
	bh_store *st = *state;
	int64_t n = 0;
	bh_error e_ = { 0 };
	assert_true(bh_migrate_latest() >= 3);
	/* the columns and both indexes exist on either backend */
	assert_int_equal(bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM findings WHERE risk = 0 AND risk_terms IS NULL AND running = 0",
					  NULL, 0, &n, &e_) < 0, 0);
	if (bh_storetest_backend == BH_SQL_SQLITE)
		assert_true(bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
				   " AND name IN ('findings_risk', 'findings_risk_hot')", NULL, 0, &n, &e_) >= 0);
	else
		assert_true(bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM pg_indexes WHERE indexname IN"
				   " ('findings_risk', 'findings_risk_hot')", NULL, 0, &n, &e_) >= 0);
	assert_int_equal(n, 2);
}

static void test_reach_and_exposure(void **state)
{
	bh_store *st = *state;
	int64_t a, b, c;
	bh_store_reach r;
	fleet(st, &a, &b, &c);
	OK(bh_store_component_reach(st, a, &r, E));
	assert_int_equal(r.containers, 2);
	assert_int_equal(r.hosts, 2);
	assert_true(r.exposure_known);
	assert_int_equal(r.ports, 1); /* 443/tcp: exposed, not published */
	assert_true(r.privileged);
	assert_true(r.host_network);
	assert_int_equal(r.cap_add, 1);
	OK(bh_store_component_reach(st, c, &r, E));
	assert_int_equal(r.containers, 0);
	assert_int_equal(r.hosts, 0);
}

static void test_risk_order_cursor_and_filters(void **state)
{
	bh_store *st = *state;
	int64_t a, b, c, next = 0;
	bh_store_change chg;
	bh_store_filter f;
	seen s;
	size_t i;
	/* ids in insertion order; scores out of it; two ties at 500 */
	static const struct { const char *adv; bool kev; int risk; int comp; } rows[] = {
		{ "CVE-1", false, 300, 0 }, { "CVE-2", true, 900, 0 }, { "CVE-3", true, 500, 2 }, { "CVE-4", false, 500, 1 },
		{ "CVE-5", true, 500, 1 },  { "CVE-6", false, 100, 2 }, { "CVE-7", true, 700, 1 },
	};
	int64_t comps[3];
	fleet(st, &a, &b, &c);
	comps[0] = a;
	comps[1] = b;
	comps[2] = c;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bh_store_reach r;
		int64_t id = 0;
		bh_sql_value p[2] = { BH_SQL_INT(comps[rows[i].comp]), BH_SQL_TEXT(rows[i].adv) };
		bh_error qe = { 0 };
		OK(bh_store_finding_put(st, comps[rows[i].comp], rows[i].adv, "high", rows[i].kev, NULL, "db", 1000, &chg, E));
		assert_true(bh_sql_query_int(bh_store_sql(st), "SELECT id FROM findings WHERE component_id = $1 AND advisory = $2", p, 2,
					     &id, &qe) >= 0);
		OK(bh_store_component_reach(st, comps[rows[i].comp], &r, E));
		OK(bh_store_finding_set_risk(st, id, rows[i].risk, "[{\"name\":\"severity\"}]", r.containers, E));
	}
	/* unscored_only: none left */
	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	f.unscored_only = true;
	OK(bh_store_finding_list(st, &f, 0, 0, seen_cb, &s, NULL, E));
	assert_int_equal(s.n, 0);

	/* by risk: 900, 700, then the 500s by id, 300, 100 */
	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	f.by_risk = true;
	OK(bh_store_finding_list(st, &f, 0, 0, seen_cb, &s, NULL, E));
	assert_int_equal(s.n, 7);
	{
		static const char *const want[] = { "CVE-2", "CVE-7", "CVE-3", "CVE-4", "CVE-5", "CVE-1", "CVE-6" };
		for (i = 0; i < 7; i++)
			assert_string_equal(s.adv[i], want[i]);
	}
	assert_int_equal(s.risk[0], 900);
	assert_string_equal(s.terms0, "[{\"name\":\"severity\"}]");

	/* pages of 2 by cursor give the same order, across the tie */
	{
		static const char *const want[] = { "CVE-2", "CVE-7", "CVE-3", "CVE-4", "CVE-5", "CVE-1", "CVE-6" };
		int64_t after = 0;
		size_t got = 0;
		do {
			memset(&s, 0, sizeof(s));
			OK(bh_store_finding_list(st, &f, after, 2, seen_cb, &s, &next, E));
			for (i = 0; i < s.n; i++)
				assert_string_equal(s.adv[i], want[got + i]);
			got += s.n;
			after = next;
		} while (next);
		assert_int_equal(got, 7);
	}

	/* KEV and running: CVE-2 (a), CVE-7 and CVE-5 (b); CVE-3 is on c, which is stopped */
	memset(&s, 0, sizeof(s));
	f.kev = 1;
	f.running_only = true;
	OK(bh_store_finding_list(st, &f, 0, 0, seen_cb, &s, NULL, E));
	assert_int_equal(s.n, 3);
	assert_string_equal(s.adv[0], "CVE-2");
	assert_string_equal(s.adv[1], "CVE-7");
	assert_string_equal(s.adv[2], "CVE-5");
	assert_int_equal(s.running[0], 2);
	/* sort by id is unchanged */
	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	OK(bh_store_finding_list(st, &f, 0, 0, seen_cb, &s, NULL, E));
	for (i = 1; i < s.n; i++)
		assert_true(s.ids[i] > s.ids[i - 1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migration_3, bh_storetest_setup, bh_storetest_teardown),
		cmocka_unit_test_setup_teardown(test_reach_and_exposure, bh_storetest_setup, bh_storetest_teardown),
		cmocka_unit_test_setup_teardown(test_risk_order_cursor_and_filters, bh_storetest_setup, bh_storetest_teardown),
	};
	return bh_storetest_run("riskstore", tests, sizeof(tests) / sizeof(tests[0]), 5493);
}
