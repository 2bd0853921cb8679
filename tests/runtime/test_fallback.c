/* test_fallback.c - the fallback sensor's pure decoders: process-connector datagrams built with the kernel's own structs, /proc cmdline, mountinfo's upperdir and the cgroup v2 path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <string.h>

#include "runtime/fallback.h"

/* One netlink message holding one proc_event as the kernel lays it out; returns the new length. */
static size_t put_event(unsigned char *buf, size_t off, const struct proc_event *pe, size_t pe_len, uint32_t idx)
{
	struct nlmsghdr nh;
	struct cn_msg cn;

	memset(&nh, 0, sizeof(nh));
	memset(&cn, 0, sizeof(cn));
	nh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + sizeof(cn) + pe_len);
	nh.nlmsg_type = NLMSG_DONE;
	cn.id.idx = idx;
	cn.id.val = CN_VAL_PROC;
	cn.len = (uint16_t)pe_len;
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(buf + off + NLMSG_HDRLEN + sizeof(cn), pe, pe_len);
	return off + NLMSG_ALIGN(nh.nlmsg_len);
}

static void test_exec_exit_uid_ptrace(void **state)
{
	unsigned char buf[1024] __attribute__((aligned(8)));
	struct proc_event pe;
	bh_fallback_pcev ev[8];
	bh_error err;
	size_t len = 0;
	(void)state;

	memset(buf, 0, sizeof(buf));
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXEC;
	pe.timestamp_ns = 123456789;
	pe.event_data.exec.process_pid = 4001; /* a thread's exec: the tid */
	pe.event_data.exec.process_tgid = 4000;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_FORK; /* not reported */
	pe.event_data.fork.child_pid = 4002;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXIT;
	pe.timestamp_ns = 5;
	pe.event_data.exit.process_pid = pe.event_data.exit.process_tgid = 4000;
	pe.event_data.exit.exit_code = 3 << 8; /* exit(3) as a wait status */
	pe.event_data.exit.parent_tgid = 1;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXIT;
	pe.event_data.exit.process_pid = 4003; /* a thread of 4000 ends: not the process */
	pe.event_data.exit.process_tgid = 4000;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXIT;
	pe.event_data.exit.process_pid = pe.event_data.exit.process_tgid = 4010;
	pe.event_data.exit.exit_code = 9; /* killed by SIGKILL */
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_UID;
	pe.event_data.id.process_pid = pe.event_data.id.process_tgid = 4020;
	pe.event_data.id.r.ruid = 1000;
	pe.event_data.id.e.euid = 0;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_PTRACE;
	pe.event_data.ptrace.process_pid = pe.event_data.ptrace.process_tgid = 4030;
	pe.event_data.ptrace.tracer_pid = pe.event_data.ptrace.tracer_tgid = 4031;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_PTRACE; /* a detach: tracer 0, not reported */
	pe.event_data.ptrace.process_pid = pe.event_data.ptrace.process_tgid = 4030;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC);

	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXEC; /* another connector's message: skipped */
	pe.event_data.exec.process_pid = pe.event_data.exec.process_tgid = 9;
	len = put_event(buf, len, &pe, sizeof(pe), CN_IDX_PROC + 1);

	assert_int_equal(bh_fallback_decode(buf, len, ev, 8, &err), 5);
	assert_int_equal(ev[0].type, BH_RT_EXEC);
	assert_int_equal(ev[0].pid, 4000);
	assert_int_equal(ev[0].tid, 4001);
	assert_int_equal(ev[0].ts_ns, 123456789);
	assert_int_equal(ev[1].type, BH_RT_EXIT);
	assert_int_equal(ev[1].pid, 4000);
	assert_int_equal(ev[1].code, 3);
	assert_int_equal(ev[1].ppid, 1);
	assert_int_equal(ev[1].ts_ns, 5);
	assert_int_equal(ev[2].type, BH_RT_EXIT);
	assert_int_equal(ev[2].pid, 4010);
	assert_int_equal(ev[2].code, 9 << 8); /* event.h: signal << 8 */
	assert_int_equal(ev[3].type, BH_RT_SETUID);
	assert_int_equal(ev[3].ruid, 1000);
	assert_int_equal(ev[3].euid, 0);
	assert_int_equal(ev[4].type, BH_RT_PTRACE);
	assert_int_equal(ev[4].pid, 4031);
	assert_int_equal(ev[4].target_pid, 4030);

	/* at most max events; the rest of the datagram is still checked */
	assert_int_equal(bh_fallback_decode(buf, len, ev, 2, &err), 2);
	assert_int_equal(ev[1].type, BH_RT_EXIT);
}

static void test_short_and_hostile(void **state)
{
	unsigned char buf[256] __attribute__((aligned(8)));
	struct proc_event pe;
	struct nlmsghdr nh;
	struct cn_msg cn;
	bh_fallback_pcev ev[4];
	bh_error err;
	size_t len;
	(void)state;

	memset(buf, 0, sizeof(buf));
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXEC;
	pe.event_data.exec.process_pid = pe.event_data.exec.process_tgid = 7;
	len = put_event(buf, 0, &pe, sizeof(pe), CN_IDX_PROC);

	/* nothing, or less than a header: no event, no error */
	assert_int_equal(bh_fallback_decode(buf, 0, ev, 4, &err), 0);
	assert_int_equal(bh_fallback_decode(buf, 10, ev, 4, &err), 0);
	/* the datagram cut inside the message: its length says more than there is */
	assert_int_equal(bh_fallback_decode(buf, len - 8, ev, 4, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "netlink message"));

	/* cn_msg.len larger than the message */
	memcpy(&cn, buf + NLMSG_HDRLEN, sizeof(cn));
	cn.len = 200;
	memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	assert_int_equal(bh_fallback_decode(buf, len, ev, 4, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "payload"));

	/* an exec whose event data is cut short */
	cn.len = 16 + 4;
	memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	assert_int_equal(bh_fallback_decode(buf, len, ev, 4, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "exec event"));

	/* the subscription's answer: shorter than an event, skipped */
	cn.len = 8;
	memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	assert_int_equal(bh_fallback_decode(buf, len, ev, 4, &err), 0);

	/* a netlink length below its own header */
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = 4;
	memcpy(buf, &nh, sizeof(nh));
	assert_int_equal(bh_fallback_decode(buf, len, ev, 4, &err), BH_EINVAL);

	/* an exit from a kernel before 4.18 (no parent fields) still decodes */
	memset(buf, 0, sizeof(buf));
	memset(&pe, 0, sizeof(pe));
	pe.what = PROC_EVENT_EXIT;
	pe.event_data.exit.process_pid = pe.event_data.exit.process_tgid = 11;
	len = put_event(buf, 0, &pe, offsetof(struct proc_event, event_data) + 16, CN_IDX_PROC);
	assert_int_equal(bh_fallback_decode(buf, len, ev, 4, &err), 1);
	assert_int_equal(ev[0].pid, 11);
	assert_int_equal(ev[0].ppid, 0);
}

static void test_args(void **state)
{
	static const char cmd[] = "/bin/sh\0-c\0echo hi\0";
	char big[BH_RT_ARGS_MAX + 100];
	bh_rt_event ev;
	(void)state;

	memset(&ev, 0, sizeof(ev));
	bh_fallback_args(&ev, cmd, sizeof(cmd) - 1);
	assert_string_equal(ev.args, "/bin/sh -c echo hi");
	assert_int_equal(ev.argc, 3);
	assert_int_equal(ev.trunc, 0);

	/* a process that rewrote its argv without a final NUL */
	memset(&ev, 0, sizeof(ev));
	bh_fallback_args(&ev, "abc", 3);
	assert_string_equal(ev.args, "abc");
	assert_int_equal(ev.argc, 1);

	memset(&ev, 0, sizeof(ev));
	memset(big, 'a', sizeof(big));
	bh_fallback_args(&ev, big, sizeof(big));
	assert_int_equal(strlen(ev.args), BH_RT_ARGS_MAX - 1);
	assert_true(ev.trunc & BH_RT_TRUNC_ARGS);
}

static void test_upperdir(void **state)
{
	static const char mi[] =
		"82 52 0:41 / / rw,relatime - overlay overlay rw,lowerdir=/l/A:/l/B,upperdir=/var/lib/c/o/ab\\054c/diff,workdir=/var/lib/c/o/ab/work\n"
		"83 82 0:45 / /proc rw,nosuid - proc proc rw\n";
	static const char host[] = "1 0 8:1 / / rw - ext4 /dev/vda rw\n";
	/* a later "/" mount hides the earlier one (a chroot inside the container): the last one counts */
	static const char two[] =
		"1 0 0:41 / / rw - overlay overlay rw,upperdir=/first/diff\n"
		"2 1 0:42 / / rw shared:5 - overlay overlay rw,upperdir=/second\\040dir/diff,workdir=/w\n";
	char up[64];
	(void)state;

	assert_true(bh_fallback_upperdir(mi, sizeof(mi) - 1, up, sizeof(up)));
	assert_string_equal(up, "/var/lib/c/o/ab,c/diff");
	assert_false(bh_fallback_upperdir(host, sizeof(host) - 1, up, sizeof(up)));
	assert_true(bh_fallback_upperdir(two, sizeof(two) - 1, up, sizeof(up)));
	assert_string_equal(up, "/second dir/diff");
	/* too long for the caller's buffer: not a cut path */
	assert_false(bh_fallback_upperdir(mi, sizeof(mi) - 1, up, 8));
	/* cut in the middle of the line (a bounded read): no upperdir= seen, nothing made up */
	assert_false(bh_fallback_upperdir(mi, 60, up, sizeof(up)));
}

static void test_cgroup_path(void **state)
{
	static const char hybrid[] = "9:name=systemd:/libpod_parent/libpod-ab\n4:memory:/x\n0::/libpod_parent/libpod-ab\n";
	static const char v1only[] = "4:memory:/x\n";
	char p[64];
	(void)state;

	assert_true(bh_fallback_cgroup_path(hybrid, sizeof(hybrid) - 1, p, sizeof(p)));
	assert_string_equal(p, "/libpod_parent/libpod-ab");
	assert_true(bh_fallback_cgroup_path("0::/\n", 5, p, sizeof(p)));
	assert_string_equal(p, "/");
	assert_false(bh_fallback_cgroup_path(v1only, sizeof(v1only) - 1, p, sizeof(p)));
	assert_false(bh_fallback_cgroup_path(hybrid, sizeof(hybrid) - 1, p, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_exit_uid_ptrace),
		cmocka_unit_test(test_short_and_hostile),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_upperdir),
		cmocka_unit_test(test_cgroup_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
