/* db.c - `bulkhead db status|import|update`: the vulnerability DB from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/limits.h"
#include "core/log.h"
#include "vuln/db.h"
#include "vuln/import.h"
#include "vuln/update.h"

static const char usage_status_text[] =
	"usage: bulkhead db status [--db PATH]\n"
	"  what the vulnerability DB holds: its schema and build time, each imported source (path or feed\n"
	"  as given, records, import time) and row counts.\n";

static const char usage_import_text[] =
	"usage: bulkhead db import [--db PATH] [--replace] [--lock-timeout SECONDS] [-q|-v] PATH...\n"
	"  PATH: a directory, an archive (.tar, .tar.gz, .tar.zst, .zip) or a file of OSV JSON/YAML,\n"
	"  Debian security tracker JSON or DSA/DLA list, Alpine secdb YAML, RustSec advisories, CISA KEV\n"
	"  JSON, EPSS CSV. Adds to the DB (--replace: starts from an empty one); an advisory imported again\n"
	"  replaces its earlier rows unless the stored one has a later `modified`. The DB is rebuilt beside\n"
	"  the old one and swapped in atomically; imports of one DB take turns on PATH.lock (waiting up to\n"
	"  --lock-timeout, default 600 s). Skipped documents are named on stderr (the first 20, then\n"
	"  a count).\n";

static const char usage_update_text[] =
	"usage: bulkhead db update [--db PATH] [--mirror BASE_URL] [--only go,debian,...] [--cache DIR]\n"
	"                          [--retries N] [--lock-timeout SECONDS] [-q|-v]\n"
	"  downloads the feeds (ETag / If-Modified-Since; a failed feed keeps its cached copy) and rebuilds\n"
	"  the DB from the cache (what `db import` added is not kept). Feeds: go pypi npm crates maven\n"
	"  rubygems packagist alpine (osv.dev), debian (tracker JSON), kev, epss.\n";

static void usage(FILE *fp)
{
	fputs("usage: bulkhead db <command> [options]\n"
	      "commands:\n"
	      "  import   load advisories from files, directories or archives\n"
	      "  update   download the advisory feeds (or from --mirror) and rebuild the DB\n"
	      "  status   what the vulnerability DB holds\n"
	      "options common to all: --db PATH (default $XDG_CACHE_HOME/bulkhead/vuln.db or\n"
	      "  ~/.cache/bulkhead/vuln.db). `bulkhead db COMMAND --help` for each command.\n\n", fp);
	fputs(usage_import_text, fp);
	fputs(usage_update_text, fp);
	fputs(usage_status_text, fp);
}

static bool is_help(const char *a) { return !strcmp(a, "--help") || !strcmp(a, "-h"); }

/* DB text for the terminal: control bytes as \xNN (a DB file can come from anywhere). */
static const char *safe(const unsigned char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (; s && *s && o + 5 < n; s++) {
		if (*s < 0x20 || *s == 0x7f)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *s);
		else
			buf[o++] = (char)*s;
	}
	buf[o] = '\0';
	return buf;
}

static int status(const char *path)
{
	bh_vulndb *db;
	bh_vulndb_stats st;
	bh_error err;
	char b1[4200], b2[4200], b3[64];
	int rc = bh_vulndb_open(path, &db, &err);
	int wname = 6, wrec = 7;
	bool from = false;
	size_t i;

	if (rc == 0 && (rc = bh_vulndb_get_stats(db, &st, &err)))
		bh_vulndb_close(db);
	if (rc) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	printf("DB:      %s\n", safe((const unsigned char *)path, b1, sizeof(b1)));
	printf("schema:  %s\n", st.schema ? safe((const unsigned char *)st.schema, b1, sizeof(b1)) : "?");
	printf("built:   %s\n", st.built_at ? safe((const unsigned char *)st.built_at, b1, sizeof(b1)) : "?");
	/* column widths from the rows themselves: sources are shown as given, never cut */
	for (i = 0; i < st.nsources; i++) {
		int n = (int)strlen(safe((const unsigned char *)st.sources[i].name, b1, sizeof(b1)));
		int r = snprintf(b3, sizeof(b3), "%lld", st.sources[i].records);
		safe((const unsigned char *)st.sources[i].location, b2, sizeof(b2));
		wname = n > wname ? n : wname;
		wrec = r > wrec ? r : wrec;
		from = from || (b2[0] && strcmp(b1, b2) != 0);
	}
	printf("\n%-*s  %*s  %s\n", wname, "SOURCE", wrec, "RECORDS", from ? "IMPORTED              FROM" : "IMPORTED");
	for (i = 0; i < st.nsources; i++) {
		char b4[64];
		bool loc;
		safe((const unsigned char *)st.sources[i].name, b1, sizeof(b1));
		safe((const unsigned char *)st.sources[i].location, b2, sizeof(b2));
		loc = from && strcmp(b1, b2) != 0;
		printf("%-*s  %*lld  %-*s", wname, b1, wrec, st.sources[i].records, loc ? 20 : 0,
		       safe((const unsigned char *)st.sources[i].imported_at, b4, sizeof(b4)));
		if (loc)
			printf("  %s", b2);
		putchar('\n');
	}
	printf("\nadvisories %lld, affected packages %lld, known exploited %lld, EPSS scores %lld\n", st.advisories, st.affected,
	       st.kev, st.epss);
	for (i = 0; i < st.nimporters; i++)
		printf("%s%s %lld", i ? ", " : "advisories by importer: ", safe((const unsigned char *)st.importers[i].source, b1, 128),
		       st.importers[i].advisories);
	if (st.nimporters)
		putchar('\n');
	bh_vulndb_stats_free(&st);
	bh_vulndb_close(db);
	return 0;
}

/* "--lock-timeout 30": whole seconds, 0 .. 1 day. */
static int parse_timeout(const char *cmd, const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 86400) {
		fprintf(stderr, "bulkhead db %s: bad --lock-timeout \"%s\" (seconds, 0 to 86400)\n", cmd, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int import(const char *path, int argc, char **argv)
{
	bh_vulndb *db;
	bh_error err;
	bh_limits lim;
	bool replace = false, opts = true;
	long wait_s = BH_VULNDB_LOCK_WAIT_S;
	int i, rc, n = 0;
	struct timespec t0, t1;

	for (i = 2; i < argc; i++) {
		if (!opts || argv[i][0] != '-') {
			n++;
		} else if (!strcmp(argv[i], "--")) {
			opts = false;
		} else if (!strcmp(argv[i], "--replace")) {
			replace = true;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			i++;
		} else if (!strcmp(argv[i], "--lock-timeout") && i + 1 < argc) {
			if (parse_timeout("import", argv[++i], &wait_s))
				return BH_EXIT_USAGE;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			bh_log_set_level(BH_LOG_QUIET);
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			bh_log_set_level(BH_LOG_INFO);
		} else {
			fprintf(stderr, "bulkhead db import: unknown option \"%s\"\n", argv[i]);
			fputs(usage_import_text, stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (!n) {
		fputs(usage_import_text, stderr);
		return BH_EXIT_USAGE;
	}
	bh_limits_default(&lim);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = bh_vulndb_create_wait(path, !replace, wait_s * 1000, &db, &err))) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	opts = true;
	for (i = 2; i < argc; i++) {
		bh_import_stats st;
		if (opts && argv[i][0] == '-') {
			if (!strcmp(argv[i], "--"))
				opts = false;
			else if (!strcmp(argv[i], "--db") || !strcmp(argv[i], "--lock-timeout"))
				i++;
			continue;
		}
		memset(&st, 0, sizeof(st));
		if ((rc = bh_vulndb_begin(db, &err)) || (rc = bh_import_path(db, argv[i], &lim, &st, &err)) ||
		    (rc = bh_vulndb_end(db, &err)) ||
		    (rc = bh_vulndb_put_source(db, argv[i], argv[i], st.advisories + st.kev + st.epss, NULL, NULL, &err))) {
			bh_cli_print_error(rc, &err);
			bh_vulndb_close(db);
			return bh_cli_exit_code(rc);
		}
		printf("%s: %ld documents, %ld advisories, %ld affected packages, %ld known exploited, %ld EPSS scores, %ld skipped",
		       argv[i], st.documents, st.advisories, st.affected, st.kev, st.epss, st.skipped);
		if (st.kept)
			printf(", %ld older copies ignored (the DB holds a later version)", st.kept);
		putchar('\n');
		if (st.entries)
			printf("%s: Alpine secfixes: %ld entries, %ld advisory ids, %ld entries without an id skipped, "
			       "%ld entries with other words dropped\n", argv[i], st.entries, st.ids, st.prose, st.notes);
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
	o.lock_wait_s = BH_VULNDB_LOCK_WAIT_S;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mirror") && i + 1 < argc)
			o.mirror = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			o.only = argv[++i];
		else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
			o.cache_dir = argv[++i];
		else if (!strcmp(argv[i], "--retries") && i + 1 < argc)
			o.retries = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--lock-timeout") && i + 1 < argc) {
			if (parse_timeout("update", argv[++i], &o.lock_wait_s))
				return BH_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			i++;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			bh_log_set_level(BH_LOG_QUIET);
			o.progress = false;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			bh_log_set_level(BH_LOG_INFO);
		else {
			fprintf(stderr, "bulkhead db update: unknown argument \"%s\"\n", argv[i]);
			fputs(usage_update_text, stderr);
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
	const char *sub;
	int i, rc;

	if (argc < 2) {
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	sub = argv[1];
	if (is_help(sub) || !strcmp(sub, "help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(sub, "status") != 0 && strcmp(sub, "update") != 0 && strcmp(sub, "import") != 0) {
		fprintf(stderr, "bulkhead db: unknown command \"%s\"\n", sub);
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (is_help(argv[i])) {
			fputs(!strcmp(sub, "status") ? usage_status_text : !strcmp(sub, "update") ? usage_update_text : usage_import_text,
			      stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			free(path);
			path = strdup(argv[++i]);
		} else if (!strcmp(argv[i], "--db")) {
			fprintf(stderr, "bulkhead db %s: --db needs a PATH\n", sub);
			free(path);
			return BH_EXIT_USAGE;
		} else if (!strcmp(sub, "status")) {
			fprintf(stderr, "bulkhead db status: unknown argument \"%s\"\n", argv[i]);
			fputs(usage_status_text, stderr);
			free(path);
			return BH_EXIT_USAGE;
		}
	}
	if (!path)
		path = bh_vulndb_default_path();
	if (!path)
		return BH_EXIT_ERROR;
	if (!strcmp(sub, "status"))
		rc = status(path);
	else if (!strcmp(sub, "update"))
		rc = update(path, argc, argv);
	else
		rc = import(path, argc, argv);
	free(path);
	return rc;
}
