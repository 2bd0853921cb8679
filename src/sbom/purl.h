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

/*
 * A purl in the specification's own component model (ECMA-427 / package-url/purl-spec): every
 * string is decoded and owned by the struct; absent parts are NULL. The subpath is its segments
 * joined by '/'. Qualifiers are kept sorted by key, keys lowercase and unique, values non-empty.
 * Unknown types are kept as they are (only the core rules apply to them). bh_purl_free frees it all.
 */
typedef struct bh_purl_qual {
	char *key;
	char *value;
} bh_purl_qual;

typedef struct bh_purl {
	char *type;
	char *namespace;
	char *name;
	char *version;
	bh_purl_qual *quals;
	size_t nquals;
	char *subpath;
} bh_purl;

/* Longest purl string read, and most qualifiers kept: bounds for hostile input. */
#define BH_PURL_MAX_LEN 65536
#define BH_PURL_MAX_QUALS 64

/* Lenient: upper-case qualifier keys are lowercased rather than refused, and the registered
 * types' requirements (namespace required/prohibited, required qualifiers, permitted characters)
 * are not enforced; the types' normalisations (case, PyPI names, ...) still are. */
#define BH_PURL_LENIENT 1u

/* Parses s into *p (cleared first; bh_purl_free it even on failure). BH_EINVAL when s is not a
 * valid purl: no "pkg:" scheme, a bad type or qualifier key, no name, a duplicate key, a decoded
 * NUL byte, a segment decoding to '/', or (strict) a registered type's rule broken. */
int bh_purl_split(const char *s, unsigned flags, bh_purl *p);
/* Builds the canonical string of p in *out (caller frees): the type's normalisations applied,
 * qualifiers sorted, empty values dropped, subpath '.', '..' and empty segments dropped.
 * BH_EINVAL when p breaks a rule (same checks as bh_purl_split, strict unless flags say). */
int bh_purl_join(const bh_purl *p, unsigned flags, char **out);
void bh_purl_free(bh_purl *p);
/* The value of qualifier key in p, or NULL. */
const char *bh_purl_qual_get(const bh_purl *p, const char *key);

/* What bh_purl_normalize changed (bits of *fixed). */
#define BH_PURL_FIX_TYPE 1u      /* a distro or alias written as the type: pkg:alpine/x -> pkg:apk/alpine/x, pkg:go -> golang */
#define BH_PURL_FIX_NAMESPACE 2u /* a deb/apk purl without its vendor namespace: taken from distro= or the default */
#define BH_PURL_FIX_CANONICAL 4u /* any other difference from the canonical string (case, encoding, order) */

/*
 * Rewrites the non-canonical spellings tools write into the canonical purl, so that readers can
 * warn about them: "pkg:alpine/musl@1" -> "pkg:apk/alpine/musl@1", "pkg:debian/x" and
 * "pkg:ubuntu/x" -> "pkg:deb/<distro>/x", "pkg:deb/x" -> "pkg:deb/debian/x" (ubuntu when the
 * distro qualifier says so), "pkg:apk/x" -> "pkg:apk/alpine/x", "pkg:go/..." and "pkg:GOLANG/..."
 * -> "pkg:golang/...", upper-case qualifier keys, unsorted qualifiers, unencoded '@' or '+', ...
 * *out (caller frees) is the canonical purl, *fixed (if non-NULL) the BH_PURL_FIX_* bits of what
 * changed (0: s was canonical). Parsed leniently; BH_EINVAL when s is not a purl at all.
 */
int bh_purl_normalize(const char *s, char **out, unsigned *fixed);

#endif
