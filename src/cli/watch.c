/* watch.c - `bulkhead watch`: the eBPF sensor in the foreground, one JSON or text line per event, attributed to containers. */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/text.h"
#include "runtime/containers.h"
#include "runtime/event.h"
#include "runtime/eventjson.h"
#include "runtime/rules.h"
#include "runtime/sensor.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

#define MAX_PER_CT 256

struct watch {
	bh_containers *cts;
	const bh_rt_container *only; /* --container */
	int json;
	bh_rules *rules;       /* compiled runtime rules: the default set and --rules files */
	int alerts_only;       /* print alerts, not every event */
	int enforce;           /* carry out rules' kill action (alerts only otherwise) */
	unsigned long printed, alerts, killed;
	int warned;
	/* events per container (ct NULL: the host), for --stats */
	struct { const bh_rt_container *ct; uint64_t n[BH_RT_CLASS__COUNT]; } per[MAX_PER_CT];
	size_t nper;
};

static void count_event(struct watch *w, const bh_rt_container *ct, bh_rt_type t)
{
	size_t i;
	for (i = 0; i < w->nper && w->per[i].ct != ct; i++)
		;
	if (i == w->nper) {
		if (w->nper == MAX_PER_CT)
			return;
		w->per[w->nper].ct = ct;
		memset(w->per[w->nper].n, 0, sizeof(w->per[0].n));
		w->nper++;
	}
	w->per[i].n[bh_rt_class_of(t)]++;
}

static void print_text(const bh_rt_event *ev, const bh_rt_container *ct)
{
	char ts[40], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	time_t s = (time_t)(ev->wall_ns / 1000000000ull);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	printf("%s.%06llu %-8s ", ts, (unsigned long long)(ev->wall_ns % 1000000000ull / 1000), bh_rt_type_name(ev->type));
	if (ct && ct->id[0]) {
		fputs("container=", stdout);
		bh_text_fput_term(stdout, ct->name && ct->name[0] ? ct->name : ct->id, 64);
	} else {
		fputs("host", stdout);
	}
	printf(" pid=%" PRIu32 " ppid=%" PRIu32 " uid=%" PRIu32 " comm=", ev->pid, ev->ppid, ev->uid);
	bh_text_fput_term(stdout, ev->comm, 0);
	switch (bh_rt_class_of(ev->type)) {
	case BH_RT_CLASS_PROC:
		if (ev->type == BH_RT_EXIT) {
			printf(" code=%d", ev->ret);
			break;
		}
		fputs(" exe=", stdout);
		bh_text_fput_term(stdout, ev->path, 0);
		fputs(" args=", stdout);
		bh_text_fput_term(stdout, ev->args, 0);
		fputs(" cwd=", stdout);
		bh_text_fput_term(stdout, ev->cwd, 0);
		fputs(" parent=", stdout);
		bh_text_fput_term(stdout, ev->pcomm, 0);
		if (ev->exe_upper)
			fputs(" exe_upper", stdout);
		break;
	case BH_RT_CLASS_FILE:
		fputs(" path=", stdout);
		bh_text_fput_term(stdout, ev->path, 0);
		if (ev->path2[0]) {
			fputs(" to=", stdout);
			bh_text_fput_term(stdout, ev->path2, 0);
		}
		printf(" flags=0%o mode=0%o", ev->flags, ev->mode);
		break;
	case BH_RT_CLASS_NET:
		if (ev->family == AF_UNIX) {
			fputs(" unix=", stdout);
			bh_text_fput_term(stdout, ev->path, 0);
		} else {
			int fam = ev->family == AF_INET6 ? AF_INET6 : AF_INET;
			inet_ntop(fam, ev->saddr, a, sizeof(a));
			inet_ntop(fam, ev->daddr, b, sizeof(b));
			printf(" %s %s:%u -> %s:%u", ev->proto == 6 ? "tcp" : ev->proto == 17 ? "udp" : "?", a, ev->sport, b, ev->dport);
		}
		break;
	default:
		printf(" arg=%#" PRIx64, ev->arg);
		if (ev->target_pid)
			printf(" target=%" PRIu32, ev->target_pid);
		if (ev->path[0]) {
			fputs(" path=", stdout);
			bh_text_fput_term(stdout, ev->path, 0);
		}
		if (ev->path2[0]) {
			fputs(" path2=", stdout);
			bh_text_fput_term(stdout, ev->path2, 0);
		}
		break;
	}
	putchar('\n');
}

struct hitctx {
	struct watch *w;
	const bh_rt_event *ev;
	const bh_rt_container *ct;
};

/*
 * One alert. Rules' "kill" action is carried out with --enforce, from user space (SIGKILL to the
 * process, after the event: the program may have run a little); the other actions (pause, stop,
 * quarantine) are reported as asked, not yet carried out by watch.
 */
static int on_hit(const bh_rules_hit *hit, void *user)
{
	struct hitctx *h = user;
	const bh_rules_rule *r = hit->rule;
	const char *taken = "none";
	h->w->alerts++;
	if (r->action == BH_RULES_ACT_KILL && h->w->enforce && h->ev->pid > 1) {
		taken = kill((pid_t)h->ev->pid, SIGKILL) == 0 ? "killed" : "kill failed";
		if (taken[0] == 'k')
			h->w->killed++;
	}
	if (h->w->json) {
		json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}}", "alert", "rule", r->name, "priority",
				      bh_rules_priority_name(r->priority), "action", bh_rules_action_name(r->action), "action_taken",
				      taken, "output", hit->output);
		json_t *tags = json_array(), *ev = bh_rt_event_json(h->ev, h->ct);
		size_t i;
		if (!o || !tags || !ev) {
			json_decref(o);
			json_decref(tags);
			json_decref(ev);
			return BH_ENOMEM;
		}
		for (i = 0; i < r->ntags; i++)
			json_array_append_new(tags, json_string(r->tags[i]));
		json_object_set_new(json_object_get(o, "alert"), "tags", tags);
		json_object_set_new(o, "event", ev);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		fputs("ALERT ", stdout);
		fputs(bh_rules_priority_name(r->priority), stdout);
		fputc(' ', stdout);
		bh_text_fput_term(stdout, r->name, 200);
		fputs(": ", stdout);
		bh_text_fput_term(stdout, hit->output, 2000);
		if (r->action != BH_RULES_ACT_ALERT) {
			fputs(" [action ", stdout);
			fputs(bh_rules_action_name(r->action), stdout);
			fputs(": ", stdout);
			fputs(taken, stdout);
			fputc(']', stdout);
		}
		putchar('\n');
	}
	return 0;
}

static int on_event(void *ud, const bh_rt_event *cev)
{
	struct watch *w = ud;
	const bh_rt_container *ct = bh_containers_lookup(w->cts, cev->cgroup_id);
	bh_rt_event ev;

	if (w->only && ct != w->only)
		return 0;
	if (!w->warned && bh_containers_last_error(w->cts)[0]) {
		fprintf(stderr, "bulkhead watch: warning: containers known by id only: %s\n", bh_containers_last_error(w->cts));
		w->warned = 1;
	}
	ev = *cev;
	if (ev.type == BH_RT_EXEC && ct)
		ev.exe_upper = bh_containers_exe_upper(w->cts, ct, ev.path, ev.cwd);
	if (w->alerts_only) {
		/* nothing but the alerts below */
	} else if (w->json) {
		json_t *o = bh_rt_event_json(&ev, ct);
		if (!o)
			return BH_ENOMEM;
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		print_text(&ev, ct);
	}
	if (w->rules) {
		struct hitctx h = { w, &ev, ct };
		int rc = bh_rules_eval(w->rules, &ev, ct, NULL, on_hit, &h);
		if (rc < 0)
			return rc;
	}
	w->printed++;
	count_event(w, ct, ev.type);
	return 0;
}

static void put_ct(const bh_rt_container *ct, uint64_t cgid)
{
	if (ct) {
		fputs("container ", stderr);
		bh_text_fput_term(stderr, ct->name && ct->name[0] ? ct->name : ct->id, 64);
	} else {
		fprintf(stderr, "host (cgroup %" PRIu64 ")", cgid);
	}
}

static void print_cgdrops(void *ud, uint64_t cgid, const uint64_t d[BH_RT_CLASS__COUNT])
{
	struct watch *w = ud;
	fputs("  drops of ", stderr);
	put_ct(bh_containers_lookup(w->cts, cgid), cgid);
	for (int c = 0; c < BH_RT_CLASS__COUNT; c++)
		fprintf(stderr, " %s %" PRIu64, bh_rt_class_name((bh_rt_class)c), d[c]);
	fputc('\n', stderr);
}

static void print_stats(bh_sensor *s, struct watch *w, const char *when)
{
	bh_sensor_stats st;
	bh_sensor_stats_get(s, &st);
	fprintf(stderr, "stats (%s):", when);
	for (int c = 0; c < BH_RT_CLASS__COUNT; c++)
		fprintf(stderr, " %s %" PRIu64 " events %" PRIu64 " drops;", bh_rt_class_name((bh_rt_class)c), st.events[c], st.drops[c]);
	fprintf(stderr, " bad records %" PRIu64 "; exec->event latency p50 %" PRIu64 " us p99 %" PRIu64 " us max %" PRIu64 " us (n=%" PRIu64 ")\n",
		st.bad_records, st.exec_lat_p50_us, st.exec_lat_p99_us, st.exec_lat_max_us, st.exec_lat_n);
	for (size_t i = 0; i < w->nper; i++) {
		fputs("  events of ", stderr);
		if (w->per[i].ct)
			put_ct(w->per[i].ct, 0);
		else
			fputs("host", stderr);
		for (int c = 0; c < BH_RT_CLASS__COUNT; c++)
			fprintf(stderr, " %s %" PRIu64, bh_rt_class_name((bh_rt_class)c), w->per[i].n[c]);
		fputc('\n', stderr);
	}
	bh_sensor_drops_by_cgroup(s, print_cgdrops, w);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(FILE *fp)
{
	fputs("usage: bulkhead watch [options]\n"
	      "  the eBPF sensor in the foreground: exec, exit, writes, connections, privilege changes of\n"
	      "  every container (and the host), one line per event on stdout; the hook report on stderr\n"
	      "  -f, --format text|json   one readable line (default) or one JSON object per event\n"
	      "      --container NAME|ID  only this container's events (filtered in the kernel)\n"
	      "      --containers-only    no host events (filtered in the kernel)\n"
	      "      --stats              counts and drops per class and per container, exec latency, on stderr\n"
	      "                           every 10 s and at the end\n"
	      "      --duration SECONDS   stop after this long (default: until SIGINT/SIGTERM)\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket for names and images (default $DOCKER_HOST)\n"
	      "      --ring-size KIB      each class's ring buffer (power of two; default proc 16 MiB, file 8, net 2, priv 1)\n"
	      "      --rules FILE         runtime rules (Falco's YAML shape) after the default set (repeatable);\n"
	      "                           every event is evaluated, a match prints an ALERT line (JSON: {\"alert\", \"event\"})\n"
	      "      --no-default-rules   only the --rules files\n"
	      "      --alerts-only        print the alerts, not every event\n"
	      "      --enforce            carry out the rules' kill action (SIGKILL to the process)\n"
	      "  -v, --verbose            libbpf's messages (verifier logs) on stderr\n"
	      "needs root and a kernel with BTF; built with clang, bpftool and libbpf-dev\n", fp);
}

int bh_cmd_watch(int argc, char **argv)
{
	enum { O_CONTAINER = 2000, O_STATS, O_DURATION, O_ENGINE, O_CONTONLY, O_RING, O_RULES, O_NODEF, O_ALERTS, O_ENFORCE };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "container", required_argument, NULL, O_CONTAINER },
		{ "containers-only", no_argument, NULL, O_CONTONLY },
		{ "stats", no_argument, NULL, O_STATS },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "engine-host", required_argument, NULL, O_ENGINE },
		{ "ring-size", required_argument, NULL, O_RING },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-default-rules", no_argument, NULL, O_NODEF },
		{ "alerts-only", no_argument, NULL, O_ALERTS },
		{ "enforce", no_argument, NULL, O_ENFORCE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *container = NULL, *engine = NULL;
	bh_sensor_opts so;
	struct watch w;
	struct sigaction sa;
	bh_sensor *s = NULL;
	bh_error err;
	unsigned duration = 0;
	int ch, rc, stats = 0, nodef = 0;
	const char *rfiles[32];
	size_t nrfiles = 0;
	double start, next_stats;

	memset(&so, 0, sizeof(so));
	memset(&w, 0, sizeof(w));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "json"))
				w.json = 1;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "bulkhead watch: --format wants text or json, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case O_CONTAINER: container = optarg; break;
		case O_CONTONLY: so.containers_only = true; break;
		case O_STATS: stats = 1; break;
		case O_DURATION:
			if (bh_cli_parse_duration(optarg, &duration) || duration == 0) {
				fprintf(stderr, "bulkhead watch: --duration wants seconds (or 30s, 5m), not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case O_ENGINE: engine = optarg; break;
		case O_RING: {
			int kb;
			if (bh_cli_parse_uint(optarg, 1 << 20, &kb) || kb < 4 || (kb & (kb - 1))) {
				fprintf(stderr, "bulkhead watch: --ring-size wants KiB, a power of two from 4, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			so.ring_kb = (uint32_t)kb;
			break;
		}
		case O_RULES:
			if (nrfiles == sizeof(rfiles) / sizeof(rfiles[0])) {
				fputs("bulkhead watch: at most 32 --rules files\n", stderr);
				return BH_EXIT_USAGE;
			}
			rfiles[nrfiles++] = optarg;
			break;
		case O_NODEF: nodef = 1; break;
		case O_ALERTS: w.alerts_only = 1; break;
		case O_ENFORCE: w.enforce = 1; break;
		case 'v': so.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: return bh_cli_bad_option("watch", longopts, ch, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulkhead watch: unexpected argument \"%s\"\n", argv[optind]);
		return BH_EXIT_USAGE;
	}
	/* the rules first: a broken rule file is a usage error before any hook is attached */
	if (!(w.rules = bh_rules_new())) {
		rc = bh_error_set(&err, BH_ENOMEM, "out of memory");
		goto fail;
	}
	if (!nodef && (rc = bh_rules_add_default(w.rules, &err)))
		goto fail;
	for (size_t i = 0; i < nrfiles; i++)
		if (bh_rules_add_file(w.rules, rfiles[i], &err))
			goto rules_fail;
	if (bh_rules_compile(w.rules, &err))
		goto rules_fail;
	if ((rc = bh_containers_new(engine, NULL, &w.cts, &err)))
		goto fail;
	so.parents[0] = 0;
	bh_containers_parents(w.cts, so.parents, 4);
	if (container) {
		if ((rc = bh_containers_find(w.cts, container, &w.only, &err)))
			goto fail;
		so.only_cgroup = w.only->cgroup_id;
	}
	if ((rc = bh_sensor_open(&so, &s, &err)))
		goto fail;
	{
		size_t n, ok = 0;
		const bh_sensor_hook *h = bh_sensor_hooks(s, &n);
		for (size_t i = 0; i < n; i++) {
			if (h[i].attached) {
				ok++;
				fprintf(stderr, "hook %-45s attached\n", h[i].hook);
			} else {
				fprintf(stderr, "hook %-45s failed at %s: %s\n", h[i].hook, h[i].stage, strerror(h[i].err));
			}
		}
		fprintf(stderr, "sensor: eBPF, %zu of %zu hooks attached%s%s%s\n", ok, n,
			container ? "; container " : "", container ? container : "", so.containers_only ? "; containers only" : "");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the poll returns and the loop sees the flag */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now_s();
	next_stats = start + 10;
	while (!stop_flag) {
		double t;
		rc = bh_sensor_poll(s, 200, on_event, &w, &err);
		if (rc < 0) {
			if (err.msg[0] == 0)
				bh_error_set(&err, rc, "writing an event failed");
			goto fail;
		}
		fflush(stdout);
		t = now_s();
		if (duration && t - start >= duration)
			break;
		if (stats && t >= next_stats) {
			print_stats(s, &w, "10 s");
			next_stats = t + 10;
		}
	}
	/* what is still on the rings when asked to stop */
	while (bh_sensor_poll(s, 0, on_event, &w, &err) > 0)
		;
	fflush(stdout);
	if (stats) {
		print_stats(s, &w, "end");
		fprintf(stderr, "alerts %lu (rules %zu), processes killed %lu\n", w.alerts, bh_rules_count(w.rules), w.killed);
	}
	bh_sensor_close(s);
	bh_containers_free(w.cts);
	bh_rules_free(w.rules);
	return 0;
rules_fail:
	{
		/* every message, with file, line and column */
		size_t n, i;
		const bh_rules_diag *d = bh_rules_diags(w.rules, &n);
		size_t shown = 0;
		for (i = 0; i < n; i++)
			if (!d[i].warning && ++shown)
				fprintf(stderr, "bulkhead watch: %s\n", d[i].msg);
		if (!shown)
			fprintf(stderr, "bulkhead watch: %s\n", err.msg);
		bh_rules_free(w.rules);
		return BH_EXIT_USAGE;
	}
fail:
	fprintf(stderr, "bulkhead watch: %s\n", err.msg);
	bh_sensor_close(s);
	bh_containers_free(w.cts);
	bh_rules_free(w.rules);
	return bh_cli_exit_code(rc);
}
