/* fuzz_rules.c - libFuzzer target: runtime rule file bytes loaded and compiled (after the default set, as users' files are), then evaluated. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "runtime/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_rules *r = bh_rules_new();
	bh_error err;
	bh_rt_event ev;
	bh_rt_container ct = { "c1", "web", "nginx:1", "sha256:aa", NULL, false, 0, NULL, NULL };
	int t;
	if (!r)
		return 0;
	/* half of the inputs on their own, half on top of the default set (overrides, appends) */
	if (size && (data[0] & 1))
		(void)bh_rules_add_default(r, &err);
	(void)bh_rules_add_data(r, (const char *)data, size, "fuzz.yaml", &err);
	(void)bh_rules_compile(r, &err);
	memset(&ev, 0, sizeof(ev));
	strcpy(ev.comm, "sh");
	strcpy(ev.pcomm, "bash");
	strcpy(ev.path, "/etc/shadow");
	strcpy(ev.args, "sh -c id");
	for (t = 1; t < BH_RT__TYPE_COUNT; t++) {
		ev.type = (bh_rt_type)t;
		(void)bh_rules_eval(r, &ev, &ct, NULL, NULL, NULL);
	}
	bh_rules_free(r);
	return 0;
}
