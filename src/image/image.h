/* image.h - the part shared by every image format: config, history and ordered layers. */
#ifndef BH_IMAGE_IMAGE_H
#define BH_IMAGE_IMAGE_H

#include "image/blob.h"
#include "image/collect.h"
#include "image/source.h"

/* How a format hands out its blobs. */
typedef struct bh_blobsrc {
	/* Opens blob `ref` (a digest or an archive path); *outer may receive a reader to free. */
	int (*open)(void *ctx, const char *ref, const char *expect, const char *expect2, bh_blob *b,
		    struct archive **outer, bh_error *err);
	void *ctx;
} bh_blobsrc;

/* Reads a small blob fully (bounded by max-meta-size), verifying `expect` when given. */
int bh_image_read_blob(const bh_blobsrc *bs, const char *ref, const char *expect, const bh_limits *lim,
		       bh_buf *out, bh_error *err);
/*
 * Parses the config JSON into s (os, arch, created, history); then reads each layer ref in order.
 * digests[i] is the manifest digest of layer i or NULL (docker-archive).
 */
int bh_image_scan(const bh_blobsrc *bs, const char *config_json, size_t config_len, const char *config_digest,
		  char *const *layer_refs, char *const *layer_digests, char *const *media_types, size_t nlayers,
		  const bh_source_opts *o, bh_sbom *s, bh_error *err);

#endif
