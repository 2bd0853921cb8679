/* fuzz_blmodes.c - modes.yaml (baseline modes per label) on arbitrary bytes: a refusal names the input; an
 * accepted one round-trips through YAML with the same rules in the same order, and each rule's own label
 * (as a container's labels) matches it or an earlier rule, never a later one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/blmodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_blmodes *ms = NULL, *back = NULL;
	bh_buf y = BH_BUF_INIT;
	bh_error err;

	memset(&err, 0, sizeof(err));
	if (bh_blmodes_load((const char *)data, size, "fuzz", &ms, &err)) {
		if (!strstr(err.msg, "fuzz"))
			abort();
		return 0;
	}
	if (bh_blmodes_count(ms) > BH_BLMODES_RULES_MAX || bh_blmodes_to_yaml(ms, &y))
		abort();
	if (bh_blmodes_load(y.data, y.len, "fuzz-yaml", &back, &err)) {
		fprintf(stderr, "%s\n%s\n", err.msg, y.data);
		abort();
	}
	if (bh_blmodes_count(back) != bh_blmodes_count(ms))
		abort();
	for (size_t i = 0; i < bh_blmodes_count(ms); i++) {
		const char *l = bh_blmodes_label(ms, i), *eq = strchr(l, '=');
		json_t *labels;
		int at;
		if (strcmp(l, bh_blmodes_label(back, i)) != 0 || bh_blmodes_mode(ms, i) != bh_blmodes_mode(back, i))
			abort();
		{
			char key[BH_BLMODES_LABEL_MAX];
			size_t kn = eq ? (size_t)(eq - l) : strlen(l);
			memcpy(key, l, kn);
			key[kn] = 0;
			labels = json_object();
			if (!labels || json_object_set_new_nocheck(labels, key, json_string(eq ? eq + 1 : "")))
				abort();
		}
		at = bh_blmodes_match(ms, labels);
		json_decref(labels);
		if (at < 0 || at > (int)i)
			abort();
	}
	bh_buf_free(&y);
	bh_blmodes_free(ms);
	bh_blmodes_free(back);
	return 0;
}
