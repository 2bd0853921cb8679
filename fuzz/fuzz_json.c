/* fuzz_json.c - libFuzzer target: bounded JSON loading (depth pre-scan + parse). */
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	bh_error err;
	if (bh_json_load((const char *)data, size, 64, "fuzz", &j, &err) == 0)
		json_decref(j);
	return 0;
}
