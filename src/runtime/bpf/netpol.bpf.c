/* netpol.bpf.c - east-west enforcement in the kernel: cgroup connect/sendmsg hooks decide a container's outbound connections and datagrams, cgroup_skb ingress drops a disallowed peer's SYN or datagram; both skb hooks count bytes per edge. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "runtime/bpf/nprecord.h"

/* For static analysers run over src/ without libbpf's headers (`make lint`'s cppcheck). */
#ifndef SEC
#define SEC(name)
#define __uint(name, val) int name
#define __type(name, val) val name
#endif

char LICENSE[] SEC("license") = "GPL";

#define BH_IPPROTO_TCP 6
#define BH_IPPROTO_UDP 17
#define BH_ETH_P_IP 0x0800
#define BH_ETH_P_IPV6 0x86DD
#define BH_TCP_LISTEN 10
#define BH_SK_STORAGE_CREATE 1

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct bh_np_config); } np_config SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16384); __type(key, __u64); __type(value, struct bh_np_cg); } np_cg SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16384); __type(key, struct bh_np_addr_key); __type(value, struct bh_np_addr_val); } np_addr SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bh_np_rkey);
	__type(value, struct bh_np_rval);
} np_rules SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, struct bh_np_bkey); __type(value, struct bh_np_bval); } np_bytes SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16384); __type(key, struct bh_np_fkey); __type(value, __u32); } np_flows SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bh_np_sk);
} np_sk SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 << 10); } np_events SEC(".maps");
/* verdict records lost to a full ring (the verdict itself is never lost: it is decided first) */
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } np_drops SEC(".maps");

/* A cgroup's policy as the hooks use it, the configured default when it has no entry. */
struct pol {
	__u64 cg;
	__u32 policy_id;
	__u8 mode, flags, unmapped;
	const struct bh_np_cg *e;
};

static __always_inline int get_pol(__u64 cg, struct pol *p)
{
	__u32 k = 0;
	struct bh_np_config *c = bpf_map_lookup_elem(&np_config, &k);
	struct bh_np_cg *e = bpf_map_lookup_elem(&np_cg, &cg);

	p->cg = cg;
	p->e = e;
	if (e) {
		p->policy_id = e->policy_id;
		p->mode = e->mode;
		p->flags = e->flags;
		p->unmapped = 0;
		return 0;
	}
	if (!c)
		return -1;
	p->policy_id = 0;
	p->mode = c->unmapped_mode;
	p->flags = c->unmapped_flags;
	p->unmapped = 1;
	return 0;
}

static __always_inline void v4mapped(__u8 *a, __u32 ip4_be)
{
	__builtin_memset(a, 0, 10);
	a[10] = 0xff;
	a[11] = 0xff;
	__builtin_memcpy(a + 12, &ip4_be, 4);
}

/* 127.0.0.0/8 (v4-mapped), ::1, and the unspecified addresses (connect to them reaches this host's loopback). */
static __always_inline int local_only(const __u8 *a)
{
	__u64 hi, lo;
	__builtin_memcpy(&hi, a, 8);
	__builtin_memcpy(&lo, a + 8, 8);
	if (hi == 0 && a[8] == 0 && a[9] == 0 && a[10] == 0xff && a[11] == 0xff)
		return a[12] == 127 || (a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0);
	return hi == 0 && (lo == 0 || lo == bpf_cpu_to_be64(1));
}

static __always_inline int same_addr(const __u8 *a, const __u8 *b)
{
	__u64 a0, a1, b0, b1;
	__builtin_memcpy(&a0, a, 8);
	__builtin_memcpy(&a1, a + 8, 8);
	__builtin_memcpy(&b0, b, 8);
	__builtin_memcpy(&b1, b + 8, 8);
	return a0 == b0 && a1 == b1;
}

/*
 * Whether policy_id allows (dir, proto, port, peer): at most four longest-prefix lookups, exact
 * protocol and port first, then any port, any protocol, both any. A hit is an allow unless it is a
 * "not the world" entry (a container or host range punched below a `world` rule). npcompile.c's
 * bh_npcompile_allowed is the same algorithm in user space; tests check that both agree.
 */
static __always_inline int rule_allows(__u32 policy_id, __u8 dir, __u8 proto, __u16 port, const __u8 *peer)
{
	struct bh_np_rkey k;
	struct bh_np_rval *v;

	k.prefixlen = BH_NP_RKEY_FIXED_BITS + 128;
	k.policy_id = policy_id;
	k.dir = dir;
	__builtin_memcpy(k.addr, peer, 16);
#pragma unroll
	for (int i = 0; i < 4; i++) {
		k.proto = (i & 2) ? 0 : proto;
		k.port = (i & 1) ? 0 : port;
		v = bpf_map_lookup_elem(&np_rules, &k);
		if (v && (v->flags & BH_NP_R_ALLOW))
			return 1;
	}
	return 0;
}

/* 1 allowed, 0 denied by p's policy (its mode then says whether that blocks). */
static __always_inline int decide(const struct pol *p, __u8 dir, __u8 proto, __u16 port, const __u8 *peer)
{
	__u8 deny = dir == BH_NP_DIR_EGRESS ? (p->flags & BH_NP_CG_DENY_EGRESS) : (p->flags & BH_NP_CG_DENY_INGRESS);

	if (p->mode == BH_NP_MODE_OFF || !deny)
		return 1;
	if (p->policy_id && rule_allows(p->policy_id, dir, proto, port, peer))
		return 1;
	return 0;
}

static __always_inline void emit(__u64 cg, const struct pol *d, __u8 hook, __u8 dir, __u8 proto,
				 const __u8 *sa, __u16 sp, const __u8 *da, __u16 dp, int task)
{
	struct bh_np_event *e = bpf_ringbuf_reserve(&np_events, sizeof(*e), 0);

	if (!e) {
		__u32 k = 0;
		__u64 *n = bpf_map_lookup_elem(&np_drops, &k);
		if (n)
			*n += 1;
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cg;
	e->deciding_cg = d->cg;
	e->policy_id = d->policy_id;
	e->pid = task ? (__u32)(bpf_get_current_pid_tgid() >> 32) : 0;
	e->hook = hook;
	e->verdict = d->mode == BH_NP_MODE_PROTECT ? BH_NP_V_BLOCKED : BH_NP_V_WOULD_BLOCK;
	e->dir = dir;
	e->proto = proto;
	e->why = d->unmapped ? BH_NP_WHY_UNMAPPED : BH_NP_WHY_NO_RULE;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	e->sport = sp;
	e->dport = dp;
	__builtin_memcpy(e->saddr, sa, 16);
	__builtin_memcpy(e->daddr, da, 16);
	if (task)
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	else
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int counting(void)
{
	__u32 k = 0;
	struct bh_np_config *c = bpf_map_lookup_elem(&np_config, &k);
	return c && c->count_bytes;
}

/*
 * connect(2) and sendmsg(2) of the current task's socket to (dst, dport): its own egress policy,
 * then, when dst is a container mapped here, that container's ingress policy for this source (so a
 * refused peer fails at once with EPERM instead of waiting on a dropped SYN). 1 allow, 0 EPERM.
 */
static __always_inline int outbound(struct bpf_sock *sk, __u8 hook, __u8 proto, const __u8 *dst, __u16 dport)
{
	__u64 cg = bpf_get_current_cgroup_id();
	struct bh_np_addr_val *peer;
	struct pol p, d;
	__u8 src[16];
	int block = 0;

	if (proto != BH_IPPROTO_TCP && proto != BH_IPPROTO_UDP)
		return 1;
	if (local_only(dst))
		return 1;
	if (get_pol(cg, &p))
		return 1;
	__builtin_memset(src, 0, sizeof(src));
	if (p.e) {
		/* the source by the destination's family: a v4-mapped one (also on an IPv6 socket) leaves from the IPv4 address */
		int dst4 = dst[10] == 0xff && dst[11] == 0xff && !dst[0] && !dst[1] && !dst[2] && !dst[3] && !dst[4] && !dst[5] && !dst[6] &&
			   !dst[7] && !dst[8] && !dst[9];
		if (dst4 && (p.e->flags & BH_NP_CG_HAS4))
			__builtin_memcpy(src, p.e->addr4, 16);
		else if (!dst4 && (p.e->flags & BH_NP_CG_HAS6))
			__builtin_memcpy(src, p.e->addr6, 16);
		if (same_addr(src, dst))
			return 1;
	}
	if (proto == BH_IPPROTO_UDP && hook >= BH_NP_HOOK_SENDMSG4) {
		/* a datagram socket sends many: a flow allowed before is allowed again without the rules */
		struct bh_np_fkey fk = { .cgroup_id = cg, .peer_port = dport };
		__builtin_memcpy(fk.peer, dst, 16);
		if (bpf_map_lookup_elem(&np_flows, &fk))
			return 1;
	}
	if (!decide(&p, BH_NP_DIR_EGRESS, proto, dport, dst)) {
		emit(cg, &p, hook, BH_NP_DIR_EGRESS, proto, src, 0, dst, dport, 1);
		if (p.mode == BH_NP_MODE_PROTECT)
			block = 1;
	}
	peer = bpf_map_lookup_elem(&np_addr, dst);
	if (peer && proto == BH_IPPROTO_UDP && sk && sk->src_port) {
		/* a reply to a datagram the peer sent us: its own send opened the flow */
		struct bh_np_fkey rk = { .cgroup_id = peer->cgroup_id, .peer_port = (__u16)sk->src_port };
		__builtin_memcpy(rk.peer, src, 16);
		if (bpf_map_lookup_elem(&np_flows, &rk))
			peer = 0;
	}
	if (!block && peer && !get_pol(peer->cgroup_id, &d) && !decide(&d, BH_NP_DIR_INGRESS, proto, dport, src)) {
		emit(cg, &d, hook, BH_NP_DIR_INGRESS, proto, src, 0, dst, dport, 1);
		if (d.mode == BH_NP_MODE_PROTECT)
			block = 1;
	}
	if (block)
		return 0;
	if (proto == BH_IPPROTO_UDP) {
		struct bh_np_fkey fk = { .cgroup_id = cg, .peer_port = dport };
		__u32 one = 1;
		__builtin_memcpy(fk.peer, dst, 16);
		bpf_map_update_elem(&np_flows, &fk, &one, BPF_ANY);
	}
	if (sk && counting()) {
		/* the byte counters' role for this socket: it connected, the service port is dport; a
		 * datagram socket that has a role (a server's, from its first datagram in) keeps it */
		struct bh_np_sk *st = hook >= BH_NP_HOOK_SENDMSG4 ? bpf_sk_storage_get(&np_sk, sk, 0, 0) : 0;
		if (!st)
			st = bpf_sk_storage_get(&np_sk, sk, 0, BH_SK_STORAGE_CREATE);
		else
			st = 0;
		if (st) {
			st->role = BH_NP_ROLE_CLIENT;
			st->svc_port = dport;
		}
	}
	return 1;
}

SEC("cgroup/connect4")
int bh_np_connect4(struct bpf_sock_addr *ctx)
{
	__u8 dst[16];
	v4mapped(dst, ctx->user_ip4);
	return outbound(ctx->sk, BH_NP_HOOK_CONNECT4, (__u8)ctx->protocol, dst, bpf_ntohs((__u16)ctx->user_port));
}

SEC("cgroup/connect6")
int bh_np_connect6(struct bpf_sock_addr *ctx)
{
	__u8 dst[16];
	__u32 w[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };
	__builtin_memcpy(dst, w, 16);
	return outbound(ctx->sk, BH_NP_HOOK_CONNECT6, (__u8)ctx->protocol, dst, bpf_ntohs((__u16)ctx->user_port));
}

SEC("cgroup/sendmsg4")
int bh_np_sendmsg4(struct bpf_sock_addr *ctx)
{
	__u8 dst[16];
	v4mapped(dst, ctx->user_ip4);
	return outbound(ctx->sk, BH_NP_HOOK_SENDMSG4, (__u8)ctx->protocol, dst, bpf_ntohs((__u16)ctx->user_port));
}

SEC("cgroup/sendmsg6")
int bh_np_sendmsg6(struct bpf_sock_addr *ctx)
{
	__u8 dst[16];
	__u32 w[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };
	__builtin_memcpy(dst, w, 16);
	return outbound(ctx->sk, BH_NP_HOOK_SENDMSG6, (__u8)ctx->protocol, dst, bpf_ntohs((__u16)ctx->user_port));
}

/* An IP packet as the skb hooks need it: addresses v4-mapped, ports in host order. */
struct pkt {
	__u8 saddr[16], daddr[16];
	__u16 sport, dport;
	__u8 proto, tcpflags;
	__u32 len;
};

#define BH_TCP_SYN 0x02
#define BH_TCP_ACK 0x10

/* 0 when skb holds TCP or UDP over IPv4/IPv6 (IPv6 extension headers walked, four at most). */
static __always_inline int parse(struct __sk_buff *skb, struct pkt *p)
{
	__u32 off;
	__u8 l4[4];

	p->len = skb->len;
	if (skb->protocol == bpf_htons(BH_ETH_P_IP)) {
		__u8 h[20];
		__u32 s, d;
		if (bpf_skb_load_bytes(skb, 0, h, sizeof(h)))
			return -1;
		if ((h[6] & 0x1f) || h[7]) /* a fragment after the first: no ports */
			return -1;
		p->proto = h[9];
		__builtin_memcpy(&s, h + 12, 4);
		__builtin_memcpy(&d, h + 16, 4);
		v4mapped(p->saddr, s);
		v4mapped(p->daddr, d);
		off = (h[0] & 0x0f) * 4;
	} else if (skb->protocol == bpf_htons(BH_ETH_P_IPV6)) {
		__u8 h[40];
		__u8 nh;
		if (bpf_skb_load_bytes(skb, 0, h, sizeof(h)))
			return -1;
		nh = h[6];
		__builtin_memcpy(p->saddr, h + 8, 16);
		__builtin_memcpy(p->daddr, h + 24, 16);
		off = 40;
#pragma unroll
		for (int i = 0; i < 4; i++) {
			__u8 eh[2];
			if (nh != 0 && nh != 43 && nh != 60) /* hop-by-hop, routing, destination options */
				break;
			if (bpf_skb_load_bytes(skb, off, eh, sizeof(eh)))
				return -1;
			nh = eh[0];
			off += ((__u32)eh[1] + 1) * 8;
		}
		p->proto = nh;
	} else {
		return -1;
	}
	if (p->proto != BH_IPPROTO_TCP && p->proto != BH_IPPROTO_UDP)
		return -1;
	if (off > 1024)
		return -1;
	/* the ports; TCP's flags byte too (a small UDP datagram is shorter than a TCP header) */
	if (bpf_skb_load_bytes(skb, off, l4, 4))
		return -1;
	p->sport = ((__u16)l4[0] << 8) | l4[1];
	p->dport = ((__u16)l4[2] << 8) | l4[3];
	p->tcpflags = 0;
	if (p->proto == BH_IPPROTO_TCP && bpf_skb_load_bytes(skb, off + 13, &p->tcpflags, 1))
		return -1;
	return 0;
}

/* Adds the packet to its edge's counters: the socket's role decides which port is the service's. */
static __always_inline void count(struct __sk_buff *skb, const struct pkt *p, __u64 cg, int in)
{
	struct bpf_sock *sk = skb->sk;
	struct bh_np_bkey k = { .cgroup_id = cg, .proto = p->proto };
	struct bh_np_bval *v;
	struct bh_np_sk *st;
	__u16 lport = in ? p->dport : p->sport, rport = in ? p->sport : p->dport;
	__u32 key0 = 0;
	struct bh_np_config *c;

	if (!sk)
		return;
	sk = bpf_sk_fullsock(sk);
	if (!sk || (p->proto == BH_IPPROTO_TCP && sk->state == BH_TCP_LISTEN))
		return;
	st = bpf_sk_storage_get(&np_sk, sk, 0, 0);
	if (!st) {
		/* connect set the role of every socket that connected since the hooks were attached; one
		 * without is an accepted (or receiving) socket, or a client from before, told apart by
		 * its ephemeral port */
		__u32 eph = 32768;
		struct bh_np_sk n = { .role = BH_NP_ROLE_SERVER, .svc_port = lport };
		c = bpf_map_lookup_elem(&np_config, &key0);
		if (c)
			eph = c->eph_low;
		if (lport >= eph && rport < eph) {
			n.role = BH_NP_ROLE_CLIENT;
			n.svc_port = rport;
		}
		st = bpf_sk_storage_get(&np_sk, sk, &n, BH_SK_STORAGE_CREATE);
		if (!st)
			return;
	}
	k.role = st->role;
	k.svc_port = st->svc_port;
	__builtin_memcpy(k.peer, in ? p->saddr : p->daddr, 16);
	v = bpf_map_lookup_elem(&np_bytes, &k);
	if (!v) {
		struct bh_np_bval z = {};
		bpf_map_update_elem(&np_bytes, &k, &z, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&np_bytes, &k);
		if (!v)
			return;
	}
	if (in) {
		__sync_fetch_and_add(&v->bytes_in, p->len);
		__sync_fetch_and_add(&v->pkts_in, 1);
	} else {
		__sync_fetch_and_add(&v->bytes_out, p->len);
		__sync_fetch_and_add(&v->pkts_out, 1);
	}
}

/*
 * Inbound to a container's socket: a TCP SYN (a new connection) or a UDP datagram from a peer its
 * ingress policy does not allow is dropped in protect mode. Sources that are containers mapped here
 * were decided at their own connect/sendmsg, against this container's policy too.
 */
SEC("cgroup_skb/ingress")
int bh_np_ingress(struct __sk_buff *skb)
{
	__u64 cg = bpf_skb_cgroup_id(skb);
	struct pkt p;
	struct pol d;
	int check;

	if (parse(skb, &p))
		return 1;
	if (local_only(p.saddr) || same_addr(p.saddr, p.daddr))
		return 1;
	if (counting())
		count(skb, &p, cg, 1);
	check = p.proto == BH_IPPROTO_TCP ? (p.tcpflags & (BH_TCP_SYN | BH_TCP_ACK)) == BH_TCP_SYN : 1;
	if (!check)
		return 1;
	if (p.proto == BH_IPPROTO_UDP) {
		struct bh_np_fkey fk = { .cgroup_id = cg, .peer_port = p.sport };
		__builtin_memcpy(fk.peer, p.saddr, 16);
		if (bpf_map_lookup_elem(&np_flows, &fk))
			return 1;
	}
	if (bpf_map_lookup_elem(&np_addr, p.saddr)) {
		/* decided at the sender's sendmsg; the flow lets this side's replies out */
		if (p.proto == BH_IPPROTO_UDP) {
			struct bh_np_fkey fk = { .cgroup_id = cg, .peer_port = p.sport };
			__u32 one = 1;
			__builtin_memcpy(fk.peer, p.saddr, 16);
			bpf_map_update_elem(&np_flows, &fk, &one, BPF_ANY);
		}
		return 1;
	}
	if (get_pol(cg, &d) || decide(&d, BH_NP_DIR_INGRESS, p.proto, p.dport, p.saddr)) {
		if (p.proto == BH_IPPROTO_UDP) {
			struct bh_np_fkey fk = { .cgroup_id = cg, .peer_port = p.sport };
			__u32 one = 1;
			__builtin_memcpy(fk.peer, p.saddr, 16);
			bpf_map_update_elem(&np_flows, &fk, &one, BPF_ANY);
		}
		return 1;
	}
	emit(cg, &d, BH_NP_HOOK_INGRESS, BH_NP_DIR_INGRESS, p.proto, p.saddr, p.sport, p.daddr, p.dport, 0);
	return d.mode == BH_NP_MODE_PROTECT ? 0 : 1;
}

SEC("cgroup_skb/egress")
int bh_np_egress(struct __sk_buff *skb)
{
	struct pkt p;

	if (!counting() || parse(skb, &p))
		return 1;
	if (local_only(p.daddr) || same_addr(p.saddr, p.daddr))
		return 1;
	count(skb, &p, bpf_skb_cgroup_id(skb), 0);
	return 1;
}
