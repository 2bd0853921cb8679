/* migrate.c - the store's numbered schema migrations (SQLite and PostgreSQL) and the schema_version table. */
#include "store/migrate.h"

#include <stdio.h>
#include <time.h>

#include "core/product.h"

/*
 * One text per migration, written once with the few words that differ per backend as macro
 * arguments: ID is an ever-growing integer key (AUTOINCREMENT: a deleted event's sequence number
 * is never handed out again), CTEXT a byte-ordered text (purls: a prefix search is a range scan of
 * the index whatever the database's locale). Times are Unix seconds in BIGINT, JSON documents TEXT.
 */
#define SCHEMA_1(ID, CTEXT)                                                                                        \
	"CREATE TABLE hosts(id " ID ", name TEXT NOT NULL UNIQUE, os TEXT, kernel TEXT, engine TEXT,"                 \
	" engine_version TEXT, facts TEXT, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL);"                   \
	"CREATE TABLE images(id " ID ", digest TEXT NOT NULL UNIQUE, repo_tags TEXT, registry TEXT, labels TEXT,"     \
	" config TEXT, os TEXT, arch TEXT, distro TEXT, distro_version TEXT, ncomponents BIGINT NOT NULL DEFAULT 0,"  \
	" has_sbom INTEGER NOT NULL DEFAULT 0, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL);"               \
	"CREATE TABLE components(id " ID ", purl " CTEXT " NOT NULL UNIQUE, eco TEXT NOT NULL, name TEXT NOT NULL,"   \
	" namespace TEXT, version TEXT, arch TEXT, src_name TEXT, src_version TEXT, license TEXT);"                   \
	"CREATE INDEX components_pkg ON components(eco, name);"                                                       \
	"CREATE TABLE image_components(image_id BIGINT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"             \
	" component_id BIGINT NOT NULL REFERENCES components(id), path TEXT NOT NULL DEFAULT '',"                    \
	" layer INTEGER NOT NULL DEFAULT -1, PRIMARY KEY(image_id, component_id, path));"                            \
	"CREATE INDEX image_components_rev ON image_components(component_id, image_id);"                              \
	"CREATE TABLE containers(id " ID ", host_id BIGINT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"          \
	" container_id TEXT NOT NULL, image_digest TEXT, name TEXT, state TEXT NOT NULL, config TEXT,"               \
	" created_at BIGINT, started_at BIGINT, stopped_at BIGINT, updated_at BIGINT NOT NULL,"                       \
	" UNIQUE(host_id, container_id));"                                                                            \
	"CREATE INDEX containers_image ON containers(image_digest, state);"                                          \
	"CREATE TABLE findings(id " ID ", component_id BIGINT NOT NULL REFERENCES components(id),"                    \
	" advisory TEXT NOT NULL, severity TEXT, severity_rank INTEGER NOT NULL DEFAULT 0,"                           \
	" kev INTEGER NOT NULL DEFAULT 0, fixed_version TEXT, state TEXT NOT NULL, first_seen BIGINT NOT NULL,"       \
	" updated_at BIGINT NOT NULL, resolved_at BIGINT, db_version TEXT, UNIQUE(component_id, advisory));"         \
	"CREATE INDEX findings_advisory ON findings(advisory);"                                                       \
	"CREATE TABLE checks(id " ID ", image_id BIGINT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"            \
	" rule_id TEXT NOT NULL, target TEXT NOT NULL DEFAULT '', severity TEXT, title TEXT, detail TEXT,"            \
	" updated_at BIGINT NOT NULL, UNIQUE(image_id, rule_id, target));"                                          \
	"CREATE TABLE events(seq " ID ", type TEXT NOT NULL, host TEXT, container TEXT, time BIGINT NOT NULL,"        \
	" received BIGINT NOT NULL, payload TEXT, idem_key TEXT UNIQUE);"                                            \
	"CREATE INDEX events_type ON events(type, seq);"                                                              \
	"CREATE TABLE tokens(id " ID ", hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL"                                \
	" CHECK(role IN ('viewer','operator','admin','agent')), name TEXT, host TEXT, expires BIGINT,"                \
	" created BIGINT NOT NULL, last_used BIGINT, revoked INTEGER NOT NULL DEFAULT 0);"                            \
	"CREATE TABLE audit(id " ID ", who TEXT, action TEXT NOT NULL, target TEXT, time BIGINT NOT NULL,"            \
	" from_addr TEXT, detail TEXT);"                                                                              \
	"CREATE TABLE registries(id " ID ", url TEXT NOT NULL UNIQUE, username TEXT, secret TEXT,"                    \
	" repositories TEXT, interval_s BIGINT NOT NULL DEFAULT 3600, last_polled BIGINT);"                           \
	"CREATE TABLE jobs(id " ID ", kind TEXT NOT NULL, payload TEXT, state TEXT NOT NULL DEFAULT 'queued',"        \
	" locked_by TEXT, locked_until BIGINT, attempts INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL,"         \
	" finished BIGINT, error TEXT);"                                                                              \
	"CREATE INDEX jobs_state ON jobs(state, id);"

/*
 * 2: re-evaluation and what the agent and CI report beside images.
 *  - components.distro: the vulnerability DB's release key of an OS package ("debian:12"), so a
 *    component is matched without visiting an image; os_owned: every image that has this language
 *    package got it from an OS package (the matcher leaves it to the OS package's advisories); vuln_keys: per (ecosystem, release, package)
 *    a fingerprint of what the DB said when the components were last matched (re-evaluation
 *    matches only the keys whose fingerprint moved); settings: small server state (DB version).
 *  - host_checks: CIS results of a host (container_id '') and of its containers; scans: results
 *    uploaded by `bulkhead scan --server` (pipeline identifiers, verdict, summary).
 */
#define SCHEMA_2(ID, CTEXT)                                                                                        \
	"ALTER TABLE components ADD COLUMN distro TEXT;"                                                              \
	"ALTER TABLE components ADD COLUMN os_owned INTEGER NOT NULL DEFAULT 0;"                                      \
	"CREATE INDEX components_key ON components(eco, name, distro);"                                               \
	"CREATE TABLE vuln_keys(eco TEXT NOT NULL, distro TEXT NOT NULL DEFAULT '', name " CTEXT " NOT NULL,"          \
	" fp TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY(eco, distro, name));"                            \
	"CREATE TABLE settings(key TEXT NOT NULL PRIMARY KEY, value TEXT, updated_at BIGINT NOT NULL);"               \
	"CREATE TABLE host_checks(id " ID ", host_id BIGINT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"         \
	" container_id TEXT NOT NULL DEFAULT '', rule_id TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',"             \
	" status TEXT NOT NULL DEFAULT 'fail', severity TEXT, title TEXT, detail TEXT, updated_at BIGINT NOT NULL,"   \
	" UNIQUE(host_id, container_id, rule_id, target));"                                                           \
	"CREATE TABLE scans(id " ID ", who TEXT, target TEXT, image_digest TEXT, pipeline TEXT, verdict TEXT,"        \
	" summary TEXT, exit_code INTEGER, created BIGINT NOT NULL);"                                                 \
	"CREATE INDEX scans_image ON scans(image_digest, id);"

/*
 * 3: notifications. webhooks: where events are POSTed (sealed HMAC key, filter, the cursor in the
 * events table, back-off, the lease of the server delivering it); webhook_deliveries: every attempt.
 */
#define SCHEMA_3(ID, CTEXT)                                                                                        \
	"CREATE TABLE webhooks(id " ID ", name TEXT, url TEXT NOT NULL, format TEXT NOT NULL DEFAULT 'json',"         \
	" secret TEXT, filter TEXT, enabled INTEGER NOT NULL DEFAULT 1, cursor BIGINT NOT NULL DEFAULT 0,"            \
	" created BIGINT NOT NULL, fails BIGINT NOT NULL DEFAULT 0, next_try BIGINT NOT NULL DEFAULT 0,"              \
	" last_status BIGINT NOT NULL DEFAULT 0, last_error TEXT, last_ok BIGINT NOT NULL DEFAULT 0,"                \
	" locked_by TEXT, locked_until BIGINT);"                                                                      \
	"CREATE TABLE webhook_deliveries(id " ID ", webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE," \
	" event_seq BIGINT NOT NULL, delivery TEXT NOT NULL, event_type TEXT, attempt BIGINT NOT NULL,"               \
	" status BIGINT NOT NULL DEFAULT 0, error TEXT, time BIGINT NOT NULL, ms BIGINT NOT NULL DEFAULT 0);"         \
	"CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);"

/*
 * 4: accepted risks. exceptions: an advisory (optionally one package name) accepted everywhere, for an
 * image digest or for a repository, with a reason, an expiry, who and when, revoked keeps the row;
 * image_repos: the repository names of each image's tags (with and without the registry host), the
 * index a repository scope is checked against.
 */
#define SCHEMA_4(ID, CTEXT)                                                                                        \
	"CREATE TABLE exceptions(id " ID ", advisory " CTEXT " NOT NULL, package " CTEXT ","                          \
	" scope TEXT NOT NULL CHECK(scope IN ('everywhere','image','repository')), value " CTEXT ","                  \
	" justification TEXT, reason TEXT NOT NULL, expires BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,"      \
	" created_by TEXT, revoked BIGINT NOT NULL DEFAULT 0, expired_noted INTEGER NOT NULL DEFAULT 0);"             \
	"CREATE INDEX exceptions_advisory ON exceptions(advisory);"                                                   \
	"CREATE TABLE image_repos(image_id BIGINT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"                  \
	" repository " CTEXT " NOT NULL, PRIMARY KEY(image_id, repository));"                                         \
	"CREATE INDEX image_repos_repository ON image_repos(repository);"

/*
 * 5: the risk order (issue 17). findings.risk is the score 0..1000 of src/vuln/risk.h, risk_terms
 * the JSON array of the terms that made it, running the number of running containers that use the
 * finding's component when it was scored (a column, so "KEV and running" is an index condition).
 * findings_risk serves the default list (open findings by risk); findings_risk_hot is a partial
 * index of the open, known-exploited, running ones: the first page of that filter reads 50 entries.
 */
#define SCHEMA_5                                                                                                   \
	"ALTER TABLE findings ADD COLUMN risk INTEGER NOT NULL DEFAULT 0;"                                            \
	"ALTER TABLE findings ADD COLUMN risk_terms TEXT;"                                                            \
	"ALTER TABLE findings ADD COLUMN running BIGINT NOT NULL DEFAULT 0;"                                          \
	"CREATE INDEX findings_risk ON findings(state, risk DESC, id);"                                               \
	"CREATE INDEX findings_risk_hot ON findings(risk DESC, id) WHERE state = 'open' AND kev = 1 AND running > 0;"

/*
 * 6: issue trackers (issue 17): trackers, where findings become issues (a GitHub repository, the
 * sealed token, how findings are grouped, the filter, the cursor in the events table, back-off and
 * the lease of the server that works it); tracker_issues, the issue number of each group, so an
 * issue is found again without asking the tracker (the issue body's marker finds it when the row
 * is lost).
 */
#define SCHEMA_6(ID, CTEXT)                                                                                 \
	"CREATE TABLE trackers(id " ID ", kind TEXT NOT NULL, api_url TEXT NOT NULL, repository TEXT NOT NULL,"        \
	" token TEXT, group_by TEXT NOT NULL DEFAULT 'repository', filter TEXT, labels TEXT,"                          \
	" enabled INTEGER NOT NULL DEFAULT 1, cursor BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,"             \
	" fails BIGINT NOT NULL DEFAULT 0, next_try BIGINT NOT NULL DEFAULT 0, last_status BIGINT NOT NULL DEFAULT 0," \
	" last_error TEXT, last_ok BIGINT NOT NULL DEFAULT 0, locked_by TEXT, locked_until BIGINT);"                  \
	"CREATE TABLE tracker_issues(tracker_id BIGINT NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,"           \
	" group_hash TEXT NOT NULL, group_key " CTEXT " NOT NULL, number BIGINT NOT NULL, state TEXT NOT NULL,"       \
	" content TEXT, url TEXT, updated BIGINT NOT NULL, PRIMARY KEY(tracker_id, group_hash));"

/*
 * 7: behaviour baselines and the network map (issue 18): the current baseline of each image
 * repository (its YAML/JSON document as runtime/baseline.h writes it) and every version of it;
 * the map's nodes and directed edges per reporting host, with the counters the agent sent and
 * base_* (what was stored when the agent last restarted and began counting from 0 again).
 */
#define SCHEMA_7(CTEXT)                                                                                            \
	"CREATE TABLE baselines(repository " CTEXT " PRIMARY KEY, version BIGINT NOT NULL, mode TEXT NOT NULL,"       \
	" digest TEXT, doc TEXT NOT NULL, updated BIGINT NOT NULL, updated_by TEXT);"                                 \
	"CREATE TABLE baseline_versions(repository " CTEXT " NOT NULL, version BIGINT NOT NULL, mode TEXT NOT NULL,"  \
	" doc TEXT NOT NULL, time BIGINT NOT NULL, who TEXT, PRIMARY KEY(repository, version));"                     \
	"CREATE TABLE network_nodes(host TEXT NOT NULL, id " CTEXT " NOT NULL, kind TEXT NOT NULL, doc TEXT,"          \
	" last_seen BIGINT NOT NULL, PRIMARY KEY(host, id));"                                                         \
	"CREATE INDEX network_nodes_seen ON network_nodes(last_seen);"                                                \
	"CREATE TABLE network_edges(host TEXT NOT NULL, src " CTEXT " NOT NULL, dst " CTEXT " NOT NULL,"               \
	" port INTEGER NOT NULL, proto TEXT NOT NULL, connections BIGINT NOT NULL DEFAULT 0,"                         \
	" bytes BIGINT NOT NULL DEFAULT 0, blocked BIGINT NOT NULL DEFAULT 0, first_seen BIGINT NOT NULL,"           \
	" last_seen BIGINT NOT NULL, base_connections BIGINT NOT NULL DEFAULT 0, base_bytes BIGINT NOT NULL DEFAULT 0," \
	" base_blocked BIGINT NOT NULL DEFAULT 0, PRIMARY KEY(host, src, dst, port, proto));"                         \
	"CREATE INDEX network_edges_seen ON network_edges(last_seen);"

/* 8: who connected into a container, by the map (the risk order's exposure term reads it per container);
 * the agent run that last reported an edge (a new run starts its counters from 0 again). */
#define SCHEMA_8 "CREATE INDEX network_edges_dst ON network_edges(host, dst); ALTER TABLE network_edges ADD COLUMN run TEXT;"

/*
 * 9: the dashboard's portfolio metrics (issue 17, store/metrics.h): the summary as one JSON
 * document per name ("summary"), when it was counted and how long that took; image_metrics the
 * open-finding counts of each image, rewritten whole with the summary.
 */
#define SCHEMA_9(CTEXT)                                                                                           \
	"CREATE TABLE metrics(name TEXT NOT NULL PRIMARY KEY, doc TEXT NOT NULL, computed_at BIGINT NOT NULL,"        \
	" compute_ms BIGINT NOT NULL DEFAULT 0);"                                                                     \
	"CREATE TABLE image_metrics(digest " CTEXT " NOT NULL PRIMARY KEY, total BIGINT NOT NULL,"                     \
	" kev BIGINT NOT NULL, unknown BIGINT NOT NULL, low BIGINT NOT NULL, medium BIGINT NOT NULL,"                 \
	" high BIGINT NOT NULL, critical BIGINT NOT NULL);"

#define LITE_ID "INTEGER PRIMARY KEY AUTOINCREMENT"
#define PG_ID "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

/*
 * 10: a check rule can be accepted as an advisory can (issue 17): kind 'advisory' or 'rule' (advisory
 * then holds the rule id), target (a rule accepted for one check target only, NULL any) and the
 * scope 'host' (a host name: that host's results and its containers'). SQLite cannot change a CHECK
 * constraint in place, so its table is rebuilt with the same ids (AUTOINCREMENT's counter moves
 * with the rename); PostgreSQL replaces the constraint.
 */
#define SCHEMA_10_COLS                                                                                              \
	"advisory, package, scope, value, justification, reason, expires, created, created_by, revoked, expired_noted"
#define SCHEMA_10_SQLITE                                                                                            \
	"CREATE TABLE exceptions_v10(id " LITE_ID ", advisory TEXT NOT NULL, package TEXT,"                             \
	" scope TEXT NOT NULL CHECK(scope IN ('everywhere','image','repository','host')), value TEXT,"               \
	" justification TEXT, reason TEXT NOT NULL, expires BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,"      \
	" created_by TEXT, revoked BIGINT NOT NULL DEFAULT 0, expired_noted INTEGER NOT NULL DEFAULT 0,"              \
	" kind TEXT NOT NULL DEFAULT 'advisory' CHECK(kind IN ('advisory','rule')), target TEXT);"                   \
	"INSERT INTO exceptions_v10(id, " SCHEMA_10_COLS ") SELECT id, " SCHEMA_10_COLS " FROM exceptions;"             \
	"DROP TABLE exceptions;"                                                                                      \
	"ALTER TABLE exceptions_v10 RENAME TO exceptions;"                                                            \
	"CREATE INDEX exceptions_advisory ON exceptions(advisory);"                                                   \
	"CREATE INDEX exceptions_kind ON exceptions(kind, revoked);"
#define SCHEMA_10_POSTGRES                                                                                          \
	"ALTER TABLE exceptions DROP CONSTRAINT exceptions_scope_check;"                                              \
	"ALTER TABLE exceptions ADD CONSTRAINT exceptions_scope_check"                                                \
	" CHECK(scope IN ('everywhere','image','repository','host'));"                                                \
	"ALTER TABLE exceptions ADD COLUMN kind TEXT NOT NULL DEFAULT 'advisory' CHECK(kind IN ('advisory','rule'));" \
	"ALTER TABLE exceptions ADD COLUMN target TEXT COLLATE \"C\";"                                                \
	"CREATE INDEX exceptions_kind ON exceptions(kind, revoked);"


typedef struct migration {
	const char *sqlite;
	const char *postgres;
} migration;

/* Append only: a released migration is never edited (stores in the field have run it). */
static const migration migrations[] = {
	{ SCHEMA_1(LITE_ID, "TEXT"), SCHEMA_1(PG_ID, "TEXT COLLATE \"C\"") },
	{ SCHEMA_2(LITE_ID, "TEXT"), SCHEMA_2(PG_ID, "TEXT COLLATE \"C\"") },
	{ SCHEMA_3(LITE_ID, "TEXT"), SCHEMA_3(PG_ID, "TEXT COLLATE \"C\"") },
	{ SCHEMA_4(LITE_ID, "TEXT"), SCHEMA_4(PG_ID, "TEXT COLLATE \"C\"") },
	{ SCHEMA_5, SCHEMA_5 },
	{ SCHEMA_6(LITE_ID, "TEXT"), SCHEMA_6(PG_ID, "TEXT COLLATE \"C\"") },
	{ SCHEMA_7("TEXT"), SCHEMA_7("TEXT COLLATE \"C\"") },
	{ SCHEMA_8, SCHEMA_8 },
	{ SCHEMA_9("TEXT"), SCHEMA_9("TEXT COLLATE \"C\"") },
	{ SCHEMA_10_SQLITE, SCHEMA_10_POSTGRES },
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Arbitrary, fixed: the PostgreSQL advisory-lock key of schema changes. */
#define MIGRATE_LOCK_KEY 0x62686d6967LL

int bh_migrate_latest(void) { return NMIGRATIONS; }

static int has_table(bh_sql *db, bool *yes, bh_error *err)
{
	int64_t n = 0;
	bh_sql_value p = BH_SQL_TEXT("schema_version");
	int rc = bh_sql_query_int(db, bh_sql_backend_of(db) == BH_SQL_SQLITE
				      ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
				      : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1",
				  &p, 1, &n, err);
	*yes = n > 0;
	return rc < 0 ? rc : 0;
}

int bh_migrate_version(bh_sql *db, int *version, bh_error *err)
{
	bool yes;
	int64_t v = 0;
	int rc;
	*version = 0;
	if ((rc = has_table(db, &yes, err)) != 0 || !yes)
		return rc;
	rc = bh_sql_query_int(db, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, 0, &v, err);
	if (rc < 0)
		return rc;
	*version = (int)v;
	return 0;
}

int bh_migrate_run(bh_sql *db, int *from, bh_error *err)
{
	int ver = 0, rc, i;
	bool pg = bh_sql_backend_of(db) == BH_SQL_POSTGRES;
	if (from)
		*from = 0;
	if ((rc = bh_sql_begin(db, err)) != 0)
		return rc;
	if (pg) {
		/* a second server starting now waits here, then finds the schema current */
		int64_t dummy;
		bh_sql_value k = BH_SQL_INT(MIGRATE_LOCK_KEY);
		rc = bh_sql_query_int(db, "SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS l", &k, 1, &dummy, err);
		if (rc < 0)
			goto fail;
	}
	if ((rc = bh_sql_script(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL PRIMARY KEY,"
				    " applied_at BIGINT NOT NULL, by_binary TEXT)", err)) != 0)
		goto fail;
	if ((rc = bh_migrate_version(db, &ver, err)) != 0)
		goto fail;
	if (from)
		*from = ver;
	if (ver > NMIGRATIONS) {
		rc = bh_error_set(err, BH_EUNSUPPORTED, "store schema version %d is newer than this " BH_PRODUCT
				  " (%s) knows (%d): use a newer binary, or restore the backup taken before the upgrade",
				  ver, BH_VERSION, NMIGRATIONS);
		goto fail;
	}
	for (i = ver; i < NMIGRATIONS; i++) {
		bh_sql_value p[3] = { BH_SQL_INT(i + 1), BH_SQL_INT((int64_t)time(NULL)), BH_SQL_TEXT(BH_VERSION) };
		if ((rc = bh_sql_script(db, pg ? migrations[i].postgres : migrations[i].sqlite, err)) != 0) {
			bh_error_wrap(err, "migration %d", i + 1);
			goto fail;
		}
		if ((rc = bh_sql_exec(db, "INSERT INTO schema_version(version, applied_at, by_binary) VALUES ($1, $2, $3)", p, 3, err)) != 0)
			goto fail;
	}
	return bh_sql_commit(db, err);
fail:
	bh_sql_rollback(db, NULL);
	return rc;
}
