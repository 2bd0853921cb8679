/* buf.c - growable buffer and string helpers. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Marks b failed and passes the status on, so every failure path reads `return failed(b, rc)`. */
static int failed(bh_buf *b, int rc)
{
	b->failed = true;
	return rc;
}

int bh_buf_grow(bh_buf *b, size_t extra)
{
	size_t need, ncap;
	char *n;

	if (b->failed)
		return BH_ENOMEM;
	if (!bh_size_add(b->len, extra, &need) || !bh_size_add(need, 1, &need))
		return failed(b, BH_ENOMEM);
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (!bh_size_mul(ncap, 2, &ncap))
			return failed(b, BH_ENOMEM);
	}
	n = realloc(b->data, ncap);
	if (!n)
		return failed(b, BH_ENOMEM);
	if (!b->data)
		n[0] = '\0'; /* "NUL-terminated when non-NULL" holds from the first allocation */
	b->data = n;
	b->cap = ncap;
	return 0;
}

int bh_buf_append(bh_buf *b, const void *p, size_t n)
{
	int rc = bh_buf_grow(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int bh_buf_puts(bh_buf *b, const char *s) { return bh_buf_append(b, s, strlen(s)); }
int bh_buf_putc(bh_buf *b, char c) { return bh_buf_append(b, &c, 1); }

int bh_buf_printf(bh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	if (b->failed)
		return BH_ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return failed(b, BH_EINVAL);
	rc = bh_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

bool bh_buf_oom(const bh_buf *b) { return b->failed; }

void bh_buf_fail(bh_buf *b) { b->failed = true; }

void bh_buf_reset(bh_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void bh_buf_free(bh_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

char *bh_buf_steal(bh_buf *b)
{
	char *d;
	if (b->failed || (!b->data && bh_buf_grow(b, 0))) {
		bh_buf_free(b);
		return NULL;
	}
	d = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

char *bh_strdup(const char *s) { return s ? strdup(s) : NULL; }

char *bh_strndup(const char *s, size_t n)
{
	char *d;
	size_t sz;
	if (!s || !bh_size_add(n, 1, &sz))
		return NULL;
	d = malloc(sz);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void bh_trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t l = *n;
	while (l && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		l--;
	}
	while (l && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r' || p[l - 1] == '\n'))
		l--;
	*s = p;
	*n = l;
}

char *bh_strdup_trim(const char *s, size_t n)
{
	bh_trim(&s, &n);
	return bh_strndup(s, n);
}

bool bh_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool bh_str_endswith(const char *s, const char *suffix)
{
	return bh_mem_endswith(s, strlen(s), suffix);
}

bool bh_mem_startswith(const char *s, size_t n, const char *prefix)
{
	size_t l = strlen(prefix);
	return n >= l && memcmp(s, prefix, l) == 0;
}

bool bh_mem_endswith(const char *s, size_t n, const char *suffix)
{
	size_t l = strlen(suffix);
	return n >= l && memcmp(s + n - l, suffix, l) == 0;
}

void bh_lines_init(bh_lines *it, const char *data, size_t len)
{
	it->p = data;
	it->end = data ? data + len : NULL;
}

bool bh_lines_next(bh_lines *it, const char **line, size_t *len)
{
	const char *nl;
	size_t l;
	if (!it->p || it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	l = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	*line = it->p;
	it->p = nl ? nl + 1 : it->end;
	if (l && (*line)[l - 1] == '\r')
		l--;
	*len = l;
	return true;
}

size_t bh_utf8_seq(const unsigned char *p, size_t avail)
{
	size_t n, i;
	uint32_t cp;
	if (!avail)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int bh_buf_put_clean(bh_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), used = 0;
	while (left) {
		unsigned char ch = *p;
		size_t k = ch < 0x20 || ch == 0x7f ? 0 : bh_utf8_seq(p, left);
		int r;
		if (used + (k ? k : 1) > max)
			return bh_buf_puts(b, "...");
		if (k == 0) {
			k = 1;
			r = bh_buf_putc(b, '?');
		} else {
			r = bh_buf_append(b, p, k);
		}
		if (r)
			return r;
		p += k, left -= k, used += k;
	}
	return 0;
}

bool bh_path_norm_abs(const char *s, char *out, size_t n)
{
	size_t len = 1;
	if (!s || s[0] != '/' || n < 2)
		return false;
	out[0] = '/';
	out[1] = '\0';
	while (*s) {
		const char *e;
		size_t k;
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		k = e ? (size_t)(e - s) : strlen(s);
		if (k == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 1 && out[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			out[len] = '\0';
		} else if (!(k == 1 && s[0] == '.')) {
			if (len + (len > 1) + k + 1 > n)
				return false;
			if (len > 1)
				out[len++] = '/';
			memcpy(out + len, s, k);
			len += k;
			out[len] = '\0';
		}
		s += k;
	}
	return true;
}
