/* python.c - Python packages: installed METADATA/PKG-INFO, requirements*.txt pins, poetry.lock, Pipfile.lock. */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "pkg/analyzer.h"
#include "pkg/toml.h"

/* Longest name/version/licence kept; longer values are data, not declarations. */
#define MAX_NAME 256
#define MAX_VERSION 128
#define MAX_LICENSE 100

enum kind { K_NONE, K_META, K_REQ, K_POETRY, K_PIPFILE };

static enum kind kind_of(const char *path, size_t len)
{
	size_t bl;
	const char *b = bh_path_base(path, len, &bl);
	/* "x.egg-info" is a directory holding PKG-INFO or, as Debian ships some, the file itself */
	if (bh_mem_endswith(path, len, ".dist-info/METADATA") || bh_mem_endswith(path, len, ".egg-info/PKG-INFO") ||
	    (bl > 9 && bh_mem_endswith(b, bl, ".egg-info")))
		return K_META;
	/* requirements.txt, requirements-dev.txt, requirements_prod.txt ... */
	if (bl >= 16 && !memcmp(b, "requirements", 12) && bh_mem_endswith(b, bl, ".txt"))
		return K_REQ;
	if (bl == 11 && !memcmp(b, "poetry.lock", 11))
		return K_POETRY;
	if (bl == 12 && !memcmp(b, "Pipfile.lock", 12))
		return K_PIPFILE;
	return K_NONE;
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode; (void)size;
	return kind_of(path, len) != K_NONE;
}

/* Valid UTF-8, no control characters, at most max bytes; spaces only when allowed. */
static bool sane(const char *s, size_t n, size_t max, bool spaces)
{
	size_t i = 0;
	if (!n || n > max)
		return false;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f || (c == ' ' && !spaces))
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

/* Appends a component; values that are empty or not plausible are skipped (licence: dropped). */
static int add(bh_complist *out, const char *n, size_t nn, const char *v, size_t vn, const char *lic, size_t ln, uint32_t flags)
{
	bh_component *c;
	if (!n || !v)
		return 0;
	bh_trim(&n, &nn);
	bh_trim(&v, &vn);
	if (!sane(n, nn, MAX_NAME, false) || !sane(v, vn, MAX_VERSION, false))
		return 0;
	if (lic) {
		bh_trim(&lic, &ln);
		if (!sane(lic, ln, 4096, true))
			lic = NULL;
	}
	c = bh_complist_add(out, BH_ECO_PYPI);
	if (!c || bh_component_set(&c->name, n, nn) || bh_component_set(&c->version, v, vn) ||
	    (lic && bh_component_set(&c->license, lic, ln)))
		return BH_ENOMEM;
	c->flags = flags;
	return 0;
}

/* ---- installed metadata (core metadata 1.0 - 2.4, RFC 822 headers) ---- */

struct field {
	const char *v;
	size_t n;
	bool folded; /* had continuation lines */
};

/* "Name: value" with a case-insensitive name; *v is the value after the colon. */
static bool header_is(const char *line, size_t n, const char *h, const char **v, size_t *vn)
{
	size_t hl = strlen(h);
	if (n <= hl || strncasecmp(line, h, hl) != 0 || line[hl] != ':')
		return false;
	*v = line + hl + 1;
	*vn = n - hl - 1;
	bh_trim(v, vn);
	return true;
}

/* "License :: OSI Approved :: MIT License" -> "MIT License" (the last "::" part). */
static void classifier_licence(const char *v, size_t n, const char **out, size_t *on)
{
	const char *p = v + n;
	while (p > v + 1 && !(p[-1] == ':' && p[-2] == ':'))
		p--;
	if (p <= v + 1) {
		*out = NULL;
		return;
	}
	*out = p;
	*on = (size_t)(v + n - p);
	bh_trim(out, on);
	/* "License :: OSI Approved" alone only says a more precise classifier follows */
	if (*on == 12 && !memcmp(*out, "OSI Approved", 12))
		*out = NULL;
}

static int metadata(const char *d, size_t len, bh_complist *out)
{
	struct field name = { 0 }, ver = { 0 }, lic = { 0 }, expr = { 0 }, *last = NULL;
	bh_buf classifiers = BH_BUF_INIT;
	bh_lines it;
	const char *line, *v;
	size_t n, vn;
	int rc = 0;

	bh_lines_init(&it, d, len);
	while (bh_lines_next(&it, &line, &n)) {
		struct field *f = NULL;
		if (!n)
			break; /* the body (description) follows the first blank line */
		if (line[0] == ' ' || line[0] == '\t') {
			/* a continuation: the field is a folded text (a whole licence), not an identifier */
			if (last)
				last->folded = true;
			continue;
		}
		last = NULL;
		if (header_is(line, n, "Name", &v, &vn))
			f = &name;
		else if (header_is(line, n, "Version", &v, &vn))
			f = &ver;
		else if (header_is(line, n, "License-Expression", &v, &vn))
			f = &expr;
		else if (header_is(line, n, "License", &v, &vn))
			f = &lic;
		else if (header_is(line, n, "Classifier", &v, &vn) && bh_mem_startswith(v, vn, "License ::")) {
			const char *c;
			size_t cn = 0;
			classifier_licence(v, vn, &c, &cn);
			/* several licence classifiers: the project may be used under any of them */
			if (c && cn && classifiers.len < 1024 &&
			    ((classifiers.len && bh_buf_puts(&classifiers, " OR ")) || bh_buf_append(&classifiers, c, cn))) {
				rc = BH_ENOMEM;
				goto done;
			}
			continue;
		}
		if (f && !f->v) {
			/* the first occurrence counts (Name and Version must not repeat) */
			f->v = v;
			f->n = vn;
			last = f;
		}
	}
	if (lic.v && (lic.folded || !lic.n || lic.n > MAX_LICENSE || (lic.n == 7 && !memcmp(lic.v, "UNKNOWN", 7))))
		lic.v = NULL; /* "UNKNOWN" and whole licence texts are not declarations */
	if (expr.v && (expr.folded || !expr.n))
		expr.v = NULL;
	if (name.folded || ver.folded)
		goto done;
	if (expr.v)
		rc = add(out, name.v, name.n, ver.v, ver.n, expr.v, expr.n, 0);
	else if (lic.v)
		rc = add(out, name.v, name.n, ver.v, ver.n, lic.v, lic.n, 0);
	else
		rc = add(out, name.v, name.n, ver.v, ver.n, classifiers.data, classifiers.len, 0);
done:
	bh_buf_free(&classifiers);
	return rc;
}

/* ---- requirements*.txt ---- */

static bool pep508_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool version_char(char c)
{
	/* PEP 440 public and local versions: 1.2.3, 1.0rc1, 2!1.0.post1+ubuntu.1 */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == '!' || c == '+';
}

/*
 * One requirement line: only an exact pin "name[extras] == version" names what gets installed.
 * Ranges, "===" arbitrary equality, wildcards ("==1.*"), URLs and options are not versions.
 */
static int requirement(const char *s, size_t n, bh_complist *out)
{
	const char *e, *name = s, *v;
	size_t i = 0, nn, vn;

	if ((e = memchr(s, ';', n)))
		n = (size_t)(e - s); /* environment markers */
	for (i = 0; i < n; i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
			break; /* a comment starts at '#' after whitespace */
	n = i;
	bh_trim(&s, &n);
	if (!n || s[0] == '-' || !pep508_name_char(s[0]))
		return 0;
	for (i = 0; i < n && pep508_name_char(s[i]); i++)
		;
	nn = i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '[') {
		const char *close = memchr(s + i, ']', n - i);
		if (!close)
			return 0;
		i = (size_t)(close - s) + 1;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	if (n - i < 3 || s[i] != '=' || s[i + 1] != '=' || s[i + 2] == '=')
		return 0;
	i += 2;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	v = s + i;
	for (vn = 0; i + vn < n && version_char(v[vn]); vn++)
		;
	i += vn;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	/* anything else after the version ("==1.*", "==1.0,<2", "==1.0 \" hash continuations aside) */
	if (i < n && !(s[i] == '\\' && i + 1 == n) && !bh_mem_startswith(s + i, n - i, "--hash"))
		return 0;
	return add(out, name, nn, v, vn, NULL, 0, BH_COMP_LOCKFILE);
}

static int requirements(const char *d, size_t len, bh_complist *out)
{
	bh_lines it;
	const char *line;
	size_t n;
	bool cont = false;
	int rc;
	bh_lines_init(&it, d, len);
	while (bh_lines_next(&it, &line, &n)) {
		/* a line continued from a previous one ("x==1 \" then "--hash=...") is not a requirement */
		bool was_cont = cont;
		const char *t = line;
		size_t tn = n;
		bh_trim(&t, &tn);
		cont = tn && t[tn - 1] == '\\';
		if (was_cont)
			continue;
		if ((rc = requirement(line, n, out)))
			return rc;
	}
	return 0;
}

/* ---- poetry.lock ---- */

struct poetry_pkg {
	bh_buf name, version;
	bool has_name, has_version, dev, has_groups, main_group;
};

static int poetry_emit(struct poetry_pkg *p, bh_complist *out)
{
	uint32_t flags = BH_COMP_LOCKFILE;
	int rc = 0;
	/* lock 1.x: category = "dev"; lock 2.1 (Poetry 2): groups without "main" */
	if (p->dev || (p->has_groups && !p->main_group))
		flags |= BH_COMP_DEV;
	if (p->has_name && p->has_version)
		rc = add(out, p->name.data, p->name.len, p->version.data, p->version.len, NULL, 0, flags);
	bh_buf_reset(&p->name);
	bh_buf_reset(&p->version);
	p->has_name = p->has_version = p->dev = p->has_groups = p->main_group = false;
	return rc;
}

static int poetry(const char *d, size_t len, unsigned max_depth, bh_complist *out, bh_error *err)
{
	struct poetry_pkg p;
	bh_toml t;
	bh_toml_item it;
	bh_buf g = BH_BUF_INIT;
	bool in_pkg = false;
	int rc;

	memset(&p, 0, sizeof(p));
	bh_toml_init(&t, d, len, max_depth);
	while ((rc = bh_toml_next(&t, &it, err)) > 0) {
		if (it.kind == BH_TOML_ARRAY_TABLE && !strcmp(it.table, "package")) {
			if (in_pkg && (rc = poetry_emit(&p, out)))
				break;
			in_pkg = true;
			continue;
		}
		if (!in_pkg || it.kind != BH_TOML_KEYVAL || strcmp(it.table, "package") != 0)
			continue;
		if ((!strcmp(it.key, "name") || !strcmp(it.key, "version")) && it.type == BH_TOML_STRING) {
			bool is_name = it.key[0] == 'n';
			bh_buf *b = is_name ? &p.name : &p.version;
			bh_buf_reset(b);
			if (bh_buf_append(b, it.str, it.str_len) || bh_buf_puts(b, "")) {
				rc = BH_ENOMEM;
				break;
			}
			if (is_name)
				p.has_name = true;
			else
				p.has_version = true;
		} else if (!strcmp(it.key, "category") && it.type == BH_TOML_STRING) {
			p.dev = !strcmp(it.str, "dev");
		} else if (!strcmp(it.key, "groups") && it.type == BH_TOML_ARRAY) {
			size_t pos = 0;
			p.has_groups = true;
			while ((rc = bh_toml_array_next(&t, &it, &pos, &g, err)) > 0)
				if (!strcmp(g.data, "main"))
					p.main_group = true;
			if (rc < 0)
				break;
		}
	}
	if (rc == 0 && in_pkg)
		rc = poetry_emit(&p, out);
	bh_toml_free(&t);
	bh_buf_free(&g);
	bh_buf_free(&p.name);
	bh_buf_free(&p.version);
	return rc;
}

/* ---- Pipfile.lock ---- */

static int pipfile(json_t *doc, bh_complist *out)
{
	static const char *const sections[] = { "default", "develop" };
	size_t s;
	int rc = 0;
	for (s = 0; s < 2 && !rc; s++) {
		const char *name;
		json_t *p, *sec = json_object_get(doc, sections[s]);
		if (!json_is_object(sec))
			continue;
		json_object_foreach(sec, name, p) {
			const char *v = bh_json_str(p, "version");
			/* editable/path/VCS entries carry no version */
			if (!v || strncmp(v, "==", 2) != 0 || v[2] == '=')
				continue;
			if ((rc = add(out, name, strlen(name), v + 2, strlen(v + 2), NULL, 0, BH_COMP_LOCKFILE | (s ? BH_COMP_DEV : 0))))
				break;
		}
	}
	return rc;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	const char *d;
	size_t len;
	unsigned depth = f->limits && f->limits->max_json_depth ? f->limits->max_json_depth : 64;
	json_t *doc;
	int rc;
	enum kind k = kind_of(f->path, strlen(f->path));

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	d = (const char *)data;
	switch (k) {
	case K_META: rc = metadata(d, len, out); break;
	case K_REQ: rc = requirements(d, len, out); break;
	case K_POETRY:
		rc = poetry(d, len, depth, out, err);
		if (rc && rc != BH_ENOMEM)
			return bh_error_wrap(err, "%s", f->path);
		break;
	case K_PIPFILE:
		if ((rc = bh_json_load(d, len, depth, f->path, &doc, err)))
			return rc;
		rc = pipfile(doc, out);
		json_decref(doc);
		break;
	default: break;
	}
	return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
}

const bh_analyzer bh_analyzer_python = { "python", match, analyze, NULL };
