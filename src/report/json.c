/* json.c - bulkhead's own inventory JSON (schema "bulkhead-sbom/1", documented in docs/json-format.md). */
#include "report/jout.h"
#include "report/report.h"

#include <string.h>


static json_t *strv(bool *bad, char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		bh_jpush(bad, a, bh_jstr(v[i]));
	return bh_jok(bad, a);
}

json_t *bh_report_component_json(const bh_component *c);
json_t *bh_report_component_json(const bh_component *c)
{
	json_t *o = json_object(), *lic = json_array(), *props = json_object();
	bool bad = false;
	size_t i;
	bh_jset(&bad, o, "ecosystem", bh_jstr(bh_ecosystem_name(c->eco)));
	bh_jset(&bad, o, "name", bh_jstr(c->name));
	if (c->namespace)
		bh_jset(&bad, o, "namespace", bh_jstr(c->namespace));
	bh_jset(&bad, o, "version", bh_jstr(c->version));
	if (c->arch)
		bh_jset(&bad, o, "arch", bh_jstr(c->arch));
	if (c->src_name)
		bh_jset(&bad, o, "source_name", bh_jstr(c->src_name));
	if (c->src_version)
		bh_jset(&bad, o, "source_version", bh_jstr(c->src_version));
	if (c->epoch)
		bh_jset(&bad, o, "epoch", bh_jstr(c->epoch));
	bh_jset(&bad, o, "purl", bh_jstr(c->purl));
	bh_jset(&bad, o, "path", bh_jstr(c->path));
	bh_jset(&bad, o, "layer", c->layer >= 0 ? json_integer(c->layer) : json_null());
	if (c->license)
		bh_jpush(&bad, lic, bh_jstr(c->license));
	bh_jset(&bad, o, "licenses", lic);
	if (c->flags & BH_COMP_MAIN)
		bh_jset(&bad, o, "main", json_true());
	if (c->flags & BH_COMP_DEV)
		bh_jset(&bad, o, "dev", json_true());
	for (i = 0; i < c->nprops; i++)
		bh_jset(&bad, props, c->props[i].key, bh_jstr(c->props[i].value));
	if (c->nprops)
		bh_jset(&bad, o, "properties", props);
	else
		json_decref(props);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *target_json(bool *bad, const bh_sbom *s)
{
	json_t *t = json_object();
	bh_jset(bad, t, "input", bh_jstr(s->input));
	bh_jset(bad, t, "kind", bh_jstr(s->kind));
	bh_jset(bad, t, "name", bh_jstr(s->name));
	bh_jset(bad, t, "image_id", bh_jstr(s->image_id));
	if (s->manifest_digest)
		bh_jset(bad, t, "manifest_digest", bh_jstr(s->manifest_digest));
	bh_jset(bad, t, "repo_tags", strv(bad, s->repo_tags, s->nrepo_tags));
	bh_jset(bad, t, "repo_digests", strv(bad, s->repo_digests, s->nrepo_digests));
	bh_jset(bad, t, "os", bh_jstr(s->os));
	bh_jset(bad, t, "architecture", bh_jstr(s->arch));
	bh_jset(bad, t, "created", bh_jstr(s->created));
	if (s->config) {
		json_t *labels = json_object_get(json_object_get(s->config, "config"), "Labels");
		bh_jset(bad, t, "labels", bh_jok(bad, json_is_object(labels) ? json_deep_copy(labels) : json_object()));
	}
	return bh_jok(bad, t);
}

static json_t *os_json(bool *bad, const bh_sbom *s)
{
	json_t *os = json_object();
	bh_jset(bad, os, "family", bh_jstr(s->osinfo.family));
	bh_jset(bad, os, "name", bh_jstr(s->osinfo.name));
	bh_jset(bad, os, "version", bh_jstr(s->osinfo.version));
	bh_jset(bad, os, "codename", bh_jstr(s->osinfo.codename));
	return bh_jok(bad, os);
}

static json_t *layers_json(bool *bad, const bh_sbom *s)
{
	json_t *layers = json_array();
	size_t i;
	for (i = 0; i < s->nlayers; i++) {
		const bh_layer *l = &s->layers[i];
		bh_jpush(bad, layers, json_pack("{s:I,s:o,s:o,s:o,s:o,s:I}", "index", (json_int_t)i,
			"digest", bh_jstr(l->digest), "diff_id", bh_jstr(l->diff_id),
			"media_type", bh_jstr(l->media_type), "created_by", bh_jstr(l->created_by),
			"size", (json_int_t)l->size));
	}
	return bh_jok(bad, layers);
}

static json_t *stats_json(bool *bad, const bh_sbom *s)
{
	return bh_jok(bad, json_pack("{s:I,s:f}", "files_seen", (json_int_t)s->files_seen, "seconds", s->seconds));
}

int bh_report_json(const bh_sbom *s, json_t **out, bh_error *err)
{
	json_t *doc = json_object(), *comps = json_array();
	bool bad = false;
	size_t i;

	bh_jset(&bad, doc, "schema", bh_jstr("bulkhead-sbom/1"));
	bh_jset(&bad, doc, "tool", bh_jok(&bad, json_pack("{s:s,s:s}", "name", "bulkhead", "version", BH_VERSION)));
	bh_jset(&bad, doc, "target", target_json(&bad, s));
	bh_jset(&bad, doc, "os", os_json(&bad, s));
	bh_jset(&bad, doc, "layers", layers_json(&bad, s));
	for (i = 0; i < s->comps.n; i++)
		bh_jpush(&bad, comps, bh_report_component_json(s->comps.items[i]));
	bh_jset(&bad, doc, "components", comps);
	bh_jset(&bad, doc, "warnings", strv(&bad, s->warnings, s->nwarnings));
	bh_jset(&bad, doc, "stats", stats_json(&bad, s));
	if (bad || !doc) {
		json_decref(doc);
		return bh_error_set(err, BH_ENOMEM, "cannot build the JSON report (out of memory)");
	}
	*out = doc;
	return 0;
}

void bh_report_json_stream(const bh_sbom *s, bh_jstream *js, const char *key)
{
	bool bad = false;
	size_t i;
	/* a failed build hands NULL to bh_jstream_value, which makes bh_jstream_close fail */
	bh_jstream_begin(js, key, '{');
	bh_jstream_value(js, "schema", bh_jstr("bulkhead-sbom/1"));
	bh_jstream_value(js, "tool", json_pack("{s:s,s:s}", "name", "bulkhead", "version", BH_VERSION));
	bh_jstream_value(js, "target", target_json(&bad, s));
	bh_jstream_value(js, "os", os_json(&bad, s));
	bh_jstream_value(js, "layers", layers_json(&bad, s));
	bh_jstream_begin(js, "components", '[');
	for (i = 0; i < s->comps.n; i++)
		bh_jstream_value(js, NULL, bh_report_component_json(s->comps.items[i]));
	bh_jstream_end(js);
	bh_jstream_value(js, "warnings", strv(&bad, s->warnings, s->nwarnings));
	bh_jstream_value(js, "stats", stats_json(&bad, s));
	if (bad)
		bh_jstream_value(js, "error", NULL);
	bh_jstream_end(js);
}

json_t *bh_report_json_member(const bh_sbom *s, const char *name)
{
	bool bad = false;
	json_t *v = NULL;
	if (!strcmp(name, "target"))
		v = target_json(&bad, s);
	else if (!strcmp(name, "os"))
		v = os_json(&bad, s);
	else if (!strcmp(name, "warnings"))
		v = strv(&bad, s->warnings, s->nwarnings);
	if (bad) {
		json_decref(v);
		return NULL;
	}
	return v;
}
