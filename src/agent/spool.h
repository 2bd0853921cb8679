/* spool.h - the agent's bounded on-disk queue of event envelopes (JSON-lines segment files) and its
 * persisted per-host sequence number. */
#ifndef BH_AGENT_SPOOL_H
#define BH_AGENT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Default cap on the spool's bytes; past it the oldest segments are dropped (counted, warned). */
#define BH_SPOOL_MAX_DEFAULT ((uint64_t)64 << 20)
/* A segment holds at most this many lines and bytes, so one segment fits one POST /api/v1/events
 * (1000 events, 4 MiB per request on the server). */
#define BH_SPOOL_SEG_LINES 500u
#define BH_SPOOL_SEG_BYTES ((uint64_t)1 << 20)

typedef struct bh_spool bh_spool;

/*
 * Opens (making it, mode 0700, when missing) the spool directory dir: segment files
 * seg-NNNNNNNNNNNNNNNNNNNN.jsonl, oldest first by number, and the file "seq" (the last sequence
 * number handed out). max_bytes 0: BH_SPOOL_MAX_DEFAULT. *out is the caller's to bh_spool_close.
 * Not thread-safe: callers serialise.
 */
int bh_spool_open(const char *dir, uint64_t max_bytes, bh_spool **out, bh_error *err);
void bh_spool_close(bh_spool *sp);

/* The next sequence number (1, 2, ...), written to DIR/seq before it is returned, so a restarted
 * agent never hands one out twice. */
int bh_spool_next_seq(bh_spool *sp, int64_t *seq, bh_error *err);
/* n (>= 1) consecutive sequence numbers first..first+n-1 with one write of DIR/seq: a batch of
 * envelopes costs one fsync, not one each. */
int bh_spool_reserve_seq(bh_spool *sp, size_t n, int64_t *first, bh_error *err);

/* Appends one line (len bytes, no newline in it); drops the oldest segments when over the cap. */
int bh_spool_append(bh_spool *sp, const char *line, size_t len, bh_error *err);

bool bh_spool_empty(const bh_spool *sp);
uint64_t bh_spool_bytes(const bh_spool *sp);
/* Lines dropped because the spool was full, since it was opened. */
unsigned long bh_spool_dropped(const bh_spool *sp);
/* The spool directory (owned by sp). */
const char *bh_spool_dir(const bh_spool *sp);

/*
 * Hands the oldest segment's bytes (JSON lines, each ending in '\n') to fn; when fn returns 0 the
 * segment is removed. Returns 1 when a segment was sent, 0 when the spool is empty, or what fn
 * returned (negative, err filled; the segment stays). Segment data is borrowed for the call.
 */
typedef int (*bh_spool_send_fn)(void *ud, const char *data, size_t len, size_t lines, bh_error *err);
int bh_spool_send_oldest(bh_spool *sp, bh_spool_send_fn fn, void *ud, bh_error *err);

#endif
