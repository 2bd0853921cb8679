/* rescore.c - computes and stores each open finding's risk score and terms (issue 17). */
#include "server/rescore.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/map.h"
#include "core/severity.h"
#include "vuln/risk.h"

/* A page of findings, copied out of the list callback (its strings are borrowed). */
typedef struct item {
	int64_t id, component_id;
	char *advisory, *severity, *fixed;
	bool kev;
} item;

typedef struct pagebuf {
	item *v;
	size_t n, cap;
	int64_t last;
} pagebuf;

#define PAGE 500

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int collect(void *ud, const bh_store_finding *f)
{
	pagebuf *p = ud;
	item *x;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		item *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return BH_ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	x = &p->v[p->n];
	memset(x, 0, sizeof(*x));
	x->id = f->id;
	x->component_id = f->component_id;
	x->kev = f->kev;
	x->advisory = dup_or_null(f->advisory);
	x->severity = dup_or_null(f->severity);
	x->fixed = dup_or_null(f->fixed_version);
	p->n++;
	p->last = f->id;
	if ((f->advisory && !x->advisory) || (f->severity && !x->severity) || (f->fixed_version && !x->fixed))
		return BH_ENOMEM;
	return 0;
}

static void page_clear(pagebuf *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].advisory);
		free(p->v[i].severity);
		free(p->v[i].fixed);
	}
	p->n = 0;
}

/* Facts per advisory and reach per component are shared by many findings: read each once per run. */
static int facts_of(bh_map *cache, bh_vulndb *db, const char *adv, const bh_vulndb_riskfacts **out, bh_error *err)
{
	bh_vulndb_riskfacts *f = bh_map_get(cache, adv);
	int rc;
	if (!f) {
		if (!(f = calloc(1, sizeof(*f))))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		if (db && (rc = bh_vulndb_get_riskfacts(db, adv, f, err))) {
			free(f);
			return rc;
		}
		if (bh_map_put(cache, adv, f)) {
			free(f);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	*out = f;
	return 0;
}

static int reach_of(bh_map *cache, bh_store *st, int64_t cid, const bh_store_reach **out, bh_error *err)
{
	char key[32];
	bh_store_reach *r;
	int rc;
	snprintf(key, sizeof(key), "%" PRId64, cid);
	if (!(r = bh_map_get(cache, key))) {
		if (!(r = calloc(1, sizeof(*r))))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		if ((rc = bh_store_component_reach(st, cid, r, err)) || bh_map_put(cache, key, r)) {
			free(r);
			return rc ? rc : bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	*out = r;
	return 0;
}

static int score_one(bh_store *st, const item *x, const bh_vulndb_riskfacts *f, const bh_store_reach *r, bh_error *err)
{
	bh_risk_input in;
	bh_risk risk;
	json_t *terms;
	char *txt;
	int rc;

	if (!f || !r)
		return bh_error_set(err, BH_EINVAL, "risk: no facts for finding %" PRId64, x->id);
	bh_risk_input_init(&in, bh_severity_parse(x->severity));
	if (f->cvss > 0) {
		in.cvss = f->cvss;
		in.cvss_vector = f->cvss_vector;
		in.severity_source = f->cvss_source;
	}
	/* the store's flag is what the matcher said; the DB adds the date and ransomware use */
	in.kev = x->kev || f->kev;
	in.kev_date = f->kev_date[0] ? f->kev_date : NULL;
	in.kev_ransomware = f->kev_ransomware;
	in.has_epss = f->has_epss;
	in.epss = f->epss;
	in.epss_pct = f->epss_pct;
	in.epss_date = f->epss_date[0] ? f->epss_date : NULL;
	in.epss_model = f->epss_model[0] ? f->epss_model : NULL;
	in.fixed_version = x->fixed;
	in.running = (long)r->containers;
	in.hosts = (long)r->hosts;
	in.exposure_known = r->exposure_known;
	in.ports = (long)r->ports;
	in.host_network = r->host_network;
	in.privileged = r->privileged;
	in.cap_add = (long)r->cap_add;
	in.outside_peers = (long)r->outside_peers;
	bh_risk_compute(&in, &risk);
	if (!(terms = bh_risk_terms_json(&risk)) || !(txt = json_dumps(terms, JSON_COMPACT))) {
		json_decref(terms);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	json_decref(terms);
	rc = bh_store_finding_set_risk(st, x->id, risk.score, txt, r->containers, err);
	free(txt);
	return rc;
}

static int rescore(bh_store *st, bh_vulndb *db, bool unscored_only, const char *image_digest, size_t *scored, bh_error *err)
{
	bh_store_filter flt;
	pagebuf p;
	bh_map facts, reach;
	bh_sql *sql = bh_store_sql(st);
	int64_t after = 0, next;
	size_t done = 0, i;
	int rc = 0;

	memset(&flt, 0, sizeof(flt));
	memset(&p, 0, sizeof(p));
	flt.unscored_only = unscored_only;
	flt.image_digest = image_digest;
	flt.accepted = -1; /* accepted risks are scored too: they show again when the exception ends */
	bh_map_init(&facts, free);
	bh_map_init(&reach, free);
	for (;;) {
		next = 0;
		page_clear(&p);
		if ((rc = bh_store_finding_list(st, &flt, after, PAGE, collect, &p, &next, err)) != 0)
			break;
		if (!p.n)
			break;
		if ((rc = bh_sql_begin(sql, err)) != 0)
			break;
		for (i = 0; i < p.n && !rc; i++) {
			const bh_vulndb_riskfacts *f = NULL;
			const bh_store_reach *r = NULL;
			if (!(rc = facts_of(&facts, db, p.v[i].advisory ? p.v[i].advisory : "", &f, err)) &&
			    !(rc = reach_of(&reach, st, p.v[i].component_id, &r, err)))
				rc = score_one(st, &p.v[i], f, r, err);
		}
		if (!rc)
			rc = bh_sql_commit(sql, err);
		if (rc) {
			bh_sql_rollback(sql, NULL);
			break;
		}
		done += p.n;
		if (!next)
			break;
		after = p.last;
	}
	page_clear(&p);
	free(p.v);
	bh_map_free(&facts);
	bh_map_free(&reach);
	if (scored)
		*scored = done;
	if (!rc)
		bh_log_debug("risk: %zu findings scored", done);
	return rc;
}

int bh_rescore_run(bh_store *st, bh_vulndb *db, bool unscored_only, size_t *scored, bh_error *err)
{
	return rescore(st, db, unscored_only, NULL, scored, err);
}

int bh_rescore_image(bh_store *st, bh_vulndb *db, const char *image_digest, size_t *scored, bh_error *err)
{
	return rescore(st, db, false, image_digest, scored, err);
}
