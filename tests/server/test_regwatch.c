/* test_regwatch.c - the registry watcher's pure parts: the notification envelope parser (pushes
 * kept, pulls and blobs ignored, repeats folded, malformed events refused) and the sealing of
 * registry secrets (AES-256-GCM bound to the registry URL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "server/regwatch.h"

#define D1 "sha256:26e411055a5213903d0003f5e8cbf290edaa9423a6739b12b3c88fab19fb2faf"
#define OCI "application/vnd.oci.image.manifest.v1+json"

static int parse(const char *body, bh_regwatch_pushes *p, char *why)
{
	return bh_regwatch_notification_parse(body, strlen(body), 32, 4, p, why, 320);
}

static void test_pushes(void **state)
{
	bh_regwatch_pushes p;
	char why[320];
	(void)state;
	assert_int_equal(parse("{\"events\":["
			       "{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1 "\",\"repository\":\"bh/cap\","
			       "\"url\":\"https://127.0.0.1:5000/v2/bh/cap/manifests/" D1 "\",\"tag\":\"1\"},\"request\":{\"host\":\"x:1\"}},"
			       "{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1 "\",\"repository\":\"bh/cap\","
			       "\"url\":\"https://127.0.0.1:5000/v2/bh/cap/manifests/" D1 "\",\"tag\":\"1\"}},"
			       "{\"action\":\"pull\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1 "\",\"repository\":\"bh/cap\"}},"
			       "{\"action\":\"push\",\"target\":{\"mediaType\":\"application/octet-stream\",\"digest\":\"" D1 "\",\"repository\":\"bh/cap\"},"
			       "\"request\":{\"host\":\"127.0.0.1:5000\"}}]}",
			       &p, why),
			 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.ignored, 3); /* the repeat, the pull, the blob */
	assert_string_equal(p.items[0].host, "127.0.0.1:5000"); /* target.url before request.host */
	assert_string_equal(p.items[0].repository, "bh/cap");
	assert_string_equal(p.items[0].digest, D1);
	assert_string_equal(p.items[0].tag, "1");
	bh_regwatch_pushes_free(&p);
	/* untagged, host from request.host */
	assert_int_equal(parse("{\"events\":[{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1
			       "\",\"repository\":\"a\"},\"request\":{\"host\":\"reg:5000\"}}]}", &p, why), 0);
	assert_int_equal(p.n, 1);
	assert_null(p.items[0].tag);
	assert_string_equal(p.items[0].host, "reg:5000");
	bh_regwatch_pushes_free(&p);
}

static void test_refused(void **state)
{
	static const struct { const char *body; int rc; const char *why; } cases[] = {
		{ "", 400, "empty body" },
		{ "[]", 400, "\"events\" array" },
		{ "{\"events\":{}}", 400, "\"events\" array" },
		{ "{\"events\":[1]}", 400, "events[0]: an event is an object" },
		{ "{\"events\":[{\"action\":\"push\"}]}", 400, "events[0]: a push has a \"target\" object" },
		{ "{\"events\":[{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"sha256:ab\",\"repository\":\"a\"}}]}", 400,
		  "target.digest" },
		{ "{\"events\":[{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1 "\",\"repository\":\"A/B\"}}]}", 400,
		  "target.repository" },
		{ "{\"events\":[{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1 "\",\"repository\":\"a\",\"tag\":\"x/y\"}}]}",
		  400, "target.tag" },
		{ "{\"events\":[{\"action\":\"push\",\"target\":{\"mediaType\":\"" OCI "\",\"digest\":\"" D1 "\",\"repository\":\"a\",\"url\":\"ftp://h/\"}}]}",
		  400, "target.url" },
		{ "{\"events\":[{\"action\":\"push\",\"target\":{\"mediaType\":7,\"digest\":\"" D1 "\",\"repository\":\"a\"}}]}", 400, "are strings" },
		{ "{\"events\":[{\"action\":\"a\"},{\"action\":\"a\"},{\"action\":\"a\"},{\"action\":\"a\"},{\"action\":\"a\"}]}", 413, "at most 4" },
		{ "{\"events\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 400, "" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bh_regwatch_pushes p;
		char why[320] = "";
		int rc = parse(cases[i].body, &p, why);
		if (rc != cases[i].rc || !strstr(why, cases[i].why) || p.n != 0)
			fail_msg("case %zu: rc %d, why \"%s\"", i, rc, why);
		bh_regwatch_pushes_free(&p);
	}
}

static void test_repo_names(void **state)
{
	(void)state;
	assert_true(bh_regwatch_repo_ok("library/debian"));
	assert_true(bh_regwatch_repo_ok("a.b_c__d-e--f/g"));
	assert_false(bh_regwatch_repo_ok("a//b"));
	assert_false(bh_regwatch_repo_ok("a/"));
	assert_false(bh_regwatch_repo_ok("-a"));
	assert_false(bh_regwatch_repo_ok("a___b"));
	assert_false(bh_regwatch_repo_ok("a..b"));
	assert_false(bh_regwatch_repo_ok(""));
}

static void test_seal(void **state)
{
	unsigned char key[32], other[32];
	char *a = NULL, *b = NULL, *plain = NULL;
	bh_error err;
	(void)state;
	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
	assert_int_equal(bh_regwatch_seal(key, "https://r:5000", "s3cret pass:word", &a, &err), 0);
	assert_int_equal(bh_regwatch_seal(key, "https://r:5000", "s3cret pass:word", &b, &err), 0);
	assert_true(strncmp(a, "v1:", 3) == 0);
	assert_null(strstr(a, "s3cret"));
	assert_string_not_equal(a, b); /* a fresh nonce each time */
	assert_int_equal(bh_regwatch_unseal(key, "https://r:5000", a, &plain, &err), 0);
	assert_string_equal(plain, "s3cret pass:word");
	free(plain);
	/* another key, another registry's URL, a flipped byte: refused */
	assert_int_equal(bh_regwatch_unseal(other, "https://r:5000", a, &plain, &err), BH_EINVAL);
	assert_int_equal(bh_regwatch_unseal(key, "https://evil:5000", a, &plain, &err), BH_EINVAL);
	a[10] = a[10] == 'A' ? 'B' : 'A';
	assert_int_equal(bh_regwatch_unseal(key, "https://r:5000", a, &plain, &err), BH_EINVAL);
	assert_int_equal(bh_regwatch_unseal(key, "https://r:5000", "v1:AAAA", &plain, &err), BH_EINVAL);
	assert_int_equal(bh_regwatch_unseal(key, "https://r:5000", "plain", &plain, &err), BH_EINVAL);
	assert_null(plain);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pushes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_repo_names),
		cmocka_unit_test(test_seal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
