/* fuzz_regnotify.c - POST /api/v1/registry/notifications bodies: Distribution notification envelopes;
 * every push the parser accepts is checked for what it promises (digest, repository, tag, host). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/regwatch.h"

static void check_push(const bh_regwatch_push *p)
{
	size_t i;
	if (!p->repository || !p->digest || !p->media_type || !bh_regwatch_repo_ok(p->repository))
		abort();
	if (strlen(p->digest) != 71 || strncmp(p->digest, "sha256:", 7) != 0)
		abort();
	for (i = 7; i < 71; i++)
		if (!strchr("0123456789abcdef", p->digest[i]))
			abort();
	if (p->tag && (!p->tag[0] || strlen(p->tag) > 128 || strchr(p->tag, '/') || strchr(p->tag, ':')))
		abort();
	if (p->host && (!p->host[0] || strchr(p->host, '/') || strchr(p->host, '@')))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bh_regwatch_pushes ps;
	char why[320];
	size_t i, k;
	int rc = bh_regwatch_notification_parse((const char *)data, size, 64, 20, &ps, why, sizeof(why));
	if (rc == 0) {
		if (ps.n > 20)
			abort();
		for (i = 0; i < ps.n; i++) {
			check_push(&ps.items[i]);
			for (k = 0; k < i; k++) /* repeats of a push are folded */
				if (!strcmp(ps.items[k].digest, ps.items[i].digest) &&
				    !strcmp(ps.items[k].repository, ps.items[i].repository) &&
				    !ps.items[k].tag == !ps.items[i].tag && (!ps.items[k].tag || !strcmp(ps.items[k].tag, ps.items[i].tag)) &&
				    !ps.items[k].host == !ps.items[i].host && (!ps.items[k].host || !strcmp(ps.items[k].host, ps.items[i].host)))
					abort();
		}
	} else if (rc != 400 && rc != 413 && rc >= 0) {
		abort();
	} else if (rc > 0 && (ps.n || !why[0])) {
		abort(); /* a refusal says why and hands nothing back */
	}
	bh_regwatch_pushes_free(&ps);
	return 0;
}
