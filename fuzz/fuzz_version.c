/* fuzz_version.c - libFuzzer target: the two halves of the input (split at the first NUL or newline)
 * compared under every ecosystem, and each half matched as a requirement against the other. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[2048], *b;
	size_t i;
	int e;
	/* a little over the library's bounds, so the length checks are exercised too */
	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i < size && buf[i] != '\n' && buf[i] != '\0'; i++)
		;
	if (i == size)
		return 0;
	buf[i] = '\0';
	b = buf + i + 1;
	for (e = BH_ECO_DEB; e < BH_ECO__COUNT; e++) {
		bh_ecosystem eco = (bh_ecosystem)e;
		int ab, ba, aa;
		bool m;
		bh_error err;
		bool ok_ab = bh_version_cmp(eco, buf, b, &ab, &err) == 0;
		bool ok_ba = bh_version_cmp(eco, b, buf, &ba, &err) == 0;
		/* the verdict on validity cannot depend on the order of the arguments */
		if (ok_ab != ok_ba)
			abort();
		/* an order: antisymmetric, and every valid version equals itself */
		if (ok_ab && (ab < 0) != (ba > 0))
			abort();
		if (ok_ab && (ab == 0) != (ba == 0))
			abort();
		if (ok_ab && (bh_version_cmp(eco, buf, buf, &aa, &err) != 0 || aa != 0))
			abort();
		(void)bh_version_req_match(eco, buf, b, &m, &err);
		(void)bh_version_req_match(eco, b, buf, &m, &err);
	}
	return 0;
}
