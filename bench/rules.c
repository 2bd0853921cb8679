/* rules.c - benchmark of the runtime rules: the default set evaluated over 1,000,000 events; ns per event. */
/*
 * usage: rules [--events FILE.jsonl] [--count N] [--rules FILE]...
 *
 * Events: FILE.jsonl holds events as `bulkhead watch -f json` prints them (one per line), cycled to N
 * (default 1,000,000). Without it a mix is generated that looks like a busy host: 50% opens (reads
 * of libraries and config, writes below /tmp and /var, a few below /etc), 20% execs of ordinary
 * programs (shells among them), 12% connects and accepts, 10% exits, 8% privilege events; about
 * 3 in 100 events match a default rule. 4,096 distinct events are built, then walked in order.
 * Prints ns/event for evaluation only (no callback) and with outputs formatted for every match.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "runtime/eventjson.h"
#include "runtime/rules.h"

#define DISTINCT 4096

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const libs[] = { "/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache", "/usr/share/zoneinfo/UTC",
				    "/etc/nsswitch.conf", "/etc/hosts", "/usr/lib/python3.11/os.py", "/app/config.yaml",
				    "/proc/self/status", "/etc/resolv.conf", "/usr/share/nginx/html/index.html" };
static const char *const writes[] = { "/tmp/upload.123", "/var/log/nginx/access.log", "/var/cache/app/x", "/tmp/sess_abc",
				      "/app/data/db.sqlite", "/etc/nginx/conf.d/default.conf", "/usr/local/bin/x" };
static const char *const progs[][2] = { { "nginx", "/usr/sbin/nginx" }, { "curl", "/usr/bin/curl" }, { "python3", "/usr/bin/python3" },
					{ "sh", "/bin/sh" },            { "ls", "/bin/ls" },         { "node", "/usr/local/bin/node" },
					{ "grep", "/bin/grep" },        { "date", "/bin/date" },     { "bash", "/bin/bash" } };

static void gen(bh_rt_event *e, bh_rt_container *c)
{
	unsigned k = rnd(100);
	static const char *const ids[] = { "c0ffee", "beef01", "" };
	memset(e, 0, sizeof(*e));
	c->id = ids[rnd(3)];
	c->name = "web";
	c->image = "docker.io/library/nginx:1.27";
	c->image_digest = "sha256:aa";
	e->pid = 100 + rnd(5000);
	e->ppid = 1;
	e->uid = e->euid = rnd(4) ? 101 : 0;
	strcpy(e->pcomm, "nginx");
	if (k < 50) {
		e->type = BH_RT_OPEN;
		strcpy(e->comm, progs[rnd(9)][0]);
		if (rnd(4)) {
			strcpy(e->path, libs[rnd(10)]);
			e->flags = 0;
		} else {
			strcpy(e->path, writes[rnd(7)]);
			e->flags = 01 | 0100;
		}
	} else if (k < 70) {
		unsigned p = rnd(9);
		e->type = BH_RT_EXEC;
		strcpy(e->comm, progs[p][0]);
		strcpy(e->path, progs[p][1]);
		snprintf(e->args, sizeof(e->args), "%s %s", progs[p][0], p == 3 ? "-c /docker-entrypoint.sh" : "-s http://127.0.0.1/healthz");
		strcpy(e->cwd, "/");
		e->exe_upper = rnd(200) == 0;
	} else if (k < 82) {
		e->type = rnd(2) ? BH_RT_CONNECT : BH_RT_ACCEPT;
		strcpy(e->comm, "nginx");
		e->family = AF_INET;
		e->proto = 6;
		inet_pton(AF_INET, "10.88.0.5", e->saddr);
		inet_pton(AF_INET, "203.0.113.9", e->daddr);
		e->sport = (uint16_t)(30000 + rnd(30000));
		e->dport = rnd(100) ? 443 : 3333;
	} else if (k < 92) {
		e->type = BH_RT_EXIT;
		strcpy(e->comm, progs[rnd(9)][0]);
	} else {
		static const bh_rt_type pt[] = { BH_RT_SETUID, BH_RT_CAPSET, BH_RT_UNSHARE, BH_RT_MEMFD, BH_RT_LISTEN };
		e->type = pt[rnd(5)];
		strcpy(e->comm, rnd(2) ? "runc:[2:INIT]" : "nginx");
		e->arg = 0x400;
		if (e->type == BH_RT_LISTEN) {
			e->family = AF_INET;
			e->proto = 6;
			e->sport = 8080;
		}
	}
}

struct src {
	bh_rt_event *ev;
	bh_rt_container *ct;
	json_t **keep;
	size_t n;
};

static int load_events(const char *path, struct src *s)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	if (!fp) {
		perror(path);
		return -1;
	}
	while (getline(&line, &cap, fp) > 0 && s->n < DISTINCT) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		bh_error err;
		char where[64];
		lineno++;
		if (!o)
			continue;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (bh_rt_event_from_json(o, where, &s->ev[s->n], &s->ct[s->n], &err)) {
			fprintf(stderr, "%s\n", err.msg);
			json_decref(o);
			continue;
		}
		s->keep[s->n++] = o;
	}
	free(line);
	fclose(fp);
	return s->n ? 0 : -1;
}

static int count_hit(const bh_rules_hit *h, void *user)
{
	(*(size_t *)user) += strlen(h->output) > 0;
	return 0;
}

int main(int argc, char **argv)
{
	const char *events = NULL;
	size_t count = 1000000, i, hits = 0, outs = 0, nd;
	struct src s;
	bh_rules *r = bh_rules_new();
	bh_error err;
	double t0, t1, t2;
	int a;
	const bh_rules_diag *d;

	memset(&s, 0, sizeof(s));
	s.ev = calloc(DISTINCT, sizeof(*s.ev));
	s.ct = calloc(DISTINCT, sizeof(*s.ct));
	s.keep = calloc(DISTINCT, sizeof(*s.keep));
	if (!r || !s.ev || !s.ct || !s.keep || bh_rules_add_default(r, &err)) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--events") && a + 1 < argc)
			events = argv[++a];
		else if (!strcmp(argv[a], "--count") && a + 1 < argc)
			count = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--rules") && a + 1 < argc) {
			if (bh_rules_add_file(r, argv[++a], &err)) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
		} else {
			fprintf(stderr, "usage: rules [--events FILE.jsonl] [--count N] [--rules FILE]...\n");
			return 2;
		}
	}
	if (bh_rules_compile(r, &err)) {
		d = bh_rules_diags(r, &nd);
		for (i = 0; i < nd; i++)
			fprintf(stderr, "%s\n", d[i].msg);
		return 1;
	}
	if (events) {
		if (load_events(events, &s))
			return 1;
	} else {
		for (s.n = 0; s.n < DISTINCT; s.n++)
			gen(&s.ev[s.n], &s.ct[s.n]);
	}
	/* warm up */
	for (i = 0; i < s.n; i++)
		(void)bh_rules_eval(r, &s.ev[i], &s.ct[i], NULL, NULL, NULL);
	t0 = now_ns();
	for (i = 0; i < count; i++) {
		size_t k = i % s.n;
		int rc = bh_rules_eval(r, &s.ev[k], &s.ct[k], NULL, NULL, NULL);
		if (rc > 0)
			hits += (size_t)rc;
	}
	t1 = now_ns();
	for (i = 0; i < count; i++) {
		size_t k = i % s.n;
		(void)bh_rules_eval(r, &s.ev[k], &s.ct[k], NULL, count_hit, &outs);
	}
	t2 = now_ns();
	printf("rules bench: %zu rules, %zu events (%zu distinct, %s), %zu matches\n", bh_rules_count(r), count, s.n,
	       events ? events : "generated mix", hits);
	printf("evaluate: %.1f ns/event (%.2f M events/s)\n", (t1 - t0) / (double)count, (double)count / ((t1 - t0) / 1e3));
	printf("evaluate + format outputs: %.1f ns/event (%zu outputs)\n", (t2 - t1) / (double)count, outs);
	for (i = 0; i < s.n; i++)
		json_decref(s.keep[i]);
	free(s.ev);
	free(s.ct);
	free(s.keep);
	bh_rules_free(r);
	return 0;
}
