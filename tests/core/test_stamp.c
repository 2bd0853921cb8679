/* test_stamp.c - report time and UUIDs: fixed and content-derived under SOURCE_DATE_EPOCH, random without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/stamp.h"

/* The UUID of the strings v[0..n) under salt. */
static void digest(const char *salt, const char *const *v, size_t n, char out[37])
{
	bh_stamp_digest d;
	size_t i;
	bh_stamp_digest_begin(&d, salt);
	for (i = 0; i < n; i++)
		bh_stamp_digest_add(&d, v[i]);
	assert_int_equal(bh_stamp_digest_uuid(&d, out), 0);
	assert_null(d.md);
}

static void test_reproducible(void **state)
{
	const char *ab_c[] = { "ab", "c" }, *a_bc[] = { "a", "bc" }, *null1[] = { NULL }, *empty1[] = { "" };
	char ts[32], u1[37], u2[37];
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	bh_stamp_time(ts);
	assert_string_equal(ts, "2023-11-14T22:13:20Z");
	digest("cyclonedx", ab_c, 2, u1);
	digest("cyclonedx", ab_c, 2, u2);
	assert_string_equal(u1, u2);
	assert_int_equal(strlen(u1), 36);
	assert_int_equal(u1[14], '5'); /* name-based layout */
	assert_true(strchr("89ab", u1[19]) != NULL);
	/* length-prefixed: the split between strings counts, NULL is not "", the salt counts */
	digest("cyclonedx", a_bc, 2, u2);
	assert_string_not_equal(u1, u2);
	digest("cyclonedx", null1, 1, u1);
	digest("cyclonedx", empty1, 1, u2);
	assert_string_not_equal(u1, u2);
	digest("spdx", empty1, 1, u1);
	assert_string_not_equal(u1, u2);
	unsetenv("SOURCE_DATE_EPOCH");
}

static void test_random_without_epoch(void **state)
{
	const char *v[] = { "same" };
	char u1[37], u2[37];
	(void)state;
	unsetenv("SOURCE_DATE_EPOCH");
	digest("cyclonedx", v, 1, u1);
	digest("cyclonedx", v, 1, u2);
	assert_string_not_equal(u1, u2);
	assert_int_equal(u1[14], '4');
	bh_stamp_uuid(u2);
	assert_int_equal(strlen(u2), 36);
	assert_int_equal(u2[14], '4');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_random_without_epoch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
