/* ring.c - a bounded byte pipe between one writer thread and one reader thread. */
#include "core/ring.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int bh_ring_init(bh_ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	if (!cap || !(r->buf = malloc(cap)))
		return BH_ENOMEM;
	r->cap = cap;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	return 0;
}

void bh_ring_free(bh_ring *r)
{
	if (!r->buf)
		return;
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r->buf);
	r->buf = NULL;
}

bool bh_ring_write(bh_ring *r, const void *p, size_t n)
{
	const unsigned char *q = p;
	while (n) {
		size_t tail, room, k;
		pthread_mutex_lock(&r->mu);
		while (r->len == r->cap && !r->stopped) {
			r->wwait = true;
			pthread_cond_wait(&r->cv, &r->mu);
		}
		r->wwait = false;
		if (r->stopped) {
			pthread_mutex_unlock(&r->mu);
			return false;
		}
		tail = (r->head + r->len) % r->cap;
		room = r->cap - r->len;
		pthread_mutex_unlock(&r->mu);
		k = n < room ? n : room;
		if (k > r->cap - tail)
			k = r->cap - tail;
		memcpy(r->buf + tail, q, k);
		pthread_mutex_lock(&r->mu);
		r->len += k;
		if (r->rwait)
			pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		q += k;
		n -= k;
	}
	return true;
}

void bh_ring_close(bh_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->eof = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

size_t bh_ring_read(bh_ring *r, void *p, size_t n)
{
	size_t k, head;
	if (!n)
		return 0;
	pthread_mutex_lock(&r->mu);
	while (!r->len && !r->eof) {
		r->rwait = true;
		pthread_cond_wait(&r->cv, &r->mu);
	}
	r->rwait = false;
	if (!r->len) {
		pthread_mutex_unlock(&r->mu);
		return 0;
	}
	head = r->head;
	k = n < r->len ? n : r->len;
	if (k > r->cap - head)
		k = r->cap - head;
	pthread_mutex_unlock(&r->mu);
	memcpy(p, r->buf + head, k);
	pthread_mutex_lock(&r->mu);
	r->head = (r->head + k) % r->cap;
	r->len -= k;
	if (r->wwait && r->len <= r->cap - r->cap / 4)
		pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return k;
}

void bh_ring_stop(bh_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->stopped = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}
