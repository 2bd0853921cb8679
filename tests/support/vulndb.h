/* vulndb.h - reading back what a test stored in a vulnerability DB, through db.h's typed reads. */
#ifndef BH_TESTS_VULNDB_H
#define BH_TESTS_VULNDB_H

#include "vuln/db.h"

/*
 * Conditions on the fields of a stored row, a NULL-terminated list of "FIELD=PATTERN" (the field
 * matches the fnmatch(3) pattern), "FIELD!=PATTERN" (the field is set and does not match it),
 * "FIELD=NULL" / "FIELD!=NULL" (unset / set). Affected rows have the fields advisory_id, source,
 * ecosystem, package, distro, ranges, versions, status, fixed_version, severity; advisories id,
 * source, summary, severity, modified, withdrawn, kind and alias (true when any alias matches).
 * An unknown field fails the running cmocka test.
 */
long bh_test_count_rows(bh_vulndb *db, const char *const *conds);
long bh_test_count_advisories(bh_vulndb *db, const char *const *conds);
/* FIELD of the first row (advisory) meeting conds, copied (caller frees); NULL when none or unset.
 * For an advisory, "aliases" gives them space-separated in byte order. */
char *bh_test_row_field(bh_vulndb *db, const char *field, const char *const *conds);
char *bh_test_advisory_field(bh_vulndb *db, const char *field, const char *const *conds);
/* Words of a space-separated list (freed here; NULL is 0). */
long bh_test_count_words(char *list);
/* Number of aliases stored over all advisories. */
long bh_test_count_aliases(bh_vulndb *db);

#define BH_TEST_C(...) ((const char *const[]){ __VA_ARGS__, NULL })

#endif
