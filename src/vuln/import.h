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
	long skipped;    /* documents that were unreadable or not advisory data (the first
	                  * BH_IMPORT_NAMED_SKIPS named in warnings, then a count) */
	long documents;
	long kept;       /* advisories not replaced: the DB holds a later `modified` of the same one */
	long entries;    /* Alpine secfixes entries (lines) read */
	long ids;        /* advisory ids found in them */
	long prose;      /* entries without any advisory id (skipped: "CVE 2018-16859", placeholders) */
	long notes;      /* entries whose words besides the id(s) were dropped ("CVE-2018-14881 (BGP)") */
} bh_import_stats;

/* How many skipped documents one bh_import_path names before it only counts them. */
#define BH_IMPORT_NAMED_SKIPS 20

/*
 * Imports whatever path holds: a directory (walked), an archive (.tar, .tar.gz, .tar.zst, .zip:
 * streamed, never extracted) or one file; each document is recognised by name and content.
 * A bad document is skipped with a warning naming it (path inside the archive or directory,
 * and the reason; the first BH_IMPORT_NAMED_SKIPS of one call, then one line with the count of
 * the others); only DB failures abort. Importing an advisory again replaces what was stored for
 * it (same source and id), unless the stored copy has a later `modified`.
 */
int bh_import_path(bh_vulndb *db, const char *path, const bh_limits *lim, bh_import_stats *st, bh_error *err);
/* One document already in memory (name decides the format when content does not). */
int bh_import_document(bh_vulndb *db, const char *name, const char *data, size_t len, const bh_limits *lim,
		       bh_import_stats *st, bh_error *err);

#endif
