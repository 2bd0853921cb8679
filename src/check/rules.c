/* rules.c - the rule catalogue: the check modules' tables in one list, and the secret patterns as rules. */
#include "check/rules.h"

#include <stdio.h>
#include <string.h>

#include "check/container.h"
#include "check/dockerfile.h"
#include "check/host.h"
#include "check/image.h"
#include "check/k8s.h"
#include "check/licfind.h"
#include "check/secret.h"

static const bh_rule_table tables[] = {
	{ "image-config", bh_imgcheck_rules, &bh_imgcheck_rule_count },
	{ "dockerfile", bh_dockerfile_rules, &bh_dockerfile_rule_count },
	{ "container", bh_container_rules, &bh_container_rule_count },
	{ "host", bh_host_rules, &bh_host_rule_count },
	{ "kubernetes", bh_k8s_rules, &bh_k8s_rule_count },
	{ "license", bh_licfind_rules, &bh_licfind_rule_count },
};

const bh_rule_table *bh_rules_tables(size_t *n)
{
	*n = sizeof(tables) / sizeof(tables[0]);
	return tables;
}

int bh_rules_each(int (*fn)(const bh_rule *r, const char *category, void *ctx), void *ctx)
{
	size_t t, i, nb = bh_secret_pattern_count();
	int rc;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (i = 0; i < *tables[t].n; i++)
			if ((rc = fn(&tables[t].rules[i], tables[t].category, ctx)))
				return rc;
	for (i = 0; i < nb; i++) {
		bh_rule r = bh_imgcheck_secret_rule;
		const char *pid;
		char id[128];
		bh_secret_pattern(i, &pid, &r.title, &r.severity);
		if ((size_t)snprintf(id, sizeof(id), "%s%s", bh_imgcheck_secret_rule.id, pid) >= sizeof(id))
			return BH_ELIMIT; /* built-in ids are short: only a broken table gets here */
		r.id = id;
		if ((rc = fn(&r, "secret", ctx)))
			return rc;
	}
	return 0;
}

const bh_rule *bh_rules_find(const char *id, const char **category)
{
	size_t t, i;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (i = 0; i < *tables[t].n; i++)
			if (strcmp(tables[t].rules[i].id, id) == 0) {
				if (category)
					*category = tables[t].category;
				return &tables[t].rules[i];
			}
	return NULL;
}
