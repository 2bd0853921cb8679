/* glob.h - path globs as Trivy's --skip-dirs/--skip-files read them (doublestar: `**` spans directories). */
#ifndef BH_CORE_GLOB_H
#define BH_CORE_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * True when path matches pat. Both are '/'-separated; leading '/' of either is ignored (patterns
 * are relative to the scanned root). `*` matches any run of characters inside one path component,
 * `?` one character, `[abc]`, `[a-z]`, `[!x]`/`[^x]` one character of a class, `\x` the character x,
 * and a component that is exactly `**` any number of components, none included (`a/` + `**` matches
 * `a` and everything below it). A `**` inside a component is `*`. A malformed class matches nothing.
 */
bool bh_glob_match(const char *pat, const char *path);

/* The --skip-dirs and --skip-files patterns of one scan; the strings are owned copies. */
typedef struct bh_glob_skip {
	char **dirs;
	size_t ndirs;
	char **files;
	size_t nfiles;
} bh_glob_skip;

/*
 * Adds the comma-separated patterns of csv to s->dirs (dirs) or s->files as given (a trailing '/'
 * dropped). An empty pattern is BH_EUSAGE naming the option; BH_ENOMEM.
 */
int bh_glob_skip_add(bh_glob_skip *s, bool dirs, const char *csv, bh_error *err);
/* True when s holds no pattern (NULL too). */
bool bh_glob_skip_empty(const bh_glob_skip *s);
/*
 * The patterns of in made relative to the scanned root, as Trivy reads them, into out (freed with
 * bh_glob_skip_free). Images (root NULL): "./x" and "/x" are "x". Directories (root: the real
 * absolute path of the scanned directory): an absolute pattern, or one starting with "./" or "../"
 * (taken from cwd; NULL = not available), is taken relative to root when it lies under it, else
 * relative to root as an image's; any other pattern is relative to root already. 0 or BH_ENOMEM.
 */
int bh_glob_skip_for_root(const bh_glob_skip *in, const char *root, const char *cwd, bh_glob_skip *out, bh_error *err);
/*
 * With patterns from bh_glob_skip_for_root and rel relative to the scanned root (no leading '/'):
 * _dir: rel is a directory matched by --skip-dirs; _file: rel is a file matched by --skip-files;
 * _entry: an image layer entry (is_dir as its type) skipped because it or a parent directory is.
 */
bool bh_glob_skip_dir(const bh_glob_skip *s, const char *rel);
bool bh_glob_skip_file(const bh_glob_skip *s, const char *rel);
bool bh_glob_skip_entry(const bh_glob_skip *s, const char *rel, bool is_dir);
void bh_glob_skip_free(bh_glob_skip *s);

#endif
