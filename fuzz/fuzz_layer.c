/* fuzz_layer.c - libFuzzer target: a layer tar (any compression) through the layer reader and all analyzers. */
#include <stddef.h>
#include <stdint.h>

#include "image/layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_limits lim;
	bh_sbom s;
	bh_collect c;
	bh_error err;
	struct archive *a = bh_layer_reader_new();

	bh_limits_default(&lim);
	lim.max_file_read = 1 << 20;
	lim.max_files = 10000;
	bh_sbom_init(&s);
	bh_collect_init(&c, &lim, &s);
	if (archive_read_open_memory(a, data, size) == ARCHIVE_OK && bh_layer_walk(a, 0, "fuzz", &c, &err) == 0 &&
	    bh_collect_finish(&c, &err) == 0)
		bh_sbom_finalize(&s, &err);
	archive_read_free(a);
	bh_collect_free(&c);
	bh_sbom_free(&s);
	return 0;
}
