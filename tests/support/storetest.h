/* storetest.h - runs a store test program against SQLite and against a PostgreSQL cluster started in a temp dir. */
#ifndef BH_TESTS_STORETEST_H
#define BH_TESTS_STORETEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

/* The scratch dir, the running test's store URL and backend (set by the functions below). */
extern char bh_storetest_dir[256];
extern char bh_storetest_url[512];
extern bh_sql_backend bh_storetest_backend;

/* cmocka setup/teardown: a fresh, empty store per test (a new SQLite file or PostgreSQL database) in *state. */
int bh_storetest_setup(void **state);
int bh_storetest_teardown(void **state);

/*
 * Runs tests[0..n) on SQLite, then starts a PostgreSQL cluster (initdb as the postgres user when
 * root; the socket named by port, no TCP) and runs them again, or prints SKIP with the reason.
 * name: the scratch dir's and the groups' name. Returns 0 when every test passed.
 */
int bh_storetest_run(const char *name, const struct CMUnitTest *tests, size_t n, int port);

#endif
