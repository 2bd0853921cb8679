/* metrics.c - the dashboard's portfolio metrics: counted over every finding, stored in metrics and image_metrics, read back. */
#include "store/metrics.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"

#define DAY 86400
/* Arbitrary, fixed: the PostgreSQL transaction-lock key of a save (two servers take turns). */
#define METRICS_LOCK_KEY 0x62686d6574LL
/* Image rows per INSERT: 8 values each, under BH_SQL_MAX_PARAMS. */
#define IMG_BATCH 100
#define IMG_COLS 8

static int rank_of(int64_t r) { return r >= 0 && r < BH_METRICS_NSEV ? (int)r : 0; }

static int count_of(bh_sql *db, const char *sql, int64_t *out, bh_error *err)
{
	*out = 0;
	return bh_sql_query_int(db, sql, NULL, 0, out, err) < 0 ? -1 : 0;
}

/* counts per day of the window and the total before it, from rows of (day number, rank, count) */
struct daybin {
	int64_t n, nsev[BH_METRICS_NSEV];
};

static int day_rows(bh_sql *db, const char *sql, int64_t first, struct daybin *bins, struct daybin *before, bh_error *err)
{
	bh_sql_rows *r;
	int rc;
	if ((rc = bh_sql_query(db, sql, NULL, 0, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		int64_t d = bh_sql_int(r, 0), n = bh_sql_int(r, 2);
		int k = rank_of(bh_sql_int(r, 1));
		struct daybin *b = d < first ? before : d < first + BH_METRICS_DAYS ? &bins[d - first] : NULL;
		if (b) {
			b->n += n;
			b->nsev[k] += n;
		}
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

/*
 * The open findings are read once, counted per component (by severity, KEV, fix): every other
 * count is a sum of those, so joining findings to images and containers (each finding once per
 * image that has its component) is never done in SQL. A finding belongs to one component.
 */
typedef struct comp_counts {
	int64_t id;
	int64_t total, kev, sev[BH_METRICS_NSEV];
} comp_counts;

typedef struct comp_set {
	comp_counts *v;
	size_t n, cap;
} comp_set;

/* the component's counts, or NULL when it has no open finding (v sorted by id) */
static const comp_counts *comp_find(const comp_set *cs, int64_t id)
{
	size_t lo = 0, hi = cs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cs->v[mid].id < id)
			lo = mid + 1;
		else if (cs->v[mid].id > id)
			hi = mid;
		else
			return &cs->v[mid];
	}
	return NULL;
}

/* +component_id: SQLite would otherwise group along the (component_id, advisory) index, one table
 * lookup per finding (3x slower than a scan at 10 M); PostgreSQL reads it as component_id */
static int comp_rows(bh_sql *db, bh_metrics *m, comp_set *cs, bh_error *err)
{
	bh_sql_rows *r;
	int rc;
	if ((rc = bh_sql_query(db,
			       "SELECT +component_id, severity_rank, kev, CASE WHEN fixed_version IS NOT NULL AND fixed_version <> ''"
			       " THEN 1 ELSE 0 END, count(*) FROM findings WHERE state = 'open' GROUP BY 1, 2, 3, 4 ORDER BY 1",
			       NULL, 0, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		int64_t id = bh_sql_int(r, 0), n = bh_sql_int(r, 4);
		bool kev = bh_sql_int(r, 2) != 0;
		int k = rank_of(bh_sql_int(r, 1));
		comp_counts *c;
		m->open += n;
		m->sev[k] += n;
		if (kev)
			m->kev += n;
		if (bh_sql_int(r, 3))
			m->fixable += n;
		if (!cs->n || cs->v[cs->n - 1].id != id) {
			if (cs->n == cs->cap) {
				size_t nc = cs->cap ? cs->cap * 2 : 1024, bytes;
				comp_counts *nv;
				if (!bh_size_mul(nc, sizeof(*nv), &bytes) || !(nv = realloc(cs->v, bytes))) {
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
					break;
				}
				cs->v = nv;
				cs->cap = nc;
			}
			memset(&cs->v[cs->n], 0, sizeof(cs->v[0]));
			cs->v[cs->n++].id = id;
		}
		c = &cs->v[cs->n - 1];
		c->total += n;
		c->sev[k] += n;
		if (kev)
			c->kev += n;
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

static int summary_counts(bh_sql *db, bh_metrics *m, const comp_set *cs, bh_error *err)
{
	bh_sql_rows *r;
	int rc;
	if (count_of(db, "SELECT count(*) FROM images", &m->images, err) ||
	    count_of(db, "SELECT count(*) FROM hosts", &m->hosts, err) ||
	    count_of(db, "SELECT count(*) FROM containers WHERE state <> 'removed'", &m->containers, err) ||
	    count_of(db, "SELECT count(*) FROM containers WHERE state = 'running'", &m->running, err))
		return BH_EIO;
	/* the components of images a running container uses, each once */
	if ((rc = bh_sql_query(db,
			       "SELECT DISTINCT l.component_id FROM containers c JOIN images i ON i.digest = c.image_digest"
			       " JOIN image_components l ON l.image_id = i.id WHERE c.state = 'running'",
			       NULL, 0, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		const comp_counts *c = comp_find(cs, bh_sql_int(r, 0));
		if (c) {
			m->in_running += c->total;
			m->kev_running += c->kev;
		}
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

static int trend(bh_sql *db, bh_metrics *m, int64_t now, bh_error *err)
{
	int64_t first = now / DAY - BH_METRICS_DAYS + 1, cum_new, cum_res, cn[BH_METRICS_NSEV], cr[BH_METRICS_NSEV];
	struct daybin *nb = calloc(BH_METRICS_DAYS, sizeof(*nb)), *rb = calloc(BH_METRICS_DAYS, sizeof(*rb));
	struct daybin nbefore = { 0 }, rbefore = { 0 };
	int rc, i, k;
	if (!nb || !rb) {
		free(nb);
		free(rb);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	/* a reopened finding has resolved_at NULL again: it counts as open since first_seen */
	rc = day_rows(db, "SELECT first_seen / 86400, severity_rank, count(*) FROM findings GROUP BY first_seen / 86400, severity_rank",
		      first, nb, &nbefore, err);
	if (!rc)
		rc = day_rows(db,
			      "SELECT resolved_at / 86400, severity_rank, count(*) FROM findings WHERE resolved_at IS NOT NULL"
			      " AND state = 'resolved' GROUP BY resolved_at / 86400, severity_rank",
			      first, rb, &rbefore, err);
	cum_new = nbefore.n;
	cum_res = rbefore.n;
	memcpy(cn, nbefore.nsev, sizeof(cn));
	memcpy(cr, rbefore.nsev, sizeof(cr));
	for (i = 0; !rc && i < BH_METRICS_DAYS; i++) {
		bh_metrics_day *d = &m->trend[i];
		cum_new += nb[i].n;
		cum_res += rb[i].n;
		for (k = 0; k < BH_METRICS_NSEV; k++) {
			cn[k] += nb[i].nsev[k];
			cr[k] += rb[i].nsev[k];
			d->open_sev[k] = cn[k] - cr[k];
		}
		d->day = (first + i) * DAY;
		d->open = cum_new - cum_res;
		d->new_ = nb[i].n;
		d->resolved = rb[i].n;
	}
	free(nb);
	free(rb);
	return rc;
}

/* appends an image row; the digest is copied */
static int img_push(bh_metrics *m, size_t *cap, const char *digest)
{
	bh_metrics_image *x;
	if (m->nimg == *cap) {
		size_t nc = *cap ? *cap * 2 : 64, bytes;
		bh_metrics_image *np;
		if (!bh_size_mul(nc, sizeof(*np), &bytes) || !(np = realloc(m->img, bytes)))
			return BH_ENOMEM;
		m->img = np;
		*cap = nc;
	}
	x = &m->img[m->nimg];
	memset(x, 0, sizeof(*x));
	if (!(x->digest = strdup(digest)))
		return BH_ENOMEM;
	m->nimg++;
	return 0;
}

static int image_counts(bh_sql *db, bh_metrics *m, const comp_set *cs, bh_error *err)
{
	bh_sql_rows *r;
	size_t cap = 0;
	int rc;
	/* DISTINCT: a component found at two paths of one image is one finding of it */
	if ((rc = bh_sql_query(db,
			       "SELECT DISTINCT i.digest, l.component_id FROM images i JOIN image_components l ON l.image_id = i.id"
			       " ORDER BY i.digest",
			       NULL, 0, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		const char *d = bh_sql_text(r, 0);
		const comp_counts *c = comp_find(cs, bh_sql_int(r, 1));
		bh_metrics_image *x;
		int k;
		if (!d || !c)
			continue;
		/* rows come by digest: a new digest starts a new image */
		if ((!m->nimg || strcmp(m->img[m->nimg - 1].digest, d) != 0) && img_push(m, &cap, d)) {
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
			break;
		}
		x = &m->img[m->nimg - 1];
		x->total += c->total;
		x->kev += c->kev;
		for (k = 0; k < BH_METRICS_NSEV; k++)
			x->sev[k] += c->sev[k];
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

int bh_metrics_compute(bh_store *st, int64_t now, bh_metrics **out, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	struct timespec t0, t1;
	comp_set cs = { NULL, 0, 0 };
	bh_metrics *m;
	int rc;
	*out = NULL;
	if (now < DAY * BH_METRICS_DAYS)
		return bh_error_set(err, BH_EUSAGE, "metrics: the time %lld is before the trend's window", (long long)now);
	if (!(m = calloc(1, sizeof(*m))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m->computed_at = now;
	if ((rc = comp_rows(db, m, &cs, err)) == 0 && (rc = summary_counts(db, m, &cs, err)) == 0 &&
	    (rc = trend(db, m, now, err)) == 0)
		rc = image_counts(db, m, &cs, err);
	free(cs.v);
	if (rc) {
		bh_metrics_free(m);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	m->compute_ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	*out = m;
	return 0;
}

/* ---------------------------------------------------------------- the stored document */

/*
 * The summary row's doc: {"images", "hosts", "containers", "running", "open", "kev", "fixable",
 * "in_running", "kev_running", "sev": [5], "trend": [[day, open, new, resolved, open by rank x5], ...]}.
 */
#define TREND_COLS (4 + BH_METRICS_NSEV)

static json_t *ints(const int64_t *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_integer(v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static char *doc_of(const bh_metrics *m)
{
	json_t *tr = json_array();
	char *text = NULL;
	bool bad = !tr;
	int i;
	for (i = 0; !bad && i < BH_METRICS_DAYS; i++) {
		const bh_metrics_day *d = &m->trend[i];
		int64_t row[TREND_COLS] = { d->day, d->open, d->new_, d->resolved };
		memcpy(row + 4, d->open_sev, sizeof(d->open_sev));
		bad = json_array_append_new(tr, ints(row, TREND_COLS)) != 0;
	}
	if (!bad) {
		json_t *doc = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:O}", "images", (json_int_t)m->images,
					"hosts", (json_int_t)m->hosts, "containers", (json_int_t)m->containers, "running",
					(json_int_t)m->running, "open", (json_int_t)m->open, "kev", (json_int_t)m->kev, "fixable",
					(json_int_t)m->fixable, "in_running", (json_int_t)m->in_running, "kev_running",
					(json_int_t)m->kev_running, "sev", ints(m->sev, BH_METRICS_NSEV), "trend", tr);
		if (doc)
			text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	json_decref(tr);
	return text;
}

static int64_t jint(const json_t *o, const char *k) { return (int64_t)json_integer_value(json_object_get(o, k)); }

static int doc_read(const char *text, bh_metrics *m, bh_error *err)
{
	json_t *o = json_loads(text, 0, NULL), *sev, *tr;
	size_t i, n, off;
	int k;
	if (!o || !json_is_object(o) || !json_is_array(sev = json_object_get(o, "sev")) ||
	    !json_is_array(tr = json_object_get(o, "trend"))) {
		json_decref(o);
		return bh_error_set(err, BH_EINVAL, "metrics: the stored summary is not readable");
	}
	m->images = jint(o, "images");
	m->hosts = jint(o, "hosts");
	m->containers = jint(o, "containers");
	m->running = jint(o, "running");
	m->open = jint(o, "open");
	m->kev = jint(o, "kev");
	m->fixable = jint(o, "fixable");
	m->in_running = jint(o, "in_running");
	m->kev_running = jint(o, "kev_running");
	for (k = 0; k < BH_METRICS_NSEV; k++)
		m->sev[k] = (int64_t)json_integer_value(json_array_get(sev, (size_t)k));
	/* a copy with fewer days (another binary's) fills the end of the window */
	n = json_array_size(tr);
	if (n > BH_METRICS_DAYS)
		n = BH_METRICS_DAYS;
	off = BH_METRICS_DAYS - n;
	for (i = 0; i < off; i++)
		m->trend[i].day = (m->computed_at / DAY - (int64_t)(BH_METRICS_DAYS - 1 - i)) * DAY;
	for (i = 0; i < n; i++) {
		const json_t *row = json_array_get(tr, json_array_size(tr) - n + i);
		bh_metrics_day *d = &m->trend[off + i];
		d->day = (int64_t)json_integer_value(json_array_get(row, 0));
		d->open = (int64_t)json_integer_value(json_array_get(row, 1));
		d->new_ = (int64_t)json_integer_value(json_array_get(row, 2));
		d->resolved = (int64_t)json_integer_value(json_array_get(row, 3));
		for (k = 0; k < BH_METRICS_NSEV; k++)
			d->open_sev[k] = (int64_t)json_integer_value(json_array_get(row, 4 + (size_t)k));
	}
	json_decref(o);
	return 0;
}

/* one INSERT of images[0..n) (n is IMG_BATCH or 1: two statement texts in all) */
static int insert_images(bh_sql *db, const bh_metrics_image *img, size_t n, bh_error *err)
{
	bh_sql_value p[IMG_BATCH * IMG_COLS];
	bh_buf q = BH_BUF_INIT;
	size_t i, np = 0;
	int rc, k;
	bh_buf_puts(&q, "INSERT INTO image_metrics(digest, total, kev, unknown, low, medium, high, critical) VALUES ");
	for (i = 0; i < n; i++) {
		p[np++] = BH_SQL_TEXT(img[i].digest);
		p[np++] = BH_SQL_INT(img[i].total);
		p[np++] = BH_SQL_INT(img[i].kev);
		for (k = 0; k < BH_METRICS_NSEV; k++)
			p[np++] = BH_SQL_INT(img[i].sev[k]);
		bh_buf_printf(&q, "%s($%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu)", i ? ", " : "", np - 7, np - 6, np - 5, np - 4,
			      np - 3, np - 2, np - 1, np);
	}
	if (bh_buf_oom(&q)) {
		bh_buf_free(&q);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	rc = bh_sql_exec(db, q.data, p, np, err);
	bh_buf_free(&q);
	return rc;
}

int bh_metrics_save(bh_store *st, const bh_metrics *m, bool *saved, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	int64_t stored = 0, dummy;
	char *doc;
	size_t i;
	int rc;
	if (saved)
		*saved = false;
	if (!(doc = doc_of(m)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if ((rc = bh_sql_begin(db, err)) != 0) {
		free(doc);
		return rc;
	}
	if (bh_sql_backend_of(db) == BH_SQL_POSTGRES) {
		bh_sql_value k = BH_SQL_INT(METRICS_LOCK_KEY);
		if ((rc = bh_sql_query_int(db, "SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS l", &k, 1, &dummy, err)) < 0)
			goto fail;
	}
	if ((rc = bh_sql_query_int(db, "SELECT computed_at FROM metrics WHERE name = 'summary'", NULL, 0, &stored, err)) < 0)
		goto fail;
	if (rc == 1 && stored > m->computed_at) {
		/* another server counted later than this one began: its copy stays */
		free(doc);
		return bh_sql_commit(db, err);
	}
	{
		bh_sql_value p[3] = { BH_SQL_TEXT(doc), BH_SQL_INT(m->computed_at), BH_SQL_INT(m->compute_ms) };
		if ((rc = bh_sql_exec(db,
				      "INSERT INTO metrics(name, doc, computed_at, compute_ms) VALUES ('summary', $1, $2, $3)"
				      " ON CONFLICT(name) DO UPDATE SET doc = excluded.doc, computed_at = excluded.computed_at,"
				      " compute_ms = excluded.compute_ms", p, 3, err)) != 0)
			goto fail;
	}
	if ((rc = bh_sql_exec(db, "DELETE FROM image_metrics", NULL, 0, err)) != 0)
		goto fail;
	for (i = 0; i < m->nimg;) {
		size_t n = m->nimg - i >= IMG_BATCH ? IMG_BATCH : 1;
		if ((rc = insert_images(db, m->img + i, n, err)) != 0)
			goto fail;
		i += n;
	}
	free(doc);
	if ((rc = bh_sql_commit(db, err)) == 0 && saved)
		*saved = true;
	return rc;
fail:
	free(doc);
	bh_sql_rollback(db, NULL);
	return rc < 0 ? rc : BH_EIO;
}

int bh_metrics_load(bh_store *st, bool with_images, bh_metrics **out, bh_error *err)
{
	bh_sql *db = bh_store_sql(st);
	bh_sql_rows *r;
	bh_metrics *m;
	size_t cap = 0;
	int rc;
	*out = NULL;
	if (!(m = calloc(1, sizeof(*m))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if ((rc = bh_sql_query(db, "SELECT doc, computed_at, compute_ms FROM metrics WHERE name = 'summary'", NULL, 0, &r, err)) != 0) {
		bh_metrics_free(m);
		return rc;
	}
	if ((rc = bh_sql_next(r, err)) == 1) {
		m->computed_at = bh_sql_int(r, 1);
		m->compute_ms = bh_sql_int(r, 2);
		rc = doc_read(bh_sql_text(r, 0) ? bh_sql_text(r, 0) : "", m, err);
	} else if (rc == 0) {
		rc = bh_error_set(err, BH_ENOTFOUND, "metrics: none stored yet");
	}
	bh_sql_rows_free(r);
	if (!rc && with_images &&
	    (rc = bh_sql_query(db, "SELECT digest, total, kev, unknown, low, medium, high, critical FROM image_metrics ORDER BY digest",
			       NULL, 0, &r, err)) == 0) {
		while ((rc = bh_sql_next(r, err)) == 1) {
			bh_metrics_image *x;
			int k;
			if (!bh_sql_text(r, 0))
				continue;
			if (img_push(m, &cap, bh_sql_text(r, 0))) {
				rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				break;
			}
			x = &m->img[m->nimg - 1];
			x->total = bh_sql_int(r, 1);
			x->kev = bh_sql_int(r, 2);
			for (k = 0; k < BH_METRICS_NSEV; k++)
				x->sev[k] = bh_sql_int(r, 3 + k);
		}
		bh_sql_rows_free(r);
		rc = rc < 0 ? rc : 0;
	}
	if (rc) {
		bh_metrics_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void bh_metrics_free(bh_metrics *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->nimg; i++)
		free(m->img[i].digest);
	free(m->img);
	free(m);
}
