/* test_source.c - docker-archive and OCI archive reading, gzip layers, digest checks and manifest errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "image/blob.h"
#include "image/source.h"
#include "support/tarbuild.h"

#define STATUS(pkg, ver) "Package: " pkg "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " ver "\n\n"

static char names[4][128];

/* How make_archive_gz stores layer 1: as a plain tar, or gzip-compressed in one of these shapes. */
enum gz_shape { GZ_NONE, GZ_ONE, GZ_TWO_MEMBERS, GZ_TRAILING_ZEROS, GZ_TRUNCATED, GZ_BAD_CRC, GZ_BAD_DEFLATE };

/* One gzip member of p[0..n) appended to out at *len (zlib, level 6). */
static void gz_member(const void *p, size_t n, unsigned char *out, size_t *len, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out + *len;
	z.avail_out = (uInt)(cap - *len);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = cap - z.avail_out;
	deflateEnd(&z);
}

/* Layer 1 as gzip in the given shape (malloc'd into *out, length *olen); the tar t1 is left as it is. */
static void gz_layer(enum gz_shape shape, const void *t1, size_t len1, void **out, size_t *olen)
{
	size_t cap = len1 + 4096, n = 0;
	unsigned char *g = malloc(cap);
	assert_non_null(g);
	if (shape == GZ_TWO_MEMBERS) {
		gz_member(t1, 700, g, &n, cap);
		gz_member((const char *)t1 + 700, len1 - 700, g, &n, cap);
	} else {
		gz_member(t1, len1, g, &n, cap);
	}
	if (shape == GZ_TRAILING_ZEROS) {
		memset(g + n, 0, 16);
		n += 16;
	} else if (shape == GZ_TRUNCATED) {
		n -= 20;
	} else if (shape == GZ_BAD_CRC) {
		g[n - 8] ^= 0x55; /* the member's CRC-32, first of the trailer's 8 bytes */
	} else if (shape == GZ_BAD_DEFLATE) {
		g[10] = 0xff; /* the first deflate block's header: BTYPE 11 is reserved */
	}
	*out = g;
	*olen = n;
}

static int make_archive_gz(int corrupt, const char *manifest_override, enum gz_shape shape);

/* Builds a docker-archive with two layers; corrupt != 0 changes layer 1's bytes after hashing. */
static int make_archive(int corrupt, const char *manifest_override)
{
	return make_archive_gz(corrupt, manifest_override, GZ_NONE);
}

/* As make_archive, with layer 1 stored as gzip of the given shape (its file named by the digest of
 * the bytes stored, the diff_id still that of the tar). */
static int make_archive_gz(int corrupt, const char *manifest_override, enum gz_shape shape)
{
	const tb_entry l0[] = { { "var/lib/dpkg/status", 'f', STATUS("a", "1"), 0 },
				{ "etc/os-release", 'f', "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n", 0 } };
	const tb_entry l1[] = { { "var/lib/dpkg/status", 'f', STATUS("a", "1") STATUS("b", "2"), 0 } };
	size_t len0, len1, olen;
	void *t0 = tb_build(l0, 2, 0, &len0), *t1 = tb_build(l1, 1, 0, &len1), *outer;
	char d0[80], d1[80], dc[80], config[1024], manifest[1024];
	int fd;

	void *g1 = NULL;
	size_t glen1 = 0;
	char dg[80];
	bh_digest_mem(t0, len0, d0);
	bh_digest_mem(t1, len1, d1);
	if (shape != GZ_NONE) {
		gz_layer(shape, t1, len1, &g1, &glen1);
		bh_digest_mem(g1, glen1, dg);
	}
	snprintf(config, sizeof(config),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]},"
		 "\"history\":[{\"created_by\":\"base\"},{\"created_by\":\"meta\",\"empty_layer\":true},{\"created_by\":\"RUN apt-get install b\"}]}",
		 d0, d1);
	bh_digest_mem(config, strlen(config), dc);
	snprintf(names[0], sizeof(names[0]), "%s.tar", d0 + 7);
	snprintf(names[1], sizeof(names[1]), "%s.tar", (shape != GZ_NONE ? dg : d1) + 7);
	snprintf(names[2], sizeof(names[2]), "%s.json", dc + 7);
	snprintf(manifest, sizeof(manifest), "[{\"Config\":\"%s\",\"RepoTags\":[\"t:1\"],\"Layers\":[\"%s\",\"%s\"]}]",
		 names[2], names[0], names[1]);
	if (corrupt)
		((char *)t1)[600] ^= 1; /* inside the status file's data: still a valid tar */
	{
		const tb_entry outer_e[] = {
			{ names[0], 'f', NULL, 0 }, { names[1], 'f', NULL, 0 }, { names[2], 'f', config, 0 },
			{ "manifest.json", 'f', manifest_override ? manifest_override : manifest, 0 },
		};
		/* tb_build takes NUL-terminated contents; tar layers contain NULs, so write them by hand. */
		struct archive *a = archive_write_new();
		size_t used = 0, cap = 1 << 20, i;
		outer = malloc(cap);
		archive_write_set_format_pax_restricted(a);
		archive_write_open_memory(a, outer, cap, &used);
		for (i = 0; i < 4; i++) {
			struct archive_entry *ae = archive_entry_new();
			const void *data = i == 0 ? t0 : i == 1 ? (g1 ? g1 : t1) : outer_e[i].content;
			size_t n = i == 0 ? len0 : i == 1 ? (g1 ? glen1 : len1) : strlen(outer_e[i].content);
			archive_entry_set_pathname(ae, outer_e[i].path);
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_size(ae, (la_int64_t)n);
			archive_write_header(a, ae);
			archive_write_data(a, data, n);
			archive_entry_free(ae);
		}
		archive_write_close(a);
		archive_write_free(a);
		olen = used;
	}
	fd = memfd_create("img", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, outer, olen), (ssize_t)olen);
	free(outer);
	free(t0);
	free(t1);
	free(g1);
	return fd;
}

static int scan(int fd, bh_sbom *s, bh_error *err)
{
	bh_source_opts o;
	bh_source_opts_default(&o);
	bh_sbom_init(s);
	return bh_source_docker_archive(fd, "test.tar", &o, s, err);
}

static void test_docker_archive(void **state)
{
	int fd = make_archive(0, NULL);
	bh_sbom s;
	bh_error err;
	(void)state;
	assert_int_equal(scan(fd, &s, &err), 0);
	assert_int_equal(bh_sbom_finalize(&s, &err), 0);
	assert_int_equal(s.nlayers, 2);
	assert_string_equal(s.layers[1].created_by, "RUN apt-get install b");
	assert_string_equal(s.osinfo.family, "debian");
	assert_string_equal(s.repo_tags[0], "t:1");
	assert_int_equal(s.comps.n, 2);
	assert_string_equal(s.comps.items[1]->name, "b");
	assert_int_equal(s.comps.items[1]->layer, 1);
	assert_int_equal(s.comps.items[0]->layer, 0);
	assert_string_equal(s.comps.items[1]->purl, "pkg:deb/debian/b@2?arch=amd64&distro=debian-12");
	bh_sbom_free(&s);
	close(fd);
}

static void test_digest_mismatch(void **state)
{
	int fd = make_archive(1, NULL);
	bh_sbom s;
	bh_error err;
	(void)state;
	assert_int_equal(scan(fd, &s, &err), BH_EDIGEST);
	assert_non_null(strstr(err.msg, names[1]));
	assert_non_null(strstr(err.msg, "digest mismatch"));
	bh_sbom_free(&s);
	close(fd);
}

static void test_bad_manifests(void **state)
{
	static const char *const bad[] = {
		"{}", "[]", "[{\"Config\":\"x.json\",\"Layers\":[]}]", "[[[[[[[[", "[{\"Config\":1}]",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = make_archive(0, bad[i]);
		bh_sbom s;
		bh_error err;
		int rc = scan(fd, &s, &err);
		assert_true(rc == BH_EINVAL || rc == BH_ENOTFOUND);
		assert_true(strlen(err.msg) > 0);
		bh_sbom_free(&s);
		close(fd);
	}
}

static void test_missing_layer(void **state)
{
	int fd = make_archive(0, "[{\"Config\":\"c.json\",\"Layers\":[\"nope.tar\"]}]");
	bh_sbom s;
	bh_error err;
	(void)state;
	assert_int_equal(scan(fd, &s, &err), BH_ENOTFOUND);
	assert_non_null(strstr(err.msg, "c.json"));
	bh_sbom_free(&s);
	close(fd);
}

/* A parsed target through bh_source_read: the written prefix and a bare path read the same image;
 * a kind with no image is refused. */
/* A gzip layer (ISA-L's decoder): one member, concatenated members and trailing zeros read as the
 * plain layer does; a truncated stream, a wrong CRC-32 and an invalid deflate block are errors that
 * name the layer, never a short inventory. */
static void test_gzip_layers(void **state)
{
	const enum gz_shape good[] = { GZ_ONE, GZ_TWO_MEMBERS, GZ_TRAILING_ZEROS };
	const struct {
		enum gz_shape shape;
		const char *says;
	} bad[] = { { GZ_TRUNCATED, "truncated gzip stream" }, { GZ_BAD_CRC, "CRC-32" }, { GZ_BAD_DEFLATE, "deflate block" } };
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int fd = make_archive_gz(0, NULL, good[i]);
		bh_sbom s;
		bh_error err;
		assert_int_equal(scan(fd, &s, &err), 0);
		assert_int_equal(bh_sbom_finalize(&s, &err), 0);
		assert_int_equal(s.comps.n, 2);
		assert_string_equal(s.comps.items[1]->name, "b");
		assert_int_equal(s.comps.items[1]->layer, 1);
		bh_sbom_free(&s);
		close(fd);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = make_archive_gz(0, NULL, bad[i].shape);
		bh_sbom s;
		bh_error err;
		assert_int_not_equal(scan(fd, &s, &err), 0);
		if (!strstr(err.msg, bad[i].says) || !strstr(err.msg, names[1]))
			fail_msg("gzip shape %d: \"%s\" does not say \"%s\" and name the layer", (int)bad[i].shape, err.msg, bad[i].says);
		bh_sbom_free(&s);
		close(fd);
	}
}

static void test_source_read(void **state)
{
	int fd = make_archive(0, NULL);
	char t[96], bare[64];
	const char *const forms[] = { t, bare };
	bh_source_opts o;
	bh_error err;
	size_t i;
	(void)state;
	snprintf(bare, sizeof(bare), "/proc/self/fd/%d", fd);
	snprintf(t, sizeof(t), "docker-archive:%s", bare);
	bh_source_opts_default(&o);
	for (i = 0; i < 2; i++) {
		bh_target tg;
		bh_sbom s;
		bh_sbom_init(&s);
		assert_int_equal(bh_target_parse(forms[i], BH_TARGETS_IMAGE, &tg, &err), 0);
		assert_int_equal(tg.kind, BH_TARGET_DOCKER_ARCHIVE);
		assert_int_equal(bh_source_read(&tg, &o, &s, &err), 0);
		assert_string_equal(s.input, forms[i]);
		assert_string_equal(s.kind, "docker-archive");
		assert_int_equal(s.comps.n, 2);
		bh_sbom_free(&s);
		bh_target_free(&tg);
	}
	{
		bh_target tg;
		bh_sbom s;
		bh_sbom_init(&s);
		assert_int_equal(bh_target_parse("container:web", BH_TARGETS_ALL, &tg, &err), 0);
		assert_int_equal(bh_source_read(&tg, &o, &s, &err), BH_EUSAGE);
		assert_string_equal(err.msg, "container:web: a container target has no image to inventory");
		bh_sbom_free(&s);
		bh_target_free(&tg);
	}
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_archive),
		cmocka_unit_test(test_digest_mismatch),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_missing_layer),
		cmocka_unit_test(test_gzip_layers),
		cmocka_unit_test(test_source_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
