/* layout.c - terminal text laid out in columns: display width of UTF-8, wrapping and eliding.
 * Widths are counted in display columns, so a CJK package name or a U+FFFD never pushes a row
 * past the terminal's edge. */
#include "report/layout.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

struct range {
	unsigned lo, hi;
};

/* East Asian Wide (W) and Fullwidth (F) blocks; a few emoji blocks are counted wide as a whole,
 * which errs on the narrow side of the terminal's edge. */
static const struct range wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 },
	{ 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 }, { 0x267F, 0x267F },
	{ 0x2693, 0x2693 }, { 0x26A1, 0x26A1 }, { 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
	{ 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B }, { 0x2728, 0x2728 },
	{ 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 },
	{ 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F },
	{ 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 }, { 0x17000, 0x18AFF }, { 0x1B000, 0x1B2FF },
	{ 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 },
	{ 0x1F300, 0x1F64F }, { 0x1F680, 0x1F6FF }, { 0x1F900, 0x1F9FF }, { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD },
	{ 0x30000, 0x3FFFD },
};

/* Combining marks and format characters a terminal draws in no column of their own. */
static const struct range zero[] = {
	{ 0x0300, 0x036F }, { 0x200B, 0x200F }, { 0x20D0, 0x20F0 }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
};

static bool in(const struct range *r, size_t n, unsigned cp)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

/* The code point at p (k bytes of valid UTF-8) and its display width. */
static size_t cp_width(const unsigned char *p, size_t k)
{
	unsigned cp;
	if (k == 1)
		return 1;
	if (k == 2)
		cp = ((unsigned)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	else if (k == 3)
		cp = ((unsigned)(p[0] & 0x0f) << 12) | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	else
		cp = ((unsigned)(p[0] & 0x07) << 18) | ((unsigned)(p[1] & 0x3f) << 12) | ((unsigned)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
	if (in(zero, sizeof(zero) / sizeof(zero[0]), cp))
		return 0;
	return in(wide, sizeof(wide) / sizeof(wide[0]), cp) ? 2 : 1;
}

/* Bytes of the sequence at s[i..n); invalid bytes count as one (callers pass valid UTF-8). */
static size_t seq(const char *s, size_t i, size_t n)
{
	size_t k = bh_utf8_seq((const unsigned char *)s + i, n - i);
	return k ? k : 1;
}

size_t bh_layout_width(const char *s, size_t n)
{
	size_t i = 0, w = 0;
	while (i < n) {
		size_t k = seq(s, i, n);
		w += cp_width((const unsigned char *)s + i, k);
		i += k;
	}
	return w;
}

size_t bh_layout_cell_width(const char *s)
{
	bh_buf b = BH_BUF_INIT;
	size_t w = 0;
	if (s && !bh_text_put_term(&b, s, strlen(s), 0))
		w = bh_layout_width(b.data, b.len);
	bh_buf_free(&b);
	return w;
}

/* One laid-out line of a cell: bytes [start, start+len) of its text, then "…" when cut. */
struct line {
	size_t start, len, width;
	bool ellipsis;
};

struct cell {
	bh_buf text;
	struct line *lines;
	size_t n;
};

/* The longest prefix of t[pos..n) that fits w columns: its end, its width and the end after the
 * last break opportunity inside it (0 when none): a space, else a ',' or '/' (paths, id lists). */
static size_t fit(const char *t, size_t pos, size_t n, size_t w, size_t *width, size_t *brk)
{
	size_t i = pos, cw = 0, other = 0;
	*brk = 0;
	while (i < n) {
		size_t k = seq(t, i, n), c = cp_width((const unsigned char *)t + i, k);
		if (cw + c > w)
			break;
		cw += c;
		i += k;
		if (t[i - k] == ' ')
			*brk = i;
		else if (t[i - k] == ',' || t[i - k] == '/')
			other = i;
	}
	if (i < n && t[i] == ' ')
		*brk = i;
	else if (!*brk || (other > *brk && (*brk - pos) * 2 < i - pos))
		*brk = other; /* "where: /a/long/path": break in the path rather than leave a line half empty */
	*width = cw;
	return i;
}

static int lay_out(struct cell *c, const bh_layout_col *col)
{
	const char *t = c->text.data;
	size_t n = c->text.len, pos = 0, w = col->width < 2 ? 2 : col->width, max = col->elide ? 1 : col->max_lines;
	size_t cap = 0;
	while (pos < n) {
		struct line ln = { pos, 0, 0, false };
		size_t brk, width, end = fit(t, pos, n, w, &width, &brk);
		bool last = max && c->n + 1 == max;
		if (end < n && last) {
			/* the last line allowed: what fits before the "…" */
			end = fit(t, pos, n, w - 1, &width, &brk);
			ln.ellipsis = true;
			width++;
		} else if (end < n && brk > pos) {
			end = brk;
			width = bh_layout_width(t + pos, end - pos);
		} else if (end == pos) {
			end = pos + seq(t, pos, n); /* a character wider than the column: alone on its line */
			width = bh_layout_width(t + pos, end - pos);
		}
		ln.len = end - pos;
		while (ln.len && t[pos + ln.len - 1] == ' ') {
			ln.len--;
			width--;
		}
		ln.width = width;
		if (c->n == cap) {
			struct line *nl;
			cap = cap ? cap * 2 : 4;
			if (!(nl = realloc(c->lines, cap * sizeof(*nl))))
				return -1;
			c->lines = nl;
		}
		c->lines[c->n++] = ln;
		pos = end;
		while (pos < n && t[pos] == ' ')
			pos++;
		if (ln.ellipsis)
			break;
	}
	return 0;
}

static void spaces(bh_buf *out, size_t n)
{
	while (n--)
		bh_buf_putc(out, ' ');
}

void bh_layout_row(bh_buf *out, const char *const *cells, const bh_layout_col *cols, size_t n, size_t indent)
{
	struct cell *c = calloc(n ? n : 1, sizeof(*c));
	size_t i, l, rows = 1;
	if (!c) {
		bh_buf_fail(out);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";
		if (bh_text_put_term(&c[i].text, s, strlen(s), 0) || lay_out(&c[i], &cols[i]))
			bh_buf_fail(out);
		if (c[i].n > rows)
			rows = c[i].n;
	}
	for (l = 0; l < rows && !bh_buf_oom(out); l++) {
		size_t pad = indent; /* spaces owed before the next text: trailing ones are never written */
		for (i = 0; i < n; i++) {
			size_t w = cols[i].width < 2 ? 2 : cols[i].width, used = 0;
			if (l < c[i].n && (c[i].lines[l].len || c[i].lines[l].ellipsis)) {
				spaces(out, pad);
				pad = 0;
				bh_buf_append(out, c[i].text.data + c[i].lines[l].start, c[i].lines[l].len);
				if (c[i].lines[l].ellipsis)
					bh_buf_puts(out, "\xe2\x80\xa6");
				used = c[i].lines[l].width;
			}
			pad += (w > used ? w - used : 0) + 1;
		}
		bh_buf_putc(out, '\n');
	}
	for (i = 0; i < n; i++) {
		bh_buf_free(&c[i].text);
		free(c[i].lines);
	}
	free(c);
}
