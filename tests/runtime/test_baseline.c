/* test_baseline.c - baselines (runtime/baseline.c): matching of each kind (globs, parents, digests, peers by
 * image, CIDR, host and world), the reason a miss names, generalisation, YAML round trips, diffs and the bounds;
 * what protect mode gives the kernel (blmon's allowed executables with their parents, the path hash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "runtime/baseline.h"
#include "runtime/blmon.h"
#include "runtime/bpf/record.h"

static bh_baseline *mk(void)
{
	bh_baseline *b;
	bh_error err;
	static const char doc[] =
		"repository: localhost/app\nmode: monitor\n"
		"processes:\n"
		"  - {exe: /usr/bin/app, parent: \"(engine)\"}\n"
		"  - {exe: /bin/sleep, parent: /usr/bin/app, sha256: \"4add4bb89d8ca0e3b1bd861130ddd7ae0fd9617a8055de0a38c8d2ca1ac95723\"}\n"
		"  - {exe: \"/opt/tools/*\"}\n"
		"files:\n  - {path: \"/tmp/*\", access: w}\n  - {path: /etc/app.conf, access: r}\n"
		"listen:\n  - {proto: tcp, port: 8080}\n"
		"outbound:\n  - {peer: \"image:localhost/db\", proto: tcp, port: 5432}\n  - {peer: 10.0.0.0/8, proto: udp, port: 53}\n"
		"  - {peer: world, proto: tcp, port: 443}\n"
		"inbound:\n  - {peer: host, proto: tcp, port: 8080}\n"
		"capabilities: [CAP_NET_BIND_SERVICE]\n";
	assert_int_equal(bh_baseline_load(doc, strlen(doc), "t.yaml", &b, &err), 0);
	return b;
}

static bool m(const bh_baseline *b, bh_bl_obs o, char *why)
{
	char tmp[600];
	return bh_baseline_match(b, &o, why ? why : tmp, why ? 600 : sizeof(tmp));
}

static void test_process(void **st)
{
	bh_baseline *b = mk();
	char why[600];
	(void)st;
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/usr/bin/app", .parent = BH_BL_PARENT_ENGINE }, NULL));
	/* a parent not known matches any */
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/usr/bin/app" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/usr/bin/app", .parent = "/bin/sh" }, why));
	assert_non_null(strstr(why, "processes[0]"));
	assert_non_null(strstr(why, "another parent"));
	/* the digest: the same is fine, another one is named, not knowing it is fine */
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/bin/sleep", .parent = "/usr/bin/app",
				      .sha256 = "4add4bb89d8ca0e3b1bd861130ddd7ae0fd9617a8055de0a38c8d2ca1ac95723" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/bin/sleep", .parent = "/usr/bin/app",
				       .sha256 = "0000000000000000000000000000000000000000000000000000000000000000" }, why));
	assert_non_null(strstr(why, "sha256 was 4add4bb89d8c"));
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/bin/sleep", .parent = "/usr/bin/app" }, NULL));
	/* globs stay inside one component; relative paths never match absolute patterns */
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/opt/tools/x", .parent = "/x" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/opt/tools/a/b" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "usr/bin/app" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_PROCESS, .exe = "/bin/sh", .parent = "/usr/bin/app" }, why));
	assert_non_null(strstr(why, "no processes entry matches (3 entries"));
	bh_baseline_free(b);
}

struct exes {
	char rows[8][300];
	size_t n;
};

static int exe_cb(void *ud, const char *path, const char *parent)
{
	struct exes *x = ud;
	if (x->n < 8)
		snprintf(x->rows[x->n++], sizeof(x->rows[0]), "%s<%s", path, parent ? parent : "*");
	return 0;
}

/* protect mode's kernel lists: exact executables with their exact parents; a directory pattern
 * under any parent (the kernel matches it); a glob or "*" parent and the health check run under any
 * parent; another exe pattern is named in unkernel (the kernel cannot hold that baseline) */
static void test_allowed_exes(void **st)
{
	static const char doc[] = "repository: localhost/app\nmode: protect\nprocesses:\n"
				  "  - {exe: /usr/bin/app, parent: \"(engine)\"}\n"
				  "  - {exe: /bin/sleep, parent: /usr/bin/app}\n"
				  "  - {exe: /bin/sleep, parent: \"/opt/*\"}\n"
				  "  - {exe: /bin/date, parent: \"*\"}\n"
				  "  - {exe: \"/opt/tools/*\"}\n";
	bh_baseline *b;
	bh_error err;
	bh_rt_container ct;
	struct exes x;
	(void)st;
	assert_int_equal(bh_baseline_load(doc, strlen(doc), "t.yaml", &b, &err), 0);
	memset(&ct, 0, sizeof(ct));
	ct.healthcheck = "/bin/check --quick";
	const char *unk = "unset";
	memset(&x, 0, sizeof(x));
	assert_int_equal(bh_blmon_allowed_exes(b, &ct, exe_cb, &x, &unk), 0);
	assert_null(unk);
	assert_int_equal(x.n, 6);
	assert_string_equal(x.rows[0], "/usr/bin/app<(engine)");
	assert_string_equal(x.rows[1], "/bin/sleep</usr/bin/app");
	assert_string_equal(x.rows[2], "/bin/sleep<*");
	assert_string_equal(x.rows[3], "/bin/date<*");
	assert_string_equal(x.rows[4], "/opt/tools/*<*");
	assert_string_equal(x.rows[5], "/bin/check<*");
	bh_baseline_free(b);
	{
		static const char doc2[] = "repository: localhost/app\nmode: protect\nprocesses:\n"
					   "  - {exe: /usr/bin/app}\n"
					   "  - {exe: \"/usr/lib/python3.*/x\"}\n"
					   "  - {exe: \"/opt/**\"}\n";
		assert_int_equal(bh_baseline_load(doc2, strlen(doc2), "t2.yaml", &b, &err), 0);
		memset(&x, 0, sizeof(x));
		assert_int_equal(bh_blmon_allowed_exes(b, NULL, exe_cb, &x, &unk), 0);
		assert_int_equal(x.n, 1);
		assert_string_equal(x.rows[0], "/usr/bin/app<*");
		assert_non_null(unk);
		assert_string_equal(unk, "/usr/lib/python3.*/x");
		bh_baseline_free(b);
	}
	/* the kernel's pattern: a directory, a slash and a star, nothing else a glob */
	assert_true(bh_blmon_kernel_pattern("/opt/tools/*"));
	assert_true(bh_blmon_kernel_pattern("/*"));
	assert_false(bh_blmon_kernel_pattern("/opt/**"));
	assert_false(bh_blmon_kernel_pattern("/opt/*/x"));
	assert_false(bh_blmon_kernel_pattern("/opt/t*"));
	assert_false(bh_blmon_kernel_pattern("/opt/[ab]/*"));
	assert_false(bh_blmon_kernel_pattern("/opt/a\\*/*"));
	assert_false(bh_blmon_kernel_pattern("opt/*"));
	assert_false(bh_blmon_kernel_pattern("*"));
	/* the path hash both sides key the kernel's maps with: FNV-1a 64 (the published test vectors) */
	assert_true(bh_rec_hash("") == 0xcbf29ce484222325ULL);
	assert_true(bh_rec_hash("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(bh_rec_hash("foobar") == 0x85944171f73967e8ULL);
}

static void test_files_net_caps(void **st)
{
	bh_baseline *b = mk();
	char why[600];
	(void)st;
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_FILE, .path = "/tmp/x", .access = "w" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_FILE, .path = "/tmp/a/x", .access = "w" }, NULL));
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_FILE, .path = "/etc/app.conf", .access = "r" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_FILE, .path = "/etc/app.conf", .access = "w" }, NULL));
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_LISTEN, .proto = "tcp", .port = 8080 }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_LISTEN, .proto = "udp", .port = 8080 }, NULL));
	/* a container peer by its image, whatever its address */
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "tcp", .port = 5432, .peer_addr = "10.88.0.9",
				      .peer_name = "image:localhost/db", .peer_private = true }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "tcp", .port = 5433, .peer_addr = "10.88.0.9",
				       .peer_name = "image:localhost/db", .peer_private = true }, why));
	assert_non_null(strstr(why, "outbound[0]"));
	/* CIDR; an IPv4-mapped IPv6 address (a dual-stack socket's IPv4 peer) is that IPv4 address, as
	 * the kernel's policy (netpol, v4-mapped keys) sees it; a native IPv6 one is not */
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "udp", .port = 53, .peer_addr = "10.1.2.3", .peer_private = true }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "udp", .port = 53, .peer_addr = "11.1.2.3" }, NULL));
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "udp", .port = 53, .peer_addr = "::ffff:10.1.2.3" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "udp", .port = 53, .peer_addr = "fd00::10:1:2:3" }, NULL));
	/* world: neither private nor a known container or the host */
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "tcp", .port = 443, .peer_addr = "93.184.216.34" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_OUTBOUND, .proto = "tcp", .port = 443, .peer_addr = "192.168.1.1", .peer_private = true }, NULL));
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_INBOUND, .proto = "tcp", .port = 8080, .peer_addr = "10.88.0.1", .peer_name = "host" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_INBOUND, .proto = "tcp", .port = 8080, .peer_addr = "10.88.0.7",
				       .peer_name = "image:localhost/other" }, NULL));
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_CAPABILITY, .cap = "CAP_NET_BIND_SERVICE" }, NULL));
	assert_false(m(b, (bh_bl_obs){ .kind = BH_BL_CAPABILITY, .cap = "CAP_SYS_ADMIN" }, NULL));
	bh_baseline_free(b);
}

static void test_learn_generalize_roundtrip(void **st)
{
	bh_baseline *b, *b2;
	bh_error err;
	bh_buf y = BH_BUF_INIT;
	bool added;
	char p[64];
	json_t *d;
	(void)st;
	assert_int_equal(bh_baseline_new("localhost/db", "sha256:ab", &b, &err), 0);
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "/var/lib/db/file%d", i);
		bh_bl_entry e = { .kind = BH_BL_FILE, .a = p, .b = "w", .last_seen = 100 + (uint64_t)i };
		assert_int_equal(bh_baseline_add(b, &e, &added, &err), 0);
		assert_true(added);
	}
	bh_bl_entry again = { .kind = BH_BL_FILE, .a = "/var/lib/db/file0", .b = "w", .last_seen = 200 };
	assert_int_equal(bh_baseline_add(b, &again, &added, &err), 0);
	assert_false(added);
	bh_bl_entry one = { .kind = BH_BL_FILE, .a = "/etc/db.conf", .b = "w" };
	assert_int_equal(bh_baseline_add(b, &one, NULL, &err), 0);
	assert_int_equal(bh_baseline_count(b, BH_BL_FILE), 7);
	assert_int_equal(bh_baseline_generalize(b, &err), 0);
	assert_int_equal(bh_baseline_count(b, BH_BL_FILE), 2);
	assert_true(m(b, (bh_bl_obs){ .kind = BH_BL_FILE, .path = "/var/lib/db/file99", .access = "w" }, NULL));
	assert_int_equal(bh_baseline_to_yaml(b, &y), 0);
	assert_int_equal(bh_baseline_load(y.data, y.len, "y", &b2, &err), 0);
	d = bh_baseline_diff(b, b2);
	assert_int_equal(json_array_size(json_object_get(d, "added")), 0);
	assert_int_equal(json_array_size(json_object_get(d, "removed")), 0);
	json_decref(d);
	bh_baseline_set_mode(b2, BH_BL_PROTECT);
	bh_bl_entry sh = { .kind = BH_BL_PROCESS, .a = "/bin/sh", .b = "/usr/bin/app", .source = "accepted" };
	assert_int_equal(bh_baseline_add(b2, &sh, NULL, &err), 0);
	d = bh_baseline_diff(b, b2);
	assert_int_equal(json_array_size(json_object_get(d, "added")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "mode"), "to")), "protect");
	json_decref(d);
	assert_int_equal(bh_baseline_remove(b2, &sh), 1);
	assert_int_equal(bh_baseline_count(b2, BH_BL_PROCESS), 0);
	bh_buf_free(&y);
	bh_baseline_free(b);
	bh_baseline_free(b2);
}

static void test_refusals(void **st)
{
	bh_baseline *b;
	bh_error err;
	char big[600];
	(void)st;
	static const char *const bad[] = {
		"mode: monitor\n",                                                  /* no repository */
		"repository: a\nmode: spy\n",                                       /* mode */
		"repository: a\noutbound: [{peer: \"10.0.0.0/33\", port: 1}]\n",    /* prefix */
		"repository: a\noutbound: [{peer: somewhere, port: 1}]\n",          /* peer form */
		"repository: a\nlisten: [{proto: sctp, port: 1}]\n",                /* proto */
		"repository: a\nlisten: [{proto: tcp, port: 70000}]\n",             /* port */
		"repository: a\nprocesses: [{exe: /x, sha256: zz}]\n",              /* digest */
		"repository: a\nprocesses: {exe: /x}\n",                            /* not a list */
		"apiVersion: other/v9\nrepository: a\n",                            /* version */
		"repository: a\nfiles: [{path: /x, first_seen: yesterday}]\n",     /* time */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = 0;
		assert_int_not_equal(bh_baseline_load(bad[i], strlen(bad[i]), "bad.yaml", &b, &err), 0);
		assert_non_null(strstr(err.msg, "bad.yaml"));
		assert_null(b);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(bh_baseline_new("r", NULL, &b, &err), 0);
	bh_bl_entry e = { .kind = BH_BL_FILE, .a = big };
	assert_int_equal(bh_baseline_add(b, &e, NULL, &err), BH_EINVAL);
	for (int i = 0; i < BH_BL_ENTRIES_MAX; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/f%d", i);
		bh_bl_entry f = { .kind = BH_BL_FILE, .a = p };
		assert_int_equal(bh_baseline_add(b, &f, NULL, &err), 0);
	}
	bh_bl_entry over = { .kind = BH_BL_FILE, .a = "/over" };
	assert_int_equal(bh_baseline_add(b, &over, NULL, &err), BH_ELIMIT);
	bh_baseline_free(b);
}

static void test_repository_of(void **st)
{
	char r[64];
	(void)st;
	assert_true(bh_registry_repository_of("localhost/app:1.0", r, sizeof(r)));
	assert_string_equal(r, "localhost/app");
	assert_true(bh_registry_repository_of("reg:5000/team/app", r, sizeof(r)));
	assert_string_equal(r, "reg:5000/team/app");
	assert_true(bh_registry_repository_of("reg:5000/app@sha256:abcd", r, sizeof(r)));
	assert_string_equal(r, "reg:5000/app");
	assert_false(bh_registry_repository_of("", r, sizeof(r)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_allowed_exes),
		cmocka_unit_test(test_files_net_caps),
		cmocka_unit_test(test_learn_generalize_roundtrip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_repository_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
