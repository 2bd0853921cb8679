/* ignore.h - findings the user has decided about: ignore files (text or YAML, with expiry and
 * reasons) and VEX documents (OpenVEX, CycloneDX VEX) that mark findings not_affected. */
#ifndef BH_POLICY_IGNORE_H
#define BH_POLICY_IGNORE_H

#include <stdbool.h>
#include <time.h>

#include "core/limits.h"
#include "core/severity.h"
#include "sbom/sbom.h"

typedef struct bh_ignore_rule {
	char *id;        /* advisory id or alias */
	char **purls;    /* empty = any package; a purl without qualifiers matches any qualifiers */
	size_t npurls;
	char **paths;    /* empty = any file; else the component's path must start with one */
	size_t npaths;
	char **products; /* OpenVEX subcomponents: the products (image, application) they must be in */
	size_t nproducts;
	time_t expires;  /* 0 = never; the rule stops applying after this instant */
	char *reason;
	char *origin;    /* file it came from */
} bh_ignore_rule;

typedef struct bh_ignores {
	bh_ignore_rule *rules;
	size_t n;
} bh_ignores;

/*
 * Adds the rules of path: a YAML ignore file (.yaml/.yml; unknown keys are errors naming the key),
 * an OpenVEX document (not_affected and fixed statements; products, or their subcomponents) or a
 * CycloneDX VEX document (not_affected, false_positive, resolved; affects[].ref purls, bom-refs or
 * BOM-Links), or a text file ("ID [exp:YYYY-MM-DD] [# reason]" per line). BH_EINVAL names the file
 * and line or key.
 */
int bh_ignore_load(bh_ignores *ig, const char *path, const bh_limits *lim, bh_error *err);
/* The rule that covers (id or one of the space-separated aliases, component) at now, or NULL.
 * c may be NULL (check findings): then only rules without purls and paths match. */
const bh_ignore_rule *bh_ignore_match(const bh_ignores *ig, const char *id, const char *aliases,
				      const bh_component *c, time_t now);
/*
 * The same, knowing the scanned SBOM s (may be NULL): CycloneDX BOM-Links
 * ("urn:cdx:<serial>/<version>#<bom-ref>") name a component of s by bom-ref (the purl, or the
 * "cdx.bom-ref" property of a stored CycloneDX SBOM) and must carry s's serial number when s has
 * one; OpenVEX subcomponents apply only inside their product (the scanned image, by digest when
 * s knows its digests, or a component of s in the same file).
 */
const bh_ignore_rule *bh_ignore_match_sbom(const bh_ignores *ig, const bh_sbom *s, const char *id, const char *aliases,
					   const bh_component *c, time_t now);
void bh_ignore_free(bh_ignores *ig);

/* --show-suppressed: what the policy, ignore files and VEX took out of a report, and why. */
typedef struct bh_suppressed {
	bool check;          /* a check finding (id = rule id), else a vulnerability */
	char *id;
	char *package;       /* vulnerabilities: name and version; NULL for checks */
	char *version;
	char *path;          /* the component's file or the check's path, may be NULL */
	bh_severity severity;
	char *reason;        /* may be NULL */
	char *origin;        /* the ignore file, VEX document or "policy" */
} bh_suppressed;

typedef struct bh_suppressions {
	bh_suppressed *items;
	size_t n;
} bh_suppressions;

/* Appends copies of the strings (any may be NULL); 0 or BH_ENOMEM. Freed by bh_suppressions_free. */
int bh_suppressions_add(bh_suppressions *l, bool check, const char *id, const char *package, const char *version,
			const char *path, bh_severity severity, const char *reason, const char *origin);
void bh_suppressions_free(bh_suppressions *l);

#endif
