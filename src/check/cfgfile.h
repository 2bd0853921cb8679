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
/* The same, manifests judged by the Pod Security Standards of policy version pss_version ("v1.N" or
 * "latest"; NULL = latest; check/k8s.h). BH_EUSAGE for a version bulkhead does not know. */
int bh_cfgfile_check_pss(const char *path, bh_target_kind kind, const bh_limits *lim, const char *pss_version, bh_checks *out,
			 bh_error *err);

#endif
