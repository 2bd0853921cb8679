/* rtevents.c - events by type, host and container, and the newest of a type per host (runtime alerts, drift, sensor stats). */
#include "store/rtevents.h"

#include <stdbool.h>

#include "store/sql.h"

/* PostgreSQL: a transaction holding the events lock exclusively, so inserts in flight settle first
 * (bh_store_event_add takes it shared). SQLite has one writer at a time already. */
static int lock_events(bh_sql *db, bool *pg, bh_error *err)
{
	bh_sql_value k = BH_SQL_INT(BH_STORE_EVENTS_LOCK);
	int rc;
	*pg = bh_sql_backend_of(db) == BH_SQL_POSTGRES;
	if (!*pg)
		return 0;
	if ((rc = bh_sql_begin(db, err)) != 0)
		return rc;
	if ((rc = bh_sql_exec(db, "SELECT pg_advisory_xact_lock($1)", &k, 1, err)) != 0)
		bh_sql_rollback(db, NULL);
	return rc;
}

static int unlock_events(bh_sql *db, bool pg, int rc, bh_error *err)
{
	if (!pg)
		return rc;
	if (rc) {
		bh_sql_rollback(db, NULL);
		return rc;
	}
	return bh_sql_commit(db, err);
}

static int event_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_event e;
	e.seq = bh_sql_int(r, 0);
	e.type = bh_sql_text(r, 1);
	e.host = bh_sql_text(r, 2);
	e.container = bh_sql_text(r, 3);
	e.payload_json = bh_sql_text(r, 4);
	e.idem_key = bh_sql_text(r, 5);
	e.time = bh_sql_int(r, 6);
	e.received = bh_sql_int(r, 7);
	return ((bh_store_event_cb)cb)(ud, &e);
}

int bh_rtevents_list(bh_store *st, const char *type, const char *host, const char *container, int64_t after, size_t limit,
		     bh_store_event_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[5] = { BH_SQL_INT(after), BH_SQL_TEXT(type), BH_SQL_TEXT(host), BH_SQL_TEXT(container), BH_SQL_INT(0) };
	bool pg;
	int rc;
	if (next)
		*next = 0;
	if (!type)
		return bh_error_set(err, BH_EUSAGE, "store: an event type is needed");
	if ((rc = lock_events(db, &pg, err)) != 0)
		return rc;
	/* events_type (type, seq) serves the range; host and container filter its rows */
	rc = bh_store_page(db,
			   "SELECT seq, type, host, container, payload, idem_key, time, received FROM events"
			   " WHERE type = $2 AND seq > $1 AND (CAST($3 AS TEXT) IS NULL OR host = $3)"
			   " AND (CAST($4 AS TEXT) IS NULL OR container = $4) ORDER BY seq LIMIT $5",
			   p, 5, limit, event_row, (void *)cb, ud, next, err);
	return unlock_events(db, pg, rc, err);
}

int bh_rtevents_latest(bh_store *st, const char *type, int64_t after, bh_rtevents_latest_cb cb, void *ud, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[2] = { BH_SQL_TEXT(type), BH_SQL_INT(after) };
	bh_sql_rows *r = NULL;
	bool pg;
	int rc;
	if (!type)
		return bh_error_set(err, BH_EUSAGE, "store: an event type is needed");
	if ((rc = lock_events(db, &pg, err)) != 0)
		return rc;
	rc = bh_sql_query(db,
			  "SELECT e.seq, e.host, e.time, e.payload FROM events e JOIN"
			  " (SELECT host, max(seq) AS m FROM events WHERE type = $1 AND seq > $2 AND host IS NOT NULL GROUP BY host) l"
			  " ON e.seq = l.m ORDER BY e.seq",
			  p, 2, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1)
		rc = cb(ud, bh_sql_int(r, 0), bh_sql_text(r, 1), bh_sql_int(r, 2), bh_sql_text(r, 3));
	bh_sql_rows_free(r);
	return unlock_events(db, pg, rc, err);
}
