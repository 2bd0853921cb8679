/* fuzz_license.c - libFuzzer target: declared licence normalisation, expression classification, policy. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/license.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bh_licenses *l;
	bh_license_policy p;
	bh_checks out = { 0 };
	bh_error err;
	char *s, *expr = NULL;
	size_t i;

	if (!l && bh_licenses_load(NULL, &l, &err))
		return 0;
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	bh_license_classify(l, s);
	bh_license_is_known(l, s);
	if (bh_license_normalize(l, s, &expr, &err) == 0) {
		/* the output is an SPDX expression: it parses again, and normalising it changes nothing */
		char *again = NULL;
		if (!*expr)
			__builtin_trap();
		for (i = 0; expr[i]; i++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-+:() ", expr[i]))
				__builtin_trap();
		bh_license_classify(l, expr);
		if (bh_license_normalize(l, expr, &again, &err) == 0) {
			if (strcmp(expr, again) != 0)
				__builtin_trap();
			free(again);
		}
		free(expr);
	}
	bh_license_policy_default(&p);
	bh_license_check(l, &p, "fuzz", s, "fuzz", &out, &err);
	bh_checks_free(&out);
	free(s);
	return 0;
}
