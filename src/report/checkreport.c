/* checkreport.c - check findings in every format, and the JUnit XML, HTML and Markdown reports
 * that cover vulnerabilities and checks together. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

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

void bh_vreport_checks_table(const bh_sbom *s, const bh_checks *ck, size_t width, FILE *fp)
{
	static const char *const head[4] = { "SEVERITY", "RULE", "CIS", "TITLE" };
	static const size_t minw[4] = { 8, 10, 3, 16 }, maxw[4] = { 8, 36, 8, 1000 };
	bh_layout_col cols[4] = { { 0, true, 1 }, { 0, false, 4 }, { 0, false, 2 }, { 0, false, 3 } };
	size_t natural[4], i, k;
	char w[512], lb[64];
	bh_buf b = BH_BUF_INIT, t = BH_BUF_INIT;
	width = bh_vreport_width(width);
	for (k = 0; k < 4; k++)
		natural[k] = strlen(head[k]);
	for (i = 0; i < ck->n; i++) {
		size_t r = bh_layout_cell_width(ck->items[i].rule), c = bh_layout_cell_width(ck->items[i].cis);
		if (r > natural[1])
			natural[1] = r > maxw[1] ? maxw[1] : r;
		if (c > natural[2])
			natural[2] = c > maxw[2] ? maxw[2] : c;
	}
	natural[3] = maxw[3];
	bh_vreport_fit(cols, natural, minw, 4, width);
	bh_layout_row(&b, head, cols, 4, 0);
	for (i = 0; i < ck->n; i++) {
		const bh_check_finding *x = &ck->items[i];
		const char *cells[4] = { x->status ? "N/A" : bh_severity_name(x->severity), x->rule, x->cis ? x->cis : "-", x->title };
		bh_layout_row(&b, cells, cols, 4, 0);
		bh_buf_reset(&t);
		bh_buf_printf(&t, "where: %s", where(x, w, sizeof(w)));
		if (*layer_label(s, bh_vreport_check_layer(s, x), lb, sizeof(lb)))
			bh_buf_printf(&t, ", %s", lb);
		bh_vreport_more_line(&b, bh_buf_oom(&t) ? "" : t.data, width, 4);
		if (x->detail)
			bh_vreport_more_line(&b, x->detail, width, 4);
		if (x->fix && !x->status) {
			bh_buf_reset(&t);
			bh_buf_printf(&t, "fix: %s", x->fix);
			bh_vreport_more_line(&b, bh_buf_oom(&t) ? "" : t.data, width, 4);
		}
		if (b.len > 65536 || i + 1 == ck->n) {
			if (!bh_buf_oom(&b))
				fwrite(b.data, 1, b.len, fp);
			bh_buf_reset(&b);
		}
	}
	fputc('\n', fp);
	bh_buf_free(&b);
	bh_buf_free(&t);
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
void bh_vreport_markup(bh_buf *b, const char *s, size_t max)
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
	bh_vreport_markup(b, tname(s), 1024);
	bh_buf_printf(b, "\" timestamp=\"%s\" hostname=\"localhost\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n"
		      "    <properties>\n      <property name=\"target\" value=\"", ts, tests, failures);
	bh_vreport_markup(b, tname(s), 1024);
	bh_buf_puts(b, "\"/>\n");
	for (i = 0; i < s->nwarnings; i++) {
		bh_buf_puts(b, "      <property name=\"bulkhead:warning\" value=\"");
		bh_vreport_markup(b, s->warnings[i], 1024);
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
		bh_vreport_markup(b, s->warnings[i], 1024);
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
		bh_vreport_markup(&b, c->name, 256);
		bh_buf_putc(&b, '@');
		bh_vreport_markup(&b, c->version, 128);
		bh_buf_printf(&b, "\" name=\"[%s] ", bh_severity_name(x->severity));
		id_with_aliases(&b, x, bh_vreport_markup);
		bh_buf_puts(&b, "\" time=\"0\">\n      <failure type=\"");
		bh_buf_puts(&b, bh_severity_name(x->severity));
		bh_buf_puts(&b, "\" message=\"");
		bh_vreport_markup(&b, x->title ? x->title : x->id, 300);
		bh_buf_puts(&b, "\">");
		id_with_aliases(&b, x, bh_vreport_markup);
		bh_buf_puts(&b, ": ");
		bh_vreport_markup(&b, c->name, 256);
		bh_buf_puts(&b, " ");
		bh_vreport_markup(&b, c->version, 128);
		bh_buf_puts(&b, x->fixed ? ", fixed in " : ", no fix yet");
		bh_vreport_markup(&b, x->fixed, 128);
		bh_buf_puts(&b, x->url ? ". " : "");
		bh_vreport_markup(&b, x->url, 512);
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
		bh_vreport_markup(&b, x->category ? x->category : "check", 64);
		bh_buf_printf(&b, "\" name=\"[%s] ", bh_severity_name(x->severity));
		bh_vreport_markup(&b, x->rule, 128);
		bh_buf_puts(&b, " ");
		bh_vreport_markup(&b, where(x, w, sizeof(w)), 512);
		bh_buf_puts(&b, "\" time=\"0\">\n      <failure type=\"");
		bh_buf_puts(&b, bh_severity_name(x->severity));
		bh_buf_puts(&b, "\" message=\"");
		bh_vreport_markup(&b, x->title, 300);
		bh_buf_puts(&b, "\">");
		bh_vreport_markup(&b, x->detail, 1000);
		bh_buf_puts(&b, "\nWhy: ");
		bh_vreport_markup(&b, x->why, 1000);
		bh_buf_puts(&b, "\nFix: ");
		bh_vreport_markup(&b, x->fix, 1000);
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

/*
 * The page's one style block. No script: filtering is CSS (checkboxes before <main>, rows hidden
 * by the sibling selector) and the "shown" counts are CSS counters, which count only rows that are
 * displayed; the counts line comes after the table in the document (a counter is read after the
 * rows it counts) and is moved above it with flex order. Cells may break anywhere: paths and ids have
 * no break opportunity a browser uses (it does not break at '/'), and the table must fit the window;
 * the one-word labels of the first column (severity, kind) stay whole.
 */
static const char html_css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;background:#fafafa;counter-reset:v c sc sh sm sl su}\n"
	"h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.2em 0 .5em}\n"
	".meta{color:#57606a}.cards{display:flex;gap:.6em;flex-wrap:wrap;margin:1em 0}\n"
	".card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.5em 1em;min-width:7em}\n"
	".card b{display:block;font-size:1.6em}\n"
	"table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}\n"
	"td{overflow-wrap:anywhere}th{background:#f0f3f6;position:sticky;top:0}tr:nth-child(even) td{background:#f8f9fa}\n"
	".sev{font-weight:600;border-radius:4px;padding:0 .4em;color:#fff;white-space:nowrap}\n"
	".critical{background:#8b0000}.high{background:#cf222e}.medium{background:#bf8700}.low{background:#1a7f37}.unknown{background:#6e7781}\n"
	".why{color:#57606a}.fix{color:#0a3069}code{font-size:.92em;word-break:break-all}.aliases{color:#57606a;font-size:.92em}\n"
	".kind{color:#57606a;font-size:.85em;text-transform:uppercase;white-space:nowrap}.kev{color:#fff;background:#8b0000;border-radius:4px;padding:0 .3em}\n"
	".warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5em 1em;margin:.6em 0}\n"
	".filters label{margin-right:1em;white-space:nowrap}.filters{margin:.4em 0}\n"
	"main{display:flex;flex-direction:column}.shown{order:-1;margin:.4em 0;font-weight:600}\n"
	"tr.vuln{counter-increment:v}tr.check{counter-increment:c}\n"
	"tr.s-critical{counter-increment:sc}tr.s-high{counter-increment:sh}tr.s-medium{counter-increment:sm}\n"
	"tr.s-low{counter-increment:sl}tr.s-unknown{counter-increment:su}\n"
	"tr.vuln.s-critical{counter-increment:v sc}tr.vuln.s-high{counter-increment:v sh}tr.vuln.s-medium{counter-increment:v sm}\n"
	"tr.vuln.s-low{counter-increment:v sl}tr.vuln.s-unknown{counter-increment:v su}\n"
	"tr.check.s-critical{counter-increment:c sc}tr.check.s-high{counter-increment:c sh}tr.check.s-medium{counter-increment:c sm}\n"
	"tr.check.s-low{counter-increment:c sl}tr.check.s-unknown{counter-increment:c su}\n"
	".nv::after{content:counter(v)}.nc::after{content:counter(c)}.nsc::after{content:counter(sc)}.nsh::after{content:counter(sh)}\n"
	".nsm::after{content:counter(sm)}.nsl::after{content:counter(sl)}.nsu::after{content:counter(su)}\n"
	"#f-critical:not(:checked)~main tr.s-critical,#f-high:not(:checked)~main tr.s-high,#f-medium:not(:checked)~main tr.s-medium,\n"
	"#f-low:not(:checked)~main tr.s-low,#f-unknown:not(:checked)~main tr.s-unknown,#f-vuln:not(:checked)~main tr.vuln,\n"
	"#f-check:not(:checked)~main tr.check,#f-fix:checked~main tr.nofix,#f-kev:checked~main tr.nokev{display:none}\n";

/* "sha256-BASE64" of text, as a Content-Security-Policy source expression; "" on failure. */
static void csp_hash(const char *text, char out[64])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	out[0] = '\0';
	if (!SHA256((const unsigned char *)text, strlen(text), md))
		return;
	memcpy(out, "sha256-", 7);
	EVP_EncodeBlock((unsigned char *)out + 7, md, SHA256_DIGEST_LENGTH); /* 44 characters and a NUL */
}

/* One row of the risk-ordered list: a vulnerability (vuln true) or a check finding, by index. */
struct risk_item {
	bool vuln;
	size_t i;
};

struct risk_ctx {
	const bh_findings *f;
	const bh_checks *ck;
};

/* The order people act in: severity, known exploited, EPSS, a fix to apply; checks that do not
 * apply last. Ties keep each list's own order (vulnerabilities first). */
static void risk_key(const struct risk_ctx *x, const struct risk_item *it, int *sev, int *kev, double *epss, int *fix)
{
	if (it->vuln) {
		const bh_finding *v = &x->f->items[it->i];
		*sev = (int)v->severity;
		*kev = v->kev;
		*epss = v->epss;
		*fix = v->fixed != NULL;
	} else {
		const bh_check_finding *c = &x->ck->items[it->i];
		*sev = c->status ? -1 : (int)c->severity;
		*kev = 0;
		*epss = -1;
		*fix = c->fix != NULL;
	}
}

static int risk_cmp(const void *pa, const void *pb, void *arg)
{
	const struct risk_item *a = pa, *b = pb;
	int sa, sb, ka, kb, fa, fb;
	double ea, eb;
	risk_key(arg, a, &sa, &ka, &ea, &fa);
	risk_key(arg, b, &sb, &kb, &eb, &fb);
	if (sa != sb)
		return sb - sa;
	if (ka != kb)
		return kb - ka;
	if (ea != eb)
		return ea < eb ? 1 : -1;
	if (fa != fb)
		return fb - fa;
	if (a->vuln != b->vuln)
		return a->vuln ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void html_vuln_row(bh_buf *b, const bh_sbom *s, const bh_finding *x)
{
	const bh_component *c = s->comps.items[x->comp];
	bh_buf al = BH_BUF_INIT;
	char lb[64];
	bh_buf_printf(b, "<tr class=\"vuln s-%s %s %s\"><td><span class=\"sev %s\">%s</span><div class=\"kind\">vulnerability</div></td><td>",
		      sevclass(x->severity), x->fixed ? "hasfix" : "nofix", x->kev ? "iskev" : "nokev", sevclass(x->severity),
		      bh_severity_name(x->severity));
	if (x->url && (!strncmp(x->url, "https://", 8) || !strncmp(x->url, "http://", 7))) {
		bh_buf_puts(b, "<a href=\"");
		bh_vreport_markup(b, x->url, 1024);
		bh_buf_puts(b, "\">");
		bh_vreport_markup(b, x->id, 128);
		bh_buf_puts(b, "</a>");
	} else {
		bh_vreport_markup(b, x->id, 128);
	}
	/* aliases as text in the cell: the browser's find sees them; CVE ids first */
	aliases(b, x, &al);
	if (al.len && !bh_buf_oom(&al)) {
		bh_buf_puts(b, "<div class=\"aliases\">");
		bh_vreport_markup(b, al.data, 4096);
		bh_buf_puts(b, "</div>");
	}
	bh_buf_free(&al);
	bh_buf_puts(b, "</td><td><b>");
	bh_vreport_markup(b, c->name, 256);
	bh_buf_puts(b, "</b> ");
	bh_vreport_markup(b, c->version, 128);
	bh_buf_puts(b, "<br>");
	bh_vreport_markup(b, x->title, 300);
	bh_buf_puts(b, "</td><td class=\"fix\">");
	if (x->fixed) {
		bh_buf_puts(b, "upgrade to ");
		bh_vreport_markup(b, x->fixed, 128);
	} else {
		bh_vreport_markup(b, x->status ? x->status : "no fix yet", 64);
	}
	bh_buf_puts(b, "</td><td>");
	if (x->kev)
		bh_buf_puts(b, "<span class=\"kev\">KEV</span> ");
	if (x->epss >= 0)
		bh_buf_printf(b, "EPSS %.1f%%", x->epss * 100.0);
	bh_buf_puts(b, "</td><td><code>");
	bh_vreport_markup(b, c->path, 1024);
	bh_buf_puts(b, "</code>");
	if (*layer_label(s, c->layer, lb, sizeof(lb))) {
		bh_buf_puts(b, "<br>");
		bh_vreport_markup(b, lb, 128);
	}
	bh_buf_puts(b, "</td></tr>\n");
}

static void html_check_row(bh_buf *b, const bh_sbom *s, const bh_check_finding *x)
{
	char w[512], lb[64];
	const char *sc = x->status ? "unknown" : sevclass(x->severity);
	bh_buf_printf(b, "<tr class=\"check s-%s %s nokev\"><td><span class=\"sev %s\">%s</span><div class=\"kind\">check</div></td><td><code>",
		      sc, x->fix ? "hasfix" : "nofix", sc, x->status ? "N/A" : bh_severity_name(x->severity));
	bh_vreport_markup(b, x->rule, 128);
	bh_buf_puts(b, "</code>");
	if (x->cis) {
		bh_buf_puts(b, "<br>CIS ");
		bh_vreport_markup(b, x->cis, 16);
	}
	bh_buf_puts(b, "</td><td><b>");
	bh_vreport_markup(b, x->title, 300);
	bh_buf_puts(b, "</b><br><code>");
	bh_vreport_markup(b, x->detail, 600);
	bh_buf_puts(b, "</code></td><td><div class=\"fix\">");
	bh_vreport_markup(b, x->fix, 1000);
	bh_buf_puts(b, "</div>");
	if (x->why) {
		bh_buf_puts(b, "<details><summary>why it matters</summary><div class=\"why\">");
		bh_vreport_markup(b, x->why, 1000);
		bh_buf_puts(b, "</div></details>");
	}
	bh_buf_puts(b, "</td><td></td><td><code>");
	bh_vreport_markup(b, where(x, w, sizeof(w)), 512);
	bh_buf_puts(b, "</code>");
	if (*layer_label(s, bh_vreport_check_layer(s, x), lb, sizeof(lb))) {
		bh_buf_puts(b, "<br>");
		bh_vreport_markup(b, lb, 128);
	}
	bh_buf_puts(b, "</td></tr>\n");
}

int bh_vreport_html(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	static const char *const sevid[5] = { "unknown", "low", "medium", "high", "critical" };
	static const char *const sevcount[5] = { "nsu", "nsl", "nsm", "nsh", "nsc" };
	bh_buf b = BH_BUF_INIT;
	size_t vn[5], cn[5], i, n = f->n, nck = ck ? ck->n : 0, total;
	struct risk_item *items;
	struct risk_ctx rc = { f, ck };
	char hash[64];
	int k;
	if (!bh_size_add(n, nck, &total) || !(items = calloc(total ? total : 1, sizeof(*items))))
		return bh_error_set(err, BH_ENOMEM, "cannot build the report (out of memory)");
	for (i = 0; i < n; i++)
		items[i] = (struct risk_item){ true, i };
	for (i = 0; i < nck; i++)
		items[n + i] = (struct risk_item){ false, i };
	if (total > 1)
		qsort_r(items, total, sizeof(*items), risk_cmp, &rc);
	count(f, ck, vn, cn);
	csp_hash(html_css, hash);
	/* A strict policy: nothing loads, nothing runs; the one style block is allowed by its hash. */
	bh_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '%s'; base-uri 'none'; form-action 'none'\">\n"
		      "<title>bulkhead: ", hash);
	bh_vreport_markup(&b, tname(s), 512);
	bh_buf_puts(&b, "</title>\n<style>");
	bh_buf_puts(&b, html_css);
	bh_buf_puts(&b, "</style></head><body>\n<h1>bulkhead report</h1>\n<div class=\"meta\">Target <code>");
	bh_vreport_markup(&b, tname(s), 1024);
	bh_buf_puts(&b, "</code>");
	if (s->kind) {
		bh_buf_puts(&b, " (");
		bh_vreport_markup(&b, s->kind, 64);
		bh_buf_puts(&b, ")");
	}
	if (s->osinfo.name) {
		bh_buf_puts(&b, " &middot; ");
		bh_vreport_markup(&b, s->osinfo.name, 200);
	}
	bh_buf_printf(&b, " &middot; %zu components</div>\n", s->comps.n);
	for (i = 0; i < s->nwarnings; i++) {
		bh_buf_puts(&b, "<div class=\"warn\"><b>Warning:</b> ");
		bh_vreport_markup(&b, s->warnings[i], 2000);
		bh_buf_puts(&b, "</div>\n");
	}
	bh_buf_puts(&b, "<div class=\"cards\">\n");
	for (k = 4; k >= 0; k--)
		bh_buf_printf(&b, "<div class=\"card\"><span class=\"sev %s\">%s</span><b>%zu</b>%zu vulnerabilities, %zu checks</div>\n",
			      sevclass((bh_severity)k), bh_severity_name((bh_severity)k), vn[k] + cn[k], vn[k], cn[k]);
	bh_buf_puts(&b, "</div>\n<div class=\"filters\">Show:\n");
	/* the checkboxes are siblings before <main>: the CSS hides rows with "~ main" */
	for (k = 4; k >= 0; k--)
		bh_buf_printf(&b, "<input type=\"checkbox\" id=\"f-%s\" checked><label for=\"f-%s\">%s</label>\n", sevid[k], sevid[k],
			      bh_severity_name((bh_severity)k));
	bh_buf_puts(&b, "<input type=\"checkbox\" id=\"f-vuln\" checked><label for=\"f-vuln\">vulnerabilities</label>\n"
		    "<input type=\"checkbox\" id=\"f-check\" checked><label for=\"f-check\">checks</label>\n"
		    "<input type=\"checkbox\" id=\"f-fix\"><label for=\"f-fix\">only with a fix</label>\n"
		    "<input type=\"checkbox\" id=\"f-kev\"><label for=\"f-kev\">only known exploited (KEV)</label>\n");
	bh_buf_printf(&b, "<main>\n<h2>Findings, most urgent first (%zu vulnerabilities, %zu checks)</h2>\n", n, nck);
	if (total) {
		bh_buf_puts(&b, "<table><thead><tr><th>Severity</th><th>Advisory / rule</th><th>What</th><th>Fix</th><th>Exploited</th>"
			    "<th>Where</th></tr></thead><tbody>\n");
		for (i = 0; i < total; i++) {
			if (items[i].vuln)
				html_vuln_row(&b, s, &f->items[items[i].i]);
			else
				html_check_row(&b, s, &ck->items[items[i].i]);
		}
		bh_buf_puts(&b, "</tbody></table>\n");
	}
	bh_buf_puts(&b, "<div class=\"shown\">Shown: <span class=\"nv\"></span> vulnerabilities, <span class=\"nc\"></span> checks (");
	for (k = 4; k >= 0; k--)
		bh_buf_printf(&b, "%s%s <span class=\"%s\"></span>", k == 4 ? "" : ", ", bh_severity_name((bh_severity)k), sevcount[k]);
	bh_buf_puts(&b, ")</div>\n</main>\n</div>\n");
	bh_buf_puts(&b, "<p class=\"meta\">Generated by bulkhead " BH_VERSION ". Severity, then known exploitation (CISA KEV), then EPSS, then "
		    "whether a fix exists decide the order.</p>\n</body></html>\n");
	free(items);
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
