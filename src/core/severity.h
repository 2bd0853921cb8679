/* severity.h - the severity scale shared by vulnerabilities and check findings. */
#ifndef BH_CORE_SEVERITY_H
#define BH_CORE_SEVERITY_H

typedef enum bh_severity {
	BH_SEV_UNKNOWN = 0,
	BH_SEV_LOW,
	BH_SEV_MEDIUM,
	BH_SEV_HIGH,
	BH_SEV_CRITICAL
} bh_severity;

/* "UNKNOWN" … "CRITICAL" (static). */
const char *bh_severity_name(bh_severity s);
/* Case-insensitive; vendor words too (important, moderate, negligible, unimportant; "high**"). */
bh_severity bh_severity_parse(const char *s);

#endif
