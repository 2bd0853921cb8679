/* fuzz_k8s.c - libFuzzer target: Pod Security Standards checks on multi-document Kubernetes YAML. */
#include <stddef.h>
#include <stdint.h>

#include "check/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_checks out = { 0 };
	bh_error err;
	size_t i;
	int rc = bh_k8s_check("fuzz.yaml", (const char *)data, size, &out, &err);
	/* every finding is complete; an error adds nothing */
	if (rc && out.n)
		__builtin_trap();
	for (i = 0; i < out.n; i++)
		if (!out.items[i].rule || !out.items[i].detail || !out.items[i].title || !out.items[i].target)
			__builtin_trap();
	bh_checks_free(&out);
	return 0;
}
