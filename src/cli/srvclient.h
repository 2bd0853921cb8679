/* srvclient.h - the CLI's client of `bulkhead serve`: the server URL and bearer token checked, one request with the server's own error message; shared by `scan --server` and `baseline --server`. */
#ifndef BH_CLI_SRVCLIENT_H
#define BH_CLI_SRVCLIENT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "net/http.h"

typedef struct bh_srvclient {
	const char *server;  /* http(s)://HOST:PORT ($BULKHEAD_SERVER or --server) */
	const char *token;   /* bearer token (--token or $BULKHEAD_TOKEN) */
	const char *ca_file; /* https: CA bundle instead of the system's; NULL: system */
	long timeout_ms;     /* whole request; 0: 60 s */
	const char *forbidden; /* what a 403 says the role may not do ("upload"); NULL: "do this" */
} bh_srvclient;

/* BH_EUSAGE naming --server or the token when the URL is not http(s) or the token is missing or
 * malformed (control characters, over 1000 bytes). */
int bh_srvclient_check(const bh_srvclient *c, bh_error *err);

/*
 * One request to c->server + path (body of len bytes with Content-Type ctype, both may be NULL).
 * 0 for 2xx with the body appended to answer (may be NULL). Otherwise err says "METHOD PATH: ..."
 * with the server's own message ({"error": {"message"}}) when it gave one, and the status is
 * BH_ENET (no answer, 5xx, 429), BH_EAUTH (401, 403), BH_ENOTFOUND (404), BH_EBUSY (409) or
 * BH_EINVAL (another 4xx). Responses are capped at 64 MiB.
 */
int bh_srvclient_do(const bh_srvclient *c, bh_http_method m, const char *path, const char *ctype, const char *body, size_t len,
		    bh_buf *answer, bh_error *err);

#endif
