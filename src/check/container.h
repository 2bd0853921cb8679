/* container.h - CIS Docker Benchmark v1.6 section 5 checks of one container, from its engine inspect document. */
#ifndef BH_CHECK_CONTAINER_H
#define BH_CHECK_CONTAINER_H

#include <jansson.h>

#include "check/check.h"
#include "core/error.h"

/*
 * Checks one container from its GET /containers/{id}/json document (Docker Engine API as written
 * by dockerd or podman's compat service). The document is hostile input: every field is optional
 * and of any type; a field that is missing or of the wrong type counts as the engine default
 * (no limit, no hardening). Findings are appended to out (category "container", rules BH-CTR-NNN,
 * target "NAME (SHORTID)"); out keeps ownership of them. Rules that cannot be judged from the
 * document alone are added with status "not-applicable" and BH_SEV_UNKNOWN.
 *
 * Returns 0, BH_EINVAL when inspect is not a JSON object, BH_ENOMEM (findings added before the
 * failure stay in out).
 */
/* The section 5 rules (static); the catalogue (check/rules.h) lists them. */
extern const bh_rule bh_container_rules[];
extern const size_t bh_container_rule_count;

int bh_container_check(const json_t *inspect, bh_checks *out, bh_error *err);

/*
 * What of a container's inspect document its exposure depends on (the risk order's exposure term),
 * rebuilt with only well-typed fields: {"HostConfig": {"Privileged", "NetworkMode", "CapAdd",
 * "PortBindings"}, "NetworkSettings": {"Ports"}}, at most BH_CONTAINER_EXPOSURE_MAX capabilities
 * and published ports, each binding's HostIp/HostPort only. Takes the engine's document or a copy
 * of this shape from an agent (hostile either way). Returns a new object (caller decrefs), NULL
 * when inspect is not an object or memory runs out.
 */
#define BH_CONTAINER_EXPOSURE_MAX 256
json_t *bh_container_exposure(const json_t *inspect);

#endif
