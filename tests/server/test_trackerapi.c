/* test_trackerapi.c - the GitHub and GitLab back-ends of the issue trackers: repository names,
 * headers, the list, create and edit requests, list answers (states, pull requests, numbers),
 * pages and rate limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/trackerapi.h"

/* Response headers for more() and retry_at(): "name: value" lines. */
static bool hdr(void *ud, const char *name, char *out, size_t n)
{
	const char *const *h = ud;
	for (; *h; h++) {
		size_t l = strlen(name);
		if (!strncasecmp(*h, name, l) && (*h)[l] == ':') {
			snprintf(out, n, "%s", *h + l + 2);
			return true;
		}
	}
	return false;
}

static char *dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	return s;
}

static void test_find(void **state)
{
	(void)state;
	assert_string_equal(bh_trackerapi_find("github")->default_url, "https://api.github.com");
	assert_string_equal(bh_trackerapi_find("gitlab")->default_url, "https://gitlab.com/api/v4");
	assert_int_equal(bh_trackerapi_find("gitlab")->md, BH_TRACKER_MD_GITLAB);
	assert_null(bh_trackerapi_find("jira"));
	assert_null(bh_trackerapi_find(NULL));
}

static void test_repository(void **state)
{
	const bh_trackerapi *gh = bh_trackerapi_find("github"), *gl = bh_trackerapi_find("gitlab");
	char deep[600];
	size_t i;
	(void)state;
	assert_true(gh->repository_ok("acme/app"));
	assert_false(gh->repository_ok("acme/sub/app")); /* GitHub has no subgroups */
	assert_true(gl->repository_ok("acme/app"));
	assert_true(gl->repository_ok("acme/sub.group/my_app-2"));
	assert_false(gl->repository_ok("acme"));
	assert_false(gl->repository_ok("acme//app"));
	assert_false(gl->repository_ok("/acme/app"));
	assert_false(gl->repository_ok("acme/app/"));
	assert_false(gl->repository_ok("acme/-app"));
	assert_false(gl->repository_ok("acme/.."));
	assert_false(gl->repository_ok("acme/app.git"));
	assert_false(gl->repository_ok("acme/app.atom"));
	assert_false(gl->repository_ok("acme/a%2Fb"));
	assert_false(gl->repository_ok("acme/a b"));
	assert_false(gl->repository_ok("acme/a?b"));
	/* 22 parts: more levels than GitLab nests */
	for (i = 0; i < 22; i++)
		memcpy(deep + 2 * i, "a/", 2);
	deep[2 * 22 - 1] = '\0';
	assert_false(gl->repository_ok(deep));
	deep[2 * 21 - 1] = '\0';
	assert_true(gl->repository_ok(deep));
}

static void test_headers(void **state)
{
	const char *h[3];
	char auth[64];
	(void)state;
	assert_int_equal(bh_trackerapi_find("gitlab")->headers("glpat-x", auth, sizeof(auth), h), 2);
	assert_string_equal(h[0], "Accept: application/json");
	assert_string_equal(h[1], "PRIVATE-TOKEN: glpat-x");
	assert_int_equal(bh_trackerapi_find("github")->headers("ghp_x", auth, sizeof(auth), h), 3);
	assert_string_equal(h[2], "Authorization: Bearer ghp_x");
}

static void test_requests(void **state)
{
	const bh_trackerapi *gh = bh_trackerapi_find("github"), *gl = bh_trackerapi_find("gitlab");
	json_t *labels = json_pack("[s, s]", "bulkhead", "security");
	bh_trackerapi_req rq;
	char *s;
	(void)state;
	/* GitLab: the project path as the id, '/' as %2F */
	assert_int_equal(gl->list("acme/sub/app", 2, &rq), 0);
	assert_int_equal(rq.method, BH_HTTP_GET);
	assert_string_equal(rq.path.data, "/projects/acme%2Fsub%2Fapp/issues?labels=bulkhead&state=all&per_page=100&page=2");
	assert_null(rq.body);
	bh_trackerapi_req_free(&rq);
	assert_int_equal(gl->create("acme/app", "T", "B", labels, &rq), 0);
	assert_int_equal(rq.method, BH_HTTP_POST);
	assert_string_equal(rq.path.data, "/projects/acme%2Fapp/issues");
	s = dump(rq.body);
	assert_string_equal(s, "{\"description\":\"B\",\"labels\":[\"bulkhead\",\"security\"],\"title\":\"T\"}");
	free(s);
	bh_trackerapi_req_free(&rq);
	/* an edit: description always, title while open, state_event only when the state changes */
	assert_int_equal(gl->edit("acme/app", 7, false, "T", "B", "open", &rq), 0);
	assert_int_equal(rq.method, BH_HTTP_PUT);
	assert_string_equal(rq.path.data, "/projects/acme%2Fapp/issues/7");
	s = dump(rq.body);
	assert_string_equal(s, "{\"description\":\"B\",\"state_event\":\"close\"}");
	free(s);
	bh_trackerapi_req_free(&rq);
	assert_int_equal(gl->edit("acme/app", 7, true, "T", "B", "closed", &rq), 0);
	s = dump(rq.body);
	assert_string_equal(s, "{\"description\":\"B\",\"state_event\":\"reopen\",\"title\":\"T\"}");
	free(s);
	bh_trackerapi_req_free(&rq);
	assert_int_equal(gl->edit("acme/app", 7, true, "T", "B", "open", &rq), 0);
	s = dump(rq.body);
	assert_string_equal(s, "{\"description\":\"B\",\"title\":\"T\"}");
	free(s);
	bh_trackerapi_req_free(&rq);
	/* GitHub, as before the back-ends */
	assert_int_equal(gh->list("acme/app", 1, &rq), 0);
	assert_string_equal(rq.path.data, "/repos/acme/app/issues?state=all&labels=bulkhead&per_page=100&page=1");
	bh_trackerapi_req_free(&rq);
	assert_int_equal(gh->edit("acme/app", 3, false, "T", "B", "open", &rq), 0);
	assert_int_equal(rq.method, BH_HTTP_PATCH);
	assert_string_equal(rq.path.data, "/repos/acme/app/issues/3");
	s = dump(rq.body);
	assert_string_equal(s, "{\"body\":\"B\",\"state\":\"closed\",\"state_reason\":\"completed\"}");
	free(s);
	bh_trackerapi_req_free(&rq);
	assert_int_equal(gh->create("acme/app", "T", "B", labels, &rq), 0);
	s = dump(rq.body);
	assert_string_equal(s, "{\"body\":\"B\",\"labels\":[\"bulkhead\",\"security\"],\"title\":\"T\"}");
	free(s);
	bh_trackerapi_req_free(&rq);
	json_decref(labels);
}

typedef struct seen {
	int n;
	char line[8][128];
} seen;

static int seen_cb(void *ud, const bh_trackerapi_issue *it)
{
	seen *s = ud;
	if (s->n < 8)
		snprintf(s->line[s->n], sizeof(s->line[0]), "%lld %s %s %s", (long long)it->number, it->state,
			 it->title ? it->title : "-", it->body ? it->body : "-");
	s->n++;
	return 0;
}

static void test_parse_list(void **state)
{
	const bh_trackerapi *gh = bh_trackerapi_find("github"), *gl = bh_trackerapi_find("gitlab");
	json_t *j;
	seen s;
	char why[128];
	(void)state;
	/* GitLab: iid (not id), description, "opened"; malformed entries skipped */
	j = json_loads("[{\"id\": 900, \"iid\": 3, \"state\": \"opened\", \"title\": \"a\", \"description\": \"d\"},"
		       " {\"iid\": 4, \"state\": \"closed\", \"title\": \"b\", \"description\": null},"
		       " {\"iid\": 5, \"state\": \"open\"}, {\"iid\": 0, \"state\": \"opened\"}, {\"iid\": \"6\", \"state\": \"opened\"},"
		       " {\"iid\": 7}, 42, null, {\"number\": 8, \"state\": \"opened\"}]",
		       0, NULL);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_trackerapi_parse_list(gl, j, seen_cb, &s, why, sizeof(why)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.line[0], "3 open a d");
	assert_string_equal(s.line[1], "4 closed b -");
	json_decref(j);
	/* GitHub: number, body, "open"; pull requests skipped */
	j = json_loads("[{\"number\": 1, \"state\": \"open\", \"title\": \"a\", \"body\": \"b\"},"
		       " {\"number\": 2, \"state\": \"open\", \"pull_request\": {}}, {\"number\": 3, \"state\": \"opened\"}]",
		       0, NULL);
	memset(&s, 0, sizeof(s));
	assert_int_equal(bh_trackerapi_parse_list(gh, j, seen_cb, &s, why, sizeof(why)), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.line[0], "1 open a b");
	json_decref(j);
	j = json_loads("{\"message\": \"404 Project Not Found\"}", 0, NULL);
	assert_int_equal(bh_trackerapi_parse_list(gl, j, seen_cb, &s, why, sizeof(why)), BH_EINVAL);
	assert_non_null(strstr(why, "not a list"));
	json_decref(j);
}

static void test_number(void **state)
{
	const char *url;
	json_t *j = json_loads("{\"id\": 77, \"iid\": 5, \"number\": 9, \"web_url\": \"https://gl/x/-/issues/5\","
			       " \"html_url\": \"https://gh/x/issues/9\"}",
			       0, NULL);
	(void)state;
	assert_int_equal(bh_trackerapi_number(bh_trackerapi_find("gitlab"), j, &url), 5);
	assert_string_equal(url, "https://gl/x/-/issues/5");
	assert_int_equal(bh_trackerapi_number(bh_trackerapi_find("github"), j, &url), 9);
	assert_string_equal(url, "https://gh/x/issues/9");
	json_decref(j);
	j = json_loads("{\"iid\": -1}", 0, NULL);
	assert_int_equal(bh_trackerapi_number(bh_trackerapi_find("gitlab"), j, &url), 0);
	assert_null(url);
	json_decref(j);
}

static void test_pages_and_limits(void **state)
{
	const bh_trackerapi *gh = bh_trackerapi_find("github"), *gl = bh_trackerapi_find("gitlab");
	const char *next[] = { "x-next-page: 3", "link: <http://x?page=3>; rel=\"next\"", NULL };
	const char *last[] = { "x-next-page: ", "link: <http://x?page=1>; rel=\"first\"", NULL };
	const char *linkonly[] = { "link: <http://x?page=101>; rel=\"next\"", NULL };
	const char *none[] = { NULL };
	const char *gl429[] = { "RateLimit-Reset: 1700000100", "RateLimit-Remaining: 0", NULL };
	const char *after[] = { "Retry-After: 7", "RateLimit-Reset: 1700000100", NULL };
	const char *ghprimary[] = { "x-ratelimit-remaining: 0", "x-ratelimit-reset: 1700000200", NULL };
	(void)state;
	assert_true(gl->more(hdr, next));
	assert_false(gl->more(hdr, last));  /* an empty x-next-page: the last page, whatever Link says */
	assert_true(gl->more(hdr, linkonly)); /* past 10,000 issues GitLab sends Link only */
	assert_false(gl->more(hdr, none));
	assert_true(gh->more(hdr, next));
	assert_false(gh->more(hdr, last));
	assert_int_equal(gl->retry_at(429, hdr, gl429, 1700000000), 1700000100);
	assert_int_equal(gl->retry_at(429, hdr, after, 1700000000), 1700000007);
	assert_int_equal(gl->retry_at(403, hdr, after, 1700000000), 0); /* a 403 is no rate limit on GitLab */
	assert_int_equal(gl->retry_at(429, hdr, none, 1700000000), 0);
	assert_int_equal(gh->retry_at(403, hdr, ghprimary, 1700000000), 1700000200);
	assert_int_equal(gh->retry_at(429, hdr, after, 1700000000), 1700000007);
	assert_int_equal(gh->retry_at(500, hdr, after, 1700000000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),	 cmocka_unit_test(test_repository),  cmocka_unit_test(test_headers),
		cmocka_unit_test(test_requests), cmocka_unit_test(test_parse_list), cmocka_unit_test(test_number),
		cmocka_unit_test(test_pages_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
