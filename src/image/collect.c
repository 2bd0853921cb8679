/* collect.c - overlay-aware store of analyzer results and the dispatch of files to analyzers. */
#include "image/collect.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

#define MAX_PENDING_LINKS 4096
#define MAX_OWNED_PATHS 1000000

struct result {
	int layer;
	bh_complist comps;
	uint64_t *count;    /* the collect's running total, kept right when results are dropped */
};

static void result_free(void *p)
{
	struct result *r = p;
	if (!r)
		return;
	if (r->count)
		*r->count -= r->comps.n;
	bh_complist_free(&r->comps);
	free(r);
}

/* A hard link whose target held nothing when the link was read: its content comes in pass 2. */
struct hardpend {
	char *target;
	int layer;
};

static void hard_free(void *p)
{
	struct hardpend *h = p;
	if (h)
		free(h->target);
	free(h);
}

/* Names under which pass 2 feeds one canonical path's content. */
struct alias {
	char *name;
	int layer;    /* symlink alias: the layer of the version of the file; hard link: the link's layer */
	bool hard;
};
struct aliases {
	size_t n;
	struct alias *v;
};

static void aliases_free(void *p)
{
	struct aliases *a = p;
	size_t i;
	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i].name);
	free(a->v);
	free(a);
}

static bool link_wants(const bh_collect *c, const char *path);

int bh_collect_init(bh_collect *c, const bh_limits *limits, bh_sbom *sbom)
{
	memset(c, 0, sizeof(*c));
	bh_map_init(&c->results, result_free);
	bh_map_init(&c->dirs, NULL);
	bh_map_init(&c->links, free);
	bh_map_init(&c->hard, hard_free);
	bh_map_init(&c->plan, aliases_free);
	bh_map_init(&c->owners, free);
	c->limits = limits;
	c->sbom = sbom;
	c->an = bh_analyzers_all(&c->nan);
	if (limits->time_budget_s)
		c->deadline = time(NULL) + (time_t)limits->time_budget_s;
	return 0;
}

void bh_collect_free(bh_collect *c)
{
	bh_map_free(&c->results);
	bh_map_free(&c->dirs);
	bh_map_free(&c->links);
	bh_map_free(&c->hard);
	bh_map_free(&c->plan);
	bh_map_free(&c->owners);
	bh_buf_free(&c->unwanted);
}

/* Records the ancestors of path; stale entries only cost a needless scan later. */
static int note_dirs(bh_collect *c, const char *path)
{
	char tmp[4096];
	size_t n = strlen(path), i;
	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, path, n + 1);
	for (i = n; i-- > 0;) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (bh_map_get(&c->dirs, tmp))
			break;
		if (bh_map_put(&c->dirs, tmp, (void *)1))
			return BH_ENOMEM;
	}
	return 0;
}


static void lock(const bh_collect *c)
{
	if (c->lock)
		pthread_mutex_lock(c->lock);
}

static void unlock(const bh_collect *c)
{
	if (c->lock)
		pthread_mutex_unlock(c->lock);
}

int bh_collect_tick_n(bh_collect *c, uint64_t n, bh_error *err)
{
	uint64_t before = c->files;
	c->files += n;
	if (c->files > c->limits->max_files)
		return bh_error_set(err, BH_ELIMIT, "more than %llu files (max-files limit)",
				    (unsigned long long)c->limits->max_files);
	/* the clock is read once per 1024 entries, whatever the batch size */
	if (c->deadline && (c->files >> 10) != (before >> 10) && time(NULL) > c->deadline)
		return bh_error_set(err, BH_ELIMIT, "time budget of %u s exceeded", c->limits->time_budget_s);
	return 0;
}

int bh_collect_tick(bh_collect *c, bh_error *err)
{
	return bh_collect_tick_n(c, 1, err);
}

static bool enabled(const bh_collect *c, const bh_analyzer *a)
{
	return !c->only || bh_map_get(c->only, a->name) != NULL;
}

static bool hook_wants(const bh_collect *c, const char *path, uint32_t mode, uint64_t size)
{
	return c->hook && c->hook->content && c->hook->wants && c->hook->wants(c->hook->ctx, path, mode, size);
}

/*
 * OS-owned files. dpkg lists every file a package installed in var/lib/dpkg/info/PKG[:ARCH].list;
 * apk in lib/apk/db/installed (F: directory, R: file); rpm in each header of its database (the rpm
 * analyzer hands them to the list's own() hook while it reads the packages). A language package installed by the
 * distribution (python3-urllib3's dist-info, a Go binary in /usr/bin) is the distribution's: its
 * components get the property os.owner = the OS package, so the matcher can leave them to the
 * distro's advisories while the SBOM keeps them. Only listed paths some analyzer would read are
 * kept (a hash set, small), so the cost is one pass over the lists.
 */
static bool is_dpkg_list(const char *path, size_t len)
{
	static const char dir[] = "var/lib/dpkg/info/";
	return len > sizeof(dir) - 1 + 5 && memcmp(path, dir, sizeof(dir) - 1) == 0 &&
	       !memchr(path + sizeof(dir) - 1, '/', len - (sizeof(dir) - 1)) && bh_mem_endswith(path, len, ".list");
}

static bool analyzers_want(const bh_collect *c, const char *path, size_t len, uint32_t mode, uint64_t size)
{
	size_t i;
	for (i = 0; i < c->nan; i++)
		if (enabled(c, c->an[i]) && c->an[i]->match(path, len, mode, size))
			return true;
	return false;
}

/*
 * Adds one owned path (absolute or not) when an analyzer could read it; with FILTER (the
 * directory source's set of paths that produced components), only when it is in FILTER.
 */
static int owner_add(bh_collect *c, const bh_map *filter, const char *path, size_t len, const char *pkg)
{
	char tmp[4096];
	char *v;
	while (len && *path == '/')
		path++, len--;
	if (!len || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, path, len);
	tmp[len] = '\0';
	if (filter ? !bh_map_get(filter, tmp)
	    /* Executable mode and a plausible size: binary analyzers (Go) look at those. */
	    : !analyzers_want(c, tmp, len, 0100755, 65536))
		return 0;
	if (bh_map_get(&c->owners, tmp))
		return 0;
	if (c->owners.n >= MAX_OWNED_PATHS)
		return 0;
	if (!(v = bh_strdup(pkg)) || bh_map_put(&c->owners, tmp, v)) {
		free(v);
		return BH_ENOMEM;
	}
	return 0;
}

static int owners_from_dpkg_list(bh_collect *c, const bh_map *filter, bh_file *f, bh_error *err)
{
	const char *base = strrchr(f->path, '/') + 1;
	char pkg[256], chunk[65536];
	bh_buf line = BH_BUF_INIT;
	size_t n = strlen(base) - 5;
	int rc = 0;

	if (n >= sizeof(pkg))
		return 0;
	memcpy(pkg, base, n);
	pkg[n] = '\0';
	pkg[strcspn(pkg, ":")] = '\0'; /* PKG:ARCH.list for Multi-Arch: same packages */
	for (;;) {
		size_t got, i, start = 0;
		if ((rc = bh_file_read(f, chunk, sizeof(chunk), &got, err)) || !got)
			break;
		for (i = 0; i < got; i++) {
			if (chunk[i] != '\n')
				continue;
			if (bh_buf_append(&line, chunk + start, i - start) ||
			    owner_add(c, filter, line.data ? line.data : "", line.len, pkg)) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto out;
			}
			bh_buf_reset(&line);
			start = i + 1;
		}
		if (bh_buf_append(&line, chunk + start, got - start) || line.len > 8192) {
			bh_buf_reset(&line); /* no path is that long: drop the junk */
		}
	}
	if (!rc && line.len && owner_add(c, filter, line.data, line.len, pkg))
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
out:
	bh_buf_free(&line);
	return rc;
}

/* lib/apk/db/installed, already in memory for the apk analyzer: P: name, F: dir, R: file. */
static int owners_from_apk(bh_collect *c, const char *d, size_t len)
{
	char pkg[256] = "", dir[4096] = "", path[8192];
	bh_lines it;
	const char *l;
	size_t n;
	bh_lines_init(&it, d, len);
	while (bh_lines_next(&it, &l, &n)) {
		if (n < 2 || l[1] != ':')
			continue;
		if (l[0] == 'P' && n - 2 < sizeof(pkg)) {
			memcpy(pkg, l + 2, n - 2);
			pkg[n - 2] = '\0';
			dir[0] = '\0';
		} else if (l[0] == 'F' && n - 2 < sizeof(dir)) {
			memcpy(dir, l + 2, n - 2);
			dir[n - 2] = '\0';
		} else if (l[0] == 'R' && pkg[0]) {
			int k = snprintf(path, sizeof(path), "%s%s%.*s", dir, dir[0] ? "/" : "", (int)(n - 2), l + 2);
			if (k > 0 && (size_t)k < sizeof(path) && owner_add(c, NULL, path, (size_t)k, pkg))
				return BH_ENOMEM;
		}
	}
	return 0;
}

/* An analyzer's message names its file as the contract asks; the warning names it already. */
static const char *without_path(const char *msg, const char *path)
{
	size_t n = strlen(path);
	if (*msg == '/' && strncmp(msg + 1, path, n) == 0 && !strncmp(msg + 1 + n, ": ", 2))
		return msg + n + 3;
	if (strncmp(msg, path, n) == 0 && !strncmp(msg + n, ": ", 2))
		return msg + n + 2;
	return msg;
}

/* bh_complist.own for OS package analyzers (rpm): every installed file the analyzers could read. */
static int own_file(void *ctx, const char *path, size_t len, const char *pkg)
{
	bh_collect *c = ctx;
	int rc;
	lock(c); /* called from inside an analyzer, which runs unlocked */
	rc = owner_add(c, NULL, path, len, pkg);
	unlock(c);
	return rc;
}

static bool lang_eco(bh_ecosystem e)
{
	return e == BH_ECO_NPM || e == BH_ECO_PYPI || e == BH_ECO_GO || e == BH_ECO_MAVEN || e == BH_ECO_GEM ||
	       e == BH_ECO_CARGO || e == BH_ECO_COMPOSER;
}

/* Marks language components whose metadata file an OS package owns. */
static int mark_owners(bh_collect *c, bh_error *err)
{
	size_t i = 0, j;
	const char *k;
	void *v;
	if (!c->owners.n)
		return 0;
	while (bh_map_next(&c->results, &i, &k, &v)) {
		struct result *r = v;
		for (j = 0; j < r->comps.n; j++) {
			bh_component *cp = r->comps.items[j];
			const char *owner, *p = cp->path ? cp->path : k;
			if (!lang_eco(cp->eco) || bh_component_get_prop(cp, "os.owner"))
				continue;
			while (*p == '/')
				p++;
			owner = bh_map_get(&c->owners, p);
			if (owner && bh_component_prop(cp, "os.owner", owner))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	return 0;
}

struct owner_fd {
	int fd;
};

static int owner_fd_read(void *ctx, void *buf, size_t n, size_t *got, bh_error *err)
{
	struct owner_fd *o = ctx;
	ssize_t r;
	do
		r = read(o->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return bh_error_set(err, BH_EIO, "read: %s", strerror(errno));
	*got = (size_t)r;
	return 0;
}

int bh_collect_owners_dir(bh_collect *c, int rootfd, bh_error *err)
{
	static const bh_file_ops ops = { owner_fd_read, NULL };
	bh_map want;
	size_t i = 0, j;
	const char *k;
	void *v;
	int dfd = -1, rc = 0;
	DIR *d;
	struct dirent *de;

	bh_map_init(&want, NULL);
	while (bh_map_next(&c->results, &i, &k, &v)) {
		struct result *r = v;
		for (j = 0; j < r->comps.n; j++) {
			const bh_component *cp = r->comps.items[j];
			const char *p = cp->path ? cp->path : k;
			if (!lang_eco(cp->eco))
				continue;
			while (*p == '/')
				p++;
			if (bh_map_put(&want, p, (void *)1)) {
				bh_map_free(&want);
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			}
		}
	}
	if (want.n) {
		/* Each step without following links: the lists must be ROOT's own. */
		int a = openat(rootfd, "var", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int b = a < 0 ? -1 : openat(a, "lib", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = b < 0 ? -1 : openat(b, "dpkg", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dfd = e < 0 ? -1 : openat(e, "info", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (a >= 0) close(a);
		if (b >= 0) close(b);
		if (e >= 0) close(e);
	}
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		bh_map_free(&want);
		return 0;
	}
	while (!rc && (de = readdir(d)) != NULL) {
		char rel[600];
		struct owner_fd o;
		bh_file f;
		struct stat st;
		size_t n = strlen(de->d_name);
		if (n < 6 || n > 300 || strcmp(de->d_name + n - 5, ".list") != 0)
			continue;
		o.fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (o.fd < 0)
			continue;
		if (fstat(o.fd, &st) || !S_ISREG(st.st_mode)) {
			close(o.fd);
			continue;
		}
		snprintf(rel, sizeof(rel), "var/lib/dpkg/info/%s", de->d_name);
		memset(&f, 0, sizeof(f));
		f.path = rel;
		f.mode = st.st_mode;
		f.size = (uint64_t)st.st_size;
		f.limits = c->limits;
		f.ops = &ops;
		f.ctx = &o;
		rc = owners_from_dpkg_list(c, &want, &f, err);
		close(o.fd);
	}
	closedir(d);
	bh_map_free(&want);
	return rc;
}

/*
 * Whether a name reached through a link is worth a read: analyzers only. The checks' hook saw
 * every file under its own name in pass 1 (and is off in pass 2), so it must not make a plan.
 */
static bool link_wants(const bh_collect *c, const char *path)
{
	size_t len = strlen(path);
	return analyzers_want(c, path, len, 0100644, 0) || (!c->defer_owners && is_dpkg_list(path, len));
}

bool bh_collect_wants(const bh_collect *c, const char *path, uint32_t mode, uint64_t size)
{
	size_t i, len = strlen(path);
	if (!c->pass2 && !c->defer_owners && is_dpkg_list(path, len))
		return true;
	for (i = 0; i < c->nan; i++)
		if (enabled(c, c->an[i]) && c->an[i]->match(path, len, mode, size))
			return true;
	return hook_wants(c, path, mode, size);
}

bool bh_collect_needs_stat(const bh_collect *c, const char *path)
{
	size_t i, len = strlen(path);
	if (c->hook || (!c->defer_owners && is_dpkg_list(path, len)))
		return true;
	for (i = 0; i < c->nan; i++)
		if (enabled(c, c->an[i]) && bh_analyzer_may_match(c->an[i], path, len))
			return true;
	return false;
}

int bh_collect_entry(bh_collect *c, int layer, bh_entry_kind kind, const char *path, uint32_t mode, uint64_t size,
		     bh_error *err)
{
	if (!c->hook || !c->hook->entry)
		return 0;
	return c->hook->entry(c->hook->ctx, layer, kind, path, mode, size, err);
}

void bh_collect_remove(bh_collect *c, const char *path, bool self, bool subtree, int before_layer)
{
	size_t i = 0, plen = strlen(path);
	const char *k;
	void *v;

	if (self) {
		struct result *r = bh_map_get(&c->results, path);
		if (r && r->layer < before_layer)
			bh_map_del(&c->results, path);
		/* Whatever replaces a link (or a pending hard link) ends it. */
		if (!c->pass2) {
			if (c->links.n)
				bh_map_del(&c->links, path);
			if (c->hard.n) {
				struct hardpend *h = bh_map_get(&c->hard, path);
				if (h && h->layer < before_layer)
					bh_map_del(&c->hard, path);
			}
		}
	}
	if (!subtree || c->results.n == 0 || (plen && !bh_map_get(&c->dirs, path)))
		return;
	while (bh_map_next(&c->results, &i, &k, &v)) {
		struct result *r = v;
		/* An empty path is the root: everything is below it. */
		if (r->layer < before_layer &&
		    (plen == 0 || (strncmp(k, path, plen) == 0 && k[plen] == '/')))
			bh_map_del(&c->results, k);
	}
}

/* Room left under max-components, as a list limit (0 would mean "none", so at least 1). */
static void limit_list(const bh_collect *c, bh_complist *l)
{
	uint64_t max = c->limits->max_components;
	/* With no room left one add is still let through, so store() can tell "over" from "none". */
	l->limit = !max ? 0 : c->ncomps >= max ? 1 : (size_t)(max - c->ncomps);
}

static int over_limit(const bh_collect *c, const char *path, bh_error *err)
{
	return bh_error_set(err, BH_ELIMIT, "/%s: more than %llu components in the target (max-components limit)", path,
			    (unsigned long long)c->limits->max_components);
}

/* Stores r (ownership passes to the map, also on failure) and indexes its directories. */
static int store(bh_collect *c, const char *path, struct result *r, bh_error *err)
{
	if (c->limits->max_components && c->ncomps + r->comps.n > c->limits->max_components) {
		result_free(r);
		return bh_error_set(err, BH_ELIMIT, "/%s: more than %llu components in the target (max-components limit)",
				    path, (unsigned long long)c->limits->max_components);
	}
	r->count = &c->ncomps;
	c->ncomps += r->comps.n;
	if (bh_map_put(&c->results, path, r)) {
		result_free(r);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (note_dirs(c, path))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	return 0;
}

/* Components already present at this path keep the layer that first introduced them. */
static void inherit_layers(const struct result *old, struct result *r)
{
	size_t i, j;
	for (i = 0; i < r->comps.n; i++) {
		bh_component *n = r->comps.items[i];
		for (j = 0; old && j < old->comps.n; j++) {
			const bh_component *o = old->comps.items[j];
			if (o->eco == n->eco && o->name && n->name && !strcmp(o->name, n->name) &&
			    ((!o->version && !n->version) || (o->version && n->version && !strcmp(o->version, n->version))) &&
			    ((!o->arch && !n->arch) || (o->arch && n->arch && !strcmp(o->arch, n->arch)))) {
				n->layer = o->layer;
				break;
			}
		}
	}
}

int bh_collect_file(bh_collect *c, const char *path, uint32_t mode, uint64_t size, int layer,
		    const bh_file_ops *ops, void *ctx, bh_error *err)
{
	const bh_analyzer *hit[8];
	size_t nhit = 0, i, len = strlen(path);
	struct result *old, *r = NULL;
	bh_file f;
	int rc = 0;
	char slurp_warn[sizeof(err->msg)] = "";

	for (i = 0; i < c->nan && nhit < 8; i++)
		if (enabled(c, c->an[i]) && c->an[i]->match(path, len, mode, size))
			hit[nhit++] = c->an[i];
	bool hw = hook_wants(c, path, mode, size);

	memset(&f, 0, sizeof(f));
	f.path = path;
	f.mode = mode;
	f.size = size;
	f.limits = c->limits;
	f.ops = ops;
	f.ctx = ctx;
	if (!nhit && !c->defer_owners && is_dpkg_list(path, len)) {
		if (hw) {
			/* The checks read it too: hold it once (bounded by max-file-read), then parse. */
			const unsigned char *d;
			size_t dn;
			bh_error ferr;
			if (bh_file_slurp(&f, &d, &dn, &ferr)) {
				bh_file_release(&f);
				return 0;
			}
			if ((rc = c->hook->content(c->hook->ctx, layer, &f, err))) {
				bh_file_release(&f);
				return rc;
			}
			f.consumed = 0;
		}
		lock(c);
		rc = owners_from_dpkg_list(c, NULL, &f, err);
		unlock(c);
		bh_file_release(&f);
		return rc;
	}
	if (!nhit) {
		/* A file written here hides whatever earlier layers had at this path or below it. */
		lock(c);
		bh_collect_remove(c, path, false, true, layer);
		if ((old = bh_map_get(&c->results, path)) != NULL && old->layer < layer)
			bh_map_del(&c->results, path);
		unlock(c);
		if (hw) {
			rc = c->hook->content(c->hook->ctx, layer, &f, err);
			bh_file_release(&f);
		}
		return rc;
	}

	r = calloc(1, sizeof(*r));
	if (!r)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	r->layer = layer;
	lock(c);
	limit_list(c, &r->comps);
	unlock(c);
	r->comps.own = own_file;
	r->comps.own_ctx = c;
	if (nhit > 1 || hw) {
		/* Several readers of one stream: hold the content once and serve it from memory. */
		const unsigned char *d;
		size_t n;
		bh_error ferr;
		if (bh_file_slurp(&f, &d, &n, &ferr)) {
			snprintf(slurp_warn, sizeof(slurp_warn), "%s", ferr.msg);
			nhit = 0;
			hw = false;
		}
	}
	if (hw) {
		f.consumed = 0;
		if ((rc = c->hook->content(c->hook->ctx, layer, &f, err)))
			goto fail;
	}
	/* The analyzers run unlocked: they see only the file and their own list. */
	for (i = 0; i < nhit; i++) {
		bh_error aerr;
		size_t first = r->comps.n, j;
		bh_error_clear(&aerr);
		f.consumed = 0;
		rc = hit[i]->analyze(&f, &r->comps, &aerr);
		if (r->comps.over) {
			/* Refused by the list limit, whatever the analyzer made of the failed add. */
			rc = over_limit(c, path, err);
			goto fail;
		}
		if (rc == BH_ENOMEM) {
			bh_error_set(err, rc, "/%s: out of memory", path);
			goto fail;
		}
		if (rc) {
			/* Bad content in one file must not stop the inventory of the rest. */
			lock(c);
			bh_sbom_warn(c->sbom, "%s analyzer: /%s: %s", hit[i]->name, path,
				     aerr.msg[0] ? without_path(aerr.msg, path) : bh_error_name(rc));
			unlock(c);
		}
		for (j = first; j < r->comps.n; j++)
			r->comps.items[j]->layer = layer;
	}
	lock(c);
	if (slurp_warn[0])
		bh_sbom_warn(c->sbom, "/%s: %s", path, slurp_warn);
	if (f.content && !strcmp(path, "lib/apk/db/installed") && owners_from_apk(c, (const char *)f.content, f.content_len)) {
		unlock(c);
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto fail;
	}
	bh_file_release(&f);
	/* A file written here hides whatever earlier layers had at this path or below it. */
	bh_collect_remove(c, path, false, true, layer);
	old = bh_map_get(&c->results, path);
	if (old && old->layer >= layer)
		old = NULL;
	inherit_layers(old, r);
	if (r->comps.n == 0) {
		result_free(r);
		if (old)
			bh_map_del(&c->results, path);
		unlock(c);
		return 0;
	}
	rc = store(c, path, r, err);
	unlock(c);
	return rc;
fail:
	bh_file_release(&f);
	result_free(r);
	return rc;
}

int bh_collect_link(bh_collect *c, const char *path, const char *target, int layer, bh_error *err)
{
	struct result *t = bh_map_get(&c->results, target), *r;
	size_t i;

	bh_collect_remove(c, path, true, true, layer + 1);
	if (strcmp(path, target) == 0)
		return 0;
	if (!t) {
		/*
		 * The target went by unclaimed (e.g. var/lib/dpkg/status hard-linked to opt/x): its
		 * bytes are gone from the stream, so pass 2 re-reads them (bounded number of links).
		 */
		struct hardpend *h;
		if (c->pass2 || !link_wants(c, path))
			return 0;
		if (c->hard.n >= MAX_PENDING_LINKS) {
			bh_sbom_warn(c->sbom, "hard link /%s -> /%s not followed: more than %d such links", path, target,
				     MAX_PENDING_LINKS);
			return 0;
		}
		h = calloc(1, sizeof(*h));
		if (!h || !(h->target = bh_strdup(target)) || bh_map_put(&c->hard, path, h)) {
			if (h)
				free(h->target);
			free(h);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		h->layer = layer;
		return 0;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	r->layer = layer;
	limit_list(c, &r->comps);
	for (i = 0; i < t->comps.n; i++) {
		bh_component *cp = bh_complist_add_copy(&r->comps, t->comps.items[i]);
		if (!cp) {
			bool over = r->comps.over;
			result_free(r);
			return over ? over_limit(c, path, err) : bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		free(cp->path);
		cp->path = NULL;
	}
	return store(c, path, r, err);
}

/*
 * Links.
 * A layer is a stream: when a tar tells us that var/lib/dpkg/status is a hard link to opt/x, or
 * that var/lib/dpkg is a symlink to /opt/db, the bytes of opt/x or opt/db/status have usually
 * streamed past already, unclaimed. Holding every unclaimed file in memory is unbounded, so
 * pass 1 only remembers names: symlinks (path -> target resolved against the image root), hard
 * links an analyzer wants whose target held nothing, and the paths of unclaimed regular files
 * (bounded). bh_collect_plan then lists, per unclaimed file, the wanted names it is reachable
 * under; only when that list is non-empty does the source re-read its layers (pass 2, up to the
 * last layer concerned) and feed those files under their alias names. Images without such links
 * (the usual case: usrmerge links give names analyzers already see) cost no second read.
 * An alias of a file that analyzers already read under its own name is skipped (it would only
 * duplicate components), except licence files in usr/share/doc/PKG, which are named by their
 * directory (openssh-server -> openssh-client): those get a copy of the target's result.
 */
#define MAX_LINK_HOPS 40
#define MAX_LINKS 200000
#define MAX_UNWANTED_BYTES (64u << 20)
#define MAX_ALIASES_PER_FILE 16
#define MAX_PLAN 100000

/*
 * The segments of in, joined by '/' into out without '.', empty segments or a leading '/'. A ".."
 * goes up one segment, never above the root, when up is true; otherwise it is BH_EINVAL.
 */
static int clean_into(const char *in, char *out, size_t outsz, bool up)
{
	const char *p = in;
	size_t o = 0;
	while (*p) {
		const char *seg;
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 1 && seg[0] == '.')
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (!up)
				return BH_EINVAL;
			/* Up, but never above the image root. */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + n + 2 > outsz)
			return BH_ELIMIT;
		if (o)
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	if (o >= outsz)
		return BH_ELIMIT;
	out[o] = '\0';
	return 0;
}

int bh_path_join(const char *dir, size_t dirlen, const char *path, char *out, size_t outsz)
{
	char tmp[8192];
	int n;

	if (path[0] == '/')
		n = snprintf(tmp, sizeof(tmp), "%s", path);
	else
		n = snprintf(tmp, sizeof(tmp), "%.*s/%s", dirlen < INT_MAX ? (int)dirlen : INT_MAX, dir, path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return BH_ELIMIT;
	return clean_into(tmp, out, outsz, true);
}

int bh_link_resolve(const char *link_path, const char *target, char *out, size_t outsz)
{
	const char *sl = strrchr(link_path, '/');
	return bh_path_join(link_path, sl ? (size_t)(sl - link_path) : 0, target, out, outsz);
}

int bh_collect_symlink(bh_collect *c, const char *path, const char *target, int layer, bh_error *err)
{
	char res[4096];
	char *v;
	(void)layer;
	if (c->pass2)
		return 0;
	if (bh_link_resolve(path, target, res, sizeof(res)) || strcmp(res, path) == 0)
		return 0;
	if (c->links.n >= MAX_LINKS && !bh_map_get(&c->links, path)) {
		if (c->links.n == MAX_LINKS)
			bh_sbom_warn(c->sbom, "more than %d symbolic links: later ones are not followed", MAX_LINKS);
		return 0;
	}
	if (!(v = bh_strdup(res)) || bh_map_put(&c->links, path, v)) {
		free(v);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

void bh_collect_note_unwanted(bh_collect *c, const char *path, int layer)
{
	const char *sl;
	size_t dn, len;
	if (c->pass2 || c->unwanted_full)
		return;
	if (c->unwanted.len > MAX_UNWANTED_BYTES) {
		c->unwanted_full = true;
		bh_sbom_warn(c->sbom, "too many files to follow every link to them (%u MB of names kept)",
			     MAX_UNWANTED_BYTES >> 20);
		return;
	}
	/* Files come directory by directory: the directory is written once per run of its files. */
	len = strlen(path);
	sl = strrchr(path, '/');
	dn = sl ? (size_t)(sl - path) : 0;
	if (!c->unwanted.len || layer != c->ulayer || dn != c->udir_len ||
	    memcmp(c->unwanted.data + c->udir_off, path, dn) != 0) {
		char num[24];
		int k = snprintf(num, sizeof(num), "\1%d\t", layer);
		if (bh_buf_append(&c->unwanted, num, (size_t)k)) {
			c->unwanted_full = true;
			return;
		}
		c->udir_off = c->unwanted.len;
		c->udir_len = dn;
		c->ulayer = layer;
		if (bh_buf_append(&c->unwanted, path, dn) || bh_buf_putc(&c->unwanted, '\0')) {
			c->unwanted_full = true;
			return;
		}
	}
	if (bh_buf_append(&c->unwanted, sl ? sl + 1 : path, len - (sl ? dn + 1 : 0) + 1))
		c->unwanted_full = true;
}

/* Adds one alias of canonical path p; 1 when added, 0 when skipped, <0 on failure. */
static int plan_add(bh_collect *c, const char *p, const char *name, int layer, bool hard)
{
	struct aliases *a = bh_map_get(&c->plan, p);
	struct alias *nv;
	size_t i;
	if (!a) {
		if (c->plan.n >= MAX_PLAN)
			return 0;
		if (!(a = calloc(1, sizeof(*a))) || bh_map_put(&c->plan, p, a)) {
			free(a);
			return BH_ENOMEM;
		}
	}
	for (i = 0; i < a->n; i++)
		if (a->v[i].layer == layer && strcmp(a->v[i].name, name) == 0)
			return 0;
	if (a->n >= MAX_ALIASES_PER_FILE)
		return 0;
	if (!(nv = realloc(a->v, (a->n + 1) * sizeof(*nv))))
		return BH_ENOMEM;
	a->v = nv;
	if (!(nv[a->n].name = bh_strdup(name)))
		return BH_ENOMEM;
	nv[a->n].layer = layer;
	nv[a->n].hard = hard;
	a->n++;
	return 1;
}

/* Reverse of c->links: resolved target -> link paths ("\0"-separated in one buffer); bases gets
 * each target's last name. */
static int build_reverse(bh_collect *c, bh_map *rev, bh_map *bases)
{
	size_t i = 0;
	const char *k;
	void *v;
	while (bh_map_next(&c->links, &i, &k, &v)) {
		bh_buf *b = bh_map_get(rev, v);
		const char *slash = strrchr(v, '/'), *base = slash ? slash + 1 : v;
		if (!bh_map_get(bases, base) && bh_map_put(bases, base, (void *)1))
			return BH_ENOMEM;
		if (!b) {
			if (!(b = calloc(1, sizeof(*b))) || bh_map_put(rev, v, b)) {
				free(b);
				return BH_ENOMEM;
			}
		}
		if (bh_buf_append(b, k, strlen(k) + 1))
			return BH_ENOMEM;
	}
	return 0;
}

static void buf_free_cb(void *p)
{
	bh_buf_free(p);
	free(p);
}

/*
 * The names directory dir is also reachable under through links, following chains up to
 * MAX_LINK_HOPS (loops and self-links like usr/bin/X11 -> . end there), at most
 * MAX_ALIASES_PER_FILE of them. Files are recorded in walk order, so the list computed for one
 * directory serves all its files: the per-file cost is one analyzer test per alias.
 */
struct dirlist {
	size_t n;
	char v[MAX_ALIASES_PER_FILE][4096];
};

static void alias_dirs(const bh_map *rev, const char *dir, unsigned hops, struct dirlist *out)
{
	char anc[4096], q[4096];
	size_t dlen = strlen(dir), alen, i;
	if (hops >= MAX_LINK_HOPS || dlen >= sizeof(anc))
		return;
	memcpy(anc, dir, dlen + 1);
	alen = dlen;
	for (;;) {
		const bh_buf *b = bh_map_get(rev, anc);
		const char *s;
		for (s = b ? b->data : NULL; s && s < b->data + b->len; s += strlen(s) + 1) {
			int n = alen ? snprintf(q, sizeof(q), "%s%s", s, dir + alen)
				     : snprintf(q, sizeof(q), "%s%s%s", s, dlen ? "/" : "", dir);
			bool dup = false;
			if (n < 0 || (size_t)n >= sizeof(q) || out->n >= MAX_ALIASES_PER_FILE)
				continue;
			for (i = 0; i < out->n && !dup; i++)
				dup = !strcmp(out->v[i], q);
			if (dup)
				continue;
			memcpy(out->v[out->n++], q, (size_t)n + 1);
			alias_dirs(rev, q, hops + 1, out);
		}
		if (alen == 0)
			break;
		while (alen > 0 && anc[alen - 1] != '/')
			alen--;
		if (alen > 0)
			alen--;
		anc[alen] = '\0';
	}
}

/* usr/share/doc/A -> B: A's packages get the licence read from B/copyright. */
static int doc_links(bh_collect *c, bh_error *err)
{
	static const char doc[] = "usr/share/doc/";
	size_t i = 0, j;
	const char *k;
	void *v;
	while (bh_map_next(&c->links, &i, &k, &v)) {
		char from[4200], to[4200];
		const char *tgt = v, *an = k + sizeof(doc) - 1, *bn = tgt + sizeof(doc) - 1;
		struct result *r;
		if (strncmp(k, doc, sizeof(doc) - 1) != 0 || strchr(an, '/') || !*an ||
		    strncmp(tgt, doc, sizeof(doc) - 1) != 0 || strchr(bn, '/') || !*bn)
			continue;
		snprintf(from, sizeof(from), "%s/copyright", tgt);
		snprintf(to, sizeof(to), "%s/copyright", k);
		if (bh_map_get(&c->results, to) || !bh_map_get(&c->results, from))
			continue;
		if (bh_collect_link(c, to, from, -1, err))
			return err->code;
		r = bh_map_get(&c->results, to);
		if (!r)
			continue;
		r->layer = ((struct result *)bh_map_get(&c->results, from))->layer;
		for (j = 0; j < r->comps.n; j++)
			if (r->comps.items[j]->name && !strcmp(r->comps.items[j]->name, bn) &&
			    bh_component_set(&r->comps.items[j]->name, an, (size_t)-1))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

int bh_collect_plan(bh_collect *c, int *max_layer, bool *needed, bh_error *err)
{
	bh_map rev, bases;
	size_t i = 0;
	const char *k;
	void *v;
	int rc = 0;

	*max_layer = -1;
	*needed = false;
	/* Hard links an analyzer wants: their targets, up to the link's layer. */
	while (bh_map_next(&c->hard, &i, &k, &v)) {
		struct hardpend *h = v;
		if (plan_add(c, h->target, k, h->layer, true) < 0)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		if (h->layer > *max_layer)
			*max_layer = h->layer;
	}
	if (c->links.n) {
		const char *p = c->unwanted.data, *end = p + c->unwanted.len;
		struct dirlist *dl;
		char prev[4096];
		if ((rc = doc_links(c, err)))
			return rc;
		bh_map_init(&rev, buf_free_cb);
		/* Base names of link targets: most files are no target, and a short key says so cheaply. */
		bh_map_init(&bases, NULL);
		if (build_reverse(c, &rev, &bases)) {
			bh_map_free(&rev);
			bh_map_free(&bases);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		dl = malloc(sizeof(*dl));
		if (!dl) {
			bh_map_free(&rev);
			bh_map_free(&bases);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		dl->n = 0;
		prev[0] = '\0';
		int layer = 0;
		while (p && p < end) {
			char q[4096], path[4096];
			const char *base;
			const bh_buf *b;
			size_t j, dn;
			bool added = false;
			int n;
			if (*p == '\1') {
				char *tab;
				layer = (int)strtol(p + 1, &tab, 10);
				p = tab + 1;
				dn = strlen(p);
				if (dn < sizeof(prev)) {
					memcpy(prev, p, dn + 1);
					dl->n = 0;
					alias_dirs(&rev, prev, 0, dl);
				}
				p += dn + 1;
				continue;
			}
			base = p;
			p += strlen(p) + 1;
			if (!dl->n && !bh_map_get(&bases, base))
				continue; /* no alias of its directory, no link to its name */
			n = snprintf(path, sizeof(path), "%s%s%s", prev, prev[0] ? "/" : "", base);
			if (n < 0 || (size_t)n >= sizeof(path))
				continue;
			for (j = 0; j < dl->n; j++) {
				n = snprintf(q, sizeof(q), "%s%s%s", dl->v[j], dl->v[j][0] ? "/" : "", base);
				if (n < 0 || (size_t)n >= sizeof(q) || !link_wants(c, q))
					continue;
				if ((rc = plan_add(c, path, q, layer, false)) < 0)
					break;
				added |= rc > 0;
			}
			/* A link straight to this file. */
			b = rc >= 0 ? bh_map_get(&rev, path) : NULL;
			for (const char *s = b ? b->data : NULL; s && s < b->data + b->len && rc >= 0; s += strlen(s) + 1)
				if (link_wants(c, s) && (rc = plan_add(c, path, s, layer, false)) > 0)
					added = true;
			if (rc < 0) {
				free(dl);
				bh_map_free(&rev);
				bh_map_free(&bases);
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			}
			rc = 0;
			if (added && layer > *max_layer)
				*max_layer = layer;
		}
		free(dl);
		bh_map_free(&rev);
		bh_map_free(&bases);
	}
	*needed = c->plan.n > 0;
	return 0;
}

bool bh_collect_planned(const bh_collect *c, const char *path, int layer)
{
	const struct aliases *a = c->plan.n ? bh_map_get(&c->plan, path) : NULL;
	size_t i;
	for (i = 0; a && i < a->n; i++)
		if (a->v[i].hard ? layer <= a->v[i].layer : layer == a->v[i].layer)
			return true;
	return false;
}

int bh_collect_alias_file(bh_collect *c, const char *path, int layer, uint32_t mode, uint64_t size,
			  const bh_file_ops *ops, void *ctx, bh_error *err)
{
	const struct aliases *a = bh_map_get(&c->plan, path);
	const char *first = NULL;
	size_t i;
	int rc;
	for (i = 0; a && i < a->n; i++) {
		const struct alias *x = &a->v[i];
		if (!(x->hard ? layer <= x->layer : layer == x->layer))
			continue;
		if (!first) {
			bh_log_debug("/%s read as /%s (link)", path, x->name);
			if ((rc = bh_collect_file(c, x->name, mode, size, x->layer, ops, ctx, err)))
				return rc;
			first = x->name;
		} else if ((rc = bh_collect_link(c, x->name, first, x->layer, err))) {
			return rc;
		}
	}
	return 0;
}

struct kv {
	const char *k;
	struct result *r;
};

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

int bh_collect_finish(bh_collect *c, bh_error *err)
{
	size_t i = 0, j, n = 0;
	const char *k;
	void *v;
	struct kv *all;
	int rc;

	if ((rc = mark_owners(c, err)))
		return rc;
	/*
	 * In path order: the map's own order depends on the order of insertion, which a threaded walk
	 * does not fix, and the sbom's final sort leaves equal components in the order given.
	 */
	all = c->results.n ? calloc(c->results.n, sizeof(*all)) : NULL;
	if (c->results.n && !all)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	while (all && n < c->results.n && bh_map_next(&c->results, &i, &k, &v)) {
		all[n].k = k;
		all[n++].r = v;
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), kv_cmp);
	for (i = 0; i < n; i++) {
		struct result *r = all[i].r;
		r->count = NULL; /* the components leave for the sbom below */
		for (j = 0; j < r->comps.n; j++) {
			bh_component *cp = r->comps.items[j];
			if (!cp->path) {
				bh_buf b = BH_BUF_INIT;
				if (bh_buf_putc(&b, '/') || bh_buf_puts(&b, all[i].k)) {
					bh_buf_free(&b);
					free(all);
					return bh_error_set(err, BH_ENOMEM, "out of memory");
				}
				cp->path = bh_buf_steal(&b);
			}
		}
		if (bh_complist_move(&c->sbom->comps, &r->comps)) {
			free(all);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	free(all);
	c->sbom->files_seen = c->files;
	return 0;
}

int bh_path_clean(const char *in, char *out, size_t outsz, bool *was_absolute)
{
	if (was_absolute)
		*was_absolute = (*in == '/');
	return clean_into(in, out, outsz, false);
}
