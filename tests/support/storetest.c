/* storetest.c - a store test program's two backends: SQLite files and a PostgreSQL cluster started in a temp dir, a fresh store per test. */
#include "support/storetest.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/tmpdir.h"


char bh_storetest_dir[256];
char bh_storetest_url[512];
bh_sql_backend bh_storetest_backend;
static char g_pgdir[300];      /* PostgreSQL cluster and socket dir */
static bool g_pg_running;
static int g_dbseq;
static int g_port;              /* only names the socket file: no TCP listener */

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
	snprintf(g_pgdir, sizeof(g_pgdir), "%s/pg", bh_storetest_dir);
	if (mkdir(g_pgdir, 0700) != 0)
		return "cannot make the cluster directory";
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("postgres");
		if (chown(g_pgdir, pw->pw_uid, pw->pw_gid) != 0 || chmod(bh_storetest_dir, 0711) != 0)
			return "cannot give the cluster directory to the postgres user";
	}
	snprintf(data, sizeof(data), "%s/data", g_pgdir);
	snprintf(log, sizeof(log), "%s/log", g_pgdir);
	{
		char *argv[] = { initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", NULL };
		if (run_pg(argv) != 0)
			return "initdb failed";
	}
	snprintf(opts, sizeof(opts), "-p %d -k %s -c listen_addresses='' -c fsync=off", g_port, g_pgdir);
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
int bh_storetest_setup(void **state)
{
	bh_store *st;
	bh_error err = { 0 };
	g_dbseq++;
	if (bh_storetest_backend == BH_SQL_SQLITE) {
		snprintf(bh_storetest_url, sizeof(bh_storetest_url), "sqlite:%s/t%d.db", bh_storetest_dir, g_dbseq);
	} else {
		bh_sql *admin;
		char sql[100];
		snprintf(bh_storetest_url, sizeof(bh_storetest_url), "host=%s port=%d user=postgres dbname=postgres", g_pgdir, g_port);
		if (bh_sql_open(bh_storetest_url, 0, &admin, &err) != 0) {
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
		snprintf(bh_storetest_url, sizeof(bh_storetest_url), "host=%s port=%d user=postgres dbname=t%d", g_pgdir, g_port, g_dbseq);
	}
	if (bh_store_open(bh_storetest_url, &st, &err) != 0) {
		fprintf(stderr, "store open %s: %s\n", bh_storetest_url, err.msg);
		return -1;
	}
	*state = st;
	return 0;
}

int bh_storetest_teardown(void **state)
{
	bh_store_close(*state);
	return 0;
}

int bh_storetest_run(const char *name, const struct CMUnitTest *tests, size_t n, int port)
{
	char group[128];
	const char *why;
	int fails = 0;
	g_port = port;
	if (bh_test_mkdtemp(bh_storetest_dir, sizeof(bh_storetest_dir), name) != 0) {
		fprintf(stderr, "cannot make a scratch dir\n");
		return 1;
	}
	bh_storetest_backend = BH_SQL_SQLITE;
	snprintf(group, sizeof(group), "%s/sqlite", name);
	fails += _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	if ((why = pg_start()) != NULL) {
		printf("SKIP: %s/postgres: %s\n", name, why);
	} else {
		bh_storetest_backend = BH_SQL_POSTGRES;
		snprintf(group, sizeof(group), "%s/postgres", name);
		fails += _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	}
	pg_stop();
	bh_test_rmtree(bh_storetest_dir);
	return fails ? 1 : 0;
}
