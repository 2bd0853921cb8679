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

#endif
