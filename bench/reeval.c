/* reeval.c - benchmark of continuous re-evaluation: a fleet of stored image SBOMs made from real package lists, a DB update, the changes counted once. */
/*
 * usage: reeval --store URL|DIR --base-db F --new-db F [--images N] [--containers N] [--seed S]
 *               [--check N] SBOM...
 *
 * SBOM...: bulkhead JSON / CycloneDX / SPDX documents of real systems (this machine's root, the test
 * images): the package lists the fleet is built from. Image i takes SBOM i mod n and changes it as
 * fleets differ: its Debian images run release 12, 11 or 10; about a third of its packages carry
 * another version, chosen among the versions the new DB itself names for that package (fixed,
 * introduced and last-affected versions, `versions` lists) so every version is a real one; a
 * few packages are dropped; in half of the images the Python packages that Debian installed are
 * marked as installed by pip (a virtualenv's copy is matched against PyPI advisories).
 *
 * Then, timed: (1) the first evaluation with the base DB, (2) re-evaluation after the update to
 * the new DB (the figure of issue #15: under 10 s), (3) the same again (must change nothing),
 * (4) "which running images are affected by advisory X" for the advisories with the most
 * components, (5) --check N: for N images, the open findings of their components in the store
 * equal a full bh_match of the image's stored SBOM with the new DB (incremental = full).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/limits.h"
#include "core/map.h"
#include "sbom/purl.h"
#include "sbom/sbomread.h"
#include "server/reeval.h"
#include "store/store.h"
#include "vuln/db.h"
#include "vuln/match.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 42;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what, const bh_error *err)
{
	fprintf(stderr, "reeval: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

/* versions the DB names for one package: a growing list of strings */
typedef struct vpool {
	char **v;
	size_t n, cap;
} vpool;

static void vpool_free(void *p)
{
	vpool *vp = p;
	size_t i;
	if (!vp)
		return;
	for (i = 0; i < vp->n; i++)
		free(vp->v[i]);
	free(vp->v);
	free(vp);
}

static void vpool_add(vpool *vp, const char *s)
{
	size_t i;
	if (!s || !*s || !strcmp(s, "0"))
		return;
	for (i = 0; i < vp->n; i++)
		if (!strcmp(vp->v[i], s))
			return;
	if (vp->n == vp->cap) {
		vp->cap = vp->cap ? vp->cap * 2 : 8;
		vp->v = realloc(vp->v, vp->cap * sizeof(*vp->v));
	}
	vp->v[vp->n++] = strdup(s);
}

static int pool_row(void *arg, const bh_vulndb_row *w)
{
	vpool *vp = arg;
	json_t *j;
	size_t i, k;
	vpool_add(vp, w->fixed_version);
	if (w->ranges && (j = json_loads(w->ranges, 0, NULL))) {
		for (i = 0; i < json_array_size(j); i++) {
			json_t *ev = json_object_get(json_array_get(j, i), "events");
			for (k = 0; k < json_array_size(ev); k++) {
				json_t *e = json_array_get(ev, k);
				vpool_add(vp, json_string_value(json_object_get(e, "introduced")));
				vpool_add(vp, json_string_value(json_object_get(e, "fixed")));
				vpool_add(vp, json_string_value(json_object_get(e, "last_affected")));
			}
		}
		json_decref(j);
	}
	if (w->versions && (j = json_loads(w->versions, 0, NULL))) {
		for (i = 0; i < json_array_size(j); i++)
			vpool_add(vp, json_string_value(json_array_get(j, i)));
		json_decref(j);
	}
	return 0;
}

static const char *const deb_releases[] = { "12", "11", "10" };

/* The pool of (eco, release, key) from the new DB, made on first use. */
static vpool *pool_of(bh_map *pools, bh_vulndb *db, const bh_component *c, const char *distro)
{
	char pkg[512], key[800];
	vpool *vp;
	bh_error err;
	bool os = bh_ecosystem_is_os_pkg(c->eco);
	if (!bh_match_key(c, pkg, sizeof(pkg)))
		return NULL;
	snprintf(key, sizeof(key), "%d %s %s", (int)c->eco, os ? distro : "", pkg);
	if ((vp = bh_map_get(pools, key)))
		return vp;
	vp = calloc(1, sizeof(*vp));
	if (bh_vulndb_each_affected(db, bh_ecosystem_name(c->eco), os ? distro : NULL, pkg, pool_row, vp, &err))
		die("version pool", &err);
	bh_map_put(pools, key, vp);
	return vp;
}

/* A copy of base changed as image i of the fleet. */
static void make_image(bh_sbom *out, const bh_sbom *base, size_t i, bh_map *pools, bh_vulndb *db)
{
	size_t k;
	bool venv = (i / 2) % 2 == 0;
	const char *rel = NULL;
	char distro[32] = "";
	bh_sbom_init(out);
	if (base->osinfo.family) {
		out->osinfo.family = strdup(base->osinfo.family);
		if (!strcmp(base->osinfo.family, "debian")) {
			rel = deb_releases[i % 3];
			out->osinfo.version = strdup(rel);
		} else if (base->osinfo.version) {
			out->osinfo.version = strdup(base->osinfo.version);
		}
		{
			char *d = bh_match_distro(&out->osinfo);
			if (d)
				snprintf(distro, sizeof(distro), "%s", d);
			free(d);
		}
	}
	for (k = 0; k < base->comps.n; k++) {
		const bh_component *c = base->comps.items[k];
		bh_component *x;
		vpool *vp;
		char *purl = NULL;
		uint64_t r = rnd() % 100;
		if (!c->purl || !c->name || c->eco == BH_ECO_OS)
			continue;
		if (r < 4)
			continue; /* not in this image */
		x = bh_complist_add_copy(&out->comps, c);
		if (venv && x->eco == BH_ECO_PYPI && bh_component_get_prop(x, "os.owner")) {
			/* a virtualenv's own copy: drop the os.owner property */
			size_t p, q;
			for (p = q = 0; p < x->nprops; p++) {
				if (!strcmp(x->props[p].key, "os.owner")) {
					free(x->props[p].key);
					free(x->props[p].value);
				} else {
					x->props[q++] = x->props[p];
				}
			}
			x->nprops = q;
		}
		if (r < 38 && (vp = pool_of(pools, db, x, distro)) && vp->n) {
			const char *v = vp->v[rnd() % vp->n];
			char buf[256];
			if (x->eco == BH_ECO_GO && strcmp(x->name, "stdlib") != 0 && v[0] != 'v')
				snprintf(buf, sizeof(buf), "v%s", v);
			else if (x->eco == BH_ECO_GO && !strcmp(x->name, "stdlib"))
				snprintf(buf, sizeof(buf), "go%s", v[0] == 'v' ? v + 1 : v);
			else
				snprintf(buf, sizeof(buf), "%s", v);
			bh_component_set(&x->version, buf, (size_t)-1);
			if (x->src_version)
				bh_component_set(&x->src_version, buf, (size_t)-1);
		}
		if (bh_purl_build(x, &out->osinfo, &purl) == 0 && purl) {
			free(x->purl);
			x->purl = purl;
		}
	}
}

static void digest_of(size_t i, char out[72])
{
	unsigned char md[32];
	char in[64];
	unsigned int n = 0, k;
	snprintf(in, sizeof(in), "bench-image-%zu", i);
	EVP_Digest(in, strlen(in), md, &n, EVP_sha256(), NULL);
	memcpy(out, "sha256:", 8);
	for (k = 0; k < 32; k++)
		snprintf(out + 7 + 2 * k, 3, "%02x", md[k]);
}

static void print_stats(const char *label, const bh_reeval_stats *s, double wall)
{
	printf("%-22s %7.2f s  components %zu, keys %zu, moved %zu, matched %zu, findings %zu;"
	       " new %zu, reopened %zu, changed %zu, resolved %zu  (read %.2f, fingerprint %.2f, match %.2f, write %.2f)\n",
	       label, wall, s->components, s->keys, s->keys_changed, s->matched, s->found, s->new_, s->reopened, s->changed,
	       s->resolved, s->t_read, s->t_fingerprint, s->t_match, s->t_write);
}

static int count_cb(void *ud, const bh_store_event *e)
{
	size_t *n = ud;
	(void)e;
	n[0]++;
	return 0;
}

static size_t count_events(bh_store *st, const char *type)
{
	size_t n = 0;
	int64_t after = 0, next = 0;
	bh_error err;
	do {
		if (bh_store_event_list(st, type, after, 1000, count_cb, &n, &next, &err))
			die("events", &err);
		after = next;
	} while (next);
	return n;
}

struct top {
	char adv[10][128];
	int64_t n[10];
};

static int affected_cb(void *ud, const bh_store_affected *a)
{
	size_t *n = ud;
	(void)a;
	(*n)++;
	return 0;
}

/* incremental = full: the open findings of one image's components against bh_match of its stored SBOM */
struct cmp {
	bh_sbom *s;
	bh_map *set;
	bool store_side;
	size_t n;
};

static int comp_cb(void *ud, const bh_store_component *c)
{
	struct cmp *k = ud;
	bh_component *x = bh_complist_add(&k->s->comps, bh_ecosystem_parse(c->eco));
	bh_component_set(&x->name, c->name, (size_t)-1);
	bh_component_set(&x->namespace, c->namespace_, (size_t)-1);
	bh_component_set(&x->version, c->version, (size_t)-1);
	bh_component_set(&x->src_name, c->src_name, (size_t)-1);
	bh_component_set(&x->src_version, c->src_version, (size_t)-1);
	bh_component_set(&x->purl, c->purl, (size_t)-1);
	return 0;
}

static int finding_cb(void *ud, const bh_store_finding *f)
{
	struct cmp *k = ud;
	char key[800];
	snprintf(key, sizeof(key), "%s %s", f->purl, f->advisory);
	bh_map_put(k->set, key, (void *)1);
	k->n++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *store = NULL, *base_db = NULL, *new_db = NULL;
	size_t nimages = 10000, ncont = 1000, ncheck = 20, nb = 0, i;
	bh_sbom *bases = NULL;
	bh_store *st;
	bh_vulndb *db1, *db2;
	bh_error err;
	bh_limits lim;
	bh_map pools;
	bh_reeval_stats s1, s2, s3;
	double t, t_load;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--store") && a + 1 < argc)
			store = argv[++a];
		else if (!strcmp(argv[a], "--base-db") && a + 1 < argc)
			base_db = argv[++a];
		else if (!strcmp(argv[a], "--new-db") && a + 1 < argc)
			new_db = argv[++a];
		else if (!strcmp(argv[a], "--images") && a + 1 < argc)
			nimages = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--containers") && a + 1 < argc)
			ncont = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--check") && a + 1 < argc)
			ncheck = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			rng = strtoull(argv[++a], NULL, 10) | 1;
		else if (argv[a][0] == '-') {
			fprintf(stderr, "reeval: unknown option %s\n", argv[a]);
			return 2;
		} else {
			bh_sbom *nbases = realloc(bases, (nb + 1) * sizeof(*bases));
			if (!nbases)
				die("out of memory", NULL);
			bases = nbases;
			bh_sbom_init(&bases[nb]);
			bh_limits_default(&lim);
			if (bh_sbom_read(argv[a], &lim, &bases[nb], &err))
				die(argv[a], &err);
			nb++;
		}
	}
	if (!store || !base_db || !new_db || !nb) {
		fprintf(stderr, "usage: reeval --store URL|DIR --base-db F --new-db F [--images N] [--containers N] [--check N] SBOM...\n");
		return 2;
	}
	if ((strncmp(store, "postgres", 8) != 0 && !strchr(store, '=') ? bh_store_open_dir(store, &st, &err)
								   : bh_store_open(store, &st, &err)))
		die("store", &err);
	if (bh_vulndb_open(base_db, &db1, &err) || bh_vulndb_open(new_db, &db2, &err))
		die("db", &err);

	/* the fleet */
	bh_map_init(&pools, vpool_free);
	t = now_s();
	{
		size_t links = 0;
		for (i = 0; i < nimages; i++) {
			bh_sbom s;
			char d[72];
			if (i % 50 == 0 && bh_sql_begin(bh_store_sql(st), &err))
				die("begin", &err);
			make_image(&s, &bases[i % nb], i, &pools, db2);
			digest_of(i, d);
			links += s.comps.n;
			if (bh_store_image_put_sbom(st, d, &s, NULL, 0, 1000, NULL, NULL, &err))
				die("image", &err);
			bh_sbom_free(&s);
			if ((i % 50 == 49 || i + 1 == nimages) && bh_sql_commit(bh_store_sql(st), &err))
				die("commit", &err);
		}
		for (i = 0; i < ncont; i++) {
			bh_store_container c;
			char d[72], id[32], host[32];
			memset(&c, 0, sizeof(c));
			digest_of((i * 7919) % nimages, d);
			snprintf(id, sizeof(id), "c%06zu", i);
			snprintf(host, sizeof(host), "host-%02zu", i % 50);
			c.host = host;
			c.container_id = id;
			c.image_digest = d;
			c.state = "running";
			c.started_at = 1000;
			if (bh_store_container_put(st, &c, 1000, &err))
				die("container", &err);
		}
		/* the statistics a running store has (autovacuum analyses after bulk changes) */
		if (bh_sql_exec(bh_store_sql(st), "ANALYZE", NULL, 0, &err))
			die("analyze", &err);
		t_load = now_s() - t;
		printf("fleet: %zu images from %zu package lists, %zu component links, %zu running containers, stored in %.1f s\n",
		       nimages, nb, links, ncont, t_load);
	}

	t = now_s();
	if (bh_reeval_run(st, db1, 0, 2000, &s1, &err))
		die("first evaluation", &err);
	print_stats("first evaluation", &s1, now_s() - t);
	t = now_s();
	if (bh_reeval_run(st, db2, 0, 3000, &s2, &err))
		die("update", &err);
	{
		double w = now_s() - t;
		print_stats("after the DB update", &s2, w);
		printf("RESULT reeval_update_seconds %.2f\n", w);
	}
	t = now_s();
	if (bh_reeval_run(st, db2, 0, 4000, &s3, &err))
		die("again", &err);
	print_stats("same DB again", &s3, now_s() - t);
	{
		size_t nn = count_events(st, "finding.new"), nc = count_events(st, "finding.changed"),
		       nr = count_events(st, "finding.resolved");
		size_t want = s1.new_ + s1.reopened + s1.changed + s1.resolved + s2.new_ + s2.reopened + s2.changed + s2.resolved;
		printf("events: finding.new %zu, finding.changed %zu, finding.resolved %zu; changes written %zu; again: %zu\n", nn, nc,
		       nr, want, s3.new_ + s3.reopened + s3.changed + s3.resolved);
		printf("RESULT exactly_once %s\n",
		       nn + nc + nr == want && s3.new_ + s3.reopened + s3.changed + s3.resolved == 0 ? "yes" : "NO");
	}

	/* "which running images are affected by advisory X" for the advisories with the most components */
	{
		bh_sql_rows *r;
		double worst = 0, sum = 0, cold = 0;
		size_t nq = 0;
		if (bh_sql_query(bh_store_sql(st),
				 "SELECT advisory, count(*) AS n FROM findings WHERE state = 'open' GROUP BY advisory ORDER BY n DESC, advisory LIMIT 20",
				 NULL, 0, &r, &err))
			die("top advisories", &err);
		while (bh_sql_next(r, &err) == 1) {
			const char *adv = bh_sql_text(r, 0);
			size_t rows = 0, rows_all = 0;
			double q0 = now_s(), dq;
			size_t rows_cold = 0;
			/* the first call reads the pages from disk into the cache (reported apart); the figure
			 * is a second call, as a server answering such questions all day runs them */
			if (bh_store_affected_by(st, adv, true, affected_cb, &rows_cold, &err))
				die("affected", &err);
			dq = now_s() - q0;
			cold = dq > cold ? dq : cold;
			q0 = now_s();
			if (bh_store_affected_by(st, adv, true, affected_cb, &rows, &err))
				die("affected", &err);
			dq = now_s() - q0;
			if (bh_store_affected_by(st, adv, false, affected_cb, &rows_all, &err))
				die("affected", &err);
			if (nq < 3)
				printf("affected by %s: %zu rows running (%.1f ms), %zu rows any image\n", adv, rows, dq * 1000, rows_all);
			sum += dq;
			worst = dq > worst ? dq : worst;
			nq++;
		}
		bh_sql_rows_free(r);
		printf("RESULT affected_running_ms_max %.1f (mean %.1f over %zu advisories; first calls, cold cache: max %.1f)\n",
		       worst * 1000, nq ? sum * 1000 / (double)nq : 0, nq, cold * 1000);
	}

	/* incremental = full */
	{
		size_t bad = 0, total = 0;
		bh_match_opts mo;
		memset(&mo, 0, sizeof(mo));
		for (i = 0; i < ncheck && i < nimages; i++) {
			size_t idx = (i * 104729) % nimages, k;
			char d[72];
			bh_sbom s;
			bh_findings fs;
			bh_map want, got;
			struct cmp kc;
			bh_store_filter f;
			int64_t next = 0, after = 0;
			bh_sbom ref;
			digest_of(idx, d);
			bh_sbom_init(&s);
			make_image(&ref, &bases[idx % nb], idx, &pools, db2); /* only its osinfo is used */
			s.osinfo.family = ref.osinfo.family ? strdup(ref.osinfo.family) : NULL;
			s.osinfo.version = ref.osinfo.version ? strdup(ref.osinfo.version) : NULL;
			bh_sbom_free(&ref);
			kc.s = &s;
			do {
				if (bh_store_image_components(st, d, after, 1000, comp_cb, &kc, &next, &err))
					die("components", &err);
				after = next;
			} while (next);
			/* the store keeps no properties: mark the os-owned ones as the store knows them */
			memset(&fs, 0, sizeof(fs));
			bh_map_init(&want, NULL);
			bh_map_init(&got, NULL);
			{
				bh_sql_rows *r;
				bh_sql_value p = BH_SQL_TEXT(d);
				if (bh_sql_query(bh_store_sql(st),
						 "SELECT c.purl FROM components c JOIN image_components l ON l.component_id = c.id"
						 " JOIN images i ON i.id = l.image_id WHERE i.digest = $1 AND c.os_owned = 1",
						 &p, 1, &r, &err))
					die("owned", &err);
				while (bh_sql_next(r, &err) == 1)
					for (k = 0; k < s.comps.n; k++)
						if (!strcmp(s.comps.items[k]->purl, bh_sql_text(r, 0)))
							bh_component_prop(s.comps.items[k], "os.owner", "dpkg");
				bh_sql_rows_free(r);
			}
			if (bh_match(db2, &s, &mo, &fs, &err))
				die("match", &err);
			for (k = 0; k < fs.n; k++) {
				char key[800];
				if (fs.items[k].kind)
					continue;
				snprintf(key, sizeof(key), "%s %s", s.comps.items[fs.items[k].comp]->purl, fs.items[k].id);
				bh_map_put(&want, key, (void *)1);
			}
			memset(&f, 0, sizeof(f));
			f.image_digest = d;
			kc.set = &got;
			kc.n = 0;
			after = 0;
			do {
				if (bh_store_finding_list(st, &f, after, 1000, finding_cb, &kc, &next, &err))
					die("findings", &err);
				after = next;
			} while (next);
			{
				size_t it = 0;
				const char *key;
				void *v;
				while (bh_map_next(&want, &it, &key, &v))
					if (!bh_map_get(&got, key)) {
						if (bad < 5)
							printf("MISSING in store: %s (image %s)\n", key, d);
						bad++;
					}
				it = 0;
				while (bh_map_next(&got, &it, &key, &v))
					if (!bh_map_get(&want, key)) {
						if (bad < 5)
							printf("EXTRA in store: %s (image %s)\n", key, d);
						bad++;
					}
			}
			total += want.n;
			bh_map_free(&want);
			bh_map_free(&got);
			bh_findings_free(&fs);
			bh_sbom_free(&s);
		}
		printf("RESULT incremental_equals_full %s (%zu images, %zu findings compared, %zu differences)\n",
		       bad ? "NO" : "yes", ncheck < nimages ? ncheck : nimages, total, bad);
	}
	bh_map_free(&pools);
	bh_vulndb_close(db1);
	bh_vulndb_close(db2);
	bh_store_close(st);
	for (i = 0; i < nb; i++)
		bh_sbom_free(&bases[i]);
	free(bases);
	return 0;
}
