/* notify.c - webhooks of `bulkhead serve`: routes, filters, signed JSON and Slack payloads, and the delivery thread. */
#include "server/notify.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/product.h"
#include "net/http.h"
#include "server/apictx.h"
#include "server/blapi.h"
#include "server/evbatch.h"
#include "server/exceptapi.h"
#include "server/regwatch.h"
#include "store/sql.h"
#include "store/webhook.h"

#define NAME_MAX_LEN 128
#define URL_MAX_LEN 2048
#define SECRET_MAX_LEN 256
#define IMAGES_MAX 20        /* images attached to one event */
#define BODY_MAX (256u << 10)

/* ---- filters ---- */

int bh_notify_severity_rank(const char *s)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };
	size_t i;
	if (!s)
		return 0;
	for (i = 0; i < 4; i++)
		if (!strcasecmp(s, names[i]))
			return (int)i + 1;
	return !strcasecmp(s, "moderate") ? 2 : !strcasecmp(s, "important") ? 3 : 0;
}

static void strv_free(char **v, size_t n)
{
	size_t i;
	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* A list of 1..BH_NOTIFY_FILTER_MAX printable strings of at most 512 bytes. */
static int strv_parse(const json_t *j, const char *name, char ***out, size_t *n, char *why, size_t whylen)
{
	size_t i, cnt;
	const json_t *v;
	*out = NULL;
	*n = 0;
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_array(j) || (cnt = json_array_size(j)) == 0 || cnt > BH_NOTIFY_FILTER_MAX) {
		snprintf(why, whylen, "filter.%s is a list of 1 to %d strings", name, BH_NOTIFY_FILTER_MAX);
		return BH_EINVAL;
	}
	if (!(*out = calloc(cnt, sizeof(char *))))
		return BH_ENOMEM;
	json_array_foreach(j, i, v) {
		const char *s = json_string_value(v);
		if (!s || !*s || strlen(s) > 512 || !bh_apictx_printable(s)) {
			snprintf(why, whylen, "filter.%s[%zu] is not a printable string of 1 to 512 bytes", name, i);
			return BH_EINVAL;
		}
		if (!((*out)[i] = strdup(s)))
			return BH_ENOMEM;
		*n = i + 1;
	}
	return 0;
}

void bh_notify_filter_free(bh_notify_filter *f)
{
	if (!f)
		return;
	strv_free(f->types, f->ntypes);
	strv_free(f->repositories, f->nrepositories);
	strv_free(f->images, f->nimages);
	strv_free(f->hosts, f->nhosts);
	json_decref(f->labels);
	memset(f, 0, sizeof(*f));
	f->kev = -1;
}

int bh_notify_filter_parse(const json_t *j, bh_notify_filter *f, char *why, size_t whylen)
{
	static const char *const known[] = { "types", "min_severity", "kev", "repositories", "images", "hosts", "labels", NULL };
	const char *k;
	const json_t *v;
	int rc;
	memset(f, 0, sizeof(*f));
	f->kev = -1;
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j)) {
		snprintf(why, whylen, "filter is an object");
		return BH_EINVAL;
	}
	/* an unknown key is refused: a misspelt filter would otherwise send everything */
	json_object_foreach((json_t *)j, k, v) {
		size_t i;
		for (i = 0; known[i] && strcmp(known[i], k) != 0; i++)
			;
		if (!known[i]) {
			snprintf(why, whylen, "filter.%.64s is not a filter (types, min_severity, kev, repositories, images, hosts, labels)", k);
			return BH_EINVAL;
		}
	}
	if ((rc = strv_parse(json_object_get(j, "types"), "types", &f->types, &f->ntypes, why, whylen)) ||
	    (rc = strv_parse(json_object_get(j, "repositories"), "repositories", &f->repositories, &f->nrepositories, why,
			     whylen)) ||
	    (rc = strv_parse(json_object_get(j, "images"), "images", &f->images, &f->nimages, why, whylen)) ||
	    (rc = strv_parse(json_object_get(j, "hosts"), "hosts", &f->hosts, &f->nhosts, why, whylen)))
		return rc;
	if ((v = json_object_get(j, "min_severity")) && !json_is_null(v)) {
		if (!json_is_string(v) || !(f->min_severity = bh_notify_severity_rank(json_string_value(v)))) {
			snprintf(why, whylen, "filter.min_severity is one of low, medium, high, critical");
			return BH_EINVAL;
		}
	}
	if ((v = json_object_get(j, "kev")) && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			snprintf(why, whylen, "filter.kev is true or false");
			return BH_EINVAL;
		}
		f->kev = json_is_true(v);
	}
	if ((v = json_object_get(j, "labels")) && !json_is_null(v)) {
		const json_t *lv;
		if (!json_is_object(v) || json_object_size(v) == 0 || json_object_size(v) > BH_NOTIFY_FILTER_MAX) {
			snprintf(why, whylen, "filter.labels is an object of 1 to %d label: value pairs", BH_NOTIFY_FILTER_MAX);
			return BH_EINVAL;
		}
		json_object_foreach((json_t *)v, k, lv) {
			if (!json_is_string(lv) || strlen(k) > 512 || json_string_length(lv) > 512) {
				snprintf(why, whylen, "filter.labels values are strings of at most 512 bytes");
				return BH_EINVAL;
			}
		}
		f->labels = json_deep_copy(v);
		if (!f->labels)
			return BH_ENOMEM;
	}
	return 0;
}

static bool type_match(const bh_notify_filter *f, const char *type)
{
	size_t i;
	if (!f->ntypes)
		return true;
	for (i = 0; i < f->ntypes; i++) {
		size_t l = strlen(f->types[i]);
		if (l && f->types[i][l - 1] == '*' ? !strncmp(type, f->types[i], l - 1) : !strcmp(type, f->types[i]))
			return true;
	}
	return false;
}

/* "reg.example:5000/team/app:1.2" or ".../app@sha256:..." names repository R when the name part is
 * R or ends in "/R". */
static bool repo_tag_names(const char *tag, const char *r)
{
	const char *at = strchr(tag, '@'), *slash, *colon;
	size_t n = at ? (size_t)(at - tag) : strlen(tag), rl = strlen(r);
	slash = memrchr(tag, '/', n);
	colon = memrchr(slash ? slash : tag, ':', n - (size_t)((slash ? slash : tag) - tag));
	if (colon)
		n = (size_t)(colon - tag);
	if (n == rl && !memcmp(tag, r, rl))
		return true;
	return n > rl && tag[n - rl - 1] == '/' && !memcmp(tag + n - rl, r, rl);
}

static bool image_match(const bh_notify_filter *f, const json_t *img)
{
	const char *digest = json_string_value(json_object_get(img, "digest"));
	const json_t *tags = json_object_get(img, "repo_tags"), *t, *labels = json_object_get(img, "labels"), *lv;
	const char *k;
	size_t i, j;
	bool ok;
	if (f->nimages) {
		for (ok = false, i = 0; !ok && i < f->nimages; i++)
			ok = digest && !strcmp(digest, f->images[i]);
		if (!ok)
			return false;
	}
	if (f->nrepositories) {
		for (ok = false, i = 0; !ok && i < f->nrepositories; i++)
			json_array_foreach(tags, j, t)
				if (json_is_string(t) && repo_tag_names(json_string_value(t), f->repositories[i]))
					ok = true;
		if (!ok)
			return false;
	}
	if (f->labels) {
		json_object_foreach(f->labels, k, lv) {
			const char *have = json_string_value(json_object_get(labels, k));
			if (!have || strcmp(have, json_string_value(lv)) != 0)
				return false;
		}
	}
	return true;
}

bool bh_notify_filter_match(const bh_notify_filter *f, const char *type, const char *host, const json_t *payload,
			    const json_t *images)
{
	size_t i;
	const json_t *img;
	bool ok;
	if (!type_match(f, type))
		return false;
	if (f->nhosts) {
		for (ok = false, i = 0; !ok && i < f->nhosts; i++)
			ok = host && !strcmp(host, f->hosts[i]);
		if (!ok)
			return false;
	}
	if (f->min_severity && bh_notify_severity_rank(json_string_value(json_object_get(payload, "severity"))) < f->min_severity)
		return false;
	if (f->kev >= 0) {
		const json_t *k = json_object_get(payload, "kev");
		if (!json_is_boolean(k) || json_is_true(k) != (f->kev == 1))
			return false;
	}
	if (f->nimages || f->nrepositories || f->labels) {
		json_array_foreach(images, i, img)
			if (image_match(f, img))
				return true;
		return false;
	}
	return true;
}

/* ---- payloads ---- */

int bh_notify_sign(const char *key, const char *body, size_t len, char out[72])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0, i;
	if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body, len, mac, &ml) || ml != 32)
		return BH_EIO;
	snprintf(out, 8, "sha256=");
	for (i = 0; i < ml; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

/* Slack's mrkdwn needs &, < and > escaped; control characters are dropped. */
static void slack_put(bh_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			bh_buf_puts(b, "&amp;");
		else if (*s == '<')
			bh_buf_puts(b, "&lt;");
		else if (*s == '>')
			bh_buf_puts(b, "&gt;");
		else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			bh_buf_putc(b, *s);
	}
}

char *bh_notify_slack_text(const char *type, const char *host, const json_t *payload, const json_t *images)
{
	bh_buf b = BH_BUF_INIT;
	const char *adv = json_string_value(json_object_get(payload, "advisory"));
	const char *pkg = json_string_value(json_object_get(payload, "package"));
	const char *ver = json_string_value(json_object_get(payload, "version"));
	const char *sev = json_string_value(json_object_get(payload, "severity"));
	const char *fix = json_string_value(json_object_get(payload, "fixed_version"));
	const char *rule = json_string_value(json_object_get(payload, "rule"));
	const char *out = json_string_value(json_object_get(payload, "output"));
	size_t i, n = json_array_size(images);
	char *s;
	bh_buf_puts(&b, "[bulkhead] *");
	slack_put(&b, type);
	bh_buf_puts(&b, "*");
	if (adv) {
		bh_buf_puts(&b, " ");
		slack_put(&b, adv);
	}
	if (sev) {
		bh_buf_puts(&b, " (");
		slack_put(&b, sev);
		if (json_is_true(json_object_get(payload, "kev")))
			bh_buf_puts(&b, ", known exploited");
		bh_buf_puts(&b, ")");
	}
	if (pkg) {
		bh_buf_puts(&b, " in ");
		slack_put(&b, pkg);
		if (ver) {
			bh_buf_puts(&b, " ");
			slack_put(&b, ver);
		}
	}
	if (fix) {
		bh_buf_puts(&b, ", fixed in ");
		slack_put(&b, fix);
	}
	if (rule) {
		bh_buf_puts(&b, " rule ");
		slack_put(&b, rule);
	}
	if (out) {
		bh_buf_puts(&b, ": ");
		slack_put(&b, out);
	}
	if (host) {
		bh_buf_puts(&b, " on ");
		slack_put(&b, host);
	}
	for (i = 0; i < n && i < 5; i++) {
		const json_t *img = json_array_get(images, i);
		const char *tag = json_string_value(json_array_get(json_object_get(img, "repo_tags"), 0));
		bh_buf_puts(&b, i ? ", " : " - images: ");
		slack_put(&b, tag ? tag : json_string_value(json_object_get(img, "digest")));
	}
	if (n > 5)
		bh_buf_printf(&b, " (+%zu more)", n - 5);
	if (bh_buf_oom(&b) || !(s = bh_buf_steal(&b))) {
		bh_buf_free(&b);
		return NULL;
	}
	return s;
}

/* ---- routes ---- */

static bool url_ok(const char *u)
{
	size_t l = strlen(u);
	return l <= URL_MAX_LEN && bh_apictx_printable(u) && !strchr(u, ' ') &&
	       ((!strncmp(u, "http://", 7) && l > 7) || (!strncmp(u, "https://", 8) && l > 8));
}

static json_t *hook_json(const bh_webhook *w)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(w->id));
	json_object_set_new(o, "name", bh_apictx_jstr(w->name));
	json_object_set_new(o, "url", bh_apictx_jstr(w->url));
	json_object_set_new(o, "format", bh_apictx_jstr(w->format));
	json_object_set_new(o, "filter", w->filter_json ? bh_apictx_jraw(w->filter_json) : json_null());
	json_object_set_new(o, "signed", json_boolean(w->secret != NULL));
	json_object_set_new(o, "enabled", json_boolean(w->enabled));
	json_object_set_new(o, "cursor", json_integer(w->cursor));
	json_object_set_new(o, "failures", json_integer(w->fails));
	json_object_set_new(o, "next_try", bh_apictx_jtime(w->fails ? w->next_try : 0));
	json_object_set_new(o, "last_status", w->last_status ? json_integer(w->last_status) : json_null());
	json_object_set_new(o, "last_error", bh_apictx_jstr(w->last_error));
	json_object_set_new(o, "last_ok", bh_apictx_jtime(w->last_ok));
	json_object_set_new(o, "created", bh_apictx_jtime(w->created));
	return o;
}

static int list_cb(void *ud, const bh_webhook *w)
{
	json_t *o = hook_json(w);
	return o && !json_array_append_new(ud, o) ? 0 : BH_ENOMEM;
}

static int get_webhooks(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	json_t *items = json_array();
	bh_store *st;
	bh_error err;
	int rc;
	(void)req;
	if (!items)
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_webhook_list(st, 0, list_cb, items, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, items, 0);
}

struct hook_add {
	const bh_webhook *w;
	int64_t id;
};

static int add_hook(bh_store *st, void *ud, bh_error *err)
{
	struct hook_add *x = ud;
	return bh_webhook_add(st, x->w, (int64_t)time(NULL), &x->id, err);
}

static int post_webhook(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	json_t *b = bh_srv_json(req), *v, *o;
	const char *url, *name = NULL, *format = "json", *secret = NULL, *from = "now";
	char why[256], gen[65], *sealed = NULL, *filter = NULL, ad[URL_MAX_LEN + 16];
	unsigned char key[32], rnd[32];
	bh_notify_filter f;
	bh_webhook w;
	struct hook_add add = { NULL, 0 };
	bh_error err;
	int64_t id = 0;
	bool made = false;
	size_t i;
	int rc;

	if (!json_is_object(b))
		return bh_srv_resp_error(resp, 400, "bad_request", "the body is a JSON object {url, name, format, secret, filter, from}");
	url = json_string_value(json_object_get(b, "url"));
	if (!url || !url_ok(url))
		return bh_srv_resp_error(resp, 400, "bad_request", "url is an http:// or https:// URL of at most %d printable bytes", URL_MAX_LEN);
	if ((v = json_object_get(b, "name")) && !json_is_null(v) &&
	    (!(name = json_string_value(v)) || strlen(name) > NAME_MAX_LEN || !bh_apictx_printable(name)))
		return bh_srv_resp_error(resp, 400, "bad_request", "name is a printable string of at most %d bytes", NAME_MAX_LEN);
	if ((v = json_object_get(b, "format")) && !json_is_null(v)) {
		format = json_string_value(v);
		if (!format || (strcmp(format, "json") != 0 && strcmp(format, "slack") != 0))
			return bh_srv_resp_error(resp, 400, "bad_request", "format is json or slack");
	}
	if ((v = json_object_get(b, "secret")) && !json_is_null(v)) {
		secret = json_string_value(v);
		if (!secret || strlen(secret) < 16 || strlen(secret) > SECRET_MAX_LEN)
			return bh_srv_resp_error(resp, 400, "bad_request", "secret is a string of 16 to %d bytes", SECRET_MAX_LEN);
	}
	if ((v = json_object_get(b, "from")) && !json_is_null(v)) {
		from = json_string_value(v);
		if (!from || (strcmp(from, "now") != 0 && strcmp(from, "start") != 0))
			return bh_srv_resp_error(resp, 400, "bad_request", "from is now (events from now on) or start (every stored event)");
	}
	rc = bh_notify_filter_parse(json_object_get(b, "filter"), &f, why, sizeof(why));
	bh_notify_filter_free(&f);
	if (rc == BH_ENOMEM)
		return rc;
	if (rc)
		return bh_srv_resp_error(resp, 400, "bad_filter", "%s", why);
	if ((v = json_object_get(b, "filter")) && !json_is_null(v) && !(filter = json_dumps(v, JSON_COMPACT)))
		return BH_ENOMEM;
	if (!secret && strcmp(format, "slack") != 0) {
		/* signed by default: a receiver can only trust what it can check */
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			free(filter);
			return bh_srv_resp_error(resp, 500, "internal", "no random bytes for the webhook secret");
		}
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(gen + 2 * i, 3, "%02x", rnd[i]);
		secret = gen;
		made = true;
	}
	if (secret) {
		snprintf(ad, sizeof(ad), "webhook:%s", url);
		if ((rc = bh_regwatch_key_get(key, &err)) == 0)
			rc = bh_regwatch_seal(key, ad, secret, &sealed, &err);
		OPENSSL_cleanse(key, sizeof(key));
		if (rc) {
			free(filter);
			bh_log_error("notify: sealing the secret of a webhook: %s", err.msg);
			return rc == BH_ENOMEM ? rc : bh_srv_resp_error(resp, 500, "internal", "the secret could not be sealed (see the server log)");
		}
	}
	memset(&w, 0, sizeof(w));
	w.name = name;
	w.url = url;
	w.format = format;
	w.secret = sealed;
	w.filter_json = filter;
	w.enabled = true;
	w.cursor = !strcmp(from, "start") ? 0 : -1;
	add.w = &w;
	rc = bh_apictx_write(a, req, add_hook, &add, "webhook.add", url, format, &err);
	id = add.id;
	free(sealed);
	free(filter);
	if (rc) {
		OPENSSL_cleanse(gen, sizeof(gen));
		return bh_apictx_store_failed(resp, rc, &err);
	}
	o = json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)id, "url", url, "format", format, "signed", secret != NULL);
	/* a secret the server made is shown once, here; stored sealed, never returned again */
	if (o && made)
		json_object_set_new(o, "secret", json_string(gen));
	OPENSSL_cleanse(gen, sizeof(gen));
	return bh_srv_resp_json(resp, 201, o);
}

static int id_param(bh_srv_req *req, bh_srv_resp *resp, int64_t *id)
{
	if (bh_srv_parse_int(bh_srv_param(req, "id"), 1, INT64_MAX, id))
		return bh_srv_resp_error(resp, 400, "bad_request", "the webhook id is a positive integer"), 1;
	return 0;
}

static int del_hook(bh_store *st, void *ud, bh_error *err)
{
	return bh_webhook_delete(st, *(int64_t *)ud, err);
}

static int delete_webhook(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_error err;
	int64_t id;
	char target[32];
	int rc;
	if (id_param(req, resp, &id))
		return 0;
	snprintf(target, sizeof(target), "%lld", (long long)id);
	rc = bh_apictx_write(ud, req, del_hook, &id, "webhook.delete", target, NULL, &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "no webhook %lld", (long long)id);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

static int delivery_cb(void *ud, const bh_webhook_delivery *d)
{
	json_t *o = json_pack("{s:I, s:I, s:s?, s:s?, s:I, s:o, s:o, s:o, s:I}", "id", (json_int_t)d->id, "event_seq",
			      (json_int_t)d->event_seq, "delivery", d->delivery, "event_type", d->event_type, "attempt",
			      (json_int_t)d->attempt, "status", d->status ? json_integer(d->status) : json_null(), "error",
			      bh_apictx_jstr(d->error), "time", bh_apictx_jtime(d->time), "ms", (json_int_t)d->ms);
	if (o)
		json_object_set_new(o, "delivered", json_boolean(!d->error));
	return o && !json_array_append_new(ud, o) ? 0 : BH_ENOMEM;
}

static int exists_cb(void *ud, const bh_webhook *w)
{
	(void)w;
	*(bool *)ud = true;
	return 0;
}

static int get_deliveries(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	json_t *items;
	bh_store *st;
	bh_error err;
	int64_t id, before, limit, next = 0;
	bool found = false;
	int rc;
	if (id_param(req, resp, &id))
		return 0;
	if (bh_srv_query_int(req, resp, "before", 0, INT64_MAX, 0, &before) ||
	    bh_srv_query_int(req, resp, "limit", 1, BH_STORE_LIMIT_MAX, BH_APICTX_LIMIT_DEFAULT, &limit))
		return 0;
	if (!(items = json_array()))
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_webhook_list(st, id, exists_cb, &found, &err);
	if (!rc)
		rc = bh_webhook_delivery_list(st, id, before, (size_t)limit, delivery_cb, items, &next, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		if (rc == BH_ENOTFOUND)
			return bh_srv_resp_error(resp, 404, "not_found", "no webhook %lld", (long long)id);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, items, next);
}

int bh_notify_routes(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/webhooks", get_webhooks, a, .allow = BH_SRV_ALLOW_ADMIN },
		{ "POST", "/api/v1/webhooks", post_webhook, a, .allow = BH_SRV_ALLOW_ADMIN, .body = BH_SRV_BODY_JSON,
		  .max_body = 64u << 10 },
		{ "DELETE", "/api/v1/webhooks/{id}", delete_webhook, a, .allow = BH_SRV_ALLOW_ADMIN },
		{ "GET", "/api/v1/webhooks/{id}/deliveries", get_deliveries, a, .allow = BH_SRV_ALLOW_ADMIN },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}

/* ---- the delivery thread ---- */

struct bh_notify {
	bh_api *api;
	unsigned poll_ms;
	int64_t lease_s;
	char worker[300];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile int stop; /* also the transfers' cancel flag */
};

/* A webhook as the thread keeps it between store calls. */
typedef struct hook {
	int64_t id, cursor, fails, next_try;
	char *url, *format, *secret; /* secret: opened, wiped when freed */
	bh_notify_filter f;
	bool bad;                    /* its filter or secret cannot be used: logged once per look */
} hook;

typedef struct hooks {
	hook *v;
	size_t n, cap;
	unsigned char key[32];
	bool have_key;
} hooks;

static void hook_free(hook *h)
{
	free(h->url);
	free(h->format);
	if (h->secret) {
		OPENSSL_cleanse(h->secret, strlen(h->secret));
		free(h->secret);
	}
	bh_notify_filter_free(&h->f);
}

static int hooks_cb(void *ud, const bh_webhook *w)
{
	hooks *hs = ud;
	hook *h;
	char why[256], ad[URL_MAX_LEN + 16];
	json_t *fj = NULL;
	bh_error err;
	if (!w->enabled)
		return 0;
	if (hs->n == hs->cap) {
		size_t nc = hs->cap ? hs->cap * 2 : 8;
		hook *nv = realloc(hs->v, nc * sizeof(*nv));
		if (!nv)
			return BH_ENOMEM;
		hs->v = nv;
		hs->cap = nc;
	}
	h = &hs->v[hs->n];
	memset(h, 0, sizeof(*h));
	h->id = w->id;
	h->cursor = w->cursor;
	h->fails = w->fails;
	h->next_try = w->next_try;
	h->url = strdup(w->url);
	h->format = strdup(w->format ? w->format : "json");
	hs->n++;
	if (!h->url || !h->format)
		return BH_ENOMEM;
	if (w->filter_json && !(fj = json_loads(w->filter_json, 0, NULL)))
		h->bad = true;
	if (!h->bad && bh_notify_filter_parse(fj, &h->f, why, sizeof(why)))
		h->bad = true;
	json_decref(fj);
	if (!h->bad && w->secret) {
		if (!hs->have_key && bh_regwatch_key_get(hs->key, &err) == 0)
			hs->have_key = true;
		snprintf(ad, sizeof(ad), "webhook:%s", w->url);
		if (!hs->have_key || bh_regwatch_unseal(hs->key, ad, w->secret, &h->secret, &err))
			h->bad = true;
	}
	if (h->bad)
		bh_log_warn("notify: webhook %lld: its filter or secret cannot be read; nothing is sent to it", (long long)w->id);
	return 0;
}

static int img_cb(void *ud, const bh_store_image *i)
{
	json_t *arr = ud, *o;
	if (json_array_size(arr) >= IMAGES_MAX)
		return 1;
	o = json_pack("{s:s, s:o, s:o, s:s?}", "digest", i->digest, "repo_tags",
		      i->repo_tags_json ? bh_apictx_jraw(i->repo_tags_json) : json_array(), "labels",
		      i->labels_json ? bh_apictx_jraw(i->labels_json) : json_object(), "registry", i->registry);
	return o && !json_array_append_new(arr, o) ? 0 : BH_ENOMEM;
}

/* The images an event is about: a finding's component's images, or the digest it names. */
static json_t *event_images(bh_store *st, const json_t *payload)
{
	json_t *arr = json_array();
	const char *purl = json_string_value(json_object_get(payload, "purl"));
	const char *digest = json_string_value(json_object_get(payload, "digest"));
	bh_error err;
	if (!digest)
		digest = json_string_value(json_object_get(payload, "image_digest"));
	if (!arr)
		return NULL;
	if (purl)
		bh_store_component_images(st, purl, 0, IMAGES_MAX, img_cb, arr, NULL, &err);
	else if (digest && bh_apictx_digest_ok(digest))
		bh_store_image_get(st, digest, img_cb, arr, &err);
	return arr;
}

static char *body_json(const hook *h, const bh_evbatch_item *e, const json_t *payload, const json_t *images, const char *delivery)
{
	json_t *o = json_pack("{s:s, s:I, s:s, s:{s:I, s:s, s:s?, s:s?, s:I, s:O}, s:O}", "delivery", delivery, "webhook",
			      (json_int_t)h->id, "server", "bulkhead/" BH_VERSION, "event", "seq", (json_int_t)e->seq, "type",
			      e->type, "host", e->host, "container", e->container, "time", (json_int_t)e->time, "payload",
			      payload ? (json_t *)payload : json_null(), "images", (json_t *)images);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static char *body_slack(const bh_evbatch_item *e, const json_t *payload, const json_t *images)
{
	char *text = bh_notify_slack_text(e->type, e->host, payload, images), *s = NULL;
	json_t *o = text ? json_pack("{s:s}", "text", text) : NULL;
	if (o)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	free(text);
	return s;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends one body; 0 and the status on 2xx, else the status (0: no answer) and why. */
static bool post(bh_notify *n, const hook *h, const bh_evbatch_item *e, const char *body, const char *delivery, long *status,
		 char *why, size_t whylen)
{
	char hsig[100], hdel[128], hev[128];
	const char *headers[5];
	size_t nh = 0;
	bh_http_request rq;
	bh_http_response rs = BH_HTTP_RESPONSE_INIT;
	bh_error err;
	bool ok;
	int rc;
	headers[nh++] = "Content-Type: application/json";
	snprintf(hdel, sizeof(hdel), "X-Bulkhead-Delivery: %s", delivery);
	headers[nh++] = hdel;
	snprintf(hev, sizeof(hev), "X-Bulkhead-Event: %.100s", e->type);
	headers[nh++] = hev;
	if (h->secret) {
		char sig[72];
		if (bh_notify_sign(h->secret, body, strlen(body), sig)) {
			snprintf(why, whylen, "signing failed");
			*status = 0;
			return false;
		}
		snprintf(hsig, sizeof(hsig), "X-Bulkhead-Signature: %s", sig);
		headers[nh++] = hsig;
	}
	headers[nh] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = BH_HTTP_POST;
	rq.url = h->url;
	rq.headers = headers;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.connect_timeout_ms = 5000;
	rq.timeout_ms = BH_NOTIFY_TIMEOUT_MS;
	rq.max_size = 64u << 10;
	rq.cancel = &n->stop;
	rc = bh_http_do(&rq, &rs, &err);
	*status = rs.status;
	ok = rc == 0 && rs.status >= 200 && rs.status < 300;
	if (!ok)
		snprintf(why, whylen, "%s", rc ? err.msg : "not a 2xx answer");
	bh_http_response_free(&rs);
	return ok;
}

/* Works through one webhook's events from its cursor until they are done, a delivery fails, or stop. */
static void run_hook(bh_notify *n, hook *h)
{
	bh_evbatch *l = calloc(1, sizeof(*l));
	bh_store *st;
	bh_error err;
	int64_t now = (int64_t)time(NULL), next = 0;
	size_t i;
	int rc;
	if (!l)
		return;
	for (;;) {
		bool failed = false;
		int64_t cursor = h->cursor;
		st = bh_apictx_store(n->api);
		rc = bh_webhook_claim(st, h->id, n->worker, n->lease_s, now, &err);
		if (rc == 1)
			rc = bh_evbatch_read(st, l, h->cursor, &next, &err);
		else if (rc == 0)
			rc = 1; /* another server delivers it */
		bh_apictx_release(n->api, st);
		if (rc) {
			if (rc < 0)
				bh_log_warn("notify: webhook %lld: %s", (long long)h->id, err.msg);
			break;
		}
		if (!l->n)
			break;
		for (i = 0; i < l->n && !n->stop; i++) {
			const bh_evbatch_item *e = &l->v[i];
			json_t *payload = e->payload ? json_loads(e->payload, 0, NULL) : NULL, *images;
			char delivery[64], why[512];
			char *body;
			long status = 0;
			int64_t t0;
			bool ok;
			bh_webhook_delivery d;
			st = bh_apictx_store(n->api);
			images = event_images(st, payload);
			bh_apictx_release(n->api, st);
			if (!images || !bh_notify_filter_match(&h->f, e->type, e->host, payload, images)) {
				json_decref(payload);
				json_decref(images);
				cursor = e->seq;
				continue;
			}
			snprintf(delivery, sizeof(delivery), "bhd-%lld-%lld", (long long)h->id, (long long)e->seq);
			body = !strcmp(h->format, "slack") ? body_slack(e, payload, images) : body_json(h, e, payload, images, delivery);
			json_decref(payload);
			json_decref(images);
			if (!body) {
				failed = true;
				break;
			}
			if (strlen(body) > BODY_MAX) {
				/* cannot happen with the stored caps; never send a body a receiver may refuse forever */
				bh_log_warn("notify: webhook %lld: event %lld too large to send", (long long)h->id, (long long)e->seq);
				free(body);
				cursor = e->seq;
				continue;
			}
			t0 = now_ms();
			ok = post(n, h, e, body, delivery, &status, why, sizeof(why));
			free(body);
			if (n->stop && !ok)
				break; /* cut by the stop: not a failure of the receiver */
			memset(&d, 0, sizeof(d));
			d.webhook_id = h->id;
			d.event_seq = e->seq;
			d.delivery = delivery;
			d.event_type = e->type;
			d.attempt = h->fails + 1;
			d.status = status;
			d.error = ok ? NULL : why;
			d.time = (int64_t)time(NULL);
			d.ms = now_ms() - t0;
			if (ok) {
				cursor = e->seq;
				h->fails = 0;
			} else {
				h->fails++;
				h->next_try = d.time + bh_evbatch_backoff_s(h->fails, BH_NOTIFY_BACKOFF_MAX_S);
			}
			st = bh_apictx_store(n->api);
			rc = bh_webhook_delivery_add(st, &d, &err);
			if (!rc)
				rc = bh_webhook_progress(st, h->id, n->worker, cursor, h->fails, ok ? 0 : h->next_try, status,
							 ok ? NULL : why, d.time, &err);
			bh_apictx_release(n->api, st);
			if (rc)
				bh_log_warn("notify: webhook %lld: recording a delivery: %s", (long long)h->id, err.msg);
			h->cursor = cursor;
			if (!ok) {
				bh_log_warn("notify: webhook %lld: event %lld not delivered (attempt %lld, next in %llds): %s",
					    (long long)h->id, (long long)e->seq, (long long)d.attempt,
					    (long long)bh_evbatch_backoff_s(h->fails, BH_NOTIFY_BACKOFF_MAX_S), why);
				failed = true;
				break;
			}
		}
		bh_evbatch_clear(l);
		if (cursor != h->cursor) {
			/* events passed over by the filter move the cursor too */
			st = bh_apictx_store(n->api);
			if (bh_webhook_advance(st, h->id, n->worker, cursor, &err))
				bh_log_warn("notify: webhook %lld: moving its cursor: %s", (long long)h->id, err.msg);
			bh_apictx_release(n->api, st);
			h->cursor = cursor;
		}
		if (failed || n->stop || !next)
			break;
	}
	free(l);
}

static void *notify_main(void *arg)
{
	bh_notify *n = arg;
	while (!n->stop) {
		hooks hs;
		bh_store *st;
		bh_error err;
		int64_t now = (int64_t)time(NULL);
		size_t i;
		int rc;
		/* accepted risks that ran out become exception.expired events, which webhooks then carry */
		bh_exceptapi_tick(n->api);
		/* the network map forgets what it has not seen for --network-retention */
		bh_blapi_tick(n->api, now);
		memset(&hs, 0, sizeof(hs));
		st = bh_apictx_store(n->api);
		rc = bh_webhook_list(st, 0, hooks_cb, &hs, &err);
		bh_apictx_release(n->api, st);
		if (rc)
			bh_log_warn("notify: listing webhooks: %s", rc == BH_ENOMEM ? "out of memory" : err.msg);
		for (i = 0; !rc && i < hs.n && !n->stop; i++)
			if (!hs.v[i].bad && (!hs.v[i].fails || hs.v[i].next_try <= now))
				run_hook(n, &hs.v[i]);
		for (i = 0; i < hs.n; i++)
			hook_free(&hs.v[i]);
		free(hs.v);
		OPENSSL_cleanse(hs.key, sizeof(hs.key));
		bh_apictx_pause(&n->cv, &n->mu, &n->stop, NULL, n->poll_ms);
	}
	return NULL;
}

int bh_notify_start(const bh_notify_config *cfg, bh_notify **out, bh_error *err)
{
	bh_notify *n;
	*out = NULL;
	if (!cfg || !cfg->api)
		return bh_error_set(err, BH_EUSAGE, "notify: no API");
	if (!(n = calloc(1, sizeof(*n))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	n->api = cfg->api;
	n->poll_ms = cfg->poll_ms ? cfg->poll_ms : 250;
	n->lease_s = cfg->lease_s > 0 ? cfg->lease_s : 60;
	bh_apictx_worker_name(n->worker, sizeof(n->worker));
	if (bh_apictx_thread_start(&n->th, &n->mu, &n->cv, notify_main, n)) {
		free(n);
		return bh_error_set(err, BH_EIO, "notify: cannot start the delivery thread");
	}
	*out = n;
	return 0;
}

void bh_notify_stop(bh_notify *n)
{
	if (!n)
		return;
	bh_apictx_thread_stop(n->th, &n->mu, &n->cv, &n->stop);
	free(n);
}
