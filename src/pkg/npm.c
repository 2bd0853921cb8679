/* npm.c - JavaScript packages: installed node_modules, package-lock v1-v3, yarn.lock v1/berry, pnpm-lock.yaml. */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/map.h"
#include "pkg/analyzer.h"
#include "pkg/npm_common.h"
#include "pkg/npm_pnpm.h"

/* True when path has a "node_modules" directory segment. */
static bool inside_node_modules(const char *path, size_t len)
{
	const char *p = path, *end = path + len;
	while ((p = memmem(p, (size_t)(end - p), "node_modules/", 13)) != NULL) {
		if (p == path || p[-1] == '/')
			return true;
		p += 13;
	}
	return false;
}

/*
 * node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json, at any depth (nested
 * node_modules, pnpm's node_modules/.pnpm/x@1/node_modules/x). Files deeper in a package
 * (node_modules/x/lib/package.json) describe no package of their own.
 */
static bool installed_manifest(const char *path, size_t len)
{
	const char *end, *seg, *p, *nm = NULL;
	size_t slashes = 0;
	if (len < 26 || memcmp(path + len - 13, "/package.json", 13) != 0)
		return false;
	end = path + len - 13; /* the '/' before package.json */
	/* the last "node_modules/" that is a whole path segment */
	for (p = path; (p = memmem(p, (size_t)(end - p), "node_modules/", 13)) != NULL; p += 13)
		if (p == path || p[-1] == '/')
			nm = p;
	if (!nm)
		return false;
	seg = nm + 13;
	if (seg >= end || *seg == '.' || *seg == '/')
		return false; /* .bin, .pnpm, .cache: not packages */
	for (p = seg; p < end; p++)
		if (*p == '/') {
			slashes++;
			if (p + 1 >= end || p[1] == '/' || p[1] == '.')
				return false;
		}
	return (*seg == '@' && slashes == 1) || (*seg != '@' && slashes == 0);
}

static bool is_base(const char *b, size_t bl, const char *name)
{
	size_t n = strlen(name);
	return bl == n && !memcmp(b, name, n);
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	size_t bl;
	const char *b = bh_path_base(path, len, &bl);
	(void)mode; (void)size;
	if (is_base(b, bl, "package.json"))
		return installed_manifest(path, len);
	/* lockfiles inside node_modules belong to published packages, not to what is installed */
	if (is_base(b, bl, "package-lock.json") || is_base(b, bl, "npm-shrinkwrap.json") || is_base(b, bl, "yarn.lock") ||
	    is_base(b, bl, "pnpm-lock.yaml"))
		return !inside_node_modules(path, len);
	return false;
}

static int add(bh_complist *out, bh_map *seen, const char *name, const char *ver, const char *lic, uint32_t flags)
{
	if (!name || !ver)
		return 0;
	return bh_npm_add(out, seen, name, strlen(name), ver, strlen(ver), lic, flags);
}

/*
 * "license": "MIT" | {"type": "MIT"}; legacy "licenses": [{"type": "MIT"}, "Apache-2.0"] or {"type": ...}.
 * Several legacy entries meant a choice, so they are joined with " OR " into buf.
 */
static const char *license_of(json_t *o, bh_buf *buf)
{
	json_t *l = json_object_get(o, "license"), *e;
	size_t i;
	if (json_is_string(l))
		return json_string_value(l);
	if (json_is_object(l) && bh_json_str(l, "type"))
		return bh_json_str(l, "type");
	l = json_object_get(o, "licenses");
	if (json_is_object(l))
		return bh_json_str(l, "type");
	if (!json_is_array(l))
		return NULL;
	bh_buf_reset(buf);
	json_array_foreach(l, i, e) {
		const char *t = json_is_string(e) ? json_string_value(e) : bh_json_str(e, "type");
		if (!t || !*t || i >= 16)
			continue;
		if ((buf->len && bh_buf_puts(buf, " OR ")) || bh_buf_puts(buf, t))
			return NULL;
	}
	return buf->len ? buf->data : NULL;
}

/* v1 version: "1.2.3", alias "npm:real-name@1.2.3", or a URL/path (no registry version: skipped). */
static int v1_entry(bh_complist *out, const char *name, json_t *d)
{
	const char *v = bh_json_str(d, "version");
	uint32_t flags = BH_COMP_LOCKFILE | (json_is_true(json_object_get(d, "dev")) ? BH_COMP_DEV : 0);
	if (!v)
		return 0;
	if (!strncmp(v, "npm:", 4)) {
		const char *real = v + 4, *at = *real ? strchr(real + 1, '@') : NULL;
		if (!at)
			return 0;
		return bh_npm_add(out, NULL, real, (size_t)(at - real), at + 1, strlen(at + 1), NULL, flags);
	}
	if (strchr(v, ':') || strchr(v, '/'))
		return 0;
	return add(out, NULL, name, v, NULL, flags);
}

/* lockfileVersion 1: a tree of "dependencies"; recursion is bounded by the JSON depth check. */
static int lock_v1(json_t *deps, bh_complist *out)
{
	const char *name;
	json_t *d;
	int rc;
	if (!json_is_object(deps))
		return 0;
	json_object_foreach(deps, name, d) {
		if (!json_is_object(d))
			continue;
		if ((rc = v1_entry(out, name, d)) || (rc = lock_v1(json_object_get(d, "dependencies"), out)))
			return rc;
	}
	return 0;
}

/* lockfileVersion 2/3: "packages" keyed by install path; "" is the project itself. */
static int lock_v2(json_t *pkgs, bh_complist *out)
{
	bh_buf lb = BH_BUF_INIT;
	const char *key;
	json_t *p;
	int rc = 0;
	json_object_foreach(pkgs, key, p) {
		const char *nm = NULL, *k, *v = bh_json_str(p, "version"), *name = bh_json_str(p, "name");
		uint32_t flags = BH_COMP_LOCKFILE;
		/* links point at workspace folders, which are listed under their own key */
		if (!json_is_object(p) || json_is_true(json_object_get(p, "link")) || !v)
			continue;
		/* the folder name is what follows the last node_modules/ segment of the key */
		for (k = key; (k = strstr(k, "node_modules/")) != NULL; k += 13)
			if (k == key || k[-1] == '/')
				nm = k + 13;
		/* "" (the root project) and workspace folders are the project's own code */
		if (!nm || !*nm)
			continue;
		if (json_is_true(json_object_get(p, "dev")) || json_is_true(json_object_get(p, "devOptional")))
			flags |= BH_COMP_DEV;
		/* "name" is only written when it differs from the folder: an alias (foo -> npm:bar@1) */
		if ((rc = add(out, NULL, name ? name : nm, v, license_of(p, &lb), flags)))
			break;
	}
	bh_buf_free(&lb);
	return rc;
}

/* ---- yarn.lock ---- */

struct yarn_entry {
	const char *spec, *ver, *res;
	size_t sn, vn, rn;
	bool active;
};

/* "name@range" -> name: the '@' that ends the name is the first one after the first character. */
static bool name_of_spec(const char *s, size_t n, const char **name, size_t *nn, const char **rest, size_t *rn)
{
	const char *at = n > 1 ? memchr(s + 1, '@', n - 1) : NULL;
	if (!at)
		return false;
	*name = s;
	*nn = (size_t)(at - s);
	*rest = at + 1;
	*rn = n - *nn - 1;
	return *nn > 0;
}

static bool local_protocol(const char *r, size_t n)
{
	static const char *const protos[] = { "workspace:", "patch:", "link:", "portal:", "file:", "exec:" };
	size_t i;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (bh_mem_startswith(r, n, protos[i]))
			return true;
	return false;
}

static int yarn_flush(struct yarn_entry *e, bh_map *seen, bh_complist *out)
{
	const char *name, *rest;
	size_t nn, rn;
	bool ok;
	if (!e->active || !e->ver || !e->spec)
		return 0;
	e->active = false;
	/* berry: resolution "real@npm:1.2.3" names the package actually installed (aliases too) */
	if (e->res)
		ok = name_of_spec(e->res, e->rn, &name, &nn, &rest, &rn);
	else
		ok = name_of_spec(e->spec, e->sn, &name, &nn, &rest, &rn);
	if (!ok || local_protocol(rest, rn))
		return 0;
	if (!e->res && bh_mem_startswith(rest, rn, "npm:")) {
		/* v1 alias "foo@npm:bar@^1": the version belongs to bar */
		const char *n2, *r2;
		size_t nn2, rn2;
		if (name_of_spec(rest + 4, rn - 4, &n2, &nn2, &r2, &rn2)) {
			name = n2;
			nn = nn2;
		}
	}
	return bh_npm_add(out, seen, name, nn, e->ver, e->vn, NULL, BH_COMP_LOCKFILE);
}

static void unquote(const char **s, size_t *n)
{
	bh_trim(s, n);
	if (*n >= 2 && ((*s)[0] == '"' || (*s)[0] == '\'') && (*s)[*n - 1] == (*s)[0]) {
		(*s)++;
		*n -= 2;
	}
}

/*
 * v1: `"a@^1", a@~1:` headers then `  version "1.2.3"`; berry: `"a@npm:^1, a@npm:~1":` then
 * `  version: 1.2.3` and `  resolution: "a@npm:1.2.3"`. Only fields indented by exactly two
 * spaces belong to the entry (deeper ones are dependency lists).
 */
static int yarn_lock(const char *data, size_t len, bh_complist *out)
{
	struct yarn_entry e;
	bh_map seen;
	bh_lines it;
	const char *line;
	size_t n;
	int rc = 0;

	memset(&e, 0, sizeof(e));
	bh_map_init(&seen, NULL);
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *k, *v;
		size_t kn, vn;
		if (!n || line[0] == '#')
			continue;
		if (line[0] != ' ' && line[0] != '\t') {
			const char *h = line, *comma;
			size_t hn = n;
			if ((rc = yarn_flush(&e, &seen, out)))
				break;
			memset(&e, 0, sizeof(e));
			bh_trim(&h, &hn);
			if (!hn || h[hn - 1] != ':' || bh_mem_startswith(h, hn, "__metadata"))
				continue;
			hn--;
			/* the first of the comma-separated specs, quoted or not */
			if (hn && *h == '"') {
				h++;
				hn--;
			}
			comma = memchr(h, ',', hn);
			if (comma)
				hn = (size_t)(comma - h);
			while (hn && (h[hn - 1] == '"' || h[hn - 1] == ' '))
				hn--;
			e.spec = h;
			e.sn = hn;
			e.active = true;
			continue;
		}
		if (!e.active || n < 3 || line[0] != ' ' || line[1] != ' ' || line[2] == ' ')
			continue;
		k = line + 2;
		for (kn = 0; kn < n - 2 && k[kn] != ' ' && k[kn] != ':'; kn++)
			;
		v = k + kn;
		vn = n - 2 - kn;
		if (vn && *v == ':') {
			v++;
			vn--;
		}
		unquote(&v, &vn);
		if (kn == 7 && !memcmp(k, "version", 7) && !e.ver) {
			e.ver = v;
			e.vn = vn;
		} else if (kn == 10 && !memcmp(k, "resolution", 10) && !e.res) {
			e.res = v;
			e.rn = vn;
		}
	}
	if (!rc)
		rc = yarn_flush(&e, &seen, out);
	bh_map_free(&seen);
	return rc;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len, bl;
	const char *base = bh_path_base(f->path, strlen(f->path), &bl);
	unsigned depth = f->limits && f->limits->max_json_depth ? f->limits->max_json_depth : 64;
	json_t *doc = NULL;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	if (is_base(base, bl, "yarn.lock")) {
		rc = yarn_lock((const char *)data, len, out);
	} else if (is_base(base, bl, "pnpm-lock.yaml")) {
		rc = bh_npm_pnpm_parse((const char *)data, len, depth, out, err);
		if (rc)
			return bh_error_wrap(err, "%s", f->path);
	} else {
		if ((rc = bh_json_load((const char *)data, len, depth, f->path, &doc, err)))
			return rc;
		if (!json_is_object(doc)) {
			json_decref(doc);
			return bh_error_set(err, BH_EINVAL, "%s: not a JSON object", f->path);
		}
		if (is_base(base, bl, "package.json")) {
			/* an installed package: c->path stays NULL, the component lives in this file */
			bh_buf lb = BH_BUF_INIT;
			rc = add(out, NULL, bh_json_str(doc, "name"), bh_json_str(doc, "version"), license_of(doc, &lb), 0);
			bh_buf_free(&lb);
		} else if (json_is_object(json_object_get(doc, "packages"))) {
			rc = lock_v2(json_object_get(doc, "packages"), out);
		} else {
			rc = lock_v1(json_object_get(doc, "dependencies"), out);
		}
		json_decref(doc);
	}
	return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
}

const bh_analyzer bh_analyzer_npm = { "npm", match, analyze, NULL };
