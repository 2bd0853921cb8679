/* sbomread.c - SBOM documents back into components (bulkhead JSON, CycloneDX 1.x JSON and XML, SPDX 2.x). */
#include "sbom/sbomread.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/json.h"
#include "core/jsonscan.h"
#include "sbom/cdxxml.h"
#include "sbom/purl.h"
#include "sbom/spdx3.h"
#include "sbom/spdxtv.h"
#include "sbom/spdxyaml.h"
#include "sbom/sbomsniff.h"

static int slurp(const char *path, uint64_t max, bh_buf *b, bh_error *err)
{
	int fd, rc;
	struct stat st;
	if ((rc = bh_file_open_regular(path, &fd, err)))
		return rc; /* err may be NULL: the code comes from the return value */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return bh_error_set(err, BH_ELIMIT, "%s: not a regular file or larger than %llu bytes", path, (unsigned long long)max);
	}
	for (;;) {
		ssize_t r;
		if (bh_buf_grow(b, 65536)) {
			close(fd);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		r = read(fd, b->data + b->len, 65536);
		if (r <= 0)
			break;
		b->len += (size_t)r;
		if (b->len > max)
			break;
	}
	close(fd);
	if (b->data)
		b->data[b->len] = '\0';
	return 0;
}

bool bh_sbom_is_document(const char *path)
{
	bh_sbomsniff sn;
	bh_error ferr;
	return !bh_sbomsniff_file(path, &sn, &ferr) && bh_sbomsniff_is_sbom(&sn);
}

/* One document being read. */
struct rd {
	bh_sbom *s;
	const char *path;
	const bh_limits *lim;
	bh_error *err;
	bool bulkhead;         /* written by bulkhead: its own fields win over what the purl encodes */
	const char *text;      /* the whole document; `list` is its big array (components or packages) */
	bh_jspan list;
	bool have_list;
	size_t noversion, unknown, nopurl, ncdx, respelled; /* ncdx: CycloneDX component entries seen, for names of unnamed ones */
	bh_buf noversion_names, unknown_names, nopurl_names, respelled_names; /* the first few, for the warnings */
};

/*
 * Calls one(r, element) for each element of the document's big array, each parsed on its own and
 * freed before the next: memory follows the components kept, not the document's size (a 90 MB
 * CycloneDX of a million components took 1.5 GB as one tree).
 */
static int each_element(struct rd *r, int (*one)(struct rd *, json_t *))
{
	size_t pos = 0;
	bh_jspan e;
	int k, rc = 0;
	unsigned depth = r->lim->max_json_depth > 2 ? r->lim->max_json_depth - 2 : 1;
	if (!r->have_list)
		return 0;
	while ((k = bh_jsonscan_next(r->text, &r->list, depth, &pos, &e, r->err)) == 1) {
		json_t *j = NULL;
		if ((rc = bh_json_load(r->text + e.start, e.end - e.start, depth, r->path, &j, r->err)))
			return rc;
		rc = one(r, j);
		json_decref(j);
		/* a refused add reads as out of memory to the code below: the limit is the reason */
		if (r->s->comps.over)
			return bh_error_set(r->err, BH_ELIMIT, "%s: more than %llu components in the document (max-components limit)",
					    r->path, (unsigned long long)r->lim->max_components);
		if (rc)
			return rc;
	}
	return k < 0 ? k : 0;
}

static int set(char **dst, const char *v)
{
	return v ? bh_component_set(dst, v, (size_t)-1) : 0;
}

/* A document string as it may be shown: at most 120 bytes, control characters as '?'. */
static const char *shown(const char *s, char *out, size_t n)
{
	size_t i;
	if (!s)
		return "?";
	for (i = 0; s[i] && i + 1 < n && i < 120; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
}

/* Adds "name" to a warning's list (the first eight), counting all of them. */
static int note(bh_buf *names, size_t *count, const char *name, const char *extra)
{
	char a[128], b[64];
	(*count)++;
	if (*count > 8)
		return 0;
	if (names->len && bh_buf_puts(names, ", "))
		return BH_ENOMEM;
	return bh_buf_printf(names, "%s%s%s%s", shown(name, a, sizeof(a)), extra ? " (" : "", extra ? shown(extra, b, sizeof(b)) : "",
			     extra ? ")" : "");
}

/* "debian-12.5" -> family debian, version 12.5; apk writes only "3.18.4". */
static int os_from_distro(bh_sbom *s, bh_ecosystem eco, const char *distro)
{
	const char *dash;
	if (!distro || s->osinfo.family)
		return 0;
	if (eco == BH_ECO_APK)
		return set(&s->osinfo.family, "alpine") || set(&s->osinfo.version, distro) ? BH_ENOMEM : 0;
	dash = strchr(distro, '-');
	if (!dash)
		return 0;
	if (bh_component_set(&s->osinfo.family, distro, (size_t)(dash - distro)) || set(&s->osinfo.version, dash + 1))
		return BH_ENOMEM;
	return 0;
}

/* Trivy's aquasecurity:trivy:PkgType (fanal analyzer types) -> ecosystem, for components without a purl. */
static bh_ecosystem eco_from_trivy_type(const char *t)
{
	static const struct { const char *t; bh_ecosystem e; } map[] = {
		{ "debian", BH_ECO_DEB }, { "ubuntu", BH_ECO_DEB }, { "alpine", BH_ECO_APK }, { "wolfi", BH_ECO_APK },
		{ "chainguard", BH_ECO_APK }, { "redhat", BH_ECO_RPM }, { "centos", BH_ECO_RPM }, { "rocky", BH_ECO_RPM },
		{ "alma", BH_ECO_RPM }, { "amazon", BH_ECO_RPM }, { "oracle", BH_ECO_RPM }, { "fedora", BH_ECO_RPM },
		{ "photon", BH_ECO_RPM }, { "opensuse.leap", BH_ECO_RPM }, { "opensuse.tumbleweed", BH_ECO_RPM },
		{ "suse linux enterprise server", BH_ECO_RPM }, { "azurelinux", BH_ECO_RPM }, { "cbl-mariner", BH_ECO_RPM },
		{ "npm", BH_ECO_NPM }, { "yarn", BH_ECO_NPM }, { "pnpm", BH_ECO_NPM }, { "node-pkg", BH_ECO_NPM },
		{ "bun", BH_ECO_NPM }, { "pip", BH_ECO_PYPI }, { "pipenv", BH_ECO_PYPI }, { "poetry", BH_ECO_PYPI },
		{ "uv", BH_ECO_PYPI }, { "python-pkg", BH_ECO_PYPI }, { "gobinary", BH_ECO_GO }, { "gomod", BH_ECO_GO },
		{ "jar", BH_ECO_MAVEN }, { "pom", BH_ECO_MAVEN }, { "gradle", BH_ECO_MAVEN }, { "sbt", BH_ECO_MAVEN },
		{ "gemspec", BH_ECO_GEM }, { "bundler", BH_ECO_GEM }, { "cargo", BH_ECO_CARGO }, { "rustbinary", BH_ECO_CARGO },
		{ "composer", BH_ECO_COMPOSER }, { "composer-vendor", BH_ECO_COMPOSER },
	};
	size_t i;
	for (i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].t, t))
			return map[i].e;
	return BH_ECO_NONE;
}

/* bulkhead JSON "ecosystem" (purl type names) -> ecosystem; BH_ECO_NONE when unknown. */
static bh_ecosystem eco_from_name(const char *n)
{
	int e;
	for (e = BH_ECO_DEB; n && e < BH_ECO__COUNT; e++)
		if (!strcmp(bh_ecosystem_name((bh_ecosystem)e), n))
			return (bh_ecosystem)e;
	return BH_ECO_NONE;
}

/*
 * Adds the component a purl names (label names it in messages). A purl whose parts decode to a
 * NUL byte refuses the whole document (BH_EINVAL naming the component): no package has one, and
 * a C string cut at it would name another package. An unknown purl type, or a string that is no
 * purl at all, is kept as an "other" component (never dropped unseen) and warned about later.
 */
static int add_purl(struct rd *r, const char *purl, const char *label, bh_component **out)
{
	bh_component *c = bh_complist_add(&r->s->comps, BH_ECO_NONE);
	char *distro = NULL, a[128], b[128];
	int rc;

	char *canon = NULL;
	unsigned fixed = 0;

	*out = NULL;
	if (!c)
		return BH_ENOMEM;
	/* pkg:alpine/x, pkg:debian/x, pkg:deb/x, pkg:go/...: read as the canonical purl, with a warning */
	rc = bh_purl_normalize(purl, &canon, &fixed);
	if (rc == BH_ENOMEM)
		return rc;
	if (!rc && (fixed & (BH_PURL_FIX_TYPE | BH_PURL_FIX_NAMESPACE))) {
		if (note(&r->respelled_names, &r->respelled, purl, canon)) {
			free(canon);
			return BH_ENOMEM;
		}
		purl = canon;
	}
	rc = bh_purl_parse(purl, c, &distro);
	if (rc == BH_ENOMEM) {
		free(distro);
		free(canon);
		return rc;
	}
	if (rc && strstr(purl, "%00")) {
		free(distro);
		free(canon);
		bh_complist_remove(&r->s->comps, r->s->comps.n - 1);
		bh_error_set(r->err, BH_EINVAL, "%s: component \"%s\": purl \"%s\" decodes to a NUL byte; not read", r->path,
			     shown(label, a, sizeof(a)), shown(purl, b, sizeof(b)));
		return BH_EINVAL; /* literal, not bh_error_set's result: callers rely on nonzero <=> *out unset */
	}
	if (rc) {
		/* not a purl: kept under its own name so it stays visible */
		c->eco = BH_ECO_NONE;
		if (!c->name && set(&c->name, label ? label : purl)) {
			free(distro);
			free(canon);
			return BH_ENOMEM;
		}
	} else if (c->eco != BH_ECO_NONE && (rc = os_from_distro(r->s, c->eco, distro))) {
		free(distro);
		free(canon);
		return rc;
	}
	free(distro);
	*out = c;
	rc = set(&c->purl, purl);
	free(canon);
	return rc;
}

/* Warnings for what a component lacks, once its fields are all read. */
static int check_component(struct rd *r, bh_component *c)
{
	if (c->eco == BH_ECO_NONE) {
		char type[40] = "not a purl";
		if (c->purl && !strncmp(c->purl, "pkg:", 4))
			snprintf(type, sizeof(type), "type %.*s", (int)strcspn(c->purl + 4, "/?#@"), c->purl + 4);
		return note(&r->unknown_names, &r->unknown, c->name, type);
	}
	if (!c->version)
		return note(&r->noversion_names, &r->noversion, c->name, NULL);
	return 0;
}

static int warn_totals(struct rd *r)
{
	if (r->respelled && bh_sbom_warn(r->s, "%s: %zu purl%s not in the canonical spelling, read as the canonical purl: %s%s",
					 r->path, r->respelled, r->respelled == 1 ? "" : "s", r->respelled_names.data,
					 r->respelled > 8 ? ", ..." : ""))
		return BH_ENOMEM;
	if (r->unknown && bh_sbom_warn(r->s, "%s: %zu component%s with a purl bulkhead does not match (unknown type, or no purl), kept but not matched: %s%s",
				       r->path, r->unknown, r->unknown == 1 ? "" : "s", r->unknown_names.data,
				       r->unknown > 8 ? ", ..." : ""))
		return BH_ENOMEM;
	if (r->noversion && bh_sbom_warn(r->s, "%s: %zu component%s without a version (none in the purl), kept but not matched: %s%s",
					 r->path, r->noversion, r->noversion == 1 ? "" : "s", r->noversion_names.data,
					 r->noversion > 8 ? ", ..." : ""))
		return BH_ENOMEM;
	if (r->nopurl && bh_sbom_warn(r->s, "%s: %zu component%s dropped (without a purl or a known package type, so nothing to match): %s%s",
				      r->path, r->nopurl, r->nopurl == 1 ? "" : "s", r->nopurl_names.data, r->nopurl > 8 ? ", ..." : ""))
		return BH_ENOMEM;
	return 0;
}

/*
 * Deb versions: the document's own version field when it is the purl's version with or without
 * an epoch in front (Trivy's CycloneDX "1:2.33.1-0.1" next to a purl "@2.33.1-0.1?epoch=1").
 */
static int deb_version(bh_component *c, const char *field)
{
	size_t fl, vl;
	if (c->eco != BH_ECO_DEB || !field || !c->version || !strcmp(field, c->version))
		return 0;
	fl = strlen(field);
	vl = strlen(c->version);
	if (fl > vl && field[fl - vl - 1] == ':' && !strcmp(field + fl - vl, c->version))
		return set(&c->version, field);
	return 0;
}

/* Layer index of a digest (layer digest or diff_id), -1 when unknown. */
static int layer_of(const bh_sbom *s, const char *digest)
{
	size_t i;
	for (i = 0; digest && i < s->nlayers; i++)
		if ((s->layers[i].diff_id && !strcmp(s->layers[i].diff_id, digest)) ||
		    (s->layers[i].digest && !strcmp(s->layers[i].digest, digest)))
			return (int)i;
	return -1;
}

static int add_layer_diff(bh_sbom *s, const char *diff_id, const bh_limits *lim)
{
	bh_layer *l;
	if (!diff_id || s->nlayers >= lim->max_layers || layer_of(s, diff_id) >= 0)
		return 0;
	if (bh_sbom_add_layer(s, &l))
		return BH_ENOMEM;
	return set(&l->diff_id, diff_id);
}

/* ---- bulkhead JSON ---- */

/* One component of a bulkhead-sbom document. */
static int native_one(struct rd *r, json_t *j)
{
	bh_sbom *s = r->s;
	int rc;
	json_t *lic = json_object_get(j, "licenses"), *props = json_object_get(j, "properties");
	const char *purl = bh_json_str(j, "purl"), *name = bh_json_str(j, "name"), *k;
	bh_ecosystem eco = eco_from_name(bh_json_str(j, "ecosystem"));
	json_t *v, *layer = json_object_get(j, "layer");
	bh_component *c;
	if (purl) {
		if ((rc = add_purl(r, purl, name, &c)))
			return rc;
	} else {
		if (!name)
			return 0;
		if (!(c = bh_complist_add(&s->comps, eco)))
			return BH_ENOMEM;
	}
	/* the fields written by bulkhead win over what the purl encodes */
	if (eco != BH_ECO_NONE)
		c->eco = eco;
	if (set(&c->name, name) || set(&c->namespace, bh_json_str(j, "namespace")) ||
	    set(&c->version, bh_json_str(j, "version")) || set(&c->arch, bh_json_str(j, "arch")) ||
	    set(&c->src_name, bh_json_str(j, "source_name")) || set(&c->src_version, bh_json_str(j, "source_version")) ||
	    set(&c->epoch, bh_json_str(j, "epoch")) || set(&c->path, bh_json_str(j, "path")) ||
	    set(&c->license, json_string_value(json_array_get(lic, 0))))
		return BH_ENOMEM;
	/* an index into the layers above; the report writers index s->layers with it */
	if (json_is_integer(layer) && json_integer_value(layer) >= 0 && (uint64_t)json_integer_value(layer) < s->nlayers)
		c->layer = (int)json_integer_value(layer);
	if (json_is_true(json_object_get(j, "main")))
		c->flags |= BH_COMP_MAIN;
	if (json_is_true(json_object_get(j, "dev")))
		c->flags |= BH_COMP_DEV;
	json_object_foreach(props, k, v)
		if (json_is_string(v) && bh_component_prop(c, k, json_string_value(v)))
			return BH_ENOMEM;
	return check_component(r, c);
}

static int read_native(struct rd *r, json_t *doc)
{
	bh_sbom *s = r->s;
	json_t *os = json_object_get(doc, "os"), *t = json_object_get(doc, "target");
	json_t *layers = json_object_get(doc, "layers");
	size_t i;
	if (set(&s->osinfo.family, bh_json_str(os, "family")) || set(&s->osinfo.version, bh_json_str(os, "version")) ||
	    set(&s->osinfo.codename, bh_json_str(os, "codename")) || set(&s->osinfo.name, bh_json_str(os, "name")) ||
	    set(&s->name, bh_json_str(t, "name")) || set(&s->image_id, bh_json_str(t, "image_id")) ||
	    set(&s->manifest_digest, bh_json_str(t, "manifest_digest")))
		return BH_ENOMEM;
	for (i = 0; i < json_array_size(json_object_get(t, "repo_tags")); i++)
		if (json_string_value(json_array_get(json_object_get(t, "repo_tags"), i)) &&
		    bh_strv_push(&s->repo_tags, &s->nrepo_tags, json_string_value(json_array_get(json_object_get(t, "repo_tags"), i))))
			return BH_ENOMEM;
	for (i = 0; i < json_array_size(json_object_get(t, "repo_digests")); i++)
		if (json_string_value(json_array_get(json_object_get(t, "repo_digests"), i)) &&
		    bh_strv_push(&s->repo_digests, &s->nrepo_digests,
				 json_string_value(json_array_get(json_object_get(t, "repo_digests"), i))))
			return BH_ENOMEM;
	for (i = 0; i < json_array_size(layers) && i < r->lim->max_layers; i++) {
		json_t *l = json_array_get(layers, i);
		bh_layer *nl;
		if (bh_sbom_add_layer(s, &nl) || set(&nl->digest, bh_json_str(l, "digest")) || set(&nl->diff_id, bh_json_str(l, "diff_id")) ||
		    set(&nl->created_by, bh_json_str(l, "created_by")) || set(&nl->media_type, bh_json_str(l, "media_type")))
			return BH_ENOMEM;
		if (json_is_integer(json_object_get(l, "size")) && json_integer_value(json_object_get(l, "size")) > 0)
			nl->size = (uint64_t)json_integer_value(json_object_get(l, "size"));
	}
	return each_element(r, native_one);
}

/* ---- CycloneDX ---- */

static const char *cdx_prop(json_t *comp, const char *a, const char *b)
{
	json_t *props = json_object_get(comp, "properties");
	size_t i;
	for (i = 0; i < json_array_size(props); i++) {
		json_t *p = json_array_get(props, i);
		const char *n = bh_json_str(p, "name");
		if (n && ((a && !strcmp(n, a)) || (b && !strcmp(n, b))))
			return bh_json_str(p, "value");
	}
	return NULL;
}

/* The properties bulkhead writes for fields of its own (the rest are component properties). */
static bool bulkhead_field_prop(const char *n)
{
	static const char *const known[] = { "package:type", "package:path", "package:arch", "package:src_name",
					     "package:src_version", "package:epoch", "package:dev", "layer:digest",
					     "layer:created_by", NULL };
	size_t i;
	for (i = 0; known[i]; i++)
		if (!strcmp(n, known[i]))
			return true;
	return false;
}

/* Trivy's source version: "[epoch:]version[-release]" for deb (dpkg's ${source:Version}),
 * "version-release" for rpm (bulkhead keeps rpm epochs apart), "version[-release]" elsewhere. */
static int trivy_src_version(json_t *j, bh_component *c)
{
	const char *v = cdx_prop(j, "aquasecurity:trivy:SrcVersion", NULL), *rel = cdx_prop(j, "aquasecurity:trivy:SrcRelease", NULL);
	const char *ep = cdx_prop(j, "aquasecurity:trivy:SrcEpoch", NULL);
	bh_buf b = BH_BUF_INIT;
	int rc;
	if (!v || !*v)
		return 0;
	rc = bh_buf_printf(&b, "%s%s%s%s%s", c->eco == BH_ECO_DEB && ep && *ep && strcmp(ep, "0") != 0 ? ep : "",
			   c->eco == BH_ECO_DEB && ep && *ep && strcmp(ep, "0") != 0 ? ":" : "", v, rel && *rel ? "-" : "",
			   rel && *rel ? rel : "");
	if (!rc)
		rc = set(&c->src_version, b.data);
	bh_buf_free(&b);
	return rc;
}

static int cdx_license(json_t *j, bh_component *c)
{
	json_t *lics = json_object_get(j, "licenses");
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc = 0;
	for (i = 0; i < json_array_size(lics) && !rc; i++) {
		json_t *l = json_array_get(lics, i), *lic = json_object_get(l, "license");
		const char *x = bh_json_str(l, "expression");
		if (!x)
			x = bh_json_str(lic, "id") ? bh_json_str(lic, "id") : bh_json_str(lic, "name");
		if (!x || !*x)
			continue;
		rc = bh_buf_printf(&b, "%s%s", b.len ? " AND " : "", x);
	}
	if (!rc && b.len)
		rc = set(&c->license, b.data);
	bh_buf_free(&b);
	return rc;
}

/* The target's own properties (metadata.component): image id, tags, digests, layers. */
static int cdx_target(struct rd *r, json_t *j)
{
	json_t *props = json_object_get(j, "properties");
	size_t i;
	if (!r->s->name && set(&r->s->name, bh_json_str(j, "name")))
		return BH_ENOMEM;
	for (i = 0; i < json_array_size(props); i++) {
		json_t *p = json_array_get(props, i);
		const char *n = bh_json_str(p, "name"), *v = bh_json_str(p, "value");
		if (!n || !v)
			continue;
		if ((!strcmp(n, "bulkhead:image:id") || !strcmp(n, "aquasecurity:trivy:ImageID")) && !r->s->image_id) {
			if (set(&r->s->image_id, v))
				return BH_ENOMEM;
		} else if (!strcmp(n, "bulkhead:image:repo_tag") || !strcmp(n, "aquasecurity:trivy:RepoTag")) {
			if (bh_strv_push(&r->s->repo_tags, &r->s->nrepo_tags, v))
				return BH_ENOMEM;
		} else if (!strcmp(n, "bulkhead:image:repo_digest") || !strcmp(n, "aquasecurity:trivy:RepoDigest")) {
			if (bh_strv_push(&r->s->repo_digests, &r->s->nrepo_digests, v))
				return BH_ENOMEM;
		} else if (!strcmp(n, "bulkhead:image:layer") || !strcmp(n, "aquasecurity:trivy:DiffID")) {
			if (add_layer_diff(r->s, v, r->lim))
				return BH_ENOMEM;
		}
	}
	return 0;
}

/* ref is the bom-ref bulkhead gives a component: its purl, "purl#N" for a second copy. */
static bool own_bomref(const char *ref, const char *purl)
{
	size_t n;
	if (!purl)
		return false;
	n = strlen(purl);
	return !strncmp(ref, purl, n) && (!ref[n] || (ref[n] == '#' && ref[n + 1] && strspn(ref + n + 1, "0123456789") == strlen(ref + n + 1)));
}

/* The fields of a component that has a purl (c made from it). */
static int cdx_fields(struct rd *r, json_t *j, bh_component *c)
{
	json_t *props = json_object_get(j, "properties");
	const char *type = bh_json_str(j, "type"), *ref = bh_json_str(j, "bom-ref"), *path, *ld;
	bool own = cdx_prop(j, "bulkhead:package:type", NULL) != NULL;
	size_t i;
	int rc;

	if (own) {
		if (set(&c->name, bh_json_str(j, "name")) || set(&c->namespace, bh_json_str(j, "group")) ||
		    set(&c->version, bh_json_str(j, "version")))
			return BH_ENOMEM;
		if (type && !strcmp(type, "application"))
			c->flags |= BH_COMP_MAIN;
	} else if ((rc = deb_version(c, bh_json_str(j, "version")))) {
		return rc;
	}
	/* bulkhead's own properties, Trivy's and Syft's carry the distro source package */
	if (set(&c->src_name, cdx_prop(j, "bulkhead:package:src_name", "aquasecurity:trivy:SrcName")) ||
	    (!c->src_name && set(&c->src_name, cdx_prop(j, "syft:metadata:source", NULL))) ||
	    set(&c->arch, cdx_prop(j, "bulkhead:package:arch", NULL)) || set(&c->epoch, cdx_prop(j, "bulkhead:package:epoch", NULL)))
		return BH_ENOMEM;
	if (cdx_prop(j, "bulkhead:package:src_version", NULL)) {
		if (set(&c->src_version, cdx_prop(j, "bulkhead:package:src_version", NULL)))
			return BH_ENOMEM;
	} else if ((rc = trivy_src_version(j, c))) {
		return rc;
	} else if (!c->src_version && set(&c->src_version, cdx_prop(j, "syft:metadata:sourceVersion", NULL))) {
		return BH_ENOMEM;
	}
	if ((path = cdx_prop(j, "bulkhead:package:path", "aquasecurity:trivy:FilePath"))) {
		/* Trivy writes paths relative to the root; bulkhead's are absolute */
		bh_buf b = BH_BUF_INIT;
		rc = bh_buf_printf(&b, "%s%s", path[0] == '/' ? "" : "/", path) || set(&c->path, b.data) ? BH_ENOMEM : 0;
		bh_buf_free(&b);
		if (rc)
			return rc;
	}
	if (cdx_prop(j, "bulkhead:package:dev", NULL))
		c->flags |= BH_COMP_DEV;
	ld = cdx_prop(j, "bulkhead:layer:digest", "aquasecurity:trivy:LayerDiffID");
	if ((c->layer = layer_of(r->s, ld)) >= 0 && !r->s->layers[c->layer].created_by &&
	    set(&r->s->layers[c->layer].created_by, cdx_prop(j, "bulkhead:layer:created_by", NULL)))
		return BH_ENOMEM;
	if ((rc = cdx_license(j, c)))
		return rc;
	for (i = 0; i < json_array_size(props); i++) {
		json_t *p = json_array_get(props, i);
		const char *n = bh_json_str(p, "name"), *v = bh_json_str(p, "value");
		if (n && v && !strncmp(n, "bulkhead:", 9) && !bulkhead_field_prop(n + 9) && bh_component_prop(c, n + 9, v))
			return BH_ENOMEM;
	}
	/* a VEX BOM-Link names components by bom-ref; keep it when it is not the purl */
	if (ref && !own_bomref(ref, c->purl) && !bh_component_get_prop(c, "cdx.bom-ref") &&
	    bh_component_prop(c, "cdx.bom-ref", ref))
		return BH_ENOMEM;
	return check_component(r, c);
}

/* A component without a purl that Trivy typed (local Go modules, ...): the purl is built at the end. */
static int cdx_typed(struct rd *r, json_t *j, bh_ecosystem eco)
{
	bh_component *c = bh_complist_add(&r->s->comps, eco);
	const char *name = bh_json_str(j, "name"), *group = bh_json_str(j, "group");
	int rc;
	if (!c)
		return BH_ENOMEM;
	if (eco == BH_ECO_MAVEN || !group || !*group) {
		rc = set(&c->name, name) || set(&c->namespace, group && *group ? group : NULL);
	} else {
		bh_buf b = BH_BUF_INIT; /* npm "@scope" + "name", composer "vendor" + "name" */
		rc = bh_buf_printf(&b, "%s/%s", group, name) || set(&c->name, b.data);
		bh_buf_free(&b);
	}
	if (rc || set(&c->version, bh_json_str(j, "version")))
		return BH_ENOMEM;
	return cdx_fields(r, j, c);
}

static bool is_image_purl(const char *purl)
{
	return purl && (!strncmp(purl, "pkg:oci/", 8) || !strncmp(purl, "pkg:docker/", 11));
}

/* How a dropped CycloneDX component is named in the warning: its name, else its bom-ref, else its place. */
static const char *cdx_label(struct rd *r, json_t *j, char *buf, size_t n)
{
	const char *name = bh_json_str(j, "name"), *ref = bh_json_str(j, "bom-ref");
	if (name && *name)
		return name;
	if (ref && *ref) {
		snprintf(buf, n, "bom-ref %.100s", ref);
		return buf;
	}
	snprintf(buf, n, "component #%zu", r->ncdx);
	return buf;
}

/*
 * One component and, any depth down, the components nested in it. Depth is bounded by the JSON
 * loader (max-json-depth) before this runs, so the recursion is too.
 */
static int cdx_component(struct rd *r, json_t *j, bool meta)
{
	json_t *sub = json_object_get(j, "components");
	const char *type = bh_json_str(j, "type"), *purl = bh_json_str(j, "purl"), *name = bh_json_str(j, "name");
	bh_component *c;
	char lb[128];
	size_t i;
	int rc = 0;

	r->ncdx++;
	if (!json_is_object(j))
		return note(&r->nopurl_names, &r->nopurl, cdx_label(r, NULL, lb, sizeof(lb)), "not a JSON object");
	if (purl && !*purl)
		purl = NULL;
	if (type && !strcmp(type, "operating-system")) {
		if (!r->s->osinfo.family && (set(&r->s->osinfo.family, name) || set(&r->s->osinfo.version, bh_json_str(j, "version"))))
			return BH_ENOMEM;
	} else if (meta && (!purl || is_image_purl(purl) || (type && !strcmp(type, "container")))) {
		/* the scanned target itself: an image or a directory, not a package */
		rc = cdx_target(r, j);
	} else if (purl) {
		if (!(rc = add_purl(r, purl, name, &c)))
			rc = cdx_fields(r, j, c);
	} else if (cdx_prop(j, "aquasecurity:trivy:Class", NULL)) {
		/* Trivy's grouping of one result (a lock file, the OS packages): its children are the packages */
	} else if (name && eco_from_trivy_type(cdx_prop(j, "aquasecurity:trivy:PkgType", NULL)) != BH_ECO_NONE) {
		rc = cdx_typed(r, j, eco_from_trivy_type(cdx_prop(j, "aquasecurity:trivy:PkgType", NULL)));
	} else {
		/* nothing to match it by; its nested components are still read below */
		char why[64];
		snprintf(why, sizeof(why), "%s%s%s", type ? type : "", type ? ": " : "", name && *name ? "no purl" : "no purl and no name");
		rc = note(&r->nopurl_names, &r->nopurl, cdx_label(r, j, lb, sizeof(lb)), why);
	}
	for (i = 0; i < json_array_size(sub) && !rc; i++)
		rc = cdx_component(r, json_array_get(sub, i), false);
	return rc;
}

static int cdx_top(struct rd *r, json_t *j) { return cdx_component(r, j, false); }

static int read_cdx(struct rd *r, json_t *doc)
{
	json_t *meta = json_object_get(json_object_get(doc, "metadata"), "component");
	size_t i;
	int rc;
	const char *spec = bh_json_str(doc, "specVersion");
	if (set(&r->s->serial, bh_json_str(doc, "serialNumber")))
		return BH_ENOMEM;
	/* 1.0-1.6 share the component fields read here; a newer spec is read the same way, said once */
	if (spec && (strncmp(spec, "1.", 2) != 0 || strspn(spec + 2, "0123456789") != strlen(spec + 2) || !spec[2] || atoi(spec + 2) > 6) &&
	    bh_sbom_warn(r->s, "%s: CycloneDX spec version \"%.20s\" is not one bulkhead knows (1.0-1.6); read as 1.6", r->path, spec))
		return BH_ENOMEM;
	/* the target first: its layer list gives the components their layer index */
	if (json_is_object(meta) && (rc = cdx_component(r, meta, true)))
		return rc;
	if ((rc = each_element(r, cdx_top)))
		return rc;
	/* purls of the components Trivy typed without one, now that the distro is known */
	for (i = 0; i < r->s->comps.n; i++) {
		bh_component *c = r->s->comps.items[i];
		char *p = NULL;
		if (c->purl || c->eco == BH_ECO_NONE)
			continue;
		if ((rc = bh_purl_build(c, &r->s->osinfo, &p)))
			return rc;
		c->purl = p;
	}
	return 0;
}

/* ---- SPDX ---- */

/* "built package from: SRC VERSION" (bulkhead's, after SPDX 2.3 7.19's example) -> source name, version. */
static int spdx_source(const char *si, bh_component *c)
{
	static const char pre[] = "built package from: ";
	const char *sp;
	if (!si || strncmp(si, pre, sizeof(pre) - 1) != 0)
		return 0;
	si += sizeof(pre) - 1;
	sp = strchr(si, ' ');
	if (bh_component_set(&c->src_name, si, sp ? (size_t)(sp - si) : (size_t)-1))
		return BH_ENOMEM;
	return sp && sp[1] ? set(&c->src_version, sp + 1) : 0;
}

/* bulkhead's annotations "bulkhead:KEY=VALUE": component properties and the dev flag. */
static int spdx_annotations(json_t *p, bh_component *c)
{
	json_t *an = json_object_get(p, "annotations");
	size_t i;
	for (i = 0; i < json_array_size(an); i++) {
		const char *cm = bh_json_str(json_array_get(an, i), "comment"), *eq;
		char key[256];
		if (!cm || strncmp(cm, "bulkhead:", 9) != 0 || !(eq = strchr(cm + 9, '=')) || (size_t)(eq - cm - 9) >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - cm - 9), cm + 9);
		if (!strcmp(key, "package:dev"))
			c->flags |= BH_COMP_DEV;
		else if (bh_component_prop(c, key, eq + 1))
			return BH_ENOMEM;
	}
	return 0;
}

/* One package of an SPDX document. */
static int spdx_one(struct rd *r, json_t *p)
{
	size_t k;
	int rc;
	json_t *refs = json_object_get(p, "externalRefs");
	const char *purpose = bh_json_str(p, "primaryPackagePurpose"), *purl = NULL, *name = bh_json_str(p, "name");
	bh_component *c;
	if (purpose && (!strcmp(purpose, "OPERATING-SYSTEM") || !strcmp(purpose, "OPERATING_SYSTEM"))) {
		if (!r->s->osinfo.family && (set(&r->s->osinfo.family, name) || set(&r->s->osinfo.version, bh_json_str(p, "versionInfo"))))
			return BH_ENOMEM;
		return 0;
	}
	for (k = 0; k < json_array_size(refs) && !purl; k++) {
		json_t *x = json_array_get(refs, k);
		const char *t = bh_json_str(x, "referenceType");
		if (t && !strcmp(t, "purl"))
			purl = bh_json_str(x, "referenceLocator");
	}
	if (!purl || (purpose && (!strcmp(purpose, "CONTAINER") || !strcmp(purpose, "SOURCE")) && is_image_purl(purl))) {
		/* the described target, or a grouping without a package identity */
		if (!purl && name && bh_json_str(p, "versionInfo") && !(purpose && !strcmp(purpose, "CONTAINER")) &&
		    strcmp(bh_json_str(p, "SPDXID") ? bh_json_str(p, "SPDXID") : "", "SPDXRef-Target") != 0 &&
		    (rc = note(&r->nopurl_names, &r->nopurl, name, NULL)))
			return rc;
		return 0;
	}
	if ((rc = add_purl(r, purl, name, &c)))
		return rc;
	if (r->bulkhead) {
		if (set(&c->name, name) || set(&c->version, bh_json_str(p, "versionInfo")) || set(&c->path, bh_json_str(p, "comment")))
			return BH_ENOMEM;
		if (purpose && !strcmp(purpose, "APPLICATION"))
			c->flags |= BH_COMP_MAIN;
		if ((rc = spdx_annotations(p, c)))
			return rc;
	} else if ((rc = deb_version(c, bh_json_str(p, "versionInfo")))) {
		return rc;
	}
	if ((rc = spdx_source(bh_json_str(p, "sourceInfo"), c)))
		return rc;
	{
		const char *ld = bh_json_str(p, "licenseDeclared");
		if (ld && strcmp(ld, "NOASSERTION") != 0 && strcmp(ld, "NONE") != 0 && set(&c->license, ld))
			return BH_ENOMEM;
	}
	return check_component(r, c);
}

static int read_spdx(struct rd *r, json_t *doc)
{
	json_t *creators = json_object_get(json_object_get(doc, "creationInfo"), "creators");
	size_t i;
	for (i = 0; i < json_array_size(creators); i++) {
		const char *cr = json_string_value(json_array_get(creators, i));
		if (cr && !strncmp(cr, "Tool: bulkhead-", 15))
			r->bulkhead = true;
	}
	if (set(&r->s->name, bh_json_str(doc, "name")))
		return BH_ENOMEM;
	return each_element(r, spdx_one);
}

/*
 * Parses the document with its big arrays left out (components or packages, and the dependency
 * graphs, which nothing here reads): those are read one element at a time by each_element, so
 * the tree built at once stays small whatever the number of components.
 */
static int load_skeleton(struct rd *r, const char *data, size_t len, json_t **doc)
{
	static const char *const big[] = { "components", "packages", "dependencies", "relationships" };
	bh_jspan span[4];
	bool found[4];
	bh_buf sk = BH_BUF_INIT;
	bh_error scan_err;
	size_t i, at = 0;
	int rc;
	/* one pass over the text finds all four */
	if (bh_jsonscan_members(data, len, big, 4, r->lim->max_json_depth, span, found, &scan_err)) {
		/* not an object, or malformed: the loader says why, naming the file; what only the
		 * scanner refuses (a big array named twice) is refused with its reason */
		if ((rc = bh_json_load(data, len, r->lim->max_json_depth, r->path, doc, r->err)))
			return rc;
		json_decref(*doc);
		*doc = NULL;
		return bh_error_set(r->err, BH_EINVAL, "%s: %s", r->path, scan_err.msg);
	}
	/* the list read element by element: CycloneDX and bulkhead "components", SPDX "packages" */
	if (found[0] && len > span[0].start && data[span[0].start] == '[') {
		r->list = span[0];
		r->have_list = true;
	} else if (found[1] && len > span[1].start && data[span[1].start] == '[') {
		r->list = span[1];
		r->have_list = true;
	}
	/* the skeleton: the document with each big array replaced by [] (spans are disjoint and in
	 * document order once sorted) */
	for (;;) {
		size_t best = 4;
		for (i = 0; i < 4; i++)
			if (found[i] && data[span[i].start] == '[' && span[i].start >= at && (best == 4 || span[i].start < span[best].start))
				best = i;
		if (best == 4)
			break;
		if (bh_buf_append(&sk, data + at, span[best].start - at) || bh_buf_puts(&sk, "[]")) {
			bh_buf_free(&sk);
			return BH_ENOMEM;
		}
		at = span[best].end;
		found[best] = false;
	}
	if (bh_buf_append(&sk, data + at, len - at)) {
		bh_buf_free(&sk);
		return BH_ENOMEM;
	}
	r->text = data;
	rc = bh_json_load(sk.data ? sk.data : "", sk.len, r->lim->max_json_depth, r->path, doc, r->err);
	bh_buf_free(&sk);
	return rc;
}

/* A converted document as JSON text in place of b's content; takes the reference to j. */
static int doc_into(json_t *j, size_t flags, bh_buf *b, bh_error *err)
{
	char *text = json_dumps(j, flags);
	int rc;
	json_decref(j);
	if (!text)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	bh_buf_reset(b);
	rc = bh_buf_puts(b, text) ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
	free(text);
	return rc;
}

/*
 * SPDX tag-value, SPDX 2 YAML and SPDX 3.0 JSON-LD: the converters (spdxtv.c, spdxyaml.c, spdx3.c)
 * turn them into SPDX 2.3 JSON text in *b, which is then read as SPDX JSON. Anything else the
 * sniffer recognised is refused by name.
 */
static int convert_other(const bh_sbomsniff *sn, const char *path, const bh_limits *lim, bh_buf *b, bh_error *err)
{
	char what[128];
	json_t *j = NULL;
	int rc;
	const char *d = b->data ? b->data : "";
	switch (sn->fmt) {
	case BH_SBOMFMT_SPDX_TV:
		rc = bh_spdxtv_to_json(d, b->len, lim, &j, err);
		break;
	case BH_SBOMFMT_SPDX_YAML:
		rc = bh_spdxyaml_to_json(d, b->len, lim, &j, err);
		break;
	case BH_SBOMFMT_SPDX3_JSONLD:
		rc = bh_spdx3_to_json(d, b->len, lim, &j, err);
		break;
	default:
		bh_sbomsniff_describe(sn, what, sizeof(what));
		if (bh_sbomsniff_is_sbom(sn))
			return bh_error_set(err, BH_EUNSUPPORTED,
					    "%s: %s; bulkhead does not read that format (CycloneDX JSON/XML, SPDX 2.x JSON/YAML/tag-value, SPDX 3.0 JSON-LD, bulkhead JSON)",
					    path, what);
		return bh_error_set(err, BH_EINVAL, "%s: %s", path, what);
	}
	if (rc) {
		bh_error_wrap(err, "%s", path); /* the converters name the line or element, not the file */
		return rc;
	}
	return doc_into(j, JSON_COMPACT, b, err);
}

/* CycloneDX XML into CycloneDX JSON text in *b (replacing the XML). */
static int convert_cdx_xml(const char *path, const bh_limits *lim, bh_buf *b, bh_error *err)
{
	json_t *j = NULL;
	int rc = bh_cdxxml_to_json(b->data ? b->data : "", b->len, lim, path, &j, err);
	return rc ? rc : doc_into(j, JSON_COMPACT | JSON_PRESERVE_ORDER, b, err);
}

/* Reads the document in b (taken: freed here) labelled path in messages. */
static int read_buf(const char *path, bh_buf b, const bh_limits *lim, bh_sbom *s, bh_error *err)
{
	json_t *doc = NULL;
	const char *schema, *fmt;
	bh_sbomsniff sn;
	struct rd r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.path = path;
	r.lim = lim;
	r.err = err;
	rc = 0;
	bh_sbomsniff_buf(b.data ? b.data : "", b.len, &sn);
	if (sn.fmt == BH_SBOMFMT_CDX_XML)
		rc = convert_cdx_xml(path, lim, &b, err);
	else if (sn.fmt != BH_SBOMFMT_BULKHEAD && sn.fmt != BH_SBOMFMT_CDX_JSON && sn.fmt != BH_SBOMFMT_SPDX_JSON)
		rc = convert_other(&sn, path, lim, &b, err);
	if (rc)
		goto out;
	if ((rc = load_skeleton(&r, b.data ? b.data : "", b.len, &doc)))
		goto out;
	if (lim->max_components)
		s->comps.limit = (size_t)lim->max_components + s->comps.n;
	schema = bh_json_str(doc, "schema");
	fmt = bh_json_str(doc, "bomFormat");
	if (set(&s->input, path)) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if (schema && !strncmp(schema, "bulkhead-sbom/", 14)) {
		r.bulkhead = true;
		rc = set(&s->kind, "sbom");
		if (!rc)
			rc = read_native(&r, doc);
	} else if (fmt && !strcmp(fmt, "CycloneDX")) {
		rc = set(&s->kind, "sbom-cyclonedx");
		if (!rc)
			rc = read_cdx(&r, doc);
	} else if (bh_json_str(doc, "spdxVersion") || bh_json_str(doc, "SPDXID")) {
		rc = set(&s->kind, "sbom-spdx");
		if (!rc)
			rc = read_spdx(&r, doc);
	} else {
		char what[128];
		bh_sbomsniff_describe(&sn, what, sizeof(what));
		rc = bh_error_set(err, BH_EINVAL, "%s: %s", path, what);
		goto out;
	}
	if (!rc)
		rc = warn_totals(&r);
	if (rc == BH_ENOMEM)
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	else if (rc && (!err || !err->msg[0]))
		rc = bh_error_set(err, rc, "%s: unreadable SBOM", path);
out:
	if (doc)
		json_decref(doc);
	bh_buf_free(&r.noversion_names);
	bh_buf_free(&r.respelled_names);
	bh_buf_free(&r.unknown_names);
	bh_buf_free(&r.nopurl_names);
	bh_buf_free(&b);
	return rc;
}

int bh_sbom_read(const char *path, const bh_limits *lim, bh_sbom *s, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	int rc;
	if (err)
		bh_error_clear(err);
	if ((rc = slurp(path, lim->max_file_read, &b, err))) {
		bh_buf_free(&b);
		return rc;
	}
	return read_buf(path, b, lim, s, err);
}

int bh_sbom_read_mem(const char *data, size_t len, const char *label, const bh_limits *lim, bh_sbom *s, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	if (err)
		bh_error_clear(err);
	if (len > lim->max_file_read)
		return bh_error_set(err, BH_ELIMIT, "%s: larger than %llu bytes", label, (unsigned long long)lim->max_file_read);
	if (bh_buf_append(&b, data, len) || bh_buf_grow(&b, 1)) {
		bh_buf_free(&b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	b.data[b.len] = '\0';
	return read_buf(label, b, lim, s, err);
}
