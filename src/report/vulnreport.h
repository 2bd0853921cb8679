/* vulnreport.h - writers for scan results (findings over an inventory). */
#ifndef BH_REPORT_VULNREPORT_H
#define BH_REPORT_VULNREPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"
#include "report/report.h"
#include "check/check.h"
#include "policy/ignore.h"
#include "vuln/match.h"

typedef enum bh_vreport_format {
	BH_VREPORT_TABLE = 0,
	BH_VREPORT_JSON,
	BH_VREPORT_SARIF,
	BH_VREPORT_CYCLONEDX,
	BH_VREPORT_JUNIT,
	BH_VREPORT_HTML,
	BH_VREPORT_MARKDOWN
} bh_vreport_format;

BH_MUST_CHECK int bh_vreport_format_parse(const char *name, bh_vreport_format *out);
/*
 * Writes the vulnerabilities f and the check findings ck (NULL = none) over inventory s.
 * Findings are expected sorted (bh_findings_sort, bh_checks_sort).
 */
BH_MUST_CHECK int bh_vreport_write(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt,
				  FILE *fp, bh_error *err);

/*
 * The same, listing sup (NULL or empty = nothing) after the findings: --show-suppressed. Table
 * and JSON (a "suppressed" array: type, id, package, installed_version, path, severity, reason,
 * source) show them; they are in no count. Other formats ignore sup.
 */
BH_MUST_CHECK int bh_vreport_write_ex(const bh_sbom *s, const bh_findings *f, const bh_checks *ck,
				     const bh_suppressions *sup, bh_vreport_format fmt, FILE *fp, bh_error *err);

/* Writers of src/report/checkreport.c, shared by the formats above. */
BH_MUST_CHECK json_t *bh_vreport_check_json(const bh_sbom *s, const bh_check_finding *x);
void bh_vreport_checks_table(const bh_sbom *s, const bh_checks *ck, FILE *fp);
/* Appends one SARIF rule (once per rule id, tracked in seen) and one result per check finding;
 * *bad is set when a JSON call fails. */
void bh_vreport_checks_sarif(const bh_sbom *s, const bh_checks *ck, json_t *rules, json_t *results, json_t *seen, bool *bad);

/*
 * Layers: one numbering everywhere, 0-based as the JSON `layers[].index`; people read "layer N"
 * with the same N. bh_vreport_layer_json gives {"index", "digest", "created_by"} or null.
 */
BH_MUST_CHECK json_t *bh_vreport_layer_json(const bh_sbom *s, int index);
/* The layer index of a check finding (its "layer N (digest)" or digest string), -1 when none. */
int bh_vreport_check_layer(const bh_sbom *s, const bh_check_finding *x);

/* One id inside a finding's space-separated alias list. */
typedef struct bh_vreport_idref {
	const char *p;
	size_t n;
} bh_vreport_idref;
/* The finding's aliases, CVE ids first, then the others in the list's order; at most max. */
size_t bh_vreport_aliases(const bh_finding *x, bh_vreport_idref *out, size_t max);
/* Appends "CVE-1, GHSA-2" (the aliases as above, ", "-separated) to b; nothing when none. A failure
 * is also kept in b (core/buf.h), so callers building a larger text may check b once at the end. */
int bh_vreport_aliases_text(const bh_finding *x, bh_buf *b);

/* A file path as a relative RFC 3986 URI reference (no leading '/', every byte outside
 * unreserved / sub-delims / ':' '@' '/' percent-encoded, ':' too so no scheme is read). */
int bh_vreport_uri(bh_buf *b, const char *path);

BH_MUST_CHECK int bh_vreport_junit(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err);
BH_MUST_CHECK int bh_vreport_html(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err);
BH_MUST_CHECK int bh_vreport_markdown(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err);

#endif
