/* image.c - config parsing and the ordered, single-pass, digest-checked read of every layer. */
#include "image/image.h"

#include <archive_entry.h>
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/log.h"
#include "core/ring.h"
#include "image/layer.h"

int bh_image_read_blob(const bh_blobsrc *bs, const char *ref, const char *expect, const bh_limits *lim,
		       bh_buf *out, bh_error *err)
{
	struct archive *outer = NULL;
	bh_blob b;
	int rc = bs->open(bs->ctx, ref, expect, NULL, &b, &outer, err);
	if (!rc)
		rc = bh_blob_read_all(&b, (size_t)lim->max_meta_size, out, err);
	if (!rc)
		rc = bh_blob_finish(&b, err);
	bh_blob_close(&b);
	if (outer)
		archive_read_free(outer);
	return rc;
}

/*
 * A compressed layer's blob digest only vouches for the compressed bytes; the config's diff_id
 * vouches for the tar inside. To check it without a second read, a "raw" libarchive reader
 * undoes the compression and hands its output both to a sha256 and, through read_chain, to the
 * tar reader. Used only when a diff_id is to be verified (the blob is hashed then anyway, so
 * libarchive could not skip over entries either).
 *
 * On a machine with more than one core the raw reader runs in a thread of its own: decompressing
 * (and, under it, reading and hashing the blob) is most of a gzip layer's cost, so it overlaps with
 * the diff_id hash, the tar reader and the analyzers here; the two meet in a bh_ring.
 *
 * A gzip layer (nearly every layer in a registry or an OCI layout) is undone by ISA-L's igzip
 * instead of libarchive's zlib: 2-3x faster on the same bytes (README, bench/registry.sh), with the
 * gzip CRC-32 and length of every member checked. Other compressions (zstd, xz, bzip2) and no
 * compression go through libarchive's raw reader as before; the first block read to tell them apart
 * is handed to it first.
 */
#define CHAIN_RING (4u << 20)
#define CHAIN_OUT (256u << 10)

struct chain {
	struct archive *raw;
	EVP_MD_CTX *md;      /* the content's digest: NULL when not asked for, or when the layer turns out to be
			      * uncompressed (then the blob digest covers it) */
	bool compressed;     /* gzip (ISA-L) or another filter libarchive knows */
	uint64_t total;
	/* the decompressing thread, when there is one */
	bool threaded, started;
	pthread_t th;
	bh_ring ring;
	unsigned char *out;
	char rerr[256];      /* the raw reader's error, "" = none; the thread's until the ring says the end */
	bh_logger *log;
	/* the blob's first block (read to recognise gzip), then ISA-L's gzip state when it is gzip */
	bh_blob *blob;
	unsigned char *in;   /* BH_BLOB_BUFSZ: input of the gzip decoder, or the first block for libarchive */
	size_t peek_len;     /* libarchive mode: bytes of the first block not yet handed over */
	struct inflate_state *gz; /* NULL: libarchive's raw reader decodes */
	unsigned char *gzout;
	bool in_eof, gz_end;
};

/* The next block of the blob into ch->in (0 bytes at its end): 0, or -1 with the error in ch->rerr and
 * the blob's own typed error kept in blob->rerr, as the libarchive callbacks keep it. */
static int blob_next(struct chain *ch, size_t *got)
{
	bh_error e;
	if (bh_blob_read_keep(ch->blob, ch->in, BH_BLOB_BUFSZ, got, &e)) {
		snprintf(ch->rerr, sizeof(ch->rerr), "%.250s", e.msg);
		return -1;
	}
	if (!*got)
		ch->in_eof = true;
	return 0;
}

static const char *gz_error(int r)
{
	switch (r) {
	case ISAL_INVALID_BLOCK: return "invalid deflate block";
	case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK: return "invalid deflate back-reference";
	case ISAL_INVALID_WRAPPER: return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "gzip compression method is not deflate";
	case ISAL_INCORRECT_CHECKSUM: return "gzip CRC-32 or length does not match the data";
	default: return "gzip stream cannot be decoded";
	}
}

/* ISA-L's next block of unpacked bytes: as raw_next. Concatenated gzip members (pigz, appended
 * streams) are read one after another; bytes after the last member that do not start another one end
 * the data, as gzip(1) and libarchive treat them (the blob digest still covers them). */
/* The decoder's next input block once it has used the last one (none at the blob's end): 0 or -1. */
static int gz_fill(struct chain *ch)
{
	size_t got;
	if (ch->gz->avail_in || ch->in_eof)
		return 0;
	if (blob_next(ch, &got))
		return -1;
	ch->gz->next_in = ch->in;
	ch->gz->avail_in = (uint32_t)got;
	return 0;
}

static int gz_next(struct chain *ch, const void **p, size_t *n)
{
	struct inflate_state *z = ch->gz;
	for (;;) {
		uint32_t in_before;
		int r;
		if (ch->gz_end)
			return 0;
		if (z->block_state == ISAL_BLOCK_FINISH) {
			uint8_t *next;
			uint32_t avail;
			if (gz_fill(ch))
				return -1;
			if (!z->avail_in || z->next_in[0] != 0x1f) {
				ch->gz_end = true;
				return 0;
			}
			next = z->next_in;
			avail = z->avail_in;
			isal_inflate_reset(z);
			z->crc_flag = ISAL_GZIP;
			z->next_in = next;
			z->avail_in = avail;
		}
		if (gz_fill(ch))
			return -1;
		in_before = z->avail_in;
		z->next_out = ch->gzout;
		z->avail_out = CHAIN_OUT;
		r = isal_inflate(z);
		if (r != ISAL_DECOMP_OK) {
			snprintf(ch->rerr, sizeof(ch->rerr), "%s", gz_error(r));
			return -1;
		}
		*n = CHAIN_OUT - z->avail_out;
		if (*n) {
			*p = ch->gzout;
			return 1;
		}
		if (z->block_state == ISAL_BLOCK_FINISH)
			continue;
		if (ch->in_eof && !z->avail_in) {
			snprintf(ch->rerr, sizeof(ch->rerr), "truncated gzip stream (the layer ends inside it)");
			return -1;
		}
		if (z->avail_in && z->avail_in == in_before) {
			snprintf(ch->rerr, sizeof(ch->rerr), "gzip stream cannot be decoded (no progress)");
			return -1;
		}
	}
}

/* libarchive's input in raw mode: the first block read in chain_open, then the rest of the blob. */
static la_ssize_t peek_read(struct archive *a, void *ud, const void **out)
{
	struct chain *ch = ud;
	size_t got;
	if (ch->peek_len) {
		got = ch->peek_len;
		ch->peek_len = 0;
		*out = ch->in;
		return (la_ssize_t)got;
	}
	if (ch->in_eof)
		return 0;
	if (blob_next(ch, &got)) {
		archive_set_error(a, EIO, "%s", ch->rerr);
		return -1;
	}
	*out = ch->in;
	return (la_ssize_t)got;
}

/* The raw reader's next block: 1 with it in p and n, 0 at the end, -1 on error (in ch->rerr). */
static int raw_next(struct chain *ch, const void **p, size_t *n)
{
	la_int64_t off;
	int r;
	if (ch->gz)
		return gz_next(ch, p, n);
	r = archive_read_data_block(ch->raw, p, n, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		snprintf(ch->rerr, sizeof(ch->rerr), "%s", archive_error_string(ch->raw) ? archive_error_string(ch->raw) : "read error");
		return -1;
	}
	return 1;
}

/* Next block of unpacked bytes, from the raw reader or from its thread: as raw_next. */
static int chain_next(struct chain *ch, const void **p, size_t *n)
{
	if (!ch->threaded)
		return raw_next(ch, p, n);
	if ((*n = bh_ring_read(&ch->ring, ch->out, CHAIN_OUT)) == 0)
		return ch->rerr[0] ? -1 : 0;
	*p = ch->out;
	return 1;
}

/* The decompressing thread: raw reader -> ring, until the end, an error or chain_stop. */
static void *chain_main(void *arg)
{
	struct chain *ch = arg;
	bh_log_install(ch->log);
	for (;;) {
		const void *blk;
		size_t n = 0;
		if (raw_next(ch, &blk, &n) <= 0) {
			bh_ring_close(&ch->ring); /* after rerr: the reader looks at it once the ring is empty */
			break;
		}
		if (!bh_ring_write(&ch->ring, blk, n))
			break; /* the reader stopped */
	}
	return NULL;
}

static la_ssize_t read_chain(struct archive *a, void *ud, const void **out)
{
	struct chain *ch = ud;
	const void *blk = NULL;
	size_t n = 0;
	int r = chain_next(ch, &blk, &n);
	if (r == 0)
		return 0;
	if (r < 0) {
		archive_set_error(a, EIO, "%s", ch->rerr);
		return -1;
	}
	if (ch->md && n)
		EVP_DigestUpdate(ch->md, blk, n);
	ch->total += n;
	*out = blk;
	return (la_ssize_t)n;
}

static bool several_cores(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* Opens the decompressing reader over b and the tar reader a over it; hash: keep the content's digest. */
static int chain_open(struct chain *ch, bh_blob *b, struct archive *a, bool hash, bh_error *err)
{
	struct archive_entry *e;
	size_t got;
	memset(ch, 0, sizeof(*ch));
	ch->blob = b;
	if (!(ch->in = malloc(BH_BLOB_BUFSZ)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (blob_next(ch, &got)) {
		if (err)
			*err = b->rerr;
		return b->rerr.code;
	}
	/* gzip: magic 1f 8b and method 8 (deflate) */
	if (got >= 3 && ch->in[0] == 0x1f && ch->in[1] == 0x8b && ch->in[2] == 8) {
		if (!(ch->gz = calloc(1, sizeof(*ch->gz))) || !(ch->gzout = malloc(CHAIN_OUT)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		isal_inflate_init(ch->gz);
		ch->gz->crc_flag = ISAL_GZIP;
		ch->gz->next_in = ch->in;
		ch->gz->avail_in = (uint32_t)got;
	} else {
		ch->peek_len = got;
		ch->raw = archive_read_new();
		if (!ch->raw)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		archive_read_support_filter_all(ch->raw);
		archive_read_support_format_raw(ch->raw);
		if (archive_read_open2(ch->raw, ch, NULL, peek_read, NULL, NULL) != ARCHIVE_OK ||
		    archive_read_next_header(ch->raw, &e) != ARCHIVE_OK)
			return bh_error_set(err, BH_EINVAL, "%s: %s", b->name,
					    archive_error_string(ch->raw) ? archive_error_string(ch->raw) : "empty or unreadable layer");
	}
	ch->compressed = ch->gz || archive_filter_code(ch->raw, 0) != ARCHIVE_FILTER_NONE;
	if (ch->compressed) {
		if (hash && (!(ch->md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(ch->md, EVP_sha256(), NULL)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		/* only a compressed layer has decompression to move off this thread */
		if (several_cores()) {
			if (!(ch->out = malloc(CHAIN_OUT)) || bh_ring_init(&ch->ring, CHAIN_RING))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			ch->threaded = true;
			ch->log = bh_log_current();
			if (pthread_create(&ch->th, NULL, chain_main, ch) != 0)
				return bh_error_set(err, BH_ENOMEM, "%s: cannot start the decompressing thread", b->name);
			ch->started = true;
		}
	}
	if (archive_read_open2(a, ch, NULL, read_chain, NULL, NULL) != ARCHIVE_OK)
		return bh_error_set(err, BH_EINVAL, "%s: %s", b->name,
				    archive_error_string(a) ? archive_error_string(a) : "not an archive");
	return 0;
}

/* Ends the decompressing thread (at once if it is still reading) and waits for it. */
static void chain_stop(struct chain *ch)
{
	if (!ch->started)
		return;
	bh_ring_stop(&ch->ring);
	pthread_join(ch->th, NULL);
	ch->started = false;
}

/* Reads what the tar reader left (padding, trailing blocks) and compares with diff_id. */
static int chain_finish(struct chain *ch, const char *name, const char *diff_id, bh_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	char got[80];
	for (;;) {
		const void *blk;
		size_t n;
		int r = chain_next(ch, &blk, &n);
		if (r == 0)
			break;
		if (r < 0)
			return bh_error_set(err, BH_EINVAL, "%s: %s", name, ch->rerr);
		if (ch->md && n)
			EVP_DigestUpdate(ch->md, blk, n);
	}
	if (!ch->md)
		return 0;
	EVP_DigestFinal_ex(ch->md, md, &mdlen);
	memcpy(got, "sha256:", 7);
	for (i = 0; i < mdlen && 7 + 2 * i + 2 < sizeof(got); i++)
		snprintf(got + 7 + 2 * i, 3, "%02x", md[i]);
	if (strcmp(got, diff_id) != 0)
		return bh_error_set(err, BH_EDIGEST, "%s: uncompressed content is %s but the image config says diff_id %s",
				    name, got, diff_id);
	return 0;
}

static void chain_free(struct chain *ch)
{
	chain_stop(ch);
	bh_ring_free(&ch->ring);
	if (ch->raw)
		archive_read_free(ch->raw);
	if (ch->md)
		EVP_MD_CTX_free(ch->md);
	free(ch->out);
	free(ch->in);
	free(ch->gz);
	free(ch->gzout);
	memset(ch, 0, sizeof(*ch));
}

static int set_str(char **dst, const char *v)
{
	return v ? bh_component_set(dst, v, (size_t)-1) : 0;
}

/* History entries with empty_layer do not own a layer; the rest map to layers in order. */
static int parse_config(bh_sbom *s, json_t *cfg, size_t nlayers, bh_error *err)
{
	json_t *hist = json_object_get(cfg, "history"), *diff = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	size_t i, li = 0;

	if (!json_is_object(cfg))
		return bh_error_set(err, BH_EINVAL, "image config is not a JSON object");
	if (set_str(&s->os, bh_json_str(cfg, "os")) || set_str(&s->arch, bh_json_str(cfg, "architecture")) ||
	    set_str(&s->created, bh_json_str(cfg, "created")))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (json_is_array(diff)) {
		if (json_array_size(diff) != nlayers)
			return bh_error_set(err, BH_EINVAL, "image config lists %zu diff_ids but the manifest %zu layers",
					    json_array_size(diff), nlayers);
		for (i = 0; i < nlayers; i++)
			if (set_str(&s->layers[i].diff_id, json_string_value(json_array_get(diff, i))))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	for (i = 0; json_is_array(hist) && i < json_array_size(hist) && li < nlayers; i++) {
		json_t *h = json_array_get(hist, i);
		if (json_is_true(json_object_get(h, "empty_layer")))
			continue;
		if (set_str(&s->layers[li++].created_by, bh_json_str(h, "created_by")))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

/* A media type that says gzip (OCI's "+gzip", Docker's ".tar.gzip"). */
static bool gzip_type(const char *mt)
{
	size_t n = mt ? strlen(mt) : 0;
	return n >= 4 && !strcmp(mt + n - 4, "gzip");
}

/*
 * One read of a layer through the tar walker. The blob's digest is checked against expect and its
 * content against diff_id, when given. A layer whose content is hashed or whose media type says gzip
 * is decoded through the chain (ISA-L, off this thread); any other goes straight to libarchive, which
 * can seek over the file data of an uncompressed layer that nothing hashes. *size: the blob's bytes.
 */
static int read_layer(const bh_blobsrc *bs, const char *ref, const char *expect, const char *diff_id, const char *mt,
		      int layer, bh_collect *c, uint64_t *size, bh_error *err)
{
	struct archive *outer = NULL, *a;
	struct chain ch;
	bh_blob b;
	bool hash = diff_id && bh_digest_valid(diff_id), chained = hash || gzip_type(mt);
	int rc = bs->open(bs->ctx, ref, expect, diff_id, &b, &outer, err);
	if (rc)
		return rc;
	memset(&ch, 0, sizeof(ch));
	if (!(a = bh_layer_reader_new()))
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	else
		rc = chained ? chain_open(&ch, &b, a, hash, err) : bh_blob_attach(&b, a, err);
	if (!rc)
		rc = bh_layer_walk(a, layer, b.name, c, err);
	if (!rc && hash)
		rc = chain_finish(&ch, b.name, diff_id, err);
	/* the blob is the decompressing thread's until it has stopped */
	chain_stop(&ch);
	if (!rc)
		rc = bh_blob_finish(&b, err);
	/*
	 * An uncompressed layer must hash to its diff_id: a name-derived digest alone could
	 * have been computed by whoever made the archive over tampered content.
	 */
	if (!rc && b.md && diff_id && !(chained ? ch.compressed : archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE) &&
	    strcmp(b.got, diff_id) != 0)
		rc = bh_error_set(err, BH_EDIGEST, "%s: content is %s but the image config says diff_id %s", b.name, b.got,
				  diff_id);
	/* a failed read of the blob itself (network, truncation, digest) or of its compression says more
	 * than the tar reader, which only saw its input end (rerr is the thread's until chain_stop) */
	if (rc && ch.rerr[0] && !b.rerr.code)
		rc = bh_error_set(err, BH_EINVAL, "%s: %s", b.name, ch.rerr);
	if (rc && b.rerr.code) {
		rc = b.rerr.code;
		if (err)
			*err = b.rerr;
	}
	if (a)
		archive_read_free(a);
	chain_free(&ch);
	if (size)
		*size = b.total;
	bh_blob_close(&b);
	if (outer)
		archive_read_free(outer);
	return rc;
}

int bh_image_scan(const bh_blobsrc *bs, const char *config_json, size_t config_len, const char *config_digest,
		  char *const *layer_refs, char *const *layer_digests, char *const *media_types, size_t nlayers,
		  const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	bh_collect c;
	bh_glob_skip skip;
	json_t *cfg = NULL;
	size_t i;
	int rc;

	if (nlayers > o->limits.max_layers)
		return bh_error_set(err, BH_ELIMIT, "image has %zu layers, more than the max-layers limit (%u)",
				    nlayers, o->limits.max_layers);
	if ((rc = bh_json_load(config_json, config_len, o->limits.max_json_depth, "image config", &cfg, err)))
		return rc;
	s->config = cfg;
	if (config_digest && set_str(&s->image_id, config_digest))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	for (i = 0; i < nlayers; i++) {
		bh_layer *l;
		if (bh_sbom_add_layer(s, &l) || set_str(&l->digest, layer_digests ? layer_digests[i] : NULL) ||
		    set_str(&l->media_type, media_types ? media_types[i] : NULL))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if ((rc = parse_config(s, cfg, nlayers, err)))
		return rc;
	for (i = 0; i < nlayers; i++)
		if (!s->layers[i].digest && s->layers[i].diff_id && set_str(&s->layers[i].digest, s->layers[i].diff_id))
			return bh_error_set(err, BH_ENOMEM, "out of memory");

	/* --skip-dirs/--skip-files: "/x" and "./x" are the image's x */
	if ((rc = bh_glob_skip_for_root(o->skip, NULL, NULL, &skip, err)))
		return rc;
	bh_collect_init(&c, &o->limits, s);
	c.hook = o->hook;
	c.skip = bh_glob_skip_empty(&skip) ? NULL : &skip;
	for (i = 0; i < nlayers; i++) {
		bh_log_info("layer %zu/%zu %s", i + 1, nlayers, layer_refs[i]);
		bh_log_progress("bulkhead: reading layer %zu/%zu", i + 1, nlayers);
		rc = read_layer(bs, layer_refs[i], o->verify_digests && layer_digests ? layer_digests[i] : NULL,
				o->verify_digests ? s->layers[i].diff_id : NULL, media_types ? media_types[i] : NULL, (int)i,
				&c, &s->layers[i].size, err);
		if (rc)
			goto fail_layer;
	}
	{
		/* Links to files that streamed past unclaimed: one more read of the layers concerned. */
		int last;
		bool needed;
		if ((rc = bh_collect_plan(&c, &last, &needed, err)))
			goto fail_layer;
		c.pass2 = true;
		c.hook = NULL; /* checks saw every file once already */
		for (i = 0; needed && i <= (size_t)last && i < nlayers; i++) {
			bh_log_info("layer %zu/%zu %s: second read for links", i + 1, nlayers, layer_refs[i]);
			/* Checked again, as the file could have changed since pass 1: by the blob's digest when the
			 * manifest gives one (it fixes the content too), else by the content's diff_id. */
			const char *expect = o->verify_digests && layer_digests ? layer_digests[i] : NULL;
			rc = read_layer(bs, layer_refs[i], expect, o->verify_digests && !expect ? s->layers[i].diff_id : NULL,
					media_types ? media_types[i] : NULL, (int)i, &c, NULL, err);
			if (rc)
				goto fail_layer;
		}
		c.pass2 = false;
	}
	rc = bh_collect_finish(&c, err);
	bh_collect_free(&c);
	bh_glob_skip_free(&skip);
	return rc;
fail_layer:
	bh_collect_free(&c);
	bh_glob_skip_free(&skip);
	return rc;
}
