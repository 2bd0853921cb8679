/* licfind.c - licence findings for an inventory: normalise, classify, report under the BH-LIC rules. */
#include "check/licfind.h"

#include <stdio.h>
#include <stdlib.h>

#include "check/licclass.h"
#include "check/license.h"
#include "core/log.h"

enum { R_DENIED, R_NOT_ALLOWED, R_NETWORK, R_STRONG, R_UNKNOWN, R_COUNT };

#define FIX "Replace the dependency, obtain another licence, or record an exception in the policy after legal review."

const bh_rule bh_licfind_rules[R_COUNT] = {
	[R_DENIED] = { "BH-LIC-001", NULL, BH_SEV_CRITICAL, "Licence denied by the policy",
		       "The policy forbids shipping software under this licence.", FIX },
	[R_NOT_ALLOWED] = { "BH-LIC-002", NULL, BH_SEV_HIGH, "Licence not in the policy's allow list",
			    "The policy only admits the licences it lists.", FIX },
	[R_NETWORK] = { "BH-LIC-003", NULL, BH_SEV_HIGH, "Network copyleft licence",
			"Offering the software over a network obliges you to publish the source of the whole work (AGPL, SSPL).",
			FIX },
	[R_STRONG] = { "BH-LIC-004", NULL, BH_SEV_MEDIUM, "Strong copyleft licence",
		       "Distributing the image (or a derived work) obliges you to provide the source under the same "
		       "licence (GPL).",
		       FIX },
	[R_UNKNOWN] = { "BH-LIC-005", NULL, BH_SEV_LOW, "Licence not recognised",
			"Nobody has checked what the licence allows; it may forbid redistribution.", FIX },
};
const size_t bh_licfind_rule_count = R_COUNT;

/* The rule a component's licence falls under, or -1 for none. */
static int rule_of(bh_licfind_verdict v, bh_license_class cls)
{
	switch (v) {
	case BH_LICFIND_ALLOWED:
		return -1;
	case BH_LICFIND_DENIED:
		return R_DENIED;
	case BH_LICFIND_NOT_ALLOWED:
		return R_NOT_ALLOWED;
	default:
		break;
	}
	switch (cls) {
	case BH_LIC_NETWORK_COPYLEFT:
		return R_NETWORK;
	case BH_LIC_STRONG_COPYLEFT:
		return R_STRONG;
	case BH_LIC_UNKNOWN:
	case BH_LIC_PROPRIETARY: /* reported like an unknown one: nobody has cleared its terms */
		return R_UNKNOWN;
	default:
		return -1;
	}
}

int bh_licfind_run(const bh_sbom *s, const bh_licdata *lics, bh_licfind_judge judge, const void *ctx, bh_checks *out,
		   bh_error *err)
{
	size_t i;
	int rc;
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		char *spdx = NULL, detail[1024];
		bh_licfind_verdict v;
		bh_license_class cls;
		bh_check_at at = { 0 };
		bh_error e;
		int lrc, r;
		if (!c->license || !*c->license || c->eco == BH_ECO_OS)
			continue;
		if ((lrc = bh_license_normalize(lics, c->license, &spdx, &e)) || !spdx) {
			/* a licence text made to exhaust the parser is not a finding, but it is not silent either */
			bh_log_warn("%s %s (%s): licence not checked: %s", c->name, c->version ? c->version : "",
				    c->path ? c->path : "", lrc ? e.msg : "out of memory");
			free(spdx);
			continue;
		}
		cls = bh_licclass_of(lics, spdx);
		v = judge ? judge(ctx, lics, spdx) : BH_LICFIND_UNJUDGED;
		if ((r = rule_of(v, cls)) < 0) {
			free(spdx);
			continue;
		}
		snprintf(detail, sizeof(detail), "%s %s (%s): declared \"%.200s\" = %s, %s", c->name ? c->name : "?",
			 c->version ? c->version : "", bh_ecosystem_name(c->eco), c->license, spdx, bh_licclass_name(cls));
		at.category = "license";
		at.target = s->name ? s->name : s->input;
		at.path = c->path;
		at.detail = detail;
		if (r == R_UNKNOWN && cls == BH_LIC_PROPRIETARY)
			at.title = "Proprietary licence";
		rc = bh_checks_emit(out, &bh_licfind_rules[r], &at);
		free(spdx);
		if (rc)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}
