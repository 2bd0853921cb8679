/* dpkgcopyright.c - declared licences of Debian packages from /usr/share/doc/PKG/copyright. */
#include <string.h>

#include "core/buf.h"
#include "pkg/analyzer.h"

#define PREFIX "usr/share/doc/"

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	const char *p;
	(void)mode;
	if (len <= sizeof(PREFIX) - 1 + 10 || size > (4u << 20) || memcmp(path, PREFIX, sizeof(PREFIX) - 1) != 0 ||
	    !bh_mem_endswith(path, len, "/copyright"))
		return false;
	/* exactly usr/share/doc/PKG/copyright */
	p = memchr(path + sizeof(PREFIX) - 1, '/', len - (sizeof(PREFIX) - 1));
	return p && (size_t)(p - path) == len - 10;
}

static bool seen(const bh_buf *b, const char *v, size_t n)
{
	const char *p = b->data;
	while (p && *p) {
		const char *e = strstr(p, " AND ");
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && memcmp(p, v, n) == 0)
			return true;
		if (!e)
			break;
		p = e + 5;
	}
	return false;
}

static int add(bh_buf *b, const char *v, size_t n)
{
	bh_trim(&v, &n);
	if (!n || n > 200 || seen(b, v, n))
		return 0;
	if (b->len && bh_buf_puts(b, " AND "))
		return BH_ENOMEM;
	return bh_buf_append(b, v, n);
}

/*
 * Machine-readable (DEP-5) files name licences in "License:" fields; older free-form files point
 * at /usr/share/common-licenses/NAME. Either way only names are kept, never the licence text.
 */
static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	static const char common[] = "/usr/share/common-licenses/";
	const unsigned char *data;
	const char *line, *pkg;
	size_t len, n, plen;
	bh_buf lic = BH_BUF_INIT;
	bh_lines it;
	bh_component *c;
	int rc, dep5 = 0;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	bh_lines_init(&it, (const char *)data, len);
	while (bh_lines_next(&it, &line, &n)) {
		if (n > 8 && memcmp(line, "License:", 8) == 0) {
			dep5 = 1;
			if ((rc = add(&lic, line + 8, n - 8)))
				goto out;
		}
	}
	if (!dep5) {
		const char *p = (const char *)data, *end = p + len;
		while ((p = memmem(p, (size_t)(end - p), common, sizeof(common) - 1)) != NULL) {
			const char *s = p + sizeof(common) - 1, *e = s;
			while (e < end && (e[0] == '-' || e[0] == '.' || e[0] == '+' || (e[0] >= '0' && e[0] <= '9') ||
					   (e[0] >= 'A' && e[0] <= 'Z') || (e[0] >= 'a' && e[0] <= 'z')))
				e++;
			while (e > s && e[-1] == '.')
				e--;
			if ((rc = add(&lic, s, (size_t)(e - s))))
				goto out;
			p = e;
		}
	}
	if (!lic.len)
		goto out;
	pkg = f->path + sizeof(PREFIX) - 1;
	plen = strlen(pkg) - 10;
	c = bh_complist_add(out, BH_ECO_NONE);
	if (!c || bh_component_set(&c->name, pkg, plen) || bh_component_set(&c->license, lic.data, lic.len) ||
	    bh_component_prop(c, "deb.copyright", "1"))
		rc = BH_ENOMEM;
out:
	bh_buf_free(&lic);
	return rc ? bh_error_set(err, rc, "%s: out of memory", f->path) : 0;
}

const bh_analyzer bh_analyzer_dpkgcopyright = { "dpkg-copyright", match, analyze, NULL };
