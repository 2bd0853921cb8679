/* test_db.c - the vulnerability DB file: create/commit/open, the writers' lock, stale temporary files, replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "vuln/db.h"
#include "support/tmpdir.h"
#include "support/vulndb.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	if (bh_test_mkdtemp(dir, sizeof(dir), "db"))
		return -1;
	bh_log_set_level(BH_LOG_QUIET);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

static void dbpath(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static void put(bh_vulndb *db, const char *source, const char *id, const char *modified, const char *pkg, const char *fixed)
{
	bh_advisory a;
	bh_affected r;
	bh_error err;
	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	a.id = id;
	a.source = source;
	a.modified = modified;
	assert_int_equal(bh_vulndb_put_advisory(db, &a, &err), 0);
	r.advisory_id = id;
	r.ecosystem = "pypi";
	r.package = pkg;
	r.status = "fixed";
	r.fixed_version = fixed;
	assert_int_equal(bh_vulndb_put_affected(db, &r, &err), 0);
}

static void test_create_commit_open(void **state)
{
	char p[128];
	bh_vulndb *db;
	bh_error err;
	struct stat sb;
	(void)state;
	dbpath(p, sizeof(p), "sub/dir/v.db");
	assert_int_equal(bh_vulndb_open(p, &db, &err), BH_ENODB);
	assert_non_null(strstr(err.msg, "--db PATH"));
	assert_non_null(strstr(err.msg, "bulkhead db import PATH"));
	assert_non_null(strstr(err.msg, "bulkhead db update"));
	assert_int_equal(bh_vulndb_create(p, true, &db, &err), 0);
	assert_int_equal(bh_vulndb_begin(db, &err), 0);
	put(db, "osv", "PYSEC-1", NULL, "a", "1.0");
	assert_int_equal(bh_vulndb_end(db, &err), 0);
	assert_int_equal(bh_vulndb_commit(db, &err), 0);
	bh_vulndb_close(db);
	assert_int_equal(bh_vulndb_open(p, &db, &err), 0);
	assert_int_equal(bh_test_count_advisories(db, NULL), 1);
	{
		bh_vulndb_stats st;
		assert_int_equal(bh_vulndb_get_stats(db, &st, &err), 0);
		assert_non_null(st.schema);
		assert_int_equal(atoi(st.schema), BH_VULNDB_SCHEMA);
		assert_int_equal(st.advisories, 1);
		assert_int_equal(st.affected, 1);
		bh_vulndb_stats_free(&st);
	}
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("source=osv", "advisory_id=PYSEC-1")), 1);
	bh_vulndb_close(db);
	/* the lock file stays; no temporary file is left */
	dbpath(p, sizeof(p), "sub/dir/v.db.lock");
	assert_int_equal(stat(p, &sb), 0);
	{
		char t[160];
		snprintf(t, sizeof(t), "%s/sub/dir/v.db.tmp-%ld", dir, (long)getpid());
		assert_int_not_equal(stat(t, &sb), 0);
	}
}

/* A second writer cannot start while the first holds the lock; it can once the first is done. */
static void test_lock_timeout(void **state)
{
	char p[128];
	bh_vulndb *a, *b;
	bh_error err;
	struct timespec t0, t1;
	double secs;
	(void)state;
	dbpath(p, sizeof(p), "l.db");
	assert_int_equal(bh_vulndb_create(p, true, &a, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(bh_vulndb_create_wait(p, true, 300, &b, &err), BH_EIO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs >= 0.29 && secs < 5);
	assert_null(b);
	assert_non_null(strstr(err.msg, "l.db.lock"));
	assert_non_null(strstr(err.msg, "held by another import"));
	bh_vulndb_close(a); /* closing without commit releases the lock too */
	assert_int_equal(bh_vulndb_create_wait(p, true, 300, &b, &err), 0);
	bh_vulndb_close(b);
}

/*
 * Two writers at once (two processes): the second waits for the first's rename, then starts from
 * its result, so both advisories are in the final DB (before the lock, the last rename won).
 */
static void test_concurrent_writers_keep_both(void **state)
{
	char p[128], c;
	int ready[2], st;
	pid_t pid;
	bh_vulndb *db;
	bh_error err;
	struct timespec t0, t1;
	(void)state;
	dbpath(p, sizeof(p), "c.db");
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bh_vulndb *cdb;
		bh_error cerr;
		struct timespec ts = { 0, 300 * 1000000L };
		int ok = bh_vulndb_create(p, true, &cdb, &cerr) == 0;
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (!ok)
			_exit(3);
		nanosleep(&ts, NULL); /* the parent is now waiting for the lock */
		bh_vulndb_begin(cdb, &cerr);
		put(cdb, "osv", "GO-2024-0001", NULL, "x", "1.0");
		bh_vulndb_end(cdb, &cerr);
		_exit(bh_vulndb_commit(cdb, &cerr) == 0 ? 0 : 4);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(bh_vulndb_create(p, true, &db, &err), 0); /* waits for the child's commit */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 200);
	assert_int_equal(bh_vulndb_begin(db, &err), 0);
	put(db, "osv", "PYSEC-2024-0001", NULL, "y", "2.0");
	assert_int_equal(bh_vulndb_end(db, &err), 0);
	assert_int_equal(bh_vulndb_commit(db, &err), 0);
	bh_vulndb_close(db);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(bh_vulndb_open(p, &db, &err), 0);
	assert_int_equal(bh_test_count_advisories(db, BH_TEST_C("id=[GP][OY]*-2024-0001")), 2);
	bh_vulndb_close(db);
	close(ready[0]);
	close(ready[1]);
}

static void touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

/* A killed import's path.tmp-PID is removed by the next writer when PID is gone; others stay. */
static void test_stale_tmp_removed(void **state)
{
	char p[128], dead[160], deadj[180], alive[160], other[160], notours[160];
	bh_vulndb *db;
	bh_error err;
	pid_t pid;
	int st;
	(void)state;
	dbpath(p, sizeof(p), "s.db");
	/* a PID that is surely gone: a child that has exited and been reaped */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	snprintf(dead, sizeof(dead), "%s.tmp-%ld", p, (long)pid);
	snprintf(deadj, sizeof(deadj), "%s.tmp-%ld-journal", p, (long)pid);
	snprintf(alive, sizeof(alive), "%s.tmp-%ld", p, (long)getppid());
	snprintf(other, sizeof(other), "%s.tmp-backup", p);
	snprintf(notours, sizeof(notours), "%s/other.db.tmp-%ld", dir, (long)pid);
	touch(dead);
	touch(deadj);
	touch(alive);
	touch(other);
	touch(notours);
	assert_int_equal(bh_vulndb_create(p, true, &db, &err), 0);
	assert_false(exists(dead));
	assert_false(exists(deadj));
	assert_true(exists(alive));   /* its process is running */
	assert_true(exists(other));   /* not a PID */
	assert_true(exists(notours)); /* another DB's */
	bh_vulndb_close(db);
	unlink(alive);
}

static void test_parse_time(void **state)
{
	long long s, s2;
	long ns, ns2;
	(void)state;
	assert_int_equal(bh_vulndb_parse_time("1970-01-01T00:00:00Z", &s, &ns), 0);
	assert_true(s == 0 && ns == 0);
	/* reference values: Python's datetime(...).timestamp() */
	assert_int_equal(bh_vulndb_parse_time("2022-01-05T02:16:25.743194Z", &s, &ns), 0);
	assert_true(s == 1641348985LL && ns == 743194000L);
	assert_int_equal(bh_vulndb_parse_time("0001-01-01T00:00:00Z", &s, &ns), 0); /* Go vulndb's placeholder */
	assert_true(s == -62135596800LL);
	assert_int_equal(bh_vulndb_parse_time("2024-02-29", &s, &ns), 0);
	assert_true(s == 1709164800LL);
	assert_int_equal(bh_vulndb_parse_time("2021-07-13T10:00:00-05:30", &s, &ns), 0);
	assert_true(s == 1626190200LL);
	assert_int_equal(bh_vulndb_parse_time("2021-07-13T15:30:00Z", &s2, &ns2), 0);
	assert_true(s == s2);
	assert_int_equal(bh_vulndb_parse_time("2021-13-01", &s, &ns), BH_EINVAL);
	assert_int_equal(bh_vulndb_parse_time("2021-07-13T10:00", &s, &ns), 0);
	assert_int_equal(bh_vulndb_parse_time("2021-07-13T10:00:00Zjunk", &s, &ns), BH_EINVAL);
	assert_int_equal(bh_vulndb_parse_time("yesterday", &s, &ns), BH_EINVAL);
	assert_int_equal(bh_vulndb_parse_time("", &s, &ns), BH_EINVAL);
}

static void test_forget_and_newer(void **state)
{
	char p[128];
	bh_vulndb *db;
	bh_error err;
	bool newer;
	(void)state;
	dbpath(p, sizeof(p), "f.db");
	assert_int_equal(bh_vulndb_create(p, false, &db, &err), 0);
	put(db, "osv", "PYSEC-1", "2024-05-01T00:00:00Z", "a", "2.0");
	put(db, "debian", "CVE-1", NULL, "p1", "1");
	put(db, "debian", "CVE-1", NULL, "p2", "1");
	assert_int_equal(bh_vulndb_stored_is_newer(db, "osv", "PYSEC-1", "2024-04-30T23:59:59Z", &newer, &err), 0);
	assert_true(newer);
	assert_int_equal(bh_vulndb_stored_is_newer(db, "osv", "PYSEC-1", "2024-05-01T00:00:00.5Z", &newer, &err), 0);
	assert_false(newer);
	assert_int_equal(bh_vulndb_stored_is_newer(db, "osv", "PYSEC-1", "2024-05-01T02:00:00+02:00", &newer, &err), 0);
	assert_false(newer); /* the same instant */
	assert_int_equal(bh_vulndb_stored_is_newer(db, "osv", "PYSEC-1", NULL, &newer, &err), 0);
	assert_false(newer);
	assert_int_equal(bh_vulndb_stored_is_newer(db, "osv", "PYSEC-9", "2000-01-01", &newer, &err), 0);
	assert_false(newer);
	assert_int_equal(bh_vulndb_stored_is_newer(db, "other", "PYSEC-1", "2000-01-01", &newer, &err), 0);
	assert_false(newer);
	/* per package: the other package's row of the same CVE stays */
	assert_int_equal(bh_vulndb_forget_advisory(db, "debian", "CVE-1", "p1", &err), 0);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("advisory_id=CVE-1")), 1);
	assert_int_equal(bh_vulndb_forget_advisory(db, "osv", "PYSEC-1", NULL, &err), 0);
	assert_int_equal(bh_test_count_rows(db, BH_TEST_C("advisory_id=PYSEC-1")), 0);
	assert_int_equal(bh_vulndb_forget_package(db, "debian", "pypi", "p2", NULL, &err), 0);
	assert_int_equal(bh_test_count_rows(db, NULL), 0);
	bh_vulndb_close(db);
}

/* One advisory with aliases and an affected row of `pkg` (pypi) or of a Debian release. */
static void put_full(bh_vulndb *db, const char *source, const char *id, const char *sev, double cvss,
		     const char *const *aliases, size_t n, const char *eco, const char *pkg, const char *distro)
{
	bh_advisory a;
	bh_affected r;
	bh_error err;
	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	a.id = id;
	a.source = source;
	a.summary = "summary of ";
	a.details = "long details";
	a.severity = sev;
	a.cvss_score = cvss;
	a.url = "https://example.org/";
	a.aliases = aliases;
	a.naliases = n;
	assert_int_equal(bh_vulndb_put_advisory(db, &a, &err), 0);
	r.advisory_id = id;
	r.ecosystem = eco;
	r.package = pkg;
	r.distro = distro;
	r.ranges = "[]";
	r.status = "fixed";
	r.fixed_version = "1.0";
	assert_int_equal(bh_vulndb_put_affected(db, &r, &err), 0);
}

struct seen_rows {
	int n;
	char ids[4][32], aliases[4][64], distro[4][16];
};

static int collect(void *arg, const bh_vulndb_row *r)
{
	struct seen_rows *s = arg;
	if (s->n < 4) {
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", r->advisory_id);
		snprintf(s->aliases[s->n], sizeof(s->aliases[0]), "%s", r->aliases ? r->aliases : "-");
		snprintf(s->distro[s->n], sizeof(s->distro[0]), "%s", r->distro ? r->distro : "(null)");
	}
	s->n++;
	assert_string_equal(r->summary, "summary of ");
	assert_string_equal(r->url, "https://example.org/");
	assert_false(r->withdrawn);
	return 0;
}

static int stop_at_first(void *arg, const bh_vulndb_row *r)
{
	(void)r;
	++*(int *)arg;
	return 42;
}

/* Every typed read of db.h on a committed DB: rows with aliases, advisory, KEV/EPSS, severity of
 * an alias (highest, then first stored), counts and the status figures. */
static void test_typed_reads(void **state)
{
	static const char *const al1[] = { "GHSA-b", "CVE-1", "GHSA-a" }, *const al2[] = { "CVE-1" }, *const al3[] = { "CVE-2" };
	char p[128], *list = NULL;
	bh_vulndb *db;
	bh_error err;
	struct seen_rows rows;
	bh_advisory a;
	bh_vulndb_exploit ex;
	bh_vulndb_severity sv;
	bh_vulndb_stats st;
	bool found, yes;
	long n;
	int calls = 0;
	(void)state;
	dbpath(p, sizeof(p), "typed.db");
	assert_int_equal(bh_vulndb_create(p, false, &db, &err), 0);
	assert_int_equal(bh_vulndb_begin(db, &err), 0);
	put_full(db, "osv", "PYSEC-1", NULL, 0, al1, 3, "pypi", "a", NULL);
	put_full(db, "osv", "GHSA-a", "HIGH", 0, al2, 1, "pypi", "a", NULL);
	put_full(db, "rustsec", "RUSTSEC-1", NULL, 9.8, al2, 1, "cargo", "c", NULL);
	put_full(db, "osv", "GHSA-c", "HIGH", 7.5, al3, 1, "npm", "n", NULL);
	put_full(db, "osv", "GHSA-d", "high", 8.0, al3, 1, "npm", "n", NULL);
	put_full(db, "debian", "CVE-3", NULL, 0, NULL, 0, "deb", "p", "debian:12");
	assert_int_equal(bh_vulndb_put_kev(db, "CVE-1", "2024-01-01", NULL, NULL, NULL, &err), 0);
	assert_int_equal(bh_vulndb_put_epss(db, "CVE-1", 0.5, 0.9, &err), 0);
	assert_int_equal(bh_vulndb_end(db, &err), 0);
	assert_int_equal(bh_vulndb_put_source(db, "feed", "/data/feed", 6, NULL, NULL, &err), 0);
	assert_int_equal(bh_vulndb_commit(db, &err), 0);
	bh_vulndb_close(db);
	assert_int_equal(bh_vulndb_open(p, &db, &err), 0);

	memset(&rows, 0, sizeof(rows));
	assert_int_equal(bh_vulndb_each_affected(db, "pypi", NULL, "a", collect, &rows, &err), 0);
	assert_int_equal(rows.n, 2);
	assert_string_equal(rows.ids[0], "PYSEC-1");
	assert_string_equal(rows.aliases[0], "CVE-1 GHSA-a GHSA-b");
	assert_string_equal(rows.ids[1], "GHSA-a");
	assert_string_equal(rows.aliases[1], "CVE-1");
	assert_string_equal(rows.distro[1], "");
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(bh_vulndb_each_affected(db, "deb", "debian:12", "p", collect, &rows, &err), 0);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.aliases[0], "-");
	assert_string_equal(rows.distro[0], "debian:12");
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(bh_vulndb_each_affected(db, "deb", "debian:11", "p", collect, &rows, &err), 0);
	assert_int_equal(rows.n, 0);
	assert_int_equal(bh_vulndb_each_affected(db, "pypi", "", "a", stop_at_first, &calls, &err), 42);
	assert_int_equal(calls, 1);
	/* the statement was reset: the next walk starts afresh */
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(bh_vulndb_each_row(db, collect, &rows, &err), 0);
	assert_int_equal(rows.n, 6);

	assert_int_equal(bh_vulndb_aliases(db, "osv", "PYSEC-1", &list, &err), 0);
	assert_string_equal(list, "CVE-1 GHSA-a GHSA-b");
	free(list);
	assert_int_equal(bh_vulndb_aliases(db, "debian", "CVE-3", &list, &err), 0);
	assert_null(list);

	assert_int_equal(bh_vulndb_get_advisory(db, "osv", "PYSEC-1", &a, &found, &err), 0);
	assert_true(found);
	assert_string_equal(a.id, "PYSEC-1");
	assert_string_equal(a.source, "osv");
	assert_string_equal(a.details, "long details");
	assert_null(a.severity);
	assert_null(a.kind);
	assert_int_equal(a.naliases, 3);
	assert_string_equal(a.aliases[0], "CVE-1");
	assert_string_equal(a.aliases[2], "GHSA-b");
	assert_int_equal(bh_vulndb_get_advisory(db, "osv", "RUSTSEC-1", &a, &found, &err), 0);
	assert_false(found);
	assert_int_equal(bh_vulndb_get_advisory(db, "rustsec", "RUSTSEC-1", &a, &found, &err), 0);
	assert_true(found);
	assert_true(a.cvss_score > 9.7 && a.cvss_score < 9.9);

	assert_int_equal(bh_vulndb_get_exploit(db, "CVE-1 trailing", 5, &ex, &err), 0);
	assert_true(ex.kev && ex.has_epss && ex.epss == 0.5 && ex.epss_pct == 0.9);
	assert_int_equal(bh_vulndb_get_exploit(db, "CVE-2", 5, &ex, &err), 0);
	assert_true(!ex.kev && !ex.has_epss);

	/* CVE-1: HIGH (GHSA-a) and CRITICAL from RUSTSEC-1's score */
	assert_int_equal(bh_vulndb_alias_severity(db, "CVE-1", 5, &sv, &err), 0);
	assert_int_equal(sv.severity, BH_SEV_CRITICAL);
	assert_string_equal(sv.label, "rustsec:RUSTSEC-1");
	bh_vulndb_severity_clear(&sv);
	/* CVE-2: two HIGH advisories, the first stored wins */
	assert_int_equal(bh_vulndb_alias_severity(db, "CVE-2", 5, &sv, &err), 0);
	assert_int_equal(sv.severity, BH_SEV_HIGH);
	assert_string_equal(sv.label, "osv:GHSA-c");
	assert_true(sv.cvss == 7.5);
	bh_vulndb_severity_clear(&sv);
	assert_int_equal(bh_vulndb_alias_severity(db, "GHSA-a", 6, &sv, &err), 0);
	assert_int_equal(sv.severity, BH_SEV_HIGH);
	bh_vulndb_severity_clear(&sv);
	assert_int_equal(bh_vulndb_alias_severity(db, "PYSEC-1", 7, &sv, &err), 0);
	assert_int_equal(sv.severity, BH_SEV_UNKNOWN);
	assert_null(sv.label);

	assert_int_equal(bh_vulndb_count_rows(db, "pypi", NULL, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bh_vulndb_count_rows(db, "deb", "debian:12", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bh_vulndb_count_packages(db, "pypi", "", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bh_vulndb_has_package(db, "deb", "debian:12", "p", &yes, &err), 0);
	assert_true(yes);
	assert_int_equal(bh_vulndb_has_package(db, "deb", "debian:12", "q", &yes, &err), 0);
	assert_false(yes);

	assert_int_equal(bh_vulndb_get_stats(db, &st, &err), 0);
	assert_string_equal(st.schema, "3");
	assert_non_null(st.built_at);
	assert_int_equal(st.advisories, 6);
	assert_int_equal(st.affected, 6);
	assert_int_equal(st.aliases, 7);
	assert_int_equal(st.kev, 1);
	assert_int_equal(st.epss, 1);
	assert_int_equal(st.nsources, 1);
	assert_string_equal(st.sources[0].name, "feed");
	assert_string_equal(st.sources[0].location, "/data/feed");
	assert_int_equal(st.sources[0].records, 6);
	assert_int_equal(st.nimporters, 3);
	assert_string_equal(st.importers[0].source, "debian");
	assert_string_equal(st.importers[1].source, "osv");
	assert_int_equal(st.importers[1].advisories, 4);
	bh_vulndb_stats_free(&st);
	bh_vulndb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_commit_open),
		cmocka_unit_test(test_lock_timeout),
		cmocka_unit_test(test_concurrent_writers_keep_both),
		cmocka_unit_test(test_stale_tmp_removed),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_forget_and_newer),
		cmocka_unit_test(test_typed_reads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
