/* fuzz_netpol.c - libFuzzer target: network policy file bytes parsed (runtime/npyaml.c), then every policy's rules compiled into kernel entries and looked up (runtime/npcompile.c). Every rule must stay inside its bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/npcompile.h"
#include "runtime/npyaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_npyaml_doc d;
	bh_error err;
	bh_npc_env env = { NULL, NULL, 0 };
	int rc = bh_npyaml_parse((const char *)data, size, "fuzz.yaml", &d, &err);

	if (rc && !err.msg[0])
		abort();
	for (size_t i = 0; rc == 0 && i < d.npol; i++) {
		bh_npc_entry *e = NULL;
		size_t n = 0, cap = 0;
		uint8_t peer[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 };
		if (!d.pol[i].name[0] || !memchr(d.pol[i].name, 0, sizeof(d.pol[i].name)))
			abort();
		for (size_t j = 0; j < d.pol[i].nrules; j++) {
			const bh_netpol_rule *r = &d.pol[i].rules[j];
			if ((r->dir != BH_NETPOL_INGRESS && r->dir != BH_NETPOL_EGRESS) || r->prefix > 128 || (r->port_end && r->port_end < r->port) ||
			    (r->port_end && r->port_end - r->port >= BH_NETPOL_MAX_RANGE))
				abort();
		}
		if (bh_npcompile_rules(1, d.pol[i].rules, d.pol[i].nrules, &env, &e, &n, &cap, &err) == 0)
			(void)bh_npcompile_allowed(e, n, 1, BH_NP_DIR_INGRESS, 6, 5432, peer);
		free(e);
	}
	bh_npyaml_free(&d);
	return 0;
}
