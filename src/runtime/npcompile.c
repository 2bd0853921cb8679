/* npcompile.c - allow rules into LPM entries (the kernel's np_rules), the reference lookup the tests hold the kernel to, and the nftables fallback's table. */
#include "runtime/npcompile.h"

#include <stdlib.h>
#include <string.h>

static void mask_addr(uint8_t *a, unsigned bits)
{
	for (unsigned i = 0; i < 16; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		a[i] &= (uint8_t)(0xff00u >> bits);
		bits = 0;
	}
}

/* Whether the first bits of a and b agree. */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ b[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static int push(bh_npc_entry **ents, size_t *n, size_t *cap, const bh_npc_entry *e, bh_error *err)
{
	if (*n >= BH_NPCOMPILE_MAX_ENTRIES * 4)
		return bh_error_set(err, BH_ELIMIT, "network policy: more than %d kernel rule entries", BH_NPCOMPILE_MAX_ENTRIES);
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		bh_npc_entry *p = realloc(*ents, nc * sizeof(**ents));
		if (!p)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		*ents = p;
		*cap = nc;
	}
	(*ents)[(*n)++] = *e;
	return 0;
}

static int add_prefix(bh_npc_prefix **v, size_t *n, size_t *cap, const uint8_t *a, unsigned prefix, bh_error *err)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		bh_npc_prefix *p = realloc(*v, nc * sizeof(**v));
		if (!p)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		*v = p;
		*cap = nc;
	}
	memcpy((*v)[*n].addr, a, 16);
	mask_addr((*v)[*n].addr, prefix);
	(*v)[*n].prefix = (uint8_t)prefix;
	(*n)++;
	return 0;
}

int bh_npcompile_not_world(const bh_npc_env *env, bh_npc_prefix **out, size_t *n, bh_error *err)
{
	static const uint8_t lo4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };
	static const uint8_t lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	bh_npc_prefix *v = NULL;
	size_t cap = 0;
	int rc = 0;

	*n = 0;
	rc = add_prefix(&v, n, &cap, lo4, 104, err);
	if (!rc)
		rc = add_prefix(&v, n, &cap, lo6, 128, err);
	for (size_t i = 0; !rc && i < env->nhost; i++)
		rc = add_prefix(&v, n, &cap, env->host[i], 128, err);
	for (size_t i = 0; !rc && env->cts && i < env->cts->n; i++) {
		const bh_ctnet_ct *ct = &env->cts->v[i];
		for (size_t j = 0; !rc && j < ct->nnets; j++) {
			const bh_ctnet_net *nt = &ct->nets[j];
			if (nt->has4)
				rc = add_prefix(&v, n, &cap, nt->ip4, nt->prefix4 ? 96u + (unsigned)nt->prefix4 : 128u, err);
			if (!rc && nt->has6)
				rc = add_prefix(&v, n, &cap, nt->ip6, nt->prefix6 ? (unsigned)nt->prefix6 : 128u, err);
			if (!rc && nt->hasgw4)
				rc = add_prefix(&v, n, &cap, nt->gw4, 128, err);
			if (!rc && nt->hasgw6)
				rc = add_prefix(&v, n, &cap, nt->gw6, 128, err);
		}
	}
	if (rc) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return 0;
}

bool bh_npcompile_peer_match(const bh_netpol_rule *r, const bh_ctnet_ct *ct)
{
	switch (r->peer) {
	case BH_NETPOL_PEER_IMAGE: return bh_ctnet_image_match(ct, r->value);
	case BH_NETPOL_PEER_LABEL: return bh_ctnet_label_match(ct, r->value);
	case BH_NETPOL_PEER_NAME: return !strcmp(ct->name, r->value) || !strcmp(ct->id, r->value);
	case BH_NETPOL_PEER_NETWORK: return bh_ctnet_on_network(ct, r->value);
	default: return false;
	}
}

static int cmp_entry(const void *pa, const void *pb)
{
	const bh_npc_entry *a = pa, *b = pb;
	if (a->key.policy_id != b->key.policy_id)
		return a->key.policy_id < b->key.policy_id ? -1 : 1;
	if (a->key.dir != b->key.dir)
		return a->key.dir < b->key.dir ? -1 : 1;
	if (a->key.proto != b->key.proto)
		return a->key.proto < b->key.proto ? -1 : 1;
	if (a->key.port != b->key.port)
		return a->key.port < b->key.port ? -1 : 1;
	if (a->key.prefixlen != b->key.prefixlen)
		return a->key.prefixlen < b->key.prefixlen ? -1 : 1;
	return memcmp(a->key.addr, b->key.addr, 16);
}

int bh_npcompile_cmp(const bh_npc_entry *a, const bh_npc_entry *b)
{
	return cmp_entry(a, b);
}

static bool same_bucket(const struct bh_np_rkey *a, const struct bh_np_rkey *b)
{
	return a->policy_id == b->policy_id && a->dir == b->dir && a->proto == b->proto && a->port == b->port;
}

size_t bh_npcompile_normalise(bh_npc_entry *e, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++)
		mask_addr(e[i].key.addr, e[i].key.prefixlen - BH_NP_RKEY_FIXED_BITS);
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		if (out && cmp_entry(&e[out - 1], &e[i]) == 0) {
			e[out - 1].val.flags |= e[i].val.flags;
			e[out - 1].world = e[out - 1].world && e[i].world;
			continue;
		}
		e[out++] = e[i];
	}
	/* a hole of `world` inside an allow that is not the world's is still allowed: it inherits it */
	for (size_t i = 0; i < out; i++) {
		if (e[i].val.flags & BH_NP_R_ALLOW)
			continue;
		for (size_t j = 0; j < out; j++) {
			unsigned pj = e[j].key.prefixlen - BH_NP_RKEY_FIXED_BITS;
			if (j == i || !(e[j].val.flags & BH_NP_R_ALLOW) || e[j].world || !same_bucket(&e[i].key, &e[j].key) ||
			    e[j].key.prefixlen >= e[i].key.prefixlen || !prefix_eq(e[i].key.addr, e[j].key.addr, pj))
				continue;
			e[i].val.flags |= BH_NP_R_ALLOW;
			break;
		}
	}
	return out;
}

int bh_npcompile_rules(uint32_t policy_id, const bh_netpol_rule *rules, size_t nrules, const bh_npc_env *env,
		       bh_npc_entry **ents, size_t *n, size_t *cap, bh_error *err)
{
	bh_npc_prefix *nw = NULL;
	size_t nnw = 0, start = *n;
	int rc = 0;

	for (size_t r = 0; !rc && r < nrules; r++) {
		const bh_netpol_rule *ru = &rules[r];
		unsigned p0 = ru->port, p1 = ru->port_end > ru->port ? ru->port_end : ru->port;
		bh_npc_entry e;

		if (ru->dir != BH_NETPOL_EGRESS && ru->dir != BH_NETPOL_INGRESS)
			return bh_error_set(err, BH_EINVAL, "network policy rule %zu: direction must be ingress or egress", r);
		if (ru->proto != 0 && ru->proto != 6 && ru->proto != 17)
			return bh_error_set(err, BH_EINVAL, "network policy rule %zu: protocol %u: only tcp (6), udp (17) or any (0)", r, ru->proto);
		if (p1 - p0 >= BH_NETPOL_MAX_RANGE || (p0 == 0 && p1 != 0))
			return bh_error_set(err, BH_EINVAL, "network policy rule %zu: port range %u-%u: 1 to %d ports, from port 1", r, p0, p1, BH_NETPOL_MAX_RANGE);
		if (ru->peer == BH_NETPOL_PEER_CIDR && ru->prefix > 128)
			return bh_error_set(err, BH_EINVAL, "network policy rule %zu: prefix /%u over 128", r, ru->prefix);
		if (ru->peer == BH_NETPOL_PEER_WORLD && !nw && (rc = bh_npcompile_not_world(env, &nw, &nnw, err)))
			break;
		for (unsigned port = p0; !rc && port <= p1; port++) {
			memset(&e, 0, sizeof(e));
			e.key.policy_id = policy_id;
			e.key.dir = (uint8_t)ru->dir;
			e.key.proto = ru->proto;
			e.key.port = (uint16_t)port;
			e.val.rule_id = (uint32_t)r;
			e.val.flags = BH_NP_R_ALLOW;
			switch (ru->peer) {
			case BH_NETPOL_PEER_ANY:
				e.key.prefixlen = BH_NP_RKEY_FIXED_BITS;
				rc = push(ents, n, cap, &e, err);
				break;
			case BH_NETPOL_PEER_CIDR:
				e.key.prefixlen = BH_NP_RKEY_FIXED_BITS + ru->prefix;
				memcpy(e.key.addr, ru->addr, 16);
				rc = push(ents, n, cap, &e, err);
				break;
			case BH_NETPOL_PEER_HOST:
				e.key.prefixlen = BH_NP_RKEY_FIXED_BITS + 128;
				for (size_t i = 0; !rc && i < env->nhost; i++) {
					memcpy(e.key.addr, env->host[i], 16);
					rc = push(ents, n, cap, &e, err);
				}
				for (size_t i = 0; !rc && env->cts && i < env->cts->n; i++)
					for (size_t j = 0; !rc && j < env->cts->v[i].nnets; j++) {
						const bh_ctnet_net *nt = &env->cts->v[i].nets[j];
						if (nt->hasgw4) {
							memcpy(e.key.addr, nt->gw4, 16);
							rc = push(ents, n, cap, &e, err);
						}
						if (!rc && nt->hasgw6) {
							memcpy(e.key.addr, nt->gw6, 16);
							rc = push(ents, n, cap, &e, err);
						}
					}
				break;
			case BH_NETPOL_PEER_WORLD:
				e.key.prefixlen = BH_NP_RKEY_FIXED_BITS;
				e.world = true;
				rc = push(ents, n, cap, &e, err);
				for (size_t i = 0; !rc && i < nnw; i++) {
					bh_npc_entry h = e;
					h.world = true;
					h.val.flags = BH_NP_R_NOTWORLD;
					h.key.prefixlen = BH_NP_RKEY_FIXED_BITS + nw[i].prefix;
					memcpy(h.key.addr, nw[i].addr, 16);
					rc = push(ents, n, cap, &h, err);
				}
				break;
			default:
				e.key.prefixlen = BH_NP_RKEY_FIXED_BITS + 128;
				for (size_t i = 0; !rc && env->cts && i < env->cts->n; i++) {
					const bh_ctnet_ct *ct = &env->cts->v[i];
					if (ct->host_network || !bh_npcompile_peer_match(ru, ct))
						continue;
					for (size_t j = 0; !rc && j < ct->nnets; j++) {
						if (ct->nets[j].has4) {
							memcpy(e.key.addr, ct->nets[j].ip4, 16);
							rc = push(ents, n, cap, &e, err);
						}
						if (!rc && ct->nets[j].has6) {
							memcpy(e.key.addr, ct->nets[j].ip6, 16);
							rc = push(ents, n, cap, &e, err);
						}
					}
				}
				break;
			}
		}
	}
	free(nw);
	if (rc)
		return rc;
	*n = start + bh_npcompile_normalise(*ents + start, *n - start);
	if (*n > BH_NPCOMPILE_MAX_ENTRIES)
		return bh_error_set(err, BH_ELIMIT, "network policy: %zu kernel rule entries, more than the map's %d", *n, BH_NPCOMPILE_MAX_ENTRIES);
	return 0;
}

bool bh_npcompile_allowed(const bh_npc_entry *ents, size_t n, uint32_t policy_id, uint8_t dir, uint8_t proto, uint16_t port,
			  const uint8_t peer[16])
{
	for (int i = 0; i < 4; i++) {
		uint8_t pr = (i & 2) ? 0 : proto;
		uint16_t po = (i & 1) ? 0 : port;
		const bh_npc_entry *best = NULL;
		for (size_t j = 0; j < n; j++) {
			const bh_npc_entry *e = &ents[j];
			if (e->key.policy_id != policy_id || e->key.dir != dir || e->key.proto != pr || e->key.port != po)
				continue;
			if (e->key.prefixlen < BH_NP_RKEY_FIXED_BITS || e->key.prefixlen > BH_NP_RKEY_FIXED_BITS + 128)
				continue;
			if (!prefix_eq(e->key.addr, peer, e->key.prefixlen - BH_NP_RKEY_FIXED_BITS))
				continue;
			if (!best || e->key.prefixlen > best->key.prefixlen)
				best = e;
		}
		if (best && (best->val.flags & BH_NP_R_ALLOW))
			return true;
	}
	return false;
}

/* ---- nftables ---- */

static void put_prefix(bh_buf *b, const uint8_t *a, unsigned prefix)
{
	char s[64];
	bool v4 = bh_ctnet_addr_is_v4(a);
	bh_ctnet_addr_str(a, s, sizeof(s));
	bh_buf_printf(b, "%s/%u", s, v4 ? (prefix >= 96 ? prefix - 96 : 0) : prefix);
}

static void put_l4(bh_buf *b, uint8_t proto, uint16_t port)
{
	if (proto)
		bh_buf_printf(b, " meta l4proto %s", proto == 6 ? "tcp" : "udp");
	else
		bh_buf_puts(b, " meta l4proto { tcp, udp }");
	if (port)
		bh_buf_printf(b, " th dport %u", port);
}

/* One bucket's rules: the allowed prefixes of each family, then the world with its holes. */
static void nft_bucket(bh_buf *b, const bh_npc_entry *e, size_t n, bool in)
{
	const char *dirw = in ? "saddr" : "daddr";
	bool world = false;

	for (int fam = 4; fam <= 6; fam += 2) {
		size_t cnt = 0, holes = 0;
		for (size_t i = 0; i < n; i++) {
			bool v4 = bh_ctnet_addr_is_v4(e[i].key.addr) && e[i].key.prefixlen - BH_NP_RKEY_FIXED_BITS >= 96;
			unsigned pfx = e[i].key.prefixlen - BH_NP_RKEY_FIXED_BITS;
			if (pfx == 0) {
				if (e[i].world)
					world = true;
				continue;
			}
			if (v4 != (fam == 4))
				continue;
			if (e[i].val.flags & BH_NP_R_ALLOW)
				cnt++;
			else
				holes++;
		}
		if (cnt) {
			bh_buf_printf(b, "    %s %s {", fam == 4 ? "ip" : "ip6", dirw);
			for (size_t i = 0, k = 0; i < n; i++) {
				unsigned pfx = e[i].key.prefixlen - BH_NP_RKEY_FIXED_BITS;
				bool v4 = bh_ctnet_addr_is_v4(e[i].key.addr) && pfx >= 96;
				if (pfx == 0 || v4 != (fam == 4) || !(e[i].val.flags & BH_NP_R_ALLOW))
					continue;
				bh_buf_puts(b, k++ ? ", " : " ");
				put_prefix(b, e[i].key.addr, pfx);
			}
			bh_buf_puts(b, " }");
			put_l4(b, e[0].key.proto, e[0].key.port);
			bh_buf_puts(b, " accept\n");
		}
		if (world && holes) {
			bh_buf_printf(b, "    %s %s != {", fam == 4 ? "ip" : "ip6", dirw);
			for (size_t i = 0, k = 0; i < n; i++) {
				unsigned pfx = e[i].key.prefixlen - BH_NP_RKEY_FIXED_BITS;
				bool v4 = bh_ctnet_addr_is_v4(e[i].key.addr) && pfx >= 96;
				if (pfx == 0 || v4 != (fam == 4) || (e[i].val.flags & BH_NP_R_ALLOW))
					continue;
				bh_buf_puts(b, k++ ? ", " : " ");
				put_prefix(b, e[i].key.addr, pfx);
			}
			bh_buf_puts(b, " }");
			put_l4(b, e[0].key.proto, e[0].key.port);
			bh_buf_puts(b, " accept\n");
		} else if (world) {
			bh_buf_printf(b, "    meta nfproto %s", fam == 4 ? "ipv4" : "ipv6");
			put_l4(b, e[0].key.proto, e[0].key.port);
			bh_buf_puts(b, " accept\n");
		}
	}
	/* an `any` peer: the root entry that is not the world's */
	for (size_t i = 0; i < n; i++)
		if (e[i].key.prefixlen == BH_NP_RKEY_FIXED_BITS && !e[i].world && (e[i].val.flags & BH_NP_R_ALLOW)) {
			bh_buf_puts(b, "   ");
			put_l4(b, e[0].key.proto, e[0].key.port);
			bh_buf_puts(b, " accept\n");
			break;
		}
}

static void nft_chain(bh_buf *b, const bh_npc_entry *ents, size_t n, uint32_t policy_id, int mode, bool deny, bool in)
{
	uint8_t dir = in ? BH_NP_DIR_INGRESS : BH_NP_DIR_EGRESS;
	const char *tag = in ? "in" : "out";

	bh_buf_printf(b, "  chain %s {\n    type filter hook %s priority -300; policy accept;\n", in ? "input" : "output", in ? "input" : "output");
	bh_buf_printf(b, "    %s \"lo\" accept\n    ct state established,related accept\n    meta l4proto != { tcp, udp } accept\n", in ? "iifname" : "oifname");
	if (mode == BH_NETPOL_OFF || !deny) {
		bh_buf_puts(b, "  }\n");
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		if (ents[i].key.policy_id != policy_id || ents[i].key.dir != dir) {
			i++;
			continue;
		}
		while (j < n && same_bucket(&ents[i].key, &ents[j].key))
			j++;
		nft_bucket(b, ents + i, j - i, in);
		i = j;
	}
	if (mode == BH_NETPOL_PROTECT) {
		bh_buf_printf(b, "    meta l4proto tcp counter reject with tcp reset comment \"bh-block-%s\"\n", tag);
		bh_buf_printf(b, "    counter reject with icmpx admin-prohibited comment \"bh-block-%s\"\n", tag);
	} else {
		bh_buf_printf(b, "    counter accept comment \"bh-audit-%s\"\n", tag);
	}
	bh_buf_puts(b, "  }\n");
}

int bh_npcompile_nft(const bh_npc_entry *ents, size_t n, uint32_t policy_id, int mode, bool deny_in, bool deny_out, bh_buf *b)
{
	bh_buf_puts(b, "table inet bulkhead_netpol\ndelete table inet bulkhead_netpol\ntable inet bulkhead_netpol {\n");
	nft_chain(b, ents, n, policy_id, mode, deny_in, true);
	nft_chain(b, ents, n, policy_id, mode, deny_out, false);
	bh_buf_puts(b, "}\n");
	return b->failed ? BH_ENOMEM : 0;
}
