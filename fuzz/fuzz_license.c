/* fuzz_license.c - libFuzzer target: declared licence normalisation, expression classification, BH-LIC findings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/licclass.h"
#include "check/license.h"
#include "check/licfind.h"
#include "policy/licpolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bh_licdata *l;
	static bh_policy p;
	static bool have_policy;
	bh_checks out = { 0 };
	bh_sbom s;
	bh_component *c;
	bh_error err;
	char *str, *expr = NULL;
	size_t i;

	if (!l && bh_licdata_load(NULL, &l, &err))
		return 0;
	if (!have_policy) {
		/* the policy the product sees: deny ids and classes, and an allow list */
		static const char pol[] = "version: 1\nlicenses:\n  allow: [MIT, ISC, BSD-3-Clause, Apache-2.0]\n"
					  "  deny: [GPL-3.0-only]\n  deny-classes: [network-copyleft, proprietary]\n";
		bh_limits lim;
		bh_limits_default(&lim);
		if (bh_policy_parse(pol, sizeof(pol) - 1, "fuzz.yaml", &lim, &p, &err))
			__builtin_trap();
		have_policy = true;
	}
	if (!(str = malloc(size + 1)))
		return 0;
	memcpy(str, data, size);
	str[size] = 0;
	bh_licclass_of(l, str);
	bh_licclass_is_known(l, str);
	if (bh_license_normalize(l, str, &expr, &err) == 0) {
		/* the output is an SPDX expression: it parses again, and normalising it changes nothing */
		char *again = NULL;
		if (!*expr)
			__builtin_trap();
		for (i = 0; expr[i]; i++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-+:() ", expr[i]))
				__builtin_trap();
		bh_licclass_of(l, expr);
		bh_licpolicy_judge(&p, l, expr);
		if (bh_license_normalize(l, expr, &again, &err) == 0) {
			if (strcmp(expr, again) != 0)
				__builtin_trap();
			free(again);
		}
		free(expr);
	}
	/* the product's path: one component declaring the input, judged under the policy */
	bh_sbom_init(&s);
	if ((c = bh_complist_add(&s.comps, BH_ECO_NPM)) && !bh_component_set(&c->name, "fuzz", 4) &&
	    !bh_component_set(&c->license, str, size)) {
		if (bh_licpolicy_check(&s, &p, l, &out, &err) == 0 && out.n > 1)
			__builtin_trap(); /* at most one finding per component */
		for (i = 0; i < out.n; i++)
			if (strncmp(out.items[i].rule, "BH-LIC-00", 9) != 0)
				__builtin_trap();
		bh_checks_free(&out);
	}
	bh_sbom_free(&s);
	free(str);
	return 0;
}
