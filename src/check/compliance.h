/* compliance.h - a benchmark's controls (loaded at run time) with a status each, from the check findings and the rule catalogue. */
#ifndef BH_CHECK_COMPLIANCE_H
#define BH_CHECK_COMPLIANCE_H

#include <stddef.h>

#include "check/check.h"
#include "core/error.h"

#define BH_COMPLIANCE_MAX_BYTES ((size_t)4 << 20) /* larger benchmark files are refused */
#define BH_COMPLIANCE_MAX_CONTROLS 5000

typedef enum bh_comp_status {
	BH_COMP_PASS = 0,   /* the rules that map to it ran on an applicable target and found nothing */
	BH_COMP_FAIL,       /* a finding maps to it */
	BH_COMP_NA,         /* no target its rules check was scanned, or the checks said so (reason says why) */
	BH_COMP_MANUAL,     /* no automated bulkhead rule maps to it: a person decides */
	BH_COMP_STATUS_COUNT
} bh_comp_status;

/* What the scan covered: the rule categories whose checks ran on at least one target. */
enum {
	BH_COMP_RAN_HOST = 1,       /* host rules (CIS 1-3, 2.x, 5.1) */
	BH_COMP_RAN_CONTAINER = 2,  /* at least one running container inspected */
	BH_COMP_RAN_IMAGE = 4,      /* image config rules */
	BH_COMP_RAN_SECRET = 8,     /* secrets in image layers */
	BH_COMP_RAN_DOCKERFILE = 16 /* a Dockerfile linted */
};

typedef struct bh_comp_control {
	char *id;          /* "5.5" */
	char *title;       /* as the benchmark data names it (a leading id and "(Scored)" removed) */
	char *assessment;  /* "Automated", "Manual" or "" */
	char *section;     /* title of the top-level section ("Container Runtime"); the profile for k8s-pss */
	char *target;      /* k8s-pss: the manifest this row judges; NULL for docker-cis-1.6 (all targets together) */
	bh_comp_status status;
	char *reason;      /* why this status, one line */
	char *rules;       /* the catalogue rules mapped to it, comma-separated ("" when none) */
	size_t *hits;      /* indices into the bh_checks given to bh_compliance_eval of the failing findings */
	size_t nhits;
} bh_comp_control;

/* The controls of one benchmark; everything owned by it (bh_compliance_free). */
typedef struct bh_compliance {
	char *benchmark;   /* "docker-cis-1.6" */
	char *source;      /* the data file read */
	bh_comp_control *items;
	size_t n;
	size_t count[BH_COMP_STATUS_COUNT];
} bh_compliance;

/* "pass", "fail", "not-applicable", "manual". */
const char *bh_compliance_status_name(bh_comp_status s);

/*
 * Reads the CIS Docker Benchmark controls from a docker-bench-security_checks.tsv file (columns id,
 * kind, title, assessment, ...; header required): every row of kind "check" except section 99
 * (docker-bench-security's community checks, ids "C.n", not part of the benchmark), in file order. out is
 * initialised here. Errors (out left empty): BH_EIO / BH_ENOTFOUND for the file, BH_EINVAL for a
 * file without the header, BH_ELIMIT past BH_COMPLIANCE_MAX_BYTES or _CONTROLS, BH_ENOMEM.
 */
int bh_compliance_load_docker(const char *path, bh_compliance *out, bh_error *err);

/*
 * The BH_COMP_RAN_* categories that one target's findings declare not applicable as a whole (a
 * finding without CIS id and with status "not-applicable", such as BH-HOST-000 for a host without
 * Docker). A caller leaves these out of that target's `ran` bits.
 */
unsigned bh_compliance_na_categories(const bh_checks *ck);

/*
 * Sets every control's status and reason from the findings in ck (which must outlive c while hits are
 * used) and ran (BH_COMP_RAN_* bits, without the categories found not applicable as a whole): fail
 * when a finding without status has the control's CIS id; else manual when no catalogue rule maps to
 * it; else not applicable when none of its rules' categories ran (the reason is the category-wide
 * finding's detail when there is one, else which target was missing), or when its own findings say
 * "not-applicable"/"manual" (their detail as the reason); else pass. Recounts c->count. BH_ENOMEM.
 */
int bh_compliance_eval(bh_compliance *c, const bh_checks *ck, unsigned ran, bh_error *err);

/*
 * The Pod Security Standards view of Kubernetes manifests: for each manifest in targets[0..nt) (as
 * the findings name them), each profile (baseline, then restricted, which includes baseline) and each
 * of its controls (the PSS rules of the catalogue, BH-K8S-001..017, 022 and 023, by the profile their titles name), one
 * row: fail when a finding of that rule names the manifest, manual when the manifest has a BH-K8S-000
 * finding (a document left unchecked), else pass. out is initialised here (benchmark "k8s-pss").
 * BH_ENOMEM.
 */
int bh_compliance_pss(const char *const *targets, size_t nt, const bh_checks *ck, bh_compliance *out, bh_error *err);

void bh_compliance_free(bh_compliance *c);

#endif
