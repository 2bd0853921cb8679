/* srvclient.c - the CLI's client of `bulkhead serve`: URL and token checks, one request through net/http.c, the server's error message passed on. */
#include "cli/srvclient.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int bh_srvclient_check(const bh_srvclient *c, bh_error *err)
{
	if (!c->server || (strncmp(c->server, "http://", 7) != 0 && strncmp(c->server, "https://", 8) != 0) || strlen(c->server) > 1500)
		return bh_error_set(err, BH_EUSAGE, "--server must be an http:// or https:// URL");
	if (!c->token || !*c->token || strlen(c->token) > 1000 || strpbrk(c->token, "\r\n"))
		return bh_error_set(err, BH_EUSAGE, "--server needs a token: --token T or $BULKHEAD_TOKEN");
	return 0;
}

static const char *method_name(bh_http_method m)
{
	switch (m) {
	case BH_HTTP_POST: return "POST";
	case BH_HTTP_PATCH: return "PATCH";
	case BH_HTTP_PUT: return "PUT";
	default: return "GET";
	}
}

/* The message of the server's {"error": {"code", "message"}} into out, else the start of the body. */
static void server_message(const bh_buf *body, const char *fallback, char *out, size_t n)
{
	json_t *j = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
	if (m)
		snprintf(out, n, "%s", m);
	else if (body->len)
		snprintf(out, n, "%.*s", (int)(body->len < 300 ? body->len : 300), body->data);
	else
		snprintf(out, n, "%s", fallback);
	json_decref(j);
}

int bh_srvclient_do(const bh_srvclient *c, bh_http_method m, const char *path, const char *ctype, const char *body, size_t len,
		    bh_buf *answer, bh_error *err)
{
	char url[2048], auth[1100], ct[128], msg[600];
	const char *hdrs[3] = { auth, NULL, NULL };
	bh_http_request rq;
	bh_http_response rs = BH_HTTP_RESPONSE_INIT;
	const char *mn = method_name(m);
	bh_error e;
	int rc;

	if ((rc = bh_srvclient_check(c, err)))
		return rc;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", c->server, path) >= sizeof(url))
		return bh_error_set(err, BH_EUSAGE, "%s %.100s: the URL is too long", mn, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		hdrs[1] = ct;
	}
	memset(&rq, 0, sizeof(rq));
	memset(&e, 0, sizeof(e));
	rq.method = m;
	rq.url = url;
	rq.headers = hdrs;
	rq.body = body;
	rq.body_len = len;
	rq.connect_timeout_ms = 5000;
	rq.timeout_ms = c->timeout_ms;
	rq.ca_file = c->ca_file;
	rq.max_size = BH_HTTP_MAX_DEFAULT;
	rc = bh_http_do(&rq, &rs, &e);
	if (!rc) {
		if (answer && rs.body.len && bh_buf_append(answer, rs.body.data, rs.body.len))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	} else if (rs.status == 0 || rs.status >= 500 || rs.status == 429) {
		rc = bh_error_set(err, BH_ENET, "%s %s: %s", mn, path, e.msg);
	} else {
		server_message(&rs.body, e.msg, msg, sizeof(msg));
		if (rs.status == 401)
			rc = bh_error_set(err, BH_EAUTH, "%s %s: the server refused the token (HTTP 401: unknown, expired or revoked)", mn, path);
		else if (rs.status == 403)
			rc = bh_error_set(err, BH_EAUTH, "%s %s: the token's role may not %s (HTTP 403: %s)", mn, path,
					  c->forbidden ? c->forbidden : "do this", msg);
		else if (rs.status == 404)
			rc = bh_error_set(err, BH_ENOTFOUND, "%s %s: %s", mn, path, msg);
		else if (rs.status == 409)
			rc = bh_error_set(err, BH_EBUSY, "%s %s: %s", mn, path, msg);
		else
			rc = bh_error_set(err, BH_EINVAL, "%s %s: HTTP %ld: %s", mn, path, rs.status, msg);
	}
	bh_http_response_free(&rs);
	return rc;
}
