/* apk.c - placeholder analyzer (to be implemented). */
#include "pkg/analyzer.h"

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)path; (void)len; (void)mode; (void)size;
	return false;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	(void)f; (void)out; (void)err;
	return 0;
}

const bh_analyzer bh_analyzer_apk = { "apk", match, analyze };
