/* analyzer.h - the contract between the layer reader and each ecosystem's analyzer. */
#ifndef BH_PKG_ANALYZER_H
#define BH_PKG_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/limits.h"
#include "sbom/component.h"

typedef struct bh_file bh_file;
typedef struct bh_analyzer bh_analyzer;

/* Operations a source provides for one file while it streams past (private to sources). */
typedef struct bh_file_ops {
	/* Sequential read; *got == 0 means end of file. */
	int (*read)(void *ctx, void *buf, size_t n, size_t *got, bh_error *err);
	/* Random access, or NULL when the source is a stream (tar layer). */
	int (*pread)(void *ctx, void *buf, size_t n, uint64_t off, size_t *got, bh_error *err);
} bh_file_ops;

/*
 * A file offered to analyzers. Valid only during the analyze() call: analyzers copy what they
 * keep. path is relative to the target root without a leading '/', e.g. "var/lib/dpkg/status".
 */
struct bh_file {
	const char *path;
	uint32_t mode;           /* st_mode, including S_IFMT */
	uint64_t size;           /* size declared by the source */
	const bh_limits *limits;
	unsigned depth;          /* nesting depth when the file comes from inside an archive */
	/* private to the reader */
	const bh_file_ops *ops;
	void *ctx;
	unsigned char *content;  /* cached by bh_file_slurp, freed by bh_file_release */
	size_t content_len;
	bool content_borrowed;   /* content belongs to someone else (bh_file_init_mem) */
	uint64_t consumed;       /* bytes already handed out by bh_file_read */
};

/* Reads up to n bytes sequentially. */
int bh_file_read(bh_file *f, void *buf, size_t n, size_t *got, bh_error *err);
/* Random access; BH_EUNSUPPORTED when the file is a stream (use bh_file_read then). */
int bh_file_pread(bh_file *f, void *buf, size_t n, uint64_t off, size_t *got, bh_error *err);
/* True when bh_file_pread works. */
bool bh_file_seekable(const bh_file *f);
/*
 * Whole content in memory (cached: several analyzers may call it; the reader frees it).
 * Fails with BH_ELIMIT when the file is larger than limits->max_file_read and with BH_EINVAL
 * when bh_file_read was used before. The buffer is NUL-terminated (not counted in len).
 */
int bh_file_slurp(bh_file *f, const unsigned char **data, size_t *len, bh_error *err);
/* Releases what slurp cached (called by readers). */
void bh_file_release(bh_file *f);
/* Makes f a view of data[0..len) (borrowed, must outlive f); for nested archives and tests. */
void bh_file_init_mem(bh_file *f, const char *path, uint32_t mode, const void *data, size_t len,
		      const bh_limits *limits);
/* Runs one analyzer on an in-memory file; components get path "/"+path when unset. */
int bh_analyzer_run_mem(const bh_analyzer *a, const char *path, const void *data, size_t len,
			bh_complist *out, bh_error *err);

/*
 * An analyzer: a name, a cheap path test and a parse function. match() sees every entry of every
 * layer, so it must be fast and must not allocate. analyze() appends components to out; it sets
 * c->path only when the component lives in a different file than f->path (the reader fills the
 * rest). A non-zero return is reported as a warning naming the file; the scan goes on.
 */
struct bh_analyzer {
	const char *name;
	bool (*match)(const char *path, size_t pathlen, uint32_t mode, uint64_t size);
	int (*analyze)(bh_file *f, bh_complist *out, bh_error *err);
	/*
	 * Name-only pre-test for sources that can skip a stat (directory walks): false when no mode
	 * or size could make match() true for this path. NULL: match() is asked with mode 0100755 and
	 * size 1, so an analyzer without it must accept those for every name it could want.
	 */
	bool (*may_match)(const char *path, size_t pathlen);
};

/* True when some mode and size could make a's match() true for path (see may_match). */
bool bh_analyzer_may_match(const bh_analyzer *a, const char *path, size_t pathlen);

/* The table of all analyzers (src/pkg/registry.c). */
const bh_analyzer *const *bh_analyzers_all(size_t *n);

/* Helpers shared by analyzers. */
/* Last path component. */
const char *bh_path_base(const char *path, size_t len, size_t *baselen);
/* True when path (len) ends with "/" + name or equals name. */
bool bh_path_is(const char *path, size_t len, const char *name);

#endif
