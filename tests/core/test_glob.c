/* test_glob.c - doublestar globs and the --skip-dirs/--skip-files lists (src/core/glob.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/glob.h"

static void test_components(void **state)
{
	(void)state;
	assert_true(bh_glob_match("a/b.txt", "a/b.txt"));
	assert_false(bh_glob_match("a/b.txt", "a/b.txtx"));
	assert_false(bh_glob_match("a", "a/b"));          /* a pattern is the whole path */
	assert_true(bh_glob_match("*.jar", "app.jar"));
	assert_false(bh_glob_match("*.jar", "lib/app.jar")); /* `*` stays in one component */
	assert_true(bh_glob_match("lib/*.jar", "lib/app.jar"));
	assert_true(bh_glob_match("*", ".hidden"));       /* doublestar: dotfiles are not special */
	assert_true(bh_glob_match("a?c", "abc"));
	assert_false(bh_glob_match("a?c", "a/c"));
	assert_true(bh_glob_match("x[0-9]", "x7"));
	assert_false(bh_glob_match("x[0-9]", "xa"));
	assert_true(bh_glob_match("x[!0-9]", "xa"));
	assert_true(bh_glob_match("x[^a]", "xb"));
	assert_true(bh_glob_match("x[]]", "x]"));
	assert_false(bh_glob_match("x[ab", "xa"));        /* malformed class: matches nothing */
	assert_true(bh_glob_match("a\\*b", "a*b"));
	assert_false(bh_glob_match("a\\*b", "axb"));
	assert_true(bh_glob_match("*a*b*c*", "xxaxxbxxcxx"));
	assert_false(bh_glob_match("*a*b*c*", "xxaxxcxxbxx"));
	assert_true(bh_glob_match("a**b", "axxb"));       /* `**` inside a component is `*` */
	assert_false(bh_glob_match("a**b", "ax/xb"));
}

static void test_doublestar(void **state)
{
	(void)state;
	assert_true(bh_glob_match("**/node_modules", "node_modules"));
	assert_true(bh_glob_match("**/node_modules", "app/web/node_modules"));
	assert_false(bh_glob_match("**/node_modules", "app/web/node_modules/x"));
	assert_true(bh_glob_match("usr/**", "usr"));
	assert_true(bh_glob_match("usr/**", "usr/lib/x/y"));
	assert_false(bh_glob_match("usr/**", "usrx/lib"));
	assert_true(bh_glob_match("**", "any/thing/at/all"));
	assert_true(bh_glob_match("a/**/b/*.py", "a/b/x.py"));
	assert_true(bh_glob_match("a/**/b/*.py", "a/1/2/b/x.py"));
	assert_false(bh_glob_match("a/**/b/*.py", "a/1/2/b/c/x.py"));
	assert_true(bh_glob_match("**/b/**/c", "x/b/y/b/z/c"));
	assert_true(bh_glob_match("**/*.txt", "deep/er/f.txt"));
	assert_true(bh_glob_match("/etc/*.conf", "etc/x.conf")); /* a leading '/' is the root */
	assert_true(bh_glob_match("etc/x.conf", "/etc/x.conf"));
	assert_true(bh_glob_match("a//b", "a/b"));
	/* many `**` over a long path stays linear enough to answer at once */
	assert_false(bh_glob_match("**/a/**/a/**/a/**/a/**/b", "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c"));
}

static void test_skip_lists(void **state)
{
	bh_glob_skip in, s;
	bh_error err;
	(void)state;
	memset(&in, 0, sizeof(in));
	assert_true(bh_glob_skip_empty(&in));
	assert_true(bh_glob_skip_empty(NULL));
	assert_int_equal(bh_glob_skip_add(&in, true, "./vendor/,**/node_modules", &err), 0);
	assert_int_equal(bh_glob_skip_add(&in, false, "/srv/app/secret.env", &err), 0);
	assert_int_equal(bh_glob_skip_add(&in, false, "*.pem,../conf/*.key,/elsewhere/x", &err), 0);
	assert_int_equal(in.ndirs, 2);
	assert_string_equal(in.dirs[0], "./vendor");
	assert_int_equal(in.nfiles, 4);
	assert_false(bh_glob_skip_empty(&in));

	/* a directory scan of /srv/app run from /srv/app/sub */
	assert_int_equal(bh_glob_skip_for_root(&in, "/srv/app", "/srv/app/sub", &s, &err), 0);
	assert_string_equal(s.dirs[0], "sub/vendor");         /* ./vendor from the cwd: under the root */
	assert_string_equal(s.dirs[1], "**/node_modules");
	assert_string_equal(s.files[0], "secret.env");        /* absolute under the root */
	assert_string_equal(s.files[1], "*.pem");
	assert_string_equal(s.files[2], "conf/*.key");        /* ../conf from /srv/app/sub */
	assert_string_equal(s.files[3], "elsewhere/x");       /* outside the root: the root's own */
	bh_glob_skip_free(&s);
	assert_int_equal(bh_glob_skip_for_root(&in, "/srv/app", "/srv/app", &s, &err), 0);
	assert_string_equal(s.dirs[0], "vendor");
	assert_true(bh_glob_skip_dir(&s, "vendor"));
	assert_false(bh_glob_skip_dir(&s, "src/vendor"));
	assert_true(bh_glob_skip_dir(&s, "src/node_modules"));
	assert_true(bh_glob_skip_file(&s, "secret.env"));
	assert_true(bh_glob_skip_file(&s, "key.pem"));
	assert_false(bh_glob_skip_file(&s, "certs/key.pem"));
	bh_glob_skip_free(&s);
	assert_int_equal(bh_glob_skip_for_root(&in, "/", "/", &s, &err), 0); /* dir:/ */
	assert_string_equal(s.files[0], "srv/app/secret.env");
	bh_glob_skip_free(&s);

	/* an image: "/x" and "./x" are the image's x */
	assert_int_equal(bh_glob_skip_for_root(&in, NULL, NULL, &s, &err), 0);
	assert_string_equal(s.dirs[0], "vendor");
	assert_string_equal(s.files[0], "srv/app/secret.env");
	assert_true(bh_glob_skip_file(&s, "srv/app/secret.env"));
	/* layer entries: a file inside a skipped dir, the dir itself, never a file named like a dir */
	assert_true(bh_glob_skip_entry(&s, "vendor/lib/x.py", false));
	assert_true(bh_glob_skip_entry(&s, "a/b/node_modules/lodash/package.json", false));
	assert_true(bh_glob_skip_entry(&s, "vendor", true));
	assert_false(bh_glob_skip_entry(&s, "vendor", false));
	assert_false(bh_glob_skip_entry(&s, "src/app.py", false));
	bh_glob_skip_free(&s);

	assert_int_equal(bh_glob_skip_for_root(NULL, "/x", "/", &s, &err), 0);
	assert_true(bh_glob_skip_empty(&s));
	assert_int_equal(bh_glob_skip_add(&in, true, "a,,b", &err), BH_EUSAGE);
	assert_non_null(strstr(err.msg, "--skip-dirs"));
	assert_int_equal(bh_glob_skip_add(&in, false, "", &err), BH_EUSAGE);
	bh_glob_skip_free(&in);
	assert_true(bh_glob_skip_empty(&in));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_components),
		cmocka_unit_test(test_doublestar),
		cmocka_unit_test(test_skip_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
