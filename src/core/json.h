/* json.h - bounded JSON loading for hostile documents (size and nesting depth checked first). */
#ifndef BH_CORE_JSON_H
#define BH_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

/* Parses data[0..len) into *out (caller json_decref's). label names the document in errors. */
int bh_json_load(const char *data, size_t len, unsigned max_depth, const char *label, json_t **out, bh_error *err);
/* Nesting depth of a JSON text, counting [ and { outside strings; stops once over max. */
unsigned bh_json_depth(const char *data, size_t len, unsigned max);
/* "bom-ref" of array element i, or NULL. */
const char *bh_json_ref(const json_t *arr, size_t i);
/* String member or NULL. */
const char *bh_json_str(const json_t *obj, const char *key);

#endif
