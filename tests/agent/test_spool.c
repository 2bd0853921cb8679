/* test_spool.c - the agent's spool: sequence numbers survive a reopen, lines come back in order one segment at a time, a refused send keeps them, a full spool drops the oldest and counts them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/spool.h"
#include "core/log.h"
#include "support/tmpdir.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	return bh_test_mkdtemp(dir, sizeof(dir), "spool");
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

struct got {
	char text[65536];
	size_t len, lines, calls;
	int answer;
};

static int collect(void *ud, const char *data, size_t len, size_t lines, bh_error *err)
{
	struct got *g = ud;
	g->calls++;
	if (g->answer)
		return bh_error_set(err, g->answer, "server away");
	assert_true(g->len + len < sizeof(g->text));
	memcpy(g->text + g->len, data, len);
	g->len += len;
	g->text[g->len] = '\0';
	g->lines += lines;
	return 0;
}

static void test_seq_persists(void **state)
{
	bh_spool *sp;
	bh_error err;
	int64_t s = 0;
	(void)state;
	assert_int_equal(bh_spool_open(dir, 0, &sp, &err), 0);
	assert_int_equal(bh_spool_next_seq(sp, &s, &err), 0);
	assert_int_equal(s, 1);
	assert_int_equal(bh_spool_next_seq(sp, &s, &err), 0);
	assert_int_equal(s, 2);
	bh_spool_close(sp);
	assert_int_equal(bh_spool_open(dir, 0, &sp, &err), 0);
	assert_int_equal(bh_spool_next_seq(sp, &s, &err), 0);
	assert_int_equal(s, 3); /* never 1 again: the server would take it for a resend */
	bh_spool_close(sp);
}

static void test_order_and_refusal(void **state)
{
	bh_spool *sp;
	bh_error err;
	struct got g;
	char line[64];
	int i;
	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(bh_spool_open(dir, 0, &sp, &err), 0);
	assert_true(bh_spool_empty(sp));
	assert_int_equal(bh_spool_send_oldest(sp, collect, &g, &err), 0);
	for (i = 0; i < 700; i++) {
		int n = snprintf(line, sizeof(line), "{\"seq\":%d}", i);
		assert_int_equal(bh_spool_append(sp, line, (size_t)n, &err), 0);
	}
	assert_int_not_equal(bh_spool_append(sp, "a\nb", 3, &err), 0);
	/* the server is away: nothing leaves */
	g.answer = BH_ENET;
	assert_int_equal(bh_spool_send_oldest(sp, collect, &g, &err), BH_ENET);
	assert_false(bh_spool_empty(sp));
	bh_spool_close(sp);
	/* a restarted agent finds them, in order, a segment (at most BH_SPOOL_SEG_LINES) per send */
	assert_int_equal(bh_spool_open(dir, 0, &sp, &err), 0);
	g.answer = 0;
	assert_int_equal(bh_spool_send_oldest(sp, collect, &g, &err), 1);
	assert_int_equal(g.lines, BH_SPOOL_SEG_LINES);
	assert_int_equal(bh_spool_append(sp, "{\"seq\":700}", 11, &err), 0);
	while (bh_spool_send_oldest(sp, collect, &g, &err) == 1)
		;
	assert_true(bh_spool_empty(sp));
	assert_int_equal(g.lines, 701);
	{
		const char *p = g.text;
		for (i = 0; i <= 700; i++) {
			int n = snprintf(line, sizeof(line), "{\"seq\":%d}\n", i);
			assert_memory_equal(p, line, (size_t)n);
			p += n;
		}
	}
	assert_int_equal(bh_spool_dropped(sp), 0);
	bh_spool_close(sp);
}

static void test_full_drops_oldest(void **state)
{
	bh_spool *sp;
	bh_error err;
	struct got g;
	char line[1100];
	int i;
	(void)state;
	bh_log_set_level(BH_LOG_QUIET);
	memset(&g, 0, sizeof(g));
	/* 64 KiB cap: 16 KiB segments; 200 lines of ~1 KiB overflow it */
	assert_int_equal(bh_spool_open(dir, 64 << 10, &sp, &err), 0);
	for (i = 0; i < 200; i++) {
		int n = snprintf(line, sizeof(line), "{\"seq\":%03d,\"pad\":\"%01000d\"}", i, 0);
		assert_int_equal(bh_spool_append(sp, line, (size_t)n, &err), 0);
	}
	assert_true(bh_spool_bytes(sp) <= 64 << 10);
	assert_true(bh_spool_dropped(sp) > 0);
	assert_int_equal(bh_spool_send_oldest(sp, collect, &g, &err), 1);
	/* what is left starts right after what was dropped, and ends with the newest */
	snprintf(line, sizeof(line), "{\"seq\":%03lu,", bh_spool_dropped(sp));
	assert_memory_equal(g.text, line, strlen(line));
	while (bh_spool_send_oldest(sp, collect, &g, &err) == 1)
		;
	assert_int_equal(g.lines + bh_spool_dropped(sp), 200);
	assert_non_null(strstr(g.text, "{\"seq\":199,"));
	bh_spool_close(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seq_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_drops_oldest, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
