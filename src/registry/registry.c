/* registry.c - the Registry HTTP API v2 client: references, auth, manifests and indexes, digest-verified blob streams. */
#include "registry/registry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/ring.h"
#include "net/http.h"
#include "registry/auth.h"

#define MT_V2S2 "application/vnd.docker.distribution.manifest.v2+json"
#define MT_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define ACCEPT_MANIFESTS "Accept: " MT_OCI_INDEX ", " MT_LIST ", " MT_OCI ", " MT_V2S2
/* token answers are small JSON documents; the token inside is bounded by BH_REGAUTH_MAX_TOKEN */
#define TOKEN_ANSWER_MAX (1u << 20)
/* the stream's hand-over buffer between the transfer thread and the reader */
#define STREAM_RING (1u << 20)

/* ---- references ---- */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool sha256_valid(const char *s, size_t n)
{
	size_t i;
	if (n != 71 || strncmp(s, "sha256:", 7) != 0)
		return false;
	for (i = 7; i < 71; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Repository path components: lowercase letters and digits, separated inside by '.', '_', '__' or '-'s. */
static bool repo_valid(const char *s, size_t n)
{
	size_t i, start = 0;
	if (!n || n > 255)
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (i == start || !is_lower_alnum(s[start]) || !is_lower_alnum(s[i - 1]))
				return false;
			start = i + 1;
			continue;
		}
		if (!is_lower_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	}
	return true;
}

static bool tag_valid(const char *s, size_t n)
{
	size_t i;
	if (!n || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

/* host[:port] or [ipv6][:port]; letters, digits, '.', '-' in names. */
static bool host_valid(const char *s, size_t n)
{
	size_t i = 0, hl;
	if (!n || n > 255)
		return false;
	if (s[0] == '[') {
		const char *e = memchr(s, ']', n);
		if (!e || e == s + 1)
			return false;
		for (i = 1; s + i < e; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F') ||
			      s[i] == ':' || s[i] == '.'))
				return false;
		i = (size_t)(e - s) + 1;
	} else {
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
				 s[i] == '.' || s[i] == '-'))
			i++;
		if (!i || s[0] == '.' || s[0] == '-' || s[i - 1] == '.' || s[i - 1] == '-')
			return false;
	}
	hl = i;
	if (hl == n)
		return true;
	if (s[hl] != ':' || hl + 1 == n || n - hl - 1 > 5)
		return false;
	{
		unsigned long port = 0;
		for (i = hl + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			port = port * 10 + (unsigned long)(s[i] - '0');
		}
		return port >= 1 && port <= 65535;
	}
}

void bh_registry_ref_free(bh_registry_ref *r)
{
	free(r->host);
	free(r->repo);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

static int ref_bad(bh_error *err, const char *s, const char *why)
{
	bh_buf b = BH_BUF_INIT;
	int rc;
	(void)bh_buf_put_clean(&b, s, 200);
	rc = bh_error_set(err, BH_EINVAL, "registry reference \"%s\": %s", b.data ? b.data : "", why);
	bh_buf_free(&b);
	return rc;
}

int bh_registry_ref_parse(const char *s, bh_registry_ref *r, bh_error *err)
{
	const char *at, *name_end, *slash, *rest, *colon, *lastslash;
	size_t n, i;

	memset(r, 0, sizeof(*r));
	if (!s || !*s)
		return ref_bad(err, "", "empty");
	n = strlen(s);
	if (n > BH_REGISTRY_MAX_REF)
		return ref_bad(err, s, "longer than 1024 bytes");
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return ref_bad(err, s, "holds a space, control or non-ASCII byte");
	at = strchr(s, '@');
	name_end = at ? at : s + n;
	if (at) {
		const char *d = at + 1, *c = strchr(d, ':');
		if (c && !sha256_valid(d, strlen(d)) && strncmp(d, "sha256:", 7) != 0) {
			bh_error_set(err, BH_EUNSUPPORTED, "registry reference \"%.200s\": only sha256 digests are supported", s);
			return BH_EUNSUPPORTED;
		}
		if (!sha256_valid(d, strlen(d)))
			return ref_bad(err, s, "the digest after '@' is not sha256:<64 lowercase hex digits>");
	}
	slash = memchr(s, '/', (size_t)(name_end - s));
	if (slash && (memchr(s, '.', (size_t)(slash - s)) || memchr(s, ':', (size_t)(slash - s)) || s[0] == '[' ||
		      ((size_t)(slash - s) == 9 && !strncmp(s, "localhost", 9)))) {
		if (!host_valid(s, (size_t)(slash - s)))
			return ref_bad(err, s, "bad registry host (write HOST[:PORT]/REPO)");
		r->host = bh_strndup(s, (size_t)(slash - s));
		rest = slash + 1;
	} else {
		r->host = bh_strdup("docker.io");
		rest = s;
	}
	if (!r->host)
		goto oom;
	/* the tag is after the last ':' that follows the last '/' */
	lastslash = NULL;
	for (i = 0; rest + i < name_end; i++)
		if (rest[i] == '/')
			lastslash = rest + i;
	colon = NULL;
	for (i = lastslash ? (size_t)(lastslash - rest) : 0; rest + i < name_end; i++)
		if (rest[i] == ':')
			colon = rest + i;
	if (colon) {
		if (!tag_valid(colon + 1, (size_t)(name_end - colon - 1))) {
			bh_registry_ref_free(r);
			return ref_bad(err, s, "bad tag (letters, digits, '_', '.', '-'; at most 128)");
		}
		if (!(r->tag = bh_strndup(colon + 1, (size_t)(name_end - colon - 1))))
			goto oom;
	}
	{
		const char *re = colon ? colon : name_end;
		if (!repo_valid(rest, (size_t)(re - rest))) {
			bh_registry_ref_free(r);
			return ref_bad(err, s, "bad repository (lowercase path components of letters, digits, '.', '_', '-')");
		}
		if (!strcmp(r->host, "docker.io") && !memchr(rest, '/', (size_t)(re - rest))) {
			size_t l = (size_t)(re - rest) + 9;
			if (!(r->repo = malloc(l)))
				goto oom;
			snprintf(r->repo, l, "library/%.*s", (int)(re - rest), rest);
		} else if (!(r->repo = bh_strndup(rest, (size_t)(re - rest)))) {
			goto oom;
		}
	}
	if (at && !(r->digest = bh_strdup(at + 1)))
		goto oom;
	if (!r->tag && !r->digest && !(r->tag = bh_strdup("latest")))
		goto oom;
	return 0;
oom:
	bh_registry_ref_free(r);
	return bh_error_set(err, BH_ENOMEM, "out of memory");
}

bool bh_registry_repository_of(const char *ref, char *out, size_t n)
{
	const char *at = strchr(ref, '@'), *slash, *colon;
	size_t len = at ? (size_t)(at - ref) : strlen(ref);

	slash = memrchr(ref, '/', len);
	colon = memrchr(slash ? slash : ref, ':', len - (size_t)((slash ? slash : ref) - ref));
	if (colon)
		len = (size_t)(colon - ref);
	if (len == 0 || len >= n)
		return false;
	memcpy(out, ref, len);
	out[len] = 0;
	return true;
}

bool bh_registry_host_loopback(const char *host)
{
	char h[300];
	const char *c;
	struct in_addr a4;
	struct in6_addr a6;
	if (!host)
		return false;
	if (host[0] == '[') {
		const char *e = strchr(host, ']');
		if (!e || (size_t)(e - host - 1) >= sizeof(h))
			return false;
		snprintf(h, sizeof(h), "%.*s", (int)(e - host - 1), host + 1);
		return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	c = strchr(host, ':');
	snprintf(h, sizeof(h), "%.*s", (int)(c ? (size_t)(c - host) : strlen(host)), host);
	if (!strcmp(h, "localhost"))
		return true;
	return inet_pton(AF_INET, h, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* ---- documents ---- */

void bh_registry_desc_free(bh_registry_desc *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->platform);
	memset(d, 0, sizeof(*d));
}

void bh_registry_manifest_free(bh_registry_manifest *m)
{
	size_t i;
	free(m->media_type);
	free(m->digest);
	free(m->index_digest);
	free(m->platform);
	bh_registry_desc_free(&m->config);
	for (i = 0; i < m->nlayers; i++)
		bh_registry_desc_free(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

static bh_registry_kind kind_of_type(const char *mt)
{
	if (!mt)
		return BH_REGISTRY_KIND_UNKNOWN;
	if (!strcmp(mt, MT_V2S2) || !strcmp(mt, MT_OCI))
		return BH_REGISTRY_KIND_IMAGE;
	if (!strcmp(mt, MT_LIST) || !strcmp(mt, MT_OCI_INDEX))
		return BH_REGISTRY_KIND_INDEX;
	if (!strncmp(mt, "application/vnd.docker.distribution.manifest.v1+", 48))
		return BH_REGISTRY_KIND_SCHEMA1;
	return BH_REGISTRY_KIND_UNKNOWN;
}

static int kind_of_doc(json_t *doc, const char *content_type, bh_registry_kind *kind, bh_error *err)
{
	const char *mt = bh_json_str(doc, "mediaType");
	char ct[128] = "";
	json_t *sv = json_object_get(doc, "schemaVersion");
	*kind = BH_REGISTRY_KIND_UNKNOWN;
	if (!json_is_object(doc))
		return bh_error_set(err, BH_EINVAL, "manifest is not a JSON object");
	if (json_is_integer(sv) && json_integer_value(sv) == 1) {
		*kind = BH_REGISTRY_KIND_SCHEMA1;
		return bh_error_set(err, BH_EUNSUPPORTED, "schema 1 manifest (pushed by docker before 1.10): not supported");
	}
	if (!mt && content_type) {
		size_t l = strcspn(content_type, "; ");
		snprintf(ct, sizeof(ct), "%.*s", (int)(l < sizeof(ct) ? l : sizeof(ct) - 1), content_type);
		if (kind_of_type(ct) != BH_REGISTRY_KIND_UNKNOWN)
			mt = ct;
	}
	if (mt)
		*kind = kind_of_type(mt);
	else if (json_is_array(json_object_get(doc, "manifests")))
		*kind = BH_REGISTRY_KIND_INDEX; /* OCI allows an index without mediaType */
	else if (json_is_object(json_object_get(doc, "config")) && json_is_array(json_object_get(doc, "layers")))
		*kind = BH_REGISTRY_KIND_IMAGE;
	if (*kind == BH_REGISTRY_KIND_SCHEMA1)
		return bh_error_set(err, BH_EUNSUPPORTED, "schema 1 manifest (%s): not supported", mt);
	if (*kind == BH_REGISTRY_KIND_UNKNOWN) {
		bh_buf b = BH_BUF_INIT;
		int rc;
		(void)bh_buf_put_clean(&b, mt ? mt : "(none)", 120);
		rc = bh_error_set(err, BH_EUNSUPPORTED, "manifest media type %s is neither an image manifest nor an index",
				  b.data ? b.data : "?");
		bh_buf_free(&b);
		return rc;
	}
	return 0;
}

int bh_registry_kind_of(const char *body, size_t len, const char *content_type, unsigned max_depth,
			bh_registry_kind *kind, bh_error *err)
{
	json_t *doc = NULL;
	int rc;
	*kind = BH_REGISTRY_KIND_UNKNOWN;
	if ((rc = bh_json_load(body, len, max_depth, "manifest", &doc, err)))
		return rc;
	rc = kind_of_doc(doc, content_type, kind, err);
	json_decref(doc);
	return rc;
}

/* A descriptor object: digest (sha256 only), mediaType, size. what names it in messages. */
static int desc_parse(json_t *j, const char *what, bh_registry_desc *d, bh_error *err)
{
	const char *dg = bh_json_str(j, "digest"), *mt = bh_json_str(j, "mediaType");
	json_t *sz = json_object_get(j, "size");
	memset(d, 0, sizeof(*d));
	if (!json_is_object(j))
		return bh_error_set(err, BH_EINVAL, "manifest: %s is not an object", what);
	if (!dg)
		return bh_error_set(err, BH_EINVAL, "manifest: %s has no digest", what);
	if (!sha256_valid(dg, strlen(dg))) {
		bh_buf b = BH_BUF_INIT;
		int rc;
		(void)bh_buf_put_clean(&b, dg, 100);
		rc = bh_error_set(err, strncmp(dg, "sha512:", 7) ? BH_EINVAL : BH_EUNSUPPORTED,
				  "manifest: %s has digest \"%s\" (sha256:<64 hex> expected)", what, b.data ? b.data : "");
		bh_buf_free(&b);
		return rc;
	}
	if (sz && (!json_is_integer(sz) || json_integer_value(sz) < 0))
		return bh_error_set(err, BH_EINVAL, "manifest: %s has a bad size", what);
	d->size = sz ? (uint64_t)json_integer_value(sz) : 0;
	if (!(d->digest = bh_strdup(dg)) || (mt && !(d->media_type = bh_strdup(mt)))) {
		bh_registry_desc_free(d);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

static int manifest_from_doc(json_t *doc, const char *content_type, unsigned max_layers, bh_registry_manifest *m,
			     bh_error *err)
{
	bh_registry_kind kind;
	json_t *layers;
	const char *mt, *cmt;
	size_t i, n;
	int rc;

	if ((rc = kind_of_doc(doc, content_type, &kind, err)))
		return rc;
	if (kind != BH_REGISTRY_KIND_IMAGE)
		return bh_error_set(err, BH_EINVAL, "manifest: an index where an image manifest was expected");
	mt = bh_json_str(doc, "mediaType");
	if (!(m->media_type = bh_strdup(mt ? mt : MT_OCI)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if ((rc = desc_parse(json_object_get(doc, "config"), "config", &m->config, err)))
		return rc;
	cmt = m->config.media_type;
	if (cmt && strcmp(cmt, "application/vnd.docker.container.image.v1+json") != 0 &&
	    strcmp(cmt, "application/vnd.oci.image.config.v1+json") != 0) {
		bh_buf b = BH_BUF_INIT;
		(void)bh_buf_put_clean(&b, cmt, 120);
		rc = bh_error_set(err, BH_EUNSUPPORTED, "manifest: config type %s: an artifact, not a container image",
				  b.data ? b.data : "?");
		bh_buf_free(&b);
		return rc;
	}
	layers = json_object_get(doc, "layers");
	if (!json_is_array(layers))
		return bh_error_set(err, BH_EINVAL, "manifest: \"layers\" is not an array");
	n = json_array_size(layers);
	if (n > max_layers)
		return bh_error_set(err, BH_ELIMIT, "manifest lists %zu layers, more than the max-layers limit (%u)", n, max_layers);
	if (n && !(m->layers = calloc(n, sizeof(*m->layers))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		char what[40];
		snprintf(what, sizeof(what), "layer %zu", i);
		if ((rc = desc_parse(json_array_get(layers, i), what, &m->layers[i], err)))
			return rc;
		m->nlayers = i + 1;
	}
	return 0;
}

int bh_registry_manifest_parse(const char *body, size_t len, const char *content_type, unsigned max_depth,
			       unsigned max_layers, bh_registry_manifest *m, bh_error *err)
{
	json_t *doc = NULL;
	int rc;
	memset(m, 0, sizeof(*m));
	if ((rc = bh_json_load(body, len, max_depth, "manifest", &doc, err)))
		return rc;
	rc = manifest_from_doc(doc, content_type, max_layers, m, err);
	json_decref(doc);
	if (rc)
		bh_registry_manifest_free(m);
	return rc;
}

static const char *host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "ppc64le";
#else
	return "amd64";
#endif
}

static int index_pick_doc(json_t *doc, const char *platform, bh_registry_desc *d, bh_error *err)
{
	json_t *ms = json_object_get(doc, "manifests");
	char want[3][64] = { "linux", "", "" };
	bh_buf have = BH_BUF_INIT;
	size_t i, n;
	int rc;

	memset(d, 0, sizeof(*d));
	snprintf(want[1], sizeof(want[1]), "%s", host_arch());
	if (platform && *platform) {
		const char *p = platform;
		for (i = 0; i < 3 && *p; i++) {
			size_t l = strcspn(p, "/");
			if (!l || l >= sizeof(want[i]))
				return bh_error_set(err, BH_EUSAGE, "platform \"%.80s\": write OS/ARCH[/VARIANT]", platform);
			snprintf(want[i], sizeof(want[i]), "%.*s", (int)l, p);
			p += l;
			if (*p == '/')
				p++;
		}
		if (*p || i < 2)
			return bh_error_set(err, BH_EUSAGE, "platform \"%.80s\": write OS/ARCH[/VARIANT]", platform);
	}
	if (!json_is_array(ms))
		return bh_error_set(err, BH_EINVAL, "index: \"manifests\" is not an array");
	n = json_array_size(ms);
	if (n > BH_REGISTRY_MAX_INDEX)
		return bh_error_set(err, BH_ELIMIT, "index lists %zu manifests, more than %u", n, BH_REGISTRY_MAX_INDEX);
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(ms, i), *p = json_object_get(e, "platform");
		const char *os = bh_json_str(p, "os"), *arch = bh_json_str(p, "architecture"), *var = bh_json_str(p, "variant");
		char what[40];
		if (!os || !arch || !strcmp(os, "unknown"))
			continue;
		if (have.len < 1000) /* the list is for a message: a hostile index's thousand long names are cut */
			(void)bh_buf_printf(&have, "%s%.40s/%.40s%s%.40s", have.len ? ", " : "", os, arch, var ? "/" : "", var ? var : "");
		if (strcmp(os, want[0]) != 0 || strcmp(arch, want[1]) != 0 || (want[2][0] && (!var || strcmp(var, want[2]) != 0)))
			continue;
		snprintf(what, sizeof(what), "index entry %zu", i);
		if ((rc = desc_parse(e, what, d, err))) {
			bh_buf_free(&have);
			return rc;
		}
		{
			char pl[200];
			snprintf(pl, sizeof(pl), "%s/%s%s%s", os, arch, var ? "/" : "", var ? var : "");
			d->platform = bh_strdup(pl);
		}
		bh_buf_free(&have);
		if (!d->platform) {
			bh_registry_desc_free(d);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		return 0;
	}
	{
		bh_buf clean = BH_BUF_INIT;
		(void)bh_buf_put_clean(&clean, have.len ? have.data : "no platforms", 300);
		rc = bh_error_set(err, BH_ENOTFOUND, "no %s/%s%s%s image in the index (it has %s; choose with --platform)", want[0],
				  want[1], want[2][0] ? "/" : "", want[2], clean.data ? clean.data : "?");
		bh_buf_free(&clean);
	}
	bh_buf_free(&have);
	return rc;
}

int bh_registry_index_pick(const char *body, size_t len, const char *platform, unsigned max_depth,
			   bh_registry_desc *d, bh_error *err)
{
	json_t *doc = NULL;
	int rc;
	memset(d, 0, sizeof(*d));
	if ((rc = bh_json_load(body, len, max_depth, "index", &doc, err)))
		return rc;
	rc = index_pick_doc(doc, platform, d, err);
	json_decref(doc);
	return rc;
}

/* ---- the client ---- */

struct bh_registry {
	bh_registry_opts o;
	char *host;    /* as written: messages and credentials */
	char *api;     /* where requests go (docker.io is registry-1.docker.io) */
	char *repo;
	char base[400]; /* "https://API" */
	bh_regauth_cred cred;
	bool have_cred;
	char cred_from[300];
	char *authz;   /* "Authorization: ..." header, or NULL (anonymous) */
	bh_regauth_scheme scheme;
};

static void sha256_hex(const void *p, size_t n, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	static const char hx[] = "0123456789abcdef";
	EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < mdlen && i < 32; i++) {
		out[7 + 2 * i] = hx[md[i] >> 4];
		out[8 + 2 * i] = hx[md[i] & 15];
	}
	out[71] = '\0';
}

static void set_authz(bh_registry *r, char *value)
{
	if (r->authz) {
		volatile char *p = r->authz;
		while (*p)
			*p++ = 0;
		free(r->authz);
	}
	r->authz = value;
}

/* "Authorization: " + v into a new string, or NULL. */
static char *authz_header(const char *v)
{
	size_t n = strlen(v) + 16;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "Authorization: %s", v);
	return s;
}

static void req_init(bh_registry *r, bh_http_request *q, const char *url)
{
	memset(q, 0, sizeof(*q));
	q->method = BH_HTTP_GET;
	q->url = url;
	q->ca_file = r->o.ca_file;
	q->insecure = r->o.insecure;
	q->timeout_ms = r->o.timeout_ms;
	q->retries = 2;
	q->backoff_ms = 300;
	q->cancel = r->o.cancel;
}

/* Fetches a bearer token for the challenge, with the credentials when there are some. */
static int get_token(bh_registry *r, const bh_regauth_challenge *ch, bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request q;
	bh_buf url = BH_BUF_INIT;
	char *basic = NULL, *hdr = NULL, *token = NULL;
	const char *headers[2] = { NULL, NULL };
	char scope[600];
	int rc;

	if (!ch->realm || (strncasecmp(ch->realm, "https://", 8) != 0 && strncasecmp(ch->realm, "http://", 7) != 0))
		return bh_error_set(err, BH_EAUTH, "%s: bearer challenge without an http(s) realm", r->host);
	if (r->have_cred && !strncasecmp(ch->realm, "http://", 7) && !r->o.insecure) {
		char rh[300];
		const char *h = ch->realm + 7;
		snprintf(rh, sizeof(rh), "%.*s", (int)strcspn(h, "/?#"), h);
		if (!bh_registry_host_loopback(rh))
			return bh_error_set(err, BH_EAUTH, "%s: the token server %.200s is plain http: credentials are not sent there "
					    "(--insecure-registry allows it)", r->host, ch->realm);
	}
	snprintf(scope, sizeof(scope), "repository:%s:pull", r->repo);
	(void)bh_buf_puts(&url, ch->realm);
	(void)bh_buf_putc(&url, strchr(ch->realm, '?') ? '&' : '?');
	if (ch->service) {
		(void)bh_buf_puts(&url, "service=");
		(void)bh_http_escape(&url, ch->service);
		(void)bh_buf_putc(&url, '&');
	}
	(void)bh_buf_puts(&url, "scope=");
	(void)bh_http_escape(&url, ch->scope ? ch->scope : scope);
	if (bh_buf_oom(&url))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (r->have_cred) {
		if (!(basic = bh_regauth_basic(&r->cred)) || !(hdr = authz_header(basic))) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		headers[0] = hdr;
	}
	req_init(r, &q, url.data);
	q.headers = headers;
	q.max_size = TOKEN_ANSWER_MAX;
	q.follow_redirects = true;
	rc = bh_http_do(&q, &resp, err);
	if (rc && (resp.status == 401 || resp.status == 403)) {
		rc = r->have_cred ? bh_error_set(err, BH_EAUTH, "%s: the token server refused the credentials of user \"%.100s\" (HTTP %ld)",
						 r->host, r->cred.user, resp.status)
				  : bh_error_set(err, BH_EAUTH, "%s: the token server wants credentials (HTTP %ld): give --registry-user "
						 "and --registry-password-stdin, or log in (%s)", r->host, resp.status, r->cred_from);
		goto out;
	}
	if (rc == BH_ENOTFOUND)
		rc = bh_error_set(err, BH_EAUTH, "%s: the token server %.200s answered HTTP 404", r->host, ch->realm);
	if (rc)
		goto out;
	if ((rc = bh_regauth_token_parse(resp.body.data ? resp.body.data : "", resp.body.len, r->o.max_json_depth, &token, err))) {
		bh_error_wrap(err, "%s: token server", r->host);
		goto out;
	}
	{
		size_t n = strlen(token) + 8;
		char *v = malloc(n);
		if (!v) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		snprintf(v, n, "Bearer %s", token);
		set_authz(r, authz_header(v));
		memset(v, 0, n);
		free(v);
		if (!r->authz)
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		r->scheme = BH_REGAUTH_BEARER;
	}
out:
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	if (basic) {
		memset(basic, 0, strlen(basic));
		free(basic);
	}
	if (hdr) {
		memset(hdr, 0, strlen(hdr));
		free(hdr);
	}
	bh_http_response_free(&resp);
	bh_buf_free(&url);
	return rc;
}

/* After a 401: reads the challenge and sets r->authz (or fails with BH_EAUTH). */
static int authenticate(bh_registry *r, const bh_http_response *resp, bh_error *err)
{
	bh_regauth_challenge ch;
	char hv[BH_REGAUTH_MAX_HEADER + 1];
	int rc;

	if (!bh_http_header(resp, "WWW-Authenticate", hv, sizeof(hv)))
		return bh_error_set(err, BH_EAUTH, "%s answered 401 without a WWW-Authenticate challenge", r->host);
	if ((rc = bh_regauth_challenge_parse(hv, strlen(hv), &ch, err))) {
		bh_error_wrap(err, "%s", r->host);
		return rc == BH_ENOMEM ? rc : (err ? (err->code = BH_EAUTH) : BH_EAUTH);
	}
	if (ch.scheme == BH_REGAUTH_BASIC) {
		char *b;
		if (!r->have_cred)
			rc = bh_error_set(err, BH_EAUTH, "%s wants credentials (Basic) and none were found: give --registry-user "
					  "and --registry-password-stdin, or log in (%s)", r->host, r->cred_from);
		else if (!(b = bh_regauth_basic(&r->cred)))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		else {
			set_authz(r, authz_header(b));
			memset(b, 0, strlen(b));
			free(b);
			r->scheme = BH_REGAUTH_BASIC;
			rc = r->authz ? 0 : bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	} else {
		rc = get_token(r, &ch, err);
	}
	bh_regauth_challenge_free(&ch);
	return rc;
}

/*
 * GET base+path with the current authorization; on 401 authenticates once and repeats. A stream
 * (fn) gets the 2xx body; otherwise it is collected (at most max). Turns 401/403 into BH_EAUTH and
 * a certificate failure into a message naming the host and the remedy.
 */
static int call(bh_registry *r, const char *path, const char *accept, uint64_t max, long timeout_ms, bh_http_chunk_fn fn,
		void *ud, const volatile int *cancel, bh_http_response *resp, bh_error *err)
{
	bh_buf url = BH_BUF_INIT;
	int attempt, rc = 0;

	if (bh_buf_printf(&url, "%s%s", r->base, path))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	for (attempt = 0; attempt < 2; attempt++) {
		const char *headers[3] = { NULL, NULL, NULL };
		bh_http_request q;
		size_t h = 0;
		bool had_auth = r->authz != NULL;
		if (r->authz)
			headers[h++] = r->authz;
		if (accept)
			headers[h++] = accept;
		req_init(r, &q, url.data);
		q.headers = headers;
		q.max_size = max;
		q.follow_redirects = true; /* blobs live behind redirects to storage; curl keeps Authorization to the first host */
		if (timeout_ms)
			q.timeout_ms = timeout_ms;
		q.on_chunk = fn;
		q.ud = ud;
		if (cancel)
			q.cancel = cancel;
		bh_http_response_free(resp);
		rc = bh_http_do(&q, resp, err);
		if (!rc)
			break;
		if (resp->status == 401) {
			/* a fresh token may still be refused: only once, and never again with the same basic credentials */
			if (attempt == 0 && !(had_auth && r->scheme == BH_REGAUTH_BASIC)) {
				if ((rc = authenticate(r, resp, err)))
					break;
				continue;
			}
			rc = r->have_cred ? bh_error_set(err, BH_EAUTH, "%s refused the credentials of user \"%.100s\" (HTTP 401)", r->host,
							 r->cred.user)
					  : bh_error_set(err, BH_EAUTH, "%s wants credentials (HTTP 401): give --registry-user and "
							 "--registry-password-stdin, or log in (%s)", r->host, r->cred_from);
		} else if (resp->status == 403) {
			rc = bh_error_set(err, BH_EAUTH, "%s denied access to %s (HTTP 403)%s", r->host, r->repo,
					  r->have_cred ? "" : ": no credentials were given");
		} else if (resp->fail == BH_HTTP_FAIL_TLS_VERIFY) {
			char m[BH_ERROR_MSG_MAX];
			snprintf(m, sizeof(m), "%s", err ? err->msg : "");
			rc = bh_error_set(err, BH_ENET, "%s: TLS certificate verification failed (%.300s); give the registry's CA with "
					  "--registry-ca FILE, or --insecure-registry", r->host, m);
		}
		break;
	}
	bh_buf_free(&url);
	return rc;
}

static int open_check(bh_registry *r, bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	int rc;
	snprintf(r->base, sizeof(r->base), "https://%s", r->api);
	rc = call(r, "/v2/", NULL, 1u << 20, 0, NULL, NULL, NULL, &resp, err);
	if (rc == BH_ENET && resp.fail == BH_HTTP_FAIL_TLS && (r->o.insecure || bh_registry_host_loopback(r->api))) {
		/* the server speaks plain HTTP: only ever tried on loopback or when asked */
		bh_log_info("%s does not speak TLS; using plain http (loopback or --insecure-registry)", r->host);
		snprintf(r->base, sizeof(r->base), "http://%s", r->api);
		rc = call(r, "/v2/", NULL, 1u << 20, 0, NULL, NULL, NULL, &resp, err);
	}
	if (rc == BH_ENOTFOUND && resp.status == 404)
		rc = bh_error_set(err, BH_ENOTFOUND, "%s does not serve the registry API v2 (%s/v2/ answered 404)", r->host, r->base);
	bh_http_response_free(&resp);
	return rc;
}

int bh_registry_open(const char *host, const char *repo, const bh_registry_opts *o, bh_registry **out, bh_error *err)
{
	bh_registry *r;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	r->o = *o;
	if (!r->o.max_meta_size)
		r->o.max_meta_size = 16u << 20;
	if (!r->o.max_json_depth)
		r->o.max_json_depth = 64;
	if (!r->o.max_layers)
		r->o.max_layers = 1000;
	r->host = bh_strdup(host);
	r->api = bh_strdup(!strcmp(host, "docker.io") || !strcmp(host, "index.docker.io") ? "registry-1.docker.io" : host);
	r->repo = bh_strdup(repo);
	if (!r->host || !r->api || !r->repo) {
		bh_registry_close(r);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (o->user) {
		r->cred.user = bh_strdup(o->user);
		r->cred.password = bh_strdup(o->password ? o->password : "");
		if (!r->cred.user || !r->cred.password) {
			bh_registry_close(r);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		r->have_cred = true;
		snprintf(r->cred_from, sizeof(r->cred_from), "--registry-user");
	} else {
		bh_error ferr;
		const char *env = getenv("REGISTRY_AUTH_FILE");
		bool explicit_file = o->auth_file || (env && *env);
		char used[260] = "";
		rc = bh_regauth_file_load(o->auth_file, host, r->o.max_json_depth, &r->cred, used, sizeof(used), &ferr);
		snprintf(r->cred_from, sizeof(r->cred_from), "%s", used[0] ? used : "~/.docker/config.json");
		if (!rc) {
			r->have_cred = true;
			bh_log_info("%s: credentials of user \"%s\" from %s", host, r->cred.user, used);
		} else if (rc == BH_ENOTFOUND) {
			bh_log_debug("%s: anonymous (%s)", host, ferr.msg);
		} else if (explicit_file || rc == BH_ENOMEM) {
			bh_registry_close(r);
			if (err)
				*err = ferr;
			return rc;
		} else {
			bh_log_warn("%s; going on without credentials", ferr.msg);
		}
	}
	if ((rc = open_check(r, err))) {
		bh_registry_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void bh_registry_close(bh_registry *r)
{
	if (!r)
		return;
	set_authz(r, NULL);
	bh_regauth_cred_free(&r->cred);
	free(r->host);
	free(r->api);
	free(r->repo);
	free(r);
}

/* ---- manifests ---- */

static int get_manifest(bh_registry *r, const char *reference, bh_buf *body, char *ctype, size_t ctn, char *digest,
			bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_buf path = BH_BUF_INIT;
	bool pinned = sha256_valid(reference, strlen(reference));
	char dcd[200] = "";
	int rc;

	ctype[0] = digest[0] = '\0';
	(void)bh_buf_printf(&path, "/v2/%s/manifests/%s", r->repo, reference);
	if (bh_buf_oom(&path))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = call(r, path.data, ACCEPT_MANIFESTS, r->o.max_meta_size, 0, NULL, NULL, NULL, &resp, err);
	bh_buf_free(&path);
	/* only the manifest's own answer is rewritten; a token server's failure keeps its message */
	if (rc == BH_ENOTFOUND && resp.status == 404) {
		rc = bh_error_set(err, BH_ENOTFOUND, "%s/%s%s%s: no such manifest (the registry has no such %s)", r->host, r->repo,
				  pinned ? "@" : ":", reference, pinned ? "digest" : "tag");
		goto out;
	}
	if (rc == BH_ELIMIT && resp.status >= 200 && resp.status < 300) {
		rc = bh_error_set(err, BH_ELIMIT, "%s/%s%s%s: manifest larger than %llu bytes (max-meta-size limit)", r->host, r->repo,
				  pinned ? "@" : ":", reference, (unsigned long long)r->o.max_meta_size);
		goto out;
	}
	if (rc)
		goto out;
	sha256_hex(resp.body.data ? resp.body.data : "", resp.body.len, digest);
	if (pinned && strcmp(digest, reference) != 0) {
		rc = bh_error_set(err, BH_EDIGEST, "%s/%s@%s: manifest digest mismatch: expected %s, content is %s", r->host, r->repo,
				  reference, reference, digest);
		goto out;
	}
	if (bh_http_header(&resp, "Docker-Content-Digest", dcd, sizeof(dcd)) && sha256_valid(dcd, strlen(dcd)) &&
	    strcmp(dcd, digest) != 0) {
		rc = bh_error_set(err, BH_EDIGEST, "%s/%s%s%s: manifest digest mismatch: the registry says %s (Docker-Content-Digest), "
				  "content is %s", r->host, r->repo, pinned ? "@" : ":", reference, dcd, digest);
		goto out;
	}
	if (!bh_http_header(&resp, "Content-Type", ctype, ctn))
		ctype[0] = '\0';
	if (bh_buf_append(body, resp.body.data ? resp.body.data : "", resp.body.len))
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
out:
	bh_http_response_free(&resp);
	return rc;
}

int bh_registry_resolve(bh_registry *r, const char *reference, const char *platform, bh_registry_manifest *m,
			bh_error *err)
{
	char ref[80], digest[72], ctype[128];
	const char *want = reference;
	unsigned depth;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	for (depth = 0;; depth++) {
		bh_buf body = BH_BUF_INIT;
		bh_registry_kind kind = BH_REGISTRY_KIND_UNKNOWN;
		json_t *doc = NULL;
		if ((rc = get_manifest(r, want, &body, ctype, sizeof(ctype), digest, err))) {
			bh_buf_free(&body);
			break;
		}
		rc = bh_json_load(body.data ? body.data : "", body.len, r->o.max_json_depth, "manifest", &doc, err);
		bh_buf_free(&body);
		if (!rc)
			rc = kind_of_doc(doc, ctype[0] ? ctype : NULL, &kind, err);
		if (rc) {
			json_decref(doc);
			bh_error_wrap(err, "%s/%s@%s", r->host, r->repo, digest);
			break;
		}
		if (kind == BH_REGISTRY_KIND_INDEX) {
			bh_registry_desc d;
			if (depth >= BH_REGISTRY_MAX_NEST) {
				json_decref(doc);
				rc = bh_error_set(err, BH_ELIMIT, "%s/%s@%s: indexes nested more than %u deep", r->host, r->repo, digest,
						  BH_REGISTRY_MAX_NEST);
				break;
			}
			rc = index_pick_doc(doc, platform, &d, err);
			json_decref(doc);
			if (rc) {
				bh_error_wrap(err, "%s/%s@%s", r->host, r->repo, digest);
				break;
			}
			if (!m->index_digest && !(m->index_digest = bh_strdup(digest))) {
				bh_registry_desc_free(&d);
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				break;
			}
			free(m->platform);
			m->platform = d.platform;
			d.platform = NULL;
			snprintf(ref, sizeof(ref), "%s", d.digest);
			bh_registry_desc_free(&d);
			want = ref;
			continue;
		}
		rc = manifest_from_doc(doc, ctype[0] ? ctype : NULL, r->o.max_layers, m, err);
		json_decref(doc);
		if (rc) {
			bh_error_wrap(err, "%s/%s@%s", r->host, r->repo, digest);
			break;
		}
		if (!(m->digest = bh_strdup(digest)))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		break;
	}
	if (rc)
		bh_registry_manifest_free(m);
	return rc;
}

/* ---- blobs ---- */

int bh_registry_blob_get(bh_registry *r, const char *digest, uint64_t size, uint64_t max, bh_buf *out, bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	char path[400], got[72];
	int rc;

	if (!sha256_valid(digest, strlen(digest)))
		return bh_error_set(err, BH_EINVAL, "%s/%s: bad blob digest \"%.80s\"", r->host, r->repo, digest);
	if (size > max)
		return bh_error_set(err, BH_ELIMIT, "%s/%s@%s: %llu bytes declared, more than %llu (max-meta-size limit)", r->host,
				    r->repo, digest, (unsigned long long)size, (unsigned long long)max);
	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", r->repo, digest);
	rc = call(r, path, NULL, size ? size : max, 0, NULL, NULL, NULL, &resp, err);
	if (rc == BH_ENOTFOUND && resp.status == 404)
		rc = bh_error_set(err, BH_ENOTFOUND, "%s/%s@%s: blob not found", r->host, r->repo, digest);
	else if (rc == BH_ELIMIT && (resp.status < 200 || resp.status >= 300))
		; /* from the token server */
	else if (rc == BH_ELIMIT && size)
		rc = bh_error_set(err, BH_EINVAL, "%s/%s@%s: longer than the %llu bytes the manifest declares", r->host, r->repo,
				  digest, (unsigned long long)size);
	else if (rc == BH_ELIMIT)
		rc = bh_error_set(err, BH_ELIMIT, "%s/%s@%s: blob larger than %llu bytes (max-meta-size limit)", r->host, r->repo,
				  digest, (unsigned long long)max);
	if (!rc && size && resp.body.len != size)
		rc = bh_error_set(err, BH_EINVAL, "%s/%s@%s: %zu bytes, the manifest declares %llu", r->host, r->repo, digest,
				  resp.body.len, (unsigned long long)size);
	if (!rc) {
		sha256_hex(resp.body.data ? resp.body.data : "", resp.body.len, got);
		if (strcmp(got, digest) != 0)
			rc = bh_error_set(err, BH_EDIGEST, "%s/%s@%s: digest mismatch: expected %s, content is %s", r->host, r->repo,
					  digest, digest, got);
		else if (bh_buf_append(out, resp.body.data ? resp.body.data : "", resp.body.len))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	bh_http_response_free(&resp);
	return rc;
}

struct bh_registry_stream {
	bh_registry *r;
	char digest[72];
	char name[600];
	uint64_t size;        /* declared, 0: unknown */
	pthread_t th;
	bool started;
	bh_ring ring;         /* transfer thread -> reader */
	bool verified;
	int rc;               /* the transfer's result, set before the ring is closed */
	bh_error terr;        /* its error */
	volatile int cancel;
	EVP_MD_CTX *md;       /* NULL: the caller hashes (bh_registry_blob_open_unverified) */
	uint64_t total;
	bh_logger *log;       /* the opener's logger, installed in the transfer thread (retry warnings) */
};

const char *bh_registry_stream_name(const bh_registry_stream *s)
{
	return s->name;
}

/* Transfer thread side: a piece of the body into the ring (BH_HTTP_STOP once the reader has gone). */
static int stream_push(void *ud, const char *data, size_t n, bh_error *err)
{
	bh_registry_stream *s = ud;
	(void)err;
	return bh_ring_write(&s->ring, data, n) ? 0 : BH_HTTP_STOP;
}

static void *stream_main(void *arg)
{
	bh_registry_stream *s = arg;
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	char path[400];
	bh_error e;
	int rc;

	bh_error_clear(&e);
	bh_log_install(s->log);
	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", s->r->repo, s->digest);
	/* a layer may take long to read (the analyzers pace it): an hour per blob */
	rc = call(s->r, path, NULL, s->size ? s->size : s->r->o.max_blob_size ? s->r->o.max_blob_size : UINT64_MAX, 3600L * 1000,
		  stream_push, s, &s->cancel, &resp, &e);
	if (rc == BH_ENOTFOUND && resp.status == 404)
		rc = bh_error_set(&e, BH_ENOTFOUND, "%s: blob not found", s->name);
	else if (rc == BH_ELIMIT && (resp.status < 200 || resp.status >= 300))
		; /* from the token server */
	else if (rc == BH_ELIMIT && s->size)
		rc = bh_error_set(&e, BH_EINVAL, "%s: longer than the %llu bytes the manifest declares", s->name,
				  (unsigned long long)s->size);
	else if (rc == BH_ELIMIT)
		rc = bh_error_set(&e, BH_ELIMIT, "%s: more than %llu bytes (max-layer-size limit, plus room for compression)", s->name,
				  (unsigned long long)s->r->o.max_blob_size);
	bh_http_response_free(&resp);
	s->rc = rc;
	s->terr = e;
	bh_ring_close(&s->ring); /* after rc: the reader looks at it once the ring is empty and closed */
	return NULL;
}

static int blob_open(bh_registry *r, const char *digest, uint64_t size, bool hash, bh_registry_stream **out, bh_error *err)
{
	bh_registry_stream *s;
	*out = NULL;
	if (!sha256_valid(digest, strlen(digest)))
		return bh_error_set(err, BH_EINVAL, "%s/%s: bad blob digest \"%.80s\"", r->host, r->repo, digest);
	if (size && r->o.max_blob_size && size > r->o.max_blob_size)
		return bh_error_set(err, BH_ELIMIT, "%s/%s@%s: %llu bytes declared, more than %llu (max-layer-size limit)", r->host,
				    r->repo, digest, (unsigned long long)size, (unsigned long long)r->o.max_blob_size);
	if (!(s = calloc(1, sizeof(*s))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	s->r = r;
	s->size = size;
	s->log = bh_log_current();
	snprintf(s->digest, sizeof(s->digest), "%s", digest);
	snprintf(s->name, sizeof(s->name), "%s/%s@%s", r->host, r->repo, digest);
	if (hash)
		s->md = EVP_MD_CTX_new();
	if (bh_ring_init(&s->ring, STREAM_RING) || (hash && (!s->md || !EVP_DigestInit_ex(s->md, EVP_sha256(), NULL)))) {
		bh_registry_stream_close(s);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (pthread_create(&s->th, NULL, stream_main, s) != 0) {
		bh_registry_stream_close(s);
		return bh_error_set(err, BH_ENOMEM, "%s: cannot start the transfer thread", s->name);
	}
	s->started = true;
	*out = s;
	return 0;
}

int bh_registry_blob_open(bh_registry *r, const char *digest, uint64_t size, bh_registry_stream **out, bh_error *err)
{
	return blob_open(r, digest, size, true, out, err);
}

int bh_registry_blob_open_unverified(bh_registry *r, const char *digest, uint64_t size, bh_registry_stream **out,
				     bh_error *err)
{
	return blob_open(r, digest, size, false, out, err);
}

int bh_registry_stream_read(bh_registry_stream *s, void *buf, size_t n, size_t *got, bh_error *err)
{
	size_t k;
	*got = 0;
	if (!n)
		return 0;
	if ((k = bh_ring_read(&s->ring, buf, n)) == 0) {
		/* the transfer has ended: its result, then the size and digest of what came */
		if (s->rc) {
			if (err)
				*err = s->terr;
			return s->rc;
		}
		if (!s->verified && s->size && s->total != s->size) {
			s->verified = true;
			s->rc = bh_error_set(&s->terr, BH_EINVAL, "%s: %llu bytes, the manifest declares %llu", s->name,
					     (unsigned long long)s->total, (unsigned long long)s->size);
			if (err)
				*err = s->terr;
			return s->rc;
		}
		if (!s->verified && s->md) {
			unsigned char md[EVP_MAX_MD_SIZE];
			unsigned mdlen = 0, i;
			char hex[72];
			static const char hx[] = "0123456789abcdef";
			EVP_DigestFinal_ex(s->md, md, &mdlen);
			memcpy(hex, "sha256:", 7);
			for (i = 0; i < mdlen && i < 32; i++) {
				hex[7 + 2 * i] = hx[md[i] >> 4];
				hex[8 + 2 * i] = hx[md[i] & 15];
			}
			hex[71] = '\0';
			s->verified = true;
			if (strcmp(hex, s->digest) != 0) {
				s->rc = bh_error_set(&s->terr, BH_EDIGEST, "%s: digest mismatch: expected %s, content is %s", s->name,
						     s->digest, hex);
				if (err)
					*err = s->terr;
				return s->rc;
			}
		}
		return 0;
	}
	if (s->md)
		EVP_DigestUpdate(s->md, buf, k);
	s->total += k;
	*got = k;
	return 0;
}

void bh_registry_stream_close(bh_registry_stream *s)
{
	if (!s)
		return;
	if (s->started) {
		__atomic_store_n(&s->cancel, 1, __ATOMIC_RELAXED);
		bh_ring_stop(&s->ring);
		pthread_join(s->th, NULL);
	}
	bh_ring_free(&s->ring);
	if (s->md)
		EVP_MD_CTX_free(s->md);
	free(s);
}
