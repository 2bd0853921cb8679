/* tracker.c - trackers rows (add, list, lease, progress) and tracker_issues, the issue of each group. */
#include "store/tracker.h"

#include <stdio.h>
#include <string.h>

#include "store/sql.h"

int bh_tracker_add(bh_store *st, const bh_tracker *t, int64_t now, int64_t *id, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	int64_t cursor = t->cursor, v = 0;
	int rc;
	if (!t->kind || !t->api_url || !t->repository)
		return bh_error_set(err, BH_EINVAL, "store: a tracker needs a kind, an API URL and a repository");
	if (cursor < 0 && (rc = bh_sql_query_int(db, "SELECT COALESCE(MAX(seq), 0) FROM events", NULL, 0, &cursor, err)) < 0)
		return rc;
	{
		bh_sql_value p[10] = { BH_SQL_TEXT(t->kind), BH_SQL_TEXT(t->api_url), BH_SQL_TEXT(t->repository),
				       BH_SQL_TEXT(t->token), BH_SQL_TEXT(t->group_by ? t->group_by : "repository"),
				       BH_SQL_TEXT(t->filter_json), BH_SQL_TEXT(t->labels_json), BH_SQL_INT(t->enabled ? 1 : 0),
				       BH_SQL_INT(cursor), BH_SQL_INT(now) };
		rc = bh_sql_query_int(db, "INSERT INTO trackers(kind, api_url, repository, token, group_by, filter, labels,"
					  " enabled, cursor, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
				      p, 10, &v, err);
	}
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

int bh_tracker_delete(bh_store *st, int64_t id, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p = BH_SQL_INT(id);
	int rc;
	/* the rows first: SQLite enforces the foreign key only when told to */
	if ((rc = bh_sql_exec(db, "DELETE FROM tracker_issues WHERE tracker_id = $1", &p, 1, err)) != 0)
		return rc;
	if ((rc = bh_sql_exec(db, "DELETE FROM trackers WHERE id = $1", &p, 1, err)) != 0)
		return rc;
	if (bh_sql_changes(db) == 0)
		return bh_error_set(err, BH_ENOTFOUND, "store: no tracker %lld", (long long)id);
	return 0;
}

int bh_tracker_list(bh_store *st, int64_t id, bh_tracker_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(id);
	bh_sql_rows *r = NULL;
	size_t got = 0;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT id, kind, api_url, repository, token, group_by, filter, labels, enabled, cursor, created,"
			      " fails, next_try, last_status, last_error, last_ok FROM trackers WHERE ($1 = 0 OR id = $1) ORDER BY id",
			      &p, 1, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		bh_tracker t;
		t.id = bh_sql_int(r, 0);
		t.kind = bh_sql_text(r, 1);
		t.api_url = bh_sql_text(r, 2);
		t.repository = bh_sql_text(r, 3);
		t.token = bh_sql_text(r, 4);
		t.group_by = bh_sql_text(r, 5);
		t.filter_json = bh_sql_text(r, 6);
		t.labels_json = bh_sql_text(r, 7);
		t.enabled = bh_sql_int(r, 8) != 0;
		t.cursor = bh_sql_int(r, 9);
		t.created = bh_sql_int(r, 10);
		t.fails = bh_sql_int(r, 11);
		t.next_try = bh_sql_int(r, 12);
		t.last_status = bh_sql_int(r, 13);
		t.last_error = bh_sql_text(r, 14);
		t.last_ok = bh_sql_int(r, 15);
		got++;
		if ((rc = cb(ud, &t)) != 0)
			break;
		rc = 0;
	}
	bh_sql_rows_free(r);
	if (!rc && id && !got)
		return bh_error_set(err, BH_ENOTFOUND, "store: no tracker %lld", (long long)id);
	return rc;
}

int bh_tracker_claim(bh_store *st, int64_t id, const char *worker, int64_t lease_s, int64_t now, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[4] = { BH_SQL_INT(id), BH_SQL_TEXT(worker), BH_SQL_INT(now + lease_s), BH_SQL_INT(now) };
	/* one statement: the row's lock makes the test and the write one step on both backends */
	int rc = bh_sql_exec(db, "UPDATE trackers SET locked_by = $2, locked_until = $3 WHERE id = $1"
				 " AND (locked_by IS NULL OR locked_by = $2 OR locked_until IS NULL OR locked_until < $4)",
			     p, 4, err);
	if (rc)
		return rc;
	return bh_sql_changes(db) > 0 ? 1 : 0;
}

int bh_tracker_release(bh_store *st, const char *worker, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(worker);
	return bh_sql_exec(bh_store_sql(st), "UPDATE trackers SET locked_by = NULL, locked_until = NULL WHERE locked_by = $1", &p, 1,
			   err);
}

int bh_tracker_progress(bh_store *st, int64_t id, const char *worker, int64_t cursor, int64_t fails, int64_t next_try,
			int64_t status, const char *error, int64_t now, bh_error *err)
{
	bh_sql_value p[8] = { BH_SQL_INT(id), BH_SQL_TEXT(worker), BH_SQL_INT(cursor), BH_SQL_INT(fails),
			      BH_SQL_INT(next_try), BH_SQL_INT(status), BH_SQL_TEXT(error), BH_SQL_INT(error ? 0 : now) };
	return bh_sql_exec(bh_store_sql(st),
			   "UPDATE trackers SET cursor = CASE WHEN $3 > cursor THEN $3 ELSE cursor END, fails = $4, next_try = $5,"
			   " last_status = $6, last_error = $7, last_ok = CASE WHEN $8 > 0 THEN $8 ELSE last_ok END"
			   " WHERE id = $1 AND locked_by = $2",
			   p, 8, err);
}

int bh_tracker_issue_count(bh_store *st, int64_t tracker_id, int64_t *open, int64_t *total, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(tracker_id);
	int rc = bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM tracker_issues WHERE tracker_id = $1", &p, 1, total, err);
	if (rc < 0)
		return rc;
	rc = bh_sql_query_int(bh_store_sql(st), "SELECT count(*) FROM tracker_issues WHERE tracker_id = $1 AND state = 'open'",
			      &p, 1, open, err);
	return rc < 0 ? rc : 0;
}

int bh_tracker_issue_get(bh_store *st, int64_t tracker_id, const char *group_hash, int64_t *number, char state[8],
			 char content[65], bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(tracker_id), BH_SQL_TEXT(group_hash) };
	bh_sql_rows *r = NULL;
	int rc = bh_sql_query(bh_store_sql(st), "SELECT number, state, content FROM tracker_issues"
						" WHERE tracker_id = $1 AND group_hash = $2",
			      p, 2, &r, err);
	if (!rc && (rc = bh_sql_next(r, err)) == 1) {
		const char *s = bh_sql_text(r, 1), *c = bh_sql_text(r, 2);
		*number = bh_sql_int(r, 0);
		snprintf(state, 8, "%s", s ? s : "");
		snprintf(content, 65, "%s", c ? c : "");
	}
	bh_sql_rows_free(r);
	return rc;
}

int bh_tracker_issue_put(bh_store *st, const bh_tracker_issue *i, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_value p[8] = { BH_SQL_INT(i->tracker_id), BH_SQL_TEXT(i->group_hash), BH_SQL_TEXT(i->group_key),
			      BH_SQL_INT(i->number), BH_SQL_TEXT(i->state), BH_SQL_TEXT(i->content), BH_SQL_TEXT(i->url),
			      BH_SQL_INT(i->updated) };
	/* ON CONFLICT is spelt the same by SQLite (3.24+) and PostgreSQL */
	return bh_sql_exec(db, "INSERT INTO tracker_issues(tracker_id, group_hash, group_key, number, state, content, url, updated)"
			       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(tracker_id, group_hash) DO UPDATE SET"
			       " group_key = excluded.group_key, number = excluded.number, state = excluded.state,"
			       " content = excluded.content, url = COALESCE(excluded.url, tracker_issues.url),"
			       " updated = excluded.updated",
			   p, 8, err);
}

int bh_tracker_issue_list(bh_store *st, int64_t tracker_id, bool open_only, bh_tracker_issue_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(tracker_id), BH_SQL_INT(open_only ? 1 : 0) };
	bh_sql_rows *r = NULL;
	int rc = bh_sql_query(bh_store_sql(st),
			      "SELECT group_hash, group_key, number, state, content, url, updated FROM tracker_issues"
			      " WHERE tracker_id = $1 AND ($2 = 0 OR state = 'open') ORDER BY group_hash",
			      p, 2, &r, err);
	while (!rc && (rc = bh_sql_next(r, err)) == 1) {
		bh_tracker_issue i;
		i.tracker_id = tracker_id;
		i.group_hash = bh_sql_text(r, 0);
		i.group_key = bh_sql_text(r, 1);
		i.number = bh_sql_int(r, 2);
		i.state = bh_sql_text(r, 3);
		i.content = bh_sql_text(r, 4);
		i.url = bh_sql_text(r, 5);
		i.updated = bh_sql_int(r, 6);
		if ((rc = cb(ud, &i)) != 0)
			break;
		rc = 0;
	}
	bh_sql_rows_free(r);
	return rc;
}

int bh_tracker_issue_delete(bh_store *st, int64_t tracker_id, const char *group_hash, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(tracker_id), BH_SQL_TEXT(group_hash) };
	return bh_sql_exec(bh_store_sql(st), "DELETE FROM tracker_issues WHERE tracker_id = $1 AND group_hash = $2", p, 2, err);
}
