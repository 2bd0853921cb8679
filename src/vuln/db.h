/* db.h - the vulnerability store: one SQLite file, versioned schema, swapped atomically on update. */
#ifndef BH_VULN_DB_H
#define BH_VULN_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define BH_VULNDB_SCHEMA 2

typedef struct bh_vulndb bh_vulndb;

/* Default path: $XDG_CACHE_HOME/bulkhead/vuln.db, else ~/.cache/bulkhead/vuln.db. Caller frees. */
char *bh_vulndb_default_path(void);
/* Opens an existing DB read-only; BH_ENOTFOUND when missing, BH_EUNSUPPORTED on schema mismatch. */
int bh_vulndb_open(const char *path, bh_vulndb **out, bh_error *err);
/*
 * Starts a new DB next to `path` (path.tmp-PID), with the schema; optionally copies the rows of
 * the current DB so an import adds to what is there. bh_vulndb_commit renames it over path
 * (atomic: readers see the old or the new file, never a half-written one); bh_vulndb_close
 * without commit removes it.
 */
int bh_vulndb_create(const char *path, bool copy_existing, bh_vulndb **out, bh_error *err);
int bh_vulndb_commit(bh_vulndb *db, bh_error *err);
void bh_vulndb_close(bh_vulndb *db);

/* One advisory (OSV-like). Strings may be NULL. Copied by the call. */
typedef struct bh_advisory {
	const char *id;          /* GO-2023-1234, PYSEC-…, RUSTSEC-…, CVE-… (Debian/Alpine), DSA-… */
	const char *source;      /* importer name: "osv", "debian", "alpine", "rustsec", …; (source, id) is the key,
	                          * so Debian's and Alpine's records of one CVE live side by side */
	const char *summary;
	const char *details;
	const char *severity;    /* vendor severity: LOW, MEDIUM, HIGH, CRITICAL, UNKNOWN (upper case) */
	const char *cvss_vector;
	double cvss_score;       /* 0 when unknown */
	const char *published;   /* RFC 3339 or date */
	const char *modified;
	const char *withdrawn;   /* set when the advisory was withdrawn (never matched) */
	const char *url;         /* advisory page */
	const char *kind;        /* NULL for a vulnerability; RustSec informational advisories: "unmaintained",
	                          * "unsound" or "notice" (shown, not counted as vulnerabilities) */
	const char *const *aliases; /* CVE-…, GHSA-… */
	size_t naliases;
} bh_advisory;

/*
 * What an advisory says about one package. Either `ranges` (OSV ranges JSON array, e.g.
 * [{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}], or the special
 * [{"type":"REQS","patched":[">= 1.2"],"unaffected":["< 0.1"]}] for RustSec) and/or `versions`
 * (JSON array of exact affected versions), or a distro status with fixed_version. Store the
 * advisory (bh_vulndb_put_advisory) before its affected rows: they take its source.
 */
typedef struct bh_affected {
	const char *advisory_id;
	const char *ecosystem;   /* purl type: deb, apk, rpm, npm, pypi, golang, maven, gem, cargo, composer, nuget */
	const char *package;     /* normalised name (PyPI: PEP 503; deb/apk: source package) */
	const char *distro;      /* OS packages: release, "12" for Debian bookworm, "3.18" for Alpine; NULL otherwise */
	const char *ranges;      /* JSON or NULL */
	const char *versions;    /* JSON or NULL */
	const char *status;      /* "fixed", "affected" (no fix yet), "will_not_fix", "end_of_life", "not_affected" */
	const char *fixed_version;
	const char *severity;    /* distro urgency for this release (e.g. "unimportant", "low", "high") */
} bh_affected;

int bh_vulndb_begin(bh_vulndb *db, bh_error *err);
int bh_vulndb_end(bh_vulndb *db, bh_error *err); /* commits the transaction (not the file swap) */
int bh_vulndb_put_advisory(bh_vulndb *db, const bh_advisory *a, bh_error *err);
int bh_vulndb_put_affected(bh_vulndb *db, const bh_affected *a, bh_error *err);
int bh_vulndb_put_kev(bh_vulndb *db, const char *cve, const char *date_added, const char *due_date,
		      const char *ransomware, const char *name, bh_error *err);
int bh_vulndb_put_epss(bh_vulndb *db, const char *cve, double score, double percentile, bh_error *err);
/* Records that a source was imported (shown by `db status`). */
int bh_vulndb_put_source(bh_vulndb *db, const char *name, const char *location, long records,
			 const char *etag, const char *last_modified, bh_error *err);
/* Removes every row a source imported earlier (re-import replaces, never duplicates). */
int bh_vulndb_clear_source(bh_vulndb *db, const char *source, bh_error *err);

/* Raw handle for the matcher and status (sqlite3 *). */
void *bh_vulndb_handle(bh_vulndb *db);

#endif
