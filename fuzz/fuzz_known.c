/* fuzz_known.c - POST /api/v1/images/known bodies: {"digests":[...]}; an accepted body holds only valid digests, at most the cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/apictx.h"
#include "server/hostapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL, *digests = NULL;
	char why[200];
	size_t i;
	int rc = bh_hostapi_parse_known((const char *)data, size, 64, &doc, &digests, why, sizeof(why));
	if (rc == 0) {
		if (!json_is_array(digests) || json_array_size(digests) > BH_HOSTAPI_KNOWN_MAX)
			abort();
		for (i = 0; i < json_array_size(digests); i++)
			if (!bh_apictx_digest_ok(json_string_value(json_array_get(digests, i))))
				abort();
	} else if (rc != 400 && rc != 413) {
		abort();
	}
	json_decref(doc);
	return 0;
}
