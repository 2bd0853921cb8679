/* ring.h - a bounded byte pipe between one writer thread and one reader thread. */
#ifndef BH_CORE_RING_H
#define BH_CORE_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * One writer, one reader. Each copies outside the lock, into the part of the buffer only it may
 * touch (the writer the free part, the reader the filled part), and wakes the other only when that
 * one waits, the writer only once a quarter of the buffer is free again: a stream of hundreds of
 * megabytes costs a few hundred wake-ups, not one per block. Members are private.
 */
typedef struct bh_ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *buf;
	size_t cap, head, len;
	bool eof;     /* the writer has finished: the reader gets what is left, then 0 */
	bool stopped; /* the reader has gone: writes are refused */
	bool rwait, wwait;
} bh_ring;

/* cap bytes of buffer; BH_ENOMEM. bh_ring_free releases it (after both threads are done with it). */
int bh_ring_init(bh_ring *r, size_t cap);
void bh_ring_free(bh_ring *r);
/* Writer: copies all n bytes in, waiting for room. False when the reader stopped (nothing more will be read). */
bool bh_ring_write(bh_ring *r, const void *p, size_t n);
/* Writer: no more data. What the writer wants the reader to know (a result, an error) must be
 * stored before this call; the reader may read it once bh_ring_read has returned 0. */
void bh_ring_close(bh_ring *r);
/* Reader: up to n bytes into p, waiting for some; 0 only at the end (after bh_ring_close). */
size_t bh_ring_read(bh_ring *r, void *p, size_t n);
/* Reader: no more reads; a waiting or later bh_ring_write returns false. */
void bh_ring_stop(bh_ring *r);

#endif
