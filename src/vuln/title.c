/* title.c - a one-line title for an advisory that has no summary (PYSEC, some OSV records): the
 * first sentence of its details, cleaned of Markdown. The full details stay in the DB. */
#include "vuln/title.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* A '.' at d[i] that ends a sentence: followed by a space or the end, and not "e.g." or "v1." */
static bool sentence_end(const char *d, size_t i)
{
	if (d[i] != '.' && d[i] != '!' && d[i] != '?')
		return false;
	if (d[i + 1] && !space(d[i + 1]))
		return false;
	if (d[i] == '.' && i >= 2 && d[i - 2] == '.' && d[i - 1] >= 'a' && d[i - 1] <= 'z')
		return false; /* e.g. i.e. */
	if (d[i] == '.' && i >= 1 && (d[i - 1] >= '0' && d[i - 1] <= '9') && d[i + 1] && d[i + 2] >= 'a' && d[i + 2] <= 'z')
		return false; /* "before 1.2. and" is rare; "version 2. the" reads on */
	return true;
}

char *bh_title_from_details(const char *d, size_t max)
{
	bh_buf b = BH_BUF_INIT;
	size_t i = 0;
	bool line_start = true, pending_space = false, heading = false;
	char *out;
	if (!d)
		return NULL;
	while (d[i]) {
		char c = d[i];
		if (line_start) {
			/* heading marks, quote marks and list bullets at a line's start; a heading before
			 * any text ("### Impact") is a label, not the title */
			heading = d[i] == '#' || (d[i] == ' ' && d[i + strspn(d + i, " ")] == '#');
			while (d[i] == ' ' || d[i] == '#' || d[i] == '>' || ((d[i] == '-' || d[i] == '*') && d[i + 1] == ' '))
				i++;
			line_start = false;
			continue;
		}
		if (c == '\n') {
			if (heading) {
				bh_buf_reset(&b);
				heading = false;
			}
			if (b.len && d[i + 1] == '\n')
				break; /* a paragraph ends the title */
			while (d[i + 1] == '\r' || d[i + 1] == '\n')
				i++;
			if (b.len && d[i + 1] == '#')
				break; /* a heading after text starts another part */
			pending_space = b.len > 0;
			line_start = true;
			i++;
			continue;
		}
		if (space(c)) {
			pending_space = b.len > 0;
			i++;
			continue;
		}
		if (c == '*' || c == '`' || (c == '_' && (d[i + 1] == '_' || !i || space(d[i - 1]) || space(d[i + 1]) || !d[i + 1]))) {
			i++;
			continue;
		}
		if (c == '[') {
			/* [text](url): the text */
			const char *close = strchr(d + i, ']');
			if (close && close[1] == '(' && strchr(close, ')')) {
				size_t n = (size_t)(close - (d + i)) - 1;
				if (pending_space)
					bh_buf_putc(&b, ' ');
				pending_space = false;
				bh_buf_append(&b, d + i + 1, n);
				i = (size_t)(strchr(close, ')') - d) + 1;
				continue;
			}
		}
		if (c == '<' && strchr(d + i, '>') && (size_t)(strchr(d + i, '>') - (d + i)) < 200) {
			i = (size_t)(strchr(d + i, '>') - d) + 1; /* inline HTML or an autolink's marks */
			continue;
		}
		if (pending_space)
			bh_buf_putc(&b, ' ');
		pending_space = false;
		bh_buf_putc(&b, c);
		if (sentence_end(d, i))
			break;
		i++;
		if (b.len > max + 4)
			break;
	}
	if (bh_buf_oom(&b) || !b.len) {
		bh_buf_free(&b);
		return NULL;
	}
	if (b.len > max) {
		size_t cut = max;
		while (cut && ((unsigned char)b.data[cut] & 0xc0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
		while (cut && b.data[cut - 1] == ' ')
			cut--;
		b.len = cut;
		bh_buf_puts(&b, "\xe2\x80\xa6");
	}
	out = bh_buf_steal(&b);
	bh_buf_free(&b);
	return out;
}
