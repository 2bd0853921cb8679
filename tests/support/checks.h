/* checks.h - assertions helpers over check findings shared by the tests of src/check. */
#ifndef BH_TESTS_CHECKS_H
#define BH_TESTS_CHECKS_H

#include <stdbool.h>

#include "check/check.h"

/*
 * Sorted, space-separated rule ids of the findings whose status is st (NULL = failing ones),
 * leaving out rules for which skip returns true (skip may be NULL). Static buffer: valid until the
 * next call.
 */
const char *bh_test_rule_ids(const bh_checks *l, const char *st, bool (*skip)(const char *rule));

#endif
