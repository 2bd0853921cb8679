/* test_log.c - logger objects (src/core/log.c): sinks, levels, progress, per-thread current logger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

/* Records "KIND:MESSAGE\n" for every message the sink receives. */
struct capture {
	bh_buf text;
	unsigned n;
};

static void cap_sink(void *ud, int kind, const char *msg)
{
	struct capture *c = ud;
	assert_int_equal(bh_buf_printf(&c->text, "%d:%s\n", kind, msg), 0);
	c->n++;
}

static void test_sink_levels(void **state)
{
	struct capture c = { BH_BUF_INIT, 0 };
	bh_logger lg, *prev;
	(void)state;
	bh_log_init(&lg, BH_LOG_WARN, cap_sink, &c);
	prev = bh_log_install(&lg);
	assert_ptr_equal(bh_log_current(), &lg);
	assert_int_equal(bh_log_level(), BH_LOG_WARN);
	bh_log_warn("w %d", 1);
	bh_log_info("not shown");
	bh_log_debug("not shown");
	bh_log_error("e \033]0;title");
	bh_log_set_level(BH_LOG_DEBUG);
	bh_log_info("i %s", "x");
	bh_log_debug("d");
	bh_log_set_level(BH_LOG_QUIET);
	bh_log_warn("counted, not shown");
	bh_log_error("errors always");
	/* the sink gets the raw text: escaping is the medium's business */
	assert_string_equal(c.text.data, "1:w 1\n0:e \033]0;title\n2:i x\n3:d\n0:errors always\n");
	assert_int_equal(bh_log_warnings(), 2);
	/* a long message is formatted whole, not cut at the stack buffer */
	bh_buf_reset(&c.text);
	bh_log_error("%0600d", 7);
	assert_int_equal(c.text.len, 2 + 600 + 1);
	assert_ptr_equal(bh_log_install(prev), &lg);
	assert_ptr_equal(bh_log_current(), prev);
	bh_buf_free(&c.text);
}

static void test_progress(void **state)
{
	struct capture c = { BH_BUF_INIT, 0 };
	bh_logger lg, *prev;
	(void)state;
	bh_log_init(&lg, BH_LOG_WARN, cap_sink, &c);
	prev = bh_log_install(&lg);
	bh_log_progress("hidden while progress is off");
	bh_log_progress_done();
	assert_int_equal(c.n, 0);
	bh_log_set_progress(1);
	bh_log_progress("layer %d", 1);
	bh_log_progress("layer %d", 2);
	bh_log_warn("w");      /* clears the line first */
	bh_log_progress_done(); /* nothing shown any more: no second clear */
	bh_log_progress("layer 3");
	bh_log_progress_done();
	assert_string_equal(c.text.data, "4:layer 1\n4:layer 2\n5:\n1:w\n4:layer 3\n5:\n");
	bh_log_install(prev);
	bh_buf_free(&c.text);
}

static void test_set_sink(void **state)
{
	struct capture a = { BH_BUF_INIT, 0 }, b = { BH_BUF_INIT, 0 };
	bh_logger lg, *prev;
	(void)state;
	bh_log_init(&lg, BH_LOG_INFO, cap_sink, &a);
	prev = bh_log_install(&lg);
	bh_log_info("to a");
	bh_log_set_sink(NULL, cap_sink, &b); /* NULL: the current logger */
	bh_log_warn("to b");
	bh_log_set_sink(&lg, cap_sink, &a);
	bh_log_warn("to a again");
	assert_string_equal(a.text.data, "2:to a\n1:to a again\n");
	assert_string_equal(b.text.data, "1:to b\n");
	assert_int_equal(bh_log_warnings(), 2);
	bh_log_install(prev);
	bh_buf_free(&a.text);
	bh_buf_free(&b.text);
}

/* Two threads, each with its own logger, interleave messages; neither sees the other's. */
struct worker {
	struct capture cap;
	bh_logger lg;
	const char *name;
	pthread_barrier_t *bar;
	unsigned long warnings;
};

static void *work(void *p)
{
	struct worker *w = p;
	int i;
	bh_log_install(&w->lg);
	pthread_barrier_wait(w->bar);
	for (i = 0; i < 500; i++) {
		bh_log_warn("%s %d", w->name, i);
		if (i % 50 == 0)
			sched_yield();
	}
	w->warnings = bh_log_warnings();
	bh_log_install(NULL);
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[2];
	pthread_t th[2];
	pthread_barrier_t bar;
	unsigned long before = bh_log_warnings();
	int i, j;
	(void)state;
	pthread_barrier_init(&bar, NULL, 2);
	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].name = i ? "beta" : "alpha";
		w[i].bar = &bar;
		bh_log_init(&w[i].lg, BH_LOG_WARN, cap_sink, &w[i].cap);
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&bar);
	for (i = 0; i < 2; i++) {
		bh_lines it;
		const char *l;
		size_t n;
		char want[32];
		assert_int_equal(w[i].cap.n, 500);
		assert_int_equal(w[i].warnings, 500);
		bh_lines_init(&it, w[i].cap.text.data, w[i].cap.text.len);
		for (j = 0; bh_lines_next(&it, &l, &n); j++) {
			snprintf(want, sizeof(want), "1:%s %d", w[i].name, j);
			assert_int_equal(n, strlen(want));
			assert_memory_equal(l, want, n);
		}
		assert_int_equal(j, 500);
		bh_buf_free(&w[i].cap.text);
	}
	/* the main thread's logger (the default) saw none of it */
	assert_int_equal(bh_log_warnings(), before);
}

/* The default logger writes "bulkhead: warning: " and escapes control characters on stderr. */
static void test_default_stderr(void **state)
{
	char path[] = "/tmp/bh-test-log-XXXXXX", got[256];
	FILE *fp;
	int fd, saved;
	size_t n;
	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(dup2(fd, 2) == 2);
	bh_log_install(NULL);
	bh_log_set_level(BH_LOG_WARN);
	bh_log_warn("name \033[2J%s", "x");
	bh_log_error("bad\r");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(got, 1, sizeof(got) - 1, fp);
	got[n] = '\0';
	fclose(fp);
	unlink(path);
	assert_string_equal(got, "bulkhead: warning: name \\x1b[2Jx\nbulkhead: bad\\x0d\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_levels),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_set_sink),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_default_stderr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
