/* json.c - JSON loading with a nesting pre-check, so deep documents fail cleanly and fast. */
#include "core/json.h"

unsigned bh_json_depth(const char *data, size_t len, unsigned max)
{
	unsigned depth = 0, top = 0;
	int in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char ch = data[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		if (ch == '"') {
			in_str = 1;
		} else if (ch == '[' || ch == '{') {
			if (++depth > top)
				top = depth;
			if (top > max)
				return top;
		} else if ((ch == ']' || ch == '}') && depth) {
			depth--;
		}
	}
	return top;
}

int bh_json_load(const char *data, size_t len, unsigned max_depth, const char *label, json_t **out, bh_error *err)
{
	json_error_t je;
	unsigned d = bh_json_depth(data, len, max_depth);

	*out = NULL;
	if (d > max_depth)
		return bh_error_set(err, BH_ELIMIT, "%s: JSON nested deeper than %u levels (max-json-depth limit)", label, max_depth);
	*out = json_loadb(data, len, 0, &je);
	if (!*out)
		return bh_error_set(err, BH_EINVAL, "%s: invalid JSON at line %d: %s", label, je.line, je.text);
	return 0;
}

const char *bh_json_str(const json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *bh_json_ref(const json_t *arr, size_t i)
{
	return bh_json_str(json_array_get(arr, i), "bom-ref");
}
