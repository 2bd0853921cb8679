/* check.h - findings of the configuration, Dockerfile, container, host, Kubernetes, secret and
 * licence checks: one shape, so policy, reports and exit codes treat them alike. */
#ifndef BH_CHECK_CHECK_H
#define BH_CHECK_CHECK_H

#include <stddef.h>

#include "core/error.h"
#include "core/severity.h"

/*
 * One problem found by a check. Every string is owned by the list it sits in (bh_checks_add
 * copies). Strings that do not apply are NULL.
 */
typedef struct bh_check_finding {
	const char *rule;     /* stable rule id: "BH-IMG-001", "BH-DF-004", "BH-CTR-002", "BH-SECRET-aws-access-key" */
	const char *cis;      /* CIS Docker Benchmark v1.6 id ("4.1", "5.4") or NULL */
	const char *category; /* image-config, dockerfile, container, host, kubernetes, secret, license */
	bh_severity severity;
	const char *title;    /* what is wrong, one line */
	const char *detail;   /* the evidence: the value seen, a masked match */
	const char *why;      /* why it matters */
	const char *fix;      /* how to fix it */
	const char *target;   /* the file, container, image or manifest object checked */
	const char *path;     /* file inside the target, NULL when none */
	unsigned long line;   /* 1-based line in path/target, 0 when none */
	const char *layer;    /* layer digest or "layer N", NULL when none */
	const char *status;   /* NULL = fail; "not-applicable" or "manual" with the reason in detail */
} bh_check_finding;

typedef struct bh_checks {
	bh_check_finding *items;
	size_t n, cap;
} bh_checks;

/* Appends a copy of *f (strings duplicated). BH_ENOMEM on failure (the list stays valid). */
int bh_checks_add(bh_checks *l, const bh_check_finding *f);
/* Frees every finding and the array; the list is empty and reusable afterwards. */
void bh_checks_free(bh_checks *l);
/* Orders by severity (highest first), then target, path, line, rule. */
void bh_checks_sort(bh_checks *l);
/* Removes finding i (its strings freed), keeping the order. */
void bh_checks_remove(bh_checks *l, size_t i);

#endif
