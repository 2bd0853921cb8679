/* fuzz_ignore.c - libFuzzer target: ignore files (text, YAML) and VEX documents (OpenVEX, CycloneDX), then matching. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "policy/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte picks the kind of file the rest is offered as (the loader goes by name and content) */
	static const char *const ext[] = { ".bulkheadignore", "ignore.yaml", "vex.json", "vex.cdx.json" };
	static char dir[64];
	char path[128];
	bh_ignores ig = { 0 };
	bh_component c;
	bh_limits lim;
	bh_error err;
	FILE *fp;

	if (!size)
		return 0;
	bh_log_set_level(BH_LOG_QUIET);
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/dev/shm/bh-fuzz-ignore-%d", (int)getpid());
		if (access("/dev/shm", W_OK) != 0)
			snprintf(dir, sizeof(dir), "/tmp/bh-fuzz-ignore-%d", (int)getpid());
	}
	snprintf(path, sizeof(path), "%s%s", dir, ext[data[0] % 4]);
	if (!(fp = fopen(path, "wb")))
		return 0;
	fwrite(data + 1, 1, size - 1, fp);
	fclose(fp);
	bh_limits_default(&lim);
	if (bh_ignore_load(&ig, path, &lim, &err) == 0 && ig.n) {
		memset(&c, 0, sizeof(c));
		c.name = (char *)"openssl";
		c.version = (char *)"3.0.11-1";
		c.purl = (char *)"pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12";
		c.path = (char *)"/var/lib/dpkg/status";
		(void)bh_ignore_match(&ig, ig.rules[0].id, "CVE-2023-0001 GHSA-xxxx", &c, 1700000000);
		(void)bh_ignore_match(&ig, "CVE-2023-5678", NULL, NULL, 1700000000);
	}
	bh_ignore_free(&ig);
	unlink(path);
	return 0;
}
