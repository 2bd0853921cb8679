/* dirsrc.c - a root filesystem directory (dir:/ scans the host): walks it without following links. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/log.h"
#include "image/collect.h"
#include "image/source.h"

#define MAX_DEPTH 128
#define MAX_THREADS 16

/*
 * The walk. Directories wait on a shared stack; each thread takes one, lists it (readdir, and a
 * stat where the entry type does not say enough), hands its subdirectories back to the stack at
 * once so an idle thread can take them, then analyzes the wanted files of that directory. With
 * an entry hook (the checks of `scan`) one thread does everything, in the same order every run:
 * hooks are not thread-safe. Whatever a thread changes in the collect goes through c->lock.
 */
struct pending {
	char *rel;       /* relative to the root, no leading '/'; "" is the root */
	unsigned depth;
};

struct walk {
	bh_collect *c;
	int root;
	bool host_root;  /* scanning "/": skip kernel pseudo filesystems */
	const bh_glob_skip *skip; /* --skip-dirs/--skip-files relative to the root, NULL = none */
	pthread_mutex_t mu;      /* the stack, the state below and (as c->lock) the collect */
	pthread_cond_t cv;
	struct pending *stack;
	size_t n, cap;
	unsigned busy;           /* threads listing or analyzing a directory */
	bool stop;
	int rc;                  /* first fatal error */
	bh_error err;
	bh_logger *log;
	bool threaded;
};

/* One directory's entries, listed before any is analyzed. */
struct ent {
	size_t name;     /* offset into names */
	size_t link;     /* symlinks: offset of the target in names, else (size_t)-1 */
	uint32_t mode;
	uint64_t size;
	unsigned char kind; /* 0 skip, 1 dir, 2 wanted file, 3 other regular file, 4 symlink */
};

struct fdctx {
	int fd;
	uint64_t pos;
};

static int fd_read(void *ctx, void *buf, size_t n, size_t *got, bh_error *err)
{
	struct fdctx *f = ctx;
	ssize_t r;
	do
		r = pread(f->fd, buf, n, (off_t)f->pos);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return bh_error_set(err, BH_EIO, "read: %s", strerror(errno));
	f->pos += (uint64_t)r;
	*got = (size_t)r;
	return 0;
}

static int fd_pread(void *ctx, void *buf, size_t n, uint64_t off, size_t *got, bh_error *err)
{
	struct fdctx *f = ctx;
	ssize_t r;
	do
		r = pread(f->fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return bh_error_set(err, BH_EIO, "read: %s", strerror(errno));
	*got = (size_t)r;
	return 0;
}

static const bh_file_ops fd_ops = { fd_read, fd_pread };

static bool skip_top(const char *name)
{
	return !strcmp(name, "proc") || !strcmp(name, "sys") || !strcmp(name, "dev");
}

static void lock_w(struct walk *w)
{
	if (w->threaded)
		pthread_mutex_lock(&w->mu);
}

static void unlock_w(struct walk *w)
{
	if (w->threaded)
		pthread_mutex_unlock(&w->mu);
}

/* Records the first fatal error and stops every thread (w->mu held when threaded). */
static void fail_locked(struct walk *w, int rc, const bh_error *err)
{
	if (!w->rc) {
		w->rc = rc;
		w->err = *err;
	}
	__atomic_store_n(&w->stop, true, __ATOMIC_RELAXED);
	if (w->threaded)
		pthread_cond_broadcast(&w->cv);
}

static int push_locked(struct walk *w, const char *rel, unsigned depth)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64, bytes;
		struct pending *ns;
		if (!bh_size_mul(nc, sizeof(*ns), &bytes) || !(ns = realloc(w->stack, bytes)))
			return BH_ENOMEM;
		w->stack = ns;
		w->cap = nc;
	}
	if (!(w->stack[w->n].rel = bh_strdup(rel)))
		return BH_ENOMEM;
	w->stack[w->n++].depth = depth;
	return 0;
}

/*
 * Lists one directory into ents/names: what each entry is, which regular files an analyzer or
 * the hook wants. Hook entries are reported here, in directory order.
 */
static int list_dir(struct walk *w, DIR *d, char *path, size_t plen, unsigned depth, bh_buf *names, bh_buf *ents,
		    bh_error *err)
{
	bh_collect *c = w->c;
	struct dirent *de;
	int rc = 0;
	bool hooked = c->hook && c->hook->entry;

	while (!rc && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		size_t nlen = strlen(name), newlen;
		struct stat st;
		struct ent e;

		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (depth == 0 && w->host_root && skip_top(name))
			continue;
		newlen = plen + (plen ? 1 : 0) + nlen;
		if (newlen + 1 >= 4096)
			continue;
		if (plen)
			path[plen] = '/';
		memcpy(path + plen + (plen ? 1 : 0), name, nlen + 1);
		memset(&e, 0, sizeof(e));
		e.name = names->len;
		e.link = (size_t)-1;
		if (bh_buf_append(names, name, nlen + 1))
			goto oom;
		if (de->d_type == DT_LNK) {
			/* Never followed during the walk; remembered so aliases resolve inside ROOT later. */
			char tgt[4096];
			ssize_t tl;
			if (bh_glob_skip_file(w->skip, path)) {
				bh_log_debug("/%s: skipped (--skip-files)", path);
			} else if ((tl = readlinkat(dirfd(d), name, tgt, sizeof(tgt) - 1)) > 0) {
				e.kind = 4;
				e.link = names->len;
				if (bh_buf_append(names, tgt, (size_t)tl) || bh_buf_putc(names, '\0'))
					goto oom;
			}
		} else if (de->d_type == DT_CHR || de->d_type == DT_BLK || de->d_type == DT_FIFO || de->d_type == DT_SOCK) {
			/* nothing to read */
		} else if (!hooked && de->d_type == DT_DIR) {
			/* the entry says enough: no stat for a directory when no hook wants its mode */
			if (bh_glob_skip_dir(w->skip, path))
				bh_log_debug("/%s: skipped (--skip-dirs)", path);
			else
				e.kind = 1;
		} else if (!hooked && de->d_type == DT_REG && !bh_collect_needs_stat(c, path)) {
			/* nothing could want it whatever its mode: remembered by name only (links may reach it) */
			if (bh_glob_skip_file(w->skip, path))
				bh_log_debug("/%s: skipped (--skip-files)", path);
			else
				e.kind = 3;
		} else if (!fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW)) {
			/* a skipped directory is never opened: nothing below it is walked, analyzed or checked */
			if (S_ISDIR(st.st_mode) ? bh_glob_skip_dir(w->skip, path) : bh_glob_skip_file(w->skip, path)) {
				bh_log_debug("/%s: skipped (%s)", path, S_ISDIR(st.st_mode) ? "--skip-dirs" : "--skip-files");
			} else {
				e.mode = st.st_mode;
				e.size = (uint64_t)st.st_size;
				if (hooked &&
				    (rc = bh_collect_entry(c, -1, S_ISDIR(st.st_mode) ? BH_ENTRY_DIR : S_ISREG(st.st_mode) ? BH_ENTRY_FILE : BH_ENTRY_OTHER,
							   path, st.st_mode, (uint64_t)st.st_size, err)))
					break;
				if (S_ISDIR(st.st_mode))
					e.kind = 1;
				else if (S_ISREG(st.st_mode))
					e.kind = bh_collect_wants(c, path, st.st_mode, (uint64_t)st.st_size) ? 2 : 3;
			}
		}
		if (bh_buf_append(ents, &e, sizeof(e)))
			goto oom;
	}
	path[plen] = '\0';
	return rc;
oom:
	path[plen] = '\0';
	return bh_error_set(err, BH_ENOMEM, "out of memory");
}

/* Makes path = dir + '/' + name (dir may be ""); false when too long (never, as list_dir checked). */
static bool join(char *path, size_t plen, const char *name)
{
	size_t nlen = strlen(name);
	if (plen + 1 + nlen + 1 > 4096)
		return false;
	if (plen)
		path[plen] = '/';
	memcpy(path + plen + (plen ? 1 : 0), name, nlen + 1);
	return true;
}

/* Walks one directory: list it, publish its subdirectories and links, analyze its files. */
static int walk_one(struct walk *w, const char *rel, unsigned depth, char *path, bh_buf *names, bh_buf *ents,
		    bh_error *err)
{
	bh_collect *c = w->c;
	size_t plen = strlen(rel), i, nent;
	const struct ent *ev;
	DIR *d;
	int dfd, rc = 0;

	if (depth > MAX_DEPTH) {
		lock_w(w);
		bh_sbom_warn(c->sbom, "/%s: deeper than %d directories, not descended", rel, MAX_DEPTH);
		unlock_w(w);
		return 0;
	}
	if ((dfd = bh_file_open_beneath(w->root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return 0;
	}
	memcpy(path, rel, plen + 1);
	bh_buf_reset(names);
	bh_buf_reset(ents);
	if ((rc = list_dir(w, d, path, plen, depth, names, ents, err)))
		goto out;
	ev = (const struct ent *)(void *)ents->data;
	nent = ents->len / sizeof(*ev);

	/* Everything the collect learns from the listing, under one lock. */
	lock_w(w);
	if (!(rc = bh_collect_tick_n(c, nent, err))) {
		uint64_t before = c->files - nent;
		if ((c->files >> 13) != (before >> 13))
			bh_log_progress("bulkhead: %llu files", (unsigned long long)c->files);
	}
	for (i = nent; !rc && i-- > 0;) {
		const char *name = names->data + ev[i].name;
		if (ev[i].kind != 1 && ev[i].kind != 3 && ev[i].kind != 4)
			continue;
		join(path, plen, name);
		if (ev[i].kind == 1)
			rc = push_locked(w, path, depth + 1) ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
		else if (ev[i].kind == 3)
			bh_collect_note_unwanted(c, path, -1);
		else
			rc = bh_collect_symlink(c, path, names->data + ev[i].link, -1, err);
	}
	path[plen] = '\0';
	if (w->threaded)
		pthread_cond_broadcast(&w->cv);
	unlock_w(w);

	for (i = 0; !rc && i < nent && !__atomic_load_n(&w->stop, __ATOMIC_RELAXED); i++) {
		struct fdctx fc = { -1, 0 };
		if (ev[i].kind != 2)
			continue;
		join(path, plen, names->data + ev[i].name);
		fc.fd = openat(dirfd(d), names->data + ev[i].name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fc.fd < 0) {
			lock_w(w);
			bh_sbom_warn(c->sbom, "/%s: %s", path, strerror(errno));
			unlock_w(w);
			continue;
		}
		rc = bh_collect_file(c, path, ev[i].mode, ev[i].size, -1, &fd_ops, &fc, err);
		close(fc.fd);
	}
	path[plen] = '\0';
out:
	closedir(d);
	return rc;
}

/* One thread of the walk: takes directories until none is left and nobody can add more. */
static void *walker(void *arg)
{
	struct walk *w = arg;
	char *path = malloc(4096);
	bh_buf names = BH_BUF_INIT, ents = BH_BUF_INIT;
	bh_logger *prev = w->threaded ? bh_log_install(w->log) : NULL;

	lock_w(w);
	if (!path) {
		bh_error e;
		bh_error_set(&e, BH_ENOMEM, "out of memory");
		fail_locked(w, BH_ENOMEM, &e);
		unlock_w(w);
		if (w->threaded)
			bh_log_install(prev);
		return NULL;
	}
	for (;;) {
		struct pending p;
		bh_error err;
		int rc;
		while (!w->stop && w->n == 0 && w->busy > 0)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop || w->n == 0)
			break;
		p = w->stack[--w->n];
		w->busy++;
		unlock_w(w);
		bh_error_clear(&err);
		rc = walk_one(w, p.rel, p.depth, path, &names, &ents, &err);
		free(p.rel);
		lock_w(w);
		w->busy--;
		if (rc)
			fail_locked(w, rc, &err);
		if (w->threaded && w->n == 0 && w->busy == 0)
			pthread_cond_broadcast(&w->cv);
	}
	unlock_w(w);
	free(path);
	bh_buf_free(&names);
	bh_buf_free(&ents);
	if (w->threaded)
		bh_log_install(prev);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks the whole tree from w->root with nthreads threads (the caller's counts as one). */
static int walk_tree(struct walk *w, unsigned nthreads, bh_error *err)
{
	pthread_t tid[MAX_THREADS];
	unsigned started = 0, i;
	size_t w0 = w->c->sbom->nwarnings;

	w->threaded = nthreads > 1;
	if (push_locked(w, "", 0))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (w->threaded) {
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		w->log = bh_log_current();
		w->c->lock = &w->mu;
		for (i = 1; i < nthreads && i < MAX_THREADS; i++)
			if (!pthread_create(&tid[started], NULL, walker, w))
				started++;
	}
	walker(w);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (w->threaded) {
		w->c->lock = NULL;
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
	}
	/* threads warn in the order they get there: one order every run, whatever the number of cores */
	if (w->c->sbom->nwarnings - w0 > 1)
		qsort(w->c->sbom->warnings + w0, w->c->sbom->nwarnings - w0, sizeof(char *), cmp_str);
	while (w->n)
		free(w->stack[--w->n].rel);
	free(w->stack);
	w->stack = NULL;
	if (w->rc) {
		*err = w->err;
		return w->rc;
	}
	return 0;
}

/* Files reachable under a wanted name only through links (see "Links" in collect.c). */
static int read_aliases(bh_collect *c, const char *path, bh_error *err)
{
	size_t i = 0;
	const char *k;
	void *v;
	int root, rc = 0, last;
	bool needed;

	root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return 0;
	if ((rc = bh_collect_plan(c, &last, &needed, err)) || !needed) {
		if (!rc)
			rc = bh_collect_owners_dir(c, root, err);
		close(root);
		return rc;
	}
	c->pass2 = true;
	c->hook = NULL;
	while (!rc && bh_map_next(&c->plan, &i, &k, &v)) {
		struct stat st;
		struct fdctx fc = { -1, 0 };
		fc.fd = bh_file_open_beneath(root, k, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fc.fd < 0)
			continue;
		if (fstat(fc.fd, &st) || !S_ISREG(st.st_mode)) {
			close(fc.fd);
			continue;
		}
		rc = bh_collect_alias_file(c, k, -1, st.st_mode, (uint64_t)st.st_size, &fd_ops, &fc, err);
		close(fc.fd);
	}
	c->pass2 = false;
	if (!rc)
		rc = bh_collect_owners_dir(c, root, err);
	close(root);
	return rc;
}

/*
 * Four threads per core, at least four, at most MAX_THREADS (BH_THREADS overrides): on a warm cache
 * the walk is CPU-bound and extra threads cost nothing measurable, on a cold one it waits for the
 * disk and more requests in flight pay (dir:/ with the page cache dropped, 2 cores: 10.3 s with 2
 * threads, 4.1 s with 8; find / -xdev -type f 6.1 s). One thread when the scan has hooks.
 */
static unsigned threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	const char *e = getenv("BH_THREADS");
	if (e && *e)
		n = atol(e);
	else
		n = n < 1 ? 4 : n * 4 < 4 ? 4 : n * 4;
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

int bh_source_dir(const char *path, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	struct walk w;
	bh_collect c;
	bh_glob_skip skip;
	char real[4096];
	int fd, rc;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", path, strerror(errno));
	memset(&w, 0, sizeof(w));
	w.root = fd;
	w.host_root = realpath(path, real) && strcmp(real, "/") == 0;
	{
		/* absolute and ./-relative patterns are taken against the directory's real path */
		char cwd[4096];
		rc = bh_glob_skip_for_root(o->skip, realpath(path, real) ? real : path, getcwd(cwd, sizeof(cwd)), &skip, err);
		if (rc) {
			close(fd);
			return rc;
		}
		w.skip = bh_glob_skip_empty(&skip) ? NULL : &skip;
	}
	bh_collect_init(&c, &o->limits, s);
	c.hook = o->hook;
	c.defer_owners = true;
	w.c = &c;
	rc = walk_tree(&w, c.hook ? 1 : threads(), err);
	close(fd);
	if (!rc)
		rc = read_aliases(&c, path, err);
	if (!rc)
		rc = bh_collect_finish(&c, err);
	bh_collect_free(&c);
	bh_glob_skip_free(&skip);
	if (!rc && !s->name)
		s->name = bh_strdup(w.host_root ? "/" : path);
	return rc;
}
