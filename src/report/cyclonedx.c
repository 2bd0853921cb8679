/* cyclonedx.c - CycloneDX 1.5 JSON (https://cyclonedx.org/docs/1.5/json/). */
#include <stdio.h>
#include <string.h>

#include "core/map.h"
#include "report/report.h"

static void prop(json_t *arr, const char *k, const char *v)
{
	if (v)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "name", k, "value", v));
}

static const char *layer_digest(const bh_sbom *s, int layer)
{
	if (layer < 0 || (size_t)layer >= s->nlayers)
		return NULL;
	return s->layers[layer].diff_id ? s->layers[layer].diff_id : s->layers[layer].digest;
}

int bh_report_cyclonedx(const bh_sbom *s, json_t **out, bh_error *err)
{
	json_t *doc = json_object(), *meta = json_object(), *root = json_object(), *comps = json_array(),
	       *deps = json_array(), *rootdeps = json_array(), *rprops = json_array();
	char ts[32], uuid[37], ref[64];
	bh_map seen;
	size_t i;
	int rc = 0;

	bh_map_init(&seen, NULL);
	bh_report_timestamp(ts);
	bh_report_uuid(uuid);
	snprintf(ref, sizeof(ref), "urn:uuid:%s", uuid);
	json_object_set_new(doc, "$schema", json_string("http://cyclonedx.org/schema/bom-1.5.schema.json"));
	json_object_set_new(doc, "bomFormat", json_string("CycloneDX"));
	json_object_set_new(doc, "specVersion", json_string("1.5"));
	json_object_set_new(doc, "serialNumber", json_string(ref));
	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(meta, "timestamp", json_string(ts));
	json_object_set_new(meta, "tools", json_pack("{s:[{s:s,s:s,s:s}]}", "components", "type", "application",
						     "name", "bulkhead", "version", BH_VERSION));
	json_object_set_new(root, "bom-ref", json_string("bh:target"));
	json_object_set_new(root, "type", json_string(s->config ? "container" : "file"));
	json_object_set_new(root, "name", json_string(s->name ? s->name : (s->input ? s->input : "target")));
	if (s->image_id)
		json_object_set_new(root, "version", json_string(s->image_id));
	prop(rprops, "bulkhead:target:kind", s->kind);
	prop(rprops, "bulkhead:image:id", s->image_id);
	for (i = 0; i < s->nrepo_tags; i++)
		prop(rprops, "bulkhead:image:repo_tag", s->repo_tags[i]);
	for (i = 0; i < s->nrepo_digests; i++)
		prop(rprops, "bulkhead:image:repo_digest", s->repo_digests[i]);
	for (i = 0; i < s->nlayers; i++)
		prop(rprops, "bulkhead:image:layer", layer_digest(s, (int)i));
	if (json_array_size(rprops))
		json_object_set_new(root, "properties", rprops);
	else
		json_decref(rprops);
	json_object_set_new(meta, "component", root);
	json_object_set_new(doc, "metadata", meta);

	if (s->osinfo.family) {
		json_t *osc = json_pack("{s:s,s:s,s:s}", "bom-ref", "bh:os", "type", "operating-system", "name", s->osinfo.family);
		if (s->osinfo.version)
			json_object_set_new(osc, "version", json_string(s->osinfo.version));
		if (s->osinfo.name)
			json_object_set_new(osc, "description", json_string(s->osinfo.name));
		json_array_append_new(comps, osc);
		json_array_append_new(rootdeps, json_string("bh:os"));
	}
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		json_t *o = json_object(), *props = json_array();
		char bref[4200];
		char *p;
		if (c->purl && !bh_map_get(&seen, c->purl)) {
			snprintf(bref, sizeof(bref), "%s", c->purl);
		} else {
			/* The same package in two places: keep refs unique. */
			snprintf(bref, sizeof(bref), "%s#%zu", c->purl ? c->purl : "bh:component", i);
		}
		if (bh_map_put(&seen, bref, (void *)1)) {
			json_decref(o);
			json_decref(props);
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			break;
		}
		json_object_set_new(o, "bom-ref", json_string(bref));
		json_object_set_new(o, "type", json_string(c->flags & BH_COMP_MAIN && c->eco != BH_ECO_GO ? "application" : "library"));
		if (c->namespace)
			json_object_set_new(o, "group", json_string(c->namespace));
		json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
		if (c->version)
			json_object_set_new(o, "version", json_string(c->version));
		if (c->license)
			json_object_set_new(o, "licenses", json_pack("[{s:{s:s}}]", "license", "name", c->license));
		if (c->purl)
			json_object_set_new(o, "purl", json_string(c->purl));
		prop(props, "bulkhead:package:type", bh_ecosystem_name(c->eco));
		prop(props, "bulkhead:package:path", c->path);
		prop(props, "bulkhead:package:arch", c->arch);
		prop(props, "bulkhead:package:src_name", c->src_name);
		prop(props, "bulkhead:package:src_version", c->src_version);
		prop(props, "bulkhead:package:epoch", c->epoch);
		if (c->layer >= 0) {
			prop(props, "bulkhead:layer:digest", layer_digest(s, c->layer));
			prop(props, "bulkhead:layer:created_by", s->layers[c->layer].created_by);
		}
		if (c->flags & BH_COMP_DEV)
			prop(props, "bulkhead:package:dev", "true");
		{
			size_t k;
			for (k = 0; k < c->nprops; k++) {
				char key[128];
				snprintf(key, sizeof(key), "bulkhead:%s", c->props[k].key);
				prop(props, key, c->props[k].value);
			}
		}
		json_object_set_new(o, "properties", props);
		json_array_append_new(comps, o);
		p = bref;
		json_array_append_new(rootdeps, json_string(p));
	}
	json_object_set_new(doc, "components", comps);
	json_array_append_new(deps, json_pack("{s:s,s:o}", "ref", "bh:target", "dependsOn", rootdeps));
	json_object_set_new(doc, "dependencies", deps);
	bh_map_free(&seen);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}
