/* licclass.h - what an SPDX licence expression obliges: permissive, weak, strong or network copyleft, ... */
#ifndef BH_CHECK_LICCLASS_H
#define BH_CHECK_LICCLASS_H

#include <stdbool.h>

#include "check/licdata.h"

/*
 * Class of an SPDX expression: for OR, the most permissive alternative; for AND, the most
 * restrictive part (a proprietary part wins, then any unknown part makes the whole unknown).
 * A copyleft licence WITH a linking/runtime exception (Classpath, GCC, LLVM, ...) counts as weak.
 * LicenseRef- names are judged from their words (public-domain, proprietary, BSD, MIT, GPL, ...).
 * Ids the built-in table does not name are classed by family prefix, then by the list's OSI flag.
 * l may be NULL (built-in table). Not an expression, or over BH_LIC_MAX_DECLARED: unknown.
 */
bh_license_class bh_licclass_of(const bh_licdata *l, const char *spdx_expr);

/* "unknown", "permissive", "weak-copyleft", "strong-copyleft", "network-copyleft", "public-domain",
 * "proprietary" (static). */
const char *bh_licclass_name(bh_license_class c);
/* The inverse of bh_licclass_name (case-insensitive); -1 when name is none of them. */
int bh_licclass_parse(const char *name);

/* True when expr names only listed licences and exceptions (no LicenseRef-, AdditionRef-, NOASSERTION). */
bool bh_licclass_is_known(const bh_licdata *l, const char *spdx_expr);

#endif
