/* jsonscan.h - byte spans of a JSON document's top-level members and of an array's elements, found
 * without building a tree, so the big arrays of a stored SBOM are parsed one element at a time. */
#ifndef BH_CORE_JSONSCAN_H
#define BH_CORE_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* data[start..end) is one JSON value's text. */
typedef struct bh_jspan {
	size_t start, end;
} bh_jspan;

/*
 * Finds the value of the top-level member KEY of the object in data[0..len) (the key compared as
 * written, without unescaping). 0 with *found; BH_EINVAL naming the byte offset when the text is
 * not an object, nests deeper than max_depth or names KEY twice. Only the structure is checked
 * here: whoever parses a span validates its content.
 */
int bh_jsonscan_member(const char *data, size_t len, const char *key, unsigned max_depth, bh_jspan *out, bool *found,
		       bh_error *err);
/* The same for nkeys keys in one pass over the text: out[k] and found[k] for keys[k]. */
int bh_jsonscan_members(const char *data, size_t len, const char *const *keys, size_t nkeys, unsigned max_depth,
			bh_jspan *out, bool *found, bh_error *err);

/*
 * The elements of the array at arr, one per call: *pos starts at 0 (owned by the caller). 1 with
 * *elem set, 0 after the last, BH_EINVAL naming the byte offset when arr is not a well-formed
 * array at the top level.
 */
int bh_jsonscan_next(const char *data, const bh_jspan *arr, unsigned max_depth, size_t *pos, bh_jspan *elem, bh_error *err);

#endif
