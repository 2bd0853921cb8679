/* test_python.c - Python analyzer: real Debian dist-info against importlib.metadata, lockfile formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "pkg/analyzer.h"
#include "pkg/toml.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_python;
#define FX "tests/fixtures/python/"
#define SITE "/usr/lib/python3/dist-packages"


static int run(const char *file, const char *as, bh_complist *out)
{
	size_t n;
	char *d = bh_test_slurp_opt(file, &n);
	bh_error err;
	int rc;
	if (!d)
		return -1;
	assert_true(bh_analyzer_python.match(as, strlen(as), 0100644, n));
	rc = bh_analyzer_run_mem(&bh_analyzer_python, as, d, n, out, &err);
	free(d);
	return rc;
}

static bool has(const bh_complist *l, const char *name, const char *ver, uint32_t flags)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->name, name) && !strcmp(l->items[i]->version, ver) && (l->items[i]->flags & flags) == flags)
			return true;
	return false;
}

/* Every distribution Debian's python3 sees in dist-packages, with the same name and version. */
static void test_debian_dist_packages(void **state)
{
	DIR *d = opendir(SITE);
	struct dirent *e;
	bh_complist l = { 0 };
	FILE *p;
	char line[512];
	size_t expected = 0;
	(void)state;
	if (!d || access("/usr/bin/python3", X_OK) != 0) {
		if (d)
			closedir(d);
		skip();
	}
	while ((e = readdir(d))) {
		char path[1024], as[1024];
		struct stat st;
		size_t nl = strlen(e->d_name);
		if (nl > 10 && !strcmp(e->d_name + nl - 10, ".dist-info"))
			snprintf(path, sizeof(path), SITE "/%s/METADATA", e->d_name);
		else if (nl > 9 && !strcmp(e->d_name + nl - 9, ".egg-info")) {
			snprintf(path, sizeof(path), SITE "/%s", e->d_name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				snprintf(path, sizeof(path), SITE "/%s/PKG-INFO", e->d_name);
		} else
			continue;
		snprintf(as, sizeof(as), "%s", path + 1);
		assert_int_equal(run(path, as, &l), 0);
	}
	closedir(d);
	p = popen("/usr/bin/python3 -c 'import importlib.metadata as m\nfor d in m.distributions(path=[\"" SITE "\"]): print(d.metadata[\"Name\"], d.version)'", "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char name[256], ver[256];
		if (sscanf(line, "%255s %255s", name, ver) != 2)
			continue;
		expected++;
		if (!has(&l, name, ver, 0))
			fail_msg("importlib.metadata lists %s %s, the analyzer did not", name, ver);
	}
	pclose(p);
	assert_int_equal(l.n, expected);
	bh_complist_free(&l);
}

static void test_fixtures(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(run(FX "site-packages/PyYAML-6.0.dist-info/METADATA", "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", &l), 0);
	assert_true(has(&l, "PyYAML", "6.0", 0));
	assert_string_equal(l.items[0]->license, "MIT");
	bh_complist_free(&l);
	assert_int_equal(run(FX "requirements.txt", "app/requirements.txt", &l), 0);
	assert_int_equal(l.n, 3);
	assert_true(has(&l, "Django", "3.2.4", BH_COMP_LOCKFILE));
	assert_true(has(&l, "requests", "2.25.1", 0));
	assert_true(has(&l, "urllib3", "1.26.5", 0));
	bh_complist_free(&l);
	assert_int_equal(run(FX "poetry.lock", "app/poetry.lock", &l), 0);
	assert_int_equal(l.n, 3);
	assert_true(has(&l, "certifi", "2021.10.8", 0));
	assert_true(has(&l, "pytest", "6.2.5", BH_COMP_DEV));
	assert_true(has(&l, "attrs", "21.4.0", BH_COMP_DEV));
	bh_complist_free(&l);
	assert_int_equal(run(FX "Pipfile.lock", "app/Pipfile.lock", &l), 0);
	assert_int_equal(l.n, 3);
	assert_true(has(&l, "requests", "2.25.1", 0));
	assert_true(has(&l, "pytest", "6.2.5", BH_COMP_DEV));
	bh_complist_free(&l);
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
	return bh_analyzer_run_mem(&bh_analyzer_python, as, data, strlen(data), l, &err);
}

/* Real Debian files: egg-info directory, plain-file egg-info, classifier-only licences. */
static void test_real_metadata(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	assert_true(bh_analyzer_python.match("usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info", 57, 0100644, 230));
	assert_false(bh_analyzer_python.match("usr/lib/python3/dist-packages/x.egg-info/SOURCES.txt", 52, 0100644, 1));
	assert_false(bh_analyzer_python.match("usr/lib/python3/dist-packages/x.dist-info/RECORD", 48, 0100644, 1));
	assert_int_equal(run(FX "site-packages/crit-3.17.1-py3.11.egg-info", "usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info", &l), 0);
	assert_int_equal(run(FX "site-packages/PyJWT-2.6.0.egg-info/PKG-INFO", "usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO", &l), 0);
	assert_int_equal(run(FX "site-packages/blinker-1.5.dist-info/METADATA", "usr/lib/python3/dist-packages/blinker-1.5.dist-info/METADATA", &l), 0);
	assert_int_equal(run(FX "site-packages/packaging-23.0.dist-info/METADATA", "usr/lib/python3/dist-packages/packaging-23.0.dist-info/METADATA", &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(find(&l, "crit")->version, "3.17.1");
	assert_string_equal(find(&l, "crit")->license, "GPLv2");
	assert_string_equal(find(&l, "PyJWT")->version, "2.6.0");
	assert_string_equal(find(&l, "PyJWT")->license, "MIT");
	assert_string_equal(find(&l, "blinker")->license, "MIT License");
	assert_string_equal(find(&l, "packaging")->version, "23.0");
	assert_string_equal(find(&l, "packaging")->license, "Apache Software License OR BSD License");
	assert_int_equal(find(&l, "crit")->flags, 0);
	bh_complist_free(&l);
}

static void test_metadata_rules(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	/* License-Expression wins; header names are case-insensitive; the body is not read */
	assert_int_equal(mem("a.dist-info/METADATA", "Metadata-Version: 2.4\r\nname: Foo.Bar\r\nVERSION: 1.0.post1\r\n"
			     "License: MIT\r\nLicense-Expression: MIT OR Apache-2.0\r\n\r\nName: other\r\nVersion: 9\r\n", &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "Foo.Bar");
	assert_string_equal(l.items[0]->version, "1.0.post1");
	assert_string_equal(l.items[0]->license, "MIT OR Apache-2.0");
	bh_complist_free(&l);
	/* a folded License is a licence text: the classifier is used instead */
	assert_int_equal(mem("b.egg-info/PKG-INFO", "Name: b\nVersion: 2\nLicense: Copyright (c) 2001\n        Permission is hereby granted\n"
			     "Classifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: BSD License\n", &l), 0);
	assert_string_equal(l.items[0]->license, "BSD License");
	bh_complist_free(&l);
	/* UNKNOWN is no licence; the first Name counts */
	assert_int_equal(mem("c.egg-info", "Name: c\nName: d\nVersion: 3\nLicense: UNKNOWN\n", &l), 0);
	assert_string_equal(l.items[0]->name, "c");
	assert_null(l.items[0]->license);
	bh_complist_free(&l);
	/* non-UTF-8: a Latin-1 licence is dropped, a Latin-1 name drops the package */
	assert_int_equal(mem("d.egg-info", "Name: d\nVersion: 1\nLicense: Lizenz f\xfcr alle\n", &l), 0);
	assert_int_equal(l.n, 1);
	assert_null(l.items[0]->license);
	assert_int_equal(mem("e.egg-info", "Name: caf\xe9\nVersion: 1\n", &l), 0);
	assert_int_equal(mem("f.egg-info", "Name: f\nVersion: 1 2\n", &l), 0);
	assert_int_equal(mem("g.egg-info", "Name: g\n", &l), 0);
	assert_int_equal(l.n, 1);
	bh_complist_free(&l);
}

static void test_requirements_rules(void **state)
{
	static const char req[] = "# pip-compile output\n"
				  "certifi==2024.2.2 \\\n    --hash=sha256:0123 \\\n    --hash=sha256:4567\n"
				  "idna == 3.6  # via requests\n"
				  "Jinja2[i18n]==3.1.3; python_version >= \"3.8\"\n"
				  "-e git+https://github.com/x/y.git#egg=y==1.0\n"
				  "pkg @ https://example.com/pkg-1.0.tar.gz\n"
				  "range==1.0,<2\n"
				  "star==1.*\n"
				  "arb===1.0\n"
				  "git+https://example.com/z.git@v1#egg=z==2\n"
				  "-c constraints.txt\n\t\n";
	bh_complist l = { 0 };
	(void)state;
	assert_true(bh_analyzer_python.match("app/requirements-dev.txt", 24, 0100644, 1));
	assert_false(bh_analyzer_python.match("app/requirements.in", 19, 0100644, 1));
	assert_int_equal(mem("app/requirements-dev.txt", req, &l), 0);
	assert_int_equal(l.n, 3);
	assert_true(has(&l, "certifi", "2024.2.2", BH_COMP_LOCKFILE));
	assert_true(has(&l, "idna", "3.6", 0));
	assert_true(has(&l, "Jinja2", "3.1.3", 0));
	bh_complist_free(&l);
}

static void test_poetry2(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(run(FX "poetry2/poetry.lock", "app/poetry.lock", &l), 0);
	assert_int_equal(l.n, 4);
	assert_true(has(&l, "certifi", "2025.1.31", BH_COMP_LOCKFILE));
	assert_false(find(&l, "certifi")->flags & BH_COMP_DEV);
	assert_true(has(&l, "colorama", "0.4.6", BH_COMP_DEV));
	assert_true(has(&l, "pytest", "8.3.4", BH_COMP_DEV));
	assert_false(find(&l, "requests")->flags & BH_COMP_DEV); /* main and dev */
	assert_string_equal(find(&l, "requests")->version, "2.32.3");
	bh_complist_free(&l);
}

static void test_toml_reader(void **state)
{
	static const char doc[] = "\xef\xbb\xbf# c\n"
				  "title = \"T\\u00e9st \\\"q\\\"\\tx\" # trailing\r\n"
				  "lit = 'C:\\path'\n"
				  "ml = \"\"\"\nline1\\\n    line2 \"\"\"\"\n"
				  "mll = '''\na\nb'''\n"
				  "when = 1979-05-27 07:32:00Z\n"
				  "n = -1_000\n"
				  "a.\"b.c\" . d = true\n"
				  "arr = [ # comment\n  \"x\", 1, [\"nested\"],\n  {k = \"v\", \"q\" = [1, 2]}, 'y', # c\n]\n"
				  "[ tbl . 'sub' ]\n"
				  "k = {}\n"
				  "[[package]]\n"
				  "name = \"p\"\n";
	bh_toml t;
	bh_toml_item it;
	bh_error err;
	bh_buf b = BH_BUF_INIT;
	size_t pos = 0;
	(void)state;
	bh_toml_init(&t, doc, sizeof(doc) - 1, 8);
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_true(bh_toml_is(&it, "", "title"));
	assert_int_equal(it.type, BH_TOML_STRING);
	assert_string_equal(it.str, "T\xc3\xa9st \"q\"\tx");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_string_equal(it.str, "C:\\path");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_string_equal(it.str, "line1line2 \"");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_string_equal(it.str, "a\nb");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_int_equal(it.type, BH_TOML_SCALAR);
	assert_int_equal(it.raw_len, 20);
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_string_equal(it.key, "n");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_string_equal(it.key, "a.b.c.d");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_int_equal(it.type, BH_TOML_ARRAY);
	assert_int_equal(bh_toml_array_next(&t, &it, &pos, &b, &err), 1);
	assert_string_equal(b.data, "x");
	assert_int_equal(bh_toml_array_next(&t, &it, &pos, &b, &err), 1);
	assert_string_equal(b.data, "y");
	assert_int_equal(bh_toml_array_next(&t, &it, &pos, &b, &err), 0);
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_int_equal(it.kind, BH_TOML_TABLE);
	assert_string_equal(it.table, "tbl.sub");
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_int_equal(it.type, BH_TOML_INLINE);
	assert_true(bh_toml_is(&it, "tbl.sub", "k"));
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_int_equal(it.kind, BH_TOML_ARRAY_TABLE);
	assert_int_equal(bh_toml_next(&t, &it, &err), 1);
	assert_true(bh_toml_is(&it, "package", "name"));
	assert_true(it.array_table);
	assert_int_equal(bh_toml_next(&t, &it, &err), 0);
	assert_int_equal(bh_toml_next(&t, &it, &err), 0);
	bh_toml_free(&t);
	bh_buf_free(&b);
}

static int toml_status(const char *doc, size_t len, unsigned depth)
{
	bh_toml t;
	bh_toml_item it;
	bh_error err;
	int rc;
	bh_toml_init(&t, doc, len, depth);
	while ((rc = bh_toml_next(&t, &it, &err)) > 0)
		;
	bh_toml_free(&t);
	return rc;
}

static void test_toml_hostile(void **state)
{
	static const char *const bad[] = {
		"a = \"unterminated\n", "a = \"bad \\q escape\"\n", "a = \"\\ud800\"\n", "a = \"\\u0000\"\n",
		"a = \"ctl \x01\"\n", "a = \"latin1 \xe9\"\n", "a = \"overlong \xc0\xaf\"\n", "a = [1, 2\n", "a = [1 2]\n",
		"a = {b = 1\n", "[tbl\n", "[[tbl]\n", "a = 1 b = 2\n", "= 1\n", "a =\n", "a = \"\"\"x\"\"\"\"\"\"\n",
		"a = 'x\n", "a = \"\\U00110000\"\n", "a = \"\\u12\"", "a = '''x", "x", "a = 1\rb = 2\n",
	};
	char *deep;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (toml_status(bad[i], strlen(bad[i]), 16) != BH_EINVAL)
			fail_msg("accepted: %s", bad[i]);
	/* nesting: refused past the bound, without recursion beyond it */
	deep = malloc(200001);
	assert_non_null(deep);
	memcpy(deep, "a = ", 4);
	memset(deep + 4, '[', 200000 - 4);
	deep[200000] = '\0';
	assert_int_equal(toml_status(deep, 200000, 64), BH_ELIMIT);
	assert_int_equal(toml_status("a = [[[1]]]\n", 12, 3), 0);
	assert_int_equal(toml_status("a = [[[[1]]]]\n", 14, 3), BH_ELIMIT);
	/* a huge line and an empty document are fine */
	memset(deep, ' ', 200000);
	deep[0] = 'k';
	deep[1] = '=';
	deep[2] = '"';
	deep[199999] = '"';
	assert_int_equal(toml_status(deep, 200000, 64), 0);
	assert_int_equal(toml_status("", 0, 64), 0);
	free(deep);
}

static void test_hostile(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	static const char junk[] = "Name:\nVersion:\n\nName: x\n";
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "a.dist-info/METADATA", junk, sizeof(junk) - 1, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "Pipfile.lock", "{\"default\":", 11, &l, &err), BH_EINVAL);
	assert_int_equal(mem("Pipfile.lock", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", &l), BH_ELIMIT);
	assert_int_equal(mem("Pipfile.lock", "[1]", &l), 0);
	assert_int_equal(mem("Pipfile.lock", "{\"default\": [], \"develop\": {\"x\": 1, \"y\": {\"version\": 2}, \"z\": {\"version\": \"===1\"}}}", &l), 0);
	{
		static const char poetry[] = "[[package]]\nname = \"x\nversion = \"";
		static const char req[] = "==\n==1\nx==\n";
		assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "poetry.lock", poetry, sizeof(poetry) - 1, &l, &err), BH_EINVAL);
		assert_non_null(strstr(err.msg, "poetry.lock: line 2"));
		assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "requirements.txt", req, sizeof(req) - 1, &l, &err), 0);
	}
	assert_int_equal(l.n, 0);
	/* a truncated poetry.lock keeps the packages before the damage and reports it */
	assert_int_equal(mem("poetry.lock", "[[package]]\nname = \"ok\"\nversion = \"1\"\n[[package]]\nname = \"cut", &l), BH_EINVAL);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "ok");
	bh_complist_free(&l);
	/* non-string name, missing version */
	assert_int_equal(mem("poetry.lock", "[[package]]\nname = 1\nversion = \"1\"\n[[package]]\nname = \"v\"\n", &l), 0);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_dist_packages),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_real_metadata),
		cmocka_unit_test(test_metadata_rules),
		cmocka_unit_test(test_requirements_rules),
		cmocka_unit_test(test_poetry2),
		cmocka_unit_test(test_toml_reader),
		cmocka_unit_test(test_toml_hostile),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
