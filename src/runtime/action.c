/* action.c - runtime actions on a container: cgroup freezer, engine stop, nftables quarantine inside its network namespace, forensics of its processes and upper layer. */
#include "runtime/action.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "engine/engine.h"
#include "net/http.h"

#define QTABLE "bulkhead_quarantine"

int bh_action_target_resolve(const char *engine_host, const char *name_or_id, bh_action_target *t, bh_error *err)
{
	json_t *doc = NULL, *state, *gd;
	const char *id, *name, *upper;
	bh_limits lim;
	json_int_t pid;
	int rc;

	memset(t, 0, sizeof(*t));
	bh_limits_default(&lim);
	if ((rc = bh_engine_container_inspect(engine_host, name_or_id, &lim, &doc, err)))
		return rc;
	state = json_object_get(doc, "State");
	gd = json_object_get(json_object_get(doc, "GraphDriver"), "Data");
	id = json_string_value(json_object_get(doc, "Id"));
	name = json_string_value(json_object_get(doc, "Name"));
	upper = json_string_value(json_object_get(gd, "UpperDir"));
	pid = json_integer_value(json_object_get(state, "Pid"));
	snprintf(t->id, sizeof(t->id), "%s", id ? id : "");
	snprintf(t->name, sizeof(t->name), "%s", name ? name + (name[0] == '/') : "");
	snprintf(t->upper, sizeof(t->upper), "%s", upper ? upper : "");
	json_decref(doc);
	if (pid <= 0 || pid > INT32_MAX)
		return bh_error_set(err, BH_EINVAL, "container %s is not running (no process)", name_or_id);
	t->pid = (int)pid;
	return 0;
}

/* ---- pause ---- */

/* The cgroup dir of pid: the v1 freezer hierarchy's when it is in one (v1 true), else cgroup v2's. */
static int cgroup_dir(int pid, char *out, size_t n, bool *v1, bh_error *err)
{
	char path[64], line[4096], v2[4096] = "";
	struct stat st;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (!(f = fopen(path, "re")))
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *nl;
		if (!c2)
			continue;
		if ((nl = strchr(c2, '\n')))
			*nl = 0;
		if (c2 == c1 + 1 && !strncmp(line, "0:", 2)) {
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
			continue;
		}
		*c2 = 0;
		/* controllers are comma-separated: "freezer" alone or with others */
		for (char *tok = c1 + 1, *save = NULL; (tok = strtok_r(tok, ",", &save)); tok = NULL)
			if (!strcmp(tok, "freezer") && (size_t)snprintf(out, n, "/sys/fs/cgroup/freezer%s", c2 + 1) < n &&
			    stat(out, &st) == 0)
				found = 1;
		if (found)
			break;
	}
	fclose(f);
	if (found) {
		*v1 = true;
		return 0;
	}
	*v1 = false;
	if (!v2[0])
		return bh_error_set(err, BH_EUNSUPPORTED, "process %d is in neither a cgroup v1 freezer nor a cgroup v2 hierarchy", pid);
	/* v2 alone is mounted at /sys/fs/cgroup; beside v1 (hybrid) at /sys/fs/cgroup/unified */
	if ((size_t)snprintf(out, n, "%s%s", stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified", v2) >= n)
		return bh_error_set(err, BH_ELIMIT, "cgroup path of process %d too long", pid);
	return 0;
}

static int write_file(const char *path, const char *s, bh_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;
	if (fd < 0)
		return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
	w = write(fd, s, strlen(s));
	if (w < 0 || (size_t)w != strlen(s)) {
		int e = errno;
		close(fd);
		return bh_error_set(err, BH_EIO, "writing \"%s\" to %s: %s", s, path, strerror(e));
	}
	close(fd);
	return 0;
}

static int read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return 0;
}

/* 1 frozen, 0 not, -1 unreadable. */
static int frozen_state(const char *dir, bool v1)
{
	char path[4200], buf[512];
	snprintf(path, sizeof(path), "%s/%s", dir, v1 ? "freezer.state" : "cgroup.events");
	if (read_small(path, buf, sizeof(buf)))
		return -1;
	if (v1)
		return !strncmp(buf, "FROZEN", 6);
	return strstr(buf, "frozen 1") != NULL;
}

int bh_action_pause(const bh_action_target *t, bool freeze, const char **mechanism, bh_error *err)
{
	char dir[4096], path[4200];
	bool v1 = false;
	int rc;

	if (mechanism)
		*mechanism = "cgroup freezer";
	if ((rc = cgroup_dir(t->pid, dir, sizeof(dir), &v1, err)))
		return rc;
	if (mechanism)
		*mechanism = v1 ? "cgroup v1 freezer (freezer.state)" : "cgroup v2 freezer (cgroup.freeze)";
	snprintf(path, sizeof(path), "%s/%s", dir, v1 ? "freezer.state" : "cgroup.freeze");
	if ((rc = write_file(path, v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0"), err)))
		return rc;
	/* FREEZING settles when every task stopped; a task in uninterruptible sleep can hold it up */
	for (int i = 0; i < 500; i++) {
		int st = frozen_state(dir, v1);
		if (st < 0)
			return bh_error_set(err, BH_EIO, "cannot read the freezer state of %s", dir);
		if (st == (freeze ? 1 : 0))
			return 0;
		if (v1 && freeze && i % 50 == 49) /* v1 retries the freeze only when asked again */
			(void)write_file(path, "FROZEN", NULL);
		usleep(10000);
	}
	return bh_error_set(err, BH_EIO, "%s did not become %s within 5 s", dir, freeze ? "frozen" : "thawed");
}

int bh_action_is_paused(const bh_action_target *t, bh_error *err)
{
	char dir[4096];
	bool v1 = false;
	int rc, st;
	if ((rc = cgroup_dir(t->pid, dir, sizeof(dir), &v1, err)))
		return rc;
	if ((st = frozen_state(dir, v1)) < 0)
		return bh_error_set(err, BH_EIO, "cannot read the freezer state of %s", dir);
	return st;
}

/* ---- stop ---- */

static const char *engine_socket(const char *host)
{
	static const char *const defaults[] = { "/var/run/docker.sock", "/run/podman/podman.sock" };
	if (!host)
		host = getenv("DOCKER_HOST");
	if (host && !strncmp(host, "unix://", 7) && host[7])
		return host + 7;
	if (host && *host)
		return NULL;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (access(defaults[i], R_OK | W_OK) == 0)
			return defaults[i];
	return defaults[0];
}

int bh_action_stop(const char *engine_host, const char *id, int timeout_s, bh_error *err)
{
	bh_http_response resp = BH_HTTP_RESPONSE_INIT;
	bh_http_request r;
	bh_buf url = BH_BUF_INIT;
	const char *sock = engine_socket(engine_host);
	int rc;

	if (!sock)
		return bh_error_set(err, BH_EUSAGE, "engine host \"%s\": only unix:///path/to/socket is supported", engine_host ? engine_host : getenv("DOCKER_HOST"));
	if (timeout_s < 0 || timeout_s > 3600)
		return bh_error_set(err, BH_EUSAGE, "stop timeout %d s: 0 to 3600", timeout_s);
	if (bh_buf_puts(&url, "http://d/v1.41/containers/") || bh_http_escape(&url, id) || bh_buf_printf(&url, "/stop?t=%d", timeout_s)) {
		bh_buf_free(&url);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	memset(&r, 0, sizeof(r));
	r.method = BH_HTTP_POST;
	r.url = url.data;
	r.unix_socket = sock;
	r.timeout_ms = (long)(timeout_s + 30) * 1000; /* the engine answers after the container is down */
	r.max_size = 1 << 20;
	rc = bh_http_do(&r, &resp, err); /* 204 stopped, 304 already stopped */
	bh_http_response_free(&resp);
	bh_buf_free(&url);
	return rc;
}

/* ---- quarantine ---- */

static const char *nft_path(void)
{
	static const char *const paths[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/*
 * Runs `nft -f -` (or nft with args when script is NULL) inside pid's network namespace; script on
 * its stdin. Returns nft's exit status (>= 0) with its messages in msg, or a negative status.
 */
static int nft_in_netns(int pid, const char *const *args, const char *script, char *msg, size_t msgn, bh_error *err)
{
	char ns[64];
	struct stat st_ct, st_host;
	const char *nft = nft_path();
	int nsfd, in[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0;
	size_t got = 0;
	pid_t child;
	const char *argv[8];
	size_t na = 0;

	msg[0] = 0;
	if (!nft)
		return bh_error_set(err, BH_EUNSUPPORTED, "nft is not installed (Debian/Ubuntu: apt-get install nftables)");
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", pid);
	if ((nsfd = open(ns, O_RDONLY | O_CLOEXEC)) < 0)
		return bh_error_set(err, errno == ENOENT ? BH_ENOTFOUND : BH_EIO, "%s: %s", ns, strerror(errno));
	/* a container on the host's network: a drop-all table there would cut the host off */
	if (fstat(nsfd, &st_ct) || (stat("/proc/1/ns/net", &st_host) == 0 && st_ct.st_ino == st_host.st_ino && st_ct.st_dev == st_host.st_dev) ||
	    (stat("/proc/self/ns/net", &st_host) == 0 && st_ct.st_ino == st_host.st_ino && st_ct.st_dev == st_host.st_dev)) {
		close(nsfd);
		return bh_error_set(err, BH_EUSAGE, "process %d shares the host's network namespace (--network=host): refusing to quarantine the host", pid);
	}
	argv[na++] = "nft";
	if (args)
		for (size_t i = 0; args[i] && na < sizeof(argv) / sizeof(argv[0]) - 1; i++)
			argv[na++] = args[i];
	else {
		argv[na++] = "-f";
		argv[na++] = "-";
	}
	argv[na] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		int e = errno;
		close(nsfd);
		if (in[0] >= 0) { close(in[0]); close(in[1]); }
		return bh_error_set(err, BH_EIO, "pipe: %s", strerror(e));
	}
	child = fork();
	if (child < 0) {
		int e = errno;
		close(nsfd); close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		return bh_error_set(err, BH_EIO, "fork: %s", strerror(e));
	}
	if (child == 0) {
		/* the child alone joins the namespace: the caller's threads keep theirs */
		if (setns(nsfd, CLONE_NEWNET)) {
			dprintf(out[1], "setns(%s): %s\n", ns, strerror(errno));
			_exit(126);
		}
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(126);
		execv(nft, (char *const *)argv);
		dprintf(2, "exec %s: %s\n", nft, strerror(errno));
		_exit(127);
	}
	close(nsfd);
	close(in[0]);
	close(out[1]);
	{
		/* a failed write (nft gone early) shows in its status and messages */
		struct sigaction ign, old;
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &ign, &old);
		if (script) {
			size_t len = strlen(script), off = 0;
			while (off < len) {
				ssize_t w = write(in[1], script + off, len - off);
				if (w <= 0 && errno != EINTR)
					break;
				if (w > 0)
					off += (size_t)w;
			}
		}
		close(in[1]);
		sigaction(SIGPIPE, &old, NULL);
	}
	for (;;) {
		char buf[512];
		ssize_t r = read(out[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && got + 1 < msgn; i++)
			msg[got++] = buf[i] == '\n' ? ' ' : buf[i];
	}
	msg[got < msgn ? got : msgn - 1] = 0;
	close(out[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return bh_error_set(err, BH_EIO, "waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int bh_action_nft_run(int pid, const char *const *args, const char *script, char *out, size_t outn, bh_error *err)
{
	if (!out || outn == 0)
		return bh_error_set(err, BH_EUSAGE, "nft output buffer missing");
	return nft_in_netns(pid, args, script, out, outn, err);
}

int bh_action_quarantine(const bh_action_target *t, bool on, bh_error *err)
{
	/* "add; delete; define" in one nft transaction: replaces an earlier table or none, atomically */
	static const char qon[] =
		"table inet " QTABLE "\n"
		"delete table inet " QTABLE "\n"
		"table inet " QTABLE " {\n"
		"  chain input { type filter hook input priority -400; policy drop; iifname \"lo\" accept; }\n"
		"  chain output { type filter hook output priority -400; policy drop; oifname \"lo\" accept; }\n"
		"  chain forward { type filter hook forward priority -400; policy drop; }\n"
		"}\n";
	static const char qoff[] = "table inet " QTABLE "\ndelete table inet " QTABLE "\n";
	char msg[512];
	int rc = nft_in_netns(t->pid, NULL, on ? qon : qoff, msg, sizeof(msg), err);

	if (rc < 0)
		return rc;
	if (rc != 0)
		return bh_error_set(err, BH_EIO, "nft in the network namespace of process %d exited %d: %s", t->pid, rc, msg);
	return 0;
}

int bh_action_is_quarantined(const bh_action_target *t, bh_error *err)
{
	static const char *const args[] = { "list", "table", "inet", QTABLE, NULL };
	char msg[512];
	int rc = nft_in_netns(t->pid, args, NULL, msg, sizeof(msg), err);
	return rc < 0 ? rc : rc == 0;
}

/* ---- forensics ---- */

/* s to fp with bytes below 0x20, 0x7f and backslash as \xNN: a line per record, a tab per field. */
static void put_esc(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
}

static void put_proc(FILE *fp, int pid)
{
	char path[64], buf[8192], exe[4096];
	unsigned long ppid = 0;
	unsigned uid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) == 0) {
		char *rp = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
		if (rp)
			sscanf(rp + 1, " %*c %lu", &ppid);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_small(path, buf, sizeof(buf)) == 0) {
		char *u = strstr(buf, "\nUid:");
		if (u)
			sscanf(u + 5, "%u", &uid);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	fprintf(fp, "%d\t%lu\t%u\t", pid, ppid, uid);
	put_esc(fp, exe, strlen(exe));
	fputc('\t', fp);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == 0)
				buf[i] = ' ';
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		if (n > 0)
			put_esc(fp, buf, (size_t)n);
	}
	fputc('\n', fp);
}

static int write_processes(const bh_action_target *t, const char *dir, bh_error *err)
{
	char cg[4096], path[4200];
	FILE *in, *out;
	bool v1 = false;
	bh_error cgerr;
	int pid;

	snprintf(path, sizeof(path), "%s/processes.tsv", dir);
	if (!(out = fopen(path, "wxe")))
		return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
	fputs("pid\tppid\tuid\texe\tcmdline\n", out);
	if (cgroup_dir(t->pid, cg, sizeof(cg), &v1, &cgerr) == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		if ((in = fopen(path, "re"))) {
			while (fscanf(in, "%d", &pid) == 1)
				put_proc(out, pid);
			fclose(in);
		} else {
			put_proc(out, t->pid);
		}
	} else {
		put_proc(out, t->pid); /* at least the one process known */
	}
	if (fclose(out))
		return bh_error_set(err, BH_EIO, "writing %s/processes.tsv: %s", dir, strerror(errno));
	return 0;
}

struct walk {
	FILE *list;
	const char *files;  /* dir/files */
	uint64_t copied;
	unsigned long entries;
};

/* mkdir -p of the parents of rel below base. */
static void mkparents(const char *base, const char *rel)
{
	char p[4200];
	size_t bl = strlen(base);
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", base, rel) >= sizeof(p))
		return;
	for (char *c = p + bl + 1; *c; c++)
		if (*c == '/') {
			*c = 0;
			(void)mkdir(p, 0700);
			*c = '/';
		}
}

static void copy_file(struct walk *w, int dirfd, const char *name, const char *rel, off_t size)
{
	char dst[4200], buf[65536];
	int in, out;
	ssize_t r;

	if (size < 0 || (uint64_t)size > BH_ACTION_FILE_CAP || w->copied + (uint64_t)size > BH_ACTION_TOTAL_CAP)
		return;
	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", w->files, rel) >= sizeof(dst))
		return;
	mkparents(w->files, rel);
	if ((in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		close(in);
		return;
	}
	/* the cap again while copying: the file may grow under us */
	for (uint64_t n = 0; (r = read(in, buf, sizeof(buf))) > 0 && n < BH_ACTION_FILE_CAP; n += (uint64_t)r) {
		if (write(out, buf, (size_t)r) != r)
			break;
		w->copied += (uint64_t)r;
	}
	close(in);
	close(out);
}

/* Lists (and copies) the entries of dirfd, rel being its path below the upper dir ("" at the top). */
static void walk_dir(struct walk *w, int fd0, const char *rel, int depth)
{
	DIR *d = fdopendir(fd0);
	struct dirent *de;

	if (!d) {
		close(fd0);
		return;
	}
	while ((de = readdir(d)) && w->entries < 1000000) {
		char sub[4096];
		struct stat st;
		const char *type;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof(sub))
			continue;
		w->entries++;
		type = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" :
		       (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) ? "deleted" : "other";
		fprintf(w->list, "%s\t%lld\t%04o\t/", type, (long long)st.st_size, (unsigned)(st.st_mode & 07777));
		put_esc(w->list, sub, strlen(sub));
		fputc('\n', w->list);
		if (S_ISREG(st.st_mode))
			copy_file(w, dirfd(d), de->d_name, sub, st.st_size);
		else if (S_ISDIR(st.st_mode) && depth < 64) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk_dir(w, fd, sub, depth + 1);
		}
	}
	closedir(d);
}

int bh_action_forensics(const bh_action_target *t, const char *base_dir, char *out_dir, size_t out_n, bh_error *err)
{
	char dir[2048], path[2200], stamp[32], who[80];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int rc;

	if (!base_dir)
		base_dir = "bulkhead-forensics";
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	/* the name comes from the engine: keep it to a safe file name */
	snprintf(who, sizeof(who), "%.64s", t->name[0] ? t->name : t->id[0] ? t->id : "pid");
	for (char *c = who; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			*c = '_';
	if (mkdir(base_dir, 0700) && errno != EEXIST)
		return bh_error_set(err, BH_EIO, "%s: %s", base_dir, strerror(errno));
	for (int i = 0;; i++) {
		int n = i ? snprintf(dir, sizeof(dir), "%s/%s-%s-%d", base_dir, who, stamp, i) : snprintf(dir, sizeof(dir), "%s/%s-%s", base_dir, who, stamp);
		if (n < 0 || (size_t)n >= sizeof(dir))
			return bh_error_set(err, BH_ELIMIT, "forensics directory name too long");
		if (mkdir(dir, 0700) == 0)
			break;
		if (errno != EEXIST || i == 100)
			return bh_error_set(err, BH_EIO, "%s: %s", dir, strerror(errno));
	}
	snprintf(out_dir, out_n, "%s", dir);
	snprintf(path, sizeof(path), "%s/container.txt", dir);
	if (!(f = fopen(path, "wxe")))
		return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
	fprintf(f, "id\t%s\nname\t", t->id);
	put_esc(f, t->name, strlen(t->name));
	fprintf(f, "\npid\t%d\nupper\t", t->pid);
	put_esc(f, t->upper, strlen(t->upper));
	fprintf(f, "\ntime\t%s\n", stamp);
	if (fclose(f))
		return bh_error_set(err, BH_EIO, "writing %s: %s", path, strerror(errno));
	if ((rc = write_processes(t, dir, err)))
		return rc;
	snprintf(path, sizeof(path), "%s/upper.tsv", dir);
	if (!(f = fopen(path, "wxe")))
		return bh_error_set(err, BH_EIO, "%s: %s", path, strerror(errno));
	fputs("type\tsize\tmode\tpath\n", f);
	if (t->upper[0]) {
		char files[2200];
		int fd = open(t->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct walk w = { f, files, 0, 0 };
		snprintf(files, sizeof(files), "%s/files", dir);
		(void)mkdir(files, 0700);
		if (fd >= 0)
			walk_dir(&w, fd, "", 0);
	}
	if (fclose(f))
		return bh_error_set(err, BH_EIO, "writing %s: %s", path, strerror(errno));
	return 0;
}
