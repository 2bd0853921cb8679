/* sbomsniff.h - what format a stored document is (CycloneDX JSON/XML, SPDX JSON/tag-value/YAML/3.0,
 * bulkhead JSON, or some other JSON/XML), from its content, whatever order its keys come in. */
#ifndef BH_SBOM_SBOMSNIFF_H
#define BH_SBOM_SBOMSNIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef enum bh_sbomfmt {
	BH_SBOMFMT_NONE = 0,     /* neither JSON, XML nor an SPDX text format (a tar, a binary, ...) */
	BH_SBOMFMT_BULKHEAD,     /* bulkhead-sbom/1 JSON */
	BH_SBOMFMT_CDX_JSON,
	BH_SBOMFMT_CDX_XML,
	BH_SBOMFMT_SPDX_JSON,    /* SPDX 2.x JSON */
	BH_SBOMFMT_SPDX_TV,      /* SPDX 2.x tag-value */
	BH_SBOMFMT_SPDX_YAML,    /* SPDX 2.x YAML */
	BH_SBOMFMT_SPDX3_JSONLD, /* SPDX 3.x JSON-LD */
	BH_SBOMFMT_SPDX_RDF,     /* SPDX 2.x RDF/XML */
	BH_SBOMFMT_OTHER_JSON,
	BH_SBOMFMT_OTHER_XML
} bh_sbomfmt;

typedef struct bh_sbomsniff {
	bh_sbomfmt fmt;
	char spec[24]; /* "1.6", "SPDX-2.3", "3.0.1", "bulkhead-sbom/1"; "" when the document does not say */
} bh_sbomsniff;

/*
 * Sniffs data[0..len). A JSON object is scanned for its top-level keys (bomFormat, specVersion,
 * spdxVersion, SPDXID, @context, schema) with nothing built, so a key after the first 4 KiB still
 * counts; XML by the root element's namespace; SPDX tag-value and YAML by their first lines.
 */
void bh_sbomsniff_buf(const char *data, size_t len, bh_sbomsniff *out);
/* The same for a regular file, read in 64 KiB pieces (at most 256 MiB). Errors: the file's. */
int bh_sbomsniff_file(const char *path, bh_sbomsniff *out, bh_error *err);
/* True for the SBOM formats (read by bulkhead or not), false for NONE and other JSON/XML. */
bool bh_sbomsniff_is_sbom(const bh_sbomsniff *s);
/* "a CycloneDX XML document of spec 1.6", "an SPDX 3.0.1 JSON-LD document", "a JSON document that is
 * no SBOM format bulkhead reads", ... into out (n bytes); returns out. */
const char *bh_sbomsniff_describe(const bh_sbomsniff *s, char *out, size_t n);

#endif
