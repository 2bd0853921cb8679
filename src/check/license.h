/* license.h - declared licences to SPDX expressions: ids, aliases, families, Debian, Python, Maven, URLs. */
#ifndef BH_CHECK_LICENSE_H
#define BH_CHECK_LICENSE_H

#include "check/licdata.h"
#include "check/licexpr.h"
#include "core/error.h"

/*
 * Normalises a declared licence ("Apache 2.0", "GPLv2+", "MIT/X11", "BSD-3-Clause OR MIT",
 * Debian short names such as "GPL-2+" or "Expat", Python classifiers, Maven names, licence URLs)
 * to an SPDX expression. Deprecated ids map to current ones ("GPL-2.0+" -> "GPL-2.0-or-later").
 * Unrecognised parts become LicenseRef-<sanitised text>, unlisted exceptions AdditionRef-<text>;
 * empty, "UNKNOWN" and "NOASSERTION" give "NOASSERTION". Normalising the result again changes
 * nothing. l may be NULL (built-in table only). *spdx_out is the caller's (free()).
 * BH_ELIMIT over BH_LIC_MAX_DECLARED bytes, more than 256 licences or nesting past
 * BH_LICEXPR_MAX_NEST; BH_EUSAGE when declared is NULL.
 */
int bh_license_normalize(const bh_licdata *l, const char *declared, char **spdx_out, bh_error *err);

#endif
