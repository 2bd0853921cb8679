/* http.h - the one HTTP(S) client of bulkhead (libcurl): TCP or unix socket, TLS, timeouts,
 * retries, size caps and streaming; every other module talks HTTP through it. */
#ifndef BH_NET_HTTP_H
#define BH_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

typedef enum bh_http_method { BH_HTTP_GET = 0, BH_HTTP_POST, BH_HTTP_PATCH, BH_HTTP_PUT } bh_http_method;

/* Response body cap when the request sets none (max_size 0). */
#define BH_HTTP_MAX_DEFAULT ((uint64_t)64 << 20)
/* Cap on the bytes of one response's header block. */
#define BH_HTTP_MAX_HEADERS (64u << 10)
/* Returned by a chunk callback to end a stream early without an error. */
#define BH_HTTP_STOP 1

/*
 * Streaming mode: called for each piece of a 2xx body in order, instead of collecting it. Returns
 * 0 to go on, BH_HTTP_STOP to end the transfer (bh_http_do then returns 0), or a negative status
 * (after filling err, else a generic message naming the URL is used) which bh_http_do returns.
 */
typedef int (*bh_http_chunk_fn)(void *ud, const char *data, size_t len, bh_error *err);
/* Called before a streamed request is repeated after on_chunk has seen data (e.g. truncates a
 * spool file); 0 or a negative status with err filled, which ends the request. */
typedef int (*bh_http_restart_fn)(void *ud, bh_error *err);
/* Transfer progress (bytes of body so far, total or 0 when unknown); e.g. a progress line. */
typedef void (*bh_http_progress_fn)(void *ud, uint64_t now, uint64_t total);

typedef struct bh_http_request {
	bh_http_method method;
	const char *url;              /* http:// or https:// (only those two, also on redirects) */
	const char *unix_socket;      /* connect to this socket path instead of the URL's host; NULL: TCP */
	const char *const *headers;   /* "Name: value" strings, NULL-terminated; NULL: none */
	const void *body;             /* POST, PATCH or PUT body (body_len bytes; NULL with 0 sends an empty body) */
	size_t body_len;
	long connect_timeout_ms;      /* 0: 10 s */
	long timeout_ms;              /* whole transfer; 0: 60 s; negative: none (event streams) */
	unsigned retries;             /* extra attempts on connection errors, 5xx and 429 (idempotent only; not after a total timeout) */
	long backoff_ms;              /* wait before the first retry, doubled each time (capped at 30 s); 0: 500 ms */
	bool idempotent;              /* lets a POST, PATCH or PUT be retried (GET always is) */
	uint64_t max_size;            /* body cap, streaming too: more is BH_ELIMIT; 0: BH_HTTP_MAX_DEFAULT, UINT64_MAX: none */
	bool follow_redirects;        /* at most 5 */
	/* TLS: peers are verified against the system CAs unless ca_file replaces them. */
	const char *ca_file;
	const char *cert_file, *key_file; /* client certificate (PEM), NULL: none */
	bool insecure;                /* no peer or host name verification: only when the user asked */
	bh_http_chunk_fn on_chunk;    /* NULL: the body is collected into the response */
	bh_http_restart_fn on_restart; /* NULL: a stream that broke after data reached on_chunk is not retried */
	bh_http_progress_fn on_progress;
	void *ud;                     /* for on_chunk, on_restart and on_progress */
	const volatile int *cancel;   /* when it becomes non-zero the transfer ends (checked about once a second); bh_http_do returns 0 */
	const char *user_agent;       /* NULL: "bulkhead/VERSION" */
} bh_http_request;

/* Why a request got no HTTP answer, for callers that act on the kind of failure (a registry
 * client falls back to plain HTTP on a loopback host whose server does not speak TLS, but never
 * when a TLS server's certificate fails verification). */
typedef enum bh_http_fail {
	BH_HTTP_FAIL_NONE = 0,  /* an answer came (or the request was not tried) */
	BH_HTTP_FAIL_CONNECT,   /* host not resolved or connection refused */
	BH_HTTP_FAIL_TLS,       /* TLS handshake failed (e.g. the server speaks plain HTTP) */
	BH_HTTP_FAIL_TLS_VERIFY,/* the peer's certificate or host name did not verify */
	BH_HTTP_FAIL_TIMEOUT,
	BH_HTTP_FAIL_OTHER
} bh_http_fail;

/* Filled by bh_http_do; the caller initialises it with BH_HTTP_RESPONSE_INIT and frees it with
 * bh_http_response_free (also after a failure). */
typedef struct bh_http_response {
	long status;       /* HTTP status of the last answer, 0 when none came */
	bh_buf body;       /* the body (not in streaming mode unless the status is an error: then its first 4 KiB) */
	bh_buf headers;    /* header lines of the last answer, "Name: value\n" each */
	unsigned attempts; /* attempts made */
	bh_http_fail fail; /* transport failure of the last attempt when status is 0 */
} bh_http_response;

#define BH_HTTP_RESPONSE_INIT { 0, BH_BUF_INIT, BH_BUF_INIT, 0, BH_HTTP_FAIL_NONE }

/*
 * Performs req. 0 when the answer is 2xx or 304 (the caller reads resp->status), or when on_chunk
 * returned BH_HTTP_STOP or *cancel was set. Otherwise a negative status with err naming the URL
 * (without user:password) and the reason:
 *   BH_ENET       cannot connect, TLS failure, timeout, transfer broken, or an HTTP error status
 *                 (the message quotes the start of the body; resp->status tells which)
 *   BH_ENOTFOUND  HTTP 404
 *   BH_ELIMIT     the body is over max_size (or the headers over BH_HTTP_MAX_HEADERS)
 *   BH_EUSAGE     a URL that is not http(s)
 *   BH_ENOMEM     allocation failed; or what on_chunk returned.
 * Thread-safe: each call has its own connection.
 */
int bh_http_do(const bh_http_request *req, bh_http_response *resp, bh_error *err);
void bh_http_response_free(bh_http_response *resp);

/* Copies the value of the first header called name (case-insensitive) into out[n] (cut to fit);
 * false when absent. */
bool bh_http_header(const bh_http_response *resp, const char *name, char *out, size_t n);

/* Appends s percent-encoded for a URL path segment or query value (RFC 3986 unreserved kept). */
int bh_http_escape(bh_buf *b, const char *s);

#endif
