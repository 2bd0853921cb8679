/* watch.c - `bulkhead watch`: the eBPF sensor in the foreground, one JSON or text line per event, attributed to containers. */
#include <arpa/inet.h>
#include <errno.h>
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
#include "registry/registry.h"
#include "runtime/action.h"
#include "runtime/baseline.h"
#include "runtime/blmon.h"
#include "runtime/containers.h"
#include "runtime/event.h"
#include "runtime/eventjson.h"
#include "runtime/netpol.h"
#include "runtime/npyaml.h"
#include "runtime/rules.h"
#include "runtime/rtsource.h"

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
	int enforce;           /* carry out rules' actions (alerts only otherwise) */
	int kernel_kill;       /* drift is killed at exec in the kernel (bpf_send_signal) */
	const char *engine;    /* --engine-host, for stop and for the actions' inspect */
	const char *forensics_dir;
	unsigned long printed, alerts, killed, actions;
	/* container actions already carried out (pause, stop, quarantine once per container) */
	struct { char id[128]; bh_rules_action act; } done[MAX_PER_CT];
	size_t ndone;
	int warned;
	/* --baseline: the baselines at work and the pseudo-rule their protect mode acts through */
	bh_blmon *bl;
	bh_rules_rule blrule;
	bh_sensor *sensor;
	bh_netpol *np;          /* protect mode's network half (also --netpol's), not owned */
	unsigned long deviations;
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
		if (ev->kact & BH_RT_KACT_KILLED)
			fputs(" action=killed (" BH_RT_KILL_MECHANISM ")", stdout);
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

static void now_rfc3339(char *buf, size_t n)
{
	struct timespec t;
	struct tm tm;
	char s[32];
	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%09ldZ", s, (long)t.tv_nsec);
}

/* What an action did, for the action event. */
struct outcome {
	const char *result;    /* "killed", "paused", … or "failed" */
	const char *mechanism;
	char detail[BH_ERROR_MSG_MAX]; /* why it failed */
	char forensics[2048];  /* quarantine: where the forensics went */
	int pid;               /* the process acted on (the container's init for container actions) */
};

/* Whether act was already done to container id (and records it when not). */
static int done_before(struct watch *w, const char *id, bh_rules_action act)
{
	for (size_t i = 0; i < w->ndone; i++)
		if (w->done[i].act == act && !strcmp(w->done[i].id, id))
			return 1;
	if (w->ndone < MAX_PER_CT) {
		snprintf(w->done[w->ndone].id, sizeof(w->done[0].id), "%s", id);
		w->done[w->ndone++].act = act;
	}
	return 0;
}

/*
 * Carries out r's action for the event with --enforce. kill: the kernel already did it at exec
 * when the event says so (BH_RT_KACT_KILLED), else SIGKILL from here (after the event: the program
 * may have run a little). pause, stop, quarantine act on the event's container, once each.
 * Returns 0 when nothing was to be done (no action event), 1 when o is filled.
 */
static int carry_out(struct hitctx *h, const bh_rules_rule *r, struct outcome *o)
{
	struct watch *w = h->w;
	bh_action_target t;
	bh_error err;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->pid = (int)h->ev->pid;
	if (r->action == BH_RULES_ACT_ALERT || !w->enforce)
		return 0;
	if (r->action == BH_RULES_ACT_KILL) {
		if (h->ev->kact & BH_RT_KACT_KILLED) {
			o->result = "killed";
			o->mechanism = BH_RT_KILL_MECHANISM;
		} else if ((h->ev->kact & BH_RT_KACT_SCRIPT_WATCH) && h->ev->exe_upper && w->kernel_kill) {
			/* a script on the upper layer: the kernel kills its interpreter when it opens it;
			 * SIGKILL from here too in case it reads the script some other way (gone: ESRCH) */
			(void)kill((pid_t)h->ev->pid, SIGKILL);
			o->result = "killed";
			o->mechanism = BH_RT_KILL_SCRIPT_MECHANISM;
		} else if (h->ev->pid <= 1) {
			o->result = "failed";
			o->mechanism = "user-space SIGKILL after the event";
			snprintf(o->detail, sizeof(o->detail), "pid %u is not a process to kill", h->ev->pid);
		} else {
			o->mechanism = "user-space SIGKILL after the event";
			o->result = kill((pid_t)h->ev->pid, SIGKILL) == 0 ? "killed" : "failed";
			if (o->result[0] == 'f')
				snprintf(o->detail, sizeof(o->detail), "kill(%u): %s", h->ev->pid, strerror(errno));
		}
		if (o->result[0] == 'k')
			w->killed++;
		return 1;
	}
	if (!h->ct || !h->ct->id[0]) {
		o->result = "failed";
		o->mechanism = "none";
		snprintf(o->detail, sizeof(o->detail), "the event is not in a container");
		return 1;
	}
	if (done_before(w, h->ct->id, r->action))
		return 0;
	/* the container's init, from the engine; the event's own process when the engine is away */
	if (bh_action_target_resolve(w->engine, h->ct->id, &t, &err)) {
		memset(&t, 0, sizeof(t));
		snprintf(t.id, sizeof(t.id), "%s", h->ct->id);
		snprintf(t.name, sizeof(t.name), "%s", h->ct->name ? h->ct->name : "");
		t.pid = (int)h->ev->pid;
	}
	o->pid = t.pid;
	switch (r->action) {
	case BH_RULES_ACT_PAUSE:
		rc = bh_action_pause(&t, true, &o->mechanism, &err);
		o->result = rc ? "failed" : "paused";
		break;
	case BH_RULES_ACT_STOP:
		o->mechanism = "engine API POST /containers/{id}/stop";
		rc = bh_action_stop(w->engine, t.id, 10, &err);
		o->result = rc ? "failed" : "stopped";
		break;
	case BH_RULES_ACT_QUARANTINE:
		o->mechanism = "nftables table inet bulkhead_quarantine in the container's network namespace";
		rc = bh_action_quarantine(&t, true, &err);
		o->result = rc ? "failed" : "quarantined";
		if (!rc) {
			bh_error ferr;
			if (bh_action_forensics(&t, w->forensics_dir, o->forensics, sizeof(o->forensics), &ferr))
				snprintf(o->detail, sizeof(o->detail), "forensics: %.480s", ferr.msg);
		}
		break;
	default:
		return 0;
	}
	if (rc)
		snprintf(o->detail, sizeof(o->detail), "%s", err.msg);
	return 1;
}

static int print_action(struct hitctx *h, const bh_rules_rule *r, const struct outcome *o)
{
	const char *cname = h->ct && h->ct->id[0] ? (h->ct->name && h->ct->name[0] ? h->ct->name : h->ct->id) : "";
	char t[48];

	h->w->actions++;
	now_rfc3339(t, sizeof(t));
	if (h->w->json) {
		json_t *a = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}}", "action", "time", t, "action",
				      bh_rules_action_name(r->action), "rule", r->name, "container", cname, "container_id",
				      h->ct ? h->ct->id : "", "pid", o->pid, "result", o->result, "mechanism", o->mechanism);
		if (!a)
			return BH_ENOMEM;
		if (o->detail[0])
			json_object_set_new(json_object_get(a, "action"), "detail", json_string(o->detail));
		if (o->forensics[0])
			json_object_set_new(json_object_get(a, "action"), "forensics", json_string(o->forensics));
		json_dumpf(a, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(a);
		return 0;
	}
	printf("ACTION %s container=", bh_rules_action_name(r->action));
	bh_text_fput_term(stdout, cname[0] ? cname : "-", 64);
	printf(" pid=%d rule=", o->pid);
	bh_text_fput_term(stdout, r->name, 200);
	printf(" result=%s mechanism=\"%s\"", o->result, o->mechanism);
	if (o->forensics[0]) {
		fputs(" forensics=", stdout);
		bh_text_fput_term(stdout, o->forensics, 0);
	}
	if (o->detail[0]) {
		fputs(" detail=", stdout);
		bh_text_fput_term(stdout, o->detail, 400);
	}
	putchar('\n');
	return 0;
}

/*
 * One alert, then with --enforce the rule's action and its own event (what triggered it: the rule
 * and the event's container and process).
 */
static int on_hit(const bh_rules_hit *hit, void *user)
{
	struct hitctx *h = user;
	const bh_rules_rule *r = hit->rule;
	struct outcome oc;
	const char *taken = "none";
	char taken_buf[160], at[48];
	int acted;

	h->w->alerts++;
	acted = carry_out(h, r, &oc);
	if (acted) {
		snprintf(taken_buf, sizeof(taken_buf), "%s (%s)", oc.result, oc.mechanism);
		taken = taken_buf;
	} else if (r->action != BH_RULES_ACT_ALERT && h->w->enforce) {
		taken = "done before for this container";
	}
	now_rfc3339(at, sizeof(at));
	if (h->w->json) {
		json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "alert", "time", at, "rule", r->name, "priority",
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
	return acted ? print_action(h, r, &oc) : 0;
}

/*
 * A container in protect mode (its label's or its baseline's): its kernel allow-list
 * (bh_blmon_protect), so an exec of anything else is killed before its first instruction; again
 * whenever the baseline's version changes, lifted when it leaves protect. Without the kernel hook,
 * deviations are killed from user space (on_deviation).
 */
static void protect_install(struct watch *w, const bh_rt_container *ct)
{
	bh_error err = { 0 };
	int rc = bh_blmon_protect(w->bl, w->sensor, ct, &err);
	if (rc < 0)
		fprintf(stderr, "bulkhead watch: baseline protect for %s: %s (deviations are killed from user space)\n",
			ct->name && ct->name[0] ? ct->name : ct->id, err.msg);
	else if (rc == 2)
		fprintf(stderr, "baseline: protect lifted: container %s left protect mode (its kernel allow-list no longer applies)\n",
			ct->name && ct->name[0] ? ct->name : ct->id);
	else if (rc == 3)
		fprintf(stderr, "baseline: protect: container %s: deviations killed from user space after the exec (a pattern the kernel cannot match), drift killed at exec in the kernel\n",
			ct->name && ct->name[0] ? ct->name : ct->id);
	else if (rc > 0) {
		const char *rule = NULL;
		(void)bh_blmon_mode_of(w->bl, ct, NULL, &rule);
		fprintf(stderr, "baseline: protect: container %s may run only its baseline's executables (killed at exec in the kernel otherwise)%s%s\n",
			ct->name && ct->name[0] ? ct->name : ct->id, rule ? "; protect by label " : "", rule ? rule : "");
	}
}

/* A deviation from a baseline: an alert, and when the container is in protect mode (by its label or
 * its baseline) the action (kill by default). */
static int on_deviation(void *ud, const bh_blmon_dev *d)
{
	struct hitctx *h = ud;
	struct watch *w = h->w;
	struct outcome oc;
	bh_bl_mode mode = d->mode;
	const char *taken = "none (monitor mode)";
	char taken_buf[200], at[48];
	int acted = 0;

	w->deviations++;
	w->alerts++;
	if (mode == BH_BL_PROTECT && w->np && (d->obs.kind == BH_BL_OUTBOUND || d->obs.kind == BH_BL_INBOUND)) {
		/* the kernel refused it at connect (or dropped it at ingress): nothing left to stop */
		taken = "connection refused in the kernel (netpol cgroup hooks)";
	} else if (mode == BH_BL_PROTECT) {
		/* the pseudo-rule's action through the rules' path (carry_out acts only under enforcement) */
		int saved = w->enforce;
		w->enforce = 1;
		acted = carry_out(h, &w->blrule, &oc);
		w->enforce = saved;
		if (acted) {
			snprintf(taken_buf, sizeof(taken_buf), "%s (%s)", oc.result, oc.mechanism);
			taken = taken_buf;
		} else {
			taken = "done before for this container";
		}
	}
	now_rfc3339(at, sizeof(at));
	if (w->json) {
		json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}}", "baseline_deviation", "time", at, "repository",
				      bh_baseline_repository(d->bl), "mode", bh_bl_mode_name(mode), "mode_from",
				      d->rule ? "label" : "baseline", "kind", bh_bl_kind_name(d->obs.kind), "what", d->what, "violated",
				      d->violated, "container", d->ct->name ? d->ct->name : "", "action_taken", taken, "baseline_version",
				      (json_int_t)bh_baseline_version(d->bl));
		json_t *ev = bh_rt_event_json(d->ev, d->ct);
		if (!o || !ev) {
			json_decref(o);
			json_decref(ev);
			return BH_ENOMEM;
		}
		json_object_set_new(o, "event", ev);
		if (d->rule)
			json_object_set_new(json_object_get(o, "baseline_deviation"), "mode_label", json_string(d->rule));
		if (d->chain[0])
			json_object_set_new(json_object_get(o, "baseline_deviation"), "chain", json_string(d->chain));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf("BASELINE %s ", mode == BH_BL_PROTECT ? "BLOCK" : "ALERT");
		bh_text_fput_term(stdout, bh_baseline_repository(d->bl), 200);
		fputs(" container=", stdout);
		bh_text_fput_term(stdout, d->ct->name && d->ct->name[0] ? d->ct->name : d->ct->id, 64);
		fputs(" mode=", stdout);
		bh_text_fput_term(stdout, d->mode_text, sizeof(d->mode_text));
		fputs(": ", stdout);
		bh_text_fput_term(stdout, d->what, 400);
		if (d->chain[0]) {
			fputs(" (chain ", stdout);
			bh_text_fput_term(stdout, d->chain, sizeof(d->chain));
			fputc(')', stdout);
		}
		fputs(" -- violates ", stdout);
		bh_text_fput_term(stdout, d->violated, 600);
		printf(" [action: %s]\n", taken);
	}
	return acted ? print_action(h, &w->blrule, &oc) : 0;
}

static void on_note(void *ud, bh_baseline *b, const char *what)
{
	(void)ud;
	if (!b) {
		fprintf(stderr, "%s\n", what);
		return;
	}
	fprintf(stderr, "baseline ");
	bh_text_fput_term(stderr, bh_baseline_repository(b), 200);
	fprintf(stderr, ": %s (version %" PRIu64 ", %zu processes, %zu files, %zu listen, %zu outbound, %zu inbound)\n", what,
		bh_baseline_version(b), bh_baseline_count(b, BH_BL_PROCESS), bh_baseline_count(b, BH_BL_FILE),
		bh_baseline_count(b, BH_BL_LISTEN), bh_baseline_count(b, BH_BL_OUTBOUND), bh_baseline_count(b, BH_BL_INBOUND));
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
	/* the kernel's verdict (the inode) or the upper dir's (the path: scripts, whose interpreter the kernel saw) */
	if (ev.type == BH_RT_EXEC)
		ev.exe_upper = ct && (ev.exe_upper || bh_containers_exe_upper(w->cts, ct, ev.path, ev.cwd));
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
	if (w->bl && ct) {
		struct hitctx h = { w, &ev, ct };
		bh_error err = { 0 };
		int rc;
		protect_install(w, ct);
		if ((rc = bh_blmon_event(w->bl, &ev, ct, (uint64_t)time(NULL), on_deviation, &h, &err)) < 0)
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

static void print_stats(bh_rtsource *s, struct watch *w, const char *when)
{
	bh_rtsource_stats rs;
	bh_sensor_stats st;
	bh_rtsource_stats_get(s, &rs);
	st = rs.s;
	fprintf(stderr, "stats (%s):", when);
	for (int c = 0; c < BH_RT_CLASS__COUNT; c++)
		fprintf(stderr, " %s %" PRIu64 " events %" PRIu64 " drops;", bh_rt_class_name((bh_rt_class)c), st.events[c], st.drops[c]);
	fprintf(stderr, " bad records %" PRIu64 "; exec->event latency p50 %" PRIu64 " us p99 %" PRIu64 " us max %" PRIu64 " us (n=%" PRIu64 ")\n",
		st.bad_records, st.exec_lat_p50_us, st.exec_lat_p99_us, st.exec_lat_max_us, st.exec_lat_n);
	if (bh_rtsource_kind_get(s) == BH_RTSOURCE_KIND_FALLBACK)
		fprintf(stderr, "  fallback: proc drops are execs gone before /proc was read (any cgroup); %" PRIu64 " exec paths from fanotify; "
			"netlink overruns %" PRIu64 "\n", rs.fallback.exec_from_fan, rs.fallback.nl_overruns);
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
	bh_rtsource_drops_by_cgroup(s, print_cgdrops, w);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * --enforce: which actions the rules ask for and how each is carried out, on stderr; drift kills
 * move into the kernel when a rule kills on proc.exe_from_image = false (for --container's cgroup,
 * else every container, new ones too).
 */
static int enforce_setup(struct watch *w, bh_sensor *s, const char *const *deny, size_t ndeny, bh_error *err)
{
	const bh_rules_rule *drift = NULL;
	uint64_t cg = w->only ? w->only->cgroup_id : 0;
	uint32_t flags = 0;
	size_t nact[BH_RULES_ACT_QUARANTINE + 1] = { 0 };
	int rc;

	for (size_t i = 0; i < bh_rules_count(w->rules); i++) {
		const bh_rules_rule *r = bh_rules_rule_at(w->rules, i);
		if (!r->enabled || (unsigned)r->action > BH_RULES_ACT_QUARANTINE)
			continue;
		nact[r->action]++;
		if (r->action == BH_RULES_ACT_KILL && !drift && r->condition && strstr(r->condition, "proc.exe_from_image"))
			drift = r;
	}
	if (drift)
		flags |= BH_SENSOR_KILL_DRIFT;
	if (ndeny)
		flags |= BH_SENSOR_DENY_PATHS;
	/* s is NULL under the fallback sensor: no kernel maps, kills come from user space */
	rc = s ? 0 : bh_error_set(err, BH_EUNSUPPORTED, "the fallback sensor cannot kill in the kernel");
	for (size_t i = 0; s && i < ndeny; i++)
		if ((rc = bh_sensor_deny_exe(s, cg, deny[i], err)) && rc != BH_EUNSUPPORTED)
			return rc;
	if (flags && s && (rc = bh_sensor_enforce_set(s, cg, flags, err)) == 0) {
		w->kernel_kill = 1;
		fprintf(stderr, "enforce: kill at exec in the kernel (bpf_send_signal at sched_process_exec) for %s%s%s%s%s\n",
			w->only ? "container " : "every container", w->only ? (w->only->name && w->only->name[0] ? w->only->name : w->only->id) : "",
			drift ? "; executables not from the image (rule \"" : "", drift ? drift->name : "", drift ? "\")" : "");
		if (ndeny)
			fprintf(stderr, "enforce: %zu denied executable path(s) killed at exec in the kernel\n", ndeny);
	} else if (flags) {
		if (rc != BH_EUNSUPPORTED)
			return rc;
		fprintf(stderr, "enforce: kill from user space (SIGKILL after the event; the program may run briefly): %s\n", err->msg);
		if (ndeny)
			fprintf(stderr, "enforce: --deny-exe needs the kernel kill; ignored\n");
	}
	if (nact[BH_RULES_ACT_KILL])
		fprintf(stderr, "enforce: %zu rule(s) kill: %s\n", nact[BH_RULES_ACT_KILL],
			w->kernel_kill && drift && nact[BH_RULES_ACT_KILL] == 1 ? "in the kernel at exec" :
			w->kernel_kill && drift ? "drift in the kernel at exec, the others by SIGKILL from user space after the event" :
			"SIGKILL from user space after the event");
	if (nact[BH_RULES_ACT_PAUSE])
		fprintf(stderr, "enforce: %zu rule(s) pause: cgroup freezer (v1 freezer.state, else v2 cgroup.freeze)\n", nact[BH_RULES_ACT_PAUSE]);
	if (nact[BH_RULES_ACT_STOP])
		fprintf(stderr, "enforce: %zu rule(s) stop: engine API POST /containers/{id}/stop\n", nact[BH_RULES_ACT_STOP]);
	if (nact[BH_RULES_ACT_QUARANTINE])
		fprintf(stderr, "enforce: %zu rule(s) quarantine: nftables table inet bulkhead_quarantine in the container's network namespace, forensics in %s\n",
			nact[BH_RULES_ACT_QUARANTINE], w->forensics_dir ? w->forensics_dir : "./bulkhead-forensics");
	return 0;
}

/* --baseline: loads the baselines, says what each does, and acts through a pseudo-rule in protect mode. */
static int baseline_setup(struct watch *w, bh_sensor *s, const char *dir, const char *const *learn, size_t nlearn, unsigned learn_for,
			  unsigned quiet_for, unsigned long learn_events, bh_rules_action paction, const char *engine, bh_netpol **np, bh_error *err)
{
	bh_blmon_opts o;
	char repos[32][BH_BL_STR_MAX];
	const char *rp[32];
	int rc;

	memset(&o, 0, sizeof(o));
	for (size_t i = 0; i < nlearn; i++) {
		bh_registry_repository_of(learn[i], repos[i], sizeof(repos[i]));
		rp[i] = repos[i];
	}
	o.store_dir = dir;
	o.mode = BH_BL_LEARN;
	o.learn_s = learn_for;
	o.quiet_s = quiet_for;
	o.learn_events = learn_events;
	o.repos = rp;
	o.nrepos = nlearn;
	o.cts = w->cts;
	o.note = on_note;
	o.note_ud = w;
	if ((rc = bh_blmon_new(&o, &w->bl, err)) || (rc = bh_blmon_load_dir(w->bl, err)))
		return rc;
	if (!nlearn) {
		/* without --learn only the stored baselines apply: no repository gets a new one */
		bh_blmon_free(w->bl);
		o.repos = (const char *const[]){ "" };
		o.nrepos = 1;
		if ((rc = bh_blmon_new(&o, &w->bl, err)) || (rc = bh_blmon_load_dir(w->bl, err)))
			return rc;
	}
	w->sensor = s;
	if (!*np && s) {
		/* protect mode refuses connections no outbound or inbound entry allows, in the kernel */
		bh_netpol_opts no;
		bh_error nerr;
		memset(&no, 0, sizeof(no));
		no.engine_host = engine;
		if (bh_netpol_open(&no, np, &nerr))
			fprintf(stderr, "WARNING: baselines: connections outside a protected baseline are NOT refused: %s\n", nerr.msg);
		else
			fprintf(stderr, "baselines: protect mode refuses connections through %s\n", bh_netpol_mechanism(*np));
	}
	w->np = *np;
	w->blrule.name = (char *)"baseline deviation";
	w->blrule.action = paction;
	w->blrule.priority = BH_RULES_WARNING;
	w->blrule.enabled = true;
	fprintf(stderr, "baselines: %zu loaded from %s; learning %zu image(s) for %us", bh_blmon_count(w->bl), dir, nlearn, learn_for);
	if (learn_events)
		fprintf(stderr, " or %lu events, whichever first", learn_events);
	fprintf(stderr, ", then monitor after %us without anything new\n", quiet_for);
	for (size_t i = 0; i < bh_blmon_count(w->bl); i++) {
		bh_baseline *b = bh_blmon_at(w->bl, i);
		fprintf(stderr, "baseline ");
		bh_text_fput_term(stderr, bh_baseline_repository(b), 200);
		fprintf(stderr, ": %s, version %" PRIu64 "%s\n", bh_bl_mode_name(bh_baseline_mode(b)), bh_baseline_version(b),
			bh_baseline_mode(b) != BH_BL_PROTECT ? ""
			: s && bh_sensor_can_kill_at_exec(s) ? "; processes outside it are killed at exec in the kernel"
			: "; NO kernel exec hook: processes outside it are killed from user space after they started");
	}
	{
		const bh_blmodes *ms = bh_blmon_modes(w->bl);
		if (bh_blmodes_count(ms))
			fprintf(stderr, "baseline modes by label (%s/%s, first match wins over a baseline's own mode):\n", dir, BH_BLMODES_FILE);
		for (size_t i = 0; i < bh_blmodes_count(ms); i++) {
			fputs("  label ", stderr);
			bh_text_fput_term(stderr, bh_blmodes_label(ms, i), BH_BLMODES_LABEL_MAX);
			fprintf(stderr, ": %s\n", bh_bl_mode_name(bh_blmodes_mode(ms, i)));
		}
	}
	return 0;
}

/* Once a second: promotions and saving, and the allow-lists of protected containers that have done nothing yet. */
static int baseline_tick(struct watch *w, bh_error *err)
{
	int rc = bh_blmon_tick(w->bl, (uint64_t)time(NULL), on_note, w, err);
	if (rc)
		return rc;
	if (w->sensor) {
		bh_containers_refresh(w->cts);
		for (size_t i = 0; i < bh_containers_count(w->cts); i++)
			protect_install(w, bh_containers_at(w->cts, i));
		if (bh_blmon_forget_gone(w->bl, w->sensor, w->cts, err) < 0)
			fprintf(stderr, "bulkhead watch: baseline protect: %s\n", err->msg);
	}
	if (w->np && bh_blmon_netpol_sync(w->bl, w->np, w->cts, err))
		fprintf(stderr, "bulkhead watch: baselines: network policy: %s\n", err->msg);
	return 0;
}

/* One verdict of --netpol: a JSON line {"netpol": {...}} or a NETPOL text line. */
static int on_verdict(void *ud, const bh_netpol_verdict *v)
{
	struct watch *w = ud;
	json_t *o = bh_netpol_verdict_json(v);
	json_t *n;

	if (!o)
		return BH_ENOMEM;
	if (w->json) {
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		n = json_object_get(o, "netpol");
		printf("NETPOL %s %s %s:%lld -> %s:%lld container=", v->verdict, json_string_value(json_object_get(n, "proto")),
		       json_string_value(json_object_get(n, "src")), (long long)v->sport, json_string_value(json_object_get(n, "dst")), (long long)v->dport);
		bh_text_fput_term(stdout, json_string_value(json_object_get(n, "container")), 64);
		printf(" missing=%s policy=", v->missing);
		bh_text_fput_term(stdout, v->policy, 200);
		printf(" hook=%s\n", v->hook);
	}
	json_decref(o);
	return 0;
}

/* --netpol FILE: the policy enforced beside the sensor, its hooks reported on stderr. */
static int netpol_setup(const char *file, const char *engine, bool verbose, bh_netpol **out, bh_error *err)
{
	bh_npyaml_doc doc;
	bh_netpol_opts o;
	bh_netpol_mode strongest;
	size_t n;
	const bh_netpol_hook *h;
	int rc;

	*out = NULL;
	if ((rc = bh_npyaml_load_file(file, &doc, err))) {
		bh_npyaml_free(&doc);
		return rc == BH_ENOMEM ? rc : BH_EUSAGE;
	}
	strongest = doc.mode;
	for (size_t i = 0; i < doc.npol; i++)
		if (doc.pol[i].mode > strongest)
			strongest = doc.pol[i].mode;
	memset(&o, 0, sizeof(o));
	o.engine_host = engine;
	o.verbose = verbose;
	o.unmapped_deny = doc.unmapped_deny >= 0 ? doc.unmapped_deny : strongest == BH_NETPOL_PROTECT;
	o.unmapped_mode = o.unmapped_deny ? strongest : BH_NETPOL_OFF;
	if ((rc = bh_netpol_open(&o, out, err)) || (rc = bh_netpol_use_yaml(*out, &doc, BH_NETPOL_OFF, err))) {
		bh_npyaml_free(&doc);
		return rc;
	}
	h = bh_netpol_hooks(*out, &n);
	for (size_t i = 0; i < n; i++)
		if (!h[i].attached)
			fprintf(stderr, "WARNING: netpol hook %s on %s UNAVAILABLE (%s: %s): %s\n", h[i].hook, h[i].where, h[i].stage, strerror(h[i].err), h[i].loses);
	fprintf(stderr, "netpol: %s; %zu policies from %s\n", bh_netpol_mechanism(*out), doc.npol, file);
	bh_npyaml_free(&doc);
	return 0;
}

static void usage(FILE *fp)
{
	fputs("usage: bulkhead watch [options]\n"
	      "  the eBPF sensor in the foreground: exec, exit, writes, connections, privilege changes of\n"
	      "  every container (and the host), one line per event on stdout; the hook report on stderr\n"
	      "  -f, --format text|json   one readable line (default) or one JSON object per event\n"
	      "      --sensor auto|bpf|fallback  eBPF, or the fallback (process connector + fanotify: no network\n"
	      "                           events, short-lived processes may be missed); auto picks, stderr says\n"
	      "      --container NAME|ID  only this container's events (filtered in the kernel)\n"
	      "      --containers-only    no host events (filtered in the kernel)\n"
	      "      --stats              counts and drops per class and per container, exec latency, on stderr\n"
	      "                           every 10 s and at the end\n"
	      "      --duration SECONDS   stop after this long (default: until SIGINT/SIGTERM)\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket for names and images\n"
	      "                           (default $DOCKER_HOST)\n"
	      "      --ring-size KIB      each class's ring buffer (power of two; default proc 16 MiB, file 8,\n"
	      "                           net 2, priv 1)\n"
	      "      --rules FILE         runtime rules (Falco's YAML shape) after the default set (repeatable);\n"
	      "                           every event is evaluated, a match prints an ALERT line\n"
	      "                           (JSON: {\"alert\", \"event\"})\n"
	      "      --no-default-rules   only the --rules files\n"
	      "      --alerts-only        print the alerts, not every event\n"
	      "      --enforce            carry out the rules' actions, each reported as an action event:\n"
	      "                           kill: of an executable not from the image (a rule with action kill\n"
	      "                           over proc.exe_from_image = false) in the kernel at exec\n"
	      "                           (bpf_send_signal: the program never runs), else SIGKILL after the\n"
	      "                           event; pause: cgroup freezer; stop: engine API; quarantine: an\n"
	      "                           nftables drop-all table in the container's network namespace, then\n"
	      "                           forensics (undo with `bulkhead contain release CONTAINER`)\n"
	      "      --deny-exe PATH      with --enforce: kill in the kernel any exec of exactly PATH (as passed\n"
	      "                           to execve) in the containers watched (repeatable)\n"
	      "      --forensics-dir DIR  where quarantine's forensics go (default ./bulkhead-forensics)\n"
	      "      --baseline           compare every container with its image's baseline (README \"Baselines\"):\n"
	      "                           monitor mode prints a BASELINE ALERT for anything outside it, protect\n"
	      "                           mode also stops it (execs killed in the kernel at exec)\n"
	      "      --baseline-dir DIR   where baselines are kept (default $BULKHEAD_BASELINES, else\n"
	      "                           ~/.local/share/bulkhead/baselines)\n"
	      "      --learn IMAGE        learn a new baseline for IMAGE's repository (repeatable;\n"
	      "                           implies --baseline)\n"
	      "      --learn-for DURATION learning lasts this long (default 5m), then monitor once nothing new\n"
	      "      --quiet-for DURATION came for this long (default 60s)\n"
	      "      --learn-events N     learning also ends after N events of the image's containers, if\n"
	      "                           sooner than --learn-for\n"
	      "      --protect-action kill|pause|stop|quarantine\n"
	      "                           what protect mode does to a deviation (default kill)\n"
	      "      --netpol FILE        also enforce this network policy (as `bulkhead netpol enforce FILE`):\n"
	      "                           each blocked or would-be-blocked connection is a NETPOL line\n"
	      "                           (JSON: {\"netpol\"})\n"
	      "  -v, --verbose            libbpf's messages (verifier logs) on stderr\n"
	      "needs root and a kernel with BTF; built with clang, bpftool and libbpf-dev\n", fp);
}

int bh_cmd_watch(int argc, char **argv)
{
	enum { O_CONTAINER = 2000, O_STATS, O_DURATION, O_ENGINE, O_CONTONLY, O_RING, O_RULES, O_NODEF, O_ALERTS, O_ENFORCE, O_DENY, O_FDIR, O_SENSOR,
	       O_BASELINE, O_BLDIR, O_LEARN, O_LEARNFOR, O_QUIET, O_LEARNEVENTS, O_PACTION, O_NETPOL };
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
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ "deny-exe", required_argument, NULL, O_DENY },
		{ "forensics-dir", required_argument, NULL, O_FDIR },
		{ "baseline", no_argument, NULL, O_BASELINE },
		{ "baseline-dir", required_argument, NULL, O_BLDIR },
		{ "learn", required_argument, NULL, O_LEARN },
		{ "learn-for", required_argument, NULL, O_LEARNFOR },
		{ "quiet-for", required_argument, NULL, O_QUIET },
		{ "learn-events", required_argument, NULL, O_LEARNEVENTS },
		{ "protect-action", required_argument, NULL, O_PACTION },
		{ "netpol", required_argument, NULL, O_NETPOL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *container = NULL, *engine = NULL, *netpol_file = NULL;
	bh_netpol *np = NULL;
	bh_sensor_opts so;
	struct watch w;
	struct sigaction sa;
	bh_rtsource *s = NULL;
	bh_rtsource_mode mode = BH_RTSOURCE_AUTO;
	bh_error err;
	unsigned duration = 0;
	int ch, rc, stats = 0, nodef = 0;
	const char *rfiles[32], *deny[32], *learn[32];
	size_t nrfiles = 0, ndeny = 0, nlearn = 0;
	int baseline = 0;
	unsigned learn_for = 300, quiet_for = 60;
	unsigned long learn_events = 0;
	bh_rules_action paction = BH_RULES_ACT_KILL;
	char bldir[1024];
	double start, next_stats, next_tick = 0;

	memset(&so, 0, sizeof(so));
	memset(&w, 0, sizeof(w));
	bh_cli_baseline_dir(bldir, sizeof(bldir));
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
		case O_DENY:
			if (ndeny == sizeof(deny) / sizeof(deny[0]) || !optarg[0] || strlen(optarg) > 255) {
				fputs("bulkhead watch: --deny-exe wants a path of 1 to 255 bytes, at most 32 of them\n", stderr);
				return BH_EXIT_USAGE;
			}
			deny[ndeny++] = optarg;
			break;
		case O_FDIR: w.forensics_dir = optarg; break;
		case O_BASELINE: baseline = 1; break;
		case O_BLDIR:
			baseline = 1;
			snprintf(bldir, sizeof(bldir), "%s", optarg);
			break;
		case O_LEARN: {
			char repo[BH_BL_STR_MAX];
			if (nlearn == sizeof(learn) / sizeof(learn[0]) || !bh_registry_repository_of(optarg, repo, sizeof(repo))) {
				fputs("bulkhead watch: --learn wants an image (REPOSITORY[:TAG]), at most 32 of them\n", stderr);
				return BH_EXIT_USAGE;
			}
			baseline = 1;
			learn[nlearn++] = optarg;
			break;
		}
		case O_LEARNFOR:
		case O_QUIET:
			if (bh_cli_parse_duration(optarg, ch == O_LEARNFOR ? &learn_for : &quiet_for)) {
				fprintf(stderr, "bulkhead watch: --%s wants seconds (or 30s, 5m), not \"%s\"\n", ch == O_LEARNFOR ? "learn-for" : "quiet-for", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case O_LEARNEVENTS: {
			char *end;
			errno = 0;
			learn_events = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || learn_events > 1000000000ul) {
				fprintf(stderr, "bulkhead watch: --learn-events wants a count from 1 to 1000000000, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			baseline = 1;
			break;
		}
		case O_PACTION:
			if (!strcmp(optarg, "kill"))
				paction = BH_RULES_ACT_KILL;
			else if (!strcmp(optarg, "pause"))
				paction = BH_RULES_ACT_PAUSE;
			else if (!strcmp(optarg, "stop"))
				paction = BH_RULES_ACT_STOP;
			else if (!strcmp(optarg, "quarantine"))
				paction = BH_RULES_ACT_QUARANTINE;
			else {
				fprintf(stderr, "bulkhead watch: --protect-action wants kill, pause, stop or quarantine, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case O_NETPOL: netpol_file = optarg; break;
		case O_SENSOR:
			if (bh_rtsource_mode_parse(optarg, &mode, &err)) {
				fprintf(stderr, "bulkhead watch: %s\n", err.msg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'v': so.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: return bh_cli_bad_option("watch", longopts, ch, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulkhead watch: unexpected argument \"%s\"\n", argv[optind]);
		return BH_EXIT_USAGE;
	}
	if (ndeny && !w.enforce) {
		fputs("bulkhead watch: --deny-exe kills, so it needs --enforce\n", stderr);
		return BH_EXIT_USAGE;
	}
	w.engine = engine;
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
	if ((rc = bh_rtsource_open(&so, mode, &s, &err)))
		goto fail;
	{
		size_t n, ok = 0;
		const bh_sensor_hook *h = bh_rtsource_hooks(s, &n);
		for (size_t i = 0; i < n; i++) {
			if (h[i].attached) {
				ok++;
				fprintf(stderr, "hook %-45s attached\n", h[i].hook);
			} else {
				fprintf(stderr, "hook %-45s failed at %s: %s\n", h[i].hook, h[i].stage, strerror(h[i].err));
			}
		}
		fprintf(stderr, "%s; %zu of %zu hooks attached%s%s%s\n", bh_rtsource_describe(s), ok, n,
			container ? "; container " : "", container ? container : "", so.containers_only ? "; containers only" : "");
	}
	if (w.enforce && (rc = enforce_setup(&w, bh_rtsource_sensor(s), deny, ndeny, &err)))
		goto fail;
	if (netpol_file && (rc = netpol_setup(netpol_file, engine, so.verbose, &np, &err)))
		goto fail;
	if (baseline && (rc = baseline_setup(&w, bh_rtsource_sensor(s), bldir, learn, nlearn, learn_for, quiet_for, learn_events, paction, engine, &np,
										&err)))
		goto fail;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the poll returns and the loop sees the flag */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now_s();
	next_stats = start + 10;
	while (!stop_flag) {
		double t;
		/* 20 ms: the sensor wakes its reader once per 64 KiB batch (sensor.bpf.c wake_flag), so a
		 * lone event waits for this timeout; waking per event cost each exec ~18 us (an IPI) */
		rc = bh_rtsource_poll(s, 20, on_event, &w, &err);
		if (rc < 0) {
			if (err.msg[0] == 0)
				bh_error_set(&err, rc, "writing an event failed");
			goto fail;
		}
		if (np && (rc = bh_netpol_poll(np, 0, on_verdict, &w, &err)) < 0)
			goto fail;
		fflush(stdout);
		t = now_s();
		if (duration && t - start >= duration)
			break;
		if (w.bl && t >= next_tick) {
			if ((rc = baseline_tick(&w, &err)))
				goto fail;
			next_tick = t + 1;
		}
		if (stats && t >= next_stats) {
			print_stats(s, &w, "10 s");
			next_stats = t + 10;
		}
	}
	/* what is still on the rings when asked to stop */
	while (bh_rtsource_poll(s, 0, on_event, &w, &err) > 0)
		;
	fflush(stdout);
	if (w.bl && baseline_tick(&w, &err))
		fprintf(stderr, "bulkhead watch: baselines: %s\n", err.msg);
	if (stats) {
		print_stats(s, &w, "end");
		fprintf(stderr, "alerts %lu (rules %zu), actions %lu, processes killed %lu\n", w.alerts, bh_rules_count(w.rules), w.actions, w.killed);
	}
	bh_netpol_close(np);
	bh_rtsource_close(s);
	bh_blmon_free(w.bl);
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
	bh_netpol_close(np);
	bh_rtsource_close(s);
	bh_blmon_free(w.bl);
	bh_containers_free(w.cts);
	bh_rules_free(w.rules);
	return bh_cli_exit_code(rc);
}
