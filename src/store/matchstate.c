/* matchstate.c - the store's side of re-evaluation: component pages, DB fingerprints per package, findings by component, settings. */
#include "store/matchstate.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/severity.h"

/* Components per page of bh_matchstate_components; ids per IN list of bh_matchstate_findings. */
#define COMP_PAGE 5000
#define IDS_PER_QUERY 500

int bh_matchstate_components(bh_store *st, bh_matchstate_comp_cb cb, void *ud, bh_error *err)
{
	int64_t after = 0;
	for (;;) {
		bh_sql_value p[2] = { BH_SQL_INT(after), BH_SQL_INT(COMP_PAGE) };
		bh_sql_rows *r;
		size_t got = 0;
		int crc = 0, rc = bh_sql_query(bh_store_sql(st),
				      "SELECT id, purl, eco, name, namespace, version, src_name, src_version, distro, os_owned"
				      " FROM components WHERE id > $1 ORDER BY id LIMIT $2",
				      p, 2, &r, err);
		if (rc)
			return rc;
		while ((rc = bh_sql_next(r, err)) == 1) {
			bh_matchstate_comp c = { bh_sql_int(r, 0), bh_sql_text(r, 1), bh_sql_text(r, 2), bh_sql_text(r, 3),
						 bh_sql_text(r, 4), bh_sql_text(r, 5), bh_sql_text(r, 6), bh_sql_text(r, 7),
						 bh_sql_text(r, 8), bh_sql_int(r, 9) != 0 };
			after = c.id;
			got++;
			if ((crc = cb(ud, &c)) != 0)
				break;
		}
		bh_sql_rows_free(r);
		if (crc)
			return crc;
		if (rc < 0)
			return rc;
		if (got < COMP_PAGE)
			return 0;
	}
}

int bh_matchstate_fps(bh_store *st, bh_matchstate_fp_cb cb, void *ud, bh_error *err)
{
	bh_sql_rows *r;
	int crc = 0, rc = bh_sql_query(bh_store_sql(st), "SELECT eco, distro, name, fp FROM vuln_keys", NULL, 0, &r, err);
	if (rc)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1)
		if ((crc = cb(ud, bh_sql_text(r, 0), bh_sql_text(r, 1), bh_sql_text(r, 2), bh_sql_text(r, 3))) != 0)
			break;
	bh_sql_rows_free(r);
	return crc ? crc : rc < 0 ? rc : 0;
}

int bh_matchstate_fp_put(bh_store *st, const char *eco, const char *distro, const char *name, const char *fp, int64_t now,
			 bh_error *err)
{
	bh_sql_value p[5] = { BH_SQL_TEXT(eco), BH_SQL_TEXT(distro ? distro : ""), BH_SQL_TEXT(name), BH_SQL_TEXT(fp),
			      BH_SQL_INT(now) };
	return bh_sql_exec(bh_store_sql(st),
			   "INSERT INTO vuln_keys(eco, distro, name, fp, updated_at) VALUES ($1, $2, $3, $4, $5)"
			   " ON CONFLICT(eco, distro, name) DO UPDATE SET fp = excluded.fp, updated_at = excluded.updated_at",
			   p, 5, err);
}

int bh_matchstate_fp_clear(bh_store *st, bh_error *err)
{
	return bh_sql_exec(bh_store_sql(st), "DELETE FROM vuln_keys", NULL, 0, err);
}

int bh_matchstate_findings(bh_store *st, const int64_t *ids, size_t n, bh_store_finding_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p[IDS_PER_QUERY];
	size_t i, k;
	int rc = 0, crc = 0;
	for (i = 0; i < n && !rc && !crc; i += IDS_PER_QUERY) {
		size_t m = n - i < IDS_PER_QUERY ? n - i : IDS_PER_QUERY;
		bh_buf q = BH_BUF_INIT;
		bh_sql_rows *r;
		bh_buf_puts(&q, "SELECT id, component_id, advisory, severity, kev, fixed_version, state FROM findings"
				" WHERE component_id IN (");
		for (k = 0; k < m; k++) {
			p[k] = BH_SQL_INT(ids[i + k]);
			bh_buf_printf(&q, k ? ", $%zu" : "$%zu", k + 1);
		}
		bh_buf_putc(&q, ')');
		if (!q.data) {
			bh_buf_free(&q);
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		}
		rc = bh_sql_query(bh_store_sql(st), q.data, p, m, &r, err);
		bh_buf_free(&q);
		if (rc)
			return rc;
		while ((rc = bh_sql_next(r, err)) == 1) {
			bh_store_finding f;
			memset(&f, 0, sizeof(f));
			f.id = bh_sql_int(r, 0);
			f.component_id = bh_sql_int(r, 1);
			f.advisory = bh_sql_text(r, 2);
			f.severity = bh_sql_text(r, 3);
			f.kev = bh_sql_int(r, 4) != 0;
			f.fixed_version = bh_sql_text(r, 5);
			f.state = bh_sql_text(r, 6);
			if ((crc = cb(ud, &f)) != 0)
				break;
		}
		bh_sql_rows_free(r);
		if (rc > 0)
			rc = 0;
	}
	return crc ? crc : rc;
}

int bh_matchstate_finding_set(bh_store *st, int64_t id, int64_t component_id, const char *advisory, const char *severity,
			      bool kev, const char *fixed_version, const char *db_version, int64_t now, bh_error *err)
{
	bh_sql_value p[8] = { BH_SQL_INT(id ? id : component_id), BH_SQL_TEXT(advisory), BH_SQL_TEXT(severity),
			      BH_SQL_INT(bh_severity_parse(severity)), BH_SQL_INT(kev ? 1 : 0), BH_SQL_TEXT(fixed_version),
			      BH_SQL_TEXT(db_version), BH_SQL_INT(now) };
	if (id)
		return bh_sql_exec(bh_store_sql(st),
				   "UPDATE findings SET severity = $3, severity_rank = $4, kev = $5, fixed_version = $6,"
				   " db_version = $7, updated_at = $8, state = 'open', resolved_at = NULL WHERE id = $1 AND advisory = $2",
				   p, 8, err);
	return bh_sql_exec(bh_store_sql(st),
			   "INSERT INTO findings(component_id, advisory, severity, severity_rank, kev, fixed_version, db_version,"
			   " first_seen, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 'open')",
			   p, 8, err);
}

int bh_matchstate_finding_resolve(bh_store *st, int64_t id, const char *db_version, int64_t now, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_INT(id), BH_SQL_TEXT(db_version), BH_SQL_INT(now) };
	return bh_sql_exec(bh_store_sql(st),
			   "UPDATE findings SET state = 'resolved', resolved_at = $3, updated_at = $3, db_version = $2"
			   " WHERE id = $1 AND state = 'open'",
			   p, 3, err);
}

int bh_matchstate_setting_get(bh_store *st, const char *key, char **value, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(key);
	bh_sql_rows *r;
	int rc;
	*value = NULL;
	if ((rc = bh_sql_query(bh_store_sql(st), "SELECT value FROM settings WHERE key = $1", &p, 1, &r, err)) != 0)
		return rc;
	if ((rc = bh_sql_next(r, err)) == 1) {
		const char *v = bh_sql_text(r, 0);
		rc = 0;
		if (v && !(*value = strdup(v)))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

int bh_matchstate_setting_put(bh_store *st, const char *key, const char *value, int64_t now, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_TEXT(key), BH_SQL_TEXT(value), BH_SQL_INT(now) };
	return bh_sql_exec(bh_store_sql(st),
			   "INSERT INTO settings(key, value, updated_at) VALUES ($1, $2, $3)"
			   " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
			   p, 3, err);
}
