/* rescore.h - the stored risk score of findings (src/vuln/risk.h) computed from the store and the vulnerability DB. */
#ifndef BH_SERVER_RESCORE_H
#define BH_SERVER_RESCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "store/store.h"
#include "vuln/db.h"

/*
 * Scores the open findings (unscored_only: those never scored, after an upload) and writes
 * findings.risk, risk_terms and running, one transaction per page. Reads, per advisory, KEV, EPSS
 * and the CVSS vector from db (NULL: only what the store holds, severity and KEV), and per
 * component the running containers and their exposure from the store. The caller holds db's lock.
 * *scored (may be NULL) counts the findings written.
 */
int bh_rescore_run(bh_store *st, bh_vulndb *db, bool unscored_only, size_t *scored, bh_error *err);
/* The same for the findings of one image's components (a container of it started or stopped:
 * its "running" term and the KEV + running filter follow at once). */
int bh_rescore_image(bh_store *st, bh_vulndb *db, const char *image_digest, size_t *scored, bh_error *err);

#endif
