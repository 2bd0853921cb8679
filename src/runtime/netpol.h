/* netpol.h - east-west network policy per container: allow-lists (YAML or programmatic) enforced in the kernel by cgroup connect/sendmsg/skb eBPF hooks on the engines' parent cgroups, or by nftables in each container's network namespace; verdict events and per-edge byte counters. */
#ifndef BH_RUNTIME_NETPOL_H
#define BH_RUNTIME_NETPOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/ctnet.h"

typedef struct bh_netpol bh_netpol;
struct bh_npyaml_doc;

typedef enum bh_netpol_mode { BH_NETPOL_OFF = 0, BH_NETPOL_AUDIT = 1, BH_NETPOL_PROTECT = 2 } bh_netpol_mode;
typedef enum bh_netpol_dir { BH_NETPOL_EGRESS = 1, BH_NETPOL_INGRESS = 2 } bh_netpol_dir;

typedef enum bh_netpol_peer_kind {
	BH_NETPOL_PEER_ANY = 0, /* any address */
	BH_NETPOL_PEER_CIDR,    /* addr/prefix */
	BH_NETPOL_PEER_HOST,    /* this host's addresses and the container networks' gateways */
	BH_NETPOL_PEER_WORLD,   /* any address that is neither the host's nor on a container network */
	BH_NETPOL_PEER_IMAGE,   /* running containers of image `value` (repository, :tag or @sha256:…) */
	BH_NETPOL_PEER_LABEL,   /* running containers with label `value` ("key=value" or "key") */
	BH_NETPOL_PEER_NAME,    /* the running container named `value` */
	BH_NETPOL_PEER_NETWORK  /* running containers on the engine network `value` */
} bh_netpol_peer_kind;

#define BH_NETPOL_MAX_RANGE 1024 /* ports in one rule's range */

/*
 * One allow rule. Container peers are resolved to the addresses of the running containers that
 * match and re-resolved whenever containers start or stop; a selector that matches nothing allows
 * nothing. Plain data: nothing to free.
 */
typedef struct bh_netpol_rule {
	bh_netpol_dir dir;
	uint8_t proto;            /* 6 tcp, 17 udp, 0 both */
	uint16_t port, port_end;  /* port 0: any; port_end > port: the range port..port_end */
	bh_netpol_peer_kind peer;
	uint8_t addr[16];         /* CIDR: IPv6, or IPv4 as v4-mapped (::ffff:a.b.c.d) */
	uint8_t prefix;           /* CIDR: 0..128 bits of addr (IPv4 /n is 96 + n) */
	char value[256];          /* IMAGE, LABEL, NAME, NETWORK */
} bh_netpol_rule;

/* How policies reach the kernel. AUTO: eBPF when every enforcing hook attaches, else nftables. */
typedef enum bh_netpol_mech { BH_NETPOL_MECH_AUTO = 0, BH_NETPOL_MECH_BPF, BH_NETPOL_MECH_NFT } bh_netpol_mech;

#define BH_NETPOL_MAX_PARENTS 4

typedef struct bh_netpol_opts {
	const char *engine_host;   /* as engine/engine.h; NULL: $DOCKER_HOST, then the usual sockets */
	/* cgroup v2 dirs to attach to (absolute paths); none: the engines' parents that exist
	 * (/sys/fs/cgroup[/unified]/libpod_parent, machine.slice, docker) */
	const char *parents[BH_NETPOL_MAX_PARENTS];
	size_t nparents;
	/* a container under a parent that user space has not mapped yet (just started): with
	 * PROTECT and unmapped_deny, every connection is refused until it is mapped (fail closed) */
	bh_netpol_mode unmapped_mode;
	bool unmapped_deny;
	bool count_bytes;          /* the skb hooks count bytes per edge (netmap) */
	bh_netpol_mech mech;
	bool verbose;              /* libbpf's messages on stderr */
} bh_netpol_opts;

/* One hook's fate on one parent dir. */
typedef struct bh_netpol_hook {
	const char *hook;   /* "cgroup/connect4", … */
	const char *where;  /* the parent dir */
	bool attached;
	int err;            /* errno when not attached */
	const char *stage;  /* "load" or "attach" */
	const char *loses;  /* what is not enforced or counted without it */
} bh_netpol_hook;

/*
 * Loads the eBPF object and attaches each program to each parent with BPF_F_ALLOW_MULTI (new
 * containers are covered from birth), or, when that is not possible (or mech is NFT), prepares the
 * nftables fallback. BH_EUNSUPPORTED when mech is BPF and a hook is missing, or when neither
 * mechanism can run (err says why). Free with bh_netpol_close (detaches, removes nft tables).
 */
int bh_netpol_open(const bh_netpol_opts *o, bh_netpol **out, bh_error *err);
const bh_netpol_hook *bh_netpol_hooks(const bh_netpol *np, size_t *n);
/* "eBPF cgroup hooks (connect4/6, sendmsg4/6, skb ingress/egress)" or "nftables in each container's network namespace". */
const char *bh_netpol_mechanism(const bh_netpol *np);
bool bh_netpol_is_nft(const bh_netpol *np);

/*
 * Creates or replaces the policy policy_key (copied): its allow rules (copied) and mode. What no
 * rule allows is denied in both directions unless bh_netpol_policy_defaults says otherwise.
 * Takes effect for the containers bound to it at the next bh_netpol_sync (called by poll).
 */
int bh_netpol_policy_set(bh_netpol *np, const char *policy_key, const bh_netpol_rule *rules, size_t n, bh_netpol_mode mode, bh_error *err);
int bh_netpol_policy_defaults(bh_netpol *np, const char *policy_key, bool deny_ingress, bool deny_egress, bh_error *err);

/*
 * Binds a cgroup (one run of a container) or a container id (every run: it keeps its policy over
 * restarts) to policy_key; NULL unbinds. Explicit bindings win over the YAML's selectors.
 */
int bh_netpol_bind(bh_netpol *np, uint64_t cgroup_id, const char *policy_key, bh_error *err);
int bh_netpol_bind_container(bh_netpol *np, const char *container_id, const char *policy_key, bh_error *err);

/* Policies from a parsed YAML document (npyaml.h), bound by its selectors at every sync; mode_override
 * AUDIT or PROTECT replaces every mode of the document, OFF keeps them. The document is copied. */
int bh_netpol_use_yaml(bh_netpol *np, const struct bh_npyaml_doc *doc, bh_netpol_mode mode_override, bh_error *err);

/*
 * Lists the containers, binds each under a parent to its policy, resolves container peers to
 * addresses and brings the kernel maps (or the nft tables) up to date: rules before bindings, so a
 * change never opens a window. bh_netpol_poll calls it every 2 s, at once when the kernel reports an
 * unmapped container, and within 0.5 s of any other verdict (a peer that just started).
 */
int bh_netpol_sync(bh_netpol *np, bh_error *err);

/* The containers of the last sync, and which of them are under the parents (managed). */
const bh_ctnet *bh_netpol_containers(const bh_netpol *np);
bool bh_netpol_managed(const bh_netpol *np, uint64_t cgroup_id);
/* The policy key bound to cgroup_id at the last sync ("" when none). */
const char *bh_netpol_policy_of(const bh_netpol *np, uint64_t cgroup_id);

/* A blocked or would-be-blocked connection or datagram; strings static or valid during the callback. */
typedef struct bh_netpol_verdict {
	uint64_t wall_ns;
	const char *verdict;   /* "blocked" or "would-block" */
	const char *hook;      /* "cgroup/connect4", "cgroup/connect6", "cgroup/sendmsg4", "cgroup/sendmsg6", "cgroup_skb/ingress", "nftables" */
	const char *missing;   /* the rule kind that was missing: "egress" or "ingress" */
	const char *why;       /* "no-rule", or "unmapped" (a container not mapped yet: the default decided) */
	uint8_t proto;
	uint8_t saddr[16], daddr[16]; /* from the connecting/sending side to the receiving one */
	uint16_t sport, dport;
	uint64_t cgroup_id;           /* the cgroup whose hook saw it */
	uint64_t deciding_cgroup_id;  /* the cgroup whose policy lacked the rule */
	const char *policy;           /* that policy's key ("" when none) */
	uint32_t pid;                 /* 0 at ingress */
	char comm[16];
	const bh_ctnet_ct *ct, *deciding_ct; /* NULL when not a known container */
	uint64_t count;               /* events this stands for (nftables: packets since the last report) */
} bh_netpol_verdict;

typedef int (*bh_netpol_verdict_fn)(void *ud, const bh_netpol_verdict *v);

/*
 * Waits up to timeout_ms for verdict records and delivers each; syncs when due. Returns the number
 * delivered, a callback's non-zero result, or a negative status (sync failures are not fatal:
 * they are reported once through err and the poll goes on; see bh_netpol_last_sync_error).
 */
int bh_netpol_poll(bh_netpol *np, int timeout_ms, bh_netpol_verdict_fn fn, void *ud, bh_error *err);
const char *bh_netpol_last_sync_error(const bh_netpol *np);
/* Verdict records lost to a full ring buffer (the verdicts themselves were applied). */
uint64_t bh_netpol_drops(bh_netpol *np);

/* The verdict as one JSON object {"netpol": {...}} (caller json_decref's); NULL when out of memory. */
json_t *bh_netpol_verdict_json(const bh_netpol_verdict *v);

/* Byte counters per edge as each cgroup saw them (role 1: it connected, 2: it accepted). */
typedef void (*bh_netpol_bytes_fn)(void *ud, uint64_t cgroup_id, const uint8_t peer[16], uint16_t svc_port, uint8_t proto, int role,
				   uint64_t bytes_out, uint64_t bytes_in);
void bh_netpol_bytes(bh_netpol *np, bh_netpol_bytes_fn fn, void *ud);

const char *bh_netpol_mode_name(bh_netpol_mode m);

/* A packet for bh_netpol_kernel_check: a TCP SYN or UDP datagram from src to port dport. */
typedef struct bh_netpol_probe {
	uint8_t src[16];   /* v4-mapped for IPv4 */
	uint16_t sport, dport;
	uint8_t proto;     /* 6 or 17 */
} bh_netpol_probe;

/*
 * The kernel's own verdicts, for tests: loads the ingress program alone (nothing attached), fills
 * its rule map with ents (npcompile.h entries, as a sync would) and the calling process's cgroup
 * with policy_id (protect, ingress denied by default), then runs each probe through the program
 * (BPF_PROG_TEST_RUN). allowed[i] is 1 when the program passed probe i. BH_EUNSUPPORTED when
 * built without eBPF or the kernel refuses.
 */
struct bh_npc_entry;
int bh_netpol_kernel_check(const struct bh_npc_entry *ents, size_t nents, uint32_t policy_id, const bh_netpol_probe *probes,
			   size_t nprobes, int *allowed, bh_error *err);

void bh_netpol_close(bh_netpol *np);

#endif
