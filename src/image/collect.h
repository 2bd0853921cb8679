/* collect.h - the flattened view of a target: which analyzed file holds which components, with
 * overlay semantics (later layers replace, whiteouts delete) and each analyzer fed once per file. */
#ifndef BH_IMAGE_COLLECT_H
#define BH_IMAGE_COLLECT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/map.h"
#include "pkg/analyzer.h"
#include "sbom/sbom.h"

/* What a layer entry is, for hooks. Whiteouts give the path they delete; opaque markers the dir. */
typedef enum bh_entry_kind {
	BH_ENTRY_FILE = 0,
	BH_ENTRY_DIR,
	BH_ENTRY_SYMLINK,
	BH_ENTRY_HARDLINK,
	BH_ENTRY_OTHER,
	BH_ENTRY_WHITEOUT,
	BH_ENTRY_OPAQUE
} bh_entry_kind;

/*
 * An observer of every entry of every layer, in layer order, for checks that look at files rather
 * than packages (secrets, setuid bits, caches). Directory targets report layer -1. All callbacks
 * are optional; a non-zero return from entry/content stops the scan with that error.
 * content() sees a regular file that wants() asked for; the file is valid during the call only.
 */
typedef struct bh_entry_hook {
	int (*entry)(void *ctx, int layer, bh_entry_kind kind, const char *path, uint32_t mode, uint64_t size, bh_error *err);
	bool (*wants)(void *ctx, const char *path, uint32_t mode, uint64_t size);
	int (*content)(void *ctx, int layer, bh_file *f, bh_error *err);
	void *ctx;
} bh_entry_hook;

typedef struct bh_collect {
	bh_map results;          /* normalised path -> struct result (private) */
	bh_map dirs;             /* every ancestor directory of a result key: makes subtree removal cheap */
	const bh_limits *limits;
	bh_sbom *sbom;           /* where warnings go; not owned */
	const bh_analyzer *const *an;
	size_t nan;
	uint64_t files;          /* entries seen over all layers */
	time_t deadline;         /* 0 = none */
	bh_map *only;            /* when set, only these analyzer names run (NULL = all) */
	const bh_entry_hook *hook; /* NULL = none; not owned */
} bh_collect;

int bh_collect_init(bh_collect *c, const bh_limits *limits, bh_sbom *sbom);
void bh_collect_free(bh_collect *c);

/* Counts one entry against max-files and the time budget. */
int bh_collect_tick(bh_collect *c, bh_error *err);
/* True when some analyzer (or the hook) wants this regular file (cheap). */
bool bh_collect_wants(const bh_collect *c, const char *path, uint32_t mode, uint64_t size);
/* Tells the hook about an entry (no-op without one). */
int bh_collect_entry(bh_collect *c, int layer, bh_entry_kind kind, const char *path, uint32_t mode, uint64_t size,
		     bh_error *err);
/*
 * A regular file at path written by layer: drops what earlier layers had at path (and below it),
 * runs the interested analyzers over the content from ops/ctx, stores their components.
 * Analyzer failures become warnings; only fatal errors (memory, limits) are returned.
 */
int bh_collect_file(bh_collect *c, const char *path, uint32_t mode, uint64_t size, int layer,
		    const bh_file_ops *ops, void *ctx, bh_error *err);
/* Anything at path from layers before `layer` disappears; with subtree also everything below it. */
void bh_collect_remove(bh_collect *c, const char *path, bool self, bool subtree, int before_layer);
/* A hard link: path gets a copy of what target holds. */
int bh_collect_link(bh_collect *c, const char *path, const char *target, int layer, bh_error *err);
/* Moves all surviving components into the sbom (paths made absolute). */
int bh_collect_finish(bh_collect *c, bh_error *err);

/*
 * Normalises an archive path: strips "./" and leading "/", collapses "//" and ".".
 * Returns BH_EINVAL for ".." components or empty results (path traversal), BH_ELIMIT if too long.
 */
int bh_path_clean(const char *in, char *out, size_t outsz, bool *was_absolute);

#endif
