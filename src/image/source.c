/* source.c - dispatch of a parsed target to the format readers. */
#include "image/source.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"

void bh_source_opts_default(bh_source_opts *o)
{
	memset(o, 0, sizeof(*o));
	bh_limits_default(&o->limits);
	o->verify_digests = true;
}

/* REF[:TAG], as the target wrote it after its prefix: the name when the image carries none. */
static char *name_of(const bh_target *t)
{
	size_t n;
	char *s;
	if (!t->tag)
		return bh_strdup(t->ref);
	if (!bh_size_add(strlen(t->ref), strlen(t->tag), &n) || !bh_size_add(n, 2, &n) || !(s = malloc(n)))
		return NULL;
	snprintf(s, n, "%s:%s", t->ref, t->tag);
	return s;
}

int bh_source_read(const bh_target *t, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	const char *in = t->input ? t->input : t->ref ? t->ref : "?";
	struct timespec t0, t1;
	int rc, fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!(BH_TARGETS_IMAGE & BH_TARGET_BIT(t->kind)) || !t->ref)
		return bh_error_set(err, BH_EUSAGE, "%s: a %s target has no image to inventory", in, bh_target_kind_name(t->kind));
	s->input = bh_strdup(in);
	s->kind = bh_strdup(bh_target_kind_name(t->kind));
	if (!s->input || !s->kind)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	switch (t->kind) {
	case BH_TARGET_DOCKER_ARCHIVE:
		if ((rc = bh_file_open_regular(t->ref, &fd, err)))
			return rc;
		rc = bh_source_docker_archive(fd, t->ref, o, s, err);
		close(fd);
		break;
	case BH_TARGET_OCI_DIR:
	case BH_TARGET_OCI_ARCHIVE:
		rc = bh_source_oci(t->ref, t->tag, t->kind == BH_TARGET_OCI_ARCHIVE, o, s, err);
		break;
	case BH_TARGET_DIR:
		rc = bh_source_dir(t->ref, o, s, err);
		break;
	case BH_TARGET_ENGINE:
		rc = bh_source_engine(t->ref, o, s, err);
		break;
	case BH_TARGET_REGISTRY:
		rc = bh_source_registry(t->ref, o, s, err);
		break;
	default:
		/* a kind in BH_TARGETS_IMAGE without a reader here */
		rc = bh_error_set(err, BH_EUNSUPPORTED, "%s: no reader for %s targets", in, bh_target_kind_name(t->kind));
		break;
	}
	if (rc)
		return rc;
	/* the name readers found (the image's repo tags) wins; else the path as written after the prefix */
	if (!s->name && !(s->name = name_of(t)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = bh_sbom_finalize(s, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

int bh_source_read_target(const char *target, const bh_source_opts *o, bh_sbom *s, bh_error *err)
{
	bh_target t;
	int rc = bh_target_parse(target, BH_TARGETS_IMAGE, &t, err);
	if (!rc)
		rc = bh_source_read(&t, o, s, err);
	bh_target_free(&t);
	return rc;
}
