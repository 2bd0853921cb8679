/* match.h - components + vulnerability DB -> findings. Never touches images, so stored SBOMs
 * are re-evaluated against new advisories without rescanning. */
#ifndef BH_VULN_MATCH_H
#define BH_VULN_MATCH_H

#include <stdbool.h>

#include "core/severity.h"
#include "sbom/sbom.h"
#include "vuln/db.h"


/* One vulnerability in one component. Strings owned by the finding. */
typedef struct bh_finding {
	size_t comp;          /* index into the sbom's components */
	char *id;             /* primary advisory id (CVE-…, GO-…, GHSA-…, DSA-…); see bh_match for the rule */
	char *source;         /* DB source that said so */
	char *aliases;        /* space-separated, sorted, unique, never the primary id: every other id of the
	                       * merged records and the aliases the DB knows for them */
	char *installed;      /* the version compared (source version for Debian) */
	char *fixed;          /* fixed version of the installed version's branch, NULL when none is known
	                       * (no fix yet, or the affected interval ends at a last_affected) */
	char *status;         /* fixed, affected, will_not_fix, end_of_life */
	bh_severity severity;
	char *severity_source;/* "debian", "cvss", "osv" … */
	char *vendor_urgency; /* distro urgency as written (e.g. "unimportant") */
	double cvss;
	char *title;
	char *url;
	bool kev;             /* CISA known exploited */
	double epss;          /* -1 when unknown */
	double epss_pct;
	char *kind;           /* NULL for a vulnerability; RustSec informational advisories: "unmaintained",
	                       * "unsound", "notice" (reported, not counted as vulnerabilities by default) */
} bh_finding;

typedef struct bh_findings {
	bh_finding *items;
	size_t n, cap;
	/* Set by the scan job (src/scan), read by the reports' summaries: */
	size_t hidden_unknown;    /* UNKNOWN-severity findings dropped by a severity filter */
	bool count_informational; /* informational findings count as vulnerabilities (--include-informational) */
} bh_findings;

typedef struct bh_match_opts {
	bool include_unimportant; /* Debian "unimportant" urgency (off by default, as Debian says) */
} bh_match_opts;

/*
 * Appends the findings for every component of s to out (caller frees with bh_findings_free).
 *  - OSV ranges: per range, events sorted by version (introduced "0" first, ties in the record's
 *    order), then walked as the OSV schema's evaluation says (fixed, last_affected, limit);
 *    `versions` lists match by string equality, as the schema's pseudo-code (Go: a leading "v"
 *    of the installed version is ignored, OSV Go versions have none). An event version that does
 *    not parse under the ecosystem's rules makes that range unusable (skipped, as before).
 *  - RustSec rows: affected unless inside a `patched` or `unaffected` interval, read as
 *    cargo-audit does (bh_version_rustsec_req); the fixed version is the lowest bound of a
 *    patched interval above the installed version.
 *  - Components carrying the property "os.owner" (a language package installed by an OS package)
 *    are not matched against language advisories: the OS package is.
 *  - Records of one component that alias each other (either direction of the aliases table) or
 *    share an alias (a CVE) give one finding. Primary id: the merged record whose id has the
 *    component ecosystem's own prefix (PYSEC- for PyPI, GO- for Go, RUSTSEC- for cargo, CVE- for
 *    OS packages), then GHSA-, then CVE-, then others (DSA-, DLA-, ...), ties by id; fixed: the
 *    highest fixed version of the merged records; severity: the highest known, and when none is,
 *    the severity of any advisory in the DB whose id or alias is one of the finding's ids.
 */
int bh_match(bh_vulndb *db, const bh_sbom *s, const bh_match_opts *o, bh_findings *out, bh_error *err);
void bh_findings_free(bh_findings *f);
/* Orders by severity (critical first), then known-exploited, EPSS, id, package. */
void bh_findings_sort(const bh_sbom *s, bh_findings *f);
/* Frees the strings of one finding (the array slot stays). */
void bh_finding_clear(bh_finding *x);
/*
 * Adds a warning to s for each part of the inventory the DB cannot say anything about: an OS
 * release with no rows ("debian 12 (bookworm): no advisories in the DB; OS packages were not
 * checked"), or whose rows name none of the OS packages (a sample of the release), and a
 * language ecosystem with none ("npm: no advisories in the DB; 27 npm packages were not checked").
 * Components with "os.owner" count with their OS package.
 */
int bh_match_coverage(bh_vulndb *db, bh_sbom *s, bh_error *err);
/*
 * The package name the DB files c's advisories under, as bh_match looks it up (Debian and Alpine:
 * the source package; PyPI: the PEP 503 name; Maven: group:artifact) into pkg; false when
 * bh_match leaves c alone (no name or version, not an ecosystem, a language package installed by
 * an OS package). Re-evaluation uses it to find the components an advisory change concerns.
 */
bool bh_match_key(const bh_component *c, char *pkg, size_t pn);
/* The distro key the DB uses for this OS ("debian:12", "alpine:3.18"), or NULL. Caller frees. */
char *bh_match_distro(const bh_osinfo *os);

#endif
