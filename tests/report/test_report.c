/* test_report.c - the streamed JSON writer writes what jansson writes for the same tree; every
 * format keeps findings with invalid UTF-8 and escapes hostile names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jout.h"
#include "report/report.h"
#include "report/vulnreport.h"

static char *dump_tree(json_t *doc)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	bh_error e;
	assert_non_null(fp);
	assert_int_equal(bh_report_dump(doc, fp, &e), 0);
	fclose(fp);
	return p;
}

static void test_stream_equals_tree(void **state)
{
	const char *text = "{\"schema\": \"x\", \"empty\": [], \"obj\": {\"a\": [1, {\"b\": \"q\\\"\\n\"}], \"e\": {}},"
			   " \"list\": [{\"id\": 1, \"deep\": {\"k\": [true, null]}}, \"s\", []], \"tail\": {}, \"end\": []}";
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
	char *want, *got = NULL;
	size_t n = 0, i;
	FILE *fp;
	bh_jstream *js;
	bh_error e;
	(void)state;
	assert_non_null(doc);
	want = dump_tree(json_incref(doc));
	fp = open_memstream(&got, &n);
	js = bh_jstream_open(fp);
	bh_jstream_begin(js, NULL, '{');
	bh_jstream_value(js, "schema", json_incref(json_object_get(doc, "schema")));
	bh_jstream_begin(js, "empty", '[');
	bh_jstream_end(js);
	bh_jstream_value(js, "obj", json_incref(json_object_get(doc, "obj")));
	bh_jstream_begin(js, "list", '[');
	for (i = 0; i < json_array_size(json_object_get(doc, "list")); i++)
		bh_jstream_value(js, NULL, json_incref(json_array_get(json_object_get(doc, "list"), i)));
	bh_jstream_end(js);
	bh_jstream_begin(js, "tail", '{');
	bh_jstream_end(js);
	bh_jstream_value(js, "end", json_incref(json_object_get(doc, "end")));
	assert_int_equal(bh_jstream_close(js, &e), 0); /* closes the outer object itself */
	fclose(fp);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(doc);
}

static void test_stream_depth_bounded(void **state)
{
	char *got = NULL;
	size_t n = 0;
	int i;
	FILE *fp = open_memstream(&got, &n);
	bh_jstream *js = bh_jstream_open(fp);
	bh_error e;
	(void)state;
	for (i = 0; i < 20; i++)
		bh_jstream_begin(js, NULL, '[');
	assert_int_not_equal(bh_jstream_close(js, &e), 0);
	fclose(fp);
	free(got);
}


/* An image of one layer: a Go module under a path with \xff and ESC, a dpkg name with \xff. */
static void hostile_sbom(bh_sbom *s)
{
	bh_layer *l;
	bh_component *c;
	bh_sbom_init(s);
	s->name = strdup("img\x1b]0;t\x07");
	s->kind = strdup("docker-archive");
	assert_int_equal(bh_sbom_add_layer(s, &l), 0);
	l->digest = strdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	l->created_by = strdup("ADD x /");
	c = bh_complist_add(&s->comps, BH_ECO_GO);
	assert_non_null(c);
	bh_component_set(&c->name, "golang.org/x/net", 16);
	bh_component_set(&c->version, "v0.1.0", 6);
	bh_component_set(&c->path, "/app/bin\xff/t\x1b[2J #?%", 19);
	bh_component_set(&c->purl, "pkg:golang/golang.org/x/net@v0.1.0", 34);
	c->layer = 0;
	c = bh_complist_add(&s->comps, BH_ECO_DEB);
	bh_component_set(&c->name, "evil\xffpkg|`<b>[a](x)", 19);
	bh_component_set(&c->version, "1.0", 3);
	bh_component_set(&c->license, "GPL-2+ and weird licence \xff", 26);
	c->layer = 0;
	assert_int_equal(bh_strv_push(&s->warnings, &s->nwarnings, "debian 12: no advisories \x1b[31m"), 0);
}

static void hostile_findings(bh_findings *f, bh_checks *ck)
{
	bh_check_finding x = { 0 };
	memset(f, 0, sizeof(*f));
	memset(ck, 0, sizeof(*ck));
	f->items = calloc(2, sizeof(*f->items));
	assert_non_null(f->items);
	f->n = f->cap = 2;
	f->items[0].comp = 0;
	f->items[0].id = strdup("GO-2023-0001");
	f->items[0].aliases = strdup("GHSA-aaaa-bbbb-cccc CVE-2023-0002 CVE-2023-0001");
	f->items[0].severity = BH_SEV_HIGH;
	f->items[0].title = strdup("bad \xff title");
	f->items[0].epss = -1;
	f->items[1].comp = 1;
	f->items[1].id = strdup("CVE-2024-1");
	f->items[1].severity = BH_SEV_LOW;
	f->items[1].epss = -1;
	x.rule = "BH-IMG-010";
	x.category = "image-config";
	x.severity = BH_SEV_MEDIUM;
	x.title = "setuid";
	x.path = "/usr/bin/su\xff\x1b[31mdo";
	x.target = "img";
	x.layer = "layer 1 (sha256:0123456789ab)";
	assert_int_equal(bh_checks_add(ck, &x), 0);
	x.rule = "BH-CTR-001";
	x.path = NULL;
	x.layer = NULL;
	x.target = "container\xff web";
	assert_int_equal(bh_checks_add(ck, &x), 0);
}

static char *vreport(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	bh_error e;
	assert_non_null(fp);
	assert_int_equal(bh_vreport_write(s, f, ck, fmt, fp, &e), 0);
	fclose(fp);
	return p;
}

static void test_invalid_utf8_kept(void **state)
{
	bh_sbom s;
	bh_findings f;
	bh_checks ck;
	json_t *doc;
	char *out;
	bh_error e;
	(void)state;
	hostile_sbom(&s);
	hostile_findings(&f, &ck);
	assert_int_equal(bh_report_json(&s, &doc, &e), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "components")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "components"), 1), "name")),
			    "evil\xef\xbf\xbdpkg|`<b>[a](x)");
	json_decref(doc);
	assert_int_equal(bh_report_cyclonedx(&s, &doc, &e), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "components")), 2);
	json_decref(doc);
	assert_int_equal(bh_report_spdx(&s, &doc, &e), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "packages")), 3); /* target + 2 */
	json_decref(doc);

	out = vreport(&s, &f, &ck, BH_VREPORT_SARIF);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	{
		json_t *run = json_array_get(json_object_get(doc, "runs"), 0), *res = json_object_get(run, "results");
		const char *uri;
		assert_int_equal(json_array_size(res), 4);
		uri = json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(json_object_get(json_array_get(res, 0), "locations"), 0),
			"physicalLocation"), "artifactLocation"), "uri"));
		assert_string_equal(uri, "app/bin%FF/t%1B%5B2J%20%23%3F%25");
		/* aliases, CVE first, in the message and the result's properties */
		assert_non_null(strstr(json_string_value(json_object_get(json_object_get(json_array_get(res, 0), "message"), "text")),
				       "GO-2023-0001 (CVE-2023-0002, CVE-2023-0001, GHSA-aaaa-bbbb-cccc)"));
		assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(json_array_get(res, 0), "properties"), "aliases"), 0)),
				    "CVE-2023-0002");
		/* the container check has no file: a logical location, no made-up URI */
		assert_null(json_object_get(json_array_get(json_object_get(json_array_get(res, 3), "locations"), 0), "physicalLocation"));
		assert_non_null(json_object_get(json_array_get(json_object_get(json_array_get(res, 3), "locations"), 0), "logicalLocations"));
		/* scan warnings as tool execution notifications, text as written (JSON escapes it) */
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(json_array_get(
			json_object_get(run, "invocations"), 0), "toolExecutionNotifications"), 0), "message"), "text")),
			"debian 12: no advisories \x1b[31m");
	}
	json_decref(doc);
	free(out);

	out = vreport(&s, &f, &ck, BH_VREPORT_JSON);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(json_object_get(doc, "checks"), 0), "layer"), "index")), 0);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(doc, "checks"), 1), "layer")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(json_object_get(doc, "findings"), 0), "layer"), "index")), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 1);
	json_decref(doc);
	free(out);

	out = vreport(&s, &f, &ck, BH_VREPORT_CYCLONEDX);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "vulnerabilities")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(doc, "vulnerabilities"), 0),
		"references"), 0), "id")), "CVE-2023-0002");
	json_decref(doc);
	free(out);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

static void test_text_formats_escape(void **state)
{
	bh_sbom s;
	bh_findings f;
	bh_checks ck;
	char *out;
	(void)state;
	hostile_sbom(&s);
	hostile_findings(&f, &ck);
	out = vreport(&s, &f, &ck, BH_VREPORT_TABLE);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "/usr/bin/su\xef\xbf\xbd\\x1b[31mdo, layer 0 (sha256:0123456789ab)"));
	assert_non_null(strstr(out, "aliases: CVE-2023-0002, CVE-2023-0001, GHSA-aaaa-bbbb-cccc"));
	assert_non_null(strstr(out, "Warning: debian 12: no advisories \\x1b[31m"));
	free(out);
	out = vreport(&s, &f, &ck, BH_VREPORT_MARKDOWN);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "evil\xef\xbf\xbdpkg\\|\\`\\<b\\>\\[a\\]\\(x\\)"));
	assert_null(strstr(out, "<b>"));
	assert_non_null(strstr(out, "CVE-2023-0002, CVE-2023-0001"));
	assert_non_null(strstr(out, "**Warning:** debian 12: no advisories \\\\x1b\\[31m"));
	free(out);
	out = vreport(&s, &f, &ck, BH_VREPORT_HTML);
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "<b>[a]"));
	assert_non_null(strstr(out, "evil\xef\xbf\xbdpkg|`&lt;b&gt;[a](x)"));
	assert_non_null(strstr(out, "<div class=\"aliases\">CVE-2023-0002, CVE-2023-0001, GHSA-aaaa-bbbb-cccc</div>"));
	assert_non_null(strstr(out, "class=\"warn\""));
	free(out);
	out = vreport(&s, &f, &ck, BH_VREPORT_JUNIT);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "[HIGH] GO-2023-0001 (CVE-2023-0002, CVE-2023-0001, GHSA-aaaa-bbbb-cccc)"));
	assert_non_null(strstr(out, "<property name=\"bulkhead:warning\""));
	free(out);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

static void test_spdx_licences_and_reproducible(void **state)
{
	bh_sbom s;
	json_t *a, *b;
	bh_error e;
	char *da, *db;
	(void)state;
	hostile_sbom(&s);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(bh_report_spdx(&s, &a, &e), 0);
	assert_int_equal(bh_report_spdx(&s, &b, &e), 0);
	da = json_dumps(a, JSON_PRESERVE_ORDER);
	db = json_dumps(b, JSON_PRESERVE_ORDER);
	assert_string_equal(da, db);
	assert_non_null(strstr(da, "\"2023-11-14T22:13:20Z\""));
	{
		/* "GPL-2+ and weird licence \xff": GPL-2.0-or-later AND a LicenseRef with its extracted text */
		const char *lic = json_string_value(json_object_get(json_array_get(json_object_get(a, "packages"), 2), "licenseDeclared"));
		json_t *ex = json_object_get(a, "hasExtractedLicensingInfos");
		assert_non_null(lic);
		assert_non_null(strstr(lic, "GPL-2.0-or-later"));
		if (strstr(lic, "LicenseRef-")) {
			assert_true(json_array_size(ex) >= 1);
			assert_non_null(strstr(lic, json_string_value(json_object_get(json_array_get(ex, 0), "licenseId"))));
		}
	}
	free(da);
	free(db);
	json_decref(a);
	json_decref(b);
	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(bh_report_cyclonedx(&s, &a, &e), 0);
	assert_int_equal(bh_report_cyclonedx(&s, &b, &e), 0);
	assert_string_not_equal(json_string_value(json_object_get(a, "serialNumber")), json_string_value(json_object_get(b, "serialNumber")));
	json_decref(a);
	json_decref(b);
	bh_sbom_free(&s);
}

static void test_helpers(void **state)
{
	bh_buf b = BH_BUF_INIT;
	bh_finding x = { 0 };
	bh_vreport_idref ids[4];
	bh_sbom s;
	bh_check_finding c = { 0 };
	(void)state;
	assert_int_equal(bh_vreport_uri(&b, "/a b/c%d#e?f/\xc3\xa9:x"), 0);
	assert_string_equal(b.data, "a%20b/c%25d%23e%3Ff/%C3%A9%3Ax");
	bh_buf_free(&b);
	x.aliases = "DSA-1 GHSA-x CVE-2 CVE-1";
	assert_int_equal(bh_vreport_aliases(&x, ids, 4), 4);
	assert_memory_equal(ids[0].p, "CVE-2", 5);
	assert_memory_equal(ids[1].p, "CVE-1", 5);
	assert_memory_equal(ids[2].p, "DSA-1", 5);
	assert_int_equal(bh_vreport_aliases(&x, ids, 1), 1);
	hostile_sbom(&s);
	c.layer = "layer 1 (sha256:0123456789ab)";
	assert_int_equal(bh_vreport_check_layer(&s, &c), 0);
	c.layer = "layer 1";
	assert_int_equal(bh_vreport_check_layer(&s, &c), 0);
	c.layer = "layer 0 (sha256:0123456789ab)"; /* a 0-based writer with a digest is read right too */
	assert_int_equal(bh_vreport_check_layer(&s, &c), 0);
	c.layer = "sha256:0123456789abcdef";
	assert_int_equal(bh_vreport_check_layer(&s, &c), 0);
	c.layer = "layer 7";
	assert_int_equal(bh_vreport_check_layer(&s, &c), -1);
	c.layer = "layer 99999999999999999999";
	assert_int_equal(bh_vreport_check_layer(&s, &c), -1);
	bh_sbom_free(&s);
}

static void test_jout_checked(void **state)
{
	json_t *o = json_object(), *a = json_array(), *v;
	bool bad = false;
	(void)state;
	/* jansson alone refuses the string and the member silently goes missing */
	assert_null(json_string("a\xff"));
	v = bh_jstr("a\xff");
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "a\xef\xbf\xbd");
	bh_jset(&bad, o, "path", v);
	bh_jset(&bad, o, "k\xfe", bh_jstr("x")); /* keys are repaired too */
	bh_jpush(&bad, a, bh_jstrn("ab\xc3", 3));
	assert_false(bad);
	assert_non_null(json_object_get(o, "k\xef\xbf\xbd"));
	assert_string_equal(json_string_value(json_array_get(a, 0)), "ab\xef\xbf\xbd");
	assert_true(json_is_null(bh_jstr(NULL)));
	/* a failed constructor (NULL) is recorded, never dropped quietly */
	bh_jset(&bad, o, "lost", NULL);
	assert_true(bad);
	bad = false;
	bh_jpush(&bad, a, NULL);
	assert_true(bad);
	bad = false;
	bh_jprop(&bad, a, "name", NULL); /* absent value: nothing to add, not an error */
	assert_false(bad);
	assert_null(bh_jok(&bad, NULL));
	assert_true(bad);
	json_decref(o);
	json_decref(a);
}

/*
 * scan -f cyclonedx is streamed: its components and dependencies are the inventory BOM's, and each
 * vulnerability affects its component's bom-ref, also when the purl repeats ("#INDEX") or is missing.
 */
static void test_scan_cdx_refs(void **state)
{
	bh_sbom s;
	bh_findings f = { 0 };
	bh_checks ck = { 0 };
	bh_component *c;
	json_t *doc, *inv, *vulns, *comps;
	char *out;
	bh_error e;
	size_t i;
	static const char *const want[] = { "pkg:npm/a@1#1", "bh:component#2", "pkg:npm/a@1" };
	(void)state;
	bh_sbom_init(&s);
	s.name = strdup("t");
	for (i = 0; i < 3; i++) {
		c = bh_complist_add(&s.comps, BH_ECO_NPM);
		assert_non_null(c);
		bh_component_set(&c->name, "a", 1);
		bh_component_set(&c->version, "1", 1);
		if (i < 2)
			bh_component_set(&c->purl, "pkg:npm/a@1", 11);
	}
	f.items = calloc(3, sizeof(*f.items));
	assert_non_null(f.items);
	f.n = f.cap = 3;
	for (i = 0; i < 3; i++) {
		f.items[i].comp = (size_t[]){ 1, 2, 0 }[i];
		f.items[i].id = strdup("GHSA-x");
		f.items[i].fixed = i == 0 ? strdup("2") : NULL;
		f.items[i].epss = -1;
	}
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	out = vreport(&s, &f, &ck, BH_VREPORT_CYCLONEDX);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(bh_report_cyclonedx(&s, &inv, &e), 0);
	/* the same components and dependencies as the inventory BOM, another serial number */
	assert_true(json_equal(json_object_get(doc, "components"), json_object_get(inv, "components")));
	assert_true(json_equal(json_object_get(doc, "dependencies"), json_object_get(inv, "dependencies")));
	assert_string_not_equal(json_string_value(json_object_get(doc, "serialNumber")), json_string_value(json_object_get(inv, "serialNumber")));
	vulns = json_object_get(doc, "vulnerabilities");
	comps = json_object_get(doc, "components");
	assert_int_equal(json_array_size(vulns), 3);
	for (i = 0; i < 3; i++) {
		const char *ref = json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(vulns, i), "affects"), 0), "ref"));
		assert_string_equal(ref, want[i]);
		assert_string_equal(json_string_value(json_object_get(json_array_get(comps, f.items[i].comp), "bom-ref")), ref);
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(vulns, 0), "recommendation")), "Upgrade to 2 or later");
	/* the last member, after dependencies */
	assert_non_null(strstr(out, "\n  \"vulnerabilities\": ["));
	assert_true(strstr(out, "\"dependencies\"") < strstr(out, "\"vulnerabilities\""));
	unsetenv("SOURCE_DATE_EPOCH");
	json_decref(inv);
	json_decref(doc);
	free(out);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_equals_tree),
		cmocka_unit_test(test_stream_depth_bounded),
		cmocka_unit_test(test_invalid_utf8_kept),
		cmocka_unit_test(test_text_formats_escape),
		cmocka_unit_test(test_spdx_licences_and_reproducible),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_jout_checked),
		cmocka_unit_test(test_scan_cdx_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
