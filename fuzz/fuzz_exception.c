/* fuzz_exception.c - POST /api/v1/exceptions bodies: an accepted body keeps every promise the store
 * and the exports rely on (scope and value agree, an expiry in the future, printable strings; a rule
 * has no package or justification, an advisory no target and no host scope). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/exceptapi.h"

static void printable(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	bh_exception e;
	char why[400] = "";
	if (!j)
		return 0;
	if (bh_exceptapi_parse(j, 1700000000, &e, why, sizeof(why)) == 0) {
		if (!e.advisory || !*e.advisory || !e.reason || !*e.reason || e.expires <= 1700000000)
			abort();
		if (!strcmp(e.scope, "everywhere") ? e.value != NULL : !e.value || !*e.value)
			abort();
		if (!strcmp(e.scope, "image") && strncmp(e.value, "sha256:", 7) && strncmp(e.value, "sha512:", 7))
			abort();
		if (e.rule ? e.package || e.justification || strlen(e.advisory) > 64 || strchr(e.advisory, ' ')
			   : e.target || !strcmp(e.scope, "host"))
			abort();
		printable(e.advisory);
		printable(e.reason);
		printable(e.value);
		printable(e.package);
		printable(e.target);
	} else if (!why[0]) {
		abort();
	}
	json_decref(j);
	return 0;
}
