/* toml.c - bounded TOML pull reader: one item per header or key/value, values checked but not built. */
#include "pkg/toml.h"

#include <stdint.h>
#include <string.h>

/* A cursor over the text; the reader and the array iterator each use one. */
struct rd {
	const char *p, *end;
	size_t *line;
	unsigned max_depth;
	bh_error *err;
};

static int fail(struct rd *r, int code, const char *what)
{
	return bh_error_set(r->err, code, "line %zu: %s", *r->line, what);
}

static void skip_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
}

/* At "\n" or "\r\n": consumes it and returns true. */
static bool newline(struct rd *r)
{
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		(*r->line)++;
		return true;
	}
	if (r->end - r->p >= 2 && r->p[0] == '\r' && r->p[1] == '\n') {
		r->p += 2;
		(*r->line)++;
		return true;
	}
	return false;
}

static void skip_comment(struct rd *r)
{
	if (r->p < r->end && *r->p == '#')
		while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
			r->p++;
}

/* Whitespace, newlines and comments, as allowed inside arrays. */
static int skip_blank(struct rd *r)
{
	for (;;) {
		skip_ws(r);
		skip_comment(r);
		if (r->p >= r->end || !newline(r))
			break;
	}
	if (r->p < r->end && *r->p == '\r')
		return fail(r, BH_EINVAL, "stray carriage return");
	return 0;
}

/* After a header or a value: optional comment, then a newline or the end of the text. */
static int end_line(struct rd *r)
{
	skip_ws(r);
	skip_comment(r);
	if (r->p >= r->end || newline(r))
		return 0;
	return fail(r, BH_EINVAL, "expected the end of the line");
}

/* Length of the valid UTF-8 sequence at p (1 for ASCII), 0 when invalid or cut short. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	return bh_utf8_seq(p, (size_t)(end - p));
}

static int put_utf8(bh_buf *o, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return bh_buf_append(o, b, n);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after the backslash (r->p at the letter); appends its value to o (when non-NULL). */
static int escape(struct rd *r, bh_buf *o)
{
	uint32_t cp = 0;
	size_t digits = 0, i;
	char c;
	if (r->p >= r->end)
		return fail(r, BH_EINVAL, "unterminated string");
	c = *r->p++;
	switch (c) {
	case 'b': cp = 8; break;
	case 't': cp = 9; break;
	case 'n': cp = 10; break;
	case 'f': cp = 12; break;
	case 'r': cp = 13; break;
	case 'e': cp = 27; break;
	case '"': cp = '"'; break;
	case '\\': cp = '\\'; break;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: return fail(r, BH_EINVAL, "invalid escape in string");
	}
	if (digits) {
		if ((size_t)(r->end - r->p) < digits)
			return fail(r, BH_EINVAL, "unterminated escape in string");
		for (i = 0; i < digits; i++) {
			int h = hexval(r->p[i]);
			if (h < 0)
				return fail(r, BH_EINVAL, "invalid escape in string");
			cp = (cp << 4) | (uint32_t)h;
		}
		r->p += digits;
		/* NUL would cut the C string short; surrogates and > U+10FFFF are not characters */
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return fail(r, BH_EINVAL, "invalid code point in string");
	}
	return o ? put_utf8(o, cp) : 0;
}

/* Appends the raw character at r->p (checked UTF-8) to o and advances. */
static int raw_char(struct rd *r, bh_buf *o, bool multiline)
{
	unsigned char c = (unsigned char)*r->p;
	size_t n;
	if (c == '\n' || (c == '\r' && r->end - r->p >= 2 && r->p[1] == '\n')) {
		if (!multiline)
			return fail(r, BH_EINVAL, "unterminated string");
		newline(r);
		return o ? bh_buf_putc(o, '\n') : 0;
	}
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return fail(r, BH_EINVAL, "control character in string");
	n = utf8_seq((const unsigned char *)r->p, (const unsigned char *)r->end);
	if (!n)
		return fail(r, BH_EINVAL, "invalid UTF-8 in string");
	if (o && bh_buf_append(o, r->p, n))
		return BH_ENOMEM;
	r->p += n;
	return 0;
}

/* Any of the four string kinds at r->p; decoded into o when non-NULL. */
static int string(struct rd *r, bh_buf *o)
{
	char q = *r->p;
	bool multi = r->end - r->p >= 3 && r->p[1] == q && r->p[2] == q;
	int rc;

	r->p += multi ? 3 : 1;
	if (multi)
		newline(r); /* a newline right after the opening quotes is not part of the value */
	for (;;) {
		if (r->p >= r->end)
			return fail(r, BH_EINVAL, "unterminated string");
		if (*r->p == q) {
			size_t run = 0;
			if (!multi) {
				r->p++;
				return 0;
			}
			while (r->p + run < r->end && r->p[run] == q)
				run++;
			if (run >= 3) {
				/* up to two quotes may end the content: """a"""" is a" */
				if (run > 5)
					return fail(r, BH_EINVAL, "too many quotes closing a string");
				if (o && run > 3 && bh_buf_append(o, r->p, run - 3))
					return BH_ENOMEM;
				r->p += run;
				return 0;
			}
			if (o && bh_buf_append(o, r->p, run))
				return BH_ENOMEM;
			r->p += run;
			continue;
		}
		if (*r->p == '\\' && q == '"') {
			const char *s = r->p + 1;
			if (multi) {
				/* a backslash ending a line swallows the newline and the blanks that follow */
				while (s < r->end && (*s == ' ' || *s == '\t'))
					s++;
				if (s < r->end && (*s == '\n' || *s == '\r')) {
					r->p = s;
					if (!newline(r))
						return fail(r, BH_EINVAL, "stray carriage return");
					for (;;) {
						if (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
							r->p++;
						else if (!newline(r))
							break;
					}
					continue;
				}
			}
			r->p++;
			if ((rc = escape(r, o)))
				return rc;
			continue;
		}
		if ((rc = raw_char(r, o, multi)))
			return rc;
	}
}

static bool bare_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A (dotted) key; the parts are decoded and joined with '.' into o (when non-NULL). */
static int key(struct rd *r, bh_buf *o)
{
	int rc;
	if (o)
		bh_buf_reset(o);
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end)
			return fail(r, BH_EINVAL, "expected a key");
		if (*r->p == '"' || *r->p == '\'') {
			if (r->end - r->p >= 3 && r->p[1] == r->p[0] && r->p[2] == r->p[0])
				return fail(r, BH_EINVAL, "multi-line string used as a key");
			if ((rc = string(r, o)))
				return rc;
		} else {
			const char *s = r->p;
			while (r->p < r->end && bare_key_char(*r->p))
				r->p++;
			if (r->p == s)
				return fail(r, BH_EINVAL, "expected a key");
			if (o && bh_buf_append(o, s, (size_t)(r->p - s)))
				return BH_ENOMEM;
		}
		skip_ws(r);
		if (r->p >= r->end || *r->p != '.')
			break;
		r->p++;
		if (o && bh_buf_putc(o, '.'))
			return BH_ENOMEM;
	}
	if (o && !o->data && bh_buf_puts(o, ""))
		return BH_ENOMEM;
	return 0;
}

static bool scalar_char(char c)
{
	return bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

/* A value at r->p; a top-level string is decoded into str (when non-NULL). */
static int value(struct rd *r, unsigned depth, bh_buf *str, bh_toml_type *type)
{
	int rc;
	bh_toml_type dummy;
	if (!type)
		type = &dummy;
	if (r->p >= r->end)
		return fail(r, BH_EINVAL, "expected a value");
	if (*r->p == '"' || *r->p == '\'') {
		*type = BH_TOML_STRING;
		return string(r, str);
	}
	if (*r->p == '[' || *r->p == '{') {
		bool arr = *r->p == '[';
		char close = arr ? ']' : '}';
		*type = arr ? BH_TOML_ARRAY : BH_TOML_INLINE;
		if (depth + 1 > r->max_depth)
			return fail(r, BH_ELIMIT, "arrays or inline tables nested too deeply");
		r->p++;
		for (;;) {
			/* newlines are TOML 1.1 in inline tables; accepted in both */
			if ((rc = skip_blank(r)))
				return rc;
			if (r->p < r->end && *r->p == close) {
				r->p++;
				return 0;
			}
			if (!arr) {
				if ((rc = key(r, NULL)))
					return rc;
				skip_ws(r);
				if (r->p >= r->end || *r->p != '=')
					return fail(r, BH_EINVAL, "expected '=' in inline table");
				r->p++;
				skip_ws(r);
			}
			if ((rc = value(r, depth + 1, NULL, NULL)) || (rc = skip_blank(r)))
				return rc;
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				continue;
			}
			if (r->p < r->end && *r->p == close) {
				r->p++;
				return 0;
			}
			return fail(r, BH_EINVAL, arr ? "expected ',' or ']' in array" : "expected ',' or '}' in inline table");
		}
	}
	{
		const char *s = r->p;
		*type = BH_TOML_SCALAR;
		while (r->p < r->end && scalar_char(*r->p))
			r->p++;
		/* "1979-05-27 07:32:00": a date and a time may be separated by one space */
		if (r->p - s == 10 && s[4] == '-' && s[7] == '-' && r->end - r->p >= 2 && r->p[0] == ' ' &&
		    r->p[1] >= '0' && r->p[1] <= '9') {
			r->p++;
			while (r->p < r->end && scalar_char(*r->p))
				r->p++;
		}
		if (r->p == s)
			return fail(r, BH_EINVAL, "expected a value");
	}
	return 0;
}

void bh_toml_init(bh_toml *t, const char *data, size_t len, unsigned max_depth)
{
	memset(t, 0, sizeof(*t));
	t->data = t->p = data;
	t->end = data + len;
	t->max_depth = max_depth ? max_depth : 1;
	t->line = 1;
	/* a UTF-8 byte order mark is not part of the document */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		t->p += 3;
}

void bh_toml_free(bh_toml *t)
{
	bh_buf_free(&t->table);
	bh_buf_free(&t->key);
	bh_buf_free(&t->str);
}

static int ensure(bh_buf *b)
{
	return b->data ? 0 : bh_buf_puts(b, "");
}

int bh_toml_next(bh_toml *t, bh_toml_item *it, bh_error *err)
{
	struct rd r = { t->p, t->end, &t->line, t->max_depth, err };
	int rc;

	memset(it, 0, sizeof(*it));
	if ((rc = ensure(&t->table)))
		return bh_error_set(err, rc, "out of memory");
	for (;;) {
		skip_ws(&r);
		skip_comment(&r);
		if (r.p >= r.end) {
			t->p = r.p;
			return 0;
		}
		if (newline(&r))
			continue;
		break;
	}
	if (*r.p == '[') {
		bool arr = r.end - r.p >= 2 && r.p[1] == '[';
		r.p += arr ? 2 : 1;
		if ((rc = key(&r, &t->table)))
			goto out;
		if (r.p >= r.end || *r.p != ']' || (arr && (r.end - r.p < 2 || r.p[1] != ']'))) {
			rc = fail(&r, BH_EINVAL, "expected ']' closing a table header");
			goto out;
		}
		r.p += arr ? 2 : 1;
		if ((rc = end_line(&r)))
			goto out;
		t->array_table = arr;
		it->kind = arr ? BH_TOML_ARRAY_TABLE : BH_TOML_TABLE;
	} else {
		bh_buf_reset(&t->str);
		if ((rc = key(&r, &t->key)))
			goto out;
		skip_ws(&r);
		if (r.p >= r.end || *r.p != '=') {
			rc = fail(&r, BH_EINVAL, "expected '=' after a key");
			goto out;
		}
		r.p++;
		skip_ws(&r);
		it->raw = r.p;
		if ((rc = value(&r, 0, &t->str, &it->type)))
			goto out;
		it->raw_len = (size_t)(r.p - it->raw);
		if ((rc = end_line(&r)) || (rc = ensure(&t->str)) || (rc = ensure(&t->key)))
			goto out;
		it->kind = BH_TOML_KEYVAL;
		it->key = t->key.data;
		if (it->type == BH_TOML_STRING) {
			it->str = t->str.data;
			it->str_len = t->str.len;
		}
	}
	it->table = t->table.data;
	it->array_table = t->array_table;
	t->p = r.p;
	return 1;
out:
	/* stop here: a later call reports the end instead of re-reading garbage */
	t->p = t->end;
	if (rc == BH_ENOMEM)
		return bh_error_set(err, rc, "out of memory");
	return rc;
}

int bh_toml_array_next(bh_toml *t, const bh_toml_item *it, size_t *pos, bh_buf *out, bh_error *err)
{
	/* the raw text was checked by bh_toml_next, so this walk only re-reads it */
	size_t line = t->line;
	struct rd r;
	int rc;

	if (it->kind != BH_TOML_KEYVAL || it->type != BH_TOML_ARRAY || !it->raw || *pos > it->raw_len)
		return 0;
	r.p = it->raw + *pos;
	r.end = it->raw + it->raw_len;
	r.line = &line;
	r.max_depth = t->max_depth;
	r.err = err;
	if (*pos == 0)
		r.p++; /* the opening '[' */
	for (;;) {
		bool got = false;
		if ((rc = skip_blank(&r)))
			return rc;
		if (r.p >= r.end || *r.p == ']')
			break;
		if (*r.p == '"' || *r.p == '\'') {
			bh_buf_reset(out);
			if ((rc = string(&r, out)) || (rc = ensure(out)))
				return rc == BH_ENOMEM ? bh_error_set(err, rc, "out of memory") : rc;
			got = true;
		} else if ((rc = value(&r, 1, NULL, NULL))) {
			return rc;
		}
		if ((rc = skip_blank(&r)))
			return rc;
		if (r.p < r.end && *r.p == ',')
			r.p++;
		if (got) {
			*pos = (size_t)(r.p - it->raw);
			return 1;
		}
	}
	*pos = it->raw_len;
	return 0;
}

bool bh_toml_is(const bh_toml_item *it, const char *table, const char *k)
{
	return it->kind == BH_TOML_KEYVAL && it->table && it->key && !strcmp(it->table, table) && !strcmp(it->key, k);
}
