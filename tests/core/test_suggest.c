/* test_suggest.c - "did you mean" for mistyped options (src/core/suggest.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/suggest.h"

static const char *const opts[] = { "format", "severity", "ignore-unfixed", "ignore-file", "skip-dirs", "skip-files",
				    "exit-code", "scanners", "db", "timeout", "show-suppressed" };
#define N (sizeof(opts) / sizeof(opts[0]))

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(bh_suggest_distance("", ""), 0);
	assert_int_equal(bh_suggest_distance("abc", ""), 3);
	assert_int_equal(bh_suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(bh_suggest_distance("severity", "sevreity"), 1); /* one swap */
	assert_int_equal(bh_suggest_distance("Severity", "severity"), 0);
}

static void test_suggest(void **state)
{
	(void)state;
	assert_string_equal(bh_suggest("severty", opts, N), "severity");
	assert_string_equal(bh_suggest("sevreity", opts, N), "severity");
	assert_string_equal(bh_suggest("serverity", opts, N), "severity");
	assert_string_equal(bh_suggest("skip-dir", opts, N), "skip-dirs");
	assert_string_equal(bh_suggest("skipfiles", opts, N), "skip-files");
	assert_string_equal(bh_suggest("exitcode", opts, N), "exit-code");
	assert_string_equal(bh_suggest("fromat", opts, N), "format");
	assert_string_equal(bh_suggest("show-supp", opts, N), "show-suppressed"); /* a cut-off word */
	assert_string_equal(bh_suggest("dv", opts, N), "db");
	assert_null(bh_suggest("verbosity-level", opts, N));
	assert_null(bh_suggest("x", opts, N));
	assert_null(bh_suggest("", opts, N));
	assert_null(bh_suggest("a-word-longer-than-sixty-four-bytes-is-far-from-every-option-name-x", opts, N));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
