/* test_metrics.c - the dashboard's stored counts (store/metrics.h, migration 9): compute, save, load, a later copy kept; SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "store/metrics.h"
#include "store/store.h"
#include "support/storetest.h"

#define OK(call) do { bh_error e_ = { 0 }; if ((call) != 0) fail_msg("%s: %s", #call, e_.msg); } while (0)
#define E (&e_)

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define DAY 86400
/* a fixed clock: day 20000 (2024-10-04) at noon */
#define NOW ((int64_t)20000 * DAY + 43200)

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

static int64_t comp_id(bh_store *st, const char *purl)
{
	int64_t v = 0;
	bh_sql_value p = BH_SQL_TEXT(purl);
	bh_error e_ = { 0 };
	if (bh_sql_query_int(bh_store_sql(st), "SELECT id FROM components WHERE purl = $1", &p, 1, &v, &e_) < 0)
		fail_msg("%s", e_.msg);
	return v;
}

/*
 * D1 (a, b; b at two paths) runs in one container, D2 (b, c) has an exited one. Findings: a
 * critical KEV with a fix, high; b medium; c low (resolved two days ago), unknown. First seen 3
 * days ago except a's high (today).
 */
static void fleet(bh_store *st)
{
	bh_sbom s1, s2;
	bh_store_change chg;
	int64_t a, b, c;
	bh_sbom_init(&s1);
	bh_sbom_init(&s2);
	add(&s1, "a");
	add(&s1, "b");
	add(&s2, "b");
	add(&s2, "c");
	OK(bh_store_image_put_sbom(st, D1, &s1, NULL, 0, NOW, NULL, NULL, E));
	OK(bh_store_image_put_sbom(st, D2, &s2, NULL, 0, NOW, NULL, NULL, E));
	a = comp_id(st, "pkg:golang/a@1.0");
	b = comp_id(st, "pkg:golang/b@1.0");
	c = comp_id(st, "pkg:golang/c@1.0");
	{
		/* b found at a second path of D1: still one finding of D1 */
		bh_sql_value p[2] = { BH_SQL_INT(b), BH_SQL_TEXT("/opt/vendor") };
		OK(bh_sql_exec(bh_store_sql(st), "INSERT INTO image_components(image_id, component_id, path) SELECT id, $1, $2 FROM images"
			       " WHERE digest = '" D1 "'", p, 2, E));
	}
	OK(bh_store_finding_put(st, a, "CVE-A1", "critical", true, "1.1", "db", NOW - 3 * DAY, &chg, E));
	OK(bh_store_finding_put(st, a, "CVE-A2", "high", false, NULL, "db", NOW, &chg, E));
	OK(bh_store_finding_put(st, b, "CVE-B1", "medium", false, "", "db", NOW - 3 * DAY, &chg, E));
	OK(bh_store_finding_put(st, c, "CVE-C1", "low", false, NULL, "db", NOW - 3 * DAY, &chg, E));
	OK(bh_store_finding_put(st, c, "CVE-C2", "unknown", false, NULL, "db", NOW - 3 * DAY, &chg, E));
	{
		bh_sql_value p = BH_SQL_INT(NOW - 2 * DAY);
		OK(bh_sql_exec(bh_store_sql(st), "UPDATE findings SET state = 'resolved', resolved_at = $1 WHERE advisory = 'CVE-C1'",
			       &p, 1, E));
	}
	{
		bh_store_container k1 = { 0, "h1", "k1", D1, "web", "running", NULL, 900, 950, 0, 0 };
		bh_store_container k2 = { 0, "h2", "k2", D2, "job", "exited", NULL, 900, 950, 960, 0 };
		OK(bh_store_container_put(st, &k1, NOW, E));
		OK(bh_store_container_put(st, &k2, NOW, E));
	}
	bh_sbom_free(&s1);
	bh_sbom_free(&s2);
}

static void check_counts(const bh_metrics *m)
{
	const bh_metrics_day *today = &m->trend[BH_METRICS_DAYS - 1], *d3 = &m->trend[BH_METRICS_DAYS - 4];
	assert_int_equal(m->images, 2);
	assert_int_equal(m->containers, 2);
	assert_int_equal(m->running, 1);
	assert_true(m->hosts >= 1);
	assert_int_equal(m->open, 4);
	assert_int_equal(m->kev, 1);
	assert_int_equal(m->fixable, 1); /* "" is no fix */
	assert_int_equal(m->in_running, 3);
	assert_int_equal(m->kev_running, 1);
	assert_int_equal(m->sev[4], 1);
	assert_int_equal(m->sev[3], 1);
	assert_int_equal(m->sev[2], 1);
	assert_int_equal(m->sev[1], 0);
	assert_int_equal(m->sev[0], 1);
	/* the trend: four new 3 days ago, one today; the low one resolved the day before yesterday */
	assert_int_equal(today->day, (NOW / DAY) * DAY);
	assert_int_equal(today->open, 4);
	assert_int_equal(today->new_, 1);
	assert_int_equal(today->open_sev[3], 1);
	assert_int_equal(d3->new_, 4);
	assert_int_equal(d3->open, 4);
	assert_int_equal(d3->open_sev[1], 1);
	assert_int_equal(m->trend[BH_METRICS_DAYS - 3].resolved, 1);
	assert_int_equal(m->trend[BH_METRICS_DAYS - 3].open, 3);
	assert_int_equal(m->trend[BH_METRICS_DAYS - 3].open_sev[1], 0);
	assert_int_equal(m->trend[0].open, 0);
	/* per image, by digest: D1 has a's two and b's one (b at two paths counted once) */
	assert_int_equal(m->nimg, 2);
	assert_string_equal(m->img[0].digest, D1);
	assert_int_equal(m->img[0].total, 3);
	assert_int_equal(m->img[0].kev, 1);
	assert_int_equal(m->img[0].sev[4], 1);
	assert_int_equal(m->img[0].sev[2], 1);
	assert_string_equal(m->img[1].digest, D2);
	assert_int_equal(m->img[1].total, 2);
	assert_int_equal(m->img[1].sev[0], 1);
	assert_int_equal(m->img[1].sev[1], 0);
}

static void test_compute_save_load(void **state)
{
	bh_store *st = *state;
	bh_metrics *m = NULL, *l = NULL;
	bool saved = false;
	bh_error nf = { 0 };
	/* nothing stored yet */
	assert_int_equal(bh_metrics_load(st, true, &l, &nf), BH_ENOTFOUND);
	assert_null(l);
	fleet(st);
	OK(bh_metrics_compute(st, NOW, &m, E));
	assert_int_equal(m->computed_at, NOW);
	check_counts(m);
	OK(bh_metrics_save(st, m, &saved, E));
	assert_true(saved);
	/* read back: the same counts, with and without the images */
	OK(bh_metrics_load(st, true, &l, E));
	assert_int_equal(l->computed_at, NOW);
	assert_int_equal(l->compute_ms, m->compute_ms);
	check_counts(l);
	bh_metrics_free(l);
	OK(bh_metrics_load(st, false, &l, E));
	assert_int_equal(l->open, 4);
	assert_int_equal(l->nimg, 0);
	assert_memory_equal(l->trend, m->trend, sizeof(m->trend));
	bh_metrics_free(l);
	bh_metrics_free(m);
}

static void test_later_copy_kept(void **state)
{
	bh_store *st = *state;
	bh_metrics *m = NULL, *old = NULL, *l = NULL;
	bh_store_change chg;
	bool saved = true;
	fleet(st);
	OK(bh_metrics_compute(st, NOW - 60, &old, E));
	/* a finding more, counted later (another server) and saved first */
	OK(bh_store_finding_put(st, comp_id(st, "pkg:golang/c@1.0"), "CVE-C3", "high", false, NULL, "db", NOW, &chg, E));
	OK(bh_metrics_compute(st, NOW, &m, E));
	OK(bh_metrics_save(st, m, &saved, E));
	assert_true(saved);
	/* the earlier count arrives late: the stored copy stays the later one */
	OK(bh_metrics_save(st, old, &saved, E));
	assert_false(saved);
	OK(bh_metrics_load(st, true, &l, E));
	assert_int_equal(l->computed_at, NOW);
	assert_int_equal(l->open, 5);
	assert_int_equal(l->img[1].total, 3);
	bh_metrics_free(l);
	/* an image gone from the counts is gone from the stored rows (the set is rewritten whole) */
	OK(bh_sql_exec(bh_store_sql(st), "UPDATE findings SET state = 'resolved', resolved_at = updated_at", NULL, 0, E));
	bh_metrics_free(m);
	OK(bh_metrics_compute(st, NOW + 1, &m, E));
	assert_int_equal(m->nimg, 0);
	OK(bh_metrics_save(st, m, &saved, E));
	OK(bh_metrics_load(st, true, &l, E));
	assert_int_equal(l->nimg, 0);
	assert_int_equal(l->open, 0);
	bh_metrics_free(l);
	bh_metrics_free(m);
	bh_metrics_free(old);
}

/* more images than one INSERT carries: batches and the single-row tail */
static void test_many_images(void **state)
{
	bh_store *st = *state;
	bh_metrics *m = NULL, *l = NULL;
	bh_store_change chg;
	bh_sbom s;
	int64_t cid;
	int i;
	bh_sbom_init(&s);
	add(&s, "shared");
	for (i = 0; i < 257; i++) {
		char d[80];
		snprintf(d, sizeof(d), "sha256:%064x", i + 1);
		OK(bh_store_image_put_sbom(st, d, &s, NULL, 0, NOW, NULL, NULL, E));
	}
	bh_sbom_free(&s);
	cid = comp_id(st, "pkg:golang/shared@1.0");
	OK(bh_store_finding_put(st, cid, "CVE-S1", "high", true, NULL, "db", NOW, &chg, E));
	OK(bh_metrics_compute(st, NOW, &m, E));
	assert_int_equal(m->nimg, 257);
	OK(bh_metrics_save(st, m, NULL, E));
	OK(bh_metrics_load(st, true, &l, E));
	assert_int_equal(l->nimg, 257);
	assert_int_equal(l->open, 1);
	for (i = 0; i < 257; i++) {
		assert_int_equal(l->img[i].total, 1);
		assert_int_equal(l->img[i].kev, 1);
		assert_int_equal(l->img[i].sev[3], 1);
	}
	assert_string_equal(l->img[256].digest, m->img[256].digest);
	bh_metrics_free(l);
	bh_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compute_save_load, bh_storetest_setup, bh_storetest_teardown),
		cmocka_unit_test_setup_teardown(test_later_copy_kept, bh_storetest_setup, bh_storetest_teardown),
		cmocka_unit_test_setup_teardown(test_many_images, bh_storetest_setup, bh_storetest_teardown),
	};
	return bh_storetest_run("metrics", tests, sizeof(tests) / sizeof(tests[0]), 5491);
}
