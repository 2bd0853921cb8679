/* purl.h - package URLs (github.com/package-url/purl-spec) for components. */
#ifndef BH_SBOM_PURL_H
#define BH_SBOM_PURL_H

#include "core/buf.h"
#include "sbom/sbom.h"

/* Builds the purl of c in *out (caller frees); *out is NULL when c has no name. */
int bh_purl_build(const bh_component *c, const bh_osinfo *os, char **out);
/* Percent-encodes s for a purl segment; keep_slash keeps '/' as a separator. */
int bh_purl_encode(bh_buf *b, const char *s, int keep_slash);

#endif
