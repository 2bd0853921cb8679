/* agent.c - `bulkhead agent`: host facts, images, containers and engine events to the server, spooled while it is away. */
#include "agent/agent.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent/spool.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine/engine.h"
#include "net/http.h"
#include "report/report.h"
#include "sbom/sbom.h"

/* An SBOM that could not be uploaded yet (server away): kept to resend, computed once. */
struct pending {
	char *digest;
	char *sbom;
	size_t len;
};

typedef struct agent {
	const bh_agent_opts *o;
	char host[256];
	char auth[1100];
	bh_spool *sp;
	pthread_mutex_t mu;       /* the spool, the digest sets, the counters */
	char **known;             /* digests the server has (or was sent); also in SPOOL/images */
	size_t nknown, capknown;
	struct pending *pend;
	size_t npend, cappend;
	unsigned long sent, spooled, refused, uploads;
	bool away;                /* the last request got no answer or a 5xx */
	bool no_ask;              /* the server refused this token GET /api/v1/images/{digest} (403) */
	volatile int stop;        /* ends the flusher thread */
} agent;

void bh_agent_opts_default(bh_agent_opts *o)
{
	memset(o, 0, sizeof(*o));
	bh_source_opts_default(&o->scan);
}

static bool cancelled(const agent *a)
{
	return a->o->cancel && *a->o->cancel;
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
		bh_log_warn("agent: %s %s: %s", m == BH_HTTP_POST ? "POST" : "GET", path, err.msg);
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

static void add_known(agent *a, const char *d, bool persist)
{
	char path[4096], *c;
	FILE *fp;
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
	snprintf(path, sizeof(path), "%s/images", bh_spool_dir(a->sp));
	if (persist && (fp = fopen(path, "a")) != NULL) {
		fprintf(fp, "%s\n", d);
		fclose(fp);
	}
}

static void load_known(agent *a)
{
	char path[4096], line[256];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/images", bh_spool_dir(a->sp));
	if (!(fp = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "sha256:", 7))
			add_known(a, line, false);
	}
	fclose(fp);
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
		add_known(a, digest, true);
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
	char digest[80], path[160], target[96];
	bh_buf resp = BH_BUF_INIT;
	bh_sbom s;
	bh_error err;
	long st;
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
	/* a viewer's question; a server that refuses it to agent tokens (403) is not asked again, and
	 * the digests sent are remembered in SPOOL/images instead */
	if (!a->no_ask) {
		snprintf(path, sizeof(path), "/api/v1/images/%s", digest);
		k = server_do(a, BH_HTTP_GET, path, NULL, NULL, 0, &st, &resp);
		bh_buf_free(&resp);
		if (k == SENT) {
			add_known(a, digest, true);
			return;
		}
		if (st == 403) {
			a->no_ask = true;
			bh_log_info("agent: the server does not let this token ask for digests (HTTP 403): using %s/images",
				    bh_spool_dir(a->sp));
		}
	}
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

/* Sends the spool in order while the server takes it; then pending SBOMs. Locked by the caller. */
static void flush(agent *a)
{
	bh_error err;
	while (!bh_spool_empty(a->sp) && !cancelled(a))
		if (bh_spool_send_oldest(a->sp, send_lines, a, &err) <= 0)
			break;
	if (bh_spool_empty(a->sp))
		pend_flush(a);
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

/* The inspect summary the server keeps: id, name, image digest, state, started/finished. */
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
	}
	return p;
}

/* The engine socket's path, for the one call engine/ lacks (GET /version). */
static const char *engine_socket(const agent *a, char *out, size_t n)
{
	const char *h = a->o->engine_host ? a->o->engine_host : getenv("DOCKER_HOST");
	static const char *const defs[] = { "/var/run/docker.sock", "/run/podman/podman.sock" };
	size_t i;
	if (h && !strncmp(h, "unix://", 7)) {
		snprintf(out, n, "%s", h + 7);
		return out;
	}
	for (i = 0; i < 2; i++)
		if (!access(defs[i], R_OK | W_OK)) {
			snprintf(out, n, "%s", defs[i]);
			return out;
		}
	return NULL;
}

static json_t *engine_version(const agent *a)
{
	char sock[4096];
	bh_http_request rq;
	bh_http_response rs = BH_HTTP_RESPONSE_INIT;
	bh_error err;
	json_t *v = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.url = "http://localhost/version";
	if (!(rq.unix_socket = engine_socket(a, sock, sizeof(sock))))
		return NULL;
	rq.timeout_ms = 10000;
	rq.max_size = 1u << 20;
	if (!bh_http_do(&rq, &rs, &err))
		v = json_loadb(rs.body.data, rs.body.len, 0, NULL);
	bh_http_response_free(&rs);
	return v;
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
	json_t *f = json_object(), *v;
	if (!f)
		return;
	json_object_set_new(f, "hostname", json_string(a->host));
	os_release(f);
	if (!uname(&u)) {
		json_object_set_new(f, "kernel", json_string(u.release));
		json_object_set_new(f, "arch", json_string(u.machine));
	}
	if ((v = engine_version(a)) != NULL) {
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
	}
	emit(a, "host.facts", NULL, (int64_t)time(NULL), f);
}

/* Every image (SBOM once per digest) and every running container (a container.start each). */
static int inventory(agent *a, bh_error *err)
{
	json_t *imgs = NULL, *cons = NULL, *x;
	size_t i;
	int rc;
	if ((rc = bh_engine_image_list(a->o->engine_host, &a->o->scan.limits, &imgs, err)) != 0)
		return rc;
	if ((rc = bh_engine_container_list(a->o->engine_host, &a->o->scan.limits, &cons, err)) != 0) {
		json_decref(imgs);
		return rc;
	}
	pthread_mutex_lock(&a->mu);
	host_facts(a);
	json_array_foreach(imgs, i, x) {
		if (cancelled(a))
			break;
		ensure_image(a, jget(x, "Id"));
	}
	json_array_foreach(cons, i, x) {
		json_t *ins = NULL, *p;
		char digest[80];
		bh_error e2;
		const char *id = jget(x, "Id");
		if (cancelled(a) || !id)
			break;
		if (bh_engine_container_inspect(a->o->engine_host, id, &a->o->scan.limits, &ins, &e2)) {
			bh_log_warn("agent: container %s: %s", id, e2.msg);
			continue;
		}
		p = container_summary(ins, digest, sizeof(digest));
		if (digest[0])
			ensure_image(a, digest);
		{
			int64_t t = rfc3339(jget(json_object_get(ins, "State"), "StartedAt"));
			emit(a, "container.start", id, t ? t : (int64_t)time(NULL), p);
		}
		json_decref(ins);
	}
	pthread_mutex_unlock(&a->mu);
	bh_log_info("agent: %zu images, %zu running containers", json_array_size(imgs), json_array_size(cons));
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
	if (!id)
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

/* Resends the spool about once a second while the main thread waits on the event stream. */
static void *flusher(void *ud)
{
	agent *a = ud;
	while (!a->stop && !cancelled(a)) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		int i;
		for (i = 0; i < 5 && !a->stop && !cancelled(a); i++)
			nanosleep(&ts, NULL);
		pthread_mutex_lock(&a->mu);
		if (!bh_spool_empty(a->sp) || a->npend)
			flush(a);
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
	a.o = o;
	if (o->host)
		snprintf(a.host, sizeof(a.host), "%s", o->host);
	else if (gethostname(a.host, sizeof(a.host) - 1))
		snprintf(a.host, sizeof(a.host), "localhost");
	snprintf(a.auth, sizeof(a.auth), "Authorization: Bearer %s", o->token);
	if (strlen(o->token) > 1000)
		return bh_error_set(err, BH_EUSAGE, "--token is too long");
	if ((rc = bh_spool_open(o->spool_dir ? o->spool_dir : BH_AGENT_SPOOL_DIR, o->spool_max, &a.sp, err)) != 0)
		return rc;
	pthread_mutex_init(&a.mu, NULL);
	load_known(&a);
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
	a.stop = 1;
	if (have_thread)
		pthread_join(th, NULL);
	pthread_mutex_lock(&a.mu);
	flush(&a);
	if (o->once && !bh_spool_empty(a.sp))
		rc = bh_error_set(err, BH_ENET, "the server is away: %" PRIu64 " bytes of events stay in the spool %s for the next run",
				  bh_spool_bytes(a.sp), bh_spool_dir(a.sp));
	pthread_mutex_unlock(&a.mu);
done:
	bh_log_info("agent: %lu events sent, %lu spooled, %lu refused, %lu dropped (spool full), %lu images uploaded", a.sent,
		    a.spooled, a.refused, bh_spool_dropped(a.sp), a.uploads);
	for (i = 0; i < a.nknown; i++)
		free(a.known[i]);
	free(a.known);
	for (i = 0; i < a.npend; i++) {
		free(a.pend[i].digest);
		free(a.pend[i].sbom);
	}
	free(a.pend);
	pthread_mutex_destroy(&a.mu);
	bh_spool_close(a.sp);
	return rc;
}
