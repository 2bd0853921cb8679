/* test_buf.c - bh_buf's sticky failure: an append that fails marks the buffer, later appends do
 * nothing, bh_buf_steal refuses it, and only bh_buf_free clears the mark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/text.h"

static void test_overflow_sticks(void **state)
{
	bh_buf b = BH_BUF_INIT;
	(void)state;
	assert_false(bh_buf_oom(&b));
	assert_int_equal(bh_buf_puts(&b, "abc"), 0);
	assert_false(bh_buf_oom(&b));
	/* len + SIZE_MAX overflows size_t: refused before any allocation, and remembered */
	assert_int_equal(bh_buf_append(&b, "x", SIZE_MAX), BH_ENOMEM);
	assert_true(bh_buf_oom(&b));
	/* what was there stays readable; nothing more is added, by any append */
	assert_string_equal(b.data, "abc");
	assert_int_equal(bh_buf_puts(&b, "def"), BH_ENOMEM);
	assert_int_equal(bh_buf_putc(&b, 'g'), BH_ENOMEM);
	assert_int_equal(bh_buf_printf(&b, "%d", 42), BH_ENOMEM);
	assert_int_equal(bh_buf_append(&b, "h", 1), BH_ENOMEM);
	assert_int_not_equal(bh_buf_grow(&b, 1), 0);
	assert_int_not_equal(bh_buf_put_clean(&b, "i", 10), 0);
	assert_int_not_equal(bh_text_put_utf8(&b, "j", 1), 0);
	assert_int_not_equal(bh_text_put_term(&b, "k", 1, 0), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	/* reset empties the buffer but the bytes that were lost stay lost */
	bh_buf_reset(&b);
	assert_true(bh_buf_oom(&b));
	assert_int_equal(bh_buf_puts(&b, "new"), BH_ENOMEM);
	assert_int_equal(b.len, 0);
	bh_buf_free(&b);
	/* free makes it a fresh buffer again */
	assert_false(bh_buf_oom(&b));
	assert_int_equal(bh_buf_puts(&b, "ok"), 0);
	assert_string_equal(b.data, "ok");
	bh_buf_free(&b);
}

static void test_grow_overflow(void **state)
{
	bh_buf b = BH_BUF_INIT;
	(void)state;
	/* len + extra fits but the NUL does not */
	assert_int_equal(bh_buf_grow(&b, SIZE_MAX), BH_ENOMEM);
	assert_true(bh_buf_oom(&b));
	assert_null(b.data);
	assert_int_equal(bh_buf_putc(&b, 'a'), BH_ENOMEM);
	assert_null(b.data);
	bh_buf_free(&b);
}

static void test_steal_refuses_failed(void **state)
{
	bh_buf b = BH_BUF_INIT;
	char *s;
	(void)state;
	/* an empty buffer steals as "" (never NULL on success) */
	s = bh_buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(bh_buf_puts(&b, "partial"), 0);
	assert_int_equal(bh_buf_append(&b, "x", SIZE_MAX - 2), BH_ENOMEM);
	/* a half-built string is never handed out as if it were whole; the buffer is reusable */
	assert_null(bh_buf_steal(&b));
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_false(bh_buf_oom(&b));
	assert_int_equal(bh_buf_puts(&b, "whole"), 0);
	s = bh_buf_steal(&b);
	assert_string_equal(s, "whole");
	free(s);
}

static void test_fail_marks(void **state)
{
	bh_buf b = BH_BUF_INIT, part = BH_BUF_INIT;
	int i;
	(void)state;
	/* a report built from parts: a part that failed fails the whole, checked once at the end */
	for (i = 0; i < 100; i++)
		bh_buf_printf(&b, "line %d\n", i);
	assert_false(bh_buf_oom(&b));
	if (bh_buf_append(&part, "y", SIZE_MAX))
		bh_buf_fail(&b);
	for (i = 0; i < 100; i++)
		bh_buf_printf(&b, "line %d\n", i);
	assert_true(bh_buf_oom(&b));
	assert_non_null(strstr(b.data, "line 99\n"));
	assert_int_equal(b.len, strlen(b.data));
	bh_buf_free(&part);
	bh_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow_sticks),
		cmocka_unit_test(test_grow_overflow),
		cmocka_unit_test(test_steal_refuses_failed),
		cmocka_unit_test(test_fail_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
