/* purl.c - builds package URLs the way Trivy and Syft write them, so SBOMs match across tools. */
#include "sbom/purl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
