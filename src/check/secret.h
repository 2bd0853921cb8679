/* secret.h - secrets (keys, tokens, passwords) in image files: rule sets and the scanner. */
#ifndef BH_CHECK_SECRET_H
#define BH_CHECK_SECRET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/severity.h"

/* Built-in plus custom rules, compiled once (PCRE2, JIT when available); read-only afterwards,
 * so one set may be shared by threads scanning different files. */
typedef struct bh_secret_rules bh_secret_rules;

typedef struct bh_secret_hit {
	const char *rule;      /* stable id, e.g. "aws-access-key-id" (static, or owned by the rule set for custom rules) */
	const char *title;     /* "AWS access key ID" (same lifetime as rule) */
	bh_severity severity;  /* CRITICAL private keys and cloud credentials, HIGH tokens, MEDIUM generic passwords */
	unsigned long line;    /* 1-based line where the match starts */
	const char *masked;    /* the secret masked: its first 4 chars (or a known prefix like "ghp_", "AKIA") then '*',
				* at most 40 chars; valid only during the callback */
	const char *line_text; /* the line with the secret masked, at most 200 bytes, control bytes and invalid
				* UTF-8 shown as '?'; valid only during the callback */
} bh_secret_hit;

/* Most rules a set may hold (built-in + custom); more custom rules is BH_ELIMIT. */
#define BH_SECRET_MAX_RULES 256

/*
 * Built-in rules plus optional custom rules: a JSON array of
 * {"id", "title", "severity", "regex", "keywords": [...]} (custom may be NULL or JSON null; title
 * defaults to id, severity to MEDIUM). The regex is PCRE2 over bytes (no UTF mode) and matches
 * within one line; a group named "secret" marks the secret, else the whole match is. Keywords are
 * case-insensitive literals of at least 3 bytes: the regex then only runs on lines holding one; a
 * rule without such a keyword runs over every text file. Custom rules run on text files only, before
 * the generic password rules. BH_EINVAL names the bad rule. Caller frees with bh_secret_rules_free.
 */
int bh_secret_rules_new(const json_t *custom, bh_secret_rules **out, bh_error *err);
void bh_secret_rules_free(bh_secret_rules *r);

/* True when a file at this path/size is worth reading: not empty, not above max_size (0 = no
 * limit), not an obvious binary by extension, not inside .git (except .git/config). No allocation. */
bool bh_secret_wants(const char *path, uint64_t size, uint64_t max_size);

/*
 * Scans data[0..len) of file `path` (path picks the file class: generic password rules only run on
 * configuration files); calls cb for each hit; stops early and returns cb's non-zero value.
 * Binary content (a NUL byte in the first 8 KiB) is only searched for PEM private keys. Nothing of
 * data is copied; a scan allocates a few small PCRE2 buffers only when a keyword is seen.
 */
int bh_secret_scan(const bh_secret_rules *r, const char *path, const unsigned char *data, size_t len,
		   int (*cb)(void *ctx, const bh_secret_hit *hit), void *ctx, bh_error *err);

/* The built-in patterns as the rule catalogue lists them: count, then id/title/severity of pattern i
 * (static strings, not to be freed). */
size_t bh_secret_pattern_count(void);
void bh_secret_pattern(size_t i, const char **id, const char **title, bh_severity *severity);

#ifdef BH_SECRET_INTERNAL
/* Shared by secret.c (engine) and secret_rules.c (the built-in table) only. */

/* Byte offsets into the scanned data: the whole match and the secret inside it. */
typedef struct bh_secret_match {
	size_t m0, m1;
	size_t s0, s1;
	size_t k0, k1; /* the key name of an assignment (generic rules), else equal to each other */
} bh_secret_match;

enum {
	BH_SR_BINARY = 1u << 0,    /* also searched in binary content */
	BH_SR_MULTILINE = 1u << 1, /* the match may run past its line (up to BH_SECRET_SPAN bytes) */
	BH_SR_CONFIG = 1u << 2,    /* only in configuration files (.env, .ini, .yaml, .json, ...) */
	BH_SR_GENERIC = 1u << 3,   /* dropped when a specific rule already reported the same bytes */
	BH_SR_RANDOM = 1u << 4     /* the secret is random: drop identifier-like values (all [a-z_]) */
};

/* A multi-line match starts within its keyword's line and is at most BH_SECRET_MAXMATCH long; it is
 * searched for in BH_SECRET_SPAN bytes from that line, so that a search finding nothing proves no
 * match starts in the first SPAN - MAXMATCH bytes (hostile input cannot make the search quadratic). */
#define BH_SECRET_SPAN (128u * 1024u)
#define BH_SECRET_MAXMATCH (80u * 1024u)

typedef struct bh_secret_builtin {
	const char *id, *title;
	bh_severity severity;
	const char *regex;            /* NULL when find is set */
	unsigned group;               /* capture group holding the secret (0 = whole match) */
	unsigned key_group;           /* capture group holding the key name, 0 = none */
	const char *const *keywords;  /* lowercase, NULL-terminated */
	unsigned flags;
	unsigned min_len;
	double min_entropy;           /* bits per byte of the secret past its known prefix */
	/* Extra checks on a match (may narrow m->s0/s1); false drops it. `cfg` = configuration-file kind. */
	bool (*check)(const unsigned char *d, size_t n, bh_secret_match *m, int cfg);
	/* Replaces the regex: finds a match touching [w0,w1) at or after `from`. When there is none it
	 * may set m->m1 to an offset before which no match can start (else leaves it 0). */
	bool (*find)(const unsigned char *d, size_t n, size_t w0, size_t w1, size_t from, bh_secret_match *m);
	/* Where a match holding the keyword at p must start (at or after w0): the regex is then tried
	 * anchored there once per keyword instead of at every byte of the line. NULL = search. */
	size_t (*anchor)(const unsigned char *d, size_t w0, size_t p);
} bh_secret_builtin;

/* Configuration-file kinds passed to check(): 0 = not a configuration file. STRUCT (YAML, XML) and
 * JSON files also carry prose (descriptions, translations); JSON keys are always quoted. */
enum { BH_SECRET_CFG_NONE = 0, BH_SECRET_CFG_KV, BH_SECRET_CFG_STRUCT, BH_SECRET_CFG_JSON };

const bh_secret_builtin *bh_secret_builtins(size_t *n);
/* Shannon entropy in bits per byte. */
double bh_secret_entropy(const unsigned char *s, size_t n);
/* True for values that only stand in for a secret: EXAMPLE, ${VAR}, <password>, xxxxxxxx, one repeated char... */
bool bh_secret_placeholder(const unsigned char *s, size_t n, size_t prefix);
#endif

#endif
