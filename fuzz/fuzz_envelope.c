/* fuzz_envelope.c - POST /api/v1/events bodies: JSON arrays or JSON lines of event envelopes,
 * read as an operator and as an agent; every accepted envelope is checked for what the parser promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { NULL, "h1" };
	size_t k, i;
	for (k = 0; k < 2; k++) {
		bh_envelope_batch b;
		char why[320];
		int rc = bh_envelope_parse((const char *)data, size, 64, 50, hosts[k], &b, why, sizeof(why));
		if (rc == 0) {
			if (b.n == 0 || b.n > 50)
				abort();
			for (i = 0; i < b.n; i++) {
				if (!b.ev[i].type || !b.ev[i].type[0] || strlen(b.ev[i].type) > 64)
					abort();
				if (hosts[k] && (!b.ev[i].host || strcmp(b.ev[i].host, hosts[k]) != 0))
					abort(); /* an agent's events are always its own host's */
			}
		} else if (rc != 400 && rc != 403 && rc != 413 && rc >= 0) {
			abort();
		} else if (rc == 403 && !hosts[k]) {
			abort();
		}
		bh_envelope_batch_free(&b);
	}
	return 0;
}
