/* gobinary.c - Go module build info, as Go's debug/buildinfo reads it, turned into components. */
#include "pkg/gobinary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

static const char magic[] = "\xff Go buildinf:";

/* uvarint as encoding/binary writes it; bounded to 10 bytes. */
static int uvarint(const unsigned char *p, size_t len, uint64_t *v, size_t *used)
{
	uint64_t x = 0;
	unsigned s = 0;
	size_t i;
	for (i = 0; i < len && i < 10; i++) {
		unsigned char b = p[i];
		if (b < 0x80) {
			*v = x | (uint64_t)b << s;
			*used = i + 1;
			return 0;
		}
		x |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	}
	return BH_EINVAL;
}

/*
 * "go1.21.5" -> "v1.21.5", "go1.21.5 X:boringcrypto" -> "v1.21.5"; vendor toolchains keep their
 * suffix ("go1.25-20250209-RC00 cl/7249" -> "v1.25-20250209-RC00 cl/7249"), as Trivy reports them.
 * NULL for devel builds.
 */
static char *stdlib_version(const char *gov)
{
	size_t n;
	const char *x;
	bh_buf b = BH_BUF_INIT;
	if (!gov || strncmp(gov, "go", 2) != 0 || gov[2] < '0' || gov[2] > '9')
		return NULL;
	x = strstr(gov, " X:");
	n = x ? (size_t)(x - gov - 2) : strlen(gov + 2);
	if (bh_buf_putc(&b, 'v') || bh_buf_append(&b, gov + 2, n)) {
		bh_buf_free(&b);
		return NULL;
	}
	return bh_buf_steal(&b);
}

static int add_module(bh_complist *out, const char *path, size_t pn, const char *ver, size_t vn, uint32_t flags,
		      const char *gov)
{
	bh_component *c = bh_complist_add(out, BH_ECO_GO);
	if (!c)
		return BH_ENOMEM;
	c->flags = flags;
	if (bh_component_set(&c->name, path, pn))
		return BH_ENOMEM;
	/* "(devel)" is what the go command writes for an unversioned main module. */
	if (vn && !(vn == 7 && memcmp(ver, "(devel)", 7) == 0) && bh_component_set(&c->version, ver, vn))
		return BH_ENOMEM;
	if (gov && bh_component_prop(c, "go.version", gov))
		return BH_ENOMEM;
	return 0;
}

/* A replacement that is a directory, as the go command tells them apart (modfile.IsDirectoryPath):
 * "./x", "../x", "/x", also Windows ".\\x", "..\\x", "C:\\x" and "\\\\host". */
static bool local_path(const char *p, size_t n)
{
	if ((n >= 1 && (p[0] == '/' || p[0] == '\\')) || (n >= 2 && p[0] == '.' && (p[1] == '/' || p[1] == '\\')) ||
	    (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
	    (n >= 3 && p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\\')))
		return true;
	return n >= 3 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
	       (p[2] == '\\' || p[2] == '/');
}

/* Splits a tab-separated field; returns its length and advances *p. */
static size_t field(const char **p, const char *end)
{
	const char *s = *p, *t = s;
	while (t < end && *t != '\t')
		t++;
	*p = t < end ? t + 1 : end;
	return (size_t)(t - s);
}

/* A version-like "-X pkg.version=1.2.3" in -ldflags: what release tooling stamps into binaries. */
static int ldflags_version(const char *flags, size_t n, const char **val, size_t *vn)
{
	const char *p = flags, *end = flags + n;
	bool next_is_x = false;
	while (p < end) {
		const char *tok, *eq, *k;
		size_t tn, kn;
		char quote = 0;
		while (p < end && *p == ' ')
			p++;
		if (p < end && (*p == '\'' || *p == '"'))
			quote = *p++;
		tok = p;
		while (p < end && (quote ? *p != quote : *p != ' '))
			p++;
		tn = (size_t)(p - tok);
		if (quote && p < end)
			p++;
		if (tn == 2 && !memcmp(tok, "-X", 2)) {
			next_is_x = true;
			continue;
		}
		if (tn > 3 && !memcmp(tok, "-X=", 3)) {
			tok += 3;
			tn -= 3;
			next_is_x = true;
		}
		if (!next_is_x)
			continue;
		next_is_x = false;
		eq = memchr(tok, '=', tn);
		if (!eq)
			continue;
		k = tok;
		kn = (size_t)(eq - tok);
		if ((kn >= 8 && !strncasecmp(k + kn - 8, ".version", 8)) || (kn >= 4 && !strncasecmp(k + kn - 4, ".ver", 4))) {
			const char *v = eq + 1;
			size_t l = tn - kn - 1;
			if (l && !memchr(v, ' ', l) && v[0] != '$') {
				*val = v;
				*vn = l;
				return 1;
			}
		}
	}
	return 0;
}

/* v0.0.0-20250422202024-9eeb4a7a08b6, v1.2.4-0.2019…-abc, or anything "+dirty": not a release. */
static bool pseudo_version(const char *v)
{
	size_t n = strlen(v), i, digits = 0;
	const char *dash;
	if (bh_str_endswith(v, "+dirty"))
		return true;
	dash = strrchr(v, '-');
	if (!dash || n - (size_t)(dash - v) != 13)
		return false;
	/* the part before the hash ends in a 14-digit timestamp */
	for (i = (size_t)(dash - v); i-- > 0 && v[i] >= '0' && v[i] <= '9';)
		digits++;
	return digits == 14;
}

int bh_gobinary_modinfo(const char *modinfo, size_t len, const char *gov, bh_complist *out)
{
	bh_component *mainmod = NULL;
	bh_buf ldflags = BH_BUF_INIT;
	bh_lines it;
	const char *line;
	size_t n;
	bh_component *last = NULL;
	char *sv;
	int rc;

	bh_lines_init(&it, modinfo, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *p = line, *end = line + n, *path, *ver;
		size_t kn = field(&p, end), pn, vn;
		bool is_mod = kn == 3 && !memcmp(line, "mod", 3), is_dep = kn == 3 && !memcmp(line, "dep", 3);
		bool is_repl = kn == 2 && !memcmp(line, "=>", 2);
		if (kn == 5 && !memcmp(line, "build", 5) && bh_mem_startswith(p, (size_t)(end - p), "-ldflags=")) {
			const char *v = p + 9;
			size_t vl = (size_t)(end - v), i;
			bh_buf_reset(&ldflags);
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				/* strconv.Quote'd by the go command when it holds spaces or quotes */
				for (i = 1; i + 1 < vl; i++) {
					if (v[i] == '\\' && i + 2 < vl)
						i++;
					if (bh_buf_putc(&ldflags, v[i]))
						goto nomem;
				}
			} else if (bh_buf_append(&ldflags, v, vl)) {
				goto nomem;
			}
			continue;
		}
		if (!is_mod && !is_dep && !is_repl)
			continue;
		path = p;
		pn = field(&p, end);
		ver = p;
		vn = field(&p, end);
		if (!pn)
			continue;
		if (is_repl) {
			if (!last)
				continue;
			if (local_path(path, pn)) {
				/*
				 * "=> ../lib (devel)": a directory on the build machine, which has no module
				 * identity of its own; the module as required (path, version) stays what is
				 * reported, with the directory noted.
				 */
				char *dir = bh_strndup(path, pn);
				rc = !dir || bh_component_prop(last, "go.replaced", "true") || bh_component_prop(last, "go.replace.dir", dir);
				free(dir);
				if (rc)
					goto nomem;
				continue;
			}
			/* A module replacement (a fork at a version) is what was built: report it instead. */
			if (bh_component_set(&last->name, path, pn) ||
			    (vn ? bh_component_set(&last->version, ver, vn) : 0) ||
			    bh_component_prop(last, "go.replaced", "true"))
				goto nomem;
			continue;
		}
		if (add_module(out, path, pn, ver, vn, is_mod ? BH_COMP_MAIN : 0, gov))
			goto nomem;
		last = out->items[out->n - 1];
		if (is_mod)
			mainmod = last;
	}
	/* Release tooling stamps the real version with -X when the module version says nothing. */
	if (mainmod && ldflags.len && (!mainmod->version || pseudo_version(mainmod->version))) {
		const char *lv;
		size_t lvn;
		if (ldflags_version(ldflags.data, ldflags.len, &lv, &lvn) && bh_component_set(&mainmod->version, lv, lvn))
			goto nomem;
	}
	bh_buf_free(&ldflags);
	sv = stdlib_version(gov);
	if (sv) {
		rc = add_module(out, "stdlib", 6, sv, strlen(sv), 0, gov);
		free(sv);
		if (rc)
			return rc;
	}
	return 0;
nomem:
	bh_buf_free(&ldflags);
	return BH_ENOMEM;
}

static uint64_t rd(const unsigned char *p, unsigned sz, bool be)
{
	uint64_t v = 0;
	unsigned i;
	for (i = 0; i < sz; i++)
		v |= (uint64_t)p[be ? sz - 1 - i : i] << (8 * i);
	return v;
}

/* Old format: a pointer to a Go string header {ptr, len} for version and for modinfo. */
static int read_gostring(bh_go_resolve resolve, void *ctx, uint64_t addr, unsigned ps, bool be, char **out)
{
	unsigned char hdr[16];
	uint64_t ptr, n;
	*out = NULL;
	if (resolve(ctx, addr, 2 * ps, hdr))
		return BH_EINVAL;
	ptr = rd(hdr, ps, be);
	n = rd(hdr + ps, ps, be);
	if (n > (1u << 20))
		return BH_EINVAL;
	*out = malloc(n + 1);
	if (!*out)
		return BH_ENOMEM;
	if (n && resolve(ctx, ptr, n, (unsigned char *)*out)) {
		free(*out);
		*out = NULL;
		return BH_EINVAL;
	}
	(*out)[n] = '\0';
	return 0;
}

int bh_gobinary_parse(const unsigned char *d, size_t len, bh_go_resolve resolve, void *ctx, bh_complist *out,
		      bh_error *err)
{
	char *ver = NULL, *mod = NULL;
	size_t modlen;
	int rc = 0;

	if (len < 32 || memcmp(d, magic, 14) != 0)
		return bh_error_set(err, BH_EINVAL, "no Go build info header");
	if (d[15] & 2) {
		uint64_t n;
		size_t used, off = 32;
		if (uvarint(d + off, len - off, &n, &used) || n > len - off - used)
			return bh_error_set(err, BH_EINVAL, "Go build info: bad version length");
		ver = bh_strndup((const char *)d + off + used, (size_t)n);
		off += used + (size_t)n;
		if (uvarint(d + off, len - off, &n, &used) || n > len - off - used) {
			free(ver);
			return bh_error_set(err, BH_EINVAL, "Go build info: bad module info length");
		}
		mod = bh_strndup((const char *)d + off + used, (size_t)n);
		if (!ver || !mod)
			rc = BH_ENOMEM;
	} else {
		unsigned ps = d[14];
		bool be = (d[15] & 1) != 0;
		if (ps != 4 && ps != 8)
			return bh_error_set(err, BH_EINVAL, "Go build info: pointer size %u", ps);
		if (!resolve)
			return bh_error_set(err, BH_EUNSUPPORTED, "Go build info in the pre-1.18 format needs random access (not read from a layer stream)");
		if ((rc = read_gostring(resolve, ctx, rd(d + 16, ps, be), ps, be, &ver)) ||
		    (rc = read_gostring(resolve, ctx, rd(d + 16 + ps, ps, be), ps, be, &mod))) {
			free(ver);
			free(mod);
			return rc == BH_ENOMEM ? bh_error_set(err, rc, "out of memory")
					       : bh_error_set(err, rc, "Go build info: string outside the file");
		}
	}
	if (rc)
		goto out;
	/* Go 1.18+ wraps modinfo in 16-byte sentinels. */
	modlen = strlen(mod);
	if (modlen >= 33 && mod[modlen - 17] == '\n') {
		memmove(mod, mod + 16, modlen - 32);
		mod[modlen - 32] = '\0';
		modlen -= 32;
	}
	if (!ver[0] && !modlen)
		goto out; /* not a module build (or stripped info): nothing to report */
	rc = bh_gobinary_modinfo(mod, modlen, ver[0] ? ver : NULL, out);
out:
	free(ver);
	free(mod);
	return rc ? bh_error_set(err, rc, "out of memory") : 0;
}
