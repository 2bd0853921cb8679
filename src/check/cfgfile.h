/* cfgfile.h - configuration files given as scan targets (Dockerfile, Kubernetes manifests). */
#ifndef BH_CHECK_CFGFILE_H
#define BH_CHECK_CFGFILE_H

#include "check/check.h"
#include "core/limits.h"

typedef enum bh_cfg_kind {
	BH_CFG_NONE = 0,
	BH_CFG_DOCKERFILE,
	BH_CFG_K8S
} bh_cfg_kind;

/* By name: "dockerfile:" / "k8s:" prefixes, Dockerfile, Containerfile, *.Dockerfile, *.yaml, *.yml. */
bh_cfg_kind bh_cfgfile_kind(const char *path);
/* Reads path (a regular file, at most lim->max_meta_size bytes) and runs the checks of its kind. */
int bh_cfgfile_check(const char *path, bh_cfg_kind kind, const bh_limits *lim, bh_checks *out, bh_error *err);

#endif
