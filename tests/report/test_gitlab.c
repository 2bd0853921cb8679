/* test_gitlab.c - GitLab Code Quality and Container Scanning reports: every finding placed, fingerprints and ids
 * unique and stable, severities mapped, identifiers typed, hostile names kept as valid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/gitlab.h"
#include "report/jout.h"
#include "report/vulnreport.h"

/* Three components: a Go module under a hostile path, a dpkg package with \xff in its name, and one
 * from a stored SBOM (no file). */
static void fixture_sbom(bh_sbom *s)
{
	bh_component *c;
	bh_sbom_init(s);
	s->input = strdup("/work/image.tar");
	s->name = strdup("img\x1b]0;t\x07");
	assert_int_equal(bh_strv_push(&s->repo_tags, &s->nrepo_tags, "registry.example.com/app:1.2"), 0);
	s->osinfo.family = strdup("debian");
	s->osinfo.version = strdup("12");
	s->seconds = 3.2;
	c = bh_complist_add(&s->comps, BH_ECO_GO);
	assert_non_null(c);
	assert_int_equal(bh_component_set(&c->name, "golang.org/x/net", 16), 0);
	assert_int_equal(bh_component_set(&c->version, "v0.1.0", 6), 0);
	assert_int_equal(bh_component_set(&c->path, "/app/bin\xff/t\x1b[2J #?%", 19), 0);
	c = bh_complist_add(&s->comps, BH_ECO_DEB);
	assert_non_null(c);
	assert_int_equal(bh_component_set(&c->name, "evil\xffpkg", 8), 0);
	assert_int_equal(bh_component_set(&c->version, "1.0", 3), 0);
	assert_int_equal(bh_component_set(&c->path, "/var/lib/dpkg/status", 20), 0);
	c = bh_complist_add(&s->comps, BH_ECO_CARGO);
	assert_non_null(c);
	assert_int_equal(bh_component_set(&c->name, "smallvec", 8), 0);
	assert_int_equal(bh_component_set(&c->version, "0.6.0", 5), 0);
	assert_int_equal(bh_strv_push(&s->warnings, &s->nwarnings, "debian 12: no advisories \x1b[31m"), 0);
}

static void add_finding(bh_findings *f, size_t comp, const char *id, const char *aliases, bh_severity sev, const char *fixed,
			const char *title)
{
	bh_finding *x;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = realloc(f->items, f->cap * sizeof(*f->items));
		assert_non_null(f->items);
	}
	x = &f->items[f->n++];
	memset(x, 0, sizeof(*x));
	x->comp = comp;
	x->id = strdup(id);
	x->aliases = aliases ? strdup(aliases) : NULL;
	x->severity = sev;
	x->fixed = fixed ? strdup(fixed) : NULL;
	x->title = title ? strdup(title) : NULL;
	x->epss = -1;
}

/* line: the check's line (the fingerprint must not depend on it). */
static void fixture_findings(bh_findings *f, bh_checks *ck, unsigned long line)
{
	bh_check_finding x = { 0 };
	memset(f, 0, sizeof(*f));
	memset(ck, 0, sizeof(*ck));
	add_finding(f, 0, "GO-2023-0001", "GHSA-aaaa-bbbb-cccc CVE-2023-0002 CVE-2023-0001", BH_SEV_HIGH, "v0.7.0", "bad \xff title");
	f->items[0].url = strdup("https://pkg.go.dev/vuln/GO-2023-0001");
	add_finding(f, 1, "CVE-2024-1", NULL, BH_SEV_CRITICAL, NULL, NULL);
	f->items[1].kev = true;
	add_finding(f, 1, "DSA-5000-1", "CVE-2024-2", BH_SEV_LOW, NULL, "old");
	add_finding(f, 2, "RUSTSEC-2021-0003", NULL, BH_SEV_UNKNOWN, NULL, "unmaintained");
	f->items[3].kind = strdup("unmaintained");
	f->items[3].status = strdup("affected");
	/* the same advisory twice on one package (two copies in one file): still two issues */
	add_finding(f, 1, "CVE-2024-1", NULL, BH_SEV_CRITICAL, NULL, NULL);

	x.rule = "BH-SECRET-aws-access-key";
	x.category = "secret";
	x.severity = BH_SEV_HIGH;
	x.title = "AWS access key";
	x.detail = "AKIA****OP2";
	x.path = "/srv/conf\xff/cred.ini";
	x.line = line;
	x.target = "image.tar";
	assert_int_equal(bh_checks_add(ck, &x), 0);
	x.rule = "BH-IMG-001";
	x.category = "image-config";
	x.severity = BH_SEV_MEDIUM;
	x.title = "runs as root";
	x.detail = NULL;
	x.path = NULL;
	x.line = 0;
	x.target = "img";
	assert_int_equal(bh_checks_add(ck, &x), 0);
	x.rule = "BH-HOST-001";
	x.status = "not-applicable";
	assert_int_equal(bh_checks_add(ck, &x), 0);
}

static json_t *write_doc(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	bh_error e;
	json_t *doc;
	json_error_t je;
	assert_non_null(fp);
	assert_int_equal(bh_vreport_write(s, f, ck, fmt, fp, &e), 0);
	fclose(fp);
	doc = json_loads(p, 0, &je); /* jansson refuses invalid UTF-8: loading proves the output valid */
	if (!doc)
		fail_msg("not JSON: %s", je.text);
	free(p);
	return doc;
}

static const char *str(json_t *o, const char *path)
{
	char key[64];
	const char *dot;
	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_string_value(json_object_get(o, path));
}

static bool is_hex64(const char *s)
{
	size_t i;
	for (i = 0; s && s[i]; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return s && i == 64;
}

static void test_codequality(void **state)
{
	bh_sbom s;
	bh_findings f, f2;
	bh_checks ck, ck2;
	json_t *doc, *doc2, *seen = json_object();
	size_t i;
	(void)state;
	fixture_sbom(&s);
	fixture_findings(&f, &ck, 3);
	assert_int_equal(bh_vreport_format_parse("gitlab-codequality", &(bh_vreport_format){ 0 }), 0);
	doc = write_doc(&s, &f, &ck, BH_VREPORT_GITLAB_CODEQUALITY);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), 5 + 2); /* the not-applicable check is no issue */
	for (i = 0; i < json_array_size(doc); i++) {
		json_t *it = json_array_get(doc, i);
		const char *sev = str(it, "severity"), *path = str(it, "location.path");
		assert_true(is_hex64(str(it, "fingerprint")));
		assert_null(json_object_get(seen, str(it, "fingerprint")));
		json_object_set_new(seen, str(it, "fingerprint"), json_true());
		assert_non_null(strstr("info minor major critical blocker", sev));
		assert_non_null(str(it, "description"));
		assert_non_null(str(it, "check_name"));
		assert_non_null(path);
		assert_true(path[0] != '/');
		assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(it, "location"), "lines"), "begin")) >= 1);
	}
	/* checks first, at their file and line, else their target */
	assert_string_equal(str(json_array_get(doc, 0), "check_name"), "BH-SECRET-aws-access-key");
	assert_string_equal(str(json_array_get(doc, 0), "location.path"), "srv/conf\xef\xbf\xbd/cred.ini");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(json_array_get(doc, 0), "location"), "lines"), "begin")), 3);
	assert_string_equal(str(json_array_get(doc, 0), "severity"), "major");
	assert_non_null(strstr(str(json_array_get(doc, 0), "description"), "AWS access key: AKIA****OP2"));
	assert_string_equal(str(json_array_get(doc, 1), "location.path"), "img");
	assert_string_equal(str(json_array_get(doc, 1), "severity"), "minor");
	/* vulnerabilities at the file their package was found in, line 1 */
	assert_string_equal(str(json_array_get(doc, 2), "check_name"), "GO-2023-0001");
	assert_string_equal(str(json_array_get(doc, 2), "location.path"), "app/bin\xef\xbf\xbd/t\x1b[2J #?%");
	assert_non_null(strstr(str(json_array_get(doc, 2), "description"),
			       "GO-2023-0001 (CVE-2023-0002, CVE-2023-0001, GHSA-aaaa-bbbb-cccc) in golang.org/x/net v0.1.0"));
	assert_non_null(strstr(str(json_array_get(doc, 2), "description"), "Fixed in v0.7.0."));
	assert_string_equal(str(json_array_get(doc, 2), "severity"), "major");
	assert_string_equal(str(json_array_get(doc, 3), "location.path"), "var/lib/dpkg/status");
	assert_string_equal(str(json_array_get(doc, 3), "severity"), "blocker"); /* critical and known exploited */
	assert_string_equal(str(json_array_get(doc, 4), "severity"), "info");
	assert_string_equal(str(json_array_get(doc, 5), "location.path"), "work/image.tar"); /* no file: the target */
	assert_string_equal(str(json_array_get(doc, 5), "severity"), "info");                  /* informational */
	assert_string_not_equal(str(json_array_get(doc, 3), "fingerprint"), str(json_array_get(doc, 6), "fingerprint"));

	/* stable: another run, the secret moved to another line, gives the same fingerprints */
	fixture_findings(&f2, &ck2, 40);
	doc2 = write_doc(&s, &f2, &ck2, BH_VREPORT_GITLAB_CODEQUALITY);
	for (i = 0; i < json_array_size(doc); i++)
		assert_string_equal(str(json_array_get(doc, i), "fingerprint"), str(json_array_get(doc2, i), "fingerprint"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(json_array_get(doc2, 0), "location"), "lines"), "begin")), 40);
	json_decref(doc2);
	bh_findings_free(&f2);
	bh_checks_free(&ck2);

	/* nothing found: an empty array, which GitLab reads as "no issues" */
	f2 = (bh_findings){ 0 };
	doc2 = write_doc(&s, &f2, NULL, BH_VREPORT_GITLAB_CODEQUALITY);
	assert_true(json_is_array(doc2));
	assert_int_equal(json_array_size(doc2), 0);
	json_decref(doc2);

	json_decref(seen);
	json_decref(doc);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

static bool is_uuid(const char *s)
{
	size_t i;
	if (!s || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static void test_container_scanning(void **state)
{
	bh_sbom s;
	bh_findings f, f2;
	bh_checks ck;
	json_t *doc, *doc2, *v, *ids, *scan, *msgs;
	size_t i;
	(void)state;
	fixture_sbom(&s);
	fixture_findings(&f, &ck, 3);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	doc = write_doc(&s, &f, &ck, BH_VREPORT_GITLAB_CONTAINER_SCANNING);
	assert_string_equal(str(doc, "version"), BH_GITLAB_SCHEMA_VERSION);
	assert_string_equal(str(doc, "schema"), "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v"
				BH_GITLAB_SCHEMA_VERSION "/dist/container-scanning-report-format.json");
	scan = json_object_get(doc, "scan");
	assert_string_equal(str(scan, "type"), "container_scanning");
	assert_string_equal(str(scan, "status"), "success");
	assert_string_equal(str(scan, "analyzer.id"), "bulkhead");
	assert_string_equal(str(scan, "scanner.vendor.name"), "bulkhead");
	assert_string_equal(str(scan, "start_time"), "2023-11-14T22:13:20"); /* reproducible: no wall time */
	assert_string_equal(str(scan, "end_time"), "2023-11-14T22:13:20");
	msgs = json_object_get(scan, "messages");
	assert_int_equal(json_array_size(msgs), 2);
	assert_string_equal(str(json_array_get(msgs, 0), "level"), "warn");
	assert_string_equal(str(json_array_get(msgs, 0), "value"), "debian 12: no advisories \x1b[31m");
	assert_string_equal(str(json_array_get(msgs, 1), "level"), "info");
	assert_non_null(strstr(str(json_array_get(msgs, 1), "value"), "2 check findings"));

	v = json_object_get(doc, "vulnerabilities");
	assert_int_equal(json_array_size(v), 5);
	for (i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i);
		size_t j;
		assert_true(is_uuid(str(x, "id")));
		for (j = 0; j < i; j++)
			assert_string_not_equal(str(x, "id"), str(json_array_get(v, j), "id"));
		assert_string_equal(str(x, "location.operating_system"), "debian:12");
		assert_string_equal(str(x, "location.image"), "registry.example.com/app:1.2");
		assert_true(json_array_size(json_object_get(x, "identifiers")) >= 1);
	}
	/* the advisory id first, then its aliases, CVE ids first, each typed and linked */
	v = json_array_get(json_object_get(doc, "vulnerabilities"), 0);
	ids = json_object_get(v, "identifiers");
	assert_int_equal(json_array_size(ids), 4);
	assert_string_equal(str(json_array_get(ids, 0), "type"), "go");
	assert_string_equal(str(json_array_get(ids, 0), "value"), "GO-2023-0001");
	assert_string_equal(str(json_array_get(ids, 0), "url"), "https://pkg.go.dev/vuln/GO-2023-0001");
	assert_string_equal(str(json_array_get(ids, 1), "type"), "cve");
	assert_string_equal(str(json_array_get(ids, 1), "name"), "CVE-2023-0002");
	assert_string_equal(str(json_array_get(ids, 1), "url"), "https://nvd.nist.gov/vuln/detail/CVE-2023-0002");
	assert_string_equal(str(json_array_get(ids, 3), "type"), "ghsa");
	assert_string_equal(str(json_array_get(ids, 3), "url"), "https://github.com/advisories/GHSA-aaaa-bbbb-cccc");
	assert_string_equal(str(v, "severity"), "High");
	assert_string_equal(str(v, "name"), "bad \xef\xbf\xbd title");
	assert_string_equal(str(v, "solution"), "Upgrade golang.org/x/net from v0.1.0 to v0.7.0");
	assert_string_equal(str(v, "location.dependency.package.name"), "golang.org/x/net");
	assert_string_equal(str(v, "location.dependency.version"), "v0.1.0");
	assert_string_equal(str(json_array_get(json_object_get(v, "links"), 0), "url"), "https://pkg.go.dev/vuln/GO-2023-0001");
	v = json_array_get(json_object_get(doc, "vulnerabilities"), 1);
	assert_string_equal(str(v, "severity"), "Critical");
	assert_string_equal(str(v, "name"), "CVE-2024-1"); /* no title: the id */
	assert_null(json_object_get(v, "solution"));       /* no fix known: no made-up advice */
	assert_string_equal(str(v, "location.dependency.package.name"), "evil\xef\xbf\xbdpkg");
	v = json_array_get(json_object_get(doc, "vulnerabilities"), 2);
	assert_string_equal(str(json_array_get(json_object_get(v, "identifiers"), 0), "type"), "dsa");
	assert_string_equal(str(v, "severity"), "Low");
	v = json_array_get(json_object_get(doc, "vulnerabilities"), 3);
	assert_string_equal(str(v, "severity"), "Info"); /* RustSec informational */
	assert_string_equal(str(json_array_get(json_object_get(v, "identifiers"), 0), "type"), "rustsec");

	/* stable ids: a second run writes the same */
	doc2 = write_doc(&s, &f, &ck, BH_VREPORT_GITLAB_CONTAINER_SCANNING);
	for (i = 0; i < 5; i++)
		assert_string_equal(str(json_array_get(json_object_get(doc, "vulnerabilities"), i), "id"),
				    str(json_array_get(json_object_get(doc2, "vulnerabilities"), i), "id"));
	json_decref(doc2);
	unsetenv("SOURCE_DATE_EPOCH");

	/* a title longer than the schema's 255 bytes is cut at a character boundary (json_loads checks UTF-8) */
	{
		char title[601];
		for (i = 0; i < 300; i++)
			memcpy(title + 2 * i, "\xc3\xa9", 2);
		title[600] = '\0';
		f2 = (bh_findings){ 0 };
		add_finding(&f2, 0, "CVE-2025-0001", NULL, BH_SEV_MEDIUM, NULL, title);
		doc2 = write_doc(&s, &f2, NULL, BH_VREPORT_GITLAB_CONTAINER_SCANNING);
		v = json_array_get(json_object_get(doc2, "vulnerabilities"), 0);
		assert_int_equal(strlen(str(v, "name")), 254);
		assert_int_equal(json_array_size(json_object_get(json_object_get(doc2, "scan"), "messages")), 1); /* no checks: no note */
		assert_string_equal(str(json_object_get(doc2, "scan"), "start_time") + 19, "");
		json_decref(doc2);
		bh_findings_free(&f2);
	}
	json_decref(doc);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

/* No OS known and no tag: the schema still gets non-empty strings. */
static void test_container_scanning_minimal(void **state)
{
	bh_sbom s;
	bh_findings f = { 0 };
	json_t *doc, *v;
	(void)state;
	bh_sbom_init(&s);
	s.input = strdup("sbom.json");
	assert_non_null(bh_complist_add(&s.comps, BH_ECO_NPM));
	add_finding(&f, 0, "weird id", NULL, BH_SEV_UNKNOWN, NULL, NULL);
	doc = write_doc(&s, &f, NULL, BH_VREPORT_GITLAB_CONTAINER_SCANNING);
	v = json_array_get(json_object_get(doc, "vulnerabilities"), 0);
	assert_string_equal(str(v, "location.operating_system"), "unknown");
	assert_string_equal(str(v, "location.image"), "sbom.json");
	assert_string_equal(str(v, "location.dependency.package.name"), "");
	assert_string_equal(str(v, "severity"), "Unknown");
	assert_string_equal(str(json_array_get(json_object_get(v, "identifiers"), 0), "type"), "bulkhead");
	assert_null(json_object_get(json_array_get(json_object_get(v, "identifiers"), 0), "url"));
	json_decref(doc);
	bh_findings_free(&f);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codequality),
		cmocka_unit_test(test_container_scanning),
		cmocka_unit_test(test_container_scanning_minimal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
