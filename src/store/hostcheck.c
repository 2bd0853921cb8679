/* hostcheck.c - host_checks rows: one host's or one container's CIS results replaced together, listed by id. */
#include "store/hostcheck.h"

#include <string.h>

int bh_hostcheck_set(bh_store *st, const char *host, const char *container_id, const bh_hostcheck *checks, size_t n,
		     int64_t now, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_store_host h;
	int64_t host_id = 0;
	size_t i;
	int rc;
	if (!container_id)
		container_id = "";
	if ((rc = bh_sql_begin(db, err)) != 0)
		return rc;
	memset(&h, 0, sizeof(h));
	h.name = host;
	if ((rc = bh_store_host_put(st, &h, now, &host_id, err)) != 0)
		goto fail;
	{
		bh_sql_value p[2] = { BH_SQL_INT(host_id), BH_SQL_TEXT(container_id) };
		if ((rc = bh_sql_exec(db, "DELETE FROM host_checks WHERE host_id = $1 AND container_id = $2", p, 2, err)) != 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		const bh_hostcheck *c = &checks[i];
		bh_sql_value p[9] = { BH_SQL_INT(host_id), BH_SQL_TEXT(container_id), BH_SQL_TEXT(c->rule_id),
				      BH_SQL_TEXT(c->target ? c->target : ""), BH_SQL_TEXT(c->status ? c->status : "fail"),
				      BH_SQL_TEXT(c->severity), BH_SQL_TEXT(c->title), BH_SQL_TEXT(c->detail), BH_SQL_INT(now) };
		if (!c->rule_id || !*c->rule_id) {
			rc = bh_error_set(err, BH_EINVAL, "store: a host check needs a rule id");
			goto fail;
		}
		rc = bh_sql_exec(db, "INSERT INTO host_checks(host_id, container_id, rule_id, target, status, severity, title, detail,"
				     " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
				     " ON CONFLICT(host_id, container_id, rule_id, target) DO UPDATE SET status = excluded.status,"
				     " severity = excluded.severity, title = excluded.title, detail = excluded.detail,"
				     " updated_at = excluded.updated_at", p, 9, err);
		if (rc)
			goto fail;
	}
	return bh_sql_commit(db, err);
fail:
	bh_sql_rollback(db, NULL);
	return rc;
}

static int hostcheck_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_hostcheck c;
	c.id = bh_sql_int(r, 0);
	c.host = bh_sql_text(r, 1);
	c.container_id = bh_sql_text(r, 2);
	c.rule_id = bh_sql_text(r, 3);
	c.target = bh_sql_text(r, 4);
	c.status = bh_sql_text(r, 5);
	c.severity = bh_sql_text(r, 6);
	c.title = bh_sql_text(r, 7);
	c.detail = bh_sql_text(r, 8);
	c.updated_at = bh_sql_int(r, 9);
	return ((bh_hostcheck_cb)cb)(ud, &c);
}

int bh_hostcheck_list(bh_store *st, const char *host, const char *container_id, int64_t after, size_t limit,
		      bh_hostcheck_cb cb, void *ud, int64_t *next, bh_error *err)
{
	/* NULL filters are bound as NULL and switched off in SQL: one statement text for every combination */
	bh_sql_value p[4] = { BH_SQL_INT(after), BH_SQL_TEXT(host), BH_SQL_TEXT(container_id), BH_SQL_INT(0) };
	return bh_store_page(bh_store_sql(st),
			     "SELECT c.id, h.name, c.container_id, c.rule_id, c.target, c.status, c.severity, c.title, c.detail,"
			     " c.updated_at FROM host_checks c JOIN hosts h ON h.id = c.host_id WHERE c.id > $1"
			     " AND (CAST($2 AS TEXT) IS NULL OR h.name = $2) AND (CAST($3 AS TEXT) IS NULL OR c.container_id = $3)"
			     " ORDER BY c.id LIMIT $4",
			     p, 4, limit, hostcheck_row, (void *)cb, ud, next, err);
}
