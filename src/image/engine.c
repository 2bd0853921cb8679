/* engine.c - images in a Docker Engine API daemon (docker or `podman system service`) over its unix socket. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "image/engine.h"
#include "image/source.h"

#define API "http://d/v1.41"

struct sink {
	int fd;          /* spool target, or -1 for memory */
	bh_buf *mem;
	uint64_t total, max;
	int failed;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
	struct sink *s = ud;
	size_t n = sz * nm;
	s->total += n;
	if (s->total > s->max) {
		s->failed = BH_ELIMIT;
		return 0;
	}
	if (s->fd >= 0) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(s->fd, p + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				s->failed = BH_EIO;
				return 0;
			}
			off += (size_t)w;
		}
		return n;
	}
	if (bh_buf_append(s->mem, p, n)) {
		s->failed = BH_ENOMEM;
		return 0;
	}
	return n;
}

static const char *socket_path(const char *host)
{
	static const char *const defaults[] = { "/var/run/docker.sock", "/run/podman/podman.sock" };
	size_t i;
	if (!host)
		host = getenv("DOCKER_HOST");
	if (host && *host)
		return strncmp(host, "unix://", 7) == 0 ? host + 7 : NULL;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (access(defaults[i], R_OK | W_OK) == 0)
			return defaults[i];
	return defaults[0];
}

static int get(const char *sock, const char *url, struct sink *s, long *status, bh_error *err)
{
	CURL *h = curl_easy_init();
	CURLcode cc;
	char eb[CURL_ERROR_SIZE] = "";
	if (!h)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, eb);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	if (s->failed == BH_ELIMIT)
		return bh_error_set(err, BH_ELIMIT, "engine response for %s is over the size limit", url);
	if (s->failed)
		return bh_error_set(err, s->failed, "engine response for %s could not be stored", url);
	if (cc != CURLE_OK)
		return bh_error_set(err, BH_ENET, "engine at unix://%s: %s", sock, eb[0] ? eb : curl_easy_strerror(cc));
	return 0;
}

int bh_source_engine(const char *name, const bh_scan_opts *o, bh_sbom *s, bh_error *err)
{
	const char *sock = socket_path(o->engine_host);
	bh_buf meta = BH_BUF_INIT, url = BH_BUF_INIT;
	struct sink sk;
	json_t *info = NULL;
	char *esc = NULL;
	long status = 0;
	const char *tmpdir;
	int fd = -1, rc;
	size_t i;

	if (!sock)
		return bh_error_set(err, BH_EUSAGE, "DOCKER_HOST must be unix:///path/to/socket");
	esc = curl_easy_escape(NULL, name, 0);
	if (!esc)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	memset(&sk, 0, sizeof(sk));
	sk.fd = -1;
	sk.mem = &meta;
	sk.max = o->limits.max_meta_size;
	if ((rc = bh_buf_printf(&url, API "/images/%s/json", esc)) ||
	    (rc = get(sock, url.data, &sk, &status, err)))
		goto out;
	if (status == 404) {
		rc = bh_error_set(err, BH_ENOTFOUND, "engine at unix://%s has no image \"%s\"", sock, name);
		goto out;
	}
	if (status != 200 || bh_json_load(meta.data, meta.len, o->limits.max_json_depth, "engine image info", &info, err)) {
		rc = bh_error_set(err, BH_ENET, "engine at unix://%s: image inspect answered HTTP %ld", sock, status);
		goto out;
	}
	for (i = 0; i < json_array_size(json_object_get(info, "RepoDigests")); i++) {
		const char *d = json_string_value(json_array_get(json_object_get(info, "RepoDigests"), i));
		if (d && bh_strv_push(&s->repo_digests, &s->nrepo_digests, d)) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
	}
	/*
	 * The export stream is not seekable and lists layers before the manifest that orders them,
	 * so it is spooled to an unlinked temporary file that vanishes when closed.
	 */
	tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/var/tmp";
	fd = open(tmpdir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = bh_error_set(err, BH_EIO, "cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
		goto out;
	}
	memset(&sk, 0, sizeof(sk));
	sk.fd = fd;
	sk.max = o->limits.max_layer_size * 4;
	bh_buf_reset(&url);
	if ((rc = bh_buf_printf(&url, API "/images/%s/get", esc)) ||
	    (rc = get(sock, url.data, &sk, &status, err)))
		goto out;
	if (status != 200) {
		rc = bh_error_set(err, BH_ENET, "engine at unix://%s: image export answered HTTP %ld", sock, status);
		goto out;
	}
	rc = bh_source_docker_archive(fd, name, o, s, err);
	if (!rc && !s->name)
		s->name = bh_strdup(name);
out:
	if (fd >= 0)
		close(fd);
	if (info)
		json_decref(info);
	curl_free(esc);
	bh_buf_free(&meta);
	bh_buf_free(&url);
	return rc;
}

/* GET API path (already escaped) and parse the JSON answer; 404 becomes BH_ENOTFOUND. */
static int get_json(const char *host, const char *path, const bh_limits *lim, json_t **out, bh_error *err)
{
	const char *sock = socket_path(host);
	bh_buf body = BH_BUF_INIT, url = BH_BUF_INIT;
	struct sink sk;
	long status = 0;
	int rc;

	*out = NULL;
	if (!sock)
		return bh_error_set(err, BH_EUSAGE, "DOCKER_HOST must be unix:///path/to/socket");
	memset(&sk, 0, sizeof(sk));
	sk.fd = -1;
	sk.mem = &body;
	sk.max = lim->max_meta_size;
	if ((rc = bh_buf_printf(&url, API "%s", path)) || (rc = get(sock, url.data, &sk, &status, err)))
		goto out;
	if (status == 404) {
		rc = bh_error_set(err, BH_ENOTFOUND, "engine at unix://%s: %s not found", sock, path);
		goto out;
	}
	if (status != 200) {
		rc = bh_error_set(err, BH_ENET, "engine at unix://%s: %s answered HTTP %ld", sock, path, status);
		goto out;
	}
	rc = bh_json_load(body.data ? body.data : "", body.len, lim->max_json_depth, "engine answer", out, err);
out:
	bh_buf_free(&body);
	bh_buf_free(&url);
	return rc;
}

int bh_engine_container_inspect(const char *host, const char *name, const bh_limits *lim, json_t **out, bh_error *err)
{
	bh_buf p = BH_BUF_INIT;
	char *esc = curl_easy_escape(NULL, name, 0);
	int rc;
	if (!esc)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = bh_buf_printf(&p, "/containers/%s/json", esc) ? bh_error_set(err, BH_ENOMEM, "out of memory")
							     : get_json(host, p.data, lim, out, err);
	if (rc == BH_ENOTFOUND)
		bh_error_set(err, rc, "the engine has no container \"%s\"", name);
	curl_free(esc);
	bh_buf_free(&p);
	return rc;
}

int bh_engine_container_list(const char *host, const bh_limits *lim, json_t **out, bh_error *err)
{
	return get_json(host, "/containers/json", lim, out, err);
}
