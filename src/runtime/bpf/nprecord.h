/* nprecord.h - the east-west policy's kernel maps and verdict records, shared by netpol.bpf.c and user space (runtime/netpol.c, runtime/npcompile.c). */
#ifndef BH_RUNTIME_BPF_NPRECORD_H
#define BH_RUNTIME_BPF_NPRECORD_H

/*
 * Addresses are 16 bytes everywhere: IPv6 as is, IPv4 as v4-mapped IPv6 (::ffff:a.b.c.d), so one
 * LPM trie and one key layout serve both families. Ports are in host byte order. Every field is
 * naturally aligned and sizes are multiples of 8, so clang -target bpf and the host compiler agree
 * (netpol.c checks the sizes).
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BH_NP_MAX_PARENTS 4

/* What a cgroup's policy does: nothing, report what it would block, block. */
enum { BH_NP_MODE_OFF = 0, BH_NP_MODE_AUDIT = 1, BH_NP_MODE_PROTECT = 2 };

/* Rule direction: the container connects / sends out (egress), or a peer connects in (ingress). */
enum { BH_NP_DIR_EGRESS = 1, BH_NP_DIR_INGRESS = 2 };

/* bh_np_cg.flags */
enum {
	BH_NP_CG_DENY_EGRESS = 1,  /* what no rule allows out is denied */
	BH_NP_CG_DENY_INGRESS = 2, /* what no rule allows in is denied */
	BH_NP_CG_HAS4 = 4,         /* addr4 is the container's IPv4 address */
	BH_NP_CG_HAS6 = 8          /* addr6 is its IPv6 address */
};

/* Map np_cg: cgroup id -> the container's policy, written by user space when it maps a container. */
struct bh_np_cg {
	__u32 policy_id;  /* rules are keyed by it; 0: no rules */
	__u8 mode;        /* BH_NP_MODE_* */
	__u8 flags;       /* BH_NP_CG_* */
	__u16 pad;
	__u8 addr4[16];   /* v4-mapped: the source of its connections, for the destination's check */
	__u8 addr6[16];
};

/* Map np_addr: a container's address -> its cgroup (the destination's ingress check at connect). */
struct bh_np_addr_key {
	__u8 addr[16];
};
struct bh_np_addr_val {
	__u64 cgroup_id;
};

/* Rules: LPM trie. prefixlen counts bits from policy_id on: 64 fixed bits + 0..128 address bits. */
#define BH_NP_RKEY_FIXED_BITS 64
struct bh_np_rkey {
	__u32 prefixlen;
	__u32 policy_id;
	__u8 dir;         /* BH_NP_DIR_* */
	__u8 proto;       /* IPPROTO_TCP, IPPROTO_UDP, 0: any */
	__u16 port;       /* 0: any; ingress: the container's port, egress: the peer's */
	__u8 addr[16];    /* the peer */
};

/* bh_np_rval.flags: an allow, or a "not the world" hole punched below a "world" allow. */
enum { BH_NP_R_ALLOW = 1, BH_NP_R_NOTWORLD = 2 };
struct bh_np_rval {
	__u32 rule_id;    /* user space's index, reported in nothing but debugging */
	__u32 flags;
};

/* The configuration map's one value. */
struct bh_np_config {
	__u8 unmapped_mode;   /* BH_NP_MODE_* for a cgroup under a parent that has no np_cg entry yet */
	__u8 unmapped_flags;  /* BH_NP_CG_DENY_* for it (protect + deny both: fail closed) */
	__u8 count_bytes;     /* 1: the skb programs count bytes per edge */
	__u8 pad;
	__u32 eph_low;        /* the first ephemeral port (net.ipv4.ip_local_port_range): role guesses */
};

/* Verdict records on the ring buffer np_events. */
enum { BH_NP_HOOK_CONNECT4 = 1, BH_NP_HOOK_CONNECT6, BH_NP_HOOK_SENDMSG4, BH_NP_HOOK_SENDMSG6, BH_NP_HOOK_INGRESS };
enum { BH_NP_V_BLOCKED = 1, BH_NP_V_WOULD_BLOCK = 2 };
enum { BH_NP_WHY_NO_RULE = 1, /* the policy has no allow rule for it */
       BH_NP_WHY_UNMAPPED = 2 /* the cgroup had no entry yet: the configured default decided */ };
struct bh_np_event {
	__u64 ts_ns;        /* bpf_ktime_get_ns */
	__u64 cgroup_id;    /* the cgroup whose hook ran */
	__u64 deciding_cg;  /* the cgroup whose policy lacked the rule (the destination's at connect) */
	__u32 policy_id;    /* that policy */
	__u32 pid;          /* the task at connect/sendmsg; 0 at ingress */
	__u8 hook;          /* BH_NP_HOOK_* */
	__u8 verdict;       /* BH_NP_V_* */
	__u8 dir;           /* the rule kind that was missing: BH_NP_DIR_* */
	__u8 proto;
	__u8 why;           /* BH_NP_WHY_* */
	__u8 pad[3];
	__u16 sport, dport; /* the connecting/sending side's port (0 when not bound yet), the receiver's */
	__u8 saddr[16], daddr[16];
	char comm[16];
};

/* Byte counters per edge as one cgroup sees it (map np_bytes). */
enum { BH_NP_ROLE_CLIENT = 1, BH_NP_ROLE_SERVER = 2 };
struct bh_np_bkey {
	__u64 cgroup_id;
	__u8 peer[16];
	__u16 svc_port;   /* the accepting side's port */
	__u8 proto;
	__u8 role;        /* BH_NP_ROLE_*: the cgroup connected (client) or accepted (server) */
	__u32 pad;
};
struct bh_np_bval {
	__u64 bytes_out, bytes_in; /* IP packet lengths leaving / entering the cgroup's sockets */
	__u64 pkts_out, pkts_in;
};

/* Per-socket storage: the role decided once (at connect, or at the socket's first packet). */
struct bh_np_sk {
	__u16 svc_port;
	__u8 role;
	__u8 pad[5];
};

/* UDP flows the policy allowed (a reply from the peer's port is allowed back in). */
struct bh_np_fkey {
	__u64 cgroup_id;
	__u8 peer[16];
	__u16 peer_port;
	__u8 pad[6];
};

#endif
