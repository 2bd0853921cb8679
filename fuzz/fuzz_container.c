/* fuzz_container.c - libFuzzer target: a container's engine inspect document through the CIS 5.x checks and the exposure subset. */
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
	{
		/* the subset is read back by the server from an agent: it must come out of itself unchanged */
		json_t *x = bh_container_exposure(j), *y = bh_container_exposure(x);
		if (x && y && !json_equal(x, y))
			__builtin_trap();
		json_decref(x);
		json_decref(y);
	}
	json_decref(j);
	return 0;
}
