/* test_layer.c - overlay semantics of the layer reader: whiteouts, opaque dirs, links, hostile paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/layer.h"
#include "support/fixture.h"
#include "support/tarbuild.h"

#define STATUS(pkg, ver) "Package: " pkg "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " ver "\n\n"

struct img {
	bh_sbom s;
	bh_collect c;
	bh_limits lim;
};

static void img_init(struct img *m)
{
	bh_sbom_init(&m->s);
	bh_limits_default(&m->lim);
	bh_collect_init(&m->c, &m->lim, &m->s);
}

static int add_layer(struct img *m, int idx, const tb_entry *e, size_t n, int gz)
{
	size_t len;
	void *tar = tb_build(e, n, gz, &len);
	struct archive *a = bh_layer_reader_new();
	bh_error err;
	int rc;
	assert_int_equal(archive_read_open_memory(a, tar, len), ARCHIVE_OK);
	rc = bh_layer_walk(a, idx, "test", &m->c, &err);
	archive_read_free(a);
	free(tar);
	return rc;
}

static const bh_component *find(const bh_sbom *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->comps.n; i++)
		if (s->comps.items[i]->name && !strcmp(s->comps.items[i]->name, name))
			return s->comps.items[i];
	return NULL;
}

static void img_done(struct img *m)
{
	bh_error err;
	assert_int_equal(bh_collect_finish(&m->c, &err), 0);
	bh_collect_free(&m->c);
	assert_int_equal(bh_sbom_finalize(&m->s, &err), 0);
}

static void test_layer_attribution(void **state)
{
	struct img m;
	const tb_entry l0[] = { { "var/lib/dpkg/status", 'f', STATUS("a", "1") STATUS("b", "2"), 0 } };
	const tb_entry l1[] = { { "var/lib/dpkg/status", 'f', STATUS("a", "1") STATUS("b", "3") STATUS("c", "1"), 0 } };
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 1, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 1, 1), 0);
	img_done(&m);
	assert_int_equal(m.s.comps.n, 3);
	assert_int_equal(find(&m.s, "a")->layer, 0); /* unchanged since layer 0 */
	assert_int_equal(find(&m.s, "b")->layer, 1); /* upgraded in layer 1 */
	assert_int_equal(find(&m.s, "c")->layer, 1);
	assert_string_equal(find(&m.s, "a")->path, "/var/lib/dpkg/status");
	bh_sbom_free(&m.s);
}

static void test_whiteouts(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "app/", 'd', NULL, 0 },
		{ "app/node_modules/x/package.json", 'f', "{}", 0 },
		{ "var/lib/dpkg/status.d/keep", 'f', STATUS("keep", "1"), 0 },
		{ "var/lib/dpkg/status.d/gone", 'f', STATUS("gone", "1"), 0 },
		{ "opt/d/status.d/x", 'f', "", 0 },
		{ "var/lib/dpkg/status.d/opq", 'f', STATUS("opq", "1"), 0 },
	};
	const tb_entry l1[] = {
		{ "var/lib/dpkg/status.d/.wh.gone", 'f', "", 0 },
	};
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 6, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 1, 0), 0);
	img_done(&m);
	assert_non_null(find(&m.s, "keep"));
	assert_null(find(&m.s, "gone"));
	assert_non_null(find(&m.s, "opq"));
	bh_sbom_free(&m.s);
}

static void test_opaque_and_dir_whiteout(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "var/lib/dpkg/status.d/a", 'f', STATUS("a", "1"), 0 },
		{ "var/lib/dpkg/status.d/b", 'f', STATUS("b", "1"), 0 },
	};
	/* The opaque marker may come after the layer's own entries: those must survive. */
	const tb_entry l1[] = {
		{ "var/lib/dpkg/status.d/c", 'f', STATUS("c", "1"), 0 },
		{ "var/lib/dpkg/status.d/.wh..wh..opq", 'f', "", 0 },
	};
	const tb_entry l2[] = { { "var/lib/dpkg/.wh.status.d", 'f', "", 0 } };
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 2, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 2, 0), 0);
	assert_int_equal(add_layer(&m, 2, l2, 1, 0), 0);
	img_done(&m);
	assert_int_equal(m.s.comps.n, 0);
	bh_sbom_free(&m.s);

	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 2, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 2, 0), 0);
	img_done(&m);
	assert_int_equal(m.s.comps.n, 1);
	assert_non_null(find(&m.s, "c"));
	bh_sbom_free(&m.s);
}

static void test_replaced_by_symlink_and_hardlink(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "var/lib/dpkg/status.d/a", 'f', STATUS("a", "1"), 0 },
		{ "var/lib/dpkg/status.d/b", 'h', "var/lib/dpkg/status.d/a", 0 },
	};
	const tb_entry l1[] = { { "var/lib/dpkg/status.d/a", 'l', "/etc/passwd", 0 } };
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 2, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 1, 0), 0);
	img_done(&m);
	/* a was replaced by a symlink (never followed); b, its hard link, still holds the package */
	assert_int_equal(m.s.comps.n, 1);
	assert_string_equal(m.s.comps.items[0]->path, "/var/lib/dpkg/status.d/b");
	bh_sbom_free(&m.s);
}

/* Runs the link plan and, when needed, the second read of the given layers (as image.c does). */
static void img_pass2(struct img *m, const tb_entry *const *layers, const size_t *counts, int n, bool expect)
{
	bh_error err;
	int last, i;
	bool needed;
	assert_int_equal(bh_collect_plan(&m->c, &last, &needed, &err), 0);
	assert_int_equal(needed, expect);
	m->c.pass2 = true;
	for (i = 0; needed && i <= last && i < n; i++)
		assert_int_equal(add_layer(m, i, layers[i], counts[i], 0), 0);
	m->c.pass2 = false;
}

static void test_hardlink_to_unclaimed(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "opt/x", 'f', STATUS("hidden", "1"), 0 },
	};
	const tb_entry l1[] = {
		{ "var/lib/dpkg", 'd', NULL, 0 },
		{ "var/lib/dpkg/status", 'h', "opt/x", 0 },
	};
	const tb_entry *ls[] = { l0, l1 };
	const size_t ns[] = { 1, 2 };
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 1, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 2, 0), 0);
	img_pass2(&m, ls, ns, 2, true);
	img_done(&m);
	assert_non_null(find(&m.s, "hidden"));
	assert_string_equal(find(&m.s, "hidden")->path, "/var/lib/dpkg/status");
	assert_int_equal(find(&m.s, "hidden")->layer, 1);
	bh_sbom_free(&m.s);
}

static void test_symlinked_dir(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "opt/db/status", 'f', STATUS("viarel", "1"), 0 },
		{ "srv/db/status", 'f', STATUS("viaabs", "1"), 0 },
		{ "loop1", 'l', "loop2", 0 },
		{ "loop2", 'l', "/loop1", 0 },
		{ "self", 'l', ".", 0 },
	};
	const tb_entry l1[] = {
		{ "var/lib", 'd', NULL, 0 },
		{ "var/lib/dpkg", 'l', "../../opt/db", 0 },
		{ "var/lib/rel", 'l', "../../../../../srv", 0 }, /* ".." stops at the image root */
		{ "var/lib/dpkg/status.d", 'l', "/../../../srv/db", 0 },
	};
	const tb_entry *ls[] = { l0, l1 };
	const size_t ns[] = { 5, 4 };
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 5, 0), 0);
	assert_int_equal(add_layer(&m, 1, l1, 4, 0), 0);
	img_pass2(&m, ls, ns, 2, true);
	img_done(&m);
	assert_non_null(find(&m.s, "viarel"));
	assert_string_equal(find(&m.s, "viarel")->path, "/var/lib/dpkg/status");
	assert_non_null(find(&m.s, "viaabs"));
	assert_string_equal(find(&m.s, "viaabs")->path, "/var/lib/dpkg/status.d/status");
	bh_sbom_free(&m.s);
}

static void test_no_second_read_without_links(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "bin", 'l', "usr/bin", 0 },
		{ "usr/lib/python3/dist-packages/a-1.dist-info/METADATA", 'f', "Metadata-Version: 2.1\nName: a\nVersion: 1\n", 0 },
		{ "lib", 'l', "usr/lib", 0 },
		{ "var/lib/dpkg/status", 'f', STATUS("p", "1"), 0 },
	};
	const tb_entry *ls[] = { l0 };
	const size_t ns[] = { 4 };
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 4, 0), 0);
	/* usrmerge links give names the analyzers already read: no alias, no second read */
	img_pass2(&m, ls, ns, 1, false);
	img_done(&m);
	assert_int_equal(m.s.comps.n, 2);
	bh_sbom_free(&m.s);
}

static void test_link_resolve(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(bh_link_resolve("var/lib/dpkg", "../../opt/db", out, sizeof(out)), 0);
	assert_string_equal(out, "opt/db");
	assert_int_equal(bh_link_resolve("var/lib/dpkg", "/opt/db", out, sizeof(out)), 0);
	assert_string_equal(out, "opt/db");
	assert_int_equal(bh_link_resolve("a/b", "../../../../../etc", out, sizeof(out)), 0);
	assert_string_equal(out, "etc");
	assert_int_equal(bh_link_resolve("usr/share/doc/openssh-server", "openssh-client", out, sizeof(out)), 0);
	assert_string_equal(out, "usr/share/doc/openssh-client");
	assert_int_equal(bh_link_resolve("x", "/", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(bh_link_resolve("x", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out, sizeof(out)),
			 BH_ELIMIT);
}

static void test_doc_symlink_licence(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "usr/share/doc/openssh-client/copyright", 'f', "Files: *\nLicense: BSD-2-clause\n", 0 },
		{ "usr/share/doc/openssh-server", 'l', "openssh-client", 0 },
		{ "var/lib/dpkg/status", 'f', STATUS("openssh-client", "1") STATUS("openssh-server", "1"), 0 },
	};
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 3, 0), 0);
	img_pass2(&m, (const tb_entry *[]){ l0 }, (const size_t[]){ 3 }, 1, false);
	img_done(&m);
	assert_non_null(find(&m.s, "openssh-client"));
	assert_non_null(find(&m.s, "openssh-server"));
	assert_non_null(find(&m.s, "openssh-client")->license);
	/* the server's doc dir is a link to the client's: it gets the same licence */
	assert_non_null(find(&m.s, "openssh-server")->license);
	assert_string_equal(find(&m.s, "openssh-server")->license, find(&m.s, "openssh-client")->license);
	bh_sbom_free(&m.s);
}

static void test_os_owner(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA", 'f',
		  "Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.12\n", 0 },
		{ "usr/local/lib/python3.11/site-packages/requests-2.0.dist-info/METADATA", 'f',
		  "Metadata-Version: 2.1\nName: requests\nVersion: 2.0\n", 0 },
		{ "var/lib/dpkg/info/python3-urllib3.list", 'f',
		  "/.\n/usr\n/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info\n"
		  "/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA\n", 0 },
		{ "lib/apk/db/installed", 'f', "P:py3-six\nV:1.16.0-r0\nF:usr/lib/python3.11/site-packages/six-1.16.0.dist-info\n"
		  "R:METADATA\n\n", 0 },
		{ "usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA", 'f',
		  "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n", 0 },
	};
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 5, 0), 0);
	img_done(&m);
	assert_string_equal(bh_component_get_prop(find(&m.s, "urllib3"), "os.owner"), "python3-urllib3");
	assert_string_equal(bh_component_get_prop(find(&m.s, "six"), "os.owner"), "py3-six");
	assert_null(bh_component_get_prop(find(&m.s, "requests"), "os.owner"));
	bh_sbom_free(&m.s);
}

/* rpm: the file lists inside a real rpmdb.sqlite (built by rpm, tests/fixtures/rpm/make.sh) own the
 * dist-info bh-alpha installed, as `rpm -qf` says (owned.tsv); the database may come after the file. */
static void test_os_owner_rpm(void **state)
{
	struct img m;
	size_t n;
	char *db = bh_test_slurp("tests/fixtures/rpm/rpmdb.sqlite", &n);
	const tb_blob blob = { db, n };
	const tb_entry l0[] = {
		{ "usr/lib/python3.9/site-packages/six-1.15.0.dist-info/METADATA", 'f',
		  "Metadata-Version: 2.1\nName: six\nVersion: 1.15.0\n", 0 },
		{ "usr/local/lib/python3.9/site-packages/six-1.16.0.dist-info/METADATA", 'f',
		  "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n", 0 },
		{ "var/lib/rpm/rpmdb.sqlite", 'b', (const char *)(const void *)&blob, 0 },
	};
	size_t i, seen = 0;
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 3, 0), 0);
	img_done(&m);
	for (i = 0; i < m.s.comps.n; i++) {
		const bh_component *c = m.s.comps.items[i];
		if (strcmp(c->name, "six") != 0)
			continue;
		seen++;
		if (!strcmp(c->version, "1.15.0"))
			assert_string_equal(bh_component_get_prop(c, "os.owner"), "bh-alpha");
		else
			assert_null(bh_component_get_prop(c, "os.owner")); /* pip's own, under /usr/local */
	}
	assert_int_equal(seen, 2);
	bh_sbom_free(&m.s);
	free(db);
}

static void test_max_components(void **state)
{
	struct img m;
	bh_error err;
	const tb_entry l0[] = {
		{ "var/lib/dpkg/status", 'f', STATUS("a", "1") STATUS("b", "1") STATUS("c", "1"), 0 },
	};
	(void)state;
	bh_sbom_init(&m.s);
	bh_limits_default(&m.lim);
	assert_int_equal(bh_limits_set(&m.lim, "max-components=2"), 0);
	bh_collect_init(&m.c, &m.lim, &m.s);
	{
		size_t len;
		void *tar = tb_build(l0, 1, 1, &len);
		struct archive *a = bh_layer_reader_new();
		assert_int_equal(archive_read_open_memory(a, tar, len), ARCHIVE_OK);
		assert_int_equal(bh_layer_walk(a, 0, "test", &m.c, &err), BH_ELIMIT);
		assert_non_null(strstr(err.msg, "max-components"));
		archive_read_free(a);
		free(tar);
	}
	bh_collect_free(&m.c);
	bh_sbom_free(&m.s);
	/* exactly at the limit is fine */
	img_init(&m);
	assert_int_equal(bh_limits_set(&m.lim, "max-components=3"), 0);
	assert_int_equal(add_layer(&m, 0, l0, 1, 1), 0);
	img_done(&m);
	assert_int_equal(m.s.comps.n, 3);
	bh_sbom_free(&m.s);
}

static void test_hostile_paths(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "../../etc/evil", 'f', STATUS("evil", "1"), 0 },
		{ "/var/lib/dpkg/status.d/abs", 'f', STATUS("abs", "1"), 0 },
		{ "var/lib/dpkg/status.d/hl", 'h', "../../../etc/shadow", 0 },
		{ "./var/lib/dpkg/status.d//dot", 'f', STATUS("dot", "1"), 0 },
	};
	(void)state;
	img_init(&m);
	assert_int_equal(add_layer(&m, 0, l0, 4, 0), 0);
	img_done(&m);
	assert_null(find(&m.s, "evil"));
	assert_non_null(find(&m.s, "abs"));
	assert_non_null(find(&m.s, "dot"));
	assert_true(m.s.nwarnings >= 2);
	bh_sbom_free(&m.s);
}

static void test_limits(void **state)
{
	struct img m;
	const tb_entry l0[] = {
		{ "a", 'f', "x", 0 }, { "b", 'f', "y", 0 }, { "c", 'f', "z", 0 },
	};
	(void)state;
	img_init(&m);
	m.lim.max_files = 2;
	assert_int_equal(add_layer(&m, 0, l0, 3, 0), BH_ELIMIT);
	bh_collect_free(&m.c);
	bh_sbom_free(&m.s);
}

static void test_path_clean(void **state)
{
	char out[64];
	bool abs;
	(void)state;
	assert_int_equal(bh_path_clean("/a//b/./c/", out, sizeof(out), &abs), 0);
	assert_string_equal(out, "a/b/c");
	assert_true(abs);
	assert_int_equal(bh_path_clean("a/../b", out, sizeof(out), NULL), BH_EINVAL);
	assert_int_equal(bh_path_clean("..", out, sizeof(out), NULL), BH_EINVAL);
	assert_int_equal(bh_path_clean("./", out, sizeof(out), NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(bh_path_clean("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out, sizeof(out), NULL), BH_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layer_attribution),
		cmocka_unit_test(test_whiteouts),
		cmocka_unit_test(test_opaque_and_dir_whiteout),
		cmocka_unit_test(test_replaced_by_symlink_and_hardlink),
		cmocka_unit_test(test_hostile_paths),
		cmocka_unit_test(test_hardlink_to_unclaimed),
		cmocka_unit_test(test_symlinked_dir),
		cmocka_unit_test(test_no_second_read_without_links),
		cmocka_unit_test(test_link_resolve),
		cmocka_unit_test(test_doc_symlink_licence),
		cmocka_unit_test(test_os_owner),
		cmocka_unit_test(test_os_owner_rpm),
		cmocka_unit_test(test_max_components),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_path_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
