/* sql.h - one connection API over SQLite and PostgreSQL (libpq): bound parameters, cursors, transactions, locks. */
#ifndef BH_STORE_SQL_H
#define BH_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/*
 * SQL given to this layer is written once for both backends: parameters are $1..$N (translated to
 * ?NNN for SQLite outside quotes), values are always bound, never pasted into the text. Statements
 * are prepared once per connection and kept, keyed by their text (so the text of a statement must
 * not carry values: the number of distinct texts stays bounded).
 */
typedef struct bh_sql bh_sql;
typedef struct bh_sql_rows bh_sql_rows;

typedef enum bh_sql_backend { BH_SQL_SQLITE = 1, BH_SQL_POSTGRES = 2 } bh_sql_backend;

typedef enum bh_sql_type { BH_SQLV_NULL = 0, BH_SQLV_TEXT, BH_SQLV_INT, BH_SQLV_BLOB } bh_sql_type;

/* A parameter; the pointed-to data is the caller's and only needs to live through the call. */
typedef struct bh_sql_value {
	bh_sql_type type;
	const void *p;  /* TEXT (NUL-terminated) or BLOB bytes */
	size_t len;     /* BLOB length */
	int64_t i;      /* INT */
} bh_sql_value;

/* A NULL string becomes SQL NULL. */
static inline bh_sql_value bh_sql_textv(const char *s)
{
	bh_sql_value v = { s ? BH_SQLV_TEXT : BH_SQLV_NULL, s, 0, 0 };
	return v;
}
#define BH_SQL_TEXT(s) bh_sql_textv(s)
#define BH_SQL_INT(v) ((bh_sql_value){ .type = BH_SQLV_INT, .i = (int64_t)(v) })
#define BH_SQL_NULL ((bh_sql_value){ .type = BH_SQLV_NULL })
static inline bh_sql_value bh_sql_blobv(const void *b, size_t n)
{
	bh_sql_value v = { b ? BH_SQLV_BLOB : BH_SQLV_NULL, b, n, 0 };
	return v;
}
#define BH_SQL_BLOB(b, n) bh_sql_blobv((b), (n))

/* Most parameters one statement may bind (SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32766). */
#define BH_SQL_MAX_PARAMS 1000

/*
 * Opens url: "sqlite:/path/file.db" or a plain path (created if missing; WAL journal, a busy
 * timeout of busy_ms, foreign keys on), "postgres://..." / "postgresql://..." or a libpq keyword
 * string ("host=DIR port=N user=postgres dbname=x"). BH_EUNSUPPORTED for PostgreSQL in a build
 * without libpq. Caller closes with bh_sql_close.
 */
int bh_sql_open(const char *url, int busy_ms, bh_sql **out, bh_error *err);
void bh_sql_close(bh_sql *db);
bh_sql_backend bh_sql_backend_of(const bh_sql *db);
/* "sqlite" or "postgres". */
const char *bh_sql_backend_name(const bh_sql *db);
/* True when this build can open PostgreSQL URLs. */
bool bh_sql_have_postgres(void);
/* True when url names PostgreSQL (by its form, whether or not this build has libpq). */
bool bh_sql_url_is_postgres(const char *url);

/* Runs one statement; rows it returns are discarded. */
int bh_sql_exec(bh_sql *db, const char *sql, const bh_sql_value *params, size_t nparams, bh_error *err);
/* Rows inserted, updated or deleted by the last bh_sql_exec. */
int64_t bh_sql_changes(const bh_sql *db);
/* Runs several ;-separated statements without parameters and without preparing them (migrations). */
int bh_sql_script(bh_sql *db, const char *sql, bh_error *err);

/*
 * Starts a query; step with bh_sql_next and release with bh_sql_rows_free (always, also after an
 * error). One open cursor per statement text at a time is cheap; a second one of the same text is
 * prepared afresh. PostgreSQL results arrive whole: page with LIMIT.
 */
int bh_sql_query(bh_sql *db, const char *sql, const bh_sql_value *params, size_t nparams, bh_sql_rows **out,
		 bh_error *err);
/* 1: a row is current; 0: no more rows; negative: error (message in err). */
int bh_sql_next(bh_sql_rows *r, bh_error *err);
/* Column accessors of the current row (col from 0). Strings stay valid until the next bh_sql_next. */
bool bh_sql_isnull(bh_sql_rows *r, int col);
const char *bh_sql_text(bh_sql_rows *r, int col);       /* NULL for SQL NULL */
int64_t bh_sql_int(bh_sql_rows *r, int col);            /* 0 for NULL */
const void *bh_sql_blob(bh_sql_rows *r, int col, size_t *len);
void bh_sql_rows_free(bh_sql_rows *r);

/* Runs a query expected to give at most one row and reads column 0 as an integer: 1 found, 0 none. */
int bh_sql_query_int(bh_sql *db, const char *sql, const bh_sql_value *params, size_t nparams, int64_t *out,
		     bh_error *err);

/*
 * Transactions. begin on SQLite is BEGIN IMMEDIATE (the write lock up front, so two writers queue
 * on the busy timeout instead of failing on upgrade). Nested begin/commit become savepoints.
 * rollback after a failed statement is always allowed.
 */
int bh_sql_begin(bh_sql *db, bh_error *err);
int bh_sql_commit(bh_sql *db, bh_error *err);
int bh_sql_rollback(bh_sql *db, bh_error *err);

/*
 * Session-level advisory lock (PostgreSQL pg_try_advisory_lock / pg_advisory_unlock) so that one
 * of several servers does a piece of work. SQLite has one writer per file and no such locks: there
 * *got is always true (a store on SQLite serves one server process).
 */
int bh_sql_try_lock(bh_sql *db, int64_t key, bool *got, bh_error *err);
int bh_sql_unlock(bh_sql *db, int64_t key, bh_error *err);

#endif
