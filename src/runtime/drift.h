/* drift.h - what a container changed against its image: its overlay upper dir compared with the image's layers. */
#ifndef BH_RUNTIME_DRIFT_H
#define BH_RUNTIME_DRIFT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/severity.h"

typedef enum bh_drift_kind {
	BH_DRIFT_ADDED = 0, /* not in the image */
	BH_DRIFT_CHANGED,   /* other content (SHA-256), symlink target or file type than the image's */
	BH_DRIFT_MODE,      /* same content, other permission bits (owner may differ too) */
	BH_DRIFT_OWNER,     /* same content and mode, other uid or gid */
	BH_DRIFT_DELETED,   /* in the image, gone (a whiteout, or under an opaque dir that replaced it) */
	BH_DRIFT__COUNT
} bh_drift_kind;

/* One side of an entry. Strings are owned by the entry; they come from the container: escape them when printing. */
typedef struct bh_drift_meta {
	bool present;
	char type;        /* 'f' regular, 'd' dir, 'l' symlink, 'c' 'b' devices, 'p' fifo, 's' socket */
	uint32_t mode;    /* permission bits with setuid/setgid/sticky (st_mode & 07777) */
	uint32_t uid, gid;
	uint64_t size;
	char sha256[65];  /* lowercase hex of a regular file compared with the other side; "" otherwise */
	char *link;       /* symlink target (never followed), NULL otherwise */
} bh_drift_meta;

typedef struct bh_drift_entry {
	char *path;              /* absolute, as the container sees it ("/usr/local/bin/x") */
	bh_drift_kind kind;
	bool executable;         /* regular file with an x bit, or an ELF executable */
	bool library;            /* "*.so" / "*.so.N" name, or an ELF ET_DYN without an interpreter */
	bool allowed;            /* under a path of the allow-list: reported, not counted as drift */
	bh_severity severity;    /* HIGH: executable or library added/changed or made setuid/setgid; LOW: deleted, MEDIUM otherwise */
	bh_drift_meta image, container;
} bh_drift_entry;

typedef struct bh_drift_opts {
	const char *const *allow; /* absolute path prefixes (component-wise); NULL: bh_drift_default_allow */
	size_t nallow;
	const char *const *skip;  /* paths the engine makes or mounts over (mount points); never reported */
	size_t nskip;
	size_t max_entries;       /* entries walked in the upper dir and listed under opaque dirs; 0: 1,000,000 */
	unsigned max_depth;       /* directory depth; 0: 128 */
} bh_drift_opts;

/* /tmp, /var/tmp, /run, /var/run, /var/cache (static). */
extern const char *const bh_drift_default_allow[];
extern const size_t bh_drift_default_nallow;

typedef struct bh_drift_report {
	bh_drift_entry *v;        /* sorted by path; owned */
	size_t n, cap;
	size_t count[BH_DRIFT__COUNT]; /* per kind, allowed entries not included */
	size_t allowed;           /* entries under the allow-list */
	size_t skipped;           /* engine-made paths left out (mount points, /etc/hosts, /run/.containerenv) */
	size_t walked;            /* entries of the upper dir read */
} bh_drift_report;

/* Entries outside the allow-list: the `drift` exit status is 3 when this is non-zero. */
size_t bh_drift_count(const bh_drift_report *r);

/*
 * Compares upper (an overlay upper dir) with lowers[0..nlowers) (top layer first, as LowerDir
 * lists them; a whiteout or opaque dir in a layer hides what is below it). Nothing is ever
 * followed: every path is opened below its root without symlinks (openat2 RESOLVE_BENEATH, else
 * one O_NOFOLLOW component at a time). Regular files present on both sides are hashed. r is
 * initialised here and the caller frees it with bh_drift_report_free, also after a failure.
 * Errors name the path: BH_ENOTFOUND/BH_EIO (unreadable), BH_ELIMIT (max_entries/max_depth), BH_ENOMEM.
 */
int bh_drift_compare(const char *upper, const char *const *lowers, size_t nlowers, const bh_drift_opts *o,
		     bh_drift_report *r, bh_error *err);

/*
 * The same for an engine container (running or stopped): inspects name at host (engine/engine.h),
 * reads GraphDriver.Data.UpperDir and LowerDir (so it must run where the engine's storage is
 * readable, as root), leaves out the mount points of Mounts[] and the engine's own files. *inspect
 * (if non-NULL) receives the inspect document (caller json_decrefs). BH_EUNSUPPORTED when the
 * storage driver is not overlay.
 */
int bh_drift_container(const char *host, const char *name, const bh_limits *lim, const bh_drift_opts *o,
		       bh_drift_report *r, json_t **inspect, bh_error *err);

void bh_drift_report_free(bh_drift_report *r);
/* "added", "changed", "mode", "owner", "deleted" (static). */
const char *bh_drift_kind_name(bh_drift_kind k);

#endif
