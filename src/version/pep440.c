/* pep440.c - Python versions (PEP 440, as packaging.version): epoch, release, pre, post, dev, local;
 * and PEP 440 specifier sets ("~=2.2", "==1.*", ">=1.0,!=1.3.*,<2"). */
#include <string.h>

#include "version/schemes.h"

#define MAXREL 128 /* a 256-byte version cannot hold more release numbers than this */
#define MAXLOCAL 64

struct num {
	const char *p; /* digit run; p == NULL means "absent" where absence matters */
	size_t n;
};

struct pv {
	struct num epoch;
	struct num rel[MAXREL];
	int nrel;
	int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
	struct num pre;
	bool has_post, has_dev;
	struct num post, dev;
	const char *local; /* after '+', NULL if none */
	size_t nlocal;
};

static bool sep(int c) { return c == '.' || c == '-' || c == '_'; }
static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

static bool digits(const char **s, const char *e, struct num *out)
{
	const char *p = *s;
	while (*s < e && bh_v_digit(**s))
		(*s)++;
	out->p = p;
	out->n = (size_t)(*s - p);
	return out->n > 0;
}

/* Case-insensitive keyword at *s; advances on a match. */
static bool word(const char **s, const char *e, const char *w)
{
	size_t i, n = strlen(w);
	if ((size_t)(e - *s) < n)
		return false;
	for (i = 0; i < n; i++)
		if (bh_v_lower((*s)[i]) != w[i])
			return false;
	*s += n;
	return true;
}

static void opt_sep(const char **s, const char *e)
{
	if (*s < e && sep(**s))
		(*s)++;
}

/* packaging's VERSION_PATTERN, hand-written (every part optional after the release). */
static int parse(const char *s, size_t len, struct pv *v)
{
	static const char zero[] = "0";
	const char *e = s + len, *t;
	memset(v, 0, sizeof(*v));
	v->pre_kind = -1;
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	if (s < e && (*s == 'v' || *s == 'V'))
		s++;
	t = s;
	if (digits(&t, e, &v->epoch) && t < e && *t == '!')
		s = t + 1;
	else
		v->epoch.p = zero, v->epoch.n = 1;
	for (;;) {
		if (v->nrel == MAXREL || !digits(&s, e, &v->rel[v->nrel]))
			return -1;
		v->nrel++;
		if (s + 1 < e && *s == '.' && bh_v_digit(s[1]))
			s++;
		else
			break;
	}
	/* pre-release: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? N? */
	t = s;
	opt_sep(&t, e);
	{
		int k = -1;
		if (word(&t, e, "alpha") || word(&t, e, "a"))
			k = 0;
		else if (word(&t, e, "beta") || word(&t, e, "b"))
			k = 1;
		else if (word(&t, e, "preview") || word(&t, e, "pre") || word(&t, e, "c") || word(&t, e, "rc"))
			k = 2;
		if (k >= 0) {
			const char *u = t;
			v->pre_kind = k;
			opt_sep(&u, e);
			if (digits(&u, e, &v->pre))
				t = u;
			else
				v->pre.p = zero, v->pre.n = 1;
			s = t;
		}
	}
	/* post-release: -N, or [-_.]? (post|rev|r) [-_.]? N? */
	t = s;
	if (t + 1 < e && *t == '-' && bh_v_digit(t[1])) {
		t++;
		digits(&t, e, &v->post);
		v->has_post = true;
		s = t;
	} else {
		opt_sep(&t, e);
		if (word(&t, e, "post") || word(&t, e, "rev") || word(&t, e, "r")) {
			const char *u = t;
			opt_sep(&u, e);
			if (digits(&u, e, &v->post))
				t = u;
			else
				v->post.p = zero, v->post.n = 1;
			v->has_post = true;
			s = t;
		}
	}
	/* dev-release: [-_.]? dev [-_.]? N? */
	t = s;
	opt_sep(&t, e);
	if (word(&t, e, "dev")) {
		const char *u = t;
		opt_sep(&u, e);
		if (digits(&u, e, &v->dev))
			t = u;
		else
			v->dev.p = zero, v->dev.n = 1;
		v->has_dev = true;
		s = t;
	}
	/* local: + [a-z0-9]+ ([-_.][a-z0-9]+)* */
	if (s < e && *s == '+') {
		size_t run = 0;
		v->local = ++s;
		for (; s < e; s++) {
			if (bh_v_alnum(*s))
				run++;
			else if (sep(*s) && run)
				run = 0;
			else
				return -1;
		}
		v->nlocal = (size_t)(s - v->local);
		if (!run)
			return -1;
	}
	return s == e ? 0 : -1;
}

static int ncmp(const struct num *a, const struct num *b) { return bh_v_numcmp(a->p, a->n, b->p, b->n); }

static int cmp_release(const struct pv *x, const struct pv *y)
{
	static const struct num z = { "0", 1 };
	int i, n = x->nrel > y->nrel ? x->nrel : y->nrel, r;
	for (i = 0; i < n; i++)
		if ((r = ncmp(i < x->nrel ? &x->rel[i] : &z, i < y->nrel ? &y->rel[i] : &z)))
			return r;
	return 0;
}

/* Local segments: numbers beat words, numbers numerically, words case-insensitively. */
static int cmp_local(const struct pv *x, const struct pv *y)
{
	const char *a = x->local, *b = y->local, *ae, *be;
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	ae = a + x->nlocal;
	be = b + y->nlocal;
	for (;;) {
		const char *sa = a, *sb = b;
		bool da = true, db = true;
		int r = 0;
		size_t la, lb, i;
		if (a == ae || b == be)
			return a == ae && b == be ? 0 : (a == ae ? -1 : 1);
		while (a < ae && !sep(*a))
			da = da && bh_v_digit(*a), a++;
		while (b < be && !sep(*b))
			db = db && bh_v_digit(*b), b++;
		la = (size_t)(a - sa);
		lb = (size_t)(b - sb);
		if (da && db) {
			r = bh_v_numcmp(sa, la, sb, lb);
		} else if (da != db) {
			r = da ? 1 : -1;
		} else {
			for (i = 0; i < la && i < lb && !r; i++)
				r = bh_v_lower(sa[i]) - bh_v_lower(sb[i]);
			if (!r)
				r = la < lb ? -1 : la > lb;
		}
		if (r)
			return r < 0 ? -1 : 1;
		if (a < ae)
			a++;
		if (b < be)
			b++;
	}
}

/* packaging's _cmpkey; with_local false compares public versions only. */
static int cmp(const struct pv *x, const struct pv *y, bool with_local)
{
	int r, px, py;
	if ((r = ncmp(&x->epoch, &y->epoch)) || (r = cmp_release(x, y)))
		return r;
	/* a dev release of a final (1.0.dev1) precedes every pre-release; a final follows them */
	px = x->pre_kind >= 0 ? x->pre_kind : (!x->has_post && x->has_dev) ? -1 : 3;
	py = y->pre_kind >= 0 ? y->pre_kind : (!y->has_post && y->has_dev) ? -1 : 3;
	if (px != py)
		return px < py ? -1 : 1;
	if (x->pre_kind >= 0 && (r = ncmp(&x->pre, &y->pre)))
		return r;
	if (x->has_post != y->has_post)
		return x->has_post ? 1 : -1;
	if (x->has_post && (r = ncmp(&x->post, &y->post)))
		return r;
	if (x->has_dev != y->has_dev)
		return x->has_dev ? -1 : 1;
	if (x->has_dev && (r = ncmp(&x->dev, &y->dev)))
		return r;
	return with_local ? cmp_local(x, y) : 0;
}

int bh_vcmp_pep440(const char *a, const char *b, int *out)
{
	struct pv x, y;
	if (parse(a, strlen(a), &x))
		return 1;
	if (parse(b, strlen(b), &y))
		return 2;
	*out = cmp(&x, &y, true);
	return 0;
}

/* ---- specifiers ---- */

static bool is_pre(const struct pv *v) { return v->pre_kind >= 0 || v->has_dev; }

/* base_version: epoch and release only. */
static int cmp_base(const struct pv *x, const struct pv *y)
{
	int r = ncmp(&x->epoch, &y->epoch);
	return r ? r : cmp_release(x, y);
}

/* "==1.2.*": same epoch and the spec's release numbers lead the version's (padded with zeros). */
static bool prefix_match(const struct pv *v, const struct pv *spec)
{
	static const struct num z = { "0", 1 };
	int i;
	if (ncmp(&v->epoch, &spec->epoch))
		return false;
	for (i = 0; i < spec->nrel; i++)
		if (ncmp(i < v->nrel ? &v->rel[i] : &z, &spec->rel[i]))
			return false;
	return true;
}

/* Appends a number without its leading zeros. */
static void put_num(char *out, size_t cap, size_t *len, const struct num *x)
{
	const char *p = x->p;
	size_t n = x->n;
	while (n > 1 && *p == '0')
		p++, n--;
	while (n-- && *len + 1 < cap)
		out[(*len)++] = *p++;
	out[*len] = '\0';
}

static void put_str(char *out, size_t cap, size_t *len, const char *s)
{
	while (*s && *len + 1 < cap)
		out[(*len)++] = *s++;
	out[*len] = '\0';
}

/* packaging's str(Version): [N!]1.2.3[{a|b|rc}N][.postN][.devN][+local with '.' separators]. */
static void normalize(const struct pv *v, char *out, size_t cap)
{
	static const char *const kinds[] = { "a", "b", "rc" };
	size_t len = 0, i;
	int k;
	out[0] = '\0';
	if (v->epoch.n && !(v->epoch.n == 1 && v->epoch.p[0] == '0')) {
		put_num(out, cap, &len, &v->epoch);
		put_str(out, cap, &len, "!");
	}
	for (k = 0; k < v->nrel; k++) {
		if (k)
			put_str(out, cap, &len, ".");
		put_num(out, cap, &len, &v->rel[k]);
	}
	if (v->pre_kind >= 0) {
		put_str(out, cap, &len, kinds[v->pre_kind]);
		put_num(out, cap, &len, &v->pre);
	}
	if (v->has_post) {
		put_str(out, cap, &len, ".post");
		put_num(out, cap, &len, &v->post);
	}
	if (v->has_dev) {
		put_str(out, cap, &len, ".dev");
		put_num(out, cap, &len, &v->dev);
	}
	if (v->local) {
		put_str(out, cap, &len, "+");
		for (i = 0; i < v->nlocal && len + 1 < cap; i++)
			out[len++] = sep(v->local[i]) ? '.' : (char)bh_v_lower(v->local[i]);
		out[len] = '\0';
	}
}

static int one(const struct pv *v, const char *op, const char *s, size_t n, bool *ok, bool *allow_pre,
	       bh_error *err)
{
	struct pv sp;
	bool star = n >= 2 && s[n - 2] == '.' && s[n - 1] == '*';
	if (!strcmp(op, "===")) {
		/* arbitrary equality: packaging compares str(Version), i.e. the normalised text */
		char norm[2 * BH_VERSION_MAX + 16];
		size_t i;
		normalize(v, norm, sizeof(norm));
		*ok = strlen(norm) == n;
		for (i = 0; *ok && i < n; i++)
			*ok = norm[i] == bh_v_lower(s[i]);
		return 0;
	}
	if (parse(s, star ? n - 2 : n, &sp))
		return bh_error_set(err, BH_EINVAL, "PEP 440 specifier: bad version \"%.*s\"", (int)n, s);
	if (star && strcmp(op, "==") != 0 && strcmp(op, "!=") != 0)
		return bh_error_set(err, BH_EINVAL, "PEP 440 specifier: \".*\" needs == or !=");
	if (star && (sp.pre_kind >= 0 || sp.has_post || sp.has_dev || sp.local))
		return bh_error_set(err, BH_EINVAL, "PEP 440 specifier: \".*\" after a pre/post/dev/local part");
	if (strcmp(op, "!=") != 0 && strcmp(op, "<") != 0 && strcmp(op, ">") != 0 && is_pre(&sp))
		*allow_pre = true;
	if (!strcmp(op, "==") || !strcmp(op, "!=")) {
		bool eq = star ? prefix_match(v, &sp) : cmp(v, &sp, sp.local != NULL) == 0;
		*ok = op[0] == '=' ? eq : !eq;
	} else if (!strcmp(op, "~=")) {
		struct pv pfx = sp;
		if (sp.nrel < 2 || sp.local)
			return bh_error_set(err, BH_EINVAL, "PEP 440 specifier: ~= needs two release numbers and no local part");
		pfx.nrel--;
		*ok = cmp(v, &sp, false) >= 0 && prefix_match(v, &pfx);
	} else if (!strcmp(op, ">=")) {
		*ok = cmp(v, &sp, false) >= 0;
	} else if (!strcmp(op, "<=")) {
		*ok = cmp(v, &sp, false) <= 0;
	} else if (!strcmp(op, "<")) {
		/* <V excludes V's own pre-releases unless V is one */
		*ok = cmp(v, &sp, false) < 0 && (is_pre(&sp) || !is_pre(v) || cmp_base(v, &sp) != 0);
	} else if (!strcmp(op, ">")) {
		/* >V excludes V's post-releases (unless V is one) and V+local */
		*ok = cmp(v, &sp, false) > 0 && (sp.has_post || !v->has_post || cmp_base(v, &sp) != 0) &&
		      (!v->local || cmp_base(v, &sp) != 0);
	} else {
		return bh_error_set(err, BH_EINVAL, "PEP 440 specifier: unknown operator \"%s\"", op);
	}
	return 0;
}

/*
 * A specifier set: comma-separated clauses, all must hold; "||" alternatives are accepted too
 * (advisory feeds write them). As packaging does by default, a pre-release or dev version only
 * matches when some clause names a pre-release.
 */
int bh_pep440_req(const char *version, const char *req, bool *out, bh_error *err)
{
	struct pv v;
	const char *p = req;
	if (parse(version, strlen(version), &v))
		return bh_error_set(err, BH_EINVAL, "not a PEP 440 version: \"%s\"", version);
	*out = false;
	for (;;) {
		const char *bar = strstr(p, "||"), *e = bar ? bar : p + strlen(p);
		bool all = true, allow_pre = false;
		while (p < e) {
			char op[4] = "";
			size_t k = 0;
			const char *t;
			bool ok = false;
			while (p < e && (is_space(*p) || *p == ','))
				p++;
			if (p == e)
				break;
			while (p < e && k < 3 && strchr("<>=!~", *p))
				op[k++] = *p++;
			op[k] = '\0';
			if (!k)
				return bh_error_set(err, BH_EINVAL, "PEP 440 specifier without an operator: \"%s\"", req);
			while (p < e && is_space(*p))
				p++;
			t = p;
			while (p < e && *p != ',' && !is_space(*p))
				p++;
			if (t == p)
				return bh_error_set(err, BH_EINVAL, "PEP 440 specifier \"%s\" without a version", op);
			if (one(&v, op, t, (size_t)(p - t), &ok, &allow_pre, err))
				return BH_EINVAL;
			all = all && ok;
		}
		if (all && (!is_pre(&v) || allow_pre))
			*out = true;
		if (!bar)
			return 0;
		p = bar + 2;
	}
}
