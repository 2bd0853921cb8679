/*
 * test_spdxfixtures.c - every document of tests/fixtures/spdx converted, its packages and purls
 * counted and held to the independent count of tests/e2e/spdx_count.py (run here when python3 and
 * PyYAML are present, else its committed output counts.tsv); each conversion is then read by
 * bh_sbom_read as SPDX JSON, the way the reader will take it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/log.h"
#include "sbom/sbomread.h"
#include "sbom/spdx3.h"
#include "sbom/spdxtv.h"
#include "sbom/spdxyaml.h"
#include "support/fixture.h"

#define DIR "tests/fixtures/spdx"

/* Packages, and packages with a purl reference: what the SPDX JSON reader looks at. */
static void count(json_t *doc, long *pkgs, long *purls)
{
	size_t i, k;
	json_t *p, *r;
	*pkgs = (long)json_array_size(json_object_get(doc, "packages"));
	*purls = 0;
	json_array_foreach(json_object_get(doc, "packages"), i, p) {
		json_array_foreach(json_object_get(p, "externalRefs"), k, r) {
			const char *t = bh_json_str(r, "referenceType");
			if (t && !strcmp(t, "purl")) {
				(*purls)++;
				break;
			}
		}
	}
}

/* The counts: the script's output now, or its committed copy when it cannot run here. */
static char *expected_counts(void)
{
	size_t n = 0, cap = 1 << 16, clen;
	char *committed = bh_test_slurp(DIR "/counts.tsv", &clen), line[4096];
	char *live = malloc(cap);
	FILE *fp = popen("python3 tests/e2e/spdx_count.py " DIR " 2>/dev/null", "r");
	int status;
	assert_non_null(live);
	if (fp) {
		while (fgets(line, sizeof(line), fp)) {
			size_t l = strlen(line);
			assert_true(n + l < cap);
			memcpy(live + n, line, l);
			n += l;
		}
		live[n] = '\0';
		status = pclose(fp);
		if (status == 0 && n) {
			/* the committed copy must not have drifted from the script */
			if (strcmp(live, committed))
				fprintf(stderr, "%s/counts.tsv differs from the script's output: run python3 tests/e2e/spdx_count.py --write\n", DIR);
			assert_string_equal(live, committed);
			free(committed);
			return live;
		}
	}
	printf("SKIP live count: python3 tests/e2e/spdx_count.py did not run (python3 or PyYAML missing); using the committed %s/counts.tsv\n", DIR);
	free(live);
	return committed;
}

/* Writes doc as JSON to a temporary file and reads it back as an SBOM: the conversion the reader will get. */
static void read_back(json_t *doc, const char *name, long purls)
{
	char path[] = "/tmp/bh-spdxfix-XXXXXX";
	int fd = mkstemp(path);
	bh_limits lim;
	bh_sbom s;
	bh_error err = { 0 };
	assert_true(fd >= 0);
	assert_int_equal(json_dumpfd(doc, fd, JSON_COMPACT), 0);
	close(fd);
	bh_limits_default(&lim);
	bh_sbom_init(&s);
	if (bh_sbom_read(path, &lim, &s, &err))
		fprintf(stderr, "%s: read back: %s\n", name, err.msg);
	unlink(path);
	assert_int_equal(err.code, 0);
	/* every component comes from a purl package (the image's own purl and the OS are not components) */
	assert_true((long)s.comps.n <= purls);
	bh_sbom_free(&s);
}

static void test_fixtures(void **state)
{
	char *rows = expected_counts(), *save = NULL, *line;
	int checked = 0;
	(void)state;
	printf("%-38s %-13s %-11s %9s %9s\n", "fixture", "format", "version", "packages", "purls");
	for (line = strtok_r(rows, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], fmt[32], ver[32], path[512];
		long want_pkgs, want_purls, pkgs = -1, purls = -1;
		size_t len;
		char *data;
		json_t *doc = NULL;
		bh_limits lim;
		bh_error err = { 0 };
		int rc;
		assert_int_equal(sscanf(line, "%255[^\t]\t%31[^\t]\t%31[^\t]\t%ld\t%ld", name, fmt, ver, &want_pkgs, &want_purls), 5);
		snprintf(path, sizeof(path), "%s/%s", DIR, name);
		data = bh_test_slurp(path, &len);
		bh_limits_default(&lim);
		if (!strcmp(fmt, "tag-value")) {
			assert_true(bh_spdxtv_sniff(data, len));
			rc = bh_spdxtv_to_json(data, len, &lim, &doc, &err);
		} else if (!strcmp(fmt, "yaml")) {
			assert_true(bh_spdxyaml_sniff(data, len));
			rc = bh_spdxyaml_to_json(data, len, &lim, &doc, &err);
		} else if (!strcmp(fmt, "spdx3-jsonld")) {
			assert_true(bh_spdx3_sniff(data, len));
			rc = bh_spdx3_to_json(data, len, &lim, &doc, &err);
		} else {
			/* SPDX 2 JSON: read as it is; the counts check the script against the reader's view */
			assert_string_equal(fmt, "json");
			rc = bh_json_load(data, len, lim.max_json_depth, name, &doc, &err);
		}
		/* no converter claims another format's document */
		assert_int_equal(bh_spdxtv_sniff(data, len), !strcmp(fmt, "tag-value"));
		assert_int_equal(bh_spdxyaml_sniff(data, len), !strcmp(fmt, "yaml"));
		assert_int_equal(bh_spdx3_sniff(data, len), !strcmp(fmt, "spdx3-jsonld"));
		if (!rc)
			count(doc, &pkgs, &purls);
		printf("%-38s %-13s %-11s %4ld/%-4ld %4ld/%-4ld%s%s\n", name, fmt, ver, want_pkgs, pkgs, want_purls, purls, rc ? "  refused: " : "",
		       rc ? err.msg : "");
		if (want_pkgs < 0) {
			assert_int_not_equal(rc, 0); /* the script could not parse it either */
			assert_non_null(strstr(err.msg, "line"));
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(pkgs, want_pkgs);
			assert_int_equal(purls, want_purls);
			read_back(doc, name, purls);
		}
		json_decref(doc);
		free(data);
		checked++;
	}
	assert_true(checked >= 10);
	free(rows);
}

/* Converts one fixture by its name (tag-value, YAML, SPDX 3, or SPDX 2 JSON as it is). */
static json_t *load(const char *name)
{
	char path[512], *data;
	size_t len, n = strlen(name);
	json_t *doc = NULL;
	bh_limits lim;
	bh_error err = { 0 };
	int rc;
	snprintf(path, sizeof(path), "%s/%s", DIR, name);
	data = bh_test_slurp(path, &len);
	bh_limits_default(&lim);
	if (n > 5 && !strcmp(name + n - 5, ".spdx"))
		rc = bh_spdxtv_to_json(data, len, &lim, &doc, &err);
	else if (n > 5 && !strcmp(name + n - 5, ".yaml"))
		rc = bh_spdxyaml_to_json(data, len, &lim, &doc, &err);
	else if (strstr(name, "spdx3"))
		rc = bh_spdx3_to_json(data, len, &lim, &doc, &err);
	else
		rc = bh_json_load(data, len, lim.max_json_depth, name, &doc, &err);
	free(data);
	if (rc)
		fprintf(stderr, "%s: %s\n", name, err.msg);
	assert_int_equal(rc, 0);
	return doc;
}

/* "name|version|purl|declared licence" of each package, sorted, one per line. */
static char *package_lines(json_t *doc)
{
	json_t *p, *r, *lines = json_array();
	size_t i, k, total = 1;
	char *out;
	json_array_foreach(json_object_get(doc, "packages"), i, p) {
		const char *purl = "";
		char buf[1024];
		json_array_foreach(json_object_get(p, "externalRefs"), k, r)
			if (bh_json_str(r, "referenceType") && !strcmp(bh_json_str(r, "referenceType"), "purl")) {
				purl = bh_json_str(r, "referenceLocator");
				break;
			}
		snprintf(buf, sizeof(buf), "%s|%s|%s|%s", bh_json_str(p, "name"), bh_json_str(p, "versionInfo") ? bh_json_str(p, "versionInfo") : "",
			 purl, bh_json_str(p, "licenseDeclared") ? bh_json_str(p, "licenseDeclared") : "");
		json_array_append_new(lines, json_string(buf));
		total += strlen(buf) + 1;
	}
	/* insertion sort: a handful of packages */
	for (i = 1; i < json_array_size(lines); i++)
		for (k = i; k > 0 && strcmp(json_string_value(json_array_get(lines, k - 1)), json_string_value(json_array_get(lines, k))) > 0; k--) {
			json_t *a = json_incref(json_array_get(lines, k - 1));
			json_array_set(lines, k - 1, json_array_get(lines, k));
			json_array_set_new(lines, k, a);
		}
	out = calloc(1, total);
	assert_non_null(out);
	json_array_foreach(lines, i, p) {
		strcat(out, json_string_value(p));
		strcat(out, "\n");
	}
	json_decref(lines);
	return out;
}

/* The same document in two serialisations gives the same packages, versions, purls and licences. */
static void test_same_document(void **state)
{
	static const char *const pairs[][2] = {
		{ "spec-example-v2.3.spdx", "spec-example-v2.3.spdx.json" },
		{ "spec-example-v2.3.spdx.yaml", "spec-example-v2.3.spdx.json" },
		{ "example9-appbomination.spdx3.json", "example9-appbomination.spdx.json" },
		{ "example11-sbom.spdx3.json", "example11-sbom.spdx.json" },
		{ "example6-lib.spdx3.json", "example6-lib.spdx" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		json_t *a = load(pairs[i][0]), *b = load(pairs[i][1]);
		char *la = package_lines(a), *lb = package_lines(b);
		if (strcmp(la, lb))
			fprintf(stderr, "%s:\n%s%s:\n%s", pairs[i][0], la, pairs[i][1], lb);
		assert_string_equal(la, lb);
		free(la);
		free(lb);
		json_decref(a);
		json_decref(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_same_document),
	};
	bh_log_set_level(BH_LOG_QUIET); /* the reader's warnings on purl-less packages */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
