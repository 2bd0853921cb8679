/* dpkg.c - Debian/Ubuntu package database: var/lib/dpkg/status and distroless status.d/ files. */
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	static const char statusd[] = "var/lib/dpkg/status.d/";
	(void)mode; (void)size;
	if (len == 19 && memcmp(path, "var/lib/dpkg/status", 19) == 0)
		return true;
	/* distroless: one file per package, plus .md5sums companions that are not paragraphs */
	return len > sizeof(statusd) - 1 && memcmp(path, statusd, sizeof(statusd) - 1) == 0 &&
	       !memchr(path + sizeof(statusd) - 1, '/', len - (sizeof(statusd) - 1)) &&
	       !bh_mem_endswith(path, len, ".md5sums");
}

struct para {
	const char *pkg, *ver, *arch, *src, *status;
	size_t pkg_n, ver_n, arch_n, src_n, status_n;
};

/* "installed" as the last word of Status; config-files and half-installed packages are not there. */
static bool installed(const struct para *p)
{
	if (!p->status)
		return true; /* distroless status.d files carry no Status field for installed packages */
	return bh_mem_endswith(p->status, p->status_n, " installed");
}

static int emit(const struct para *p, bh_complist *out)
{
	bh_component *c;
	if (!p->pkg || !p->ver || !installed(p))
		return 0;
	c = bh_complist_add(out, BH_ECO_DEB);
	if (!c)
		return BH_ENOMEM;
	if (bh_component_set(&c->name, p->pkg, p->pkg_n) || bh_component_set(&c->version, p->ver, p->ver_n) ||
	    (p->arch && bh_component_set(&c->arch, p->arch, p->arch_n)))
		return BH_ENOMEM;
	if (p->src) {
		/* "Source: name (version)" when the source version differs from the binary one. */
		const char *sp = memchr(p->src, ' ', p->src_n);
		if (sp) {
			const char *v = memchr(sp, '(', p->src_n - (size_t)(sp - p->src));
			const char *e = v ? memchr(v, ')', p->src_n - (size_t)(v - p->src)) : NULL;
			if (bh_component_set(&c->src_name, p->src, (size_t)(sp - p->src)))
				return BH_ENOMEM;
			if (v && e && e > v + 1 && bh_component_set(&c->src_version, v + 1, (size_t)(e - v - 1)))
				return BH_ENOMEM;
		} else if (bh_component_set(&c->src_name, p->src, p->src_n)) {
			return BH_ENOMEM;
		}
	}
	return 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len, n;
	const char *line;
	struct para p;
	bh_lines it;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	memset(&p, 0, sizeof(p));
	bh_lines_init(&it, (const char *)data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *colon, *v;
		size_t klen, vlen;
		if (n == 0) {
			if ((rc = emit(&p, out)))
				return bh_error_set(err, rc, "%s: out of memory", f->path);
			memset(&p, 0, sizeof(p));
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* continuation of a multi-line field */
		colon = memchr(line, ':', n);
		if (!colon)
			continue;
		klen = (size_t)(colon - line);
		v = colon + 1;
		vlen = n - klen - 1;
		bh_trim(&v, &vlen);
#define FIELD(name, ptr, sz) if (klen == sizeof(name) - 1 && memcmp(line, name, klen) == 0) { p.ptr = v; p.sz = vlen; continue; }
		FIELD("Package", pkg, pkg_n)
		FIELD("Version", ver, ver_n)
		FIELD("Architecture", arch, arch_n)
		FIELD("Source", src, src_n)
		FIELD("Status", status, status_n)
#undef FIELD
	}
	if ((rc = emit(&p, out)))
		return bh_error_set(err, rc, "%s: out of memory", f->path);
	return 0;
}

const bh_analyzer bh_analyzer_dpkg = { "dpkg", match, analyze };
