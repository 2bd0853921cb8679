/* npm.c - JavaScript packages: installed node_modules, package-lock v1-v3, yarn.lock v1/berry, pnpm-lock.yaml. */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "pkg/analyzer.h"

#define MAX_LOCK_DEPTH 64

static bool inside_node_modules(const char *path, size_t len)
{
	return memmem(path, len, "node_modules/", 13) != NULL;
}

/* node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json, at any depth. */
static bool installed_manifest(const char *path, size_t len)
{
	const char *nm, *p, *end = path + len - 13;
	size_t slashes = 0;
	if (len < 27 || memcmp(end, "/package.json", 13) != 0)
		return false;
	/* the last "node_modules/" before the file */
	nm = NULL;
	for (p = path; (p = memmem(p, (size_t)(end - p), "node_modules/", 13)) != NULL; p += 13)
		nm = p;
	if (!nm || (nm != path && nm[-1] != '/'))
		return false;
	p = nm + 13;
	if (p >= end)
		return false;
	for (; p < end; p++)
		slashes += *p == '/';
	return (nm[13] == '@' && slashes == 1) || (nm[13] != '@' && slashes == 0);
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	size_t bl;
	const char *b = bh_path_base(path, len, &bl);
	(void)mode; (void)size;
	if (bl == 12 && !memcmp(b, "package.json", 12))
		return installed_manifest(path, len);
	if ((bl == 17 && !memcmp(b, "package-lock.json", 17)) || (bl == 19 && !memcmp(b, "npm-shrinkwrap.json", 19)) ||
	    (bl == 9 && !memcmp(b, "yarn.lock", 9)) || (bl == 14 && !memcmp(b, "pnpm-lock.yaml", 14)))
		return !inside_node_modules(path, len);
	return false;
}

static int add(bh_complist *out, const char *name, size_t nn, const char *ver, size_t vn, const char *lic, uint32_t flags)
{
	bh_component *c;
	if (!nn || !vn)
		return 0;
	c = bh_complist_add(out, BH_ECO_NPM);
	if (!c || bh_component_set(&c->name, name, nn) || bh_component_set(&c->version, ver, vn) ||
	    (lic && bh_component_set(&c->license, lic, (size_t)-1)))
		return BH_ENOMEM;
	c->flags = flags;
	return 0;
}

/* "license": "MIT" | {"type": "MIT"}; legacy "licenses": [{"type": ...}] */
static const char *license_of(json_t *o)
{
	json_t *l = json_object_get(o, "license");
	if (json_is_string(l))
		return json_string_value(l);
	if (json_is_object(l))
		return bh_json_str(l, "type");
	l = json_object_get(o, "licenses");
	if (json_is_array(l)) {
		json_t *first = json_array_get(l, 0);
		return json_is_string(first) ? json_string_value(first) : bh_json_str(first, "type");
	}
	return NULL;
}

static int lock_v1(json_t *deps, unsigned depth, bh_complist *out)
{
	const char *name;
	json_t *d;
	int rc;
	if (depth > MAX_LOCK_DEPTH)
		return BH_ELIMIT;
	json_object_foreach(deps, name, d) {
		const char *v = bh_json_str(d, "version");
		/* "file:" and git URLs are not registry versions */
		if (v && !strchr(v, ':') &&
		    (rc = add(out, name, strlen(name), v, strlen(v), NULL, json_is_true(json_object_get(d, "dev")) ? BH_COMP_DEV : 0)))
			return rc;
		if (json_is_object(json_object_get(d, "dependencies")) &&
		    (rc = lock_v1(json_object_get(d, "dependencies"), depth + 1, out)))
			return rc;
	}
	return 0;
}

static int package_lock(bh_file *f, json_t *doc, bh_complist *out)
{
	json_t *pkgs = json_object_get(doc, "packages"), *p;
	const char *key;
	int rc;
	if (!json_is_object(pkgs))
		return lock_v1(json_object_get(doc, "dependencies"), 0, out);
	json_object_foreach(pkgs, key, p) {
		const char *nm = NULL, *k, *v = bh_json_str(p, "version"), *name = bh_json_str(p, "name");
		uint32_t flags = 0;
		if (!*key || json_is_true(json_object_get(p, "link")) || !v)
			continue;
		/* the name is what follows the last node_modules/ of the key */
		for (k = key; (k = strstr(k, "node_modules/")) != NULL; k += 13)
			nm = k + 13;
		if (!nm && !name)
			continue; /* a workspace folder, not an installed package */
		if (json_is_true(json_object_get(p, "dev")) || json_is_true(json_object_get(p, "devOptional")))
			flags |= BH_COMP_DEV;
		if (nm)
			name = nm;
		if ((rc = add(out, name, strlen(name), v, strlen(v), license_of(p), flags)))
			return rc;
	}
	(void)f;
	return 0;
}

/* `"@a/b@^1", @a/b@~1:` -> "@a/b" (the name ends at the last '@' after the first character). */
static bool spec_name(const char *h, size_t n, const char **name, size_t *nn)
{
	const char *s = h, *e, *at;
	size_t i;
	while (n && (*s == '"' || *s == ' ')) {
		s++;
		n--;
	}
	e = s;
	while ((size_t)(e - s) < n && *e != ',' && *e != '"' && *e != ':')
		e++;
	/* berry: "name@npm:1.2.3" — stop at "@npm:" */
	at = NULL;
	for (i = 1; s + i < e; i++)
		if (s[i] == '@') {
			at = s + i;
			break;
		}
	if (!at) {
		/* the ':' we stopped at may belong to "@npm:" */
		return false;
	}
	*name = s;
	*nn = (size_t)(at - s);
	return true;
}

static int yarn_lock(const char *data, size_t len, bh_complist *out)
{
	bh_lines it;
	const char *line, *name = NULL;
	size_t n, nn = 0;
	bool skip = false;
	int rc;

	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *v;
		size_t vn;
		if (!n || line[0] == '#')
			continue;
		if (line[0] != ' ') {
			/* a new entry header */
			name = NULL;
			skip = bh_mem_startswith(line, n, "__metadata") || memmem(line, n, "@workspace:", 11) ||
			       memmem(line, n, "@patch:", 7) || memmem(line, n, "@link:", 6) || memmem(line, n, "@file:", 6);
			if (!skip && !spec_name(line, n, &name, &nn))
				name = NULL;
			continue;
		}
		if (!name || skip)
			continue;
		v = line;
		vn = n;
		bh_trim(&v, &vn);
		if (bh_mem_startswith(v, vn, "version ") || bh_mem_startswith(v, vn, "version: ")) {
			v += 8;
			vn -= 8;
			if (vn && *v == ' ') {
				v++;
				vn--;
			}
			if (vn && *v == ':') {
				v++;
				vn--;
			}
			bh_trim(&v, &vn);
			if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
				v++;
				vn -= 2;
			}
			if ((rc = add(out, name, nn, v, vn, NULL, 0)))
				return rc;
			name = NULL;
		}
	}
	return 0;
}

/* pnpm-lock.yaml: keys under "packages:" are "/name/1.0.0" (v5), "/name@1.0.0" (v6), "name@1.0.0" (v9). */
static int pnpm_lock(const char *data, size_t len, bh_complist *out)
{
	bh_lines it;
	const char *line;
	size_t n;
	bool in_pkgs = false;
	bh_component *cur = NULL;

	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *k, *at, *ver, *end;
		size_t kn;
		if (!n)
			continue;
		if (line[0] != ' ') {
			in_pkgs = bh_mem_startswith(line, n, "packages:");
			cur = NULL;
			continue;
		}
		if (!in_pkgs)
			continue;
		if (n > 4 && line[2] == ' ' && line[3] == ' ' && cur) {
			k = line;
			kn = n;
			bh_trim(&k, &kn);
			if ((kn == 9 && !memcmp(k, "dev: true", 9)))
				cur->flags |= BH_COMP_DEV;
			continue;
		}
		if (n < 4 || line[2] == ' ')
			continue;
		cur = NULL;
		k = line + 2;
		kn = n - 2;
		if (kn && k[kn - 1] == ':')
			kn--;
		if (kn >= 2 && (k[0] == '\'' || k[0] == '"') && k[kn - 1] == k[0]) {
			k++;
			kn -= 2;
		}
		if (kn && k[0] == '/') {
			k++;
			kn--;
		}
		/*
		 * The name is one segment, or two for "@scope/name"; it ends at '/' (v5) or '@' (v6, v9).
		 * The version ends before a peer suffix: "(react@18.2.0)" or "_react@18.2.0".
		 */
		{
			size_t seg = k[0] == '@' ? 2 : 1, i2 = 0;
			while (i2 < kn && seg) {
				i2++;
				if (i2 < kn && (k[i2] == '/' || (k[i2] == '@' && seg == 1)))
					seg--;
			}
			if (i2 >= kn)
				continue;
			at = k + i2;
			ver = at + 1;
			end = memchr(ver, '(', kn - i2 - 1);
			if (end)
				kn = (size_t)(end - k);
		}
		{
			size_t vn = kn - (size_t)(ver - k);
			const char *us = memchr(ver, '_', vn);
			if (us)
				vn = (size_t)(us - ver);
			if (add(out, k, (size_t)(at - k), ver, vn, NULL, 0))
				return BH_ENOMEM;
			cur = out->n ? out->items[out->n - 1] : NULL;
		}
	}
	return 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len, bl;
	const char *base = bh_path_base(f->path, strlen(f->path), &bl);
	json_t *doc = NULL;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	if (bl == 9 && !memcmp(base, "yarn.lock", 9))
		rc = yarn_lock((const char *)data, len, out);
	else if (bl == 14 && !memcmp(base, "pnpm-lock.yaml", 14))
		rc = pnpm_lock((const char *)data, len, out);
	else {
		rc = bh_json_load((const char *)data, len, f->limits ? f->limits->max_json_depth : 64, f->path, &doc, err);
		if (rc)
			return rc;
		if (bl == 12) {
			const char *name = bh_json_str(doc, "name"), *v = bh_json_str(doc, "version");
			rc = name && v ? add(out, name, strlen(name), v, strlen(v), license_of(doc), 0) : 0;
		} else {
			rc = package_lock(f, doc, out);
		}
		json_decref(doc);
	}
	if (rc == BH_ELIMIT)
		return bh_error_set(err, rc, "%s: dependencies nested deeper than %d", f->path, MAX_LOCK_DEPTH);
	return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
}

const bh_analyzer bh_analyzer_npm = { "npm", match, analyze };
