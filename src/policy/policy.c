/* policy.c - reads bulkhead.yaml and checks an inventory against it. */
#include "policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/json.h"
#include "core/severity.h"
#include "core/yaml.h"

void bh_policy_free(bh_policy *p)
{
	size_t i;
	free(p->origin);
	bh_strv_free(p->registries, p->nregistries);
	bh_strv_free(p->deny_packages, p->ndeny_packages);
	bh_strv_free(p->allow_licenses, p->nallow_licenses);
	bh_strv_free(p->deny_licenses, p->ndeny_licenses);
	bh_strv_free(p->deny_license_classes, p->ndeny_license_classes);
	bh_strv_free(p->require_labels, p->nrequire_labels);
	bh_strv_free(p->disable, p->ndisable);
	for (i = 0; i < p->nexceptions; i++) {
		free(p->exceptions[i].rule);
		bh_strv_free(p->exceptions[i].paths, p->exceptions[i].npaths);
		free(p->exceptions[i].reason);
	}
	free(p->exceptions);
	json_decref(p->secret_rules);
	memset(p, 0, sizeof(*p));
}

/* Every key of obj must be one of allowed (a NULL-terminated list). */
static int known_keys(const json_t *obj, const char *const *allowed, const char *where, const char *path, bh_error *err)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
			;
		if (!allowed[i])
			return bh_error_set(err, BH_EINVAL, "%s: unknown key \"%.100s\" in %s", path, k, where);
	}
	return 0;
}

/* A list of strings (a single string is taken as a list of one). */
static int strlist(const json_t *v, const char *key, const char *path, char ***out, size_t *n, bh_error *err)
{
	size_t i;
	if (!v)
		return 0;
	if (json_is_string(v))
		return bh_strv_push(out, n, json_string_value(v)) ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
	if (!json_is_array(v))
		return bh_error_set(err, BH_EINVAL, "%s: %s must be a list of strings", path, key);
	for (i = 0; i < json_array_size(v); i++) {
		const char *s = json_string_value(json_array_get(v, i));
		if (!s)
			return bh_error_set(err, BH_EINVAL, "%s: %s[%zu] must be a string", path, key, i);
		if (bh_strv_push(out, n, s))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_int(const json_t *v, const char *key, const char *path, int lo, int hi, int *out, bh_error *err)
{
	const char *s = json_string_value(v);
	char *end;
	long x;
	if (!v)
		return 0;
	if (json_is_integer(v)) {
		x = (long)json_integer_value(v);
	} else {
		if (!s || !*s)
			return bh_error_set(err, BH_EINVAL, "%s: %s must be a number", path, key);
		errno = 0;
		x = strtol(s, &end, 10);
		if (errno || *end)
			return bh_error_set(err, BH_EINVAL, "%s: %s must be a number, not \"%.40s\"", path, key, s);
	}
	if (x < lo || x > hi)
		return bh_error_set(err, BH_EINVAL, "%s: %s must be between %d and %d", path, key, lo, hi);
	*out = (int)x;
	return 0;
}

static int parse_bool(const json_t *v, const char *key, const char *path, bool *out, bh_error *err)
{
	const char *s = json_string_value(v);
	if (!v)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
		*out = false;
		return 0;
	}
	return bh_error_set(err, BH_EINVAL, "%s: %s must be true or false", path, key);
}

static int parse_severity(const char *s, const char *key, const char *path, bh_severity *out, bh_error *err)
{
	bh_severity v = bh_severity_parse(s);
	if (v == BH_SEV_UNKNOWN && (!s || strcasecmp(s, "unknown") != 0))
		return bh_error_set(err, BH_EINVAL, "%s: %s: \"%.40s\" is not a severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)",
				    path, key, s ? s : "");
	*out = v;
	return 0;
}

static int parse_date(const char *s, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 23;
	tm.tm_min = 59;
	tm.tm_sec = 59;
	*out = timegm(&tm);
	return 0;
}

static int load_doc(const json_t *doc, const char *path, bh_policy *p, bh_error *err)
{
	static const char *const top[] = { "version", "severity", "fail-on", "exit-code", "ignore-unfixed", "include-informational", "registries",
					   "packages", "licenses", "labels", "checks", "secrets", NULL };
	static const char *const k_reg[] = { "allow", NULL }, *const k_pkg[] = { "deny", NULL };
	static const char *const k_lic[] = { "allow", "deny", "deny-classes", NULL }, *const k_lab[] = { "require", NULL };
	static const char *const k_chk[] = { "disable", "exceptions", "max-image-age-days", NULL };
	static const char *const k_exc[] = { "rule", "paths", "expires", "reason", NULL }, *const k_sec[] = { "rules", NULL };
	const json_t *v, *sec;
	int rc;
	size_t i;

	if (!json_is_object(doc))
		return bh_error_set(err, BH_EINVAL, "%s: the policy must be a mapping", path);
	if ((rc = known_keys(doc, top, "the policy", path, err)))
		return rc;
	if ((v = json_object_get(doc, "version")) && strcmp(json_string_value(v) ? json_string_value(v) : "", "1") != 0 &&
	    !(json_is_integer(v) && json_integer_value(v) == 1))
		return bh_error_set(err, BH_EINVAL, "%s: version must be 1", path);
	if ((v = json_object_get(doc, "severity"))) {
		char **l = NULL;
		size_t n = 0;
		if ((rc = strlist(v, "severity", path, &l, &n, err))) {
			bh_strv_free(l, n);
			return rc;
		}
		for (i = 0; i < n; i++) {
			bh_severity s = BH_SEV_UNKNOWN;
			if ((rc = parse_severity(l[i], "severity", path, &s, err))) {
				bh_strv_free(l, n);
				return rc;
			}
			p->severities |= 1u << s;
		}
		bh_strv_free(l, n);
	}
	if ((v = json_object_get(doc, "fail-on"))) {
		bh_severity s = BH_SEV_UNKNOWN;
		if ((rc = parse_severity(json_string_value(v), "fail-on", path, &s, err)))
			return rc;
		p->fail_on = (int)s;
	}
	if ((rc = parse_int(json_object_get(doc, "exit-code"), "exit-code", path, 0, 255, &p->exit_code, err)) ||
	    (rc = parse_bool(json_object_get(doc, "ignore-unfixed"), "ignore-unfixed", path, &p->ignore_unfixed, err)) ||
	    (rc = parse_bool(json_object_get(doc, "include-informational"), "include-informational", path, &p->include_informational, err)))
		return rc;
	if ((v = json_object_get(doc, "registries")) &&
	    ((rc = known_keys(v, k_reg, "registries", path, err)) ||
	     (rc = strlist(json_object_get(v, "allow"), "registries.allow", path, &p->registries, &p->nregistries, err))))
		return rc;
	if ((v = json_object_get(doc, "packages")) &&
	    ((rc = known_keys(v, k_pkg, "packages", path, err)) ||
	     (rc = strlist(json_object_get(v, "deny"), "packages.deny", path, &p->deny_packages, &p->ndeny_packages, err))))
		return rc;
	if ((v = json_object_get(doc, "licenses")) &&
	    ((rc = known_keys(v, k_lic, "licenses", path, err)) ||
	     (rc = strlist(json_object_get(v, "allow"), "licenses.allow", path, &p->allow_licenses, &p->nallow_licenses, err)) ||
	     (rc = strlist(json_object_get(v, "deny"), "licenses.deny", path, &p->deny_licenses, &p->ndeny_licenses, err)) ||
	     (rc = strlist(json_object_get(v, "deny-classes"), "licenses.deny-classes", path, &p->deny_license_classes,
			   &p->ndeny_license_classes, err))))
		return rc;
	if ((v = json_object_get(doc, "labels")) &&
	    ((rc = known_keys(v, k_lab, "labels", path, err)) ||
	     (rc = strlist(json_object_get(v, "require"), "labels.require", path, &p->require_labels, &p->nrequire_labels, err))))
		return rc;
	if ((v = json_object_get(doc, "checks"))) {
		const json_t *ex = json_object_get(v, "exceptions");
		if ((rc = known_keys(v, k_chk, "checks", path, err)) ||
		    (rc = strlist(json_object_get(v, "disable"), "checks.disable", path, &p->disable, &p->ndisable, err)) ||
		    (rc = parse_int(json_object_get(v, "max-image-age-days"), "checks.max-image-age-days", path, 0, 100000,
				    &p->max_image_age_days, err)))
			return rc;
		if (ex && !json_is_array(ex))
			return bh_error_set(err, BH_EINVAL, "%s: checks.exceptions must be a list", path);
		if (json_array_size(ex) && !(p->exceptions = calloc(json_array_size(ex), sizeof(*p->exceptions))))
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		for (i = 0; i < json_array_size(ex); i++) {
			const json_t *e = json_array_get(ex, i);
			bh_policy_exception *x = &p->exceptions[p->nexceptions];
			const char *exp = json_string_value(json_object_get(e, "expires"));
			if (!json_is_object(e))
				return bh_error_set(err, BH_EINVAL, "%s: checks.exceptions[%zu] must be a mapping", path, i);
			if ((rc = known_keys(e, k_exc, "checks.exceptions", path, err)))
				return rc;
			p->nexceptions++;
			if (json_string_value(json_object_get(e, "rule")) && !(x->rule = bh_strdup(json_string_value(json_object_get(e, "rule")))))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			if (json_string_value(json_object_get(e, "reason")) &&
			    !(x->reason = bh_strdup(json_string_value(json_object_get(e, "reason")))))
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			if ((rc = strlist(json_object_get(e, "paths"), "checks.exceptions.paths", path, &x->paths, &x->npaths, err)))
				return rc;
			if (exp && parse_date(exp, &x->expires))
				return bh_error_set(err, BH_EINVAL, "%s: checks.exceptions[%zu].expires must be YYYY-MM-DD", path, i);
			if (!x->rule && !x->npaths)
				return bh_error_set(err, BH_EINVAL, "%s: checks.exceptions[%zu] needs a rule or paths", path, i);
		}
	}
	if ((sec = json_object_get(doc, "secrets"))) {
		const json_t *r = json_object_get(sec, "rules");
		if ((rc = known_keys(sec, k_sec, "secrets", path, err)))
			return rc;
		if (r && !json_is_array(r))
			return bh_error_set(err, BH_EINVAL, "%s: secrets.rules must be a list", path);
		if (r)
			p->secret_rules = json_incref((json_t *)r);
	}
	return 0;
}

int bh_policy_parse(const char *data, size_t len, const char *label, const bh_limits *lim, bh_policy *out, bh_error *err)
{
	json_t *doc = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	out->fail_on = -1;
	out->max_image_age_days = -1;
	if (len > lim->max_meta_size)
		return bh_error_set(err, BH_ELIMIT, "%s: larger than the max-meta-size limit", label);
	if (!(out->origin = bh_strdup(label)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = bh_yaml_load(data, len, lim->max_json_depth, label, &doc, err);
	if (!rc)
		rc = load_doc(doc, label, out, err);
	json_decref(doc);
	if (rc)
		bh_policy_free(out);
	return rc;
}

int bh_policy_load(const char *path, const bh_limits *lim, bh_policy *out, bh_error *err)
{
	char *data;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = bh_file_read_all(path, lim->max_meta_size, "policy file (the max-meta-size limit)", &data, &len, err)))
		return rc;
	rc = bh_policy_parse(data, len, path, lim, out, err);
	free(data);
	return rc;
}

bool bh_policy_suppressed(const bh_policy *p, const char *rule, const char *path, time_t now)
{
	size_t i, j;
	if (!p)
		return false;
	for (i = 0; i < p->ndisable; i++)
		if (rule && !strcmp(p->disable[i], rule))
			return true;
	for (i = 0; i < p->nexceptions; i++) {
		const bh_policy_exception *x = &p->exceptions[i];
		if (x->expires && now > x->expires)
			continue;
		if (x->rule && (!rule || strcmp(x->rule, rule) != 0))
			continue;
		if (!x->npaths)
			return true;
		for (j = 0; j < x->npaths; j++)
			if (path && !strncmp(path, x->paths[j], strlen(x->paths[j])))
				return true;
	}
	return false;
}

static int add(bh_checks *out, const char *rule, const char *cis, bh_severity sev, const char *target, const char *path,
	       const char *title, const char *detail, const char *why, const char *fix)
{
	bh_check_finding f = { 0 };
	f.rule = rule;
	f.cis = cis;
	f.category = "policy";
	f.severity = sev;
	f.target = target;
	f.path = path;
	f.title = title;
	f.detail = detail;
	f.why = why;
	f.fix = fix;
	return bh_checks_add(out, &f);
}

/* "docker.io/library/nginx" also matches what people write ("nginx", "library/nginx"). */
static void canonical_ref(const char *ref, char *out, size_t n)
{
	const char *slash = strchr(ref, '/');
	bool has_registry = slash && (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
				      !strncmp(ref, "localhost/", 10));
	if (has_registry)
		snprintf(out, n, "%s", ref);
	else if (slash)
		snprintf(out, n, "docker.io/%s", ref);
	else
		snprintf(out, n, "docker.io/library/%s", ref);
}

static bool prefix_match(const char *ref, const char *allow)
{
	size_t n = strlen(allow);
	if (strncmp(ref, allow, n) != 0)
		return false;
	/* "registry.example.com" must not admit "registry.example.com.evil.io" */
	return allow[n - 1] == '/' || ref[n] == '/' || ref[n] == ':' || ref[n] == '@' || ref[n] == '\0';
}

int bh_policy_check_image(const bh_policy *p, const bh_sbom *s, bh_checks *out, bh_error *err)
{
	const char *target = s->name ? s->name : s->input;
	char detail[1200];
	size_t i, j;
	int rc = 0;

	/* CIS 4.2: images come only from the registries the policy trusts. */
	if (p->nregistries && s->kind && strcmp(s->kind, "dir") != 0 && strcmp(s->kind, "sbom") != 0) {
		const char *refs[64];
		size_t nrefs = 0;
		bool ok = false;
		for (i = 0; i < s->nrepo_tags && nrefs < 64; i++)
			refs[nrefs++] = s->repo_tags[i];
		for (i = 0; i < s->nrepo_digests && nrefs < 64; i++)
			refs[nrefs++] = s->repo_digests[i];
		for (i = 0; i < nrefs && !ok; i++) {
			char c[1024];
			canonical_ref(refs[i], c, sizeof(c));
			for (j = 0; j < p->nregistries && !ok; j++)
				ok = prefix_match(c, p->registries[j]) || prefix_match(refs[i], p->registries[j]);
		}
		if (!ok) {
			snprintf(detail, sizeof(detail), "%s%s is not from a permitted registry (%s%s)", nrefs ? "image " : "image has no reference; ",
				 nrefs ? refs[0] : "", p->registries[0], p->nregistries > 1 ? ", ..." : "");
			rc |= add(out, "BH-POL-001", "4.2", BH_SEV_HIGH, target, NULL, "Image from a registry the policy does not permit",
				  detail, "Images from unvetted sources can carry anything; the policy lists where images may come from.",
				  "Rebuild or mirror the image into a permitted registry, or add the registry to registries.allow.");
		}
	}
	/* Denied packages, by name or purl prefix. */
	for (i = 0; i < s->comps.n && p->ndeny_packages; i++) {
		const bh_component *c = s->comps.items[i];
		for (j = 0; j < p->ndeny_packages; j++) {
			const char *d = p->deny_packages[j];
			bool hit = !strncmp(d, "pkg:", 4) ? (c->purl && !strncmp(c->purl, d, strlen(d)) &&
							     (c->purl[strlen(d)] == '@' || c->purl[strlen(d)] == '\0' || c->purl[strlen(d)] == '?'))
							  : (c->name && !strcmp(c->name, d));
			if (!hit)
				continue;
			snprintf(detail, sizeof(detail), "%s %s (%s) denied by \"%s\"", c->name, c->version ? c->version : "",
				 c->purl ? c->purl : bh_ecosystem_name(c->eco), d);
			rc |= add(out, "BH-POL-002", "4.3", BH_SEV_HIGH, target, c->path, "Package denied by the policy", detail,
				  "The policy forbids this package in images.", "Remove the package from the image.");
			break;
		}
	}
	/* Required labels (ownership, source repository, ...). */
	for (i = 0; i < p->nrequire_labels && s->config; i++) {
		const json_t *labels = json_object_get(json_object_get(s->config, "config"), "Labels");
		const char *v = json_string_value(json_object_get(labels, p->require_labels[i]));
		if (v && *v)
			continue;
		snprintf(detail, sizeof(detail), "label \"%s\" is missing", p->require_labels[i]);
		rc |= add(out, "BH-POL-003", NULL, BH_SEV_MEDIUM, target, NULL, "Required image label missing", detail,
			  "The policy needs this label to trace the image to its owner and source.",
			  "Add LABEL <name>=<value> to the Dockerfile (OCI annotations: org.opencontainers.image.*).");
	}
	return rc ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
}
