/* test_vreport.c - the scan table fits 60 to 200 columns (vulnerabilities and checks, also grouped by
 * package), never cuts a fixed version, groups per package with the highest fixed version; the
 * HTML report is risk-ordered, has no event handlers and its CSP hash matches its style block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "report/vulnreport.h"

/* Display columns, independently of layout.c: code points, CJK (U+3000-U+9FFF) as two. */
static size_t cols_of(const char *s, size_t n)
{
	size_t i = 0, w = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		w += (k == 3 && c >= 0xe3 && c <= 0xe9) ? 2 : 1;
		i += k;
	}
	return w;
}

static size_t max_line(const char *text)
{
	size_t m = 0;
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p), w = cols_of(p, n);
		if (w > m)
			m = w;
		p += n + (e != NULL);
	}
	return m;
}

static bh_component *comp(bh_sbom *s, bh_ecosystem eco, const char *name, const char *ver, const char *path)
{
	bh_component *c = bh_complist_add(&s->comps, eco);
	assert_non_null(c);
	bh_component_set(&c->name, name, strlen(name));
	bh_component_set(&c->version, ver, strlen(ver));
	bh_component_set(&c->path, path, strlen(path));
	c->layer = 0;
	return c;
}

static void add(bh_findings *f, size_t c, const char *id, bh_severity sev, const char *fixed, bool kev, double epss,
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
	x->comp = c;
	x->id = strdup(id);
	x->installed = strdup("x");
	x->fixed = fixed ? strdup(fixed) : NULL;
	x->status = strdup(fixed ? "fixed" : "affected");
	x->severity = sev;
	x->kev = kev;
	x->epss = epss;
	x->title = title ? strdup(title) : NULL;
	x->aliases = strdup("CVE-2024-0001 GHSA-xxxx-yyyy-zzzz");
	x->url = strdup("https://osv.dev/vulnerability/x");
}

static void fixture(bh_sbom *s, bh_findings *f, bh_checks *ck)
{
	bh_layer *l;
	bh_check_finding x = { 0 };
	bh_sbom_init(s);
	s->name = strdup("registry.example.com/a/very/long/repository/name/for/an/image/that/keeps/going:1.2.3-with-a-long-tag");
	s->kind = strdup("docker-archive");
	assert_int_equal(bh_sbom_add_layer(s, &l), 0);
	l->digest = strdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	comp(s, BH_ECO_GO, "stdlib", "v1.19.8", "/app/bin/tool");                                      /* 0 */
	comp(s, BH_ECO_GO, "stdlib", "v1.19.8", "/app/bin/other");                                     /* 1 */
	comp(s, BH_ECO_DEB, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-library-with-a-long-name-\xe6\x97\xa5", "1.0-1", "/var/lib/dpkg/status"); /* 2 */
	comp(s, BH_ECO_PYPI, "pkg", "1.0.0.post1+local.build.version.string", "/usr/lib/python3/pkg/METADATA");                   /* 3 */
	memset(f, 0, sizeof(*f));
	add(f, 0, "GO-2023-1751", BH_SEV_HIGH, "1.19.9", false, 0.5, "Improper sanitization of CSS values in html/template");
	add(f, 1, "GO-2023-1752", BH_SEV_HIGH, "1.19.10", false, 0.1, NULL);
	add(f, 0, "GO-2023-1753", BH_SEV_MEDIUM, NULL, false, -1, "x");
	add(f, 2, "CVE-2024-12345", BH_SEV_HIGH, NULL, true, 0.2,
	    "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89 a very long title in two scripts that must wrap or be cut with an ellipsis in its column");
	/* two fixed versions that differ only at their end: never cut */
	add(f, 3, "PYSEC-2024-1", BH_SEV_LOW, "1.0.0.post1+local.build.version.string.fixed-a", false, -1, "t");
	add(f, 3, "PYSEC-2024-2", BH_SEV_LOW, "1.0.0.post1+local.build.version.string.fixed-b", false, -1, "t");
	memset(ck, 0, sizeof(*ck));
	x.rule = "BH-SECRET-aws-secret-access-key";
	x.cis = "4.10";
	x.category = "secret";
	x.severity = BH_SEV_CRITICAL;
	x.title = "Secret in the image";
	x.detail = "AWS secret access key: aws_secret_access_key = q8Vd************************************ and more words to wrap";
	x.fix = "Revoke and rotate the credential, remove it from the build (use RUN --mount=type=secret or runtime secrets), and rebuild.";
	x.why = "Anyone who pulls the image can read it.";
	x.path = "/srv/conf/a/deeply/nested/directory/structure/with/a/credentials/file/in/it/credentials.ini";
	x.line = 2;
	x.target = "img";
	x.layer = "layer 1 (sha256:0123456789ab)";
	assert_int_equal(bh_checks_add(ck, &x), 0);
	x.rule = "BH-IMG-002";
	x.cis = "4.6";
	x.severity = BH_SEV_LOW;
	x.title = "No HEALTHCHECK in the image";
	x.detail = NULL;
	x.path = NULL;
	x.line = 0;
	x.layer = NULL;
	assert_int_equal(bh_checks_add(ck, &x), 0);
}

static char *vreport(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt, size_t width, bool group)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	bh_vreport_opts o = { width, group, NULL };
	bh_error e;
	assert_non_null(fp);
	assert_int_equal(bh_vreport_write_opts(s, f, ck, fmt, &o, fp, &e), 0);
	fclose(fp);
	return p;
}

/* The text of the column that starts at byte offset col and ends before byte offset end, over the
 * lines of the nth row that starts with `row` (ASCII-only lines before that column). */
static void column_text(const char *table, const char *row, int nth, size_t col, size_t end, char *out, size_t cap)
{
	const char *p = strstr(table, row);
	size_t k = 0;
	while (p && nth-- > 0)
		p = strstr(p + 1, row);
	assert_non_null(p);
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = (size_t)(e - p), i;
		if (k && (strncmp(p, "         ", 9) != 0 || !strncmp(p + 9, "aliases:", 8) || !strncmp(p + 9, "where:", 6)))
			break; /* the next row or this row's continuation lines */
		for (i = col; i < end && i < n; i++)
			if (p[i] != ' ' && k + 1 < cap)
				out[k++] = p[i];
		p = e + 1;
	}
	out[k] = '\0';
}

static void test_widths(void **state)
{
	static const size_t widths[] = { 60, 80, 100, 200 };
	bh_sbom s;
	bh_findings f;
	bh_checks ck;
	size_t w;
	(void)state;
	fixture(&s, &f, &ck);
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		char *t = vreport(&s, &f, &ck, BH_VREPORT_TABLE, widths[w], false), *g;
		const char *h = strstr(t, "SEVERITY ID");
		char fx[256];
		assert_non_null(h);
		assert_non_null(strstr(t, "SEVERITY RULE"));
		if (max_line(t) > widths[w])
			fprintf(stderr, "width %zu: a line of %zu\n%s\n", widths[w], max_line(t), t);
		assert_true(max_line(t) <= widths[w]);
		/* the two fixed versions in full, in the FIXED column of their rows */
		{
			const char *hl = h, *fpos = strstr(hl, "FIXED"), *kpos = strstr(hl, "KEV");
			column_text(t, "LOW      PYSEC", 0, (size_t)(fpos - hl), (size_t)(kpos - hl), fx, sizeof(fx));
			assert_string_equal(fx, "1.0.0.post1+local.build.version.string.fixed-a");
			column_text(t, "LOW      PYSEC", 1, (size_t)(fpos - hl), (size_t)(kpos - hl), fx, sizeof(fx));
			assert_string_equal(fx, "1.0.0.post1+local.build.version.string.fixed-b");
		}
		assert_non_null(strstr(t, "aliases: CVE-2024-0001, GHSA-xxxx-yyyy-zzzz"));
		g = vreport(&s, &f, &ck, BH_VREPORT_TABLE, widths[w], true);
		assert_true(max_line(g) <= widths[w]);
		free(g);
		free(t);
	}
	/* 0 = the default (100) */
	{
		char *t = vreport(&s, &f, &ck, BH_VREPORT_TABLE, 0, false);
		assert_true(max_line(t) <= BH_VREPORT_WIDTH_DEFAULT);
		assert_true(max_line(t) > 80);
		free(t);
	}
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

/* A host full of unreadable files makes many warnings: the table shows ten and says how many more. */
static void test_many_warnings(void **state)
{
	bh_sbom s;
	bh_findings f;
	bh_checks ck;
	char *t, *p;
	size_t i, n = 0;
	(void)state;
	fixture(&s, &f, &ck);
	for (i = 0; i < 15; i++)
		assert_int_equal(bh_sbom_warn(&s, "warning number %zu", i), 0);
	t = vreport(&s, &f, &ck, BH_VREPORT_TABLE, 100, false);
	for (p = t; (p = strstr(p, "Warning:")) != NULL; p++)
		n++;
	assert_int_equal(s.nwarnings, 15);
	assert_int_equal(n, 11); /* ten, then the "more" line */
	assert_non_null(strstr(t, "more (every warning is in -f json"));
	assert_null(strstr(t, "warning number 14"));
	free(t);
	t = vreport(&s, &f, &ck, BH_VREPORT_JSON, 100, false);
	assert_non_null(strstr(t, "warning number 14"));
	free(t);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

static void test_group_by_package(void **state)
{
	bh_sbom s;
	bh_findings f;
	bh_checks ck;
	char *t;
	json_t *doc, *groups, *g0;
	size_t i;
	(void)state;
	fixture(&s, &f, &ck);
	bh_findings_sort(&s, &f);
	t = vreport(&s, &f, NULL, BH_VREPORT_TABLE, 120, true);
	assert_non_null(strstr(t, "SEVERITY PACKAGE"));
	/* stdlib v1.19.8 of two binaries: one row, 3 advisories, the highest fix in Go's order (not strcmp's) */
	assert_non_null(strstr(t, "stdlib"));
	{
		char sev[16], name[64], inst[64], fixed[64];
		size_t count = 0;
		const char *row = strstr(t, "HIGH     stdlib");
		assert_non_null(row);
		assert_int_equal(sscanf(row, "%15s %63s %63s %63s %zu", sev, name, inst, fixed, &count), 5);
		assert_string_equal(fixed, "1.19.10");
		assert_int_equal(count, 3);
	}
	assert_non_null(strstr(t, "(and 1 other file)"));
	assert_non_null(strstr(t, "no fix yet for 1 of them"));
	free(t);
	t = vreport(&s, &f, NULL, BH_VREPORT_JSON, 0, true);
	doc = json_loads(t, 0, NULL);
	assert_non_null(doc);
	groups = json_object_get(doc, "groups");
	assert_int_equal(json_array_size(groups), 3);
	for (i = 0, g0 = NULL; i < json_array_size(groups); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(groups, i), "package")), "stdlib"))
			g0 = json_array_get(groups, i);
	assert_non_null(g0);
	assert_string_equal(json_string_value(json_object_get(g0, "package")), "stdlib");
	assert_int_equal(json_integer_value(json_object_get(g0, "count")), 3);
	assert_int_equal(json_array_size(json_object_get(g0, "ids")), 3);
	assert_string_equal(json_string_value(json_object_get(g0, "fixed_version")), "1.19.10");
	assert_int_equal(json_integer_value(json_object_get(g0, "unfixed")), 1);
	assert_int_equal(json_integer_value(json_object_get(g0, "files")), 2);
	json_decref(doc);
	free(t);
	/* without --group-by: no "groups" member (the document is unchanged) */
	t = vreport(&s, &f, NULL, BH_VREPORT_JSON, 0, false);
	assert_null(strstr(t, "\"groups\""));
	free(t);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

static void test_html(void **state)
{
	bh_sbom s;
	bh_findings f;
	bh_checks ck;
	char *t, *p, want[64];
	const char *st, *se, *csp;
	unsigned char md[SHA256_DIGEST_LENGTH];
	const char *order[] = { "BH-SECRET-aws-secret-access-key", "CVE-2024-12345", "GO-2023-1751", "GO-2023-1752", "GO-2023-1753",
				"PYSEC-2024-1", "BH-IMG-002" };
	size_t i;
	(void)state;
	fixture(&s, &f, &ck);
	bh_findings_sort(&s, &f);
	t = vreport(&s, &f, &ck, BH_VREPORT_HTML, 0, false);
	/* no event handler attributes, no script */
	for (p = t; (p = strstr(p, " on")) != NULL; p++) {
		size_t k = 3;
		while (p[k] >= 'a' && p[k] <= 'z')
			k++;
		assert_false(p[k] == '=' && k > 3);
	}
	assert_null(strstr(t, "<script"));
	/* the CSP allows the one style block by its hash */
	csp = strstr(t, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-");
	assert_non_null(csp);
	st = strstr(t, "<style>");
	se = strstr(t, "</style>");
	assert_true(csp < st && st && se);
	st += 7;
	SHA256((const unsigned char *)st, (size_t)(se - st), md);
	memcpy(want, "sha256-", 7);
	EVP_EncodeBlock((unsigned char *)want + 7, md, SHA256_DIGEST_LENGTH);
	assert_non_null(strstr(csp, want));
	assert_null(strstr(se + 1, "<style"));
	/* one list in risk order: severity, KEV, EPSS, a fix */
	p = strstr(t, "<tbody>");
	assert_non_null(p);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char *q = strstr(p, order[i]);
		assert_non_null(q);
		p = q;
	}
	/* CVE ids, the layer, the filters and counts */
	assert_non_null(strstr(t, "CVE-2024-0001, GHSA-xxxx-yyyy-zzzz"));
	assert_non_null(strstr(t, "layer 0 (sha256:0123456789ab)"));
	assert_non_null(strstr(t, "id=\"f-critical\""));
	assert_non_null(strstr(t, "class=\"nv\""));
	free(t);
	bh_findings_free(&f);
	bh_checks_free(&ck);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_group_by_package),
		cmocka_unit_test(test_many_warnings),
		cmocka_unit_test(test_html),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
