/* test_tracker.c - the issue tracker's pure parts: Markdown escaping (no HTML, mention, reference
 * or autolink from a package name), titles, repositories of tags, group keys and their hash, the
 * marker, issue bodies, and the POST /api/v1/trackers body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "server/tracker.h"

#define ZWSP "\xe2\x80\x8b"

static char *md(const char *s, size_t max)
{
	bh_buf b = BH_BUF_INIT;
	assert_int_equal(bh_tracker_md_escape(&b, s, max), 0);
	bh_buf_putc(&b, '\0');
	return bh_buf_steal(&b);
}

static char *ttl(const char *s)
{
	bh_buf b = BH_BUF_INIT;
	assert_int_equal(bh_tracker_title_clean(&b, s), 0);
	bh_buf_putc(&b, '\0');
	return bh_buf_steal(&b);
}

#define EQ_MD(in, want)                          \
	do {                                     \
		char *got_ = md(in, 4096);       \
		assert_string_equal(got_, want); \
		free(got_);                      \
	} while (0)

static void test_md_escape(void **state)
{
	char *s;
	(void)state;
	EQ_MD("jw.util 2.0-rc1+x", "jw.util 2.0-rc1+x"); /* block syntax needs nothing mid-line */
	EQ_MD("a*b_c`d", "a\\*b\\_c\\`d");
	EQ_MD("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert\\(1\\)\\>");
	EQ_MD("&amp; [x](javascript:y) ![i](u)", "\\&amp; \\[x\\]\\(javascript:y\\) \\!\\[i\\]\\(u\\)");
	EQ_MD("a|b\\c ~~d~~ $x$", "a\\|b\\\\c \\~\\~d\\~\\~ \\$x\\$");
	EQ_MD("@octo/lib", "@" ZWSP "octo/lib");         /* no mention */
	EQ_MD("see #12 and GH-1", "see #" ZWSP "12 and GH-1"); /* no issue reference */
	EQ_MD("http://evil.example/x", "http:" ZWSP "//evil.example/x");
	EQ_MD("www.evil.example", "www." ZWSP "evil.example");
	EQ_MD("a\nb\r\tc\x7f", "a b  c ");
	EQ_MD("bad \xff\xfe utf8", "bad \xef\xbf\xbd\xef\xbf\xbd utf8");
	EQ_MD("caf\xc3\xa9", "caf\xc3\xa9");
	EQ_MD(NULL, "");
	s = md("abcdefgh", 3);
	assert_string_equal(s, "abc...");
	free(s);
	/* a marker inside a name cannot be read as one */
	s = md("<!-- bulkhead-group: 0000000000000000000000000000000000000000000000000000000000000000 -->", 4096);
	assert_null(strstr(s, "<!--"));
	free(s);
}

static void test_title(void **state)
{
	char *s;
	(void)state;
	s = ttl("`x` by @admin <b>");
	assert_string_equal(s, "'x' by @" ZWSP "admin <b>"); /* GitHub shows titles as text */
	free(s);
	s = ttl("line\nbreak");
	assert_string_equal(s, "line break");
	free(s);
}

static void test_repository_of(void **state)
{
	char out[256];
	(void)state;
	assert_true(bh_tracker_repository_of("127.0.0.1:5000/team/app:1.0", out, sizeof(out)));
	assert_string_equal(out, "127.0.0.1:5000/team/app");
	assert_true(bh_tracker_repository_of("localhost:5000/app", out, sizeof(out)));
	assert_string_equal(out, "localhost:5000/app");
	assert_true(bh_tracker_repository_of("team/app@sha256:abcd", out, sizeof(out)));
	assert_string_equal(out, "team/app");
	assert_true(bh_tracker_repository_of("alpine", out, sizeof(out)));
	assert_string_equal(out, "alpine");
	assert_false(bh_tracker_repository_of(":1.0", out, sizeof(out)));
	assert_false(bh_tracker_repository_of("averyveryverylongname:1", out, 5));
}

static void test_group_key_and_marker(void **state)
{
	char *k = bh_tracker_group_key("repository", "reg/team/app", "CVE-2024-1");
	char h[65], h2[65], found[65];
	(void)state;
	assert_string_equal(k, "repository:reg/team/app advisory:CVE-2024-1");
	bh_tracker_group_hash(k, h);
	assert_int_equal(strlen(h), 64);
	bh_tracker_group_hash("abc", h2); /* FIPS 180-2's example */
	assert_string_equal(h2, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(k);
	assert_true(bh_tracker_marker_find("x\n<!-- bulkhead-group: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad -->\n", found));
	assert_string_equal(found, h2);
	assert_false(bh_tracker_marker_find("<!-- bulkhead-group: BA7816 -->", found));
	assert_false(bh_tracker_marker_find("<!-- bulkhead-group: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", found));
	assert_false(bh_tracker_marker_find(NULL, found));
}

static void test_render(void **state)
{
	const char *i1[] = { "reg/team/app:1.0", "reg/team/app:2.0" }, *i2[] = { "reg/team/app:2.0" };
	bh_tracker_pkg p[2] = {
		{ "pkg:npm/%40evil/x@1", "@evil/<script>x", "1<b>", NULL, "high", true, i2, 1 },
		{ "pkg:pypi/jw-util@2.0", "jw.util", "2.0", "2.4", "medium", false, i1, 2 },
	};
	bh_tracker_group g = { "repository", "reg/team/app", "PYSEC-2020-341", p, 2 };
	char hash[65], found[65], *title, *body;
	(void)state;
	bh_tracker_group_hash("k", hash);
	assert_int_equal(bh_tracker_render(&g, hash, &title, &body), 0);
	assert_string_equal(title, "PYSEC-2020-341 (high, known exploited) in reg/team/app");
	assert_true(bh_tracker_marker_find(body, found));
	assert_string_equal(found, hash);
	assert_int_equal(strncmp(body, "<!-- bulkhead-group: ", 21), 0);
	assert_non_null(strstr(body, "\n| jw.util | 2.0 | 2.4 | medium | reg/team/app:1.0, reg/team/app:2.0 |\n"));
	assert_non_null(strstr(body, "\n| @" ZWSP "evil/\\<script\\>x | 1\\<b\\> | no fix yet | high, KEV | reg/team/app:2.0 |\n"));
	assert_non_null(strstr(body, "**Severity:** high"));
	assert_null(strstr(body, "/<script")); /* only as \\<script */
	free(title);
	free(body);
	/* resolved: no packages */
	g.npkgs = 0;
	assert_int_equal(bh_tracker_render(&g, hash, &title, &body), 0);
	assert_non_null(strstr(body, "**Resolved:** no image of this repository has an open finding"));
	assert_null(strstr(body, "| Package"));
	free(title);
	free(body);
}

static int spec(const char *s, bh_tracker_spec *sp, char *why)
{
	json_t *j = json_loads(s, 0, NULL);
	int rc;
	assert_non_null(j);
	rc = bh_tracker_spec_parse(j, sp, why, 256);
	/* the strings point into j: looked at here, before it goes */
	if (!rc && !strcmp(sp->repository, "acme/app"))
		assert_string_equal(sp->group_by, strstr(s, "image") ? "image" : "repository");
	json_decref(j);
	return rc;
}

static void test_spec(void **state)
{
	bh_tracker_spec sp;
	char why[256];
	(void)state;
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\"}", &sp, why), 0);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"group_by\": \"image\","
			      " \"labels\": [\"sec\"], \"filter\": {\"min_severity\": \"high\"}, \"api_url\": \"http://127.0.0.1:1\"}",
			      &sp, why),
			 0);
	assert_int_equal(spec("{\"kind\": \"gitlab\", \"repository\": \"acme/app\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_non_null(strstr(why, "github"));
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/a/b\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"ac me/app\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/..\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\"}", &sp, why), BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"labels\": [\"a,b\"]}", &sp, why),
			 BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"api_url\": \"ftp://x\"}", &sp, why),
			 BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"api_url\": \"https://x/\"}", &sp, why),
			 BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"filter\": {\"x\": 1}}", &sp, why),
			 BH_EINVAL);
	assert_non_null(strstr(why, "filter.x"));
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"tokn\": 1}", &sp, why), BH_EINVAL);
	assert_non_null(strstr(why, "tokn"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md_escape),  cmocka_unit_test(test_title),  cmocka_unit_test(test_repository_of),
		cmocka_unit_test(test_group_key_and_marker), cmocka_unit_test(test_render), cmocka_unit_test(test_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
