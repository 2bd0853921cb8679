/* riskorder.h - the risk score of a scan's findings (src/vuln/risk.h) and the order reports list them in. */
#ifndef BH_REPORT_RISKORDER_H
#define BH_REPORT_RISKORDER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/attr.h"
#include "core/error.h"
#include "sbom/sbom.h"
#include "vuln/match.h"
#include "vuln/risk.h"

typedef enum bh_risksort {
	BH_RISKSORT_RISK = 0, /* risk score, highest first (the default) */
	BH_RISKSORT_SEVERITY, /* severity, KEV, EPSS, id (bh_findings_sort) */
	BH_RISKSORT_PACKAGE   /* package name, version, then risk */
} bh_risksort;

/* "risk", "severity" or "package"; BH_EUSAGE otherwise. */
BH_MUST_CHECK int bh_risksort_parse(const char *name, bh_risksort *out);

/* Where the scanned target runs. NULL to bh_riskorder_apply: not known (a local scan of an image). */
typedef struct bh_riskreach {
	long containers, hosts;
	bool exposure_known;
	long ports;
	bool host_network, privileged;
	long cap_add;
} bh_riskreach;

/* One running container's exposure from its docker inspect document (HostConfig, NetworkSettings). */
void bh_riskreach_from_inspect(const json_t *inspect, bh_riskreach *out);

/*
 * Scores every finding of f and orders f by order, the scores moved with their findings. The DB
 * at db_path (NULL: the default path) adds the KEV dateAdded and ransomware use, the EPSS
 * snapshot's date and the CVSS vector; when it cannot be opened the matcher's values are used
 * (a debug line says so). *out: f->n scores in f's new order, the caller frees (NULL when f is empty).
 */
BH_MUST_CHECK int bh_riskorder_apply(const char *db_path, const bh_sbom *s, bh_findings *f, const bh_riskreach *reach,
				     bh_risksort order, bh_risk **out, bh_error *err);

#endif
