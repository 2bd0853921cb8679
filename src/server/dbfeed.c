/* dbfeed.c - the server's DB thread: scheduled updates, POSTed feed bundles, a DB file replaced on disk, each followed by a re-evaluation of the store. */
#include "server/dbfeed.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/log.h"
#include "server/apictx.h"
#include "server/reeval.h"
#include "vuln/db.h"
#include "vuln/import.h"
#include "vuln/update.h"

struct bh_dbfeed {
	bh_api *api;
	char *db_path, *cache_dir, *mirror;
	long interval_s, check_s;
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* work queued, or stop */
	pthread_cond_t idle;   /* the thread finished what was queued */
	bool stop, busy;
	char *bundle;          /* path of a POSTed bundle waiting for import (owned) */
	bool want_reeval, want_full, want_check;
	bool retry, retry_full; /* another server held the re-evaluation: try again at the next look */
	time_t next_update;
	/* what GET /api/v1/db shows (under mu) */
	const char *state;     /* "idle", "importing", "updating", "re-evaluating" */
	bh_reeval_stats last;
	bool have_last;
	long runs;             /* re-evaluations finished (done or failed) */
	double last_seconds;
	time_t last_at;
	char last_error[BH_ERROR_MSG_MAX + 64];
	struct stat seen;      /* the DB file as last put in place */
};

/* ---------------------------------------------------------------- the work */

static void set_state(bh_dbfeed *f, const char *state)
{
	pthread_mutex_lock(&f->mu);
	f->state = state;
	pthread_mutex_unlock(&f->mu);
}

static void set_error(bh_dbfeed *f, const char *what, const bh_error *err)
{
	pthread_mutex_lock(&f->mu);
	snprintf(f->last_error, sizeof(f->last_error), "%.40s: %s", what, err->msg);
	pthread_mutex_unlock(&f->mu);
	bh_log_error("db: %s: %s", what, err->msg);
}

static bool file_changed(bh_dbfeed *f)
{
	struct stat s;
	if (stat(f->db_path, &s) != 0)
		return false;
	return s.st_ino != f->seen.st_ino || s.st_dev != f->seen.st_dev || s.st_mtim.tv_sec != f->seen.st_mtim.tv_sec ||
	       s.st_mtim.tv_nsec != f->seen.st_mtim.tv_nsec || s.st_size != f->seen.st_size;
}

/* Puts the DB file in place for uploads; 0 also when there is none yet. */
static int swap_in(bh_dbfeed *f, bh_error *err)
{
	bh_vulndb *db;
	struct stat s;
	int rc;
	if (stat(f->db_path, &s) != 0)
		return 0;
	if ((rc = bh_vulndb_open(f->db_path, &db, err)) != 0)
		return rc;
	f->seen = s;
	return bh_apictx_vdb_swap(f->api, db, f->db_path, err);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int reevaluate(bh_dbfeed *f, bool full)
{
	bh_vulndb *db;
	bh_store *st;
	bh_reeval_stats rs;
	bh_error err;
	double t0 = mono();
	int rc;
	if (access(f->db_path, R_OK) != 0)
		return 0; /* nothing to evaluate with yet */
	set_state(f, "re-evaluating");
	if ((rc = bh_vulndb_open(f->db_path, &db, &err)) != 0) {
		set_error(f, "re-evaluation", &err);
		return rc;
	}
	st = bh_apictx_store(f->api);
	memset(&rs, 0, sizeof(rs));
	rc = bh_reeval_run(st, db, full ? BH_REEVAL_FULL : 0, (int64_t)time(NULL), &rs, &err);
	if (!rc) {
		/* one event per run, so a reader of the log sees what caused the finding.* events */
		char key[96], *payload;
		json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "db_version", rs.db_version,
				      "full", full, "components", (json_int_t)rs.components, "keys", (json_int_t)rs.keys,
				      "keys_changed", (json_int_t)rs.keys_changed, "matched", (json_int_t)rs.matched, "new",
				      (json_int_t)rs.new_, "reopened", (json_int_t)rs.reopened, "changed", (json_int_t)rs.changed,
				      "resolved", (json_int_t)rs.resolved, "seconds", mono() - t0);
		payload = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (payload && (rs.keys_changed || full)) {
			bh_store_event e;
			int64_t seq;
			bool dup;
			memset(&e, 0, sizeof(e));
			e.type = "db.reevaluated";
			e.payload_json = payload;
			snprintf(key, sizeof(key), "db.reevaluated:%s:%s", rs.db_version, full ? "full" : "delta");
			e.idem_key = full ? NULL : key; /* a full run may be asked again on purpose */
			if (bh_store_event_add(st, &e, (int64_t)time(NULL), &seq, &dup, &err) != 0)
				bh_log_warn("db: event: %s", err.msg);
		}
		free(payload);
		if (rs.new_ || rs.reopened || rs.changed || rs.resolved)
			bh_apictx_changed(f->api);
		bh_log_info("db: re-evaluated with DB %s in %.2f s: %zu of %zu package keys moved, %zu components matched;"
			    " %zu new, %zu reopened, %zu changed, %zu resolved",
			    rs.db_version, mono() - t0, rs.keys_changed, rs.keys, rs.matched, rs.new_, rs.reopened, rs.changed,
			    rs.resolved);
		pthread_mutex_lock(&f->mu);
		f->last = rs;
		f->have_last = true;
		f->last_seconds = mono() - t0;
		f->last_at = time(NULL);
		f->last_error[0] = '\0';
		pthread_mutex_unlock(&f->mu);
	} else if (rc == BH_EBUSY) {
		/* the other server may die before it commits: its lock goes with its connection, and
		 * the fingerprints make this run a no-op when it did not */
		bh_log_info("db: %s (retrying in %ld s)", err.msg, f->check_s);
		pthread_mutex_lock(&f->mu);
		f->retry = true;
		f->retry_full = f->retry_full || full;
		pthread_mutex_unlock(&f->mu);
	} else {
		set_error(f, "re-evaluation", &err);
	}
	bh_apictx_release(f->api, st);
	bh_vulndb_close(db);
	pthread_mutex_lock(&f->mu);
	f->runs++;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int import_bundle(bh_dbfeed *f, const char *path)
{
	bh_vulndb *db;
	bh_import_stats is;
	bh_limits lim;
	bh_error err;
	int rc;
	set_state(f, "importing");
	bh_limits_default(&lim);
	memset(&is, 0, sizeof(is));
	if ((rc = bh_vulndb_create(f->db_path, true, &db, &err)) != 0) {
		set_error(f, "feed bundle", &err);
		return rc;
	}
	if ((rc = bh_vulndb_begin(db, &err)) || (rc = bh_import_path(db, path, &lim, &is, &err)) ||
	    (rc = bh_vulndb_end(db, &err)) ||
	    (rc = bh_vulndb_put_source(db, "api-bundle", "POST /api/v1/db", is.advisories + is.kev + is.epss, NULL, NULL, &err)) ||
	    (rc = bh_vulndb_commit(db, &err))) {
		bh_vulndb_close(db);
		set_error(f, "feed bundle", &err);
		return rc;
	}
	bh_vulndb_close(db);
	bh_log_info("db: feed bundle imported: %ld advisories, %ld known exploited", (long)is.advisories, (long)is.kev);
	return 0;
}

static int scheduled_update(bh_dbfeed *f)
{
	bh_update_opts o;
	bh_limits lim;
	bh_error err;
	int rc;
	set_state(f, "updating");
	memset(&o, 0, sizeof(o));
	o.db_path = f->db_path;
	o.cache_dir = f->cache_dir;
	o.mirror = f->mirror;
	o.retries = 2;
	o.timeout_s = 300;
	bh_limits_default(&lim);
	if ((rc = bh_update_run(&o, &lim, &err)) != 0)
		set_error(f, "scheduled update", &err);
	return rc;
}

static void *loop(void *arg)
{
	bh_dbfeed *f = arg;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		struct timespec until;
		char *bundle;
		bool reeval, full, update = false, check;
		bh_error err;
		while (!f->stop && !f->bundle && !f->want_reeval && !f->want_check &&
		       !(f->interval_s > 0 && time(NULL) >= f->next_update)) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += f->check_s;
			f->state = "idle";
			pthread_cond_broadcast(&f->idle);
			if (pthread_cond_timedwait(&f->cv, &f->mu, &until) != 0) {
				f->want_check = true; /* the periodic look at the file */
				if (f->retry) {
					f->want_reeval = true;
					f->want_full = f->want_full || f->retry_full;
					f->retry = f->retry_full = false;
				}
			}
		}
		if (f->stop)
			break;
		f->busy = true;
		bundle = f->bundle;
		f->bundle = NULL;
		reeval = f->want_reeval;
		full = f->want_full;
		check = f->want_check;
		f->want_reeval = f->want_full = f->want_check = false;
		if (f->interval_s > 0 && time(NULL) >= f->next_update) {
			update = true;
			f->next_update = time(NULL) + f->interval_s;
		}
		pthread_mutex_unlock(&f->mu);

		if (bundle) {
			if (import_bundle(f, bundle) == 0)
				check = true;
			unlink(bundle);
			free(bundle);
		}
		if (update && scheduled_update(f) == 0)
			check = true;
		if (check && file_changed(f)) {
			if (swap_in(f, &err) != 0)
				set_error(f, "new DB file", &err);
			else
				reeval = true;
		}
		if (reeval)
			reevaluate(f, full);

		pthread_mutex_lock(&f->mu);
		f->busy = false;
	}
	f->state = "stopped";
	pthread_cond_broadcast(&f->idle);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

int bh_dbfeed_start(const bh_dbfeed_config *cfg, bh_dbfeed **out, bh_error *err)
{
	bh_dbfeed *f;
	*out = NULL;
	if (!cfg || !cfg->api || !cfg->db_path)
		return bh_error_set(err, BH_EUSAGE, "dbfeed: no API or DB path");
	if (!(f = calloc(1, sizeof(*f))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	f->api = cfg->api;
	f->interval_s = cfg->update_interval_s;
	f->check_s = cfg->check_s > 0 ? cfg->check_s : 30;
	f->state = "idle";
	if (!(f->db_path = strdup(cfg->db_path)) || (cfg->mirror && !(f->mirror = strdup(cfg->mirror)))) {
		bh_dbfeed_stop(f);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	if (cfg->cache_dir)
		f->cache_dir = strdup(cfg->cache_dir);
	else if ((f->cache_dir = malloc(strlen(cfg->db_path) + 7)))
		sprintf(f->cache_dir, "%s.feeds", cfg->db_path);
	if (!f->cache_dir) {
		bh_dbfeed_stop(f);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	pthread_cond_init(&f->idle, NULL);
	/* the API may have opened the file already: remember it as seen, and evaluate it once */
	if (stat(f->db_path, &f->seen) == 0 && cfg->reeval_at_start)
		f->want_reeval = true;
	if (f->interval_s > 0)
		f->next_update = time(NULL) + f->interval_s;
	if (pthread_create(&f->th, NULL, loop, f) != 0) {
		bh_dbfeed_stop(f);
		return bh_error_set(err, BH_EIO, "dbfeed: cannot start its thread");
	}
	f->started = true;
	*out = f;
	return 0;
}

void bh_dbfeed_stop(bh_dbfeed *f)
{
	if (!f)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->stop = true;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->th, NULL);
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		pthread_cond_destroy(&f->idle);
	}
	if (f->bundle) {
		unlink(f->bundle);
		free(f->bundle);
	}
	free(f->db_path);
	free(f->cache_dir);
	free(f->mirror);
	free(f);
}

bool bh_dbfeed_wait_idle(bh_dbfeed *f, long timeout_ms)
{
	struct timespec until;
	bool ok = true;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->mu);
	while (ok && (f->busy || f->bundle || f->want_reeval || f->want_check))
		ok = pthread_cond_timedwait(&f->idle, &f->mu, &until) == 0;
	pthread_mutex_unlock(&f->mu);
	return ok;
}

/* ---------------------------------------------------------------- routes */

static int get_db(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_dbfeed *f = ud;
	bh_vulndb *db;
	bh_vulndb_stats s;
	bh_error err;
	json_t *o = json_object(), *srcs = json_array();
	size_t i;
	(void)req;
	if (!o || !srcs) {
		json_decref(o);
		json_decref(srcs);
		return BH_ENOMEM;
	}
	memset(&s, 0, sizeof(s));
	db = bh_apictx_vdb_lock(f->api);
	if (db && bh_vulndb_get_stats(db, &s, &err) == 0) {
		json_object_set_new(o, "built_at", bh_apictx_jstr(s.built_at));
		json_object_set_new(o, "advisories", json_integer(s.advisories));
		json_object_set_new(o, "affected", json_integer(s.affected));
		json_object_set_new(o, "kev", json_integer(s.kev));
		for (i = 0; i < s.nsources; i++)
			json_array_append_new(srcs, json_pack("{s:s?, s:s?, s:I, s:s?}", "name", s.sources[i].name, "location",
							      s.sources[i].location, "records", (json_int_t)s.sources[i].records,
							      "imported_at", s.sources[i].imported_at));
	}
	bh_apictx_vdb_unlock(f->api);
	bh_vulndb_stats_free(&s);
	json_object_set_new(o, "present", json_boolean(db != NULL));
	json_object_set_new(o, "sources", srcs);
	pthread_mutex_lock(&f->mu);
	json_object_set_new(o, "state", json_string(f->state));
	json_object_set_new(o, "reevaluations", json_integer(f->runs));
	json_object_set_new(o, "waiting_for_lock", json_boolean(f->retry));
	json_object_set_new(o, "update_interval_s", f->interval_s > 0 ? json_integer(f->interval_s) : json_null());
	json_object_set_new(o, "last_error", f->last_error[0] ? json_string(f->last_error) : json_null());
	if (f->have_last)
		json_object_set_new(o, "last_reevaluation",
				    json_pack("{s:s, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "db_version",
					      f->last.db_version, "at", (json_int_t)f->last_at, "seconds", f->last_seconds,
					      "components", (json_int_t)f->last.components, "keys", (json_int_t)f->last.keys,
					      "keys_changed", (json_int_t)f->last.keys_changed, "matched",
					      (json_int_t)f->last.matched, "new", (json_int_t)f->last.new_, "reopened",
					      (json_int_t)f->last.reopened, "changed", (json_int_t)f->last.changed, "resolved",
					      (json_int_t)f->last.resolved));
	else
		json_object_set_new(o, "last_reevaluation", json_null());
	pthread_mutex_unlock(&f->mu);
	return bh_srv_resp_json(resp, 200, o);
}

/* The name the importer needs to see what the bundle is: archives are recognised by name. */
static const char *bundle_ext(const char *b, size_t n)
{
	size_t i;
	if (n >= 2 && (unsigned char)b[0] == 0x1f && (unsigned char)b[1] == 0x8b)
		return ".tar.gz";
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return ".tar.zst";
	if (n >= 4 && !memcmp(b, "PK\x03\x04", 4))
		return ".zip";
	if (n >= 262 && !memcmp(b + 257, "ustar", 5))
		return ".tar";
	for (i = 0; i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'); i++)
		;
	if (i < n && (b[i] == '{' || b[i] == '['))
		return ".json";
	return ".yaml";
}

/* POST /api/v1/db: the body is a feed bundle; kept in a file beside the DB until the thread imports it. */
static int post_db(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_dbfeed *f = ud;
	size_t len, off = 0;
	const char *body = bh_srv_body(req, &len);
	bh_buf p = BH_BUF_INIT;
	bh_store *st;
	bh_error err;
	char detail[64];
	int fd, rc;
	if (!len)
		return bh_srv_resp_error(resp, 400, "bad_request",
					 "the body must be a feed bundle: an archive (.tar, .tar.gz, .tar.zst, .zip) or a document"
					 " that `bulkhead db import` reads");
	bh_buf_printf(&p, "%s.bundle-%ld-%ld%s", f->db_path, (long)getpid(), (long)time(NULL), bundle_ext(body, len));
	if (!p.data)
		return BH_ENOMEM;
	if ((fd = open(p.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		bh_log_error("db: bundle %s: %s", p.data, strerror(errno));
		bh_buf_free(&p);
		return bh_srv_resp_error(resp, 500, "internal", "the bundle could not be kept; the server log says why");
	}
	while (off < len) {
		ssize_t w = write(fd, body + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close(fd) != 0 || off < len) {
		unlink(p.data);
		bh_buf_free(&p);
		return bh_srv_resp_error(resp, 507, "insufficient_storage", "the bundle could not be written beside the DB");
	}
	/* audited before it is queued: the change is asked for now, made by the thread */
	snprintf(detail, sizeof(detail), "bytes=%zu", len);
	st = bh_apictx_store(f->api);
	rc = bh_apictx_audit(st, req, "db.bundle", f->db_path, detail, &err);
	bh_apictx_release(f->api, st);
	if (rc) {
		unlink(p.data);
		bh_buf_free(&p);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	pthread_mutex_lock(&f->mu);
	if (f->bundle) {
		pthread_mutex_unlock(&f->mu);
		unlink(p.data);
		bh_buf_free(&p);
		return bh_srv_resp_error(resp, 409, "busy", "a feed bundle is already waiting to be imported; try again after it");
	}
	f->bundle = bh_buf_steal(&p);
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return bh_srv_resp_json(resp, 202, json_pack("{s:s, s:I}", "status", "queued", "bytes", (json_int_t)len));
}

static int post_reeval(bh_srv_req *req, bh_srv_resp *resp, void *ud)
{
	bh_dbfeed *f = ud;
	bool full;
	bh_store *st;
	bh_error err;
	int rc;
	if (bh_srv_query_bool(req, resp, "full", false, &full))
		return 0;
	st = bh_apictx_store(f->api);
	rc = bh_apictx_audit(st, req, full ? "db.reeval.full" : "db.reeval", f->db_path, NULL, &err);
	bh_apictx_release(f->api, st);
	if (rc)
		return bh_apictx_store_failed(resp, rc, &err);
	pthread_mutex_lock(&f->mu);
	f->want_reeval = true;
	f->want_full = f->want_full || full;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return bh_srv_resp_json(resp, 202, json_pack("{s:s, s:b}", "status", "queued", "full", full));
}

int bh_dbfeed_register(bh_dbfeed *f, bh_srv *s, bh_error *err)
{
	const bh_srv_route routes[] = {
		{ "GET", "/api/v1/db", get_db, f, .allow = BH_SRV_ALLOW_VIEWER },
		{ "POST", "/api/v1/db", post_db, f, .allow = 0, .body = BH_SRV_BODY_RAW, .max_body = BH_DBFEED_BUNDLE_MAX },
		{ "POST", "/api/v1/db/reeval", post_reeval, f, .allow = 0 },
	};
	return bh_srv_route_add_all(s, routes, sizeof(routes) / sizeof(routes[0]), err);
}
