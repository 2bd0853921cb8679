/* db.h - the vulnerability store: one SQLite file, versioned schema, swapped atomically on update. */
#ifndef BH_VULN_DB_H
#define BH_VULN_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/severity.h"

/* 3: advisories keep their long details last and those with a severity have their own index
 * (severity of an id or alias); a schema-2 DB is brought up to 3 by the next import (that copies
 * it), a reader asks for a rebuild. */
#define BH_VULNDB_SCHEMA 3

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
/* The EPSS snapshot's header (model_version, score_date; NULL: not said), kept in meta: one date
 * for every score of the file, shown beside each score in the risk terms. */
int bh_vulndb_put_epss_snapshot(bh_vulndb *db, const char *model_version, const char *score_date, bh_error *err);
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

/*
 * Reading. Every query of the DB is one of the functions below; nothing outside db.c sees SQL or
 * SQLite. They work on a DB from bh_vulndb_open and on one being written (the rows stored so
 * far). Each statement is prepared on first use, kept on the bh_vulndb (reset and rebound per
 * call) and finalized by bh_vulndb_close or bh_vulndb_commit: a bh_vulndb serves one thread at a
 * time. Errors are BH_EIO naming the DB file.
 * Strings: those in a struct passed to a callback point into the DB's row buffers and are valid
 * only during that call (copy what you keep); functions that hand back memory say who frees it.
 */

/* One affected row of a package, with what its advisory says (NULL: the DB has no such field). */
typedef struct bh_vulndb_row {
	const char *advisory_id;
	const char *source;
	const char *ranges;        /* bh_affected.ranges */
	const char *versions;      /* bh_affected.versions */
	const char *status;
	const char *fixed_version;
	const char *urgency;       /* bh_affected.severity: the distro's urgency for this release */
	const char *aliases;       /* the advisory's aliases, space-separated in byte order, as
	                            * bh_vulndb_aliases gives them; NULL for none */
	const char *ecosystem;     /* the row's key (as asked, for bh_vulndb_each_affected) */
	const char *package;
	const char *distro;        /* "" for none */
	/* from the advisory (source, advisory_id); NULL/0 when it is not stored */
	const char *summary;
	const char *severity;
	const char *url;
	const char *kind;
	double cvss_score;
	bool withdrawn;
} bh_vulndb_row;

/*
 * Returns 0 to go on; any other value stops the walk and is returned (err is then fn's to fill).
 * fn may call the other read functions of the same db (not bh_vulndb_each_affected).
 */
typedef int (*bh_vulndb_row_fn)(void *arg, const bh_vulndb_row *row);

/*
 * Calls fn for each affected row of `package` in `ecosystem` (purl type) and `distro` (the distro
 * key of bh_affected, "debian:12"; NULL or "" for language ecosystems), in storage order.
 */
int bh_vulndb_each_affected(bh_vulndb *db, const char *ecosystem, const char *distro, const char *package,
			    bh_vulndb_row_fn fn, void *arg, bh_error *err);

/* Every affected row of the DB, in storage order (an export, a test). */
int bh_vulndb_each_row(bh_vulndb *db, bh_vulndb_row_fn fn, void *arg, bh_error *err);

/* Called with each stored advisory (aliases included, in byte order; at most 4096 of them). */
typedef int (*bh_vulndb_advisory_fn)(void *arg, const bh_advisory *a);
/* Every advisory of the DB, in storage order; fn returns as for bh_vulndb_each_affected. */
int bh_vulndb_each_advisory(bh_vulndb *db, bh_vulndb_advisory_fn fn, void *arg, bh_error *err);

/*
 * The aliases stored for the advisory (source, id) (source NULL is ""), space-separated in byte
 * order, empty ones and those with a space left out; *out is NULL when there is none. Caller frees
 * *out.
 */
int bh_vulndb_aliases(bh_vulndb *db, const char *source, const char *id, char **out, bh_error *err);

/*
 * The advisory stored as (source, id) into *out (aliases included), *found false when there is
 * none. The strings and the alias array belong to db: valid until the next
 * bh_vulndb_get_advisory on db or its close.
 */
int bh_vulndb_get_advisory(bh_vulndb *db, const char *source, const char *id, bh_advisory *out, bool *found,
			   bh_error *err);

/* Known exploitation of one CVE. */
typedef struct bh_vulndb_exploit {
	bool kev;          /* in the CISA KEV catalogue */
	bool has_epss;     /* an EPSS score is stored: */
	double epss;       /* probability 0..1 */
	double epss_pct;   /* percentile 0..1 */
} bh_vulndb_exploit;

/* KEV and EPSS of the CVE id cve[0..len) (not NUL-terminated: a token of a list). */
int bh_vulndb_get_exploit(bh_vulndb *db, const char *cve, size_t len, bh_vulndb_exploit *out, bh_error *err);

/*
 * What the risk score reads about one advisory id: KEV, EPSS and the CVSS vector of the id and of
 * every id it is aliased with (either direction). Strings are "" when not known.
 */
typedef struct bh_vulndb_riskfacts {
	bool kev, kev_ransomware;
	char kev_date[16];      /* the earliest dateAdded */
	bool has_epss;
	double epss, epss_pct;  /* the highest score among the ids */
	char epss_date[40], epss_model[40]; /* the snapshot's score_date and model_version */
	double cvss;            /* the highest CVSS base score with a vector, 0 when none */
	char cvss_vector[160];
	char cvss_source[32];
} bh_vulndb_riskfacts;
int bh_vulndb_get_riskfacts(bh_vulndb *db, const char *id, bh_vulndb_riskfacts *out, bh_error *err);

/* The severity the DB knows under one id. */
typedef struct bh_vulndb_severity {
	bh_severity severity; /* BH_SEV_UNKNOWN: no advisory under this id has one */
	double cvss;          /* the CVSS score of the advisory it comes from (0 when none) */
	char *label;          /* "source:id" of that advisory; caller frees (bh_vulndb_severity_clear) */
} bh_vulndb_severity;

/*
 * The highest severity of any advisory whose id is id[0..len) or that lists it as an alias: the
 * advisory's own severity, else the band of its CVSS score. Among advisories of equal severity,
 * the one stored first.
 */
int bh_vulndb_alias_severity(bh_vulndb *db, const char *id, size_t len, bh_vulndb_severity *out, bh_error *err);
void bh_vulndb_severity_clear(bh_vulndb_severity *s);

/* One advisory with a severity or a CVSS score, once per alias (alias NULL when it has none). */
typedef struct bh_vulndb_sev_row {
	const char *source;
	const char *id;
	const char *severity;   /* as stored, NULL when only the score is known */
	double cvss_score;
	const char *alias;
} bh_vulndb_sev_row;

typedef int (*bh_vulndb_severity_fn)(void *arg, const bh_vulndb_sev_row *row);

/*
 * Calls fn for every advisory that has a severity or a CVSS score, in storage order (aliases in
 * byte order): the whole table at once for a caller that needs many ids (a big scan), where one
 * bh_vulndb_alias_severity per id would cost more. fn returns as for bh_vulndb_each_affected.
 */
int bh_vulndb_each_severity(bh_vulndb *db, bh_vulndb_severity_fn fn, void *arg, bh_error *err);

/* Affected rows of an ecosystem (purl type) and distro key (NULL or "" for language ecosystems). */
int bh_vulndb_count_rows(bh_vulndb *db, const char *ecosystem, const char *distro, long *n, bh_error *err);
/* Distinct packages among those rows. */
int bh_vulndb_count_packages(bh_vulndb *db, const char *ecosystem, const char *distro, long *n, bh_error *err);
/* Whether any row names `package` of (ecosystem, distro). */
int bh_vulndb_has_package(bh_vulndb *db, const char *ecosystem, const char *distro, const char *package, bool *yes,
			  bh_error *err);

/* One imported source as `db status` shows it (bh_vulndb_put_source). */
typedef struct bh_vulndb_source {
	char *name;
	char *location;
	char *imported_at;   /* RFC 3339 UTC */
	long long records;
} bh_vulndb_source;

/* Advisories stored by one importer (bh_advisory.source). */
typedef struct bh_vulndb_importer {
	char *source;
	long long advisories;
} bh_vulndb_importer;

/* What the DB holds. Strings NULL when missing; everything owned by the struct (bh_vulndb_stats_free). */
typedef struct bh_vulndb_stats {
	char *schema;        /* meta "schema" as stored */
	char *built_at;      /* meta "built_at" */
	bh_vulndb_source *sources; /* by name */
	size_t nsources;
	bh_vulndb_importer *importers; /* by source */
	size_t nimporters;
	long long advisories, aliases, affected, kev, epss; /* rows */
} bh_vulndb_stats;

int bh_vulndb_get_stats(bh_vulndb *db, bh_vulndb_stats *out, bh_error *err);
void bh_vulndb_stats_free(bh_vulndb_stats *s);

#endif
