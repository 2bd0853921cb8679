/* rpm.c - rpmvercmp: epoch, then version and release by alternating alnum segments; '~' and '^'. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "version/schemes.h"

static int vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		const char *sa, *sb;
		size_t la, lb;
		int isnum;
		while (*a && !isalnum((unsigned char)*a) && *a != '~' && *a != '^')
			a++;
		while (*b && !isalnum((unsigned char)*b) && *b != '~' && *b != '^')
			b++;
		if (*a == '~' || *b == '~') {
			if (*a != '~')
				return 1;
			if (*b != '~')
				return -1;
			a++;
			b++;
			continue;
		}
		if (*a == '^' || *b == '^') {
			if (!*a)
				return -1;
			if (!*b)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++;
			b++;
			continue;
		}
		if (!*a || !*b)
			break;
		sa = a;
		sb = b;
		isnum = isdigit((unsigned char)*a);
		if (isnum) {
			while (isdigit((unsigned char)*a))
				a++;
			while (isdigit((unsigned char)*b))
				b++;
		} else {
			while (isalpha((unsigned char)*a))
				a++;
			while (isalpha((unsigned char)*b))
				b++;
		}
		if (sb == b)
			return isnum ? 1 : -1; /* numeric beats alpha */
		la = (size_t)(a - sa);
		lb = (size_t)(b - sb);
		if (isnum) {
			while (la && *sa == '0') {
				sa++;
				la--;
			}
			while (lb && *sb == '0') {
				sb++;
				lb--;
			}
			if (la != lb)
				return la < lb ? -1 : 1;
		}
		{
			size_t n = la < lb ? la : lb;
			int r = memcmp(sa, sb, n);
			if (r)
				return r < 0 ? -1 : 1;
			if (la != lb)
				return la < lb ? -1 : 1;
		}
	}
	if (!*a && !*b)
		return 0;
	return *a ? 1 : -1;
}

/* "epoch:version-release" */
int bh_vcmp_rpm(const char *a, const char *b)
{
	char x[300], y[300];
	const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
	unsigned long ea = ca ? strtoul(a, NULL, 10) : 0, eb = cb ? strtoul(b, NULL, 10) : 0;
	char *ra, *rb;
	int r;
	if (ea != eb)
		return ea < eb ? -1 : 1;
	strncpy(x, ca ? ca + 1 : a, sizeof(x) - 1);
	x[sizeof(x) - 1] = '\0';
	strncpy(y, cb ? cb + 1 : b, sizeof(y) - 1);
	y[sizeof(y) - 1] = '\0';
	ra = strrchr(x, '-');
	rb = strrchr(y, '-');
	if (ra)
		*ra++ = '\0';
	if (rb)
		*rb++ = '\0';
	if ((r = vercmp(x, y)))
		return r;
	if (ra && rb)
		return vercmp(ra, rb);
	return 0;
}
