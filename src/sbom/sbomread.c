/* sbomread.c - SBOM documents back into components (bulkhead JSON, CycloneDX 1.x, SPDX 2.x). */
#include "sbom/sbomread.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "sbom/purl.h"

static int slurp(const char *path, uint64_t max, bh_buf *b, bh_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return bh_error_set(err, BH_ENOTFOUND, "%s: cannot open", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return bh_error_set(err, BH_ELIMIT, "%s: not a regular file or larger than %llu bytes", path, (unsigned long long)max);
	}
	for (;;) {
		ssize_t r;
		if (bh_buf_grow(b, 65536)) {
			close(fd);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		r = read(fd, b->data + b->len, 65536);
		if (r <= 0)
			break;
		b->len += (size_t)r;
		if (b->len > max)
			break;
	}
	close(fd);
	if (b->data)
		b->data[b->len] = '\0';
	return 0;
}

bool bh_sbom_is_document(const char *path)
{
	char head[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n <= 0)
		return false;
	head[n] = '\0';
	return head[strspn(head, " \t\r\n")] == '{' &&
	       (strstr(head, "\"bomFormat\"") || strstr(head, "\"spdxVersion\"") || strstr(head, "bulkhead-sbom/"));
}

static int set(char **dst, const char *v)
{
	return v ? bh_component_set(dst, v, (size_t)-1) : 0;
}

/* "debian-12.5" -> family debian, version 12.5; apk writes only "3.18.4". */
static int os_from_distro(bh_sbom *s, bh_ecosystem eco, const char *distro)
{
	const char *dash;
	if (!distro || s->osinfo.family)
		return 0;
	if (eco == BH_ECO_APK)
		return set(&s->osinfo.family, "alpine") || set(&s->osinfo.version, distro) ? BH_ENOMEM : 0;
	dash = strchr(distro, '-');
	if (!dash)
		return 0;
	if (bh_component_set(&s->osinfo.family, distro, (size_t)(dash - distro)) || set(&s->osinfo.version, dash + 1))
		return BH_ENOMEM;
	return 0;
}

static const char *cdx_prop(json_t *comp, const char *a, const char *b)
{
	json_t *props = json_object_get(comp, "properties");
	size_t i;
	for (i = 0; i < json_array_size(props); i++) {
		json_t *p = json_array_get(props, i);
		const char *n = bh_json_str(p, "name");
		if (n && ((a && !strcmp(n, a)) || (b && !strcmp(n, b))))
			return bh_json_str(p, "value");
	}
	return NULL;
}

static int add_purl(bh_sbom *s, const char *purl, bh_component **out)
{
	bh_component *c = bh_complist_add(&s->comps, BH_ECO_NONE);
	char *distro = NULL;
	int rc;
	*out = NULL;
	if (!c)
		return BH_ENOMEM;
	rc = bh_purl_parse(purl, c, &distro);
	if (!rc && c->eco != BH_ECO_NONE)
		rc = os_from_distro(s, c->eco, distro);
	free(distro);
	if (rc || c->eco == BH_ECO_NONE || !c->name) {
		bh_complist_remove(&s->comps, s->comps.n - 1);
		return rc == BH_ENOMEM ? rc : 0;
	}
	*out = c;
	return set(&c->purl, purl);
}

static int read_native(json_t *doc, bh_sbom *s)
{
	json_t *comps = json_object_get(doc, "components"), *os = json_object_get(doc, "os");
	size_t i;
	if (set(&s->osinfo.family, bh_json_str(os, "family")) || set(&s->osinfo.version, bh_json_str(os, "version")) ||
	    set(&s->osinfo.codename, bh_json_str(os, "codename")) || set(&s->osinfo.name, bh_json_str(os, "name")) ||
	    set(&s->name, bh_json_str(json_object_get(doc, "target"), "name")) ||
	    set(&s->image_id, bh_json_str(json_object_get(doc, "target"), "image_id")))
		return BH_ENOMEM;
	for (i = 0; i < json_array_size(comps); i++) {
		json_t *j = json_array_get(comps, i), *lic = json_object_get(j, "licenses");
		const char *purl = bh_json_str(j, "purl");
		bh_component *c;
		if (!purl)
			continue;
		if (add_purl(s, purl, &c))
			return BH_ENOMEM;
		if (!c)
			continue;
		/* fields written by bulkhead win over what the purl encodes */
		if (set(&c->name, bh_json_str(j, "name")) || set(&c->version, bh_json_str(j, "version")) ||
		    set(&c->src_name, bh_json_str(j, "source_name")) || set(&c->src_version, bh_json_str(j, "source_version")) ||
		    set(&c->path, bh_json_str(j, "path")) || set(&c->license, json_string_value(json_array_get(lic, 0))))
			return BH_ENOMEM;
		if (json_is_integer(json_object_get(j, "layer")))
			c->layer = (int)json_integer_value(json_object_get(j, "layer"));
	}
	return 0;
}

static int read_cdx(json_t *doc, bh_sbom *s)
{
	json_t *comps = json_object_get(doc, "components"), *meta = json_object_get(json_object_get(doc, "metadata"), "component");
	size_t i;
	if (set(&s->name, bh_json_str(meta, "name")))
		return BH_ENOMEM;
	for (i = 0; i < json_array_size(comps); i++) {
		json_t *j = json_array_get(comps, i);
		const char *type = bh_json_str(j, "type"), *purl = bh_json_str(j, "purl");
		bh_component *c;
		if (type && !strcmp(type, "operating-system")) {
			if (!s->osinfo.family && (set(&s->osinfo.family, bh_json_str(j, "name")) || set(&s->osinfo.version, bh_json_str(j, "version"))))
				return BH_ENOMEM;
			continue;
		}
		if (!purl)
			continue;
		if (add_purl(s, purl, &c))
			return BH_ENOMEM;
		if (!c)
			continue;
		/* bulkhead's own properties, and Trivy's, carry the distro source package */
		if (set(&c->src_name, cdx_prop(j, "bulkhead:package:src_name", "aquasecurity:trivy:SrcName")) ||
		    set(&c->src_version, cdx_prop(j, "bulkhead:package:src_version", "aquasecurity:trivy:SrcVersion")) ||
		    set(&c->path, cdx_prop(j, "bulkhead:package:path", "aquasecurity:trivy:FilePath")))
			return BH_ENOMEM;
	}
	return 0;
}

static int read_spdx(json_t *doc, bh_sbom *s)
{
	json_t *pkgs = json_object_get(doc, "packages");
	size_t i, k;
	if (set(&s->name, bh_json_str(doc, "name")))
		return BH_ENOMEM;
	for (i = 0; i < json_array_size(pkgs); i++) {
		json_t *p = json_array_get(pkgs, i), *refs = json_object_get(p, "externalRefs");
		const char *purpose = bh_json_str(p, "primaryPackagePurpose");
		if (purpose && !strcmp(purpose, "OPERATING-SYSTEM")) {
			if (!s->osinfo.family && (set(&s->osinfo.family, bh_json_str(p, "name")) || set(&s->osinfo.version, bh_json_str(p, "versionInfo"))))
				return BH_ENOMEM;
			continue;
		}
		for (k = 0; k < json_array_size(refs); k++) {
			json_t *r = json_array_get(refs, k);
			const char *t = bh_json_str(r, "referenceType"), *loc = bh_json_str(r, "referenceLocator");
			bh_component *c;
			if (t && loc && !strcmp(t, "purl")) {
				if (add_purl(s, loc, &c))
					return BH_ENOMEM;
				break;
			}
		}
	}
	return 0;
}

int bh_sbom_read(const char *path, const bh_limits *lim, bh_sbom *s, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	json_t *doc = NULL;
	const char *schema;
	int rc;

	if ((rc = slurp(path, lim->max_file_read, &b, err)))
		goto out;
	if ((rc = bh_json_load(b.data ? b.data : "", b.len, lim->max_json_depth, path, &doc, err)))
		goto out;
	schema = bh_json_str(doc, "schema");
	if (set(&s->input, path)) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto out;
	}
	if (schema && !strncmp(schema, "bulkhead-sbom/", 14)) {
		rc = set(&s->kind, "sbom") || read_native(doc, s);
	} else if (bh_json_str(doc, "bomFormat") && !strcmp(bh_json_str(doc, "bomFormat"), "CycloneDX")) {
		rc = set(&s->kind, "sbom-cyclonedx") || read_cdx(doc, s);
	} else if (bh_json_str(doc, "spdxVersion")) {
		rc = set(&s->kind, "sbom-spdx") || read_spdx(doc, s);
	} else {
		rc = bh_error_set(err, BH_EINVAL, "%s: not a bulkhead, CycloneDX or SPDX JSON document", path);
		goto out;
	}
	if (rc)
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
out:
	if (doc)
		json_decref(doc);
	bh_buf_free(&b);
	return rc;
}
