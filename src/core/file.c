/* file.c - the one place where user-named input files are opened (regular files only, never waiting) and where trees an attacker wrote are entered (never following a link). */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *bh_file_type_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFIFO: return "fifo";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case S_IFSOCK: return "socket";
	case S_IFLNK: return "symbolic link";
	default: return "unknown file type";
	}
}

int bh_file_open_regular(const char *path, int *fd, bh_error *err)
{
	struct stat st;
	int f, fl;

	*fd = -1;
	do
		f = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (f < 0 && errno == EINTR);
	if (f < 0) {
		if (errno == ENXIO) /* a FIFO's other end is a socket/device that refuses us */
			return bh_error_set(err, BH_EINVAL, "%s: not a regular file", path);
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", path, strerror(errno));
	}
	if (fstat(f, &st)) {
		int e = errno;
		close(f);
		return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(f);
		return bh_error_set(err, BH_EINVAL, "%s: not a regular file (%s)", path, bh_file_type_name(st.st_mode));
	}
	/* Regular files ignore O_NONBLOCK today; clearing it keeps later reads plain anyway. */
	fl = fcntl(f, F_GETFL);
	if (fl >= 0)
		(void)fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
	*fd = f;
	return 0;
}

FILE *bh_file_fopen_regular(const char *path, bh_error *err)
{
	FILE *fp;
	int fd;
	if (bh_file_open_regular(path, &fd, err))
		return NULL;
	fp = fdopen(fd, "r");
	if (!fp) {
		int e = errno;
		close(fd);
		bh_error_set(err, BH_ENOMEM, "%s: %s", path, strerror(e));
	}
	return fp;
}

int bh_file_open_beneath(int root, const char *rel, int flags)
{
	struct open_how how;
	char comp[4096];
	const char *p = rel;
	int fd, dfd = root;
	if (!rel[0])
		return openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return fd;
	/* no openat2 (old kernel, seccomp): one component at a time */
	for (;;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);
		if (!n || n >= sizeof(comp)) {
			errno = ENAMETOOLONG;
			fd = -1;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		fd = openat(dfd, comp, sl ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC : flags);
		if (dfd != root) {
			int e = errno;
			close(dfd);
			errno = e;
		}
		if (fd < 0 || !sl)
			break;
		dfd = fd;
		p = sl + 1;
	}
	return fd;
}

int bh_file_read_all(const char *path, size_t max, const char *what, char **data, size_t *len, bh_error *err)
{
	struct stat st;
	size_t n = 0, cap;
	char *buf, *nb;
	ssize_t r;
	int fd, rc;

	*data = NULL;
	*len = 0;
	if (max >= SIZE_MAX - 1)
		max = SIZE_MAX - 2;
	if ((rc = bh_file_open_regular(path, &fd, err)))
		return rc;
	/* the size says how much to allocate at first; the reads, not the size, decide (it may grow) */
	cap = !fstat(fd, &st) && st.st_size >= 0 && (uint64_t)st.st_size <= max ? (size_t)st.st_size + 1 : 65536;
	if (!(buf = malloc(cap + 1))) {
		close(fd);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	for (;;) {
		if (n == cap) {
			/* room for max + 1 bytes at most: one byte past max says "larger" */
			size_t ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			if (ncap <= cap)
				break;
			if (!(nb = realloc(buf, ncap + 1))) {
				free(buf);
				close(fd);
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			break;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return bh_error_set(err, BH_ELIMIT, "%s: larger than %zu bytes, the most a %s may have", path, max, what ? what : "file");
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int bh_file_mkdir_p(const char *dir, unsigned mode, bh_error *err)
{
	char tmp[4096];
	size_t l = dir ? strlen(dir) : 0;
	if (l == 0 || l >= sizeof(tmp))
		return bh_error_set(err, BH_EINVAL, "bad directory name");
	memcpy(tmp, dir, l + 1);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
				return bh_error_set(err, BH_EIO, "%s: %s", tmp, strerror(errno));
			*p = '/';
		}
	if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
		return bh_error_set(err, BH_EIO, "%s: %s", tmp, strerror(errno));
	return 0;
}
