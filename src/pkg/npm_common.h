/* npm_common.h - adding npm components with sanity checks and per-file name@version dedupe (npm analyzer helpers). */
#ifndef BH_PKG_NPM_COMMON_H
#define BH_PKG_NPM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/map.h"
#include "sbom/component.h"

/* npm allows 214 bytes in a name; versions are short. Longer values are not package data. */
#define BH_NPM_MAX_NAME 428
#define BH_NPM_MAX_VERSION 256

/* True when s[0..n) is non-empty, at most max bytes, valid UTF-8, without spaces, quotes or controls. */
bool bh_npm_sane(const char *s, size_t n, size_t max);

/*
 * Appends name@version to out with flags (and license when non-NULL, dropped when not sane).
 * Implausible names/versions are skipped (returns 0). When seen is non-NULL (a bh_map the caller
 * initialised with no free callback and frees), a name@version already added through it is not
 * added again; its BH_COMP_DEV flag is cleared when this occurrence is not a dev one.
 * Returns 0 or BH_ENOMEM.
 */
int bh_npm_add(bh_complist *out, bh_map *seen, const char *name, size_t nn, const char *ver, size_t vn,
	       const char *lic, uint32_t flags);

#endif
