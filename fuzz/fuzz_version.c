/* fuzz_version.c - libFuzzer target: version comparison and requirement matching under every ecosystem. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[1024], *b;
	int e, out;
	bool m;
	bh_error err;
	if (size < 2 || size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* the two versions are the halves around the first NUL or newline */
	b = strchr(buf, '\n');
	if (!b)
		return 0;
	*b++ = '\0';
	for (e = BH_ECO_DEB; e < BH_ECO__COUNT; e++) {
		int r1, r2;
		if (bh_version_cmp((bh_ecosystem)e, buf, b, &r1, &err) == 0 && bh_version_cmp((bh_ecosystem)e, b, buf, &r2, &err) == 0 &&
		    ((r1 < 0 && r2 <= 0) || (r1 > 0 && r2 >= 0)) && e != BH_ECO_MAVEN && e != BH_ECO_GEM)
			abort(); /* ordering must be antisymmetric */
		bh_version_cmp((bh_ecosystem)e, buf, buf, &out, &err);
		bh_version_req_match((bh_ecosystem)e, buf, b, &m, &err);
	}
	return 0;
}
