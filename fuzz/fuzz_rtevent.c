/* fuzz_rtevent.c - libFuzzer target: JSON bytes read as a runtime event (bh_rt_event_from_json) and evaluated by the default rules with outputs formatted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/eventjson.h"
#include "runtime/rules.h"

static bh_rules *rules;

static int take(const bh_rules_hit *h, void *user)
{
	(*(size_t *)user) += strlen(h->output);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *o;
	bh_rt_event ev;
	bh_rt_container ct;
	bh_error err;
	size_t n = 0;
	if (!rules) { /* compiled once: the evaluator is what is fuzzed here */
		rules = bh_rules_new();
		if (!rules || bh_rules_add_default(rules, &err) || bh_rules_compile(rules, &err))
			abort();
	}
	if (!(o = json_loadb((const char *)data, size, 0, &je)))
		return 0;
	if (bh_rt_event_from_json(o, "fuzz", &ev, &ct, &err) == 0) {
		json_t *back;
		(void)bh_rules_eval(rules, &ev, &ct, NULL, take, &n);
		/* and back to JSON: what watch prints must read back */
		if ((back = bh_rt_event_json(&ev, &ct))) {
			bh_rt_event ev2;
			bh_rt_container ct2;
			if (bh_rt_event_from_json(back, "fuzz-back", &ev2, &ct2, &err))
				abort();
			json_decref(back);
		}
	}
	json_decref(o);
	return 0;
}
