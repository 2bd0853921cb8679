/* test_tracker.c - the issue tracker's pure parts: Markdown escaping for GitHub and GitLab (no
 * HTML, mention, reference or autolink from a package name), titles, repositories of tags, group
 * keys and their hash, the marker, issue bodies, and the POST /api/v1/trackers body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "server/tracker.h"

#define ZWSP "\xe2\x80\x8b"

static char *mdf(const char *s, size_t max, bh_tracker_md f)
{
	bh_buf b = BH_BUF_INIT;
	assert_int_equal(bh_tracker_md_escape(&b, s, max, f), 0);
	bh_buf_putc(&b, '\0');
	return bh_buf_steal(&b);
}

static char *md(const char *s, size_t max) { return mdf(s, max, BH_TRACKER_MD_GITHUB); }

static char *ttlf(const char *s, bh_tracker_md f)
{
	bh_buf b = BH_BUF_INIT;
	assert_int_equal(bh_tracker_title_clean(&b, s, f), 0);
	bh_buf_putc(&b, '\0');
	return bh_buf_steal(&b);
}

static char *ttl(const char *s) { return ttlf(s, BH_TRACKER_MD_GITHUB); }

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

#define EQ_GL(in, want)                                         \
	do {                                                    \
		char *got_ = mdf(in, 4096, BH_TRACKER_MD_GITLAB); \
		assert_string_equal(got_, want);                \
		free(got_);                                     \
	} while (0)

/* GitLab's references start with more characters than GitHub's, and are made after Markdown is
 * read (a backslash does not stop them): each is broken by a zero-width space as well. */
static void test_md_escape_gitlab(void **state)
{
	char *s;
	(void)state;
	EQ_GL("jw.util 2.0-rc1+x", "jw.util 2.0-rc1+x");
	EQ_GL("@octo/lib", "@" ZWSP "octo/lib");             /* user mention */
	EQ_GL("fix #12", "fix #" ZWSP "12");                 /* issue */
	EQ_GL("see !123", "see \\!" ZWSP "123");              /* merge request */
	EQ_GL("%123 %v1.0 %\"r c\"", "%" ZWSP "123 %" ZWSP "v1.0 %" ZWSP "\"r c\""); /* milestones */
	EQ_GL("~bug ~\"x y\"", "\\~" ZWSP "bug \\~" ZWSP "\"x y\"");  /* labels */
	EQ_GL("&7 $9", "\\&" ZWSP "7 \\$" ZWSP "9");          /* epic, snippet (and $ math) */
	EQ_GL("*iteration:3", "\\*" ZWSP "iteration:3");
	EQ_GL("^alert#4", "^" ZWSP "alert#" ZWSP "4");
	EQ_GL("[vulnerability:5]", "\\[" ZWSP "vulnerability:5\\]");
	EQ_GL("group/project#12 grp/prj!3", "group/project#" ZWSP "12 grp/prj\\!" ZWSP "3");
	EQ_GL("$`x^2`$ {+ add +} {- del -}", "\\$" ZWSP "\\`x^" ZWSP "2\\`\\$" ZWSP " \\{+ add +\\} \\{- del -\\}");
	EQ_GL("<b>x</b> a|b", "\\<b\\>x\\</b\\> a\\|b");
	EQ_GL("https://evil.example www.evil.example", "https:" ZWSP "//evil.example www." ZWSP "evil.example");
	EQ_GL("user@example.com", "user@" ZWSP "example.com"); /* no e-mail autolink either */
	/* GitHub keeps its own: no zero-width space after ! % ~ & $ */
	s = md("!1 %2 ~3 &4 $5", 4096);
	assert_string_equal(s, "\\!1 %2 \\~3 \\&4 \\$5");
	free(s);
	/* a title: no backslashes (GitLab shows titles as text), the references broken */
	s = ttlf("!1 %m ~l &e $s `c` @u #2 <b>", BH_TRACKER_MD_GITLAB);
	assert_string_equal(s, "!" ZWSP "1 %" ZWSP "m ~" ZWSP "l &" ZWSP "e $" ZWSP "s 'c' @" ZWSP "u #" ZWSP "2 <b>");
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
	assert_true(bh_registry_repository_of("127.0.0.1:5000/team/app:1.0", out, sizeof(out)));
	assert_string_equal(out, "127.0.0.1:5000/team/app");
	assert_true(bh_registry_repository_of("localhost:5000/app", out, sizeof(out)));
	assert_string_equal(out, "localhost:5000/app");
	assert_true(bh_registry_repository_of("team/app@sha256:abcd", out, sizeof(out)));
	assert_string_equal(out, "team/app");
	assert_true(bh_registry_repository_of("alpine", out, sizeof(out)));
	assert_string_equal(out, "alpine");
	assert_false(bh_registry_repository_of(":1.0", out, sizeof(out)));
	assert_false(bh_registry_repository_of("averyveryverylongname:1", out, 5));
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
	assert_int_equal(bh_tracker_render(&g, hash, BH_TRACKER_MD_GITHUB, &title, &body), 0);
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
	assert_int_equal(bh_tracker_render(&g, hash, BH_TRACKER_MD_GITHUB, &title, &body), 0);
	assert_non_null(strstr(body, "**Resolved:** no image of this repository has an open finding"));
	assert_null(strstr(body, "| Package"));
	free(title);
	free(body);
}

/* The same group for GitLab: references broken its way, no line a quick action, the title cut to
 * what GitLab takes. */
static void test_render_gitlab(void **state)
{
	const char *i1[] = { "reg/team/app:1.0" };
	bh_tracker_pkg p[1] = { { "pkg:npm/x@1", "~evil!1", "%1", "$2", "high", false, i1, 1 } };
	bh_tracker_group g = { "repository", "reg/team/app", "GHSA-x&1", p, 1 };
	char hash[65], found[65], *title, *body, *line, *save = NULL, longadv[400], longsub[300];
	size_t chars;
	const unsigned char *u;
	(void)state;
	bh_tracker_group_hash("k", hash);
	assert_int_equal(bh_tracker_render(&g, hash, BH_TRACKER_MD_GITLAB, &title, &body), 0);
	assert_string_equal(title, "GHSA-x&" ZWSP "1 (high) in reg/team/app");
	assert_true(bh_tracker_marker_find(body, found));
	assert_string_equal(found, hash);
	assert_non_null(strstr(body, "\n| \\~" ZWSP "evil\\!" ZWSP "1 | %" ZWSP "1 | \\$" ZWSP "2 | high | reg/team/app:1.0 |\n"));
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(line[0] != '/');
	free(title);
	free(body);
	/* a title over BH_TRACKER_TITLE_MAX characters is cut, on a character boundary: 204 characters
	 * of advisory (200 bytes, one break, "..."), " (high) in ", then the subject, whose 32nd
	 * character is the 247th of the title, the last one kept: an '@' whose break would be cut
	 * off goes too */
	memset(longadv, 'A', sizeof(longadv) - 1);
	longadv[sizeof(longadv) - 1] = '\0';
	longadv[196] = '@';
	memset(longsub, 'b', sizeof(longsub) - 1);
	longsub[sizeof(longsub) - 1] = '\0';
	memcpy(longsub, "\xc3\xa9", 2); /* one character, two bytes */
	longsub[32] = '@';
	g.advisory = longadv;
	g.subject = longsub;
	assert_int_equal(bh_tracker_render(&g, hash, BH_TRACKER_MD_GITLAB, &title, &body), 0);
	for (chars = 0, u = (const unsigned char *)title; *u; u++)
		chars += (*u & 0xc0) != 0x80;
	assert_int_equal(chars, BH_TRACKER_TITLE_MAX - 1);
	assert_int_equal(strcmp(title + strlen(title) - 6, "bbb..."), 0);
	for (line = title; (line = strchr(line, '@')) != NULL; line++)
		assert_int_equal(memcmp(line + 1, ZWSP, 3), 0);
	free(title);
	free(body);
	g.subject = "reg/\xc3\xa9quipe/app";
	g.advisory = "CVE-1";
	assert_int_equal(bh_tracker_render(&g, hash, BH_TRACKER_MD_GITLAB, &title, &body), 0);
	assert_string_equal(title, "CVE-1 (high) in reg/\xc3\xa9quipe/app");
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
	if (!rc)
		assert_string_equal(sp->api_url, strstr(s, "api_url") ? (strstr(s, "gl.example") ? "https://gl.example/api/v4" : "http://127.0.0.1:1")
								: sp->api->default_url);
	if (!rc && !strcmp(sp->kind, "gitlab") && !strstr(s, "api_url"))
		assert_string_equal(sp->api_url, "https://gitlab.com/api/v4");
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
	assert_int_equal(spec("{\"kind\": \"jira\", \"repository\": \"acme/app\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_non_null(strstr(why, "gitlab"));
	/* GitLab: its default URL, subgroups */
	assert_int_equal(spec("{\"kind\": \"gitlab\", \"repository\": \"acme/sec/app\", \"token\": \"glpat-1\"}", &sp, why), 0);
	assert_int_equal(spec("{\"kind\": \"gitlab\", \"repository\": \"acme\", \"token\": \"glpat-1\"}", &sp, why), BH_EINVAL);
	assert_non_null(strstr(why, "group/subgroup/project"));
	assert_int_equal(spec("{\"kind\": \"gitlab\", \"repository\": \"acme/app.git\", \"token\": \"t\"}", &sp, why), BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"gitlab\", \"repository\": \"acme/app\", \"token\": \"t\", \"api_url\": \"https://gl.example/api/v4\"}",
			      &sp, why),
			 0);
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
	/* an empty api_url: refused, never read before its start (found by fuzz_tracker under ASan) */
	assert_int_equal(spec("{\"kind\": \"gitlab\", \"repository\": \"acme/app\", \"token\": \"t\", \"api_url\": \"\"}", &sp, why),
			 BH_EINVAL);
	assert_int_equal(spec("{\"kind\": \"github\", \"repository\": \"acme/app\", \"token\": \"t\", \"api_url\": \"https://\"}", &sp, why),
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
		cmocka_unit_test(test_md_escape),  cmocka_unit_test(test_md_escape_gitlab), cmocka_unit_test(test_title),  cmocka_unit_test(test_repository_of),
		cmocka_unit_test(test_group_key_and_marker), cmocka_unit_test(test_render), cmocka_unit_test(test_render_gitlab),
		cmocka_unit_test(test_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
