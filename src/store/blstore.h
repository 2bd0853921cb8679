/* blstore.h - behaviour baselines (current and every version), the label rules of their modes, and the network map agents report, in the store. */
#ifndef BH_STORE_BLSTORE_H
#define BH_STORE_BLSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * A baseline is stored as its JSON document (runtime/baseline.h) under its repository: the current
 * one in `baselines`, and every version that was ever put in `baseline_versions`, so a diff or a
 * rollback reads an old one. The caller checks the document (bh_baseline_from_json) before putting
 * it; the store keeps its text.
 */
typedef struct bh_blstore_row {
	const char *repository, *mode, *digest, *doc, *updated_by;
	int64_t version, updated;
} bh_blstore_row;
typedef int (*bh_blstore_cb)(void *ud, const bh_blstore_row *r);

/* Writes the current baseline of r->repository and its version row (both in one transaction of
 * the caller's, or on their own). A version already stored is replaced. */
int bh_blstore_put(bh_store *st, const bh_blstore_row *r, bh_error *err);
/* The current baseline (version 0) or one version: cb once, or BH_ENOTFOUND. */
int bh_blstore_get(bh_store *st, const char *repository, int64_t version, bh_blstore_cb cb, void *ud, bh_error *err);
/* Every current baseline (doc NULL: only the summary columns), by repository. */
int bh_blstore_list(bh_store *st, bh_blstore_cb cb, void *ud, bh_error *err);
/* The versions of a repository, newest first (doc NULL). */
int bh_blstore_versions(bh_store *st, const char *repository, bh_blstore_cb cb, void *ud, bh_error *err);

/*
 * The label rules of baseline modes (runtime/blmodes.h) as the server keeps them: one row of the
 * settings table (key BH_BLSTORE_MODES_KEY), its value the server's JSON {version, updated_by,
 * labels: [{label, mode}]} and updated_at the time of the change. The store keeps the text; the
 * caller checks it (bh_blmodes_load) before putting it.
 */
#define BH_BLSTORE_MODES_KEY "baseline.modes"
/* The stored value (*doc, caller frees; NULL when there is none) and its time (*updated, 0: none). */
int bh_blstore_modes_get(bh_store *st, char **doc, int64_t *updated, bh_error *err);
/* Replaces the value when it is still old (the text read by bh_blstore_modes_get; NULL: there was
 * none), so two writers cannot both build on the same version: BH_EBUSY when someone else wrote it
 * in between (read again and retry). */
int bh_blstore_modes_put(bh_store *st, const char *old, const char *doc, int64_t updated, bh_error *err);

/*
 * The network map: nodes (id, kind, JSON document) and directed edges (from, to, port, proto) with
 * counters, per reporting host. A snapshot replaces the host's counters where they grew (an agent
 * that restarted starts again from 0: then the stored ones are kept and the new ones added).
 */
typedef struct bh_netstore_node {
	const char *id, *kind, *doc; /* doc: the node's JSON object */
	int64_t last_seen;
} bh_netstore_node;
typedef struct bh_netstore_edge {
	const char *host, *from, *to, *proto;
	const char *run; /* the agent's run (its counters count from 0 in each); NULL: not said */
	int64_t port, connections, bytes, blocked, first_seen, last_seen;
} bh_netstore_edge;
int bh_netstore_node_put(bh_store *st, const char *host, const bh_netstore_node *n, bh_error *err);
int bh_netstore_edge_put(bh_store *st, const bh_netstore_edge *e, bh_error *err);
typedef int (*bh_netstore_node_cb)(void *ud, const char *host, const bh_netstore_node *n);
typedef int (*bh_netstore_edge_cb)(void *ud, const bh_netstore_edge *e);
/* Nodes and edges seen at or after since (Unix seconds), at most max of each (BH_ELIMIT past it). */
int bh_netstore_read(bh_store *st, int64_t since, size_t max, bh_netstore_node_cb ncb, bh_netstore_edge_cb ecb, void *ud,
		     bh_error *err);
/* Forgets the nodes and edges last seen before `before` (Unix seconds; the server's
 * --network-retention), so the map shows what still talks and stays within the read's bounds;
 * *removed (optional) gets how many rows went. */
int bh_netstore_prune(bh_store *st, int64_t before, int64_t *removed, bh_error *err);

#endif
