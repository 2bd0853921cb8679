/* target.c - the grammar of scan targets as one table, and the detection of a bare PATH's kind. */
#include "image/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "registry/registry.h"
#include "sbom/sbomsniff.h"

enum {
	F_TAG = 1,   /* the rest is PATH[:TAG] */
	F_ALIAS = 2  /* another spelling of a listed row: accepted, not listed in the usage text */
};

/* The paths the file system takes; longer targets are refused rather than cut. */
#define TARGET_MAX 4095

/*
 * One row per written form. A prefix ending in ':' takes what follows; one without is a word that
 * must be the whole target. The longest matching prefix wins, so a row such as "docker://" may be
 * added beside "docker:". The first row of a kind names it in reports.
 */
static const struct form {
	const char *prefix;
	const char *name; /* the kind as reports name it */
	const char *arg;  /* what follows, for the list of accepted forms; NULL for a word */
	bh_target_kind kind;
	unsigned flags;
} forms[] = {
	{ "docker-archive:", "docker-archive", "FILE", BH_TARGET_DOCKER_ARCHIVE, 0 },
	{ "oci:", "oci", "DIR[:TAG]", BH_TARGET_OCI_DIR, F_TAG },
	{ "oci-archive:", "oci-archive", "FILE[:TAG]", BH_TARGET_OCI_ARCHIVE, F_TAG },
	{ "dir:", "dir", "PATH", BH_TARGET_DIR, 0 },
	{ "engine:", "engine", "IMAGE", BH_TARGET_ENGINE, 0 },
	{ "registry:", "registry", "HOST[:PORT]/REPO[:TAG|@DIGEST]", BH_TARGET_REGISTRY, 0 },
	{ "docker://", "registry", "HOST[:PORT]/REPO[:TAG|@DIGEST]", BH_TARGET_REGISTRY, F_ALIAS }, /* skopeo's spelling */
	{ "docker:", "engine", "IMAGE", BH_TARGET_ENGINE, F_ALIAS },
	{ "podman:", "engine", "IMAGE", BH_TARGET_ENGINE, F_ALIAS },
	{ "sbom:", "sbom", "FILE", BH_TARGET_SBOM, 0 },
	{ "dockerfile:", "dockerfile", "FILE", BH_TARGET_DOCKERFILE, 0 },
	{ "k8s:", "kubernetes", "FILE", BH_TARGET_K8S, 0 },
	{ "host", "host", NULL, BH_TARGET_HOST, 0 },
	{ "host:", "host", "ROOT", BH_TARGET_HOST, 0 },
	{ "container:", "container", "NAME", BH_TARGET_CONTAINER, 0 },
	{ "containers", "containers", NULL, BH_TARGET_CONTAINERS, 0 },
};
#define NFORMS (sizeof(forms) / sizeof(forms[0]))

const char *bh_target_kind_name(bh_target_kind k)
{
	size_t i;
	for (i = 0; i < NFORMS; i++)
		if (forms[i].kind == k)
			return forms[i].name;
	return "auto";
}

static bool accepted(unsigned accept, bh_target_kind k)
{
	return (accept & BH_TARGET_BIT(k)) != 0;
}

size_t bh_target_forms(unsigned accept, char *buf, size_t n)
{
	size_t i, len = 0;
	if (n)
		buf[0] = '\0';
	for (i = 0; i < NFORMS; i++) {
		int w;
		if ((forms[i].flags & F_ALIAS) || !accepted(accept, forms[i].kind))
			continue;
		w = snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0, "%s%s%s", len ? " | " : "",
			     forms[i].prefix, forms[i].arg ? forms[i].arg : "");
		len += w > 0 ? (size_t)w : 0;
	}
	len += (size_t)snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0, "%sPATH", len ? " | " : "");
	return len;
}

/* The target as text safe for a terminal: bytes outside printable ASCII as \xNN, cut after 120
 * bytes so the list of accepted forms still fits the message. */
static void quote(const char *s, size_t len, char *out, size_t n)
{
	size_t i, o = 0;
	for (i = 0; i < len && o + 8 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 120) {
			o += (size_t)snprintf(out + o, n - o, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* A usage error: the target, why, and what the caller accepts. */
static int usage(bh_error *err, unsigned accept, const char *s, size_t len, const char *why)
{
	char q[700], f[400];
	quote(s, len, q, sizeof(q));
	bh_target_forms(accept, f, sizeof(f));
	return bh_error_set(err, BH_EUSAGE, "target \"%s\": %s; accepted: %s", q, why, f);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcasecmp(s + n - m, suf);
}

/* Dockerfiles and Kubernetes manifests are known by their file name (they need not exist yet). */
static bh_target_kind kind_by_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (!strcmp(b, "Dockerfile") || !strcmp(b, "Containerfile") || !strncmp(b, "Dockerfile.", 11) ||
	    !strncmp(b, "Containerfile.", 14) || ends_with(b, ".Dockerfile") || ends_with(b, ".dockerfile"))
		return BH_TARGET_DOCKERFILE;
	if (ends_with(b, ".yaml") || ends_with(b, ".yml"))
		return BH_TARGET_K8S;
	return BH_TARGET_AUTO;
}

/* "name:" at the start, as an unknown prefix would be written (letters, digits, + . -). */
static size_t prefix_like(const char *s)
{
	size_t i = 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
	       s[i] == '+' || s[i] == '.' || s[i] == '-')
		i++;
	return s[i] == ':' && i >= 2 ? i + 1 : 0;
}

/* A tar holding manifest.json is a docker-archive; one holding index.json or oci-layout an OCI archive. */
static int detect_tar(const char *path, bh_target_kind *kind, bh_error *err)
{
	/* Cheap probe: the first entries' names are in the first blocks of a plain tar. */
	char buf[512];
	off_t off = 0;
	int i, fd, rc;
	*kind = BH_TARGET_DOCKER_ARCHIVE;
	if ((rc = bh_file_open_regular(path, &fd, err)))
		return rc;
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
	return 0;
}

/* The kind of a bare PATH that exists, by what is there. */
static int detect_path(const char *s, size_t len, unsigned accept, bh_target *t, bh_error *err)
{
	struct stat st;
	size_t pl;
	if (stat(s, &st) != 0) {
		if ((pl = prefix_like(s)) != 0) {
			char why[160];
			snprintf(why, sizeof(why), "no such file, and \"%.*s\" is not a target prefix", (int)(pl < 64 ? pl : 64), s);
			return usage(err, accept, s, len, why);
		}
		return bh_error_set(err, BH_ENOTFOUND, "%s: no such file or directory (prefix engine: for an image in a daemon)", s);
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		/* A FIFO or device would block the probes below (or feed us endless data). */
		return bh_error_set(err, BH_EINVAL, "%s: not a regular file (%s)", s, bh_file_type_name(st.st_mode));
	if (S_ISDIR(st.st_mode)) {
		char p[TARGET_MAX + 16];
		snprintf(p, sizeof(p), "%s/oci-layout", s);
		t->kind = access(p, F_OK) == 0 ? BH_TARGET_OCI_DIR : BH_TARGET_DIR;
	} else {
		/* by content, whatever the name: an SBOM, some other document (said so, instead of "not a
		 * tar archive" later), or an archive */
		bh_sbomsniff sn;
		bh_error serr;
		int rc;
		if (bh_sbomsniff_file(s, &sn, &serr))
			sn.fmt = BH_SBOMFMT_NONE;
		if (accepted(accept, BH_TARGET_SBOM) && bh_sbomsniff_is_sbom(&sn)) {
			t->kind = BH_TARGET_SBOM;
		} else if (sn.fmt == BH_SBOMFMT_OTHER_JSON || sn.fmt == BH_SBOMFMT_OTHER_XML ||
			   (bh_sbomsniff_is_sbom(&sn) && sn.fmt != BH_SBOMFMT_BULKHEAD && sn.fmt != BH_SBOMFMT_CDX_JSON &&
			    sn.fmt != BH_SBOMFMT_SPDX_JSON)) {
			/* no archive starts like this; a JSON SBOM keeps being probed as an archive for
			 * commands that read none (their message says what they read) */
			char what[128];
			bh_sbomsniff_describe(&sn, what, sizeof(what));
			return bh_error_set(err, BH_EINVAL, "%s: %s%s", s, what,
					    bh_sbomsniff_is_sbom(&sn) ? ", and this command reads no SBOM" : "");
		} else if ((rc = detect_tar(s, &t->kind, err))) {
			return rc;
		}
	}
	if (!accepted(accept, t->kind))
		return usage(err, accept, s, len, "this command does not read that kind of file");
	return 0;
}

/* The row whose prefix starts s (a word only when it is all of s), longest first; NULL when none. */
static const struct form *match_form(const char *s, unsigned accept)
{
	const struct form *best = NULL;
	size_t i, bl = 0;
	for (i = 0; i < NFORMS; i++) {
		const char *p = forms[i].prefix;
		size_t n = strlen(p);
		if (!forms[i].arg) {
			/* a word this caller does not read is an ordinary relative path ("host" directory) */
			if (strcmp(s, p) != 0 || !accepted(accept, forms[i].kind))
				continue;
		} else if (strncmp(s, p, n) != 0) {
			continue;
		}
		if (n > bl) {
			best = &forms[i];
			bl = n;
		}
	}
	return best;
}

/* PATH[:TAG]: the tag is what follows the last ':' when rest itself does not exist as a path. */
static int split_tag(const char *s, size_t len, unsigned accept, const char *rest, bh_target *t, bh_error *err)
{
	const char *c = strrchr(rest, ':');
	struct stat st;
	if (!c || stat(rest, &st) == 0)
		return (t->ref = bh_strdup(rest)) ? 0 : bh_error_set(err, BH_ENOMEM, "out of memory");
	if (c == rest)
		return usage(err, accept, s, len, "nothing before the \":TAG\"");
	if (!c[1])
		return usage(err, accept, s, len, "empty TAG after ':'");
	if (!(t->ref = bh_strndup(rest, (size_t)(c - rest))) || !(t->tag = bh_strdup(c + 1)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	return 0;
}

int bh_target_parsen(const char *s, size_t len, unsigned accept, bh_target *t, bh_error *err)
{
	const struct form *f;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (!s || !len)
		return usage(err, accept, "", 0, "empty target");
	if (len > TARGET_MAX) {
		char why[80];
		snprintf(why, sizeof(why), "%zu bytes, longer than the %d a path may have", len, TARGET_MAX);
		return usage(err, accept, s, len, why);
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			char why[80];
			if (c)
				snprintf(why, sizeof(why), "control character 0x%02x at offset %zu", c, i);
			else
				snprintf(why, sizeof(why), "NUL byte at offset %zu", i);
			return usage(err, accept, s, len, why);
		}
	}
	/* from here on s is the copy: a C string of exactly len bytes (the caller's may run on) */
	if (!(t->input = bh_strndup(s, len)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	s = t->input;
	if ((f = match_form(s, accept)) != NULL) {
		const char *rest = s + strlen(f->prefix);
		char why[160];
		if (!accepted(accept, f->kind)) {
			snprintf(why, sizeof(why), "%s%s is not read by this command", f->prefix, f->arg ? f->arg : "");
			return usage(err, accept, s, len, why);
		}
		t->kind = f->kind;
		if (!f->arg) {
			/* a word: host is the root file system, containers names nothing */
			if (f->kind == BH_TARGET_HOST && !(t->ref = bh_strdup("/")))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			return 0;
		}
		if (!*rest) {
			snprintf(why, sizeof(why), "nothing after \"%s\" (write %s%s)", f->prefix, f->prefix, f->arg);
			return usage(err, accept, s, len, why);
		}
		if (f->flags & F_TAG)
			return split_tag(s, len, accept, rest, t, err);
		if (f->kind == BH_TARGET_REGISTRY) {
			bh_registry_ref r;
			bh_error rerr;
			int rc = bh_registry_ref_parse(rest, &r, &rerr);
			bh_registry_ref_free(&r);
			if (rc == BH_ENOMEM)
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			if (rc) {
				/* the reference's own message says what is wrong; the usage text adds the forms */
				const char *what = strstr(rerr.msg, "\": ");
				return usage(err, accept, s, len, what ? what + 3 : rerr.msg);
			}
		}
		return (t->ref = bh_strdup(rest)) ? 0 : bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	t->detected = true;
	if (!(t->ref = bh_strdup(s)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	t->kind = kind_by_name(s);
	if (t->kind == BH_TARGET_K8S && accepted(accept, BH_TARGET_SBOM)) {
		/* an SPDX document in YAML is named like a manifest: its content says which it is */
		bh_sbomsniff sn;
		bh_error serr;
		if (!bh_sbomsniff_file(s, &sn, &serr) && sn.fmt == BH_SBOMFMT_SPDX_YAML)
			t->kind = BH_TARGET_SBOM;
	}
	if (t->kind != BH_TARGET_AUTO && accepted(accept, t->kind))
		return 0;
	return detect_path(s, len, accept, t, err);
}

int bh_target_parse(const char *s, unsigned accept, bh_target *t, bh_error *err)
{
	return bh_target_parsen(s, s ? strlen(s) : 0, accept, t, err);
}

void bh_target_free(bh_target *t)
{
	free(t->input);
	free(t->ref);
	free(t->tag);
	memset(t, 0, sizeof(*t));
}
