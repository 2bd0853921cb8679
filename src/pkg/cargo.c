/* cargo.c - Rust crates from Cargo.lock (format v1 to v4), with a small bounded reader of its TOML subset. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"

/*
 * Cargo writes Cargo.lock itself, always in the same shape: "[[package]]" tables of bare
 * `key = "string"` lines plus multi-line `dependencies = [ ... ]` arrays, then "[metadata]" (v1) or
 * "[[patch.unused]]" tables. Only that subset is read here: no general TOML parser is needed and a
 * hostile file cannot make this reader recurse or allocate more than the file's size.
 */

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode; (void)size;
	return bh_path_is(path, len, "Cargo.lock");
}

struct pkg {
	bh_buf name, version, source;
	bool has_name, has_version, has_source, root;
};

static void pkg_reset(struct pkg *p)
{
	bh_buf_reset(&p->name);
	bh_buf_reset(&p->version);
	bh_buf_reset(&p->source);
	p->has_name = p->has_version = p->has_source = p->root = false;
}

static int pkg_emit(const struct pkg *p, bh_complist *out)
{
	bh_component *c;
	if (!p->has_name || !p->has_version || !p->name.len || !p->version.len)
		return 0;
	c = bh_complist_add(out, BH_ECO_CARGO);
	if (!c || bh_component_set(&c->name, p->name.data, p->name.len) ||
	    bh_component_set(&c->version, p->version.data, p->version.len))
		return BH_ENOMEM;
	c->flags |= BH_COMP_LOCKFILE;
	/* no source: a workspace member (or the v1 [root]) built from this tree, not a fetched crate */
	if (!p->has_source || p->root)
		c->flags |= BH_COMP_MAIN;
	return 0;
}

/*
 * TOML string value at s[0..n) into o: basic "..." or literal '...'. Escapes other than \n \t \r
 * yield the escaped character (\uXXXX is not decoded: crate names and versions are ASCII).
 * *ok is false when the value is not a one-line string; returns BH_ENOMEM or 0.
 */
static int toml_string(const char *s, size_t n, bh_buf *o, bool *ok)
{
	size_t i;
	char q;
	*ok = false;
	bh_buf_reset(o);
	if (n < 2 || (s[0] != '"' && s[0] != '\''))
		return 0;
	q = s[0];
	for (i = 1; i < n; i++) {
		char ch = s[i];
		int rc;
		if (ch == q) {
			*ok = true;
			return 0;
		}
		if (ch == '\\' && q == '"' && i + 1 < n) {
			ch = s[++i];
			switch (ch) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			default: break; /* \" \\ and anything else: the character itself */
			}
		}
		if ((rc = bh_buf_putc(o, ch)))
			return rc;
	}
	return 0; /* unterminated */
}

static int parse(const char *data, size_t len, bh_complist *out)
{
	enum { S_NONE, S_PKG } state = S_NONE;
	struct pkg p;
	const char *line;
	size_t n;
	bh_lines it;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *eq, *v;
		size_t kl, vl;
		bh_buf *dst = NULL;
		bool *flag = NULL, ok;
		bh_trim(&line, &n);
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '[' && (n < 2 || line[1] != ' ') && line[n - 1] == ']') {
			/* a table header ends the previous package; array items start with '"' instead */
			if (state == S_PKG && (rc = pkg_emit(&p, out)))
				break;
			pkg_reset(&p);
			if ((n == 11 && memcmp(line, "[[package]]", 11) == 0) || (n == 6 && memcmp(line, "[root]", 6) == 0)) {
				state = S_PKG;
				p.root = line[1] == 'r';
			} else {
				state = S_NONE; /* [metadata], [[patch.unused]]: not part of the build */
			}
			continue;
		}
		if (state != S_PKG)
			continue;
		eq = memchr(line, '=', n);
		if (!eq)
			continue;
		kl = (size_t)(eq - line);
		while (kl && (line[kl - 1] == ' ' || line[kl - 1] == '\t'))
			kl--;
		if (kl == 4 && memcmp(line, "name", 4) == 0) {
			dst = &p.name;
			flag = &p.has_name;
		} else if (kl == 7 && memcmp(line, "version", 7) == 0) {
			dst = &p.version;
			flag = &p.has_version;
		} else if (kl == 6 && memcmp(line, "source", 6) == 0) {
			dst = &p.source;
			flag = &p.has_source;
		} else {
			continue;
		}
		v = eq + 1;
		vl = n - (size_t)(v - line);
		bh_trim(&v, &vl);
		if ((rc = toml_string(v, vl, dst, &ok)))
			break;
		*flag = ok;
	}
	if (rc == 0 && state == S_PKG)
		rc = pkg_emit(&p, out);
	bh_buf_free(&p.name);
	bh_buf_free(&p.version);
	bh_buf_free(&p.source);
	return rc;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	if ((rc = parse((const char *)data, len, out)))
		return bh_error_set(err, rc, "%s: out of memory", f->path);
	return 0;
}

const bh_analyzer bh_analyzer_cargo = { "cargo", match, analyze, NULL };
