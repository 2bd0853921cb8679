/* test_npm.c - npm analyzer: the real fixture's lockfiles and installed packages agree one for one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_npm;
#define FX "tests/fixtures/npm/"


static void run(const char *file, const char *as, bh_complist *out)
{
	size_t n;
	char *d = bh_test_slurp_opt(file, &n);
	bh_error err;
	assert_non_null(d);
	assert_true(bh_analyzer_npm.match(as, strlen(as), 0100644, n));
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, as, d, n, out, &err), 0);
	free(d);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "name@version" lines, sorted */
static char *set_of(const bh_complist *l)
{
	char **v = calloc(l->n + 1, sizeof(char *));
	bh_buf b = BH_BUF_INIT;
	size_t i;
	for (i = 0; i < l->n; i++) {
		bh_buf one = BH_BUF_INIT;
		bh_buf_printf(&one, "%s@%s", l->items[i]->name, l->items[i]->version);
		v[i] = bh_buf_steal(&one);
	}
	qsort(v, l->n, sizeof(char *), cmp);
	for (i = 0; i < l->n; i++) {
		bh_buf_printf(&b, "%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	return bh_buf_steal(&b);
}

static void walk_installed(const char *dir, const char *rel, bh_complist *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char p[1024], r[1024];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		snprintf(r, sizeof(r), "%s/%s", rel, e->d_name);
		if (e->d_type == DT_DIR)
			walk_installed(p, r, out);
		else if (!strcmp(e->d_name, "package.json") && bh_analyzer_npm.match(r + 1, strlen(r + 1), 0100644, 1))
			run(p, r + 1, out);
	}
	closedir(d);
}

static void test_fixture_sets_agree(void **state)
{
	bh_complist inst = { 0 }, lock = { 0 }, yarn = { 0 }, pnpm = { 0 };
	char *a, *b, *c, *d;
	(void)state;
	walk_installed(FX "installed/node_modules", "/node_modules", &inst);
	run(FX "package-lock.json", "app/package-lock.json", &lock);
	run(FX "yarn.lock", "app/yarn.lock", &yarn);
	run(FX "pnpm-lock.yaml", "app/pnpm-lock.yaml", &pnpm);
	a = set_of(&inst); b = set_of(&lock); c = set_of(&yarn); d = set_of(&pnpm);
	assert_int_equal(inst.n, 27);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_string_equal(a, d);
	assert_non_null(strstr(a, "lodash@4.17.15\n"));
	assert_non_null(strstr(a, "minimist@0.0.10\n")); /* nested node_modules */
	free(a); free(b); free(c); free(d);
	bh_complist_free(&inst); bh_complist_free(&lock); bh_complist_free(&yarn); bh_complist_free(&pnpm);
}

static void test_formats(void **state)
{
	static const char v1[] = "{\"lockfileVersion\":1,\"dependencies\":{\"a\":{\"version\":\"1.0.0\",\"dev\":true,"
				 "\"dependencies\":{\"b\":{\"version\":\"2.0.0\"}}},\"c\":{\"version\":\"file:../c\"}}}";
	static const char berry[] = "__metadata:\n  version: 6\n\n\"@scope/x@npm:^1.0.0\":\n  version: 1.2.3\n  resolution: \"@scope/x@npm:1.2.3\"\n\n"
				    "\"app@workspace:.\":\n  version: 0.0.0-use.local\n";
	static const char pnpm5[] = "lockfileVersion: 5.4\npackages:\n  /@babel/core/7.0.0:\n    dev: true\n  /react-dom/18.2.0_react@18.2.0:\n    dev: false\n";
	static const char pnpm6[] = "lockfileVersion: '6.0'\npackages:\n  /react-dom@18.2.0(react@18.2.0):\n    dev: false\n";
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "package-lock.json", v1, sizeof(v1) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.items[0]->flags & BH_COMP_DEV);
	assert_string_equal(l.items[1]->name, "b");
	bh_complist_free(&l);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "yarn.lock", berry, sizeof(berry) - 1, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "@scope/x");
	assert_string_equal(l.items[0]->version, "1.2.3");
	bh_complist_free(&l);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "pnpm-lock.yaml", pnpm5, sizeof(pnpm5) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0]->name, "@babel/core");
	assert_string_equal(l.items[0]->version, "7.0.0");
	assert_true(l.items[0]->flags & BH_COMP_DEV);
	assert_string_equal(l.items[1]->name, "react-dom");
	assert_string_equal(l.items[1]->version, "18.2.0");
	bh_complist_free(&l);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "pnpm-lock.yaml", pnpm6, sizeof(pnpm6) - 1, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->version, "18.2.0");
	bh_complist_free(&l);
}

static void test_match_and_hostile(void **state)
{
	static const char deep[] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[";
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_true(bh_analyzer_npm.match("app/node_modules/@a/b/package.json", 34, 0100644, 1));
	assert_true(bh_analyzer_npm.match("node_modules/x/node_modules/y/package.json", 42, 0100644, 1));
	assert_false(bh_analyzer_npm.match("app/node_modules/x/lib/package.json", 35, 0100644, 1));
	assert_false(bh_analyzer_npm.match("app/package.json", 16, 0100644, 1));
	assert_false(bh_analyzer_npm.match("node_modules/x/package-lock.json", 32, 0100644, 1));
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "package-lock.json", deep, sizeof(deep) - 1, &l, &err), BH_ELIMIT);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "package-lock.json", "{\"packages\":", 12, &l, &err), BH_EINVAL);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_npm, "yarn.lock", "\"\"\n  version \"\n@:\n", 17, &l, &err), 0);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_sets_agree),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_match_and_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
