/* version.h - version ordering per ecosystem, and range/requirement evaluation for matching. */
#ifndef BH_VERSION_VERSION_H
#define BH_VERSION_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "sbom/component.h"

/*
 * Compares a and b under the rules of eco: *out < 0, 0, > 0. Returns BH_EINVAL (with a message
 * naming the bad version) when a version cannot be parsed under those rules.
 *   BH_ECO_DEB      dpkg (epoch:upstream-revision, '~' sorts first)          version/dpkg.c
 *   BH_ECO_APK      apk-tools (1.2.3_rc1-r0, suffixes _alpha _beta _pre _rc _p, -rN)  version/apk.c
 *   BH_ECO_RPM      rpmvercmp (epoch:version-release, '~' and '^')           version/rpm.c
 *   BH_ECO_NPM, BH_ECO_CARGO, BH_ECO_COMPOSER   SemVer 2.0 (leading 'v' allowed)  version/semver.c
 *   BH_ECO_GO       SemVer with 'v', pseudo-versions, +incompatible          version/semver.c
 *   BH_ECO_PYPI     PEP 440                                                  version/pep440.c
 *   BH_ECO_MAVEN    Maven ComparableVersion                                  version/maven.c
 *   BH_ECO_GEM      Gem::Version                                             version/gem.c
 */
int bh_version_cmp(bh_ecosystem eco, const char *a, const char *b, int *out, bh_error *err);

/*
 * True when version satisfies a requirement string in the ecosystem's own syntax, e.g. Cargo
 * "^1.2, <1.4" / ">= 0.4.5" / "=1.0.0" / "*", npm ">=1.2.3 <2.0.0 || 3.x". Used for RustSec
 * patched/unaffected lists. BH_EINVAL when the requirement cannot be parsed.
 *   npm / Cargo / Composer / Go   their range syntaxes (version/semver.c); npm and Cargo, like
 *                                 their tools, let a pre-release match only a comparator set that
 *                                 names a pre-release of the same x.y.z
 *   PyPI                          PEP 440 specifier sets; pre/dev releases need a clause naming
 *                                 one, as packaging's default (version/pep440.c)
 *   Maven                         ranges "[1.0,2.0)", "(,1.5],[2,)" or a comparator list
 *   others (deb, rpm, apk, gem)   comparators "< <= > >= = == != << >>" joined by ',' (all must
 *                                 hold) and "||" (any); RubyGems "~>" too
 * Versions longer than 256 bytes and requirements longer than 1024 are BH_EINVAL.
 */
int bh_version_req_match(bh_ecosystem eco, const char *version, const char *req, bool *out, bh_error *err);

/*
 * A RustSec `patched`/`unaffected` requirement read the way cargo-audit reads it: one interval
 * (">= 0.6.14, < 1.0.0", "^1.2", "=1.0", "~1.2", "> 0.4") compared in plain SemVer 2.0
 * precedence, pre-releases included (unlike bh_version_req_match's Cargo rule, under which
 * 1.0.0-rc.1 does not satisfy ">= 0.9.4"). *in tells whether version lies inside. When lower is
 * given it receives the lowest version inside the interval ("" when unbounded below; "> 0.4.0"
 * gives "0.4.1"), which is what an advisory's fixed version is shown as. BH_EINVAL when the
 * requirement is not such an interval or the version does not parse.
 */
int bh_version_rustsec_req(const char *version, const char *req, bool *in, char *lower, size_t lower_cap, bh_error *err);

#endif
