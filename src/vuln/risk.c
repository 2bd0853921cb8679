/* risk.c - the risk score of one finding and the terms that made it (formula in risk.h and the README). */
#include "vuln/risk.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int bh_risk_severity_base(bh_severity s)
{
	switch (s) {
	case BH_SEV_CRITICAL: return 95;
	case BH_SEV_HIGH: return 75;
	case BH_SEV_MEDIUM: return 50;
	case BH_SEV_LOW: return 25;
	default: return 40; /* unknown sits between low and medium: not buried, not promoted */
	}
}

void bh_risk_input_init(bh_risk_input *in, bh_severity sev)
{
	memset(in, 0, sizeof(*in));
	in->severity = sev;
	in->running = BH_RISK_UNKNOWN;
	in->hosts = BH_RISK_UNKNOWN;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static bh_risk_term *term(bh_risk *r, const char *name, int weight, const char *source, const char *date,
			  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static bh_risk_term *term(bh_risk *r, const char *name, int weight, const char *source, const char *date,
			  const char *fmt, ...)
{
	bh_risk_term *t = &r->terms[r->n++];
	va_list ap;
	copy(t->name, sizeof(t->name), name);
	copy(t->source, sizeof(t->source), source);
	copy(t->date, sizeof(t->date), date);
	t->weight = weight;
	va_start(ap, fmt);
	vsnprintf(t->value, sizeof(t->value), fmt, ap);
	va_end(ap);
	return t;
}

static const char *lower_sev(bh_severity s)
{
	static const char *const n[] = { "unknown", "low", "medium", "high", "critical" };
	return (unsigned)s <= BH_SEV_CRITICAL ? n[s] : "unknown";
}

void bh_risk_compute(const bh_risk_input *in, bh_risk *out)
{
	double raw, f;
	int base, w;
	char src[64];

	memset(out, 0, sizeof(*out));

	/* base: the CVSS base score when there is one, it is finer than the band */
	if (in->cvss > 0 && in->cvss <= 10) {
		base = (int)lround(in->cvss * 10.0);
		snprintf(src, sizeof(src), "%s", in->severity_source && *in->severity_source ? in->severity_source : "cvss");
		if (in->cvss_vector && *in->cvss_vector)
			term(out, "severity", base, src, NULL, "%s, CVSS %.1f (%.120s)", lower_sev(in->severity), in->cvss, in->cvss_vector);
		else
			term(out, "severity", base, src, NULL, "%s, CVSS %.1f", lower_sev(in->severity), in->cvss);
	} else if (in->severity == BH_SEV_UNKNOWN && in->kev) {
		/* exploited in the wild with no rating (Go's advisories carry none): at least high */
		base = bh_risk_severity_base(BH_SEV_HIGH);
		term(out, "severity", base, in->severity_source, NULL, "unknown, known exploited: rated as high");
	} else {
		base = bh_risk_severity_base(in->severity);
		term(out, "severity", base, in->severity_source, NULL, "%s (no CVSS score: the band's middle)", lower_sev(in->severity));
	}
	raw = base;

	/* exploitation: observed (KEV) above predicted (EPSS); both shown */
	if (in->kev) {
		w = in->kev_ransomware ? 220 : 200;
		term(out, "kev", w, "CISA KEV", in->kev_date, "known exploited%s",
		     in->kev_ransomware ? ", used in ransomware campaigns" : "");
	} else {
		w = 100;
		term(out, "kev", 100, "CISA KEV", NULL, "not in the catalogue");
	}
	if (in->has_epss) {
		double pct = in->epss_pct < 0 ? 0 : in->epss_pct > 1 ? 1 : in->epss_pct;
		int ew = (int)lround(100.0 + 80.0 * pct);
		char es[64];
		if (in->epss_model && *in->epss_model)
			snprintf(es, sizeof(es), "EPSS %.40s", in->epss_model);
		else
			snprintf(es, sizeof(es), "EPSS");
		/* KEV already says more than a prediction: the EPSS term then weighs nothing extra */
		term(out, "epss", in->kev ? 100 : ew, es, in->epss_date, "probability %.5f, percentile %.5f%s", in->epss, in->epss_pct,
		     in->kev ? " (KEV outranks it)" : "");
		if (!in->kev)
			w = ew;
	} else {
		term(out, "epss", 100, "EPSS", NULL, "not known");
	}
	raw *= w / 100.0;

	/* reach: running containers make it reachable now */
	if (in->running == BH_RISK_UNKNOWN) {
		w = 80;
		term(out, "running", w, NULL, NULL, "not known (local scan)");
	} else if (in->running <= 0) {
		w = 60;
		term(out, "running", w, "store", NULL, "not running");
	} else {
		long h = in->hosts > 0 ? in->hosts : 1;
		w = 100 + 5 * (int)(h - 1 > 10 ? 10 : h - 1);
		term(out, "running", w, "store", NULL, "%ld running container%s on %ld host%s", in->running, in->running == 1 ? "" : "s",
		     h, h == 1 ? "" : "s");
	}
	raw *= w / 100.0;

	/* exposure: counts only for running containers; what the map saw counts even when some
	 * container's config was not sent (an older agent) */
	if (!in->exposure_known && !(in->running > 0 && in->outside_peers > 0)) {
		term(out, "exposure", 100, NULL, NULL, "not known%s", in->running == BH_RISK_UNKNOWN ? " (local scan)" : "");
	} else if (in->running <= 0) {
		term(out, "exposure", 100, "container config", NULL, "none (not running)");
	} else {
		char v[160] = "";
		size_t n = 0;
		w = 100;
#define ADD(cond, pts, ...)                                                                  \
	do {                                                                                 \
		if (cond) {                                                                  \
			w += (pts);                                                          \
			if (n < sizeof(v))                                                   \
				n += (size_t)snprintf(v + n, sizeof(v) - n, n ? ", " : "");  \
			if (n < sizeof(v))                                                   \
				n += (size_t)snprintf(v + n, sizeof(v) - n, __VA_ARGS__);    \
		}                                                                            \
	} while (0)
		ADD(in->ports > 0, 15, "%ld published port%s", in->ports, in->ports == 1 ? "" : "s");
		ADD(in->host_network, 15, "host network");
		ADD(in->privileged, 25, "privileged");
		ADD(in->cap_add > 0, 10, "%ld added capabilit%s", in->cap_add, in->cap_add == 1 ? "y" : "ies");
		ADD(in->outside_peers > 0, 20, "reached from outside by %ld peer%s", in->outside_peers, in->outside_peers == 1 ? "" : "s");
#undef ADD
		term(out, "exposure", w,
		     !in->exposure_known ? "network map" : in->outside_peers > 0 ? "container config, network map" : "container config", NULL,
		     "%s%s", n ? v : "none", in->exposure_known ? "" : " (a container's config not known)");
		raw *= w / 100.0;
	}

	if (in->fixed_version && *in->fixed_version) {
		term(out, "fix", 105, NULL, NULL, "fixed in %.100s", in->fixed_version);
		raw *= 1.05;
	} else {
		term(out, "fix", 100, NULL, NULL, "no fix known");
	}

	if (in->accepted) {
		term(out, "policy", 0, "policy", NULL, "accepted%s%.120s", in->accepted_why && *in->accepted_why ? ": " : "",
		     in->accepted_why ? in->accepted_why : "");
		raw = 0;
	} else {
		term(out, "policy", 100, NULL, NULL, "no exception");
	}

	f = raw * BH_RISK_MAX / BH_RISK_RAW_MAX;
	out->score = f <= 0 ? 0 : f >= BH_RISK_MAX ? BH_RISK_MAX : (int)lround(f);
}

static json_t *jstr_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

json_t *bh_risk_terms_json(const bh_risk *r)
{
	json_t *a = json_array();
	size_t i;
	if (!a)
		return NULL;
	for (i = 0; i < r->n; i++) {
		const bh_risk_term *t = &r->terms[i];
		json_t *o = json_pack("{s:s, s:s, s:i, s:o, s:o}", "name", t->name, "value", t->value, "weight", t->weight,
				      "source", jstr_or_null(t->source), "date", jstr_or_null(t->date));
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *bh_risk_json(const bh_risk *r)
{
	json_t *t = bh_risk_terms_json(r);
	return t ? json_pack("{s:i, s:o}", "score", r->score, "terms", t) : NULL;
}
