/* fuzz_container.c - libFuzzer target: a container's engine inspect document through the CIS 5.x checks. */
#include <stddef.h>
#include <stdint.h>

#include "check/container.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	bh_checks out = { 0 };
	bh_error err;

	if (bh_json_load((const char *)data, size, 64, "fuzz", &j, &err) != 0)
		return 0;
	bh_container_check(j, &out, &err);
	bh_checks_free(&out);
	json_decref(j);
	return 0;
}
