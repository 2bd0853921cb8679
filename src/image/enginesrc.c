/* enginesrc.c - the engine: target: an image exported by a Docker Engine API daemon, read as a docker-archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "engine/engine.h"
#include "image/source.h"

/* Appends each piece of the export stream to the spool file. */
static int spool(void *ud, const char *p, size_t n, bh_error *err)
{
	int fd = *(int *)ud;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return bh_error_set(err, BH_EIO, "cannot spool the image export: %s", w < 0 ? strerror(errno) : "short write");
		off += (size_t)w;
	}
	return 0;
}

int bh_source_engine(const char *name, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	json_t *info = NULL, *digests;
	const char *tmpdir;
	uint64_t max;
	int fd = -1, rc;
	size_t i;

	if ((rc = bh_engine_image_inspect(o->engine_host, name, &o->limits, &info, err)))
		return rc;
	digests = json_object_get(info, "RepoDigests");
	for (i = 0; i < json_array_size(digests); i++) {
		const char *d = json_string_value(json_array_get(digests, i));
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
	max = o->limits.max_layer_size > UINT64_MAX / 4 ? UINT64_MAX : o->limits.max_layer_size * 4;
	if ((rc = bh_engine_image_export(o->engine_host, name, max, spool, &fd, err)))
		goto out;
	rc = bh_source_docker_archive(fd, name, o, s, err);
	if (!rc && !s->name)
		s->name = bh_strdup(name);
out:
	if (fd >= 0)
		close(fd);
	json_decref(info);
	return rc;
}
