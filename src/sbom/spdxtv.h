/* spdxtv.h - SPDX 2.x tag-value documents turned into the SPDX 2.3 JSON shape the SBOM reader reads. */
#ifndef BH_SBOM_SPDXTV_H
#define BH_SBOM_SPDXTV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

/*
 * True when data (a whole document or only its first bytes) opens as SPDX tag-value: an
 * "SPDXVersion: SPDX-" line with only "Tag: value", blank and '#' lines before it.
 */
bool bh_spdxtv_sniff(const char *data, size_t len);

/*
 * Converts an SPDX 2.2/2.3 tag-value document into an SPDX 2.3 JSON object: spdxVersion,
 * SPDXID, name, documentNamespace, creationInfo, packages[] (with externalRefs, checksums,
 * licences, supplier, annotations that name them), relationships[], hasExtractedLicensingInfos[].
 * Files and snippets are skipped. *out is new (caller json_decref's), NULL on failure.
 * Errors: BH_EINVAL naming the line and the reason (no "Tag: value", unclosed <text>, a package
 * tag outside a package, invalid UTF-8 or a NUL byte, no SPDXVersion); BH_ELIMIT over
 * lim->max_meta_size bytes or lim->max_components packages (0: no bound); BH_ENOMEM.
 */
int bh_spdxtv_to_json(const char *data, size_t len, const bh_limits *lim, json_t **out, bh_error *err);

#endif
