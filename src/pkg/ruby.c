/* ruby.c - Ruby gems: installed specifications/NAME.gemspec files and Bundler's Gemfile.lock. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/map.h"
#include "pkg/analyzer.h"

/* "<dir>/specifications/x.gemspec" or "<dir>/specifications/default/x.gemspec" (default gems). */
static bool is_gemspec(const char *path, size_t len)
{
	static const char spec[] = "specifications/", def[] = "specifications/default/";
	size_t bl, dl;
	const char *base = bh_path_base(path, len, &bl);
	if (bl <= 8 || !bh_mem_endswith(base, bl, ".gemspec"))
		return false;
	dl = (size_t)(base - path);
	/* the directory must be exactly ".../specifications/" or ".../specifications/default/" */
	if ((dl == sizeof(spec) - 1 || (dl > sizeof(spec) - 1 && base[-(ptrdiff_t)sizeof(spec)] == '/')) &&
	    bh_mem_endswith(path, dl, spec))
		return true;
	return (dl == sizeof(def) - 1 || (dl > sizeof(def) - 1 && base[-(ptrdiff_t)sizeof(def)] == '/')) &&
	       bh_mem_endswith(path, dl, def);
}

static bool is_lockfile(const char *path, size_t len)
{
	return bh_path_is(path, len, "Gemfile.lock") || bh_path_is(path, len, "gems.locked");
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode; (void)size;
	return is_lockfile(path, len) || is_gemspec(path, len);
}

static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* "  s.<field> = <rest>" for any receiver name; *rest points after "= ". */
static bool gs_assign(const char *line, size_t n, const char *field, const char **rest, size_t *restn)
{
	size_t i = 0, fl = strlen(field), start;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	start = i;
	while (i < n && ident_char(line[i]))
		i++;
	if (i == start || i >= n || line[i] != '.')
		return false;
	i++;
	if (n - i < fl || memcmp(line + i, field, fl) != 0)
		return false;
	i += fl;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= n || line[i] != '=' || (i + 1 < n && (line[i + 1] == '=' || line[i + 1] == '~')))
		return false;
	i++;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*rest = line + i;
	*restn = n - i;
	return true;
}

/* A Ruby string literal at *p ('...' or "..."); sets the raw body and advances past it. */
static bool str_lit(const char **p, const char *end, const char **s, size_t *sn)
{
	const char *q = *p;
	char quote;
	if (q >= end || (*q != '"' && *q != '\''))
		return false;
	quote = *q++;
	*s = q;
	while (q < end && *q != quote) {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= end)
		return false;
	*sn = (size_t)(q - *s);
	*p = q + 1;
	if (end - *p >= 7 && memcmp(*p, ".freeze", 7) == 0)
		*p += 7;
	return true;
}

/* Sets *field from a literal body, resolving backslash escapes (names and versions have none). */
static int set_lit(char **field, const char *s, size_t n)
{
	char *o;
	size_t i, k = 0;
	if (!memchr(s, '\\', n))
		return bh_component_set(field, s, n);
	if (!(o = malloc(n + 1)))
		return BH_ENOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		o[k++] = s[i];
	}
	i = (size_t)bh_component_set(field, o, k);
	free(o);
	return (int)i;
}

static int parse_gemspec(bh_file *f, const char *data, size_t len, bh_complist *out, bh_error *err)
{
	const char *name = NULL, *ver = NULL, *stub = NULL, *line, *rest;
	size_t nn = 0, vn = 0, stubn = 0, n, rn;
	bh_buf lic = BH_BUF_INIT;
	bh_component *c;
	bh_lines it;

	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *p, *end, *s;
		size_t sn;
		if (!stub && bh_mem_startswith(line, n, "# stub: ")) {
			stub = line + 8;
			stubn = n - 8;
			continue;
		}
		if (!name && gs_assign(line, n, "name", &rest, &rn)) {
			p = rest;
			if (str_lit(&p, rest + rn, &s, &sn)) {
				name = s;
				nn = sn;
			}
		} else if (!ver && gs_assign(line, n, "version", &rest, &rn)) {
			p = rest;
			end = rest + rn;
			if (bh_mem_startswith(p, rn, "Gem::Version.new(")) {
				p += 17;
				while (p < end && *p == ' ')
					p++;
			}
			if (str_lit(&p, end, &s, &sn)) {
				ver = s;
				vn = sn;
			}
		} else if (!lic.len && (gs_assign(line, n, "licenses", &rest, &rn) || gs_assign(line, n, "license", &rest, &rn))) {
			/* ["Ruby".freeze, "BSD-2-Clause".freeze]: the author offers a choice */
			p = rest;
			end = rest + rn;
			if (p < end && *p == '[')
				p++;
			for (;;) {
				while (p < end && (*p == ' ' || *p == ','))
					p++;
				if (!str_lit(&p, end, &s, &sn))
					break;
				if (sn && ((lic.len && bh_buf_puts(&lic, " OR ")) || bh_buf_append(&lic, s, sn))) {
					bh_buf_free(&lic);
					return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
				}
			}
		}
	}
	if ((!name || !ver) && stub) {
		/* "# stub: rake 13.0.6 ruby lib" written by RubyGems at install time */
		const char *sp = memchr(stub, ' ', stubn), *sp2;
		if (sp && sp > stub) {
			sp2 = memchr(sp + 1, ' ', stubn - (size_t)(sp + 1 - stub));
			name = stub;
			nn = (size_t)(sp - stub);
			ver = sp + 1;
			vn = sp2 ? (size_t)(sp2 - ver) : stubn - (size_t)(ver - stub);
		}
	}
	if (!name || !nn || !ver || !vn) {
		bh_buf_free(&lic);
		return 0;
	}
	c = bh_complist_add(out, BH_ECO_GEM);
	if (!c || set_lit(&c->name, name, nn) || set_lit(&c->version, ver, vn) ||
	    (lic.len && set_lit(&c->license, lic.data, lic.len))) {
		bh_buf_free(&lic);
		return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	}
	bh_buf_free(&lic);
	return 0;
}

/*
 * Gemfile.lock: sections GEM, GIT and PATH each have "  specs:"; under it "    name (version)"
 * lines are the resolved gems and deeper "      dep (~> 1.0)" lines are their requirements.
 */
static int parse_lockfile(bh_file *f, const char *data, size_t len, bh_complist *out, bh_error *err)
{
	bool in_source = false, in_specs = false;
	const char *line;
	size_t n;
	bh_lines it;
	bh_map seen;
	bh_buf key = BH_BUF_INIT;
	int rc = 0;

	bh_map_init(&seen, NULL);
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *open, *close, *v, *dash;
		size_t vn, nn;
		bh_component *c;
		if (n == 0)
			continue;
		if (line[0] != ' ') {
			in_source = (n == 3 && memcmp(line, "GEM", 3) == 0) || (n == 3 && memcmp(line, "GIT", 3) == 0) ||
				    (n == 4 && memcmp(line, "PATH", 4) == 0);
			in_specs = false;
			continue;
		}
		if (!in_source)
			continue;
		if (n >= 3 && line[2] != ' ') {
			in_specs = n == 8 && memcmp(line, "  specs:", 8) == 0;
			continue;
		}
		if (!in_specs || n < 5 || memcmp(line, "    ", 4) != 0 || line[4] == ' ')
			continue;
		open = memchr(line + 4, '(', n - 4);
		close = open ? memchr(open, ')', n - (size_t)(open - line)) : NULL;
		if (!open || !close || close == open + 1)
			continue;
		nn = (size_t)(open - line - 4);
		while (nn && line[4 + nn - 1] == ' ')
			nn--;
		if (!nn)
			continue;
		v = open + 1;
		vn = (size_t)(close - v);
		/* "1.13.10-x86_64-linux": RubyGems versions never hold '-', so the rest is the platform */
		dash = memchr(v, '-', vn);
		bh_buf_reset(&key);
		if (bh_buf_append(&key, line + 4, nn) || bh_buf_putc(&key, ' ') ||
		    bh_buf_append(&key, v, dash ? (size_t)(dash - v) : vn)) {
			rc = BH_ENOMEM;
			break;
		}
		if (bh_map_get(&seen, key.data))
			continue; /* the same gem locked for several platforms */
		if (bh_map_put(&seen, key.data, (void *)1)) {
			rc = BH_ENOMEM;
			break;
		}
		c = bh_complist_add(out, BH_ECO_GEM);
		if (!c || bh_component_set(&c->name, line + 4, nn) ||
		    bh_component_set(&c->version, v, dash ? (size_t)(dash - v) : vn) ||
		    (dash && dash + 1 < close && bh_component_set(&c->arch, dash + 1, (size_t)(close - dash - 1)))) {
			rc = BH_ENOMEM;
			break;
		}
		c->flags |= BH_COMP_LOCKFILE;
	}
	bh_map_free(&seen);
	bh_buf_free(&key);
	return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	if (is_lockfile(f->path, strlen(f->path)))
		return parse_lockfile(f, (const char *)data, len, out, err);
	return parse_gemspec(f, (const char *)data, len, out, err);
}

const bh_analyzer bh_analyzer_ruby = { "ruby", match, analyze, NULL };
