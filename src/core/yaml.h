/* yaml.h - YAML documents to jansson values (bounded depth and size), for OSV YAML and secdb. */
#ifndef BH_CORE_YAML_H
#define BH_CORE_YAML_H

#include <jansson.h>

#include "core/error.h"

/* Parses the first YAML document of data into *out (caller json_decref's). Scalars become strings. */
int bh_yaml_load(const char *data, size_t len, unsigned max_depth, const char *label, json_t **out, bh_error *err);

#endif
