/* glob.c - doublestar path globs for --skip-dirs/--skip-files, matched without allocation or recursion. */
#include "core/glob.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/*
 * A class at p (just after '['), ending before pe. Sets *end past the closing ']' and returns
 * 1 when c is in it, 0 when not, -1 when the class is malformed (no ']').
 */
static int class_match(const char *p, const char *pe, char c, const char **end)
{
	bool neg = false, hit = false, first = true;
	if (p < pe && (*p == '!' || *p == '^')) {
		neg = true;
		p++;
	}
	while (p < pe && (*p != ']' || first)) {
		char lo = *p, hi;
		first = false;
		if (lo == '\\' && p + 1 < pe)
			lo = *++p;
		p++;
		hi = lo;
		if (p + 1 < pe && *p == '-' && p[1] != ']') {
			hi = *++p;
			if (hi == '\\' && p + 1 < pe)
				hi = *++p;
			p++;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			hit = true;
	}
	if (p >= pe)
		return -1;
	*end = p + 1;
	return hit != neg;
}

/* One path component [n, ne) against one pattern component [p, pe): `*` backtracks to its last use. */
static bool comp_match(const char *p, const char *pe, const char *n, const char *ne)
{
	const char *sp = NULL, *sn = NULL;
	while (n < ne) {
		if (p < pe && *p == '*') {
			while (p < pe && *p == '*')
				p++;
			sp = p;
			sn = n;
			continue;
		}
		if (p < pe) {
			const char *next = p + 1;
			int ok;
			if (*p == '?')
				ok = 1;
			else if (*p == '[')
				ok = class_match(p + 1, pe, *n, &next);
			else if (*p == '\\' && p + 1 < pe)
				ok = p[1] == *n, next = p + 2;
			else
				ok = *p == *n;
			if (ok < 0)
				return false;
			if (ok) {
				p = next;
				n++;
				continue;
			}
		}
		if (!sp)
			return false;
		p = sp;
		n = ++sn;
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/* The component of s starting at s (up to '/' or the end). */
static const char *comp_end(const char *s)
{
	const char *e = strchr(s, '/');
	return e ? e : s + strlen(s);
}

static const char *skip_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return s;
}

/*
 * The same greedy algorithm one level up: a `**` component is the star, every other component a
 * letter compared with comp_match. Remembering only the last `**` is enough, as for `*` in text.
 */
bool bh_glob_match(const char *pat, const char *path)
{
	const char *p = skip_slashes(pat), *n = skip_slashes(path);
	const char *sp = NULL, *sn = NULL;
	for (;;) {
		const char *pe = comp_end(p), *ne = comp_end(n);
		if (*p && pe - p == 2 && p[0] == '*' && p[1] == '*') {
			p = skip_slashes(pe);
			sp = p;
			sn = n;
			continue;
		}
		if (!*n) {
			/* the path is used up: only trailing `**` components may remain */
			while (*p) {
				pe = comp_end(p);
				if (pe - p != 2 || p[0] != '*' || p[1] != '*')
					return false;
				p = skip_slashes(pe);
			}
			return true;
		}
		if (*p && comp_match(p, pe, n, ne)) {
			p = skip_slashes(pe);
			n = skip_slashes(ne);
			continue;
		}
		if (!sp)
			return false;
		/* let the last `**` take one more component */
		if (!*sn)
			return false;
		sn = skip_slashes(comp_end(sn));
		n = sn;
		p = sp;
	}
}

int bh_glob_skip_add(bh_glob_skip *s, bool dirs, const char *csv, bh_error *err)
{
	const char *opt = dirs ? "--skip-dirs" : "--skip-files";
	char ***list = dirs ? &s->dirs : &s->files;
	size_t *n = dirs ? &s->ndirs : &s->nfiles;
	for (;;) {
		size_t len = strcspn(csv, ","), cnt;
		char **grown, *one;
		while (len > 1 && csv[len - 1] == '/')
			len--;
		if (!len)
			return bh_error_set(err, BH_EUSAGE, "%s: empty pattern in \"%s\"", opt, csv);
		if (!bh_size_add(*n, 1, &cnt) || cnt > SIZE_MAX / sizeof(char *) ||
		    !(grown = realloc(*list, cnt * sizeof(char *))))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		*list = grown;
		if (!(one = malloc(len + 1)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		memcpy(one, csv, len);
		one[len] = '\0';
		grown[(*n)++] = one;
		csv += strcspn(csv, ",");
		if (!*csv)
			return 0;
		csv++;
	}
}

bool bh_glob_skip_empty(const bh_glob_skip *s)
{
	return !s || (!s->ndirs && !s->nfiles);
}

/* Lexically cleans the absolute path in (".", "..", "//"), never above "/", into out; false when too long. */
static bool clean_abs(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	const char *p = in;
	while (*p) {
		const char *e;
		size_t n;
		while (*p == '/')
			p++;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			if (o + 1 + n + 1 > outsz)
				return false;
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return true;
}

/* One pattern made relative to the scanned root (see bh_glob_skip_for_root); caller frees. */
static char *for_root(const char *pat, const char *root, const char *cwd)
{
	char joined[8192], abs[8192];
	size_t rl;
	bool cwd_rel = pat[0] == '.' && (pat[1] == '/' || !pat[1] || (pat[1] == '.' && (pat[2] == '/' || !pat[2])));
	if (!root || (pat[0] != '/' && !(cwd_rel && cwd))) {
		/* relative to the root as it stands: "./x" is "x" */
		while (pat[0] == '.' && pat[1] == '/')
			pat += 2;
		while (*pat == '/')
			pat++;
		return bh_strdup(pat);
	}
	if (pat[0] == '/')
		snprintf(joined, sizeof(joined), "%s", pat);
	else if (snprintf(joined, sizeof(joined), "%s/%s", cwd, pat) >= (int)sizeof(joined))
		return bh_strdup(pat);
	if (!clean_abs(joined, abs, sizeof(abs)))
		return bh_strdup(pat);
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl == 1 && root[0] == '/')
		return bh_strdup(abs + 1);
	if (!strncmp(abs, root, rl) && (abs[rl] == '/' || !abs[rl]))
		return bh_strdup(abs[rl] ? abs + rl + 1 : "");
	/* outside the scanned directory: read as relative to its root, as in an image */
	return bh_strdup(abs + 1);
}

int bh_glob_skip_for_root(const bh_glob_skip *in, const char *root, const char *cwd, bh_glob_skip *out, bh_error *err)
{
	size_t i;
	memset(out, 0, sizeof(*out));
	if (bh_glob_skip_empty(in))
		return 0;
	if ((in->ndirs && !(out->dirs = calloc(in->ndirs, sizeof(char *)))) ||
	    (in->nfiles && !(out->files = calloc(in->nfiles, sizeof(char *)))))
		goto oom;
	for (i = 0; i < in->ndirs; i++, out->ndirs++)
		if (!(out->dirs[i] = for_root(in->dirs[i], root, cwd)))
			goto oom;
	for (i = 0; i < in->nfiles; i++, out->nfiles++)
		if (!(out->files[i] = for_root(in->files[i], root, cwd)))
			goto oom;
	return 0;
oom:
	bh_glob_skip_free(out);
	return bh_error_set(err, BH_ENOMEM, "out of memory");
}

static bool any(char *const *pats, size_t n, const char *rel)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (bh_glob_match(pats[i], rel))
			return true;
	return false;
}

bool bh_glob_skip_dir(const bh_glob_skip *s, const char *rel)
{
	return s && s->ndirs && any(s->dirs, s->ndirs, rel);
}

bool bh_glob_skip_file(const bh_glob_skip *s, const char *rel)
{
	return s && s->nfiles && any(s->files, s->nfiles, rel);
}

bool bh_glob_skip_entry(const bh_glob_skip *s, const char *rel, bool is_dir)
{
	char dir[4096];
	size_t i, len;
	if (bh_glob_skip_empty(s))
		return false;
	if (is_dir ? bh_glob_skip_dir(s, rel) : bh_glob_skip_file(s, rel))
		return true;
	if (!s->ndirs)
		return false;
	/* a layer lists files without their directories: every parent is checked */
	len = strlen(rel);
	if (len >= sizeof(dir))
		len = sizeof(dir) - 1;
	memcpy(dir, rel, len);
	dir[len] = '\0';
	for (i = len; i-- > 0;)
		if (dir[i] == '/') {
			dir[i] = '\0';
			if (bh_glob_skip_dir(s, dir))
				return true;
		}
	return false;
}

void bh_glob_skip_free(bh_glob_skip *s)
{
	size_t i;
	for (i = 0; s->dirs && i < s->ndirs; i++)
		free(s->dirs[i]);
	for (i = 0; s->files && i < s->nfiles; i++)
		free(s->files[i]);
	free(s->dirs);
	free(s->files);
	memset(s, 0, sizeof(*s));
}
