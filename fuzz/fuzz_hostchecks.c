/* fuzz_hostchecks.c - POST /api/v1/hosts/{name}/checks bodies; every accepted result has a rule id and a known status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/hostapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_hostapi_checks c;
	char why[200];
	size_t i;
	int rc = bh_hostapi_parse_checks((const char *)data, size, 64, &c, why, sizeof(why));
	if (rc == 0) {
		if (!c.container_id || (c.container_id[0] && !bh_hostapi_container_id_ok(c.container_id)) || c.n > BH_HOSTAPI_CHECKS_MAX)
			abort();
		for (i = 0; i < c.n; i++)
			if (!c.items[i].rule_id || !c.items[i].rule_id[0] || !c.items[i].status ||
			    (strcmp(c.items[i].status, "fail") && strcmp(c.items[i].status, "not-applicable") &&
			     strcmp(c.items[i].status, "manual") && strcmp(c.items[i].status, "pass")))
				abort();
	} else if (rc != 400 && rc != 413 && rc >= 0) {
		abort();
	}
	bh_hostapi_checks_free(&c);
	return 0;
}
