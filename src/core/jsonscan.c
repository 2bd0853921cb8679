/* jsonscan.c - top-level member and array-element spans of a JSON text, without a tree. */
#include "core/jsonscan.h"

#include <string.h>

static bool ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static size_t skip_ws(const char *d, size_t i, size_t end)
{
	while (i < end && ws(d[i]))
		i++;
	return i;
}

/* d[i] is '"': the index after the closing quote, or end when unterminated. */
static size_t skip_string(const char *d, size_t i, size_t end)
{
	for (i++; i < end; i++) {
		if (d[i] == '\\')
			i++;
		else if (d[i] == '"')
			return i + 1;
	}
	return end;
}

/*
 * One value starting at d[i]: *next is the index after it. Brackets are counted (strings skipped)
 * without recursion, so depth costs no stack; the kind of each closing bracket is checked against
 * the opening one through a small bit stack (64 levels per word would need more: depth is bounded
 * by max_depth, which the callers keep at the loader's limit, and checked here).
 */
static int skip_value(const char *d, size_t i, size_t end, unsigned max_depth, size_t *next, bh_error *err)
{
	unsigned char kinds[512];
	unsigned depth = 0;
	if (i >= end)
		return bh_error_set(err, BH_EINVAL, "JSON: value expected at byte %zu", i);
	if (d[i] == '"') {
		size_t j = skip_string(d, i, end);
		if (j == end && (j == i + 1 || d[j - 1] != '"'))
			return bh_error_set(err, BH_EINVAL, "JSON: unterminated string at byte %zu", i);
		*next = j;
		return 0;
	}
	if (d[i] != '{' && d[i] != '[') {
		size_t j = i;
		while (j < end && !ws(d[j]) && d[j] != ',' && d[j] != '}' && d[j] != ']')
			j++;
		if (j == i)
			return bh_error_set(err, BH_EINVAL, "JSON: value expected at byte %zu", i);
		*next = j;
		return 0;
	}
	if (max_depth > sizeof(kinds))
		max_depth = sizeof(kinds);
	while (i < end) {
		char c = d[i];
		if (c == '"') {
			i = skip_string(d, i, end);
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth >= max_depth)
				return bh_error_set(err, BH_EINVAL, "JSON: nested deeper than %u at byte %zu", max_depth, i);
			kinds[depth++] = (unsigned char)c;
		} else if (c == '}' || c == ']') {
			if (depth == 0 || kinds[depth - 1] != (c == '}' ? '{' : '['))
				return bh_error_set(err, BH_EINVAL, "JSON: unexpected '%c' at byte %zu", c, i);
			if (--depth == 0) {
				*next = i + 1;
				return 0;
			}
		}
		i++;
	}
	return bh_error_set(err, BH_EINVAL, "JSON: document ends inside a value (byte %zu)", end);
}

int bh_jsonscan_members(const char *data, size_t len, const char *const *keys, size_t nkeys, unsigned max_depth,
			bh_jspan *out, bool *found, bh_error *err)
{
	size_t i = skip_ws(data, 0, len), k;
	int rc;
	for (k = 0; k < nkeys; k++)
		found[k] = false;
	if (i >= len || data[i] != '{')
		return bh_error_set(err, BH_EINVAL, "JSON: an object expected at byte %zu", i);
	i = skip_ws(data, i + 1, len);
	if (i < len && data[i] == '}')
		return 0;
	for (;;) {
		size_t ks, ke, vs, ve = 0;
		if (i >= len || data[i] != '"')
			return bh_error_set(err, BH_EINVAL, "JSON: a member name expected at byte %zu", i);
		ks = i + 1;
		ke = skip_string(data, i, len);
		if (ke == len && data[len - 1] != '"')
			return bh_error_set(err, BH_EINVAL, "JSON: unterminated string at byte %zu", i);
		i = skip_ws(data, ke, len);
		if (i >= len || data[i] != ':')
			return bh_error_set(err, BH_EINVAL, "JSON: ':' expected at byte %zu", i);
		vs = skip_ws(data, i + 1, len);
		if ((rc = skip_value(data, vs, len, max_depth > 0 ? max_depth - 1 : 0, &ve, err)))
			return rc;
		for (k = 0; k < nkeys; k++) {
			if (ke - 1 - ks != strlen(keys[k]) || memcmp(data + ks, keys[k], ke - 1 - ks) != 0)
				continue;
			if (found[k])
				return bh_error_set(err, BH_EINVAL, "JSON: member \"%s\" given twice (byte %zu)", keys[k], ks - 1);
			found[k] = true;
			out[k].start = vs;
			out[k].end = ve;
		}
		i = skip_ws(data, ve, len);
		if (i < len && data[i] == ',') {
			i = skip_ws(data, i + 1, len);
			continue;
		}
		if (i < len && data[i] == '}')
			return 0;
		return bh_error_set(err, BH_EINVAL, "JSON: ',' or '}' expected at byte %zu", i);
	}
}

int bh_jsonscan_member(const char *data, size_t len, const char *key, unsigned max_depth, bh_jspan *out, bool *found,
		       bh_error *err)
{
	return bh_jsonscan_members(data, len, &key, 1, max_depth, out, found, err);
}

int bh_jsonscan_next(const char *data, const bh_jspan *arr, unsigned max_depth, size_t *pos, bh_jspan *elem, bh_error *err)
{
	size_t i, ve = 0;
	int rc;
	if (arr->end <= arr->start || data[arr->start] != '[' || data[arr->end - 1] != ']')
		return bh_error_set(err, BH_EINVAL, "JSON: an array expected at byte %zu", arr->start);
	i = *pos ? *pos : arr->start + 1;
	i = skip_ws(data, i, arr->end - 1);
	if (i >= arr->end - 1)
		return 0;
	if (*pos && data[i] == ',')
		i = skip_ws(data, i + 1, arr->end - 1);
	else if (*pos)
		return bh_error_set(err, BH_EINVAL, "JSON: ',' expected at byte %zu", i);
	if ((rc = skip_value(data, i, arr->end - 1, max_depth > 0 ? max_depth - 1 : 0, &ve, err)))
		return rc;
	elem->start = i;
	elem->end = ve;
	*pos = ve;
	return 1;
}
