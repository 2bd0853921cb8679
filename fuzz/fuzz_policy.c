/* fuzz_policy.c - libFuzzer target: the policy file (YAML) and the checks that read it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_limits lim;
	bh_policy p;
	bh_error err;
	bh_limits_default(&lim);
	if (bh_policy_parse((const char *)data, size, "fuzz.yaml", &lim, &p, &err) == 0) {
		/* exercise the lookups on what was parsed */
		(void)bh_policy_suppressed(&p, "BH-IMG-010", "/usr/bin/passwd", (time_t)1700000000);
		(void)bh_policy_suppressed(&p, NULL, NULL, 0);
		bh_policy_free(&p);
	}
	return 0;
}
