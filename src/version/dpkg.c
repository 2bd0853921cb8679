/* dpkg.c - Debian version ordering, as dpkg's verrevcmp: epoch, upstream, revision; '~' sorts first. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "version/schemes.h"

static int order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* Compares two ranges (not NUL-terminated inside the version). */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;
		while ((a < ae && !isdigit((unsigned char)*a)) || (b < be && !isdigit((unsigned char)*b))) {
			int ac = a < ae ? order((unsigned char)*a) : 0;
			int bc = b < be ? order((unsigned char)*b) : 0;
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && isdigit((unsigned char)*a))
			return 1;
		if (b < be && isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct dv {
	unsigned long epoch;
	const char *up, *upe, *rev, *reve;
};

static void parse(const char *s, struct dv *v)
{
	const char *colon = strchr(s, ':'), *dash;
	const char *end = s + strlen(s);
	v->epoch = 0;
	if (colon) {
		v->epoch = strtoul(s, NULL, 10);
		s = colon + 1;
	}
	dash = strrchr(s, '-');
	v->up = s;
	if (dash) {
		v->upe = dash;
		v->rev = dash + 1;
		v->reve = end;
	} else {
		v->upe = end;
		v->rev = v->reve = end;
	}
}

int bh_vcmp_dpkg(const char *a, const char *b)
{
	struct dv x, y;
	int r;
	parse(a, &x);
	parse(b, &y);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	r = verrevcmp(x.up, x.upe, y.up, y.upe);
	if (r)
		return r < 0 ? -1 : 1;
	r = verrevcmp(x.rev, x.reve, y.rev, y.reve);
	return r < 0 ? -1 : r > 0;
}
