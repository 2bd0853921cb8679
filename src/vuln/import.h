/* import.h - loads public advisory data (OSV JSON/YAML, Debian tracker JSON and DSA/DLA lists,
 * Alpine secdb, RustSec, CISA KEV, EPSS) into the vulnerability DB. */
#ifndef BH_VULN_IMPORT_H
#define BH_VULN_IMPORT_H

#include "core/limits.h"
#include "vuln/db.h"

typedef struct bh_import_stats {
	long advisories;
	long affected;
	long kev;
	long epss;
	long skipped;    /* documents that were unreadable or not advisory data (warned) */
	long documents;
} bh_import_stats;

/*
 * Imports whatever path holds: a directory (walked), an archive (.tar, .tar.gz, .tar.zst, .zip:
 * streamed, never extracted) or one file; each document is recognised by name and content.
 * A bad document is skipped with a warning naming it; only DB failures abort.
 */
int bh_import_path(bh_vulndb *db, const char *path, const bh_limits *lim, bh_import_stats *st, bh_error *err);
/* One document already in memory (name decides the format when content does not). */
int bh_import_document(bh_vulndb *db, const char *name, const char *data, size_t len, const bh_limits *lim,
		       bh_import_stats *st, bh_error *err);

#endif
