/* test_layer.c - overlay semantics of the layer reader: whiteouts, opaque dirs, links, hostile paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/layer.h"
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
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_path_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
