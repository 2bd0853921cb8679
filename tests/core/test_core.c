/* test_core.c - the core helpers: buffer and checked arithmetic, bounded JSON loading, the map,
 * --limit parsing and severities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/map.h"
#include "core/severity.h"

static void test_buf(void **state)
{
	bh_buf b = BH_BUF_INIT;
	size_t r, i;
	char *s;
	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(bh_buf_printf(&b, "%zu,", i), 0);
	assert_int_equal(b.len, strlen(b.data));
	assert_true(bh_str_startswith(b.data, "0,1,2,"));
	assert_true(bh_str_endswith(b.data, "998,999,"));
	s = bh_buf_steal(&b);
	assert_null(b.data);
	free(s);
	assert_true(bh_size_add(1, 2, &r) && r == 3);
	assert_false(bh_size_add(SIZE_MAX, 1, &r));
	assert_false(bh_size_mul(SIZE_MAX / 2 + 1, 2, &r));
	assert_int_equal(bh_buf_put_clean(&b, "a\x1b" "b\xff", 100), 0);
	assert_string_equal(b.data, "a?b?");
	bh_buf_free(&b);
	s = bh_strdup_trim("  x y \t", 7);
	assert_string_equal(s, "x y");
	free(s);
}

static void test_path_norm(void **state)
{
	char out[64];
	(void)state;
	assert_true(bh_path_norm_abs("/a//b/./c/../d/", out, sizeof(out)));
	assert_string_equal(out, "/a/b/d");
	assert_true(bh_path_norm_abs("/../../etc", out, sizeof(out)));
	assert_string_equal(out, "/etc");
	assert_false(bh_path_norm_abs("rel/x", out, sizeof(out)));
	assert_false(bh_path_norm_abs("/aaaaaaaaaa", out, 5));
}

static void test_lines(void **state)
{
	bh_lines it;
	const char *l;
	size_t n, count = 0;
	(void)state;
	bh_lines_init(&it, "a\r\nbb\n\nlast", 11);
	while (bh_lines_next(&it, &l, &n))
		count++;
	assert_int_equal(count, 4);
	bh_lines_init(&it, "a\r\n", 3);
	assert_true(bh_lines_next(&it, &l, &n));
	assert_int_equal(n, 1);
}

static void test_json_bounds(void **state)
{
	char deep[400];
	json_t *j = NULL;
	bh_error e;
	size_t i;
	(void)state;
	for (i = 0; i < 200; i++)
		deep[i] = '[';
	for (; i < 400; i++)
		deep[i] = ']';
	assert_int_equal(bh_json_depth(deep, sizeof(deep), 64), 65); /* stops once over */
	assert_int_equal(bh_json_load(deep, sizeof(deep), 64, "deep.json", &j, &e), BH_ELIMIT);
	assert_null(j);
	assert_non_null(strstr(e.msg, "deep.json"));
	/* brackets inside strings do not count, escaped quotes do not end them */
	assert_int_equal(bh_json_depth("{\"a\": \"[[[\\\"[[\"}", 16, 64), 1);
	assert_int_equal(bh_json_load("{\"a\": 1,}", 9, 64, "bad.json", &j, &e), BH_EINVAL);
	assert_non_null(strstr(e.msg, "bad.json"));
	{
		static const char ok[] = "{\"a\": \"x\", \"r\": [{\"bom-ref\": \"r1\"}]}";
		assert_int_equal(bh_json_load(ok, strlen(ok), 64, "ok.json", &j, &e), 0);
	}
	assert_string_equal(bh_json_str(j, "a"), "x");
	assert_null(bh_json_str(j, "r"));
	assert_null(bh_json_str(j, "missing"));
	assert_string_equal(bh_json_ref(json_object_get(j, "r"), 0), "r1");
	assert_null(bh_json_ref(json_object_get(j, "r"), 1));
	json_decref(j);
}

static int freed;
static void count_free(void *p) { (void)p; freed++; }

static void test_map(void **state)
{
	bh_map m;
	char key[32];
	const char *k;
	void *v;
	size_t i, n = 0;
	(void)state;
	bh_map_init(&m, count_free);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(bh_map_put(&m, key, (void *)(i + 1)), 0);
	}
	assert_int_equal(m.n, 5000);
	assert_ptr_equal(bh_map_get(&m, "k4321"), (void *)4322);
	assert_null(bh_map_get(&m, "nope"));
	assert_int_equal(bh_map_put(&m, "k1", (void *)99), 0); /* replace frees the old value */
	assert_int_equal(freed, 1);
	assert_int_equal(bh_map_del(&m, "k2"), 1);
	assert_int_equal(bh_map_del(&m, "k2"), 0);
	assert_null(bh_map_get(&m, "k2"));
	for (i = 0; bh_map_next(&m, &i, &k, &v);)
		n++;
	assert_int_equal(n, 4999);
	bh_map_free(&m);
	assert_int_equal(freed, 2 + 4999);
}

static void test_limits(void **state)
{
	bh_limits l;
	(void)state;
	bh_limits_default(&l);
	assert_int_equal(bh_limits_set(&l, "max-layer-size=2g"), 0);
	assert_true(l.max_layer_size == 2ULL << 30);
	assert_int_equal(bh_limits_set(&l, "max-files=10k"), 0);
	assert_true(l.max_files == 10240);
	assert_int_equal(bh_limits_set(&l, "time-budget=60"), 0);
	assert_int_equal(l.time_budget_s, 60);
	assert_int_equal(bh_limits_set(&l, "max-json-depth=100001"), BH_EUSAGE);
	assert_int_equal(bh_limits_set(&l, "max-files=-1"), BH_EUSAGE);
	assert_int_equal(bh_limits_set(&l, "max-files=1x"), BH_EUSAGE);
	assert_int_equal(bh_limits_set(&l, "max-files"), BH_EUSAGE);
	assert_int_equal(bh_limits_set(&l, "bogus=1"), BH_EUSAGE);
	assert_int_equal(bh_limits_set(&l, "max-layer-size=99999999999999999999"), BH_EUSAGE);
	assert_int_equal(bh_limits_set(&l, "max-layer-size=17179869184g"), BH_EUSAGE); /* overflows 64 bits */
}

static void test_severity(void **state)
{
	(void)state;
	assert_string_equal(bh_severity_name(BH_SEV_CRITICAL), "CRITICAL");
	assert_string_equal(bh_severity_name(BH_SEV_UNKNOWN), "UNKNOWN");
	assert_int_equal(bh_severity_parse("high"), BH_SEV_HIGH);
	assert_int_equal(bh_severity_parse("Moderate"), BH_SEV_MEDIUM);
	assert_int_equal(bh_severity_parse("important"), BH_SEV_HIGH);
	assert_int_equal(bh_severity_parse("negligible"), BH_SEV_LOW);
	assert_int_equal(bh_severity_parse("what"), BH_SEV_UNKNOWN);
	assert_int_equal(bh_severity_parse(""), BH_SEV_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_path_norm),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_json_bounds),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_severity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
