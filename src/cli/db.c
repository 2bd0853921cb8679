/* db.c - `bulkhead db status|import`: the vulnerability DB from the command line. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/log.h"
#include "vuln/db.h"
#include "vuln/import.h"
#include "vuln/update.h"
#include <unistd.h>
#include "core/limits.h"
#include <time.h>

static void usage(FILE *fp)
{
	fputs("usage: bulkhead db status [--db PATH]\n"
	      "       bulkhead db import [--db PATH] [--replace] PATH...\n"
	      "  PATH: a directory, an archive (.tar, .tar.gz, .tar.zst, .zip) or a file of OSV JSON/YAML,\n"
	      "  Debian security tracker JSON or DSA/DLA list, Alpine secdb YAML, RustSec advisories, CISA KEV JSON,\n"
	      "  EPSS CSV. The DB is rebuilt beside the old one and swapped in atomically.\n"
	      "       bulkhead db update [--db PATH] [--mirror BASE_URL] [--only go,debian,...] [--cache DIR] [--retries N]\n"
	      "  downloads the feeds (ETag / If-Modified-Since; a failed feed keeps its cached copy) and rebuilds the DB.\n"
	      "  Feeds: go pypi npm crates maven rubygems packagist alpine (osv.dev), debian (tracker JSON), kev, epss.\n", fp);
}

static int status(const char *path)
{
	bh_vulndb *db;
	bh_error err;
	sqlite3_stmt *st;
	sqlite3 *h;
	int rc = bh_vulndb_open(path, &db, &err);
	if (rc) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	h = bh_vulndb_handle(db);
	printf("DB: %s\n", path);
	if (sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE key='built_at'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			printf("built: %s\n", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	printf("\n%-14s %-22s %10s  %s\n", "SOURCE", "IMPORTED", "RECORDS", "FROM");
	if (sqlite3_prepare_v2(h, "SELECT s.name, s.imported_at, s.records, s.location FROM sources s ORDER BY s.name", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("%-14s %-22s %10lld  %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			       sqlite3_column_int64(st, 2), sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM advisories), (SELECT count(*) FROM affected),"
			       " (SELECT count(*) FROM kev), (SELECT count(*) FROM epss)", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			printf("\nadvisories %lld, affected packages %lld, known exploited %lld, EPSS scores %lld\n",
			       sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
			       sqlite3_column_int64(st, 3));
		sqlite3_finalize(st);
	}
	bh_vulndb_close(db);
	return 0;
}

static int import(const char *path, int argc, char **argv)
{
	bh_vulndb *db;
	bh_error err;
	bh_limits lim;
	bool replace = false;
	int i, rc, n = 0;
	struct timespec t0, t1;

	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--replace"))
			replace = true;
	bh_limits_default(&lim);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = bh_vulndb_create(path, !replace, &db, &err))) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	for (i = 2; i < argc; i++) {
		bh_import_stats st;
		if (!strcmp(argv[i], "--replace"))
			continue;
		if (!strcmp(argv[i], "--db")) {
			i++;
			continue;
		}
		memset(&st, 0, sizeof(st));
		n++;
		if ((rc = bh_vulndb_begin(db, &err)) || (rc = bh_import_path(db, argv[i], &lim, &st, &err)) ||
		    (rc = bh_vulndb_end(db, &err)) ||
		    (rc = bh_vulndb_put_source(db, argv[i], argv[i], st.advisories + st.kev + st.epss, NULL, NULL, &err))) {
			bh_cli_print_error(rc, &err);
			bh_vulndb_close(db);
			return bh_cli_exit_code(rc);
		}
		printf("%s: %ld documents, %ld advisories, %ld affected packages, %ld known exploited, %ld EPSS scores, %ld skipped\n",
		       argv[i], st.documents, st.advisories, st.affected, st.kev, st.epss, st.skipped);
	}
	if (!n) {
		usage(stderr);
		bh_vulndb_close(db);
		return BH_EXIT_USAGE;
	}
	if ((rc = bh_vulndb_commit(db, &err))) {
		bh_cli_print_error(rc, &err);
		bh_vulndb_close(db);
		return bh_cli_exit_code(rc);
	}
	bh_vulndb_close(db);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("DB %s written in %.1f s\n", path, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

static int update(const char *path, int argc, char **argv)
{
	bh_update_opts o;
	bh_limits lim;
	bh_error err;
	char *cache = NULL;
	int i, rc;

	memset(&o, 0, sizeof(o));
	o.db_path = path;
	o.retries = 2;
	o.timeout_s = 600;
	o.progress = isatty(2);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mirror") && i + 1 < argc)
			o.mirror = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			o.only = argv[++i];
		else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
			o.cache_dir = argv[++i];
		else if (!strcmp(argv[i], "--retries") && i + 1 < argc)
			o.retries = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			i++;
		else {
			usage(stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (!o.cache_dir) {
		/* feeds live beside the DB */
		const char *sl = strrchr(path, '/');
		size_t dir = sl ? (size_t)(sl - path) + 1 : 0;
		cache = malloc(dir + 6);
		if (!cache)
			return BH_EXIT_ERROR;
		memcpy(cache, path, dir);
		memcpy(cache + dir, "feeds", 6);
		o.cache_dir = cache;
	}
	bh_limits_default(&lim);
	rc = bh_update_run(&o, &lim, &err);
	free(cache);
	if (rc) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	printf("DB %s updated\n", path);
	return 0;
}

int bh_cmd_db(int argc, char **argv)
{
	char *path = NULL;
	int i, rc;

	if (argc < 2) {
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			free(path);
			path = strdup(argv[++i]);
		}
	}
	if (!path)
		path = bh_vulndb_default_path();
	if (!strcmp(argv[1], "status")) {
		rc = status(path);
	} else if (!strcmp(argv[1], "update")) {
		rc = update(path, argc, argv);
	} else if (!strcmp(argv[1], "import")) {
		rc = import(path, argc, argv);
	} else {
		usage(stderr);
		rc = BH_EXIT_USAGE;
	}
	free(path);
	return rc;
}
