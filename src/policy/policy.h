/* policy.h - the policy file (bulkhead.yaml, schema in docs/bulkhead.schema.json): what an image
 * must satisfy. One file serves CI and the server. */
#ifndef BH_POLICY_POLICY_H
#define BH_POLICY_POLICY_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "check/check.h"
#include "core/limits.h"
#include "sbom/sbom.h"

/* A rule switched off for some paths (or everywhere) until an expiry date. */
typedef struct bh_policy_exception {
	char *rule;      /* rule id, or NULL = any rule */
	char **paths;    /* path prefixes; empty = everywhere */
	size_t npaths;
	time_t expires;  /* 0 = never */
	char *reason;
} bh_policy_exception;

typedef struct bh_policy {
	char *origin;            /* the file it was read from */
	unsigned severities;     /* bit set of bh_severity to report; 0 = all */
	int fail_on;             /* lowest severity that fails the run (-1 = any finding), with exit_code */
	int exit_code;           /* 0 = not set here */
	bool ignore_unfixed;
	bool include_informational; /* RustSec unmaintained/unsound/notice count and fail the run too */
	char **registries;       /* permitted image origins (prefixes of the image reference); empty = any */
	size_t nregistries;
	char **deny_packages;    /* names or purl prefixes */
	size_t ndeny_packages;
	char **allow_licenses, **deny_licenses, **deny_license_classes;
	size_t nallow_licenses, ndeny_licenses, ndeny_license_classes;
	char **require_labels;
	size_t nrequire_labels;
	char **disable;          /* rule ids switched off */
	size_t ndisable;
	bh_policy_exception *exceptions;
	size_t nexceptions;
	int max_image_age_days;  /* -1 = not set */
	json_t *secret_rules;    /* custom secret rules (array), NULL when none */
} bh_policy;

/* Reads a policy file; unknown keys and bad values are BH_EINVAL naming the file and the key. */
int bh_policy_load(const char *path, const bh_limits *lim, bh_policy *out, bh_error *err);
/* The same from memory; label names the document in errors. */
int bh_policy_parse(const char *data, size_t len, const char *label, const bh_limits *lim, bh_policy *out, bh_error *err);
void bh_policy_free(bh_policy *p);

/*
 * Checks an inventory against the policy: image origin (CIS 4.2), denied packages, required
 * labels. Appends findings (category "policy").
 */
int bh_policy_check_image(const bh_policy *p, const bh_sbom *s, bh_checks *out, bh_error *err);
/* True when rule (at path) is switched off or excepted at now. */
bool bh_policy_suppressed(const bh_policy *p, const char *rule, const char *path, time_t now);

#endif
