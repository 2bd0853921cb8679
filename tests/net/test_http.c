/* test_http.c - the HTTP transport (src/net/http.c) against a real local server (tests/net/httpd.py):
 * TCP, unix socket and TLS; size caps, timeouts, retries, errors, streaming and cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "net/http.h"
#include "support/tmpdir.h"

static char g_dir[256], g_sock[300], g_ca[300];
static int g_port, g_tls_port;
static pid_t g_pid = -1;
static const char *g_skip; /* why the server could not start */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int start_server(void **state)
{
	char ready[300], cmd[1200], key[300];
	FILE *fp;
	int i;
	(void)state;
	if (bh_test_mkdtemp(g_dir, sizeof(g_dir), "http"))
		return -1;
	snprintf(g_sock, sizeof(g_sock), "%s/httpd.sock", g_dir);
	snprintf(ready, sizeof(ready), "%s/ready", g_dir);
	snprintf(g_ca, sizeof(g_ca), "%s/cert.pem", g_dir);
	snprintf(key, sizeof(key), "%s/key.pem", g_dir);
	/* a self-signed certificate for 127.0.0.1: it is its own CA */
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1", key, g_ca);
	if (system(cmd) != 0)
		g_ca[0] = '\0';
	g_pid = fork();
	if (g_pid == 0) {
		if (g_ca[0])
			execlp("python3", "python3", "tests/net/httpd.py", ready, g_sock, g_ca, key, (char *)NULL);
		else
			execlp("python3", "python3", "tests/net/httpd.py", ready, g_sock, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		int st;
		if ((fp = fopen(ready, "r"))) {
			if (fscanf(fp, "%d %d", &g_port, &g_tls_port) != 2)
				g_port = 0;
			fclose(fp);
			break;
		}
		if (waitpid(g_pid, &st, WNOHANG) == g_pid) {
			g_pid = -1;
			break;
		}
		usleep(50000);
	}
	if (g_port <= 0)
		g_skip = "python3 tests/net/httpd.py did not start (python3 missing?)";
	/* retries log warnings; they are expected here */
	bh_log_set_level(BH_LOG_QUIET);
	return 0;
}

static int stop_server(void **state)
{
	(void)state;
	if (g_pid > 0) {
		kill(g_pid, SIGTERM);
		waitpid(g_pid, NULL, 0);
	}
	bh_test_rmtree(g_dir);
	return 0;
}

#define NEED_SERVER() do { if (g_skip) { fprintf(stderr, "SKIP: %s\n", g_skip); skip(); } } while (0)

static void init_get(bh_http_request *r, char *url, size_t n, const char *path)
{
	memset(r, 0, sizeof(*r));
	snprintf(url, n, "http://127.0.0.1:%d%s", g_port, path);
	r->url = url;
}

static void test_get_tcp(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	char url[200], v[64];
	(void)state;
	NEED_SERVER();
	init_get(&r, url, sizeof(url), "/hello");
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(resp.body.len, 11);
	assert_string_equal(resp.body.data, "hello world");
	assert_true(bh_http_header(&resp, "etag", v, sizeof(v)));
	assert_string_equal(v, "\"v1\"");
	assert_true(bh_http_header(&resp, "X-Empty", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(bh_http_header(&resp, "X-Absent", v, sizeof(v)));
	/* cut to fit */
	assert_true(bh_http_header(&resp, "Content-Type", v, 5));
	assert_string_equal(v, "text");
	bh_http_response_free(&resp);
}

static void test_get_unix(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	(void)state;
	NEED_SERVER();
	memset(&r, 0, sizeof(r));
	r.url = "http://d/hello";
	r.unix_socket = g_sock;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_string_equal(resp.body.data, "hello world");
	/* a socket nobody listens on */
	r.unix_socket = "/nonexistent/bh.sock";
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_non_null(strstr(err.msg, "http://d/hello (via unix:///nonexistent/bh.sock): unreachable"));
	bh_http_response_free(&resp);
}

static void test_post(void **state)
{
	static const char *const hdrs[] = { "X-Test: forty-two", NULL };
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	json_t *doc;
	char url[200];
	(void)state;
	NEED_SERVER();
	init_get(&r, url, sizeof(url), "/echo");
	r.method = BH_HTTP_POST;
	r.headers = hdrs;
	r.body = "{\"a\":1}";
	r.body_len = 7;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(doc, "body")), "{\"a\":1}");
	assert_string_equal(json_string_value(json_object_get(doc, "x_test")), "forty-two");
	assert_true(!strncmp(json_string_value(json_object_get(doc, "user_agent")), "bulkhead/", 9));
	json_decref(doc);
	bh_http_response_free(&resp);
	/* PUT: the same body, another verb (GitLab edits issues with it) */
	r.method = BH_HTTP_PUT;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "method")), "PUT");
	assert_string_equal(json_string_value(json_object_get(doc, "body")), "{\"a\":1}");
	json_decref(doc);
	bh_http_response_free(&resp);
}

static void test_not_found(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	char url[200], want[300];
	(void)state;
	NEED_SERVER();
	init_get(&r, url, sizeof(url), "/missing");
	r.retries = 3; /* a 404 is an answer, never retried */
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENOTFOUND);
	assert_int_equal(resp.status, 404);
	assert_int_equal(resp.attempts, 1);
	snprintf(want, sizeof(want), "%s answered HTTP 404: {\"message\":\"no such thing\"}", url);
	assert_string_equal(err.msg, want);
	/* credentials in a URL stay out of messages */
	snprintf(url, sizeof(url), "http://user:s3cret@127.0.0.1:%d/missing", g_port);
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENOTFOUND);
	assert_null(strstr(err.msg, "s3cret"));
	assert_non_null(strstr(err.msg, "http://127.0.0.1:"));
	bh_http_response_free(&resp);
}

static void test_size_cap(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	char url[200];
	(void)state;
	NEED_SERVER();
	init_get(&r, url, sizeof(url), "/big?n=1000");
	r.max_size = 1000;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(resp.body.len, 1000);
	/* declared length over the cap */
	init_get(&r, url, sizeof(url), "/big?n=1001");
	r.max_size = 1000;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, url));
	assert_non_null(strstr(err.msg, "over the 1000-byte limit"));
	/* no declared length (chunked): caught while reading */
	init_get(&r, url, sizeof(url), "/bigchunked?n=5000");
	r.max_size = 2500;
	r.retries = 2; /* over the cap is final */
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ELIMIT);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, url));
	assert_true(resp.body.len <= 2500);
	bh_http_response_free(&resp);
}

static void test_timeout(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	char url[200];
	double t0;
	(void)state;
	NEED_SERVER();
	init_get(&r, url, sizeof(url), "/slow?s=3");
	r.timeout_ms = 300;
	r.retries = 2; /* a spent transfer budget is not retried */
	t0 = now_s();
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, url));
	assert_non_null(strstr(err.msg, "timed out"));
	bh_http_response_free(&resp);
}

static void test_retry(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	char url[200];
	(void)state;
	NEED_SERVER();
	/* two 503s, then an answer */
	init_get(&r, url, sizeof(url), "/flaky/a?fail=2");
	r.retries = 2;
	r.backoff_ms = 20;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(resp.attempts, 3);
	assert_string_equal(resp.body.data, "ok after 3");
	/* retries run out: the last error, attempts bounded */
	init_get(&r, url, sizeof(url), "/flaky/b?fail=9");
	r.retries = 1;
	r.backoff_ms = 20;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.attempts, 2);
	assert_non_null(strstr(err.msg, "answered HTTP 503: busy, try again"));
	init_get(&r, url, sizeof(url), "/count/b");
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_string_equal(resp.body.data, "2");
	/* a POST is not repeated unless the caller says it is idempotent */
	init_get(&r, url, sizeof(url), "/flaky/c?fail=1");
	r.method = BH_HTTP_POST;
	r.retries = 3;
	r.backoff_ms = 20;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_int_equal(resp.attempts, 1);
	r.idempotent = true;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(resp.attempts, 1); /* the second POST overall: the server has recovered */
	bh_http_response_free(&resp);
}

static void test_unreachable(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	bh_error err;
	char url[200];
	int s, port;
	(void)state;
	/* a port that was just free: bound, read back, closed */
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	close(s);
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	r.url = url;
	r.retries = 2;
	r.backoff_ms = 10;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(resp.status, 0);
	assert_int_equal(resp.fail, BH_HTTP_FAIL_CONNECT);
	assert_non_null(strstr(err.msg, url));
	assert_non_null(strstr(err.msg, "unreachable"));
	/* only http and https */
	r.url = "file:///etc/passwd";
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_EUSAGE);
	bh_http_response_free(&resp);
}

struct collect {
	bh_buf data;
	unsigned calls;
	unsigned stop_after;   /* BH_HTTP_STOP after this many calls (0: never) */
	int fail_with;         /* return this status on the first call */
	volatile int *cancel_after_first;
};

static int on_chunk(void *ud, const char *p, size_t n, bh_error *err)
{
	struct collect *c = ud;
	c->calls++;
	if (c->fail_with)
		return bh_error_set(err, c->fail_with, "reader refused chunk %u", c->calls);
	assert_int_equal(bh_buf_append(&c->data, p, n), 0);
	if (c->cancel_after_first)
		*c->cancel_after_first = 1;
	return c->stop_after && c->calls >= c->stop_after ? BH_HTTP_STOP : 0;
}

static void test_stream(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	struct collect c;
	bh_buf want = BH_BUF_INIT;
	bh_error err;
	char url[200];
	int i;
	(void)state;
	NEED_SERVER();
	for (i = 0; i < 1000; i++)
		assert_int_equal(bh_buf_printf(&want, "line %d\n", i), 0);
	memset(&c, 0, sizeof(c));
	init_get(&r, url, sizeof(url), "/stream?n=1000");
	r.on_chunk = on_chunk;
	r.ud = &c;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(c.data.len, want.len);
	assert_memory_equal(c.data.data, want.data, want.len);
	assert_true(c.calls >= 1);
	assert_int_equal(resp.body.len, 0); /* streamed, not collected */
	bh_buf_free(&c.data);
	/* over the unix socket too, stopped by the reader */
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	r.url = "http://d/stream?n=50&d=0.01";
	r.unix_socket = g_sock;
	r.on_chunk = on_chunk;
	r.ud = &c;
	c.stop_after = 3;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(c.calls, 3);
	assert_string_equal(c.data.data, "line 0\nline 1\nline 2\n");
	bh_buf_free(&c.data);
	/* the cap holds in streaming mode */
	memset(&c, 0, sizeof(c));
	init_get(&r, url, sizeof(url), "/stream?n=1000");
	r.on_chunk = on_chunk;
	r.ud = &c;
	r.max_size = 100;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ELIMIT);
	assert_true(c.data.len <= 100);
	assert_non_null(strstr(err.msg, url));
	bh_buf_free(&c.data);
	/* the reader's error comes back as it was set */
	memset(&c, 0, sizeof(c));
	r.max_size = 0;
	c.fail_with = BH_EIO;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_EIO);
	assert_string_equal(err.msg, "reader refused chunk 1");
	/* an error answer never reaches the reader */
	memset(&c, 0, sizeof(c));
	init_get(&r, url, sizeof(url), "/missing");
	r.on_chunk = on_chunk;
	r.ud = &c;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENOTFOUND);
	assert_int_equal(c.calls, 0);
	assert_non_null(strstr(err.msg, "no such thing"));
	bh_buf_free(&want);
	bh_http_response_free(&resp);
}

static int on_restart(void *ud, bh_error *err)
{
	struct collect *c = ud;
	(void)err;
	bh_buf_reset(&c->data);
	c->calls = 0;
	return 0;
}

/* A stream that broke midway is repeated only when the reader can start over. */
static void test_stream_restart(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	struct collect c;
	bh_error err;
	char url[200];
	(void)state;
	NEED_SERVER();
	memset(&c, 0, sizeof(c));
	init_get(&r, url, sizeof(url), "/partial/a");
	r.on_chunk = on_chunk;
	r.ud = &c;
	r.retries = 2;
	r.backoff_ms = 10;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(c.data.len, 100);
	bh_buf_free(&c.data);
	memset(&c, 0, sizeof(c));
	init_get(&r, url, sizeof(url), "/partial/b");
	r.on_chunk = on_chunk;
	r.on_restart = on_restart;
	r.ud = &c;
	r.retries = 2;
	r.backoff_ms = 10;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(c.data.len, 1000);
	assert_int_equal(c.data.data[0], 'z');
	assert_int_equal(c.data.data[999], 'z');
	bh_buf_free(&c.data);
	bh_http_response_free(&resp);
}

static void test_cancel(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	struct collect c;
	volatile int cancel = 0;
	bh_error err;
	char url[200];
	double t0;
	(void)state;
	NEED_SERVER();
	/* a stream of 100 lines over 5 s, cancelled once the first piece arrived */
	memset(&c, 0, sizeof(c));
	c.cancel_after_first = &cancel;
	init_get(&r, url, sizeof(url), "/stream?n=100&d=0.05");
	r.on_chunk = on_chunk;
	r.ud = &c;
	r.cancel = &cancel;
	r.timeout_ms = -1;
	t0 = now_s();
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_true(now_s() - t0 < 3.0);
	assert_true(c.calls >= 1 && c.calls < 100);
	bh_buf_free(&c.data);
	bh_http_response_free(&resp);
}

static void test_tls(void **state)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_error err;
	char url[200];
	(void)state;
	NEED_SERVER();
	if (!g_ca[0] || g_tls_port <= 0) {
		fprintf(stderr, "SKIP: no TLS listener (openssl could not make a certificate)\n");
		skip();
	}
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", g_tls_port);
	r.url = url;
	/* verified by default: a self-signed peer is refused */
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_non_null(strstr(err.msg, url));
	assert_int_equal(resp.status, 0);
	assert_int_equal(resp.fail, BH_HTTP_FAIL_TLS_VERIFY);
	/* trusted through a CA file */
	r.ca_file = g_ca;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_int_equal(resp.fail, BH_HTTP_FAIL_NONE);
	assert_string_equal(resp.body.data, "hello world");
	/* or, when asked, not verified */
	r.ca_file = NULL;
	r.insecure = true;
	assert_int_equal(bh_http_do(&r, &resp, &err), 0);
	assert_string_equal(resp.body.data, "hello world");
	/* the CA does not vouch for another name */
	snprintf(url, sizeof(url), "https://localhost:%d/hello", g_tls_port);
	r.insecure = false;
	r.ca_file = g_ca;
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_int_equal(resp.fail, BH_HTTP_FAIL_TLS_VERIFY);
	/* https to a server that speaks plain HTTP: a handshake failure, not a verification one (a
	 * registry client falls back to http on loopback for the first only) */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", g_port);
	assert_int_equal(bh_http_do(&r, &resp, &err), BH_ENET);
	assert_int_equal(resp.fail, BH_HTTP_FAIL_TLS);
	bh_http_response_free(&resp);
}

static void test_escape(void **state)
{
	bh_buf b = BH_BUF_INIT;
	(void)state;
	assert_int_equal(bh_http_escape(&b, "a b/c:d~e_f.g-h\xc3\xa9{}"), 0);
	assert_string_equal(b.data, "a%20b%2Fc%3Ad~e_f.g-h%C3%A9%7B%7D");
	bh_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_tcp),
		cmocka_unit_test(test_get_unix),
		cmocka_unit_test(test_post),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_restart),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
