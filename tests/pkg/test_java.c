/* test_java.c - the java analyzer on real jars (javac/jar built, Debian's), nested archives and hostile zips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_java;

#define FIX "tests/fixtures/java/"


/* A non-seekable source handing out a few bytes at a time, like a tar layer stream. */
struct drip {
	const unsigned char *p;
	size_t len, off;
};

static int drip_read(void *ctx, void *buf, size_t n, size_t *got, bh_error *err)
{
	struct drip *d = ctx;
	size_t k = d->len - d->off;
	(void)err;
	if (k > 777)
		k = 777;
	if (k > n)
		k = n;
	memcpy(buf, d->p + d->off, k);
	d->off += k;
	*got = k;
	return 0;
}

static const bh_file_ops drip_ops = { drip_read, NULL };

/* Runs the analyzer on a streamed file; components keep path NULL unless nested. */
static int run_stream(const char *path, const void *data, size_t len, const bh_limits *lim, bh_complist *out,
		      bh_error *err)
{
	struct drip d = { data, len, 0 };
	bh_file f;
	memset(&f, 0, sizeof(f));
	f.path = path;
	f.mode = 0100644;
	f.size = len;
	f.limits = lim;
	f.ops = &drip_ops;
	f.ctx = &d;
	return bh_analyzer_java.analyze(&f, out, err);
}

static int run_file(const char *fixture, const char *as, bh_complist *out, bh_error *err)
{
	size_t n;
	char path[256];
	char *data;
	int rc;
	snprintf(path, sizeof(path), FIX "%s", fixture);
	data = bh_test_slurp(path, &n);
	rc = bh_analyzer_run_mem(&bh_analyzer_java, as, data, n, out, err);
	free(data);
	return rc;
}

static const bh_component *find(const bh_complist *l, const char *name)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->name, name) == 0)
			return l->items[i];
	fail_msg("component %s not found", name);
	return NULL;
}

static void check(const bh_component *c, const char *ns, const char *ver, const char *path)
{
	assert_int_equal(c->eco, BH_ECO_MAVEN);
	if (ns)
		assert_string_equal(c->namespace, ns);
	else
		assert_null(c->namespace);
	assert_string_equal(c->version, ver);
	if (path)
		assert_string_equal(c->path, path);
	else
		assert_null(c->path);
}

static void test_match(void **state)
{
	const bh_analyzer *a = &bh_analyzer_java;
	(void)state;
	assert_true(a->match("app/x.jar", 9, 0100644, 1));
	assert_true(a->match("app/X.JAR", 9, 0100644, 1));
	assert_true(a->match("srv/app.war", 11, 0100644, 1));
	assert_true(a->match("a.ear", 5, 0100644, 1));
	assert_true(a->match("var/jenkins/plugins/git.jpi", 27, 0100644, 1));
	assert_true(a->match("p/git.hpi", 9, 0100644, 1));
	assert_true(a->match("p/x.Par", 7, 0100644, 1));
	assert_false(a->match("p/.jar", 6, 0100644, 1));
	assert_false(a->match("p/x.jar", 7, 0040755, 1));
	assert_false(a->match("p/x.jarx", 8, 0100644, 1));
	assert_false(a->match("p/x.zip", 7, 0100644, 1));
	assert_false(a->match("jar", 3, 0100644, 1));
}

/* Manifest only (jar cfm): Implementation-* names it, Bundle-License is its licence. */
static void test_manifest_only(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(run_file("hello.jar", "app/lib/hello.jar", &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "hello-lib");
	check(l.items[0], "com.example", "2.4.1", "/app/lib/hello.jar");
	assert_string_equal(l.items[0]->license, "Apache-2.0");
	bh_complist_free(&l);
}

/* pom.properties plus a manifest describing the same artifact: one component. */
static void test_pom_properties(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(run_file("greeter-1.7.0.jar", "app/greeter-1.7.0.jar", &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "greeter");
	check(l.items[0], "org.acme", "1.7.0", "/app/greeter-1.7.0.jar");
	bh_complist_free(&l);
}

/* Debian's own jars: pom.properties (commons-cli), file name only (aopalliance), OSGi manifest. */
static void test_debian_jars(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(run_file("commons-cli.jar", "usr/share/java/commons-cli.jar", &l, &err), 0);
	assert_int_equal(run_file("aopalliance-1.0.jar", "usr/share/java/aopalliance-1.0.jar", &l, &err), 0);
	assert_int_equal(run_file("atinject-jsr330-api-1.0.jar", "usr/share/java/atinject-jsr330-api-1.0.jar", &l, &err), 0);
	assert_int_equal(run_file("commons-plain-3.2.1.jar", "x/commons-plain-3.2.1.jar", &l, &err), 0);
	assert_int_equal(l.n, 4);
	check(find(&l, "commons-cli"), "commons-cli", "1.5.0", "/usr/share/java/commons-cli.jar");
	check(find(&l, "aopalliance"), NULL, "1.0", "/usr/share/java/aopalliance-1.0.jar");
	check(find(&l, "atinject-jsr330-api"), NULL, "1.0.0", "/usr/share/java/atinject-jsr330-api-1.0.jar");
	check(find(&l, "commons-plain"), NULL, "3.2.1", "/x/commons-plain-3.2.1.jar");
	bh_complist_free(&l);
}

/* A war with WEB-INF/lib jars: nested components carry "outer!/inner" paths; the war has no version. */
static void test_war(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(run_file("app.war", "srv/app.war", &l, &err), 0);
	assert_int_equal(l.n, 2);
	check(find(&l, "greeter"), "org.acme", "1.7.0", "/srv/app.war!/WEB-INF/lib/inner.jar");
	check(find(&l, "commons-plain"), NULL, "3.2.1", "/srv/app.war!/WEB-INF/lib/commons-plain-3.2.1.jar");
	bh_complist_free(&l);
}

/* Fat jar two levels deep, read as a non-seekable stream. */
static void test_fat_stream(void **state)
{
	bh_complist l = { 0 };
	bh_limits lim;
	bh_error err;
	size_t n;
	char *data = bh_test_slurp(FIX "fat.jar", &n);
	(void)state;
	bh_limits_default(&lim);
	assert_int_equal(run_stream("opt/fat.jar", data, n, &lim, &l, &err), 0);
	assert_int_equal(l.n, 4);
	check(find(&l, "fatapp"), NULL, "9.9.9", NULL);
	check(find(&l, "hello-lib"), "com.example", "2.4.1", "/opt/fat.jar!/BOOT-INF/lib/hello-lib-2.4.1.jar");
	check(find(&l, "mid"), "org.acme", "0.3.0", "/opt/fat.jar!/BOOT-INF/lib/mid-0.3.0.jar");
	check(find(&l, "greeter"), "org.acme", "1.7.0", "/opt/fat.jar!/BOOT-INF/lib/mid-0.3.0.jar!/lib/deep.jar");
	bh_complist_free(&l);

	/* one level allowed: deep.jar is not opened, the scan gets a warning naming it */
	lim.max_archive_depth = 1;
	assert_int_equal(run_stream("opt/fat.jar", data, n, &lim, &l, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "deep.jar"));
	assert_int_equal(l.n, 3);
	bh_complist_free(&l);

	/* depth 0: nothing nested is read, the outer jar is still reported */
	lim.max_archive_depth = 0;
	assert_int_equal(run_stream("opt/fat.jar", data, n, &lim, &l, &err), BH_ELIMIT);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "fatapp");
	bh_complist_free(&l);
	free(data);
}

/* Truncated, garbled and non-zip input: an error naming the file, never a crash. */
static void test_corrupt(void **state)
{
	static const char junk[] = "this is not a zip archive at all\n";
	bh_complist l = { 0 };
	bh_error err;
	bh_limits lim;
	size_t n, cut;
	char *data;
	(void)state;
	assert_int_not_equal(run_file("truncated.jar", "a/truncated.jar", &l, &err), 0);
	/* no central directory: read by its local headers, as a layer stream reads it, up to the cut */
	find(&l, "fatapp");
	find(&l, "hello-lib");
	bh_complist_free(&l);
	assert_int_not_equal(run_file("garbled.jar", "a/garbled.jar", &l, &err), 0);
	bh_complist_free(&l);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_java, "a/j.jar", junk, sizeof(junk) - 1, &l, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "a/j.jar"));
	assert_int_not_equal(bh_analyzer_run_mem(&bh_analyzer_java, "a/e.jar", "", 0, &l, &err), 0);
	bh_complist_free(&l);
	/* every truncation point of a nested archive, streamed */
	bh_limits_default(&lim);
	data = bh_test_slurp(FIX "app.war", &n);
	for (cut = 0; cut < n; cut += 37) {
		run_stream("a/app.war", data, cut, &lim, &l, &err);
		bh_complist_free(&l);
	}
	free(data);
}

/* Writes a zip (deflated, like jar) with the given entries into a malloc'd buffer. */
static unsigned char *make_zip(const char *const *names, const char *const *bodies, const size_t *lens, size_t n,
			       size_t *outlen)
{
	size_t cap = 8u << 20, used = 0, i;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	assert_non_null(buf);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, bodies[i], lens[i]), (la_ssize_t)lens[i]);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*outlen = used;
	return buf;
}

/* A 4 MiB MANIFEST.MF that deflates to a few KB: read at most 1 MiB of it, then ignored. */
static void test_bomb(void **state)
{
	size_t big = 4u << 20, n, lens[2];
	char *mf = malloc(big);
	const char *names[2] = { "META-INF/MANIFEST.MF", "META-INF/maven/g/bomb/pom.properties" };
	const char *bodies[2];
	unsigned char *zip;
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	memset(mf, 'a', big);
	memcpy(mf, "Implementation-Title: bomb\nImplementation-Version: 1\nX-Pad: ", 61);
	bodies[0] = mf;
	lens[0] = big;
	bodies[1] = mf;
	lens[1] = big;
	zip = make_zip(names, bodies, lens, 2, &n);
	assert_true(n < big / 50);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_java, "x/bomb.jar", zip, n, &l, &err), BH_ELIMIT);
	assert_int_equal(l.n, 0);
	bh_complist_free(&l);
	free(zip);
	free(mf);
}

/* Shaded jar: several pom.properties (one repeated) and continuation lines in the manifest. */
static void test_shaded(void **state)
{
	static const char mf[] = "Manifest-Version: 1.0\r\nImplementation-Title: outer\r\nBundle-License: https://www.apache.org/lic\r\n enses/LICENSE-2.0.txt\r\n\r\nName: x/\r\nImplementation-Title: nope\r\n";
	static const char p1[] = "#c\nversion=2.0\ngroupId = org.outer\nartifactId: outer\n";
	static const char p2[] = "version=31.1-jre\n";
	const char *names[4] = { "META-INF/MANIFEST.MF", "META-INF/maven/org.outer/outer/pom.properties",
				 "META-INF/maven/com.google.guava/guava/pom.properties",
				 "META-INF/maven/com.google.guava/guava/x/pom.properties" };
	const char *bodies[4] = { mf, p1, p2, p2 };
	size_t lens[4] = { sizeof(mf) - 1, sizeof(p1) - 1, sizeof(p2) - 1, sizeof(p2) - 1 };
	size_t n;
	unsigned char *zip = make_zip(names, bodies, lens, 4, &n);
	bh_complist l = { 0 };
	bh_error err;
	const bh_component *c;
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_java, "x/outer-2.0.jar", zip, n, &l, &err), 0);
	assert_int_equal(l.n, 2);
	c = find(&l, "outer");
	check(c, "org.outer", "2.0", "/x/outer-2.0.jar");
	assert_string_equal(c->license, "https://www.apache.org/licenses/LICENSE-2.0.txt");
	c = find(&l, "guava");
	check(c, "com.google.guava", "31.1-jre", "/x/outer-2.0.jar");
	assert_null(c->license);
	bh_complist_free(&l);
	free(zip);
}

/*
 * Coordinates without pom.properties (jars made with `jar`, OpenJDK 17): a reverse-DNS file name
 * carries the groupId; the Bundle-SymbolicName gives it when it ends in ".<artifactId>"; a version
 * with spaces is skipped for the next source; no groupId is made up otherwise.
 */
static void test_coordinates_without_pom(void **state)
{
	bh_complist l = { 0 };
	bh_error err;
	size_t i;
	(void)state;
	assert_int_equal(run_file("org.projectlombok.lombok-1.18.46.jar", "app/lib/org.projectlombok.lombok-1.18.46.jar", &l, &err), 0);
	assert_int_equal(run_file("jackson-databind.jar", "app/lib/jackson-databind.jar", &l, &err), 0);
	assert_int_equal(run_file("tool-1.0.jar", "app/lib/tool-1.0.jar", &l, &err), 0);
	assert_int_equal(l.n, 3);
	check(find(&l, "lombok"), "org.projectlombok", "1.18.46", "/app/lib/org.projectlombok.lombok-1.18.46.jar");
	check(find(&l, "jackson-databind"), "com.fasterxml.jackson.core", "2.15.2", "/app/lib/jackson-databind.jar");
	check(find(&l, "tool"), NULL, "1.0", "/app/lib/tool-1.0.jar");
	for (i = 0; i < l.n; i++)
		assert_null(strpbrk(l.items[i]->version, " \t"));
	bh_complist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_manifest_only),
		cmocka_unit_test(test_pom_properties),
		cmocka_unit_test(test_debian_jars),
		cmocka_unit_test(test_war),
		cmocka_unit_test(test_fat_stream),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_shaded),
		cmocka_unit_test(test_coordinates_without_pom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
