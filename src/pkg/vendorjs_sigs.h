/* vendorjs_sigs.h - signatures of vendored JavaScript libraries (data for vendorjs.c, compiled in). */
#ifndef BH_PKG_VENDORJS_SIGS_H
#define BH_PKG_VENDORJS_SIGS_H

/*
 * Source: written by hand from the libraries' own release files as npm ships them (npm pack
 * NAME@VERSION, then the dist files' banners and version assignments were read), for:
 * jquery 1.8.3 1.12.4 2.2.4 3.3.1 3.4.1 3.5.0, angular 1.2.32 1.4.9 1.5.8 1.7.9, bootstrap 3.3.7
 * 4.1.3, lodash 4.17.4 4.17.15, handlebars 4.0.11 4.5.3, moment 2.18.1 2.29.1, underscore 1.8.3
 * 1.12.0, vue 2.5.16 2.6.14, react and react-dom 16.4.0 16.14.0, dompurify 2.0.0 2.2.7,
 * jquery-ui(-dist) 1.12.1 1.13.1, jquery-migrate 1.4.1 3.0.0, knockout 3.4.2 3.5.0, backbone
 * 1.3.3 1.4.0, tinymce 4.7.0 5.6.0, ckeditor(4) 4.12.1 4.15.0, select2 4.0.3, chart.js 2.9.3,
 * mustache 2.3.0, axios 0.21.0, jquery-validation 1.19.0, ember-source 2.18.2, highcharts 7.2.0,
 * jszip 3.1.5, markdown-it 10.0.0, datatables.net 1.10.19, pdfjs-dist 2.0.943, bootstrap-select
 * 1.13.9, video.js 7.6.0, ua-parser-js 0.7.20, jquery-mobile 1.4.1.
 * bench/vendorjs.sh re-checks them against retire.js on those files; tests/pkg/test_vendorjs.c
 * holds the banner and version lines themselves.
 *
 * Pattern language (hand-matched, linear, no backtracking; vendorjs.c):
 *   '"'  matches '"' or '\''         ' '  matches zero to 16 blanks (space, tab, CR, LF)
 *   '\1' matches one identifier char [A-Za-z0-9_$]      anything else matches itself
 * The first two bytes of a prefix are plain bytes (they index the one-pass scan).
 * prefix: text right before the version; suffix: text right after it (optional);
 * near: text within 80 bytes after the version; before: text within 96 bytes before the prefix;
 * need / veto: text that must / must not occur anywhere in the file; head: prefix must start in
 * the first 512 bytes.
 */

typedef struct vjs_sig {
	const char *lib;    /* npm package name */
	const char *prefix;
	const char *suffix;
	const char *near;
	const char *before;
	const char *need;
	const char *veto;
	int head;
} vjs_sig;

/* Content signatures, one row per pattern. */
static const vjs_sig vjs_sigs[] = {
	/* jQuery: "/\*! jQuery v3.3.1 | (c) JS Foundation" (min), " * jQuery JavaScript Library v2.2.4" (full),
	 * jQuery.fn = { jquery: "1.8.3" } / {jquery:"3.3.1"} (any build, also concatenated bundles) */
	{ "jquery", "/*! jQuery v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery", "jQuery JavaScript Library v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery", "jquery: \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* jQuery UI: "/\*! jQuery UI - v1.12.1 - 2016-09-14", $.ui.version = "1.13.1" / t.ui.version="1.12.1" */
	{ "jquery-ui", "jQuery UI - v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery-ui", "ui.version = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* the per-module sources (ui/widgets/dialog.js: " * jQuery UI Dialog 1.13.1") when copied one by one */
	{ "jquery-ui", "* jQuery UI Widget ", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery-ui", "* jQuery UI Dialog ", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery-ui", "* jQuery UI Autocomplete ", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery-ui", "* jQuery UI Tooltip ", NULL, NULL, NULL, NULL, NULL, 0 },
	/* jQuery Migrate: "/\*! jQuery Migrate v1.4.1 |", " * jQuery Migrate - v3.0.0 -", migrateVersion = "3.0.0" */
	{ "jquery-migrate", "jQuery Migrate v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery-migrate", "jQuery Migrate - v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "jquery-migrate", "migrateVersion = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* jQuery Validation (localization files carry the banner too; errorClass is in the plugin): "/\*! jQuery Validation Plugin - v1.19.0 - 11/28/2018" */
	{ "jquery-validation", "jQuery Validation Plugin - v", NULL, NULL, NULL, "errorClass", NULL, 0 },
	{ "jquery-validation", "jQuery Validation Plugin v", NULL, NULL, NULL, "errorClass", NULL, 0 },
	/* AngularJS core: version = {full:"1.5.8",major:1,...} and minErr's "errors.angularjs.org/1.5.8/";
	 * the "@license AngularJS v" banner is on every angular-* module too, so it names no package */
	{ "angular", "full: \"", "\",", NULL, NULL, "errors.angularjs.org", NULL, 0 },
	{ "angular", "errors.angularjs.org/", "/", NULL, NULL, NULL, NULL, 0 },
	/* Bootstrap 3 and 4: " * Bootstrap v3.3.7 (http://getbootstrap.com)" */
	{ "bootstrap", "Bootstrap v", " (http", NULL, NULL, NULL, NULL, 0 },
	/* Lodash: var VERSION = '4.17.15' (full, with "Lodash <https://lodash.com/>");
	 * min: On.VERSION="4.17.4",u("bind bindKey curry ...") */
	{ "lodash", "var VERSION = \"", "\";", NULL, NULL, "lodash.com", NULL, 0 },
	{ "lodash", ".VERSION=\"", "\",\1(\"bind bindKey", NULL, NULL, NULL, NULL, 0 },
	/* Lo-Dash before 2.x: " * Lo-Dash v0.8.2 <http://lodash.com>", lodash.VERSION = '0.8.2' */
	{ "lodash", "Lo-Dash v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "lodash", "lodash.VERSION = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* Underscore: "//     Underscore.js 1.8.3" heads every build; _.VERSION = '1.8.3'; var VERSION = '1.12.0' */
	{ "underscore", "//     Underscore.js ", NULL, NULL, NULL, NULL, NULL, 1 },
	{ "underscore", "_.VERSION = \"", "\";", NULL, NULL, NULL, "lodash", 0 },
	{ "underscore", "var VERSION = \"", "\";", NULL, NULL, "underscorejs.org", "lodash", 0 },
	/* Handlebars: "/\**!\n\n @license\n handlebars v4.0.11" */
	{ "handlebars", "@license handlebars v", NULL, NULL, NULL, NULL, NULL, 0 },
	/* Moment: "//! version : 2.18.1" after "//! moment.js"; hooks.version = '2.29.1';
	 * min: M.version="2.29.1",e=Ha,M.fn= (every build links momentjs.com/guides) */
	{ "moment", "//! version : ", NULL, NULL, NULL, "moment.js", NULL, 0 },
	{ "moment", "hooks.version = \"", "\";", NULL, NULL, NULL, NULL, 0 },
	{ "moment", ".version=\"", "\",", ".fn=", NULL, "momentjs.com", NULL, 0 },
	/* Vue 2: " * Vue.js v2.6.14"; Vue.version = '2.6.14' */
	{ "vue", "* Vue.js v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "vue", "Vue.version = \"", "\";", NULL, NULL, NULL, NULL, 0 },
	/* React 16+: "/\** @license React v16.14.0\n * react.production.min.js" names the package file;
	 * React 15: " * React v15.6.2" and " * ReactDOM v15.6.2" */
	{ "react", "@license React v", " * react.", NULL, NULL, NULL, NULL, 0 },
	{ "react", "@license React v", " * react-jsx-", NULL, NULL, NULL, NULL, 0 },
	{ "react-dom", "@license React v", " * react-dom.", NULL, NULL, NULL, NULL, 0 },
	{ "react-dom", "@license React v", " * react-dom-server.", NULL, NULL, NULL, NULL, 0 },
	{ "react", "* React v", NULL, NULL, NULL, NULL, NULL, 1 },
	{ "react-dom", "* ReactDOM v", NULL, NULL, NULL, NULL, NULL, 1 },
	/* DOMPurify: DOMPurify.version = '2.2.7'; min: u.version="2.0.0",u.removed= */
	{ "dompurify", "DOMPurify.version = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	{ "dompurify", ".version=\"", "\",\1.removed=", NULL, NULL, NULL, NULL, 0 },
	/* Knockout: " * Knockout JavaScript library v3.4.2"; ko.version = "3.5.0" */
	{ "knockout", "Knockout JavaScript library v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "knockout", "ko.version = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* Backbone: "//     Backbone.js 1.4.0"; Backbone.VERSION = '1.4.0'; min: e.VERSION="1.3.3";e.$= */
	{ "backbone", "//     Backbone.js ", NULL, NULL, NULL, NULL, NULL, 1 },
	{ "backbone", "Backbone.VERSION = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	{ "backbone", ".VERSION=\"", "\";\1.$=", NULL, NULL, "Backbone", NULL, 0 },
	/* TinyMCE: majorVersion:"5",minorVersion:"6.0" is read by vendorjs.c itself (two parts);
	 * 4.x min also starts "// 4.7.0 (2017-10-03)"; the " * Version: 5.6.0" banner is on every plugin too */
	{ "tinymce", "// ", " (", NULL, NULL, "tinymce", NULL, 1 },
	/* CKEditor 4: CKEDITOR = {timestamp:"J5S9",version:"4.12.1 (Standard)",...}; the npm package is
	 * ckeditor4 (the older "ckeditor" package carried the same 4.x files) */
	{ "ckeditor4", ",version:\"", " (", NULL, "timestamp:", "CKEDITOR", NULL, 0 },
	/* Select2 (the i18n files carry the banner too; select2/core is the library): "/\*! Select2 4.0.3 | https://github.com/select2/select2/blob/master/LICENSE.md *\/" */
	{ "select2", "/*! Select2 ", " | ", NULL, NULL, "select2/core", NULL, 0 },
	{ "select2", "* Select2 ", NULL, NULL, NULL, "select2/core", NULL, 0 },
	/* Chart.js: " * Chart.js v2.9.3" */
	{ "chart.js", "* Chart.js v", NULL, NULL, NULL, NULL, NULL, 0 },
	/* mustache.js: mustache.version = "2.3.0" / mustache.version="2.3.0" */
	{ "mustache", "mustache.version = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* axios: "/\* axios v0.21.0 | (c) 2020 by Matt Zabriskie *\/" */
	{ "axios", "/* axios v", " | ", NULL, NULL, NULL, NULL, 0 },
	/* Ember: " * @version   2.18.2" in the header; the ember/version module:
	 * e("ember/version",["exports"],function(e){"use strict";e["default"]="2.18.2"}) */
	{ "ember-source", "@version   ", NULL, NULL, NULL, "Ember", NULL, 1 },
	{ "ember-source", "[\"default\"]=\"", "\"", NULL, "ember/version", NULL, NULL, 0 },
	{ "ember-source", ".default = \"", "\"", NULL, "ember/version", NULL, NULL, 0 },
	/* Highcharts: every module repeats the "Highcharts JS v7.2.0 (2019-09-03)" banner; the core holds
	 * H = {product:"Highcharts",version:"7.2.0",...} (source: product: 'Highcharts',\n version: '7.2.0') */
	{ "highcharts", "product: \"Highcharts\", version: \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* JSZip: "JSZip v3.1.5 - A JavaScript class for generating and reading zip files" */
	{ "jszip", "JSZip v", " - ", NULL, NULL, NULL, NULL, 0 },
	/* markdown-it: "/\*! markdown-it 10.0.0 https://github.com//markdown-it/markdown-it @license MIT *\/" */
	{ "markdown-it", "/*! markdown-it ", " https://", NULL, NULL, NULL, NULL, 0 },
	/* DataTables: "/\*! DataTables 1.10.19\n ©2008-2018 SpryMedia" (extensions say "Buttons for DataTables") */
	{ "datatables.net", "/*! DataTables ", NULL, NULL, NULL, NULL, NULL, 0 },
	/* PDF.js (pdfjs-dist): var pdfjsVersion = '2.0.943'; min: t.version="2.0.943",t.build="dc98bf76" */
	{ "pdfjs-dist", "pdfjsVersion = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	{ "pdfjs-dist", ".version=\"", "\",\1.build=\"", NULL, NULL, NULL, NULL, 0 },
	/* bootstrap-select: " * Bootstrap-select v1.13.9 (https://developer.snapappointments.com/bootstrap-select)",
	 * also on every i18n/defaults-*.js; the plugin itself builds the "bs-searchbox" element */
	{ "bootstrap-select", "Bootstrap-select v", " (http", NULL, NULL, "bs-searchbox", NULL, 0 },
	/* Video.js: "@license\n * Video.js 7.6.0 <http://videojs.com/>" */
	{ "video.js", "* Video.js ", " <http", NULL, NULL, NULL, NULL, 0 },
	/* ua-parser-js: " * UAParser.js v0.7.20"; var LIBVERSION="0.7.20" */
	{ "ua-parser-js", "UAParser.js v", NULL, NULL, NULL, NULL, NULL, 0 },
	{ "ua-parser-js", "LIBVERSION = \"", "\"", NULL, NULL, NULL, NULL, 0 },
	/* jQuery Mobile: "/\*! jQuery Mobile 1.4.1 | Git HEAD hash: 3455ada" (min), "/\*!\n* jQuery Mobile 1.4.1\n"
	 * (full); $.extend($.mobile, {\n // Version of the jQuery Mobile Framework\n version: "1.3.0", */
	{ "jquery-mobile", "jQuery Mobile ", NULL, NULL, "/*", NULL, NULL, 0 },
	{ "jquery-mobile", "Framework version: \"", "\"", NULL, "Version of the jQuery Mobile", NULL, NULL, 0 },
	{ "jquery-mobile", "mobile, {version: \"", "\"", NULL, NULL, NULL, NULL, 0 },
};

/*
 * File names: PREFIX VERSION TAIL, e.g. jquery-1.8.3.min.js, angular.1.2.0.js, lodash-4.17.15.js
 * (ASCII case ignored). The version is digits and dots with an optional -rc1 / -beta.2 / -alpha
 * part; TAIL is one of vjs_tails. Longer prefixes first (jquery-ui- before jquery-).
 */
typedef struct vjs_namesig {
	const char *lib;
	const char *prefix;
} vjs_namesig;

static const vjs_namesig vjs_names[] = {
	{ "jquery-ui", "jquery-ui-" }, { "jquery-ui", "jquery-ui." },
	{ "jquery-migrate", "jquery-migrate-" }, { "jquery-migrate", "jquery-migrate." },
	{ "jquery-validation", "jquery.validate-" }, { "jquery-validation", "jquery-validate-" },
	{ "jquery", "jquery-" }, { "jquery", "jquery." },
	{ "angular", "angular-" }, { "angular", "angular." }, { "angular", "angularjs-" },
	{ "bootstrap", "bootstrap-" }, { "bootstrap", "bootstrap." },
	{ "lodash", "lodash-" }, { "lodash", "lodash." },
	{ "underscore", "underscore-" }, { "underscore", "underscore." },
	{ "handlebars", "handlebars-v" }, { "handlebars", "handlebars-" }, { "handlebars", "handlebars." },
	{ "moment", "moment-" }, { "moment", "moment." },
	{ "vue", "vue-" }, { "vue", "vue." },
	{ "react-dom", "react-dom-" }, { "react-dom", "react-dom." },
	{ "react", "react-" }, { "react", "react." },
	{ "dompurify", "purify-" }, { "dompurify", "dompurify-" },
	{ "knockout", "knockout-" }, { "knockout", "knockout." },
	{ "backbone", "backbone-" }, { "backbone", "backbone." },
	{ "mustache", "mustache-" }, { "mustache", "mustache." },
	{ "select2", "select2-" }, { "select2", "select2." },
	{ "chart.js", "chart-" }, { "chart.js", "chart.js-" },
	{ "axios", "axios-" }, { "axios", "axios." },
	{ "ember-source", "ember-" }, { "ember-source", "ember." },
	{ "tinymce", "tinymce-" }, { "tinymce", "tinymce." },
};

static const char *const vjs_tails[] = {
	".js", ".min.js", "-min.js", ".slim.js", ".slim.min.js", ".umd.js", ".umd.min.js",
	".production.min.js", ".development.js", ".debug.js", ".prod.js", ".full.js", ".full.min.js",
	".bundle.js", ".bundle.min.js",
};

/*
 * npm package directories whose own files carry the library (node_modules/NAME/...): the npm
 * analyzer reports those packages from their package.json, so vendorjs stays silent there.
 */
typedef struct vjs_alias {
	const char *dir;
	const char *lib;
} vjs_alias;

static const vjs_alias vjs_aliases[] = {
	{ "jquery-ui-dist", "jquery-ui" }, { "ckeditor", "ckeditor4" }, { "ember", "ember-source" },
	{ "angular", "angular" },
};

#endif
