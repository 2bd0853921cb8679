/* http.c - the HTTP(S) transport over libcurl: one easy handle per request, bounded and retried. */
#include "net/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/product.h"

#define ERRBODY_MAX 4096   /* error answers in streaming mode keep this much for the message */
#define BACKOFF_CAP_MS 30000L

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc;

static void global_init(void) { g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* One attempt's state, shared by the curl callbacks. */
struct xfer {
	const bh_http_request *req;
	bh_http_response *resp;
	CURL *h;
	uint64_t max, got;
	int failed;       /* a status set by a callback; the transfer was aborted for it */
	bool cb_err;      /* err was filled by on_chunk */
	bool delivered;   /* on_chunk has seen data: repeating needs on_restart */
	bool stopped;     /* BH_HTTP_STOP or *cancel */
	bool hdr_over;
	bh_error *err;
};

/* The URL for messages: without "user:password@", which must not reach logs. */
static void url_for_msg(const char *url, char *out, size_t n)
{
	const char *s = strstr(url, "://"), *auth, *end, *at;
	if (!s) {
		snprintf(out, n, "%s", url);
		return;
	}
	auth = s + 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	if (!at) {
		snprintf(out, n, "%s", url);
		return;
	}
	snprintf(out, n, "%.*s%s", (int)(auth - url), url, at + 1);
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
	struct xfer *x = ud;
	size_t n = sz * nm, k = n;
	bh_buf *hb = &x->resp->headers;
	/* a new status line starts the headers of another answer (redirect, 100 Continue) */
	if (n >= 5 && !memcmp(p, "HTTP/", 5)) {
		bh_buf_reset(hb);
		return n;
	}
	while (k && (p[k - 1] == '\n' || p[k - 1] == '\r'))
		k--;
	if (!k)
		return n;
	if (hb->len + k + 1 > BH_HTTP_MAX_HEADERS) {
		x->failed = BH_ELIMIT;
		x->hdr_over = true;
		return 0;
	}
	if (bh_buf_append(hb, p, k) || bh_buf_putc(hb, '\n')) {
		x->failed = BH_ENOMEM;
		return 0;
	}
	return n;
}

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
	struct xfer *x = ud;
	size_t n = sz * nm;
	long st = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
	if (x->req->on_chunk && st >= 200 && st < 300) {
		int r;
		if (n > x->max - x->got) {
			x->failed = BH_ELIMIT;
			return 0;
		}
		x->got += n;
		x->delivered = true;
		r = x->req->on_chunk(x->req->ud, p, n, x->err);
		if (r == BH_HTTP_STOP) {
			x->stopped = true;
			return 0;
		}
		if (r < 0) {
			x->failed = r;
			x->cb_err = true;
			return 0;
		}
		return n;
	}
	if (x->req->on_chunk) {
		/* an error answer while streaming: keep its start for the message only */
		size_t room = ERRBODY_MAX - x->resp->body.len;
		if (bh_buf_append(&x->resp->body, p, n < room ? n : room)) {
			x->failed = BH_ENOMEM;
			return 0;
		}
		return n;
	}
	if (n > x->max - x->got) {
		x->failed = BH_ELIMIT;
		return 0;
	}
	x->got += n;
	if (bh_buf_append(&x->resp->body, p, n)) {
		x->failed = BH_ENOMEM;
		return 0;
	}
	return n;
}

static int on_xferinfo(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ud;
	(void)ultotal;
	(void)ulnow;
	if (x->req->cancel && __atomic_load_n(x->req->cancel, __ATOMIC_RELAXED)) {
		x->stopped = true;
		return 1;
	}
	if (x->req->on_progress && dlnow > 0)
		x->req->on_progress(x->req->ud, (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0);
	return 0;
}

/* Errors that happen before an answer could be complete and that another attempt may not meet. */
static bool transient(CURLcode cc, CURL *h)
{
	curl_off_t ct = 0;
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return true;
	case CURLE_OPERATION_TIMEDOUT:
		/* a connect timeout is worth another attempt; a whole-transfer timeout spent the budget */
		return curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &ct) == CURLE_OK && ct == 0;
	default:
		return false;
	}
}

static bh_http_fail fail_kind(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return BH_HTTP_FAIL_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return BH_HTTP_FAIL_TLS_VERIFY;
	case CURLE_SSL_CONNECT_ERROR:
		return BH_HTTP_FAIL_TLS;
	case CURLE_OPERATION_TIMEDOUT:
		return BH_HTTP_FAIL_TIMEOUT;
	default:
		return BH_HTTP_FAIL_OTHER;
	}
}

/* Sleeps ms milliseconds in slices so that *cancel is seen; true when cancelled. */
static bool pause_ms(long ms, const volatile int *cancel)
{
	while (ms > 0) {
		long step = ms < 100 ? ms : 100;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
		if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED))
			return true;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED);
}

static int setup(CURL *h, const bh_http_request *req, struct curl_slist *hl, struct xfer *x, char *eb)
{
	CURLcode c = CURLE_OK;
	long cto = req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L;
#define SET(opt, val) do { if (c == CURLE_OK) c = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, eb);
	SET(CURLOPT_CONNECTTIMEOUT_MS, cto);
	if (req->timeout_ms >= 0)
		SET(CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 60000L);
	if (req->unix_socket)
		SET(CURLOPT_UNIX_SOCKET_PATH, req->unix_socket);
	if (hl)
		SET(CURLOPT_HTTPHEADER, hl);
	SET(CURLOPT_USERAGENT, req->user_agent ? req->user_agent : "bulkhead/" BH_VERSION);
	if (req->follow_redirects) {
		SET(CURLOPT_FOLLOWLOCATION, 1L);
		SET(CURLOPT_MAXREDIRS, 5L);
	}
	if (req->method == BH_HTTP_POST || req->method == BH_HTTP_PATCH || req->method == BH_HTTP_PUT) {
		SET(CURLOPT_POST, 1L);
		/* PATCH and PUT are a POST with another verb: the same body handling, curl sends the name given */
		if (req->method != BH_HTTP_POST)
			SET(CURLOPT_CUSTOMREQUEST, req->method == BH_HTTP_PATCH ? "PATCH" : "PUT");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
	}
	/* curl verifies peers and host names by default; these are only ever loosened on request */
	SET(CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L);
	if (req->ca_file)
		SET(CURLOPT_CAINFO, req->ca_file);
	if (req->cert_file)
		SET(CURLOPT_SSLCERT, req->cert_file);
	if (req->key_file)
		SET(CURLOPT_SSLKEY, req->key_file);
	/* a declared Content-Length over the cap fails before any byte is read */
	if (x->max != UINT64_MAX && x->max <= (uint64_t)INT64_MAX)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	if (req->on_chunk)
		SET(CURLOPT_BUFFERSIZE, 256L * 1024); /* streams (layers): fewer, larger callbacks than 16 KiB */
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_xferinfo);
	SET(CURLOPT_XFERINFODATA, x);
#undef SET
	return c == CURLE_OK ? 0 : -1;
}

static void snippet(const bh_http_response *resp, char *out, size_t n)
{
	bh_buf b = BH_BUF_INIT;
	out[0] = '\0';
	if (!resp->body.len)
		return;
	if (bh_buf_puts(&b, ": ") || bh_buf_put_clean(&b, resp->body.data, 200) || !b.data) {
		bh_buf_free(&b);
		return;
	}
	/* a trailing newline of a JSON error body is noise in a one-line message */
	while (b.len && (b.data[b.len - 1] == '?' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	snprintf(out, n, "%s", b.data);
	bh_buf_free(&b);
}

int bh_http_do(const bh_http_request *req, bh_http_response *resp, bh_error *err)
{
	struct curl_slist *hl = NULL;
	char shown[600], via[300] = "";
	unsigned attempt, attempts;
	bool idem = req->method == BH_HTTP_GET || req->idempotent;
	long backoff = req->backoff_ms > 0 ? req->backoff_ms : 500L;
	int rc = 0;
	size_t i;

	if (!req->url || (strncasecmp(req->url, "http://", 7) != 0 && strncasecmp(req->url, "https://", 8) != 0))
		return bh_error_set(err, BH_EUSAGE, "%s: only http:// and https:// URLs are supported", req->url ? req->url : "(no URL)");
	url_for_msg(req->url, shown, sizeof(shown));
	if (req->unix_socket)
		snprintf(via, sizeof(via), " (via unix://%s)", req->unix_socket);
	pthread_once(&g_once, global_init);
	if (g_init_rc != CURLE_OK)
		return bh_error_set(err, BH_ENET, "%s: libcurl cannot start: %s", shown, curl_easy_strerror(g_init_rc));
	for (i = 0; req->headers && req->headers[i]; i++) {
		struct curl_slist *n = curl_slist_append(hl, req->headers[i]);
		if (!n) {
			curl_slist_free_all(hl);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		hl = n;
	}
	attempts = idem ? req->retries + 1 : 1;
	for (attempt = 0; attempt < attempts; attempt++) {
		struct xfer x;
		char eb[CURL_ERROR_SIZE] = "", snip[260];
		CURLcode cc;
		bool retry = false, answered;

		memset(&x, 0, sizeof(x));
		x.req = req;
		x.resp = resp;
		x.err = err;
		x.max = req->max_size ? req->max_size : BH_HTTP_MAX_DEFAULT;
		resp->status = 0;
		resp->fail = BH_HTTP_FAIL_NONE;
		resp->attempts = attempt + 1;
		bh_buf_reset(&resp->body);
		bh_buf_reset(&resp->headers);
		x.h = curl_easy_init();
		if (!x.h) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			break;
		}
		if (setup(x.h, req, hl, &x, eb)) {
			curl_easy_cleanup(x.h);
			rc = bh_error_set(err, BH_EUSAGE, "%s: this libcurl lacks an option bulkhead needs", shown);
			break;
		}
		cc = curl_easy_perform(x.h);
		curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &resp->status);
		answered = cc == CURLE_OK && !x.failed && ((resp->status >= 200 && resp->status < 300) || resp->status == 304);
		if (x.stopped || answered) {
			rc = 0;
		} else if (x.failed == BH_ELIMIT || cc == CURLE_FILESIZE_EXCEEDED) {
			if (x.hdr_over)
				rc = bh_error_set(err, BH_ELIMIT, "%s%s: response headers are over the %u-byte limit", shown, via, BH_HTTP_MAX_HEADERS);
			else
				rc = bh_error_set(err, BH_ELIMIT, "%s%s: response is over the %llu-byte limit", shown, via, (unsigned long long)x.max);
		} else if (x.failed) {
			rc = x.cb_err && err && err->code == x.failed ? x.failed
				: x.failed == BH_ENOMEM ? bh_error_set(err, BH_ENOMEM, "out of memory")
				: bh_error_set(err, x.failed, "%s%s: the reader of the response stopped it", shown, via);
		} else if (cc != CURLE_OK) {
			const char *why = eb[0] ? eb : curl_easy_strerror(cc);
			resp->fail = fail_kind(cc);
			retry = (!x.delivered || req->on_restart) && transient(cc, x.h);
			/* a socket file that is not there will not appear by retrying at once */
			if (req->unix_socket && cc == CURLE_COULDNT_CONNECT && access(req->unix_socket, F_OK) != 0) {
				retry = false;
				why = "no such socket";
			}
			if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY)
				rc = bh_error_set(err, BH_ENET, "%s%s: unreachable: %s", shown, via, why);
			else
				rc = bh_error_set(err, BH_ENET, "%s%s: %s", shown, via, why);
		} else {
			snippet(resp, snip, sizeof(snip));
			retry = resp->status >= 500 || resp->status == 429;
			rc = bh_error_set(err, resp->status == 404 ? BH_ENOTFOUND : BH_ENET, "%s%s answered HTTP %ld%s",
					  shown, via, resp->status, snip);
		}
		curl_easy_cleanup(x.h);
		if (!rc || !retry || attempt + 1 >= attempts)
			break;
		bh_log_warn("%s (attempt %u of %u, retrying in %ld ms)", err ? err->msg : shown, attempt + 1, attempts, backoff);
		if (pause_ms(backoff, req->cancel)) {
			rc = 0;
			break;
		}
		backoff = backoff > BACKOFF_CAP_MS / 2 ? BACKOFF_CAP_MS : backoff * 2;
		if (x.delivered && (rc = req->on_restart(req->ud, err)))
			break;
	}
	curl_slist_free_all(hl);
	return rc;
}

void bh_http_response_free(bh_http_response *resp)
{
	bh_buf_free(&resp->body);
	bh_buf_free(&resp->headers);
	resp->status = 0;
}

bool bh_http_header(const bh_http_response *resp, const char *name, char *out, size_t n)
{
	bh_lines it;
	const char *l;
	size_t len, k = strlen(name);
	bh_lines_init(&it, resp->headers.data ? resp->headers.data : "", resp->headers.len);
	while (bh_lines_next(&it, &l, &len)) {
		const char *v;
		size_t vl;
		if (len <= k || l[k] != ':' || strncasecmp(l, name, k) != 0)
			continue;
		v = l + k + 1;
		vl = len - k - 1;
		bh_trim(&v, &vl);
		if (n)
			snprintf(out, n, "%.*s", (int)(vl < n ? vl : n - 1), v);
		return true;
	}
	return false;
}

int bh_http_escape(bh_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			rc = bh_buf_putc(b, (char)c);
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = bh_buf_append(b, e, 3);
		}
		if (rc)
			return BH_ENOMEM;
	}
	return 0;
}
