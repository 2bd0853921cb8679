/* loadgen.c - simulated agents for `bulkhead serve`: each POSTs batches of event envelopes at a fixed rate, resends unacknowledged batches with the same idempotency keys, and records per-request latency. */
/*
 * Built by bench/load.sh and tests/e2e/load.sh (cc ... -lcurl -ljansson -lpthread); not part of
 * the product. One thread per agent, each with its own libcurl easy handle (a kept-alive
 * connection, like the real agent).
 *
 *   loadgen --url http://127.0.0.1:PORT --tokens FILE [--rate R] [--seconds S] [--batch-ms MS]
 *           [--drain S] [--acked FILE] [--log FILE] [--window FILE]
 *
 * FILE of --tokens: one "HOST TOKEN" per line, one agent per line. Keys are HOST/SEQ (SEQ from 1).
 * --acked: every acknowledged key, one per line (the caller counts them in the store).
 * --log: one line per request: start (ms since the epoch), latency (us), outcome.
 * --window: read at the end, "FROM_MS TO_MS" (epoch ms, e.g. a kill and restart): requests that
 * started inside it are left out of the "outside" percentiles (all requests are in "all").
 * Rate: an agent owes floor(elapsed * R) events; every batch-ms tick it sends what it owes (new
 * events after any unacknowledged ones, up to 1000 per POST, the server's cap), so a late tick or
 * a server outage is caught up rather than lost. It stops making events after S seconds and gives
 * the rest --drain seconds (default 30) to be acknowledged, then stops in any case.
 * The last line is machine-readable: "RESULT key=value ...".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_AGENTS 1024
#define MAX_PER_POST 1000

enum outcome { OK = 0, ERR_CONNECT, ERR_TIMEOUT, ERR_HTTP5, ERR_HTTP4, ERR_OTHER, ERR_BADANSWER, NOUTCOME };
static const char *const outcome_name[NOUTCOME] = { "ok", "connect", "timeout", "http5xx", "http4xx", "other", "bad_answer" };

struct sample {
	int64_t start_ms;
	uint32_t lat_us;
	uint8_t outcome;
};

struct agent {
	pthread_t th;
	char host[128];
	char auth[600];
	uint64_t made;        /* events created: keys host/1..made */
	uint64_t acked;       /* keys host/1..acked acknowledged (batches are sent in order) */
	uint64_t accepted, duplicate;
	uint64_t requests;
	uint64_t err[NOUTCOME];
	struct sample *s;
	size_t ns, cs;
	bool drained;
};

static const char *g_url;
static double g_rate = 100, g_secs = 60, g_drain = 30;
static unsigned g_batch_ms = 100;
static struct timespec g_t0;
static atomic_int g_alloc_failed;

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct { char *d; size_t len, cap; } *b = ud;
	size_t add = sz * n;
	if (b->len + add + 1 > b->cap) {
		size_t nc = (b->len + add + 1) * 2;
		char *d = realloc(b->d, nc);
		if (!d)
			return 0;
		b->d = d;
		b->cap = nc;
	}
	memcpy(b->d + b->len, p, add);
	b->len += add;
	b->d[b->len] = '\0';
	return add;
}

static void record(struct agent *a, int64_t start, double lat_s, enum outcome o)
{
	if (a->ns == a->cs) {
		size_t nc = a->cs ? a->cs * 2 : 1024;
		struct sample *ns = realloc(a->s, nc * sizeof(*ns));
		if (!ns) {
			atomic_store(&g_alloc_failed, 1);
			return;
		}
		a->s = ns;
		a->cs = nc;
	}
	a->s[a->ns].start_ms = start;
	a->s[a->ns].lat_us = lat_s * 1e6 > 4e9 ? 4000000000u : (uint32_t)(lat_s * 1e6);
	a->s[a->ns].outcome = (uint8_t)o;
	a->ns++;
	a->requests++;
	a->err[o]++;
}

static void sleep_until(double t)
{
	double d = t - since(&g_t0);
	if (d > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
}

/* One POST of keys acked+1 .. acked+n; true when every event came back accepted or duplicate. */
static bool post_batch(struct agent *a, CURL *c, struct curl_slist *hdrs, uint64_t n, char **body, size_t *bcap)
{
	struct { char *d; size_t len, cap; } ans = { NULL, 0, 0 };
	int64_t start = now_ms(), t = (int64_t)time(NULL);
	struct timespec t0;
	size_t len = 0;
	uint64_t i;
	long code = 0;
	CURLcode cc;
	enum outcome o = OK;
	bool ok = false;

	for (i = 0; i < n; i++) {
		uint64_t seq = a->acked + 1 + i;
		size_t need = len + 512 + strlen(a->host) * 3;
		if (need > *bcap) {
			char *nb = realloc(*body, need * 2);
			if (!nb)
				return false;
			*body = nb;
			*bcap = need * 2;
		}
		len += (size_t)snprintf(*body + len, *bcap - len,
					"{\"type\":\"bench.load\",\"host\":\"%s\",\"container\":\"c%02" PRIu64 "\",\"time\":%" PRId64
					",\"seq\":%" PRIu64 ",\"idempotency_key\":\"%s/%" PRIu64 "\",\"payload\":{\"n\":%" PRIu64 "}}\n",
					a->host, seq % 16, t, seq, a->host, seq, seq);
	}
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, *body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_COULDNT_CONNECT)
		o = ERR_CONNECT;
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		o = ERR_TIMEOUT;
	else if (cc != CURLE_OK)
		o = ERR_OTHER;
	else if (code >= 500)
		o = ERR_HTTP5;
	else if (code != 200)
		o = ERR_HTTP4;
	else {
		json_t *j = ans.d ? json_loads(ans.d, 0, NULL) : NULL;
		json_int_t acc = json_integer_value(json_object_get(j, "accepted"));
		json_int_t dup = json_integer_value(json_object_get(j, "duplicate"));
		json_t *res = json_object_get(j, "results");
		if (j && json_is_array(res) && json_array_size(res) == n && (uint64_t)(acc + dup) == n) {
			a->accepted += (uint64_t)acc;
			a->duplicate += (uint64_t)dup;
			a->acked += n;
			ok = true;
		} else {
			o = ERR_BADANSWER;
		}
		json_decref(j);
	}
	record(a, start, since(&t0), o);
	if (o == ERR_HTTP4 || o == ERR_HTTP5 || o == ERR_BADANSWER)
		fprintf(stderr, "loadgen: %s: HTTP %ld (%s): %.200s\n", a->host, code, outcome_name[o], ans.d ? ans.d : "");
	free(ans.d);
	return ok;
}

static void *agent_main(void *ud)
{
	struct agent *a = ud;
	struct curl_slist *hdrs = NULL;
	char url[512], *body = NULL;
	size_t bcap = 0;
	double tick = g_batch_ms / 1000.0, next = 0;
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	snprintf(url, sizeof(url), "%s/api/v1/events", g_url);
	hdrs = curl_slist_append(hdrs, a->auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/x-ndjson");
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	/* agents start spread over one tick, as real ones would not be in step */
	next = tick * (double)(rand() % 1000) / 1000.0;
	for (;;) {
		double t;
		uint64_t owe;
		sleep_until(next);
		t = since(&g_t0);
		owe = (uint64_t)((t < g_secs ? t : g_secs) * g_rate);
		if (owe > a->made)
			a->made = owe;
		if (t >= g_secs + g_drain)
			break;
		while (a->acked < a->made) {
			uint64_t n = a->made - a->acked;
			if (n > MAX_PER_POST)
				n = MAX_PER_POST;
			if (!post_batch(a, c, hdrs, n, &body, &bcap))
				break; /* resent at the next tick, same keys */
			if (since(&g_t0) >= g_secs + g_drain)
				break;
		}
		if (t >= g_secs && a->acked == a->made) {
			a->drained = true;
			break;
		}
		next += tick;
		if (next < since(&g_t0) - tick)
			next = since(&g_t0); /* a long stall: no burst of empty ticks */
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	free(body);
	return NULL;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

static double pct(const uint32_t *v, size_t n, double p)
{
	size_t i;
	if (!n)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i] / 1000.0;
}

static void usage(void)
{
	fputs("usage: loadgen --url URL --tokens FILE [--rate EV_PER_S] [--seconds S] [--batch-ms MS] [--drain S]\n"
	      "               [--acked FILE] [--log FILE] [--window FILE]\n", stderr);
}

int main(int argc, char **argv)
{
	const char *tokfile = NULL, *ackfile = NULL, *logfile = NULL, *winfile = NULL;
	static struct agent ag[MAX_AGENTS];
	size_t na = 0, i, k, nall = 0, nout = 0;
	uint64_t made = 0, acked = 0, acc = 0, dup = 0, reqs = 0, err[NOUTCOME] = { 0 };
	int64_t wfrom = 0, wto = 0;
	uint32_t *all, *out;
	char line[1024];
	unsigned drained = 0;
	FILE *f;

	for (i = 1; i < (size_t)argc; i++) {
		const char *o = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
		if (!v) {
			usage();
			return 2;
		}
		if (!strcmp(o, "--url"))
			g_url = v;
		else if (!strcmp(o, "--tokens"))
			tokfile = v;
		else if (!strcmp(o, "--rate"))
			g_rate = atof(v);
		else if (!strcmp(o, "--seconds"))
			g_secs = atof(v);
		else if (!strcmp(o, "--batch-ms"))
			g_batch_ms = (unsigned)atoi(v);
		else if (!strcmp(o, "--drain"))
			g_drain = atof(v);
		else if (!strcmp(o, "--acked"))
			ackfile = v;
		else if (!strcmp(o, "--log"))
			logfile = v;
		else if (!strcmp(o, "--window"))
			winfile = v;
		else {
			usage();
			return 2;
		}
		i++;
	}
	if (!g_url || !tokfile || g_rate <= 0 || g_secs <= 0 || g_drain < 0 || g_batch_ms < 1 || g_batch_ms > 10000) {
		usage();
		return 2;
	}
	if (!(f = fopen(tokfile, "r"))) {
		perror(tokfile);
		return 2;
	}
	while (na < MAX_AGENTS && fgets(line, sizeof(line), f)) {
		char h[128], t[520];
		if (sscanf(line, "%127s %519s", h, t) != 2)
			continue;
		snprintf(ag[na].host, sizeof(ag[na].host), "%s", h);
		snprintf(ag[na].auth, sizeof(ag[na].auth), "Authorization: Bearer %s", t);
		na++;
	}
	fclose(f);
	if (!na) {
		fprintf(stderr, "loadgen: no agents in %s\n", tokfile);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	srand((unsigned)getpid());
	clock_gettime(CLOCK_MONOTONIC, &g_t0);
	fprintf(stderr, "loadgen: %zu agents x %.0f ev/s x %.0f s, a POST every %u ms, start %" PRId64 "\n", na, g_rate,
		g_secs, g_batch_ms, now_ms());
	for (i = 0; i < na; i++)
		if (pthread_create(&ag[i].th, NULL, agent_main, &ag[i])) {
			fprintf(stderr, "loadgen: cannot start agent thread %zu\n", i);
			return 1;
		}
	for (i = 0; i < na; i++)
		pthread_join(ag[i].th, NULL);
	curl_global_cleanup();

	if (winfile && (f = fopen(winfile, "r"))) {
		if (fscanf(f, "%" SCNd64 " %" SCNd64, &wfrom, &wto) != 2)
			wfrom = wto = 0;
		fclose(f);
	}
	for (i = 0; i < na; i++)
		nall += ag[i].ns;
	all = malloc((nall + 1) * sizeof(*all));
	out = malloc((nall + 1) * sizeof(*out));
	if (!all || !out || atomic_load(&g_alloc_failed)) {
		fputs("loadgen: out of memory\n", stderr);
		return 1;
	}
	nall = 0;
	for (i = 0; i < na; i++) {
		struct agent *a = &ag[i];
		made += a->made;
		acked += a->acked;
		acc += a->accepted;
		dup += a->duplicate;
		reqs += a->requests;
		drained += a->drained;
		for (k = 0; k < NOUTCOME; k++)
			err[k] += a->err[k];
		for (k = 0; k < a->ns; k++) {
			if (a->s[k].outcome != OK)
				continue;
			all[nall++] = a->s[k].lat_us;
			if (!(wto > wfrom && a->s[k].start_ms >= wfrom && a->s[k].start_ms < wto))
				out[nout++] = a->s[k].lat_us;
		}
	}
	qsort(all, nall, sizeof(*all), cmp_u32);
	qsort(out, nout, sizeof(*out), cmp_u32);
	if (ackfile && (f = fopen(ackfile, "w"))) {
		for (i = 0; i < na; i++)
			for (k = 1; k <= ag[i].acked; k++)
				fprintf(f, "%s/%zu\n", ag[i].host, k);
		fclose(f);
	}
	if (logfile && (f = fopen(logfile, "w"))) {
		for (i = 0; i < na; i++)
			for (k = 0; k < ag[i].ns; k++)
				fprintf(f, "%" PRId64 " %u %s %s\n", ag[i].s[k].start_ms, ag[i].s[k].lat_us,
					outcome_name[ag[i].s[k].outcome], ag[i].host);
		fclose(f);
	}
	printf("events sent (made) %" PRIu64 ", acknowledged %" PRIu64 " (accepted %" PRIu64 ", duplicate %" PRIu64
	       "), requests %" PRIu64 " (ok %zu), agents drained %u/%zu\n",
	       made, acked, acc, dup, reqs, nall, drained, na);
	printf("latency ms, all ok requests: p50 %.1f p90 %.1f p99 %.1f max %.1f\n", pct(all, nall, .5), pct(all, nall, .9),
	       pct(all, nall, .99), nall ? all[nall - 1] / 1000.0 : 0);
	printf("latency ms, outside the window (%zu requests): p50 %.1f p90 %.1f p99 %.1f max %.1f\n", nout, pct(out, nout, .5),
	       pct(out, nout, .9), pct(out, nout, .99), nout ? out[nout - 1] / 1000.0 : 0);
	printf("errors:");
	for (k = 1; k < NOUTCOME; k++)
		printf(" %s %" PRIu64, outcome_name[k], err[k]);
	printf("\nRESULT made=%" PRIu64 " acked=%" PRIu64 " accepted=%" PRIu64 " duplicate=%" PRIu64 " requests=%" PRIu64
	       " drained=%u agents=%zu p50=%.1f p90=%.1f p99=%.1f max=%.1f out_p50=%.1f out_p99=%.1f out_max=%.1f"
	       " err_connect=%" PRIu64 " err_timeout=%" PRIu64 " err_5xx=%" PRIu64 " err_4xx=%" PRIu64 " err_other=%" PRIu64
	       " err_answer=%" PRIu64 "\n",
	       made, acked, acc, dup, reqs, drained, na, pct(all, nall, .5), pct(all, nall, .9), pct(all, nall, .99),
	       nall ? all[nall - 1] / 1000.0 : 0, pct(out, nout, .5), pct(out, nout, .99), nout ? out[nout - 1] / 1000.0 : 0,
	       err[ERR_CONNECT], err[ERR_TIMEOUT], err[ERR_HTTP5], err[ERR_HTTP4], err[ERR_OTHER], err[ERR_BADANSWER]);
	for (i = 0; i < na; i++)
		free(ag[i].s);
	free(all);
	free(out);
	return 0;
}
