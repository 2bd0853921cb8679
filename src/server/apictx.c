/* apictx.c - the API's shared state: store connection pool, vulnerability DB under its mutex, JSON/paging/audit helpers. */
#include "server/apictx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

bh_store *bh_apictx_store(bh_api *a)
{
	bh_store *st;
	pthread_mutex_lock(&a->mu);
	while (!a->nidle)
		pthread_cond_wait(&a->cv, &a->mu);
	st = a->idle[--a->nidle];
	pthread_mutex_unlock(&a->mu);
	return st;
}

void bh_apictx_release(bh_api *a, bh_store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&a->mu);
	a->idle[a->nidle++] = st;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

bh_vulndb *bh_apictx_vdb_lock(bh_api *a)
{
	pthread_mutex_lock(&a->vmu);
	return a->vdb;
}

void bh_apictx_vdb_unlock(bh_api *a) { pthread_mutex_unlock(&a->vmu); }

int bh_apictx_vdb_swap(bh_api *a, bh_vulndb *db, const char *path, bh_error *err)
{
	char *p = path ? strdup(path) : NULL;
	if (path && !p) {
		bh_vulndb_close(db);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	pthread_mutex_lock(&a->vmu);
	if (a->vdb)
		bh_vulndb_close(a->vdb);
	free(a->vdb_path);
	a->vdb = db;
	a->vdb_path = p;
	pthread_mutex_unlock(&a->vmu);
	return 0;
}

json_t *bh_apictx_jstr(const char *s)
{
	json_t *j;
	if (!s)
		return json_null();
	j = json_string(s);
	return j ? j : json_null();
}

json_t *bh_apictx_jraw(const char *s)
{
	json_t *j;
	if (!s || !*s)
		return json_null();
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	return j ? j : json_null();
}

json_t *bh_apictx_jtime(int64_t t) { return t ? json_integer(t) : json_null(); }

int bh_apictx_page_args(bh_srv_req *req, bh_srv_resp *resp, int64_t *after, int64_t *limit)
{
	if (bh_srv_query_int(req, resp, "after", 0, INT64_MAX, 0, after) ||
	    bh_srv_query_int(req, resp, "limit", 1, BH_STORE_LIMIT_MAX, BH_APICTX_LIMIT_DEFAULT, limit))
		return BH_EINVAL;
	return 0;
}

int bh_apictx_page_answer(bh_srv_resp *resp, json_t *items, int64_t next)
{
	json_t *o = json_object();
	if (!o) {
		json_decref(items);
		return BH_ENOMEM;
	}
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "next", next ? json_integer(next) : json_null());
	return bh_srv_resp_json(resp, 200, o);
}

int bh_apictx_store_failed(bh_srv_resp *resp, int rc, const bh_error *err)
{
	if (rc == BH_EUSAGE || rc == BH_EINVAL)
		return bh_srv_resp_error(resp, 400, "bad_request", "%s", err->msg);
	bh_log_error("api: store: %s", err->msg);
	return bh_srv_resp_error(resp, 500, "internal", "the store failed; the server log says why");
}

bool bh_apictx_digest_ok(const char *d)
{
	size_t n;
	if (!d)
		return false;
	if (!strncmp(d, "sha256:", 7))
		n = 64, d += 7;
	else if (!strncmp(d, "sha512:", 7))
		n = 128, d += 7;
	else
		return false;
	return strlen(d) == n && strspn(d, "0123456789abcdef") == n;
}

int bh_apictx_audit(bh_store *st, bh_srv_req *req, const char *action, const char *target, const char *detail,
		    bh_error *err)
{
	const bh_srv_principal *p = bh_srv_principal_of(req);
	char who[96];
	bh_store_audit au;
	snprintf(who, sizeof(who), "%s#%lld", p->name[0] ? p->name : "token", (long long)p->id);
	memset(&au, 0, sizeof(au));
	au.who = who;
	au.action = action;
	au.target = target;
	au.from_addr = bh_srv_peer(req);
	au.detail = detail;
	return bh_store_audit_add(st, &au, (int64_t)time(NULL), err);
}
