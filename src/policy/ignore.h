/* ignore.h - findings the user has decided about: ignore files (text or YAML, with expiry and
 * reasons) and VEX documents (OpenVEX, CycloneDX VEX) that mark findings not_affected. */
#ifndef BH_POLICY_IGNORE_H
#define BH_POLICY_IGNORE_H

#include <stdbool.h>
#include <time.h>

#include "core/limits.h"
#include "sbom/component.h"

typedef struct bh_ignore_rule {
	char *id;        /* advisory id or alias */
	char **purls;    /* empty = any package; a purl without qualifiers matches any qualifiers */
	size_t npurls;
	char **paths;    /* empty = any file; else the component's path must start with one */
	size_t npaths;
	time_t expires;  /* 0 = never; the rule stops applying after this instant */
	char *reason;
	char *origin;    /* file it came from */
} bh_ignore_rule;

typedef struct bh_ignores {
	bh_ignore_rule *rules;
	size_t n;
} bh_ignores;

/*
 * Adds the rules of path: a YAML ignore file (.yaml/.yml), an OpenVEX or CycloneDX VEX JSON
 * document (only not_affected / false_positive / resolved statements count), or a text file
 * ("ID [exp:YYYY-MM-DD] [# reason]" per line). BH_EINVAL names the file and line.
 */
int bh_ignore_load(bh_ignores *ig, const char *path, const bh_limits *lim, bh_error *err);
/* The rule that covers (id or one of the space-separated aliases, component) at now, or NULL.
 * c may be NULL (check findings): then only rules without purls and paths match. */
const bh_ignore_rule *bh_ignore_match(const bh_ignores *ig, const char *id, const char *aliases,
				      const bh_component *c, time_t now);
void bh_ignore_free(bh_ignores *ig);

#endif
