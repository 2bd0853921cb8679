/* cyclonedx.c - CycloneDX 1.6 and 1.5 JSON (https://cyclonedx.org/docs/1.6/json/). */
#include "report/cyclonedx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/stamp.h"
#include "report/jout.h"
#include "report/report.h"

static const char *layer_digest(const bh_sbom *s, int layer)
{
	if (layer < 0 || (size_t)layer >= s->nlayers)
		return NULL;
	return s->layers[layer].diff_id ? s->layers[layer].diff_id : s->layers[layer].digest;
}

#define BREF_MAX BH_REPORT_BREF_MAX

/* The unique bom-ref of component i (into bref, BREF_MAX bytes), recorded in seen; *suffixed says
 * whether it took "#i". */
static int make_bref(bh_map *seen, const bh_component *c, size_t i, char *bref, bool *suffixed)
{
	*suffixed = !c->purl || bh_map_get(seen, c->purl);
	if (!*suffixed) {
		snprintf(bref, BREF_MAX, "%s", c->purl);
	} else {
		/* The same package in two places: keep refs unique. */
		snprintf(bref, BREF_MAX, "%s#%zu", c->purl ? c->purl : "bh:component", i);
	}
	return bh_map_put(seen, bref, (void *)1) ? -1 : 0;
}

void bh_report_cyclonedx_ref(const bh_report_cdx_refs *r, size_t i, char *out)
{
	const bh_component *c = r->s->comps.items[i];
	if (r->suffixed[i])
		snprintf(out, BREF_MAX, "%s#%zu", c->purl ? c->purl : "bh:component", i);
	else
		snprintf(out, BREF_MAX, "%s", c->purl);
}

/* Component i as a CycloneDX component; its unique bom-ref goes to bref (BREF_MAX bytes) and seen. */
static json_t *comp_json(bool *bad, const bh_sbom *s, const bh_component *c, size_t i, bh_map *seen, char *bref,
			 bool *suffixed)
{
	json_t *o, *props;
	size_t k;
	if (make_bref(seen, c, i, bref, suffixed)) {
		*bad = true;
		return NULL;
	}
	o = json_object();
	props = json_array();
	bh_jset(bad, o, "bom-ref", bh_jstr(bref));
	bh_jset(bad, o, "type", bh_jstr(c->flags & BH_COMP_MAIN && c->eco != BH_ECO_GO ? "application" : "library"));
	if (c->namespace)
		bh_jset(bad, o, "group", bh_jstr(c->namespace));
	bh_jset(bad, o, "name", bh_jstr(c->name ? c->name : ""));
	if (c->version)
		bh_jset(bad, o, "version", bh_jstr(c->version));
	if (c->license)
		bh_jset(bad, o, "licenses", json_pack("[{s:{s:o}}]", "license", "name", bh_jstr(c->license)));
	if (c->purl)
		bh_jset(bad, o, "purl", bh_jstr(c->purl));
	bh_jprop(bad, props, "bulkhead:package:type", bh_ecosystem_name(c->eco));
	bh_jprop(bad, props, "bulkhead:package:path", c->path);
	bh_jprop(bad, props, "bulkhead:package:arch", c->arch);
	bh_jprop(bad, props, "bulkhead:package:src_name", c->src_name);
	bh_jprop(bad, props, "bulkhead:package:src_version", c->src_version);
	bh_jprop(bad, props, "bulkhead:package:epoch", c->epoch);
	if (c->layer >= 0 && (size_t)c->layer < s->nlayers) {
		char idx[24];
		snprintf(idx, sizeof(idx), "%d", c->layer);
		bh_jprop(bad, props, "bulkhead:layer:index", idx);
		bh_jprop(bad, props, "bulkhead:layer:digest", layer_digest(s, c->layer));
		bh_jprop(bad, props, "bulkhead:layer:created_by", s->layers[c->layer].created_by);
	}
	if (c->flags & BH_COMP_DEV)
		bh_jprop(bad, props, "bulkhead:package:dev", "true");
	for (k = 0; k < c->nprops; k++) {
		char key[128];
		snprintf(key, sizeof(key), "bulkhead:%s", c->props[k].key);
		bh_jprop(bad, props, key, c->props[k].value);
	}
	bh_jset(bad, o, "properties", props);
	return bh_jok(bad, o);
}

static json_t *os_comp(bool *bad, const bh_sbom *s)
{
	json_t *osc = json_pack("{s:s,s:s,s:o}", "bom-ref", "bh:os", "type", "operating-system", "name", bh_jstr(s->osinfo.family));
	if (s->osinfo.version)
		bh_jset(bad, osc, "version", bh_jstr(s->osinfo.version));
	if (s->osinfo.name)
		bh_jset(bad, osc, "description", bh_jstr(s->osinfo.name));
	return bh_jok(bad, osc);
}

/*
 * Writes head (the members before "components", consumed) and then every component and the
 * dependency list one small tree at a time, then tail's members. Only one byte per component is
 * kept beyond the bom-ref map: whether its bom-ref took "#i", from which dependsOn and tail rebuild
 * it. A failure hands NULL to the stream, which makes bh_jstream_close fail.
 */
static void cdx_stream(const bh_sbom *s, bh_jstream *js, json_t *head, bool bad, bh_report_cdx_tail tail, void *arg)
{
	bh_report_cdx_refs refs = { s, calloc(s->comps.n ? s->comps.n : 1, 1) };
	const char *key;
	json_t *v;
	bh_map seen;
	size_t i;
	char bref[BREF_MAX];

	if (!refs.suffixed)
		bad = true;
	bh_jstream_begin(js, NULL, '{');
	json_object_foreach(head, key, v) {
		bh_jstream_value(js, key, json_incref(v));
	}
	json_decref(head);
	bh_jstream_begin(js, "components", '[');
	if (s->osinfo.family)
		bh_jstream_value(js, NULL, os_comp(&bad, s));
	bh_map_init(&seen, NULL);
	for (i = 0; i < s->comps.n && !bad; i++) {
		bool suffixed;
		json_t *o = comp_json(&bad, s, s->comps.items[i], i, &seen, bref, &suffixed);
		refs.suffixed[i] = suffixed;
		bh_jstream_value(js, NULL, o);
	}
	bh_map_free(&seen);
	bh_jstream_end(js);
	bh_jstream_begin(js, "dependencies", '[');
	bh_jstream_begin(js, NULL, '{');
	bh_jstream_value(js, "ref", json_string("bh:target"));
	bh_jstream_begin(js, "dependsOn", '[');
	if (s->osinfo.family)
		bh_jstream_value(js, NULL, json_string("bh:os"));
	for (i = 0; i < s->comps.n && !bad; i++) {
		bh_report_cyclonedx_ref(&refs, i, bref);
		bh_jstream_value(js, NULL, bh_jstr(bref));
	}
	bh_jstream_end(js);
	bh_jstream_end(js);
	bh_jstream_end(js);
	if (tail && !bad)
		tail(js, &refs, arg);
	if (bad)
		bh_jstream_value(js, "error", NULL);
	bh_jstream_end(js);
	free(refs.suffixed);
}

/* The document as a tree into *out, or (js non-NULL) streamed into js with tail's members at the end. */
static int cdx_doc(const bh_sbom *s, bh_report_cdx_spec spec, const char *salt, bh_jstream *js, bh_report_cdx_tail tail,
		   void *arg, json_t **out, bh_error *err)
{
	json_t *doc = json_object(), *meta = json_object(), *root = json_object(), *comps = json_array(),
	       *deps = json_array(), *rootdeps = json_array(), *rprops = json_array();
	char ts[32], uuid[37], ref[64];
	bh_map seen;
	bool bad = false;
	size_t i;
	int rc = 0;

	bh_map_init(&seen, NULL);
	bh_stamp_time(ts);
	if (bh_jdoc_uuid(s, salt, uuid))
		bad = true;
	snprintf(ref, sizeof(ref), "urn:uuid:%s", uuid);
	/* what bulkhead writes means the same in 1.5 and 1.6 (metadata.tools as components, properties):
	 * only the version marks differ */
	bh_jset(&bad, doc, "$schema", bh_jstr(spec == BH_REPORT_CDX_1_5 ? "http://cyclonedx.org/schema/bom-1.5.schema.json"
								  : "http://cyclonedx.org/schema/bom-1.6.schema.json"));
	bh_jset(&bad, doc, "bomFormat", bh_jstr("CycloneDX"));
	bh_jset(&bad, doc, "specVersion", bh_jstr(spec == BH_REPORT_CDX_1_5 ? "1.5" : "1.6"));
	bh_jset(&bad, doc, "serialNumber", bh_jstr(ref));
	bh_jset(&bad, doc, "version", json_integer(1));
	bh_jset(&bad, meta, "timestamp", bh_jstr(ts));
	bh_jset(&bad, meta, "tools", json_pack("{s:[{s:s,s:s,s:s}]}", "components", "type", "application",
					       "name", "bulkhead", "version", BH_VERSION));
	bh_jset(&bad, root, "bom-ref", bh_jstr("bh:target"));
	bh_jset(&bad, root, "type", bh_jstr(s->config ? "container" : "file"));
	bh_jset(&bad, root, "name", bh_jstr(s->name ? s->name : (s->input ? s->input : "target")));
	if (s->image_id)
		bh_jset(&bad, root, "version", bh_jstr(s->image_id));
	bh_jprop(&bad, rprops, "bulkhead:target:kind", s->kind);
	bh_jprop(&bad, rprops, "bulkhead:image:id", s->image_id);
	for (i = 0; i < s->nrepo_tags; i++)
		bh_jprop(&bad, rprops, "bulkhead:image:repo_tag", s->repo_tags[i]);
	for (i = 0; i < s->nrepo_digests; i++)
		bh_jprop(&bad, rprops, "bulkhead:image:repo_digest", s->repo_digests[i]);
	for (i = 0; i < s->nlayers; i++)
		bh_jprop(&bad, rprops, "bulkhead:image:layer", layer_digest(s, (int)i));
	if (json_array_size(rprops))
		bh_jset(&bad, root, "properties", rprops);
	else
		json_decref(rprops);
	bh_jset(&bad, meta, "component", root);
	if (s->nwarnings) {
		/* inventory and scan warnings (e.g. an OS with no advisories in the DB) travel with the BOM */
		json_t *mprops = json_array();
		for (i = 0; i < s->nwarnings; i++)
			bh_jprop(&bad, mprops, "bulkhead:warning", s->warnings[i]);
		bh_jset(&bad, meta, "properties", mprops);
	}
	bh_jset(&bad, doc, "metadata", meta);

	if (js) {
		json_decref(comps);
		json_decref(deps);
		json_decref(rootdeps);
		bh_map_free(&seen);
		cdx_stream(s, js, doc, bad, tail, arg);
		return 0;
	}
	if (s->osinfo.family) {
		bh_jpush(&bad, comps, os_comp(&bad, s));
		bh_jpush(&bad, rootdeps, bh_jstr("bh:os"));
	}
	for (i = 0; i < s->comps.n && !bad; i++) {
		char bref[BREF_MAX];
		bool suffixed;
		json_t *o = comp_json(&bad, s, s->comps.items[i], i, &seen, bref, &suffixed);
		if (!o)
			break;
		bh_jpush(&bad, comps, o);
		bh_jpush(&bad, rootdeps, bh_jstr(bref));
	}
	bh_jset(&bad, doc, "components", comps);
	bh_jpush(&bad, deps, json_pack("{s:s,s:o}", "ref", "bh:target", "dependsOn", rootdeps));
	bh_jset(&bad, doc, "dependencies", deps);
	bh_map_free(&seen);
	if (bad) {
		json_decref(doc);
		return rc ? rc : bh_error_set(err, BH_ENOMEM, "cannot build the CycloneDX document (out of memory)");
	}
	if (!out) { /* neither a stream nor a tree asked for: a caller's mistake, not a crash */
		json_decref(doc);
		return bh_error_set(err, BH_EINVAL, "CycloneDX: no destination");
	}
	*out = doc;
	return 0;
}

int bh_report_cyclonedx_spec_parse(const char *name, bh_report_cdx_spec *out)
{
	if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx") || !strcmp(name, "cyclonedx-json") || !strcmp(name, "cyclonedx-1.6"))
		*out = BH_REPORT_CDX_1_6;
	else if (!strcmp(name, "cyclonedx-1.5") || !strcmp(name, "cdx-1.5"))
		*out = BH_REPORT_CDX_1_5;
	else
		return BH_EUSAGE;
	return 0;
}

int bh_report_cyclonedx_as(const bh_sbom *s, bh_report_cdx_spec spec, json_t **out, bh_error *err)
{
	return cdx_doc(s, spec, "cyclonedx", NULL, NULL, NULL, out, err);
}

void bh_report_cyclonedx_stream_as(const bh_sbom *s, bh_report_cdx_spec spec, bh_jstream *js)
{
	cdx_doc(s, spec, "cyclonedx", js, NULL, NULL, NULL, NULL);
}

void bh_report_cyclonedx_stream_tail_as(const bh_sbom *s, bh_report_cdx_spec spec, bh_jstream *js, const char *salt,
					bh_report_cdx_tail tail, void *arg)
{
	cdx_doc(s, spec, salt, js, tail, arg, NULL, NULL);
}

int bh_report_cyclonedx(const bh_sbom *s, json_t **out, bh_error *err)
{
	return bh_report_cyclonedx_as(s, BH_REPORT_CDX_NEWEST, out, err);
}

void bh_report_cyclonedx_stream(const bh_sbom *s, bh_jstream *js)
{
	bh_report_cyclonedx_stream_as(s, BH_REPORT_CDX_NEWEST, js);
}

void bh_report_cyclonedx_stream_tail(const bh_sbom *s, bh_jstream *js, const char *salt, bh_report_cdx_tail tail, void *arg)
{
	bh_report_cyclonedx_stream_tail_as(s, BH_REPORT_CDX_NEWEST, js, salt, tail, arg);
}
