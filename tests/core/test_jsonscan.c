/* test_jsonscan.c - member and element spans: escapes, nesting, malformed input, depth, duplicates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/jsonscan.h"

static const char *doc = " {\"a\": \"x\\\"]}\", \"components\" : [ {\"n\": \"}\", \"k\": [1, {\"z\": []}]} , 2,\"s\\\\\",[] ], \"b\": null } ";

static void test_member_and_elements(void **state)
{
	bh_jspan sp, e;
	bh_error err;
	bool found;
	size_t pos = 0;
	const char *want[] = { "{\"n\": \"}\", \"k\": [1, {\"z\": []}]}", "2", "\"s\\\\\"", "[]" };
	int i = 0, k;
	(void)state;
	assert_int_equal(bh_jsonscan_member(doc, strlen(doc), "components", 64, &sp, &found, &err), 0);
	assert_true(found);
	assert_int_equal(doc[sp.start], '[');
	assert_int_equal(doc[sp.end - 1], ']');
	while ((k = bh_jsonscan_next(doc, &sp, 64, &pos, &e, &err)) == 1) {
		assert_true(i < 4);
		assert_int_equal(e.end - e.start, strlen(want[i]));
		assert_memory_equal(doc + e.start, want[i], e.end - e.start);
		i++;
	}
	assert_int_equal(k, 0);
	assert_int_equal(i, 4);
	/* a key that appears only inside a string or deeper is not a top-level member */
	assert_int_equal(bh_jsonscan_member(doc, strlen(doc), "n", 64, &sp, &found, &err), 0);
	assert_false(found);
	assert_int_equal(bh_jsonscan_member("{}", 2, "a", 64, &sp, &found, &err), 0);
	assert_false(found);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = { "", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":[1,2}", "{\"a\":1 \"b\":2}",
		"{\"a\":\"open}", "{\"a\":[1]]}", "{\"a\":1,\"a\":2}" };
	bh_jspan sp;
	bh_error err;
	bool found;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bh_jsonscan_member(bad[i], strlen(bad[i]), "a", 64, &sp, &found, &err), BH_EINVAL);
	/* elements: a trailing comma, a missing comma */
	{
		const char *t1 = "{\"a\":[1,]}", *t2 = "{\"a\":[1 2]}";
		size_t pos = 0;
		bh_jspan e;
		assert_int_equal(bh_jsonscan_member(t1, strlen(t1), "a", 64, &sp, &found, &err), 0);
		assert_int_equal(bh_jsonscan_next(t1, &sp, 64, &pos, &e, &err), 1);
		assert_int_equal(bh_jsonscan_next(t1, &sp, 64, &pos, &e, &err), BH_EINVAL);
		pos = 0;
		assert_int_equal(bh_jsonscan_member(t2, strlen(t2), "a", 64, &sp, &found, &err), 0);
		assert_int_equal(bh_jsonscan_next(t2, &sp, 64, &pos, &e, &err), 1);
		assert_int_equal(bh_jsonscan_next(t2, &sp, 64, &pos, &e, &err), BH_EINVAL);
	}
}

static void test_depth(void **state)
{
	char deep[300];
	bh_jspan sp;
	bh_error err;
	bool found;
	size_t i;
	(void)state;
	strcpy(deep, "{\"a\":");
	for (i = 0; i < 100; i++)
		strcat(deep, "[");
	for (i = 0; i < 100; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	assert_int_equal(bh_jsonscan_member(deep, strlen(deep), "a", 64, &sp, &found, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "deeper"));
	assert_int_equal(bh_jsonscan_member(deep, strlen(deep), "a", 200, &sp, &found, &err), 0);
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_and_elements),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
