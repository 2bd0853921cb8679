/* test_notify.c - the webhook notifier's pure parts: filters (parse, refuse, match), the HMAC
 * signature (RFC 4231 test vector) and the Slack text (escaped, one line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "server/notify.h"

static json_t *J(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	return j;
}

static int parse(const char *s, bh_notify_filter *f, char *why)
{
	json_t *j = J(s);
	int rc = bh_notify_filter_parse(j, f, why, 256);
	json_decref(j);
	return rc;
}

static void test_filter_refused(void **state)
{
	bh_notify_filter f;
	char why[256];
	(void)state;
	assert_int_equal(parse("{\"severity\": \"high\"}", &f, why), BH_EINVAL);
	assert_non_null(strstr(why, "filter.severity is not a filter"));
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"min_severity\": \"urgent\"}", &f, why), BH_EINVAL);
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"kev\": \"yes\"}", &f, why), BH_EINVAL);
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"types\": []}", &f, why), BH_EINVAL);
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"types\": [\"a\\nb\"]}", &f, why), BH_EINVAL);
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"labels\": {\"a\": 1}}", &f, why), BH_EINVAL);
	bh_notify_filter_free(&f);
	assert_int_equal(parse("[1]", &f, why), BH_EINVAL);
	bh_notify_filter_free(&f);
	assert_int_equal(bh_notify_filter_parse(NULL, &f, why, sizeof(why)), 0);
	bh_notify_filter_free(&f);
}

static void test_filter_match(void **state)
{
	bh_notify_filter f;
	char why[256];
	json_t *crit = J("{\"severity\": \"CRITICAL\", \"kev\": true}"), *low = J("{\"severity\": \"low\", \"kev\": false}");
	json_t *imgs = J("[{\"digest\": \"sha256:aa\", \"repo_tags\": [\"reg.example:5000/team/app:1.2\"], \"labels\": {\"tier\": \"web\"}}]");
	json_t *none = J("[]");
	(void)state;
	assert_int_equal(parse("{\"types\": [\"finding.*\"], \"min_severity\": \"high\"}", &f, why), 0);
	assert_true(bh_notify_filter_match(&f, "finding.new", NULL, crit, none));
	assert_false(bh_notify_filter_match(&f, "finding.new", NULL, low, none));
	assert_false(bh_notify_filter_match(&f, "image.indexed", NULL, crit, none));
	assert_false(bh_notify_filter_match(&f, "finding.new", NULL, NULL, none)); /* no severity: not high */
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"kev\": false}", &f, why), 0);
	assert_false(bh_notify_filter_match(&f, "finding.new", NULL, crit, none));
	assert_true(bh_notify_filter_match(&f, "finding.new", NULL, low, none));
	bh_notify_filter_free(&f);
	/* repositories with or without the registry host; never a prefix of another name */
	assert_int_equal(parse("{\"repositories\": [\"team/app\"]}", &f, why), 0);
	assert_true(bh_notify_filter_match(&f, "finding.new", NULL, low, imgs));
	assert_false(bh_notify_filter_match(&f, "finding.new", NULL, low, none));
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"repositories\": [\"reg.example:5000/team/app\"]}", &f, why), 0);
	assert_true(bh_notify_filter_match(&f, "finding.new", NULL, low, imgs));
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"repositories\": [\"app\", \"team/ap\", \"example:5000/team/app\"]}", &f, why), 0);
	assert_true(bh_notify_filter_match(&f, "finding.new", NULL, low, imgs)); /* "app" is the last segment */
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"repositories\": [\"team/ap\"]}", &f, why), 0);
	assert_false(bh_notify_filter_match(&f, "finding.new", NULL, low, imgs));
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"labels\": {\"tier\": \"web\"}, \"hosts\": [\"h1\"]}", &f, why), 0);
	assert_true(bh_notify_filter_match(&f, "finding.new", "h1", low, imgs));
	assert_false(bh_notify_filter_match(&f, "finding.new", "h2", low, imgs));
	bh_notify_filter_free(&f);
	assert_int_equal(parse("{\"labels\": {\"tier\": \"db\"}}", &f, why), 0);
	assert_false(bh_notify_filter_match(&f, "finding.new", NULL, low, imgs));
	bh_notify_filter_free(&f);
	json_decref(crit);
	json_decref(low);
	json_decref(imgs);
	json_decref(none);
}

static void test_sign(void **state)
{
	char sig[72];
	(void)state;
	/* RFC 4231, test case 2 */
	assert_int_equal(bh_notify_sign("Jefe", "what do ya want for nothing?", 28, sig), 0);
	assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_slack(void **state)
{
	json_t *p = J("{\"advisory\": \"CVE-1 <x>\", \"severity\": \"high\", \"kev\": true, \"package\": \"a&b\", \"version\": \"1\\n2\"}");
	json_t *imgs = J("[{\"digest\": \"sha256:aa\", \"repo_tags\": [\"r/app:1\"]}]");
	char *t = bh_notify_slack_text("finding.new", "h1", p, imgs);
	(void)state;
	assert_non_null(t);
	assert_string_equal(t, "[bulkhead] *finding.new* CVE-1 &lt;x&gt; (high, known exploited) in a&amp;b 12 on h1 - images: r/app:1");
	free(t);
	json_decref(p);
	json_decref(imgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_refused),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_slack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
