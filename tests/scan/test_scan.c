/* test_scan.c - the scan job entry points (bh_scan_*) over small docker-archives built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "image/blob.h"
#include "scan/scan.h"
#include "support/tarbuild.h"
#include "support/tmpdir.h"

#define STATUS(pkg, ver) "Package: " pkg "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " ver "\n\n"

static char dir[] = "/tmp/bh-test-scan-XXXXXX";

struct blob {
	const char *name;
	const void *data;
	size_t len;
};

/* Writes an outer tar of binary blobs (tarbuild is for text content). */
static void write_tar(const char *path, const struct blob *b, size_t n)
{
	struct archive *a = archive_write_new();
	size_t i;
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, b[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)b[i].len);
		archive_write_header(a, e);
		archive_write_data(a, b[i].data, b[i].len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static void *gzip_mem(const void *in, size_t n, size_t *out_len)
{
	z_stream z;
	size_t cap = n + 1024;
	unsigned char *out = malloc(cap);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/*
 * A docker-archive at dir/name.tar with one layer made of entries. gz: the layer blob is gzip'd.
 * bad_diff: the config's diff_id is of other content.
 */
static void make_image(const char *name, const tb_entry *e, size_t n, int gz, int bad_diff, char *path, size_t psz)
{
	size_t tlen, blen;
	void *tar = tb_build(e, n, 0, &tlen), *blob = tar;
	char ldig[80], did[80], cdig[80], lname[100], cname[100], cfg[512], man[512];
	struct blob b[3];

	blen = tlen;
	if (gz)
		blob = gzip_mem(tar, tlen, &blen);
	bh_digest_mem(blob, blen, ldig);
	bh_digest_mem(tar, bad_diff ? tlen - 1 : tlen, did);
	snprintf(lname, sizeof(lname), "%s.tar", ldig + 7);
	snprintf(cfg, sizeof(cfg), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", did);
	bh_digest_mem(cfg, strlen(cfg), cdig);
	snprintf(cname, sizeof(cname), "%s.json", cdig + 7);
	snprintf(man, sizeof(man), "[{\"Config\":\"%s\",\"RepoTags\":[\"t:1\"],\"Layers\":[\"%s\"]}]", cname, lname);
	b[0] = (struct blob){ lname, blob, blen };
	b[1] = (struct blob){ cname, cfg, strlen(cfg) };
	b[2] = (struct blob){ "manifest.json", man, strlen(man) };
	snprintf(path, psz, "%s/%s.tar", dir, name);
	write_tar(path, b, 3);
	if (blob != tar)
		free(blob);
	free(tar);
}

static const bh_component *find(const bh_sbom *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->comps.n; i++)
		if (s->comps.items[i]->name && !strcmp(s->comps.items[i]->name, name))
			return s->comps.items[i];
	return NULL;
}

/* Runs an inventory-only job (no DB needed) on target. */
static int run(const char *target, const char *limit, bh_scan_result *r, bh_error *err)
{
	bh_scan_job j;
	bh_scan_job_init(&j);
	j.target = target;
	j.scanners = 0;
	if (limit)
		assert_int_equal(bh_limits_set(&j.scan.limits, limit), 0);
	return bh_scan_run(&j, r, err);
}

/* The default scanners of a target string, through the grammar. */
static int defaults(const char *target)
{
	bh_target t;
	bh_error err;
	int bits;
	if (bh_target_parse(target, BH_TARGETS_ALL, &t, &err))
		fail_msg("%s: %s", target, err.msg);
	bits = bh_scan_default_scanners(&t);
	bh_target_free(&t);
	return bits;
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(defaults("dir:/x"), BH_SCANNER_VULN);
	assert_int_equal(defaults("sbom:x.json"), BH_SCANNER_VULN);
	assert_int_equal(defaults("docker-archive:img.tar"), BH_SCANNER_VULN | BH_SCANNER_CONFIG | BH_SCANNER_SECRET);
	assert_int_equal(defaults("oci:/x:1"), BH_SCANNER_VULN | BH_SCANNER_CONFIG | BH_SCANNER_SECRET);
	/* a bare directory keeps the image defaults (only a written dir: is a source tree) */
	assert_int_equal(defaults("/"), BH_SCANNER_VULN | BH_SCANNER_CONFIG | BH_SCANNER_SECRET);
	assert_int_equal(defaults("host"), BH_SCANNER_CONFIG);
	assert_int_equal(defaults("host:/srv"), BH_SCANNER_CONFIG);
	assert_int_equal(defaults("container:web"), BH_SCANNER_CONFIG);
	assert_int_equal(defaults("containers"), BH_SCANNER_CONFIG);
	assert_int_equal(defaults("Dockerfile"), BH_SCANNER_CONFIG);
	assert_int_equal(defaults("k8s:x.json"), BH_SCANNER_CONFIG);
}

/* A malformed target fails the job as a usage error naming it, before anything is read. */
static void test_bad_target(void **state)
{
	bh_scan_result r;
	bh_error err;
	(void)state;
	assert_int_equal(run("dir:", NULL, &r, &err), BH_EUSAGE);
	assert_non_null(strstr(err.msg, "target \"dir:\": nothing after \"dir:\""));
	bh_scan_result_free(&r);
	assert_int_equal(run("nosuch:thing", NULL, &r, &err), BH_EUSAGE);
	assert_non_null(strstr(err.msg, "\"nosuch:\" is not a target prefix; accepted: docker-archive:FILE"));
	bh_scan_result_free(&r);
}

static void test_inventory(void **state)
{
	const tb_entry e[] = { { "var/lib/dpkg/status", 'f', STATUS("bash", "5.2-1"), 0 } };
	char path[256];
	bh_scan_result r;
	bh_error err;
	(void)state;
	make_image("plain", e, 1, 0, 0, path, sizeof(path));
	assert_int_equal(run(path, NULL, &r, &err), 0);
	assert_int_equal(r.sbom.comps.n, 1);
	assert_string_equal(r.sbom.comps.items[0]->name, "bash");
	assert_int_equal(r.findings.n, 0);
	bh_scan_result_free(&r);
	/* the same layer gzip'd, with its diff_id right */
	make_image("gz", e, 1, 1, 0, path, sizeof(path));
	assert_int_equal(run(path, NULL, &r, &err), 0);
	assert_non_null(find(&r.sbom, "bash"));
	bh_scan_result_free(&r);
}

static void test_checks_ride_along(void **state)
{
	const tb_entry e[] = {
		{ "var/lib/dpkg/status", 'f', STATUS("bash", "5.2-1"), 0 },
		{ "var/lib/dpkg/info/bash.list", 'f', "/bin/bash\n", 0 },
		{ "app/.env", 'f', "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", 0 },
	};
	char path[256];
	bh_scan_job j;
	bh_scan_result r;
	bh_error err;
	(void)state;
	make_image("checks", e, 3, 0, 0, path, sizeof(path));
	bh_scan_job_init(&j);
	j.target = path;
	j.scanners = BH_SCANNER_CONFIG | BH_SCANNER_SECRET;
	assert_int_equal(bh_scan_run(&j, &r, &err), 0);
	/* the hook that sees every file does not take the .list or the status away from the analyzers */
	assert_non_null(find(&r.sbom, "bash"));
	bh_scan_result_free(&r);
}

static void test_diff_id_mismatch(void **state)
{
	const tb_entry e[] = { { "var/lib/dpkg/status", 'f', STATUS("bash", "5.2-1"), 0 } };
	char path[256];
	bh_scan_result r;
	bh_error err;
	bh_scan_job j;
	(void)state;
	make_image("baddiff", e, 1, 1, 1, path, sizeof(path));
	assert_int_equal(run(path, NULL, &r, &err), BH_EDIGEST);
	assert_non_null(strstr(err.msg, "diff_id"));
	bh_scan_result_free(&r);
	/* --no-verify */
	bh_scan_job_init(&j);
	j.target = path;
	j.scanners = 0;
	j.scan.verify_digests = false;
	assert_int_equal(bh_scan_run(&j, &r, &err), 0);
	bh_scan_result_free(&r);
}

static void test_links_in_image(void **state)
{
	const tb_entry e[] = {
		{ "opt/x", 'f', STATUS("hidden", "1"), 0 },
		{ "opt/db/status", 'f', STATUS("viasym", "1"), 0 },
		{ "var/lib/dpkg", 'd', NULL, 0 },
		{ "var/lib/dpkg/status", 'h', "opt/x", 0 },
		{ "var/lib/dpkg/status.d", 'l', "/opt/db", 0 },
	};
	char path[256];
	bh_scan_result r;
	bh_error err;
	(void)state;
	make_image("links", e, 5, 1, 0, path, sizeof(path));
	assert_int_equal(run(path, NULL, &r, &err), 0);
	assert_non_null(find(&r.sbom, "hidden"));
	assert_non_null(find(&r.sbom, "viasym"));
	bh_scan_result_free(&r);
}

static void test_max_components(void **state)
{
	const tb_entry e[] = { { "var/lib/dpkg/status", 'f', STATUS("a", "1") STATUS("b", "1"), 0 } };
	char path[256];
	bh_scan_result r;
	bh_error err;
	(void)state;
	make_image("many", e, 1, 0, 0, path, sizeof(path));
	assert_int_equal(run(path, "max-components=1", &r, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "max-components"));
	bh_scan_result_free(&r);
}

static void test_fifo_refused(void **state)
{
	char fifo[256], sb[300];
	bh_scan_result r;
	bh_error err;
	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* never waited on: these return at once */
	assert_int_equal(run(fifo, NULL, &r, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file (fifo)"));
	bh_scan_result_free(&r);
	snprintf(sb, sizeof(sb), "sbom:%s", fifo);
	assert_int_equal(run(sb, NULL, &r, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file (fifo)"));
	bh_scan_result_free(&r);
	snprintf(sb, sizeof(sb), "docker-archive:%s", fifo);
	assert_int_equal(run(sb, NULL, &r, &err), BH_EINVAL);
	bh_scan_result_free(&r);
	unlink(fifo);
}

static int setup(void **state)
{
	(void)state;
	return bh_test_mkdtemp(dir, sizeof(dir), "scan");
}

static int teardown(void **state)
{
	(void)state;
	return bh_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_bad_target),
		cmocka_unit_test(test_inventory),
		cmocka_unit_test(test_checks_ride_along),
		cmocka_unit_test(test_diff_id_mismatch),
		cmocka_unit_test(test_links_in_image),
		cmocka_unit_test(test_max_components),
		cmocka_unit_test(test_fifo_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
