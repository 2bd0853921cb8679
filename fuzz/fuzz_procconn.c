/* fuzz_procconn.c - the fallback sensor's process-connector decoder (bh_fallback_decode) on arbitrary
 * datagrams, and the /proc text parsers it relies on (mountinfo's upperdir, the cgroup v2 path, cmdline).
 * Every result must stay inside its buffer: counts within max, strings NUL-terminated, event types known. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/fallback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_fallback_pcev ev[16];
	bh_rt_event rt;
	bh_error err;
	char up[128], cg[64];
	int n;

	/* the datagram buffer the sensor reads into is 8-byte aligned; the fuzzer's may not be */
	n = bh_fallback_decode(data, size, ev, 16, &err);
	if (n < 0 && (n != BH_EINVAL || !err.msg[0]))
		abort();
	for (int i = 0; i < n; i++)
		if (ev[i].type != BH_RT_EXEC && ev[i].type != BH_RT_EXIT && ev[i].type != BH_RT_SETUID && ev[i].type != BH_RT_PTRACE)
			abort();
	if (n > 16)
		abort();
	if (bh_fallback_upperdir((const char *)data, size, up, sizeof(up)) && (up[0] != '/' || !memchr(up, 0, sizeof(up))))
		abort();
	if (bh_fallback_cgroup_path((const char *)data, size, cg, sizeof(cg)) && (cg[0] != '/' || !memchr(cg, 0, sizeof(cg))))
		abort();
	memset(&rt, 0, sizeof(rt));
	bh_fallback_args(&rt, (const char *)data, size);
	if (!memchr(rt.args, 0, sizeof(rt.args)) || strlen(rt.args) > size)
		abort();
	return 0;
}
