/* http.c - the server's HTTP layer over libmicrohttpd: routing, auth, bounded bodies, metrics, drain. */
#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/limits.h"

#define STATUS_SLOTS 16
#define NBUCKETS 13
#define MAX_HEADERS 8
#define PEM_MAX ((size_t)1 << 20)
/* A chunked body over its cap is read and dropped so the client can get its 413; past this much
 * dropped data the connection is closed instead (a client that never stops). */
#define DISCARD_MAX ((uint64_t)64 << 20)

static const double g_bucket_le[NBUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					       0.1, 0.25, 0.5, 1, 2.5, 5 };

struct stats {
	unsigned status[STATUS_SLOTS];
	uint64_t count[STATUS_SLOTS];
	uint64_t other;                 /* answers whose status found no free slot */
	uint64_t bucket[NBUCKETS];      /* not cumulative; summed when written */
	uint64_t n;
	double sum;
};

struct route {
	bh_srv_route r;
	char *method, *pattern;
	unsigned nparams;
	struct stats st;
};

struct bh_srv {
	bh_srv_config cfg;
	char *listen, *tls_cert, *tls_key;
	char *cert_pem, *key_pem;       /* kept while the daemon runs: MHD reads them at start */
	struct route *routes;
	size_t nroutes, cap;
	struct stats unmatched;
	pthread_mutex_t mu;             /* the stats */
	struct MHD_Daemon *d;
	struct sockaddr_storage addr;
	unsigned port;
	atomic_uint inflight;
	atomic_int draining;
	int pipe_fd[2];                 /* bh_srv_stop -> bh_srv_run */
};

struct bh_srv_resp {
	unsigned status;
	bool set;
	const char *ctype;
	char *data;
	size_t len;
	bool stream;
	uint64_t size;
	bh_srv_read_fn read;
	void (*free_fn)(void *);
	void *ud;
	unsigned nh;
	char *hname[MAX_HEADERS], *hval[MAX_HEADERS];
};

struct bh_srv_req {
	bh_srv *srv;
	struct MHD_Connection *conn;
	struct route *route;
	char method[16];
	char *path;
	bh_srv_param_ref params[BH_SRV_PARAMS_MAX];
	unsigned nparams;
	char *vbuf;
	bh_srv_principal principal;
	bh_buf body;
	size_t cap;
	uint64_t dropped;
	bool over, answered;
	json_t *json;
	unsigned status;
	struct timespec t0;
	char peer[INET6_ADDRSTRLEN];
};

/* Per connection (MHD's socket context): what the unescape callback saw in the request target now
 * being parsed; read and cleared when the request's first on_access call comes. */
#define SLASH_PTRS 8
struct conn_ctx {
	bool nul;                        /* a %00 in the path or in a query key or value */
	bool slash_overflow;             /* more strings with %2F than slash_at holds */
	unsigned nslash;
	const char *slash_at[SLASH_PTRS]; /* the strings (decoded in place) that had a %2F */
};

/* the pipe bh_srv_run waits on; atomic because the signal may land on any thread (lock-free, so
 * async-signal-safe) */
static atomic_int g_sig_fd = -1;

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---------------------------------------------------------------- parsing (pure, fuzzed) */

int bh_srv_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;
	bool neg = false;
	size_t i = 0;
	if (!s || !*s)
		return BH_EINVAL;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (!s[i] || i + 19 < strlen(s))
		return BH_EINVAL;
	for (; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return BH_EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v))
			return BH_EINVAL;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return BH_EINVAL;
	*out = v;
	return 0;
}

static int b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int bh_srv_cursor_decode(const char *s, void *out, size_t cap, size_t *out_len)
{
	unsigned char *o = out;
	size_t n = strlen(s), k = 0, i;
	uint32_t acc = 0;
	unsigned bits = 0;
	*out_len = 0;
	if (n > BH_SRV_CURSOR_MAX || n % 4 == 1)
		return BH_EINVAL;
	for (i = 0; i < n; i++) {
		int v = b64url_val((unsigned char)s[i]);
		if (v < 0)
			return BH_EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k >= cap)
				return BH_EINVAL;
			o[k++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* leftover bits must be zero, so each cursor has one spelling */
	if (acc)
		return BH_EINVAL;
	*out_len = k;
	return 0;
}

int bh_srv_cursor_encode(const void *data, size_t len, bh_buf *b)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = data;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			bh_buf_putc(b, al[(acc >> bits) & 63]);
		}
		acc &= (1u << bits) - 1;
	}
	if (bits)
		bh_buf_putc(b, al[(acc << (6 - bits)) & 63]);
	return bh_buf_oom(b) ? BH_ENOMEM : 0;
}

bool bh_srv_path_match(const char *pattern, const char *path, bh_srv_param_ref *params, unsigned max,
		       unsigned *n, char *vbuf, size_t vcap)
{
	const char *p = pattern, *q = path;
	size_t used = 0;
	*n = 0;
	if (*p != '/' || *q != '/')
		return false;
	while (*p) {
		const char *pe, *qe;
		if (*p != '/' || *q != '/')
			return false;
		p++;
		q++;
		pe = p + strcspn(p, "/");
		qe = q + strcspn(q, "/");
		if (*p == '{' && pe - p >= 3 && pe[-1] == '}') {
			size_t vl = (size_t)(qe - q);
			if (!vl || *n >= max || vl >= vcap - used)
				return false;
			memcpy(vbuf + used, q, vl);
			vbuf[used + vl] = '\0';
			params[*n].name = p + 1;
			params[*n].name_len = (size_t)(pe - p - 2);
			params[*n].value = vbuf + used;
			(*n)++;
			used += vl + 1;
		} else if (pe - p != qe - q || memcmp(p, q, (size_t)(pe - p)) != 0) {
			return false;
		}
		p = pe;
		q = qe;
	}
	return *q == '\0';
}

int bh_srv_body_parse(const char *data, size_t len, unsigned max_depth, json_t **out, bh_error *err)
{
	*out = NULL;
	if (!len)
		return 0;
	return bh_json_load(data, len, max_depth, "request body", out, err);
}

/* ---------------------------------------------------------------- responses */

static void resp_clear(bh_srv_resp *r)
{
	unsigned i;
	free(r->data);
	if (r->stream && r->free_fn)
		r->free_fn(r->ud);
	for (i = 0; i < r->nh; i++) {
		free(r->hname[i]);
		free(r->hval[i]);
	}
	memset(r, 0, sizeof(*r));
}

int bh_srv_resp_data(bh_srv_resp *resp, unsigned status, const char *content_type, const void *data, size_t len)
{
	char *copy;
	if (resp->set)
		return BH_EUSAGE;
	copy = malloc(len ? len : 1);
	if (!copy)
		return BH_ENOMEM;
	if (len)
		memcpy(copy, data, len);
	resp->set = true;
	resp->status = status;
	resp->ctype = content_type;
	resp->data = copy;
	resp->len = len;
	return 0;
}

int bh_srv_resp_json(bh_srv_resp *resp, unsigned status, json_t *body)
{
	char *s;
	if (resp->set) {
		json_decref(body);
		return BH_EUSAGE;
	}
	s = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : strdup("{}");
	json_decref(body);
	if (!s)
		return BH_ENOMEM;
	resp->set = true;
	resp->status = status;
	resp->ctype = "application/json";
	resp->data = s;
	resp->len = strlen(s);
	return 0;
}

int bh_srv_resp_error(bh_srv_resp *resp, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[BH_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bh_srv_resp_json(resp, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

int bh_srv_resp_stream(bh_srv_resp *resp, unsigned status, const char *content_type, uint64_t size,
		       bh_srv_read_fn read, void (*free_fn)(void *), void *ud)
{
	if (resp->set || !read) {
		if (free_fn)
			free_fn(ud);
		return BH_EUSAGE;
	}
	resp->set = true;
	resp->stream = true;
	resp->status = status;
	resp->ctype = content_type;
	resp->size = size;
	resp->read = read;
	resp->free_fn = free_fn;
	resp->ud = ud;
	return 0;
}

int bh_srv_resp_header(bh_srv_resp *resp, const char *name, const char *value)
{
	/* no CR/LF: a value from a request must not add headers of its own */
	if (resp->nh >= MAX_HEADERS || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return BH_EUSAGE;
	resp->hname[resp->nh] = strdup(name);
	resp->hval[resp->nh] = strdup(value);
	if (!resp->hname[resp->nh] || !resp->hval[resp->nh]) {
		free(resp->hname[resp->nh]);
		free(resp->hval[resp->nh]);
		return BH_ENOMEM;
	}
	resp->nh++;
	return 0;
}

static const char CSP_HTML[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
static const char CSP_API[] = "default-src 'none'; frame-ancestors 'none'";

/* Turns resp into an MHD response and queues it; resp is emptied (the stream's ud now belongs to MHD). */
static enum MHD_Result send_resp(bh_srv_req *req, bh_srv_resp *resp)
{
	struct MHD_Response *mr;
	enum MHD_Result rc;
	bool html = req->route && req->route->r.html;
	unsigned i;

	if (!resp->set)
		bh_srv_resp_error(resp, 500, "internal", "the handler gave no answer");
	if (resp->stream) {
		mr = MHD_create_response_from_callback(resp->size == BH_SRV_SIZE_UNKNOWN ? MHD_SIZE_UNKNOWN : resp->size,
						       64 * 1024, resp->read, resp->ud, resp->free_fn);
		if (mr)
			resp->stream = false; /* MHD calls free_fn now */
	} else {
		mr = MHD_create_response_from_buffer_with_free_callback(resp->len, resp->data, free);
		if (mr)
			resp->data = NULL;
	}
	if (!mr) {
		resp_clear(resp);
		return MHD_NO;
	}
	if (resp->ctype)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->ctype);
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(mr, "Content-Security-Policy", html ? CSP_HTML : CSP_API);
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, html ? "no-cache" : "no-store");
	if (req->srv->cert_pem)
		MHD_add_response_header(mr, "Strict-Transport-Security", "max-age=31536000");
	/* during a drain, keep-alive connections are closed after their answer */
	if (atomic_load(&req->srv->draining) || req->over)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
	for (i = 0; i < resp->nh; i++)
		MHD_add_response_header(mr, resp->hname[i], resp->hval[i]);
	req->status = resp->status;
	req->answered = true;
	rc = MHD_queue_response(req->conn, resp->status, mr);
	MHD_destroy_response(mr);
	resp_clear(resp);
	return rc;
}

static enum MHD_Result send_error(bh_srv_req *req, unsigned status, const char *code, const char *msg,
				  const char *hname, const char *hval)
{
	bh_srv_resp r;
	memset(&r, 0, sizeof(r));
	bh_srv_resp_error(&r, status, code, "%s", msg);
	if (hname)
		bh_srv_resp_header(&r, hname, hval);
	return send_resp(req, &r);
}

/* ---------------------------------------------------------------- request accessors */

const char *bh_srv_method(const bh_srv_req *req) { return req->method; }
const char *bh_srv_path(const bh_srv_req *req) { return req->path; }
json_t *bh_srv_json(const bh_srv_req *req) { return req->json; }
const bh_srv_principal *bh_srv_principal_of(const bh_srv_req *req) { return &req->principal; }

const char *bh_srv_param(const bh_srv_req *req, const char *name)
{
	size_t nl = strlen(name);
	unsigned i;
	for (i = 0; i < req->nparams; i++)
		if (req->params[i].name_len == nl && !memcmp(req->params[i].name, name, nl))
			return req->params[i].value;
	return NULL;
}

const char *bh_srv_query(const bh_srv_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *bh_srv_header(const bh_srv_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *bh_srv_body(const bh_srv_req *req, size_t *len)
{
	*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

const char *bh_srv_peer(const bh_srv_req *cr)
{
	bh_srv_req *req = (bh_srv_req *)cr; /* filled lazily: the address is fixed per request */
	const union MHD_ConnectionInfo *ci;
	if (req->peer[0])
		return req->peer;
	ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, req->peer, sizeof(req->peer));
	else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, req->peer, sizeof(req->peer));
	if (!req->peer[0])
		snprintf(req->peer, sizeof(req->peer), "?");
	return req->peer;
}

int bh_srv_query_int(bh_srv_req *req, bh_srv_resp *resp, const char *name, int64_t min, int64_t max,
		     int64_t def, int64_t *out)
{
	const char *v = bh_srv_query(req, name);
	if (!v) {
		*out = def;
		return 0;
	}
	if (bh_srv_parse_int(v, min, max, out)) {
		bh_srv_resp_error(resp, 400, "bad_parameter", "query parameter %s: an integer from %lld to %lld is expected",
				  name, (long long)min, (long long)max);
		return BH_EINVAL;
	}
	return 0;
}

int bh_srv_query_enum(bh_srv_req *req, bh_srv_resp *resp, const char *name, const char *const *allowed,
		      int def, int *out)
{
	const char *v = bh_srv_query(req, name);
	char list[256];
	size_t used = 0;
	int i;
	if (!v) {
		*out = def;
		return 0;
	}
	for (i = 0; allowed[i]; i++)
		if (!strcmp(v, allowed[i])) {
			*out = i;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; allowed[i] && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", allowed[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	bh_srv_resp_error(resp, 400, "bad_parameter", "query parameter %s: one of %s is expected", name, list);
	return BH_EINVAL;
}

int bh_srv_query_bool(bh_srv_req *req, bh_srv_resp *resp, const char *name, bool def, bool *out)
{
	static const char *const vals[] = { "false", "true", "0", "1", NULL };
	int i;
	int rc = bh_srv_query_enum(req, resp, name, vals, def ? 1 : 0, &i);
	if (!rc)
		*out = i == 1 || i == 3;
	return rc;
}

int bh_srv_query_cursor(bh_srv_req *req, bh_srv_resp *resp, const char *name, void *out, size_t cap,
			size_t *out_len)
{
	const char *v = bh_srv_query(req, name);
	*out_len = 0;
	if (!v)
		return 0;
	if (!*v || bh_srv_cursor_decode(v, out, cap, out_len)) {
		bh_srv_resp_error(resp, 400, "bad_parameter", "query parameter %s: not a cursor this server made", name);
		return BH_EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- metrics */

static void stats_add(struct stats *st, unsigned status, double secs)
{
	unsigned i;
	for (i = 0; i < STATUS_SLOTS; i++) {
		if (st->status[i] == status || !st->status[i]) {
			st->status[i] = status;
			st->count[i]++;
			break;
		}
	}
	if (i == STATUS_SLOTS)
		st->other++;
	for (i = 0; i < NBUCKETS && secs > g_bucket_le[i]; i++)
		;
	if (i < NBUCKETS)
		st->bucket[i]++;
	st->n++;
	st->sum += secs;
}

static void stats_write_counts(bh_buf *b, const char *method, const char *route, const struct stats *st)
{
	unsigned i;
	for (i = 0; i < STATUS_SLOTS && st->status[i]; i++)
		bh_buf_printf(b, "bulkhead_http_requests_total{method=\"%s\",route=\"%s\",status=\"%u\"} %llu\n",
			      method, route, st->status[i], (unsigned long long)st->count[i]);
	if (st->other)
		bh_buf_printf(b, "bulkhead_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
			      method, route, (unsigned long long)st->other);
}

static void stats_write_hist(bh_buf *b, const char *method, const char *route, const struct stats *st)
{
	uint64_t cum = 0;
	unsigned i;
	if (!st->n)
		return;
	for (i = 0; i < NBUCKETS; i++) {
		cum += st->bucket[i];
		bh_buf_printf(b, "bulkhead_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
			      method, route, g_bucket_le[i], (unsigned long long)cum);
	}
	bh_buf_printf(b, "bulkhead_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
		      method, route, (unsigned long long)st->n);
	bh_buf_printf(b, "bulkhead_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method, route, st->sum);
	bh_buf_printf(b, "bulkhead_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
		      method, route, (unsigned long long)st->n);
}

void bh_srv_metrics_gauge(bh_buf *out, const char *name, const char *help, const char *labels, double value)
{
	bh_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s%s%s%s %.17g\n", name, help, name, name,
		      labels ? "{" : "", labels ? labels : "", labels ? "}" : "", value);
}

static int h_metrics(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_srv *s = ud;
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc;
	/* route patterns are ours (checked in route_add), so they need no label escaping */
	pthread_mutex_lock(&s->mu);
	bh_buf_puts(&b, "# HELP bulkhead_http_requests_total HTTP requests answered, by route and status.\n"
			"# TYPE bulkhead_http_requests_total counter\n");
	for (i = 0; i < s->nroutes; i++)
		stats_write_counts(&b, s->routes[i].method, s->routes[i].pattern, &s->routes[i].st);
	stats_write_counts(&b, "", "unmatched", &s->unmatched);
	bh_buf_puts(&b, "# HELP bulkhead_http_request_duration_seconds Time from request headers to the last byte sent.\n"
			"# TYPE bulkhead_http_request_duration_seconds histogram\n");
	for (i = 0; i < s->nroutes; i++)
		stats_write_hist(&b, s->routes[i].method, s->routes[i].pattern, &s->routes[i].st);
	stats_write_hist(&b, "", "unmatched", &s->unmatched);
	pthread_mutex_unlock(&s->mu);
	bh_srv_metrics_gauge(&b, "bulkhead_http_requests_in_flight", "Requests being handled now.", NULL,
			     (double)atomic_load(&s->inflight));
	if (s->cfg.gauges)
		s->cfg.gauges(s->cfg.gauges_ud, &b);
	if (bh_buf_oom(&b)) {
		bh_buf_free(&b);
		return BH_ENOMEM;
	}
	rc = bh_srv_resp_data(resp, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
	bh_buf_free(&b);
	return rc;
}

static int h_healthz(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_srv *s = ud;
	if (atomic_load(&s->draining))
		return bh_srv_resp_json(resp, 503, json_pack("{s:s}", "status", "draining"));
	return bh_srv_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

/* ---------------------------------------------------------------- the MHD callbacks */

/* The route for method+path: the matching one with fewest parameters (so "/images/affected" wins
 * over "/images/{digest}"); *allowed lists the methods of routes whose pattern matches. */
static struct route *route_find(bh_srv *s, bh_srv_req *req, char *allowed, size_t acap)
{
	struct route *best = NULL;
	bh_srv_param_ref tmp[BH_SRV_PARAMS_MAX];
	size_t plen = strlen(req->path), i, used = 0;
	const char *m = !strcmp(req->method, "HEAD") ? "GET" : req->method;
	unsigned n;
	allowed[0] = '\0';
	for (i = 0; i < s->nroutes; i++) {
		struct route *r = &s->routes[i];
		char scratch[BH_SRV_PATH_MAX + 1];
		if (!bh_srv_path_match(r->pattern, req->path, tmp, BH_SRV_PARAMS_MAX, &n, scratch, sizeof(scratch)))
			continue;
		if (strcmp(r->method, m) != 0) {
			if (!strstr(allowed, r->method) && used + strlen(r->method) + 3 < acap)
				used += (size_t)snprintf(allowed + used, acap - used, "%s%s", used ? ", " : "", r->method);
			continue;
		}
		if (!best || r->nparams < best->nparams)
			best = r;
	}
	if (best && !bh_srv_path_match(best->pattern, req->path, req->params, BH_SRV_PARAMS_MAX, &req->nparams,
				       req->vbuf, plen + 1))
		best = NULL;
	return best;
}

/* 0 when the caller may use the route; otherwise the error answer has been queued. */
static int check_auth(bh_srv *s, bh_srv_req *req, enum MHD_Result *mrc)
{
	const char *h = bh_srv_header(req, MHD_HTTP_HEADER_AUTHORIZATION), *tok;
	unsigned allow = req->route->r.allow ? req->route->r.allow : BH_SRV_ALLOW_ADMIN;
	size_t tl;
	int rc;

	if (req->route->r.public_route)
		return 0;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		*mrc = send_error(req, 401, "unauthorized", "a bearer token is required (Authorization: Bearer TOKEN)",
				  MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"bulkhead\"");
		return -1;
	}
	tok = h + 7;
	while (*tok == ' ')
		tok++;
	tl = strlen(tok);
	rc = BH_EAUTH;
	if (tl && tl <= BH_SRV_TOKEN_MAX && tok[strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")] == '\0') {
		rc = s->cfg.authenticate ? s->cfg.authenticate(s->cfg.auth_ud, tok, &req->principal) : BH_EAUTH;
		if (!rc && req->principal.role == BH_SRV_ROLE_NONE)
			rc = BH_EAUTH;
	}
	if (rc == BH_EAUTH) {
		memset(&req->principal, 0, sizeof(req->principal));
		*mrc = send_error(req, 401, "unauthorized", "the token is not valid (unknown, expired or revoked)",
				  MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"bulkhead\", error=\"invalid_token\"");
		return -1;
	}
	if (rc) {
		bh_log_warn("http: token check failed (status %d)", rc);
		*mrc = send_error(req, 500, "internal", "the token could not be checked", NULL, NULL);
		return -1;
	}
	if (!((unsigned)req->principal.role & allow)) {
		*mrc = send_error(req, 403, "forbidden", "this token's role may not use this route", NULL, NULL);
		return -1;
	}
	return 0;
}

/* First call of a request: route, auth, declared size; queues the early error answers. */
static enum MHD_Result begin(bh_srv *s, bh_srv_req *req)
{
	char allowed[128];
	enum MHD_Result mrc = MHD_YES;
	const char *cl;
	struct route *r;

	if (strlen(req->path) > BH_SRV_PATH_MAX)
		return send_error(req, 414, "uri_too_long", "the path is too long", NULL, NULL);
	r = route_find(s, req, allowed, sizeof(allowed));
	if (!r) {
		if (allowed[0]) {
			char msg[200];
			snprintf(msg, sizeof(msg), "method %s is not allowed here (allowed: %s)", req->method, allowed);
			return send_error(req, 405, "method_not_allowed", msg, MHD_HTTP_HEADER_ALLOW, allowed);
		}
		return send_error(req, 404, "not_found", "no such resource", NULL, NULL);
	}
	req->route = r;
	if (check_auth(s, req, &mrc))
		return mrc;
	req->cap = r->r.body == BH_SRV_BODY_NONE ? 0 : r->r.max_body ? r->r.max_body : s->cfg.max_body;
	cl = bh_srv_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		int64_t n;
		if (bh_srv_parse_int(cl, 0, INT64_MAX, &n))
			return send_error(req, 400, "bad_request", "bad Content-Length", NULL, NULL);
		if ((uint64_t)n > req->cap) {
			char msg[120];
			req->over = true;
			snprintf(msg, sizeof(msg), "the body is larger than the %zu bytes this route accepts", req->cap);
			return send_error(req, 413, "body_too_large", msg, NULL, NULL);
		}
	}
	return MHD_YES;
}

static enum MHD_Result finish(bh_srv *s, bh_srv_req *req)
{
	bh_srv_resp resp;
	bh_error err;
	int rc;

	if (req->over) {
		char msg[120];
		snprintf(msg, sizeof(msg), "the body is larger than the %zu bytes this route accepts", req->cap);
		return send_error(req, 413, "body_too_large", msg, NULL, NULL);
	}
	if (bh_buf_oom(&req->body))
		return send_error(req, 500, "internal", "out of memory reading the body", NULL, NULL);
	if (req->route->r.body == BH_SRV_BODY_JSON) {
		bh_error_clear(&err);
		rc = bh_srv_body_parse(req->body.data, req->body.len, s->cfg.max_json_depth, &req->json, &err);
		if (rc)
			return send_error(req, 400, "bad_json", err.msg, NULL, NULL);
	}
	memset(&resp, 0, sizeof(resp));
	rc = req->route->r.handler(req, &resp, req->route->r.ud);
	if (rc && !resp.set) {
		bh_log_warn("http: %s %s: handler failed (%s)", req->method, req->path, bh_error_name(rc));
		bh_srv_resp_error(&resp, 500, "internal", "internal error");
	}
	return send_resp(req, &resp);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * MHD decodes the path and every query key and value with this before on_access sees them. The
 * decoding is MHD's own (MHD_http_unescape); what is noted first is what decoding hides: a %00
 * (the C string would end there) and a %2F (an encoded '/', which in the path would move text
 * into the next segment). The strings are decoded in place and the path handed to on_access is
 * the same buffer, so a noted pointer equal to on_access's url means the %2F was in the path.
 */
static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *val)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_ctx *cx = ci ? ci->socket_context : NULL;
	bool slash = false;
	const char *p;
	(void)cls;
	for (p = val; (p = strchr(p, '%')) != NULL; p++) {
		int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
		if (hi < 0 || lo < 0)
			continue;
		if (hi == 0 && lo == 0 && cx)
			cx->nul = true;
		else if (hi == 2 && lo == 0xf)
			slash = true;
	}
	if (slash && cx) {
		if (cx->nslash < SLASH_PTRS)
			cx->slash_at[cx->nslash++] = val;
		else
			cx->slash_overflow = true;
	}
	return MHD_http_unescape(val);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn_ctx)); /* NULL: its requests get 400 */
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_context);
		*socket_context = NULL;
	}
}

/* 0, or the 400 to answer for what on_unescape saw in this request's target (the notes are cleared
 * for the connection's next request). */
static const char *target_problem(struct MHD_Connection *conn, const char *url)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_ctx *cx = ci ? ci->socket_context : NULL;
	const char *why = NULL;
	unsigned i;
	if (!cx) /* no context (out of memory at accept): refuse rather than route unchecked */
		return "the request could not be checked";
	if (cx->nul)
		why = "the request target contains an encoded NUL (%00)";
	else if (cx->slash_overflow)
		why = "the request target contains too many encoded '/' (%2F)";
	for (i = 0; !why && i < cx->nslash; i++)
		if (cx->slash_at[i] == url)
			why = "the path contains an encoded '/' (%2F)";
	memset(cx, 0, sizeof(*cx));
	return why;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	bh_srv *s = cls;
	bh_srv_req *req = *con_cls;
	bh_logger *prev = NULL;
	enum MHD_Result rc = MHD_YES;
	size_t plen;

	if (s->cfg.logger)
		prev = bh_log_install(s->cfg.logger);
	if (!req) {
		req = calloc(1, sizeof(*req));
		plen = strlen(url);
		if (!req || !(req->path = strdup(url)) || !(req->vbuf = malloc(plen + 1))) {
			if (req) {
				free(req->path);
				free(req);
			}
			rc = MHD_NO;
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &req->t0);
		atomic_fetch_add(&s->inflight, 1);
		req->srv = s;
		req->conn = conn;
		snprintf(req->method, sizeof(req->method), "%s", method);
		*con_cls = req;
		{
			const char *why = target_problem(conn, url);
			rc = why ? send_error(req, 400, "bad_request", why, NULL, NULL) : begin(s, req);
		}
		goto out;
	}
	if (req->answered) {
		/* an early answer is queued; what is left of the body is dropped */
		*upload_size = 0;
		goto out;
	}
	if (*upload_size) {
		size_t n = *upload_size, total;
		*upload_size = 0;
		if (!req->over && (!bh_size_add(req->body.len, n, &total) || total > req->cap)) {
			req->over = true;
			bh_buf_free(&req->body);
		}
		if (req->over) {
			req->dropped += n;
			if (req->dropped > DISCARD_MAX)
				rc = MHD_NO;
		} else {
			bh_buf_append(&req->body, upload, n);
		}
		goto out;
	}
	rc = finish(s, req);
out:
	if (s->cfg.logger)
		bh_log_install(prev);
	return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	bh_srv *s = cls;
	bh_srv_req *req = *con_cls;
	bh_logger *prev = NULL;
	double secs;

	if (!req)
		return;
	*con_cls = NULL;
	secs = elapsed_s(&req->t0);
	pthread_mutex_lock(&s->mu);
	stats_add(req->route ? &req->route->st : &s->unmatched, req->status ? req->status : 499, secs);
	pthread_mutex_unlock(&s->mu);
	if (!s->cfg.quiet) {
		if (s->cfg.logger)
			prev = bh_log_install(s->cfg.logger);
		bh_log_info("http: %s %s %u %.1fms %s%s", req->method, req->path, req->status, secs * 1000.0,
			    req->principal.name[0] ? req->principal.name : "-",
			    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
		if (s->cfg.logger)
			bh_log_install(prev);
	}
	json_decref(req->json);
	bh_buf_free(&req->body);
	free(req->path);
	free(req->vbuf);
	free(req);
	atomic_fetch_sub(&s->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	bh_srv *s = cls;
	bh_logger *prev = NULL;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (s->cfg.logger)
		prev = bh_log_install(s->cfg.logger);
	bh_log_debug("http: libmicrohttpd: %s", msg);
	if (s->cfg.logger)
		bh_log_install(prev);
}

/* ---------------------------------------------------------------- lifecycle */

static char *dup_or_null(const char *s, bool *bad)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*bad = true;
	return d;
}

int bh_srv_new(const bh_srv_config *cfg, bh_srv **out, bh_error *err)
{
	static const bh_srv_route health = { "GET", "/healthz", h_healthz, NULL, 0, true, BH_SRV_BODY_NONE, 0, false };
	static const bh_srv_route metrics = { "GET", "/metrics", h_metrics, NULL, BH_SRV_ALLOW_VIEWER, false,
					      BH_SRV_BODY_NONE, 0, false };
	bh_srv_route r;
	bh_limits lim;
	bool bad = false;
	bh_srv *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return bh_error_set(err, BH_ENOMEM, "server: out of memory");
	s->cfg = *cfg;
	s->listen = dup_or_null(cfg->listen ? cfg->listen : "127.0.0.1:8470", &bad);
	s->tls_cert = dup_or_null(cfg->tls_cert, &bad);
	s->tls_key = dup_or_null(cfg->tls_key, &bad);
	s->cfg.listen = s->listen;
	s->cfg.tls_cert = s->tls_cert;
	s->cfg.tls_key = s->tls_key;
	s->pipe_fd[0] = s->pipe_fd[1] = -1;
	pthread_mutex_init(&s->mu, NULL);
	if (!s->cfg.threads)
		s->cfg.threads = 4;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = 512;
	if (!s->cfg.conn_timeout_s)
		s->cfg.conn_timeout_s = 30;
	if (!s->cfg.per_ip_connections)
		s->cfg.per_ip_connections = 64;
	if (!s->cfg.drain_ms)
		s->cfg.drain_ms = 10000;
	if (!s->cfg.max_body)
		s->cfg.max_body = (size_t)1 << 20;
	if (!s->cfg.max_json_depth) {
		bh_limits_default(&lim);
		s->cfg.max_json_depth = lim.max_json_depth;
	}
	if (bad || pipe2(s->pipe_fd, O_CLOEXEC | O_NONBLOCK)) {
		bh_srv_free(s);
		return bh_error_set(err, bad ? BH_ENOMEM : BH_EIO, "server: cannot set up: %s", bad ? "out of memory" : strerror(errno));
	}
	if ((!cfg->tls_cert) != (!cfg->tls_key)) {
		bh_srv_free(s);
		return bh_error_set(err, BH_EUSAGE, "server: --tls-cert and --tls-key go together");
	}
	r = health;
	r.ud = s;
	if (bh_srv_route_add(s, &r, err) == 0) {
		r = metrics;
		r.ud = s;
		if (bh_srv_route_add(s, &r, err) == 0) {
			*out = s;
			return 0;
		}
	}
	bh_srv_free(s);
	return err ? err->code : BH_ENOMEM;
}

static bool pattern_ok(const char *p, unsigned *nparams)
{
	unsigned n = 0;
	if (*p != '/' || strlen(p) > BH_SRV_PATH_MAX)
		return false;
	while (*p) {
		const char *e;
		p++;
		e = p + strcspn(p, "/");
		if (*p == '{') {
			const char *c;
			if (e - p < 3 || e[-1] != '}' || ++n > BH_SRV_PARAMS_MAX)
				return false;
			for (c = p + 1; c < e - 1; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
					return false;
		} else {
			const char *c;
			for (c = p; c < e; c++)
				if ((unsigned char)*c <= ' ' || *c == '{' || *c == '}' || *c == '"' || *c == '\\' || *c == 0x7f)
					return false;
		}
		p = e;
	}
	*nparams = n;
	return true;
}

int bh_srv_route_add_all(bh_srv *s, const bh_srv_route *r, size_t n, bh_error *err)
{
	size_t i;
	int rc;
	for (i = 0; i < n; i++)
		if ((rc = bh_srv_route_add(s, &r[i], err)) != 0)
			return rc;
	return 0;
}

int bh_srv_route_add(bh_srv *s, const bh_srv_route *r, bh_error *err)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "PATCH", NULL };
	struct route *nr;
	unsigned np, i;
	bool mok = false;

	if (s->d)
		return bh_error_set(err, BH_EUSAGE, "server: routes are added before the server starts");
	for (i = 0; r->method && methods[i]; i++)
		mok |= !strcmp(r->method, methods[i]);
	if (!mok || !r->handler || !r->pattern || !pattern_ok(r->pattern, &np))
		return bh_error_set(err, BH_EUSAGE, "server: bad route %s %s", r->method ? r->method : "?",
				    r->pattern ? r->pattern : "?");
	for (i = 0; i < s->nroutes; i++)
		if (!strcmp(s->routes[i].method, r->method) && !strcmp(s->routes[i].pattern, r->pattern))
			return bh_error_set(err, BH_EUSAGE, "server: route %s %s added twice", r->method, r->pattern);
	if (s->nroutes == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16, bytes;
		if (!bh_size_mul(nc, sizeof(*nr), &bytes) || !(nr = realloc(s->routes, bytes)))
			return bh_error_set(err, BH_ENOMEM, "server: out of memory");
		s->routes = nr;
		s->cap = nc;
	}
	nr = &s->routes[s->nroutes];
	memset(nr, 0, sizeof(*nr));
	nr->r = *r;
	nr->method = strdup(r->method);
	nr->pattern = strdup(r->pattern);
	nr->nparams = np;
	if (!nr->method || !nr->pattern) {
		free(nr->method);
		free(nr->pattern);
		return bh_error_set(err, BH_ENOMEM, "server: out of memory");
	}
	nr->r.method = nr->method;
	nr->r.pattern = nr->pattern;
	s->nroutes++;
	return 0;
}

static int read_pem(const char *path, char **out, bh_error *err)
{
	FILE *f = fopen(path, "rb");
	bh_buf b = BH_BUF_INIT;
	char tmp[8192];
	size_t n;
	*out = NULL;
	if (!f)
		return bh_error_set(err, BH_EINVAL, "server: cannot open %s: %s", path, strerror(errno));
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (b.len + n > PEM_MAX) {
			fclose(f);
			bh_buf_free(&b);
			return bh_error_set(err, BH_EINVAL, "server: %s is larger than 1 MiB", path);
		}
		bh_buf_append(&b, tmp, n);
	}
	fclose(f);
	if (!b.len) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_EINVAL, "server: %s is empty", path);
	}
	*out = bh_buf_steal(&b);
	return *out ? 0 : bh_error_set(err, BH_ENOMEM, "server: out of memory");
}

/* "HOST:PORT" into s->addr; *flags gets the MHD address family flags. */
static int parse_listen(bh_srv *s, unsigned *flags, bh_error *err)
{
	char host[256];
	const char *l = s->listen, *port;
	struct addrinfo hints, *ai = NULL;
	int64_t pv;
	size_t hl;
	int gai;

	if (l[0] == '[') {
		const char *e = strchr(l, ']');
		if (!e || e[1] != ':')
			return bh_error_set(err, BH_EINVAL, "server: listen address %s: [IPv6]:PORT expected", l);
		hl = (size_t)(e - l - 1);
		memcpy(host, l + 1, hl < sizeof(host) ? hl : 0);
		port = e + 2;
	} else {
		const char *c = strrchr(l, ':');
		if (!c || memchr(l, ':', (size_t)(c - l)))
			return bh_error_set(err, BH_EINVAL, "server: listen address %s: HOST:PORT expected", l);
		hl = (size_t)(c - l);
		memcpy(host, l, hl < sizeof(host) ? hl : 0);
		port = c + 1;
	}
	if (!hl || hl >= sizeof(host) || bh_srv_parse_int(port, 0, 65535, &pv))
		return bh_error_set(err, BH_EINVAL, "server: listen address %s: HOST:PORT expected (port 0-65535)", l);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	gai = getaddrinfo(host, NULL, &hints, &ai);
	if (gai || !ai)
		return bh_error_set(err, BH_EINVAL, "server: listen address %s: %s", l, gai_strerror(gai));
	memset(&s->addr, 0, sizeof(s->addr));
	memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen <= sizeof(s->addr) ? ai->ai_addrlen : 0);
	*flags = 0;
	if (ai->ai_family == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)&s->addr;
		a6->sin6_port = htons((uint16_t)pv);
		*flags = IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	} else {
		((struct sockaddr_in *)(void *)&s->addr)->sin_port = htons((uint16_t)pv);
	}
	freeaddrinfo(ai);
	return 0;
}

static void free_pems(bh_srv *s)
{
	free(s->cert_pem);
	free(s->key_pem);
	s->cert_pem = s->key_pem = NULL;
}

int bh_srv_start(bh_srv *s, bh_error *err)
{
	struct MHD_OptionItem ops[16];
	unsigned flags = 0, fam = 0, k = 0;
	const union MHD_DaemonInfo *di;
	int rc;

	if (s->d)
		return bh_error_set(err, BH_EUSAGE, "server: already started");
	if ((rc = parse_listen(s, &fam, err)))
		return rc;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG | fam;
	if (s->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return bh_error_set(err, BH_EUNSUPPORTED, "server: this libmicrohttpd has no TLS support");
		if ((rc = read_pem(s->tls_cert, &s->cert_pem, err)) || (rc = read_pem(s->tls_key, &s->key_pem, err))) {
			free_pems(s);
			return rc;
		}
		flags |= MHD_USE_TLS;
		ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem };
		ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem };
	}
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &s->addr };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->cfg.threads, NULL };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->cfg.max_connections, NULL };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->cfg.conn_timeout_s, NULL };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)s->cfg.per_ip_connections, NULL };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)on_unescape, s };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)(64 * 1024), NULL };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, s };
	ops[k++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	atomic_store(&s->draining, 0);
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, s, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
	if (!s->d) {
		free_pems(s);
		return bh_error_set(err, BH_EIO, "server: cannot listen on %s%s (address in use, bad TLS key or certificate?)",
				    s->listen, s->tls_cert ? " with TLS" : "");
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	bh_log_info("server: listening on %s (port %u)%s", s->listen, s->port, s->tls_cert ? " with TLS" : "");
	return 0;
}

unsigned bh_srv_port(const bh_srv *s) { return s->port; }
unsigned bh_srv_inflight(const bh_srv *s) { return atomic_load(&((bh_srv *)s)->inflight); }

void bh_srv_stop(bh_srv *s)
{
	char c = 1;
	ssize_t w = write(s->pipe_fd[1], &c, 1);
	(void)w;
}

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	int fd = atomic_load(&g_sig_fd);
	if (fd >= 0) {
		ssize_t w = write(fd, &c, 1);
		(void)w;
	}
	errno = saved;
}

int bh_srv_shutdown(bh_srv *s, unsigned drain_ms, bh_error *err)
{
	MHD_socket lfd;
	struct timespec t0;
	unsigned left;

	if (!s->d)
		return 0;
	atomic_store(&s->draining, 1);
	/* stop accepting first: new connections are refused while in-flight requests finish */
	lfd = MHD_quiesce_daemon(s->d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&s->inflight) && elapsed_s(&t0) * 1000.0 < drain_ms)
		usleep(2000);
	left = atomic_load(&s->inflight);
	MHD_stop_daemon(s->d);
	s->d = NULL;
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	free_pems(s);
	bh_log_info("server: stopped%s", left ? " (requests cut at the drain deadline)" : "");
	if (left)
		return bh_error_set(err, BH_ELIMIT, "server: %u requests were still running after %u ms", left, drain_ms);
	return 0;
}

int bh_srv_run(bh_srv *s, bh_error *err)
{
	struct sigaction sa, old_term, old_int;
	struct pollfd pfd;
	char drainbuf[64];

	if (!s->d)
		return bh_error_set(err, BH_EUSAGE, "server: not started");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	atomic_store(&g_sig_fd, s->pipe_fd[1]);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	pfd.fd = s->pipe_fd[0];
	pfd.events = POLLIN;
	for (;;) {
		int n = poll(&pfd, 1, -1);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR)
			break;
	}
	while (read(s->pipe_fd[0], drainbuf, sizeof(drainbuf)) > 0)
		;
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	atomic_store(&g_sig_fd, -1);
	bh_log_info("server: shutting down (up to %u ms for requests in flight)", s->cfg.drain_ms);
	return bh_srv_shutdown(s, s->cfg.drain_ms, err);
}

void bh_srv_free(bh_srv *s)
{
	size_t i;
	if (!s)
		return;
	bh_srv_shutdown(s, 0, NULL);
	free_pems(s);
	for (i = 0; i < s->nroutes; i++) {
		free(s->routes[i].method);
		free(s->routes[i].pattern);
	}
	free(s->routes);
	free(s->listen);
	free(s->tls_cert);
	free(s->tls_key);
	if (s->pipe_fd[0] >= 0)
		close(s->pipe_fd[0]);
	if (s->pipe_fd[1] >= 0)
		close(s->pipe_fd[1]);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
