/* notify.h - webhooks of `bulkhead serve`: the /api/v1/webhooks routes and the worker that delivers events to them, signed, retried and logged. */
#ifndef BH_SERVER_NOTIFY_H
#define BH_SERVER_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "server/api.h"
#include "server/http.h"

/*
 * Delivery (README "Notifications"): each webhook reads the events table in order from its cursor.
 * An event its filter takes is POSTed (JSON, or a Slack-compatible {"text"} for format "slack")
 * with X-Bulkhead-Event (the type), X-Bulkhead-Delivery ("bhd-<webhook>-<event seq>", the same
 * on every attempt, so a receiver can drop repeats) and, when the webhook has a secret,
 * X-Bulkhead-Signature: "sha256=" + hex HMAC-SHA256(secret, body). A 2xx moves the cursor past
 * it; anything else (no answer, 3xx, 4xx, 5xx, 10 s timeout) is logged and retried after 1, 2, 4,
 * 8, 16 s, then every BH_NOTIFY_BACKOFF_MAX_S, in order: at least once, never out of order, never
 * skipped. Events the filter does not take move the cursor without a delivery.
 */
#define BH_NOTIFY_BACKOFF_MAX_S 30
#define BH_NOTIFY_TIMEOUT_MS 10000
#define BH_NOTIFY_FILTER_MAX 64      /* values per filter list */

/* A parsed filter; every part given must hold (lists: any of their values). */
typedef struct bh_notify_filter {
	char **types;          /* "finding.new", or a prefix ending in '*' ("finding.*"); NULL: all */
	size_t ntypes;
	int min_severity;      /* 0: any; else the rank (low 1 .. critical 4): events without a severity fail */
	int kev;               /* -1 any, 1 only KEV, 0 only not KEV */
	char **repositories;   /* image repository names (with or without the registry host) */
	size_t nrepositories;
	char **images;         /* image digests */
	size_t nimages;
	char **hosts;
	size_t nhosts;
	json_t *labels;        /* {"k": "v"}: an image with all of them; NULL: any */
} bh_notify_filter;

/* Parses the filter object (NULL or JSON null: everything). 0, or BH_EINVAL with why filled. Free
 * with bh_notify_filter_free (also after a failure). */
int bh_notify_filter_parse(const json_t *j, bh_notify_filter *f, char *why, size_t whylen);
void bh_notify_filter_free(bh_notify_filter *f);
/* Rank of a severity name (case-insensitive): unknown/none 0, low 1, medium 2, high 3, critical 4. */
int bh_notify_severity_rank(const char *s);

/* What the filter looks at in one event. images: [{digest, repo_tags: [...], labels: {}}]. */
bool bh_notify_filter_match(const bh_notify_filter *f, const char *type, const char *host, const json_t *payload,
			    const json_t *images);

/* "sha256=" + 64 hex of HMAC-SHA256(key, body) into out (72 bytes with the NUL). */
int bh_notify_sign(const char *key, const char *body, size_t len, char out[72]);

/* The Slack-compatible text of one event (caller frees); NULL when out of memory. */
char *bh_notify_slack_text(const char *type, const char *host, const json_t *payload, const json_t *images);

/* Routes: GET/POST /api/v1/webhooks, DELETE /api/v1/webhooks/{id}, GET
 * /api/v1/webhooks/{id}/deliveries (admin only: a webhook URL often carries its own secret). */
int bh_notify_routes(bh_api *a, bh_srv *s, bh_error *err);

typedef struct bh_notify bh_notify;
typedef struct bh_notify_config {
	bh_api *api;          /* borrowed; outlives the worker */
	unsigned poll_ms;     /* how often the events table is read; 0: 250 */
	int64_t lease_s;      /* a webhook's lease (another server takes it after); 0: 60 */
} bh_notify_config;

/* Starts the delivery thread. *out freed by bh_notify_stop. */
int bh_notify_start(const bh_notify_config *cfg, bh_notify **out, bh_error *err);
/* Ends a delivery in progress (at most its timeout), joins the thread, frees n. NULL is fine. */
void bh_notify_stop(bh_notify *n);

#endif
