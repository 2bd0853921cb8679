/* spdxyaml.h - SPDX 2.x YAML documents turned into the SPDX 2.3 JSON shape the SBOM reader reads. */
#ifndef BH_SBOM_SPDXYAML_H
#define BH_SBOM_SPDXYAML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

/*
 * True when data (a whole document or only its first bytes) is block-style YAML whose top-level
 * mapping has a spdxVersion or SPDXID key (JSON, which is YAML too, is left to the JSON reader;
 * a line "SPDXVersion:" at the start of a line says tag-value).
 */
bool bh_spdxyaml_sniff(const char *data, size_t len);

/*
 * Converts an SPDX 2.2/2.3 YAML document (the JSON model written as YAML) into its JSON object:
 * the same keys, filesAnalyzed made a boolean again (the YAML loader keeps scalars as strings).
 * Aliases are refused (core/yaml.c: no billion laughs), nesting is bounded by lim->max_json_depth.
 * *out is new (caller json_decref's), NULL on failure. Errors: BH_EINVAL with the YAML line or
 * what is missing (not a mapping, no spdxVersion "SPDX-2.x", packages not a list); BH_ELIMIT over
 * lim->max_meta_size bytes, too deep, or over lim->max_components packages (0: no bound); BH_ENOMEM.
 */
int bh_spdxyaml_to_json(const char *data, size_t len, const bh_limits *lim, json_t **out, bh_error *err);

#endif
