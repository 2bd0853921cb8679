/* test_layout.c - terminal layout: display widths, wrapping at spaces, eliding with "…", no line
 * wider than its columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/layout.h"

/* Display columns counted independently of layout.c: code points, CJK (U+3000-U+9FFF) as two. */
static size_t cols_of(const char *s, size_t n)
{
	size_t i = 0, w = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		w += (k == 3 && c >= 0xe3 && c <= 0xe9) ? 2 : 1;
		i += k;
	}
	return w;
}

/* Asserts that every line of text is at most max columns wide and has no trailing space; returns the number of lines. */
static size_t check_lines(const char *text, size_t max)
{
	size_t lines = 0;
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n;
		assert_non_null(e);
		n = (size_t)(e - p);
		assert_true(cols_of(p, n) <= max);
		assert_true(n == 0 || p[n - 1] != ' ');
		lines++;
		p = e + 1;
	}
	return lines;
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(bh_layout_width("abc", 3), 3);
	assert_int_equal(bh_layout_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);         /* 日本 */
	assert_int_equal(bh_layout_width("e\xcc\x81", 3), 1);                         /* e + combining acute */
	assert_int_equal(bh_layout_width("\xef\xbf\xbd", 3), 1);                      /* U+FFFD */
	assert_int_equal(bh_layout_width("\xf0\x9f\x94\xa5", 4), 2);                  /* an emoji */
	assert_int_equal(bh_layout_cell_width("a\x1b[31m"), 9);                       /* a \x1b [31m */
	assert_int_equal(bh_layout_cell_width(NULL), 0);
}

static void test_wrap_and_elide(void **state)
{
	const char *cells[3] = { "HIGH", "one two three four five six seven eight nine ten",
				 "a title much longer than its column can hold" };
	bh_layout_col cols[3] = { { 8, true, 1 }, { 12, false, 0 }, { 20, true, 1 } };
	bh_buf b = BH_BUF_INIT;
	size_t n;
	(void)state;
	bh_layout_row(&b, cells, cols, 3, 2);
	assert_false(bh_buf_oom(&b));
	assert_int_equal(bh_buf_putc(&b, '\0'), 0);
	n = check_lines(b.data, 2 + 8 + 1 + 12 + 1 + 20);
	assert_true(n >= 4);
	/* wrapped at spaces: no word split */
	assert_non_null(strstr(b.data, "one two"));
	assert_non_null(strstr(b.data, "three four"));
	assert_null(strstr(b.data, "thr\n"));
	/* elided in its one line, with "…" */
	assert_non_null(strstr(b.data, "a title much longer\xe2\x80\xa6"));
	assert_null(strstr(b.data, "hold"));
	assert_int_equal(strncmp(b.data, "  HIGH", 6), 0);
	bh_buf_free(&b);
}

static void test_no_space_and_wide(void **state)
{
	/* a long id without spaces is cut hard, a wide character never straddles the edge */
	const char *cells[2] = { "GHSA-aaaa-bbbb-cccc-dddd-eeee-ffff",
				 "\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5" };
	bh_layout_col cols[2] = { { 10, false, 0 }, { 5, false, 0 } };
	bh_buf b = BH_BUF_INIT;
	char *all;
	size_t i, k = 0;
	(void)state;
	bh_layout_row(&b, cells, cols, 2, 0);
	assert_int_equal(bh_buf_putc(&b, '\0'), 0);
	check_lines(b.data, 16);
	/* nothing lost: the id's characters, in order, in the first column */
	all = calloc(1, b.len + 1);
	assert_non_null(all);
	for (i = 0; b.data[i]; i++) {
		size_t col = 0, j = i;
		while (b.data[j] && b.data[j] != '\n') {
			if (col < 10 && b.data[j] != ' ')
				all[k++] = b.data[j];
			col++;
			j++;
		}
		i = j;
		if (!b.data[i])
			break;
	}
	assert_non_null(strstr(all, "GHSA-aaaa-bbbb-cccc-dddd-eeee-ffff"));
	free(all);
	bh_buf_free(&b);
}

static void test_max_lines(void **state)
{
	const char *cell = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12";
	bh_layout_col col = { 6, false, 2 };
	bh_buf b = BH_BUF_INIT;
	(void)state;
	bh_layout_row(&b, &cell, &col, 1, 0);
	assert_int_equal(bh_buf_putc(&b, '\0'), 0);
	assert_int_equal(check_lines(b.data, 6), 2);
	assert_non_null(strstr(b.data, "\xe2\x80\xa6"));
	bh_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_wrap_and_elide),
		cmocka_unit_test(test_no_space_and_wide),
		cmocka_unit_test(test_max_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
