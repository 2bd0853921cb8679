/* blob.c - digest-verifying blob streams over file ranges and archive entries. */
#include "image/blob.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool bh_digest_valid(const char *s)
{
	size_t i;
	if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
		return false;
	for (i = 7; i < 71; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void hexify(const unsigned char *md, unsigned n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	unsigned i;
	memcpy(out, "sha256:", 7);
	for (i = 0; i < n; i++) {
		out[7 + 2 * i] = hx[md[i] >> 4];
		out[8 + 2 * i] = hx[md[i] & 15];
	}
	out[7 + 2 * n] = '\0';
}

int bh_digest_mem(const void *p, size_t n, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL))
		return BH_ENOMEM;
	hexify(md, mdlen, out);
	return 0;
}

static int common_init(bh_blob *b, const char *name, const char *expect, const char *expect2, bh_error *err)
{
	b->buf = malloc(BH_BLOB_BUFSZ);
	if (!b->buf)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	snprintf(b->name, sizeof(b->name), "%s", name);
	if (bh_digest_valid(expect))
		snprintf(b->expect[0], sizeof(b->expect[0]), "%s", expect);
	if (bh_digest_valid(expect2))
		snprintf(b->expect[1], sizeof(b->expect[1]), "%s", expect2);
	if (b->expect[0][0] || b->expect[1][0]) {
		b->md = EVP_MD_CTX_new();
		if (!b->md || !EVP_DigestInit_ex(b->md, EVP_sha256(), NULL))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

int bh_blob_open_range(bh_blob *b, int fd, uint64_t start, uint64_t len, const char *name,
		       const char *expect, const char *expect2, bh_error *err)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->start = b->pos = start;
	if (__builtin_add_overflow(start, len, &b->end))
		return bh_error_set(err, BH_EINVAL, "%s: bad range", name);
	return common_init(b, name, expect, expect2, err);
}

int bh_blob_open_entry(bh_blob *b, struct archive *outer, const char *name, const char *expect,
		       const char *expect2, bh_error *err)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->outer = outer;
	return common_init(b, name, expect, expect2, err);
}

int bh_blob_open_fn(bh_blob *b, bh_blob_read_fn fn, void (*close_fn)(void *ud), void *ud, const char *name,
		    const char *expect, const char *expect2, bh_error *err)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->rfn = fn;
	b->rclose = close_fn;
	b->rud = ud;
	return common_init(b, name, expect, expect2, err);
}

int bh_blob_read(bh_blob *b, void *buf, size_t n, size_t *got, bh_error *err)
{
	*got = 0;
	if (b->rfn) {
		int rc = b->rfn(b->rud, buf, n, got, err);
		if (rc)
			return rc;
	} else if (b->outer) {
		la_ssize_t r = archive_read_data(b->outer, buf, n);
		if (r < 0)
			return bh_error_set(err, BH_EINVAL, "%s: %s", b->name, archive_error_string(b->outer));
		*got = (size_t)r;
	} else {
		uint64_t left = b->end - b->pos;
		ssize_t r;
		if (n > left)
			n = (size_t)left;
		if (!n)
			return 0;
		do
			r = pread(b->fd, buf, n, (off_t)b->pos);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return bh_error_set(err, BH_EIO, "%s: read: %s", b->name, strerror(errno));
		if (r == 0)
			return bh_error_set(err, BH_EINVAL, "%s: truncated (file ends before the blob)", b->name);
		b->pos += (uint64_t)r;
		*got = (size_t)r;
	}
	if (b->md && *got)
		EVP_DigestUpdate(b->md, buf, *got);
	b->total += *got;
	return 0;
}

int bh_blob_read_keep(bh_blob *b, void *buf, size_t n, size_t *got, bh_error *err)
{
	int rc = bh_blob_read(b, buf, n, got, err);
	if (rc && !b->rerr.code)
		b->rerr = *err;
	return rc;
}

static la_ssize_t cb_read(struct archive *a, void *ud, const void **out)
{
	bh_blob *b = ud;
	bh_error err;
	size_t got;
	if (bh_blob_read_keep(b, b->buf, BH_BLOB_BUFSZ, &got, &err)) {
		archive_set_error(a, EIO, "%s", err.msg);
		return -1;
	}
	*out = b->buf;
	return (la_ssize_t)got;
}

/* Skipping is only possible when nothing is hashed and the source is a file range. */
static la_int64_t cb_skip(struct archive *a, void *ud, la_int64_t req)
{
	bh_blob *b = ud;
	uint64_t left;
	(void)a;
	if (b->md || b->outer || b->rfn || req <= 0)
		return 0;
	left = b->end - b->pos;
	if ((uint64_t)req > left)
		req = (la_int64_t)left;
	b->pos += (uint64_t)req;
	b->total += (uint64_t)req;
	return req;
}

int bh_blob_attach(bh_blob *b, struct archive *a, bh_error *err)
{
	if (archive_read_open2(a, b, NULL, cb_read, cb_skip, NULL) != ARCHIVE_OK)
		return bh_error_set(err, BH_EINVAL, "%s: %s", b->name,
				    archive_error_string(a) ? archive_error_string(a) : "not an archive");
	return 0;
}

int bh_blob_read_all(bh_blob *b, size_t max, bh_buf *out, bh_error *err)
{
	for (;;) {
		size_t got;
		int rc;
		if (bh_buf_grow(out, 65536))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		rc = bh_blob_read(b, out->data + out->len, 65536, &got, err);
		if (rc)
			return rc;
		if (!got)
			break;
		out->len += got;
		out->data[out->len] = '\0';
		if (out->len > max)
			return bh_error_set(err, BH_ELIMIT, "%s: larger than %zu bytes (max-meta-size limit)", b->name, max);
	}
	return 0;
}

int bh_blob_finish(bh_blob *b, bh_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!b->md)
		return 0;
	for (;;) {
		size_t got;
		int rc = bh_blob_read(b, b->buf, BH_BLOB_BUFSZ, &got, err);
		if (rc)
			return rc;
		if (!got)
			break;
	}
	EVP_DigestFinal_ex(b->md, md, &mdlen);
	hexify(md, mdlen, b->got);
	if (strcmp(b->got, b->expect[0]) != 0 && strcmp(b->got, b->expect[1]) != 0)
		return bh_error_set(err, BH_EDIGEST, "%s: digest mismatch: expected %s, content is %s",
				    b->name, b->expect[0][0] ? b->expect[0] : b->expect[1], b->got);
	return 0;
}

void bh_blob_close(bh_blob *b)
{
	if (b->rclose)
		b->rclose(b->rud);
	b->rclose = NULL;
	b->rfn = NULL;
	if (b->md)
		EVP_MD_CTX_free(b->md);
	free(b->buf);
	b->md = NULL;
	b->buf = NULL;
}
