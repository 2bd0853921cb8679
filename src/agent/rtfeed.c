/* rtfeed.c - the agent's runtime channel: sensor events through the rules and the drift check into a bounded queue of runtime.alert, drift.detected, runtime.stats and network.snapshot envelopes. */
#include "agent/rtfeed.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "agent/netfeed.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/map.h"
#include "core/text.h"
#include "engine/engine.h"
#include "runtime/blmon.h"
#include "runtime/containers.h"
#include "runtime/drift.h"
#include "runtime/event.h"
#include "runtime/eventjson.h"
#include "runtime/rules.h"
#include "runtime/sensor.h"

#define MAX_CTS 4096          /* containers with a bucket of their own; the rest share one */
#define MAX_DEDUP 16384       /* (container, path, kind) entries remembered */
#define MAX_PENDING 256       /* writes waiting for their file to show in the upper layer */
#define PENDING_NS 1500000000ull /* how long a write's file is waited for (the event comes at syscall entry) */
#define MAX_LOWERS 128
#define MAX_CT_DROPS 256      /* containers listed in one runtime.stats */
#define CWD_SLOTS 4096        /* cwd at exec per pid (direct-mapped): for relative paths of processes gone already */

enum { SUP_ALERT = 0, SUP_DRIFT = 1 };

/* Per container (ct NULL: the host): its bucket, suppression counts, image layers. */
struct ctstate {
	const bh_rt_container *ct;
	double tokens;
	uint64_t last_ns;
	uint64_t suppressed[2];
	char **lowers;            /* LowerDir, top layer first; read once */
	size_t nlowers;
	bool lowers_read;
};

struct procinfo {
	uint32_t pid, ppid, uid;
	char comm[BH_RT_COMM_MAX];
	char args[160];
};

/* A drift already reported: folded repeats until the interval ends. */
struct dentry {
	struct ctstate *cs;
	char *path;
	const char *kind, *cause;
	uint64_t last_ns;        /* when the last envelope went */
	uint64_t repeats;        /* events since then */
	struct procinfo proc;    /* the latest of them */
};

/* A process's cwd when it started (exec), by pid. */
struct cwdslot {
	uint32_t pid;
	char cwd[BH_RT_PATH_MAX];
};

struct pending {
	struct ctstate *cs;
	char path[BH_RT_PATH_MAX * 2];
	const char *cause;
	uint64_t deadline_ns;
	struct procinfo proc;
};

struct bh_rtfeed {
	bh_rtfeed_opts o;
	bh_rules *rules;
	bh_containers *cts;
	bh_sensor *s;
	pthread_t th;
	bool running;
	atomic_int stop;
	/* the queue, shared with the taker */
	pthread_mutex_t qmu;
	bh_rtfeed_item *q;
	size_t qhead, qn, qcap;
	uint64_t queue_dropped;
	/* the feed thread's own */
	struct ctstate *cst;
	size_t ncst;
	struct ctstate overflow, host;
	bh_map dedup;             /* key "PTR\x1fKIND\x1fPATH" -> struct dentry */
	struct pending pend[MAX_PENDING];
	size_t npend;
	uint64_t alerts, drift, suppressed[2];
	int64_t started;
	uint64_t next_stats_ns, last_sweep_ns;
	size_t hooks_ok, hooks_n;
	bool warned_engine;
	struct cwdslot *cwds;     /* CWD_SLOTS */
	bh_blmon *bl;             /* baselines (NULL: not asked for) */
	bh_netfeed *nf;           /* the network map (NULL: --network-interval 0) */
	uint64_t deviations, last_bl_tick_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* A JSON string of valid UTF-8 (invalid bytes -> U+FFFD); null for NULL. */
static json_t *jstr(const char *s)
{
	char *u;
	json_t *j;
	if (!s)
		return json_null();
	if (bh_text_is_utf8(s, strlen(s)))
		return json_string(s);
	if (!(u = bh_text_utf8_dup(s)))
		return json_null();
	j = json_string(u);
	free(u);
	return j ? j : json_null();
}

/* ---------------------------------------------------------------- the queue */

static void item_clear(bh_rtfeed_item *it)
{
	free(it->container);
	json_decref(it->payload);
	memset(it, 0, sizeof(*it));
}

void bh_rtfeed_items_free(bh_rtfeed_item *items, size_t n)
{
	size_t i;
	for (i = 0; items && i < n; i++)
		item_clear(&items[i]);
	free(items);
}

/* Queues one envelope (payload stolen); counted and dropped when the queue is full. */
static void push(bh_rtfeed *f, const char *type, const char *container, int64_t t, json_t *payload)
{
	bh_rtfeed_item it;
	bool ok = false;
	if (!payload)
		return;
	memset(&it, 0, sizeof(it));
	it.type = type;
	it.time = t;
	it.payload = payload;
	if (container && container[0] && !(it.container = strdup(container))) {
		json_decref(payload);
		return;
	}
	pthread_mutex_lock(&f->qmu);
	if (f->qn < f->o.queue_max) {
		if (f->qn == f->qcap) {
			/* grow and unwrap the ring */
			size_t nc = f->qcap ? f->qcap * 2 : 64, i;
			bh_rtfeed_item *nq = nc <= SIZE_MAX / sizeof(*nq) ? malloc(nc * sizeof(*nq)) : NULL;
			if (nq) {
				for (i = 0; i < f->qn; i++)
					nq[i] = f->q[(f->qhead + i) % f->qcap];
				free(f->q);
				f->q = nq;
				f->qcap = nc;
				f->qhead = 0;
			}
		}
		if (f->qn < f->qcap) {
			f->q[(f->qhead + f->qn) % f->qcap] = it;
			f->qn++;
			ok = true;
		}
	}
	if (!ok)
		f->queue_dropped++;
	pthread_mutex_unlock(&f->qmu);
	if (!ok) {
		item_clear(&it);
		return;
	}
	if (f->o.notify)
		f->o.notify(f->o.notify_ud);
}

size_t bh_rtfeed_take(bh_rtfeed *f, bh_rtfeed_item **items)
{
	size_t n, i;
	bh_rtfeed_item *out;
	*items = NULL;
	pthread_mutex_lock(&f->qmu);
	n = f->qn;
	if (n && (out = malloc(n * sizeof(*out))) != NULL) {
		for (i = 0; i < n; i++)
			out[i] = f->q[(f->qhead + i) % f->qcap];
		f->qhead = 0;
		f->qn = 0;
		*items = out;
	} else {
		n = 0;
	}
	pthread_mutex_unlock(&f->qmu);
	return n;
}

/* ---------------------------------------------------------------- containers, buckets */

static struct ctstate *state_of(bh_rtfeed *f, const bh_rt_container *ct)
{
	size_t i;
	struct ctstate *cs;
	if (!ct)
		return &f->host;
	for (i = 0; i < f->ncst; i++)
		if (f->cst[i].ct == ct)
			return &f->cst[i];
	if (f->ncst == MAX_CTS)
		return &f->overflow;
	cs = &f->cst[f->ncst++];
	memset(cs, 0, sizeof(*cs));
	cs->ct = ct;
	cs->tokens = f->o.burst;
	cs->last_ns = mono_ns();
	return cs;
}

/* A token from the container's bucket; false (and counted) when it is empty. */
static bool take_token(bh_rtfeed *f, struct ctstate *cs, int what)
{
	uint64_t now = mono_ns();
	cs->tokens += (double)(now - cs->last_ns) / 1e9 * f->o.rate;
	if (cs->tokens > f->o.burst)
		cs->tokens = f->o.burst;
	cs->last_ns = now;
	if (cs->tokens >= 1.0) {
		cs->tokens -= 1.0;
		return true;
	}
	cs->suppressed[what]++;
	f->suppressed[what]++;
	return false;
}

static json_t *container_json(const bh_rt_container *ct)
{
	json_t *o;
	if (!ct || !ct->id || !ct->id[0])
		return NULL;
	if (!(o = json_object()))
		return NULL;
	json_object_set_new(o, "id", jstr(ct->id));
	json_object_set_new(o, "name", jstr(ct->name));
	json_object_set_new(o, "image", jstr(ct->image));
	json_object_set_new(o, "image_digest", jstr(ct->image_digest));
	return o;
}

static const char *ct_id(const struct ctstate *cs)
{
	return cs->ct && cs->ct->id ? cs->ct->id : NULL;
}

/* The image's layer dirs of the container (engine inspect, GraphDriver.Data.LowerDir), read once. */
static void read_lowers(bh_rtfeed *f, struct ctstate *cs)
{
	json_t *ins = NULL;
	bh_limits lim;
	bh_error err;
	const char *ld;
	cs->lowers_read = true;
	if (!cs->ct || !cs->ct->id || !cs->ct->id[0])
		return;
	bh_limits_default(&lim);
	if (bh_engine_container_inspect(f->o.engine_host, cs->ct->id, &lim, &ins, &err)) {
		bh_log_debug("agent: runtime: layers of %s: %s", cs->ct->id, err.msg);
		return;
	}
	ld = json_string_value(json_object_get(json_object_get(json_object_get(ins, "GraphDriver"), "Data"), "LowerDir"));
	if (ld && *ld && (cs->lowers = calloc(MAX_LOWERS, sizeof(char *))) != NULL) {
		const char *p = ld;
		while (*p && cs->nlowers < MAX_LOWERS) {
			size_t n = strcspn(p, ":");
			if (n && (cs->lowers[cs->nlowers] = strndup(p, n)) != NULL)
				cs->nlowers++;
			p += n;
			if (*p == ':')
				p++;
		}
	}
	json_decref(ins);
}

/* Whether rel (no leading '/') exists in the layer dir: resolved inside it (openat2 RESOLVE_IN_ROOT, so
 * the image's own links cannot point it outside). 1 present, 0 absent, -1 a whiteout (hidden below). */
static int in_layer(const char *dir, const char *rel)
{
	struct open_how how;
	struct stat st;
	int dfd, fd, r = 0;
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* an old kernel: one lookup, links in the middle followed (a wrong answer at worst) */
		if (fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
			r = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) ? -1 : 1;
	} else if (fd >= 0) {
		if (fstat(fd, &st) == 0)
			r = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) ? -1 : 1;
		close(fd);
	}
	close(dfd);
	return r;
}

/* "changed" when the image has the path (the top-most layer that names it decides), else "added". */
static const char *write_kind(bh_rtfeed *f, struct ctstate *cs, const char *path)
{
	size_t i;
	if (!cs->lowers_read)
		read_lowers(f, cs);
	for (i = 0; i < cs->nlowers; i++) {
		int r = in_layer(cs->lowers[i], path + 1);
		if (r)
			return r > 0 ? "changed" : "added";
	}
	return "added";
}

/* ---------------------------------------------------------------- drift */

/* path made absolute and lexically clean into out: "//" and "/./" folded, ".." refused. */
static bool clean_path(const char *base, const char *path, char *out, size_t n)
{
	char tmp[BH_RT_PATH_MAX * 3];
	const char *p;
	size_t o = 0;
	int w = path[0] == '/' ? snprintf(tmp, sizeof(tmp), "%s", path)
			       : snprintf(tmp, sizeof(tmp), "%s/%s", base && base[0] == '/' ? base : "/", path);
	if (w < 0 || (size_t)w >= sizeof(tmp) || n < 2)
		return false;
	for (p = tmp; *p;) {
		size_t len;
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (o + 1 + len + 1 > n)
			return false;
		out[o++] = '/';
		memcpy(out + o, p, len);
		o += len;
		p += len;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return true;
}

/* Paths a container may write without it being drift: scratch dirs (runtime/drift.h's allow-list) and
 * kernel filesystems. */
static bool allowed_path(const char *p)
{
	static const char *const virt[] = { "/proc", "/sys", "/dev" };
	size_t i, n, len = strlen(p);
	for (i = 0; i < bh_drift_default_nallow + 3; i++) {
		const char *a = i < bh_drift_default_nallow ? bh_drift_default_allow[i] : virt[i - bh_drift_default_nallow];
		n = strlen(a);
		if (len >= n && !memcmp(p, a, n) && (len == n || p[n] == '/'))
			return true;
	}
	return false;
}

/* The cwd of a process as its container sees it (/proc/PID/cwd below /proc/PID/root); false when gone. */
static bool proc_cwd(uint32_t pid, char *out, size_t n)
{
	char lk[64], root[4096], cwd[4096];
	ssize_t a, b;
	size_t rl;
	snprintf(lk, sizeof(lk), "/proc/%u/root", pid);
	if ((a = readlink(lk, root, sizeof(root) - 1)) <= 0)
		return false;
	root[a] = '\0';
	snprintf(lk, sizeof(lk), "/proc/%u/cwd", pid);
	if ((b = readlink(lk, cwd, sizeof(cwd) - 1)) <= 0)
		return false;
	cwd[b] = '\0';
	rl = strcmp(root, "/") ? strlen(root) : 0;
	if (strncmp(cwd, root, rl) != 0 || (cwd[rl] != '/' && cwd[rl] != '\0'))
		return false;
	snprintf(out, n, "%s", cwd[rl] ? cwd + rl : "/");
	return true;
}

static void procinfo_of(const bh_rt_event *ev, struct procinfo *p)
{
	p->pid = ev->pid;
	p->ppid = ev->ppid;
	p->uid = ev->uid;
	snprintf(p->comm, sizeof(p->comm), "%s", ev->comm);
	/* cut short: the alert carries the whole event; a cut UTF-8 sequence becomes U+FFFD in jstr */
	snprintf(p->args, sizeof(p->args), "%.*s", (int)sizeof(p->args) - 1, ev->args);
}

static void send_drift(bh_rtfeed *f, struct ctstate *cs, const char *path, const char *kind, const char *cause,
		       uint64_t repeats, const struct procinfo *pi)
{
	json_t *p, *proc;
	if (!take_token(f, cs, SUP_DRIFT))
		return;
	if (!(p = json_object()))
		return;
	json_object_set_new(p, "path", jstr(path));
	json_object_set_new(p, "kind", json_string(kind));
	json_object_set_new(p, "cause", json_string(cause));
	json_object_set_new(p, "repeats", json_integer((json_int_t)repeats));
	if (cs->ct)
		json_object_set_new(p, "container", container_json(cs->ct));
	if ((proc = json_object()) != NULL) {
		json_object_set_new(proc, "pid", json_integer(pi->pid));
		json_object_set_new(proc, "ppid", json_integer(pi->ppid));
		json_object_set_new(proc, "uid", json_integer(pi->uid));
		json_object_set_new(proc, "comm", jstr(pi->comm));
		if (pi->args[0])
			json_object_set_new(proc, "args", jstr(pi->args));
		json_object_set_new(p, "process", proc);
	}
	f->drift++;
	push(f, "drift.detected", ct_id(cs), (int64_t)time(NULL), p);
}

static void dentry_free(void *v)
{
	struct dentry *d = v;
	if (d) {
		free(d->path);
		free(d);
	}
}

static void dkey(char *key, size_t n, const struct ctstate *cs, const char *kindclass, const char *path)
{
	snprintf(key, n, "%p\x1f%s\x1f%s", (const void *)cs, kindclass, path);
}

/* Ends intervals: an entry with folded repeats sends them; old quiet entries are forgotten. */
static void dedup_sweep(bh_rtfeed *f, uint64_t now, bool all)
{
	uint64_t iv = (uint64_t)f->o.dedup_interval_s * 1000000000ull;
	size_t i = 0;
	const char *k;
	void *v;
	while (bh_map_next(&f->dedup, &i, &k, &v)) {
		struct dentry *d = v;
		if (d->repeats && (all || now - d->last_ns >= iv)) {
			send_drift(f, d->cs, d->path, d->kind, d->cause, d->repeats, &d->proc);
			d->repeats = 0;
			d->last_ns = now;
		} else if (!d->repeats && now - d->last_ns >= 2 * iv) {
			bh_map_del(&f->dedup, k);
		}
	}
}

/* Folded into an entry of the same (container, path, kind class) when one is within its interval. */
static bool dedup_fold(bh_rtfeed *f, struct ctstate *cs, const char *kindclass, const char *path, const bh_rt_event *ev)
{
	char key[BH_RT_PATH_MAX * 2 + 64];
	struct dentry *d;
	dkey(key, sizeof(key), cs, kindclass, path);
	if (!(d = bh_map_get(&f->dedup, key)))
		return false;
	d->repeats++;
	procinfo_of(ev, &d->proc);
	return true;
}

static void dedup_add(bh_rtfeed *f, struct ctstate *cs, const char *kindclass, const char *path, const char *kind,
		      const char *cause, const struct procinfo *pi)
{
	char key[BH_RT_PATH_MAX * 2 + 64];
	struct dentry *d;
	if (f->dedup.n >= MAX_DEDUP)
		dedup_sweep(f, mono_ns(), true);
	if (f->dedup.n >= MAX_DEDUP) {
		/* still full of entries inside their interval: start over rather than grow */
		bh_map_free(&f->dedup);
		bh_map_init(&f->dedup, dentry_free);
	}
	if (!(d = calloc(1, sizeof(*d))) || !(d->path = strdup(path))) {
		free(d);
		return;
	}
	d->cs = cs;
	d->kind = kind;
	d->cause = cause;
	d->last_ns = mono_ns();
	d->proc = *pi;
	dkey(key, sizeof(key), cs, kindclass, path);
	if (bh_map_put(&f->dedup, key, d))
		dentry_free(d);
}

/* A write whose file is in the upper layer now: reported (kind from the image's layers). */
static bool write_confirmed(bh_rtfeed *f, struct ctstate *cs, const char *path, const char *cause, const struct procinfo *pi)
{
	char key[BH_RT_PATH_MAX * 2 + 64];
	struct dentry *d;
	const char *kind;
	if (!bh_containers_exe_upper(f->cts, cs->ct, path, "/"))
		return false;
	/* a later write of the same file may have been reported while this one waited */
	dkey(key, sizeof(key), cs, "w", path);
	if ((d = bh_map_get(&f->dedup, key)) != NULL) {
		d->repeats++;
		return true;
	}
	kind = write_kind(f, cs, path);
	dedup_add(f, cs, "w", path, kind, cause, pi);
	send_drift(f, cs, path, kind, cause, 0, pi);
	return true;
}

static void pending_check(bh_rtfeed *f, uint64_t now)
{
	size_t i = 0;
	while (i < f->npend) {
		struct pending *p = &f->pend[i];
		if (write_confirmed(f, p->cs, p->path, p->cause, &p->proc) || now >= p->deadline_ns) {
			f->pend[i] = f->pend[--f->npend];
			continue;
		}
		i++;
	}
}

/* Drift of one container event: an upper-layer executable run, or a file written, created, renamed to, chmod-ed. */
static void drift_of(bh_rtfeed *f, struct ctstate *cs, const bh_rt_event *ev)
{
	char path[BH_RT_PATH_MAX * 2] = { 0 }, cwd[BH_RT_PATH_MAX * 2]; /* zeroed: the analyzer cannot follow clean_path */
	const char *raw = NULL, *cause = NULL;
	struct procinfo pi;
	size_t i;
	if (!cs->ct)
		return;
	if (ev->type == BH_RT_EXEC && ev->cwd[0] == '/' && !(ev->trunc & BH_RT_TRUNC_CWD)) {
		f->cwds[ev->pid % CWD_SLOTS].pid = ev->pid;
		memcpy(f->cwds[ev->pid % CWD_SLOTS].cwd, ev->cwd, sizeof(ev->cwd));
	}
	switch (ev->type) {
	case BH_RT_EXEC:
		if (!ev->exe_upper || !clean_path(ev->cwd, ev->path, path, sizeof(path)))
			return;
		if (dedup_fold(f, cs, "x", path, ev))
			return;
		procinfo_of(ev, &pi);
		dedup_add(f, cs, "x", path, "exec", "execve", &pi);
		send_drift(f, cs, path, "exec", "execve", 0, &pi);
		return;
	case BH_RT_OPEN:
		if (!(ev->flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
			return;
		raw = ev->path;
		cause = "open";
		break;
	case BH_RT_RENAME:
		raw = ev->path2;
		cause = "rename";
		break;
	case BH_RT_CHMOD:
		raw = ev->path;
		cause = "chmod";
		break;
	default:
		return;
	}
	if (!raw[0] || (ev->trunc & (ev->type == BH_RT_RENAME ? BH_RT_TRUNC_PATH2 : BH_RT_TRUNC_PATH)))
		return;
	cwd[0] = '\0';
	if (raw[0] != '/' && !proc_cwd(ev->pid, cwd, sizeof(cwd))) {
		/* a short-lived process is gone by now: its cwd when it started, if it did not move since */
		const struct cwdslot *c = &f->cwds[ev->pid % CWD_SLOTS];
		if (c->pid != ev->pid || !c->cwd[0])
			return; /* cannot say which file */
		snprintf(cwd, sizeof(cwd), "%s", c->cwd);
	}
	if (!clean_path(cwd, raw, path, sizeof(path)) || allowed_path(path))
		return;
	if (dedup_fold(f, cs, "w", path, ev))
		return;
	procinfo_of(ev, &pi);
	if (write_confirmed(f, cs, path, cause, &pi))
		return;
	/* the event comes at syscall entry: the file may not be there yet */
	for (i = 0; i < f->npend; i++)
		if (f->pend[i].cs == cs && !strcmp(f->pend[i].path, path))
			return;
	if (f->npend == MAX_PENDING)
		return;
	f->pend[f->npend].cs = cs;
	snprintf(f->pend[f->npend].path, sizeof(f->pend[0].path), "%s", path);
	f->pend[f->npend].cause = cause;
	f->pend[f->npend].deadline_ns = mono_ns() + PENDING_NS;
	f->pend[f->npend].proc = pi;
	f->npend++;
}

/* ---------------------------------------------------------------- alerts */

struct hitctx {
	bh_rtfeed *f;
	struct ctstate *cs;
	const bh_rt_event *ev;
};

static int on_hit(const bh_rules_hit *hit, void *user)
{
	struct hitctx *h = user;
	const bh_rules_rule *r = hit->rule;
	json_t *p, *tags, *ev;
	size_t i;
	h->f->alerts++;
	if (!take_token(h->f, h->cs, SUP_ALERT))
		return 0;
	if (!(p = json_object()))
		return 0;
	json_object_set_new(p, "rule", jstr(r->name));
	json_object_set_new(p, "priority", json_string(bh_rules_priority_name(r->priority)));
	json_object_set_new(p, "output", jstr(hit->output));
	if ((tags = json_array()) != NULL) {
		for (i = 0; i < r->ntags; i++)
			json_array_append_new(tags, jstr(r->tags[i]));
		json_object_set_new(p, "tags", tags);
	}
	json_object_set_new(p, "action", json_string(bh_rules_action_name(r->action)));
	/* the agent reports; carrying out kill, pause, stop, quarantine is not its job yet */
	json_object_set_new(p, "action_taken", json_string("none"));
	if (h->cs->ct)
		json_object_set_new(p, "container", container_json(h->cs->ct));
	if ((ev = bh_rt_event_json(h->ev, h->cs->ct)) != NULL)
		json_object_set_new(p, "event", ev);
	push(h->f, "runtime.alert", ct_id(h->cs), (int64_t)(h->ev->wall_ns / 1000000000ull), p);
	return 0;
}

/* A deviation from the container's baseline: one envelope with what accepting it would add; in
 * protect mode (the container's: by its label or its baseline) an exec was already killed in the
 * kernel (the event says so), anything else is killed here (the agent acts for its baselines;
 * rules' actions stay reports). */
static int on_deviation(void *ud, const bh_blmon_dev *d)
{
	struct hitctx *h = ud;
	const bh_bl_obs *o = &d->obs;
	bool protect = d->mode == BH_BL_PROTECT;
	const char *taken = "none (monitor mode)";
	json_t *p, *obs, *ev;

	h->f->deviations++;
	if (protect) {
		if (d->ev->kact & BH_RT_KACT_KILLED)
			taken = "killed (" BH_RT_KILL_MECHANISM ")";
		else if (d->ev->pid > 1 && kill((pid_t)d->ev->pid, SIGKILL) == 0)
			taken = "killed (user-space SIGKILL after the event)";
		else
			taken = "failed (the process was gone)";
	}
	if (!take_token(h->f, h->cs, SUP_ALERT))
		return 0;
	if (!(p = json_object()) || !(obs = json_object())) {
		json_decref(p);
		return 0;
	}
	json_object_set_new(p, "repository", jstr(bh_baseline_repository(d->bl)));
	json_object_set_new(p, "mode", json_string(bh_bl_mode_name(d->mode)));
	json_object_set_new(p, "mode_from", json_string(d->rule ? "label" : "baseline"));
	if (d->rule)
		json_object_set_new(p, "mode_label", jstr(d->rule));
	json_object_set_new(p, "kind", json_string(bh_bl_kind_name(o->kind)));
	json_object_set_new(p, "what", jstr(d->what));
	if (d->chain[0])
		json_object_set_new(p, "chain", jstr(d->chain));
	json_object_set_new(p, "violated", jstr(d->violated));
	json_object_set_new(p, "baseline_version", json_integer((json_int_t)bh_baseline_version(d->bl)));
	json_object_set_new(p, "action_taken", json_string(taken));
	json_object_set_new(obs, "kind", json_string(bh_bl_kind_name(o->kind)));
	{
		bh_bl_entry e;
		bh_baseline_entry_of(o, &e);
		static const char *const akey[BH_BL__KIND_COUNT] = { "exe", "exe", "path", NULL, "peer", "peer", "name" };
		static const char *const bkey[BH_BL__KIND_COUNT] = { "parent", "args", "access", "proto", "proto", "proto", NULL };
		if ((unsigned)o->kind < BH_BL__KIND_COUNT) {
			if (akey[o->kind] && e.a)
				json_object_set_new(obs, akey[o->kind], jstr(e.a));
			if (bkey[o->kind] && e.b)
				json_object_set_new(obs, bkey[o->kind], jstr(e.b));
		}
		if (e.port)
			json_object_set_new(obs, "port", json_integer(e.port));
	}
	json_object_set_new(p, "obs", obs);
	if (h->cs->ct)
		json_object_set_new(p, "container", container_json(h->cs->ct));
	if ((ev = bh_rt_event_json(d->ev, h->cs->ct)) != NULL)
		json_object_set_new(p, "event", ev);
	push(h->f, "baseline.deviation", ct_id(h->cs), (int64_t)(d->ev->wall_ns / 1000000000ull), p);
	return 0;
}

/* The baselines' monitor speaking: a promotion, files read again, a label's mode without a baseline. */
static void on_blnote(void *ud, bh_baseline *bl, const char *what)
{
	(void)ud;
	if (bl)
		bh_log_info("agent: baseline %s: %s", bh_baseline_repository(bl), what);
	else if (!strncmp(what, "WARNING: ", 9))
		bh_log_warn("agent: %s", what + 9);
	else
		bh_log_info("agent: %s", what);
}

static int on_event(void *ud, const bh_rt_event *cev)
{
	bh_rtfeed *f = ud;
	const bh_rt_container *ct = bh_containers_lookup(f->cts, cev->cgroup_id);
	struct ctstate *cs = state_of(f, ct);
	struct hitctx h;
	bh_rt_event ev;
	if (!f->warned_engine && bh_containers_last_error(f->cts)[0]) {
		bh_log_warn("agent: runtime: containers known by id only: %s", bh_containers_last_error(f->cts));
		f->warned_engine = true;
	}
	ev = *cev;
	if (ev.type == BH_RT_EXEC && ct)
		ev.exe_upper = bh_containers_exe_upper(f->cts, ct, ev.path, ev.cwd);
	h.f = f;
	h.cs = cs;
	h.ev = &ev;
	(void)bh_rules_eval(f->rules, &ev, ct, NULL, on_hit, &h);
	drift_of(f, cs, &ev);
	if (f->bl && ct) {
		bh_error berr = { 0 };
		if (bh_blmon_protect(f->bl, f->s, ct, &berr) < 0)
			bh_log_warn("agent: baseline protect for %s: %s", ct->name && ct->name[0] ? ct->name : ct->id, berr.msg);
		(void)bh_blmon_event(f->bl, &ev, ct, (uint64_t)time(NULL), on_deviation, &h, &berr);
	}
	if (f->nf)
		bh_netfeed_event(f->nf, &ev, ct);
	return 0;
}

/* ---------------------------------------------------------------- stats */

struct dropsacc {
	bh_rtfeed *f;
	struct { const bh_rt_container *ct; uint64_t d[BH_RT_CLASS__COUNT]; } v[MAX_CT_DROPS];
	size_t n;
};

static void on_cgdrops(void *ud, uint64_t cgid, const uint64_t drops[BH_RT_CLASS__COUNT])
{
	struct dropsacc *a = ud;
	const bh_rt_container *ct = bh_containers_lookup(a->f->cts, cgid);
	size_t i;
	int c;
	/* the host's cgroups are one row: their ids say nothing to a reader of the server */
	for (i = 0; i < a->n && a->v[i].ct != ct; i++)
		;
	if (i == a->n) {
		if (a->n == MAX_CT_DROPS)
			return;
		a->v[i].ct = ct;
		memset(a->v[i].d, 0, sizeof(a->v[i].d));
		a->n++;
	}
	for (c = 0; c < BH_RT_CLASS__COUNT; c++)
		a->v[i].d[c] += drops[c];
}

static json_t *classes_json(const uint64_t v[BH_RT_CLASS__COUNT])
{
	json_t *o = json_object();
	int c;
	for (c = 0; o && c < BH_RT_CLASS__COUNT; c++)
		json_object_set_new(o, bh_rt_class_name((bh_rt_class)c), json_integer((json_int_t)v[c]));
	return o;
}

static void send_stats(bh_rtfeed *f)
{
	struct dropsacc acc;
	bh_sensor_stats st;
	const bh_sensor_hook *hk;
	json_t *p = json_object(), *arr, *o, *failed;
	size_t i, n;
	uint64_t qd;
	if (!p)
		return;
	bh_sensor_stats_get(f->s, &st);
	json_object_set_new(p, "available", json_true());
	json_object_set_new(p, "started", json_integer(f->started));
	json_object_set_new(p, "interval_s", json_integer(f->o.stats_interval_s));
	json_object_set_new(p, "events", classes_json(st.events));
	json_object_set_new(p, "drops", classes_json(st.drops));
	json_object_set_new(p, "bad_records", json_integer((json_int_t)st.bad_records));
	memset(&acc, 0, sizeof(acc));
	acc.f = f;
	bh_sensor_drops_by_cgroup(f->s, on_cgdrops, &acc);
	if ((arr = json_array()) != NULL) {
		for (i = 0; i < acc.n; i++) {
			const bh_rt_container *ct = acc.v[i].ct;
			json_array_append_new(arr, json_pack("{s:o, s:o, s:o}", "container", jstr(ct && ct->id ? ct->id : ""), "name",
							     jstr(ct ? ct->name : NULL), "drops", classes_json(acc.v[i].d)));
		}
		json_object_set_new(p, "drops_by_container", arr);
	}
	hk = bh_sensor_hooks(f->s, &n);
	if ((o = json_object()) != NULL && (failed = json_array()) != NULL) {
		size_t ok = 0;
		for (i = 0; i < n; i++) {
			char line[256];
			if (hk[i].attached) {
				ok++;
				continue;
			}
			snprintf(line, sizeof(line), "%s: %s: %s", hk[i].hook, hk[i].stage, strerror(hk[i].err));
			json_array_append_new(failed, jstr(line));
		}
		json_object_set_new(o, "attached", json_integer((json_int_t)ok));
		json_object_set_new(o, "total", json_integer((json_int_t)n));
		json_object_set_new(o, "failed", failed);
		json_object_set_new(p, "hooks", o);
	} else {
		json_decref(o);
	}
	json_object_set_new(p, "alerts", json_integer((json_int_t)f->alerts));
	json_object_set_new(p, "drift", json_integer((json_int_t)f->drift));
	json_object_set_new(p, "suppressed", json_pack("{s:I, s:I}", "alert", (json_int_t)f->suppressed[SUP_ALERT], "drift",
						       (json_int_t)f->suppressed[SUP_DRIFT]));
	if ((arr = json_array()) != NULL) {
		for (i = 0; i < f->ncst + 2 && json_array_size(arr) < MAX_CT_DROPS; i++) {
			const struct ctstate *cs = i < f->ncst ? &f->cst[i] : i == f->ncst ? &f->host : &f->overflow;
			if (!cs->suppressed[SUP_ALERT] && !cs->suppressed[SUP_DRIFT])
				continue;
			json_array_append_new(arr, json_pack("{s:o, s:o, s:I, s:I}", "container",
							     jstr(i == f->ncst ? "" : i > f->ncst ? "(other)" : ct_id(cs)), "name",
							     jstr(cs->ct ? cs->ct->name : NULL), "alert", (json_int_t)cs->suppressed[SUP_ALERT],
							     "drift", (json_int_t)cs->suppressed[SUP_DRIFT]));
		}
		json_object_set_new(p, "suppressed_by_container", arr);
	}
	pthread_mutex_lock(&f->qmu);
	qd = f->queue_dropped;
	pthread_mutex_unlock(&f->qmu);
	json_object_set_new(p, "queue_dropped", json_integer((json_int_t)qd));
	json_object_set_new(p, "exec_latency_us", json_pack("{s:I, s:I, s:I, s:I}", "n", (json_int_t)st.exec_lat_n, "p50",
							    (json_int_t)st.exec_lat_p50_us, "p99", (json_int_t)st.exec_lat_p99_us,
							    "max", (json_int_t)st.exec_lat_max_us));
	/* stats go past the buckets: they are what says the buckets refused something */
	push(f, "runtime.stats", NULL, (int64_t)time(NULL), p);
}

json_t *bh_rtfeed_unavailable(const char *reason)
{
	json_t *p = json_object();
	if (!p)
		return NULL;
	json_object_set_new(p, "available", json_false());
	json_object_set_new(p, "reason", jstr(reason ? reason : ""));
	return p;
}

/* ---------------------------------------------------------------- the thread */

static void *feed_main(void *ud)
{
	bh_rtfeed *f = ud;
	uint64_t iv = (uint64_t)f->o.stats_interval_s * 1000000000ull;
	bh_error err;
	send_stats(f);
	f->next_stats_ns = mono_ns() + iv;
	while (!atomic_load(&f->stop)) {
		uint64_t now;
		/* short waits while writes wait for their file, so drift shows within tens of ms */
		/* 20 ms: the sensor wakes readers once per batch, a lone event waits for the timeout */
		int rc = bh_sensor_poll(f->s, 20, on_event, f, &err);
		if (rc < 0) {
			bh_log_error("agent: runtime: %s; the sensor stops", err.msg);
			break;
		}
		now = mono_ns();
		if (f->npend)
			pending_check(f, now);
		if (now - f->last_sweep_ns >= 1000000000ull) {
			dedup_sweep(f, now, false);
			f->last_sweep_ns = now;
		}
		if (now >= f->next_stats_ns) {
			send_stats(f);
			f->next_stats_ns = now + iv;
		}
		if (f->nf)
			push(f, "network.snapshot", NULL, (int64_t)time(NULL), bh_netfeed_due(f->nf, now, false));
		if (f->bl && now - f->last_bl_tick_ns >= 1000000000ull) {
			/* promotions, saving, files the agent's sync wrote, and quiet protected containers */
			if (bh_blmon_tick(f->bl, (uint64_t)time(NULL), on_blnote, f, &err))
				bh_log_warn("agent: baselines: %s", err.msg);
			bh_containers_refresh(f->cts);
			for (size_t k = 0; k < bh_containers_count(f->cts); k++)
				(void)bh_blmon_protect(f->bl, f->s, bh_containers_at(f->cts, k), &err);
			if (bh_blmon_forget_gone(f->bl, f->s, f->cts, &err) < 0)
				bh_log_warn("agent: baseline protect: %s", err.msg);
			f->last_bl_tick_ns = now;
		}
	}
	/* what is still on the rings, then the last word */
	while (bh_sensor_poll(f->s, 0, on_event, f, &err) > 0)
		;
	pending_check(f, mono_ns());
	dedup_sweep(f, mono_ns(), true);
	if (f->bl && bh_blmon_tick(f->bl, (uint64_t)time(NULL), NULL, NULL, &err))
		bh_log_warn("agent: baselines: %s", err.msg);
	if (f->nf)
		push(f, "network.snapshot", NULL, (int64_t)time(NULL), bh_netfeed_due(f->nf, mono_ns(), true));
	send_stats(f);
	return NULL;
}

int bh_rtfeed_start(const bh_rtfeed_opts *o, bh_rtfeed **out, bh_error *err)
{
	bh_rtfeed *f;
	bh_sensor_opts so;
	const bh_sensor_hook *hk;
	size_t i, n;
	int rc;

	*out = NULL;
	if (!(f = calloc(1, sizeof(*f))) || !(f->cst = calloc(MAX_CTS, sizeof(*f->cst))) ||
	    !(f->cwds = calloc(CWD_SLOTS, sizeof(*f->cwds)))) {
		if (f)
			free(f->cst);
		free(f);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	f->o = *o;
	if (!f->o.stats_interval_s)
		f->o.stats_interval_s = 10;
	if (!f->o.dedup_interval_s)
		f->o.dedup_interval_s = 10;
	if (!(f->o.rate > 0))
		f->o.rate = 20;
	if (!(f->o.burst >= 1))
		f->o.burst = 200;
	if (!f->o.queue_max)
		f->o.queue_max = 10000;
	f->host.tokens = f->overflow.tokens = f->o.burst;
	f->host.last_ns = f->overflow.last_ns = mono_ns();
	f->host.lowers_read = f->overflow.lowers_read = true;
	pthread_mutex_init(&f->qmu, NULL);
	bh_map_init(&f->dedup, dentry_free);
	atomic_init(&f->stop, 0);

	/* the rules first: a broken rule file is the user's mistake, whatever the kernel can do */
	if (!(f->rules = bh_rules_new())) {
		rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		goto fail;
	}
	rc = o->no_default_rules ? 0 : bh_rules_add_default(f->rules, err);
	for (i = 0; !rc && i < o->nrule_files; i++)
		rc = bh_rules_add_file(f->rules, o->rule_files[i], err);
	if (!rc)
		rc = bh_rules_compile(f->rules, err);
	if (rc) {
		const bh_rules_diag *d = bh_rules_diags(f->rules, &n);
		for (i = 0; i < n; i++)
			if (!d[i].warning)
				bh_log_error("agent: rules: %s", d[i].msg);
		rc = rc == BH_ENOMEM ? rc : BH_EUSAGE;
		goto fail;
	}
	if ((rc = bh_containers_new(o->engine_host, NULL, &f->cts, err)) != 0)
		goto fail;
	if (o->baseline_dir) {
		bh_blmon_opts bo;
		memset(&bo, 0, sizeof(bo));
		bo.store_dir = o->baseline_dir;
		bo.mode = BH_BL_LEARN;
		bo.learn_s = o->learn_s ? o->learn_s : 300;
		bo.quiet_s = o->quiet_s ? o->quiet_s : 60;
		bo.learn_events = o->learn_events;
		/* without repositories to learn, only the baselines the server or the dir has apply */
		bo.repos = o->nlearn_repos ? o->learn_repos : (const char *const[]){ "" };
		bo.nrepos = o->nlearn_repos ? o->nlearn_repos : 1;
		bo.cts = f->cts;
		bo.note = on_blnote;
		bo.note_ud = f;
		if ((rc = bh_blmon_new(&bo, &f->bl, err)) != 0 || (rc = bh_blmon_load_dir(f->bl, err)) != 0)
			goto fail;
	}
	memset(&so, 0, sizeof(so));
	so.ring_kb = o->ring_kb;
	/* the agent watches containers: host events stay in the kernel when the engines' cgroup dirs are known */
	so.containers_only = bh_containers_parents(f->cts, so.parents, 4) > 0;
	if ((rc = bh_sensor_open(&so, &f->s, err)) != 0)
		goto fail;
	hk = bh_sensor_hooks(f->s, &n);
	for (i = 0; i < n; i++)
		f->hooks_ok += hk[i].attached;
	f->hooks_n = n;
	/* after the sensor: a connection is either open for the /proc scan or seen starting */
	if (o->network_interval_s && (rc = bh_netfeed_new(o->engine_host, o->network_interval_s, o->network_max_edges, !o->network_no_bytes, &f->nf, err)) != 0)
		goto fail;
	f->started = (int64_t)time(NULL);
	if (pthread_create(&f->th, NULL, feed_main, f) != 0) {
		rc = bh_error_set(err, BH_EIO, "runtime: cannot start a thread");
		goto fail;
	}
	f->running = true;
	*out = f;
	return 0;
fail:
	bh_rtfeed_free(f);
	return rc;
}

void bh_rtfeed_containers_changed(bh_rtfeed *f)
{
	if (f)
		bh_netfeed_containers_changed(f->nf);
}

void bh_rtfeed_hooks(const bh_rtfeed *f, size_t *attached, size_t *total)
{
	*attached = f->hooks_ok;
	*total = f->hooks_n;
}

void bh_rtfeed_stop(bh_rtfeed *f)
{
	if (!f || !f->running)
		return;
	atomic_store(&f->stop, 1);
	pthread_join(f->th, NULL);
	f->running = false;
}

void bh_rtfeed_free(bh_rtfeed *f)
{
	size_t i, j;
	if (!f)
		return;
	bh_rtfeed_stop(f);
	bh_sensor_close(f->s);
	bh_netfeed_free(f->nf);
	bh_blmon_free(f->bl);
	bh_containers_free(f->cts);
	bh_rules_free(f->rules);
	bh_map_free(&f->dedup);
	for (i = 0; f->cst && i < f->ncst; i++) {
		for (j = 0; j < f->cst[i].nlowers; j++)
			free(f->cst[i].lowers[j]);
		free(f->cst[i].lowers);
	}
	free(f->cst);
	free(f->cwds);
	for (i = 0; i < f->qn; i++)
		item_clear(&f->q[(f->qhead + i) % f->qcap]);
	free(f->q);
	pthread_mutex_destroy(&f->qmu);
	free(f);
}
