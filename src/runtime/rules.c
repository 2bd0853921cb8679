/* rules.c - rule files loaded with their positions, Falco's overrides applied, compiled into an index by event type. */
#include "runtime/rules.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/suggest.h"

/* Bounds on hostile rule files. */
#define MAX_FILE (16u << 20)
#define MAX_DEPTH 32
#define MAX_YNODES 1000000
#define MAX_LIST_DEPTH 16

/* ------------------------------------------------------------------ YAML with positions */

/*
 * core/yaml.h gives values without positions; rule errors need FILE:LINE:COL, so the rules keep a
 * small tree of their own from libyaml's events (aliases refused, depth and node count bounded).
 */
enum { Y_SCALAR, Y_SEQ, Y_MAP };

typedef struct ynode {
	int kind;
	char *s; /* scalar */
	size_t slen;
	size_t line, col; /* 0-based, from libyaml */
	bool plain;       /* an unquoted scalar */
	struct ynode **kids; /* map: key, value, key, value, ... */
	size_t n;
} ynode;

struct ystate {
	yaml_parser_t p;
	size_t nodes;
	const char *label;
	bh_error *err;
};

static void ynode_free(ynode *y)
{
	size_t i;
	if (!y)
		return;
	for (i = 0; i < y->n; i++)
		ynode_free(y->kids[i]);
	free(y->kids);
	free(y->s);
	free(y);
}

static int ynext(struct ystate *st, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&st->p, ev))
		return bh_error_set(st->err, BH_EINVAL, "%s:%zu:%zu: YAML: %s", st->label, st->p.problem_mark.line + 1,
				    st->p.problem_mark.column + 1, st->p.problem ? st->p.problem : "syntax error");
	return 0;
}

static int ynode_read(struct ystate *st, yaml_event_t *ev, unsigned depth, ynode **out);

static int ycoll(struct ystate *st, ynode *y, unsigned depth)
{
	for (;;) {
		yaml_event_t ev;
		ynode *k;
		ynode **kk;
		int rc;
		if ((rc = ynext(st, &ev)))
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if ((rc = ynode_read(st, &ev, depth + 1, &k)))
			return rc;
		if (!(kk = realloc(y->kids, (y->n + 1) * sizeof(ynode *)))) {
			ynode_free(k);
			return bh_error_set(st->err, BH_ENOMEM, "out of memory");
		}
		y->kids = kk;
		y->kids[y->n++] = k;
	}
}

static int ynode_read(struct ystate *st, yaml_event_t *ev, unsigned depth, ynode **out)
{
	ynode *y;
	int rc = 0;
	*out = NULL;
	if (++st->nodes > MAX_YNODES || depth > MAX_DEPTH) {
		yaml_event_delete(ev);
		return bh_error_set(st->err, BH_ELIMIT, "%s:%zu:%zu: YAML nested deeper than %d levels or more than %d nodes", st->label,
				    ev->start_mark.line + 1, ev->start_mark.column + 1, MAX_DEPTH, MAX_YNODES);
	}
	if (!(y = calloc(1, sizeof(*y)))) {
		yaml_event_delete(ev);
		return bh_error_set(st->err, BH_ENOMEM, "out of memory");
	}
	y->line = ev->start_mark.line;
	y->col = ev->start_mark.column;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		y->kind = Y_SCALAR;
		y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		y->slen = ev->data.scalar.length;
		if (!(y->s = malloc(y->slen + 1)))
			rc = bh_error_set(st->err, BH_ENOMEM, "out of memory");
		else {
			memcpy(y->s, ev->data.scalar.value, y->slen);
			y->s[y->slen] = '\0';
		}
		yaml_event_delete(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		y->kind = ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
		yaml_event_delete(ev);
		rc = ycoll(st, y, depth);
		break;
	default:
		rc = bh_error_set(st->err, BH_EINVAL, "%s:%zu:%zu: YAML %s are not accepted", st->label, ev->start_mark.line + 1,
				  ev->start_mark.column + 1, ev->type == YAML_ALIAS_EVENT ? "aliases" : "structures of this kind");
		yaml_event_delete(ev);
	}
	if (rc) {
		ynode_free(y);
		return rc;
	}
	*out = y;
	return 0;
}

/* The first document of data; *out NULL for an empty file. */
static int yload(const char *data, size_t len, const char *label, ynode **out, bh_error *err)
{
	struct ystate st;
	yaml_event_t ev;
	int rc;
	memset(&st, 0, sizeof(st));
	st.label = label;
	st.err = err;
	*out = NULL;
	if (!yaml_parser_initialize(&st.p))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&st.p, (const unsigned char *)data, len);
	for (;;) {
		if ((rc = ynext(&st, &ev)))
			break;
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		rc = ynode_read(&st, &ev, 0, out);
		break;
	}
	yaml_parser_delete(&st.p);
	return rc;
}

static const ynode *ymap_get(const ynode *m, const char *key)
{
	size_t i;
	if (!m || m->kind != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->kind == Y_SCALAR && !strcmp(m->kids[i]->s, key))
			return m->kids[i + 1];
	return NULL;
}

/* ------------------------------------------------------------------ the set */

struct src {
	char *label;
	char *data;
	size_t len;
	ynode *root;
};

/* A piece of a condition text and the YAML scalar it came from (for positions). */
struct seg {
	size_t off, len;
	const struct src *src;
	const ynode *node;
	bool align; /* the text is the scalar's value: positions inside it can be found */
};

struct ctext {
	char *text;
	struct seg *seg;
	size_t nseg;
};

struct list {
	char *name;
	char **items;
	size_t n;
	char **exp; /* expanded at compile */
	size_t nexp;
	int state; /* 0 not expanded, 1 expanding, 2 done */
	bool used;
	const struct src *src;
	const ynode *node;
};

struct macro {
	char *name;
	struct ctext cond;
	bool used;
	const struct src *src;
	const ynode *node;
};

struct exc {
	char *name;
	const ynode *fields, *comps, *item;
	const ynode **values; /* the value entries, appended ones too */
	size_t nvalues;
	const struct src *src;
};

struct outseg {
	char *lit;        /* literal text, or NULL for a field */
	bh_cond_field f;
};

struct rule {
	bh_rules_rule pub;
	struct ctext cond;
	struct exc *exc;
	size_t nexc;
	const struct src *src;
	const ynode *node, *outnode;
	bh_cond *c;
	struct outseg *out;
	size_t nout;
	uint32_t types;
	bool skip; /* another source than syscall */
};

struct bh_rules {
	struct src **srcs;
	size_t nsrcs;
	struct list *lists;
	size_t nlists;
	struct macro *macros;
	size_t nmacros;
	const char **macro_names;
	struct rule *rules;
	size_t nrules;
	bh_rules_diag *diags;
	size_t ndiags;
	size_t nerrors;
	bool counting; /* compile of rules: references count as uses */
	size_t *index[BH_RT__TYPE_COUNT];
	size_t nindex[BH_RT__TYPE_COUNT];
	bh_error first;
};

bh_rules *bh_rules_new(void) { return calloc(1, sizeof(bh_rules)); }

static void ctext_free(struct ctext *t)
{
	free(t->text);
	free(t->seg);
	memset(t, 0, sizeof(*t));
}

static void strv_free(char **v, size_t n)
{
	size_t i;
	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void rule_compiled_free(struct rule *r)
{
	size_t i;
	bh_cond_free(r->c);
	r->c = NULL;
	for (i = 0; i < r->nout; i++) {
		free(r->out[i].lit);
		bh_cond_field_free(&r->out[i].f);
	}
	free(r->out);
	r->out = NULL;
	r->nout = 0;
}

static void exc_free(struct exc *e)
{
	free(e->name);
	free(e->values);
}

static void rule_free(struct rule *r)
{
	size_t i;
	free(r->pub.name);
	free(r->pub.desc);
	free(r->pub.condition);
	free(r->pub.output);
	free(r->pub.source);
	strv_free(r->pub.tags, r->pub.ntags);
	ctext_free(&r->cond);
	for (i = 0; i < r->nexc; i++)
		exc_free(&r->exc[i]);
	free(r->exc);
	rule_compiled_free(r);
}

void bh_rules_free(bh_rules *r)
{
	size_t i;
	int t;
	if (!r)
		return;
	for (i = 0; i < r->nsrcs; i++) {
		free(r->srcs[i]->label);
		free(r->srcs[i]->data);
		ynode_free(r->srcs[i]->root);
		free(r->srcs[i]);
	}
	free(r->srcs);
	for (i = 0; i < r->nlists; i++) {
		free(r->lists[i].name);
		strv_free(r->lists[i].items, r->lists[i].n);
		strv_free(r->lists[i].exp, r->lists[i].nexp);
	}
	free(r->lists);
	for (i = 0; i < r->nmacros; i++) {
		free(r->macros[i].name);
		ctext_free(&r->macros[i].cond);
	}
	free(r->macros);
	free(r->macro_names);
	for (i = 0; i < r->nrules; i++)
		rule_free(&r->rules[i]);
	free(r->rules);
	for (i = 0; i < r->ndiags; i++)
		free(r->diags[i].msg);
	free(r->diags);
	for (t = 0; t < BH_RT__TYPE_COUNT; t++)
		free(r->index[t]);
	free(r);
}

const bh_rules_diag *bh_rules_diags(const bh_rules *r, size_t *n)
{
	*n = r->ndiags;
	return r->diags;
}

size_t bh_rules_count(const bh_rules *r) { return r->nrules; }
const bh_rules_rule *bh_rules_rule_at(const bh_rules *r, size_t i) { return i < r->nrules ? &r->rules[i].pub : NULL; }

static struct rule *rule_find(const bh_rules *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->nrules; i++)
		if (!strcmp(r->rules[i].pub.name, name))
			return &r->rules[i];
	return NULL;
}

const bh_rules_rule *bh_rules_lookup(const bh_rules *r, const char *name)
{
	struct rule *x = rule_find(r, name);
	return x ? &x->pub : NULL;
}

static const char *const prio_names[] = { "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFORMATIONAL", "DEBUG" };
static const char *const act_names[] = { "alert", "kill", "pause", "stop", "quarantine" };

const char *bh_rules_priority_name(bh_rules_priority p) { return (unsigned)p < 8 ? prio_names[p] : "?"; }
const char *bh_rules_action_name(bh_rules_action a) { return (unsigned)a < 5 ? act_names[a] : "?"; }

/* ------------------------------------------------------------------ diagnostics */

static void diag_add(bh_rules *r, bool warning, const char *msg)
{
	bh_rules_diag *d = realloc(r->diags, (r->ndiags + 1) * sizeof(*d));
	if (!d)
		return;
	r->diags = d;
	d[r->ndiags].warning = warning;
	if ((d[r->ndiags].msg = strdup(msg)))
		r->ndiags++;
	if (!warning && r->nerrors++ == 0)
		bh_error_set(&r->first, BH_EINVAL, "%s", msg);
}

static void diag(bh_rules *r, bool warning, const struct src *s, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void diag(bh_rules *r, bool warning, const struct src *s, size_t line, size_t col, const char *fmt, ...)
{
	char msg[BH_ERROR_MSG_MAX], full[BH_ERROR_MSG_MAX + 300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s:%zu:%zu: %s%s", s ? s->label : "?", line + 1, col + 1, warning ? "warning: " : "", msg);
	diag_add(r, warning, full);
}

#define DIAG_AT(r, w, s, y, ...) diag((r), (w), (s), (y) ? (y)->line : 0, (y) ? (y)->col : 0, __VA_ARGS__)

/* Byte offset in the source of a 0-based line and column (columns count characters). */
static size_t src_offset(const struct src *s, size_t line, size_t col)
{
	size_t i = 0, l = 0;
	while (l < line && i < s->len) {
		if (s->data[i++] == '\n')
			l++;
	}
	while (col > 0 && i < s->len && s->data[i] != '\n') {
		i++;
		while (i < s->len && ((unsigned char)s->data[i] & 0xc0) == 0x80)
			i++;
		col--;
	}
	return i;
}

static void offset_linecol(const struct src *s, size_t off, size_t *line, size_t *col)
{
	size_t i;
	*line = *col = 0;
	for (i = 0; i < off && i < s->len; i++) {
		if (s->data[i] == '\n') {
			(*line)++;
			*col = 0;
		} else if (((unsigned char)s->data[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/*
 * Where byte off of a scalar's value is in the source: the value and the source are walked side by
 * side from the scalar's start, skipping what YAML folds away (line breaks, indentation, quotes,
 * block indicators), so plain, quoted, folded and literal scalars all point at the right column.
 */
static void scalar_pos(const struct src *s, const ynode *y, size_t off, size_t *line, size_t *col)
{
	size_t j = src_offset(s, y->line, y->col), i = 0;
	const char *v = y->s;
	if (j < s->len && (s->data[j] == '|' || s->data[j] == '>')) {
		while (j < s->len && s->data[j] != '\n')
			j++;
	}
	while (i < off && i < y->slen && j < s->len) {
		char a = v[i], b = s->data[j];
		if (a != b && (isspace((unsigned char)b) || b == '"' || b == '\'' || b == '\\')) {
			j++;
		} else if (a != b && isspace((unsigned char)a)) {
			i++;
		} else { /* the same character, or an escape YAML resolved: both move on */
			i++;
			j++;
		}
	}
	/* land on the character itself, not on folded whitespace before it */
	while (i < y->slen && j < s->len && v[i] != s->data[j] && (isspace((unsigned char)s->data[j]) || s->data[j] == '"' || s->data[j] == '\''))
		j++;
	offset_linecol(s, j, line, col);
}

static void ctext_pos(const struct ctext *t, size_t off, const struct src **s, size_t *line, size_t *col)
{
	size_t i;
	const struct seg *g = NULL;
	for (i = 0; i < t->nseg; i++)
		if (off >= t->seg[i].off && off <= t->seg[i].off + t->seg[i].len)
			g = &t->seg[i];
	if (!g && t->nseg)
		g = &t->seg[t->nseg - 1];
	if (!g) {
		*s = NULL;
		*line = *col = 0;
		return;
	}
	*s = g->src;
	if (g->align && g->node->kind == Y_SCALAR)
		scalar_pos(g->src, g->node, off - g->off, line, col);
	else {
		*line = g->node->line;
		*col = g->node->col;
	}
}

/* ------------------------------------------------------------------ condition texts */

static int ctext_set(struct ctext *t, const struct src *s, const ynode *y)
{
	ctext_free(t);
	if (!(t->text = strdup(y->s)) || !(t->seg = calloc(1, sizeof(*t->seg))))
		return BH_ENOMEM;
	t->seg[0] = (struct seg){ 0, y->slen, s, y, true };
	t->nseg = 1;
	return 0;
}

/* t becomes "(t) " + the scalar y (Falco appends condition text; the parentheses keep its meaning). */
static int ctext_append(struct ctext *t, const struct src *s, const ynode *y)
{
	size_t old = strlen(t->text), i;
	char *nt;
	struct seg *ns;
	if (!(nt = malloc(old + y->slen + 4)))
		return BH_ENOMEM;
	nt[0] = '(';
	memcpy(nt + 1, t->text, old);
	nt[1 + old] = ')';
	nt[2 + old] = ' ';
	memcpy(nt + 3 + old, y->s, y->slen + 1);
	if (!(ns = realloc(t->seg, (t->nseg + 1) * sizeof(*ns)))) {
		free(nt);
		return BH_ENOMEM;
	}
	t->seg = ns;
	for (i = 0; i < t->nseg; i++)
		t->seg[i].off += 1;
	t->seg[t->nseg++] = (struct seg){ old + 3, y->slen, s, y, true };
	free(t->text);
	t->text = nt;
	return 0;
}

/* ------------------------------------------------------------------ loading */

static char *ystr(const ynode *y) { return y && y->kind == Y_SCALAR ? strdup(y->s) : NULL; }

static int parse_bool(const ynode *y, bool *b)
{
	if (!y || y->kind != Y_SCALAR)
		return -1;
	if (!strcmp(y->s, "true") || !strcmp(y->s, "True") || !strcmp(y->s, "yes"))
		*b = true;
	else if (!strcmp(y->s, "false") || !strcmp(y->s, "False") || !strcmp(y->s, "no"))
		*b = false;
	else
		return -1;
	return 0;
}

/* Items of a string list (a sequence of scalars). */
static int strv_from(const ynode *y, char ***out, size_t *n)
{
	size_t i;
	*out = NULL;
	*n = 0;
	if (!y || y->kind != Y_SEQ)
		return -1;
	for (i = 0; i < y->n; i++)
		if (y->kids[i]->kind != Y_SCALAR)
			return -1;
	if (!(*out = calloc(y->n ? y->n : 1, sizeof(char *))))
		return BH_ENOMEM;
	for (i = 0; i < y->n; i++)
		if (!((*out)[i] = strdup(y->kids[i]->s))) {
			strv_free(*out, i);
			*out = NULL;
			return BH_ENOMEM;
		}
	*n = y->n;
	return 0;
}

static int strv_append(char ***v, size_t *n, char **add, size_t nadd)
{
	char **nv = realloc(*v, (*n + nadd + 1) * sizeof(char *));
	if (!nv)
		return BH_ENOMEM;
	*v = nv;
	if (nadd) /* add may be NULL for an empty list */
		memcpy(nv + *n, add, nadd * sizeof(char *));
	*n += nadd;
	return 0;
}

/* Checks the keys of an item against the allowed ones ("did you mean"). */
static bool keys_ok(bh_rules *r, const struct src *s, const ynode *item, const char *const *allowed, size_t nallowed, const char *what)
{
	size_t i, k;
	bool ok = true;
	for (i = 0; i + 1 < item->n; i += 2) {
		const ynode *key = item->kids[i];
		bool found = false;
		if (key->kind != Y_SCALAR) {
			DIAG_AT(r, false, s, key, "a %s key must be a string", what);
			ok = false;
			continue;
		}
		for (k = 0; k < nallowed; k++)
			if (!strcmp(allowed[k], key->s))
				found = true;
		if (!found) {
			const char *sug = bh_suggest(key->s, allowed, nallowed);
			DIAG_AT(r, false, s, key, "unknown key \"%s\" in a %s%s%s%s", key->s, what, sug ? ", did you mean " : "", sug ? sug : "",
				sug ? "?" : "");
			ok = false;
		}
	}
	return ok;
}

/* override: {key: append|replace}: mode of key (0 none, 1 append, 2 replace); -1 on an error. */
static int override_mode(bh_rules *r, const struct src *s, const ynode *ov, const char *key, const char *const *can_append,
			 size_t na, const char *const *can_replace, size_t nr)
{
	const ynode *v = ymap_get(ov, key);
	size_t i;
	if (!v)
		return 0;
	if (v->kind != Y_SCALAR || (strcmp(v->s, "append") != 0 && strcmp(v->s, "replace") != 0)) {
		DIAG_AT(r, false, s, v, "override of %s is append or replace", key);
		return -1;
	}
	if (!strcmp(v->s, "append")) {
		for (i = 0; i < na; i++)
			if (!strcmp(can_append[i], key))
				return 1;
		DIAG_AT(r, false, s, v, "%s cannot be appended to (replace it)", key);
		return -1;
	}
	for (i = 0; i < nr; i++)
		if (!strcmp(can_replace[i], key))
			return 2;
	DIAG_AT(r, false, s, v, "%s cannot be overridden", key);
	return -1;
}

static bool override_ok(bh_rules *r, const struct src *s, const ynode *ov, const char *const *keys, size_t nkeys)
{
	if (!ov)
		return true;
	if (ov->kind != Y_MAP) {
		DIAG_AT(r, false, s, ov, "override is a mapping of keys to append or replace");
		return false;
	}
	return keys_ok(r, s, ov, keys, nkeys, "override");
}

static bool name_ok(bh_rules *r, const struct src *s, const ynode *y, const char *what)
{
	if (!y || y->kind != Y_SCALAR || !y->slen) {
		DIAG_AT(r, false, s, y, "a %s needs a name", what);
		return false;
	}
	return true;
}

static void load_list(bh_rules *r, const struct src *s, const ynode *item)
{
	static const char *const keys[] = { "list", "items", "append", "override" };
	static const char *const ovk[] = { "items" };
	const ynode *name = ymap_get(item, "list"), *items = ymap_get(item, "items"), *ov = ymap_get(item, "override");
	bool append = false;
	struct list *l = NULL;
	char **v;
	size_t n, i;
	int mode = 0;
	if (!keys_ok(r, s, item, keys, 4, "list") || !name_ok(r, s, name, "list") || !override_ok(r, s, ov, ovk, 1))
		return;
	if (ymap_get(item, "append") && parse_bool(ymap_get(item, "append"), &append)) {
		DIAG_AT(r, false, s, ymap_get(item, "append"), "append is true or false");
		return;
	}
	if (ov && (mode = override_mode(r, s, ov, "items", ovk, 1, ovk, 1)) < 0)
		return;
	if (!items || strv_from(items, &v, &n)) {
		DIAG_AT(r, false, s, items ? items : item, "list %s needs items: a sequence of strings", name->s);
		return;
	}
	for (i = 0; i < r->nlists; i++)
		if (!strcmp(r->lists[i].name, name->s))
			l = &r->lists[i];
	if ((append || mode == 1) && !l) {
		DIAG_AT(r, false, s, name, "list %s to append to is not defined before", name->s);
		strv_free(v, n);
		return;
	}
	if (l && (append || mode == 1)) {
		if (strv_append(&l->items, &l->n, v, n))
			strv_free(v, n);
		else
			free(v);
		return;
	}
	if (!l) {
		struct list *nl = realloc(r->lists, (r->nlists + 1) * sizeof(*nl));
		if (!nl) {
			strv_free(v, n);
			return;
		}
		r->lists = nl;
		l = &r->lists[r->nlists++];
		memset(l, 0, sizeof(*l));
		if (!(l->name = strdup(name->s))) {
			r->nlists--;
			strv_free(v, n);
			return;
		}
	} else {
		strv_free(l->items, l->n);
	}
	l->items = v;
	l->n = n;
	l->src = s;
	l->node = item;
}

static void load_macro(bh_rules *r, const struct src *s, const ynode *item)
{
	static const char *const keys[] = { "macro", "condition", "append", "override" };
	static const char *const ovk[] = { "condition" };
	const ynode *name = ymap_get(item, "macro"), *cond = ymap_get(item, "condition"), *ov = ymap_get(item, "override");
	bool append = false;
	struct macro *m = NULL;
	size_t i;
	int mode = 0;
	if (!keys_ok(r, s, item, keys, 4, "macro") || !name_ok(r, s, name, "macro") || !override_ok(r, s, ov, ovk, 1))
		return;
	if (ymap_get(item, "append") && parse_bool(ymap_get(item, "append"), &append)) {
		DIAG_AT(r, false, s, ymap_get(item, "append"), "append is true or false");
		return;
	}
	if (ov && (mode = override_mode(r, s, ov, "condition", ovk, 1, ovk, 1)) < 0)
		return;
	if (!cond || cond->kind != Y_SCALAR) {
		DIAG_AT(r, false, s, cond ? cond : item, "macro %s needs a condition (a string)", name->s);
		return;
	}
	for (i = 0; i < r->nmacros; i++)
		if (!strcmp(r->macros[i].name, name->s))
			m = &r->macros[i];
	if ((append || mode == 1)) {
		if (!m)
			DIAG_AT(r, false, s, name, "macro %s to append to is not defined before", name->s);
		else
			ctext_append(&m->cond, s, cond);
		return;
	}
	if (!m) {
		struct macro *nm = realloc(r->macros, (r->nmacros + 1) * sizeof(*nm));
		if (!nm)
			return;
		r->macros = nm;
		m = &r->macros[r->nmacros];
		memset(m, 0, sizeof(*m));
		if (!(m->name = strdup(name->s)))
			return;
		r->nmacros++;
	}
	m->src = s;
	m->node = item;
	ctext_set(&m->cond, s, cond);
}

static int parse_priority(const char *p)
{
	size_t i;
	if (!strcasecmp(p, "INFO"))
		return BH_RULES_INFORMATIONAL;
	if (!strcasecmp(p, "WARN"))
		return BH_RULES_WARNING;
	for (i = 0; i < 8; i++)
		if (!strcasecmp(p, prio_names[i]))
			return (int)i;
	return -1;
}

static int parse_action(const char *a)
{
	size_t i;
	for (i = 0; i < 5; i++)
		if (!strcmp(a, act_names[i]))
			return (int)i;
	return -1;
}

/* Exceptions of an item into *out (checked for shape; field names and comps are checked when compiled). */
static bool load_exceptions(bh_rules *r, const struct src *s, const ynode *y, struct exc **out, size_t *nout)
{
	static const char *const keys[] = { "name", "fields", "comps", "values" };
	size_t i;
	*out = NULL;
	*nout = 0;
	if (y->kind != Y_SEQ) {
		DIAG_AT(r, false, s, y, "exceptions is a sequence of {name, fields, comps, values}");
		return false;
	}
	if (!(*out = calloc(y->n ? y->n : 1, sizeof(**out))))
		return false;
	for (i = 0; i < y->n; i++) {
		const ynode *e = y->kids[i], *name, *vals;
		struct exc *x = &(*out)[*nout];
		if (e->kind != Y_MAP || !keys_ok(r, s, e, keys, 4, "exception"))
			goto bad;
		name = ymap_get(e, "name");
		if (!name_ok(r, s, name, "exception"))
			goto bad;
		x->name = strdup(name->s);
		x->fields = ymap_get(e, "fields");
		x->comps = ymap_get(e, "comps");
		x->item = e;
		x->src = s;
		if ((vals = ymap_get(e, "values"))) {
			if (vals->kind != Y_SEQ) {
				DIAG_AT(r, false, s, vals, "exception %s: values is a sequence", name->s);
				free(x->name);
				goto bad;
			}
			if (!(x->values = calloc(vals->n ? vals->n : 1, sizeof(const ynode *)))) {
				free(x->name);
				goto bad;
			}
			if (vals->n) /* an empty sequence has no kids array */
				memcpy(x->values, vals->kids, vals->n * sizeof(const ynode *));
			x->nvalues = vals->n;
		}
		(*nout)++;
		continue;
bad:
		for (i = 0; i < *nout; i++)
			exc_free(&(*out)[i]);
		free(*out);
		*out = NULL;
		*nout = 0;
		return false;
	}
	return true;
}

/* Exceptions appended: values of a known name join it, new names are added. */
static void exceptions_append(struct rule *x, struct exc *add, size_t nadd)
{
	size_t i, k;
	for (i = 0; i < nadd; i++) {
		struct exc *e = NULL;
		for (k = 0; k < x->nexc; k++)
			if (!strcmp(x->exc[k].name, add[i].name))
				e = &x->exc[k];
		if (e && !add[i].fields) {
			const ynode **nv = realloc(e->values, (e->nvalues + add[i].nvalues + 1) * sizeof(const ynode *));
			if (nv) {
				size_t v;
				for (v = 0; v < add[i].nvalues; v++)
					nv[e->nvalues + v] = add[i].values[v];
				e->values = nv;
				e->nvalues += add[i].nvalues;
			}
			exc_free(&add[i]);
		} else {
			struct exc *ne = realloc(x->exc, (x->nexc + 1) * sizeof(*ne));
			if (!ne) {
				exc_free(&add[i]);
				continue;
			}
			x->exc = ne;
			x->exc[x->nexc++] = add[i];
		}
	}
	free(add);
}

static void set_str(char **dst, const ynode *y)
{
	char *n = ystr(y);
	if (n) {
		free(*dst);
		*dst = n;
	}
}

static void append_str(char **dst, const ynode *y)
{
	char *n;
	if (!y || y->kind != Y_SCALAR)
		return;
	if (asprintf(&n, "%s%s%s", *dst ? *dst : "", *dst && **dst ? " " : "", y->s) < 0)
		return;
	free(*dst);
	*dst = n;
}

/* A new rule at the end of the set, or NULL. */
static struct rule *rule_slot(bh_rules *r)
{
	struct rule *nr = realloc(r->rules, (r->nrules + 1) * sizeof(*nr));
	if (!nr)
		return NULL;
	r->rules = nr;
	return &r->rules[r->nrules++];
}

static void load_rule(bh_rules *r, const struct src *s, const ynode *item)
{
	static const char *const keys[] = { "rule", "desc", "condition", "output", "priority", "tags", "enabled", "exceptions", "source",
					    "append", "override", "action", "warn_evttypes", "skip-if-unknown-filter" };
	static const char *const ovk[] = { "condition", "output", "desc", "tags", "exceptions", "priority", "enabled", "action" };
	static const char *const can_append[] = { "condition", "output", "desc", "tags", "exceptions" };
	const ynode *name = ymap_get(item, "rule"), *ov = ymap_get(item, "override");
	const ynode *cond = ymap_get(item, "condition"), *desc = ymap_get(item, "desc"), *output = ymap_get(item, "output");
	const ynode *prio = ymap_get(item, "priority"), *tags = ymap_get(item, "tags"), *en = ymap_get(item, "enabled");
	const ynode *exc = ymap_get(item, "exceptions"), *source = ymap_get(item, "source"), *act = ymap_get(item, "action");
	struct rule *x;
	bool append = false, enabled = true, bad = false;
	int pr = -1, ac = 0, mode[8] = { 0 };
	size_t i;
	char **tv = NULL;
	size_t ntv = 0;
	struct exc *ev = NULL;
	size_t nev = 0;

	if (!keys_ok(r, s, item, keys, sizeof(keys) / sizeof(keys[0]), "rule") || !name_ok(r, s, name, "rule") ||
	    !override_ok(r, s, ov, ovk, 8))
		return;
	if (ymap_get(item, "append") && parse_bool(ymap_get(item, "append"), &append)) {
		DIAG_AT(r, false, s, ymap_get(item, "append"), "append is true or false");
		return;
	}
	for (i = 0; ov && i < 8; i++) {
		if ((mode[i] = override_mode(r, s, ov, ovk[i], can_append, 5, ovk, 8)) < 0)
			return;
		if (mode[i] && !ymap_get(item, ovk[i])) {
			DIAG_AT(r, false, s, ov, "override of %s without a %s key in the rule", ovk[i], ovk[i]);
			return;
		}
	}
	/* each value checked before anything changes */
	if (cond && cond->kind != Y_SCALAR)
		DIAG_AT(r, false, s, cond, "condition is a string"), bad = true;
	if (desc && desc->kind != Y_SCALAR)
		DIAG_AT(r, false, s, desc, "desc is a string"), bad = true;
	if (output && output->kind != Y_SCALAR)
		DIAG_AT(r, false, s, output, "output is a string"), bad = true;
	if (prio && (prio->kind != Y_SCALAR || (pr = parse_priority(prio->s)) < 0))
		DIAG_AT(r, false, s, prio, "priority is one of EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG"), bad = true;
	if (en && parse_bool(en, &enabled))
		DIAG_AT(r, false, s, en, "enabled is true or false"), bad = true;
	if (act && (act->kind != Y_SCALAR || (ac = parse_action(act->s)) < 0))
		DIAG_AT(r, false, s, act, "action is one of alert, kill, pause, stop, quarantine"), bad = true;
	if (source && (source->kind != Y_SCALAR))
		DIAG_AT(r, false, s, source, "source is a string"), bad = true;
	if (tags && strv_from(tags, &tv, &ntv))
		DIAG_AT(r, false, s, tags, "tags is a sequence of strings"), bad = true;
	if (!bad && exc && !load_exceptions(r, s, exc, &ev, &nev))
		bad = true;
	if (bad) {
		strv_free(tv, ntv);
		return;
	}
	x = rule_find(r, name->s);
	if (append || ov) {
		if (!x) {
			DIAG_AT(r, false, s, name, "rule %s to %s is not defined before", name->s, append ? "append to" : "override");
			goto drop;
		}
		if (append) { /* Falco's older form: condition and exceptions appended */
			if (cond)
				ctext_append(&x->cond, s, cond);
			if (nev)
				exceptions_append(x, ev, nev), ev = NULL, nev = 0;
			if (output)
				append_str(&x->pub.output, output);
			if (desc)
				append_str(&x->pub.desc, desc);
			if (ntv) {
				if (strv_append(&x->pub.tags, &x->pub.ntags, tv, ntv))
					strv_free(tv, ntv);
				else
					free(tv);
				tv = NULL;
				ntv = 0;
			}
			goto drop;
		}
		if (mode[0] == 1)
			ctext_append(&x->cond, s, cond);
		else if (mode[0] == 2)
			ctext_set(&x->cond, s, cond);
		if (mode[1] == 1)
			append_str(&x->pub.output, output);
		else if (mode[1] == 2)
			set_str(&x->pub.output, output), x->outnode = output;
		if (mode[2] == 1)
			append_str(&x->pub.desc, desc);
		else if (mode[2] == 2)
			set_str(&x->pub.desc, desc);
		if (mode[3]) {
			if (mode[3] == 2)
				strv_free(x->pub.tags, x->pub.ntags), x->pub.tags = NULL, x->pub.ntags = 0;
			if (strv_append(&x->pub.tags, &x->pub.ntags, tv, ntv))
				strv_free(tv, ntv);
			else
				free(tv);
			tv = NULL;
			ntv = 0;
		}
		if (mode[4] == 2) {
			for (i = 0; i < x->nexc; i++)
				exc_free(&x->exc[i]);
			free(x->exc);
			x->exc = NULL;
			x->nexc = 0;
		}
		if (mode[4])
			exceptions_append(x, ev, nev), ev = NULL, nev = 0;
		if (mode[5])
			x->pub.priority = (bh_rules_priority)pr;
		if (mode[6])
			x->pub.enabled = enabled;
		if (mode[7])
			x->pub.action = (bh_rules_action)ac;
		goto drop;
	}
	/* only `enabled`: switch an earlier rule */
	if (x && en && !cond && !output && !desc && !prio && item->n == 4) {
		x->pub.enabled = enabled;
		goto drop;
	}
	if (!cond || !output || !prio || !desc) {
		DIAG_AT(r, false, s, name, "rule %s needs %s", name->s, !cond ? "a condition" : !output ? "an output" : !prio ? "a priority" : "a desc");
		goto drop;
	}
	if (x)
		rule_free(x); /* a redefinition: replaced in place, keeping its order */
	else if (!(x = rule_slot(r)))
		goto drop;
	memset(x, 0, sizeof(*x));
	x->pub.name = strdup(name->s);
	x->pub.desc = ystr(desc);
	x->pub.output = ystr(output);
	x->pub.source = source ? ystr(source) : strdup("syscall");
	x->pub.priority = (bh_rules_priority)pr;
	x->pub.action = (bh_rules_action)ac;
	x->pub.enabled = enabled;
	x->pub.tags = tv;
	x->pub.ntags = ntv;
	x->pub.file = s->label;
	x->pub.line = item->line + 1;
	x->src = s;
	x->node = item;
	x->outnode = output;
	x->exc = ev;
	x->nexc = nev;
	ctext_set(&x->cond, s, cond);
	return;
drop:
	strv_free(tv, ntv);
	for (i = 0; i < nev; i++)
		exc_free(&ev[i]);
	free(ev);
}

int bh_rules_add_data(bh_rules *r, const char *data, size_t len, const char *label, bh_error *err)
{
	struct src *s, **ns;
	ynode *root = NULL;
	size_t i, before = r->nerrors;
	int rc;
	bh_error yerr;
	if (len > MAX_FILE)
		return bh_error_set(err, BH_ELIMIT, "%s: rule file larger than %u bytes", label, MAX_FILE);
	if (!(s = calloc(1, sizeof(*s))) || !(ns = realloc(r->srcs, (r->nsrcs + 1) * sizeof(struct src *)))) {
		free(s);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	r->srcs = ns;
	r->srcs[r->nsrcs++] = s;
	if (!(s->label = strdup(label)) || !(s->data = malloc(len + 1)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (len)
		memcpy(s->data, data, len);
	s->data[len] = '\0';
	s->len = len;
	bh_error_clear(&yerr);
	if ((rc = yload(s->data, len, label, &root, &yerr))) {
		diag_add(r, false, yerr.msg);
		return bh_error_set(err, rc, "%s", yerr.msg);
	}
	s->root = root;
	if (!root) /* an empty file */
		return 0;
	if (root->kind != Y_SEQ) {
		DIAG_AT(r, false, s, root, "a rule file is a sequence of - rule:, - macro: and - list: items");
		return bh_error_set(err, BH_EINVAL, "%s", r->first.msg);
	}
	for (i = 0; i < root->n; i++) {
		const ynode *item = root->kids[i];
		if (item->kind != Y_MAP || item->n < 2) {
			DIAG_AT(r, false, s, item, "an item is a mapping with rule, macro or list");
			continue;
		}
		if (ymap_get(item, "rule"))
			load_rule(r, s, item);
		else if (ymap_get(item, "macro"))
			load_macro(r, s, item);
		else if (ymap_get(item, "list"))
			load_list(r, s, item);
		else if (ymap_get(item, "required_engine_version") || ymap_get(item, "required_plugin_versions"))
			continue;
		else
			DIAG_AT(r, false, s, item, "unknown item \"%s\" (rule, macro, list, required_engine_version)",
				item->kids[0]->kind == Y_SCALAR ? item->kids[0]->s : "?");
	}
	if (r->nerrors > before)
		return bh_error_set(err, BH_EINVAL, "%s", r->first.msg);
	return 0;
}

int bh_rules_add_file(bh_rules *r, const char *path, bh_error *err)
{
	char *data;
	size_t len;
	int rc;
	if ((rc = bh_file_read_all(path, MAX_FILE, "rule file", &data, &len, err)))
		return rc;
	rc = bh_rules_add_data(r, data, len, path, err);
	free(data);
	return rc;
}

int bh_rules_add_default(bh_rules *r, bh_error *err)
{
	size_t len;
	const char *d = bh_rules_default_yaml(&len);
	return bh_rules_add_data(r, d, len, "rules/default.yaml", err);
}

/* ------------------------------------------------------------------ compiling */

static struct list *list_find(bh_rules *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->nlists; i++)
		if (!strcmp(r->lists[i].name, name))
			return &r->lists[i];
	return NULL;
}

/* Items naming another list take its items (Falco's nested lists). */
static int list_expand(bh_rules *r, struct list *l, int depth)
{
	size_t i;
	if (l->state == 2)
		return 0;
	if (l->state == 1 || depth > MAX_LIST_DEPTH) {
		DIAG_AT(r, false, l->src, l->node, "list %s refers to itself", l->name);
		l->state = 2;
		return -1;
	}
	l->state = 1;
	for (i = 0; i < l->n; i++) {
		struct list *sub = strcmp(l->items[i], l->name) ? list_find(r, l->items[i]) : NULL;
		if (sub) {
			size_t k;
			sub->used = true;
			list_expand(r, sub, depth + 1);
			for (k = 0; k < sub->nexp; k++) {
				char *c = strdup(sub->exp[k]);
				if (!c || strv_append(&l->exp, &l->nexp, &c, 1))
					free(c);
			}
		} else {
			char *c = strdup(l->items[i]);
			if (!c || strv_append(&l->exp, &l->nexp, &c, 1))
				free(c);
		}
	}
	l->state = 2;
	return 0;
}

static const char *const *env_list(void *user, const char *name, size_t *n)
{
	bh_rules *r = user;
	struct list *l = list_find(r, name);
	if (!l)
		return NULL;
	if (r->counting)
		l->used = true;
	*n = l->nexp;
	return (const char *const *)(l->exp ? l->exp : (char **)"");
}

static const char *env_macro(void *user, const char *name)
{
	bh_rules *r = user;
	size_t i;
	for (i = 0; i < r->nmacros; i++)
		if (!strcmp(r->macros[i].name, name)) {
			if (r->counting)
				r->macros[i].used = true;
			return r->macros[i].cond.text;
		}
	return NULL;
}

static const char *const *env_macro_names(void *user, size_t *n)
{
	bh_rules *r = user;
	*n = r->nmacros;
	return r->macro_names;
}

static struct macro *macro_find(bh_rules *r, const char *name)
{
	size_t i;
	for (i = 0; name && i < r->nmacros; i++)
		if (!strcmp(r->macros[i].name, name))
			return &r->macros[i];
	return NULL;
}

/* A compile error at pos: in the macro's text, or in t. */
static void cond_error(bh_rules *r, const struct ctext *t, const bh_cond_pos *pos, const bh_error *e, const char *what)
{
	const struct src *s;
	size_t line, col;
	struct macro *m = macro_find(r, pos->macro);
	ctext_pos(m ? &m->cond : t, pos->off, &s, &line, &col);
	if (m && m->cond.text != t->text)
		diag(r, false, s, line, col, "%s (in macro %s, used by %s)", e->msg, m->name, what);
	else
		diag(r, false, s, line, col, "%s", e->msg);
}

static bool bare_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || strchr("(),'\"\\", *s))
			return false;
	return true;
}

static void put_value(bh_buf *b, const char *s, bool bare_list_name)
{
	if (bare_list_name && bare_ok(s)) {
		bh_buf_puts(b, s);
		return;
	}
	bh_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			bh_buf_putc(b, '\\');
		bh_buf_putc(b, *s);
	}
	bh_buf_putc(b, '"');
}

static bool list_op(const char *c) { return !strcmp(c, "in") || !strcmp(c, "intersects") || !strcmp(c, "pmatch"); }

/* One comparison of an exception: "field comp value" (a list value for in/intersects/pmatch). */
static bool exc_cmp(bh_rules *r, const struct exc *e, bh_buf *b, const char *field, const char *comp, const ynode *v)
{
	bh_buf_printf(b, "%s %s ", field, comp);
	if (list_op(comp)) {
		size_t i;
		bh_buf_putc(b, '(');
		if (v->kind == Y_SCALAR)
			put_value(b, v->s, true);
		else if (v->kind == Y_SEQ) {
			for (i = 0; i < v->n; i++) {
				if (v->kids[i]->kind != Y_SCALAR)
					goto bad;
				if (i)
					bh_buf_puts(b, ", ");
				put_value(b, v->kids[i]->s, false);
			}
		} else
			goto bad;
		bh_buf_putc(b, ')');
		return true;
	}
	if (v->kind != Y_SCALAR)
		goto bad;
	put_value(b, v->s, false);
	return true;
bad:
	DIAG_AT(r, false, e->src, v, "exception %s: a value for %s %s must be %s", e->name, field, comp, list_op(comp) ? "a list or a list's name" : "a string");
	return false;
}

/* "field" names and "comps" of an exception, checked. */
static bool exc_shape(bh_rules *r, const struct exc *e, const char ***fields, const char ***comps, size_t *n, bool *single)
{
	size_t i;
	static const char *const eq = "=", *const in = "in";
	*fields = *comps = NULL;
	if (!e->fields) {
		DIAG_AT(r, false, e->src, e->item, "exception %s needs fields", e->name);
		return false;
	}
	*single = e->fields->kind == Y_SCALAR;
	*n = *single ? 1 : e->fields->n;
	if (!*single && (e->fields->kind != Y_SEQ || !*n)) {
		DIAG_AT(r, false, e->src, e->fields, "exception %s: fields is a field or a sequence of fields", e->name);
		return false;
	}
	*fields = calloc(*n, sizeof(char *));
	*comps = calloc(*n, sizeof(char *));
	if (!*fields || !*comps)
		return false;
	for (i = 0; i < *n; i++) {
		const ynode *f = *single ? e->fields : e->fields->kids[i];
		const ynode *c = !e->comps ? NULL : e->comps->kind == Y_SCALAR ? e->comps : e->comps->kind == Y_SEQ && i < e->comps->n ? e->comps->kids[i] : NULL;
		if (f->kind != Y_SCALAR || !bh_cond_field_known(f->s)) {
			size_t nn;
			const char *const *names = bh_cond_field_names(&nn);
			const char *sug = f->kind == Y_SCALAR ? bh_suggest(f->s, names, nn) : NULL;
			DIAG_AT(r, false, e->src, f, "exception %s: unknown field %s%s%s%s", e->name, f->kind == Y_SCALAR ? f->s : "?",
				sug ? ", did you mean " : "", sug ? sug : "", sug ? "?" : "");
			return false;
		}
		(*fields)[i] = f->s;
		if (e->comps && !c) {
			DIAG_AT(r, false, e->src, e->comps, "exception %s: one comp per field", e->name);
			return false;
		}
		if (c && (c->kind != Y_SCALAR || !bh_cond_op_known(c->s) || !strcmp(c->s, "exists"))) {
			DIAG_AT(r, false, e->src, c, "exception %s: unknown comparison %s", e->name, c->kind == Y_SCALAR ? c->s : "?");
			return false;
		}
		(*comps)[i] = c ? c->s : *single ? in : eq;
	}
	return true;
}

/* The rule's condition with its exceptions: "(cond) and not (e1 or e2 ...)". */
static bool with_exceptions(bh_rules *r, struct rule *x, struct ctext *t)
{
	bh_buf b = BH_BUF_INIT;
	size_t i, k, j, base;
	bool any = false, ok = true;
	struct seg *ns;
	*t = x->cond;
	if (!x->nexc)
		return true;
	bh_buf_printf(&b, "(%s) and not (", x->cond.text);
	base = b.len;
	for (i = 0; i < x->nexc && ok; i++) {
		const struct exc *e = &x->exc[i];
		const char **fields, **comps;
		size_t n;
		bool single;
		if (!exc_shape(r, e, &fields, &comps, &n, &single)) {
			free(fields);
			free(comps);
			ok = false;
			break;
		}
		for (k = 0; k < e->nvalues && ok; k++) {
			const ynode *v = e->values[k];
			if (any)
				bh_buf_puts(&b, " or ");
			any = true;
			if (single) {
				bh_buf_putc(&b, '(');
				ok = exc_cmp(r, e, &b, fields[0], comps[0], v);
				bh_buf_putc(&b, ')');
				continue;
			}
			if (v->kind != Y_SEQ || v->n != n) {
				DIAG_AT(r, false, e->src, v, "exception %s: each value is a sequence of %zu (one per field)", e->name, n);
				ok = false;
				break;
			}
			bh_buf_putc(&b, '(');
			for (j = 0; j < n && ok; j++) {
				if (j)
					bh_buf_puts(&b, " and ");
				ok = exc_cmp(r, e, &b, fields[j], comps[j], v->kids[j]);
			}
			bh_buf_putc(&b, ')');
		}
		free(fields);
		free(comps);
	}
	bh_buf_putc(&b, ')');
	if (!ok || bh_buf_oom(&b)) {
		bh_buf_free(&b);
		return false;
	}
	if (!any) {
		bh_buf_free(&b);
		return true;
	}
	memset(t, 0, sizeof(*t));
	if (!(ns = calloc(x->cond.nseg + 1, sizeof(*ns)))) {
		bh_buf_free(&b);
		*t = x->cond;
		return false;
	}
	for (i = 0; i < x->cond.nseg; i++) {
		ns[i] = x->cond.seg[i];
		ns[i].off += 1;
	}
	ns[i] = (struct seg){ base, b.len - base, x->exc[0].src, x->exc[0].item, false };
	t->seg = ns;
	t->nseg = x->cond.nseg + 1;
	t->text = bh_buf_steal(&b);
	return true;
}

static void compile_output(bh_rules *r, struct rule *x)
{
	const char *p = x->pub.output, *lit = p;
	bh_buf b = BH_BUF_INIT;
	while (*p) {
		if (*p == '%' && p[1] == '%') {
			bh_buf_append(&b, lit, (size_t)(p - lit) + 1);
			p += 2;
			lit = p;
			continue;
		}
		if (*p == '%' && (isalpha((unsigned char)p[1]))) {
			bh_cond_field f;
			size_t used;
			bh_error e;
			struct outseg *no;
			bh_buf_append(&b, lit, (size_t)(p - lit));
			if (bh_cond_field_parse(p + 1, &used, &f, &e)) {
				size_t line = 0, col = 0;
				if (x->outnode)
					scalar_pos(x->src, x->outnode, (size_t)(p - x->pub.output), &line, &col);
				diag(r, false, x->src, line, col, "rule %s: %s", x->pub.name, e.msg);
				bh_cond_field_free(&f);
				bh_buf_free(&b);
				return;
			}
			if (!(no = realloc(x->out, (x->nout + 2) * sizeof(*no)))) {
				bh_cond_field_free(&f);
				break;
			}
			x->out = no;
			if (b.len) {
				memset(&no[x->nout], 0, sizeof(*no));
				no[x->nout++].lit = bh_buf_steal(&b);
			}
			memset(&no[x->nout], 0, sizeof(*no));
			no[x->nout++].f = f;
			p += 1 + used;
			lit = p;
			continue;
		}
		p++;
	}
	bh_buf_append(&b, lit, (size_t)(p - lit));
	if (b.len) {
		struct outseg *no = realloc(x->out, (x->nout + 1) * sizeof(*no));
		if (no) {
			x->out = no;
			memset(&no[x->nout], 0, sizeof(*no));
			no[x->nout++].lit = bh_buf_steal(&b);
		}
	}
	bh_buf_free(&b);
}

int bh_rules_compile(bh_rules *r, bh_error *err)
{
	bh_cond_env env = { env_list, env_macro, env_macro_names, r };
	size_t i, before = r->nerrors;
	int t;
	const char **mn;
	if (!(mn = calloc(r->nmacros + 1, sizeof(*mn))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	free(r->macro_names);
	r->macro_names = mn;
	for (i = 0; i < r->nmacros; i++)
		mn[i] = r->macros[i].name;
	for (i = 0; i < r->nlists; i++)
		list_expand(r, &r->lists[i], 0);
	/* every macro on its own first: its errors point at its own text */
	r->counting = false;
	for (i = 0; i < r->nmacros; i++) {
		bh_cond *c;
		bh_cond_pos pos = { NULL, 0 };
		bh_error e;
		if (bh_cond_compile(r->macros[i].cond.text, &env, &c, &pos, &e)) {
			if (!pos.macro)
				pos.macro = r->macros[i].name;
			if (!strcmp(pos.macro, r->macros[i].name))
				cond_error(r, &r->macros[i].cond, &pos, &e, r->macros[i].name);
		} else
			bh_cond_free(c);
	}
	r->counting = true;
	for (t = 0; t < BH_RT__TYPE_COUNT; t++) {
		free(r->index[t]);
		r->index[t] = NULL;
		r->nindex[t] = 0;
	}
	for (i = 0; i < r->nrules; i++) {
		struct rule *x = &r->rules[i];
		struct ctext full;
		bh_cond_pos pos = { NULL, 0 };
		bh_error e;
		rule_compiled_free(x);
		x->skip = strcmp(x->pub.source, "syscall") != 0;
		if (x->skip) {
			DIAG_AT(r, true, x->src, x->node, "rule %s: source %s is not read by bulkhead: skipped", x->pub.name, x->pub.source);
			continue;
		}
		if (!with_exceptions(r, x, &full))
			continue;
		if (bh_cond_compile(full.text, &env, &x->c, &pos, &e)) {
			char what[300];
			snprintf(what, sizeof(what), "rule %s", x->pub.name);
			cond_error(r, &full, &pos, &e, what);
		}
		if (full.text != x->cond.text)
			ctext_free(&full);
		free(x->pub.condition);
		x->pub.condition = strdup(x->cond.text);
		compile_output(r, x);
		if (!x->c)
			continue;
		x->types = bh_cond_types(x->c);
		if (x->types == (((1u << BH_RT__TYPE_COUNT) - 1) & ~1u))
			DIAG_AT(r, true, x->src, x->node, "rule %s does not test evt.type: it is evaluated on every event", x->pub.name);
		if (!x->types)
			DIAG_AT(r, true, x->src, x->node, "rule %s can match no event type", x->pub.name);
		if (!x->pub.enabled)
			continue;
		for (t = 1; t < BH_RT__TYPE_COUNT; t++) {
			size_t *ni;
			if (!((x->types >> t) & 1u))
				continue;
			if (!(ni = realloc(r->index[t], (r->nindex[t] + 1) * sizeof(*ni))))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			r->index[t] = ni;
			ni[r->nindex[t]++] = i;
		}
	}
	for (i = 0; i < r->nmacros; i++)
		if (!r->macros[i].used)
			DIAG_AT(r, true, r->macros[i].src, r->macros[i].node, "macro %s is not used", r->macros[i].name);
	for (i = 0; i < r->nlists; i++)
		if (!r->lists[i].used)
			DIAG_AT(r, true, r->lists[i].src, r->lists[i].node, "list %s is not used", r->lists[i].name);
	if (r->nerrors > before || r->nerrors)
		return bh_error_set(err, BH_EINVAL, "%s", r->first.msg);
	return 0;
}

/* ------------------------------------------------------------------ evaluating */

int bh_rules_eval(const bh_rules *r, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx,
		  int (*cb)(const bh_rules_hit *hit, void *user), void *user)
{
	size_t i, k;
	int hits = 0, rc = 0;
	bh_buf b = BH_BUF_INIT;
	unsigned t = (unsigned)ev->type;
	if (t >= BH_RT__TYPE_COUNT)
		return 0;
	for (i = 0; i < r->nindex[t]; i++) {
		const struct rule *x = &r->rules[r->index[t][i]];
		bh_rules_hit h;
		if (!bh_cond_eval(x->c, ev, ct, ctx))
			continue;
		hits++;
		if (!cb)
			continue;
		bh_buf_reset(&b);
		for (k = 0; k < x->nout; k++) {
			if (x->out[k].lit)
				bh_buf_puts(&b, x->out[k].lit);
			else
				bh_cond_field_format(&x->out[k].f, ev, ct, ctx, &b);
		}
		if (bh_buf_oom(&b)) {
			bh_buf_free(&b);
			return BH_ENOMEM;
		}
		h.rule = &x->pub;
		h.output = b.data ? b.data : "";
		if ((rc = cb(&h, user)))
			break;
	}
	bh_buf_free(&b);
	return rc ? rc : hits;
}
