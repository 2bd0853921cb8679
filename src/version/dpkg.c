/* dpkg.c - Debian version ordering exactly as dpkg: parseversion's checks, then verrevcmp. */
#include <limits.h>
#include <string.h>

#include "version/schemes.h"

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/*
 * dpkg's weight of one character: digits 0 (they are compared as numbers elsewhere), letters by
 * value, '~' before everything including the end, every other character after all letters.
 * dpkg does this on a plain (signed) char, so bytes >= 0x80 weigh c + 256 with c negative; mimic it.
 */
static int order(int c)
{
	if (bh_v_digit(c))
		return 0;
	if (bh_v_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int ch(const char *p, const char *e) { return p < e ? (int)(signed char)*p : 0; }

/* verrevcmp on ranges [a,ae) and [b,be): alternating non-digit and digit runs. */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;
		while ((a < ae && !bh_v_digit(*a)) || (b < be && !bh_v_digit(*b))) {
			int ac = order(ch(a, ae)), bc = order(ch(b, be));
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && bh_v_digit(*a) && bh_v_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && bh_v_digit(*a))
			return 1;
		if (b < be && bh_v_digit(*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct dv {
	bool blank;
	long epoch;
	const char *up, *upe, *rev, *reve;
};

/*
 * dpkg's parseversion: the hard errors (empty, embedded space, bad epoch, nothing after the colon,
 * empty revision) reject the version; its warnings (no leading digit, odd characters) do not,
 * because `dpkg --compare-versions` goes on comparing after them. "" and "<unknown>" are dpkg's
 * blank version, which sorts before everything.
 */
static int parse(const char *s, struct dv *v)
{
	const char *end, *p, *colon, *dash;
	memset(v, 0, sizeof(*v));
	if (!*s || !strcmp(s, "<unknown>")) {
		v->up = v->upe = v->rev = v->reve = s;
		v->blank = true;
		return 0;
	}
	while (is_space(*s))
		s++;
	for (end = s; *end && !is_space(*end); end++)
		;
	for (p = end; *p && is_space(*p); p++)
		;
	if (*p || end == s)
		return -1;
	colon = memchr(s, ':', (size_t)(end - s));
	if (colon) {
		/* strtol semantics: optional sign, then digits up to the colon, at most INT_MAX */
		long e = 0;
		bool neg = false;
		p = s;
		if (*p == '+' || *p == '-')
			neg = *p++ == '-';
		if (p == colon)
			return -1;
		for (; p < colon; p++) {
			if (!bh_v_digit(*p))
				return -1;
			e = e * 10 + (*p - '0');
			if (e > INT_MAX)
				return -1;
		}
		if (neg && e > 0)
			return -1;
		if (colon + 1 == end)
			return -1;
		v->epoch = e;
		s = colon + 1;
	}
	v->up = s;
	v->upe = end;
	v->rev = v->reve = end;
	for (dash = NULL, p = s; p < end; p++)
		if (*p == '-')
			dash = p;
	if (dash) {
		if (dash + 1 == end)
			return -1;
		v->upe = dash;
		v->rev = dash + 1;
	}
	if (v->up == v->upe)
		return -1;
	return 0;
}

int bh_vcmp_dpkg(const char *a, const char *b, int *out)
{
	struct dv x, y;
	int r;
	if (parse(a, &x))
		return 1;
	if (parse(b, &y))
		return 2;
	if (x.blank || y.blank) { /* dpkg: a blank version is below every informative one */
		*out = x.blank && y.blank ? 0 : x.blank ? -1 : 1;
		return 0;
	}
	if (x.epoch != y.epoch) {
		*out = x.epoch < y.epoch ? -1 : 1;
		return 0;
	}
	r = verrevcmp(x.up, x.upe, y.up, y.upe);
	if (!r)
		r = verrevcmp(x.rev, x.reve, y.rev, y.reve);
	*out = bh_v_sign(r);
	return 0;
}
