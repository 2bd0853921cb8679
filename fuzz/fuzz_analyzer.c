/* fuzz_analyzer.c - libFuzzer target for one analyzer (built once per analyzer, see fuzz/targets.txt). */
#include <stddef.h>
#include <stdint.h>

#include "pkg/analyzer.h"

extern const bh_analyzer ANALYZER;

static int own_count(void *ctx, const char *path, size_t len, const char *pkg)
{
	(void)path; (void)pkg;
	*(size_t *)ctx += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_complist out = { 0 };
	size_t owned = 0;
	bh_error err;
	out.own = own_count; /* OS package analyzers' file lists (rpm) are parsed too */
	out.own_ctx = &owned;
	bh_analyzer_run_mem(&ANALYZER, FUZZ_PATH, data, size, &out, &err);
	bh_complist_free(&out);
	return 0;
}
