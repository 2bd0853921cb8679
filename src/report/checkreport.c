/* checkreport.c - check findings in every format, and the JUnit XML, HTML and Markdown reports
 * that cover vulnerabilities and checks together. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/stamp.h"
#include "core/text.h"
#include "report/jout.h"
#include "report/vulnreport.h"

json_t *bh_vreport_layer_json(const bh_sbom *s, int index)
{
	const bh_layer *l;
	if (index < 0 || (size_t)index >= s->nlayers)
		return json_null();
	l = &s->layers[index];
	return json_pack("{s:i,s:o,s:o}", "index", index, "digest", bh_jstr(l->diff_id ? l->diff_id : l->digest),
			 "created_by", bh_jstr(l->created_by));
}

static bool digest_prefix(const bh_layer *l, const char *p, size_t n)
{
	return n && ((l->digest && !strncmp(l->digest, p, n)) || (l->diff_id && !strncmp(l->diff_id, p, n)));
}

int bh_vreport_check_layer(const bh_sbom *s, const bh_check_finding *x)
{
	const char *p = x->layer, *d;
	size_t i, dn = 0;
	char *end;
	long n;
	if (!p)
		return -1;
	if (!strncmp(p, "sha256:", 7)) {
		for (i = 0; i < s->nlayers; i++)
			if (digest_prefix(&s->layers[i], p, strcspn(p, " )")))
				return (int)i;
		return -1;
	}
	if (strncmp(p, "layer ", 6) != 0)
		return -1;
	n = strtol(p + 6, &end, 10);
	if (end == p + 6 || n < 0 || n > 1000000)
		return -1;
	d = strchr(end, '(');
	if (d) {
		d++;
		dn = strcspn(d, ")");
	}
	/* The checks name layers 1-based ("layer 1" = the first); with a digest, trust the digest. */
	if (d && n >= 1 && (size_t)n - 1 < s->nlayers && digest_prefix(&s->layers[n - 1], d, dn))
		return (int)n - 1;
	if (d && (size_t)n < s->nlayers && digest_prefix(&s->layers[n], d, dn))
		return (int)n;
	if (!d && n >= 1 && (size_t)n - 1 < s->nlayers)
		return (int)n - 1;
	return -1;
}

static bool is_cve(const char *p, size_t n) { return n > 4 && !strncmp(p, "CVE-", 4); }

size_t bh_vreport_aliases(const bh_finding *x, bh_vreport_idref *out, size_t max)
{
	size_t k = 0;
	int pass;
	for (pass = 0; pass < 2; pass++) {
		const char *p = x->aliases;
		while (p && *p && k < max) {
			size_t n = strcspn(p, " ");
			if (n && is_cve(p, n) == (pass == 0)) {
				out[k].p = p;
				out[k].n = n;
				k++;
			}
			p += n;
			p += strspn(p, " ");
		}
	}
	return k;
}

int bh_vreport_aliases_text(const bh_finding *x, bh_buf *b)
{
	bh_vreport_idref ids[64];
	size_t n = bh_vreport_aliases(x, ids, 64), i;
	int rc = 0;
	for (i = 0; i < n && !rc; i++) {
		if (i)
			rc = bh_buf_puts(b, ", ");
		if (!rc)
			rc = bh_buf_append(b, ids[i].p, ids[i].n);
	}
	return rc;
}

int bh_vreport_uri(bh_buf *b, const char *path)
{
	static const char keep[] = "-._~!$&'()*+,;=@/";
	const unsigned char *p = (const unsigned char *)path;
	int rc = 0;
	while (*p == '/')
		p++;
	for (; *p && !rc; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(keep, *p))
			rc = bh_buf_putc(b, (char)*p);
		else
			rc = bh_buf_printf(b, "%%%02X", *p);
	}
	return rc;
}

static json_t *sn(const char *s) { return bh_jstr(s); }

json_t *bh_vreport_check_json(const bh_sbom *s, const bh_check_finding *x)
{
	json_t *o = json_object();
	bool bad = false;
	bh_jset(&bad, o, "rule", sn(x->rule));
	bh_jset(&bad, o, "cis", sn(x->cis));
	bh_jset(&bad, o, "category", sn(x->category));
	bh_jset(&bad, o, "severity", bh_jstr(bh_severity_name(x->severity)));
	bh_jset(&bad, o, "status", bh_jstr(x->status ? x->status : "fail"));
	bh_jset(&bad, o, "title", sn(x->title));
	bh_jset(&bad, o, "detail", sn(x->detail));
	bh_jset(&bad, o, "why", sn(x->why));
	bh_jset(&bad, o, "fix", sn(x->fix));
	bh_jset(&bad, o, "target", sn(x->target));
	bh_jset(&bad, o, "path", sn(x->path));
	bh_jset(&bad, o, "line", x->line ? json_integer((json_int_t)x->line) : json_null());
	bh_jset(&bad, o, "layer", bh_vreport_layer_json(s, bh_vreport_check_layer(s, x)));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *where(const bh_check_finding *x, char *buf, size_t n)
{
	if (x->path && x->line)
		snprintf(buf, n, "%s:%lu", x->path, x->line);
	else if (x->path)
		snprintf(buf, n, "%s", x->path);
	else if (x->line)
		snprintf(buf, n, "%s:%lu", x->target ? x->target : "", x->line);
	else
		snprintf(buf, n, "%s", x->target ? x->target : "");
	return buf;
}

/* "layer N (sha256:0123456789ab)" with the JSON index, or "" */
static const char *layer_label(const bh_sbom *s, int idx, char *buf, size_t n)
{
	const bh_layer *l;
	buf[0] = '\0';
	if (idx < 0 || (size_t)idx >= s->nlayers)
		return buf;
	l = &s->layers[idx];
	if (l->diff_id || l->digest)
		snprintf(buf, n, "layer %d (%.19s)", idx, l->diff_id ? l->diff_id : l->digest);
	else
		snprintf(buf, n, "layer %d", idx);
	return buf;
}

void bh_vreport_checks_table(const bh_sbom *s, const bh_checks *ck, FILE *fp)
{
	size_t i;
	char w[512], lb[64];
	fprintf(fp, "%-8s %-28s %-6s %-52s %s\n", "SEVERITY", "RULE", "CIS", "TITLE", "WHERE");
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *x = &ck->items[i];
		fprintf(fp, "%-8s ", x->status ? "N/A" : bh_severity_name(x->severity));
		bh_report_cell(fp, x->rule, 28, true);
		fputc(' ', fp);
		bh_report_cell(fp, x->cis ? x->cis : "-", 6, true);
		fputc(' ', fp);
		bh_report_cell(fp, x->title, 52, true);
		fputc(' ', fp);
		bh_report_cell(fp, where(x, w, sizeof(w)), 0, false);
		if (*layer_label(s, bh_vreport_check_layer(s, x), lb, sizeof(lb))) {
			fputs(", ", fp);
			fputs(lb, fp);
		}
		fputc('\n', fp);
		if (x->detail) {
			fputs("         ", fp);
			bh_report_cell(fp, x->detail, 300, false);
			fputc('\n', fp);
		}
		if (x->fix && !x->status) {
			fputs("         fix: ", fp);
			bh_report_cell(fp, x->fix, 300, false);
			fputc('\n', fp);
		}
	}
	fputc('\n', fp);
}

static const char *sarif_level(bh_severity s)
{
	return s >= BH_SEV_HIGH ? "error" : s == BH_SEV_MEDIUM ? "warning" : "note";
}

static const char *band(bh_severity s)
{
	switch (s) {
	case BH_SEV_CRITICAL: return "9.5";
	case BH_SEV_HIGH: return "8.0";
	case BH_SEV_MEDIUM: return "5.5";
	case BH_SEV_LOW: return "2.0";
	default: return "0.0";
	}
}

void bh_vreport_checks_sarif(const bh_sbom *s, const bh_checks *ck, json_t *rules, json_t *results, json_t *seen, bool *bad)
{
	size_t i;
	(void)s;
	for (i = 0; i < ck->n && !*bad; i++) {
		const bh_check_finding *x = &ck->items[i];
		json_t *ridx, *res, *loc;
		bh_buf msg = BH_BUF_INIT;
		if (x->status)
			continue; /* not applicable: not a result */
		if (!(ridx = json_object_get(seen, x->rule))) {
			json_t *rule = json_pack("{s:o,s:o,s:{s:o},s:{s:o},s:{s:s,s:[s,s,o]}}", "id", bh_jstr(x->rule), "name",
				bh_jstr(x->category ? x->category : "check"), "shortDescription", "text", bh_jstr(x->title ? x->title : x->rule),
				"help", "text", bh_jstr(x->fix ? x->fix : ""), "properties", "security-severity", band(x->severity), "tags",
				"security", "misconfiguration", bh_jstr(x->category ? x->category : "check"));
			if (x->why)
				bh_jset(bad, rule, "fullDescription", json_pack("{s:o}", "text", bh_jstr(x->why)));
			if (x->cis)
				bh_jpush(bad, json_object_get(json_object_get(rule, "properties"), "tags"), json_sprintf("CIS-Docker-%s", x->cis));
			ridx = json_integer((json_int_t)json_array_size(rules));
			bh_jset(bad, seen, x->rule, ridx);
			bh_jpush(bad, rules, rule);
			if (*bad)
				break;
		}
		bh_buf_printf(&msg, "%s%s%s%s%s", x->title ? x->title : x->rule, x->detail ? ": " : "", x->detail ? x->detail : "",
			      x->fix ? ". Fix: " : "", x->fix ? x->fix : "");
		if (bh_buf_oom(&msg))
			*bad = true;
		if (x->path) {
			/* GitHub resolves artifact URIs against the repository: relative, no leading slash. */
			bh_buf uri = BH_BUF_INIT;
			if (bh_vreport_uri(&uri, x->path))
				*bad = true;
			loc = json_pack("{s:{s:{s:s},s:{s:i}}}", "physicalLocation", "artifactLocation", "uri", uri.data ? uri.data : "",
					"region", "startLine", x->line ? (int)x->line : 1);
			bh_buf_free(&uri);
		} else {
			/* a container, host or image setting: no file to point at */
			loc = json_pack("{s:[{s:o,s:o}]}", "logicalLocations", "fullyQualifiedName",
					bh_jstr(x->target ? x->target : "target"), "kind", bh_jstr(x->category ? x->category : "resource"));
		}
		res = json_pack("{s:o,s:I,s:s,s:{s:o},s:[o]}", "ruleId", bh_jstr(x->rule), "ruleIndex",
			json_integer_value(ridx), "level", sarif_level(x->severity), "message", "text", bh_jstr(msg.data ? msg.data : ""),
			"locations", loc);
		bh_buf_free(&msg);
		bh_jpush(bad, results, res);
	}
}

/*
 * Markup-safe text (HTML and XML): escapes the five special characters, shows control
 * characters as "\xNN" (as the table does; XML 1.0 cannot carry most of them), replaces invalid
 * UTF-8 with U+FFFD and cuts after max bytes at a character boundary.
 */
static void esc(bh_buf *b, const char *s, size_t max)
{
	size_t i = 0, n;
	if (!s)
		return;
	n = strlen(s);
	if (n > max)
		n = max;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t l;
		switch (c) {
		case '&': bh_buf_puts(b, "&amp;"); i++; continue;
		case '<': bh_buf_puts(b, "&lt;"); i++; continue;
		case '>': bh_buf_puts(b, "&gt;"); i++; continue;
		case '"': bh_buf_puts(b, "&quot;"); i++; continue;
		case '\'': bh_buf_puts(b, "&#39;"); i++; continue;
		case '\n': case '\t': bh_buf_putc(b, (char)c); i++; continue;
		default: break;
		}
		l = bh_utf8_seq((const unsigned char *)s + i, n - i);
		if (!l) {
			bh_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		bh_text_put_term(b, s + i, l, 0);
		i += l;
	}
}

static void count(const bh_findings *f, const bh_checks *ck, size_t vn[5], size_t cn[5])
{
	size_t i;
	memset(vn, 0, 5 * sizeof(*vn));
	memset(cn, 0, 5 * sizeof(*cn));
	for (i = 0; i < f->n; i++)
		vn[f->items[i].severity]++;
	for (i = 0; ck && i < ck->n; i++)
		if (!ck->items[i].status)
			cn[ck->items[i].severity]++;
}

/*
 * Writes the finished report b (freed). The writers append without checking each call: b's
 * failure mark is sticky (core/buf.h), so one check here covers every append that built it.
 */
static int flush(bh_buf *b, FILE *fp, bh_error *err)
{
	int bad;
	if (bh_buf_oom(b)) {
		bh_buf_free(b);
		return bh_error_set(err, BH_ENOMEM, "cannot build the report (out of memory)");
	}
	bad = b->len && fwrite(b->data, 1, b->len, fp) != b->len;
	bh_buf_free(b);
	return bad ? bh_error_set(err, BH_EIO, "cannot write the report") : 0;
}

/* The finding's aliases ("CVE-1, GHSA-2") into al; a failure marks b, the report they go into. */
static void aliases(bh_buf *b, const bh_finding *x, bh_buf *al)
{
	if (bh_vreport_aliases_text(x, al))
		bh_buf_fail(b);
}

static const char *tname(const bh_sbom *s)
{
	return s->name ? s->name : s->input ? s->input : "target";
}

/* "GO-2023-1 (CVE-2023-2, GHSA-x)": the id with its aliases, CVE first, escaped by put. */
static void id_with_aliases(bh_buf *b, const bh_finding *x, void (*put)(bh_buf *, const char *, size_t))
{
	bh_buf al = BH_BUF_INIT;
	put(b, x->id, 128);
	aliases(b, x, &al);
	if (al.len && !bh_buf_oom(&al)) {
		bh_buf_puts(b, " (");
		put(b, al.data, 4096);
		bh_buf_puts(b, ")");
	}
	bh_buf_free(&al);
}

/* The JUnit suite the Ant schema (JUnit.xsd) describes, with the scan warnings as properties and system-err. */
static void junit_suite_open(bh_buf *b, const bh_sbom *s, int id, const char *name, size_t tests, size_t failures, const char *ts)
{
	size_t i;
	bh_buf_printf(b, "  <testsuite package=\"bulkhead\" id=\"%d\" name=\"%s: ", id, name);
	esc(b, tname(s), 1024);
	bh_buf_printf(b, "\" timestamp=\"%s\" hostname=\"localhost\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n"
		      "    <properties>\n      <property name=\"target\" value=\"", ts, tests, failures);
	esc(b, tname(s), 1024);
	bh_buf_puts(b, "\"/>\n");
	for (i = 0; i < s->nwarnings; i++) {
		bh_buf_puts(b, "      <property name=\"bulkhead:warning\" value=\"");
		esc(b, s->warnings[i], 1024);
		bh_buf_puts(b, "\"/>\n");
	}
	bh_buf_puts(b, "    </properties>\n");
}

static void junit_suite_close(bh_buf *b, const bh_sbom *s)
{
	size_t i;
	bh_buf_puts(b, "    <system-out></system-out>\n    <system-err>");
	for (i = 0; i < s->nwarnings; i++) {
		bh_buf_puts(b, "warning: ");
		esc(b, s->warnings[i], 1024);
		bh_buf_putc(b, '\n');
	}
	bh_buf_puts(b, "</system-err>\n  </testsuite>\n");
}

int bh_vreport_junit(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	size_t i, nck = 0;
	char w[512], ts[32];
	bh_stamp_time(ts);
	ts[19] = '\0'; /* the schema's pattern has no time zone: UTC without the Z */
	for (i = 0; ck && i < ck->n; i++)
		nck += !ck->items[i].status;
	bh_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	/* One suite per kind; an empty suite carries one passing case so CI shows the scan ran. */
	junit_suite_open(&b, s, 0, "vulnerabilities", f->n ? f->n : 1, f->n, ts);
	if (!f->n)
		bh_buf_puts(&b, "    <testcase classname=\"vulnerabilities\" name=\"no vulnerabilities\" time=\"0\"/>\n");
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		bh_buf_puts(&b, "    <testcase classname=\"");
		esc(&b, c->name, 256);
		bh_buf_putc(&b, '@');
		esc(&b, c->version, 128);
		bh_buf_printf(&b, "\" name=\"[%s] ", bh_severity_name(x->severity));
		id_with_aliases(&b, x, esc);
		bh_buf_puts(&b, "\" time=\"0\">\n      <failure type=\"");
		bh_buf_puts(&b, bh_severity_name(x->severity));
		bh_buf_puts(&b, "\" message=\"");
		esc(&b, x->title ? x->title : x->id, 300);
		bh_buf_puts(&b, "\">");
		id_with_aliases(&b, x, esc);
		bh_buf_puts(&b, ": ");
		esc(&b, c->name, 256);
		bh_buf_puts(&b, " ");
		esc(&b, c->version, 128);
		bh_buf_puts(&b, x->fixed ? ", fixed in " : ", no fix yet");
		esc(&b, x->fixed, 128);
		bh_buf_puts(&b, x->url ? ". " : "");
		esc(&b, x->url, 512);
		bh_buf_puts(&b, "</failure>\n    </testcase>\n");
	}
	junit_suite_close(&b, s);
	junit_suite_open(&b, s, 1, "checks", nck ? nck : 1, nck, ts);
	if (!nck)
		bh_buf_puts(&b, "    <testcase classname=\"checks\" name=\"no failed checks\" time=\"0\"/>\n");
	for (i = 0; ck && i < ck->n; i++) {
		const bh_check_finding *x = &ck->items[i];
		if (x->status)
			continue;
		bh_buf_puts(&b, "    <testcase classname=\"");
		esc(&b, x->category ? x->category : "check", 64);
		bh_buf_printf(&b, "\" name=\"[%s] ", bh_severity_name(x->severity));
		esc(&b, x->rule, 128);
		bh_buf_puts(&b, " ");
		esc(&b, where(x, w, sizeof(w)), 512);
		bh_buf_puts(&b, "\" time=\"0\">\n      <failure type=\"");
		bh_buf_puts(&b, bh_severity_name(x->severity));
		bh_buf_puts(&b, "\" message=\"");
		esc(&b, x->title, 300);
		bh_buf_puts(&b, "\">");
		esc(&b, x->detail, 1000);
		bh_buf_puts(&b, "\nWhy: ");
		esc(&b, x->why, 1000);
		bh_buf_puts(&b, "\nFix: ");
		esc(&b, x->fix, 1000);
		bh_buf_puts(&b, "</failure>\n    </testcase>\n");
	}
	junit_suite_close(&b, s);
	bh_buf_puts(&b, "</testsuites>\n");
	return flush(&b, fp, err);
}

static const char *sevclass(bh_severity s)
{
	static const char *const n[] = { "unknown", "low", "medium", "high", "critical" };
	return (unsigned)s <= BH_SEV_CRITICAL ? n[s] : "unknown";
}

int bh_vreport_html(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	size_t vn[5], cn[5], i;
	int k;
	char w[512], lb[64];
	count(f, ck, vn, cn);
	bh_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>bulkhead: ");
	esc(&b, tname(s), 512);
	bh_buf_puts(&b, "</title>\n<style>\n"
		"body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;background:#fafafa}\n"
		"h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em}\n"
		".meta{color:#57606a}.cards{display:flex;gap:.6em;flex-wrap:wrap;margin:1em 0}\n"
		".card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.5em 1em;min-width:7em}\n"
		".card b{display:block;font-size:1.6em}\n"
		"table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}\n"
		"th{background:#f0f3f6;position:sticky;top:0}tr:nth-child(even) td{background:#f8f9fa}\n"
		".sev{font-weight:600;border-radius:4px;padding:0 .4em;color:#fff;white-space:nowrap}\n"
		".critical{background:#8b0000}.high{background:#cf222e}.medium{background:#bf8700}.low{background:#1a7f37}.unknown{background:#6e7781}\n"
		".why{color:#57606a}.fix{color:#0a3069}code{font-size:.92em;word-break:break-all}.aliases{color:#57606a;font-size:.92em}\n"
		".warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5em 1em;margin:.6em 0}\n"
		"input{padding:.3em;width:20em;margin:.3em 0}\n"
		"</style></head><body>\n<h1>bulkhead report</h1>\n<div class=\"meta\">Target <code>");
	esc(&b, tname(s), 1024);
	bh_buf_puts(&b, "</code>");
	if (s->kind) {
		bh_buf_puts(&b, " (");
		esc(&b, s->kind, 64);
		bh_buf_puts(&b, ")");
	}
	if (s->osinfo.name) {
		bh_buf_puts(&b, " &middot; ");
		esc(&b, s->osinfo.name, 200);
	}
	bh_buf_printf(&b, " &middot; %zu components</div>\n", s->comps.n);
	for (i = 0; i < s->nwarnings; i++) {
		bh_buf_puts(&b, "<div class=\"warn\"><b>Warning:</b> ");
		esc(&b, s->warnings[i], 2000);
		bh_buf_puts(&b, "</div>\n");
	}
	bh_buf_puts(&b, "<div class=\"cards\">\n");
	for (k = 4; k >= 0; k--)
		bh_buf_printf(&b, "<div class=\"card\"><span class=\"sev %s\">%s</span><b>%zu</b>%zu vulnerabilities, %zu checks</div>\n",
			      sevclass((bh_severity)k), bh_severity_name((bh_severity)k), vn[k] + cn[k], vn[k], cn[k]);
	bh_buf_puts(&b, "</div>\n<input id=\"q\" placeholder=\"filter rows (id, CVE, package, path)\" oninput=\"for(const r of document.querySelectorAll('tbody tr'))"
		"r.style.display=r.textContent.toLowerCase().includes(this.value.toLowerCase())?'':'none'\">\n");
	bh_buf_printf(&b, "<h2>Checks (%zu)</h2>\n", ck ? ck->n : 0);
	if (ck && ck->n) {
		bh_buf_puts(&b, "<table><thead><tr><th>Severity</th><th>Rule</th><th>What is wrong</th><th>Where</th><th>Why it matters / how to fix it</th></tr></thead><tbody>\n");
		for (i = 0; i < ck->n; i++) {
			const bh_check_finding *x = &ck->items[i];
			bh_buf_printf(&b, "<tr><td><span class=\"sev %s\">%s</span></td><td><code>", x->status ? "unknown" : sevclass(x->severity),
				      x->status ? "N/A" : bh_severity_name(x->severity));
			esc(&b, x->rule, 128);
			bh_buf_puts(&b, "</code>");
			if (x->cis) {
				bh_buf_puts(&b, "<br>CIS ");
				esc(&b, x->cis, 16);
			}
			bh_buf_puts(&b, "</td><td><b>");
			esc(&b, x->title, 300);
			bh_buf_puts(&b, "</b><br><code>");
			esc(&b, x->detail, 600);
			bh_buf_puts(&b, "</code></td><td><code>");
			esc(&b, where(x, w, sizeof(w)), 512);
			bh_buf_puts(&b, "</code>");
			if (*layer_label(s, bh_vreport_check_layer(s, x), lb, sizeof(lb))) {
				bh_buf_puts(&b, "<br>");
				esc(&b, lb, 128);
			}
			bh_buf_puts(&b, "</td><td><div class=\"why\">");
			esc(&b, x->why, 1000);
			bh_buf_puts(&b, "</div><div class=\"fix\">");
			esc(&b, x->fix, 1000);
			bh_buf_puts(&b, "</div></td></tr>\n");
		}
		bh_buf_puts(&b, "</tbody></table>\n");
	}
	bh_buf_printf(&b, "<h2>Vulnerabilities (%zu)</h2>\n", f->n);
	if (f->n) {
		bh_buf_puts(&b, "<table><thead><tr><th>Severity</th><th>Advisory</th><th>Package</th><th>Installed</th><th>Fixed</th><th>Exploited</th><th>Title</th><th>Where</th></tr></thead><tbody>\n");
		for (i = 0; i < f->n; i++) {
			const bh_finding *x = &f->items[i];
			const bh_component *c = s->comps.items[x->comp];
			bh_buf al = BH_BUF_INIT;
			bh_buf_printf(&b, "<tr><td><span class=\"sev %s\">%s</span></td><td>", sevclass(x->severity), bh_severity_name(x->severity));
			if (x->url && (!strncmp(x->url, "https://", 8) || !strncmp(x->url, "http://", 7))) {
				bh_buf_puts(&b, "<a href=\"");
				esc(&b, x->url, 1024);
				bh_buf_puts(&b, "\">");
				esc(&b, x->id, 128);
				bh_buf_puts(&b, "</a>");
			} else {
				esc(&b, x->id, 128);
			}
			/* aliases as text in the cell: the browser's find and the filter box see them */
			aliases(&b, x, &al);
			if (al.len && !bh_buf_oom(&al)) {
				bh_buf_puts(&b, "<div class=\"aliases\">");
				esc(&b, al.data, 4096);
				bh_buf_puts(&b, "</div>");
			}
			bh_buf_free(&al);
			bh_buf_puts(&b, "</td><td>");
			esc(&b, c->name, 256);
			bh_buf_puts(&b, "</td><td>");
			esc(&b, c->version, 128);
			bh_buf_puts(&b, "</td><td>");
			esc(&b, x->fixed ? x->fixed : x->status, 128);
			bh_buf_printf(&b, "</td><td>%s</td><td>", x->kev ? "<b>KEV</b>" : "");
			esc(&b, x->title, 300);
			bh_buf_puts(&b, "</td><td><code>");
			esc(&b, c->path, 1024);
			bh_buf_puts(&b, "</code>");
			if (*layer_label(s, c->layer, lb, sizeof(lb))) {
				bh_buf_puts(&b, "<br>");
				esc(&b, lb, 128);
			}
			bh_buf_puts(&b, "</td></tr>\n");
		}
		bh_buf_puts(&b, "</tbody></table>\n");
	}
	bh_buf_puts(&b, "<p class=\"meta\">Generated by bulkhead " BH_VERSION ".</p>\n</body></html>\n");
	return flush(&b, fp, err);
}

/*
 * Markdown (GitHub flavoured) text in a table cell: every ASCII punctuation character that
 * Markdown or HTML reads ('\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '|', '#', '!', '~',
 * '&', '{', '}') is backslash-escaped, so names cannot open links, code spans, HTML or new cells;
 * line breaks become spaces, other controls "\\xNN", invalid UTF-8 U+FFFD. Cut after max bytes.
 */
static void mdcell(bh_buf *b, const char *s, size_t max)
{
	size_t i = 0, n;
	if (!s)
		return;
	n = strlen(s);
	if (n > max)
		n = max;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t l;
		if (c && strchr("\\`*_[]()<>|#!~&{}", c)) {
			bh_buf_putc(b, '\\');
			bh_buf_putc(b, (char)c);
			i++;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t') {
			bh_buf_putc(b, ' ');
			i++;
			continue;
		}
		l = bh_utf8_seq((const unsigned char *)s + i, n - i);
		if (!l) {
			bh_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f || l > 1) {
			/* "\x1b" shown literally: the backslash itself escaped */
			bh_buf tmp = BH_BUF_INIT;
			size_t t;
			if (bh_text_put_term(&tmp, s + i, l, 0))
				bh_buf_fail(b);
			for (t = 0; t < tmp.len; t++) {
				if (tmp.data[t] == '\\' || tmp.data[t] == '{' || tmp.data[t] == '}')
					bh_buf_putc(b, '\\');
				bh_buf_putc(b, tmp.data[t]);
			}
			bh_buf_free(&tmp);
		} else {
			bh_buf_putc(b, (char)c);
		}
		i += l;
	}
}

static void mdput(bh_buf *b, const char *s, size_t max) { mdcell(b, s, max); }

/* An id as a code span when it is plain (letters, digits, '.', '-', '_', ':'), else escaped text. */
static void mdcode(bh_buf *b, const char *s, size_t max)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < max && s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || strchr(".-_:", s[i])))
			break;
	if (i && !s[i]) {
		bh_buf_putc(b, '`');
		bh_buf_puts(b, s);
		bh_buf_putc(b, '`');
	} else {
		mdcell(b, s, max);
	}
}

/* A link target: https only, and only characters that cannot end or break the link. */
static bool md_url_ok(const char *u)
{
	const char *p;
	if (!u || strncmp(u, "https://", 8) != 0 || strlen(u) > 300)
		return false;
	for (p = u; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~:/?#@!$&'*+,;=%", *p)))
			return false;
	return true;
}

int bh_vreport_markdown(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	/* GitHub rejects comments over 65,536 characters: list the worst first and stop in time. */
	enum { LIMIT = 60000 };
	bh_buf b = BH_BUF_INIT;
	size_t vn[5], cn[5], i;
	char w[512];
	count(f, ck, vn, cn);
	bh_buf_puts(&b, "## bulkhead: ");
	mdcell(&b, tname(s), 200);
	bh_buf_printf(&b, "\n\n| | CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN |\n|---|---|---|---|---|---|\n"
		      "| Vulnerabilities | %zu | %zu | %zu | %zu | %zu |\n| Checks | %zu | %zu | %zu | %zu | %zu |\n\n",
		      vn[4], vn[3], vn[2], vn[1], vn[0], cn[4], cn[3], cn[2], cn[1], cn[0]);
	for (i = 0; i < s->nwarnings && b.len < LIMIT; i++) {
		bh_buf_puts(&b, "> **Warning:** ");
		mdcell(&b, s->warnings[i], 1000);
		bh_buf_puts(&b, "\n\n");
	}
	if (ck && ck->n) {
		bh_buf_puts(&b, "### Checks\n\n| Severity | Rule | What is wrong | Where | Fix |\n|---|---|---|---|---|\n");
		for (i = 0; i < ck->n && b.len < LIMIT; i++) {
			const bh_check_finding *x = &ck->items[i];
			if (x->status)
				continue;
			bh_buf_printf(&b, "| %s | ", bh_severity_name(x->severity));
			mdcode(&b, x->rule, 64);
			if (x->cis) {
				bh_buf_puts(&b, " (CIS ");
				mdcell(&b, x->cis, 16);
				bh_buf_puts(&b, ")");
			}
			bh_buf_puts(&b, " | ");
			mdcell(&b, x->title, 120);
			bh_buf_puts(&b, " | ");
			mdcell(&b, where(x, w, sizeof(w)), 200);
			bh_buf_puts(&b, " | ");
			mdcell(&b, x->fix, 200);
			bh_buf_puts(&b, " |\n");
		}
		if (i < ck->n)
			bh_buf_printf(&b, "\n_%zu more checks not shown; see the full report._\n", ck->n - i);
		bh_buf_puts(&b, "\n");
	}
	if (f->n) {
		bh_buf_puts(&b, "### Vulnerabilities\n\n| Severity | Advisory | Aliases | Package | Installed | Fixed | KEV |\n|---|---|---|---|---|---|---|\n");
		for (i = 0; i < f->n && b.len < LIMIT; i++) {
			const bh_finding *x = &f->items[i];
			const bh_component *c = s->comps.items[x->comp];
			bh_buf al = BH_BUF_INIT;
			bh_buf_printf(&b, "| %s | ", bh_severity_name(x->severity));
			if (md_url_ok(x->url)) {
				bh_buf_puts(&b, "[");
				mdcell(&b, x->id, 64);
				bh_buf_puts(&b, "](");
				bh_buf_puts(&b, x->url);
				bh_buf_puts(&b, ")");
			} else {
				mdcell(&b, x->id, 64);
			}
			bh_buf_puts(&b, " | ");
			aliases(&b, x, &al);
			if (al.len && !bh_buf_oom(&al))
				mdput(&b, al.data, 1000);
			bh_buf_free(&al);
			bh_buf_puts(&b, " | ");
			mdcell(&b, c->name, 100);
			bh_buf_puts(&b, " | ");
			mdcell(&b, c->version, 60);
			bh_buf_puts(&b, " | ");
			mdcell(&b, x->fixed ? x->fixed : x->status, 60);
			bh_buf_printf(&b, " | %s |\n", x->kev ? "yes" : "");
		}
		if (i < f->n)
			bh_buf_printf(&b, "\n_%zu more vulnerabilities not shown; see the full report._\n", f->n - i);
	}
	return flush(&b, fp, err);
}
