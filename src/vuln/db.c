/* db.c - SQLite vulnerability store with a versioned schema and atomic file swap on update. */
#include "vuln/db.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/map.h"
#include "vuln/cvss.h"

/* The read statements (read_sql below), kept on the bh_vulndb once prepared. */
enum {
	BH_Q_ROWS, BH_Q_ALL_ROWS, BH_Q_ALL_ADVISORIES, BH_Q_ALIASES, BH_Q_ADVISORY, BH_Q_EXPLOIT, BH_Q_SEVERITY, BH_Q_COUNT_ROWS, BH_Q_COUNT_PKGS,
	BH_Q_HAS_PKG, BH_Q_SEVERITIES, BH_Q_META, BH_Q_SOURCES, BH_Q_TOTALS, BH_Q_IMPORTERS, BH_Q_RISK, BH_Q__COUNT
};

static const char *const read_sql[BH_Q__COUNT] = {
	/* one result row per alias (the aliases key keeps them in byte order): one statement per
	 * package instead of one more per row */
	[BH_Q_ROWS] = "SELECT a.advisory_id, a.source, a.ranges, a.versions, a.status, a.fixed_version, a.severity,"
		" v.summary, v.severity, v.cvss_score, v.url, v.withdrawn, v.kind, a.rowid, x.alias, a.ecosystem, a.package, a.distro"
		" FROM affected a LEFT JOIN advisories v ON v.source = a.source AND v.id = a.advisory_id"
		" LEFT JOIN aliases x ON x.source = coalesce(a.source, '') AND x.advisory_id = a.advisory_id"
		" WHERE a.ecosystem = ?1 AND a.package = ?2 AND a.distro = ?3 ORDER BY a.rowid, x.alias",
	/* the same columns for every row of the DB */
	[BH_Q_ALL_ROWS] = "SELECT a.advisory_id, a.source, a.ranges, a.versions, a.status, a.fixed_version, a.severity,"
		" v.summary, v.severity, v.cvss_score, v.url, v.withdrawn, v.kind, a.rowid, x.alias, a.ecosystem, a.package, a.distro"
		" FROM affected a LEFT JOIN advisories v ON v.source = a.source AND v.id = a.advisory_id"
		" LEFT JOIN aliases x ON x.source = coalesce(a.source, '') AND x.advisory_id = a.advisory_id"
		" ORDER BY a.rowid, x.alias",
	[BH_Q_ALL_ADVISORIES] = "SELECT v.id, v.source, v.summary, v.details, v.severity, v.cvss_vector, v.cvss_score,"
		" v.published, v.modified, v.withdrawn, v.url, v.kind, v.rowid, x.alias FROM advisories v"
		" LEFT JOIN aliases x ON x.source = v.source AND x.advisory_id = v.id ORDER BY v.rowid, x.alias",
	[BH_Q_ALIASES] = "SELECT alias FROM aliases WHERE source = ?1 AND advisory_id = ?2 ORDER BY alias",
	[BH_Q_ADVISORY] = "SELECT id, source, summary, details, severity, cvss_vector, cvss_score, published, modified,"
		" withdrawn, url, kind FROM advisories WHERE source = ?1 AND id = ?2",
	[BH_Q_EXPLOIT] = "SELECT EXISTS(SELECT 1 FROM kev WHERE cve = ?1), e.score, e.percentile"
		" FROM (SELECT 1) LEFT JOIN epss e ON e.cve = ?1",
	/* storage order (rowid) decides between equal severities */
	[BH_Q_SEVERITY] = "SELECT rowid, source, id, severity, cvss_score FROM advisories"
		" WHERE id = ?1 AND (severity IS NOT NULL OR cvss_score > 0)"
		" UNION ALL SELECT v.rowid, v.source, v.id, v.severity, v.cvss_score FROM aliases a"
		" JOIN advisories v ON v.source = a.source AND v.id = a.advisory_id"
		" WHERE a.alias = ?1 AND (v.severity IS NOT NULL OR v.cvss_score > 0) ORDER BY 1",
	[BH_Q_SEVERITIES] = "SELECT v.source, v.id, v.severity, v.cvss_score, a.alias FROM advisories v"
		" LEFT JOIN aliases a ON a.source = v.source AND a.advisory_id = v.id"
		" WHERE v.severity IS NOT NULL OR v.cvss_score > 0 ORDER BY v.rowid, a.alias",
	[BH_Q_COUNT_ROWS] = "SELECT count(*) FROM affected WHERE ecosystem = ?1 AND distro = ?2",
	[BH_Q_COUNT_PKGS] = "SELECT count(DISTINCT package) FROM affected WHERE ecosystem = ?1 AND distro = ?2",
	[BH_Q_HAS_PKG] = "SELECT EXISTS(SELECT 1 FROM affected WHERE ecosystem = ?1 AND package = ?3 AND distro = ?2)",
	[BH_Q_META] = "SELECT value FROM meta WHERE key = ?1",
	[BH_Q_SOURCES] = "SELECT name, location, imported_at, records FROM sources ORDER BY name",
	[BH_Q_TOTALS] = "SELECT (SELECT count(*) FROM advisories), (SELECT count(*) FROM aliases),"
		" (SELECT count(*) FROM affected), (SELECT count(*) FROM kev), (SELECT count(*) FROM epss)",
	[BH_Q_IMPORTERS] = "SELECT source, count(*) FROM advisories GROUP BY source ORDER BY source",
	/* the id and its aliases both ways (a GO- or GHSA- finding is exploited under its CVE) */
	[BH_Q_RISK] = "WITH ids(x) AS (SELECT ?1 UNION SELECT alias FROM aliases WHERE advisory_id = ?1"
		" UNION SELECT advisory_id FROM aliases WHERE alias = ?1)"
		" SELECT (SELECT count(*) FROM kev WHERE cve IN (SELECT x FROM ids)),"
		" (SELECT min(date_added) FROM kev WHERE cve IN (SELECT x FROM ids)),"
		" (SELECT count(*) FROM kev WHERE cve IN (SELECT x FROM ids) AND lower(ransomware) = 'known'),"
		" e.score, e.percentile,"
		" (SELECT value FROM meta WHERE key = 'epss_score_date'), (SELECT value FROM meta WHERE key = 'epss_model_version'),"
		" c.cvss_vector, c.cvss_score, c.source"
		" FROM (SELECT 1) LEFT JOIN (SELECT score, percentile FROM epss WHERE cve IN (SELECT x FROM ids)"
		" ORDER BY score DESC LIMIT 1) e ON 1"
		" LEFT JOIN (SELECT cvss_vector, cvss_score, source FROM advisories WHERE id IN (SELECT x FROM ids)"
		" AND (severity IS NOT NULL OR cvss_score > 0) AND cvss_score > 0 AND coalesce(cvss_vector, '') <> ''"
		" ORDER BY cvss_score DESC LIMIT 1) c ON 1",
};

struct bh_vulndb {
	sqlite3 *h;
	char *path;   /* final path */
	char *tmp;    /* path being written, NULL for read-only */
	int lock_fd;  /* flock on path.lock while writing, -1 otherwise */
	sqlite3_stmt *adv, *alias, *aff, *kev, *epss;
	sqlite3_stmt *modq, *fg_aff, *fg_aff_pkg, *fg_alias, *fg_pkg;
	sqlite3_stmt *rq[BH_Q__COUNT]; /* read statements, prepared on first use */
	bh_buf adv_buf;        /* bh_vulndb_get_advisory's strings */
	const char **adv_aliases;
	/*
	 * A DB that started without advisories holds only those this import stored (`stored`, keyed
	 * "source\nid"): re-import checks of any other advisory need no query (an import of every feed
	 * asks once per advisory).
	 */
	bool fresh;
	bh_map stored;
	char last_id[256];     /* the advisory last stored, and its source: affected rows inherit it */
	char last_source[64];
};

/*
 * details last: a row is read up to the last column asked for, and the matcher asks for the short
 * ones after it (schema 2 had details 4th: every match walked its overflow pages).
 */
#define ADV_COLUMNS "id TEXT NOT NULL, source TEXT NOT NULL, summary TEXT, severity TEXT, cvss_vector TEXT," \
	" cvss_score REAL, published TEXT, modified TEXT, withdrawn TEXT, url TEXT, kind TEXT, details TEXT, PRIMARY KEY(source, id)"
#define ADV_NAMES "id, source, summary, severity, cvss_vector, cvss_score, published, modified, withdrawn, url, kind, details"

/* Schema 2 -> 3: the advisories in the new column order (rowid order kept: it ranks equal
 * severities); the severity index follows at commit. */
static const char migrate2[] =
	"CREATE TABLE advisories3(" ADV_COLUMNS ");"
	"INSERT INTO advisories3(" ADV_NAMES ") SELECT " ADV_NAMES " FROM advisories ORDER BY rowid;"
	"DROP TABLE advisories;"
	"ALTER TABLE advisories3 RENAME TO advisories;";

static const char schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE sources(name TEXT PRIMARY KEY, location TEXT, imported_at TEXT, records INTEGER, etag TEXT, last_modified TEXT);"
	"CREATE TABLE advisories(" ADV_COLUMNS ");"
	"CREATE TABLE aliases(source TEXT NOT NULL, advisory_id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY(source, advisory_id, alias)) WITHOUT ROWID;"

	"CREATE TABLE affected(advisory_id TEXT NOT NULL, source TEXT, ecosystem TEXT NOT NULL, package TEXT NOT NULL,"
	" distro TEXT NOT NULL DEFAULT '', ranges TEXT, versions TEXT, status TEXT, fixed_version TEXT, severity TEXT);"
	"CREATE INDEX affected_pkg ON affected(ecosystem, package, distro);"
	"CREATE INDEX affected_adv ON affected(advisory_id);"
	"CREATE TABLE kev(cve TEXT PRIMARY KEY, date_added TEXT, due_date TEXT, ransomware TEXT, name TEXT);"
	"CREATE TABLE epss(cve TEXT PRIMARY KEY, score REAL, percentile REAL);";

/*
 * Indexes only readers use: a new DB gets them at commit, built in one sorted pass instead of
 * one insert per row during the import (a DB copied from an older one has them already).
 */
static const char read_indexes[] =
	"CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias);"
	/* only the advisories with a severity (a few percent): a covering index for the severity of an
	 * id or alias, read without the rows' long details */
	"CREATE INDEX IF NOT EXISTS advisories_sev ON advisories(id, source, severity, cvss_score)"
	" WHERE severity IS NOT NULL OR cvss_score > 0;";

char *bh_vulndb_default_path(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	bh_buf b = BH_BUF_INIT;
	if (x && *x)
		bh_buf_printf(&b, "%s/bulkhead/vuln.db", x);
	else
		bh_buf_printf(&b, "%s/.cache/bulkhead/vuln.db", home && *home ? home : "/tmp");
	return bh_buf_steal(&b);
}

static int sqlerr(bh_vulndb *db, bh_error *err, const char *what)
{
	return bh_error_set(err, BH_EIO, "vulnerability DB %s: %s: %s", db->tmp ? db->tmp : db->path, what,
			    db->h ? sqlite3_errmsg(db->h) : "cannot open");
}

int bh_vulndb_open(const char *path, bh_vulndb **out, bh_error *err)
{
	bh_vulndb *db;
	sqlite3_stmt *st = NULL;
	int ver = -1;

	*out = NULL;
	if (access(path, R_OK) != 0) {
		if (errno != ENOENT)
			return bh_error_set(err, BH_EIO, "vulnerability DB %s: %s", path, strerror(errno));
		/* the first thing a new user meets: say every way out */
		return bh_error_set(err, BH_ENODB, "no vulnerability DB at %s; give one with --db PATH, build one from advisory "
				    "files with `bulkhead db import PATH...` (e.g. ../shared/data/golang-vulndb), or download the feeds "
				    "with `bulkhead db update`", path);
	}
	db = calloc(1, sizeof(*db));
	if (!db || !(db->path = bh_strdup(path))) {
		free(db);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	db->lock_fd = -1;
	{
		/*
		 * immutable: updates never write this file, they rename a new one over it, so an open
		 * handle needs no locks; mmap avoids a pread per page.
		 */
		bh_buf uri = BH_BUF_INIT;
		const char *p;
		int orc;
		bh_buf_puts(&uri, "file:");
		for (p = path; *p; p++) {
			if (*p == '?' || *p == '#' || *p == '%')
				bh_buf_printf(&uri, "%%%02X", (unsigned char)*p);
			else
				bh_buf_putc(&uri, *p);
		}
		bh_buf_puts(&uri, "?immutable=1");
		orc = uri.data ? sqlite3_open_v2(uri.data, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL)
			       : SQLITE_NOMEM;
		bh_buf_free(&uri);
		if (orc != SQLITE_OK) {
			int rc = sqlerr(db, err, "open");
			bh_vulndb_close(db);
			return rc;
		}
		sqlite3_exec(db->h, "PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;", NULL, NULL, NULL);
	}
	if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key='schema'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			ver = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (ver != BH_VULNDB_SCHEMA) {
		bh_vulndb_close(db);
		return bh_error_set(err, BH_EUNSUPPORTED, "vulnerability DB %s has schema %d, this bulkhead needs %d: rebuild it with `bulkhead db import`",
				    path, ver, BH_VULNDB_SCHEMA);
	}
	*out = db;
	return 0;
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	size_t i, n = strlen(path);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (i = 1; i < n; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	return 0;
}

static int prepare(bh_vulndb *db, bh_error *err)
{
	if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO advisories(id, source, summary, details, severity, cvss_vector,"
			       " cvss_score, published, modified, withdrawn, url, kind) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", -1, &db->adv, NULL) ||
	    sqlite3_prepare_v2(db->h, "INSERT OR IGNORE INTO aliases VALUES(?,?,?)", -1, &db->alias, NULL) ||
	    sqlite3_prepare_v2(db->h, "INSERT INTO affected VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &db->aff, NULL) ||
	    sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO kev VALUES(?,?,?,?,?)", -1, &db->kev, NULL) ||
	    sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO epss VALUES(?,?,?)", -1, &db->epss, NULL) ||
	    sqlite3_prepare_v2(db->h, "SELECT modified FROM advisories WHERE source=?1 AND id=?2", -1, &db->modq, NULL) ||
	    sqlite3_prepare_v2(db->h, "DELETE FROM affected WHERE advisory_id=?2 AND source=?1", -1, &db->fg_aff, NULL) ||
	    sqlite3_prepare_v2(db->h, "DELETE FROM affected WHERE advisory_id=?2 AND source=?1 AND package=?3", -1, &db->fg_aff_pkg, NULL) ||
	    sqlite3_prepare_v2(db->h, "DELETE FROM aliases WHERE source=?1 AND advisory_id=?2", -1, &db->fg_alias, NULL) ||
	    sqlite3_prepare_v2(db->h, "DELETE FROM affected WHERE ecosystem=?2 AND package=?3 AND distro=?4 AND source=?1", -1,
			       &db->fg_pkg, NULL))
		return sqlerr(db, err, "prepare");
	return 0;
}

/*
 * flock on path.lock, polled so the wait is bounded and the waiter can say once why it waits.
 * The holder writes its PID into the file, only to name it in the waiter's messages.
 */
static int take_lock(const char *path, long wait_ms, int *fd_out, bh_error *err)
{
	bh_buf lk = BH_BUF_INIT;
	struct timespec t0, now;
	bool told = false;
	char holder[32] = "";
	int fd;

	*fd_out = -1;
	if (bh_buf_printf(&lk, "%s.lock", path) || !lk.data)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	fd = open(lk.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		int rc = bh_error_set(err, BH_EIO, "cannot open the lock file %s: %s", lk.data, strerror(errno));
		bh_buf_free(&lk);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long waited;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			int rc = bh_error_set(err, BH_EIO, "cannot lock %s: %s", lk.data, strerror(errno));
			close(fd);
			bh_buf_free(&lk);
			return rc;
		}
		if (!told) {
			char pid[16] = "";
			ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
			size_t k = n > 0 ? strspn(pid, "0123456789") : 0;
			if (k && k < 12)
				snprintf(holder, sizeof(holder), " (pid %.*s)", (int)k, pid);
			bh_log_warn("waiting for the lock on %s held by another import%s", lk.data, holder);
			told = true;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (long)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited >= wait_ms) {
			int rc = bh_error_set(err, BH_EIO,
					      "gave up after %ld s waiting for the lock on %s held by another import%s; if no "
					      "bulkhead import or update of this DB is running, something else holds the file",
					      wait_ms / 1000, lk.data, holder);
			close(fd);
			bh_buf_free(&lk);
			return rc;
		}
		{
			struct timespec ts = { 0, 100 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	{
		char pid[24];
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n)
			bh_log_debug("%s: cannot record the pid", lk.data);
	}
	bh_buf_free(&lk);
	*fd_out = fd;
	return 0;
}

/*
 * path.tmp-PID[-journal|-wal|-shm] files whose process is gone were left by a killed import (the
 * close that removes them never ran). Called under the lock, so no live import of ours is
 * writing one; a PID that is alive (or not ours to signal) keeps its file.
 */
static void remove_stale(const char *path)
{
	const char *sl = strrchr(path, '/');
	const char *base = sl ? sl + 1 : path;
	size_t bl = strlen(base);
	char dir[4096];
	struct dirent *e;
	DIR *d;

	if (sl) {
		size_t dl = sl == path ? 1 : (size_t)(sl - path);
		if (dl >= sizeof(dir))
			return;
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	} else {
		strcpy(dir, ".");
	}
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		const char *p = e->d_name;
		char *end;
		long pid;
		if (strncmp(p, base, bl) != 0 || strncmp(p + bl, ".tmp-", 5) != 0 || !isdigit((unsigned char)p[bl + 5]))
			continue;
		errno = 0;
		pid = strtol(p + bl + 5, &end, 10);
		if (errno || pid <= 0 || pid != (long)(pid_t)pid)
			continue;
		if (*end && strcmp(end, "-journal") != 0 && strcmp(end, "-wal") != 0 && strcmp(end, "-shm") != 0)
			continue;
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (unlinkat(dirfd(d), p, 0) == 0)
			bh_log_info("removed %s/%s, left by an import (pid %ld) that is no longer running", dir, p, pid);
	}
	closedir(d);
}

int bh_vulndb_create(const char *path, bool copy_existing, bh_vulndb **out, bh_error *err)
{
	return bh_vulndb_create_wait(path, copy_existing, BH_VULNDB_LOCK_WAIT_S * 1000L, out, err);
}

int bh_vulndb_create_wait(const char *path, bool copy_existing, long wait_ms, bh_vulndb **out, bh_error *err)
{
	bh_vulndb *db;
	bh_buf t = BH_BUF_INIT;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc, lock_fd;

	*out = NULL;
	if (mkdirs(path))
		return bh_error_set(err, BH_EIO, "cannot create the directory of %s: %s", path, strerror(errno));
	if ((rc = take_lock(path, wait_ms, &lock_fd, err)))
		return rc;
	db = calloc(1, sizeof(*db));
	if (!db || bh_buf_printf(&t, "%s.tmp-%ld", path, (long)getpid()) || !(db->path = bh_strdup(path))) {
		close(lock_fd);
		if (db)
			free(db->path);
		free(db);
		bh_buf_free(&t);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	db->lock_fd = lock_fd;
	db->tmp = bh_buf_steal(&t);
	remove_stale(path);
	unlink(db->tmp);
	if (copy_existing && access(path, R_OK) == 0) {
		/* Start from a copy of the current DB so an import adds to what is there. */
		sqlite3 *src;
		sqlite3_backup *bk;
		if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_open(db->tmp, &db->h) == SQLITE_OK &&
		    (bk = sqlite3_backup_init(db->h, "main", src, "main")) != NULL) {
			sqlite3_backup_step(bk, -1);
			sqlite3_backup_finish(bk);
		}
		sqlite3_close(src);
		if (db->h) {
			sqlite3_stmt *st;
			int ver = -1;
			if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key='schema'", -1, &st, NULL) == SQLITE_OK) {
				if (sqlite3_step(st) == SQLITE_ROW)
					ver = sqlite3_column_int(st, 0);
				sqlite3_finalize(st);
			}
			/* the init below records the new schema */
			if (ver == 2 && sqlite3_exec(db->h, migrate2, NULL, NULL, NULL) == SQLITE_OK)
				ver = BH_VULNDB_SCHEMA;
			if (ver != BH_VULNDB_SCHEMA) {
				/* An older schema is not migrated: start afresh. */
				sqlite3_close(db->h);
				db->h = NULL;
				unlink(db->tmp);
			}
		}
	}
	bh_map_init(&db->stored, NULL);
	if (db->h) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db->h, "SELECT NOT EXISTS(SELECT 1 FROM advisories)", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			db->fresh = sqlite3_column_int(st, 0) != 0;
		sqlite3_finalize(st);
	} else {
		db->fresh = true;
	}
	if (!db->h) {
		if (sqlite3_open(db->tmp, &db->h) != SQLITE_OK ||
		    sqlite3_exec(db->h, schema, NULL, NULL, NULL) != SQLITE_OK) {
			rc = sqlerr(db, err, "create");
			bh_vulndb_close(db);
			return rc;
		}
	}
	{
		/* milliseconds: the build time is the DB's version (server events carry it, re-evaluation
		 * keys events by it), and two DBs built in the same second must not share one */
		struct timespec rt;
		char sec[24];
		clock_gettime(CLOCK_REALTIME, &rt);
		now = rt.tv_sec;
		gmtime_r(&now, &tm);
		if (!strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm))
			sec[0] = '\0';
		snprintf(ts, sizeof(ts), "%.19s.%03dZ", sec, (int)(rt.tv_nsec / 1000000L % 1000));
	}
	{
		/* The temporary file is ours alone until it is renamed: no journal, no fsync, and one lock
		 * held to the end instead of a lock round trip per statement (3x faster imports of
		 * small documents). */
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
			 "INSERT OR REPLACE INTO meta VALUES('schema','%d'); INSERT OR REPLACE INTO meta VALUES('built_at','%s');",
			 BH_VULNDB_SCHEMA, ts);
		if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK) {
			rc = sqlerr(db, err, "init");
			bh_vulndb_close(db);
			return rc;
		}
	}
	if ((rc = prepare(db, err))) {
		bh_vulndb_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

static void finalize_all(bh_vulndb *db)
{
	size_t i;
	for (i = 0; i < BH_Q__COUNT; i++) {
		sqlite3_finalize(db->rq[i]);
		db->rq[i] = NULL;
	}
	sqlite3_finalize(db->adv);
	sqlite3_finalize(db->alias);
	sqlite3_finalize(db->aff);
	sqlite3_finalize(db->kev);
	sqlite3_finalize(db->epss);
	sqlite3_finalize(db->modq);
	sqlite3_finalize(db->fg_aff);
	sqlite3_finalize(db->fg_aff_pkg);
	sqlite3_finalize(db->fg_alias);
	sqlite3_finalize(db->fg_pkg);
	db->adv = db->alias = db->aff = db->kev = db->epss = NULL;
	db->modq = db->fg_aff = db->fg_aff_pkg = db->fg_alias = db->fg_pkg = NULL;
}

static void unlock(bh_vulndb *db)
{
	if (db->lock_fd >= 0)
		close(db->lock_fd); /* releases the flock */
	db->lock_fd = -1;
}

int bh_vulndb_commit(bh_vulndb *db, bh_error *err)
{
	if (!db->tmp)
		return bh_error_set(err, BH_EUSAGE, "DB opened read-only");
	finalize_all(db);
	if (sqlite3_exec(db->h, read_indexes, NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(db, err, "index");
	/* statistics from a sample of each index: the plans only need their rough shape */
	if (sqlite3_exec(db->h, "PRAGMA analysis_limit=1000; ANALYZE;", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(db, err, "analyze");
	if (sqlite3_close(db->h) != SQLITE_OK)
		return sqlerr(db, err, "close");
	db->h = NULL;
	if (rename(db->tmp, db->path) != 0)
		return bh_error_set(err, BH_EIO, "cannot move %s over %s: %s", db->tmp, db->path, strerror(errno));
	free(db->tmp);
	db->tmp = NULL;
	unlock(db);
	return 0;
}

void bh_vulndb_close(bh_vulndb *db)
{
	if (!db)
		return;
	finalize_all(db);
	if (db->h)
		sqlite3_close(db->h);
	if (db->tmp)
		unlink(db->tmp);
	unlock(db);
	free(db->tmp);
	free(db->path);
	bh_buf_free(&db->adv_buf);
	free(db->adv_aliases);
	bh_map_free(&db->stored);
	free(db);
}

int bh_vulndb_begin(bh_vulndb *db, bh_error *err)
{
	if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(db, err, "begin");
	return 0;
}

int bh_vulndb_end(bh_vulndb *db, bh_error *err)
{
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(db, err, "commit");
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int step(bh_vulndb *db, sqlite3_stmt *st, bh_error *err)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r != SQLITE_DONE)
		return sqlerr(db, err, "write");
	return 0;
}

int bh_vulndb_put_advisory(bh_vulndb *db, const bh_advisory *a, bh_error *err)
{
	size_t i;
	int rc;
	if (!a->id)
		return bh_error_set(err, BH_EINVAL, "advisory without id");
	bind_text(db->adv, 1, a->id);
	bind_text(db->adv, 2, a->source ? a->source : "");
	bind_text(db->adv, 3, a->summary);
	bind_text(db->adv, 4, a->details);
	bind_text(db->adv, 5, a->severity);
	bind_text(db->adv, 6, a->cvss_vector);
	sqlite3_bind_double(db->adv, 7, a->cvss_score);
	bind_text(db->adv, 8, a->published);
	bind_text(db->adv, 9, a->modified);
	bind_text(db->adv, 10, a->withdrawn);
	bind_text(db->adv, 11, a->url);
	bind_text(db->adv, 12, a->kind);
	if ((rc = step(db, db->adv, err)))
		return rc;
	snprintf(db->last_id, sizeof(db->last_id), "%s", a->id);
	snprintf(db->last_source, sizeof(db->last_source), "%s", a->source ? a->source : "");
	if (db->fresh) {
		char key[512];
		int n = snprintf(key, sizeof(key), "%s\n%s", a->source ? a->source : "", a->id);
		/* a key that does not fit, or no memory: from now on every check asks the DB */
		if (n < 0 || (size_t)n >= sizeof(key) || bh_map_put(&db->stored, key, (void *)1))
			db->fresh = false;
	}
	for (i = 0; i < a->naliases; i++) {
		if (!a->aliases[i])
			continue;
		bind_text(db->alias, 1, a->source ? a->source : "");
		bind_text(db->alias, 2, a->id);
		bind_text(db->alias, 3, a->aliases[i]);
		if ((rc = step(db, db->alias, err)))
			return rc;
	}
	return 0;
}

int bh_vulndb_put_affected(bh_vulndb *db, const bh_affected *a, bh_error *err)
{
	sqlite3_stmt *st = db->aff;
	if (!a->advisory_id || !a->ecosystem || !a->package)
		return bh_error_set(err, BH_EINVAL, "affected row without advisory, ecosystem or package");
	bind_text(st, 1, a->advisory_id);
	/* Rows carry their advisory's source so a re-import can clear them; put the advisory first. */
	bind_text(st, 2, strcmp(db->last_id, a->advisory_id) == 0 ? db->last_source : NULL);
	bind_text(st, 3, a->ecosystem);
	bind_text(st, 4, a->package);
	bind_text(st, 5, a->distro ? a->distro : "");
	bind_text(st, 6, a->ranges);
	bind_text(st, 7, a->versions);
	bind_text(st, 8, a->status);
	bind_text(st, 9, a->fixed_version);
	bind_text(st, 10, a->severity);
	return step(db, st, err);
}

int bh_vulndb_put_kev(bh_vulndb *db, const char *cve, const char *date_added, const char *due_date,
		      const char *ransomware, const char *name, bh_error *err)
{
	bind_text(db->kev, 1, cve);
	bind_text(db->kev, 2, date_added);
	bind_text(db->kev, 3, due_date);
	bind_text(db->kev, 4, ransomware);
	bind_text(db->kev, 5, name);
	return step(db, db->kev, err);
}

int bh_vulndb_put_epss_snapshot(bh_vulndb *db, const char *model_version, const char *score_date, bh_error *err)
{
	static const char *const keys[2] = { "epss_model_version", "epss_score_date" };
	const char *vals[2] = { model_version, score_date };
	int i;
	for (i = 0; i < 2; i++) {
		sqlite3_stmt *st = NULL;
		int r;
		if (!vals[i])
			continue;
		if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta VALUES(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
			return sqlerr(db, err, "prepare");
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, vals[i], -1, SQLITE_TRANSIENT);
		r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE)
			return sqlerr(db, err, "meta");
	}
	return 0;
}

int bh_vulndb_put_epss(bh_vulndb *db, const char *cve, double score, double percentile, bh_error *err)
{
	bind_text(db->epss, 1, cve);
	sqlite3_bind_double(db->epss, 2, score);
	sqlite3_bind_double(db->epss, 3, percentile);
	return step(db, db->epss, err);
}

int bh_vulndb_put_source(bh_vulndb *db, const char *name, const char *location, long records,
			 const char *etag, const char *last_modified, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	int r;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO sources VALUES(?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return sqlerr(db, err, "prepare");
	bind_text(st, 1, name);
	bind_text(st, 2, location);
	bind_text(st, 3, ts);
	sqlite3_bind_int64(st, 4, records);
	bind_text(st, 5, etag);
	bind_text(st, 6, last_modified);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : sqlerr(db, err, "source");
}

int bh_vulndb_clear_source(bh_vulndb *db, const char *source, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	static const char *const sql[] = {
		"DELETE FROM affected WHERE source=?1",
		"DELETE FROM aliases WHERE source=?1",
		"DELETE FROM advisories WHERE source=?1",
	};
	size_t i;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int r;
		if (sqlite3_prepare_v2(db->h, sql[i], -1, &st, NULL) != SQLITE_OK)
			return sqlerr(db, err, "prepare");
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE)
			return sqlerr(db, err, "clear");
	}
	return 0;
}

/* ---- reading ---- */

static int rstmt(bh_vulndb *db, int which, sqlite3_stmt **out, bh_error *err)
{
	if (!db->rq[which] &&
	    sqlite3_prepare_v3(db->h, read_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &db->rq[which], NULL) != SQLITE_OK)
		return sqlerr(db, err, "prepare");
	*out = db->rq[which];
	return 0;
}

/* Readies the statement for its next call; r is the last sqlite3_step result. */
static int rdone(bh_vulndb *db, sqlite3_stmt *st, int r, bh_error *err)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : sqlerr(db, err, "query");
}

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

/* Walks BH_Q_ROWS or BH_Q_ALL_ROWS, bound. */
static int walk_rows(bh_vulndb *db, sqlite3_stmt *st, bh_vulndb_row_fn fn, void *arg, bh_error *err)
{
	/* the text columns of a result row, in bh_vulndb_row order */
	static const int tcol[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 16, 17 };
	enum { NT = sizeof(tcol) / sizeof(tcol[0]) };
	bh_buf b = BH_BUF_INIT, al = BH_BUF_INIT;
	size_t off[NT], i;
	bool have[NT], open = false, withdrawn = false;
	sqlite3_int64 cur = 0;
	double cvss = 0;
	int r, rc = 0;

	/*
	 * An affected row comes once per alias: its columns are copied from the first of them (the
	 * next step overwrites them) and handed to fn when a row of another one, or the end, shows
	 * that its aliases are complete.
	 */
	for (;;) {
		r = sqlite3_step(st);
		if (open && (r != SQLITE_ROW || sqlite3_column_int64(st, 13) != cur)) {
			const char *p[NT];
			bh_vulndb_row row;
			open = false;
			if (bh_buf_oom(&b) || bh_buf_oom(&al)) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				break;
			}
			for (i = 0; i < NT; i++)
				p[i] = have[i] ? b.data + off[i] : NULL;
			row.advisory_id = p[0];
			row.source = p[1];
			row.ranges = p[2];
			row.versions = p[3];
			row.status = p[4];
			row.fixed_version = p[5];
			row.urgency = p[6];
			row.summary = p[7];
			row.severity = p[8];
			row.url = p[9];
			row.kind = p[10];
			row.ecosystem = p[11];
			row.package = p[12];
			row.distro = p[13];
			row.cvss_score = cvss;
			row.withdrawn = withdrawn;
			row.aliases = al.len ? al.data : NULL;
			/* advisory_id is NOT NULL in the schema; a hand-made file may differ */
			if (row.advisory_id && (rc = fn(arg, &row)))
				break;
		}
		if (r != SQLITE_ROW)
			break;
		if (!open) {
			open = true;
			cur = sqlite3_column_int64(st, 13);
			bh_buf_reset(&b);
			bh_buf_reset(&al);
			for (i = 0; i < NT; i++) {
				const char *t = col(st, tcol[i]);
				have[i] = t != NULL;
				off[i] = b.len;
				if (t)
					bh_buf_append(&b, t, strlen(t) + 1);
			}
			cvss = sqlite3_column_double(st, 9);
			withdrawn = sqlite3_column_type(st, 11) != SQLITE_NULL;
		}
		{
			const char *a = col(st, 14);
			if (a && *a && !strchr(a, ' ')) {
				if (al.len)
					bh_buf_putc(&al, ' ');
				bh_buf_puts(&al, a);
			}
		}
	}
	bh_buf_free(&b);
	bh_buf_free(&al);
	if (rc) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return rc;
	}
	return rdone(db, st, r, err);
}

int bh_vulndb_each_affected(bh_vulndb *db, const char *ecosystem, const char *distro, const char *package,
			    bh_vulndb_row_fn fn, void *arg, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = rstmt(db, BH_Q_ROWS, &st, err)))
		return rc;
	bind_text(st, 1, ecosystem);
	bind_text(st, 2, package);
	bind_text(st, 3, distro ? distro : "");
	return walk_rows(db, st, fn, arg, err);
}

int bh_vulndb_each_row(bh_vulndb *db, bh_vulndb_row_fn fn, void *arg, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = rstmt(db, BH_Q_ALL_ROWS, &st, err)))
		return rc;
	return walk_rows(db, st, fn, arg, err);
}

int bh_vulndb_each_advisory(bh_vulndb *db, bh_vulndb_advisory_fn fn, void *arg, bh_error *err)
{
	enum { NT = 12 };
	sqlite3_stmt *st = NULL;
	bh_buf b = BH_BUF_INIT;
	size_t off[NT], aoff[4096], na = 0, i;
	bool have[NT], open = false;
	const char *ptr[4096];
	sqlite3_int64 cur = 0;
	double cvss = 0;
	int r, rc;

	if ((rc = rstmt(db, BH_Q_ALL_ADVISORIES, &st, err)))
		return rc;
	/* grouped as in walk_rows: one result row per alias */
	for (;;) {
		r = sqlite3_step(st);
		if (open && (r != SQLITE_ROW || sqlite3_column_int64(st, 12) != cur)) {
			const char *p[NT];
			bh_advisory a;
			open = false;
			if (bh_buf_oom(&b)) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				break;
			}
			for (i = 0; i < NT; i++)
				p[i] = have[i] ? b.data + off[i] : NULL;
			for (i = 0; i < na; i++)
				ptr[i] = b.data + aoff[i];
			memset(&a, 0, sizeof(a));
			a.id = p[0];
			a.source = p[1];
			a.summary = p[2];
			a.details = p[3];
			a.severity = p[4];
			a.cvss_vector = p[5];
			a.cvss_score = cvss;
			a.published = p[7];
			a.modified = p[8];
			a.withdrawn = p[9];
			a.url = p[10];
			a.kind = p[11];
			a.aliases = na ? ptr : NULL;
			a.naliases = na;
			if ((rc = fn(arg, &a)))
				break;
		}
		if (r != SQLITE_ROW)
			break;
		if (!open) {
			open = true;
			cur = sqlite3_column_int64(st, 12);
			bh_buf_reset(&b);
			na = 0;
			for (i = 0; i < NT; i++) {
				const char *t = i == 6 ? NULL : col(st, (int)i);
				have[i] = t != NULL;
				off[i] = b.len;
				if (t)
					bh_buf_append(&b, t, strlen(t) + 1);
			}
			cvss = sqlite3_column_double(st, 6);
		}
		{
			const char *t = col(st, 13);
			if (t && na < sizeof(aoff) / sizeof(aoff[0])) {
				aoff[na++] = b.len;
				bh_buf_append(&b, t, strlen(t) + 1);
			}
		}
	}
	bh_buf_free(&b);
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return rdone(db, st, r, err);
}

int bh_vulndb_aliases(bh_vulndb *db, const char *source, const char *id, char **out, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	bh_buf b = BH_BUF_INIT;
	int r, rc;
	*out = NULL;
	if ((rc = rstmt(db, BH_Q_ALIASES, &st, err)))
		return rc;
	bind_text(st, 1, source ? source : "");
	bind_text(st, 2, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = col(st, 0);
		if (!a || !*a || strchr(a, ' '))
			continue;
		if ((b.len && bh_buf_putc(&b, ' ')) || bh_buf_puts(&b, a)) {
			r = SQLITE_NOMEM;
			break;
		}
	}
	if ((rc = rdone(db, st, r, err)) == 0 && b.len)
		*out = bh_buf_steal(&b);
	bh_buf_free(&b);
	return rc;
}

int bh_vulndb_get_advisory(bh_vulndb *db, const char *source, const char *id, bh_advisory *out, bool *found,
			   bh_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t off[12], i, na = 0, k;
	bool have[12];
	int r, rc;
	memset(out, 0, sizeof(*out));
	*found = false;
	bh_buf_free(&db->adv_buf);
	if ((rc = rstmt(db, BH_Q_ADVISORY, &st, err)))
		return rc;
	bind_text(st, 1, source ? source : "");
	bind_text(st, 2, id);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		/* copied into one buffer first: pointers are taken once it no longer moves */
		for (i = 0; i < 12; i++) {
			const char *t = col(st, (int)i);
			have[i] = t != NULL && i != 6;
			off[i] = db->adv_buf.len;
			if (have[i])
				bh_buf_append(&db->adv_buf, t, strlen(t) + 1);
		}
		out->cvss_score = sqlite3_column_double(st, 6);
		*found = true;
	}
	if ((rc = rdone(db, st, r, err)) || !*found)
		return rc;
	if (bh_buf_oom(&db->adv_buf)) {
		*found = false;
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	{
		/* the aliases once more, into the same buffer, NUL-separated */
		char *list = NULL;
		size_t aoff = db->adv_buf.len, bytes, len;
		if ((rc = bh_vulndb_aliases(db, source, id, &list, err))) {
			*found = false;
			return rc;
		}
		if (list) {
			len = strlen(list);
			for (k = 0; k < len; k++)
				if (list[k] == ' ')
					list[k] = '\0';
			for (k = 0; k <= len; k++)
				na += list[k] == '\0';
			bh_buf_append(&db->adv_buf, list, len + 1);
			free(list);
			free(db->adv_aliases);
			db->adv_aliases = NULL;
			if (bh_buf_oom(&db->adv_buf) || !bh_size_mul(na, sizeof(*db->adv_aliases), &bytes) ||
			    !(db->adv_aliases = malloc(bytes))) {
				*found = false;
				return bh_error_set(err, BH_ENOMEM, "out of memory");
			}
			for (i = 0, k = aoff; i < na; i++) {
				db->adv_aliases[i] = db->adv_buf.data + k;
				k += strlen(db->adv_buf.data + k) + 1;
			}
			out->aliases = db->adv_aliases;
			out->naliases = na;
		}
	}
	{
		const char **f[12] = { &out->id, &out->source, &out->summary, &out->details, &out->severity, &out->cvss_vector,
				       NULL, &out->published, &out->modified, &out->withdrawn, &out->url, &out->kind };
		for (i = 0; i < 12; i++)
			if (f[i] && have[i])
				*f[i] = db->adv_buf.data + off[i];
	}
	return 0;
}

int bh_vulndb_get_exploit(bh_vulndb *db, const char *cve, size_t len, bh_vulndb_exploit *out, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	memset(out, 0, sizeof(*out));
	if (len > INT_MAX)
		return 0; /* no CVE id is that long */
	if ((rc = rstmt(db, BH_Q_EXPLOIT, &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, cve, (int)len, SQLITE_STATIC);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		out->kev = sqlite3_column_int(st, 0) != 0;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			out->has_epss = true;
			out->epss = sqlite3_column_double(st, 1);
			out->epss_pct = sqlite3_column_double(st, 2);
		}
	}
	return rdone(db, st, r, err);
}

static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", v ? v : "");
}

int bh_vulndb_get_riskfacts(bh_vulndb *db, const char *id, bh_vulndb_riskfacts *out, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	memset(out, 0, sizeof(*out));
	if (!id)
		return 0;
	if ((rc = rstmt(db, BH_Q_RISK, &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		out->kev = sqlite3_column_int(st, 0) > 0;
		col_copy(st, 1, out->kev_date, sizeof(out->kev_date));
		out->kev_ransomware = sqlite3_column_int(st, 2) > 0;
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			out->has_epss = true;
			out->epss = sqlite3_column_double(st, 3);
			out->epss_pct = sqlite3_column_double(st, 4);
			col_copy(st, 5, out->epss_date, sizeof(out->epss_date));
			col_copy(st, 6, out->epss_model, sizeof(out->epss_model));
		}
		col_copy(st, 7, out->cvss_vector, sizeof(out->cvss_vector));
		out->cvss = sqlite3_column_double(st, 8);
		col_copy(st, 9, out->cvss_source, sizeof(out->cvss_source));
	}
	return rdone(db, st, r, err);
}

int bh_vulndb_alias_severity(bh_vulndb *db, const char *id, size_t len, bh_vulndb_severity *out, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	bh_buf label = BH_BUF_INIT;
	int r, rc;
	memset(out, 0, sizeof(*out));
	if (len > INT_MAX)
		return 0;
	if ((rc = rstmt(db, BH_Q_SEVERITY, &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, id, (int)len, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *src = col(st, 1), *aid = col(st, 2);
		double cvss = sqlite3_column_double(st, 4);
		bh_severity s = bh_severity_parse(col(st, 3));
		if (s == BH_SEV_UNKNOWN)
			s = bh_severity_parse(bh_cvss_severity(cvss));
		if (!src || !aid || s <= out->severity)
			continue; /* the first of equal severities stays */
		out->severity = s;
		out->cvss = cvss;
		bh_buf_reset(&label);
		if (bh_buf_printf(&label, "%s:%s", src, aid)) {
			r = SQLITE_NOMEM;
			break;
		}
	}
	if ((rc = rdone(db, st, r, err)) == 0 && out->severity != BH_SEV_UNKNOWN && !(out->label = bh_buf_steal(&label)))
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	bh_buf_free(&label);
	if (rc)
		bh_vulndb_severity_clear(out);
	return rc;
}

int bh_vulndb_each_severity(bh_vulndb *db, bh_vulndb_severity_fn fn, void *arg, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	if ((rc = rstmt(db, BH_Q_SEVERITIES, &st, err)))
		return rc;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		bh_vulndb_sev_row row;
		row.source = col(st, 0);
		row.id = col(st, 1);
		row.severity = col(st, 2);
		row.cvss_score = sqlite3_column_double(st, 3);
		row.alias = col(st, 4);
		if (!row.source || !row.id)
			continue;
		if ((rc = fn(arg, &row))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return rdone(db, st, r, err);
}

void bh_vulndb_severity_clear(bh_vulndb_severity *s)
{
	free(s->label);
	memset(s, 0, sizeof(*s));
}

/* The first column of the one row of a count statement. */
static int count_of(bh_vulndb *db, int which, const char *ecosystem, const char *distro, const char *package,
		    long long *n, bh_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	*n = 0;
	if ((rc = rstmt(db, which, &st, err)))
		return rc;
	bind_text(st, 1, ecosystem);
	bind_text(st, 2, distro ? distro : "");
	if (package)
		bind_text(st, 3, package);
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else if (r == SQLITE_DONE)
		r = SQLITE_ERROR; /* an aggregate always has its row */
	return rdone(db, st, r, err);
}

int bh_vulndb_count_rows(bh_vulndb *db, const char *ecosystem, const char *distro, long *n, bh_error *err)
{
	long long v;
	int rc = count_of(db, BH_Q_COUNT_ROWS, ecosystem, distro, NULL, &v, err);
	*n = (long)v;
	return rc;
}

int bh_vulndb_count_packages(bh_vulndb *db, const char *ecosystem, const char *distro, long *n, bh_error *err)
{
	long long v;
	int rc = count_of(db, BH_Q_COUNT_PKGS, ecosystem, distro, NULL, &v, err);
	*n = (long)v;
	return rc;
}

int bh_vulndb_has_package(bh_vulndb *db, const char *ecosystem, const char *distro, const char *package, bool *yes,
			  bh_error *err)
{
	long long v;
	int rc = count_of(db, BH_Q_HAS_PKG, ecosystem, distro, package, &v, err);
	*yes = v > 0;
	return rc;
}

static char *dup_col(sqlite3_stmt *st, int i, bool *oom)
{
	const char *t = col(st, i);
	char *r = t ? bh_strdup(t) : NULL;
	if (t && !r)
		*oom = true;
	return r;
}

void bh_vulndb_stats_free(bh_vulndb_stats *s)
{
	size_t i;
	free(s->schema);
	free(s->built_at);
	for (i = 0; i < s->nsources; i++) {
		free(s->sources[i].name);
		free(s->sources[i].location);
		free(s->sources[i].imported_at);
	}
	free(s->sources);
	for (i = 0; i < s->nimporters; i++)
		free(s->importers[i].source);
	free(s->importers);
	memset(s, 0, sizeof(*s));
}

/* Grows an array of n elements of size sz by one (doubling); *cap tracks the allocation. */
static void *grow(void *arr, size_t sz, size_t n, size_t *cap)
{
	size_t ncap, bytes;
	void *p;
	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	if (!bh_size_mul(ncap, sz, &bytes) || !(p = realloc(arr, bytes)))
		return NULL;
	*cap = ncap;
	return p;
}

int bh_vulndb_get_stats(bh_vulndb *db, bh_vulndb_stats *out, bh_error *err)
{
	static const char *const keys[2] = { "schema", "built_at" };
	char **vals[2];
	sqlite3_stmt *st = NULL;
	size_t i, cap;
	bool oom = false;
	int r, rc;

	memset(out, 0, sizeof(*out));
	vals[0] = &out->schema;
	vals[1] = &out->built_at;
	for (i = 0; i < 2; i++) {
		if ((rc = rstmt(db, BH_Q_META, &st, err)))
			goto fail;
		bind_text(st, 1, keys[i]);
		if ((r = sqlite3_step(st)) == SQLITE_ROW)
			*vals[i] = bh_strdup(col(st, 0) ? col(st, 0) : "");
		if ((rc = rdone(db, st, r, err)))
			goto fail;
		oom = oom || (r == SQLITE_ROW && !*vals[i]);
	}
	if ((rc = rstmt(db, BH_Q_SOURCES, &st, err)))
		goto fail;
	cap = 0;
	while (!oom && (r = sqlite3_step(st)) == SQLITE_ROW) {
		bh_vulndb_source *x, *arr = grow(out->sources, sizeof(*arr), out->nsources, &cap);
		if (!arr) {
			oom = true;
			break;
		}
		out->sources = arr;
		x = &arr[out->nsources++];
		x->name = dup_col(st, 0, &oom);
		x->location = dup_col(st, 1, &oom);
		x->imported_at = dup_col(st, 2, &oom);
		x->records = sqlite3_column_int64(st, 3);
	}
	if ((rc = rdone(db, st, oom ? SQLITE_DONE : r, err)))
		goto fail;
	if (!oom) {
		if ((rc = rstmt(db, BH_Q_TOTALS, &st, err)))
			goto fail;
		if ((r = sqlite3_step(st)) == SQLITE_ROW) {
			out->advisories = sqlite3_column_int64(st, 0);
			out->aliases = sqlite3_column_int64(st, 1);
			out->affected = sqlite3_column_int64(st, 2);
			out->kev = sqlite3_column_int64(st, 3);
			out->epss = sqlite3_column_int64(st, 4);
		}
		if ((rc = rdone(db, st, r, err)))
			goto fail;
	}
	if (!oom) {
		if ((rc = rstmt(db, BH_Q_IMPORTERS, &st, err)))
			goto fail;
		cap = 0;
		while (!oom && (r = sqlite3_step(st)) == SQLITE_ROW) {
			bh_vulndb_importer *arr = grow(out->importers, sizeof(*arr), out->nimporters, &cap);
			if (!arr) {
				oom = true;
				break;
			}
			out->importers = arr;
			arr[out->nimporters].source = dup_col(st, 0, &oom);
			arr[out->nimporters++].advisories = sqlite3_column_int64(st, 1);
		}
		if ((rc = rdone(db, st, oom ? SQLITE_DONE : r, err)))
			goto fail;
	}
	if (!oom)
		return 0;
	rc = bh_error_set(err, BH_ENOMEM, "out of memory");
fail:
	bh_vulndb_stats_free(out);
	return rc;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int bh_vulndb_parse_time(const char *s, long long *sec, long *nsec)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
	long ns = 0;
	const char *p = s;

	if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d) || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return BH_EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || h > 23 || mi > 59)
			return BH_EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se) || se > 60)
				return BH_EINVAL;
			if (*p == '.' || *p == ',') {
				long scale = 100000000L;
				p++;
				if (!isdigit((unsigned char)*p))
					return BH_EINVAL;
				for (; isdigit((unsigned char)*p); p++) {
					ns += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh))
				return BH_EINVAL;
			p += *p == ':';
			if (digits(&p, 2, &om) || oh > 23 || om > 59)
				return BH_EINVAL;
		}
	}
	if (*p)
		return BH_EINVAL;
	*sec = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL + h * 3600LL + mi * 60LL + se -
	       sign * (oh * 3600LL + om * 60LL);
	*nsec = ns;
	return 0;
}

/* Whether (source, id) is certainly not stored (without a query); false when unsure. */
static bool surely_absent(bh_vulndb *db, const char *source, const char *id)
{
	char key[512];
	int n;
	if (!db->fresh)
		return false;
	n = snprintf(key, sizeof(key), "%s\n%s", source ? source : "", id);
	return n >= 0 && (size_t)n < sizeof(key) && !bh_map_get(&db->stored, key);
}

int bh_vulndb_stored_is_newer(bh_vulndb *db, const char *source, const char *id, const char *modified, bool *newer,
			      bh_error *err)
{
	long long s1, s2;
	long n1, n2;
	int r;

	*newer = false;
	if (!modified || bh_vulndb_parse_time(modified, &s1, &n1) || surely_absent(db, source, id))
		return 0;
	bind_text(db->modq, 1, source ? source : "");
	bind_text(db->modq, 2, id);
	r = sqlite3_step(db->modq);
	if (r == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(db->modq, 0);
		if (m && !bh_vulndb_parse_time(m, &s2, &n2))
			*newer = s2 > s1 || (s2 == s1 && n2 > n1);
	}
	sqlite3_reset(db->modq);
	sqlite3_clear_bindings(db->modq);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sqlerr(db, err, "query");
	return 0;
}

int bh_vulndb_forget_advisory(bh_vulndb *db, const char *source, const char *id, const char *package, bh_error *err)
{
	int rc;
	sqlite3_stmt *st = package ? db->fg_aff_pkg : db->fg_aff;
	/* its affected rows carry its source only if it was stored (put_advisory), and so do aliases */
	if (surely_absent(db, source, id))
		return 0;
	bind_text(st, 1, source ? source : "");
	bind_text(st, 2, id);
	if (package)
		bind_text(st, 3, package);
	if ((rc = step(db, st, err)) || package)
		return rc;
	bind_text(db->fg_alias, 1, source ? source : "");
	bind_text(db->fg_alias, 2, id);
	return step(db, db->fg_alias, err);
}

int bh_vulndb_forget_package(bh_vulndb *db, const char *source, const char *ecosystem, const char *package,
			     const char *distro, bh_error *err)
{
	bind_text(db->fg_pkg, 1, source ? source : "");
	bind_text(db->fg_pkg, 2, ecosystem);
	bind_text(db->fg_pkg, 3, package);
	bind_text(db->fg_pkg, 4, distro ? distro : "");
	return step(db, db->fg_pkg, err);
}
