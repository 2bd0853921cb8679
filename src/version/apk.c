/* apk.c - Alpine version ordering as apk-tools 3 defines it: digits, one letter, _suffixes
 * (alpha beta pre rc < none < cvs svn git hg p), ~commit hash, -rN revision. */
#include <string.h>

#include "version/schemes.h"

/*
 * Why apk-tools 3 and not 2: apk-tools 2 ranked "1.0_rc1" above "1.0" (after a ".0" the end of
 * the other string outranked a pre-release suffix), which apk-tools 3 fixed and pins in its unit
 * data ("6.0_pre1 < 6.0"). secdb keys without -rN ("7.51.0") meet installed pre-releases
 * ("7.51.0_rc1-r0"), so the old order missed real findings. apk-tools 3 also gives every string
 * an order (comparison runs token by token until one side stops being a version), so a secfixes
 * key with a malformed tail ("4.10-1-r1") still decides against versions that differ before it.
 */

/* Token kinds in grammar order. When two versions agree up to where one has a later kind than the
 * other (say END against a REVISION), the one with the later kind is the older: a version that
 * stops (END) or turns into garbage (INVALID) ranks below one that goes on. */
enum { T_INITIAL, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_HASH, T_REVISION, T_END, T_INVALID };

/* Suffix ranks: pre-releases below SUF_NONE, post-releases above. */
enum { SUF_INVALID = -1, SUF_ALPHA, SUF_BETA, SUF_PRE, SUF_RC, SUF_NONE, SUF_CVS, SUF_SVN, SUF_GIT, SUF_HG, SUF_P };

struct tok {
	int kind;
	int suffix;
	const char *v; /* the token's text (digits, letter, suffix name, hash) */
	size_t n;
};

struct cur {
	const char *p;
	size_t len;
};

static bool lower(int c) { return c >= 'a' && c <= 'z'; }
static bool hexdigit(int c) { return bh_v_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static int suffix_rank(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int rank;
	} names[] = { { "alpha", SUF_ALPHA }, { "beta", SUF_BETA }, { "pre", SUF_PRE }, { "rc", SUF_RC },
		      { "cvs", SUF_CVS },     { "svn", SUF_SVN },   { "git", SUF_GIT }, { "hg", SUF_HG }, { "p", SUF_P } };
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
			return names[i].rank;
	return SUF_INVALID;
}

static void digits(struct tok *t, struct cur *c)
{
	size_t i = 0;
	while (i < c->len && bh_v_digit(c->p[i]))
		i++;
	t->v = c->p;
	t->n = i;
	c->p += i;
	c->len -= i;
	if (i == 0)
		t->kind = T_INVALID;
}

static void first(struct tok *t, struct cur *c)
{
	t->kind = T_INITIAL;
	digits(t, c);
}

/* Reads the next token; which kinds may follow which is the grammar of an Alpine version. */
static void next(struct tok *t, struct cur *c)
{
	size_t i;
	if (c->len == 0) {
		t->kind = T_END;
		return;
	}
	switch (c->p[0]) {
	case '.':
		if (t->kind > T_DIGIT)
			goto invalid;
		c->p++;
		c->len--;
		t->kind = T_DIGIT;
		digits(t, c);
		return;
	case '_':
		if (t->kind > T_SUFFIX_NO)
			goto invalid;
		c->p++;
		c->len--;
		for (i = 0; i < c->len && lower(c->p[i]); i++)
			;
		t->v = c->p;
		t->n = i;
		c->p += i;
		c->len -= i;
		if ((t->suffix = suffix_rank(t->v, t->n)) == SUF_INVALID)
			goto invalid;
		t->kind = T_SUFFIX;
		return;
	case '~':
		if (t->kind >= T_HASH)
			goto invalid;
		c->p++;
		c->len--;
		for (i = 0; i < c->len && hexdigit(c->p[i]); i++)
			;
		if (i == 0)
			goto invalid;
		t->v = c->p;
		t->n = i;
		c->p += i;
		c->len -= i;
		t->kind = T_HASH;
		return;
	case '-':
		if (t->kind >= T_REVISION || c->len < 2 || c->p[1] != 'r')
			goto invalid;
		c->p += 2;
		c->len -= 2;
		t->kind = T_REVISION;
		digits(t, c);
		return;
	default:
		break;
	}
	if (lower(c->p[0])) {
		if (t->kind > T_DIGIT)
			goto invalid;
		t->v = c->p;
		t->n = 1;
		c->p++;
		c->len--;
		t->kind = T_LETTER;
		return;
	}
	if (bh_v_digit(c->p[0]) && t->kind == T_SUFFIX) {
		t->kind = T_SUFFIX_NO;
		digits(t, c);
		return;
	}
invalid:
	t->kind = T_INVALID;
}

/* Byte order, then the shorter first (apk-tools' blob sort). */
static int textcmp(const struct tok *a, const struct tok *b)
{
	int r = memcmp(a->v, b->v, a->n < b->n ? a->n : b->n);
	if (r)
		return r < 0 ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

/* Two tokens of the same kind. */
static int tokcmp(const struct tok *a, const struct tok *b)
{
	switch (a->kind) {
	case T_DIGIT:
		/* a leading zero makes the part a string ("1.01" < "1.1", Gentoo's rule) */
		if (a->v[0] == '0' || b->v[0] == '0')
			return textcmp(a, b);
		/* fall through */
	case T_INITIAL:
	case T_SUFFIX_NO:
	case T_REVISION:
		return bh_v_numcmp(a->v, a->n, b->v, b->n);
	case T_LETTER:
		return (unsigned char)a->v[0] < (unsigned char)b->v[0] ? -1 : a->v[0] != b->v[0];
	case T_SUFFIX:
		return a->suffix < b->suffix ? -1 : a->suffix > b->suffix;
	default:
		return textcmp(a, b);
	}
}

int bh_vcmp_apk(const char *a, const char *b, int *out)
{
	struct cur ca = { a, strlen(a) }, cb = { b, strlen(b) };
	struct tok ta, tb;
	int r;
	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	for (first(&ta, &ca), first(&tb, &cb); ta.kind == tb.kind && ta.kind < T_END; next(&ta, &ca), next(&tb, &cb)) {
		if ((r = tokcmp(&ta, &tb)) != 0) {
			*out = r;
			return 0;
		}
	}
	if (ta.kind == tb.kind) {
		*out = 0;
		return 0;
	}
	/* equal so far: the side that goes on is newer, unless what follows is a pre-release */
	if (ta.kind == T_SUFFIX && ta.suffix < SUF_NONE)
		*out = -1;
	else if (tb.kind == T_SUFFIX && tb.suffix < SUF_NONE)
		*out = 1;
	else
		*out = ta.kind > tb.kind ? -1 : 1;
	return 0;
}
