/* container.c - CIS Docker Benchmark v1.6 section 5 checks of one container from its engine inspect document. */
#include "check/container.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

enum {
	R_APPARMOR, R_SELINUX, R_CAPADD, R_CAPKEPT, R_PRIV, R_SENSITIVE, R_PRIVPORT, R_HOSTNET, R_MEMORY,
	R_CPU, R_ROOTFS, R_ANYIF, R_RESTART, R_HOSTPID, R_HOSTIPC, R_DEVICES, R_ULIMIT, R_PROPAGATION,
	R_HOSTUTS, R_SECCOMP, R_NNP, R_PIDS, R_HOSTUSERNS, R_SOCKET, R_ROOTUSER, R_COUNT
};

/* Titles are the CIS Docker Benchmark v1.6 titles (../shared/data/cis-benchmarks), so reports match the
 * benchmark. The severity is the rule's usual one; a list finding takes its worst item's (a rw mount of /
 * is CRITICAL, a ro one of /etc MEDIUM). */
const bh_rule bh_container_rules[R_COUNT] = {
	[R_APPARMOR] = { "BH-CTR-002", "5.2", BH_SEV_MEDIUM, "Ensure that, if applicable, an AppArmor Profile is enabled",
		"Without an AppArmor profile nothing restricts which files, mounts and sockets the container's processes may use beyond plain Unix permissions.",
		"Remove --security-opt apparmor=unconfined; keep the engine's default profile (docker-default) or pass --security-opt apparmor=PROFILE." },
	[R_SELINUX] = { "BH-CTR-003", "5.3", BH_SEV_MEDIUM, "Ensure that, if applicable, SELinux security options are set",
		"label=disable (or an unconfined type such as spc_t) runs the container without SELinux separation, so a breakout is not contained by the host policy.",
		"Remove --security-opt label=disable; use the engine's default container_t labelling or --security-opt label=type:TYPE with a confined type." },
	[R_CAPADD] = { "BH-CTR-004", "5.4", BH_SEV_MEDIUM, "Ensure that Linux kernel capabilities are restricted within containers",
		"Capabilities beyond the engine's default set hand the container kernel privileges (SYS_ADMIN alone is close to full root on the host).",
		"Drop --cap-add for everything the process does not need: run with --cap-drop ALL and --cap-add only the few it requires." },
	[R_CAPKEPT] = { "BH-CTR-104", "5.4", BH_SEV_LOW, "Ensure that Linux kernel capabilities are restricted within containers",
		"Nothing is dropped, so the process keeps the whole default capability set (CHOWN, DAC_OVERRIDE, SETUID, and with Docker NET_RAW and MKNOD) whether it needs them or not.",
		"Run with --cap-drop ALL and add back only what the process needs (--cap-add NET_BIND_SERVICE, ...)." },
	[R_PRIV] = { "BH-CTR-005", "5.5", BH_SEV_CRITICAL, "Ensure that privileged containers are not used",
		"A privileged container has every capability, every host device and no seccomp or LSM confinement: root in it is root on the host.",
		"Remove --privileged; grant the specific capabilities (--cap-add) or devices (--device) it needs instead." },
	[R_SENSITIVE] = { "BH-CTR-006", "5.6", BH_SEV_HIGH, "Ensure sensitive host system directories are not mounted on containers",
		"Host system directories mounted in the container let it read secrets (/etc/shadow) or, when writable, change the host's binaries and configuration.",
		"Remove the -v/--mount of the host directory; mount only the specific files needed, read-only (:ro)." },
	[R_PRIVPORT] = { "BH-CTR-008", "5.8", BH_SEV_LOW, "Ensure privileged ports are not mapped within containers",
		"Ports below 1024 are reserved for privileged services on the host; mapping them from a container lets it pose as one.",
		"Publish a port of 1024 or above on the host (-p 8080:80) and put a proxy in front if a low port is required." },
	[R_HOSTNET] = { "BH-CTR-010", "5.10", BH_SEV_HIGH, "Ensure that the host's network namespace is not shared",
		"With the host network the container sees every host interface, can bind any host port and reach services listening on localhost.",
		"Remove --network=host; use a bridge or user-defined network and publish only the needed ports." },
	[R_MEMORY] = { "BH-CTR-011", "5.11", BH_SEV_MEDIUM, "Ensure that the memory usage for containers is limited",
		"Without a memory limit one container can exhaust host memory and get other containers or host services OOM-killed.",
		"Run with --memory SIZE (e.g. --memory 512m), sized from the workload." },
	[R_CPU] = { "BH-CTR-012", "5.12", BH_SEV_LOW, "Ensure that CPU priority is set appropriately on containers",
		"Without a CPU limit or relative share a busy container starves the others and the host.",
		"Run with --cpus N (a hard cap) or --cpu-shares N (a relative priority other than the default 1024)." },
	[R_ROOTFS] = { "BH-CTR-013", "5.13", BH_SEV_LOW, "Ensure that the container's root filesystem is mounted as read only",
		"A writable root filesystem lets an intruder drop tools and alter the application's files; it also hides drift from the image.",
		"Run with --read-only and give writable paths explicitly (--tmpfs /tmp, volumes for data)." },
	[R_ANYIF] = { "BH-CTR-014", "5.14", BH_SEV_MEDIUM, "Ensure that incoming container traffic is bound to a specific host interface",
		"A port published on 0.0.0.0 is reachable on every host interface, public ones included.",
		"Publish on one address: -p 127.0.0.1:8080:80 or -p INTERFACE_IP:8080:80." },
	[R_RESTART] = { "BH-CTR-015", "5.15", BH_SEV_LOW, "Ensure that the 'on-failure' container restart policy is set to '5'",
		"An unbounded restart policy keeps a crashing or compromised container coming back forever and can deny service to the host.",
		"Run with --restart on-failure:5." },
	[R_HOSTPID] = { "BH-CTR-016", "5.16", BH_SEV_HIGH, "Ensure that the host's process namespace is not shared",
		"With the host PID namespace the container sees every host process and, with the right capability, can signal or ptrace them.",
		"Remove --pid=host." },
	[R_HOSTIPC] = { "BH-CTR-017", "5.17", BH_SEV_MEDIUM, "Ensure that the host's IPC namespace is not shared",
		"With the host IPC namespace the container can read and tamper with the host's shared memory segments and semaphores.",
		"Remove --ipc=host; use --ipc=private or --ipc=container:NAME between containers that must share." },
	[R_DEVICES] = { "BH-CTR-018", "5.18", BH_SEV_MEDIUM, "Ensure that host devices are not directly exposed to containers",
		"A host device in the container can be read or written directly (disks, memory, terminals), bypassing the filesystem and its permissions.",
		"Remove --device (and --device-cgroup-rule); if a device is required, pass it with the least permissions (--device /dev/X:/dev/X:r)." },
	[R_ULIMIT] = { "BH-CTR-019", "5.19", BH_SEV_LOW, "Ensure that the default ulimit is overwritten at runtime if needed",
		"An unlimited ulimit removes the bound that keeps one container from exhausting host file descriptors or processes.",
		"Remove the --ulimit that sets unlimited, or give a finite value (--ulimit nofile=1024:4096)." },
	[R_PROPAGATION] = { "BH-CTR-020", "5.20", BH_SEV_MEDIUM, "Ensure mount propagation mode is not set to shared",
		"A shared mount propagates mounts made inside the container back to the host (and into other containers).",
		"Use the default rprivate propagation: drop :shared/:rshared from -v, or bind-propagation=shared from --mount." },
	[R_HOSTUTS] = { "BH-CTR-021", "5.21", BH_SEV_MEDIUM, "Ensure that the host's UTS namespace is not shared",
		"With the host UTS namespace the container can change the host's hostname and domain name.",
		"Remove --uts=host." },
	[R_SECCOMP] = { "BH-CTR-022", "5.22", BH_SEV_HIGH, "Ensure the default seccomp profile is not Disabled",
		"Without seccomp every system call is reachable, including the rarely used ones most kernel exploits go through.",
		"Remove --security-opt seccomp=unconfined (and --privileged); use the default profile or a custom one with --security-opt seccomp=FILE." },
	[R_NNP] = { "BH-CTR-026", "5.26", BH_SEV_MEDIUM, "Ensure that the container is restricted from acquiring additional privileges",
		"Without no-new-privileges a process in the container can gain privileges through setuid/setgid binaries or file capabilities. (A daemon-wide \"no-new-privileges\" in daemon.json is not visible in the inspect document.)",
		"Run with --security-opt no-new-privileges (or set \"no-new-privileges\": true in daemon.json)." },
	[R_PIDS] = { "BH-CTR-029", "5.29", BH_SEV_MEDIUM, "Ensure that the PIDs cgroup limit is used",
		"Without a PIDs limit a fork bomb in the container exhausts the host's process table.",
		"Run with --pids-limit N (e.g. --pids-limit 100)." },
	[R_HOSTUSERNS] = { "BH-CTR-031", "5.31", BH_SEV_MEDIUM, "Ensure that the host's user namespaces are not shared",
		"--userns=host turns off the daemon's user namespace remapping for this container, so its root is the host's root.",
		"Remove --userns=host so the daemon's userns-remap applies." },
	[R_SOCKET] = { "BH-CTR-032", "5.32", BH_SEV_CRITICAL, "Ensure that the Docker socket is not mounted inside any containers",
		"Whoever can talk to the engine socket can start a privileged container with the host's / mounted: it is root on the host, read-only mount or not.",
		"Remove the -v of the engine socket (or of the /run, /var/run directory that holds it); use an authorising proxy if the container must drive the engine." },
	[R_ROOTUSER] = { "BH-CTR-100", NULL, BH_SEV_MEDIUM, "Container runs as root",
		"A process running as root in the container is root on the host once it escapes (no user namespace remapping) and can use every capability it kept. CIS 4.1 asks for a USER in the image; this is the same control seen on the running container.",
		"Run with --user UID:GID (a non-zero UID), or set USER in the image." },
};

const size_t bh_container_rule_count = R_COUNT;

/* Bounds on what one hostile document can make us do or print. */
#define CLEAN_MAX 160 /* bytes of one value quoted in a detail */
#define LIST_MAX 12   /* items quoted in one detail; the rest are counted */
#define SCAN_MAX 4096 /* elements of one array or object examined */

typedef struct ctx {
	const json_t *doc, *hc;
	bh_checks *out;
	char *target; /* owned here, copied by bh_checks_add */
	int rc;       /* sticky: first failure, later emits are no-ops */
} ctx;

/* Items quoted in one finding's detail, deduplicated; every string owned by the list. */
typedef struct list {
	char *item[LIST_MAX];
	size_t n, more;
	bh_severity sev; /* highest severity among the items */
} list;

static const json_t *get(const json_t *o, const char *k)
{
	return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *gstr(const json_t *o, const char *k)
{
	const json_t *v = get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool gnum(const json_t *o, const char *k, double *d)
{
	const json_t *v = get(o, k);
	if (!json_is_number(v))
		return false;
	*d = json_number_value(v);
	return true;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* sev BH_SEV_UNKNOWN = the rule's */
static void emit(ctx *c, int r, bh_severity sev, const char *status, const char *detail)
{
	bh_check_at at;
	if (c->rc)
		return;
	memset(&at, 0, sizeof(at));
	at.category = "container";
	at.severity = sev;
	at.detail = detail;
	at.target = c->target;
	at.status = status;
	c->rc = bh_checks_emit(c->out, &bh_container_rules[r], &at);
}

/* emit() with the rule's severity and a printf detail; the values passed are already cleaned and bounded. */
static void emitf(ctx *c, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emitf(ctx *c, int r, const char *fmt, ...)
{
	char d[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	emit(c, r, BH_SEV_UNKNOWN, NULL, d);
}

/* Adds the cleaned text of s (unless already listed) and raises the list's severity. */
static void list_add(ctx *c, list *l, const char *s, bh_severity sev)
{
	bh_buf b = BH_BUF_INIT;
	size_t i;
	if (c->rc)
		return;
	if (sev > l->sev)
		l->sev = sev;
	if ((c->rc = bh_buf_put_clean(&b, s, CLEAN_MAX)) || (c->rc = bh_buf_putc(&b, '\0'))) {
		bh_buf_free(&b);
		return;
	}
	for (i = 0; i < l->n; i++)
		if (strcmp(l->item[i], b.data) == 0) {
			bh_buf_free(&b);
			return;
		}
	if (l->n < LIST_MAX)
		l->item[l->n++] = bh_buf_steal(&b);
	else
		l->more++; /* not deduplicated beyond the quoted items: "more" is an upper bound */
	bh_buf_free(&b);
}

static void list_free(list *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->item[i]);
	memset(l, 0, sizeof(*l));
}

/* Emits one finding "PREFIX a, b, c (and N more)" when the list is not empty, then frees it. */
static void list_emit(ctx *c, int r, list *l, const char *prefix)
{
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc = 0;
	if (l->n && !c->rc) {
		rc = bh_buf_puts(&b, prefix);
		for (i = 0; !rc && i < l->n; i++)
			rc = bh_buf_printf(&b, "%s%s", i ? ", " : "", l->item[i]);
		if (!rc && l->more)
			rc = bh_buf_printf(&b, " (and up to %zu more)", l->more);
		if (rc)
			c->rc = rc;
		else
			emit(c, r, l->sev, NULL, b.data);
	}
	bh_buf_free(&b);
	list_free(l);
}

/* "NAME (SHORTID)" from Name and Id, cleaned; "container" when the document has neither. */
static int make_target(ctx *c)
{
	const char *name = gstr(c->doc, "Name"), *id = gstr(c->doc, "Id");
	char sid[13] = "";
	bh_buf b = BH_BUF_INIT;
	int rc = 0;
	if (name && name[0] == '/')
		name++;
	if (id) {
		size_t n = strlen(id);
		memcpy(sid, id, n < 12 ? n : 12);
		sid[n < 12 ? n : 12] = '\0';
	}
	if (name && *name) {
		rc = bh_buf_put_clean(&b, name, 128);
		if (!rc && sid[0])
			rc = bh_buf_puts(&b, " (") || bh_buf_put_clean(&b, sid, 12) || bh_buf_puts(&b, ")");
	} else if (sid[0]) {
		rc = bh_buf_put_clean(&b, sid, 12);
	} else {
		rc = bh_buf_puts(&b, "container");
	}
	if (rc) {
		bh_buf_free(&b);
		return BH_ENOMEM;
	}
	c->target = bh_buf_steal(&b);
	return 0;
}

/* ---- capabilities (5.4) ---- */

/* Docker's default set minus NET_RAW (which CIS singles out): re-adding these after --cap-drop ALL is the recommended pattern. */
static const char *const cap_safe[] = { "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
					"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT" };
/* Each of these is a known container escape or host-wide power on its own. */
static const char *const cap_danger[] = { "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "DAC_READ_SEARCH",
					  "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE", "BPF", "PERFMON" };

static bool in_set(const char *s, const char *const *set, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* Engines accept "sys_admin", "CAP_SYS_ADMIN" and "SYS_ADMIN" alike: upper-case, CAP_ stripped. */
static void cap_norm(const char *s, char *out, size_t n)
{
	size_t i = 0;
	if (strncasecmp(s, "CAP_", 4) == 0)
		s += 4;
	for (; *s && i + 1 < n; s++) {
		char ch = *s;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		out[i++] = ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_') ? ch : '?';
	}
	out[i] = '\0';
}

static void check_caps(ctx *c, bool priv)
{
	const json_t *add = get(c->hc, "CapAdd"), *drop = get(c->hc, "CapDrop");
	list l = { 0 };
	size_t i;
	for (i = 0; json_is_array(add) && i < json_array_size(add) && i < SCAN_MAX; i++) {
		const json_t *v = json_array_get(add, i);
		char cap[64] = { 0 }; /* all bytes set: the analyzer cannot follow cap_norm */
		if (!json_is_string(v))
			continue;
		cap_norm(json_string_value(v), cap, sizeof(cap));
		if (!cap[0] || in_set(cap, cap_safe, sizeof(cap_safe) / sizeof(*cap_safe)))
			continue;
		list_add(c, &l, cap, in_set(cap, cap_danger, sizeof(cap_danger) / sizeof(*cap_danger)) ? BH_SEV_HIGH : BH_SEV_MEDIUM);
	}
	list_emit(c, R_CAPADD, &l, "HostConfig.CapAdd adds ");
	/* a privileged container has everything anyway: 5.5 says it */
	if (!priv && !(json_is_array(drop) && json_array_size(drop) > 0))
		emitf(c, R_CAPKEPT, "HostConfig.CapDrop is empty: the engine's default capability set is kept");
}

/* ---- mounts (5.6, 5.20, 5.32) ---- */

static bool under(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(p, dir, n) == 0 && p[n] == '/';
}

static const char *const sensitive_dirs[] = { "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr" };
/* Directories that hold an engine socket; mounting them mounts the socket. */
static const char *const socket_dirs[] = { "/run", "/var/run", "/run/docker", "/var/run/docker", "/run/podman",
					   "/var/run/podman", "/run/containerd", "/var/run/containerd", "/run/crio", "/var/run/crio" };
static const char *const socket_names[] = { "docker.sock", "podman.sock", "containerd.sock", "crio.sock" };

typedef struct mounts {
	list sensitive, socket, shared;
	size_t seen;
} mounts;

/* One host path mounted at dst: classified for 5.6, 5.32 and 5.20. */
static void on_mount(ctx *c, mounts *m, const char *src, const char *dst, bool rw, bool shared)
{
	char p[4096], item[4096 + 64];
	const char *base;
	size_t i;
	if (m->seen++ >= SCAN_MAX || !bh_path_norm_abs(src, p, sizeof(p)))
		return;
	snprintf(item, sizeof(item), "%.300s:%.300s (%s)", p, dst ? dst : "?", rw ? "rw" : "ro");
	if (strcmp(p, "/") == 0) {
		list_add(c, &m->sensitive, item, rw ? BH_SEV_CRITICAL : BH_SEV_HIGH);
	} else {
		for (i = 0; i < sizeof(sensitive_dirs) / sizeof(*sensitive_dirs); i++) {
			if (strcmp(p, sensitive_dirs[i]) == 0)
				list_add(c, &m->sensitive, item, rw ? BH_SEV_HIGH : BH_SEV_MEDIUM);
			else if (rw && under(p, sensitive_dirs[i]))
				list_add(c, &m->sensitive, item, BH_SEV_MEDIUM); /* read-only single files (/etc/localtime) are common and harmless */
		}
	}
	base = strrchr(p, '/') + 1;
	if (in_set(p, socket_dirs, sizeof(socket_dirs) / sizeof(*socket_dirs)) ||
	    in_set(base, socket_names, sizeof(socket_names) / sizeof(*socket_names)))
		list_add(c, &m->socket, item, BH_SEV_CRITICAL);
	if (shared)
		list_add(c, &m->shared, item, BH_SEV_MEDIUM);
}

static bool prop_shared(const char *p)
{
	return streq(p, "shared") || streq(p, "rshared");
}

/* "SRC:DST[:OPTS]" of HostConfig.Binds; a SRC that is not absolute is a named volume. Parsed in place:
 * a long DST must not make the bind unreadable (and so invisible). */
static void on_bind(ctx *c, mounts *m, const char *spec)
{
	char src[4096], dst[512];
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *o;
	size_t sl = c1 ? (size_t)(c1 - spec) : strlen(spec), dl;
	bool rw = true, shared = false;
	if (sl >= sizeof(src))
		return; /* longer than PATH_MAX: no engine mounts it */
	memcpy(src, spec, sl);
	src[sl] = '\0';
	dl = c1 ? (c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) : 0;
	if (dl >= sizeof(dst))
		dl = sizeof(dst) - 1; /* only quoted */
	if (c1)
		memcpy(dst, c1 + 1, dl);
	dst[dl] = '\0';
	for (o = c2 ? c2 + 1 : NULL; o && *o; o += strcspn(o, ","), o += *o == ',') {
		size_t k = strcspn(o, ",");
		if (k == 2 && strncmp(o, "ro", 2) == 0)
			rw = false;
		else if ((k == 6 && strncmp(o, "shared", 6) == 0) || (k == 7 && strncmp(o, "rshared", 7) == 0))
			shared = true;
	}
	on_mount(c, m, src, c1 ? dst : NULL, rw, shared);
}

static void check_mounts(ctx *c)
{
	const json_t *a, *v;
	mounts m;
	size_t i;
	memset(&m, 0, sizeof(m));
	/* Mounts[] is what the engine resolved; Binds and HostConfig.Mounts are what was asked. Docker keeps
	 * them consistent, a hostile document need not, so all three are read (listed items are deduplicated). */
	a = get(c->doc, "Mounts");
	for (i = 0; json_is_array(a) && i < json_array_size(a) && i < SCAN_MAX; i++) {
		v = json_array_get(a, i);
		if (gstr(v, "Source"))
			on_mount(c, &m, gstr(v, "Source"), gstr(v, "Destination"), !json_is_false(get(v, "RW")),
				 prop_shared(gstr(v, "Propagation")));
	}
	a = get(c->hc, "Binds");
	for (i = 0; json_is_array(a) && i < json_array_size(a) && i < SCAN_MAX; i++)
		if (json_is_string(json_array_get(a, i)))
			on_bind(c, &m, json_string_value(json_array_get(a, i)));
	a = get(c->hc, "Mounts");
	for (i = 0; json_is_array(a) && i < json_array_size(a) && i < SCAN_MAX; i++) {
		const char *type;
		v = json_array_get(a, i);
		type = gstr(v, "Type");
		if (gstr(v, "Source") && (!type || strcmp(type, "bind") == 0))
			on_mount(c, &m, gstr(v, "Source"), gstr(v, "Target"), !json_is_true(get(v, "ReadOnly")),
				 prop_shared(gstr(get(v, "BindOptions"), "Propagation")));
	}
	list_emit(c, R_SENSITIVE, &m.sensitive, "host system directory mounted: ");
	list_emit(c, R_PROPAGATION, &m.shared, "shared mount propagation: ");
	list_emit(c, R_SOCKET, &m.socket, "engine socket mounted: ");
}

/* ---- namespaces (5.10, 5.16, 5.17, 5.21, 5.31) ---- */

static void check_ns(ctx *c, const char *field, int r)
{
	if (streq(gstr(c->hc, field), "host"))
		emitf(c, r, "HostConfig.%s=host", field);
}

/* ---- resources (5.11, 5.12, 5.29, 5.19) ---- */

/* "%.0f" of a number, "not set" when absent (engines omit or null a limit that is unset). */
static const char *num_text(const json_t *o, const char *k, char *buf, size_t n)
{
	double d;
	if (!gnum(o, k, &d))
		return "not set";
	snprintf(buf, n, "%.0f", d);
	return buf;
}

static void check_resources(ctx *c)
{
	char b1[64], b2[64], b3[64];
	double mem = 0, nano = 0, quota = 0, shares = 0, pids = 0;
	const char *cpuset = gstr(c->hc, "CpusetCpus");
	const json_t *ul;
	list l = { 0 };
	size_t i;

	if (!gnum(c->hc, "Memory", &mem) || mem <= 0)
		emitf(c, R_MEMORY, "HostConfig.Memory=%s (no memory limit)", num_text(c->hc, "Memory", b1, sizeof(b1)));
	gnum(c->hc, "NanoCpus", &nano);
	gnum(c->hc, "CpuQuota", &quota);
	gnum(c->hc, "CpuShares", &shares);
	/* CpuShares 1024 is the kernel default weight: set or not, it gives no priority */
	if (nano <= 0 && quota <= 0 && (shares <= 0 || shares == 1024) && !(cpuset && *cpuset))
		emitf(c, R_CPU, "HostConfig.NanoCpus=%s, CpuQuota=%s, CpuShares=%s (no CPU limit or priority)",
		      num_text(c->hc, "NanoCpus", b1, sizeof(b1)), num_text(c->hc, "CpuQuota", b2, sizeof(b2)),
		      num_text(c->hc, "CpuShares", b3, sizeof(b3)));
	/* podman sets 2048 by default (containers.conf pids_limit); Docker leaves it null */
	if (!gnum(c->hc, "PidsLimit", &pids) || pids <= 0)
		emitf(c, R_PIDS, "HostConfig.PidsLimit=%s (no PIDs limit)", num_text(c->hc, "PidsLimit", b1, sizeof(b1)));

	/* podman reports its engine default ulimits (containers.conf default_ulimits) in every document, so
	 * a present Ulimits is no proof of an override: only overrides that remove the bound are reported. */
	ul = get(c->hc, "Ulimits");
	for (i = 0; json_is_array(ul) && i < json_array_size(ul) && i < SCAN_MAX; i++) {
		const json_t *u = json_array_get(ul, i);
		double soft = 0, hard = 0;
		bool s = gnum(u, "Soft", &soft), h = gnum(u, "Hard", &hard);
		char item[256], nm[CLEAN_MAX + 8];
		bh_buf nb = BH_BUF_INIT;
		/* -1 is RLIM_INFINITY as Go marshals it; 2^63 and above is the same thing written unsigned */
		bool us = s && (soft < 0 || soft >= 9.2e18), uh = h && (hard < 0 || hard >= 9.2e18);
		if (!us && !uh)
			continue;
		if (bh_buf_put_clean(&nb, gstr(u, "Name") ? gstr(u, "Name") : "?", CLEAN_MAX) || bh_buf_putc(&nb, '\0')) {
			bh_buf_free(&nb);
			c->rc = BH_ENOMEM;
			break;
		}
		snprintf(nm, sizeof(nm), "%s", nb.data);
		bh_buf_free(&nb);
		snprintf(item, sizeof(item), "%s soft=%s hard=%s", nm, us ? "unlimited" : num_text(u, "Soft", b1, sizeof(b1)),
			 uh ? "unlimited" : num_text(u, "Hard", b2, sizeof(b2)));
		list_add(c, &l, item, BH_SEV_LOW);
	}
	list_emit(c, R_ULIMIT, &l, "HostConfig.Ulimits removes a bound: ");
}

/* ---- security options (5.2, 5.3, 5.22, 5.26) ---- */

typedef struct secopts {
	bool seccomp_off, apparmor_off, label_off, nnp;
	char label[CLEAN_MAX + 8];
} secopts;

static void read_secopts(ctx *c, secopts *s)
{
	const json_t *a = get(c->hc, "SecurityOpt");
	size_t i;
	memset(s, 0, sizeof(*s));
	for (i = 0; json_is_array(a) && i < json_array_size(a) && i < SCAN_MAX; i++) {
		const json_t *v = json_array_get(a, i);
		const char *o, *sep, *val;
		size_t kl;
		if (!json_is_string(v))
			continue;
		o = json_string_value(v);
		/* "key=value"; Docker before 1.11 wrote "key:value", and label values contain ':' themselves */
		sep = o + strcspn(o, "=:");
		kl = (size_t)(sep - o);
		val = *sep ? sep + 1 : NULL;
		if (kl == 7 && strncmp(o, "seccomp", 7) == 0 && streq(val, "unconfined")) {
			s->seccomp_off = true;
		} else if (kl == 8 && strncmp(o, "apparmor", 8) == 0 && streq(val, "unconfined")) {
			s->apparmor_off = true;
		} else if (kl == 5 && strncmp(o, "label", 5) == 0 &&
			   (streq(val, "disable") || streq(val, "type:spc_t") || streq(val, "type:unconfined_t"))) {
			s->label_off = true;
			snprintf(s->label, sizeof(s->label), "label=%s", val);
		} else if (kl == 17 && strncmp(o, "no-new-privileges", 17) == 0) {
			s->nnp = !val || streq(val, "true") || streq(val, "1");
		}
	}
}

static void check_security(ctx *c, bool priv)
{
	secopts s;
	const char *aa = gstr(c->doc, "AppArmorProfile"), *pl = gstr(c->doc, "ProcessLabel");
	read_secopts(c, &s);

	if (s.apparmor_off || streq(aa, "unconfined"))
		emitf(c, R_APPARMOR, "%s", s.apparmor_off ? "HostConfig.SecurityOpt contains apparmor=unconfined" : "AppArmorProfile=unconfined");
	else if (!(aa && *aa)) {
		/* Docker and podman leave the profile empty only where the host has no AppArmor: nothing to judge */
		char d[512];
		bh_buf b = BH_BUF_INIT;
		if (pl && *pl && (bh_buf_put_clean(&b, pl, CLEAN_MAX) || bh_buf_putc(&b, '\0'))) {
			bh_buf_free(&b);
			c->rc = BH_ENOMEM;
			return;
		}
		snprintf(d, sizeof(d), "AppArmorProfile is empty: the engine applies no AppArmor profile, which means AppArmor is not enabled on the container's host%s%s%s",
			 b.data ? " (SELinux confines it instead: ProcessLabel=" : "", b.data ? b.data : "", b.data ? ")" : "");
		bh_buf_free(&b);
		emit(c, R_APPARMOR, BH_SEV_UNKNOWN, "not-applicable", d);
	}
	if (s.label_off)
		emitf(c, R_SELINUX, "HostConfig.SecurityOpt contains %s", s.label);
	if (s.seccomp_off)
		emitf(c, R_SECCOMP, "HostConfig.SecurityOpt contains seccomp=unconfined");
	else if (priv) /* both engines skip the seccomp filter for privileged containers; the document does not say so */
		emitf(c, R_SECCOMP, "HostConfig.Privileged=true: privileged containers run without the seccomp filter");
	if (!s.nnp)
		emitf(c, R_NNP, "HostConfig.SecurityOpt has no no-new-privileges");
}

/* ---- ports (5.8, 5.14) ---- */

static void ports_from(ctx *c, const json_t *map, list *low, list *any)
{
	const char *key;
	json_t *binds;
	size_t seen = 0;
	if (!json_is_object(map))
		return;
	json_object_foreach((json_t *)map, key, binds) {
		size_t i;
		if (seen++ >= SCAN_MAX)
			break;
		for (i = 0; json_is_array(binds) && i < json_array_size(binds) && i < SCAN_MAX; i++) {
			const json_t *b = json_array_get(binds, i), *hp = get(b, "HostPort");
			const char *ip = gstr(b, "HostIp");
			char item[512];
			unsigned long port = 0;
			if (!json_is_object(b))
				continue;
			if (json_is_string(hp))
				port = strtoul(json_string_value(hp), NULL, 10); /* "80" or a range "80-90": its first port */
			else if (json_is_integer(hp) && json_integer_value(hp) > 0)
				port = (unsigned long)json_integer_value(hp);
			if (!ip)
				ip = "";
			snprintf(item, sizeof(item), "%.64s:%lu->%.64s", *ip ? ip : "0.0.0.0", port, key);
			/* port 0 / "" is a random ephemeral port */
			if (port >= 1 && port < 1024)
				list_add(c, low, item, BH_SEV_LOW);
			if (!*ip || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0 || strcmp(ip, "[::]") == 0)
				list_add(c, any, item, BH_SEV_MEDIUM);
		}
	}
}

static void check_ports(ctx *c)
{
	list low = { 0 }, any = { 0 };
	/* PortBindings is what was asked; NetworkSettings.Ports what is bound (it alone shows -P's random ports) */
	ports_from(c, get(c->hc, "PortBindings"), &low, &any);
	ports_from(c, get(get(c->doc, "NetworkSettings"), "Ports"), &low, &any);
	list_emit(c, R_PRIVPORT, &low, "privileged host port published: ");
	list_emit(c, R_ANYIF, &any, "published on all host interfaces: ");
}

/* ---- the rest ---- */

static void check_restart(ctx *c)
{
	const json_t *rp = get(c->hc, "RestartPolicy");
	const char *name = gstr(rp, "Name");
	double n = 0;
	bool has = gnum(rp, "MaximumRetryCount", &n);
	if (streq(name, "on-failure") && (!has || n <= 0))
		emitf(c, R_RESTART, "HostConfig.RestartPolicy=on-failure with no MaximumRetryCount (retries without limit)");
	else if (streq(name, "on-failure") && n > 5)
		emitf(c, R_RESTART, "HostConfig.RestartPolicy=on-failure:%.0f", n);
	else if (streq(name, "always") || streq(name, "unless-stopped"))
		emitf(c, R_RESTART, "HostConfig.RestartPolicy=%s (restarts without limit)", name);
}

static void check_devices(ctx *c)
{
	const json_t *a = get(c->hc, "Devices");
	list l = { 0 };
	size_t i;
	for (i = 0; json_is_array(a) && i < json_array_size(a) && i < SCAN_MAX; i++) {
		const json_t *d = json_array_get(a, i);
		char item[512];
		const char *h = gstr(d, "PathOnHost"), *in = gstr(d, "PathInContainer"), *perm = gstr(d, "CgroupPermissions");
		if (!json_is_object(d))
			continue;
		snprintf(item, sizeof(item), "%.200s:%.200s%s%.8s", h ? h : "?", in ? in : (h ? h : "?"), perm && *perm ? ":" : "", perm ? perm : "");
		list_add(c, &l, item, BH_SEV_MEDIUM);
	}
	a = get(c->hc, "DeviceCgroupRules");
	for (i = 0; json_is_array(a) && i < json_array_size(a) && i < SCAN_MAX; i++) {
		char item[256];
		if (!json_is_string(json_array_get(a, i)))
			continue;
		snprintf(item, sizeof(item), "device cgroup rule '%.100s'", json_string_value(json_array_get(a, i)));
		list_add(c, &l, item, BH_SEV_MEDIUM);
	}
	list_emit(c, R_DEVICES, &l, "host devices: ");
}

static bool all_digits_zero(const char *s, size_t n)
{
	size_t i;
	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] != '0')
			return false;
	return true;
}

static void check_user(ctx *c)
{
	const char *u = gstr(get(c->doc, "Config"), "User");
	size_t n;
	bh_buf b = BH_BUF_INIT;
	if (!u || !*u) {
		emitf(c, R_ROOTUSER, "Config.User is %s: the process runs as root", u ? "empty" : "not set");
		return;
	}
	n = strcspn(u, ":"); /* "USER[:GROUP]" */
	if (!((n == 4 && strncmp(u, "root", 4) == 0) || all_digits_zero(u, n)))
		return;
	if (bh_buf_put_clean(&b, u, CLEAN_MAX) || bh_buf_putc(&b, '\0'))
		c->rc = BH_ENOMEM;
	else
		emitf(c, R_ROOTUSER, "Config.User=%s", b.data);
	bh_buf_free(&b);
}

int bh_container_check(const json_t *inspect, bh_checks *out, bh_error *err)
{
	ctx c;
	bool priv;
	if (!json_is_object(inspect))
		return bh_error_set(err, BH_EINVAL, "container inspect document is not a JSON object");
	memset(&c, 0, sizeof(c));
	c.doc = inspect;
	c.hc = get(inspect, "HostConfig");
	c.out = out;
	if (make_target(&c))
		return bh_error_set(err, BH_ENOMEM, "container check: out of memory");
	priv = json_is_true(get(c.hc, "Privileged"));

	/* CIS order; each call is a no-op once c.rc is set */
	check_security(&c, priv); /* 5.2, 5.3, 5.22, 5.26 */
	check_caps(&c, priv);     /* 5.4 */
	if (priv)
		emitf(&c, R_PRIV, "HostConfig.Privileged=true");
	check_mounts(&c); /* 5.6, 5.20, 5.32 */
	check_ports(&c);  /* 5.8, 5.14 */
	check_ns(&c, "NetworkMode", R_HOSTNET);
	check_resources(&c); /* 5.11, 5.12, 5.19, 5.29 */
	if (!json_is_true(get(c.hc, "ReadonlyRootfs")))
		emitf(&c, R_ROOTFS, "HostConfig.ReadonlyRootfs=%s", get(c.hc, "ReadonlyRootfs") ? "false" : "not set");
	check_restart(&c);
	check_ns(&c, "PidMode", R_HOSTPID);
	/* podman 4.3's compat API writes IpcMode "shareable" even for --ipc=host; only Docker's "host" is seen */
	check_ns(&c, "IpcMode", R_HOSTIPC);
	check_devices(&c);
	check_ns(&c, "UTSMode", R_HOSTUTS);
	check_ns(&c, "UsernsMode", R_HOSTUSERNS);
	check_user(&c);

	free(c.target);
	if (c.rc)
		return bh_error_set(err, c.rc, "container check: out of memory");
	return 0;
}

/* {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "443/tcp": null}: keys bounded, the
 * bindings' two strings only; null (exposed, not published) kept as null. */
static json_t *ports_subset(const json_t *pb)
{
	json_t *o = json_object();
	const char *k;
	json_t *v;
	size_t n = 0;
	if (!o || !json_is_object(pb))
		return o;
	json_object_foreach((json_t *)pb, k, v) {
		json_t *arr, *b;
		size_t i;
		if (n++ >= BH_CONTAINER_EXPOSURE_MAX || strlen(k) > 32)
			break;
		if (!json_is_array(v)) {
			json_object_set_new(o, k, json_null());
			continue;
		}
		if (!(arr = json_array()))
			break;
		json_array_foreach(v, i, b) {
			const char *ip = json_string_value(json_object_get(b, "HostIp"));
			const char *port = json_string_value(json_object_get(b, "HostPort"));
			if (i >= 16)
				break;
			json_array_append_new(arr, json_pack("{s:s, s:s}", "HostIp", ip && strlen(ip) <= 64 ? ip : "",
							     "HostPort", port && strlen(port) <= 16 ? port : ""));
		}
		json_object_set_new(o, k, arr);
	}
	return o;
}

json_t *bh_container_exposure(const json_t *inspect)
{
	const json_t *hc = json_object_get(inspect, "HostConfig"), *caps = json_object_get(hc, "CapAdd");
	const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
	json_t *o, *h, *c;
	size_t i;
	const json_t *v;
	if (!json_is_object(inspect))
		return NULL;
	o = json_pack("{s:{s:b, s:s?, s:[]}, s:{}}", "HostConfig", "Privileged", json_is_true(json_object_get(hc, "Privileged")),
		      "NetworkMode", nm && strlen(nm) <= 128 ? nm : NULL, "CapAdd", "NetworkSettings");
	if (!o)
		return NULL;
	h = json_object_get(o, "HostConfig");
	c = json_object_get(h, "CapAdd");
	json_array_foreach(caps, i, v)
		if (i < BH_CONTAINER_EXPOSURE_MAX && json_is_string(v) && json_string_length(v) <= 64)
			json_array_append(c, (json_t *)v);
	json_object_set_new(h, "PortBindings", ports_subset(json_object_get(hc, "PortBindings")));
	json_object_set_new(json_object_get(o, "NetworkSettings"), "Ports",
			    ports_subset(json_object_get(json_object_get(inspect, "NetworkSettings"), "Ports")));
	return o;
}
