/* vulnreport.h - writers for scan results (findings over an inventory). */
#ifndef BH_REPORT_VULNREPORT_H
#define BH_REPORT_VULNREPORT_H

#include <stdio.h>

#include "report/report.h"
#include "vuln/match.h"

typedef enum bh_scan_format {
	BH_SCAN_TABLE = 0,
	BH_SCAN_JSON,
	BH_SCAN_SARIF,
	BH_SCAN_CYCLONEDX
} bh_scan_format;

int bh_scan_format_parse(const char *name, bh_scan_format *out);
/* Findings are expected sorted (bh_findings_sort). */
int bh_vreport_write(const bh_sbom *s, const bh_findings *f, bh_scan_format fmt, FILE *fp, bh_error *err);
/* Orders by severity (critical first), then known-exploited, EPSS, id, package. */
void bh_findings_sort(const bh_sbom *s, bh_findings *f);

#endif
