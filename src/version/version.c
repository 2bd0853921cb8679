/* version.c - dispatch of version ordering and requirement matching to each ecosystem's rules. */
#include "version/version.h"

#include <string.h>

#include "version/schemes.h"

#define MAX_VERSION 256

int bh_version_cmp(bh_ecosystem eco, const char *a, const char *b, int *out, bh_error *err)
{
	if (!a || !b || strlen(a) > MAX_VERSION || strlen(b) > MAX_VERSION)
		return bh_error_set(err, BH_EINVAL, "version missing or longer than %d characters", MAX_VERSION);
	switch (eco) {
	case BH_ECO_DEB: *out = bh_vcmp_dpkg(a, b); return 0;
	case BH_ECO_RPM: *out = bh_vcmp_rpm(a, b); return 0;
	case BH_ECO_APK: *out = bh_vcmp_apk(a, b); return 0;
	case BH_ECO_NPM: case BH_ECO_GO: case BH_ECO_CARGO: case BH_ECO_COMPOSER:
		if (bh_vcmp_semver(a, b, out))
			return bh_error_set(err, BH_EINVAL, "not a semantic version: \"%s\" or \"%s\"", a, b);
		return 0;
	case BH_ECO_PYPI:
		if (bh_vcmp_pep440(a, b, out))
			return bh_error_set(err, BH_EINVAL, "not a PEP 440 version: \"%s\" or \"%s\"", a, b);
		return 0;
	case BH_ECO_MAVEN: *out = bh_vcmp_maven(a, b); return 0;
	case BH_ECO_GEM: *out = bh_vcmp_gem(a, b); return 0;
	default: *out = strcmp(a, b); return 0;
	}
}

int bh_version_req_match(bh_ecosystem eco, const char *version, const char *req, bool *out, bh_error *err)
{
	if (!version || !req || strlen(version) > MAX_VERSION || strlen(req) > 4 * MAX_VERSION)
		return bh_error_set(err, BH_EINVAL, "version or requirement missing or too long");
	if (bh_semver_req(eco, version, req, out))
		return bh_error_set(err, BH_EINVAL, "cannot evaluate requirement \"%s\" for \"%s\"", req, version);
	return 0;
}
