/* match.c - OSV-style range evaluation and distro status matching with per-ecosystem ordering. */
#include "vuln/match.h"

#include <ctype.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/map.h"
#include "version/version.h"


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

/* What the DB calls this component: (ecosystem, package, version to compare). */
static int key_of(const bh_component *c, char *pkg, size_t pn, const char **ver, char *vbuf, size_t vn)
{
	size_t i;
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
		/* PEP 503 */
		for (i = 0; c->name[i] && i + 1 < pn; i++)
			pkg[i] = c->name[i] == '_' || c->name[i] == '.' ? '-' : (char)tolower((unsigned char)c->name[i]);
		pkg[i] = '\0';
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

static bool is_os(bh_ecosystem e) { return e == BH_ECO_DEB || e == BH_ECO_APK || e == BH_ECO_RPM; }

/* Go advisories write versions without the "v" the modules carry. */
static int vcmp(bh_ecosystem eco, const char *a, const char *b, int *out)
{
	bh_error e;
	return bh_version_cmp(eco, a, b, out, &e);
}

/* OSV range semantics: events in order; introduced opens, fixed closes before, last_affected closes after. */
static int in_range(bh_ecosystem eco, const char *v, json_t *events, bool *hit)
{
	size_t i;
	bool in = false;
	*hit = false;
	for (i = 0; i < json_array_size(events); i++) {
		json_t *ev = json_array_get(events, i);
		const char *x;
		int c;
		if ((x = json_string_value(json_object_get(ev, "introduced")))) {
			if (!strcmp(x, "0")) {
				in = true;
				continue;
			}
			if (vcmp(eco, v, x, &c))
				return BH_EINVAL;
			if (c >= 0)
				in = true;
		} else if ((x = json_string_value(json_object_get(ev, "fixed"))) || (x = json_string_value(json_object_get(ev, "limit")))) {
			if (vcmp(eco, v, x, &c))
				return BH_EINVAL;
			if (c >= 0)
				in = false;
		} else if ((x = json_string_value(json_object_get(ev, "last_affected")))) {
			if (vcmp(eco, v, x, &c))
				return BH_EINVAL;
			if (c > 0)
				in = false;
		}
	}
	*hit = in;
	return 0;
}

static int reqs_hit(bh_ecosystem eco, const char *v, json_t *list, bool *hit)
{
	size_t i;
	*hit = false;
	for (i = 0; i < json_array_size(list); i++) {
		const char *r = json_string_value(json_array_get(list, i));
		bh_error e;
		bool m = false;
		if (r && bh_version_req_match(eco, v, r, &m, &e) == 0 && m) {
			*hit = true;
			return 0;
		}
	}
	return 0;
}

static void decref(void *p) { json_decref(p); }

/*
 * Parsed ranges/versions JSON, shared by every component that meets the same row (the Go stdlib
 * rows are met once per binary). Borrowed; NULL when unparsable. Bounded so memory stays flat.
 */
static json_t *parsed(bh_map *cache, const char *text)
{
	json_t *j = bh_map_get(cache, text);
	if (j)
		return j;
	j = json_loads(text, 0, NULL);
	if (!j)
		return NULL;
	if (cache->n > 200000)
		bh_map_free(cache);
	if (bh_map_put(cache, text, j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The first number of a version ("v1.2" -> 1), or -1 when it does not start with one or has an epoch. */
static long lead_number(const char *s, size_t n)
{
	size_t i = 0;
	long x = 0;
	if (i < n && (s[i] == 'v' || s[i] == 'V'))
		i++;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return -1;
	for (; i < n && isdigit((unsigned char)s[i]) && x < 100000000; i++)
		x = x * 10 + (s[i] - '0');
	return i < n && (s[i] == '!' || s[i] == ':') ? -1 : x; /* PEP 440 / dpkg epochs: compare properly */
}

/*
 * True when v is one of the versions of a row's JSON string array. Scanned in place: PyPI rows list
 * hundreds of versions and parsing them all into a tree cost more than the rest of matching. Equal
 * strings match at once; otherwise only versions with the same leading number are compared by the
 * ecosystem's rules ("1.0" equals "1.0.0" in PEP 440). *ok is false when the text is not a plain
 * array of strings, and the caller falls back to the JSON parser.
 */
static bool in_versions(bh_ecosystem eco, const char *v, const char *text, bool *ok)
{
	const char *p = text;
	size_t vn = strlen(v);
	long vl = lead_number(v, vn);
	*ok = false;
	while (*p == ' ')
		p++;
	if (*p++ != '[')
		return false;
	for (;;) {
		const char *q;
		size_t n;
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
		n = (size_t)(p++ - q);
		if (n == vn && !memcmp(q, v, n)) {
			*ok = true;
			return true;
		}
		if (n < 128 && (vl < 0 || lead_number(q, n) < 0 || lead_number(q, n) == vl)) {
			char one[128];
			int c;
			memcpy(one, q, n);
			one[n] = '\0';
			if (vcmp(eco, v, one, &c) == 0 && c == 0) {
				*ok = true;
				return true;
			}
		}
	}
}

/* Decides whether version v is affected according to one DB row. */
static int row_affects(bh_map *cache, bh_ecosystem eco, const char *v, const char *ranges, const char *versions,
		       const char *status, const char *fixed, bool *out)
{
	json_t *j;
	size_t i;
	*out = false;
	if (status && !strcmp(status, "not_affected"))
		return 0;
	/* OSV: affected when the version is in a range or listed; ranges are few events, so first. */
	if (ranges && (j = parsed(cache, ranges))) {
		for (i = 0; i < json_array_size(j) && !*out; i++) {
			json_t *r = json_array_get(j, i);
			const char *type = json_string_value(json_object_get(r, "type"));
			bool hit = false;
			if (type && !strcmp(type, "GIT"))
				continue;
			if (type && !strcmp(type, "REQS")) {
				bool p = false, u = false;
				reqs_hit(eco, v, json_object_get(r, "patched"), &p);
				reqs_hit(eco, v, json_object_get(r, "unaffected"), &u);
				hit = !p && !u;
			} else if (in_range(eco, v, json_object_get(r, "events"), &hit)) {
				hit = false;
			}
			*out = hit;
		}
	}
	if (versions && !*out) {
		bool ok;
		*out = in_versions(eco, v, versions, &ok);
		if (!ok && (j = parsed(cache, versions))) {
			for (i = 0; i < json_array_size(j) && !*out; i++) {
				const char *x = json_string_value(json_array_get(j, i));
				int c;
				if (x && (!strcmp(x, v) || (vcmp(eco, v, x, &c) == 0 && c == 0)))
					*out = true;
			}
		}
	}
	if (ranges || versions)
		return 0;
	/* Distro status rows: a fixed version, or no fix at all. */
	if (fixed && *fixed && (!status || !strcmp(status, "fixed"))) {
		int c;
		if (vcmp(eco, v, fixed, &c))
			return BH_EINVAL;
		*out = c < 0;
		return 0;
	}
	*out = status && (!strcmp(status, "affected") || !strcmp(status, "will_not_fix") || !strcmp(status, "end_of_life"));
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

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? bh_strdup((const char *)t) : NULL;
}

static int enrich(sqlite3 *h, bh_finding *f, sqlite3_stmt *kev, sqlite3_stmt *epss, sqlite3_stmt *al)
{
	bh_buf aliases = BH_BUF_INIT;
	const char *cve = NULL;
	sqlite3_bind_text(al, 1, f->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(al, 2, f->id, -1, SQLITE_STATIC);
	while (sqlite3_step(al) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(al, 0);
		if (a && (aliases.len ? bh_buf_putc(&aliases, ' ') : 0) == 0)
			bh_buf_puts(&aliases, a);
	}
	sqlite3_reset(al);
	f->aliases = aliases.len ? bh_buf_steal(&aliases) : NULL;
	bh_buf_free(&aliases);
	/* KEV and EPSS are keyed by CVE: the id itself or its CVE alias. */
	if (!strncmp(f->id, "CVE-", 4)) {
		cve = f->id;
	} else if (f->aliases) {
		cve = strstr(f->aliases, "CVE-");
	}
	if (cve) {
		char one[64];
		snprintf(one, sizeof(one), "%.*s", (int)strcspn(cve, " "), cve);
		sqlite3_bind_text(kev, 1, one, -1, SQLITE_TRANSIENT);
		f->kev = sqlite3_step(kev) == SQLITE_ROW;
		sqlite3_reset(kev);
		sqlite3_bind_text(epss, 1, one, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(epss) == SQLITE_ROW) {
			f->epss = sqlite3_column_double(epss, 0);
			f->epss_pct = sqlite3_column_double(epss, 1);
		}
		sqlite3_reset(epss);
	}
	(void)h;
	return 0;
}

/* The findings of an earlier component with the same (ecosystem, package, version). */
struct seen_span {
	size_t first, n;
};

static char *sdup(const char *x) { return x ? bh_strdup(x) : NULL; }

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
		f->title = sdup(src->title); f->url = sdup(src->url);
		if (!f->id || !f->installed || !f->status)
			return BH_ENOMEM;
	}
	return 0;
}

int bh_match(bh_vulndb *db, const bh_sbom *s, const bh_match_opts *o, bh_findings *out, bh_error *err)
{
	sqlite3 *h = bh_vulndb_handle(db);
	sqlite3_stmt *q = NULL, *kev = NULL, *epss = NULL, *al = NULL;
	char *distro = bh_match_distro(&s->osinfo);
	size_t i, first;
	bh_map cache, seen;
	int rc = 0;

	bh_map_init(&cache, decref);
	/* The same module at the same version recurs (every Go binary carries the stdlib, images
	 * repeat libraries): its rows are evaluated once. */
	bh_map_init(&seen, free);
	if (sqlite3_prepare_v2(h,
		"SELECT a.advisory_id, a.source, a.ranges, a.versions, a.status, a.fixed_version, a.severity,"
		" v.summary, v.severity, v.cvss_score, v.url, v.withdrawn"
		" FROM affected a LEFT JOIN advisories v ON v.source = a.source AND v.id = a.advisory_id"
		" WHERE a.ecosystem = ?1 AND a.package = ?2 AND a.distro = ?3", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT 1 FROM kev WHERE cve = ?1", -1, &kev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT score, percentile FROM epss WHERE cve = ?1", -1, &epss, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT alias FROM aliases WHERE source = ?1 AND advisory_id = ?2 ORDER BY alias", -1, &al, NULL) != SQLITE_OK) {
		rc = bh_error_set(err, BH_EIO, "vulnerability DB: %s", sqlite3_errmsg(h));
		goto out;
	}
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		char pkg[512], vbuf[128];
		const char *ver = NULL;
		if (!c->name || !c->version || c->eco == BH_ECO_OS || c->eco == BH_ECO_NONE)
			continue;
		if (is_os(c->eco) && !distro)
			continue;
		key_of(c, pkg, sizeof(pkg), &ver, vbuf, sizeof(vbuf));
		if (!ver)
			continue;
		{
			char key[1024];
			struct seen_span *sp;
			snprintf(key, sizeof(key), "%s %zu:%s %s", bh_ecosystem_name(c->eco), strlen(pkg), pkg, ver);
			if ((sp = bh_map_get(&seen, key)) != NULL) {
				if (copy_span(out, sp, i)) {
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					goto out;
				}
				continue;
			}
			if (strlen(key) + 1 < sizeof(key) && (sp = malloc(sizeof(*sp))) != NULL) {
				sp->first = out->n;
				sp->n = 0;
				if (bh_map_put(&seen, key, sp))
					free(sp);
			}
		}
		sqlite3_bind_text(q, 1, bh_ecosystem_name(c->eco), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, pkg, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 3, is_os(c->eco) ? distro : "", -1, SQLITE_STATIC);
		first = out->n;
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(q, 0);
			const char *status = (const char *)sqlite3_column_text(q, 4);
			const char *urgency = (const char *)sqlite3_column_text(q, 6);
			bh_finding *f;
			bool hit = false;
			size_t k;
			if (!id || sqlite3_column_type(q, 11) != SQLITE_NULL)
				continue; /* withdrawn */
			if (urgency && !strncmp(urgency, "unimportant", 11) && !o->include_unimportant)
				continue;
			if (row_affects(&cache, c->eco, ver, (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3),
					status, (const char *)sqlite3_column_text(q, 5), &hit) || !hit)
				continue;
			for (k = first; k < out->n; k++)
				if (!strcmp(out->items[k].id, id))
					break;
			if (k < out->n)
				continue; /* the same advisory through two rows */
			if (push(out, &f)) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto out;
			}
			f->comp = i;
			f->id = bh_strdup(id);
			f->source = dup_col(q, 1);
			f->installed = bh_strdup(ver);
			f->fixed = dup_col(q, 5);
			f->status = bh_strdup(f->fixed && *f->fixed ? "fixed" : (status && strcmp(status, "fixed") != 0 ? status : "affected"));
			f->vendor_urgency = urgency ? bh_strdup(urgency) : NULL;
			f->title = dup_col(q, 7);
			f->url = dup_col(q, 10);
			f->cvss = sqlite3_column_double(q, 9);
			/* Severity: the vendor's (distro urgency), then the advisory's, then CVSS. */
			if ((f->severity = bh_severity_parse(urgency)) != BH_SEV_UNKNOWN ||
			    (f->severity = bh_severity_parse((const char *)sqlite3_column_text(q, 8))) != BH_SEV_UNKNOWN) {
				f->severity_source = bh_strdup(f->source);
			} else if ((f->severity = from_cvss(f->cvss)) != BH_SEV_UNKNOWN) {
				f->severity_source = bh_strdup("cvss");
			}
			enrich(h, f, kev, epss, al);
			if (!f->id || !f->installed || !f->status) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto out;
			}
		}
		sqlite3_reset(q);
		/* An aggregate advisory (DSA) listing a CVE already found for this component adds nothing. */
		{
			size_t a, b;
			for (a = out->n; a-- > first;) {
				bool dup = false;
				for (b = first; b < out->n && !dup; b++) {
					const char *al2 = out->items[a].aliases;
					size_t idl = strlen(out->items[b].id);
					const char *p = al2;
					if (a == b || !al2)
						continue;
					while (p && (p = strstr(p, out->items[b].id)) != NULL) {
						if ((p == al2 || p[-1] == ' ') && (p[idl] == '\0' || p[idl] == ' ')) {
							dup = strncmp(out->items[b].id, "CVE-", 4) == 0 && strncmp(out->items[a].id, "CVE-", 4) != 0;
							break;
						}
						p += idl;
					}
				}
				if (dup) {
					bh_finding_clear(&out->items[a]);
					memmove(&out->items[a], &out->items[a + 1], (out->n - a - 1) * sizeof(*out->items));
					out->n--;
				}
			}
		}
		{
			char key[1024];
			struct seen_span *sp;
			snprintf(key, sizeof(key), "%s %zu:%s %s", bh_ecosystem_name(c->eco), strlen(pkg), pkg, ver);
			if ((sp = bh_map_get(&seen, key)) != NULL)
				sp->n = out->n - first;
		}
	}
out:
	bh_map_free(&seen);
	bh_map_free(&cache);
	sqlite3_finalize(q);
	sqlite3_finalize(kev);
	sqlite3_finalize(epss);
	sqlite3_finalize(al);
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
