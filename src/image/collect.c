/* collect.c - overlay-aware store of analyzer results and the dispatch of files to analyzers. */
#include "image/collect.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

struct result {
	int layer;
	bh_complist comps;
};

static void result_free(void *p)
{
	struct result *r = p;
	if (!r)
		return;
	bh_complist_free(&r->comps);
	free(r);
}

int bh_collect_init(bh_collect *c, const bh_limits *limits, bh_sbom *sbom)
{
	memset(c, 0, sizeof(*c));
	bh_map_init(&c->results, result_free);
	bh_map_init(&c->dirs, NULL);
	c->limits = limits;
	c->sbom = sbom;
	c->an = bh_analyzers_all(&c->nan);
	if (limits->time_budget_s)
		c->deadline = time(NULL) + (time_t)limits->time_budget_s;
	return 0;
}

void bh_collect_free(bh_collect *c)
{
	bh_map_free(&c->results);
	bh_map_free(&c->dirs);
}

/* Records the ancestors of path; stale entries only cost a needless scan later. */
static int note_dirs(bh_collect *c, const char *path)
{
	char tmp[4096];
	size_t n = strlen(path), i;
	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, path, n + 1);
	for (i = n; i-- > 0;) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (bh_map_get(&c->dirs, tmp))
			break;
		if (bh_map_put(&c->dirs, tmp, (void *)1))
			return BH_ENOMEM;
	}
	return 0;
}


int bh_collect_tick(bh_collect *c, bh_error *err)
{
	c->files++;
	if (c->files > c->limits->max_files)
		return bh_error_set(err, BH_ELIMIT, "more than %llu files (max-files limit)",
				    (unsigned long long)c->limits->max_files);
	if (c->deadline && (c->files & 1023) == 0 && time(NULL) > c->deadline)
		return bh_error_set(err, BH_ELIMIT, "time budget of %u s exceeded", c->limits->time_budget_s);
	return 0;
}

static bool enabled(const bh_collect *c, const bh_analyzer *a)
{
	return !c->only || bh_map_get(c->only, a->name) != NULL;
}

static bool hook_wants(const bh_collect *c, const char *path, uint32_t mode, uint64_t size)
{
	return c->hook && c->hook->content && c->hook->wants && c->hook->wants(c->hook->ctx, path, mode, size);
}

bool bh_collect_wants(const bh_collect *c, const char *path, uint32_t mode, uint64_t size)
{
	size_t i, len = strlen(path);
	for (i = 0; i < c->nan; i++)
		if (enabled(c, c->an[i]) && c->an[i]->match(path, len, mode, size))
			return true;
	return hook_wants(c, path, mode, size);
}

int bh_collect_entry(bh_collect *c, int layer, bh_entry_kind kind, const char *path, uint32_t mode, uint64_t size,
		     bh_error *err)
{
	if (!c->hook || !c->hook->entry)
		return 0;
	return c->hook->entry(c->hook->ctx, layer, kind, path, mode, size, err);
}

void bh_collect_remove(bh_collect *c, const char *path, bool self, bool subtree, int before_layer)
{
	size_t i = 0, plen = strlen(path);
	const char *k;
	void *v;

	if (self) {
		struct result *r = bh_map_get(&c->results, path);
		if (r && r->layer < before_layer)
			bh_map_del(&c->results, path);
	}
	if (!subtree || c->results.n == 0 || (plen && !bh_map_get(&c->dirs, path)))
		return;
	while (bh_map_next(&c->results, &i, &k, &v)) {
		struct result *r = v;
		/* An empty path is the root: everything is below it. */
		if (r->layer < before_layer &&
		    (plen == 0 || (strncmp(k, path, plen) == 0 && k[plen] == '/')))
			bh_map_del(&c->results, k);
	}
}

/* Stores r (ownership passes to the map, also on failure) and indexes its directories. */
static int store(bh_collect *c, const char *path, struct result *r, bh_error *err)
{
	if (bh_map_put(&c->results, path, r)) {
		result_free(r);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (note_dirs(c, path))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	return 0;
}

/* Components already present at this path keep the layer that first introduced them. */
static void inherit_layers(const struct result *old, struct result *r)
{
	size_t i, j;
	for (i = 0; i < r->comps.n; i++) {
		bh_component *n = r->comps.items[i];
		for (j = 0; old && j < old->comps.n; j++) {
			const bh_component *o = old->comps.items[j];
			if (o->eco == n->eco && o->name && n->name && !strcmp(o->name, n->name) &&
			    ((!o->version && !n->version) || (o->version && n->version && !strcmp(o->version, n->version))) &&
			    ((!o->arch && !n->arch) || (o->arch && n->arch && !strcmp(o->arch, n->arch)))) {
				n->layer = o->layer;
				break;
			}
		}
	}
}

int bh_collect_file(bh_collect *c, const char *path, uint32_t mode, uint64_t size, int layer,
		    const bh_file_ops *ops, void *ctx, bh_error *err)
{
	const bh_analyzer *hit[8];
	size_t nhit = 0, i, len = strlen(path);
	struct result *old, *r = NULL;
	bh_file f;
	int rc = 0;

	for (i = 0; i < c->nan && nhit < 8; i++)
		if (enabled(c, c->an[i]) && c->an[i]->match(path, len, mode, size))
			hit[nhit++] = c->an[i];
	bool hw = hook_wants(c, path, mode, size);

	/* A file written here hides whatever earlier layers had at this path or below it. */
	bh_collect_remove(c, path, false, true, layer);
	old = bh_map_get(&c->results, path);
	if (old && old->layer >= layer)
		old = NULL;
	memset(&f, 0, sizeof(f));
	f.path = path;
	f.mode = mode;
	f.size = size;
	f.limits = c->limits;
	f.ops = ops;
	f.ctx = ctx;
	if (!nhit) {
		if (old)
			bh_map_del(&c->results, path);
		if (hw) {
			rc = c->hook->content(c->hook->ctx, layer, &f, err);
			bh_file_release(&f);
		}
		return rc;
	}

	r = calloc(1, sizeof(*r));
	if (!r)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	r->layer = layer;
	if (nhit > 1 || hw) {
		/* Several readers of one stream: hold the content once and serve it from memory. */
		const unsigned char *d;
		size_t n;
		bh_error ferr;
		if (bh_file_slurp(&f, &d, &n, &ferr)) {
			bh_sbom_warn(c->sbom, "/%s: %s", path, ferr.msg);
			nhit = 0;
			hw = false;
		}
	}
	if (hw) {
		f.consumed = 0;
		if ((rc = c->hook->content(c->hook->ctx, layer, &f, err)))
			goto fail;
	}
	for (i = 0; i < nhit; i++) {
		bh_error aerr;
		size_t first = r->comps.n, j;
		bh_error_clear(&aerr);
		f.consumed = 0;
		rc = hit[i]->analyze(&f, &r->comps, &aerr);
		if (rc == BH_ENOMEM) {
			bh_error_set(err, rc, "/%s: out of memory", path);
			goto fail;
		}
		if (rc) {
			/* Bad content in one file must not stop the inventory of the rest. */
			bh_sbom_warn(c->sbom, "%s analyzer: /%s: %s", hit[i]->name, path,
				     aerr.msg[0] ? aerr.msg : bh_error_name(rc));
		}
		for (j = first; j < r->comps.n; j++)
			r->comps.items[j]->layer = layer;
	}
	bh_file_release(&f);
	inherit_layers(old, r);
	if (r->comps.n == 0) {
		result_free(r);
		if (old)
			bh_map_del(&c->results, path);
		return 0;
	}
	return store(c, path, r, err);
fail:
	bh_file_release(&f);
	result_free(r);
	return rc;
}

int bh_collect_link(bh_collect *c, const char *path, const char *target, int layer, bh_error *err)
{
	struct result *t = bh_map_get(&c->results, target), *r;
	size_t i;

	bh_collect_remove(c, path, true, true, layer + 1);
	if (!t || strcmp(path, target) == 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	r->layer = layer;
	for (i = 0; i < t->comps.n; i++) {
		bh_component *cp = bh_complist_add_copy(&r->comps, t->comps.items[i]);
		if (!cp) {
			result_free(r);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		free(cp->path);
		cp->path = NULL;
	}
	return store(c, path, r, err);
}

int bh_collect_finish(bh_collect *c, bh_error *err)
{
	size_t i = 0, j;
	const char *k;
	void *v;

	while (bh_map_next(&c->results, &i, &k, &v)) {
		struct result *r = v;
		for (j = 0; j < r->comps.n; j++) {
			bh_component *cp = r->comps.items[j];
			if (!cp->path) {
				bh_buf b = BH_BUF_INIT;
				if (bh_buf_putc(&b, '/') || bh_buf_puts(&b, k)) {
					bh_buf_free(&b);
					return bh_error_set(err, BH_ENOMEM, "out of memory");
				}
				cp->path = bh_buf_steal(&b);
			}
		}
		if (bh_complist_move(&c->sbom->comps, &r->comps))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	c->sbom->files_seen = c->files;
	return 0;
}

int bh_path_clean(const char *in, char *out, size_t outsz, bool *was_absolute)
{
	size_t o = 0;
	const char *p = in;

	if (was_absolute)
		*was_absolute = (*p == '/');
	while (*p) {
		const char *seg;
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 1 && seg[0] == '.')
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return BH_EINVAL;
		if (o + n + 2 > outsz)
			return BH_ELIMIT;
		if (o)
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	if (o >= outsz)
		return BH_ELIMIT;
	out[o] = '\0';
	return 0;
}
