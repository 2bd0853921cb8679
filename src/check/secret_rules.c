/* secret_rules.c - the built-in secret rules: patterns, prefilter keywords and the checks that keep placeholders out. */
#define BH_SECRET_INTERNAL
#include "check/secret.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* ---- helpers shared by the checks ---- */

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool has_ci(const unsigned char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i, j;
	if (k == 0 || k > n)
		return k == 0;
	for (i = 0; i + k <= n; i++) {
		for (j = 0; j < k && lower(s[i + j]) == (unsigned char)needle[j]; j++)
			;
		if (j == k)
			return true;
	}
	return false;
}

static bool eq_ci(const unsigned char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp((const char *)s, w, n) == 0;
}

static bool has(const unsigned char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

double bh_secret_entropy(const unsigned char *s, size_t n)
{
	unsigned cnt[256] = { 0 };
	double h = 0;
	size_t i;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		cnt[s[i]]++;
	for (i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

/* Keys published on purpose (documentation, local emulators): they open nothing. */
static const char *const known_public[] = {
	/* Azurite / Azure Storage Emulator account key, published in Microsoft's docs */
	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
	NULL
};

bool bh_secret_placeholder(const unsigned char *s, size_t n, size_t prefix)
{
	static const char *const words[] = { "example", "changeme", "change_me", "change-me", "placeholder",
		"redacted", "xxxxxxxx", "********", "your_", "your-", "yourpassword", "yourtoken", "yoursecret",
		"yourkey", "_here", "-here", "replace_me", "replaceme", "replace-me", "insert_", "insert-", NULL };
	const unsigned char *t = s + (prefix < n ? prefix : 0);
	size_t tn = prefix < n ? n - prefix : n, i;
	if (n == 0)
		return true;
	for (i = 0; words[i]; i++)
		if (has_ci(s, n, words[i]))
			return true;
	for (i = 1; i < tn && t[i] == t[0]; i++)
		;
	if (i == tn)
		return true;
	if (has(s, n, "${") || has(s, n, "{{") || has(s, n, "$(") || has(s, n, "#{") || has(s, n, "%("))
		return true;
	if (s[0] == '<' && s[n - 1] == '>')
		return true;
	for (i = 0; known_public[i]; i++)
		if (n == strlen(known_public[i]) && !memcmp(s, known_public[i], n))
			return true;
	return false;
}

/* ---- per-rule checks ---- */

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

/* Decodes standard or URL-safe base64 (padding optional) into out; returns bytes or -1. */
static long b64dec(const unsigned char *s, size_t n, unsigned char *out, size_t cap)
{
	unsigned long acc = 0;
	size_t o = 0, i;
	int bits = 0;
	for (i = 0; i < n && s[i] != '='; i++) {
		int v = b64val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1ul << bits) - 1;
		}
	}
	return (long)o;
}

/* A PEM body: base64 (whitespace and JSON "\n" escapes allowed) long enough to be a key and
 * starting like DER or an OpenSSH key, unless it is encrypted (Proc-Type) or PGP armour. */
static bool pem_body_ok(const unsigned char *s, size_t n, bool free_form)
{
	unsigned char seen[256] = { 0 }, first[20];
	size_t i, cnt = 0, distinct = 0;
	bool pad = false;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '\\') { /* an escape inside a JSON or shell string */
			i++;
			continue;
		}
		if (b64val(c) < 0 || c == '-' || c == '_') {
			if (c != '=')
				return false;
			pad = true;
			continue;
		}
		if (pad && !free_form)
			return false;
		if (cnt < sizeof(first))
			first[cnt] = c;
		if (!seen[c]) {
			seen[c] = 1;
			distinct++;
		}
		cnt++;
	}
	if (cnt < 60 || distinct < 16)
		return false;
	if (free_form)
		return true;
	return first[0] == 'M' || !memcmp(first, "b3BlbnNzaC1rZXktdjE", 19);
}

static bool check_pem(const unsigned char *d, size_t n, bh_secret_match *m, int cfg)
{
	const unsigned char *h = d + m->m0;
	size_t hn = m->s0 - m->m0;
	(void)n; (void)cfg;
	return pem_body_ok(d + m->s0, m->s1 - m->s0, has(h, hn, "PGP") || has(h, hn, "Proc-Type"));
}

static size_t skip_ws(const unsigned char *d, size_t i, size_t end)
{
	while (i < end && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	return i;
}

/* Finds the JSON string value of "key" in [from, end): sets its content span. */
static bool json_str(const unsigned char *d, size_t from, size_t end, const char *key, size_t *v0, size_t *v1)
{
	size_t kl = strlen(key);
	const unsigned char *p;
	while (from < end && (p = memmem(d + from, end - from, key, kl)) != NULL) {
		size_t i = skip_ws(d, (size_t)(p - d) + kl, end), j;
		from = (size_t)(p - d) + kl;
		if (i >= end || d[i] != ':')
			continue;
		i = skip_ws(d, i + 1, end);
		if (i >= end || d[i] != '"')
			continue;
		for (j = i + 1; j < end && d[j] != '"' && d[j] != '\n'; j++)
			if (d[j] == '\\')
				j++;
		if (j >= end || d[j] != '"')
			continue;
		*v0 = i + 1;
		*v1 = j;
		return true;
	}
	return false;
}

/* A GCP service-account key file: "type": "service_account" in an object that also holds a PEM
 * "private_key". The match starts at the object's '{' (where secretlint reports the file). */
static bool find_gcp_sa(const unsigned char *d, size_t n, size_t w0, size_t w1, size_t from, bh_secret_match *m)
{
	static const char tok[] = "service_account";
	size_t at = from > w0 ? from : w0, hint = 0;
	const unsigned char *q;
	while (at < w1 && (q = memmem(d + at, w1 - at, tok, sizeof(tok) - 1)) != NULL) {
		size_t qi = (size_t)(q - d), i, lo, obj, end, k0, k1, v0, v1;
		const unsigned char *b;
		at = qi + sizeof(tok) - 1;
		/* walk back over `"type" : "` */
		if (qi < 8 || d[qi - 1] != '"' || at >= n || d[at] != '"')
			continue;
		i = qi - 1;
		while (i > w0 && (d[i - 1] == ' ' || d[i - 1] == '\t'))
			i--;
		if (i <= w0 || d[i - 1] != ':')
			continue;
		i--;
		while (i > w0 && (d[i - 1] == ' ' || d[i - 1] == '\t'))
			i--;
		if (i - w0 < 6 || memcmp(d + i - 6, "\"type\"", 6) != 0)
			continue;
		lo = qi > BH_SECRET_MAXMATCH ? qi - BH_SECRET_MAXMATCH : 0;
		b = memrchr(d + lo, '{', qi - lo);
		obj = b ? (size_t)(b - d) : w0;
		/* the key file is one flat object: it ends at the first '}' */
		end = n - obj > BH_SECRET_MAXMATCH ? obj + BH_SECRET_MAXMATCH : n;
		b = memchr(d + at, '}', end - at);
		end = b ? (size_t)(b - d) : end;
		if (!json_str(d, obj, end, "\"private_key\"", &k0, &k1) || k1 - k0 < 100 ||
		    memcmp(d + k0, "-----BEGIN", 10) != 0) {
			hint = end; /* every "type" up to here belongs to this object */
			continue;
		}
		/* the body sits between the BEGIN and END lines */
		{
			const unsigned char *e1 = memmem(d + k0 + 10, k1 - k0 - 10, "-----", 5), *e2;
			if (!e1 || !(e2 = memmem(e1 + 5, (size_t)(d + k1 - e1 - 5), "-----", 5)))
				continue;
			if (!pem_body_ok(e1 + 5, (size_t)(e2 - e1 - 5), false))
				continue;
		}
		m->m0 = obj;
		m->m1 = at + 1;
		if (json_str(d, obj, end, "\"private_key_id\"", &v0, &v1) && v1 > v0) {
			m->s0 = v0;
			m->s1 = v1;
		} else {
			m->s0 = k0;
			m->s1 = k1;
		}
		m->k0 = m->k1 = 0;
		return true;
	}
	m->m1 = hint;
	return false;
}

static bool variable_like(const unsigned char *s, size_t n)
{
	return n > 0 && (s[0] == '$' || s[0] == '%' || s[0] == '{' || s[0] == '<' || s[0] == '[' ||
			 has(s, n, "${") || has(s, n, "{{"));
}

/* RFC 2606 names (example.com, *.example, *.invalid, *.test) only ever appear in documentation. */
static bool reserved_host(const unsigned char *d, size_t n, size_t h)
{
	static const char *const names[] = { "example.com", "example.net", "example.org", ".example", ".invalid",
		".test", NULL };
	size_t e = h, i;
	while (e < n && e - h < 253 && (isalnum(d[e]) || d[e] == '.' || d[e] == '-' || d[e] == '_'))
		e++;
	for (i = 0; names[i]; i++) {
		size_t k = strlen(names[i]);
		if (e - h >= k && !strncasecmp((const char *)d + e - k, names[i], k) &&
		    (e - h == k || names[i][0] == '.' || d[e - k - 1] == '.'))
			return true;
	}
	return false;
}

/* user:password@ in a URL; the secret is the password, or the user for GitHub's x-oauth-basic form. */
static bool check_url(const unsigned char *d, size_t n, bh_secret_match *m, int cfg)
{
	static const char *const fake[] = { "password", "passwd", "pass", "pwd", "secret", "mypassword",
		"yourpassword", "pw", "xxx", "***", "...", "p", "x", NULL };
	const unsigned char *u = d + m->k0, *p = d + m->s0;
	size_t un = m->k1 - m->k0, pn = m->s1 - m->s0, i;
	(void)cfg;
	if (eq_ci(p, pn, "x-oauth-basic")) {
		if (un < 8 || variable_like(u, un))
			return false;
		m->s0 = m->k0;
		m->s1 = m->k1;
		return true;
	}
	if (pn < 4 || variable_like(p, pn) || variable_like(u, un) || reserved_host(d, n, m->s1 + 1))
		return false;
	for (i = 0; fake[i]; i++)
		if (eq_ci(p, pn, fake[i]))
			return false;
	return true;
}

/* "auth": base64("user:password") in a Docker/Podman credentials file. */
static bool check_docker(const unsigned char *d, size_t n, bh_secret_match *m, int cfg)
{
	unsigned char buf[1600];
	const unsigned char *c;
	long k = b64dec(d + m->s0, m->s1 - m->s0, buf, sizeof(buf));
	long i;
	(void)n; (void)cfg;
	if (k < 3)
		return false;
	for (i = 0; i < k; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return false;
	c = memchr(buf, ':', (size_t)k);
	if (!c || c == buf || c == buf + k - 1)
		return false;
	return !bh_secret_placeholder(c + 1, (size_t)(buf + k - c - 1), 0);
}

/* A JWT whose header names a signing algorithm (not "none"), and not jwt.io's sample token. */
static bool check_jwt(const unsigned char *d, size_t n, bh_secret_match *m, int cfg)
{
	unsigned char hdr[768];
	const unsigned char *dot = memchr(d + m->s0, '.', m->s1 - m->s0);
	/* signatures of the sample tokens in jwt.io's and PyJWT's documentation */
	static const char *const samples[] = { "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
		"4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg", NULL };
	size_t i;
	long k;
	(void)n; (void)cfg;
	if (!dot)
		return false;
	k = b64dec(d + m->s0, (size_t)(dot - d - m->s0), hdr, sizeof(hdr));
	if (k < 10 || !has(hdr, (size_t)k, "\"alg\"") || has_ci(hdr, (size_t)k, "\"none\""))
		return false;
	for (i = 0; samples[i]; i++) {
		size_t sl = strlen(samples[i]);
		if (m->s1 - m->s0 > sl && !memcmp(d + m->s1 - sl, samples[i], sl))
			return false;
	}
	return true;
}

/* The scheme before "://": letters, digits, '+', '.', '-'. */
static size_t anchor_url(const unsigned char *d, size_t w0, size_t p)
{
	size_t a = p;
	while (a > w0 && p - a < 32 && (isalnum(d[a - 1]) || d[a - 1] == '+' || d[a - 1] == '.' || d[a - 1] == '-'))
		a--;
	return a;
}

static bool key_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* The start of the key holding the keyword: its first character, the quote before it, the '<' of an
 * XML element, or the `key="` of a .NET <add key="..." value="..."/>. */
static size_t anchor_key(const unsigned char *d, size_t w0, size_t p)
{
	size_t a = p, b;
	while (a > w0 && p - a < 64 && key_char(d[a - 1]))
		a--;
	if (a > w0 && d[a - 1] == '<')
		return a - 1;
	if (a > w0 && (d[a - 1] == '"' || d[a - 1] == '\''))
		a--;
	/* key = " */
	b = a;
	while (b > w0 && (d[b - 1] == ' ' || d[b - 1] == '\t'))
		b--;
	if (b > w0 && d[b - 1] == '=' && d[a] == '"') {
		b--;
		while (b > w0 && (d[b - 1] == ' ' || d[b - 1] == '\t'))
			b--;
		if (b - w0 >= 3 && !strncasecmp((const char *)d + b - 3, "key", 3))
			return b - 3;
	}
	return a;
}

/* ---- generic key = value assignments in configuration files ---- */

#define WORDS_MAX 12
#define WORD_LEN 24

/* Splits a key name into lowercase words at punctuation and camelCase boundaries. */
static size_t key_words(const unsigned char *k, size_t kn, char w[][WORD_LEN])
{
	size_t nw = 0, len = 0, i;
	for (i = 0; i <= kn && nw < WORDS_MAX; i++) {
		unsigned char c = i < kn ? k[i] : 0;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		bool camel = len > 0 && c >= 'A' && c <= 'Z' && k[i - 1] >= 'a' && k[i - 1] <= 'z';
		if ((!alnum || camel) && len > 0) {
			w[nw][len] = '\0';
			nw++;
			len = 0;
		}
		if (alnum && nw < WORDS_MAX && len < WORD_LEN - 1)
			w[nw][len++] = (char)lower(c);
	}
	return nw;
}

static bool ends_with(const char *w, const char *suf)
{
	size_t a = strlen(w), b = strlen(suf);
	return a >= b && !strcmp(w + a - b, suf);
}

static bool in_list(const char *w, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(w, *l))
			return true;
	return false;
}

/* Words that make a key describe a secret rather than hold one (password_file, token_url, ...). */
static const char *const not_secret_words[] = { "file", "path", "dir", "length", "len", "min", "max", "size",
	"count", "policy", "hint", "field", "prompt", "label", "regex", "pattern", "type", "format", "url", "uri",
	"endpoint", "host", "enabled", "enable", "disabled", "required", "expiry", "expires", "expiration",
	"expire", "ttl", "timeout", "lifetime", "name", "ref", "id", "header", "env", "var", "mode", "method",
	"version", "prefix", "suffix", "hash", "reset", "encoding", "algorithm", "alg", "location", "provider",
	"manager", "mount", "source", "generator", "validation", "validator", "strength", "rotation", "age",
	"history", "public", "publishable", "placeholder", "description", "message", "title", "text", "help",
	"error", "label", "command", "cmd", "script", "helper", "store", "keystore", "kind", "class", "flag",
	"lookup", "storage", "backend", "secrets", "tokenizer", "template", "next", "continuation", "page",
	"pagination", "change", "idempotency", "purchase", "request", "csrf", "xsrf", "cursor", "marker", "last",
	"used", "date", "time", "created", "updated", "changed", "spec", "input", "output", NULL };

enum { KEY_NONE, KEY_PASSWORD, KEY_SECRET };

static int key_class(const unsigned char *k, size_t kn)
{
	static const char *const keyed[] = { "api", "access", "private", "secret", "auth", "master", "signing",
		"encryption", "client", "app", "shared", NULL };
	static const char *const merged[] = { "apikey", "accesskey", "privatekey", "secretkey", "authkey",
		"masterkey", "signingkey", "encryptionkey", "clientkey", "appkey", "sharedkey", NULL };
	char w[WORDS_MAX][WORD_LEN];
	size_t nw = key_words(k, kn, w), i;
	int cls = KEY_NONE;
	for (i = 0; i < nw && cls != KEY_PASSWORD; i++) {
		if (ends_with(w[i], "password") || ends_with(w[i], "passwd") || !strcmp(w[i], "pwd") ||
		    !strcmp(w[i], "pass") || !strcmp(w[i], "passphrase") || !strcmp(w[i], "passwords"))
			cls = KEY_PASSWORD;
		else if (ends_with(w[i], "secret") || ends_with(w[i], "token") || !strcmp(w[i], "credential") ||
			 !strcmp(w[i], "credentials") || in_list(w[i], merged) ||
			 (!strcmp(w[i], "key") && i > 0 && in_list(w[i - 1], keyed)))
			cls = KEY_SECRET;
	}
	for (i = 0; i < nw && cls != KEY_NONE; i++)
		if (in_list(w[i], not_secret_words))
			return KEY_NONE;
	return cls;
}

/* A value that reads as a word or an identifier, not a secret: "Password", "db_password". */
static bool wordish(const unsigned char *v, size_t vn)
{
	size_t i, up = 0, lo = 0, dig = 0, other = 0;
	for (i = 0; i < vn; i++) {
		if (v[i] >= 'a' && v[i] <= 'z') lo++;
		else if (v[i] >= 'A' && v[i] <= 'Z') up++;
		else if (v[i] >= '0' && v[i] <= '9') dig++;
		else if (v[i] != '_' && v[i] != '-' && v[i] != '.') other++;
	}
	if (other || dig)
		return false;
	/* lower, UPPER, Capitalised: a dictionary word or a constant's name */
	return up == 0 || lo == 0 || (up == 1 && v[0] >= 'A' && v[0] <= 'Z');
}

/* The assignment sits on a commented-out line (#, ;, //, <!--): a documented default, not a setting. */
static bool commented(const unsigned char *d, size_t at)
{
	size_t i = at, lo = at > 1024 ? at - 1024 : 0;
	while (i > lo && d[i - 1] != '\n')
		i--;
	while (i < at && (d[i] == ' ' || d[i] == '\t'))
		i++;
	return i < at && (d[i] == '#' || d[i] == ';' || (d[i] == '/' && i + 1 < at && d[i + 1] == '/') ||
			  (d[i] == '<' && at - i >= 4 && !memcmp(d + i, "<!--", 4)));
}

/* Words joined the way identifiers are ("DistributionList.NextMarker", "next_token"): no digit, and
 * every run of letters is one optional capital and then at least two lowercase letters. */
static bool words_like(const unsigned char *v, size_t vn)
{
	size_t i = 0;
	while (i < vn) {
		size_t lo = 0;
		if (v[i] == '.' || v[i] == '_' || v[i] == '-') {
			i++;
			continue;
		}
		if (!isalpha(v[i]))
			return false;
		if (isupper(v[i]))
			i++;
		while (i < vn && islower(v[i])) {
			i++;
			lo++;
		}
		if (lo < 2)
			return false;
	}
	return true;
}

/* "refreshToken" for the key refresh_token: the value names the key. */
static bool same_name(const unsigned char *k, size_t kn, const unsigned char *v, size_t vn)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < kn && !isalnum(k[i]))
			i++;
		while (j < vn && !isalnum(v[j]))
			j++;
		if (i == kn || j == vn)
			return i == kn && j == vn;
		if (tolower(k[i++]) != tolower(v[j++]))
			return false;
	}
}

static bool check_generic(const unsigned char *d, size_t n, bh_secret_match *m, int cfg, int want)
{
	static const char *const fake[] = { "password", "passwd", "secret", "changeme", "changeit", "none", "null",
		"nil", "undefined", "empty", "string", "required", "optional", "true", "false", "yes", "no",
		"default", "hidden", "masked", "redacted", "notasecret", "dummy", "token", "secret_key", NULL };
	const unsigned char *k = d + m->k0, *v = d + m->s0;
	size_t kn = m->k1 - m->k0, vn = m->s1 - m->s0, i;
	if (key_class(k, kn) != want)
		return false;
	/* JSON keys are quoted: an unquoted "PASS: x" is prose inside a string */
	if (cfg == BH_SECRET_CFG_JSON && (m->k0 == 0 || d[m->k0 - 1] != '"' || m->k1 >= n || d[m->k1] != '"'))
		return false;
	if (commented(d, m->m0))
		return false;
	if (vn < (want == KEY_PASSWORD ? 6u : 10u))
		return false;
	for (i = 0; i < vn; i++)
		if (v[i] <= ' ' || v[i] >= 0x7f)
			return false; /* sentences, translations and binary are not passwords */
	if (strchr("$%{<[(@!*&|>~:=", v[0]) || has(v, vn, "://") || has(v, vn, "-----") || has(v, vn, "...") ||
	    !strncmp((const char *)v, "arn:", 4) ||
	    (v[0] == '.' && vn > 1 && v[1] == '/') || v[0] == '/' || v[0] == '\\')
		return false;
	if (v[vn - 1] == ')' && memchr(v, '(', vn))
		return false; /* ENC(...), env(...): encrypted or looked up elsewhere */
	for (i = 0; fake[i]; i++)
		if (eq_ci(v, vn, fake[i]))
			return false;
	if (same_name(k, kn, v, vn))
		return false; /* password: password */
	if (words_like(v, vn) && (want == KEY_SECRET || cfg >= BH_SECRET_CFG_STRUCT))
		return false;
	if (wordish(v, vn) && (cfg >= BH_SECRET_CFG_STRUCT || has_ci(v, vn, "pass") || has_ci(v, vn, "secret") ||
			       has_ci(v, vn, "token") || has_ci(v, vn, "key")))
		return false;
	return bh_secret_entropy(v, vn) >= (want == KEY_PASSWORD ? 2.3 : 3.0);
}

static bool check_password(const unsigned char *d, size_t n, bh_secret_match *m, int cfg)
{
	return check_generic(d, n, m, cfg, KEY_PASSWORD);
}

static bool check_gsecret(const unsigned char *d, size_t n, bh_secret_match *m, int cfg)
{
	return check_generic(d, n, m, cfg, KEY_SECRET);
}

/* ---- the table ---- */

#define KW(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define B "(?<![A-Za-z0-9_])"   /* not glued to a word before */
#define E "(?![A-Za-z0-9_])"    /* nor after */
#define ASSIGN "[\"']?[ \\t]*(?:=|:=|=>|:)[ \\t]*[\"']?"

static const char generic_re[] =
	"(?|(?<![A-Za-z0-9_.-])(?i:key)[ \\t]*=[ \\t]*\"([^\"\\r\\n]{1,64})\"[ \\t]+(?i:value)[ \\t]*=[ \\t]*\"([^\"\\r\\n]{1,256})\""
	"|<([A-Za-z][A-Za-z0-9_.:-]{0,63})>([^<\\r\\n]{1,256})</"
	"|(?<![A-Za-z0-9_.-])[\"']?([A-Za-z][A-Za-z0-9_.-]{0,63})[\"']?[ \\t]*(?:=|:=|=>|:)[ \\t]*"
	"(?|\"([^\"\\r\\n]{1,256})\"|'([^'\\r\\n]{1,256})'|([^\\s\"'`;,<>{}\\[\\]\\\\]{1,256})))";

static const bh_secret_builtin table[] = {
	{ "private-key", "Private key", BH_SEV_CRITICAL,
	  "-----BEGIN[ ]?((?:[A-Z0-9]{1,12} ){0,2})PRIVATE KEY(?: BLOCK)?-----(?:\\\\[rn]|\\s)*+"
	  "((?:[A-Za-z][A-Za-z0-9-]{1,40}:[^\\r\\n\\\\]{0,200}(?:\\\\[rn]|\\s)++){0,8})"
	  "([A-Za-z0-9+/=\\s\\\\]{40,65535}+)-----END[ ]?(?:[A-Z0-9]{1,12} ){0,2}PRIVATE KEY(?: BLOCK)?-----",
	  3, 0, KW("-----begin"), BH_SR_BINARY | BH_SR_MULTILINE, 0, 0, check_pem, NULL, NULL },
	{ "gcp-service-account", "GCP service account key", BH_SEV_CRITICAL, NULL, 0, 0, KW("service_account"),
	  0, 0, 0, NULL, find_gcp_sa, NULL },
	{ "aws-access-key-id", "AWS access key ID", BH_SEV_CRITICAL,
	  "(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})(?![A-Za-z0-9])", 1, 0,
	  KW("akia", "asia", "abia", "acca", "a3t"), 0, 0, 2.0, NULL, NULL, NULL },
	{ "aws-secret-access-key", "AWS secret access key", BH_SEV_CRITICAL,
	  "(?i:(?:aws)?[_-]?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key)" ASSIGN
	  "([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1, 0,
	  KW("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret_key", "aws-secret-key",
	     "awssecretkey"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "gcp-api-key", "Google Cloud API key", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])", 1, 0, KW("aiza"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "azure-storage-account-key", "Azure storage account key", BH_SEV_CRITICAL,
	  "(?i:AccountKey)[ \\t]*=[ \\t]*([A-Za-z0-9+/]{86}==)", 1, 0, KW("accountkey"), 0, 0, 3.5, NULL, NULL, NULL },
	{ "azure-shared-access-key", "Azure Service Bus / Event Hubs shared access key", BH_SEV_CRITICAL,
	  "(?i:SharedAccessKey)[ \\t]*=[ \\t]*([A-Za-z0-9+/]{42,43}=)", 1, 0, KW("sharedaccesskey"), 0, 0, 3.5,
	  NULL, NULL, NULL },
	{ "azure-client-secret", "Azure AD client secret", BH_SEV_CRITICAL,
	  "(?|(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])"
	  "|(?i:(?:azure|arm)[_.-]?client[_.-]?secret)" ASSIGN "([A-Za-z0-9_~.+/=-]{16,128}))", 1, 0,
	  KW("0q~", "1q~", "2q~", "3q~", "4q~", "5q~", "6q~", "7q~", "8q~", "9q~", "client_secret", "clientsecret",
	     "client-secret", "client.secret"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "github-pat", "GitHub personal access token", BH_SEV_HIGH, B "(ghp_[A-Za-z0-9_]{36})" E, 1, 0, KW("ghp_"),
	  BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "github-oauth", "GitHub OAuth access token", BH_SEV_HIGH, B "(gho_[A-Za-z0-9_]{36})" E, 1, 0, KW("gho_"),
	  BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "github-app-token", "GitHub App token", BH_SEV_HIGH, B "(gh[us]_[A-Za-z0-9_]{36})" E, 1, 0,
	  KW("ghu_", "ghs_"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "github-refresh-token", "GitHub refresh token", BH_SEV_HIGH, B "(ghr_[A-Za-z0-9_]{36,76})" E, 1, 0,
	  KW("ghr_"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "github-fine-grained-pat", "GitHub fine-grained personal access token", BH_SEV_HIGH,
	  B "(github_pat_[A-Za-z0-9_]{82})" E, 1, 0, KW("github_pat_"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "gitlab-pat", "GitLab personal access token", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,128}(?:\\.[A-Za-z0-9_-]{2,64}){0,3})(?![A-Za-z0-9_-])", 1, 0,
	  KW("glpat-"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "gitlab-token", "GitLab pipeline, deploy or runner token", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9_-])(gl(?:ptt|dt|rt|soat|cbt)-[A-Za-z0-9_-]{20,128})(?![A-Za-z0-9_-])", 1, 0,
	  KW("glptt-", "gldt-", "glrt-", "glsoat-", "glcbt-"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "slack-token", "Slack token", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9])((?:xox[abposr]|xapp)-(?:[0-9]-)?(?:[A-Za-z0-9]{1,40}-)+[A-Za-z0-9]{1,40})(?![A-Za-z0-9])",
	  1, 0, KW("xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxr-", "xoxs-", "xapp-"), 0, 20, 2.5, NULL, NULL, NULL },
	{ "slack-webhook", "Slack incoming webhook URL", BH_SEV_HIGH,
	  "(?i)https://hooks\\.slack\\.com/(?|services/(T[A-Za-z0-9_]{1,40}/B[A-Za-z0-9_]{1,40}/[A-Za-z0-9_]{1,40})"
	  "|(?:workflows|triggers)/(T[A-Za-z0-9_]{1,40}/[A-Za-z0-9_]{1,40}/[0-9]{1,40}/[A-Za-z0-9_]{1,64}))", 1, 0,
	  KW("hooks.slack.com"), 0, 0, 2.5, NULL, NULL, NULL },
	{ "stripe-secret-key", "Stripe live secret key", BH_SEV_HIGH,
	  B "((?:sk|rk)_live_[A-Za-z0-9]{20,247})(?![A-Za-z0-9])", 1, 0, KW("sk_live_", "rk_live_"), BH_SR_RANDOM,
	  0, 3.0, NULL, NULL, NULL },
	{ "npm-access-token", "npm access token", BH_SEV_HIGH, B "(npm_[A-Za-z0-9_]{36})" E, 1, 0, KW("npm_"),
	  BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "npmrc-auth-token", "npm registry credential in .npmrc", BH_SEV_HIGH,
	  "(?:(?<![A-Za-z0-9])_authToken|(?:^|(?<=:))(?:_auth|_password))[ \\t]*=[ \\t]*[\"']?([^\\s\"'#;]{8,1024})", 1, 0,
	  KW("_auth", "_password"), 0, 16, 0, NULL, NULL, NULL },
	{ "pypi-upload-token", "PyPI upload token", BH_SEV_HIGH,
	  "(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})(?![A-Za-z0-9_-])", 1, 0,
	  KW("pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "jwt", "JSON Web Token", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,4096}+\\.eyJ[A-Za-z0-9_-]{8,8192}+\\.[A-Za-z0-9_-]{8,4096}+)"
	  "(?![A-Za-z0-9_.-])", 1, 0, KW("eyj"), 0, 0, 3.0, check_jwt, NULL, NULL },
	{ "docker-config-auth", "Registry credentials in Docker config", BH_SEV_HIGH,
	  "\"auth\"[ \\t]*:[ \\t]*\"([A-Za-z0-9+/]{6,2048}={0,2})\"", 1, 0, KW("\"auth\""), 0, 0, 0, check_docker,
	  NULL, NULL },
	{ "heroku-api-key", "Heroku API key", BH_SEV_HIGH,
	  "(?|(?i:heroku)[A-Za-z0-9_.-]{0,30}" ASSIGN
	  "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![0-9a-fA-F-])"
	  "|(?<![A-Za-z0-9_-])(HRKU-AA[0-9A-Za-z_-]{58})(?![A-Za-z0-9_-]))", 1, 0, KW("heroku", "hrku-"), 0, 0,
	  3.0, NULL, NULL, NULL },
	{ "twilio-api-key", "Twilio API key or auth token", BH_SEV_HIGH,
	  "(?i:twilio)[A-Za-z0-9_.-]{0,30}" ASSIGN "((?:SK)?[0-9a-fA-F]{32})(?![0-9A-Za-z])", 1, 0, KW("twilio"), 0,
	  0, 3.0, NULL, NULL, NULL },
	{ "sendgrid-api-key", "SendGrid API key", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9])(SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64})(?![A-Za-z0-9_-])", 1, 0, KW("sg."), 0,
	  0, 3.0, NULL, NULL, NULL },
	{ "mailgun-api-key", "Mailgun API key", BH_SEV_HIGH, "(?<![A-Za-z0-9_-])(key-[0-9a-f]{32})(?![A-Za-z0-9])",
	  1, 0, KW("key-"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "shopify-token", "Shopify access token", BH_SEV_HIGH, B "(shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64})" E, 1, 0,
	  KW("shpat_", "shpca_", "shppa_", "shpss_"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "openai-api-key", "OpenAI API key", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9_-])(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74})"
	  "(?![A-Za-z0-9_-])", 1, 0, KW("t3blbkfj"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "anthropic-api-key", "Anthropic API key", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9_-])(sk-ant-(?:api|admin)0[0-9]-[A-Za-z0-9_-]{80,128}AA)(?![A-Za-z0-9_-])", 1, 0,
	  KW("sk-ant-"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "groq-api-key", "Groq API key", BH_SEV_HIGH, B "(gsk_[A-Za-z0-9]{52})" E, 1, 0, KW("gsk_"), BH_SR_RANDOM,
	  0, 3.0, NULL, NULL, NULL },
	{ "huggingface-token", "Hugging Face access token", BH_SEV_HIGH, B "(hf_[A-Za-z]{34})" E, 1, 0, KW("hf_"),
	  BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "linear-api-key", "Linear API key", BH_SEV_HIGH, B "(lin_api_[A-Za-z0-9_]{32,128})" E, 1, 0,
	  KW("lin_api_"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "notion-token", "Notion integration token", BH_SEV_HIGH, B "(ntn_[0-9]{11}[A-Za-z0-9]{35})" E, 1, 0,
	  KW("ntn_"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "1password-service-token", "1Password service account token", BH_SEV_HIGH,
	  B "(ops_ey[A-Za-z0-9+/=]{100,1280}fQ={0,2})(?![A-Za-z0-9+/=])", 1, 0, KW("ops_ey"), 0, 0, 3.0, NULL,
	  NULL, NULL },
	{ "vault-token", "HashiCorp Vault token", BH_SEV_HIGH,
	  B "(hv[sr]\\.[A-Za-z0-9_-]{90,120}|hvb\\.[A-Za-z0-9_-]{138,300})(?![A-Za-z0-9_-])", 1, 0,
	  KW("hvs.", "hvb.", "hvr."), 0, 0, 3.0, NULL, NULL, NULL },
	{ "vercel-token", "Vercel token", BH_SEV_HIGH, B "(vc[piark]_[A-Za-z0-9]{20,60})(?![A-Za-z0-9])", 1, 0,
	  KW("vcp_", "vci_", "vca_", "vcr_", "vck_"), BH_SR_RANDOM, 0, 3.0, NULL, NULL, NULL },
	{ "databricks-token", "Databricks access token", BH_SEV_HIGH,
	  "(?<![A-Za-z0-9])(dapi[a-f0-9]{32}(?:-[0-9])?)(?![A-Za-z0-9])", 1, 0, KW("dapi"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "docker-hub-pat", "Docker Hub personal access token", BH_SEV_HIGH,
	  B "(dckr_pat_[A-Za-z0-9_-]{27})(?![A-Za-z0-9_-])", 1, 0, KW("dckr_pat_"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "figma-token", "Figma personal access token", BH_SEV_HIGH, B "(figd_[A-Za-z0-9_-]{40,200})(?![A-Za-z0-9_-])",
	  1, 0, KW("figd_"), 0, 0, 3.0, NULL, NULL, NULL },
	{ "grafana-token", "Grafana Cloud or service account token", BH_SEV_HIGH,
	  B "(glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![A-Za-z0-9+/=_])", 1, 0,
	  KW("glc_", "glsa_"), 0, 0, 3.0, NULL, NULL, NULL },
	/* generic rules last: a specific rule reporting the same bytes wins */
	{ "password-in-url", "Password in URL", BH_SEV_MEDIUM,
	  "(?<![A-Za-z0-9+.-])(?i:[a-z][a-z0-9+.-]{1,30})://([^\\s:/@'\"<>()\\[\\]{}`\\\\]{1,128}):([^\\s/@'\"<>`\\\\]{1,256})"
	  "@(?=[A-Za-z0-9_\\[])", 2, 1, KW("://"), BH_SR_GENERIC, 0, 0, check_url, NULL, anchor_url },
	{ "generic-password", "Password in configuration file", BH_SEV_MEDIUM, generic_re, 2, 1,
	  KW("pass", "pwd"), BH_SR_CONFIG | BH_SR_GENERIC, 0, 0, check_password, NULL, anchor_key },
	{ "generic-secret", "Secret or token in configuration file", BH_SEV_MEDIUM, generic_re, 2, 1,
	  KW("secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "access-key",
	     "private_key", "privatekey", "private-key", "credential", "auth_key", "authkey", "master_key",
	     "masterkey", "signing_key", "signingkey", "encryption_key", "encryptionkey", "client_key", "app_key",
	     "appkey", "shared_key"),
	  BH_SR_CONFIG | BH_SR_GENERIC, 0, 0, check_gsecret, NULL, anchor_key },
};

const bh_secret_builtin *bh_secret_builtins(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

size_t bh_secret_pattern_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

void bh_secret_pattern(size_t i, const char **id, const char **title, bh_severity *severity)
{
	*id = table[i].id;
	*title = table[i].title;
	*severity = table[i].severity;
}
