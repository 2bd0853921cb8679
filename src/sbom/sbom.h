/* sbom.h - the result of inventorying one target: image metadata, layers, OS and components. */
#ifndef BH_SBOM_SBOM_H
#define BH_SBOM_SBOM_H

#include <jansson.h>
#include <stdint.h>

#include "sbom/component.h"

typedef struct bh_layer {
	char *digest;     /* blob digest as the manifest names it (compressed for OCI) */
	char *diff_id;    /* digest of the uncompressed tar (config rootfs.diff_ids) */
	char *created_by; /* the history line that made this layer */
	char *media_type;
	uint64_t size;    /* blob size in bytes, 0 when unknown */
} bh_layer;

typedef struct bh_osinfo {
	char *family;   /* os-release ID: debian, alpine, rhel, ... */
	char *name;     /* PRETTY_NAME */
	char *version;  /* VERSION_ID, or /etc/debian_version / alpine-release when more precise */
	char *codename; /* VERSION_CODENAME */
} bh_osinfo;

/* Everything is owned by the sbom and released by bh_sbom_free. */
typedef struct bh_sbom {
	char *input;       /* the target as the user wrote it */
	char *kind;        /* docker-archive, oci, oci-archive, dir, engine, sbom */
	char *name;        /* image reference or directory */
	char *image_id;    /* config digest (sha256:...) */
	char *manifest_digest;
	char *serial;      /* serialNumber of a stored CycloneDX SBOM read back (urn:uuid:...), else NULL */
	char **repo_tags;
	size_t nrepo_tags;
	char **repo_digests;
	size_t nrepo_digests;
	char *os;          /* from the image config */
	char *arch;
	char *created;
	json_t *config;    /* the image config document, NULL for directories */
	bh_layer *layers;
	size_t nlayers;
	bh_osinfo osinfo;
	bh_complist comps;
	char **warnings;
	size_t nwarnings;
	uint64_t files_seen;
	double seconds;    /* wall time of the scan */
} bh_sbom;

void bh_sbom_init(bh_sbom *s);
void bh_sbom_free(bh_sbom *s);
/* Appends a warning (copied) and logs it. */
int bh_sbom_warn(bh_sbom *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bh_sbom_add_layer(bh_sbom *s, bh_layer **out);
int bh_strv_push(char ***v, size_t *n, const char *s);
/* Frees the n strings of v and v itself. */
void bh_strv_free(char **v, size_t n);
/* Orders components, fills OS info from the BH_ECO_OS records, computes purls. */
int bh_sbom_finalize(bh_sbom *s, bh_error *err);

#endif
