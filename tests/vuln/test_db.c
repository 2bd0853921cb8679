/* test_db.c - the vulnerability DB file: create/commit/open, the writers' lock, stale temporary files, replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
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
	assert_int_equal(bh_vulndb_open(p, &db, &err), BH_ENOTFOUND);
	assert_int_equal(bh_vulndb_create(p, true, &db, &err), 0);
	assert_int_equal(bh_vulndb_begin(db, &err), 0);
	put(db, "osv", "PYSEC-1", NULL, "a", "1.0");
	assert_int_equal(bh_vulndb_end(db, &err), 0);
	assert_int_equal(bh_vulndb_commit(db, &err), 0);
	bh_vulndb_close(db);
	assert_int_equal(bh_vulndb_open(p, &db, &err), 0);
	assert_int_equal(bh_test_db_int(db, "SELECT count(*) FROM advisories"), 1);
	assert_int_equal(bh_test_db_int(db, "SELECT value FROM meta WHERE key='schema'"), BH_VULNDB_SCHEMA);
	assert_int_equal(bh_test_db_int(db, "SELECT count(*) FROM affected WHERE source='osv' AND advisory_id='PYSEC-1'"), 1);
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
	assert_int_equal(bh_test_db_int(db, "SELECT count(*) FROM advisories WHERE id IN ('GO-2024-0001','PYSEC-2024-0001')"), 2);
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
	assert_int_equal(bh_test_db_int(db, "SELECT count(*) FROM affected WHERE advisory_id='CVE-1'"), 1);
	assert_int_equal(bh_vulndb_forget_advisory(db, "osv", "PYSEC-1", NULL, &err), 0);
	assert_int_equal(bh_test_db_int(db, "SELECT count(*) FROM affected WHERE advisory_id='PYSEC-1'"), 0);
	assert_int_equal(bh_vulndb_forget_package(db, "debian", "pypi", "p2", NULL, &err), 0);
	assert_int_equal(bh_test_db_int(db, "SELECT count(*) FROM affected"), 0);
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
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
