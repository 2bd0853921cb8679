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
	free(b); free(c); free(d);
	bh_complist_free(&lock); bh_complist_free(&yarn); bh_complist_free(&pnpm);
	/* yarn 4 (berry) and pnpm 8 (lockfile 6.0) lockfiles of the same project */
	run(FX "berry/yarn.lock", "app/yarn.lock", &yarn);
	run(FX "pnpm6/pnpm-lock.yaml", "app/pnpm-lock.yaml", &pnpm);
	c = set_of(&yarn); d = set_of(&pnpm);
	assert_string_equal(a, c);
	assert_string_equal(a, d);
	free(a); free(c); free(d);
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

static const bh_component *find(const bh_complist *l, const char *name)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->name, name))
			return l->items[i];
	return NULL;
}

static int mem(const char *as, const char *data, bh_complist *l)
{
	bh_error err;
	return bh_analyzer_run_mem(&bh_analyzer_npm, as, data, strlen(data), l, &err);
}

#define MATCH(p) bh_analyzer_npm.match(p, strlen(p), 0100644, 1)

/* Licences, flags and paths of the real fixture. */
static void test_fixture_details(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	run(FX "package-lock.json", "app/package-lock.json", &l);
	assert_string_equal(find(&l, "lodash")->license, "MIT");
	assert_string_equal(find(&l, "amdefine")->license, "BSD-3-Clause OR MIT");
	assert_true(find(&l, "lodash")->flags & BH_COMP_LOCKFILE);
	assert_false(find(&l, "lodash")->flags & BH_COMP_DEV);
	assert_string_equal(find(&l, "lodash")->path, "/app/package-lock.json");
	bh_complist_free(&l);
	run(FX "installed/node_modules/lodash/package.json", "srv/node_modules/lodash/package.json", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->license, "MIT");
	assert_int_equal(l.items[0]->flags, 0);
	assert_string_equal(l.items[0]->path, "/srv/node_modules/lodash/package.json");
	bh_complist_free(&l);
}

static void test_lock_v2_rules(void **state)
{
	static const char v3[] = "{\"lockfileVersion\":3,\"packages\":{"
				 "\"\":{\"name\":\"root\",\"version\":\"1.0.0\"},"
				 "\"packages/ws\":{\"name\":\"ws-member\",\"version\":\"0.1.0\"},"
				 "\"node_modules/ws-member\":{\"resolved\":\"packages/ws\",\"link\":true},"
				 "\"node_modules/foo\":{\"name\":\"bar\",\"version\":\"2.0.0\",\"license\":\"ISC\"},"
				 "\"node_modules/@s/a\":{\"version\":\"1.0.0\",\"dev\":true,\"licenses\":[{\"type\":\"MIT\"},\"GPL-2.0\"]},"
				 "\"node_modules/@s/a/node_modules/b\":{\"version\":\"3.0.0\",\"devOptional\":true},"
				 "\"packages/ws/node_modules/c\":{\"version\":\"4.0.0\"},"
				 "\"node_modules/nover\":{},\"node_modules/bad\":{\"version\":\"1 0\"},\"node_modules/x\":7}}";
	static const char v1[] = "{\"lockfileVersion\":1,\"dependencies\":{"
				 "\"alias\":{\"version\":\"npm:real@1.2.3\"},\"git\":{\"version\":\"github:a/b#abc\"},"
				 "\"d\":{\"version\":\"1.0.0\",\"dependencies\":{\"e\":{\"version\":\"2.0.0\",\"dev\":true}}}}}";
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(mem("app/npm-shrinkwrap.json", v3, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(find(&l, "bar")->version, "2.0.0");
	assert_string_equal(find(&l, "bar")->license, "ISC");
	assert_true(find(&l, "@s/a")->flags & BH_COMP_DEV);
	assert_string_equal(find(&l, "@s/a")->license, "MIT OR GPL-2.0");
	assert_true(find(&l, "b")->flags & BH_COMP_DEV);
	assert_string_equal(find(&l, "c")->version, "4.0.0");
	assert_null(find(&l, "ws-member"));
	assert_null(find(&l, "root"));
	bh_complist_free(&l);
	assert_int_equal(mem("package-lock.json", v1, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(find(&l, "real")->version, "1.2.3");
	assert_true(find(&l, "e")->flags & BH_COMP_DEV);
	assert_false(find(&l, "d")->flags & BH_COMP_DEV);
	bh_complist_free(&l);
}

static void test_installed_rules(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	assert_true(MATCH("node_modules/.pnpm/lodash@4.17.15/node_modules/lodash/package.json"));
	assert_true(MATCH("app/my_node_modules/package-lock.json"));
	assert_false(MATCH("node_modules/.bin/package.json"));
	assert_false(MATCH("node_modules/@scope/package.json"));
	assert_false(MATCH("node_modules/@s/a/b/package.json"));
	assert_false(MATCH("x_node_modules/a/package.json"));
	assert_false(MATCH("app/node_modules/.package-lock.json"));
	assert_false(MATCH("app/node_modules/a/yarn.lock"));
	assert_true(MATCH("node_modules/foo_node_modules/package.json"));
	assert_int_equal(mem("node_modules/a/package.json", "{\"name\":\"a\",\"version\":\"1.0.0\",\"license\":{\"type\":\"BSD\"}}", &l), 0);
	assert_string_equal(l.items[0]->license, "BSD");
	assert_int_equal(mem("node_modules/b/package.json", "{\"name\":\"b\"}", &l), 0);
	assert_int_equal(mem("node_modules/c/package.json", "{\"version\":\"1.0.0\"}", &l), 0);
	assert_int_equal(mem("node_modules/d/package.json", "{\"name\":7,\"version\":\"1\"}", &l), 0);
	assert_int_equal(mem("node_modules/e/package.json", "{\"name\":\"e\",\"version\":\"1\",\"license\":\"\\u0001\"}", &l), 0);
	assert_null(find(&l, "e")->license);
	assert_int_equal(mem("node_modules/f/package.json", "[\"name\"]", &l), BH_EINVAL);
	assert_int_equal(mem("node_modules/g/package.json", "{\"name\":\"g\xff\",\"version\":\"1\"}", &l), BH_EINVAL);
	assert_int_equal(mem("node_modules/h/package.json", "{\"name\":\"h\",\"version\":\"1\"", &l), BH_EINVAL);
	assert_int_equal(l.n, 2);
	bh_complist_free(&l);
}

static void test_yarn_rules(void **state)
{
	static const char v1[] = "# yarn lockfile v1\n\n\n"
				 "\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n"
				 "  dependencies:\n    version \"^9.9.9\"\n\n"
				 "\"@babel/code-frame@7.12.13\":\n  version \"7.12.13\"\n\n"
				 "foo@npm:bar@^1.0.0:\n  version \"1.4.0\"\n\n"
				 "local@file:../local:\n  version \"0.0.1\"\n\n"
				 "noversion@^1:\n  resolved \"x\"\n";
	static const char berry[] = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"
				    "\"resolve@npm:^1.20.0\":\n  version: 1.22.8\n  resolution: \"resolve@npm:1.22.8\"\n\n"
				    "\"resolve@patch:resolve@npm%3A^1.20.0#optional!builtin<compat/resolve>\":\n"
				    "  version: 1.22.8\n  resolution: \"resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d\"\n\n"
				    "\"my-alias@npm:lodash@^4\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n\n"
				    "\"dep@https://example.com/dep.tgz\":\n  version: 2.0.0\n  resolution: \"dep@https://example.com/dep.tgz\"\n\n"
				    "\"lib@link:./lib::locator=app%40workspace%3A.\":\n  version: 0.0.0-use.local\n  resolution: \"lib@link:./lib::locator=app%40workspace%3A.\"\n";
	bh_complist l = { 0 };
	char *huge;
	(void)state;
	assert_int_equal(mem("yarn.lock", v1, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0]->name, "@babel/code-frame");
	assert_string_equal(l.items[0]->version, "7.12.13");
	assert_string_equal(l.items[1]->name, "bar");
	assert_true(l.items[1]->flags & BH_COMP_LOCKFILE);
	bh_complist_free(&l);
	assert_int_equal(mem("yarn.lock", berry, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0]->name, "resolve");
	assert_string_equal(l.items[1]->name, "lodash");
	assert_string_equal(l.items[1]->version, "4.17.21");
	assert_string_equal(l.items[2]->name, "dep");
	bh_complist_free(&l);
	/* a 4 MB header line and binary junk */
	huge = malloc(4u << 20);
	assert_non_null(huge);
	memset(huge, 'a', (4u << 20) - 1);
	huge[(4u << 20) - 1] = '\0';
	huge[10] = '@';
	assert_int_equal(mem("yarn.lock", huge, &l), 0);
	free(huge);
	assert_int_equal(mem("yarn.lock", "a@1:\n  version \"1\xff\"\nb@1:\n  version \"\x01\"\n", &l), 0);
	assert_int_equal(l.n, 0);
}

static void test_pnpm_rules(void **state)
{
	static const char v9[] = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      react-dom:\n        specifier: ^18\n        version: 18.2.0(react@18.2.0)\n\n"
				 "packages:\n\n  '@types/node@20.1.0':\n    resolution: {integrity: sha512-x}\n\n"
				 "  react-dom@18.2.0:\n    resolution: {integrity: sha512-y}\n    peerDependencies:\n      react: ^18.2.0\n\n"
				 "  tar-dep@https://codeload.github.com/a/b/tar.gz/abc:\n    resolution: {tarball: https://codeload.github.com/a/b/tar.gz/abc}\n    name: tar-dep\n    version: 0.3.0\n\n"
				 "  nover@file:../x:\n    resolution: {directory: ../x, type: directory}\n\n"
				 "snapshots:\n\n  react-dom@18.2.0(react@18.2.0):\n    dependencies:\n      react: 18.2.0\n";
	static const char v6dup[] = "lockfileVersion: '6.0'\npackages:\n"
				    "  /a@1.0.0(b@1.0.0):\n    dev: true\n  /a@1.0.0(b@2.0.0):\n    dev: false\n"
				    "  /c@1.0.0(b@1.0.0):\n    dev: true\n  /c@1.0.0(b@2.0.0):\n    dev: true\n";
	static const char multi[] = "---\nlockfileVersion: '9.0'\npackages:\n  x@1.0.0: {}\n---\nlockfileVersion: '9.0'\npackages:\n  y@2.0.0:\n    resolution: {integrity: z}\n";
	static const char alias[] = "packages: &p\n  a@1.0.0: *p\nother: *p\n";
	bh_complist l = { 0 };
	char deep[400];
	size_t i;
	(void)state;
	assert_int_equal(mem("pnpm-lock.yaml", v9, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(find(&l, "@types/node")->version, "20.1.0");
	assert_string_equal(find(&l, "react-dom")->version, "18.2.0");
	assert_string_equal(find(&l, "tar-dep")->version, "0.3.0");
	assert_true(find(&l, "react-dom")->flags & BH_COMP_LOCKFILE);
	bh_complist_free(&l);
	assert_int_equal(mem("pnpm-lock.yaml", v6dup, &l), 0);
	assert_int_equal(l.n, 2);
	assert_false(find(&l, "a")->flags & BH_COMP_DEV); /* dev in one peer variant only */
	assert_true(find(&l, "c")->flags & BH_COMP_DEV);
	bh_complist_free(&l);
	assert_int_equal(mem("pnpm-lock.yaml", multi, &l), 0);
	assert_int_equal(l.n, 2);
	bh_complist_free(&l);
	/* v9 dev flags from the graph: cycles, aliases, workspace importers, a package both ways */
	{
		static const char g[] = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      p:\n        specifier: ^1\n        version: 1.0.0\n"
					"    devDependencies:\n      d:\n        specifier: ^1\n        version: 1.0.0(p@1.0.0)\n"
					"      al:\n        specifier: npm:@s/real@^2\n        version: '@s/real@2.0.0'\n"
					"  packages/w:\n    dependencies:\n      app:\n        specifier: link:../..\n        version: link:../..\n"
					"packages:\n  p@1.0.0: {}\n  d@1.0.0: {}\n  x@1.0.0: {}\n  y@1.0.0: {}\n  '@s/real@2.0.0': {}\n  shared@1.0.0: {}\n"
					"snapshots:\n  p@1.0.0:\n    dependencies:\n      shared: 1.0.0\n"
					"  d@1.0.0(p@1.0.0):\n    dependencies:\n      x: 1.0.0\n      shared: 1.0.0\n"
					"  x@1.0.0:\n    dependencies:\n      y: 1.0.0\n  y@1.0.0:\n    optionalDependencies:\n      x: 1.0.0\n"
					"  '@s/real@2.0.0': {}\n  shared@1.0.0: {}\n";
		assert_int_equal(mem("pnpm-lock.yaml", g, &l), 0);
		assert_int_equal(l.n, 6);
		assert_false(find(&l, "p")->flags & BH_COMP_DEV);
		assert_false(find(&l, "shared")->flags & BH_COMP_DEV);
		assert_true(find(&l, "d")->flags & BH_COMP_DEV);
		assert_true(find(&l, "x")->flags & BH_COMP_DEV);
		assert_true(find(&l, "y")->flags & BH_COMP_DEV);
		assert_true(find(&l, "@s/real")->flags & BH_COMP_DEV);
		bh_complist_free(&l);
	}
	assert_int_equal(mem("pnpm-lock.yaml", alias, &l), 0);
	assert_int_equal(l.n, 0);
	/* nesting past max_json_depth, flow and block */
	for (i = 0; i < 300; i++)
		deep[i] = '[';
	deep[300] = '\0';
	assert_int_equal(mem("pnpm-lock.yaml", deep, &l), BH_ELIMIT);
	assert_int_equal(mem("pnpm-lock.yaml", "packages:\n  a@1.0.0:\n    dev: [\n", &l), BH_EINVAL);
	assert_int_equal(mem("pnpm-lock.yaml", "packages:\n  \"a@1.0.0\xff\":\n    dev: true\n", &l), BH_EINVAL);
	assert_int_equal(mem("pnpm-lock.yaml", "packages: 7\n", &l), 0);
	assert_int_equal(mem("pnpm-lock.yaml", "- packages\n", &l), 0);
	assert_int_equal(mem("pnpm-lock.yaml", "", &l), 0);
	assert_int_equal(mem("pnpm-lock.yaml", "packages:\n  /@scope:\n  /x/:\n  '@a@1':\n  /y/notaversion:\n", &l), 0);
	assert_int_equal(l.n, 0);
}

/* "name@version" plus " dev" for dev-only ones, sorted */
static char *dev_set_of(const bh_complist *l)
{
	bh_complist tmp = { 0 };
	char *s;
	size_t i;
	for (i = 0; i < l->n; i++) {
		bh_component *c = bh_complist_add_copy(&tmp, l->items[i]);
		bh_buf v = BH_BUF_INIT;
		assert_non_null(c);
		bh_buf_printf(&v, "%s%s", c->version, (c->flags & BH_COMP_DEV) ? " dev" : "");
		free(c->version);
		c->version = bh_buf_steal(&v);
	}
	s = set_of(&tmp);
	bh_complist_free(&tmp);
	return s;
}

/* Real npm, pnpm 9 and pnpm 8 lockfiles of one project agree on what is dev-only. */
static void test_dev_flags_agree(void **state)
{
	bh_complist npm = { 0 }, p9 = { 0 }, p6 = { 0 };
	char *a, *b, *c;
	(void)state;
	run(FX "dev/package-lock.json", "app/package-lock.json", &npm);
	run(FX "dev/pnpm-lock.yaml", "app/pnpm-lock.yaml", &p9);
	run(FX "dev/pnpm6/pnpm-lock.yaml", "app/pnpm-lock.yaml", &p6);
	a = dev_set_of(&npm); b = dev_set_of(&p9); c = dev_set_of(&p6);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_non_null(strstr(a, "handlebars@4.0.11 dev\n"));
	assert_non_null(strstr(a, "optimist@0.6.1\n"));    /* needed by both: not dev-only */
	assert_non_null(strstr(a, "minimist@0.0.10\n"));
	assert_non_null(strstr(a, "lodash@4.17.15\n"));
	free(a); free(b); free(c);
	bh_complist_free(&npm); bh_complist_free(&p9); bh_complist_free(&p6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_sets_agree),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_match_and_hostile),
		cmocka_unit_test(test_fixture_details),
		cmocka_unit_test(test_lock_v2_rules),
		cmocka_unit_test(test_installed_rules),
		cmocka_unit_test(test_yarn_rules),
		cmocka_unit_test(test_pnpm_rules),
		cmocka_unit_test(test_dev_flags_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
