/* drift.c - a container's overlay upper dir against its image's layers: added, changed, mode, owner, deleted. */
#include "runtime/drift.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/log.h"
#include "core/map.h"
#include "engine/engine.h"

const char *const bh_drift_default_allow[] = { "/tmp", "/var/tmp", "/run", "/var/run", "/var/cache" };
const size_t bh_drift_default_nallow = sizeof(bh_drift_default_allow) / sizeof(bh_drift_default_allow[0]);

#define MAX_LAYERS 512

struct ctx {
	int upper;              /* the upper dir */
	int *lower;             /* each layer's root, top first */
	size_t nlower;
	const bh_drift_opts *o;
	size_t max_entries;
	unsigned max_depth;
	bh_drift_report *r;
	bh_error *err;
};

/* The contributing directories of one path across the layers, top first (see layer_dirs). */
struct ldirs {
	int fd[MAX_LAYERS];
	size_t n;
};

static void ldirs_close(struct ldirs *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->fd[i]);
	l->n = 0;
}

const char *bh_drift_kind_name(bh_drift_kind k)
{
	static const char *const names[] = { "added", "changed", "mode", "owner", "deleted" };
	return (unsigned)k < BH_DRIFT__COUNT ? names[k] : "unknown";
}

size_t bh_drift_count(const bh_drift_report *r)
{
	size_t n = 0;
	for (int k = 0; k < BH_DRIFT__COUNT; k++)
		n += r->count[k];
	return n;
}

static void meta_free(bh_drift_meta *m)
{
	free(m->link);
	m->link = NULL;
}

void bh_drift_report_free(bh_drift_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].path);
		meta_free(&r->v[i].image);
		meta_free(&r->v[i].container);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* overlayfs marks a directory that replaced a lower one (nothing below shows through) with this xattr. */
static bool is_opaque(int dfd)
{
	char v[4];
	ssize_t n = fgetxattr(dfd, "trusted.overlay.opaque", v, sizeof(v));
	if (n < 0)
		n = fgetxattr(dfd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

/*
 * The directories that make up rel ("" = root) in the image's merged view, top layer first: a layer
 * contributes when it has rel as a directory; the walk stops below a layer where rel is opaque, or
 * where rel or one of its parents is opaque, a whiteout or not a directory. l->fd are the caller's
 * (ldirs_close). 0 or BH_EIO.
 */
static int layer_dirs(struct ctx *c, const char *rel, struct ldirs *l)
{
	l->n = 0;
	for (size_t i = 0; i < c->nlower; i++) {
		const char *p = rel;
		int dfd = dup(c->lower[i]);
		bool opaque = false, stop = false;
		if (dfd < 0)
			return bh_error_set(c->err, BH_EIO, "dup: %s", strerror(errno));
		while (*p) {
			const char *sl = strchr(p, '/');
			size_t n = sl ? (size_t)(sl - p) : strlen(p);
			char comp[256];
			int fd;
			if (n >= sizeof(comp)) {
				close(dfd);
				return bh_error_set(c->err, BH_EIO, "/%s: name too long", rel);
			}
			memcpy(comp, p, n);
			comp[n] = '\0';
			fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
			dfd = -1;
			if (fd < 0) {
				if (errno == ENOENT) {
					stop = opaque; /* not in this layer: lower ones show through unless a parent here is opaque */
					break;
				}
				if (errno == ENOTDIR || errno == ELOOP) {
					stop = true; /* a file, link or whiteout in this layer hides the rest */
					break;
				}
				ldirs_close(l);
				return bh_error_set(c->err, BH_EIO, "layer %zu: /%s: %s", i, rel, strerror(errno));
			}
			if (is_opaque(fd))
				opaque = true;
			dfd = fd;
			p = sl ? sl + 1 : p + n;
		}
		if (dfd >= 0) {
			l->fd[l->n++] = dfd;
			if (opaque) /* rel or a parent replaced what the layers below had */
				break;
			continue;
		}
		if (stop)
			break;
	}
	return 0;
}

/* rel's name in the image under its parent's layer dirs: 1 found (*st, *dfd borrowed from l), 0 absent. */
static int image_find(const struct ldirs *l, const char *name, struct stat *st, int *dfd)
{
	for (size_t i = 0; i < l->n; i++) {
		if (fstatat(l->fd[i], name, st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (is_whiteout(st))
				return 0;
			*dfd = l->fd[i];
			return 1;
		}
	}
	return 0;
}

static char type_of(mode_t m)
{
	if (S_ISREG(m)) return 'f';
	if (S_ISDIR(m)) return 'd';
	if (S_ISLNK(m)) return 'l';
	if (S_ISCHR(m)) return 'c';
	if (S_ISBLK(m)) return 'b';
	if (S_ISFIFO(m)) return 'p';
	return 's';
}

static void meta_set(bh_drift_meta *m, const struct stat *st)
{
	m->present = true;
	m->type = type_of(st->st_mode);
	m->mode = st->st_mode & 07777;
	m->uid = st->st_uid;
	m->gid = st->st_gid;
	m->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
}

static int read_link(struct ctx *c, int dfd, const char *name, const char *path, bh_drift_meta *m)
{
	char buf[4096];
	ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return bh_error_set(c->err, BH_EIO, "%s: readlink: %s", path, strerror(errno));
	buf[n] = '\0';
	if (!(m->link = bh_strdup(buf)))
		return BH_ENOMEM;
	return 0;
}

/* Opens a regular file of dfd without following a link, and checks it is still the file st described. */
static int open_file(struct ctx *c, int dfd, const char *name, const char *path, const struct stat *st)
{
	struct stat now;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return bh_error_set(c->err, BH_EIO, "%s: open: %s", path, strerror(errno));
	if (fstat(fd, &now) || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		close(fd);
		return bh_error_set(c->err, BH_EIO, "%s: changed while it was read", path);
	}
	return fd;
}

static int hash_fd(struct ctx *c, int fd, const char *path, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *md_ctx = EVP_MD_CTX_new();
	int rc = 0;
	off_t off = 0;
	if (!md_ctx || EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md_ctx);
		return bh_error_set(c->err, BH_ENOMEM, "%s: sha256", path);
	}
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = bh_error_set(c->err, BH_EIO, "%s: read: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		off += n;
		if (EVP_DigestUpdate(md_ctx, buf, (size_t)n) != 1) {
			rc = bh_error_set(c->err, BH_ENOMEM, "%s: sha256", path);
			break;
		}
	}
	if (!rc && (EVP_DigestFinal_ex(md_ctx, md, &mdlen) != 1 || mdlen != 32))
		rc = bh_error_set(c->err, BH_ENOMEM, "%s: sha256", path);
	EVP_MD_CTX_free(md_ctx);
	if (!rc) {
		for (unsigned i = 0; i < 32; i++) {
			out[2 * i] = hex[md[i] >> 4];
			out[2 * i + 1] = hex[md[i] & 15];
		}
		out[64] = '\0';
	}
	return rc;
}

static uint64_t rd(const unsigned char *p, int n, bool be)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * ELF kind of an open file: 0 not ELF, 1 executable (ET_EXEC, or ET_DYN with an interpreter: PIE),
 * 2 shared library (ET_DYN without PT_INTERP). Only the header and program headers are read.
 */
static int elf_kind(int fd)
{
	unsigned char h[64], ph[56];
	bool is64, be;
	uint64_t phoff, type;
	unsigned phnum, phent;
	if (pread(fd, h, sizeof(h), 0) < 52 || memcmp(h, "\177ELF", 4) != 0 || (h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
		return 0;
	is64 = h[4] == 2;
	be = h[5] == 2;
	type = rd(h + 16, 2, be);
	if (type == 2)
		return 1;
	if (type != 3)
		return 0;
	phoff = is64 ? rd(h + 32, 8, be) : rd(h + 28, 4, be);
	phent = (unsigned)rd(h + (is64 ? 54 : 42), 2, be);
	phnum = (unsigned)rd(h + (is64 ? 56 : 44), 2, be);
	if (phent < (is64 ? 56u : 32u) || phnum > 512 || phoff > (uint64_t)1 << 40)
		return 2;
	for (unsigned i = 0; i < phnum; i++) {
		if (pread(fd, ph, is64 ? 56 : 32, (off_t)(phoff + (uint64_t)i * phent)) != (is64 ? 56 : 32))
			break;
		if (rd(ph, 4, be) == 3) /* PT_INTERP */
			return 1;
	}
	return 2;
}

static bool so_name(const char *path)
{
	const char *b = strrchr(path, '/'), *s;
	b = b ? b + 1 : path;
	for (s = strstr(b, ".so"); s; s = strstr(s + 1, ".so"))
		if (s[3] == '\0' || s[3] == '.')
			return true;
	return false;
}

static bool path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 1 && prefix[0] == '/')
		return true;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool allowed(const struct ctx *c, const char *path)
{
	const char *const *a = c->o->allow ? c->o->allow : bh_drift_default_allow;
	size_t n = c->o->allow ? c->o->nallow : bh_drift_default_nallow;
	for (size_t i = 0; i < n; i++)
		if (path_under(path, a[i]))
			return true;
	return false;
}

static bool skipped(const struct ctx *c, const char *path)
{
	for (size_t i = 0; i < c->o->nskip; i++)
		if (path_under(path, c->o->skip[i]))
			return true;
	return false;
}

static int push_entry(struct ctx *c, bh_drift_entry *e)
{
	bh_drift_report *r = c->r;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64, bytes;
		bh_drift_entry *nv;
		if (!bh_size_mul(nc, sizeof(*nv), &bytes) || !(nv = realloc(r->v, bytes)))
			return bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
		r->v = nv;
		r->cap = nc;
	}
	e->allowed = allowed(c, e->path);
	if (e->kind == BH_DRIFT_DELETED)
		e->severity = BH_SEV_LOW;
	else if ((e->kind != BH_DRIFT_OWNER && (e->executable || e->library)) ||
		 (e->kind == BH_DRIFT_MODE && (e->container.mode & 06000) && !(e->image.mode & 06000)))
		e->severity = BH_SEV_HIGH;
	else
		e->severity = BH_SEV_MEDIUM;
	if (e->allowed)
		r->allowed++;
	else
		r->count[e->kind]++;
	r->v[r->n++] = *e;
	return 0;
}

static void entry_drop(bh_drift_entry *e)
{
	free(e->path);
	meta_free(&e->image);
	meta_free(&e->container);
}

/* "/" + rel + "/" + name ("" rel: the root). NULL on allocation failure. */
static char *join(const char *rel, const char *name, bool abs)
{
	bh_buf b = BH_BUF_INIT;
	if (abs)
		(void)bh_buf_putc(&b, '/');
	(void)bh_buf_puts(&b, rel);
	if (*rel && *name)
		(void)bh_buf_putc(&b, '/');
	(void)bh_buf_puts(&b, name);
	if (b.failed) {
		bh_buf_free(&b);
		return NULL;
	}
	if (!b.data)
		return bh_strdup("");
	return b.data;
}

static int count_entry(struct ctx *c, const char *path)
{
	if (++c->r->walked > c->max_entries)
		return bh_error_set(c->err, BH_ELIMIT, "%s: more than %zu entries in the upper dir and opaque dirs (max_entries)", path, c->max_entries);
	return 0;
}

/*
 * The image entries below the opaque upper dir rel (udfd) that the upper dir has not: deleted.
 * Image directories the upper dir re-created are descended into; an entry of another type in the
 * upper dir is the walk's "changed".
 */
static int opaque_deleted(struct ctx *c, const char *rel, int udfd, unsigned depth)
{
	struct ldirs l;
	bh_map seen;
	int rc = 0;
	if (depth > c->max_depth)
		return bh_error_set(c->err, BH_ELIMIT, "/%s: deeper than %u directories (max_depth)", rel, c->max_depth);
	if ((rc = layer_dirs(c, rel, &l)))
		return rc;
	bh_map_init(&seen, NULL);
	for (size_t i = 0; i < l.n && !rc; i++) {
		int fd = dup(l.fd[i]);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;
		if (!d) {
			if (fd >= 0)
				close(fd);
			rc = bh_error_set(c->err, BH_EIO, "image /%s: %s", rel, strerror(errno));
			break;
		}
		while (!rc && (de = readdir(d))) {
			struct stat ist, ust;
			const char *nm = de->d_name;
			char *sub, *path;
			if (!strcmp(nm, ".") || !strcmp(nm, "..") || bh_map_get(&seen, nm))
				continue;
			if (bh_map_put(&seen, nm, (void *)1)) {
				rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
				break;
			}
			if (fstatat(l.fd[i], nm, &ist, AT_SYMLINK_NOFOLLOW) || is_whiteout(&ist))
				continue;
			if (!(sub = join(rel, nm, false)) || !(path = join(rel, nm, true))) {
				free(sub);
				rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
				break;
			}
			rc = count_entry(c, path);
			if (rc || skipped(c, path)) {
				/* over the limit, or a mount point: nothing to list */
			} else if (fstatat(udfd, nm, &ust, AT_SYMLINK_NOFOLLOW) == 0) {
				if (S_ISDIR(ust.st_mode) && S_ISDIR(ist.st_mode)) {
					int sfd = openat(udfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
					if (sfd < 0)
						rc = bh_error_set(c->err, BH_EIO, "%s: %s", path, strerror(errno));
					else {
						rc = opaque_deleted(c, sub, sfd, depth + 1);
						close(sfd);
					}
				}
			} else if (errno != ENOENT) {
				rc = bh_error_set(c->err, BH_EIO, "%s: %s", path, strerror(errno));
			} else {
				bh_drift_entry e;
				memset(&e, 0, sizeof(e));
				e.kind = BH_DRIFT_DELETED;
				meta_set(&e.image, &ist);
				e.path = path;
				path = NULL;
				if (S_ISLNK(ist.st_mode))
					rc = read_link(c, l.fd[i], nm, e.path, &e.image);
				if (rc || (rc = push_entry(c, &e)))
					entry_drop(&e);
			}
			free(path);
			free(sub);
		}
		closedir(d);
	}
	bh_map_free(&seen);
	ldirs_close(&l);
	return rc;
}

/* One entry of the upper dir (name in udfd, parent rel, image side under pl). */
static int upper_entry(struct ctx *c, int udfd, const struct ldirs *pl, const char *name, const char *path, const struct stat *ust)
{
	struct stat ist;
	int idfd = -1, found, rc = 0, fd = -1;
	bh_drift_entry e;
	bool report = false;

	memset(&e, 0, sizeof(e));
	found = image_find(pl, name, &ist, &idfd);
	if (is_whiteout(ust)) {
		if (!found)
			return 0; /* hides nothing of the image (a layer of the container's own) */
		e.kind = BH_DRIFT_DELETED;
		meta_set(&e.image, &ist);
		if (S_ISLNK(ist.st_mode) && (rc = read_link(c, idfd, name, path, &e.image)))
			goto out;
		report = true;
		goto out;
	}
	meta_set(&e.container, ust);
	if (S_ISLNK(ust->st_mode) && (rc = read_link(c, udfd, name, path, &e.container)))
		goto out;
	if (S_ISREG(ust->st_mode)) {
		int k;
		if ((fd = open_file(c, udfd, name, path, ust)) < 0) {
			rc = fd;
			goto out;
		}
		k = elf_kind(fd);
		e.executable = (ust->st_mode & 0111) || k == 1;
		e.library = so_name(path) || k == 2;
	}
	if (!found) {
		e.kind = BH_DRIFT_ADDED;
		report = true;
		if (fd >= 0)
			rc = hash_fd(c, fd, path, e.container.sha256);
		goto out;
	}
	meta_set(&e.image, &ist);
	if (S_ISLNK(ist.st_mode) && (rc = read_link(c, idfd, name, path, &e.image)))
		goto out;
	if (e.image.type != e.container.type) {
		report = true;
	} else if (S_ISREG(ust->st_mode)) {
		int ifd = open_file(c, idfd, name, path, &ist);
		if (ifd < 0) {
			rc = ifd;
			goto out;
		}
		rc = hash_fd(c, ifd, path, e.image.sha256);
		close(ifd);
		if (rc || (rc = hash_fd(c, fd, path, e.container.sha256)))
			goto out;
		report = strcmp(e.image.sha256, e.container.sha256) != 0;
	} else if (S_ISLNK(ust->st_mode)) {
		report = strcmp(e.image.link, e.container.link) != 0;
	} else {
		report = (S_ISCHR(ust->st_mode) || S_ISBLK(ust->st_mode)) && ust->st_rdev != ist.st_rdev;
	}
	if (report)
		e.kind = BH_DRIFT_CHANGED;
	if (!report && e.image.mode != e.container.mode) {
		e.kind = BH_DRIFT_MODE;
		report = true;
	} else if (!report && (e.image.uid != e.container.uid || e.image.gid != e.container.gid)) {
		e.kind = BH_DRIFT_OWNER;
		report = true;
	}
out:
	if (fd >= 0)
		close(fd);
	if (!rc && report) {
		if (!(e.path = bh_strdup(path)))
			rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
		else if (!(rc = push_entry(c, &e)))
			return 0;
	}
	entry_drop(&e);
	return rc;
}

struct frame {
	char *rel;
	unsigned depth;
	bool in_opaque; /* below an opaque dir whose deletions were listed already */
};

static int walk_dir(struct ctx *c, struct frame *f, struct frame **stack, size_t *n, size_t *cap)
{
	struct ldirs l;
	int dfd, rc = 0;
	DIR *d;
	struct dirent *de;
	bool opq;

	l.n = 0;
	if (f->depth > c->max_depth)
		return bh_error_set(c->err, BH_ELIMIT, "/%s: deeper than %u directories (max_depth)", f->rel, c->max_depth);
	if ((dfd = bh_file_open_beneath(c->upper, f->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		/* a running container may remove a directory, or swap it for a link, while we walk */
		if (*f->rel && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV)) {
			bh_log_warn("drift: /%s changed during the walk (%s); not compared", f->rel, strerror(errno));
			return 0;
		}
		return bh_error_set(c->err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "upper dir /%s: %s", f->rel, strerror(errno));
	}
	opq = *f->rel && !f->in_opaque && is_opaque(dfd);
	if ((rc = layer_dirs(c, f->rel, &l))) {
		close(dfd);
		return rc;
	}
	if (opq && l.n) {
		char *p = join(f->rel, "", true);
		if (!p)
			rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
		else if (!skipped(c, p))
			rc = opaque_deleted(c, f->rel, dfd, f->depth);
		free(p);
	}
	if (rc || !(d = fdopendir(dfd))) {
		if (!rc)
			rc = bh_error_set(c->err, BH_EIO, "upper dir /%s: %s", f->rel, strerror(errno));
		close(dfd);
		ldirs_close(&l);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		struct stat st;
		char *path, *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!(path = join(f->rel, de->d_name, true))) {
			rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
			break;
		}
		if ((rc = count_entry(c, path))) {
		} else if (skipped(c, path)) {
			c->r->skipped++;
		} else if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno == ENOENT)
				bh_log_warn("drift: %s removed during the walk; not compared", path);
			else
				rc = bh_error_set(c->err, BH_EIO, "upper dir %s: %s", path, strerror(errno));
		} else if (!(rc = upper_entry(c, dfd, &l, de->d_name, path, &st)) && S_ISDIR(st.st_mode)) {
			if (!(sub = join(f->rel, de->d_name, false)))
				rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
			else {
				if (*n == *cap) {
					size_t nc = *cap ? *cap * 2 : 64, bytes;
					struct frame *ns;
					if (!bh_size_mul(nc, sizeof(*ns), &bytes) || !(ns = realloc(*stack, bytes))) {
						free(sub);
						free(path);
						rc = bh_error_set(c->err, BH_ENOMEM, "drift: out of memory");
						break;
					}
					*stack = ns;
					*cap = nc;
				}
				(*stack)[(*n)++] = (struct frame){ sub, f->depth + 1, f->in_opaque || opq };
			}
		}
		free(path);
	}
	closedir(d);
	ldirs_close(&l);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const bh_drift_entry *)a)->path, ((const bh_drift_entry *)b)->path);
}

int bh_drift_compare(const char *upper, const char *const *lowers, size_t nlowers, const bh_drift_opts *o,
		     bh_drift_report *r, bh_error *err)
{
	static const bh_drift_opts none;
	struct ctx c;
	struct frame *stack = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.o = o ? o : &none;
	c.r = r;
	c.err = err;
	c.max_entries = c.o->max_entries ? c.o->max_entries : 1000000;
	c.max_depth = c.o->max_depth ? c.o->max_depth : 128;
	if (nlowers > MAX_LAYERS)
		return bh_error_set(err, BH_ELIMIT, "%zu image layers (at most %d)", nlowers, MAX_LAYERS);
	if ((c.upper = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", upper, strerror(errno));
	if (nlowers && !(c.lower = calloc(nlowers, sizeof(int)))) {
		close(c.upper);
		return bh_error_set(err, BH_ENOMEM, "drift: out of memory");
	}
	for (i = 0; i < nlowers; i++) {
		if ((c.lower[i] = open(lowers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			rc = bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "image layer %s: %s", lowers[i], strerror(errno));
			break;
		}
		c.nlower++;
	}
	if (!rc) {
		char *root = bh_strdup("");
		if (!root || !(stack = malloc(sizeof(*stack))))
			rc = bh_error_set(err, BH_ENOMEM, "drift: out of memory");
		else {
			stack[0] = (struct frame){ root, 0, false };
			root = NULL;
			n = cap = 1;
		}
		free(root);
	}
	/* depth first; the root's own mode is the storage driver's, not the container's, and is not compared */
	while (!rc && n) {
		struct frame f = stack[--n];
		rc = walk_dir(&c, &f, &stack, &n, &cap);
		free(f.rel);
	}
	for (i = 0; i < n; i++)
		free(stack[i].rel);
	free(stack);
	for (i = 0; i < c.nlower; i++)
		close(c.lower[i]);
	free(c.lower);
	close(c.upper);
	if (!rc && r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), by_path);
	return rc;
}

/* Files the engine itself puts in every container's upper dir as mount points (bind-mounted over at start). */
static const char *const engine_paths[] = {
	"/proc", "/sys", "/dev", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab",
	"/run/.containerenv", "/.dockerenv", "/run/secrets",
};

int bh_drift_container(const char *host, const char *name, const bh_limits *lim, const bh_drift_opts *o,
		       bh_drift_report *r, json_t **inspect, bh_error *err)
{
	json_t *doc = NULL, *gd, *data, *mounts, *m;
	const char *drv, *upper, *lower;
	const char **lowers = NULL, **skip = NULL;
	char *lcopy = NULL;
	size_t nl = 0, ns = 0, i, nengine = sizeof(engine_paths) / sizeof(engine_paths[0]), nskip;
	bh_drift_opts opts;
	int rc;

	memset(r, 0, sizeof(*r));
	if (inspect)
		*inspect = NULL;
	if ((rc = bh_engine_container_inspect(host, name, lim, &doc, err)))
		return rc;
	gd = json_object_get(doc, "GraphDriver");
	data = json_object_get(gd, "Data");
	drv = json_string_value(json_object_get(gd, "Name"));
	upper = json_string_value(json_object_get(data, "UpperDir"));
	lower = json_string_value(json_object_get(data, "LowerDir"));
	if (!drv || strcmp(drv, "overlay") != 0 || !upper || upper[0] != '/') {
		rc = bh_error_set(err, BH_EUNSUPPORTED, "container %s: storage driver \"%s\" without an overlay UpperDir (drift reads overlay only)",
				  name, drv ? drv : "?");
		goto done;
	}
	if (lower && *lower) {
		char *p, *save = NULL;
		size_t cnt = 1;
		for (p = (char *)lower; *p; p++)
			cnt += *p == ':';
		if (cnt > MAX_LAYERS) {
			rc = bh_error_set(err, BH_ELIMIT, "container %s: %zu image layers (at most %d)", name, cnt, MAX_LAYERS);
			goto done;
		}
		if (!(lcopy = bh_strdup(lower)) || !(lowers = calloc(cnt, sizeof(*lowers)))) {
			rc = bh_error_set(err, BH_ENOMEM, "drift: out of memory");
			goto done;
		}
		for (p = strtok_r(lcopy, ":", &save); p; p = strtok_r(NULL, ":", &save))
			lowers[nl++] = p;
	}
	mounts = json_object_get(doc, "Mounts");
	nskip = json_is_array(mounts) ? json_array_size(mounts) : 0;
	if (!(skip = calloc(nengine + nskip + (o ? o->nskip : 0) + 1, sizeof(*skip)))) {
		rc = bh_error_set(err, BH_ENOMEM, "drift: out of memory");
		goto done;
	}
	for (i = 0; i < nengine; i++)
		skip[ns++] = engine_paths[i];
	/* volumes and bind mounts are not in the upper dir; what the image had below a mount point is hidden */
	json_array_foreach(mounts, i, m) {
		const char *dst = json_string_value(json_object_get(m, "Destination"));
		if (dst && dst[0] == '/' && dst[1])
			skip[ns++] = dst;
	}
	for (i = 0; o && i < o->nskip; i++)
		skip[ns++] = o->skip[i];
	if (o)
		opts = *o;
	else
		memset(&opts, 0, sizeof(opts));
	opts.skip = skip;
	opts.nskip = ns;
	if ((rc = bh_drift_compare(upper, lowers, nl, &opts, r, err)) && (rc == BH_EIO || rc == BH_ENOTFOUND))
		bh_error_wrap(err, "container %s (drift reads the engine's storage: run as root on the engine's host)", name);
done:
	free(skip);
	free(lowers);
	free(lcopy);
	if (inspect && !rc)
		*inspect = doc;
	else
		json_decref(doc);
	return rc;
}
