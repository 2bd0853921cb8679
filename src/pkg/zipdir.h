/* zipdir.h - the central directory of a zip file on random-access storage: entry names and offsets, bounds-checked. */
#ifndef BH_PKG_ZIPDIR_H
#define BH_PKG_ZIPDIR_H

#include <stdint.h>

#include "core/error.h"
#include "pkg/analyzer.h"

/* One central-directory record. name points into bh_zipdir.cd (not NUL-terminated). */
typedef struct bh_zipdir_entry {
	const char *name;
	uint16_t namelen;
	uint16_t flags;    /* general purpose bit flag */
	uint16_t method;   /* 0 stored, 8 deflate, ... */
	uint16_t extralen; /* the extra field follows the name in cd */
	uint8_t system;    /* "version made by" high byte: 0 MS-DOS, 3 Unix */
	uint32_t extattr;  /* external file attributes */
	uint64_t csize, usize;
	uint64_t offset;   /* local file header */
} bh_zipdir_entry;

typedef struct bh_zipdir {
	unsigned char *cd;    /* raw central directory; owned */
	bh_zipdir_entry *ent; /* in directory order, local header offsets strictly ascending; owned */
	size_t n;
	uint64_t cd_offset;   /* start of the central directory: every entry's data ends before it */
} bh_zipdir;

/*
 * Reads the directory of f (which must be seekable). Only the plain layout is accepted: the
 * end-of-central-directory record (or a ZIP64 locator and record) at the very end without a
 * comment, the directory right before it with no prepended data, no per-entry ZIP64 values,
 * local header offsets strictly ascending and inside the file. Anything else is BH_EINVAL so the
 * caller can use a general reader instead; BH_ELIMIT when the directory is over max_cd bytes.
 * On success the caller frees d with bh_zipdir_free; on failure d holds nothing.
 */
int bh_zipdir_read(bh_file *f, uint64_t max_cd, bh_zipdir *d, bh_error *err);
void bh_zipdir_free(bh_zipdir *d);

#endif
