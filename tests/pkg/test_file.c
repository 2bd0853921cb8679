/* test_file.c - bh_file access and path helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pkg/analyzer.h"

static void test_mem_file(void **state)
{
	bh_limits lim;
	bh_file f;
	const unsigned char *d;
	size_t n, got;
	char buf[4];
	bh_error err;
	(void)state;

	bh_limits_default(&lim);
	bh_file_init_mem(&f, "a/b", 0100644, "hello", 5, &lim);
	assert_int_equal(bh_file_slurp(&f, &d, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(bh_file_read(&f, buf, 3, &got, &err), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "hel", 3);
	assert_true(bh_file_seekable(&f));
	bh_file_release(&f);
}

static void test_path_is(void **state)
{
	(void)state;
	assert_true(bh_path_is("var/lib/dpkg/status", 19, "dpkg/status"));
	assert_true(bh_path_is("status", 6, "status"));
	assert_false(bh_path_is("var/lib/xdpkg/status", 20, "dpkg/status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_file),
		cmocka_unit_test(test_path_is),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
