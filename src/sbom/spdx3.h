/* spdx3.h - SPDX 3.0 JSON-LD documents turned into the SPDX 2.3 JSON shape the SBOM reader reads. */
#ifndef BH_SBOM_SPDX3_H
#define BH_SBOM_SPDX3_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

/*
 * True when data (a whole document or only its first bytes) is a JSON object that names the SPDX 3
 * context (https://spdx.org/rdf/3.x/spdx-context.jsonld) or, with the context further on, holds an
 * "@graph" of elements with "spdxId"s; never for an SPDX 2 document ("spdxVersion").
 */
bool bh_spdx3_sniff(const char *data, size_t len);

/*
 * Converts an SPDX 3.0 JSON-LD document into an SPDX 2.3 JSON object: one package per
 * software_Package element (name, software_packageVersion as versionInfo, the purl from
 * software_packageUrl or an externalIdentifier of type packageUrl, cpe identifiers, checksums from
 * verifiedUsing, supplier from suppliedBy, primaryPackagePurpose from software_primaryPurpose),
 * licenceDeclared/licenseConcluded from hasDeclaredLicense/hasConcludedLicense relationships to
 * licence elements, every other relationship as an SPDX 2 relationship (dependsOn -> DEPENDS_ON);
 * creators from the document's CreationInfo. Files, snippets and other profiles are left out.
 * *out is new (caller json_decref's), NULL on failure. Errors: BH_EINVAL naming the element and
 * the reason (not a JSON object, no SPDX 3 context, @graph not a list, an element not an object);
 * BH_ELIMIT over lim->max_meta_size bytes, lim->max_json_depth, or lim->max_components packages
 * (0: no bound); BH_ENOMEM.
 */
int bh_spdx3_to_json(const char *data, size_t len, const bh_limits *lim, json_t **out, bh_error *err);

#endif
