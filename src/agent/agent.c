/* agent.c - `bulkhead agent`: host facts, images, containers and engine events to the server, spooled while it is away. */
#include "agent/agent.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent/rtfeed.h"
#include "agent/spool.h"
#include "check/container.h"
#include "check/host.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/log.h"
#include "engine/engine.h"
#include "net/http.h"
#include "report/report.h"
#include "runtime/baseline.h"
#include "runtime/blmodes.h"
#include "runtime/blmon.h"
#include "sbom/sbom.h"

/* An SBOM that could not be uploaded yet (server away): kept to resend, computed once. */
struct pending {
	char *digest;
	char *sbom;
	size_t len;
};

/* CIS results not sent yet (server away): the newest per container ("" the host), resent by the flusher. */
struct pending_checks {
	char *container;
	char *body;
};

typedef struct agent {
	const bh_agent_opts *o;
	char host[256];
	char auth[1100];
	bh_spool *sp;
	pthread_mutex_t mu;       /* the spool, the digest sets, the counters */
	char **known;             /* digests the server said it has, or took from us, in this run */
	size_t nknown, capknown;
	struct pending *pend;
	size_t npend, cappend;
	struct pending_checks *pchk;
	size_t npchk, cappchk;
	unsigned long sent, spooled, refused, uploads, checks_sent;
	bool away;                /* the last request got no answer or a 5xx */
	atomic_int stop;          /* ends the flusher thread */
	bh_rtfeed *rt;            /* --runtime: the sensor's feed (its envelopes are taken under mu) */
	unsigned long rt_spooled; /* runtime envelopes put in the spool */
	pthread_mutex_t kmu;      /* the flusher's wake-up: the feed queued envelopes */
	pthread_cond_t kcv;
	bool kicked;
	struct timespec last_try; /* the flusher's last send while the server is away */
	char bldir[1024];         /* --baselines: SPOOL/baselines, the feed's store dir */
	struct timespec last_blsync;
} agent;

void bh_agent_opts_default(bh_agent_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->network_interval_s = BH_AGENT_NETWORK_INTERVAL_S;
	bh_source_opts_default(&o->scan);
}

/* Read from the flusher thread too: an atomic load (the signal handler stores atomically). */
static bool cancelled(const agent *a)
{
	return a->o->cancel && __atomic_load_n(a->o->cancel, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- server */

enum { SENT = 0, AWAY = 1, REFUSED = 2 };

/* One request to the server: SENT (2xx), AWAY (no answer, 5xx, 429: try again later) or REFUSED
 * (another 4xx: trying again cannot help); *status and body (if given) filled. */
static int server_do(agent *a, bh_http_method m, const char *path, const char *ctype, const char *body, size_t len,
		     long *status, bh_buf *out)
{
	char url[2048], ct[128];
	const char *hdrs[4] = { a->auth, NULL, NULL, NULL };
	bh_http_request rq;
	bh_http_response rs = BH_HTTP_RESPONSE_INIT;
	bh_error err;
	int rc, kind;
	snprintf(url, sizeof(url), "%s%s", a->o->server, path);
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		hdrs[1] = ct;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = m;
	rq.url = url;
	rq.headers = hdrs;
	rq.body = body;
	rq.body_len = len;
	rq.connect_timeout_ms = 3000;
	rq.timeout_ms = 120000; /* an SBOM upload is matched on the server before it answers */
	rq.ca_file = a->o->ca_file;
	rq.max_size = 1u << 20;
	rc = bh_http_do(&rq, &rs, &err);
	*status = rs.status;
	if (out && rs.body.len)
		(void)bh_buf_append(out, rs.body.data, rs.body.len);
	if (!rc)
		kind = SENT;
	else if (rs.status == 0 || rs.status >= 500 || rs.status == 429)
		kind = AWAY;
	else
		kind = REFUSED;
	if (kind == REFUSED && (rs.status == 404 || (rs.status == 403 && m == BH_HTTP_GET)))
		; /* answers, not failures: unknown digest; a role that may not ask */
	else if (kind == REFUSED)
		bh_log_warn("agent: %s %s: %s", m == BH_HTTP_POST ? "POST" : m == BH_HTTP_PUT ? "PUT" : m == BH_HTTP_PATCH ? "PATCH" : "GET", path, err.msg);
	else if (kind == AWAY && !a->away)
		bh_log_warn("agent: server away (%s): spooling to %s", err.msg, bh_spool_dir(a->sp));
	a->away = kind == AWAY;
	bh_http_response_free(&rs);
	return kind;
}

static int send_lines(void *ud, const char *data, size_t len, size_t lines, bh_error *err)
{
	agent *a = ud;
	long st;
	int k = server_do(a, BH_HTTP_POST, "/api/v1/events", "application/x-ndjson", data, len, &st, NULL);
	if (k == AWAY)
		return bh_error_set(err, BH_ENET, "server away");
	if (k == REFUSED) {
		/* resending a refused batch would block every later event behind it */
		a->refused += lines;
		bh_log_warn("agent: the server refused %zu spooled events (HTTP %ld): dropped", lines, st);
	} else
		a->sent += lines;
	return 0;
}

/* ---------------------------------------------------------------- images known to the server */

static bool is_known(const agent *a, const char *d)
{
	size_t i;
	for (i = 0; i < a->nknown; i++)
		if (!strcmp(a->known[i], d))
			return true;
	return false;
}

static void add_known(agent *a, const char *d)
{
	char *c;
	if (is_known(a, d))
		return;
	if (a->nknown == a->capknown) {
		size_t nc = a->capknown ? a->capknown * 2 : 32;
		char **nk = nc <= SIZE_MAX / sizeof(*nk) ? realloc(a->known, nc * sizeof(*nk)) : NULL;
		if (!nk)
			return; /* only costs an extra question to the server */
		a->known = nk;
		a->capknown = nc;
	}
	if (!(c = strdup(d)))
		return;
	a->known[a->nknown++] = c;
}

/*
 * POST /api/v1/images/known with up to BH_KNOWN_BATCH digests: the ones the server has join a->known.
 * 0 answered, -1 not (away, refused: the caller computes the SBOM and uploads; the server de-duplicates).
 */
#define BH_KNOWN_BATCH 1000
static int ask_known(agent *a, const char *const *digests, size_t n)
{
	json_t *q = json_object(), *arr = json_array(), *r, *x;
	bh_buf resp = BH_BUF_INIT;
	char *body = NULL;
	long st;
	size_t i;
	int k = AWAY;
	if (!q || !arr) {
		json_decref(q);
		json_decref(arr);
		return -1;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(digests[i]));
	json_object_set_new(q, "digests", arr);
	if ((body = json_dumps(q, JSON_COMPACT)) != NULL)
		k = server_do(a, BH_HTTP_POST, "/api/v1/images/known", "application/json", body, strlen(body), &st, &resp);
	free(body);
	json_decref(q);
	if (k != SENT) {
		bh_buf_free(&resp);
		return -1;
	}
	r = resp.len ? json_loadb(resp.data, resp.len, 0, NULL) : NULL;
	json_array_foreach(json_object_get(r, "known"), i, x)
		if (json_is_string(x))
			add_known(a, json_string_value(x));
	json_decref(r);
	bh_buf_free(&resp);
	return 0;
}

/* "sha256:<64 hex>" from an engine's image id (podman's compat API gives it with or without the prefix). */
static bool norm_digest(const char *id, char *out, size_t n)
{
	const char *h = id && !strncmp(id, "sha256:", 7) ? id + 7 : id;
	size_t i;
	if (!h || strlen(h) != 64 || n < 72)
		return false;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)h[i]))
			return false;
	snprintf(out, n, "sha256:%s", h);
	for (i = 7; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return true;
}

/* POST /api/v1/images?digest=D; 0 sent or refused (given up), 1 away. */
static int upload(agent *a, const char *digest, const char *sbom, size_t len)
{
	char path[160];
	long st;
	bh_buf body = BH_BUF_INIT;
	int k;
	snprintf(path, sizeof(path), "/api/v1/images?digest=%s", digest);
	k = server_do(a, BH_HTTP_POST, path, "application/json", sbom, len, &st, &body);
	if (k == SENT) {
		json_t *r = body.len ? json_loadb(body.data, body.len, 0, NULL) : NULL;
		bool isnew = json_is_true(json_object_get(r, "new"));
		a->uploads++;
		bh_log_info("agent: image %s uploaded (%s)", digest, isnew ? "new" : "already known");
		json_decref(r);
		add_known(a, digest);
	}
	bh_buf_free(&body);
	return k == AWAY;
}

static void pend_add(agent *a, const char *digest, char *sbom, size_t len)
{
	size_t i;
	for (i = 0; i < a->npend; i++)
		if (!strcmp(a->pend[i].digest, digest)) {
			free(sbom);
			return;
		}
	if (a->npend == a->cappend) {
		size_t nc = a->cappend ? a->cappend * 2 : 8;
		struct pending *np = nc <= SIZE_MAX / sizeof(*np) ? realloc(a->pend, nc * sizeof(*np)) : NULL;
		if (!np) {
			free(sbom);
			return;
		}
		a->pend = np;
		a->cappend = nc;
	}
	a->pend[a->npend].digest = strdup(digest);
	a->pend[a->npend].sbom = sbom;
	a->pend[a->npend].len = len;
	if (!a->pend[a->npend].digest) {
		free(sbom);
		return;
	}
	a->npend++;
}

static void pend_flush(agent *a)
{
	while (a->npend && !cancelled(a)) {
		struct pending *p = &a->pend[0];
		if (upload(a, p->digest, p->sbom, p->len))
			return;
		free(p->digest);
		free(p->sbom);
		memmove(a->pend, a->pend + 1, (a->npend - 1) * sizeof(*a->pend));
		a->npend--;
	}
}

/* The image's SBOM, computed once per digest the server lacks, and uploaded (or kept to upload). Locked by the caller. */
static void ensure_image(agent *a, const char *id)
{
	char digest[80], target[96];
	const char *dp = digest;
	bh_sbom s;
	bh_error err;
	int k;
	char *text = NULL;
	size_t tlen = 0;
	FILE *mf;
	size_t i;
	if (!norm_digest(id, digest, sizeof(digest)) || is_known(a, digest))
		return;
	for (i = 0; i < a->npend; i++)
		if (!strcmp(a->pend[i].digest, digest))
			return;
	/* the server is asked, not a local list: it may have lost the image, or got it from another host */
	if (ask_known(a, &dp, 1) == 0 && is_known(a, digest))
		return;
	snprintf(target, sizeof(target), "engine:%s", digest + 7);
	bh_sbom_init(&s);
	if (bh_source_read_target(target, &a->o->scan, &s, &err) != 0) {
		bh_log_warn("agent: SBOM of image %s: %s", digest, err.msg);
		bh_sbom_free(&s);
		return;
	}
	if (!(mf = open_memstream(&text, &tlen))) {
		bh_sbom_free(&s);
		return;
	}
	k = bh_report_write(&s, BH_FORMAT_JSON, mf, &err);
	if (fclose(mf) || k) {
		bh_log_warn("agent: SBOM of image %s: %s", digest, k ? err.msg : "cannot write");
		free(text);
		bh_sbom_free(&s);
		return;
	}
	bh_sbom_free(&s);
	if (upload(a, digest, text, tlen))
		pend_add(a, digest, text, tlen); /* takes text */
	else
		free(text);
}

/* ---------------------------------------------------------------- envelopes */

/* Sends env (stolen) in order after whatever is spooled, or spools it. Locked by the caller. */
static void deliver(agent *a, json_t *env)
{
	char *line = json_dumps(env, JSON_COMPACT);
	bh_error err;
	long st;
	int k;
	json_decref(env);
	if (!line)
		return;
	if (bh_spool_empty(a->sp)) {
		size_t n = strlen(line);
		line[n] = '\n';
		k = server_do(a, BH_HTTP_POST, "/api/v1/events", "application/x-ndjson", line, n + 1, &st, NULL);
		line[n] = '\0';
		if (k == SENT) {
			a->sent++;
			free(line);
			return;
		}
		if (k == REFUSED) {
			a->refused++;
			free(line);
			return;
		}
	}
	if (bh_spool_append(a->sp, line, strlen(line), &err))
		bh_log_error("agent: event lost: %s", err.msg);
	else
		a->spooled++;
	free(line);
}

static void pchk_flush(agent *a); /* with the CIS results, below */

/* The feed's queued envelopes into the spool, with sequence numbers (one write of the seq file per
 * batch), after what is there: the flusher sends them. Locked by the caller. */
static void rt_drain(agent *a)
{
	bh_rtfeed_item *it = NULL;
	size_t n, i;
	int64_t seq = 0;
	bh_error err;
	if (!a->rt || !(n = bh_rtfeed_take(a->rt, &it)))
		return;
	if (bh_spool_reserve_seq(a->sp, n, &seq, &err)) {
		bh_log_error("agent: %zu runtime events lost: %s", n, err.msg);
		bh_rtfeed_items_free(it, n);
		return;
	}
	for (i = 0; i < n; i++, seq++) {
		char key[300];
		char *line;
		json_t *e;
		snprintf(key, sizeof(key), "%s/%" PRId64, a->host, seq);
		e = json_pack("{s:s, s:s, s:I, s:I, s:s, s:O}", "type", it[i].type, "host", a->host, "time", (json_int_t)it[i].time,
			      "seq", (json_int_t)seq, "idempotency_key", key, "payload", it[i].payload);
		if (e && it[i].container)
			json_object_set_new(e, "container", json_string(it[i].container));
		line = e ? json_dumps(e, JSON_COMPACT) : NULL;
		json_decref(e);
		if (!line || bh_spool_append(a->sp, line, strlen(line), &err))
			bh_log_error("agent: runtime event lost: %s", line ? err.msg : "out of memory");
		else
			a->rt_spooled++;
		free(line);
	}
	bh_rtfeed_items_free(it, n);
}

/* The feed's notify: wakes the flusher. */
static void rt_kick(void *ud)
{
	agent *a = ud;
	pthread_mutex_lock(&a->kmu);
	a->kicked = true;
	pthread_cond_signal(&a->kcv);
	pthread_mutex_unlock(&a->kmu);
}

/* Sends the spool in order while the server takes it; then pending SBOMs and check results. Locked by the caller. */
static void flush(agent *a)
{
	bh_error err;
	while (!bh_spool_empty(a->sp) && !cancelled(a))
		if (bh_spool_send_oldest(a->sp, send_lines, a, &err) <= 0)
			break;
	if (bh_spool_empty(a->sp)) {
		pend_flush(a);
		pchk_flush(a);
	}
}

/* An envelope {type, host, container, time, payload, seq, idempotency_key}; payload is stolen. */
static json_t *envelope(agent *a, const char *type, const char *container, int64_t t, json_t *payload)
{
	char key[300];
	int64_t seq = 0;
	bh_error err;
	json_t *e;
	if (bh_spool_next_seq(a->sp, &seq, &err)) {
		bh_log_error("agent: %s", err.msg);
		json_decref(payload);
		return NULL;
	}
	snprintf(key, sizeof(key), "%s/%" PRId64, a->host, seq);
	e = json_pack("{s:s, s:s, s:I, s:I, s:s}", "type", type, "host", a->host, "time", (json_int_t)t, "seq", (json_int_t)seq,
		      "idempotency_key", key);
	if (!e) {
		json_decref(payload);
		return NULL;
	}
	if (container)
		json_object_set_new(e, "container", json_string(container));
	json_object_set_new(e, "payload", payload ? payload : json_object());
	return e;
}

static void emit(agent *a, const char *type, const char *container, int64_t t, json_t *payload)
{
	json_t *e = envelope(a, type, container, t, payload);
	if (e)
		deliver(a, e);
}

/* ---------------------------------------------------------------- host, containers, images */

/* Unix seconds of an RFC 3339 time ("2026-12-06T21:20:00.123Z", "...+01:00"); 0 for none or the zero time. */
static int64_t rfc3339(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	const char *p;
	int64_t t;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || y < 1971)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1])) {
		int oh = 0, om = 0;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) >= 1)
			t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
	}
	return t;
}

static const char *jget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The inspect summary the server keeps: id, name, image digest, state, started/finished, and the
 * config its exposure depends on (published ports, host network, privileged, added capabilities). */
static json_t *container_summary(const json_t *ins, char *digest, size_t dn)
{
	const json_t *state = json_object_get(ins, "State"), *cfg = json_object_get(ins, "Config");
	const char *name = jget(ins, "Name");
	json_t *p;
	if (name && *name == '/')
		name++;
	digest[0] = '\0';
	norm_digest(jget(ins, "Image"), digest, dn);
	p = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id", jget(ins, "Id"), "name", name, "image",
		      digest[0] ? digest : NULL, "image_ref", jget(cfg, "Image"), "state", jget(state, "Status"),
		      "started_at", jget(state, "StartedAt"), "finished_at", jget(state, "FinishedAt"));
	if (p) {
		int64_t t = rfc3339(jget(state, "StartedAt")), f = rfc3339(jget(state, "FinishedAt"));
		if (t)
			json_object_set_new(p, "started", json_integer(t));
		if (f)
			json_object_set_new(p, "finished", json_integer(f));
		json_object_set_new(p, "config", bh_container_exposure(ins));
	}
	return p;
}

static void os_release(json_t *facts)
{
	FILE *fp = fopen("/etc/os-release", "r");
	char line[512];
	if (!fp && !(fp = fopen("/usr/lib/os-release", "r")))
		return;
	while (fgets(line, sizeof(line), fp)) {
		static const char *const keys[][2] = { { "PRETTY_NAME=", "os" }, { "ID=", "os_id" }, { "VERSION_ID=", "os_version" } };
		size_t i, n;
		for (i = 0; i < 3; i++) {
			char *v;
			if (strncmp(line, keys[i][0], strlen(keys[i][0])) != 0)
				continue;
			v = line + strlen(keys[i][0]);
			v[strcspn(v, "\r\n")] = '\0';
			n = strlen(v);
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			json_object_set_new(facts, keys[i][1], json_string(v));
		}
	}
	fclose(fp);
}

static void host_facts(agent *a)
{
	struct utsname u;
	bh_error err;
	json_t *f = json_object(), *v = NULL;
	if (!f)
		return;
	json_object_set_new(f, "hostname", json_string(a->host));
	os_release(f);
	if (!uname(&u)) {
		json_object_set_new(f, "kernel", json_string(u.release));
		json_object_set_new(f, "arch", json_string(u.machine));
	}
	if (!bh_engine_version(a->o->engine_host, &a->o->scan.limits, &v, &err)) {
		const char *name = NULL;
		const json_t *c;
		size_t i;
		json_array_foreach(json_object_get(v, "Components"), i, c)
			if (!name)
				name = jget(c, "Name");
		json_object_set_new(f, "engine", json_string(name && strstr(name, "Podman") ? "podman" : "docker"));
		if (jget(v, "Version"))
			json_object_set_new(f, "engine_version", json_string(jget(v, "Version")));
		if (jget(v, "ApiVersion"))
			json_object_set_new(f, "engine_api_version", json_string(jget(v, "ApiVersion")));
		json_decref(v);
	} else {
		bh_log_warn("agent: engine version: %s", err.msg);
	}
	emit(a, "host.facts", NULL, (int64_t)time(NULL), f);
}

/* ---------------------------------------------------------------- CIS results */

static const char *status_of(const bh_check_finding *f)
{
	return f->status ? f->status : "fail";
}

/* {"container_id": C, "checks": [...]} as POST /api/v1/hosts/{name}/checks takes it (caller frees). */
static char *checks_body(const char *container, const bh_checks *c)
{
	json_t *arr = json_array(), *o;
	char *text = NULL;
	size_t i;
	if (!arr)
		return NULL;
	for (i = 0; i < c->n; i++) {
		const bh_check_finding *f = &c->items[i];
		char sev[16];
		const char *sn = bh_severity_name(f->severity);
		size_t k;
		for (k = 0; sn[k] && k + 1 < sizeof(sev); k++)
			sev[k] = (char)tolower((unsigned char)sn[k]);
		sev[k] = '\0';
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s?}", "rule_id", f->rule, "target", f->target,
						     "status", status_of(f), "severity", sev, "title", f->title, "detail", f->detail));
	}
	if ((o = json_pack("{s:s, s:o}", "container_id", container ? container : "", "checks", arr)) != NULL)
		text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* POST the body; 0 sent or refused (given up), 1 away. */
static int checks_post(agent *a, const char *body)
{
	bh_buf path = BH_BUF_INIT;
	long st;
	int k = AWAY;
	if (!bh_buf_puts(&path, "/api/v1/hosts/") && !bh_http_escape(&path, a->host) && !bh_buf_puts(&path, "/checks"))
		k = server_do(a, BH_HTTP_POST, path.data, "application/json", body, strlen(body), &st, NULL);
	bh_buf_free(&path);
	if (k == SENT)
		a->checks_sent++;
	return k == AWAY;
}

/* Keeps body (stolen) to resend, in place of an older one of the same container. */
static void pchk_add(agent *a, const char *container, char *body)
{
	size_t i;
	for (i = 0; i < a->npchk; i++)
		if (!strcmp(a->pchk[i].container, container)) {
			free(a->pchk[i].body);
			a->pchk[i].body = body;
			return;
		}
	if (a->npchk == a->cappchk) {
		size_t nc = a->cappchk ? a->cappchk * 2 : 8;
		struct pending_checks *np = nc <= SIZE_MAX / sizeof(*np) ? realloc(a->pchk, nc * sizeof(*np)) : NULL;
		if (!np) {
			free(body);
			return;
		}
		a->pchk = np;
		a->cappchk = nc;
	}
	if (!(a->pchk[a->npchk].container = strdup(container))) {
		free(body);
		return;
	}
	a->pchk[a->npchk++].body = body;
}

static void pchk_flush(agent *a)
{
	while (a->npchk && !cancelled(a)) {
		if (checks_post(a, a->pchk[0].body))
			return;
		free(a->pchk[0].container);
		free(a->pchk[0].body);
		memmove(a->pchk, a->pchk + 1, (a->npchk - 1) * sizeof(*a->pchk));
		a->npchk--;
	}
}

/* Sends (or keeps) the results of the host (container "") or of one container; c NULL: none (it is gone). Locked. */
static void send_checks(agent *a, const char *container, const bh_checks *c)
{
	static const bh_checks none;
	char *body = checks_body(container, c ? c : &none);
	size_t i;
	if (!body)
		return;
	/* an older result of the same container waiting to go is replaced, not sent first */
	for (i = 0; i < a->npchk; i++)
		if (!strcmp(a->pchk[i].container, container))
			break;
	if (i == a->npchk && !checks_post(a, body)) {
		free(body);
		return;
	}
	pchk_add(a, container, body);
}

/* CIS Docker Benchmark sections 1-3 of this host (files under the host root). Locked by the caller. */
static void host_checks(agent *a)
{
	bh_checks c = { NULL, 0, 0 };
	bh_error err;
	const char *root = a->o->host_root ? a->o->host_root : "/";
	if (bh_host_check(root, &c, &err))
		bh_log_warn("agent: host checks of %s: %s", root, err.msg);
	else
		send_checks(a, "", &c);
	bh_checks_free(&c);
}

/* CIS section 5 of one container, from its inspect document. Locked by the caller. */
static void container_checks(agent *a, const char *id, const json_t *ins)
{
	bh_checks c = { NULL, 0, 0 };
	bh_error err;
	if (bh_container_check(ins, &c, &err))
		bh_log_warn("agent: container checks of %s: %s", id, err.msg);
	else
		send_checks(a, id, &c);
	bh_checks_free(&c);
}

/* Every image (SBOM once per digest) and every container, stopped ones too (their last start and stop). */
static int inventory(agent *a, bh_error *err)
{
	json_t *imgs = NULL, *cons = NULL, *x;
	const char **ds = NULL;
	char (*dbuf)[80] = NULL;
	size_t i, nd = 0, running = 0;
	int rc;
	if ((rc = bh_engine_image_list(a->o->engine_host, &a->o->scan.limits, &imgs, err)) != 0)
		return rc;
	if ((rc = bh_engine_container_list_all(a->o->engine_host, &a->o->scan.limits, &cons, err)) != 0) {
		json_decref(imgs);
		return rc;
	}
	pthread_mutex_lock(&a->mu);
	host_facts(a);
	host_checks(a);
	/* one question for every digest of the listing, in batches the server takes */
	if (json_array_size(imgs) && (ds = calloc(json_array_size(imgs), sizeof(*ds))) &&
	    (dbuf = calloc(json_array_size(imgs), sizeof(*dbuf)))) {
		json_array_foreach(imgs, i, x)
			if (norm_digest(jget(x, "Id"), dbuf[nd], sizeof(dbuf[nd])))
				ds[nd] = dbuf[nd], nd++;
		size_t asked = 0, have = 0;
		for (i = 0; i < nd && !cancelled(a); i += BH_KNOWN_BATCH)
			if (!ask_known(a, ds + i, nd - i < BH_KNOWN_BATCH ? nd - i : BH_KNOWN_BATCH))
				asked += nd - i < BH_KNOWN_BATCH ? nd - i : BH_KNOWN_BATCH;
		for (i = 0; i < nd; i++)
			have += is_known(a, ds[i]);
		if (asked)
			bh_log_info("agent: the server has %zu of %zu images (asked %zu digests)", have, nd, asked);
	}
	free(ds);
	free(dbuf);
	json_array_foreach(imgs, i, x) {
		if (cancelled(a))
			break;
		ensure_image(a, jget(x, "Id"));
	}
	json_array_foreach(cons, i, x) {
		json_t *ins = NULL, *p;
		const json_t *state;
		char digest[80];
		bh_error e2;
		const char *id = jget(x, "Id"), *status;
		int64_t started, finished;
		if (cancelled(a) || !id)
			break;
		if (bh_engine_container_inspect(a->o->engine_host, id, &a->o->scan.limits, &ins, &e2)) {
			bh_log_warn("agent: container %s: %s", id, e2.msg);
			continue;
		}
		state = json_object_get(ins, "State");
		status = jget(state, "Status");
		started = rfc3339(jget(state, "StartedAt"));
		finished = rfc3339(jget(state, "FinishedAt"));
		p = container_summary(ins, digest, sizeof(digest));
		if (p)
			json_object_set_new(p, "listed", json_true()); /* from the listing at start, not an engine event */
		if (digest[0])
			ensure_image(a, digest);
		container_checks(a, id, ins);
		if (json_is_true(json_object_get(state, "Running")) || (status && !strcmp(status, "running"))) {
			running++;
			emit(a, "container.start", id, started ? started : (int64_t)time(NULL), p);
		} else if (started) {
			/* stopped: its last run, start then stop, with the engine's times */
			emit(a, "container.start", id, started, p ? json_deep_copy(p) : NULL);
			emit(a, "container.die", id, finished >= started ? finished : started, p);
		} else {
			emit(a, "container.create", id, rfc3339(jget(ins, "Created")) ? rfc3339(jget(ins, "Created")) : (int64_t)time(NULL), p);
		}
		json_decref(ins);
	}
	pthread_mutex_unlock(&a->mu);
	bh_log_info("agent: %zu images, %zu containers (%zu running)", json_array_size(imgs), json_array_size(cons), running);
	json_decref(imgs);
	json_decref(cons);
	return 0;
}

/* ---------------------------------------------------------------- the event stream */

static const char *action_of(const char *type, const char *act)
{
	static const char *const con[][2] = { { "create", "create" }, { "start", "start" }, { "die", "die" }, { "died", "die" },
					      { "stop", "stop" }, { "destroy", "destroy" }, { "remove", "destroy" } };
	static const char *const img[][2] = { { "pull", "pull" }, { "tag", "tag" }, { "untag", "untag" },
					      { "delete", "delete" }, { "remove", "delete" } };
	size_t i;
	if (!act)
		return NULL;
	if (!strcmp(type, "container")) {
		for (i = 0; i < sizeof(con) / sizeof(con[0]); i++)
			if (!strcmp(act, con[i][0]))
				return con[i][1];
	} else if (!strcmp(type, "image")) {
		for (i = 0; i < sizeof(img) / sizeof(img[0]); i++)
			if (!strcmp(act, img[i][0]))
				return img[i][1];
	}
	return NULL;
}

static int on_event(void *ud, json_t *ev, bh_error *err)
{
	agent *a = ud;
	const char *type = jget(ev, "Type"), *act, *id;
	const json_t *actor = json_object_get(ev, "Actor"), *attrs = json_object_get(actor, "Attributes");
	char etype[64], digest[80];
	json_int_t t = json_integer_value(json_object_get(ev, "time"));
	json_t *p = NULL, *ins = NULL;
	bh_error e2;
	if (!type || !(act = action_of(type, jget(ev, "Action") ? jget(ev, "Action") : jget(ev, "status"))))
		return 0;
	id = jget(actor, "ID") ? jget(actor, "ID") : jget(ev, "id");
	/* podman sends an image "pull" with an empty ID whenever `run` uses a local image: the
	 * image's name is what can be inspected then */
	if (id && !*id && !strcmp(type, "image"))
		id = jget(attrs, "name");
	if (!id || !*id)
		return 0;
	if (t <= 0)
		t = (json_int_t)time(NULL);
	snprintf(etype, sizeof(etype), "%s.%s", type, act);
	pthread_mutex_lock(&a->mu);
	if (!strcmp(type, "container")) {
		digest[0] = '\0';
		if (strcmp(act, "destroy") != 0 &&
		    !bh_engine_container_inspect(a->o->engine_host, id, &a->o->scan.limits, &ins, &e2))
			p = container_summary(ins, digest, sizeof(digest));
		if (!p)
			p = json_pack("{s:s, s:s?, s:s?}", "id", id, "name", jget(attrs, "name"), "image_ref", jget(attrs, "image"));
		if (p)
			json_object_set_new(p, "action", json_string(jget(ev, "Action") ? jget(ev, "Action") : act));
		/* a new digest gets its SBOM before the event that names it */
		if (digest[0] && (!strcmp(act, "create") || !strcmp(act, "start")))
			ensure_image(a, digest);
		emit(a, etype, id, (int64_t)t, p);
		/* the network map names the new container's address (or keeps the one that left) */
		if (!strcmp(act, "start") || !strcmp(act, "die") || !strcmp(act, "stop"))
			bh_rtfeed_containers_changed(a->rt);
		if (ins && (!strcmp(act, "create") || !strcmp(act, "start")))
			container_checks(a, id, ins);
		else if (!strcmp(act, "destroy"))
			send_checks(a, id, NULL);
	} else {
		digest[0] = '\0';
		if (strcmp(act, "delete") != 0 &&
		    !bh_engine_image_inspect(a->o->engine_host, id, &a->o->scan.limits, &ins, &e2))
			norm_digest(jget(ins, "Id"), digest, sizeof(digest));
		else
			norm_digest(id, digest, sizeof(digest));
		p = json_pack("{s:s, s:s?, s:s?}", "id", id, "digest", digest[0] ? digest : NULL, "name", jget(attrs, "name"));
		if (digest[0] && strcmp(act, "delete") != 0)
			ensure_image(a, digest);
		emit(a, etype, NULL, (int64_t)t, p);
	}
	pthread_mutex_unlock(&a->mu);
	json_decref(ins);
	(void)err;
	return cancelled(a) ? BH_ENGINE_STOP : 0;
}

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* ---------------------------------------------------------------- baselines */

struct blver {
	char repo[BH_BL_STR_MAX];
	uint64_t version;
};

/* The version of the server's label rules this agent last wrote into its modes.yaml (or sent from
 * it), in a dot file of the dir (the monitor's scan skips dot files); -1: never synced. */
#define MODES_SEEN ".modes.version"

static int64_t modes_seen(const agent *a)
{
	char path[1100], buf[32] = "";
	FILE *fp;
	snprintf(path, sizeof(path), "%s/" MODES_SEEN, a->bldir);
	if (!(fp = fopen(path, "re")))
		return -1;
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = 0;
	fclose(fp);
	return buf[0] >= '0' && buf[0] <= '9' ? strtoll(buf, NULL, 10) : -1;
}

static void modes_seen_put(const agent *a, int64_t v)
{
	char path[1100], tmp[1200];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/" MODES_SEEN, a->bldir);
	snprintf(tmp, sizeof(tmp), "%s/" MODES_SEEN ".tmp", a->bldir);
	if ((fp = fopen(tmp, "we"))) {
		bool ok = fprintf(fp, "%" PRId64 "\n", v) > 0;
		if (fclose(fp) || !ok || rename(tmp, path))
			unlink(tmp);
	}
}

/*
 * The label rules (modes.yaml in the dir, runtime/blmodes.h) from the server: a version the agent
 * has not written yet replaces the file whole (the feed's monitor re-reads it within 2 s). While the
 * server has none (version 0), a modes.yaml of this host's own is sent once (PUT, which the server
 * takes from an agent only then). The server's rules win over local edits of the file.
 */
static void modes_sync(agent *a)
{
	bh_buf body = BH_BUF_INIT;
	json_t *doc = NULL, *d = NULL;
	bh_blmodes *ms = NULL;
	char *text = NULL, *local = NULL;
	int64_t version, seen = modes_seen(a);
	long status = 0;
	size_t len = 0;
	bh_error err;

	memset(&err, 0, sizeof(err));
	if (server_do(a, BH_HTTP_GET, "/api/v1/baselines/modes", NULL, NULL, 0, &status, &body) != SENT)
		goto out;
	doc = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
	if (!json_is_object(doc) || !json_is_integer(json_object_get(doc, "version")))
		goto out;
	version = json_integer_value(json_object_get(doc, "version"));
	if (version == 0) {
		char path[1100];
		int k;
		snprintf(path, sizeof(path), "%s/%s", a->bldir, BH_BLMODES_FILE);
		if (seen >= 0 || bh_file_read_all(path, BH_BLMODES_FILE_MAX, "modes file", &local, &len, &err))
			goto out; /* sent once already, or no rules of its own */
		if (bh_blmodes_load(local, len, path, &ms, &err)) {
			bh_log_warn("agent: %s not sent to the server: %s", path, err.msg);
			modes_seen_put(a, 0);
			goto out;
		}
		bh_buf_reset(&body);
		k = server_do(a, BH_HTTP_PUT, "/api/v1/baselines/modes", "application/yaml", local, len, &status, &body);
		if (k == SENT) {
			json_decref(doc);
			doc = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
			version = json_integer_value(json_object_get(doc, "version"));
			modes_seen_put(a, version);
			bh_log_info("agent: label rules of %s sent to the server (%zu rules, version %" PRId64 ")", path, bh_blmodes_count(ms), version);
		} else if (k == REFUSED) {
			modes_seen_put(a, 0); /* another agent was first, or the server refused them: not again */
		}
		goto out;
	}
	if (version == seen)
		goto out;
	/* through the one parser: what the monitor will read is checked before it is written */
	if (!(d = json_pack("{s:s, s:s, s:o}", "apiVersion", BH_BL_API_VERSION, "kind", BH_BLMODES_KIND, "labels",
			    json_is_array(json_object_get(doc, "labels")) ? json_incref(json_object_get(doc, "labels")) : json_array())) ||
	    !(text = json_dumps(d, JSON_COMPACT)))
		goto out;
	if (bh_blmodes_load(text, strlen(text), "the server's label rules", &ms, &err) || bh_blmodes_write(ms, a->bldir, &err)) {
		bh_log_warn("agent: label rules version %" PRId64 " from the server not written: %s", version, err.msg);
		goto out;
	}
	modes_seen_put(a, version);
	bh_log_info("agent: label rules version %" PRId64 " from the server (%zu rules) written to %s/%s", version, bh_blmodes_count(ms),
		    a->bldir, BH_BLMODES_FILE);
out:
	bh_blmodes_free(ms);
	free(text);
	free(local);
	json_decref(d);
	json_decref(doc);
	bh_buf_free(&body);
}

/*
 * The agent's baseline dir and the server's baselines made the same, newest version winning: a
 * baseline this agent learned (or a newer one of its own) is sent (POST /api/v1/baselines, YAML);
 * one the server has newer (a mode changed or a deviation accepted in the dashboard) is written
 * into the dir, where the feed's monitor reads it within 2 s; then the label rules (modes_sync).
 * The server away: tried again later.
 */
static void baseline_sync(agent *a)
{
	struct blver *srv = NULL, *loc = NULL;
	size_t ns = 0, nl = 0, i, j;
	bh_buf body = BH_BUF_INIT;
	json_t *doc = NULL, *it;
	long status = 0;
	DIR *dp;
	struct dirent *de;

	if (server_do(a, BH_HTTP_GET, "/api/v1/baselines", NULL, NULL, 0, &status, &body) != SENT ||
	    !(doc = json_loadb(body.data ? body.data : "", body.len, 0, NULL)))
		goto out;
	ns = json_array_size(json_object_get(doc, "items"));
	if (ns > 10000 || (ns && !(srv = calloc(ns, sizeof(*srv)))))
		goto out;
	json_array_foreach(json_object_get(doc, "items"), i, it) {
		const char *r = json_string_value(json_object_get(it, "repository"));
		if (!srv || i >= ns)
			break;
		snprintf(srv[i].repo, sizeof(srv[i].repo), "%s", r ? r : "");
		srv[i].version = (uint64_t)json_integer_value(json_object_get(it, "version"));
	}
	if (!(dp = opendir(a->bldir)))
		goto pull;
	while ((de = readdir(dp)) && nl < 10000) {
		char path[2048], *data = NULL;
		size_t l = strlen(de->d_name), len = 0;
		bh_baseline *b = NULL;
		bh_error err;
		struct blver *nv;
		if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", a->bldir, de->d_name);
		if (bh_file_read_all(path, BH_BL_FILE_MAX, "baseline", &data, &len, &err) ||
		    bh_baseline_load(data, len, path, &b, &err)) {
			free(data);
			continue;
		}
		if (!(nv = realloc(loc, (nl + 1) * sizeof(*loc)))) {
			free(data);
			bh_baseline_free(b);
			break;
		}
		loc = nv;
		snprintf(loc[nl].repo, sizeof(loc[nl].repo), "%s", bh_baseline_repository(b));
		loc[nl].version = bh_baseline_version(b);
		for (j = 0; j < ns && strcmp(srv[j].repo, loc[nl].repo) != 0; j++)
			;
		if (j == ns || loc[nl].version > srv[j].version) {
			if (server_do(a, BH_HTTP_POST, "/api/v1/baselines", "application/yaml", data, len, &status, NULL) == SENT)
				bh_log_info("agent: baseline %s version %" PRIu64 " sent", loc[nl].repo, loc[nl].version);
		}
		nl++;
		free(data);
		bh_baseline_free(b);
	}
	closedir(dp);
pull:
	for (i = 0; i < ns; i++) {
		char name[1024], path[2048], tmp[2100];
		bh_buf url = BH_BUF_INIT, y = BH_BUF_INIT;
		FILE *fp;
		for (j = 0; j < nl && strcmp(loc[j].repo, srv[i].repo) != 0; j++)
			;
		if ((j < nl && loc[j].version >= srv[i].version) || bh_blmon_file_of(srv[i].repo, name, sizeof(name)))
			continue;
		bh_buf_puts(&url, "/api/v1/baselines/doc?format=yaml&repository=");
		bh_http_escape(&url, srv[i].repo);
		if (bh_buf_oom(&url) || server_do(a, BH_HTTP_GET, url.data, NULL, NULL, 0, &status, &y) != SENT || !y.len) {
			bh_buf_free(&url);
			bh_buf_free(&y);
			continue;
		}
		/* whole files only: the monitor re-reads the dir while this runs */
		snprintf(path, sizeof(path), "%s/%s", a->bldir, name);
		snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", a->bldir, name);
		if ((fp = fopen(tmp, "we"))) {
			bool ok = fwrite(y.data, 1, y.len, fp) == y.len;
			if (fclose(fp) == 0 && ok && rename(tmp, path) == 0)
				bh_log_info("agent: baseline %s version %" PRIu64 " from the server", srv[i].repo, srv[i].version);
			else
				unlink(tmp);
		}
		bh_buf_free(&url);
		bh_buf_free(&y);
	}
	modes_sync(a);
out:
	json_decref(doc);
	bh_buf_free(&body);
	free(srv);
	free(loc);
}

/*
 * Resends the spool about once a second while the main thread waits on the event stream, and at
 * once when the runtime feed queued envelopes (they are spooled, then sent in order). While the
 * server is away, the sends stay about a second apart whatever the feed queues.
 */
static void *flusher(void *ud)
{
	agent *a = ud;
	struct timespec last;
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (!atomic_load(&a->stop) && !cancelled(a)) {
		bool kicked;
		pthread_mutex_lock(&a->kmu);
		if (!a->kicked) {
			struct timespec dl;
			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_nsec += 200 * 1000 * 1000; /* short waits: a signal only sets the cancel flag */
			if (dl.tv_nsec >= 1000000000L) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&a->kcv, &a->kmu, &dl);
		}
		kicked = a->kicked;
		a->kicked = false;
		pthread_mutex_unlock(&a->kmu);
		if (!kicked && since(&last) < 1.0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &last);
		pthread_mutex_lock(&a->mu);
		rt_drain(a);
		if ((!bh_spool_empty(a->sp) || a->npend || a->npchk) && (!a->away || since(&a->last_try) >= 1.0)) {
			clock_gettime(CLOCK_MONOTONIC, &a->last_try);
			flush(a);
		}
		if (a->bldir[0] && since(&a->last_blsync) >= BH_AGENT_BASELINE_SYNC_S) {
			clock_gettime(CLOCK_MONOTONIC, &a->last_blsync);
			baseline_sync(a);
		}
		pthread_mutex_unlock(&a->mu);
	}
	return NULL;
}

static void nap(const agent *a, unsigned seconds)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	unsigned i;
	for (i = 0; i < seconds * 10 && !cancelled(a); i++)
		nanosleep(&ts, NULL);
}

static void follow(agent *a, bool relist)
{
	json_t *filters = json_pack("{s:[s,s]}", "type", "container", "image");
	bh_engine_events_opts eo;
	unsigned backoff = 1;
	while (!cancelled(a)) {
		bh_error err;
		time_t started = time(NULL);
		int rc;
		if (relist) {
			if (inventory(a, &err) != 0) {
				bh_log_warn("agent: engine: %s; retrying in %u s", err.msg, backoff);
				nap(a, backoff);
				backoff = backoff < 30 ? backoff * 2 : 60;
				continue;
			}
			bh_log_info("agent: engine back");
		}
		memset(&eo, 0, sizeof(eo));
		eo.filters = filters;
		eo.cancel = a->o->cancel;
		rc = bh_engine_events(a->o->engine_host, &eo, on_event, a, &err);
		if (cancelled(a))
			break;
		if (time(NULL) - started > 30)
			backoff = 1;
		bh_log_warn("agent: engine event stream ended (%s); reconnecting in %u s", rc ? err.msg : "closed", backoff);
		nap(a, backoff);
		backoff = backoff < 30 ? backoff * 2 : 60;
		relist = true; /* what happened while away is read from the engine's state */
	}
	json_decref(filters);
}

int bh_agent_run(const bh_agent_opts *o, bh_error *err)
{
	agent a;
	pthread_t th;
	bool have_thread = false;
	size_t i;
	int rc;

	if (!o->server || (strncmp(o->server, "http://", 7) != 0 && strncmp(o->server, "https://", 8) != 0))
		return bh_error_set(err, BH_EUSAGE, "--server must be an http:// or https:// URL");
	if (!o->token || !*o->token || strpbrk(o->token, "\r\n"))
		return bh_error_set(err, BH_EUSAGE, "--token is required (bulkhead token create --role agent --host NAME)");
	memset(&a, 0, sizeof(a));
	atomic_init(&a.stop, 0);
	a.o = o;
	if (o->host)
		snprintf(a.host, sizeof(a.host), "%s", o->host);
	else if (gethostname(a.host, sizeof(a.host) - 1))
		snprintf(a.host, sizeof(a.host), "localhost");
	snprintf(a.auth, sizeof(a.auth), "Authorization: Bearer %s", o->token);
	if (strlen(o->token) > 1000)
		return bh_error_set(err, BH_EUSAGE, "--token is too long");
	if (o->runtime && o->once)
		return bh_error_set(err, BH_EUSAGE, "--runtime follows the host: it does not go with --once");
	if ((rc = bh_spool_open(o->spool_dir ? o->spool_dir : BH_AGENT_SPOOL_DIR, o->spool_max, &a.sp, err)) != 0)
		return rc;
	pthread_mutex_init(&a.mu, NULL);
	pthread_mutex_init(&a.kmu, NULL);
	pthread_cond_init(&a.kcv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a.last_try);
	if (o->runtime) {
		bh_rtfeed_opts ro;
		bh_error rerr;
		memset(&ro, 0, sizeof(ro));
		ro.engine_host = o->engine_host;
		ro.rule_files = o->rule_files;
		ro.nrule_files = o->nrule_files;
		ro.no_default_rules = o->no_default_rules;
		ro.network_interval_s = o->network_interval_s;
		ro.network_no_bytes = o->network_no_bytes;
		ro.notify = rt_kick;
		ro.notify_ud = &a;
		if (o->baselines) {
			snprintf(a.bldir, sizeof(a.bldir), "%s/baselines", bh_spool_dir(a.sp));
			if (mkdir(a.bldir, 0700) && errno != EEXIST) {
				rc = bh_error_set(err, BH_EIO, "%s: %s", a.bldir, strerror(errno));
				goto done;
			}
			ro.baseline_dir = a.bldir;
			ro.learn_repos = o->learn_repos;
			ro.nlearn_repos = o->nlearn_repos;
			ro.learn_s = o->learn_s;
			ro.quiet_s = o->quiet_s;
			ro.learn_events = o->learn_events;
			/* the server's baselines before the first event is matched */
			baseline_sync(&a);
		}
		if ((rc = bh_rtfeed_start(&ro, &a.rt, &rerr)) != 0) {
			if (rc == BH_EUSAGE || rc == BH_ENOMEM || o->runtime_required) {
				*err = rerr;
				if (rc != BH_EUSAGE && rc != BH_ENOMEM)
					bh_error_set(err, rc, "runtime monitoring required (--runtime-required) but the sensor cannot start: %s",
						     rerr.msg);
				goto done;
			}
			/* said once; the rest of the agent does not need the kernel's hooks */
			bh_log_warn("agent: runtime monitoring is off: %s", rerr.msg);
			pthread_mutex_lock(&a.mu);
			emit(&a, "runtime.stats", NULL, (int64_t)time(NULL), bh_rtfeed_unavailable(rerr.msg));
			pthread_mutex_unlock(&a.mu);
		} else {
			size_t on, all;
			bh_rtfeed_hooks(a.rt, &on, &all);
			bh_log_info("agent: runtime sensor on: %zu of %zu hooks attached", on, all);
		}
	}
	/* what an earlier run left goes first */
	pthread_mutex_lock(&a.mu);
	flush(&a);
	pthread_mutex_unlock(&a.mu);
	rc = inventory(&a, err);
	if (rc && o->once)
		goto done;
	if (!o->once) {
		if (rc)
			bh_log_warn("agent: engine: %s; retrying", err->msg);
		have_thread = pthread_create(&th, NULL, flusher, &a) == 0;
		follow(&a, rc != 0);
		rc = 0;
	}
	atomic_store(&a.stop, 1);
	if (have_thread)
		pthread_join(th, NULL);
	/* the feed's last poll and stats go into the spool with the rest */
	bh_rtfeed_stop(a.rt);
	pthread_mutex_lock(&a.mu);
	rt_drain(&a);
	flush(&a);
	if (o->once && !bh_spool_empty(a.sp))
		rc = bh_error_set(err, BH_ENET, "the server is away: %" PRIu64 " bytes of events stay in the spool %s for the next run",
				  bh_spool_bytes(a.sp), bh_spool_dir(a.sp));
	pthread_mutex_unlock(&a.mu);
done:
	bh_log_info("agent: %lu events sent, %lu spooled, %lu refused, %lu dropped (spool full), %lu images uploaded, "
		    "%lu check sets sent, %zu not sent, %lu runtime events", a.sent, a.spooled, a.refused, bh_spool_dropped(a.sp),
		    a.uploads, a.checks_sent, a.npchk, a.rt_spooled);
	bh_rtfeed_free(a.rt);
	for (i = 0; i < a.nknown; i++)
		free(a.known[i]);
	free(a.known);
	for (i = 0; i < a.npend; i++) {
		free(a.pend[i].digest);
		free(a.pend[i].sbom);
	}
	free(a.pend);
	for (i = 0; i < a.npchk; i++) {
		free(a.pchk[i].container);
		free(a.pchk[i].body);
	}
	free(a.pchk);
	pthread_mutex_destroy(&a.mu);
	pthread_mutex_destroy(&a.kmu);
	pthread_cond_destroy(&a.kcv);
	bh_spool_close(a.sp);
	return rc;
}
