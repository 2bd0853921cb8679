/* blstore.c - baselines with their versions, the label rules of their modes, and the network map's nodes and edges, on SQLite and PostgreSQL. */
#include "store/blstore.h"

#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

int bh_blstore_put(bh_store *st, const bh_blstore_row *r, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[7] = { BH_SQL_TEXT(r->repository), BH_SQL_INT(r->version), BH_SQL_TEXT(r->mode), BH_SQL_TEXT(r->digest),
			      BH_SQL_TEXT(r->doc),        BH_SQL_INT(r->updated), BH_SQL_TEXT(r->updated_by) };
	int rc;

	if ((rc = bh_sql_begin(db, err)))
		return rc;
	if (!(rc = bh_sql_exec(db,
			       "INSERT INTO baselines(repository, version, mode, digest, doc, updated, updated_by)"
			       " VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(repository) DO UPDATE SET version = excluded.version,"
			       " mode = excluded.mode, digest = excluded.digest, doc = excluded.doc, updated = excluded.updated,"
			       " updated_by = excluded.updated_by",
			       p, 7, err))) {
		/* PostgreSQL wants every parameter used: the version row has no digest */
		bh_sql_value q[6] = { p[0], p[1], p[2], p[4], p[5], p[6] };
		rc = bh_sql_exec(db,
				 "INSERT INTO baseline_versions(repository, version, mode, doc, time, who) VALUES($1, $2, $3, $4, $5, $6)"
				 " ON CONFLICT(repository, version) DO UPDATE SET mode = excluded.mode, doc = excluded.doc,"
				 " time = excluded.time, who = excluded.who",
				 q, 6, err);
	}
	if (rc) {
		bh_sql_rollback(db, NULL);
		return rc;
	}
	return bh_sql_commit(db, err);
}

static int rows(bh_sql_rows *r, bool with_doc, bh_blstore_cb cb, void *ud, size_t *n, bh_error *err)
{
	int rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		bh_blstore_row row = { bh_sql_text(r, 0), bh_sql_text(r, 2), bh_sql_text(r, 3), with_doc ? bh_sql_text(r, 4) : NULL,
				       bh_sql_text(r, 5), bh_sql_int(r, 1), bh_sql_int(r, 6) };
		(*n)++;
		if ((rc = cb(ud, &row)))
			break;
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

int bh_blstore_get(bh_store *st, const char *repository, int64_t version, bh_blstore_cb cb, void *ud, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[2] = { BH_SQL_TEXT(repository), BH_SQL_INT(version) };
	bh_sql_rows *r = NULL;
	size_t n = 0;
	int rc;

	rc = version ? bh_sql_query(db,
				    "SELECT repository, version, mode, NULL, doc, who, time FROM baseline_versions"
				    " WHERE repository = $1 AND version = $2",
				    p, 2, &r, err)
		     : bh_sql_query(db,
				    "SELECT repository, version, mode, digest, doc, updated_by, updated FROM baselines WHERE repository = $1",
				    p, 1, &r, err);
	if (rc) {
		bh_sql_rows_free(r);
		return rc;
	}
	if ((rc = rows(r, true, cb, ud, &n, err)))
		return rc;
	return n ? 0 : bh_error_set(err, BH_ENOTFOUND, "no baseline of %s%s", repository, version ? " at that version" : "");
}

int bh_blstore_list(bh_store *st, bh_blstore_cb cb, void *ud, bh_error *err)
{
	bh_sql_rows *r = NULL;
	size_t n = 0;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT repository, version, mode, digest, doc, updated_by, updated FROM baselines ORDER BY repository", NULL,
			      0, &r, err);
	if (rc) {
		bh_sql_rows_free(r);
		return rc;
	}
	return rows(r, true, cb, ud, &n, err);
}

int bh_blstore_versions(bh_store *st, const char *repository, bh_blstore_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(repository);
	bh_sql_rows *r = NULL;
	size_t n = 0;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT repository, version, mode, NULL, NULL, who, time FROM baseline_versions WHERE repository = $1"
			      " ORDER BY version DESC LIMIT 1000",
			      &p, 1, &r, err);
	if (rc) {
		bh_sql_rows_free(r);
		return rc;
	}
	return rows(r, false, cb, ud, &n, err);
}

int bh_blstore_modes_get(bh_store *st, char **doc, int64_t *updated, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(BH_BLSTORE_MODES_KEY);
	bh_sql_rows *r = NULL;
	int rc;

	*doc = NULL;
	*updated = 0;
	if ((rc = bh_sql_query(bh_store_sql(st), "SELECT value, updated_at FROM settings WHERE key = $1", &p, 1, &r, err))) {
		bh_sql_rows_free(r);
		return rc;
	}
	if ((rc = bh_sql_next(r, err)) == 1) {
		const char *v = bh_sql_text(r, 0);
		rc = 0;
		*updated = bh_sql_int(r, 1);
		if (v && !(*doc = strdup(v)))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

int bh_blstore_modes_put(bh_store *st, const char *old, const char *doc, int64_t updated, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[4] = { BH_SQL_TEXT(BH_BLSTORE_MODES_KEY), BH_SQL_TEXT(doc), BH_SQL_INT(updated), BH_SQL_TEXT(old) };
	int rc;

	/* compare and swap on the whole text: a writer that read an older value changes nothing */
	rc = old ? bh_sql_exec(db, "UPDATE settings SET value = $2, updated_at = $3 WHERE key = $1 AND value = $4", p, 4, err)
		 : bh_sql_exec(db, "INSERT INTO settings(key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT(key) DO NOTHING", p, 3, err);
	if (rc)
		return rc;
	return bh_sql_changes(db) == 1 ? 0 : bh_error_set(err, BH_EBUSY, "the label rules changed meanwhile");
}

int bh_netstore_node_put(bh_store *st, const char *host, const bh_netstore_node *n, bh_error *err)
{
	bh_sql_value p[5] = { BH_SQL_TEXT(host), BH_SQL_TEXT(n->id), BH_SQL_TEXT(n->kind), BH_SQL_TEXT(n->doc), BH_SQL_INT(n->last_seen) };
	return bh_sql_exec(bh_store_sql(st),
			   "INSERT INTO network_nodes(host, id, kind, doc, last_seen) VALUES($1, $2, $3, $4, $5)"
			   " ON CONFLICT(host, id) DO UPDATE SET kind = excluded.kind, doc = excluded.doc,"
			   " last_seen = CASE WHEN excluded.last_seen > network_nodes.last_seen THEN excluded.last_seen"
			   " ELSE network_nodes.last_seen END",
			   p, 5, err);
}

/* Whether the reporting agent began counting again: another run than the stored one when it says
 * its run, else a counter that went back. */
#define RESTARTED                                                                                         \
	"(CASE WHEN excluded.run IS NOT NULL THEN COALESCE(network_edges.run, '') <> excluded.run"       \
	" ELSE excluded.connections < network_edges.connections - network_edges.base_connections END)"

int bh_netstore_edge_put(bh_store *st, const bh_netstore_edge *e, bh_error *err)
{
	bh_sql_value p[11] = { BH_SQL_TEXT(e->host),       BH_SQL_TEXT(e->from),  BH_SQL_TEXT(e->to),      BH_SQL_INT(e->port),
			       BH_SQL_TEXT(e->proto),      BH_SQL_INT(e->connections), BH_SQL_INT(e->bytes), BH_SQL_INT(e->blocked),
			       BH_SQL_INT(e->first_seen), BH_SQL_INT(e->last_seen), BH_SQL_TEXT(e->run) };
	/* counters are the agent's totals since it started: kept while the run goes on, added to what
	 * was stored when a new run (a restarted agent) counts from 0 again */
	return bh_sql_exec(bh_store_sql(st),
			   "INSERT INTO network_edges(host, src, dst, port, proto, connections, bytes, blocked, first_seen, last_seen,"
			   " base_connections, base_bytes, base_blocked, run) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, $11)"
			   " ON CONFLICT(host, src, dst, port, proto) DO UPDATE SET"
			   " base_connections = CASE WHEN " RESTARTED " THEN network_edges.connections ELSE network_edges.base_connections END,"
			   " base_bytes = CASE WHEN " RESTARTED " THEN network_edges.bytes ELSE network_edges.base_bytes END,"
			   " base_blocked = CASE WHEN " RESTARTED " THEN network_edges.blocked ELSE network_edges.base_blocked END,"
			   " connections = excluded.connections + CASE WHEN " RESTARTED
			   " THEN network_edges.connections ELSE network_edges.base_connections END,"
			   " bytes = excluded.bytes + CASE WHEN " RESTARTED " THEN network_edges.bytes ELSE network_edges.base_bytes END,"
			   " blocked = excluded.blocked + CASE WHEN " RESTARTED " THEN network_edges.blocked ELSE network_edges.base_blocked END,"
			   " first_seen = CASE WHEN excluded.first_seen < network_edges.first_seen THEN excluded.first_seen"
			   "   ELSE network_edges.first_seen END,"
			   " last_seen = CASE WHEN excluded.last_seen > network_edges.last_seen THEN excluded.last_seen"
			   "   ELSE network_edges.last_seen END,"
			   " run = COALESCE(excluded.run, network_edges.run)",
			   p, 11, err);
}

int bh_netstore_read(bh_store *st, int64_t since, size_t max, bh_netstore_node_cb ncb, bh_netstore_edge_cb ecb, void *ud,
		     bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[2] = { BH_SQL_INT(since), BH_SQL_INT((int64_t)max + 1) };
	bh_sql_rows *r = NULL;
	size_t n = 0;
	int rc;

	if ((rc = bh_sql_query(db, "SELECT host, id, kind, doc, last_seen FROM network_nodes WHERE last_seen >= $1 ORDER BY id, host LIMIT $2",
			       p, 2, &r, err)))
		goto out;
	while ((rc = bh_sql_next(r, err)) == 1) {
		bh_netstore_node nd = { bh_sql_text(r, 1), bh_sql_text(r, 2), bh_sql_text(r, 3), bh_sql_int(r, 4) };
		if (++n > max) {
			rc = bh_error_set(err, BH_ELIMIT, "more than %zu network nodes: narrow with since", max);
			goto out;
		}
		if ((rc = ncb(ud, bh_sql_text(r, 0), &nd)))
			goto out;
	}
	if (rc < 0)
		goto out;
	bh_sql_rows_free(r);
	r = NULL;
	n = 0;
	if ((rc = bh_sql_query(db,
			       "SELECT host, src, dst, port, proto, connections, bytes, blocked, first_seen, last_seen FROM network_edges"
			       " WHERE last_seen >= $1 ORDER BY src, dst, port, proto, host LIMIT $2",
			       p, 2, &r, err)))
		goto out;
	while ((rc = bh_sql_next(r, err)) == 1) {
		bh_netstore_edge e = { .host = bh_sql_text(r, 0), .from = bh_sql_text(r, 1), .to = bh_sql_text(r, 2),
				       .proto = bh_sql_text(r, 4), .port = bh_sql_int(r, 3), .connections = bh_sql_int(r, 5),
				       .bytes = bh_sql_int(r, 6), .blocked = bh_sql_int(r, 7), .first_seen = bh_sql_int(r, 8),
				       .last_seen = bh_sql_int(r, 9) };
		if (++n > max) {
			rc = bh_error_set(err, BH_ELIMIT, "more than %zu network edges: narrow with since", max);
			goto out;
		}
		if ((rc = ecb(ud, &e)))
			goto out;
	}
out:
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

int bh_netstore_prune(bh_store *st, int64_t before, int64_t *removed, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p = BH_SQL_INT(before);
	int64_t n = 0;
	int rc;

	/* both indexed by last_seen (migration 7); one transaction, nested in the caller's when open */
	if ((rc = bh_sql_begin(db, err)))
		return rc;
	rc = bh_sql_exec(db, "DELETE FROM network_edges WHERE last_seen < $1", &p, 1, err);
	if (!rc) {
		n += bh_sql_changes(db);
		rc = bh_sql_exec(db, "DELETE FROM network_nodes WHERE last_seen < $1", &p, 1, err);
	}
	if (!rc) {
		n += bh_sql_changes(db);
		rc = bh_sql_commit(db, err);
	} else {
		bh_sql_rollback(db, NULL);
	}
	if (!rc && removed)
		*removed = n;
	return rc;
}
