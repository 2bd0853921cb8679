/* fuzz_archive.c - libFuzzer target: a whole docker-archive or OCI archive (outer tar, manifests, configs, layers). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create; the Makefile passes -D_GNU_SOURCE too */
#endif
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "image/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	bh_source_opts o;
	bh_sbom s;
	bh_error err;

	bh_log_set_level(BH_LOG_QUIET);
	if (fd < 0)
		fd = memfd_create("fuzz", 0);
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	bh_source_opts_default(&o);
	o.limits.max_file_read = 1 << 20;
	o.limits.max_files = 10000;
	o.limits.max_layers = 16;
	bh_sbom_init(&s);
	bh_source_docker_archive(fd, "fuzz.tar", &o, &s, &err);
	bh_sbom_free(&s);
	return 0;
}
