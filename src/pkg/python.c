/* python.c - Python packages: installed METADATA/PKG-INFO, requirements*.txt pins, poetry.lock, Pipfile.lock. */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "pkg/analyzer.h"

enum kind { K_NONE, K_META, K_REQ, K_POETRY, K_PIPFILE };

static enum kind kind_of(const char *path, size_t len)
{
	size_t bl;
	const char *b = bh_path_base(path, len, &bl);
	if (bh_mem_endswith(path, len, ".dist-info/METADATA") || bh_mem_endswith(path, len, ".egg-info/PKG-INFO") ||
	    bh_mem_endswith(path, len, ".egg-info"))
		return K_META;
	if (bl >= 16 && !memcmp(b, "requirements", 12) && bh_mem_endswith(b, bl, ".txt"))
		return K_REQ;
	if (bl == 16 && !memcmp(b, "requirements.txt", 16))
		return K_REQ;
	if (bl == 11 && !memcmp(b, "poetry.lock", 11))
		return K_POETRY;
	if (bl == 12 && !memcmp(b, "Pipfile.lock", 12))
		return K_PIPFILE;
	return K_NONE;
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode;
	return size < (64u << 20) && kind_of(path, len) != K_NONE;
}

static int add(bh_complist *out, const char *n, size_t nn, const char *v, size_t vn, const char *lic, size_t ln, uint32_t flags)
{
	bh_component *c;
	bh_trim(&n, &nn);
	bh_trim(&v, &vn);
	if (lic)
		bh_trim(&lic, &ln);
	if (!nn || !vn)
		return 0;
	c = bh_complist_add(out, BH_ECO_PYPI);
	if (!c || bh_component_set(&c->name, n, nn) || bh_component_set(&c->version, v, vn) ||
	    (lic && ln && bh_component_set(&c->license, lic, ln)))
		return BH_ENOMEM;
	c->flags = flags;
	return 0;
}

static bool header(const char *line, size_t n, const char *h, const char **v, size_t *vn)
{
	size_t hl = strlen(h);
	if (n < hl || memcmp(line, h, hl) != 0)
		return false;
	*v = line + hl;
	*vn = n - hl;
	return true;
}

/* RFC 822-style headers up to the first blank line (the rest is the description). */
static int metadata(const char *d, size_t len, bh_complist *out)
{
	bh_lines it;
	const char *line, *name = NULL, *ver = NULL, *lic = NULL, *expr = NULL, *cls = NULL;
	size_t n, nn = 0, vn = 0, ln = 0, en = 0, cn = 0;
	bh_lines_init(&it, d, len);
	while (bh_lines_next(&it, &line, &n)) {
		if (!n)
			break;
		if (header(line, n, "Name:", &name, &nn) || header(line, n, "Version:", &ver, &vn) ||
		    header(line, n, "License-Expression:", &expr, &en) || header(line, n, "License:", &lic, &ln))
			continue;
		if (!cls && bh_mem_startswith(line, n, "Classifier: License :: ")) {
			/* "Classifier: License :: OSI Approved :: MIT License" -> "MIT License" */
			const char *p = line + n;
			while (p > line && !(p[-1] == ' ' && p - 2 > line && p[-2] == ':'))
				p--;
			cls = p;
			cn = (size_t)(line + n - p);
		}
	}
	if (lic) {
		const char *t = lic;
		size_t tn = ln;
		bh_trim(&t, &tn);
		/* "UNKNOWN" and whole licence texts are not declarations */
		if (!tn || (tn == 7 && !memcmp(t, "UNKNOWN", 7)) || tn > 100)
			lic = NULL;
	}
	if (expr)
		return add(out, name, nn, ver, vn, expr, en, 0);
	if (lic)
		return add(out, name, nn, ver, vn, lic, ln, 0);
	return add(out, name, nn, ver, vn, cls, cn, 0);
}

/* Only exact pins ("name==1.2.3", extras and markers dropped) name an installed version. */
static int requirements(const char *d, size_t len, bh_complist *out)
{
	bh_lines it;
	const char *line;
	size_t n;
	int rc;
	bh_lines_init(&it, d, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *eq, *name = line, *v, *e;
		size_t nn;
		bh_trim(&name, &n);
		if (!n || name[0] == '#' || name[0] == '-')
			continue;
		e = memchr(name, '#', n);
		if (e)
			n = (size_t)(e - name);
		e = memchr(name, ';', n);
		if (e)
			n = (size_t)(e - name);
		eq = memmem(name, n, "==", 2);
		if (!eq || (eq + 2 < name + n && eq[2] == '='))
			continue;
		nn = (size_t)(eq - name);
		e = memchr(name, '[', nn);
		if (e)
			nn = (size_t)(e - name);
		v = eq + 2;
		e = name + n;
		{
			size_t vn = (size_t)(e - v);
			const char *sp = memchr(v, ' ', vn);
			if (sp)
				vn = (size_t)(sp - v);
			if (memchr(v, '*', vn))
				continue;
			if ((rc = add(out, name, nn, v, vn, NULL, 0, BH_COMP_LOCKFILE)))
				return rc;
		}
	}
	return 0;
}

static bool toml_str(const char *line, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t kl = strlen(key);
	const char *p, *q;
	if (n <= kl || memcmp(line, key, kl) != 0)
		return false;
	p = line + kl;
	while (p < line + n && *p == ' ')
		p++;
	if (p >= line + n || *p != '=')
		return false;
	p++;
	while (p < line + n && *p == ' ')
		p++;
	if (p >= line + n || *p != '"')
		return false;
	q = memchr(p + 1, '"', (size_t)(line + n - p - 1));
	if (!q)
		return false;
	*v = p + 1;
	*vn = (size_t)(q - p - 1);
	return true;
}

/* poetry.lock: [[package]] tables with name/version/category (old) or groups. */
static int poetry(const char *d, size_t len, bh_complist *out)
{
	bh_lines it;
	const char *line, *name = NULL, *ver = NULL, *cat = NULL;
	size_t n, nn = 0, vn = 0, cn = 0;
	bool in_pkg = false;
	int rc;
	bh_lines_init(&it, d, len);
	for (;;) {
		bool more = bh_lines_next(&it, &line, &n);
		if (!more || (n && line[0] == '[')) {
			if (in_pkg && name && ver &&
			    (rc = add(out, name, nn, ver, vn, NULL, 0, BH_COMP_LOCKFILE | (cat && cn == 3 && !memcmp(cat, "dev", 3) ? BH_COMP_DEV : 0))))
				return rc;
			if (!more)
				break;
			in_pkg = n == 11 && !memcmp(line, "[[package]]", 11);
			name = ver = cat = NULL;
			continue;
		}
		if (!in_pkg)
			continue;
		if (!name && toml_str(line, n, "name", &name, &nn))
			continue;
		if (!ver && toml_str(line, n, "version", &ver, &vn))
			continue;
		toml_str(line, n, "category", &cat, &cn);
	}
	return 0;
}

static int pipfile(const char *d, size_t len, unsigned depth, bh_complist *out, bh_error *err, const char *path)
{
	static const char *const sections[] = { "default", "develop" };
	json_t *doc;
	size_t s;
	int rc = bh_json_load(d, len, depth, path, &doc, err);
	if (rc)
		return rc;
	for (s = 0; s < 2 && !rc; s++) {
		const char *name;
		json_t *p;
		json_object_foreach(json_object_get(doc, sections[s]), name, p) {
			const char *v = bh_json_str(p, "version");
			if (!v || strncmp(v, "==", 2) != 0)
				continue;
			if ((rc = add(out, name, strlen(name), v + 2, strlen(v + 2), NULL, 0, BH_COMP_LOCKFILE | (s ? BH_COMP_DEV : 0))))
				break;
		}
	}
	json_decref(doc);
	return rc ? bh_error_set(err, rc, "%s: out of memory", path) : 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len;
	int rc;
	enum kind k = kind_of(f->path, strlen(f->path));

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	switch (k) {
	case K_META: rc = metadata((const char *)data, len, out); break;
	case K_REQ: rc = requirements((const char *)data, len, out); break;
	case K_POETRY: rc = poetry((const char *)data, len, out); break;
	case K_PIPFILE:
		return pipfile((const char *)data, len, f->limits ? f->limits->max_json_depth : 64, out, err, f->path);
	default: break;
	}
	return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
}

const bh_analyzer bh_analyzer_python = { "python", match, analyze };
