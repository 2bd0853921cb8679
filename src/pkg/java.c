/* java.c - Java archives (jar/war/ear/jpi/hpi/par): pom.properties, MANIFEST.MF and nested archives, streamed. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "pkg/analyzer.h"
#include "pkg/zipdir.h"

/*
 * The archive is read as a zip *stream* (local headers, no central directory) so it works on tar
 * layers that cannot seek; nested archives are streams over the parent entry's data. Nothing is
 * written to disk and at most one small metadata entry per level is held in memory.
 */

#define JAVA_META_MAX (1u << 20) /* a pom.properties or MANIFEST.MF larger than this is hostile */
#define JAVA_IOBUF 65536
#define JAVA_CD_MAX (64u << 20) /* a bigger central directory goes to libarchive's own reader */

/* ".jar" ".war" ".ear" ".jpi" ".hpi" ".par", any case, with a non-empty name before it. */
static bool java_ext(const char *path, size_t len)
{
	static const char exts[][4] = { { '.', 'j', 'a', 'r' }, { '.', 'w', 'a', 'r' }, { '.', 'e', 'a', 'r' },
					{ '.', 'j', 'p', 'i' }, { '.', 'h', 'p', 'i' }, { '.', 'p', 'a', 'r' } };
	size_t i, k;
	if (len < 5 || path[len - 5] == '/')
		return false;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		for (k = 0; k < 4; k++) {
			char ch = path[len - 4 + k];
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch + 32);
			if (ch != exts[i][k])
				break;
		}
		if (k == 4)
			return true;
	}
	return false;
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)size;
	/* exploded directories named x.jar are not archives */
	if ((mode & 0170000) && (mode & 0170000) != 0100000)
		return false;
	return java_ext(path, len);
}

/* Manifest main-section attributes we use. */
enum { MF_IMPL_TITLE, MF_IMPL_VERSION, MF_IMPL_VENDOR_ID, MF_BUNDLE_SN, MF_BUNDLE_VERSION, MF_BUNDLE_LICENSE,
       MF_SPEC_TITLE, MF_SPEC_VERSION, MF__COUNT };
static const char *const mf_names[MF__COUNT] = {
	"Implementation-Title", "Implementation-Version", "Implementation-Vendor-Id", "Bundle-SymbolicName",
	"Bundle-Version", "Bundle-License", "Specification-Title", "Specification-Version",
};

struct pomprops {
	char *group, *artifact, *version;
};

/* One archive being read (the file itself or a nested entry). */
struct level {
	struct archive *ar;
	char *prefix;         /* "/app/x.war" or "/app/x.war!/WEB-INF/lib/y.jar"; owned */
	const char *base;     /* file name, for the name-version.jar fallback */
	size_t baselen;
	unsigned depth;
	bool nested;
	struct pomprops *poms;
	size_t npoms, cap;
	bh_buf mf[MF__COUNT];
	bool have_mf;
};

/* State shared by every level of one analyze() call. */
struct jctx {
	bh_complist *out;
	const bh_limits *lim;
	uint64_t entries;
	size_t meta_max;
	bh_error soft;        /* first non-fatal problem; returned at the end so the scan reports it */
	bool have_soft;
};

/* Stream of a nested entry: reads the parent's current entry data. */
struct nstream {
	struct archive *parent;
	unsigned char *buf;
	uint64_t total, max;
};

/* Stream of the analyzed file. */
struct fstream {
	bh_file *f;
	unsigned char *buf;
	uint64_t pos; /* random-access mode only */
};

/* Stream of one entry of a file read through its central directory: its local header onwards. */
struct estream {
	bh_file *f;
	unsigned char *buf;
	uint64_t pos, end;
	size_t first;      /* size of the first read: enough for a small entry, not a whole buffer */
};

static void soft_error(struct jctx *j, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void soft_error(struct jctx *j, int code, const char *fmt, ...)
{
	va_list ap;
	if (j->have_soft)
		return;
	j->have_soft = true;
	j->soft.code = code;
	va_start(ap, fmt);
	vsnprintf(j->soft.msg, sizeof(j->soft.msg), fmt, ap);
	va_end(ap);
}

static la_ssize_t file_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct fstream *s = ud;
	bh_error e;
	size_t got;
	e.code = 0;
	e.msg[0] = '\0';
	if (bh_file_read(s->f, s->buf, JAVA_IOBUF, &got, &e)) {
		archive_set_error(a, EIO, "%s", e.msg);
		return -1;
	}
	*buf = s->buf;
	return (la_ssize_t)got;
}

/*
 * Random access (files on disk): the zip is read through its central directory, so entries
 * nobody wants are neither read nor inflated (a stream has to inflate entries that end in a
 * data descriptor just to find the next header).
 */
static la_ssize_t file_pread_cb(struct archive *a, void *ud, const void **buf)
{
	struct fstream *s = ud;
	bh_error e;
	size_t got;
	e.msg[0] = '\0';
	if (bh_file_pread(s->f, s->buf, JAVA_IOBUF, s->pos, &got, &e)) {
		archive_set_error(a, EIO, "%s", e.msg);
		return -1;
	}
	s->pos += got;
	*buf = s->buf;
	return (la_ssize_t)got;
}

static la_int64_t file_seek_cb(struct archive *a, void *ud, la_int64_t off, int whence)
{
	struct fstream *s = ud;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)s->pos : (int64_t)s->f->size;
	(void)a;
	if (off < -base || base + off > (int64_t)s->f->size)
		return ARCHIVE_FATAL;
	s->pos = (uint64_t)(base + off);
	return (la_int64_t)s->pos;
}

static la_int64_t file_skip_cb(struct archive *a, void *ud, la_int64_t n)
{
	struct fstream *s = ud;
	uint64_t left = s->f->size > s->pos ? s->f->size - s->pos : 0;
	(void)a;
	if (n <= 0)
		return 0;
	if ((uint64_t)n > left)
		n = (la_int64_t)left;
	s->pos += (uint64_t)n;
	return n;
}

static la_ssize_t entry_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct estream *s = ud;
	size_t n = JAVA_IOBUF, got;
	bh_error e;
	if (s->first) {
		n = s->first < JAVA_IOBUF ? s->first : JAVA_IOBUF; /* the buffer is JAVA_IOBUF bytes */
		s->first = 0;
	}
	if (n > s->end - s->pos)
		n = (size_t)(s->end - s->pos);
	if (n == 0)
		return 0;
	e.msg[0] = '\0';
	if (bh_file_pread(s->f, s->buf, n, s->pos, &got, &e)) {
		archive_set_error(a, EIO, "%s", e.msg);
		return -1;
	}
	s->pos += got;
	*buf = s->buf;
	return (la_ssize_t)got;
}

static la_ssize_t nested_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct nstream *s = ud;
	la_ssize_t r = archive_read_data(s->parent, s->buf, JAVA_IOBUF);
	if (r < 0) {
		archive_set_error(a, EIO, "enclosing archive: %s",
				  archive_error_string(s->parent) ? archive_error_string(s->parent) : "read error");
		return -1;
	}
	s->total += (uint64_t)r;
	if (s->total > s->max) {
		/* decompression bomb in the enclosing entry: stop feeding the nested reader */
		archive_set_error(a, EIO, "nested archive larger than the max-file-read limit");
		return -1;
	}
	*buf = s->buf;
	return r;
}

/* Reads the current entry into b (NUL-terminated); BH_ELIMIT past max bytes, BH_EINVAL on bad data. */
static int read_entry(struct archive *ar, bh_buf *b, size_t max)
{
	for (;;) {
		la_ssize_t r;
		if (bh_buf_grow(b, 16384))
			return BH_ENOMEM;
		r = archive_read_data(ar, b->data + b->len, 16384);
		if (r < 0)
			return BH_EINVAL;
		if (r == 0)
			break;
		b->len += (size_t)r;
		if (b->len > max)
			return BH_ELIMIT;
	}
	b->data[b->len] = '\0';
	return 0;
}

/* Copy of s[0..n) with backslash escapes of the properties format resolved (\: \= \\ ...). */
static char *props_value(const char *s, size_t n)
{
	char *o = malloc(n + 1);
	size_t i, k = 0;
	if (!o)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		o[k++] = s[i];
	}
	o[k] = '\0';
	return o;
}

/* Segment idx (0-based) of "META-INF/maven/<g>/<a>/pom.properties" (1 = g, 2 = a in segments after "maven/"). */
static char *path_segment(const char *name, unsigned idx)
{
	const char *p = name + 15; /* after "META-INF/maven/" */
	const char *e;
	while (idx-- > 1) {
		p = strchr(p, '/');
		if (!p)
			return NULL;
		p++;
	}
	e = strchr(p, '/');
	if (!e || e == p)
		return NULL;
	return bh_strndup(p, (size_t)(e - p));
}

static int add_pom(struct level *lv, const char *name, const char *data, size_t len)
{
	struct pomprops pp = { NULL, NULL, NULL };
	const char *line;
	size_t n;
	bh_lines it;

	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		size_t k = 0, klen;
		const char *v;
		size_t vlen;
		char **dst = NULL;
		bh_trim(&line, &n);
		if (n == 0 || line[0] == '#' || line[0] == '!')
			continue;
		while (k < n && line[k] != '=' && line[k] != ':' && line[k] != ' ' && line[k] != '\t') {
			if (line[k] == '\\')
				k++;
			k++;
		}
		if (k > n)
			continue;
		klen = k;
		while (k < n && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k < n && (line[k] == '=' || line[k] == ':'))
			k++;
		v = line + k;
		vlen = n - k;
		bh_trim(&v, &vlen);
		if (klen == 7 && memcmp(line, "groupId", 7) == 0)
			dst = &pp.group;
		else if (klen == 10 && memcmp(line, "artifactId", 10) == 0)
			dst = &pp.artifact;
		else if (klen == 7 && memcmp(line, "version", 7) == 0)
			dst = &pp.version;
		if (dst && vlen) {
			free(*dst);
			if (!(*dst = props_value(v, vlen)))
				goto nomem;
		}
	}
	/* the directory names are the coordinates when the file leaves them out */
	if (!pp.group)
		pp.group = path_segment(name, 1);
	if (!pp.artifact)
		pp.artifact = path_segment(name, 2);
	if (!pp.artifact || !pp.version || strpbrk(pp.version, " \t")) {
		free(pp.group);
		free(pp.artifact);
		free(pp.version);
		return 0;
	}
	if (lv->npoms == lv->cap) {
		size_t ncap = lv->cap ? lv->cap * 2 : 4, bytes;
		struct pomprops *np;
		if (!bh_size_mul(ncap, sizeof(*np), &bytes) || !(np = realloc(lv->poms, bytes)))
			goto nomem;
		lv->poms = np;
		lv->cap = ncap;
	}
	lv->poms[lv->npoms++] = pp;
	return 0;
nomem:
	free(pp.group);
	free(pp.artifact);
	free(pp.version);
	return BH_ENOMEM;
}

/* Main section of MANIFEST.MF: "Name: value" lines, continuation lines start with one space. */
static int parse_manifest(struct level *lv, const char *data, size_t len)
{
	const char *line;
	size_t n, i;
	int last = -1;
	bh_lines it;

	for (i = 0; i < MF__COUNT; i++)
		bh_buf_reset(&lv->mf[i]);
	lv->have_mf = true;
	bh_lines_init(&it, data, len);
	while (bh_lines_next(&it, &line, &n)) {
		const char *colon;
		if (n == 0)
			break; /* per-entry sections follow; they describe files, not the archive */
		if (line[0] == ' ') {
			if (last >= 0 && bh_buf_append(&lv->mf[last], line + 1, n - 1))
				return BH_ENOMEM;
			continue;
		}
		last = -1;
		colon = memchr(line, ':', n);
		if (!colon)
			continue;
		for (i = 0; i < MF__COUNT; i++) {
			size_t kl = strlen(mf_names[i]);
			if ((size_t)(colon - line) == kl && strncasecmp(line, mf_names[i], kl) == 0) {
				const char *v = colon + 1;
				size_t vl = n - kl - 1;
				if (vl && *v == ' ') {
					v++;
					vl--;
				}
				bh_buf_reset(&lv->mf[i]);
				if (bh_buf_append(&lv->mf[i], v, vl))
					return BH_ENOMEM;
				last = (int)i;
				break;
			}
		}
	}
	return 0;
}

/* Trimmed manifest value or NULL; *n gets its length. */
static const char *mf_get(const struct level *lv, int i, size_t *n)
{
	const char *s = lv->mf[i].data;
	size_t l = lv->mf[i].len;
	if (!s)
		return NULL;
	bh_trim(&s, &l);
	*n = l;
	return l ? s : NULL;
}

static bool has_space(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t')
			return true;
	return false;
}

/* "commons-lang3-3.12.0.jar" -> name "commons-lang3", version "3.12.0" (split at the first "-<digit>"). */
static bool name_from_file(const char *base, size_t baselen, const char **name, size_t *nn, const char **ver,
			   size_t *vn)
{
	size_t stem = baselen >= 4 ? baselen - 4 : 0, i;
	for (i = 1; i + 1 < stem; i++) {
		if (base[i] == '-' && base[i + 1] >= '0' && base[i + 1] <= '9') {
			*name = base;
			*nn = i;
			*ver = base + i + 1;
			*vn = stem - i - 1;
			return true;
		}
	}
	return false;
}

/* Top-level domains that start a reverse-DNS name ("org.projectlombok", "com.google"). */
static bool tld(const char *s, size_t n)
{
	static const char *const tlds[] = { "com", "org", "net", "io", "edu", "gov", "mil", "dev", "app", "ai", "co",
					    "de", "fr", "uk", "nl", "ch", "be", "at", "it", "es", "se", "no", "dk", "fi",
					    "pl", "cz", "ru", "jp", "cn", "kr", "in", "br", "au", "ca", "us", "eu", "info",
					    "biz", "me", "tech", "cloud", "xyz", NULL };
	size_t i;
	for (i = 0; tlds[i]; i++)
		if (strlen(tlds[i]) == n && !memcmp(tlds[i], s, n))
			return true;
	return false;
}

/*
 * "org.projectlombok.lombok" (from org.projectlombok.lombok-1.18.46.jar) -> group
 * "org.projectlombok", artifact "lombok": a file name that starts with a reverse-DNS name carries
 * the groupId (TLD, at least one more label, then the artifact). *gn = 0 when it does not.
 */
static void reverse_dns(const char *name, size_t nn, size_t *gn)
{
	const char *dot = memchr(name, '.', nn), *last = NULL;
	size_t i;
	*gn = 0;
	if (!dot || !tld(name, (size_t)(dot - name)))
		return;
	for (i = 0; i < nn; i++) {
		char ch = name[i];
		if (ch == '.')
			last = name + i;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return; /* groupIds are lower-case labels */
	}
	if (last && last != dot && last + 1 < name + nn)
		*gn = (size_t)(last - name);
}

static bool has_space_or_empty(const char *s, size_t n)
{
	return !s || !n || has_space(s, n);
}

static bh_component *new_comp(struct jctx *j, const struct level *lv)
{
	bh_component *c = bh_complist_add(j->out, BH_ECO_MAVEN);
	if (c && lv->nested && bh_component_set(&c->path, lv->prefix, (size_t)-1))
		return NULL;
	return c;
}

/* Components of one archive, once all its entries are seen. */
static int finish(struct jctx *j, struct level *lv)
{
	const char *name = NULL, *ver = NULL, *ns = NULL, *lic, *t;
	size_t nn = 0, vn = 0, nsn = 0, licn = 0, tn, i, k;
	const char *fname = NULL, *fver = NULL;
	size_t fnn = 0, fvn = 0;
	bool fok = name_from_file(lv->base, lv->baselen, &fname, &fnn, &fver, &fvn);
	bh_component *c;

	lic = mf_get(lv, MF_BUNDLE_LICENSE, &licn);
	if (lv->npoms) {
		/* pom.properties is authoritative; several of them means a shaded/uber jar */
		size_t tl = 0;
		const char *title = mf_get(lv, MF_IMPL_TITLE, &tl);
		for (i = 0; i < lv->npoms; i++) {
			const struct pomprops *p = &lv->poms[i];
			for (k = 0; k < i; k++) {
				const struct pomprops *q = &lv->poms[k];
				if (strcmp(p->artifact, q->artifact) == 0 && strcmp(p->version, q->version) == 0 &&
				    (p->group && q->group ? strcmp(p->group, q->group) == 0 : p->group == q->group))
					break;
			}
			if (k < i)
				continue;
			if (!(c = new_comp(j, lv)) || bh_component_set(&c->name, p->artifact, (size_t)-1) ||
			    bh_component_set(&c->namespace, p->group, (size_t)-1) ||
			    bh_component_set(&c->version, p->version, (size_t)-1))
				return BH_ENOMEM;
			/* the manifest licence belongs to the archive's own artifact, not to shaded ones */
			if (lic && (lv->npoms == 1 || (title && strlen(p->artifact) == tl && memcmp(p->artifact, title, tl) == 0)) &&
			    bh_component_set(&c->license, lic, licn))
				return BH_ENOMEM;
		}
		return 0;
	}

	if (lv->have_mf) {
		/* a version with spaces ("1.0 build 5") is prose, not a version: try the next source */
		static const int vkeys[] = { MF_IMPL_VERSION, MF_BUNDLE_VERSION, MF_SPEC_VERSION };
		const char *bsn;
		size_t bsnn = 0;
		for (i = 0; i < 3 && !ver; i++)
			if ((ver = mf_get(lv, vkeys[i], &vn)) && has_space(ver, vn))
				ver = NULL;
		if ((bsn = mf_get(lv, MF_BUNDLE_SN, &bsnn))) {
			/* "org.foo.bar;singleton:=true" */
			const char *semi = memchr(bsn, ';', bsnn);
			if (semi)
				bsnn = (size_t)(semi - bsn);
			bh_trim(&bsn, &bsnn);
			if (has_space_or_empty(bsn, bsnn))
				bsn = NULL;
		}
		/* order matters: a title wins, then the file name, then the OSGi names */
		if ((t = mf_get(lv, MF_IMPL_TITLE, &tn)) && !has_space(t, tn)) { // NOLINT(bugprone-branch-clone)
			name = t;
			nn = tn;
		} else if (fok) {
			name = fname;
			nn = fnn;
		} else if (bsn) {
			name = bsn;
			nn = bsnn;
		} else if ((t = mf_get(lv, MF_SPEC_TITLE, &tn)) && !has_space(t, tn)) {
			name = t;
			nn = tn;
		}
		/* the groupId: Implementation-Vendor-Id, else the Bundle-SymbolicName when it ends in
		 * ".<artifactId>" ("com.fasterxml.jackson.core.jackson-databind"); never a guess */
		if ((ns = mf_get(lv, MF_IMPL_VENDOR_ID, &nsn)) && has_space(ns, nsn))
			ns = NULL;
		if (!ns && bsn && name && nn && bsnn > nn + 1 && bsn[bsnn - nn - 1] == '.' && !memcmp(bsn + bsnn - nn, name, nn)) {
			ns = bsn;
			nsn = bsnn - nn - 1;
		}
	}
	if (!ver || !name || !nn) {
		/* neither metadata file names it: trust "name-version.jar", group unknown */
		if (!fok || has_space(fver, fvn))
			return 0;
		name = fname;
		nn = fnn;
		ver = fver;
		vn = fvn;
		ns = NULL;
	}
	if (!ns && name == fname) {
		size_t gn;
		reverse_dns(name, nn, &gn);
		if (gn) {
			ns = name;
			nsn = gn;
			name += gn + 1;
			nn -= gn + 1;
		}
	}
	if (!(c = new_comp(j, lv)) || bh_component_set(&c->name, name, nn) || bh_component_set(&c->version, ver, vn) ||
	    (ns && bh_component_set(&c->namespace, ns, nsn)) || (lic && bh_component_set(&c->license, lic, licn)))
		return BH_ENOMEM;
	return 0;
}

static void level_free(struct level *lv)
{
	size_t i;
	for (i = 0; i < lv->npoms; i++) {
		free(lv->poms[i].group);
		free(lv->poms[i].artifact);
		free(lv->poms[i].version);
	}
	free(lv->poms);
	for (i = 0; i < MF__COUNT; i++)
		bh_buf_free(&lv->mf[i]);
	free(lv->prefix);
}

static int walk(struct jctx *j, struct level *lv);

/* Opens the parent's current entry as an archive and walks it, one level deeper. */
static int nested(struct jctx *j, struct level *parent, const char *name)
{
	struct level lv;
	struct nstream ns;
	bh_buf pre = BH_BUF_INIT;
	int rc = 0;

	if (bh_buf_puts(&pre, parent->prefix) || bh_buf_puts(&pre, "!/") || bh_buf_puts(&pre, name)) {
		bh_buf_free(&pre);
		return BH_ENOMEM;
	}
	if (parent->depth + 1 > j->lim->max_archive_depth) {
		soft_error(j, BH_ELIMIT, "%s: archive nested deeper than the max-archive-depth limit (%u), not read",
			   pre.data, j->lim->max_archive_depth);
		bh_buf_free(&pre);
		return 0;
	}
	memset(&lv, 0, sizeof(lv));
	lv.prefix = bh_buf_steal(&pre);
	lv.base = bh_path_base(name, strlen(name), &lv.baselen);
	lv.depth = parent->depth + 1;
	lv.nested = true;
	ns.parent = parent->ar;
	ns.total = 0;
	ns.max = j->lim->max_file_read;
	ns.buf = malloc(JAVA_IOBUF);
	lv.ar = archive_read_new();
	if (!ns.buf || !lv.ar) {
		rc = BH_ENOMEM;
		goto out;
	}
	archive_read_support_format_zip(lv.ar);
	if (archive_read_open(lv.ar, &ns, NULL, nested_read_cb, NULL) != ARCHIVE_OK) {
		soft_error(j, BH_EINVAL, "%s: not a readable zip archive: %s", lv.prefix,
			   archive_error_string(lv.ar) ? archive_error_string(lv.ar) : "unknown format");
		goto out;
	}
	rc = walk(j, &lv);
	if (rc && rc != BH_ENOMEM) {
		/* already recorded; a broken nested archive does not stop the parent */
		rc = 0;
	}
out:
	if (lv.ar)
		archive_read_free(lv.ar);
	free(ns.buf);
	level_free(&lv);
	return rc;
}

static bool is_pom_properties(const char *name)
{
	return bh_str_startswith(name, "META-INF/maven/") && bh_str_endswith(name, "/pom.properties");
}

/* The current entry of lv->ar, a regular file named name: metadata is parsed, archives walked. Non-zero stops the walk. */
static int visit(struct jctx *j, struct level *lv, const char *name, bh_buf *b)
{
	int r;
	if (is_pom_properties(name) || strcasecmp(name, "META-INF/MANIFEST.MF") == 0) {
		bool pom = is_pom_properties(name);
		bh_buf_reset(b);
		r = read_entry(lv->ar, b, j->meta_max);
		if (r == BH_ENOMEM)
			return r;
		if (r) {
			/* the next header read tells whether the archive goes on */
			soft_error(j, r, "%s!/%s: %s", lv->prefix, name,
				   r == BH_ELIMIT ? "metadata entry over the 1 MiB bound, ignored" : "unreadable entry");
			return 0;
		}
		return pom ? add_pom(lv, name, b->data, b->len) : parse_manifest(lv, b->data, b->len);
	}
	if (java_ext(name, strlen(name)))
		return nested(j, lv, name);
	return 0;
}

/* Reads every entry of lv->ar, then adds the archive's components. */
static int walk(struct jctx *j, struct level *lv)
{
	struct archive_entry *e;
	bh_buf b = BH_BUF_INIT;
	unsigned retries = 0;
	int rc = 0, r;

	for (;;) {
		const char *name;
		r = archive_read_next_header(lv->ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_RETRY && retries++ < 16)
			continue;
		if (r < ARCHIVE_WARN) {
			soft_error(j, BH_EINVAL, "%s: corrupt zip archive: %s", lv->prefix,
				   archive_error_string(lv->ar) ? archive_error_string(lv->ar) : "read error");
			rc = BH_EINVAL;
			break;
		}
		if (++j->entries > j->lim->max_files) {
			soft_error(j, BH_ELIMIT, "%s: too many archive entries (max-files limit)", lv->prefix);
			rc = BH_ELIMIT;
			break;
		}
		name = archive_entry_pathname(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG)
			continue;
		while (name[0] == '/' || (name[0] == '.' && name[1] == '/'))
			name += name[0] == '/' ? 1 : 2;
		if ((rc = visit(j, lv, name, &b)))
			break;
	}
	bh_buf_free(&b);
	if (rc == BH_ENOMEM)
		return rc;
	/* what was read before a corruption still counts */
	r = finish(j, lv);
	return r ? r : rc;
}

/*
 * Central-directory fast path for files on disk. libarchive's seekable reader reads every local
 * header and converts every name to a wide string; a jar has thousands of classes and we want two
 * or three entries. The directory is parsed by zipdir, and each wanted entry is handed to a
 * streaming zip reader that starts at its local header. The plan below decides, from the
 * directory alone, which entries walk() would have visited; anything it cannot decide exactly
 * the way libarchive's seekable reader does sends the whole archive back to that reader.
 */
enum { CD_SKIP, CD_VISIT };

/* Length of the "/" and "./" prefix walk() strips. */
static size_t lead_len(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && (s[k] == '/' || (s[k] == '.' && k + 1 < n && s[k + 1] == '/')))
		k += s[k] == '/' ? 1 : 2;
	return k;
}

static bool wanted_name(const char *s, size_t n)
{
	static const char pre[] = "META-INF/maven/", suf[] = "/pom.properties", mf[] = "META-INF/MANIFEST.MF";
	/* as is_pom_properties(): prefix and suffix may share the '/' */
	if (n >= sizeof(pre) - 1 && n >= sizeof(suf) - 1 && !memcmp(s, pre, sizeof(pre) - 1) &&
	    !memcmp(s + n - (sizeof(suf) - 1), suf, sizeof(suf) - 1))
		return true;
	if (n == sizeof(mf) - 1 && !strncasecmp(s, mf, n))
		return true;
	return java_ext(s, n);
}

/* File type libarchive's seekable reader gives the entry (its central-directory rules, then the local-header ones). */
static bool cd_regular(const bh_zipdir_entry *de)
{
	uint32_t mode = 0;
	if (de->system == 3) {
		mode = de->extattr >> 16;
	} else if (de->system == 0) {
		mode = (de->extattr & 0x10) ? 0040775 : 0100664;
		if (de->extattr & 0x01)
			mode &= 0555; /* libarchive strips the type bits too */
	}
	if ((mode & 0170000) == 0010000)
		mode = (mode & ~0170000u) | 0100000;
	if ((mode & 0170000) != 0040000) {
		if (de->namelen && de->name[de->namelen - 1] == '/')
			return false;
		if ((mode & 0170000) == 0)
			return true;
	}
	return (mode & 0170000) == 0100000;
}

/* True when the extra field carries the Info-ZIP attribute block libarchive would take the mode from. */
static bool has_attr_extra(const bh_zipdir_entry *de)
{
	const unsigned char *p = (const unsigned char *)de->name + de->namelen;
	size_t off = 0;
	while (off + 4 <= de->extralen) {
		unsigned id = p[off] | p[off + 1] << 8, sz = p[off + 2] | p[off + 3] << 8;
		if (id == 0x6c78)
			return true;
		off += 4 + (size_t)sz;
	}
	return false;
}

/* kinds[i] for every entry, or false when the archive needs libarchive's seekable reader. */
static bool cd_plan(const bh_zipdir *d, unsigned char *kinds)
{
	size_t i, k;
	for (i = 0; i < d->n; i++) {
		const bh_zipdir_entry *de = &d->ent[i];
		const char *s = de->name;
		size_t n = de->namelen, lead;
		kinds[i] = CD_SKIP;
		/* names libarchive would rewrite: NUL-cut, "\\" separators, Mac resource forks */
		if (memchr(s, '\0', n) || (n >= 9 && !memcmp(s, "__MACOSX/", 9)))
			return false;
		if (de->system == 0 && memchr(s, '\\', n) && !memchr(s, '/', n))
			return false;
		lead = lead_len(s, n);
		if (!wanted_name(s + lead, n - lead))
			continue;
		/* non-ASCII names go through the locale's charset; encrypted, odd methods or stored
		 * entries with a trailing data descriptor are read differently by a streaming reader */
		for (k = 0; k < n; k++)
			if ((unsigned char)s[k] >= 0x80)
				return false;
		if ((de->flags & 0x41) || (de->method != 0 && de->method != 8) || (de->method == 0 && (de->flags & 8)) ||
		    has_attr_extra(de))
			return false;
		if (cd_regular(de))
			kinds[i] = CD_VISIT;
	}
	return true;
}

/* walk() over the entries of d, reading only the wanted ones. buf: a JAVA_IOBUF scratch buffer. */
static int walk_cd(struct jctx *j, struct level *lv, bh_file *f, const bh_zipdir *d, const unsigned char *kinds,
		   unsigned char *buf)
{
	bh_buf b = BH_BUF_INIT, nm = BH_BUF_INIT;
	size_t i;
	int rc = 0, r;

	for (i = 0; i < d->n && !rc; i++) {
		const bh_zipdir_entry *de = &d->ent[i];
		struct archive_entry *e;
		struct estream es;
		const char *local;
		size_t lead, first;

		if (++j->entries > j->lim->max_files) {
			soft_error(j, BH_ELIMIT, "%s: too many archive entries (max-files limit)", lv->prefix);
			rc = BH_ELIMIT;
			break;
		}
		if (kinds[i] != CD_VISIT)
			continue;
		es.f = f;
		es.buf = buf;
		es.pos = de->offset;
		/* not d->cd_offset: after a data descriptor the reader peeks 24 bytes for a ZIP64 one */
		es.end = f->size;
		/* header, name, extra, data and a descriptor, with room for a longer local extra field */
		first = 30 + (size_t)de->namelen + de->extralen + 64;
		es.first = first < JAVA_IOBUF && de->csize < JAVA_IOBUF - first ? first + (size_t)de->csize : JAVA_IOBUF;
		if (!(lv->ar = archive_read_new())) {
			rc = BH_ENOMEM;
			break;
		}
		archive_read_support_format_zip_streamable(lv->ar);
		if (archive_read_open(lv->ar, &es, NULL, entry_read_cb, NULL) != ARCHIVE_OK ||
		    archive_read_next_header(lv->ar, &e) < ARCHIVE_WARN) {
			soft_error(j, BH_EINVAL, "%s: corrupt zip archive: %s", lv->prefix,
				   archive_error_string(lv->ar) ? archive_error_string(lv->ar) : "read error");
			rc = BH_EINVAL;
		} else if (!(local = archive_entry_pathname(e)) || strlen(local) != de->namelen ||
			   memcmp(local, de->name, de->namelen) != 0) {
			/* a local header that names another file than the directory: hostile */
			soft_error(j, BH_EINVAL, "%s: corrupt zip archive: local header and central directory disagree",
				   lv->prefix);
			rc = BH_EINVAL;
		} else {
			lead = lead_len(de->name, de->namelen);
			bh_buf_reset(&nm);
			if (bh_buf_append(&nm, de->name + lead, de->namelen - lead))
				rc = BH_ENOMEM;
			else
				rc = visit(j, lv, nm.data, &b);
		}
		archive_read_free(lv->ar);
		lv->ar = NULL;
	}
	bh_buf_free(&b);
	bh_buf_free(&nm);
	if (rc == BH_ENOMEM)
		return rc;
	r = finish(j, lv);
	return r ? r : rc;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	struct jctx j;
	struct level lv;
	struct fstream fs;
	bh_limits deflim;
	bh_buf pre = BH_BUF_INIT;
	int rc;
	bool ok;

	memset(&j, 0, sizeof(j));
	if (!f->limits) {
		bh_limits_default(&deflim);
		j.lim = &deflim;
	} else {
		j.lim = f->limits;
	}
	j.out = out;
	j.meta_max = JAVA_META_MAX < j.lim->max_file_read ? JAVA_META_MAX : (size_t)j.lim->max_file_read;
	memset(&lv, 0, sizeof(lv));
	if (bh_buf_putc(&pre, '/') || bh_buf_puts(&pre, f->path)) {
		bh_buf_free(&pre);
		return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	}
	lv.prefix = bh_buf_steal(&pre);
	lv.base = bh_path_base(f->path, strlen(f->path), &lv.baselen);
	lv.depth = f->depth;
	fs.f = f;
	fs.pos = 0;
	fs.buf = malloc(JAVA_IOBUF);
	lv.ar = archive_read_new();
	if (!fs.buf || !lv.ar) {
		rc = bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
		goto out;
	}
	if (bh_file_seekable(f)) {
		bh_zipdir d;
		bh_error zerr;
		uint64_t max_cd = j.lim->max_file_read < JAVA_CD_MAX ? j.lim->max_file_read : JAVA_CD_MAX;
		rc = bh_zipdir_read(f, max_cd, &d, &zerr);
		if (rc == BH_ENOMEM) {
			*err = zerr;
			goto out;
		}
		if (rc == 0) {
			unsigned char *kinds = malloc(d.n);
			if (!kinds) {
				bh_zipdir_free(&d);
				rc = bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
				goto out;
			}
			if (cd_plan(&d, kinds)) {
				archive_read_free(lv.ar);
				lv.ar = NULL;
				rc = walk_cd(&j, &lv, f, &d, kinds, fs.buf);
				free(kinds);
				bh_zipdir_free(&d);
				goto walked;
			}
			free(kinds);
			bh_zipdir_free(&d);
		}
		/* not the plain layout: libarchive's reader copes with prepended data, comments, ZIP64 entries */
		archive_read_support_format_zip_seekable(lv.ar);
		archive_read_set_callback_data(lv.ar, &fs);
		archive_read_set_read_callback(lv.ar, file_pread_cb);
		archive_read_set_seek_callback(lv.ar, file_seek_cb);
		archive_read_set_skip_callback(lv.ar, file_skip_cb);
		ok = archive_read_open1(lv.ar) == ARCHIVE_OK;
		if (!ok) {
			/*
			 * No central directory (a truncated or half-written jar): read it front to back by
			 * its local headers, as a layer stream does, so a directory and an image holding
			 * the same file give the same components.
			 */
			archive_read_free(lv.ar);
			fs.pos = 0;
			if (!(lv.ar = archive_read_new())) {
				rc = bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
				goto out;
			}
			archive_read_support_format_zip_streamable(lv.ar);
			ok = archive_read_open(lv.ar, &fs, NULL, file_pread_cb, NULL) == ARCHIVE_OK;
		}
	} else {
		archive_read_support_format_zip(lv.ar);
		ok = archive_read_open(lv.ar, &fs, NULL, file_read_cb, NULL) == ARCHIVE_OK;
	}
	if (!ok) {
		rc = bh_error_set(err, BH_EINVAL, "%s: not a zip archive: %s", f->path,
				  archive_error_string(lv.ar) ? archive_error_string(lv.ar) : "unknown format");
		goto out;
	}
	rc = walk(&j, &lv);
walked:
	if (rc == BH_ENOMEM) {
		bh_error_set(err, rc, "%s: out of memory", f->path);
	} else if (j.have_soft) {
		/* components found so far stay; the scan reports the first problem as a warning */
		*err = j.soft;
		rc = j.soft.code;
	} else {
		rc = rc ? bh_error_set(err, rc, "%s: unreadable archive", f->path) : 0;
	}
out:
	if (lv.ar)
		archive_read_free(lv.ar);
	free(fs.buf);
	level_free(&lv);
	return rc;
}

const bh_analyzer bh_analyzer_java = { "java", match, analyze, NULL };
