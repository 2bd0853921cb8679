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

static void test_hostile(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	static const char junk[] = "Name:\nVersion:\n\nName: x\n";
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "a.dist-info/METADATA", junk, sizeof(junk) - 1, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "Pipfile.lock", "{\"default\":", 11, &l, &err), BH_EINVAL);
	{
		static const char poetry[] = "[[package]]\nname = \"x\nversion = \"";
		static const char req[] = "==\n==1\nx==\n";
		assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "poetry.lock", poetry, sizeof(poetry) - 1, &l, &err), 0);
		assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_python, "requirements.txt", req, sizeof(req) - 1, &l, &err), 0);
	}
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_dist_packages),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
