/* checkreport.c - check findings in every format, and the JUnit XML, HTML and Markdown reports
 * that cover vulnerabilities and checks together. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "report/vulnreport.h"

static json_t *sn(const char *s) { return s ? json_string(s) : json_null(); }

json_t *bh_check_json(const bh_check_finding *x)
{
	json_t *o = json_object();
	json_object_set_new(o, "rule", sn(x->rule));
	json_object_set_new(o, "cis", sn(x->cis));
	json_object_set_new(o, "category", sn(x->category));
	json_object_set_new(o, "severity", json_string(bh_severity_name(x->severity)));
	json_object_set_new(o, "status", json_string(x->status ? x->status : "fail"));
	json_object_set_new(o, "title", sn(x->title));
	json_object_set_new(o, "detail", sn(x->detail));
	json_object_set_new(o, "why", sn(x->why));
	json_object_set_new(o, "fix", sn(x->fix));
	json_object_set_new(o, "target", sn(x->target));
	json_object_set_new(o, "path", sn(x->path));
	json_object_set_new(o, "line", x->line ? json_integer((json_int_t)x->line) : json_null());
	json_object_set_new(o, "layer", sn(x->layer));
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

void bh_checks_table(const bh_checks *ck, FILE *fp)
{
	size_t i;
	char w[512];
	fprintf(fp, "%-8s %-28s %-6s %-52s %s\n", "SEVERITY", "RULE", "CIS", "TITLE", "WHERE");
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *x = &ck->items[i];
		fprintf(fp, "%-8s %-28.28s %-6s %-52.52s %s\n", x->status ? "N/A" : bh_severity_name(x->severity), x->rule,
			x->cis ? x->cis : "-", x->title ? x->title : "", where(x, w, sizeof(w)));
		if (x->detail)
			fprintf(fp, "         %.300s\n", x->detail);
		if (x->fix && !x->status)
			fprintf(fp, "         fix: %.300s\n", x->fix);
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

void bh_checks_sarif(const bh_checks *ck, json_t *rules, json_t *results, json_t *seen)
{
	size_t i;
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *x = &ck->items[i];
		json_t *ridx, *res;
		char uri[4096], msg[2048];
		if (x->status)
			continue; /* not applicable: not a result */
		if (!(ridx = json_object_get(seen, x->rule))) {
			json_t *rule = json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s,s:[s,s,s]}}", "id", x->rule, "name",
				x->category ? x->category : "check", "shortDescription", "text", x->title ? x->title : x->rule,
				"help", "text", x->fix ? x->fix : "", "properties", "security-severity", band(x->severity), "tags",
				"security", "misconfiguration", x->category ? x->category : "check");
			if (x->why)
				json_object_set_new(rule, "fullDescription", json_pack("{s:s}", "text", x->why));
			if (x->cis)
				json_array_append_new(json_object_get(json_object_get(rule, "properties"), "tags"),
						      json_sprintf("CIS-Docker-%s", x->cis));
			ridx = json_integer((json_int_t)json_array_size(rules));
			json_object_set_new(seen, x->rule, ridx);
			json_array_append_new(rules, rule);
		}
		/* GitHub resolves artifact URIs against the repository: relative, no leading slash. */
		snprintf(uri, sizeof(uri), "%s", x->path ? (x->path[0] == '/' ? x->path + 1 : x->path) : (x->target ? x->target : "target"));
		snprintf(msg, sizeof(msg), "%s%s%s%s%s", x->title ? x->title : x->rule, x->detail ? ": " : "", x->detail ? x->detail : "",
			 x->fix ? ". Fix: " : "", x->fix ? x->fix : "");
		res = json_pack("{s:s,s:I,s:s,s:{s:s},s:[{s:{s:{s:s},s:{s:i}}}]}", "ruleId", x->rule, "ruleIndex",
			json_integer_value(ridx), "level", sarif_level(x->severity), "message", "text", msg, "locations",
			"physicalLocation", "artifactLocation", "uri", uri, "region", "startLine", x->line ? (int)x->line : 1);
		json_array_append_new(results, res);
	}
}

/* Markup-safe text: escapes, drops control characters and replaces invalid UTF-8 (hostile input). */
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
		default: break;
		}
		if (c < 0x20) {
			bh_buf_putc(b, c == '\n' || c == '\t' ? (char)c : ' ');
			i++;
			continue;
		}
		l = bh_utf8_seq((const unsigned char *)s + i, n - i);
		if (!l) {
			bh_buf_putc(b, '?');
			i++;
			continue;
		}
		bh_buf_append(b, s + i, l);
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

static int flush(bh_buf *b, FILE *fp, bh_error *err)
{
	int bad = b->len && fwrite(b->data, 1, b->len, fp) != b->len;
	bh_buf_free(b);
	return bad ? bh_error_set(err, BH_EIO, "cannot write the report") : 0;
}

static const char *tname(const bh_sbom *s)
{
	return s->name ? s->name : s->input ? s->input : "target";
}

int bh_report_junit(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	size_t i, nck = 0;
	char w[512];
	for (i = 0; ck && i < ck->n; i++)
		nck += !ck->items[i].status;
	bh_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bulkhead\" tests=\"%zu\" failures=\"%zu\">\n",
		      (f->n ? f->n : 1) + (nck ? nck : 1), f->n + nck);
	/* One suite per kind; an empty suite carries one passing case so CI shows the scan ran. */
	bh_buf_puts(&b, "  <testsuite name=\"vulnerabilities: ");
	esc(&b, tname(s), 1024);
	bh_buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\">\n", f->n ? f->n : 1, f->n);
	if (!f->n)
		bh_buf_puts(&b, "    <testcase classname=\"vulnerabilities\" name=\"no vulnerabilities\"/>\n");
	for (i = 0; i < f->n; i++) {
		const bh_finding *x = &f->items[i];
		const bh_component *c = s->comps.items[x->comp];
		bh_buf_puts(&b, "    <testcase classname=\"");
		esc(&b, c->name, 256);
		bh_buf_putc(&b, '@');
		esc(&b, c->version, 128);
		bh_buf_printf(&b, "\" name=\"[%s] ", bh_severity_name(x->severity));
		esc(&b, x->id, 128);
		bh_buf_puts(&b, "\">\n      <failure type=\"");
		bh_buf_puts(&b, bh_severity_name(x->severity));
		bh_buf_puts(&b, "\" message=\"");
		esc(&b, x->title ? x->title : x->id, 300);
		bh_buf_puts(&b, "\">");
		esc(&b, c->name, 256);
		bh_buf_puts(&b, " ");
		esc(&b, c->version, 128);
		bh_buf_puts(&b, x->fixed ? ", fixed in " : ", no fix yet");
		esc(&b, x->fixed, 128);
		bh_buf_puts(&b, x->url ? ". " : "");
		esc(&b, x->url, 512);
		bh_buf_puts(&b, "</failure>\n    </testcase>\n");
	}
	bh_buf_puts(&b, "  </testsuite>\n  <testsuite name=\"checks: ");
	esc(&b, tname(s), 1024);
	bh_buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\">\n", nck ? nck : 1, nck);
	if (!nck)
		bh_buf_puts(&b, "    <testcase classname=\"checks\" name=\"no failed checks\"/>\n");
	for (i = 0; ck && i < ck->n; i++) {
		const bh_check_finding *x = &ck->items[i];
		if (x->status)
			continue;
		bh_buf_puts(&b, "    <testcase classname=\"");
		esc(&b, x->category, 64);
		bh_buf_printf(&b, "\" name=\"[%s] ", bh_severity_name(x->severity));
		esc(&b, x->rule, 128);
		bh_buf_puts(&b, " ");
		esc(&b, where(x, w, sizeof(w)), 512);
		bh_buf_puts(&b, "\" file=\"");
		esc(&b, x->path ? x->path : x->target, 1024);
		bh_buf_puts(&b, "\">\n      <failure type=\"");
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
	bh_buf_puts(&b, "  </testsuite>\n</testsuites>\n");
	return flush(&b, fp, err);
}

static const char *sevclass(bh_severity s)
{
	static const char *const n[] = { "unknown", "low", "medium", "high", "critical" };
	return (unsigned)s <= BH_SEV_CRITICAL ? n[s] : "unknown";
}

int bh_report_html(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	size_t vn[5], cn[5], i;
	int k;
	char w[512];
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
		".why{color:#57606a}.fix{color:#0a3069}code{font-size:.92em;word-break:break-all}\n"
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
	bh_buf_printf(&b, " &middot; %zu components</div>\n<div class=\"cards\">\n", s->comps.n);
	for (k = 4; k >= 0; k--)
		bh_buf_printf(&b, "<div class=\"card\"><span class=\"sev %s\">%s</span><b>%zu</b>%zu vulnerabilities, %zu checks</div>\n",
			      sevclass((bh_severity)k), bh_severity_name((bh_severity)k), vn[k] + cn[k], vn[k], cn[k]);
	bh_buf_puts(&b, "</div>\n<input id=\"q\" placeholder=\"filter rows\" oninput=\"for(const r of document.querySelectorAll('tbody tr'))"
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
			if (x->layer) {
				bh_buf_puts(&b, "<br>");
				esc(&b, x->layer, 128);
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
			bh_buf_puts(&b, "</code></td></tr>\n");
		}
		bh_buf_puts(&b, "</tbody></table>\n");
	}
	bh_buf_puts(&b, "<p class=\"meta\">Generated by bulkhead " BH_VERSION ".</p>\n</body></html>\n");
	return flush(&b, fp, err);
}

/* Markdown table cells: no pipes or newlines, bounded. */
static void mdcell(bh_buf *b, const char *s, size_t max)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < max && s[i]; i++) {
		char c = s[i];
		if (c == '|')
			bh_buf_puts(b, "\\|");
		else if (c == '\n' || c == '\r' || c == '\t')
			bh_buf_putc(b, ' ');
		else if (c == '<')
			bh_buf_puts(b, "&lt;");
		else if ((unsigned char)c >= 0x20)
			bh_buf_putc(b, c);
	}
}

int bh_report_markdown(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	/* GitHub rejects comments over 65,536 characters: list the worst first and stop in time. */
	enum { LIMIT = 60000 };
	bh_buf b = BH_BUF_INIT;
	size_t vn[5], cn[5], i;
	char w[512];
	count(f, ck, vn, cn);
	bh_buf_puts(&b, "## bulkhead: `");
	mdcell(&b, tname(s), 200);
	bh_buf_printf(&b, "`\n\n| | CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN |\n|---|---|---|---|---|---|\n"
		      "| Vulnerabilities | %zu | %zu | %zu | %zu | %zu |\n| Checks | %zu | %zu | %zu | %zu | %zu |\n\n",
		      vn[4], vn[3], vn[2], vn[1], vn[0], cn[4], cn[3], cn[2], cn[1], cn[0]);
	if (ck && ck->n) {
		bh_buf_puts(&b, "### Checks\n\n| Severity | Rule | What is wrong | Where | Fix |\n|---|---|---|---|---|\n");
		for (i = 0; i < ck->n && b.len < LIMIT; i++) {
			const bh_check_finding *x = &ck->items[i];
			if (x->status)
				continue;
			bh_buf_printf(&b, "| %s | `", bh_severity_name(x->severity));
			mdcell(&b, x->rule, 64);
			bh_buf_puts(&b, "`");
			if (x->cis) {
				bh_buf_puts(&b, " (CIS ");
				mdcell(&b, x->cis, 16);
				bh_buf_puts(&b, ")");
			}
			bh_buf_puts(&b, " | ");
			mdcell(&b, x->title, 120);
			bh_buf_puts(&b, " | `");
			mdcell(&b, where(x, w, sizeof(w)), 200);
			bh_buf_puts(&b, "` | ");
			mdcell(&b, x->fix, 200);
			bh_buf_puts(&b, " |\n");
		}
		if (i < ck->n)
			bh_buf_printf(&b, "\n_%zu more checks not shown; see the full report._\n", ck->n - i);
		bh_buf_puts(&b, "\n");
	}
	if (f->n) {
		bh_buf_puts(&b, "### Vulnerabilities\n\n| Severity | Advisory | Package | Installed | Fixed | KEV |\n|---|---|---|---|---|---|\n");
		for (i = 0; i < f->n && b.len < LIMIT; i++) {
			const bh_finding *x = &f->items[i];
			const bh_component *c = s->comps.items[x->comp];
			bh_buf_printf(&b, "| %s | ", bh_severity_name(x->severity));
			if (x->url && !strncmp(x->url, "https://", 8)) {
				bh_buf_puts(&b, "[");
				mdcell(&b, x->id, 64);
				bh_buf_puts(&b, "](");
				mdcell(&b, x->url, 300);
				bh_buf_puts(&b, ")");
			} else {
				mdcell(&b, x->id, 64);
			}
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
