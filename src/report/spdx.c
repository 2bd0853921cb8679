/* spdx.c - SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"

/* Declared licences go in only when they are syntactically SPDX expressions; else NOASSERTION. */
static bool spdx_expr_ok(const char *s)
{
	const char *p = s;
	if (!s || !*s)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-+:() ", *p))
			return false;
	return true;
}

static void purpose(json_t *o, const bh_component *c)
{
	json_object_set_new(o, "primaryPackagePurpose",
			    json_string(c->flags & BH_COMP_MAIN && c->eco != BH_ECO_GO ? "APPLICATION" : "LIBRARY"));
}

int bh_report_spdx(const bh_sbom *s, json_t **out, bh_error *err)
{
	json_t *doc = json_object(), *pkgs = json_array(), *rels = json_array(), *root = json_object();
	char ts[32], uuid[37], ns[512], id[64];
	const char *name = s->name ? s->name : (s->input ? s->input : "target");
	size_t i;
	(void)err;

	bh_report_timestamp(ts);
	bh_report_uuid(uuid);
	json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
	json_object_set_new(doc, "dataLicense", json_string("CC0-1.0"));
	json_object_set_new(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
	json_object_set_new(doc, "name", json_string(name));
	snprintf(ns, sizeof(ns), "https://bulkhead.invalid/spdx/%s", uuid);
	json_object_set_new(doc, "documentNamespace", json_string(ns));
	json_object_set_new(doc, "creationInfo", json_pack("{s:s,s:[s]}", "created", ts, "creators", "Tool: bulkhead-" BH_VERSION));

	json_object_set_new(root, "name", json_string(name));
	json_object_set_new(root, "SPDXID", json_string("SPDXRef-Target"));
	if (s->image_id)
		json_object_set_new(root, "versionInfo", json_string(s->image_id));
	json_object_set_new(root, "downloadLocation", json_string("NOASSERTION"));
	json_object_set_new(root, "filesAnalyzed", json_false());
	json_object_set_new(root, "licenseConcluded", json_string("NOASSERTION"));
	json_object_set_new(root, "licenseDeclared", json_string("NOASSERTION"));
	json_object_set_new(root, "copyrightText", json_string("NOASSERTION"));
	json_object_set_new(root, "primaryPackagePurpose", json_string(s->config ? "CONTAINER" : "SOURCE"));
	json_array_append_new(pkgs, root);
	json_array_append_new(rels, json_pack("{s:s,s:s,s:s}", "spdxElementId", "SPDXRef-DOCUMENT",
					      "relationshipType", "DESCRIBES", "relatedSpdxElement", "SPDXRef-Target"));
	if (s->osinfo.family) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s}", "name", s->osinfo.family, "SPDXID", "SPDXRef-OperatingSystem",
				      "downloadLocation", "NOASSERTION", "filesAnalyzed", 0, "licenseConcluded", "NOASSERTION",
				      "licenseDeclared", "NOASSERTION", "copyrightText", "NOASSERTION",
				      "primaryPackagePurpose", "OPERATING-SYSTEM");
		if (s->osinfo.version)
			json_object_set_new(o, "versionInfo", json_string(s->osinfo.version));
		json_array_append_new(pkgs, o);
		json_array_append_new(rels, json_pack("{s:s,s:s,s:s}", "spdxElementId", "SPDXRef-Target",
						      "relationshipType", "CONTAINS", "relatedSpdxElement", "SPDXRef-OperatingSystem"));
	}
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		json_t *o = json_object();
		snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
		json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
		json_object_set_new(o, "SPDXID", json_string(id));
		if (c->version)
			json_object_set_new(o, "versionInfo", json_string(c->version));
		json_object_set_new(o, "downloadLocation", json_string("NOASSERTION"));
		json_object_set_new(o, "filesAnalyzed", json_false());
		json_object_set_new(o, "licenseConcluded", json_string("NOASSERTION"));
		json_object_set_new(o, "licenseDeclared", json_string(spdx_expr_ok(c->license) ? c->license : "NOASSERTION"));
		json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
		if (c->src_name) {
			char si[1024];
			snprintf(si, sizeof(si), "built package from: %s %s", c->src_name, c->src_version ? c->src_version : "");
			json_object_set_new(o, "sourceInfo", json_string(si));
		}
		if (c->path)
			json_object_set_new(o, "comment", json_string(c->path));
		if (c->purl)
			json_object_set_new(o, "externalRefs", json_pack("[{s:s,s:s,s:s}]", "referenceCategory", "PACKAGE-MANAGER",
									"referenceType", "purl", "referenceLocator", c->purl));
		purpose(o, c);
		json_array_append_new(pkgs, o);
		json_array_append_new(rels, json_pack("{s:s,s:s,s:s}", "spdxElementId", "SPDXRef-Target",
						      "relationshipType", "CONTAINS", "relatedSpdxElement", id));
	}
	json_object_set_new(doc, "packages", pkgs);
	json_object_set_new(doc, "relationships", rels);
	*out = doc;
	return 0;
}
