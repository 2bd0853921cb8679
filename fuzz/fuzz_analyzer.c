/* fuzz_analyzer.c - libFuzzer target for one analyzer (built once per analyzer, see fuzz/targets.txt). */
#include <stddef.h>
#include <stdint.h>

#include "pkg/analyzer.h"

extern const bh_analyzer ANALYZER;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_complist out = { 0 };
	bh_error err;
	bh_analyzer_run_mem(&ANALYZER, FUZZ_PATH, data, size, &out, &err);
	bh_complist_free(&out);
	return 0;
}
