/* http.h - the HTTP layer of `bulkhead serve` (libmicrohttpd): listener, TLS, router, auth hook,
 * bounded bodies, response helpers, security headers, request log, /healthz, /metrics, shutdown. */
#ifndef BH_SERVER_HTTP_H
#define BH_SERVER_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"

/*
 * How to put a route on the server (the API routes of issue 15 are added this way):
 *
 *   static int get_image(bh_srv_req *req, bh_srv_resp *resp, void *ud)
 *   {
 *       const char *digest = bh_srv_param(req, "digest");      // from "/api/v1/images/{digest}"
 *       int64_t limit;
 *       if (bh_srv_query_int(req, resp, "limit", 1, 500, 50, &limit))
 *           return 0;                                            // a 400 is already set
 *       json_t *o = json_pack("{s:s}", "digest", digest);
 *       return bh_srv_resp_json(resp, 200, o);                   // takes the reference to o
 *   }
 *   static const bh_srv_route r = { "GET", "/api/v1/images/{digest}", get_image, NULL,
 *                                   .allow = BH_SRV_ALLOW_VIEWER };
 *   bh_srv_route_add(srv, &r, &err);                             // before bh_srv_start
 *
 * Order of checks for every request, all before the body is read: the request target (400 when the
 * path or a query value holds an encoded NUL, %00, or the path an encoded '/', %2F: both would
 * otherwise be decoded before routing, a NUL cutting the value short and a %2F moving a parameter's
 * text into another segment), route (404, or 405 with Allow),
 * bearer token through cfg.authenticate (401 + WWW-Authenticate: Bearer), role (403),
 * Content-Length over the route's cap (413). Then the body is read in pieces into memory up to the
 * cap (a chunked body that goes over is discarded as it arrives and answered 413), JSON bodies are
 * parsed with bh_json_load (400 when malformed or deeper than max_json_depth), and the handler runs.
 *
 * Ownership: the server owns bh_srv_req and bh_srv_resp; they and every string read from them
 * (params, query values, headers, body, req->json) live until the handler returns. The handler
 * sets at most one response body with a bh_srv_resp_* call; bh_srv_resp_json takes the JSON
 * reference it is given (also on failure), bh_srv_resp_data copies, bh_srv_resp_stream hands
 * ud to the server, which calls free_fn(ud) exactly once when the response is done or abandoned.
 * A handler returns 0, or a negative status: when no response was set that becomes a 500 (its
 * reason is logged, never sent); when a response was set (e.g. by a bh_srv_query_* helper) it is
 * sent as it is. Returning 0 without a response is a bug and answers 500 too.
 *
 * Threads: handlers run on the server's pool threads, several at once; cfg.logger is installed in
 * them while they run. A handler may block (a store query); a stream read function should not
 * block for long (it holds one pool thread).
 */

/* Roles, from the authenticate callback; viewer < operator < admin, agent beside them. */
typedef enum bh_srv_role {
	BH_SRV_ROLE_NONE = 0,
	BH_SRV_ROLE_VIEWER = 1,
	BH_SRV_ROLE_OPERATOR = 2,
	BH_SRV_ROLE_ADMIN = 4,
	BH_SRV_ROLE_AGENT = 8
} bh_srv_role;

/* Who may call a route (bh_srv_route.allow): a set of roles. 0 means admin only, so a route that
 * forgot to say is closed rather than open. */
#define BH_SRV_ALLOW_ADMIN ((unsigned)BH_SRV_ROLE_ADMIN)
#define BH_SRV_ALLOW_OPERATOR ((unsigned)(BH_SRV_ROLE_OPERATOR | BH_SRV_ROLE_ADMIN))
#define BH_SRV_ALLOW_VIEWER ((unsigned)(BH_SRV_ROLE_VIEWER | BH_SRV_ROLE_OPERATOR | BH_SRV_ROLE_ADMIN))
#define BH_SRV_ALLOW_AGENT ((unsigned)BH_SRV_ROLE_AGENT)

/* The authenticated caller, filled by cfg.authenticate. */
typedef struct bh_srv_principal {
	bh_srv_role role;
	int64_t id;          /* the token's row id in the store, 0 when none */
	char name[64];       /* for logs and the audit trail */
	char host[128];      /* agents: the host whose data this token may write ("" otherwise) */
} bh_srv_principal;

/*
 * Checks a bearer token (NUL-terminated, never empty, at most BH_SRV_TOKEN_MAX bytes). Returns 0
 * and fills *p (role != NONE), or BH_EAUTH for an unknown, expired or revoked token (401); any other
 * negative status is a failure of the check itself (500). Called from pool threads concurrently.
 */
typedef int (*bh_srv_auth_fn)(void *ud, const char *token, bh_srv_principal *p);
#define BH_SRV_TOKEN_MAX 512

/* Appends gauges of the caller (queue depths, store sizes) to a /metrics answer, in Prometheus
 * text format; bh_srv_metrics_gauge writes one. Called from a pool thread. */
typedef void (*bh_srv_gauges_fn)(void *ud, bh_buf *out);

typedef struct bh_srv_config {
	const char *listen;        /* "HOST:PORT": "127.0.0.1:8470", "[::1]:0", "0.0.0.0:8470", "[::]:8470"
	                            * (both families), "localhost:8470"; port 0 = ephemeral. NULL: 127.0.0.1:8470 */
	const char *tls_cert;      /* PEM certificate chain file; with tls_key, HTTPS (GnuTLS) */
	const char *tls_key;       /* PEM private key file */
	unsigned threads;          /* pool threads; 0: 4 */
	unsigned max_connections;  /* open connections at once; 0: 512 */
	unsigned conn_timeout_s;   /* a connection idle this long is closed; 0: 30 */
	unsigned per_ip_connections; /* open connections from one client address; 0: 64. Behind a
	                            * reverse proxy every client has the proxy's address: raise it there */
	unsigned drain_ms;         /* bh_srv_run: time in-flight requests get at shutdown; 0: 10000 */
	size_t max_body;           /* body cap of routes that set none; 0: 1 MiB */
	unsigned max_json_depth;   /* JSON body nesting; 0: the bh_limits default */
	bh_srv_auth_fn authenticate; /* NULL: every non-public route answers 401 */
	void *auth_ud;
	bh_srv_gauges_fn gauges;   /* NULL: none */
	void *gauges_ud;
	bh_logger *logger;         /* installed in pool threads; NULL: the process default */
	bool quiet;                /* no per-request log lines (benchmarks) */
} bh_srv_config;

typedef struct bh_srv bh_srv;
typedef struct bh_srv_req bh_srv_req;
typedef struct bh_srv_resp bh_srv_resp;

typedef int (*bh_srv_handler)(bh_srv_req *req, bh_srv_resp *resp, void *ud);

/* Body handling of a route. */
typedef enum bh_srv_body {
	BH_SRV_BODY_NONE = 0, /* a body is refused with 413 (GET, DELETE) */
	BH_SRV_BODY_RAW,      /* bytes, bh_srv_body() */
	BH_SRV_BODY_JSON      /* parsed into req->json (NULL when the body is empty) */
} bh_srv_bodykind;

typedef struct bh_srv_route {
	const char *method;    /* "GET", "POST", "PUT", "DELETE", "PATCH"; GET routes also answer HEAD */
	const char *pattern;   /* "/api/v1/images/{digest}": literal segments and {name} segments,
	                        * each {name} matches one non-empty segment (no '/') */
	bh_srv_handler handler;
	void *ud;              /* passed to handler; owned by the caller, kept alive while the server runs */
	unsigned allow;        /* BH_SRV_ALLOW_* | BH_SRV_ALLOW_AGENT; 0: admin only */
	bool public_route;     /* no token asked (only /healthz in the product) */
	bh_srv_bodykind body;
	size_t max_body;       /* cap for this route; 0: cfg.max_body */
	bool html;             /* an HTML page: strict CSP instead of Cache-Control: no-store */
} bh_srv_route;

/* Limits of what the router accepts (longer paths get 404/414, more params 404). */
#define BH_SRV_PATH_MAX 2048
#define BH_SRV_PARAMS_MAX 8
#define BH_SRV_CURSOR_MAX 512

/* A new server with cfg copied (strings too) and /healthz, /metrics registered; *out freed with
 * bh_srv_free. Nothing listens before bh_srv_start. */
int bh_srv_new(const bh_srv_config *cfg, bh_srv **out, bh_error *err);
/* Adds a route (copied); before bh_srv_start only. BH_EUSAGE for a bad pattern or a duplicate. */
int bh_srv_route_add(bh_srv *s, const bh_srv_route *r, bh_error *err);
/* Adds the n routes of a module's table in order; the first failure is returned. */
int bh_srv_route_add_all(bh_srv *s, const bh_srv_route *r, size_t n, bh_error *err);
/* Binds and starts the pool; BH_EIO (address in use, ...), BH_EINVAL (listen, TLS files). */
int bh_srv_start(bh_srv *s, bh_error *err);
/* The bound port (useful with port 0), 0 before start. */
unsigned bh_srv_port(const bh_srv *s);
/*
 * Blocks until SIGTERM or SIGINT arrives or bh_srv_stop is called, then shuts down with cfg.drain_ms:
 * stops accepting, lets in-flight requests finish, then closes everything. Installs handlers for
 * both signals while it runs (and restores the old ones; one bh_srv_run per process at a time). 0, or BH_ELIMIT when requests were
 * still running at the deadline (they were cut).
 */
int bh_srv_run(bh_srv *s, bh_error *err);
/* Asks bh_srv_run to return; async-signal-safe, any thread. */
void bh_srv_stop(bh_srv *s);
/* Graceful stop without bh_srv_run (tests, embedding): like above with this deadline. */
int bh_srv_shutdown(bh_srv *s, unsigned drain_ms, bh_error *err);
/* Requests being handled now (counted from headers received to response sent). */
unsigned bh_srv_inflight(const bh_srv *s);
/* Shuts down (drain 0) if running, frees everything. NULL is fine. */
void bh_srv_free(bh_srv *s);

/* ---- the request (valid during the handler) ---- */
const char *bh_srv_method(const bh_srv_req *req);
const char *bh_srv_path(const bh_srv_req *req);
/* Path parameter by name ({digest}), percent-decoded, never NULL for a name in the pattern. */
const char *bh_srv_param(const bh_srv_req *req, const char *name);
/* Query value (decoded) or NULL; header value (case-insensitive name) or NULL. */
const char *bh_srv_query(const bh_srv_req *req, const char *name);
const char *bh_srv_header(const bh_srv_req *req, const char *name);
/* The raw body (NUL-terminated, len in *len) of BODY_RAW and BODY_JSON routes; "" when none. */
const char *bh_srv_body(const bh_srv_req *req, size_t *len);
/* Parsed body of BODY_JSON routes (borrowed; NULL when the body was empty). */
json_t *bh_srv_json(const bh_srv_req *req);
/* The caller (role NONE on public routes). */
const bh_srv_principal *bh_srv_principal_of(const bh_srv_req *req);
/* The client address as text ("127.0.0.1", "::1") for audit records. */
const char *bh_srv_peer(const bh_srv_req *req);

/* Query helpers: on a bad value they set a 400 on resp naming the parameter and return BH_EINVAL;
 * an absent parameter gives def. */
int bh_srv_query_int(bh_srv_req *req, bh_srv_resp *resp, const char *name, int64_t min, int64_t max,
		     int64_t def, int64_t *out);
/* Index of the value in allowed (NULL-terminated list); absent: def (may be -1). */
int bh_srv_query_enum(bh_srv_req *req, bh_srv_resp *resp, const char *name, const char *const *allowed,
		      int def, int *out);
int bh_srv_query_bool(bh_srv_req *req, bh_srv_resp *resp, const char *name, bool def, bool *out);
/* A pagination cursor: decoded into out (binary allowed, *out_len bytes); absent: *out_len 0. */
int bh_srv_query_cursor(bh_srv_req *req, bh_srv_resp *resp, const char *name, void *out, size_t cap,
			size_t *out_len);

/* The same checks on plain strings (used by the helpers above, and fuzzed). */
int bh_srv_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* Cursor text is unpadded base64url of at most BH_SRV_CURSOR_MAX characters. */
int bh_srv_cursor_decode(const char *s, void *out, size_t cap, size_t *out_len);
/* Appends the cursor text of data[0..len) to b (for "next_cursor" in a page). */
int bh_srv_cursor_encode(const void *data, size_t len, bh_buf *b);
/* Matches path against pattern; fills up to max params (names point into pattern, values are
 * NUL-terminated copies in vbuf[vcap]); true on a match. */
typedef struct bh_srv_param_ref {
	const char *name;
	size_t name_len;
	const char *value;
} bh_srv_param_ref;
bool bh_srv_path_match(const char *pattern, const char *path, bh_srv_param_ref *params, unsigned max,
		       unsigned *n, char *vbuf, size_t vcap);
/* Parses a request body as the server does for BODY_JSON routes (caller json_decref's *out). */
int bh_srv_body_parse(const char *data, size_t len, unsigned max_depth, json_t **out, bh_error *err);

/* ---- the response ---- */
/* JSON answer (takes the reference to body, also on failure; NULL body: "{}" ). */
int bh_srv_resp_json(bh_srv_resp *resp, unsigned status, json_t *body);
/* Bytes copied, with this Content-Type ("text/plain; charset=utf-8", "text/html; charset=utf-8"). */
int bh_srv_resp_data(bh_srv_resp *resp, unsigned status, const char *content_type, const void *data, size_t len);
/* {"error":{"code":code,"message":...}} with status. */
int bh_srv_resp_error(bh_srv_resp *resp, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * A streamed answer: read(ud, pos, buf, max) returns bytes written into buf (1..max),
 * BH_SRV_STREAM_END at the end, or BH_SRV_STREAM_ERROR (the connection is closed, the client sees
 * a cut body). size is the total when known (Content-Length), else BH_SRV_SIZE_UNKNOWN (chunked).
 * free_fn(ud) runs once when the server is done with it (may be NULL).
 */
#define BH_SRV_STREAM_END ((ssize_t)-1)
#define BH_SRV_STREAM_ERROR ((ssize_t)-2)
#define BH_SRV_SIZE_UNKNOWN UINT64_MAX
typedef ssize_t (*bh_srv_read_fn)(void *ud, uint64_t pos, char *buf, size_t max);
int bh_srv_resp_stream(bh_srv_resp *resp, unsigned status, const char *content_type, uint64_t size,
		       bh_srv_read_fn read, void (*free_fn)(void *), void *ud);
/* An extra header (copied); at most 8 per response. Security headers are always added. */
int bh_srv_resp_header(bh_srv_resp *resp, const char *name, const char *value);

/* One gauge in Prometheus text format (# HELP, # TYPE gauge, the sample); labels like
 * "queue=\"reeval\"" or NULL. For cfg.gauges. */
void bh_srv_metrics_gauge(bh_buf *out, const char *name, const char *help, const char *labels, double value);

#endif
