/* dirsrc.c - a root filesystem directory (dir:/ scans the host): walks it without following links. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "image/collect.h"
#include "core/log.h"
#include "image/source.h"

#define MAX_DEPTH 128

struct walk {
	bh_collect *c;
	char path[4096]; /* relative to the root, no leading '/' */
	bool host_root;  /* scanning "/": skip kernel pseudo filesystems */
	const bh_glob_skip *skip; /* --skip-dirs/--skip-files relative to the root, NULL = none */
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

static int walk_dir(struct walk *w, int dfd, size_t plen, unsigned depth, bh_error *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		bh_sbom_warn(w->c->sbom, "/%s: deeper than %d directories, not descended", w->path, MAX_DEPTH);
		close(dfd);
		return 0;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		size_t nlen = strlen(name), newlen;
		struct stat st;

		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (depth == 0 && w->host_root && skip_top(name))
			continue;
		newlen = plen + (plen ? 1 : 0) + nlen;
		if (newlen + 1 >= sizeof(w->path))
			continue;
		if (plen)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen ? 1 : 0), name, nlen + 1);
		if ((rc = bh_collect_tick(w->c, err)))
			break;
		if ((w->c->files & 8191) == 0)
			bh_log_progress("bulkhead: %llu files", (unsigned long long)w->c->files);
		if (de->d_type == DT_LNK && bh_glob_skip_file(w->skip, w->path)) {
			bh_log_debug("/%s: skipped (--skip-files)", w->path);
			goto next;
		}
		if (de->d_type == DT_LNK) {
			/* Never followed during the walk; remembered so aliases resolve inside ROOT later. */
			char tgt[4096];
			ssize_t tl = readlinkat(dirfd(d), name, tgt, sizeof(tgt) - 1);
			if (tl > 0) {
				tgt[tl] = '\0';
				if ((rc = bh_collect_symlink(w->c, w->path, tgt, -1, err)))
					break;
			}
			goto next;
		}
		if (de->d_type == DT_CHR || de->d_type == DT_BLK || de->d_type == DT_FIFO || de->d_type == DT_SOCK)
			goto next;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW))
			goto next;
		/* a skipped directory is never opened: nothing below it is walked, analyzed or checked */
		if (S_ISDIR(st.st_mode) ? bh_glob_skip_dir(w->skip, w->path) : bh_glob_skip_file(w->skip, w->path)) {
			bh_log_debug("/%s: skipped (%s)", w->path, S_ISDIR(st.st_mode) ? "--skip-dirs" : "--skip-files");
			goto next;
		}
		if ((rc = bh_collect_entry(w->c, -1, S_ISDIR(st.st_mode) ? BH_ENTRY_DIR : S_ISREG(st.st_mode) ? BH_ENTRY_FILE : BH_ENTRY_OTHER,
					   w->path, st.st_mode, (uint64_t)st.st_size, err)))
			break;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && (rc = walk_dir(w, sub, newlen, depth + 1, err)))
				break;
		} else if (S_ISREG(st.st_mode) && bh_collect_wants(w->c, w->path, st.st_mode, (uint64_t)st.st_size)) {
			struct fdctx fc = { -1, 0 };
			fc.fd = openat(dirfd(d), name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fc.fd < 0) {
				bh_sbom_warn(w->c->sbom, "/%s: %s", w->path, strerror(errno));
				goto next;
			}
			rc = bh_collect_file(w->c, w->path, st.st_mode, (uint64_t)st.st_size, -1, &fd_ops, &fc, err);
			close(fc.fd);
			if (rc)
				break;
		} else if (S_ISREG(st.st_mode)) {
			bh_collect_note_unwanted(w->c, w->path, -1);
		}
next:
		w->path[plen] = '\0';
	}
	w->path[plen] = '\0';
	closedir(d);
	return rc;
}

/*
 * Opens ROOT/rel one component at a time without following any link, so a path can never leave
 * ROOT (rel comes from our own walk, which did not follow links either; this also holds if the
 * tree changed since). Returns an fd of a regular file or -1.
 */
static int open_beneath(int root, const char *rel, struct stat *st)
{
	char comp[4096];
	int dfd = root, fd = -1;
	const char *p = rel;
	for (;;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);
		if (!n || n >= sizeof(comp))
			break;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!sl) {
			fd = openat(dfd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd >= 0 && (fstat(fd, st) || !S_ISREG(st->st_mode))) {
				close(fd);
				fd = -1;
			}
			break;
		}
		fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd != root)
			close(dfd);
		if (fd < 0)
			return -1;
		dfd = fd;
		fd = -1;
		p = sl + 1;
	}
	if (dfd != root)
		close(dfd);
	return fd;
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
		fc.fd = open_beneath(root, k, &st);
		if (fc.fd < 0)
			continue;
		rc = bh_collect_alias_file(c, k, -1, st.st_mode, (uint64_t)st.st_size, &fd_ops, &fc, err);
		close(fc.fd);
	}
	c->pass2 = false;
	if (!rc)
		rc = bh_collect_owners_dir(c, root, err);
	close(root);
	return rc;
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
	rc = walk_dir(&w, fd, 0, 0, err);
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
