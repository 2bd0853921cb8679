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
