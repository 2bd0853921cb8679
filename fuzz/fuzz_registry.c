/* fuzz_registry.c - libFuzzer target: the registry client's parsers (references, WWW-Authenticate challenges,
 * auth files, token answers, manifests, indexes and platform selection) on one input each. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth.h"
#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	static const char *const platforms[] = { NULL, "linux/amd64", "linux/arm64/v8", "windows/amd64" };
	char *z, *token = NULL;
	bh_registry_ref ref;
	bh_regauth_challenge ch;
	bh_regauth_cred cred;
	bh_registry_manifest m;
	bh_registry_desc d;
	bh_registry_kind kind;
	bh_error err;

	if (!(z = malloc(size + 1)))
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	if (bh_registry_ref_parse(z, &ref, &err) == 0)
		bh_registry_ref_free(&ref);
	(void)bh_registry_host_loopback(z);
	if (bh_regauth_challenge_parse(s, size, &ch, &err) == 0)
		bh_regauth_challenge_free(&ch);
	if (bh_regauth_file_lookup(s, size, "127.0.0.1:5000", 64, "fuzz", &cred, &err) == 0) {
		char *b = bh_regauth_basic(&cred);
		free(b);
		bh_regauth_cred_free(&cred);
	}
	if (bh_regauth_file_lookup(s, size, "docker.io", 64, "fuzz", &cred, &err) == 0)
		bh_regauth_cred_free(&cred);
	if (bh_regauth_token_parse(s, size, 64, &token, &err) == 0)
		free(token);
	(void)bh_registry_kind_of(s, size, size ? "application/vnd.oci.image.manifest.v1+json" : NULL, 64, &kind, &err);
	if (bh_registry_manifest_parse(s, size, NULL, 64, 1000, &m, &err) == 0)
		bh_registry_manifest_free(&m);
	if (bh_registry_index_pick(s, size, platforms[size % 4], 64, &d, &err) == 0)
		bh_registry_desc_free(&d);
	free(z);
	return 0;
}
