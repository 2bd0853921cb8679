/* cfgfile.c - configuration files given as scan targets (Dockerfile, Kubernetes manifest): read and check. */
#include "check/cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/dockerfile.h"
#include "check/k8s.h"
#include "core/buf.h"

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

int bh_cfgfile_check(const char *path, bh_target_kind kind, const bh_limits *lim, bh_checks *out, bh_error *err)
{
	return bh_cfgfile_check_pss(path, kind, lim, NULL, out, err);
}

int bh_cfgfile_check_pss(const char *path, bh_target_kind kind, const bh_limits *lim, const char *pss_version, bh_checks *out,
			 bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	int rc, pss = bh_k8s_pss_minor(pss_version);
	if (kind != BH_TARGET_DOCKERFILE && kind != BH_TARGET_K8S)
		return bh_error_set(err, BH_EUSAGE, "%s: not a Dockerfile or Kubernetes manifest", path);
	if (pss < 0)
		return bh_error_set(err, BH_EUSAGE, "unknown Pod Security Standards version \"%.40s\" (v1.0..v1.%d or latest)",
				    pss_version, BH_K8S_PSS_LATEST);
	if ((rc = slurp(path, lim->max_meta_size, &b, err)))
		return rc;
	switch (kind) {
	case BH_TARGET_DOCKERFILE:
		rc = bh_dockerfile_check(path, b.data ? b.data : "", b.len, out, err);
		break;
	default: /* BH_TARGET_K8S */
		rc = bh_k8s_check_pss(path, b.data ? b.data : "", b.len, pss, out, err);
		break;
	}
	bh_buf_free(&b);
	return rc;
}
