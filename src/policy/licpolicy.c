/* licpolicy.c - the policy file's licence rules (licenses: allow, deny, deny-classes) deciding BH-LIC findings. */
#include "policy/licpolicy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/licclass.h"

#define MAX_IDS 16 /* ids judged per expression; more is prose, not a licence choice */
#define ID_MAX 96

/* The SPDX ids of an expression (words that are not operators or parentheses; exceptions count). */
static size_t ids_of(const char *expr, char ids[][ID_MAX], size_t max, bool *has_or)
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
			snprintf(ids[n++], ID_MAX, "%.*s", (int)(l < ID_MAX - 1 ? l : ID_MAX - 1), p);
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

bh_licfind_verdict bh_licpolicy_judge(const bh_policy *p, const bh_licdata *l, const char *spdx)
{
	char ids[MAX_IDS][ID_MAX];
	bool has_or, allowed = false, all_allowed;
	size_t n, k, ndenied = 0;

	n = ids_of(spdx, ids, MAX_IDS, &has_or);
	all_allowed = n > 0;
	for (k = 0; k < n; k++) {
		ndenied += in_list(p->deny_licenses, p->ndeny_licenses, ids[k]) ||
			   in_list(p->deny_license_classes, p->ndeny_license_classes, bh_licclass_name(bh_licclass_of(l, ids[k])));
		if (!in_list(p->allow_licenses, p->nallow_licenses, ids[k]))
			all_allowed = false;
		else if (has_or)
			allowed = true; /* one allowed alternative is enough */
	}
	if (allowed || all_allowed)
		return BH_LICFIND_ALLOWED;
	/* A choice (OR) is denied only when every alternative is. */
	if (has_or ? ndenied == n && n : ndenied > 0)
		return BH_LICFIND_DENIED;
	return p->nallow_licenses ? BH_LICFIND_NOT_ALLOWED : BH_LICFIND_UNJUDGED;
}

static bh_licfind_verdict judge(const void *ctx, const bh_licdata *l, const char *spdx)
{
	return bh_licpolicy_judge(ctx, l, spdx);
}

int bh_licpolicy_check(const bh_sbom *s, const bh_policy *p, const bh_licdata *l, bh_checks *out, bh_error *err)
{
	return bh_licfind_run(s, l, p ? judge : NULL, p, out, err);
}

int bh_licpolicy_run(const bh_sbom *s, const bh_policy *p, const char *spdx_json, bh_checks *out, bh_error *err)
{
	bh_licdata *l = NULL;
	int rc;
	if ((rc = bh_licdata_load(spdx_json, &l, err)))
		return rc;
	rc = bh_licpolicy_check(s, p, l, out, err);
	bh_licdata_free(l);
	return rc;
}
