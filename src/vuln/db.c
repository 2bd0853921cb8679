/* db.c - SQLite vulnerability store with a versioned schema and atomic file swap on update. */
#include "vuln/db.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

struct bh_vulndb {
	sqlite3 *h;
	char *path;   /* final path */
	char *tmp;    /* path being written, NULL for read-only */
	int lock_fd;  /* flock on path.lock while writing, -1 otherwise */
	sqlite3_stmt *adv, *alias, *aff, *kev, *epss;
	sqlite3_stmt *modq, *fg_aff, *fg_aff_pkg, *fg_alias, *fg_pkg;
	char last_id[256];     /* the advisory last stored, and its source: affected rows inherit it */
	char last_source[64];
};

static const char schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE sources(name TEXT PRIMARY KEY, location TEXT, imported_at TEXT, records INTEGER, etag TEXT, last_modified TEXT);"
	"CREATE TABLE advisories(id TEXT NOT NULL, source TEXT NOT NULL, summary TEXT, details TEXT, severity TEXT,"
	" cvss_vector TEXT, cvss_score REAL, published TEXT, modified TEXT, withdrawn TEXT, url TEXT, kind TEXT, PRIMARY KEY(source, id));"
	"CREATE TABLE aliases(source TEXT NOT NULL, advisory_id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY(source, advisory_id, alias)) WITHOUT ROWID;"
	"CREATE INDEX aliases_alias ON aliases(alias);"
	"CREATE TABLE affected(advisory_id TEXT NOT NULL, source TEXT, ecosystem TEXT NOT NULL, package TEXT NOT NULL,"
	" distro TEXT NOT NULL DEFAULT '', ranges TEXT, versions TEXT, status TEXT, fixed_version TEXT, severity TEXT);"
	"CREATE INDEX affected_pkg ON affected(ecosystem, package, distro);"
	"CREATE INDEX affected_adv ON affected(advisory_id);"
	"CREATE TABLE kev(cve TEXT PRIMARY KEY, date_added TEXT, due_date TEXT, ransomware TEXT, name TEXT);"
	"CREATE TABLE epss(cve TEXT PRIMARY KEY, score REAL, percentile REAL);";

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
	sqlite3_stmt *st;
	int ver = -1;

	*out = NULL;
	if (access(path, R_OK) != 0)
		return bh_error_set(err, BH_ENOTFOUND, "no vulnerability DB at %s (run `bulkhead db import PATH` or `bulkhead db update`)", path);
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
	if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO advisories VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", -1, &db->adv, NULL) ||
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
			if (ver != BH_VULNDB_SCHEMA) {
				/* An old schema is not migrated: start afresh. */
				sqlite3_close(db->h);
				db->h = NULL;
				unlink(db->tmp);
			}
		}
	}
	if (!db->h) {
		if (sqlite3_open(db->tmp, &db->h) != SQLITE_OK ||
		    sqlite3_exec(db->h, schema, NULL, NULL, NULL) != SQLITE_OK) {
			rc = sqlerr(db, err, "create");
			bh_vulndb_close(db);
			return rc;
		}
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
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
	if (sqlite3_exec(db->h, "ANALYZE;", NULL, NULL, NULL) != SQLITE_OK)
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
	sqlite3_stmt *st;
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
	sqlite3_stmt *st;
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

void *bh_vulndb_handle(bh_vulndb *db) { return db->h; }

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

int bh_vulndb_stored_is_newer(bh_vulndb *db, const char *source, const char *id, const char *modified, bool *newer,
			      bh_error *err)
{
	long long s1, s2;
	long n1, n2;
	int r;

	*newer = false;
	if (!modified || bh_vulndb_parse_time(modified, &s1, &n1))
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
