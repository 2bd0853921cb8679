/* test_report.c - the streamed JSON writer writes what jansson writes for the same tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static char *dump_tree(json_t *doc)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	bh_error e;
	assert_non_null(fp);
	assert_int_equal(bh_report_dump(doc, fp, &e), 0);
	fclose(fp);
	return p;
}

static void test_stream_equals_tree(void **state)
{
	const char *text = "{\"schema\": \"x\", \"empty\": [], \"obj\": {\"a\": [1, {\"b\": \"q\\\"\\n\"}], \"e\": {}},"
			   " \"list\": [{\"id\": 1, \"deep\": {\"k\": [true, null]}}, \"s\", []], \"tail\": {}, \"end\": []}";
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
	char *want, *got = NULL;
	size_t n = 0, i;
	FILE *fp;
	bh_jstream *js;
	bh_error e;
	(void)state;
	assert_non_null(doc);
	want = dump_tree(json_incref(doc));
	fp = open_memstream(&got, &n);
	js = bh_jstream_open(fp);
	bh_jstream_begin(js, NULL, '{');
	bh_jstream_value(js, "schema", json_incref(json_object_get(doc, "schema")));
	bh_jstream_begin(js, "empty", '[');
	bh_jstream_end(js);
	bh_jstream_value(js, "obj", json_incref(json_object_get(doc, "obj")));
	bh_jstream_begin(js, "list", '[');
	for (i = 0; i < json_array_size(json_object_get(doc, "list")); i++)
		bh_jstream_value(js, NULL, json_incref(json_array_get(json_object_get(doc, "list"), i)));
	bh_jstream_end(js);
	bh_jstream_begin(js, "tail", '{');
	bh_jstream_end(js);
	bh_jstream_value(js, "end", json_incref(json_object_get(doc, "end")));
	assert_int_equal(bh_jstream_close(js, &e), 0); /* closes the outer object itself */
	fclose(fp);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(doc);
}

static void test_stream_depth_bounded(void **state)
{
	char *got = NULL;
	size_t n = 0;
	int i;
	FILE *fp = open_memstream(&got, &n);
	bh_jstream *js = bh_jstream_open(fp);
	bh_error e;
	(void)state;
	for (i = 0; i < 20; i++)
		bh_jstream_begin(js, NULL, '[');
	assert_int_not_equal(bh_jstream_close(js, &e), 0);
	fclose(fp);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_equals_tree),
		cmocka_unit_test(test_stream_depth_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
