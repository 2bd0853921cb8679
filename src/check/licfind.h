/* licfind.h - licence findings for an inventory: declared licences normalised to SPDX, classified,
 * and reported under the BH-LIC rules, with the verdict of a policy the caller supplies. */
#ifndef BH_CHECK_LICFIND_H
#define BH_CHECK_LICFIND_H

#include <stddef.h>

#include "check/check.h"
#include "check/licdata.h"
#include "sbom/sbom.h"

/* The BH-LIC rules (static), in id order; the catalogue (check/rules.h) lists them. */
extern const bh_rule bh_licfind_rules[];
extern const size_t bh_licfind_rule_count;

/* What a policy says of one normalised licence expression. */
typedef enum {
	BH_LICFIND_UNJUDGED,    /* no say: the licence's class decides (BH-LIC-003..005) */
	BH_LICFIND_ALLOWED,     /* allowed: nothing is reported */
	BH_LICFIND_DENIED,      /* BH-LIC-001 */
	BH_LICFIND_NOT_ALLOWED  /* an allow list that does not admit it: BH-LIC-002 */
} bh_licfind_verdict;

/* Judges spdx (an expression bh_license_normalize made) for ctx, the caller's policy; l classifies. */
typedef bh_licfind_verdict (*bh_licfind_judge)(const void *ctx, const bh_licdata *l, const char *spdx);

/*
 * One finding per component whose licence judge denies (BH-LIC-001 CRITICAL) or does not admit
 * (BH-LIC-002 HIGH), or, without a verdict, whose class needs attention: network copyleft
 * (BH-LIC-003 HIGH), strong copyleft (BH-LIC-004 MEDIUM), unrecognised or proprietary
 * (BH-LIC-005 LOW). Components that declare nothing, OS components, permissive, weak copyleft,
 * public-domain and allowed licences give nothing; a licence the normaliser refuses (too long,
 * too deep) is skipped with a warning. l is the licence list (NULL: the built-in table). judge
 * may be NULL (no policy). Findings are appended to out (category "license"); BH_ENOMEM.
 */
int bh_licfind_run(const bh_sbom *s, const bh_licdata *l, bh_licfind_judge judge, const void *ctx, bh_checks *out,
		   bh_error *err);

#endif
