/* fallback_driver.c - runs the runtime event source (bh_rtsource, mode from argv) for tests/e2e/fallback.sh: events and rule alerts as JSON lines, container attribution, stats at the end. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/containers.h"
#include "runtime/eventjson.h"
#include "runtime/rtsource.h"
#include "runtime/rules.h"

/*
 * Usage: fallback_driver MODE SECONDS [ENGINE_HOST]
 *   MODE auto|bpf|fallback. stderr: the source's line ("sensor: ..."), its hooks, then at the end
 *   "stats: ..." . stdout: one event per line ({"event": {...}}) and one per alert
 *   ({"alert": "rule name", "event": {...}}), after the default rules. Exit 0, or 1 on an error.
 *   BH_FALLBACK_CONTAINERS_ONLY=1: no host events (the sensor options' containers_only).
 */

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

struct ctx {
	bh_containers *cts;
	bh_rules *rules;
	const bh_rt_event *ev;
	const bh_rt_container *ct;
};

static void put(const char *key, const char *alert, const bh_rt_event *ev, const bh_rt_container *ct)
{
	json_t *o = json_object(), *e = bh_rt_event_json(ev, ct);
	if (!o || !e)
		exit(1);
	if (alert)
		json_object_set_new(o, key, json_string(alert));
	json_object_set_new(o, "event", e);
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
}

static int on_hit(const bh_rules_hit *hit, void *user)
{
	struct ctx *c = user;
	put("alert", hit->rule->name, c->ev, c->ct);
	return 0;
}

static int on_event(void *ud, const bh_rt_event *cev)
{
	struct ctx *c = ud;
	const bh_rt_container *ct = bh_containers_lookup(c->cts, cev->cgroup_id);
	bh_rt_event ev = *cev;

	/* the source's own answer stands; the engine's upper dir adds to it (as watch does) */
	if (ev.type == BH_RT_EXEC && ct && !ev.exe_upper)
		ev.exe_upper = bh_containers_exe_upper(c->cts, ct, ev.path, ev.cwd);
	put("x", NULL, &ev, ct);
	c->ev = &ev;
	c->ct = ct;
	return bh_rules_eval(c->rules, &ev, ct, NULL, on_hit, c) < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	bh_rtsource_mode mode;
	bh_sensor_opts so;
	bh_rtsource *src = NULL;
	bh_rtsource_stats st;
	struct ctx c;
	struct sigaction sa;
	bh_error err;
	const bh_sensor_hook *h;
	size_t n;
	time_t end;

	if (argc < 3 || bh_rtsource_mode_parse(argv[1], &mode, &err)) {
		fprintf(stderr, "usage: fallback_driver auto|bpf|fallback SECONDS [ENGINE_HOST]\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	memset(&so, 0, sizeof(so));
	if (!(c.rules = bh_rules_new()) || bh_rules_add_default(c.rules, &err) || bh_rules_compile(c.rules, &err) ||
	    bh_containers_new(argc > 3 ? argv[3] : NULL, NULL, &c.cts, &err)) {
		fprintf(stderr, "fallback_driver: %s\n", err.msg);
		return 1;
	}
	bh_containers_parents(c.cts, so.parents, 4);
	/* the test's host is shared: BH_FALLBACK_CONTAINERS_ONLY=1 keeps host events out */
	{
		const char *co = getenv("BH_FALLBACK_CONTAINERS_ONLY");
		so.containers_only = co && !strcmp(co, "1");
	}
	if (bh_rtsource_open(&so, mode, &src, &err)) {
		fprintf(stderr, "fallback_driver: %s\n", err.msg);
		return 1;
	}
	fprintf(stderr, "%s\n", bh_rtsource_describe(src));
	h = bh_rtsource_hooks(src, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "hook %s: %s\n", h[i].hook, h[i].attached ? "attached" : h[i].stage);
	fflush(stderr);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	end = time(NULL) + atoi(argv[2]);
	while (!stop_flag && time(NULL) < end) {
		if (bh_rtsource_poll(src, 200, on_event, &c, &err) < 0) {
			fprintf(stderr, "fallback_driver: %s\n", err.msg);
			return 1;
		}
		fflush(stdout);
	}
	bh_rtsource_stats_get(src, &st);
	if (bh_rtsource_kind_get(src) == BH_RTSOURCE_KIND_FALLBACK)
		fprintf(stderr, "stats: proc %llu file %llu priv %llu lost_exec %llu exec_from_fan %llu bad %llu nl_overruns %llu fan_overflows %llu marks %llu\n",
			(unsigned long long)st.fallback.events[BH_RT_CLASS_PROC], (unsigned long long)st.fallback.events[BH_RT_CLASS_FILE],
			(unsigned long long)st.fallback.events[BH_RT_CLASS_PRIV], (unsigned long long)st.fallback.lost_exec,
			(unsigned long long)st.fallback.exec_from_fan, (unsigned long long)st.fallback.bad_messages,
			(unsigned long long)st.fallback.nl_overruns, (unsigned long long)st.fallback.fan_overflows,
			(unsigned long long)st.fallback.marks);
	else
		fprintf(stderr, "stats: proc %llu file %llu\n", (unsigned long long)st.s.events[BH_RT_CLASS_PROC],
			(unsigned long long)st.s.events[BH_RT_CLASS_FILE]);
	h = bh_rtsource_hooks(src, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "hook at end %s: %s\n", h[i].hook, h[i].attached ? "attached" : h[i].stage);
	bh_rtsource_close(src);
	bh_containers_free(c.cts);
	bh_rules_free(c.rules);
	return 0;
}
