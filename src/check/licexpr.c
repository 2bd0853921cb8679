/* licexpr.c - SPDX licence expressions as trees: strict parsing, joining and printing. */
#include "check/licexpr.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

#define TOK_MAX 512 /* as check/licdata's keys: a longer word is no licence id */

void bh_licexpr_free(bh_licexpr *n)
{
	if (!n)
		return;
	bh_licexpr_free(n->a);
	bh_licexpr_free(n->b);
	free(n->id);
	free(n);
}

bh_licexpr *bh_licexpr_leaf(const char *id, size_t n, bool *oom)
{
	bh_licexpr *x = calloc(1, sizeof(*x));
	if (!x || !(x->id = bh_strndup(id, n))) {
		free(x);
		*oom = true;
		return NULL;
	}
	if (n && x->id[n - 1] == '+' && strncmp(x->id, "LicenseRef-", 11) != 0) {
		x->id[n - 1] = 0;
		x->plus = true;
	}
	return x;
}

bh_licexpr *bh_licexpr_with(const char *exception_id, bool *oom)
{
	bh_licexpr *w = calloc(1, sizeof(*w));
	if (!w || !(w->id = bh_strdup(exception_id))) {
		free(w);
		*oom = true;
		return NULL;
	}
	w->op = BH_LICEXPR_WITH;
	return w;
}

static int print_node(bh_buf *b, const bh_licexpr *n, int parent)
{
	int rc, prec = n->op == BH_LICEXPR_LEAF ? 4 : n->op == BH_LICEXPR_WITH ? 3 : n->op == BH_LICEXPR_AND ? 2 : 1;
	bool paren = prec < parent;
	if (paren && bh_buf_putc(b, '('))
		return BH_ENOMEM;
	if (n->op == BH_LICEXPR_LEAF)
		rc = bh_buf_puts(b, n->id) || (n->plus && bh_buf_putc(b, '+'));
	else if (n->op == BH_LICEXPR_WITH)
		rc = print_node(b, n->a, 4) || bh_buf_puts(b, " WITH ") || bh_buf_puts(b, n->id);
	else
		rc = print_node(b, n->a, prec) || bh_buf_puts(b, n->op == BH_LICEXPR_AND ? " AND " : " OR ") ||
		     print_node(b, n->b, prec);
	if (!rc && paren)
		rc = bh_buf_putc(b, ')');
	return rc ? BH_ENOMEM : 0;
}

int bh_licexpr_print(bh_buf *b, const bh_licexpr *n)
{
	return print_node(b, n, 0);
}

static bool same(const bh_licexpr *x, const bh_licexpr *y)
{
	if (x->op != y->op || x->plus != y->plus || !!x->id != !!y->id || (x->id && strcmp(x->id, y->id) != 0))
		return false;
	return (!x->a || same(x->a, y->a)) && (!x->b || same(x->b, y->b));
}

/* True when y already appears as an operand of the op-chain x. */
static bool in_chain(const bh_licexpr *x, const bh_licexpr *y, int op)
{
	if (x->op == op)
		return in_chain(x->a, y, op) || in_chain(x->b, y, op);
	return same(x, y);
}

bool bh_licexpr_says_nothing(const bh_licexpr *n)
{
	return n && n->op == BH_LICEXPR_LEAF && n->id && (!strcmp(n->id, "NOASSERTION") || !strcmp(n->id, "NONE"));
}

bh_licexpr *bh_licexpr_join(int op, bh_licexpr *a, bh_licexpr *b, bool *oom)
{
	bh_licexpr *x;
	if (!a || !b)
		return a ? a : b;
	if (bh_licexpr_says_nothing(b)) {
		bh_licexpr_free(b);
		return a;
	}
	if (bh_licexpr_says_nothing(a)) {
		bh_licexpr_free(a);
		return b;
	}
	if (b->op == op) {
		/* a op (b1 op b2) = (a op b1) op b2, so repeats inside b are dropped too */
		bh_licexpr *b1 = b->a, *b2 = b->b;
		b->a = b->b = NULL;
		bh_licexpr_free(b);
		return bh_licexpr_join(op, bh_licexpr_join(op, a, b1, oom), b2, oom);
	}
	if (in_chain(a, b, op)) {
		bh_licexpr_free(b);
		return a;
	}
	if (!(x = calloc(1, sizeof(*x)))) {
		*oom = true;
		bh_licexpr_free(a);
		bh_licexpr_free(b);
		return NULL;
	}
	x->op = op;
	x->a = a;
	x->b = b;
	return x;
}

/* ---- strict SPDX syntax ---- */

struct lex {
	const char *p;
	char tok[TOK_MAX];
	int kind; /* 0 end, '(' ')', 'w' word, 'A' AND, 'O' OR, 'W' WITH, 'x' too long */
	unsigned depth;
	bool *oom;
};

static void lex_next(struct lex *x)
{
	size_t n = 0;
	while (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n')
		x->p++;
	if (!*x->p) {
		x->kind = 0;
		return;
	}
	if (*x->p == '(' || *x->p == ')') {
		x->kind = (unsigned char)*x->p++;
		return;
	}
	while (*x->p && !strchr(" \t\r\n()", *x->p)) {
		if (n + 1 < sizeof(x->tok))
			x->tok[n] = *x->p;
		n++;
		x->p++;
	}
	if (n >= sizeof(x->tok)) {
		x->kind = 'x';
		return;
	}
	x->tok[n] = 0;
	x->kind = !strcasecmp(x->tok, "AND") ? 'A' : !strcasecmp(x->tok, "OR") ? 'O' : !strcasecmp(x->tok, "WITH") ? 'W' : 'w';
}

static bh_licexpr *strict_or(struct lex *x);

static bh_licexpr *strict_prim(struct lex *x)
{
	bh_licexpr *n;
	if (x->kind == '(') {
		if (++x->depth > BH_LICEXPR_MAX_NEST)
			return NULL;
		lex_next(x);
		n = strict_or(x);
		x->depth--;
		if (!n || x->kind != ')') {
			bh_licexpr_free(n);
			return NULL;
		}
		lex_next(x);
		return n;
	}
	if (x->kind != 'w')
		return NULL;
	n = bh_licexpr_leaf(x->tok, strlen(x->tok), x->oom);
	lex_next(x);
	if (n && x->kind == 'W') {
		bh_licexpr *w;
		lex_next(x);
		if (x->kind != 'w' || !(w = bh_licexpr_with(x->tok, x->oom))) {
			bh_licexpr_free(n);
			return NULL;
		}
		w->a = n;
		n = w;
		lex_next(x);
	}
	return n;
}

static bh_licexpr *strict_and(struct lex *x)
{
	bh_licexpr *n = strict_prim(x);
	while (n && x->kind == 'A') {
		bh_licexpr *r;
		lex_next(x);
		if (!(r = strict_prim(x))) {
			bh_licexpr_free(n);
			return NULL;
		}
		n = bh_licexpr_join(BH_LICEXPR_AND, n, r, x->oom);
	}
	return n;
}

static bh_licexpr *strict_or(struct lex *x)
{
	bh_licexpr *n = strict_and(x);
	while (n && x->kind == 'O') {
		bh_licexpr *r;
		lex_next(x);
		if (!(r = strict_and(x))) {
			bh_licexpr_free(n);
			return NULL;
		}
		n = bh_licexpr_join(BH_LICEXPR_OR, n, r, x->oom);
	}
	return n;
}

bh_licexpr *bh_licexpr_parse(const char *s, bool *oom)
{
	struct lex x;
	bh_licexpr *n;
	memset(&x, 0, sizeof(x));
	x.p = s;
	x.oom = oom;
	lex_next(&x);
	n = strict_or(&x);
	if (n && x.kind != 0) {
		bh_licexpr_free(n);
		return NULL;
	}
	return n;
}
