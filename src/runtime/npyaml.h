/* npyaml.h - the network policy file (YAML): policies selecting containers by image, label, name or network, their ingress/egress allow-lists, default-deny selectors, modes; parsed bounded, every error naming the file and the path in it. */
#ifndef BH_RUNTIME_NPYAML_H
#define BH_RUNTIME_NPYAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "runtime/ctnet.h"
#include "runtime/netpol.h"

#define BH_NPYAML_MAX_SIZE (4u << 20)   /* bytes of a policy file */
#define BH_NPYAML_MAX_POLICIES 4096
#define BH_NPYAML_MAX_RULES 4096        /* per policy, after the peers and ports are multiplied out */
#define BH_NPYAML_MAX_LIST 256          /* peers or ports of one rule, selectors of default_deny */

/* A container selector: every non-empty field must match. */
typedef struct bh_npyaml_sel {
	char image[512];    /* bh_ctnet_image_match */
	char label[512];    /* "key=value" or "key" */
	char name[256];
	char network[128];  /* the engine network ("namespace") */
} bh_npyaml_sel;

typedef struct bh_npyaml_policy {
	char name[128];
	bh_npyaml_sel match;
	bh_netpol_mode mode;
	bool deny_ingress, deny_egress; /* `default:` deny (the default) or allow, per direction */
	bh_netpol_rule *rules;          /* owned */
	size_t nrules;
} bh_npyaml_policy;

typedef struct bh_npyaml_doc {
	bh_netpol_mode mode;        /* top-level `mode:` (default audit) */
	int unmapped_deny;          /* `unmapped: deny|allow`; -1 when not given */
	bh_npyaml_policy *pol;      /* owned */
	size_t npol;
	bh_npyaml_sel *dd;          /* `default_deny:` selectors; owned */
	size_t ndd;
	size_t nrules;              /* rules of every policy */
} bh_npyaml_doc;

/*
 * Parses a policy document; label names it in errors ("policy.yaml: policies[1].ingress[0].ports[2]:
 * \"70000\" is not a port"). Unknown keys are errors (a typo must not drop a rule). doc is zeroed
 * first; free with bh_npyaml_free, also after a failure.
 */
int bh_npyaml_parse(const char *data, size_t len, const char *label, bh_npyaml_doc *doc, bh_error *err);
int bh_npyaml_load_file(const char *path, bh_npyaml_doc *doc, bh_error *err);
void bh_npyaml_free(bh_npyaml_doc *doc);

bool bh_npyaml_sel_match(const bh_npyaml_sel *s, const bh_ctnet_ct *ct);
bool bh_npyaml_sel_empty(const bh_npyaml_sel *s);

#endif
