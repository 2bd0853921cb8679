/* test_store.c - the same store tests against SQLite and a real PostgreSQL started in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/source.h"
#include "sbom/sbomread.h"
#include "store/migrate.h"
#include "store/store.h"
#include "support/storetest.h"
#include "support/tmpdir.h"


/* ---- real SBOMs from the fixtures ---- */

static void read_target(const char *target, bh_sbom *s)
{
	bh_source_opts o;
	bh_error err = { 0 };
	bh_source_opts_default(&o);
	bh_sbom_init(s);
	if (bh_source_read_target(target, &o, s, &err) != 0)
		fail_msg("%s: %s", target, err.msg);
	assert_true(s->comps.n > 5);
}

static void read_doc(const char *path, bh_sbom *s)
{
	bh_limits lim;
	bh_error err = { 0 };
	bh_limits_default(&lim);
	bh_sbom_init(s);
	if (bh_sbom_read(path, &lim, s, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
}

/* Distinct purls of s. */
static size_t distinct_purls(const bh_sbom *s)
{
	size_t i, j, n = 0;
	for (i = 0; i < s->comps.n; i++) {
		const char *p = s->comps.items[i]->purl;
		bool seen = false;
		if (!p)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = s->comps.items[j]->purl && !strcmp(s->comps.items[j]->purl, p);
		n += !seen;
	}
	return n;
}

static const bh_component *comp_named(const bh_sbom *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->comps.n; i++)
		if (s->comps.items[i]->name && !strcmp(s->comps.items[i]->name, name) && s->comps.items[i]->purl)
			return s->comps.items[i];
	fail_msg("no component %s", name);
	return NULL;
}

static int64_t count(bh_store *st, const char *sql)
{
	int64_t v = -1;
	bh_error err = { 0 };
	if (bh_sql_query_int(bh_store_sql(st), sql, NULL, 0, &v, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
	return v;
}

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define OK(call) do { bh_error e_ = { 0 }; bh_error *err = &e_; if ((call) != 0) fail_msg("%s: %s", #call, e_.msg); (void)err; } while (0)

/* ---- callbacks that collect ---- */

typedef struct collect {
	size_t n;
	char items[64][200];
	int64_t ids[64];
} collect;

static void put(collect *c, const char *s, int64_t id)
{
	if (c->n < 64) {
		snprintf(c->items[c->n], sizeof(c->items[0]), "%s", s ? s : "(null)");
		c->ids[c->n] = id;
	}
	c->n++;
}

static bool has(const collect *c, const char *s)
{
	size_t i;
	for (i = 0; i < c->n && i < 64; i++)
		if (!strcmp(c->items[i], s))
			return true;
	return false;
}

static int img_cb(void *ud, const bh_store_image *i) { put(ud, i->digest, i->id); return 0; }
static int comp_cb(void *ud, const bh_store_component *c) { put(ud, c->purl, c->id); return 0; }
static int find_cb(void *ud, const bh_store_finding *f)
{
	char b[200];
	snprintf(b, sizeof(b), "%s %s", f->package, f->advisory);
	put(ud, b, f->id);
	return 0;
}
static int cont_cb(void *ud, const bh_store_container *c) { put(ud, c->container_id, c->id); return 0; }
static int host_cb(void *ud, const bh_store_host *h) { put(ud, h->name, h->first_seen); return 0; }
static int event_cb(void *ud, const bh_store_event *e) { put(ud, e->idem_key, e->seq); return 0; }
static int aff_cb(void *ud, const bh_store_affected *a)
{
	char b[200];
	snprintf(b, sizeof(b), "%.12s %s", a->image_digest, a->container_id ? a->container_id : "-");
	put(ud, b, 0);
	return 0;
}

/* ---- tests (each runs once per backend) ---- */

static void test_migrate(void **state)
{
	bh_store *st = *state, *again = NULL;
	bh_sql *db = bh_store_sql(st);
	bh_error er = { 0 };
	int ver, from;
	OK(bh_migrate_version(db, &ver, err));
	assert_int_equal(ver, bh_migrate_latest());
	OK(bh_migrate_run(db, &from, err)); /* idempotent */
	assert_int_equal(from, bh_migrate_latest());
	assert_int_equal(count(st, "SELECT count(*) FROM schema_version"), bh_migrate_latest());
	{
		bh_sql_value p[2] = { BH_SQL_INT(bh_migrate_latest() + 1), BH_SQL_INT(1) };
		OK(bh_sql_exec(db, "INSERT INTO schema_version(version, applied_at) VALUES ($1, $2)", p, 2, err));
	}
	assert_int_equal(bh_migrate_run(db, NULL, &er), BH_EUNSUPPORTED);
	assert_non_null(strstr(er.msg, "newer"));
	assert_int_equal(bh_store_open(bh_storetest_url, &again, &er), BH_EUNSUPPORTED);
	assert_null(again);
	/* errors carry the backend's own message */
	assert_true(bh_sql_exec(db, "SELECT nosuchcolumn FROM hosts", NULL, 0, &er) < 0);
	assert_non_null(strstr(er.msg, "nosuchcolumn"));
}

/* Every value type goes in and comes back as it was; "$1" inside a literal is text, not a parameter. */
static void test_sql_values(void **state)
{
	bh_store *st = *state;
	bh_sql *db = bh_store_sql(st);
	bh_sql_rows *r;
	static const unsigned char blob[] = { 0, 1, '\'', '\\', 0xff, 'x', 0 };
	const char *text = "it's \"quoted\"; -- not a comment $1 ?1 %_ \xc3\xa9";
	size_t len;
	const void *got;
	OK(bh_sql_script(db, bh_storetest_backend == BH_SQL_SQLITE ? "CREATE TABLE vals(t TEXT, i BIGINT, n TEXT, b BLOB)"
							  : "CREATE TABLE vals(t TEXT, i BIGINT, n TEXT, b BYTEA)", err));
	{
		bh_sql_value p[4] = { BH_SQL_TEXT(text), BH_SQL_INT(INT64_MIN + 1), BH_SQL_NULL, BH_SQL_BLOB(blob, sizeof(blob)) };
		OK(bh_sql_exec(db, "INSERT INTO vals(t, i, n, b) VALUES ($1, $2, $3, $4)", p, 4, err));
		assert_int_equal(bh_sql_changes(db), 1);
	}
	{
		bh_sql_value p[1] = { BH_SQL_TEXT(text) };
		OK(bh_sql_query(db, "SELECT t, i, n, b, '$1' FROM vals WHERE t = $1", p, 1, &r, err));
	}
	assert_int_equal(bh_sql_next(r, NULL), 1);
	assert_string_equal(bh_sql_text(r, 0), text);
	assert_true(bh_sql_int(r, 1) == INT64_MIN + 1);
	assert_true(bh_sql_isnull(r, 2));
	assert_null(bh_sql_text(r, 2));
	got = bh_sql_blob(r, 3, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(got, blob, sizeof(blob));
	assert_string_equal(bh_sql_text(r, 4), "$1");
	assert_int_equal(bh_sql_next(r, NULL), 0);
	bh_sql_rows_free(r);
	/* a statement given the wrong number of parameters is refused, not run */
	assert_true(bh_sql_exec(db, "DELETE FROM vals WHERE t = $1", NULL, 0, NULL) < 0);
	assert_int_equal(count(st, "SELECT count(*) FROM vals"), 1);
}

static void test_images_dedupe_and_reverse_index(void **state)
{
	bh_store *st = *state;
	bh_sbom deb11, deb10;
	bool fresh = false;
	size_t skipped = 9, want = 0;
	collect c = { 0 };
	int64_t next = 0, after = 0;
	const bh_component *libc;
	int pages = 0;

	read_target("dir:tests/fixtures/sbom/rootfs", &deb11);
	read_doc("tests/fixtures/sbom/trivy-debian10-excerpt.cdx.json", &deb10);
	want = distinct_purls(&deb11);
	assert_true(want >= 10);

	OK(bh_store_image_put_sbom(st, D1, &deb11, NULL, 0, 1000, &fresh, &skipped, err));
	assert_true(fresh);
	assert_int_equal(skipped, 0);
	assert_int_equal(count(st, "SELECT count(*) FROM components"), (int64_t)want);
	/* the same digest again (another host): not new, nothing duplicated */
	OK(bh_store_image_put_sbom(st, D1, &deb11, NULL, 0, 2000, &fresh, NULL, err));
	assert_false(fresh);
	assert_int_equal(count(st, "SELECT count(*) FROM images"), 1);
	assert_int_equal(count(st, "SELECT last_seen FROM images"), 2000);
	assert_int_equal(count(st, "SELECT first_seen FROM images"), 1000);
	/* another image with the same software: its components are the stored ones */
	OK(bh_store_image_put_sbom(st, D3, &deb11, NULL, 0, 3000, &fresh, NULL, err));
	assert_true(fresh);
	assert_int_equal(count(st, "SELECT count(*) FROM components"), (int64_t)want);
	OK(bh_store_image_put_sbom(st, D2, &deb10, NULL, 0, 3000, &fresh, NULL, err));
	assert_true(fresh);
	assert_int_equal(count(st, "SELECT count(*) FROM components"), (int64_t)(want + distinct_purls(&deb10)));
	assert_int_equal(bh_store_image_has(st, D2, NULL), 1);
	assert_int_equal(bh_store_image_has(st, "sha256:none", NULL), 0);

	/* reverse index: libc6 of Debian 11 is in D1 and D3, not in D2 (Debian 10) */
	libc = comp_named(&deb11, "libc6");
	OK(bh_store_component_images(st, libc->purl, 0, 10, img_cb, &c, &next, err));
	assert_int_equal(c.n, 2);
	assert_string_equal(c.items[0], D1);
	assert_string_equal(c.items[1], D3);
	assert_int_equal(next, 0);
	memset(&c, 0, sizeof(c));
	OK(bh_store_component_images(st, comp_named(&deb10, "bash")->purl, 0, 10, img_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], D2);

	/* the image's components by cursor, 3 at a time: every purl once, pages end */
	memset(&c, 0, sizeof(c));
	do {
		OK(bh_store_image_components(st, D1, after, 3, comp_cb, &c, &next, err));
		after = next;
		pages++;
	} while (next && pages < 50);
	assert_int_equal(c.n, want);
	assert_true(pages >= (int)(want / 3));
	for (size_t i = 0; i < deb11.comps.n; i++)
		if (deb11.comps.items[i]->purl)
			assert_true(has(&c, deb11.comps.items[i]->purl));

	/* purl prefix: Debian packages vs the gem; a LIKE wildcard in the prefix is a literal */
	memset(&c, 0, sizeof(c));
	OK(bh_store_component_by_prefix(st, "pkg:gem/", 0, 10, comp_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "pkg:gem/fluentd@1.8.0");
	memset(&c, 0, sizeof(c));
	OK(bh_store_component_by_prefix(st, "pkg:deb/debian/libattr1@", 0, 10, comp_cb, &c, NULL, err));
	assert_int_equal(c.n, 2); /* Debian 10 and 11 */
	memset(&c, 0, sizeof(c));
	OK(bh_store_component_by_prefix(st, "pkg:deb/%", 0, 10, comp_cb, &c, NULL, err));
	assert_int_equal(c.n, 0);
	OK(bh_store_component_by_prefix(st, "pkg:deb/debian/libattr_@", 0, 10, comp_cb, &c, NULL, err));
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	OK(bh_store_component_find(st, "deb", "libattr1", 0, 10, comp_cb, &c, NULL, err));
	assert_int_equal(c.n, 2);

	/* more components than one batch (npm lockfiles of several formats: the same purl at several paths) */
	{
		bh_sbom npm;
		size_t pairs = 0, before = (size_t)count(st, "SELECT count(*) FROM components");
		read_target("dir:tests/fixtures/npm", &npm);
		assert_true(npm.comps.n > 130);
		for (size_t i = 0; i < npm.comps.n; i++) {
			const bh_component *x = npm.comps.items[i];
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++) {
				const bh_component *y = npm.comps.items[j];
				seen = !strcmp(x->purl, y->purl) && !strcmp(x->path ? x->path : "", y->path ? y->path : "");
			}
			pairs += !seen;
		}
		OK(bh_store_image_put_sbom(st, "sha256:npm", &npm, NULL, 0, 5000, &fresh, &skipped, err));
		assert_true(fresh);
		assert_int_equal(skipped, 0);
		assert_int_equal(count(st, "SELECT ncomponents FROM images WHERE digest = 'sha256:npm'"), (int64_t)pairs);
		assert_int_equal(count(st, "SELECT count(*) FROM image_components l JOIN images i ON i.id = l.image_id WHERE i.digest = 'sha256:npm'"),
				 (int64_t)pairs);
		assert_int_equal(count(st, "SELECT count(*) FROM components"), (int64_t)(before + distinct_purls(&npm)));
		memset(&c, 0, sizeof(c));
		{
			/* the prefix "pkg:npm/a": as many rows as distinct such purls in the SBOM, each with the prefix */
			size_t want_a = 0;
			for (size_t i = 0; i < npm.comps.n; i++) {
				bool seen = false;
				for (size_t j = 0; j < i && !seen; j++)
					seen = !strcmp(npm.comps.items[i]->purl, npm.comps.items[j]->purl);
				want_a += !seen && !strncmp(npm.comps.items[i]->purl, "pkg:npm/a", 9);
			}
			assert_true(want_a > 1);
			OK(bh_store_component_by_prefix(st, "pkg:npm/a", 0, 1000, comp_cb, &c, NULL, err));
			assert_int_equal(c.n, want_a);
			for (size_t i = 0; i < c.n && i < 64; i++)
				assert_true(!strncmp(c.items[i], "pkg:npm/a", 9));
		}
		bh_sbom_free(&npm);
	}

	/* relinking on request (a new analyzer read the image again) */
	OK(bh_store_image_put_sbom(st, D2, &deb11, NULL, BH_STORE_SBOM_REPLACE, 4000, &fresh, NULL, err));
	assert_false(fresh);
	assert_int_equal(count(st, "SELECT count(*) FROM image_components l JOIN images i ON i.id = l.image_id WHERE i.digest = 'sha256:2222222222222222222222222222222222222222222222222222222222222222'"),
			 count(st, "SELECT count(*) FROM image_components l JOIN images i ON i.id = l.image_id WHERE i.digest = 'sha256:1111111111111111111111111111111111111111111111111111111111111111'"));
	bh_sbom_free(&deb11);
	bh_sbom_free(&deb10);
}

/* Stores D1 and D3 (Debian 11) and D2 (Debian 10), a running container of D1 on host h1 and a
 * stopped one of D3; findings on libc6 (Debian 11, both images) and bash (Debian 10). */
static void fleet(bh_store *st, int64_t *libc_id, int64_t *bash_id, int64_t *zlib_id)
{
	bh_sbom deb11, deb10;
	collect c = { 0 };
	bh_store_change chg;
	read_target("dir:tests/fixtures/sbom/rootfs", &deb11);
	read_doc("tests/fixtures/sbom/trivy-debian10-excerpt.cdx.json", &deb10);
	OK(bh_store_image_put_sbom(st, D1, &deb11, NULL, 0, 1000, NULL, NULL, err));
	OK(bh_store_image_put_sbom(st, D3, &deb11, NULL, 0, 1000, NULL, NULL, err));
	OK(bh_store_image_put_sbom(st, D2, &deb10, NULL, 0, 1000, NULL, NULL, err));
	OK(bh_store_component_find(st, "deb", "libc6", 0, 10, comp_cb, &c, NULL, err));
	OK(bh_store_component_find(st, "deb", "bash", 0, 10, comp_cb, &c, NULL, err));
	OK(bh_store_component_find(st, "deb", "zlib1g", 0, 10, comp_cb, &c, NULL, err));
	assert_int_equal(c.n, 3);
	*libc_id = c.ids[0];
	*bash_id = c.ids[1];
	*zlib_id = c.ids[2];
	OK(bh_store_finding_put(st, *libc_id, "CVE-2023-4911", "HIGH", true, "2.31-13+deb11u7", "db-1", 1000, &chg, err));
	assert_int_equal(chg, BH_STORE_NEW);
	OK(bh_store_finding_put(st, *libc_id, "CVE-2010-4756", "LOW", false, NULL, "db-1", 1000, &chg, err));
	OK(bh_store_finding_put(st, *bash_id, "CVE-2019-18276", "HIGH", false, NULL, "db-1", 1000, &chg, err));
	OK(bh_store_finding_put(st, *zlib_id, "CVE-2022-37434", "CRITICAL", false, "1:1.2.11.dfsg-2+deb11u2", "db-1", 1000, &chg, err));
	{
		bh_store_container k1 = { 0, "h1", "c-run", D1, "web", "running", NULL, 900, 950, 0, 0 };
		bh_store_container k3 = { 0, "h1", "c-old", D3, "batch", "exited", NULL, 900, 950, 965, 0 };
		OK(bh_store_container_put(st, &k1, 1000, err));
		OK(bh_store_container_put(st, &k3, 1000, err));
	}
	bh_sbom_free(&deb11);
	bh_sbom_free(&deb10);
}

static void test_findings_and_filters(void **state)
{
	bh_store *st = *state;
	int64_t libc, bash, zlib;
	bh_store_change chg;
	collect c = { 0 };
	bh_store_filter f = { 0 };

	fleet(st, &libc, &bash, &zlib);
	/* the same facts again change nothing; a new fix does, with the DB version that caused it */
	OK(bh_store_finding_put(st, libc, "CVE-2023-4911", "HIGH", true, "2.31-13+deb11u7", "db-2", 2000, &chg, err));
	assert_int_equal(chg, BH_STORE_UNCHANGED);
	OK(bh_store_finding_put(st, bash, "CVE-2019-18276", "HIGH", false, "5.0-4+deb10u1", "db-2", 2000, &chg, err));
	assert_int_equal(chg, BH_STORE_CHANGED);
	assert_int_equal(count(st, "SELECT count(*) FROM findings WHERE db_version = 'db-2'"), 1);
	OK(bh_store_finding_resolve(st, libc, "CVE-2010-4756", "db-3", 3000, &chg, err));
	assert_int_equal(chg, BH_STORE_RESOLVED);
	OK(bh_store_finding_resolve(st, libc, "CVE-2010-4756", "db-3", 3000, &chg, err));
	assert_int_equal(chg, BH_STORE_UNCHANGED);

	OK(bh_store_finding_list(st, NULL, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 3); /* open only */
	memset(&c, 0, sizeof(c));
	f.include_resolved = true;
	OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 4);
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.min_severity = "critical";
	OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "zlib1g CVE-2022-37434");
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.kev = 1;
	OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "libc6 CVE-2023-4911");
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.fix = -1;
	f.include_resolved = true;
	OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "libc6 CVE-2010-4756");
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.running_only = true; /* only D1 runs: Debian 11 findings, not bash of Debian 10 */
	OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 2);
	assert_true(has(&c, "libc6 CVE-2023-4911"));
	assert_true(has(&c, "zlib1g CVE-2022-37434"));
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.image_digest = D2;
	f.ecosystem = "deb";
	OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "bash CVE-2019-18276");

	/* SQL metacharacters in filter values are values: the right rows, no more */
	{
		static const char *const evil[] = { "libc6' OR '1'='1", "libc6\" OR 1=1 --", "libc%", "libc6_", "libc6; DROP TABLE findings;--",
						    "libc6\\", "$1", "?1" };
		for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
			memset(&f, 0, sizeof(f));
			memset(&c, 0, sizeof(c));
			f.package = evil[i];
			OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
			assert_int_equal(c.n, 0);
			f.package = NULL;
			f.advisory = evil[i];
			OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
			assert_int_equal(c.n, 0);
		}
		memset(&f, 0, sizeof(f));
		f.package = "libc6";
		OK(bh_store_finding_list(st, &f, 0, 0, find_cb, &c, NULL, err));
		assert_int_equal(c.n, 1);
		assert_int_equal(count(st, "SELECT count(*) FROM findings"), 4);
	}
	/* a resolved finding that comes back is reopened */
	OK(bh_store_finding_put(st, libc, "CVE-2010-4756", "LOW", false, NULL, "db-4", 4000, &chg, err));
	assert_int_equal(chg, BH_STORE_REOPENED);
}

static void test_affected_by_advisory(void **state)
{
	bh_store *st = *state;
	int64_t libc, bash, zlib;
	collect c = { 0 };
	fleet(st, &libc, &bash, &zlib);
	OK(bh_store_affected_by(st, "CVE-2023-4911", false, aff_cb, &c, err));
	assert_int_equal(c.n, 2);
	assert_string_equal(c.items[0], "sha256:11111 c-run");
	assert_string_equal(c.items[1], "sha256:33333 -"); /* its container is not running */
	memset(&c, 0, sizeof(c));
	OK(bh_store_affected_by(st, "CVE-2023-4911", true, aff_cb, &c, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "sha256:11111 c-run");
	memset(&c, 0, sizeof(c));
	OK(bh_store_affected_by(st, "CVE-2019-18276", true, aff_cb, &c, err));
	assert_int_equal(c.n, 0);
	OK(bh_store_affected_by(st, "CVE-2023-4911' OR '1'='1", false, aff_cb, &c, err));
	assert_int_equal(c.n, 0);
}

static void test_hosts_and_containers(void **state)
{
	bh_store *st = *state;
	collect c = { 0 };
	int64_t id1, id2, next;
	/* a host name full of SQL: stored and found as itself */
	const char *evil = "web'01\"; DROP TABLE hosts;--";
	bh_store_host h = { 0, evil, "Debian GNU/Linux 12", "6.1.0", "podman", "4.3.1", "{\"cpus\":2}", 0, 0 };
	OK(bh_store_host_put(st, &h, 100, &id1, err));
	h.os = NULL; /* keeps the stored value */
	h.kernel = "6.1.1";
	OK(bh_store_host_put(st, &h, 200, &id2, err));
	assert_int_equal(id1, id2);
	assert_int_equal(count(st, "SELECT count(*) FROM hosts WHERE os = 'Debian GNU/Linux 12' AND kernel = '6.1.1' AND first_seen = 100 AND last_seen = 200"), 1);
	{
		/* the 15-second container: its start and its stop */
		bh_store_container k = { 0, evil, "abc123", D1, "short", "running", "{\"Privileged\":false}", 1000, 1001, 0, 0 };
		OK(bh_store_container_put(st, &k, 1001, err));
		k.state = "exited";
		k.stopped_at = 1016;
		k.started_at = 0;
		k.config_json = NULL;
		OK(bh_store_container_put(st, &k, 1016, err));
		assert_int_equal(count(st, "SELECT stopped_at - started_at FROM containers WHERE container_id = 'abc123' AND config IS NOT NULL"), 15);
	}
	{
		bh_store_container k = { 0, "h2", "def456", D2, "long", "running", NULL, 0, 0, 0, 0 };
		OK(bh_store_container_put(st, &k, 1100, err));
	}
	OK(bh_store_container_list(st, evil, NULL, false, 0, 0, cont_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "abc123");
	memset(&c, 0, sizeof(c));
	OK(bh_store_container_list(st, NULL, NULL, true, 0, 0, cont_cb, &c, NULL, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "def456");
	memset(&c, 0, sizeof(c));
	OK(bh_store_container_list(st, "web'01%", NULL, false, 0, 0, cont_cb, &c, NULL, err));
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	OK(bh_store_host_list(st, 0, 1, host_cb, &c, &next, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], evil);
	assert_int_not_equal(next, 0);
	OK(bh_store_host_list(st, next, 1, host_cb, &c, &next, err));
	assert_int_equal(c.n, 2);
	assert_string_equal(c.items[1], "h2");
	OK(bh_store_host_list(st, next, 1, host_cb, &c, &next, err));
	assert_int_equal(c.n, 2);
	assert_int_equal(next, 0);
}

static void test_events_dedupe_and_pages(void **state)
{
	bh_store *st = *state;
	collect c = { 0 };
	int64_t seq, first = 0, after = 0, next;
	bool dup;
	char key[64], payload[100];
	int i, pages = 0;
	for (i = 0; i < 25; i++) {
		bh_store_event e = { 0, i % 5 ? "container.start" : "image.pull", "h1", "c1", payload, key, 500 + i, 0 };
		snprintf(key, sizeof(key), "agent-h1-%d", i);
		snprintf(payload, sizeof(payload), "{\"n\":%d}", i);
		OK(bh_store_event_add(st, &e, 1000, &seq, &dup, err));
		assert_false(dup);
		if (!first)
			first = seq;
		assert_int_equal(seq, first + i);
	}
	/* the agent resends 5 (the server went away before it answered): de-duplicated, same numbers */
	for (i = 10; i < 15; i++) {
		bh_store_event e = { 0, "container.start", "h1", "c1", "{}", key, 0, 0 };
		snprintf(key, sizeof(key), "agent-h1-%d", i);
		OK(bh_store_event_add(st, &e, 2000, &seq, &dup, err));
		assert_true(dup);
		assert_int_equal(seq, first + i);
	}
	/* events without a key are never de-duplicated */
	{
		bh_store_event e = { 0, "finding.new", NULL, NULL, "{}", NULL, 0, 0 };
		OK(bh_store_event_add(st, &e, 3000, &seq, &dup, err));
		OK(bh_store_event_add(st, &e, 3000, &seq, &dup, err));
		assert_false(dup);
	}
	assert_int_equal(count(st, "SELECT count(*) FROM events"), 27);
	do {
		OK(bh_store_event_list(st, NULL, after, 10, event_cb, &c, &next, err));
		after = next;
		pages++;
	} while (next);
	assert_int_equal(pages, 3);
	assert_int_equal(c.n, 27);
	for (i = 1; i < 27; i++)
		assert_true(c.ids[i] > c.ids[i - 1]);
	assert_string_equal(c.items[0], "agent-h1-0");
	memset(&c, 0, sizeof(c));
	OK(bh_store_event_list(st, "image.pull", 0, 0, event_cb, &c, NULL, err));
	assert_int_equal(c.n, 5);
	memset(&c, 0, sizeof(c));
	OK(bh_store_event_list(st, "image.pull' OR '1'='1", 0, 0, event_cb, &c, NULL, err));
	assert_int_equal(c.n, 0);
}

static void test_tokens_and_audit(void **state)
{
	bh_store *st = *state;
	bh_store_auth who;
	bh_error er = { 0 };
	char *tok = NULL, *tok2 = NULL, *tok3 = NULL;
	int64_t id, id2;
	OK(bh_store_token_create(st, "agent", "agent h1", "h1", 0, 100, &tok, &id, err));
	assert_int_equal(strlen(tok), 68);
	OK(bh_store_token_check(st, tok, 200, &who, err));
	assert_string_equal(who.role, "agent");
	assert_string_equal(who.host, "h1");
	assert_int_equal(who.id, id);
	/* only the hash is stored */
	{
		bh_sql_value p = BH_SQL_TEXT(tok);
		int64_t n = -1;
		assert_int_equal(bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM tokens WHERE hash = $1 OR name = $1", &p, 1, &n, &er), 1);
		assert_int_equal(n, 0);
	}
	assert_int_equal(bh_store_token_check(st, "bht_wrong", 200, &who, &er), BH_EAUTH);
	assert_int_equal(bh_store_token_create(st, "root", NULL, NULL, 0, 100, &tok2, NULL, &er), BH_EUSAGE);
	OK(bh_store_token_create(st, "viewer", "short", NULL, 150, 100, &tok2, &id2, err));
	OK(bh_store_token_check(st, tok2, 149, &who, err));
	assert_int_equal(bh_store_token_check(st, tok2, 150, &who, &er), BH_EAUTH); /* expired */
	OK(bh_store_token_create(st, "admin", "revoked", NULL, 0, 100, &tok3, &id2, err));
	OK(bh_store_token_revoke(st, id2, err));
	assert_int_equal(bh_store_token_check(st, tok3, 200, &who, &er), BH_EAUTH);
	assert_string_not_equal(tok, tok3);
	{
		bh_store_audit a = { 0, "admin:1", "token.create", "token:2", "127.0.0.1", "{\"role\":\"viewer\"}", 0 };
		OK(bh_store_audit_add(st, &a, 300, err));
		assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE time = 300 AND from_addr = '127.0.0.1'"), 1);
	}
	free(tok);
	free(tok2);
	free(tok3);
}

static int reg_cb(void *ud, const bh_store_registry *r) { put(ud, r->url, r->interval_s); return 0; }

static void test_registries_and_jobs(void **state)
{
	bh_store *st = *state;
	collect c = { 0 };
	bh_store_job j1, j2, j3;
	bh_error er = { 0 };
	int64_t id;
	bh_store_registry g = { 0, "https://127.0.0.1:5000", "u", "p", "[\"app\"]", 60, 0 };
	OK(bh_store_registry_put(st, &g, &id, err));
	g.interval_s = 120;
	OK(bh_store_registry_put(st, &g, NULL, err));
	OK(bh_store_registry_list(st, reg_cb, &c, err));
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ids[0], 120);
	OK(bh_store_registry_delete(st, g.url, err));
	assert_int_equal(bh_store_registry_delete(st, g.url, &er), BH_ENOTFOUND);

	OK(bh_store_job_add(st, "reeval", "{\"db\":\"db-2\"}", 100, NULL, err));
	OK(bh_store_job_add(st, "poll", "{\"registry\":1}", 100, NULL, err));
	assert_int_equal(bh_store_job_take(st, "srv-a", 30, 100, &j1, &er), 1);
	assert_string_equal(j1.kind, "reeval");
	assert_int_equal(bh_store_job_take(st, "srv-b", 30, 100, &j2, &er), 1);
	assert_string_equal(j2.kind, "poll");
	assert_int_equal(bh_store_job_take(st, "srv-b", 30, 100, &j3, &er), 0);
	OK(bh_store_job_finish(st, j2.id, "srv-b", NULL, 110, err));
	/* srv-a dies: its lease runs out and srv-b takes the job; srv-a's late finish is refused */
	assert_int_equal(bh_store_job_take(st, "srv-b", 30, 131, &j3, &er), 1);
	assert_int_equal(j3.id, j1.id);
	assert_int_equal(j3.attempts, 2);
	assert_int_equal(bh_store_job_finish(st, j1.id, "srv-a", NULL, 140, &er), BH_ENOTFOUND);
	OK(bh_store_job_finish(st, j3.id, "srv-b", "feed unreachable", 140, err));
	assert_int_equal(count(st, "SELECT count(*) FROM jobs WHERE state = 'failed' AND error = 'feed unreachable'"), 1);
	bh_store_job_clear(&j1);
	bh_store_job_clear(&j2);
	bh_store_job_clear(&j3);
}

/* Two connections (two servers) take jobs at once: every job is taken exactly once. */
#define NJOBS 200
typedef struct worker {
	const char *name;
	bh_store *st;
	int taken[NJOBS + 1];
	int n;
	int errors;
} worker;
static int64_t g_job_base;
static pthread_barrier_t g_start;

static void *work(void *arg)
{
	worker *w = arg;
	bh_store *st = w->st;
	bh_error err = { 0 };
	bh_store_job j;
	int rc;
	pthread_barrier_wait(&g_start); /* both connected before either takes a job */
	while ((rc = bh_store_job_take(st, w->name, 60, 1000, &j, &err)) == 1) {
		int64_t k = j.id - g_job_base;
		if (k >= 0 && k <= NJOBS)
			w->taken[k]++;
		w->n++;
		if (bh_store_job_finish(st, j.id, w->name, NULL, 1001, &err) != 0)
			w->errors++;
		bh_store_job_clear(&j);
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", w->name, err.msg);
		w->errors++;
	}
	return NULL;
}

static void test_jobs_two_servers(void **state)
{
	bh_store *st = *state, *b;
	static worker wa, wb;
	pthread_t ta, tb;
	bh_store_job ja, jb;
	bh_error er = { 0 };
	int i, both = 0, none = 0;
	int64_t id;
	OK(bh_store_job_add(st, "first", NULL, 999, &g_job_base, err));
	OK(bh_store_job_take(st, "setup", 60, 999, &ja, err) == 1 ? 0 : -1);
	OK(bh_store_job_finish(st, ja.id, "setup", NULL, 999, err));
	bh_store_job_clear(&ja);
	for (i = 1; i <= NJOBS; i++)
		OK(bh_store_job_add(st, "reeval", NULL, 1000, &id, err));
	memset(&wa, 0, sizeof(wa));
	memset(&wb, 0, sizeof(wb));
	wa.name = "srv-a";
	wb.name = "srv-b";
	OK(bh_store_open(bh_storetest_url, &wa.st, err));
	OK(bh_store_open(bh_storetest_url, &wb.st, err));
	assert_int_equal(pthread_barrier_init(&g_start, NULL, 2), 0);
	assert_int_equal(pthread_create(&ta, NULL, work, &wa), 0);
	assert_int_equal(pthread_create(&tb, NULL, work, &wb), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&g_start);
	bh_store_close(wa.st);
	bh_store_close(wb.st);
	assert_int_equal(wa.errors + wb.errors, 0);
	for (i = 1; i <= NJOBS; i++) {
		int t = wa.taken[i] + wb.taken[i];
		both += wa.taken[i] && wb.taken[i];
		none += t == 0;
		assert_true(t <= 1);
	}
	assert_int_equal(both, 0);
	assert_int_equal(none, 0);
	assert_int_equal(wa.n + wb.n, NJOBS);
	printf("# %s: two connections took %d + %d of %d jobs, none twice\n", bh_storetest_backend == BH_SQL_POSTGRES ? "postgres" : "sqlite",
	       wa.n, wb.n, NJOBS);

	/* a job held in an open transaction: PostgreSQL's other server skips it instead of waiting */
	if (bh_storetest_backend == BH_SQL_POSTGRES) {
		OK(bh_store_job_add(st, "held", NULL, 2000, NULL, err));
		OK(bh_store_job_add(st, "free", NULL, 2000, NULL, err));
		OK(bh_store_open(bh_storetest_url, &b, err));
		OK(bh_sql_begin(bh_store_sql(st), err));
		assert_int_equal(bh_store_job_take(st, "srv-a", 60, 2000, &ja, &er), 1);
		assert_string_equal(ja.kind, "held");
		assert_int_equal(bh_store_job_take(b, "srv-b", 60, 2000, &jb, &er), 1);
		assert_string_equal(jb.kind, "free");
		OK(bh_sql_commit(bh_store_sql(st), err));
		bh_store_job_clear(&ja);
		bh_store_job_clear(&jb);
		bh_store_close(b);
	}
}

static void test_advisory_lock(void **state)
{
	bh_store *st = *state, *b;
	bool got;
	OK(bh_store_open(bh_storetest_url, &b, err));
	OK(bh_sql_try_lock(bh_store_sql(st), 42, &got, err));
	assert_true(got);
	OK(bh_sql_try_lock(bh_store_sql(b), 42, &got, err));
	/* PostgreSQL: the second server is refused; SQLite has no such lock (one server per file) */
	assert_int_equal(got, bh_storetest_backend == BH_SQL_SQLITE);
	OK(bh_sql_unlock(bh_store_sql(st), 42, err));
	OK(bh_sql_try_lock(bh_store_sql(b), 42, &got, err));
	assert_true(got);
	OK(bh_sql_unlock(bh_store_sql(b), 42, err));
	bh_store_close(b);
}

static int ck_cb(void *ud, const bh_store_check *k) { put(ud, k->rule_id, 0); return 0; }

static void test_checks_and_rollback(void **state)
{
	bh_store *st = *state;
	bh_sbom deb10;
	collect c = { 0 };
	bh_error er = { 0 };
	bh_store_check ks[2] = { { 0, "IMG001", "", "HIGH", "Image runs as root", NULL, 0 },
				 { 0, "IMG004", "/etc/shadow", "MEDIUM", "Secrets in layers", "{}", 0 } };
	read_doc("tests/fixtures/sbom/trivy-debian10-excerpt.cdx.json", &deb10);
	OK(bh_store_image_put_sbom(st, D2, &deb10, NULL, 0, 100, NULL, NULL, err));
	OK(bh_store_check_set(st, D2, ks, 2, 100, err));
	OK(bh_store_check_set(st, D2, ks + 1, 1, 200, err));
	OK(bh_store_check_list(st, D2, ck_cb, &c, err));
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0], "IMG004");
	assert_int_equal(bh_store_check_set(st, D1, ks, 1, 100, &er), BH_ENOTFOUND);
	/* a failed statement inside a transaction rolls back what the transaction did */
	OK(bh_sql_begin(bh_store_sql(st), err));
	{
		bh_store_host h = { 0, "rolled-back", NULL, NULL, NULL, NULL, NULL, 0, 0 };
		OK(bh_store_host_put(st, &h, 1, NULL, err));
	}
	assert_true(bh_sql_exec(bh_store_sql(st), "INSERT INTO tokens(hash, role, created) VALUES ('x', 'root', 1)", NULL, 0, &er) < 0);
	assert_int_equal(er.code, BH_EINVAL); /* a constraint: the CHECK on roles */
	OK(bh_sql_rollback(bh_store_sql(st), err));
	assert_int_equal(count(st, "SELECT count(*) FROM hosts"), 0);
	bh_sbom_free(&deb10);
}

#define TESTS                                                                                   \
	cmocka_unit_test_setup_teardown(test_migrate, bh_storetest_setup, bh_storetest_teardown),                 \
	cmocka_unit_test_setup_teardown(test_sql_values, bh_storetest_setup, bh_storetest_teardown),              \
	cmocka_unit_test_setup_teardown(test_images_dedupe_and_reverse_index, bh_storetest_setup, bh_storetest_teardown), \
	cmocka_unit_test_setup_teardown(test_findings_and_filters, bh_storetest_setup, bh_storetest_teardown),    \
	cmocka_unit_test_setup_teardown(test_affected_by_advisory, bh_storetest_setup, bh_storetest_teardown),     \
	cmocka_unit_test_setup_teardown(test_hosts_and_containers, bh_storetest_setup, bh_storetest_teardown),    \
	cmocka_unit_test_setup_teardown(test_events_dedupe_and_pages, bh_storetest_setup, bh_storetest_teardown), \
	cmocka_unit_test_setup_teardown(test_tokens_and_audit, bh_storetest_setup, bh_storetest_teardown),        \
	cmocka_unit_test_setup_teardown(test_registries_and_jobs, bh_storetest_setup, bh_storetest_teardown),     \
	cmocka_unit_test_setup_teardown(test_jobs_two_servers, bh_storetest_setup, bh_storetest_teardown),        \
	cmocka_unit_test_setup_teardown(test_advisory_lock, bh_storetest_setup, bh_storetest_teardown),           \
	cmocka_unit_test_setup_teardown(test_checks_and_rollback, bh_storetest_setup, bh_storetest_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = { TESTS };
	return bh_storetest_run("store", tests, sizeof(tests) / sizeof(tests[0]), 5499);
}
