/* store.c - the server's inventory store (hosts, images, components, containers, findings, events, tokens, jobs) over bh_sql. */
#include "store/store.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/severity.h"
#include "store/exception.h"
#include "store/migrate.h"
#include "vuln/match.h"

/*
 * An SBOM's components go in batches of BATCH rows (the last one padded by repeating its final
 * row, which ON CONFLICT DO NOTHING absorbs): three statements per batch instead of two per
 * component, and three statement texts to prepare, made once per store.
 */
#define BATCH 64
/* Columns of a component row in ins_comp. */
#define NCOMP 11

struct bh_store {
	bh_sql *db;
	char *ins_comp, *sel_comp, *ins_link, *upd_owned; /* the batch statements */
};

/* "PREFIX$1, .., $n)" */
static char *in_sql(const char *prefix, size_t n)
{
	bh_buf b = BH_BUF_INIT;
	size_t j;
	bh_buf_puts(&b, prefix);
	for (j = 1; j <= n; j++)
		bh_buf_printf(&b, j > 1 ? ", $%zu" : "$%zu", j);
	bh_buf_putc(&b, ')');
	return bh_buf_steal(&b);
}

/* "PREFIX ($1, .., $k), (..) ... SUFFIX" with rows tuples of k parameters. */
static char *rows_sql(const char *prefix, size_t rows, size_t k, const char *suffix)
{
	bh_buf b = BH_BUF_INIT;
	size_t r, j, n = 0;
	bh_buf_puts(&b, prefix);
	for (r = 0; r < rows; r++) {
		bh_buf_puts(&b, r ? ", (" : " (");
		for (j = 0; j < k; j++)
			bh_buf_printf(&b, j ? ", $%zu" : "$%zu", ++n);
		bh_buf_putc(&b, ')');
	}
	bh_buf_puts(&b, suffix);
	return bh_buf_steal(&b);
}

int bh_store_open(const char *url, bh_store **out, bh_error *err)
{
	bh_store *st;
	int rc;
	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if ((rc = bh_sql_open(url, 10000, &st->db, err)) != 0 || (rc = bh_migrate_run(st->db, NULL, err)) != 0) {
		bh_store_close(st);
		return rc;
	}
	st->ins_comp = rows_sql("INSERT INTO components(purl, eco, name, namespace, version, arch, src_name, src_version, license,"
				" distro, os_owned) VALUES", BATCH, NCOMP, " ON CONFLICT(purl) DO NOTHING");
	/* a language package first seen as an OS package's file, now installed on its own somewhere */
	st->upd_owned = in_sql("UPDATE components SET os_owned = 0 WHERE os_owned = 1 AND purl IN (", BATCH);
	st->sel_comp = in_sql("SELECT id, purl FROM components WHERE purl IN (", BATCH);
	st->ins_link = rows_sql("INSERT INTO image_components(image_id, component_id, path, layer) VALUES", BATCH, 4,
				" ON CONFLICT DO NOTHING");
	if (!st->ins_comp || !st->sel_comp || !st->ins_link || !st->upd_owned) {
		bh_store_close(st);
		bh_error_set(err, BH_ENOMEM, "out of memory");
		return BH_ENOMEM;
	}
	*out = st;
	return 0;
}

int bh_store_open_dir(const char *dir, bh_store **out, bh_error *err)
{
	bh_buf b = BH_BUF_INIT;
	char *url;
	int rc;
	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return bh_error_set(err, BH_EIO, "store: data directory %s: %s", dir, strerror(errno));
	bh_buf_printf(&b, "sqlite:%s/%s", dir, BH_STORE_DB_FILE);
	if (!(url = bh_buf_steal(&b)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = bh_store_open(url, out, err);
	free(url);
	return rc;
}

void bh_store_close(bh_store *st)
{
	if (!st)
		return;
	bh_sql_close(st->db);
	free(st->ins_comp);
	free(st->sel_comp);
	free(st->ins_link);
	free(st->upd_owned);
	free(st);
}

bh_sql *bh_store_sql(bh_store *st) { return st->db; }

static size_t page(size_t limit) { return limit == 0 || limit > BH_STORE_LIMIT_MAX ? BH_STORE_LIMIT_MAX : limit; }

/* Runs a list query whose column 0 is the keyset id; row() turns the current row into a callback. */
typedef int (*row_fn)(bh_sql_rows *r, void *cb, void *ud);

static int run_list(bh_store *st, const char *sql, const bh_sql_value *p, size_t n, size_t limit, row_fn row, void *cb,
		    void *ud, int64_t *next, bh_error *err)
{
	bh_sql_rows *r;
	size_t got = 0;
	int64_t last = 0;
	int rc = bh_sql_query(st->db, sql, p, n, &r, err);
	if (next)
		*next = 0;
	if (rc != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		last = bh_sql_int(r, 0);
		got++;
		if ((rc = row(r, cb, ud)) != 0)
			break;
	}
	bh_sql_rows_free(r);
	if (rc < 0 || rc > 0)
		return rc;
	if (next && limit && got == limit)
		*next = last;
	return 0;
}

int bh_store_page(bh_sql *db, const char *sql, bh_sql_value *p, size_t n, size_t limit, bh_store_row_fn row, void *cb,
		  void *ud, int64_t *next, bh_error *err)
{
	bh_sql_rows *r;
	size_t got = 0;
	int64_t last = 0;
	int rc;
	if (next)
		*next = 0;
	limit = page(limit);
	p[n - 1] = BH_SQL_INT((int64_t)limit + 1); /* the row past the page says a next one exists */
	if ((rc = bh_sql_query(db, sql, p, n, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		if (got == limit) {
			if (next)
				*next = last;
			rc = 0;
			break;
		}
		last = bh_sql_int(r, 0);
		got++;
		if ((rc = row(r, cb, ud)) != 0)
			break;
	}
	bh_sql_rows_free(r);
	return rc;
}

#define T(i) bh_sql_text(r, (i))
#define I(i) bh_sql_int(r, (i))

/* ---- hosts ---- */

#define HOST_COLS "id, name, os, kernel, engine, engine_version, facts, first_seen, last_seen"

static int host_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_host h = { I(0), T(1), T(2), T(3), T(4), T(5), T(6), I(7), I(8) };
	return ((bh_store_host_cb)cb)(ud, &h);
}

int bh_store_host_put(bh_store *st, const bh_store_host *h, int64_t now, int64_t *id, bh_error *err)
{
	bh_sql_value p[7] = { BH_SQL_TEXT(h->name), BH_SQL_TEXT(h->os), BH_SQL_TEXT(h->kernel), BH_SQL_TEXT(h->engine),
			      BH_SQL_TEXT(h->engine_version), BH_SQL_TEXT(h->facts_json), BH_SQL_INT(now) };
	int64_t v;
	int rc;
	if (!h->name || !*h->name)
		return bh_error_set(err, BH_EINVAL, "store: a host needs a name");
	rc = bh_sql_query_int(st->db,
			      "INSERT INTO hosts(name, os, kernel, engine, engine_version, facts, first_seen, last_seen)"
			      " VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT(name) DO UPDATE SET"
			      " os = coalesce(excluded.os, hosts.os), kernel = coalesce(excluded.kernel, hosts.kernel),"
			      " engine = coalesce(excluded.engine, hosts.engine),"
			      " engine_version = coalesce(excluded.engine_version, hosts.engine_version),"
			      " facts = coalesce(excluded.facts, hosts.facts), last_seen = excluded.last_seen RETURNING id",
			      p, 7, &v, err);
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

int bh_store_host_list(bh_store *st, int64_t after, size_t limit, bh_store_host_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	return run_list(st, "SELECT " HOST_COLS " FROM hosts WHERE id > $1 ORDER BY id LIMIT $2", p, 2, page(limit), host_row,
			(void *)cb, ud, next, err);
}

/* ---- images and components ---- */

#define IMAGE_COLS "i.id, i.digest, i.repo_tags, i.registry, i.labels, i.config, i.os, i.arch, i.distro, i.distro_version," \
	" i.ncomponents, i.first_seen, i.last_seen, i.has_sbom"

static int image_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_image i = { I(0), T(1), T(2), T(3), T(4), T(5), T(6), T(7), T(8), T(9), I(10), I(11), I(12), I(13) != 0 };
	return ((bh_store_image_cb)cb)(ud, &i);
}

#define COMP_COLS "c.id, c.purl, c.eco, c.name, c.namespace, c.version, c.arch, c.src_name, c.src_version, c.license"

static int comp_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_component c = { I(0), T(1), T(2), T(3), T(4), T(5), T(6), T(7), T(8), T(9), NULL, -1 };
	return ((bh_store_component_cb)cb)(ud, &c);
}

static int comp_link_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_component c = { I(0), T(1), T(2), T(3), T(4), T(5), T(6), T(7), T(8), T(9), T(10), (int)I(11) };
	return ((bh_store_component_cb)cb)(ud, &c);
}

/* The repo tags of s as a JSON array (caller frees), NULL when it has none. */
static char *tags_json(const bh_sbom *s)
{
	json_t *a;
	char *out;
	size_t i;
	if (!s || !s->nrepo_tags || !(a = json_array()))
		return NULL;
	for (i = 0; i < s->nrepo_tags; i++)
		json_array_append_new(a, json_string(s->repo_tags[i]));
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return out;
}

/* A language package that an OS package installed (its advisories are the OS package's). */
static bool os_owned(const bh_component *c) { return !bh_ecosystem_is_os_pkg(c->eco) && bh_component_get_prop(c, "os.owner"); }

/*
 * Stores the n (1..BATCH) components of b once per purl and links them to the image. distro: the
 * vulnerability DB's release key of the image ("debian:12"), kept on its OS packages.
 */
static int link_batch(bh_store *st, int64_t image_id, const bh_component *const *b, size_t n, const char *distro,
		      size_t *linked, bh_error *err)
{
	bh_sql_value *p = calloc(BATCH * NCOMP, sizeof(*p));
	int64_t ids[BATCH] = { 0 };
	bh_sql_rows *r = NULL;
	size_t k, nown = 0;
	int rc;
	if (!p) {
		bh_error_set(err, BH_ENOMEM, "out of memory");
		return BH_ENOMEM;
	}
	for (k = 0; k < BATCH; k++) {
		const bh_component *c = b[k < n ? k : n - 1];
		bh_sql_value *v = p + k * NCOMP;
		v[0] = BH_SQL_TEXT(c->purl);
		v[1] = BH_SQL_TEXT(bh_ecosystem_name(c->eco));
		v[2] = BH_SQL_TEXT(c->name ? c->name : "");
		v[3] = BH_SQL_TEXT(c->namespace);
		v[4] = BH_SQL_TEXT(c->version);
		v[5] = BH_SQL_TEXT(c->arch);
		v[6] = BH_SQL_TEXT(c->src_name);
		v[7] = BH_SQL_TEXT(c->src_version);
		v[8] = BH_SQL_TEXT(c->license);
		v[9] = BH_SQL_TEXT(bh_ecosystem_is_os_pkg(c->eco) ? distro : NULL);
		v[10] = BH_SQL_INT(os_owned(c) ? 1 : 0);
	}
	/* DO NOTHING: the purl is stored already (by another image, or another server just now) */
	if ((rc = bh_sql_exec(st->db, st->ins_comp, p, BATCH * NCOMP, err)) != 0)
		goto out;
	for (k = 0; k < n; k++)
		if (!bh_ecosystem_is_os_pkg(b[k]->eco) && !os_owned(b[k]))
			p[nown++] = BH_SQL_TEXT(b[k]->purl);
	if (nown) {
		for (k = nown; k < BATCH; k++)
			p[k] = p[nown - 1];
		if ((rc = bh_sql_exec(st->db, st->upd_owned, p, BATCH, err)) != 0)
			goto out;
	}
	for (k = 0; k < BATCH; k++)
		p[k] = BH_SQL_TEXT(b[k < n ? k : n - 1]->purl);
	if ((rc = bh_sql_query(st->db, st->sel_comp, p, BATCH, &r, err)) != 0)
		goto out;
	while ((rc = bh_sql_next(r, err)) == 1) {
		const char *purl = bh_sql_text(r, 1);
		for (k = 0; k < n; k++)
			if (purl && !strcmp(purl, b[k]->purl))
				ids[k] = bh_sql_int(r, 0);
	}
	if (rc < 0)
		goto out;
	for (k = 0; k < BATCH; k++) {
		const bh_component *c = b[k < n ? k : n - 1];
		bh_sql_value *v = p + k * 4;
		if (!ids[k < n ? k : n - 1]) {
			rc = bh_error_set(err, BH_EIO, "store: component %s vanished while being stored", c->purl);
			goto out;
		}
		v[0] = BH_SQL_INT(image_id);
		v[1] = BH_SQL_INT(ids[k < n ? k : n - 1]);
		v[2] = BH_SQL_TEXT(c->path ? c->path : "");
		v[3] = BH_SQL_INT(c->layer);
	}
	if ((rc = bh_sql_exec(st->db, st->ins_link, p, BATCH * 4, err)) == 0)
		*linked += (size_t)bh_sql_changes(st->db);
out:
	bh_sql_rows_free(r);
	free(p);
	return rc;
}

int bh_store_image_put_sbom(bh_store *st, const char *digest, const bh_sbom *s, const bh_store_image *meta,
			    unsigned flags, int64_t now, bool *is_new, size_t *skipped, bh_error *err)
{
	static const bh_store_image none;
	const bh_store_image *m = meta ? meta : &none;
	char *tags = NULL, *distro = NULL;
	int64_t image_id = 0, had_sbom = 0;
	bool fresh;
	size_t i, skip = 0, linked = 0;
	int rc;

	if (is_new)
		*is_new = false;
	if (skipped)
		*skipped = 0;
	if (!digest || !*digest)
		return bh_error_set(err, BH_EINVAL, "store: an image needs a digest");
	if (!m->repo_tags_json && !(tags = tags_json(s)) && s && s->nrepo_tags)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (s && (s->osinfo.family || m->distro)) {
		/* the DB's release key, as the matcher derives it from the image's OS */
		bh_osinfo os = s->osinfo;
		if (m->distro)
			os.family = (char *)m->distro, os.version = (char *)m->distro_version;
		distro = bh_match_distro(&os);
	}
	if ((rc = bh_sql_begin(st->db, err)) != 0) {
		free(tags);
		free(distro);
		return rc;
	}
	{
		bh_sql_value p[11] = {
			BH_SQL_TEXT(digest), BH_SQL_TEXT(m->repo_tags_json ? m->repo_tags_json : tags), BH_SQL_TEXT(m->registry),
			BH_SQL_TEXT(m->labels_json), BH_SQL_TEXT(m->config_json), BH_SQL_TEXT(m->os ? m->os : s ? s->os : NULL),
			BH_SQL_TEXT(m->arch ? m->arch : s ? s->arch : NULL),
			BH_SQL_TEXT(m->distro ? m->distro : s ? s->osinfo.family : NULL),
			BH_SQL_TEXT(m->distro_version ? m->distro_version : s ? s->osinfo.version : NULL), BH_SQL_INT(now),
			BH_SQL_INT(0)
		};
		rc = bh_sql_exec(st->db,
				 "INSERT INTO images(digest, repo_tags, registry, labels, config, os, arch, distro, distro_version,"
				 " first_seen, last_seen, ncomponents, has_sbom) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, 0)"
				 " ON CONFLICT(digest) DO NOTHING",
				 p, 11, err);
		if (rc != 0)
			goto fail;
		fresh = bh_sql_changes(st->db) == 1;
		if (!fresh) {
			/* seen again (another host, a new tag): merge what is new, keep the rest */
			rc = bh_sql_exec(st->db,
					 "UPDATE images SET repo_tags = coalesce($2, repo_tags), registry = coalesce($3, registry),"
					 " labels = coalesce($4, labels), config = coalesce($5, config), os = coalesce($6, os),"
					 " arch = coalesce($7, arch), distro = coalesce($8, distro),"
					 " distro_version = coalesce($9, distro_version), last_seen = $10 WHERE digest = $1",
					 p, 10, err);
			if (rc != 0)
				goto fail;
		}
	}
	{
		bh_sql_rows *r;
		bh_sql_value d = BH_SQL_TEXT(digest);
		if ((rc = bh_sql_query(st->db, "SELECT id, has_sbom FROM images WHERE digest = $1", &d, 1, &r, err)) != 0)
			goto fail;
		if ((rc = bh_sql_next(r, err)) == 1) {
			image_id = bh_sql_int(r, 0);
			had_sbom = bh_sql_int(r, 1);
		}
		bh_sql_rows_free(r);
		if (rc < 0)
			goto fail;
	}
	/* repository scopes of accepted risks look images up by repository name */
	if ((rc = bh_exception_index_image(st, image_id, m->repo_tags_json ? m->repo_tags_json : tags, err)) != 0)
		goto fail;
	if (s && (!had_sbom || (flags & BH_STORE_SBOM_REPLACE))) {
		bh_sql_value p[1] = { BH_SQL_INT(image_id) };
		if (had_sbom && (rc = bh_sql_exec(st->db, "DELETE FROM image_components WHERE image_id = $1", p, 1, err)) != 0)
			goto fail;
		for (i = 0; i < s->comps.n;) {
			const bh_component *b[BATCH];
			size_t n = 0;
			for (; i < s->comps.n && n < BATCH; i++) {
				if (s->comps.items[i]->purl && *s->comps.items[i]->purl)
					b[n++] = s->comps.items[i];
				else
					skip++;
			}
			if (n && (rc = link_batch(st, image_id, b, n, distro, &linked, err)) != 0)
				goto fail;
		}
		{
			bh_sql_value u[2] = { BH_SQL_INT(image_id), BH_SQL_INT((int64_t)linked) };
			if ((rc = bh_sql_exec(st->db, "UPDATE images SET has_sbom = 1, ncomponents = $2 WHERE id = $1", u, 2, err)) != 0)
				goto fail;
		}
	}
	if ((rc = bh_sql_commit(st->db, err)) != 0)
		goto fail;
	free(tags);
	free(distro);
	if (is_new)
		*is_new = fresh;
	if (skipped)
		*skipped = skip;
	return 0;
fail:
	bh_sql_rollback(st->db, NULL);
	free(tags);
	free(distro);
	bh_error_wrap(err, "image %s", digest);
	return rc;
}

int bh_store_image_has(bh_store *st, const char *digest, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(digest);
	int64_t v;
	int rc = bh_sql_query_int(st->db, "SELECT has_sbom FROM images WHERE digest = $1", &p, 1, &v, err);
	return rc < 0 ? rc : rc == 1 && v != 0;
}

int bh_store_image_get(bh_store *st, const char *digest, bh_store_image_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(digest);
	bh_sql_rows *r;
	int rc = bh_sql_query(st->db, "SELECT " IMAGE_COLS " FROM images i WHERE i.digest = $1", &p, 1, &r, err);
	if (rc != 0)
		return rc;
	if ((rc = bh_sql_next(r, err)) == 1) {
		int crc = image_row(r, (void *)cb, ud);
		if (crc != 0)
			rc = crc;
	}
	bh_sql_rows_free(r);
	return rc;
}

int bh_store_image_list(bh_store *st, int64_t after, size_t limit, bh_store_image_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	return run_list(st, "SELECT " IMAGE_COLS " FROM images i WHERE i.id > $1 ORDER BY i.id LIMIT $2", p, 2, page(limit),
			image_row, (void *)cb, ud, next, err);
}

/* One row per link; next counts components, not links, so a component's paths stay on one page. */
typedef struct link_page {
	bh_store_component_cb cb;
	void *ud;
	int64_t last;
	size_t ncomp;
} link_page;

static int link_row(bh_sql_rows *r, void *cb, void *ud)
{
	link_page *lp = cb;
	if (I(0) != lp->last) {
		lp->last = I(0);
		lp->ncomp++;
	}
	return comp_link_row(r, (void *)lp->cb, lp->ud);
}

int bh_store_image_components(bh_store *st, const char *digest, int64_t after, size_t limit, bh_store_component_cb cb,
			      void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_TEXT(digest), BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	link_page lp = { cb, ud, 0, 0 };
	int rc = run_list(st,
			  "SELECT " COMP_COLS ", l.path, l.layer FROM images i JOIN image_components l ON l.image_id = i.id"
			  " JOIN components c ON c.id = l.component_id WHERE i.digest = $1 AND l.component_id IN"
			  " (SELECT l2.component_id FROM image_components l2 JOIN images i2 ON i2.id = l2.image_id"
			  " WHERE i2.digest = $1 AND l2.component_id > $2 GROUP BY l2.component_id ORDER BY l2.component_id LIMIT $3)"
			  " ORDER BY c.id, l.path",
			  p, 3, 0, link_row, &lp, NULL, NULL, err);
	if (next)
		*next = rc == 0 && lp.ncomp == page(limit) ? lp.last : 0;
	return rc;
}

/* Smallest string above every string that starts with prefix, as far as valid UTF-8 goes. */
static char *prefix_upper(const char *prefix)
{
	bh_buf b = BH_BUF_INIT;
	bh_buf_puts(&b, prefix);
	bh_buf_puts(&b, "\xf4\x8f\xbf\xbf"); /* U+10FFFF: no character sorts above it */
	return bh_buf_steal(&b);
}

int bh_store_component_by_prefix(bh_store *st, const char *prefix, int64_t after, size_t limit, bh_store_component_cb cb,
				 void *ud, int64_t *next, bh_error *err)
{
	char *hi = prefix_upper(prefix);
	int rc;
	if (!hi)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	{
		/* the range uses the purl index (byte order on both backends); the substr keeps it exact */
		bh_sql_value p[4] = { BH_SQL_TEXT(prefix), BH_SQL_TEXT(hi), BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
		rc = run_list(st,
			      "SELECT " COMP_COLS " FROM components c WHERE c.purl >= $1 AND c.purl <= $2"
			      " AND substr(c.purl, 1, length($1)) = $1 AND c.id > $3 ORDER BY c.id LIMIT $4",
			      p, 4, page(limit), comp_row, (void *)cb, ud, next, err);
	}
	free(hi);
	return rc;
}

int bh_store_component_images(bh_store *st, const char *purl, int64_t after, size_t limit, bh_store_image_cb cb, void *ud,
			      int64_t *next, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_TEXT(purl), BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	return run_list(st,
			"SELECT " IMAGE_COLS " FROM components c JOIN image_components l ON l.component_id = c.id"
			" JOIN images i ON i.id = l.image_id WHERE c.purl = $1 AND i.id > $2 GROUP BY " IMAGE_COLS
			" ORDER BY i.id LIMIT $3",
			p, 3, page(limit), image_row, (void *)cb, ud, next, err);
}

int bh_store_component_find(bh_store *st, const char *eco, const char *name, int64_t after, size_t limit,
			    bh_store_component_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[4] = { BH_SQL_TEXT(eco), BH_SQL_TEXT(name), BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	return run_list(st, "SELECT " COMP_COLS " FROM components c WHERE c.eco = $1 AND c.name = $2 AND c.id > $3 ORDER BY c.id LIMIT $4",
			p, 4, page(limit), comp_row, (void *)cb, ud, next, err);
}

/* ---- containers ---- */

static int container_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_container c = { I(0), T(1), T(2), T(3), T(4), T(5), T(6), I(7), I(8), I(9), I(10) };
	return ((bh_store_container_cb)cb)(ud, &c);
}

static bh_sql_value opt_time(int64_t t) { return t ? BH_SQL_INT(t) : BH_SQL_NULL; }

int bh_store_container_put(bh_store *st, const bh_store_container *c, int64_t now, bh_error *err)
{
	bh_store_host h = { 0 };
	int64_t host_id;
	int rc;
	if (!c->host || !c->container_id || !*c->container_id)
		return bh_error_set(err, BH_EINVAL, "store: a container needs a host and an id");
	h.name = c->host;
	if ((rc = bh_sql_begin(st->db, err)) != 0)
		return rc;
	if ((rc = bh_store_host_put(st, &h, now, &host_id, err)) == 0) {
		bh_sql_value p[10] = { BH_SQL_INT(host_id), BH_SQL_TEXT(c->container_id), BH_SQL_TEXT(c->image_digest),
				       BH_SQL_TEXT(c->name), BH_SQL_TEXT(c->state ? c->state : "unknown"), BH_SQL_TEXT(c->config_json),
				       opt_time(c->created_at), opt_time(c->started_at), opt_time(c->stopped_at), BH_SQL_INT(now) };
		rc = bh_sql_exec(st->db,
				 "INSERT INTO containers(host_id, container_id, image_digest, name, state, config, created_at,"
				 " started_at, stopped_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
				 " ON CONFLICT(host_id, container_id) DO UPDATE SET"
				 " image_digest = coalesce(excluded.image_digest, containers.image_digest),"
				 " name = coalesce(excluded.name, containers.name), state = excluded.state,"
				 " config = coalesce(excluded.config, containers.config),"
				 " created_at = coalesce(excluded.created_at, containers.created_at),"
				 " started_at = coalesce(excluded.started_at, containers.started_at),"
				 " stopped_at = coalesce(excluded.stopped_at, containers.stopped_at), updated_at = excluded.updated_at",
				 p, 10, err);
	}
	if (rc == 0)
		rc = bh_sql_commit(st->db, err);
	if (rc != 0)
		bh_sql_rollback(st->db, NULL);
	return rc;
}

int bh_store_container_list(bh_store *st, const char *host, const char *image_digest, bool running_only, int64_t after,
			    size_t limit, bh_store_container_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_buf q = BH_BUF_INIT;
	bh_sql_value p[4];
	size_t n = 0;
	int rc;
	/* the text varies only by which filters are on: a handful of prepared statements */
	bh_buf_puts(&q, "SELECT c.id, h.name, c.container_id, c.image_digest, c.name, c.state, c.config, c.created_at,"
			" c.started_at, c.stopped_at, c.updated_at FROM containers c JOIN hosts h ON h.id = c.host_id WHERE c.id > $1");
	p[n++] = BH_SQL_INT(after);
	if (host) {
		p[n++] = BH_SQL_TEXT(host);
		bh_buf_printf(&q, " AND h.name = $%zu", n);
	}
	if (image_digest) {
		p[n++] = BH_SQL_TEXT(image_digest);
		bh_buf_printf(&q, " AND c.image_digest = $%zu", n);
	}
	if (running_only)
		bh_buf_puts(&q, " AND c.state = 'running'");
	p[n++] = BH_SQL_INT((int64_t)page(limit));
	bh_buf_printf(&q, " ORDER BY c.id LIMIT $%zu", n);
	if (bh_buf_oom(&q)) {
		bh_buf_free(&q);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	rc = run_list(st, q.data, p, n, page(limit), container_row, (void *)cb, ud, next, err);
	bh_buf_free(&q);
	return rc;
}

/* ---- findings ---- */

static bool str_same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

int bh_store_finding_put(bh_store *st, int64_t component_id, const char *advisory, const char *severity, bool kev,
			 const char *fixed_version, const char *db_version, int64_t now, bh_store_change *chg, bh_error *err)
{
	bh_sql_value k[2] = { BH_SQL_INT(component_id), BH_SQL_TEXT(advisory) };
	bh_sql_rows *r;
	int rc, found;
	int64_t id = 0;
	bool same = false, resolved = false;
	*chg = BH_STORE_UNCHANGED;
	if (!advisory || !*advisory)
		return bh_error_set(err, BH_EINVAL, "store: a finding needs an advisory id");
	if ((rc = bh_sql_query(st->db, "SELECT id, severity, kev, fixed_version, state FROM findings"
					 " WHERE component_id = $1 AND advisory = $2", k, 2, &r, err)) != 0)
		return rc;
	found = bh_sql_next(r, err);
	if (found == 1) {
		id = bh_sql_int(r, 0);
		same = str_same(bh_sql_text(r, 1), severity) && (bh_sql_int(r, 2) != 0) == kev &&
		       str_same(bh_sql_text(r, 3), fixed_version);
		resolved = str_same(bh_sql_text(r, 4), "resolved");
	}
	bh_sql_rows_free(r);
	if (found < 0)
		return found;
	if (found == 1 && same && !resolved)
		return 0;
	{
		bh_sql_value p[8] = { BH_SQL_INT(component_id), BH_SQL_TEXT(advisory), BH_SQL_TEXT(severity),
				      BH_SQL_INT(bh_severity_parse(severity)), BH_SQL_INT(kev ? 1 : 0), BH_SQL_TEXT(fixed_version),
				      BH_SQL_TEXT(db_version), BH_SQL_INT(now) };
		if (found == 1) {
			p[0] = BH_SQL_INT(id);
			rc = bh_sql_exec(st->db,
					 "UPDATE findings SET severity = $3, severity_rank = $4, kev = $5, fixed_version = $6,"
					 " db_version = $7, updated_at = $8, state = 'open', resolved_at = NULL WHERE id = $1 AND $2 = advisory",
					 p, 8, err);
			*chg = resolved ? BH_STORE_REOPENED : BH_STORE_CHANGED;
		} else {
			rc = bh_sql_exec(st->db,
					 "INSERT INTO findings(component_id, advisory, severity, severity_rank, kev, fixed_version,"
					 " db_version, first_seen, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 'open')",
					 p, 8, err);
			*chg = BH_STORE_NEW;
		}
	}
	if (rc != 0)
		*chg = BH_STORE_UNCHANGED;
	return rc;
}

int bh_store_finding_resolve(bh_store *st, int64_t component_id, const char *advisory, const char *db_version, int64_t now,
			     bh_store_change *chg, bh_error *err)
{
	bh_sql_value p[4] = { BH_SQL_INT(component_id), BH_SQL_TEXT(advisory), BH_SQL_TEXT(db_version), BH_SQL_INT(now) };
	int rc = bh_sql_exec(st->db,
			     "UPDATE findings SET state = 'resolved', resolved_at = $4, updated_at = $4, db_version = $3"
			     " WHERE component_id = $1 AND advisory = $2 AND state = 'open'", p, 4, err);
	*chg = rc == 0 && bh_sql_changes(st->db) > 0 ? BH_STORE_RESOLVED : BH_STORE_UNCHANGED;
	return rc;
}

static int finding_row(bh_sql_rows *r, void *cb, void *ud)
{
	/* column 0 is the keyset (the id, or the risk cursor); the id is column 18 */
	bh_store_finding f = { I(18), I(1), T(2), T(3), T(4), T(5), T(6), T(7), T(8), T(9), T(10), I(11) != 0, I(12), I(13), I(14),
			       (int)I(15), T(16), I(17) };
	return ((bh_store_finding_cb)cb)(ud, &f);
}

/* The risk cursor: (1000 - risk) in the high bits, the id in the low 40 (a trillion findings). */
#define RISK_SHIFT 40
#define RISK_IDMASK ((INT64_C(1) << RISK_SHIFT) - 1)

int bh_store_finding_set_risk(bh_store *st, int64_t id, int risk, const char *terms_json, int64_t running, bh_error *err)
{
	bh_sql_value p[4] = { BH_SQL_INT(id), BH_SQL_INT(risk < 0 ? 0 : risk > 1000 ? 1000 : risk), BH_SQL_TEXT(terms_json),
			      BH_SQL_INT(running) };
	/* a rescore after every re-evaluation mostly finds the same values: those rows are not written */
	return bh_sql_exec(st->db, "UPDATE findings SET risk = $2, risk_terms = $3, running = $4 WHERE id = $1"
				   " AND (risk <> $2 OR coalesce(risk_terms, '') <> coalesce($3, '') OR running <> $4)", p, 4, err);
}

/* Reads what a docker inspect document says about exposure into out (ports summed, flags or-ed). */
static void reach_config(const char *config, bh_store_reach *out)
{
	json_t *c = config ? json_loads(config, 0, NULL) : NULL;
	json_t *hc = json_object_get(c, "HostConfig"), *pb, *caps;
	const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
	if (!json_is_object(c)) {
		out->exposure_known = false;
		json_decref(c);
		return;
	}
	if (json_is_true(json_object_get(hc, "Privileged")))
		out->privileged = true;
	if (nm && !strcmp(nm, "host"))
		out->host_network = true;
	if ((caps = json_object_get(hc, "CapAdd")) && json_is_array(caps) && (int64_t)json_array_size(caps) > out->cap_add)
		out->cap_add = (int64_t)json_array_size(caps);
	pb = json_object_get(hc, "PortBindings");
	if (!json_is_object(pb) || !json_object_size(pb))
		pb = json_object_get(json_object_get(c, "NetworkSettings"), "Ports");
	if (json_is_object(pb)) {
		const char *k;
		json_t *v;
		json_object_foreach(pb, k, v)
			if (json_is_array(v) && json_array_size(v) > 0) /* null: exposed, not published */
				out->ports++;
	}
	json_decref(c);
}

int bh_store_component_reach(bh_store *st, int64_t component_id, bh_store_reach *out, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(component_id);
	bh_sql_rows *r;
	int64_t last_host = -1;
	int rc;
	memset(out, 0, sizeof(*out));
	out->exposure_known = true;
	/* the fourth column: who reached the container from outside, by the agents' network map (an
	 * edge into "container:ID" from an "external:ADDR" node, on the container's host) */
	if ((rc = bh_sql_query(st->db, "SELECT k.id, k.host_id, k.config, (SELECT count(DISTINCT e.src) FROM network_edges e"
					" WHERE e.host = h.name AND e.dst = 'container:' || k.container_id AND e.src LIKE 'external:%')"
					" FROM containers k JOIN hosts h ON h.id = k.host_id WHERE k.state = 'running' AND k.image_digest IN"
					" (SELECT i.digest FROM image_components l JOIN images i ON i.id = l.image_id WHERE l.component_id = $1)"
					" ORDER BY k.host_id, k.id", &p, 1, &r, err)) != 0)
		return rc;
	while ((rc = bh_sql_next(r, err)) == 1) {
		out->containers++;
		if (bh_sql_int(r, 1) != last_host) {
			out->hosts++;
			last_host = bh_sql_int(r, 1);
		}
		reach_config(bh_sql_text(r, 2), out);
		out->outside_peers += bh_sql_int(r, 3);
	}
	bh_sql_rows_free(r);
	return rc < 0 ? rc : 0;
}

int bh_store_finding_list(bh_store *st, const bh_store_filter *f, int64_t after, size_t limit, bh_store_finding_cb cb,
			  void *ud, int64_t *next, bh_error *err)
{
	static const bh_store_filter none;
	bh_buf q = BH_BUF_INIT;
	bh_sql_value p[10];
	size_t n = 0, img = 0; /* img: the image digest's parameter number */
	int rc;
	if (!f)
		f = &none;
	bh_buf_printf(&q, "SELECT %s, f.component_id, c.purl, c.eco, c.name, c.version, f.advisory, f.severity, f.fixed_version,"
			  " f.state, f.db_version, f.kev, f.first_seen, f.updated_at, f.resolved_at, f.risk, f.risk_terms, f.running, f.id"
			  " FROM findings f JOIN components c ON c.id = f.component_id WHERE ",
		      f->by_risk ? "(1000 - f.risk) * 1099511627776 + f.id" : "f.id");
	if (!f->by_risk) {
		p[n++] = BH_SQL_INT(after);
		bh_buf_puts(&q, "f.id > $1");
	} else if (after > 0) {
		/* risk <= r is the index range; the rest skips the page already given */
		p[n++] = BH_SQL_INT(1000 - (after >> RISK_SHIFT));
		p[n++] = BH_SQL_INT(after & RISK_IDMASK);
		bh_buf_puts(&q, "f.risk <= $1 AND (f.risk < $1 OR f.id > $2)");
	} else {
		bh_buf_puts(&q, "1 = 1");
	}
	if (f->unscored_only)
		bh_buf_puts(&q, " AND f.risk_terms IS NULL");
	if (!f->include_resolved)
		bh_buf_puts(&q, " AND f.state = 'open'");
	if (f->min_severity) {
		bh_severity s = bh_severity_parse(f->min_severity);
		if (s == BH_SEV_UNKNOWN && strcasecmp(f->min_severity, "unknown") != 0) {
			bh_buf_free(&q);
			return bh_error_set(err, BH_EUSAGE, "store: unknown severity filter");
		}
		p[n++] = BH_SQL_INT(s);
		bh_buf_printf(&q, " AND f.severity_rank >= $%zu", n);
	}
	if (f->kev)
		bh_buf_puts(&q, f->kev > 0 ? " AND f.kev = 1" : " AND f.kev = 0");
	if (f->fix)
		bh_buf_puts(&q, f->fix > 0 ? " AND coalesce(f.fixed_version, '') <> ''" : " AND coalesce(f.fixed_version, '') = ''");
	if (f->ecosystem) {
		p[n++] = BH_SQL_TEXT(f->ecosystem);
		bh_buf_printf(&q, " AND c.eco = $%zu", n);
	}
	if (f->package) {
		p[n++] = BH_SQL_TEXT(f->package);
		bh_buf_printf(&q, " AND c.name = $%zu", n);
	}
	if (f->advisory) {
		p[n++] = BH_SQL_TEXT(f->advisory);
		bh_buf_printf(&q, " AND f.advisory = $%zu", n);
	}
	if (f->image_digest) {
		p[n++] = BH_SQL_TEXT(f->image_digest);
		img = n;
		bh_buf_printf(&q, " AND EXISTS (SELECT 1 FROM image_components l JOIN images i ON i.id = l.image_id"
				  " WHERE l.component_id = f.component_id AND i.digest = $%zu)", n);
	}
	if (f->running_only && f->by_risk)
		bh_buf_puts(&q, " AND f.running > 0"); /* as findings_risk_hot's predicate says it */
	else if (f->running_only)
		bh_buf_puts(&q, " AND EXISTS (SELECT 1 FROM image_components l JOIN images i ON i.id = l.image_id"
				" JOIN containers k ON k.image_digest = i.digest WHERE l.component_id = f.component_id AND k.state = 'running')");
	if (f->accepted >= 0) {
		/* accepted risks (store/exception.h): hidden by default, or only them */
		char cond[1536];
		p[n++] = BH_SQL_INT(f->now ? f->now : (int64_t)time(NULL));
		if (!bh_exception_sql_hidden(cond, sizeof(cond), (unsigned)n, (unsigned)img)) {
			bh_buf_free(&q);
			return bh_error_set(err, BH_ELIMIT, "store: finding query too long");
		}
		bh_buf_printf(&q, " AND %s%s", f->accepted ? "" : "NOT ", cond);
	}
	p[n++] = BH_SQL_INT((int64_t)page(limit));
	bh_buf_printf(&q, f->by_risk ? " ORDER BY f.risk DESC, f.id LIMIT $%zu" : " ORDER BY f.id LIMIT $%zu", n);
	if (bh_buf_oom(&q)) {
		bh_buf_free(&q);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	rc = run_list(st, q.data, p, n, page(limit), finding_row, (void *)cb, ud, next, err);
	bh_buf_free(&q);
	return rc;
}

static int affected_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_affected a = { T(1), T(2), T(3), T(4), T(5), T(6), T(7), T(8), T(9), I(10) != 0 };
	return ((bh_store_affected_cb)cb)(ud, &a);
}

int bh_store_affected_by(bh_store *st, const char *advisory, bool running_only, bh_store_affected_cb cb, void *ud,
			 bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(advisory);
	/*
	 * advisory -> open findings -> components -> (reverse index) images -> containers running
	 * them. The joins are written as CROSS JOINs: SQLite takes that order as given (its planner,
	 * once ANALYZE had run, started from the running containers and read every link of their
	 * images: 10x slower at 10,000 images); PostgreSQL plans CROSS JOIN + WHERE like any join.
	 */
	return run_list(st, running_only
			? "SELECT i.id, i.digest, i.repo_tags, c.purl, c.version, f.fixed_version, f.severity, h.name,"
			  " k.container_id, k.name, f.kev FROM findings f CROSS JOIN components c CROSS JOIN image_components l"
			  " CROSS JOIN images i CROSS JOIN containers k CROSS JOIN hosts h"
			  " WHERE f.advisory = $1 AND f.state = 'open' AND c.id = f.component_id AND l.component_id = f.component_id"
			  " AND i.id = l.image_id AND k.image_digest = i.digest AND k.state = 'running' AND h.id = k.host_id"
			  " GROUP BY i.id, i.digest, i.repo_tags, c.purl, c.version,"
			  " f.fixed_version, f.severity, h.name, k.container_id, k.name, f.kev ORDER BY i.id, c.purl, h.name, k.container_id"
			: "SELECT i.id, i.digest, i.repo_tags, c.purl, c.version, f.fixed_version, f.severity, h.name,"
			  " k.container_id, k.name, f.kev FROM findings f CROSS JOIN components c CROSS JOIN image_components l"
			  " CROSS JOIN images i LEFT JOIN containers k ON k.image_digest = i.digest AND k.state = 'running'"
			  " LEFT JOIN hosts h ON h.id = k.host_id"
			  " WHERE f.advisory = $1 AND f.state = 'open' AND c.id = f.component_id AND l.component_id = f.component_id"
			  " AND i.id = l.image_id GROUP BY i.id, i.digest, i.repo_tags, c.purl, c.version,"
			  " f.fixed_version, f.severity, h.name, k.container_id, k.name, f.kev ORDER BY i.id, c.purl, h.name, k.container_id",
			&p, 1, 0, affected_row, (void *)cb, ud, NULL, err);
}

/* ---- checks ---- */

int bh_store_check_set(bh_store *st, const char *digest, const bh_store_check *checks, size_t n, int64_t now, bh_error *err)
{
	bh_sql_value d = BH_SQL_TEXT(digest);
	int64_t image_id;
	size_t i;
	int rc;
	if ((rc = bh_sql_begin(st->db, err)) != 0)
		return rc;
	rc = bh_sql_query_int(st->db, "SELECT id FROM images WHERE digest = $1", &d, 1, &image_id, err);
	if (rc == 0)
		rc = bh_error_set(err, BH_ENOTFOUND, "store: no image %s", digest);
	if (rc < 0)
		goto fail;
	{
		bh_sql_value p = BH_SQL_INT(image_id);
		if ((rc = bh_sql_exec(st->db, "DELETE FROM checks WHERE image_id = $1", &p, 1, err)) != 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		bh_sql_value p[7] = { BH_SQL_INT(image_id), BH_SQL_TEXT(checks[i].rule_id), BH_SQL_TEXT(checks[i].target ? checks[i].target : ""),
				      BH_SQL_TEXT(checks[i].severity), BH_SQL_TEXT(checks[i].title), BH_SQL_TEXT(checks[i].detail),
				      BH_SQL_INT(now) };
		rc = bh_sql_exec(st->db, "INSERT INTO checks(image_id, rule_id, target, severity, title, detail, updated_at)"
					 " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(image_id, rule_id, target) DO NOTHING", p, 7, err);
		if (rc != 0)
			goto fail;
	}
	return bh_sql_commit(st->db, err);
fail:
	bh_sql_rollback(st->db, NULL);
	return rc;
}

static int check_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_check c = { I(0), T(1), T(2), T(3), T(4), T(5), I(6) };
	return ((bh_store_check_cb)cb)(ud, &c);
}

int bh_store_check_list(bh_store *st, const char *digest, bh_store_check_cb cb, void *ud, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(digest);
	return run_list(st, "SELECT k.id, k.rule_id, k.target, k.severity, k.title, k.detail, k.updated_at FROM checks k"
			    " JOIN images i ON i.id = k.image_id WHERE i.digest = $1 ORDER BY k.id",
			&p, 1, 0, check_row, (void *)cb, ud, NULL, err);
}

/* ---- events ---- */

int bh_store_event_add(bh_store *st, const bh_store_event *e, int64_t now, int64_t *seq, bool *dup, bh_error *err)
{
	bh_sql_value p[8] = { BH_SQL_TEXT(e->type), BH_SQL_TEXT(e->host), BH_SQL_TEXT(e->container), BH_SQL_INT(e->time ? e->time : now),
			      BH_SQL_INT(now), BH_SQL_TEXT(e->payload_json), BH_SQL_TEXT(e->idem_key),
			      BH_SQL_INT(BH_STORE_EVENTS_LOCK) };
	int rc;
	*seq = 0;
	*dup = false;
	if (!e->type || !*e->type)
		return bh_error_set(err, BH_EINVAL, "store: an event needs a type");
	/* PostgreSQL hands out seq at insert but readers see rows at commit, so concurrent writers
	 * could commit seq 7 before seq 6 and a reader paging ?after=7 would never see 6. A writer
	 * holds this lock shared (writers do not wait for each other) from before its seq until its
	 * commit; bh_store_event_list takes it exclusively before it reads, so it waits for the seqs
	 * handed out so far to commit or roll back, and new ones (all higher) wait for its read.
	 * SQLite has one writer at a time already. */
	if (bh_sql_backend_of(st->db) == BH_SQL_POSTGRES)
		/* one round trip: the MATERIALIZED CTE runs (takes the lock) before the row it feeds
		 * gets its seq */
		rc = bh_sql_query_int(st->db,
				      "WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($8))"
				      " INSERT INTO events(type, host, container, time, received, payload, idem_key)"
				      " SELECT $1, $2, $3, $4::bigint, $5::bigint, $6, $7 FROM l"
				      " ON CONFLICT(idem_key) DO NOTHING RETURNING seq",
				      p, 8, seq, err);
	else
		rc = bh_sql_query_int(st->db,
				      "INSERT INTO events(type, host, container, time, received, payload, idem_key)"
				      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(idem_key) DO NOTHING RETURNING seq",
				      p, 7, seq, err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	/* nothing inserted: the key was seen (a NULL key never conflicts) */
	*dup = true;
	rc = bh_sql_query_int(st->db, "SELECT seq FROM events WHERE idem_key = $1", &p[6], 1, seq, err);
	if (rc == 0)
		return bh_error_set(err, BH_EIO, "store: event %s neither stored nor found", e->idem_key ? e->idem_key : "");
	return rc < 0 ? rc : 0;
}

static int event_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_event e = { I(0), T(1), T(2), T(3), T(4), T(5), I(6), I(7) };
	return ((bh_store_event_cb)cb)(ud, &e);
}

int bh_store_event_list(bh_store *st, const char *type, int64_t after, size_t limit, bh_store_event_cb cb, void *ud,
			int64_t *next, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)), BH_SQL_TEXT(type) };
	bh_sql_value k = BH_SQL_INT(BH_STORE_EVENTS_LOCK);
	bool pg = bh_sql_backend_of(st->db) == BH_SQL_POSTGRES;
	int rc;
	/* see bh_store_event_add: the read's snapshot is taken after every seq handed out is settled */
	if (pg && ((rc = bh_sql_begin(st->db, err)) != 0 ||
		   (rc = bh_sql_exec(st->db, "SELECT pg_advisory_xact_lock($1)", &k, 1, err)) != 0)) {
		bh_sql_rollback(st->db, NULL);
		return rc;
	}
	rc = run_list(st, type ? "SELECT seq, type, host, container, payload, idem_key, time, received FROM events"
				 " WHERE seq > $1 AND type = $3 ORDER BY seq LIMIT $2"
			       : "SELECT seq, type, host, container, payload, idem_key, time, received FROM events"
				 " WHERE seq > $1 ORDER BY seq LIMIT $2",
		      p, type ? 3 : 2, page(limit), event_row, (void *)cb, ud, next, err);
	if (pg) {
		if (rc)
			bh_sql_rollback(st->db, NULL);
		else
			rc = bh_sql_commit(st->db, err);
	}
	return rc;
}

/* ---- tokens and audit ---- */

static int token_hash(const char *token, char hex[65], bh_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	if (!EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL) || n != 32)
		return bh_error_set(err, BH_EIO, "store: sha256 failed");
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int bh_store_token_create(bh_store *st, const char *role, const char *name, const char *host, int64_t expires, int64_t now,
			  char **token, int64_t *id, bh_error *err)
{
	unsigned char rnd[32];
	char tok[4 + 64 + 1], hex[65];
	size_t i;
	int64_t v;
	int rc;
	*token = NULL;
	if (!role || (strcmp(role, "viewer") != 0 && strcmp(role, "operator") != 0 && strcmp(role, "admin") != 0 &&
		      strcmp(role, "agent") != 0))
		return bh_error_set(err, BH_EUSAGE, "store: role must be viewer, operator, admin or agent");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return bh_error_set(err, BH_EIO, "store: no random bytes for a token");
	memcpy(tok, "bht_", 4);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(tok + 4 + 2 * i, 3, "%02x", rnd[i]);
	if ((rc = token_hash(tok, hex, err)) != 0)
		return rc;
	{
		bh_sql_value p[6] = { BH_SQL_TEXT(hex), BH_SQL_TEXT(role), BH_SQL_TEXT(name), BH_SQL_TEXT(host),
				      expires ? BH_SQL_INT(expires) : BH_SQL_NULL, BH_SQL_INT(now) };
		rc = bh_sql_query_int(st->db, "INSERT INTO tokens(hash, role, name, host, expires, created)"
					      " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", p, 6, &v, err);
	}
	if (rc < 0)
		return rc;
	if (!(*token = bh_strdup(tok)))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (id)
		*id = v;
	return 0;
}

int bh_store_token_check(bh_store *st, const char *token, int64_t now, bh_store_auth *who, bh_error *err)
{
	char hex[65];
	bh_sql_rows *r;
	int64_t last = 0;
	int rc;
	memset(who, 0, sizeof(*who));
	if (!token || (rc = token_hash(token, hex, err)) != 0)
		return token ? rc : bh_error_set(err, BH_EAUTH, "no token");
	{
		bh_sql_value p[2] = { BH_SQL_TEXT(hex), BH_SQL_INT(now) };
		rc = bh_sql_query(st->db, "SELECT id, role, name, host, last_used FROM tokens WHERE hash = $1 AND revoked = 0"
					  " AND (expires IS NULL OR expires > $2)", p, 2, &r, err);
	}
	if (rc != 0)
		return rc;
	if ((rc = bh_sql_next(r, err)) == 1) {
		who->id = bh_sql_int(r, 0);
		snprintf(who->role, sizeof(who->role), "%s", bh_sql_text(r, 1) ? bh_sql_text(r, 1) : "");
		snprintf(who->name, sizeof(who->name), "%s", bh_sql_text(r, 2) ? bh_sql_text(r, 2) : "");
		snprintf(who->host, sizeof(who->host), "%s", bh_sql_text(r, 3) ? bh_sql_text(r, 3) : "");
		last = bh_sql_int(r, 4);
	}
	bh_sql_rows_free(r);
	if (rc < 0)
		return rc;
	if (rc == 0) /* one answer for unknown, revoked and expired: nothing to learn by probing */
		return bh_error_set(err, BH_EAUTH, "token not valid");
	/* last_used to the minute: a write (a commit, on SQLite the file's write lock) per request
	 * costs every request of a busy agent for a figure nobody reads to the second */
	if (now - last < BH_STORE_TOKEN_TOUCH_S && now >= last)
		return 0;
	{
		bh_sql_value p[2] = { BH_SQL_INT(who->id), BH_SQL_INT(now) };
		return bh_sql_exec(st->db, "UPDATE tokens SET last_used = $2 WHERE id = $1", p, 2, err);
	}
}

int bh_store_token_revoke(bh_store *st, int64_t id, bh_error *err)
{
	bh_sql_value p = BH_SQL_INT(id);
	int rc = bh_sql_exec(st->db, "UPDATE tokens SET revoked = 1 WHERE id = $1", &p, 1, err);
	if (rc == 0 && bh_sql_changes(st->db) == 0)
		return bh_error_set(err, BH_ENOTFOUND, "store: no token %lld", (long long)id);
	return rc;
}

static int token_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_token t = { I(0), T(1), T(2), T(3), I(4), I(5), I(6), I(7) != 0 };
	return ((bh_store_token_cb)cb)(ud, &t);
}

int bh_store_token_list(bh_store *st, int64_t after, size_t limit, bh_store_token_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	return run_list(st, "SELECT id, role, name, host, expires, created, last_used, revoked FROM tokens WHERE id > $1"
			    " ORDER BY id LIMIT $2", p, 2, page(limit), token_row, (void *)cb, ud, next, err);
}

int bh_store_audit_add(bh_store *st, const bh_store_audit *a, int64_t now, bh_error *err)
{
	bh_sql_value p[6] = { BH_SQL_TEXT(a->who), BH_SQL_TEXT(a->action), BH_SQL_TEXT(a->target), BH_SQL_INT(a->time ? a->time : now),
			      BH_SQL_TEXT(a->from_addr), BH_SQL_TEXT(a->detail) };
	if (!a->action)
		return bh_error_set(err, BH_EINVAL, "store: an audit record needs an action");
	return bh_sql_exec(st->db, "INSERT INTO audit(who, action, target, time, from_addr, detail) VALUES ($1, $2, $3, $4, $5, $6)",
			   p, 6, err);
}

static int audit_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_audit a = { I(0), T(1), T(2), T(3), T(4), T(5), I(6) };
	return ((bh_store_audit_cb)cb)(ud, &a);
}

int bh_store_audit_list(bh_store *st, int64_t after, size_t limit, bh_store_audit_cb cb, void *ud, int64_t *next, bh_error *err)
{
	bh_sql_value p[2] = { BH_SQL_INT(after), BH_SQL_INT((int64_t)page(limit)) };
	return run_list(st, "SELECT id, who, action, target, from_addr, detail, time FROM audit WHERE id > $1 ORDER BY id LIMIT $2",
			p, 2, page(limit), audit_row, (void *)cb, ud, next, err);
}

/* ---- registries ---- */

int bh_store_registry_put(bh_store *st, const bh_store_registry *g, int64_t *id, bh_error *err)
{
	bh_sql_value p[5] = { BH_SQL_TEXT(g->url), BH_SQL_TEXT(g->username), BH_SQL_TEXT(g->secret), BH_SQL_TEXT(g->repositories_json),
			      BH_SQL_INT(g->interval_s > 0 ? g->interval_s : 3600) };
	int64_t v;
	int rc;
	if (!g->url || !*g->url)
		return bh_error_set(err, BH_EINVAL, "store: a registry needs a URL");
	rc = bh_sql_query_int(st->db, "INSERT INTO registries(url, username, secret, repositories, interval_s) VALUES ($1, $2, $3, $4, $5)"
				      " ON CONFLICT(url) DO UPDATE SET username = excluded.username, secret = excluded.secret,"
				      " repositories = excluded.repositories, interval_s = excluded.interval_s RETURNING id",
			      p, 5, &v, err);
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

static int registry_row(bh_sql_rows *r, void *cb, void *ud)
{
	bh_store_registry g = { I(0), T(1), T(2), T(3), T(4), I(5), I(6) };
	return ((bh_store_registry_cb)cb)(ud, &g);
}

int bh_store_registry_list(bh_store *st, bh_store_registry_cb cb, void *ud, bh_error *err)
{
	return run_list(st, "SELECT id, url, username, secret, repositories, interval_s, last_polled FROM registries ORDER BY id",
			NULL, 0, 0, registry_row, (void *)cb, ud, NULL, err);
}

int bh_store_registry_delete(bh_store *st, const char *url, bh_error *err)
{
	bh_sql_value p = BH_SQL_TEXT(url);
	int rc = bh_sql_exec(st->db, "DELETE FROM registries WHERE url = $1", &p, 1, err);
	if (rc == 0 && bh_sql_changes(st->db) == 0)
		return bh_error_set(err, BH_ENOTFOUND, "store: no registry %s", url);
	return rc;
}

/* ---- jobs ---- */

int bh_store_job_add(bh_store *st, const char *kind, const char *payload, int64_t now, int64_t *id, bh_error *err)
{
	bh_sql_value p[3] = { BH_SQL_TEXT(kind), BH_SQL_TEXT(payload), BH_SQL_INT(now) };
	int64_t v;
	int rc;
	if (!kind || !*kind)
		return bh_error_set(err, BH_EINVAL, "store: a job needs a kind");
	rc = bh_sql_query_int(st->db, "INSERT INTO jobs(kind, payload, created) VALUES ($1, $2, $3) RETURNING id", p, 3, &v, err);
	if (rc < 0)
		return rc;
	if (id)
		*id = v;
	return 0;
}

int bh_store_job_take(bh_store *st, const char *worker, int64_t lease_s, int64_t now, bh_store_job *job, bh_error *err)
{
	return bh_store_job_take_kind(st, "", worker, lease_s, now, job, err);
}

int bh_store_job_take_kind(bh_store *st, const char *kind_prefix, const char *worker, int64_t lease_s, int64_t now,
			   bh_store_job *job, bh_error *err)
{
	bh_sql_value p[4] = { BH_SQL_TEXT(worker), BH_SQL_INT(now + lease_s), BH_SQL_INT(now),
			      BH_SQL_TEXT(kind_prefix ? kind_prefix : "") };
	bh_sql_rows *r;
	int rc;
	memset(job, 0, sizeof(*job));
	/*
	 * One statement either way. PostgreSQL: the inner SELECT skips rows another server's open
	 * transaction has locked, so two servers take different jobs without waiting. SQLite: the
	 * statement runs under the database's single write lock, which does the same by queueing.
	 * The kind prefix keeps one module's worker from taking (or waiting behind) another's jobs.
	 */
	rc = bh_sql_query(st->db, bh_sql_backend_of(st->db) == BH_SQL_POSTGRES
			  ? "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1"
			    " WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' OR (state = 'running' AND locked_until < $3))"
			    " AND substr(kind, 1, length(CAST($4 AS TEXT))) = CAST($4 AS TEXT)"
			    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, kind, payload, attempts"
			  : "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1"
			    " WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' OR (state = 'running' AND locked_until < $3))"
			    " AND substr(kind, 1, length($4)) = $4"
			    " ORDER BY id LIMIT 1) RETURNING id, kind, payload, attempts",
			  p, 4, &r, err);
	if (rc != 0)
		return rc;
	if ((rc = bh_sql_next(r, err)) == 1) {
		job->id = bh_sql_int(r, 0);
		job->kind = bh_strdup(bh_sql_text(r, 1));
		job->payload = bh_sql_text(r, 2) ? bh_strdup(bh_sql_text(r, 2)) : NULL;
		job->attempts = (int)bh_sql_int(r, 3);
		if (!job->kind || (bh_sql_text(r, 2) && !job->payload))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	/* SQLite's RETURNING applies the change when the statement is stepped to its end */
	if (rc == 1 && bh_sql_next(r, err) < 0)
		rc = BH_EIO;
	bh_sql_rows_free(r);
	if (rc < 0)
		bh_store_job_clear(job);
	return rc;
}

int bh_store_job_finish(bh_store *st, int64_t id, const char *worker, const char *error, int64_t now, bh_error *err)
{
	bh_sql_value p[5] = { BH_SQL_INT(id), BH_SQL_TEXT(worker), BH_SQL_TEXT(error ? "failed" : "done"), BH_SQL_TEXT(error),
			      BH_SQL_INT(now) };
	int rc = bh_sql_exec(st->db, "UPDATE jobs SET state = $3, error = $4, finished = $5, locked_until = NULL"
				     " WHERE id = $1 AND locked_by = $2 AND state = 'running'", p, 5, err);
	if (rc == 0 && bh_sql_changes(st->db) == 0)
		return bh_error_set(err, BH_ENOTFOUND, "store: job %lld is not held by %s", (long long)id, worker);
	return rc;
}

void bh_store_job_clear(bh_store_job *job)
{
	free(job->kind);
	free(job->payload);
	memset(job, 0, sizeof(*job));
}
