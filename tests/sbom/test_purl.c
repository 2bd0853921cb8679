/* test_purl.c - package URLs as Trivy/Syft write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/purl.h"

static void check(bh_ecosystem eco, const char *ns, const char *name, const char *ver, const char *arch,
		  const char *epoch, const bh_osinfo *os, const char *want)
{
	bh_complist l = { 0 };
	bh_component *c = bh_complist_add(&l, eco);
	char *p = NULL;
	bh_component_set(&c->namespace, ns, (size_t)-1);
	bh_component_set(&c->name, name, (size_t)-1);
	bh_component_set(&c->version, ver, (size_t)-1);
	bh_component_set(&c->arch, arch, (size_t)-1);
	bh_component_set(&c->epoch, epoch, (size_t)-1);
	assert_int_equal(bh_purl_build(c, os, &p), 0);
	assert_string_equal(p, want);
	free(p);
	bh_complist_free(&l);
}

static void test_purls(void **state)
{
	bh_osinfo deb = { "debian", NULL, "12.5", "bookworm" }, alp = { "alpine", NULL, "3.18.4", NULL },
		  rh = { "rhel", NULL, "9.2", NULL };
	(void)state;
	check(BH_ECO_DEB, NULL, "libc6", "2.36-9+deb12u4", "amd64", NULL, &deb,
	      "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5");
	check(BH_ECO_DEB, NULL, "login", "1:4.13+dfsg1-1", "amd64", NULL, &deb,
	      "pkg:deb/debian/login@1:4.13%2Bdfsg1-1?arch=amd64&distro=debian-12.5");
	check(BH_ECO_APK, NULL, "musl", "1.2.4-r2", "x86_64", NULL, &alp, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4");
	check(BH_ECO_RPM, NULL, "bash", "5.1.8-6.el9", "x86_64", "1", &rh,
	      "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.2&epoch=1");
	check(BH_ECO_NPM, NULL, "@babel/core", "7.0.0", NULL, NULL, NULL, "pkg:npm/%40babel/core@7.0.0");
	check(BH_ECO_PYPI, NULL, "Foo_Bar", "1.0", NULL, NULL, NULL, "pkg:pypi/foo-bar@1.0");
	check(BH_ECO_GO, NULL, "github.com/a/b/v2", "v2.0.1", NULL, NULL, NULL, "pkg:golang/github.com/a/b/v2@v2.0.1");
	check(BH_ECO_MAVEN, "org.apache", "commons-text", "1.9", NULL, NULL, NULL, "pkg:maven/org.apache/commons-text@1.9");
	check(BH_ECO_COMPOSER, NULL, "monolog/monolog", "2.0.0", NULL, NULL, NULL, "pkg:composer/monolog/monolog@2.0.0");
	check(BH_ECO_GEM, NULL, "rack", "2.2.3", NULL, NULL, NULL, "pkg:gem/rack@2.2.3");
	check(BH_ECO_CARGO, NULL, "serde", "1.0.0", NULL, NULL, NULL, "pkg:cargo/serde@1.0.0");
	/* hostile names are encoded, never break the URL structure */
	check(BH_ECO_GEM, NULL, "a?b#c@d", "1 2", NULL, NULL, NULL, "pkg:gem/a%3Fb%23c%40d@1%202");
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_purls) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
