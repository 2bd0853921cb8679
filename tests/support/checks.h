/* checks.h - assertions helpers over check findings shared by the tests of src/check. */
#ifndef BH_TESTS_CHECKS_H
#define BH_TESTS_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "check/check.h"

/*
 * Sorted, space-separated rule ids of the findings whose status is st (NULL = failing ones),
 * leaving out rules for which skip returns true (skip may be NULL). Static buffer: valid until the
 * next call.
 */
const char *bh_test_rule_ids(const bh_checks *l, const char *st, bool (*skip)(const char *rule));

/* The nth (0-based) finding of rule, in list order, or NULL. */
const bh_check_finding *bh_test_find(const bh_checks *l, const char *rule, size_t nth);
/* The first finding of rule when it is a failing one (status NULL), else NULL. */
const bh_check_finding *bh_test_failed(const bh_checks *l, const char *rule);
/* How many findings of rule the list holds. */
size_t bh_test_count(const bh_checks *l, const char *rule);

#endif
