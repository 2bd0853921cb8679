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
/* How long bh_vulndb_create waits for another writer of the same DB (seconds). */
#define BH_VULNDB_LOCK_WAIT_S 600

/*
 * Starts a new DB next to `path` (path.tmp-PID), with the schema; optionally copies the rows of
 * the current DB so an import adds to what is there. bh_vulndb_commit renames it over path
 * (atomic: readers see the old or the new file, never a half-written one); bh_vulndb_close
 * without commit removes it.
 * Writers are serialised by an flock on path.lock, held from before the copy until the rename
 * (or the close): a second import of the same DB waits (warning once "waiting for the lock on
 * path.lock held by another import") and so starts from the first one's result instead of
 * overwriting it; after BH_VULNDB_LOCK_WAIT_S it fails naming the lock. The lock file is left
 * in place (removing it would let a waiter and a newcomer hold two different locks). Under the
 * lock, path.tmp-PID files of processes that no longer exist (a killed import) are removed.
 * Readers (bh_vulndb_open) never take the lock.
 */
int bh_vulndb_create(const char *path, bool copy_existing, bh_vulndb **out, bh_error *err);
/* The same with a chosen bound on the wait for the lock, in milliseconds (0: fail at once). */
int bh_vulndb_create_wait(const char *path, bool copy_existing, long wait_ms, bh_vulndb **out, bh_error *err);
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
/*
 * Removes every row a source imported earlier. Not used by the importers: several feeds share a
 * source name ("osv" for Go, PyPI, npm...), so clearing by source would wipe the other feeds;
 * they replace per advisory (below).
 */
int bh_vulndb_clear_source(bh_vulndb *db, const char *source, bh_error *err);

/*
 * Re-import replaces, never duplicates. An importer calls, before storing an advisory again:
 * bh_vulndb_stored_is_newer: *newer is true when (source, id) is stored with a `modified` later
 *   than `modified` (RFC 3339 or a date); false when either is missing or unreadable. The
 *   importer then keeps the stored advisory (an older copy never rolls an advisory back).
 * bh_vulndb_forget_advisory: removes the affected rows of (source, id) (only those of `package`
 *   when package is not NULL: a Debian tracker CVE is stored package by package) and, when
 *   package is NULL, its aliases. The advisory row itself is replaced by put_advisory.
 * bh_vulndb_forget_package: removes the affected rows `source` stored for one package of one
 *   release (`distro` as in bh_affected, NULL for none): Alpine secdb lists fixes per package.
 */
int bh_vulndb_stored_is_newer(bh_vulndb *db, const char *source, const char *id, const char *modified, bool *newer,
			      bh_error *err);
int bh_vulndb_forget_advisory(bh_vulndb *db, const char *source, const char *id, const char *package, bh_error *err);
int bh_vulndb_forget_package(bh_vulndb *db, const char *source, const char *ecosystem, const char *package,
			     const char *distro, bh_error *err);
/* Seconds since 1970 (and nanoseconds) of an RFC 3339 time or a YYYY-MM-DD date, UTC unless an
 * offset is given; BH_EINVAL when unreadable. */
int bh_vulndb_parse_time(const char *s, long long *sec, long *nsec);

/* Raw handle for the matcher and status (sqlite3 *). */
void *bh_vulndb_handle(bh_vulndb *db);

#endif
