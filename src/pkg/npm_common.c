/* npm_common.c - checked, deduplicated appends of npm components, shared by the npm lockfile readers. */
#include "pkg/npm_common.h"

#include <string.h>

#include "core/buf.h"
#include "core/error.h"

bool bh_npm_sane(const char *s, size_t n, size_t max)
{
	size_t i = 0;
	if (!s || !n || n > max)
		return false;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		if (c < 0x80) {
			if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'')
				return false;
			i++;
			continue;
		}
		len = bh_utf8_seq((const unsigned char *)s + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

/* Licence strings may hold spaces ("MIT OR Apache-2.0"): only controls and bad UTF-8 are refused. */
static bool licence_ok(const char *s, size_t n)
{
	size_t i;
	if (!n || n > 1024)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	/* reuse the UTF-8 walk: spaces are the only byte it refuses that a licence may hold */
	for (i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j > i && !bh_npm_sane(s + i, j - i, n))
			return false;
		i = j + 1;
	}
	return true;
}

int bh_npm_add(bh_complist *out, bh_map *seen, const char *name, size_t nn, const char *ver, size_t vn,
	       const char *lic, uint32_t flags)
{
	bh_component *c;
	bh_buf key = BH_BUF_INIT;
	void *prev;

	if (!bh_npm_sane(name, nn, BH_NPM_MAX_NAME) || !bh_npm_sane(ver, vn, BH_NPM_MAX_VERSION))
		return 0;
	if (seen) {
		if (bh_buf_append(&key, name, nn) || bh_buf_putc(&key, '@') || bh_buf_append(&key, ver, vn))
			goto nomem;
		prev = bh_map_get(seen, key.data);
		if (prev) {
			/* values are index + 1 into out, so NULL stays "absent" */
			size_t i = (size_t)(uintptr_t)prev - 1;
			if (i < out->n && !(flags & BH_COMP_DEV))
				out->items[i]->flags &= ~(uint32_t)BH_COMP_DEV;
			bh_buf_free(&key);
			return 0;
		}
	}
	c = bh_complist_add(out, BH_ECO_NPM);
	if (!c || bh_component_set(&c->name, name, nn) || bh_component_set(&c->version, ver, vn))
		goto nomem;
	if (lic && licence_ok(lic, strlen(lic)) && bh_component_set(&c->license, lic, (size_t)-1))
		goto nomem;
	c->flags = flags;
	if (seen && bh_map_put(seen, key.data, (void *)(uintptr_t)out->n))
		goto nomem;
	bh_buf_free(&key);
	return 0;
nomem:
	bh_buf_free(&key);
	return BH_ENOMEM;
}
