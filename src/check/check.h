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

/*
 * One rule of the catalogue: the text every finding of the rule shares (static data, never freed).
 * Each check module exports its table (bh_<module>_rules, bh_<module>_rule_count); check/rules.h
 * lists every table.
 */
typedef struct bh_rule {
	const char *id;       /* "BH-IMG-001" */
	const char *cis;      /* CIS Docker Benchmark v1.6 id, or NULL */
	bh_severity severity; /* default; a finding may set its own from what it saw (EXPOSE 2375, a mode 0777) */
	const char *title;
	const char *why;
	const char *fix;
} bh_rule;

/*
 * What one finding adds to its rule: where, the evidence, and the few fields a finding may override.
 * Zero-initialise and fill what applies; NULL / 0 fields take the rule's value or stay empty.
 */
typedef struct bh_check_at {
	const char *category; /* image-config, dockerfile, container, host, kubernetes, secret */
	const char *target, *path, *layer, *detail, *status;
	unsigned long line;
	bh_severity severity; /* BH_SEV_UNKNOWN (0) = the rule's */
	const char *id;       /* NULL = the rule's (secret findings name their pattern: BH-SECRET-<pattern>) */
	const char *title, *why, *fix; /* NULL = the rule's */
} bh_check_at;

typedef struct bh_checks {
	bh_check_finding *items;
	size_t n, cap;
} bh_checks;

/* Appends a copy of *f (strings duplicated). BH_ENOMEM on failure (the list stays valid). */
int bh_checks_add(bh_checks *l, const bh_check_finding *f);
/*
 * Appends the finding of rule r at `at` (strings copied). A finding with status "not-applicable"
 * gets BH_SEV_UNKNOWN whatever the severities say: nothing was judged. BH_ENOMEM on failure.
 */
int bh_checks_emit(bh_checks *l, const bh_rule *r, const bh_check_at *at);
/* Frees every finding and the array; the list is empty and reusable afterwards. */
void bh_checks_free(bh_checks *l);
/* Orders by severity (highest first), then target, path, line, rule. */
void bh_checks_sort(bh_checks *l);
/* Removes finding i (its strings freed), keeping the order. */
void bh_checks_remove(bh_checks *l, size_t i);

#endif
