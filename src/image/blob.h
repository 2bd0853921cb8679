/* blob.h - a byte stream of one blob (file range or archive entry) that verifies its digest. */
#ifndef BH_IMAGE_BLOB_H
#define BH_IMAGE_BLOB_H

#include <archive.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define BH_BLOB_BUFSZ (256 * 1024)

/* Function mode: a pull source (a network stream); *got 0 at the end. */
typedef int (*bh_blob_read_fn)(void *ud, void *buf, size_t n, size_t *got, bh_error *err);

typedef struct bh_blob {
	int fd;                  /* file to read from (range mode), not owned */
	bh_blob_read_fn rfn;     /* function mode: data comes from rfn(rud, ...) */
	void (*rclose)(void *ud); /* called by bh_blob_close in function mode (owns rud), or NULL */
	void *rud;
	uint64_t start, end, pos;
	struct archive *outer;   /* entry mode: data comes from this archive's current entry */
	EVP_MD_CTX *md;          /* NULL when no digest is checked */
	char expect[2][80];      /* accepted digests ("sha256:<hex>"), empty = unused */
	char got[80];
	char name[256];          /* for messages */
	uint64_t total;
	unsigned char *buf;
	bh_error rerr;           /* the first read error met while libarchive pulled data (bh_blob_attach):
	                          * libarchive keeps only its text, so a caller that sees the archive fail
	                          * takes the typed, named error from here (code 0: none) */
} bh_blob;

/* Reads [start, start+len) of fd. expect/expect2 may be NULL. Free with bh_blob_close. */
int bh_blob_open_range(bh_blob *b, int fd, uint64_t start, uint64_t len, const char *name,
		       const char *expect, const char *expect2, bh_error *err);
/* Reads the current entry of an outer archive. */
int bh_blob_open_entry(bh_blob *b, struct archive *outer, const char *name, const char *expect,
		       const char *expect2, bh_error *err);
/* Reads from fn (function mode); bh_blob_close calls close(ud) when close is not NULL, also when this
 * call fails. Nothing can be skipped: every byte is read (and hashed when a digest is expected). */
int bh_blob_open_fn(bh_blob *b, bh_blob_read_fn fn, void (*close)(void *ud), void *ud, const char *name,
		    const char *expect, const char *expect2, bh_error *err);
/* Attaches the blob as the input of a libarchive reader (archive_read_open2). */
int bh_blob_attach(bh_blob *b, struct archive *a, bh_error *err);
/* Raw read. */
int bh_blob_read(bh_blob *b, void *buf, size_t n, size_t *got, bh_error *err);
/* bh_blob_read for a reader behind libarchive or a thread, whose own error says less: the first
 * error is also kept in b->rerr, for the caller to report once that reader has stopped. */
int bh_blob_read_keep(bh_blob *b, void *buf, size_t n, size_t *got, bh_error *err);
/* Reads everything (max bytes) into out. */
int bh_blob_read_all(bh_blob *b, size_t max, bh_buf *out, bh_error *err);
/* Drains what is left and checks the digest: BH_EDIGEST names the blob, expected and actual. */
int bh_blob_finish(bh_blob *b, bh_error *err);
void bh_blob_close(bh_blob *b);
/* True when s is "sha256:" followed by 64 lowercase hex digits. */
bool bh_digest_valid(const char *s);
/* sha256 of a memory range as "sha256:<hex>" into out (>= 72 bytes). */
int bh_digest_mem(const void *p, size_t n, char *out);

#endif
