/* registry.h - the Registry HTTP API v2 client: references, auth, manifests and indexes, digest-verified blob streams. */
#ifndef BH_REGISTRY_REGISTRY_H
#define BH_REGISTRY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* Bounds on what a registry may send (besides the caller's max_meta_size and max_layers). */
#define BH_REGISTRY_MAX_INDEX 1024u    /* manifests listed in one index */
#define BH_REGISTRY_MAX_NEST 2u        /* indexes followed one inside another */
#define BH_REGISTRY_MAX_REF 1024u      /* length of a reference */

/*
 * A reference HOST[:PORT]/REPO[:TAG][@sha256:HEX], read as docker does: the first component is the
 * host when it holds '.' or ':' or is "localhost" (else the host is docker.io, and a one-component
 * repository gets "library/"); TAG is "latest" when neither tag nor digest is given. Owned strings;
 * free with bh_registry_ref_free.
 */
typedef struct bh_registry_ref {
	char *host;   /* as written ("127.0.0.1:5000", "[::1]:5000", "docker.io") */
	char *repo;   /* "library/debian" */
	char *tag;    /* NULL only when pinned by digest without a tag */
	char *digest; /* "sha256:<64 hex>" or NULL */
} bh_registry_ref;

/* BH_EINVAL naming the reference and what is wrong (host, repository, tag, digest); BH_EUNSUPPORTED
 * for a digest algorithm other than sha256; BH_ENOMEM. */
int bh_registry_ref_parse(const char *s, bh_registry_ref *r, bh_error *err);
void bh_registry_ref_free(bh_registry_ref *r);
/*
 * The repository of an image reference as written, its tag and digest cut: "reg:5000/team/app" of
 * "reg:5000/team/app:1.0" or "reg:5000/team/app@sha256:..." (a ':' after the last '/' starts the tag,
 * one before it is a registry's port), into out[n]; false when empty or it does not fit. No host is
 * added (unlike bh_registry_ref_parse): baselines, exceptions and trackers key by what engines show.
 */
bool bh_registry_repository_of(const char *ref, char *out, size_t n);
/* True when host (with or without port) is localhost, 127.0.0.0/8 or ::1 (written, not resolved). */
bool bh_registry_host_loopback(const char *host);

/* Connection and credentials. Strings are the caller's and must outlive the client. */
typedef struct bh_registry_opts {
	const char *ca_file;       /* CA bundle replacing the system CAs, or NULL */
	bool insecure;             /* no TLS verification, and plain HTTP allowed for any host */
	const char *user;          /* explicit credentials (--registry-user); NULL: look in the auth file */
	const char *password;
	const char *auth_file;     /* NULL: $REGISTRY_AUTH_FILE, else ~/.docker/config.json */
	uint64_t max_meta_size;    /* manifests, indexes, configs; 0: 16 MiB */
	uint64_t max_blob_size;    /* one streamed blob; 0: no cap of our own */
	unsigned max_json_depth;   /* 0: 64 */
	unsigned max_layers;       /* 0: 1000 */
	long timeout_ms;           /* small documents; 0: 60 s */
	const volatile int *cancel; /* non-zero ends transfers */
} bh_registry_opts;

/* A content descriptor. Owned strings. */
typedef struct bh_registry_desc {
	char *media_type;
	char *digest;
	uint64_t size;    /* as the manifest declares it */
	char *platform;   /* "os/arch[/variant]" for index entries, else NULL */
} bh_registry_desc;

/* An image manifest (never an index). Free with bh_registry_manifest_free. */
typedef struct bh_registry_manifest {
	char *media_type;     /* v2s2 or OCI image manifest */
	char *digest;         /* of the manifest's bytes (verified) */
	char *index_digest;   /* of the index it was picked from (verified), or NULL */
	char *platform;       /* the index entry's platform, or NULL */
	bh_registry_desc config;
	bh_registry_desc *layers;
	size_t nlayers;
} bh_registry_manifest;

void bh_registry_manifest_free(bh_registry_manifest *m);

/* What a manifest document is, by its mediaType member, else Content-Type, else its shape. */
typedef enum bh_registry_kind {
	BH_REGISTRY_KIND_UNKNOWN = 0,
	BH_REGISTRY_KIND_IMAGE,   /* application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json */
	BH_REGISTRY_KIND_INDEX,   /* ...manifest.list.v2+json, application/vnd.oci.image.index.v1+json */
	BH_REGISTRY_KIND_SCHEMA1  /* the old signed v1 manifests: not supported */
} bh_registry_kind;

/*
 * Pure parsers (no I/O; tests and the fuzz target call them). content_type may be NULL. Limits:
 * max_depth (JSON nesting), max_layers. BH_EINVAL for a malformed document (missing or bad digest,
 * wrong member types), BH_EUNSUPPORTED for schema 1 or an unknown media type, BH_ELIMIT, BH_ENOMEM.
 */
int bh_registry_kind_of(const char *body, size_t len, const char *content_type, unsigned max_depth,
			bh_registry_kind *kind, bh_error *err);
/* An image manifest's config and layers into m (media_type set; digest left to the caller). */
int bh_registry_manifest_parse(const char *body, size_t len, const char *content_type, unsigned max_depth,
			       unsigned max_layers, bh_registry_manifest *m, bh_error *err);
/*
 * The entry of an index for platform "os/arch[/variant]" (NULL: linux and this machine's
 * architecture). A variant in platform must match; without one any variant of the architecture
 * does. Entries for "unknown/unknown" (attestations) are never picked. BH_ENOTFOUND listing the
 * platforms the index has when none matches; at most BH_REGISTRY_MAX_INDEX entries. *d is owned
 * by the caller (bh_registry_desc_free).
 */
int bh_registry_index_pick(const char *body, size_t len, const char *platform, unsigned max_depth,
			   bh_registry_desc *d, bh_error *err);
void bh_registry_desc_free(bh_registry_desc *d);

/* A client for one repository of one registry (a bearer token's scope is per repository). Used by
 * one thread at a time; an open stream counts as a use until it is closed. */
typedef struct bh_registry bh_registry;

/*
 * Opens a client for host/repo and checks it at once (GET /v2/): the scheme (https; plain http
 * only for loopback hosts whose server does not speak TLS, or with o->insecure), and the
 * credentials (explicit, else the auth file; anonymous when none are found), so that the errors
 * come first and name the host:
 *   BH_ENET   unreachable, TLS verification failed ("...; give its CA with --registry-ca"), timeout
 *   BH_EAUTH  401 with credentials refused, or 401 and none found; 403
 *   BH_ENOTFOUND  the server does not answer /v2/ (not a registry)
 * *out is freed with bh_registry_close.
 */
int bh_registry_open(const char *host, const char *repo, const bh_registry_opts *o, bh_registry **out, bh_error *err);
void bh_registry_close(bh_registry *r);

/*
 * Resolves reference (a tag or "sha256:..." digest) to an image manifest: an index is followed to
 * the entry for platform (see bh_registry_index_pick). Every manifest's digest is computed from
 * its bytes and must equal the digest asked for (pinned references, index entries) and the
 * Docker-Content-Digest the registry sent. BH_ENOTFOUND "HOST/REPO:TAG: no such manifest (tag or
 * digest)"; BH_EDIGEST naming the expected and actual digest; parser errors as above.
 */
int bh_registry_resolve(bh_registry *r, const char *reference, const char *platform, bh_registry_manifest *m,
			bh_error *err);

/*
 * Reads blob digest whole (at most max bytes, BH_ELIMIT beyond) into out, verified: BH_EDIGEST.
 * size is the descriptor's (0: unknown): a blob of another length is BH_EINVAL, and no byte past
 * it is read.
 */
int bh_registry_blob_get(bh_registry *r, const char *digest, uint64_t size, uint64_t max, bh_buf *out, bh_error *err);

/*
 * A blob as a pull stream, never written to disk: a transfer thread hands the body over through a
 * bounded buffer. bh_registry_stream_read fills up to n bytes (*got 0 at the end); at the end the
 * content's sha256 is compared with digest (BH_EDIGEST "HOST/REPO@DIGEST: digest mismatch:
 * expected ..., content is ..."). Errors of the transfer come out of the read that meets them.
 * size is the descriptor's (0: unknown): no byte past it is read, and a blob of another length is
 * BH_EINVAL, so a hostile registry cannot stream forever; without it o->max_blob_size bounds it.
 * bh_registry_stream_close stops the transfer (a reader may stop early) and frees s.
 */
typedef struct bh_registry_stream bh_registry_stream;
int bh_registry_blob_open(bh_registry *r, const char *digest, uint64_t size, bh_registry_stream **s, bh_error *err);
/*
 * The same stream (size still checked, no byte past it read) without the sha256 at the end: only
 * for a caller that hashes every byte itself and fails on any digest other than digest
 * (image/registrysrc.c: the blob reader does, so a layer is hashed once, not twice).
 */
int bh_registry_blob_open_unverified(bh_registry *r, const char *digest, uint64_t size, bh_registry_stream **s,
				     bh_error *err);
int bh_registry_stream_read(bh_registry_stream *s, void *buf, size_t n, size_t *got, bh_error *err);
void bh_registry_stream_close(bh_registry_stream *s);
/* "HOST/REPO@DIGEST" of a stream, for messages. */
const char *bh_registry_stream_name(const bh_registry_stream *s);

#endif
