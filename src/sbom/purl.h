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
 * receives the distro qualifier (caller frees). An unknown type leaves c->eco BH_ECO_NONE with
 * namespace and name filled. A deb "epoch" qualifier (Trivy's form) is folded into the version
 * ("1:2.4.47-2", dpkg's and the purl spec's test-suite form); rpm keeps it in c->epoch. A purl
 * without a version leaves c->version untouched. BH_EINVAL when it is not a purl (no type or
 * name) or when a component decodes to a NUL byte ("%00").
 */
int bh_purl_parse(const char *purl, bh_component *c, char **distro);

#endif
