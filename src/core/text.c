/* text.c - UTF-8 repair and terminal escaping for strings that come from images and documents. */
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static const char REPL[] = "\xef\xbf\xbd"; /* U+FFFD */

bool bh_text_is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = bh_utf8_seq(p + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

int bh_text_put_utf8(bh_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	int rc;
	/* Copies valid runs in one append: most strings are valid and pass through whole. */
	while (i < n) {
		size_t k = bh_utf8_seq(p + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		if ((rc = bh_buf_append(b, s + run, i - run)) || (rc = bh_buf_append(b, REPL, 3)))
			return rc;
		run = ++i;
	}
	return bh_buf_append(b, s + run, n - run);
}

char *bh_text_utf8_dup(const char *s)
{
	bh_buf b = BH_BUF_INIT;
	size_t n;
	if (!s)
		return NULL;
	n = strlen(s);
	if (bh_text_put_utf8(&b, s, n) || bh_buf_append(&b, "", 0)) {
		bh_buf_free(&b);
		return NULL;
	}
	return bh_buf_steal(&b);
}

/* Code point of a valid sequence of k bytes. */
static unsigned long cp_of(const unsigned char *p, size_t k)
{
	static const unsigned char lead[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned long cp = p[0] & lead[k];
	size_t i;
	for (i = 1; i < k; i++)
		cp = (cp << 6) | (p[i] & 0x3fu);
	return cp;
}

int bh_text_put_term(bh_buf *b, const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, lim = max && n > max ? max : n;
	int rc = 0;
	while (i < lim && !rc) {
		size_t k = bh_utf8_seq(p + i, lim - i);
		unsigned long cp;
		if (!k) {
			rc = bh_buf_append(b, REPL, 3);
			i++;
			continue;
		}
		cp = cp_of(p + i, k);
		if (cp < 0x20 || cp == 0x7f)
			rc = bh_buf_printf(b, "\\x%02lx", cp);
		else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			rc = bh_buf_printf(b, "\\u{%04lx}", cp);
		else
			rc = bh_buf_append(b, s + i, k);
		i += k;
	}
	if (!rc && lim < n)
		rc = bh_buf_puts(b, "...");
	return rc;
}

int bh_text_fput_term(FILE *fp, const char *s, size_t max)
{
	bh_buf b = BH_BUF_INIT;
	int rc;
	if (!s)
		s = "";
	rc = bh_text_put_term(&b, s, strlen(s), max);
	if (!rc && b.len && fwrite(b.data, 1, b.len, fp) != b.len)
		rc = BH_EIO;
	bh_buf_free(&b);
	return rc;
}
