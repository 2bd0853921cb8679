/* webhook.h - webhook subscriptions (where events go, with which filter) and their delivery log. */
#ifndef BH_STORE_WEBHOOK_H
#define BH_STORE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * A webhook reads the events table in order from its cursor (the last sequence number it has
 * delivered or passed over); the cursor moves only after the receiver answered 2xx, so a delivery
 * is made at least once whatever happens to the receiver or the server. One server at a time
 * delivers a webhook: it holds a lease on the row (locked_by, locked_until), so two servers over
 * one PostgreSQL do not both send.
 */
typedef struct bh_webhook {
	int64_t id;
	const char *name, *url;
	const char *format;        /* "json" or "slack" */
	const char *secret;        /* sealed HMAC key (server/notify.c), NULL: unsigned */
	const char *filter_json;   /* {"types": [...], "min_severity": ..., ...} or NULL: everything */
	bool enabled;
	int64_t cursor;            /* events with seq <= cursor are done */
	int64_t created;
	int64_t fails;             /* failed attempts in a row at the event after the cursor */
	int64_t next_try;          /* Unix time before which nothing is sent (back-off) */
	int64_t last_status;       /* HTTP status of the last attempt, 0: none or no answer */
	const char *last_error;
	int64_t last_ok;           /* time of the last 2xx */
} bh_webhook;
typedef int (*bh_webhook_cb)(void *ud, const bh_webhook *w);

/* Adds w (id, fails... ignored); the cursor starts at w->cursor, or at the newest event when it is
 * negative (only what happens from now on). *id gets the new row's id. */
int bh_webhook_add(bh_store *st, const bh_webhook *w, int64_t now, int64_t *id, bh_error *err);
/* BH_ENOTFOUND when there is no such webhook. Its deliveries go with it. */
int bh_webhook_delete(bh_store *st, int64_t id, bh_error *err);
/* Every webhook in id order (id 0), or just one (BH_ENOTFOUND when absent). Strings live through the call. */
int bh_webhook_list(bh_store *st, int64_t id, bh_webhook_cb cb, void *ud, bh_error *err);

/* Takes (or renews) the lease of webhook id for worker until now + lease_s; 1 when this worker
 * holds it, 0 when another one does, < 0 on failure. */
int bh_webhook_claim(bh_store *st, int64_t id, const char *worker, int64_t lease_s, int64_t now, bh_error *err);
/* Records an attempt's outcome for the lease holder: the new cursor, fails, next_try, status and
 * error (NULL after a success, which also sets last_ok = now). 0 also when the lease was lost. */
int bh_webhook_progress(bh_store *st, int64_t id, const char *worker, int64_t cursor, int64_t fails, int64_t next_try,
			int64_t status, const char *error, int64_t now, bh_error *err);

/* Moves the cursor of the lease holder past events its filter does not take (nothing else changes). */
int bh_webhook_advance(bh_store *st, int64_t id, const char *worker, int64_t cursor, bh_error *err);

/* One attempt to deliver one event. */
typedef struct bh_webhook_delivery {
	int64_t id, webhook_id, event_seq;
	const char *delivery;      /* the X-Bulkhead-Delivery id: the same for every attempt at one event */
	const char *event_type;
	int64_t attempt, status;   /* status 0: no HTTP answer */
	const char *error;         /* NULL when delivered */
	int64_t time, ms;
} bh_webhook_delivery;
typedef int (*bh_webhook_delivery_cb)(void *ud, const bh_webhook_delivery *d);

/* The log keeps the newest BH_WEBHOOK_LOG_KEEP attempts per webhook. */
#define BH_WEBHOOK_LOG_KEEP 1000
int bh_webhook_delivery_add(bh_store *st, const bh_webhook_delivery *d, bh_error *err);
/* Newest first: ids below before (0: from the newest), at most limit; *next: the id to pass as
 * before for the next page, 0 at the end. */
int bh_webhook_delivery_list(bh_store *st, int64_t webhook_id, int64_t before, size_t limit, bh_webhook_delivery_cb cb,
			     void *ud, int64_t *next, bh_error *err);

#endif
