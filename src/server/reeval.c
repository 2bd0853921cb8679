/* reeval.c - re-evaluation of stored components after a DB change: fingerprints per DB key, match of the moved keys only, one event per finding change. */
#include "server/reeval.h"
#include "server/rescore.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/map.h"
#include "core/severity.h"
#include "sbom/sbom.h"
#include "store/matchstate.h"
#include "vuln/match.h"

/* Arbitrary, fixed: the PostgreSQL advisory-lock key of a re-evaluation. */
#define REEVAL_LOCK_KEY 0x6268726576LL
#define SETTING_DB_VERSION "vuln_db_version"
/* Fingerprint: the first 128 bits of a SHA-256, in hex. */
#define FP_HEX 32

/* One DB key with the stored components filed under it. */
typedef struct vkey {
	char *eco, *distro, *name; /* distro "" for language ecosystems */
	size_t *comps;             /* indexes into run.comps */
	size_t n, cap;
	char fp[FP_HEX + 1];
	bool changed;
} vkey;

/* A stored finding of a matched component. */
typedef struct sfinding {
	int64_t id;
	char *severity, *fixed;
	bool kev, open, seen; /* seen: the matcher gave it again */
} sfinding;

/*
 * Events wait in memory until the end of the run and are written just before the commit: on
 * PostgreSQL an event insert holds the event-order lock (store.c) until its transaction ends, so
 * readers of the event log wait only for the last moments of a re-evaluation, not all of it.
 */
typedef struct pending {
	const char *type; /* a string constant */
	char *payload, *key;
} pending;

typedef struct pendings {
	pending *v;
	size_t n, cap;
} pendings;

static void pendings_free(pendings *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].payload);
		free(p->v[i].key);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

typedef struct run {
	bh_complist comps;   /* one per matchable stored component */
	int64_t *ids;        /* store id of comps.items[i] */
	char **distros;      /* release key of comps.items[i] ("" none), owned */
	size_t cap;
	bh_map keys;         /* "eco\1distro\1name" -> vkey */
	bh_map fps;          /* same key -> stored fingerprint (char *) */
	bh_map stored;       /* "component id\1advisory" -> sfinding */
	bh_map byid;         /* "component id" of a matched component -> its index + 1 (as a pointer) */
	pendings pq;         /* events, written at the end */
	bh_vulndb *db;
	bh_error *err;
	size_t ncomps_read;
} run;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void vkey_free(void *p)
{
	vkey *k = p;
	if (!k)
		return;
	free(k->eco);
	free(k->distro);
	free(k->name);
	free(k->comps);
	free(k);
}

static void sfinding_free(void *p)
{
	sfinding *f = p;
	if (!f)
		return;
	free(f->severity);
	free(f->fixed);
	free(f);
}

static char *key_str(const char *eco, const char *distro, const char *name)
{
	size_t n = strlen(eco) + strlen(distro) + strlen(name) + 3;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%s\1%s\1%s", eco, distro, name);
	return k;
}

/* ---------------------------------------------------------------- reading the store */

static int comp_cb(void *ud, const bh_matchstate_comp *c)
{
	run *r = ud;
	bh_component tmp, *x;
	bh_ecosystem e = bh_ecosystem_parse(c->eco);
	char pkg[512], *k;
	const char *distro = c->distro ? c->distro : "";
	vkey *v;
	r->ncomps_read++;
	if (c->os_owned && !bh_ecosystem_is_os_pkg(e))
		return 0; /* left to the OS package's advisories, as bh_match does */
	if (bh_ecosystem_is_os_pkg(e) && !*distro)
		return 0; /* no release known: bh_match cannot look it up either */
	memset(&tmp, 0, sizeof(tmp));
	tmp.eco = e;
	tmp.name = (char *)c->name;
	tmp.namespace = (char *)c->namespace_;
	tmp.version = (char *)c->version;
	tmp.src_name = (char *)c->src_name;
	tmp.src_version = (char *)c->src_version;
	if (!bh_match_key(&tmp, pkg, sizeof(pkg)))
		return 0;
	if (r->comps.n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 4096;
		int64_t *ids = realloc(r->ids, nc * sizeof(*ids));
		char **ds;
		if (!ids)
			return bh_error_set(r->err, BH_ENOMEM, "out of memory");
		r->ids = ids;
		if (!(ds = realloc(r->distros, nc * sizeof(*ds))))
			return bh_error_set(r->err, BH_ENOMEM, "out of memory");
		r->distros = ds;
		r->cap = nc;
	}
	if (!(x = bh_complist_add(&r->comps, e)))
		return bh_error_set(r->err, BH_ENOMEM, "out of memory");
	r->ids[r->comps.n - 1] = c->id;
	r->distros[r->comps.n - 1] = NULL;
	if (bh_component_set(&x->name, c->name, (size_t)-1) || bh_component_set(&x->namespace, c->namespace_, (size_t)-1) ||
	    bh_component_set(&x->version, c->version, (size_t)-1) || bh_component_set(&x->src_name, c->src_name, (size_t)-1) ||
	    bh_component_set(&x->src_version, c->src_version, (size_t)-1) || bh_component_set(&x->purl, c->purl, (size_t)-1) ||
	    !(r->distros[r->comps.n - 1] = strdup(distro)))
		return bh_error_set(r->err, BH_ENOMEM, "out of memory");
	if (!(k = key_str(c->eco, distro, pkg)))
		return bh_error_set(r->err, BH_ENOMEM, "out of memory");
	if (!(v = bh_map_get(&r->keys, k))) {
		if (!(v = calloc(1, sizeof(*v))) || !(v->eco = strdup(c->eco)) || !(v->distro = strdup(distro)) ||
		    !(v->name = strdup(pkg)) || bh_map_put(&r->keys, k, v)) {
			vkey_free(v);
			free(k);
			return bh_error_set(r->err, BH_ENOMEM, "out of memory");
		}
	}
	free(k);
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4;
		size_t *a = realloc(v->comps, nc * sizeof(*a));
		if (!a)
			return bh_error_set(r->err, BH_ENOMEM, "out of memory");
		v->comps = a;
		v->cap = nc;
	}
	v->comps[v->n++] = r->comps.n - 1;
	return 0;
}

static int fp_cb(void *ud, const char *eco, const char *distro, const char *name, const char *fp)
{
	run *r = ud;
	char *k = key_str(eco ? eco : "", distro ? distro : "", name ? name : ""), *v = fp ? strdup(fp) : NULL;
	if (!k || !v || bh_map_put(&r->fps, k, v)) {
		free(k);
		free(v);
		return bh_error_set(r->err, BH_ENOMEM, "out of memory");
	}
	free(k);
	return 0;
}

/* ---------------------------------------------------------------- fingerprints */

typedef struct fpctx {
	EVP_MD_CTX *md;
	bh_vulndb *db;
	bh_error *err;
} fpctx;

static void fp_str(EVP_MD_CTX *md, const char *tag, const char *s)
{
	/* tag, length and bytes: "a"+"bc" and "ab"+"c" never hash alike */
	char len[32];
	size_t n = s ? strlen(s) : 0;
	snprintf(len, sizeof(len), "%s%zu:", tag, s ? n : (size_t)-1);
	EVP_DigestUpdate(md, len, strlen(len));
	if (n)
		EVP_DigestUpdate(md, s, n);
}

/* What the DB says about one id (the advisory's own or an alias) besides its rows: KEV, severity. */
static int fp_id(fpctx *f, const char *id, size_t len)
{
	bh_vulndb_exploit x;
	bh_vulndb_severity sv;
	char buf[64];
	int rc;
	memset(&sv, 0, sizeof(sv));
	if ((rc = bh_vulndb_get_exploit(f->db, id, len, &x, f->err)) != 0)
		return rc;
	if ((rc = bh_vulndb_alias_severity(f->db, id, len, &sv, f->err)) != 0)
		return rc;
	snprintf(buf, sizeof(buf), "%d/%d/%.1f", x.kev ? 1 : 0, (int)sv.severity, sv.cvss);
	free(sv.label);
	EVP_DigestUpdate(f->md, id, len);
	fp_str(f->md, "x", buf);
	return 0;
}

static int fp_row(void *arg, const bh_vulndb_row *w)
{
	fpctx *f = arg;
	char num[64];
	const char *a;
	int rc;
	fp_str(f->md, "i", w->advisory_id);
	fp_str(f->md, "s", w->source);
	fp_str(f->md, "r", w->ranges);
	fp_str(f->md, "v", w->versions);
	fp_str(f->md, "t", w->status);
	fp_str(f->md, "f", w->fixed_version);
	fp_str(f->md, "u", w->urgency);
	fp_str(f->md, "a", w->aliases);
	fp_str(f->md, "S", w->severity);
	fp_str(f->md, "k", w->kind);
	fp_str(f->md, "T", w->summary);
	fp_str(f->md, "U", w->url);
	snprintf(num, sizeof(num), "%.2f/%d", w->cvss_score, w->withdrawn ? 1 : 0);
	fp_str(f->md, "c", num);
	if (w->advisory_id && (rc = fp_id(f, w->advisory_id, strlen(w->advisory_id))) != 0)
		return rc;
	for (a = w->aliases; a && *a;) {
		size_t n = strcspn(a, " ");
		if (n && (rc = fp_id(f, a, n)) != 0)
			return rc;
		a += n;
		a += strspn(a, " ");
	}
	return 0;
}

static int fingerprint(run *r, vkey *v)
{
	fpctx f = { EVP_MD_CTX_new(), r->db, r->err };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdn = 0, i;
	int rc;
	if (!f.md || !EVP_DigestInit_ex(f.md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(f.md);
		return bh_error_set(r->err, BH_ENOMEM, "fingerprint: no SHA-256");
	}
	rc = bh_vulndb_each_affected(r->db, v->eco, *v->distro ? v->distro : NULL, v->name, fp_row, &f, r->err);
	if (!rc && !EVP_DigestFinal_ex(f.md, md, &mdn))
		rc = bh_error_set(r->err, BH_EIO, "fingerprint: SHA-256 failed");
	EVP_MD_CTX_free(f.md);
	if (rc)
		return rc;
	for (i = 0; i < FP_HEX / 2 && i < mdn; i++)
		snprintf(v->fp + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* ---------------------------------------------------------------- writing */

static const char *sev_lower(bh_severity s, char *buf, size_t n)
{
	const char *name = bh_severity_name(s);
	size_t k;
	for (k = 0; name[k] && k + 1 < n; k++)
		buf[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] - 'A' + 'a' : name[k]);
	buf[k] = '\0';
	return buf;
}

static bool same_str(const char *a, const char *b) { return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b)); }

static int pendings_write(bh_store *st, const pendings *p, int64_t now, bh_error *err)
{
	size_t i;
	int rc;
	for (i = 0; i < p->n; i++) {
		bh_store_event e;
		int64_t seq;
		bool dup;
		memset(&e, 0, sizeof(e));
		e.type = p->v[i].type;
		e.payload_json = p->v[i].payload;
		e.idem_key = p->v[i].key;
		e.time = now;
		if ((rc = bh_store_event_add(st, &e, now, &seq, &dup, err)) != 0)
			return rc;
	}
	return 0;
}

/* The event of one change, queued. prev: the stored finding before it (NULL for a new one). */
static int emit(pendings *pq, const char *type, const bh_component *c, int64_t cid, const char *advisory,
		const char *severity, bool kev, const char *fixed, const sfinding *prev, bool reopened, const char *db_version,
		int64_t now, bh_error *err)
{
	json_t *o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:b, s:s?, s:s, s:I}", "purl", c->purl, "ecosystem",
			      bh_ecosystem_name(c->eco), "package", c->name, "version", c->version, "advisory", advisory,
			      "severity", severity, "kev", kev, "fixed_version", fixed, "db_version", db_version,
			      "component_id", (json_int_t)cid);
	char key[600], *payload;
	pending *x;
	if (!o)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (reopened)
		json_object_set_new(o, "reopened", json_true());
	if (prev)
		json_object_set_new(o, "previous",
				    json_pack("{s:s?, s:b, s:s?, s:s}", "severity", prev->severity, "kev", prev->kev,
					      "fixed_version", prev->fixed, "state", prev->open ? "open" : "resolved"));
	payload = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!payload)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	/* the type too: a finding new under one DB and changed under the next must keep both events */
	snprintf(key, sizeof(key), "reeval:%s:%s:%lld:%.400s", db_version, type, (long long)cid, advisory);
	(void)now;
	if (pq->n == pq->cap) {
		size_t nc = pq->cap ? pq->cap * 2 : 1024;
		pending *v = realloc(pq->v, nc * sizeof(*v));
		if (!v) {
			free(payload);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		pq->v = v;
		pq->cap = nc;
	}
	x = &pq->v[pq->n];
	x->type = type;
	x->payload = payload;
	if (!(x->key = strdup(key))) {
		free(payload);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	pq->n++;
	return 0;
}

static int stored_cb(void *ud, const bh_store_finding *f)
{
	run *r = ud;
	char k[600];
	sfinding *s = calloc(1, sizeof(*s));
	if (!s || (f->severity && !(s->severity = strdup(f->severity))) ||
	    (f->fixed_version && !(s->fixed = strdup(f->fixed_version)))) {
		sfinding_free(s);
		return bh_error_set(r->err, BH_ENOMEM, "out of memory");
	}
	s->id = f->id;
	s->kev = f->kev;
	s->open = f->state && !strcmp(f->state, "open");
	snprintf(k, sizeof(k), "%lld\1%.500s", (long long)f->component_id, f->advisory ? f->advisory : "");
	if (bh_map_put(&r->stored, k, s)) {
		sfinding_free(s);
		return bh_error_set(r->err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

/* One release's components: the SBOM the matcher reads, and the store id of each component. */
typedef struct group {
	bh_sbom s;
	int64_t *ids;
	size_t n, cap;
} group;

static int group_add(group *g, const bh_component *c, int64_t id)
{
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 256;
		int64_t *a = realloc(g->ids, nc * sizeof(*a));
		if (!a)
			return BH_ENOMEM;
		g->ids = a;
		g->cap = nc;
	}
	if (!bh_complist_add_copy(&g->s.comps, c))
		return BH_ENOMEM;
	g->ids[g->n++] = id;
	return 0;
}

static void group_free(void *p)
{
	group *g = p;
	if (!g)
		return;
	bh_sbom_free(&g->s);
	free(g->ids);
	free(g);
}

/* "debian:12" -> family debian, version 12, as bh_match_distro gives it back. */
static int group_os(group *g, const char *distro)
{
	const char *colon = strchr(distro, ':');
	if (!colon)
		return 0;
	if (!(g->s.osinfo.family = strndup(distro, (size_t)(colon - distro))) || !(g->s.osinfo.version = strdup(colon + 1)))
		return BH_ENOMEM;
	return 0;
}

/* Writes the differences between what the matcher says now (fs over g) and the stored findings. */
static int diff_group(run *r, bh_store *st, group *g, const bh_findings *fs, const char *dbv, int64_t now,
		      bh_reeval_stats *stx)
{
	size_t i;
	int rc;
	for (i = 0; i < fs->n; i++) {
		const bh_finding *x = &fs->items[i];
		const bh_component *c = g->s.comps.items[x->comp];
		int64_t cid = g->ids[x->comp];
		char k[600], sev[16];
		sfinding *s;
		if (x->kind)
			continue; /* informational (unmaintained, unsound): not a vulnerability finding */
		snprintf(k, sizeof(k), "%lld\1%.500s", (long long)cid, x->id);
		sev_lower(x->severity, sev, sizeof(sev));
		stx->found++;
		s = bh_map_get(&r->stored, k);
		if (s && s->seen)
			continue; /* the same finding twice (cannot happen with one component per id; be safe) */
		if (s && s->open && same_str(s->severity, sev) && s->kev == x->kev && same_str(s->fixed, x->fixed)) {
			s->seen = true;
			continue;
		}
		if ((rc = bh_matchstate_finding_set(st, s ? s->id : 0, cid, x->id, sev, x->kev, x->fixed, dbv, now, r->err)) != 0)
			return rc;
		if (!s) {
			stx->new_++;
			rc = emit(&r->pq, "finding.new", c, cid, x->id, sev, x->kev, x->fixed, NULL, false, dbv, now, r->err);
		} else if (!s->open) {
			stx->reopened++;
			rc = emit(&r->pq, "finding.new", c, cid, x->id, sev, x->kev, x->fixed, s, true, dbv, now, r->err);
		} else {
			stx->changed++;
			rc = emit(&r->pq, "finding.changed", c, cid, x->id, sev, x->kev, x->fixed, s, false, dbv, now, r->err);
		}
		if (rc)
			return rc;
		if (s)
			s->seen = true;
	}
	return 0;
}

void bh_reeval_db_version(bh_vulndb *db, char *out, size_t n)
{
	bh_vulndb_stats s;
	bh_error err;
	memset(&s, 0, sizeof(s));
	out[0] = '\0';
	if (bh_vulndb_get_stats(db, &s, &err) == 0 && s.built_at)
		snprintf(out, n, "%s", s.built_at);
	bh_vulndb_stats_free(&s);
}

int bh_reeval_run(bh_store *st, bh_vulndb *db, unsigned flags, int64_t now, bh_reeval_stats *stats, bh_error *err)
{
	bh_reeval_stats stx;
	run r;
	bh_map groups;
	bh_sql *sql = bh_store_sql(st);
	char *stored_ver = NULL;
	int64_t *ids = NULL;
	size_t nids = 0, i;
	bool locked = false, in_tx = false;
	double t0 = now_s(), t, tin = 0; /* tin: matching inside the write phase */
	int rc;

	memset(&stx, 0, sizeof(stx));
	memset(&r, 0, sizeof(r));
	r.db = db;
	r.err = err;
	bh_map_init(&r.keys, vkey_free);
	bh_map_init(&r.fps, free);
	bh_map_init(&r.stored, sfinding_free);
	bh_map_init(&r.byid, NULL);
	bh_map_init(&groups, group_free);
	bh_reeval_db_version(db, stx.db_version, sizeof(stx.db_version));
	if (!stx.db_version[0]) {
		rc = bh_error_set(err, BH_EINVAL, "re-evaluation: the vulnerability DB has no build time");
		goto out;
	}
	if ((rc = bh_sql_try_lock(sql, REEVAL_LOCK_KEY, &locked, err)) != 0)
		goto out;
	if (!locked) {
		rc = bh_error_set(err, BH_EBUSY, "re-evaluation: another server is re-evaluating this store; try again later");
		goto out;
	}
	if ((rc = bh_matchstate_setting_get(st, SETTING_DB_VERSION, &stored_ver, err)) != 0)
		goto out;
	/* built_at is an RFC 3339 UTC time: byte order is time order */
	if (stored_ver && strcmp(stored_ver, stx.db_version) > 0) {
		rc = bh_error_set(err, BH_EUSAGE,
				  "re-evaluation: this vulnerability DB (built %s) is older than the one the store was last"
				  " evaluated with (%s); update the DB first",
				  stx.db_version, stored_ver);
		goto out;
	}

	/* 1. what is stored, filed under the DB keys */
	if ((rc = bh_matchstate_components(st, comp_cb, &r, err)) != 0)
		goto out;
	if (!(flags & BH_REEVAL_FULL) && (rc = bh_matchstate_fps(st, fp_cb, &r, err)) != 0)
		goto out;
	stx.components = r.ncomps_read;
	stx.keys = r.keys.n;
	t = now_s();
	stx.t_read = t - t0;
	t0 = t;

	/* 2. which keys the DB says something new about */
	{
		size_t it = 0;
		const char *k;
		void *val;
		while (bh_map_next(&r.keys, &it, &k, &val)) {
			vkey *v = val;
			const char *old;
			if ((rc = fingerprint(&r, v)) != 0)
				goto out;
			old = bh_map_get(&r.fps, k);
			v->changed = !old || strcmp(old, v->fp) != 0;
			if (v->changed)
				stx.keys_changed++;
		}
	}
	t = now_s();
	stx.t_fingerprint = t - t0;
	t0 = t;

	/* 3. the components of those keys, one SBOM per release, and what the matcher says of them */
	{
		size_t it = 0;
		const char *k;
		void *val;
		while (bh_map_next(&r.keys, &it, &k, &val)) {
			vkey *v = val;
			group *g;
			if (!v->changed)
				continue;
			if (!(g = bh_map_get(&groups, v->distro))) {
				if (!(g = calloc(1, sizeof(*g)))) {
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					goto out;
				}
				bh_sbom_init(&g->s);
				if (group_os(g, v->distro) || bh_map_put(&groups, v->distro, g)) {
					group_free(g);
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					goto out;
				}
			}
			for (i = 0; i < v->n; i++) {
				size_t ci = v->comps[i];
				int64_t *a;
				char idk[24];
				snprintf(idk, sizeof(idk), "%lld", (long long)r.ids[ci]);
				if (group_add(g, r.comps.items[ci], r.ids[ci]) || bh_map_put(&r.byid, idk, (void *)(uintptr_t)(ci + 1)) ||
				    !(a = realloc(ids, (nids + 1) * sizeof(*ids)))) {
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					goto out;
				}
				ids = a;
				ids[nids++] = r.ids[ci];
			}
		}
	}
	stx.matched = nids;
	if ((rc = bh_matchstate_findings(st, ids, nids, stored_cb, &r, err)) != 0)
		goto out;
	t = now_s();
	stx.t_match = t - t0; /* the matcher's own time is added below */
	t0 = t;

	/* 4. every difference, with its event and the new fingerprints, in one transaction */
	if ((rc = bh_sql_begin(sql, err)) != 0)
		goto out;
	in_tx = true;
	{
		size_t it = 0;
		const char *k;
		void *val;
		bh_match_opts mo;
		memset(&mo, 0, sizeof(mo));
		while (bh_map_next(&groups, &it, &k, &val)) {
			group *g = val;
			bh_findings fs;
			double tm = now_s();
			memset(&fs, 0, sizeof(fs));
			rc = bh_match(db, &g->s, &mo, &fs, err);
			tm = now_s() - tm;
			stx.t_match += tm;
			tin += tm;
			if (!rc)
				rc = diff_group(&r, st, g, &fs, stx.db_version, now, &stx);
			bh_findings_free(&fs);
			if (rc)
				goto out;
		}
	}
	/* stored open findings of the matched components that the matcher no longer gives */
	{
		size_t it = 0;
		const char *k;
		void *val;
		while (bh_map_next(&r.stored, &it, &k, &val)) {
			sfinding *s = val;
			long long cid = strtoll(k, NULL, 10);
			const char *adv = strchr(k, '\1') + 1;
			char idk[24];
			uintptr_t ix;
			bh_component *c;
			if (s->seen || !s->open)
				continue;
			snprintf(idk, sizeof(idk), "%lld", cid);
			if (!(ix = (uintptr_t)bh_map_get(&r.byid, idk)))
				continue;
			c = r.comps.items[ix - 1];
			if ((rc = bh_matchstate_finding_resolve(st, s->id, stx.db_version, now, err)) != 0 ||
			    (rc = emit(&r.pq, "finding.resolved", c, cid, adv, s->severity, s->kev, s->fixed, s, false, stx.db_version,
				       now, err)) != 0)
				goto out;
			stx.resolved++;
		}
	}
	{
		size_t it = 0;
		const char *k;
		void *val;
		while (bh_map_next(&r.keys, &it, &k, &val)) {
			vkey *v = val;
			if (v->changed && (rc = bh_matchstate_fp_put(st, v->eco, v->distro, v->name, v->fp, now, err)) != 0)
				goto out;
		}
	}
	if ((rc = bh_matchstate_setting_put(st, SETTING_DB_VERSION, stx.db_version, now, err)) != 0)
		goto out;
	if ((rc = pendings_write(st, &r.pq, now, err)) != 0)
		goto out;
	{
		/* Test hook (tests/e2e/multiserver.sh): a pause before the commit, so a server can be
		 * killed with its changes written but not committed. Off unless the variable is set. */
		const char *pause = getenv("BH_TEST_REEVAL_PAUSE_MS");
		long ms = pause ? strtol(pause, NULL, 10) : 0;
		if (ms > 0 && ms <= 60000) {
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
			bh_log_warn("re-evaluation: pausing %ld ms before the commit (BH_TEST_REEVAL_PAUSE_MS)", ms);
			nanosleep(&ts, NULL);
		}
	}
	rc = bh_sql_commit(sql, err);
	in_tx = false;
	if (!rc && bh_sql_backend_of(sql) == BH_SQL_POSTGRES && stx.new_ + stx.reopened + stx.changed + stx.resolved > 1000) {
		/* thousands of new rows at once: plan the next "affected by" queries with statistics that
		 * know them, rather than wait for autovacuum (a missing estimate once cost 100x) */
		bh_error aerr;
		if (bh_sql_exec(sql, "ANALYZE findings", NULL, 0, &aerr) != 0)
			bh_log_warn("re-evaluation: ANALYZE findings: %s", aerr.msg);
	}
	stx.t_write = now_s() - t0 - tin;
	if (!rc) {
		/* severity, KEV, EPSS and running containers may have moved: the risk order follows
		 * (a failure is logged, the re-evaluation itself is committed) */
		bh_error rerr;
		if (bh_rescore_run(st, db, false, NULL, &rerr) != 0)
			bh_log_warn("re-evaluation: risk scores: %s", rerr.msg);
	}
out:
	if (in_tx)
		bh_sql_rollback(sql, NULL);
	if (locked)
		bh_sql_unlock(sql, REEVAL_LOCK_KEY, NULL);
	for (i = 0; i < r.comps.n; i++)
		free(r.distros[i]);
	free(r.distros);
	free(r.ids);
	bh_complist_free(&r.comps);
	bh_map_free(&r.keys);
	bh_map_free(&r.fps);
	bh_map_free(&r.stored);
	bh_map_free(&r.byid);
	pendings_free(&r.pq);
	bh_map_free(&groups);
	free(ids);
	free(stored_ver);
	if (stats)
		*stats = stx;
	return rc;
}
