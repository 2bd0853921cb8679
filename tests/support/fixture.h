/* fixture.h - reading test fixtures into memory. */
#ifndef BH_TESTS_FIXTURE_H
#define BH_TESTS_FIXTURE_H

#include <stddef.h>

/* Whole file, NUL-terminated (caller frees); NULL when it cannot be read. */
char *bh_test_slurp_opt(const char *path, size_t *n);
/* Same, but a missing file fails the running cmocka test. */
char *bh_test_slurp(const char *path, size_t *n);

#endif
