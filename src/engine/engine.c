/* engine.c - Docker Engine API calls over the engine's unix socket through net/http. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"

/* Version 1.41 is spoken by docker >= 20.10 and by podman's compatibility service. */
#define API "http://d/v1.41"
#define EVENT_LINE_MAX (256u << 10)

static int socket_path(const char *host, const char **sock, bh_error *err)
{
	static const char *const defaults[] = { "/var/run/docker.sock", "/run/podman/podman.sock" };
	size_t i;
	if (!host)
		host = getenv("DOCKER_HOST");
	if (host && *host) {
		if (strncmp(host, "unix://", 7) != 0 || !host[7])
			return bh_error_set(err, BH_EUSAGE, "engine host \"%s\": only unix:///path/to/socket is supported", host);
		*sock = host + 7;
		return 0;
	}
	*sock = defaults[0];
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (access(defaults[i], R_OK | W_OK) == 0) {
			*sock = defaults[i];
			break;
		}
	return 0;
}

/* Why the socket at path gives no engine, in plain words (why: the transport's message). */
static void socket_why(bh_buf *b, const char *path, const char *why)
{
	struct stat st;
	struct sockaddr_un sa;
	int fd;
	if (stat(path, &st) != 0) {
		bh_buf_printf(b, "unix://%s (%s)", path, errno == ENOENT ? "no such file: no daemon created it" : strerror(errno));
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		bh_buf_printf(b, "unix://%s (exists but is not a socket)", path);
		return;
	}
	if (access(path, R_OK | W_OK) != 0) {
		bh_buf_printf(b, "unix://%s (permission denied: owned by uid %u gid %u, mode %03o; join its group or run as root)",
			      path, (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 0777));
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		bh_buf_printf(b, "unix://%s (path too long for a unix socket)", path);
		return;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		bh_buf_printf(b, "unix://%s (%s)", path, errno == ECONNREFUSED ? "connection refused: nothing listens on it, the daemon is stopped" :
			      strerror(errno));
	} else {
		bh_buf_printf(b, "unix://%s (connected, then: %s)", path, why);
	}
	if (fd >= 0)
		close(fd);
}

/*
 * A BH_ENET from the engine: names every socket tried and why each gave nothing, and what to do.
 * host as the caller got it (NULL = $DOCKER_HOST, else the default sockets).
 */
static int engine_unreachable(const char *host, bh_error *err)
{
	static const char *const defaults[] = { "/var/run/docker.sock", "/run/podman/podman.sock" };
	bh_buf b = BH_BUF_INIT;
	char why[BH_ERROR_MSG_MAX];
	const char *from = "--engine-host";
	size_t i;
	snprintf(why, sizeof(why), "%s", err->msg);
	if (!host && (host = getenv("DOCKER_HOST")) && *host)
		from = "$DOCKER_HOST";
	if (host && *host && !strncmp(host, "unix://", 7)) {
		bh_buf_printf(&b, "no container engine answered at the socket %s names: ", from);
		socket_why(&b, host + 7, why);
		bh_buf_puts(&b, "; start the engine (`systemctl start docker`, `podman system service`) or give another socket");
	} else {
		bh_buf_puts(&b, "no container engine answered; sockets tried: ");
		for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
			if (i)
				bh_buf_puts(&b, ", ");
			socket_why(&b, defaults[i], why);
		}
		bh_buf_puts(&b, "; start one (`systemctl start docker`, `podman system service`) or name its socket with "
			    "--engine-host unix:///PATH or DOCKER_HOST=unix:///PATH");
	}
	if (b.data)
		bh_error_set(err, BH_ENET, "%s", b.data);
	bh_buf_free(&b);
	return BH_ENET;
}

/* A GET request to the engine at sock for url; the caller sets the body handling. */
static void engine_req(bh_http_request *r, const char *sock, const char *url)
{
	memset(r, 0, sizeof(*r));
	r->method = BH_HTTP_GET;
	r->url = url;
	r->unix_socket = sock;
	/* a daemon that is restarting refuses connections for a moment */
	r->retries = 2;
	r->backoff_ms = 250;
}

/* GET API path (already escaped) and parse the JSON answer; 404 is BH_ENOTFOUND. */
static int get_json(const char *host, const char *path, const bh_limits *lim, json_t **out, bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_buf url = BH_BUF_INIT;
	const char *sock = NULL;
	int rc;

	*out = NULL;
	if ((rc = socket_path(host, &sock, err)))
		return rc;
	if (bh_buf_printf(&url, API "%s", path))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	engine_req(&r, sock, url.data);
	r.max_size = lim->max_meta_size ? lim->max_meta_size : 1;
	if ((rc = bh_http_do(&r, &resp, err)) == 0)
		rc = bh_json_load(resp.body.data ? resp.body.data : "", resp.body.len, lim->max_json_depth, "engine answer", out, err);
	if (rc == BH_ENET && resp.status == 0)
		engine_unreachable(host, err);
	else if (rc == BH_ENET)
		bh_error_wrap(err, "engine");
	bh_http_response_free(&resp);
	bh_buf_free(&url);
	return rc;
}

/* get_json of /KINDs/NAME/json with name escaped; a 404 says "engine at unix://SOCK has no KIND \"NAME\"". */
static int get_named(const char *host, const char *kind, const char *name, const bh_limits *lim, json_t **out, bh_error *err)
{
	bh_buf p = BH_BUF_INIT;
	const char *sock = NULL;
	int rc;
	if (bh_buf_printf(&p, "/%ss/", kind) || bh_http_escape(&p, name) || bh_buf_puts(&p, "/json"))
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	else
		rc = get_json(host, p.data, lim, out, err);
	if (rc == BH_ENOTFOUND && !socket_path(host, &sock, NULL))
		bh_error_set(err, rc, "engine at unix://%s has no %s \"%s\"", sock, kind, name);
	bh_buf_free(&p);
	return rc;
}

int bh_engine_container_inspect(const char *host, const char *name, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_named(host, "container", name, lim, out, err);
}

int bh_engine_container_list(const char *host, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_json(host, "/containers/json", lim, out, err);
}

int bh_engine_container_list_all(const char *host, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_json(host, "/containers/json?all=1", lim, out, err);
}

int bh_engine_version(const char *host, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_json(host, "/version", lim, out, err);
}

int bh_engine_image_inspect(const char *host, const char *name, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_named(host, "image", name, lim, out, err);
}

int bh_engine_image_list(const char *host, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_json(host, "/images/json", lim, out, err);
}

int bh_engine_image_export(const char *host, const char *name, uint64_t max_bytes, bh_http_chunk_fn fn, void *ud, bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_buf url = BH_BUF_INIT;
	const char *sock = NULL;
	int rc;

	if ((rc = socket_path(host, &sock, err)))
		return rc;
	if (bh_buf_puts(&url, API "/images/") || bh_http_escape(&url, name) || bh_buf_puts(&url, "/get")) {
		bh_buf_free(&url);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	engine_req(&r, sock, url.data);
	r.max_size = max_bytes ? max_bytes : 1;
	r.timeout_ms = -1; /* big images take their time; the size cap bounds the transfer */
	r.on_chunk = fn;
	r.ud = ud;
	rc = bh_http_do(&r, &resp, err);
	if (rc == BH_ENOTFOUND)
		bh_error_set(err, rc, "engine at unix://%s has no image \"%s\"", sock, name);
	else if (rc == BH_ENET && resp.status == 0)
		engine_unreachable(host, err);
	else if (rc == BH_ENET)
		bh_error_wrap(err, "engine: image export");
	bh_http_response_free(&resp);
	bh_buf_free(&url);
	return rc;
}

/* Splits the event stream into lines, bounded by max_line, and hands each decoded event to fn. */
struct events {
	const bh_engine_events_opts *o;
	bh_engine_event_fn fn;
	void *ud;
	bh_buf line;
	size_t max_line;
	unsigned depth;
	bool skipping;   /* inside a line that went over max_line: drop until its end */
	unsigned long skipped;
};

static int event_line(struct events *ev, bh_error *err)
{
	const char *p = ev->line.data;
	size_t n = ev->line.len;
	json_t *doc = NULL;
	bh_error jerr;
	int rc;
	bh_trim(&p, &n);
	if (!n)
		return 0;
	if (bh_json_load(p, n, ev->depth, "engine event", &doc, &jerr) || !json_is_object(doc)) {
		if (doc)
			json_decref(doc);
		ev->skipped++;
		bh_log_warn("engine event skipped: not a JSON object (%zu bytes)", n);
		return 0;
	}
	rc = ev->fn(ev->ud, doc, err);
	json_decref(doc);
	return rc;
}

static int on_events(void *ud, const char *data, size_t len, bh_error *err)
{
	struct events *ev = ud;
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t k = nl ? (size_t)(nl - data) : len;
		if (!ev->skipping) {
			if (k > ev->max_line - ev->line.len) {
				ev->skipping = true;
				ev->skipped++;
				bh_log_warn("engine event skipped: longer than %zu bytes", ev->max_line);
				bh_buf_reset(&ev->line);
			} else if (bh_buf_append(&ev->line, data, k)) {
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			}
		}
		if (!nl)
			break;
		if (!ev->skipping) {
			int rc = event_line(ev, err);
			bh_buf_reset(&ev->line);
			if (rc)
				return rc;
		}
		ev->skipping = false;
		data = nl + 1;
		len -= k + 1;
	}
	return 0;
}

int bh_engine_events(const char *host, const bh_engine_events_opts *o, bh_engine_event_fn fn, void *ud, bh_error *err)
{
	static const bh_engine_events_opts none;
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_buf url = BH_BUF_INIT;
	struct events ev;
	const char *sock = NULL;
	char *filters = NULL;
	int rc;

	if (!o)
		o = &none;
	if ((rc = socket_path(host, &sock, err)))
		return rc;
	memset(&ev, 0, sizeof(ev));
	ev.o = o;
	ev.fn = fn;
	ev.ud = ud;
	ev.max_line = o->max_line ? o->max_line : EVENT_LINE_MAX;
	ev.depth = o->max_json_depth ? o->max_json_depth : 64;
	if (o->filters && !(filters = json_dumps(o->filters, JSON_COMPACT))) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if (bh_buf_puts(&url, API "/events?") ||
	    (filters && (bh_buf_puts(&url, "&filters=") || bh_http_escape(&url, filters))) ||
	    (o->since && (bh_buf_puts(&url, "&since=") || bh_http_escape(&url, o->since))) ||
	    (o->until && (bh_buf_puts(&url, "&until=") || bh_http_escape(&url, o->until)))) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	engine_req(&r, sock, url.data);
	r.timeout_ms = -1;        /* the stream lasts as long as the reader wants it */
	r.max_size = UINT64_MAX;  /* bounded per event instead */
	r.on_chunk = on_events;
	r.ud = &ev;
	r.cancel = o->cancel;
	rc = bh_http_do(&r, &resp, err);
	/* an event stream that ended without a final newline still carries its last event */
	if (!rc && !ev.skipping && ev.line.len && !(o->cancel && *o->cancel))
		rc = event_line(&ev, err);
	if (rc == BH_HTTP_STOP)
		rc = 0;
	if (rc == BH_ENET)
		bh_error_wrap(err, "engine: events");
out:
	if (o->skipped)
		*o->skipped = ev.skipped;
	free(filters);
	bh_buf_free(&ev.line);
	bh_http_response_free(&resp);
	bh_buf_free(&url);
	return rc;
}
