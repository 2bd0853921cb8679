/* check.c - the list of check findings: a rule turned into a finding, copy-in, order, removal. */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static const char *dup(const char *s, int *bad)
{
	char *d;
	if (!s)
		return NULL;
	if (!(d = bh_strdup(s)))
		*bad = 1;
	return d;
}

static void clear(bh_check_finding *f)
{
	free((char *)f->rule); free((char *)f->cis); free((char *)f->category); free((char *)f->title);
	free((char *)f->detail); free((char *)f->why); free((char *)f->fix); free((char *)f->target);
	free((char *)f->path); free((char *)f->layer); free((char *)f->status);
}

int bh_checks_add(bh_checks *l, const bh_check_finding *f)
{
	bh_check_finding *x;
	int bad = 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16, bytes;
		bh_check_finding *n;
		if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(l->items, bytes)))
			return BH_ENOMEM;
		l->items = n;
		l->cap = ncap;
	}
	x = &l->items[l->n];
	memset(x, 0, sizeof(*x));
	x->severity = f->severity;
	x->line = f->line;
	x->rule = dup(f->rule, &bad); x->cis = dup(f->cis, &bad); x->category = dup(f->category, &bad);
	x->title = dup(f->title, &bad); x->detail = dup(f->detail, &bad); x->why = dup(f->why, &bad);
	x->fix = dup(f->fix, &bad); x->target = dup(f->target, &bad); x->path = dup(f->path, &bad);
	x->layer = dup(f->layer, &bad); x->status = dup(f->status, &bad);
	if (bad) {
		clear(x);
		return BH_ENOMEM;
	}
	l->n++;
	return 0;
}

int bh_checks_emit(bh_checks *l, const bh_rule *r, const bh_check_at *at)
{
	bh_check_finding f;
	memset(&f, 0, sizeof(f));
	f.rule = at->id ? at->id : r->id;
	f.cis = r->cis;
	f.category = at->category;
	f.severity = at->severity ? at->severity : r->severity;
	if (at->status && strcmp(at->status, "not-applicable") == 0)
		f.severity = BH_SEV_UNKNOWN;
	f.title = at->title ? at->title : r->title;
	f.detail = at->detail;
	f.why = at->why ? at->why : r->why;
	f.fix = at->fix ? at->fix : r->fix;
	f.target = at->target;
	f.path = at->path;
	f.line = at->line;
	f.layer = at->layer;
	f.status = at->status;
	return bh_checks_add(l, &f);
}

void bh_checks_free(bh_checks *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int scmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int fcmp(const void *pa, const void *pb)
{
	const bh_check_finding *a = pa, *b = pb;
	int r;
	if (a->severity != b->severity)
		return (int)b->severity - (int)a->severity;
	if ((r = scmp(a->target, b->target)) || (r = scmp(a->path, b->path)))
		return r;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return scmp(a->rule, b->rule);
}

void bh_checks_sort(bh_checks *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), fcmp);
}

void bh_checks_remove(bh_checks *l, size_t i)
{
	if (i >= l->n)
		return;
	clear(&l->items[i]);
	memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof(*l->items));
	l->n--;
}
