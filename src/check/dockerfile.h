/* dockerfile.h - Dockerfile parser and security linter: BH-DF-NNN findings in category "dockerfile". */
#ifndef BH_CHECK_DOCKERFILE_H
#define BH_CHECK_DOCKERFILE_H

#include <stddef.h>

#include "check/check.h"
#include "core/error.h"
#include "core/severity.h"

/* Bounds on hostile input: larger files or physical lines are refused with BH_ELIMIT. */
#define BH_DOCKERFILE_MAX_SIZE ((size_t)4 << 20)
#define BH_DOCKERFILE_MAX_LINE ((size_t)1 << 20)
/* A Dockerfile producing more findings than this is refused (BH_ELIMIT): real files stay far
 * below it, generated or hostile ones would otherwise make the report unbounded. */
#define BH_DOCKERFILE_MAX_FINDINGS 10000

/* One rule of the linter (static data, never freed). */
typedef struct bh_dockerfile_rule {
	const char *id;       /* "BH-DF-001" */
	const char *cis;      /* CIS Docker Benchmark v1.6 id, or NULL */
	bh_severity severity; /* default severity (a finding may raise it, e.g. EXPOSE 2375) */
	const char *title;
	const char *why;
	const char *fix;
} bh_dockerfile_rule;

/* The rule table (static), for reports that list rules (SARIF) and for documentation. */
const bh_dockerfile_rule *bh_dockerfile_rules(size_t *n);

/*
 * Lints Dockerfile text (any bytes: hostile input, bounded: more than BH_DOCKERFILE_MAX_SIZE bytes
 * or a line longer than BH_DOCKERFILE_MAX_LINE is BH_ELIMIT). path is used as the finding target
 * (may be NULL). Appends findings to out (their strings owned by out); on failure out is left as it
 * was on entry. Parser directives, line continuations, heredocs, exec and shell forms and
 * multi-stage builds are understood; ARG/ENV references are not expanded.
 */
int bh_dockerfile_check(const char *path, const char *text, size_t len, bh_checks *out, bh_error *err);

#endif
