/* vulnreport.c - scan results as a table, JSON, SARIF 2.1.0 and CycloneDX 1.5 with vulnerabilities. */
#include "report/vulnreport.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "report/jout.h"

int bh_vreport_format_parse(const char *name, bh_vreport_format *out)
{
	if (!strcmp(name, "table")) *out = BH_VREPORT_TABLE;
	else if (!strcmp(name, "json")) *out = BH_VREPORT_JSON;
	else if (!strcmp(name, "sarif")) *out = BH_VREPORT_SARIF;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx")) *out = BH_VREPORT_CYCLONEDX;
	else if (!strcmp(name, "junit")) *out = BH_VREPORT_JUNIT;
	else if (!strcmp(name, "html")) *out = BH_VREPORT_HTML;
	else if (!strcmp(name, "markdown") || !strcmp(name, "md")) *out = BH_VREPORT_MARKDOWN;
	else return BH_EUSAGE;
	return 0;
}

static json_t *sn(const char *s) { return bh_jstr(s); }

static json_t *finding_json(const bh_sbom *s, const bh_finding *f)
{
	const bh_component *c = s->comps.items[f->comp];
	json_t *o = json_object(), *al = json_array();
	bool bad = false;
	const char *p = f->aliases;
	while (p && *p) {
		size_t n = strcspn(p, " ");
		bh_jpush(&bad, al, bh_jstrn(p, n));
		p += n;
		p += strspn(p, " ");
	}
	bh_jset(&bad, o, "id", bh_jstr(f->id));
	bh_jset(&bad, o, "aliases", al);
	bh_jset(&bad, o, "source", sn(f->source));
	bh_jset(&bad, o, "ecosystem", bh_jstr(bh_ecosystem_name(c->eco)));
	bh_jset(&bad, o, "package", sn(c->name));
	if (c->src_name && c->eco == BH_ECO_DEB)
		bh_jset(&bad, o, "source_package", bh_jstr(c->src_name));
	bh_jset(&bad, o, "installed_version", sn(c->version));
	bh_jset(&bad, o, "compared_version", sn(f->installed));
	bh_jset(&bad, o, "fixed_version", sn(f->fixed));
	bh_jset(&bad, o, "status", sn(f->status));
	bh_jset(&bad, o, "severity", bh_jstr(bh_severity_name(f->severity)));
	bh_jset(&bad, o, "severity_source", sn(f->severity_source));
	if (f->vendor_urgency)
		bh_jset(&bad, o, "vendor_urgency", bh_jstr(f->vendor_urgency));
	if (f->kind) /* RustSec informational: unmaintained, unsound, notice */
		bh_jset(&bad, o, "kind", bh_jstr(f->kind));
	bh_jset(&bad, o, "cvss_score", f->cvss > 0 ? json_real(f->cvss) : json_null());
	bh_jset(&bad, o, "known_exploited", json_boolean(f->kev));
	bh_jset(&bad, o, "epss", f->epss >= 0 ? json_real(f->epss) : json_null());
	bh_jset(&bad, o, "title", sn(f->title));
	bh_jset(&bad, o, "url", sn(f->url));
	bh_jset(&bad, o, "purl", sn(c->purl));
	bh_jset(&bad, o, "path", sn(c->path));
	bh_jset(&bad, o, "layer", bh_vreport_layer_json(s, c->layer));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *suppressed_json(const bh_suppressed *x)
{
	json_t *o = json_object();
	bool bad = false;
	bh_jset(&bad, o, "type", bh_jstr(x->check ? "check" : "vulnerability"));
	bh_jset(&bad, o, "id", sn(x->id));
	if (!x->check) {
		bh_jset(&bad, o, "package", sn(x->package));
		bh_jset(&bad, o, "installed_version", sn(x->version));
	}
	bh_jset(&bad, o, "path", sn(x->path));
	bh_jset(&bad, o, "severity", bh_jstr(bh_severity_name(x->severity)));
	bh_jset(&bad, o, "reason", sn(x->reason));
	bh_jset(&bad, o, "source", sn(x->origin));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int write_json(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, const bh_suppressions *sup, FILE *fp,
		      bh_error *err)
{
	json_t *counts = json_object(), *ccounts = json_object();
	bh_jstream *js;
	size_t i, n[5] = { 0 };
	size_t cn[5] = { 0 };
	json_int_t counted = 0;
	bool bad = false;
	for (i = 0; i < f->n; i++) /* informational advisories are listed, not counted (unless asked) */
		if (!f->items[i].kind || f->count_informational)
			n[f->items[i].severity]++;
	for (i = 0; ck && i < ck->n; i++)
		cn[ck->items[i].severity]++;
	for (i = 0; i < 5; i++) {
		counted += (json_int_t)n[i];
		bh_jset(&bad, counts, bh_severity_name((bh_severity)i), json_integer((json_int_t)n[i]));
		bh_jset(&bad, ccounts, bh_severity_name((bh_severity)i), json_integer((json_int_t)cn[i]));
	}
	if (bad) {
		json_decref(counts);
		json_decref(ccounts);
		return bh_error_set(err, BH_ENOMEM, "cannot build the JSON report (out of memory)");
	}
	/* Streamed: each finding is built, written and freed in turn. */
	js = bh_jstream_open(fp);
	if (js) {
		bh_jstream_begin(js, NULL, '{');
		bh_jstream_value(js, "schema", json_string("bulkhead-scan/1"));
		bh_jstream_value(js, "target", bh_report_json_member(s, "target"));
		bh_jstream_value(js, "os", bh_report_json_member(s, "os"));
		bh_jstream_value(js, "summary", json_pack("{s:I,s:O,s:I,s:I,s:I,s:O}", "findings",
			counted, "by_severity", counts,
			"informational", (json_int_t)f->n - counted, "hidden_unknown", (json_int_t)f->hidden_unknown,
			"checks", (json_int_t)(ck ? ck->n : 0), "checks_by_severity", ccounts));
		bh_jstream_value(js, "warnings", bh_report_json_member(s, "warnings"));
		bh_jstream_begin(js, "findings", '[');
		for (i = 0; i < f->n; i++)
			bh_jstream_value(js, NULL, finding_json(s, &f->items[i]));
		bh_jstream_end(js);
		bh_jstream_begin(js, "checks", '[');
		for (i = 0; ck && i < ck->n; i++)
			bh_jstream_value(js, NULL, bh_vreport_check_json(s, &ck->items[i]));
		bh_jstream_end(js);
		if (sup && sup->n) {
			bh_jstream_begin(js, "suppressed", '[');
			for (i = 0; i < sup->n; i++)
				bh_jstream_value(js, NULL, suppressed_json(&sup->items[i]));
			bh_jstream_end(js);
		}
		/* the embedded inventory streams too: one component tree at a time */
		bh_report_json_stream(s, js, "sbom");
	}
	json_decref(counts);
	json_decref(ccounts);
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
	json_t *doc = json_object(), *rules = json_array(), *results = json_array(), *seen = json_object(), *notes = json_array();
	bool bad = false;
	size_t i;
	for (i = 0; i < f->n && !bad; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		bh_buf msg = BH_BUF_INIT, al = BH_BUF_INIT;
		bh_vreport_idref ids[64];
		size_t nids = bh_vreport_aliases(x, ids, 64), k;
		json_t *ridx = json_object_get(seen, x->id), *aliases = json_array(), *loc, *res;
		for (k = 0; k < nids; k++)
			bh_jpush(&bad, aliases, bh_jstrn(ids[k].p, ids[k].n));
		if (!ridx) {
			json_t *rule = json_pack("{s:o,s:s,s:{s:o},s:{s:s}}", "id", bh_jstr(x->id), "name", "Vulnerability",
				"shortDescription", "text", bh_jstr(x->title ? x->title : x->id),
				"properties", "security-severity", security_severity(x));
			json_t *tags = json_pack("[s,s]", "vulnerability", "security");
			/* the aliases as tags: GitHub code scanning shows and filters by them */
			for (k = 0; k < nids; k++)
				bh_jpush(&bad, tags, bh_jstrn(ids[k].p, ids[k].n));
			bh_jset(&bad, json_object_get(rule, "properties"), "tags", tags);
			if (x->url)
				bh_jset(&bad, rule, "helpUri", bh_jstr(x->url));
			bh_jset(&bad, rule, "help", json_pack("{s:o}", "text", bh_jstr(x->url ? x->url : x->id)));
			ridx = json_integer((json_int_t)json_array_size(rules));
			bh_jset(&bad, seen, x->id, ridx);
			bh_jpush(&bad, rules, rule);
			if (bad) {
				json_decref(aliases);
				break;
			}
		}
		if (bh_vreport_aliases_text(x, &al))
			bh_buf_fail(&msg);
		bh_buf_printf(&msg, "%s %s is affected by %s%s%s%s (%s)%s%s. %s", c->name ? c->name : "", c->version ? c->version : "", x->id,
			      al.len ? " (" : "", al.len ? al.data : "", al.len ? ")" : "", bh_severity_name(x->severity),
			      x->fixed ? "; fixed in " : "; no fix yet", x->fixed ? x->fixed : "", x->title ? x->title : "");
		if (bh_buf_oom(&msg))
			bad = true;
		if (c->path) {
			bh_buf uri = BH_BUF_INIT;
			if (bh_vreport_uri(&uri, c->path))
				bad = true;
			loc = json_pack("{s:{s:{s:s},s:{s:i}}}", "physicalLocation", "artifactLocation", "uri", uri.data ? uri.data : "",
					"region", "startLine", 1);
			bh_buf_free(&uri);
		} else {
			/* a component of a stored SBOM with no file: name the package, not a made-up file */
			loc = json_pack("{s:[{s:o,s:s}]}", "logicalLocations", "fullyQualifiedName",
					bh_jstr(c->purl ? c->purl : (c->name ? c->name : "component")), "kind", "package");
		}
		res = json_pack("{s:o,s:I,s:s,s:{s:o},s:[o],s:{s:o}}", "ruleId", bh_jstr(x->id), "ruleIndex", json_integer_value(ridx),
				"level", sarif_level(x->severity), "message", "text", bh_jstr(msg.data ? msg.data : ""), "locations", loc,
				"properties", "aliases", aliases);
		bh_jpush(&bad, results, res);
		bh_buf_free(&msg);
		bh_buf_free(&al);
	}
	if (ck && !bad)
		bh_vreport_checks_sarif(s, ck, rules, results, seen, &bad);
	for (i = 0; i < s->nwarnings; i++)
		bh_jpush(&bad, notes, json_pack("{s:{s:o},s:s}", "message", "text", bh_jstr(s->warnings[i]), "level", "warning"));
	bh_jset(&bad, doc, "$schema", bh_jstr("https://json.schemastore.org/sarif-2.1.0.json"));
	bh_jset(&bad, doc, "version", bh_jstr("2.1.0"));
	bh_jset(&bad, doc, "runs", json_pack("[{s:{s:{s:s,s:s,s:s,s:o}},s:[{s:b,s:o}],s:o}]", "tool", "driver", "name", "bulkhead",
		"version", BH_VERSION, "informationUri", "https://github.com/bulkhead/bulkhead", "rules", rules,
		"invocations", "executionSuccessful", 1, "toolExecutionNotifications", notes, "results", results));
	json_decref(seen);
	if (bad) {
		json_decref(doc);
		return bh_error_set(err, BH_ENOMEM, "cannot build the SARIF report (out of memory)");
	}
	return bh_report_dump(doc, fp, err);
}

/* Where an advisory id is published, for CycloneDX vulnerability sources and references. */
static void id_source(const char *id, size_t n, const char **name, char *url, size_t un)
{
	static const struct { const char *prefix, *name, *url; } src[] = {
		{ "CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/" },
		{ "GHSA-", "GitHub", "https://github.com/advisories/" },
		{ "GO-", "Go", "https://pkg.go.dev/vuln/" },
		{ "PYSEC-", "PyPA", "https://osv.dev/vulnerability/" },
		{ "RUSTSEC-", "RustSec", "https://rustsec.org/advisories/" },
		{ "DSA-", "Debian", "https://security-tracker.debian.org/tracker/" },
		{ "DLA-", "Debian", "https://security-tracker.debian.org/tracker/" },
	};
	size_t i;
	*name = "OSV";
	snprintf(url, un, "https://osv.dev/vulnerability/%.*s", (int)n, id);
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		if (!strncmp(id, src[i].prefix, strlen(src[i].prefix))) {
			*name = src[i].name;
			snprintf(url, un, "%s%.*s", src[i].url, (int)n, id);
			return;
		}
	}
}

/* One finding as a CycloneDX vulnerability affecting the component whose bom-ref is cref; NULL on failure. */
static json_t *cdx_vuln(const bh_finding *x, const char *cref)
{
	json_t *v = json_pack("{s:o,s:{s:o},s:[{s:s,s:s}],s:[{s:o}]}", "id", bh_jstr(x->id), "source", "name",
		bh_jstr(x->source ? x->source : "bulkhead"), "ratings", "severity", "unknown", "method", "other", "affects", "ref",
		bh_jstr(cref));
	json_t *r = json_array_get(json_object_get(v, "ratings"), 0), *refs = json_array();
	bh_vreport_idref ids[64];
	size_t nids = bh_vreport_aliases(x, ids, 64), k;
	bool bad = !v;
	/* CycloneDX severities are lower case */
	char sev[16];
	snprintf(sev, sizeof(sev), "%s", bh_severity_name(x->severity));
	for (k = 0; sev[k]; k++)
		sev[k] = (char)(sev[k] | 0x20);
	bh_jset(&bad, r, "severity", bh_jstr(sev));
	if (x->cvss > 0)
		bh_jset(&bad, r, "score", json_real(x->cvss));
	if (x->url)
		bh_jset(&bad, json_object_get(v, "source"), "url", bh_jstr(x->url));
	for (k = 0; k < nids; k++) {
		const char *sname;
		char url[256];
		id_source(ids[k].p, ids[k].n, &sname, url, sizeof(url));
		bh_jpush(&bad, refs, json_pack("{s:o,s:{s:s,s:o}}", "id", bh_jstrn(ids[k].p, ids[k].n), "source", "name", sname,
					       "url", bh_jstr(url)));
	}
	if (nids)
		bh_jset(&bad, v, "references", refs);
	else
		json_decref(refs);
	if (x->title)
		bh_jset(&bad, v, "description", bh_jstr(x->title));
	if (x->fixed) {
		bh_buf rec = BH_BUF_INIT;
		bh_buf_printf(&rec, "Upgrade to %s or later", x->fixed);
		bh_jset(&bad, v, "recommendation", bh_buf_oom(&rec) ? NULL : bh_jstr(rec.data));
		bh_buf_free(&rec);
	}
	if (bad) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* The "vulnerabilities" member, one finding at a time, after the inventory's components. */
static void cdx_vulns(bh_jstream *js, const bh_report_cdx_refs *refs, void *arg)
{
	const bh_findings *f = arg;
	char cref[BH_REPORT_BREF_MAX];
	size_t i;
	bh_jstream_begin(js, "vulnerabilities", '[');
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		bh_report_cyclonedx_ref(refs, x->comp, cref);
		bh_jstream_value(js, NULL, cdx_vuln(x, cref));
	}
	bh_jstream_end(js);
}

/* The inventory's CycloneDX document with "vulnerabilities" added, streamed like the inventory. */
static int write_cdx(const bh_sbom *s, const bh_findings *f, FILE *fp, bh_error *err)
{
	bh_jstream *js = bh_jstream_open(fp);
	if (js)
		bh_report_cyclonedx_stream_tail(s, js, "cyclonedx-scan", cdx_vulns, (void *)f);
	return bh_jstream_close(js, err);
}

static void cell(FILE *fp, const char *s, size_t width) { bh_report_cell(fp, s, width, true); fputc(' ', fp); }

/* --show-suppressed in the table: after the findings, never in the counts above them. */
static void suppressed_table(const bh_suppressions *sup, FILE *fp)
{
	size_t i;
	fprintf(fp, "\nSuppressed: %zu (not counted)\n", sup->n);
	fprintf(fp, "%-13s %-8s %-24s %-30s %-40s %s\n", "TYPE", "SEVERITY", "ID", "PACKAGE / PATH", "REASON", "SOURCE");
	for (i = 0; i < sup->n; i++) {
		const bh_suppressed *x = &sup->items[i];
		bh_buf what = BH_BUF_INIT;
		if (x->package)
			bh_buf_printf(&what, "%s %s", x->package, x->version ? x->version : "");
		else
			bh_buf_puts(&what, x->path ? x->path : "-");
		fprintf(fp, "%-13s %-8s ", x->check ? "check" : "vulnerability", bh_severity_name(x->severity));
		cell(fp, x->id ? x->id : "-", 24);
		cell(fp, what.data ? what.data : "-", 30);
		cell(fp, x->reason ? x->reason : "-", 40);
		bh_report_cell(fp, x->origin ? x->origin : "-", 0, false);
		fputc('\n', fp);
		bh_buf_free(&what);
	}
}

static int write_table(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, const bh_suppressions *sup, FILE *fp)
{
	size_t i, n[5] = { 0 };
	for (i = 0; i < f->n; i++)
		n[f->items[i].severity]++;
	fputs("Target:  ", fp);
	bh_report_cell(fp, s->name ? s->name : "?", 0, false);
	fputs(" (", fp);
	bh_report_cell(fp, s->kind ? s->kind : "?", 0, false);
	fputs(")\n", fp);
	if (s->osinfo.family) {
		fputs("OS:      ", fp);
		bh_report_cell(fp, s->osinfo.family, 0, false);
		fputc(' ', fp);
		bh_report_cell(fp, s->osinfo.version, 0, false);
		fputc('\n', fp);
	}
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
	for (i = 0; i < s->nwarnings; i++) {
		fputs("Warning: ", fp);
		bh_report_cell(fp, s->warnings[i], 0, false);
		fputc('\n', fp);
	}
	fputc('\n', fp);
	if (ck && ck->n)
		bh_vreport_checks_table(s, ck, fp);
	if (!f->n) {
		if (sup && sup->n)
			suppressed_table(sup, fp);
		return 0;
	}
	fprintf(fp, "%-8s %-20s %-30s %-22s %-22s %-4s %-50s %s\n", "SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED", "KEV", "TITLE", "WHERE");
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		bh_buf al = BH_BUF_INIT;
		fprintf(fp, "%-8s ", bh_severity_name(x->severity));
		cell(fp, x->id, 20);
		cell(fp, c->name, 30);
		cell(fp, c->version ? c->version : "-", 22);
		cell(fp, x->fixed ? x->fixed : (x->status ? x->status : "-"), 22);
		fprintf(fp, "%-4s ", x->kev ? "yes" : "");
		cell(fp, x->title, 50);
		bh_report_cell(fp, c->path, 0, false);
		if (c->layer >= 0 && (size_t)c->layer < s->nlayers)
			fprintf(fp, ", layer %d", c->layer);
		fputc('\n', fp);
		/* the aliases on their own line: a CVE id is what people search for */
		if (!bh_vreport_aliases_text(x, &al) && al.len) {
			fputs("         aliases: ", fp);
			bh_report_cell(fp, al.data, 0, false);
			fputc('\n', fp);
		}
		bh_buf_free(&al);
	}
	if (sup && sup->n)
		suppressed_table(sup, fp);
	return 0;
}

int bh_vreport_write(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt, FILE *fp,
		     bh_error *err)
{
	return bh_vreport_write_ex(s, f, ck, NULL, fmt, fp, err);
}

int bh_vreport_write_ex(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, const bh_suppressions *sup,
			bh_vreport_format fmt, FILE *fp, bh_error *err)
{
	switch (fmt) {
	case BH_VREPORT_TABLE: return write_table(s, f, ck, sup, fp);
	case BH_VREPORT_JSON: return write_json(s, f, ck, sup, fp, err);
	case BH_VREPORT_SARIF: return write_sarif(s, f, ck, fp, err);
	case BH_VREPORT_CYCLONEDX: return write_cdx(s, f, fp, err);
	case BH_VREPORT_JUNIT: return bh_vreport_junit(s, f, ck, fp, err);
	case BH_VREPORT_HTML: return bh_vreport_html(s, f, ck, fp, err);
	case BH_VREPORT_MARKDOWN: return bh_vreport_markdown(s, f, ck, fp, err);
	}
	return bh_error_set(err, BH_EUSAGE, "unknown format");
}
