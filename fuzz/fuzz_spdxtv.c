/* fuzz_spdxtv.c - libFuzzer target: an SPDX 2 tag-value document converted into the SPDX 2.3 JSON shape (sniffed first, as the reader will). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sbom/spdxtv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_limits lim;
	bh_error err;
	json_t *j = NULL;
	(void)bh_spdxtv_sniff((const char *)data, size);
	bh_limits_default(&lim);
	/* small enough that the package bound is reached too */
	lim.max_components = 64;
	if (bh_spdxtv_to_json((const char *)data, size, &lim, &j, &err) == 0) {
		/* what the reader is handed: the conversion written out as JSON */
		char *s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
	return 0;
}
