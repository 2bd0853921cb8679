/* test_ring.c - bh_ring between two real threads: every byte arrives once and in order whatever
 * the piece sizes on either side, the end is seen after the last byte, and a reader that stops
 * releases a writer waiting for room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"

#define TOTAL (3u << 20)

struct writer {
	bh_ring *r;
	unsigned seed;
	size_t written;
	bool refused;
	size_t total;
};

static unsigned char byte_at(size_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

static void *write_all(void *arg)
{
	struct writer *w = arg;
	unsigned char piece[70000];
	while (w->written < w->total) {
		size_t n = (size_t)(rand_r(&w->seed) % sizeof(piece)) + 1, i;
		if (n > w->total - w->written)
			n = w->total - w->written;
		for (i = 0; i < n; i++)
			piece[i] = byte_at(w->written + i);
		if (!bh_ring_write(w->r, piece, n)) {
			w->refused = true;
			return NULL;
		}
		w->written += n;
	}
	bh_ring_close(w->r);
	return NULL;
}

static void test_every_byte_in_order(void **state)
{
	static const size_t caps[] = { 1, 7, 4096, 1u << 20 };
	size_t c;
	(void)state;
	for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		bh_ring r;
		/* a tiny ring moves a byte or a few per lock: a smaller stream keeps the test quick */
		struct writer w = { &r, (unsigned)c + 1, 0, false, caps[c] < 4096 ? 40000 : TOTAL };
		pthread_t th;
		unsigned char buf[50000];
		unsigned seed = 99;
		size_t got = 0, k, i;
		assert_int_equal(bh_ring_init(&r, caps[c]), 0);
		assert_int_equal(pthread_create(&th, NULL, write_all, &w), 0);
		while ((k = bh_ring_read(&r, buf, (size_t)(rand_r(&seed) % sizeof(buf)) + 1)) > 0) {
			for (i = 0; i < k; i++)
				if (buf[i] != byte_at(got + i))
					fail_msg("cap %zu: byte %zu differs", caps[c], got + i);
			got += k;
		}
		assert_int_equal(got, w.total);
		assert_int_equal(bh_ring_read(&r, buf, sizeof(buf)), 0); /* the end stays the end */
		pthread_join(th, NULL);
		assert_false(w.refused);
		bh_ring_free(&r);
	}
}

static void test_stop_releases_writer(void **state)
{
	bh_ring r;
	struct writer w = { &r, 5, 0, false, TOTAL };
	pthread_t th;
	unsigned char buf[100];
	(void)state;
	assert_int_equal(bh_ring_init(&r, 4096), 0);
	assert_int_equal(pthread_create(&th, NULL, write_all, &w), 0);
	assert_true(bh_ring_read(&r, buf, sizeof(buf)) > 0);
	bh_ring_stop(&r); /* the writer is (or will be) waiting for room: it must give up */
	pthread_join(th, NULL);
	assert_true(w.refused);
	assert_true(w.written < TOTAL);
	bh_ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_in_order),
		cmocka_unit_test(test_stop_releases_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
