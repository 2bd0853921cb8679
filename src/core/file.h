/* file.h - opening input files named by the user without ever blocking on a FIFO or device. */
#ifndef BH_CORE_FILE_H
#define BH_CORE_FILE_H

#include <stdio.h>

#include "core/error.h"

/*
 * Opens path read-only (close-on-exec) and checks that it is a regular file. The open itself uses
 * O_NONBLOCK so a named FIFO without a writer cannot hang us; fstat on the opened descriptor (not
 * a stat before the open) so the checked file is the one we read. On success *fd is owned by the
 * caller (blocking mode restored). Errors: BH_ENOTFOUND (missing), BH_EIO (other open failure),
 * BH_EINVAL "PATH: not a regular file (fifo)" for FIFOs, directories, devices and sockets.
 */
int bh_file_open_regular(const char *path, int *fd, bh_error *err);
/* The same as a stdio stream opened for reading ("r"); the caller fcloses it. NULL with err set. */
FILE *bh_file_fopen_regular(const char *path, bh_error *err);
/*
 * Opens ROOT/rel (relative, '/'-separated) with flags for its last component without following
 * any symlink on the way (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS; without openat2, one
 * O_NOFOLLOW component at a time), so a tree an attacker wrote can never lead outside ROOT. Put
 * O_NOFOLLOW in flags to refuse a link as the last component too. "" opens ROOT itself. The fd,
 * or -1 with errno set.
 */
int bh_file_open_beneath(int root, const char *rel, int flags);
/*
 * Reads the whole regular file path (opened as bh_file_open_regular does: never waits on a FIFO)
 * into *data, NUL-terminated past *len bytes; the caller frees *data. At most max bytes: a larger
 * file is BH_ELIMIT "PATH: larger than MAX bytes, the most a WHAT may have" (what: "rule file",
 * "baseline", ...), read no further than max + 1 bytes. Other errors: those of
 * bh_file_open_regular, BH_EIO (read), BH_ENOMEM.
 */
int bh_file_read_all(const char *path, size_t max, const char *what, char **data, size_t *len, bh_error *err);
/* Creates dir and its missing parents with mode (existing ones are left as they are). Errors:
 * BH_EINVAL for an empty name or one of 4096 bytes or more, BH_EIO "PATH: reason" naming the part
 * that could not be made. */
int bh_file_mkdir_p(const char *dir, unsigned mode, bh_error *err);
/* "fifo", "directory", "character device", ... for an st_mode (messages). */
const char *bh_file_type_name(unsigned mode);

#endif
