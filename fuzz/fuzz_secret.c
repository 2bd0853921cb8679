/* fuzz_secret.c - libFuzzer target: the input scanned as a file by every secret rule; the last byte picks the file's kind. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/secret.h"

static size_t sink;

/* Touches every string of a hit so that ASan sees any read past its end. */
static int touch(void *ctx, const bh_secret_hit *hit)
{
	(void)ctx;
	sink += strlen(hit->rule) + strlen(hit->title) + strlen(hit->masked) + strlen(hit->line_text) + hit->line;
	if (strlen(hit->masked) > 40 || strlen(hit->line_text) > 200)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* built once and kept: the rule set is read-only, like in a real scan of many files */
	static bh_secret_rules *rules;
	static const char *const paths[] = { "app/src/main.py", "app/.env", "app/config/settings.json", "app/.npmrc" };
	bh_error err;
	const char *path;
	if (!rules && bh_secret_rules_new(NULL, &rules, &err) != 0)
		abort();
	path = paths[size ? data[size - 1] % 4 : 0];
	if (bh_secret_scan(rules, path, data, size, touch, NULL, &err) != 0)
		abort(); /* only an out-of-memory could fail, and the callback never stops the scan */
	return 0;
}
