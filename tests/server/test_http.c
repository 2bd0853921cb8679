/* test_http.c - the server's HTTP layer (src/server/http.c) on a real loopback port, driven by libcurl:
 * routes and params, 404/405, auth per role, 413 without buffering, bad JSON, load, TLS, streams,
 * graceful shutdown, /metrics, encoded NUL and '/' in the request target, per-address connection
 * limit and idle timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "server/http.h"
#include "support/tmpdir.h"

static bh_srv *g_srv;
static char g_base[128];

/* ---------------------------------------------------------------- test routes and tokens */

static int test_auth(void *ud, const char *token, bh_srv_principal *p)
{
	static const struct { const char *tok; bh_srv_role role; const char *name; } t[] = {
		{ "viewer-token", BH_SRV_ROLE_VIEWER, "vera" },
		{ "operator-token", BH_SRV_ROLE_OPERATOR, "otto" },
		{ "admin-token", BH_SRV_ROLE_ADMIN, "ada" },
		{ "agent-token", BH_SRV_ROLE_AGENT, "agent-h1" },
	};
	size_t i;
	if (!strcmp(token, "boom"))
		return BH_EIO;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(token, t[i].tok)) {
			p->role = t[i].role;
			snprintf(p->name, sizeof(p->name), "%s", t[i].name);
			if (t[i].role == BH_SRV_ROLE_AGENT)
				snprintf(p->host, sizeof(p->host), "h1");
			return 0;
		}
	return BH_EAUTH;
}

static int h_image(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	static const char *const sorts[] = { "name", "severity", NULL };
	int64_t limit;
	int sort;
	char cur[64];
	size_t clen;
	if (bh_srv_query_int(req, resp, "limit", 1, 500, 50, &limit) ||
	    bh_srv_query_enum(req, resp, "sort", sorts, 0, &sort) ||
	    bh_srv_query_cursor(req, resp, "cursor", cur, sizeof(cur), &clen))
		return 0;
	return bh_srv_resp_json(resp, 200, json_pack("{s:s,s:I,s:s,s:s%,s:s}", "digest", bh_srv_param(req, "digest"),
						     "limit", (json_int_t)limit, "sort", sorts[sort], "cursor", cur, clen,
						     "who", bh_srv_principal_of(req)->name));
}

static int h_affected(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_srv_resp_json(resp, 200, json_pack("{s:b}", "affected", 1));
}

static int h_items_post(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	json_t *j = bh_srv_json(req);
	return bh_srv_resp_json(resp, 201, json_pack("{s:O?,s:s}", "got", j, "who", bh_srv_principal_of(req)->name));
}

static int h_items_delete(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_srv_resp_data(resp, 204, NULL, NULL, 0);
}

static int h_events(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	size_t n;
	bh_srv_body(req, &n);
	return bh_srv_resp_json(resp, 200, json_pack("{s:I,s:s,s:s}", "bytes", (json_int_t)n, "host", bh_srv_principal_of(req)->host,
						     "peer", bh_srv_peer(req)));
}

static int h_slow(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	usleep(600 * 1000);
	return bh_srv_resp_data(resp, 200, "text/plain; charset=utf-8", "slow done", 9);
}

static int h_fail(bh_srv_req *req, bh_srv_resp *resp, void *ud) { return BH_EIO; }

static int h_page(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	static const char page[] = "<!doctype html><title>x</title>";
	return bh_srv_resp_data(resp, 200, "text/html; charset=utf-8", page, sizeof(page) - 1);
}

#define SBOM_SIZE ((uint64_t)5 << 20)
static ssize_t sbom_read(void *ud, uint64_t pos, char *buf, size_t max)
{
	size_t i, n;
	if (pos >= SBOM_SIZE)
		return BH_SRV_STREAM_END;
	n = max;
	if (n > SBOM_SIZE - pos)
		n = (size_t)(SBOM_SIZE - pos);
	if (n > 10000)
		n = 10000; /* small pieces: the server must join them */
	for (i = 0; i < n; i++)
		buf[i] = (char)('a' + (pos + i) % 26);
	return (ssize_t)n;
}
static int g_sbom_freed;
static void sbom_free(void *ud) { __atomic_add_fetch(&g_sbom_freed, 1, __ATOMIC_SEQ_CST); }

static int h_sbom(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	return bh_srv_resp_stream(resp, 200, "application/vnd.cyclonedx+json", ud ? SBOM_SIZE : BH_SRV_SIZE_UNKNOWN,
				  sbom_read, sbom_free, NULL);
}

static void gauges(void *ud, bh_buf *out)
{
	bh_srv_metrics_gauge(out, "bulkhead_queue_depth", "Jobs waiting.", "queue=\"reeval\"", 7);
}

static const bh_srv_route g_routes[] = {
	{ "GET", "/api/v1/images/{digest}", h_image, NULL, BH_SRV_ALLOW_VIEWER, false, BH_SRV_BODY_NONE, 0, false },
	{ "GET", "/api/v1/images/affected", h_affected, NULL, BH_SRV_ALLOW_VIEWER, false, BH_SRV_BODY_NONE, 0, false },
	{ "POST", "/api/v1/items", h_items_post, NULL, BH_SRV_ALLOW_OPERATOR, false, BH_SRV_BODY_JSON, 256 * 1024, false },
	{ "DELETE", "/api/v1/items/{id}", h_items_delete, NULL, BH_SRV_ALLOW_ADMIN, false, BH_SRV_BODY_NONE, 0, false },
	{ "POST", "/api/v1/agent/events", h_events, NULL, BH_SRV_ALLOW_AGENT, false, BH_SRV_BODY_RAW, 64 * 1024, false },
	{ "GET", "/slow", h_slow, NULL, 0, true, BH_SRV_BODY_NONE, 0, false },
	{ "GET", "/fail", h_fail, NULL, BH_SRV_ALLOW_VIEWER, false, BH_SRV_BODY_NONE, 0, false },
	{ "GET", "/page", h_page, NULL, 0, true, BH_SRV_BODY_NONE, 0, true },
	{ "GET", "/sbom", h_sbom, NULL, BH_SRV_ALLOW_VIEWER, false, BH_SRV_BODY_NONE, 0, false },
	{ "GET", "/sbom-len", h_sbom, (void *)1, BH_SRV_ALLOW_VIEWER, false, BH_SRV_BODY_NONE, 0, false },
};

/* Request log lines of the server that has a logger (test_metrics). */
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;
static bh_buf g_log = BH_BUF_INIT;
static void log_sink(void *ud, int kind, const char *msg)
{
	pthread_mutex_lock(&g_log_mu);
	bh_buf_printf(&g_log, "%s\n", msg);
	pthread_mutex_unlock(&g_log_mu);
}

static bh_srv *make_server_log(const char *listen, const char *cert, const char *key, unsigned drain_ms, bh_logger *lg)
{
	bh_srv_config cfg;
	bh_srv *s = NULL;
	bh_error err;
	size_t i;
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = listen;
	cfg.tls_cert = cert;
	cfg.tls_key = key;
	cfg.threads = 4;
	cfg.drain_ms = drain_ms;
	cfg.authenticate = test_auth;
	cfg.gauges = gauges;
	cfg.quiet = lg == NULL;
	cfg.logger = lg;
	if (bh_srv_new(&cfg, &s, &err)) {
		print_error("bh_srv_new: %s\n", err.msg);
		return NULL;
	}
	for (i = 0; i < sizeof(g_routes) / sizeof(g_routes[0]); i++)
		assert_int_equal(bh_srv_route_add(s, &g_routes[i], &err), 0);
	if (bh_srv_start(s, &err)) {
		print_error("bh_srv_start: %s\n", err.msg);
		bh_srv_free(s);
		return NULL;
	}
	return s;
}

static bh_srv *make_server(const char *listen, const char *cert, const char *key, unsigned drain_ms)
{
	return make_server_log(listen, cert, key, drain_ms, NULL);
}

/* ---------------------------------------------------------------- client side */

struct resp {
	long status;
	bh_buf body, hdr;
	curl_off_t sent;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	bh_buf_append(ud, p, sz * n);
	return sz * n;
}

/* An uploaded body made on the fly (never held in memory). */
struct gen {
	uint64_t left;
	char fill;
};
static size_t on_read(char *p, size_t sz, size_t n, void *ud)
{
	struct gen *g = ud;
	size_t k = sz * n;
	if (k > g->left)
		k = (size_t)g->left;
	memset(p, g->fill, k);
	g->left -= k;
	return k;
}

struct opts {
	const char *token;
	const char *body;
	size_t body_len;
	struct gen *gen;      /* streamed body instead of body */
	bool chunked;         /* no Content-Length */
	const char *ca;       /* TLS */
	const char *base;     /* other server */
};

static void resp_free(struct resp *r)
{
	bh_buf_free(&r->body);
	bh_buf_free(&r->hdr);
}

static int req_on(CURL *h, const char *method, const char *path, const struct opts *o, struct resp *r)
{
	char url[512], auth[600];
	struct curl_slist *hl = NULL;
	CURLcode cc;
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", o && o->base ? o->base : g_base, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (o && o->token) {
		snprintf(auth, sizeof(auth), "Authorization: %s", o->token);
		hl = curl_slist_append(hl, auth);
	}
	if (o && o->gen) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, o->gen);
		if (o->chunked)
			hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
		else
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)o->gen->left);
	} else if (o && o->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
	}
	if (o && o->ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &r->sent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hl);
	return cc == CURLE_OK ? 0 : (int)cc;
}

static int req(const char *method, const char *path, const struct opts *o, struct resp *r)
{
	CURL *h = curl_easy_init();
	int rc = req_on(h, method, path, o, r);
	curl_easy_cleanup(h);
	return rc;
}

static bool has_header(const struct resp *r, const char *line)
{
	return r->hdr.data && strcasestr(r->hdr.data, line) != NULL;
}

static json_t *body_json(const struct resp *r)
{
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	assert_non_null(j);
	return j;
}

/* The error code of a {"error":{"code":...}} answer, compared to want. */
static void assert_error(const struct resp *r, long status, const char *code)
{
	json_t *j;
	if (r->status != status)
		print_error("status %ld (want %ld), body: %s\n", r->status, status, r->body.data ? r->body.data : "");
	assert_int_equal(r->status, status);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")), code);
	assert_non_null(json_string_value(json_object_get(json_object_get(j, "error"), "message")));
	json_decref(j);
	assert_true(has_header(r, "Content-Type: application/json"));
	assert_true(has_header(r, "X-Content-Type-Options: nosniff"));
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- tests */

static const struct opts VIEWER = { .token = "Bearer viewer-token" };

static void test_routing_and_params(void **state)
{
	struct resp r;
	json_t *j;
	bh_buf cur = BH_BUF_INIT;
	char path[256];

	assert_int_equal(req("GET", "/api/v1/images/sha256:abc?limit=10&sort=severity", &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "digest")), "sha256:abc");
	assert_int_equal(json_integer_value(json_object_get(j, "limit")), 10);
	assert_string_equal(json_string_value(json_object_get(j, "sort")), "severity");
	assert_string_equal(json_string_value(json_object_get(j, "who")), "vera");
	json_decref(j);
	assert_true(has_header(&r, "Cache-Control: no-store"));
	assert_true(has_header(&r, "X-Content-Type-Options: nosniff"));
	assert_true(has_header(&r, "Content-Security-Policy: default-src 'none'"));
	resp_free(&r);

	/* percent-encoded parameter, defaults */
	assert_int_equal(req("GET", "/api/v1/images/sha256%3Adef", &VIEWER, &r), 0);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "digest")), "sha256:def");
	assert_int_equal(json_integer_value(json_object_get(j, "limit")), 50);
	assert_string_equal(json_string_value(json_object_get(j, "sort")), "name");
	json_decref(j);
	resp_free(&r);

	/* a literal segment wins over a parameter */
	assert_int_equal(req("GET", "/api/v1/images/affected", &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "\"affected\":true"));
	resp_free(&r);

	/* cursor round trip (the handler echoes it as a JSON string, so text here) */
	assert_int_equal(bh_srv_cursor_encode("after=k5", 8, &cur), 0);
	snprintf(path, sizeof(path), "/api/v1/images/x?cursor=%s", cur.data);
	bh_buf_free(&cur);
	assert_int_equal(req("GET", path, &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_int_equal(json_string_length(json_object_get(j, "cursor")), 8);
	assert_memory_equal(json_string_value(json_object_get(j, "cursor")), "after=k5", 8);
	json_decref(j);
	resp_free(&r);

	/* bad query values: 400 naming the parameter */
	assert_int_equal(req("GET", "/api/v1/images/x?limit=0", &VIEWER, &r), 0);
	assert_error(&r, 400, "bad_parameter");
	assert_non_null(strstr(r.body.data, "limit"));
	resp_free(&r);
	assert_int_equal(req("GET", "/api/v1/images/x?limit=12abc", &VIEWER, &r), 0);
	assert_error(&r, 400, "bad_parameter");
	resp_free(&r);
	assert_int_equal(req("GET", "/api/v1/images/x?sort=size", &VIEWER, &r), 0);
	assert_error(&r, 400, "bad_parameter");
	assert_non_null(strstr(r.body.data, "name, severity"));
	resp_free(&r);
	assert_int_equal(req("GET", "/api/v1/images/x?cursor=%21%21", &VIEWER, &r), 0);
	assert_error(&r, 400, "bad_parameter");
	resp_free(&r);

	/* HTML gets the strict CSP, HEAD answers like GET without a body */
	assert_int_equal(req("GET", "/page", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Content-Type: text/html"));
	assert_true(has_header(&r, "script-src 'self'"));
	assert_true(has_header(&r, "frame-ancestors 'none'"));
	resp_free(&r);
	assert_int_equal(req("HEAD", "/healthz", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	resp_free(&r);

	/* a failing handler: 500 without its reason */
	assert_int_equal(req("GET", "/fail", &VIEWER, &r), 0);
	assert_error(&r, 500, "internal");
	resp_free(&r);
}

static void test_404_405(void **state)
{
	struct resp r;
	assert_int_equal(req("GET", "/api/v1/nothing", &VIEWER, &r), 0);
	assert_error(&r, 404, "not_found");
	resp_free(&r);
	assert_int_equal(req("GET", "/api/v1/images/", &VIEWER, &r), 0); /* empty parameter */
	assert_error(&r, 404, "not_found");
	resp_free(&r);
	assert_int_equal(req("GET", "/api/v1/images/a/b", &VIEWER, &r), 0);
	assert_error(&r, 404, "not_found");
	resp_free(&r);
	assert_int_equal(req("PUT", "/api/v1/items", &VIEWER, &r), 0);
	assert_error(&r, 405, "method_not_allowed");
	assert_true(has_header(&r, "Allow: POST"));
	resp_free(&r);
	assert_int_equal(req("POST", "/healthz", NULL, &r), 0);
	assert_error(&r, 405, "method_not_allowed");
	assert_true(has_header(&r, "Allow: GET"));
	resp_free(&r);
}

static void expect_status(const char *method, const char *path, const char *token, const char *body, long want)
{
	struct opts o = { .token = token, .body = body, .body_len = body ? strlen(body) : 0 };
	struct resp r;
	assert_int_equal(req(method, path, &o, &r), 0);
	if (r.status != want)
		print_error("%s %s with %s: %ld (want %ld) %s\n", method, path, token ? token : "no token", r.status, want,
			    r.body.data ? r.body.data : "");
	assert_int_equal(r.status, want);
	if (want == 401) {
		assert_true(has_header(&r, "WWW-Authenticate: Bearer"));
		assert_error(&r, 401, "unauthorized");
	}
	if (want == 403)
		assert_error(&r, 403, "forbidden");
	resp_free(&r);
}

static void test_auth_roles(void **state)
{
	const char *img = "/api/v1/images/sha256:1";
	struct resp r;
	struct opts o = { .token = "Bearer agent-token", .body = "line\n", .body_len = 5 };

	expect_status("GET", img, NULL, NULL, 401);
	expect_status("GET", img, "Bearer nope", NULL, 401);
	expect_status("GET", img, "Basic dXNlcjpwYXNz", NULL, 401);
	expect_status("GET", img, "Bearer ", NULL, 401);
	expect_status("GET", img, "Bearer bad\001token", NULL, 401);
	expect_status("GET", img, "Bearer boom", NULL, 500);
	expect_status("GET", img, "Bearer viewer-token", NULL, 200);
	expect_status("GET", img, "bearer operator-token", NULL, 200);
	expect_status("GET", img, "Bearer admin-token", NULL, 200);
	expect_status("GET", img, "Bearer agent-token", NULL, 403);
	expect_status("POST", "/api/v1/items", "Bearer viewer-token", "{}", 403);
	expect_status("POST", "/api/v1/items", "Bearer operator-token", "{}", 201);
	expect_status("POST", "/api/v1/items", "Bearer agent-token", "{}", 403);
	expect_status("DELETE", "/api/v1/items/7", "Bearer operator-token", NULL, 403);
	expect_status("DELETE", "/api/v1/items/7", "Bearer admin-token", NULL, 204);
	expect_status("POST", "/api/v1/agent/events", "Bearer admin-token", "x", 403);
	expect_status("POST", "/api/v1/agent/events", NULL, "x", 401);
	expect_status("GET", "/metrics", NULL, NULL, 401);
	expect_status("GET", "/metrics", "Bearer viewer-token", NULL, 200);
	expect_status("GET", "/healthz", NULL, NULL, 200);
	/* the agent's own host reaches the handler */
	assert_int_equal(req("POST", "/api/v1/agent/events", &o, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "\"host\":\"h1\""));
	assert_non_null(strstr(r.body.data, "\"bytes\":5"));
	assert_non_null(strstr(r.body.data, "\"peer\":\"127.0.0.1\""));
	resp_free(&r);
}

static void test_body_limits(void **state)
{
	struct gen g;
	struct opts o = { .token = "Bearer agent-token", .gen = &g };
	struct resp r;
	long before = rss_kb(), after;

	/* 200 MB declared: refused from the headers, the body is not read */
	g = (struct gen){ (uint64_t)200 << 20, 'x' };
	assert_int_equal(req("POST", "/api/v1/agent/events", &o, &r), 0);
	assert_error(&r, 413, "body_too_large");
	print_message("413 on a 200 MB declared body: client sent %lld bytes\n", (long long)r.sent);
	assert_true(r.sent < (curl_off_t)(16 << 20));
	resp_free(&r);

	/* 48 MB chunked to a 64 KiB route: dropped as it arrives (RSS below shows it was not kept), then 413 */
	g = (struct gen){ (uint64_t)48 << 20, 'y' };
	o.chunked = true;
	assert_int_equal(req("POST", "/api/v1/agent/events", &o, &r), 0);
	assert_error(&r, 413, "body_too_large");
	resp_free(&r);

	/* exactly the cap is fine, chunked or not */
	g = (struct gen){ 64 * 1024, 'z' };
	assert_int_equal(req("POST", "/api/v1/agent/events", &o, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "\"bytes\":65536"));
	resp_free(&r);
	g = (struct gen){ 64 * 1024 + 1, 'z' };
	o.chunked = false;
	assert_int_equal(req("POST", "/api/v1/agent/events", &o, &r), 0);
	assert_int_equal(r.status, 413);
	resp_free(&r);

	/* a body on a route that takes none */
	{
		struct opts b = { .token = "Bearer viewer-token", .body = "abc", .body_len = 3 };
		assert_int_equal(req("GET", "/api/v1/images/x", &b, &r), 0);
		assert_error(&r, 413, "body_too_large");
		resp_free(&r);
	}
	after = rss_kb();
	print_message("RSS before %ld kB, after %ld kB (48 MB sent chunked)\n", before, after);
	assert_true(after - before < 32 * 1024);
	expect_status("GET", "/healthz", NULL, NULL, 200);
}

static void test_bad_json(void **state)
{
	struct opts o = { .token = "Bearer operator-token" };
	struct resp r;
	size_t depth = 100000, i;
	char *deep = malloc(depth * 2 + 1);
	json_t *j;

	o.body = "{\"a\":";
	o.body_len = strlen(o.body);
	assert_int_equal(req("POST", "/api/v1/items", &o, &r), 0);
	assert_error(&r, 400, "bad_json");
	assert_non_null(strstr(r.body.data, "invalid JSON"));
	resp_free(&r);

	o.body = "{\"a\":1} trailing";
	o.body_len = strlen(o.body);
	assert_int_equal(req("POST", "/api/v1/items", &o, &r), 0);
	assert_error(&r, 400, "bad_json");
	resp_free(&r);

	assert_non_null(deep);
	for (i = 0; i < depth; i++) {
		deep[i] = '[';
		deep[depth + i] = ']';
	}
	deep[depth * 2] = '\0';
	o.body = deep;
	o.body_len = depth * 2;
	assert_int_equal(req("POST", "/api/v1/items", &o, &r), 0);
	assert_error(&r, 400, "bad_json");
	assert_non_null(strstr(r.body.data, "nested deeper than"));
	resp_free(&r);
	free(deep);

	/* the server is still up, and a good body goes through */
	o.body = "{\"name\":\"n\",\"list\":[1,2]}";
	o.body_len = strlen(o.body);
	assert_int_equal(req("POST", "/api/v1/items", &o, &r), 0);
	assert_int_equal(r.status, 201);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "got"), "name")), "n");
	assert_string_equal(json_string_value(json_object_get(j, "who")), "otto");
	json_decref(j);
	resp_free(&r);
	expect_status("GET", "/healthz", NULL, NULL, 200);
}

#define NTHREADS 8
/* requests per client: 200, or BH_TEST_LOAD_REQS for a longer measurement */
static int g_nreq = 200;
struct worker {
	int ok;
	double *lat;
};

static void *worker_main(void *ud)
{
	struct worker *w = ud;
	CURL *h = curl_easy_init();
	int i;
	for (i = 0; i < g_nreq; i++) {
		struct resp r;
		double t0 = now_s();
		if (req_on(h, "GET", "/api/v1/images/sha256:load", &VIEWER, &r) == 0 && r.status == 200 &&
		    r.body.data && strstr(r.body.data, "sha256:load"))
			w->ok++;
		w->lat[i] = now_s() - t0;
		resp_free(&r);
	}
	curl_easy_cleanup(h);
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void test_concurrent(void **state)
{
	static struct worker w[NTHREADS];
	double *all;
	pthread_t th[NTHREADS];
	double t0, secs;
	int i, ok = 0, total;
	const char *env = getenv("BH_TEST_LOAD_REQS");

	if (env && atoi(env) > 0)
		g_nreq = atoi(env);
	total = NTHREADS * g_nreq;
	all = calloc((size_t)total, sizeof(double));
	assert_non_null(all);
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++)
		w[i].lat = all + (size_t)i * (size_t)g_nreq;
	t0 = now_s();
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ok += w[i].ok;
	}
	secs = now_s() - t0;
	qsort(all, (size_t)total, sizeof(double), cmp_d);
	print_message("load: %d clients x %d requests: %d answered 200 in %.2f s = %.0f req/s, p50 %.2f ms, p99 %.2f ms\n",
		      NTHREADS, g_nreq, ok, secs, ok / secs, all[total / 2] * 1000, all[total * 99 / 100] * 1000);
	free(all);
	assert_int_equal(ok, total);
}

static void test_stream(void **state)
{
	struct resp r;
	uint64_t i;
	int freed = __atomic_load_n(&g_sbom_freed, __ATOMIC_SEQ_CST);

	assert_int_equal(req("GET", "/sbom", &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Transfer-Encoding: chunked"));
	assert_true(has_header(&r, "Content-Type: application/vnd.cyclonedx+json"));
	assert_true(has_header(&r, "Cache-Control: no-store"));
	assert_int_equal(r.body.len, SBOM_SIZE);
	for (i = 0; i < SBOM_SIZE; i++)
		if (r.body.data[i] != (char)('a' + i % 26))
			break;
	assert_int_equal(i, SBOM_SIZE);
	resp_free(&r);

	assert_int_equal(req("GET", "/sbom-len", &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Content-Length: 5242880"));
	assert_int_equal(r.body.len, SBOM_SIZE);
	resp_free(&r);
	usleep(100 * 1000);
	assert_int_equal(__atomic_load_n(&g_sbom_freed, __ATOMIC_SEQ_CST), freed + 2);
}

/* Exact counts on a server of its own. */
static void test_metrics(void **state)
{
	bh_logger lg;
	bh_srv *s;
	struct opts o = VIEWER;
	char base[64];
	struct resp r;
	int i;
	bh_log_init(&lg, BH_LOG_INFO, log_sink, NULL);
	s = make_server_log("127.0.0.1:0", NULL, NULL, 1000, &lg);
	assert_non_null(s);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", bh_srv_port(s));
	o.base = base;
	for (i = 0; i < 5; i++) {
		assert_int_equal(req("GET", "/api/v1/images/m", &o, &r), 0);
		resp_free(&r);
	}
	assert_int_equal(req("GET", "/api/v1/images/m?limit=x", &o, &r), 0);
	resp_free(&r);
	assert_int_equal(req("GET", "/nope", &o, &r), 0);
	resp_free(&r);
	assert_int_equal(req("GET", "/nope2", &o, &r), 0);
	resp_free(&r);
	o.token = NULL;
	assert_int_equal(req("GET", "/api/v1/images/m", &o, &r), 0);
	resp_free(&r);
	usleep(100 * 1000); /* completion is counted just after the last byte is sent */
	o.token = VIEWER.token;
	assert_int_equal(req("GET", "/metrics", &o, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(r.body.data, "# TYPE bulkhead_http_requests_total counter\n"));
	assert_non_null(strstr(r.body.data,
		"bulkhead_http_requests_total{method=\"GET\",route=\"/api/v1/images/{digest}\",status=\"200\"} 5\n"));
	assert_non_null(strstr(r.body.data,
		"bulkhead_http_requests_total{method=\"GET\",route=\"/api/v1/images/{digest}\",status=\"400\"} 1\n"));
	assert_non_null(strstr(r.body.data,
		"bulkhead_http_requests_total{method=\"GET\",route=\"/api/v1/images/{digest}\",status=\"401\"} 1\n"));
	assert_non_null(strstr(r.body.data, "bulkhead_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"} 2\n"));
	assert_non_null(strstr(r.body.data,
		"bulkhead_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/images/{digest}\",le=\"+Inf\"} 7\n"));
	assert_non_null(strstr(r.body.data,
		"bulkhead_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/images/{digest}\"} 7\n"));
	assert_non_null(strstr(r.body.data, "# TYPE bulkhead_http_request_duration_seconds histogram\n"));
	/* the /metrics request itself is in flight while it is written */
	assert_non_null(strstr(r.body.data, "bulkhead_http_requests_in_flight 1\n"));
	assert_non_null(strstr(r.body.data, "bulkhead_queue_depth{queue=\"reeval\"} 7\n"));
	resp_free(&r);
	bh_srv_free(s);
	/* the request log: method, path, status, duration, principal */
	assert_non_null(g_log.data);
	assert_non_null(strstr(g_log.data, "http: GET /api/v1/images/m 200 "));
	assert_non_null(strstr(g_log.data, "ms vera\n"));
	assert_non_null(strstr(g_log.data, "http: GET /nope 404 "));
	assert_non_null(strstr(g_log.data, "http: GET /api/v1/images/m 401 "));
	assert_non_null(strstr(g_log.data, "ms -\n"));
	bh_buf_free(&g_log);
}

static void test_tls(void **state)
{
	char dir[256], cert[300], key[300], cmd[1200], base[64];
	struct opts o = { 0 };
	struct resp r;
	bh_srv *s;

	assert_int_equal(bh_test_mkdtemp(dir, sizeof(dir), "srvtls"), 0);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1", key, cert);
	if (system(cmd) != 0) {
		print_message("SKIP: openssl could not make a test certificate\n");
		bh_test_rmtree(dir);
		skip();
	}
	s = make_server("127.0.0.1:0", cert, key, 1000);
	assert_non_null(s);
	snprintf(base, sizeof(base), "https://127.0.0.1:%u", bh_srv_port(s));
	o.base = base;
	o.ca = cert;
	assert_int_equal(req("GET", "/healthz", &o, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "\"ok\""));
	assert_true(has_header(&r, "Strict-Transport-Security: max-age="));
	resp_free(&r);
	o.token = "Bearer admin-token";
	assert_int_equal(req("GET", "/api/v1/images/tls", &o, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* without the CA the certificate is refused; plain HTTP gets no answer */
	o.ca = "/dev/null";
	assert_int_not_equal(req("GET", "/healthz", &o, &r), 0);
	resp_free(&r);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", bh_srv_port(s));
	o.ca = NULL;
	assert_int_not_equal(req("GET", "/healthz", &o, &r), 0);
	assert_int_equal(r.status, 0);
	resp_free(&r);
	bh_srv_free(s);

	/* a key that does not exist fails start with a message */
	{
		bh_srv_config cfg = { .listen = "127.0.0.1:0", .tls_cert = cert, .tls_key = "/nonexistent/key.pem" };
		bh_error err;
		assert_int_equal(bh_srv_new(&cfg, &s, &err), 0);
		assert_int_equal(bh_srv_start(s, &err), BH_EINVAL);
		assert_non_null(strstr(err.msg, "/nonexistent/key.pem"));
		bh_srv_free(s);
	}
	bh_test_rmtree(dir);
}

struct slow_client {
	const char *base;
	struct resp r;
	int rc;
};

static void *slow_main(void *ud)
{
	struct slow_client *c = ud;
	struct opts o = { .base = c->base };
	c->rc = req("GET", "/slow", &o, &c->r);
	return NULL;
}

static void *run_main(void *ud)
{
	static int rc;
	bh_error err;
	rc = bh_srv_run(ud, &err);
	return &rc;
}

static void wait_inflight(bh_srv *s, unsigned n)
{
	int i;
	for (i = 0; i < 500 && bh_srv_inflight(s) < n; i++)
		usleep(2000);
	assert_true(bh_srv_inflight(s) >= n);
}

static void test_graceful_shutdown(void **state)
{
	struct slow_client c;
	struct sigaction cur;
	pthread_t tc, tr;
	char base[64];
	struct resp r;
	struct opts o = { .base = base };
	bh_error err;
	void *ret;
	double t0;
	int i;
	bh_srv *s = make_server("127.0.0.1:0", NULL, NULL, 5000);

	assert_non_null(s);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", bh_srv_port(s));
	memset(&c, 0, sizeof(c));
	c.base = base;
	assert_int_equal(pthread_create(&tr, NULL, run_main, s), 0);
	for (i = 0; i < 500; i++) { /* bh_srv_run has its SIGTERM handler in place */
		sigaction(SIGTERM, NULL, &cur);
		if (cur.sa_handler != SIG_DFL)
			break;
		usleep(2000);
	}
	assert_true(cur.sa_handler != SIG_DFL);
	assert_int_equal(pthread_create(&tc, NULL, slow_main, &c), 0);
	wait_inflight(s, 1);
	t0 = now_s();
	kill(getpid(), SIGTERM);
	pthread_join(tr, &ret);
	print_message("SIGTERM with a 600 ms request running: bh_srv_run returned %d after %.0f ms\n", *(int *)ret,
		      (now_s() - t0) * 1000);
	assert_int_equal(*(int *)ret, 0);
	pthread_join(tc, NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.r.status, 200);
	assert_string_equal(c.r.body.data, "slow done");
	resp_free(&c.r);
	/* nothing listens any more */
	assert_int_not_equal(req("GET", "/healthz", &o, &r), 0);
	resp_free(&r);
	sigaction(SIGTERM, NULL, &cur);
	assert_true(cur.sa_handler == SIG_DFL);
	bh_srv_free(s);

	/* a deadline shorter than the request: cut, and reported */
	s = make_server("127.0.0.1:0", NULL, NULL, 5000);
	assert_non_null(s);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", bh_srv_port(s));
	memset(&c, 0, sizeof(c));
	c.base = base;
	assert_int_equal(pthread_create(&tc, NULL, slow_main, &c), 0);
	wait_inflight(s, 1);
	assert_int_equal(bh_srv_shutdown(s, 100, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "still running"));
	pthread_join(tc, NULL);
	resp_free(&c.r);
	bh_srv_free(s);
}

static void test_listen_addresses(void **state)
{
	static const char *const bad[] = { "127.0.0.1", "127.0.0.1:99999", ":80", "[::1:80", "a:b:c", "127.0.0.1:-1", NULL };
	bh_srv_config cfg = { 0 };
	bh_error err;
	bh_srv *s;
	int i;
	for (i = 0; bad[i]; i++) {
		cfg.listen = bad[i];
		assert_int_equal(bh_srv_new(&cfg, &s, &err), 0);
		assert_int_equal(bh_srv_start(s, &err), BH_EINVAL);
		bh_srv_free(s);
	}
	s = make_server("[::1]:0", NULL, NULL, 1000);
	if (!s) {
		print_message("SKIP: no IPv6 loopback here\n");
		return;
	}
	{
		char base[64];
		struct opts o = { .base = base };
		struct resp r;
		snprintf(base, sizeof(base), "http://[::1]:%u", bh_srv_port(s));
		assert_int_equal(req("GET", "/healthz", &o, &r), 0);
		assert_int_equal(r.status, 200);
		resp_free(&r);
	}
	bh_srv_free(s);
}

/* ---- request target encoding, per-address connection limit, idle timeout */

static void expect_target(const char *method, const char *path, const char *token, long want, const char *code)
{
	struct opts o = { .token = token };
	struct resp r;
	assert_int_equal(req(method, path, &o, &r), 0);
	if (code) {
		assert_error(&r, want, code);
	} else {
		if (r.status != want)
			print_error("%s %s: status %ld (want %ld)\n", method, path, r.status, want);
		assert_int_equal(r.status, want);
	}
	resp_free(&r);
}

static void test_target_encoding(void **state)
{
	struct resp r;
	json_t *j;
	CURL *h;

	/* %00 would end the decoded C string: the path or a query value silently cut short */
	expect_target("GET", "/api/v1/images/sha256:abc%00/x", "Bearer viewer-token", 400, "bad_request");
	expect_target("GET", "/api/v1/images/sha256:abc%00", "Bearer viewer-token", 400, "bad_request");
	expect_target("GET", "/api/v1/images/x?sort=name%00evil", "Bearer viewer-token", 400, "bad_request");
	expect_target("GET", "/api/v1/images/x?a%00b=1", "Bearer viewer-token", 400, "bad_request");
	/* %2F in the path: decoded, "items%2Fx" would reach DELETE /api/v1/items/{id} */
	expect_target("DELETE", "/api/v1/items%2Fx", "Bearer admin-token", 400, "bad_request");
	expect_target("DELETE", "/api/v1/items%2fx", "Bearer admin-token", 400, "bad_request");
	expect_target("GET", "/api/v1/images/a%2Fb", "Bearer viewer-token", 400, "bad_request");
	/* checked before the token: no auth lookup for a target refused anyway */
	expect_target("GET", "/api/v1/images/a%2Fb", NULL, 400, "bad_request");
	/* still fine: %2F in a query value, an encoded '%' followed by "2F" or "00", other escapes */
	expect_target("GET", "/api/v1/images/x?other=pkg%3Anpm%2F%40scope%2Fname", "Bearer viewer-token", 200, NULL);
	expect_target("DELETE", "/api/v1/items/x", "Bearer admin-token", 204, NULL);
	assert_int_equal(req("GET", "/api/v1/images/a%252Fb%2500", &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "digest")), "a%2Fb%00");
	json_decref(j);
	resp_free(&r);

	/* the notes are per request: on one kept-alive connection a good request after a refused one passes */
	h = curl_easy_init();
	assert_int_equal(req_on(h, "GET", "/api/v1/images/a%2Fb", &VIEWER, &r), 0);
	assert_error(&r, 400, "bad_request");
	resp_free(&r);
	assert_int_equal(req_on(h, "GET", "/api/v1/images/sha256%3Aabc", &VIEWER, &r), 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "digest")), "sha256:abc");
	json_decref(j);
	resp_free(&r);
	curl_easy_cleanup(h);
}

static bh_srv *make_server_limits(unsigned per_ip, unsigned timeout_s)
{
	bh_srv_config cfg;
	bh_srv *s = NULL;
	bh_error err;
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = "127.0.0.1:0";
	cfg.authenticate = test_auth;
	cfg.quiet = true;
	cfg.per_ip_connections = per_ip;
	cfg.conn_timeout_s = timeout_s;
	assert_int_equal(bh_srv_new(&cfg, &s, &err), 0);
	assert_int_equal(bh_srv_start(s, &err), 0);
	return s;
}

static int tcp_connect(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* ms until the server closes fd (reads and drops what it sends), or -1 when it is still open at limit_ms */
static long wait_closed(int fd, long limit_ms)
{
	double t0 = now_s();
	char buf[4096];
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = limit_ms - (long)((now_s() - t0) * 1000);
		if (left <= 0)
			return -1;
		if (poll(&p, 1, (int)left) > 0) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				return (long)((now_s() - t0) * 1000);
		}
	}
}

static void test_per_ip_limit(void **state)
{
	bh_srv *s = make_server_limits(2, 30);
	char base[64];
	struct opts o = { .base = base };
	struct resp r;
	int a, b, c;
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", bh_srv_port(s));
	a = tcp_connect(bh_srv_port(s));
	b = tcp_connect(bh_srv_port(s));
	/* a third connection from 127.0.0.1 is accepted by the kernel and closed by the server at once */
	c = tcp_connect(bh_srv_port(s));
	assert_true(wait_closed(c, 3000) >= 0);
	close(c);
	assert_int_not_equal(req("GET", "/healthz", &o, &r), 0);
	resp_free(&r);
	/* one of the two goes: there is room again */
	close(a);
	usleep(200 * 1000);
	assert_int_equal(req("GET", "/healthz", &o, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	close(b);
	bh_srv_free(s);
}

static void test_conn_timeout(void **state)
{
	bh_srv *s = make_server_limits(0, 1);
	static const char part[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"; /* headers never finished */
	int fd = tcp_connect(bh_srv_port(s));
	long ms;
	assert_int_equal(send(fd, part, sizeof(part) - 1, 0), (ssize_t)(sizeof(part) - 1));
	ms = wait_closed(fd, 5000);
	if (ms < 0)
		print_error("a connection idle for 5 s with conn_timeout_s=1 is still open\n");
	assert_true(ms >= 500 && ms <= 4000);
	close(fd);
	/* an idle connection without a byte sent goes the same way */
	fd = tcp_connect(bh_srv_port(s));
	ms = wait_closed(fd, 5000);
	assert_true(ms >= 500 && ms <= 4000);
	close(fd);
	bh_srv_free(s);
}

static void test_pure_parsers(void **state)
{
	bh_srv_param_ref p[4];
	unsigned n;
	char vb[64];
	int64_t v;
	char out[16];
	size_t ol;
	json_t *j;
	bh_error err;
	bh_srv_route r = { "GET", "/a/{x}/b", h_affected, NULL, 0, false, BH_SRV_BODY_NONE, 0, false };
	bh_srv_config cfg = { .listen = "127.0.0.1:0" };
	bh_srv *s;

	assert_true(bh_srv_path_match("/a/{x}/b/{y}", "/a/1/b/two", p, 4, &n, vb, sizeof(vb)));
	assert_int_equal(n, 2);
	assert_string_equal(p[1].value, "two");
	assert_memory_equal(p[1].name, "y", p[1].name_len);
	assert_false(bh_srv_path_match("/a/{x}", "/a/1/", p, 4, &n, vb, sizeof(vb)));
	assert_false(bh_srv_path_match("/a/{x}", "/a", p, 4, &n, vb, sizeof(vb)));
	assert_false(bh_srv_path_match("/a/{x}", "a/1", p, 4, &n, vb, sizeof(vb)));
	assert_true(bh_srv_path_match("/", "/", p, 4, &n, vb, sizeof(vb)));
	assert_int_equal(bh_srv_parse_int("9223372036854775807", 0, INT64_MAX, &v), 0);
	assert_int_equal(bh_srv_parse_int("9223372036854775808", 0, INT64_MAX, &v), BH_EINVAL);
	assert_int_equal(bh_srv_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(bh_srv_parse_int("+5", -10, 10, &v), BH_EINVAL);
	assert_int_equal(bh_srv_parse_int(" 5", -10, 10, &v), BH_EINVAL);
	assert_int_equal(bh_srv_cursor_decode("YWJj", out, sizeof(out), &ol), 0);
	assert_int_equal(ol, 3);
	assert_memory_equal(out, "abc", 3);
	{
		/* binary round trip, every length mod 3 */
		static const char bin[] = "\x00\xff\x10\x80z";
		bh_buf b = BH_BUF_INIT;
		size_t k;
		for (k = 0; k <= 5; k++) {
			bh_buf_reset(&b);
			assert_int_equal(bh_srv_cursor_encode(bin, k, &b), 0);
			assert_int_equal(bh_srv_cursor_decode(b.data ? b.data : "", out, sizeof(out), &ol), 0);
			assert_int_equal(ol, k);
			assert_memory_equal(out, bin, k);
		}
		bh_buf_free(&b);
	}
	assert_int_equal(bh_srv_cursor_decode("YWJk_", out, sizeof(out), &ol), BH_EINVAL);
	assert_int_equal(bh_srv_cursor_decode("YWK", out, sizeof(out), &ol), BH_EINVAL); /* non-zero spare bits */
	assert_int_equal(bh_srv_cursor_decode("YWI=", out, sizeof(out), &ol), BH_EINVAL);
	assert_int_equal(bh_srv_cursor_decode("YWJjYWJjYWJjYWJjYWJjYWJj", out, sizeof(out), &ol), BH_EINVAL);
	assert_int_equal(bh_srv_body_parse("", 0, 8, &j, &err), 0);
	assert_null(j);
	assert_int_equal(bh_srv_body_parse("[[[[[[[[[1]]]]]]]]]", 19, 8, &j, &err), BH_ELIMIT);

	/* route registration rules */
	assert_int_equal(bh_srv_new(&cfg, &s, &err), 0);
	assert_int_equal(bh_srv_route_add(s, &r, &err), 0);
	assert_int_equal(bh_srv_route_add(s, &r, &err), BH_EUSAGE);
	r.pattern = "/a/{X}";
	assert_int_equal(bh_srv_route_add(s, &r, &err), BH_EUSAGE);
	r.pattern = "/a/x{y}";
	assert_int_equal(bh_srv_route_add(s, &r, &err), BH_EUSAGE);
	r.pattern = "nope";
	assert_int_equal(bh_srv_route_add(s, &r, &err), BH_EUSAGE);
	r.pattern = "/ok";
	r.method = "TRACE";
	assert_int_equal(bh_srv_route_add(s, &r, &err), BH_EUSAGE);
	bh_srv_free(s);
}

static int setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	bh_log_set_level(BH_LOG_QUIET);
	g_srv = make_server("127.0.0.1:0", NULL, NULL, 2000);
	if (!g_srv)
		return -1;
	snprintf(g_base, sizeof(g_base), "http://127.0.0.1:%u", bh_srv_port(g_srv));
	return 0;
}

static int teardown(void **state)
{
	bh_srv_free(g_srv);
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pure_parsers),
		cmocka_unit_test(test_routing_and_params),
		cmocka_unit_test(test_404_405),
		cmocka_unit_test(test_auth_roles),
		cmocka_unit_test(test_body_limits),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_listen_addresses),
		cmocka_unit_test(test_graceful_shutdown),
		cmocka_unit_test(test_target_encoding),
		cmocka_unit_test(test_per_ip_limit),
		cmocka_unit_test(test_conn_timeout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
