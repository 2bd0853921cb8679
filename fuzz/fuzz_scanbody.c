/* fuzz_scanbody.c - POST /api/v1/scans bodies; an accepted one has a target, a verdict, JSON texts for pipeline and summary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/apictx.h"
#include "server/scanapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_scanapi_body b;
	char why[240];
	int rc = bh_scanapi_parse((const char *)data, size, 64, &b, why, sizeof(why));
	if (rc == 0) {
		json_t *p, *s;
		if (!b.target || !b.target[0] || !b.verdict || (strcmp(b.verdict, "pass") && strcmp(b.verdict, "fail")))
			abort();
		if (b.image_digest && !bh_apictx_digest_ok(b.image_digest))
			abort();
		if (b.exit_code < 0 || b.exit_code > 255 || b.nchecks > BH_SCANAPI_CHECKS_MAX)
			abort();
		p = json_loads(b.pipeline_json, 0, NULL);
		s = json_loads(b.summary_json, 0, NULL);
		if (!json_is_object(p) || !json_is_object(s))
			abort();
		json_decref(p);
		json_decref(s);
	} else if (rc != 400 && rc != 413 && rc >= 0) {
		abort();
	}
	bh_scanapi_body_free(&b);
	return 0;
}
