/* registrysrc.c - the registry: target: an image pulled through registry/ and fed to the layer reader, layers streamed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "image/image.h"
#include "registry/registry.h"

static int stream_read(void *ud, void *buf, size_t n, size_t *got, bh_error *err)
{
	return bh_registry_stream_read(ud, buf, n, got, err);
}

static void stream_close(void *ud)
{
	bh_registry_stream_close(ud);
}

struct regctx {
	bh_registry *r;
	const bh_registry_manifest *m; /* the layers' declared sizes */
};

/*
 * bh_blobsrc.open: a layer blob as a stream, hashed once, by the blob: the registry stream checks
 * the size only. The blob expects exactly ref, whatever the caller asks (a registry blob is
 * addressed by its digest, so it is verified even with --no-verify, as it was before), and never
 * the diff_id as an alternative: image.c still compares an uncompressed layer's digest with the
 * diff_id and hashes a compressed layer's unpacked stream for it. bh_blob_finish drains the
 * stream to its end, so a mismatch fails closed.
 */
static int reg_open(void *ctx, const char *ref, const char *expect, const char *expect2, bh_blob *b,
		    struct archive **outer, bh_error *err)
{
	struct regctx *x = ctx;
	bh_registry_stream *st = NULL;
	uint64_t size = 0;
	size_t i;
	int rc;

	*outer = NULL;
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	for (i = 0; i < x->m->nlayers; i++)
		if (!strcmp(x->m->layers[i].digest, ref))
			size = x->m->layers[i].size;
	(void)expect;
	(void)expect2;
	if ((rc = bh_registry_blob_open_unverified(x->r, ref, size, &st, err)))
		return rc;
	rc = bh_blob_open_fn(b, stream_read, stream_close, st, bh_registry_stream_name(st), ref, NULL, err);
	if (!rc && !b->md) /* ref is not a sha256 digest: nothing would verify it */
		rc = bh_error_set(err, BH_EINVAL, "%s: bad blob digest", bh_registry_stream_name(st));
	if (rc) {
		bh_blob_close(b); /* closes the stream too */
		memset(b, 0, sizeof(*b));
		b->fd = -1;
	}
	return rc;
}

/* HOST/REPO plus ":TAG" or "@DIGEST" into a new string (NULL what: HOST/REPO alone). */
static char *join(const char *host, const char *repo, char sep, const char *what)
{
	size_t n;
	char *s;
	if (!what) {
		sep = '\0';
		what = "";
	}
	n = strlen(host) + strlen(repo) + strlen(what) + 3;
	if ((s = malloc(n)))
		snprintf(s, n, "%s/%s%s%s", host, repo, sep == ':' ? ":" : sep == '@' ? "@" : "", what);
	return s;
}

int bh_source_registry(const char *refstr, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	bh_registry_opts ro = o->registry;
	bh_registry_ref ref;
	bh_registry_manifest m;
	bh_registry *r = NULL;
	bh_buf cfg = BH_BUF_INIT;
	char **refs = NULL, **mts = NULL, *rd = NULL;
	size_t i;
	int rc;

	memset(&m, 0, sizeof(m));
	if ((rc = bh_registry_ref_parse(refstr, &ref, err)))
		return rc;
	ro.max_meta_size = o->limits.max_meta_size;
	ro.max_json_depth = o->limits.max_json_depth;
	ro.max_layers = o->limits.max_layers;
	/* a compressed layer is not larger than what it unpacks to, give or take the format's overhead */
	ro.max_blob_size = o->limits.max_layer_size > UINT64_MAX / 2 ? UINT64_MAX : o->limits.max_layer_size + (64u << 20);
	bh_log_progress("bulkhead: connecting to %s", ref.host);
	if ((rc = bh_registry_open(ref.host, ref.repo, &ro, &r, err)))
		goto out;
	if ((rc = bh_registry_resolve(r, ref.digest ? ref.digest : ref.tag, o->platform, &m, err)))
		goto out;
	bh_log_info("%s/%s: manifest %s%s%s, %zu layers", ref.host, ref.repo, m.digest, m.platform ? " for " : "",
		    m.platform ? m.platform : "", m.nlayers);
	/* the name as written; the digest a pull by digest would use (the index's when there is one) */
	s->name = ref.tag ? join(ref.host, ref.repo, ':', ref.tag) : join(ref.host, ref.repo, '@', ref.digest);
	rd = join(ref.host, ref.repo, '@', m.index_digest ? m.index_digest : m.digest);
	if (!s->name || !rd || bh_strv_push(&s->repo_digests, &s->nrepo_digests, rd) ||
	    (ref.tag && bh_strv_push(&s->repo_tags, &s->nrepo_tags, s->name)) ||
	    bh_component_set(&s->manifest_digest, m.digest, (size_t)-1)) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = bh_registry_blob_get(r, m.config.digest, m.config.size, o->limits.max_meta_size, &cfg, err)))
		goto out;
	refs = calloc(m.nlayers + 1, sizeof(char *));
	mts = calloc(m.nlayers + 1, sizeof(char *));
	if (!refs || !mts) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m.nlayers; i++) {
		refs[i] = m.layers[i].digest;
		mts[i] = m.layers[i].media_type;
	}
	{
		struct regctx x = { r, &m };
		bh_blobsrc bs = { reg_open, &x };
		rc = bh_image_scan(&bs, cfg.data ? cfg.data : "", cfg.len, m.config.digest, refs, refs, mts, m.nlayers, o, s, err);
	}
out:
	free(refs); /* the strings belong to m */
	free(mts);
	free(rd);
	bh_buf_free(&cfg);
	bh_registry_manifest_free(&m);
	bh_registry_close(r);
	bh_registry_ref_free(&ref);
	return rc;
}
