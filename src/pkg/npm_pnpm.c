/* npm_pnpm.c - pnpm-lock.yaml from libyaml events: no tree is built, nesting is bounded, aliases are ignored. */
#include "pkg/npm_pnpm.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/map.h"
#include "pkg/npm_common.h"

/* A snapshot (v9) and the snapshot keys it depends on. */
struct node {
	char **kids;
	size_t n, cap;
};

struct ctx {
	yaml_parser_t p;
	unsigned depth, max_depth;
	bh_complist *out;
	bh_map seen;          /* "name@version" -> index + 1 in out */
	bh_map graph;         /* v9 snapshot key -> struct node */
	bh_map roots[2];      /* importer dependencies: [0] production, [1] dev; values unused */
	bool snapshots;       /* lockfile v9: dev flags must be derived from the graph */
	bh_error *err;
};

static void node_free(void *v)
{
	struct node *nd = v;
	size_t i;
	if (!nd)
		return;
	for (i = 0; i < nd->n; i++)
		free(nd->kids[i]);
	free(nd->kids);
	free(nd);
}

/* Next event, keeping the collection depth; the caller deletes ev. */
static int next(struct ctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->p, ev))
		return bh_error_set(c->err, BH_EINVAL, "YAML error at line %zu: %s", c->p.problem_mark.line + 1,
				    c->p.problem ? c->p.problem : "syntax");
	if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
		if (++c->depth > c->max_depth) {
			yaml_event_delete(ev);
			return bh_error_set(c->err, BH_ELIMIT, "YAML nested deeper than %u levels (max-json-depth limit)", c->max_depth);
		}
	} else if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT) {
		c->depth--;
	}
	return 0;
}

/* Skips the rest of the node whose first event is ev (deleted here). */
static int skip(struct ctx *c, yaml_event_t *ev)
{
	unsigned base = c->depth;
	bool coll = ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
	int rc;
	yaml_event_delete(ev);
	if (!coll)
		return 0;
	/* base counts the collection just opened: it ends when the depth drops below it */
	while (c->depth >= base) {
		yaml_event_t e;
		if ((rc = next(c, &e)))
			return rc;
		yaml_event_delete(&e);
	}
	return 0;
}

static bool scalar_is(const yaml_event_t *ev, const char *s)
{
	size_t n = strlen(s);
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == n && !memcmp(ev->data.scalar.value, s, n);
}

static int copy_scalar(const yaml_event_t *ev, bh_buf *b)
{
	bh_buf_reset(b);
	return bh_buf_append(b, ev->data.scalar.value, ev->data.scalar.length) || bh_buf_puts(b, "") ? BH_ENOMEM : 0;
}

static bool key_is(const bh_buf *k, const char *s)
{
	size_t n = strlen(s);
	return k->len == n && !memcmp(k->data, s, n);
}

/*
 * The next entry of the mapping being read: 1 with its key's text in key and its value's first
 * event in v (the caller skips or deletes it), 0 at the mapping's end, or an error. An entry whose
 * key is a mapping or a sequence names nothing read here: it is skipped whole.
 */
static int next_entry(struct ctx *c, bh_buf *key, yaml_event_t *v)
{
	memset(v, 0, sizeof(*v)); /* YAML_NO_EVENT on every path that does not return 1 */
	for (;;) {
		yaml_event_t k;
		int rc;
		if ((rc = next(c, &k)))
			return rc;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return 0;
		}
		if (k.type == YAML_SCALAR_EVENT) {
			rc = copy_scalar(&k, key);
			yaml_event_delete(&k);
			if (rc)
				return bh_error_set(c->err, rc, "out of memory");
			return (rc = next(c, v)) ? rc : 1;
		}
		if ((rc = skip(c, &k)) || (rc = next(c, v)) || (rc = skip(c, v)))
			return rc;
	}
}

/*
 * Splits a packages key into name and version:
 *   v5 "/name/1.0.0", "/@scope/name/1.0.0_peer@1.0.0"; v6 "/name@1.0.0(peer@1.0.0)"; v9 "name@1.0.0(...)".
 * The name is one segment, or "@scope/name"; it ends at the first '/' or '@' after that. The version
 * ends before a peer suffix ("(" in v6+, "_" in v5). Keys of tarball/git dependencies
 * ("github.com/a/b/sha", "name@https://...") give no registry version: false.
 */
static bool split_key(const char *k, size_t n, const char **name, size_t *nn, const char **ver, size_t *vn)
{
	size_t i = 0, start, v, e;
	if (n && k[0] == '/') {
		k++;
		n--;
	}
	if (n && k[0] == '@') {
		const char *sl = memchr(k, '/', n);
		if (!sl || sl == k + 1)
			return false;
		i = (size_t)(sl - k) + 1;
	}
	start = i; /* where the bare name starts: it must not be empty */
	while (i < n && k[i] != '/' && k[i] != '@')
		i++;
	if (i >= n || i == start)
		return false;
	*name = k;
	*nn = i;
	v = i + 1;
	for (e = v; e < n && k[e] != '(' && k[e] != '_'; e++)
		if (k[e] == ':' || k[e] == '/')
			return false; /* a URL, not a version */
	*ver = k + v;
	*vn = e - v;
	return *vn > 0 && k[v] >= '0' && k[v] <= '9';
}

/* One package entry: key already copied into key, ev is the value's first event (deleted here). */
static int package(struct ctx *c, const bh_buf *key, yaml_event_t *ev)
{
	bh_buf name = BH_BUF_INIT, ver = BH_BUF_INIT, k = BH_BUF_INIT;
	bool dev = false;
	const char *kn, *kv;
	size_t knn, kvn;
	yaml_event_t v;
	int rc = 0;

	if (ev->type != YAML_MAPPING_START_EVENT)
		return skip(c, ev);
	yaml_event_delete(ev);
	while ((rc = next_entry(c, &k, &v)) == 1) {
		rc = 0;
		if (v.type == YAML_SCALAR_EVENT) {
			if (key_is(&k, "dev"))
				dev = scalar_is(&v, "true");
			else if (key_is(&k, "name"))
				rc = copy_scalar(&v, &name);
			else if (key_is(&k, "version"))
				rc = copy_scalar(&v, &ver);
		}
		if (rc) {
			yaml_event_delete(&v);
			rc = bh_error_set(c->err, rc, "out of memory");
			goto out;
		}
		if ((rc = skip(c, &v)))
			goto out;
	}
	if (rc)
		goto out;
	/* tarball and git dependencies carry name and version fields; registry ones only the key */
	if (split_key(key->data, key->len, &kn, &knn, &kv, &kvn)) {
		if (name.len)
			rc = bh_npm_add(c->out, &c->seen, name.data, name.len, kv, kvn, NULL, BH_COMP_LOCKFILE | (dev ? BH_COMP_DEV : 0));
		else
			rc = bh_npm_add(c->out, &c->seen, kn, knn, kv, kvn, NULL, BH_COMP_LOCKFILE | (dev ? BH_COMP_DEV : 0));
	} else if (name.len && ver.len) {
		rc = bh_npm_add(c->out, &c->seen, name.data, name.len, ver.data, ver.len, NULL, BH_COMP_LOCKFILE | (dev ? BH_COMP_DEV : 0));
	}
	if (rc)
		rc = bh_error_set(c->err, rc, "out of memory");
out:
	bh_buf_free(&name);
	bh_buf_free(&ver);
	bh_buf_free(&k);
	return rc;
}

static int packages(struct ctx *c, yaml_event_t *ev)
{
	bh_buf key = BH_BUF_INIT;
	yaml_event_t v;
	int rc;
	if (ev->type != YAML_MAPPING_START_EVENT)
		return skip(c, ev);
	yaml_event_delete(ev);
	while ((rc = next_entry(c, &key, &v)) == 1)
		if ((rc = package(c, &key, &v)))
			break;
	bh_buf_free(&key);
	return rc;
}

/*
 * The snapshot key a dependency entry points at: "name" with "18.2.0(react@18.2.0)" gives
 * "name@18.2.0(react@18.2.0)"; an alias value ("real@1.0.0", "@s/real@1.0.0") is the key itself.
 */
static int dep_key(const char *name, size_t nn, const char *ver, size_t vn, bh_buf *out)
{
	const char *at = vn > 1 ? memchr(ver + 1, '@', vn - 1) : NULL;
	bh_buf_reset(out);
	if (!(vn && ver[0] >= '0' && ver[0] <= '9') && at && !memchr(ver, ':', (size_t)(at - ver)))
		return bh_buf_append(out, ver, vn) || bh_buf_puts(out, "") ? BH_ENOMEM : 0;
	return bh_buf_append(out, name, nn) || bh_buf_putc(out, '@') || bh_buf_append(out, ver, vn) ? BH_ENOMEM : 0;
}

/* Records key as a root (from == NULL, set 0/1) or as a dependency of snapshot from. */
static int record(struct ctx *c, const char *from, int set, const char *key)
{
	struct node *nd;
	char *k;
	if (!from)
		return bh_map_get(&c->roots[set], key) ? 0 : bh_map_put(&c->roots[set], key, (void *)1);
	nd = bh_map_get(&c->graph, from);
	if (!nd) {
		nd = calloc(1, sizeof(*nd));
		if (!nd)
			return BH_ENOMEM;
		if (bh_map_put(&c->graph, from, nd)) {
			free(nd); /* a failed put does not take the value */
			return BH_ENOMEM;
		}
	}
	if (nd->n == nd->cap) {
		size_t cap = nd->cap ? nd->cap * 2 : 4, bytes;
		char **kids;
		if (!bh_size_mul(cap, sizeof(char *), &bytes) || !(kids = realloc(nd->kids, bytes)))
			return BH_ENOMEM;
		nd->kids = kids;
		nd->cap = cap;
	}
	if (!(k = bh_strdup(key)))
		return BH_ENOMEM;
	nd->kids[nd->n++] = k;
	return 0;
}

/*
 * A map of dependencies (name -> "version" or {specifier, version}); ev is its first event
 * (deleted here). Each becomes a root of set, or an edge from snapshot from.
 */
static int deps(struct ctx *c, yaml_event_t *ev, const char *from, int set)
{
	bh_buf name = BH_BUF_INIT, ver = BH_BUF_INIT, key = BH_BUF_INIT, fk = BH_BUF_INIT;
	yaml_event_t v, fv;
	int rc;
	if (ev->type != YAML_MAPPING_START_EVENT)
		return skip(c, ev);
	yaml_event_delete(ev);
	while ((rc = next_entry(c, &name, &v)) == 1) {
		bh_buf_reset(&ver);
		if (v.type == YAML_SCALAR_EVENT) {
			rc = copy_scalar(&v, &ver);
			yaml_event_delete(&v);
		} else if (v.type == YAML_MAPPING_START_EVENT) {
			/* {specifier: ^1, version: 1.0.0(peer@1)} */
			yaml_event_delete(&v);
			while ((rc = next_entry(c, &fk, &fv)) == 1) {
				if (key_is(&fk, "version") && fv.type == YAML_SCALAR_EVENT && (rc = copy_scalar(&fv, &ver))) {
					yaml_event_delete(&fv);
					break;
				}
				if ((rc = skip(c, &fv)))
					break;
			}
		} else {
			rc = skip(c, &v);
		}
		if (rc)
			break;
		if (name.len && ver.len && ((rc = dep_key(name.data, name.len, ver.data, ver.len, &key)) ||
					    (rc = record(c, from, set, key.data))))
			break;
	}
	bh_buf_free(&name);
	bh_buf_free(&ver);
	bh_buf_free(&key);
	bh_buf_free(&fk);
	if (rc == BH_ENOMEM)
		rc = bh_error_set(c->err, rc, "out of memory");
	return rc;
}

/*
 * A mapping whose values are mappings holding dependency maps: importers (path -> deps, the
 * from key is NULL: roots) or snapshots (key -> deps, edges). ev is its first event.
 */
static int dep_holders(struct ctx *c, yaml_event_t *ev, bool snapshots)
{
	bh_buf key = BH_BUF_INIT, fk = BH_BUF_INIT;
	yaml_event_t v, fv;
	int rc;
	if (ev->type != YAML_MAPPING_START_EVENT)
		return skip(c, ev);
	yaml_event_delete(ev);
	while ((rc = next_entry(c, &key, &v)) == 1) {
		if (v.type != YAML_MAPPING_START_EVENT || !key.len) {
			if ((rc = skip(c, &v)))
				break;
			continue;
		}
		yaml_event_delete(&v);
		while ((rc = next_entry(c, &fk, &fv)) == 1) {
			int set = -1;
			if (key_is(&fk, "dependencies") || key_is(&fk, "optionalDependencies"))
				set = 0;
			else if (!snapshots && key_is(&fk, "devDependencies"))
				set = 1;
			if ((rc = set >= 0 ? deps(c, &fv, snapshots ? key.data : NULL, set) : skip(c, &fv)))
				break;
		}
		if (rc)
			break;
	}
	bh_buf_free(&key);
	bh_buf_free(&fk);
	return rc;
}

/* Snapshot keys reachable from the roots of set, as "name@version" (peer suffixes dropped) in reach. */
static int reach(struct ctx *c, int set, bh_map *reached)
{
	bh_map visited;
	bh_buf nv = BH_BUF_INIT;
	const char **stack = NULL, *k;
	size_t sp = 0, cap = 0, i = 0;
	void *v;
	int rc = 0;

	bh_map_init(&visited, NULL);
	while (bh_map_next(&c->roots[set], &i, &k, &v)) {
		if (sp == cap) {
			size_t nc = cap ? cap * 2 : 64, bytes;
			const char **ns;
			if (!bh_size_mul(nc, sizeof(*ns), &bytes) || !(ns = realloc(stack, bytes))) {
				rc = BH_ENOMEM;
				goto out;
			}
			stack = ns;
			cap = nc;
		}
		stack[sp++] = k; /* keys stay valid: roots is not modified during the walk */
	}
	while (sp) {
		const char *key = stack[--sp], *name, *ver;
		size_t nn, vn, j;
		struct node *nd;
		if (bh_map_get(&visited, key))
			continue;
		if (bh_map_put(&visited, key, (void *)1)) {
			rc = BH_ENOMEM;
			goto out;
		}
		if (split_key(key, strlen(key), &name, &nn, &ver, &vn)) {
			bh_buf_reset(&nv);
			if (bh_buf_append(&nv, name, nn) || bh_buf_putc(&nv, '@') || bh_buf_append(&nv, ver, vn) ||
			    bh_map_put(reached, nv.data, (void *)1)) {
				rc = BH_ENOMEM;
				goto out;
			}
		}
		nd = bh_map_get(&c->graph, key);
		for (j = 0; nd && j < nd->n; j++) {
			if (bh_map_get(&visited, nd->kids[j]))
				continue;
			if (sp == cap) {
				size_t nc = cap ? cap * 2 : 64, bytes;
				const char **ns;
				if (!bh_size_mul(nc, sizeof(*ns), &bytes) || !(ns = realloc(stack, bytes))) {
					rc = BH_ENOMEM;
					goto out;
				}
				stack = ns;
				cap = nc;
			}
			stack[sp++] = nd->kids[j]; /* owned by the graph, which outlives the walk */
		}
	}
out:
	free(stack);
	bh_buf_free(&nv);
	bh_map_free(&visited);
	return rc;
}

/*
 * Lockfile v9 has no "dev:" field: a package is dev-only when it is reachable from some
 * importer's devDependencies and from no importer's dependencies/optionalDependencies.
 */
static int derive_dev(struct ctx *c, size_t first)
{
	bh_map prod, dev;
	bh_buf nv = BH_BUF_INIT;
	size_t i;
	int rc;

	bh_map_init(&prod, NULL);
	bh_map_init(&dev, NULL);
	if ((rc = reach(c, 0, &prod)) || (rc = reach(c, 1, &dev)))
		goto out;
	for (i = first; i < c->out->n; i++) {
		bh_component *comp = c->out->items[i];
		bh_buf_reset(&nv);
		if (bh_buf_puts(&nv, comp->name) || bh_buf_putc(&nv, '@') || bh_buf_puts(&nv, comp->version)) {
			rc = BH_ENOMEM;
			goto out;
		}
		if (bh_map_get(&dev, nv.data) && !bh_map_get(&prod, nv.data))
			comp->flags |= BH_COMP_DEV;
	}
out:
	bh_buf_free(&nv);
	bh_map_free(&prod);
	bh_map_free(&dev);
	return rc ? bh_error_set(c->err, rc, "out of memory") : 0;
}

/* The root mapping of one document: "packages", and for dev flags "importers" and "snapshots". */
static int root(struct ctx *c, yaml_event_t *ev)
{
	bh_buf k = BH_BUF_INIT;
	yaml_event_t v;
	int rc;
	if (ev->type != YAML_MAPPING_START_EVENT)
		return skip(c, ev);
	yaml_event_delete(ev);
	while ((rc = next_entry(c, &k, &v)) == 1) {
		int what = key_is(&k, "packages") ? 1 : key_is(&k, "importers") ? 2 : key_is(&k, "snapshots") ? 3 : 0;
		if (what == 3)
			c->snapshots = true;
		if ((rc = what == 1 ? packages(c, &v) : what ? dep_holders(c, &v, what == 3) : skip(c, &v)))
			break;
	}
	bh_buf_free(&k);
	return rc;
}

int bh_npm_pnpm_parse(const char *data, size_t len, unsigned max_depth, bh_complist *out, bh_error *err)
{
	struct ctx c;
	size_t first = out->n;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.max_depth = max_depth;
	c.out = out;
	c.err = err;
	bh_map_init(&c.seen, NULL);
	bh_map_init(&c.graph, node_free);
	bh_map_init(&c.roots[0], NULL);
	bh_map_init(&c.roots[1], NULL);
	if (!yaml_parser_initialize(&c.p))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&c.p, (const unsigned char *)data, len);
	for (;;) {
		yaml_event_t ev;
		if ((rc = next(&c, &ev)))
			break;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT ||
		    ev.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		/* a document's root node (pnpm 10 may write two documents) */
		if ((rc = root(&c, &ev)))
			break;
	}
	/* v5/v6 entries say "dev:" themselves; v9 ones are judged from the importers' graph */
	if (!rc && c.snapshots)
		rc = derive_dev(&c, first);
	yaml_parser_delete(&c.p);
	bh_map_free(&c.seen);
	bh_map_free(&c.graph);
	bh_map_free(&c.roots[0]);
	bh_map_free(&c.roots[1]);
	return rc;
}
