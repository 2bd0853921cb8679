/* version.c - dispatch of version ordering and requirement matching to each ecosystem's rules, and
 * the plain comparator lists used where an ecosystem has no requirement syntax of its own. */
#include "version/version.h"

#include <string.h>

#include "version/schemes.h"

/* strnlen without relying on POSIX: stops looking once past the bound. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;
	while (n <= max && s[n])
		n++;
	return n;
}

static int check(const char *s, size_t max, const char *what, bh_error *err)
{
	if (!s)
		return bh_error_set(err, BH_EINVAL, "%s missing", what);
	if (bounded_len(s, max) > max)
		return bh_error_set(err, BH_EINVAL, "%s longer than %zu characters", what, max);
	return 0;
}

static int scheme_cmp(bh_ecosystem eco, const char *a, const char *b, int *out)
{
	switch (eco) {
	case BH_ECO_DEB: return bh_vcmp_dpkg(a, b, out);
	case BH_ECO_RPM: return bh_vcmp_rpm(a, b, out);
	case BH_ECO_APK: return bh_vcmp_apk(a, b, out);
	case BH_ECO_NPM: case BH_ECO_GO: case BH_ECO_CARGO: case BH_ECO_COMPOSER: return bh_vcmp_semver(eco, a, b, out);
	case BH_ECO_PYPI: return bh_vcmp_pep440(a, b, out);
	case BH_ECO_MAVEN: return bh_vcmp_maven(a, b, out);
	case BH_ECO_GEM: return bh_vcmp_gem(a, b, out);
	default: {
		int r = strcmp(a, b);
		*out = r < 0 ? -1 : r > 0;
		return 0;
	}
	}
}

int bh_version_cmp(bh_ecosystem eco, const char *a, const char *b, int *out, bh_error *err)
{
	int bad;
	if (check(a, BH_VERSION_MAX, "version", err) || check(b, BH_VERSION_MAX, "version", err))
		return BH_EINVAL;
	bad = scheme_cmp(eco, a, b, out);
	if (bad)
		return bh_error_set(err, BH_EINVAL, "not a valid %s version: \"%s\"", bh_ecosystem_name(eco), bad == 1 ? a : b);
	return 0;
}

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/*
 * "op version" clauses separated by commas (or blanks between clauses), all of which must hold;
 * "||" separates alternatives. Operators: < <= > >= = == != and dpkg's << >>; RubyGems' "~>".
 * A bare version means equality.
 */
static int comparator_list(bh_ecosystem eco, const char *version, const char *req, bool *out, bh_error *err)
{
	const char *p = req;
	int c;
	/* the installed version must itself be valid, whatever the requirement */
	if (scheme_cmp(eco, version, version, &c))
		return bh_error_set(err, BH_EINVAL, "not a valid %s version: \"%s\"", bh_ecosystem_name(eco), version);
	*out = false;
	for (;;) {
		const char *bar = strstr(p, "||"), *e = bar ? bar : p + strlen(p);
		bool all = true;
		while (p < e) {
			char op[3] = "", ver[BH_VERSION_MAX + 1];
			size_t k = 0, n;
			const char *t;
			while (p < e && (is_space(*p) || *p == ','))
				p++;
			if (p == e)
				break;
			while (p < e && k < 2 && strchr("<>=!~", *p))
				op[k++] = *p++;
			op[k] = '\0';
			while (p < e && is_space(*p))
				p++;
			t = p;
			while (p < e && *p != ',' && !is_space(*p))
				p++;
			n = (size_t)(p - t);
			if (!n || n > BH_VERSION_MAX)
				return bh_error_set(err, BH_EINVAL, "%s requirement \"%s\": missing or overlong version", bh_ecosystem_name(eco), req);
			memcpy(ver, t, n);
			ver[n] = '\0';
			if (!strcmp(op, "~>") && eco == BH_ECO_GEM) {
				/* pessimistic: at least ver, and the version's release part below ver's bump
				 * ("~> 1.2.3" is < 1.3; 1.3.0.beta1 is out because its release 1.3.0 is) */
				char top[BH_VERSION_MAX + 2], rel[BH_VERSION_MAX + 1];
				int lo, hi;
				if (bh_gem_bump(ver, top, sizeof(top)) || scheme_cmp(eco, version, ver, &lo))
					return bh_error_set(err, BH_EINVAL, "gem requirement: bad version \"%s\"", ver);
				if (bh_gem_release(version, rel, sizeof(rel)) || scheme_cmp(eco, rel, top, &hi))
					return bh_error_set(err, BH_EINVAL, "gem requirement: bad version \"%s\"", version);
				all = all && lo >= 0 && hi < 0;
				continue;
			}
			if (scheme_cmp(eco, version, ver, &c))
				return bh_error_set(err, BH_EINVAL, "%s requirement: bad version \"%s\"", bh_ecosystem_name(eco), ver);
			if (!strcmp(op, "<") || !strcmp(op, "<<"))
				all = all && c < 0;
			else if (!strcmp(op, "<="))
				all = all && c <= 0;
			else if (!strcmp(op, ">") || !strcmp(op, ">>"))
				all = all && c > 0;
			else if (!strcmp(op, ">="))
				all = all && c >= 0;
			else if (!*op || !strcmp(op, "=") || !strcmp(op, "=="))
				all = all && c == 0;
			else if (!strcmp(op, "!="))
				all = all && c != 0;
			else
				return bh_error_set(err, BH_EINVAL, "%s requirement: unknown operator \"%s\"", bh_ecosystem_name(eco), op);
		}
		if (all)
			*out = true;
		if (!bar)
			return 0;
		p = bar + 2;
	}
}

int bh_version_req_match(bh_ecosystem eco, const char *version, const char *req, bool *out, bh_error *err)
{
	int rc;
	if (check(version, BH_VERSION_MAX, "version", err) || check(req, BH_VERSION_REQ_MAX, "requirement", err))
		return BH_EINVAL;
	switch (eco) {
	case BH_ECO_NPM: case BH_ECO_CARGO: case BH_ECO_COMPOSER: case BH_ECO_GO:
		return bh_semver_req(eco, version, req, out, err);
	case BH_ECO_PYPI:
		return bh_pep440_req(version, req, out, err);
	case BH_ECO_MAVEN:
		rc = bh_maven_req(version, req, out, err);
		if (rc != BH_EUNSUPPORTED)
			return rc;
		return comparator_list(eco, version, req, out, err);
	default:
		return comparator_list(eco, version, req, out, err);
	}
}
