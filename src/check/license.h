/* license.h - declared licences normalised to SPDX expressions, classified, and checked against a policy. */
#ifndef BH_CHECK_LICENSE_H
#define BH_CHECK_LICENSE_H

#include <stdbool.h>

#include "check/check.h"
#include "core/error.h"

typedef enum {
	BH_LIC_UNKNOWN,
	BH_LIC_PERMISSIVE,
	BH_LIC_WEAK_COPYLEFT,
	BH_LIC_STRONG_COPYLEFT,
	BH_LIC_NETWORK_COPYLEFT,
	BH_LIC_PUBLIC_DOMAIN,
	BH_LIC_PROPRIETARY
} bh_license_class;
#define BH_LIC_NCLASS 7

#define BH_LIC_MAX_DECLARED 4096 /* longer declared strings are refused (BH_ELIMIT) */

/* The loaded SPDX licence list plus the built-in table; read-only once loaded, so it may be shared. */
typedef struct bh_licenses bh_licenses;

/*
 * Loads the SPDX licence list from a JSON file or a directory holding spdx.json or licenses.json
 * (either the spdx.org licenses.json with "licenses":[{licenseId, name, isOsiApproved, isFsfLibre,
 * seeAlso}], the {id: {name, url, osiApproved}} map, or a plain array of ids). NULL: the built-in
 * table of about 80 common ids only. The built-in classifications always apply. *out is the
 * caller's, freed with bh_licenses_free.
 */
int bh_licenses_load(const char *spdx_json_path_or_NULL, bh_licenses **out, bh_error *err);
void bh_licenses_free(bh_licenses *l);

/*
 * Normalises a declared licence ("Apache 2.0", "GPLv2+", "MIT/X11", "BSD-3-Clause OR MIT",
 * Debian short names such as "GPL-2+" or "Expat", Python classifiers, Maven names, licence URLs)
 * to an SPDX expression. Deprecated ids map to current ones ("GPL-2.0+" -> "GPL-2.0-or-later").
 * Unrecognised parts become LicenseRef-<sanitised text>, unlisted exceptions AdditionRef-<text>;
 * empty, "UNKNOWN" and "NOASSERTION" give "NOASSERTION". l may be NULL (built-in table only).
 * *spdx_out is the caller's (free()). BH_ELIMIT over BH_LIC_MAX_DECLARED bytes.
 */
int bh_license_normalize(const bh_licenses *l, const char *declared, char **spdx_out, bh_error *err);

/*
 * Class of an SPDX expression: for OR, the most permissive alternative; for AND, the most
 * restrictive part (a proprietary part wins, then any unknown part makes the whole unknown).
 * A copyleft licence WITH a linking/runtime exception (Classpath, GCC, LLVM, ...) counts as weak.
 * LicenseRef- names are judged from their words (public-domain, proprietary, BSD, MIT, GPL, ...).
 */
bh_license_class bh_license_classify(const bh_licenses *l, const char *spdx_expr);

/* "unknown", "permissive", "weak-copyleft", "strong-copyleft", "network-copyleft", "public-domain",
 * "proprietary" (static). */
const char *bh_license_class_name(bh_license_class c);
/* The inverse of bh_license_class_name; -1 when name is none of them. */
int bh_license_class_parse(const char *name);

/* True when expr names only listed licences and exceptions (no LicenseRef-, AdditionRef-, NOASSERTION). */
bool bh_license_is_known(const bh_licenses *l, const char *spdx_expr);

/*
 * What a policy refuses. An expression passes when, evaluated as a whole (OR: any alternative
 * passes; AND: every part passes), no denied id or denied class is left; allow_ids always pass.
 */
typedef struct bh_license_policy {
	unsigned deny;                 /* bit (1u << class) for each class refused */
	unsigned warn;                 /* classes reported at LOW without failing */
	const char *const *deny_ids;   /* NULL-terminated SPDX ids (compared case-insensitively), or NULL */
	const char *const *allow_ids;  /* NULL-terminated ids that pass whatever their class, or NULL */
} bh_license_policy;

/* Deny network copyleft and proprietary; warn on strong copyleft and unknown. */
void bh_license_policy_default(bh_license_policy *p);

/*
 * Normalises declared, evaluates it against p and appends at most one finding (category
 * "license"): BH-LIC-001 class denied (HIGH for network-copyleft/proprietary, MEDIUM for other
 * copyleft, LOW for unknown), BH-LIC-002 id denied (HIGH), BH-LIC-003 class warned (LOW).
 * component names the package in the detail; target is the image, SBOM or file it came from.
 */
int bh_license_check(const bh_licenses *l, const bh_license_policy *p, const char *component, const char *declared,
		     const char *target, bh_checks *out, bh_error *err);

#endif
