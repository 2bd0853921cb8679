/* test_evbatch.c - the event batches of the delivery threads: 250 events read in pages of 100 from a
 * real SQLite store, in order, every field copied (NULLs kept), and the backoff's 1, 2, 4 ... cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/evbatch.h"
#include "support/tmpdir.h"

static char dir[256];

static int setup(void **state)
{
	bh_store *st = NULL;
	bh_error err;
	if (bh_test_mkdtemp(dir, sizeof(dir), "evbatch") || bh_store_open_dir(dir, &st, &err))
		return -1;
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	bh_store_close(*state);
	return bh_test_rmtree(dir);
}

static void test_pages_in_order(void **state)
{
	bh_store *st = *state;
	bh_evbatch *b = calloc(1, sizeof(*b));
	bh_error err;
	int64_t seq, after = 0, next, want = 0;
	char payload[64];
	bool dup;
	int i, looks = 0;
	assert_non_null(b);
	for (i = 0; i < 250; i++) {
		bh_store_event e = { 0, "finding.new", i % 2 ? "h1" : NULL, i % 3 ? NULL : "c1", i % 5 ? payload : NULL,
				     NULL, 100 + i, 0 };
		snprintf(payload, sizeof(payload), "{\"n\":%d}", i);
		assert_int_equal(bh_store_event_add(st, &e, 1000, &seq, &dup, &err), 0);
		if (!want)
			want = seq;
	}
	do {
		size_t k;
		assert_int_equal(bh_evbatch_read(st, b, after, &next, &err), 0);
		looks++;
		for (k = 0; k < b->n; k++, want++) {
			const bh_evbatch_item *it = &b->v[k];
			int n = (int)(it->seq - b->v[0].seq) + (looks - 1) * BH_EVBATCH_MAX;
			assert_int_equal(it->seq, want);
			assert_int_equal(it->time, 100 + n);
			assert_string_equal(it->type, "finding.new");
			if (n % 2)
				assert_string_equal(it->host, "h1");
			else
				assert_null(it->host);
			if (n % 3)
				assert_null(it->container);
			else
				assert_string_equal(it->container, "c1");
			if (n % 5) {
				snprintf(payload, sizeof(payload), "{\"n\":%d}", n);
				assert_string_equal(it->payload, payload);
			} else {
				assert_null(it->payload);
			}
		}
		if (b->n)
			after = b->v[b->n - 1].seq;
		assert_true(b->n == BH_EVBATCH_MAX || !next);
	} while (next);
	assert_int_equal(looks, 3);
	assert_int_equal(b->n, 50);
	/* a read past the end empties the batch */
	assert_int_equal(bh_evbatch_read(st, b, after, &next, &err), 0);
	assert_int_equal(b->n, 0);
	assert_int_equal(next, 0);
	bh_evbatch_clear(b);
	free(b);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(bh_evbatch_backoff_s(0, 30), 1);
	assert_int_equal(bh_evbatch_backoff_s(1, 30), 1);
	assert_int_equal(bh_evbatch_backoff_s(2, 30), 2);
	assert_int_equal(bh_evbatch_backoff_s(5, 30), 16);
	assert_int_equal(bh_evbatch_backoff_s(6, 30), 30);
	assert_int_equal(bh_evbatch_backoff_s(6, 60), 32);
	assert_int_equal(bh_evbatch_backoff_s(7, 60), 60);
	assert_int_equal(bh_evbatch_backoff_s(INT64_MAX, 60), 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pages_in_order, setup, teardown),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
