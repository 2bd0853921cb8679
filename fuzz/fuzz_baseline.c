/* fuzz_baseline.c - a baseline document (YAML or JSON, as `baseline import` and the server take it) on
 * arbitrary bytes: a refusal names the input; an accepted one round-trips through YAML unchanged, and
 * matching any of its own entries as an observation never reads out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_baseline *b = NULL, *b2 = NULL;
	bh_buf y = BH_BUF_INIT;
	bh_error err;
	json_t *d;

	if (bh_baseline_load((const char *)data, size, "fuzz", &b, &err)) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	if (bh_baseline_to_yaml(b, &y))
		abort();
	/* what we write we read back, with the same entries */
	if (bh_baseline_load(y.data, y.len, "fuzz-yaml", &b2, &err)) {
		fprintf(stderr, "%s\n%s\n", err.msg, y.data);
		abort();
	}
	d = bh_baseline_diff(b, b2);
	if (!d || json_array_size(json_object_get(d, "added")) || json_array_size(json_object_get(d, "removed"))) {
		if (d)
			json_dumpf(d, stderr, JSON_COMPACT);
		abort();
	}
	json_decref(d);
	for (int k = 0; k < BH_BL__KIND_COUNT; k++)
		for (size_t i = 0; i < bh_baseline_count(b, (bh_bl_kind)k); i++) {
			bh_bl_entry e;
			bh_bl_obs o;
			char why[256] = "";
			bh_baseline_entry(b, (bh_bl_kind)k, i, &e);
			memset(&o, 0, sizeof(o));
			o.kind = e.kind;
			o.exe = o.path = o.cap = e.a;
			o.peer_addr = e.a;
			o.parent = o.args = o.access = o.proto = e.b;
			o.port = e.port;
			(void)bh_baseline_match(b, &o, why, sizeof(why));
			if (!memchr(why, 0, sizeof(why)))
				abort();
		}
	bh_buf_free(&y);
	bh_baseline_free(b);
	bh_baseline_free(b2);
	return 0;
}
