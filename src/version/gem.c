/* gem.c - RubyGems version ordering as Gem::Version: numeric and letter segments, a letter makes a
 * prerelease, '-' reads as ".pre.", trailing zeros ignored; and the "~>" bump. */
#include <stdio.h>
#include <string.h>

#include "version/schemes.h"

#define MAXSEG (2 * BH_VERSION_MAX + 2)

struct seg {
	const char *s; /* digits without leading zeros, or letters */
	size_t n;
	bool num;
};

struct gv {
	struct seg g[MAXSEG];
	int n;
};

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Gem::Version.correct?: \s* [0-9]+ (\.[0-9a-zA-Z]+)* (-[0-9A-Za-z-]+ (\.[0-9A-Za-z-]+)*)? \s* */
static bool correct(const char *p, const char *e)
{
	if (p == e)
		return true; /* "" is version "0" */
	if (!bh_v_digit(*p))
		return false;
	while (p < e && bh_v_digit(*p))
		p++;
	while (p < e && *p == '.') {
		const char *q = ++p;
		while (p < e && bh_v_alnum(*p))
			p++;
		if (p == q)
			return false;
	}
	if (p < e && *p == '-') {
		p++;
		for (;;) {
			const char *q = p;
			while (p < e && (bh_v_alnum(*p) || *p == '-'))
				p++;
			if (p == q)
				return false;
			if (p < e && *p == '.')
				p++;
			else
				break;
		}
	}
	return p == e;
}

static void push(struct gv *v, const char *s, size_t n, bool num)
{
	if (num)
		while (n > 1 && *s == '0')
			s++, n--;
	v->g[v->n].s = s;
	v->g[v->n].n = n;
	v->g[v->n].num = num;
	v->n++;
}

static bool is_zero(const struct seg *g) { return g->num && g->n == 1 && g->s[0] == '0'; }

/* _segments, then canonical_segments: trailing zeros dropped from the numeric part and from the
 * part that starts at the first letter segment. */
static int parse(const char *s, struct gv *v)
{
	const char *p = s, *e = s + strlen(s);
	int first_str = -1, i, k;
	struct gv raw;
	while (p < e && is_space(*p))
		p++;
	while (e > p && is_space(e[-1]))
		e--;
	if (!correct(p, e))
		return -1;
	raw.n = 0;
	if (p == e)
		push(&raw, "0", 1, true);
	while (p < e) {
		const char *q = p;
		if (*p == '-') {
			push(&raw, "pre", 3, false);
			p++;
		} else if (bh_v_digit(*p)) {
			while (p < e && bh_v_digit(*p))
				p++;
			push(&raw, q, (size_t)(p - q), true);
		} else if (bh_v_alpha(*p)) {
			while (p < e && bh_v_alpha(*p))
				p++;
			push(&raw, q, (size_t)(p - q), false);
		} else {
			p++;
		}
	}
	for (i = 0; i < raw.n && first_str < 0; i++)
		if (!raw.g[i].num)
			first_str = i;
	if (first_str < 0)
		first_str = raw.n;
	v->n = 0;
	for (k = first_str; k > 0 && is_zero(&raw.g[k - 1]); k--)
		;
	for (i = 0; i < k; i++)
		v->g[v->n++] = raw.g[i];
	for (k = raw.n; k > first_str && is_zero(&raw.g[k - 1]); k--)
		;
	for (i = first_str; i < k; i++)
		v->g[v->n++] = raw.g[i];
	return 0;
}

static int cmp(const struct gv *a, const struct gv *b)
{
	static const struct seg zero = { "0", 1, true };
	int i, n = a->n > b->n ? a->n : b->n;
	for (i = 0; i < n; i++) {
		const struct seg *x = i < a->n ? &a->g[i] : &zero, *y = i < b->n ? &b->g[i] : &zero;
		int r;
		if (x->num != y->num)
			return x->num ? 1 : -1; /* a letter (prerelease) sorts before a number */
		if (x->num) {
			r = bh_v_numcmp(x->s, x->n, y->s, y->n);
		} else {
			r = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
			if (!r)
				r = x->n < y->n ? -1 : x->n > y->n;
		}
		if (r)
			return r < 0 ? -1 : 1;
	}
	return 0;
}

int bh_vcmp_gem(const char *a, const char *b, int *out)
{
	static _Thread_local struct gv x, y;
	if (parse(a, &x))
		return 1;
	if (parse(b, &y))
		return 2;
	*out = cmp(&x, &y);
	return 0;
}

/*
 * Gem::Version#bump for "~> v": the leading numeric segments (up to the first letter or '-'), the
 * last one dropped unless it is the only one, the new last one incremented; written to out.
 * -1 when v does not start with a number or out is too small.
 */
int bh_gem_bump(const char *v, char *out, size_t cap)
{
	const char *p = v;
	const char *seg[MAXSEG];
	size_t len[MAXSEG], used = 0;
	int n = 0, i;
	while (is_space(*p))
		p++;
	while (bh_v_digit(*p) && n < MAXSEG) {
		seg[n] = p;
		while (bh_v_digit(*p))
			p++;
		len[n] = (size_t)(p - seg[n]);
		n++;
		if (*p != '.' || !bh_v_digit(p[1]))
			break;
		p++;
	}
	if (n == 0)
		return -1;
	if (n > 1)
		n--;
	for (i = 0; i < n; i++) {
		int w;
		if (i < n - 1) {
			w = snprintf(out + used, cap - used, "%.*s.", (int)len[i], seg[i]);
		} else {
			/* increment a digit string of any length */
			char num[BH_VERSION_MAX + 2];
			size_t k = len[i], j;
			if (k > BH_VERSION_MAX)
				return -1;
			memcpy(num + 1, seg[i], k);
			num[0] = '0';
			for (j = k; j > 0 && num[j] == '9'; j--)
				num[j] = '0';
			num[j]++;
			w = snprintf(out + used, cap - used, "%.*s", (int)(k + 1 - (num[0] == '0')), num + (num[0] == '0'));
		}
		if (w < 0 || (size_t)w >= cap - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

/* Gem::Version#release: the version without its prerelease part (up to the first letter or '-'). */
int bh_gem_release(const char *v, char *out, size_t cap)
{
	size_t n = 0;
	while (is_space(*v))
		v++;
	while (v[n] && (bh_v_digit(v[n]) || v[n] == '.'))
		n++;
	while (n > 0 && v[n - 1] == '.')
		n--;
	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}
