/* tracker.h - issue trackers (where findings become issues) and the issue number of each group. */
#ifndef BH_STORE_TRACKER_H
#define BH_STORE_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * A tracker reads the events table in order from its cursor, like a webhook (store/webhook.h):
 * the cursor moves past a batch of events only after every issue they touch is in step, and one
 * server at a time works a tracker (a lease on the row: locked_by, locked_until). tracker_issues
 * remembers each group's issue so it is not looked up again; the issue body carries a marker
 * too, so a lost row never makes a second issue.
 */
typedef struct bh_tracker {
	int64_t id;
	const char *kind;          /* "github" or "gitlab" (server/trackerapi.h) */
	const char *api_url;       /* "https://api.github.com", "https://gitlab.com/api/v4" */
	const char *repository;    /* "owner/repo", "group/subgroup/project" */
	const char *token;         /* sealed (server/tracker.c); NULL: none */
	const char *group_by;      /* "repository" or "image" */
	const char *filter_json;   /* the webhook filter object, or NULL */
	const char *labels_json;   /* ["a", "b"] or NULL */
	bool enabled;
	int64_t cursor, created, fails, next_try, last_status, last_ok;
	const char *last_error;
} bh_tracker;
typedef int (*bh_tracker_cb)(void *ud, const bh_tracker *t);

/* Adds t; the cursor starts at t->cursor, or at the newest event when negative. *id: the new id. */
int bh_tracker_add(bh_store *st, const bh_tracker *t, int64_t now, int64_t *id, bh_error *err);
/* BH_ENOTFOUND when absent; its issue rows go with it (the issues on the tracker stay). */
int bh_tracker_delete(bh_store *st, int64_t id, bh_error *err);
/* Every tracker in id order (id 0), or one (BH_ENOTFOUND when absent). Strings live through the call. */
int bh_tracker_list(bh_store *st, int64_t id, bh_tracker_cb cb, void *ud, bh_error *err);
/* The lease, as bh_webhook_claim: 1 held by worker, 0 held by another, < 0 failure. */
int bh_tracker_claim(bh_store *st, int64_t id, const char *worker, int64_t lease_s, int64_t now, bh_error *err);
/* Gives up every lease worker holds (a server stopping), so another server, or this one started
 * again, works its trackers at once rather than after the lease. */
int bh_tracker_release(bh_store *st, const char *worker, bh_error *err);
/* The lease holder's outcome: cursor, fails, next_try, status, error (NULL: success, last_ok = now). */
int bh_tracker_progress(bh_store *st, int64_t id, const char *worker, int64_t cursor, int64_t fails, int64_t next_try,
			int64_t status, const char *error, int64_t now, bh_error *err);
/* Issues opened by a tracker (counted for GET /api/v1/trackers). */
int bh_tracker_issue_count(bh_store *st, int64_t tracker_id, int64_t *open, int64_t *total, bh_error *err);

/* One group's issue. content: a hash of the title, body and labels last written. */
typedef struct bh_tracker_issue {
	int64_t tracker_id;
	const char *group_hash, *group_key;
	int64_t number;
	const char *state;         /* "open" or "closed" */
	const char *content, *url;
	int64_t updated;
} bh_tracker_issue;
/* 1 and the row's number, state and content hash copied out when the group has a row, 0 when not. */
int bh_tracker_issue_get(bh_store *st, int64_t tracker_id, const char *group_hash, int64_t *number, char state[8],
			 char content[65], bh_error *err);
/* Inserts or replaces the group's row. */
int bh_tracker_issue_put(bh_store *st, const bh_tracker_issue *i, bh_error *err);
typedef int (*bh_tracker_issue_cb)(void *ud, const bh_tracker_issue *i);
/* The tracker's rows (only the open ones with open_only), by group hash. Strings live through the call. */
int bh_tracker_issue_list(bh_store *st, int64_t tracker_id, bool open_only, bh_tracker_issue_cb cb, void *ud, bh_error *err);
int bh_tracker_issue_delete(bh_store *st, int64_t tracker_id, const char *group_hash, bh_error *err);

#endif
