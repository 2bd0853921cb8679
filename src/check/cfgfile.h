/* cfgfile.h - configuration files given as scan targets (Dockerfile, Kubernetes manifests). */
#ifndef BH_CHECK_CFGFILE_H
#define BH_CHECK_CFGFILE_H

#include "check/check.h"
#include "core/limits.h"
#include "image/target.h"

/*
 * Reads path (a plain path, no prefix; a regular file of at most lim->max_meta_size bytes) and runs
 * the checks of kind: BH_TARGET_DOCKERFILE or BH_TARGET_K8S (which file is which is the target
 * grammar's business, image/target.h). BH_EUSAGE for another kind.
 */
int bh_cfgfile_check(const char *path, bh_target_kind kind, const bh_limits *lim, bh_checks *out, bh_error *err);

#endif
