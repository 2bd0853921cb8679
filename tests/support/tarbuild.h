/* tarbuild.h - builds real tar archives in memory (libarchive writer) for layer tests. */
#ifndef BH_TESTS_TARBUILD_H
#define BH_TESTS_TARBUILD_H

#include <stddef.h>

typedef struct tb_entry {
	const char *path;
	char type;           /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link */
	const char *content; /* file content, or link target */
	unsigned mode;       /* 0 = default */
} tb_entry;

/* Returns a malloc'd tar (caller frees) of the entries; *len gets its size. gzip when gz != 0. */
void *tb_build(const tb_entry *e, size_t n, int gz, size_t *len);

#endif
