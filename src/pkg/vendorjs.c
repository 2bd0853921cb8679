/* vendorjs.c - JavaScript libraries copied into a tree outside package managers, found by content and name. */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pkg/analyzer.h"
#include "pkg/vendorjs_sigs.h"

/* Bigger .js files are skipped: dist builds of the libraries above are at most a few MB. */
#define VJS_MAX_SIZE (8u << 20)
#define VJS_MAX_VERSION 32   /* longest version string accepted */
#define VJS_MAX_HITS 32      /* distinct library@version pairs kept per file */
#define VJS_HEAD 512         /* "head" signatures start in the first 512 bytes */
#define VJS_NEAR 80
#define VJS_BEFORE 96
#define VJS_MAX_TRIES 1024  /* prefix+version matches one signature may check further in one file */
#define VJS_NSIGS (sizeof(vjs_sigs) / sizeof(vjs_sigs[0]))
#define VJS_WORDS ((VJS_NSIGS + 63) / 64)

struct hit {
	const char *lib;
	char version[VJS_MAX_VERSION + 1];
	bool by_name;
};

struct scan {
	const unsigned char *d;
	size_t n;
	signed char need[VJS_NSIGS]; /* -1 unknown, 0/1: the sig's need/veto condition holds */
	unsigned tries[VJS_NSIGS];   /* bounds the near/before windows a hostile file can make us search */
	struct hit hits[VJS_MAX_HITS];
	size_t nhits;
};

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	return S_ISREG(mode) && size > 0 && size <= VJS_MAX_SIZE && has_suffix(path, len, ".js");
}

static bool blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool ident(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/*
 * Matches pattern p at d[i..n); returns the end offset or (size_t)-1. Each pattern byte consumes
 * a bounded number of input bytes and nothing is retried, so the cost is O(strlen(p) * 16).
 */
static size_t pat_at(const unsigned char *d, size_t n, size_t i, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ') {
			unsigned k = 0;
			while (i < n && k < 16 && blank(d[i]))
				i++, k++;
			continue;
		}
		if (i >= n)
			return (size_t)-1;
		if (c == '"' ? (d[i] != '"' && d[i] != '\'') : c == 1 ? !ident(d[i]) : d[i] != c)
			return (size_t)-1;
		i++;
	}
	return i;
}

/* Does pattern p occur starting anywhere in d[from..to)? (to - from is bounded by the callers) */
static bool pat_within(const unsigned char *d, size_t n, size_t from, size_t to, const char *p)
{
	for (; from < to && from < n; from++)
		if (pat_at(d, n, from, p) != (size_t)-1)
			return true;
	return false;
}

/*
 * Reads a version at d[i]: a digit first, then [0-9A-Za-z.+-], at most VJS_MAX_VERSION bytes,
 * at least one dot; trailing '.', '-', '+' are not part of it. Returns its length or 0.
 */
static size_t version_at(const unsigned char *d, size_t n, size_t i)
{
	size_t k = 0;
	bool dot = false;
	if (i >= n || d[i] < '0' || d[i] > '9')
		return 0;
	while (i + k < n && (ident(d[i + k]) || d[i + k] == '.' || d[i + k] == '-' || d[i + k] == '+') &&
	       d[i + k] != '_' && d[i + k] != '$') {
		if (++k > VJS_MAX_VERSION)
			return 0;
	}
	while (k && (d[i + k - 1] == '.' || d[i + k - 1] == '-' || d[i + k - 1] == '+'))
		k--;
	for (size_t j = 0; j < k; j++)
		dot |= d[i + j] == '.';
	return dot ? k : 0;
}

static void add_hit(struct scan *s, const char *lib, const char *v, size_t vlen, bool by_name)
{
	size_t i;
	for (i = 0; i < s->nhits; i++)
		if (strcmp(s->hits[i].lib, lib) == 0 && strlen(s->hits[i].version) == vlen &&
		    memcmp(s->hits[i].version, v, vlen) == 0)
			return;
	if (s->nhits == VJS_MAX_HITS || vlen > VJS_MAX_VERSION)
		return;
	s->hits[s->nhits].lib = lib;
	memcpy(s->hits[s->nhits].version, v, vlen);
	s->hits[s->nhits].version[vlen] = '\0';
	s->hits[s->nhits].by_name = by_name;
	s->nhits++;
}

/* need/veto literals, evaluated once per file and signature (memmem is linear). */
static bool file_ok(struct scan *s, size_t k)
{
	const vjs_sig *g = &vjs_sigs[k];
	if (s->need[k] < 0)
		s->need[k] = (!g->need || memmem(s->d, s->n, g->need, strlen(g->need))) &&
			     (!g->veto || !memmem(s->d, s->n, g->veto, strlen(g->veto)));
	return s->need[k] == 1;
}

static void try_sig(struct scan *s, size_t k, size_t i)
{
	const vjs_sig *g = &vjs_sigs[k];
	size_t p, vlen, e;
	if (g->head && i >= VJS_HEAD)
		return;
	if ((p = pat_at(s->d, s->n, i, g->prefix)) == (size_t)-1 || !(vlen = version_at(s->d, s->n, p)))
		return;
	e = p + vlen;
	if (g->suffix && pat_at(s->d, s->n, e, g->suffix) == (size_t)-1)
		return;
	if (++s->tries[k] > VJS_MAX_TRIES)
		return;
	if (g->near && !pat_within(s->d, s->n, e, e + VJS_NEAR, g->near))
		return;
	if (g->before && !pat_within(s->d, s->n, i > VJS_BEFORE ? i - VJS_BEFORE : 0, i, g->before))
		return;
	if (!file_ok(s, k))
		return;
	add_hit(s, g->lib, (const char *)s->d + p, vlen, false);
}

/*
 * Which signatures can start at a position, from its first two bytes: built once (read-only after),
 * so looking at a position costs one table lookup and small files pay no set-up.
 */
static uint64_t first_tab[256][VJS_WORDS], second_tab[256][VJS_WORDS];
static unsigned char pair_tab[65536]; /* 1 when some signature (or tinymce's "ma") starts with the pair */

/*
 * Past the head, positions are looked at only where a trigger puts them. Every signature's prefix
 * (and tinymce's "majorVersion") holds a run of plain bytes (no ' ', '"' or '\1') with one of the
 * bytes or byte pairs below, which are rare in JavaScript (about 6 per 1000 bytes of dist files
 * and Rust docs together); SSE2 finds them 16 bytes at a time. Where the whole run is there, the
 * positions the prefix could start at (the blanks before the run make a range) are looked at
 * exactly as the one-pass scan did, in the same order, so the findings are the same: a position
 * no trigger marks is one where no prefix can match, and such a position had no effect.
 */
struct trigger {
	const char *first; /* one of these bytes */
	char second;       /* then this one, unless 0 */
};

/* Rarer first (a run takes the first one it holds); trigger_vec() tests the same set. */
static const struct trigger vjs_trig[] = {
	{ "t", '2' }, { "LB", 'o' }, { "/", '*' }, { "l", ':' }, { "a", 'u' }, { "r", 's' },
	{ "V", 0 }, { "@", 0 }, { "jJ", 0 },
};
#define VJS_NTRIG (sizeof(vjs_trig) / sizeof(vjs_trig[0]))
#define VJS_NANCHORS (VJS_NSIGS + 1) /* one per signature at most, and tinymce's */
#define VJS_CHUNK 4096 /* start positions marked per pass (a bitmap on the stack) */
#define VJS_RANGES 8   /* ranges kept per anchor; a ninth signature with the same run gets its own */
#define VJS_BACK 3     /* the quick test looks at d[j - 3 .. j + 5) around a trigger at j */
_Static_assert(VJS_NANCHORS <= 255, "anchor indexes are bytes");

struct anchor {
	const char *run;       /* the run in the signature's prefix */
	size_t len, toff;      /* its length; the trigger's offset in it */
	uint64_t pat, mask;    /* the run's bytes in the quick test's 8-byte window (little-endian) */
	size_t nr, lo[VJS_RANGES], hi[VJS_RANGES]; /* how far after a prefix's start the run can begin */
};

static struct {
	struct anchor a[VJS_NANCHORS];
	unsigned char by_trig[VJS_NTRIG][VJS_NANCHORS]; /* anchors of each trigger */
	size_t nby[VJS_NTRIG];
	uint16_t first[256];       /* bit t: vjs_trig[t] can start with this byte */
	unsigned char head[256];   /* first bytes of the "head" signatures' prefixes */
	size_t reach;              /* max hi + toff + 1: how far past a start its trigger can be */
	bool anchored;             /* every signature has an anchor (else the one-pass scan runs on) */
} trig;

static pthread_once_t tabs_once = PTHREAD_ONCE_INIT;

/* The bytes a pattern position can match: the byte itself, or both quotes for '"'. */
static size_t pos_bytes(unsigned char c, unsigned char out[2])
{
	out[0] = c;
	if (c == '"') {
		out[1] = '\'';
		return 2;
	}
	return 1;
}

static bool plain(char c)
{
	return c && c != ' ' && c != '"' && c != 1;
}

static bool trigger_in(const struct trigger *t, const char *p, size_t k, size_t n)
{
	return p[k] && strchr(t->first, p[k]) && (!t->second || (k + 1 < n && p[k + 1] == t->second));
}

/* The first run of prefix p holding a trigger, with where it can begin. */
static bool anchor_of(const char *p, struct anchor *a, size_t *tid)
{
	size_t lo = 0, hi = 0, i = 0, t, k;
	while (p[i]) {
		size_t start = i;
		if (!plain(p[i])) {
			lo += p[i] != ' ';
			hi += p[i] == ' ' ? 16 : 1;
			i++;
			continue;
		}
		while (plain(p[i]))
			i++;
		for (t = 0; t < VJS_NTRIG; t++)
			for (k = start; k < i; k++) {
				if (trigger_in(&vjs_trig[t], p, k, i)) {
					memset(a, 0, sizeof(*a));
					a->run = p + start;
					a->len = i - start;
					a->toff = k - start;
					a->nr = 1;
					a->lo[0] = lo;
					a->hi[0] = hi;
					*tid = t;
					return true;
				}
			}
		lo += i - start;
		hi += i - start;
	}
	return false;
}

#ifdef __SSE2__
/* Byte b set: a trigger of vjs_trig at p[b]; reads p[0..17). Spelt out so the constants stay in
 * registers; tabs_init checks it against vjs_trig (simd_agrees). */
static __m128i trigger_vec(const unsigned char *p)
{
	__m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
#define VJS_EQ(x, c) _mm_cmpeq_epi8(x, _mm_set1_epi8(c))
	__m128i pairs = _mm_or_si128(
		_mm_or_si128(_mm_and_si128(VJS_EQ(x0, 't'), VJS_EQ(x1, '2')),
			     _mm_and_si128(_mm_or_si128(VJS_EQ(x0, 'L'), VJS_EQ(x0, 'B')), VJS_EQ(x1, 'o'))),
		_mm_or_si128(_mm_and_si128(VJS_EQ(x0, '/'), VJS_EQ(x1, '*')),
			     _mm_or_si128(_mm_and_si128(VJS_EQ(x0, 'l'), VJS_EQ(x1, ':')),
					  _mm_or_si128(_mm_and_si128(VJS_EQ(x0, 'a'), VJS_EQ(x1, 'u')),
						       _mm_and_si128(VJS_EQ(x0, 'r'), VJS_EQ(x1, 's'))))));
	__m128i ones = _mm_or_si128(_mm_or_si128(VJS_EQ(x0, 'V'), VJS_EQ(x0, '@')),
				    VJS_EQ(_mm_or_si128(x0, _mm_set1_epi8(0x20)), 'j')); /* j or J */
#undef VJS_EQ
	return _mm_or_si128(pairs, ones);
}

/* Does trigger_vec find exactly the triggers of vjs_trig? Every byte pair is offered once. */
static bool simd_agrees(void)
{
	unsigned char buf[512 + 17];
	unsigned a, b, k, t;
	memset(buf, 0, sizeof(buf));
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			buf[2 * b] = (unsigned char)a;
			buf[2 * b + 1] = (unsigned char)b;
		}
		for (k = 0; k < 512; k += 16) {
			unsigned m = (unsigned)_mm_movemask_epi8(trigger_vec(buf + k));
			for (b = 0; b < 16; b++) {
				bool want = false;
				for (t = 0; t < VJS_NTRIG; t++)
					want |= trigger_in(&vjs_trig[t], (const char *)buf, k + b, sizeof(buf));
				if (want != ((m >> b) & 1))
					return false;
			}
		}
	}
	return true;
}
#endif

static void add_anchor(const char *prefix)
{
	struct anchor a, *o;
	size_t t, j, w;
	if (!anchor_of(prefix, &a, &t)) {
		trig.anchored = false;
		return;
	}
	if (a.hi[0] + a.toff + 1 > trig.reach)
		trig.reach = a.hi[0] + a.toff + 1;
	for (j = 0; j < trig.nby[t]; j++) { /* several signatures share "jQuery", "version:", ... */
		o = &trig.a[trig.by_trig[t][j]];
		if (o->len == a.len && o->toff == a.toff && memcmp(o->run, a.run, a.len) == 0) {
			for (w = 0; w < o->nr; w++)
				if (o->lo[w] == a.lo[0] && o->hi[w] == a.hi[0])
					return;
			if (o->nr < VJS_RANGES) {
				o->lo[o->nr] = a.lo[0];
				o->hi[o->nr++] = a.hi[0];
				return;
			}
		}
	}
	for (w = 0; w < 8; w++)
		if (a.toff + w >= VJS_BACK && a.toff + w - VJS_BACK < a.len) {
			a.pat |= (uint64_t)(unsigned char)a.run[a.toff + w - VJS_BACK] << (8 * w);
			a.mask |= (uint64_t)0xff << (8 * w);
		}
	for (j = 0; j < VJS_NANCHORS && trig.a[j].run; j++)
		;
	if (j == VJS_NANCHORS) {
		trig.anchored = false; /* more anchors than room: scan every byte, as without triggers */
		return;
	}
	trig.a[j] = a;
	trig.by_trig[t][trig.nby[t]++] = (unsigned char)j;
}

static void tabs_init(void)
{
	size_t k, a, b;
	for (k = 0; k < VJS_NSIGS; k++) {
		unsigned char f[2], g[2];
		size_t nf = pos_bytes((unsigned char)vjs_sigs[k].prefix[0], f);
		size_t ng = pos_bytes((unsigned char)vjs_sigs[k].prefix[1], g);
		for (a = 0; a < nf; a++)
			first_tab[f[a]][k / 64] |= 1ull << (k % 64);
		for (b = 0; b < ng; b++)
			second_tab[g[b]][k / 64] |= 1ull << (k % 64);
		for (a = 0; a < nf; a++)
			for (b = 0; b < ng; b++)
				pair_tab[(unsigned)f[a] << 8 | g[b]] = 1;
	}
	pair_tab['m' << 8 | 'a'] = 1;
	for (k = 0; k < VJS_NTRIG; k++)
		for (a = 0; vjs_trig[k].first[a]; a++)
			trig.first[(unsigned char)vjs_trig[k].first[a]] |= (uint16_t)(1u << k);
	trig.anchored = true;
	for (k = 0; k < VJS_NSIGS; k++)
		if (!vjs_sigs[k].head)
			add_anchor(vjs_sigs[k].prefix);
		else
			trig.head[(unsigned char)vjs_sigs[k].prefix[0]] = 1;
	add_anchor("majorVersion");
#ifdef __SSE2__
	if (!simd_agrees())
		trig.anchored = false;
#endif
}

/* TinyMCE keeps its version in two parts: majorVersion:"5",minorVersion:"6.0" (also with blanks). */
static void tinymce_at(struct scan *s, size_t i)
{
	static const char key2[] = "minorVersion";
	char v[VJS_MAX_VERSION + 1];
	size_t p = i + 12, maj = 0, minl, j;
	while (p < s->n && (blank(s->d[p]) || s->d[p] == ':' || s->d[p] == '"' || s->d[p] == '\''))
		if (++p - i > 32)
			return;
	while (p + maj < s->n && s->d[p + maj] >= '0' && s->d[p + maj] <= '9' && maj < 4)
		maj++;
	if (!maj || maj >= 4)
		return;
	memcpy(v, s->d + p, maj);
	for (j = p + maj; j < s->n && j < p + maj + 24; j++)
		if (s->n - j >= sizeof(key2) - 1 && memcmp(s->d + j, key2, sizeof(key2) - 1) == 0)
			break;
	if (j >= s->n || j >= p + maj + 24)
		return;
	p = j + sizeof(key2) - 1;
	while (p < s->n && (blank(s->d[p]) || s->d[p] == ':' || s->d[p] == '"' || s->d[p] == '\''))
		if (++p - j > 40)
			return;
	if (!(minl = version_at(s->d, s->n, p)) || maj + 1 + minl > VJS_MAX_VERSION)
		return;
	v[maj] = '.';
	memcpy(v + maj + 1, s->d + p, minl);
	add_hit(s, "tinymce", v, maj + 1 + minl, false);
}

/* Looks at start position i as the one-pass scan did: the signatures whose first two bytes it carries. */
static void try_pos(struct scan *s, size_t i)
{
	size_t w;
	if (!pair_tab[(unsigned)s->d[i] << 8 | s->d[i + 1]])
		return;
	for (w = 0; w < VJS_WORDS; w++) {
		uint64_t m = first_tab[s->d[i]][w] & second_tab[s->d[i + 1]][w];
		while (m) {
			unsigned bit = (unsigned)__builtin_ctzll(m);
			m &= m - 1;
			try_sig(s, w * 64 + bit, i);
		}
	}
	if (s->d[i] == 'm' && s->d[i + 1] == 'a' && s->n - i > 12 && memcmp(s->d + i, "majorVersion", 12) == 0)
		tinymce_at(s, i);
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Marks the starts in [from, to) that fall in [c0, c1). */
static void mark(uint64_t *bm, size_t c0, size_t c1, size_t from, size_t to)
{
	if (from < c0)
		from = c0;
	if (to > c1)
		to = c1;
	for (; from < to; from++)
		bm[(from - c0) / 64] |= 1ull << ((from - c0) % 64);
}

/*
 * Trigger t at j: marks, in bm, the starts in [c0, c1) of the prefixes whose whole run is there.
 * The 8 bytes around j are compared first (one load, no call), the rest of a run only when they match.
 */
static void anchors_at(const struct scan *s, size_t t, size_t j, size_t c0, size_t c1, uint64_t *bm)
{
	bool quick = j >= VJS_BACK && s->n - j >= 8 - VJS_BACK;
	uint64_t win = quick ? load64(s->d + j - VJS_BACK) : 0;
	size_t k, r;
	for (k = 0; k < trig.nby[t]; k++) {
		const struct anchor *a = &trig.a[trig.by_trig[t][k]];
		size_t at = j - a->toff;
		if (quick && ((win ^ a->pat) & a->mask))
			continue;
		if (j < a->toff || s->n - at < a->len || memcmp(s->d + at, a->run, a->len) != 0)
			continue;
		for (r = 0; r < a->nr; r++)
			if (at >= a->lo[r])
				mark(bm, c0, c1, at > a->hi[r] ? at - a->hi[r] : 0, at - a->lo[r] + 1);
	}
}

static void trigger_at(const struct scan *s, size_t j, size_t c0, size_t c1, uint64_t *bm)
{
	unsigned m = trig.first[s->d[j]];
	while (m) {
		unsigned t = (unsigned)__builtin_ctz(m);
		m &= m - 1;
		if (!vjs_trig[t].second || (j + 1 < s->n && s->d[j + 1] == (unsigned char)vjs_trig[t].second))
			anchors_at(s, t, j, c0, c1, bm);
	}
}

/* Triggers at [c0, end) mark the starts in [c0, c1) to look at. */
static void find_triggers(const struct scan *s, size_t c0, size_t end, size_t c1, uint64_t *bm)
{
	size_t j = c0;
#ifdef __SSE2__
	/* 64 bytes a round with one test: triggers are about 1 byte in 150 */
	for (; end - j >= 64 && s->n - j >= 65; j += 64) {
		__m128i v0 = trigger_vec(s->d + j), v1 = trigger_vec(s->d + j + 16);
		__m128i v2 = trigger_vec(s->d + j + 32), v3 = trigger_vec(s->d + j + 48);
		uint64_t m;
		if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3))))
			continue;
		m = (uint64_t)(unsigned)_mm_movemask_epi8(v0) | (uint64_t)(unsigned)_mm_movemask_epi8(v1) << 16 |
		    (uint64_t)(unsigned)_mm_movemask_epi8(v2) << 32 | (uint64_t)(unsigned)_mm_movemask_epi8(v3) << 48;
		while (m) {
			unsigned b = (unsigned)__builtin_ctzll(m);
			m &= m - 1;
			trigger_at(s, j + b, c0, c1, bm);
		}
	}
	for (; j < end && s->n - j >= 17; j += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(trigger_vec(s->d + j));
		if (end - j < 16)
			m &= (1u << (end - j)) - 1;
		while (m) {
			unsigned b = (unsigned)__builtin_ctz(m);
			m &= m - 1;
			trigger_at(s, j + b, c0, c1, bm);
		}
	}
#endif
	for (; j < end; j++)
		if (trig.first[s->d[j]])
			trigger_at(s, j, c0, c1, bm);
}

/*
 * Chunk by chunk: mark the starts triggers give (and in the head, where "head" signatures may
 * start, those with a head signature's first byte), then look at them in order. Each byte costs
 * a bounded amount of work: a trigger checks at most VJS_NANCHORS runs and marks at most
 * VJS_RANGES * reach starts; a start costs what it did in the one-pass scan.
 */
static void scan_content(struct scan *s)
{
	size_t i, c0;
	pthread_once(&tabs_once, tabs_init);
	memset(s->need, -1, sizeof(s->need));
	if (!trig.anchored) { /* a signature without a trigger: every position, as before */
		for (i = 0; i + 1 < s->n && s->nhits < VJS_MAX_HITS; i++)
			try_pos(s, i);
		return;
	}
	for (c0 = 0; c0 + 1 < s->n && s->nhits < VJS_MAX_HITS; c0 += VJS_CHUNK) {
		uint64_t bm[VJS_CHUNK / 64];
		size_t c1 = s->n - 1 - c0 > VJS_CHUNK ? c0 + VJS_CHUNK : s->n - 1;
		size_t end = s->n - c1 > trig.reach ? c1 + trig.reach : s->n;
		size_t w;
		memset(bm, 0, sizeof(bm));
		for (i = c0; i < c1 && i < VJS_HEAD; i++) /* "head" signatures have no trigger */
			if (trig.head[s->d[i]])
				mark(bm, c0, c1, i, i + 1);
		find_triggers(s, c0, end, c1, bm);
		for (w = 0; w < VJS_CHUNK / 64; w++)
			while (bm[w] && s->nhits < VJS_MAX_HITS) {
				unsigned bit = (unsigned)__builtin_ctzll(bm[w]);
				bm[w] &= bm[w] - 1;
				try_pos(s, c0 + w * 64 + bit);
			}
	}
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool prefix_nocase(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p), i;
	if (n < k)
		return false;
	for (i = 0; i < k; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)p[i]))
			return false;
	return true;
}

static bool equal_nocase(const char *s, size_t n, const char *p)
{
	return strlen(p) == n && prefix_nocase(s, n, p);
}

/* Version in a file name: digits and dots (at least one dot), then optionally -rc1, -beta.2, -alpha. */
static size_t name_version(const char *s, size_t n)
{
	static const char *const pre[] = { "-rc", "-beta", "-alpha", "-pre", ".rc", ".beta", ".alpha" };
	size_t k = 0, j;
	bool dot = false;
	while (k < n && ((s[k] >= '0' && s[k] <= '9') || (s[k] == '.' && k + 1 < n && s[k + 1] >= '0' && s[k + 1] <= '9'))) {
		dot |= s[k] == '.';
		k++;
	}
	if (!k || !dot || s[0] < '0' || s[0] > '9')
		return 0;
	for (j = 0; j < sizeof(pre) / sizeof(pre[0]); j++)
		if (prefix_nocase(s + k, n - k, pre[j])) {
			k += strlen(pre[j]);
			while (k < n && ((s[k] >= '0' && s[k] <= '9') || (s[k] == '.' && k + 1 < n && s[k + 1] >= '0' && s[k + 1] <= '9')))
				k++;
			break;
		}
	return k <= VJS_MAX_VERSION ? k : 0;
}

/* jquery-1.8.3.min.js: the library and version a file's name gives, added unless content named it. */
static void scan_name(struct scan *s, const char *path)
{
	size_t blen, i, j, t, vlen;
	const char *base = bh_path_base(path, strlen(path), &blen);
	for (i = 0; i < sizeof(vjs_names) / sizeof(vjs_names[0]); i++) {
		size_t pl = strlen(vjs_names[i].prefix);
		if (!prefix_nocase(base, blen, vjs_names[i].prefix) || !(vlen = name_version(base + pl, blen - pl)))
			continue;
		for (t = 0; t < sizeof(vjs_tails) / sizeof(vjs_tails[0]); t++)
			if (equal_nocase(base + pl + vlen, blen - pl - vlen, vjs_tails[t]))
				break;
		if (t == sizeof(vjs_tails) / sizeof(vjs_tails[0]))
			continue;
		for (j = 0; j < s->nhits; j++)
			if (strcmp(s->hits[j].lib, vjs_names[i].lib) == 0)
				return; /* the content knows better than a name */
		add_hit(s, vjs_names[i].lib, base + pl, vlen, true);
		return;
	}
}

/*
 * node_modules/NAME/... (the last such segment, so pnpm's .pnpm/x@1/node_modules/x too): the npm
 * analyzer reports package NAME from its package.json, so a library found in NAME's own files is
 * not counted again. Libraries a package vendors (node_modules/x/vendor/jquery.js) are kept.
 */
static bool own_package(const char *path, const char *lib)
{
	const char *p = path, *seg = NULL, *end;
	size_t n, i;
	while ((p = strstr(p, "node_modules/")) != NULL) {
		if (p == path || p[-1] == '/')
			seg = p + 13;
		p += 13;
	}
	if (!seg)
		return false;
	if (*seg == '@') /* scoped packages never hold these libraries */
		return false;
	if (!(end = strchr(seg, '/')))
		return false;
	n = (size_t)(end - seg);
	if (strlen(lib) == n && memcmp(seg, lib, n) == 0)
		return true;
	for (i = 0; i < sizeof(vjs_aliases) / sizeof(vjs_aliases[0]); i++)
		if (strcmp(vjs_aliases[i].lib, lib) == 0 && strlen(vjs_aliases[i].dir) == n &&
		    memcmp(seg, vjs_aliases[i].dir, n) == 0)
			return true;
	return false;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	struct scan s;
	size_t i;
	int rc;
	memset(&s, 0, sizeof(s));
	if ((rc = bh_file_slurp(f, &s.d, &s.n, err)))
		return rc;
	scan_content(&s);
	scan_name(&s, f->path);
	for (i = 0; i < s.nhits; i++) {
		bh_component *c;
		if (own_package(f->path, s.hits[i].lib))
			continue;
		c = bh_complist_add(out, BH_ECO_NPM);
		if (!c)
			return out->over ? bh_error_set(err, BH_ELIMIT, "%s: too many components", f->path)
					 : bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
		if (bh_component_set(&c->name, s.hits[i].lib, (size_t)-1) ||
		    bh_component_set(&c->version, s.hits[i].version, (size_t)-1) ||
		    bh_component_prop(c, "js.detected-by", s.hits[i].by_name ? "filename" : "content"))
			return bh_error_set(err, BH_ENOMEM, "%s: out of memory", f->path);
	}
	return 0;
}

const bh_analyzer bh_analyzer_vendorjs = { "vendorjs", match, analyze, NULL };
