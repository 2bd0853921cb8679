/* ctnet.h - running containers as the network policy and map see them: id, name, image, labels, networks with addresses, init pid and cgroup id (engine inspect + /proc). */
#ifndef BH_RUNTIME_CTNET_H
#define BH_RUNTIME_CTNET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BH_CTNET_MAX_NETS 4
#define BH_CTNET_MAX_REPO_DIGESTS 4

/* Addresses are 16 bytes, IPv4 as v4-mapped IPv6 (::ffff:a.b.c.d), as the kernel maps key them. */
typedef struct bh_ctnet_net {
	char name[128];     /* the engine's network name: podman's "podman", docker's "bridge" */
	uint8_t ip4[16], ip6[16], gw4[16], gw6[16];
	bool has4, has6, hasgw4, hasgw6;
	int prefix4, prefix6; /* the subnet's prefix length (0 when unknown) */
} bh_ctnet_net;

typedef struct bh_ctnet_ct {
	char id[65];
	char name[256];
	char image[512];        /* the reference it was started from (Config.Image) */
	char digest[80];        /* its image id, sha256:… (the config digest) */
	char repo_digests[BH_CTNET_MAX_REPO_DIGESTS][200]; /* repository@sha256:… of its image, when the engine knows them */
	size_t nrepo_digests;
	json_t *labels;         /* a JSON object (maybe empty); owned */
	int pid;                /* its init in the host's pid namespace */
	uint64_t cgroup_id;     /* inode of its cgroup v2 dir (bpf_get_current_cgroup_id's value); 0 unknown */
	char cgpath[512];       /* that dir below the cgroup v2 root ("/libpod_parent/libpod-ID"), "" unknown */
	bool host_network;      /* --network=host: shares the host's addresses */
	bh_ctnet_net nets[BH_CTNET_MAX_NETS];
	size_t nnets;
} bh_ctnet_ct;

typedef struct bh_ctnet {
	bh_ctnet_ct *v;
	size_t n;
} bh_ctnet;

/*
 * Fills ct from an engine inspect document (GET /containers/{id}/json): everything but cgroup_id
 * and repo_digests. BH_EINVAL when the document has no 64-hex Id. Strings longer than their field
 * are cut; unparsable addresses are left out. ct->labels is the caller's (bh_ctnet_ct_clear).
 */
int bh_ctnet_parse_inspect(const json_t *doc, bh_ctnet_ct *ct, bh_error *err);
void bh_ctnet_ct_clear(bh_ctnet_ct *ct);

/*
 * The cgroup v2 id of pid: the inode of its "0::" cgroup's dir below cgroup_root (NULL:
 * /sys/fs/cgroup, or /sys/fs/cgroup/unified on a v1/v2 hybrid). 0 when unknown.
 */
uint64_t bh_ctnet_cgroup_id(int pid, const char *cgroup_root);
/* The same, with the dir's path below the root in path[n] ("" when unknown). */
uint64_t bh_ctnet_cgroup(int pid, const char *cgroup_root, char *path, size_t n);
/* Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a v1/v2 hybrid. */
const char *bh_ctnet_cgroup_root(void);

/*
 * The running containers of engine_host (as engine/engine.h; NULL: the default sockets). prev
 * (may be NULL) is the last list: an entry whose init still runs in the same cgroup is taken over
 * without another inspect. *out is replaced (free with bh_ctnet_free; prev stays the caller's).
 */
int bh_ctnet_list(const char *engine_host, const bh_ctnet *prev, bh_ctnet *out, bh_error *err);
void bh_ctnet_free(bh_ctnet *n);

const bh_ctnet_ct *bh_ctnet_by_cgroup(const bh_ctnet *n, uint64_t cgroup_id);
const bh_ctnet_ct *bh_ctnet_by_addr(const bh_ctnet *n, const uint8_t addr[16]);
const bh_ctnet_ct *bh_ctnet_by_id(const bh_ctnet *n, const char *id);

/* Whether ct has address a (any network); whether it is on network name. */
bool bh_ctnet_has_addr(const bh_ctnet_ct *ct, const uint8_t a[16]);
bool bh_ctnet_on_network(const bh_ctnet_ct *ct, const char *name);

/*
 * Image selector: "repository" (any tag), "repository:tag", or "repository@sha256:…" (the image id or
 * one of its repository digests). Docker Hub short names are normalised on both sides
 * ("debian" == "docker.io/library/debian").
 */
bool bh_ctnet_image_match(const bh_ctnet_ct *ct, const char *sel);
/* Label selector "key=value", or "key" for any value. */
bool bh_ctnet_label_match(const bh_ctnet_ct *ct, const char *sel);
/* The same over a labels object ({"k": "v", ...}; anything else matches nothing). */
bool bh_ctnet_labels_match(const json_t *labels, const char *sel);

/* Text <-> 16-byte address (IPv4 text becomes v4-mapped; v4-mapped prints as IPv4). */
int bh_ctnet_addr_parse(const char *s, uint8_t out[16]);
/* "ADDR" or "ADDR/LEN" into out (as bh_ctnet_addr_parse) and *prefix over all 128 bits (an IPv4
 * /24 is 120; no /LEN: the whole address). -1 for anything else ("1.2.3.4/", "/33", text). */
int bh_ctnet_cidr_parse(const char *s, uint8_t out[16], unsigned *prefix);
/* Whether a lies in net/prefix (both as bh_ctnet_cidr_parse gives them). */
bool bh_ctnet_cidr_contains(const uint8_t net[16], unsigned prefix, const uint8_t a[16]);
void bh_ctnet_addr_str(const uint8_t a[16], char *buf, size_t n);
bool bh_ctnet_addr_is_v4(const uint8_t a[16]);

#endif
