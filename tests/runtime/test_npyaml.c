/* test_npyaml.c - the network policy file: every peer and port form, defaults and modes, and errors that name the path of what is wrong; selectors against containers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/npyaml.h"

static int parse(const char *y, bh_npyaml_doc *d, bh_error *e)
{
	return bh_npyaml_parse(y, strlen(y), "p.yaml", d, e);
}

static void test_full(void **state)
{
	static const char y[] =
		"version: 1\n"
		"mode: protect\n"
		"unmapped: deny\n"
		"default_deny:\n"
		"  - namespace: podman\n"
		"  - label: tier=db\n"
		"policies:\n"
		"  - name: db\n"
		"    match: {image: localhost/db, label: tier=db}\n"
		"    default: {ingress: deny, egress: allow}\n"
		"    ingress:\n"
		"      - from: [{image: localhost/app}, {label: role=api}, {name: web}, {network: backend}, {cidr: 10.0.0.0/8}, host, world, any, 192.168.1.5, 'fd00::/8']\n"
		"        ports: [5432, '6000-6002', any]\n"
		"        proto: tcp\n"
		"  - name: dns\n"
		"    match: {name: app}\n"
		"    mode: audit\n"
		"    default: allow\n"
		"    egress:\n"
		"      - to: host\n"
		"        ports: 53\n"
		"        proto: udp\n"
		"      - to: any\n"
		"        proto: any\n";
	bh_npyaml_doc d;
	bh_error e;
	const bh_netpol_rule *r;
	(void)state;

	assert_int_equal(parse(y, &d, &e), 0);
	assert_int_equal(d.mode, BH_NETPOL_PROTECT);
	assert_int_equal(d.unmapped_deny, 1);
	assert_int_equal(d.ndd, 2);
	assert_string_equal(d.dd[0].network, "podman");
	assert_string_equal(d.dd[1].label, "tier=db");
	assert_int_equal(d.npol, 2);
	assert_string_equal(d.pol[0].match.image, "localhost/db");
	assert_string_equal(d.pol[0].match.label, "tier=db");
	assert_true(d.pol[0].deny_ingress);
	assert_false(d.pol[0].deny_egress);
	assert_int_equal(d.pol[0].mode, BH_NETPOL_PROTECT); /* the file's */
	assert_int_equal(d.pol[0].nrules, 10 * 3);
	r = &d.pol[0].rules[0];
	assert_int_equal(r->dir, BH_NETPOL_INGRESS);
	assert_int_equal(r->peer, BH_NETPOL_PEER_IMAGE);
	assert_string_equal(r->value, "localhost/app");
	assert_int_equal(r->port, 5432);
	assert_int_equal(r->proto, 6);
	assert_int_equal(d.pol[0].rules[1].port, 6000);
	assert_int_equal(d.pol[0].rules[1].port_end, 6002);
	assert_int_equal(d.pol[0].rules[2].port, 0);
	assert_int_equal(d.pol[0].rules[3].peer, BH_NETPOL_PEER_LABEL);
	assert_int_equal(d.pol[0].rules[6].peer, BH_NETPOL_PEER_NAME);
	assert_int_equal(d.pol[0].rules[9].peer, BH_NETPOL_PEER_NETWORK);
	r = &d.pol[0].rules[12];
	assert_int_equal(r->peer, BH_NETPOL_PEER_CIDR);
	assert_int_equal(r->prefix, 96 + 8);
	assert_int_equal(r->addr[12], 10);
	assert_int_equal(d.pol[0].rules[15].peer, BH_NETPOL_PEER_HOST);
	assert_int_equal(d.pol[0].rules[18].peer, BH_NETPOL_PEER_WORLD);
	assert_int_equal(d.pol[0].rules[21].peer, BH_NETPOL_PEER_ANY);
	r = &d.pol[0].rules[24];
	assert_int_equal(r->prefix, 128);
	assert_int_equal(r->addr[15], 5);
	r = &d.pol[0].rules[27];
	assert_int_equal(r->prefix, 8);
	assert_int_equal(r->addr[0], 0xfd);
	assert_int_equal(d.pol[1].mode, BH_NETPOL_AUDIT);
	assert_false(d.pol[1].deny_ingress);
	assert_false(d.pol[1].deny_egress);
	assert_int_equal(d.pol[1].nrules, 2);
	assert_int_equal(d.pol[1].rules[0].proto, 17);
	assert_int_equal(d.pol[1].rules[0].port, 53);
	assert_int_equal(d.pol[1].rules[1].proto, 0);
	assert_int_equal(d.pol[1].rules[1].port, 0);
	assert_int_equal(d.nrules, 32);
	bh_npyaml_free(&d);
}

/* Each broken document fails with BH_EINVAL and a message naming where. */
static void test_errors(void **state)
{
	static const struct { const char *y, *want; } cases[] = {
		{ "policies:\n  - name: a\n    match: {name: x}\n    ingress:\n      - from: any\n        ports: [70000]\n", "p.yaml: policies[0].ingress[0].ports[0]: \"70000\" is not a port" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    ingres: []\n", "policies[0]: unknown key \"ingres\"" },
		{ "mode: block\n", "mode: mode must be audit, protect or off, not \"block\"" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - to: [{cidr: 10.0.0.0/33}]\n", "policies[0].egress[0].to[0].cidr: \"10.0.0.0/33\": prefix too long" },
		{ "policies:\n  - name: a\n    match: {name: x}\n  - name: a\n    match: {name: y}\n", "policies[1]: name \"a\" is used by an earlier policy" },
		{ "policies:\n  - name: a\n    match: {}\n", "policies[0].match: must be a map" },
		{ "policies:\n  - name: a\n", "policies[0]: needs match" },
		{ "policies:\n  - match: {name: x}\n", "policies[0]: needs a name" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - ports: [1]\n", "policies[0].egress[0]: needs to:" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - to: any\n        proto: icmp\n", "policies[0].egress[0].proto: must be tcp, udp or any, not \"icmp\"" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - to: any\n        ports: ['1-2000']\n", "a range of at most 1024 ports" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - to: [{cidr: 1.2.3.4, name: y}]\n", "to[0]: a peer is any" },
		{ "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - to: [not-an-address]\n", "\"not-an-address\" is not an address or CIDR" },
		{ "a: &x 1\nb: *x\n", "aliases are not accepted" },
		{ "version: 2\n", "only version 1 is known" },
		{ "- 1\n", "(top): must be a map" },
		{ "unmapped: maybe\n", "unmapped: must be deny or allow" },
		{ "policies:\n  - name: \"a\\x01\"\n    match: {name: x}\n", "has a control character: \"a\\x01\"" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bh_npyaml_doc d;
		bh_error e;
		int rc = parse(cases[i].y, &d, &e);
		if (rc != BH_EINVAL || !strstr(e.msg, cases[i].want))
			fail_msg("case %zu: rc %d, message \"%s\", wanted \"%s\"", i, rc, rc ? e.msg : "", cases[i].want);
		bh_npyaml_free(&d);
	}
}

static void test_limits(void **state)
{
	bh_npyaml_doc d;
	bh_error e;
	char *big = malloc(BH_NPYAML_MAX_SIZE + 2);
	(void)state;
	assert_non_null(big);
	memset(big, ' ', BH_NPYAML_MAX_SIZE + 1);
	big[BH_NPYAML_MAX_SIZE + 1] = 0;
	assert_int_equal(bh_npyaml_parse(big, BH_NPYAML_MAX_SIZE + 1, "big", &d, &e), BH_ELIMIT);
	bh_npyaml_free(&d);
	free(big);
	/* 257 ports in one rule */
	{
		size_t cap = 8192, n = 0;
		char *y = malloc(cap);
		assert_non_null(y);
		n += (size_t)snprintf(y + n, cap - n, "policies:\n  - name: a\n    match: {name: x}\n    egress:\n      - to: any\n        ports: [");
		for (int i = 1; i <= 257; i++)
			n += (size_t)snprintf(y + n, cap - n, "%d,", i);
		snprintf(y + n - 1, cap - n + 1, "]\n");
		assert_int_equal(parse(y, &d, &e), BH_EINVAL);
		assert_non_null(strstr(e.msg, "hold 1 to 256 entries"));
		bh_npyaml_free(&d);
		free(y);
	}
}

static void test_selectors(void **state)
{
	bh_ctnet_ct ct;
	bh_npyaml_sel s;
	(void)state;
	memset(&ct, 0, sizeof(ct));
	snprintf(ct.id, sizeof(ct.id), "%064d", 7);
	snprintf(ct.name, sizeof(ct.name), "db-1");
	snprintf(ct.image, sizeof(ct.image), "postgres:15");
	snprintf(ct.digest, sizeof(ct.digest), "sha256:abc");
	ct.labels = json_pack("{s:s}", "tier", "db");
	ct.nnets = 1;
	snprintf(ct.nets[0].name, sizeof(ct.nets[0].name), "backend");
	memset(&s, 0, sizeof(s));
	assert_false(bh_npyaml_sel_match(&s, &ct)); /* an empty selector selects nothing */
	snprintf(s.image, sizeof(s.image), "docker.io/library/postgres");
	assert_true(bh_npyaml_sel_match(&s, &ct));
	snprintf(s.label, sizeof(s.label), "tier=db");
	snprintf(s.network, sizeof(s.network), "backend");
	assert_true(bh_npyaml_sel_match(&s, &ct));
	snprintf(s.label, sizeof(s.label), "tier=web");
	assert_false(bh_npyaml_sel_match(&s, &ct));
	memset(&s, 0, sizeof(s));
	snprintf(s.image, sizeof(s.image), "postgres:16");
	assert_false(bh_npyaml_sel_match(&s, &ct));
	snprintf(s.image, sizeof(s.image), "postgres@sha256:abc");
	assert_true(bh_npyaml_sel_match(&s, &ct));
	snprintf(s.image, sizeof(s.image), "postgres@sha256:def");
	assert_false(bh_npyaml_sel_match(&s, &ct));
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "db-1");
	assert_true(bh_npyaml_sel_match(&s, &ct));
	memset(&s, 0, sizeof(s));
	snprintf(s.label, sizeof(s.label), "tier");
	assert_true(bh_npyaml_sel_match(&s, &ct));
	bh_ctnet_ct_clear(&ct);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_selectors),
	};
	return cmocka_run_group_tests_name("npyaml", tests, NULL, NULL);
}
