/* match.c - OSV range evaluation (schema order), RustSec intervals, distro status rows, alias merging. */
#include "vuln/match.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/map.h"
#include "version/version.h"
#include "vuln/title.h"

/* Longest fixed version kept (versions are bounded to 256 bytes by src/version). */
#define BH_FIXED_MAX 260


static bh_severity from_cvss(double score)
{
	if (score >= 9.0) return BH_SEV_CRITICAL;
	if (score >= 7.0) return BH_SEV_HIGH;
	if (score >= 4.0) return BH_SEV_MEDIUM;
	if (score > 0.0) return BH_SEV_LOW;
	return BH_SEV_UNKNOWN;
}

void bh_finding_clear(bh_finding *x)
{
	free(x->id); free(x->source); free(x->aliases); free(x->installed); free(x->fixed);
	free(x->status); free(x->severity_source); free(x->vendor_urgency); free(x->title); free(x->url);
	free(x->kind);
}

void bh_findings_free(bh_findings *f)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		bh_finding_clear(&f->items[i]);
	free(f->items);
	memset(f, 0, sizeof(*f));
}

char *bh_match_distro(const bh_osinfo *os)
{
	bh_buf b = BH_BUF_INIT;
	size_t n;
	if (!os || !os->family || !os->version)
		return NULL;
	if (!strcmp(os->family, "debian")) {
		n = strcspn(os->version, ".");
		bh_buf_printf(&b, "debian:%.*s", (int)n, os->version);
	} else if (!strcmp(os->family, "alpine")) {
		const char *d = strchr(os->version, '.');
		n = d ? (size_t)(strchr(d + 1, '.') ? strchr(d + 1, '.') - os->version : (long)strlen(os->version)) : strlen(os->version);
		bh_buf_printf(&b, "alpine:%.*s", (int)n, os->version);
	} else {
		bh_buf_printf(&b, "%s:%s", os->family, os->version);
	}
	return bh_buf_steal(&b);
}

/*
 * Toolchain versions as Go writes them into binaries, as SemVer the advisories compare with:
 * "go1.21rc2" -> "v1.21.0-rc.2", and vendor builds such as "go1.25-20250209-RC00 cl/724970549
 * +ff27d270c9 X:boringcrypto" -> "v1.25.0-20250209-RC00" (a snapshot before 1.25.0). Anything
 * else is copied unchanged and fails to parse later, which means no match.
 */
static const char *go_toolchain(const char *v, char *out, size_t n)
{
	const char *p = v, *rest;
	unsigned long part[3] = { 0, 0, 0 };
	int k = 0;
	char *end;
	if (!strncmp(p, "go", 2))
		p += 2;
	else if (*p == 'v')
		p++;
	while (k < 3 && isdigit((unsigned char)*p)) {
		part[k++] = strtoul(p, &end, 10);
		p = end;
		if (*p != '.' || !isdigit((unsigned char)p[1]))
			break;
		p++;
	}
	if (k < 2)
		return v;
	rest = p;
	if (!strncmp(rest, "rc", 2) || !strncmp(rest, "beta", 4)) {
		size_t w = rest[0] == 'r' ? 2 : 4;
		snprintf(out, n, "v%lu.%lu.%lu-%.*s.%.*s", part[0], part[1], part[2], (int)w, rest, (int)strcspn(rest + w, " +"), rest + w);
	} else if (*rest == '-') {
		snprintf(out, n, "v%lu.%lu.%lu-%.*s", part[0], part[1], part[2], (int)strcspn(rest + 1, " +"), rest + 1);
	} else if (*rest == '\0' || *rest == ' ' || *rest == '+') {
		snprintf(out, n, "v%lu.%lu.%lu", part[0], part[1], part[2]);
	} else {
		return v;
	}
	return out;
}

/* PEP 503: runs of '-', '_' and '.' become one '-', letters lower case ("Flask__Cors" -> "flask-cors"). */
static void pep503(const char *name, char *out, size_t n)
{
	size_t i = 0;
	const char *p = name;
	while (*p && i + 1 < n) {
		if (*p == '-' || *p == '_' || *p == '.') {
			while (p[1] == '-' || p[1] == '_' || p[1] == '.')
				p++;
			out[i++] = '-';
		} else {
			out[i++] = (char)tolower((unsigned char)*p);
		}
		p++;
	}
	out[i] = '\0';
}

/* What the DB calls this component: (ecosystem, package, version to compare). */
static int key_of(const bh_component *c, char *pkg, size_t pn, const char **ver, char *vbuf, size_t vn)
{
	switch (c->eco) {
	case BH_ECO_DEB:
		/* Debian's trackers speak of source packages and source versions (binNMUs carry +bN). */
		snprintf(pkg, pn, "%s", c->src_name ? c->src_name : c->name);
		*ver = c->src_version ? c->src_version : c->version;
		return 0;
	case BH_ECO_APK:
		snprintf(pkg, pn, "%s", c->src_name ? c->src_name : c->name);
		*ver = c->version;
		return 0;
	case BH_ECO_PYPI:
		pep503(c->name, pkg, pn);
		*ver = c->version;
		return 0;
	case BH_ECO_GO:
		snprintf(pkg, pn, "%s", c->name);
		*ver = strcmp(c->name, "stdlib") == 0 && c->version ? go_toolchain(c->version, vbuf, vn) : c->version;
		return 0;
	case BH_ECO_MAVEN:
		if (c->namespace)
			snprintf(pkg, pn, "%s:%s", c->namespace, c->name);
		else
			snprintf(pkg, pn, "%s", c->name);
		*ver = c->version;
		return 0;
	default:
		snprintf(pkg, pn, "%s", c->name);
		*ver = c->version;
		return 0;
	}
}

static int vcmp(bh_ecosystem eco, const char *a, const char *b, int *out)
{
	bh_error e;
	return bh_version_cmp(eco, a, b, out, &e);
}

/*
 * The ranges JSON of a row, prepared once per (ecosystem, text): events sorted, RustSec lists
 * picked out. Strings point into doc.
 */
struct oevent {
	char kind;       /* 'i' introduced, 'f' fixed, 'a' last_affected, 'l' limit */
	const char *ver;
};

struct orange {
	bool reqs;       /* RustSec [{"type":"REQS","patched":[...],"unaffected":[...]}] */
	bool bad;        /* an event version does not parse: the range cannot be evaluated */
	bool limits;     /* has limit events */
	size_t nev;
	struct oevent *ev;
	json_t *patched, *unaffected;
};

struct oranges {
	json_t *doc;
	size_t n;
	struct orange *r;
};

static void oranges_free(void *p)
{
	struct oranges *o = p;
	size_t i;
	if (!o)
		return;
	for (i = 0; i < o->n; i++)
		free(o->r[i].ev);
	free(o->r);
	json_decref(o->doc);
	free(o);
}

static bool intro0(const struct oevent *e) { return e->kind == 'i' && !strcmp(e->ver, "0"); }

/* a sorts before b: introduced "0" is the lowest version, the rest by the ecosystem's order. */
static int ev_less(bh_ecosystem eco, const struct oevent *a, const struct oevent *b, bool *less)
{
	int c;
	if (intro0(a) || intro0(b)) {
		*less = intro0(a) && !intro0(b);
		return 0;
	}
	if (vcmp(eco, a->ver, b->ver, &c))
		return BH_EINVAL;
	*less = c < 0;
	return 0;
}

/* Stable insertion sort (a handful of events): ties keep the record's order. */
static int sort_events(bh_ecosystem eco, struct oevent *ev, size_t n)
{
	size_t i, j;
	for (i = 1; i < n; i++) {
		struct oevent x = ev[i];
		for (j = i; j > 0; j--) {
			bool less;
			if (ev_less(eco, &x, &ev[j - 1], &less))
				return BH_EINVAL;
			if (!less)
				break;
			ev[j] = ev[j - 1];
		}
		ev[j] = x;
	}
	return 0;
}

static struct oranges *prepare_ranges(bh_ecosystem eco, const char *text)
{
	struct oranges *o = calloc(1, sizeof(*o));
	size_t i, k, bytes, nr;
	if (!o || !(o->doc = json_loads(text, 0, NULL)) || !json_is_array(o->doc)) {
		oranges_free(o);
		return NULL;
	}
	/* Sizes read once: the arrays are allocated for, and walked over, the same count. */
	nr = json_array_size(o->doc);
	if (nr && (!bh_size_mul(nr, sizeof(*o->r), &bytes) || !(o->r = calloc(1, bytes)))) {
		oranges_free(o);
		return NULL;
	}
	for (i = 0; i < nr; i++) {
		json_t *r = json_array_get(o->doc, i), *evs = json_object_get(r, "events");
		const char *type = json_string_value(json_object_get(r, "type"));
		struct orange *x = &o->r[o->n];
		size_t ne;
		if (type && !strcmp(type, "GIT"))
			continue; /* commit graphs are not versions */
		o->n++;
		if (type && !strcmp(type, "REQS")) {
			x->reqs = true;
			x->patched = json_object_get(r, "patched");
			x->unaffected = json_object_get(r, "unaffected");
			continue;
		}
		ne = json_array_size(evs);
		if (ne && (!bh_size_mul(ne, sizeof(*x->ev), &bytes) || !(x->ev = malloc(bytes)))) {
			oranges_free(o);
			return NULL;
		}
		for (k = 0; k < ne; k++) {
			json_t *e = json_array_get(evs, k);
			static const struct { const char *key; char kind; } t[] = {
				{ "introduced", 'i' }, { "fixed", 'f' }, { "last_affected", 'a' }, { "limit", 'l' }
			};
			size_t m;
			for (m = 0; m < sizeof(t) / sizeof(t[0]); m++) {
				const char *v = json_string_value(json_object_get(e, t[m].key));
				if (v) {
					x->ev[x->nev].kind = t[m].kind;
					x->ev[x->nev++].ver = v;
					x->limits = x->limits || t[m].kind == 'l';
					break;
				}
			}
		}
		x->bad = sort_events(eco, x->ev, x->nev) != 0;
	}
	return o;
}

/*
 * Borrowed from the cache of eco, keyed by the text: one advisory often lists several packages
 * (the packages of a Go module) with the same ranges. NULL when the text is not a JSON array.
 * Bounded so memory stays flat.
 */
static struct oranges *ranges_of(bh_map *cache, bh_ecosystem eco, const char *text)
{
	struct oranges *o = bh_map_get(cache, text);
	if (o)
		return o;
	if (!(o = prepare_ranges(eco, text)))
		return NULL;
	if (cache->n > 200000)
		bh_map_free(cache);
	if (bh_map_put(cache, text, o)) {
		oranges_free(o);
		return NULL;
	}
	return o;
}

/*
 * The OSV schema's IncludedInRanges for one range, events already sorted. *fixed gets the fixed
 * event that closes the interval holding v (NULL when a last_affected or nothing closes it).
 */
static int osv_range_hit(bh_ecosystem eco, const char *v, const struct orange *r, bool *hit, const char **fixed)
{
	size_t i, set = 0;
	bool vul = false;
	int c;
	*hit = false;
	*fixed = NULL;
	if (r->bad)
		return 0;
	if (r->limits) {
		bool below = false;
		for (i = 0; i < r->nev && !below; i++) {
			if (r->ev[i].kind != 'l')
				continue;
			/* "*" is infinity */
			if (strchr(r->ev[i].ver, '*') || (vcmp(eco, v, r->ev[i].ver, &c) == 0 && c < 0))
				below = true;
		}
		if (!below)
			return 0;
	}
	for (i = 0; i < r->nev; i++) {
		const struct oevent *e = &r->ev[i];
		if (e->kind == 'l')
			continue;
		if (intro0(e)) {
			vul = true;
			set = i;
			continue;
		}
		if (vcmp(eco, v, e->ver, &c))
			return BH_EINVAL;
		if (c < 0)
			break; /* sorted: no later event changes the state */
		if (e->kind == 'i') {
			vul = true;
			set = i;
		} else if (e->kind == 'f' || (e->kind == 'a' && c > 0)) {
			vul = false;
		}
	}
	if (!vul)
		return 0;
	*hit = true;
	for (i = set + 1; i < r->nev; i++) {
		if (r->ev[i].kind == 'f') {
			*fixed = r->ev[i].ver;
			break;
		}
		if (r->ev[i].kind == 'a')
			break;
	}
	return 0;
}

/*
 * RustSec: affected unless inside a patched or unaffected interval (cargo-audit). fixed (cap
 * bytes) gets the lowest lower bound of a patched interval above v, "" when none.
 */
static void reqs_hit(const char *v, const struct orange *r, bool *hit, char *fixed, size_t cap)
{
	size_t i;
	char low[BH_FIXED_MAX];
	*hit = true;
	fixed[0] = '\0';
	for (i = 0; i < json_array_size(r->unaffected) && *hit; i++) {
		const char *q = json_string_value(json_array_get(r->unaffected, i));
		bh_error e;
		bool in = false;
		if (q && bh_version_rustsec_req(v, q, &in, NULL, 0, &e) == 0 && in)
			*hit = false;
	}
	for (i = 0; i < json_array_size(r->patched) && *hit; i++) {
		const char *q = json_string_value(json_array_get(r->patched, i));
		bh_error e;
		bool in = false;
		int c;
		if (!q || bh_version_rustsec_req(v, q, &in, low, sizeof(low), &e))
			continue;
		if (in)
			*hit = false;
		else if (low[0] && vcmp(BH_ECO_CARGO, low, v, &c) == 0 && c > 0 &&
			 (!fixed[0] || (vcmp(BH_ECO_CARGO, low, fixed, &c) == 0 && c < 0)))
			snprintf(fixed, cap, "%s", low);
	}
	if (!*hit)
		fixed[0] = '\0';
}

/*
 * True when v is one of the versions of a row's JSON string array: string equality, as the OSV
 * schema's IncludedInVersions. Scanned in place (PyPI rows list hundreds of versions); *ok is
 * false when the text is not a plain array of strings without escapes, and the caller falls back
 * to the JSON parser.
 */
static bool in_versions(const char *v, const char *text, bool *ok)
{
	const char *p = text;
	size_t vn = strlen(v);
	*ok = false;
	while (*p == ' ')
		p++;
	if (*p++ != '[')
		return false;
	for (;;) {
		const char *q;
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ']') {
			*ok = true;
			return false;
		}
		if (*p != '"')
			return false;
		q = ++p;
		while (*p && *p != '"' && *p != '\\')
			p++;
		if (*p != '"')
			return false; /* escapes or end of text: let jansson decide */
		if ((size_t)(p - q) == vn && !memcmp(q, v, vn)) {
			*ok = true;
			return true;
		}
		p++;
	}
}

/* What one row says about version v: affected or not, and the fixed version of v's branch. */
struct verdict {
	bool hit;
	bool has_fixed;
	char fixed[BH_FIXED_MAX];
};

static void keep_highest(bh_ecosystem eco, struct verdict *d, const char *fx)
{
	int c;
	if (!fx || !*fx || strlen(fx) >= sizeof(d->fixed))
		return;
	if (!d->has_fixed || (vcmp(eco, fx, d->fixed, &c) == 0 && c > 0)) {
		snprintf(d->fixed, sizeof(d->fixed), "%s", fx);
		d->has_fixed = true;
	}
}

static int row_affects(bh_map *cache, bh_ecosystem eco, const char *v, const char *ranges, const char *versions,
		       const char *status, const char *fixed, struct verdict *d)
{
	struct oranges *o;
	size_t i;
	memset(d, 0, sizeof(*d));
	if (status && !strcmp(status, "not_affected"))
		return 0;
	/* OSV: affected when the version is in a range or listed. */
	if (ranges && (o = ranges_of(cache, eco, ranges))) {
		for (i = 0; i < o->n; i++) {
			const struct orange *r = &o->r[i];
			bool hit = false;
			if (r->reqs) {
				char fx[BH_FIXED_MAX];
				reqs_hit(v, r, &hit, fx, sizeof(fx));
				if (hit) {
					d->hit = true;
					keep_highest(eco, d, fx);
				}
			} else {
				const char *fx = NULL;
				if (osv_range_hit(eco, v, r, &hit, &fx) == 0 && hit) {
					d->hit = true;
					keep_highest(eco, d, fx);
				}
			}
		}
	}
	if (versions && !d->hit) {
		const char *vv = eco == BH_ECO_GO && v[0] == 'v' ? v + 1 : v; /* OSV Go versions carry no "v" */
		bool ok;
		d->hit = in_versions(vv, versions, &ok);
		if (!ok) {
			json_t *j = json_loads(versions, 0, NULL);
			for (i = 0; i < json_array_size(j) && !d->hit; i++) {
				const char *x = json_string_value(json_array_get(j, i));
				d->hit = x && !strcmp(x, vv);
			}
			json_decref(j);
		}
	}
	if (ranges || versions)
		return 0;
	/* Distro status rows: a fixed version, or no fix at all. */
	if (fixed && *fixed && (!status || !strcmp(status, "fixed"))) {
		int c;
		if (vcmp(eco, v, fixed, &c))
			return BH_EINVAL;
		d->hit = c < 0;
		if (d->hit)
			keep_highest(eco, d, fixed);
		return 0;
	}
	d->hit = status && (!strcmp(status, "affected") || !strcmp(status, "will_not_fix") || !strcmp(status, "end_of_life"));
	return 0;
}

static int push(bh_findings *f, bh_finding **out)
{
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 64, bytes;
		bh_finding *n;
		if (!bh_size_mul(ncap, sizeof(*n), &bytes) || !(n = realloc(f->items, bytes)))
			return BH_ENOMEM;
		f->items = n;
		f->cap = ncap;
	}
	*out = &f->items[f->n++];
	memset(*out, 0, sizeof(**out));
	(*out)->epss = -1;
	return 0;
}

static char *sdup(const char *x) { return x ? bh_strdup(x) : NULL; }

/* The next id of a space-separated list at *p (NULL allowed), *p advanced past it; NULL at the end. */
static const char *next_tok(const char **p, size_t *n)
{
	const char *t;
	if (!*p)
		return NULL;
	*p += strspn(*p, " ");
	if (!**p)
		return NULL;
	t = *p;
	*n = strcspn(t, " ");
	*p = t + *n;
	return t;
}

/* Whether the space-separated list has the token t (length tn). */
static bool has_token(const char *list, const char *t, size_t tn)
{
	const char *p = list, *x;
	size_t n;
	while ((x = next_tok(&p, &n)))
		if (n == tn && !memcmp(x, t, n))
			return true;
	return false;
}

/* One id of a finding (its id or an alias), for grouping by shared ids. */
struct idref {
	const char *p;
	size_t n;
	size_t item;
};

static int cmp_idref(const void *pa, const void *pb)
{
	const struct idref *a = pa, *b = pb;
	int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
	if (c)
		return c;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static size_t uf_root(size_t *grp, size_t a)
{
	while (grp[a] != a)
		a = grp[a];
	return a;
}

/*
 * grp[i] = the smallest index of the findings items[first..first+m) connected to i by a shared
 * id or alias. Every id of every finding is sorted once, so equal ids sit side by side: no
 * pairwise comparison (a Go stdlib has hundreds of findings).
 */
static int group_by_ids(const bh_findings *out, size_t first, size_t m, size_t *grp)
{
	struct idref *r = NULL;
	size_t nr = 0, cap = 0, i;
	for (i = 0; i < m; i++)
		grp[i] = i;
	for (i = 0; i < m; i++) {
		const bh_finding *f = &out->items[first + i];
		const char *p = f->aliases, *t;
		size_t n = strlen(f->id);
		t = f->id;
		do {
			if (nr == cap) {
				size_t ncap = cap ? cap * 2 : 64, bytes;
				struct idref *x;
				if (!bh_size_mul(ncap, sizeof(*x), &bytes) || !(x = realloc(r, bytes))) {
					free(r);
					return BH_ENOMEM;
				}
				r = x;
				cap = ncap;
			}
			r[nr].p = t;
			r[nr].n = n;
			r[nr++].item = i;
		} while ((t = next_tok(&p, &n)));
	}
	qsort(r, nr, sizeof(*r), cmp_idref);
	for (i = 1; i < nr; i++) {
		size_t a, b;
		if (r[i].n != r[i - 1].n || memcmp(r[i].p, r[i - 1].p, r[i].n) != 0)
			continue;
		/* union with the smaller index as root */
		a = uf_root(grp, r[i - 1].item);
		b = uf_root(grp, r[i].item);
		if (a < b)
			grp[b] = a;
		else if (b < a)
			grp[a] = b;
	}
	free(r);
	return 0;
}

/* Primary-id rank: the ecosystem's own advisories first, then GHSA, then CVE, then the rest (DSA, DLA). */
static int id_rank(bh_ecosystem eco, const char *id)
{
	const char *own = eco == BH_ECO_PYPI ? "PYSEC-" : eco == BH_ECO_GO ? "GO-" : eco == BH_ECO_CARGO ? "RUSTSEC-"
			: bh_ecosystem_is_os_pkg(eco) ? "CVE-" : "GHSA-";
	if (!strncmp(id, own, strlen(own)))
		return 0;
	if (!strncmp(id, "GHSA-", 5))
		return 1;
	if (!strncmp(id, "CVE-", 4))
		return 2;
	return 3;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* ids (space-separated lists, NULL allowed) -> sorted unique list without `skip`; NULL when empty. */
static char *token_union(char *const *lists, size_t nl, const char *skip)
{
	char **tok = NULL;
	size_t nt = 0, cap = 0, i;
	bh_buf b = BH_BUF_INIT;
	char *r = NULL;
	for (i = 0; i < nl; i++) {
		const char *p = lists[i], *t;
		size_t n;
		while ((t = next_tok(&p, &n))) {
			if (strlen(skip) == n && !memcmp(t, skip, n))
				continue;
			if (nt == cap) {
				size_t ncap = cap ? cap * 2 : 16, bytes;
				char **x;
				if (!bh_size_mul(ncap, sizeof(*x), &bytes) || !(x = realloc(tok, bytes)))
					goto out;
				tok = x;
				cap = ncap;
			}
			if (!(tok[nt] = bh_strndup(t, n)))
				goto out;
			nt++;
		}
	}
	if (nt)
		qsort(tok, nt, sizeof(*tok), cmp_str);
	for (i = 0; i < nt; i++) {
		if (i && !strcmp(tok[i], tok[i - 1]))
			continue;
		if ((b.len && bh_buf_putc(&b, ' ')) || bh_buf_puts(&b, tok[i]))
			goto out;
	}
	r = b.len ? bh_buf_steal(&b) : NULL;
out:
	for (i = 0; i < nt; i++)
		free(tok[i]);
	free(tok);
	bh_buf_free(&b);
	return r;
}

/* Moves src's fields into dst where dst has none; frees the rest of src. */
static void take_missing(char **dst, char **src)
{
	if (!*dst) {
		*dst = *src;
		*src = NULL;
	}
}

/*
 * Merges the findings of one component (items[first..n)) that name one vulnerability into one,
 * keeping item order otherwise. Groups are the connected sets of findings sharing an id or alias.
 */
static int merge_aliases(bh_ecosystem eco, bh_findings *out, size_t first)
{
	size_t m = out->n - first, i, j, k;
	size_t *grp;
	int rc = 0;
	if (m < 2)
		return 0;
	if (!(grp = calloc(m, sizeof(*grp))))
		return BH_ENOMEM;
	if (group_by_ids(out, first, m, grp)) {
		free(grp);
		return BH_ENOMEM;
	}
	for (i = 0; i < m; i++) {
		size_t r = i;
		while (grp[r] != r)
			r = grp[r];
		grp[i] = r;
	}
	for (i = 0; i < m && !rc; i++) {
		bh_finding *p;
		size_t best = i, nl = 0;
		char **lists;
		if (grp[i] != i)
			continue;
		for (j = i + 1; j < m && grp[j] != i; j++)
			;
		if (j == m)
			continue; /* alone: nothing to merge */
		for (j = i + 1; j < m; j++) {
			const bh_finding *x = &out->items[first + j], *y = &out->items[first + best];
			int rx, ry;
			if (grp[j] != i)
				continue;
			rx = id_rank(eco, x->id);
			ry = id_rank(eco, y->id);
			if (rx < ry || (rx == ry && strcmp(x->id, y->id) < 0))
				best = j;
		}
		if (!(lists = calloc(2 * m, sizeof(*lists)))) {
			rc = BH_ENOMEM;
			break;
		}
		p = &out->items[first + best];
		for (j = i; j < m; j++) {
			bh_finding *x = &out->items[first + j];
			if (grp[j] != i)
				continue;
			lists[nl++] = x->id;
			lists[nl++] = x->aliases;
		}
		{
			char *u = token_union(lists, nl, p->id);
			free(p->aliases);
			p->aliases = u;
		}
		free(lists);
		for (j = i; j < m; j++) {
			bh_finding *x = &out->items[first + j];
			int c;
			if (grp[j] != i || j == best)
				continue;
			/* the highest fixed version, the highest known severity, the rest where missing */
			if (x->fixed && (!p->fixed || (vcmp(eco, x->fixed, p->fixed, &c) == 0 && c > 0))) {
				free(p->fixed);
				p->fixed = x->fixed;
				x->fixed = NULL;
			}
			if (x->severity > p->severity) {
				p->severity = x->severity;
				free(p->severity_source);
				p->severity_source = x->severity_source;
				x->severity_source = NULL;
				if (x->vendor_urgency) {
					free(p->vendor_urgency);
					p->vendor_urgency = x->vendor_urgency;
					x->vendor_urgency = NULL;
				}
			}
			if (x->cvss > p->cvss)
				p->cvss = x->cvss;
			take_missing(&p->title, &x->title);
			take_missing(&p->url, &x->url);
			take_missing(&p->vendor_urgency, &x->vendor_urgency);
			if (!x->kind && p->kind) { /* a vulnerability among them: the merged finding is one */
				free(p->kind);
				p->kind = NULL;
			}
		}
		if (p->fixed && strcmp(p->status, "fixed") != 0) {
			free(p->status);
			p->status = bh_strdup("fixed");
			if (!p->status)
				rc = BH_ENOMEM;
		}
		for (j = i; j < m; j++)
			if (grp[j] == i && j != best)
				grp[j] = (size_t)-1; /* merged away */
	}
	/* compact, keeping order */
	for (i = k = 0; i < m; i++) {
		if (grp[i] == (size_t)-1) {
			bh_finding_clear(&out->items[first + i]);
			continue;
		}
		if (k != i)
			out->items[first + k] = out->items[first + i];
		k++;
	}
	out->n = first + k;
	free(grp);
	return rc;
}

/* The best severity the DB knows under one id (an advisory's id or one of its aliases). */
struct known_sev {
	bh_severity sev;
	double cvss;
	char label[]; /* "source:id" of the advisory it comes from */
};

/*
 * Lookups for the details added after merging, cached for the scan: the same CVE recurs across
 * components (a library in several versions, a CVE in OS and language records).
 */
struct extra {
	bh_vulndb *db;
	bh_map exploit;  /* CVE id -> bh_vulndb_exploit */
	bool sev_loaded;
	bh_map sev;      /* id or alias -> struct known_sev */
};

/* KEV and EPSS are keyed by CVE: any CVE among the finding's ids counts. */
static int kev_epss(struct extra *x, bh_finding *f, bh_error *err)
{
	char *lists[2];
	size_t l;
	int rc;
	lists[0] = f->id;
	lists[1] = f->aliases;
	for (l = 0; l < 2; l++) {
		const char *p = lists[l], *t;
		size_t n;
		while ((t = next_tok(&p, &n))) {
			char tok[256];
			bh_vulndb_exploit *e;
			if (n <= 4 || strncmp(t, "CVE-", 4) != 0)
				continue;
			if (n >= sizeof(tok)) {
				bh_vulndb_exploit one;
				if ((rc = bh_vulndb_get_exploit(x->db, t, n, &one, err)))
					return rc;
				e = &one;
				f->kev = f->kev || e->kev;
				if (e->has_epss && e->epss > f->epss) {
					f->epss = e->epss;
					f->epss_pct = e->epss_pct;
				}
				continue;
			}
			memcpy(tok, t, n);
			tok[n] = '\0';
			if (!(e = bh_map_get(&x->exploit, tok))) {
				if (!(e = malloc(sizeof(*e))))
					return bh_error_set(err, BH_ENOMEM, "out of memory");
				if ((rc = bh_vulndb_get_exploit(x->db, t, n, e, err))) {
					free(e);
					return rc;
				}
				if (bh_map_put(&x->exploit, tok, e)) {
					free(e);
					return bh_error_set(err, BH_ENOMEM, "out of memory");
				}
			}
			f->kev = f->kev || e->kev;
			if (e->has_epss && e->epss > f->epss) {
				f->epss = e->epss;
				f->epss_pct = e->epss_pct;
			}
		}
	}
	return 0;
}

static int note_sev(bh_map *m, const char *key, const char *source, const char *id, const char *sevtext, double cvss)
{
	struct known_sev *k = bh_map_get(m, key), *n;
	bh_severity s = bh_severity_parse(sevtext);
	size_t len;
	if (s == BH_SEV_UNKNOWN)
		s = from_cvss(cvss);
	if (s == BH_SEV_UNKNOWN || (k && k->sev >= s))
		return 0; /* the first advisory of the highest severity stays */
	len = strlen(source) + strlen(id) + 2;
	if (!(n = malloc(sizeof(*n) + len)))
		return BH_ENOMEM;
	n->sev = s;
	n->cvss = cvss;
	snprintf(n->label, len, "%s:%s", source, id);
	if (bh_map_put(m, key, n)) {
		free(n);
		return BH_ENOMEM;
	}
	return 0;
}

static int on_severity(void *arg, const bh_vulndb_sev_row *r)
{
	bh_map *m = arg;
	int rc = note_sev(m, r->id, r->source, r->id, r->severity, r->cvss_score);
	if (!rc && r->alias)
		rc = note_sev(m, r->alias, r->source, r->id, r->severity, r->cvss_score);
	return rc;
}

/*
 * An UNKNOWN severity borrowed from any advisory the DB holds under one of the finding's ids or
 * listing one of them as an alias (a GO- record has none; its GHSA or CVE twin may). Every such
 * id is read once, on first need: a scan asks about thousands of ids, and one pass over the few
 * advisories with a severity costs less than one query per id.
 */
static int borrow_severity(struct extra *x, bh_finding *f, bh_error *err)
{
	char *lists[2];
	size_t l;
	const struct known_sev *best = NULL;
	int rc;
	if (!x->sev_loaded) {
		x->sev_loaded = true;
		if ((rc = bh_vulndb_each_severity(x->db, on_severity, &x->sev, err)))
			return rc == BH_ENOMEM ? bh_error_set(err, BH_ENOMEM, "out of memory") : rc;
	}
	lists[0] = f->id;
	lists[1] = f->aliases;
	for (l = 0; l < 2; l++) {
		const char *p = lists[l], *t;
		size_t n;
		while ((t = next_tok(&p, &n))) {
			char tok[256];
			const struct known_sev *k;
			if (n >= sizeof(tok))
				continue;
			memcpy(tok, t, n);
			tok[n] = '\0';
			if ((k = bh_map_get(&x->sev, tok)) != NULL && (!best || k->sev > best->sev))
				best = k;
		}
	}
	if (best) {
		char *src = bh_strdup(best->label);
		if (!src)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		f->severity = best->sev;
		if (best->cvss > f->cvss)
			f->cvss = best->cvss;
		free(f->severity_source);
		f->severity_source = src;
	}
	return 0;
}

/*
 * A title for a finding whose advisories have no summary (PYSEC records carry only details): the
 * first sentence of the primary advisory's details. Read only for those: the matcher's rows leave
 * the long details out.
 */
static int title_from_details(bh_vulndb *db, bh_finding *f, bh_error *err)
{
	bh_advisory a;
	bool found = false;
	int rc = bh_vulndb_get_advisory(db, f->source, f->id, &a, &found, err);
	if (rc || !found || !a.details)
		return rc;
	f->title = bh_title_from_details(a.details, BH_TITLE_MAX);
	return 0;
}

/* The findings of an earlier component with the same (ecosystem, package, version). */
struct seen_span {
	size_t first, n;
};

/* Appends copies of out->items[sp->first..+n) for component comp. */
static int copy_span(bh_findings *out, const struct seen_span *sp, size_t comp)
{
	size_t k;
	for (k = 0; k < sp->n; k++) {
		bh_finding *f, *src;
		if (push(out, &f))
			return BH_ENOMEM;
		src = &out->items[sp->first + k]; /* after push: items may have moved */
		*f = *src;
		f->comp = comp;
		f->id = sdup(src->id); f->source = sdup(src->source); f->aliases = sdup(src->aliases);
		f->installed = sdup(src->installed); f->fixed = sdup(src->fixed); f->status = sdup(src->status);
		f->severity_source = sdup(src->severity_source); f->vendor_urgency = sdup(src->vendor_urgency);
		f->title = sdup(src->title); f->url = sdup(src->url); f->kind = sdup(src->kind);
		if (!f->id || !f->installed || !f->status)
			return BH_ENOMEM;
	}
	return 0;
}

int bh_match_coverage(bh_vulndb *db, bh_sbom *s, bh_error *err)
{
	size_t count[BH_ECO__COUNT] = { 0 }, named[BH_ECO__COUNT] = { 0 }, i;
	char *distro = bh_match_distro(&s->osinfo);
	int rc = 0;
	for (i = 0; i < s->comps.n && !rc; i++) {
		const bh_component *c = s->comps.items[i];
		if (!c->name || !c->version || c->eco <= BH_ECO_OS || c->eco >= BH_ECO__COUNT)
			continue;
		if (!bh_ecosystem_is_os_pkg(c->eco) && bh_component_get_prop(c, "os.owner"))
			continue; /* matched through its OS package */
		count[c->eco]++;
		if (bh_ecosystem_is_os_pkg(c->eco) && distro && !named[c->eco]) {
			char pkg[512], vbuf[128];
			const char *ver = NULL;
			bool yes = false;
			key_of(c, pkg, sizeof(pkg), &ver, vbuf, sizeof(vbuf));
			rc = bh_vulndb_has_package(db, bh_ecosystem_name(c->eco), distro, pkg, &yes, err);
			named[c->eco] = yes;
		}
	}
	for (i = BH_ECO_OS + 1; i < BH_ECO__COUNT && !rc; i++) {
		const char *eco = bh_ecosystem_name((bh_ecosystem)i);
		long rows = 0, pkgs = 0;
		if (!count[i])
			continue;
		if (!bh_ecosystem_is_os_pkg((bh_ecosystem)i)) {
			if (!(rc = bh_vulndb_count_rows(db, eco, NULL, &rows, err)) && rows == 0)
				bh_sbom_warn(s, "%s: no advisories in the DB; %zu %s package%s %s not checked", eco, count[i], eco,
					     count[i] == 1 ? "" : "s", count[i] == 1 ? "was" : "were");
			continue;
		}
		if (!distro)
			continue; /* no release known: bh_match skipped them (the OS analyzer said why) */
		{
			const char *cn = s->osinfo.codename && *s->osinfo.codename ? s->osinfo.codename : NULL;
			const char *rel = strchr(distro, ':') ? strchr(distro, ':') + 1 : distro;
			if ((rc = bh_vulndb_count_rows(db, eco, distro, &rows, err)))
				break;
			if (rows == 0) {
				bh_sbom_warn(s, "%s %s%s%s%s: no advisories in the DB; OS packages were not checked", s->osinfo.family, rel,
					     cn ? " (" : "", cn ? cn : "", cn ? ")" : "");
			} else if (!named[i] &&
				   !(rc = bh_vulndb_count_packages(db, eco, distro, &pkgs, err))) {
				/* A release the DB barely knows (a sample of it) names none of these packages: as good as
				 * nothing to match against. */
				bh_sbom_warn(s, "%s %s%s%s%s: the DB has advisories for %ld package%s of this release and none for the %zu OS "
					     "package%s here; they were probably not checked", s->osinfo.family, rel, cn ? " (" : "",
					     cn ? cn : "", cn ? ")" : "", pkgs, pkgs == 1 ? "" : "s", count[i], count[i] == 1 ? "" : "s");
			}
		}
	}
	free(distro);
	return rc;
}

/* What one component's rows are evaluated against (bh_vulndb_each_affected's callback). */
struct comp_ctx {
	bh_vulndb *db;
	bh_error *err;
	bh_findings *out;
	const bh_match_opts *o;
	bh_map *cache;
	bh_ecosystem eco;
	const char *ver;
	size_t comp;
};

static int on_row(void *arg, const bh_vulndb_row *r)
{
	struct comp_ctx *cx = arg;
	const char *status = r->status, *urgency = r->urgency;
	struct verdict d;
	bh_finding *f;
	if (r->withdrawn)
		return 0;
	if (urgency && !strncmp(urgency, "unimportant", 11) && !cx->o->include_unimportant)
		return 0;
	if (row_affects(cx->cache, cx->eco, cx->ver, r->ranges, r->versions, status, r->fixed_version, &d) || !d.hit)
		return 0;
	if (push(cx->out, &f))
		return bh_error_set(cx->err, BH_ENOMEM, "out of memory");
	f->comp = cx->comp;
	f->id = bh_strdup(r->advisory_id);
	f->source = sdup(r->source);
	f->installed = bh_strdup(cx->ver);
	f->fixed = d.has_fixed ? bh_strdup(d.fixed) : NULL;
	f->status = bh_strdup(f->fixed ? "fixed" : (status && strcmp(status, "fixed") != 0 ? status : "affected"));
	f->vendor_urgency = sdup(urgency);
	f->title = sdup(r->summary);
	f->url = sdup(r->url);
	f->kind = sdup(r->kind);
	f->cvss = r->cvss_score;
	/* Severity: the vendor's (distro urgency), then the advisory's, then CVSS. */
	if ((f->severity = bh_severity_parse(urgency)) != BH_SEV_UNKNOWN ||
	    (f->severity = bh_severity_parse(r->severity)) != BH_SEV_UNKNOWN) {
		f->severity_source = sdup(f->source);
	} else if ((f->severity = from_cvss(f->cvss)) != BH_SEV_UNKNOWN) {
		f->severity_source = bh_strdup("cvss");
	}
	if (!f->id || !f->installed || !f->status)
		return bh_error_set(cx->err, BH_ENOMEM, "out of memory");
	if (r->aliases && !(f->aliases = bh_strdup(r->aliases)))
		return bh_error_set(cx->err, BH_ENOMEM, "out of memory");
	return 0;
}

bool bh_match_key(const bh_component *c, char *pkg, size_t pn)
{
	char vbuf[128];
	const char *ver = NULL;
	if (!c->name || !c->version || c->eco == BH_ECO_OS || c->eco == BH_ECO_NONE || c->eco >= BH_ECO__COUNT)
		return false;
	if (!bh_ecosystem_is_os_pkg(c->eco) && bh_component_get_prop(c, "os.owner"))
		return false;
	key_of(c, pkg, pn, &ver, vbuf, sizeof(vbuf));
	return ver != NULL;
}

int bh_match(bh_vulndb *db, const bh_sbom *s, const bh_match_opts *o, bh_findings *out, bh_error *err)
{
	struct extra x;
	char *distro = bh_match_distro(&s->osinfo);
	size_t i, first, e;
	bh_map cache[BH_ECO__COUNT], seen;
	int rc = 0;

	x.db = db;
	x.sev_loaded = false;
	bh_map_init(&x.sev, free);
	bh_map_init(&x.exploit, free);
	for (e = 0; e < BH_ECO__COUNT; e++)
		bh_map_init(&cache[e], oranges_free);
	/* The same module at the same version recurs (every Go binary carries the stdlib, images
	 * repeat libraries): its rows are evaluated once. */
	bh_map_init(&seen, free);
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		char pkg[512], vbuf[128], key[1024];
		const char *ver = NULL;
		struct seen_span *sp = NULL;
		struct comp_ctx cx;
		size_t k;
		if (!c->name || !c->version || c->eco == BH_ECO_OS || c->eco == BH_ECO_NONE || c->eco >= BH_ECO__COUNT)
			continue;
		if (bh_ecosystem_is_os_pkg(c->eco) && !distro)
			continue;
		/* installed by an OS package: its advisories come through that package */
		if (!bh_ecosystem_is_os_pkg(c->eco) && bh_component_get_prop(c, "os.owner"))
			continue;
		key_of(c, pkg, sizeof(pkg), &ver, vbuf, sizeof(vbuf));
		if (!ver)
			continue;
		snprintf(key, sizeof(key), "%s %zu:%s %s", bh_ecosystem_name(c->eco), strlen(pkg), pkg, ver);
		if (strlen(key) + 1 < sizeof(key)) {
			if ((sp = bh_map_get(&seen, key)) != NULL) {
				if (copy_span(out, sp, i)) {
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					goto out;
				}
				continue;
			}
		}
		first = out->n;
		cx.db = db;
		cx.err = err;
		cx.out = out;
		cx.o = o;
		cx.cache = &cache[c->eco];
		cx.eco = c->eco;
		cx.ver = ver;
		cx.comp = i;
		if ((rc = bh_vulndb_each_affected(db, bh_ecosystem_name(c->eco), bh_ecosystem_is_os_pkg(c->eco) ? distro : NULL, pkg, on_row, &cx,
						  err)))
			goto out;
		/* One finding per vulnerability: records aliasing each other (a PYSEC and its GHSA, a DSA
		 * and the CVE it lists, the same advisory through two rows) merge. */
		if ((rc = merge_aliases(c->eco, out, first))) {
			rc = bh_error_set(err, rc, "out of memory");
			goto out;
		}
		for (k = first; k < out->n; k++) {
			bh_finding *f = &out->items[k];
			if (f->aliases && has_token(f->aliases, f->id, strlen(f->id))) {
				char *u = token_union(&f->aliases, 1, f->id);
				free(f->aliases);
				f->aliases = u;
			}
			if ((f->severity == BH_SEV_UNKNOWN && (rc = borrow_severity(&x, f, err))) || (rc = kev_epss(&x, f, err)) ||
			    (!f->title && (rc = title_from_details(db, f, err))))
				goto out;
		}
		if (strlen(key) + 1 < sizeof(key) && (sp = malloc(sizeof(*sp))) != NULL) {
			sp->first = first;
			sp->n = out->n - first;
			if (bh_map_put(&seen, key, sp))
				free(sp);
		}
	}
out:
	bh_map_free(&seen);
	for (e = 0; e < BH_ECO__COUNT; e++)
		bh_map_free(&cache[e]);
	bh_map_free(&x.sev);
	bh_map_free(&x.exploit);
	free(distro);
	return rc;
}

/* qsort_r: no global, so two scans may sort at once (the server). */
static int fcmp(const void *pa, const void *pb, void *arg)
{
	const bh_finding *a = pa, *b = pb;
	const bh_sbom *sort_sbom = arg;
	int r;
	if (a->severity != b->severity)
		return (int)b->severity - (int)a->severity;
	if (a->kev != b->kev)
		return (int)b->kev - (int)a->kev;
	if (a->epss != b->epss)
		return a->epss < b->epss ? 1 : -1;
	if ((r = strcmp(a->id, b->id)))
		return r;
	return strcmp(sort_sbom->comps.items[a->comp]->name, sort_sbom->comps.items[b->comp]->name);
}

void bh_findings_sort(const bh_sbom *s, bh_findings *f)
{
	if (f->n > 1)
		qsort_r(f->items, f->n, sizeof(*f->items), fcmp, (void *)s);
}
