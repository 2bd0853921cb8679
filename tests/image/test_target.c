/* test_target.c - the target grammar (image/target.h): every form, detection of bare paths, bad forms and their messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/target.h"
#include "support/tarbuild.h"
#include "support/tmpdir.h"

static char dir[256];

static void write_file(const char *name, const void *data, size_t len)
{
	char p[512];
	FILE *fp;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "wb"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/* A scratch tree: a plain directory, an OCI layout, a docker and an OCI archive, an SBOM, a FIFO,
 * a directory whose name ends in ":1" (a path, not a TAG) and one named "host". */
static int setup(void **state)
{
	const tb_entry docker[] = { { "manifest.json", 'f', "[]", 0 } };
	const tb_entry oci[] = { { "oci-layout", 'f', "{\"imageLayoutVersion\":\"1.0.0\"}", 0 }, { "index.json", 'f', "{}", 0 } };
	static const char sbom[] = "{\n  \"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": []}\n";
	char p[512];
	void *t;
	size_t len;
	(void)state;
	if (bh_test_mkdtemp(dir, sizeof(dir), "target"))
		return -1;
	snprintf(p, sizeof(p), "%s/root", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/layout", dir);
	mkdir(p, 0755);
	write_file("layout/oci-layout", "{}", 2);
	snprintf(p, sizeof(p), "%s/colon:1", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/host", dir);
	mkdir(p, 0755);
	t = tb_build(docker, 1, 0, &len);
	write_file("d.tar", t, len);
	free(t);
	t = tb_build(oci, 2, 0, &len);
	write_file("o.tar", t, len);
	free(t);
	write_file("bom.json", sbom, sizeof(sbom) - 1);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	return mkfifo(p, 0600);
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

/* Parses s for accept and checks the kind, ref and tag (NULL = none). */
static void ok(const char *s, unsigned accept, bh_target_kind kind, const char *ref, const char *tag, bool detected)
{
	bh_target t;
	bh_error err;
	int rc = bh_target_parse(s, accept, &t, &err);
	if (rc)
		fail_msg("%s: %d %s", s, rc, err.msg);
	assert_int_equal(t.kind, kind);
	assert_string_equal(t.input, s);
	if (ref)
		assert_string_equal(t.ref, ref);
	else
		assert_null(t.ref);
	if (tag)
		assert_string_equal(t.tag, tag);
	else
		assert_null(t.tag);
	assert_int_equal(t.detected, detected);
	bh_target_free(&t);
}

/* Parses s (len bytes) for accept and checks the status and that the message holds want. */
static void bad(const char *s, size_t len, unsigned accept, int code, const char *want)
{
	bh_target t;
	bh_error err;
	int rc = bh_target_parsen(s, len, accept, &t, &err);
	if (rc != code || !strstr(err.msg, want))
		fail_msg("%.*s: %d \"%s\", wanted %d with \"%s\"", (int)len, s, rc, rc ? err.msg : "", code, want);
	bh_target_free(&t);
}

static void test_prefixed_forms(void **state)
{
	(void)state;
	ok("docker-archive:/x/img.tar", BH_TARGETS_ALL, BH_TARGET_DOCKER_ARCHIVE, "/x/img.tar", NULL, false);
	ok("oci:/nonexistent/layout:1.0", BH_TARGETS_ALL, BH_TARGET_OCI_DIR, "/nonexistent/layout", "1.0", false);
	ok("oci:/nonexistent/layout", BH_TARGETS_ALL, BH_TARGET_OCI_DIR, "/nonexistent/layout", NULL, false);
	ok("oci-archive:img-oci.tar:app", BH_TARGETS_ALL, BH_TARGET_OCI_ARCHIVE, "img-oci.tar", "app", false);
	ok("oci-archive:img-oci.tar", BH_TARGETS_ALL, BH_TARGET_OCI_ARCHIVE, "img-oci.tar", NULL, false);
	ok("dir:/", BH_TARGETS_ALL, BH_TARGET_DIR, "/", NULL, false);
	ok("dir:rootfs.yaml", BH_TARGETS_ALL, BH_TARGET_DIR, "rootfs.yaml", NULL, false); /* the prefix wins over the name */
	ok("engine:localhost/app:1", BH_TARGETS_ALL, BH_TARGET_ENGINE, "localhost/app:1", NULL, false);
	ok("docker:alpine", BH_TARGETS_IMAGE, BH_TARGET_ENGINE, "alpine", NULL, false);
	ok("registry:127.0.0.1:5000/bh/app:1", BH_TARGETS_IMAGE, BH_TARGET_REGISTRY, "127.0.0.1:5000/bh/app:1", NULL, false);
	ok("registry:alpine", BH_TARGETS_ALL, BH_TARGET_REGISTRY, "alpine", NULL, false);
	/* skopeo's spelling: the longer prefix wins over docker: (the engine) */
	ok("docker://ghcr.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", BH_TARGETS_IMAGE,
	   BH_TARGET_REGISTRY, "ghcr.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL, false);
	ok("podman:alpine:3.19", BH_TARGETS_IMAGE, BH_TARGET_ENGINE, "alpine:3.19", NULL, false);
	ok("sbom:x.json", BH_TARGETS_ALL, BH_TARGET_SBOM, "x.json", NULL, false);
	ok("dockerfile:build/app.txt", BH_TARGETS_ALL, BH_TARGET_DOCKERFILE, "build/app.txt", NULL, false);
	ok("k8s:deploy.json", BH_TARGETS_ALL, BH_TARGET_K8S, "deploy.json", NULL, false);
	ok("host", BH_TARGETS_ALL, BH_TARGET_HOST, "/", NULL, false);
	ok("host:/srv/root", BH_TARGETS_ALL, BH_TARGET_HOST, "/srv/root", NULL, false);
	ok("container:web", BH_TARGETS_ALL, BH_TARGET_CONTAINER, "web", NULL, false);
	ok("containers", BH_TARGETS_ALL, BH_TARGET_CONTAINERS, NULL, NULL, false);
}

static void test_names(void **state)
{
	(void)state;
	/* known by name, whether or not they exist yet (the reader says when they do not) */
	ok("Dockerfile", BH_TARGETS_ALL, BH_TARGET_DOCKERFILE, "Dockerfile", NULL, true);
	ok("/src/Containerfile", BH_TARGETS_ALL, BH_TARGET_DOCKERFILE, "/src/Containerfile", NULL, true);
	ok("Dockerfile.prod", BH_TARGETS_ALL, BH_TARGET_DOCKERFILE, "Dockerfile.prod", NULL, true);
	ok("web.Dockerfile", BH_TARGETS_ALL, BH_TARGET_DOCKERFILE, "web.Dockerfile", NULL, true);
	ok("k8s/deployment.yaml", BH_TARGETS_ALL, BH_TARGET_K8S, "k8s/deployment.yaml", NULL, true);
	ok("pod.YML", BH_TARGETS_ALL, BH_TARGET_K8S, "pod.YML", NULL, true);
	assert_string_equal(bh_target_kind_name(BH_TARGET_K8S), "kubernetes");
	assert_string_equal(bh_target_kind_name(BH_TARGET_ENGINE), "engine");
	assert_string_equal(bh_target_kind_name(BH_TARGET_OCI_DIR), "oci");
	assert_string_equal(bh_target_kind_name(BH_TARGET_AUTO), "auto");
}

static void test_detected_paths(void **state)
{
	char p[512], q[600];
	(void)state;
	snprintf(p, sizeof(p), "%s/root", dir);
	ok(p, BH_TARGETS_ALL, BH_TARGET_DIR, p, NULL, true);
	snprintf(p, sizeof(p), "%s/layout", dir);
	ok(p, BH_TARGETS_ALL, BH_TARGET_OCI_DIR, p, NULL, true);
	snprintf(p, sizeof(p), "%s/d.tar", dir);
	ok(p, BH_TARGETS_ALL, BH_TARGET_DOCKER_ARCHIVE, p, NULL, true);
	snprintf(p, sizeof(p), "%s/o.tar", dir);
	ok(p, BH_TARGETS_ALL, BH_TARGET_OCI_ARCHIVE, p, NULL, true);
	snprintf(p, sizeof(p), "%s/bom.json", dir);
	ok(p, BH_TARGETS_ALL, BH_TARGET_SBOM, p, NULL, true);
	/* `bulkhead sbom` reads no SBOM documents: the file is probed as an archive, as it always was */
	ok(p, BH_TARGETS_IMAGE, BH_TARGET_DOCKER_ARCHIVE, p, NULL, true);
	/* an existing path with a ':' keeps it: no TAG is split off */
	snprintf(p, sizeof(p), "%s/colon:1", dir);
	snprintf(q, sizeof(q), "oci:%s", p);
	ok(q, BH_TARGETS_ALL, BH_TARGET_OCI_DIR, p, NULL, false);
	snprintf(q, sizeof(q), "oci:%s:v2", p);
	ok(q, BH_TARGETS_ALL, BH_TARGET_OCI_DIR, p, "v2", false);
}

/* Words and names a command does not read are paths to it: `bulkhead sbom host` reads ./host. */
static void test_words_outside_accept(void **state)
{
	char cwd[4096];
	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	ok("host", BH_TARGETS_IMAGE, BH_TARGET_DIR, "host", NULL, true);
	ok("host", BH_TARGETS_ALL, BH_TARGET_HOST, "/", NULL, false);
	bad("containers", 10, BH_TARGETS_IMAGE, BH_ENOTFOUND, "containers: no such file or directory");
	bad("Dockerfile", 10, BH_TARGETS_IMAGE, BH_ENOTFOUND, "Dockerfile: no such file or directory");
	assert_int_equal(chdir(cwd), 0);
}

static void test_bad_forms(void **state)
{
	static const char nul[] = "dir:/a\0b";
	char p[512], big[5000];
	(void)state;
	bad("", 0, BH_TARGETS_ALL, BH_EUSAGE, "target \"\": empty target; accepted: docker-archive:FILE | oci:DIR[:TAG] | ");
	assert_int_equal(bh_target_parse(NULL, BH_TARGETS_ALL, &(bh_target){ 0 }, &(bh_error){ 0 }), BH_EUSAGE);
	bad("dir:", 4, BH_TARGETS_ALL, BH_EUSAGE, "target \"dir:\": nothing after \"dir:\" (write dir:PATH); accepted: ");
	bad("engine:", 7, BH_TARGETS_IMAGE, BH_EUSAGE, "nothing after \"engine:\" (write engine:IMAGE)");
	bad("host:", 5, BH_TARGETS_ALL, BH_EUSAGE, "nothing after \"host:\" (write host:ROOT)");
	bad("container:", 10, BH_TARGETS_ALL, BH_EUSAGE, "nothing after \"container:\" (write container:NAME)");
	bad("oci:/nonexistent/x:", 19, BH_TARGETS_ALL, BH_EUSAGE, "target \"oci:/nonexistent/x:\": empty TAG after ':'");
	bad("oci::v1", 7, BH_TARGETS_ALL, BH_EUSAGE, "nothing before the \":TAG\"");
	/* looks like a prefix, is none, and is no file either */
	bad("quay:ghcr.io/x/y:1", 18, BH_TARGETS_ALL, BH_EUSAGE,
	    "target \"quay:ghcr.io/x/y:1\": no such file, and \"quay:\" is not a target prefix; accepted: ");
	/* a registry reference is checked when the target is parsed */
	bad("registry:ghcr.io/X/y:1", 22, BH_TARGETS_ALL, BH_EUSAGE, "target \"registry:ghcr.io/X/y:1\": bad repository");
	bad("registry:ghcr.io/x@sha256:abc", 29, BH_TARGETS_ALL, BH_EUSAGE, "the digest after '@' is not sha256:<64 lowercase hex digits>");
	bad("docker://h:99999/x", 18, BH_TARGETS_ALL, BH_EUSAGE, "bad registry host");
	bad("registry:", 9, BH_TARGETS_ALL, BH_EUSAGE, "nothing after \"registry:\" (write registry:HOST[:PORT]/REPO[:TAG|@DIGEST])");
	bad("alpine:3.19", 11, BH_TARGETS_IMAGE, BH_EUSAGE, "\"alpine:\" is not a target prefix; accepted: docker-archive:FILE | oci:DIR[:TAG] | oci-archive:FILE[:TAG] | dir:PATH | engine:IMAGE | registry:HOST[:PORT]/REPO[:TAG|@DIGEST] | PATH");
	/* control characters and NUL, shown escaped */
	bad("dir:/tmp/a\nb", 12, BH_TARGETS_ALL, BH_EUSAGE, "target \"dir:/tmp/a\\x0ab\": control character 0x0a at offset 10");
	bad("\x1b[2Jx", 5, BH_TARGETS_ALL, BH_EUSAGE, "target \"\\x1b[2Jx\": control character 0x1b at offset 0");
	bad("host\x7f", 5, BH_TARGETS_ALL, BH_EUSAGE, "control character 0x7f at offset 4");
	bad(nul, sizeof(nul) - 1, BH_TARGETS_ALL, BH_EUSAGE, "target \"dir:/a\\x00b\": NUL byte at offset 6");
	/* a prefix the command does not read */
	bad("sbom:x.json", 11, BH_TARGETS_IMAGE, BH_EUSAGE, "target \"sbom:x.json\": sbom:FILE is not read by this command; accepted: docker-archive:FILE");
	bad("host:/srv", 9, BH_TARGETS_IMAGE, BH_EUSAGE, "host:ROOT is not read by this command");
	/* too long for a path */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad(big, strlen(big), BH_TARGETS_ALL, BH_EUSAGE, "4999 bytes, longer than the 4095 a path may have");
	/* a long target is cut in the message, so the accepted forms still show */
	bad(big, 300, BH_TARGETS_ALL, BH_ENOTFOUND, "no such file or directory");
	/* missing and unreadable bare paths keep their own statuses (exit 3, not 2) */
	bad("/nonexistent/x", 14, BH_TARGETS_ALL, BH_ENOTFOUND, "/nonexistent/x: no such file or directory");
	snprintf(p, sizeof(p), "%s/fifo", dir);
	bad(p, strlen(p), BH_TARGETS_ALL, BH_EINVAL, "not a regular file (fifo)");
}

static void test_long_target_message(void **state)
{
	char s[300];
	bh_target t;
	bh_error err;
	(void)state;
	memset(s, 'b', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	memcpy(s, "zz:", 3);
	assert_int_equal(bh_target_parse(s, BH_TARGETS_ALL, &t, &err), BH_EUSAGE);
	assert_non_null(strstr(err.msg, "bbb...\": no such file, and \"zz:\" is not a target prefix; accepted: docker-archive:FILE"));
	assert_non_null(strstr(err.msg, "| containers | PATH"));
	bh_target_free(&t);
}

static void test_forms_list(void **state)
{
	char buf[400], small[20];
	size_t n;
	(void)state;
	n = bh_target_forms(BH_TARGETS_ALL, buf, sizeof(buf));
	assert_string_equal(buf, "docker-archive:FILE | oci:DIR[:TAG] | oci-archive:FILE[:TAG] | dir:PATH | engine:IMAGE | "
				 "registry:HOST[:PORT]/REPO[:TAG|@DIGEST] | sbom:FILE | dockerfile:FILE | k8s:FILE | host | host:ROOT | container:NAME | containers | PATH");
	assert_int_equal(n, strlen(buf));
	/* truncated, NUL-terminated, and the length it needed */
	assert_int_equal(bh_target_forms(BH_TARGETS_ALL, small, sizeof(small)), n);
	assert_string_equal(small, "docker-archive:FILE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixed_forms),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_detected_paths),
		cmocka_unit_test(test_words_outside_accept),
		cmocka_unit_test(test_bad_forms),
		cmocka_unit_test(test_long_target_message),
		cmocka_unit_test(test_forms_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
