/* test_container.c - CIS section 5 container checks on inspect documents captured from real podman containers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/container.h"
#include "support/checks.h"
#include "support/fixture.h"

#define FX "tests/fixtures/container/"

/*
 * The fixtures are GET /v1.41/containers/ID/json from `podman system service` (podman 4.3.1, runc,
 * ../shared/testbed/containers.conf); see tests/fixtures/container/README.md for the exact runs.
 * What podman's defaults are, and so what a default container gets:
 *   - Memory 0, NanoCpus/CpuQuota/CpuShares 0: no limit   -> 5.11, 5.12 (BH-CTR-011, -012)
 *   - ReadonlyRootfs false                                 -> 5.13 (BH-CTR-013)
 *   - SecurityOpt []: no no-new-privileges                 -> 5.26 (BH-CTR-026)
 *   - CapDrop []: default capabilities kept                -> 5.4  (BH-CTR-104, LOW)
 *   - Config.User "": root                                 -> BH-CTR-100 (no CIS id)
 *   - PidsLimit 2048 (containers.conf pids_limit)          -> no 5.29
 *   - Ulimits = containers.conf default_ulimits, finite    -> no 5.19
 *   - AppArmorProfile "": this host has no AppArmor        -> 5.2 not-applicable
 */

static json_t *load(const char *name)
{
	size_t n;
	char path[256], *d;
	json_t *j;
	json_error_t je;
	snprintf(path, sizeof(path), FX "%s", name);
	d = bh_test_slurp(path, &n);
	j = json_loadb(d, n, 0, &je);
	free(d);
	if (!j)
		fail_msg("%s: %s", path, je.text);
	return j;
}

static void run(const json_t *doc, bh_checks *l)
{
	bh_error e = { 0 };
	int rc = bh_container_check(doc, l, &e);
	if (rc)
		fail_msg("bh_container_check: %d %s", rc, e.msg);
}

/* Space-separated sorted rule ids of the failing findings: "BH-CTR-011 BH-CTR-013". */
static const char *fail_set(const bh_checks *l)
{
	return bh_test_rule_ids(l, NULL, NULL);
}

/* Every finding is well formed: category, target, title, why, fix, and a CIS 5.x id (or none). */
static void assert_shape(const bh_checks *l)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		const bh_check_finding *f = &l->items[i];
		assert_string_equal(f->category, "container");
		assert_non_null(f->target);
		assert_non_null(f->title);
		assert_non_null(f->why);
		assert_non_null(f->fix);
		assert_non_null(f->detail);
		assert_true(strncmp(f->rule, "BH-CTR-", 7) == 0);
		if (f->cis)
			assert_true(strncmp(f->cis, "5.", 2) == 0);
	}
}

/* The findings a privileged, host-network container with /var/run mounted gets, which a default one must not. */
static const char *const privileged_case[] = { "BH-CTR-005", "BH-CTR-010", "BH-CTR-022", "BH-CTR-032" };

static void test_privileged(void **state)
{
	json_t *j = load("podman-privileged.json");
	bh_checks l = { 0 };
	const bh_check_finding *f;
	(void)state;
	run(j, &l);
	assert_shape(&l);
	assert_string_equal(fail_set(&l),
			    "BH-CTR-005 BH-CTR-010 BH-CTR-011 BH-CTR-012 BH-CTR-013 BH-CTR-022 BH-CTR-026 BH-CTR-032 BH-CTR-100");
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-005"));
	assert_string_equal(f->cis, "5.5");
	assert_int_equal(f->severity, BH_SEV_CRITICAL);
	assert_string_equal(f->detail, "HostConfig.Privileged=true");
	assert_string_equal(f->title, "Ensure that privileged containers are not used");
	assert_string_equal(f->target, "bh-ctr-priv (7afd9f98d6e3)");
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-032"));
	assert_string_equal(f->cis, "5.32");
	assert_int_equal(f->severity, BH_SEV_CRITICAL);
	assert_string_equal(f->detail, "engine socket mounted: /var/run:/var/run (rw)");
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-010"));
	assert_string_equal(f->detail, "HostConfig.NetworkMode=host");
	/* podman writes no seccomp=unconfined for --privileged, but runs it without the filter */
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-022"));
	assert_non_null(strstr(f->detail, "Privileged=true"));
	/* privileged: "no capability dropped" would only repeat 5.5 */
	assert_null(bh_test_find(&l, "BH-CTR-104", 0));
	bh_checks_free(&l);
	json_decref(j);
}

static void test_default(void **state)
{
	json_t *j = load("podman-default.json");
	bh_checks l = { 0 };
	const bh_check_finding *f;
	size_t i;
	(void)state;
	run(j, &l);
	assert_shape(&l);
	for (i = 0; i < sizeof(privileged_case) / sizeof(*privileged_case); i++)
		assert_null(bh_test_find(&l, privileged_case[i], 0));
	/* see the list at the top: podman's defaults, not hardening mistakes of the test */
	assert_string_equal(fail_set(&l), "BH-CTR-011 BH-CTR-012 BH-CTR-013 BH-CTR-026 BH-CTR-100 BH-CTR-104");
	assert_non_null(f = bh_test_find(&l, "BH-CTR-002", 0));
	assert_string_equal(f->status, "not-applicable");
	assert_int_equal(f->severity, BH_SEV_UNKNOWN);
	assert_non_null(strstr(f->detail, "AppArmor is not enabled"));
	assert_string_equal(bh_test_failed(&l, "BH-CTR-100")->detail, "Config.User is empty: the process runs as root");
	assert_null(bh_test_find(&l, "BH-CTR-029", 0)); /* PidsLimit 2048 */
	assert_null(bh_test_find(&l, "BH-CTR-019", 0)); /* finite default ulimits */
	bh_checks_free(&l);
	json_decref(j);
}

static void test_hardened(void **state)
{
	json_t *j = load("podman-hardened.json");
	bh_checks l = { 0 };
	(void)state;
	run(j, &l);
	assert_shape(&l);
	/* --read-only --memory 64m --cpus 0.5 --pids-limit 100 --cap-drop ALL --security-opt no-new-privileges;
	 * it still runs as root (no --user) */
	assert_string_equal(fail_set(&l), "BH-CTR-100");
	assert_string_equal(bh_test_find(&l, "BH-CTR-002", 0)->status, "not-applicable");
	bh_checks_free(&l);
	json_decref(j);
}

static void test_risky(void **state)
{
	json_t *j = load("podman-risky.json");
	bh_checks l = { 0 };
	const bh_check_finding *f;
	(void)state;
	run(j, &l);
	assert_shape(&l);
	assert_string_equal(fail_set(&l), "BH-CTR-002 BH-CTR-003 BH-CTR-004 BH-CTR-006 BH-CTR-008 BH-CTR-011 BH-CTR-012 "
					  "BH-CTR-013 BH-CTR-014 BH-CTR-015 BH-CTR-016 BH-CTR-018 BH-CTR-020 BH-CTR-021 "
					  "BH-CTR-022 BH-CTR-026 BH-CTR-104");
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-004"));
	assert_string_equal(f->detail, "HostConfig.CapAdd adds SYS_ADMIN"); /* NET_BIND_SERVICE is in the safe set */
	assert_int_equal(f->severity, BH_SEV_HIGH);
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-006"));
	assert_string_equal(f->detail, "host system directory mounted: /etc:/host-etc (ro), /sys:/host-sys (rw)");
	assert_int_equal(f->severity, BH_SEV_HIGH); /* the writable /sys */
	assert_string_equal(bh_test_failed(&l, "BH-CTR-008")->detail, "privileged host port published: 0.0.0.0:80->8080/tcp");
	/* 127.0.0.1:8443 is bound to one interface */
	assert_string_equal(bh_test_failed(&l, "BH-CTR-014")->detail, "published on all host interfaces: 0.0.0.0:80->8080/tcp");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-015")->detail, "HostConfig.RestartPolicy=on-failure:10");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-018")->detail, "host devices: /dev/null:/dev/xnull");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-020")->detail, "shared mount propagation: /tmp/bh-ctr/shared:/shared (rw)");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-003")->detail, "HostConfig.SecurityOpt contains label=disable");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-002")->detail, "HostConfig.SecurityOpt contains apparmor=unconfined");
	/* The container was run with --ipc host and --userns host too, but podman 4.3's document says
	 * IpcMode "shareable" and UsernsMode "": nothing in it to see (Docker writes "host"). */
	assert_null(bh_test_find(&l, "BH-CTR-017", 0));
	assert_null(bh_test_find(&l, "BH-CTR-031", 0));
	assert_null(bh_test_find(&l, "BH-CTR-100", 0)); /* --user 1000 */
	assert_null(bh_test_find(&l, "BH-CTR-019", 0)); /* --ulimit nofile=1024:4096 is a finite override */
	bh_checks_free(&l);
	json_decref(j);
}

/* ---- one rule at a time: a patch on the default document that fires it, one that keeps it quiet ---- */

typedef struct rcase {
	const char *rule, *cis;
	const char *fire, *quiet; /* JSON merged into podman-default.json */
	const char *detail;       /* expected detail of the fired finding */
} rcase;

static const rcase cases[] = {
	{ "BH-CTR-002", "5.2", "{\"HostConfig\":{\"SecurityOpt\":[\"apparmor:unconfined\"]}}", "{\"AppArmorProfile\":\"docker-default\"}",
	  "HostConfig.SecurityOpt contains apparmor=unconfined" },
	{ "BH-CTR-003", "5.3", "{\"HostConfig\":{\"SecurityOpt\":[\"label=type:spc_t\"]}}",
	  "{\"HostConfig\":{\"SecurityOpt\":[\"label=type:container_t\"]}}", "HostConfig.SecurityOpt contains label=type:spc_t" },
	{ "BH-CTR-004", "5.4", "{\"HostConfig\":{\"CapAdd\":[\"net_admin\",\"CAP_NET_RAW\"]}}",
	  "{\"HostConfig\":{\"CapAdd\":[\"NET_BIND_SERVICE\",\"chown\",\"CAP_SETUID\"]}}", "HostConfig.CapAdd adds NET_ADMIN, NET_RAW" },
	{ "BH-CTR-104", "5.4", "{\"HostConfig\":{\"CapDrop\":null}}", "{\"HostConfig\":{\"CapDrop\":[\"ALL\"]}}",
	  "HostConfig.CapDrop is empty: the engine's default capability set is kept" },
	{ "BH-CTR-005", "5.5", "{\"HostConfig\":{\"Privileged\":true}}", "{\"HostConfig\":{\"Privileged\":false}}", "HostConfig.Privileged=true" },
	{ "BH-CTR-006", "5.6", "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/proc\",\"Destination\":\"/hp\",\"RW\":true}]}",
	  "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc/localtime\",\"Destination\":\"/etc/localtime\",\"RW\":false},"
	  "{\"Type\":\"bind\",\"Source\":\"/srv/data\",\"Destination\":\"/data\",\"RW\":true},"
	  "{\"Type\":\"volume\",\"Name\":\"v\",\"Source\":\"/var/lib/containers/storage/volumes/v/_data\",\"Destination\":\"/v\"}]}",
	  "host system directory mounted: /proc:/hp (rw)" },
	{ "BH-CTR-008", "5.8", "{\"HostConfig\":{\"PortBindings\":{\"443/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"443\"}]}}}",
	  "{\"HostConfig\":{\"PortBindings\":{\"443/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8443\"}]}}}",
	  "privileged host port published: 127.0.0.1:443->443/tcp" },
	{ "BH-CTR-010", "5.10", "{\"HostConfig\":{\"NetworkMode\":\"host\"}}", "{\"HostConfig\":{\"NetworkMode\":\"bridge\"}}",
	  "HostConfig.NetworkMode=host" },
	{ "BH-CTR-011", "5.11", "{\"HostConfig\":{\"Memory\":0}}", "{\"HostConfig\":{\"Memory\":67108864}}",
	  "HostConfig.Memory=0 (no memory limit)" },
	{ "BH-CTR-012", "5.12", "{\"HostConfig\":{\"CpuShares\":1024}}", "{\"HostConfig\":{\"CpuShares\":512}}",
	  "HostConfig.NanoCpus=0, CpuQuota=0, CpuShares=1024 (no CPU limit or priority)" },
	{ "BH-CTR-013", "5.13", "{\"HostConfig\":{\"ReadonlyRootfs\":false}}", "{\"HostConfig\":{\"ReadonlyRootfs\":true}}",
	  "HostConfig.ReadonlyRootfs=false" },
	{ "BH-CTR-014", "5.14", "{\"NetworkSettings\":{\"Ports\":{\"8080/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"38080\"}],\"9/udp\":null}}}",
	  "{\"NetworkSettings\":{\"Ports\":{\"8080/tcp\":[{\"HostIp\":\"10.0.0.5\",\"HostPort\":\"38080\"}],\"9/udp\":null}}}",
	  "published on all host interfaces: 0.0.0.0:38080->8080/tcp" },
	{ "BH-CTR-015", "5.15", "{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":0}}}",
	  "{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":5}}}",
	  "HostConfig.RestartPolicy=always (restarts without limit)" },
	{ "BH-CTR-016", "5.16", "{\"HostConfig\":{\"PidMode\":\"host\"}}", "{\"HostConfig\":{\"PidMode\":\"container:abc\"}}",
	  "HostConfig.PidMode=host" },
	/* Docker's representation: podman 4.3 writes "shareable" even for --ipc=host (see test_risky) */
	{ "BH-CTR-017", "5.17", "{\"HostConfig\":{\"IpcMode\":\"host\"}}", "{\"HostConfig\":{\"IpcMode\":\"private\"}}",
	  "HostConfig.IpcMode=host" },
	{ "BH-CTR-018", "5.18", "{\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/sda\",\"PathInContainer\":\"/dev/xvda\",\"CgroupPermissions\":\"rwm\"}]}}",
	  "{\"HostConfig\":{\"Devices\":[],\"DeviceCgroupRules\":null}}", "host devices: /dev/sda:/dev/xvda:rwm" },
	{ "BH-CTR-019", "5.19", "{\"HostConfig\":{\"Ulimits\":[{\"Name\":\"RLIMIT_NOFILE\",\"Hard\":-1,\"Soft\":1024}]}}",
	  "{\"HostConfig\":{\"Ulimits\":[{\"Name\":\"RLIMIT_NOFILE\",\"Hard\":4096,\"Soft\":1024}]}}",
	  "HostConfig.Ulimits removes a bound: RLIMIT_NOFILE soft=1024 hard=unlimited" },
	{ "BH-CTR-020", "5.20", "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/x\",\"Target\":\"/x\",\"ReadOnly\":true,\"BindOptions\":{\"Propagation\":\"shared\"}}]}}",
	  "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/x\",\"Target\":\"/x\",\"BindOptions\":{\"Propagation\":\"rslave\"}}]}}",
	  "shared mount propagation: /srv/x:/x (ro)" },
	{ "BH-CTR-021", "5.21", "{\"HostConfig\":{\"UTSMode\":\"host\"}}", "{\"HostConfig\":{\"UTSMode\":\"private\"}}", "HostConfig.UTSMode=host" },
	{ "BH-CTR-022", "5.22", "{\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\",\"no-new-privileges\"]}}",
	  "{\"HostConfig\":{\"SecurityOpt\":[\"seccomp=/etc/containers/seccomp.json\",\"no-new-privileges\"]}}",
	  "HostConfig.SecurityOpt contains seccomp=unconfined" },
	{ "BH-CTR-026", "5.26", "{\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges:false\"]}}",
	  "{\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges:true\"]}}", "HostConfig.SecurityOpt has no no-new-privileges" },
	/* Docker leaves PidsLimit null when unset; podman's default is 2048 */
	{ "BH-CTR-029", "5.29", "{\"HostConfig\":{\"PidsLimit\":null}}", "{\"HostConfig\":{\"PidsLimit\":100}}",
	  "HostConfig.PidsLimit=not set (no PIDs limit)" },
	{ "BH-CTR-031", "5.31", "{\"HostConfig\":{\"UsernsMode\":\"host\"}}", "{\"HostConfig\":{\"UsernsMode\":\"\"}}", "HostConfig.UsernsMode=host" },
	{ "BH-CTR-032", "5.32", "{\"HostConfig\":{\"Binds\":[\"/var/run/docker.sock:/var/run/docker.sock:ro\"]}}",
	  "{\"HostConfig\":{\"Binds\":[\"/srv/run:/run\",\"dockersock:/var/run/docker.sock\"]}}",
	  "engine socket mounted: /var/run/docker.sock:/var/run/docker.sock (ro)" },
	{ "BH-CTR-100", NULL, "{\"Config\":{\"User\":\"root:root\"}}", "{\"Config\":{\"User\":\"1000:0\"}}", "Config.User=root:root" },
};

/* Objects merge key by key, null deletes, anything else replaces. */
static void merge(json_t *dst, json_t *patch)
{
	const char *k;
	json_t *v;
	json_object_foreach(patch, k, v) {
		json_t *cur = json_object_get(dst, k);
		if (json_is_null(v))
			json_object_del(dst, k);
		else if (json_is_object(v) && json_is_object(cur))
			merge(cur, v);
		else
			json_object_set(dst, k, v);
	}
}

static json_t *patched(const char *patch)
{
	json_t *d = load("podman-default.json"), *p;
	json_error_t je;
	p = json_loads(patch, 0, &je);
	if (!p)
		fail_msg("patch %s: %s", patch, je.text);
	merge(d, p);
	json_decref(p);
	return d;
}

static void test_rule(void **state)
{
	const rcase *rc = *state;
	bh_checks l = { 0 };
	json_t *j = patched(rc->fire);
	const bh_check_finding *f;
	run(j, &l);
	assert_shape(&l);
	f = bh_test_failed(&l, rc->rule);
	if (!f)
		fail_msg("%s did not fire on %s", rc->rule, rc->fire);
	if (rc->cis)
		assert_string_equal(f->cis, rc->cis);
	else
		assert_null(f->cis);
	assert_string_equal(f->detail, rc->detail);
	assert_string_equal(f->category, "container");
	assert_string_equal(f->target, "bh-ctr-default (d74d080689e0)");
	bh_checks_free(&l);
	json_decref(j);

	j = patched(rc->quiet);
	run(j, &l);
	if ((f = bh_test_failed(&l, rc->rule)))
		fail_msg("%s fired on %s: %s", rc->rule, rc->quiet, f->detail);
	bh_checks_free(&l);
	json_decref(j);
}

/* ---- hostile documents ---- */

static void test_not_object(void **state)
{
	bh_checks l = { 0 };
	bh_error e = { 0 };
	json_t *a = json_array(), *s = json_string("x");
	(void)state;
	assert_int_equal(bh_container_check(a, &l, &e), BH_EINVAL);
	assert_non_null(strstr(e.msg, "not a JSON object"));
	assert_int_equal(bh_container_check(s, &l, &e), BH_EINVAL);
	assert_int_equal(bh_container_check(NULL, &l, &e), BH_EINVAL);
	assert_int_equal(l.n, 0);
	json_decref(a);
	json_decref(s);
}

/* Every field of the wrong type: no crash, nothing read from it, missing limits count as none. */
static void test_wrong_types(void **state)
{
	const char *docs[] = {
		"{}",
		"{\"HostConfig\":\"x\",\"Mounts\":5,\"Config\":[],\"Name\":7,\"Id\":{},\"NetworkSettings\":\"p\"}",
		"{\"HostConfig\":{\"Privileged\":\"true\",\"CapAdd\":{\"a\":1},\"CapDrop\":7,\"SecurityOpt\":[1,null,{},[]],"
		"\"PortBindings\":[],\"Binds\":[7,\"no-colon\",\":\",\"\",\"/\"],\"Mounts\":[1,{\"Source\":5},{\"Type\":7,\"Source\":\"/dev\"}],"
		"\"Devices\":[null,\"x\",{\"PathOnHost\":3}],\"Ulimits\":[{\"Soft\":\"x\"},3],\"RestartPolicy\":[],\"Memory\":\"1g\","
		"\"PidsLimit\":true,\"NetworkMode\":[\"host\"],\"DeviceCgroupRules\":[5]},"
		"\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostPort\":80},{\"HostPort\":-5},{\"HostIp\":5},7],\"1/tcp\":{}}},"
		"\"Config\":{\"User\":5},\"AppArmorProfile\":[],\"Mounts\":[{\"Source\":\"relative/path\"},{\"Source\":\"\"}]}",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		bh_checks l = { 0 };
		json_error_t je;
		json_t *j = json_loads(docs[i], 0, &je);
		assert_non_null(j);
		run(j, &l);
		assert_shape(&l);
		assert_null(bh_test_find(&l, "BH-CTR-005", 0)); /* "true" is not true */
		assert_null(bh_test_find(&l, "BH-CTR-010", 0));
		assert_non_null(bh_test_failed(&l, "BH-CTR-011"));
		assert_non_null(bh_test_failed(&l, "BH-CTR-100"));
		if (i == 0)
			assert_string_equal(l.items[0].target, "container");
		if (i == 2) {
			assert_string_equal(bh_test_failed(&l, "BH-CTR-006")->detail, "host system directory mounted: /:? (rw), /dev:? (rw)");
			assert_string_equal(bh_test_failed(&l, "BH-CTR-008")->detail, "privileged host port published: 0.0.0.0:80->80/tcp");
		}
		bh_checks_free(&l);
		json_decref(j);
	}
}

/* Names and values are cleaned before they reach a terminal; long lists are cut. */
static void test_clean_and_bounded(void **state)
{
	json_t *j = patched("{\"Name\":\"/evil\\u001b[31m\\nname\",\"Id\":\"0123456789abcdef\",\"Config\":{\"User\":\"0:0\\u0007\"}}");
	json_t *caps = json_array();
	bh_checks l = { 0 };
	const bh_check_finding *f;
	size_t i;
	(void)state;
	for (i = 0; i < 100000; i++) {
		char c[32];
		snprintf(c, sizeof(c), "CAP_X%zu", i);
		json_array_append_new(caps, json_string(c));
	}
	json_object_set_new(json_object_get(j, "HostConfig"), "CapAdd", caps);
	run(j, &l);
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-004"));
	assert_string_equal(f->target, "evil?[31m?name (0123456789ab)");
	assert_true(strlen(f->detail) < 512);
	assert_non_null(strstr(f->detail, "X0, X1,"));
	assert_non_null(strstr(f->detail, "(and up to 4084 more)")); /* 4096 examined, 12 quoted */
	assert_int_equal(f->severity, BH_SEV_MEDIUM);
	assert_string_equal(bh_test_failed(&l, "BH-CTR-100")->detail, "Config.User=0:0?");
	bh_checks_free(&l);
	json_decref(j);

	/* a control byte in a path */
	j = patched("{\"HostConfig\":{\"Binds\":[\"/etc:/\\u00ff\\u0001x\"]}}");
	run(j, &l);
	assert_string_equal(bh_test_failed(&l, "BH-CTR-006")->detail, "host system directory mounted: /etc:/\xc3\xbf?x (rw)");
	bh_checks_free(&l);
	json_decref(j);

	/* a 10 kB path is not quoted whole */
	j = load("podman-default.json");
	{
		char big[10010];
		memcpy(big, "/etc:/", 6);
		memset(big + 6, 'a', 10000);
		big[10006] = '\0';
		json_array_append_new(json_object_get(json_object_get(j, "HostConfig"), "Binds"), json_string(big));
	}
	run(j, &l);
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-006"));
	assert_true(strlen(f->detail) < 256);
	assert_non_null(strstr(f->detail, "aaa..."));
	bh_checks_free(&l);
	json_decref(j);
}

/* Paths are compared after lexical normalisation, so // . .. and trailing / do not hide a mount. */
static void test_path_normalisation(void **state)
{
	json_t *j = patched("{\"HostConfig\":{\"Binds\":[\"//etc/./:/a\",\"/usr/../:/b:ro\",\"/srv/../../var/run/../run/podman/podman.sock:/s\","
			    "\"/etc/ssl/certs:/c:ro\",\"/dev/log:/dev/log\",\"/var/run/docker.sock:/x:ro,rshared\"]}}");
	bh_checks l = { 0 };
	const bh_check_finding *f;
	(void)state;
	run(j, &l);
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-006"));
	assert_string_equal(f->detail, "host system directory mounted: /etc:/a (rw), /:/b (ro), /dev/log:/dev/log (rw)");
	assert_int_equal(f->severity, BH_SEV_HIGH);
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-032"));
	assert_string_equal(f->detail, "engine socket mounted: /var/run/podman/podman.sock:/s (rw), /var/run/docker.sock:/x (ro)");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-020")->detail, "shared mount propagation: /var/run/docker.sock:/x (ro)");
	bh_checks_free(&l);
	json_decref(j);

	/* the whole host root, writable: critical; the same mount listed in Mounts[] and Binds is quoted once */
	j = patched("{\"Mounts\":[{\"Source\":\"/\",\"Destination\":\"/host\",\"RW\":true}],\"HostConfig\":{\"Binds\":[\"/:/host:rw\"]}}");
	run(j, &l);
	assert_non_null(f = bh_test_failed(&l, "BH-CTR-006"));
	assert_string_equal(f->detail, "host system directory mounted: /:/host (rw)");
	assert_int_equal(f->severity, BH_SEV_CRITICAL);
	bh_checks_free(&l);
	json_decref(j);
}

/* Restart policy variants and -P's random ports (only in NetworkSettings.Ports). */
static void test_restart_and_ports(void **state)
{
	json_t *j = patched("{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":0}},"
			    "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"::\",\"HostPort\":\"32768\"},{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"32768\"}]}}}");
	bh_checks l = { 0 };
	(void)state;
	run(j, &l);
	assert_string_equal(bh_test_failed(&l, "BH-CTR-015")->detail, "HostConfig.RestartPolicy=on-failure with no MaximumRetryCount (retries without limit)");
	assert_string_equal(bh_test_failed(&l, "BH-CTR-014")->detail, "published on all host interfaces: :::32768->80/tcp, 0.0.0.0:32768->80/tcp");
	assert_null(bh_test_find(&l, "BH-CTR-008", 0));
	bh_checks_free(&l);
	json_decref(j);
	j = patched("{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"no\"}}}");
	run(j, &l);
	assert_null(bh_test_find(&l, "BH-CTR-015", 0));
	bh_checks_free(&l);
	json_decref(j);
}

int main(void)
{
	struct CMUnitTest tests[9 + sizeof(cases) / sizeof(*cases)];
	size_t n = 0, i;
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_privileged),	   cmocka_unit_test(test_default),
		cmocka_unit_test(test_hardened),	   cmocka_unit_test(test_risky),
		cmocka_unit_test(test_not_object),	   cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_clean_and_bounded), cmocka_unit_test(test_path_normalisation),
		cmocka_unit_test(test_restart_and_ports),
	};
	for (i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		tests[n++] = fixed[i];
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct CMUnitTest t = { cases[i].rule, test_rule, NULL, NULL, (void *)&cases[i] };
		tests[n++] = t;
	}
	return _cmocka_run_group_tests("container", tests, n, NULL, NULL);
}
