/* source.h - turns a target string into an inventory: detects the kind and reads it. */
#ifndef BH_IMAGE_SOURCE_H
#define BH_IMAGE_SOURCE_H

#include <stdbool.h>

#include "core/limits.h"
#include "image/collect.h"
#include "sbom/sbom.h"

typedef enum bh_target_kind {
	BH_TARGET_AUTO = 0,
	BH_TARGET_DOCKER_ARCHIVE,
	BH_TARGET_OCI_DIR,
	BH_TARGET_OCI_ARCHIVE,
	BH_TARGET_DIR,
	BH_TARGET_ENGINE
} bh_target_kind;

typedef struct bh_scan_opts {
	bh_limits limits;
	bool verify_digests;   /* check layer/config digests (default on) */
	const char *engine_host; /* "unix:///path" or NULL for DOCKER_HOST / default sockets */
	const char *platform;  /* "linux/amd64" to pick from an index; NULL = this machine's */
	const bh_entry_hook *hook; /* sees every layer entry (checks); NULL = none */
} bh_scan_opts;

void bh_scan_opts_default(bh_scan_opts *o);
/* Parses "kind:rest" or detects the kind of a bare path. *rest points into target. */
int bh_target_parse(const char *target, bh_target_kind *kind, const char **rest, bh_error *err);
const char *bh_target_kind_name(bh_target_kind k);
/* Inventories target into out (initialised by the caller, freed by bh_sbom_free). */
int bh_scan_target(const char *target, const bh_scan_opts *o, bh_sbom *out, bh_error *err);

/* Per-kind readers (used by bh_scan_target). */
int bh_source_docker_archive(int fd, const char *label, const bh_scan_opts *o, bh_sbom *s, bh_error *err);
int bh_source_oci(const char *path, const char *tag, bool archive, const bh_scan_opts *o, bh_sbom *s, bh_error *err);
int bh_source_dir(const char *path, const bh_scan_opts *o, bh_sbom *s, bh_error *err);
int bh_source_engine(const char *name, const bh_scan_opts *o, bh_sbom *s, bh_error *err);

#endif
