/* test_drift.c - drift classification over temp dirs laid out as an overlay upper dir and image layers. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/drift.h"
#include "support/tmpdir.h"

static char root[256], up[300], lo0[300], lo1[300];

static int setup(void **state)
{
	(void)state;
	if (bh_test_mkdtemp(root, sizeof(root), "drift"))
		return -1;
	snprintf(up, sizeof(up), "%s/upper", root);
	snprintf(lo0, sizeof(lo0), "%s/lower0", root);
	snprintf(lo1, sizeof(lo1), "%s/lower1", root);
	return mkdir(up, 0755) || mkdir(lo0, 0755) || mkdir(lo1, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(root);
}

/* mkdir -p of base/rel's parent, then the file with content and mode. */
static void put(const char *base, const char *rel, const void *data, size_t n, mode_t mode)
{
	char p[600], *s;
	FILE *fp;
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (s = p + strlen(base) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	assert_non_null(fp = fopen(p, "wb"));
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static void puts_(const char *base, const char *rel, const char *text, mode_t mode)
{
	put(base, rel, text, strlen(text), mode);
}

static void dir(const char *base, const char *rel, mode_t mode)
{
	char p[600], *s;
	snprintf(p, sizeof(p), "%s/%s/", base, rel);
	for (s = p + strlen(base) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	p[strlen(p) - 1] = '\0';
	assert_int_equal(chmod(p, mode), 0);
}

static void link_(const char *base, const char *rel, const char *target)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void whiteout(const char *base, const char *rel)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(mknod(p, S_IFCHR | 0, makedev(0, 0)), 0);
}

static void opaque(const char *base, const char *rel)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
}

/* A 64-bit little-endian ELF header of type ET_DYN with one program header (PT_INTERP or PT_LOAD). */
static void elf(const char *base, const char *rel, int interp, mode_t mode)
{
	unsigned char b[64 + 56];
	memset(b, 0, sizeof(b));
	memcpy(b, "\177ELF\2\1\1", 7);
	b[16] = 3;  /* ET_DYN */
	b[18] = 62; /* x86-64 */
	b[32] = 64; /* e_phoff */
	b[54] = 56; /* e_phentsize */
	b[56] = 1;  /* e_phnum */
	b[64] = interp ? 3 : 1;
	put(base, rel, b, sizeof(b), mode);
}

static bh_drift_report r;

/* strlen out of line: gcc's -Wstringop-overread cannot see that find() checked its result */
__attribute__((noinline)) static size_t slen(const char *s)
{
	return strlen(s);
}

static int compare(const bh_drift_opts *o)
{
	const char *lowers[] = { lo0, lo1 };
	bh_error err;
	int rc;
	bh_error_clear(&err);
	rc = bh_drift_compare(up, lowers, 2, o, &r, &err);
	if (rc)
		print_message("bh_drift_compare: %s\n", err.msg);
	return rc;
}

static const bh_drift_entry *find(const char *path)
{
	for (size_t i = 0; i < r.n; i++)
		if (!strcmp(r.v[i].path, path))
			return &r.v[i];
	return NULL;
}

static void want(const char *path, bh_drift_kind kind, bool exec, bool lib, bool allowed)
{
	const bh_drift_entry *e = find(path);
	if (!e)
		fail_msg("%s not reported", path);
	if (e->kind != kind || e->executable != exec || e->library != lib || e->allowed != allowed)
		fail_msg("%s: kind %s exec %d lib %d allowed %d", path, bh_drift_kind_name(e->kind), e->executable, e->library, e->allowed);
}

/* The image: two layers; lower0 is on top. */
static void image(void)
{
	puts_(lo1, "etc/motd", "hello\n", 0644);
	elf(lo1, "bin/tool", 1, 0755);
	puts_(lo1, "usr/share/a/x", "x\n", 0644);
	puts_(lo1, "usr/share/a/y", "y\n", 0644);
	link_(lo1, "etc/link", "/etc/motd");
	puts_(lo1, "etc/same", "same\n", 0644);
	dir(lo1, "tmp", 01777);
	puts_(lo0, "etc/motd", "hello from the top layer\n", 0644); /* hides lower1's motd */
}

static void test_added_changed_mode(void **state)
{
	const bh_drift_entry *e;
	(void)state;
	image();
	elf(up, "usr/local/bin/x", 1, 0755);                   /* a new PIE executable */
	elf(up, "lib/libnew.so.1", 0, 0644);                  /* a new shared library (no x bit) */
	elf(up, "opt/plugin", 0, 0644);                       /* ET_DYN without an interpreter: a library by content */
	puts_(up, "etc/motd", "hello from the top layer\nmore\n", 0644); /* changed against lower0's, not lower1's */
	elf(up, "bin/tool", 1, 04755);                        /* same bytes, setuid */
	puts_(up, "etc/same", "same\n", 0644);                /* a copy-up with nothing changed */
	puts_(up, "usr/share/a/x", "x\n", 0600);              /* mode */
	link_(up, "etc/link", "/etc/passwd");                 /* link target changed */
	link_(up, "etc/evil", "/etc/shadow");                 /* added link, never followed */
	puts_(up, "tmp/scratch", "s\n", 0644);                 /* allowed */
	dir(up, "tmp", 01777);
	dir(up, "etc", 0755);
	assert_int_equal(compare(NULL), 0);

	want("/usr/local/bin/x", BH_DRIFT_ADDED, true, false, false);
	want("/lib/libnew.so.1", BH_DRIFT_ADDED, false, true, false);
	want("/opt/plugin", BH_DRIFT_ADDED, false, true, false);
	want("/etc/motd", BH_DRIFT_CHANGED, false, false, false);
	want("/bin/tool", BH_DRIFT_MODE, true, false, false);
	want("/usr/share/a/x", BH_DRIFT_MODE, false, false, false);
	want("/etc/link", BH_DRIFT_CHANGED, false, false, false);
	want("/etc/evil", BH_DRIFT_ADDED, false, false, false);
	want("/tmp/scratch", BH_DRIFT_ADDED, false, false, true);
	/* new dirs are added too; /etc, /tmp, /usr, /usr/share, /usr/share/a equal the image's */
	want("/usr/local", BH_DRIFT_ADDED, false, false, false);
	want("/usr/local/bin", BH_DRIFT_ADDED, false, false, false);
	want("/lib", BH_DRIFT_ADDED, false, false, false);
	want("/opt", BH_DRIFT_ADDED, false, false, false);
	assert_null(find("/etc/same"));
	assert_null(find("/etc"));
	assert_null(find("/tmp"));
	assert_null(find("/usr/share/a"));
	assert_int_equal(r.n, 13);
	assert_int_equal(r.allowed, 1);
	assert_int_equal(bh_drift_count(&r), 12);
	assert_int_equal(r.count[BH_DRIFT_ADDED], 8);
	assert_int_equal(r.count[BH_DRIFT_CHANGED], 2);
	assert_int_equal(r.count[BH_DRIFT_MODE], 2);

	e = find("/etc/motd");
	assert_non_null(e);
	assert_string_equal(e->image.sha256, "4b0e9ab76570df963fa29cca0a12bfccb37b868ad0034f68a679a1a5eedfd363"); /* sha256sum of lower0's file */
	assert_int_equal(slen(e->image.sha256), 64);
	assert_int_equal(slen(e->container.sha256), 64);
	assert_string_not_equal(e->image.sha256, e->container.sha256);
	assert_int_equal(e->image.size, strlen("hello from the top layer\n"));
	e = find("/etc/link");
	assert_non_null(e);
	assert_string_equal(e->image.link, "/etc/motd");
	assert_string_equal(e->container.link, "/etc/passwd");
	e = find("/bin/tool");
	assert_non_null(e);
	assert_int_equal(e->image.mode, 0755);
	assert_int_equal(e->container.mode, 04755);
	assert_int_equal(e->severity, BH_SEV_HIGH);
	assert_string_equal(e->image.sha256, e->container.sha256);
	assert_int_equal(find("/usr/local/bin/x")->severity, BH_SEV_HIGH);
	assert_int_equal(find("/usr/share/a/x")->severity, BH_SEV_MEDIUM);
	assert_string_equal(find("/etc/evil")->container.link, "/etc/shadow");
	/* sorted by path */
	for (size_t i = 1; i < r.n; i++)
		assert_true(strcmp(r.v[i - 1].path, r.v[i].path) < 0);
	bh_drift_report_free(&r);
}

/* A symlinked directory in the upper dir (to / of this machine) is an entry, never a way out. */
static void test_symlink_not_followed(void **state)
{
	(void)state;
	image();
	link_(up, "escape", "/");
	link_(up, "dots", "../../../../../../etc");
	assert_int_equal(compare(NULL), 0);
	want("/escape", BH_DRIFT_ADDED, false, false, false);
	want("/dots", BH_DRIFT_ADDED, false, false, false);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.walked, 2);
	bh_drift_report_free(&r);
}

static void test_allow_list(void **state)
{
	const char *allow[] = { "/opt/data/" };
	bh_drift_opts o;
	(void)state;
	image();
	puts_(up, "opt/data/a", "a", 0644);
	puts_(up, "opt/database", "b", 0644); /* a prefix by bytes, not by component */
	puts_(up, "tmp/t", "t", 0644);         /* not allowed once --allow replaces the defaults */
	memset(&o, 0, sizeof(o));
	o.allow = allow;
	o.nallow = 1;
	assert_int_equal(compare(&o), 0);
	want("/opt/data", BH_DRIFT_ADDED, false, false, true);
	want("/opt/data/a", BH_DRIFT_ADDED, false, false, true);
	want("/opt/database", BH_DRIFT_ADDED, false, false, false);
	want("/tmp/t", BH_DRIFT_ADDED, false, false, false);
	assert_int_equal(r.allowed, 2);
	bh_drift_report_free(&r);
}

static void test_limits(void **state)
{
	bh_drift_opts o;
	bh_error err;
	const char *lowers[] = { lo0, lo1 };
	char rel[64];
	(void)state;
	image();
	for (int i = 0; i < 10; i++) {
		snprintf(rel, sizeof(rel), "many/f%d", i);
		puts_(up, rel, "x", 0644);
	}
	dir(up, "d1/d2/d3/d4/d5", 0755);
	memset(&o, 0, sizeof(o));
	o.max_entries = 5;
	bh_error_clear(&err);
	assert_int_equal(bh_drift_compare(up, lowers, 2, &o, &r, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "max_entries"));
	assert_non_null(strchr(err.msg, '/'));
	bh_drift_report_free(&r);
	o.max_entries = 0;
	o.max_depth = 3;
	assert_int_equal(bh_drift_compare(up, lowers, 2, &o, &r, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "/d1/d2/d3/d4"));
	bh_drift_report_free(&r);
	assert_int_equal(bh_drift_compare("/nonexistent-upper", lowers, 2, NULL, &r, &err), BH_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent-upper"));
	bh_drift_report_free(&r);
}

/* Whiteouts and opaque dirs, in the upper dir and in the image's layers (mknod and trusted.* xattrs: root). */
static void test_whiteouts_opaque(void **state)
{
	const bh_drift_entry *e;
	(void)state;
	if (geteuid() != 0) {
		print_message("SKIP whiteouts/opaque: mknod of a 0:0 device and trusted.overlay.opaque need root\n");
		skip();
	}
	image();
	/* the image: lower0 deletes lower1's /etc/gone and replaces /usr/share/a with an opaque dir holding z */
	puts_(lo1, "etc/gone", "g\n", 0644);
	whiteout(lo0, "etc/gone");
	dir(lo0, "usr/share/a", 0755);
	opaque(lo0, "usr/share/a");
	puts_(lo0, "usr/share/a/z", "z\n", 0644);
	puts_(lo1, "usr/share/a/s/f", "f\n", 0644);  /* hidden too: s is missing below lower0's opaque a */
	puts_(lo1, "usr/share/b/k", "k\n", 0644);
	puts_(lo1, "usr/share/b/l", "l\n", 0644);
	dir(lo1, "usr/share/b/sub", 0755);
	puts_(lo1, "usr/share/b/sub/m", "m\n", 0644);

	puts_(up, "etc/gone", "back\n", 0644);   /* the image has no /etc/gone: added */
	puts_(up, "usr/share/a/x", "x\n", 0644); /* lower1's x is hidden by lower0's opaque dir: added */
	puts_(up, "usr/share/a/s/f", "f\n", 0644); /* the same bytes as lower1's hidden file: still added */
	whiteout(up, "etc/motd");                /* deleted */
	whiteout(up, "etc/never");               /* hides nothing of the image: not reported */
	dir(up, "usr/share/b", 0755);            /* rm -rf + mkdir: opaque, k kept, l and sub gone */
	opaque(up, "usr/share/b");
	puts_(up, "usr/share/b/k", "k\n", 0644);
	puts_(up, "etc/same", "same\n", 0644);
	{
		char p[600];
		snprintf(p, sizeof(p), "%s/etc/same", up);
		assert_int_equal(chown(p, 1000, 1000), 0); /* owner */
	}
	assert_int_equal(compare(NULL), 0);
	want("/etc/gone", BH_DRIFT_ADDED, false, false, false);
	want("/usr/share/a/x", BH_DRIFT_ADDED, false, false, false);
	want("/usr/share/a/s", BH_DRIFT_ADDED, false, false, false);
	want("/usr/share/a/s/f", BH_DRIFT_ADDED, false, false, false);
	want("/etc/motd", BH_DRIFT_DELETED, false, false, false);
	want("/usr/share/b/l", BH_DRIFT_DELETED, false, false, false);
	want("/usr/share/b/sub", BH_DRIFT_DELETED, false, false, false);
	want("/etc/same", BH_DRIFT_OWNER, false, false, false);
	assert_null(find("/etc/never"));
	assert_null(find("/usr/share/b/k"));
	assert_null(find("/usr/share/b/sub/m")); /* the dir is reported once */
	assert_null(find("/usr/share/b"));
	assert_int_equal(r.n, 8);
	e = find("/etc/motd");
	assert_non_null(e);
	assert_int_equal(e->image.size, strlen("hello from the top layer\n"));
	assert_false(e->container.present);
	assert_int_equal(e->severity, BH_SEV_LOW);
	e = find("/usr/share/b/sub");
	assert_non_null(e);
	assert_int_equal(e->image.type, 'd');
	e = find("/etc/same");
	assert_non_null(e);
	assert_int_equal(e->image.uid, 0);
	assert_int_equal(e->container.uid, 1000);
	assert_int_equal(e->container.gid, 1000);
	bh_drift_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_added_changed_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteouts_opaque, setup, teardown),
	};
	return cmocka_run_group_tests_name("drift", tests, NULL, NULL);
}
