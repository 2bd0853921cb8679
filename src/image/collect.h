/* collect.h - the flattened view of a target: which analyzed file holds which components, with
 * overlay semantics (later layers replace, whiteouts delete) and each analyzer fed once per file. */
#ifndef BH_IMAGE_COLLECT_H
#define BH_IMAGE_COLLECT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "core/glob.h"
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
	uint64_t ncomps;         /* components held in results (checked against max-components) */
	/* Links (see "Links" in collect.c): what pass 1 learnt, and the pass-2 plan made from it. */
	bh_map links;            /* symlink path -> resolved target (image-root relative) */
	bh_map hard;             /* hard link path an analyzer wants -> pending target */
	bh_buf unwanted;         /* regular files nobody asked for: "\1<layer>\t<dir>\0" when the
				    directory or layer changes, then "<basename>\0" per file */
	size_t udir_off, udir_len; /* the current directory record in unwanted */
	int ulayer;
	bool unwanted_full;      /* the record cap was hit: some aliases may be missed (warned) */
	bh_map plan;             /* canonical path -> aliases to feed its content under */
	bool pass2;              /* set while a source re-reads content for the plan */
	bh_map owners;           /* analyzer-relevant path -> OS package that owns it (os.owner) */
	bool defer_owners;       /* directory sources: read the dpkg lists after the walk (bh_collect_owners_dir) */
	const bh_glob_skip *skip;/* --skip-dirs/--skip-files: entries never offered to analyzers or hooks; NULL = none */
	/*
	 * Set by a source that feeds files from several threads at once (directories without a hook):
	 * bh_collect_file then runs the analyzers unlocked and takes this lock for every change to the
	 * collect; the source takes it around its own calls (tick, symlink, note_unwanted). NULL = one
	 * thread, no locking. Hooks are never called from several threads.
	 */
	pthread_mutex_t *lock;
} bh_collect;

int bh_collect_init(bh_collect *c, const bh_limits *limits, bh_sbom *sbom);
void bh_collect_free(bh_collect *c);

/* Counts one entry against max-files and the time budget. */
int bh_collect_tick(bh_collect *c, bh_error *err);
/* Counts n entries at once (a directory's worth, from a threaded walk; the caller holds c->lock). */
int bh_collect_tick_n(bh_collect *c, uint64_t n, bh_error *err);
/* True when some analyzer (or the hook) wants this regular file (cheap). */
bool bh_collect_wants(const bh_collect *c, const char *path, uint32_t mode, uint64_t size);
/*
 * False when a regular file at path is of no interest whatever its mode and size (no hook, and no
 * analyzer's may_match): a directory walk then need not stat it.
 */
bool bh_collect_needs_stat(const bh_collect *c, const char *path);
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
/* A symbolic link at path (target as stored in the archive or returned by readlink). */
int bh_collect_symlink(bh_collect *c, const char *path, const char *target, int layer, bh_error *err);
/* A regular file that no analyzer wanted (a symlink or hard link may still give it a wanted name). */
void bh_collect_note_unwanted(bh_collect *c, const char *path, int layer);
/*
 * After pass 1: works out which unclaimed files are reachable under a wanted name through links.
 * *max_layer receives the last layer a second pass must re-read, or -1 when none is needed
 * (directory sources use -1 as their only layer and then test with bh_collect_planned).
 */
int bh_collect_plan(bh_collect *c, int *max_layer, bool *needed, bh_error *err);
/* True when pass 2 must feed the content of path as written by layer. */
bool bh_collect_planned(const bh_collect *c, const char *path, int layer);
/* Pass 2: feeds the content of path (written by layer) under every planned alias. */
int bh_collect_alias_file(bh_collect *c, const char *path, int layer, uint32_t mode, uint64_t size,
			  const bh_file_ops *ops, void *ctx, bh_error *err);
/*
 * Resolves a link target against the image root, never above it ("/.." is "/"), as the kernel
 * does inside a chroot: relative targets start at the link's directory. Result has no leading
 * '/' ("" is the root). BH_ELIMIT when too long.
 */
int bh_link_resolve(const char *link_path, const char *target, char *out, size_t outsz);
/* path against the directory dir (its first dirlen bytes) inside a root, as bh_link_resolve: a
 * relative path starts at dir, ".." never above the root; out has no leading '/'. */
int bh_path_join(const char *dir, size_t dirlen, const char *path, char *out, size_t outsz);
/*
 * Directory sources: reads the PKG.list files of ROOT/var/lib/dpkg/info (rootfd: ROOT) once the walk is
 * done, keeping only the paths of language components found, and only when there are some.
 */
int bh_collect_owners_dir(bh_collect *c, int rootfd, bh_error *err);
/* Moves all surviving components into the sbom (paths made absolute). */
int bh_collect_finish(bh_collect *c, bh_error *err);

/*
 * Normalises an archive path: strips "./" and leading "/", collapses "//" and ".".
 * Returns BH_EINVAL for ".." components or empty results (path traversal), BH_ELIMIT if too long.
 */
int bh_path_clean(const char *in, char *out, size_t outsz, bool *was_absolute);

#endif
