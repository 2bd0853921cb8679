/* vulnreport.c - scan results as a table, JSON, SARIF 2.1.0 and CycloneDX 1.5 with vulnerabilities. */
#include "report/vulnreport.h"

#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/text.h"
#include "report/cyclonedx.h"
#include "report/gitlab.h"
#include "report/jout.h"
#include "report/layout.h"
#include "version/version.h"

int bh_vreport_format_parse(const char *name, bh_vreport_format *out)
{
	if (!strcmp(name, "table")) *out = BH_VREPORT_TABLE;
	else if (!strcmp(name, "json")) *out = BH_VREPORT_JSON;
	else if (!strcmp(name, "sarif")) *out = BH_VREPORT_SARIF;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx") || !strcmp(name, "cyclonedx-1.6")) *out = BH_VREPORT_CYCLONEDX;
	else if (!strcmp(name, "cyclonedx-1.5")) *out = BH_VREPORT_CYCLONEDX_1_5;
	else if (!strcmp(name, "junit")) *out = BH_VREPORT_JUNIT;
	else if (!strcmp(name, "html")) *out = BH_VREPORT_HTML;
	else if (!strcmp(name, "markdown") || !strcmp(name, "md")) *out = BH_VREPORT_MARKDOWN;
	else if (!strcmp(name, "gitlab-codequality")) *out = BH_VREPORT_GITLAB_CODEQUALITY;
	else if (!strcmp(name, "gitlab-container-scanning")) *out = BH_VREPORT_GITLAB_CONTAINER_SCANNING;
	else return BH_EUSAGE;
	return 0;
}

static json_t *sn(const char *s) { return bh_jstr(s); }

static json_t *finding_json(const bh_sbom *s, const bh_finding *f, const bh_risk *risk)
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
	if (risk)
		bh_jset(&bad, o, "risk", bh_risk_json(risk));
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

struct group;
static int group_findings(const bh_sbom *s, const bh_findings *f, struct group **out, size_t *ng, size_t **next);
static void groups_json(const bh_sbom *s, const bh_findings *f, bh_jstream *js);

static int write_json(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, const bh_vreport_opts *o,
		      const bh_risk *risks, FILE *fp, bh_error *err)
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
			bh_jstream_value(js, NULL, finding_json(s, &f->items[i], risks ? &risks[i] : NULL));
		bh_jstream_end(js);
		bh_jstream_begin(js, "checks", '[');
		for (i = 0; ck && i < ck->n; i++)
			bh_jstream_value(js, NULL, bh_vreport_check_json(s, &ck->items[i]));
		bh_jstream_end(js);
		if (o && o->suppressed && o->suppressed->n) {
			bh_jstream_begin(js, "suppressed", '[');
			for (i = 0; i < o->suppressed->n; i++)
				bh_jstream_value(js, NULL, suppressed_json(&o->suppressed->items[i]));
			bh_jstream_end(js);
		}
		if (o && o->group_by_package)
			groups_json(s, f, js);
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
static int write_cdx(const bh_sbom *s, const bh_findings *f, bh_report_cdx_spec spec, FILE *fp, bh_error *err)
{
	bh_jstream *js = bh_jstream_open(fp);
	if (js)
		bh_report_cyclonedx_stream_tail_as(s, spec, js, "cyclonedx-scan", cdx_vulns, (void *)f);
	return bh_jstream_close(js, err);
}

/* Writes the rows laid out in b and empties it for the next; a failure stays in b. */
static void emit(bh_buf *b, FILE *fp)
{
	if (b->len && !bh_buf_oom(b) && fwrite(b->data, 1, b->len, fp) != b->len)
		bh_buf_fail(b);
	bh_buf_reset(b);
}

/* --show-suppressed in the table: after the findings, never in the counts above them. */
static void suppressed_rows(const bh_suppressions *sup, size_t width, bh_buf *b, FILE *fp)
{
	size_t i;
	bh_buf_printf(b, "\nSuppressed: %zu (not counted)\n", sup->n);
	for (i = 0; i < sup->n; i++) {
		const bh_suppressed *x = &sup->items[i];
		bh_buf line = BH_BUF_INIT;
		bh_buf_printf(&line, "%s %s %s", bh_severity_name(x->severity), x->check ? "check" : "vulnerability", x->id ? x->id : "-");
		if (x->package)
			bh_buf_printf(&line, " in %s %s", x->package, x->version ? x->version : "");
		else if (x->path)
			bh_buf_printf(&line, " at %s", x->path);
		bh_buf_printf(&line, ": %s (%s)", x->reason ? x->reason : "no reason given", x->origin ? x->origin : "-");
		if (bh_buf_oom(&line))
			bh_buf_fail(b);
		else
			bh_vreport_label_line(b, "-", line.data, width);
		bh_buf_free(&line);
	}
	emit(b, fp);
}

size_t bh_vreport_width(size_t width)
{
	if (!width)
		return BH_VREPORT_WIDTH_DEFAULT;
	return width < BH_VREPORT_WIDTH_MIN ? BH_VREPORT_WIDTH_MIN : width > BH_VREPORT_WIDTH_MAX ? BH_VREPORT_WIDTH_MAX : width;
}

void bh_vreport_fit(bh_layout_col *cols, const size_t *natural, const size_t *minw, size_t n, size_t width)
{
	size_t avail = width > n - 1 ? width - (n - 1) : 0, sum = 0, i;
	for (i = 0; i + 1 < n; i++) {
		cols[i].width = natural[i] > minw[i] ? natural[i] : minw[i];
		sum += cols[i].width;
	}
	/* the last column (the free text) takes the rest; the others give up columns, widest first */
	while (sum + minw[n - 1] > avail) {
		size_t best = n, slack = 0;
		for (i = 0; i + 1 < n; i++)
			if (cols[i].width - minw[i] > slack) {
				slack = cols[i].width - minw[i];
				best = i;
			}
		if (best == n)
			break;
		cols[best].width--;
		sum--;
	}
	cols[n - 1].width = avail > sum + minw[n - 1] ? avail - sum : minw[n - 1];
}

void bh_vreport_label_line(bh_buf *b, const char *label, const char *text, size_t width)
{
	const char *cells[2] = { label, text };
	bh_layout_col cols[2] = { { 8, false, 1 }, { width - 9, false, 0 } };
	bh_layout_row(b, cells, cols, 2, 0);
}

void bh_vreport_more_line(bh_buf *b, const char *text, size_t width, size_t max_lines)
{
	bh_layout_col col = { width - 9, false, max_lines };
	bh_layout_row(b, &text, &col, 1, 9);
}

/* "path, layer N" of a component into b (reset first). */
static void comp_where(const bh_sbom *s, const bh_component *c, bh_buf *b)
{
	bh_buf_reset(b);
	bh_buf_puts(b, c->path ? c->path : "");
	if (c->layer >= 0 && (size_t)c->layer < s->nlayers)
		bh_buf_printf(b, "%slayer %d", c->path ? ", " : "", c->layer);
}

static size_t cap(size_t w, size_t max) { return w > max ? max : w; }

/* "risk: severity critical, CVSS 9.8 (...) 98; kev ... x2.00; ..." : the terms that made the score. */
static void risk_line(const bh_risk *r, bh_buf *out)
{
	size_t i;
	bh_buf_printf(out, "risk %d:", r->score);
	for (i = 0; i < r->n; i++) {
		const bh_risk_term *t = &r->terms[i];
		if (i == 0)
			bh_buf_printf(out, " %s %s = %d", t->name, t->value, t->weight);
		else
			bh_buf_printf(out, "; %s %s x%d.%02d", t->name, t->value, t->weight / 100, t->weight % 100);
		if (t->date[0])
			bh_buf_printf(out, " (%s)", t->date);
	}
}

static void vuln_rows(const bh_sbom *s, const bh_findings *f, const bh_risk *risks, size_t width, bh_buf *b, FILE *fp)
{
	/* the columns as before, RISK inserted after ID (RC) when there are scores */
	enum { RC = 2 };
	static const char *const head7[7] = { "SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED", "KEV", "TITLE" };
	static const size_t minw7[7] = { 8, 7, 7, 9, 8, 3, 12 }, maxw[7] = { 8, 20, 30, 22, 22, 3, 1000 };
	bh_layout_col cols7[7] = { { 0, true, 1 }, { 0, false, 16 }, { 0, false, 16 }, { 0, false, 16 }, { 0, false, 16 },
				   { 0, true, 1 }, { 0, false, 2 } };
	const bh_layout_col riskcol = { 0, true, 1 };
	size_t nc = risks ? 8 : 7, natural[7], nat8[8], minw8[8], i, k;
	const char *head8[8];
	bh_layout_col cols8[8];
	bh_buf tmp = BH_BUF_INIT;
	for (k = 0; k < 7; k++)
		natural[k] = strlen(head7[k]);
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		size_t w[5] = { bh_layout_cell_width(x->id), bh_layout_cell_width(c->name), bh_layout_cell_width(c->version),
				bh_layout_cell_width(x->fixed ? x->fixed : x->status), bh_layout_cell_width(x->title) };
		for (k = 0; k < 4; k++)
			natural[k + 1] = cap(w[k] > natural[k + 1] ? w[k] : natural[k + 1], maxw[k + 1]);
		if (w[4] > natural[6])
			natural[6] = w[4];
	}
	for (k = 0; k < 8; k++) {
		size_t from = k < RC ? k : k - 1;
		head8[k] = k == RC ? "RISK" : head7[from];
		nat8[k] = k == RC ? 4 : natural[from];
		minw8[k] = k == RC ? 4 : minw7[from];
		cols8[k] = k == RC ? riskcol : cols7[from];
	}
	if (risks) {
		bh_vreport_fit(cols8, nat8, minw8, 8, width);
		bh_layout_row(b, head8, cols8, 8, 0);
	} else {
		bh_vreport_fit(cols7, natural, minw7, 7, width);
		bh_layout_row(b, head7, cols7, 7, 0);
	}
	emit(b, fp);
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		char score[16];
		const char *cells7[7] = { bh_severity_name(x->severity), x->id, c->name, c->version ? c->version : "-",
					  x->fixed ? x->fixed : (x->status ? x->status : "-"), x->kev ? "yes" : "", x->title };
		const char *cells8[8];
		if (risks) {
			snprintf(score, sizeof(score), "%d", risks[i].score);
			for (k = 0; k < 8; k++)
				cells8[k] = k == RC ? score : cells7[k < RC ? k : k - 1];
			bh_layout_row(b, cells8, cols8, nc, 0);
		} else {
			bh_layout_row(b, cells7, cols7, nc, 0);
		}
		if (risks) {
			bh_buf_reset(&tmp);
			risk_line(&risks[i], &tmp);
			bh_vreport_more_line(b, bh_buf_oom(&tmp) ? "" : tmp.data, width, 6);
		}
		/* the aliases on their own line: a CVE id is what people search for */
		bh_buf_reset(&tmp);
		if (bh_vreport_aliases_text(x, &tmp))
			bh_buf_fail(b);
		else if (tmp.len) {
			bh_buf_reset(&tmp);
			bh_buf_puts(&tmp, "aliases: ");
			if (bh_vreport_aliases_text(x, &tmp))
				bh_buf_fail(b);
			bh_vreport_more_line(b, bh_buf_oom(&tmp) ? "" : tmp.data, width, 4);
		}
		comp_where(s, c, &tmp);
		if (tmp.len && !bh_buf_oom(&tmp)) {
			char *w = bh_strdup(tmp.data);
			bh_buf_reset(&tmp);
			bh_buf_puts(&tmp, "where: ");
			bh_buf_puts(&tmp, w ? w : "");
			free(w);
			bh_vreport_more_line(b, bh_buf_oom(&tmp) ? "" : tmp.data, width, 4);
		}
		emit(b, fp);
	}
	if (bh_buf_oom(&tmp))
		bh_buf_fail(b);
	bh_buf_free(&tmp);
}

/* One package at one version and the findings in it, worst first (the findings' order). */
struct group {
	size_t head, tail, n, unfixed, paths;
	const char *fixed; /* the highest fixed version among them */
};

/* Groups of f by (ecosystem, package, installed version), in order of their worst finding. next[i]
 * links finding i to the next of its group ((size_t)-1 at the end). Caller frees *out and *next. */
static int group_findings(const bh_sbom *s, const bh_findings *f, struct group **out, size_t *ng, size_t **next)
{
	bh_map m, files;
	struct group *g = NULL;
	size_t *nx = NULL, i, n = 0, *idx;
	int rc = 0;
	bh_map_init(&m, free);
	bh_map_init(&files, NULL);
	if (f->n && (!(g = calloc(f->n, sizeof(*g))) || !(nx = calloc(f->n, sizeof(*nx)))))
		rc = BH_ENOMEM;
	for (i = 0; i < f->n && !rc; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		bh_buf key = BH_BUF_INIT;
		struct group *gr;
		bh_buf_printf(&key, "%d %zu:%s %s", (int)c->eco, c->name ? strlen(c->name) : 0, c->name ? c->name : "",
			      c->version ? c->version : "");
		nx[i] = (size_t)-1;
		if (bh_buf_oom(&key)) {
			rc = BH_ENOMEM;
		} else if ((idx = bh_map_get(&m, key.data)) != NULL) {
			gr = &g[*idx];
			nx[gr->tail] = i;
			gr->tail = i;
			gr->n++;
		} else if (!(idx = malloc(sizeof(*idx))) || (*idx = n, bh_map_put(&m, key.data, idx))) {
			free(idx);
			rc = BH_ENOMEM;
		} else {
			gr = &g[n++];
			gr->head = gr->tail = i;
			gr->n = 1;
			gr->paths = 1;
		}
		if (!rc) {
			/* another file holding the same package (each Go binary its own stdlib) */
			bh_buf_reset(&key);
			bh_buf_printf(&key, "%zu#%zu", *idx, x->comp);
			if (bh_buf_oom(&key))
				rc = BH_ENOMEM;
			else if (!bh_map_get(&files, key.data)) {
				if (bh_map_put(&files, key.data, &files))
					rc = BH_ENOMEM;
				else if (g[*idx].n > 1)
					g[*idx].paths++;
			}
		}
		bh_buf_free(&key);
	}
	/* the fix that resolves them all: the highest fixed version, in the ecosystem's order */
	for (i = 0; i < n && !rc; i++) {
		size_t j;
		bh_ecosystem eco = s->comps.items[f->items[g[i].head].comp]->eco;
		for (j = g[i].head; j != (size_t)-1; j = nx[j]) {
			const char *fx = f->items[j].fixed;
			int cmp = 0;
			bh_error e;
			if (!fx) {
				g[i].unfixed++;
				continue;
			}
			if (!g[i].fixed || (bh_version_cmp(eco, fx, g[i].fixed, &cmp, &e) ? strcmp(fx, g[i].fixed) > 0 : cmp > 0))
				g[i].fixed = fx;
		}
	}
	bh_map_free(&m);
	bh_map_free(&files);
	if (rc) {
		free(g);
		free(nx);
		return rc;
	}
	*out = g;
	*ng = n;
	*next = nx;
	return 0;
}

/* "groups": one entry per package and version, as the grouped table shows them. */
static void groups_json(const bh_sbom *s, const bh_findings *f, bh_jstream *js)
{
	struct group *g = NULL;
	size_t ng = 0, *nx = NULL, i, j;
	if (group_findings(s, f, &g, &ng, &nx)) {
		bh_jstream_value(js, "groups", NULL); /* fails the document */
		return;
	}
	bh_jstream_begin(js, "groups", '[');
	for (i = 0; i < ng; i++) {
		const bh_finding *x = &f->items[g[i].head];
		const bh_component *c = s->comps.items[x->comp];
		json_t *o = json_object(), *ids = json_array();
		bool bad = !o || !ids;
		for (j = g[i].head; j != (size_t)-1; j = nx[j])
			bh_jpush(&bad, ids, bh_jstr(f->items[j].id));
		bh_jset(&bad, o, "ecosystem", bh_jstr(bh_ecosystem_name(c->eco)));
		bh_jset(&bad, o, "package", sn(c->name));
		bh_jset(&bad, o, "installed_version", sn(c->version));
		bh_jset(&bad, o, "severity", bh_jstr(bh_severity_name(x->severity)));
		bh_jset(&bad, o, "count", json_integer((json_int_t)g[i].n));
		bh_jset(&bad, o, "fixed_version", sn(g[i].fixed));
		bh_jset(&bad, o, "unfixed", json_integer((json_int_t)g[i].unfixed));
		bh_jset(&bad, o, "files", json_integer((json_int_t)g[i].paths));
		bh_jset(&bad, o, "ids", ids);
		if (bad) {
			json_decref(o);
			o = NULL;
		}
		bh_jstream_value(js, NULL, o);
	}
	bh_jstream_end(js);
	free(g);
	free(nx);
}

static void group_rows(const bh_sbom *s, const bh_findings *f, size_t width, bh_buf *b, FILE *fp)
{
	static const char *const head[6] = { "SEVERITY", "PACKAGE", "INSTALLED", "FIXED", "COUNT", "ADVISORIES" };
	static const size_t minw[6] = { 8, 8, 7, 7, 5, 16 }, maxw[6] = { 8, 30, 22, 22, 6, 1000 };
	size_t natural[6], i, k, ng = 0, *nx = NULL;
	bh_layout_col cols[6] = { { 0, true, 1 }, { 0, false, 16 }, { 0, false, 16 }, { 0, false, 16 }, { 0, true, 1 },
				  { 0, false, 10 } };
	struct group *g = NULL;
	bh_buf ids = BH_BUF_INIT, tmp = BH_BUF_INIT;
	if (group_findings(s, f, &g, &ng, &nx)) {
		bh_buf_fail(b);
		return;
	}
	for (k = 0; k < 6; k++)
		natural[k] = strlen(head[k]);
	for (i = 0; i < ng; i++) {
		const bh_component *c = s->comps.items[f->items[g[i].head].comp];
		size_t w[3] = { bh_layout_cell_width(c->name), bh_layout_cell_width(c->version), bh_layout_cell_width(g[i].fixed) };
		for (k = 0; k < 3; k++)
			natural[k + 1] = cap(w[k] > natural[k + 1] ? w[k] : natural[k + 1], maxw[k + 1]);
	}
	natural[5] = 1000;
	bh_vreport_fit(cols, natural, minw, 6, width);
	bh_layout_row(b, head, cols, 6, 0);
	emit(b, fp);
	for (i = 0; i < ng; i++) {
		const bh_finding *x = &f->items[g[i].head];
		const bh_component *c = s->comps.items[x->comp];
		char count[24];
		const char *cells[6];
		size_t j;
		size_t shown = 0, budget = cols[5].width * 6;
		bh_buf_reset(&ids);
		/* whole ids only, about six lines of them; the JSON lists every one */
		for (j = g[i].head; j != (size_t)-1; j = nx[j], shown++) {
			if (shown && ids.len + strlen(f->items[j].id) + 2 > budget)
				break;
			bh_buf_printf(&ids, "%s%s", shown ? ", " : "", f->items[j].id);
		}
		if (shown < g[i].n)
			bh_buf_printf(&ids, " and %zu more", g[i].n - shown);
		snprintf(count, sizeof(count), "%zu", g[i].n);
		cells[0] = bh_severity_name(x->severity);
		cells[1] = c->name;
		cells[2] = c->version ? c->version : "-";
		cells[3] = g[i].fixed ? g[i].fixed : "-";
		cells[4] = count;
		cells[5] = bh_buf_oom(&ids) ? "" : ids.data;
		bh_layout_row(b, cells, cols, 6, 0);
		if (g[i].unfixed) {
			bh_buf_reset(&tmp);
			bh_buf_printf(&tmp, "no fix yet for %zu of them", g[i].unfixed);
			bh_vreport_more_line(b, bh_buf_oom(&tmp) ? "" : tmp.data, width, 2);
		}
		comp_where(s, c, &ids);
		if (ids.len && !bh_buf_oom(&ids)) {
			bh_buf_reset(&tmp);
			bh_buf_printf(&tmp, "where: %s", ids.data);
			if (g[i].paths > 1)
				bh_buf_printf(&tmp, " (and %zu other file%s)", g[i].paths - 1, g[i].paths == 2 ? "" : "s");
			bh_vreport_more_line(b, bh_buf_oom(&tmp) ? "" : tmp.data, width, 4);
		}
		emit(b, fp);
	}
	if (bh_buf_oom(&ids) || bh_buf_oom(&tmp))
		bh_buf_fail(b);
	bh_buf_free(&ids);
	bh_buf_free(&tmp);
	free(g);
	free(nx);
}

#define TABLE_MAX_WARNINGS 10

static int write_table(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, const bh_vreport_opts *o,
		       const bh_risk *risks, FILE *fp, bh_error *err)
{
	size_t i, n[5] = { 0 }, width = bh_vreport_width(o ? o->width : 0);
	bh_buf b = BH_BUF_INIT, t = BH_BUF_INIT;
	bool bad;
	for (i = 0; i < f->n; i++)
		n[f->items[i].severity]++;
	bh_buf_printf(&t, "%s (%s)", s->name ? s->name : "?", s->kind ? s->kind : "?");
	bh_vreport_label_line(&b, "Target:", bh_buf_oom(&t) ? "" : t.data, width);
	if (s->osinfo.family) {
		bh_buf_reset(&t);
		bh_buf_printf(&t, "%s %s", s->osinfo.family, s->osinfo.version ? s->osinfo.version : "");
		bh_vreport_label_line(&b, "OS:", bh_buf_oom(&t) ? "" : t.data, width);
	}
	bh_buf_reset(&t);
	bh_buf_printf(&t, "%zu components", s->comps.n);
	bh_vreport_label_line(&b, "Scanned:", bh_buf_oom(&t) ? "" : t.data, width);
	bh_buf_reset(&t);
	bh_buf_printf(&t, "%zu vulnerabilit%s (CRITICAL %zu, HIGH %zu, MEDIUM %zu, LOW %zu, UNKNOWN %zu)", f->n,
		      f->n == 1 ? "y" : "ies", n[4], n[3], n[2], n[1], n[0]);
	bh_vreport_label_line(&b, "Found:", bh_buf_oom(&t) ? "" : t.data, width);
	if (ck) {
		size_t cn[5] = { 0 };
		for (i = 0; i < ck->n; i++)
			cn[ck->items[i].severity]++;
		bh_buf_reset(&t);
		bh_buf_printf(&t, "%zu finding%s (CRITICAL %zu, HIGH %zu, MEDIUM %zu, LOW %zu, UNKNOWN %zu)", ck->n,
			      ck->n == 1 ? "" : "s", cn[4], cn[3], cn[2], cn[1], cn[0]);
		bh_vreport_label_line(&b, "Checks:", bh_buf_oom(&t) ? "" : t.data, width);
	}
	/* A person reads the findings first: a long run of warnings (unreadable files all over a host)
	 * is cut to its first ones here; every one stays in the other formats. */
	for (i = 0; i < s->nwarnings && i < TABLE_MAX_WARNINGS; i++)
		bh_vreport_label_line(&b, "Warning:", s->warnings[i], width);
	if (s->nwarnings > TABLE_MAX_WARNINGS) {
		bh_buf_reset(&t);
		bh_buf_printf(&t, "... and %zu more (every warning is in -f json, sarif, html)", s->nwarnings - TABLE_MAX_WARNINGS);
		bh_vreport_label_line(&b, "Warning:", bh_buf_oom(&t) ? "" : t.data, width);
	}
	bh_buf_putc(&b, '\n');
	if (bh_buf_oom(&t))
		bh_buf_fail(&b);
	bh_buf_free(&t);
	emit(&b, fp);
	if (ck && ck->n)
		bh_vreport_checks_table(s, ck, width, fp);
	if (f->n) {
		if (o && o->group_by_package)
			group_rows(s, f, width, &b, fp);
		else
			vuln_rows(s, f, risks, width, &b, fp);
	}
	if (o && o->suppressed && o->suppressed->n)
		suppressed_rows(o->suppressed, width, &b, fp);
	bad = bh_buf_oom(&b);
	bh_buf_free(&b);
	if (ferror(fp)) /* checked first: a failed write also marks b */
		return bh_error_set(err, BH_EIO, "cannot write the report");
	if (bad)
		return bh_error_set(err, BH_ENOMEM, "cannot build the table (out of memory)");
	return 0;
}

int bh_vreport_write(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt, FILE *fp,
		     bh_error *err)
{
	return bh_vreport_write_opts(s, f, ck, fmt, NULL, fp, err);
}

int bh_vreport_write_opts(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt,
			  const bh_vreport_opts *o, FILE *fp, bh_error *err)
{
	return bh_vreport_write_risk(s, f, ck, fmt, o, NULL, fp, err);
}

int bh_vreport_write_risk(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, bh_vreport_format fmt,
			  const bh_vreport_opts *o, const bh_risk *risks, FILE *fp, bh_error *err)
{
	switch (fmt) {
	case BH_VREPORT_TABLE: return write_table(s, f, ck, o, risks, fp, err);
	case BH_VREPORT_JSON: return write_json(s, f, ck, o, risks, fp, err);
	case BH_VREPORT_SARIF: return write_sarif(s, f, ck, fp, err);
	case BH_VREPORT_CYCLONEDX: return write_cdx(s, f, BH_REPORT_CDX_NEWEST, fp, err);
	case BH_VREPORT_CYCLONEDX_1_5: return write_cdx(s, f, BH_REPORT_CDX_1_5, fp, err);
	case BH_VREPORT_JUNIT: return bh_vreport_junit(s, f, ck, fp, err);
	case BH_VREPORT_HTML: return bh_vreport_html(s, f, ck, fp, err);
	case BH_VREPORT_MARKDOWN: return bh_vreport_markdown(s, f, ck, fp, err);
	case BH_VREPORT_GITLAB_CODEQUALITY: return bh_gitlab_write_codequality(s, f, ck, fp, err);
	case BH_VREPORT_GITLAB_CONTAINER_SCANNING: return bh_gitlab_write_container_scanning(s, f, ck, fp, err);
	}
	return bh_error_set(err, BH_EUSAGE, "unknown format");
}
