/* cvss.h - CVSS v3.x base scores from vector strings. */
#ifndef BH_VULN_CVSS_H
#define BH_VULN_CVSS_H

/* Base score (0.0-10.0) of a "CVSS:3.x/AV:..." vector, or -1 when it is not a valid v3 vector. */
double bh_cvss3_score(const char *vector);
/* "LOW" / "MEDIUM" / "HIGH" / "CRITICAL" / "NONE" for a score. */
const char *bh_cvss_severity(double score);

#endif
