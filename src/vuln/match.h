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
	char *id;             /* advisory id (CVE-…, GO-…, GHSA-…, DSA-…) */
	char *source;         /* DB source that said so */
	char *aliases;        /* space-separated */
	char *installed;      /* the version compared (source version for Debian) */
	char *fixed;          /* fixed version, NULL when none */
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
} bh_finding;

typedef struct bh_findings {
	bh_finding *items;
	size_t n, cap;
} bh_findings;

typedef struct bh_match_opts {
	bool include_unimportant; /* Debian "unimportant" urgency (off by default, as Debian says) */
} bh_match_opts;

/* Appends the findings for every component of s to out (caller frees with bh_findings_free). */
int bh_match(bh_vulndb *db, const bh_sbom *s, const bh_match_opts *o, bh_findings *out, bh_error *err);
void bh_findings_free(bh_findings *f);
/* Orders by severity (critical first), then known-exploited, EPSS, id, package. */
void bh_findings_sort(const bh_sbom *s, bh_findings *f);
/* Frees the strings of one finding (the array slot stays). */
void bh_finding_clear(bh_finding *x);
/* The distro key the DB uses for this OS ("debian:12", "alpine:3.18"), or NULL. Caller frees. */
char *bh_match_distro(const bh_osinfo *os);

#endif
