/* source.h - reads a parsed target (image/target.h) into an inventory: dispatch to the format readers. */
#ifndef BH_IMAGE_SOURCE_H
#define BH_IMAGE_SOURCE_H

#include <stdbool.h>

#include "core/glob.h"
#include "core/limits.h"
#include "image/collect.h"
#include "image/target.h"
#include "registry/registry.h"
#include "sbom/sbom.h"

typedef struct bh_source_opts {
	bh_limits limits;
	bool verify_digests;   /* check layer/config digests (default on) */
	const char *engine_host; /* "unix:///path" or NULL for DOCKER_HOST / default sockets */
	const char *platform;  /* "linux/amd64" to pick from an index; NULL = this machine's */
	const bh_entry_hook *hook; /* sees every layer entry (checks); NULL = none */
	bh_registry_opts registry; /* registry: targets: CA, --insecure-registry, credentials (sizes come from limits) */
	const bh_glob_skip *skip;  /* --skip-dirs/--skip-files: not walked, not analyzed, not checked; NULL = none */
	unsigned pkg_types;        /* --pkg-types: BH_PKGTYPE_* bits of the components kept (sbom/component.h); 0 = all */
} bh_source_opts;

void bh_source_opts_default(bh_source_opts *o);
/*
 * Inventories t (an image kind: BH_TARGETS_IMAGE) into out (initialised by the caller, freed by
 * bh_sbom_free); out->input is t->input, out->kind the kind's name. BH_EUSAGE for a kind that is
 * not an image.
 */
int bh_source_read(const bh_target *t, const bh_source_opts *o, bh_sbom *out, bh_error *err);
/* bh_target_parse(target, BH_TARGETS_IMAGE) then bh_source_read: for callers holding a target
 * string only (tests, the server's API). */
int bh_source_read_target(const char *target, const bh_source_opts *o, bh_sbom *out, bh_error *err);

/* Per-kind readers (used by bh_source_read). */
int bh_source_docker_archive(int fd, const char *label, const bh_source_opts *o, bh_sbom *s, bh_error *err);
int bh_source_oci(const char *path, const char *tag, bool archive, const bh_source_opts *o, bh_sbom *s, bh_error *err);
int bh_source_dir(const char *path, const bh_source_opts *o, bh_sbom *s, bh_error *err);
int bh_source_engine(const char *name, const bh_source_opts *o, bh_sbom *s, bh_error *err);
/* ref: HOST[:PORT]/REPO[:TAG|@sha256:...] (registry/registry.h); layers are streamed, never stored. */
int bh_source_registry(const char *ref, const bh_source_opts *o, bh_sbom *s, bh_error *err);

#endif
