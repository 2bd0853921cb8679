/* gitlab.c - scan results as GitLab Code Quality and Container Scanning reports, streamed. */
#include "report/gitlab.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/product.h"
#include "report/jout.h"
#include "report/report.h"
#include "report/vulnreport.h"

#define CS_SCHEMA_URL \
	"https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" BH_GITLAB_SCHEMA_VERSION \
	"/dist/container-scanning-report-format.json"
#define NAME_MAX_BYTES 255        /* the schema's maxLength of a vulnerability name */
#define SOLUTION_MAX_BYTES 7000   /* ... and of a solution */

/*
 * Stable keys: SHA-256 over length-prefixed fields (so ("ab","c") and ("a","bc") differ and NULL
 * differs from ""). A key seen before in this report gets "#N" hashed in until it is new: GitLab
 * needs fingerprints and ids unique within a report.
 */
typedef struct key {
	EVP_MD_CTX *md;
	bool bad;
} key;

static void key_begin(key *k, const char *kind)
{
	k->bad = !(k->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(k->md, EVP_sha256(), NULL) != 1;
	if (!k->bad && EVP_DigestUpdate(k->md, kind, strlen(kind) + 1) != 1)
		k->bad = true;
}

static void key_add(key *k, const char *s)
{
	unsigned long long n = s ? (unsigned long long)strlen(s) : ~0ULL;
	if (k->bad)
		return;
	if (EVP_DigestUpdate(k->md, &n, sizeof(n)) != 1 || (s && EVP_DigestUpdate(k->md, s, (size_t)n) != 1))
		k->bad = true;
}

static void key_hex(const unsigned char b[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[64] = '\0';
}

/* Finishes k into out (32 raw bytes), made unique against seen (a JSON object used as a set).
 * 0, or -1 when out of memory. */
static int key_end(key *k, json_t *seen, unsigned char out[32])
{
	unsigned int len = 0;
	unsigned long n;
	char h[65 + 24];
	bool ok = !k->bad && EVP_DigestFinal_ex(k->md, out, &len) == 1 && len == 32;
	EVP_MD_CTX_free(k->md);
	k->md = NULL;
	if (!ok)
		return -1;
	for (n = 1;; n++) {
		key_hex(out, h);
		if (!json_object_get(seen, h))
			return json_object_set_new(seen, h, json_true()) ? -1 : 0;
		snprintf(h + 64, sizeof(h) - 64, "#%lu", n);
		if (EVP_Digest(h, strlen(h), out, &len, EVP_sha256(), NULL) != 1)
			return -1;
	}
}

/* A name-based UUID (version 5 layout over SHA-256) from the key: same finding, same id. */
static void key_uuid(unsigned char b[32], char out[37])
{
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x50);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The length of s cut to at most max bytes at a UTF-8 character boundary. */
static size_t cut(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* A path inside the target as GitLab wants it: relative to the repository, no leading '/'. */
static const char *rel(const char *p)
{
	while (p && *p == '/')
		p++;
	return p && *p ? p : ".";
}

static bool is_url(const char *u)
{
	return u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7)) && strlen(u) > 8;
}

/* ---- Code Quality ---- */

static const char *cq_severity(bh_severity s, bool kev)
{
	switch (s) {
	case BH_SEV_CRITICAL: return kev ? "blocker" : "critical"; /* known exploited: fix before anything else */
	case BH_SEV_HIGH: return "major";
	case BH_SEV_MEDIUM: return "minor";
	default: return "info";
	}
}

static json_t *cq_issue(const char *desc, const char *check, const unsigned char k[32], const char *sev, const char *path,
			unsigned long line)
{
	char fp[65];
	key_hex(k, fp);
	return json_pack("{s:o,s:o,s:s,s:s,s:{s:o,s:{s:I}}}", "description", bh_jstr(desc), "check_name", bh_jstr(check),
			 "fingerprint", fp, "severity", sev, "location", "path", bh_jstr(rel(path)), "lines", "begin",
			 (json_int_t)(line ? line : 1));
}

static json_t *cq_vuln(const bh_sbom *s, const bh_finding *x, json_t *seen)
{
	const bh_component *c = s->comps.items[x->comp];
	bh_buf d = BH_BUF_INIT, al = BH_BUF_INIT;
	unsigned char k[32];
	json_t *o = NULL;
	key kk;
	if (bh_vreport_aliases_text(x, &al))
		bh_buf_fail(&d);
	bh_buf_printf(&d, "%s%s%s%s in %s %s (%s)", x->id, al.len ? " (" : "", al.len ? al.data : "", al.len ? ")" : "",
		      c->name ? c->name : "", c->version ? c->version : "", bh_severity_name(x->severity));
	if (x->title)
		bh_buf_printf(&d, ": %s", x->title);
	bh_buf_printf(&d, x->fixed ? ". Fixed in %s." : ". No fix yet.", x->fixed ? x->fixed : "");
	/* what the finding is, not where its line is: the fingerprint survives a rebuild */
	key_begin(&kk, "bulkhead-gitlab-cq-vuln");
	key_add(&kk, x->id);
	key_add(&kk, c->name);
	key_add(&kk, c->version);
	key_add(&kk, c->path);
	if (!bh_buf_oom(&d) && !key_end(&kk, seen, k))
		o = cq_issue(d.data, x->id, k, cq_severity(x->kind ? BH_SEV_UNKNOWN : x->severity, x->kev),
			     c->path ? c->path : s->input, 1);
	else
		EVP_MD_CTX_free(kk.md);
	bh_buf_free(&d);
	bh_buf_free(&al);
	return o;
}

static json_t *cq_check(const bh_check_finding *x, json_t *seen)
{
	bh_buf d = BH_BUF_INIT;
	unsigned char k[32];
	json_t *o = NULL;
	key kk;
	bh_buf_printf(&d, "%s%s%s", x->title ? x->title : x->rule, x->detail ? ": " : "", x->detail ? x->detail : "");
	if (x->fix)
		bh_buf_printf(&d, ". Fix: %s", x->fix);
	key_begin(&kk, "bulkhead-gitlab-cq-check");
	key_add(&kk, x->rule);
	key_add(&kk, x->target);
	key_add(&kk, x->path);
	key_add(&kk, x->detail);
	if (!bh_buf_oom(&d) && !key_end(&kk, seen, k))
		o = cq_issue(d.data, x->rule, k, cq_severity(x->severity, false), x->path ? x->path : x->target,
			     x->path ? x->line : 0);
	else
		EVP_MD_CTX_free(kk.md);
	bh_buf_free(&d);
	return o;
}

int bh_gitlab_write_codequality(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp, bh_error *err)
{
	json_t *seen = json_object();
	bh_jstream *js = bh_jstream_open(fp);
	size_t i;
	if (js && seen) {
		bh_jstream_begin(js, NULL, '[');
		for (i = 0; ck && i < ck->n; i++)
			if (!ck->items[i].status) /* not-applicable and manual: nothing failed */
				bh_jstream_value(js, NULL, cq_check(&ck->items[i], seen));
		for (i = 0; i < f->n; i++)
			bh_jstream_value(js, NULL, cq_vuln(s, &f->items[i], seen));
	} else if (js) {
		bh_jstream_value(js, NULL, NULL); /* marks the stream failed */
	}
	json_decref(seen);
	return bh_jstream_close(js, err);
}

/* ---- Container Scanning ---- */

static const char *cs_severity(const bh_finding *x)
{
	if (x->kind) /* RustSec unmaintained/unsound/notice */
		return "Info";
	switch (x->severity) {
	case BH_SEV_CRITICAL: return "Critical";
	case BH_SEV_HIGH: return "High";
	case BH_SEV_MEDIUM: return "Medium";
	case BH_SEV_LOW: return "Low";
	default: return "Unknown";
	}
}

/* Where an advisory id is published, for identifier URLs; NULL when bulkhead knows no page. */
static const char *id_url_base(const char *id, size_t n)
{
	static const struct { const char *prefix, *base; } src[] = {
		{ "CVE-", "https://nvd.nist.gov/vuln/detail/" },
		{ "GHSA-", "https://github.com/advisories/" },
		{ "GO-", "https://pkg.go.dev/vuln/" },
		{ "PYSEC-", "https://osv.dev/vulnerability/" },
		{ "RUSTSEC-", "https://rustsec.org/advisories/" },
		{ "DSA-", "https://security-tracker.debian.org/tracker/" },
		{ "DLA-", "https://security-tracker.debian.org/tracker/" },
	};
	size_t i;
	for (i = 0; i < n; i++) /* a URL is built only from ids of plain characters */
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:", id[i]) || !id[i])
			return NULL;
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++)
		if (n > strlen(src[i].prefix) && !strncmp(id, src[i].prefix, strlen(src[i].prefix)))
			return src[i].base;
	return NULL;
}

/* {type, name, value[, url]}: type "cve", "ghsa", else the id's prefix in lower case ("go",
 * "pysec", "rustsec", "dsa"), else "bulkhead". */
static json_t *identifier(const char *id, size_t n, const char *url)
{
	char type[17];
	size_t p = strcspn(id, "-"), i;
	const char *base = id_url_base(id, n);
	json_t *o;
	bool bad = false;
	if (p < n && p > 0 && p < sizeof(type)) {
		for (i = 0; i < p; i++) {
			char ch = id[i];
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
				break;
			type[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
		}
		type[i] = '\0';
		if (i < p)
			strcpy(type, "bulkhead");
	} else {
		strcpy(type, "bulkhead");
	}
	o = json_pack("{s:s,s:o,s:o}", "type", type, "name", bh_jstrn(id, n), "value", bh_jstrn(id, n));
	if (o && is_url(url))
		bh_jset(&bad, o, "url", bh_jstr(url));
	else if (o && base)
		bh_jset(&bad, o, "url", json_sprintf("%s%.*s", base, (int)n, id));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

typedef struct cs_ctx {
	const char *os;
	const char *image;
	json_t *seen;
} cs_ctx;

static json_t *cs_vuln(const bh_sbom *s, const bh_finding *x, const cs_ctx *cx)
{
	const bh_component *c = s->comps.items[x->comp];
	bh_vreport_idref ids[64];
	size_t nids = bh_vreport_aliases(x, ids, 64), i;
	const char *name = x->title && *x->title ? x->title : x->id;
	unsigned char k[32];
	char uuid[37];
	bh_buf d = BH_BUF_INIT;
	json_t *o = NULL, *idents = json_array();
	bool bad = !idents;
	key kk;
	key_begin(&kk, "bulkhead-gitlab-cs");
	key_add(&kk, x->id);
	key_add(&kk, c->name);
	key_add(&kk, c->version);
	key_add(&kk, c->path);
	if (key_end(&kk, cx->seen, k)) {
		json_decref(idents);
		return NULL;
	}
	key_uuid(k, uuid);
	bh_jpush(&bad, idents, identifier(x->id, strlen(x->id), x->url));
	for (i = 0; i < nids; i++)
		bh_jpush(&bad, idents, identifier(ids[i].p, ids[i].n, NULL));
	bh_buf_printf(&d, "%s in %s %s", x->title && *x->title ? x->title : x->id, c->name ? c->name : "",
		      c->version ? c->version : "");
	if (c->path)
		bh_buf_printf(&d, " (%s)", c->path);
	if (x->status && !x->fixed)
		bh_buf_printf(&d, ". Status: %s", x->status);
	bad |= bh_buf_oom(&d);
	o = json_pack("{s:s,s:o,s:o,s:s}", "id", uuid, "name", bh_jstrn(name, cut(name, NAME_MAX_BYTES)), "description",
		      bh_jstr(d.data ? d.data : ""), "severity", cs_severity(x));
	if (o && x->fixed) {
		bh_buf sol = BH_BUF_INIT;
		bh_buf_printf(&sol, "Upgrade %s from %s to %s", c->name ? c->name : "", c->version ? c->version : "", x->fixed);
		bad |= bh_buf_oom(&sol);
		if (!bad)
			bh_jset(&bad, o, "solution", bh_jstrn(sol.data, cut(sol.data, SOLUTION_MAX_BYTES)));
		bh_buf_free(&sol);
	}
	bh_jset(&bad, o, "identifiers", idents);
	if (is_url(x->url))
		bh_jset(&bad, o, "links", json_pack("[{s:o}]", "url", bh_jstr(x->url)));
	bh_jset(&bad, o, "location", json_pack("{s:{s:{s:o},s:o},s:o,s:o}", "dependency", "package", "name",
		bh_jstr(c->name ? c->name : ""), "version", bh_jstr(c->version ? c->version : ""), "operating_system", bh_jstr(cx->os),
		"image", bh_jstr(cx->image)));
	bh_buf_free(&d);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* yyyy-mm-ddThh:mm:ss (UTC), the schema's form: the end now (or SOURCE_DATE_EPOCH), the start
 * the scan's wall time before it (the same instant when reproducible). */
static void cs_times(const bh_sbom *s, char start[32], char end[32])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	bool fixed = sde && *sde;
	time_t e = fixed ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	time_t b = fixed || !(s->seconds > 0 && s->seconds < 1e9) ? e : e - (time_t)(s->seconds + 0.5);
	struct tm tm;
	gmtime_r(&e, &tm);
	strftime(end, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	gmtime_r(&b, &tm);
	strftime(start, 32, "%Y-%m-%dT%H:%M:%S", &tm);
}

static json_t *cs_scan(const bh_sbom *s, const bh_checks *ck)
{
	char start[32], end[32];
	json_t *msgs = json_array(), *tool;
	bool bad = !msgs;
	size_t i, nck = 0;
	cs_times(s, start, end);
	for (i = 0; i < s->nwarnings; i++)
		if (s->warnings[i] && *s->warnings[i])
			bh_jpush(&bad, msgs, json_pack("{s:s,s:o}", "level", "warn", "value", bh_jstr(s->warnings[i])));
	for (i = 0; ck && i < ck->n; i++)
		nck += !ck->items[i].status;
	if (nck) {
		bh_buf m = BH_BUF_INIT;
		bh_buf_printf(&m, "%zu check finding%s (configuration, secrets, licences) %s not in this report type: "
			      "write them with -f gitlab-codequality", nck, nck == 1 ? "" : "s", nck == 1 ? "is" : "are");
		bad |= bh_buf_oom(&m);
		if (!bad)
			bh_jpush(&bad, msgs, json_pack("{s:s,s:s}", "level", "info", "value", m.data));
		bh_buf_free(&m);
	}
	tool = json_pack("{s:s,s:s,s:s,s:s,s:{s:s}}", "id", BH_PRODUCT, "name", BH_PRODUCT, "url",
			 "https://github.com/bulkhead/bulkhead", "version", BH_VERSION, "vendor", "name", BH_PRODUCT);
	if (bad || !tool) {
		json_decref(msgs);
		json_decref(tool);
		return NULL;
	}
	return json_pack("{s:O,s:o,s:s,s:s,s:s,s:s,s:o}", "analyzer", tool, "scanner", tool, "type", "container_scanning",
			 "start_time", start, "end_time", end, "status", "success", "messages", msgs);
}

int bh_gitlab_write_container_scanning(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp,
				       bh_error *err)
{
	bh_buf os = BH_BUF_INIT;
	cs_ctx cx;
	bh_jstream *js;
	size_t i;
	/* "debian:12" as GitLab's own analyzer writes it; the schema wants a non-empty string */
	if (s->osinfo.family && *s->osinfo.family)
		bh_buf_printf(&os, "%s%s%s", s->osinfo.family, s->osinfo.version ? ":" : "",
			      s->osinfo.version ? s->osinfo.version : "");
	else
		bh_buf_puts(&os, "unknown");
	if (bh_buf_oom(&os)) {
		bh_buf_free(&os);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	cx.os = os.data;
	cx.image = s->nrepo_tags && s->repo_tags[0] && *s->repo_tags[0] ? s->repo_tags[0]
		 : s->name && *s->name ? s->name : s->input && *s->input ? s->input : "unknown";
	cx.seen = json_object();
	js = bh_jstream_open(fp);
	if (js) {
		bh_jstream_begin(js, NULL, '{');
		bh_jstream_value(js, "version", json_string(BH_GITLAB_SCHEMA_VERSION));
		bh_jstream_value(js, "schema", json_string(CS_SCHEMA_URL));
		bh_jstream_value(js, "scan", cs_scan(s, ck));
		bh_jstream_begin(js, "vulnerabilities", '[');
		for (i = 0; i < f->n; i++)
			bh_jstream_value(js, NULL, cx.seen ? cs_vuln(s, &f->items[i], &cx) : NULL);
		bh_jstream_end(js);
	}
	json_decref(cx.seen);
	bh_buf_free(&os);
	return bh_jstream_close(js, err);
}
