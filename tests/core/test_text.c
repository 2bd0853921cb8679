/* test_text.c - UTF-8 repair and terminal escaping (src/core/text.c) and escaped log output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"

static char *term(const char *s, size_t max)
{
	bh_buf b = BH_BUF_INIT;
	assert_int_equal(bh_text_put_term(&b, s, strlen(s), max), 0);
	assert_int_equal(bh_buf_append(&b, "", 0), 0);
	return bh_buf_steal(&b);
}

static void test_is_utf8(void **state)
{
	(void)state;
	assert_true(bh_text_is_utf8("", 0));
	assert_true(bh_text_is_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	assert_false(bh_text_is_utf8("a\xff", 2));
	assert_false(bh_text_is_utf8("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(bh_text_is_utf8("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(bh_text_is_utf8("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	assert_false(bh_text_is_utf8("\xe2\x82", 2));         /* cut short */
}

static void test_utf8_dup(void **state)
{
	char *s;
	(void)state;
	s = bh_text_utf8_dup("a\xff" "b\xc3");
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	free(s);
	s = bh_text_utf8_dup("ok \xc3\xa9");
	assert_string_equal(s, "ok \xc3\xa9");
	free(s);
	assert_null(bh_text_utf8_dup(NULL));
	/* each invalid byte is one U+FFFD: the count of bytes stays visible */
	s = bh_text_utf8_dup("\xff\xfe");
	assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}

static void test_term(void **state)
{
	char *s;
	(void)state;
	s = term("\x1b]0;owned\x07 a\rb\x7f\tc\n", 0);
	assert_string_equal(s, "\\x1b]0;owned\\x07 a\\x0db\\x7f\\x09c\\x0a");
	free(s);
	s = term("C1 \xc2\x9b" "31m bidi \xe2\x80\xae" "x \xe2\x81\xa6", 0); /* U+009B CSI, U+202E, U+2066 */
	assert_string_equal(s, "C1 \\u{009b}31m bidi \\u{202e}x \\u{2066}");
	free(s);
	s = term("bad \xff byte, caf\xc3\xa9 kept", 0);
	assert_string_equal(s, "bad \xef\xbf\xbd byte, caf\xc3\xa9 kept");
	free(s);
	s = term("abcdef", 3);
	assert_string_equal(s, "abc...");
	free(s);
}

static void test_log_escapes(void **state)
{
	char buf[512] = "";
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;
	(void)state;
	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	bh_log_set_level(BH_LOG_WARN);
	bh_log_warn("file %s", "/x\x1b[2J\xff");
	bh_log_error("cannot read %s", "a\rb");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	assert_string_equal(buf, "bulkhead: warning: file /x\\x1b[2J\xef\xbf\xbd\nbulkhead: cannot read a\\x0db\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_utf8),
		cmocka_unit_test(test_utf8_dup),
		cmocka_unit_test(test_term),
		cmocka_unit_test(test_log_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
