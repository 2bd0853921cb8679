/* tracker.h - issue trackers of `bulkhead serve`: GitHub or GitLab issues per (repository or image, advisory), opened, updated and closed as findings change. */
#ifndef BH_SERVER_TRACKER_H
#define BH_SERVER_TRACKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "server/api.h"
#include "server/http.h"
#include "server/trackerapi.h"

/*
 * README "Issue trackers". A tracker reads the events table from its cursor (like a webhook,
 * server/notify.h); each finding.* event names a group: (image repository, advisory) with group_by
 * "repository", (image digest, advisory) with "image". The tracker's kind (GitHub, GitLab) is a
 * back-end of server/trackerapi.h; all that follows is the same for both. The group's state is
 * computed again from the store (its open findings), and its one issue is made to say that: opened
 * when the group has an open finding and no issue, its title and body edited when they changed,
 * closed (completed) when nothing is open, reopened when something is again. The issue is found
 * through tracker_issues (store/tracker.h); without a row, through the marker BH_TRACKER_MARKER in
 * the bodies of the repository's issues labelled BH_TRACKER_LABEL, so a restart or a second server
 * never opens it twice. A failed request (no answer, 5xx, a rate limit: the time the back-end reads
 * from Retry-After, x-ratelimit-reset or RateLimit-Reset is waited for) keeps the cursor where it
 * was and is tried again after 1, 2, 4 ... BH_TRACKER_BACKOFF_MAX_S seconds. Events do not tell
 * everything (findings stored with an uploaded image make none, nor an image added to a repository
 * whose finding did not change), so every group of an open finding or an open issue is synced again
 * when a server starts and every reconcile_s; a group that did not change costs no request. A
 * stopping server gives up its leases (bh_tracker_release).
 */
#define BH_TRACKER_BACKOFF_MAX_S 60
#define BH_TRACKER_RECONCILE_S 300
#define BH_TRACKER_TIMEOUT_MS 15000
#define BH_TRACKER_MARKER "<!-- bulkhead-group: "
#define BH_TRACKER_MARKER_END " -->"
#define BH_TRACKER_BODY_MAX 60000   /* GitHub refuses bodies over 65,536 characters (GitLab over 1,048,576) */
#define BH_TRACKER_TITLE_MAX 250    /* characters; GitLab refuses titles over 255, GitHub over 256 */
#define BH_TRACKER_ROWS_MAX 100     /* packages in one issue's table; the rest are counted */
#define BH_TRACKER_LABELS_MAX 10

/* ---- the parts without I/O (tests/server/test_tracker.c, fuzz/fuzz_tracker.c) ---- */

/* Appends s as Markdown text (inside a line, never at its start) that renders as these characters:
 * the characters of inline Markdown and HTML (\ ` * _ { } [ ] ( ) ! | < > ~ & $) backslash-escaped,
 * "://" and "www." broken by a zero-width space (no autolink), and so are the characters that start
 * a reference after Markdown is read, where a backslash does not stop it: '@' and '#' (GitHub's
 * mentions and issue references; GitLab's too), and for GitLab also '!' (merge request), '%'
 * (milestone), '~' (label), '&' (epic), '$' (snippet), '*' (iteration), '^' (alert) and '['
 * ([vulnerability:1] and the like). Control characters become spaces, invalid UTF-8 U+FFFD; at
 * most max bytes of s are used ("..." marks a cut). */
int bh_tracker_md_escape(bh_buf *b, const char *s, size_t max, bh_tracker_md md);
/* A title: the same text without backslashes (GitHub shows titles nearly as typed, GitLab as text
 * with references and links): backticks become ', the reference characters of md get a zero-width
 * space, control characters spaces; at most 200 bytes. */
int bh_tracker_title_clean(bh_buf *b, const char *s, bh_tracker_md md);

/* The group key ("repository:R advisory:A", "image:D advisory:A") into a new string (caller frees). */
char *bh_tracker_group_key(const char *scope, const char *subject, const char *advisory);
/* The hex SHA-256 of a key: what the marker carries. */
void bh_tracker_group_hash(const char *key, char out[65]);
/* The hash in body's marker into out (true), or false when the body has no well-formed marker. */
bool bh_tracker_marker_find(const char *body, char out[65]);

/* One affected package of a group, with the images that hold it. */
typedef struct bh_tracker_pkg {
	const char *purl, *name, *version, *fixed, *severity;
	bool kev;
	const char *const *images; /* tags (or digests) shown for the images */
	size_t nimages;
} bh_tracker_pkg;

typedef struct bh_tracker_group {
	const char *scope;     /* "repository" or "image" */
	const char *subject;   /* the repository or the digest */
	const char *advisory;
	const bh_tracker_pkg *pkgs;
	size_t npkgs;          /* 0: resolved */
} bh_tracker_group;

/* The title (at most BH_TRACKER_TITLE_MAX characters) and body in md's Markdown (caller
 * frees both). The body starts with the marker of hash; no line of it starts with '/' (GitLab
 * would run it as a quick action); a group without packages gets the "resolved" body (its title
 * is then not used). BH_ENOMEM. */
int bh_tracker_render(const bh_tracker_group *g, const char *hash, bh_tracker_md md, char **title, char **body);

/* The POST /api/v1/trackers body, checked. Strings point into j (api_url may be the kind's default). */
typedef struct bh_tracker_spec {
	const char *kind, *api_url, *repository, *token, *group_by, *from;
	const json_t *filter, *labels;
	const bh_trackerapi *api;   /* the kind's back-end */
} bh_tracker_spec;
/* 0, or BH_EINVAL with why filled (a 400's message). */
int bh_tracker_spec_parse(const json_t *j, bh_tracker_spec *s, char *why, size_t whylen);

/* ---- routes and the worker ---- */

/* GET/POST /api/v1/trackers, DELETE /api/v1/trackers/{id} (admin; the token is never returned). */
int bh_tracker_routes(bh_api *a, bh_srv *s, bh_error *err);

typedef struct bh_tracker_worker bh_tracker_worker;
typedef struct bh_tracker_worker_config {
	bh_api *api;          /* borrowed; outlives the worker */
	unsigned poll_ms;     /* how often the events table is read; 0: 500 */
	int64_t lease_s;      /* a tracker's lease; 0: 60 */
	int64_t reconcile_s;  /* how often every group is checked again; 0: BH_TRACKER_RECONCILE_S */
} bh_tracker_worker_config;

/* Starts the thread. *out freed by bh_tracker_stop. */
int bh_tracker_start(const bh_tracker_worker_config *cfg, bh_tracker_worker **out, bh_error *err);
/* Ends a request in progress, joins the thread, frees w. NULL is fine. */
void bh_tracker_stop(bh_tracker_worker *w);

#endif
