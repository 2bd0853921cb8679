/* purl.h - package URLs (github.com/package-url/purl-spec) for components. */
#ifndef BH_SBOM_PURL_H
#define BH_SBOM_PURL_H

#include "core/buf.h"
#include "sbom/sbom.h"

/* Builds the purl of c in *out (caller frees); *out is NULL when c has no name. */
int bh_purl_build(const bh_component *c, const bh_osinfo *os, char **out);
/* Percent-encodes s for a purl segment; keep_slash keeps '/' as a separator. */
int bh_purl_encode(bh_buf *b, const char *s, int keep_slash);

/*
 * Parses a purl into c (eco, namespace, name, version, arch, epoch); *distro (if non-NULL)
 * receives the distro qualifier (caller frees). BH_EINVAL when it is not a purl.
 */
int bh_purl_parse(const char *purl, bh_component *c, char **distro);

#endif
