/* schemes.h - the per-ecosystem comparators behind version.h (internal to src/version). */
#ifndef BH_VERSION_SCHEMES_H
#define BH_VERSION_SCHEMES_H

#include <stdbool.h>

#include "sbom/component.h"

int bh_vcmp_dpkg(const char *a, const char *b);
int bh_vcmp_rpm(const char *a, const char *b);
int bh_vcmp_apk(const char *a, const char *b);
/* 0 and *out set, or -1 when a side is not a (loose) semantic version. */
int bh_vcmp_semver(const char *a, const char *b, int *out);
int bh_vcmp_pep440(const char *a, const char *b, int *out);
int bh_vcmp_maven(const char *a, const char *b);
int bh_vcmp_gem(const char *a, const char *b);
/* Requirement lists (Cargo, npm, PEP 440 specifiers, plain comparators). -1 when unparsable. */
int bh_semver_req(bh_ecosystem eco, const char *version, const char *req, bool *out);

#endif
