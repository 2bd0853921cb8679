/* image.h - checks of an image as built: its config (user, healthcheck, env, ports, history, age)
 * and its files in every layer (setuid, world-writable, package caches, secrets). */
#ifndef BH_CHECK_IMAGE_H
#define BH_CHECK_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "check/check.h"
#include "image/collect.h"
#include "sbom/sbom.h"

typedef struct bh_imgcheck_opts {
	bool config;             /* image config and file checks (BH-IMG-*) */
	bool secrets;            /* secrets in every layer (BH-SECRET-*) */
	unsigned max_age_days;   /* image older than this is reported; 0 = never */
	uint64_t secret_max_file;/* larger files are not searched for secrets */
	const json_t *secret_rules; /* custom secret rules (policy file), NULL = built-in only */
	long long now;           /* "today" as a Unix time, for the age check (0 = the clock) */
} bh_imgcheck_opts;

void bh_imgcheck_opts_default(bh_imgcheck_opts *o);

typedef struct bh_imgcheck bh_imgcheck;

/* Creates a checker; free with bh_imgcheck_free. */
int bh_imgcheck_new(const bh_imgcheck_opts *o, bh_imgcheck **out, bh_error *err);
/* The hook to put in bh_source_opts.hook for the inventory pass (owned by the checker). */
const bh_entry_hook *bh_imgcheck_hook(bh_imgcheck *c);
/* After the inventory: adds every finding for the scanned target s to out. */
int bh_imgcheck_finish(bh_imgcheck *c, const bh_sbom *s, bh_checks *out, bh_error *err);
void bh_imgcheck_free(bh_imgcheck *c);

/* The image rules (static), in id order, and the text every BH-SECRET-<pattern> finding shares (its id
 * is the prefix; severity and pattern title come from the secret rule); check/rules.h lists them. */
extern const bh_rule bh_imgcheck_rules[];
extern const size_t bh_imgcheck_rule_count;
extern const bh_rule bh_imgcheck_secret_rule;

/*
 * Whether one history line (config.history[].created_by as Docker, buildah or BuildKit write it: "/bin/sh
 * -c CMD", "|1 A=b /bin/sh -c CMD", "RUN /bin/sh -c CMD # buildkit", exec form words) runs a downloaded
 * script, judged by the Dockerfile linter's shell analysis (bh_dockerfile_fetch_exec). 0 or BH_ENOMEM.
 */
int bh_imgcheck_history_fetch_exec(const char *created_by, bool *found);

/* Config checks alone on an image config document (tests, stored configs). target names it. */
int bh_imgcheck_config(const json_t *config, const char *target, const char *const *repo_tags, size_t ntags,
		       const bh_imgcheck_opts *o, bh_checks *out, bh_error *err);

#endif
