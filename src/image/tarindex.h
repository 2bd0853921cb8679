/* tarindex.h - one pass over an outer image archive (docker save / oci-archive) to locate entries. */
#ifndef BH_IMAGE_TARINDEX_H
#define BH_IMAGE_TARINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/map.h"
#include "image/blob.h"

typedef struct bh_tarent {
	char *name;      /* cleaned path inside the archive */
	uint64_t hdr;    /* offset of the entry's first header block */
	uint64_t data;   /* offset of its data, valid when data_known */
	uint64_t size;
	bool data_known;
	bool regular;
} bh_tarent;

typedef struct bh_tarindex {
	int fd;           /* not owned */
	char label[256];  /* file name for messages */
	bh_tarent *ents;
	size_t n;
	bh_map byname;    /* name -> (index + 1) */
} bh_tarindex;

int bh_tarindex_build(bh_tarindex *ti, int fd, const char *label, const bh_limits *lim, bh_error *err);
const bh_tarent *bh_tarindex_find(const bh_tarindex *ti, const char *name);
/*
 * Opens entry `e` as a blob stream. When the data offset is unknown (compressed outer archive),
 * *outer_out receives a libarchive reader positioned on the entry that the caller frees after
 * bh_blob_close (archive_read_free).
 */
int bh_tarindex_open(bh_tarindex *ti, const bh_tarent *e, const char *expect, const char *expect2,
		     bh_blob *b, struct archive **outer_out, bh_error *err);
/* Reads a small entry completely (at most max bytes), verifying expect when given. */
int bh_tarindex_read(bh_tarindex *ti, const char *name, size_t max, const char *expect, bh_buf *out, bh_error *err);
void bh_tarindex_free(bh_tarindex *ti);

#endif
