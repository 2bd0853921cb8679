/* cfgfile.c - configuration files given as scan targets: which kind a file is, and its checks. */
#include "check/cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/dockerfile.h"
#include "check/k8s.h"
#include "core/buf.h"

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcasecmp(s + n - m, suf);
}

bh_cfg_kind bh_cfgfile_kind(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (!strncmp(path, "dockerfile:", 11))
		return BH_CFG_DOCKERFILE;
	if (!strncmp(path, "k8s:", 4))
		return BH_CFG_K8S;
	if (!strcmp(b, "Dockerfile") || !strcmp(b, "Containerfile") || !strncmp(b, "Dockerfile.", 11) ||
	    !strncmp(b, "Containerfile.", 14) || ends_with(b, ".Dockerfile") || ends_with(b, ".dockerfile"))
		return BH_CFG_DOCKERFILE;
	if (ends_with(b, ".yaml") || ends_with(b, ".yml"))
		return BH_CFG_K8S;
	return BH_CFG_NONE;
}

/* Reads a regular file whole, refusing anything larger than max (and FIFOs, devices). */
static int slurp(const char *path, uint64_t max, bh_buf *out, bh_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return bh_error_set(err, BH_EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return bh_error_set(err, BH_ELIMIT, "%s: %lld bytes is over the max-meta-size limit (%llu)", path,
				    (long long)st.st_size, (unsigned long long)max);
	}
	for (;;) {
		char buf[65536];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			close(fd);
			return bh_error_set(err, BH_ELIMIT, "%s: grew over the max-meta-size limit while read", path);
		}
		if (bh_buf_append(out, buf, (size_t)n)) {
			close(fd);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	close(fd);
	return 0;
}

int bh_cfgfile_check(const char *path, bh_cfg_kind kind, const bh_limits *lim, bh_checks *out, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	int rc;
	if (!strncmp(path, "dockerfile:", 11))
		path += 11;
	else if (!strncmp(path, "k8s:", 4))
		path += 4;
	if ((rc = slurp(path, lim->max_meta_size, &b, err)))
		return rc;
	switch (kind) {
	case BH_CFG_DOCKERFILE:
		rc = bh_dockerfile_check(path, b.data ? b.data : "", b.len, out, err);
		break;
	case BH_CFG_K8S:
		rc = bh_k8s_check(path, b.data ? b.data : "", b.len, out, err);
		break;
	default:
		rc = bh_error_set(err, BH_EUSAGE, "%s: not a Dockerfile or Kubernetes manifest", path);
		break;
	}
	bh_buf_free(&b);
	return rc;
}
