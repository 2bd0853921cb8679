/* layer.c - single-pass layer reader with overlay whiteouts, links and hostile-path checks. */
#include "image/layer.h"

#include <archive_entry.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"

struct archive *bh_layer_reader_new(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	return a;
}

struct entry_ctx {
	struct archive *a;
};

static int entry_read(void *ctx, void *buf, size_t n, size_t *got, bh_error *err)
{
	struct entry_ctx *e = ctx;
	la_ssize_t r = archive_read_data(e->a, buf, n);
	if (r < 0) {
		*got = 0;
		return bh_error_set(err, BH_EINVAL, "%s", archive_error_string(e->a) ? archive_error_string(e->a) : "read error");
	}
	*got = (size_t)r;
	return 0;
}

static const bh_file_ops entry_ops = { entry_read, NULL };

int bh_layer_walk(struct archive *a, int layer, const char *name, bh_collect *c, bh_error *err)
{
	struct archive_entry *e;
	char path[4096], target[4096];
	uint64_t total = 0;
	int r, rc;

	for (;;) {
		const char *raw, *base;
		bool abs = false;
		mode_t type;
		int64_t size;
		size_t blen;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			bh_sbom_warn(c->sbom, "layer %s: %s", name, archive_error_string(a));
		} else if (r != ARCHIVE_OK) {
			return bh_error_set(err, BH_EINVAL, "layer %s: %s", name,
					    archive_error_string(a) ? archive_error_string(a) : "unreadable tar");
		}
		if (!c->pass2 && bh_collect_tick(c, err))
			return bh_error_wrap(err, "layer %s", name);
		raw = archive_entry_pathname(e);
		if (!raw || !*raw) {
			bh_sbom_warn(c->sbom, "layer %s: entry without a usable name skipped", name);
			continue;
		}
		rc = bh_path_clean(raw, path, sizeof(path), &abs);
		if (rc) {
			bh_sbom_warn(c->sbom, "layer %s: entry \"%.200s\" skipped: %s", name, raw,
				     rc == BH_EINVAL ? "path traversal (\"..\")" : "path too long");
			continue;
		}
		if (c->pass2) {
			/* Second read (see "Links" in collect.c): only planned files, nothing else changes. */
			if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
			    bh_collect_planned(c, path, layer) && !bh_glob_skip_entry(c->skip, path, false)) {
				struct entry_ctx ec = { a };
				size = archive_entry_size(e);
				if ((rc = bh_collect_alias_file(c, path, layer, (uint32_t)archive_entry_mode(e),
								size > 0 ? (uint64_t)size : 0, &entry_ops, &ec, err)))
					return rc;
			}
			continue;
		}
		if (abs)
			bh_log_debug("layer %s: absolute entry /%s taken relative to the image root", name, path);
		size = archive_entry_size(e);
		if (size < 0)
			size = 0;
		total += (uint64_t)size;
		if ((uint64_t)size > c->limits->max_layer_size || total > c->limits->max_layer_size)
			return bh_error_set(err, BH_ELIMIT, "layer %s: entry /%s makes the layer larger than the max-layer-size limit (%llu bytes)",
					    name, path, (unsigned long long)c->limits->max_layer_size);

		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		blen = strlen(base);
		if (blen >= 4 && memcmp(base, ".wh.", 4) == 0) {
			/* Whiteouts never reach analyzers: they delete from lower layers. */
			size_t dirlen = (size_t)(base - path);
			char victim[4096];
			memcpy(victim, path, dirlen);
			victim[dirlen ? dirlen - 1 : 0] = '\0';
			if (strcmp(base, ".wh..wh..opq") == 0) {
				bh_collect_remove(c, victim, false, true, layer);
				if ((rc = bh_collect_entry(c, layer, BH_ENTRY_OPAQUE, victim, 0, 0, err)))
					return rc;
			} else if (blen > 8 && memcmp(base, ".wh..wh.", 8) == 0) {
				/* aufs bookkeeping (.wh..wh.plnk and friends): nothing to apply. */
			} else if (blen > 4) {
				size_t vlen = dirlen + (blen - 4);
				if (dirlen)
					victim[dirlen - 1] = '/';
				memcpy(victim + dirlen, base + 4, blen - 4);
				victim[vlen] = '\0';
				bh_collect_remove(c, victim, true, true, layer);
				if ((rc = bh_collect_entry(c, layer, BH_ENTRY_WHITEOUT, victim, 0, 0, err)))
					return rc;
			}
			continue;
		}

		/* --skip-dirs/--skip-files: as if the entry were not in the layer (whiteouts above still apply) */
		if (c->skip && bh_glob_skip_entry(c->skip, path, archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e)))
			continue;
		if (archive_entry_hardlink(e)) {
			rc = bh_path_clean(archive_entry_hardlink(e), target, sizeof(target), NULL);
			if (rc) {
				bh_sbom_warn(c->sbom, "layer %s: hard link /%s -> \"%.200s\" skipped: target escapes the image",
					     name, path, archive_entry_hardlink(e));
				continue;
			}
			if ((rc = bh_collect_link(c, path, target, layer, err)) ||
			    (rc = bh_collect_entry(c, layer, BH_ENTRY_HARDLINK, path, (uint32_t)archive_entry_mode(e), 0, err)))
				return rc;
			continue;
		}
		type = archive_entry_filetype(e);
		rc = bh_collect_entry(c, layer, type == AE_IFDIR ? BH_ENTRY_DIR : type == AE_IFREG ? BH_ENTRY_FILE :
					 type == AE_IFLNK ? BH_ENTRY_SYMLINK : BH_ENTRY_OTHER,
				      path, (uint32_t)archive_entry_mode(e), (uint64_t)size, err);
		if (rc)
			return rc;
		if (type == AE_IFDIR) {
			/* A directory over a file hides the file; its contents merge otherwise. */
			bh_collect_remove(c, path, true, false, layer);
			continue;
		}
		if (type != AE_IFREG) {
			/* Symlinks and devices hide what was there; links are followed inside the image only. */
			bh_collect_remove(c, path, true, true, layer);
			if (type == AE_IFLNK && archive_entry_symlink(e) &&
			    (rc = bh_collect_symlink(c, path, archive_entry_symlink(e), layer, err)))
				return rc;
			continue;
		}
		if (!bh_collect_wants(c, path, (uint32_t)archive_entry_mode(e), (uint64_t)size)) {
			bh_collect_remove(c, path, true, true, layer);
			bh_collect_note_unwanted(c, path, layer);
			continue;
		}
		{
			struct entry_ctx ec = { a };
			rc = bh_collect_file(c, path, (uint32_t)archive_entry_mode(e), (uint64_t)size, layer,
					     &entry_ops, &ec, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}
