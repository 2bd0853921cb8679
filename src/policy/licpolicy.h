/* licpolicy.h - the policy file's licence rules (licenses: allow, deny, deny-classes) deciding BH-LIC findings. */
#ifndef BH_POLICY_LICPOLICY_H
#define BH_POLICY_LICPOLICY_H

#include "check/check.h"
#include "check/licdata.h"
#include "check/licfind.h"
#include "policy/policy.h"
#include "sbom/sbom.h"

/*
 * The verdict of p on spdx (a normalised expression; ids compare case-insensitively, "+" kept):
 * allowed when every id is on the allow list, or, for a choice (OR), one of them is; denied when
 * an id is on the deny list or of a denied class (a choice only when every alternative is);
 * not allowed when p has an allow list that does not admit it; otherwise unjudged. Only the first
 * 16 ids of an expression are judged. l classifies the ids (NULL: the built-in table).
 */
bh_licfind_verdict bh_licpolicy_judge(const bh_policy *p, const bh_licdata *l, const char *spdx);

/*
 * The licence findings of an inventory (check/licfind) under p (NULL: no policy, classes decide),
 * with the SPDX licence list at spdx_json (NULL: the built-in table; loaded for this call).
 */
int bh_licpolicy_run(const bh_sbom *s, const bh_policy *p, const char *spdx_json, bh_checks *out, bh_error *err);
/* The same with a list already loaded (l NULL: the built-in table), for callers that judge many inventories. */
int bh_licpolicy_check(const bh_sbom *s, const bh_policy *p, const bh_licdata *l, bh_checks *out, bh_error *err);

#endif
