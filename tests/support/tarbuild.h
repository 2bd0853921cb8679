/* tarbuild.h - builds real tar archives in memory (libarchive writer) for layer tests. */
#ifndef BH_TESTS_TARBUILD_H
#define BH_TESTS_TARBUILD_H

#include <stddef.h>

typedef struct tb_entry {
	const char *path;
	char type;           /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'b' binary file (content: a tb_blob) */
	const char *content; /* file content, or link target */
	unsigned mode;       /* 0 = default */
} tb_entry;

/* Content of a 'b' entry (bytes that may hold NULs, such as a database): cast its address to content. */
typedef struct tb_blob {
	const void *data;
	size_t len;
} tb_blob;

/* Returns a malloc'd tar (caller frees) of the entries; *len gets its size. gzip when gz != 0. */
void *tb_build(const tb_entry *e, size_t n, int gz, size_t *len);

#endif
