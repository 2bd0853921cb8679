/* matchstate.h - what re-evaluation reads and writes in the store: components to match, the DB's per-package fingerprints, findings of a set of components, settings. */
#ifndef BH_STORE_MATCHSTATE_H
#define BH_STORE_MATCHSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * Strings in the structs handed to callbacks belong to the store and are valid only during the
 * callback. A callback returning non-zero stops the walk and is returned.
 */

/* One stored component as the matcher needs it. */
typedef struct bh_matchstate_comp {
	int64_t id;
	const char *purl, *eco, *name, *namespace_, *version, *src_name, *src_version, *distro;
	bool os_owned;
} bh_matchstate_comp;
typedef int (*bh_matchstate_comp_cb)(void *ud, const bh_matchstate_comp *c);
/* Every component, in id order, in pages read one after the other (memory bounded by a page). */
int bh_matchstate_components(bh_store *st, bh_matchstate_comp_cb cb, void *ud, bh_error *err);

/* The fingerprint of what the DB said about (eco, distro, name) when its components were last matched. */
typedef int (*bh_matchstate_fp_cb)(void *ud, const char *eco, const char *distro, const char *name, const char *fp);
int bh_matchstate_fps(bh_store *st, bh_matchstate_fp_cb cb, void *ud, bh_error *err);
/* distro "" for language ecosystems. */
int bh_matchstate_fp_put(bh_store *st, const char *eco, const char *distro, const char *name, const char *fp, int64_t now,
			 bh_error *err);
/* Forgets every fingerprint: the next re-evaluation matches every component (a new matcher). */
int bh_matchstate_fp_clear(bh_store *st, bh_error *err);

/* Every finding (open and resolved) of the components ids[0..n), in no particular order. Only
 * id, component_id, advisory, severity, kev, fixed_version and state are filled. */
int bh_matchstate_findings(bh_store *st, const int64_t *ids, size_t n, bh_store_finding_cb cb, void *ud, bh_error *err);

/*
 * Writes a finding whose previous state the caller has read (bh_matchstate_findings): id 0
 * inserts it open, otherwise updates row id to open with these values (a change, or a reopen).
 */
int bh_matchstate_finding_set(bh_store *st, int64_t id, int64_t component_id, const char *advisory, const char *severity,
			      bool kev, const char *fixed_version, const char *db_version, int64_t now, bh_error *err);
/* Resolves finding row id. */
int bh_matchstate_finding_resolve(bh_store *st, int64_t id, const char *db_version, int64_t now, bh_error *err);

/* A small named value of the server's state. *value: NULL when unset, else the caller frees. */
int bh_matchstate_setting_get(bh_store *st, const char *key, char **value, bh_error *err);
int bh_matchstate_setting_put(bh_store *st, const char *key, const char *value, int64_t now, bh_error *err);

#endif
