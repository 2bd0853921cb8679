/* json.c - bulkhead's own inventory JSON (schema "bulkhead-sbom/1", documented in docs/json-format.md). */
#include "report/report.h"

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *strv(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *bh_report_component_json(const bh_component *c);
json_t *bh_report_component_json(const bh_component *c)
{
	json_t *o = json_object(), *lic = json_array(), *props = json_object();
	size_t i;
	json_object_set_new(o, "ecosystem", json_string(bh_ecosystem_name(c->eco)));
	json_object_set_new(o, "name", str_or_null(c->name));
	if (c->namespace)
		json_object_set_new(o, "namespace", json_string(c->namespace));
	json_object_set_new(o, "version", str_or_null(c->version));
	if (c->arch)
		json_object_set_new(o, "arch", json_string(c->arch));
	if (c->src_name)
		json_object_set_new(o, "source_name", json_string(c->src_name));
	if (c->src_version)
		json_object_set_new(o, "source_version", json_string(c->src_version));
	if (c->epoch)
		json_object_set_new(o, "epoch", json_string(c->epoch));
	json_object_set_new(o, "purl", str_or_null(c->purl));
	json_object_set_new(o, "path", str_or_null(c->path));
	json_object_set_new(o, "layer", c->layer >= 0 ? json_integer(c->layer) : json_null());
	if (c->license)
		json_array_append_new(lic, json_string(c->license));
	json_object_set_new(o, "licenses", lic);
	if (c->flags & BH_COMP_MAIN)
		json_object_set_new(o, "main", json_true());
	if (c->flags & BH_COMP_DEV)
		json_object_set_new(o, "dev", json_true());
	for (i = 0; i < c->nprops; i++)
		json_object_set_new(props, c->props[i].key, json_string(c->props[i].value));
	if (c->nprops)
		json_object_set_new(o, "properties", props);
	else
		json_decref(props);
	return o;
}

int bh_report_json(const bh_sbom *s, json_t **out, bh_error *err)
{
	json_t *doc = json_object(), *t = json_object(), *os = json_object(), *layers = json_array(),
	       *comps = json_array();
	size_t i;
	(void)err;

	json_object_set_new(doc, "schema", json_string("bulkhead-sbom/1"));
	json_object_set_new(doc, "tool", json_pack("{s:s,s:s}", "name", "bulkhead", "version", BH_VERSION));
	json_object_set_new(t, "input", str_or_null(s->input));
	json_object_set_new(t, "kind", str_or_null(s->kind));
	json_object_set_new(t, "name", str_or_null(s->name));
	json_object_set_new(t, "image_id", str_or_null(s->image_id));
	if (s->manifest_digest)
		json_object_set_new(t, "manifest_digest", json_string(s->manifest_digest));
	json_object_set_new(t, "repo_tags", strv(s->repo_tags, s->nrepo_tags));
	json_object_set_new(t, "repo_digests", strv(s->repo_digests, s->nrepo_digests));
	json_object_set_new(t, "os", str_or_null(s->os));
	json_object_set_new(t, "architecture", str_or_null(s->arch));
	json_object_set_new(t, "created", str_or_null(s->created));
	if (s->config) {
		json_t *labels = json_object_get(json_object_get(s->config, "config"), "Labels");
		json_object_set_new(t, "labels", json_is_object(labels) ? json_deep_copy(labels) : json_object());
	}
	json_object_set_new(doc, "target", t);
	json_object_set_new(os, "family", str_or_null(s->osinfo.family));
	json_object_set_new(os, "name", str_or_null(s->osinfo.name));
	json_object_set_new(os, "version", str_or_null(s->osinfo.version));
	json_object_set_new(os, "codename", str_or_null(s->osinfo.codename));
	json_object_set_new(doc, "os", os);
	for (i = 0; i < s->nlayers; i++) {
		const bh_layer *l = &s->layers[i];
		json_array_append_new(layers, json_pack("{s:I,s:o,s:o,s:o,s:o,s:I}", "index", (json_int_t)i,
			"digest", str_or_null(l->digest), "diff_id", str_or_null(l->diff_id),
			"media_type", str_or_null(l->media_type), "created_by", str_or_null(l->created_by),
			"size", (json_int_t)l->size));
	}
	json_object_set_new(doc, "layers", layers);
	for (i = 0; i < s->comps.n; i++)
		json_array_append_new(comps, bh_report_component_json(s->comps.items[i]));
	json_object_set_new(doc, "components", comps);
	json_object_set_new(doc, "warnings", strv(s->warnings, s->nwarnings));
	json_object_set_new(doc, "stats", json_pack("{s:I,s:f}", "files_seen", (json_int_t)s->files_seen, "seconds", s->seconds));
	*out = doc;
	return 0;
}
