/* test_spdx3.c - SPDX 3.0 JSON-LD into SPDX 2.3 packages: purls, licences through relationships, errors, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "sbom/spdx3.h"

/* Relationships before the packages they name, a blank-node CreationInfo, inline and referenced agents. */
static const char DOC[] =
	"{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", \"@graph\": ["
	"{\"type\": \"Relationship\", \"spdxId\": \"urn:r1\", \"creationInfo\": \"_:ci\", \"relationshipType\": \"hasDeclaredLicense\","
	" \"from\": \"urn:pkg-a\", \"to\": [\"urn:lic-1\"]},"
	"{\"type\": \"Relationship\", \"spdxId\": \"urn:r2\", \"relationshipType\": \"hasConcludedLicense\","
	" \"from\": \"urn:pkg-a\", \"to\": [\"https://spdx.org/licenses/MIT\"]},"
	"{\"type\": \"LifecycleScopedRelationship\", \"spdxId\": \"urn:r3\", \"relationshipType\": \"dependsOn\", \"scope\": \"runtime\","
	" \"from\": \"urn:pkg-a\", \"to\": [\"urn:pkg-b\", \"urn:pkg-os\"]},"
	"{\"type\": \"Relationship\", \"spdxId\": \"urn:r4\", \"relationshipType\": \"describes\", \"from\": \"urn:doc\", \"to\": [\"urn:pkg-a\"]},"
	"{\"type\": \"CreationInfo\", \"@id\": \"_:ci\", \"specVersion\": \"3.0.1\", \"created\": \"2026-01-01T00:00:00Z\","
	" \"createdBy\": [\"urn:jane\"], \"createdUsing\": [{\"type\": \"Tool\", \"spdxId\": \"urn:tool\", \"name\": \"bulkhead-0.1\"}]},"
	"{\"type\": \"Person\", \"spdxId\": \"urn:jane\", \"name\": \"Jane\"},"
	"{\"type\": \"Organization\", \"spdxId\": \"urn:acme\", \"name\": \"ACME\"},"
	"{\"type\": \"SpdxDocument\", \"spdxId\": \"urn:doc\", \"name\": \"demo\", \"creationInfo\": \"_:ci\", \"rootElement\": [\"urn:pkg-a\"]},"
	"{\"type\": \"simplelicensing_LicenseExpression\", \"spdxId\": \"urn:lic-1\", \"simplelicensing_licenseExpression\": \"Apache-2.0 OR MIT\"},"
	"{\"type\": \"software_Package\", \"spdxId\": \"urn:pkg-a\", \"name\": \"hyper\", \"software_packageVersion\": \"0.14\","
	" \"software_packageUrl\": \"pkg:cargo/hyper@0.14\", \"suppliedBy\": \"urn:acme\", \"software_primaryPurpose\": \"library\","
	" \"externalIdentifier\": [{\"type\": \"ExternalIdentifier\", \"externalIdentifierType\": \"packageUrl\", \"identifier\": \"pkg:cargo/hyper@0.14\"},"
	"  {\"type\": \"ExternalIdentifier\", \"externalIdentifierType\": \"cpe23\", \"identifier\": \"cpe:2.3:a:hyper:hyper:0.14:*:*:*:*:*:*:*\"}],"
	" \"verifiedUsing\": [{\"type\": \"Hash\", \"algorithm\": \"sha3_256\", \"hashValue\": \"ab12\"}]},"
	"{\"type\": \"software_Package\", \"spdxId\": \"urn:pkg-b\", \"name\": \"tokio\", \"software_packageVersion\": \"1.19.2\","
	" \"externalIdentifier\": [{\"type\": \"ExternalIdentifier\", \"externalIdentifierType\": \"packageUrl\", \"identifier\": \"pkg:cargo/tokio@1.19.2\"}]},"
	"{\"type\": \"software_Package\", \"spdxId\": \"urn:pkg-os\", \"name\": \"debian\", \"software_packageVersion\": \"12\","
	" \"software_primaryPurpose\": \"operatingSystem\"},"
	"{\"type\": \"software_File\", \"spdxId\": \"urn:file\", \"name\": \"a.c\"}"
	"]}";

static const char *ref_loc(json_t *p, size_t i) { return bh_json_str(json_array_get(json_object_get(p, "externalRefs"), i), "referenceLocator"); }

static void test_fields(void **state)
{
	bh_limits lim;
	bh_error err = { 0 };
	json_t *j = NULL, *p, *rels, *ci;
	size_t i;
	bool dep_b = false, dep_os = false, describes = false;
	(void)state;
	bh_limits_default(&lim);
	if (bh_spdx3_to_json(DOC, strlen(DOC), &lim, &j, &err))
		fprintf(stderr, "unexpected error: %s\n", err.msg);
	assert_non_null(j);
	assert_string_equal(bh_json_str(j, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(bh_json_str(j, "name"), "demo");
	assert_string_equal(bh_json_str(j, "documentNamespace"), "urn:doc");
	ci = json_object_get(j, "creationInfo");
	assert_string_equal(bh_json_str(ci, "created"), "2026-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ci, "creators"), 0)), "Person: Jane");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ci, "creators"), 1)), "Tool: bulkhead-0.1");
	assert_int_equal(json_array_size(json_object_get(j, "packages")), 3); /* the file is no package */
	p = json_array_get(json_object_get(j, "packages"), 0);
	assert_string_equal(bh_json_str(p, "SPDXID"), "urn:pkg-a");
	assert_string_equal(bh_json_str(p, "name"), "hyper");
	assert_string_equal(bh_json_str(p, "versionInfo"), "0.14");
	assert_string_equal(bh_json_str(p, "supplier"), "Organization: ACME");
	assert_string_equal(bh_json_str(p, "primaryPackagePurpose"), "LIBRARY");
	assert_string_equal(bh_json_str(p, "licenseDeclared"), "Apache-2.0 OR MIT");
	assert_string_equal(bh_json_str(p, "licenseConcluded"), "MIT");
	/* software_packageUrl and the same purl as an identifier: one reference, then the cpe */
	assert_int_equal(json_array_size(json_object_get(p, "externalRefs")), 2);
	assert_string_equal(ref_loc(p, 0), "pkg:cargo/hyper@0.14");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(p, "externalRefs"), 0), "referenceType"), "purl");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(p, "externalRefs"), 1), "referenceType"), "cpe23Type");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(p, "checksums"), 0), "algorithm"), "SHA3-256");
	p = json_array_get(json_object_get(j, "packages"), 1);
	assert_string_equal(ref_loc(p, 0), "pkg:cargo/tokio@1.19.2");
	assert_null(json_object_get(p, "licenseDeclared"));
	p = json_array_get(json_object_get(j, "packages"), 2);
	assert_string_equal(bh_json_str(p, "primaryPackagePurpose"), "OPERATING-SYSTEM");
	assert_null(json_object_get(p, "externalRefs"));
	rels = json_object_get(j, "relationships");
	assert_int_equal(json_array_size(rels), 3); /* the licence relationships went into the package */
	for (i = 0; i < json_array_size(rels); i++) {
		json_t *r = json_array_get(rels, i);
		const char *a = bh_json_str(r, "spdxElementId"), *t = bh_json_str(r, "relationshipType"), *b = bh_json_str(r, "relatedSpdxElement");
		dep_b |= !strcmp(a, "urn:pkg-a") && !strcmp(t, "DEPENDS_ON") && !strcmp(b, "urn:pkg-b");
		dep_os |= !strcmp(a, "urn:pkg-a") && !strcmp(t, "DEPENDS_ON") && !strcmp(b, "urn:pkg-os");
		describes |= !strcmp(a, "SPDXRef-DOCUMENT") && !strcmp(t, "DESCRIBES") && !strcmp(b, "urn:pkg-a");
	}
	assert_true(dep_b && dep_os && describes);
	json_decref(j);
}

static void refused(const char *text, const bh_limits *lim, int code, const char *want1, const char *want2)
{
	json_t *j = (json_t *)1;
	bh_error err = { 0 };
	assert_int_equal(bh_spdx3_to_json(text, strlen(text), lim, &j, &err), code);
	assert_null(j);
	if ((want1 && !strstr(err.msg, want1)) || (want2 && !strstr(err.msg, want2)))
		fprintf(stderr, "message \"%s\" lacks \"%s\" or \"%s\"\n", err.msg, want1, want2 ? want2 : "");
	assert_true(!want1 || strstr(err.msg, want1));
	assert_true(!want2 || strstr(err.msg, want2));
}

#define CTX "\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\""

static void test_errors(void **state)
{
	bh_limits lim;
	(void)state;
	bh_limits_default(&lim);
	refused("[1, 2]", &lim, BH_EINVAL, "not a JSON object", NULL);
	refused("{\"@graph\": []}", &lim, BH_EINVAL, "@context", NULL);
	refused("{\"@context\": \"https://example.com/other.jsonld\", \"@graph\": []}", &lim, BH_EINVAL, "@context", NULL);
	refused("{" CTX ", \"@graph\": {\"type\": \"software_Package\"}}", &lim, BH_EINVAL, "@graph is not a list", NULL);
	refused("{" CTX ", \"@graph\": [{\"type\": \"Person\"}, 7]}", &lim, BH_EINVAL, "element 2", "not an object");
	refused("{" CTX ", \"@graph\": [}", &lim, BH_EINVAL, "invalid JSON", NULL);
}

/* Wrong types where references and strings belong: skipped, never a crash. */
static void test_hostile_shapes(void **state)
{
	static const char doc[] = "{" CTX ", \"@graph\": ["
				  "{\"type\": \"Relationship\", \"relationshipType\": \"hasDeclaredLicense\", \"from\": \"p\", \"to\": \"nowhere\"},"
				  "{\"type\": \"Relationship\", \"relationshipType\": \"dependsOn\", \"from\": 5, \"to\": [1, null, {}]},"
				  "{\"type\": \"Relationship\", \"relationshipType\": \"contains\", \"from\": \"p\", \"to\": [\"q\", 3]},"
				  "{\"type\": \"Relationship\", \"relationshipType\": 9, \"from\": \"p\", \"to\": [\"q\"]},"
				  "{\"type\": \"software_Package\", \"spdxId\": \"p\", \"name\": 3, \"software_packageUrl\": [],"
				  " \"externalIdentifier\": {\"a\": 1}, \"verifiedUsing\": [7, {\"type\": \"Hash\"}], \"suppliedBy\": \"p\"},"
				  "{\"type\": \"software_Package\", \"spdxId\": \"p\", \"name\": \"dup id\"},"
				  "{\"type\": 12}, {\"@type\": \"software_Package\"}]}";
	bh_limits lim;
	bh_error err = { 0 };
	json_t *j = NULL;
	(void)state;
	bh_limits_default(&lim);
	assert_int_equal(bh_spdx3_to_json(doc, strlen(doc), &lim, &j, &err), 0);
	assert_int_equal(json_array_size(json_object_get(j, "packages")), 3);
	assert_null(json_object_get(json_array_get(json_object_get(j, "packages"), 0), "licenseDeclared"));
	assert_int_equal(json_array_size(json_object_get(j, "relationships")), 1); /* p CONTAINS q */
	assert_string_equal(bh_json_str(json_array_get(json_object_get(j, "relationships"), 0), "relationshipType"), "CONTAINS");
	json_decref(j);
}

static void test_limits(void **state)
{
	bh_limits lim;
	bh_buf b = BH_BUF_INIT;
	int i;
	(void)state;
	bh_limits_default(&lim);
	lim.max_components = 2;
	refused(DOC, &lim, BH_ELIMIT, "urn:pkg-os", "max-components");
	bh_limits_default(&lim);
	lim.max_meta_size = 64;
	refused(DOC, &lim, BH_ELIMIT, "max-meta-size", NULL);
	bh_limits_default(&lim);
	assert_int_equal(bh_buf_puts(&b, "{" CTX ", \"@graph\": [{\"type\": \"software_Package\", \"comment\": "), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(bh_buf_putc(&b, '['), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(bh_buf_putc(&b, ']'), 0);
	assert_int_equal(bh_buf_puts(&b, "}]}"), 0);
	refused(b.data, &lim, BH_ELIMIT, "max-json-depth", NULL);
	bh_buf_free(&b);
}

static void test_sniff(void **state)
{
	static const char spdx2[] = "{\"spdxVersion\": \"SPDX-2.3\", \"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}";
	static const char late_ctx[] = "{\"@graph\": [{\"type\": \"CreationInfo\", \"spdxId\": \"x\"}], \"@context\": \"...\"}";
	static const char other[] = "{\"@context\": \"https://schema.org\", \"@graph\": []}";
	(void)state;
	assert_true(bh_spdx3_sniff(DOC, strlen(DOC)));
	assert_true(bh_spdx3_sniff(late_ctx, strlen(late_ctx)));
	assert_false(bh_spdx3_sniff(spdx2, strlen(spdx2)));
	assert_false(bh_spdx3_sniff(other, strlen(other)));
	assert_false(bh_spdx3_sniff("SPDXVersion: SPDX-2.3\n", 22));
	assert_false(bh_spdx3_sniff("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile_shapes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
