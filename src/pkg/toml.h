/* toml.h - a small bounded TOML pull reader for lockfiles (poetry.lock, Cargo.lock): headers and key/values, no tree. */
#ifndef BH_PKG_TOML_H
#define BH_PKG_TOML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/*
 * Lockfiles need only "for each [[package]] table, read a few string keys". This reader walks
 * the document once and hands out one item per table header or key/value line; values that are
 * not strings (arrays, inline tables, numbers, dates, booleans) are checked for shape and given
 * back as their source text. It never recurses deeper than max_depth, never reads past len and
 * allocates at most a few buffers of the size of the longest key or string.
 *
 * Accepted: TOML 1.0 syntax (comments, bare/quoted/dotted keys, all four string kinds with
 * escapes, multi-line arrays, inline tables, CRLF). Not checked: key redefinition, table
 * redefinition, the exact grammar of numbers and dates (any run of [A-Za-z0-9_+-.:] and a
 * "date time" space). Strings must be valid UTF-8 without control characters (other than tab,
 * and newlines in multi-line strings); anything else is BH_EINVAL with the line number.
 */

typedef enum bh_toml_kind {
	BH_TOML_TABLE = 1,   /* "[a.b]": item.table is "a.b" */
	BH_TOML_ARRAY_TABLE, /* "[[a.b]]": a new element of the array of tables "a.b" */
	BH_TOML_KEYVAL       /* "key = value" in the current table */
} bh_toml_kind;

typedef enum bh_toml_type {
	BH_TOML_STRING = 1, /* item.str holds the decoded value */
	BH_TOML_ARRAY,      /* "[ ... ]": iterate its strings with bh_toml_array_next */
	BH_TOML_INLINE,     /* "{ ... }" inline table, raw text only */
	BH_TOML_SCALAR      /* number, boolean, date/time: raw text only */
} bh_toml_type;

/* One header or key/value. Every pointer is valid until the next bh_toml_next or bh_toml_free. */
typedef struct bh_toml_item {
	bh_toml_kind kind;
	const char *table;   /* current table path, keys decoded and joined with '.'; "" at top level */
	bool array_table;    /* the current table was opened by "[[...]]" */
	const char *key;     /* KEYVAL: the (dotted) key, decoded, relative to table */
	bh_toml_type type;   /* KEYVAL: kind of value */
	const char *str;     /* STRING: decoded, NUL-terminated (may contain no NUL: rejected) */
	size_t str_len;
	const char *raw;     /* KEYVAL: the value's source text, raw[0..raw_len) */
	size_t raw_len;
} bh_toml_item;

/* Reader state; caller-owned (usually on the stack), released with bh_toml_free. */
typedef struct bh_toml {
	const char *data, *p, *end;
	unsigned max_depth;
	size_t line;
	bool array_table;
	bh_buf table, key, str;
} bh_toml;

/* Starts reading data[0..len) (borrowed: must outlive t). max_depth bounds array/inline-table nesting. */
void bh_toml_init(bh_toml *t, const char *data, size_t len, unsigned max_depth);
/*
 * Next item: returns 1 and fills *it, 0 at the end of the document, or a negative BH_E* status
 * with err naming the line ("line 12: unterminated string"); callers prefix the file name.
 */
int bh_toml_next(bh_toml *t, bh_toml_item *it, bh_error *err);
/*
 * String elements of an ARRAY item (nested arrays and non-string elements are skipped). *pos
 * starts at 0. Returns 1 with the decoded string in out, 0 when done, negative on error.
 */
int bh_toml_array_next(bh_toml *t, const bh_toml_item *it, size_t *pos, bh_buf *out, bh_error *err);
/* True when the item is a key/value of table `table` whose key is `key` (exact compare). */
bool bh_toml_is(const bh_toml_item *it, const char *table, const char *key);
void bh_toml_free(bh_toml *t);

#endif
