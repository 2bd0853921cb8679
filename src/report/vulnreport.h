/* vulnreport.h - writers for scan results (findings over an inventory). */
#ifndef BH_REPORT_VULNREPORT_H
#define BH_REPORT_VULNREPORT_H

#include <stdio.h>

#include "report/report.h"
#include "check/check.h"
#include "vuln/match.h"

typedef enum bh_scan_format {
	BH_SCAN_TABLE = 0,
	BH_SCAN_JSON,
	BH_SCAN_SARIF,
	BH_SCAN_CYCLONEDX,
	BH_SCAN_JUNIT,
	BH_SCAN_HTML,
	BH_SCAN_MARKDOWN
} bh_scan_format;

int bh_scan_format_parse(const char *name, bh_scan_format *out);
/*
 * Writes the vulnerabilities f and the check findings ck (NULL = none) over inventory s.
 * Findings are expected sorted (bh_findings_sort, bh_checks_sort).
 */
int bh_vreport_write(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_scan_format fmt, FILE *fp,
		     bh_error *err);

/* Writers of src/report/checkreport.c, shared by the formats above. */
json_t *bh_check_json(const bh_check_finding *x);
void bh_checks_table(const bh_checks *ck, FILE *fp);
/* Appends one SARIF rule (once per rule id, tracked in seen) and one result per check finding. */
void bh_checks_sarif(const bh_checks *ck, json_t *rules, json_t *results, json_t *seen);
int bh_report_junit(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err);
int bh_report_html(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err);
int bh_report_markdown(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err);

#endif
