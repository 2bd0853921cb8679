/* fuzz_purl.c - libFuzzer target: purl strings through split, join, normalize and the component parser;
 * the canonical form must be a fixed point and strict parsing may only refuse more than lenient. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/purl.h"

static char *canon(const char *s, unsigned flags)
{
	bh_purl p;
	char *out = NULL;
	if (bh_purl_split(s, flags, &p) == 0 && bh_purl_join(&p, flags, &out) != 0)
		abort(); /* what was read can always be written */
	bh_purl_free(&p);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *strict, *lenient, *again, *n1 = NULL, *n2 = NULL;
	unsigned fixed = 0;
	bh_complist l = { 0 };
	bh_component *c;
	char *distro = NULL;

	if (size > BH_PURL_MAX_LEN + 16 || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	strict = canon(s, 0);
	lenient = canon(s, BH_PURL_LENIENT);
	if (strict && (!lenient || strcmp(strict, lenient) != 0))
		abort(); /* strict refuses more, never reads differently */
	if (lenient) {
		again = canon(lenient, BH_PURL_LENIENT);
		if (!again || strcmp(again, lenient) != 0)
			abort(); /* the canonical form reads back to itself */
		free(again);
	}
	if (bh_purl_normalize(s, &n1, &fixed) == 0) {
		if (bh_purl_normalize(n1, &n2, &fixed) != 0 || strcmp(n1, n2) != 0 || fixed != 0)
			abort(); /* normalising twice changes nothing */
	}
	if ((c = bh_complist_add(&l, BH_ECO_NONE))) {
		(void)bh_purl_parse(s, c, &distro);
		free(distro);
	}
	bh_complist_free(&l);
	free(n1);
	free(n2);
	free(strict);
	free(lenient);
	free(s);
	return 0;
}
