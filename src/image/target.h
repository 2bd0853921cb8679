/* target.h - the one grammar of scan targets: a target string into a typed bh_target. */
#ifndef BH_IMAGE_TARGET_H
#define BH_IMAGE_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* What a target names. A new image source (say registry:) adds a kind here (and to BH_TARGETS_IMAGE),
 * a row in target.c's table, and its reader in bh_source_read (image/source.c). */
typedef enum bh_target_kind {
	BH_TARGET_AUTO = 0,       /* never the result of a parse: a zeroed bh_target is "nothing yet" */
	BH_TARGET_DOCKER_ARCHIVE, /* docker-archive:FILE */
	BH_TARGET_OCI_DIR,        /* oci:DIR[:TAG] */
	BH_TARGET_OCI_ARCHIVE,    /* oci-archive:FILE[:TAG] */
	BH_TARGET_DIR,            /* dir:PATH */
	BH_TARGET_ENGINE,         /* engine:IMAGE (docker:, podman:) */
	BH_TARGET_SBOM,           /* sbom:FILE, or a file that looks like an SBOM document */
	BH_TARGET_DOCKERFILE,     /* dockerfile:FILE, or Dockerfile, Containerfile, *.Dockerfile by name */
	BH_TARGET_K8S,            /* k8s:FILE, or *.yaml / *.yml by name */
	BH_TARGET_HOST,           /* host, host:ROOT */
	BH_TARGET_CONTAINER,      /* container:NAME */
	BH_TARGET_CONTAINERS,     /* containers: every running one */
	BH_TARGET_REGISTRY,       /* registry:HOST[:PORT]/REPO[:TAG|@sha256:...] (docker://...) */
	BH_TARGET_KIND_COUNT
} bh_target_kind;

/* Sets of kinds a command reads (the accept argument of bh_target_parse). */
#define BH_TARGET_BIT(k) (1u << (k))
/* What `bulkhead sbom` inventories: images and root filesystems. */
#define BH_TARGETS_IMAGE                                                                              \
	(BH_TARGET_BIT(BH_TARGET_DOCKER_ARCHIVE) | BH_TARGET_BIT(BH_TARGET_OCI_DIR) |                     \
	 BH_TARGET_BIT(BH_TARGET_OCI_ARCHIVE) | BH_TARGET_BIT(BH_TARGET_DIR) | BH_TARGET_BIT(BH_TARGET_ENGINE) |     \
	 BH_TARGET_BIT(BH_TARGET_REGISTRY))
/* What `bulkhead scan` reads: every kind. */
#define BH_TARGETS_ALL ((1u << BH_TARGET_KIND_COUNT) - 2u)

/* A parsed target. Free with bh_target_free (also after a failed parse). */
typedef struct bh_target {
	bh_target_kind kind;
	char *input;    /* the target as written; owned */
	char *ref;      /* the path, image name, registry reference (as written after the prefix), container
	                 * name or host root ("/" for host); NULL only for containers; owned */
	char *tag;      /* oci:/oci-archive: TAG (org.opencontainers.image.ref.name), or NULL; owned */
	bool detected;  /* the kind came from the path (name or content), not from a written prefix */
} bh_target;

/*
 * Parses s into t (overwritten; free with bh_target_free). accept is the set of kinds the caller
 * reads (BH_TARGETS_*): words ("host", "containers") and name-detected kinds outside it are read as
 * a plain PATH instead, a written prefix outside it is a usage error.
 * A bare PATH is resolved here: by name (Dockerfile, manifests; no I/O), else by stat and content
 * (SBOM document, OCI layout directory, other directory, OCI or docker archive). For oci: and
 * oci-archive: the text after the last ':' is the TAG unless the whole rest exists as a path.
 * A registry: reference is checked here (registry/registry.h grammar) so a malformed one is a
 * usage error before any connection.
 * Errors: BH_EUSAGE for a malformed target (empty, control characters, nothing after a prefix, a
 * prefix this caller does not read, a missing path that starts like an unknown prefix), the message
 * naming the target, why, and the accepted forms; BH_ENOTFOUND for a missing PATH; BH_EINVAL for a
 * PATH that is neither a directory nor a regular file; BH_EIO; BH_ENOMEM.
 */
int bh_target_parse(const char *s, unsigned accept, bh_target *t, bh_error *err);
/* The same for a counted string, so an embedded NUL (from JSON or a config file) is refused too. */
int bh_target_parsen(const char *s, size_t len, unsigned accept, bh_target *t, bh_error *err);
void bh_target_free(bh_target *t);

/* The kind as reports name it ("docker-archive", "oci", "kubernetes", ...); "auto" for AUTO. */
const char *bh_target_kind_name(bh_target_kind k);
/* The accepted forms of accept for usage texts, "docker-archive:FILE | oci:DIR[:TAG] | ... | PATH",
 * NUL-terminated into buf (truncated to n); returns the length it needed. */
size_t bh_target_forms(unsigned accept, char *buf, size_t n);

#endif
