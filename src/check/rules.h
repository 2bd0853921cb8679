/* rules.h - the rule catalogue: every check rule bulkhead can report, from each module's table. */
#ifndef BH_CHECK_RULES_H
#define BH_CHECK_RULES_H

#include <stddef.h>

#include "check/check.h"

/* One module's table (static data). */
typedef struct bh_rule_table {
	const char *category; /* the category of the table's findings: image-config, dockerfile, ... */
	const bh_rule *rules;
	const size_t *n;      /* the module's bh_<module>_rule_count */
} bh_rule_table;

/* The static tables in catalogue order (image, Dockerfile, container, host, Kubernetes). */
const bh_rule_table *bh_rules_tables(size_t *n);

/*
 * Calls fn for every rule of the catalogue: the static tables, then one BH-SECRET-<pattern> rule per
 * built-in secret pattern (its title and severity; CIS, why and fix shared by all secret findings).
 * The rule passed is valid during the call only (secret ids are composed for it). Stops at fn's first
 * non-zero return and returns it; 0 otherwise.
 */
int bh_rules_each(int (*fn)(const bh_rule *r, const char *category, void *ctx), void *ctx);

/* Finds a rule by id in the static tables; NULL when none (secret ids are not searched). */
const bh_rule *bh_rules_find(const char *id, const char **category);

#endif
