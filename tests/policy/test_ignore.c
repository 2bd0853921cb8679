/* test_ignore.c - ignore files and VEX documents: strict YAML keys, OpenVEX subcomponents, CycloneDX BOM-Links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/ignore.h"

#define FIX "tests/fixtures/vuln/"

static int load(const char *path, bh_ignores *ig, bh_error *err)
{
	bh_limits lim;
	bh_limits_default(&lim);
	return bh_ignore_load(ig, path, &lim, err);
}

static int load_text(const char *suffix, const char *text, bh_ignores *ig, bh_error *err, char *path, size_t pn)
{
	int fd, rc;
	FILE *fp;
	snprintf(path, pn, "/tmp/bh-ignore-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	rc = load(path, ig, err);
	unlink(path);
	return rc;
}

static bh_component *comp(bh_sbom *s, const char *name, const char *purl, const char *path)
{
	bh_component *c = bh_complist_add(&s->comps, BH_ECO_NONE);
	assert_non_null(c);
	bh_component_set(&c->name, name, (size_t)-1);
	bh_component_set(&c->purl, purl, (size_t)-1);
	if (path)
		bh_component_set(&c->path, path, (size_t)-1);
	return c;
}

/* Unknown keys in a YAML ignore file are errors naming the key and the file, as in the policy. */
static void test_yaml_keys(void **state)
{
	bh_ignores ig = { NULL, 0 };
	bh_error err;
	char path[64];
	(void)state;
	assert_int_equal(load(FIX "ignore.yaml", &ig, &err), 0);
	assert_int_equal(ig.n, 1);
	bh_ignore_free(&ig);
	assert_int_equal(load_text(".yaml", "vulnerabilities:\n  - id: CVE-2024-0727\n    expire: 2027-01-01\n", &ig, &err, path, sizeof(path)),
			 BH_EINVAL);
	assert_non_null(strstr(err.msg, "\"expire\""));
	assert_non_null(strstr(err.msg, path));
	bh_ignore_free(&ig);
	assert_int_equal(load_text(".yml", "vulnerabilities: []\nsecrets: []\n", &ig, &err, path, sizeof(path)), BH_EINVAL);
	assert_non_null(strstr(err.msg, "\"secrets\""));
	bh_ignore_free(&ig);
	/* Trivy's names for expiry and reason stay accepted */
	assert_int_equal(load_text(".yaml", "vulnerabilities:\n  - id: CVE-1\n    expired_at: 2099-01-01\n    statement: ok\n", &ig, &err,
				   path, sizeof(path)), 0);
	assert_string_equal(ig.rules[0].reason, "ok");
	bh_ignore_free(&ig);
}

/*
 * OpenVEX with subcomponents (Trivy's own test documents, the form `vexctl create --product
 * pkg:oci/debian --subcomponents pkg:deb/debian/bash` writes): the statement applies to the
 * subcomponent inside the named image only; a product that is a Go module covers its subcomponents
 * found in the same binary.
 */
static void test_openvex_subcomponents(void **state)
{
	bh_ignores ig = { NULL, 0 };
	bh_error err;
	bh_sbom s;
	bh_component *bash, *other;
	(void)state;
	bh_sbom_init(&s);
	bh_strv_push(&s.repo_tags, &s.nrepo_tags, "docker.io/library/debian:12");
	bash = comp(&s, "bash", "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12.5", "/var/lib/dpkg/status");
	other = comp(&s, "dash", "pkg:deb/debian/dash@0.5.12-2?arch=amd64&distro=debian-12.5", "/var/lib/dpkg/status");
	assert_int_equal(load(FIX "trivy-openvex-oci.json", &ig, &err), 0);
	assert_int_equal(ig.n, 1);
	assert_int_equal(ig.rules[0].nproducts, 1);
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2022-3715", NULL, bash, 0));
	assert_null(bh_ignore_match_sbom(&ig, &s, "CVE-2022-3715", NULL, other, 0));
	assert_null(bh_ignore_match_sbom(&ig, &s, "CVE-2022-9999", NULL, bash, 0));
	bh_ignore_free(&ig);
	/* the same statement about another image does not apply */
	assert_int_equal(load(FIX "trivy-openvex-oci-mismatch.json", &ig, &err), 0);
	assert_null(bh_ignore_match_sbom(&ig, &s, "CVE-2022-3715", NULL, bash, 0));
	bh_ignore_free(&ig);
	bh_sbom_free(&s);

	/* a Go module as the product: its transitive dependency in the same binary */
	bh_sbom_init(&s);
	comp(&s, "github.com/aquasecurity/go-direct1", "pkg:golang/github.com/aquasecurity/go-direct1@v2.0.0", "/usr/bin/app");
	bash = comp(&s, "github.com/aquasecurity/go-transitive", "pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0", "/usr/bin/app");
	other = comp(&s, "github.com/aquasecurity/go-transitive", "pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0", "/usr/bin/other");
	assert_int_equal(load(FIX "trivy-openvex-nested.json", &ig, &err), 0);
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2024-0001", NULL, bash, 0));
	assert_null(bh_ignore_match_sbom(&ig, &s, "CVE-2024-0001", NULL, other, 0));
	bh_ignore_free(&ig);
	bh_sbom_free(&s);
}

/*
 * CycloneDX VEX with BOM-Links (Trivy's test document): "urn:cdx:<serial>/1#<bom-ref>" names a
 * component of the scanned CycloneDX SBOM with that serial number; another serial does not apply.
 */
static void test_cdx_bomlink(void **state)
{
	bh_ignores ig = { NULL, 0 };
	bh_error err;
	bh_sbom s;
	bh_component *boot, *lib, *byref;
	(void)state;
	bh_sbom_init(&s);
	bh_component_set(&s.serial, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", (size_t)-1);
	boot = comp(&s, "spring-boot", "pkg:maven/org.springframework.boot/spring-boot@2.6.0", NULL);
	lib = comp(&s, "libstdc++6", "pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64&distro=ubuntu-22.04", NULL);
	byref = comp(&s, "x", "pkg:npm/x@1.0.0", NULL);
	bh_component_prop(byref, "cdx.bom-ref", "pkg:maven/org.springframework.boot/spring-boot@2.6.0");
	assert_int_equal(load(FIX "trivy-cyclonedx-vex.json", &ig, &err), 0);
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2021-44228", NULL, boot, 0));
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2022-27943", NULL, lib, 0));
	/* the document's own bom-ref wins over the purl */
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2021-44228", NULL, byref, 0));
	assert_null(bh_ignore_match_sbom(&ig, &s, "CVE-2022-27943", NULL, boot, 0));
	/* an SBOM with another serial number: the links are to another document */
	bh_component_set(&s.serial, "urn:uuid:00000000-395b-41f5-a30f-a58921a69b79", (size_t)-1);
	assert_null(bh_ignore_match_sbom(&ig, &s, "CVE-2021-44228", NULL, boot, 0));
	/* an image scan has no serial: the bom-ref (bulkhead's are purls) decides */
	free(s.serial);
	s.serial = NULL;
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2021-44228", NULL, boot, 0));
	bh_ignore_free(&ig);
	bh_sbom_free(&s);
}

/* bulkhead's own fixtures keep working: plain purls in OpenVEX and CycloneDX VEX. */
static void test_plain_vex(void **state)
{
	bh_ignores ig = { NULL, 0 };
	bh_error err;
	bh_sbom s;
	bh_component *c;
	(void)state;
	bh_sbom_init(&s);
	c = comp(&s, "libssl3", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5", NULL);
	assert_int_equal(load(FIX "openvex.json", &ig, &err), 0);
	assert_non_null(bh_ignore_match(&ig, "CVE-2024-0727", NULL, c, 0));
	assert_non_null(bh_ignore_match_sbom(&ig, &s, "CVE-2024-0727", NULL, c, 0));
	bh_ignore_free(&ig);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_keys),
		cmocka_unit_test(test_openvex_subcomponents),
		cmocka_unit_test(test_cdx_bomlink),
		cmocka_unit_test(test_plain_vex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
