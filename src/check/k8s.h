/* k8s.h - Kubernetes manifests checked against the Pod Security Standards (baseline and restricted) and common hardening rules. */
#ifndef BH_CHECK_K8S_H
#define BH_CHECK_K8S_H

#include <stddef.h>

#include "check/check.h"
#include "core/error.h"

#define BH_K8S_MAX_BYTES ((size_t)8 << 20) /* larger manifest files are refused */
#define BH_K8S_MAX_DEPTH 64                /* YAML nesting of one document */
#define BH_K8S_MAX_FINDINGS 10000          /* per file; past it one BH-K8S-000 note says so */

/*
 * Checks every pod template in the multi-document YAML text[0..len) read from path: Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController, PodTemplate, and the items
 * of any *List. Each violated control of one container (or of the pod) is one finding appended to out:
 * category "kubernetes", rule BH-K8S-001..011 and 022 (baseline, HIGH) or BH-K8S-012..017 and 023 (restricted only,
 * MEDIUM), or the hardening rules beyond the PSS: BH-K8S-018 image `latest` or untagged (MEDIUM),
 * 019 no CPU/memory limit, 020 root filesystem not read-only, 021 service-account token automounted
 * (LOW; containers and init containers, not ephemeral ones; hostPath is 005), target = path, line = the line of the offending field (of the container or document when
 * the field is missing). A document that uses YAML aliases is not expanded (alias bombs) and gets one
 * BH-K8S-000 finding with status "manual" instead of being checked.
 * Errors leave out as it was: BH_ELIMIT over BH_K8S_MAX_BYTES or nested deeper than BH_K8S_MAX_DEPTH,
 * BH_EINVAL for YAML syntax errors, BH_ENOMEM.
 */
/* The Pod Security Standards rules (static), in id order; the catalogue (check/rules.h) lists them. */
extern const bh_rule bh_k8s_rules[];
extern const size_t bh_k8s_rule_count;

/*
 * The Pod Security Standards as Kubernetes' policy version v1.BH_K8S_PSS_LATEST defines them (each control
 * from the version that added it, with the values each version allows: pod-security-admission's
 * policy/check_*.go). Every PSS finding's title names the version: "... (Pod Security Standards
 * baseline, policy v1.37)".
 */
int bh_k8s_check(const char *path, const char *text, size_t len, bh_checks *out, bh_error *err);

#define BH_K8S_PSS_LATEST 37 /* the newest policy version known: v1.37 */

/*
 * A policy version as Kubernetes spells it ("latest", "v1.N"; "1.N" too) -> N, 0..BH_K8S_PSS_LATEST;
 * NULL means latest. -1 for anything else (versions newer than the latest known are refused, not guessed).
 */
int bh_k8s_pss_minor(const char *version);

/*
 * bh_k8s_check with the PSS of policy version v1.pss_minor (0..BH_K8S_PSS_LATEST): controls the version
 * did not have yet are not checked, and each control allows what that version allowed (sysctls, SELinux
 * types, user-namespace and Windows exemptions, the seccomp annotations before v1.19). BH_EUSAGE for a
 * minor out of range.
 */
int bh_k8s_check_pss(const char *path, const char *text, size_t len, int pss_minor, bh_checks *out, bh_error *err);

#endif
