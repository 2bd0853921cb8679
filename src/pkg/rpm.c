/* rpm.c - RPM databases: rpmdb.sqlite (RHEL 9, Fedora) read in memory, ndb Packages.db (SUSE);
 * the old Berkeley DB "Packages" is named as unsupported. Each package's file list goes to the
 * list's own() hook (os.owner). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"

enum { T_NAME = 1000, T_VERSION = 1001, T_RELEASE = 1002, T_EPOCH = 1003, T_LICENSE = 1014, T_ARCH = 1022, T_SOURCERPM = 1044,
       T_OLDFILENAMES = 1027, T_DIRINDEXES = 1116, T_BASENAMES = 1117, T_DIRNAMES = 1118 };
enum { TY_INT32 = 4, TY_STRING = 6, TY_STRING_ARRAY = 8, TY_I18N = 9 };
#define MAX_FILES_PER_PKG 1000000u /* far above any real package (texlive-base: ~100k) */

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode; (void)size;
	return bh_path_is(path, len, "var/lib/rpm/rpmdb.sqlite") || bh_path_is(path, len, "usr/lib/sysimage/rpm/rpmdb.sqlite") ||
	       bh_path_is(path, len, "var/lib/rpm/Packages.db") || bh_path_is(path, len, "usr/lib/sysimage/rpm/Packages.db") ||
	       (len == 20 && !memcmp(path, "var/lib/rpm/Packages", 20)) ||
	       (len == 29 && !memcmp(path, "usr/lib/sysimage/rpm/Packages", 29));
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A string tag of a header blob, bounds-checked against the data store. */
static const char *hdr_str(const unsigned char *idx, uint32_t il, const unsigned char *store, uint32_t dl, uint32_t tag)
{
	uint32_t i;
	for (i = 0; i < il; i++) {
		const unsigned char *e = idx + (size_t)i * 16;
		uint32_t type = be32(e + 4), off = be32(e + 8);
		if (be32(e) != tag || (type != TY_STRING && type != TY_I18N) || off >= dl)
			continue;
		if (!memchr(store + off, '\0', dl - off))
			return NULL;
		return (const char *)store + off;
	}
	return NULL;
}

static bool hdr_int(const unsigned char *idx, uint32_t il, const unsigned char *store, uint32_t dl, uint32_t tag, uint32_t *v)
{
	uint32_t i;
	for (i = 0; i < il; i++) {
		const unsigned char *e = idx + (size_t)i * 16;
		uint32_t off = be32(e + 8);
		if (be32(e) == tag && be32(e + 4) == TY_INT32 && be32(e + 12) >= 1 && off <= dl - 4 && dl >= 4) {
			*v = be32(store + off);
			return true;
		}
	}
	return false;
}

/* The index entry of TAG with type TYPE: its offset and count in the store; false when absent. */
static bool hdr_find(const unsigned char *idx, uint32_t il, uint32_t dl, uint32_t tag, uint32_t type, uint32_t *off, uint32_t *cnt)
{
	uint32_t i;
	for (i = 0; i < il; i++) {
		const unsigned char *e = idx + (size_t)i * 16;
		if (be32(e) == tag && be32(e + 4) == type && be32(e + 8) < dl) {
			*off = be32(e + 8);
			*cnt = be32(e + 12);
			return *cnt > 0 && *cnt <= MAX_FILES_PER_PKG;
		}
	}
	return false;
}

/* Next NUL-terminated string of a string array at *pos; NULL when it would run past the store. */
static const char *next_str(const unsigned char *store, uint32_t dl, size_t *pos, size_t *len)
{
	const unsigned char *z;
	if (*pos >= dl || !(z = memchr(store + *pos, '\0', dl - *pos)))
		return NULL;
	*len = (size_t)(z - (store + *pos));
	z = store + *pos;
	*pos += *len + 1;
	return (const char *)z;
}

/*
 * Every file the package installed: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (rpm >= 4.0), or the
 * old FILENAMES array. What `rpm -qf` answers from, so os.owner agrees with it.
 */
static int owned_files(const unsigned char *idx, uint32_t il, const unsigned char *store, uint32_t dl, const char *name,
		       bh_complist *out)
{
	uint32_t boff, bcnt, doff, dcnt, ioff, icnt, i;
	const char **dirs = NULL;
	size_t *dlen = NULL, pos, len;
	char path[8192];
	int rc = 0;

	if (!out->own)
		return 0;
	if (!hdr_find(idx, il, dl, T_BASENAMES, TY_STRING_ARRAY, &boff, &bcnt)) {
		if (!hdr_find(idx, il, dl, T_OLDFILENAMES, TY_STRING_ARRAY, &boff, &bcnt))
			return 0; /* a package without files (meta packages, gpg-pubkey) */
		for (pos = boff, i = 0; i < bcnt && !rc; i++) {
			const char *f = next_str(store, dl, &pos, &len);
			if (!f)
				return BH_EINVAL;
			rc = out->own(out->own_ctx, f, len, name);
		}
		return rc;
	}
	if (!hdr_find(idx, il, dl, T_DIRNAMES, TY_STRING_ARRAY, &doff, &dcnt) ||
	    !hdr_find(idx, il, dl, T_DIRINDEXES, TY_INT32, &ioff, &icnt) || icnt != bcnt ||
	    (uint64_t)ioff + (uint64_t)icnt * 4 > dl)
		return BH_EINVAL;
	dirs = calloc(dcnt, sizeof(*dirs));
	dlen = calloc(dcnt, sizeof(*dlen));
	if (!dirs || !dlen) {
		rc = BH_ENOMEM;
		goto out;
	}
	for (pos = doff, i = 0; i < dcnt; i++)
		if (!(dirs[i] = next_str(store, dl, &pos, &dlen[i]))) {
			rc = BH_EINVAL;
			goto out;
		}
	for (pos = boff, i = 0; i < bcnt && !rc; i++) {
		const char *b = next_str(store, dl, &pos, &len);
		uint32_t di = be32(store + ioff + (size_t)i * 4);
		if (!b) {
			rc = BH_EINVAL;
			break;
		}
		if (di >= dcnt || dlen[di] + len >= sizeof(path))
			continue; /* a bad index or an absurd path names nothing in the image */
		memcpy(path, dirs[di], dlen[di]);
		memcpy(path + dlen[di], b, len);
		rc = out->own(out->own_ctx, path, dlen[di] + len, name);
	}
out:
	free(dirs);
	free(dlen);
	return rc;
}

/* One header blob (no lead/magic): il, dl, il index entries, dl bytes of data. */
static int header(const unsigned char *b, size_t len, bh_complist *out)
{
	uint32_t il, dl, epoch;
	const unsigned char *idx, *store;
	const char *name, *ver, *rel, *arch, *lic, *src;
	bh_component *c;
	bh_buf v = BH_BUF_INIT;

	if (len < 8)
		return BH_EINVAL;
	il = be32(b);
	dl = be32(b + 4);
	if (il == 0 || il > 100000 || dl > (256u << 20) || 8 + (uint64_t)il * 16 + dl > len)
		return BH_EINVAL;
	idx = b + 8;
	store = idx + (size_t)il * 16;
	name = hdr_str(idx, il, store, dl, T_NAME);
	ver = hdr_str(idx, il, store, dl, T_VERSION);
	rel = hdr_str(idx, il, store, dl, T_RELEASE);
	arch = hdr_str(idx, il, store, dl, T_ARCH);
	lic = hdr_str(idx, il, store, dl, T_LICENSE);
	src = hdr_str(idx, il, store, dl, T_SOURCERPM);
	if (!name || !ver)
		return BH_EINVAL;
	if (!strcmp(name, "gpg-pubkey"))
		return 0; /* imported signing keys, not software */
	c = bh_complist_add(out, BH_ECO_RPM);
	if (!c || bh_buf_printf(&v, "%s%s%s", ver, rel ? "-" : "", rel ? rel : "") ||
	    bh_component_set(&c->name, name, (size_t)-1) || bh_component_set(&c->version, v.data, v.len) ||
	    bh_component_set(&c->arch, arch, (size_t)-1) || bh_component_set(&c->license, lic, (size_t)-1))
		goto nomem;
	if (hdr_int(idx, il, store, dl, T_EPOCH, &epoch)) {
		char e[16];
		snprintf(e, sizeof(e), "%u", epoch);
		if (bh_component_set(&c->epoch, e, (size_t)-1))
			goto nomem;
	}
	if (src) {
		/* "bash-5.1.8-6.el9.src.rpm": name-version-release, split from the right */
		size_t n = strlen(src);
		const char *r, *vv;
		if (n > 8 && !strcmp(src + n - 8, ".src.rpm"))
			n -= 8;
		else if (n > 9 && !strcmp(src + n - 9, ".nosrc.rpm"))
			n -= 9;
		r = memrchr(src, '-', n);
		vv = r ? memrchr(src, '-', (size_t)(r - src)) : NULL;
		if (vv && bh_component_set(&c->src_name, src, (size_t)(vv - src)))
			goto nomem;
		if (vv && bh_component_set(&c->src_version, vv + 1, n - (size_t)(vv + 1 - src)))
			goto nomem;
	}
	bh_buf_free(&v);
	/* A broken file list loses the ownership marks, not the package. */
	return owned_files(idx, il, store, dl, name, out) == BH_ENOMEM ? BH_ENOMEM : 0;
nomem:
	bh_buf_free(&v);
	return BH_ENOMEM;
}

static int from_sqlite(bh_file *f, const unsigned char *data, size_t len, bh_complist *out, bh_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *copy;
	int rc = 0, r, bad = 0;

	if (len < 100 || memcmp(data, "SQLite format 3", 16) != 0)
		return bh_error_set(err, BH_EINVAL, "%s: not an SQLite database", f->path);
	/* sqlite3_deserialize takes ownership of an sqlite3_malloc'd buffer. */
	copy = sqlite3_malloc64(len);
	if (!copy)
		return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	memcpy(copy, data, len);
	/* rpm keeps the file in WAL mode; an in-memory image must say rollback journal instead */
	if (copy[18] == 2 && copy[19] == 2)
		copy[18] = copy[19] = 1;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		rc = bh_error_set(err, BH_EINVAL, "%s: unreadable SQLite database", f->path);
		goto out;
	}
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 256 << 20);
	if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
		rc = bh_error_set(err, BH_EINVAL, "%s: no Packages table: %s", f->path, sqlite3_errmsg(db));
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		int hr = b && n > 0 ? header(b, (size_t)n, out) : BH_EINVAL;
		if (hr == BH_ENOMEM) {
			rc = bh_error_set(err, hr, "%s: out of memory", f->path);
			goto out;
		}
		bad += hr != 0;
	}
	if (r != SQLITE_DONE)
		rc = bh_error_set(err, BH_EINVAL, "%s: corrupt database: %s", f->path, sqlite3_errmsg(db));
	else if (bad)
		rc = bh_error_set(err, BH_EINVAL, "%s: %d package header%s unreadable and skipped", f->path, bad, bad == 1 ? "" : "s");
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* ndb (rpm lib/backend/ndb/rpmpkg.c): a slot table of {magic, pkgidx, blkoff, blkcnt}, then blobs. */
#define NDB_PAGE 4096
#define NDB_BLK 16

static int from_ndb(bh_file *f, const unsigned char *d, size_t len, bh_complist *out, bh_error *err)
{
	uint32_t npages;
	size_t off, end;
	int bad = 0;

	if (len < 32 || memcmp(d, "RpmP", 4) != 0)
		return bh_error_set(err, BH_EINVAL, "%s: not an rpm ndb database", f->path);
	npages = le32(d + 12);
	if (npages == 0 || npages > 4096 || (uint64_t)npages * NDB_PAGE > len)
		return bh_error_set(err, BH_EINVAL, "%s: implausible slot table (%u pages)", f->path, npages);
	end = (size_t)npages * NDB_PAGE;
	for (off = 32; off + 16 <= end; off += 16) {
		const unsigned char *s = d + off;
		uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8), bloblen;
		uint64_t at = (uint64_t)blkoff * NDB_BLK;
		int hr;
		if (memcmp(s, "Slot", 4) != 0 || pkgidx == 0)
			continue;
		if (at + 16 > len || memcmp(d + at, "BlbS", 4) != 0 || le32(d + at + 4) != pkgidx) {
			bad++;
			continue;
		}
		bloblen = le32(d + at + 12);
		if (at + 16 + bloblen > len) {
			bad++;
			continue;
		}
		hr = header(d + at + 16, bloblen, out);
		if (hr == BH_ENOMEM)
			return bh_error_set(err, hr, "%s: out of memory", f->path);
		bad += hr != 0;
	}
	return bad ? bh_error_set(err, BH_EINVAL, "%s: %d package blob%s unreadable and skipped", f->path, bad, bad == 1 ? "" : "s") : 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len;
	int rc;

	if (bh_str_endswith(f->path, "/Packages") || !strcmp(f->path, "Packages"))
		return bh_error_set(err, BH_EUNSUPPORTED,
				    "rpm database at /%s is Berkeley DB (RHEL/CentOS 8 and older); not supported, packages from it are not listed",
				    f->path);
	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	if (bh_str_endswith(f->path, ".sqlite"))
		return from_sqlite(f, data, len, out, err);
	return from_ndb(f, data, len, out, err);
}

const bh_analyzer bh_analyzer_rpm = { "rpm", match, analyze, NULL };
