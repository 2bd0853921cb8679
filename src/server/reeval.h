/* reeval.h - continuous re-evaluation: after a DB change, match again only the stored components whose packages the DB now says something new about, and record each finding change once, as an event. */
#ifndef BH_SERVER_REEVAL_H
#define BH_SERVER_REEVAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"
#include "vuln/db.h"

/*
 * How it decides what to match. A component is looked up in the DB under a key: (ecosystem,
 * release for OS packages, package name as the matcher files it: bh_match_key). For every key
 * that stored components have, re-evaluation takes a fingerprint of everything the DB holds that
 * a finding of that package could depend on (each affected row with its ranges, versions, fixed
 * versions, urgency, aliases, the advisory's severity, CVSS, kind and withdrawal, and for the
 * advisory and each alias its KEV entry and the severity known under that id) and compares it
 * with the fingerprint stored when the key was last matched (store table vuln_keys). Only the
 * components of keys whose fingerprint moved are matched again (bh_match over an SBOM made of
 * those components, grouped by release): no image is read, no other component is touched.
 *
 * The findings of those components are then compared with the stored ones and every difference
 * is written with an event, in one transaction with the new fingerprints:
 *   finding.new      a finding not stored before, or a resolved one open again ("reopened": true)
 *   finding.changed  severity, KEV or fixed version differ ("previous" says what they were)
 *   finding.resolved a stored open finding the DB no longer gives
 * Each event's idempotency key is "reeval:<db_version>:<component id>:<advisory>", so the same
 * change is stored once even when two servers evaluate the same DB; running again with the same
 * DB finds no moved fingerprint and changes nothing.
 *
 * Several servers over one PostgreSQL: the run holds an advisory lock (a second caller gets
 * BH_EBUSY and may retry later), and a DB older than the one the store was last evaluated with
 * (setting "vuln_db_version", the DB's build time) is refused with BH_EUSAGE so
 * a lagging server never rolls findings back.
 */

enum {
	BH_REEVAL_FULL = 1u << 0 /* ignore the stored fingerprints: match every component (a new matcher) */
};

typedef struct bh_reeval_stats {
	size_t components;     /* stored components read */
	size_t keys;           /* distinct DB keys among them */
	size_t keys_changed;   /* keys whose fingerprint moved */
	size_t matched;        /* components matched again */
	size_t found;          /* findings the matcher gave for them */
	size_t new_, reopened, changed, resolved; /* differences written (one event each) */
	double t_read, t_fingerprint, t_match, t_write; /* seconds per phase */
	char db_version[40];   /* the DB's build time, as recorded on each change */
} bh_reeval_stats;

/*
 * Re-evaluates the store st against db. now: the time written on changes and events. stats
 * (optional) is filled. BH_EBUSY when another server runs one now (PostgreSQL), BH_EUSAGE when
 * db is older than the DB the store was last evaluated with.
 */
int bh_reeval_run(bh_store *st, bh_vulndb *db, unsigned flags, int64_t now, bh_reeval_stats *stats, bh_error *err);

/* The DB's version as re-evaluation records it (its build time); "" when unknown. */
void bh_reeval_db_version(bh_vulndb *db, char *out, size_t n);

#endif
