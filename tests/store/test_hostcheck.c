/* test_hostcheck.c - host_checks (store/hostcheck) and scans (store/scanrec) against SQLite and a real PostgreSQL in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/hostcheck.h"
#include "store/scanrec.h"
#include "store/store.h"
#include "support/tmpdir.h"

/* ---- the two backends ---- */

static char g_dir[256];        /* scratch dir of this program */
static char g_pgdir[300];      /* PostgreSQL cluster and socket dir */
static bool g_pg_running;
static bh_sql_backend g_backend;
static int g_dbseq;
static char g_url[512];        /* the store of the running test */
#define PG_PORT 5499           /* only names the socket file: no TCP listener */

static const char *pg_bindir(void)
{
	const char *e = getenv("BH_PG_BINDIR");
	return e && *e ? e : "/usr/lib/postgresql/15/bin";
}

/* Runs argv (as the postgres user when we are root: initdb refuses root); exit status or -1. */
static int run_pg(char *const argv[])
{
	pid_t pid = fork();
	int status;
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam("postgres");
			if (!pw || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
				_exit(126);
		}
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Starts a cluster in g_pgdir; NULL when running, else why not (the PostgreSQL half is skipped). */
static const char *pg_start(void)
{
	static char why[600];
	char initdb[300], pgctl[300], data[400], log[400], opts[700];
	if (!bh_sql_have_postgres())
		return "this build has no libpq (pkg-config libpq missing at build time)";
	snprintf(initdb, sizeof(initdb), "%s/initdb", pg_bindir());
	snprintf(pgctl, sizeof(pgctl), "%s/pg_ctl", pg_bindir());
	if (access(initdb, X_OK) != 0 || access(pgctl, X_OK) != 0) {
		snprintf(why, sizeof(why), "no %s (Debian package postgresql; or set BH_PG_BINDIR)", initdb);
		return why;
	}
	if (geteuid() == 0 && !getpwnam("postgres"))
		return "running as root and there is no postgres user to run initdb as";
	snprintf(g_pgdir, sizeof(g_pgdir), "%s/pg", g_dir);
	if (mkdir(g_pgdir, 0700) != 0)
		return "cannot make the cluster directory";
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("postgres");
		if (chown(g_pgdir, pw->pw_uid, pw->pw_gid) != 0 || chmod(g_dir, 0711) != 0)
			return "cannot give the cluster directory to the postgres user";
	}
	snprintf(data, sizeof(data), "%s/data", g_pgdir);
	snprintf(log, sizeof(log), "%s/log", g_pgdir);
	{
		char *argv[] = { initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", NULL };
		if (run_pg(argv) != 0)
			return "initdb failed";
	}
	snprintf(opts, sizeof(opts), "-p %d -k %s -c listen_addresses='' -c fsync=off", PG_PORT, g_pgdir);
	{
		char *argv[] = { pgctl, "-D", data, "-l", log, "-w", "-o", opts, "start", NULL };
		if (run_pg(argv) != 0) {
			snprintf(why, sizeof(why), "pg_ctl start failed (log: %s)", log);
			return why;
		}
	}
	g_pg_running = true;
	return NULL;
}

static void pg_stop(void)
{
	char pgctl[300], data[400];
	if (!g_pg_running)
		return;
	snprintf(pgctl, sizeof(pgctl), "%s/pg_ctl", pg_bindir());
	snprintf(data, sizeof(data), "%s/data", g_pgdir);
	{
		char *argv[] = { pgctl, "-D", data, "-m", "fast", "-w", "stop", NULL };
		run_pg(argv);
	}
	g_pg_running = false;
}

/* A fresh, empty store per test: a new SQLite file or a new PostgreSQL database. */
static int store_setup(void **state)
{
	bh_store *st;
	bh_error err = { 0 };
	g_dbseq++;
	if (g_backend == BH_SQL_SQLITE) {
		snprintf(g_url, sizeof(g_url), "sqlite:%s/t%d.db", g_dir, g_dbseq);
	} else {
		bh_sql *admin;
		char sql[100];
		snprintf(g_url, sizeof(g_url), "host=%s port=%d user=postgres dbname=postgres", g_pgdir, PG_PORT);
		if (bh_sql_open(g_url, 0, &admin, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
		/* a name of our own making: CREATE DATABASE takes no parameters */
		snprintf(sql, sizeof(sql), "CREATE DATABASE t%d", g_dbseq);
		if (bh_sql_script(admin, sql, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			bh_sql_close(admin);
			return -1;
		}
		bh_sql_close(admin);
		snprintf(g_url, sizeof(g_url), "host=%s port=%d user=postgres dbname=t%d", g_pgdir, PG_PORT, g_dbseq);
	}
	if (bh_store_open(g_url, &st, &err) != 0) {
		fprintf(stderr, "store open %s: %s\n", g_url, err.msg);
		return -1;
	}
	*state = st;
	return 0;
}

static int store_teardown(void **state)
{
	bh_store_close(*state);
	return 0;
}

/* ---- host_checks ---- */

struct seen {
	char rows[16][160];
	size_t n;
};

static int seen_cb(void *ud, const bh_hostcheck *c)
{
	struct seen *s = ud;
	if (s->n < 16)
		snprintf(s->rows[s->n++], sizeof(s->rows[0]), "%s|%s|%s|%s|%s|%s", c->host, c->container_id, c->rule_id, c->target,
			 c->status, c->severity ? c->severity : "-");
	return 0;
}

static void test_hostcheck_set_list(void **state)
{
	bh_store *st = *state;
	bh_error err = { 0 };
	struct seen s;
	int64_t next = -1;
	const bh_hostcheck host[] = {
		{ 0, NULL, NULL, "BH-HOST-001", "/etc/docker/daemon.json", NULL, "high", "t1", "d1", 0 },
		{ 0, NULL, NULL, "BH-HOST-002", "", "not-applicable", "unknown", "t2", NULL, 0 },
	};
	const bh_hostcheck ctr[] = { { 0, NULL, NULL, "BH-CTR-001", "web (abc)", "fail", "medium", NULL, NULL, 0 },
				     /* the same rule and target twice: the last one stays */
				     { 0, NULL, NULL, "BH-CTR-001", "web (abc)", "manual", "low", NULL, NULL, 0 } };
	const bh_hostcheck bad[] = { { 0, NULL, NULL, "", "x", NULL, NULL, NULL, NULL, 0 } };

	assert_int_equal(bh_hostcheck_set(st, "h1", "", host, 2, 100, &err), 0);
	assert_int_equal(bh_hostcheck_set(st, "h1", "abc", ctr, 2, 101, &err), 0);
	assert_int_equal(bh_hostcheck_set(st, "h2", "abc", ctr, 1, 102, &err), 0);
	memset(&s, 0, sizeof(s));
	if (bh_hostcheck_list(st, "h1", NULL, 0, 0, seen_cb, &s, &next, &err) != 0)
		fail_msg("list: %s", err.msg);
	assert_int_equal(s.n, 3);
	assert_int_equal(next, 0);
	assert_string_equal(s.rows[0], "h1||BH-HOST-001|/etc/docker/daemon.json|fail|high");
	assert_string_equal(s.rows[1], "h1||BH-HOST-002||not-applicable|unknown");
	assert_string_equal(s.rows[2], "h1|abc|BH-CTR-001|web (abc)|manual|low");
	/* "" is the host's own; a container id on any host */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1", "", 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, NULL, "abc", 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[1], "h2|abc|BH-CTR-001|web (abc)|fail|medium");
	/* pages of 1 */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1", NULL, 0, 1, seen_cb, &s, &next, &err), 0);
	assert_int_equal(s.n, 1);
	assert_true(next > 0);
	assert_int_equal(bh_hostcheck_list(st, "h1", NULL, next, 1, seen_cb, &s, &next, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[1], "h1||BH-HOST-002||not-applicable|unknown");
	/* replacing one container leaves the host's rows; an empty set clears; a bad row changes nothing */
	assert_int_equal(bh_hostcheck_set(st, "h1", "abc", NULL, 0, 103, &err), 0);
	assert_int_not_equal(bh_hostcheck_set(st, "h1", "", bad, 1, 104, &err), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1", NULL, 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rows[0], "h1||BH-HOST-001|/etc/docker/daemon.json|fail|high");
	/* a filter value with SQL in it is a value */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_hostcheck_list(st, "h1' OR '1'='1", NULL, 0, 0, seen_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 0);
}

/* ---- scans ---- */

static int scan_cb(void *ud, const bh_scanrec *r)
{
	struct seen *s = ud;
	if (s->n < 16)
		snprintf(s->rows[s->n++], sizeof(s->rows[0]), "%s|%s|%s|%s|%s|%d|%lld", r->who, r->target,
			 r->image_digest ? r->image_digest : "-", r->pipeline_json, r->verdict, r->exit_code, (long long)r->created);
	return 0;
}

static void test_scanrec_add_list(void **state)
{
	bh_store *st = *state;
	bh_error err = { 0 };
	struct seen s;
	int64_t id1 = 0, id2 = 0, next = -1;
	bh_scanrec r = { 0, "ci#1", "oci:x", "sha256:aa", "{\"id\":\"7\"}", "fail", "{}", 3, 0 };
	assert_int_equal(bh_scanrec_add(st, &r, 500, &id1, &err), 0);
	r.image_digest = NULL;
	r.verdict = "pass";
	r.exit_code = 0;
	assert_int_equal(bh_scanrec_add(st, &r, 501, &id2, &err), 0);
	assert_true(id2 > id1 && id1 > 0);
	memset(&s, 0, sizeof(s));
	if (bh_scanrec_list(st, NULL, 0, 0, scan_cb, &s, &next, &err) != 0)
		fail_msg("list: %s", err.msg);
	assert_int_equal(s.n, 2);
	assert_int_equal(next, 0);
	assert_string_equal(s.rows[0], "ci#1|oci:x|sha256:aa|{\"id\":\"7\"}|fail|3|500");
	assert_string_equal(s.rows[1], "ci#1|oci:x|-|{\"id\":\"7\"}|pass|0|501");
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_scanrec_list(st, "sha256:aa", 0, 0, scan_cb, &s, NULL, &err), 0);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_scanrec_list(st, NULL, 0, 1, scan_cb, &s, &next, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(next, id1);
}

#define TESTS                                                                                     \
	cmocka_unit_test_setup_teardown(test_hostcheck_set_list, store_setup, store_teardown),   \
	cmocka_unit_test_setup_teardown(test_scanrec_add_list, store_setup, store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = { TESTS };
	const char *why;
	int fails = 0;
	if (bh_test_mkdtemp(g_dir, sizeof(g_dir), "hostcheck") != 0) {
		fprintf(stderr, "cannot make a scratch dir\n");
		return 1;
	}
	g_backend = BH_SQL_SQLITE;
	fails += _cmocka_run_group_tests("hostcheck/sqlite", tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	if ((why = pg_start()) != NULL) {
		printf("SKIP: hostcheck/postgres: %s\n", why);
	} else {
		g_backend = BH_SQL_POSTGRES;
		fails += _cmocka_run_group_tests("hostcheck/postgres", tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	}
	pg_stop();
	bh_test_rmtree(g_dir);
	return fails ? 1 : 0;
}
