/* test_dpkg.c - the dpkg analyzer against this machine's real status file and dpkg-query. */
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
#include "sbom/sbom.h"

extern const bh_analyzer bh_analyzer_dpkg;
extern const bh_analyzer bh_analyzer_osrelease;


/* Every installed package dpkg-query lists, one for one, with arch and source kept apart. */
static void test_host_status(void **state)
{
	size_t n, i, matched = 0, expected = 0;
	char *data = bh_test_slurp_opt("/var/lib/dpkg/status", &n);
	bh_sbom s;
	bh_error err;
	FILE *q;
	char line[2048];
	(void)state;
	if (!data) {
		skip();
		return;
	}
	bh_sbom_init(&s);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_dpkg, "var/lib/dpkg/status", data, n, &s.comps, &err), 0);
	assert_int_equal(bh_sbom_finalize(&s, &err), 0);
	q = popen("dpkg-query -W -f '${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n'", "r");
	assert_non_null(q);
	while (fgets(line, sizeof(line), q)) {
		char want[2048];
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "installed\t", 10) != 0)
			continue;
		expected++;
		for (i = 0; i < s.comps.n; i++) {
			const bh_component *c = s.comps.items[i];
			snprintf(want, sizeof(want), "installed\t%s\t%s\t%s\t%s\t%s", c->name, c->version, c->arch ? c->arch : "",
				 c->src_name, c->src_version);
			if (strcmp(want, line) == 0) {
				matched++;
				break;
			}
		}
		if (i == s.comps.n)
			print_error("missing: %s\n", line);
	}
	pclose(q);
	assert_int_equal(matched, expected);
	assert_int_equal(s.comps.n, expected);
	free(data);
	bh_sbom_free(&s);
}

static void test_paragraph_edge_cases(void **state)
{
	static const char doc[] =
		"Package: x\nStatus: deinstall ok config-files\nVersion: 1\n\n"
		"Package: y\nStatus: install ok installed\nVersion: 2:1.0-1\nSource: ysrc (1.0-0.1)\n"
		"Description: a\n multi-line\n .\n field\n\n"
		"Package: noversion\nStatus: install ok installed\n\n"
		"Package: z\r\nStatus: install ok installed\r\nVersion: 3\r\nSource: zsrc\r\n";
	bh_complist l = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_dpkg, "var/lib/dpkg/status", doc, sizeof(doc) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0]->name, "y");
	assert_string_equal(l.items[0]->version, "2:1.0-1");
	assert_string_equal(l.items[0]->src_name, "ysrc");
	assert_string_equal(l.items[0]->src_version, "1.0-0.1");
	assert_string_equal(l.items[1]->name, "z");
	assert_string_equal(l.items[1]->src_name, "zsrc");
	assert_null(l.items[1]->src_version);
	bh_complist_free(&l);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(bh_analyzer_dpkg.match("var/lib/dpkg/status", 19, 0100644, 10));
	assert_true(bh_analyzer_dpkg.match("var/lib/dpkg/status.d/base", 26, 0100644, 10));
	assert_false(bh_analyzer_dpkg.match("var/lib/dpkg/status.d/base.md5sums", 34, 0100644, 10));
	assert_false(bh_analyzer_dpkg.match("var/lib/dpkg/status-old", 23, 0100644, 10));
}

static void test_os_release(void **state)
{
	static const char osr[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
	bh_sbom s;
	bh_error err;
	(void)state;
	bh_sbom_init(&s);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_osrelease, "etc/os-release", osr, sizeof(osr) - 1, &s.comps, &err), 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_osrelease, "etc/debian_version", "12.5\n", 5, &s.comps, &err), 0);
	assert_int_equal(bh_sbom_finalize(&s, &err), 0);
	assert_string_equal(s.osinfo.family, "debian");
	assert_string_equal(s.osinfo.version, "12.5");
	assert_string_equal(s.osinfo.codename, "bookworm");
	assert_int_equal(s.comps.n, 0);
	bh_sbom_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_status),
		cmocka_unit_test(test_paragraph_edge_cases),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_os_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
