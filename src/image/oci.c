/* oci.c - OCI image layouts, as a directory (oci:DIR[:TAG]) or a tar of one (oci-archive:). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/json.h"
#include "image/image.h"
#include "image/tarindex.h"

struct ocictx {
	bool archive;
	int dirfd;
	bh_tarindex ti;
	const char *label;
	int fds[2048]; /* blob files opened for range reads, closed at the end */
	size_t nfds;
};

/* Only well-formed digests become paths, so a manifest cannot point outside blobs/. */
static int blob_path(const char *ref, char *out, size_t n, bh_error *err)
{
	if (!bh_digest_valid(ref))
		return bh_error_set(err, BH_EINVAL, "invalid or unsupported digest \"%.100s\"", ref);
	snprintf(out, n, "blobs/sha256/%s", ref + 7);
	return 0;
}

static int oci_open(void *vctx, const char *ref, const char *expect, const char *expect2, bh_blob *b,
		    struct archive **outer, bh_error *err)
{
	struct ocictx *x = vctx;
	char path[128], label[512];
	struct stat st;
	int fd, rc;

	*outer = NULL;
	memset(b, 0, sizeof(*b));
	if ((rc = blob_path(ref, path, sizeof(path), err)))
		return rc;
	if (x->archive) {
		const bh_tarent *e = bh_tarindex_find(&x->ti, path);
		if (!e)
			return bh_error_set(err, BH_ENOTFOUND, "%s: blob %s is missing", x->label, ref);
		return bh_tarindex_open(&x->ti, e, expect, expect2, b, outer, err);
	}
	snprintf(label, sizeof(label), "%s/%s", x->label, path);
	fd = openat(x->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", label, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || x->nfds >= sizeof(x->fds) / sizeof(x->fds[0])) {
		close(fd);
		return bh_error_set(err, BH_EINVAL, "%s: not a regular file", label);
	}
	x->fds[x->nfds++] = fd;
	return bh_blob_open_range(b, fd, 0, (uint64_t)st.st_size, label, expect, expect2, err);
}

static int read_top(struct ocictx *x, const char *name, const bh_limits *lim, bh_buf *out, bh_error *err)
{
	if (x->archive)
		return bh_tarindex_read(&x->ti, name, (size_t)lim->max_meta_size, NULL, out, err);
	{
		int fd = openat(x->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
		struct stat st;
		bh_blob b;
		int rc;
		if (fd < 0)
			return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s/%s: %s", x->label, name, strerror(errno));
		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			close(fd);
			return bh_error_set(err, BH_EINVAL, "%s/%s: not a regular file", x->label, name);
		}
		rc = bh_blob_open_range(&b, fd, 0, (uint64_t)st.st_size, name, NULL, NULL, err);
		if (!rc)
			rc = bh_blob_read_all(&b, (size_t)lim->max_meta_size, out, err);
		bh_blob_close(&b);
		close(fd);
		return rc;
	}
}

static bool is_index_type(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

static const char *host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#else
	return "amd64";
#endif
}

/* Picks a descriptor from an index: by ref name when tag is set, else by platform, else the only one. */
static json_t *pick(json_t *manifests, const char *tag, const char *platform, bh_error *err, const char *label)
{
	size_t i, n = json_array_size(manifests);
	char want_os[32] = "linux", want_arch[32];
	snprintf(want_arch, sizeof(want_arch), "%s", host_arch());
	if (platform) {
		const char *sl = strchr(platform, '/');
		if (sl) {
			snprintf(want_os, sizeof(want_os), "%.*s", (int)(sl - platform), platform);
			snprintf(want_arch, sizeof(want_arch), "%s", sl + 1);
		}
	}
	if (!n) {
		bh_error_set(err, BH_EINVAL, "%s: index lists no manifests", label);
		return NULL;
	}
	if (tag) {
		for (i = 0; i < n; i++) {
			json_t *d = json_array_get(manifests, i);
			const char *rn = bh_json_str(json_object_get(d, "annotations"), "org.opencontainers.image.ref.name");
			const char *c;
			if (!rn)
				continue;
			c = strrchr(rn, ':');
			if (strcmp(rn, tag) == 0 || (c && strcmp(c + 1, tag) == 0))
				return d;
		}
		bh_error_set(err, BH_ENOTFOUND, "%s: no image tagged \"%s\"", label, tag);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *d = json_array_get(manifests, i), *p = json_object_get(d, "platform");
		const char *os = bh_json_str(p, "os"), *arch = bh_json_str(p, "architecture");
		if (os && arch && strcmp(os, want_os) == 0 && strcmp(arch, want_arch) == 0)
			return d;
	}
	return json_array_get(manifests, 0);
}

int bh_source_oci(const char *path, const char *tag, bool archive, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	struct ocictx x;
	bh_blobsrc bs = { oci_open, &x };
	bh_buf buf = BH_BUF_INIT, cfg = BH_BUF_INIT;
	json_t *doc = NULL, *desc, *layers;
	char **refs = NULL, **mts = NULL;
	const char *mdig, *cdig;
	size_t i, n = 0;
	unsigned depth;
	int rc, fd = -1;

	memset(&x, 0, sizeof(x));
	x.archive = archive;
	x.label = path;
	x.dirfd = -1;
	if (archive) {
		if ((rc = bh_file_open_regular(path, &fd, err)))
			return rc;
		if ((rc = bh_tarindex_build(&x.ti, fd, path, &o->limits, err))) {
			close(fd);
			return rc;
		}
	} else {
		x.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (x.dirfd < 0)
			return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", path, strerror(errno));
	}
	rc = read_top(&x, "index.json", &o->limits, &buf, err);
	if (rc == BH_ENOTFOUND)
		rc = bh_error_set(err, BH_EINVAL, "%s: no index.json: not an OCI image layout", path);
	if (rc || (rc = bh_json_load(buf.data, buf.len, o->limits.max_json_depth, "index.json", &doc, err)))
		goto out;
	desc = pick(json_object_get(doc, "manifests"), tag, o->platform, err, path);
	/* Nested indexes (multi-platform images) are followed a bounded number of times. */
	for (depth = 0;; depth++) {
		json_t *next;
		if (!desc) {
			rc = err->code;
			goto out;
		}
		mdig = bh_json_str(desc, "digest");
		if (!mdig || depth > 4) {
			rc = bh_error_set(err, BH_EINVAL, "%s: manifest descriptor without digest (or nested too deep)", path);
			goto out;
		}
		bh_buf_reset(&buf);
		if ((rc = bh_image_read_blob(&bs, mdig, o->verify_digests ? mdig : NULL, &o->limits, &buf, err)))
			goto out;
		if ((rc = bh_json_load(buf.data, buf.len, o->limits.max_json_depth, mdig, &next, err)))
			goto out;
		if (bh_component_set(&s->manifest_digest, mdig, (size_t)-1)) {
			json_decref(next);
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		json_decref(doc);
		doc = next;
		if (!is_index_type(bh_json_str(doc, "mediaType")) && !json_is_array(json_object_get(doc, "manifests")))
			break;
		desc = pick(json_object_get(doc, "manifests"), NULL, o->platform, err, mdig);
	}
	cdig = bh_json_str(json_object_get(doc, "config"), "digest");
	layers = json_object_get(doc, "layers");
	if (!cdig || !json_is_array(layers)) {
		rc = bh_error_set(err, BH_EINVAL, "%s: manifest %s has no config or layers", path, s->manifest_digest);
		goto out;
	}
	n = json_array_size(layers);
	if (n > o->limits.max_layers) {
		rc = bh_error_set(err, BH_ELIMIT, "%s: %zu layers, more than the max-layers limit (%u)", path, n, o->limits.max_layers);
		goto out;
	}
	refs = calloc(n + 1, sizeof(char *));
	mts = calloc(n + 1, sizeof(char *));
	if (!refs || !mts) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *l = json_array_get(layers, i);
		const char *d = bh_json_str(l, "digest"), *mt = bh_json_str(l, "mediaType");
		if (!d) {
			rc = bh_error_set(err, BH_EINVAL, "%s: layer %zu has no digest", path, i);
			goto out;
		}
		refs[i] = bh_strdup(d);
		mts[i] = mt ? bh_strdup(mt) : NULL;
		if (!refs[i]) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
	}
	if ((rc = bh_image_read_blob(&bs, cdig, o->verify_digests ? cdig : NULL, &o->limits, &cfg, err)))
		goto out;
	rc = bh_image_scan(&bs, cfg.data, cfg.len, cdig, refs, refs, mts, n, o, s, err);
	if (!rc && tag && !s->name)
		s->name = bh_strdup(tag);
out:
	for (i = 0; refs && i < n; i++) {
		free(refs[i]);
		free(mts ? mts[i] : NULL);
	}
	free(refs);
	free(mts);
	if (doc)
		json_decref(doc);
	bh_buf_free(&buf);
	bh_buf_free(&cfg);
	for (i = 0; i < x.nfds; i++)
		close(x.fds[i]);
	if (archive) {
		bh_tarindex_free(&x.ti);
		close(fd);
	} else {
		close(x.dirfd);
	}
	return rc;
}
