/* tarindex.c - entry offsets of an outer tar, so layers are read in manifest order without extraction. */
#include "image/tarindex.h"

#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/collect.h"

static struct archive *outer_reader(int fd, const char *label, bh_error *err)
{
	struct archive *a = archive_read_new();
	if (!a) {
		bh_error_set(err, BH_ENOMEM, "out of memory");
		return NULL;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (lseek(fd, 0, SEEK_SET) < 0 || archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		bh_error_set(err, BH_EINVAL, "%s: not a tar archive: %s", label,
			     archive_error_string(a) ? archive_error_string(a) : "unreadable");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

int bh_tarindex_build(bh_tarindex *ti, int fd, const char *label, const bh_limits *lim, bh_error *err)
{
	struct archive *a;
	struct archive_entry *e;
	size_t cap = 0, i;
	bool plain;
	int r, rc = 0;

	memset(ti, 0, sizeof(*ti));
	ti->fd = fd;
	snprintf(ti->label, sizeof(ti->label), "%s", label);
	bh_map_init(&ti->byname, NULL);
	a = outer_reader(fd, label, err);
	if (!a)
		return err->code;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		char clean[4096];
		bh_tarent *t;
		const char *raw = archive_entry_pathname(e);
		if (ti->n >= lim->max_files) {
			rc = bh_error_set(err, BH_ELIMIT, "%s: more than %llu entries (max-files limit)", label,
					  (unsigned long long)lim->max_files);
			goto out;
		}
		if (!raw || bh_path_clean(raw, clean, sizeof(clean), NULL))
			continue; /* a name we could never look up: ignore it */
		if (ti->n == cap) {
			size_t ncap = cap ? cap * 2 : 64, bytes;
			bh_tarent *n;
			if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(ti->ents, bytes))) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto out;
			}
			ti->ents = n;
			cap = ncap;
		}
		t = &ti->ents[ti->n];
		memset(t, 0, sizeof(*t));
		t->name = bh_strdup(clean);
		if (!t->name) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		t->hdr = (uint64_t)archive_read_header_position(a);
		t->size = archive_entry_size(e) > 0 ? (uint64_t)archive_entry_size(e) : 0;
		t->regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
		ti->n++;
		/* Later duplicates win, as they would on extraction. */
		if (bh_map_put(&ti->byname, clean, (void *)(uintptr_t)ti->n)) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		rc = bh_error_set(err, BH_EINVAL, "%s: %s", label,
				  archive_error_string(a) ? archive_error_string(a) : "corrupt tar archive");
		goto out;
	}
	/*
	 * In an uncompressed tar an entry's data ends, padded to 512 bytes, right where the next
	 * header starts; that gives data offsets without parsing tar headers ourselves.
	 */
	plain = archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE;
	for (i = 0; plain && i < ti->n; i++) {
		uint64_t next = i + 1 < ti->n ? ti->ents[i + 1].hdr : (uint64_t)archive_read_header_position(a);
		uint64_t padded = (ti->ents[i].size + 511) & ~(uint64_t)511;
		if (padded < ti->ents[i].size || next < padded)
			continue;
		if (next - padded >= ti->ents[i].hdr + 512) {
			ti->ents[i].data = next - padded;
			ti->ents[i].data_known = true;
		}
	}
out:
	archive_read_free(a);
	if (rc)
		bh_tarindex_free(ti);
	return rc;
}

const bh_tarent *bh_tarindex_find(const bh_tarindex *ti, const char *name)
{
	char clean[4096];
	uintptr_t v;
	if (bh_path_clean(name, clean, sizeof(clean), NULL))
		return NULL;
	v = (uintptr_t)bh_map_get(&ti->byname, clean);
	return v ? &ti->ents[v - 1] : NULL;
}

int bh_tarindex_open(bh_tarindex *ti, const bh_tarent *e, const char *expect, const char *expect2,
		     bh_blob *b, struct archive **outer_out, bh_error *err)
{
	char label[512];
	struct archive *a;
	struct archive_entry *ae;
	size_t idx = (size_t)(e - ti->ents), i = 0;
	int r;

	*outer_out = NULL;
	snprintf(label, sizeof(label), "%s!/%s", ti->label, e->name);
	if (!e->regular)
		return bh_error_set(err, BH_EINVAL, "%s: not a regular file", label);
	if (e->data_known)
		return bh_blob_open_range(b, ti->fd, e->data, e->size, label, expect, expect2, err);
	/* Compressed outer archive: walk to the entry again and stream it. */
	a = outer_reader(ti->fd, ti->label, err);
	if (!a)
		return err->code;
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		char clean[4096];
		const char *raw = archive_entry_pathname(ae);
		if (!raw || bh_path_clean(raw, clean, sizeof(clean), NULL))
			continue;
		if (i++ == idx) {
			*outer_out = a;
			return bh_blob_open_entry(b, a, label, expect, expect2, err);
		}
	}
	archive_read_free(a);
	return bh_error_set(err, BH_EINVAL, "%s: entry vanished on second read", label);
}

int bh_tarindex_read(bh_tarindex *ti, const char *name, size_t max, const char *expect, bh_buf *out, bh_error *err)
{
	const bh_tarent *e = bh_tarindex_find(ti, name);
	struct archive *outer;
	bh_blob b;
	int rc;

	if (!e)
		return bh_error_set(err, BH_ENOTFOUND, "%s: no entry \"%s\"", ti->label, name);
	if (e->size > max)
		return bh_error_set(err, BH_ELIMIT, "%s!/%s: %llu bytes is over the max-meta-size limit (%zu)",
				    ti->label, e->name, (unsigned long long)e->size, max);
	rc = bh_tarindex_open(ti, e, expect, NULL, &b, &outer, err);
	if (!rc)
		rc = bh_blob_read_all(&b, max, out, err);
	if (!rc)
		rc = bh_blob_finish(&b, err);
	bh_blob_close(&b);
	if (outer)
		archive_read_free(outer);
	return rc;
}

void bh_tarindex_free(bh_tarindex *ti)
{
	size_t i;
	for (i = 0; i < ti->n; i++)
		free(ti->ents[i].name);
	free(ti->ents);
	bh_map_free(&ti->byname);
	ti->ents = NULL;
	ti->n = 0;
}
