/* test_zipdir.c - the zip central-directory reader on built zips (plain, ZIP64, hostile) and the java analyzer's fast path against libarchive's reader. */
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
#include "pkg/zipdir.h"
#include "support/fixture.h"

extern const bh_analyzer bh_analyzer_java;

static void put16(bh_buf *b, unsigned v)
{
	unsigned char p[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	assert_int_equal(bh_buf_append(b, p, 2), 0);
}

static void put32(bh_buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

static void put64(bh_buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

/* Shapes of a built zip; all zero is a plain, valid one. */
struct shape {
	size_t prepend;        /* junk bytes before the first local header (self-extracting stub) */
	const char *comment;   /* archive comment */
	bool zip64;            /* ZIP64 end record and locator */
	bool swap_offsets;     /* central directory lists the local headers out of order */
	uint32_t bad_offset;   /* non-zero: first entry's local header offset */
	int cd_delta;          /* added to the directory offset in the end record */
};

static const char *const names[] = { "META-INF/MANIFEST.MF", "a/B.class", "lib/x.jar" };
static const char *const datas[] = { "Manifest-Version: 1.0\n", "\xca\xfe\xba\xbe", "PK" };

/* Stored entries, no CRC (zipdir does not read data). */
static void build(bh_buf *b, const struct shape *s)
{
	uint32_t off[3], cd;
	size_t i, k;
	for (k = 0; k < s->prepend; k++)
		assert_int_equal(bh_buf_putc(b, 'x'), 0);
	for (i = 0; i < 3; i++) {
		off[i] = (uint32_t)(b->len - s->prepend); /* a stub prepended later shifts everything */
		assert_int_equal(bh_buf_puts(b, "PK\3\4"), 0);
		put16(b, 20); put16(b, 0); put16(b, 0); put32(b, 0); put32(b, 0);
		put32(b, (uint32_t)strlen(datas[i])); put32(b, (uint32_t)strlen(datas[i]));
		put16(b, (unsigned)strlen(names[i])); put16(b, 0);
		assert_int_equal(bh_buf_puts(b, names[i]), 0);
		assert_int_equal(bh_buf_puts(b, datas[i]), 0);
	}
	if (s->swap_offsets) {
		uint32_t t = off[0];
		off[0] = off[1];
		off[1] = t;
	}
	if (s->bad_offset)
		off[0] = s->bad_offset;
	cd = (uint32_t)(b->len - s->prepend);
	for (i = 0; i < 3; i++) {
		assert_int_equal(bh_buf_puts(b, "PK\1\2"), 0);
		put16(b, 0x0314); put16(b, 20); put16(b, 0); put16(b, 0); put32(b, 0); put32(b, 0);
		put32(b, (uint32_t)strlen(datas[i])); put32(b, (uint32_t)strlen(datas[i]));
		put16(b, (unsigned)strlen(names[i])); put16(b, 0); put16(b, 0); put16(b, 0); put16(b, 0);
		put32(b, 0100644u << 16); put32(b, off[i]);
		assert_int_equal(bh_buf_puts(b, names[i]), 0);
	}
	if (s->zip64) {
		uint64_t rec = b->len - s->prepend;
		assert_int_equal(bh_buf_puts(b, "PK\6\6"), 0);
		put64(b, 44); put16(b, 45); put16(b, 45); put32(b, 0); put32(b, 0);
		put64(b, 3); put64(b, 3); put64(b, rec - cd); put64(b, cd);
		assert_int_equal(bh_buf_puts(b, "PK\6\7"), 0);
		put32(b, 0); put64(b, rec); put32(b, 1);
	}
	assert_int_equal(bh_buf_puts(b, "PK\5\6"), 0);
	put16(b, 0); put16(b, 0); put16(b, 3); put16(b, 3);
	/* a ZIP64 archive's values are in its own record */
	put32(b, s->zip64 ? 0xffffffffu : (uint32_t)(b->len - 12 - s->prepend - cd));
	put32(b, s->zip64 ? 0xffffffffu : (uint32_t)((int64_t)cd + s->cd_delta));
	put16(b, s->comment ? (unsigned)strlen(s->comment) : 0);
	if (s->comment)
		assert_int_equal(bh_buf_puts(b, s->comment), 0);
}

static int read_dir(const bh_buf *b, uint64_t max_cd, bh_zipdir *d, bh_error *err)
{
	bh_file f;
	bh_file_init_mem(&f, "t.jar", 0100644, b->data, b->len, NULL);
	return bh_zipdir_read(&f, max_cd, d, err);
}

static void test_plain(void **state)
{
	bh_buf b = BH_BUF_INIT;
	struct shape s = { 0 };
	bh_zipdir d;
	bh_error err;
	size_t i;
	(void)state;
	build(&b, &s);
	assert_int_equal(read_dir(&b, 1 << 20, &d, &err), 0);
	assert_int_equal(d.n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(d.ent[i].namelen, strlen(names[i]));
		assert_memory_equal(d.ent[i].name, names[i], strlen(names[i]));
		assert_int_equal(d.ent[i].csize, strlen(datas[i]));
		assert_int_equal(d.ent[i].system, 3);
		assert_int_equal(d.ent[i].extattr >> 16, 0100644);
		assert_memory_equal(b.data + d.ent[i].offset, "PK\3\4", 4);
	}
	assert_memory_equal(b.data + d.cd_offset, "PK\1\2", 4);
	bh_zipdir_free(&d);
	/* a directory over the caller's bound is a limit, not a format problem */
	assert_int_equal(read_dir(&b, 46, &d, &err), BH_ELIMIT);
	bh_buf_free(&b);
}

static void test_zip64(void **state)
{
	bh_buf b = BH_BUF_INIT;
	struct shape s = { 0 };
	bh_zipdir d;
	bh_error err;
	(void)state;
	s.zip64 = true;
	build(&b, &s);
	assert_int_equal(read_dir(&b, 1 << 20, &d, &err), 0);
	assert_int_equal(d.n, 3);
	assert_memory_equal(d.ent[2].name, "lib/x.jar", 9);
	bh_zipdir_free(&d);
	/* a locator pointing into the directory */
	b.data[b.len - 22 - 20 + 8] = 0;
	assert_int_equal(read_dir(&b, 1 << 20, &d, &err), BH_EINVAL);
	bh_buf_free(&b);
}

/* Layouts left to libarchive, and hostile ones: BH_EINVAL, nothing allocated. */
static void test_not_plain(void **state)
{
	static const struct shape shapes[] = {
		{ .comment = "built by hand" }, { .prepend = 100 }, { .swap_offsets = true },
		{ .bad_offset = 0x7fffffff },   { .cd_delta = 1 },  { .cd_delta = -1 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		bh_buf b = BH_BUF_INIT;
		bh_zipdir d;
		bh_error err;
		build(&b, &shapes[i]);
		if (read_dir(&b, 1 << 20, &d, &err) != BH_EINVAL)
			fail_msg("shape %zu read as plain", i);
		assert_null(d.cd);
		assert_null(d.ent);
		bh_buf_free(&b);
	}
}

/* Every truncation of a valid zip is refused or parsed within bounds (ASan/valgrind watch the reads). */
static void test_truncated(void **state)
{
	bh_buf b = BH_BUF_INIT;
	struct shape s = { 0 };
	size_t len;
	(void)state;
	build(&b, &s);
	for (len = 0; len < b.len; len++) {
		bh_file f;
		bh_zipdir d;
		bh_error err;
		char *copy = malloc(len + 1);
		assert_non_null(copy);
		memcpy(copy, b.data, len);
		bh_file_init_mem(&f, "t.jar", 0100644, copy, len, NULL);
		assert_int_equal(bh_zipdir_read(&f, 1 << 20, &d, &err), BH_EINVAL);
		free(copy);
	}
	bh_buf_free(&b);
}

static void same_components(const bh_complist *a, const bh_complist *b)
{
	size_t i;
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const bh_component *x = a->items[i], *y = b->items[i];
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->version, y->version);
		if (x->namespace || y->namespace)
			assert_string_equal(x->namespace, y->namespace);
		if (x->path || y->path)
			assert_string_equal(x->path, y->path);
	}
}

/*
 * The java analyzer reads plain jars through zipdir and the rest through libarchive's seekable
 * reader; a comment after the end record moves a jar from one to the other without changing it.
 */
static void test_java_paths_agree(void **state)
{
	static const char *const fx[] = { "hello.jar", "greeter-1.7.0.jar", "fat.jar", "app.war", "jackson-databind.jar" };
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		char path[256];
		size_t n;
		char *data, *commented;
		bh_complist a = { 0 }, c = { 0 };
		bh_zipdir d;
		bh_file f;
		bh_error err;
		snprintf(path, sizeof(path), "tests/fixtures/java/%s", fx[i]);
		data = bh_test_slurp(path, &n);
		assert_non_null(data);
		bh_file_init_mem(&f, fx[i], 0100644, data, n, NULL);
		if (bh_zipdir_read(&f, 1 << 24, &d, &err)) {
			printf("SKIP %s: not the plain layout (%s)\n", fx[i], err.msg);
			free(data);
			continue;
		}
		bh_zipdir_free(&d);
		commented = malloc(n + 3);
		assert_non_null(commented);
		memcpy(commented, data, n);
		memcpy(commented + n, "hi!", 3);
		commented[n - 2] = 3; /* comment length */
		assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_java, fx[i], data, n, &a, &err), 0);
		assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_java, fx[i], commented, n + 3, &c, &err), 0);
		assert_true(a.n > 0);
		same_components(&a, &c);
		bh_complist_free(&a);
		bh_complist_free(&c);
		free(commented);
		free(data);
	}
}

static uint32_t crc32_of(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;
	for (i = 0; i < n; i++) {
		c ^= (unsigned char)p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/*
 * A manifest behind a 64 KB extra field (the most a header can carry): the first read of the
 * entry is sized from the directory and must stay within the analyzer's buffer.
 */
static void test_java_huge_extra(void **state)
{
	static const char mf[] = "Manifest-Version: 1.0\r\nImplementation-Title: big\r\nImplementation-Version: 1.0\r\n";
	const char *name = "META-INF/MANIFEST.MF";
	bh_buf b = BH_BUF_INIT;
	bh_complist l = { 0 };
	bh_error err;
	uint32_t crc = crc32_of(mf, sizeof(mf) - 1), cd = 0;
	int pass;
	(void)state;
	for (pass = 0; pass < 2; pass++) {
		size_t k;
		if (pass == 1) {
			cd = (uint32_t)b.len;
			assert_int_equal(bh_buf_puts(&b, "PK\1\2"), 0);
			put16(&b, 20);
		} else {
			assert_int_equal(bh_buf_puts(&b, "PK\3\4"), 0);
		}
		put16(&b, 20); put16(&b, 0); put16(&b, 0); put32(&b, 0); put32(&b, crc);
		put32(&b, sizeof(mf) - 1); put32(&b, sizeof(mf) - 1);
		put16(&b, (unsigned)strlen(name)); put16(&b, 65535);
		if (pass == 1) {
			put16(&b, 0); put16(&b, 0); put16(&b, 0); put32(&b, 0); put32(&b, 0);
		}
		assert_int_equal(bh_buf_puts(&b, name), 0);
		put16(&b, 0x1234); put16(&b, 65531);
		for (k = 0; k < 65531; k++)
			assert_int_equal(bh_buf_putc(&b, 'e'), 0);
		if (pass == 0)
			assert_int_equal(bh_buf_puts(&b, mf), 0);
	}
	assert_int_equal(bh_buf_puts(&b, "PK\5\6"), 0);
	put16(&b, 0); put16(&b, 0); put16(&b, 1); put16(&b, 1);
	put32(&b, (uint32_t)(b.len - 12 - cd)); put32(&b, cd); put16(&b, 0);
	assert_int_equal(bh_analyzer_run_mem(&bh_analyzer_java, "big.jar", b.data, b.len, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "big");
	assert_string_equal(l.items[0]->version, "1.0");
	bh_complist_free(&l);
	bh_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_zip64),
		cmocka_unit_test(test_not_plain),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_java_paths_agree),
		cmocka_unit_test(test_java_huge_extra),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
