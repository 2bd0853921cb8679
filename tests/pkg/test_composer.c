/* test_composer.c - the composer analyzer on composer-written composer.lock and installed.json (v1, v2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_composer;

#define FIX "tests/fixtures/composer/"


static const bh_component *find(const bh_complist *l, const char *name)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->name, name) == 0)
			return l->items[i];
	fail_msg("component %s not found", name);
	return NULL;
}

static void check(const bh_component *c, const char *ver, const char *lic, uint32_t flags)
{
	assert_int_equal(c->eco, BH_ECO_COMPOSER);
	assert_string_equal(c->version, ver);
	if (lic)
		assert_string_equal(c->license, lic);
	else
		assert_null(c->license);
	assert_int_equal(c->flags, flags);
}

static bool m(const char *p)
{
	return bh_analyzer_composer.match(p, strlen(p), 0100644, 1);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(m("composer.lock"));
	assert_true(m("var/www/composer.lock"));
	assert_true(m("var/www/vendor/composer/installed.json"));
	assert_true(m("vendor/composer/installed.json"));
	assert_false(m("var/www/composer.json"));
	assert_false(m("var/www/installed.json"));
	assert_false(m("var/www/xvendor/composer/installed.json"));
	assert_false(m("var/www/vendor/composer/installed.php"));
}

/* composer.lock from `composer install` (Composer 2.5, path repositories): packages-dev are DEV. */
static void test_lock(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	size_t n;
	char *data = bh_test_slurp(FIX "composer.lock", &n);
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "var/www/composer.lock", data, n, &l, &err), 0);
	assert_int_equal(l.n, 3);
	check(find(&l, "acme/util"), "v1.4.2", "MIT OR Apache-2.0", BH_COMP_LOCKFILE);
	check(find(&l, "psr/log"), "3.0.0", "MIT", BH_COMP_LOCKFILE);
	check(find(&l, "acme/testkit"), "0.9.0", "BSD-3-Clause", BH_COMP_LOCKFILE | BH_COMP_DEV);
	assert_string_equal(l.items[0]->path, "/var/www/composer.lock");
	assert_null(l.items[0]->namespace);
	bh_complist_free(&l);
	free(data);
}

/* installed.json v2 as the same install wrote it: dev-package-names marks DEV. */
static void test_installed_v2(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	size_t n;
	char *data = bh_test_slurp(FIX "vendor/composer/installed.json", &n);
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "var/www/vendor/composer/installed.json", data, n, &l, &err), 0);
	assert_int_equal(l.n, 3);
	check(find(&l, "acme/util"), "v1.4.2", "MIT OR Apache-2.0", 0);
	check(find(&l, "psr/log"), "3.0.0", "MIT", 0);
	check(find(&l, "acme/testkit"), "0.9.0", "BSD-3-Clause", BH_COMP_DEV);
	bh_complist_free(&l);
	free(data);
}

/* Composer 1 wrote installed.json as a bare array of the same package objects. */
static void test_installed_v1(void **state)
{
	static const char doc[] = "[{\"name\":\"monolog/monolog\",\"version\":\"1.25.1\",\"version_normalized\":\"1.25.1.0\","
				  "\"license\":[\"MIT\"],\"type\":\"library\"},{\"name\":\"x/nover\"},{\"version\":\"1\"},3,"
				  "{\"name\":\"y/z\",\"version\":\"dev-master\",\"license\":\"proprietary\"}]";
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "vendor/composer/installed.json", doc, sizeof(doc) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	check(find(&l, "monolog/monolog"), "1.25.1", "MIT", 0);
	check(find(&l, "y/z"), "dev-master", "proprietary", 0);
	bh_complist_free(&l);
}

/* Deep nesting is refused before parsing; broken JSON is an error naming the file. */
static void test_hostile(void **state)
{
	static const char odd[] = "{\"packages\":{\"a\":1},\"packages-dev\":\"x\"}";
	bh_complist l = { 0 };
	bh_error err;
	size_t n = 100000, i;
	char *deep = malloc(n);
	(void)state;
	for (i = 0; i < n; i++)
		deep[i] = '[';
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "app/composer.lock", deep, n, &l, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "app/composer.lock"));
	free(deep);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "app/composer.lock", "{\"packages\":[", 13, &l, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "app/composer.lock"));
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "app/composer.lock", odd, sizeof(odd) - 1, &l, &err), 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_composer, "app/composer.lock", "[]", 2, &l, &err), 0);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_installed_v2),
		cmocka_unit_test(test_installed_v1),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
