/* apictx.c - the API's shared state: store connection pool, vulnerability DB under its mutex, JSON/paging/audit helpers. */
#include "server/apictx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "store/sql.h"

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

void bh_apictx_changed(bh_api *a)
{
	if (a)
		atomic_fetch_add(&a->changes, 1);
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

int bh_apictx_event_append(void *items, const bh_store_event *e)
{
	json_t *o = json_object();
	if (!o)
		return BH_ENOMEM;
	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "type", bh_apictx_jstr(e->type));
	json_object_set_new(o, "host", bh_apictx_jstr(e->host));
	json_object_set_new(o, "container", bh_apictx_jstr(e->container));
	json_object_set_new(o, "time", json_integer(e->time));
	json_object_set_new(o, "received", json_integer(e->received));
	json_object_set_new(o, "payload", bh_apictx_jraw(e->payload_json));
	json_object_set_new(o, "idempotency_key", bh_apictx_jstr(e->idem_key));
	return json_array_append_new(items, o) ? BH_ENOMEM : 0;
}

int bh_apictx_page_list(bh_api *a, bh_srv_req *req, bh_srv_resp *resp, bh_apictx_list_fn list, const void *args)
{
	int64_t after, limit, next = 0;
	bh_store *st;
	json_t *items;
	bh_error err;
	int rc;
	if (bh_apictx_page_args(req, resp, &after, &limit))
		return 0;
	if (!(items = json_array()))
		return BH_ENOMEM;
	st = bh_apictx_store(a);
	rc = list(st, args, after, (size_t)limit, items, &next, &err);
	bh_apictx_release(a, st);
	if (rc) {
		json_decref(items);
		return bh_apictx_store_failed(resp, rc, &err);
	}
	return bh_apictx_page_answer(resp, items, next);
}

int bh_apictx_store_failed(bh_srv_resp *resp, int rc, const bh_error *err)
{
	if (rc == BH_EUSAGE || rc == BH_EINVAL)
		return bh_srv_resp_error(resp, 400, "bad_request", "%s", err->msg);
	if (rc == BH_ENOTFOUND)
		return bh_srv_resp_error(resp, 404, "not_found", "%s", err->msg);
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

void bh_apictx_worker_name(char *out, size_t n)
{
	char host[256] = "localhost";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, n, "%s:%ld", host, (long)getpid());
}

void bh_apictx_pause(pthread_cond_t *cv, pthread_mutex_t *mu, const volatile int *stop, bool *kick, unsigned ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(mu);
	while (!*stop && !(kick && *kick) && pthread_cond_timedwait(cv, mu, &until) == 0)
		;
	if (kick)
		*kick = false;
	pthread_mutex_unlock(mu);
}

int bh_apictx_write(bh_api *a, bh_srv_req *req, bh_apictx_write_fn fn, void *ud, const char *action, const char *target,
		    const char *detail, bh_error *err)
{
	bh_store *st = bh_apictx_store(a);
	int rc = bh_sql_begin(bh_store_sql(st), err);
	if (!rc)
		rc = fn(st, ud, err);
	if (!rc)
		rc = bh_apictx_audit(st, req, action, target, detail, err);
	if (!rc)
		rc = bh_sql_commit(bh_store_sql(st), err);
	else
		bh_sql_rollback(bh_store_sql(st), NULL);
	bh_apictx_release(a, st);
	return rc;
}

int bh_apictx_thread_start(pthread_t *th, pthread_mutex_t *mu, pthread_cond_t *cv, void *(*fn)(void *), void *arg)
{
	pthread_mutex_init(mu, NULL);
	pthread_cond_init(cv, NULL);
	if (pthread_create(th, NULL, fn, arg)) {
		pthread_mutex_destroy(mu);
		pthread_cond_destroy(cv);
		return BH_EIO;
	}
	return 0;
}

void bh_apictx_thread_stop(pthread_t th, pthread_mutex_t *mu, pthread_cond_t *cv, volatile int *stop)
{
	pthread_mutex_lock(mu);
	*stop = 1;
	pthread_cond_signal(cv);
	pthread_mutex_unlock(mu);
	pthread_join(th, NULL);
	pthread_mutex_destroy(mu);
	pthread_cond_destroy(cv);
}

bool bh_apictx_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}
