/* test_vendorjs.c - vendored JavaScript libraries: real banner and version excerpts (also past the head and across scan chunks), file names, node_modules, hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/analyzer.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_vendorjs;

#define FIX "tests/fixtures/vendorjs/"

/*
 * Excerpts of the real dist files (first 400 bytes and 120 bytes around the version and the
 * markers the signatures need; bench/vendorjs_fixtures.py cut them from the npm packages), each
 * with the npm package and version it must give and nothing else.
 */
static const struct {
	const char *file, *lib, *version;
} real[] = {
	{ "angular-1.2.32--angular.1.2.32.min.js", "angular", "1.2.32" },
	{ "angular-1.4.9--angular.js", "angular", "1.4.9" },
	{ "angular-1.5.8--angular.min.js", "angular", "1.5.8" },
	{ "angular-1.7.9--lib.js", "angular", "1.7.9" },
	{ "axios-0.21.0--axios.min.js", "axios", "0.21.0" },
	{ "backbone-1.3.3--backbone-min.js", "backbone", "1.3.3" },
	{ "backbone-1.4.0--bb.js", "backbone", "1.4.0" },
	{ "bootstrap-3.3.7--bootstrap.min.js", "bootstrap", "3.3.7" },
	{ "bootstrap-4.1.3--bundle.js", "bootstrap", "4.1.3" },
	{ "bootstrap-select-1.13.9--bootstrap-select.min.js", "bootstrap-select", "1.13.9" },
	{ "chart.js-2.9.3--Chart.min.js", "chart.js", "2.9.3" },
	{ "ckeditor-4.12.1--ckeditor.js", "ckeditor4", "4.12.1" },
	{ "ckeditor4-4.15.0--editor.js", "ckeditor4", "4.15.0" },
	{ "datatables.net-1.10.19--jquery.dataTables.min.js", "datatables.net", "1.10.19" },
	{ "dompurify-2.0.0--purify.min.js", "dompurify", "2.0.0" },
	{ "dompurify-2.2.7--sanitize.js", "dompurify", "2.2.7" },
	{ "ember-source-2.18.2--ember.min.js", "ember-source", "2.18.2" },
	{ "handlebars-4.0.11--handlebars.min.js", "handlebars", "4.0.11" },
	{ "handlebars-4.5.3--templates-runtime.js", "handlebars", "4.5.3" },
	{ "highcharts-7.2.0--highcharts.js", "highcharts", "7.2.0" },
	{ "jquery-1.12.4--jquery-1.12.4.min.js", "jquery", "1.12.4" },
	{ "jquery-1.8.3--jquery-1.8.3.js", "jquery", "1.8.3" },
	{ "jquery-2.2.4--jquery.js", "jquery", "2.2.4" },
	{ "jquery-3.3.1--jquery.min.js", "jquery", "3.3.1" },
	{ "jquery-3.4.1--vendor.min.js", "jquery", "3.4.1" },
	{ "jquery-3.5.0--jquery.slim.min.js", "jquery", "3.5.0" },
	{ "jquery-migrate-1.4.1--jquery-migrate-1.4.1.min.js", "jquery-migrate", "1.4.1" },
	{ "jquery-migrate-3.0.0--migrate.js", "jquery-migrate", "3.0.0" },
	{ "jquery-mobile-1.4.1--jquery.mobile.min.js", "jquery-mobile", "1.4.1" },
	{ "jquery-ui-dist-1.12.1--jquery-ui.min.js", "jquery-ui", "1.12.1" },
	{ "jquery-ui-dist-1.13.1--widgets.js", "jquery-ui", "1.13.1" },
	{ "jquery-validation-1.19.0--jquery.validate.min.js", "jquery-validation", "1.19.0" },
	{ "jszip-3.1.5--zip.js", "jszip", "3.1.5" },
	{ "knockout-3.4.2--knockout-3.4.2.js", "knockout", "3.4.2" },
	{ "knockout-3.5.0--ko.js", "knockout", "3.5.0" },
	{ "lodash-4.17.15--utils.js", "lodash", "4.17.15" },
	{ "lodash-4.17.4--lodash.min.js", "lodash", "4.17.4" },
	{ "markdown-it-10.0.0--md.js", "markdown-it", "10.0.0" },
	{ "moment-2.18.1--moment.min.js", "moment", "2.18.1" },
	{ "moment-2.29.1--time.js", "moment", "2.29.1" },
	{ "mustache-2.3.0--mustache.min.js", "mustache", "2.3.0" },
	{ "pdfjs-dist-2.0.943--pdf.min.js", "pdfjs-dist", "2.0.943" },
	{ "react-16.14.0--r.js", "react", "16.14.0" },
	{ "react-16.4.0--react.development.js", "react", "16.4.0" },
	{ "react-dom-16.14.0--rd.js", "react-dom", "16.14.0" },
	{ "react-dom-16.4.0--react-dom.production.min.js", "react-dom", "16.4.0" },
	{ "select2-4.0.3--select2.full.min.js", "select2", "4.0.3" },
	{ "tinymce-4.7.0--tinymce.min.js", "tinymce", "4.7.0" },
	{ "tinymce-5.6.0--tinymce.min.js", "tinymce", "5.6.0" },
	{ "ua-parser-js-0.7.20--ua-parser.min.js", "ua-parser-js", "0.7.20" },
	{ "underscore-1.12.0--us.js", "underscore", "1.12.0" },
	{ "underscore-1.8.3--underscore-min.js", "underscore", "1.8.3" },
	{ "video.js-7.6.0--player.js", "video.js", "7.6.0" },
	{ "vue-2.5.16--vue.min.js", "vue", "2.5.16" },
	{ "vue-2.6.14--framework.js", "vue", "2.6.14" },
};

static bool m(const char *p, uint32_t mode, uint64_t size)
{
	return bh_analyzer_vendorjs.match(p, strlen(p), mode, size);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(m("srv/www/static/js/jquery.min.js", 0100644, 90000));
	assert_true(m("app/vendor.js", 0100644, 1));
	assert_true(m("app/node_modules/foo/vendor/jquery.js", 0100644, 1000));
	assert_true(m("x.js", 0100644, 8u << 20));
	assert_false(m("x.js", 0100644, (8u << 20) + 1)); /* bigger than any dist build */
	assert_false(m("x.js", 0100644, 0));
	assert_false(m("x.js", 0120777, 10));             /* symlink */
	assert_false(m("x.js", 0040755, 10));             /* directory */
	assert_false(m("x.json", 0100644, 10));
	assert_false(m("x.js.map", 0100644, 10));
	assert_false(m("x.mjs", 0100644, 10));
}

/* Runs the analyzer on data offered as path; returns the list (caller frees). */
static bh_complist run(const char *path, const void *data, size_t n)
{
	bh_complist l = { 0 };
	bh_error err;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_vendorjs, path, data, n, &l, &err), 0);
	return l;
}

static const bh_component *find(const bh_complist *l, const char *lib, const char *ver)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->name, lib) == 0 && strcmp(l->items[i]->version, ver) == 0)
			return l->items[i];
	return NULL;
}

/* Each excerpt under a name that says nothing: the content alone names library and version. */
static void test_real_excerpts(void **state)
{
	size_t i, n;
	(void)state;
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		char path[256];
		char *data;
		bh_complist l;
		snprintf(path, sizeof(path), "%s%s", FIX, real[i].file);
		data = bh_test_slurp(path, &n);
		l = run("srv/www/static/app.js", data, n);
		if (l.n != 1 || !find(&l, real[i].lib, real[i].version))
			fail_msg("%s: want %s@%s, got %zu components, first %s@%s", real[i].file, real[i].lib,
				 real[i].version, l.n, l.n ? l.items[0]->name : "-", l.n ? l.items[0]->version : "-");
		assert_int_equal(l.items[0]->eco, BH_ECO_NPM);
		assert_string_equal(l.items[0]->path, "/srv/www/static/app.js");
		assert_string_equal(bh_component_get_prop(l.items[0], "js.detected-by"), "content");
		bh_complist_free(&l);
		free(data);
	}
}

/*
 * The scan looks only where rare bytes ("triggers") put it, past the first 512 bytes, and marks
 * start positions 4096 at a time: each excerpt must give the same after filler that moves it
 * past the head and across those boundaries, and filler full of triggers must give nothing.
 * (Underscore's min build is only known by its first line.)
 */
static void test_shifted(void **state)
{
	static const char fill[] = "Bo/*l:auVjrs@tJ x ";
	static const size_t shift[] = { 513, 4093, 4096 + 4000, 3 * 4096 - 7 };
	size_t i, k, n, z;
	(void)state;
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		char path[256];
		char *data, *buf;
		bool head_only = strcmp(real[i].file, "underscore-1.8.3--underscore-min.js") == 0;
		snprintf(path, sizeof(path), "%s%s", FIX, real[i].file);
		data = bh_test_slurp(path, &n);
		for (z = 0; z < sizeof(shift) / sizeof(shift[0]); z++) {
			bh_complist l;
			buf = malloc(shift[z] + n);
			assert_non_null(buf);
			for (k = 0; k < shift[z]; k++)
				buf[k] = fill[k % (sizeof(fill) - 1)];
			buf[shift[z] - 1] = '\n';
			memcpy(buf + shift[z], data, n);
			l = run("srv/www/static/app.js", buf, shift[z] + n);
			if (head_only ? l.n != 0 : l.n != 1 || !find(&l, real[i].lib, real[i].version))
				fail_msg("%s after %zu bytes: got %zu components, first %s@%s", real[i].file, shift[z], l.n,
					 l.n ? l.items[0]->name : "-", l.n ? l.items[0]->version : "-");
			bh_complist_free(&l);
			free(buf);
		}
		free(data);
	}
}

/* A prefix with blanks in it starting in one 4096-byte chunk and going on in the next. */
static void test_chunk_edge(void **state)
{
	static const char *const lines[] = { " * jQuery UI Widget                1.13.1\n", "/*!          jQuery v3.3.1 |\n" };
	static const char *const want[][2] = { { "jquery-ui", "1.13.1" }, { "jquery", "3.3.1" } };
	char buf[3 * 4096];
	size_t i, at;
	(void)state;
	for (i = 0; i < 2; i++)
		for (at = 4096 - 30; at <= 4096 + 2; at++) {
			bh_complist l;
			memset(buf, ';', sizeof(buf));
			memcpy(buf + at, lines[i], strlen(lines[i]));
			l = run("x/app.js", buf, sizeof(buf));
			if (l.n != 1 || !find(&l, want[i][0], want[i][1]))
				fail_msg("'%s' at %zu: got %zu components", lines[i], at, l.n);
			bh_complist_free(&l);
		}
}

/* A concatenated vendor bundle (jquery + bootstrap + underscore + react-dom excerpts): all four. */
static void test_bundle(void **state)
{
	static const char *const parts[] = { "jquery-3.4.1--vendor.min.js", "bootstrap-3.3.7--bootstrap.min.js",
					     "underscore-1.8.3--underscore-min.js", "react-dom-16.4.0--react-dom.production.min.js" };
	char *all = NULL;
	size_t len = 0, i, n;
	bh_complist l;
	(void)state;
	for (i = 0; i < 4; i++) {
		char path[256];
		char *d;
		snprintf(path, sizeof(path), "%s%s", FIX, parts[i]);
		d = bh_test_slurp(path, &n);
		all = realloc(all, len + n + 1);
		assert_non_null(all);
		memcpy(all + len, d, n);
		len += n;
		all[len++] = '\n';
		free(d);
	}
	l = run("static/vendor.js", all, len);
	/* underscore's banner is only recognised at the top of a file; its min build has no other mark */
	assert_int_equal(l.n, 3);
	assert_non_null(find(&l, "jquery", "3.4.1"));
	assert_non_null(find(&l, "bootstrap", "3.3.7"));
	assert_non_null(find(&l, "react-dom", "16.4.0"));
	bh_complist_free(&l);
	free(all);
}

static void name_is(const char *path, const char *lib, const char *ver)
{
	static const char body[] = "(function(){ /* nothing to recognise */ })();\n";
	bh_complist l = run(path, body, sizeof(body) - 1);
	if (!lib) {
		if (l.n)
			fail_msg("%s: want nothing, got %s@%s", path, l.items[0]->name, l.items[0]->version);
	} else {
		if (l.n != 1 || !find(&l, lib, ver))
			fail_msg("%s: want %s@%s, got %zu", path, lib, ver, l.n);
		assert_string_equal(bh_component_get_prop(l.items[0], "js.detected-by"), "filename");
	}
	bh_complist_free(&l);
}

static void test_filename(void **state)
{
	(void)state;
	name_is("www/js/jquery-1.8.3.min.js", "jquery", "1.8.3");
	name_is("www/js/jquery-1.8.3.js", "jquery", "1.8.3");
	name_is("www/js/jQuery-2.1.0.slim.min.js", "jquery", "2.1.0");
	name_is("www/js/jquery-3.0.0-rc1.js", "jquery", "3.0.0-rc1");
	name_is("www/js/angular.1.2.0.js", "angular", "1.2.0");
	name_is("www/js/lodash-4.17.15.js", "lodash", "4.17.15");
	name_is("www/js/jquery-ui-1.12.1.min.js", "jquery-ui", "1.12.1");
	name_is("www/js/jquery-migrate-1.4.1.min.js", "jquery-migrate", "1.4.1");
	name_is("www/js/knockout-3.4.2.js", "knockout", "3.4.2");
	name_is("www/js/react-dom-16.4.0.production.min.js", "react-dom", "16.4.0");
	name_is("www/js/jquery.min.js", NULL, NULL);              /* no version in the name */
	name_is("www/js/bootstrap-datepicker-1.9.0.js", NULL, NULL); /* another library */
	name_is("www/js/jquery-1.8.3.js.bak.js", NULL, NULL);
	name_is("www/js/jquery-1.js", NULL, NULL);                 /* a version has a dot */
	name_is("www/js/angular-route-1.2.0.js", NULL, NULL);
}

/* A file named for one version whose content says another: the content wins. */
static void test_content_beats_name(void **state)
{
	size_t n;
	char *d = bh_test_slurp(FIX "jquery-3.3.1--jquery.min.js", &n);
	bh_complist l = run("www/js/jquery-1.8.3.min.js", d, n);
	(void)state;
	assert_int_equal(l.n, 1);
	assert_non_null(find(&l, "jquery", "3.3.1"));
	bh_complist_free(&l);
	free(d);
}

/* A package's own dist files are the npm analyzer's (package.json); copies it vendors are ours. */
static void test_node_modules(void **state)
{
	size_t n;
	char *d = bh_test_slurp(FIX "jquery-3.3.1--jquery.min.js", &n);
	char *ui = NULL;
	size_t nui;
	bh_complist l;
	(void)state;
	l = run("app/node_modules/jquery/dist/jquery.min.js", d, n);
	assert_int_equal(l.n, 0);
	bh_complist_free(&l);
	l = run("app/node_modules/.pnpm/jquery@3.3.1/node_modules/jquery/dist/jquery.min.js", d, n);
	assert_int_equal(l.n, 0);
	bh_complist_free(&l);
	l = run("app/node_modules/some-widget/vendor/jquery.min.js", d, n);
	assert_int_equal(l.n, 1);
	assert_non_null(find(&l, "jquery", "3.3.1"));
	bh_complist_free(&l);
	l = run("app/node_modules/jquery-ui-dist/external/jquery/jquery.js", d, n); /* jquery inside jquery-ui-dist */
	assert_int_equal(l.n, 1);
	bh_complist_free(&l);
	l = run("app/xnode_modules/jquery/dist/jquery.min.js", d, n); /* not a node_modules segment */
	assert_int_equal(l.n, 1);
	bh_complist_free(&l);
	ui = bh_test_slurp(FIX "jquery-ui-dist-1.12.1--jquery-ui.min.js", &nui);
	l = run("app/node_modules/jquery-ui-dist/jquery-ui.min.js", ui, nui); /* the package that ships jquery-ui */
	assert_int_equal(l.n, 0);
	bh_complist_free(&l);
	free(ui);
	free(d);
}

/* Versions are validated; hostile files cost one linear pass and give a bounded number of components. */
static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"/*! jQuery v",                                   /* ends at the prefix */
		"/*! jQuery v3",                                  /* no dot */
		"/*! jQuery v.3.3",                               /* not a digit first */
		"/*! jQuery v3.3.1111111111111111111111111111111111111111 |", /* longer than 32 */
		"/*! jQuery v<script>alert(1)</script>",
		"jquery: \"3.3.1",                                /* no closing quote */
		"Bootstrap v3.3.7 is required",                   /* not the banner */
		"majorVersion:\"5\",minorVersion:",               /* tinymce, cut short */
		"majorVersion:\"55555\",minorVersion:\"1.0\"",
		"var VERSION = '1.2.3';",                         /* neither lodash nor underscore */
	};
	size_t i, big = 4u << 20, k;
	char *buf;
	bh_complist l;
	clock_t t0;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = run("x/app.js", bad[i], strlen(bad[i]));
		if (l.n)
			fail_msg("'%s' gave %s@%s", bad[i], l.items[0]->name, l.items[0]->version);
		bh_complist_free(&l);
	}
	/* 4 MB of one prefix repeated: every position is a candidate, the scan stays linear */
	buf = malloc(big);
	assert_non_null(buf);
	for (k = 0; k + 12 <= big; k += 12)
		memcpy(buf + k, "/*! jQuery v", 12);
	memset(buf + k, ' ', big - k);
	t0 = clock();
	l = run("x/app.js", buf, big);
	assert_int_equal(l.n, 0);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	bh_complist_free(&l);
	/* the same for signatures that then search a window before or after each match (CKEditor's
	 * "timestamp:", Moment's ".fn="), with the file-wide markers present so the windows are searched */
	for (k = 0; k + 40 <= big; k += 40)
		memcpy(buf + k, "version:\"1.1 (Standard)\" .version=\"2.2\",", 40);
	memcpy(buf, "CKEDITOR momentjs.com", 21);
	t0 = clock();
	l = run("x/app.js", buf, big);
	assert_int_equal(l.n, 0);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	bh_complist_free(&l);
	/* thousands of distinct versions: at most 32 components from one file */
	for (k = 0, i = 0; k + 40 < big && i < 5000; i++)
		k += (size_t)snprintf(buf + k, 40, "/*! jQuery v1.%zu.0 |\n", i);
	l = run("x/app.js", buf, k);
	assert_int_equal(l.n, 32);
	bh_complist_free(&l);
	/* NUL bytes and binary junk around a real banner */
	memset(buf, 0, 4096);
	memcpy(buf + 1000, "/*! jQuery v3.3.1 | (c) JS Foundation", 37);
	for (k = 2000; k < 4096; k++)
		buf[k] = (char)(k * 7);
	l = run("x/app.js", buf, 4096);
	assert_int_equal(l.n, 1);
	assert_non_null(find(&l, "jquery", "3.3.1"));
	bh_complist_free(&l);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_real_excerpts),
		cmocka_unit_test(test_shifted),
		cmocka_unit_test(test_chunk_edge),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_filename),
		cmocka_unit_test(test_content_beats_name),
		cmocka_unit_test(test_node_modules),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
