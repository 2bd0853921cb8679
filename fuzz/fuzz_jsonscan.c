/* fuzz_jsonscan.c - libFuzzer target: top-level member and array-element spans of any text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	bh_jspan span, e;
	bh_error err;
	bool found = false;
	size_t pos = 0;
	int k;
	if (bh_jsonscan_member(d, size, "components", 64, &span, &found, &err) != 0 || !found)
		return 0;
	if (span.start > span.end || span.end > size)
		abort(); /* a span must lie inside the text */
	while ((k = bh_jsonscan_next(d, &span, 64, &pos, &e, &err)) == 1)
		if (e.start >= e.end || e.end > span.end)
			abort();
	return 0;
}
