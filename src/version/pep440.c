/* pep440.c - Python version ordering (PEP 440): epoch, release, pre, post, dev, local. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "version/schemes.h"

#define MAXREL 16

struct pv {
	unsigned long long epoch;
	unsigned long long rel[MAXREL];
	int nrel;
	int pre_kind;           /* -1 none, 0 a, 1 b, 2 rc */
	unsigned long long pre;
	long long post;         /* -1 none */
	long long dev;          /* -1 none */
	char local[64];
};

static int num(const char **s, unsigned long long *v)
{
	char *e;
	if (!isdigit((unsigned char)**s))
		return -1;
	*v = strtoull(*s, &e, 10);
	*s = e;
	return 0;
}

static void sep(const char **s)
{
	if (**s == '.' || **s == '-' || **s == '_')
		(*s)++;
}

static bool word(const char **s, const char *w)
{
	size_t n = strlen(w);
	if (strncasecmp(*s, w, n) == 0) {
		*s += n;
		return true;
	}
	return false;
}

static int parse(const char *s, struct pv *v)
{
	memset(v, 0, sizeof(*v));
	v->pre_kind = -1;
	v->post = v->dev = -1;
	while (*s == ' ' || *s == 'v' || *s == 'V')
		s++;
	{
		const char *bang = strchr(s, '!');
		if (bang) {
			if (num(&s, &v->epoch) || s != bang)
				return -1;
			s++;
		}
	}
	for (;;) {
		if (v->nrel == MAXREL || num(&s, &v->rel[v->nrel]))
			return -1;
		v->nrel++;
		if (*s == '.' && isdigit((unsigned char)s[1]))
			s++;
		else
			break;
	}
	/* pre-release: a, b, rc and their spellings */
	{
		const char *t = s;
		int k = -1;
		sep(&t);
		/* longer spellings first: "alpha" before "a" */
		if (word(&t, "alpha") || word(&t, "a"))
			k = 0;
		else if (word(&t, "beta") || word(&t, "b"))
			k = 1;
		else if (word(&t, "preview") || word(&t, "pre") || word(&t, "rc") || word(&t, "c"))
			k = 2;
		if (k >= 0) {
			v->pre_kind = k;
			sep(&t);
			if (isdigit((unsigned char)*t))
				num(&t, &v->pre);
			s = t;
		}
	}
	/* post-release: .post1, -1, .rev1, .r1 */
	{
		const char *t = s;
		unsigned long long n = 0;
		if (*t == '-' && isdigit((unsigned char)t[1])) {
			t++;
			num(&t, &n);
			v->post = (long long)n;
			s = t;
		} else {
			sep(&t);
			if (word(&t, "post") || word(&t, "rev") || word(&t, "r")) {
				sep(&t);
				if (isdigit((unsigned char)*t))
					num(&t, &n);
				v->post = (long long)n;
				s = t;
			}
		}
	}
	{
		const char *t = s;
		unsigned long long n = 0;
		sep(&t);
		if (word(&t, "dev")) {
			sep(&t);
			if (isdigit((unsigned char)*t))
				num(&t, &n);
			v->dev = (long long)n;
			s = t;
		}
	}
	if (*s == '+') {
		size_t n = strlen(s + 1);
		if (n >= sizeof(v->local))
			n = sizeof(v->local) - 1;
		memcpy(v->local, s + 1, n);
		v->local[n] = '\0';
		s += 1 + strlen(s + 1);
	}
	return *s ? -1 : 0;
}

static int c3(long long a, long long b) { return a < b ? -1 : a > b; }

int bh_vcmp_pep440(const char *a, const char *b, int *out)
{
	struct pv x, y;
	int i, n, r;
	long long px, py;
	if (parse(a, &x) || parse(b, &y))
		return -1;
	if (x.epoch != y.epoch) {
		*out = x.epoch < y.epoch ? -1 : 1;
		return 0;
	}
	n = x.nrel > y.nrel ? x.nrel : y.nrel;
	for (i = 0; i < n; i++) {
		unsigned long long p = i < x.nrel ? x.rel[i] : 0, q = i < y.nrel ? y.rel[i] : 0;
		if (p != q) {
			*out = p < q ? -1 : 1;
			return 0;
		}
	}
	/* pre: a dev-only release sorts before any pre-release; no pre sorts after all of them */
	px = x.pre_kind >= 0 ? x.pre_kind * 1000000LL + (long long)x.pre : (x.post < 0 && x.dev >= 0 ? -2 : 1LL << 60);
	py = y.pre_kind >= 0 ? y.pre_kind * 1000000LL + (long long)y.pre : (y.post < 0 && y.dev >= 0 ? -2 : 1LL << 60);
	if ((r = c3(px, py)) || (r = c3(x.post, y.post)) ||
	    (r = c3(x.dev < 0 ? 1LL << 60 : x.dev, y.dev < 0 ? 1LL << 60 : y.dev))) {
		*out = r;
		return 0;
	}
	r = strcmp(x.local, y.local);
	*out = r < 0 ? -1 : r > 0;
	return 0;
}
