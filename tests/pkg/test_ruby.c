/* test_ruby.c - the ruby analyzer on real installed gemspecs and a Bundler-written Gemfile.lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_ruby;

#define FIX "tests/fixtures/ruby/"


static int run_file(const char *fixture, const char *as, bh_complist *out)
{
	char path[256];
	size_t n;
	char *data;
	bh_error err;
	int rc;
	snprintf(path, sizeof(path), FIX "%s", fixture);
	data = bh_test_slurp(path, &n);
	rc = bh_analyzer_run_mem(&bh_analyzer_ruby, as, data, n, out, &err);
	free(data);
	return rc;
}

static bool m(const char *p)
{
	return bh_analyzer_ruby.match(p, strlen(p), 0100644, 1);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(m("usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec"));
	assert_true(m("usr/lib/ruby/gems/3.1.0/specifications/default/bundler-2.3.7.gemspec"));
	assert_true(m("usr/share/rubygems-integration/all/specifications/webrick-1.8.1.gemspec"));
	assert_true(m("specifications/x-1.gemspec"));
	assert_true(m("app/Gemfile.lock"));
	assert_true(m("Gemfile.lock"));
	assert_true(m("app/gems.locked"));
	assert_false(m("app/x.gemspec"));
	assert_false(m("usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec"));
	assert_false(m("a/myspecifications/x.gemspec"));
	assert_false(m("a/specifications/.gemspec"));
	assert_false(m("a/specifications/sub/x.gemspec"));
	assert_false(m("app/Gemfile"));
	assert_false(m("app/NotGemfile.lock"));
}

static void check(const bh_component *c, const char *name, const char *ver, const char *lic)
{
	assert_int_equal(c->eco, BH_ECO_GEM);
	assert_string_equal(c->name, name);
	assert_string_equal(c->version, ver);
	if (lic)
		assert_string_equal(c->license, lic);
	else
		assert_null(c->license);
}

/* Gemspecs as RubyGems writes them at install time (Debian's ruby3.1 and ruby-webrick). */
static void test_gemspecs(void **state)
{
	bh_complist l = { 0 };
	(void)state;
	assert_int_equal(run_file("rake-13.0.6.gemspec", "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec", &l), 0);
	assert_int_equal(run_file("minitest-5.15.0.gemspec", "usr/lib/ruby/gems/3.1.0/specifications/minitest-5.15.0.gemspec", &l), 0);
	assert_int_equal(run_file("webrick-1.8.1.gemspec", "usr/share/rubygems-integration/all/specifications/webrick-1.8.1.gemspec", &l), 0);
	assert_int_equal(run_file("bundler-2.3.7.gemspec", "usr/lib/ruby/gems/3.1.0/specifications/default/bundler-2.3.7.gemspec", &l), 0);
	assert_int_equal(l.n, 4);
	check(l.items[0], "rake", "13.0.6", "MIT");
	assert_string_equal(l.items[0]->path, "/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec");
	check(l.items[1], "minitest", "5.15.0", "MIT");
	check(l.items[2], "webrick", "1.8.1", "Ruby OR BSD-2-Clause");
	check(l.items[3], "bundler", "2.3.7", "MIT");
	assert_int_equal(l.items[0]->flags & BH_COMP_LOCKFILE, 0);
	bh_complist_free(&l);
}

/* Hand-written gemspec forms: other receiver names, single quotes, Gem::Version.new, stub fallback. */
static void test_gemspec_forms(void **state)
{
	static const char a[] = "Gem::Specification.new do |spec|\n  spec.name    = 'my_gem'\n  spec.version = Gem::Version.new(\"0.9.1\")\n  spec.license = 'Apache-2.0'\n  spec.add_dependency \"x\", \"= 1\"\nend\n";
	static const char b[] = "# stub: stubbed 4.5.6 ruby lib\nGem::Specification.new do |s|\n  s.name = NAME\nend\n";
	static const char c[] = "s.name == \"nope\"\ns.version = \"1\nunterminated\n";
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_ruby, "specifications/my_gem-0.9.1.gemspec", a, sizeof(a) - 1, &l, &err), 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_ruby, "specifications/stubbed-4.5.6.gemspec", b, sizeof(b) - 1, &l, &err), 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_ruby, "specifications/bad-1.gemspec", c, sizeof(c) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	check(l.items[0], "my_gem", "0.9.1", "Apache-2.0");
	check(l.items[1], "stubbed", "4.5.6", NULL);
	bh_complist_free(&l);
}

/* Gemfile.lock written by `bundle lock --local` (Bundler 2.3.7): dependency lines are not gems. */
static void test_lockfile(void **state)
{
	static const char *const want[][2] = { { "minitest", "5.15.0" }, { "power_assert", "2.0.1" }, { "rake", "13.0.6" },
					       { "rexml", "3.2.5" }, { "test-unit", "3.5.3" }, { "webrick", "1.8.1" } };
	bh_complist l = { 0 };
	size_t i;
	(void)state;
	assert_int_equal(run_file("Gemfile.lock", "srv/app/Gemfile.lock", &l), 0);
	assert_int_equal(l.n, 6);
	for (i = 0; i < 6; i++) {
		check(l.items[i], want[i][0], want[i][1], NULL);
		assert_true(l.items[i]->flags & BH_COMP_LOCKFILE);
		assert_string_equal(l.items[i]->path, "/srv/app/Gemfile.lock");
	}
	bh_complist_free(&l);
}

/* Platform-specific versions, GIT/PATH sources, CRLF, repeated platforms, junk. */
static void test_lockfile_platforms(void **state)
{
	static const char doc[] =
		"GIT\r\n  remote: https://github.com/x/y.git\r\n  revision: abc\r\n  specs:\r\n    y (0.1.0)\r\n      z\r\n\r\n"
		"PATH\n  remote: .\n  specs:\n    myapp (1.0.0)\n      rails (>= 7)\n\n"
		"GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.10-x86_64-linux)\n      racc (~> 1.4)\n"
		"    nokogiri (1.13.10-arm64-darwin)\n    racc (1.6.2)\n    ffi (1.15.5-java)\n    broken (\n    ()\n    noparen\n"
		"\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri (1.0)\n    fake (2.0)\n\nBUNDLED WITH\n   2.4.1\n";
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_ruby, "Gemfile.lock", doc, sizeof(doc) - 1, &l, &err), 0);
	assert_int_equal(l.n, 5);
	check(l.items[0], "y", "0.1.0", NULL);
	check(l.items[1], "myapp", "1.0.0", NULL);
	check(l.items[2], "nokogiri", "1.13.10", NULL);
	assert_string_equal(l.items[2]->arch, "x86_64-linux");
	check(l.items[3], "racc", "1.6.2", NULL);
	assert_null(l.items[3]->arch);
	check(l.items[4], "ffi", "1.15.5", NULL);
	assert_string_equal(l.items[4]->arch, "java");
	bh_complist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_gemspecs),
		cmocka_unit_test(test_gemspec_forms),
		cmocka_unit_test(test_lockfile),
		cmocka_unit_test(test_lockfile_platforms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
