/* apk.c - Alpine apk-tools version ordering: numbers, a letter, _suffixes, -rN revisions. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "version/schemes.h"

/* _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p */
static int suffix_rank(const char *s, size_t n)
{
	static const char *const pre[] = { "alpha", "beta", "pre", "rc" };
	static const char *const post[] = { "cvs", "svn", "git", "hg", "p" };
	size_t i;
	for (i = 0; i < 4; i++)
		if (strlen(pre[i]) == n && !memcmp(s, pre[i], n))
			return (int)i - 4;
	for (i = 0; i < 5; i++)
		if (strlen(post[i]) == n && !memcmp(s, post[i], n))
			return (int)i + 1;
	return 0;
}

int bh_vcmp_apk(const char *a, const char *b)
{
	for (;;) {
		/* numbers separated by dots */
		while (isdigit((unsigned char)*a) || isdigit((unsigned char)*b)) {
			unsigned long long x, y;
			char *ea, *eb;
			if (!isdigit((unsigned char)*a))
				return -1;
			if (!isdigit((unsigned char)*b))
				return 1;
			x = strtoull(a, &ea, 10);
			y = strtoull(b, &eb, 10);
			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			if (*a == '.' && *b == '.') {
				a++;
				b++;
				continue;
			}
			if (*a == '.')
				return 1;
			if (*b == '.')
				return -1;
			break;
		}
		/* an optional letter */
		if (isalpha((unsigned char)*a) || isalpha((unsigned char)*b)) {
			if (!isalpha((unsigned char)*a))
				return -1;
			if (!isalpha((unsigned char)*b))
				return 1;
			if (*a != *b)
				return *a < *b ? -1 : 1;
			a++;
			b++;
			continue;
		}
		/* suffixes */
		if (*a == '_' || *b == '_') {
			int ra = 0, rb = 0;
			size_t la = 0, lb = 0;
			if (*a == '_') {
				la = strcspn(a + 1, "0123456789-_");
				ra = suffix_rank(a + 1, la);
			}
			if (*b == '_') {
				lb = strcspn(b + 1, "0123456789-_");
				rb = suffix_rank(b + 1, lb);
			}
			if (ra != rb)
				return ra < rb ? -1 : 1;
			a += *a == '_' ? la + 1 : 0;
			b += *b == '_' ? lb + 1 : 0;
			continue;
		}
		/* revision */
		if (*a == '-' || *b == '-') {
			unsigned long x = *a == '-' && a[1] == 'r' ? strtoul(a + 2, NULL, 10) : 0;
			unsigned long y = *b == '-' && b[1] == 'r' ? strtoul(b + 2, NULL, 10) : 0;
			return x < y ? -1 : x > y;
		}
		if (!*a && !*b)
			return 0;
		if (!*a || !*b)
			return *a ? 1 : -1;
		return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
	}
}
