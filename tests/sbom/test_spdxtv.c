/* test_spdxtv.c - SPDX tag-value into the SPDX 2.3 JSON shape: fields, sections, errors with their line, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "sbom/spdxtv.h"

static const char DOC[] =
	"# written by hand\r\n"
	"SPDXVersion: SPDX-2.3\r\n"
	"DataLicense: CC0-1.0\n"
	"SPDXID: SPDXRef-DOCUMENT\n"
	"DocumentName: demo\n"
	"DocumentNamespace: https://example.com/demo\n"
	"Creator: Tool: bulkhead-0.1\n"
	"Creator: Person: Jane\n"
	"Created: 2026-01-01T00:00:00Z\n"
	"\n"
	"PackageName: libc6\n"
	"SPDXID: SPDXRef-libc6\n"
	"PackageVersion: 2.36-9\n"
	"PackageSupplier: Organization: Debian\n"
	"FilesAnalyzed: false\n"
	"PackageChecksum: SHA256: abcd\n"
	"PackageVerificationCode: d6a7 (excludes: ./package.spdx)\n"
	"PackageLicenseDeclared: LGPL-2.1-or-later\n"
	"PackageCopyrightText: <text>Copyright 1991\n"
	"PackageName: not-a-package\n"
	"Free Software Foundation</text>\n"
	"ExternalRef: SECURITY cpe23Type cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*\n"
	"ExternalRef: PACKAGE-MANAGER purl pkg:deb/debian/libc6@2.36-9?arch=amd64\n"
	"ExternalRefComment: the binary package\n"
	"\n"
	"FileName: ./lib/libc.so.6\n"
	"SPDXID: SPDXRef-File-libc\n"
	"FileChecksum: SHA1: 1234\n"
	"\n"
	"PackageName: zlib\n"
	"SPDXID: SPDXRef-zlib\n"
	"PackageVersion: 1.3\n"
	"PackageLicenseInfoFromFiles: Zlib\n"
	"\n"
	"Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-libc6\n"
	"Relationship: SPDXRef-libc6 DEPENDS_ON SPDXRef-zlib\n"
	"RelationshipComment: runtime\n"
	"Annotator: Tool: bulkhead-0.1\n"
	"AnnotationDate: 2026-01-01T00:00:00Z\n"
	"AnnotationType: OTHER\n"
	"SPDXREF: SPDXRef-zlib\n"
	"AnnotationComment: bulkhead:layer=0\n"
	"LicenseID: LicenseRef-1\n"
	"ExtractedText: <text>some\nlicence</text>\n"
	"LicenseName: One\n";

static json_t *convert_ok(const char *text, const bh_limits *lim)
{
	json_t *j = NULL;
	bh_error err = { 0 };
	int rc = bh_spdxtv_to_json(text, strlen(text), lim, &j, &err);
	if (rc)
		fprintf(stderr, "unexpected error: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(j);
	return j;
}

static void test_fields(void **state)
{
	bh_limits lim;
	json_t *j, *p, *refs, *rel, *ann;
	(void)state;
	bh_limits_default(&lim);
	j = convert_ok(DOC, &lim);
	assert_string_equal(bh_json_str(j, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(bh_json_str(j, "SPDXID"), "SPDXRef-DOCUMENT");
	assert_string_equal(bh_json_str(j, "name"), "demo");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(j, "creationInfo"), "creators"), 0)),
			    "Tool: bulkhead-0.1");
	assert_int_equal(json_array_size(json_object_get(j, "packages")), 2); /* the PackageName inside <text> is text */
	p = json_array_get(json_object_get(j, "packages"), 0);
	assert_string_equal(bh_json_str(p, "name"), "libc6");
	assert_string_equal(bh_json_str(p, "SPDXID"), "SPDXRef-libc6"); /* the file's SPDXID stays the file's */
	assert_string_equal(bh_json_str(p, "versionInfo"), "2.36-9");
	assert_string_equal(bh_json_str(p, "supplier"), "Organization: Debian");
	assert_true(json_is_false(json_object_get(p, "filesAnalyzed")));
	assert_string_equal(bh_json_str(json_array_get(json_object_get(p, "checksums"), 0), "algorithm"), "SHA256");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(p, "checksums"), 0), "checksumValue"), "abcd");
	assert_string_equal(bh_json_str(json_object_get(p, "packageVerificationCode"), "packageVerificationCodeValue"), "d6a7");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(p, "packageVerificationCode"), "packageVerificationCodeExcludedFiles"), 0)),
			    "./package.spdx");
	assert_string_equal(bh_json_str(p, "licenseDeclared"), "LGPL-2.1-or-later");
	assert_string_equal(bh_json_str(p, "copyrightText"), "Copyright 1991\nPackageName: not-a-package\nFree Software Foundation");
	refs = json_object_get(p, "externalRefs");
	assert_int_equal(json_array_size(refs), 2);
	assert_string_equal(bh_json_str(json_array_get(refs, 1), "referenceCategory"), "PACKAGE-MANAGER");
	assert_string_equal(bh_json_str(json_array_get(refs, 1), "referenceType"), "purl");
	assert_string_equal(bh_json_str(json_array_get(refs, 1), "referenceLocator"), "pkg:deb/debian/libc6@2.36-9?arch=amd64");
	assert_string_equal(bh_json_str(json_array_get(refs, 1), "comment"), "the binary package");
	p = json_array_get(json_object_get(j, "packages"), 1);
	assert_string_equal(bh_json_str(p, "versionInfo"), "1.3");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "licenseInfoFromFiles"), 0)), "Zlib");
	ann = json_array_get(json_object_get(p, "annotations"), 0);
	assert_string_equal(bh_json_str(ann, "comment"), "bulkhead:layer=0");
	assert_null(json_object_get(ann, "_ref"));
	rel = json_array_get(json_object_get(j, "relationships"), 1);
	assert_string_equal(bh_json_str(rel, "spdxElementId"), "SPDXRef-libc6");
	assert_string_equal(bh_json_str(rel, "relationshipType"), "DEPENDS_ON");
	assert_string_equal(bh_json_str(rel, "relatedSpdxElement"), "SPDXRef-zlib");
	assert_string_equal(bh_json_str(rel, "comment"), "runtime");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(j, "hasExtractedLicensingInfos"), 0), "extractedText"), "some\nlicence");
	json_decref(j);
}

/* Converts text, expects code and a message holding each of want[] (NULL-terminated). */
static void refused(const char *text, size_t len, const bh_limits *lim, int code, const char *const *want)
{
	json_t *j = (json_t *)1;
	bh_error err = { 0 };
	assert_int_equal(bh_spdxtv_to_json(text, len, lim, &j, &err), code);
	assert_null(j);
	for (; *want; want++) {
		if (!strstr(err.msg, *want))
			fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, *want);
		assert_non_null(strstr(err.msg, *want));
	}
}

#define REFUSED(text, code, ...)                                                            \
	do {                                                                                \
		static const char *const w_[] = { __VA_ARGS__, NULL };                      \
		refused(text, sizeof(text) - 1, &lim, code, w_);                            \
	} while (0)

static void test_errors(void **state)
{
	bh_limits lim;
	(void)state;
	bh_limits_default(&lim);
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: a\n\nPackageCopyrightText: <text>never closed\nmore\n", BH_EINVAL, "line 4",
		"</text>");
	REFUSED("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\njust words here\n", BH_EINVAL, "line 3", "Tag: value", "just words");
	REFUSED("SPDXVersion: SPDX-2.3\nPackageVersion: 1.0\n", BH_EINVAL, "line 2", "outside a package");
	REFUSED("SPDXVersion: SPDX-2.3\nFileName: a\nPackageVersion: 1.0\n", BH_EINVAL, "line 3", "outside a package");
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: caf\xe9\n", BH_EINVAL, "line 2", "UTF-8");
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: \xed\xa0\x80\n", BH_EINVAL, "line 2", "UTF-8"); /* a surrogate */
	REFUSED("SPDXVersion: SPDX-2.3\n\nPackageName: a\0b\n", BH_EINVAL, "line 3", "NUL");
	REFUSED("DataLicense: CC0-1.0\nPackageName: a\n", BH_EINVAL, "no SPDXVersion");
	REFUSED("SPDXVersion: SPDX-3.0\n", BH_EINVAL, "line 1", "SPDX-2.x", "SPDX-3.0");
	REFUSED("SPDXVersion: SPDX-2.3\nRelationship: SPDXRef-A DEPENDS_ON\n", BH_EINVAL, "line 2", "Relationship");
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: a\nExternalRef: PACKAGE-MANAGER purl\n", BH_EINVAL, "line 3", "ExternalRef");
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageChecksum: abcd\n", BH_EINVAL, "line 3", "checksum");
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: a\nFilesAnalyzed: maybe\n", BH_EINVAL, "line 3", "FilesAnalyzed");
	/* line numbers go on counting through <text> blocks */
	REFUSED("SPDXVersion: SPDX-2.3\nDocumentComment: <text>a\nb\nc</text>\n: no tag\n", BH_EINVAL, "line 5");
}

static void test_limits(void **state)
{
	bh_limits lim;
	(void)state;
	bh_limits_default(&lim);
	lim.max_components = 2;
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageName: b\nPackageName: c\n", BH_ELIMIT, "line 4", "max-components");
	lim.max_components = 3;
	json_decref(convert_ok("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageName: b\nPackageName: c\n", &lim));
	lim.max_meta_size = 20;
	REFUSED("SPDXVersion: SPDX-2.3\nPackageName: a\n", BH_ELIMIT, "max-meta-size");
}

static void test_sniff(void **state)
{
	static const char yaml[] = "---\nspdxVersion: \"SPDX-2.3\"\n";
	static const char json[] = "{\"spdxVersion\": \"SPDX-2.3\"}";
	static const char late[] = "# c\n\nDataLicense: CC0-1.0\nSPDXVersion: SPDX-2.2\n";
	static const char other[] = "Hello: world\nthis is not spdx\nSPDXVersion: SPDX-2.3\n";
	(void)state;
	assert_true(bh_spdxtv_sniff(DOC, strlen(DOC)));
	assert_true(bh_spdxtv_sniff(late, strlen(late)));
	assert_false(bh_spdxtv_sniff(yaml, strlen(yaml)));
	assert_false(bh_spdxtv_sniff(json, strlen(json)));
	assert_false(bh_spdxtv_sniff(other, strlen(other)));
	assert_false(bh_spdxtv_sniff("", 0));
	assert_false(bh_spdxtv_sniff("SPDXVer", 7)); /* a prefix cut short */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
