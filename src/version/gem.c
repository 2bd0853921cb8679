/* gem.c - Gem::Version ordering: numeric segments, letters start a prerelease that sorts first. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "version/schemes.h"

static const char *seg(const char *s, const char **start, size_t *len, bool *isnum)
{
	while (*s == '.' || *s == '-')
		s++;
	*start = s;
	*isnum = isdigit((unsigned char)*s) != 0;
	while (*s && *s != '.' && *s != '-' && (isdigit((unsigned char)*s) != 0) == *isnum)
		s++;
	*len = (size_t)(s - *start);
	return s;
}

int bh_vcmp_gem(const char *a, const char *b)
{
	for (;;) {
		const char *sa, *sb;
		size_t la, lb;
		bool na, nb;
		a = seg(a, &sa, &la, &na);
		b = seg(b, &sb, &lb, &nb);
		if (!la && !lb)
			return 0;
		if (!la)
			return nb ? (strtoull(sb, NULL, 10) ? -1 : bh_vcmp_gem("", b)) : 1;
		if (!lb)
			return na ? (strtoull(sa, NULL, 10) ? 1 : bh_vcmp_gem(a, "")) : -1;
		if (na && nb) {
			unsigned long long x = strtoull(sa, NULL, 10), y = strtoull(sb, NULL, 10);
			if (x != y)
				return x < y ? -1 : 1;
		} else if (na != nb) {
			return na ? 1 : -1; /* a prerelease letter sorts before a number */
		} else {
			size_t n = la < lb ? la : lb;
			int r = memcmp(sa, sb, n);
			if (r || la != lb)
				return r ? (r < 0 ? -1 : 1) : (la < lb ? -1 : 1);
		}
	}
}
