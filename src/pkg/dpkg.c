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

/* Parses whole paragraphs data[0..len); the last one is emitted even without a blank line after it. */
static int parse(bh_file *f, const char *data, size_t len, bh_complist *out, bh_error *err)
{
	size_t n;
	const char *line;
	struct para p;
	bh_lines it;
	int rc;

	memset(&p, 0, sizeof(p));
	bh_lines_init(&it, data, len);
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

/*
 * The status file is streamed: only the paragraphs not yet parsed are held, so memory follows the
 * packages reported (bounded by max-components), not the size of the file (a hostile 200 MB
 * status compresses to a few MB in a layer).
 */
static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	bh_buf pend = BH_BUF_INIT;
	size_t scan = 0;
	int rc = 0;

	for (;;) {
		size_t got, cut = 0, i;
		if (bh_buf_grow(&pend, 256 * 1024)) {
			rc = bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
			break;
		}
		if ((rc = bh_file_read(f, pend.data + pend.len, 256 * 1024, &got, err)))
			break;
		if (!got) {
			rc = parse(f, pend.data ? pend.data : "", pend.len, out, err);
			break;
		}
		pend.len += got;
		/* Everything up to the last blank line is whole paragraphs. */
		for (i = pend.len - 1; i > scan; i--)
			if (pend.data[i] == '\n' && pend.data[i - 1] == '\n') {
				cut = i + 1;
				break;
			}
		if (!cut) {
			if (f->limits && pend.len > f->limits->max_file_read) {
				rc = bh_error_set(err, BH_ELIMIT, "%s: a paragraph longer than the max-file-read limit", f->path);
				break;
			}
			scan = pend.len ? pend.len - 1 : 0;
			continue;
		}
		if ((rc = parse(f, pend.data, cut, out, err)))
			break;
		memmove(pend.data, pend.data + cut, pend.len - cut);
		pend.len -= cut;
		scan = 0;
	}
	bh_buf_free(&pend);
	return rc;
}

const bh_analyzer bh_analyzer_dpkg = { "dpkg", match, analyze, NULL };
