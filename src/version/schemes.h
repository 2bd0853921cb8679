/* schemes.h - the per-ecosystem comparators behind version.h (internal to src/version). */
#ifndef BH_VERSION_SCHEMES_H
#define BH_VERSION_SCHEMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "sbom/component.h"

/* Longest version (and, times 4, requirement) accepted; longer input is BH_EINVAL. */
#define BH_VERSION_MAX 256
#define BH_VERSION_REQ_MAX (4 * BH_VERSION_MAX)

/*
 * Every comparator: *out gets -1, 0 or 1 and the return is 0; or the return is 1 when a does not
 * parse under the scheme's rules, 2 when b does not (version.c turns that into BH_EINVAL naming
 * the version). Inputs are NUL-terminated and at most BH_VERSION_MAX bytes (checked by version.c).
 * ASCII-only classification on purpose: the result must not depend on the process locale.
 */
int bh_vcmp_dpkg(const char *a, const char *b, int *out);
int bh_vcmp_rpm(const char *a, const char *b, int *out);
int bh_vcmp_apk(const char *a, const char *b, int *out);
int bh_vcmp_semver(bh_ecosystem eco, const char *a, const char *b, int *out);
int bh_vcmp_pep440(const char *a, const char *b, int *out);
int bh_vcmp_maven(const char *a, const char *b, int *out);
int bh_vcmp_gem(const char *a, const char *b, int *out);

/*
 * Requirement matching: 0 with *out set, or BH_EINVAL with err naming the reason. version is
 * bounded by the caller, req by BH_VERSION_REQ_MAX.
 *   bh_semver_req   npm ranges, Cargo requirements, Composer constraints, Go comparators
 *   bh_pep440_req   PEP 440 specifier sets ("~=2.2", "==1.*", ">=1.0,!=1.3,<2")
 *   bh_maven_req    Maven ranges ("[1.0,2.0)", "(,1.5],[2,)"); BH_EUNSUPPORTED when req is
 *                   not a range, so the caller falls back to a plain comparator list
 */
int bh_semver_req(bh_ecosystem eco, const char *version, const char *req, bool *out, bh_error *err);
int bh_pep440_req(const char *version, const char *req, bool *out, bh_error *err);
int bh_maven_req(const char *version, const char *req, bool *out, bh_error *err);
/* Gem::Version#bump ("~> 1.2.3" is ">= 1.2.3, < 1.3"): 0, or -1 when v has no leading number. */
int bh_gem_bump(const char *v, char *out, size_t cap);
/* Gem::Version#release (prerelease part dropped): 0, or -1 when v has no leading number. */
int bh_gem_release(const char *v, char *out, size_t cap);

static inline bool bh_v_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool bh_v_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool bh_v_alnum(int c) { return bh_v_digit(c) || bh_v_alpha(c); }
static inline int bh_v_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
static inline int bh_v_sign(long long x) { return x < 0 ? -1 : x > 0; }

/* Numeric comparison of two digit runs of any length (no overflow): leading zeros ignored. */
static inline int bh_v_numcmp(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i;
	while (la > 0 && *a == '0') {
		a++;
		la--;
	}
	while (lb > 0 && *b == '0') {
		b++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	for (i = 0; i < la; i++)
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
	return 0;
}

#endif
