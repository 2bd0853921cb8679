/* stamp.h - what makes two reports differ: the time of writing and the document's UUID, both reproducible under SOURCE_DATE_EPOCH. */
#ifndef BH_CORE_STAMP_H
#define BH_CORE_STAMP_H

#include <stdbool.h>

#include "core/attr.h"

/* RFC 3339 UTC time, SOURCE_DATE_EPOCH when set (https://reproducible-builds.org/specs/source-date-epoch/), else now. */
void bh_stamp_time(char out[32]);
/* A random version 4 UUID. */
void bh_stamp_uuid(char out[37]);

/*
 * A document's UUID from its content, so two runs under SOURCE_DATE_EPOCH write the same bytes:
 * bh_stamp_digest_begin, then bh_stamp_digest_add for every string that identifies the content
 * (NULL differs from ""), then bh_stamp_digest_uuid. Without SOURCE_DATE_EPOCH the adds are
 * no-ops and the UUID is random. The digest is the caller's (usually on its stack);
 * bh_stamp_digest_uuid releases what begin took, on every path.
 */
typedef struct bh_stamp_digest {
	void *md;  /* EVP_MD_CTX, NULL when not reproducible or out of memory */
	bool on;   /* SOURCE_DATE_EPOCH set */
	bool failed;
} bh_stamp_digest;

/* Starts a digest of the tool version and salt (names the kind of document). */
void bh_stamp_digest_begin(bh_stamp_digest *d, const char *salt);
void bh_stamp_digest_add(bh_stamp_digest *d, const char *s);
/* The UUID into out: 0, or BH_ENOMEM (out then holds a random UUID). */
BH_MUST_CHECK int bh_stamp_digest_uuid(bh_stamp_digest *d, char out[37]);

#endif
