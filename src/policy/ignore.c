/* ignore.c - ignore files and VEX documents turned into suppression rules. */
#include "policy/ignore.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "vuln/yaml.h"

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

static int load_yaml(bh_ignores *ig, const char *path, json_t *doc, bh_error *err)
{
	json_t *list = json_object_get(doc, "vulnerabilities");
	size_t i;
	if (!json_is_array(list))
		return bh_error_set(err, BH_EINVAL, "%s: expected a \"vulnerabilities\" list", path);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		const char *id = bh_json_str(e, "id"), *exp = bh_json_str(e, "expires");
		bh_ignore_rule *r;
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

/* OpenVEX: statements[] {vulnerability: {name} | "id", products: [{"@id": purl} | purl], status} */
static int load_openvex(bh_ignores *ig, const char *path, json_t *doc, bh_error *err)
{
	json_t *st = json_object_get(doc, "statements");
	size_t i;
	for (i = 0; i < json_array_size(st); i++) {
		json_t *s = json_array_get(st, i), *v = json_object_get(s, "vulnerability");
		const char *status = bh_json_str(s, "status"), *id = json_is_string(v) ? json_string_value(v) : bh_json_str(v, "name");
		bh_ignore_rule *r;
		if (!status || strcmp(status, "not_affected") != 0 || !id)
			continue;
		if (!(r = add(ig, id, path)))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		r->reason = bh_strdup(bh_json_str(s, "justification") ? bh_json_str(s, "justification") : "not_affected (VEX)");
		if (strings_of(json_object_get(s, "products"), &r->purls, &r->npurls, "@id"))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
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
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return bh_error_set(err, BH_ENOTFOUND, "%s: cannot open", path);
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

const bh_ignore_rule *bh_ignore_match(const bh_ignores *ig, const char *id, const char *aliases,
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
			ok = c && purl_matches(r->purls[k], c->purl);
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

void bh_ignore_free(bh_ignores *ig)
{
	size_t i, k;
	for (i = 0; i < ig->n; i++) {
		bh_ignore_rule *r = &ig->rules[i];
		for (k = 0; k < r->npurls; k++)
			free(r->purls[k]);
		for (k = 0; k < r->npaths; k++)
			free(r->paths[k]);
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
