/* sbomread.h - loads a stored SBOM (bulkhead JSON, CycloneDX, SPDX; also Trivy's CycloneDX) back
 * into components, so it can be matched again without the image. */
#ifndef BH_SBOM_SBOMREAD_H
#define BH_SBOM_SBOMREAD_H

#include <stdbool.h>

#include "core/limits.h"
#include "sbom/sbom.h"

/* True when the file looks like an SBOM document (JSON with a known format marker). */
bool bh_sbom_is_document(const char *path);
/* Reads path into s (initialised by the caller). BH_EINVAL names the file and what is wrong. */
int bh_sbom_read(const char *path, const bh_limits *lim, bh_sbom *s, bh_error *err);
/* The same for a document in memory (copied; label names it in messages, e.g. "request body"). */
int bh_sbom_read_mem(const char *data, size_t len, const char *label, const bh_limits *lim, bh_sbom *s, bh_error *err);

#endif
