/* rules.h - runtime rule files in Falco's shape (rules, macros, lists, exceptions, overrides) compiled to an index by event type and evaluated per event. */
#ifndef BH_RUNTIME_RULES_H
#define BH_RUNTIME_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "runtime/cond.h"
#include "runtime/event.h"

/*
 * A rule file is a YAML sequence of items:
 *   - required_engine_version: N        accepted (and required_plugin_versions), not checked
 *   - list: NAME   items: [a, b, other_list]
 *   - macro: NAME  condition: TEXT
 *   - rule: NAME   desc, condition, output, priority (EMERGENCY ALERT CRITICAL ERROR WARNING NOTICE
 *                  INFORMATIONAL (INFO) DEBUG), tags, enabled, source (syscall), exceptions
 *                  [{name, fields, comps, values}], action (ours: alert kill pause stop quarantine)
 * An item named like an earlier one (same file or an earlier file) replaces it, unless it says
 * `append: true` (lists: items; macros and rules: condition and exceptions) or carries
 * `override: {KEY: append|replace}` (lists: items; macros: condition; rules: append for condition,
 * output, desc, tags, exceptions; replace for those and priority, enabled, action). A rule item
 * with only `rule` and `enabled` switches an earlier rule on or off. Appended condition text goes
 * after the earlier condition in parentheses: "(earlier) and not x". Unknown keys are errors.
 * Errors and warnings are "FILE:LINE:COL: message" (the column of the condition's character).
 */

typedef enum bh_rules_action {
	BH_RULES_ACT_ALERT = 0,
	BH_RULES_ACT_KILL,
	BH_RULES_ACT_PAUSE,
	BH_RULES_ACT_STOP,
	BH_RULES_ACT_QUARANTINE
} bh_rules_action;

/* Falco's priorities, most severe first. */
typedef enum bh_rules_priority {
	BH_RULES_EMERGENCY = 0,
	BH_RULES_ALERT,
	BH_RULES_CRITICAL,
	BH_RULES_ERROR,
	BH_RULES_WARNING,
	BH_RULES_NOTICE,
	BH_RULES_INFORMATIONAL,
	BH_RULES_DEBUG
} bh_rules_priority;

/* One rule as loaded (read-only for callers; owned by the set). */
typedef struct bh_rules_rule {
	char *name, *desc, *condition, *output, *source;
	bh_rules_priority priority;
	bh_rules_action action;
	char **tags;
	size_t ntags;
	bool enabled;
	const char *file; /* where it was defined (the set's copy) */
	size_t line;
} bh_rules_rule;

/* One message of loading or compiling: "FILE:LINE:COL: text". */
typedef struct bh_rules_diag {
	bool warning;
	char *msg;
} bh_rules_diag;

typedef struct bh_rules bh_rules; /* bh_rules_new / bh_rules_free */

/* A matching rule and its output with the event's values in place (valid during the callback). */
typedef struct bh_rules_hit {
	const bh_rules_rule *rule;
	const char *output;
} bh_rules_hit;

bh_rules *bh_rules_new(void);
void bh_rules_free(bh_rules *r);

/*
 * Adds the items of one file (data[0..len), named label in messages); call in load order, then
 * bh_rules_compile. Item errors are collected in the diagnostics and loading goes on to the next
 * item; BH_EINVAL when there was any (err: the first), BH_ELIMIT/BH_ENOMEM.
 */
int bh_rules_add_data(bh_rules *r, const char *data, size_t len, const char *label, bh_error *err);
/* Reads path (at most 16 MiB) and adds it. */
int bh_rules_add_file(bh_rules *r, const char *path, bh_error *err);
/* Adds the default rule set shipped in the binary (rules/default.yaml). */
int bh_rules_add_default(bh_rules *r, bh_error *err);
/* The text of the embedded default set. */
const char *bh_rules_default_yaml(size_t *len);

/*
 * Compiles every macro (checked even when unused) and rule, builds the index by event type and
 * adds warnings: unused macros and lists, rules that do not constrain evt.type. BH_EINVAL when a
 * rule or macro does not compile (the rule stays out of evaluation; err: the first error).
 */
int bh_rules_compile(bh_rules *r, bh_error *err);

/* Diagnostics in the order found. */
const bh_rules_diag *bh_rules_diags(const bh_rules *r, size_t *n);
/* Rules in definition order (disabled ones included). */
size_t bh_rules_count(const bh_rules *r);
const bh_rules_rule *bh_rules_rule_at(const bh_rules *r, size_t i);
/* The rule named name, or NULL. */
const bh_rules_rule *bh_rules_lookup(const bh_rules *r, const char *name);

/*
 * Evaluates the enabled, compiled rules that can match ev's type, in definition order, and calls
 * cb for each match. ct and ctx may be NULL. Returns the number of matches, or cb's first non-zero
 * return (stops there), or BH_ENOMEM. Safe to call from several threads on one compiled set.
 */
int bh_rules_eval(const bh_rules *r, const bh_rt_event *ev, const bh_rt_container *ct, const bh_cond_ctx *ctx,
		  int (*cb)(const bh_rules_hit *hit, void *user), void *user);

const char *bh_rules_priority_name(bh_rules_priority p);
const char *bh_rules_action_name(bh_rules_action a);

#endif
