/* scanrec.c - scans rows: one per `bulkhead scan --server` upload, listed by id. */
#include "store/scanrec.h"

int bh_scanrec_add(bh_store *st, const bh_scanrec *s, int64_t now, int64_t *id, bh_error *err)
{
	bh_sql_value p[8] = { BH_SQL_TEXT(s->who), BH_SQL_TEXT(s->target), BH_SQL_TEXT(s->image_digest),
			      BH_SQL_TEXT(s->pipeline_json), BH_SQL_TEXT(s->verdict), BH_SQL_TEXT(s->summary_json),
			      BH_SQL_INT(s->exit_code), BH_SQL_INT(now) };
	int64_t v = 0;
	int rc = bh_sql_query_int(bh_store_sql(st),
				  "INSERT INTO scans(who, target, image_digest, pipeline, verdict, summary, exit_code, created)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", p, 8, &v, err);
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

static int scan_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_scanrec s;
	s.id = bh_sql_int(r, 0);
	s.who = bh_sql_text(r, 1);
	s.target = bh_sql_text(r, 2);
	s.image_digest = bh_sql_text(r, 3);
	s.pipeline_json = bh_sql_text(r, 4);
	s.verdict = bh_sql_text(r, 5);
	s.summary_json = bh_sql_text(r, 6);
	s.exit_code = (int)bh_sql_int(r, 7);
	s.created = bh_sql_int(r, 8);
	return ((bh_scanrec_cb)cb)(ud, &s);
}

int bh_scanrec_list(bh_store *st, const char *image_digest, int64_t after, size_t limit, bh_scanrec_cb cb, void *ud,
		    int64_t *next, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_INT(after), BH_SQL_TEXT(image_digest), BH_SQL_INT(0) };
	return bh_store_page(bh_store_sql(st),
			     "SELECT id, who, target, image_digest, pipeline, verdict, summary, exit_code, created FROM scans"
			     " WHERE id > $1 AND (CAST($2 AS TEXT) IS NULL OR image_digest = $2) ORDER BY id LIMIT $3",
			     p, 3, limit, scan_row, (void *)cb, ud, next, err);
}
