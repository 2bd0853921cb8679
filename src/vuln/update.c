/* update.c - `db update`: conditional downloads with retries into a feed cache, then a DB rebuild. */
#include "vuln/update.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

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

struct dl {
	FILE *fp;
	bool progress;
	const char *name;
};

static int on_progress(void *ud, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
	struct dl *d = ud;
	(void)ut; (void)un;
	if (d->progress && now > 0) {
		if (total > 0)
			bh_log_progress("bulkhead: %s %3d%% of %lld kB", d->name, (int)(now * 100 / total), (long long)(total / 1024));
		else
			bh_log_progress("bulkhead: %s %lld kB", d->name, (long long)(now / 1024));
	}
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

struct hdrs {
	char etag[256];
	char lm[128];
};

static size_t on_header(char *b, size_t sz, size_t nm, void *ud)
{
	struct hdrs *h = ud;
	size_t n = sz * nm;
	char line[512];
	if (n >= sizeof(line))
		return n;
	memcpy(line, b, n);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncasecmp(line, "ETag:", 5))
		snprintf(h->etag, sizeof(h->etag), "%s", line + 5 + strspn(line + 5, " "));
	else if (!strncasecmp(line, "Last-Modified:", 14))
		snprintf(h->lm, sizeof(h->lm), "%s", line + 14 + strspn(line + 14, " "));
	return n;
}

/* One feed: conditional GET into file.part, renamed over file on 200; 304 keeps file. */
static int fetch(const bh_update_opts *o, const bh_feed *f, const char *url, const char *file, bool *changed, bh_error *err)
{
	char part[4300], meta[4300], etag[256], lm[128];
	unsigned attempt;
	int rc = 0;

	snprintf(part, sizeof(part), "%s.part", file);
	snprintf(meta, sizeof(meta), "%s.meta", file);
	read_meta(meta, etag, sizeof(etag), lm, sizeof(lm));
	if (access(file, R_OK) != 0)
		etag[0] = lm[0] = '\0';
	*changed = false;
	for (attempt = 0; attempt <= o->retries; attempt++) {
		CURL *h = curl_easy_init();
		struct curl_slist *hl = NULL;
		struct dl d = { NULL, o->progress, f->name };
		struct hdrs got;
		char eb[CURL_ERROR_SIZE] = "", hb[400];
		long status = 0;
		CURLcode cc;

		memset(&got, 0, sizeof(got));
		if (!h)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		d.fp = fopen(part, "wb");
		if (!d.fp) {
			curl_easy_cleanup(h);
			return bh_error_set(err, BH_EIO, "%s: %s", part, strerror(errno));
		}
		if (etag[0]) {
			snprintf(hb, sizeof(hb), "If-None-Match: %s", etag);
			hl = curl_slist_append(hl, hb);
		}
		if (lm[0]) {
			snprintf(hb, sizeof(hb), "If-Modified-Since: %s", lm);
			hl = curl_slist_append(hl, hb);
		}
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, d.fp);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &got);
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, o->timeout_s);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, eb);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &d);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "bulkhead/0.1");
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_slist_free_all(hl);
		curl_easy_cleanup(h);
		fclose(d.fp);
		bh_log_progress_done();
		if (cc == CURLE_OK && status == 304) {
			unlink(part);
			bh_log_info("%s: not modified", f->name);
			return 0;
		}
		if (cc == CURLE_OK && status == 200) {
			FILE *mf;
			if (rename(part, file) != 0)
				return bh_error_set(err, BH_EIO, "%s: %s", file, strerror(errno));
			mf = fopen(meta, "w");
			if (mf) {
				fprintf(mf, "%s\n%s\n", got.etag, got.lm);
				fclose(mf);
			}
			*changed = true;
			return 0;
		}
		unlink(part);
		if (cc == CURLE_OK && status >= 400 && status < 500 && status != 429) {
			return bh_error_set(err, BH_ENET, "%s: %s answered HTTP %ld", f->name, url, status);
		}
		rc = bh_error_set(err, BH_ENET, "%s: %s: %s", f->name, url,
				  cc != CURLE_OK ? (eb[0] ? eb : curl_easy_strerror(cc)) : "server error");
		if (attempt < o->retries) {
			bh_log_warn("%s (attempt %u of %u, retrying)", err->msg, attempt + 1, o->retries + 1);
			sleep(1u << attempt);
		}
	}
	return rc;
}

static int mkdirs(const char *dir)
{
	char tmp[4096];
	size_t i, n = strlen(dir);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		if (i < n)
			tmp[i] = '/';
	}
	return 0;
}

int bh_update_run(const bh_update_opts *o, const bh_limits *lim, bh_error *err)
{
	bh_vulndb *db = NULL;
	size_t i, got = 0;
	int rc;

	if (mkdirs(o->cache_dir))
		return bh_error_set(err, BH_EIO, "cannot create %s: %s", o->cache_dir, strerror(errno));
	/*
	 * The DB's writer lock is taken before the downloads: two updates beside one DB share the feed
	 * cache (file.part, file.meta), so the second waits instead of writing the same files.
	 */
	if ((rc = bh_vulndb_create_wait(o->db_path, false, (o->lock_wait_s > 0 ? o->lock_wait_s : BH_VULNDB_LOCK_WAIT_S) * 1000L, &db, err)))
		return rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
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
				curl_global_cleanup();
				bh_vulndb_close(db);
				return rc;
			}
			bh_log_warn("%s; using the copy cached earlier", err->msg);
		}
		printf("%-10s %s\n", feeds[i].name, changed ? "downloaded" : "up to date (cached copy kept)");
		got++;
	}
	curl_global_cleanup();
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
