# risk_fill.sh - sourced by bench/risk.sh and bench/dashboard.sh with N set: the SQL that fills a fresh
# store (made by `bulkhead serve`, migrations run) with N findings over 1,000 components, as
# LITE_FILL (sqlite3) and PG_FILL (psql); and pg_start, their PostgreSQL.
# The same rows for both backends: i = 1..N; columns as functions of i and a random draw r.
#  severity by i % 20, KEV when i % 100 = 0, running 1-3 when r % 5 = 0, risk from the formula's
#  factors (base x KEV x reach x 1000/641.0) plus a little noise so scores are not all ties.
LITE_FILL="
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;
DROP INDEX IF EXISTS findings_advisory; DROP INDEX IF EXISTS findings_risk; DROP INDEX IF EXISTS findings_risk_hot;
INSERT INTO components(purl, eco, name, version)
 WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 1000)
 SELECT 'pkg:deb/debian/pkg' || j || '@1.' || j, 'deb', 'pkg' || j, '1.' || j FROM k;
BEGIN;
INSERT INTO findings(component_id, advisory, severity, severity_rank, kev, fixed_version, state, first_seen, updated_at,
 risk, risk_terms, running)
 WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $N),
 g AS (SELECT i, abs(random()) AS r,
   CASE WHEN i % 20 = 0 THEN 4 WHEN i % 20 < 6 THEN 3 WHEN i % 20 < 15 THEN 2 WHEN i % 20 < 19 THEN 1 ELSE 0 END AS sv FROM s),
 h AS (SELECT i, r, sv, CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END AS kev, CASE WHEN r % 5 = 0 THEN 1 + r % 3 ELSE 0 END AS run FROM g)
 SELECT 1 + i % 1000, 'CVE-' || (2000 + i % 26) || '-' || i,
  CASE sv WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' ELSE 'unknown' END, sv, kev,
  CASE WHEN r % 3 = 0 THEN NULL ELSE '2.' || (r % 50) END, 'open', 1765000000, 1765000000,
  min(1000, CAST((CASE sv WHEN 4 THEN 95 WHEN 3 THEN 75 WHEN 2 THEN 50 WHEN 1 THEN 25 ELSE 40 END)
   * (CASE WHEN kev = 1 THEN 2.0 ELSE 1.0 + (r % 80) / 100.0 END) * (CASE WHEN run > 0 THEN 1.0 ELSE 0.6 END)
   * 1000 / 641.025 AS INTEGER) + (r / 7) % 10),
  '[{\"name\":\"severity\",\"value\":\"' || CASE sv WHEN 4 THEN 'critical' WHEN 3 THEN 'high' ELSE 'medium' END
   || '\",\"weight\":75,\"source\":null,\"date\":null},{\"name\":\"kev\",\"value\":\"' || CASE kev WHEN 1 THEN 'known exploited' ELSE 'not in the catalogue' END
   || '\",\"weight\":' || CASE kev WHEN 1 THEN 200 ELSE 100 END || ',\"source\":\"CISA KEV\",\"date\":null}]', run
 FROM h;
COMMIT;
CREATE INDEX findings_advisory ON findings(advisory);
CREATE INDEX findings_risk ON findings(state, risk DESC, id);
CREATE INDEX findings_risk_hot ON findings(risk DESC, id) WHERE state = 'open' AND kev = 1 AND running > 0;
ANALYZE;
"
PG_FILL="
SET maintenance_work_mem = '1GB'; SET synchronous_commit = off;
DROP INDEX IF EXISTS findings_advisory; DROP INDEX IF EXISTS findings_risk; DROP INDEX IF EXISTS findings_risk_hot;
INSERT INTO components(purl, eco, name, version)
 SELECT 'pkg:deb/debian/pkg' || j || '@1.' || j, 'deb', 'pkg' || j, '1.' || j FROM generate_series(1, 1000) j;
INSERT INTO findings(component_id, advisory, severity, severity_rank, kev, fixed_version, state, first_seen, updated_at,
 risk, risk_terms, running)
 WITH g AS (SELECT i, (random() * 2147483647)::bigint AS r,
   CASE WHEN i % 20 = 0 THEN 4 WHEN i % 20 < 6 THEN 3 WHEN i % 20 < 15 THEN 2 WHEN i % 20 < 19 THEN 1 ELSE 0 END AS sv
   FROM generate_series(1, $N) i),
 h AS (SELECT i, r, sv, CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END AS kev, CASE WHEN r % 5 = 0 THEN 1 + r % 3 ELSE 0 END AS run FROM g)
 SELECT 1 + i % 1000, 'CVE-' || (2000 + i % 26) || '-' || i,
  CASE sv WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' ELSE 'unknown' END, sv, kev,
  CASE WHEN r % 3 = 0 THEN NULL ELSE '2.' || (r % 50) END, 'open', 1765000000, 1765000000,
  least(1000, ((CASE sv WHEN 4 THEN 95 WHEN 3 THEN 75 WHEN 2 THEN 50 WHEN 1 THEN 25 ELSE 40 END)
   * (CASE WHEN kev = 1 THEN 2.0 ELSE 1.0 + (r % 80) / 100.0 END) * (CASE WHEN run > 0 THEN 1.0 ELSE 0.6 END)
   * 1000 / 641.025)::int + ((r / 7) % 10)::int),
  '[{\"name\":\"severity\",\"value\":\"' || CASE sv WHEN 4 THEN 'critical' WHEN 3 THEN 'high' ELSE 'medium' END
   || '\",\"weight\":75,\"source\":null,\"date\":null},{\"name\":\"kev\",\"value\":\"' || CASE kev WHEN 1 THEN 'known exploited' ELSE 'not in the catalogue' END
   || '\",\"weight\":' || CASE kev WHEN 1 THEN 200 ELSE 100 END || ',\"source\":\"CISA KEV\",\"date\":null}]', run
 FROM h;
CREATE INDEX findings_advisory ON findings(advisory);
CREATE INDEX findings_risk ON findings(state, risk DESC, id);
CREATE INDEX findings_risk_hot ON findings(risk DESC, id) WHERE state = 'open' AND kev = 1 AND running > 0;
VACUUM ANALYZE findings; ANALYZE components;
"

# pg_start: a PostgreSQL of the bench's own in $T/pg on a Unix socket (port PGPORT, tuned for bulk
# loads: no fsync, 1 GB of shared buffers); sets PGDATA, or why when it cannot run.
pg_start() {
	why=
	[ -x "$PGBIN/initdb" ] || why="no $PGBIN/initdb"
	[ -n "$why" ] && return
	mkdir -p "$T/pg" && chmod 777 "$T/pg"
	if ! pgrun "$PGBIN/initdb" -D "$T/pg/data" -A trust -U postgres --no-sync -E UTF8 >"$T/initdb.log" 2>&1; then
		why="initdb failed: $(tail -1 "$T/initdb.log")"
	elif ! pgrun "$PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w -o "-p $PGPORT -k $T/pg -c listen_addresses='' -c fsync=off -c shared_buffers=1GB -c max_wal_size=8GB" start >/dev/null 2>&1; then
		why="the PostgreSQL server did not start: $(tail -1 "$T/pg/log" 2>/dev/null)"
	else
		PGDATA=$T/pg/data
	fi
}
