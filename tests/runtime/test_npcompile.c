/* test_npcompile.c - allow rules into LPM entries: container peers resolved, `world` with its holes, ranges; the user-space lookup against the rules' meaning on random cases, and against the kernel's own program (BPF_PROG_TEST_RUN) where this runs as root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/npcompile.h"

static void addr4(uint8_t *a, int x, int y, int z, int w)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)x;
	a[13] = (uint8_t)y;
	a[14] = (uint8_t)z;
	a[15] = (uint8_t)w;
}

/* Two containers on 10.88.0.0/16 (gateway 10.88.0.1): app 10.88.0.5, db 10.88.0.6 (and fd00::6). */
static bh_ctnet_ct cts_v[2];
static bh_ctnet cts = { cts_v, 2 };
static uint8_t host_v[2][16];

static void env_init(bh_npc_env *env)
{
	memset(cts_v, 0, sizeof(cts_v));
	snprintf(cts_v[0].id, sizeof(cts_v[0].id), "%064d", 1);
	snprintf(cts_v[0].name, sizeof(cts_v[0].name), "app");
	snprintf(cts_v[0].image, sizeof(cts_v[0].image), "localhost/app:1");
	cts_v[0].nnets = 1;
	snprintf(cts_v[0].nets[0].name, sizeof(cts_v[0].nets[0].name), "podman");
	addr4(cts_v[0].nets[0].ip4, 10, 88, 0, 5);
	cts_v[0].nets[0].has4 = true;
	cts_v[0].nets[0].prefix4 = 16;
	addr4(cts_v[0].nets[0].gw4, 10, 88, 0, 1);
	cts_v[0].nets[0].hasgw4 = true;
	cts_v[1] = cts_v[0];
	snprintf(cts_v[1].id, sizeof(cts_v[1].id), "%064d", 2);
	snprintf(cts_v[1].name, sizeof(cts_v[1].name), "db");
	snprintf(cts_v[1].image, sizeof(cts_v[1].image), "localhost/db:1");
	addr4(cts_v[1].nets[0].ip4, 10, 88, 0, 6);
	memset(cts_v[1].nets[0].ip6, 0, 16);
	cts_v[1].nets[0].ip6[0] = 0xfd;
	cts_v[1].nets[0].ip6[15] = 6;
	cts_v[1].nets[0].has6 = true;
	cts_v[1].nets[0].prefix6 = 64;
	addr4(host_v[0], 192, 168, 1, 10);
	addr4(host_v[1], 10, 88, 0, 1);
	env->cts = &cts;
	env->host = (const uint8_t (*)[16])host_v;
	env->nhost = 2;
}

static bh_netpol_rule rule(bh_netpol_dir dir, uint8_t proto, uint16_t port, bh_netpol_peer_kind peer)
{
	bh_netpol_rule r;
	memset(&r, 0, sizeof(r));
	r.dir = dir;
	r.proto = proto;
	r.port = port;
	r.peer = peer;
	return r;
}

static void test_resolve(void **state)
{
	bh_npc_env env;
	bh_netpol_rule r[6];
	bh_npc_entry *e = NULL;
	size_t n = 0, cap = 0;
	bh_error err;
	uint8_t a[16];
	(void)state;

	env_init(&env);
	r[0] = rule(BH_NETPOL_INGRESS, 6, 5432, BH_NETPOL_PEER_IMAGE);
	snprintf(r[0].value, sizeof(r[0].value), "localhost/app");
	r[1] = rule(BH_NETPOL_EGRESS, 17, 53, BH_NETPOL_PEER_HOST);
	r[2] = rule(BH_NETPOL_EGRESS, 6, 443, BH_NETPOL_PEER_WORLD);
	r[3] = rule(BH_NETPOL_EGRESS, 0, 8000, BH_NETPOL_PEER_NAME);
	r[3].port_end = 8002;
	snprintf(r[3].value, sizeof(r[3].value), "db");
	r[4] = rule(BH_NETPOL_EGRESS, 6, 443, BH_NETPOL_PEER_CIDR); /* 10.0.0.0/8: covers the container subnet's hole */
	addr4(r[4].addr, 10, 0, 0, 0);
	r[4].prefix = 104;
	r[5] = rule(BH_NETPOL_INGRESS, 6, 22, BH_NETPOL_PEER_LABEL);
	snprintf(r[5].value, sizeof(r[5].value), "nope=1");
	assert_int_equal(bh_npcompile_rules(7, r, 6, &env, &e, &n, &cap, &err), 0);

	addr4(a, 10, 88, 0, 5); /* app */
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_INGRESS, 6, 5432, a));
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_INGRESS, 17, 5432, a));
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_INGRESS, 6, 5433, a));
	assert_false(bh_npcompile_allowed(e, n, 8, BH_NP_DIR_INGRESS, 6, 5432, a)); /* another policy */
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 5432, a));
	addr4(a, 10, 88, 0, 6); /* db: not the app image */
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_INGRESS, 6, 5432, a));
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 17, 8001, a)); /* name=db, range, any proto */
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 8002, a));
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 8003, a));
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 8000, cts_v[1].nets[0].ip6));
	/* host: its addresses and the gateway */
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 17, 53, host_v[0]));
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 17, 53, host_v[1]));
	addr4(a, 8, 8, 8, 8);
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 17, 53, a));
	/* world: 8.8.8.8 yes, the host no, a container no... unless 10.0.0.0/8 allows it on the same port */
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 443, a));
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 443, host_v[0]));
	addr4(a, 10, 88, 3, 3);
	assert_true(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 443, a));
	addr4(a, 127, 0, 0, 1);
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_EGRESS, 6, 443, a)); /* loopback is not the world (the kernel allows it anyway) */
	/* a selector that matches nothing allows nothing */
	addr4(a, 10, 88, 0, 5);
	assert_false(bh_npcompile_allowed(e, n, 7, BH_NP_DIR_INGRESS, 6, 22, a));
	free(e);
}

static void test_bad_rules(void **state)
{
	bh_npc_env env;
	bh_netpol_rule r = rule(BH_NETPOL_EGRESS, 1, 1, BH_NETPOL_PEER_ANY);
	bh_npc_entry *e = NULL;
	size_t n = 0, cap = 0;
	bh_error err;
	(void)state;
	env_init(&env);
	assert_int_equal(bh_npcompile_rules(1, &r, 1, &env, &e, &n, &cap, &err), BH_EINVAL);
	r = rule(BH_NETPOL_EGRESS, 6, 1, BH_NETPOL_PEER_ANY);
	r.port_end = 2000;
	assert_int_equal(bh_npcompile_rules(1, &r, 1, &env, &e, &n, &cap, &err), BH_EINVAL);
	r = rule((bh_netpol_dir)3, 6, 1, BH_NETPOL_PEER_ANY);
	assert_int_equal(bh_npcompile_rules(1, &r, 1, &env, &e, &n, &cap, &err), BH_EINVAL);
	free(e);
}

/* ---- random cases: the LPM lookup against the rules' plain meaning, and against the kernel ---- */

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Addresses from a small pool so rules and probes meet: 10.88.x.y, 8.8.x.y, 192.168.1.10, fd00::x. */
static void rnd_addr(uint8_t *a)
{
	switch (rnd(4)) {
	case 0: addr4(a, 10, 88, (int)rnd(3), (int)rnd(8)); break;
	case 1: addr4(a, 8, 8, (int)rnd(3), (int)rnd(8)); break;
	case 2: memcpy(a, host_v[0], 16); break;
	default: memset(a, 0, 16); a[0] = 0xfd; a[15] = (uint8_t)rnd(8); break;
	}
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	for (unsigned i = 0; i < bits; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1) != ((b[i / 8] >> (7 - i % 8)) & 1))
			return false;
	return true;
}

/* The rules' meaning, written without tries: any rule that matches allows. */
static bool meaning(const bh_netpol_rule *r, size_t n, const bh_npc_prefix *nw, size_t nnw, uint8_t dir, uint8_t proto, uint16_t port, const uint8_t *peer)
{
	for (size_t i = 0; i < n; i++) {
		bool hit = false;
		if (r[i].dir != dir || (r[i].proto && r[i].proto != proto))
			continue;
		if (r[i].port && (port < r[i].port || port > (r[i].port_end > r[i].port ? r[i].port_end : r[i].port)))
			continue;
		switch (r[i].peer) {
		case BH_NETPOL_PEER_ANY: hit = true; break;
		case BH_NETPOL_PEER_CIDR: hit = prefix_match(r[i].addr, peer, r[i].prefix); break;
		case BH_NETPOL_PEER_HOST: hit = !memcmp(peer, host_v[0], 16) || !memcmp(peer, host_v[1], 16); break;
		case BH_NETPOL_PEER_WORLD:
			hit = true;
			for (size_t j = 0; j < nnw; j++)
				if (prefix_match(nw[j].addr, peer, nw[j].prefix))
					hit = false;
			break;
		default:
			for (size_t c = 0; c < cts.n; c++)
				if (bh_npcompile_peer_match(&r[i], &cts.v[c]) && bh_ctnet_has_addr(&cts.v[c], peer))
					hit = true;
			break;
		}
		if (hit)
			return true;
	}
	return false;
}

static void rnd_rules(bh_netpol_rule *r, size_t n)
{
	static const uint16_t ports[] = { 0, 22, 53, 443, 5432 };
	for (size_t i = 0; i < n; i++) {
		r[i] = rule(rnd(2) ? BH_NETPOL_INGRESS : BH_NETPOL_EGRESS, (uint8_t)(rnd(3) == 0 ? 0 : rnd(2) ? 6 : 17), ports[rnd(5)],
			    (bh_netpol_peer_kind)rnd(6));
		if (r[i].port == 22 && rnd(2))
			r[i].port_end = 25;
		if (r[i].peer == BH_NETPOL_PEER_CIDR) {
			rnd_addr(r[i].addr);
			r[i].prefix = (uint8_t)(bh_ctnet_addr_is_v4(r[i].addr) ? 96 + rnd(33) : rnd(129));
		} else if (r[i].peer == BH_NETPOL_PEER_IMAGE) {
			snprintf(r[i].value, sizeof(r[i].value), rnd(2) ? "localhost/app" : "localhost/db:1");
		} else if (r[i].peer == BH_NETPOL_PEER_LABEL) {
			r[i].peer = BH_NETPOL_PEER_NAME;
			snprintf(r[i].value, sizeof(r[i].value), rnd(2) ? "app" : "db");
		}
	}
}

static void test_random_meaning(void **state)
{
	bh_npc_env env;
	bh_npc_prefix *nw = NULL;
	size_t nnw = 0;
	bh_error err;
	(void)state;
	env_init(&env);
	assert_int_equal(bh_npcompile_not_world(&env, &nw, &nnw, &err), 0);
	for (int round = 0; round < 300; round++) {
		bh_netpol_rule r[12];
		size_t nr = 1 + rnd(12), n = 0, cap = 0;
		bh_npc_entry *e = NULL;
		rnd_rules(r, nr);
		assert_int_equal(bh_npcompile_rules(3, r, nr, &env, &e, &n, &cap, &err), 0);
		for (int p = 0; p < 200; p++) {
			static const uint16_t pp[] = { 22, 23, 53, 443, 5432, 8080 };
			uint8_t a[16], dir = (uint8_t)(1 + rnd(2)), proto = rnd(2) ? 6 : 17;
			uint16_t port = pp[rnd(6)];
			bool want, got;
			rnd_addr(a);
			want = meaning(r, nr, nw, nnw, dir, proto, port, a);
			got = bh_npcompile_allowed(e, n, 3, dir, proto, port, a);
			if (want != got)
				fail_msg("round %d probe %d: meaning %d, lookup %d", round, p, want, got);
		}
		free(e);
	}
	free(nw);
}

static void test_kernel_agrees(void **state)
{
	bh_npc_env env;
	bh_error err;
	size_t agreed = 0;
	(void)state;
	env_init(&env);
	if (geteuid() != 0) {
		printf("SKIP kernel agreement: not root (BPF_PROG_TEST_RUN of the ingress program needs CAP_BPF)\n");
		return;
	}
	for (int round = 0; round < 40; round++) {
		bh_netpol_rule r[12];
		size_t nr = 1 + rnd(12), n = 0, cap = 0;
		bh_npc_entry *e = NULL;
		bh_netpol_probe probes[100];
		int allowed[100];
		int rc;
		rnd_rules(r, nr);
		assert_int_equal(bh_npcompile_rules(9, r, nr, &env, &e, &n, &cap, &err), 0);
		for (int p = 0; p < 100; p++) {
			static const uint16_t pp[] = { 22, 23, 53, 443, 5432, 8080 };
			rnd_addr(probes[p].src);
			probes[p].sport = (uint16_t)(40000 + round * 100 + p); /* no UDP flow remembered from an earlier probe */
			probes[p].dport = pp[rnd(6)];
			probes[p].proto = rnd(2) ? 6 : 17;
		}
		rc = bh_netpol_kernel_check(e, n, 9, probes, 100, allowed, &err);
		if (rc == BH_EUNSUPPORTED) {
			printf("SKIP kernel agreement: %s\n", err.msg);
			free(e);
			return;
		}
		assert_int_equal(rc, 0);
		for (int p = 0; p < 100; p++) {
			bool want = bh_npcompile_allowed(e, n, 9, BH_NP_DIR_INGRESS, probes[p].proto, probes[p].dport, probes[p].src);
			if (want != (allowed[p] != 0))
				{ char s[64]; bh_ctnet_addr_str(probes[p].src, s, sizeof(s)); fail_msg("round %d probe %d (%s %u/%u): user space %d, kernel %d", round, p, s, probes[p].dport, probes[p].proto, want, allowed[p]); }
			agreed++;
		}
		free(e);
	}
	printf("kernel agreement: %zu probes, the ingress program and bh_npcompile_allowed agree on every one\n", agreed);
}

static void test_nft(void **state)
{
	bh_npc_env env;
	bh_netpol_rule r[2];
	bh_npc_entry *e = NULL;
	size_t n = 0, cap = 0;
	bh_buf b = BH_BUF_INIT;
	bh_error err;
	(void)state;
	env_init(&env);
	r[0] = rule(BH_NETPOL_INGRESS, 6, 5432, BH_NETPOL_PEER_NAME);
	snprintf(r[0].value, sizeof(r[0].value), "app");
	r[1] = rule(BH_NETPOL_EGRESS, 6, 443, BH_NETPOL_PEER_WORLD);
	assert_int_equal(bh_npcompile_rules(4, r, 2, &env, &e, &n, &cap, &err), 0);
	assert_int_equal(bh_npcompile_nft(e, n, 4, BH_NETPOL_PROTECT, true, true, &b), 0);
	assert_non_null(strstr(b.data, "ip saddr { 10.88.0.5/32 } meta l4proto tcp th dport 5432 accept"));
	assert_non_null(strstr(b.data, "ip daddr != {"));
	assert_non_null(strstr(b.data, "10.88.0.0/16"));
	assert_non_null(strstr(b.data, "reject with tcp reset comment \"bh-block-in\""));
	bh_buf_reset(&b);
	assert_int_equal(bh_npcompile_nft(e, n, 4, BH_NETPOL_AUDIT, true, false, &b), 0);
	assert_non_null(strstr(b.data, "counter accept comment \"bh-audit-in\""));
	assert_null(strstr(b.data, "bh-audit-out"));
	bh_buf_free(&b);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_random_meaning),
		cmocka_unit_test(test_kernel_agrees),
		cmocka_unit_test(test_nft),
	};
	return cmocka_run_group_tests_name("npcompile", tests, NULL, NULL);
}
