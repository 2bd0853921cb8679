/* dockerarchive.c - `docker save` / `podman save` / skopeo docker-archive tars. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "image/image.h"
#include "image/tarindex.h"

static int ti_open(void *ctx, const char *ref, const char *expect, const char *expect2, bh_blob *b,
		   struct archive **outer, bh_error *err)
{
	bh_tarindex *ti = ctx;
	const bh_tarent *e = bh_tarindex_find(ti, ref);
	*outer = NULL;
	memset(b, 0, sizeof(*b));
	if (!e)
		return bh_error_set(err, BH_ENOTFOUND, "%s: manifest names \"%s\", which is not in the archive", ti->label, ref);
	return bh_tarindex_open(ti, e, expect, expect2, b, outer, err);
}

/* Names like "<hex>.tar", "<hex>.json" or "blobs/sha256/<hex>" carry their own digest. */
static void digest_from_name(const char *name, char out[80])
{
	const char *base = strrchr(name, '/');
	char hex[65];
	size_t n;
	out[0] = '\0';
	base = base ? base + 1 : name;
	n = strcspn(base, ".");
	if (n != 64)
		return;
	memcpy(hex, base, 64);
	hex[64] = '\0';
	snprintf(out, 80, "sha256:%s", hex);
	if (!bh_digest_valid(out))
		out[0] = '\0';
}

int bh_source_docker_archive(int fd, const char *label, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	bh_tarindex ti;
	bh_blobsrc bs = { ti_open, &ti };
	bh_buf man = BH_BUF_INIT, cfg = BH_BUF_INIT;
	json_t *mj = NULL, *img, *layers;
	char **refs = NULL, **digs = NULL;
	char cdig[80];
	const char *config;
	size_t i, n = 0;
	int rc;

	if ((rc = bh_tarindex_build(&ti, fd, label, &o->limits, err)))
		return rc;
	rc = bh_tarindex_read(&ti, "manifest.json", (size_t)o->limits.max_meta_size, NULL, &man, err);
	if (rc == BH_ENOTFOUND) {
		rc = bh_error_set(err, BH_EINVAL, "%s: no manifest.json: not a docker-archive image", label);
		goto out;
	}
	if (rc || (rc = bh_json_load(man.data, man.len, o->limits.max_json_depth, "manifest.json", &mj, err)))
		goto out;
	img = json_array_get(mj, 0);
	config = bh_json_str(img, "Config");
	layers = json_object_get(img, "Layers");
	if (!json_is_array(mj) || !config || !json_is_array(layers)) {
		rc = bh_error_set(err, BH_EINVAL, "%s!/manifest.json: expected [{\"Config\": ..., \"Layers\": [...]}]", label);
		goto out;
	}
	if (json_array_size(mj) > 1)
		bh_sbom_warn(s, "%s holds %zu images; the first is scanned", label, json_array_size(mj));
	for (i = 0; i < json_array_size(json_object_get(img, "RepoTags")); i++) {
		const char *t = json_string_value(json_array_get(json_object_get(img, "RepoTags"), i));
		if (t && bh_strv_push(&s->repo_tags, &s->nrepo_tags, t)) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
	}
	n = json_array_size(layers);
	if (n > o->limits.max_layers) {
		rc = bh_error_set(err, BH_ELIMIT, "%s: %zu layers, more than the max-layers limit (%u)", label, n, o->limits.max_layers);
		goto out;
	}
	refs = calloc(n + 1, sizeof(char *));
	digs = calloc(n + 1, sizeof(char *));
	if (!refs || !digs) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *l = json_string_value(json_array_get(layers, i));
		char d[80];
		if (!l) {
			rc = bh_error_set(err, BH_EINVAL, "%s!/manifest.json: layer %zu is not a string", label, i);
			goto out;
		}
		refs[i] = bh_strdup(l);
		digest_from_name(l, d);
		digs[i] = d[0] ? bh_strdup(d) : NULL;
		if (!refs[i]) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
	}
	digest_from_name(config, cdig);
	rc = bh_image_read_blob(&bs, config, o->verify_digests && cdig[0] ? cdig : NULL, &o->limits, &cfg, err);
	if (rc)
		goto out;
	if (!cdig[0])
		bh_digest_mem(cfg.data, cfg.len, cdig);
	rc = bh_image_scan(&bs, cfg.data, cfg.len, cdig, refs, digs, NULL, n, o, s, err);
	if (!rc && s->nrepo_tags && !s->name)
		s->name = bh_strdup(s->repo_tags[0]);
out:
	for (i = 0; refs && i < n; i++) {
		free(refs[i]);
		free(digs ? digs[i] : NULL);
	}
	free(refs);
	free(digs);
	if (mj)
		json_decref(mj);
	bh_buf_free(&man);
	bh_buf_free(&cfg);
	bh_tarindex_free(&ti);
	return rc;
}
