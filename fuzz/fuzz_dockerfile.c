/* fuzz_dockerfile.c - libFuzzer target: Dockerfile parsing and every BH-DF rule on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check/dockerfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_checks l = { 0 };
	bh_error err;
	size_t i;
	int rc = bh_dockerfile_check("fuzz/Dockerfile", (const char *)data, size, &l, &err);
	/* the contract the reports rely on: complete findings, or none at all on failure */
	if (rc && l.n)
		__builtin_trap();
	for (i = 0; i < l.n; i++)
		if (!l.items[i].rule || !l.items[i].title || !l.items[i].detail || !l.items[i].line ||
		    strlen(l.items[i].detail) > 4 * 200)
			__builtin_trap();
	bh_checks_free(&l);
	return 0;
}
