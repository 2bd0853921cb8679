/* vulnreport.c - scan results as a table, JSON, SARIF 2.1.0 and CycloneDX 1.5 with vulnerabilities. */
#include "report/vulnreport.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

json_t *bh_report_component_json(const bh_component *c);

int bh_scan_format_parse(const char *name, bh_scan_format *out)
{
	if (!strcmp(name, "table")) *out = BH_SCAN_TABLE;
	else if (!strcmp(name, "json")) *out = BH_SCAN_JSON;
	else if (!strcmp(name, "sarif")) *out = BH_SCAN_SARIF;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx")) *out = BH_SCAN_CYCLONEDX;
	else if (!strcmp(name, "junit")) *out = BH_SCAN_JUNIT;
	else if (!strcmp(name, "html")) *out = BH_SCAN_HTML;
	else if (!strcmp(name, "markdown") || !strcmp(name, "md")) *out = BH_SCAN_MARKDOWN;
	else return BH_EUSAGE;
	return 0;
}

static json_t *sn(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *finding_json(const bh_sbom *s, const bh_finding *f)
{
	const bh_component *c = s->comps.items[f->comp];
	json_t *o = json_object(), *al = json_array();
	const char *p = f->aliases;
	while (p && *p) {
		size_t n = strcspn(p, " ");
		json_array_append_new(al, json_stringn(p, n));
		p += n;
		p += strspn(p, " ");
	}
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "aliases", al);
	json_object_set_new(o, "source", sn(f->source));
	json_object_set_new(o, "ecosystem", json_string(bh_ecosystem_name(c->eco)));
	json_object_set_new(o, "package", sn(c->name));
	if (c->src_name && c->eco == BH_ECO_DEB)
		json_object_set_new(o, "source_package", json_string(c->src_name));
	json_object_set_new(o, "installed_version", sn(c->version));
	json_object_set_new(o, "compared_version", sn(f->installed));
	json_object_set_new(o, "fixed_version", sn(f->fixed));
	json_object_set_new(o, "status", sn(f->status));
	json_object_set_new(o, "severity", json_string(bh_severity_name(f->severity)));
	json_object_set_new(o, "severity_source", sn(f->severity_source));
	if (f->vendor_urgency)
		json_object_set_new(o, "vendor_urgency", json_string(f->vendor_urgency));
	json_object_set_new(o, "cvss_score", f->cvss > 0 ? json_real(f->cvss) : json_null());
	json_object_set_new(o, "known_exploited", json_boolean(f->kev));
	json_object_set_new(o, "epss", f->epss >= 0 ? json_real(f->epss) : json_null());
	json_object_set_new(o, "title", sn(f->title));
	json_object_set_new(o, "url", sn(f->url));
	json_object_set_new(o, "purl", sn(c->purl));
	json_object_set_new(o, "path", sn(c->path));
	if (c->layer >= 0 && (size_t)c->layer < s->nlayers) {
		const bh_layer *l = &s->layers[c->layer];
		json_object_set_new(o, "layer", json_pack("{s:i,s:o,s:o}", "index", c->layer,
			"digest", sn(l->diff_id ? l->diff_id : l->digest), "created_by", sn(l->created_by)));
	}
	return o;
}

static int write_json(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	json_t *counts = json_object(), *ccounts = json_object(), *sbom = NULL;
	bh_jstream *js;
	size_t i, n[5] = { 0 };
	int rc;
	size_t cn[5] = { 0 };
	if ((rc = bh_report_json(s, &sbom, err))) {
		json_decref(counts);
		json_decref(ccounts);
		return rc;
	}
	for (i = 0; i < f->n; i++)
		n[f->items[i].severity]++;
	for (i = 0; ck && i < ck->n; i++)
		cn[ck->items[i].severity]++;
	for (i = 0; i < 5; i++) {
		json_object_set_new(counts, bh_severity_name((bh_severity)i), json_integer((json_int_t)n[i]));
		json_object_set_new(ccounts, bh_severity_name((bh_severity)i), json_integer((json_int_t)cn[i]));
	}
	/* Streamed: each finding is built, written and freed in turn. */
	js = bh_jstream_open(fp);
	if (js) {
		bh_jstream_begin(js, NULL, '{');
		bh_jstream_value(js, "schema", json_string("bulkhead-scan/1"));
		bh_jstream_value(js, "target", json_incref(json_object_get(sbom, "target")));
		bh_jstream_value(js, "os", json_incref(json_object_get(sbom, "os")));
		bh_jstream_value(js, "summary", json_pack("{s:I,s:O,s:I,s:O}", "findings", (json_int_t)f->n, "by_severity", counts,
			"checks", (json_int_t)(ck ? ck->n : 0), "checks_by_severity", ccounts));
		bh_jstream_begin(js, "findings", '[');
		for (i = 0; i < f->n; i++)
			bh_jstream_value(js, NULL, finding_json(s, &f->items[i]));
		bh_jstream_end(js);
		bh_jstream_begin(js, "checks", '[');
		for (i = 0; ck && i < ck->n; i++)
			bh_jstream_value(js, NULL, bh_check_json(&ck->items[i]));
		bh_jstream_end(js);
		bh_jstream_value(js, "sbom", json_incref(sbom));
	}
	json_decref(counts);
	json_decref(ccounts);
	json_decref(sbom);
	return bh_jstream_close(js, err);
}

static const char *sarif_level(bh_severity s)
{
	return s >= BH_SEV_HIGH ? "error" : s == BH_SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(const bh_finding *f)
{
	/* GitHub code scanning ranks by this number; use CVSS when known, else the band's middle. */
	static char buf[16];
	if (f->cvss > 0) {
		snprintf(buf, sizeof(buf), "%.1f", f->cvss);
		return buf;
	}
	switch (f->severity) {
	case BH_SEV_CRITICAL: return "9.5";
	case BH_SEV_HIGH: return "8.0";
	case BH_SEV_MEDIUM: return "5.5";
	case BH_SEV_LOW: return "2.0";
	default: return "0.0";
	}
}

static int write_sarif(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	json_t *doc = json_object(), *rules = json_array(), *results = json_array(), *seen = json_object();
	size_t i;
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		char msg[2048], uri[4096];
		json_t *ridx = json_object_get(seen, x->id);
		if (!ridx) {
			json_t *rule = json_pack("{s:s,s:s,s:{s:s},s:{s:s}}", "id", x->id, "name", "Vulnerability",
				"shortDescription", "text", x->title ? x->title : x->id,
				"properties", "security-severity", security_severity(x));
			json_object_set_new(json_object_get(rule, "properties"), "tags", json_pack("[s,s]", "vulnerability", "security"));
			if (x->url)
				json_object_set_new(rule, "helpUri", json_string(x->url));
			json_object_set_new(rule, "help", json_pack("{s:s}", "text", x->url ? x->url : x->id));
			ridx = json_integer((json_int_t)json_array_size(rules));
			json_object_set_new(seen, x->id, ridx);
			json_array_append_new(rules, rule);
		}
		snprintf(msg, sizeof(msg), "%s %s is affected by %s (%s)%s%s. %s",
			 c->name, c->version ? c->version : "", x->id, bh_severity_name(x->severity),
			 x->fixed ? "; fixed in " : "; no fix yet", x->fixed ? x->fixed : "", x->title ? x->title : "");
		snprintf(uri, sizeof(uri), "%s", c->path ? (c->path[0] == '/' ? c->path + 1 : c->path) : (s->name ? s->name : "target"));
		json_array_append_new(results, json_pack("{s:s,s:I,s:s,s:{s:s},s:[{s:{s:{s:s},s:{s:i}}}]}",
			"ruleId", x->id, "ruleIndex", json_integer_value(ridx), "level", sarif_level(x->severity),
			"message", "text", msg, "locations", "physicalLocation", "artifactLocation", "uri", uri,
			"region", "startLine", 1));
	}
	if (ck)
		bh_checks_sarif(ck, rules, results, seen);
	json_object_set_new(doc, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(doc, "version", json_string("2.1.0"));
	json_object_set_new(doc, "runs", json_pack("[{s:{s:{s:s,s:s,s:s,s:o}},s:o}]", "tool", "driver", "name", "bulkhead",
		"version", BH_VERSION, "informationUri", "https://github.com/bulkhead/bulkhead", "rules", rules, "results", results));
	json_decref(seen);
	return bh_report_dump(doc, fp, err);
}

static int write_cdx(const bh_sbom *s, const bh_findings *f, FILE *fp, bh_error *err)
{
	json_t *doc = NULL, *vulns = json_array(), *comps;
	size_t i, off;
	int rc = bh_report_cyclonedx(s, &doc, err);
	if (rc) {
		json_decref(vulns);
		return rc;
	}
	comps = json_object_get(doc, "components");
	off = s->osinfo.family ? 1 : 0;
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const char *ref = bh_json_ref(comps, x->comp + off);
		json_t *v = json_pack("{s:s,s:{s:s},s:[{s:s,s:s}],s:[{s:s}]}", "id", x->id, "source", "name", x->source ? x->source : "bulkhead",
			"ratings", "severity", bh_severity_name(x->severity) , "method", "other", "affects", "ref", ref ? ref : "");
		json_t *r = json_array_get(json_object_get(v, "ratings"), 0);
		/* CycloneDX severities are lower case */
		char sev[16];
		size_t k;
		snprintf(sev, sizeof(sev), "%s", bh_severity_name(x->severity));
		for (k = 0; sev[k]; k++)
			sev[k] = (char)(sev[k] | 0x20);
		json_object_set_new(r, "severity", json_string(sev));
		if (x->cvss > 0)
			json_object_set_new(r, "score", json_real(x->cvss));
		if (x->url)
			json_object_set_new(json_object_get(v, "source"), "url", json_string(x->url));
		if (x->title)
			json_object_set_new(v, "description", json_string(x->title));
		if (x->fixed)
			json_object_set_new(v, "recommendation", json_sprintf("Upgrade to %s or later", x->fixed));
		json_array_append_new(vulns, v);
	}
	json_object_set_new(doc, "vulnerabilities", vulns);
	return bh_report_dump(doc, fp, err);
}

static int write_table(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp)
{
	size_t i, n[5] = { 0 };
	for (i = 0; i < f->n; i++)
		n[f->items[i].severity]++;
	fprintf(fp, "Target:  %s (%s)\n", s->name ? s->name : "?", s->kind ? s->kind : "?");
	if (s->osinfo.family)
		fprintf(fp, "OS:      %s %s\n", s->osinfo.family, s->osinfo.version ? s->osinfo.version : "");
	fprintf(fp, "Scanned: %zu components\n", s->comps.n);
	fprintf(fp, "Found:   %zu vulnerabilit%s (CRITICAL %zu, HIGH %zu, MEDIUM %zu, LOW %zu, UNKNOWN %zu)\n",
		f->n, f->n == 1 ? "y" : "ies", n[4], n[3], n[2], n[1], n[0]);
	if (ck) {
		size_t cn[5] = { 0 };
		for (i = 0; i < ck->n; i++)
			cn[ck->items[i].severity]++;
		fprintf(fp, "Checks:  %zu finding%s (CRITICAL %zu, HIGH %zu, MEDIUM %zu, LOW %zu, UNKNOWN %zu)\n", ck->n,
			ck->n == 1 ? "" : "s", cn[4], cn[3], cn[2], cn[1], cn[0]);
	}
	fputc('\n', fp);
	if (ck && ck->n)
		bh_checks_table(ck, fp);
	if (!f->n)
		return 0;
	fprintf(fp, "%-8s %-20s %-30s %-22s %-22s %-4s %-50s %s\n", "SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED", "KEV", "TITLE", "WHERE");
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		fprintf(fp, "%-8s %-20s %-30.30s %-22.22s %-22.22s %-4s %-50.50s %s\n", bh_severity_name(x->severity), x->id, c->name,
			c->version ? c->version : "-", x->fixed ? x->fixed : (x->status ? x->status : "-"), x->kev ? "yes" : "",
			x->title ? x->title : "", c->path ? c->path : "");
	}
	return 0;
}

int bh_vreport_write(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_scan_format fmt, FILE *fp,
		     bh_error *err)
{
	switch (fmt) {
	case BH_SCAN_TABLE: return write_table(s, f, ck, fp);
	case BH_SCAN_JSON: return write_json(s, f, ck, fp, err);
	case BH_SCAN_SARIF: return write_sarif(s, f, ck, fp, err);
	case BH_SCAN_CYCLONEDX: return write_cdx(s, f, fp, err);
	case BH_SCAN_JUNIT: return bh_report_junit(s, f, ck, fp, err);
	case BH_SCAN_HTML: return bh_report_html(s, f, ck, fp, err);
	case BH_SCAN_MARKDOWN: return bh_report_markdown(s, f, ck, fp, err);
	}
	return bh_error_set(err, BH_EUSAGE, "unknown format");
}
