/* semver.c - SemVer 2.0 ordering (npm, Cargo, Composer, Go incl. pseudo-versions and +incompatible)
 * and their requirement syntaxes: npm ranges, Cargo requirements, Composer constraints. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "version/schemes.h"
#include "version/version.h"

#define MAXNUM 8   /* numeric components kept: 3 for SemVer, 4 for Composer, a few more tolerated */
#define MAXCMP 64  /* comparators in one AND set */

struct sv {
	uint64_t n[MAXNUM];
	int parts;        /* numeric components written before the end or a wildcard (0..MAXNUM) */
	bool wild;        /* an x / X / * component ended the list (ranges only) */
	const char *pre;  /* pre-release identifiers without the '-', NULL if none */
	size_t npre;
};

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool ident_char(int c) { return bh_v_alnum(c) || c == '-' || c == '.'; }

/* Dot-separated identifiers, none empty. */
static bool ids_ok(const char *s, size_t n)
{
	size_t i, run = 0;
	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!run)
				return false;
			run = 0;
		} else {
			run++;
		}
	}
	return run > 0;
}

/*
 * Parses s[0..len): optional "v"/"=" (and "go" for Go toolchain versions), 1..MAXNUM dot-separated
 * numbers (missing ones read as 0, so "1.2" is 1.2.0 and Composer's 1.2.3.4 keeps its fourth),
 * a pre-release after '-' (or directly after the numbers, "1.0rc1"), "+build" ignored (Go's
 * "+incompatible" too). With range set, "x"/"X"/"*" may end the numbers (x-ranges).
 */
static int parse(const char *s, size_t len, bool range, struct sv *v)
{
	const char *p = s, *e = s + len;
	memset(v, 0, sizeof(*v));
	while (p < e && is_space(*p))
		p++;
	while (e > p && is_space(e[-1]))
		e--;
	if (e - p >= 3 && p[0] == 'g' && p[1] == 'o' && bh_v_digit(p[2]))
		p += 2;
	else if (p < e && (*p == 'v' || *p == 'V' || *p == '='))
		p++;
	for (;;) {
		if (p < e && bh_v_digit(*p)) {
			uint64_t x = 0;
			while (p < e && bh_v_digit(*p)) {
				if (x > (UINT64_MAX - 9) / 10)
					return -1;
				x = x * 10 + (uint64_t)(*p++ - '0');
			}
			if (v->parts == MAXNUM)
				return -1;
			if (!v->wild)
				v->n[v->parts++] = x;
		} else if (range && p < e && (*p == 'x' || *p == 'X' || *p == '*')) {
			v->wild = true;
			p++;
		} else {
			return -1;
		}
		if (p + 1 < e && *p == '.' && (bh_v_digit(p[1]) || (range && strchr("xX*", p[1]))))
			p++;
		else
			break;
	}
	if (p < e && (*p == '-' || bh_v_alpha(*p))) {
		if (*p == '-')
			p++;
		v->pre = p;
		while (p < e && ident_char(*p))
			p++;
		v->npre = (size_t)(p - v->pre);
		if (!ids_ok(v->pre, v->npre))
			return -1;
	}
	if (p < e && *p == '+') {
		const char *b = ++p;
		while (p < e && ident_char(*p))
			p++;
		if (!ids_ok(b, (size_t)(p - b)))
			return -1;
	}
	return p == e ? 0 : -1;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!bh_v_digit(s[i]))
			return false;
	return n > 0;
}

/* SemVer 2.0 precedence of two pre-release strings (both present). */
static int cmp_pre(const char *a, size_t na, const char *b, size_t nb)
{
	const char *ae = a + na, *be = b + nb;
	for (;;) {
		const char *x = a, *y = b;
		size_t lx, ly;
		bool dx, dy;
		int r;
		while (x < ae && *x != '.')
			x++;
		while (y < be && *y != '.')
			y++;
		lx = (size_t)(x - a);
		ly = (size_t)(y - b);
		dx = all_digits(a, lx);
		dy = all_digits(b, ly);
		if (dx && dy) {
			r = bh_v_numcmp(a, lx, b, ly);
		} else if (dx != dy) {
			r = dx ? -1 : 1; /* numeric identifiers have lower precedence */
		} else {
			r = memcmp(a, b, lx < ly ? lx : ly);
			if (!r)
				r = lx < ly ? -1 : lx > ly;
		}
		if (r)
			return r < 0 ? -1 : 1;
		a = x;
		b = y;
		if (a == ae || b == be)
			return a == ae && b == be ? 0 : (a == ae ? -1 : 1);
		a++;
		b++;
	}
}

/*
 * Composer orders stabilities, not strings: dev < alpha/a < beta/b < RC < (stable) < patch/pl/p,
 * then the number after the word ("beta2" < "beta10"). Unknown words rank with dev.
 */
static int composer_rank(const char *s, size_t n, size_t *word)
{
	static const struct { const char *w; int r; } t[] = {
		{ "dev", 0 }, { "alpha", 1 }, { "a", 1 }, { "beta", 2 }, { "b", 2 }, { "rc", 3 },
		{ "patch", 5 }, { "pl", 5 }, { "p", 5 },
	};
	size_t i, k = 0;
	while (k < n && bh_v_alpha(s[k]))
		k++;
	*word = k;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t j, wl = strlen(t[i].w);
		if (wl != k)
			continue;
		for (j = 0; j < k && bh_v_lower(s[j]) == t[i].w[j]; j++)
			;
		if (j == k)
			return t[i].r;
	}
	return 0;
}

static int cmp_pre_composer(const struct sv *a, const struct sv *b)
{
	size_t wa = 0, wb = 0;
	int ra = a->pre ? composer_rank(a->pre, a->npre, &wa) : 4;
	int rb = b->pre ? composer_rank(b->pre, b->npre, &wb) : 4;
	const char *xa, *xb;
	size_t na, nb;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 4)
		return 0;
	xa = a->pre + wa;
	na = a->npre - wa;
	xb = b->pre + wb;
	nb = b->npre - wb;
	while (na && (*xa == '.' || *xa == '-')) {
		xa++;
		na--;
	}
	while (nb && (*xb == '.' || *xb == '-')) {
		xb++;
		nb--;
	}
	if (!na || !nb)
		return na == nb ? 0 : (na ? 1 : -1);
	return cmp_pre(xa, na, xb, nb);
}

static int cmp(bh_ecosystem eco, const struct sv *a, const struct sv *b)
{
	int i;
	for (i = 0; i < MAXNUM; i++)
		if (a->n[i] != b->n[i])
			return a->n[i] < b->n[i] ? -1 : 1;
	if (eco == BH_ECO_COMPOSER)
		return cmp_pre_composer(a, b);
	if (!a->pre || !b->pre)
		return a->pre ? -1 : b->pre ? 1 : 0; /* a release follows its pre-releases */
	return cmp_pre(a->pre, a->npre, b->pre, b->npre);
}

int bh_vcmp_semver(bh_ecosystem eco, const char *a, const char *b, int *out)
{
	struct sv x, y;
	if (parse(a, strlen(a), false, &x))
		return 1;
	if (parse(b, strlen(b), false, &y))
		return 2;
	*out = cmp(eco, &x, &y);
	return 0;
}

/* ---- requirements ---- */

enum { OP_ANY, OP_NONE, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

struct cmpr {
	int op;
	struct sv v;
};

struct set {
	struct cmpr c[MAXCMP];
	size_t n;
};

static int push(struct set *s, int op, const struct sv *v)
{
	if (s->n == MAXCMP)
		return -1;
	s->c[s->n].op = op;
	if (v)
		s->c[s->n].v = *v;
	else
		memset(&s->c[s->n].v, 0, sizeof(s->c[s->n].v));
	s->n++;
	return 0;
}

/* The first k numbers of v with the k-th incremented and the rest zero: the exclusive top of a
 * partial or caret/tilde range. npm writes it "X.Y.Z-0" so that no pre-release of it matches. */
static struct sv bump(bh_ecosystem eco, const struct sv *v, int k)
{
	static const char zero[] = "0";
	struct sv h;
	int i;
	memset(&h, 0, sizeof(h));
	for (i = 0; i < k && i < MAXNUM; i++)
		h.n[i] = v->n[i];
	if (k > 0)
		h.n[k - 1]++;
	h.parts = 3;
	if (eco == BH_ECO_NPM) {
		h.pre = zero;
		h.npre = 1;
	}
	return h;
}

/* The bottom of a partial: missing numbers zero, the pre-release only on a full version. */
static struct sv floor_of(const struct sv *v)
{
	struct sv l = *v;
	if (v->wild || v->parts < 3) {
		l.pre = NULL;
		l.npre = 0;
	}
	return l;
}

/* One "op version" desugared into plain comparators, as npm / Cargo / Composer define it. */
static int desugar(bh_ecosystem eco, const char *op, const struct sv *v, struct set *s)
{
	struct sv lo = floor_of(v);
	int n = v->parts;
	bool partial = v->wild || n < 3;
	if (n == 0) /* "*", "x", ">=*": anything; "<*", ">*": nothing */
		return push(s, (!strcmp(op, "<") || !strcmp(op, ">") || !strcmp(op, "!=")) ? OP_NONE : OP_ANY, NULL);
	if (!*op) {
		if (eco == BH_ECO_CARGO)
			op = v->wild ? "=" : "^"; /* Cargo: "1.2" is ^1.2, "1.2.*" a wildcard */
		else if (eco == BH_ECO_COMPOSER && !v->wild)
			op = "==";
		else
			op = "=";
	}
	if (!strcmp(op, "=") || !strcmp(op, "==")) {
		if (!partial || (eco == BH_ECO_COMPOSER && !v->wild))
			return push(s, OP_EQ, &lo);
		if (push(s, OP_GE, &lo))
			return -1;
		{
			struct sv h = bump(eco, v, n);
			return push(s, OP_LT, &h);
		}
	}
	if (!strcmp(op, "!="))
		return push(s, OP_NE, &lo);
	if (!strcmp(op, ">="))
		return push(s, OP_GE, &lo);
	if (!strcmp(op, ">")) {
		struct sv h = bump(eco, v, n);
		h.pre = NULL;
		h.npre = 0;
		return partial ? push(s, OP_GE, &h) : push(s, OP_GT, &lo);
	}
	if (!strcmp(op, "<")) {
		if (partial && eco == BH_ECO_NPM) {
			static const char zero[] = "0";
			lo.pre = zero;
			lo.npre = 1;
		}
		return push(s, OP_LT, &lo);
	}
	if (!strcmp(op, "<=")) {
		struct sv h = bump(eco, v, n);
		return partial ? push(s, OP_LT, &h) : push(s, OP_LE, &lo);
	}
	if (!strcmp(op, "~") || !strcmp(op, "~>")) {
		int k = n == 1 ? 1 : 2;
		struct sv h;
		if (eco == BH_ECO_COMPOSER)
			k = n <= 2 ? 1 : n - 1; /* Composer: ~1.2 is >=1.2 <2.0, ~1.2.3 is <1.3 */
		h = bump(eco, v, k);
		return push(s, OP_GE, &lo) || push(s, OP_LT, &h) ? -1 : 0;
	}
	if (!strcmp(op, "^")) {
		int k = (n == 1 || v->n[0] > 0) ? 1 : (n == 2 || v->n[1] > 0) ? 2 : 3;
		struct sv h = bump(eco, v, k);
		return push(s, OP_GE, &lo) || push(s, OP_LT, &h) ? -1 : 0;
	}
	return -1;
}

static bool test(bh_ecosystem eco, const struct cmpr *c, const struct sv *v)
{
	int k;
	if (c->op == OP_ANY)
		return true;
	if (c->op == OP_NONE)
		return false;
	k = cmp(eco, v, &c->v);
	switch (c->op) {
	case OP_LT: return k < 0;
	case OP_LE: return k <= 0;
	case OP_GT: return k > 0;
	case OP_GE: return k >= 0;
	case OP_EQ: return k == 0;
	default: return k != 0;
	}
}

static int partial_at(bh_ecosystem eco, const char *s, size_t n, struct sv *v, bh_error *err)
{
	if (parse(s, n, true, v))
		return bh_error_set(err, BH_EINVAL, "%s requirement: bad version \"%.*s\"", bh_ecosystem_name(eco), (int)n, s);
	return 0;
}

/* "A - B": >=A (floor) and <=B, or below the next step when B is partial. */
static int hyphen(bh_ecosystem eco, const char *s, size_t n, const char *h, struct set *set, bh_error *err)
{
	struct sv lo, hi;
	if (partial_at(eco, s, (size_t)(h - s), &lo, err) || partial_at(eco, h + 1, n - (size_t)(h + 1 - s), &hi, err))
		return BH_EINVAL;
	if (desugar(eco, ">=", &lo, set))
		return bh_error_set(err, BH_EINVAL, "%s requirement: too many comparators", bh_ecosystem_name(eco));
	if (desugar(eco, "<=", &hi, set))
		return bh_error_set(err, BH_EINVAL, "%s requirement: too many comparators", bh_ecosystem_name(eco));
	return 0;
}

static const char *find_hyphen(const char *s, size_t n)
{
	size_t i;
	for (i = 1; i + 2 < n; i++)
		if (s[i] == '-' && is_space(s[i - 1]) && is_space(s[i + 1]))
			return s + i;
	return NULL;
}

/* Comparators separated by blanks or commas, all of which must hold. */
static int and_set(bh_ecosystem eco, const struct sv *v, const char *s, size_t n, bool *ok, bh_error *err)
{
	struct set set;
	const char *p = s, *e = s + n, *h;
	size_t i;
	set.n = 0;
	if ((h = find_hyphen(s, n)) != NULL) {
		if (hyphen(eco, s, n, h, &set, err))
			return BH_EINVAL;
	} else {
		for (;;) {
			char op[3] = "";
			size_t k = 0;
			const char *t;
			struct sv c;
			while (p < e && (is_space(*p) || *p == ','))
				p++;
			if (p == e)
				break;
			while (p < e && k < 2 && strchr("<>=^~!", *p))
				op[k++] = *p++;
			op[k] = '\0';
			while (p < e && is_space(*p)) /* ">= 1.2" */
				p++;
			t = p;
			while (p < e && !is_space(*p) && *p != ',')
				p++;
			if (t == p)
				return bh_error_set(err, BH_EINVAL, "%s requirement: operator \"%s\" without a version", bh_ecosystem_name(eco), op);
			if (partial_at(eco, t, (size_t)(p - t), &c, err))
				return BH_EINVAL;
			if (desugar(eco, op, &c, &set))
				return bh_error_set(err, BH_EINVAL, "%s requirement: bad or too many comparators near \"%s%.*s\"",
						    bh_ecosystem_name(eco), op, (int)(p - t), t);
		}
		if (set.n == 0 && push(&set, OP_ANY, NULL)) /* "" is "*" */
			return BH_EINVAL;
	}
	*ok = true;
	for (i = 0; i < set.n && *ok; i++)
		*ok = test(eco, &set.c[i], v);
	/* npm and Cargo: a pre-release only matches a set naming a pre-release of the same x.y.z */
	if (*ok && v->pre && (eco == BH_ECO_NPM || eco == BH_ECO_CARGO)) {
		bool allowed = false;
		for (i = 0; i < set.n && !allowed; i++) {
			const struct sv *c = &set.c[i].v;
			if (set.c[i].op == OP_ANY || set.c[i].op == OP_NONE || !c->pre)
				continue;
			allowed = c->n[0] == v->n[0] && c->n[1] == v->n[1] && c->n[2] == v->n[2];
		}
		*ok = allowed;
	}
	return 0;
}

int bh_semver_req(bh_ecosystem eco, const char *version, const char *req, bool *out, bh_error *err)
{
	struct sv v;
	const char *p = req;
	if (parse(version, strlen(version), false, &v))
		return bh_error_set(err, BH_EINVAL, "not a %s version: \"%s\"", bh_ecosystem_name(eco), version);
	*out = false;
	for (;;) {
		/* "||" separates alternatives; Composer also accepts a single '|' */
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		bool ok = false;
		if (and_set(eco, &v, p, n, &ok, err))
			return BH_EINVAL;
		if (ok)
			*out = true;
		if (!bar)
			return 0;
		p = bar + (bar[1] == '|' ? 2 : 1);
	}
}

/* ---- RustSec requirements as cargo-audit reads them ---- */

/*
 * One requirement of an advisory's `patched` or `unaffected` list is one interval of plain
 * SemVer 2.0 precedence (cargo-audit turns the lists into OSV ranges): ">= a", "> a", "< b",
 * "<= b" (at most one lower and one upper bound, comma-separated), "=a" (exactly a), "^a" or a
 * bare "a" (a up to the next incompatible release's "-0", so no pre-release of it is inside),
 * "~a" (up to the next minor's "-0"; "~1" to the next major's). Missing minor/patch read as 0.
 * Pre-releases compare by precedence only: Cargo's rule that a pre-release matches only a
 * comparator naming the same x.y.z does not apply (hyper 1.0.0-rc.1 is >= 0.9.4).
 */
struct rsbound {
	bool set, incl;
	struct sv v;
};

static int rs_comparator(const char *s, size_t n, struct rsbound *lo, struct rsbound *hi, int *count)
{
	const char *p = s, *e = s + n;
	char op[3] = "";
	size_t k = 0;
	struct sv v;
	while (p < e && is_space(*p))
		p++;
	while (p < e && k < 2 && strchr("<>=^~", *p))
		op[k++] = *p++;
	op[k] = '\0';
	while (p < e && is_space(*p))
		p++;
	if (p == e || parse(p, (size_t)(e - p), false, &v) || v.parts == 0 || v.parts > 3)
		return -1;
	(*count)++;
	if (!strcmp(op, ">=") || !strcmp(op, ">")) {
		if (lo->set)
			return -1;
		lo->set = true;
		lo->incl = op[1] == '=';
		lo->v = v;
		return 0;
	}
	if (!strcmp(op, "<") || !strcmp(op, "<=")) {
		if (hi->set)
			return -1;
		hi->set = true;
		hi->incl = op[1] == '=';
		hi->v = v;
		return 0;
	}
	if (lo->set || hi->set)
		return -1; /* "=", "^" and "~" give both bounds: alone in their requirement */
	lo->set = hi->set = true;
	lo->incl = true;
	lo->v = v;
	if (!strcmp(op, "=")) {
		hi->incl = true;
		hi->v = v;
		return 0;
	}
	if (*op && strcmp(op, "^") != 0 && strcmp(op, "~") != 0)
		return -1;
	{
		static const char zero[] = "0";
		struct sv h;
		int bumpk;
		memset(&h, 0, sizeof(h));
		if (!strcmp(op, "~"))
			bumpk = v.parts == 1 ? 1 : 2;
		else
			bumpk = v.n[0] > 0 || v.parts == 1 ? 1 : (v.n[1] > 0 || v.parts == 2) ? 2 : 3;
		memcpy(h.n, v.n, sizeof(h.n[0]) * (size_t)bumpk);
		h.n[bumpk - 1]++;
		h.parts = 3;
		h.pre = zero;
		h.npre = 1;
		hi->incl = false;
		hi->v = h;
	}
	return 0;
}

int bh_version_rustsec_req(const char *version, const char *req, bool *in, char *lower, size_t lower_cap, bh_error *err)
{
	struct rsbound lo = { false, false, { { 0 }, 0, false, NULL, 0 } }, hi = lo;
	struct sv v;
	const char *p = req;
	int count = 0, c;
	*in = false;
	if (lower && lower_cap)
		lower[0] = '\0';
	if (!version || !req || strlen(version) > BH_VERSION_MAX || strlen(req) > BH_VERSION_REQ_MAX)
		return bh_error_set(err, BH_EINVAL, "cargo requirement or version missing or too long");
	for (;;) {
		size_t n = strcspn(p, ",");
		if (rs_comparator(p, n, &lo, &hi, &count))
			return bh_error_set(err, BH_EINVAL, "cargo requirement \"%s\": not an interval cargo-audit reads", req);
		if (!p[n])
			break;
		p += n + 1;
	}
	if (lower && lower_cap && lo.set) {
		/* The lowest version inside: a itself, or for "> a" the next patch release (a pre-release
		 * just above a release is not something to upgrade to). */
		struct sv x = lo.v;
		char pre[BH_VERSION_MAX + 1];
		if (!lo.incl && !x.pre) {
			x.n[2]++;
		}
		snprintf(pre, sizeof(pre), "%.*s%s", (int)x.npre, x.pre ? x.pre : "", x.pre && !lo.incl ? ".0" : "");
		snprintf(lower, lower_cap, "%llu.%llu.%llu%s%s", (unsigned long long)x.n[0], (unsigned long long)x.n[1],
			 (unsigned long long)x.n[2], x.pre ? "-" : "", x.pre ? pre : "");
	}
	if (parse(version, strlen(version), false, &v))
		return bh_error_set(err, BH_EINVAL, "not a cargo version: \"%s\"", version);
	*in = true;
	if (lo.set) {
		c = cmp(BH_ECO_CARGO, &v, &lo.v);
		*in = lo.incl ? c >= 0 : c > 0;
	}
	if (*in && hi.set) {
		c = cmp(BH_ECO_CARGO, &v, &hi.v);
		*in = hi.incl ? c <= 0 : c < 0;
	}
	(void)count;
	return 0;
}
