/* cdxxml.h - a CycloneDX XML document (spec 1.0-1.6) turned into the CycloneDX JSON shape the
 * SBOM reader knows, with expat: streaming, no DTD, no entity expansion, bounded depth and text. */
#ifndef BH_SBOM_CDXXML_H
#define BH_SBOM_CDXXML_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

/*
 * Converts data[0..len) (label names it in messages) to a new JSON tree into *out, which the caller
 * json_decref's: bomFormat, specVersion (from the namespace), serialNumber, metadata.component,
 * components (nested at any depth), their name/group/version/purl/type/bom-ref/licenses/properties,
 * and dependencies. Everything else (hashes, pedigree, services, ...) is left out. BH_EINVAL names
 * the line and the reason (not CycloneDX, malformed, a DOCTYPE); BH_ELIMIT the limit hit
 * (max-json-depth for element nesting, max-components, 1 MiB of text in one element).
 */
int bh_cdxxml_to_json(const char *data, size_t len, const bh_limits *lim, const char *label, json_t **out, bh_error *err);

#endif
