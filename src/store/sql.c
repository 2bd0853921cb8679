/* sql.c - one connection API over SQLite and PostgreSQL (libpq): bound parameters, cursors, transactions, locks. */
#include "store/sql.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BH_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "core/buf.h"
#include "core/map.h"

/* A prepared statement kept per connection, keyed by its text in bh_sql.stmts. */
typedef struct sql_stmt {
	sqlite3_stmt *st; /* SQLite */
	bool busy;        /* SQLite: a cursor is stepping it */
	char name[24];    /* PostgreSQL: server-side name */
	int nparams;
} sql_stmt;

struct bh_sql {
	bh_sql_backend backend;
	sqlite3 *lite;
#ifdef BH_HAVE_LIBPQ
	PGconn *pg;
#endif
	bh_map stmts;
	unsigned nstmt;   /* names PostgreSQL statements */
	int depth;        /* transaction nesting: 0 none, 1 BEGIN, >1 savepoints */
	int64_t changes;
};

struct bh_sql_rows {
	bh_sql *db;
	sqlite3_stmt *st;
	sql_stmt *ent;    /* the cached statement st came from, NULL when st is ours to finalize */
#ifdef BH_HAVE_LIBPQ
	PGresult *res;
#endif
	int row, nrows;
	unsigned char *blob; /* PostgreSQL bytea of the current column, unescaped */
};

static void stmt_free(void *p)
{
	sql_stmt *s = p;
	if (s && s->st)
		sqlite3_finalize(s->st);
	free(s);
}

bool bh_sql_have_postgres(void)
{
#ifdef BH_HAVE_LIBPQ
	return true;
#else
	return false;
#endif
}

bool bh_sql_url_is_postgres(const char *url)
{
	/* a keyword string always has "key=value"; a path with '=' in it would need the sqlite: prefix */
	return bh_str_startswith(url, "postgres://") || bh_str_startswith(url, "postgresql://") ||
	       (!bh_str_startswith(url, "sqlite:") && strchr(url, '=') != NULL);
}

bh_sql_backend bh_sql_backend_of(const bh_sql *db) { return db->backend; }

const char *bh_sql_backend_name(const bh_sql *db) { return db->backend == BH_SQL_POSTGRES ? "postgres" : "sqlite"; }

int64_t bh_sql_changes(const bh_sql *db) { return db->changes; }

/* Always negative (spelled out so that static analysis sees it too). */
static int oom(bh_error *err)
{
	bh_error_set(err, BH_ENOMEM, "out of memory");
	return BH_ENOMEM;
}

static int lite_err(bh_sql *db, bh_error *err, const char *what)
{
	int ext = sqlite3_extended_errcode(db->lite);
	/* a constraint (UNIQUE, NOT NULL, FOREIGN KEY) is the caller's input, not the disk */
	int code = (ext & 0xff) == SQLITE_CONSTRAINT ? BH_EINVAL : BH_EIO;
	bh_error_set(err, code, "store (sqlite): %s: %s", what, sqlite3_errmsg(db->lite));
	return code;
}

#ifdef BH_HAVE_LIBPQ
static int pg_err(bh_sql *db, const PGresult *res, bh_error *err, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->pg);
	char clean[400];
	size_t n;
	int code = state && state[0] == '2' && state[1] == '3' ? BH_EINVAL : BH_EIO; /* class 23: constraints */
	snprintf(clean, sizeof(clean), "%s", msg && *msg ? msg : "unknown error");
	n = strlen(clean);
	while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	bh_error_set(err, code, "store (postgres): %s: %s%s%s", what, clean, state ? " SQLSTATE " : "", state ? state : "");
	return code;
}

static void pg_quiet(void *arg, const char *msg)
{
	/* NOTICEs ("relation already exists, skipping") are not errors; the logger is the caller's business */
	(void)arg; (void)msg;
}
#endif

int bh_sql_open(const char *url, int busy_ms, bh_sql **out, bh_error *err)
{
	bh_sql *db;
	*out = NULL;
	if (!url || !*url)
		return bh_error_set(err, BH_EUSAGE, "store: empty URL");
	db = calloc(1, sizeof(*db));
	if (!db)
		return oom(err);
	bh_map_init(&db->stmts, stmt_free);
	if (bh_sql_url_is_postgres(url)) {
#ifdef BH_HAVE_LIBPQ
		db->backend = BH_SQL_POSTGRES;
		db->pg = PQconnectdb(url);
		if (!db->pg || PQstatus(db->pg) != CONNECTION_OK) {
			int rc = bh_error_set(err, BH_EIO, "store (postgres): connect: %s",
					      db->pg ? PQerrorMessage(db->pg) : "out of memory");
			bh_sql_close(db);
			return rc;
		}
		PQsetNoticeProcessor(db->pg, pg_quiet, NULL);
		*out = db;
		return 0;
#else
		free(db);
		return bh_error_set(err, BH_EUNSUPPORTED, "store: this build has no PostgreSQL support (libpq was missing at build time)");
#endif
	}
	db->backend = BH_SQL_SQLITE;
	{
		const char *path = bh_str_startswith(url, "sqlite:") ? url + 7 : url;
		char pragmas[200];
		if (!*path) {
			free(db);
			return bh_error_set(err, BH_EUSAGE, "store: sqlite: URL without a path");
		}
		if (sqlite3_open_v2(path, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			int rc = db->lite ? lite_err(db, err, path) : bh_error_set(err, BH_ENOMEM, "out of memory");
			bh_sql_close(db);
			return rc;
		}
		sqlite3_busy_timeout(db->lite, busy_ms > 0 ? busy_ms : 5000);
		/*
		 * WAL: readers never wait for the writer; synchronous=NORMAL is durable against a killed
		 * process (the acknowledged-event promise), only a power loss may lose the last commits.
		 */
		snprintf(pragmas, sizeof(pragmas), "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
		if (sqlite3_exec(db->lite, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
			int rc = lite_err(db, err, path);
			bh_sql_close(db);
			return rc;
		}
	}
	*out = db;
	return 0;
}

void bh_sql_close(bh_sql *db)
{
	if (!db)
		return;
	bh_map_free(&db->stmts); /* finalizes SQLite statements before the close */
	if (db->lite)
		sqlite3_close(db->lite);
#ifdef BH_HAVE_LIBPQ
	if (db->pg)
		PQfinish(db->pg);
#endif
	free(db);
}

/* $N -> ?N outside quoted strings and identifiers (SQLite reads "$1" as a named parameter). */
static char *lite_translate(const char *sql)
{
	bh_buf b = BH_BUF_INIT;
	const char *p = sql;
	char q = 0;
	for (; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			bh_buf_putc(&b, '?');
			continue;
		}
		bh_buf_putc(&b, *p);
	}
	if (!b.data)
		bh_buf_puts(&b, "");
	return bh_buf_steal(&b);
}

/* Highest $N in sql (outside quotes): how many parameters PostgreSQL expects. */
static int count_params(const char *sql)
{
	const char *p;
	char q = 0;
	int max = 0;
	for (p = sql; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int v = 0;
			while (p[1] >= '0' && p[1] <= '9' && v < 100000)
				v = v * 10 + (*++p - '0');
			if (v > max)
				max = v;
		}
	}
	return max;
}

static int get_stmt(bh_sql *db, const char *sql, sql_stmt **out, bh_error *err)
{
	sql_stmt *s = bh_map_get(&db->stmts, sql);
	*out = NULL;
	if (s) {
		*out = s;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return oom(err);
	s->nparams = count_params(sql);
	if (db->backend == BH_SQL_SQLITE) {
		char *t = lite_translate(sql);
		int rc = t ? sqlite3_prepare_v3(db->lite, t, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) : SQLITE_NOMEM;
		free(t);
		if (rc != SQLITE_OK) {
			free(s);
			return lite_err(db, err, "prepare");
		}
	}
#ifdef BH_HAVE_LIBPQ
	else {
		PGresult *res;
		snprintf(s->name, sizeof(s->name), "bh%u", ++db->nstmt);
		res = PQprepare(db->pg, s->name, sql, s->nparams, NULL);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			int rc = pg_err(db, res, err, "prepare");
			PQclear(res);
			free(s);
			return rc;
		}
		PQclear(res);
	}
#endif
	if (bh_map_put(&db->stmts, sql, s) != 0) {
		stmt_free(s);
		return oom(err);
	}
	*out = s;
	return 0;
}

static int lite_bind(bh_sql *db, sqlite3_stmt *st, const bh_sql_value *p, size_t n, bh_error *err)
{
	size_t i;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (n != (size_t)sqlite3_bind_parameter_count(st))
		return bh_error_set(err, BH_EUSAGE, "store (sqlite): %zu parameters for a statement that takes %d", n,
				    sqlite3_bind_parameter_count(st));
	for (i = 0; i < n; i++) {
		int col = (int)i + 1, rc;
		switch (p[i].type) {
		case BH_SQLV_TEXT: rc = sqlite3_bind_text(st, col, p[i].p, -1, SQLITE_TRANSIENT); break;
		case BH_SQLV_INT: rc = sqlite3_bind_int64(st, col, p[i].i); break;
		case BH_SQLV_BLOB:
			if (p[i].len > INT32_MAX)
				return bh_error_set(err, BH_ELIMIT, "store: blob of %zu bytes", p[i].len);
			rc = sqlite3_bind_blob(st, col, p[i].p, (int)p[i].len, SQLITE_TRANSIENT);
			break;
		default: rc = sqlite3_bind_null(st, col); break;
		}
		if (rc != SQLITE_OK)
			return lite_err(db, err, "bind");
	}
	return 0;
}

#ifdef BH_HAVE_LIBPQ
/* Runs a prepared statement; *res is the caller's to PQclear. */
static int pg_run(bh_sql *db, sql_stmt *s, const bh_sql_value *p, size_t n, PGresult **res, bh_error *err)
{
	const char *vals[BH_SQL_MAX_PARAMS];
	int lens[BH_SQL_MAX_PARAMS], fmts[BH_SQL_MAX_PARAMS];
	char (*ints)[24] = NULL;
	size_t i;
	ExecStatusType st;
	*res = NULL;
	if (n != (size_t)s->nparams)
		return bh_error_set(err, BH_EUSAGE, "store (postgres): %zu parameters for a statement that takes %d", n, s->nparams);
	if (n && !(ints = calloc(n, sizeof(*ints))))
		return oom(err);
	for (i = 0; i < n; i++) {
		lens[i] = 0;
		fmts[i] = 0;
		vals[i] = NULL;
		switch (p[i].type) {
		case BH_SQLV_TEXT: vals[i] = p[i].p; break;
		case BH_SQLV_INT:
			snprintf(ints[i], sizeof(ints[i]), "%" PRId64, p[i].i);
			vals[i] = ints[i];
			break;
		case BH_SQLV_BLOB:
			if (p[i].len > INT32_MAX) {
				free(ints);
				return bh_error_set(err, BH_ELIMIT, "store: blob of %zu bytes", p[i].len);
			}
			vals[i] = p[i].p;
			lens[i] = (int)p[i].len;
			fmts[i] = 1; /* binary: bytea without escaping */
			break;
		default: break;
		}
	}
	*res = PQexecPrepared(db->pg, s->name, (int)n, vals, lens, fmts, 0);
	free(ints);
	st = *res ? PQresultStatus(*res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int rc = pg_err(db, *res, err, "statement");
		PQclear(*res);
		*res = NULL;
		return rc;
	}
	return 0;
}
#endif

int bh_sql_exec(bh_sql *db, const char *sql, const bh_sql_value *params, size_t nparams, bh_error *err)
{
	sql_stmt *s;
	int rc;
	if (nparams > BH_SQL_MAX_PARAMS)
		return bh_error_set(err, BH_ELIMIT, "store: %zu parameters in one statement", nparams);
	if ((rc = get_stmt(db, sql, &s, err)) != 0 || !s)
		return rc ? rc : BH_EIO; /* !s cannot happen with rc == 0; the analyzer cannot see that */
	db->changes = 0;
	if (db->backend == BH_SQL_SQLITE) {
		sqlite3_stmt *st = s->st;
		bool own = false;
		if (s->busy) { /* a cursor of the same text is open: a statement of our own */
			char *t = lite_translate(sql);
			int prc = t ? sqlite3_prepare_v2(db->lite, t, -1, &st, NULL) : SQLITE_NOMEM;
			free(t);
			if (prc != SQLITE_OK)
				return lite_err(db, err, "prepare");
			own = true;
		}
		if ((rc = lite_bind(db, st, params, nparams, err)) == 0) {
			int step;
			while ((step = sqlite3_step(st)) == SQLITE_ROW)
				;
			if (step != SQLITE_DONE)
				rc = lite_err(db, err, "statement");
			else
				db->changes = sqlite3_changes64(db->lite);
		}
		if (own)
			sqlite3_finalize(st);
		else
			sqlite3_reset(st);
		return rc;
	}
#ifdef BH_HAVE_LIBPQ
	{
		PGresult *res;
		if ((rc = pg_run(db, s, params, nparams, &res, err)) != 0)
			return rc;
		db->changes = strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
#endif
	return 0;
}

int bh_sql_script(bh_sql *db, const char *sql, bh_error *err)
{
	if (db->backend == BH_SQL_SQLITE) {
		char *msg = NULL;
		if (sqlite3_exec(db->lite, sql, NULL, NULL, &msg) != SQLITE_OK) {
			int rc = bh_error_set(err, BH_EIO, "store (sqlite): %s", msg ? msg : sqlite3_errmsg(db->lite));
			sqlite3_free(msg);
			return rc;
		}
		return 0;
	}
#ifdef BH_HAVE_LIBPQ
	{
		PGresult *res = PQexec(db->pg, sql);
		int rc = 0;
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pg_err(db, res, err, "script");
		PQclear(res);
		return rc;
	}
#else
	return bh_error_set(err, BH_EUNSUPPORTED, "store: no PostgreSQL support");
#endif
}

int bh_sql_query(bh_sql *db, const char *sql, const bh_sql_value *params, size_t nparams, bh_sql_rows **out,
		 bh_error *err)
{
	sql_stmt *s;
	bh_sql_rows *r;
	int rc;
	*out = NULL;
	if (nparams > BH_SQL_MAX_PARAMS)
		return bh_error_set(err, BH_ELIMIT, "store: %zu parameters in one statement", nparams);
	if ((rc = get_stmt(db, sql, &s, err)) != 0 || !s)
		return rc ? rc : BH_EIO; /* !s cannot happen with rc == 0; the analyzer cannot see that */
	if (!(r = calloc(1, sizeof(*r))))
		return oom(err);
	r->db = db;
	r->row = -1;
	if (db->backend == BH_SQL_SQLITE) {
		if (s->busy) {
			char *t = lite_translate(sql);
			int prc = t ? sqlite3_prepare_v2(db->lite, t, -1, &r->st, NULL) : SQLITE_NOMEM;
			free(t);
			if (prc != SQLITE_OK) {
				free(r);
				return lite_err(db, err, "prepare");
			}
		} else {
			r->st = s->st;
			r->ent = s;
			s->busy = true;
		}
		if ((rc = lite_bind(db, r->st, params, nparams, err)) != 0) {
			bh_sql_rows_free(r);
			return rc;
		}
		*out = r;
		return 0;
	}
#ifdef BH_HAVE_LIBPQ
	if ((rc = pg_run(db, s, params, nparams, &r->res, err)) != 0) {
		free(r);
		return rc;
	}
	r->nrows = PQntuples(r->res);
#endif
	*out = r;
	return 0;
}

static void blob_free(bh_sql_rows *r)
{
#ifdef BH_HAVE_LIBPQ
	if (r->blob)
		PQfreemem(r->blob); /* PQunescapeBytea's memory */
#endif
	r->blob = NULL;
}

int bh_sql_next(bh_sql_rows *r, bh_error *err)
{
	blob_free(r);
	if (r->st) {
		int rc = sqlite3_step(r->st);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc == SQLITE_DONE)
			return 0;
		return lite_err(r->db, err, "query");
	}
	if (r->row + 1 >= r->nrows)
		return 0;
	r->row++;
	return 1;
}

bool bh_sql_isnull(bh_sql_rows *r, int col)
{
	if (r->st)
		return sqlite3_column_type(r->st, col) == SQLITE_NULL;
#ifdef BH_HAVE_LIBPQ
	return PQgetisnull(r->res, r->row, col) != 0;
#else
	return true;
#endif
}

const char *bh_sql_text(bh_sql_rows *r, int col)
{
	if (r->st)
		return (const char *)sqlite3_column_text(r->st, col);
#ifdef BH_HAVE_LIBPQ
	return PQgetisnull(r->res, r->row, col) ? NULL : PQgetvalue(r->res, r->row, col);
#else
	return NULL;
#endif
}

int64_t bh_sql_int(bh_sql_rows *r, int col)
{
	const char *s;
	if (r->st)
		return sqlite3_column_int64(r->st, col);
	s = bh_sql_text(r, col);
	if (!s)
		return 0;
	if (!strcmp(s, "t")) /* a PostgreSQL boolean in text form */
		return 1;
	if (!strcmp(s, "f"))
		return 0;
	return strtoll(s, NULL, 10);
}

const void *bh_sql_blob(bh_sql_rows *r, int col, size_t *len)
{
	*len = 0;
	if (r->st) {
		const void *p = sqlite3_column_blob(r->st, col);
		*len = (size_t)sqlite3_column_bytes(r->st, col);
		return p;
	}
#ifdef BH_HAVE_LIBPQ
	if (PQgetisnull(r->res, r->row, col))
		return NULL;
	blob_free(r);
	r->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(r->res, r->row, col), len);
	return r->blob;
#else
	return NULL;
#endif
}

void bh_sql_rows_free(bh_sql_rows *r)
{
	if (!r)
		return;
	if (r->ent) {
		sqlite3_reset(r->st);
		sqlite3_clear_bindings(r->st);
		r->ent->busy = false;
	} else if (r->st) {
		sqlite3_finalize(r->st);
	}
#ifdef BH_HAVE_LIBPQ
	PQclear(r->res);
#endif
	blob_free(r);
	free(r);
}

int bh_sql_query_int(bh_sql *db, const char *sql, const bh_sql_value *params, size_t nparams, int64_t *out,
		     bh_error *err)
{
	bh_sql_rows *r;
	int rc = bh_sql_query(db, sql, params, nparams, &r, err);
	*out = 0;
	if (rc != 0)
		return rc;
	rc = bh_sql_next(r, err);
	if (rc == 1)
		*out = bh_sql_int(r, 0);
	bh_sql_rows_free(r);
	return rc;
}

static int tx(bh_sql *db, const char *sql, bh_error *err)
{
	return bh_sql_script(db, sql, err);
}

int bh_sql_begin(bh_sql *db, bh_error *err)
{
	char sp[40];
	int rc;
	if (db->depth == 0)
		rc = tx(db, db->backend == BH_SQL_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err);
	else {
		snprintf(sp, sizeof(sp), "SAVEPOINT bh_sp%d", db->depth);
		rc = tx(db, sp, err);
	}
	if (rc == 0)
		db->depth++;
	return rc;
}

int bh_sql_commit(bh_sql *db, bh_error *err)
{
	char sp[40];
	int rc;
	if (db->depth <= 0)
		return bh_error_set(err, BH_EUSAGE, "store: commit without begin");
	if (db->depth == 1)
		rc = tx(db, "COMMIT", err);
	else {
		snprintf(sp, sizeof(sp), "RELEASE SAVEPOINT bh_sp%d", db->depth - 1);
		rc = tx(db, sp, err);
	}
	if (rc == 0)
		db->depth--;
	return rc;
}

int bh_sql_rollback(bh_sql *db, bh_error *err)
{
	char sp[80];
	int rc;
	if (db->depth <= 0)
		return 0;
	if (db->depth == 1)
		rc = tx(db, "ROLLBACK", err);
	else {
		snprintf(sp, sizeof(sp), "ROLLBACK TO SAVEPOINT bh_sp%d; RELEASE SAVEPOINT bh_sp%d", db->depth - 1, db->depth - 1);
		rc = tx(db, sp, err);
	}
	db->depth--; /* even on failure: the connection is no longer in that level */
	return rc;
}

int bh_sql_try_lock(bh_sql *db, int64_t key, bool *got, bh_error *err)
{
	int64_t v = 0;
	bh_sql_value p = BH_SQL_INT(key);
	int rc;
	*got = false;
	if (db->backend == BH_SQL_SQLITE) {
		*got = true;
		return 0;
	}
	rc = bh_sql_query_int(db, "SELECT CASE WHEN pg_try_advisory_lock($1) THEN 1 ELSE 0 END", &p, 1, &v, err);
	if (rc < 0)
		return rc;
	*got = v == 1;
	return 0;
}

int bh_sql_unlock(bh_sql *db, int64_t key, bh_error *err)
{
	int64_t v = 0;
	bh_sql_value p = BH_SQL_INT(key);
	int rc;
	if (db->backend == BH_SQL_SQLITE)
		return 0;
	rc = bh_sql_query_int(db, "SELECT CASE WHEN pg_advisory_unlock($1) THEN 1 ELSE 0 END", &p, 1, &v, err);
	return rc < 0 ? rc : 0;
}
