/* test_title.c - titles made from advisory details: the first sentence, Markdown removed, bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/title.h"

static void expect(const char *details, size_t max, const char *want)
{
	char *t = bh_title_from_details(details, max);
	if (!want) {
		assert_null(t);
		return;
	}
	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_first_sentence(void **state)
{
	(void)state;
	/* PYSEC-2019-217 and PYSEC-2021-66 as the PyPA database words them */
	expect("In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.", 160,
	       "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.");
	expect("This affects the package jinja2 from 0.0.0 and before 2.11.3. The ReDoS vulnerability is mainly due to the "
	       "`_punctuation_re regex` operator.", 160, "This affects the package jinja2 from 0.0.0 and before 2.11.3.");
	/* e.g. does not end a sentence; a paragraph does */
	expect("Crafted input, e.g. a long header, crashes the parser\n\nDetails follow.", 160,
	       "Crafted input, e.g. a long header, crashes the parser");
}

static void test_markdown_removed(void **state)
{
	(void)state;
	expect("### Impact\n**Django** `QuerySet.filter()` allows [SQL injection](https://example.com/x) via _crafted_ keys. More.", 160,
	       "Django QuerySet.filter() allows SQL injection via crafted keys.");
	expect("# Title only\n", 160, NULL);
	expect("> quoted\n> text spans lines\n", 160, "quoted text spans lines");
	expect("- a list item\n- another", 160, "a list item another");
	expect("snake_case_name stays.", 160, "snake_case_name stays.");
	expect("<p>HTML tags go</p>", 160, "HTML tags go");
}

static void test_bounded(void **state)
{
	char big[600];
	char *t;
	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	t = bh_title_from_details(big, 40);
	assert_non_null(t);
	assert_int_equal(strlen(t), 40 + 3);
	assert_string_equal(t + 40, "\xe2\x80\xa6");
	free(t);
	/* never cut inside a UTF-8 sequence */
	t = bh_title_from_details("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5);
	assert_non_null(t);
	assert_string_equal(t, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	free(t);
	expect(NULL, 160, NULL);
	expect("  \n\n ", 160, NULL);
	expect("### \n", 160, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_sentence),
		cmocka_unit_test(test_markdown_removed),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
