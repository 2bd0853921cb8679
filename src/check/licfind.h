/* licfind.h - licence findings for an inventory: declared licences normalised to SPDX, classified,
 * and judged against the policy (allow/deny lists and classes). */
#ifndef BH_CHECK_LICFIND_H
#define BH_CHECK_LICFIND_H

#include "check/check.h"
#include "policy/policy.h"
#include "sbom/sbom.h"

/*
 * One finding per component whose licence the policy denies (CRITICAL), or, without a policy
 * verdict, whose class needs attention: network copyleft HIGH, strong copyleft MEDIUM, unknown or
 * unrecognised LOW (components that declare nothing are not reported). Permissive, public-domain
 * and allowed licences give nothing. spdx_json is the SPDX licence list JSON (NULL: the built-in
 * table of common ids). p may be NULL.
 */
int bh_licfind_run(const bh_sbom *s, const bh_policy *p, const char *spdx_json, bh_checks *out, bh_error *err);

#endif
