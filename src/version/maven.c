/* maven.c - Maven ComparableVersion ordering (numbers, qualifiers alpha < beta < milestone < rc <
 * snapshot < release < sp, unknown qualifiers after, lexically). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "version/schemes.h"

static int qual_rank(const char *s, size_t n)
{
	static const struct { const char *q; int r; } t[] = {
		{ "alpha", 1 }, { "a", 1 }, { "beta", 2 }, { "b", 2 }, { "milestone", 3 }, { "m", 3 },
		{ "rc", 4 }, { "cr", 4 }, { "snapshot", 5 }, { "", 6 }, { "ga", 6 }, { "final", 6 },
		{ "release", 6 }, { "sp", 7 },
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].q) == n && !strncasecmp(s, t[i].q, n))
			return t[i].r;
	return 8;
}

/* Next item: a number or a qualifier; separators '.', '-' and digit/letter changes. */
static const char *item(const char *s, const char **start, size_t *len, bool *isnum)
{
	while (*s == '.' || *s == '-' || *s == '_')
		s++;
	*start = s;
	*isnum = isdigit((unsigned char)*s) != 0;
	while (*s && *s != '.' && *s != '-' && *s != '_' && (isdigit((unsigned char)*s) != 0) == *isnum)
		s++;
	*len = (size_t)(s - *start);
	return s;
}

int bh_vcmp_maven(const char *a, const char *b)
{
	while (*a || *b) {
		const char *sa, *sb;
		size_t la, lb;
		bool na, nb;
		a = item(a, &sa, &la, &na);
		b = item(b, &sb, &lb, &nb);
		if (!la && !lb)
			break;
		if (na && nb) {
			unsigned long long x = strtoull(sa, NULL, 10), y = strtoull(sb, NULL, 10);
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (!la)
			/* missing: "1.0" == "1.0.0"; against a qualifier it is a release */
			return nb ? (strtoull(sb, NULL, 10) == 0 ? 0 : -1) : (qual_rank(sb, lb) < 6 ? 1 : qual_rank(sb, lb) == 6 ? 0 : -1);
		if (!lb)
			return na ? (strtoull(sa, NULL, 10) == 0 ? 0 : 1) : (qual_rank(sa, la) < 6 ? -1 : qual_rank(sa, la) == 6 ? 0 : 1);
		if (na != nb)
			return na ? 1 : -1; /* a number beats a qualifier */
		{
			int ra = qual_rank(sa, la), rb = qual_rank(sb, lb);
			if (ra != rb)
				return ra < rb ? -1 : 1;
			if (ra == 8) {
				size_t n = la < lb ? la : lb;
				int r = strncasecmp(sa, sb, n);
				if (r || la != lb)
					return r ? (r < 0 ? -1 : 1) : (la < lb ? -1 : 1);
			}
		}
	}
	return 0;
}
