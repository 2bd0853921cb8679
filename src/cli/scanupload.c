/* scanupload.c - `bulkhead scan --server`: the image SBOM to POST /api/v1/images, the rest of the result to POST /api/v1/scans. */
#include "cli/scanupload.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/srvclient.h"
#include "core/buf.h"
#include "core/severity.h"
#include "report/report.h"

/* Findings listed in the summary: beyond this the counts still cover every one. */
#define LIST_MAX 10000

static void lower(const char *s, char *out, size_t n)
{
	size_t k;
	for (k = 0; s[k] && k + 1 < n; k++)
		out[k] = (char)tolower((unsigned char)s[k]);
	out[k] = '\0';
}

static bool digest_ok(const char *d)
{
	return d && !strncmp(d, "sha256:", 7) && strlen(d) == 71 && strspn(d + 7, "0123456789abcdef") == 64;
}

/* One POST through the shared client (cli/srvclient.h): 0 for 2xx, else its BH_E* with err naming the path. */
static int post(const bh_scanupload_opts *o, const char *path, const char *body, size_t len, bh_buf *answer, bh_error *err)
{
	/* the server matches an SBOM before it answers */
	bh_srvclient c = { o->server, o->token, o->ca_file, 300000, "upload: use an operator token" };
	return bh_srvclient_do(&c, BH_HTTP_POST, path, "application/json", body, len, answer, err);
}

static const char *env_first(const char *a, const char *b)
{
	const char *v = getenv(a);
	if (v && *v)
		return v;
	v = b ? getenv(b) : NULL;
	return v && *v ? v : NULL;
}

static json_t *summary(const bh_scanupload_opts *o, const bh_scan_result *r)
{
	json_t *sev = json_object(), *list = json_array(), *s;
	int64_t by[BH_SEV_CRITICAL + 1] = { 0 }, kev = 0, fixable = 0, fails = 0;
	char low[16];
	size_t i;
	unsigned v;
	for (i = 0; i < r->findings.n; i++) {
		const bh_finding *f = &r->findings.items[i];
		const bh_component *c = f->comp < r->sbom.comps.n ? r->sbom.comps.items[f->comp] : NULL;
		by[(unsigned)f->severity <= BH_SEV_CRITICAL ? f->severity : BH_SEV_UNKNOWN]++;
		kev += f->kev;
		fixable += f->fixed != NULL;
		lower(bh_severity_name(f->severity), low, sizeof(low));
		if (i < LIST_MAX)
			json_array_append_new(list, json_pack("{s:s?, s:s?, s:s?, s:s, s:s?, s:b}", "id", f->id, "purl", c ? c->purl : NULL,
							      "installed", f->installed, "severity", low, "fixed", f->fixed, "kev", f->kev));
	}
	for (v = 0; v <= BH_SEV_CRITICAL; v++) {
		lower(bh_severity_name((bh_severity)v), low, sizeof(low));
		json_object_set_new(sev, low, json_integer(by[v]));
	}
	for (i = 0; i < r->checks.n; i++)
		fails += !r->checks.items[i].status;
	s = json_pack("{s:I, s:{s:I, s:o, s:I, s:I}, s:o, s:b, s:{s:I, s:I}, s:I, s:s?}", "components", (json_int_t)r->sbom.comps.n,
		      "findings", "total", (json_int_t)r->findings.n, "by_severity", sev, "kev", (json_int_t)kev, "fixable",
		      (json_int_t)fixable, "vulnerabilities", list, "vulnerabilities_truncated", r->findings.n > LIST_MAX, "checks",
		      "total", (json_int_t)r->checks.n, "fail", (json_int_t)fails, "suppressed", (json_int_t)r->suppressed, "policy",
		      o->policy);
	return s;
}

static json_t *checks(const bh_scan_result *r)
{
	json_t *arr = json_array();
	char low[16];
	size_t i;
	for (i = 0; arr && i < r->checks.n; i++) {
		const bh_check_finding *f = &r->checks.items[i];
		lower(bh_severity_name(f->severity), low, sizeof(low));
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s?}", "rule_id", f->rule ? f->rule : "unknown",
						     "target", f->target, "status", f->status ? f->status : "fail", "severity", low,
						     "title", f->title, "detail", f->detail));
	}
	return arr;
}

int bh_scanupload_send(const bh_scanupload_opts *o, const bh_scan_result *r, bh_error *err)
{
	const char *digest = r->sbom.manifest_digest ? r->sbom.manifest_digest : r->sbom.image_id;
	char path[160], *text = NULL, *body = NULL;
	size_t tlen = 0;
	json_t *doc = NULL;
	FILE *mf;
	int rc = 0;

	{
		bh_srvclient c = { o->server, o->token, o->ca_file, 0, NULL };
		if ((rc = bh_srvclient_check(&c, err)))
			return rc;
	}
	if (!digest_ok(digest))
		digest = NULL;
	/* the SBOM first: the scans row then finds its image, and the checks go beside it */
	if (digest) {
		if (!(mf = open_memstream(&text, &tlen)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		rc = bh_report_write(&r->sbom, BH_FORMAT_JSON, mf, err);
		if (fclose(mf) && !rc)
			rc = bh_error_set(err, BH_EIO, "cannot write the SBOM for the upload");
		snprintf(path, sizeof(path), "/api/v1/images?digest=%s", digest);
		if (!rc)
			rc = post(o, path, text, tlen, NULL, err);
		free(text);
		if (rc)
			return rc;
	}
	doc = json_pack("{s:s, s:s?, s:s, s:i, s:{s:s?, s:s?, s:s?, s:s?}, s:o, s:o}", "target", o->target, "image_digest", digest,
			"verdict", o->failing ? "fail" : "pass", "exit_code", o->exit_code, "pipeline",
			"id", o->pipeline_id ? o->pipeline_id : env_first("CI_PIPELINE_ID", "GITHUB_RUN_ID"),
			"url", o->pipeline_url ? o->pipeline_url : env_first("CI_PIPELINE_URL", NULL),
			"commit", o->commit ? o->commit : env_first("CI_COMMIT_SHA", "GITHUB_SHA"),
			"branch", o->branch ? o->branch : env_first("CI_COMMIT_REF_NAME", "GITHUB_REF_NAME"),
			"summary", summary(o, r), "checks", checks(r));
	if (!doc || !(body = json_dumps(doc, JSON_COMPACT)))
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	else
		rc = post(o, "/api/v1/scans", body, strlen(body), NULL, err);
	free(body);
	json_decref(doc);
	return rc;
}
