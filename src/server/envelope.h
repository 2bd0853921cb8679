/* envelope.h - event envelopes as agents (and later the sensor) send them: body parsing and checks. */
#ifndef BH_SERVER_ENVELOPE_H
#define BH_SERVER_ENVELOPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One envelope {type, host, container, time, payload, seq, idempotency_key}, checked. type, host
 * and container are borrowed from the batch's parsed body (host may point at the agent's own host
 * name given to bh_envelope_parse); payload (compact JSON) and key are owned by the batch.
 */
typedef struct bh_envelope {
	const char *type, *host, *container;
	char *payload, *key;
	int64_t time;
} bh_envelope;

/* A parsed request body. bh_envelope_batch_free releases it (also after a failed parse). */
typedef struct bh_envelope_batch {
	json_t *list;
	bh_envelope *ev;
	size_t n;
} bh_envelope_batch;

/*
 * Parses a body that is a JSON array of envelopes or JSON lines (one per line), at most max_events,
 * each JSON value at most max_depth deep, and checks every envelope. agent_host: the host of the
 * agent token that sends it (events for another host are refused; events naming none get it), or
 * NULL for operator/admin writers. Returns 0, or the HTTP status to answer (400 malformed or
 * invalid, 403 another host's event, 413 too many events) with the reason in why; BH_ENOMEM (< 0).
 */
int bh_envelope_parse(const char *body, size_t len, unsigned max_depth, size_t max_events, const char *agent_host,
		      bh_envelope_batch *b, char *why, size_t whylen);
void bh_envelope_batch_free(bh_envelope_batch *b);

#endif
