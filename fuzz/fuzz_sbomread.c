/* fuzz_sbomread.c - libFuzzer target: a stored SBOM (bulkhead JSON, CycloneDX, SPDX) read back into components. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create; the Makefile passes -D_GNU_SOURCE too */
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "sbom/sbomread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	bh_limits lim;
	bh_sbom s;
	bh_error err;

	bh_log_set_level(BH_LOG_QUIET);
	if (fd < 0) {
		if ((fd = memfd_create("fuzz", 0)) < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	bh_limits_default(&lim);
	bh_sbom_init(&s);
	(void)bh_sbom_is_document(path);
	bh_sbom_read(path, &lim, &s, &err);
	bh_sbom_free(&s);
	return 0;
}
