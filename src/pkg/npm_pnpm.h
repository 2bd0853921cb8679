/* npm_pnpm.h - pnpm-lock.yaml (lockfile v5.x, v6.x, v9.x) read with the libyaml event API (npm analyzer helper). */
#ifndef BH_PKG_NPM_PNPM_H
#define BH_PKG_NPM_PNPM_H

#include <stddef.h>

#include "core/error.h"
#include "sbom/component.h"

/*
 * Appends one BH_ECO_NPM component (flags BH_COMP_LOCKFILE) per distinct name@version of the
 * "packages:" map of every YAML document in data[0..len). BH_COMP_DEV: v5/v6 entries say
 * "dev: true"; v9 has no such field, so a package is dev-only when the "snapshots:" graph reaches
 * it from some importer's devDependencies and from no importer's dependencies/optionalDependencies.
 * Collections nested deeper than max_depth fail with BH_ELIMIT, bad YAML with BH_EINVAL (err says
 * the line); components found before an error stay in out (without derived v9 dev flags).
 */
int bh_npm_pnpm_parse(const char *data, size_t len, unsigned max_depth, bh_complist *out, bh_error *err);

#endif
