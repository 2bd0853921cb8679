/* zipdir.c - reads a zip central directory with every offset and size checked against the file size. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/zipdir.h"

#define EOCD_LEN 22    /* end of central directory record, no comment */
#define LOC64_LEN 20   /* ZIP64 end of central directory locator */
#define EOCD64_MIN 56  /* ZIP64 end of central directory record, fixed part */
#define EOCD64_MAX 16384
#define CDH_LEN 46     /* central directory file header, fixed part */
#define LFH_LEN 30     /* local file header, fixed part */

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Exactly n bytes at off; a short file is BH_EINVAL (the directory pointed past the end). */
static int pread_all(bh_file *f, void *buf, size_t n, uint64_t off, bh_error *err)
{
	size_t done = 0, got;
	int rc;
	while (done < n) {
		if ((rc = bh_file_pread(f, (unsigned char *)buf + done, n - done, off + done, &got, err)))
			return rc;
		if (got == 0)
			return bh_error_set(err, BH_EINVAL, "%s: zip directory past the end of the file", f->path);
		done += got;
	}
	return 0;
}

void bh_zipdir_free(bh_zipdir *d)
{
	free(d->cd);
	free(d->ent);
	memset(d, 0, sizeof(*d));
}

static int not_plain(bh_zipdir *d, bh_file *f, bh_error *err, const char *why)
{
	bh_zipdir_free(d);
	return bh_error_set(err, BH_EINVAL, "%s: zip directory: %s", f->path, why);
}

/* Entries of d->cd[0..cd_size), which must hold nothing but central directory headers. */
static int parse_entries(bh_zipdir *d, bh_file *f, size_t cd_size, bh_error *err)
{
	size_t pos = 0, cap = cd_size / CDH_LEN, bytes;
	uint64_t prev = 0;

	if (!bh_size_mul(cap, sizeof(*d->ent), &bytes) || !(d->ent = malloc(bytes ? bytes : 1))) {
		bh_zipdir_free(d);
		return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	}
	while (pos < cd_size) {
		const unsigned char *p = d->cd + pos;
		bh_zipdir_entry *e;
		size_t rl;
		uint64_t off, csize, usize;
		if (cd_size - pos < CDH_LEN || memcmp(p, "PK\1\2", 4) != 0)
			return not_plain(d, f, err, "bad central directory header");
		rl = (size_t)CDH_LEN + le16(p + 28) + le16(p + 30) + le16(p + 32);
		if (rl > cd_size - pos)
			return not_plain(d, f, err, "header runs past the directory");
		csize = le32(p + 20);
		usize = le32(p + 24);
		off = le32(p + 42);
		/* 0xffffffff means "in the ZIP64 extra field": left to the general reader */
		if (csize == 0xffffffffu || usize == 0xffffffffu || off == 0xffffffffu)
			return not_plain(d, f, err, "ZIP64 entry");
		if (off >= d->cd_offset || d->cd_offset - off < LFH_LEN || csize > d->cd_offset - off - LFH_LEN)
			return not_plain(d, f, err, "entry outside the data area");
		if (d->n && off <= prev)
			return not_plain(d, f, err, "local headers out of order");
		/* every header is at least CDH_LEN bytes, so n never reaches cap + 1 */
		e = &d->ent[d->n++];
		e->name = (const char *)p + CDH_LEN;
		e->namelen = le16(p + 28);
		e->extralen = le16(p + 30);
		e->flags = le16(p + 8);
		e->method = le16(p + 10);
		e->system = p[5];
		e->extattr = le32(p + 38);
		e->csize = csize;
		e->usize = usize;
		e->offset = off;
		prev = off;
		pos += rl;
	}
	if (!d->n)
		return not_plain(d, f, err, "no entries");
	return 0;
}

int bh_zipdir_read(bh_file *f, uint64_t max_cd, bh_zipdir *d, bh_error *err)
{
	unsigned char tail[LOC64_LEN + EOCD_LEN], rec[EOCD64_MIN];
	const unsigned char *e;
	uint64_t size = f->size, end, cd_off, cd_size;
	size_t tl;
	int rc;

	memset(d, 0, sizeof(*d));
	if (size < EOCD_LEN + CDH_LEN)
		return not_plain(d, f, err, "too short");
	tl = size >= sizeof(tail) + CDH_LEN ? sizeof(tail) : EOCD_LEN;
	if ((rc = pread_all(f, tail, tl, size - tl, err)))
		return rc;
	e = tail + tl - EOCD_LEN;
	if (memcmp(e, "PK\5\6", 4) != 0 || le16(e + 20) != 0)
		return not_plain(d, f, err, "no end record at the end (comment or trailing data)");
	/* one volume only, the whole directory on it */
	if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10))
		return not_plain(d, f, err, "multi-volume archive");
	end = size - EOCD_LEN;
	if (tl == sizeof(tail) && memcmp(tail, "PK\6\7", 4) == 0) {
		uint64_t loc = end - LOC64_LEN, r64 = le64(tail + 8), rlen;
		if (le32(tail + 4) != 0 || le32(tail + 16) != 1)
			return not_plain(d, f, err, "multi-volume ZIP64 archive");
		if (r64 > loc || loc - r64 < EOCD64_MIN || loc - r64 > EOCD64_MAX)
			return not_plain(d, f, err, "bad ZIP64 locator");
		if ((rc = pread_all(f, rec, sizeof(rec), r64, err)))
			return rc;
		rlen = le64(rec + 4);
		/* the record must end exactly where the locator starts */
		if (memcmp(rec, "PK\6\6", 4) != 0 || rlen > EOCD64_MAX || rlen + 12 != loc - r64)
			return not_plain(d, f, err, "bad ZIP64 end record");
		if (le32(rec + 16) != 0 || le32(rec + 20) != 0 || le64(rec + 24) != le64(rec + 32))
			return not_plain(d, f, err, "multi-volume ZIP64 archive");
		cd_size = le64(rec + 40);
		cd_off = le64(rec + 48);
		end = r64;
	} else {
		cd_size = le32(e + 12);
		cd_off = le32(e + 16);
	}
	/* no prepended data (self-extracting stubs shift every offset): the directory ends at the end record */
	if (cd_off > end || end - cd_off != cd_size || cd_size < CDH_LEN)
		return not_plain(d, f, err, "directory not right before the end record");
	if (cd_size > max_cd || cd_size > SIZE_MAX)
		return bh_error_set(err, BH_ELIMIT, "%s: zip directory of %llu bytes over the limit", f->path,
				    (unsigned long long)cd_size);
	if (!(d->cd = malloc((size_t)cd_size)))
		return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	d->cd_offset = cd_off;
	if ((rc = pread_all(f, d->cd, (size_t)cd_size, cd_off, err))) {
		bh_zipdir_free(d);
		return rc;
	}
	return parse_entries(d, f, (size_t)cd_size, err);
}
