/* sbom.c - lifetime of a scan result and its finalisation (ordering, OS, purls). */
#include "sbom/sbom.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/map.h"
#include "sbom/purl.h"

void bh_sbom_init(bh_sbom *s) { memset(s, 0, sizeof(*s)); }

void bh_strv_free(char **v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void bh_sbom_free(bh_sbom *s)
{
	size_t i;
	free(s->input); free(s->kind); free(s->name); free(s->image_id); free(s->manifest_digest); free(s->serial);
	free(s->os); free(s->arch); free(s->created);
	bh_strv_free(s->repo_tags, s->nrepo_tags);
	bh_strv_free(s->repo_digests, s->nrepo_digests);
	bh_strv_free(s->warnings, s->nwarnings);
	if (s->config)
		json_decref(s->config);
	for (i = 0; i < s->nlayers; i++) {
		free(s->layers[i].digest); free(s->layers[i].diff_id);
		free(s->layers[i].created_by); free(s->layers[i].media_type);
	}
	free(s->layers);
	free(s->osinfo.family); free(s->osinfo.name); free(s->osinfo.version); free(s->osinfo.codename);
	bh_complist_free(&s->comps);
	bh_sbom_init(s);
}

int bh_strv_push(char ***v, size_t *n, const char *str)
{
	char **nv;
	size_t bytes;
	if (!bh_size_mul(*n + 1, sizeof(char *), &bytes))
		return BH_ENOMEM;
	nv = realloc(*v, bytes);
	if (!nv)
		return BH_ENOMEM;
	*v = nv;
	nv[*n] = bh_strdup(str);
	if (!nv[*n])
		return BH_ENOMEM;
	(*n)++;
	return 0;
}

int bh_sbom_warn(bh_sbom *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bh_log_warn("%s", msg);
	/* Bounded: a hostile image must not grow the warning list without end. */
	if (s->nwarnings >= 1000)
		return 0;
	return bh_strv_push(&s->warnings, &s->nwarnings, msg);
}

int bh_sbom_add_layer(bh_sbom *s, bh_layer **out)
{
	bh_layer *n;
	size_t bytes;
	if (!bh_size_mul(s->nlayers + 1, sizeof(*n), &bytes))
		return BH_ENOMEM;
	n = realloc(s->layers, bytes);
	if (!n)
		return BH_ENOMEM;
	s->layers = n;
	memset(&n[s->nlayers], 0, sizeof(*n));
	*out = &n[s->nlayers++];
	return 0;
}

static int str_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int comp_cmp(const void *pa, const void *pb)
{
	const bh_component *a = *(bh_component *const *)pa, *b = *(bh_component *const *)pb;
	int r;
	if (a->eco != b->eco)
		return (int)a->eco - (int)b->eco;
	if ((r = str_cmp(a->namespace, b->namespace)))
		return r;
	if ((r = str_cmp(a->name, b->name)))
		return r;
	if ((r = str_cmp(a->version, b->version)))
		return r;
	if ((r = str_cmp(a->arch, b->arch)))
		return r;
	return str_cmp(a->path, b->path);
}

/* The OS record found in /etc wins over /usr/lib; debian_version/alpine-release refine VERSION_ID. */
static int take_os(bh_sbom *s)
{
	size_t i;
	const bh_component *best = NULL;
	const char *refined = NULL;
	int best_rank = -1;

	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		int rank;
		if (c->eco != BH_ECO_OS)
			continue;
		if (bh_component_get_prop(c, "os.refine")) {
			refined = c->version;
			continue;
		}
		rank = c->path && strcmp(c->path, "/etc/os-release") == 0 ? 2 : 1;
		if (rank > best_rank) {
			best = c;
			best_rank = rank;
		}
	}
	if (best) {
		const char *cn = bh_component_get_prop(best, "os.codename");
		const char *pn = bh_component_get_prop(best, "os.pretty_name");
		if (bh_component_set(&s->osinfo.family, best->name, (size_t)-1) ||
		    bh_component_set(&s->osinfo.version, best->version, (size_t)-1) ||
		    bh_component_set(&s->osinfo.codename, cn, (size_t)-1) ||
		    bh_component_set(&s->osinfo.name, pn, (size_t)-1))
			return BH_ENOMEM;
	}
	/* A point release from debian_version/alpine-release is more precise than VERSION_ID ("12"). */
	if (refined && s->osinfo.family && s->osinfo.version &&
	    strncmp(refined, s->osinfo.version, strlen(s->osinfo.version)) == 0)
		if (bh_component_set(&s->osinfo.version, refined, (size_t)-1))
			return BH_ENOMEM;
	/* OS records are not components of their own in the outputs. */
	for (i = s->comps.n; i-- > 0;)
		if (s->comps.items[i]->eco == BH_ECO_OS)
			bh_complist_remove(&s->comps, i);
	return 0;
}

/*
 * Licences from /usr/share/doc/PKG/copyright go to the dpkg packages of that name (a package
 * whose doc dir is a symlink to another's shares that one's licence, as dpkg-query shows it).
 */
static int merge_deb_licenses(bh_sbom *s)
{
	bh_map lic;
	size_t i;
	int rc = 0;

	bh_map_init(&lic, NULL);
	for (i = 0; i < s->comps.n && !rc; i++) {
		const bh_component *c = s->comps.items[i];
		if (c->eco == BH_ECO_NONE && c->name && c->license && bh_component_get_prop(c, "deb.copyright"))
			rc = bh_map_put(&lic, c->name, c->license);
	}
	for (i = 0; i < s->comps.n && !rc; i++) {
		bh_component *c = s->comps.items[i];
		const char *l;
		if (c->eco != BH_ECO_DEB || c->license || !c->name)
			continue;
		l = bh_map_get(&lic, c->name);
		if (!l) {
			/* Multi-arch packages ship their doc dir as "name" even when named "name:arch". */
			const char *colon = strchr(c->name, ':');
			if (colon) {
				char base[256];
				snprintf(base, sizeof(base), "%.*s", (int)(colon - c->name), c->name);
				l = bh_map_get(&lic, base);
			}
		}
		if (l)
			rc = bh_component_set(&c->license, l, (size_t)-1);
	}
	bh_map_free(&lic);
	for (i = s->comps.n; i-- > 0;)
		if (s->comps.items[i]->eco == BH_ECO_NONE && bh_component_get_prop(s->comps.items[i], "deb.copyright"))
			bh_complist_remove(&s->comps, i);
	return rc;
}

/* The project directory an npm component belongs to: before "/node_modules/", or the lockfile's dir. */
static bool npm_project(const bh_component *c, bool *installed, char *dir, size_t n)
{
	const char *p = c->path, *nm, *slash;
	static const char *const locks[] = { "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml" };
	size_t i;
	if (c->eco != BH_ECO_NPM || !p || !c->name || !c->version)
		return false;
	if ((nm = strstr(p, "/node_modules/")) != NULL && bh_str_endswith(p, "/package.json")) {
		*installed = true;
		snprintf(dir, n, "%.*s", (int)(nm - p), p);
		return true;
	}
	slash = strrchr(p, '/');
	for (i = 0; slash && i < sizeof(locks) / sizeof(locks[0]); i++) {
		if (!strcmp(slash + 1, locks[i])) {
			*installed = false;
			snprintf(dir, n, "%.*s", (int)(slash - p), p);
			return true;
		}
	}
	return false;
}

/*
 * A project with both a lockfile and node_modules lists each package twice (Syft keeps both, Trivy
 * reads one or the other by mode): the installed package.json is what runs, so a lockfile entry
 * with the same name and version in the same project goes. Lockfile-only entries stay.
 */
static int drop_npm_lock_duplicates(bh_sbom *s)
{
	bh_map inst;
	size_t i;
	char dir[4096], key[4600];
	bool installed;
	int rc = 0;

	bh_map_init(&inst, NULL);
	for (i = 0; i < s->comps.n && !rc; i++) {
		const bh_component *c = s->comps.items[i];
		if (npm_project(c, &installed, dir, sizeof(dir)) && installed) {
			snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", dir, c->name, c->version);
			rc = bh_map_put(&inst, key, (void *)c);
		}
	}
	for (i = s->comps.n; i-- > 0 && !rc && inst.n;) {
		const bh_component *c = s->comps.items[i];
		if (npm_project(c, &installed, dir, sizeof(dir)) && !installed) {
			snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", dir, c->name, c->version);
			if (bh_map_get(&inst, key))
				bh_complist_remove(&s->comps, i);
		}
	}
	bh_map_free(&inst);
	return rc;
}

int bh_sbom_finalize(bh_sbom *s, bh_error *err)
{
	size_t i;
	int rc = take_os(s);
	if (!rc)
		rc = merge_deb_licenses(s);
	if (!rc)
		rc = drop_npm_lock_duplicates(s);
	if (rc)
		return bh_error_set(err, rc, "out of memory");
	if (s->comps.n > 1)
		qsort(s->comps.items, s->comps.n, sizeof(bh_component *), comp_cmp);
	for (i = 0; i < s->comps.n; i++) {
		bh_component *c = s->comps.items[i];
		char *p = NULL;
		if (c->eco == BH_ECO_DEB) {
			/* dpkg-query's ${source:Package}/${source:Version} default to the binary ones. */
			if (!c->src_name && bh_component_set(&c->src_name, c->name, (size_t)-1))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			if (!c->src_version && bh_component_set(&c->src_version, c->version, (size_t)-1))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		rc = bh_purl_build(c, &s->osinfo, &p);
		if (rc)
			return bh_error_set(err, rc, "purl for %s: out of memory", c->name ? c->name : "?");
		free(c->purl);
		c->purl = p;
	}
	return 0;
}
