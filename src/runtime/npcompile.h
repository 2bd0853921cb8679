/* npcompile.h - allow rules -> the kernel's LPM entries (container peers resolved to addresses, "world" as an allow with holes), the user-space reference of the kernel's lookup, and the same policy as an nftables table. */
#ifndef BH_RUNTIME_NPCOMPILE_H
#define BH_RUNTIME_NPCOMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "runtime/bpf/nprecord.h"
#include "runtime/ctnet.h"
#include "runtime/netpol.h"

#define BH_NPCOMPILE_MAX_ENTRIES 65536 /* the kernel map's size */

typedef struct bh_npc_entry {
	struct bh_np_rkey key;
	struct bh_np_rval val;
	bool world;   /* made by a `world` rule (an allow only where no hole is) */
} bh_npc_entry;

typedef struct bh_npc_prefix {
	uint8_t addr[16];
	uint8_t prefix; /* 0..128 */
} bh_npc_prefix;

/* What container peers, `host` and `world` resolve against. */
typedef struct bh_npc_env {
	const bh_ctnet *cts;          /* running containers (may be NULL) */
	const uint8_t (*host)[16];    /* this host's addresses */
	size_t nhost;
} bh_npc_env;

/* The container networks' subnets and the host's addresses: what `world` is not. *out is the caller's to free. */
int bh_npcompile_not_world(const bh_npc_env *env, bh_npc_prefix **out, size_t *n, bh_error *err);

/*
 * Appends the entries of policy_id's rules to *ents (n, cap: a growable array the caller frees),
 * sorted and merged (one entry per key; an allow and a hole on the same key is an allow). More
 * than BH_NPCOMPILE_MAX_ENTRIES in all is BH_ELIMIT.
 */
int bh_npcompile_rules(uint32_t policy_id, const bh_netpol_rule *rules, size_t nrules, const bh_npc_env *env,
		       bh_npc_entry **ents, size_t *n, size_t *cap, bh_error *err);

/* The order of entries (policy, direction, protocol, port, prefix, address): for diffs of two sorted sets. */
int bh_npcompile_cmp(const bh_npc_entry *a, const bh_npc_entry *b);

/* Sorts and merges ents in place (keys equal under the prefix); returns the new count. */
size_t bh_npcompile_normalise(bh_npc_entry *ents, size_t n);

/* The kernel's rule_allows in user space: four longest-prefix lookups over ents (any order). */
bool bh_npcompile_allowed(const bh_npc_entry *ents, size_t n, uint32_t policy_id, uint8_t dir, uint8_t proto, uint16_t port,
			  const uint8_t peer[16]);

/* Whether container ct is matched by the container-kind peer of r (IMAGE, LABEL, NAME, NETWORK). */
bool bh_npcompile_peer_match(const bh_netpol_rule *r, const bh_ctnet_ct *ct);

/*
 * The nftables fallback for one container: a whole `table inet bulkhead_netpol` (replacing an earlier
 * one atomically) whose input and output chains accept loopback, established flows and what
 * policy_id's entries allow; the rest is rejected (mode PROTECT, with a TCP reset / ICMP
 * admin-prohibited so a connect fails at once) or counted and accepted (AUDIT), per direction as
 * deny_in/deny_out say. Written to b.
 */
int bh_npcompile_nft(const bh_npc_entry *ents, size_t n, uint32_t policy_id, int mode, bool deny_in, bool deny_out, bh_buf *b);

#endif
