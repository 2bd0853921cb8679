/* test_file.c - the bounded whole-file reader (limits to the byte, FIFOs and directories refused, missing files named) and mkdir -p. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/file.h"

static char dir[] = "/tmp/bh-test-file.XXXXXX";

static void put(const char *name, size_t n, char *path, size_t pn)
{
	FILE *fp;
	snprintf(path, pn, "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), fp);
	fclose(fp);
}

static void read_all(void **state)
{
	char path[256], *data = NULL;
	size_t len = 0;
	bh_error err;
	(void)state;
	assert_non_null(mkdtemp(dir));

	/* exactly the limit: read whole, NUL-terminated */
	put("max", 100000, path, sizeof(path));
	assert_int_equal(bh_file_read_all(path, 100000, "thing", &data, &len, &err), 0);
	assert_int_equal(len, 100000);
	assert_int_equal(data[99999], 'a' + 99999 % 26);
	assert_int_equal(data[len], '\0');
	free(data);

	/* one byte over: refused, naming the file, the bound and what it is */
	assert_int_equal(bh_file_read_all(path, 99999, "rule file", &data, &len, &err), BH_ELIMIT);
	assert_null(data);
	assert_non_null(strstr(err.msg, "/max: larger than 99999 bytes, the most a rule file may have"));

	/* empty */
	put("empty", 0, path, sizeof(path));
	assert_int_equal(bh_file_read_all(path, 10, NULL, &data, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	/* a small limit with a large file: read no further than the limit */
	put("big", 1u << 20, path, sizeof(path));
	assert_int_equal(bh_file_read_all(path, 10, "baseline", &data, &len, &err), BH_ELIMIT);

	/* never waits on a FIFO without a writer; a directory is no file */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(bh_file_read_all(path, 10, "baseline", &data, &len, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(path);
	assert_int_equal(bh_file_read_all(dir, 10, "baseline", &data, &len, &err), BH_EINVAL);

	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(bh_file_read_all(path, 10, "baseline", &data, &len, &err), BH_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/missing"));

	/* directories with their parents; an existing one is fine; a file in the way is named */
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(bh_file_mkdir_p(path, 0700, &err), 0);
	assert_int_equal(bh_file_mkdir_p(path, 0700, &err), 0);
	snprintf(path, sizeof(path), "%s/max/x", dir);
	assert_int_equal(bh_file_mkdir_p(path, 0700, &err), BH_EIO);
	assert_non_null(strstr(err.msg, "/max/x: "));
	assert_int_equal(bh_file_mkdir_p("", 0700, &err), BH_EINVAL);
	for (const char *const *n = (const char *const[]){ "a/b/c", "a/b", "a", NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		assert_int_equal(rmdir(path), 0);
	}

	for (const char *const *n = (const char *const[]){ "max", "empty", "big", NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(read_all) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
