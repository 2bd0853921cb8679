/* auth.c - registry credentials and challenges: WWW-Authenticate parsing, docker config.json auth files, token answers. */
#include "registry/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/json.h"

static void wipe(char *s)
{
	if (s) {
		volatile char *p = s;
		while (*p)
			*p++ = 0;
	}
}

void bh_regauth_challenge_free(bh_regauth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

void bh_regauth_cred_free(bh_regauth_cred *c)
{
	wipe(c->password);
	free(c->user);
	free(c->password);
	c->user = c->password = NULL;
}

static bool is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* A token68 or token after "=": the text up to ',' or space. */
static size_t token_len(const char *p, const char *end)
{
	size_t n = 0;
	while (p + n < end && p[n] != ',' && p[n] != ' ' && p[n] != '\t')
		n++;
	return n;
}

static void skip_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* Blanks and empty list elements (",  ,") between schemes or parameters (RFC 9110 §5.6.1). */
static void skip_list_gap(const char **p, const char *end)
{
	skip_ws(p, end);
	while (*p < end && **p == ',') {
		(*p)++;
		skip_ws(p, end);
	}
}

/*
 * Reads one auth-param value at *p (token or quoted-string) into a new string; *p moves past it.
 * Returns 0, BH_EINVAL (unterminated quote) or BH_ENOMEM.
 */
static int param_value(const char **p, const char *end, char **out)
{
	bh_buf b = BH_BUF_INIT;
	const char *s = *p;
	*out = NULL;
	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			if (bh_buf_putc(&b, *s))
				break;
		}
		if (s >= end) {
			bh_buf_free(&b);
			return BH_EINVAL;
		}
		s++;
	} else {
		size_t n = token_len(s, end);
		if (bh_buf_append(&b, s, n)) {
			bh_buf_free(&b);
			return BH_ENOMEM;
		}
		s += n;
	}
	*p = s;
	if (!b.data && bh_buf_puts(&b, "")) {
		bh_buf_free(&b);
		return BH_ENOMEM;
	}
	if (!(*out = bh_buf_steal(&b)))
		return BH_ENOMEM;
	return 0;
}

int bh_regauth_challenge_parse(const char *value, size_t len, bh_regauth_challenge *c, bh_error *err)
{
	const char *p = value, *end = value + len;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (len > BH_REGAUTH_MAX_HEADER)
		return bh_error_set(err, BH_EINVAL, "WWW-Authenticate: %zu bytes, more than %u", len, BH_REGAUTH_MAX_HEADER);
	for (i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 && value[i] != '\t')
			return bh_error_set(err, BH_EINVAL, "WWW-Authenticate: control byte at offset %zu", i);
	while (p < end) {
		const char *name;
		size_t nl;
		bh_regauth_scheme scheme = BH_REGAUTH_NONE;
		skip_list_gap(&p, end);
		if (p >= end)
			break;
		/* a scheme name, then its parameters until the next bare scheme name */
		name = p;
		while (p < end && is_tchar(*p))
			p++;
		nl = (size_t)(p - name);
		if (!nl)
			return bh_error_set(err, BH_EINVAL, "WWW-Authenticate: unexpected byte 0x%02x at offset %zu",
					    (unsigned char)*p, (size_t)(p - value));
		if (nl == 5 && !strncasecmp(name, "basic", 5))
			scheme = BH_REGAUTH_BASIC;
		else if (nl == 6 && !strncasecmp(name, "bearer", 6))
			scheme = BH_REGAUTH_BEARER;
		for (;;) {
			const char *k, *q;
			size_t kl;
			char *v = NULL;
			int rc;
			skip_list_gap(&p, end);
			if (p >= end)
				break;
			k = p;
			while (p < end && is_tchar(*p))
				p++;
			kl = (size_t)(p - k);
			if (!kl) {
				/* part of a token68 ("/", "+"): not a parameter we use */
				size_t tl = token_len(p, end);
				p += tl ? tl : 1;
				continue;
			}
			q = p;
			skip_ws(&q, end);
			if (q >= end || *q != '=') {
				p = k; /* a bare word: the next challenge's scheme (or a token68, read as one) */
				break;
			}
			p = q;
			p++; /* '=' */
			skip_ws(&p, end);
			/* token68 padding ("abc==") reads as a key with an empty value: accept */
			if ((rc = param_value(&p, end, &v)) == BH_EINVAL) {
				bh_regauth_challenge_free(c);
				return bh_error_set(err, BH_EINVAL, "WWW-Authenticate: unterminated quoted string");
			}
			if (rc) {
				bh_regauth_challenge_free(c);
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			}
			if (scheme != BH_REGAUTH_NONE && c->scheme == BH_REGAUTH_NONE) {
				char **slot = NULL;
				if (kl == 5 && !strncasecmp(k, "realm", 5))
					slot = &c->realm;
				else if (kl == 7 && !strncasecmp(k, "service", 7))
					slot = &c->service;
				else if (kl == 5 && !strncasecmp(k, "scope", 5))
					slot = &c->scope;
				if (slot && !*slot) {
					*slot = v;
					v = NULL;
				}
			}
			free(v);
			skip_ws(&p, end);
			if (p < end && *p == ',')
				p++;
		}
		if (scheme != BH_REGAUTH_NONE) {
			c->scheme = scheme;
			return 0;
		}
		/* an unknown scheme: forget what it set and look at the next one */
		bh_regauth_challenge_free(c);
	}
	return bh_error_set(err, BH_EUNSUPPORTED, "WWW-Authenticate names neither Basic nor Bearer");
}

/* The registry an auths key names: without scheme and path; index.docker.io spellings are docker.io. */
static void key_host(const char *key, char *out, size_t n)
{
	const char *s = strstr(key, "://");
	size_t l;
	s = s ? s + 3 : key;
	l = strcspn(s, "/");
	snprintf(out, n, "%.*s", (int)l, s);
	if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io") || !strcmp(out, "registry.hub.docker.com"))
		snprintf(out, n, "docker.io");
}

static int cred_from_entry(json_t *e, const char *key, const char *label, bh_regauth_cred *c, bh_error *err)
{
	const char *auth = bh_json_str(e, "auth"), *u = bh_json_str(e, "username"), *pw = bh_json_str(e, "password");
	if (auth && *auth) {
		size_t al = strlen(auth), cap;
		unsigned char *dec;
		char *colon;
		int n;
		if (al > 65536 || al % 4)
			return bh_error_set(err, BH_EINVAL, "%s: auths.\"%.80s\".auth is not base64", label, key);
		cap = al / 4 * 3 + 1;
		if (!(dec = malloc(cap)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		n = EVP_DecodeBlock(dec, (const unsigned char *)auth, (int)al);
		if (n < 0) {
			free(dec);
			return bh_error_set(err, BH_EINVAL, "%s: auths.\"%.80s\".auth is not base64", label, key);
		}
		/* EVP_DecodeBlock counts the padding as zero bytes */
		while (n > 0 && al >= 1 && auth[al - 1] == '=') {
			n--;
			al--;
		}
		dec[n] = '\0';
		if (memchr(dec, '\0', (size_t)n) || !(colon = strchr((char *)dec, ':'))) {
			memset(dec, 0, cap);
			free(dec);
			return bh_error_set(err, BH_EINVAL, "%s: auths.\"%.80s\".auth is not base64 of \"user:password\"", label, key);
		}
		*colon = '\0';
		c->user = bh_strdup((char *)dec);
		c->password = bh_strdup(colon + 1);
		memset(dec, 0, cap);
		free(dec);
	} else if (u && pw) {
		c->user = bh_strdup(u);
		c->password = bh_strdup(pw);
	} else {
		return BH_ENOTFOUND;
	}
	if (!c->user || !c->password) {
		bh_regauth_cred_free(c);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

int bh_regauth_file_lookup(const char *json, size_t len, const char *host, unsigned max_depth, const char *label,
			   bh_regauth_cred *c, bh_error *err)
{
	json_t *doc = NULL, *auths, *e;
	const char *key;
	char want[300];
	int rc = BH_ENOTFOUND;

	memset(c, 0, sizeof(*c));
	key_host(host, want, sizeof(want));
	if ((rc = bh_json_load(json, len, max_depth, label, &doc, err)))
		return rc;
	rc = BH_ENOTFOUND;
	auths = json_object_get(doc, "auths");
	if (!json_is_object(doc) || (auths && !json_is_object(auths))) {
		json_decref(doc);
		return bh_error_set(err, BH_EINVAL, "%s: not a docker config / auth file (\"auths\" is not an object)", label);
	}
	/* an exact key first, then any spelling (scheme, path) of the same registry */
	if ((e = json_object_get(auths, host)) && json_is_object(e))
		rc = cred_from_entry(e, host, label, c, err);
	json_object_foreach(auths, key, e) {
		char kh[300];
		if (rc != BH_ENOTFOUND)
			break;
		if (!json_is_object(e))
			continue;
		key_host(key, kh, sizeof(kh));
		if (!strcmp(kh, want))
			rc = cred_from_entry(e, key, label, c, err);
	}
	json_decref(doc);
	if (rc == BH_ENOTFOUND)
		bh_error_set(err, BH_ENOTFOUND, "%s: no credentials for %s", label, want);
	return rc;
}

int bh_regauth_file_load(const char *path, const char *host, unsigned max_depth, bh_regauth_cred *c,
			 char *used, size_t used_len, bh_error *err)
{
	char def[4096];
	bh_buf b = BH_BUF_INIT;
	bool explicit_path = path != NULL;
	struct stat st;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	if (!path) {
		const char *env = getenv("REGISTRY_AUTH_FILE"), *home = getenv("HOME");
		if (env && *env) {
			path = env;
			explicit_path = true;
		} else if (home && *home) {
			snprintf(def, sizeof(def), "%s/.docker/config.json", home);
			path = def;
		} else {
			return bh_error_set(err, BH_ENOTFOUND, "no auth file ($REGISTRY_AUTH_FILE and $HOME unset)");
		}
	}
	if (used_len)
		snprintf(used, used_len, "%s", path);
	if (!explicit_path && stat(path, &st) != 0)
		return bh_error_set(err, BH_ENOTFOUND, "%s: no such file", path);
	if ((rc = bh_file_open_regular(path, &fd, err)))
		return rc;
	for (;;) {
		ssize_t r;
		if (bh_buf_grow(&b, 65536)) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			break;
		}
		r = read(fd, b.data + b.len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = bh_error_set(err, BH_EIO, "%s: read: %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
		b.data[b.len] = '\0';
		if (b.len > BH_REGAUTH_MAX_FILE) {
			rc = bh_error_set(err, BH_ELIMIT, "%s: larger than %u bytes", path, BH_REGAUTH_MAX_FILE);
			break;
		}
	}
	close(fd);
	if (!rc)
		rc = bh_regauth_file_lookup(b.data ? b.data : "", b.len, host, max_depth, path, c, err);
	if (b.data)
		memset(b.data, 0, b.len);
	bh_buf_free(&b);
	return rc;
}

char *bh_regauth_basic(const bh_regauth_cred *c)
{
	size_t ul = strlen(c->user), pl = strlen(c->password), n, enc;
	char *plain, *out;
	if (!bh_size_add(ul, pl, &n) || !bh_size_add(n, 1, &n) || n > 1u << 20)
		return NULL;
	if (!(plain = malloc(n + 1)))
		return NULL;
	memcpy(plain, c->user, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, c->password, pl);
	plain[n] = '\0';
	enc = (n + 2) / 3 * 4;
	if (!(out = malloc(enc + 7))) {
		memset(plain, 0, n);
		free(plain);
		return NULL;
	}
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)plain, (int)n);
	memset(plain, 0, n);
	free(plain);
	return out;
}

int bh_regauth_token_parse(const char *json, size_t len, unsigned max_depth, char **token, bh_error *err)
{
	json_t *doc = NULL;
	const char *t;
	size_t i, n;
	int rc;

	*token = NULL;
	if ((rc = bh_json_load(json, len, max_depth, "token answer", &doc, err)))
		return rc;
	t = bh_json_str(doc, "token");
	if (!t || !*t)
		t = bh_json_str(doc, "access_token");
	if (!t || !*t) {
		json_decref(doc);
		return bh_error_set(err, BH_EINVAL, "token answer has no \"token\" or \"access_token\"");
	}
	n = strlen(t);
	if (n > BH_REGAUTH_MAX_TOKEN) {
		json_decref(doc);
		return bh_error_set(err, BH_ELIMIT, "token of %zu bytes, more than %u", n, BH_REGAUTH_MAX_TOKEN);
	}
	/* it goes into a header line: visible ASCII only */
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f) {
			unsigned char bad = (unsigned char)t[i]; /* t lives in doc */
			json_decref(doc);
			return bh_error_set(err, BH_EINVAL, "token answer: the token holds byte 0x%02x", bad);
		}
	*token = bh_strdup(t);
	json_decref(doc);
	return *token ? 0 : bh_error_set(err, BH_ENOMEM, "out of memory");
}
