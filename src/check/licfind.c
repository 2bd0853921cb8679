/* licfind.c - licence findings: normalise, classify, judge against the policy. */
#include "check/licfind.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/license.h"
#include "core/buf.h"
#include "core/log.h"

/* The SPDX ids of an expression (words that are not operators or parentheses), copied to ids. */
static size_t ids_of(const char *expr, char ids[][96], size_t max, bool *has_or)
{
	size_t n = 0;
	const char *p = expr;
	*has_or = false;
	while (*p) {
		size_t l;
		while (*p == ' ' || *p == '(' || *p == ')')
			p++;
		l = strcspn(p, " ()");
		if (!l)
			break;
		if (l == 2 && !strncmp(p, "OR", 2))
			*has_or = true;
		else if (!(l == 3 && !strncmp(p, "AND", 3)) && !(l == 4 && !strncmp(p, "WITH", 4)) && n < max)
			snprintf(ids[n++], sizeof(ids[0]), "%.*s", (int)(l < 95 ? l : 95), p);
		p += l;
	}
	return n;
}

static bool in_list(char *const *l, size_t n, const char *id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcasecmp(l[i], id))
			return true;
	return false;
}

int bh_licfind_run(const bh_sbom *s, const bh_policy *p, const char *spdx_json, bh_checks *out, bh_error *err)
{
	bh_licenses *lics = NULL;
	size_t i;
	int rc;
	if ((rc = bh_licenses_load(spdx_json, &lics, err)))
		return rc;
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		char *spdx = NULL, ids[16][96], detail[1024];
		bool has_or, denied = false, allowed = false, not_allowed = false;
		size_t n, k, ndenied = 0;
		int lrc;
		bh_license_class cls;
		bh_check_finding f = { 0 };
		bh_error e;
		if (!c->license || !*c->license || c->eco == BH_ECO_OS)
			continue;
		if ((lrc = bh_license_normalize(lics, c->license, &spdx, &e)) || !spdx) {
			/* a licence text made to exhaust the parser is not a finding, but it is not silent either */
			bh_log_warn("%s %s (%s): licence not checked: %s", c->name, c->version ? c->version : "",
				    c->path ? c->path : "", lrc ? e.msg : "out of memory");
			free(spdx);
			continue;
		}
		cls = bh_license_classify(lics, spdx);
		n = ids_of(spdx, ids, 16, &has_or);
		if (p) {
			bool all_allowed = n > 0;
			for (k = 0; k < n; k++) {
				bool d = in_list(p->deny_licenses, p->ndeny_licenses, ids[k]) ||
					 in_list(p->deny_license_classes, p->ndeny_license_classes,
						 bh_license_class_name(bh_license_classify(lics, ids[k])));
				ndenied += d;
				if (!in_list(p->allow_licenses, p->nallow_licenses, ids[k]))
					all_allowed = false;
				else if (has_or)
					allowed = true; /* one allowed alternative is enough */
			}
			allowed = allowed || all_allowed;
			/* A choice (OR) is denied only when every alternative is. */
			denied = !allowed && (has_or ? ndenied == n && n : ndenied > 0);
			not_allowed = !allowed && !denied && p->nallow_licenses > 0;
		}
		f.category = "license";
		f.target = s->name ? s->name : s->input;
		f.path = c->path;
		f.fix = "Replace the dependency, obtain another licence, or record an exception in the policy after legal review.";
		snprintf(detail, sizeof(detail), "%s %s (%s): declared \"%.200s\" = %s, %s", c->name ? c->name : "?",
			 c->version ? c->version : "", bh_ecosystem_name(c->eco), c->license, spdx, bh_license_class_name(cls));
		f.detail = detail;
		if (denied) {
			f.rule = "BH-LIC-001";
			f.severity = BH_SEV_CRITICAL;
			f.title = "Licence denied by the policy";
			f.why = "The policy forbids shipping software under this licence.";
		} else if (not_allowed) {
			f.rule = "BH-LIC-002";
			f.severity = BH_SEV_HIGH;
			f.title = "Licence not in the policy's allow list";
			f.why = "The policy only admits the licences it lists.";
		} else if (!allowed && cls == BH_LIC_NETWORK_COPYLEFT) {
			f.rule = "BH-LIC-003";
			f.severity = BH_SEV_HIGH;
			f.title = "Network copyleft licence";
			f.why = "Offering the software over a network obliges you to publish the source of the whole work (AGPL, SSPL).";
		} else if (!allowed && cls == BH_LIC_STRONG_COPYLEFT) {
			f.rule = "BH-LIC-004";
			f.severity = BH_SEV_MEDIUM;
			f.title = "Strong copyleft licence";
			f.why = "Distributing the image (or a derived work) obliges you to provide the source under the same licence (GPL).";
		} else if (!allowed && (cls == BH_LIC_UNKNOWN || cls == BH_LIC_PROPRIETARY)) {
			f.rule = "BH-LIC-005";
			f.severity = BH_SEV_LOW;
			f.title = cls == BH_LIC_UNKNOWN ? "Licence not recognised" : "Proprietary licence";
			f.why = "Nobody has checked what the licence allows; it may forbid redistribution.";
		} else {
			free(spdx);
			continue;
		}
		rc = bh_checks_add(out, &f);
		free(spdx);
		if (rc) {
			bh_licenses_free(lics);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	bh_licenses_free(lics);
	return 0;
}
