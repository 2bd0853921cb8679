/* test_webui.c - the dashboard's embedded files (every module an embedded module imports is embedded too,
 * with its Content-Type) and the OCI-shaped config kept from an uploaded SBOM's layers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sbom/sbom.h"
#include "server/uiapi.h"
#include "server/webui.h"

static void test_index_and_types(void **state)
{
	size_t len;
	const char *ct, *d;
	(void)state;
	d = bh_webui_file("index.html", &len, &ct);
	assert_non_null(d);
	assert_true(len > 100 && !strncmp(d, "<!doctype html>", 15));
	assert_string_equal(ct, "text/html; charset=utf-8");
	assert_int_equal(d[len], '\0'); /* the NUL the assembler puts after each file */
	/* no inline script or style: the CSP forbids them */
	assert_null(strstr(d, "<style"));
	assert_null(strstr(d, " style="));
	assert_non_null(strstr(d, "<script type=\"module\" src=\"/ui/app.js\"></script>"));
	assert_null(strstr(d, "<script>"));
	assert_non_null(bh_webui_file("style.css", &len, &ct));
	assert_string_equal(ct, "text/css; charset=utf-8");
	assert_non_null(bh_webui_file("app.js", &len, &ct));
	assert_string_equal(ct, "text/javascript; charset=utf-8");
	assert_non_null(bh_webui_file("favicon.svg", &len, &ct));
	assert_string_equal(ct, "image/svg+xml");
	assert_null(bh_webui_file("../Makefile", &len, &ct));
	assert_null(bh_webui_file("", &len, &ct));
	assert_null(bh_webui_file("APP.JS", &len, &ct));
}

/* every `from './NAME.js'` of every embedded module names an embedded file (a module added to web/
 * without its line in webui.c would 404 in the browser) */
static void test_imports_embedded(void **state)
{
	static const char *const mods[] = { "app.js", "api.js", "dom.js", "overview.js", "findings.js",
					    "images.js", "hosts.js", "admin.js" };
	size_t i, len, seen = 0;
	const char *ct;
	(void)state;
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		const char *d = bh_webui_file(mods[i], &len, &ct), *p;
		assert_non_null(d);
		for (p = d; (p = strstr(p, "from './")) != NULL;) {
			char name[64];
			size_t n;
			p += 8;
			n = strcspn(p, "'");
			assert_true(n > 0 && n < sizeof(name));
			memcpy(name, p, n);
			name[n] = '\0';
			if (!bh_webui_file(name, &len, &ct))
				fail_msg("%s imports ./%s, which is not embedded", mods[i], name);
			seen++;
		}
	}
	assert_true(seen >= 10);
}

static void test_config_from_layers(void **state)
{
	bh_sbom s;
	bh_layer *l;
	char *text;
	json_t *o;
	(void)state;
	bh_sbom_init(&s);
	assert_null(bh_uiapi_config_json(&s)); /* no layers: nothing to keep */
	assert_int_equal(bh_sbom_add_layer(&s, &l), 0);
	l->diff_id = strdup("sha256:aa");
	l->created_by = strdup("/bin/sh -c #(nop) ADD file:x in /");
	assert_int_equal(bh_sbom_add_layer(&s, &l), 0);
	l->digest = strdup("sha256:bb"); /* no diff_id: the blob digest stands in */
	s.os = strdup("linux");
	text = bh_uiapi_config_json(&s);
	assert_non_null(text);
	o = json_loads(text, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "os")), "linux");
	assert_int_equal(json_array_size(json_object_get(o, "history")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "history"), 0), "created_by")),
			    "/bin/sh -c #(nop) ADD file:x in /");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "history"), 1), "created_by")), "");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(o, "rootfs"), "diff_ids"), 1)), "sha256:bb");
	json_decref(o);
	free(text);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_and_types),
		cmocka_unit_test(test_imports_embedded),
		cmocka_unit_test(test_config_from_layers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
