/* rpm.c - rpm's version ordering: rpmvercmp on epoch, version and release ('~' and '^' included). */
#include <string.h>

#include "version/schemes.h"

/*
 * rpmvercmp (rpm 4.18 rpmio/rpmvercmp.c) on ranges: separators are skipped, '~' sorts before
 * anything (even the end), '^' after the end but before anything else, then alpha or numeric
 * segments compare in turn and a numeric segment beats an alpha one.
 */
static int vercmp(const char *a, const char *ae, const char *b, const char *be)
{
	if (ae - a == be - b && !memcmp(a, b, (size_t)(ae - a)))
		return 0;
	while (a < ae || b < be) {
		const char *sa, *sb;
		bool isnum;
		int r;
		while (a < ae && !bh_v_alnum(*a) && *a != '~' && *a != '^')
			a++;
		while (b < be && !bh_v_alnum(*b) && *b != '~' && *b != '^')
			b++;
		if ((a < ae && *a == '~') || (b < be && *b == '~')) {
			if (a == ae || *a != '~')
				return 1;
			if (b == be || *b != '~')
				return -1;
			a++;
			b++;
			continue;
		}
		if ((a < ae && *a == '^') || (b < be && *b == '^')) {
			if (a == ae)
				return -1;
			if (b == be)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++;
			b++;
			continue;
		}
		if (a == ae || b == be)
			break;
		sa = a;
		sb = b;
		isnum = bh_v_digit(*a);
		if (isnum) {
			while (a < ae && bh_v_digit(*a))
				a++;
			while (b < be && bh_v_digit(*b))
				b++;
		} else {
			while (a < ae && bh_v_alpha(*a))
				a++;
			while (b < be && bh_v_alpha(*b))
				b++;
		}
		if (sb == b)
			return isnum ? 1 : -1;
		if (isnum) {
			r = bh_v_numcmp(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
		} else {
			size_t la = (size_t)(a - sa), lb = (size_t)(b - sb);
			r = memcmp(sa, sb, la < lb ? la : lb);
			if (!r)
				r = la < lb ? -1 : la > lb;
		}
		if (r)
			return r < 0 ? -1 : 1;
	}
	if (a == ae && b == be)
		return 0;
	return a == ae ? -1 : 1;
}

struct evr {
	const char *e, *ee, *v, *ve, *r, *re; /* epoch NULL when absent; release NULL when absent */
};

/* rpm's parseEVR: leading digits then ':' are the epoch, the last '-' starts the release. */
static void parse(const char *s, struct evr *x)
{
	const char *p = s, *end = s + strlen(s), *dash = NULL, *q;
	while (bh_v_digit(*p))
		p++;
	for (q = p; q < end; q++)
		if (*q == '-')
			dash = q;
	x->e = x->ee = NULL;
	if (*p == ':') {
		x->e = s;
		x->ee = p;
		s = p + 1;
	}
	x->v = s;
	x->ve = dash ? dash : end;
	x->r = dash ? dash + 1 : NULL;
	x->re = end;
}

/* rpmverCmp: an absent epoch is "0"; the releases are compared only when both sides have one. */
int bh_vcmp_rpm(const char *a, const char *b, int *out)
{
	static const char zero[] = "0";
	struct evr x, y;
	int r;
	if (!*a)
		return 1;
	if (!*b)
		return 2;
	parse(a, &x);
	parse(b, &y);
	if (!x.e || x.e == x.ee) {
		x.e = zero;
		x.ee = zero + 1;
	}
	if (!y.e || y.e == y.ee) {
		y.e = zero;
		y.ee = zero + 1;
	}
	r = vercmp(x.e, x.ee, y.e, y.ee);
	if (!r)
		r = vercmp(x.v, x.ve, y.v, y.ve);
	if (!r && x.r && y.r)
		r = vercmp(x.r, x.re, y.r, y.re);
	*out = r;
	return 0;
}
