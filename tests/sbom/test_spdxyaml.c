/* test_spdxyaml.c - SPDX 2 YAML into its JSON object: fields, aliases refused, depth and size bounds, errors. */
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
#include "sbom/spdxyaml.h"

static const char DOC[] =
	"---\n"
	"# an SPDX 2.3 document in YAML\n"
	"SPDXID: \"SPDXRef-DOCUMENT\"\n"
	"spdxVersion: \"SPDX-2.3\"\n"
	"name: demo\n"
	"creationInfo:\n"
	"  creators:\n"
	"  - \"Tool: bulkhead-0.1\"\n"
	"packages:\n"
	"- SPDXID: SPDXRef-a\n"
	"  name: libc6\n"
	"  versionInfo: \"2.36-9\"\n"
	"  filesAnalyzed: false\n"
	"  licenseDeclared: LGPL-2.1-or-later\n"
	"  externalRefs:\n"
	"  - referenceCategory: PACKAGE-MANAGER\n"
	"    referenceType: purl\n"
	"    referenceLocator: pkg:deb/debian/libc6@2.36-9?arch=amd64\n"
	"- SPDXID: SPDXRef-b\n"
	"  name: zlib\n"
	"  filesAnalyzed: \"true\"\n"
	"relationships:\n"
	"- spdxElementId: SPDXRef-a\n"
	"  relationshipType: DEPENDS_ON\n"
	"  relatedSpdxElement: SPDXRef-b\n";

static void test_fields(void **state)
{
	bh_limits lim;
	bh_error err = { 0 };
	json_t *j = NULL, *p;
	(void)state;
	bh_limits_default(&lim);
	assert_int_equal(bh_spdxyaml_to_json(DOC, strlen(DOC), &lim, &j, &err), 0);
	assert_string_equal(bh_json_str(j, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(bh_json_str(j, "name"), "demo");
	assert_int_equal(json_array_size(json_object_get(j, "packages")), 2);
	p = json_array_get(json_object_get(j, "packages"), 0);
	assert_string_equal(bh_json_str(p, "versionInfo"), "2.36-9");
	assert_true(json_is_false(json_object_get(p, "filesAnalyzed")));
	assert_string_equal(bh_json_str(json_array_get(json_object_get(p, "externalRefs"), 0), "referenceLocator"),
			    "pkg:deb/debian/libc6@2.36-9?arch=amd64");
	/* a quoted "true" is still the boolean the model means */
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "packages"), 1), "filesAnalyzed")));
	assert_string_equal(bh_json_str(json_array_get(json_object_get(j, "relationships"), 0), "relationshipType"), "DEPENDS_ON");
	json_decref(j);
}

static void refused(const char *text, const bh_limits *lim, int code, const char *want1, const char *want2)
{
	json_t *j = (json_t *)1;
	bh_error err = { 0 };
	assert_int_equal(bh_spdxyaml_to_json(text, strlen(text), lim, &j, &err), code);
	assert_null(j);
	if ((want1 && !strstr(err.msg, want1)) || (want2 && !strstr(err.msg, want2)))
		fprintf(stderr, "message \"%s\" lacks \"%s\" or \"%s\"\n", err.msg, want1, want2 ? want2 : "");
	assert_true(!want1 || strstr(err.msg, want1));
	assert_true(!want2 || strstr(err.msg, want2));
}

static void test_errors(void **state)
{
	bh_limits lim;
	(void)state;
	bh_limits_default(&lim);
	refused("- a\n- b\n", &lim, BH_EINVAL, "not a mapping", NULL);
	refused("name: x\npackages: []\n", &lim, BH_EINVAL, "no spdxVersion", NULL);
	refused("spdxVersion: SPDX-3.0\n", &lim, BH_EINVAL, "SPDX-2.x", "SPDX-3.0");
	refused("spdxVersion: SPDX-2.3\npackages:\n  a: b\n", &lim, BH_EINVAL, "packages is not a list", NULL);
	refused("spdxVersion: SPDX-2.3\npackages:\n- a\n", &lim, BH_EINVAL, "package 1 is not a mapping", NULL);
	refused("spdxVersion: SPDX-2.3\nname: \"unclosed\npackages: []\n", &lim, BH_EINVAL, "line", NULL);
	refused("spdxVersion: SPDX-2.3\nname: a\n  bad: indent\n", &lim, BH_EINVAL, "line 3", NULL);
}

/* Aliases would let a small document grow exponentially: refused outright. */
static void test_aliases(void **state)
{
	static const char laughs[] = "spdxVersion: SPDX-2.3\n"
				     "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
				     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				     "packages: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
	bh_limits lim;
	(void)state;
	bh_limits_default(&lim);
	refused(laughs, &lim, BH_EINVAL, "aliases", NULL);
}

static void test_limits(void **state)
{
	bh_limits lim;
	bh_buf b = BH_BUF_INIT;
	int i;
	(void)state;
	bh_limits_default(&lim);
	/* nesting: 200 levels of flow lists in a value */
	assert_int_equal(bh_buf_puts(&b, "spdxVersion: SPDX-2.3\ncomment: "), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(bh_buf_putc(&b, '['), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(bh_buf_putc(&b, ']'), 0);
	assert_int_equal(bh_buf_putc(&b, '\n'), 0);
	refused(b.data, &lim, BH_ELIMIT, "deeper than 64", NULL);
	bh_buf_free(&b);
	lim.max_components = 1;
	refused(DOC, &lim, BH_ELIMIT, "max-components", NULL);
	bh_limits_default(&lim);
	lim.max_meta_size = 100;
	refused(DOC, &lim, BH_ELIMIT, "max-meta-size", NULL);
}

static void test_sniff(void **state)
{
	static const char json[] = "{\"spdxVersion\": \"SPDX-2.3\"}";
	static const char tv[] = "DataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nSPDXVersion: SPDX-2.3\n";
	static const char nested[] = "doc:\n  spdxVersion: SPDX-2.3\n";
	static const char quoted[] = "%YAML 1.2\n---\n\"spdxVersion\": \"SPDX-2.3\"\n";
	(void)state;
	assert_true(bh_spdxyaml_sniff(DOC, strlen(DOC)));
	assert_true(bh_spdxyaml_sniff(quoted, strlen(quoted)));
	assert_false(bh_spdxyaml_sniff(json, strlen(json)));
	assert_false(bh_spdxyaml_sniff(tv, strlen(tv)));
	assert_false(bh_spdxyaml_sniff(nested, strlen(nested)));
	assert_false(bh_spdxyaml_sniff("", 0));
	{
		/* a key cut at the end of the data (found by fuzz_spdxyaml: read one byte past it) */
		static const char cut[] = "a: b\nspdxVersion";
		char *exact = malloc(sizeof(cut) - 1);
		assert_non_null(exact);
		memcpy(exact, cut, sizeof(cut) - 1);
		assert_false(bh_spdxyaml_sniff(exact, sizeof(cut) - 1));
		free(exact);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
