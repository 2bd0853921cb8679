/* layout.h - terminal text laid out in columns: display width of UTF-8, wrapping and eliding. */
#ifndef BH_REPORT_LAYOUT_H
#define BH_REPORT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"

/* Columns a terminal gives the valid UTF-8 s[0..n): East Asian wide and fullwidth characters 2,
 * combining marks and zero-width characters 0, everything else 1 (as wcwidth in a UTF-8 locale,
 * without depending on the locale). */
size_t bh_layout_width(const char *s, size_t n);

/* One column of a row: its width in display columns (at least 2) and what happens to text that is
 * longer: wrapped onto more lines (at a space, ',' or '/' when there is one), or cut with "…". */
typedef struct bh_layout_col {
	size_t width;
	bool elide;
	size_t max_lines; /* wrapped text stops after this many lines with "…" (0 = no bound) */
} bh_layout_col;

/*
 * Appends one row to out: cell i (NULL = "") terminal-escaped (bh_text_put_term) and laid out in
 * cols[i], columns separated by one space, every line starting with indent spaces and without
 * trailing spaces. No line is wider than indent + the columns' widths + the separators.
 * Failures stay in out (core/buf.h).
 */
void bh_layout_row(bh_buf *out, const char *const *cells, const bh_layout_col *cols, size_t n, size_t indent);

/* The display width of s (NULL = 0) once terminal-escaped, as bh_layout_row lays it out. */
size_t bh_layout_cell_width(const char *s);

#endif
