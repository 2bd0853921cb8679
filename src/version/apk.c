/* apk.c - Alpine version ordering as apk-tools 2 version.c: a token machine over digits, one letter,
 * _suffixes (alpha beta pre rc < none < cvs svn git hg p) and the -rN revision. */
#include <string.h>

#include "version/schemes.h"

enum { T_INVALID = -1, T_DIGIT_OR_ZERO, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_REVISION_NO, T_END };

/* A token value: small integers exactly; digit runs longer than 18 digits kept as text (apk-tools
 * would overflow an int there; we keep the order numeric instead). */
struct val {
	long long v;
	const char *big;
	size_t nbig;
};

struct blob {
	const char *p;
	size_t len;
};

static int vcmp(const struct val *a, const struct val *b)
{
	if (a->big && b->big)
		return bh_v_numcmp(a->big, a->nbig, b->big, b->nbig);
	if (a->big || b->big)
		return a->big ? 1 : -1;
	return a->v < b->v ? -1 : a->v > b->v;
}

static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }

static void next_token(int *type, struct blob *b)
{
	int n = T_INVALID;
	if (b->len == 0 || b->p[0] == 0) {
		n = T_END;
	} else if ((*type == T_DIGIT || *type == T_DIGIT_OR_ZERO) && is_lower(b->p[0])) {
		n = T_LETTER;
	} else if (*type == T_LETTER && bh_v_digit(b->p[0])) {
		n = T_DIGIT;
	} else if (*type == T_SUFFIX && bh_v_digit(b->p[0])) {
		n = T_SUFFIX_NO;
	} else {
		switch (b->p[0]) {
		case '.': n = T_DIGIT_OR_ZERO; break;
		case '_': n = T_SUFFIX; break;
		case '-':
			if (b->len > 1 && b->p[1] == 'r') {
				n = T_REVISION_NO;
				b->p++;
				b->len--;
			}
			break;
		default: break;
		}
		b->p++;
		b->len--;
	}
	if (n < *type) {
		if (!((n == T_DIGIT_OR_ZERO && *type == T_DIGIT) || (n == T_SUFFIX && *type == T_SUFFIX_NO) ||
		      (n == T_DIGIT && *type == T_LETTER)))
			n = T_INVALID;
	}
	*type = n;
}

static bool prefix(const struct blob *b, const char *w, size_t *n)
{
	*n = strlen(w);
	return *n <= b->len && !memcmp(b->p, w, *n);
}

static void get_token(int *type, struct blob *b, struct val *out)
{
	static const char *const pre[] = { "alpha", "beta", "pre", "rc" };
	static const char *const post[] = { "cvs", "svn", "git", "hg", "p" };
	size_t i = 0, k;
	int nt = T_INVALID;
	memset(out, 0, sizeof(*out));
	if (b->len == 0) {
		*type = T_END;
		return;
	}
	switch (*type) {
	case T_DIGIT_OR_ZERO:
		/* leading zeros after a dot: "1.01" < "1.1", more zeros sort lower */
		if (b->p[0] == '0') {
			while (i < b->len && b->p[i] == '0')
				i++;
			nt = T_DIGIT;
			out->v = -(long long)i;
			break;
		}
		/* fall through */
	case T_DIGIT:
	case T_SUFFIX_NO:
	case T_REVISION_NO:
		while (i < b->len && bh_v_digit(b->p[i]))
			i++;
		{
			size_t z = 0;
			while (z < i && b->p[z] == '0')
				z++;
			if (i - z > 18) {
				out->big = b->p;
				out->nbig = i;
			} else {
				for (k = z; k < i; k++)
					out->v = out->v * 10 + (b->p[k] - '0');
			}
		}
		break;
	case T_LETTER:
		out->v = (unsigned char)b->p[0];
		i = 1;
		break;
	case T_SUFFIX:
		for (k = 0; k < 4; k++)
			if (prefix(b, pre[k], &i)) {
				out->v = (long long)k - 4;
				break;
			}
		if (k < 4)
			break;
		for (k = 0; k < 5; k++)
			if (prefix(b, post[k], &i)) {
				out->v = (long long)k;
				break;
			}
		if (k < 5)
			break;
		*type = T_INVALID; /* unknown suffix */
		return;
	default:
		*type = T_INVALID;
		return;
	}
	b->p += i;
	b->len -= i;
	if (b->len == 0)
		*type = T_END;
	else if (nt != T_INVALID)
		*type = nt;
	else
		next_token(type, b);
}

static bool valid(const char *s)
{
	struct blob b = { s, strlen(s) };
	struct val v;
	int t = T_DIGIT;
	while (t != T_END && t != T_INVALID)
		get_token(&t, &b, &v);
	return t == T_END;
}

/* apk_version_compare_blob_fuzzy without the fuzzy part. */
int bh_vcmp_apk(const char *a, const char *b, int *out)
{
	struct blob x = { a, strlen(a) }, y = { b, strlen(b) };
	struct val av = { 0, NULL, 0 }, bv = { 0, NULL, 0 }, tmp;
	int at = T_DIGIT, bt = T_DIGIT, tt, r;
	if (!valid(a))
		return 1;
	if (!valid(b))
		return 2;
	while (at == bt && at != T_END && at != T_INVALID && vcmp(&av, &bv) == 0) {
		get_token(&at, &x, &av);
		get_token(&bt, &y, &bv);
	}
	if ((r = vcmp(&av, &bv)) != 0) {
		*out = r;
		return 0;
	}
	if (at == bt) {
		*out = 0;
		return 0;
	}
	/* the longer one is newer, unless what it has left is a pre-release suffix */
	tt = at;
	if (at == T_SUFFIX) {
		struct blob c = x;
		get_token(&tt, &c, &tmp);
		if (tmp.v < 0 && !tmp.big) {
			*out = -1;
			return 0;
		}
	}
	tt = bt;
	if (bt == T_SUFFIX) {
		struct blob c = y;
		get_token(&tt, &c, &tmp);
		if (tmp.v < 0 && !tmp.big) {
			*out = 1;
			return 0;
		}
	}
	*out = at > bt ? -1 : bt > at ? 1 : 0;
	return 0;
}
