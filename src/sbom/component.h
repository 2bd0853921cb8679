/* component.h - one piece of software found in a target, and the list that owns them. */
#ifndef BH_SBOM_COMPONENT_H
#define BH_SBOM_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef enum bh_ecosystem {
	BH_ECO_NONE = 0,
	BH_ECO_OS,       /* the operating system itself (name=ID, version=VERSION_ID) */
	BH_ECO_DEB,
	BH_ECO_APK,
	BH_ECO_RPM,
	BH_ECO_NPM,
	BH_ECO_PYPI,
	BH_ECO_GO,       /* Go modules, including the pseudo-module "stdlib" */
	BH_ECO_MAVEN,
	BH_ECO_GEM,
	BH_ECO_CARGO,
	BH_ECO_COMPOSER,
	BH_ECO__COUNT
} bh_ecosystem;

/* Flags on a component. */
enum {
	BH_COMP_MAIN = 1u << 0,     /* the main module/application of a binary or project */
	BH_COMP_DEV = 1u << 1,      /* development-only dependency (lockfile says so) */
	BH_COMP_INDIRECT = 1u << 2, /* transitive dependency */
	BH_COMP_LOCKFILE = 1u << 3  /* found in a lockfile/manifest, not installed metadata */
};

typedef struct bh_prop {
	char *key;
	char *value;
} bh_prop;

/* Every string is owned by the component (freed by bh_component_free); NULL means unknown. */
typedef struct bh_component {
	bh_ecosystem eco;
	char *name;        /* npm "@scope/name", Go module path, Maven artifactId, PyPI project name */
	char *namespace;   /* Maven groupId, composer vendor if split; NULL elsewhere */
	char *version;     /* full version as the ecosystem writes it (dpkg "1:2.3-4", rpm "2.3-4.el9") */
	char *arch;
	char *src_name;    /* distro source package (dpkg Source, rpm SOURCERPM name, apk origin) */
	char *src_version; /* distro source version when it differs from version */
	char *epoch;       /* rpm epoch, kept apart */
	char *license;     /* declared licence text or expression, as found */
	char *path;        /* file it was found in, absolute inside the target ("/var/lib/dpkg/status") */
	char *purl;        /* filled by bh_sbom_finalize */
	int layer;         /* index of the layer that introduced it, -1 when not from an image layer */
	uint32_t flags;
	bh_prop *props;    /* extra key/value pairs (e.g. "go.version", "maven.packaging") */
	size_t nprops;
} bh_component;

/* An owning, growable list of components. */
typedef struct bh_complist {
	bh_component **items;
	size_t n;
	size_t cap;
	size_t limit;    /* 0 = none; else adding the (limit+1)th component fails and sets over */
	bool over;       /* an add was refused by limit (callers report max-components, not ENOMEM) */
	/*
	 * Optional: an OS package analyzer calls own() for each file its packages installed (path as
	 * the database gives it, pkg the package's name), so language components found in those files
	 * can be marked os.owner. Non-zero from own() is an error the analyzer returns (BH_ENOMEM).
	 */
	int (*own)(void *ctx, const char *path, size_t len, const char *pkg);
	void *own_ctx;
} bh_complist;

/* Appends a zeroed component (layer = -1, eco set) owned by the list; NULL on allocation failure
 * or when l->limit is reached (then l->over is set). */
bh_component *bh_complist_add(bh_complist *l, bh_ecosystem eco);
/* Moves every component of src to the end of dst; src is left empty. */
int bh_complist_move(bh_complist *dst, bh_complist *src);
/* Deep-copies c and appends the copy; returns the copy or NULL. */
bh_component *bh_complist_add_copy(bh_complist *l, const bh_component *c);
/* Removes and frees item i, keeping order. */
void bh_complist_remove(bh_complist *l, size_t i);
void bh_complist_free(bh_complist *l); /* frees items, leaves l empty and reusable */

/* --pkg-types: OS packages (deb, apk, rpm) and language packages (everything else). */
enum { BH_PKGTYPE_OS = 1, BH_PKGTYPE_LIBRARY = 2 };
/* The BH_PKGTYPE_* of c; 0 for the operating system itself, which every selection keeps. */
unsigned bh_component_pkgtype(const bh_component *c);
/* Frees and drops, in one pass keeping order, the components whose type is not in types (0 = keep all).
 * Returns how many were dropped. */
size_t bh_complist_keep_pkgtypes(bh_complist *l, unsigned types);

/* Replaces *field with a copy of s[0..len) (len == (size_t)-1 means strlen). s NULL clears it. */
int bh_component_set(char **field, const char *s, size_t len);
/* Adds a property (copies key and value). */
int bh_component_prop(bh_component *c, const char *key, const char *value);
/* Returns the value of a property or NULL. */
const char *bh_component_get_prop(const bh_component *c, const char *key);
void bh_component_free(bh_component *c);

/* "deb", "npm", ... (purl type names); "os" for BH_ECO_OS. */
const char *bh_ecosystem_name(bh_ecosystem e);
/* The ecosystem of a purl type name as bh_ecosystem_name writes it; BH_ECO_NONE when unknown. */
bh_ecosystem bh_ecosystem_parse(const char *name);
/* Whether e is a distribution's package format (deb, apk, rpm): matched per release. */
bool bh_ecosystem_is_os_pkg(bh_ecosystem e);
/* Human names used in reports: "debian packages", "Go modules" ... */
const char *bh_ecosystem_label(bh_ecosystem e);

#endif
