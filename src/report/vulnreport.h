/* vulnreport.h - writers for scan results (findings over an inventory). */
#ifndef BH_REPORT_VULNREPORT_H
#define BH_REPORT_VULNREPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"
#include "report/layout.h"
#include "report/report.h"
#include "check/check.h"
#include "policy/ignore.h"
#include "vuln/match.h"
#include "vuln/risk.h"

typedef enum bh_vreport_format {
	BH_VREPORT_TABLE = 0,
	BH_VREPORT_JSON,
	BH_VREPORT_SARIF,
	BH_VREPORT_CYCLONEDX,
	BH_VREPORT_JUNIT,
	BH_VREPORT_HTML,
	BH_VREPORT_MARKDOWN,
	BH_VREPORT_GITLAB_CODEQUALITY,   /* report/gitlab.h */
	BH_VREPORT_GITLAB_CONTAINER_SCANNING,
	BH_VREPORT_CYCLONEDX_1_5         /* BH_VREPORT_CYCLONEDX is the newest spec (1.6) */
} bh_vreport_format;

BH_MUST_CHECK int bh_vreport_format_parse(const char *name, bh_vreport_format *out);
/*
 * Writes the vulnerabilities f and the check findings ck (NULL = none) over inventory s.
 * Findings are expected sorted (bh_findings_sort, bh_checks_sort).
 */
BH_MUST_CHECK int bh_vreport_write(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt,
				  FILE *fp, bh_error *err);

/* How people read the table (the other formats ignore these, except "groups" in JSON). */
#define BH_VREPORT_WIDTH_DEFAULT 100 /* output that is no terminal, COLUMNS unset */
#define BH_VREPORT_WIDTH_MIN 60      /* narrower terminals get 60 columns */
#define BH_VREPORT_WIDTH_MAX 1000
typedef struct bh_vreport_opts {
	size_t width;          /* table width in display columns; 0 = BH_VREPORT_WIDTH_DEFAULT */
	bool group_by_package; /* one table row (and one JSON "groups" entry) per package and version */
	/*
	 * --show-suppressed: listed after the findings in the table and as a JSON "suppressed" array
	 * (type, id, package, installed_version, path, severity, reason, source); in no count. NULL or
	 * empty = nothing; other formats ignore it.
	 */
	const bh_suppressions *suppressed;
} bh_vreport_opts;
/* bh_vreport_write with options (o NULL = defaults). */
BH_MUST_CHECK int bh_vreport_write_opts(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt,
				       const bh_vreport_opts *o, FILE *fp, bh_error *err);

/*
 * bh_vreport_write_opts with f->n risk scores in the findings' order (report/riskorder.h; NULL =
 * none): the table gets a RISK column and a "risk N:" line of terms under each finding, JSON a
 * "risk" object {score, terms} in each finding; the other formats ignore them.
 */
BH_MUST_CHECK int bh_vreport_write_risk(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt,
				       const bh_vreport_opts *o, const bh_risk *risks, FILE *fp, bh_error *err);

/* Writers of src/report/checkreport.c, shared by the formats above. */
/*
 * Markup-safe text for HTML and XML into b: the five special characters escaped, control
 * characters as "\xNN", invalid UTF-8 as U+FFFD, cut after max bytes at a character boundary.
 * NULL writes nothing.
 */
void bh_vreport_markup(bh_buf *b, const char *s, size_t max);
BH_MUST_CHECK json_t *bh_vreport_check_json(const bh_sbom *s, const bh_check_finding *x);
/* Table layout shared by the vulnerability and check tables. The width asked for, clamped to
 * BH_VREPORT_WIDTH_MIN..MAX (0 = the default). */
size_t bh_vreport_width(size_t width);
/* Column widths for a row of n columns width wide: each column its natural width (at least
 * minw), the widest giving up columns first when they do not fit; the last column takes the rest. */
void bh_vreport_fit(bh_layout_col *cols, const size_t *natural, const size_t *minw, size_t n, size_t width);
/* "Label:  text" (label in 8 columns), text wrapped under itself. */
void bh_vreport_label_line(bh_buf *b, const char *label, const char *text, size_t width);
/* A continuation line under a row, indented 9, wrapped to at most max_lines (0 = any). */
void bh_vreport_more_line(bh_buf *b, const char *text, size_t width, size_t max_lines);
/* The checks as a table width display columns wide (at least BH_VREPORT_WIDTH_MIN). */
void bh_vreport_checks_table(const bh_sbom *s, const bh_checks *ck, size_t width, FILE *fp);
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
