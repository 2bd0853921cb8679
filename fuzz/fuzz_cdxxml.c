/* fuzz_cdxxml.c - libFuzzer target: CycloneDX XML into the JSON shape, and the format sniffer on the same bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "sbom/cdxxml.h"
#include "sbom/sbomsniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_limits lim;
	bh_sbomsniff sn;
	bh_error err;
	json_t *j = NULL;
	char what[128];

	bh_log_set_level(BH_LOG_QUIET);
	bh_limits_default(&lim);
	bh_sbomsniff_buf((const char *)data, size, &sn);
	bh_sbomsniff_describe(&sn, what, sizeof(what));
	if (!bh_cdxxml_to_json((const char *)data, size, &lim, "fuzz", &j, &err))
		json_decref(j);
	return 0;
}
