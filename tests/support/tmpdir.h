/* tmpdir.h - a scratch directory per test program, made at setup and removed at teardown. */
#ifndef BH_TESTS_TMPDIR_H
#define BH_TESTS_TMPDIR_H

#include <stddef.h>

/* Makes /tmp/bh-test-NAME-XXXXXX into dir (cap bytes); 0 or -1. */
int bh_test_mkdtemp(char *dir, size_t cap, const char *name);
/* Removes dir and everything below it; 0 or -1. */
int bh_test_rmtree(const char *dir);

#endif
