/* licexpr.h - SPDX licence expressions as trees: strict parsing, joining and printing. */
#ifndef BH_CHECK_LICEXPR_H
#define BH_CHECK_LICEXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define BH_LIC_MAX_DECLARED 4096 /* longer declared strings and expressions are refused */
#define BH_LICEXPR_MAX_NEST 32   /* parentheses in one expression */

enum { BH_LICEXPR_LEAF, BH_LICEXPR_OR, BH_LICEXPR_AND, BH_LICEXPR_WITH };

/*
 * One node. LEAF: id (a licence id or LicenseRef-), plus = "+". WITH: a = the licence, id = the
 * exception. AND/OR: a and b. Every id and child is owned by its node.
 */
typedef struct bh_licexpr {
	int op;
	char *id;
	bool plus;
	struct bh_licexpr *a, *b;
} bh_licexpr;

/* Frees n and everything below it; NULL is fine. */
void bh_licexpr_free(bh_licexpr *n);

/* A leaf for id[0..n) (a trailing '+' becomes plus, except on LicenseRef-); NULL and *oom on failure. */
bh_licexpr *bh_licexpr_leaf(const char *id, size_t n, bool *oom);

/* A WITH node for exception id without its licence yet (a = NULL); NULL and *oom on failure. */
bh_licexpr *bh_licexpr_with(const char *exception_id, bool *oom);

/* True for NOASSERTION and NONE, which stand alone in SPDX and say nothing inside AND/OR. */
bool bh_licexpr_says_nothing(const bh_licexpr *n);

/*
 * a op b (op AND or OR), taking both: a NULL operand or one that says nothing is dropped, and so
 * are repeated operands ("MIT and MIT"). NULL and *oom when out of memory (both freed).
 */
bh_licexpr *bh_licexpr_join(int op, bh_licexpr *a, bh_licexpr *b, bool *oom);

/*
 * A whole SPDX expression (AND, OR, WITH case-insensitive, parentheses up to BH_LICEXPR_MAX_NEST
 * deep), or NULL: a syntax error, or out of memory when *oom is set. The tree is the caller's.
 */
bh_licexpr *bh_licexpr_parse(const char *s, bool *oom);

/* Appends n in SPDX form, parenthesised only where precedence needs it. BH_ENOMEM on failure. */
int bh_licexpr_print(bh_buf *b, const bh_licexpr *n);

#endif
