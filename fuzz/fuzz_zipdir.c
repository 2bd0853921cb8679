/* fuzz_zipdir.c - libFuzzer target: the zip central-directory reader on any bytes; every entry must lie inside the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/zipdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_file f;
	bh_zipdir d;
	bh_error err;
	size_t i;
	unsigned sum = 0;

	bh_file_init_mem(&f, "x.jar", 0100644, data, size, NULL);
	if (bh_zipdir_read(&f, 1 << 20, &d, &err) != 0)
		return 0;
	if (d.cd_offset >= size)
		abort();
	for (i = 0; i < d.n; i++) {
		const bh_zipdir_entry *e = &d.ent[i];
		/* the name and extra field must be inside the directory buffer (ASan checks the reads) */
		if (e->namelen + e->extralen)
			sum += (unsigned char)e->name[e->namelen + e->extralen - 1];
		if (e->offset >= d.cd_offset || e->csize > d.cd_offset - e->offset || (i && e->offset <= d.ent[i - 1].offset))
			abort();
	}
	bh_zipdir_free(&d);
	return (int)(sum & 0);
}
