/* update.c - `db update`: conditional downloads with retries into a feed cache, then a DB rebuild. */
#include "vuln/update.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/log.h"
#include "net/http.h"

static const bh_feed feeds[] = {
	{ "go", "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip", "osv/Go/all.zip", "osv-go.zip" },
	{ "pypi", "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip", "osv/PyPI/all.zip", "osv-pypi.zip" },
	{ "npm", "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip", "osv/npm/all.zip", "osv-npm.zip" },
	{ "crates", "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip", "osv/crates.io/all.zip", "osv-crates.zip" },
	{ "maven", "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip", "osv/Maven/all.zip", "osv-maven.zip" },
	{ "rubygems", "https://osv-vulnerabilities.storage.googleapis.com/RubyGems/all.zip", "osv/RubyGems/all.zip", "osv-rubygems.zip" },
	{ "packagist", "https://osv-vulnerabilities.storage.googleapis.com/Packagist/all.zip", "osv/Packagist/all.zip", "osv-packagist.zip" },
	{ "alpine", "https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip", "osv/Alpine/all.zip", "osv-alpine.zip" },
	{ "debian", "https://security-tracker.debian.org/tracker/data/json", "debian/json", "debian-tracker.json" },
	{ "kev", "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
	  "kev/known_exploited_vulnerabilities.json", "kev.json" },
	{ "epss", "https://epss.cyentia.com/epss_scores-current.csv.gz", "epss/epss_scores-current.csv.gz", "epss.csv.gz" },
};

const bh_feed *bh_update_feeds(size_t *n)
{
	*n = sizeof(feeds) / sizeof(feeds[0]);
	return feeds;
}

static bool selected(const char *only, const char *name)
{
	const char *p = only;
	size_t n = strlen(name);
	if (!only)
		return true;
	while (p && *p) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return true;
		p += k;
		p += *p == ',';
	}
	return false;
}

/* Feeds are big (OSV's Maven zip is hundreds of MB) but not without end. */
#define FEED_MAX ((uint64_t)4 << 30)

struct dl {
	FILE *fp;
	const char *part;
	bool progress;
	const char *name;
};

static void on_progress(void *ud, uint64_t now, uint64_t total)
{
	struct dl *d = ud;
	if (!d->progress)
		return;
	if (total > 0)
		bh_log_progress("bulkhead: %s %3d%% of %llu kB", d->name, (int)(now * 100 / total), (unsigned long long)(total / 1024));
	else
		bh_log_progress("bulkhead: %s %llu kB", d->name, (unsigned long long)(now / 1024));
}

static int on_chunk(void *ud, const char *p, size_t n, bh_error *err)
{
	struct dl *d = ud;
	if (fwrite(p, 1, n, d->fp) != n)
		return bh_error_set(err, BH_EIO, "%s: %s", d->part, strerror(errno));
	return 0;
}

/* A download that broke midway starts again from an empty file.part. */
static int on_restart(void *ud, bh_error *err)
{
	struct dl *d = ud;
	if (fflush(d->fp) || ftruncate(fileno(d->fp), 0) || fseeko(d->fp, 0, SEEK_SET))
		return bh_error_set(err, BH_EIO, "%s: %s", d->part, strerror(errno));
	return 0;
}

/* Reads a sidecar "<file>.meta": line 1 ETag, line 2 Last-Modified. */
static void read_meta(const char *path, char *etag, size_t en, char *lm, size_t ln)
{
	FILE *fp = fopen(path, "r");
	etag[0] = lm[0] = '\0';
	if (!fp)
		return;
	if (fgets(etag, (int)en, fp))
		etag[strcspn(etag, "\r\n")] = '\0';
	if (fgets(lm, (int)ln, fp))
		lm[strcspn(lm, "\r\n")] = '\0';
	fclose(fp);
}

/* One feed: conditional GET into file.part, renamed over file on 200; 304 keeps file. */
static int fetch(const bh_update_opts *o, const bh_feed *f, const char *url, const char *file, bool *changed, bh_error *err)
{
	char part[4300], meta[4300], etag[256], lm[128], h1[400], h2[400];
	const char *hdrs[3] = { NULL, NULL, NULL };
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	struct dl d = { NULL, part, o->progress, f->name };
	size_t nh = 0;
	int rc, wrc;

	snprintf(part, sizeof(part), "%s.part", file);
	snprintf(meta, sizeof(meta), "%s.meta", file);
	read_meta(meta, etag, sizeof(etag), lm, sizeof(lm));
	if (access(file, R_OK) != 0)
		etag[0] = lm[0] = '\0';
	*changed = false;
	if (etag[0]) {
		snprintf(h1, sizeof(h1), "If-None-Match: %s", etag);
		hdrs[nh++] = h1;
	}
	if (lm[0]) {
		snprintf(h2, sizeof(h2), "If-Modified-Since: %s", lm);
		hdrs[nh++] = h2;
	}
	d.fp = fopen(part, "wb");
	if (!d.fp)
		return bh_error_set(err, BH_EIO, "%s: %s", part, strerror(errno));
	memset(&r, 0, sizeof(r));
	r.method = BH_HTTP_GET;
	r.url = url;
	r.headers = hdrs;
	r.follow_redirects = true;
	r.connect_timeout_ms = 15000;
	r.timeout_ms = o->timeout_s > 0 ? o->timeout_s * 1000 : 0;
	r.retries = o->retries;
	r.backoff_ms = 1000;
	r.max_size = FEED_MAX;
	r.on_chunk = on_chunk;
	r.on_restart = on_restart;
	r.on_progress = on_progress;
	r.ud = &d;
	rc = bh_http_do(&r, &resp, err);
	wrc = fclose(d.fp);
	bh_log_progress_done();
	if (!rc && wrc)
		rc = bh_error_set(err, BH_EIO, "%s: %s", part, strerror(errno));
	if (!rc && resp.status == 304) {
		unlink(part);
		bh_log_info("%s: not modified", f->name);
	} else if (!rc) {
		FILE *mf;
		if (rename(part, file) != 0) {
			rc = bh_error_set(err, BH_EIO, "%s: %s", file, strerror(errno));
		} else {
			char et[256] = "", lmod[128] = "";
			bh_http_header(&resp, "ETag", et, sizeof(et));
			bh_http_header(&resp, "Last-Modified", lmod, sizeof(lmod));
			mf = fopen(meta, "w");
			if (mf) {
				fprintf(mf, "%s\n%s\n", et, lmod);
				fclose(mf);
			}
			*changed = true;
		}
	} else {
		unlink(part);
		/* a feed missing from a mirror is a failure of the source, like an unreachable one */
		if (rc == BH_ENOTFOUND) {
			rc = BH_ENET;
			if (err)
				err->code = rc;
		}
		bh_error_wrap(err, "%s", f->name);
	}
	bh_http_response_free(&resp);
	return rc;
}

int bh_update_run(const bh_update_opts *o, const bh_limits *lim, bh_error *err)
{
	bh_vulndb *db = NULL;
	size_t i, got = 0;
	int rc;

	if ((rc = bh_file_mkdir_p(o->cache_dir, 0755, err)))
		return rc;
	/*
	 * The DB's writer lock is taken before the downloads: two updates beside one DB share the feed
	 * cache (file.part, file.meta), so the second waits instead of writing the same files.
	 */
	if ((rc = bh_vulndb_create_wait(o->db_path, false, (o->lock_wait_s > 0 ? o->lock_wait_s : BH_VULNDB_LOCK_WAIT_S) * 1000L, &db, err)))
		return rc;
	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		char url[4200], file[4200];
		bool changed;
		if (!selected(o->only, feeds[i].name))
			continue;
		if (o->mirror)
			snprintf(url, sizeof(url), "%s%s%s", o->mirror, bh_str_endswith(o->mirror, "/") ? "" : "/", feeds[i].mirror_path);
		else
			snprintf(url, sizeof(url), "%s", feeds[i].url);
		snprintf(file, sizeof(file), "%s/%s", o->cache_dir, feeds[i].file);
		if ((rc = fetch(o, &feeds[i], url, file, &changed, err))) {
			/* a feed that cannot be had now keeps its cached copy; none at all is an error */
			if (access(file, R_OK) != 0) {
				bh_vulndb_close(db);
				return rc;
			}
			bh_log_warn("%s; using the copy cached earlier", err->msg);
		}
		printf("%-10s %s\n", feeds[i].name, changed ? "downloaded" : "up to date (cached copy kept)");
		got++;
	}
	if (!got) {
		bh_vulndb_close(db);
		return bh_error_set(err, BH_EUSAGE, "no feed selected (names: go, pypi, npm, crates, maven, rubygems, packagist, alpine, debian, kev, epss)");
	}
	/* rebuild from the whole cache so the DB always equals what the cache holds */
	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		char file[4200];
		bh_import_stats st;
		snprintf(file, sizeof(file), "%s/%s", o->cache_dir, feeds[i].file);
		if (access(file, R_OK) != 0)
			continue;
		memset(&st, 0, sizeof(st));
		if ((rc = bh_vulndb_begin(db, err)) || (rc = bh_import_path(db, file, lim, &st, err)) || (rc = bh_vulndb_end(db, err)) ||
		    (rc = bh_vulndb_put_source(db, feeds[i].name, o->mirror ? o->mirror : feeds[i].url,
					       st.advisories + st.kev + st.epss, NULL, NULL, err))) {
			bh_vulndb_close(db);
			return rc;
		}
	}
	rc = bh_vulndb_commit(db, err);
	bh_vulndb_close(db);
	return rc;
}
