/* test_sensor.c - the sensor's record decoder (runtime/rtrecord.c): argv and cwd rebuilt, strings
 * bounded when the kernel side left no NUL, records of the wrong ring or too short refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "runtime/bpf/record.h"
#include "runtime/rtrecord.h"

static void test_exec(void **state)
{
	struct bh_rec_proc r;
	bh_rt_event ev;
	bh_error err;
	static const char args[] = "/bin/sh\0-c\0echo hi";
	static const char cwd[] = "bin\0local\0usr";
	(void)state;
	memset(&r, 0, sizeof(r));
	r.h.type = BH_REC_EXEC;
	r.h.ts_ns = 1000;
	r.h.pid = 7;
	r.h.cgroup_id = 99;
	memcpy(r.h.comm, "sh", 3);
	memcpy(r.pcomm, "bash", 5);
	memcpy(r.path, "/bin/sh", 8);
	memcpy(r.args, args, sizeof(args));
	r.args_len = sizeof(args); /* the last argument's NUL too */
	memcpy(r.cwd, cwd, sizeof(cwd));
	r.cwd_len = sizeof(cwd);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_PROC, &r, sizeof(r), 5000, &ev, &err), 0);
	assert_int_equal(ev.type, BH_RT_EXEC);
	assert_int_equal(ev.wall_ns, 6000);
	assert_int_equal(ev.pid, 7);
	assert_int_equal(ev.cgroup_id, 99);
	assert_string_equal(ev.comm, "sh");
	assert_string_equal(ev.pcomm, "bash");
	assert_string_equal(ev.path, "/bin/sh");
	assert_string_equal(ev.args, "/bin/sh -c echo hi");
	assert_int_equal(ev.argc, 3);
	assert_string_equal(ev.cwd, "/usr/local/bin");
	assert_int_equal(ev.trunc, 0);

	/* at the root: no names */
	r.cwd_len = 0;
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_PROC, &r, sizeof(r), 0, &ev, &err), 0);
	assert_string_equal(ev.cwd, "/");
}

static void test_hostile(void **state)
{
	struct bh_rec_proc r;
	struct bh_rec_file f;
	bh_rt_event ev;
	bh_error err;
	(void)state;
	/* no NUL anywhere, lengths past their arrays */
	memset(&r, 'A', sizeof(r));
	r.h.type = BH_REC_EXEC;
	r.args_len = 0xffffffffu;
	r.cwd_len = 0xffffffffu;
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_PROC, &r, sizeof(r), 0, &ev, &err), 0);
	assert_int_equal(strlen(ev.comm), BH_RT_COMM_MAX - 1);
	assert_int_equal(strlen(ev.path), BH_RT_PATH_MAX - 1);
	assert_int_equal(strlen(ev.args), BH_RT_ARGS_MAX - 1);
	assert_true(strlen(ev.cwd) < BH_RT_PATH_MAX);
	assert_true(ev.trunc & BH_RT_TRUNC_PATH);
	assert_true(ev.trunc & BH_RT_TRUNC_ARGS);
	assert_true(ev.trunc & BH_RT_TRUNC_CWD);

	/* a file record on the proc ring, a short one, an unknown type */
	memset(&f, 0, sizeof(f));
	f.h.type = BH_REC_OPEN;
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_PROC, &f, sizeof(f), 0, &ev, &err), BH_EINVAL);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f) - 1, 0, &ev, &err), BH_EINVAL);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, 10, 0, &ev, &err), BH_EINVAL);
	f.h.type = 999;
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "unknown type"));
	f.h.type = BH_REC_OPEN;
	f.flags = 01101;
	memcpy(f.path, "/etc/x", 7);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_string_equal(ev.path, "/etc/x");
	assert_int_equal(ev.flags, 01101);
}

/* A relative path made absolute from the directory the kernel read (names leaf first). */
static void set_dir(struct bh_rec_file *f, const char *const *names, size_t n, uint32_t of)
{
	size_t i, off = 0;
	memset(f->dir, 0, sizeof(f->dir));
	for (i = 0; i < n; i++) {
		memcpy(f->dir + off, names[i], strlen(names[i]) + 1);
		off += strlen(names[i]) + 1;
	}
	f->dir_len = (uint32_t)off;
	f->dir_of = of;
}

static void test_relative(void **state)
{
	static const char *const etc[] = { "etc" }, *const ulb[] = { "bin", "local", "usr" };
	struct bh_rec_file f;
	bh_rt_event ev;
	bh_error err;
	(void)state;
	memset(&f, 0, sizeof(f));
	f.h.type = BH_REC_OPEN;
	f.flags = 01101;
	/* cd /etc && echo x >>passwd */
	memcpy(f.path, "passwd", 7);
	set_dir(&f, etc, 1, BH_REC_DIR_PATH);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_string_equal(ev.path, "/etc/passwd");
	assert_string_equal(ev.cwd, "/etc");
	/* "..", never above the root; "./" dropped */
	memcpy(f.path, "../../../../x/./y", 18);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_string_equal(ev.path, "/x/y");
	/* the root itself: no names */
	set_dir(&f, NULL, 0, BH_REC_DIR_PATH);
	memcpy(f.path, "tmp/z", 6);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_string_equal(ev.path, "/tmp/z");
	/* a rename: both relative to /usr/local/bin */
	f.h.type = BH_REC_RENAME;
	memcpy(f.path, "../../bin/implant", 18);
	memcpy(f.path2, "./moved", 8);
	set_dir(&f, ulb, 3, BH_REC_DIR_PATH | BH_REC_DIR_PATH2);
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_string_equal(ev.path, "/usr/bin/implant");
	assert_string_equal(ev.path2, "/usr/local/bin/moved");
	/* dir_of 0: the kernel could not say (a closed descriptor): the path stays as passed */
	f.dir_of = 0;
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_string_equal(ev.path, "../../bin/implant");
	/* hostile: a directory without NULs and a long relative path: bounded, cut, flagged */
	memset(f.dir, 'd', sizeof(f.dir));
	f.dir_len = 0xffffffffu;
	f.dir_of = BH_REC_DIR_PATH;
	memset(f.path, 'p', sizeof(f.path));
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_FILE, &f, sizeof(f), 0, &ev, &err), 0);
	assert_true(strlen(ev.path) < BH_RT_PATH_MAX);
	assert_true(ev.path[0] == '/');
	assert_true(ev.trunc & BH_RT_TRUNC_PATH);
}

static void test_net(void **state)
{
	struct bh_rec_net n;
	bh_rt_event ev;
	bh_error err;
	(void)state;
	memset(&n, 0, sizeof(n));
	n.h.type = BH_REC_CONNECT;
	n.family = 2;
	n.proto = 6;
	n.dport = 9;
	n.daddr[0] = 127;
	n.daddr[3] = 1;
	assert_int_equal(bh_rtrecord_decode(BH_RT_CLASS_NET, &n, sizeof(n), 0, &ev, &err), 0);
	assert_int_equal(ev.type, BH_RT_CONNECT);
	assert_int_equal(ev.dport, 9);
	assert_int_equal(ev.daddr[0], 127);
	assert_int_equal(ev.daddr[3], 1);
	assert_int_equal(ev.proto, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_net),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
