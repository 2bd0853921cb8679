/* spdx.c - SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/). */
#include <ctype.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "check/license.h"
#include "core/stamp.h"
#include "report/jout.h"
#include "report/report.h"

/* One SPDX 2.3 license-expression token: an id (idstring, '+' allowed at the end) or an operator. */
static bool spdx_expr_ok(const char *s)
{
	const char *p = s;
	int depth = 0;
	bool want_id = true;
	if (!s || !*s)
		return false;
	while (*p) {
		size_t n;
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '(' || *p == ')') {
			depth += *p == '(' ? 1 : -1;
			if (depth < 0 || (*p == '(') != want_id)
				return false;
			p++;
			continue;
		}
		for (n = 0; isalnum((unsigned char)p[n]) || p[n] == '.' || p[n] == '-' || p[n] == '+' || p[n] == ':'; n++)
			;
		if (!n)
			return false;
		if ((n == 3 && !strncmp(p, "AND", 3)) || (n == 2 && !strncmp(p, "OR", 2)) || (n == 4 && !strncmp(p, "WITH", 4))) {
			if (want_id)
				return false;
			want_id = true;
		} else {
			if (!want_id)
				return false;
			want_id = false;
		}
		p += n;
	}
	return depth == 0 && !want_id;
}

/*
 * licenseDeclared as a valid SPDX expression: the normaliser's result, whose LicenseRef- parts
 * (declared texts it does not recognise) each get a hasExtractedLicensingInfos entry quoting
 * the declared text; NOASSERTION when there is none or it cannot be made valid.
 */
static json_t *declared(bool *bad, const char *lic, json_t *extracted, json_t *refs_seen)
{
	char *expr = NULL;
	const char *p;
	json_t *v;
	bh_error e;
	if (!lic || bh_license_normalize(NULL, lic, &expr, &e) || !spdx_expr_ok(expr)) {
		free(expr);
		return bh_jstr("NOASSERTION");
	}
	if (strstr(expr, "AdditionRef-")) {
		/*
		 * SPDX 2.3 has no user-defined exceptions (AdditionRef- is SPDX 3): the whole declared
		 * text becomes one LicenseRef, named by a hash of the text so equal texts share it.
		 */
		unsigned char md[32];
		char *ref = malloc(64);
		size_t k;
		if (!ref || !SHA256((const unsigned char *)lic, strlen(lic), md)) {
			free(ref);
			free(expr);
			*bad = true;
			return NULL;
		}
		snprintf(ref, 64, "LicenseRef-bulkhead-");
		for (k = 0; k < 8; k++)
			snprintf(ref + 20 + 2 * k, 3, "%02x", md[k]);
		free(expr);
		expr = ref;
	}
	for (p = strstr(expr, "LicenseRef-"); p; p = strstr(p + 1, "LicenseRef-")) {
		size_t n = strcspn(p, " ()");
		json_t *id = bh_jstrn(p, n);
		if (!id || json_object_get(refs_seen, json_string_value(id))) {
			*bad |= !id;
			json_decref(id);
			continue;
		}
		bh_jset(bad, refs_seen, json_string_value(id), json_true());
		bh_jpush(bad, extracted, json_pack("{s:o,s:o,s:s}", "licenseId", id, "extractedText", bh_jstr(lic),
						   "comment", "declared licence text bulkhead could not map to an SPDX id"));
	}
	v = bh_jstr(expr);
	free(expr);
	return v;
}

static void purpose(bool *bad, json_t *o, const bh_component *c)
{
	bh_jset(bad, o, "primaryPackagePurpose",
			    bh_jstr(c->flags & BH_COMP_MAIN && c->eco != BH_ECO_GO ? "APPLICATION" : "LIBRARY"));
}

/* Component i as an SPDX package named id (64 bytes); licence refs it needs go to extracted. */
static json_t *comp_pkg(bool *bad, const bh_component *c, size_t i, const char *ts, json_t *extracted,
			json_t *refs_seen, char *id)
{
	json_t *o = json_object();
	snprintf(id, 64, "SPDXRef-Package-%zu", i + 1);
	bh_jset(bad, o, "name", bh_jstr(c->name ? c->name : ""));
	bh_jset(bad, o, "SPDXID", bh_jstr(id));
	if (c->version)
		bh_jset(bad, o, "versionInfo", bh_jstr(c->version));
	bh_jset(bad, o, "downloadLocation", bh_jstr("NOASSERTION"));
	bh_jset(bad, o, "filesAnalyzed", json_false());
	bh_jset(bad, o, "licenseConcluded", bh_jstr("NOASSERTION"));
	bh_jset(bad, o, "licenseDeclared", declared(bad, c->license, extracted, refs_seen));
	bh_jset(bad, o, "copyrightText", bh_jstr("NOASSERTION"));
	if (c->src_name) {
		char si[1024];
		snprintf(si, sizeof(si), "built package from: %s %s", c->src_name, c->src_version ? c->src_version : "");
		bh_jset(bad, o, "sourceInfo", bh_jstr(si));
	}
	if (c->path)
		bh_jset(bad, o, "comment", bh_jstr(c->path));
	if (c->nprops || (c->flags & BH_COMP_DEV)) {
		/* component properties read back by src/sbom/sbomread.c: "bulkhead:KEY=VALUE" */
		json_t *an = json_array();
		size_t k;
		for (k = 0; k <= c->nprops; k++) {
			char cm[1200];
			if (k == c->nprops && !(c->flags & BH_COMP_DEV))
				break;
			snprintf(cm, sizeof(cm), "bulkhead:%s=%s", k < c->nprops ? c->props[k].key : "package:dev",
				 k < c->nprops ? c->props[k].value : "true");
			bh_jpush(bad, an, json_pack("{s:s,s:s,s:s,s:o}", "annotationDate", ts, "annotationType", "OTHER",
							    "annotator", "Tool: bulkhead-" BH_VERSION, "comment", bh_jstr(cm)));
		}
		bh_jset(bad, o, "annotations", an);
	}
	if (c->purl)
		bh_jset(bad, o, "externalRefs", json_pack("[{s:s,s:s,s:o}]", "referenceCategory", "PACKAGE-MANAGER",
								"referenceType", "purl", "referenceLocator", bh_jstr(c->purl)));
	purpose(bad, o, c);
	return bh_jok(bad, o);
}

static json_t *contains(const char *id)
{
	return json_pack("{s:s,s:s,s:s}", "spdxElementId", "SPDXRef-Target", "relationshipType", "CONTAINS",
			 "relatedSpdxElement", id);
}

static json_t *os_pkg(bool *bad, const bh_sbom *s)
{
	json_t *o = json_pack("{s:o,s:s,s:s,s:b,s:s,s:s,s:s,s:s}", "name", bh_jstr(s->osinfo.family), "SPDXID", "SPDXRef-OperatingSystem",
			      "downloadLocation", "NOASSERTION", "filesAnalyzed", 0, "licenseConcluded", "NOASSERTION",
			      "licenseDeclared", "NOASSERTION", "copyrightText", "NOASSERTION",
			      "primaryPackagePurpose", "OPERATING_SYSTEM");
	if (s->osinfo.version)
		bh_jset(bad, o, "versionInfo", bh_jstr(s->osinfo.version));
	return bh_jok(bad, o);
}

/*
 * Writes head (the members before "packages", consumed), root (the target package, consumed),
 * then every package and relationship one small tree at a time. Only the extracted licence texts
 * (one per distinct unrecognised licence) are kept until the end. A failure hands NULL to the
 * stream, which makes bh_jstream_close fail.
 */
static void spdx_stream(const bh_sbom *s, bh_jstream *js, json_t *head, json_t *root, const char *ts, bool bad)
{
	json_t *extracted = json_array(), *refs_seen = json_object(), *v;
	const char *key;
	char id[64];
	size_t i;

	bh_jstream_begin(js, NULL, '{');
	json_object_foreach(head, key, v) {
		bh_jstream_value(js, key, json_incref(v));
	}
	json_decref(head);
	bh_jstream_begin(js, "packages", '[');
	bh_jstream_value(js, NULL, bh_jok(&bad, root));
	if (s->osinfo.family)
		bh_jstream_value(js, NULL, os_pkg(&bad, s));
	for (i = 0; i < s->comps.n && !bad; i++)
		bh_jstream_value(js, NULL, comp_pkg(&bad, s->comps.items[i], i, ts, extracted, refs_seen, id));
	bh_jstream_end(js);
	bh_jstream_begin(js, "relationships", '[');
	bh_jstream_value(js, NULL, json_pack("{s:s,s:s,s:s}", "spdxElementId", "SPDXRef-DOCUMENT",
					     "relationshipType", "DESCRIBES", "relatedSpdxElement", "SPDXRef-Target"));
	if (s->osinfo.family)
		bh_jstream_value(js, NULL, contains("SPDXRef-OperatingSystem"));
	for (i = 0; i < s->comps.n && !bad; i++) {
		snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
		bh_jstream_value(js, NULL, contains(id));
	}
	bh_jstream_end(js);
	if (json_array_size(extracted))
		bh_jstream_value(js, "hasExtractedLicensingInfos", extracted);
	else
		json_decref(extracted);
	json_decref(refs_seen);
	if (bad || !extracted || !refs_seen)
		bh_jstream_value(js, "error", NULL);
	bh_jstream_end(js);
}

static int spdx_doc(const bh_sbom *s, bh_jstream *js, json_t **out, bh_error *err)
{
	json_t *doc = json_object(), *pkgs = json_array(), *rels = json_array(), *root = json_object();
	char ts[32], uuid[37], ns[512], id[64];
	const char *name = s->name ? s->name : (s->input ? s->input : "target");
	json_t *extracted, *refs_seen;
	bool bad = false;
	size_t i;

	bh_stamp_time(ts);
	if (bh_jdoc_uuid(s, "spdx", uuid))
		bad = true;
	bh_jset(&bad, doc, "spdxVersion", bh_jstr("SPDX-2.3"));
	bh_jset(&bad, doc, "dataLicense", bh_jstr("CC0-1.0"));
	bh_jset(&bad, doc, "SPDXID", bh_jstr("SPDXRef-DOCUMENT"));
	bh_jset(&bad, doc, "name", bh_jstr(name));
	snprintf(ns, sizeof(ns), "https://bulkhead.invalid/spdx/%s", uuid);
	bh_jset(&bad, doc, "documentNamespace", bh_jstr(ns));
	bh_jset(&bad, doc, "creationInfo", json_pack("{s:s,s:[s]}", "created", ts, "creators", "Tool: bulkhead-" BH_VERSION));

	bh_jset(&bad, root, "name", bh_jstr(name));
	bh_jset(&bad, root, "SPDXID", bh_jstr("SPDXRef-Target"));
	if (s->image_id)
		bh_jset(&bad, root, "versionInfo", bh_jstr(s->image_id));
	bh_jset(&bad, root, "downloadLocation", bh_jstr("NOASSERTION"));
	bh_jset(&bad, root, "filesAnalyzed", json_false());
	bh_jset(&bad, root, "licenseConcluded", bh_jstr("NOASSERTION"));
	bh_jset(&bad, root, "licenseDeclared", bh_jstr("NOASSERTION"));
	bh_jset(&bad, root, "copyrightText", bh_jstr("NOASSERTION"));
	bh_jset(&bad, root, "primaryPackagePurpose", bh_jstr(s->config ? "CONTAINER" : "SOURCE"));
	if (js) {
		json_decref(pkgs);
		json_decref(rels);
		spdx_stream(s, js, doc, root, ts, bad);
		return 0;
	}
	extracted = json_array();
	refs_seen = json_object();
	bh_jpush(&bad, pkgs, root);
	bh_jpush(&bad, rels, json_pack("{s:s,s:s,s:s}", "spdxElementId", "SPDXRef-DOCUMENT",
					      "relationshipType", "DESCRIBES", "relatedSpdxElement", "SPDXRef-Target"));
	if (s->osinfo.family) {
		bh_jpush(&bad, pkgs, os_pkg(&bad, s));
		bh_jpush(&bad, rels, contains("SPDXRef-OperatingSystem"));
	}
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		json_t *o = comp_pkg(&bad, c, i, ts, extracted, refs_seen, id);
		bh_jpush(&bad, pkgs, o);
		bh_jpush(&bad, rels, contains(id));
	}
	bh_jset(&bad, doc, "packages", pkgs);
	bh_jset(&bad, doc, "relationships", rels);
	if (json_array_size(extracted))
		bh_jset(&bad, doc, "hasExtractedLicensingInfos", extracted);
	else
		json_decref(extracted);
	json_decref(refs_seen);
	if (bad) {
		json_decref(doc);
		return bh_error_set(err, BH_ENOMEM, "cannot build the SPDX document (out of memory)");
	}
	*out = doc;
	return 0;
}

int bh_report_spdx(const bh_sbom *s, json_t **out, bh_error *err)
{
	return spdx_doc(s, NULL, out, err);
}

void bh_report_spdx_stream(const bh_sbom *s, bh_jstream *js)
{
	spdx_doc(s, js, NULL, NULL);
}
