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
	if (fmt != BH_FORMAT_SPDX)
		assert_string_equal(r.comps.items[0]->src_name, "glibc");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cdx),
		cmocka_unit_test(test_spdx),
		cmocka_unit_test(test_purl_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
