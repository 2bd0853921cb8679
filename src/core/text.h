/* text.h - text from hostile input made safe to write: valid UTF-8 everywhere, no control
 * characters on a terminal. One rule for every output: an invalid UTF-8 byte becomes U+FFFD. */
#ifndef BH_CORE_TEXT_H
#define BH_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"

/* True when s[0..n) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
bool bh_text_is_utf8(const char *s, size_t n);

/* Appends s[0..n) with every byte that starts no valid UTF-8 sequence replaced by U+FFFD. */
int bh_text_put_utf8(bh_buf *b, const char *s, size_t n);

/*
 * A valid UTF-8 copy of the NUL-terminated s (invalid bytes -> U+FFFD). NULL when s is NULL or
 * on allocation failure. Caller frees.
 */
char *bh_text_utf8_dup(const char *s);

/*
 * Appends s[0..n) for a terminal: invalid bytes -> U+FFFD; C0 controls (also TAB, CR, LF), DEL
 * -> "\xNN"; C1 controls (U+0080-U+009F) and bidirectional overrides/isolates (U+202A-U+202E,
 * U+2066-U+2069, which reorder what a reader sees) -> "\u{NNNN}"; a backslash stays as it is.
 * max (0 = no bound) cuts the input after that many bytes and appends "...".
 */
int bh_text_put_term(bh_buf *b, const char *s, size_t n, size_t max);

/* bh_text_put_term of the NUL-terminated s (NULL = "") written to fp. 0 or BH_EIO/BH_ENOMEM. */
int bh_text_fput_term(FILE *fp, const char *s, size_t max);

#endif
