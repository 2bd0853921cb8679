/* blmodes.h - baseline modes per container label: the label rules of modes.yaml beside the baselines, first match wins over a baseline's own mode. */
#ifndef BH_RUNTIME_BLMODES_H
#define BH_RUNTIME_BLMODES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "runtime/baseline.h"

/*
 * modes.yaml in the baselines directory (README "Baselines: modes per label"):
 *
 *   apiVersion: bulkhead/v1
 *   kind: BaselineModes
 *   labels:
 *     - {label: "env=prod", mode: protect}   # a container with label env whose value is prod
 *     - {label: team, mode: monitor}         # a container with label team, any value
 *
 * A container's effective mode is the mode of the first rule its labels match, else its baseline's
 * own mode (runtime/blmon.h applies it). Sizes are bounded (BH_BLMODES_RULES_MAX rules, a label of
 * at most BH_BLMODES_LABEL_MAX bytes, the file at most BH_BLMODES_FILE_MAX) because the file is
 * edited by hand and re-read by a running monitor; a refusal names the file and the field.
 */
#define BH_BLMODES_FILE "modes.yaml"
#define BH_BLMODES_KIND "BaselineModes"
#define BH_BLMODES_RULES_MAX 256
#define BH_BLMODES_LABEL_MAX 256
#define BH_BLMODES_FILE_MAX (1u << 20)

typedef struct bh_blmodes bh_blmodes;

/* An empty list (caller frees with bh_blmodes_free). */
int bh_blmodes_new(bh_blmodes **out, bh_error *err);
void bh_blmodes_free(bh_blmodes *ms);

/* From YAML or JSON text; label names the input in errors ("DIR/modes.yaml: labels[2].mode: ..."). */
int bh_blmodes_load(const char *data, size_t len, const char *label, bh_blmodes **out, bh_error *err);
/* DIR/modes.yaml (bh_file_read_all); no such file is an empty list. */
int bh_blmodes_read(const char *dir, bh_blmodes **out, bh_error *err);
/* The document as YAML (bh_blmodes_load reads it back the same). */
int bh_blmodes_to_yaml(const bh_blmodes *ms, bh_buf *out);
/* Writes DIR/modes.yaml whole (a temporary file renamed over it: a monitor never reads half of it). */
int bh_blmodes_write(const bh_blmodes *ms, const char *dir, bh_error *err);

size_t bh_blmodes_count(const bh_blmodes *ms);
/* The i-th rule: its label ("KEY=VALUE" or "KEY"; the list's own copy) and mode. */
const char *bh_blmodes_label(const bh_blmodes *ms, size_t i);
bh_bl_mode bh_blmodes_mode(const bh_blmodes *ms, size_t i);

/* Whether s is a rule's label: "KEY" or "KEY=VALUE", KEY not empty, at most BH_BLMODES_LABEL_MAX - 1
 * bytes, no control characters. */
bool bh_blmodes_label_valid(const char *s);
/* Adds the rule for label at the end, or changes the mode of the rule that has it (its place stays).
 * BH_EINVAL for a label that is not valid, BH_ELIMIT past BH_BLMODES_RULES_MAX. */
int bh_blmodes_set(bh_blmodes *ms, const char *label, bh_bl_mode mode, bh_error *err);
/* Removes the rule of label: 1 removed, 0 there was none. */
int bh_blmodes_remove(bh_blmodes *ms, const char *label);

/* The index of the first rule the labels match ({"KEY": "VALUE", ...}, as the engine reports them;
 * NULL or not an object: none), -1 when none does. */
int bh_blmodes_match(const bh_blmodes *ms, const json_t *labels);
/* The same from the labels' JSON text (bh_rt_container.labels_json; NULL or malformed: none). */
int bh_blmodes_match_text(const bh_blmodes *ms, const char *labels_json);

#endif
