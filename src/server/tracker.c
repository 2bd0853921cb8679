/* tracker.c - issue trackers of `bulkhead serve`: Markdown that renders as typed, the requests of a back-end (server/trackerapi.h), routes and the sync thread. */
#include "server/tracker.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/product.h"
#include "net/http.h"
#include "registry/registry.h"
#include "server/apictx.h"
#include "server/evbatch.h"
#include "server/notify.h"
#include "server/regwatch.h"
#include "store/sql.h"
#include "store/tracker.h"

#define ZWSP "\xe2\x80\x8b"
#define URL_MAX_LEN 512
#define TOKEN_MAX_LEN 512
#define AD_LEN (URL_MAX_LEN + 512) /* "tracker:URL REPOSITORY" */
#define GROUPS_MAX 1000          /* groups synced per batch (more: the batch is cut) */
#define IMAGES_SHOWN 5           /* images named per package row */
#define LIST_PAGES_MAX 100       /* 10,000 issues looked through for markers */

/* ---- Markdown ---- */

/* The characters that start inline Markdown or HTML (emphasis, code, links, images, raw HTML,
 * entities, strikethrough, table cells, GitHub's and GitLab's math, GitLab's inline diff {+ +}),
 * escaped with a backslash. Block syntax ('#', '-', '+', '1.', GitLab's quick actions '/') needs no
 * escape: escaped text never starts a line. */
static bool md_special(char c)
{
	return c && strchr("\\`*_{}[]()!|<>~&$", c) != NULL;
}

/* The characters that start a reference, broken with a zero-width space after them: both make
 * mentions and references of the text after Markdown is read, so a backslash would not stop them.
 * GitHub: @user, #1. GitLab: @user, #1, !1 (merge request), %1 (milestone), ~1 (label), &1 (epic),
 * $1 (snippet), *iteration:1, ^alert#1, [vulnerability:1] (and [epic:1] ...). */
static bool ref_start(unsigned char c, bh_tracker_md md)
{
	if (c == '@' || c == '#')
		return true;
	return md == BH_TRACKER_MD_GITLAB && c && strchr("!%~&$*^[", c) != NULL;
}

static int escape(bh_buf *b, const char *s, size_t max, bool title, bh_tracker_md md)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), used = 0;
	while (used < len) {
		size_t n = bh_utf8_seq(p + used, len - used);
		unsigned char c = p[used];
		if (used >= max) {
			bh_buf_puts(b, "...");
			break;
		}
		if (!n) {
			bh_buf_puts(b, "\xef\xbf\xbd");
			used++;
			continue;
		}
		if (n > 1) {
			bh_buf_append(b, p + used, n);
		} else if (c < 0x20 || c == 0x7f) {
			bh_buf_putc(b, ' ');
		} else {
			/* a reference, or an autolink ("://", "www.") */
			bool brk = ref_start(c, md) || (c == ':' && !strncmp((const char *)p + used + 1, "//", 2)) ||
				   (c == '.' && used >= 3 && !strncasecmp((const char *)p + used - 3, "www", 3));
			if (title) {
				bh_buf_putc(b, c == '`' ? '\'' : (char)c);
			} else {
				if (md_special((char)c))
					bh_buf_putc(b, '\\');
				bh_buf_putc(b, (char)c);
			}
			if (brk)
				bh_buf_puts(b, ZWSP);
		}
		used += n;
	}
	return bh_buf_oom(b) ? BH_ENOMEM : 0;
}

int bh_tracker_md_escape(bh_buf *b, const char *s, size_t max, bh_tracker_md md) { return escape(b, s, max, false, md); }

int bh_tracker_title_clean(bh_buf *b, const char *s, bh_tracker_md md) { return escape(b, s, 200, true, md); }

/* Cuts t to at most max characters ("..." ends a cut one); a reference character whose breaking
 * zero-width space would be cut off goes too. */
static void cut_chars(bh_buf *t, size_t max)
{
	const unsigned char *p = (const unsigned char *)t->data;
	size_t i = 0, chars = 0, keep = 0, last = 0;
	if (!p)
		return;
	while (i < t->len) {
		size_t n = bh_utf8_seq(p + i, t->len - i);
		if (!n)
			n = 1;
		if (++chars <= max - 3) {
			last = i;
			keep = i + n;
		}
		i += n;
	}
	if (chars <= max)
		return;
	if (keep - last == 1 && keep + 3 <= t->len && !memcmp(p + keep, ZWSP, 3))
		keep = last;
	t->len = keep;
	t->data[keep] = '\0';
	bh_buf_puts(t, "...");
}

/* ---- groups ---- */

char *bh_tracker_group_key(const char *scope, const char *subject, const char *advisory)
{
	bh_buf b = BH_BUF_INIT;
	bh_buf_printf(&b, "%s:%s advisory:%s", scope, subject, advisory);
	if (bh_buf_oom(&b)) {
		bh_buf_free(&b);
		return NULL;
	}
	return bh_buf_steal(&b);
}

void bh_tracker_group_hash(const char *key, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	out[0] = '\0';
	if (!EVP_Digest(key, strlen(key), md, &n, EVP_sha256(), NULL) || n != 32)
		return;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool bh_tracker_marker_find(const char *body, char out[65])
{
	const char *m = body ? strstr(body, BH_TRACKER_MARKER) : NULL;
	size_t i, ml = strlen(BH_TRACKER_MARKER);
	if (!m)
		return false;
	m += ml;
	for (i = 0; i < 64; i++)
		if (!m[i] || !strchr("0123456789abcdef", m[i]))
			return false;
	if (strncmp(m + 64, BH_TRACKER_MARKER_END, strlen(BH_TRACKER_MARKER_END)) != 0)
		return false;
	memcpy(out, m, 64);
	out[64] = '\0';
	return true;
}

static const char *worst_severity(const bh_tracker_group *g, bool *kev)
{
	const char *w = NULL;
	size_t i;
	*kev = false;
	for (i = 0; i < g->npkgs; i++) {
		if (g->pkgs[i].kev)
			*kev = true;
		/* "unknown" is no severity */
		if (bh_notify_severity_rank(g->pkgs[i].severity) > (w ? bh_notify_severity_rank(w) : 0))
			w = g->pkgs[i].severity;
	}
	return w;
}

static void subject_line(bh_buf *b, const bh_tracker_group *g, bh_tracker_md md)
{
	bh_buf_puts(b, !strcmp(g->scope, "image") ? "**Image:** " : "**Repository:** ");
	bh_tracker_md_escape(b, g->subject, 300, md);
	bh_buf_puts(b, "\n\n");
}

static const char FOOTER[] =
	"\n---\n_Kept up to date by bulkhead: updated when these findings change, closed when none is open any"
	" more. Edits to this title and body are overwritten._\n";

int bh_tracker_render(const bh_tracker_group *g, const char *hash, bh_tracker_md md, char **title, char **body)
{
	bh_buf t = BH_BUF_INIT, b = BH_BUF_INIT;
	bool kev;
	const char *sev = worst_severity(g, &kev);
	size_t i, j, nimg = 0;
	*title = *body = NULL;
	/* the title: "ADVISORY (high, known exploited) in team/app" */
	bh_tracker_title_clean(&t, g->advisory, md);
	if (sev || kev) {
		bh_buf_puts(&t, " (");
		if (sev)
			bh_tracker_title_clean(&t, sev, md);
		bh_buf_puts(&t, sev && kev ? ", " : "");
		bh_buf_puts(&t, kev ? "known exploited" : "");
		bh_buf_puts(&t, ")");
	}
	bh_buf_puts(&t, " in ");
	bh_tracker_title_clean(&t, g->subject, md);
	cut_chars(&t, BH_TRACKER_TITLE_MAX);

	bh_buf_printf(&b, "%s%s%s\n", BH_TRACKER_MARKER, hash, BH_TRACKER_MARKER_END);
	bh_buf_puts(&b, "### ");
	bh_tracker_md_escape(&b, g->advisory, 200, md);
	bh_buf_puts(&b, "\n\n");
	subject_line(&b, g, md);
	if (!g->npkgs) {
		bh_buf_puts(&b, "**Resolved:** no image ");
		bh_buf_puts(&b, !strcmp(g->scope, "image") ? "with this digest" : "of this repository");
		bh_buf_puts(&b, " has an open finding of this advisory any more.\n");
	} else {
		for (i = 0; i < g->npkgs; i++)
			nimg += g->pkgs[i].nimages;
		bh_buf_puts(&b, "**Severity:** ");
		if (sev)
			bh_tracker_md_escape(&b, sev, 32, md);
		else
			bh_buf_puts(&b, "unknown");
		bh_buf_puts(&b, kev ? " \xc2\xb7 **Known exploited** (CISA KEV)\n\n" : "\n\n");
		bh_buf_printf(&b, "**Affected:** %zu package%s (%zu image link%s)\n\n", g->npkgs, g->npkgs == 1 ? "" : "s",
			      nimg, nimg == 1 ? "" : "s");
		bh_buf_puts(&b, "| Package | Installed | Fixed in | Severity | Images |\n| --- | --- | --- | --- | --- |\n");
		for (i = 0; i < g->npkgs && i < BH_TRACKER_ROWS_MAX; i++) {
			const bh_tracker_pkg *p = &g->pkgs[i];
			bh_buf_puts(&b, "| ");
			bh_tracker_md_escape(&b, p->name ? p->name : p->purl, 200, md);
			bh_buf_puts(&b, " | ");
			bh_tracker_md_escape(&b, p->version ? p->version : "?", 100, md);
			bh_buf_puts(&b, " | ");
			if (p->fixed && *p->fixed)
				bh_tracker_md_escape(&b, p->fixed, 100, md);
			else
				bh_buf_puts(&b, "no fix yet");
			bh_buf_puts(&b, " | ");
			bh_tracker_md_escape(&b, p->severity ? p->severity : "unknown", 32, md);
			if (p->kev)
				bh_buf_puts(&b, ", KEV");
			bh_buf_puts(&b, " | ");
			for (j = 0; j < p->nimages && j < IMAGES_SHOWN; j++) {
				bh_buf_puts(&b, j ? ", " : "");
				bh_tracker_md_escape(&b, p->images[j], 200, md);
			}
			if (p->nimages > IMAGES_SHOWN)
				bh_buf_printf(&b, " and %zu more", p->nimages - IMAGES_SHOWN);
			bh_buf_puts(&b, " |\n");
			if (b.len > BH_TRACKER_BODY_MAX - 4096) {
				i++;
				break;
			}
		}
		if (i < g->npkgs)
			bh_buf_printf(&b, "\n... and %zu more packages (bulkhead: GET /api/v1/advisories/{id}/affected).\n",
				      g->npkgs - i);
		bh_buf_puts(&b, "\n**Fix:** upgrade each package to the version in *Fixed in*, then rebuild the images.\n");
	}
	bh_buf_puts(&b, FOOTER);
	if (bh_buf_oom(&t) || bh_buf_oom(&b)) {
		bh_buf_free(&t);
		bh_buf_free(&b);
		return BH_ENOMEM;
	}
	*title = bh_buf_steal(&t);
	*body = bh_buf_steal(&b);
	return 0;
}

/* ---- the POST body ---- */

static bool api_url_ok(const char *u)
{
	size_t l = strlen(u);
	/* the scheme first: it makes l > 7, so u[l - 1] is inside the string ("" read u[-1], found by fuzz_tracker) */
	return l <= URL_MAX_LEN && ((!strncmp(u, "http://", 7) && l > 7) || (!strncmp(u, "https://", 8) && l > 8)) &&
	       bh_apictx_printable(u) && !strchr(u, ' ') && !strchr(u, '?') && !strchr(u, '#') && u[l - 1] != '/';
}

int bh_tracker_spec_parse(const json_t *j, bh_tracker_spec *s, char *why, size_t whylen)
{
	static const char *const known[] = { "kind", "api_url", "repository", "token", "group_by", "filter", "labels", "from", NULL };
	const char *k;
	const json_t *v;
	bh_notify_filter f;
	size_t i;
	int rc;
	memset(s, 0, sizeof(*s));
	if (!json_is_object(j)) {
		snprintf(why, whylen, "the body is a JSON object {kind, api_url, repository, token, group_by, filter, labels, from}");
		return BH_EINVAL;
	}
	json_object_foreach((json_t *)j, k, v) {
		for (i = 0; known[i] && strcmp(known[i], k) != 0; i++)
			;
		if (!known[i]) {
			snprintf(why, whylen, "%.64s is not a tracker field (kind, api_url, repository, token, group_by, filter, labels, from)", k);
			return BH_EINVAL;
		}
	}
	s->kind = json_string_value(json_object_get(j, "kind"));
	if (!(s->api = bh_trackerapi_find(s->kind))) {
		snprintf(why, whylen, "kind is %s (the trackers bulkhead speaks to)", BH_TRACKERAPI_KINDS);
		return BH_EINVAL;
	}
	s->api_url = s->api->default_url;
	if ((v = json_object_get(j, "api_url")) && !json_is_null(v) && (!(s->api_url = json_string_value(v)) || !api_url_ok(s->api_url))) {
		snprintf(why, whylen, "api_url is an http:// or https:// URL of at most %d bytes without a trailing /", URL_MAX_LEN);
		return BH_EINVAL;
	}
	s->repository = json_string_value(json_object_get(j, "repository"));
	if (!s->repository || !s->api->repository_ok(s->repository)) {
		snprintf(why, whylen, "repository is %s", s->api->repository_form);
		return BH_EINVAL;
	}
	s->token = json_string_value(json_object_get(j, "token"));
	if (!s->token || !*s->token || strlen(s->token) > TOKEN_MAX_LEN || !bh_apictx_printable(s->token) || strchr(s->token, ' ')) {
		snprintf(why, whylen, "token is the API token: 1 to %d printable bytes without spaces", TOKEN_MAX_LEN);
		return BH_EINVAL;
	}
	s->group_by = "repository";
	if ((v = json_object_get(j, "group_by")) && !json_is_null(v) &&
	    (!(s->group_by = json_string_value(v)) || (strcmp(s->group_by, "repository") != 0 && strcmp(s->group_by, "image") != 0))) {
		snprintf(why, whylen, "group_by is repository (one issue per image repository and advisory) or image (per digest and advisory)");
		return BH_EINVAL;
	}
	s->from = "now";
	if ((v = json_object_get(j, "from")) && !json_is_null(v) &&
	    (!(s->from = json_string_value(v)) || (strcmp(s->from, "now") != 0 && strcmp(s->from, "start") != 0))) {
		snprintf(why, whylen, "from is now (events from now on) or start (every stored event)");
		return BH_EINVAL;
	}
	if ((v = json_object_get(j, "labels")) && !json_is_null(v)) {
		const json_t *l;
		if (!json_is_array(v) || json_array_size(v) > BH_TRACKER_LABELS_MAX) {
			snprintf(why, whylen, "labels is a list of at most %d label names", BH_TRACKER_LABELS_MAX);
			return BH_EINVAL;
		}
		json_array_foreach(v, i, l) {
			const char *n = json_string_value(l);
			/* a comma would split the name in a ?labels= list (GitHub's and GitLab's) */
			if (!n || !*n || strlen(n) > 50 || !bh_apictx_printable(n) || strchr(n, ',')) {
				snprintf(why, whylen, "labels[%zu] is a name of 1 to 50 printable bytes without a comma", i);
				return BH_EINVAL;
			}
		}
		s->labels = v;
	}
	s->filter = json_object_get(j, "filter");
	rc = bh_notify_filter_parse(s->filter, &f, why, whylen);
	bh_notify_filter_free(&f);
	return rc;
}

/* ---- routes ---- */

static json_t *tracker_json(bh_store *st, const bh_tracker *t)
{
	json_t *o = json_object();
	int64_t open = 0, total = 0;
	bh_error err;
	if (!o)
		return NULL;
	bh_tracker_issue_count(st, t->id, &open, &total, &err);
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "kind", bh_apictx_jstr(t->kind));
	json_object_set_new(o, "api_url", bh_apictx_jstr(t->api_url));
	json_object_set_new(o, "repository", bh_apictx_jstr(t->repository));
	json_object_set_new(o, "group_by", bh_apictx_jstr(t->group_by));
	json_object_set_new(o, "filter", t->filter_json ? bh_apictx_jraw(t->filter_json) : json_null());
	json_object_set_new(o, "labels", t->labels_json ? bh_apictx_jraw(t->labels_json) : json_array());
	json_object_set_new(o, "token_set", json_boolean(t->token != NULL));
	json_object_set_new(o, "enabled", json_boolean(t->enabled));
	json_object_set_new(o, "cursor", json_integer(t->cursor));
	json_object_set_new(o, "issues", json_pack("{s:I, s:I}", "open", (json_int_t)open, "total", (json_int_t)total));
	json_object_set_new(o, "failures", json_integer(t->fails));
	json_object_set_new(o, "next_try", bh_apictx_jtime(t->fails ? t->next_try : 0));
	json_object_set_new(o, "last_status", t->last_status ? json_integer(t->last_status) : json_null());
	json_object_set_new(o, "last_error", bh_apictx_jstr(t->last_error));
	json_object_set_new(o, "last_ok", bh_apictx_jtime(t->last_ok));
	json_object_set_new(o, "created", bh_apictx_jtime(t->created));
	return o;
}

typedef struct listctx {
	bh_store *st;
	json_t *items;
} listctx;

static int list_cb(void *ud, const bh_tracker *t)
{
	listctx *l = ud;
	json_t *o = tracker_json(l->st, t);
	return o && !json_array_append_new(l->items, o) ? 0 : BH_ENOMEM;
}

static int get_trackers(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	listctx l;
	bh_error err;
	int rc;
	(void)req;
	if (!(l.items = json_array()))
		return BH_ENOMEM;
	l.st = bh_apictx_store(a);
	rc = bh_tracker_list(l.st, 0, list_cb, &l, &err);
	bh_apictx_release(a, l.st);
	if (rc) {
		json_decref(l.items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, l.items, 0);
}

static void token_ad(char *ad, size_t n, const char *api_url, const char *repository)
{
	snprintf(ad, n, "tracker:%s %s", api_url, repository);
}

static int post_tracker(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_tracker_spec sp;
	char why[256], ad[AD_LEN], *sealed = NULL, *filter = NULL, *labels = NULL;
	unsigned char key[32];
	bh_tracker t;
	bh_store *st;
	bh_error err;
	int64_t id = 0;
	json_t *o = NULL;
	int rc = bh_tracker_spec_parse(bh_srv_json(req), &sp, why, sizeof(why));
	if (rc == BH_ENOMEM)
		return rc;
	if (rc)
		return bh_srv_resp_error(resp, 400, "bad_request", "%s", why);
	if ((sp.filter && !json_is_null(sp.filter) && !(filter = json_dumps(sp.filter, JSON_COMPACT))) ||
	    (sp.labels && !(labels = json_dumps(sp.labels, JSON_COMPACT)))) {
		free(filter);
		return BH_ENOMEM;
	}
	token_ad(ad, sizeof(ad), sp.api_url, sp.repository);
	if ((rc = bh_regwatch_key_get(key, &err)) == 0)
		rc = bh_regwatch_seal(key, ad, sp.token, &sealed, &err);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc) {
		free(filter);
		free(labels);
		bh_log_error("tracker: sealing a token: %s", err.msg);
		return rc == BH_ENOMEM ? rc : bh_srv_resp_error(resp, 500, "internal", "the token could not be sealed (see the server log)");
	}
	memset(&t, 0, sizeof(t));
	t.kind = sp.kind;
	t.api_url = sp.api_url;
	t.repository = sp.repository;
	t.token = sealed;
	t.group_by = sp.group_by;
	t.filter_json = filter;
	t.labels_json = labels;
	t.enabled = true;
	t.cursor = !strcmp(sp.from, "start") ? 0 : -1;
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc)
		rc = bh_tracker_add(st, &t, (int64_t)time(NULL), &id, &err);
	if (!rc)
		rc = bh_apictx_audit(st, req, "tracker.add", sp.repository, sp.group_by, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	if (!rc) {
		t.id = id;
		t.created = (int64_t)time(NULL);
		if (!(o = tracker_json(st, &t)))
			rc = BH_ENOMEM;
		else
			json_object_set_new(o, "cursor", json_null()); /* "now" is resolved in the store */
	}
	bh_apictx_release(a, st);
	free(sealed);
	free(filter);
	free(labels);
	if (rc == BH_ENOMEM)
		return rc;
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 201, o);
}

static int del_tracker(bh_store *st, void *ud, bh_error *err)
{
	return bh_tracker_delete(st, *(int64_t *)ud, err);
}

static int delete_tracker(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_error err;
	int64_t id;
	char target[32];
	int rc;
	if (bh_srv_parse_int(bh_srv_param(req, "id"), 1, INT64_MAX, &id))
		return bh_srv_resp_error(resp, 400, "bad_request", "the tracker id is a positive integer");
	snprintf(target, sizeof(target), "%lld", (long long)id);
	rc = bh_apictx_write(ud, req, del_tracker, &id, "tracker.delete", target, NULL, &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "no tracker %lld", (long long)id);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

int bh_tracker_routes(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/trackers", get_trackers, a, .allow = BH_SRV_ALLOW_ADMIN },
		{ "POST", "/api/v1/trackers", post_tracker, a, .allow = BH_SRV_ALLOW_ADMIN, .body = BH_SRV_BODY_JSON,
		  .max_body = 64u << 10 },
		{ "DELETE", "/api/v1/trackers/{id}", delete_tracker, a, .allow = BH_SRV_ALLOW_ADMIN },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}

/* ---- the sync thread ---- */

/* When each tracker was last reconciled (by this server). */
typedef struct reconciled {
	int64_t id, at;
} reconciled;

struct bh_tracker_worker {
	bh_api *api;
	unsigned poll_ms;
	int64_t lease_s;
	int64_t reconcile_s;
	reconciled *rec;
	size_t nrec;
	char worker[300];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile int stop; /* also the requests' cancel flag */
};

/* An issue found by its marker. */
typedef struct found {
	char hash[65];
	int64_t number;
	char state[8];
	char *title, *body;
} found;

/* A tracker as the thread keeps it between store calls. */
typedef struct trk {
	int64_t id, cursor, fails, next_try, last_status;
	const bh_trackerapi *api;                      /* the kind's back-end */
	char *api_url, *repository, *group_by, *token; /* token: opened, wiped when freed */
	json_t *labels;                                /* what a new issue gets: BH_TRACKER_LABEL + the tracker's */
	bh_notify_filter f;
	bool bad;
	bool listed;                                   /* found[] holds the repository's marked issues */
	found *found;
	size_t nfound;
} trk;

typedef struct trks {
	trk *v;
	size_t n, cap;
	unsigned char key[32];
	bool have_key;
} trks;

static void found_clear(trk *t)
{
	size_t i;
	for (i = 0; i < t->nfound; i++) {
		free(t->found[i].title);
		free(t->found[i].body);
	}
	free(t->found);
	t->found = NULL;
	t->nfound = 0;
	t->listed = false;
}

static void trk_free(trk *t)
{
	free(t->api_url);
	free(t->repository);
	free(t->group_by);
	if (t->token) {
		OPENSSL_cleanse(t->token, strlen(t->token));
		free(t->token);
	}
	json_decref(t->labels);
	bh_notify_filter_free(&t->f);
	found_clear(t);
}

static int trks_cb(void *ud, const bh_tracker *r)
{
	trks *ts = ud;
	trk *t;
	char why[256], ad[AD_LEN];
	json_t *fj = NULL, *lj;
	bh_error err;
	size_t i;
	if (!r->enabled)
		return 0;
	if (ts->n == ts->cap) {
		size_t nc = ts->cap ? ts->cap * 2 : 4;
		trk *nv = realloc(ts->v, nc * sizeof(*nv));
		if (!nv)
			return BH_ENOMEM;
		ts->v = nv;
		ts->cap = nc;
	}
	t = &ts->v[ts->n++];
	memset(t, 0, sizeof(*t));
	t->f.kev = -1;
	t->id = r->id;
	t->cursor = r->cursor;
	t->fails = r->fails;
	t->next_try = r->next_try;
	t->last_status = r->last_status;
	t->api_url = strdup(r->api_url);
	t->repository = strdup(r->repository);
	t->group_by = strdup(r->group_by ? r->group_by : "repository");
	t->labels = json_pack("[s]", BH_TRACKER_LABEL);
	if (!t->api_url || !t->repository || !t->group_by || !t->labels)
		return BH_ENOMEM;
	/* a kind this server does not speak (a newer one's row): left alone, like a bad filter */
	if (!(t->api = bh_trackerapi_find(r->kind)))
		t->bad = true;
	if (r->labels_json && (lj = json_loads(r->labels_json, 0, NULL))) {
		json_t *l;
		json_array_foreach(lj, i, l)
			if (json_is_string(l) && strcmp(json_string_value(l), BH_TRACKER_LABEL) != 0)
				json_array_append(t->labels, l);
		json_decref(lj);
	}
	if (r->filter_json && !(fj = json_loads(r->filter_json, 0, NULL)))
		t->bad = true;
	if (!t->bad && bh_notify_filter_parse(fj, &t->f, why, sizeof(why)))
		t->bad = true;
	json_decref(fj);
	if (!t->bad) {
		if (!ts->have_key && bh_regwatch_key_get(ts->key, &err) == 0)
			ts->have_key = true;
		token_ad(ad, sizeof(ad), r->api_url, r->repository);
		if (!r->token || !ts->have_key || bh_regwatch_unseal(ts->key, ad, r->token, &t->token, &err))
			t->bad = true;
	}
	if (t->bad)
		bh_log_warn("tracker %lld: its kind, filter or token cannot be read; it is left alone", (long long)r->id);
	return 0;
}

/* One answer of the tracker's API. */
typedef struct apires {
	long status;
	json_t *json;       /* the parsed body of a 2xx */
	bool more;          /* a list answer with a next page */
	int64_t retry_at;   /* a rate limit's end (Unix time), 0: none said */
	char why[512];
} apires;

static void apires_free(apires *r)
{
	json_decref(r->json);
	r->json = NULL;
}

static bool resp_hdr(void *ud, const char *name, char *out, size_t n) { return bh_http_header(ud, name, out, n); }

static const char *method_name(bh_http_method m)
{
	return m == BH_HTTP_GET ? "GET" : m == BH_HTTP_POST ? "POST" : m == BH_HTTP_PATCH ? "PATCH" : "PUT";
}

/* Makes request rq of the tracker's back-end. 0 on 2xx (r->json filled), else < 0 with r->why. */
static int call(bh_tracker_worker *w, const trk *t, const bh_trackerapi_req *rq, apires *r)
{
	char auth[TOKEN_MAX_LEN + 32];
	const char *headers[5];
	size_t nh;
	bh_buf url = BH_BUF_INIT;
	char *payload = NULL;
	const char *path = rq->path.data ? rq->path.data : "";
	bh_http_request hr;
	bh_http_response rs = BH_HTTP_RESPONSE_INIT;
	bh_error err;
	int rc;
	memset(r, 0, sizeof(*r));
	nh = t->api->headers(t->token, auth, sizeof(auth), headers);
	if (rq->body) {
		headers[nh++] = "Content-Type: application/json";
		if (!(payload = json_dumps(rq->body, JSON_COMPACT))) {
			OPENSSL_cleanse(auth, sizeof(auth));
			snprintf(r->why, sizeof(r->why), "out of memory");
			return BH_ENOMEM;
		}
	}
	headers[nh] = NULL;
	bh_buf_printf(&url, "%s%s", t->api_url, path);
	if (bh_buf_oom(&url)) {
		OPENSSL_cleanse(auth, sizeof(auth));
		free(payload);
		snprintf(r->why, sizeof(r->why), "out of memory");
		return BH_ENOMEM;
	}
	memset(&hr, 0, sizeof(hr));
	hr.method = rq->method;
	hr.url = url.data;
	hr.headers = headers;
	hr.body = payload;
	hr.body_len = payload ? strlen(payload) : 0;
	hr.connect_timeout_ms = 5000;
	hr.timeout_ms = BH_TRACKER_TIMEOUT_MS;
	hr.max_size = 16u << 20;
	hr.cancel = &w->stop;
	rc = bh_http_do(&hr, &rs, &err);
	OPENSSL_cleanse(auth, sizeof(auth));
	free(payload);
	r->status = rs.status;
	if (!rc && w->stop)
		rc = BH_EIO, snprintf(r->why, sizeof(r->why), "stopped");
	else if (rc)
		snprintf(r->why, sizeof(r->why), "%s %.150s: %.300s", method_name(rq->method), path, err.msg);
	r->retry_at = t->api->retry_at(r->status, resp_hdr, &rs, (int64_t)time(NULL));
	if (!rc) {
		json_error_t je;
		if (!(r->json = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, 0, &je))) {
			snprintf(r->why, sizeof(r->why), "%.300s: the answer is not JSON (%.150s)", path, je.text);
			rc = BH_EINVAL;
		}
		r->more = t->api->more(resp_hdr, &rs);
	}
	bh_http_response_free(&rs);
	bh_buf_free(&url);
	return rc;
}

/* Builds a request with the back-end (rc from its builder) and makes it. */
static int call_built(bh_tracker_worker *w, const trk *t, int built, bh_trackerapi_req *rq, apires *r)
{
	int rc;
	if (built) {
		memset(r, 0, sizeof(*r));
		snprintf(r->why, sizeof(r->why), "out of memory");
		bh_trackerapi_req_free(rq);
		return built;
	}
	rc = call(w, t, rq, r);
	bh_trackerapi_req_free(rq);
	return rc;
}

/* ---- one group ---- */

typedef struct grp {
	const char *scope;   /* "repository" or "image" */
	char *subject, *advisory, *key;
	char hash[65];
} grp;

typedef struct grps {
	grp *v;
	size_t n, cap;
	size_t max;          /* 0: GROUPS_MAX */
} grps;

static void grps_free(grps *g)
{
	size_t i;
	for (i = 0; i < g->n; i++) {
		free(g->v[i].subject);
		free(g->v[i].advisory);
		free(g->v[i].key);
	}
	free(g->v);
	g->v = NULL;
	g->n = g->cap = 0;
}

static int grps_add(grps *g, const char *scope, const char *subject, const char *advisory)
{
	char *key = bh_tracker_group_key(scope, subject, advisory);
	size_t i;
	grp *x;
	if (!key)
		return BH_ENOMEM;
	for (i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].key, key)) {
			free(key);
			return 0;
		}
	if (g->n >= (g->max ? g->max : GROUPS_MAX)) {
		free(key);
		return BH_ELIMIT;
	}
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 16;
		grp *nv = realloc(g->v, nc * sizeof(*nv));
		if (!nv) {
			free(key);
			return BH_ENOMEM;
		}
		g->v = nv;
		g->cap = nc;
	}
	x = &g->v[g->n];
	x->scope = !strcmp(scope, "image") ? "image" : "repository";
	x->key = key;
	x->subject = strdup(subject);
	x->advisory = strdup(advisory);
	g->n++;
	if (!x->subject || !x->advisory)
		return BH_ENOMEM;
	bh_tracker_group_hash(key, x->hash);
	return 0;
}

/* Whether repository names r: equal, or r without the registry ("team/app" of "reg/team/app"). */
static bool repo_names(const char *repo, const char *r)
{
	size_t n = strlen(repo), rl = strlen(r);
	return !strcmp(repo, r) || (n > rl && repo[n - rl - 1] == '/' && !strcmp(repo + n - rl, r));
}

static bool repo_wanted(const trk *t, const char *repo)
{
	size_t i;
	if (!t->f.nrepositories)
		return true;
	for (i = 0; i < t->f.nrepositories; i++)
		if (repo_names(repo, t->f.repositories[i]))
			return true;
	return false;
}

typedef struct evgroups {
	const trk *t;
	grps *g;
	const char *advisory;
	int rc;
} evgroups;

/* The groups an image of a finding belongs to. */
static int ev_img_cb(void *ud, const bh_store_image *i)
{
	evgroups *e = ud;
	json_t *tags;
	const json_t *tag;
	size_t k;
	int rc = 0;
	if (!strcmp(e->t->group_by, "image")) {
		bool ok = !e->t->f.nimages;
		for (k = 0; k < e->t->f.nimages; k++)
			ok = ok || !strcmp(i->digest, e->t->f.images[k]);
		return ok ? grps_add(e->g, "image", i->digest, e->advisory) : 0;
	}
	/* an image without a repository tag has no repository issue */
	if (!i->repo_tags_json || !(tags = json_loads(i->repo_tags_json, 0, NULL)))
		return 0;
	json_array_foreach(tags, k, tag) {
		char repo[512];
		if (json_is_string(tag) && bh_registry_repository_of(json_string_value(tag), repo, sizeof(repo)) &&
		    repo_wanted(e->t, repo) && (rc = grps_add(e->g, "repository", repo, e->advisory)) != 0)
			break;
	}
	json_decref(tags);
	return rc;
}

/* A row of bh_store_affected_by, copied. */
typedef struct arow {
	char *digest, *tags, *purl, *version, *fixed, *severity;
	char *name;   /* the finding's package name, NULL until found */
	bool kev;
} arow;

typedef struct arows {
	arow *v;
	size_t n, cap;
} arows;

static void arows_free(arows *a)
{
	size_t i;
	for (i = 0; i < a->n; i++) {
		free(a->v[i].digest);
		free(a->v[i].tags);
		free(a->v[i].purl);
		free(a->v[i].version);
		free(a->v[i].fixed);
		free(a->v[i].severity);
		free(a->v[i].name);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

static int arow_cb(void *ud, const bh_store_affected *r)
{
	arows *a = ud;
	arow *x;
	/* one row per running container: (image, component) once is enough */
	if (a->n && !strcmp(a->v[a->n - 1].digest, r->image_digest) && !strcmp(a->v[a->n - 1].purl, r->purl))
		return 0;
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		arow *nv = realloc(a->v, nc * sizeof(*nv));
		if (!nv)
			return BH_ENOMEM;
		a->v = nv;
		a->cap = nc;
	}
	x = &a->v[a->n++];
	memset(x, 0, sizeof(*x));
	x->digest = dup0(r->image_digest);
	x->tags = dup0(r->repo_tags_json);
	x->purl = dup0(r->purl);
	x->version = dup0(r->version);
	x->fixed = dup0(r->fixed_version);
	x->severity = dup0(r->severity);
	x->kev = r->kev;
	return x->digest && x->purl ? 0 : BH_ENOMEM;
}

static int name_cb(void *ud, const bh_store_finding *f)
{
	arows *a = ud;
	size_t i;
	for (i = 0; i < a->n; i++)
		if (!a->v[i].name && f->package && f->purl && !strcmp(a->v[i].purl, f->purl) && !(a->v[i].name = strdup(f->package)))
			return BH_ENOMEM;
	return 0;
}

/* The package name of a purl, for people: "pkg:golang/github.com/a/b@v1" -> "github.com/a/b". */
static char *purl_name(const char *purl)
{
	const char *p = strchr(purl, '/'), *e;
	bh_buf b = BH_BUF_INIT;
	if (!p)
		return strdup(purl);
	p++;
	e = p + strcspn(p, "@?#");
	for (; p < e; p++) {
		if (*p == '%' && p + 2 < e && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char h[3] = { p[1], p[2], 0 };
			bh_buf_putc(&b, (char)strtol(h, NULL, 16));
			p += 2;
		} else {
			bh_buf_putc(&b, *p);
		}
	}
	if (bh_buf_oom(&b) || !b.data) {
		bh_buf_free(&b);
		return strdup(purl);
	}
	return bh_buf_steal(&b);
}

/* A group's packages, as render wants them; the strings belong to rows and names. */
typedef struct gpkgs {
	bh_tracker_pkg *v;
	const char ***imgs;   /* per package, its image names */
	char **names;
	size_t n;
} gpkgs;

static void gpkgs_free(gpkgs *g)
{
	size_t i;
	for (i = 0; i < g->n; i++) {
		free(g->names[i]);
		free(g->imgs[i]);
	}
	free(g->v);
	free(g->imgs);
	free(g->names);
	memset(g, 0, sizeof(*g));
}

/* The tag naming the image in this group: the first one in the group's repository (or the first). */
static const char *image_name(const grp *g, const json_t *tags, const char *digest)
{
	const json_t *tag;
	size_t k;
	json_array_foreach(tags, k, tag) {
		char repo[512];
		if (json_is_string(tag) && (!strcmp(g->scope, "image") ||
					    (bh_registry_repository_of(json_string_value(tag), repo, sizeof(repo)) && !strcmp(repo, g->subject))))
			return json_string_value(tag);
	}
	return !strcmp(g->scope, "image") ? digest : NULL;
}

static int labels_cb(void *ud, const bh_store_image *i)
{
	*(json_t **)ud = i->labels_json ? bh_apictx_jraw(i->labels_json) : NULL;
	return 0;
}

static int by_purl(const void *a, const void *b)
{
	const bh_tracker_pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->purl, y->purl);
}

/* The group's open findings in its images, after the tracker's filter. tagsj keeps the parsed
 * repo_tags alive (image names point into them). */
static int group_state(bh_store *st, const trk *t, const grp *g, arows *rows, json_t *tagsj, gpkgs *out, bh_error *err)
{
	bh_notify_filter rf = t->f;
	size_t i, j;
	int rc;
	memset(out, 0, sizeof(*out));
	/* the event's type and host chose the group; a row is judged by its severity, KEV and image */
	rf.types = NULL;
	rf.ntypes = 0;
	rf.hosts = NULL;
	rf.nhosts = 0;
	if ((rc = bh_store_affected_by(st, g->advisory, false, arow_cb, rows, err)) != 0)
		return rc;
	if (rows->n) {
		/* the package names as their ecosystems spell them (a purl normalises some: jw.util is jw-util) */
		bh_store_filter ff;
		int64_t after = 0, next = 0;
		memset(&ff, 0, sizeof(ff));
		ff.advisory = g->advisory;
		do {
			rc = bh_store_finding_list(st, &ff, after, BH_STORE_LIMIT_MAX, name_cb, rows, &next, err);
			after = next;
		} while (!rc && next);
		if (rc)
			return rc;
	}
	if (rows->n && (!(out->v = calloc(rows->n, sizeof(*out->v))) || !(out->imgs = calloc(rows->n, sizeof(*out->imgs))) ||
			!(out->names = calloc(rows->n, sizeof(*out->names)))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	for (i = 0; i < rows->n; i++) {
		arow *r = &rows->v[i];
		json_t *tags = r->tags ? json_loads(r->tags, 0, NULL) : NULL, *img, *imgs, *payload;
		const char *name;
		bool ok;
		if (!tags)
			tags = json_array();
		if (!tags || json_array_append_new(tagsj, tags))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		name = !strcmp(g->scope, "image") ? (!strcmp(r->digest, g->subject) ? image_name(g, tags, r->digest) : NULL)
						  : image_name(g, tags, r->digest);
		if (!name)
			continue;
		if (rf.min_severity || rf.kev >= 0 || rf.nrepositories || rf.nimages || rf.labels) {
			json_t *labels = NULL;
			/* labels are not in the affected rows: the image is read for them */
			if (rf.labels && bh_store_image_get(st, r->digest, labels_cb, &labels, err) == 1 && !json_is_object(labels)) {
				json_decref(labels);
				labels = NULL;
			}
			img = json_pack("{s:s, s:O, s:o}", "digest", r->digest, "repo_tags", tags, "labels", labels ? labels : json_object());
			imgs = json_pack("[o]", img);
			payload = json_pack("{s:s?, s:b}", "severity", r->severity, "kev", r->kev);
			ok = imgs && payload && bh_notify_filter_match(&rf, "finding.new", NULL, payload, imgs);
			json_decref(imgs);
			json_decref(payload);
			if (!ok)
				continue;
		}
		for (j = 0; j < out->n && strcmp(out->v[j].purl, r->purl) != 0; j++)
			;
		if (j == out->n) {
			bh_tracker_pkg *p = &out->v[out->n];
			if (!(out->names[out->n] = r->name ? strdup(r->name) : purl_name(r->purl)))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			p->purl = r->purl;
			p->name = out->names[out->n];
			p->version = r->version;
			p->fixed = r->fixed;
			p->severity = r->severity;
			p->kev = r->kev;
			out->n++;
		}
		{
			bh_tracker_pkg *p = &out->v[j];
			const char **ni = realloc(out->imgs[j], (p->nimages + 1) * sizeof(*ni));
			if (!ni)
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			ni[p->nimages++] = name;
			out->imgs[j] = ni;
			p->images = ni;
		}
	}
	if (out->n > 1) {
		/* sorted by name: the same state renders the same body, so nothing is edited for nothing */
		size_t k;
		for (k = 0; k < out->n; k++)
			out->v[k].images = (const char *const *)out->imgs[k];
		qsort(out->v, out->n, sizeof(*out->v), by_purl);
	}
	return 0;
}

/* One issue of a list answer into t->found when its body has a marker. */
static int found_cb(void *ud, const bh_trackerapi_issue *it)
{
	trk *t = ud;
	char hash[65];
	found *f;
	size_t k;
	if (!bh_tracker_marker_find(it->body, hash))
		return 0;
	/* two issues with one marker (made by hand): the oldest is the group's */
	for (k = 0; k < t->nfound; k++)
		if (!strcmp(t->found[k].hash, hash))
			break;
	if (k < t->nfound) {
		f = &t->found[k];
		if (f->number < it->number)
			return 0;
		free(f->title);
		free(f->body);
	} else {
		if (!(f = realloc(t->found, (t->nfound + 1) * sizeof(*f))))
			return BH_ENOMEM;
		t->found = f;
		f = &t->found[t->nfound++];
		memcpy(f->hash, hash, sizeof(hash));
	}
	f->number = it->number;
	snprintf(f->state, sizeof(f->state), "%s", it->state);
	f->title = dup0(it->title);
	f->body = dup0(it->body);
	return (it->title && !f->title) || (it->body && !f->body) ? BH_ENOMEM : 0;
}

/* The repository's issues labelled BH_TRACKER_LABEL, by marker (once per pass of a tracker). */
static int list_marked(bh_tracker_worker *w, trk *t, apires *r)
{
	int page;
	for (page = 1; page <= LIST_PAGES_MAX; page++) {
		bh_trackerapi_req rq;
		char why[128];
		int rc;
		if ((rc = call_built(w, t, t->api->list(t->repository, page, &rq), &rq, r)) != 0)
			return rc;
		if ((rc = bh_trackerapi_parse_list(t->api, r->json, found_cb, t, why, sizeof(why))) != 0) {
			snprintf(r->why, sizeof(r->why), "listing the issues of %.300s: %s", t->repository,
				 rc == BH_ENOMEM ? "out of memory" : why);
			apires_free(r);
			return rc;
		}
		apires_free(r);
		if (!r->more)
			break;
	}
	t->listed = true;
	return 0;
}

static void content_hash(const char *state, const char *title, const char *body, char out[65])
{
	bh_buf b = BH_BUF_INIT;
	bh_buf_printf(&b, "%s\n%s\n%s", state, title, body);
	bh_tracker_group_hash(bh_buf_oom(&b) ? "" : b.data, out);
	bh_buf_free(&b);
}

/* Edits issue number to say title (open only), body and state; from_state is what it says now. */
static int edit_issue(bh_tracker_worker *w, const trk *t, int64_t number, bool open, const char *title, const char *body,
		      const char *from_state, apires *r)
{
	bh_trackerapi_req rq;
	return call_built(w, t, t->api->edit(t->repository, number, open, title, body, from_state, &rq), &rq, r);
}

/* Makes the group's issue say what the store says. 0, or < 0 with r->why (and r->status, r->retry_at). */
static int sync_group(bh_tracker_worker *w, trk *t, const grp *g, apires *r)
{
	bh_store *st;
	bh_error err;
	arows rows;
	gpkgs pk;
	json_t *tagsj = json_array();
	bh_tracker_group tg;
	bh_tracker_issue row;
	char *title = NULL, *body = NULL, content[65], have_state[8] = "", have_content[65] = "";
	const char *state;
	int64_t number = 0;
	bool open;
	size_t i;
	int rc;
	memset(r, 0, sizeof(*r));
	memset(&rows, 0, sizeof(rows));
	if (!tagsj)
		return BH_ENOMEM;
	st = bh_apictx_store(w->api);
	rc = group_state(st, t, g, &rows, tagsj, &pk, &err);
	if (!rc)
		rc = bh_tracker_issue_get(st, t->id, g->hash, &number, have_state, have_content, &err);
	bh_apictx_release(w->api, st);
	if (rc < 0) {
		snprintf(r->why, sizeof(r->why), "reading the group %.150s: %.300s", g->key, err.msg);
		goto out;
	}
	memset(&tg, 0, sizeof(tg));
	tg.scope = g->scope;
	tg.subject = g->subject;
	tg.advisory = g->advisory;
	tg.pkgs = pk.v;
	tg.npkgs = pk.n;
	if ((rc = bh_tracker_render(&tg, g->hash, t->api->md, &title, &body)) != 0) {
		snprintf(r->why, sizeof(r->why), "out of memory");
		goto out;
	}
	open = pk.n > 0;
	state = open ? "open" : "closed";
	content_hash(state, open ? title : "", body, content);
	memset(&row, 0, sizeof(row));
	row.tracker_id = t->id;
	row.group_hash = g->hash;
	row.group_key = g->key;
	row.state = state;
	row.content = content;
	if (number > 0) {
		if (!strcmp(content, have_content)) {
			rc = 0;
			goto out;
		}
		rc = edit_issue(w, t, number, open, title, body, have_state, r);
		if (rc && (r->status == 404 || r->status == 410)) {
			/* deleted or moved on the tracker: forget it, and look for the marker (or open a new one) */
			st = bh_apictx_store(w->api);
			bh_tracker_issue_delete(st, t->id, g->hash, &err);
			bh_apictx_release(w->api, st);
			number = 0;
			apires_free(r);
		} else if (rc) {
			goto out;
		}
	}
	if (number <= 0) {
		found *f = NULL;
		if (!t->listed && (rc = list_marked(w, t, r)) != 0)
			goto out;
		for (i = 0; i < t->nfound && !f; i++)
			if (!strcmp(t->found[i].hash, g->hash))
				f = &t->found[i];
		if (f) {
			/* found by its marker: a lost row, a restart, or another server made it */
			number = f->number;
			if ((open && (!f->title || strcmp(f->title, title) != 0)) || !f->body || strcmp(f->body, body) != 0 ||
			    strcmp(f->state, state) != 0) {
				if ((rc = edit_issue(w, t, number, open, title, body, f->state, r)) != 0)
					goto out;
				snprintf(f->state, sizeof(f->state), "%s", state);
			}
		} else if (open) {
			bh_trackerapi_req rq;
			rc = call_built(w, t, t->api->create(t->repository, title, body, t->labels, &rq), &rq, r);
			if (rc)
				goto out;
			if ((number = bh_trackerapi_number(t->api, r->json, &row.url)) <= 0) {
				snprintf(r->why, sizeof(r->why), "opening an issue in %.300s: the answer has no issue number", t->repository);
				rc = BH_EINVAL;
				goto out;
			}
			bh_log_info("tracker %lld: opened issue #%lld for %s", (long long)t->id, (long long)number, g->key);
		} else {
			rc = 0; /* resolved, and never had an issue */
			goto out;
		}
	}
	if (!row.url && r->json)
		bh_trackerapi_number(t->api, r->json, &row.url);
	row.number = number;
	row.updated = (int64_t)time(NULL);
	st = bh_apictx_store(w->api);
	rc = bh_tracker_issue_put(st, &row, &err);
	bh_apictx_release(w->api, st);
	if (rc)
		snprintf(r->why, sizeof(r->why), "recording issue #%lld: %.400s", (long long)number, err.msg);
out:
	apires_free(r);
	free(title);
	free(body);
	gpkgs_free(&pk);
	arows_free(&rows);
	json_decref(tagsj);
	return rc;
}

/* ---- the thread ---- */

/* The groups of one batch of events. */
static int batch_groups(bh_store *st, const trk *t, const bh_evbatch *l, grps *g, bh_error *err)
{
	bh_notify_filter tf;
	size_t i;
	int rc = 0;
	memset(&tf, 0, sizeof(tf));
	tf.kev = -1;
	tf.types = t->f.types;
	tf.ntypes = t->f.ntypes;
	for (i = 0; i < l->n && !rc; i++) {
		const bh_evbatch_item *e = &l->v[i];
		json_t *p;
		const char *purl, *adv;
		if (strncmp(e->type, "finding.", 8) != 0 || !bh_notify_filter_match(&tf, e->type, NULL, NULL, NULL) || !e->payload ||
		    !(p = json_loads(e->payload, 0, NULL)))
			continue;
		purl = json_string_value(json_object_get(p, "purl"));
		adv = json_string_value(json_object_get(p, "advisory"));
		if (purl && adv) {
			evgroups eg = { t, g, adv, 0 };
			int64_t after = 0, next = 0;
			do {
				rc = bh_store_component_images(st, purl, after, BH_STORE_LIMIT_MAX, ev_img_cb, &eg, &next, err);
				after = next;
			} while (!rc && next);
			if (rc == BH_ENOMEM || rc == BH_ELIMIT)
				bh_error_set(err, rc, rc == BH_ENOMEM ? "out of memory" : "more than %d groups in one batch", GROUPS_MAX);
		}
		json_decref(p);
	}
	return rc;
}

/* Records a pass's outcome on the row: success (fails 0), or a failure and when to try again (the
 * back-off, or a rate limit's end when later). Non-zero after a failure. */
static int record(bh_tracker_worker *w, trk *t, int rc, const apires *r)
{
	bh_store *st;
	bh_error err;
	int64_t now = (int64_t)time(NULL);
	if (rc) {
		t->fails++;
		t->next_try = now + bh_evbatch_backoff_s(t->fails, BH_TRACKER_BACKOFF_MAX_S);
		if (r->retry_at > t->next_try)
			t->next_try = r->retry_at < now + 3600 ? r->retry_at : now + 3600;
	} else {
		t->fails = 0;
		t->next_try = 0;
	}
	if (r->status)
		t->last_status = r->status;
	st = bh_apictx_store(w->api);
	if (bh_tracker_progress(st, t->id, w->worker, t->cursor, t->fails, t->next_try, t->last_status, rc ? r->why : NULL, now,
				&err))
		bh_log_warn("tracker %lld: recording progress: %s", (long long)t->id, err.msg);
	bh_apictx_release(w->api, st);
	if (rc)
		bh_log_warn("tracker %lld: next try in %llds", (long long)t->id, (long long)(t->next_try - now));
	return rc;
}

/* Works through one tracker's events from its cursor until they are done, a request fails, or stop. */
static int run_tracker(bh_tracker_worker *w, trk *t)
{
	bh_evbatch *l = calloc(1, sizeof(*l));
	bh_store *st;
	bh_error err;
	int64_t next = 0;
	int rc = BH_ENOMEM;
	if (!l)
		return rc;
	found_clear(t);
	while (!w->stop) {
		grps g;
		apires r;
		size_t i;
		int64_t now = (int64_t)time(NULL), upto;
		memset(&g, 0, sizeof(g));
		memset(&r, 0, sizeof(r));
		st = bh_apictx_store(w->api);
		rc = bh_tracker_claim(st, t->id, w->worker, w->lease_s, now, &err);
		if (rc == 1)
			rc = bh_evbatch_read(st, l, t->cursor, &next, &err);
		else if (rc == 0)
			rc = 1; /* another server works it */
		if (!rc && l->n)
			rc = batch_groups(st, t, l, &g, &err);
		bh_apictx_release(w->api, st);
		if (rc) {
			if (rc < 0)
				bh_log_warn("tracker %lld: %s", (long long)t->id, err.msg);
			bh_evbatch_clear(l);
			grps_free(&g);
			break;
		}
		if (!l->n) {
			rc = 0;
			break;
		}
		upto = l->v[l->n - 1].seq;
		bh_evbatch_clear(l);
		for (i = 0; i < g.n && !w->stop && !rc; i++)
			if ((rc = sync_group(w, t, &g.v[i], &r)) != 0)
				bh_log_warn("tracker %lld: %s: %s", (long long)t->id, g.v[i].key, r.why);
		grps_free(&g);
		if (w->stop && rc)
			break; /* cut by the stop: not the tracker's failure */
		if (!rc)
			t->cursor = upto;
		if (record(w, t, rc, &r))
			break;
		if (!next)
			break;
	}
	if (w->stop)
		rc = 1;
	free(l);
	return rc;
}

/* (purl, advisory) of the open findings, one page. */
typedef struct pairs {
	char **purl, **adv;
	size_t n, cap;
} pairs;

static void pairs_free(pairs *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->purl[i]);
		free(p->adv[i]);
	}
	free(p->purl);
	free(p->adv);
	memset(p, 0, sizeof(*p));
}

static int pair_add(pairs *p, const char *purl, const char *adv)
{
	if (!purl || !adv)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 256;
		char **a = realloc(p->purl, nc * sizeof(*a)), **b;
		if (!a)
			return BH_ENOMEM;
		p->purl = a;
		if (!(b = realloc(p->adv, nc * sizeof(*b))))
			return BH_ENOMEM;
		p->adv = b;
		p->cap = nc;
	}
	p->purl[p->n] = strdup(purl);
	p->adv[p->n] = strdup(adv);
	p->n++;
	return p->purl[p->n - 1] && p->adv[p->n - 1] ? 0 : BH_ENOMEM;
}

static int pair_cb(void *ud, const bh_store_finding *f) { return pair_add(ud, f->purl, f->advisory); }

/* A row's group key back into a group: "SCOPE:SUBJECT advisory:ADVISORY" (subjects hold no space). */
static int key_cb(void *ud, const bh_tracker_issue *i)
{
	const char *k = i->group_key, *c = k ? strchr(k, ':') : NULL, *a = k ? strstr(k, " advisory:") : NULL;
	char scope[16], *subject;
	int rc;
	if (!c || !a || a < c || (size_t)(c - k) >= sizeof(scope))
		return 0;
	memcpy(scope, k, (size_t)(c - k));
	scope[c - k] = '\0';
	if (!(subject = strndup(c + 1, (size_t)(a - c - 1))))
		return BH_ENOMEM;
	rc = grps_add(ud, scope, subject, a + 10);
	free(subject);
	return rc;
}

static int sync_all(bh_tracker_worker *w, trk *t, grps *g, apires *r)
{
	size_t i;
	int rc = 0;
	for (i = 0; i < g->n && !w->stop && !rc; i++)
		if ((rc = sync_group(w, t, &g->v[i], r)) != 0)
			bh_log_warn("tracker %lld: %s: %s", (long long)t->id, g->v[i].key, r->why);
	grps_free(g);
	return w->stop && !rc ? 1 : rc;
}

#define RECONCILE_FLUSH 500 /* groups synced at a time while reconciling */

/*
 * Every group again, from the store rather than from events: what events do not say (findings made
 * when an image was uploaded, an image added to a repository whose finding did not change) and what
 * a lost row left behind. The groups of every open finding, then those of every issue still open.
 * Unchanged groups cost no request (their content hash is the stored one).
 */
static int reconcile(bh_tracker_worker *w, trk *t)
{
	bh_notify_filter tf;
	bh_store *st;
	bh_error err;
	apires r;
	grps g;
	int64_t after = 0, next = 0;
	int rc;
	memset(&tf, 0, sizeof(tf));
	tf.kev = -1;
	tf.types = t->f.types;
	tf.ntypes = t->f.ntypes;
	memset(&r, 0, sizeof(r));
	memset(&g, 0, sizeof(g));
	g.max = (size_t)RECONCILE_FLUSH * 100;
	/* a tracker whose filter takes no new findings has nothing to open */
	if (!bh_notify_filter_match(&tf, "finding.new", NULL, NULL, NULL))
		return 0;
	st = bh_apictx_store(w->api);
	rc = bh_tracker_claim(st, t->id, w->worker, w->lease_s, (int64_t)time(NULL), &err);
	bh_apictx_release(w->api, st);
	if (rc != 1)
		return 1;
	found_clear(t);
	do {
		pairs p;
		bh_store_filter ff;
		size_t i;
		memset(&p, 0, sizeof(p));
		memset(&ff, 0, sizeof(ff));
		st = bh_apictx_store(w->api);
		rc = bh_store_finding_list(st, &ff, after, BH_STORE_LIMIT_MAX, pair_cb, &p, &next, &err);
		for (i = 0; !rc && i < p.n; i++) {
			evgroups eg = { t, &g, p.adv[i], 0 };
			int64_t ia = 0, in = 0;
			do {
				rc = bh_store_component_images(st, p.purl[i], ia, BH_STORE_LIMIT_MAX, ev_img_cb, &eg, &in, &err);
				ia = in;
			} while (!rc && in);
			if (!rc && g.n >= RECONCILE_FLUSH) {
				bh_apictx_release(w->api, st);
				rc = sync_all(w, t, &g, &r);
				st = bh_apictx_store(w->api);
			}
		}
		bh_apictx_release(w->api, st);
		pairs_free(&p);
		after = next;
	} while (!rc && next);
	if (!rc) {
		st = bh_apictx_store(w->api);
		rc = bh_tracker_issue_list(st, t->id, true, key_cb, &g, &err);
		bh_apictx_release(w->api, st);
	}
	if (rc < 0 && !r.why[0])
		snprintf(r.why, sizeof(r.why), "reconciling: %.400s", rc == BH_ENOMEM ? "out of memory" : err.msg);
	if (!rc)
		rc = sync_all(w, t, &g, &r);
	grps_free(&g);
	if (w->stop)
		return 1;
	return record(w, t, rc, &r);
}

/* Whether tracker id is due a reconcile by this server (and notes that it is being done). */
static bool reconcile_due(bh_tracker_worker *w, int64_t id, int64_t now, bool done)
{
	size_t i;
	for (i = 0; i < w->nrec && w->rec[i].id != id; i++)
		;
	if (i == w->nrec) {
		reconciled *nv = realloc(w->rec, (w->nrec + 1) * sizeof(*nv));
		if (!nv)
			return false;
		w->rec = nv;
		w->rec[w->nrec].id = id;
		w->rec[w->nrec].at = 0; /* never: the first pass after a start reconciles */
		w->nrec++;
	}
	if (done) {
		w->rec[i].at = now;
		return false;
	}
	return !w->rec[i].at || now - w->rec[i].at >= w->reconcile_s;
}

static void *tracker_main(void *arg)
{
	bh_tracker_worker *w = arg;
	while (!w->stop) {
		trks ts;
		bh_store *st;
		bh_error err;
		int64_t now = (int64_t)time(NULL);
		size_t i;
		int rc;
		memset(&ts, 0, sizeof(ts));
		st = bh_apictx_store(w->api);
		rc = bh_tracker_list(st, 0, trks_cb, &ts, &err);
		bh_apictx_release(w->api, st);
		if (rc)
			bh_log_warn("tracker: listing trackers: %s", rc == BH_ENOMEM ? "out of memory" : err.msg);
		for (i = 0; !rc && i < ts.n && !w->stop; i++) {
			trk *t = &ts.v[i];
			if (t->bad || (t->fails && t->next_try > now) || run_tracker(w, t) != 0)
				continue;
			/* in step with the events: now and then, with everything else */
			if (reconcile_due(w, t->id, now, false) && reconcile(w, t) == 0)
				reconcile_due(w, t->id, (int64_t)time(NULL), true);
		}
		for (i = 0; i < ts.n; i++)
			trk_free(&ts.v[i]);
		free(ts.v);
		OPENSSL_cleanse(ts.key, sizeof(ts.key));
		bh_apictx_pause(&w->cv, &w->mu, &w->stop, NULL, w->poll_ms);
	}
	{
		/* stopping: the leases go, so a restarted server (another pid) need not wait them out */
		bh_store *st = bh_apictx_store(w->api);
		bh_error err;
		if (bh_tracker_release(st, w->worker, &err))
			bh_log_warn("tracker: giving up the leases: %s", err.msg);
		bh_apictx_release(w->api, st);
	}
	return NULL;
}

int bh_tracker_start(const bh_tracker_worker_config *cfg, bh_tracker_worker **out, bh_error *err)
{
	bh_tracker_worker *w;
	*out = NULL;
	if (!cfg || !cfg->api)
		return bh_error_set(err, BH_EUSAGE, "tracker: no API");
	if (!(w = calloc(1, sizeof(*w))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	w->api = cfg->api;
	w->poll_ms = cfg->poll_ms ? cfg->poll_ms : 500;
	w->lease_s = cfg->lease_s > 0 ? cfg->lease_s : 60;
	w->reconcile_s = cfg->reconcile_s > 0 ? cfg->reconcile_s : BH_TRACKER_RECONCILE_S;
	bh_apictx_worker_name(w->worker, sizeof(w->worker));
	if (bh_apictx_thread_start(&w->th, &w->mu, &w->cv, tracker_main, w)) {
		free(w);
		return bh_error_set(err, BH_EIO, "tracker: cannot start the sync thread");
	}
	*out = w;
	return 0;
}

void bh_tracker_stop(bh_tracker_worker *w)
{
	if (!w)
		return;
	bh_apictx_thread_stop(w->th, &w->mu, &w->cv, &w->stop);
	free(w->rec);
	free(w);
}
