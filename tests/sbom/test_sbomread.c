/* test_sbomread.c - an SBOM written by bulkhead reads back to the same components (all three formats). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/source.h"
#include "report/report.h"
#include "sbom/purl.h"
#include "sbom/sbomread.h"

static void make(bh_sbom *s)
{
	bh_component *c;
	bh_sbom_init(s);
	s->osinfo.family = strdup("debian");
	s->osinfo.version = strdup("12.5");
	c = bh_complist_add(&s->comps, BH_ECO_DEB);
	bh_component_set(&c->name, "libc6", (size_t)-1);
	bh_component_set(&c->version, "2.36-9+deb12u4", (size_t)-1);
	bh_component_set(&c->arch, "amd64", (size_t)-1);
	bh_component_set(&c->src_name, "glibc", (size_t)-1);
	c = bh_complist_add(&s->comps, BH_ECO_NPM);
	bh_component_set(&c->name, "@babel/core", (size_t)-1);
	bh_component_set(&c->version, "7.0.0", (size_t)-1);
	c = bh_complist_add(&s->comps, BH_ECO_MAVEN);
	bh_component_set(&c->namespace, "org.apache.commons", (size_t)-1);
	bh_component_set(&c->name, "commons-text", (size_t)-1);
	bh_component_set(&c->version, "1.9", (size_t)-1);
	c = bh_complist_add(&s->comps, BH_ECO_GO);
	bh_component_set(&c->name, "github.com/a/b", (size_t)-1);
	bh_component_set(&c->version, "v1.2.3", (size_t)-1);
	assert_int_equal(bh_sbom_finalize(s, NULL), 0);
}

static void roundtrip(bh_format fmt)
{
	bh_sbom s, r;
	bh_limits lim;
	bh_error err;
	char path[] = "/tmp/bh-sbomread-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	size_t i;

	make(&s);
	assert_int_equal(bh_report_write(&s, fmt, fp, &err), 0);
	fclose(fp);
	assert_true(bh_sbom_is_document(path));
	bh_limits_default(&lim);
	bh_sbom_init(&r);
	assert_int_equal(bh_sbom_read(path, &lim, &r, &err), 0);
	unlink(path);
	assert_int_equal(r.comps.n, s.comps.n);
	assert_string_equal(r.osinfo.family, "debian");
	assert_string_equal(r.osinfo.version, "12.5");
	for (i = 0; i < s.comps.n; i++) {
		assert_int_equal(r.comps.items[i]->eco, s.comps.items[i]->eco);
		assert_string_equal(r.comps.items[i]->name, s.comps.items[i]->name);
		assert_string_equal(r.comps.items[i]->version, s.comps.items[i]->version);
	}
	assert_string_equal(r.comps.items[0]->src_name, "glibc"); /* SPDX too: sourceInfo */
	assert_int_equal(r.comps.items[3]->eco, BH_ECO_MAVEN); /* sorted by ecosystem */
	assert_string_equal(r.comps.items[3]->namespace, "org.apache.commons");
	bh_sbom_free(&s);
	bh_sbom_free(&r);
}

static void test_json(void **state) { (void)state; roundtrip(BH_FORMAT_JSON); }
static void test_cdx(void **state) { (void)state; roundtrip(BH_FORMAT_CYCLONEDX); }
static void test_spdx(void **state) { (void)state; roundtrip(BH_FORMAT_SPDX); }

static void test_purl_parse(void **state)
{
	bh_complist l = { 0 };
	bh_component *c = bh_complist_add(&l, BH_ECO_NONE);
	char *distro = NULL;
	(void)state;
	assert_int_equal(bh_purl_parse("pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.2&epoch=1", c, &distro), 0);
	assert_int_equal(c->eco, BH_ECO_RPM);
	assert_string_equal(c->name, "bash");
	assert_string_equal(c->version, "5.1.8-6.el9");
	assert_string_equal(c->epoch, "1");
	assert_string_equal(distro, "rhel-9.2");
	free(distro);
	assert_int_equal(bh_purl_parse("not a purl", c, NULL), BH_EINVAL);
	assert_int_equal(bh_purl_parse("pkg:nothing", c, NULL), BH_EINVAL);
	assert_int_equal(bh_purl_parse("pkg:npm/%40x/y@1%2", c, NULL), 0); /* truncated escape kept literally */
	bh_complist_free(&l);
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

#define SAME(f)                                                                                                        \
	do {                                                                                                           \
		if (!str_eq(a->f, b->f))                                                                               \
			fail_msg("%s %s: " #f " \"%s\" read back as \"%s\"", what, a->name, a->f ? a->f : "(null)",     \
				 b->f ? b->f : "(null)");                                                              \
	} while (0)

/* Every field the format carries reads back as written. */
static void same_component(const char *what, bh_format fmt, const bh_component *a, const bh_component *b)
{
	size_t k;
	assert_int_equal(a->eco, b->eco);
	SAME(name);
	SAME(namespace);
	SAME(version);
	SAME(src_name);
	SAME(src_version);
	SAME(purl);
	SAME(path);
	SAME(epoch);
	if (fmt != BH_FORMAT_SPDX || a->eco == BH_ECO_DEB || a->eco == BH_ECO_APK || a->eco == BH_ECO_RPM)
		SAME(arch); /* SPDX carries arch in distro purls only */
	if (fmt != BH_FORMAT_SPDX)
		SAME(license); /* SPDX writes NOASSERTION for what is not an SPDX expression */
	assert_int_equal(a->flags & BH_COMP_DEV, b->flags & BH_COMP_DEV);
	if (a->nprops != b->nprops)
		fail_msg("%s %s: %zu properties read back as %zu (first: %s)", what, a->name, a->nprops, b->nprops,
			 b->nprops ? b->props[0].key : "-");
	for (k = 0; k < a->nprops; k++)
		assert_string_equal(bh_component_get_prop(b, a->props[k].key), a->props[k].value);
	if (fmt != BH_FORMAT_SPDX)
		assert_int_equal(a->layer, b->layer);
}

/* A real scan of a directory, written in each format and read back: the same components. */
static void roundtrip_scan(const char *target)
{
	static const bh_format fmts[] = { BH_FORMAT_JSON, BH_FORMAT_CYCLONEDX, BH_FORMAT_SPDX };
	static const char *const names[] = { "json", "cyclonedx", "spdx" };
	bh_source_opts o;
	bh_sbom s;
	bh_limits lim;
	bh_error err;
	size_t f, i;

	bh_source_opts_default(&o);
	bh_sbom_init(&s);
	assert_int_equal(bh_source_read_target(target, &o, &s, &err), 0);
	assert_true(s.comps.n > 5);
	/* properties of every kind read back too (os.owner is what file-ownership records add) */
	assert_int_equal(bh_component_prop(s.comps.items[0], "os.owner", "dpkg:login"), 0);
	assert_int_equal(bh_component_prop(s.comps.items[1], "go.version", "go1.21.5"), 0);
	bh_limits_default(&lim);
	for (f = 0; f < 3; f++) {
		char path[] = "/tmp/bh-sbomread-XXXXXX", what[200];
		int fd = mkstemp(path);
		FILE *fp = fdopen(fd, "w");
		bh_sbom r;
		assert_int_equal(bh_report_write(&s, fmts[f], fp, &err), 0);
		fclose(fp);
		bh_sbom_init(&r);
		assert_int_equal(bh_sbom_read(path, &lim, &r, &err), 0);
		unlink(path);
		snprintf(what, sizeof(what), "%s (%s)", target, names[f]);
		assert_int_equal(r.comps.n, s.comps.n);
		assert_true(str_eq(r.osinfo.family, s.osinfo.family));
		assert_true(str_eq(r.osinfo.version, s.osinfo.version));
		for (i = 0; i < s.comps.n; i++)
			same_component(what, fmts[f], s.comps.items[i], r.comps.items[i]);
		bh_sbom_free(&r);
	}
	bh_sbom_free(&s);
}

static void test_roundtrip_scan(void **state)
{
	(void)state;
	roundtrip_scan("dir:tests/fixtures/sbom/rootfs"); /* Debian 11 packages: epochs, source versions */
	roundtrip_scan("dir:tests/fixtures");             /* npm, PyPI, Maven, gems, crates, composer */
}

static bh_sbom *read_fixture(const char *path, bh_sbom *s, int want)
{
	bh_limits lim;
	bh_error err;
	bh_limits_default(&lim);
	bh_sbom_init(s);
	assert_int_equal(bh_sbom_read(path, &lim, s, &err), want);
	return s;
}

static const bh_component *by_name(const bh_sbom *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->comps.n; i++)
		if (s->comps.items[i]->name && !strcmp(s->comps.items[i]->name, name))
			return s->comps.items[i];
	fail_msg("component %s not read", name);
	return NULL;
}

/*
 * Trivy's CycloneDX (an excerpt of its integration golden file for a Debian 10.2 image): the
 * source version is [SrcEpoch:]SrcVersion[-SrcRelease], the binary version keeps its epoch (purl
 * qualifier), the OS comes from the operating-system component and layers from DiffID.
 */
static void test_trivy_cdx(void **state)
{
	bh_sbom s;
	const bh_component *c;
	(void)state;
	read_fixture("tests/fixtures/sbom/trivy-debian10-excerpt.cdx.json", &s, 0);
	assert_string_equal(s.osinfo.family, "debian");
	assert_string_equal(s.osinfo.version, "10.2");
	assert_int_equal(s.nlayers, 6);
	c = by_name(&s, "libattr1");
	assert_int_equal(c->eco, BH_ECO_DEB);
	assert_string_equal(c->version, "1:2.4.48-4");
	assert_null(c->epoch);
	assert_string_equal(c->src_name, "attr");
	assert_string_equal(c->src_version, "1:2.4.48-4");
	c = by_name(&s, "bsdutils"); /* Source: util-linux (2.33.1-0.1): no source epoch */
	assert_string_equal(c->version, "1:2.33.1-0.1");
	assert_string_equal(c->src_version, "2.33.1-0.1");
	assert_string_equal(c->src_name, "util-linux");
	c = by_name(&s, "mawk"); /* binNMU: the source version has no +b3 */
	assert_string_equal(c->version, "1.3.3-17+b3");
	assert_string_equal(c->src_version, "1.3.3-17");
	assert_int_equal(c->layer, 5);
	c = by_name(&s, "fluentd");
	assert_int_equal(c->eco, BH_ECO_GEM);
	assert_string_equal(c->version, "1.8.0");
	bh_sbom_free(&s);
}

/* Nested components (Trivy's own test document: Go modules inside an application component) and
 * a version-less purl: kept, with no version, so never matched. */
static void test_cdx_nested(void **state)
{
	bh_sbom s;
	(void)state;
	read_fixture("tests/fixtures/sbom/trivy-nested-packages.cdx.json", &s, 0);
	assert_int_equal(s.comps.n, 5);
	assert_string_equal(by_name(&s, "golang.org/x/xerrors")->version, "v0.0.0-20200804184101-5ec99f83aff1");
	assert_null(by_name(&s, "github.com/aquasecurity/test")->version);
	assert_int_equal(s.nwarnings, 1);
	assert_non_null(strstr(s.warnings[0], "github.com/aquasecurity/test"));
	bh_sbom_free(&s);
	/* a purl that is no purl (Trivy's invalid-purl test document): kept as "other", warned */
	read_fixture("tests/fixtures/sbom/trivy-invalid-purl.cdx.json", &s, 0);
	assert_int_equal(s.comps.n, 2);
	assert_int_equal(by_name(&s, "pear/log")->eco, BH_ECO_NONE);
	assert_non_null(strstr(s.warnings[0], "pear/log"));
	bh_sbom_free(&s);
}

static void write_doc(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* metadata.component that is a package, nesting any depth, unknown types kept, %00 refused. */
static void test_cdx_edges(void **state)
{
	char path[] = "/tmp/bh-sbomread-XXXXXX";
	int fd = mkstemp(path);
	bh_sbom s;
	bh_limits lim;
	bh_error err;
	(void)state;
	close(fd);
	write_doc(path, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"serialNumber\":\"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\","
			"\"metadata\":{\"component\":{\"type\":\"application\",\"name\":\"app\",\"purl\":\"pkg:maven/org.acme/app@1.0\","
			"\"components\":[{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:npm/a@1\",\"components\":[{\"type\":\"library\","
			"\"name\":\"b\",\"purl\":\"pkg:pypi/b@2\",\"components\":[{\"type\":\"library\",\"name\":\"c\",\"purl\":\"pkg:cargo/c@3\"}]}]}]}},"
			"\"components\":[{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:swift/github.com/x/x@1.0\"},"
			"{\"type\":\"library\",\"name\":\"d\",\"bom-ref\":\"ref-d\",\"purl\":\"pkg:gem/d@4\"},"
			"{\"type\":\"library\",\"name\":\"example.com/local\",\"version\":\"v1.2.0\",\"properties\":"
			"[{\"name\":\"aquasecurity:trivy:PkgType\",\"value\":\"gobinary\"}]}]}");
	read_fixture(path, &s, 0);
	assert_int_equal(s.comps.n, 7);
	/* no purl, but Trivy's PkgType says what it is: typed, purl built */
	assert_int_equal(by_name(&s, "example.com/local")->eco, BH_ECO_GO);
	assert_string_equal(by_name(&s, "example.com/local")->purl, "pkg:golang/example.com/local@v1.2.0");
	assert_string_equal(s.serial, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
	assert_string_equal(by_name(&s, "app")->namespace, "org.acme");
	assert_int_equal(by_name(&s, "c")->eco, BH_ECO_CARGO);
	assert_int_equal(by_name(&s, "x")->eco, BH_ECO_NONE);
	assert_string_equal(by_name(&s, "x")->purl, "pkg:swift/github.com/x/x@1.0");
	assert_non_null(strstr(s.warnings[0], "type swift"));
	assert_string_equal(bh_component_get_prop(by_name(&s, "d"), "cdx.bom-ref"), "ref-d");
	bh_sbom_free(&s);
	write_doc(path, "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"type\":\"library\",\"name\":\"evil\",\"purl\":\"pkg:npm/ev%00il@1.0\"}]}");
	bh_limits_default(&lim);
	bh_sbom_init(&s);
	assert_int_equal(bh_sbom_read(path, &lim, &s, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "\"evil\""));
	assert_non_null(strstr(err.msg, "NUL"));
	bh_sbom_free(&s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cdx),
		cmocka_unit_test(test_spdx),
		cmocka_unit_test(test_purl_parse),
		cmocka_unit_test(test_roundtrip_scan),
		cmocka_unit_test(test_trivy_cdx),
		cmocka_unit_test(test_cdx_nested),
		cmocka_unit_test(test_cdx_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
