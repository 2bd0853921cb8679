/* fuzz_procnet.c - libFuzzer target: /proc/net/{tcp,tcp6,udp,udp6} text (runtime/netmap.c's parser) as either family; every socket read must be in bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime/netmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_netmap_sock s[64];
	bh_error err;
	size_t bad = 0;

	for (int v6 = 0; v6 < 2; v6++) {
		int n = bh_netmap_parse_proc_net((const char *)data, size, v6 != 0, s, 64, &bad, &err);
		if (n > 64 || (n < 0 && n != BH_EINVAL))
			abort();
		for (int i = 0; i < n; i++)
			if (!v6 && (s[i].local[10] != 0xff || s[i].remote[11] != 0xff))
				abort();
	}
	return 0;
}
