/* buf.h - growable byte buffer and small string helpers with checked size arithmetic. */
#ifndef BH_CORE_BUF_H
#define BH_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/attr.h"

/*
 * A growable buffer; data is always NUL-terminated when non-NULL. Owner frees with bh_buf_free.
 *
 * Failures are sticky (libgit2's git_str does the same): once an append or grow fails (allocation,
 * size overflow, a bad format) the buffer is marked failed, keeps what it held, and every later
 * append returns BH_ENOMEM without touching it. A writer can therefore append without checking
 * each call and ask bh_buf_oom once before it uses the result; bh_buf_steal refuses a failed
 * buffer. bh_buf_reset keeps the mark (the lost bytes stay lost); only bh_buf_free clears it.
 */
typedef struct bh_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
} bh_buf;

#define BH_BUF_INIT { NULL, 0, 0, false }

/* Room for extra more bytes (and the NUL). 0, or BH_ENOMEM and the buffer marked failed. */
BH_MUST_CHECK int bh_buf_grow(bh_buf *b, size_t extra);
/* Appends: 0, or BH_ENOMEM (BH_EINVAL for a format vsnprintf refuses) and the buffer marked failed. */
int bh_buf_append(bh_buf *b, const void *p, size_t n);
int bh_buf_puts(bh_buf *b, const char *s);
int bh_buf_putc(bh_buf *b, char c);
int bh_buf_printf(bh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True once an append or grow has failed. */
BH_MUST_CHECK bool bh_buf_oom(const bh_buf *b);
/* Marks b failed: a part built elsewhere (another buffer, a conversion) was lost. */
void bh_buf_fail(bh_buf *b);
/* Empties b for reuse; keeps its memory and a failed mark. */
void bh_buf_reset(bh_buf *b);
/* Frees the data and clears the failed mark: b is BH_BUF_INIT again. */
void bh_buf_free(bh_buf *b);
/*
 * Hands the data to the caller (caller frees with free()); leaves b empty (BH_BUF_INIT). Never NULL
 * on success; NULL when b has failed (its partial data is freed) or out of memory.
 */
BH_MUST_CHECK char *bh_buf_steal(bh_buf *b);

/* Checked arithmetic: return false on overflow. */
static inline bool bh_size_add(size_t a, size_t b, size_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool bh_size_mul(size_t a, size_t b, size_t *out) { return !__builtin_mul_overflow(a, b, out); }

/* Allocating string copies; return NULL on allocation failure (or if s is NULL). Caller frees. */
BH_MUST_CHECK char *bh_strdup(const char *s);
BH_MUST_CHECK char *bh_strndup(const char *s, size_t n);
/* Copy with surrounding ASCII whitespace removed. Caller frees. */
BH_MUST_CHECK char *bh_strdup_trim(const char *s, size_t n);

bool bh_str_startswith(const char *s, const char *prefix);
bool bh_str_endswith(const char *s, const char *suffix);
/* Memory-range variants for non-terminated input. */
bool bh_mem_startswith(const char *s, size_t n, const char *prefix);
bool bh_mem_endswith(const char *s, size_t n, const char *suffix);

/* Iterates lines of a memory range; strips a trailing '\r'. Returns false at end. */
typedef struct bh_lines {
	const char *p;
	const char *end;
} bh_lines;
void bh_lines_init(bh_lines *it, const char *data, size_t len);
bool bh_lines_next(bh_lines *it, const char **line, size_t *len);

/* Length of the valid UTF-8 sequence at p (1 for ASCII) within avail bytes; 0 when invalid,
 * overlong, a surrogate, beyond U+10FFFF or cut short. */
size_t bh_utf8_seq(const unsigned char *p, size_t avail);

/*
 * Appends s (NULL = "") with control bytes and invalid UTF-8 replaced by '?', cut with "..." past
 * max bytes: names and paths from hostile documents that end up on a terminal or in a report.
 */
int bh_buf_put_clean(bh_buf *b, const char *s, size_t max);

/*
 * Lexically normalised absolute path into out[n]: no "//", ".", ".." (which stops at "/") and no
 * trailing "/". False when s is not absolute or the result does not fit. Nothing is resolved on disk.
 */
bool bh_path_norm_abs(const char *s, char *out, size_t n);

/* Trims ASCII whitespace in place on a (ptr,len) range. */
void bh_trim(const char **s, size_t *n);

#endif
