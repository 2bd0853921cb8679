/* source.c - target syntax, kind detection and dispatch to the format readers. */
#include "image/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"

void bh_scan_opts_default(bh_scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	bh_limits_default(&o->limits);
	o->verify_digests = true;
}

const char *bh_target_kind_name(bh_target_kind k)
{
	switch (k) {
	case BH_TARGET_DOCKER_ARCHIVE: return "docker-archive";
	case BH_TARGET_OCI_DIR: return "oci";
	case BH_TARGET_OCI_ARCHIVE: return "oci-archive";
	case BH_TARGET_DIR: return "dir";
	case BH_TARGET_ENGINE: return "engine";
	default: return "auto";
	}
}

static const struct { const char *prefix; bh_target_kind kind; } prefixes[] = {
	{ "docker-archive:", BH_TARGET_DOCKER_ARCHIVE },
	{ "oci-archive:", BH_TARGET_OCI_ARCHIVE },
	{ "oci:", BH_TARGET_OCI_DIR },
	{ "dir:", BH_TARGET_DIR },
	{ "engine:", BH_TARGET_ENGINE },
	{ "docker:", BH_TARGET_ENGINE },
	{ "podman:", BH_TARGET_ENGINE },
};

/* A tar holding manifest.json is a docker-archive; one holding index.json an OCI archive. */
static int detect_tar(const char *path, bh_target_kind *kind)
{
	struct stat st;
	if (stat(path, &st))
		return BH_ENOTFOUND;
	*kind = BH_TARGET_DOCKER_ARCHIVE;
	{
		/* Cheap probe: the first entries' names are in the first blocks of a plain tar. */
		char buf[512];
		off_t off = 0;
		int i, fd;
		bh_error ferr;
		if (bh_file_open_regular(path, &fd, &ferr))
			return BH_EIO;
		for (i = 0; i < 64; i++) {
			unsigned long long sz;
			char szs[13];
			if (pread(fd, buf, 512, off) != 512 || buf[0] == '\0')
				break;
			if (memcmp(buf, "index.json", 11) == 0 || memcmp(buf, "oci-layout", 11) == 0) {
				*kind = BH_TARGET_OCI_ARCHIVE;
				break;
			}
			if (memcmp(buf, "manifest.json", 14) == 0)
				break;
			memcpy(szs, buf + 124, 12);
			szs[12] = '\0';
			sz = strtoull(szs, NULL, 8);
			off += 512 + (off_t)((sz + 511) & ~511ULL);
		}
		close(fd);
	}
	return 0;
}

int bh_target_parse(const char *target, bh_target_kind *kind, const char **rest, bh_error *err)
{
	size_t i;
	struct stat st;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(target, prefixes[i].prefix, n) == 0) {
			*kind = prefixes[i].kind;
			*rest = target + n;
			if (!**rest)
				return bh_error_set(err, BH_EUSAGE, "target \"%s\" names nothing after the prefix", target);
			return 0;
		}
	}
	*rest = target;
	if (stat(target, &st) != 0)
		return bh_error_set(err, BH_ENOTFOUND, "%s: no such file or directory (prefix engine: for an image in a daemon)", target);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		/* A FIFO or device would block the probe below (or feed us endless data). */
		return bh_error_set(err, BH_EINVAL, "%s: not a regular file (%s)", target, bh_file_type_name(st.st_mode));
	if (S_ISDIR(st.st_mode)) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/oci-layout", target);
		*kind = access(p, F_OK) == 0 ? BH_TARGET_OCI_DIR : BH_TARGET_DIR;
		return 0;
	}
	if (detect_tar(target, kind))
		return bh_error_set(err, BH_EIO, "%s: cannot read", target);
	return 0;
}

/* "path:tag" for OCI targets: the tag is what follows the last ':' when the path itself exists without it. */
static void split_tag(const char *rest, char *path, size_t n, const char **tag)
{
	const char *c = strrchr(rest, ':');
	struct stat st;
	snprintf(path, n, "%s", rest);
	*tag = NULL;
	if (c && stat(rest, &st) != 0) {
		path[c - rest < (long)n ? c - rest : (long)n - 1] = '\0';
		*tag = c + 1;
	}
}

int bh_scan_target(const char *target, const bh_scan_opts *o, bh_sbom *s, bh_error *err)
{
	bh_target_kind kind;
	const char *rest, *tag;
	char path[4096];
	struct timespec t0, t1;
	int rc, fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = bh_target_parse(target, &kind, &rest, err)))
		return rc;
	s->input = bh_strdup(target);
	s->kind = bh_strdup(bh_target_kind_name(kind));
	if (!s->input || !s->kind)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	switch (kind) {
	case BH_TARGET_DOCKER_ARCHIVE:
		if ((rc = bh_file_open_regular(rest, &fd, err)))
			return rc;
		rc = bh_source_docker_archive(fd, rest, o, s, err);
		close(fd);
		break;
	case BH_TARGET_OCI_DIR:
	case BH_TARGET_OCI_ARCHIVE:
		split_tag(rest, path, sizeof(path), &tag);
		rc = bh_source_oci(path, tag, kind == BH_TARGET_OCI_ARCHIVE, o, s, err);
		break;
	case BH_TARGET_DIR:
		rc = bh_source_dir(rest, o, s, err);
		break;
	case BH_TARGET_ENGINE:
		rc = bh_source_engine(rest, o, s, err);
		break;
	default:
		rc = bh_error_set(err, BH_EUSAGE, "unknown target kind");
	}
	if (rc)
		return rc;
	if (!s->name)
		s->name = bh_strdup(rest);
	rc = bh_sbom_finalize(s, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}
