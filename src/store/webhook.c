/* webhook.c - webhooks rows: add, list, lease, progress, and the per-webhook delivery log. */
#include "store/webhook.h"

#include <string.h>

#include "store/sql.h"

int bh_webhook_add(bh_store *st, const bh_webhook *w, int64_t now, int64_t *id, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	int64_t cursor = w->cursor, v = 0;
	int rc;
	if (!w->url || !*w->url)
		return bh_error_set(err, BH_EINVAL, "store: a webhook needs a URL");
	if (cursor < 0) {
		/* "from now on": the newest event so far is passed over */
		if ((rc = bh_sql_query_int(db, "SELECT COALESCE(MAX(seq), 0) FROM events", NULL, 0, &cursor, err)) < 0)
			return rc;
	}
	{
		bh_sql_value p[8] = { BH_SQL_TEXT(w->name), BH_SQL_TEXT(w->url), BH_SQL_TEXT(w->format ? w->format : "json"),
				      BH_SQL_TEXT(w->secret), BH_SQL_TEXT(w->filter_json), BH_SQL_INT(w->enabled ? 1 : 0),
				      BH_SQL_INT(cursor), BH_SQL_INT(now) };
		rc = bh_sql_query_int(db, "INSERT INTO webhooks(name, url, format, secret, filter, enabled, cursor, created)"
					  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", p, 8, &v, err);
	}
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

int bh_webhook_delete(bh_store *st, int64_t id, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p = BH_SQL_INT(id);
	int rc;
	/* the log first: SQLite enforces the foreign key only when told to, PostgreSQL always */
	if ((rc = bh_sql_exec(db, "DELETE FROM webhook_deliveries WHERE webhook_id = $1", &p, 1, err)) != 0)
		return rc;
	if ((rc = bh_sql_exec(db, "DELETE FROM webhooks WHERE id = $1", &p, 1, err)) != 0)
		return rc;
	if (bh_sql_changes(db) == 0)
		return bh_error_set(err, BH_ENOTFOUND, "store: no webhook %lld", (long long)id);
	return 0;
}

int bh_webhook_list(bh_store *st, int64_t id, bh_webhook_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(id);
	bh_sql_rows *r = NULL;
	size_t got = 0;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT id, name, url, format, secret, filter, enabled, cursor, created, fails, next_try,"
			      " last_status, last_error, last_ok FROM webhooks WHERE ($1 = 0 OR id = $1) ORDER BY id",
			      &p, 1, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		bh_webhook w;
		w.id = bh_sql_int(r, 0);
		w.name = bh_sql_text(r, 1);
		w.url = bh_sql_text(r, 2);
		w.format = bh_sql_text(r, 3);
		w.secret = bh_sql_text(r, 4);
		w.filter_json = bh_sql_text(r, 5);
		w.enabled = bh_sql_int(r, 6) != 0;
		w.cursor = bh_sql_int(r, 7);
		w.created = bh_sql_int(r, 8);
		w.fails = bh_sql_int(r, 9);
		w.next_try = bh_sql_int(r, 10);
		w.last_status = bh_sql_int(r, 11);
		w.last_error = bh_sql_text(r, 12);
		w.last_ok = bh_sql_int(r, 13);
		got++;
		if ((rc = cb(ud, &w)) != 0)
			break;
		rc = 0;
	}
	bh_sql_rows_free(r);
	if (!rc && id && !got)
		return bh_error_set(err, BH_ENOTFOUND, "store: no webhook %lld", (long long)id);
	return rc;
}

int bh_webhook_claim(bh_store *st, int64_t id, const char *worker, int64_t lease_s, int64_t now, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[4] = { BH_SQL_INT(id), BH_SQL_TEXT(worker), BH_SQL_INT(now + lease_s), BH_SQL_INT(now) };
	/* one statement: the row's lock makes the test and the write one step on both backends */
	int rc = bh_sql_exec(db, "UPDATE webhooks SET locked_by = $2, locked_until = $3 WHERE id = $1"
				 " AND (locked_by IS NULL OR locked_by = $2 OR locked_until IS NULL OR locked_until < $4)",
			     p, 4, err);
	if (rc)
		return rc;
	return bh_sql_changes(db) > 0 ? 1 : 0;
}

int bh_webhook_progress(bh_store *st, int64_t id, const char *worker, int64_t cursor, int64_t fails, int64_t next_try,
			int64_t status, const char *error, int64_t now, bh_error *err)
{
	bh_sql_value p[8] = { BH_SQL_INT(id), BH_SQL_TEXT(worker), BH_SQL_INT(cursor), BH_SQL_INT(fails),
			      BH_SQL_INT(next_try), BH_SQL_INT(status), BH_SQL_TEXT(error), BH_SQL_INT(error ? 0 : now) };
	return bh_sql_exec(bh_store_sql(st),
			   "UPDATE webhooks SET cursor = $3, fails = $4, next_try = $5, last_status = $6, last_error = $7,"
			   " last_ok = CASE WHEN $8 > 0 THEN $8 ELSE last_ok END WHERE id = $1 AND locked_by = $2",
			   p, 8, err);
}

int bh_webhook_advance(bh_store *st, int64_t id, const char *worker, int64_t cursor, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_INT(id), BH_SQL_TEXT(worker), BH_SQL_INT(cursor) };
	return bh_sql_exec(bh_store_sql(st), "UPDATE webhooks SET cursor = $3 WHERE id = $1 AND locked_by = $2 AND cursor < $3",
			   p, 3, err);
}

int bh_webhook_delivery_add(bh_store *st, const bh_webhook_delivery *d, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[9] = { BH_SQL_INT(d->webhook_id), BH_SQL_INT(d->event_seq), BH_SQL_TEXT(d->delivery),
			      BH_SQL_TEXT(d->event_type), BH_SQL_INT(d->attempt), BH_SQL_INT(d->status),
			      BH_SQL_TEXT(d->error), BH_SQL_INT(d->time), BH_SQL_INT(d->ms) };
	bh_sql_value q[2] = { BH_SQL_INT(d->webhook_id), BH_SQL_INT(BH_WEBHOOK_LOG_KEEP) };
	int64_t id = 0;
	int rc = bh_sql_query_int(db, "INSERT INTO webhook_deliveries(webhook_id, event_seq, delivery, event_type, attempt,"
				      " status, error, time, ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
				  p, 9, &id, err);
	if (rc < 0)
		return rc;
	/* bounded: a receiver that is down for a week leaves the newest attempts, not a million rows */
	if (id % 64 == 0)
		return bh_sql_exec(db, "DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND id <= (SELECT id FROM"
				       " webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
				   q, 2, err);
	return 0;
}

static int delivery_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_webhook_delivery d;
	d.id = bh_sql_int(r, 0);
	d.webhook_id = bh_sql_int(r, 1);
	d.event_seq = bh_sql_int(r, 2);
	d.delivery = bh_sql_text(r, 3);
	d.event_type = bh_sql_text(r, 4);
	d.attempt = bh_sql_int(r, 5);
	d.status = bh_sql_int(r, 6);
	d.error = bh_sql_text(r, 7);
	d.time = bh_sql_int(r, 8);
	d.ms = bh_sql_int(r, 9);
	return ((bh_webhook_delivery_cb)cb)(ud, &d);
}

int bh_webhook_delivery_list(bh_store *st, int64_t webhook_id, int64_t before, size_t limit, bh_webhook_delivery_cb cb,
			     void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_INT(webhook_id), BH_SQL_INT(before), BH_SQL_INT(0) };
	return bh_store_page(bh_store_sql(st),
			     "SELECT id, webhook_id, event_seq, delivery, event_type, attempt, status, error, time, ms"
			     " FROM webhook_deliveries WHERE webhook_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3",
			     p, 3, limit, delivery_row, (void *)cb, ud, next, err);
}
