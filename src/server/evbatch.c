/* evbatch.c - a batch of events copied out of the store, for the threads that deliver them (webhooks, trackers). */
#include "server/evbatch.h"

#include <stdlib.h>
#include <string.h>

/* NULL stays NULL; a failed copy sets *oom. */
static char *dup_or_null(const char *s, bool *oom)
{
	char *d;
	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = true;
	return d;
}

typedef struct readctx {
	bh_evbatch *b;
	bool oom;
} readctx;

static int copy_cb(void *ud, const bh_store_event *e)
{
	readctx *c = ud;
	bh_evbatch_item *it;
	if (c->b->n == BH_EVBATCH_MAX)
		return 1;
	it = &c->b->v[c->b->n++];
	memset(it, 0, sizeof(*it));
	it->seq = e->seq;
	it->time = e->time;
	it->type = dup_or_null(e->type ? e->type : "", &c->oom);
	it->host = dup_or_null(e->host, &c->oom);
	it->container = dup_or_null(e->container, &c->oom);
	it->payload = dup_or_null(e->payload_json, &c->oom);
	return c->oom ? BH_ENOMEM : 0;
}

int bh_evbatch_read(bh_store *st, bh_evbatch *b, int64_t after, int64_t *next, bh_error *err)
{
	readctx c = { b, false };
	int rc;
	bh_evbatch_clear(b);
	*next = 0;
	rc = bh_store_event_list(st, NULL, after, BH_EVBATCH_MAX, copy_cb, &c, next, err);
	if (rc == 1)
		rc = 0; /* full: cannot happen, the store's page is the batch's size; the rest comes next look */
	if (c.oom) {
		bh_evbatch_clear(b);
		return bh_error_set(err, BH_ENOMEM, "events: out of memory copying a batch");
	}
	if (rc)
		bh_evbatch_clear(b);
	return rc;
}

void bh_evbatch_clear(bh_evbatch *b)
{
	size_t i;
	for (i = 0; i < b->n; i++) {
		free(b->v[i].type);
		free(b->v[i].host);
		free(b->v[i].container);
		free(b->v[i].payload);
	}
	b->n = 0;
}

int64_t bh_evbatch_backoff_s(int64_t fails, int64_t max_s)
{
	int64_t s;
	if (fails < 1)
		fails = 1;
	/* 2^(fails-1) stays far below INT64_MAX for any fails that is not yet capped */
	s = fails > 32 ? max_s : (int64_t)1 << (fails - 1);
	return s < max_s ? s : max_s;
}
