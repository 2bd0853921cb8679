/* containers.c - cgroup id -> container: the engines' cgroup dirs give the id, the engine's inspect the rest; cached for the sensor's hot path. */
#include "runtime/containers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/limits.h"
#include "engine/engine.h"

#define MAX_HOST_IDS 4096
#define MAX_ADDRS 8

struct entry {
	bh_rt_container ct;
	char *id, *name, *image, *digest, *labels, *upper, *health, *addrtext;
	struct { int family; uint8_t a[16]; } addr[MAX_ADDRS];
	size_t naddr;
};

struct bh_containers {
	char *engine_host;
	char root[256];
	struct entry **ents;
	size_t n, cap;
	uint64_t *host; /* cgroup ids known not to be a container's */
	size_t nhost;
	time_t last_full_scan; /* bh_containers_by_addr's scan of every cgroup dir, at most once a second */
	char last_error[256];
	/* the container cgroup ids bh_containers_refresh saw (sorted), for bh_containers_live */
	uint64_t *live;
	size_t nlive, caplive;
	bool live_known;  /* false until a refresh has read at least one parent dir */
};

/* Where engines put their containers' cgroups, below the cgroup root (v2 or the hybrid's unified). */
static const char *const parent_dirs[] = {
	"unified/libpod_parent", "libpod_parent", "machine.slice", "unified/machine.slice",
	"system.slice", "docker", "unified/docker",
};

int bh_containers_new(const char *engine_host, const char *cgroup_root, bh_containers **out, bh_error *err)
{
	bh_containers *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	snprintf(c->root, sizeof(c->root), "%s", cgroup_root ? cgroup_root : "/sys/fs/cgroup");
	if (engine_host && !(c->engine_host = strdup(engine_host))) {
		free(c);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->id); free(e->name); free(e->image); free(e->digest); free(e->labels); free(e->upper);
	free(e->health); free(e->addrtext);
	free(e);
}

void bh_containers_free(bh_containers *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(c->ents[i]);
	free(c->ents);
	free(c->host);
	free(c->live);
	free(c->engine_host);
	free(c);
}

/* The 64-hex container id in a cgroup dir name (libpod-ID, libpod-ID.scope, docker-ID.scope, ID). */
static bool id_of_dirname(const char *name, char id[65])
{
	const char *p = name;
	size_t i;

	if (!strncmp(p, "libpod-", 7) || !strncmp(p, "docker-", 7))
		p += 7;
	for (i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	if (p[64] && strcmp(p + 64, ".scope") != 0)
		return false;
	memcpy(id, p, 64);
	id[64] = 0;
	return true;
}

/* Scans the parent dirs for a container cgroup dir: by inode (cgid != 0) or by id prefix. */
static bool scan_dirs(const bh_containers *c, uint64_t cgid, const char *prefix, char id[65], uint64_t *found)
{
	for (size_t d = 0; d < sizeof(parent_dirs) / sizeof(parent_dirs[0]); d++) {
		char dir[512], path[1024];
		struct dirent *de;
		DIR *dp;

		snprintf(dir, sizeof(dir), "%s/%s", c->root, parent_dirs[d]);
		if (!(dp = opendir(dir)))
			continue;
		while ((de = readdir(dp))) {
			struct stat st;
			char cand[65];
			if (!id_of_dirname(de->d_name, cand))
				continue;
			if (prefix && strncmp(cand, prefix, strlen(prefix)) != 0)
				continue;
			if (cgid && de->d_ino != cgid)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (stat(path, &st) || (cgid && st.st_ino != cgid))
				continue;
			memcpy(id, cand, 65);
			*found = st.st_ino;
			closedir(dp);
			return true;
		}
		closedir(dp);
	}
	return false;
}

static char *jdup(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);
	if (path2)
		v = json_object_get(v, path2);
	return strdup(json_is_string(v) ? json_string_value(v) : "");
}

/*
 * The command line the engine runs for the health check, as the sensor shows an exec's args
 * (argv joined by spaces): ["CMD-SHELL", "x"] runs "/bin/sh -c x", ["CMD", "a", "b"] runs "a b".
 * NULL when there is none (or "NONE").
 */
static char *health_args(json_t *test)
{
	const char *kind = json_string_value(json_array_get(test, 0));
	bh_buf b = BH_BUF_INIT;
	size_t i;

	if (!kind || json_array_size(test) < 2)
		return NULL;
	if (!strcmp(kind, "CMD-SHELL")) {
		bh_buf_puts(&b, "/bin/sh -c ");
		bh_buf_puts(&b, json_string_value(json_array_get(test, 1)) ? json_string_value(json_array_get(test, 1)) : "");
	} else if (!strcmp(kind, "CMD")) {
		for (i = 1; i < json_array_size(test); i++) {
			const char *a = json_string_value(json_array_get(test, i));
			if (i > 1)
				bh_buf_putc(&b, ' ');
			bh_buf_puts(&b, a ? a : "");
		}
	} else {
		return NULL;
	}
	return bh_buf_steal(&b);
}

static void add_addr(struct entry *e, const char *text, bh_buf *all)
{
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (!text[0] || e->naddr == MAX_ADDRS)
		return;
	memset(e->addr[e->naddr].a, 0, 16);
	if (inet_pton(fam, text, e->addr[e->naddr].a) != 1)
		return;
	for (size_t i = 0; i < e->naddr; i++)
		if (e->addr[i].family == fam && !memcmp(e->addr[i].a, e->addr[e->naddr].a, 16))
			return;
	e->addr[e->naddr++].family = fam;
	if (all->len)
		bh_buf_putc(all, ' ');
	bh_buf_puts(all, text);
}

/* The container's addresses on its networks (NetworkSettings and each of its Networks). */
static void fill_addrs(struct entry *e, json_t *ns)
{
	static const char *const keys[] = { "IPAddress", "GlobalIPv6Address" };
	bh_buf all = BH_BUF_INIT;
	json_t *nets = json_object_get(ns, "Networks"), *n;
	const char *name;

	e->naddr = 0;
	for (size_t k = 0; k < 2; k++) {
		const char *a = json_string_value(json_object_get(ns, keys[k]));
		if (a)
			add_addr(e, a, &all);
	}
	json_object_foreach(nets, name, n) {
		for (size_t k = 0; k < 2; k++) {
			const char *a = json_string_value(json_object_get(n, keys[k]));
			if (a)
				add_addr(e, a, &all);
		}
	}
	free(e->addrtext);
	e->addrtext = all.len ? bh_buf_steal(&all) : NULL;
	bh_buf_free(&all);
}

/* Fills e from the engine's inspect document (name, image, digest, labels, privileged, upper dir). */
static void fill_from_inspect(struct entry *e, json_t *doc)
{
	json_t *cfg = json_object_get(doc, "Config"), *labels = json_object_get(cfg, "Labels");
	json_t *gd = json_object_get(json_object_get(doc, "GraphDriver"), "Data");
	const char *name = json_string_value(json_object_get(doc, "Name"));
	const char *img = json_string_value(json_object_get(doc, "Image"));

	free(e->name);
	e->name = strdup(name ? name + (name[0] == '/') : "");
	free(e->image);
	e->image = jdup(cfg, "Image", NULL);
	if (e->image && !e->image[0]) {
		free(e->image);
		e->image = jdup(doc, "ImageName", NULL);
	}
	free(e->digest);
	/* the image id is its config digest; podman's compat API gives it without the algorithm */
	if (img && strncmp(img, "sha256:", 7) != 0 && strlen(img) == 64) {
		e->digest = malloc(7 + 64 + 1);
		if (e->digest)
			snprintf(e->digest, 72, "sha256:%s", img);
	} else {
		e->digest = strdup(img ? img : "");
	}
	free(e->labels);
	e->labels = json_is_object(labels) && json_object_size(labels) ? json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	free(e->upper);
	e->upper = jdup(gd, "UpperDir", NULL);
	e->ct.privileged = json_is_true(json_object_get(json_object_get(doc, "HostConfig"), "Privileged"));
	free(e->health);
	e->health = health_args(json_object_get(json_object_get(cfg, "Healthcheck"), "Test"));
	fill_addrs(e, json_object_get(doc, "NetworkSettings"));
}

static struct entry *add_entry(bh_containers *c, const char *id, uint64_t cgid)
{
	struct entry *e = calloc(1, sizeof(*e));
	bh_limits lim;
	json_t *doc = NULL;
	bh_error err;

	if (!e)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct entry **n = realloc(c->ents, cap * sizeof(struct entry *));
		if (!n) {
			free(e);
			return NULL;
		}
		c->ents = n;
		c->cap = cap;
	}
	e->id = strdup(id);
	bh_limits_default(&lim);
	if (bh_engine_container_inspect(c->engine_host, id, &lim, &doc, &err) == 0) {
		fill_from_inspect(e, doc);
		json_decref(doc);
	} else {
		snprintf(c->last_error, sizeof(c->last_error), "%.200s", err.msg);
	}
	if (!e->id || (!e->name && !(e->name = strdup(""))) || (!e->image && !(e->image = strdup(""))) ||
	    (!e->digest && !(e->digest = strdup("")))) {
		entry_free(e);
		return NULL;
	}
	e->ct = (bh_rt_container){ e->id, e->name, e->image, e->digest, e->labels, e->ct.privileged, cgid, e->health, e->addrtext };
	c->ents[c->n++] = e;
	return e;
}

const bh_rt_container *bh_containers_lookup(bh_containers *c, uint64_t cgid)
{
	char id[65];
	uint64_t found = 0;
	struct entry *e;

	for (size_t i = 0; i < c->n; i++)
		if (c->ents[i]->ct.cgroup_id == cgid)
			return &c->ents[i]->ct;
	for (size_t i = 0; i < c->nhost; i++)
		if (c->host[i] == cgid)
			return NULL;
	if (cgid && scan_dirs(c, cgid, NULL, id, &found) && (e = add_entry(c, id, cgid)))
		return &e->ct;
	/* cgroup ids are not reused, so a miss stays a miss; the list is bounded all the same */
	if (!c->host && !(c->host = calloc(MAX_HOST_IDS, sizeof(*c->host))))
		return NULL;
	if (c->nhost == MAX_HOST_IDS)
		c->nhost = 0;
	c->host[c->nhost++] = cgid;
	return NULL;
}

int bh_containers_find(bh_containers *c, const char *name_or_id, const bh_rt_container **out, bh_error *err)
{
	char id[65];
	uint64_t cgid = 0;
	bh_limits lim;
	json_t *doc = NULL;
	bh_error e2;

	*out = NULL;
	bh_limits_default(&lim);
	if (bh_engine_container_inspect(c->engine_host, name_or_id, &lim, &doc, &e2) == 0) {
		const char *full = json_string_value(json_object_get(doc, "Id"));
		snprintf(id, sizeof(id), "%s", full ? full : "");
		json_decref(doc);
		if (!id[0] || !scan_dirs(c, 0, id, id, &cgid))
			return bh_error_set(err, BH_ENOTFOUND, "container %s: no cgroup dir for it under %s (is it running?)", name_or_id, c->root);
	} else if (strlen(name_or_id) >= 4 && scan_dirs(c, 0, name_or_id, id, &cgid)) {
		/* the engine is not there, but an id prefix names a cgroup dir */
	} else {
		return bh_error_set(err, e2.code == BH_ENOTFOUND ? BH_ENOTFOUND : e2.code, "container %s: %s", name_or_id, e2.msg);
	}
	*out = bh_containers_lookup(c, cgid);
	if (!*out)
		return bh_error_set(err, BH_ENOTFOUND, "container %s: not found", name_or_id);
	return 0;
}

bool bh_containers_exe_upper(bh_containers *c, const bh_rt_container *ct, const char *path, const char *cwd)
{
	const struct entry *e = NULL;
	char full[4096];
	struct stat st;
	int n;

	if (!ct || !path || !path[0])
		return false;
	for (size_t i = 0; i < c->n && !e; i++)
		if (&c->ents[i]->ct == ct)
			e = c->ents[i];
	if (!e || !e->upper || !e->upper[0])
		return false;
	if (path[0] == '/')
		n = snprintf(full, sizeof(full), "%s%s", e->upper, path);
	else
		n = snprintf(full, sizeof(full), "%s%s/%s", e->upper, cwd && cwd[0] == '/' ? cwd : "/", path);
	if (n < 0 || (size_t)n >= sizeof(full) || strstr(path, "/../") || !strncmp(path, "../", 3))
		return false; /* the path must not walk out of the upper dir */
	return lstat(full, &st) == 0 && S_ISREG(st.st_mode);
}

size_t bh_containers_parents(const bh_containers *c, uint64_t *ids, size_t max)
{
	size_t n = 0;
	for (size_t d = 0; d < sizeof(parent_dirs) / sizeof(parent_dirs[0]) && n < max; d++) {
		char dir[512];
		struct stat st;
		if (!strcmp(parent_dirs[d], "system.slice")) /* host services live there too */
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", c->root, parent_dirs[d]);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			ids[n++] = st.st_ino;
	}
	return n;
}

const char *bh_containers_last_error(const bh_containers *c) { return c->last_error; }

static const bh_rt_container *by_addr(const bh_containers *c, int family, const uint8_t addr[16])
{
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->ents[i]->naddr; k++)
			if (c->ents[i]->addr[k].family == family && !memcmp(c->ents[i]->addr[k].a, addr, family == AF_INET ? 4 : 16))
				return &c->ents[i]->ct;
	return NULL;
}

const bh_rt_container *bh_containers_by_addr(bh_containers *c, int family, const uint8_t addr[16])
{
	const bh_rt_container *ct = by_addr(c, family, addr);
	time_t now = time(NULL);

	if (ct || now == c->last_full_scan)
		return ct;
	c->last_full_scan = now;
	bh_containers_refresh(c);
	return by_addr(c, family, addr);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void bh_containers_refresh(bh_containers *c)
{
	bool any_dir = false, lost = false;
	c->nlive = 0;
	for (size_t d = 0; d < sizeof(parent_dirs) / sizeof(parent_dirs[0]); d++) {
		char dir[512], path[1024];
		struct dirent *de;
		DIR *dp;

		snprintf(dir, sizeof(dir), "%s/%s", c->root, parent_dirs[d]);
		if (!(dp = opendir(dir)))
			continue;
		any_dir = true;
		while ((de = readdir(dp))) {
			struct stat st;
			char id[65];
			if (!id_of_dirname(de->d_name, id))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (stat(path, &st))
				continue;
			bh_containers_lookup(c, st.st_ino);
			if (c->nlive == c->caplive) {
				size_t nc = c->caplive ? c->caplive * 2 : 64, bytes;
				uint64_t *g = bh_size_mul(nc, sizeof(*g), &bytes) ? realloc(c->live, bytes) : NULL;
				if (!g) {
					lost = true; /* an incomplete set must not call a live container gone */
					continue;
				}
				c->live = g;
				c->caplive = nc;
			}
			c->live[c->nlive++] = st.st_ino;
		}
		closedir(dp);
	}
	qsort(c->live, c->nlive, sizeof(*c->live), cmp_u64);
	c->live_known = any_dir && !lost;
}

bool bh_containers_live(const bh_containers *c, uint64_t cgid)
{
	if (!c->live_known)
		return true;
	return c->nlive && bsearch(&cgid, c->live, c->nlive, sizeof(*c->live), cmp_u64) != NULL;
}

size_t bh_containers_count(const bh_containers *c) { return c->n; }

const bh_rt_container *bh_containers_at(const bh_containers *c, size_t i) { return i < c->n ? &c->ents[i]->ct : NULL; }
