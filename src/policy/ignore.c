/* ignore.c - ignore files and VEX documents turned into suppression rules. */
#include "policy/ignore.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/json.h"
#include "core/yaml.h"

static bh_ignore_rule *add(bh_ignores *ig, const char *id, const char *origin)
{
	bh_ignore_rule *n, *r;
	size_t bytes;
	if (!id || !*id || !bh_size_mul(ig->n + 1, sizeof(*n), &bytes) || !(n = realloc(ig->rules, bytes)))
		return NULL;
	ig->rules = n;
	r = &n[ig->n];
	memset(r, 0, sizeof(*r));
	r->id = bh_strdup(id);
	r->origin = bh_strdup(origin);
	if (!r->id || !r->origin) {
		free(r->id);
		free(r->origin);
		return NULL;
	}
	ig->n++;
	return r;
}

static int push(char ***v, size_t *n, const char *s)
{
	char **nv;
	size_t bytes;
	if (!s || !bh_size_mul(*n + 1, sizeof(char *), &bytes) || !(nv = realloc(*v, bytes)))
		return s ? BH_ENOMEM : 0;
	*v = nv;
	if (!(nv[*n] = bh_strdup(s)))
		return BH_ENOMEM;
	(*n)++;
	return 0;
}

/* "2026-12-31" or "2026-12-31T10:00:00Z" -> end of that day / that instant, UTC. */
static int parse_date(const char *s, time_t *out)
{
	struct tm tm;
	const char *e;
	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%Y-%m-%d", &tm);
	if (!e)
		return -1;
	if (*e == 'T' || *e == ' ') {
		if (!strptime(e + 1, "%H:%M:%S", &tm))
			return -1;
	} else {
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	*out = timegm(&tm);
	return 0;
}

static int load_text(bh_ignores *ig, const char *path, const char *d, size_t len, bh_error *err)
{
	bh_lines it;
	const char *line;
	size_t n, lineno = 0;
	bh_lines_init(&it, d, len);
	while (bh_lines_next(&it, &line, &n)) {
		char buf[1024], *hash, *tok, *save = NULL;
		bh_ignore_rule *r = NULL;
		lineno++;
		if (n >= sizeof(buf))
			return bh_error_set(err, BH_EINVAL, "%s:%zu: line too long", path, lineno);
		memcpy(buf, line, n);
		buf[n] = '\0';
		hash = strchr(buf, '#');
		if (hash)
			*hash++ = '\0';
		for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (!r) {
				if (!(r = add(ig, tok, path)))
					return bh_error_set(err, BH_ENOMEM, "out of memory");
			} else if (!strncmp(tok, "exp:", 4)) {
				if (parse_date(tok + 4, &r->expires))
					return bh_error_set(err, BH_EINVAL, "%s:%zu: bad date \"%s\" (want exp:YYYY-MM-DD)", path, lineno, tok + 4);
			}
		}
		if (r && hash) {
			const char *rs = hash;
			size_t rn = strlen(hash);
			bh_trim(&rs, &rn);
			r->reason = bh_strndup(rs, rn);
		}
	}
	return 0;
}

static int strings_of(json_t *v, char ***out, size_t *n, const char *key)
{
	size_t i;
	int rc;
	if (json_is_string(v))
		return push(out, n, json_string_value(v));
	for (i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i);
		const char *s = json_is_string(x) ? json_string_value(x) : bh_json_str(x, key);
		if (s && (rc = push(out, n, s)))
			return rc;
	}
	return 0;
}

/* Every key of obj must be one of allowed (NULL-terminated): a misspelt "expires" or "purls" would
 * otherwise widen a rule silently (as the policy file does). */
static int known_keys(json_t *obj, const char *const *allowed, const char *where, const char *path, bh_error *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
			;
		if (!allowed[i])
			return bh_error_set(err, BH_EINVAL, "%s: unknown key \"%.100s\" in %s", path, k, where);
	}
	return 0;
}

static int load_yaml(bh_ignores *ig, const char *path, json_t *doc, bh_error *err)
{
	static const char *const top[] = { "vulnerabilities", NULL };
	/* expired_at and statement are Trivy's .trivyignore.yaml names for expires and reason */
	static const char *const entry[] = { "id", "purls", "paths", "expires", "expired_at", "reason", "statement", NULL };
	json_t *list = json_object_get(doc, "vulnerabilities");
	size_t i;
	int rc;
	if (!json_is_object(doc))
		return bh_error_set(err, BH_EINVAL, "%s: expected a mapping with a \"vulnerabilities\" list", path);
	if ((rc = known_keys(doc, top, "the ignore file", path, err)))
		return rc;
	if (!json_is_array(list))
		return bh_error_set(err, BH_EINVAL, "%s: expected a \"vulnerabilities\" list", path);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		const char *id = bh_json_str(e, "id"), *exp = bh_json_str(e, "expires");
		bh_ignore_rule *r;
		char where[64];
		if (!json_is_object(e))
			return bh_error_set(err, BH_EINVAL, "%s: entry %zu must be a mapping", path, i + 1);
		snprintf(where, sizeof(where), "entry %zu", i + 1);
		if ((rc = known_keys(e, entry, where, path, err)))
			return rc;
		if (!exp)
			exp = bh_json_str(e, "expired_at");
		if (!id)
			return bh_error_set(err, BH_EINVAL, "%s: entry %zu has no id", path, i + 1);
		if (!(r = add(ig, id, path)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		if (exp && parse_date(exp, &r->expires))
			return bh_error_set(err, BH_EINVAL, "%s: entry %zu: bad expiry date \"%s\"", path, i + 1, exp);
		r->reason = bh_strdup(bh_json_str(e, "reason") ? bh_json_str(e, "reason") : bh_json_str(e, "statement"));
		if (strings_of(json_object_get(e, "purls"), &r->purls, &r->npurls, "purl") ||
		    strings_of(json_object_get(e, "paths"), &r->paths, &r->npaths, "path"))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

/* The @id of an OpenVEX product or subcomponent (an object), or the string itself. */
static const char *vex_id(json_t *x)
{
	return json_is_string(x) ? json_string_value(x) : bh_json_str(x, "@id");
}

static bh_ignore_rule *vex_rule(bh_ignores *ig, const char *id, const char *path, json_t *s, bh_error *err)
{
	bh_ignore_rule *r = add(ig, id, path);
	const char *j = bh_json_str(s, "justification");
	if (!r) {
		bh_error_set(err, BH_ENOMEM, "out of memory");
		return NULL;
	}
	r->reason = bh_strdup(j ? j : bh_json_str(s, "status"));
	return r;
}

/*
 * OpenVEX: statements[] {vulnerability: {name} | "id", products: [{"@id": purl, subcomponents:
 * [{"@id": purl}]} | purl], status}. A product without subcomponents is the package itself; with
 * subcomponents (vexctl --subcomponents), the statement is about those packages inside that
 * product (an image or application), so each such product makes a rule of its own. not_affected
 * and fixed suppress the finding (as Trivy reads it).
 */
static int load_openvex(bh_ignores *ig, const char *path, json_t *doc, bh_error *err)
{
	json_t *st = json_object_get(doc, "statements");
	size_t i, k;
	for (i = 0; i < json_array_size(st); i++) {
		json_t *s = json_array_get(st, i), *v = json_object_get(s, "vulnerability"), *prods = json_object_get(s, "products");
		const char *status = bh_json_str(s, "status"), *id = json_is_string(v) ? json_string_value(v) : bh_json_str(v, "name");
		size_t plain = (size_t)-1; /* an index: adding rules moves them */
		bh_ignore_rule *r;
		if (!status || (strcmp(status, "not_affected") != 0 && strcmp(status, "fixed") != 0) || !id)
			continue;
		if (!json_array_size(prods) && !vex_rule(ig, id, path, s, err))
			return BH_ENOMEM; /* no product: the vulnerability everywhere */
		for (k = 0; k < json_array_size(prods); k++) {
			json_t *p = json_array_get(prods, k), *subs = json_object_get(p, "subcomponents");
			const char *pid = vex_id(p);
			if (!pid)
				continue;
			if (!json_array_size(subs)) {
				if (plain == (size_t)-1) {
					if (!vex_rule(ig, id, path, s, err))
						return BH_ENOMEM;
					plain = ig->n - 1;
				}
				r = &ig->rules[plain];
				if (push(&r->purls, &r->npurls, pid))
					return bh_error_set(err, BH_ENOMEM, "out of memory");
				continue;
			}
			if (!(r = vex_rule(ig, id, path, s, err)))
				return BH_ENOMEM;
			if (push(&r->products, &r->nproducts, pid) || strings_of(subs, &r->purls, &r->npurls, "@id"))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* CycloneDX VEX: vulnerabilities[] {id, analysis: {state}, affects: [{ref}]} */
static int load_cdx_vex(bh_ignores *ig, const char *path, json_t *doc, bh_error *err)
{
	json_t *vs = json_object_get(doc, "vulnerabilities");
	size_t i;
	for (i = 0; i < json_array_size(vs); i++) {
		json_t *v = json_array_get(vs, i), *an = json_object_get(v, "analysis");
		const char *state = bh_json_str(an, "state"), *id = bh_json_str(v, "id");
		bh_ignore_rule *r;
		if (!id || !state || (strcmp(state, "not_affected") != 0 && strcmp(state, "false_positive") != 0 && strcmp(state, "resolved") != 0))
			continue;
		if (!(r = add(ig, id, path)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		r->reason = bh_strdup(bh_json_str(an, "justification") ? bh_json_str(an, "justification") : state);
		if (strings_of(json_object_get(v, "affects"), &r->purls, &r->npurls, "ref"))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

int bh_ignore_load(bh_ignores *ig, const char *path, const bh_limits *lim, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	json_t *doc = NULL;
	int fd, rc = 0;
	if (bh_file_open_regular(path, &fd, err))
		return err->code;
	for (;;) {
		ssize_t r;
		if (bh_buf_grow(&b, 65536)) {
			close(fd);
			bh_buf_free(&b);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		r = read(fd, b.data + b.len, 65536);
		if (r <= 0)
			break;
		b.len += (size_t)r;
		if (b.len > lim->max_meta_size) {
			close(fd);
			bh_buf_free(&b);
			return bh_error_set(err, BH_ELIMIT, "%s: larger than the max-meta-size limit", path);
		}
	}
	close(fd);
	if (b.data)
		b.data[b.len] = '\0';
	if (bh_str_endswith(path, ".yaml") || bh_str_endswith(path, ".yml")) {
		if (!(rc = bh_yaml_load(b.data ? b.data : "", b.len, lim->max_json_depth, path, &doc, err)))
			rc = load_yaml(ig, path, doc, err);
	} else if (b.data && b.len && b.data[strspn(b.data, " \t\r\n")] == '{') {
		if (!(rc = bh_json_load(b.data, b.len, lim->max_json_depth, path, &doc, err))) {
			if (json_object_get(doc, "statements"))
				rc = load_openvex(ig, path, doc, err);
			else if (json_object_get(doc, "vulnerabilities"))
				rc = load_cdx_vex(ig, path, doc, err);
			else
				rc = bh_error_set(err, BH_EINVAL, "%s: neither OpenVEX (statements) nor CycloneDX VEX (vulnerabilities)", path);
		}
	} else {
		rc = load_text(ig, path, b.data ? b.data : "", b.len, err);
	}
	if (doc)
		json_decref(doc);
	bh_buf_free(&b);
	return rc;
}

static bool id_matches(const char *rule, const char *id, const char *aliases)
{
	const char *p = aliases;
	size_t n = strlen(rule);
	if (!strcmp(rule, id))
		return true;
	while (p && (p = strstr(p, rule)) != NULL) {
		if ((p == aliases || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

static bool purl_matches(const char *rule, const char *purl)
{
	size_t n;
	if (!purl)
		return false;
	if (!strcmp(rule, purl))
		return true;
	/* a rule without qualifiers covers any qualifiers; without a version, any version */
	n = strlen(rule);
	if (strncmp(purl, rule, n) != 0)
		return false;
	return purl[n] == '?' || purl[n] == '#' || (!strchr(rule, '@') && purl[n] == '@');
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Percent-decodes s into out (n bytes); false when it does not fit or decodes to a NUL. */
static bool unescape(const char *s, char *out, size_t n)
{
	size_t o = 0;
	for (; *s; s++) {
		char ch = *s;
		if (ch == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			ch = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
			if (!ch)
				return false;
		}
		if (o + 1 >= n)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return true;
}

/* The component's bom-ref is ref: the one a stored CycloneDX SBOM gave it, else its purl (what
 * bulkhead writes; "purl#N" for the second copy of a package). */
static bool bomref_matches(const char *ref, const bh_component *c)
{
	const char *own = bh_component_get_prop(c, "cdx.bom-ref");
	size_t n;
	if (own)
		return !strcmp(own, ref);
	if (!c->purl)
		return false;
	if (!strcmp(ref, c->purl))
		return true;
	n = strlen(c->purl);
	return !strncmp(ref, c->purl, n) && ref[n] == '#' && ref[n + 1] && strspn(ref + n + 1, "0123456789") == strlen(ref + n + 1);
}

/* Two purls that differ only in percent-encoding ("libstdc%2B%2B6" and "libstdc++6"). */
static bool purl_decoded_matches(const char *ref, const char *purl)
{
	char a[4096], b[4096];
	if (!purl || strncmp(ref, "pkg:", 4) != 0 || !unescape(ref, a, sizeof(a)) || !unescape(purl, b, sizeof(b)))
		return false;
	return purl_matches(a, b);
}

/* "urn:cdx:<serial uuid>/<version>#<bom-ref, percent-encoded>" (CycloneDX BOM-Link). */
static bool bomlink_matches(const char *link, const bh_sbom *s, const bh_component *c)
{
	const char *serial = link + 8, *slash = strchr(serial, '/'), *hash = strchr(serial, '#');
	/* Zeroed: purl_decoded_matches() unescapes ref again, and clang's analyzer cannot tell that
	 * unescape()'s look-ahead (s[1], s[2]) stops at the terminator of what the first pass wrote. */
	char ref[4096] = "";
	if (!slash || !hash || hash < slash || !hash[1] || !unescape(hash + 1, ref, sizeof(ref)))
		return false;
	if (!bomref_matches(hash + 1, c) && !bomref_matches(ref, c) && !purl_decoded_matches(ref, c->purl))
		return false;
	/* a stored CycloneDX SBOM has a serial number: the link must be to that document */
	if (s && s->serial) {
		const char *own = !strncmp(s->serial, "urn:uuid:", 9) ? s->serial + 9 : s->serial;
		if (strlen(own) != (size_t)(slash - serial) || strncasecmp(own, serial, (size_t)(slash - serial)) != 0)
			return false;
	}
	return true;
}

static bool target_matches(const char *t, const bh_sbom *s, const bh_component *c)
{
	if (!strncmp(t, "urn:cdx:", 8))
		return bomlink_matches(t, s, c);
	if (!strncmp(t, "pkg:", 4))
		return purl_matches(t, c->purl);
	return bomref_matches(t, c); /* a plain bom-ref (CycloneDX VEX inside the same BOM) */
}

static bool has_digest(const bh_sbom *s, const char *d)
{
	size_t i, n = strlen(d);
	if ((s->image_id && !strcmp(s->image_id, d)) || (s->manifest_digest && !strcmp(s->manifest_digest, d)))
		return true;
	for (i = 0; i < s->nrepo_digests; i++) {
		const char *at = strrchr(s->repo_digests[i], '@');
		if (at && strlen(at + 1) == n && !strcmp(at + 1, d))
			return true;
	}
	return false;
}

/* The image's repository name (last path segment) is name: "debian" for docker.io/library/debian:12
 * or pkg:oci/debian. True when s names no repository at all (nothing to check against). */
static bool image_named(const bh_sbom *s, const char *name)
{
	const char *refs[66];
	size_t n = 0, i;
	if (strchr(name, '/'))
		name = strrchr(name, '/') + 1; /* pkg:docker/library/debian */
	if (s->name)
		refs[n++] = s->name;
	for (i = 0; i < s->nrepo_tags && n < 65; i++)
		refs[n++] = s->repo_tags[i];
	for (i = 0; i < s->nrepo_digests && n < 66; i++)
		refs[n++] = s->repo_digests[i];
	if (!s->nrepo_tags && !s->nrepo_digests)
		return true; /* a tar or directory: the name is a file name, not a repository */
	for (i = 0; i < n; i++) {
		const char *base = strrchr(refs[i], '/') ? strrchr(refs[i], '/') + 1 : refs[i];
		size_t bl = strcspn(base, ":@");
		if (bl == strlen(name) && !strncmp(base, name, bl))
			return true;
	}
	return false;
}

/* An OpenVEX product holds c: the scanned image (pkg:oci / pkg:docker, checked by digest when s
 * knows the image's digests), or a component of s found in the same file as c (a Go binary's main
 * module, a war). */
static bool product_holds(const char *prod, const bh_sbom *s, const bh_component *c)
{
	size_t i;
	if (!s)
		return true;
	if (!strncmp(prod, "pkg:oci/", 8) || !strncmp(prod, "pkg:docker/", 11)) {
		const char *at = strchr(prod, '@'), *nm = prod + (prod[4] == 'o' ? 8 : 11);
		char d[256], want[256];
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(nm, "@?#"), nm);
		if (!unescape(want, want, sizeof(want)) || !image_named(s, want))
			return false;
		if (!at)
			return true;
		snprintf(d, sizeof(d), "%.*s", (int)strcspn(at + 1, "?#"), at + 1);
		if (!unescape(d, d, sizeof(d)))
			return false;
		if (!s->manifest_digest && !s->nrepo_digests && !has_digest(s, d))
			return true; /* nothing to check against (a docker save tar without repo digests) */
		return has_digest(s, d);
	}
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *p = s->comps.items[i];
		size_t n;
		if (!purl_matches(prod, p->purl) || !p->path || !c->path)
			continue;
		n = strlen(p->path);
		if (!strcmp(p->path, c->path) || (!strncmp(c->path, p->path, n) && !strncmp(c->path + n, "!/", 2)))
			return true;
	}
	return false;
}

const bh_ignore_rule *bh_ignore_match_sbom(const bh_ignores *ig, const bh_sbom *s, const char *id, const char *aliases,
					   const bh_component *c, time_t now)
{
	size_t i, k;
	for (i = 0; ig && i < ig->n; i++) {
		const bh_ignore_rule *r = &ig->rules[i];
		bool ok;
		if (r->expires && now > r->expires)
			continue;
		if (!id_matches(r->id, id, aliases))
			continue;
		ok = r->npurls == 0;
		for (k = 0; !ok && k < r->npurls; k++)
			ok = c && target_matches(r->purls[k], s, c);
		if (!ok)
			continue;
		ok = r->nproducts == 0;
		for (k = 0; !ok && k < r->nproducts; k++)
			ok = c && product_holds(r->products[k], s, c);
		if (!ok)
			continue;
		ok = r->npaths == 0;
		for (k = 0; !ok && k < r->npaths; k++)
			ok = c && c->path && bh_str_startswith(c->path, r->paths[k]);
		if (ok)
			return r;
	}
	return NULL;
}

const bh_ignore_rule *bh_ignore_match(const bh_ignores *ig, const char *id, const char *aliases,
				      const bh_component *c, time_t now)
{
	return bh_ignore_match_sbom(ig, NULL, id, aliases, c, now);
}

void bh_ignore_free(bh_ignores *ig)
{
	size_t i, k;
	for (i = 0; i < ig->n; i++) {
		bh_ignore_rule *r = &ig->rules[i];
		for (k = 0; k < r->npurls; k++)
			free(r->purls[k]);
		for (k = 0; k < r->npaths; k++)
			free(r->paths[k]);
		for (k = 0; k < r->nproducts; k++)
			free(r->products[k]);
		free(r->products);
		free(r->purls);
		free(r->paths);
		free(r->id);
		free(r->reason);
		free(r->origin);
	}
	free(ig->rules);
	ig->rules = NULL;
	ig->n = 0;
}

static char *dup_or_null(const char *s, bool *bad)
{
	char *d = s ? bh_strdup(s) : NULL;
	if (s && !d)
		*bad = true;
	return d;
}

int bh_suppressions_add(bh_suppressions *l, bool check, const char *id, const char *package, const char *version,
			const char *path, bh_severity severity, const char *reason, const char *origin)
{
	bh_suppressed *grown, *x;
	size_t cnt;
	bool bad = false;
	if (!bh_size_add(l->n, 1, &cnt) || cnt > SIZE_MAX / sizeof(*grown) || !(grown = realloc(l->items, cnt * sizeof(*grown))))
		return BH_ENOMEM;
	l->items = grown;
	x = &grown[l->n];
	memset(x, 0, sizeof(*x));
	x->check = check;
	x->severity = severity;
	x->id = dup_or_null(id, &bad);
	x->package = dup_or_null(package, &bad);
	x->version = dup_or_null(version, &bad);
	x->path = dup_or_null(path, &bad);
	x->reason = dup_or_null(reason, &bad);
	x->origin = dup_or_null(origin, &bad);
	l->n++; /* counted even when a copy failed, so bh_suppressions_free frees what was made */
	return bad ? BH_ENOMEM : 0;
}

void bh_suppressions_free(bh_suppressions *l)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		bh_suppressed *x = &l->items[i];
		free(x->id); free(x->package); free(x->version); free(x->path); free(x->reason); free(x->origin);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
