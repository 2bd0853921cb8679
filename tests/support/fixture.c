/* fixture.c - reading test fixtures into memory. */
#include "support/fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/buf.h"

char *bh_test_slurp_opt(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	bh_buf b = BH_BUF_INIT;
	char tmp[65536];
	size_t r;
	if (!fp)
		return NULL;
	while ((r = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		if (bh_buf_append(&b, tmp, r)) {
			fclose(fp);
			bh_buf_free(&b);
			return NULL;
		}
	fclose(fp);
	*n = b.len;
	return bh_buf_steal(&b);
}

char *bh_test_slurp(const char *path, size_t *n)
{
	char *d = bh_test_slurp_opt(path, n);
	if (!d)
		fail_msg("cannot read fixture %s", path);
	return d;
}
