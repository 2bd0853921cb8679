/* vulndb.h - reading one number back from a vulnerability DB a test built. */
#ifndef BH_TESTS_VULNDB_H
#define BH_TESTS_VULNDB_H

#include "vuln/db.h"

/* The first column of the first row of sql as an integer, -1 when there is no row; a statement
 * that does not prepare fails the running cmocka test. */
long long bh_test_db_int(bh_vulndb *db, const char *sql);

#endif
