/* binary.c - executables: Go module build info and cargo-auditable dependency lists in ELF files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/json.h"
#include "pkg/gobinary.h"

#define MAX_PHDRS 256
#define MAX_SHDRS 4096
#define CHUNK (64 * 1024)
#define MAX_INFO (1u << 20)       /* build info blob we are willing to hold */
#define MAX_SCAN (256ULL << 20)   /* bytes of data segments searched for the magic without a section table */
/* With a section table but no .go.buildinfo, Go's own reader (debug/buildinfo, `go version -m`)
 * looks at the first 64 KiB of the first writable, non-executable segment and nowhere else. */
#define GO_SEARCH (64u << 10)
#define MAX_DEP_Z (8u << 20)      /* compressed .dep-v0 */
#define MAX_DEP (16u << 20)       /* inflated .dep-v0 */

/*
 * Names that are never ELF programs however their mode is set: text, source, documents, media,
 * archives. Executable bits on them are common (scripts, files copied from Windows shares), and
 * skipping them spares an open and a read each, and a directory walk the stat of ~2/3 of a host's
 * files (html, pyc, py, gz, h, go, json... on a Debian host). Lower-case, without the dot.
 */
static const char *const data_ext[] = {
	"a", "afm", "am", "asc", "bash", "bmp", "bz2", "c", "cc", "cfg", "class", "cmake", "conf", "cpp", "crt",
	"css", "csv", "cxx", "deb", "diff", "ear", "el", "elc", "eps", "erb", "gif", "go", "gpg", "gz", "h", "hh",
	"hpp", "htm", "html", "hxx", "ico", "in", "inc", "ini", "jar", "java", "jpeg", "jpg", "js", "json", "key",
	"kt", "log", "lua", "m4", "map", "md", "md5", "mjs", "mo", "o", "otf", "pas", "patch", "pdf", "pem", "pfb",
	"php", "pl", "pm", "png", "po", "pod", "pot", "pp", "ps", "pub", "pxd", "py", "pyc", "pyi", "pyo", "pyx",
	"rb", "rpm", "rs", "rst", "scala", "sh", "sig", "svg", "tcl", "tex", "tgz", "tif", "tiff", "toml", "ts",
	"tsv", "ttf", "txt", "war", "webp", "woff", "woff2", "xml", "xsd", "xsl", "xz", "yaml", "yml", "zip", "zsh",
	"zst",
};

static int ext_cmp(const void *k, const void *e)
{
	return strcmp(k, *(const char *const *)e);
}

static bool may_match(const char *path, size_t len)
{
	size_t bl, i, el;
	const char *b = bh_path_base(path, len, &bl), *dot = NULL;
	char ext[8];
	for (i = bl; i-- > 1;)
		if (b[i] == '.') {
			dot = b + i + 1;
			break;
		}
	if (!dot || (el = bl - (size_t)(dot - b)) == 0 || el >= sizeof(ext))
		return true;
	for (i = 0; i < el; i++)
		ext[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] + 32 : dot[i]);
	ext[el] = '\0';
	return !bsearch(ext, data_ext, sizeof(data_ext) / sizeof(data_ext[0]), sizeof(data_ext[0]), ext_cmp);
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	return S_ISREG(mode) && (mode & 0111) && size >= 1024 && may_match(path, len);
}

/* Random access when the source allows it; otherwise a forward-only window over the stream. */
struct rd {
	bh_file *f;
	bool seek;
	unsigned char *win;
	size_t wlen, wcap;
	uint64_t wpos; /* file offset of win[0] */
	bool eof;
};

/* Gives n bytes at off in *p (valid until the next call); fewer at end of file (*got). */
static int rd_at(struct rd *r, uint64_t off, size_t n, const unsigned char **p, size_t *got, bh_error *err)
{
	size_t need;
	if (r->seek) {
		if (n > r->wcap) {
			unsigned char *nw = realloc(r->win, n);
			if (!nw)
				return BH_ENOMEM;
			r->win = nw;
			r->wcap = n;
		}
		if (bh_file_pread(r->f, r->win, n, off, got, err))
			return BH_EIO;
		*p = r->win;
		return 0;
	}
	if (off < r->wpos)
		return BH_EUNSUPPORTED; /* a stream cannot go back */
	/* drop what lies before off */
	if (off - r->wpos >= r->wlen) {
		uint64_t skip = off - r->wpos - r->wlen;
		r->wpos += r->wlen;
		r->wlen = 0;
		while (skip && !r->eof) {
			unsigned char tmp[16384];
			size_t g;
			if (bh_file_read(r->f, tmp, skip < sizeof(tmp) ? (size_t)skip : sizeof(tmp), &g, err))
				return BH_EIO;
			if (!g)
				r->eof = true;
			r->wpos += g;
			skip -= g;
		}
	} else if (off > r->wpos) {
		size_t d = (size_t)(off - r->wpos);
		memmove(r->win, r->win + d, r->wlen - d);
		r->wlen -= d;
		r->wpos = off;
	}
	if (off != r->wpos) {
		*got = 0;
		*p = r->win;
		return 0;
	}
	need = n;
	if (need > r->wcap) {
		unsigned char *nw = realloc(r->win, need);
		if (!nw)
			return BH_ENOMEM;
		r->win = nw;
		r->wcap = need;
	}
	while (r->wlen < need && !r->eof) {
		size_t g;
		if (bh_file_read(r->f, r->win + r->wlen, need - r->wlen, &g, err))
			return BH_EIO;
		if (!g)
			r->eof = true;
		r->wlen += g;
	}
	*got = r->wlen < n ? r->wlen : n;
	*p = r->win;
	return 0;
}

struct seg {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz;
};

struct elf {
	bool is64, be;
	struct seg ph[MAX_PHDRS];
	unsigned nph;
	uint64_t shoff;
	unsigned shnum, shentsize, shstrndx;
};

static uint64_t get(const unsigned char *p, unsigned n, bool be)
{
	uint64_t v = 0;
	unsigned i;
	for (i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

static int parse_elf(struct rd *r, struct elf *e, bh_error *err)
{
	const unsigned char *h, *p;
	size_t got;
	uint64_t phoff;
	unsigned phnum, phentsize, i;
	int rc;

	if ((rc = rd_at(r, 0, 64, &h, &got, err)))
		return rc;
	if (got < 52 || memcmp(h, "\177ELF", 4) != 0 || (h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
		return 1; /* not ELF: nothing to do */
	e->is64 = h[4] == 2;
	e->be = h[5] == 2;
	if (e->is64 && got < 64)
		return 1;
	phoff = e->is64 ? get(h + 32, 8, e->be) : get(h + 28, 4, e->be);
	e->shoff = e->is64 ? get(h + 40, 8, e->be) : get(h + 32, 4, e->be);
	phentsize = (unsigned)get(h + (e->is64 ? 54 : 42), 2, e->be);
	phnum = (unsigned)get(h + (e->is64 ? 56 : 44), 2, e->be);
	e->shentsize = (unsigned)get(h + (e->is64 ? 58 : 46), 2, e->be);
	e->shnum = (unsigned)get(h + (e->is64 ? 60 : 48), 2, e->be);
	e->shstrndx = (unsigned)get(h + (e->is64 ? 62 : 50), 2, e->be);
	if (phnum > MAX_PHDRS || phentsize < (e->is64 ? 56u : 32u) || phoff > r->f->size)
		return bh_error_set(err, BH_EINVAL, "%s: implausible ELF program headers", r->f->path);
	if ((rc = rd_at(r, phoff, (size_t)phnum * phentsize, &p, &got, err)))
		return rc;
	if (got < (size_t)phnum * phentsize)
		return bh_error_set(err, BH_EINVAL, "%s: truncated ELF program headers", r->f->path);
	for (i = 0; i < phnum; i++) {
		const unsigned char *q = p + (size_t)i * phentsize;
		struct seg *s = &e->ph[e->nph++];
		s->type = (uint32_t)get(q, 4, e->be);
		if (e->is64) {
			s->flags = (uint32_t)get(q + 4, 4, e->be);
			s->off = get(q + 8, 8, e->be);
			s->vaddr = get(q + 16, 8, e->be);
			s->filesz = get(q + 32, 8, e->be);
		} else {
			s->off = get(q + 4, 4, e->be);
			s->vaddr = get(q + 8, 4, e->be);
			s->filesz = get(q + 16, 4, e->be);
			s->flags = (uint32_t)get(q + 24, 4, e->be);
		}
	}
	return 0;
}

/* Finds a section by name (random access only). */
static int find_section(struct rd *r, const struct elf *e, const char *name, uint64_t *off, uint64_t *size,
			uint64_t *addr, bh_error *err)
{
	const unsigned char *p;
	unsigned char *sh = NULL;
	size_t got, shsz;
	uint64_t stroff, strsz;
	unsigned i, ent = e->is64 ? 64 : 40;
	int rc = 1;

	if (!r->seek || !e->shoff || !e->shnum || e->shnum > MAX_SHDRS || e->shentsize < ent || e->shstrndx >= e->shnum)
		return 1;
	shsz = (size_t)e->shnum * e->shentsize;
	if ((rc = rd_at(r, e->shoff, shsz, &p, &got, err)) || got < shsz)
		return rc ? rc : 1;
	sh = malloc(shsz);
	if (!sh)
		return BH_ENOMEM;
	memcpy(sh, p, shsz);
#define SH(i, o32, o64, n32, n64) get(sh + (size_t)(i) * e->shentsize + (e->is64 ? (o64) : (o32)), e->is64 ? (n64) : (n32), e->be)
	stroff = SH(e->shstrndx, 16, 24, 4, 8);
	strsz = SH(e->shstrndx, 20, 32, 4, 8);
	rc = 1;
	if (strsz > (1u << 20) || stroff > r->f->size)
		goto out;
	{
		const unsigned char *strs;
		unsigned char *copy;
		if (rd_at(r, stroff, (size_t)strsz, &strs, &got, err) || got < strsz)
			goto out;
		copy = malloc(strsz + 1);
		if (!copy) {
			rc = BH_ENOMEM;
			goto out;
		}
		memcpy(copy, strs, strsz);
		copy[strsz] = '\0';
		rc = 2; /* the table was read: absent unless found below */
		for (i = 0; i < e->shnum; i++) {
			/* sh_name: offset 0, 4 bytes, in both classes */
			uint64_t nm = get(sh + (size_t)i * e->shentsize, 4, e->be);
			if (nm < strsz && strcmp((const char *)copy + nm, name) == 0) {
				*addr = SH(i, 12, 16, 4, 8);
				*off = SH(i, 16, 24, 4, 8);
				*size = SH(i, 20, 32, 4, 8);
				rc = 0;
				break;
			}
		}
		free(copy);
	}
#undef SH
out:
	free(sh);
	return rc;
}

struct resolve_ctx {
	struct rd *r;
	const struct elf *e;
	bh_error *err;
};

/* Maps a virtual address through the PT_LOAD segments (old Go build info points at strings). */
static int resolve(void *vctx, uint64_t vaddr, size_t n, unsigned char *out)
{
	struct resolve_ctx *x = vctx;
	unsigned i;
	for (i = 0; i < x->e->nph; i++) {
		const struct seg *s = &x->e->ph[i];
		if (s->type == 1 && vaddr >= s->vaddr && vaddr - s->vaddr + n <= s->filesz) {
			const unsigned char *p;
			size_t got;
			if (rd_at(x->r, s->off + (vaddr - s->vaddr), n, &p, &got, x->err) || got < n)
				return BH_EINVAL;
			memcpy(out, p, n);
			return 0;
		}
	}
	return BH_EINVAL;
}

static const char magic[] = "\xff Go buildinf:";

/*
 * Searches [off, off+size) for the 16-byte aligned magic; on success copies up to MAX_INFO bytes
 * from it into *blob. Returns 1 when not found.
 */
static int search_magic(struct rd *r, uint64_t off, uint64_t size, unsigned char **blob, size_t *blen, bh_error *err)
{
	uint64_t pos = off, end = off + (size < MAX_SCAN ? size : MAX_SCAN);
	while (pos < end) {
		const unsigned char *p;
		size_t got, i;
		int rc = rd_at(r, pos, CHUNK + 32, &p, &got, err);
		if (rc)
			return rc;
		if (got < 32)
			return 1;
		for (i = (size_t)((16 - (pos & 15)) & 15); i + 32 <= got && pos + i < end; i += 16) {
			if (p[i] == 0xff && memcmp(p + i, magic, 14) == 0) {
				uint64_t at = pos + i;
				if ((rc = rd_at(r, at, MAX_INFO, &p, &got, err)))
					return rc;
				*blob = malloc(got);
				if (!*blob)
					return BH_ENOMEM;
				memcpy(*blob, p, got);
				*blen = got;
				return 0;
			}
		}
		pos += CHUNK;
	}
	return 1;
}

static int go_info(struct rd *r, const struct elf *e, bh_complist *out, bh_error *err)
{
	uint64_t off = 0, size = 0, addr = 0;
	unsigned char *blob = NULL;
	size_t blen = 0;
	struct resolve_ctx rx = { r, e, err };
	unsigned i;
	int rc = find_section(r, e, ".go.buildinfo", &off, &size, &addr, err);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = search_magic(r, off, size, &blob, &blen, err);
	} else if (rc == 2) {
		/* A section table without .go.buildinfo: where and as far as `go version -m` looks. */
		rc = 1;
		for (i = 0; i < e->nph; i++)
			if (e->ph[i].type == 1 && (e->ph[i].flags & 3) == 2) {
				rc = search_magic(r, e->ph[i].off, e->ph[i].filesz < GO_SEARCH ? e->ph[i].filesz : GO_SEARCH, &blob,
						  &blen, err);
				break;
			}
	} else {
		/* No section table (a stream, or stripped of it): Go puts the blob in a writable, non-executable segment. */
		rc = 1;
		for (i = 0; i < e->nph && rc == 1; i++)
			if (e->ph[i].type == 1 && (e->ph[i].flags & 3) == 2)
				rc = search_magic(r, e->ph[i].off, e->ph[i].filesz, &blob, &blen, err);
	}
	if (rc)
		return rc < 0 ? rc : 0;
	rc = bh_gobinary_parse(blob, blen, r->seek ? resolve : NULL, &rx, out, err);
	free(blob);
	return rc;
}

/* cargo-auditable: zlib-compressed JSON in section .dep-v0. */
static int rust_info(struct rd *r, const struct elf *e, bh_complist *out, bh_error *err)
{
	uint64_t off, size, addr;
	const unsigned char *p;
	unsigned char *json = NULL;
	size_t got, i;
	uLongf dlen = MAX_DEP;
	json_t *doc = NULL, *pkgs;
	int rc = find_section(r, e, ".dep-v0", &off, &size, &addr, err);

	if (rc)
		return rc < 0 ? rc : 0;
	if (size > MAX_DEP_Z || (rc = rd_at(r, off, (size_t)size, &p, &got, err)) || got < size)
		return rc ? rc : bh_error_set(err, BH_EINVAL, "%s: bad .dep-v0 section", r->f->path);
	json = malloc(MAX_DEP);
	if (!json)
		return BH_ENOMEM;
	if (uncompress(json, &dlen, p, (uLong)size) != Z_OK) {
		free(json);
		return bh_error_set(err, BH_EINVAL, "%s: .dep-v0 does not inflate (or is over %u bytes)", r->f->path, MAX_DEP);
	}
	rc = bh_json_load((const char *)json, dlen, r->f->limits ? r->f->limits->max_json_depth : 64, r->f->path, &doc, err);
	free(json);
	if (rc)
		return rc;
	pkgs = json_object_get(doc, "packages");
	for (i = 0; i < json_array_size(pkgs); i++) {
		json_t *pk = json_array_get(pkgs, i);
		const char *name = bh_json_str(pk, "name"), *ver = bh_json_str(pk, "version"), *kind = bh_json_str(pk, "kind");
		bh_component *c;
		if (!name || !ver)
			continue;
		c = bh_complist_add(out, BH_ECO_CARGO);
		if (!c || bh_component_set(&c->name, name, (size_t)-1) || bh_component_set(&c->version, ver, (size_t)-1)) {
			json_decref(doc);
			return BH_ENOMEM;
		}
		if (json_is_true(json_object_get(pk, "root")))
			c->flags |= BH_COMP_MAIN;
		if (kind && !strcmp(kind, "build"))
			c->flags |= BH_COMP_DEV;
	}
	json_decref(doc);
	return 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	struct rd r;
	struct elf e;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&e, 0, sizeof(e));
	r.f = f;
	r.seek = bh_file_seekable(f);
	rc = parse_elf(&r, &e, err);
	if (rc == 0)
		rc = go_info(&r, &e, out, err);
	if (rc == 0)
		rc = rust_info(&r, &e, out, err);
	free(r.win);
	if (rc == 1)
		rc = 0;
	if (rc == BH_ENOMEM)
		return bh_error_set(err, rc, "%s: out of memory", f->path);
	if (rc == BH_EIO || rc == BH_EUNSUPPORTED)
		return rc; /* message already set */
	return rc;
}

const bh_analyzer bh_analyzer_binary = { "binary", match, analyze, may_match };
