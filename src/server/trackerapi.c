/* trackerapi.c - the GitHub and GitLab back-ends of the issue trackers: repository names, headers, request paths and bodies, list answers, pages and rate limits. */
#include "server/trackerapi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

void bh_trackerapi_req_free(bh_trackerapi_req *rq)
{
	bh_buf_free(&rq->path);
	json_decref(rq->body);
	rq->body = NULL;
}

static int64_t parse_i64(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return end != s && v > 0 ? (int64_t)v : 0;
}

/* A Link header with rel="next": both kinds page that way (GitLab also says x-next-page). */
static bool link_next(bh_trackerapi_hdr_fn hdr, void *ud)
{
	char link[2048];
	return hdr(ud, "link", link, sizeof(link)) && strstr(link, "rel=\"next\"") != NULL;
}

/* Retry-After in seconds (both kinds send it with a 429, GitHub with some 403s). */
static int64_t retry_after(bh_trackerapi_hdr_fn hdr, void *ud, int64_t now)
{
	char v[64];
	return hdr(ud, "retry-after", v, sizeof(v)) && parse_i64(v) ? now + parse_i64(v) : 0;
}

/* ---- GitHub ---- */

/* GitHub's names: an owner of 1-39 [A-Za-z0-9-], a repository of 1-100 [A-Za-z0-9._-]. */
static bool gh_repository_ok(const char *r)
{
	const char *slash = strchr(r, '/'), *p;
	if (!slash || slash == r || slash - r > 39 || !slash[1] || strlen(slash + 1) > 100 || strchr(slash + 1, '/'))
		return false;
	for (p = r; p < slash; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return false;
	for (p = slash + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return strcmp(slash + 1, ".") != 0 && strcmp(slash + 1, "..") != 0;
}

static size_t gh_headers(const char *token, char *auth, size_t n, const char *h[3])
{
	snprintf(auth, n, "Authorization: Bearer %s", token);
	h[0] = "Accept: application/vnd.github+json";
	h[1] = "X-GitHub-Api-Version: 2022-11-28";
	h[2] = auth;
	return 3;
}

static int gh_list(const char *repo, int page, bh_trackerapi_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = BH_HTTP_GET;
	bh_buf_printf(&rq->path, "/repos/%s/issues?state=all&labels=%s&per_page=100&page=%d", repo, BH_TRACKER_LABEL, page);
	return bh_buf_oom(&rq->path) ? BH_ENOMEM : 0;
}

static int gh_create(const char *repo, const char *title, const char *body, const json_t *labels, bh_trackerapi_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = BH_HTTP_POST;
	bh_buf_printf(&rq->path, "/repos/%s/issues", repo);
	rq->body = json_pack("{s:s, s:s, s:O}", "title", title, "body", body, "labels", labels);
	return bh_buf_oom(&rq->path) || !rq->body ? BH_ENOMEM : 0;
}

/* PATCH: body, the title while open, and state with the reason when it changes. */
static int gh_edit(const char *repo, int64_t number, bool open, const char *title, const char *body, const char *from_state,
		   bh_trackerapi_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = BH_HTTP_PATCH;
	bh_buf_printf(&rq->path, "/repos/%s/issues/%lld", repo, (long long)number);
	if (!(rq->body = json_pack("{s:s}", "body", body)))
		return BH_ENOMEM;
	if (open && json_object_set_new(rq->body, "title", json_string(title)))
		return BH_ENOMEM;
	if (strcmp(from_state, open ? "open" : "closed") != 0 &&
	    (json_object_set_new(rq->body, "state", json_string(open ? "open" : "closed")) ||
	     json_object_set_new(rq->body, "state_reason", json_string(open ? "reopened" : "completed"))))
		return BH_ENOMEM;
	return bh_buf_oom(&rq->path) ? BH_ENOMEM : 0;
}

static bool gh_more(bh_trackerapi_hdr_fn hdr, void *ud) { return link_next(hdr, ud); }

/* GitHub's rate limits: a secondary limit says Retry-After, the primary one x-ratelimit-reset. */
static int64_t gh_retry_at(long status, bh_trackerapi_hdr_fn hdr, void *ud, int64_t now)
{
	char v[64];
	int64_t at;
	if (status != 403 && status != 429)
		return 0;
	if ((at = retry_after(hdr, ud, now)) != 0)
		return at;
	if (hdr(ud, "x-ratelimit-remaining", v, sizeof(v)) && !strcmp(v, "0") && hdr(ud, "x-ratelimit-reset", v, sizeof(v)))
		return parse_i64(v);
	return 0;
}

static const bh_trackerapi GITHUB = {
	.kind = "github",
	.name = "GitHub",
	.default_url = "https://api.github.com",
	.repository_form = "\"owner/repo\" as GitHub names them",
	.md = BH_TRACKER_MD_GITHUB,
	.repository_ok = gh_repository_ok,
	.headers = gh_headers,
	.list = gh_list,
	.create = gh_create,
	.edit = gh_edit,
	.number_field = "number",
	.body_field = "body",
	.url_field = "html_url",
	.open_state = "open",
	.skip_field = "pull_request", /* GitHub's issue lists hold pull requests too */
	.more = gh_more,
	.retry_at = gh_retry_at,
};

/* ---- GitLab ---- */

#define GL_SEGMENTS_MAX 21  /* a group, 20 levels of subgroups, the project */
#define GL_PATH_MAX 400

/* GitLab's paths: "group/project" or "group/sub/.../project", each part 1-255 of [A-Za-z0-9._-]
 * starting with a letter, digit or '_', not ending in ".git" or ".atom". */
static bool gl_repository_ok(const char *r)
{
	const char *p = r;
	size_t parts = 0;
	if (strlen(r) > GL_PATH_MAX)
		return false;
	for (;;) {
		size_t n = strcspn(p, "/"), i;
		if (!n || n > 255 || !(isalnum((unsigned char)p[0]) || p[0] == '_'))
			return false;
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)p[i]) && !strchr("._-", p[i]))
				return false;
		if ((n >= 4 && !strncmp(p + n - 4, ".git", 4)) || (n >= 5 && !strncmp(p + n - 5, ".atom", 5)))
			return false;
		parts++;
		if (!p[n])
			break;
		p += n + 1;
	}
	return parts >= 2 && parts <= GL_SEGMENTS_MAX;
}

static size_t gl_headers(const char *token, char *auth, size_t n, const char *h[3])
{
	snprintf(auth, n, "PRIVATE-TOKEN: %s", token);
	h[0] = "Accept: application/json";
	h[1] = auth;
	return 2;
}

/* "/projects/group%2Fproject": the path as the project id, '/' encoded. */
static void gl_project(bh_buf *b, const char *repo)
{
	bh_buf_puts(b, "/projects/");
	bh_http_escape(b, repo);
}

static int gl_list(const char *repo, int page, bh_trackerapi_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = BH_HTTP_GET;
	gl_project(&rq->path, repo);
	bh_buf_printf(&rq->path, "/issues?labels=%s&state=all&per_page=100&page=%d", BH_TRACKER_LABEL, page);
	return bh_buf_oom(&rq->path) ? BH_ENOMEM : 0;
}

static int gl_create(const char *repo, const char *title, const char *body, const json_t *labels, bh_trackerapi_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = BH_HTTP_POST;
	gl_project(&rq->path, repo);
	bh_buf_puts(&rq->path, "/issues");
	rq->body = json_pack("{s:s, s:s, s:O}", "title", title, "description", body, "labels", labels);
	return bh_buf_oom(&rq->path) || !rq->body ? BH_ENOMEM : 0;
}

/* PUT: description, the title while open, and state_event (close, reopen) when the state changes. */
static int gl_edit(const char *repo, int64_t number, bool open, const char *title, const char *body, const char *from_state,
		   bh_trackerapi_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = BH_HTTP_PUT;
	gl_project(&rq->path, repo);
	bh_buf_printf(&rq->path, "/issues/%lld", (long long)number);
	if (!(rq->body = json_pack("{s:s}", "description", body)))
		return BH_ENOMEM;
	if (open && json_object_set_new(rq->body, "title", json_string(title)))
		return BH_ENOMEM;
	if (strcmp(from_state, open ? "open" : "closed") != 0 &&
	    json_object_set_new(rq->body, "state_event", json_string(open ? "reopen" : "close")))
		return BH_ENOMEM;
	return bh_buf_oom(&rq->path) ? BH_ENOMEM : 0;
}

/* GitLab says the next page in x-next-page (empty on the last); past 10,000 issues it leaves
 * that header out and keeps Link. */
static bool gl_more(bh_trackerapi_hdr_fn hdr, void *ud)
{
	char v[32];
	if (hdr(ud, "x-next-page", v, sizeof(v)))
		return parse_i64(v) > 0;
	return link_next(hdr, ud);
}

/* GitLab's rate limits answer 429 with Retry-After and RateLimit-Reset (Unix time). */
static int64_t gl_retry_at(long status, bh_trackerapi_hdr_fn hdr, void *ud, int64_t now)
{
	char v[64];
	int64_t at;
	if (status != 429)
		return 0;
	if ((at = retry_after(hdr, ud, now)) != 0)
		return at;
	return hdr(ud, "ratelimit-reset", v, sizeof(v)) ? parse_i64(v) : 0;
}

static const bh_trackerapi GITLAB = {
	.kind = "gitlab",
	.name = "GitLab",
	.default_url = "https://gitlab.com/api/v4",
	.repository_form = "\"group/project\" or \"group/subgroup/project\", a GitLab project's path",
	.md = BH_TRACKER_MD_GITLAB,
	.repository_ok = gl_repository_ok,
	.headers = gl_headers,
	.list = gl_list,
	.create = gl_create,
	.edit = gl_edit,
	.number_field = "iid",
	.body_field = "description",
	.url_field = "web_url",
	.open_state = "opened",
	.skip_field = NULL,
	.more = gl_more,
	.retry_at = gl_retry_at,
};

/* ---- shared ---- */

const bh_trackerapi *bh_trackerapi_find(const char *kind)
{
	if (kind && !strcmp(kind, GITHUB.kind))
		return &GITHUB;
	if (kind && !strcmp(kind, GITLAB.kind))
		return &GITLAB;
	return NULL;
}

int bh_trackerapi_parse_list(const bh_trackerapi *api, const json_t *answer, bh_trackerapi_issue_cb cb, void *ud, char *why,
			     size_t whylen)
{
	const json_t *it;
	size_t i;
	int rc;
	if (!json_is_array(answer)) {
		snprintf(why, whylen, "the answer is not a list of issues");
		return BH_EINVAL;
	}
	json_array_foreach(answer, i, it) {
		bh_trackerapi_issue x;
		const char *state = json_string_value(json_object_get(it, "state"));
		if (!json_is_object(it) || (api->skip_field && json_object_get(it, api->skip_field)) || !state)
			continue;
		x.number = json_is_integer(json_object_get(it, api->number_field)) ? json_integer_value(json_object_get(it, api->number_field)) : 0;
		if (x.number <= 0)
			continue;
		if (!strcmp(state, api->open_state))
			x.state = "open";
		else if (!strcmp(state, "closed"))
			x.state = "closed";
		else
			continue;
		x.title = json_string_value(json_object_get(it, "title"));
		x.body = json_string_value(json_object_get(it, api->body_field));
		if ((rc = cb(ud, &x)) != 0)
			return rc;
	}
	return 0;
}

int64_t bh_trackerapi_number(const bh_trackerapi *api, const json_t *j, const char **url)
{
	const json_t *n = json_object_get(j, api->number_field);
	*url = json_string_value(json_object_get(j, api->url_field));
	return json_is_integer(n) && json_integer_value(n) > 0 ? (int64_t)json_integer_value(n) : 0;
}
