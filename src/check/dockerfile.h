/* dockerfile.h - Dockerfile parser and security linter: BH-DF-NNN findings in category "dockerfile". */
#ifndef BH_CHECK_DOCKERFILE_H
#define BH_CHECK_DOCKERFILE_H

#include <stdbool.h>
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

/* The linter's rules (static), in id order; the catalogue (check/rules.h) lists them. */
extern const bh_rule bh_dockerfile_rules[];
extern const size_t bh_dockerfile_rule_count;

/*
 * Lints Dockerfile text (any bytes: hostile input, bounded: more than BH_DOCKERFILE_MAX_SIZE bytes
 * or a line longer than BH_DOCKERFILE_MAX_LINE is BH_ELIMIT). path is used as the finding target
 * (may be NULL). Appends findings to out (their strings owned by out); on failure out is left as it
 * was on entry. Parser directives, line continuations, heredocs, exec and shell forms and
 * multi-stage builds are understood; ARG/ENV references are not expanded.
 */
int bh_dockerfile_check(const char *path, const char *text, size_t len, bh_checks *out, bh_error *err);

/*
 * The shell analysis of RUN (BH-DF-008) on one shell script (a string, any bytes): sets *found when
 * it runs a downloaded script (curl ... | sh, sudo bash <(wget -O- ...), sh -c "$(curl ...)", eval,
 * PowerShell iex (iwr ...)), following sh -c / su -c scripts a few levels deep. Image history uses
 * it on the RUN commands recorded in the config. 0, or BH_ENOMEM (*found is then false).
 */
int bh_dockerfile_fetch_exec(const char *script, bool *found);

#endif
