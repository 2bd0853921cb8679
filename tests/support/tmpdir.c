/* tmpdir.c - a scratch directory per test program, made at setup and removed at teardown. */
#define _XOPEN_SOURCE 700
#include "support/tmpdir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int bh_test_mkdtemp(char *dir, size_t cap, const char *name)
{
	int n = snprintf(dir, cap, "/tmp/bh-test-%s-XXXXXX", name);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(path);
}

int bh_test_rmtree(const char *dir)
{
	/* depth-first, not following links: nothing outside dir is touched */
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
