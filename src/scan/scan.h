/* scan.h - one scan job, as the CLI and the server run it: inventory (or a stored SBOM, a config
 * file, the host, a container), vulnerability matching, checks, policy, filters. */
#ifndef BH_SCAN_SCAN_H
#define BH_SCAN_SCAN_H

#include <stdbool.h>
#include <time.h>

#include "check/check.h"
#include "image/source.h"
#include "image/target.h"
#include "policy/ignore.h"
#include "policy/policy.h"
#include "sbom/sbom.h"
#include "vuln/match.h"

/* What a scan looks for. */
enum {
	BH_SCANNER_VULN = 1,
	BH_SCANNER_CONFIG = 2,
	BH_SCANNER_SECRET = 4,
	BH_SCANNER_LICENSE = 8
};

/* Everything a scan needs; the caller owns every pointer (none is kept after bh_scan_run). */
typedef struct bh_scan_job {
	const char *target;      /* any form of image/target.h (BH_TARGETS_ALL), parsed by bh_scan_run */
	int scanners;            /* BH_SCANNER_* bits; -1 = the default for the target kind */
	const char *db_path;     /* NULL = bh_vulndb_default_path() */
	const char *dockerfile;  /* also lint this Dockerfile (inventory targets), or NULL */
	const char *license_data;/* SPDX licence list JSON, or NULL for the built-in table */
	int max_age_days;        /* -1 = the policy's, else 365 */
	unsigned severities;     /* bit set of bh_severity; 0 = the policy's, else all */
	bool ignore_unfixed;
	bool include_informational; /* RustSec unmaintained/unsound/notice count as vulnerabilities (summary, exit code) */
	bh_match_opts match;
	const bh_policy *policy; /* NULL = none */
	const bh_ignores *ignores; /* ignore files and VEX, NULL = none */
	bh_source_opts scan;       /* limits, engine socket, platform, digest checks, --skip-dirs/--skip-files,
	                            * --pkg-types (also applied to stored SBOMs); the hook is set here */
	bool show_suppressed;    /* keep what ignore files, VEX and the policy suppress in r->suppressed_list */
	const char *pss_version; /* Kubernetes manifests: Pod Security Standards policy "v1.N" or "latest"; NULL = latest */
	time_t now;              /* for expiries; 0 = the clock */
} bh_scan_job;

/* A filled bh_scan_job with the defaults (call before setting fields). */
void bh_scan_job_init(bh_scan_job *j);
/* The scanners used when j->scanners is -1, for a parsed target. */
int bh_scan_default_scanners(const bh_target *t);

typedef struct bh_scan_result {
	bh_sbom sbom;        /* the inventory (name and kind only for non-inventory targets) */
	bh_findings findings;/* vulnerabilities left after filters, sorted (hidden_unknown and
	                      * count_informational set for the reports) */
	bh_checks checks;    /* check findings left after filters, sorted */
	size_t suppressed;   /* dropped by the policy, ignore files or VEX */
	size_t containers;   /* running containers inspected (container: and containers targets) */
	bh_suppressions suppressed_list; /* with show_suppressed: each of them and why (not counted anywhere) */
	double match_ms;     /* time spent matching */
	bool oom;            /* an allocation failed while filtering (bh_scan_run returns BH_ENOMEM) */
} bh_scan_result;

/*
 * Runs the job into out (initialised here; free with bh_scan_result_free, also after a failure).
 * Errors: those of bh_target_parse (BH_EUSAGE for a malformed target) and of the target's reader,
 * BH_ENODB for a missing DB (its message says --db, `db import` and `db update`), BH_ENOMEM.
 */
int bh_scan_run(const bh_scan_job *j, bh_scan_result *out, bh_error *err);
void bh_scan_result_free(bh_scan_result *r);
/* Findings that fail the run: all of them, or with a policy fail-on only those at or above it;
 * informational advisories only with include_informational. */
size_t bh_scan_failing(const bh_scan_result *r, const bh_policy *p);

#endif
