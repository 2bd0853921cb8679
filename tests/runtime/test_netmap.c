/* test_netmap.c - the network map: /proc/net tables parsed (IPv4, IPv6, junk), sensor events and byte counters folded into edges counted once (also over many reads: counters made anew, peers hooked then gone, counters forgotten), the change counter and capped snapshots, existing connections from a /proc tree, the JSON shape; container inspect documents read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/netmap.h"

static const char tcp4[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
	"   1: 0600580A:1538 0500580A:A2C4 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1\n"
	"   2: 0600580A:D431 08080808:01BB 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1\n"
	"   3: garbage\n"
	"   4: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 20 4 30 10 -1\n";

static const char tcp6[] =
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 000000FD000000000000000006000000:1F90 000000FD000000000000000009000000:B3E2 01 00000000:00000000 00:00000000 00000000     0        0 5 1 0 20 4 30 10 -1\n";

static void test_parse(void **state)
{
	bh_netmap_sock s[8];
	bh_error err;
	size_t bad = 0;
	int n;
	(void)state;

	n = bh_netmap_parse_proc_net(tcp4, strlen(tcp4), false, s, 8, &bad, &err);
	assert_int_equal(n, 4);
	assert_int_equal(bad, 1);
	assert_int_equal(s[0].state, 10);
	assert_int_equal(s[0].lport, 5432);
	assert_int_equal(s[1].state, 1);
	assert_int_equal(s[1].local[12], 10);
	assert_int_equal(s[1].local[13], 88);
	assert_int_equal(s[1].local[15], 6);
	assert_int_equal(s[1].remote[15], 5);
	assert_int_equal(s[1].rport, 0xA2C4);
	assert_int_equal(s[2].rport, 443);
	assert_int_equal(s[3].local[12], 127);
	n = bh_netmap_parse_proc_net(tcp6, strlen(tcp6), true, s, 8, &bad, &err);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].local[0], 0xfd);
	assert_int_equal(s[0].local[15], 6);
	assert_int_equal(s[0].remote[15], 9);
	assert_int_equal(s[0].lport, 8080);
	/* the IPv4 table read as IPv6: every line refused, none misread */
	n = bh_netmap_parse_proc_net(tcp4, strlen(tcp4), true, s, 8, &bad, &err);
	assert_int_equal(n, 0);
	assert_int_equal(bh_netmap_parse_proc_net("nope\n", 5, false, s, 8, &bad, &err), BH_EINVAL);
	/* max bounds the output */
	assert_int_equal(bh_netmap_parse_proc_net(tcp4, strlen(tcp4), false, s, 2, &bad, &err), 2);
}

static void set_ct(bh_ctnet_ct *ct, int n, const char *name, int ip_last, int pid, uint64_t cg)
{
	memset(ct, 0, sizeof(*ct));
	snprintf(ct->id, sizeof(ct->id), "%064d", n);
	snprintf(ct->name, sizeof(ct->name), "%s", name);
	snprintf(ct->image, sizeof(ct->image), "localhost/%s:1", name);
	snprintf(ct->digest, sizeof(ct->digest), "sha256:%064d", n);
	ct->labels = json_pack("{s:s}", "role", name);
	ct->pid = pid;
	ct->cgroup_id = cg;
	ct->nnets = 1;
	snprintf(ct->nets[0].name, sizeof(ct->nets[0].name), "podman");
	bh_ctnet_addr_parse("10.88.0.1", ct->nets[0].gw4);
	ct->nets[0].hasgw4 = true;
	{
		char a[32];
		snprintf(a, sizeof(a), "10.88.0.%d", ip_last);
		bh_ctnet_addr_parse(a, ct->nets[0].ip4);
	}
	ct->nets[0].has4 = true;
}

static bh_rt_event net_event(bh_rt_type t, uint64_t cg, const char *peer, uint16_t dport, uint16_t proto)
{
	bh_rt_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.cgroup_id = cg;
	ev.family = AF_INET;
	ev.proto = proto;
	ev.wall_ns = 1700000000ull * 1000000000ull;
	inet_pton(AF_INET, peer, t == BH_RT_CONNECT ? ev.daddr : ev.saddr);
	ev.dport = dport;
	return ev;
}

static json_t *edge(json_t *map, const char *from, const char *to, int port, const char *proto)
{
	json_t *e = json_object_get(map, "edges");
	for (size_t i = 0; i < json_array_size(e); i++) {
		json_t *x = json_array_get(e, i);
		if (!strcmp(json_string_value(json_object_get(x, "from")), from) && !strcmp(json_string_value(json_object_get(x, "to")), to) &&
		    json_integer_value(json_object_get(x, "port")) == port && !strcmp(json_string_value(json_object_get(x, "proto")), proto))
			return x;
	}
	return NULL;
}

static void test_events(void **state)
{
	bh_ctnet_ct v[2];
	bh_ctnet cts = { v, 2 };
	bh_netmap *m;
	bh_error err;
	bh_rt_event ev;
	json_t *map, *e, *n;
	char app[80], db[80];
	uint8_t peer[16];
	(void)state;

	set_ct(&v[0], 1, "app", 5, 0, 100);
	set_ct(&v[1], 2, "db", 6, 0, 200);
	snprintf(app, sizeof(app), "container:%s", v[0].id);
	snprintf(db, sizeof(db), "container:%s", v[1].id);
	assert_int_equal(bh_netmap_new(&m, &err), 0);
	assert_int_equal(bh_netmap_set_containers(m, &cts, &err), 0);
	/* app connects to db (TCP): the connect is not counted, db's accept is */
	ev = net_event(BH_RT_CONNECT, 100, "10.88.0.6", 5432, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	ev = net_event(BH_RT_ACCEPT, 200, "10.88.0.5", 5432, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	/* app to the outside: its connect counts */
	ev = net_event(BH_RT_CONNECT, 100, "93.184.216.34", 443, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	/* loopback and the host's own traffic are not the map's */
	ev = net_event(BH_RT_CONNECT, 100, "127.0.0.1", 80, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	ev = net_event(BH_RT_CONNECT, 999, "93.184.216.34", 443, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	/* the host (the gateway) connects to db */
	ev = net_event(BH_RT_ACCEPT, 200, "10.88.0.1", 5432, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	/* bytes: both sides are hooked, so each side's out is counted; totals replace, not add */
	bh_ctnet_addr_parse("10.88.0.6", peer);
	assert_int_equal(bh_netmap_feed_bytes(m, 100, peer, 5432, 6, 1, 100, 400, true), 0);
	assert_int_equal(bh_netmap_feed_bytes(m, 100, peer, 5432, 6, 1, 150, 600, true), 0);
	bh_ctnet_addr_parse("10.88.0.5", peer);
	assert_int_equal(bh_netmap_feed_bytes(m, 200, peer, 5432, 6, 2, 600, 150, true), 0);
	bh_ctnet_addr_parse("93.184.216.34", peer);
	assert_int_equal(bh_netmap_feed_bytes(m, 100, peer, 443, 6, 1, 10, 20, false), 0);
	assert_int_equal(bh_netmap_to_json(m, &map, &err), 0);
	e = edge(map, app, db, 5432, "tcp");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "connections")), 2);
	assert_int_equal(json_integer_value(json_object_get(e, "bytes")), 750);
	assert_string_equal(json_string_value(json_object_get(e, "first_seen")), "2023-11-14T22:13:20.000Z");
	e = edge(map, app, "external:93.184.216.34", 443, "tcp");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "connections")), 1);
	assert_int_equal(json_integer_value(json_object_get(e, "bytes")), 30);
	assert_non_null(edge(map, "host", db, 5432, "tcp"));
	assert_int_equal(json_array_size(json_object_get(map, "edges")), 3);
	n = json_object_get(map, "nodes");
	assert_int_equal(json_array_size(n), 4);
	e = json_array_get(n, 0); /* containers first, by id */
	assert_string_equal(json_string_value(json_object_get(e, "id")), app);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "container");
	assert_string_equal(json_string_value(json_object_get(e, "name")), "app");
	assert_string_equal(json_string_value(json_object_get(e, "image")), "localhost/app:1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "labels"), "role")), "app");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "addresses"), 0)), "10.88.0.5");
	e = json_array_get(n, 2);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "host");
	assert_true(json_is_null(json_object_get(e, "image")));
	e = json_array_get(n, 3);
	assert_string_equal(json_string_value(json_object_get(e, "id")), "external:93.184.216.34");
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "external");
	json_decref(map);
	bh_netmap_free(m);
	bh_ctnet_ct_clear(&v[0]);
	bh_ctnet_ct_clear(&v[1]);
}

static long long edge_bytes(bh_netmap *m, const char *from, const char *to, int port)
{
	json_t *map = NULL, *e;
	bh_error err;
	long long b;
	assert_int_equal(bh_netmap_to_json(m, &map, &err), 0);
	e = edge(map, from, to, port, "tcp");
	assert_non_null(e);
	b = (long long)json_integer_value(json_object_get(e, "bytes"));
	json_decref(map);
	return b;
}

/* A long-running reader of the counters (the agent): totals read again and again are not added
 * twice, a counter made anew in the kernel (a smaller total) adds on top, a peer once known as
 * hooked stays so after it stopped (its own bytes out already hold our bytes in), and counters gone
 * from two reads in a row are forgotten while their bytes stay on the edge. */
static void test_bytes_reads(void **state)
{
	bh_ctnet_ct v[2];
	bh_ctnet cts = { v, 2 };
	bh_netmap *m;
	bh_error err;
	char app[80], db[80];
	uint8_t pdb[16], papp[16];
	uint64_t ch;
	(void)state;

	set_ct(&v[0], 1, "app", 5, 0, 100);
	set_ct(&v[1], 2, "db", 6, 0, 200);
	snprintf(app, sizeof(app), "container:%s", v[0].id);
	snprintf(db, sizeof(db), "container:%s", v[1].id);
	bh_ctnet_addr_parse("10.88.0.6", pdb);
	bh_ctnet_addr_parse("10.88.0.5", papp);
	assert_int_equal(bh_netmap_new(&m, &err), 0);
	assert_int_equal(bh_netmap_set_containers(m, &cts, &err), 0);
	/* read 1: db not known as hooked yet, app's bytes in count; db's own counter not there yet */
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 1000, 5000, false), 0);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(edge_bytes(m, app, db, 5432), 6000);
	/* read 2: the same totals again change nothing, not even the change counter */
	ch = bh_netmap_changes(m);
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 1000, 5000, false), 0);
	assert_int_equal(bh_netmap_changes(m), ch);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(edge_bytes(m, app, db, 5432), 6000);
	/* read 3: db is hooked now: app's in leaves (db's out holds it) */
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 1200, 6000, true), 0);
	assert_int_equal(bh_netmap_feed_bytes(m, 200, papp, 5432, 6, 2, 6000, 1200, true), 0);
	assert_true(bh_netmap_changes(m) > ch);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(edge_bytes(m, app, db, 5432), 7200);
	/* read 4: db stopped (no longer listed: peer_hooked false); its counter is still in the kernel */
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 1300, 6100, false), 0);
	assert_int_equal(bh_netmap_feed_bytes(m, 200, papp, 5432, 6, 2, 6100, 1300, false), 0);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(edge_bytes(m, app, db, 5432), 7400);
	/* read 5: app's counter was evicted and made anew (300 out since): on top of the 1300 */
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 300, 50, true), 0);
	assert_int_equal(bh_netmap_feed_bytes(m, 200, papp, 5432, 6, 2, 6100, 1300, true), 0);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(edge_bytes(m, app, db, 5432), 1300 + 300 + 6100);
	/* reads 6 and 7 without db's counter (evicted): forgotten after the second, the bytes stay */
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 300, 50, true), 0);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(bh_netmap_feed_bytes(m, 100, pdb, 5432, 6, 1, 300, 50, true), 0);
	assert_int_equal(bh_netmap_bytes_round(m), 1);
	assert_int_equal(edge_bytes(m, app, db, 5432), 7700);
	/* read 8: db's counter again (a new kernel entry): from 0 */
	assert_int_equal(bh_netmap_feed_bytes(m, 200, papp, 5432, 6, 2, 40, 0, true), 0);
	assert_int_equal(bh_netmap_bytes_round(m), 0);
	assert_int_equal(edge_bytes(m, app, db, 5432), 7740);
	bh_netmap_free(m);
	bh_ctnet_ct_clear(&v[0]);
	bh_ctnet_ct_clear(&v[1]);
}

/* The agent's snapshots: a change counter that moves only when the map does, and a cap that keeps
 * the most recently seen edges and only their nodes. */
static void test_cap_changes(void **state)
{
	bh_ctnet_ct v[1];
	bh_ctnet cts = { v, 1 };
	bh_netmap *m;
	bh_error err;
	bh_rt_event ev;
	json_t *map, *e;
	size_t dropped = 99;
	uint64_t c0;
	(void)state;

	set_ct(&v[0], 1, "app", 5, 0, 100);
	assert_int_equal(bh_netmap_new(&m, &err), 0);
	assert_int_equal(bh_netmap_set_containers(m, &cts, &err), 0);
	c0 = bh_netmap_changes(m);
	/* ignored events change nothing: loopback, and a TCP connect to a container (its accept counts) */
	ev = net_event(BH_RT_CONNECT, 100, "127.0.0.1", 80, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	ev = net_event(BH_RT_CONNECT, 100, "10.88.0.5", 80, 6);
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	assert_true(bh_netmap_changes(m) == c0);
	for (int i = 1; i <= 3; i++) {
		char a[32];
		snprintf(a, sizeof(a), "93.184.216.%d", i);
		ev = net_event(BH_RT_CONNECT, 100, a, 443, 6);
		ev.wall_ns += (uint64_t)i * 1000000000ull;
		assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	}
	assert_true(bh_netmap_changes(m) > c0);
	c0 = bh_netmap_changes(m);
	/* a connection again on an edge that exists: a change too */
	ev = net_event(BH_RT_CONNECT, 100, "93.184.216.1", 443, 6);
	ev.wall_ns += 4000000000ull;
	assert_int_equal(bh_netmap_feed(m, &ev, NULL), 0);
	assert_true(bh_netmap_changes(m) > c0);
	/* cap 2: the two most recently seen (.1 just now again, .3), nodes of those only */
	assert_int_equal(bh_netmap_to_json_max(m, 2, &map, &dropped, &err), 0);
	assert_int_equal(dropped, 1);
	assert_int_equal(json_array_size(json_object_get(map, "edges")), 2);
	assert_int_equal(json_array_size(json_object_get(map, "nodes")), 3);
	e = json_array_get(json_object_get(map, "edges"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "to")), "external:93.184.216.1");
	assert_int_equal(json_integer_value(json_object_get(e, "connections")), 2);
	e = json_array_get(json_object_get(map, "edges"), 1);
	assert_string_equal(json_string_value(json_object_get(e, "to")), "external:93.184.216.3");
	json_decref(map);
	/* no cap: all three, nothing dropped */
	assert_int_equal(bh_netmap_to_json_max(m, 0, &map, &dropped, &err), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(json_array_size(json_object_get(map, "edges")), 3);
	assert_int_equal(json_array_size(json_object_get(map, "nodes")), 4);
	json_decref(map);
	bh_netmap_free(m);
	bh_ctnet_ct_clear(&v[0]);
}

/* A /proc tree with both ends of one app -> db connection: counted once, in the right direction. */
static void test_scan_proc(void **state)
{
	char root[] = "/tmp/bhnetmap-XXXXXX", path[256];
	static const char db_tcp[] =
		"  sl  local_address rem_address   st\n"
		"   0: 00000000:1538 00000000:0000 0A\n"
		"   1: 0600580A:1538 0500580A:A2C4 01\n";
	static const char app_tcp[] =
		"  sl  local_address rem_address   st\n"
		"   0: 0500580A:A2C4 0600580A:1538 01\n"
		"   1: 0500580A:A2C5 08080808:01BB 01\n";
	bh_ctnet_ct v[2];
	bh_ctnet cts = { v, 2 };
	bh_netmap *m;
	bh_error err;
	json_t *map, *e;
	char app[80], db[80];
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(root));
	set_ct(&v[0], 1, "app", 5, 11, 100);
	set_ct(&v[1], 2, "db", 6, 22, 200);
	snprintf(app, sizeof(app), "container:%s", v[0].id);
	snprintf(db, sizeof(db), "container:%s", v[1].id);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%d", root, i ? 22 : 11);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%d/net", root, i ? 22 : 11);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%d/net/tcp", root, i ? 22 : 11);
		assert_non_null(f = fopen(path, "w"));
		fputs(i ? db_tcp : app_tcp, f);
		fclose(f);
	}
	assert_int_equal(bh_netmap_new(&m, &err), 0);
	assert_int_equal(bh_netmap_set_containers(m, &cts, &err), 0);
	assert_int_equal(bh_netmap_scan_proc(m, &cts, root, &err), 2);
	assert_int_equal(bh_netmap_to_json(m, &map, &err), 0);
	e = edge(map, app, db, 5432, "tcp");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "connections")), 1);
	assert_non_null(edge(map, app, "external:8.8.8.8", 443, "tcp"));
	assert_int_equal(json_array_size(json_object_get(map, "edges")), 2);
	json_decref(map);
	bh_netmap_free(m);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%d/net/tcp", root, i ? 22 : 11);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%d/net", root, i ? 22 : 11);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/%d", root, i ? 22 : 11);
		rmdir(path);
	}
	rmdir(root);
	bh_ctnet_ct_clear(&v[0]);
	bh_ctnet_ct_clear(&v[1]);
}

static void test_inspect(void **state)
{
	json_t *doc = json_loads("{\"Id\":\"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "\",\"Name\":\"/web\","
				 "\"Image\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"State\":{\"Pid\":42},"
				 "\"Config\":{\"Image\":\"nginx:1.25\",\"Labels\":{\"tier\":\"web\"}},\"HostConfig\":{\"NetworkMode\":\"bridge\"},"
				 "\"NetworkSettings\":{\"Networks\":{\"podman\":{\"IPAddress\":\"10.88.0.9\",\"IPPrefixLen\":16,\"Gateway\":\"10.88.0.1\","
				 "\"GlobalIPv6Address\":\"fd00::9\",\"GlobalIPv6PrefixLen\":64}}}}", 0, NULL);
	bh_ctnet_ct ct;
	bh_error err;
	uint8_t a[16];
	char s[64];
	(void)state;
	assert_non_null(doc);
	assert_int_equal(bh_ctnet_parse_inspect(doc, &ct, &err), 0);
	assert_string_equal(ct.name, "web");
	assert_string_equal(ct.image, "nginx:1.25");
	assert_string_equal(ct.digest, "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(ct.pid, 42);
	assert_int_equal(ct.nnets, 1);
	assert_true(ct.nets[0].has4 && ct.nets[0].has6 && ct.nets[0].hasgw4);
	assert_int_equal(ct.nets[0].prefix4, 16);
	bh_ctnet_addr_str(ct.nets[0].ip4, s, sizeof(s));
	assert_string_equal(s, "10.88.0.9");
	bh_ctnet_addr_parse("fd00::9", a);
	assert_true(bh_ctnet_has_addr(&ct, a));
	assert_true(bh_ctnet_image_match(&ct, "docker.io/library/nginx"));
	assert_true(bh_ctnet_image_match(&ct, "nginx:1.25"));
	assert_false(bh_ctnet_image_match(&ct, "nginx:1.26"));
	assert_false(bh_ctnet_image_match(&ct, "example.com/nginx"));
	assert_true(bh_ctnet_label_match(&ct, "tier=web"));
	bh_ctnet_ct_clear(&ct);
	json_decref(doc);
	doc = json_loads("{\"Id\":\"short\"}", 0, NULL);
	assert_int_equal(bh_ctnet_parse_inspect(doc, &ct, &err), BH_EINVAL);
	bh_ctnet_ct_clear(&ct);
	json_decref(doc);
}

/* Address prefixes as baselines and policies write them, over one 128-bit space (IPv4 v4-mapped). */
static void test_cidr(void **state)
{
	uint8_t net[16], a[16];
	unsigned plen;
	(void)state;
	assert_int_equal(bh_ctnet_cidr_parse("10.88.0.0/16", net, &plen), 0);
	assert_int_equal(plen, 112);
	assert_int_equal(bh_ctnet_addr_parse("10.88.3.4", a), 0);
	assert_true(bh_ctnet_cidr_contains(net, plen, a));
	assert_int_equal(bh_ctnet_addr_parse("10.89.0.1", a), 0);
	assert_false(bh_ctnet_cidr_contains(net, plen, a));
	assert_int_equal(bh_ctnet_cidr_parse("192.0.2.7", net, &plen), 0);
	assert_int_equal(plen, 128);
	assert_int_equal(bh_ctnet_cidr_parse("0.0.0.0/0", net, &plen), 0);
	assert_int_equal(plen, 96); /* every IPv4 address, no IPv6 one */
	assert_int_equal(bh_ctnet_addr_parse("2001:db8::1", a), 0);
	assert_false(bh_ctnet_cidr_contains(net, plen, a));
	assert_int_equal(bh_ctnet_cidr_parse("2001:db8::/32", net, &plen), 0);
	assert_int_equal(plen, 32);
	assert_true(bh_ctnet_cidr_contains(net, plen, a));
	/* refused: an empty or signed length, one past the family's width, no address, text */
	assert_int_equal(bh_ctnet_cidr_parse("10.0.0.0/", net, &plen), -1);
	assert_int_equal(bh_ctnet_cidr_parse("10.0.0.0/-1", net, &plen), -1);
	assert_int_equal(bh_ctnet_cidr_parse("10.0.0.0/33", net, &plen), -1);
	assert_int_equal(bh_ctnet_cidr_parse("::/129", net, &plen), -1);
	assert_int_equal(bh_ctnet_cidr_parse("/8", net, &plen), -1);
	assert_int_equal(bh_ctnet_cidr_parse("db.internal", net, &plen), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_bytes_reads),
		cmocka_unit_test(test_cap_changes),
		cmocka_unit_test(test_scan_proc),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_cidr),
	};
	return cmocka_run_group_tests_name("netmap", tests, NULL, NULL);
}
