/* semver.c - SemVer 2.0 ordering (npm, Go incl. pseudo-versions, Cargo, Composer) and requirement
 * lists: Cargo/npm comparators, caret/tilde/x-ranges, hyphen ranges, "||", PEP 440 specifiers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version/schemes.h"

struct sv {
	unsigned long long n[3];
	int parts;          /* how many numbers were written (1..3), for partial requirements */
	char pre[128];      /* prerelease, "" if none */
};

/* Loose: leading "v" or "=", missing minor/patch are 0, "+build" ignored, 4th numbers folded into pre. */
static int parse(const char *s, struct sv *v)
{
	int i;
	memset(v, 0, sizeof(*v));
	while (*s == ' ' || *s == '=' || *s == 'v' || *s == 'V')
		s++;
	for (i = 0; i < 3; i++) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return i == 0 ? -1 : 0;
		v->n[i] = strtoull(s, &end, 10);
		s = end;
		v->parts = i + 1;
		if (*s != '.')
			break;
		if (i < 2)
			s++;
	}
	if (*s == '-' || (*s == '.' && v->parts == 3)) {
		size_t n = strcspn(s + 1, "+ ");
		if (n >= sizeof(v->pre))
			n = sizeof(v->pre) - 1;
		memcpy(v->pre, s + 1, n);
		v->pre[n] = '\0';
		s += 1 + n;
	} else if (isalpha((unsigned char)*s)) {
		/* "1.0rc1" style, seen in loose ecosystems */
		size_t n = strcspn(s, "+ ");
		if (n >= sizeof(v->pre))
			n = sizeof(v->pre) - 1;
		memcpy(v->pre, s, n);
		v->pre[n] = '\0';
		s += n;
	}
	if (*s == '+')
		s += strcspn(s, " ");
	return *s && *s != ' ' ? -1 : 0;
}

static int cmp_ident(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i;
	bool na = la > 0, nb = lb > 0;
	for (i = 0; i < la; i++)
		na = na && isdigit((unsigned char)a[i]);
	for (i = 0; i < lb; i++)
		nb = nb && isdigit((unsigned char)b[i]);
	if (na && nb) {
		while (la > 1 && *a == '0') { a++; la--; }
		while (lb > 1 && *b == '0') { b++; lb--; }
		if (la != lb)
			return la < lb ? -1 : 1;
		return memcmp(a, b, la) < 0 ? -1 : memcmp(a, b, la) > 0;
	}
	if (na != nb)
		return na ? -1 : 1; /* numeric identifiers sort first */
	{
		size_t n = la < lb ? la : lb;
		int r = memcmp(a, b, n);
		if (r)
			return r < 0 ? -1 : 1;
		return la < lb ? -1 : la > lb;
	}
}

static int cmp_pre(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a && !*b ? 0 : (!*a ? 1 : -1); /* a release sorts after its prereleases */
	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		int r = cmp_ident(a, la, b, lb);
		if (r)
			return r;
		a += la;
		b += lb;
		if (!*a || !*b)
			return !*a && !*b ? 0 : (!*a ? -1 : 1);
		a++;
		b++;
	}
}

static int cmp(const struct sv *a, const struct sv *b)
{
	int i;
	for (i = 0; i < 3; i++)
		if (a->n[i] != b->n[i])
			return a->n[i] < b->n[i] ? -1 : 1;
	return cmp_pre(a->pre, b->pre);
}

int bh_vcmp_semver(const char *a, const char *b, int *out)
{
	struct sv x, y;
	if (parse(a, &x) || parse(b, &y))
		return -1;
	*out = cmp(&x, &y);
	return 0;
}

/* One comparator "op version" against v; x-ranges and partial versions widen as npm/Cargo do. */
static int comparator(bh_ecosystem eco, const struct sv *v, const char *c, bool *ok, bool *pre_ok)
{
	char op[3] = "";
	struct sv r, hi;
	size_t n = 0;
	bool wild = false;
	int k;

	while (*c == ' ')
		c++;
	while (n < 2 && strchr("<>=^~!", *c))
		op[n++] = *c++;
	op[n] = '\0';
	while (*c == ' ')
		c++;
	if (!*c || *c == '*' || *c == 'x' || *c == 'X') {
		*ok = true;
		return 0;
	}
	{
		/* "1.2.x" / "1.2.*" -> partial version */
		char tmp[1100];
		char *p;
		snprintf(tmp, sizeof(tmp), "%s", c);
		for (p = tmp; *p; p++)
			if ((*p == 'x' || *p == 'X' || *p == '*') && p > tmp && p[-1] == '.') {
				p[-1] = '\0';
				wild = true;
				break;
			}
		if (parse(tmp, &r))
			return -1;
	}
	/* Cargo's bare version means caret; npm's means exact; a partial or wildcard one is a range. */
	if (!*op && eco == BH_ECO_CARGO)
		strcpy(op, "^");
	if ((!*op || !strcmp(op, "=") || !strcmp(op, "==")) && (wild || r.parts < 3))
		strcpy(op, "~");
	hi = r;
	hi.pre[0] = '\0';
	if (!strcmp(op, "^")) {
		if (r.n[0] > 0 || r.parts == 1) { hi.n[0]++; hi.n[1] = hi.n[2] = 0; }
		else if (r.n[1] > 0 || r.parts == 2) { hi.n[1]++; hi.n[2] = 0; }
		else hi.n[2]++;
	} else if (!strcmp(op, "~") || !strcmp(op, "~=")) {
		if (!strcmp(op, "~=") && r.parts >= 2) {
			/* PEP 440 compatible release: ~=2.2 means >=2.2, ==2.* */
			if (r.parts == 2) { hi.n[0]++; hi.n[1] = 0; } else { hi.n[1]++; hi.n[2] = 0; }
		} else if (r.parts == 1) {
			hi.n[0]++;
			hi.n[1] = hi.n[2] = 0;
		} else {
			hi.n[1]++;
			hi.n[2] = 0;
		}
	}
	if (r.pre[0] && r.n[0] == v->n[0] && r.n[1] == v->n[1] && r.n[2] == v->n[2])
		*pre_ok = true;
	k = cmp(v, &r);
	if (!strcmp(op, "^") || !strcmp(op, "~") || !strcmp(op, "~="))
		*ok = k >= 0 && cmp(v, &hi) < 0 && (!v->pre[0] || !hi.pre[0]);
	else if (!strcmp(op, ">="))
		*ok = k >= 0;
	else if (!strcmp(op, ">"))
		*ok = k > 0;
	else if (!strcmp(op, "<="))
		*ok = k <= 0;
	else if (!strcmp(op, "<"))
		*ok = k < 0;
	else if (!strcmp(op, "!=") || !strcmp(op, "!"))
		*ok = k != 0;
	else
		*ok = k == 0;
	return 0;
}

/* A set of comparators joined by ',' or spaces (all must hold); "A - B" is a hyphen range. */
static int and_set(bh_ecosystem eco, const struct sv *v, const char *s, size_t len, bool *ok)
{
	char buf[1024], *save = NULL, *tok, *h;
	char pend[8] = "";
	bool pre_ok = false;
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((h = strstr(buf, " - ")) != NULL) {
		char lo[1100], hi[1100];
		bool a, b;
		*h = '\0';
		snprintf(lo, sizeof(lo), ">=%s", buf);
		snprintf(hi, sizeof(hi), "<=%s", h + 3);
		if (comparator(eco, v, lo, &a, &pre_ok) || comparator(eco, v, hi, &b, &pre_ok))
			return -1;
		*ok = a && b && (!v->pre[0] || pre_ok || eco == BH_ECO_PYPI);
		return 0;
	}
	*ok = true;
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char c[1100];
		bool m;
		/* ">= 1.2" arrives as two tokens */
		if (strspn(tok, "<>=^~!") == strlen(tok)) {
			snprintf(pend, sizeof(pend), "%s", tok);
			continue;
		}
		snprintf(c, sizeof(c), "%s%s", pend, tok);
		pend[0] = '\0';
		if (comparator(eco, v, c, &m, &pre_ok))
			return -1;
		if (!m)
			*ok = false;
	}
	/* npm and Cargo: a prerelease only satisfies a set that names a prerelease of the same x.y.z */
	if (v->pre[0] && !pre_ok && (eco == BH_ECO_NPM || eco == BH_ECO_CARGO))
		*ok = false;
	return 0;
}

int bh_semver_req(bh_ecosystem eco, const char *version, const char *req, bool *out)
{
	struct sv v;
	const char *p = req;
	if (parse(version, &v))
		return -1;
	*out = false;
	for (;;) {
		const char *bar = strstr(p, "||");
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		bool ok;
		if (and_set(eco, &v, p, n, &ok))
			return -1;
		if (ok) {
			*out = true;
			return 0;
		}
		if (!bar)
			return 0;
		p = bar + 2;
	}
}
