/* gobinary.h - Go build information (debug/buildinfo) and cargo-auditable data from ELF executables. */
#ifndef BH_PKG_GOBINARY_H
#define BH_PKG_GOBINARY_H

#include "pkg/analyzer.h"

/*
 * Parses the Go build info blob found at the start of data[0..len) (the bytes from the magic
 * "\xff Go buildinf:" on) and appends the main module, every dependency (replacements applied)
 * and the toolchain as module "stdlib". Returns BH_EUNSUPPORTED for the pre-Go 1.18 pointer
 * format when `resolve` cannot map addresses (streams), BH_EINVAL on malformed data.
 */
typedef int (*bh_go_resolve)(void *ctx, uint64_t vaddr, size_t n, unsigned char *out);
int bh_gobinary_parse(const unsigned char *data, size_t len, bh_go_resolve resolve, void *ctx, bh_complist *out,
		      bh_error *err);
/* Appends components for a modinfo text (the "path/mod/dep/=>" lines) with Go version goversion. */
int bh_gobinary_modinfo(const char *modinfo, size_t len, const char *goversion, bh_complist *out);

#endif
