/* component.c - component allocation, copying and the owning list. */
#include "sbom/component.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

bh_component *bh_complist_add(bh_complist *l, bh_ecosystem eco)
{
	bh_component *c;

	if (l->limit && l->n >= l->limit) {
		l->over = true;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16, bytes;
		bh_component **n;
		if (!bh_size_mul(ncap, sizeof(bh_component *), &bytes))
			return NULL;
		n = realloc(l->items, bytes);
		if (!n)
			return NULL;
		l->items = n;
		l->cap = ncap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->eco = eco;
	c->layer = -1;
	l->items[l->n++] = c;
	return c;
}

int bh_complist_move(bh_complist *dst, bh_complist *src)
{
	size_t i;
	for (i = 0; i < src->n; i++) {
		bh_component *slot = bh_complist_add(dst, BH_ECO_NONE);
		if (!slot)
			return BH_ENOMEM;
		/* Replace the placeholder with the moved component. */
		free(slot);
		dst->items[dst->n - 1] = src->items[i];
		src->items[i] = NULL;
	}
	free(src->items);
	src->items = NULL;
	src->n = src->cap = 0;
	return 0;
}

bh_component *bh_complist_add_copy(bh_complist *l, const bh_component *c)
{
	bh_component *d = bh_complist_add(l, c->eco);
	size_t i;

	if (!d)
		return NULL;
	d->layer = c->layer;
	d->flags = c->flags;
#define CP(f) if (c->f && bh_component_set(&d->f, c->f, (size_t)-1)) goto fail
	CP(name); CP(namespace); CP(version); CP(arch); CP(src_name); CP(src_version);
	CP(epoch); CP(license); CP(path); CP(purl);
#undef CP
	for (i = 0; i < c->nprops; i++)
		if (bh_component_prop(d, c->props[i].key, c->props[i].value))
			goto fail;
	return d;
fail:
	bh_complist_remove(l, l->n - 1);
	return NULL;
}

void bh_complist_remove(bh_complist *l, size_t i)
{
	if (i >= l->n)
		return;
	bh_component_free(l->items[i]);
	memmove(l->items + i, l->items + i + 1, (l->n - i - 1) * sizeof(bh_component *));
	l->n--;
}

void bh_complist_free(bh_complist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		bh_component_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

int bh_component_set(char **field, const char *s, size_t len)
{
	char *d = NULL;
	if (s) {
		d = bh_strndup(s, len == (size_t)-1 ? strlen(s) : len);
		if (!d)
			return BH_ENOMEM;
	}
	free(*field);
	*field = d;
	return 0;
}

int bh_component_prop(bh_component *c, const char *key, const char *value)
{
	bh_prop *n;
	size_t bytes;
	if (!key || !value)
		return 0;
	if (!bh_size_mul(c->nprops + 1, sizeof(*n), &bytes))
		return BH_ENOMEM;
	n = realloc(c->props, bytes);
	if (!n)
		return BH_ENOMEM;
	c->props = n;
	n[c->nprops].key = bh_strdup(key);
	n[c->nprops].value = bh_strdup(value);
	if (!n[c->nprops].key || !n[c->nprops].value) {
		free(n[c->nprops].key);
		free(n[c->nprops].value);
		return BH_ENOMEM;
	}
	c->nprops++;
	return 0;
}

const char *bh_component_get_prop(const bh_component *c, const char *key)
{
	size_t i;
	for (i = 0; i < c->nprops; i++)
		if (strcmp(c->props[i].key, key) == 0)
			return c->props[i].value;
	return NULL;
}

void bh_component_free(bh_component *c)
{
	size_t i;
	if (!c)
		return;
	free(c->name); free(c->namespace); free(c->version); free(c->arch);
	free(c->src_name); free(c->src_version); free(c->epoch); free(c->license);
	free(c->path); free(c->purl);
	for (i = 0; i < c->nprops; i++) {
		free(c->props[i].key);
		free(c->props[i].value);
	}
	free(c->props);
	free(c);
}

const char *bh_ecosystem_name(bh_ecosystem e)
{
	static const char *const names[BH_ECO__COUNT] = {
		"generic", "os", "deb", "apk", "rpm", "npm", "pypi", "golang", "maven", "gem", "cargo", "composer"
	};
	return (unsigned)e < BH_ECO__COUNT ? names[e] : "generic";
}

bh_ecosystem bh_ecosystem_parse(const char *name)
{
	int e;
	for (e = 1; name && e < BH_ECO__COUNT; e++)
		if (!strcmp(bh_ecosystem_name((bh_ecosystem)e), name))
			return (bh_ecosystem)e;
	return BH_ECO_NONE;
}

bool bh_ecosystem_is_os_pkg(bh_ecosystem e) { return e == BH_ECO_DEB || e == BH_ECO_APK || e == BH_ECO_RPM; }

const char *bh_ecosystem_label(bh_ecosystem e)
{
	static const char *const labels[BH_ECO__COUNT] = {
		"other", "operating system", "Debian packages", "Alpine packages", "RPM packages",
		"npm packages", "Python packages", "Go modules", "Java archives", "Ruby gems",
		"Rust crates", "PHP packages"
	};
	return (unsigned)e < BH_ECO__COUNT ? labels[e] : "other";
}

unsigned bh_component_pkgtype(const bh_component *c)
{
	switch (c->eco) {
	case BH_ECO_OS: return 0;
	default: return bh_ecosystem_is_os_pkg(c->eco) ? BH_PKGTYPE_OS : BH_PKGTYPE_LIBRARY;
	}
}

size_t bh_complist_keep_pkgtypes(bh_complist *l, unsigned types)
{
	size_t i, k = 0;
	if (!types)
		return 0;
	for (i = 0; i < l->n; i++) {
		unsigned t = bh_component_pkgtype(l->items[i]);
		if (t && !(t & types))
			bh_component_free(l->items[i]);
		else
			l->items[k++] = l->items[i];
	}
	i = l->n - k;
	l->n = k;
	return i;
}
