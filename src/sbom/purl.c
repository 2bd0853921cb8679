/* purl.c - builds package URLs the way Trivy and Syft write them, so SBOMs match across tools. */
#include "sbom/purl.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

int bh_purl_encode(bh_buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int rc;
		if (isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '~' || ch == ':' ||
		    (keep_slash && ch == '/')) {
			rc = bh_buf_putc(b, (char)ch);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };
			rc = bh_buf_append(b, e, 3);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static const char *rpm_namespace(const char *family)
{
	if (!family)
		return "redhat";
	if (!strcmp(family, "rhel") || !strcmp(family, "centos") || !strcmp(family, "rocky") ||
	    !strcmp(family, "almalinux") || !strcmp(family, "ol"))
		return "redhat";
	if (bh_str_startswith(family, "opensuse") || !strcmp(family, "sles"))
		return "opensuse";
	return family;
}

/* Qualifiers are written in key order, as the spec asks. */
static int qual(bh_buf *b, int *first, const char *k, const char *v)
{
	int rc;
	if (!v || !*v)
		return 0;
	if ((rc = bh_buf_putc(b, *first ? '?' : '&')) || (rc = bh_buf_puts(b, k)) || (rc = bh_buf_putc(b, '=')))
		return rc;
	*first = 0;
	return bh_purl_encode(b, v, 0);
}

int bh_purl_build(const bh_component *c, const bh_osinfo *os, char **out)
{
	bh_buf b = BH_BUF_INIT, distro = BH_BUF_INIT;
	const char *type = bh_ecosystem_name(c->eco);
	const char *name = c->name, *ns = c->namespace;
	char *lname = NULL;
	int rc = 0, first = 1;

	*out = NULL;
	if (!name || !*name || c->eco == BH_ECO_OS)
		return 0;
	if (os && os->family && (c->eco == BH_ECO_DEB || c->eco == BH_ECO_APK || c->eco == BH_ECO_RPM)) {
		if (c->eco == BH_ECO_APK)
			rc = bh_buf_puts(&distro, os->version ? os->version : "");
		else
			rc = bh_buf_printf(&distro, "%s%s%s", os->family, os->version ? "-" : "",
					   os->version ? os->version : "");
		if (rc)
			goto done;
	}
	if ((rc = bh_buf_printf(&b, "pkg:%s/", type)))
		goto done;
	switch (c->eco) {
	case BH_ECO_DEB:
		ns = os && os->family ? os->family : "debian";
		break;
	case BH_ECO_APK:
		ns = os && os->family ? os->family : "alpine";
		break;
	case BH_ECO_RPM:
		ns = rpm_namespace(os ? os->family : NULL);
		break;
	case BH_ECO_PYPI: {
		/* PEP 503 normalisation, as the purl spec asks for pypi. */
		size_t i;
		lname = bh_strdup(name);
		if (!lname) {
			rc = BH_ENOMEM;
			goto done;
		}
		for (i = 0; lname[i]; i++)
			lname[i] = lname[i] == '_' || lname[i] == '.' ? '-' : (char)tolower((unsigned char)lname[i]);
		name = lname;
		break;
	}
	default:
		break;
	}
	if (c->eco == BH_ECO_NPM && name[0] == '@' && strchr(name, '/')) {
		/* "@scope/name": the scope is the namespace. */
		const char *sl = strchr(name, '/');
		char *scope = bh_strndup(name, (size_t)(sl - name));
		if (!scope) {
			rc = BH_ENOMEM;
			goto done;
		}
		rc = bh_purl_encode(&b, scope, 0);
		free(scope);
		if (rc || (rc = bh_buf_putc(&b, '/')) || (rc = bh_purl_encode(&b, sl + 1, 0)))
			goto done;
	} else if (c->eco == BH_ECO_GO || c->eco == BH_ECO_COMPOSER) {
		/* Path-like names: every segment but the last is namespace. */
		if ((rc = bh_purl_encode(&b, name, 1)))
			goto done;
	} else {
		if (ns && *ns) {
			if ((rc = bh_purl_encode(&b, ns, 0)) || (rc = bh_buf_putc(&b, '/')))
				goto done;
		}
		if ((rc = bh_purl_encode(&b, name, 0)))
			goto done;
	}
	if (c->version && *c->version) {
		if ((rc = bh_buf_putc(&b, '@')) || (rc = bh_purl_encode(&b, c->version, 0)))
			goto done;
	}
	if (c->eco == BH_ECO_DEB || c->eco == BH_ECO_APK || c->eco == BH_ECO_RPM) {
		if ((rc = qual(&b, &first, "arch", c->arch)) ||
		    (rc = qual(&b, &first, "distro", distro.data)) ||
		    (rc = qual(&b, &first, "epoch", c->epoch)))
			goto done;
	}
	*out = bh_buf_steal(&b);
	if (!*out)
		rc = BH_ENOMEM;
done:
	free(lname);
	bh_buf_free(&distro);
	bh_buf_free(&b);
	return rc;
}

/* Percent-decodes s[0..n); BH_EINVAL when the result would hold a NUL byte ("%00"), which no
 * package name or version has and which would silently cut every C string made from it. */
static int pct_decode(const char *s, size_t n, char **out)
{
	char *d = malloc(n + 1);
	size_t i, o = 0;
	if (!d)
		return BH_ENOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char hx[3] = { s[i + 1], s[i + 2], 0 };
			d[o] = (char)strtol(hx, NULL, 16);
			if (!d[o]) {
				free(d);
				return BH_EINVAL;
			}
			o++;
			i += 2;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	*out = d;
	return 0;
}

static bh_ecosystem eco_from_type(const char *t, size_t n)
{
	int e;
	/* the type is case-insensitive (purl spec); "go" is what some tools write for golang */
	if (n == 2 && !strncasecmp(t, "go", 2))
		return BH_ECO_GO;
	for (e = BH_ECO_DEB; e < BH_ECO__COUNT; e++) {
		const char *name = bh_ecosystem_name((bh_ecosystem)e);
		if (strlen(name) == n && !strncasecmp(name, t, n))
			return (bh_ecosystem)e;
	}
	return BH_ECO_NONE;
}

/*
 * Debian keeps the epoch inside the version ("1:2.4.47-2", as dpkg and the purl spec's own deb
 * test cases write it); Trivy writes it as an "epoch" qualifier instead. Both read back the same.
 */
static int deb_epoch_into_version(bh_component *c)
{
	bh_buf b = BH_BUF_INIT;
	if (c->eco != BH_ECO_DEB || !c->epoch)
		return 0;
	if (c->version && !strchr(c->version, ':') && strcmp(c->epoch, "0") != 0) {
		if (bh_buf_printf(&b, "%s:%s", c->epoch, c->version)) {
			bh_buf_free(&b);
			return BH_ENOMEM;
		}
		free(c->version);
		c->version = bh_buf_steal(&b);
		if (!c->version)
			return BH_ENOMEM;
	}
	free(c->epoch);
	c->epoch = NULL;
	return 0;
}

int bh_purl_parse(const char *purl, bh_component *c, char **distro)
{
	const char *p, *type, *q, *at, *path_end, *slash;
	char *path = NULL;
	size_t tn;
	int rc;

	if (distro)
		*distro = NULL;
	if (!purl || strncasecmp(purl, "pkg:", 4) != 0)
		return BH_EINVAL;
	type = purl + 4;
	while (*type == '/') /* "pkg://npm/x" is read as "pkg:npm/x" (purl spec) */
		type++;
	p = strchr(type, '/');
	if (!p || p == type)
		return BH_EINVAL;
	tn = (size_t)(p - type);
	c->eco = eco_from_type(type, tn);
	p++;
	while (*p == '/')
		p++;
	q = strchr(p, '?');
	path_end = q ? q : p + strlen(p);
	{
		const char *hash = memchr(p, '#', (size_t)(path_end - p));
		if (hash) {
			path_end = hash;
			q = NULL; /* a '?' after the '#' belongs to the subpath */
		}
	}
	while (path_end > p && path_end[-1] == '/')
		path_end--;
	if (path_end == p)
		return BH_EINVAL;
	at = NULL;
	{
		const char *x;
		for (x = p; x < path_end; x++)
			if (*x == '@')
				at = x;
			else if (*x == '/')
				at = NULL; /* "@babel/core": a scope, not a version (canonical form writes %40) */
	}
	if (at) {
		char *v;
		if ((rc = pct_decode(at + 1, (size_t)(path_end - at - 1), &v)))
			return rc;
		if (*v) {
			free(c->version);
			c->version = v;
		} else {
			free(v);
		}
		path_end = at;
	}
	if ((rc = pct_decode(p, (size_t)(path_end - p), &path)))
		return rc;
	slash = strrchr(path, '/');
	if (!*path || (slash && !slash[1])) {
		rc = BH_EINVAL; /* a purl needs a name */
	} else if (c->eco == BH_ECO_GO || c->eco == BH_ECO_COMPOSER || !slash || (c->eco == BH_ECO_NPM && path[0] == '@')) {
		/* path-like names and npm scopes stay whole */
		rc = bh_component_set(&c->name, path, (size_t)-1);
	} else if (c->eco == BH_ECO_DEB || c->eco == BH_ECO_APK || c->eco == BH_ECO_RPM) {
		rc = bh_component_set(&c->name, slash + 1, (size_t)-1);
	} else {
		rc = bh_component_set(&c->namespace, path, (size_t)(slash - path));
		if (!rc)
			rc = bh_component_set(&c->name, slash + 1, (size_t)-1);
	}
	free(path);
	if (rc)
		return rc;
	if (c->eco == BH_ECO_COMPOSER) {
		/* Packagist names are case-insensitive; the purl spec lower-cases them */
		char *x;
		for (x = c->name; *x; x++)
			*x = (char)tolower((unsigned char)*x);
	}
	if (q) {
		const char *k = q + 1;
		while (*k && *k != '#') {
			const char *amp = strpbrk(k, "&#"), *eq;
			size_t n = amp ? (size_t)(amp - k) : strlen(k);
			eq = memchr(k, '=', n);
			if (eq) {
				char *v;
				size_t kl = (size_t)(eq - k);
				if ((rc = pct_decode(eq + 1, n - kl - 1, &v)))
					return rc;
				if (kl == 4 && !strncasecmp(k, "arch", 4)) {
					free(c->arch);
					c->arch = v;
				} else if (kl == 5 && !strncasecmp(k, "epoch", 5)) {
					free(c->epoch);
					c->epoch = v;
				} else if (kl == 6 && !strncasecmp(k, "distro", 6) && distro && !*distro) {
					*distro = v;
				} else {
					free(v);
				}
			}
			if (!amp || *amp == '#')
				break;
			k = amp + 1;
		}
	}
	return deb_epoch_into_version(c);
}

/* ---- The specification's component model (bh_purl): split, join, normalize. ---- */

/*
 * Registered types' rules, from package-url/purl-spec types/<type>-definition.json: whether the
 * namespace is required ('r'), prohibited ('p') or optional ('o'); which parts are case-insensitive
 * and so lowercased in the canonical form; a qualifier the type requires. Unknown types get only
 * the core rules.
 */
struct type_rule {
	const char *type;
	char ns;
	unsigned char ns_lower, name_lower, ver_lower;
	const char *req_qual;
};

static const struct type_rule type_rules[] = {
	{ "alpm", 'r', 1, 1, 0, NULL },	     { "apk", 'r', 1, 1, 0, NULL },	  { "bazel", 'p', 0, 0, 0, NULL },
	{ "bitbucket", 'r', 1, 1, 0, NULL }, { "bitnami", 'p', 0, 1, 0, NULL },	  { "brew", 'o', 1, 1, 0, NULL },
	{ "cargo", 'p', 0, 0, 0, NULL },     { "chrome-extension", 'p', 0, 1, 0, NULL },
	{ "cocoapods", 'p', 0, 0, 0, NULL }, { "composer", 'r', 1, 1, 0, NULL },  { "conan", 'o', 0, 0, 0, NULL },
	{ "conda", 'p', 0, 0, 0, NULL },     { "cpan", 'o', 0, 0, 0, NULL },	  { "cran", 'p', 0, 0, 0, NULL },
	{ "deb", 'r', 1, 1, 0, NULL },	     { "docker", 'o', 0, 0, 0, NULL },	  { "gem", 'p', 0, 0, 0, NULL },
	{ "generic", 'o', 0, 0, 0, NULL },   { "git", 'r', 0, 0, 0, NULL },	  { "github", 'r', 1, 1, 0, NULL },
	{ "golang", 'r', 0, 0, 0, NULL },    { "hackage", 'p', 0, 0, 0, NULL },	  { "hex", 'o', 1, 1, 0, NULL },
	{ "huggingface", 'r', 0, 0, 1, NULL }, { "julia", 'p', 0, 0, 0, "uuid" }, { "luarocks", 'o', 1, 1, 0, NULL },
	{ "maven", 'r', 0, 0, 0, NULL },     { "mlflow", 'p', 0, 0, 0, NULL },	  { "npm", 'o', 0, 0, 0, NULL },
	{ "nuget", 'p', 0, 0, 0, NULL },     { "oci", 'p', 0, 1, 1, NULL },	  { "opam", 'p', 0, 0, 0, NULL },
	{ "otp", 'p', 0, 1, 0, NULL },	     { "pub", 'p', 0, 1, 0, NULL },	  { "pypi", 'p', 0, 1, 0, NULL },
	{ "qpkg", 'r', 1, 0, 0, NULL },	     { "rpm", 'r', 1, 0, 0, NULL },	  { "swid", 'o', 0, 0, 0, "tag_id" },
	{ "swift", 'r', 0, 0, 0, NULL },     { "vcpkg", 'p', 0, 0, 0, NULL },	  { "vscode-extension", 'r', 1, 1, 1, NULL },
	{ "yocto", 'o', 1, 0, 0, NULL },
};

static const struct type_rule *rule_of(const char *type)
{
	size_t i;
	if (!type)
		return NULL;
	for (i = 0; i < sizeof(type_rules) / sizeof(type_rules[0]); i++)
		if (!strcmp(type_rules[i].type, type))
			return &type_rules[i];
	return NULL;
}

void bh_purl_free(bh_purl *p)
{
	size_t i;
	if (!p)
		return;
	free(p->type);
	free(p->namespace);
	free(p->name);
	free(p->version);
	free(p->subpath);
	for (i = 0; i < p->nquals; i++) {
		free(p->quals[i].key);
		free(p->quals[i].value);
	}
	free(p->quals);
	memset(p, 0, sizeof(*p));
}

const char *bh_purl_qual_get(const bh_purl *p, const char *key)
{
	size_t i;
	for (i = 0; i < p->nquals; i++)
		if (!strcmp(p->quals[i].key, key))
			return p->quals[i].value;
	return NULL;
}

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* type: ASCII letters, digits, '.' and '-', starting with a letter (spec "Type"). */
static bool type_ok(const char *t, size_t n)
{
	size_t i;
	if (!n || !isalpha((unsigned char)t[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '.' && t[i] != '-')
			return false;
	return true;
}

/* qualifier key: lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter. */
static bool key_ok(const char *k)
{
	if (!islower((unsigned char)*k))
		return false;
	for (; *k; k++)
		if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) && *k != '.' && *k != '-' && *k != '_')
			return false;
	return true;
}

/* Splits s[0..n) on '/', decodes each segment and joins the non-empty ones with '/' into *out
 * (NULL when none is left). subpath also drops "." and "..". A segment decoding to '/' is invalid. */
static int segments(const char *s, size_t n, bool subpath, char **out)
{
	bh_buf b = BH_BUF_INIT;
	size_t i = 0;
	int rc = 0;
	*out = NULL;
	while (i < n && !rc) {
		size_t j = i;
		char *seg = NULL;
		while (j < n && s[j] != '/')
			j++;
		if (j > i && !(rc = pct_decode(s + i, j - i, &seg))) {
			if (strchr(seg, '/'))
				rc = BH_EINVAL;
			else if (*seg && !(subpath && (!strcmp(seg, ".") || !strcmp(seg, "..")))) {
				if (b.len)
					rc = bh_buf_putc(&b, '/');
				if (!rc)
					rc = bh_buf_puts(&b, seg);
			}
		}
		free(seg);
		i = j + 1;
	}
	if (!rc && b.len && !(*out = bh_buf_steal(&b)))
		rc = BH_ENOMEM;
	bh_buf_free(&b);
	return rc;
}

static int qual_cmp(const void *a, const void *b)
{
	return strcmp(((const bh_purl_qual *)a)->key, ((const bh_purl_qual *)b)->key);
}

/* Adds key=value (both taken over), refusing a bad or duplicate key; an empty value is no qualifier. */
static int qual_add(bh_purl *p, char *key, char *value, unsigned flags)
{
	bh_purl_qual *nq;
	int rc = BH_EINVAL;
	if (flags & BH_PURL_LENIENT)
		lower(key);
	if (!key_ok(key) || bh_purl_qual_get(p, key) || p->nquals >= BH_PURL_MAX_QUALS)
		goto fail;
	if (!value || !*value) {
		free(key);
		free(value);
		return 0;
	}
	if (!(nq = realloc(p->quals, (p->nquals + 1) * sizeof(*nq)))) {
		rc = BH_ENOMEM;
		goto fail;
	}
	p->quals = nq;
	nq[p->nquals].key = key;
	nq[p->nquals].value = value;
	p->nquals++;
	return 0;
fail:
	free(key);
	free(value);
	return rc;
}

/* The type's normalisations, then (strict) its requirements. p->type is lowercase already. */
static int apply_type_rules(bh_purl *p, unsigned flags)
{
	const struct type_rule *r = rule_of(p->type);
	char *x;
	if (p->type && !strcmp(p->type, "git") && p->name) {
		/* a git name is a repository path written with its '/' unencoded: empty segments would not
		 * read back, so they go ("a//b" -> "a/b", as in the namespace) */
		char *w = p->name, *rd;
		for (rd = p->name; *rd; rd++)
			if (*rd != '/' || (w > p->name && w[-1] != '/'))
				*w++ = *rd;
		if (w > p->name && w[-1] == '/')
			w--;
		*w = '\0';
	}
	if (!p->name || !*p->name)
		return BH_EINVAL;
	if (!r)
		return 0;
	if (r->ns_lower)
		lower(p->namespace);
	if (r->name_lower)
		lower(p->name);
	if (r->ver_lower)
		lower(p->version);
	if (!strcmp(p->type, "pypi")) {
		/* PyPI names are case-insensitive and '_' is '-' (pypi definition) */
		for (x = p->name; *x; x++)
			if (*x == '_')
				*x = '-';
	} else if (!strcmp(p->type, "git") && p->namespace &&
		   (!strcmp(p->namespace, "github") || !strcmp(p->namespace, "github.com") ||
		    !strcmp(p->namespace, "bitbucket") || !strcmp(p->namespace, "bitbucket.org"))) {
		/* git repositories are case-sensitive in general, but not on GitHub or Bitbucket (their
		 * own types' definitions lowercase them; the git suite's "recommended" case does too) */
		lower(p->namespace);
		lower(p->name);
	} else if (!strcmp(p->type, "mlflow")) {
		/* Databricks model names are case-insensitive, Azure ML's are not (mlflow definition) */
		const char *repo = bh_purl_qual_get(p, "repository_url");
		if (repo && strstr(repo, "azuredatabricks.net"))
			lower(p->name);
	}
	if (flags & BH_PURL_LENIENT)
		return 0;
	if ((r->ns == 'r' && !p->namespace) || (r->ns == 'p' && p->namespace))
		return BH_EINVAL;
	if (r->req_qual && !bh_purl_qual_get(p, r->req_qual))
		return BH_EINVAL;
	if (!strcmp(p->type, "cpan") && strstr(p->name, "::"))
		return BH_EINVAL; /* a distribution name, not a module name (cpan definition) */
	if (!strcmp(p->type, "chrome-extension")) {
		/* extension ids are 32 letters a-p; versions one to four dot-separated numbers */
		size_t n = 0, parts = 1;
		for (x = p->name; *x; x++, n++)
			if (*x < 'a' || *x > 'p')
				return BH_EINVAL;
		if (n != 32)
			return BH_EINVAL;
		if (p->version) {
			for (x = p->version; *x; x++) {
				if (*x == '.' && x[1] && x != p->version && x[-1] != '.')
					parts++;
				else if (!isdigit((unsigned char)*x))
					return BH_EINVAL;
			}
			if (!*p->version || parts > 4)
				return BH_EINVAL;
		}
	}
	return 0;
}

int bh_purl_split(const char *s, unsigned flags, bh_purl *p)
{
	const char *end, *hash, *q, *colon, *t, *slash, *at, *x, *name_end, *name_start;
	size_t n;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!s || (n = strnlen(s, BH_PURL_MAX_LEN + 1)) > BH_PURL_MAX_LEN)
		return BH_EINVAL;
	end = s + n;
	/* right to left, as "How to parse a PURL" does: subpath, qualifiers, scheme, type, version, name */
	hash = memrchr(s, '#', n);
	if (hash && (rc = segments(hash + 1, (size_t)(end - hash - 1), true, &p->subpath)))
		return rc;
	if (hash)
		end = hash;
	q = memrchr(s, '?', (size_t)(end - s));
	if (q) {
		const char *k = q + 1;
		while (k < end) {
			const char *amp = memchr(k, '&', (size_t)(end - k)), *eq;
			const char *e = amp ? amp : end;
			char *key = NULL, *val = NULL;
			eq = memchr(k, '=', (size_t)(e - k));
			if (e > k) {
				if (!eq)
					return BH_EINVAL; /* a key without '=' */
				if (!(key = bh_strndup(k, (size_t)(eq - k))))
					return BH_ENOMEM;
				if ((rc = pct_decode(eq + 1, (size_t)(e - eq - 1), &val))) {
					free(key);
					return rc;
				}
				if ((rc = qual_add(p, key, val, flags)))
					return rc;
			}
			k = e + 1;
		}
		end = q;
		if (p->nquals > 1)
			qsort(p->quals, p->nquals, sizeof(*p->quals), qual_cmp);
	}
	colon = memchr(s, ':', (size_t)(end - s));
	if (!colon || colon - s != 3 || strncasecmp(s, "pkg", 3) != 0)
		return BH_EINVAL;
	t = colon + 1;
	while (t < end && *t == '/') /* "pkg://npm/x" is "pkg:npm/x" */
		t++;
	slash = memchr(t, '/', (size_t)(end - t));
	if (!slash || !type_ok(t, (size_t)(slash - t)))
		return BH_EINVAL;
	if (!(p->type = bh_strndup(t, (size_t)(slash - t))))
		return BH_ENOMEM;
	lower(p->type);
	name_start = slash + 1;
	/* the version '@' is the last one after the last '/': "pkg:npm/@babel/core" has a scope, no version */
	at = NULL;
	for (x = name_start; x < end; x++)
		if (*x == '@')
			at = x;
		else if (*x == '/')
			at = NULL;
	name_end = end;
	if (at) {
		if ((rc = pct_decode(at + 1, (size_t)(end - at - 1), &p->version)))
			return rc;
		if (!*p->version) {
			free(p->version);
			p->version = NULL;
		}
		name_end = at;
	} else {
		/* trailing slashes are not significant; before an '@' they leave the name empty */
		while (name_end > name_start && name_end[-1] == '/')
			name_end--;
	}
	slash = NULL;
	for (x = name_end; x > name_start; x--)
		if (x[-1] == '/') {
			slash = x - 1;
			break;
		}
	if ((rc = pct_decode(slash ? slash + 1 : name_start, (size_t)(name_end - (slash ? slash + 1 : name_start)), &p->name)))
		return rc;
	if (!*p->name)
		return BH_EINVAL; /* a purl needs a name */
	if (slash && (rc = segments(name_start, (size_t)(slash - name_start), false, &p->namespace)))
		return rc;
	if (!strcmp(p->type, "git") && p->namespace && (x = strchr(p->namespace, '/'))) {
		/* git: the namespace is the host, the name the repository path on it (git definition;
		 * "pkg:git/codeberg.org/forgejo/forgejo" has name "forgejo/forgejo") */
		bh_buf b = BH_BUF_INIT;
		char *path;
		if (bh_buf_printf(&b, "%s/%s", x + 1, p->name) || !(path = bh_buf_steal(&b))) {
			bh_buf_free(&b);
			return BH_ENOMEM;
		}
		free(p->name);
		p->name = path;
		p->namespace[x - p->namespace] = '\0';
	}
	return apply_type_rules(p, flags);
}

/* Encodes a '/'-separated string segment by segment (namespace, subpath). */
static int encode_segments(bh_buf *b, const char *s)
{
	return bh_purl_encode(b, s, 1);
}

int bh_purl_join(const bh_purl *in, unsigned flags, char **out)
{
	bh_purl p;
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc = BH_EINVAL;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (!in->type || !type_ok(in->type, strlen(in->type)) || !in->name || !*in->name)
		return BH_EINVAL;
	/* work on a copy: the type's normalisations change it */
	if (!(p.type = bh_strdup(in->type)) || !(p.name = bh_strdup(in->name)) ||
	    (in->version && *in->version && !(p.version = bh_strdup(in->version)))) {
		rc = BH_ENOMEM;
		goto done;
	}
	lower(p.type);
	if (in->namespace && (rc = segments(in->namespace, strlen(in->namespace), false, &p.namespace)))
		goto done;
	if (in->subpath && (rc = segments(in->subpath, strlen(in->subpath), true, &p.subpath)))
		goto done;
	for (i = 0; i < in->nquals; i++) {
		char *k = bh_strdup(in->quals[i].key), *v = in->quals[i].value ? bh_strdup(in->quals[i].value) : NULL;
		if (!k || (in->quals[i].value && !v)) {
			free(k);
			free(v);
			rc = BH_ENOMEM;
			goto done;
		}
		if ((rc = qual_add(&p, k, v, flags)))
			goto done;
	}
	if (p.nquals > 1)
		qsort(p.quals, p.nquals, sizeof(*p.quals), qual_cmp);
	if ((rc = apply_type_rules(&p, flags)))
		goto done;
	if ((rc = bh_buf_printf(&b, "pkg:%s/", p.type)))
		goto done;
	if (p.namespace && ((rc = encode_segments(&b, p.namespace)) || (rc = bh_buf_putc(&b, '/'))))
		goto done;
	/* a git name is a repository path: its '/' separate segments, as in the namespace */
	if ((rc = bh_purl_encode(&b, p.name, !strcmp(p.type, "git"))))
		goto done;
	if (p.version && ((rc = bh_buf_putc(&b, '@')) || (rc = bh_purl_encode(&b, p.version, 0))))
		goto done;
	for (i = 0; i < p.nquals; i++)
		if ((rc = bh_buf_putc(&b, i ? '&' : '?')) || (rc = bh_buf_puts(&b, p.quals[i].key)) ||
		    (rc = bh_buf_putc(&b, '=')) || (rc = bh_purl_encode(&b, p.quals[i].value, 0)))
			goto done;
	if (p.subpath && ((rc = bh_buf_putc(&b, '#')) || (rc = encode_segments(&b, p.subpath))))
		goto done;
	if (!(*out = bh_buf_steal(&b)))
		rc = BH_ENOMEM;
done:
	bh_purl_free(&p);
	bh_buf_free(&b);
	return rc;
}

/* Types some tools write that are really a distro (the namespace) or another type's alias. */
static const struct {
	const char *alias, *type;
	bool is_namespace;
} type_aliases[] = {
	{ "alpine", "apk", true }, { "wolfi", "apk", true },  { "chainguard", "apk", true }, { "debian", "deb", true },
	{ "ubuntu", "deb", true }, { "go", "golang", false },
};

/* The leading letters of the distro qualifier, lowercased ("ubuntu-22.04" -> "ubuntu"), or NULL. */
static char *distro_vendor(const bh_purl *p)
{
	const char *d = bh_purl_qual_get(p, "distro");
	size_t n = 0;
	char *v;
	if (!d)
		return NULL;
	while (isalpha((unsigned char)d[n]))
		n++;
	if (!n || !(v = bh_strndup(d, n)))
		return NULL;
	lower(v);
	return v;
}

static int set_str(char **dst, const char *s)
{
	char *x = bh_strdup(s);
	if (!x)
		return BH_ENOMEM;
	free(*dst);
	*dst = x;
	return 0;
}

int bh_purl_normalize(const char *s, char **out, unsigned *fixed)
{
	bh_purl p;
	unsigned f = 0;
	size_t i;
	int rc;

	*out = NULL;
	if (fixed)
		*fixed = 0;
	if ((rc = bh_purl_split(s, BH_PURL_LENIENT, &p)))
		goto done;
	for (i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++) {
		if (strcmp(p.type, type_aliases[i].alias) != 0)
			continue;
		if (type_aliases[i].is_namespace && !p.namespace && (rc = set_str(&p.namespace, p.type)))
			goto done;
		if ((rc = set_str(&p.type, type_aliases[i].type)))
			goto done;
		f |= BH_PURL_FIX_TYPE;
		break;
	}
	if (!p.namespace && (!strcmp(p.type, "deb") || !strcmp(p.type, "apk") || !strcmp(p.type, "rpm"))) {
		/* the vendor is required (deb, apk and rpm definitions): the distro qualifier's, else the usual one */
		char *v = distro_vendor(&p);
		const char *ns = NULL;
		if (!strcmp(p.type, "rpm"))
			ns = v ? rpm_namespace(v) : NULL; /* "rhel-9.2" -> redhat, as bh_purl_build writes it */
		else if (!strcmp(p.type, "deb"))
			ns = v && !strcmp(v, "ubuntu") ? "ubuntu" : "debian"; /* codenames ("jessie") are Debian's */
		else
			ns = v && (!strcmp(v, "wolfi") || !strcmp(v, "chainguard")) ? v : "alpine";
		if (ns && !(p.namespace = bh_strdup(ns))) {
			free(v);
			rc = BH_ENOMEM;
			goto done;
		}
		free(v);
		if (ns)
			f |= BH_PURL_FIX_NAMESPACE;
	}
	if ((rc = bh_purl_join(&p, BH_PURL_LENIENT, out)))
		goto done;
	if (strcmp(*out, s) != 0 && !(f & (BH_PURL_FIX_TYPE | BH_PURL_FIX_NAMESPACE)))
		f |= BH_PURL_FIX_CANONICAL;
	if (fixed)
		*fixed = f;
done:
	bh_purl_free(&p);
	return rc;
}
