/* regwatch.c - watched registries: /api/v1/registries, push notifications, and the poll/index job worker. */
#include "server/regwatch.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/json.h"
#include "core/log.h"
#include "core/severity.h"
#include "net/http.h"
#include "registry/auth.h"
#include "registry/registry.h"
#include "scan/scan.h"
#include "server/apictx.h"
#include "vuln/db.h"
#include "vuln/match.h"

#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define SECRET_MAX 4096
#define REPOS_MAX 1000
#define LIST_PAGES 100
#define LIST_BODY_MAX (4u << 20)
#define TAGS_PER_POLL 10000
#define INTERVAL_MIN 10
#define INTERVAL_MAX (7 * 86400)
#define API_BODY_MAX (256u << 10)

/* ---------------------------------------------------------------- the key and sealing */

static pthread_mutex_t g_keymu = PTHREAD_MUTEX_INITIALIZER;
static char *g_keyfile;
static unsigned char g_key[KEY_LEN];
static bool g_key_loaded;

int bh_regwatch_set_key_file(const char *path, bh_error *err)
{
	char *p = path ? strdup(path) : NULL;
	if (path && !p)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	pthread_mutex_lock(&g_keymu);
	free(g_keyfile);
	g_keyfile = p;
	g_key_loaded = false;
	OPENSSL_cleanse(g_key, sizeof(g_key));
	pthread_mutex_unlock(&g_keymu);
	return 0;
}

static int key_read(const char *path, unsigned char key[KEY_LEN], bh_error *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	ssize_t n;
	if (fd < 0)
		return errno == ENOENT ? BH_ENOTFOUND : bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size != KEY_LEN) {
		close(fd);
		return bh_error_set(err, BH_EINVAL, "%s: not a %d-byte secret key file", path, KEY_LEN);
	}
	/* a key others can read is no secret: refuse rather than use it */
	if (sb.st_mode & 077) {
		close(fd);
		return bh_error_set(err, BH_EINVAL, "%s: readable by group or others (chmod 600 it)", path);
	}
	n = read(fd, key, KEY_LEN);
	close(fd);
	if (n != KEY_LEN)
		return bh_error_set(err, BH_EIO, "%s: short read", path);
	return 0;
}

static int key_get(unsigned char key[KEY_LEN], bh_error *err)
{
	int rc = 0, fd;
	pthread_mutex_lock(&g_keymu);
	if (g_key_loaded) {
		memcpy(key, g_key, KEY_LEN);
		goto out;
	}
	if (!g_keyfile) {
		rc = bh_error_set(err, BH_EUSAGE, "no secret key file (bulkhead serve --secret-key-file)");
		goto out;
	}
	if ((rc = key_read(g_keyfile, g_key, err)) == BH_ENOTFOUND) {
		/* first use: O_EXCL, so two servers sharing the file never write two keys */
		if (RAND_bytes(g_key, KEY_LEN) != 1) {
			rc = bh_error_set(err, BH_EIO, "no random bytes for the secret key");
			goto out;
		}
		fd = open(g_keyfile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST) {
			rc = key_read(g_keyfile, g_key, err);
		} else if (fd < 0) {
			rc = bh_error_set(err, BH_EIO, "%s: %s", g_keyfile, strerror(errno));
		} else {
			rc = write(fd, g_key, KEY_LEN) == KEY_LEN && fsync(fd) == 0 ? 0
			     : bh_error_set(err, BH_EIO, "%s: %s", g_keyfile, strerror(errno));
			close(fd);
			if (rc)
				unlink(g_keyfile);
			else
				bh_log_info("regwatch: made the secret key %s", g_keyfile);
		}
	}
	if (!rc) {
		g_key_loaded = true;
		memcpy(key, g_key, KEY_LEN);
	}
out:
	pthread_mutex_unlock(&g_keymu);
	return rc;
}

int bh_regwatch_key_get(unsigned char key[32], bh_error *err)
{
	return key_get(key, err);
}

int bh_regwatch_seal(const unsigned char key[32], const char *ad, const char *plain, char **out, bh_error *err)
{
	size_t pl = strlen(plain), rawlen, outlen;
	unsigned char *raw = NULL;
	EVP_CIPHER_CTX *c = NULL;
	int n, rc = BH_EIO;
	char *s = NULL;
	*out = NULL;
	if (pl > SECRET_MAX)
		return bh_error_set(err, BH_ELIMIT, "secret longer than %d bytes", SECRET_MAX);
	rawlen = NONCE_LEN + pl + TAG_LEN;
	outlen = 3 + 4 * ((rawlen + 2) / 3) + 1;
	if (!(raw = malloc(rawlen)) || !(s = malloc(outlen)) || !(c = EVP_CIPHER_CTX_new())) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if (RAND_bytes(raw, NONCE_LEN) != 1 || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, raw) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)ad, (int)strlen(ad)) != 1 ||
	    EVP_EncryptUpdate(c, raw + NONCE_LEN, &n, (const unsigned char *)plain, (int)pl) != 1 ||
	    EVP_EncryptFinal_ex(c, raw + NONCE_LEN + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, raw + NONCE_LEN + pl) != 1) {
		rc = bh_error_set(err, BH_EIO, "AES-256-GCM sealing failed");
		goto out;
	}
	memcpy(s, "v1:", 3);
	EVP_EncodeBlock((unsigned char *)s + 3, raw, (int)rawlen);
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (raw)
		OPENSSL_cleanse(raw, rawlen);
	free(raw);
	free(s);
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int bh_regwatch_unseal(const unsigned char key[32], const char *ad, const char *sealed, char **out, bh_error *err)
{
	size_t sl, pl;
	unsigned char *raw = NULL;
	char *plain = NULL;
	EVP_CIPHER_CTX *c = NULL;
	int n, rawlen, rc = BH_EINVAL;
	*out = NULL;
	if (!sealed || strncmp(sealed, "v1:", 3) != 0 || (sl = strlen(sealed + 3)) % 4 || sl < 4 * ((NONCE_LEN + TAG_LEN + 2) / 3) ||
	    sl > 4 * ((NONCE_LEN + TAG_LEN + SECRET_MAX + 2) / 3))
		return bh_error_set(err, BH_EINVAL, "stored secret is not a v1 sealed secret");
	if (!(raw = malloc(sl)) || !(c = EVP_CIPHER_CTX_new())) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if ((rawlen = EVP_DecodeBlock(raw, (const unsigned char *)sealed + 3, (int)sl)) < 0) {
		rc = bh_error_set(err, BH_EINVAL, "stored secret: bad base64");
		goto out;
	}
	/* DecodeBlock counts the padding as zero bytes */
	rawlen -= (sealed[3 + sl - 1] == '=') + (sealed[3 + sl - 2] == '=');
	if (rawlen < NONCE_LEN + TAG_LEN) {
		rc = bh_error_set(err, BH_EINVAL, "stored secret: too short");
		goto out;
	}
	pl = (size_t)rawlen - NONCE_LEN - TAG_LEN;
	if (!(plain = malloc(pl + 1))) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, raw) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)ad, (int)strlen(ad)) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)plain, &n, raw + NONCE_LEN, (int)pl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, raw + NONCE_LEN + pl) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)plain + n, &n) != 1) {
		rc = bh_error_set(err, BH_EINVAL, "stored secret does not open with this server's key (another --secret-key-file?)");
		goto out;
	}
	plain[pl] = '\0';
	if (strlen(plain) != pl) {
		rc = bh_error_set(err, BH_EINVAL, "stored secret holds a NUL byte");
		goto out;
	}
	*out = plain;
	plain = NULL;
	rc = 0;
out:
	if (plain)
		OPENSSL_cleanse(plain, pl + 1);
	free(plain);
	free(raw);
	EVP_CIPHER_CTX_free(c);
	return rc;
}

/* ---------------------------------------------------------------- names */

static bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool bh_regwatch_repo_ok(const char *s)
{
	size_t i, n = strlen(s);
	if (!n || n > 255)
		return false;
	for (i = 0; i < n;) {
		/* a component: alnum runs joined by '.', '_', '__' or dashes */
		if (!lower_alnum(s[i]))
			return false;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n || s[i] == '/') {
			if (i < n && ++i == n)
				return false;
			continue;
		}
		if (s[i] == '.' || s[i] == '_') {
			i += s[i] == '_' && i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n || !lower_alnum(s[i]))
			return false;
	}
	return true;
}

static bool tag_ok(const char *s)
{
	size_t i, n = strlen(s);
	if (!n || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

static bool sha256_ok(const char *s)
{
	size_t i;
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
		return false;
	for (i = 7; i < 71; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* host[:port] or [v6]:port, as a registry names itself */
static bool host_ok(const char *s, size_t n)
{
	size_t i;
	if (!n || n > 255)
		return false;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr(".-:[]", s[i])))
			return false;
	return s[0] != '.' && s[0] != '-' && s[0] != ':';
}

/* The authority of an http(s) URL into out (false when it is not one). */
static bool url_host(const char *url, char *out, size_t cap)
{
	const char *p, *e;
	if (!strncmp(url, "https://", 8))
		p = url + 8;
	else if (!strncmp(url, "http://", 7))
		p = url + 7;
	else
		return false;
	e = p + strcspn(p, "/?#");
	if (!host_ok(p, (size_t)(e - p)) || (size_t)(e - p) >= cap || memchr(p, '@', (size_t)(e - p)))
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

/* ---------------------------------------------------------------- the notification parser */

static bool manifest_type(const char *mt)
{
	static const char *const types[] = { "application/vnd.docker.distribution.manifest.v2+json",
					     "application/vnd.docker.distribution.manifest.list.v2+json",
					     "application/vnd.oci.image.manifest.v1+json",
					     "application/vnd.oci.image.index.v1+json", NULL };
	size_t i;
	for (i = 0; types[i]; i++)
		if (!strcmp(mt, types[i]))
			return true;
	return false;
}

void bh_regwatch_pushes_free(bh_regwatch_pushes *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->items[i].host);
		free(p->items[i].repository);
		free(p->items[i].digest);
		free(p->items[i].tag);
		free(p->items[i].media_type);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

static int bad(char *why, size_t wl, size_t i, const char *what)
{
	snprintf(why, wl, "events[%zu]: %s", i, what);
	return 400;
}

/* an optional member: absent or null is fine, else it must be a string */
static int opt_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* Equal strings, or both absent. */
static bool str_eq(const char *a, const char *b) { return !a || !b ? a == b : strcmp(a, b) == 0; }

static bool same_push(const bh_regwatch_push *p, const char *host, const char *repo, const char *digest, const char *tag)
{
	return str_eq(p->repository, repo) && str_eq(p->digest, digest) && str_eq(p->tag, tag) && str_eq(p->host, host);
}

int bh_regwatch_notification_parse(const char *body, size_t len, unsigned max_depth, size_t max_events,
				   bh_regwatch_pushes *out, char *why, size_t whylen)
{
	json_t *doc = NULL, *evs, *ev;
	bh_error err;
	size_t i, k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!len) {
		snprintf(why, whylen, "empty body: a notification envelope {\"events\": [...]} was expected");
		return 400;
	}
	if ((rc = bh_json_load(body, len, max_depth ? max_depth : 64, "notification", &doc, &err)) != 0) {
		if (rc == BH_ENOMEM)
			return rc;
		snprintf(why, whylen, "%s", err.msg);
		return 400;
	}
	if (!json_is_object(doc) || !json_is_array(evs = json_object_get(doc, "events"))) {
		snprintf(why, whylen, "not a notification envelope: an object with an \"events\" array was expected");
		rc = 400;
		goto out;
	}
	if (json_array_size(evs) > max_events) {
		snprintf(why, whylen, "%zu events in one envelope (at most %zu)", json_array_size(evs), max_events);
		rc = 413;
		goto out;
	}
	if (json_array_size(evs) && !(out->items = calloc(json_array_size(evs), sizeof(*out->items)))) {
		rc = BH_ENOMEM;
		goto out;
	}
	json_array_foreach(evs, i, ev) {
		json_t *tg, *rq;
		const char *action, *mt, *dg, *repo, *tag, *url, *rhost = NULL;
		char host[256];
		bool have_host = false;
		bh_regwatch_push *p;
		if (!json_is_object(ev) || !json_is_string(json_object_get(ev, "action"))) {
			rc = bad(why, whylen, i, "an event is an object with a string \"action\"");
			goto out;
		}
		action = json_string_value(json_object_get(ev, "action"));
		if (strcmp(action, "push") != 0) {
			out->ignored++;
			continue;
		}
		if (!json_is_object(tg = json_object_get(ev, "target"))) {
			rc = bad(why, whylen, i, "a push has a \"target\" object");
			goto out;
		}
		if (opt_str(tg, "mediaType", &mt) || opt_str(tg, "digest", &dg) || opt_str(tg, "repository", &repo) ||
		    opt_str(tg, "tag", &tag) || opt_str(tg, "url", &url)) {
			rc = bad(why, whylen, i, "target.mediaType, digest, repository, tag and url are strings");
			goto out;
		}
		if (!mt || !dg || !repo) {
			rc = bad(why, whylen, i, "target.mediaType, target.digest and target.repository are required");
			goto out;
		}
		rq = json_object_get(ev, "request");
		if (rq && !json_is_null(rq) && (!json_is_object(rq) || opt_str(rq, "host", &rhost))) {
			rc = bad(why, whylen, i, "request is an object with a string host");
			goto out;
		}
		if (!manifest_type(mt)) { /* layers and configs are pushed as blobs */
			out->ignored++;
			continue;
		}
		if (!sha256_ok(dg)) {
			rc = bad(why, whylen, i, "target.digest is not sha256:<64 lowercase hex>");
			goto out;
		}
		if (!bh_regwatch_repo_ok(repo)) {
			rc = bad(why, whylen, i, "target.repository is not a repository name");
			goto out;
		}
		if (tag && !tag_ok(tag)) {
			rc = bad(why, whylen, i, "target.tag is not a tag");
			goto out;
		}
		if (url && *url) {
			if (!url_host(url, host, sizeof(host))) {
				rc = bad(why, whylen, i, "target.url is not an http(s) URL of a registry");
				goto out;
			}
			have_host = true;
		} else if (rhost && *rhost) {
			if (!host_ok(rhost, strlen(rhost)) || strlen(rhost) >= sizeof(host)) {
				rc = bad(why, whylen, i, "request.host is not a host[:port]");
				goto out;
			}
			snprintf(host, sizeof(host), "%s", rhost);
			have_host = true;
		}
		for (k = 0; k < out->n; k++)
			if (same_push(&out->items[k], have_host ? host : NULL, repo, dg, tag))
				break;
		if (k < out->n) {
			out->ignored++;
			continue;
		}
		p = &out->items[out->n];
		if (!(p->repository = strdup(repo)) || !(p->digest = strdup(dg)) || !(p->media_type = strdup(mt)) ||
		    (tag && !(p->tag = strdup(tag))) || (have_host && !(p->host = strdup(host)))) {
			out->n++; /* freed with the rest */
			rc = BH_ENOMEM;
			goto out;
		}
		out->n++;
	}
out:
	json_decref(doc);
	if (rc) /* a refused envelope hands nothing back */
		bh_regwatch_pushes_free(out);
	return rc;
}

/* ---------------------------------------------------------------- registry rows */

/* One registry as the worker uses it (owned strings). */
typedef struct reg {
	char *url, *host, *username, *secret, *ca_file;
	json_t *repos; /* array or NULL: the catalog */
	bool tls_verify;
	int64_t interval_s, last_polled;
} reg;

static void reg_free(reg *g)
{
	free(g->url);
	free(g->host);
	free(g->username);
	if (g->secret)
		OPENSSL_cleanse(g->secret, strlen(g->secret));
	free(g->secret);
	free(g->ca_file);
	json_decref(g->repos);
	memset(g, 0, sizeof(*g));
}

struct find_reg {
	const char *url;  /* match on the URL, */
	const char *host; /* or on the host */
	reg *out;
	bool found;
	int rc;
};

static int find_reg_cb(void *ud, const bh_store_registry *r)
{
	struct find_reg *f = ud;
	char host[256];
	json_t *opt;
	if (f->found || !r->url || !url_host(r->url, host, sizeof(host)))
		return 0;
	if (f->url ? strcmp(f->url, r->url) != 0 : strcasecmp(f->host, host) != 0)
		return 0;
	f->found = true;
	opt = bh_apictx_jraw(r->repositories_json);
	f->out->url = strdup(r->url);
	f->out->host = strdup(host);
	f->out->username = r->username ? strdup(r->username) : NULL;
	f->out->secret = r->secret ? strdup(r->secret) : NULL; /* sealed still */
	f->out->tls_verify = !json_is_false(json_object_get(opt, "tls_verify"));
	if (json_is_string(json_object_get(opt, "ca_file")))
		f->out->ca_file = strdup(json_string_value(json_object_get(opt, "ca_file")));
	if (json_is_array(json_object_get(opt, "repositories")))
		f->out->repos = json_incref(json_object_get(opt, "repositories"));
	f->out->interval_s = r->interval_s;
	f->out->last_polled = r->last_polled;
	json_decref(opt);
	if (!f->out->url || !f->out->host || (r->username && !f->out->username) || (r->secret && !f->out->secret))
		return f->rc = BH_ENOMEM;
	return 0;
}

/* 1 found (*g filled, the secret opened when open_secret, else dropped), 0 not, <0 error. */
static int reg_load(bh_api *a, const char *url, const char *host, bool open_secret, reg *g, bh_error *err)
{
	struct find_reg f = { url, host, g, false, 0 };
	bh_store *st;
	int rc;
	memset(g, 0, sizeof(*g));
	st = bh_apictx_store(a);
	rc = bh_store_registry_list(st, find_reg_cb, &f, err);
	bh_apictx_release(a, st);
	if (!rc && f.rc)
		rc = bh_error_set(err, f.rc, "out of memory");
	if (!rc && f.found && g->secret && !open_secret) {
		free(g->secret);
		g->secret = NULL;
	}
	if (!rc && f.found && g->secret) {
		unsigned char key[KEY_LEN];
		char *plain = NULL;
		if ((rc = key_get(key, err)) == 0)
			rc = bh_regwatch_unseal(key, g->url, g->secret, &plain, err);
		OPENSSL_cleanse(key, sizeof(key));
		free(g->secret);
		g->secret = plain;
	}
	if (rc) {
		reg_free(g);
		return rc;
	}
	if (!f.found)
		reg_free(g);
	return f.found ? 1 : 0;
}

/* ---------------------------------------------------------------- the routes */

static int reg_json_cb(void *ud, const bh_store_registry *r)
{
	json_t *o = json_object(), *opt = bh_apictx_jraw(r->repositories_json);
	if (!o) {
		json_decref(opt);
		return BH_ENOMEM;
	}
	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "url", bh_apictx_jstr(r->url));
	json_object_set_new(o, "username", bh_apictx_jstr(r->username));
	/* never the secret, sealed or not: only whether one is stored */
	json_object_set_new(o, "has_secret", json_boolean(r->secret && *r->secret));
	json_object_set_new(o, "secret_kind", json_incref(json_is_string(json_object_get(opt, "secret_kind"))
								  ? json_object_get(opt, "secret_kind") : json_null()));
	json_object_set_new(o, "repositories", json_incref(json_is_array(json_object_get(opt, "repositories"))
								   ? json_object_get(opt, "repositories") : json_null()));
	json_object_set_new(o, "ca_file", json_incref(json_is_string(json_object_get(opt, "ca_file"))
							      ? json_object_get(opt, "ca_file") : json_null()));
	json_object_set_new(o, "tls_verify", json_boolean(!json_is_false(json_object_get(opt, "tls_verify"))));
	json_object_set_new(o, "interval_s", json_integer(r->interval_s));
	json_object_set_new(o, "last_polled", bh_apictx_jtime(r->last_polled));
	json_decref(opt);
	return json_array_append_new(ud, o) ? BH_ENOMEM : 0;
}

static int get_registries(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	json_t *items = json_array();
	bh_error err;
	int rc;
	(void)req;
	if (!items)
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = bh_store_registry_list(st, reg_json_cb, items, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, items, 0);
}

/* The body of POST /api/v1/registries, checked member by member; 0 or a 400 already set. */
static int registry_body(bh_srv_req *req, bh_srv_resp *resp, bh_store_registry *r, char *url, size_t urlcap,
			 const char **secret, json_t **opt)
{
	static const char *const known[] = { "url", "username", "password", "token", "repositories", "interval_s",
					     "ca_file", "tls_verify", NULL };
	json_t *b = bh_srv_json(req), *v, *repos = NULL;
	const char *key, *s, *pw = NULL, *tok = NULL, *ca = NULL;
	char host[256];
	size_t i, n;
	bool verify = true;

	*opt = NULL;
	if (!json_is_object(b))
		return bh_srv_resp_error(resp, 400, "bad_request", "the body must be a JSON object {\"url\": ..., ...}"), 1;
	json_object_foreach(b, key, v) {
		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++)
			;
		if (!known[i])
			return bh_srv_resp_error(resp, 400, "bad_request", "unknown member \"%.64s\"", key), 1;
	}
	if (!json_is_string(v = json_object_get(b, "url")) || !url_host(s = json_string_value(v), host, sizeof(host)))
		return bh_srv_resp_error(resp, 400, "bad_url", "url must be https://HOST[:PORT] (or http:// for a loopback registry)"), 1;
	n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	if (n >= urlcap || strncmp(s, "http", 4) != 0 || strlen(strstr(s, "://") + 3) != strlen(host) + (strlen(s) - n))
		return bh_srv_resp_error(resp, 400, "bad_url", "url must be the registry's root (no path, query or user)"), 1;
	memcpy(url, s, n);
	url[n] = '\0';
	/* credentials never cross the network in clear: plain HTTP only to this machine */
	if (!strncmp(url, "http://", 7) && !bh_registry_host_loopback(host))
		return bh_srv_resp_error(resp, 400, "bad_url", "plain http:// only for a loopback registry; use https://"), 1;
	r->url = url;
	if ((v = json_object_get(b, "username")) && !json_is_null(v)) {
		if (!json_is_string(v) || !*(s = json_string_value(v)) || strlen(s) > 255 || !bh_apictx_printable(s) || strchr(s, ':'))
			return bh_srv_resp_error(resp, 400, "bad_request", "username must be a non-empty string without ':'"), 1;
		r->username = s;
	}
	if (((v = json_object_get(b, "password")) && !json_is_null(v) && (!json_is_string(v) || !*(pw = json_string_value(v)))) ||
	    ((v = json_object_get(b, "token")) && !json_is_null(v) && (!json_is_string(v) || !*(tok = json_string_value(v)))))
		return bh_srv_resp_error(resp, 400, "bad_request", "password and token are non-empty strings"), 1;
	if (pw && tok)
		return bh_srv_resp_error(resp, 400, "bad_request", "give a password or a token, not both"), 1;
	*secret = pw ? pw : tok;
	if (*secret && (strlen(*secret) > SECRET_MAX || !bh_apictx_printable(*secret)))
		return bh_srv_resp_error(resp, 400, "bad_request", "the password or token is longer than %d bytes or holds control characters", SECRET_MAX), 1;
	if (pw && !r->username)
		return bh_srv_resp_error(resp, 400, "bad_request", "a password needs a username"), 1;
	if ((v = json_object_get(b, "repositories")) && !json_is_null(v)) {
		json_t *x;
		if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > REPOS_MAX)
			return bh_srv_resp_error(resp, 400, "bad_request", "repositories is a non-empty array of at most %d names (omit it for the whole /v2/_catalog)", REPOS_MAX), 1;
		json_array_foreach(v, i, x)
			if (!json_is_string(x) || !bh_regwatch_repo_ok(json_string_value(x)))
				return bh_srv_resp_error(resp, 400, "bad_request", "repositories[%zu] is not a repository name", i), 1;
		repos = v;
	}
	r->interval_s = 3600;
	if ((v = json_object_get(b, "interval_s")) && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < INTERVAL_MIN || json_integer_value(v) > INTERVAL_MAX)
			return bh_srv_resp_error(resp, 400, "bad_request", "interval_s is an integer from %d to %d", INTERVAL_MIN, INTERVAL_MAX), 1;
		r->interval_s = json_integer_value(v);
	}
	if ((v = json_object_get(b, "ca_file")) && !json_is_null(v)) {
		if (!json_is_string(v) || (ca = json_string_value(v))[0] != '/' || strlen(ca) > 4096 || !bh_apictx_printable(ca))
			return bh_srv_resp_error(resp, 400, "bad_request", "ca_file is an absolute path on the server"), 1;
		if (access(ca, R_OK))
			return bh_srv_resp_error(resp, 400, "bad_request", "ca_file %.200s cannot be read by the server: %s", ca, strerror(errno)), 1;
	}
	if ((v = json_object_get(b, "tls_verify")) && !json_is_null(v)) {
		if (!json_is_boolean(v))
			return bh_srv_resp_error(resp, 400, "bad_request", "tls_verify is a boolean"), 1;
		verify = json_is_true(v);
	}
	*opt = json_pack("{s:O, s:o, s:b, s:o}", "repositories", repos ? repos : json_null(), "ca_file",
			 ca ? json_string(ca) : json_null(), "tls_verify", verify, "secret_kind",
			 pw ? json_string("password") : tok ? json_string("token") : json_null());
	return *opt ? 0 : BH_ENOMEM;
}

static int post_registry(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	bh_store_registry r;
	char url[512], *sealed = NULL, *optjs = NULL, detail[160];
	const char *secret = NULL;
	unsigned char key[KEY_LEN];
	json_t *opt = NULL, *o;
	bh_error err;
	int64_t id = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	if ((rc = registry_body(req, resp, &r, url, sizeof(url), &secret, &opt)) != 0)
		return rc > 0 ? 0 : rc;
	if (secret) {
		if ((rc = key_get(key, &err)) == 0)
			rc = bh_regwatch_seal(key, url, secret, &sealed, &err);
		OPENSSL_cleanse(key, sizeof(key));
		if (rc) {
			json_decref(opt);
			bh_log_error("regwatch: sealing the secret of %s: %s", url, err.msg);
			return rc == BH_ENOMEM ? rc : bh_srv_resp_error(resp, 500, "internal", "the secret could not be sealed (see the server log)");
		}
	}
	if (!(optjs = json_dumps(opt, JSON_COMPACT))) {
		json_decref(opt);
		free(sealed);
		return BH_ENOMEM;
	}
	r.secret = sealed;
	r.repositories_json = optjs;
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc)
		rc = bh_store_registry_put(st, &r, &id, &err);
	snprintf(detail, sizeof(detail), "username=%.64s secret=%s interval_s=%lld", r.username ? r.username : "-",
		 secret ? json_string_value(json_object_get(opt, "secret_kind")) : "none", (long long)r.interval_s);
	if (!rc)
		rc = bh_apictx_audit(st, req, "registry.put", url, detail, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	free(sealed);
	free(optjs);
	if (rc) {
		json_decref(opt);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	o = json_pack("{s:I, s:s, s:O, s:I}", "id", (json_int_t)id, "url", url, "repositories",
		      json_object_get(opt, "repositories"), "interval_s", (json_int_t)r.interval_s);
	json_decref(opt);
	return bh_srv_resp_json(resp, 201, o);
}

static int del_registry(bh_store *st, void *ud, bh_error *err)
{
	return bh_store_registry_delete(st, ud, err);
}

static int delete_registry(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	const char *url = bh_srv_query(req, "url");
	bh_error err;
	int rc;
	if (!url || !*url)
		return bh_srv_resp_error(resp, 400, "bad_request", "?url= names the registry to forget");
	rc = bh_apictx_write(ud, req, del_registry, (void *)url, "registry.delete", url, NULL, &err);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "no registry %.300s", url);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	return bh_srv_resp_json(resp, 200, json_pack("{s:s, s:b}", "url", url, "deleted", 1));
}

static pthread_mutex_t g_wakemu = PTHREAD_MUTEX_INITIALIZER;
static bh_regwatch *g_watch; /* the running worker of this process, woken when a job is queued */
static void wake(void);

static int poll_registry(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st;
	const char *url = bh_srv_query(req, "url");
	json_t *pl;
	char *pjs;
	bh_error err;
	int64_t id = 0, n = 0;
	bh_sql_value p;
	int rc;
	if (!url || !*url)
		return bh_srv_resp_error(resp, 400, "bad_request", "?url= names the registry to poll");
	if (!(pl = json_pack("{s:s, s:s}", "registry", url, "source", "api")) || !(pjs = json_dumps(pl, JSON_COMPACT))) {
		json_decref(pl);
		return BH_ENOMEM;
	}
	json_decref(pl);
	p = BH_SQL_TEXT(url);
	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), &err);
	if (!rc && (rc = bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM registries WHERE url = $1", &p, 1, &n, &err)) > 0)
		rc = 0;
	if (!rc && n == 0)
		rc = BH_ENOTFOUND;
	if (!rc)
		rc = bh_store_job_add(st, "registry.poll", pjs, (int64_t)time(NULL), &id, &err);
	if (!rc)
		rc = bh_apictx_audit(st, req, "registry.poll", url, NULL, &err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), &err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	free(pjs);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "no registry %.300s (POST /api/v1/registries first)", url);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	wake();
	return bh_srv_resp_json(resp, 202, json_pack("{s:s, s:I}", "registry", url, "job", (json_int_t)id));
}

/* POST /api/v1/registry/notifications: each pushed manifest of a known registry becomes an index job. */
static int post_notifications(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_api *a = ud;
	bh_store *st = NULL;
	size_t len, i, queued = 0, unknown = 0, ignored;
	const char *body = bh_srv_body(req, &len);
	bh_regwatch_pushes ps;
	json_t *jobs = NULL;
	char why[320], detail[128];
	bh_error err;
	int rc;

	rc = bh_regwatch_notification_parse(body, len, a->max_json_depth, BH_REGWATCH_NOTIFY_EVENTS, &ps, why, sizeof(why));
	if (rc) {
		bh_regwatch_pushes_free(&ps);
		if (rc < 0)
			return rc;
		return bh_srv_resp_error(resp, (unsigned)rc, rc == 413 ? "too_many_events" : "bad_notification", "%s", why);
	}
	if (!(jobs = json_array())) {
		bh_regwatch_pushes_free(&ps);
		return BH_ENOMEM;
	}
	for (i = 0; !rc && i < ps.n; i++) {
		const bh_regwatch_push *p = &ps.items[i];
		reg g = { 0 };
		json_t *pl;
		char *pjs;
		int64_t id = 0;
		/*
		 * By tag only, as polls see images: pushing an index by tag first pushes each platform's
		 * manifest by digest alone (seen from docker-registry 2.8 and skopeo), and those would be
		 * stored again beside the index they belong to.
		 */
		if (!p->tag) {
			ps.ignored++;
			continue;
		}
		/* the registry that sent it must be one the server watches: its credentials read the image */
		if (!p->host || (rc = reg_load(a, NULL, p->host, false, &g, &err)) == 0) {
			unknown++;
			bh_log_warn("regwatch: push of %s/%s@%s: no watched registry has this host", p->host ? p->host : "?",
				    p->repository, p->digest);
			continue;
		}
		if (rc < 0)
			break;
		pl = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "registry", g.url, "repository", p->repository, "digest",
			       p->digest, "tag", p->tag ? json_string(p->tag) : json_null(), "media_type", p->media_type,
			       "source", "notification");
		reg_free(&g);
		if (!pl || !(pjs = json_dumps(pl, JSON_COMPACT))) {
			json_decref(pl);
			rc = BH_ENOMEM;
			break;
		}
		json_decref(pl);
		if (!st) {
			st = bh_apictx_store(a);
			if ((rc = bh_sql_begin(bh_store_sql(st), &err)) != 0) {
				free(pjs);
				break;
			}
		}
		rc = bh_store_job_add(st, "registry.index", pjs, (int64_t)time(NULL), &id, &err);
		free(pjs);
		if (!rc) {
			queued++;
			json_array_append_new(jobs, json_integer(id));
		}
	}
	if (st) {
		if (!rc) {
			snprintf(detail, sizeof(detail), "queued=%zu ignored=%zu unknown_registry=%zu", queued, ps.ignored, unknown);
			rc = bh_apictx_audit(st, req, "registry.notification", NULL, detail, &err);
		}
		if (!rc)
			rc = bh_sql_commit(bh_store_sql(st), &err);
		else
			bh_sql_rollback(bh_store_sql(st), NULL);
		bh_apictx_release(a, st);
	}
	ignored = ps.ignored;
	bh_regwatch_pushes_free(&ps);
	if (rc) {
		json_decref(jobs);
		return rc == BH_ENOMEM ? rc : bh_apictx_store_failed(resp, rc, &err);
	}
	if (queued)
		wake();
	return bh_srv_resp_json(resp, 202, json_pack("{s:I, s:I, s:I, s:o}", "queued", (json_int_t)queued, "ignored",
						     (json_int_t)ignored, "unknown_registry", (json_int_t)unknown, "jobs", jobs));
}

int bh_regwatch_routes(bh_api *a, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/registries", get_registries, a, .allow = BH_SRV_ALLOW_VIEWER },
		{ "POST", "/api/v1/registries", post_registry, a, .allow = BH_SRV_ALLOW_ADMIN, .body = BH_SRV_BODY_JSON,
		  .max_body = API_BODY_MAX },
		{ "DELETE", "/api/v1/registries", delete_registry, a, .allow = BH_SRV_ALLOW_ADMIN },
		{ "POST", "/api/v1/registries/poll", poll_registry, a, .allow = BH_SRV_ALLOW_OPERATOR },
		{ "POST", "/api/v1/registry/notifications", post_notifications, a, .allow = BH_SRV_ALLOW_OPERATOR,
		  .body = BH_SRV_BODY_RAW, .max_body = BH_REGWATCH_NOTIFY_MAX },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}

/* ---------------------------------------------------------------- the worker */

struct bh_regwatch {
	bh_api *api;
	unsigned tick_s;
	int64_t lease_s;
	char worker[300];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile int stop;
	bool kick;
};

static void wake(void)
{
	pthread_mutex_lock(&g_wakemu);
	if (g_watch) {
		pthread_mutex_lock(&g_watch->mu);
		g_watch->kick = true;
		pthread_cond_signal(&g_watch->cv);
		pthread_mutex_unlock(&g_watch->mu);
	}
	pthread_mutex_unlock(&g_wakemu);
}

static void reg_opts(const reg *g, const volatile int *cancel, bh_registry_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ca_file = g->ca_file;
	o->insecure = !g->tls_verify;
	o->user = g->username;
	o->password = g->secret;
	o->cancel = cancel;
}

/* GET base/path (paged by Link: <...>; rel="next") collecting the strings of member `key` into out. */
static int list_strings(const reg *g, const volatile int *cancel, const char *path, const char *key, json_t *out,
			size_t max, bh_error *err)
{
	char *authz = NULL, url[2048], next[1024];
	const char *hdrs[3] = { "Accept: application/json", NULL, NULL };
	unsigned page;
	int rc = 0;
	if (g->username) {
		bh_regauth_cred c = { g->username, g->secret ? g->secret : (char *)"" };
		char *b = bh_regauth_basic(&c);
		if (!b || asprintf(&authz, "Authorization: %s", b) < 0) {
			free(b);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		OPENSSL_cleanse(b, strlen(b));
		free(b);
		hdrs[1] = authz;
	}
	snprintf(next, sizeof(next), "%s", path);
	for (page = 0; !rc && *next && page < LIST_PAGES && !*cancel; page++) {
		bh_http_request q;
		bh_http_response r = BH_HTTP_RESPONSE_INIT;
		json_t *doc = NULL, *arr, *x;
		char link[1024];
		size_t i;
		memset(&q, 0, sizeof(q));
		snprintf(url, sizeof(url), "%s%s", g->url, next);
		q.url = url;
		q.headers = hdrs;
		q.ca_file = g->ca_file;
		q.insecure = !g->tls_verify;
		q.max_size = LIST_BODY_MAX;
		q.timeout_ms = 60000;
		q.retries = 2;
		q.cancel = cancel;
		*next = '\0';
		rc = bh_http_do(&q, &r, err);
		if (rc && (r.status == 401 || r.status == 403))
			rc = bh_error_set(err, BH_EAUTH, "%s refused the credentials%s%s%s (%ld on %s)", g->host,
					  g->username ? " of user \"" : "", g->username ? g->username : "", g->username ? "\"" : "",
					  r.status, path);
		if (!rc && (rc = bh_json_load(r.body.data ? r.body.data : "", r.body.len, 16, url, &doc, err)) == 0) {
			if (!json_is_object(doc) || !(json_is_array(arr = json_object_get(doc, key)) || json_is_null(arr)))
				rc = bh_error_set(err, BH_EINVAL, "%s: no \"%s\" array in the answer", url, key);
			else if (json_is_array(arr))
				json_array_foreach(arr, i, x) {
					if (json_array_size(out) >= max) {
						rc = bh_error_set(err, BH_ELIMIT, "%s: more than %zu %s", g->host, max, key);
						break;
					}
					if (json_is_string(x))
						json_array_append(out, x);
				}
		}
		/* Link: </v2/_catalog?last=x&n=100>; rel="next" (a path on the same registry) */
		if (!rc && bh_http_header(&r, "Link", link, sizeof(link)) && strstr(link, "rel=\"next\"") && link[0] == '<' &&
		    link[1] == '/') {
			char *e = strchr(link, '>');
			if (e) {
				*e = '\0';
				snprintf(next, sizeof(next), "%s", link + 1);
			}
		}
		json_decref(doc);
		bh_http_response_free(&r);
	}
	free(authz);
	return rc;
}

static int audit_worker(bh_regwatch *w, bh_store *st, const char *action, const char *target, const char *detail,
			bh_error *err)
{
	bh_store_audit au;
	char who[340];
	snprintf(who, sizeof(who), "regwatch %s", w->worker);
	memset(&au, 0, sizeof(au));
	au.who = who;
	au.action = action;
	au.target = target;
	au.detail = detail;
	return bh_store_audit_add(st, &au, (int64_t)time(NULL), err);
}

/* Adds tag to a stored digest's repo tags (a second tag of a digest already indexed). */
struct tags_ud {
	char *json;
};
static int tags_cb(void *ud, const bh_store_image *i)
{
	struct tags_ud *t = ud;
	t->json = i->repo_tags_json ? strdup(i->repo_tags_json) : NULL;
	return 0;
}

static int merge_tag(bh_store *st, const char *digest, const char *reftag, const char *host, bh_error *err)
{
	struct tags_ud t = { NULL };
	json_t *arr, *x;
	size_t i;
	int rc;
	bh_sbom empty;
	bh_store_image meta;
	char *js;
	if ((rc = bh_store_image_get(st, digest, tags_cb, &t, err)) != 1)
		return rc < 0 ? rc : 0;
	arr = bh_apictx_jraw(t.json);
	free(t.json);
	if (!json_is_array(arr)) {
		json_decref(arr);
		arr = json_array();
	}
	json_array_foreach(arr, i, x)
		if (json_is_string(x) && !strcmp(json_string_value(x), reftag)) {
			json_decref(arr);
			return 0;
		}
	json_array_append_new(arr, json_string(reftag));
	js = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (!js)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	bh_sbom_init(&empty);
	memset(&meta, 0, sizeof(meta));
	meta.repo_tags_json = js;
	meta.registry = host;
	/* a digest already stored: only its meta moves, its components stay */
	rc = bh_store_image_put_sbom(st, digest, &empty, &meta, 0, (int64_t)time(NULL), NULL, NULL, err);
	bh_sbom_free(&empty);
	free(js);
	return rc;
}

static void lower_sev(bh_severity v, char *out, size_t n)
{
	const char *s = bh_severity_name(v);
	size_t k;
	for (k = 0; s[k] && k + 1 < n; k++)
		out[k] = (char)tolower((unsigned char)s[k]);
	out[k] = '\0';
}

/*
 * Indexes repo@digest of g unless the store has it: SBOM and image checks from the scan pipeline
 * (as `bulkhead sbom registry:...` reads it), findings from the server's DB. *indexed says whether
 * this call stored it.
 */
static int index_digest(bh_regwatch *w, const reg *g, const char *repo, const char *digest, const char *tag,
			bool *indexed, bh_error *err)
{
	bh_api *a = w->api;
	bh_store *st;
	bh_scan_job j;
	bh_scan_result res;
	bh_findings fs;
	bh_match_opts mo;
	bh_vulndb *vdb;
	bh_store_image meta;
	bh_store_check *checks = NULL;
	char target[1024], reftag[800], *tags = NULL, *payload = NULL, detail[512], key[100];
	char (*sevs)[16] = NULL;
	size_t i, nfind = 0;
	bool is_new = false;
	int rc;
	json_t *pl;

	*indexed = false;
	snprintf(reftag, sizeof(reftag), "%s/%s%s%s", g->host, repo, tag ? ":" : "@", tag ? tag : digest);
	st = bh_apictx_store(a);
	rc = bh_store_image_has(st, digest, err);
	if (rc == 1 && tag) {
		int m = merge_tag(st, digest, reftag, g->host, err);
		if (m < 0)
			rc = m;
	}
	bh_apictx_release(a, st);
	if (rc != 0)
		return rc < 0 ? rc : 0; /* stored already: indexed once */

	bh_scan_job_init(&j);
	snprintf(target, sizeof(target), "registry:%s/%s@%s", g->host, repo, digest);
	j.target = target;
	j.scanners = BH_SCANNER_CONFIG | BH_SCANNER_SECRET; /* the image checks; the DB is the server's */
	reg_opts(g, &w->stop, &j.scan.registry);
	memset(&fs, 0, sizeof(fs));
	rc = bh_scan_run(&j, &res, err);
	if (rc) {
		bh_scan_result_free(&res);
		return rc;
	}
	memset(&mo, 0, sizeof(mo));
	vdb = bh_apictx_vdb_lock(a);
	rc = vdb ? bh_match(vdb, &res.sbom, &mo, &fs, err) : 0;
	bh_apictx_vdb_unlock(a);
	if (rc)
		goto out;

	if (!(tags = malloc(strlen(reftag) * 2 + 8)) ||
	    (res.checks.n && (!(checks = calloc(res.checks.n, sizeof(*checks))) || !(sevs = calloc(res.checks.n, sizeof(*sevs)))))) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	{
		json_t *ta = json_pack("[s]", reftag);
		char *t = ta ? json_dumps(ta, JSON_COMPACT) : NULL;
		json_decref(ta);
		if (!t) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto out;
		}
		free(tags);
		tags = t;
	}
	for (i = 0; i < res.checks.n; i++) {
		const bh_check_finding *c = &res.checks.items[i];
		lower_sev(c->severity, sevs[i], sizeof(sevs[i]));
		checks[i].rule_id = c->rule;
		checks[i].target = c->path ? c->path : c->target;
		checks[i].severity = sevs[i];
		checks[i].title = c->title;
		checks[i].detail = c->detail;
	}
	memset(&meta, 0, sizeof(meta));
	meta.repo_tags_json = tags;
	meta.registry = g->host;

	st = bh_apictx_store(a);
	rc = bh_sql_begin(bh_store_sql(st), err);
	/* again inside the transaction: a notification and a poll (or two servers) may have raced here */
	if (!rc && (rc = bh_store_image_has(st, digest, err)) == 1) {
		bh_sql_rollback(bh_store_sql(st), NULL);
		bh_apictx_release(a, st);
		rc = 0;
		goto out;
	}
	if (!rc)
		rc = bh_store_image_put_sbom(st, digest, &res.sbom, &meta, 0, (int64_t)time(NULL), &is_new, NULL, err);
	for (i = 0; !rc && is_new && i < fs.n; i++) {
		const bh_finding *x = &fs.items[i];
		const bh_component *c = x->comp < res.sbom.comps.n ? res.sbom.comps.items[x->comp] : NULL;
		bh_sql_value p = BH_SQL_TEXT(c ? c->purl : NULL);
		int64_t cid = 0;
		char sev[16];
		bh_store_change chg;
		if (!c || !c->purl)
			continue;
		if ((rc = bh_sql_query_int(bh_store_sql(st), "SELECT id FROM components WHERE purl = $1", &p, 1, &cid, err)) < 0)
			break;
		rc = 0;
		if (!cid)
			continue;
		lower_sev(x->severity, sev, sizeof(sev));
		if ((rc = bh_store_finding_put(st, cid, x->id, sev, x->kev, x->fixed, NULL, (int64_t)time(NULL), &chg, err)) == 0)
			nfind++;
	}
	if (!rc && is_new)
		rc = bh_store_check_set(st, digest, checks, res.checks.n, (int64_t)time(NULL), err);
	if (!rc && is_new) {
		bh_store_event e;
		int64_t seq;
		bool dup;
		pl = json_pack("{s:s, s:s, s:o, s:s, s:I, s:I, s:I}", "digest", digest, "repository", repo, "tag",
			       tag ? json_string(tag) : json_null(), "registry", g->url, "components", (json_int_t)res.sbom.comps.n,
			       "findings", (json_int_t)nfind, "checks", (json_int_t)res.checks.n);
		payload = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
		json_decref(pl);
		if (!payload) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		} else {
			memset(&e, 0, sizeof(e));
			snprintf(key, sizeof(key), "image.indexed:%s", digest);
			e.type = "image.indexed";
			e.payload_json = payload;
			e.idem_key = key;
			e.time = (int64_t)time(NULL);
			rc = bh_store_event_add(st, &e, (int64_t)time(NULL), &seq, &dup, err);
		}
	}
	if (!rc && is_new) {
		snprintf(detail, sizeof(detail), "%.300s components=%zu findings=%zu checks=%zu", reftag, res.sbom.comps.n, nfind,
			 res.checks.n);
		rc = audit_worker(w, st, "registry.index", digest, detail, err);
	}
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	if (!rc && is_new)
		bh_apictx_changed(a);
	if (!rc && is_new) {
		*indexed = true;
		bh_log_info("regwatch: indexed %s (%zu components, %zu findings, %zu checks)", reftag, res.sbom.comps.n, nfind,
			    res.checks.n);
	}
out:
	free(tags);
	free(payload);
	free(checks);
	free(sevs);
	bh_findings_free(&fs);
	bh_scan_result_free(&res);
	return rc;
}

static int run_index(bh_regwatch *w, json_t *pl, bh_error *err)
{
	const char *url = json_string_value(json_object_get(pl, "registry"));
	const char *repo = json_string_value(json_object_get(pl, "repository"));
	const char *digest = json_string_value(json_object_get(pl, "digest"));
	const char *tag = json_string_value(json_object_get(pl, "tag"));
	reg g = { 0 };
	bool done;
	int rc;
	if (!url || !repo || !digest || !bh_regwatch_repo_ok(repo) || !sha256_ok(digest) || (tag && !tag_ok(tag)))
		return bh_error_set(err, BH_EINVAL, "registry.index job without a valid registry, repository and digest");
	if ((rc = reg_load(w->api, url, NULL, true, &g, err)) <= 0)
		return rc ? rc : bh_error_set(err, BH_ENOTFOUND, "registry %s is no longer watched", url);
	rc = index_digest(w, &g, repo, digest, tag, &done, err);
	reg_free(&g);
	return rc;
}

static int run_poll(bh_regwatch *w, json_t *pl, bh_error *err)
{
	const char *url = json_string_value(json_object_get(pl, "registry"));
	json_t *repos = NULL, *seen = NULL, *r;
	size_t i, ntags = 0, nidx = 0, nfail = 0;
	reg g = { 0 };
	int rc;
	bh_error first;
	first.code = 0;
	first.msg[0] = '\0';
	if (!url)
		return bh_error_set(err, BH_EINVAL, "registry.poll job without a registry");
	if ((rc = reg_load(w->api, url, NULL, true, &g, err)) <= 0)
		return rc ? rc : bh_error_set(err, BH_ENOTFOUND, "registry %s is no longer watched", url);
	if (!(seen = json_object())) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if (g.repos) {
		repos = json_incref(g.repos);
	} else if (!(repos = json_array())) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	} else if ((rc = list_strings(&g, &w->stop, "/v2/_catalog?n=1000", "repositories", repos, REPOS_MAX * 10, err))) {
		goto out;
	}
	json_array_foreach(repos, i, r) {
		const char *repo = json_string_value(r);
		json_t *tags, *t;
		char path[600];
		size_t k;
		bh_registry *cl = NULL;
		bh_registry_opts o;
		if (w->stop)
			break;
		if (!repo || !bh_regwatch_repo_ok(repo))
			continue;
		if (!(tags = json_array())) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			break;
		}
		snprintf(path, sizeof(path), "/v2/%s/tags/list?n=1000", repo);
		rc = list_strings(&g, &w->stop, path, "tags", tags, TAGS_PER_POLL, err);
		if (!rc) {
			reg_opts(&g, &w->stop, &o);
			rc = json_array_size(tags) ? bh_registry_open(g.host, repo, &o, &cl, err) : 0;
		}
		if (rc == BH_EAUTH || rc == BH_ENET) { /* the whole registry is unusable: say so in the job */
			json_decref(tags);
			break;
		}
		if (rc) { /* one repository gone or broken: the others still count */
			bh_log_warn("regwatch: %s/%s: %s", g.host, repo, err->msg);
			if (!first.code)
				first = *err;
			nfail++;
			rc = 0;
		}
		json_array_foreach(tags, k, t) {
			bh_registry_manifest m;
			const char *tag = json_string_value(t), *dg;
			bool done = false;
			char seenkey[200];
			if (!cl || w->stop || !tag || !tag_ok(tag) || ++ntags > TAGS_PER_POLL)
				break;
			memset(&m, 0, sizeof(m));
			if ((rc = bh_registry_resolve(cl, tag, NULL, &m, err)) == 0) {
				/* what the tag names: an index's digest when it is one, as a notification says it */
				dg = m.index_digest ? m.index_digest : m.digest;
				snprintf(seenkey, sizeof(seenkey), "%s", dg);
				if (json_object_get(seen, seenkey)) {
					bh_store *st = bh_apictx_store(w->api);
					char reftag[800];
					snprintf(reftag, sizeof(reftag), "%s/%s:%s", g.host, repo, tag);
					rc = merge_tag(st, dg, reftag, g.host, err);
					bh_apictx_release(w->api, st);
				} else {
					json_object_set_new(seen, seenkey, json_true());
					rc = index_digest(w, &g, repo, dg, tag, &done, err);
					nidx += done;
				}
			}
			bh_registry_manifest_free(&m);
			if (rc == BH_ENOMEM)
				break;
			if (rc) {
				bh_log_warn("regwatch: %s/%s:%s: %s", g.host, repo, tag, err->msg);
				if (!first.code)
					first = *err;
				nfail++;
				rc = 0;
			}
		}
		bh_registry_close(cl);
		json_decref(tags);
		if (rc)
			break;
	}
	if (!rc && nfail)
		rc = bh_error_set(err, first.code, "%zu of the registry's tags or repositories failed; first: %s", nfail, first.msg);
	if (!rc || nfail)
		bh_log_info("regwatch: polled %s: %zu repositories, %zu tags, %zu indexed, %zu failed", g.url,
			    json_array_size(repos), ntags, nidx, nfail);
out:
	json_decref(repos);
	json_decref(seen);
	reg_free(&g);
	return rc;
}

/* A poll job for each registry whose interval ran out; the UPDATE makes one server win each. */
static void queue_due(bh_regwatch *w)
{
	bh_api *a = w->api;
	bh_store *st = bh_apictx_store(a);
	bh_sql *db = bh_store_sql(st);
	bh_sql_rows *rows = NULL;
	bh_sql_value now = BH_SQL_INT((int64_t)time(NULL));
	json_t *urls = json_array(), *u;
	bh_error err;
	size_t i;
	int rc;
	if (!urls)
		goto out;
	if (bh_sql_query(db, "SELECT url FROM registries WHERE last_polled IS NULL OR last_polled + interval_s <= $1", &now, 1,
			 &rows, &err))
		goto out;
	while (bh_sql_next(rows, &err) == 1)
		json_array_append_new(urls, json_string(bh_sql_text(rows, 0)));
	bh_sql_rows_free(rows);
	json_array_foreach(urls, i, u) {
		bh_sql_value p[2] = { now, BH_SQL_TEXT(json_string_value(u)) };
		json_t *pl = json_pack("{s:O, s:s}", "registry", u, "source", "interval");
		char *pjs = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
		json_decref(pl);
		if (!pjs)
			break;
		rc = bh_sql_begin(db, &err);
		if (!rc)
			rc = bh_sql_exec(db, "UPDATE registries SET last_polled = $1 WHERE url = $2 AND"
					     " (last_polled IS NULL OR last_polled + interval_s <= $1)", p, 2, &err);
		if (!rc && bh_sql_changes(db) == 1)
			rc = bh_store_job_add(st, "registry.poll", pjs, now.i, NULL, &err);
		if (!rc)
			rc = bh_sql_commit(db, &err);
		else
			bh_sql_rollback(db, NULL);
		free(pjs);
		if (rc)
			bh_log_warn("regwatch: queueing a poll of %s: %s", json_string_value(u), err.msg);
	}
out:
	json_decref(urls);
	bh_apictx_release(a, st);
}

#define ATTEMPTS_MAX 3

static void run_job(bh_regwatch *w, bh_store_job *job)
{
	bh_error err;
	json_t *pl = NULL;
	bh_store *st;
	char msg[BH_ERROR_MSG_MAX + 32] = "";
	int rc;
	err.code = 0;
	err.msg[0] = '\0';
	/* parsed apart from the test: json_is_object() evaluates its argument twice */
	if (job->attempts <= ATTEMPTS_MAX && job->payload)
		pl = json_loads(job->payload, 0, NULL);
	if (job->attempts > ATTEMPTS_MAX) /* a job that took a server down each time it ran */
		rc = bh_error_set(&err, BH_ELIMIT, "given up after %d attempts", job->attempts - 1);
	else if (!json_is_object(pl))
		rc = bh_error_set(&err, BH_EINVAL, "job payload is not a JSON object");
	else if (!strcmp(job->kind, "registry.poll"))
		rc = run_poll(w, pl, &err);
	else
		rc = run_index(w, pl, &err);
	json_decref(pl);
	if (rc && w->stop) {
		/* cut by shutdown: queued again at once, so another server (or this one restarted) need
		 * not wait for the lease to run out; a server killed outright leaves that to the lease */
		bh_sql_value p[2] = { BH_SQL_INT(job->id), BH_SQL_TEXT(w->worker) };
		st = bh_apictx_store(w->api);
		if (bh_sql_exec(bh_store_sql(st), "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL,"
						  " attempts = attempts - 1 WHERE id = $1 AND locked_by = $2 AND state = 'running'",
				p, 2, &err))
			bh_log_warn("regwatch: requeueing job %lld: %s", (long long)job->id, err.msg);
		bh_apictx_release(w->api, st);
		bh_log_info("regwatch: job %lld (%s) stopped by shutdown, queued again", (long long)job->id, job->kind);
		return;
	}
	if (rc) {
		snprintf(msg, sizeof(msg), "%s", err.msg[0] ? err.msg : "failed");
		bh_log_error("regwatch: job %lld (%s) failed: %s", (long long)job->id, job->kind, msg);
	}
	st = bh_apictx_store(w->api);
	if (bh_store_job_finish(st, job->id, w->worker, rc ? msg : NULL, (int64_t)time(NULL), &err))
		bh_log_warn("regwatch: finishing job %lld: %s", (long long)job->id, err.msg);
	bh_apictx_release(w->api, st);
}

static void *worker_main(void *arg)
{
	bh_regwatch *w = arg;
	time_t next_tick = 0;
	while (!w->stop) {
		bh_store_job job;
		bh_store *st;
		bh_error err;
		int rc;
		if (time(NULL) >= next_tick) {
			queue_due(w);
			next_tick = time(NULL) + w->tick_s;
		}
		st = bh_apictx_store(w->api);
		/* this module's kinds only: the jobs table is shared with other workers */
		rc = bh_store_job_take_kind(st, "registry.", w->worker, w->lease_s, (int64_t)time(NULL), &job, &err);
		bh_apictx_release(w->api, st);
		if (rc == 1) {
			run_job(w, &job);
			bh_store_job_clear(&job);
			continue;
		}
		if (rc < 0)
			bh_log_warn("regwatch: taking a job: %s", err.msg);
		/* nothing queued: wait for a wake-up from a route of this server, or look again in 1 s
		 * (jobs queued by other servers) */
		bh_apictx_pause(&w->cv, &w->mu, &w->stop, &w->kick, 1000);
	}
	return NULL;
}

int bh_regwatch_start(const bh_regwatch_config *cfg, bh_regwatch **out, bh_error *err)
{
	bh_regwatch *w;
	*out = NULL;
	if (!cfg || !cfg->api)
		return bh_error_set(err, BH_EUSAGE, "regwatch: no API");
	if (!(w = calloc(1, sizeof(*w))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	w->api = cfg->api;
	w->tick_s = cfg->tick_s ? cfg->tick_s : BH_REGWATCH_TICK_DEFAULT;
	w->lease_s = cfg->lease_s > 0 ? cfg->lease_s : BH_REGWATCH_LEASE_DEFAULT;
	bh_apictx_worker_name(w->worker, sizeof(w->worker));
	if (bh_apictx_thread_start(&w->th, &w->mu, &w->cv, worker_main, w)) {
		free(w);
		return bh_error_set(err, BH_EIO, "regwatch: cannot start the worker thread");
	}
	pthread_mutex_lock(&g_wakemu);
	g_watch = w;
	pthread_mutex_unlock(&g_wakemu);
	*out = w;
	return 0;
}

void bh_regwatch_stop(bh_regwatch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&g_wakemu);
	if (g_watch == w)
		g_watch = NULL;
	pthread_mutex_unlock(&g_wakemu);
	/* stop is also the registry transfers' cancel flag */
	bh_apictx_thread_stop(w->th, &w->mu, &w->cv, &w->stop);
	free(w);
}
