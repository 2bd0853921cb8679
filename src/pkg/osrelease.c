/* osrelease.c - which distribution and release a target is (os-release, debian_version, alpine-release). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode;
	if (size > 65536)
		return false;
	return (len == 14 && memcmp(path, "etc/os-release", 14) == 0) ||
	       (len == 18 && memcmp(path, "usr/lib/os-release", 18) == 0) ||
	       (len == 18 && memcmp(path, "etc/debian_version", 18) == 0) ||
	       (len == 17 && memcmp(path, "etc/alpine-release", 17) == 0);
}

/* Value of KEY=value with optional quotes; NULL if absent. */
static int get(const char *data, size_t len, const char *key, char **out)
{
	bh_lines it;
	const char *line;
	size_t n, kl = strlen(key);
	*out = NULL;
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *v;
		size_t vl;
		if (n <= kl || memcmp(line, key, kl) != 0 || line[kl] != '=')
			continue;
		v = line + kl + 1;
		vl = n - kl - 1;
		bh_trim(&v, &vl);
		if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
			v++;
			vl -= 2;
		}
		*out = bh_strndup(v, vl);
		return *out ? 0 : BH_ENOMEM;
	}
	return 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len;
	bh_component *c;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	if (bh_str_endswith(f->path, "os-release")) {
		char *id = NULL, *ver = NULL, *cn = NULL, *pn = NULL;
		if ((rc = get((const char *)data, len, "ID", &id)) || (rc = get((const char *)data, len, "VERSION_ID", &ver)) ||
		    (rc = get((const char *)data, len, "VERSION_CODENAME", &cn)) ||
		    (rc = get((const char *)data, len, "PRETTY_NAME", &pn)))
			goto done;
		if (!id)
			goto done;
		c = bh_complist_add(out, BH_ECO_OS);
		if (!c || bh_component_set(&c->name, id, (size_t)-1) || bh_component_set(&c->version, ver, (size_t)-1) ||
		    bh_component_prop(c, "os.codename", cn) || bh_component_prop(c, "os.pretty_name", pn))
			rc = BH_ENOMEM;
done:
		free(id); free(ver); free(cn); free(pn);
		return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
	} else {
		/* debian_version / alpine-release: a point release such as "12.5" or "3.18.4". */
		const char *v = (const char *)data;
		size_t vl = len, i;
		bh_trim(&v, &vl);
		for (i = 0; i < vl; i++)
			if (!isdigit((unsigned char)v[i]) && v[i] != '.')
				return 0; /* "trixie/sid" and friends say nothing precise */
		if (!vl || vl > 32)
			return 0;
		c = bh_complist_add(out, BH_ECO_OS);
		if (!c || bh_component_set(&c->name, strstr(f->path, "alpine") ? "alpine" : "debian", (size_t)-1) ||
		    bh_component_set(&c->version, v, vl) || bh_component_prop(c, "os.refine", "1"))
			return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	}
	return 0;
}

const bh_analyzer bh_analyzer_osrelease = { "os-release", match, analyze, NULL };
