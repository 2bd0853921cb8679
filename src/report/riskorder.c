/* riskorder.c - scores a scan's findings and orders them (risk, severity or package). */
#include "report/riskorder.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "vuln/db.h"

int bh_risksort_parse(const char *name, bh_risksort *out)
{
	static const char *const names[] = { "risk", "severity", "package" };
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name && !strcmp(name, names[i])) {
			*out = (bh_risksort)i;
			return 0;
		}
	return BH_EUSAGE;
}

void bh_riskreach_from_inspect(const json_t *inspect, bh_riskreach *out)
{
	const json_t *hc = json_object_get(inspect, "HostConfig"), *pb, *caps;
	const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
	memset(out, 0, sizeof(*out));
	out->containers = out->hosts = 1;
	if (!json_is_object(hc))
		return;
	out->exposure_known = true;
	out->privileged = json_is_true(json_object_get(hc, "Privileged"));
	out->host_network = nm && !strcmp(nm, "host");
	caps = json_object_get(hc, "CapAdd");
	out->cap_add = json_is_array(caps) ? (long)json_array_size(caps) : 0;
	pb = json_object_get(hc, "PortBindings");
	if (!json_is_object(pb) || !json_object_size(pb))
		pb = json_object_get(json_object_get(inspect, "NetworkSettings"), "Ports");
	if (json_is_object(pb)) {
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)pb, k, v)
			if (json_is_array(v) && json_array_size(v) > 0) /* null: exposed, not published */
				out->ports++;
	}
}

struct sortctx {
	const bh_sbom *s;
	const bh_findings *f;
	const bh_risk *r;
	bh_risksort order;
};

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int cmp(const void *pa, const void *pb, void *arg)
{
	const struct sortctx *x = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const bh_finding *a = &x->f->items[ia], *b = &x->f->items[ib];
	const bh_component *ca = x->s->comps.items[a->comp], *cb = x->s->comps.items[b->comp];
	int c;
	if (x->order == BH_RISKSORT_PACKAGE) {
		if ((c = cmp_str(ca->name, cb->name)) || (c = cmp_str(ca->version, cb->version)))
			return c;
	}
	if (x->r[ia].score != x->r[ib].score)
		return x->r[ia].score > x->r[ib].score ? -1 : 1;
	/* equal scores: the order the findings had (severity, KEV, EPSS, id) */
	return ia < ib ? -1 : ia > ib;
}

int bh_riskorder_apply(const char *db_path, const bh_sbom *s, bh_findings *f, const bh_riskreach *reach,
		       bh_risksort order, bh_risk **out, bh_error *err)
{
	bh_vulndb *db = NULL;
	char *defpath = NULL;
	bh_risk *r;
	size_t i;
	bh_error derr;

	*out = NULL;
	if (!f->n)
		return 0;
	if (!(r = calloc(f->n, sizeof(*r))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (!db_path)
		db_path = defpath = bh_vulndb_default_path();
	if (db_path && bh_vulndb_open(db_path, &db, &derr) != 0) {
		bh_log_debug("risk: %s: the matcher's KEV and EPSS only", derr.msg);
		db = NULL;
	}
	free(defpath);
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		bh_vulndb_riskfacts rf;
		bh_risk_input in;
		memset(&rf, 0, sizeof(rf));
		if (db && bh_vulndb_get_riskfacts(db, x->id, &rf, &derr) != 0)
			memset(&rf, 0, sizeof(rf));
		bh_risk_input_init(&in, x->severity);
		in.severity_source = x->severity_source;
		in.cvss = x->cvss;
		if (rf.cvss > 0 && rf.cvss_vector[0] && (x->cvss <= 0 || rf.cvss >= x->cvss)) {
			in.cvss = rf.cvss;
			in.cvss_vector = rf.cvss_vector;
		}
		in.kev = x->kev || rf.kev;
		in.kev_date = rf.kev_date[0] ? rf.kev_date : NULL;
		in.kev_ransomware = rf.kev_ransomware;
		if (rf.has_epss) {
			in.has_epss = true;
			in.epss = rf.epss;
			in.epss_pct = rf.epss_pct;
			in.epss_date = rf.epss_date[0] ? rf.epss_date : NULL;
			in.epss_model = rf.epss_model[0] ? rf.epss_model : NULL;
		} else if (x->epss >= 0) {
			in.has_epss = true;
			in.epss = x->epss;
			in.epss_pct = x->epss_pct;
		}
		in.fixed_version = x->fixed;
		if (reach) {
			in.running = reach->containers;
			in.hosts = reach->hosts;
			in.exposure_known = reach->exposure_known;
			in.ports = reach->ports;
			in.host_network = reach->host_network;
			in.privileged = reach->privileged;
			in.cap_add = reach->cap_add;
		}
		bh_risk_compute(&in, &r[i]);
	}
	bh_vulndb_close(db);
	if (order != BH_RISKSORT_SEVERITY && f->n > 1) {
		struct sortctx ctx = { s, f, r, order };
		size_t *idx = malloc(f->n * sizeof(*idx));
		bh_finding *fs = malloc(f->n * sizeof(*fs));
		bh_risk *rs = malloc(f->n * sizeof(*rs));
		if (!idx || !fs || !rs) {
			free(idx);
			free(fs);
			free(rs);
			free(r);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		for (i = 0; i < f->n; i++)
			idx[i] = i;
		qsort_r(idx, f->n, sizeof(*idx), cmp, &ctx);
		for (i = 0; i < f->n; i++) {
			fs[i] = f->items[idx[i]];
			rs[i] = r[idx[i]];
		}
		memcpy(f->items, fs, f->n * sizeof(*fs));
		free(idx);
		free(fs);
		free(r);
		r = rs;
	}
	*out = r;
	return 0;
}
