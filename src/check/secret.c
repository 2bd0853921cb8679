/* secret.c - the secret scanner: one pass of a keyword prefilter, then PCRE2 rules only on the lines that hold a keyword. */
#define BH_SECRET_INTERNAL
#define PCRE2_CODE_UNIT_WIDTH 8
#include "check/secret.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

#define WIN 4096u        /* bytes kept either side of a keyword when its line is longer than that */
#define BIN_PROBE 8192u  /* a NUL byte this early marks binary content */
#define RECENT 16u       /* reported secrets remembered so generic rules do not repeat them */
#define KW_MAX 64u       /* longest custom keyword */
#define MASK_MAX 40u
#define LINE_MAX_OUT 200u
#define MATCH_LIMIT 1000000u /* PCRE2 steps per match call: a hostile line cannot stall a scan */
#define ANCHORS 64u          /* keyword positions kept per window for anchored rules */

enum { SET_TEXT, SET_CONFIG, SET_BINARY, SET_COUNT };

typedef struct rule {
	const char *id, *title;
	bh_severity sev;
	pcre2_code *re; /* owned; NULL for rules with a finder */
	pcre2_code *are; /* owned: re compiled anchored (JIT cannot anchor at match time), for anchored rules */
	unsigned group, key_group, flags, min_len;
	double min_entropy;
	bool (*check)(const unsigned char *d, size_t n, bh_secret_match *m, int cfg);
	bool (*find)(const unsigned char *d, size_t n, size_t w0, size_t w1, size_t from, bh_secret_match *m);
	size_t (*anchor)(const unsigned char *d, size_t w0, size_t p);
	const char *const *kw; /* built-in: static; custom: own_kw */
	bool always;           /* no usable keyword: runs over every text file */
	char *own_id, *own_title, **own_kw; /* custom rules own these (own_kw NULL-terminated) */
} rule;

/* One keyword of one rule, keyed by its first three (case-folded) bytes. */
typedef struct kw_entry {
	uint32_t tri;
	uint16_t rule, len;
	const char *s; /* lowercase; points into the rule's keywords */
} kw_entry;

/* The keywords of the rules that apply to one class of file, and a 64 Kibit filter of their first
 * three bytes so that almost every byte of a file costs one table lookup. */
typedef struct kwset {
	uint64_t bloom[1024];
	kw_entry *e; /* owned, sorted by tri */
	size_t n;
	/* When every keyword starts with `stride` (>= 2) punctuation bytes (the binary set's "-----"),
	 * only every stride-th byte is looked at until one is such a byte (lead[c] != 0). */
	unsigned stride;
	unsigned char lead[256];
	/* pair[b0 | b1 << 8] = 1: the raw bytes (every case) are a keyword's bytes 0-1 or 1-2. A keyword
	 * at s holds such a pair at the even one of s and s + 1, so only even offsets are looked up.
	 * Bytes, not bits: one load and no shift per lookup is what the inner loop is made of. */
	unsigned char pair[65536];
	/* Open-addressed index of the distinct trigrams (tri_hash order): where each one's run of
	 * entries starts in e. A keyword check is then one or two probes, not a binary search. */
	struct { uint32_t tri, first; } *slot; /* owned, mask + 1 entries; first = UINT32_MAX: empty */
	uint32_t mask;
} kwset;

struct bh_secret_rules {
	rule *r; /* owned, n entries */
	size_t n;
	kwset set[SET_COUNT];
	uint32_t pairs; /* ovector pairs the widest pattern needs */
};

/* ASCII case folding, as a table because the prefilter applies it to every byte. */
#define F1(c) (unsigned char)(((c) >= 'A' && (c) <= 'Z') ? (c) + 32 : (c))
#define F4(c) F1(c), F1((c) + 1), F1((c) + 2), F1((c) + 3)
#define F16(c) F4(c), F4((c) + 4), F4((c) + 8), F4((c) + 12)
#define F64(c) F16(c), F16((c) + 16), F16((c) + 32), F16((c) + 48)
static const unsigned char fold[256] = { F64(0), F64(64), F64(128), F64(192) };

static uint32_t tri_of(const unsigned char *s)
{
	return (uint32_t)fold[s[0]] | (uint32_t)fold[s[1]] << 8 | (uint32_t)fold[s[2]] << 16;
}

static uint32_t tri_hash(uint32_t t)
{
	return (t * 0x9E3779B1u) >> 16;
}

/* ---- rule set ---- */

static void rule_clear(rule *ru)
{
	size_t i;
	pcre2_code_free(ru->re);
	pcre2_code_free(ru->are);
	free(ru->own_id);
	free(ru->own_title);
	if (ru->own_kw)
		for (i = 0; ru->own_kw[i]; i++)
			free(ru->own_kw[i]);
	free(ru->own_kw);
}

void bh_secret_rules_free(bh_secret_rules *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		rule_clear(&r->r[i]);
	for (i = 0; i < SET_COUNT; i++) {
		free(r->set[i].e);
		free(r->set[i].slot);
	}
	free(r->r);
	free(r);
}

/*
 * BH_PCRE2_NO_JIT=1 matches with the interpreter: valgrind cannot follow JIT-generated code and
 * reports its reads as uninitialised, so the memcheck run in CI sets it.
 */
static bool use_jit(void)
{
	const char *v = getenv("BH_PCRE2_NO_JIT");
	return !v || !*v || !strcmp(v, "0");
}

static int compile(rule *ru, const char *re, uint32_t *pairs, bh_error *err)
{
	int ec;
	PCRE2_SIZE off;
	uint32_t cc = 0;
	ru->re = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_UTF | PCRE2_NEVER_UCP, &ec, &off, NULL);
	if (ru->re && ru->anchor) {
		ru->are = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
					PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | PCRE2_ANCHORED, &ec, &off, NULL);
		if (!ru->are)
			return bh_error_set(err, BH_ENOMEM, "secret rule %s: out of memory", ru->id);
		if (use_jit())
			(void)pcre2_jit_compile(ru->are, PCRE2_JIT_COMPLETE);
	}
	if (!ru->re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return bh_error_set(err, BH_EINVAL, "secret rule %s: bad regex at offset %zu: %s", ru->id, (size_t)off,
				    (const char *)msg);
	}
	/* JIT is an optimisation: PCRE2 built without it still matches, only slower */
	if (use_jit())
		(void)pcre2_jit_compile(ru->re, PCRE2_JIT_COMPLETE);
	if (pcre2_pattern_info(ru->re, PCRE2_INFO_CAPTURECOUNT, &cc) == 0 && cc + 1 > *pairs)
		*pairs = cc + 1;
	return 0;
}

static bool usable_kw(const char *k)
{
	return strlen(k) >= 3;
}

static void rule_finish(rule *ru)
{
	size_t i;
	ru->always = !ru->find;
	for (i = 0; ru->kw && ru->kw[i]; i++)
		if (usable_kw(ru->kw[i]))
			ru->always = false;
}

static bool valid_id(const char *s)
{
	size_t i, n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

static int add_custom(bh_secret_rules *R, const json_t *o, size_t idx, const bh_secret_builtin *b, size_t nb,
		      bh_error *err)
{
	rule *ru = &R->r[R->n];
	/* json_object_get returns NULL for a non-object, so o is checked below with the id */
	const json_t *kws = json_object_get(o, "keywords"), *sv = json_object_get(o, "severity");
	const char *id = json_string_value(json_object_get(o, "id"));
	const char *title = json_string_value(json_object_get(o, "title"));
	const char *re = json_string_value(json_object_get(o, "regex"));
	size_t i, nk = 0, bytes;
	int rc;

	memset(ru, 0, sizeof(*ru));
	if (!json_is_object(o) || !id || !valid_id(id))
		return bh_error_set(err, BH_EINVAL, "custom secret rule %zu: \"id\" must be 1-64 of [A-Za-z0-9_.-]", idx);
	for (i = 0; i < R->n; i++)
		if (!strcmp(R->r[i].id, id))
			return bh_error_set(err, BH_EINVAL, "custom secret rule %s: duplicate id", id);
	for (i = 0; i < nb; i++)
		if (!strcmp(b[i].id, id))
			return bh_error_set(err, BH_EINVAL, "custom secret rule %s: a built-in rule has this id", id);
	if (!re || strlen(re) > 8192)
		return bh_error_set(err, BH_EINVAL, "custom secret rule %s: \"regex\" missing or longer than 8192", id);
	if (kws && !json_is_array(kws))
		return bh_error_set(err, BH_EINVAL, "custom secret rule %s: \"keywords\" must be an array", id);
	ru->sev = BH_SEV_MEDIUM;
	if (sv && (!json_is_string(sv) || (ru->sev = bh_severity_parse(json_string_value(sv))) == BH_SEV_UNKNOWN))
		return bh_error_set(err, BH_EINVAL, "custom secret rule %s: unknown severity", id);
	if (!(ru->own_id = bh_strdup(id)) || !(ru->own_title = bh_strdup(title ? title : id)))
		goto nomem;
	ru->id = ru->own_id;
	ru->title = ru->own_title;
	nk = kws ? json_array_size(kws) : 0;
	if (!bh_size_add(nk, 1, &bytes) || !bh_size_mul(bytes, sizeof(char *), &bytes) || !(ru->own_kw = calloc(1, bytes)))
		goto nomem;
	for (i = 0; i < nk; i++) {
		const char *k = json_string_value(json_array_get(kws, i));
		size_t j, kl;
		if (!k || (kl = strlen(k)) == 0 || kl > KW_MAX) {
			rule_clear(ru);
			return bh_error_set(err, BH_EINVAL, "custom secret rule %s: keyword %zu must be a string of 1-%u bytes",
					    id, i, KW_MAX);
		}
		if (!(ru->own_kw[i] = bh_strdup(k)))
			goto nomem;
		for (j = 0; j < kl; j++) {
			unsigned char c = (unsigned char)k[j];
			if (c < 0x20 || c == 0x7f) {
				rule_clear(ru);
				return bh_error_set(err, BH_EINVAL, "custom secret rule %s: control byte in keyword", id);
			}
			ru->own_kw[i][j] = (char)fold[c];
		}
	}
	ru->kw = (const char *const *)ru->own_kw;
	if ((rc = compile(ru, re, &R->pairs, err))) {
		rule_clear(ru);
		return rc;
	}
	{
		int g = pcre2_substring_number_from_name(ru->re, (PCRE2_SPTR) "secret");
		ru->group = g > 0 ? (unsigned)g : 0;
	}
	rule_finish(ru);
	R->n++;
	return 0;
nomem:
	rule_clear(ru);
	return bh_error_set(err, BH_ENOMEM, "custom secret rule %s: out of memory", id);
}

static int add_builtin(bh_secret_rules *R, const bh_secret_builtin *b, bh_error *err)
{
	rule *ru = &R->r[R->n];
	int rc;
	memset(ru, 0, sizeof(*ru));
	ru->id = b->id;
	ru->title = b->title;
	ru->sev = b->severity;
	ru->group = b->group;
	ru->key_group = b->key_group;
	ru->flags = b->flags;
	ru->min_len = b->min_len;
	ru->min_entropy = b->min_entropy;
	ru->check = b->check;
	ru->find = b->find;
	ru->anchor = b->anchor;
	ru->kw = b->keywords;
	if (b->regex && (rc = compile(ru, b->regex, &R->pairs, err))) {
		rule_clear(ru); /* not counted in R->n yet, so bh_secret_rules_free would miss it */
		return rc;
	}
	rule_finish(ru);
	R->n++;
	return 0;
}

static bool in_set(const rule *ru, int set)
{
	if (set == SET_BINARY)
		return ru->flags & BH_SR_BINARY;
	if (set == SET_TEXT)
		return !(ru->flags & BH_SR_CONFIG);
	return true;
}

static int kwcmp(const void *a, const void *b)
{
	const kw_entry *x = a, *y = b;
	return x->tri < y->tri ? -1 : x->tri > y->tri;
}

/* Letters fold and digits are common everywhere: only other leading bytes make a useful stride. */
static bool lead_byte(unsigned char c)
{
	return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || c <= ' ');
}

static void set_stride(kwset *ks)
{
	size_t i, j, k = SIZE_MAX;
	for (i = 0; i < ks->n; i++) {
		for (j = 0; j < ks->e[i].len && lead_byte((unsigned char)ks->e[i].s[j]); j++)
			;
		if (j < k)
			k = j;
	}
	if (k < 2 || k == SIZE_MAX)
		return;
	ks->stride = (unsigned)(k > 16 ? 16 : k);
	for (i = 0; i < ks->n; i++)
		for (j = 0; j < ks->stride; j++)
			ks->lead[(unsigned char)ks->e[i].s[j]] = 1; /* not a letter: its only case */
}

/* The bytes c with fold[c] == k: k itself, and its capital for a lowercase letter. */
static unsigned cases(unsigned char k, unsigned char out[2])
{
	out[0] = k;
	out[1] = (unsigned char)(k - 32);
	return k >= 'a' && k <= 'z' ? 2 : 1;
}

static void add_pair(kwset *ks, unsigned char a, unsigned char b)
{
	unsigned char ca[2], cb[2];
	unsigned na = cases(a, ca), nb = cases(b, cb), i, j;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++) {
			unsigned p = (unsigned)ca[i] | (unsigned)cb[j] << 8;
			ks->pair[p] = 1;
		}
}

static int build_set(bh_secret_rules *R, int set, bh_error *err)
{
	kwset *ks = &R->set[set];
	size_t i, j, cnt = 0, bytes, size;
	for (i = 0; i < R->n; i++)
		for (j = 0; in_set(&R->r[i], set) && R->r[i].kw && R->r[i].kw[j]; j++)
			cnt += usable_kw(R->r[i].kw[j]);
	if (cnt == 0)
		return 0;
	if (cnt > (1u << 24)) /* the index below counts in uint32_t */
		return bh_error_set(err, BH_ELIMIT, "secret rules: more than %u keywords", 1u << 24);
	if (!bh_size_mul(cnt, sizeof(*ks->e), &bytes) || !(ks->e = malloc(bytes)))
		return bh_error_set(err, BH_ENOMEM, "secret rules: out of memory");
	for (i = 0; i < R->n; i++)
		for (j = 0; in_set(&R->r[i], set) && R->r[i].kw && R->r[i].kw[j]; j++) {
			const char *k = R->r[i].kw[j];
			kw_entry *e;
			uint32_t h;
			if (!usable_kw(k))
				continue;
			e = &ks->e[ks->n++];
			e->tri = tri_of((const unsigned char *)k);
			e->rule = (uint16_t)i;
			e->len = (uint16_t)strlen(k);
			e->s = k;
			h = tri_hash(e->tri);
			ks->bloom[h >> 6] |= 1ull << (h & 63);
			add_pair(ks, (unsigned char)k[0], (unsigned char)k[1]);
			add_pair(ks, (unsigned char)k[1], (unsigned char)k[2]);
		}
	qsort(ks->e, ks->n, sizeof(*ks->e), kwcmp);
	set_stride(ks);
	/* at most half full, so that a trigram not in the set ends its probe soon */
	for (size = 64; size < 2 * ks->n; size *= 2)
		;
	if (!bh_size_mul(size, sizeof(*ks->slot), &bytes) || !(ks->slot = malloc(bytes)))
		return bh_error_set(err, BH_ENOMEM, "secret rules: out of memory");
	ks->mask = (uint32_t)(size - 1);
	for (i = 0; i < size; i++)
		ks->slot[i].first = UINT32_MAX;
	for (i = 0; i < ks->n; i++) {
		uint32_t h = tri_hash(ks->e[i].tri) & ks->mask;
		if (i > 0 && ks->e[i - 1].tri == ks->e[i].tri)
			continue;
		while (ks->slot[h].first != UINT32_MAX)
			h = (h + 1) & ks->mask;
		ks->slot[h].tri = ks->e[i].tri;
		ks->slot[h].first = (uint32_t)i;
	}
	return 0;
}

int bh_secret_rules_new(const json_t *custom, bh_secret_rules **out, bh_error *err)
{
	size_t nb, i, nc = 0, total, bytes;
	const bh_secret_builtin *b = bh_secret_builtins(&nb);
	bh_secret_rules *R;
	int rc = 0;

	*out = NULL;
	if (custom && !json_is_array(custom) && !json_is_null(custom))
		return bh_error_set(err, BH_EINVAL, "custom secret rules: expected a JSON array");
	nc = json_is_array(custom) ? json_array_size(custom) : 0;
	if (!bh_size_add(nb, nc, &total) || total > BH_SECRET_MAX_RULES)
		return bh_error_set(err, BH_ELIMIT, "secret rules: more than %d rules", BH_SECRET_MAX_RULES);
	if (!(R = calloc(1, sizeof(*R))) || !bh_size_mul(total, sizeof(*R->r), &bytes) || !(R->r = calloc(1, bytes))) {
		free(R);
		return bh_error_set(err, BH_ENOMEM, "secret rules: out of memory");
	}
	R->pairs = 1;
	/* specific built-ins, then custom rules, then the generic built-ins, which give way to all others */
	for (i = 0; i < nb && !rc; i++)
		if (!(b[i].flags & BH_SR_GENERIC))
			rc = add_builtin(R, &b[i], err);
	for (i = 0; i < nc && !rc; i++)
		rc = add_custom(R, json_array_get(custom, i), i, b, nb, err);
	for (i = 0; i < nb && !rc; i++)
		if (b[i].flags & BH_SR_GENERIC)
			rc = add_builtin(R, &b[i], err);
	for (i = 0; i < SET_COUNT && !rc; i++)
		rc = build_set(R, (int)i, err);
	if (rc) {
		bh_secret_rules_free(R);
		return rc;
	}
	*out = R;
	return 0;
}

/* ---- which files ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool ext_in(const char *base, const char *const *list)
{
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return false;
	for (; *list; list++)
		if (!strcasecmp(dot + 1, *list))
			return true;
	return false;
}

bool bh_secret_wants(const char *path, uint64_t size, uint64_t max_size)
{
	static const char *const skip[] = { "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd",
		"xcf", "heic", "avif", "mp3", "mp4", "m4a", "m4v", "avi", "mov", "mkv", "webm", "wav", "flac", "ogg",
		"oga", "ogv", "opus", "aac", "ttf", "otf", "woff", "woff2", "eot", "zip", "gz", "tgz", "bz2", "xz",
		"zst", "lz4", "lzma", "7z", "rar", "tar", "jar", "war", "ear", "whl", "egg", "deb", "rpm", "apk",
		"msi", "cab", "iso", "img", "dmg", "o", "a", "so", "dylib", "dll", "exe", "obj", "lib", "pyc", "pyo",
		"class", "wasm", "node", "bin", "pdf", "docx", "xlsx", "pptx", "odt", "ods", "mo", "gmo", "db",
		"sqlite", "sqlite3", "pack", "idx", "npy", "npz", "pt", "onnx", "parquet", "avro", NULL };
	const char *base, *g;
	if (!path || size == 0 || (max_size && size > max_size))
		return false;
	base = base_name(path);
	/* git objects are compressed; .git/config may hold a remote URL with a token */
	for (g = path; (g = strstr(g, ".git/")) != NULL; g += 5)
		if (g == path || g[-1] == '/')
			return !strcmp(base, "config") && base - g == 5;
	if (ext_in(base, skip))
		return false;
	if (strstr(base, ".so.")) /* libfoo.so.1.2 */
		return false;
	return true;
}

/* Configuration files, where `password = ...` is worth reporting; STRUCT kinds also carry prose. */
static int config_kind(const char *path)
{
	static const char *const kv_ext[] = { "env", "ini", "cfg", "cnf", "conf", "config", "properties", "props",
		"prop", "toml", "tfvars", "tf", "hcl", "npmrc", "pypirc", NULL };
	static const char *const st_ext[] = { "yaml", "yml", "xml", NULL };
	static const char *const js_ext[] = { "json", NULL };
	static const char *const kv_name[] = { ".env", ".npmrc", ".pypirc", ".netrc", "_netrc", ".pgpass", ".s3cfg",
		"credentials", ".git-credentials", ".boto", "Dockerfile", "Containerfile", NULL };
	const char *base;
	size_t i;
	if (!path)
		return BH_SECRET_CFG_NONE;
	base = base_name(path);
	for (i = 0; kv_name[i]; i++)
		if (!strcmp(base, kv_name[i]))
			return BH_SECRET_CFG_KV;
	if (!strncmp(base, ".env.", 5) || !strncmp(base, "Dockerfile.", 11))
		return BH_SECRET_CFG_KV;
	if (ext_in(base, kv_ext))
		return BH_SECRET_CFG_KV;
	if (ext_in(base, st_ext))
		return BH_SECRET_CFG_STRUCT;
	if (ext_in(base, js_ext))
		return BH_SECRET_CFG_JSON;
	return BH_SECRET_CFG_NONE;
}

/* ---- scanning ---- */

typedef struct scan {
	const bh_secret_rules *r;
	const unsigned char *d;
	size_t n;
	int cfg;
	int (*cb)(void *ctx, const bh_secret_hit *hit);
	void *ctx;
	bh_error *err;
	/* PCRE2 state, created on the first regex run and freed at the end of the scan */
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	/* the window being collected: candidate rules run over [ws, we) */
	bool open, soft_s, soft_e;
	size_t ws, we;
	uint64_t cand[BH_SECRET_MAX_RULES / 64];
	/* keyword positions of anchored rules in the window; past ANCHORS they search the window */
	struct { uint16_t rule; size_t pos; } anch[ANCHORS];
	unsigned nanch;
	size_t last_end[BH_SECRET_MAX_RULES]; /* per rule: matches end here or before, do not look again */
	size_t recent[RECENT][2];
	unsigned nrecent;
	/* line counter: lno is the line holding offset lpos */
	size_t lpos;
	unsigned long lno;
} scan;

static int ensure_md(scan *S)
{
	if (S->md)
		return 0;
	if (!(S->md = pcre2_match_data_create(S->r->pairs, NULL)) || !(S->mc = pcre2_match_context_create(NULL))) {
		bh_error_set(S->err, BH_ENOMEM, "secret scan: out of memory");
		return BH_ENOMEM;
	}
	pcre2_set_match_limit(S->mc, MATCH_LIMIT);
	return 0;
}

/* 0 = match in *m, 1 = none (or a resource limit on hostile input), < 0 = error. */
static int re_match(scan *S, const rule *ru, size_t ws, size_t we, size_t from, bool anchored, bh_secret_match *m)
{
	PCRE2_SIZE *ov;
	int rc;
	uint32_t cnt;
	if ((rc = ensure_md(S)))
		return rc;
	for (;;) {
		rc = pcre2_match(anchored ? ru->are : ru->re, S->d + ws, we - ws, from - ws, 0, S->md, S->mc);
		if (rc != PCRE2_ERROR_JIT_STACKLIMIT || S->js)
			break;
		/* the default 32 KiB JIT stack is enough for the built-ins; long custom matches get more */
		if (!(S->js = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL))) {
			bh_error_set(S->err, BH_ENOMEM, "secret scan: out of memory");
			return BH_ENOMEM;
		}
		pcre2_jit_stack_assign(S->mc, NULL, S->js);
	}
	if (rc < 0)
		return 1;
	cnt = rc == 0 ? pcre2_get_ovector_count(S->md) : (uint32_t)rc;
	ov = pcre2_get_ovector_pointer(S->md);
	m->m0 = ws + ov[0];
	m->m1 = ws + ov[1];
	m->s0 = m->m0;
	m->s1 = m->m1;
	m->k0 = m->k1 = m->m0;
	if (ru->group && ru->group < cnt && ov[2 * ru->group] != PCRE2_UNSET) {
		m->s0 = ws + ov[2 * ru->group];
		m->s1 = ws + ov[2 * ru->group + 1];
	}
	if (ru->key_group && ru->key_group < cnt && ov[2 * ru->key_group] != PCRE2_UNSET) {
		m->k0 = ws + ov[2 * ru->key_group];
		m->k1 = ws + ov[2 * ru->key_group + 1];
	}
	return 0;
}

/* Length of the rule's keyword the secret starts with ("ghp_", "AKIA"): shown, and not random. */
static size_t kw_prefix(const rule *ru, const unsigned char *s, size_t n)
{
	size_t best = 0, i, j, k;
	for (i = 0; ru->kw && ru->kw[i]; i++) {
		k = strlen(ru->kw[i]);
		if (k > n || k <= best)
			continue;
		for (j = 0; j < k && fold[s[j]] == (unsigned char)ru->kw[i][j]; j++)
			;
		if (j == k)
			best = k;
	}
	return best;
}

static bool identifier_like(const unsigned char *s, size_t n)
{
	size_t i;
	bool up = false, lo = false;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			return false;
		up |= s[i] >= 'A' && s[i] <= 'Z';
		lo |= s[i] >= 'a' && s[i] <= 'z';
	}
	return !(up && lo);
}

static bool accept(scan *S, const rule *ru, bh_secret_match *m, size_t *kp)
{
	const unsigned char *t;
	size_t slen, tn, i;
	if (ru->check && !ru->check(S->d, S->n, m, S->cfg))
		return false;
	if (m->s1 <= m->s0 || (slen = m->s1 - m->s0) < ru->min_len)
		return false;
	*kp = kw_prefix(ru, S->d + m->s0, slen);
	if (bh_secret_placeholder(S->d + m->s0, slen, *kp))
		return false;
	t = S->d + m->s0 + *kp;
	tn = slen - *kp;
	if (ru->min_entropy > 0 && bh_secret_entropy(t, tn < 4096 ? tn : 4096) < ru->min_entropy)
		return false;
	if ((ru->flags & BH_SR_RANDOM) && identifier_like(t, tn))
		return false;
	if (ru->flags & BH_SR_GENERIC)
		for (i = 0; i < S->nrecent && i < RECENT; i++)
			if (S->recent[i][0] < m->s1 && m->s0 < S->recent[i][1])
				return false;
	return true;
}

static size_t count_nl(const unsigned char *p, const unsigned char *end)
{
	size_t c = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

static unsigned long line_of(scan *S, size_t off)
{
	if (off >= S->lpos)
		S->lno += count_nl(S->d + S->lpos, S->d + off);
	else
		S->lno -= count_nl(S->d + off, S->d + S->lpos);
	S->lpos = off;
	return S->lno;
}

static char shown(unsigned char c)
{
	return (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
}

/* The line holding m0, at most LINE_MAX_OUT bytes around the secret, with the secret masked. */
static void line_text(const scan *S, const bh_secret_match *m, size_t keep, char *out)
{
	const unsigned char *d = S->d, *p;
	size_t lo = m->m0 > WIN ? m->m0 - WIN : 0, hi = S->n - m->m0 > WIN ? m->m0 + WIN : S->n;
	size_t ls, le, focus, start, i, o = 0;
	p = m->m0 > lo ? memrchr(d + lo, '\n', m->m0 - lo) : NULL;
	ls = p ? (size_t)(p - d) + 1 : lo;
	p = memchr(d + m->m0, '\n', hi - m->m0);
	le = p ? (size_t)(p - d) : hi;
	if (le > ls && d[le - 1] == '\r')
		le--;
	focus = (m->s0 >= ls && m->s0 < le) ? m->s0 : m->m0;
	start = focus - ls > 60 ? focus - 60 : ls;
	if (le - start < LINE_MAX_OUT)
		start = le - ls > LINE_MAX_OUT ? le - LINE_MAX_OUT : ls;
	while (start > ls && start < le && (d[start] & 0xC0) == 0x80)
		start++; /* never begin inside a UTF-8 sequence */
	for (i = start; i < le && o < LINE_MAX_OUT;) {
		unsigned char c = d[i];
		size_t k;
		if (i >= m->s0 && i < m->s1) {
			out[o++] = i - m->s0 < keep ? shown(c) : '*';
			i++;
		} else if (c < 0x80 || (k = bh_utf8_seq(d + i, le - i)) == 0) {
			out[o++] = c == '\t' ? '\t' : shown(c);
			i++;
		} else {
			if (o + k > LINE_MAX_OUT)
				break;
			memcpy(out + o, d + i, k);
			o += k;
			i += k;
		}
	}
	out[o] = '\0';
}

static int report(scan *S, const rule *ru, const bh_secret_match *m, size_t kp)
{
	char masked[MASK_MAX + 1], text[LINE_MAX_OUT + 1];
	size_t slen = m->s1 - m->s0, keep = kp > 4 ? kp : 4, n, i;
	bh_secret_hit hit;
	if (keep > slen / 2) /* short secrets: never show more than half */
		keep = slen / 2;
	n = slen < MASK_MAX ? slen : MASK_MAX;
	for (i = 0; i < n; i++)
		masked[i] = i < keep ? shown(S->d[m->s0 + i]) : '*';
	masked[n] = '\0';
	line_text(S, m, keep, text);
	hit.rule = ru->id;
	hit.title = ru->title;
	hit.severity = ru->sev;
	hit.line = line_of(S, m->m0);
	hit.masked = masked;
	hit.line_text = text;
	S->recent[S->nrecent % RECENT][0] = m->s0;
	S->recent[S->nrecent % RECENT][1] = m->s1;
	S->nrecent++;
	return S->cb(S->ctx, &hit);
}

/* Keeps a match if it is new for the rule and passes its checks; reports it. */
static int consider(scan *S, size_t ri, bh_secret_match *m, bool soft_s, bool soft_e, size_t ws, size_t we)
{
	const rule *ru = &S->r->r[ri];
	size_t kp = 0;
	/* a match touching a cut edge is a truncated view of one a neighbouring window sees whole */
	if ((soft_s && m->m0 == ws) || (soft_e && m->m1 == we) || m->m0 < S->last_end[ri])
		return 0;
	if (m->m1 > S->last_end[ri])
		S->last_end[ri] = m->m1;
	return accept(S, ru, m, &kp) ? report(S, ru, m, kp) : 0;
}

/* Anchored rules: one anchored attempt per keyword position seen in the window. */
static int run_anchored(scan *S, size_t ri, size_t ws, size_t we, bool soft_s, bool soft_e)
{
	const rule *ru = &S->r->r[ri];
	size_t i, prev = (size_t)-1;
	int rc;
	for (i = 0; i < S->nanch; i++) {
		bh_secret_match m;
		size_t a;
		if (S->anch[i].rule != ri)
			continue;
		a = ru->anchor(S->d, ws, S->anch[i].pos);
		if (a == prev || a < S->last_end[ri])
			continue;
		prev = a;
		if ((rc = re_match(S, ru, ws, we, a, true, &m)) < 0)
			return rc;
		if (rc == 0 && (rc = consider(S, ri, &m, soft_s, soft_e, ws, we)) != 0)
			return rc;
	}
	return 0;
}

/* A multi-line search of [from, we) found nothing: no match starts where one would have fitted. */
static void nothing_before(scan *S, size_t ri, size_t from, size_t we)
{
	size_t sure = we == S->n ? we : we - BH_SECRET_MAXMATCH;
	if (we - from >= BH_SECRET_MAXMATCH && sure > S->last_end[ri])
		S->last_end[ri] = sure;
	else if (we == S->n && we > S->last_end[ri])
		S->last_end[ri] = we;
}

/* Runs one rule over [ws, we); soft edges were cut from a longer line. */
static int run_rule(scan *S, size_t ri, size_t ws, size_t we, bool soft_s, bool soft_e)
{
	const rule *ru = &S->r->r[ri];
	size_t from = S->last_end[ri] > ws ? S->last_end[ri] : ws;
	int rc;
	if (ru->flags & BH_SR_MULTILINE) {
		/* the match starts on the keyword's line; a search from an earlier line already covered it */
		if (from >= we)
			return 0;
		we = S->n - ws > BH_SECRET_SPAN ? ws + BH_SECRET_SPAN : S->n;
		soft_e = we < S->n;
	}
	if (ru->are && S->nanch < ANCHORS)
		return run_anchored(S, ri, ws, we, soft_s, soft_e);
	while (from < we) {
		bh_secret_match m;
		m.m1 = 0;
		if (ru->find) {
			if (!ru->find(S->d, S->n, ws, we, from, &m)) {
				if (m.m1 > S->last_end[ri])
					S->last_end[ri] = m.m1;
				break;
			}
		} else if ((rc = re_match(S, ru, ws, we, from, false, &m)) != 0) {
			if (rc > 0 && (ru->flags & BH_SR_MULTILINE))
				nothing_before(S, ri, from, we);
			return rc < 0 ? rc : 0;
		}
		if ((rc = consider(S, ri, &m, soft_s, soft_e, ws, we)) != 0)
			return rc;
		from = m.m1 > from ? m.m1 : from + 1;
	}
	return 0;
}

static int flush(scan *S)
{
	size_t w;
	int rc;
	S->open = false;
	for (w = 0; w < BH_SECRET_MAX_RULES / 64; w++)
		while (S->cand[w]) {
			size_t ri = w * 64 + (size_t)__builtin_ctzll(S->cand[w]);
			S->cand[w] &= S->cand[w] - 1;
			if ((rc = run_rule(S, ri, S->ws, S->we, S->soft_s, S->soft_e)) != 0)
				return rc;
		}
	S->nanch = 0;
	return 0;
}

/* A keyword of rule ri at p: join the open window when it has room, else run that one and open the
 * line (at most WIN bytes either side) around p. */
static void mark(scan *S, size_t ri, size_t p)
{
	S->cand[ri / 64] |= 1ull << (ri % 64);
	if (S->r->r[ri].anchor && S->nanch <= ANCHORS) {
		if (S->nanch < ANCHORS) {
			S->anch[S->nanch].rule = (uint16_t)ri;
			S->anch[S->nanch].pos = p;
		}
		S->nanch++; /* one past ANCHORS: too many, the rules search the window */
	}
}

static int on_hit(scan *S, size_t ri, size_t p, size_t klen)
{
	const unsigned char *d = S->d, *q;
	size_t lo, hi;
	int rc;
	if (S->open && p + klen <= S->we && (!S->soft_e || p + WIN / 2 <= S->we)) {
		mark(S, ri, p);
		return 0;
	}
	if (S->open && (rc = flush(S)) != 0)
		return rc;
	lo = p > WIN ? p - WIN : 0;
	hi = S->n - p > WIN ? p + WIN : S->n;
	q = p > lo ? memrchr(d + lo, '\n', p - lo) : NULL;
	S->ws = q ? (size_t)(q - d) + 1 : lo;
	S->soft_s = !q && lo > 0;
	q = memchr(d + p, '\n', hi - p);
	S->we = q ? (size_t)(q - d) : hi;
	S->soft_e = !q && hi < S->n;
	S->open = true;
	mark(S, ri, p);
	return 0;
}

static int kw_verify(scan *S, const kwset *ks, uint32_t t, size_t s)
{
	uint32_t h = tri_hash(t) & ks->mask;
	size_t lo;
	int rc;
	while (ks->slot[h].first != UINT32_MAX && ks->slot[h].tri != t)
		h = (h + 1) & ks->mask;
	if (ks->slot[h].first == UINT32_MAX)
		return 0;
	for (lo = ks->slot[h].first; lo < ks->n && ks->e[lo].tri == t; lo++) {
		const kw_entry *e = &ks->e[lo];
		size_t j;
		if (e->len > S->n - s)
			continue;
		for (j = 3; j < e->len && fold[S->d[s + j]] == (unsigned char)e->s[j]; j++)
			;
		if (j == e->len && (rc = on_hit(S, e->rule, s, e->len)) != 0)
			return rc;
	}
	return 0;
}

static bool bloom_has(const uint64_t *bloom, uint32_t t)
{
	uint32_t h = tri_hash(t);
	return (bloom[h >> 6] >> (h & 63)) & 1;
}

/* Every keyword starts with ks->stride bytes from ks->lead: a keyword at s covers exactly one probe
 * position j = s..s+stride-1 with j % stride == stride - 1, so the other bytes need no look until a
 * probe lands on a lead byte; then the starts that probe covers are tried in order. */
static int kw_scan_stride(scan *S, const kwset *ks)
{
	const unsigned char *d = S->d;
	size_t n = S->n, k = ks->stride, j, s;
	int rc;
	for (j = k - 1; j < n; j += k) {
		if (!ks->lead[d[j]])
			continue;
		for (s = j + 1 - k; s <= j && n - s >= 3; s++) {
			uint32_t t = tri_of(d + s);
			if (bloom_has(ks->bloom, t) && (rc = kw_verify(S, ks, t, s)) != 0)
				return rc;
		}
	}
	return 0;
}

static unsigned pair_has(const unsigned char *pair, const unsigned char *p)
{
	return pair[(unsigned)p[0] | (unsigned)p[1] << 8];
}

/* A keyword at s, tried without the pair filter. */
static int kw_try(scan *S, const kwset *ks, size_t s)
{
	uint32_t t = tri_of(S->d + s);
	return bloom_has(ks->bloom, t) ? kw_verify(S, ks, t, s) : 0;
}

static int kw_scan(scan *S, const kwset *ks)
{
	const unsigned char *d = S->d;
	const uint64_t *bloom = ks->bloom;
	const unsigned char *pair = ks->pair;
	size_t n = S->n, j, s;
	int rc;
	if (n < 3 || ks->n == 0)
		return 0;
	if (ks->stride)
		return kw_scan_stride(S, ks);
	/* A keyword (3 bytes or more) at s shows its first or second pair at the even one of s and
	 * s + 1: one lookup per two bytes, and the two starts a passing pair covers are tried in order. */
	if ((rc = kw_try(S, ks, 0)) != 0)
		return rc;
	/* 32 pairs' bits gathered without a branch, then only the passing ones are looked at: about
	 * one pair in ten passes in prose, too often to branch on each. */
	for (j = 2; n - j >= 65; j += 64) {
		uint32_t m = 0, b;
		for (b = 0; b < 32; b++)
			m |= (uint32_t)pair_has(pair, d + j + 2 * b) << b;
		while (m) {
			size_t p;
			uint32_t t0, t1;
			b = (uint32_t)__builtin_ctz(m);
			m &= m - 1;
			p = j + 2 * b;
			t0 = tri_of(d + p - 1);
			t1 = tri_of(d + p);
			if ((bloom_has(bloom, t0) && (rc = kw_verify(S, ks, t0, p - 1)) != 0) ||
			    (bloom_has(bloom, t1) && (rc = kw_verify(S, ks, t1, p)) != 0))
				return rc;
		}
	}
	for (; n - j >= 3; j += 2) {
		uint32_t t0, t1;
		if (!pair_has(pair, d + j))
			continue;
		/* both starts' filter bits before one branch */
		t0 = tri_of(d + j - 1);
		t1 = tri_of(d + j);
		if (!(bloom_has(bloom, t0) | bloom_has(bloom, t1)))
			continue;
		if ((bloom_has(bloom, t0) && (rc = kw_verify(S, ks, t0, j - 1)) != 0) ||
		    (bloom_has(bloom, t1) && (rc = kw_verify(S, ks, t1, j)) != 0))
			return rc;
	}
	/* the last starts, which no full pair covers */
	for (s = j - 1; n - s >= 3; s++)
		if ((rc = kw_try(S, ks, s)) != 0)
			return rc;
	return 0;
}

/* Custom rules without keywords: the whole text, in newline-aligned chunks of 64 KiB. */
static int run_always(scan *S)
{
	size_t ri;
	int rc;
	for (ri = 0; ri < S->r->n; ri++) {
		size_t c = 0;
		if (!S->r->r[ri].always)
			continue;
		while (c < S->n) {
			size_t e = S->n - c > 65536 ? c + 65536 : S->n;
			const unsigned char *nl = e < S->n ? memrchr(S->d + c, '\n', e - c) : NULL;
			bool soft = e < S->n && !nl;
			if (nl)
				e = (size_t)(nl - S->d) + 1;
			if ((rc = run_rule(S, ri, c, e, c > 0 && S->d[c - 1] != '\n', soft)) != 0)
				return rc;
			c = soft ? e - WIN : e;
		}
	}
	return 0;
}

int bh_secret_scan(const bh_secret_rules *r, const char *path, const unsigned char *data, size_t len,
		   int (*cb)(void *ctx, const bh_secret_hit *hit), void *ctx, bh_error *err)
{
	scan *S, st;
	bool binary;
	int rc;
	if (!r || !cb || (!data && len))
		return bh_error_set(err, BH_EINVAL, "secret scan: missing rules, callback or data");
	if (len == 0)
		return 0;
	S = &st;
	memset(S, 0, sizeof(*S));
	S->r = r;
	S->d = data;
	S->n = len;
	S->cb = cb;
	S->ctx = ctx;
	S->err = err;
	S->lno = 1;
	S->cfg = config_kind(path);
	binary = memchr(data, 0, len < BIN_PROBE ? len : BIN_PROBE) != NULL;
	rc = kw_scan(S, &r->set[binary ? SET_BINARY : S->cfg ? SET_CONFIG : SET_TEXT]);
	if (!rc && S->open)
		rc = flush(S);
	if (!rc && !binary)
		rc = run_always(S);
	pcre2_match_data_free(S->md);
	pcre2_match_context_free(S->mc);
	pcre2_jit_stack_free(S->js);
	return rc;
}
