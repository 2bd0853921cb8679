/* test_ospkg.c - apk and rpm databases: a documented-format apk db and real rpm databases built with rpm. */
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

extern const bh_analyzer bh_analyzer_apk;
extern const bh_analyzer bh_analyzer_rpm;


static void test_apk(void **state)
{
	size_t n;
	char *d = bh_test_slurp("tests/fixtures/apk/installed", &n);
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_true(bh_analyzer_apk.match("lib/apk/db/installed", 20, 0100644, n));
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_apk, "lib/apk/db/installed", d, n, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[2]->name, "libcrypto3");
	assert_string_equal(l.items[2]->version, "3.1.4-r0");
	assert_string_equal(l.items[2]->src_name, "openssl");
	assert_string_equal(l.items[2]->license, "Apache-2.0");
	assert_string_equal(l.items[3]->src_name, "busybox");
	bh_complist_free(&l);
	free(d);
}

/* own() hook: "PATH\tPKG\n" per owned file, in the order the database gives them. */
static int own_collect(void *ctx, const char *path, size_t len, const char *pkg)
{
	return bh_buf_printf(ctx, "%.*s\t%s\n", (int)len, path, pkg);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every owned file as `rpm -qa --qf '[%{FILENAMES}\t%{=NAME}\n]'` listed it (owned.tsv, sorted). */
static void check_owned(bh_buf *got)
{
	size_t n, k = 0, i;
	char *want = bh_test_slurp("tests/fixtures/rpm/owned.tsv", &n), *save = NULL, *l, *lines[64];
	bh_buf sorted = BH_BUF_INIT;
	assert_non_null(got->data);
	for (l = strtok_r(got->data, "\n", &save); l && k < 64; l = strtok_r(NULL, "\n", &save))
		lines[k++] = l;
	qsort(lines, k, sizeof(*lines), cmp_lines);
	for (i = 0; i < k; i++)
		assert_int_equal(bh_buf_printf(&sorted, "%s\n", lines[i]), 0);
	assert_int_equal(k, 3);
	assert_string_equal(sorted.data, want);
	bh_buf_free(&sorted);
	free(want);
}

/* Each database lists exactly what `rpm -qa` printed when the fixture was made (expected.tsv). */
static void check_rpm(const char *file, const char *as)
{
	size_t n, i, dn;
	char *exp = bh_test_slurp("tests/fixtures/rpm/expected.tsv", &n), *d = bh_test_slurp(file, &dn), *line, *save = NULL;
	bh_complist l = { 0 };
	bh_buf owned = BH_BUF_INIT;
	bh_error err;
	l.own = own_collect;
	l.own_ctx = &owned;
	assert_true(bh_analyzer_rpm.match(as, strlen(as), 0100644, dn));
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_rpm, as, d, dn, &l, &err), 0);
	assert_int_equal(l.n, 3);
	for (line = strtok_r(exp, "\n", &save), i = 0; line; line = strtok_r(NULL, "\n", &save), i++) {
		char want[512], got[512];
		const bh_component *c = NULL;
		size_t k;
		for (k = 0; k < l.n; k++)
			if (!strncmp(line, l.items[k]->name, strlen(l.items[k]->name)) && line[strlen(l.items[k]->name)] == '\t')
				c = l.items[k];
		assert_non_null(c);
		snprintf(want, sizeof(want), "%s", line);
		snprintf(got, sizeof(got), "%s\t%s\t%s\t%s\t%s-%s.src.rpm\t%s", c->name, c->epoch ? c->epoch : "(none)", c->version,
			 c->arch, c->src_name, c->src_version, c->license);
		assert_string_equal(got, want);
	}
	assert_int_equal(i, 3);
	check_owned(&owned);
	bh_buf_free(&owned);
	bh_complist_free(&l);
	free(d);
	free(exp);
}

static void test_rpm_sqlite(void **state) { (void)state; check_rpm("tests/fixtures/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"); }
static void test_rpm_ndb(void **state) { (void)state; check_rpm("tests/fixtures/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db"); }

static void test_rpm_hostile(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	unsigned char ndb[4096 + 64];
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_rpm, "var/lib/rpm/Packages", "x", 1, &l, &err), BH_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "Berkeley DB"));
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_rpm, "var/lib/rpm/rpmdb.sqlite", "not sqlite at all", 17, &l, &err), BH_EINVAL);
	/* an ndb slot pointing past the end, and a header claiming a huge index */
	memset(ndb, 0, sizeof(ndb));
	memcpy(ndb, "RpmP\0\0\0\0\1\0\0\0\1\0\0\0", 16);
	memcpy(ndb + 32, "Slot\1\0\0\0\377\377\0\0\1\0\0\0", 16);
	memcpy(ndb + 48, "Slot\2\0\0\0\0\1\0\0\1\0\0\0", 16);
	memcpy(ndb + 4096, "BlbS\2\0\0\0\1\0\0\0\60\0\0\0\377\377\377\377\0\0\0\1", 24);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_rpm, "var/lib/rpm/Packages.db", ndb, sizeof(ndb), &l, &err), BH_EINVAL);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apk),
		cmocka_unit_test(test_rpm_sqlite),
		cmocka_unit_test(test_rpm_ndb),
		cmocka_unit_test(test_rpm_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
