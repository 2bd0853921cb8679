/* test_envelope.c - event envelope bodies: arrays and JSON lines, the agent's host forced or
 * refused, idempotency keys from host and seq, and every malformed or oversized body answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/envelope.h"

static int parse(const char *body, const char *agent, bh_envelope_batch *b, char *why)
{
	return bh_envelope_parse(body, strlen(body), 32, 3, agent, b, why, 320);
}

static void test_array_and_lines(void **state)
{
	bh_envelope_batch b;
	char why[320];
	(void)state;
	assert_int_equal(parse("[{\"type\":\"container.start\",\"host\":\"h1\",\"container\":\"c\",\"time\":7,\"seq\":4,"
			       "\"payload\":{\"name\":\"web\"}}]",
			       NULL, &b, why),
			 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.ev[0].type, "container.start");
	assert_string_equal(b.ev[0].key, "h1/4"); /* from host and seq: a resend carries the same */
	assert_string_equal(b.ev[0].payload, "{\"name\":\"web\"}");
	assert_int_equal(b.ev[0].time, 7);
	bh_envelope_batch_free(&b);
	assert_int_equal(parse("{\"type\":\"a\",\"idempotency_key\":\"k1\"}\n\n  {\"type\":\"b\"}\n", NULL, &b, why), 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.ev[0].key, "k1");
	assert_null(b.ev[1].key);
	bh_envelope_batch_free(&b);
}

static void test_agent_host(void **state)
{
	bh_envelope_batch b;
	char why[320];
	(void)state;
	assert_int_equal(parse("[{\"type\":\"x\",\"seq\":1}]", "h1", &b, why), 0);
	assert_string_equal(b.ev[0].host, "h1");
	assert_string_equal(b.ev[0].key, "h1/1");
	bh_envelope_batch_free(&b);
	assert_int_equal(parse("[{\"type\":\"x\",\"host\":\"h2\"}]", "h1", &b, why), 403);
	assert_non_null(strstr(why, "own host"));
	bh_envelope_batch_free(&b);
	assert_int_equal(parse("[{\"type\":\"x\"}]", "", &b, why), 403); /* an agent token without a host */
	bh_envelope_batch_free(&b);
}

static void test_refused(void **state)
{
	static const char *const bad[] = { "", "   \n", "[", "{\"type\":", "[1]", "{}", "[{\"type\":\"UPPER\"}]",
					   "[{\"type\":\"x\",\"time\":-1}]", "[{\"type\":\"x\",\"seq\":\"1\"}]",
					   "[{\"type\":\"x\",\"host\":\"\"}]", "{\"a\":1}", "[]" };
	bh_envelope_batch b;
	char why[320];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], NULL, &b, why), 400);
		assert_true(why[0] != '\0');
		bh_envelope_batch_free(&b);
	}
	/* four events where three are allowed: 413, as an array and as lines */
	assert_int_equal(parse("[{\"type\":\"a\"},{\"type\":\"a\"},{\"type\":\"a\"},{\"type\":\"a\"}]", NULL, &b, why), 413);
	bh_envelope_batch_free(&b);
	assert_int_equal(parse("{\"type\":\"a\"}\n{\"type\":\"a\"}\n{\"type\":\"a\"}\n{\"type\":\"a\"}\n", NULL, &b, why), 413);
	bh_envelope_batch_free(&b);
	/* deeper than the limit */
	{
		char deep[200];
		memset(deep, '[', 100);
		memset(deep + 100, ']', 99);
		deep[199] = '\0';
		deep[99] = ']';
		assert_int_equal(parse(deep, NULL, &b, why), 400);
		bh_envelope_batch_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_and_lines),
		cmocka_unit_test(test_agent_host),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
