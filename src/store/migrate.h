/* migrate.h - the store's numbered schema migrations (SQLite and PostgreSQL) and the schema_version table. */
#ifndef BH_STORE_MIGRATE_H
#define BH_STORE_MIGRATE_H

#include "core/error.h"
#include "store/sql.h"

/* The schema version this binary writes: the number of its migrations. */
int bh_migrate_latest(void);
/*
 * Brings the store to bh_migrate_latest() in one transaction (PostgreSQL: under an advisory lock,
 * so servers starting together migrate once); idempotent. A store whose version is newer than
 * this binary is refused with BH_EUNSUPPORTED and left untouched. *from (optional) gets the
 * version found (0 for an empty store).
 */
int bh_migrate_run(bh_sql *db, int *from, bh_error *err);
/* The version recorded in the store (0 when it has no schema_version table). */
int bh_migrate_version(bh_sql *db, int *version, bh_error *err);

#endif
