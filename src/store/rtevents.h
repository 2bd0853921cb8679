/* rtevents.h - the event queries the runtime API needs: one type's events by host and container, and the newest event of one type per host. */
#ifndef BH_STORE_RTEVENTS_H
#define BH_STORE_RTEVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * Events of type (required) in sequence order after `after`, only of host and of container when
 * they are non-NULL, paged as the store's lists (store.h: at most limit, 0 = BH_STORE_LIMIT_MAX;
 * *next the seq to pass as after, 0 on the last page). Strings handed to cb live during the call.
 * On PostgreSQL the read waits for event inserts in flight, as bh_store_event_list does, so a
 * reader paging by seq never skips one that commits late.
 */
int bh_rtevents_list(bh_store *st, const char *type, const char *host, const char *container, int64_t after, size_t limit,
		     bh_store_event_cb cb, void *ud, int64_t *next, bh_error *err);

/* The newest event of type per host among those after `after` (events without a host left out),
 * in seq order: for a reader that keeps each host's latest state and reads only what is new. */
typedef int (*bh_rtevents_latest_cb)(void *ud, int64_t seq, const char *host, int64_t time, const char *payload_json);
int bh_rtevents_latest(bh_store *st, const char *type, int64_t after, bh_rtevents_latest_cb cb, void *ud, bh_error *err);

#endif
