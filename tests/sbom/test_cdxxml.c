/* test_cdxxml.c - CycloneDX XML to the JSON shape (content, hostile XML refused) and format sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "report/cyclonedx.h"
#include "sbom/cdxxml.h"
#include "sbom/sbomsniff.h"

static int conv(const char *xml, json_t **out, bh_error *err)
{
	bh_limits lim;
	bh_limits_default(&lim);
	return bh_cdxxml_to_json(xml, strlen(xml), &lim, "t.xml", out, err);
}

static void nested_and_fields(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?>\n"
		"<c:bom xmlns:c=\"http://cyclonedx.org/schema/bom/1.4\" xmlns:x=\"urn:ext\" serialNumber=\"urn:uuid:1\" version=\"3\">"
		"<c:metadata><c:component type=\"container\"><c:name>img</c:name></c:component></c:metadata>"
		"<c:components><c:component type=\"library\" bom-ref=\"a\"><c:name>a</c:name><c:version>1</c:version>"
		"<c:purl>\n  pkg:npm/a@1\n</c:purl><c:licenses><c:license><c:id>MIT</c:id><c:text>long text</c:text></c:license>"
		"<c:expression>MIT OR Apache-2.0</c:expression></c:licenses>"
		"<c:properties><c:property name=\"k\">v &amp; w</c:property></c:properties>"
		"<c:pedigree><c:ancestors><c:component type=\"library\"><c:purl>pkg:npm/ancestor@0</c:purl></c:component></c:ancestors></c:pedigree>"
		"<x:purl>pkg:npm/ext@1</x:purl>"
		"<c:components><c:component type=\"library\"><c:name>b</c:name><c:purl>pkg:github/o/b@2</c:purl></c:component></c:components>"
		"</c:component></c:components>"
		"<c:dependencies><c:dependency ref=\"a\"><c:dependency ref=\"b\"/></c:dependency></c:dependencies></c:bom>";
	json_t *j, *a, *b;
	bh_error err;
	(void)state;
	assert_int_equal(conv(xml, &j, &err), 0);
	assert_string_equal(bh_json_str(j, "bomFormat"), "CycloneDX");
	assert_string_equal(bh_json_str(j, "specVersion"), "1.4");
	assert_string_equal(bh_json_str(j, "serialNumber"), "urn:uuid:1");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	assert_string_equal(bh_json_str(json_object_get(json_object_get(j, "metadata"), "component"), "type"), "container");
	assert_int_equal(json_array_size(json_object_get(j, "components")), 1);
	a = json_array_get(json_object_get(j, "components"), 0);
	assert_string_equal(bh_json_str(a, "purl"), "pkg:npm/a@1"); /* white space around it trimmed */
	assert_string_equal(bh_json_str(a, "bom-ref"), "a");
	assert_string_equal(bh_json_str(json_object_get(json_array_get(json_object_get(a, "licenses"), 0), "license"), "id"), "MIT");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(a, "licenses"), 1), "expression"), "MIT OR Apache-2.0");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(a, "properties"), 0), "value"), "v & w");
	assert_null(json_object_get(a, "pedigree")); /* ancestors are not this BOM's components */
	b = json_array_get(json_object_get(a, "components"), 0);
	assert_string_equal(bh_json_str(b, "purl"), "pkg:github/o/b@2");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(json_object_get(j, "dependencies"), 0), "dependsOn"), 0)), "b");
	json_decref(j);
}

static void refused(const char *xml, const char *why)
{
	json_t *j = NULL;
	bh_error err;
	int rc = conv(xml, &j, &err);
	assert_int_not_equal(rc, 0);
	assert_null(j);
	if (!strstr(err.msg, why))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
}

static void hostile(void **state)
{
	bh_buf deep = BH_BUF_INIT;
	int i;
	(void)state;
	refused("<?xml version=\"1.0\"?><!DOCTYPE bom [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
		"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component><name>&b;</name></component></components></bom>",
		"DOCTYPE");
	refused("<!DOCTYPE bom SYSTEM \"file:///etc/passwd\"><bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>", "DOCTYPE");
	refused("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>&ext;</components></bom>", "not well-formed");
	refused("<bom xmlns=\"http://example.com/bom\"/>", "not a CycloneDX <bom>");
	refused("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>", "not well-formed");
	refused("", "not well-formed");
	/* nesting past max-json-depth */
	assert_int_equal(bh_buf_puts(&deep, "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>"), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(bh_buf_puts(&deep, "<component><components>"), 0);
	refused(deep.data, "max-json-depth");
	bh_buf_free(&deep);
}

static void many_components(void **state)
{
	bh_buf x = BH_BUF_INIT;
	bh_limits lim;
	bh_error err;
	json_t *j = NULL;
	int i;
	(void)state;
	bh_limits_default(&lim);
	lim.max_components = 10;
	assert_int_equal(bh_buf_puts(&x, "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>"), 0);
	for (i = 0; i < 11; i++)
		assert_int_equal(bh_buf_printf(&x, "<component><purl>pkg:npm/p%d@1</purl></component>", i), 0);
	assert_int_equal(bh_buf_puts(&x, "</components></bom>"), 0);
	assert_int_equal(bh_cdxxml_to_json(x.data, x.len, &lim, "t.xml", &j, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "max-components"));
	bh_buf_free(&x);
}

static void sniff(const char *doc, bh_sbomfmt fmt, const char *spec, const char *desc)
{
	bh_sbomsniff s;
	char what[128];
	bh_sbomsniff_buf(doc, strlen(doc), &s);
	if (s.fmt != fmt || strcmp(s.spec, spec) != 0)
		fail_msg("%.60s: format %d spec \"%s\", expected %d \"%s\"", doc, s.fmt, s.spec, fmt, spec);
	assert_string_equal(bh_sbomsniff_describe(&s, what, sizeof(what)), desc);
}

static void sniffing(void **state)
{
	bh_buf late = BH_BUF_INIT;
	int i;
	(void)state;
	/* the deciding keys after 8 KiB of other members, and keys of nested objects that must not count */
	assert_int_equal(bh_buf_puts(&late, "\xEF\xBB\xBF {\"metadata\": {\"bomFormat\": \"nested\", \"x\": \""), 0);
	for (i = 0; i < 8192; i++)
		assert_int_equal(bh_buf_puts(&late, i % 50 ? "a" : "\\\""), 0);
	assert_int_equal(bh_buf_puts(&late, "\"}, \"components\": [{\"specVersion\": \"9\"}], \"specVersion\": \"1.6\", \"bomFormat\": \"CycloneDX\"}"), 0);
	sniff(late.data, BH_SBOMFMT_CDX_JSON, "1.6", "a CycloneDX JSON document of spec 1.6");
	bh_buf_free(&late);
	sniff("{\"SPDXID\": \"SPDXRef-DOCUMENT\", \"spdxVersion\": \"SPDX-2.3\"}", BH_SBOMFMT_SPDX_JSON, "SPDX-2.3", "an SPDX 2.3 JSON document");
	sniff("{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", \"@graph\": []}", BH_SBOMFMT_SPDX3_JSONLD, "3.0.1",
	      "an SPDX 3.0.1 JSON-LD document");
	sniff("{\"@context\": \"https://openvex.dev/ns/v0.2.0\"}", BH_SBOMFMT_OTHER_JSON, "", "a JSON document that is no SBOM format bulkhead reads");
	sniff("{\"schema\": \"bulkhead-sbom/1\"}", BH_SBOMFMT_BULKHEAD, "bulkhead-sbom/1", "a bulkhead SBOM (bulkhead-sbom/1)");
	sniff("[1, 2]", BH_SBOMFMT_OTHER_JSON, "", "a JSON document that is no SBOM format bulkhead reads");
	sniff("# made by hand\n\nSPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n", BH_SBOMFMT_SPDX_TV, "SPDX-2.2", "an SPDX 2.2 tag-value document");
	sniff("---\nSPDXID: SPDXRef-DOCUMENT\nspdxVersion: \"SPDX-2.3\"\n", BH_SBOMFMT_SPDX_YAML, "SPDX-2.3", "an SPDX 2.3 YAML document");
	sniff("<?xml version=\"1.0\"?>\n<!-- c -->\n<bom serialNumber=\"x\" xmlns=\"http://cyclonedx.org/schema/bom/1.6\">", BH_SBOMFMT_CDX_XML,
	      "1.6", "a CycloneDX XML document of spec 1.6");
	sniff("<c:bom xmlns:c='http://cyclonedx.org/schema/bom/1.2'>", BH_SBOMFMT_CDX_XML, "1.2", "a CycloneDX XML document of spec 1.2");
	sniff("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:spdx=\"http://spdx.org/rdf/terms#\">",
	      BH_SBOMFMT_SPDX_RDF, "", "an SPDX RDF/XML document");
	sniff("<project xmlns=\"http://maven.apache.org/POM/4.0.0\">", BH_SBOMFMT_OTHER_XML, "", "an XML document that is no SBOM format bulkhead reads");
	sniff("manifest.json\0", BH_SBOMFMT_NONE, "", "not an SBOM document (neither JSON, XML nor SPDX tag-value)");
	{
		/* binary that happens to start like JSON or XML (a tar whose first member is "{x}.json", random
		 * bytes): a NUL anywhere in the head says it is no text document */
		static const char tarhead[512] = "{x}.json\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
		static const char xmlbin[] = "<?xml \x01\x02\0\xff";
		bh_sbomsniff s;
		bh_sbomsniff_buf(tarhead, sizeof(tarhead), &s);
		assert_int_equal(s.fmt, BH_SBOMFMT_NONE);
		bh_sbomsniff_buf(xmlbin, sizeof(xmlbin) - 1, &s);
		assert_int_equal(s.fmt, BH_SBOMFMT_NONE);
	}
}

static void spec_names(void **state)
{
	bh_report_cdx_spec s;
	(void)state;
	assert_int_equal(bh_report_cyclonedx_spec_parse("cyclonedx", &s), 0);
	assert_int_equal(s, BH_REPORT_CDX_1_6);
	assert_int_equal(bh_report_cyclonedx_spec_parse("cyclonedx-1.5", &s), 0);
	assert_int_equal(s, BH_REPORT_CDX_1_5);
	assert_int_equal(bh_report_cyclonedx_spec_parse("cyclonedx-1.4", &s), BH_EUSAGE);
}

static void writer_versions(void **state)
{
	bh_sbom s;
	json_t *a, *b;
	bh_error err;
	bh_component *c;
	(void)state;
	bh_sbom_init(&s);
	c = bh_complist_add(&s.comps, BH_ECO_NPM);
	bh_component_set(&c->name, "left-pad", (size_t)-1);
	bh_component_set(&c->version, "1.3.0", (size_t)-1);
	assert_int_equal(bh_sbom_finalize(&s, NULL), 0);
	assert_int_equal(bh_report_cyclonedx(&s, &a, &err), 0);
	assert_int_equal(bh_report_cyclonedx_as(&s, BH_REPORT_CDX_1_5, &b, &err), 0);
	assert_string_equal(bh_json_str(a, "specVersion"), "1.6");
	assert_string_equal(bh_json_str(a, "$schema"), "http://cyclonedx.org/schema/bom-1.6.schema.json");
	assert_string_equal(bh_json_str(b, "specVersion"), "1.5");
	assert_string_equal(bh_json_str(b, "$schema"), "http://cyclonedx.org/schema/bom-1.5.schema.json");
	assert_string_equal(bh_json_str(json_array_get(json_object_get(a, "components"), 0), "purl"), "pkg:npm/left-pad@1.3.0");
	json_decref(a);
	json_decref(b);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_and_fields), cmocka_unit_test(hostile), cmocka_unit_test(many_components),
		cmocka_unit_test(sniffing), cmocka_unit_test(spec_names), cmocka_unit_test(writer_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
