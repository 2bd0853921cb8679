/* test_host.c - CIS sections 1-3 host checks on fake Docker host trees (tests/fixtures/host, see its README). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "check/host.h"
#include "support/checks.h"
#include "core/buf.h"

#define FX "tests/fixtures/host/"
#define DOCKER_GID 999 /* group docker in the fixtures' etc/group */

/* ---- temporary copies of the fixture trees, with real ownership and modes ---- */

static char tmp[128];     /* the copy of the running test; removed in teardown */
static const char *cp_to; /* nftw has no user pointer */
static size_t cp_from_len;

static void path_in(char *out, size_t n, const char *rel)
{
	if ((size_t)snprintf(out, n, "%s/%s", tmp, rel) >= n)
		fail_msg("path too long: %s/%s", tmp, rel);
}

static int cp_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	char d[4096], buf[65536];
	(void)ftw;
	snprintf(d, sizeof(d), "%s%s", cp_to, p + cp_from_len);
	if (type == FTW_D)
		return mkdir(d, 0755) && errno != EEXIST;
	if (type == FTW_SL) {
		ssize_t n = readlink(p, buf, sizeof(buf) - 1);
		if (n < 0)
			return 1;
		buf[n] = '\0';
		return symlink(buf, d);
	}
	if (type == FTW_F && S_ISREG(st->st_mode)) {
		int in = open(p, O_RDONLY), out = open(d, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ssize_t n;
		if (in < 0 || out < 0)
			return 1;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				return 1;
		close(in);
		close(out);
	}
	return 0;
}

/* root:root, 0755 directories and 0644 files: what a package install leaves */
static int own_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_SL)
		return 0;
	if (geteuid() == 0 && lchown(p, 0, 0))
		return 1;
	return chmod(p, S_ISDIR(st->st_mode) ? 0755 : 0644);
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void put(const char *rel, const char *content)
{
	char p[512];
	FILE *fp;
	path_in(p, sizeof(p), rel);
	assert_non_null(fp = fopen(p, "w"));
	fputs(content, fp);
	fclose(fp);
}

static void mode(const char *rel, mode_t m)
{
	char p[512];
	path_in(p, sizeof(p), rel);
	assert_int_equal(chmod(p, m), 0);
}

static void owner(const char *rel, uid_t u, gid_t g)
{
	char p[512];
	path_in(p, sizeof(p), rel);
	assert_int_equal(lchown(p, u, g), 0);
}

static void mkdirs(const char *rel)
{
	char p[512], *s;
	path_in(p, sizeof(p), rel);
	for (s = p + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

/* A listening-socket file as the daemon would leave it. */
static void mksock(const char *rel, mode_t m, gid_t g)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	path_in(a.sun_path, sizeof(a.sun_path), rel);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
	mode(rel, m);
	if (geteuid() == 0)
		owner(rel, 0, g);
}

/* Copies tests/fixtures/host/TREE to a fresh temporary root with package-install ownership and modes. */
static void copy_fixture(const char *tree)
{
	char src[256];
	snprintf(tmp, sizeof(tmp), "/tmp/bh-host-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(src, sizeof(src), FX "%s", tree);
	cp_to = tmp;
	cp_from_len = strlen(src);
	assert_int_equal(nftw(src, cp_one, 16, FTW_PHYS), 0);
	assert_int_equal(nftw(tmp, own_one, 16, FTW_PHYS), 0);
}

/* The hardened tree as a careful admin leaves it, with the daemon running (both sockets). */
static void hardened(void)
{
	copy_fixture("hardened");
	mode("etc/docker/certs.d/registry.example.com:5000/ca.crt", 0444);
	mode("etc/docker/tls/ca.pem", 0444);
	mode("etc/docker/tls/server-cert.pem", 0444);
	mode("etc/docker/tls/server-key.pem", 0400);
	mkdirs("run/containerd");
	mkdirs("var");
	/* an absolute link, as on real hosts: it must resolve inside the tree */
	{
		char p[512];
		path_in(p, sizeof(p), "var/run");
		assert_int_equal(symlink("/run", p), 0);
	}
	mksock("run/docker.sock", 0660, DOCKER_GID);
	mksock("run/containerd/containerd.sock", 0660, 0);
}

static int teardown(void **state)
{
	(void)state;
	if (tmp[0])
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	tmp[0] = '\0';
	return 0;
}

/* ---- results ---- */

static void run_at(const char *root, bh_checks *l)
{
	bh_error e = { 0 };
	int rc = bh_host_check(root, l, &e);
	if (rc)
		fail_msg("bh_host_check(%s): %d %s", root, rc, e.msg);
}

static void run(bh_checks *l)
{
	run_at(tmp, l);
}

/* Ownership rules cannot be made to pass without root (the copy belongs to the test's user). */
static bool ownership_rule(const char *rule)
{
	static const char *const own[] = { "BH-HOST-101", "BH-HOST-103", "BH-HOST-105", "BH-HOST-107", "BH-HOST-109", "BH-HOST-111",
					   "BH-HOST-113", "BH-HOST-115", "BH-HOST-117", "BH-HOST-119", "BH-HOST-122", "BH-HOST-123" };
	size_t i;
	for (i = 0; i < sizeof(own) / sizeof(*own); i++)
		if (strcmp(own[i], rule) == 0)
			return true;
	return false;
}

/* Without root the ownership rules cannot pass: failing sets leave them out. */
static bool skip_unowned(const char *rule)
{
	return geteuid() != 0 && ownership_rule(rule);
}

/* Sorted, space-separated rule ids of the findings with status st (NULL = failing). */
static const char *ids(const bh_checks *l, const char *st)
{
	return bh_test_rule_ids(l, st, st ? NULL : skip_unowned);
}

static void assert_shape(const bh_checks *l)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		const bh_check_finding *f = &l->items[i];
		assert_string_equal(f->category, "host");
		assert_true(strncmp(f->rule, "BH-HOST-", 8) == 0);
		assert_non_null(f->title);
		assert_non_null(f->detail);
		assert_non_null(f->why);
		assert_non_null(f->fix);
		assert_non_null(f->target);
		if (f->status && strcmp(f->status, "not-applicable") == 0)
			assert_int_equal(f->severity, BH_SEV_UNKNOWN);
		else
			assert_true(f->severity >= BH_SEV_LOW);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- whole trees ---- */

static void test_not_installed(void **state)
{
	bh_checks l = { 0 };
	(void)state;
	/* only docker-registry's /etc/docker/registry: no engine */
	run_at(FX "nodocker", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].rule, "BH-HOST-000");
	assert_string_equal(l.items[0].status, "not-applicable");
	assert_null(l.items[0].cis);
	assert_int_equal(l.items[0].severity, BH_SEV_UNKNOWN);
	assert_non_null(strstr(l.items[0].detail, "not installed"));
	assert_string_equal(l.items[0].target, FX "nodocker/");
	bh_checks_free(&l);
}

static void test_hardened(void **state)
{
	bh_checks l = { 0 };
	(void)state;
	hardened();
	run(&l);
	assert_shape(&l);
	assert_string_equal(ids(&l, NULL), "");
	assert_string_equal(ids(&l, "manual"), "");
	/* docker version, rootless, swarm: only the running daemon knows */
	assert_string_equal(ids(&l, "not-applicable"), "BH-HOST-019 BH-HOST-020 BH-HOST-051");
	bh_checks_free(&l);
}

static void test_default(void **state)
{
	bh_checks l = { 0 };
	const bh_check_finding *f;
	(void)state;
	copy_fixture("default");
	run(&l);
	assert_shape(&l);
	/* no audit rules: every 1.1.x path that exists (containerd-shim, -runc-v1, sysconfig, daemon.json and
	 * the containerd runtime dir do not); the 2.x defaults */
	assert_string_equal(ids(&l, NULL), "BH-HOST-001 BH-HOST-003 BH-HOST-005 BH-HOST-006 BH-HOST-007 BH-HOST-009 BH-HOST-010 "
					   "BH-HOST-012 BH-HOST-014 BH-HOST-017 BH-HOST-018 BH-HOST-021 BH-HOST-028 BH-HOST-031 "
					   "BH-HOST-032 BH-HOST-033 BH-HOST-034 BH-HOST-035");
	assert_string_equal(ids(&l, "manual"), "BH-HOST-002 BH-HOST-027");
	/* the daemon is not running: its sockets are not there to check */
	assert_string_equal(ids(&l, "not-applicable"), "BH-HOST-019 BH-HOST-020 BH-HOST-051 BH-HOST-115 BH-HOST-116 BH-HOST-123 BH-HOST-124");
	f = bh_test_find(&l, "BH-HOST-002", 0);
	assert_string_equal(f->detail, "members of group docker (gid 999), each able to control the daemon and so root on this host: alice,bob");
	assert_true(ends_with(f->target, "/etc/group"));
	f = bh_test_failed(&l, "BH-HOST-003");
	assert_string_equal(f->cis, "1.1.3");
	assert_string_equal(f->title, "Ensure auditing is configured for the Docker daemon");
	assert_string_equal(f->detail, "no audit rules at all: neither /etc/audit/audit.rules nor /etc/audit/rules.d/*.rules exists");
	assert_true(ends_with(f->target, "/usr/bin/dockerd"));
	assert_string_equal(f->fix, "Add \"-w /usr/bin/dockerd -k docker\" to /etc/audit/rules.d/docker.rules and load it (augenrules --load).");
	f = bh_test_failed(&l, "BH-HOST-021");
	assert_string_equal(f->detail, "\"icc\" is not set in daemon.json or the dockerd flags (default true)");
	assert_true(ends_with(f->target, "/etc/docker/daemon.json"));
	assert_string_equal(f->title, "Ensure network traffic is restricted between containers on the default bridge");
	f = bh_test_find(&l, "BH-HOST-115", 0);
	assert_string_equal(f->detail, "/var/run/docker.sock does not exist: the socket is created by the running daemon, which is needed to check it");
	bh_checks_free(&l);
}

static void test_flags(void **state)
{
	bh_checks l = { 0 };
	const bh_check_finding *f;
	(void)state;
	copy_fixture("flags");
	run(&l);
	assert_shape(&l);
	/* the vendor unit's --icc=true was reset by the drop-in's "ExecStart=" */
	assert_null(bh_test_find(&l, "BH-HOST-021", 0));
	/* set by flags: --userns-remap, --log-driver, --no-new-privileges, --live-restore, --userland-proxy=false,
	 * --authorization-plugin, --default-ulimit */
	assert_null(bh_test_find(&l, "BH-HOST-028", 0));
	assert_null(bh_test_find(&l, "BH-HOST-032", 0));
	assert_null(bh_test_find(&l, "BH-HOST-033", 0));
	assert_null(bh_test_find(&l, "BH-HOST-034", 0));
	assert_null(bh_test_find(&l, "BH-HOST-035", 0));
	assert_null(bh_test_find(&l, "BH-HOST-031", 0));
	assert_null(bh_test_find(&l, "BH-HOST-027", 0));
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-022")); /* -l debug */
	assert_string_equal(f->detail, "\"log-level\": \"debug\"");
	assert_true(ends_with(f->target, "/etc/systemd/system/docker.service.d/override.conf"));
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-024"));
	assert_string_equal(f->detail, "\"insecure-registries\": registry.internal:5000");
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-026"));
	assert_string_equal(f->detail, "listens on tcp://0.0.0.0:2375 without TLS (\"tlsverify\" not set)");
	assert_int_equal(f->severity, BH_SEV_CRITICAL);
	bh_checks_free(&l);
}

static void test_broken(void **state)
{
	bh_checks l = { 0 };
	const bh_check_finding *f;
	size_t i;
	(void)state;
	copy_fixture("broken");
	mode("etc/docker/daemon.json", 0666);
	run(&l);
	assert_shape(&l);
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-090"));
	assert_null(f->cis);
	assert_non_null(strstr(f->detail, "daemon.json: invalid JSON at line 4"));
	/* the daemon settings (2.2-2.18, BH-HOST-021..037) are not guessed... */
	for (i = 0; i < l.n; i++) {
		int r = atoi(l.items[i].rule + 8);
		if (r >= 21 && r <= 37)
			fail_msg("%s reported without a readable daemon.json", l.items[i].rule);
	}
	/* ...but the files are still checked */
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-118"));
	assert_int_equal(f->severity, BH_SEV_HIGH);
	bh_checks_free(&l);
}

static void test_insecure(void **state)
{
	static const struct {
		const char *rule, *detail;
		bh_severity sev;
	} want[] = {
		{ "BH-HOST-021", "\"icc\": true", BH_SEV_MEDIUM },
		{ "BH-HOST-022", "\"log-level\": \"debug\"", BH_SEV_LOW },
		{ "BH-HOST-023", "\"iptables\": false", BH_SEV_MEDIUM },
		{ "BH-HOST-024", "\"insecure-registries\": registry.internal:5000, 10.0.0.0/8", BH_SEV_MEDIUM }, /* not 127.0.0.0/8 */
		{ "BH-HOST-025", "\"storage-driver\": \"aufs\"", BH_SEV_MEDIUM },
		{ "BH-HOST-026", "listens on tcp://0.0.0.0:2375 without TLS (\"tlsverify\" not set)", BH_SEV_CRITICAL },
		{ "BH-HOST-028", "\"userns-remap\" is not set in daemon.json or the dockerd flags (default: no remapping)", BH_SEV_MEDIUM },
		{ "BH-HOST-030", "\"storage-opts\": [\"dm.basesize=50G\"]", BH_SEV_LOW },
		{ "BH-HOST-031", "\"authorization-plugins\" is not set in daemon.json or the dockerd flags (default: none)", BH_SEV_LOW },
		{ "BH-HOST-032", "\"log-driver\": \"json-file\"", BH_SEV_LOW },
		{ "BH-HOST-033", "\"no-new-privileges\": false", BH_SEV_MEDIUM },
		{ "BH-HOST-034", "\"live-restore\": false", BH_SEV_LOW },
		{ "BH-HOST-035", "\"userland-proxy\": true", BH_SEV_LOW },
		{ "BH-HOST-036", "\"seccomp-profile\": \"unconfined\"", BH_SEV_HIGH },
		{ "BH-HOST-037", "\"experimental\": true", BH_SEV_LOW },
	};
	bh_checks l = { 0 };
	const bh_check_finding *f;
	size_t i;
	(void)state;
	copy_fixture("insecure");
	run(&l);
	assert_shape(&l);
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		if (!(f = bh_test_failed(&l, want[i].rule)))
			fail_msg("%s did not fire", want[i].rule);
		assert_string_equal(f->detail, want[i].detail);
		assert_int_equal(f->severity, want[i].sev);
		assert_true(ends_with(f->target, "/etc/docker/daemon.json"));
	}
	assert_non_null(f = bh_test_find(&l, "BH-HOST-029", 0));
	assert_string_equal(f->status, "manual");
	assert_string_equal(f->detail, "\"cgroup-parent\": \"/foobar\"");
	bh_checks_free(&l);
}

/* ---- section 2, one rule at a time: a daemon.json patch on the hardened tree that fires it, one that does not ---- */

typedef struct optcase {
	const char *rule, *cis, *fire, *quiet, *detail, *status;
} optcase;

static const optcase optcases[] = {
	{ "BH-HOST-021", "2.2", "{\"icc\": true}", "{\"icc\": false}", "\"icc\": true", NULL },
	{ "BH-HOST-022", "2.3", "{\"log-level\": \"warn\"}", "{\"log-level\": \"INFO\"}", "\"log-level\": \"warn\"", NULL },
	{ "BH-HOST-023", "2.4", "{\"iptables\": false}", "{\"iptables\": null}", "\"iptables\": false", NULL },
	{ "BH-HOST-024", "2.5", "{\"insecure-registries\": [\"myregistry:5000\"]}", "{\"insecure-registries\": [\"127.0.0.1:5000\"]}",
	  "\"insecure-registries\": myregistry:5000", NULL },
	{ "BH-HOST-025", "2.6", "{\"storage-driver\": \"aufs\"}", "{\"storage-driver\": \"btrfs\"}", "\"storage-driver\": \"aufs\"", NULL },
	{ "BH-HOST-026", "2.7", "{\"tlsverify\": false, \"tls\": true}", "{\"hosts\": [\"unix:///var/run/docker.sock\"], \"tlsverify\": false}",
	  "listens on tcp://0.0.0.0:2376 with TLS but without client certificate verification (\"tlsverify\" not true)", NULL },
	{ "BH-HOST-027", "2.8", "{\"default-ulimits\": {}}", "{\"default-ulimits\": {\"nproc\": {\"Name\": \"nproc\", \"Hard\": 4096, \"Soft\": 4096}}}",
	  "\"default-ulimits\": {}", "manual" },
	{ "BH-HOST-028", "2.9", "{\"userns-remap\": \"\"}", "{\"userns-remap\": \"dockremap:dockremap\"}", "\"userns-remap\": \"\"", NULL },
	{ "BH-HOST-029", "2.10", "{\"cgroup-parent\": \"/ci\"}", "{\"cgroup-parent\": \"\"}", "\"cgroup-parent\": \"/ci\"", "manual" },
	{ "BH-HOST-030", "2.11", "{\"storage-opts\": [\"dm.basesize=20G\"]}", "{\"storage-opts\": [\"overlay2.size=20G\"]}",
	  "\"storage-opts\": [\"dm.basesize=20G\"]", NULL },
	{ "BH-HOST-031", "2.12", "{\"authorization-plugins\": []}", "{\"authorization-plugins\": [\"opa-docker-authz\"]}",
	  "\"authorization-plugins\": []", NULL },
	{ "BH-HOST-032", "2.13", "{\"log-driver\": \"local\"}", "{\"log-driver\": \"journald\"}", "\"log-driver\": \"local\"", NULL },
	{ "BH-HOST-033", "2.14", "{\"no-new-privileges\": null}", "{\"no-new-privileges\": true}",
	  "\"no-new-privileges\" is not set in daemon.json or the dockerd flags (default false)", NULL },
	{ "BH-HOST-034", "2.15", "{\"live-restore\": \"true\"}", "{\"live-restore\": true}", "\"live-restore\": \"true\"", NULL },
	{ "BH-HOST-035", "2.16", "{\"userland-proxy\": null}", "{\"userland-proxy\": false}",
	  "\"userland-proxy\" is not set in daemon.json or the dockerd flags (default true)", NULL },
	{ "BH-HOST-036", "2.17", "{\"seccomp-profile\": \"unconfined\"}", "{\"seccomp-profile\": null}", "\"seccomp-profile\": \"unconfined\"", NULL },
	{ "BH-HOST-037", "2.18", "{\"experimental\": true}", "{\"experimental\": false}", "\"experimental\": true", NULL },
};

/* Writes the hardened daemon.json with patch applied (null deletes a key). */
static void patch_daemon_json(const char *patch)
{
	char p[512];
	json_error_t je;
	json_t *d, *pj, *v;
	const char *k;
	path_in(p, sizeof(p), "etc/docker/daemon.json");
	assert_non_null(d = json_load_file(p, 0, &je));
	assert_non_null(pj = json_loads(patch, 0, &je));
	json_object_foreach(pj, k, v) {
		if (json_is_null(v))
			json_object_del(d, k);
		else
			json_object_set(d, k, v);
	}
	assert_int_equal(json_dump_file(d, p, JSON_INDENT(2)), 0);
	json_decref(d);
	json_decref(pj);
}

static void test_option(void **state)
{
	const optcase *oc = *state;
	bh_checks l = { 0 };
	const bh_check_finding *f;
	hardened();
	patch_daemon_json(oc->fire);
	run(&l);
	assert_shape(&l);
	if (!(f = bh_test_find(&l, oc->rule, 0)))
		fail_msg("%s did not fire on %s", oc->rule, oc->fire);
	assert_string_equal(f->cis, oc->cis);
	assert_string_equal(f->detail, oc->detail);
	if (oc->status)
		assert_string_equal(f->status, oc->status);
	else
		assert_null(f->status);
	assert_true(ends_with(f->target, "/etc/docker/daemon.json"));
	bh_checks_free(&l);
	teardown(NULL);

	hardened();
	patch_daemon_json(oc->quiet);
	run(&l);
	if ((f = bh_test_find(&l, oc->rule, 0)))
		fail_msg("%s fired on %s: %s", oc->rule, oc->quiet, f->detail);
	bh_checks_free(&l);
}

/* ---- section 3, one rule at a time: one change to the hardened tree ---- */

typedef struct filecase {
	const char *rule, *cis, *path; /* path inside the tree */
	int mode;                      /* -1: keep */
	int uid, gid;                  /* -1: keep */
	bh_severity sev;
	const char *detail;
} filecase;

#define CERT "etc/docker/certs.d/registry.example.com:5000/ca.crt"
static const filecase filecases[] = {
	{ "BH-HOST-101", "3.1", "lib/systemd/system/docker.service", -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	{ "BH-HOST-102", "3.2", "lib/systemd/system/docker.service", 0666, -1, -1, BH_SEV_HIGH, "mode 0666, want 644 or more restrictive" },
	{ "BH-HOST-103", "3.3", "lib/systemd/system/docker.socket", -1, -1, 1000, BH_SEV_MEDIUM, "owned by 0:1000, want root:root" },
	{ "BH-HOST-104", "3.4", "lib/systemd/system/docker.socket", 0664, -1, -1, BH_SEV_MEDIUM, "mode 0664, want 644 or more restrictive" },
	{ "BH-HOST-105", "3.5", "etc/docker", -1, 1000, 1000, BH_SEV_MEDIUM, "owned by 1000:1000, want root:root" },
	{ "BH-HOST-106", "3.6", "etc/docker", 01777, -1, -1, BH_SEV_HIGH, "mode 1777, want 755 or more restrictive" },
	{ "BH-HOST-107", "3.7", CERT, -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	{ "BH-HOST-108", "3.8", CERT, 0644, -1, -1, BH_SEV_MEDIUM, "mode 0644, want 444 or more restrictive" },
	{ "BH-HOST-109", "3.9", "etc/docker/tls/ca.pem", -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	{ "BH-HOST-110", "3.10", "etc/docker/tls/ca.pem", 0644, -1, -1, BH_SEV_MEDIUM, "mode 0644, want 444 or more restrictive" },
	{ "BH-HOST-111", "3.11", "etc/docker/tls/server-cert.pem", -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	{ "BH-HOST-112", "3.12", "etc/docker/tls/server-cert.pem", 0640, -1, -1, BH_SEV_MEDIUM, "mode 0640, want 444 or more restrictive" },
	{ "BH-HOST-113", "3.13", "etc/docker/tls/server-key.pem", -1, -1, DOCKER_GID, BH_SEV_MEDIUM, "owned by 0:999, want root:root" },
	{ "BH-HOST-114", "3.14", "etc/docker/tls/server-key.pem", 0440, -1, -1, BH_SEV_HIGH, "mode 0440, want 400 or more restrictive" },
	{ "BH-HOST-115", "3.15", "run/docker.sock", -1, -1, 1000, BH_SEV_MEDIUM, "owned by 0:1000, want root:docker" },
	{ "BH-HOST-116", "3.16", "run/docker.sock", 0666, -1, -1, BH_SEV_CRITICAL, "mode 0666, want 660 or more restrictive" },
	{ "BH-HOST-117", "3.17", "etc/docker/daemon.json", -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	{ "BH-HOST-118", "3.18", "etc/docker/daemon.json", 0664, -1, -1, BH_SEV_MEDIUM, "mode 0664, want 644 or more restrictive" },
	{ "BH-HOST-119", "3.19", "etc/default/docker", -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	{ "BH-HOST-120", "3.20", "etc/default/docker", 04755, -1, -1, BH_SEV_MEDIUM, "mode 4755, want 644 or more restrictive" },
	{ "BH-HOST-121", "3.21", "etc/sysconfig/docker", 0646, -1, -1, BH_SEV_HIGH, "mode 0646, want 644 or more restrictive" },
	{ "BH-HOST-122", "3.22", "etc/sysconfig/docker", -1, 1000, -1, BH_SEV_MEDIUM, "owned by 1000:0, want root:root" },
	/* root:docker is right for Docker's socket only */
	{ "BH-HOST-123", "3.23", "run/containerd/containerd.sock", -1, -1, DOCKER_GID, BH_SEV_MEDIUM, "owned by 0:999, want root:root" },
	{ "BH-HOST-124", "3.24", "run/containerd/containerd.sock", 0664, -1, -1, BH_SEV_HIGH, "mode 0664, want 660 or more restrictive" },
};

static void test_file(void **state)
{
	const filecase *fc = *state;
	bh_checks l = { 0 };
	const bh_check_finding *f;
	char want_fix[600], p[512];
	if ((fc->uid >= 0 || fc->gid >= 0) && geteuid() != 0)
		skip(); /* ownership can only be given away by root */
	hardened();
	if (fc->mode >= 0)
		mode(fc->path, (mode_t)fc->mode);
	if (fc->uid >= 0 || fc->gid >= 0)
		owner(fc->path, (uid_t)fc->uid, (gid_t)fc->gid);
	run(&l);
	assert_shape(&l);
	if (!(f = bh_test_failed(&l, fc->rule)))
		fail_msg("%s did not fire", fc->rule);
	assert_string_equal(f->cis, fc->cis);
	assert_string_equal(f->detail, fc->detail);
	assert_int_equal(f->severity, fc->sev);
	/* the socket is reached through the tree's own /var/run -> /run link */
	path_in(p, sizeof(p), strcmp(fc->path, "run/docker.sock") == 0 ? "var/run/docker.sock" : fc->path);
	assert_string_equal(f->target, p);
	if (fc->mode >= 0) /* "chmod 644 PATH" from "..., want 644 or ..." */
		snprintf(want_fix, sizeof(want_fix), "chmod %.3s %s", strstr(fc->detail, "want ") + 5, p);
	else
		snprintf(want_fix, sizeof(want_fix), "chown root:%s %s", strcmp(fc->rule, "BH-HOST-115") == 0 ? "docker" : "root", p);
	assert_string_equal(f->fix, want_fix);
	/* nothing else changed */
	assert_int_equal(strchr(ids(&l, NULL), ' ') == NULL, 1);
	bh_checks_free(&l);
}

/* ---- section 1 audit rules, one at a time: drop the watch lines, the rule fires ---- */

typedef struct auditcase {
	const char *rule, *cis;
	const char *drop[2]; /* lines of docker.rules removed (a directory watch covers the files below it) */
	const char *target;  /* in the tree */
} auditcase;

static const auditcase auditcases[] = {
	{ "BH-HOST-003", "1.1.3", { "-w /usr/bin/dockerd -k docker" }, "usr/bin/dockerd" },
	{ "BH-HOST-004", "1.1.4", { "-w /run/containerd -k docker" }, "run/containerd" },
	{ "BH-HOST-005", "1.1.5", { "-w /var/lib/docker -k docker" }, "var/lib/docker" },
	{ "BH-HOST-006", "1.1.6", { "-w /etc/docker -k docker" }, "etc/docker" },
	{ "BH-HOST-007", "1.1.7", { "-w /lib/systemd/system/docker.service -k docker" }, "lib/systemd/system/docker.service" },
	{ "BH-HOST-008", "1.1.8", { "-w /run/containerd/containerd.sock -k docker", "-w /run/containerd -k docker" }, "run/containerd/containerd.sock" },
	{ "BH-HOST-009", "1.1.9", { "-w /lib/systemd/system/docker.socket -k docker" }, "lib/systemd/system/docker.socket" },
	{ "BH-HOST-010", "1.1.10", { "-w /etc/default/docker -k docker" }, "etc/default/docker" },
	{ "BH-HOST-011", "1.1.11", { "-w /etc/docker/daemon.json -k docker", "-w /etc/docker -k docker" }, "etc/docker/daemon.json" },
	{ "BH-HOST-012", "1.1.12", { "-w /etc/containerd/config.toml -k docker" }, "etc/containerd/config.toml" },
	{ "BH-HOST-013", "1.1.13", { "-w /etc/sysconfig/docker -k docker" }, "etc/sysconfig/docker" },
	{ "BH-HOST-014", "1.1.14", { "-w /usr/bin/containerd -k docker" }, "usr/bin/containerd" },
	{ "BH-HOST-015", "1.1.15", { "-w /usr/bin/containerd-shim -k docker" }, "usr/bin/containerd-shim" },
	{ "BH-HOST-016", "1.1.16", { "-w /usr/bin/containerd-shim-runc-v1 -k docker" }, "usr/bin/containerd-shim-runc-v1" },
	{ "BH-HOST-017", "1.1.17", { "-w /usr/bin/containerd-shim-runc-v2 -k docker" }, "usr/bin/containerd-shim-runc-v2" },
	{ "BH-HOST-018", "1.1.18", { "-a always,exit -F path=/usr/bin/runc -F perm=x -k docker" }, "usr/bin/runc" },
};

static void drop_lines(const char *rel, const char *const *drop, size_t n)
{
	char p[512], line[1024];
	FILE *in, *out;
	bh_buf b = BH_BUF_INIT;
	size_t i;
	path_in(p, sizeof(p), rel);
	assert_non_null(in = fopen(p, "r"));
	while (fgets(line, sizeof(line), in)) {
		bool keep = true;
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < n; i++)
			if (drop[i] && strcmp(line, drop[i]) == 0)
				keep = false;
		if (keep)
			assert_int_equal(bh_buf_printf(&b, "%s\n", line), 0);
	}
	fclose(in);
	assert_non_null(out = fopen(p, "w"));
	fputs(b.data ? b.data : "", out);
	fclose(out);
	bh_buf_free(&b);
}

static void test_audit(void **state)
{
	const auditcase *ac = *state;
	bh_checks l = { 0 };
	const bh_check_finding *f;
	char p[512];
	hardened();
	drop_lines("etc/audit/rules.d/docker.rules", ac->drop, 2);
	run(&l);
	assert_shape(&l);
	if (!(f = bh_test_failed(&l, ac->rule)))
		fail_msg("%s did not fire", ac->rule);
	assert_string_equal(f->cis, ac->cis);
	assert_int_equal(f->severity, BH_SEV_LOW);
	assert_string_equal(f->detail, "no audit rule watches this path (looked in /etc/audit/audit.rules and /etc/audit/rules.d/*.rules)");
	path_in(p, sizeof(p), ac->target);
	assert_string_equal(f->target, p);
	/* a directory's watch dropped also uncovers the files it held */
	if (!ac->drop[1])
		assert_string_equal(ids(&l, NULL), ac->rule);
	bh_checks_free(&l);
}

/* Watches written another way still count: /var/run for /run, /usr/lib for /lib, audit.rules instead of rules.d. */
static void test_audit_aliases(void **state)
{
	bh_checks l = { 0 };
	char p[512];
	(void)state;
	hardened();
	path_in(p, sizeof(p), "etc/audit/rules.d/docker.rules");
	assert_int_equal(unlink(p), 0);
	put("etc/audit/audit.rules",
	    "-D\n# comment -w /usr/bin/runc\n-w /usr/bin/dockerd -p rwxa -k docker\n-w /var/run/containerd/ -k docker\n-w /var/lib/docker/ -k docker\n"
	    "-w /etc/docker -k docker\n-w /usr/lib/systemd/system/docker.service -k docker\n-w /usr/lib/systemd/system/docker.socket -k docker\n"
	    "-w /etc/default/docker -k docker\n-w /etc/containerd -k docker\n-w /etc/sysconfig/docker -k docker\n-w /usr/bin/ -k bin\n"
	    "-a always,exit -F arch=b64 -S execve -F dir=/usr/sbin -k sbin\n");
	run(&l);
	assert_string_equal(ids(&l, NULL), "");
	bh_checks_free(&l);
}

/* ---- hostile trees ---- */

/* Absolute and ".." symlinks resolve inside the tree, never to this machine's files. */
static void test_symlinks_stay_inside(void **state)
{
	bh_checks l = { 0 };
	const bh_check_finding *f;
	char p[512];
	(void)state;
	hardened();
	path_in(p, sizeof(p), "etc/docker/daemon.json");
	assert_int_equal(unlink(p), 0);
	put("etc/docker/real.json", "{\"icc\": true}");
	assert_int_equal(symlink("/etc/docker/real.json", p), 0);
	run(&l);
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-021"));
	assert_string_equal(f->detail, "\"icc\": true");
	bh_checks_free(&l);

	/* out of the tree by ".." lands on the tree's own root: there is no etc/hostname in it, so daemon.json
	 * is absent (were this machine's /etc/hostname read, it would be invalid JSON: BH-HOST-090) */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("../../../../../../../../../../etc/hostname", p), 0);
	run(&l);
	assert_null(bh_test_find(&l, "BH-HOST-090", 0));
	assert_string_equal(bh_test_failed(&l, "BH-HOST-021")->detail, "\"icc\" is not set in daemon.json or the dockerd flags (default true)");
	bh_checks_free(&l);
}

/* A FIFO where daemon.json should be: reported, and the open does not block. */
static void test_fifo(void **state)
{
	bh_checks l = { 0 };
	char p[512];
	(void)state;
	hardened();
	path_in(p, sizeof(p), "etc/docker/daemon.json");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	run(&l);
	assert_string_equal(bh_test_failed(&l, "BH-HOST-090")->detail, "daemon.json cannot be read: not a regular file");
	bh_checks_free(&l);
}

/* Control bytes and invalid UTF-8 in unit files and their names are cleaned, not passed on. */
static void test_hostile_unit(void **state)
{
	bh_checks l = { 0 };
	const bh_check_finding *f;
	(void)state;
	copy_fixture("flags");
	put("etc/systemd/system/docker.service.d/zz\x01.conf", "[Service]\nExecStart=\nExecStart=\"/usr/bin/dockerd\" --log-level=\xff\x1b[31m -H\n");
	run(&l);
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-022"));
	assert_string_equal(f->detail, "\"log-level\": \"??[31m\"");
	assert_true(ends_with(f->target, "/docker.service.d/zz?.conf"));
	assert_null(bh_test_find(&l, "BH-HOST-026", 0)); /* -H without a value; the earlier tcp:// was reset */
	bh_checks_free(&l);
}

/* 1.1.1 follows "data-root"; fstab mount points are normalised. */
static void test_partition(void **state)
{
	bh_checks l = { 0 };
	const bh_check_finding *f;
	char p[512];
	(void)state;
	hardened();
	patch_daemon_json("{\"data-root\": \"/srv/docker\"}");
	mkdirs("srv/docker");
	run(&l);
	assert_non_null(f = bh_test_failed(&l, "BH-HOST-001"));
	assert_string_equal(f->detail, "/srv/docker is not a separate filesystem (no entry in /etc/fstab)");
	path_in(p, sizeof(p), "srv/docker");
	assert_string_equal(f->target, p);
	/* and the audit watch on /var/lib/docker no longer covers the data */
	assert_non_null(bh_test_failed(&l, "BH-HOST-005"));
	bh_checks_free(&l);
	put("etc/fstab", "# x\n/dev/sdb1\t/srv//docker/\txfs defaults 0 2\n");
	run(&l);
	assert_null(bh_test_find(&l, "BH-HOST-001", 0));
	bh_checks_free(&l);
}

static void test_bad_root(void **state)
{
	bh_checks l = { 0 };
	bh_error e = { 0 };
	(void)state;
	assert_int_equal(bh_host_check("/nonexistent/bh-root", &l, &e), BH_ENOTFOUND);
	assert_non_null(strstr(e.msg, "/nonexistent/bh-root"));
	assert_int_equal(bh_host_check("", &l, &e), BH_EUSAGE);
	assert_int_equal(bh_host_check(FX "README.md", &l, &e), BH_ENOTFOUND);
	assert_int_equal(l.n, 0);
}

/* This machine: podman, no Docker engine (an /etc/docker of docker-registry at most). */
static void test_this_machine(void **state)
{
	bh_checks l = { 0 };
	struct stat st;
	(void)state;
	run_at("/", &l);
	assert_shape(&l);
	if (stat("/usr/bin/dockerd", &st) && stat("/usr/sbin/dockerd", &st) && stat("/etc/docker/daemon.json", &st) &&
	    stat("/var/lib/docker", &st) && stat("/lib/systemd/system/docker.service", &st)) {
		assert_int_equal(l.n, 1);
		assert_string_equal(l.items[0].rule, "BH-HOST-000");
		assert_string_equal(l.items[0].target, "/");
	}
	bh_checks_free(&l);
}

int main(void)
{
	enum { NF = 16 };
	static struct CMUnitTest tests[NF + sizeof(optcases) / sizeof(*optcases) + sizeof(filecases) / sizeof(*filecases) +
				       sizeof(auditcases) / sizeof(*auditcases)];
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test_teardown(test_not_installed, teardown),
		cmocka_unit_test_teardown(test_hardened, teardown),
		cmocka_unit_test_teardown(test_default, teardown),
		cmocka_unit_test_teardown(test_flags, teardown),
		cmocka_unit_test_teardown(test_broken, teardown),
		cmocka_unit_test_teardown(test_insecure, teardown),
		cmocka_unit_test_teardown(test_audit_aliases, teardown),
		cmocka_unit_test_teardown(test_symlinks_stay_inside, teardown),
		cmocka_unit_test_teardown(test_fifo, teardown),
		cmocka_unit_test_teardown(test_hostile_unit, teardown),
		cmocka_unit_test_teardown(test_partition, teardown),
		cmocka_unit_test_teardown(test_bad_root, teardown),
		cmocka_unit_test_teardown(test_this_machine, teardown),
	};
	size_t n = 0, i;
	for (i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		tests[n++] = fixed[i];
	for (i = 0; i < sizeof(optcases) / sizeof(*optcases); i++) {
		struct CMUnitTest t = { optcases[i].rule, test_option, NULL, teardown, (void *)&optcases[i] };
		tests[n++] = t;
	}
	for (i = 0; i < sizeof(filecases) / sizeof(*filecases); i++) {
		struct CMUnitTest t = { filecases[i].rule, test_file, NULL, teardown, (void *)&filecases[i] };
		tests[n++] = t;
	}
	for (i = 0; i < sizeof(auditcases) / sizeof(*auditcases); i++) {
		struct CMUnitTest t = { auditcases[i].rule, test_audit, NULL, teardown, (void *)&auditcases[i] };
		tests[n++] = t;
	}
	return _cmocka_run_group_tests("host", tests, n, NULL, NULL);
}
