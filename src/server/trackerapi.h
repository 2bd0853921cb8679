/* trackerapi.h - the issue trackers bulkhead writes to (GitHub, GitLab): their names, requests, answers and rate limits, without I/O; server/tracker.c does the rest. */
#ifndef BH_SERVER_TRACKERAPI_H
#define BH_SERVER_TRACKERAPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "net/http.h"

/*
 * One back-end per tracker kind. Everything the sync logic of server/tracker.c does (groups, the
 * marker, rendering, the store, back-off) is the same for both; a back-end only says how a kind
 * names repositories, authenticates, lists, opens and edits issues, reads its answers and tells a
 * rate limit. Nothing here does I/O, so every part is tested (tests/server/test_trackerapi.c) and
 * the answer parser fuzzed (fuzz/fuzz_tracker.c).
 *
 *   GitHub (REST, 2022-11-28): GET/POST /repos/OWNER/REPO/issues, PATCH .../issues/NUMBER;
 *     Authorization: Bearer; pages by Link rel="next"; rate limits 403/429 with Retry-After or
 *     x-ratelimit-remaining: 0 and x-ratelimit-reset.
 *   GitLab (REST v4): GET/POST /projects/GROUP%2FPROJECT/issues, PUT .../issues/IID;
 *     PRIVATE-TOKEN; pages by x-next-page (or Link rel="next"); rate limits 429 with Retry-After
 *     or RateLimit-Reset. An issue's number is its iid, its body the description, its state
 *     "opened" or "closed".
 */

/* The label of every issue bulkhead opens; lists ask for it. */
#define BH_TRACKER_LABEL "bulkhead"

/* Which Markdown an issue is written in: it decides what must be broken so text renders as typed. */
typedef enum bh_tracker_md { BH_TRACKER_MD_GITHUB = 0, BH_TRACKER_MD_GITLAB } bh_tracker_md;

/* A request to make: method, path below the API URL, JSON body (NULL: none). */
typedef struct bh_trackerapi_req {
	bh_http_method method;
	bh_buf path;
	json_t *body;
} bh_trackerapi_req;
/* Frees path and body; the struct can be filled again. */
void bh_trackerapi_req_free(bh_trackerapi_req *rq);

/* An issue of a list answer as the back-end read it; strings point into the answer. */
typedef struct bh_trackerapi_issue {
	int64_t number;        /* GitHub's number, GitLab's iid: > 0 */
	const char *state;     /* "open" or "closed", whatever the kind calls them */
	const char *title;     /* NULL: none */
	const char *body;      /* NULL: none */
} bh_trackerapi_issue;
/* Called for each issue of a list; non-zero stops the parse and is returned. */
typedef int (*bh_trackerapi_issue_cb)(void *ud, const bh_trackerapi_issue *it);

/* Reads a response header (case-insensitive name) into out[n]; false when absent. */
typedef bool (*bh_trackerapi_hdr_fn)(void *ud, const char *name, char *out, size_t n);

typedef struct bh_trackerapi {
	const char *kind;            /* "github", "gitlab" */
	const char *name;            /* "GitHub", "GitLab" (for messages) */
	const char *default_url;     /* the API URL when none is given */
	const char *repository_form; /* what repository_ok wants, for a 400's message */
	bh_tracker_md md;
	/* Whether r names a repository (GitHub) or project (GitLab) of this kind. */
	bool (*repository_ok)(const char *r);
	/* The request headers (no Content-Type): up to 3 into h, the token's into auth[n]. Returns how many. */
	size_t (*headers)(const char *token, char *auth, size_t n, const char *h[3]);
	/* The requests: a page (from 1) of the issues labelled BH_TRACKER_LABEL, open and closed; a new
	 * issue; an edit of issue number to say body (and title when open) and to move from from_state
	 * ("open"/"closed") to open or closed. 0 or BH_ENOMEM; rq is filled (caller frees). */
	int (*list)(const char *repo, int page, bh_trackerapi_req *rq);
	int (*create)(const char *repo, const char *title, const char *body, const json_t *labels, bh_trackerapi_req *rq);
	int (*edit)(const char *repo, int64_t number, bool open, const char *title, const char *body, const char *from_state,
		    bh_trackerapi_req *rq);
	/* The fields of an issue object: its number, body, web page; the state that is "open"; and
	 * whether list answers hold pull requests to skip (an object with that key). */
	const char *number_field, *body_field, *url_field, *open_state, *skip_field;
	/* Whether a list answer says there is a next page. */
	bool (*more)(bh_trackerapi_hdr_fn hdr, void *ud);
	/* When a refused request may be tried again (Unix time), 0 when the answer is no rate limit. */
	int64_t (*retry_at)(long status, bh_trackerapi_hdr_fn hdr, void *ud, int64_t now);
} bh_trackerapi;

/* The back-end of kind, NULL when bulkhead speaks no such tracker. */
const bh_trackerapi *bh_trackerapi_find(const char *kind);
/* "github" or "gitlab": the kinds, for messages. */
#define BH_TRACKERAPI_KINDS "\"github\" or \"gitlab\""

/* Reads a list answer: every issue object of the JSON list, pull requests skipped, with its state
 * as "open"/"closed", passed to cb. Objects without a positive number or a known state are skipped
 * (an issue tracker's answer is not trusted to be well formed). 0, what cb returned, or BH_EINVAL
 * with why filled when the answer is not a list. */
int bh_trackerapi_parse_list(const bh_trackerapi *api, const json_t *answer, bh_trackerapi_issue_cb cb, void *ud, char *why,
			     size_t whylen);
/* The number (> 0) of an issue object answered to a create or an edit, 0 when it has none; *url
 * its web page (into j) or NULL. */
int64_t bh_trackerapi_number(const bh_trackerapi *api, const json_t *j, const char **url);

#endif
