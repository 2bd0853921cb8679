/* maven.c - Maven version ordering as maven-artifact 3.9's ComparableVersion (item lists, qualifiers
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < unknown), and
 * Maven version ranges ("[1.0,2.0)", "(,1.5],[2,)") for requirement matching. */
#include <string.h>

#include "version/schemes.h"

#define MAXITEMS (3 * BH_VERSION_MAX + 8) /* a character adds at most three items */

enum { IT_INT, IT_STR, IT_LIST };

/* Qualifier ranks; the release ("" and its aliases) is 5 and is the "null" string item. */
enum { Q_RELEASE = 5, Q_UNKNOWN = 7 };

struct item {
	int type;
	int rank;      /* IT_STR */
	const char *s; /* IT_INT: digits without leading zeros; IT_STR unknown: lower-cased text */
	size_t n;
	int child;     /* IT_LIST: list id */
	bool removed;
};

struct mv {
	char low[BH_VERSION_MAX + 1];
	struct item it[MAXITEMS];
	int nit;
	int start[MAXITEMS], end[MAXITEMS]; /* items of list k are it[start[k] .. end[k]) */
	int nlist;
	int cur;
};

static int qual_rank(const char *s, size_t n, bool followed_by_digit)
{
	static const struct { const char *q; int r; } t[] = {
		{ "alpha", 0 }, { "beta", 1 }, { "milestone", 2 }, { "rc", 3 }, { "cr", 3 }, { "snapshot", 4 },
		{ "", Q_RELEASE }, { "ga", Q_RELEASE }, { "final", Q_RELEASE }, { "release", Q_RELEASE }, { "sp", 6 },
	};
	size_t i;
	if (followed_by_digit && n == 1) { /* a1 = alpha-1, b1 = beta-1, m1 = milestone-1 */
		if (s[0] == 'a')
			return 0;
		if (s[0] == 'b')
			return 1;
		if (s[0] == 'm')
			return 2;
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].q) == n && !memcmp(s, t[i].q, n))
			return t[i].r;
	return Q_UNKNOWN;
}

static void add(struct mv *v, int type, const char *s, size_t n, bool followed_by_digit)
{
	struct item *x = &v->it[v->nit++];
	memset(x, 0, sizeof(*x));
	x->type = type;
	if (type == IT_INT) {
		while (n > 0 && *s == '0') {
			s++;
			n--;
		}
	} else if (type == IT_STR) {
		x->rank = qual_rank(s, n, followed_by_digit);
	}
	x->s = s;
	x->n = n;
	v->end[v->cur] = v->nit;
}

/* list.add(list = new ListItem()) */
static void sublist(struct mv *v)
{
	struct item *x = &v->it[v->nit++];
	memset(x, 0, sizeof(*x));
	x->type = IT_LIST;
	x->child = v->nlist;
	v->end[v->cur] = v->nit;
	v->cur = v->nlist++;
	v->start[v->cur] = v->end[v->cur] = v->nit;
}

static bool empty(const struct mv *v, int l) { return v->start[l] == v->end[l]; }

static bool live_empty(const struct mv *v, int l)
{
	int i;
	for (i = v->start[l]; i < v->end[l]; i++)
		if (!v->it[i].removed)
			return false;
	return true;
}

static bool is_null(const struct mv *v, const struct item *x)
{
	if (x->type == IT_INT)
		return x->n == 0;
	if (x->type == IT_STR)
		return x->rank == Q_RELEASE;
	return live_empty(v, x->child);
}

static void parse_item(struct mv *v, bool digit, const char *s, size_t n)
{
	add(v, digit ? IT_INT : IT_STR, s, n, false);
}

/* ComparableVersion.parseVersion: '.' and '-' separate, '-' and digit/letter changes open sub-lists. */
static void parse(const char *src, struct mv *v)
{
	size_t len = strlen(src), i, start = 0;
	bool digit = false;
	int l;
	for (i = 0; i < len; i++)
		v->low[i] = (char)bh_v_lower(src[i]);
	v->low[len] = '\0';
	v->nit = 0;
	v->nlist = 1;
	v->cur = 0;
	v->start[0] = v->end[0] = 0;
	for (i = 0; i < len; i++) {
		char c = v->low[i];
		if (c == '.' || c == '-') {
			if (i == start)
				add(v, IT_INT, "0", 1, false);
			else
				parse_item(v, digit, v->low + start, i - start);
			start = i + 1;
			if (c == '-')
				sublist(v);
		} else if (bh_v_digit(c)) {
			if (!digit && i > start) {
				/* "1.0.0.X1" reads as "1.0.0-X1" */
				if (!empty(v, v->cur))
					sublist(v);
				add(v, IT_STR, v->low + start, i - start, true);
				start = i;
				sublist(v);
			}
			digit = true;
		} else {
			if (digit && i > start) {
				parse_item(v, true, v->low + start, i - start);
				start = i;
				sublist(v);
			}
			digit = false;
		}
	}
	if (len > start) {
		if (!digit && !empty(v, v->cur))
			sublist(v);
		parse_item(v, digit, v->low + start, len - start);
	}
	/* normalize, deepest list first: drop trailing nulls, looking through a trailing sub-list */
	for (l = v->nlist - 1; l >= 0; l--) {
		int k;
		for (k = v->end[l] - 1; k >= v->start[l]; k--) {
			struct item *x = &v->it[k];
			if (x->removed)
				continue;
			if (is_null(v, x))
				x->removed = true;
			else if (x->type != IT_LIST)
				break;
		}
	}
}

static int next_live(const struct mv *v, int l, int k)
{
	while (k < v->end[l] && v->it[k].removed)
		k++;
	return k;
}

static int cmp_str_rank(const struct item *a, const struct item *b)
{
	int r;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->rank != Q_UNKNOWN)
		return 0;
	r = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
	if (!r)
		r = a->n < b->n ? -1 : a->n > b->n;
	return r < 0 ? -1 : r > 0;
}

/*
 * A sub-list is always the last item of its list, so the recursions of ListItem.compareTo are tail
 * calls: they are loops here, and hostile nesting costs no stack.
 */

/* ListItem.compareTo(null): the first item that differs from null decides. */
static int list_vs_null(const struct mv *v, int l)
{
	int k;
again:
	for (k = next_live(v, l, v->start[l]); k < v->end[l]; k = next_live(v, l, k + 1)) {
		const struct item *x = &v->it[k];
		int r;
		if (x->type == IT_LIST) {
			l = x->child;
			goto again;
		}
		if (x->type == IT_INT)
			r = x->n == 0 ? 0 : 1; /* 1.0 == 1, 1.1 > 1 */
		else
			r = x->rank < Q_RELEASE ? -1 : x->rank > Q_RELEASE; /* 1-rc < 1, 1-sp > 1 */
		if (r)
			return r;
	}
	return 0;
}

static int vs_null(const struct mv *v, const struct item *x)
{
	if (x->type == IT_INT)
		return x->n == 0 ? 0 : 1;
	if (x->type == IT_STR)
		return x->rank < Q_RELEASE ? -1 : x->rank > Q_RELEASE;
	return list_vs_null(v, x->child);
}

/* Item.compareTo for two items that are not both lists. */
static int cmp_scalar(const struct item *a, const struct item *b)
{
	switch (a->type) {
	case IT_INT:
		if (b->type == IT_INT)
			return bh_v_numcmp(a->s, a->n, b->s, b->n);
		return 1; /* 1.1 > 1-sp, 1.1 > 1-1 */
	case IT_STR:
		if (b->type == IT_STR)
			return cmp_str_rank(a, b);
		return -1; /* 1.any < 1.1, 1.any < 1-1 */
	default:
		return b->type == IT_INT ? -1 : 1; /* 1-1 < 1.0.x, 1-1 > 1-sp */
	}
}

static int cmp_lists(const struct mv *va, int la, const struct mv *vb, int lb)
{
	int i, j;
again:
	i = next_live(va, la, va->start[la]);
	j = next_live(vb, lb, vb->start[lb]);
	while (i < va->end[la] || j < vb->end[lb]) {
		int r;
		if (i >= va->end[la]) {
			r = -vs_null(vb, &vb->it[j]);
		} else if (j >= vb->end[lb]) {
			r = vs_null(va, &va->it[i]);
		} else if (va->it[i].type == IT_LIST && vb->it[j].type == IT_LIST) {
			la = va->it[i].child;
			lb = vb->it[j].child;
			goto again;
		} else {
			r = cmp_scalar(&va->it[i], &vb->it[j]);
		}
		if (r)
			return r;
		if (i < va->end[la])
			i = next_live(va, la, i + 1);
		if (j < vb->end[lb])
			j = next_live(vb, lb, j + 1);
	}
	return 0;
}

int bh_vcmp_maven(const char *a, const char *b, int *out)
{
	/* two ~10 KB parse trees: too big for a small thread stack, so keep them static per thread */
	static _Thread_local struct mv x, y;
	if (!*a)
		return 1;
	if (!*b)
		return 2;
	parse(a, &x);
	parse(b, &y);
	*out = cmp_lists(&x, 0, &y, 0);
	return 0;
}

/* ---- ranges ---- */

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int bound(const char *s, size_t n, char *buf, size_t cap)
{
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	if (n >= cap)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/*
 * Maven range syntax: comma-separated intervals "[a,b]", "(a,b)", "[a,)", "(,b]", "[a]"; the
 * version matches when it is inside any of them. A requirement without brackets is read as a list
 * of comparators ("<1.2", ">=1.0, <2.0", "=1.0"), all of which must hold.
 */
int bh_maven_req(const char *version, const char *req, bool *out, bh_error *err)
{
	const char *p = req;
	int c;
	*out = false;
	while (*p && is_space(*p))
		p++;
	if (*p != '[' && *p != '(')
		return BH_EUNSUPPORTED; /* not a range: the caller uses plain comparators */
	while (*p) {
		char lo[BH_VERSION_MAX + 1], hi[BH_VERSION_MAX + 1];
		const char *close, *comma;
		bool lo_inc, hi_inc, in = true;
		while (*p && (is_space(*p) || *p == ','))
			p++;
		if (!*p)
			break;
		if (*p != '[' && *p != '(')
			return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": expected '[' or '('", req);
		lo_inc = *p++ == '[';
		close = strpbrk(p, "])");
		if (!close)
			return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": unclosed interval", req);
		hi_inc = *close == ']';
		comma = memchr(p, ',', (size_t)(close - p));
		if (!comma) {
			/* "[1.0]" is exactly 1.0 */
			if (!lo_inc || !hi_inc || bound(p, (size_t)(close - p), lo, sizeof(lo)) || !*lo)
				return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": bad single version", req);
			if (bh_vcmp_maven(version, lo, &c))
				return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": bad version", req);
			in = c == 0;
		} else {
			if (bound(p, (size_t)(comma - p), lo, sizeof(lo)) || bound(comma + 1, (size_t)(close - comma - 1), hi, sizeof(hi)))
				return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": bound too long", req);
			if (*lo) {
				if (bh_vcmp_maven(version, lo, &c))
					return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": bad version", req);
				in = lo_inc ? c >= 0 : c > 0;
			}
			if (in && *hi) {
				if (bh_vcmp_maven(version, hi, &c))
					return bh_error_set(err, BH_EINVAL, "Maven range \"%s\": bad version", req);
				in = hi_inc ? c <= 0 : c < 0;
			}
		}
		if (in)
			*out = true;
		p = close + 1;
	}
	return 0;
}
