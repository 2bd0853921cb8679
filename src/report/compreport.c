/* compreport.c - compliance reports (table, JSON, HTML): one row per benchmark control with its status and reason. */
#include "report/compreport.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/product.h"
#include "core/text.h"
#include "report/jout.h"
#include "report/vulnreport.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The table: id, status, title, reason; terminal-safe (control characters shown, never obeyed). */
static void put_table(bh_buf *b, const bh_compliance *c, const char *const *targets, size_t nt)
{
	size_t i;
	bh_buf_printf(b, "Compliance: %s, %zu controls from ", c->benchmark, c->n);
	bh_text_put_term(b, c->source, strlen(c->source), 300);
	bh_buf_puts(b, "\nTargets: ");
	for (i = 0; i < nt; i++) {
		if (i)
			bh_buf_puts(b, ", ");
		bh_text_put_term(b, targets[i], strlen(targets[i]), 200);
	}
	bh_buf_printf(b, "\nSummary: %zu pass, %zu fail, %zu not applicable, %zu manual\n\n", c->count[BH_COMP_PASS],
		      c->count[BH_COMP_FAIL], c->count[BH_COMP_NA], c->count[BH_COMP_MANUAL]);
	if (!c->n || !c->items[0].target)
		bh_buf_printf(b, "%-8s %-15s %s\n", "ID", "STATUS", "TITLE / REASON");
	for (i = 0; i < c->n; i++) {
		const bh_comp_control *x = &c->items[i];
		/* per-manifest rows (k8s-pss): a heading for each manifest and profile */
		if (x->target && (!i || strcmp(nz(c->items[i - 1].target), x->target) != 0 ||
				      strcmp(c->items[i - 1].section, x->section) != 0)) {
			bh_buf_puts(b, "\nManifest: ");
			bh_text_put_term(b, x->target, strlen(x->target), 300);
			bh_buf_printf(b, " - profile %s\n%-10s %-15s %s\n", x->section, "ID", "STATUS", "CONTROL / REASON");
		}
		bh_buf_printf(b, x->target ? "%-10s %-15s " : "%-8s %-15s ", x->id, bh_compliance_status_name(x->status));
		bh_text_put_term(b, x->title, strlen(x->title), 120);
		bh_buf_puts(b, x->target ? "\n                           " : "\n                         ");
		bh_text_put_term(b, nz(x->reason), strlen(nz(x->reason)), 300);
		bh_buf_putc(b, '\n');
	}
}

static json_t *to_json(const bh_compliance *c, const bh_checks *ck, const char *const *targets, size_t nt, bool *bad)
{
	json_t *doc = json_object(), *ta = json_array(), *ctl = json_array(), *sum = json_object();
	size_t i, k;
	bh_jset(bad, doc, "schema", json_string("bulkhead-compliance/1"));
	bh_jset(bad, doc, "benchmark", bh_jstr(c->benchmark));
	bh_jset(bad, doc, "data", bh_jstr(c->source));
	for (i = 0; i < nt; i++)
		bh_jpush(bad, ta, bh_jstr(targets[i]));
	bh_jset(bad, doc, "targets", ta);
	bh_jset(bad, sum, "total", json_integer((json_int_t)c->n));
	for (k = 0; k < BH_COMP_STATUS_COUNT; k++)
		bh_jset(bad, sum, bh_compliance_status_name((bh_comp_status)k), json_integer((json_int_t)c->count[k]));
	bh_jset(bad, doc, "summary", sum);
	for (i = 0; i < c->n; i++) {
		const bh_comp_control *x = &c->items[i];
		json_t *o = json_object(), *rules = json_array(), *hits = json_array();
		const char *r = nz(x->rules);
		while (*r) {
			size_t n = strcspn(r, ",");
			bh_jpush(bad, rules, bh_jstrn(r, n));
			r += n;
			r += *r == ',';
		}
		for (k = 0; k < x->nhits && ck; k++) {
			const bh_check_finding *f = &ck->items[x->hits[k]];
			bh_jpush(bad, hits, bh_jok(bad, json_pack("{s:o,s:s,s:o,s:o,s:o}", "rule", bh_jstr(f->rule), "severity",
				bh_severity_name(f->severity), "target", bh_jstr(f->target), "path", bh_jstr(f->path),
				"detail", bh_jstr(f->detail))));
		}
		bh_jset(bad, o, "id", bh_jstr(x->id));
		bh_jset(bad, o, "title", bh_jstr(x->title));
		if (x->target) {
			bh_jset(bad, o, "target", bh_jstr(x->target));
			bh_jset(bad, o, "profile", bh_jstr(x->section));
		} else {
			bh_jset(bad, o, "section", bh_jstr(x->section));
		}
		bh_jset(bad, o, "assessment", bh_jstr(x->assessment));
		bh_jset(bad, o, "status", json_string(bh_compliance_status_name(x->status)));
		bh_jset(bad, o, "reason", bh_jstr(x->reason));
		bh_jset(bad, o, "rules", rules);
		bh_jset(bad, o, "findings", hits);
		bh_jpush(bad, ctl, o);
	}
	bh_jset(bad, doc, "controls", ctl);
	return doc;
}

static void put_html(bh_buf *b, const bh_compliance *c, const bh_checks *ck, const char *const *targets, size_t nt)
{
	size_t i, k;
	bh_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
		"<title>bulkhead compliance: ");
	bh_vreport_markup(b, c->benchmark, 100);
	bh_buf_puts(b, "</title>\n<style>\n"
		"body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;background:#fafafa}\n"
		"h1{font-size:1.4em}.meta{color:#57606a}\n"
		"table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}\n"
		/* long paths in the reason and findings cells wrap instead of widening the page */
		"td{overflow-wrap:anywhere}th{background:#f0f3f6}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}\n"
		".not-applicable{color:#57606a}.manual{color:#9a6700}td.r{color:#57606a}\n"
		"</style></head><body>\n<h1>Compliance: ");
	bh_vreport_markup(b, c->benchmark, 100);
	bh_buf_puts(b, "</h1>\n<p class=\"meta\">Targets: ");
	for (i = 0; i < nt; i++) {
		if (i)
			bh_buf_puts(b, ", ");
		bh_vreport_markup(b, targets[i], 300);
	}
	bh_buf_puts(b, "<br>Controls from ");
	bh_vreport_markup(b, c->source, 500);
	bh_buf_printf(b, "</p>\n<p><b>%zu</b> controls: <span class=\"pass\">%zu pass</span>, <span class=\"fail\">%zu fail</span>, "
		      "<span class=\"not-applicable\">%zu not applicable</span>, <span class=\"manual\">%zu manual</span></p>\n",
		      c->n, c->count[BH_COMP_PASS], c->count[BH_COMP_FAIL], c->count[BH_COMP_NA], c->count[BH_COMP_MANUAL]);
	bh_buf_puts(b, "<table><thead><tr>");
	if (c->n && c->items[0].target)
		bh_buf_puts(b, "<th>Manifest</th><th>Profile</th>");
	bh_buf_puts(b, "<th>Control</th><th>Title</th><th>Status</th><th>Reason</th><th>Findings</th></tr></thead><tbody>\n");
	for (i = 0; i < c->n; i++) {
		const bh_comp_control *x = &c->items[i];
		const char *st = bh_compliance_status_name(x->status);
		bh_buf_puts(b, "<tr><td>");
		if (x->target) {
			bh_vreport_markup(b, x->target, 300);
			bh_buf_puts(b, "</td><td>");
			bh_vreport_markup(b, x->section, 40);
			bh_buf_puts(b, "</td><td>");
		}
		bh_vreport_markup(b, x->id, 40);
		bh_buf_puts(b, "</td><td>");
		bh_vreport_markup(b, x->title, 400);
		bh_buf_printf(b, "</td><td class=\"%s\">%s</td><td class=\"r\">", st, st);
		bh_vreport_markup(b, x->reason, 600);
		bh_buf_puts(b, "</td><td>");
		for (k = 0; k < x->nhits && ck && k < 20; k++) {
			const bh_check_finding *f = &ck->items[x->hits[k]];
			if (k)
				bh_buf_puts(b, "<br>");
			bh_vreport_markup(b, f->rule, 100);
			bh_buf_puts(b, " ");
			bh_vreport_markup(b, f->target, 200);
			if (f->detail) {
				bh_buf_puts(b, ": ");
				bh_vreport_markup(b, f->detail, 200);
			}
		}
		if (x->nhits > 20)
			bh_buf_printf(b, "<br>and %zu more", x->nhits - 20);
		bh_buf_puts(b, "</td></tr>\n");
	}
	bh_buf_puts(b, "</tbody></table>\n<p class=\"meta\">Generated by bulkhead " BH_VERSION ".</p>\n</body></html>\n");
}

int bh_compreport_write(const bh_compliance *c, const bh_checks *ck, const char *const *targets, size_t nt,
			bh_vreport_format fmt, FILE *fp, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	bool bad = false;
	if (fmt == BH_VREPORT_JSON) {
		json_t *doc = to_json(c, ck, targets, nt, &bad);
		char *s = bad ? NULL : json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(doc);
		if (!s)
			return bh_error_set(err, BH_ENOMEM, "out of memory building the compliance JSON");
		if (fputs(s, fp) == EOF || fputc('\n', fp) == EOF) {
			free(s);
			return bh_error_set(err, BH_EIO, "writing the compliance report failed");
		}
		free(s);
		return 0;
	}
	if (fmt == BH_VREPORT_TABLE)
		put_table(&b, c, targets, nt);
	else if (fmt == BH_VREPORT_HTML)
		put_html(&b, c, ck, targets, nt);
	else
		return bh_error_set(err, BH_EUSAGE, "compliance reports are table, json or html");
	if (b.failed) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_ENOMEM, "out of memory building the compliance report");
	}
	if (b.len && fwrite(b.data, 1, b.len, fp) != b.len) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_EIO, "writing the compliance report failed");
	}
	bh_buf_free(&b);
	return 0;
}
