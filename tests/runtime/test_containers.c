/* test_containers.c - which containers are still there: the cgroup dirs bh_containers_refresh saw (bh_containers_live). */
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

#include "runtime/containers.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A cgroup root made here: machine.slice/libpod-ID.scope as podman makes it; the engine socket does
 * not exist, so the container is known by id only (no inspect). */
static void test_live(void **state)
{
	char root[] = "/tmp/bh-cgroots.XXXXXX", dir[256], ct[512];
	bh_containers *c;
	bh_error err;
	struct stat st;
	uint64_t ino;
	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/machine.slice", root);
	snprintf(ct, sizeof(ct), "%s/libpod-" ID ".scope", dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(ct, 0755), 0);
	assert_int_equal(stat(ct, &st), 0);
	ino = (uint64_t)st.st_ino;
	assert_int_equal(bh_containers_new("unix:///nonexistent/bh-test.sock", root, &c, &err), 0);
	/* before any refresh nothing is known: every container counts as there */
	assert_true(bh_containers_live(c, ino));
	bh_containers_refresh(c);
	assert_true(bh_containers_live(c, ino));
	assert_false(bh_containers_live(c, ino + 7919));
	assert_int_equal(bh_containers_count(c), 1);
	/* the container stops: its cgroup dir goes */
	assert_int_equal(rmdir(ct), 0);
	bh_containers_refresh(c);
	assert_false(bh_containers_live(c, ino));
	/* no engine dir readable at all (another cgroup layout, a permission): unknown, so alive */
	assert_int_equal(rmdir(dir), 0);
	bh_containers_refresh(c);
	assert_true(bh_containers_live(c, ino));
	bh_containers_free(c);
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
