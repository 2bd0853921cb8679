/* spdxyaml.c - SPDX 2.x YAML into the SPDX 2.3 JSON shape, through the bounded YAML loader. */
#include "sbom/spdxyaml.h"

#include <string.h>
#include <strings.h>

#include "core/yaml.h"

/* A document string as it may be shown in a message: at most 60 bytes, control characters as '?'. */
static const char *shown(const char *s, char *out, size_t outn)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < outn && i < 60; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
}

/* The line s[0..n) starts with key, then ':' (the closing quote of a quoted key before it). */
static bool is_key(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key);
	if (n <= k || memcmp(s, key, k) != 0)
		return false;
	if (s[k] == '"' || s[k] == '\'')
		k++;
	return k < n && s[k] == ':';
}

bool bh_spdxyaml_sniff(const char *data, size_t len)
{
	size_t pos = 0;
	bool first = true, key = false;
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *e = nl ? nl : data + len, *p = s;
		size_t n;
		pos = (size_t)(e - data) + 1;
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == e || *p == '#' || (p == s && e - s >= 3 && !memcmp(s, "---", 3)) || (p == s && *s == '%'))
			continue;
		if (first && (*p == '{' || *p == '['))
			return false; /* flow style: JSON, read as JSON */
		first = false;
		if (p != s)
			continue; /* nested keys */
		if (e - s >= 12 && !memcmp(s, "SPDXVersion:", 12))
			return false; /* tag-value, whose "SPDXID: ..." lines read as YAML too */
		if (*s == '"' || *s == '\'')
			s++;
		n = (size_t)(e - s);
		if (is_key(s, n, "spdxVersion") || is_key(s, n, "SPDXID"))
			key = true;
	}
	return key;
}

int bh_spdxyaml_to_json(const char *data, size_t len, const bh_limits *lim, json_t **out, bh_error *err)
{
	json_t *doc = NULL, *pkgs, *p;
	const char *ver;
	char b[64];
	size_t i;
	int rc;

	*out = NULL;
	if (len > lim->max_meta_size)
		return bh_error_set(err, BH_ELIMIT, "SPDX YAML document of %zu bytes is over the max-meta-size limit (%llu)", len,
				    (unsigned long long)lim->max_meta_size);
	if ((rc = bh_yaml_load(data, len, lim->max_json_depth, "SPDX YAML", &doc, err)))
		return rc;
	if (!json_is_object(doc)) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX YAML: the document is not a mapping");
		goto fail;
	}
	ver = json_string_value(json_object_get(doc, "spdxVersion"));
	if (!ver) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX YAML: no spdxVersion key (not an SPDX document)");
		goto fail;
	}
	if (strncmp(ver, "SPDX-2.", 7) != 0) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX YAML: only SPDX-2.x YAML documents are read, spdxVersion is \"%s\"", shown(ver, b, sizeof(b)));
		goto fail;
	}
	pkgs = json_object_get(doc, "packages");
	if (!pkgs) {
		if (!(pkgs = json_array()) || json_object_set_new(doc, "packages", pkgs)) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto fail;
		}
	} else if (!json_is_array(pkgs)) {
		rc = bh_error_set(err, BH_EINVAL, "SPDX YAML: packages is not a list");
		goto fail;
	}
	if (lim->max_components && json_array_size(pkgs) > lim->max_components) {
		rc = bh_error_set(err, BH_ELIMIT, "SPDX YAML: %zu packages, more than %llu (max-components limit)", json_array_size(pkgs),
				  (unsigned long long)lim->max_components);
		goto fail;
	}
	json_array_foreach(pkgs, i, p) {
		const char *fa = json_string_value(json_object_get(p, "filesAnalyzed"));
		if (!json_is_object(p)) {
			rc = bh_error_set(err, BH_EINVAL, "SPDX YAML: package %zu is not a mapping", i + 1);
			goto fail;
		}
		if (fa && (!strcasecmp(fa, "true") || !strcasecmp(fa, "false")) &&
		    json_object_set_new(p, "filesAnalyzed", json_boolean(!strcasecmp(fa, "true")))) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			goto fail;
		}
	}
	*out = doc;
	return 0;
fail:
	json_decref(doc);
	return rc;
}
