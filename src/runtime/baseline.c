/* baseline.c - one image's learned behaviour: entries, matching with the reason a deviation differs, YAML/JSON documents and diffs. */
#include "runtime/baseline.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/glob.h"
#include "core/json.h"
#include "core/map.h"
#include "core/yaml.h"
#include "runtime/ctnet.h"

struct ent {
	char *a, *b, *sha256, *source;
	uint32_t port;
	uint64_t first_seen, last_seen, count;
};

struct section {
	struct ent *v;
	size_t n, cap;
};

struct bh_baseline {
	char *repository, *digest;
	bh_bl_mode mode;
	uint64_t version;
	bh_bl_learn learn;
	struct section sec[BH_BL__KIND_COUNT];
	bh_map index; /* identity key -> index + 1 in its section (dedupe when learning) */
	size_t total;
};

static const char *const kind_names[BH_BL__KIND_COUNT] = { "process", "probe", "file", "listen", "outbound", "inbound", "capability" };
static const char *const section_names[BH_BL__KIND_COUNT] = { "processes", "probes", "files", "listen", "outbound", "inbound", "capabilities" };
static const char *const mode_names[] = { "learn", "monitor", "protect" };

const char *bh_bl_kind_name(bh_bl_kind k) { return (unsigned)k < BH_BL__KIND_COUNT ? kind_names[k] : "?"; }
const char *bh_bl_section_name(bh_bl_kind k) { return (unsigned)k < BH_BL__KIND_COUNT ? section_names[k] : "?"; }
const char *bh_bl_mode_name(bh_bl_mode m) { return (unsigned)m <= BH_BL_PROTECT ? mode_names[m] : "?"; }

int bh_bl_mode_parse(const char *s, bh_bl_mode *m)
{
	for (int i = 0; i <= BH_BL_PROTECT; i++)
		if (s && !strcmp(s, mode_names[i])) {
			*m = (bh_bl_mode)i;
			return 0;
		}
	return BH_EINVAL;
}

static void ent_free(struct ent *e)
{
	free(e->a);
	free(e->b);
	free(e->sha256);
	free(e->source);
}

void bh_baseline_free(bh_baseline *b)
{
	if (!b)
		return;
	for (int k = 0; k < BH_BL__KIND_COUNT; k++) {
		for (size_t i = 0; i < b->sec[k].n; i++)
			ent_free(&b->sec[k].v[i]);
		free(b->sec[k].v);
	}
	bh_map_free(&b->index);
	free(b->repository);
	free(b->digest);
	free(b);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int bh_baseline_new(const char *repository, const char *digest, bh_baseline **out, bh_error *err)
{
	bh_baseline *b;

	*out = NULL;
	if (!repository || !repository[0] || strlen(repository) >= BH_BL_STR_MAX)
		return bh_error_set(err, BH_EINVAL, "a baseline needs a repository of 1 to %d bytes", BH_BL_STR_MAX - 1);
	if (digest && strlen(digest) >= BH_BL_STR_MAX)
		return bh_error_set(err, BH_EINVAL, "digest too long");
	if (!(b = calloc(1, sizeof(*b))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	bh_map_init(&b->index, NULL);
	b->version = 1;
	b->mode = BH_BL_LEARN;
	if (!(b->repository = strdup(repository)) || !(b->digest = dup_or_empty(digest))) {
		bh_baseline_free(b);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	*out = b;
	return 0;
}

const char *bh_baseline_repository(const bh_baseline *b) { return b->repository; }
const char *bh_baseline_digest(const bh_baseline *b) { return b->digest; }
bh_bl_mode bh_baseline_mode(const bh_baseline *b) { return b->mode; }
uint64_t bh_baseline_version(const bh_baseline *b) { return b->version; }
void bh_baseline_bump(bh_baseline *b) { b->version++; }
bh_bl_learn *bh_baseline_learn(bh_baseline *b) { return &b->learn; }
size_t bh_baseline_count(const bh_baseline *b, bh_bl_kind k) { return (unsigned)k < BH_BL__KIND_COUNT ? b->sec[k].n : 0; }

void bh_baseline_set_mode(bh_baseline *b, bh_bl_mode m)
{
	if (b->mode != m) {
		b->mode = m;
		b->version++;
	}
}

int bh_baseline_set_digest(bh_baseline *b, const char *digest, bh_error *err)
{
	char *d;
	if (!digest || strlen(digest) >= BH_BL_STR_MAX)
		return bh_error_set(err, BH_EINVAL, "digest missing or too long");
	if (!(d = strdup(digest)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	free(b->digest);
	b->digest = d;
	return 0;
}

void bh_baseline_entry(const bh_baseline *b, bh_bl_kind k, size_t i, bh_bl_entry *e)
{
	const struct ent *x = &b->sec[k].v[i];
	e->kind = k;
	e->a = x->a;
	e->b = x->b;
	e->sha256 = x->sha256;
	e->port = x->port;
	e->source = x->source;
	e->first_seen = x->first_seen;
	e->last_seen = x->last_seen;
	e->count = x->count;
}

/* ---- field checks ---- */

static bool peer_valid(const char *p)
{
	uint8_t a[16];
	unsigned plen;
	if (!strcmp(p, "*") || !strcmp(p, "host") || !strcmp(p, "world"))
		return true;
	if (!strncmp(p, "image:", 6))
		return p[6] != 0;
	return bh_ctnet_cidr_parse(p, a, &plen) == 0;
}

static bool proto_valid(const char *p)
{
	return !p || !p[0] || !strcmp(p, "tcp") || !strcmp(p, "udp");
}

static bool access_valid(const char *p)
{
	return !p || !p[0] || !strcmp(p, "w") || !strcmp(p, "r") || !strcmp(p, "rw");
}

static bool hex64(const char *s)
{
	if (!s || !s[0])
		return true;
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int check_entry(const bh_bl_entry *e, bh_error *err)
{
	const char *name = bh_bl_kind_name(e->kind);
	if ((unsigned)e->kind >= BH_BL__KIND_COUNT)
		return bh_error_set(err, BH_EINVAL, "unknown entry kind %d", (int)e->kind);
	if ((e->a && strlen(e->a) >= BH_BL_STR_MAX) || (e->b && strlen(e->b) >= BH_BL_STR_MAX) ||
	    (e->source && strlen(e->source) >= 64))
		return bh_error_set(err, BH_EINVAL, "%s entry: a field is longer than %d bytes", name, BH_BL_STR_MAX - 1);
	if (!e->a || !e->a[0]) {
		if (e->kind != BH_BL_LISTEN)
			return bh_error_set(err, BH_EINVAL, "%s entry: %s is empty", name,
					    e->kind == BH_BL_FILE ? "path" : e->kind == BH_BL_CAPABILITY ? "name" :
					    (e->kind == BH_BL_OUTBOUND || e->kind == BH_BL_INBOUND) ? "peer" : "exe");
	}
	if (e->port > 65535)
		return bh_error_set(err, BH_EINVAL, "%s entry: port %u is over 65535", name, e->port);
	switch (e->kind) {
	case BH_BL_PROCESS:
		if (!hex64(e->sha256))
			return bh_error_set(err, BH_EINVAL, "process entry %s: sha256 is not 64 lowercase hex digits", e->a);
		break;
	case BH_BL_FILE:
		if (!access_valid(e->b))
			return bh_error_set(err, BH_EINVAL, "file entry %s: access is \"w\", \"r\" or \"rw\", not \"%s\"", e->a, e->b);
		break;
	case BH_BL_LISTEN:
		if (!proto_valid(e->b))
			return bh_error_set(err, BH_EINVAL, "listen entry: proto is tcp or udp, not \"%s\"", e->b);
		break;
	case BH_BL_OUTBOUND:
	case BH_BL_INBOUND:
		if (!peer_valid(e->a))
			return bh_error_set(err, BH_EINVAL, "%s entry: peer \"%s\" is not image:REPO, an address, a CIDR, host, world or *",
					    name, e->a);
		if (!proto_valid(e->b))
			return bh_error_set(err, BH_EINVAL, "%s entry %s: proto is tcp or udp, not \"%s\"", name, e->a, e->b);
		break;
	default:
		break;
	}
	return 0;
}

/* The identity of an entry: its kind and the fields that say what it allows (not when or how often). */
static int ident(char *out, size_t n, bh_bl_kind k, const char *a, const char *b, uint32_t port)
{
	int w = snprintf(out, n, "%d\x1f%s\x1f%s\x1f%u", (int)k, a ? a : "", b ? b : "", port);
	return w < 0 || (size_t)w >= n ? BH_EINVAL : 0;
}

static int reindex(bh_baseline *b)
{
	char key[2 * BH_BL_STR_MAX + 32];
	bh_map_free(&b->index);
	bh_map_init(&b->index, NULL);
	for (int k = 0; k < BH_BL__KIND_COUNT; k++)
		for (size_t i = 0; i < b->sec[k].n; i++) {
			const struct ent *x = &b->sec[k].v[i];
			if (ident(key, sizeof(key), (bh_bl_kind)k, x->a, x->b, x->port) == 0 &&
			    bh_map_put(&b->index, key, (void *)(uintptr_t)(i + 1)))
				return BH_ENOMEM;
		}
	return 0;
}

int bh_baseline_add(bh_baseline *b, const bh_bl_entry *e, bool *added, bh_error *err)
{
	char key[2 * BH_BL_STR_MAX + 32];
	struct section *s;
	struct ent *x;
	uintptr_t at;
	int rc;

	bh_bl_entry norm;

	if (added)
		*added = false;
	if ((rc = check_entry(e, err)))
		return rc;
	/* the fields a kind does not have are dropped, and a file entry without access allows both
	 * (written out as "rw"): what is stored is what a written document reads back as */
	norm = *e;
	if (norm.kind == BH_BL_FILE && (!norm.b || !norm.b[0]))
		norm.b = "rw";
	if (norm.kind != BH_BL_LISTEN && norm.kind != BH_BL_OUTBOUND && norm.kind != BH_BL_INBOUND)
		norm.port = 0;
	if (norm.kind == BH_BL_CAPABILITY || norm.kind == BH_BL_LISTEN)
		norm.b = norm.kind == BH_BL_LISTEN ? norm.b : NULL;
	if (norm.kind == BH_BL_LISTEN)
		norm.a = NULL;
	if (norm.kind != BH_BL_PROCESS)
		norm.sha256 = NULL;
	e = &norm;
	/* "" and NULL are the same field; a process's parent "" means any parent */
	if (ident(key, sizeof(key), e->kind, e->a, e->b, e->port))
		return bh_error_set(err, BH_EINVAL, "entry too long");
	s = &b->sec[e->kind];
	at = (uintptr_t)bh_map_get(&b->index, key);
	if (at) {
		x = &s->v[at - 1];
		if (e->last_seen > x->last_seen)
			x->last_seen = e->last_seen;
		if (e->first_seen && (!x->first_seen || e->first_seen < x->first_seen))
			x->first_seen = e->first_seen;
		x->count += e->count ? e->count : 1;
		if (e->sha256 && e->sha256[0] && (!x->sha256 || !x->sha256[0])) {
			char *h = strdup(e->sha256);
			if (!h)
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			free(x->sha256);
			x->sha256 = h;
		}
		return 0;
	}
	if (b->total >= BH_BL_ENTRIES_MAX)
		return bh_error_set(err, BH_ELIMIT, "baseline of %s: more than %d entries", b->repository, BH_BL_ENTRIES_MAX);
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct ent *nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		s->v = nv;
		s->cap = nc;
	}
	x = &s->v[s->n];
	memset(x, 0, sizeof(*x));
	x->a = dup_or_empty(e->a);
	x->b = dup_or_empty(e->b);
	x->sha256 = dup_or_empty(e->sha256);
	x->source = dup_or_empty(e->source ? e->source : "learned");
	if (!x->a || !x->b || !x->sha256 || !x->source) {
		ent_free(x);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	x->port = e->port;
	x->first_seen = e->first_seen ? e->first_seen : e->last_seen;
	x->last_seen = e->last_seen ? e->last_seen : e->first_seen;
	x->count = e->count ? e->count : 1;
	if (bh_map_put(&b->index, key, (void *)(uintptr_t)(s->n + 1))) {
		ent_free(x);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	s->n++;
	b->total++;
	b->version++;
	if (added)
		*added = true;
	return 0;
}

int bh_baseline_remove(bh_baseline *b, const bh_bl_entry *e)
{
	char key[2 * BH_BL_STR_MAX + 32];
	struct section *s;
	uintptr_t at;

	if ((unsigned)e->kind >= BH_BL__KIND_COUNT || ident(key, sizeof(key), e->kind, e->a, e->b, e->port))
		return 0;
	s = &b->sec[e->kind];
	if (!(at = (uintptr_t)bh_map_get(&b->index, key)))
		return 0;
	ent_free(&s->v[at - 1]);
	memmove(&s->v[at - 1], &s->v[at], (s->n - at) * sizeof(*s->v));
	s->n--;
	b->total--;
	b->version++;
	return reindex(b) ? BH_ENOMEM : 1;
}

/* ---- matching ---- */

static bool str_any(const char *s)
{
	return !s || !s[0] || !strcmp(s, "*");
}

static bool peer_match(const char *p, const bh_bl_obs *o)
{
	uint8_t net[16], a[16];
	unsigned plen;

	if (!strcmp(p, "*"))
		return true;
	if (!strcmp(p, "host"))
		return o->peer_name && !strcmp(o->peer_name, "host");
	if (!strcmp(p, "world"))
		return !o->peer_private && (!o->peer_name || !o->peer_name[0]);
	if (!strncmp(p, "image:", 6))
		return o->peer_name && !strcmp(o->peer_name, p);
	if (!o->peer_addr || bh_ctnet_cidr_parse(p, net, &plen) || bh_ctnet_addr_parse(o->peer_addr, a))
		return false;
	return bh_ctnet_cidr_contains(net, plen, a);
}

static bool proto_match(const char *e, const char *o)
{
	return str_any(e) || (o && !strcmp(e, o));
}

static bool access_match(const char *e, const char *o)
{
	return str_any(e) || !o || !o[0] || strchr(e, o[0]) != NULL;
}

static bool glob_or_equal(const char *pat, const char *s)
{
	if (!strcmp(pat, s))
		return true;
	/* an absolute pattern matches only absolute paths: the glob ignores the leading '/' of both */
	if ((pat[0] == '/') != (s[0] == '/'))
		return false;
	return bh_glob_match(pat, s);
}

/* Up to four of the section's entries, for a message. */
static void list_some(const bh_baseline *b, bh_bl_kind k, char *buf, size_t n)
{
	const struct section *s = &b->sec[k];
	size_t used = 0;
	int w;

	if (s->n == 0) {
		snprintf(buf, n, "the baseline has no %s entries", bh_bl_section_name(k));
		return;
	}
	w = snprintf(buf, n, "no %s entry matches (%zu entr%s: ", bh_bl_section_name(k), s->n, s->n == 1 ? "y" : "ies");
	used = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < s->n && i < 4 && used < n; i++) {
		bh_bl_entry e;
		char d[200];
		bh_baseline_entry(b, k, i, &e);
		bh_baseline_entry_describe(&e, d, sizeof(d));
		w = snprintf(buf + used, n - used, "%s%s", i ? "; " : "", d);
		used += w > 0 ? (size_t)w : 0;
	}
	if (used < n)
		snprintf(buf + used, n - used, "%s)", s->n > 4 ? "; ..." : "");
}

bool bh_baseline_match(const bh_baseline *b, const bh_bl_obs *o, char *why, size_t n)
{
	const struct section *s;
	char near[400];
	bool have_near = false;

	if ((unsigned)o->kind >= BH_BL__KIND_COUNT)
		return false;
	s = &b->sec[o->kind];
	near[0] = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct ent *x = &s->v[i];
		bh_bl_entry e;
		char d[300];
		bool m = false;

		switch (o->kind) {
		case BH_BL_PROCESS:
			if (!o->exe || !glob_or_equal(x->a, o->exe))
				break;
			bh_baseline_entry(b, o->kind, i, &e);
			bh_baseline_entry_describe(&e, d, sizeof(d));
			if (!str_any(x->b) && o->parent && !glob_or_equal(x->b, o->parent)) {
				if (!have_near)
					snprintf(near, sizeof(near), "%s[%zu] %s: another parent", bh_bl_section_name(o->kind), i, d);
				have_near = true;
				break;
			}
			if (x->sha256[0] && o->sha256 && o->sha256[0] && strcmp(x->sha256, o->sha256) != 0) {
				snprintf(near, sizeof(near), "%s[%zu] %s: the executable's sha256 was %.12s..., now %.12s...",
					 bh_bl_section_name(o->kind), i, d, x->sha256, o->sha256);
				have_near = true;
				break;
			}
			m = true;
			break;
		case BH_BL_PROBE:
			m = o->exe && o->args && !strcmp(x->a, o->exe) && !strcmp(x->b, o->args);
			break;
		case BH_BL_FILE:
			m = o->path && glob_or_equal(x->a, o->path) && access_match(x->b, o->access);
			break;
		case BH_BL_LISTEN:
			m = proto_match(x->b, o->proto) && (x->port == 0 || x->port == o->port);
			break;
		case BH_BL_OUTBOUND:
		case BH_BL_INBOUND:
			if (!peer_match(x->a, o))
				break;
			if (proto_match(x->b, o->proto) && (x->port == 0 || x->port == o->port)) {
				m = true;
				break;
			}
			if (!have_near) {
				bh_baseline_entry(b, o->kind, i, &e);
				bh_baseline_entry_describe(&e, d, sizeof(d));
				snprintf(near, sizeof(near), "%s[%zu] %s: another port or protocol", bh_bl_section_name(o->kind), i, d);
				have_near = true;
			}
			break;
		case BH_BL_CAPABILITY:
			m = o->cap && !strcmp(x->a, o->cap);
			break;
		default:
			break;
		}
		if (m)
			return true;
	}
	if (why && n) {
		if (have_near)
			snprintf(why, n, "%s", near);
		else
			list_some(b, o->kind, why, n);
	}
	return false;
}

void bh_baseline_entry_of(const bh_bl_obs *o, bh_bl_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = o->kind;
	switch (o->kind) {
	case BH_BL_PROCESS:
		e->a = o->exe;
		e->b = o->parent;
		e->sha256 = o->sha256;
		break;
	case BH_BL_PROBE:
		e->a = o->exe;
		e->b = o->args;
		break;
	case BH_BL_FILE:
		e->a = o->path;
		e->b = o->access;
		break;
	case BH_BL_LISTEN:
		e->b = o->proto;
		e->port = o->port;
		break;
	case BH_BL_OUTBOUND:
	case BH_BL_INBOUND:
		/* a container peer by its image (addresses change when containers restart), else the address */
		e->a = o->peer_name && o->peer_name[0] ? o->peer_name : o->peer_addr;
		e->b = o->proto;
		e->port = o->port;
		break;
	case BH_BL_CAPABILITY:
		e->a = o->cap;
		break;
	default:
		break;
	}
}

void bh_baseline_obs_describe(const bh_bl_obs *o, char *buf, size_t n)
{
	switch (o->kind) {
	case BH_BL_PROCESS:
		snprintf(buf, n, "process %s (parent %s)", o->exe ? o->exe : "?", o->parent ? o->parent : "not known");
		break;
	case BH_BL_PROBE:
		snprintf(buf, n, "engine exec %s", o->args ? o->args : o->exe ? o->exe : "?");
		break;
	case BH_BL_FILE:
		snprintf(buf, n, "file %s %s", o->access && o->access[0] == 'r' ? "read" : "written", o->path ? o->path : "?");
		break;
	case BH_BL_LISTEN:
		snprintf(buf, n, "listening on %s/%u", o->proto ? o->proto : "?", o->port);
		break;
	case BH_BL_OUTBOUND:
		snprintf(buf, n, "outbound %s%s%s%s%s:%u/%s", o->peer_addr ? o->peer_addr : "?", o->peer_name && o->peer_name[0] ? " (" : "",
			 o->peer_name && o->peer_name[0] ? o->peer_name : "", o->peer_name && o->peer_name[0] ? ")" : "", "", o->port,
			 o->proto ? o->proto : "?");
		break;
	case BH_BL_INBOUND:
		snprintf(buf, n, "inbound from %s%s%s%s to port %u/%s", o->peer_addr ? o->peer_addr : "?",
			 o->peer_name && o->peer_name[0] ? " (" : "", o->peer_name && o->peer_name[0] ? o->peer_name : "",
			 o->peer_name && o->peer_name[0] ? ")" : "", o->port, o->proto ? o->proto : "?");
		break;
	case BH_BL_CAPABILITY:
		snprintf(buf, n, "capability %s", o->cap ? o->cap : "?");
		break;
	default:
		snprintf(buf, n, "?");
	}
}

void bh_baseline_entry_describe(const bh_bl_entry *e, char *buf, size_t n)
{
	const char *a = e->a ? e->a : "", *b = e->b ? e->b : "";
	switch (e->kind) {
	case BH_BL_PROCESS:
		snprintf(buf, n, "{exe %s, parent %s}", a, b[0] ? b : "*");
		break;
	case BH_BL_PROBE:
		snprintf(buf, n, "{probe %s}", b);
		break;
	case BH_BL_FILE:
		snprintf(buf, n, "{path %s, access %s}", a, b[0] ? b : "rw");
		break;
	case BH_BL_LISTEN:
		snprintf(buf, n, "{%s/%u}", b[0] ? b : "*", e->port);
		break;
	case BH_BL_OUTBOUND:
	case BH_BL_INBOUND:
		if (e->port)
			snprintf(buf, n, "{peer %s, %s/%u}", a, b[0] ? b : "*", e->port);
		else
			snprintf(buf, n, "{peer %s, %s/*}", a, b[0] ? b : "*");
		break;
	case BH_BL_CAPABILITY:
		snprintf(buf, n, "{%s}", a);
		break;
	default:
		snprintf(buf, n, "?");
	}
}

/* ---- generalising learned files ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int bh_baseline_generalize(bh_baseline *b, bh_error *err)
{
	struct section *s = &b->sec[BH_BL_FILE];
	char **dirs;
	size_t nd = 0;
	int rc = 0;

	if (s->n < BH_BL_COLLAPSE_MIN)
		return 0;
	if (!(dirs = calloc(s->n, sizeof(*dirs))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		const char *p = s->v[i].a, *sl = strrchr(p, '/');
		if (!strcmp(s->v[i].source, "learned") && sl && sl != p && !strpbrk(p, "*?[") && p[0] == '/') {
			if (!(dirs[nd] = strndup(p, (size_t)(sl - p)))) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				goto out;
			}
			nd++;
		}
	}
	qsort(dirs, nd, sizeof(*dirs), cmp_str);
	for (size_t i = 0; i < nd;) {
		size_t j = i;
		while (j < nd && !strcmp(dirs[j], dirs[i]))
			j++;
		if (j - i >= BH_BL_COLLAPSE_MIN) {
			/* replace the directory's learned files by one pattern entry (the directory and a star) with their summed counts */
			char pat[BH_BL_STR_MAX];
			bh_bl_entry ne;
			uint64_t first = 0, last = 0, count = 0;
			bool rw = false;
			size_t k = 0;
			if ((size_t)snprintf(pat, sizeof(pat), "%s/*", dirs[i]) >= sizeof(pat)) {
				i = j;
				continue;
			}
			while (k < s->n) {
				const char *p = s->v[k].a, *sl = strrchr(p, '/');
				if (!strcmp(s->v[k].source, "learned") && sl && (size_t)(sl - p) == strlen(dirs[i]) &&
				    !strncmp(p, dirs[i], (size_t)(sl - p)) && !strpbrk(p, "*?[")) {
					if (!first || s->v[k].first_seen < first)
						first = s->v[k].first_seen;
					if (s->v[k].last_seen > last)
						last = s->v[k].last_seen;
					count += s->v[k].count;
					rw |= strchr(s->v[k].b, 'r') != NULL;
					ent_free(&s->v[k]);
					memmove(&s->v[k], &s->v[k + 1], (s->n - k - 1) * sizeof(*s->v));
					s->n--;
					b->total--;
				} else {
					k++;
				}
			}
			if ((rc = reindex(b))) {
				bh_error_set(err, rc, "out of memory");
				goto out;
			}
			memset(&ne, 0, sizeof(ne));
			ne.kind = BH_BL_FILE;
			ne.a = pat;
			ne.b = rw ? "rw" : "w";
			ne.source = "learned";
			ne.first_seen = first;
			ne.last_seen = last;
			ne.count = count;
			if ((rc = bh_baseline_add(b, &ne, NULL, err)))
				goto out;
		}
		i = j;
	}
out:
	for (size_t i = 0; i < nd; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

/* ---- documents ---- */

static void fmt_time(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = 0;
}

static bool parse_time(const char *s, uint64_t *out)
{
	struct tm tm;
	char *end;
	time_t t;

	*out = 0;
	if (!s || !s[0])
		return true;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return false;
	t = timegm(&tm);
	if (t < 0)
		return false;
	*out = (uint64_t)t;
	return true;
}

static json_t *entry_json(const bh_baseline *b, bh_bl_kind k, size_t i)
{
	const struct ent *x = &b->sec[k].v[i];
	json_t *o = json_object();
	char t1[32], t2[32];

	if (!o)
		return NULL;
	switch (k) {
	case BH_BL_PROCESS:
		json_object_set_new(o, "exe", json_string(x->a));
		json_object_set_new(o, "parent", json_string(x->b));
		if (x->sha256[0])
			json_object_set_new(o, "sha256", json_string(x->sha256));
		break;
	case BH_BL_PROBE:
		json_object_set_new(o, "exe", json_string(x->a));
		json_object_set_new(o, "args", json_string(x->b));
		break;
	case BH_BL_FILE:
		json_object_set_new(o, "path", json_string(x->a));
		json_object_set_new(o, "access", json_string(x->b[0] ? x->b : "rw"));
		break;
	case BH_BL_LISTEN:
		json_object_set_new(o, "proto", json_string(x->b));
		json_object_set_new(o, "port", json_integer(x->port));
		break;
	case BH_BL_OUTBOUND:
	case BH_BL_INBOUND:
		json_object_set_new(o, "peer", json_string(x->a));
		json_object_set_new(o, "proto", json_string(x->b));
		json_object_set_new(o, "port", json_integer(x->port));
		break;
	case BH_BL_CAPABILITY:
		json_object_set_new(o, "name", json_string(x->a));
		break;
	default:
		break;
	}
	fmt_time(x->first_seen, t1);
	fmt_time(x->last_seen, t2);
	json_object_set_new(o, "source", json_string(x->source));
	if (t1[0])
		json_object_set_new(o, "first_seen", json_string(t1));
	if (t2[0])
		json_object_set_new(o, "last_seen", json_string(t2));
	json_object_set_new(o, "count", json_integer((json_int_t)(x->count > INT64_MAX ? INT64_MAX : x->count)));
	return o;
}

json_t *bh_baseline_to_json(const bh_baseline *b)
{
	json_t *o = json_object(), *learn = json_object();
	char t[32];

	if (!o || !learn) {
		json_decref(o);
		json_decref(learn);
		return NULL;
	}
	json_object_set_new(o, "apiVersion", json_string(BH_BL_API_VERSION));
	json_object_set_new(o, "kind", json_string("Baseline"));
	json_object_set_new(o, "repository", json_string(b->repository));
	json_object_set_new(o, "digest", json_string(b->digest));
	json_object_set_new(o, "version", json_integer((json_int_t)b->version));
	json_object_set_new(o, "mode", json_string(bh_bl_mode_name(b->mode)));
	fmt_time(b->learn.started, t);
	json_object_set_new(learn, "started", json_string(t));
	json_object_set_new(learn, "duration_s", json_integer((json_int_t)b->learn.duration_s));
	json_object_set_new(learn, "events", json_integer((json_int_t)b->learn.events));
	if (b->learn.events_max)
		json_object_set_new(learn, "events_max", json_integer((json_int_t)b->learn.events_max));
	fmt_time(b->learn.last_new, t);
	json_object_set_new(learn, "last_new", json_string(t));
	json_object_set_new(learn, "quiet_s", json_integer((json_int_t)b->learn.quiet_s));
	json_object_set_new(o, "learn", learn);
	for (int k = 0; k < BH_BL__KIND_COUNT; k++) {
		json_t *arr = json_array();
		if (!arr) {
			json_decref(o);
			return NULL;
		}
		for (size_t i = 0; i < b->sec[k].n; i++) {
			json_t *e = entry_json(b, (bh_bl_kind)k, i);
			if (!e || json_array_append_new(arr, e)) {
				json_decref(arr);
				json_decref(o);
				return NULL;
			}
		}
		json_object_set_new(o, section_names[k], arr);
	}
	return o;
}

/* A scalar as YAML: JSON's double-quoted string is also YAML's, escapes included, with every non-ASCII
 * character escaped (YAML refuses C1 control characters written raw, which JSON allows); numbers as
 * they are. */
static void yaml_scalar(bh_buf *out, json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!s) {
		bh_buf_fail(out);
		return;
	}
	bh_buf_puts(out, s);
	free(s);
}

static void yaml_flow(bh_buf *out, json_t *o)
{
	const char *k;
	json_t *v;
	int first = 1;
	bh_buf_putc(out, '{');
	json_object_foreach(o, k, v) {
		if (!first)
			bh_buf_puts(out, ", ");
		first = 0;
		bh_buf_puts(out, k); /* the document's keys are fixed identifiers */
		bh_buf_puts(out, ": ");
		yaml_scalar(out, v);
	}
	bh_buf_putc(out, '}');
}

int bh_baseline_to_yaml(const bh_baseline *b, bh_buf *out)
{
	json_t *doc = bh_baseline_to_json(b);
	static const char *const head[] = { "apiVersion", "kind", "repository", "digest", "version", "mode" };

	if (!doc)
		return BH_ENOMEM;
	bh_buf_printf(out, "# bulkhead baseline (README \"Baselines\"): edit, then `bulkhead baseline import FILE`\n");
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		bh_buf_printf(out, "%s: ", head[i]);
		yaml_scalar(out, json_object_get(doc, head[i]));
		bh_buf_putc(out, '\n');
	}
	bh_buf_puts(out, "learn: ");
	yaml_flow(out, json_object_get(doc, "learn"));
	bh_buf_putc(out, '\n');
	for (int k = 0; k < BH_BL__KIND_COUNT; k++) {
		json_t *arr = json_object_get(doc, section_names[k]), *e;
		size_t i;
		if (json_array_size(arr) == 0) {
			bh_buf_printf(out, "%s: []\n", section_names[k]);
			continue;
		}
		bh_buf_printf(out, "%s:\n", section_names[k]);
		json_array_foreach(arr, i, e) {
			bh_buf_puts(out, "  - ");
			yaml_flow(out, e);
			bh_buf_putc(out, '\n');
		}
	}
	json_decref(doc);
	return bh_buf_oom(out) ? BH_ENOMEM : 0;
}

/* A string field, or NULL when absent; error when present and not a string. */
static int get_str(const json_t *o, const char *key, const char *where, const char **out, bh_error *err)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bh_error_set(err, BH_EINVAL, "%s.%s: not a string", where, key);
	if (json_string_length(v) >= BH_BL_STR_MAX || strlen(json_string_value(v)) != json_string_length(v))
		return bh_error_set(err, BH_EINVAL, "%s.%s: longer than %d bytes or holds a NUL", where, key, BH_BL_STR_MAX - 1);
	*out = json_string_value(v);
	return 0;
}

/* An unsigned field (YAML gives numbers as strings), at most max. */
static int get_uint(const json_t *o, const char *key, const char *where, uint64_t max, uint64_t *out, bh_error *err)
{
	json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0 && (uint64_t)json_integer_value(v) <= max) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		unsigned long long x;
		if (s[0] >= '0' && s[0] <= '9') {
			x = strtoull(s, &end, 10);
			if (!*end && x <= max) {
				*out = x;
				return 0;
			}
		}
	}
	return bh_error_set(err, BH_EINVAL, "%s.%s: not a whole number from 0 to %llu", where, key, (unsigned long long)max);
}

static int get_time(const json_t *o, const char *key, const char *where, uint64_t *out, bh_error *err)
{
	const char *s;
	int rc = get_str(o, key, where, &s, err);
	if (rc)
		return rc;
	if (!parse_time(s, out))
		return bh_error_set(err, BH_EINVAL, "%s.%s: not a time like 2026-12-07T10:00:00Z", where, key);
	return 0;
}

static int entry_from_json(bh_baseline *b, bh_bl_kind k, const json_t *e, const char *where, bh_error *err)
{
	bh_bl_entry x;
	uint64_t port = 0;
	int rc;
	static const char *const akey[BH_BL__KIND_COUNT] = { "exe", "exe", "path", NULL, "peer", "peer", "name" };
	static const char *const bkey[BH_BL__KIND_COUNT] = { "parent", "args", "access", "proto", "proto", "proto", NULL };

	memset(&x, 0, sizeof(x));
	x.kind = k;
	if (k == BH_BL_CAPABILITY && json_is_string(e)) { /* capabilities: [CAP_X, ...] */
		x.a = json_string_value(e);
		x.source = "manual";
		return bh_baseline_add(b, &x, NULL, err);
	}
	if (!json_is_object(e))
		return bh_error_set(err, BH_EINVAL, "%s: not a mapping", where);
	if ((akey[k] && (rc = get_str(e, akey[k], where, &x.a, err))) || (bkey[k] && (rc = get_str(e, bkey[k], where, &x.b, err))) ||
	    (k == BH_BL_PROCESS && (rc = get_str(e, "sha256", where, &x.sha256, err))) ||
	    (rc = get_str(e, "source", where, &x.source, err)) || (rc = get_uint(e, "port", where, 65535, &port, err)) ||
	    (rc = get_time(e, "first_seen", where, &x.first_seen, err)) || (rc = get_time(e, "last_seen", where, &x.last_seen, err)) ||
	    (rc = get_uint(e, "count", where, UINT64_MAX / 2, &x.count, err)))
		return rc;
	x.port = (uint32_t)port;
	if (!x.source)
		x.source = "manual"; /* written by hand: a learned entry says so */
	if ((rc = bh_baseline_add(b, &x, NULL, err))) {
		char m[BH_ERROR_MSG_MAX];
		snprintf(m, sizeof(m), "%s", err ? err->msg : "");
		return bh_error_set(err, rc, "%s: %s", where, m);
	}
	return 0;
}

int bh_baseline_from_json(const json_t *doc, const char *label, bh_baseline **out, bh_error *err)
{
	const char *api, *kind, *repo, *digest, *mode;
	bh_baseline *b = NULL;
	json_t *learn;
	uint64_t version = 0;
	bh_bl_mode md = BH_BL_LEARN;
	int rc;

	*out = NULL;
	if (!label)
		label = "baseline";
	if (!json_is_object(doc))
		return bh_error_set(err, BH_EINVAL, "%s: not a baseline document (a mapping with repository, mode, processes ...)", label);
	if ((rc = get_str(doc, "apiVersion", label, &api, err)) || (rc = get_str(doc, "kind", label, &kind, err)) ||
	    (rc = get_str(doc, "repository", label, &repo, err)) || (rc = get_str(doc, "digest", label, &digest, err)) ||
	    (rc = get_str(doc, "mode", label, &mode, err)) || (rc = get_uint(doc, "version", label, UINT64_MAX / 2, &version, err)))
		return rc;
	if (api && strcmp(api, BH_BL_API_VERSION) != 0)
		return bh_error_set(err, BH_EUNSUPPORTED, "%s: apiVersion \"%s\" is not %s", label, api, BH_BL_API_VERSION);
	if (kind && strcmp(kind, "Baseline") != 0)
		return bh_error_set(err, BH_EINVAL, "%s: kind \"%s\" is not Baseline", label, kind);
	if (!repo || !repo[0])
		return bh_error_set(err, BH_EINVAL, "%s: repository is missing", label);
	if (mode && bh_bl_mode_parse(mode, &md))
		return bh_error_set(err, BH_EINVAL, "%s: mode \"%s\" is not learn, monitor or protect", label, mode);
	if ((rc = bh_baseline_new(repo, digest, &b, err)) || !b)
		return rc ? rc : BH_ENOMEM;
	b->mode = md;
	if ((learn = json_object_get(doc, "learn")) && !json_is_null(learn)) {
		char w[300];
		snprintf(w, sizeof(w), "%s: learn", label);
		if (!json_is_object(learn)) {
			rc = bh_error_set(err, BH_EINVAL, "%s: not a mapping", w);
			goto fail;
		}
		if ((rc = get_time(learn, "started", w, &b->learn.started, err)) ||
		    (rc = get_uint(learn, "duration_s", w, UINT32_MAX, &b->learn.duration_s, err)) ||
		    (rc = get_uint(learn, "events", w, UINT64_MAX / 2, &b->learn.events, err)) ||
		    (rc = get_time(learn, "last_new", w, &b->learn.last_new, err)) ||
		    (rc = get_uint(learn, "quiet_s", w, UINT32_MAX, &b->learn.quiet_s, err)) ||
		    (rc = get_uint(learn, "events_max", w, UINT64_MAX / 2, &b->learn.events_max, err)))
			goto fail;
	}
	for (int k = 0; k < BH_BL__KIND_COUNT; k++) {
		json_t *arr = json_object_get(doc, section_names[k]), *e;
		size_t i;
		if (!arr || json_is_null(arr) || (json_is_string(arr) && !json_string_value(arr)[0]))
			continue;
		if (!json_is_array(arr)) {
			rc = bh_error_set(err, BH_EINVAL, "%s: %s is not a list", label, section_names[k]);
			goto fail;
		}
		json_array_foreach(arr, i, e) {
			char w[300];
			snprintf(w, sizeof(w), "%s: %s[%zu]", label, section_names[k], i);
			if ((rc = entry_from_json(b, (bh_bl_kind)k, e, w, err)))
				goto fail;
		}
	}
	b->version = version ? version : 1;
	*out = b;
	return 0;
fail:
	bh_baseline_free(b);
	return rc;
}

int bh_baseline_load(const char *data, size_t len, const char *label, bh_baseline **out, bh_error *err)
{
	json_t *doc = NULL;
	size_t i = 0;
	int rc;

	*out = NULL;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	if (len > 16u << 20)
		return bh_error_set(err, BH_ELIMIT, "%s: a baseline document over 16 MiB", label ? label : "baseline");
	if (i < len && data[i] == '{')
		rc = bh_json_load(data, len, 16, label, &doc, err);
	else
		rc = bh_yaml_load(data, len, 16, label, &doc, err);
	if (rc)
		return rc;
	rc = bh_baseline_from_json(doc, label, out, err);
	json_decref(doc);
	return rc;
}

static json_t *diff_entry(const bh_baseline *b, bh_bl_kind k, size_t i)
{
	json_t *e = entry_json(b, k, i);
	if (e) {
		/* the times and counts differ between any two versions; a diff says what is allowed */
		json_object_del(e, "first_seen");
		json_object_del(e, "last_seen");
		json_object_del(e, "count");
		json_object_set_new(e, "kind", json_string(bh_bl_kind_name(k)));
	}
	return e;
}

json_t *bh_baseline_diff(const bh_baseline *a, const bh_baseline *b)
{
	json_t *o = json_object(), *added = json_array(), *removed = json_array();
	char key[2 * BH_BL_STR_MAX + 32];

	if (!o || !added || !removed)
		goto oom;
	for (int pass = 0; pass < 2; pass++) {
		const bh_baseline *from = pass ? a : b, *other = pass ? b : a;
		json_t *arr = pass ? removed : added;
		for (int k = 0; k < BH_BL__KIND_COUNT; k++)
			for (size_t i = 0; i < from->sec[k].n; i++) {
				const struct ent *x = &from->sec[k].v[i];
				json_t *e;
				if (ident(key, sizeof(key), (bh_bl_kind)k, x->a, x->b, x->port) == 0 && bh_map_get(&other->index, key))
					continue;
				if (!(e = diff_entry(from, (bh_bl_kind)k, i)) || json_array_append_new(arr, e))
					goto oom;
			}
	}
	json_object_set_new(o, "added", added);
	json_object_set_new(o, "removed", removed);
	if (a->mode != b->mode)
		json_object_set_new(o, "mode", json_pack("{s:s, s:s}", "from", bh_bl_mode_name(a->mode), "to", bh_bl_mode_name(b->mode)));
	return o;
oom:
	json_decref(o);
	json_decref(added);
	json_decref(removed);
	return NULL;
}
