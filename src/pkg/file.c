/* file.c - content access for analyzers: streaming, random access and capped slurp. */
#include "pkg/analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

int bh_file_read(bh_file *f, void *buf, size_t n, size_t *got, bh_error *err)
{
	int rc;
	*got = 0;
	if (f->content) {
		/* Already slurped: serve from memory. */
		size_t left = f->content_len - (size_t)f->consumed;
		size_t k = n < left ? n : left;
		memcpy(buf, f->content + f->consumed, k);
		f->consumed += k;
		*got = k;
		return 0;
	}
	rc = f->ops->read(f->ctx, buf, n, got, err);
	if (rc == 0)
		f->consumed += *got;
	return rc;
}

bool bh_file_seekable(const bh_file *f)
{
	return f->content != NULL || f->ops->pread != NULL;
}

int bh_file_pread(bh_file *f, void *buf, size_t n, uint64_t off, size_t *got, bh_error *err)
{
	*got = 0;
	if (f->content) {
		size_t k;
		if (off >= f->content_len)
			return 0;
		k = f->content_len - (size_t)off;
		if (k > n)
			k = n;
		memcpy(buf, f->content + off, k);
		*got = k;
		return 0;
	}
	if (!f->ops->pread)
		return bh_error_set(err, BH_EUNSUPPORTED, "%s: random access not possible in a stream", f->path);
	return f->ops->pread(f->ctx, buf, n, off, got, err);
}

int bh_file_slurp(bh_file *f, const unsigned char **data, size_t *len, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	uint64_t max = f->limits ? f->limits->max_file_read : (256ULL << 20);
	int rc;

	if (f->content) {
		*data = f->content;
		*len = f->content_len;
		return 0;
	}
	if (f->consumed)
		return bh_error_set(err, BH_EINVAL, "%s: already partly read", f->path);
	if (f->size > max)
		return bh_error_set(err, BH_ELIMIT, "%s: %llu bytes is over the max-file-read limit (%llu)",
				    f->path, (unsigned long long)f->size, (unsigned long long)max);
	if (bh_buf_grow(&b, (size_t)f->size))
		return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	for (;;) {
		size_t got;
		if (bh_buf_grow(&b, 65536)) {
			bh_buf_free(&b);
			return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
		}
		rc = f->ops->read(f->ctx, b.data + b.len, 65536, &got, err);
		if (rc) {
			bh_buf_free(&b);
			return rc;
		}
		if (!got)
			break;
		b.len += got;
		if (b.len > max) {
			bh_buf_free(&b);
			return bh_error_set(err, BH_ELIMIT, "%s: content over the max-file-read limit (%llu)",
					    f->path, (unsigned long long)max);
		}
	}
	b.data[b.len] = '\0';
	f->content_len = b.len;
	f->content = (unsigned char *)bh_buf_steal(&b);
	f->consumed = 0;
	*data = f->content;
	*len = f->content_len;
	return 0;
}

void bh_file_release(bh_file *f)
{
	if (!f->content_borrowed)
		free(f->content);
	f->content = NULL;
	f->content_len = 0;
}

const char *bh_path_base(const char *path, size_t len, size_t *baselen)
{
	const char *p = path + len;
	while (p > path && p[-1] != '/')
		p--;
	*baselen = len - (size_t)(p - path);
	return p;
}

bool bh_path_is(const char *path, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len == n)
		return memcmp(path, name, n) == 0;
	return len > n && path[len - n - 1] == '/' && memcmp(path + len - n, name, n) == 0;
}

static int mem_read(void *ctx, void *buf, size_t n, size_t *got, bh_error *err)
{
	(void)ctx; (void)buf; (void)n; (void)err;
	*got = 0; /* never reached: content is always set */
	return 0;
}

static const bh_file_ops mem_ops = { mem_read, NULL };

void bh_file_init_mem(bh_file *f, const char *path, uint32_t mode, const void *data, size_t len,
		      const bh_limits *limits)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->mode = mode;
	f->size = len;
	f->limits = limits;
	f->ops = &mem_ops;
	f->content = (unsigned char *)(uintptr_t)data;
	f->content_len = len;
	f->content_borrowed = true;
}

int bh_analyzer_run_mem(const bh_analyzer *a, const char *path, const void *data, size_t len,
			bh_complist *out, bh_error *err)
{
	bh_limits lim;
	bh_file f;
	size_t first = out->n, i;
	int rc;

	bh_limits_default(&lim);
	bh_file_init_mem(&f, path, 0100644, data, len, &lim);
	rc = a->analyze(&f, out, err);
	for (i = first; rc == 0 && i < out->n; i++) {
		if (!out->items[i]->path) {
			bh_buf b = BH_BUF_INIT;
			if (bh_buf_putc(&b, '/') || bh_buf_puts(&b, path))
				rc = BH_ENOMEM;
			out->items[i]->path = bh_buf_steal(&b);
		}
	}
	return rc;
}

bool bh_analyzer_may_match(const bh_analyzer *a, const char *path, size_t pathlen)
{
	return a->may_match ? a->may_match(path, pathlen) : a->match(path, pathlen, 0100755, 1);
}
