/* k8s.c - Pod Security Standards (baseline, restricted) of a policy version on the pod templates of Kubernetes manifests. */
#include "check/k8s.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/yaml.h"

#define PATH_MAX_LEN 1024 /* deeper field paths are not located; the finding keeps the document's line */
#define SHOW_MAX 120      /* bytes of a value or name quoted in a finding */
#define LIST_MAX_NEST 4   /* a List inside a List ... */
#define FP 512            /* field paths built from fixed keys and indices */

enum {
	R_NOTE, R_HOSTPROCESS, R_HOSTNS, R_PRIV, R_CAPS_BASE, R_HOSTPATH, R_HOSTPORT, R_APPARMOR, R_SELINUX,
	R_PROCMOUNT, R_SECCOMP_BASE, R_SYSCTL, R_VOLUMES, R_PRIVESC, R_NONROOT, R_ROOTUSER, R_SECCOMP_RESTR,
	R_CAPS_RESTR, R_IMAGE_TAG, R_LIMITS, R_ROROOT, R_SA_TOKEN, R_HOSTPROBE, R_PROCMOUNT_RESTR, R_COUNT
};

/* Titles are the Pod Security Standards control names with the profile that requires them; baseline
 * controls are HIGH, restricted-only ones MEDIUM. BH-K8S-018 and up are hardening beyond the PSS
 * (what Kubernetes reviews ask for too), LOW or MEDIUM; hostPath volumes are BH-K8S-005 already.
 * BH-K8S-022 (baseline) and 023 (restricted) are controls the PSS added in later policy versions. */
#define BASE(c) c " (Pod Security Standards baseline)"
#define RESTR(c) c " (Pod Security Standards restricted)"

const bh_rule bh_k8s_rules[R_COUNT] = {
	{ "BH-K8S-000", NULL, BH_SEV_MEDIUM, "Document not checked",
	  "Part of the manifest could not be evaluated, so a violation in it would go unseen.",
	  "Expand YAML anchors/aliases (e.g. with `yq 'explode(.)'`) or split the file, then scan again." },
	{ "BH-K8S-001", NULL, BH_SEV_HIGH, BASE("HostProcess"),
	  "Windows HostProcess containers run directly on the node with the node's privileges.",
	  "Remove securityContext.windowsOptions.hostProcess or set it to false." },
	{ "BH-K8S-002", NULL, BH_SEV_HIGH, BASE("Host Namespaces"),
	  "Sharing the node's network, PID or IPC namespace lets the pod see and talk to host processes and interfaces.",
	  "Remove hostNetwork, hostPID and hostIPC or set them to false." },
	{ "BH-K8S-003", NULL, BH_SEV_HIGH, BASE("Privileged Containers"),
	  "A privileged container has every capability and all host devices; it can take over the node.",
	  "Remove securityContext.privileged or set it to false; add only the capabilities really needed." },
	{ "BH-K8S-004", NULL, BH_SEV_HIGH, BASE("Capabilities"),
	  "Capabilities beyond the container runtime's default set (e.g. SYS_ADMIN, NET_RAW, SYS_PTRACE) enable known escapes.",
	  "Add only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID or SYS_CHROOT." },
	{ "BH-K8S-005", NULL, BH_SEV_HIGH, BASE("HostPath Volumes"),
	  "A hostPath volume exposes the node's filesystem (container runtime socket, kubelet credentials) to the pod.",
	  "Use emptyDir, configMap, secret, projected or a PersistentVolumeClaim instead of hostPath." },
	{ "BH-K8S-006", NULL, BH_SEV_HIGH, BASE("Host Ports"),
	  "A hostPort binds on the node itself, bypassing network policy and exposing the pod on every node address.",
	  "Remove hostPort (or set 0) and expose the pod through a Service." },
	{ "BH-K8S-007", NULL, BH_SEV_HIGH, BASE("AppArmor"),
	  "Overriding or disabling the runtime's default AppArmor profile removes a layer of confinement.",
	  "Use appArmorProfile.type RuntimeDefault or Localhost (annotation values runtime/default or localhost/NAME)." },
	{ "BH-K8S-008", NULL, BH_SEV_HIGH, BASE("SELinux"),
	  "A custom SELinux type, user or role can put the container in an unconfined or host-level domain.",
	  "Remove seLinuxOptions.user and .role; use type container_t, container_init_t, container_kvm_t or container_engine_t, or none." },
	{ "BH-K8S-009", NULL, BH_SEV_HIGH, BASE("/proc Mount Type"),
	  "An Unmasked /proc exposes kernel interfaces that the default masks hide from containers.",
	  "Remove securityContext.procMount or set it to Default." },
	{ "BH-K8S-010", NULL, BH_SEV_HIGH, BASE("Seccomp"),
	  "An Unconfined seccomp profile lets the container make every system call, including those used in kernel exploits.",
	  "Set seccompProfile.type to RuntimeDefault (or Localhost with a reviewed profile)." },
	{ "BH-K8S-011", NULL, BH_SEV_HIGH, BASE("Sysctls"),
	  "Sysctls outside the namespaced safe set change kernel settings for the whole node or disable protections.",
	  "Use only kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.tcp_keepalive_time/_intvl/_probes, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_rmem or net.ipv4.tcp_wmem." },
	{ "BH-K8S-012", NULL, BH_SEV_MEDIUM, RESTR("Volume Types"),
	  "Volume types other than the core ones (network filesystems, block devices, gitRepo, flexVolume) reach node or cluster resources outside the pod's control.",
	  "Use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes." },
	{ "BH-K8S-013", NULL, BH_SEV_MEDIUM, RESTR("Privilege Escalation"),
	  "Unless allowPrivilegeEscalation is false, setuid binaries and file capabilities can give the process more privileges than it started with.",
	  "Set securityContext.allowPrivilegeEscalation: false on every container." },
	{ "BH-K8S-014", NULL, BH_SEV_MEDIUM, RESTR("Running as Non-root"),
	  "Without runAsNonRoot: true an image whose user is root runs as root, and any escape starts as root.",
	  "Set securityContext.runAsNonRoot: true on the pod (or on every container) and use an image with a non-root USER." },
	{ "BH-K8S-015", NULL, BH_SEV_MEDIUM, RESTR("Running as Non-root user"),
	  "runAsUser: 0 runs the container as root.",
	  "Set runAsUser to a non-zero UID or remove it and use an image with a non-root USER." },
	{ "BH-K8S-016", NULL, BH_SEV_MEDIUM, RESTR("Seccomp"),
	  "Without a seccomp profile the container can make every system call, including those used in kernel exploits.",
	  "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost on each container)." },
	{ "BH-K8S-017", NULL, BH_SEV_MEDIUM, RESTR("Capabilities"),
	  "Capabilities kept by default (CHOWN, DAC_OVERRIDE, SETUID, ...) are rarely needed and widen what a compromised process can do.",
	  "Set securityContext.capabilities.drop: [ALL] and add back only NET_BIND_SERVICE when needed." },
	{ "BH-K8S-018", NULL, BH_SEV_MEDIUM, "Container image has the latest tag or no tag",
	  "`latest` (or no tag, which means latest) names whatever was pushed last: rollouts and rollbacks are not repeatable and an unreviewed image can start.",
	  "Use an explicit version tag, or better a digest (image: registry/app:1.4.2@sha256:...)." },
	{ "BH-K8S-019", NULL, BH_SEV_LOW, "Container has no CPU or memory limit",
	  "Without limits one container can take the node's memory or CPU and starve its neighbours (a denial of service).",
	  "Set resources.limits.cpu and resources.limits.memory on every container (a LimitRange can default them)." },
	{ "BH-K8S-020", NULL, BH_SEV_LOW, "Container root filesystem is writable",
	  "A writable root filesystem lets an intruder change binaries and drop tools inside the container.",
	  "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the application writes." },
	{ "BH-K8S-021", NULL, BH_SEV_LOW, "Service account token mounted automatically",
	  "Unless automountServiceAccountToken is false, the pod gets an API token; a compromised container can use it against the cluster API.",
	  "Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount) unless the pod calls the Kubernetes API." },
	{ "BH-K8S-022", NULL, BH_SEV_HIGH, BASE("Host Probes / Lifecycle Hooks"),
	  "A probe or lifecycle hook with a host makes the kubelet connect to any address it names, from the node's network (server-side request forgery).",
	  "Remove the host field of httpGet and tcpSocket in probes and lifecycle hooks (the pod's own IP is used)." },
	{ "BH-K8S-023", NULL, BH_SEV_MEDIUM, RESTR("/proc Mount Type"),
	  "Even in a user namespace, an Unmasked /proc exposes kernel interfaces that the default masks hide from containers.",
	  "Remove securityContext.procMount or set it to Default." },
};

const size_t bh_k8s_rule_count = R_COUNT;

/* A violation found in the JSON form, waiting for its line. */
struct pend {
	int rule;
	char *detail; /* owned */
	char *locate; /* owned: document-relative path whose line is reported */
	unsigned long line;
};

/* One file being checked: findings are kept here and copied to the caller's list only on success. */
struct file {
	const char *target;
	int v; /* policy version v1.v */
	bh_checks found;
	size_t total;   /* findings so far in the file (the cap) */
	bool truncated;
};

/* One YAML document being checked. */
struct doc {
	struct file *f;
	unsigned long line0;     /* absolute line of the chunk's first line (1-based) */
	unsigned long root_line; /* absolute line of the document's root node */
	struct pend *p;          /* owned */
	size_t n, cap;
};

/* One object with a pod spec. */
struct obj {
	struct doc *d;
	const char *ident; /* "Kind/namespace/name" */
	const char *base;  /* path of the pod spec, e.g. "spec.template.spec" */
	const char *mbase; /* path of the pod metadata */
	const json_t *spec, *meta;
	int v;           /* policy version v1.v */
	bool windows;    /* os.name windows (also exempts the hardening rule on the root filesystem) */
	bool win_exempt; /* Windows pod exempt from the Linux-only restricted controls (v1.25 on) */
	bool userns;     /* hostUsers: false with a policy that relaxes for user namespaces (v1.35 on) */
};

/* ---- small helpers ---- */

static bool present(const json_t *v)
{
	const char *s;
	if (!v || json_is_null(v))
		return false;
	if (!json_is_string(v))
		return true;
	/* a plain YAML null reaches us as a string: the helper keeps every scalar as text */
	s = json_string_value(v);
	return !(!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"));
}

/* YAML 1.1 booleans, as Kubernetes' YAML decoder reads them: 1 true, 0 false, -1 unset or other. */
static int ybool(const json_t *v)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF" };
	const char *s;
	size_t i;
	if (json_is_true(v))
		return 1;
	if (json_is_false(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

/* YAML 1.1 integers (sign, 0x/0o/0b, leading-0 octal, '_' separators). false when not an integer. */
static bool yint(const json_t *v, long long *out)
{
	char buf[64], *end;
	const char *s, *p;
	size_t n = 0;
	int base = 10;
	bool neg = false;
	unsigned long long u;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	for (p = s; *p && n < sizeof(buf) - 1; p++)
		if (*p != '_')
			buf[n++] = *p;
	if (*p)
		return false;
	buf[n] = 0;
	p = buf;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p || *p == '+' || *p == '-' || *p == ' ')
		return false;
	errno = 0;
	u = strtoull(p, &end, base);
	if (*end || errno || u > (unsigned long long)9223372036854775807LL)
		return false;
	*out = neg ? -(long long)u : (long long)u;
	return true;
}

static const char *sval(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) && present(v) ? json_string_value(v) : NULL;
}

static const json_t *obj(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_object(v) ? v : NULL;
}

/* The member at a dotted path of plain keys ("spec.template.spec"), or NULL. */
static const json_t *dig(const json_t *o, const char *dotted)
{
	char key[64];
	while (o && *dotted) {
		size_t n = strcspn(dotted, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, dotted, n);
		key[n] = 0;
		o = json_object_get(o, key);
		dotted += n + (dotted[n] == '.');
	}
	return o;
}

/* Appends s[0..n) for display: control bytes and broken UTF-8 become '?', long text is cut. */
static int put_clean(bh_buf *b, const char *s, size_t n, size_t max)
{
	size_t i = 0, shown = 0;
	int rc = 0;
	while (i < n && !rc) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t k = *u < 0x80 ? 1 : bh_utf8_seq(u, n - i);
		if (shown >= max)
			return bh_buf_puts(b, "...");
		if (*u < 0x20 || *u == 0x7f || !k) {
			rc = bh_buf_putc(b, '?');
			k = k ? k : 1;
		} else {
			rc = bh_buf_append(b, s + i, k);
		}
		i += k;
		shown += k;
	}
	return rc;
}

/* Map key as a path step: ".key" for plain identifiers, ["key"] otherwise (annotation names). */
static int path_key(bh_buf *b, const char *k, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
		      k[i] == '_' || k[i] == '-'))
			break;
	if (n && i == n)
		return (b->len ? bh_buf_putc(b, '.') : 0) || bh_buf_append(b, k, n);
	return bh_buf_puts(b, "[\"") || put_clean(b, k, n, PATH_MAX_LEN) || bh_buf_puts(b, "\"]");
}

static void fpath(char *out, const char *base, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* base + "." + formatted; a cut path only loses its line (the detail still reads sensibly). */
static void fpath(char *out, const char *base, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, FP, "%s%s", base, *base ? "." : "");
	if (n < 0 || n >= FP)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, FP - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Shown form of a field's value. */
static const char *show(const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_array(v))
		return "[...]";
	if (json_is_object(v))
		return "{...}";
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	return "null";
}

/* ---- findings ---- */

/*
 * Records one violation. value NULL: the field is not set. extra: why an unset value counts.
 * locate: the path whose line is reported (NULL = field).
 */
static int flag(struct obj *o, int rule, const char *cname, const char *field, const char *value, const char *extra,
		const char *locate)
{
	struct doc *d = o->d;
	bh_buf b = BH_BUF_INIT;
	struct pend *p;
	int rc;

	if (d->f->total >= BH_K8S_MAX_FINDINGS) {
		d->f->truncated = true;
		return 0;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8, bytes;
		struct pend *np;
		if (!bh_size_mul(ncap, sizeof(*np), &bytes) || !(np = realloc(d->p, bytes)))
			return BH_ENOMEM;
		d->p = np;
		d->cap = ncap;
	}
	rc = bh_buf_puts(&b, o->ident);
	if (!rc && cname)
		rc = bh_buf_puts(&b, " container \"") || put_clean(&b, cname, strlen(cname), SHOW_MAX) || bh_buf_putc(&b, '"');
	if (!rc)
		rc = bh_buf_puts(&b, ": ") || bh_buf_puts(&b, field);
	if (!rc)
		rc = value ? bh_buf_putc(&b, '=') || put_clean(&b, value, strlen(value), SHOW_MAX) : bh_buf_puts(&b, " is not set");
	if (!rc && extra)
		rc = bh_buf_puts(&b, " (") || bh_buf_puts(&b, extra) || bh_buf_putc(&b, ')');
	if (rc) {
		bh_buf_free(&b);
		return BH_ENOMEM;
	}
	p = &d->p[d->n];
	p->rule = rule;
	p->line = 0;
	p->detail = bh_buf_steal(&b);
	if (!(p->locate = bh_strdup(locate ? locate : field))) {
		free(p->detail);
		return BH_ENOMEM;
	}
	d->n++;
	d->f->total++;
	return 0;
}

/* ---- the controls ---- */

static bool in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static const char *const caps_baseline[] = { "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
					     "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", NULL };
/* A value a control allows, from the policy version v1.v on. */
struct since {
	const char *name;
	int v;
};

/* The safe sysctls (policy/check_sysctls.go); names compare exactly, as the policy does: the kubelet
 * also takes "net/ipv4/...", the policy does not. */
static const struct since sysctls_safe[] = {
	{ "kernel.shm_rmid_forced", 0 },	      { "net.ipv4.ip_local_port_range", 0 },
	{ "net.ipv4.tcp_syncookies", 0 },	      { "net.ipv4.ping_group_range", 0 },
	{ "net.ipv4.ip_unprivileged_port_start", 0 }, { "net.ipv4.ip_local_reserved_ports", 27 },
	{ "net.ipv4.tcp_keepalive_time", 29 },	      { "net.ipv4.tcp_fin_timeout", 29 },
	{ "net.ipv4.tcp_keepalive_intvl", 29 },	      { "net.ipv4.tcp_keepalive_probes", 29 },
	{ "net.ipv4.tcp_rmem", 32 },		      { "net.ipv4.tcp_wmem", 32 },
	{ "net.ipv4.tcp_slow_start_after_idle", 37 }, { "net.ipv4.tcp_notsent_lowat", 37 },
	{ NULL, 0 },
};
/* SELinux types (policy/check_seLinuxOptions.go); an empty type is allowed too */
static const struct since selinux_types[] = {
	{ "container_t", 0 }, { "container_init_t", 0 }, { "container_kvm_t", 0 }, { "container_engine_t", 31 }, { NULL, 0 },
};

static bool allowed_in(const char *s, const struct since *set, int v)
{
	for (; set->name; set++)
		if (set->v <= v && !strcmp(s, set->name))
			return true;
	return false;
}
static const char *const volumes_ok[] = { "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
					  "persistentVolumeClaim", "projected", "secret", NULL };
static const char *const profile_ok[] = { "RuntimeDefault", "Localhost", NULL };

/* Settings both the pod and each container may carry (securityContext of either). */
static int check_context(struct obj *o, const json_t *sc, const char *scpath, const char *cname)
{
	const json_t *w = obj(sc, "windowsOptions"), *a = obj(sc, "appArmorProfile"), *se = obj(sc, "seLinuxOptions"),
		     *sp = obj(sc, "seccompProfile");
	const char *t;
	char f[FP];
	long long uid;
	int rc = 0;

	if (ybool(json_object_get(w, "hostProcess")) == 1) {
		fpath(f, scpath, "windowsOptions.hostProcess");
		rc = flag(o, R_HOSTPROCESS, cname, f, show(json_object_get(w, "hostProcess")), NULL, NULL);
	}
	if (!rc && (t = sval(a, "type")) && !in_set(t, profile_ok)) {
		fpath(f, scpath, "appArmorProfile.type");
		rc = flag(o, R_APPARMOR, cname, f, t, NULL, NULL);
	}
	if (!rc && se) {
		if ((t = sval(se, "type")) && !allowed_in(t, selinux_types, o->v)) {
			fpath(f, scpath, "seLinuxOptions.type");
			rc = flag(o, R_SELINUX, cname, f, t, NULL, NULL);
		}
		if (!rc && (t = sval(se, "user"))) {
			fpath(f, scpath, "seLinuxOptions.user");
			rc = flag(o, R_SELINUX, cname, f, t, NULL, NULL);
		}
		if (!rc && (t = sval(se, "role"))) {
			fpath(f, scpath, "seLinuxOptions.role");
			rc = flag(o, R_SELINUX, cname, f, t, NULL, NULL);
		}
	}
	/* the fields count from v1.19 (before, the annotations: check_pod); a profile set to anything but
	 * RuntimeDefault or Localhost fails the baseline, Unconfined and a missing type alike */
	if (!rc && o->v >= 19 && sp && !((t = sval(sp, "type")) && in_set(t, profile_ok))) {
		char sppath[FP];
		fpath(sppath, scpath, "seccompProfile");
		fpath(f, scpath, "seccompProfile.type");
		rc = flag(o, R_SECCOMP_BASE, cname, f, t, t ? NULL : "must be RuntimeDefault or Localhost", t ? NULL : sppath);
	}
	if (!rc && o->v >= 23 && !o->userns && yint(json_object_get(sc, "runAsUser"), &uid) && uid == 0) {
		fpath(f, scpath, "runAsUser");
		rc = flag(o, R_ROOTUSER, cname, f, show(json_object_get(sc, "runAsUser")), NULL, NULL);
	}
	return rc;
}

/* Everything that is decided per container; pod-level values (psc) apply where the container is silent. */
static int check_container(struct obj *o, const json_t *c, const char *cpath, const json_t *psc)
{
	const json_t *sc = obj(c, "securityContext"), *caps = obj(sc, "capabilities"), *v, *ports, *add, *drop;
	const json_t *psp = obj(psc, "seccompProfile");
	const char *name = sval(c, "name"), *t;
	char scpath[FP], f[FP];
	size_t i;
	int rc, b;
	bool has_all = false;
	bh_buf dl = BH_BUF_INIT; /* the drop list as shown */

	if (!name)
		name = "?";
	fpath(scpath, cpath, "securityContext");
	if ((rc = check_context(o, sc, scpath, name)))
		return rc;

	if (ybool(json_object_get(sc, "privileged")) == 1) {
		fpath(f, scpath, "privileged");
		if ((rc = flag(o, R_PRIV, name, f, show(json_object_get(sc, "privileged")), NULL, NULL)))
			return rc;
	}
	add = json_object_get(caps, "add");
	json_array_foreach(add, i, v) {
		if (!json_is_string(v))
			continue;
		fpath(f, scpath, "capabilities.add[%zu]", i);
		if (!in_set(json_string_value(v), caps_baseline))
			rc = flag(o, R_CAPS_BASE, name, f, json_string_value(v), NULL, NULL);
		else if (o->v >= 22 && !o->win_exempt && strcmp(json_string_value(v), "NET_BIND_SERVICE") != 0)
			rc = flag(o, R_CAPS_RESTR, name, f, json_string_value(v), "restricted allows adding only NET_BIND_SERVICE", NULL);
		if (rc)
			return rc;
	}
	drop = json_object_get(caps, "drop");
	json_array_foreach(drop, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), "ALL"))
			has_all = true;
		if (!rc)
			rc = bh_buf_puts(&dl, i ? "," : "[") || bh_buf_puts(&dl, show(v));
	}
	if (!rc && dl.len)
		rc = bh_buf_putc(&dl, ']');
	if (rc) {
		bh_buf_free(&dl);
		return BH_ENOMEM;
	}
	if (!has_all && o->v >= 22 && !o->win_exempt) {
		char capspath[FP];
		fpath(capspath, scpath, "capabilities");
		fpath(f, scpath, "capabilities.drop");
		rc = flag(o, R_CAPS_RESTR, name, f, dl.len ? dl.data : (json_is_array(drop) ? "[]" : NULL), "must include ALL",
			  json_is_array(drop) ? NULL : (caps ? capspath : (sc ? scpath : cpath)));
	}
	bh_buf_free(&dl);
	if (rc)
		return rc;
	ports = json_object_get(c, "ports");
	json_array_foreach(ports, i, v) {
		long long port;
		const json_t *hp = json_object_get(v, "hostPort");
		if (!present(hp) || (yint(hp, &port) && port == 0))
			continue;
		fpath(f, cpath, "ports[%zu].hostPort", i);
		if ((rc = flag(o, R_HOSTPORT, name, f, show(hp), NULL, NULL)))
			return rc;
	}
	/* from v1.35 the baseline allows an Unmasked /proc in a user namespace (hostUsers: false); restricted never does */
	if ((t = sval(sc, "procMount")) && strcmp(t, "Default") != 0) {
		fpath(f, scpath, "procMount");
		if ((rc = flag(o, o->userns ? R_PROCMOUNT_RESTR : R_PROCMOUNT, name, f, t, o->userns ? "with hostUsers: false" : NULL, NULL)))
			return rc;
	}

	/* probes and lifecycle hooks (v1.34 on): the host of httpGet / tcpSocket must be unset or empty */
	if (o->v >= 34) {
		static const char *const handlers[] = { "livenessProbe", "readinessProbe", "startupProbe", "lifecycle.postStart",
							"lifecycle.preStop" };
		static const char *const actions[] = { "httpGet", "tcpSocket" };
		size_t h, a;
		for (h = 0; h < sizeof(handlers) / sizeof(handlers[0]); h++)
			for (a = 0; a < 2; a++) {
				char hp[FP];
				const json_t *act = obj(dig(c, handlers[h]), actions[a]), *host = json_object_get(act, "host");
				if (!present(host) || (json_is_string(host) && !*json_string_value(host)))
					continue;
				snprintf(hp, sizeof(hp), "%s.%s.host", handlers[h], actions[a]);
				fpath(f, cpath, "%s", hp);
				if ((rc = flag(o, R_HOSTPROBE, name, f, show(host), NULL, NULL)))
					return rc;
			}
	}

	/* restricted */
	if (o->v >= 8 && !o->win_exempt && ybool(json_object_get(sc, "allowPrivilegeEscalation")) != 0) {
		v = json_object_get(sc, "allowPrivilegeEscalation");
		fpath(f, scpath, "allowPrivilegeEscalation");
		if ((rc = flag(o, R_PRIVESC, name, f, present(v) ? show(v) : NULL, present(v) ? NULL : "must be false",
			       present(v) ? NULL : (sc ? scpath : cpath))))
			return rc;
	}
	b = o->userns ? 1 : ybool(json_object_get(sc, "runAsNonRoot"));
	if (b == 0) {
		fpath(f, scpath, "runAsNonRoot");
		rc = flag(o, R_NONROOT, name, f, show(json_object_get(sc, "runAsNonRoot")), NULL, NULL);
	} else if (b < 0 && ybool(json_object_get(psc, "runAsNonRoot")) < 0) {
		/* an explicit pod-level false is reported once, on the pod */
		fpath(f, scpath, "runAsNonRoot");
		rc = flag(o, R_NONROOT, name, f, NULL, "nor at pod level", sc ? scpath : cpath);
	}
	if (rc)
		return rc;
	/* restricted (v1.19 on): a profile on the container or on the pod; a profile set to a bad type on
	 * either is the baseline's finding (BH-K8S-010), reported once, there */
	if (o->v >= 19 && !o->win_exempt && !obj(sc, "seccompProfile") && !psp) {
		fpath(f, scpath, "seccompProfile.type");
		rc = flag(o, R_SECCOMP_RESTR, name, f, NULL, "nor at pod level", sc ? scpath : cpath);
	}
	return rc;
}

/* The image reference's tag: "latest" or none, with no digest, is not a pinned image. */
static bool image_unpinned(const char *img)
{
	const char *slash = strrchr(img, '/'), *last = slash ? slash + 1 : img, *colon;
	if (strchr(img, '@')) /* pinned by digest, whatever the tag says */
		return false;
	colon = strrchr(last, ':');
	return !colon || !strcmp(colon + 1, "latest");
}

/* Hardening beyond the Pod Security Standards, per container (not ephemeral debug containers). */
static int check_hardening(struct obj *o, const json_t *c, const char *cpath)
{
	const json_t *sc = obj(c, "securityContext"), *lim = obj(obj(c, "resources"), "limits"), *v;
	const char *name = sval(c, "name"), *img = sval(c, "image");
	bool cpu, mem;
	char f[FP], scpath[FP], lpath[FP];
	int rc = 0;

	if (!name)
		name = "?";
	fpath(scpath, cpath, "securityContext");
	fpath(lpath, cpath, "resources.limits");
	if (img && image_unpinned(img)) {
		fpath(f, cpath, "image");
		if ((rc = flag(o, R_IMAGE_TAG, name, f, img, NULL, NULL)))
			return rc;
	}
	cpu = present(json_object_get(lim, "cpu"));
	mem = present(json_object_get(lim, "memory"));
	if (!cpu || !mem) {
		fpath(f, cpath, "resources.limits.%s", !cpu && !mem ? "{cpu,memory}" : !cpu ? "cpu" : "memory");
		if ((rc = flag(o, R_LIMITS, name, f, NULL, NULL, lim ? lpath : cpath)))
			return rc;
	}
	/* Windows containers cannot have a read-only root filesystem */
	if (!o->windows && ybool(v = json_object_get(sc, "readOnlyRootFilesystem")) != 1) {
		fpath(f, scpath, "readOnlyRootFilesystem");
		rc = flag(o, R_ROROOT, name, f, present(v) ? show(v) : NULL, present(v) ? NULL : "must be true",
			  present(v) ? NULL : (sc ? scpath : cpath));
	}
	return rc;
}

/* A seccomp annotation value the policy allows (policy/check_seccompProfile_baseline.go). */
static bool seccomp_annotation_ok(const json_t *a)
{
	const char *t = present(a) ? json_string_value(a) : "";
	return t && (!strcmp(t, "runtime/default") || !strcmp(t, "docker/default") || !strncmp(t, "localhost/", 10));
}

/* Flags the annotation key of the pod's metadata when it is there with a value the policy does not allow. */
static int seccomp_annotation(struct obj *o, const json_t *ann, const char *key, const char *cname)
{
	const json_t *a = json_object_get(ann, key);
	bh_buf p = BH_BUF_INIT;
	int rc;
	if (!a || seccomp_annotation_ok(a))
		return 0;
	rc = bh_buf_puts(&p, o->mbase) || bh_buf_puts(&p, *o->mbase ? ".annotations" : "annotations") ||
			     path_key(&p, key, strlen(key))
		     ? BH_ENOMEM
		     : flag(o, R_SECCOMP_BASE, cname, p.data, present(a) && json_is_string(a) ? json_string_value(a) : "",
			    "before policy v1.19 the annotations decide", NULL);
	bh_buf_free(&p);
	return rc;
}

/*
 * Before v1.19 the baseline's seccomp control reads the deprecated annotations, not the fields: the
 * pod's, and each container's by its name (init, regular and ephemeral containers). A key that is
 * there with an empty value is not allowed either.
 */
static int check_seccomp_annotations(struct obj *o)
{
	static const char *const lists[] = { "initContainers", "containers", "ephemeralContainers" };
	static const char ctr_pre[] = "container.seccomp.security.alpha.kubernetes.io/";
	const json_t *ann = obj(o->meta, "annotations"), *c;
	size_t i, j;
	int rc;

	if (!ann)
		return 0;
	if ((rc = seccomp_annotation(o, ann, "seccomp.security.alpha.kubernetes.io/pod", NULL)))
		return rc;
	for (i = 0; i < 3; i++) {
		json_array_foreach(json_object_get(o->spec, lists[i]), j, c) {
			const char *name = sval(c, "name");
			bh_buf key = BH_BUF_INIT;
			if (!name)
				continue;
			rc = bh_buf_puts(&key, ctr_pre) || bh_buf_puts(&key, name) ? BH_ENOMEM : seccomp_annotation(o, ann, key.data, name);
			bh_buf_free(&key);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int check_pod(struct obj *o)
{
	static const char *const lists[] = { "containers", "initContainers", "ephemeralContainers" };
	static const char *const hostns[] = { "hostNetwork", "hostPID", "hostIPC" };
	const json_t *psc = obj(o->spec, "securityContext"), *v, *a, *ann;
	const char *t, *key;
	char pscpath[FP], f[FP];
	size_t i, j;
	int rc;

	fpath(pscpath, o->base, "securityContext");
	for (i = 0; i < 3; i++) {
		if (ybool(v = json_object_get(o->spec, hostns[i])) == 1) {
			fpath(f, o->base, "%s", hostns[i]);
			if ((rc = flag(o, R_HOSTNS, NULL, f, show(v), NULL, NULL)))
				return rc;
		}
	}
	if ((rc = check_context(o, psc, pscpath, NULL)))
		return rc;
	if (!o->userns && ybool(v = json_object_get(psc, "runAsNonRoot")) == 0) {
		fpath(f, pscpath, "runAsNonRoot");
		if ((rc = flag(o, R_NONROOT, NULL, f, show(v), NULL, NULL)))
			return rc;
	}
	if (o->v < 19 && (rc = check_seccomp_annotations(o)))
		return rc;
	json_array_foreach(json_object_get(psc, "sysctls"), i, v) {
		if (!(t = sval(v, "name")) || allowed_in(t, sysctls_safe, o->v))
			continue;
		fpath(f, pscpath, "sysctls[%zu].name", i);
		if ((rc = flag(o, R_SYSCTL, NULL, f, t, NULL, NULL)))
			return rc;
	}
	json_array_foreach(json_object_get(o->spec, "volumes"), i, v) {
		const char *vk;
		json_t *vv;
		if (!json_is_object(v))
			continue;
		json_object_foreach((json_t *)v, vk, vv) {
			if (!strcmp(vk, "name") || !present(vv) || in_set(vk, volumes_ok))
				continue;
			if (!strcmp(vk, "hostPath")) {
				fpath(f, o->base, "volumes[%zu].hostPath", i);
				rc = flag(o, R_HOSTPATH, NULL, f, sval(vv, "path") ? sval(vv, "path") : show(vv), NULL, NULL);
			} else {
				bh_buf p = BH_BUF_INIT;
				fpath(f, o->base, "volumes[%zu]", i);
				rc = bh_buf_puts(&p, f) || path_key(&p, vk, strlen(vk)) ? BH_ENOMEM
					: flag(o, R_VOLUMES, NULL, p.data, show(vv), NULL, NULL);
				bh_buf_free(&p);
			}
			if (rc)
				return rc;
		}
	}
	/* AppArmor annotations (deprecated, still honoured): one per container name */
	ann = obj(o->meta, "annotations");
	json_object_foreach((json_t *)ann, key, a) {
		static const char pre[] = "container.apparmor.security.beta.kubernetes.io/";
		bh_buf p = BH_BUF_INIT;
		/* an empty value is allowed (policy/check_appArmorProfile.go) */
		if (strncmp(key, pre, sizeof(pre) - 1) != 0 || !present(a) || !(t = json_string_value(a)) || !strcmp(t, "runtime/default") ||
		    !strncmp(t, "localhost/", 10))
			continue;
		rc = bh_buf_puts(&p, o->mbase) || bh_buf_puts(&p, *o->mbase ? ".annotations" : "annotations") ||
		     path_key(&p, key, strlen(key)) ? BH_ENOMEM : flag(o, R_APPARMOR, key + sizeof(pre) - 1, p.data, t, NULL, NULL);
		bh_buf_free(&p);
		if (rc)
			return rc;
	}
	for (i = 0; i < 3; i++) {
		json_array_foreach(json_object_get(o->spec, lists[i]), j, v) {
			char cpath[FP];
			if (!json_is_object(v))
				continue;
			fpath(cpath, o->base, "%s[%zu]", lists[i], j);
			if ((rc = check_container(o, v, cpath, psc)) || (i < 2 && (rc = check_hardening(o, v, cpath))))
				return rc;
		}
	}
	if (ybool(v = json_object_get(o->spec, "automountServiceAccountToken")) != 0) {
		fpath(f, o->base, "automountServiceAccountToken");
		if ((rc = flag(o, R_SA_TOKEN, NULL, f, present(v) ? show(v) : NULL, present(v) ? NULL : "must be false",
			       present(v) ? NULL : o->base)))
			return rc;
	}
	return 0;
}

/* Where each workload kind keeps its pod template. */
static const struct kind {
	const char *kind, *spec, *meta;
} kinds[] = {
	{ "Pod", "spec", "metadata" },
	{ "Deployment", "spec.template.spec", "spec.template.metadata" },
	{ "StatefulSet", "spec.template.spec", "spec.template.metadata" },
	{ "DaemonSet", "spec.template.spec", "spec.template.metadata" },
	{ "ReplicaSet", "spec.template.spec", "spec.template.metadata" },
	{ "ReplicationController", "spec.template.spec", "spec.template.metadata" },
	{ "Job", "spec.template.spec", "spec.template.metadata" },
	{ "CronJob", "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata" },
	{ "PodTemplate", "template.spec", "template.metadata" },
};

/* prefix: path of o inside the document ("" or "items[3]"). */
static int check_object(struct doc *d, const json_t *o, const char *prefix, unsigned nest)
{
	const char *kind = sval(o, "kind"), *ns, *name;
	const json_t *md = obj(o, "metadata"), *v;
	size_t i, klen;
	bh_buf id = BH_BUF_INIT;
	char base[FP], mbase[FP];
	struct obj ob;
	int rc;

	if (!kind || !json_is_object(o))
		return 0;
	klen = strlen(kind);
	if (klen >= 4 && !strcmp(kind + klen - 4, "List")) {
		if (nest >= LIST_MAX_NEST)
			return 0;
		json_array_foreach(json_object_get(o, "items"), i, v) {
			char p[FP];
			snprintf(p, sizeof(p), "%s%sitems[%zu]", prefix, *prefix ? "." : "", i);
			if ((rc = check_object(d, v, p, nest + 1)))
				return rc;
		}
		return 0;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].kind))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	memset(&ob, 0, sizeof(ob));
	ob.d = d;
	ob.spec = dig(o, kinds[i].spec);
	ob.meta = dig(o, kinds[i].meta);
	if (!json_is_object(ob.spec))
		return 0;
	fpath(base, prefix, "%s", kinds[i].spec);
	fpath(mbase, prefix, "%s", kinds[i].meta);
	ob.base = base;
	ob.mbase = mbase;
	/* Windows pods are exempt from the Linux-only restricted controls */
	ob.windows = (v = obj(ob.spec, "os")) && sval(v, "name") && !strcmp(sval(v, "name"), "windows");
	ob.v = d->f->v;
	ob.win_exempt = ob.windows && ob.v >= 25;
	ob.userns = ob.v >= 35 && ybool(json_object_get(ob.spec, "hostUsers")) == 0;
	ns = sval(md, "namespace");
	name = sval(md, "name");
	if (!name)
		name = sval(md, "generateName");
	rc = put_clean(&id, kind, klen, SHOW_MAX) || bh_buf_putc(&id, '/');
	if (!rc && ns)
		rc = put_clean(&id, ns, strlen(ns), SHOW_MAX) || bh_buf_putc(&id, '/');
	if (!rc)
		rc = name ? put_clean(&id, name, strlen(name), SHOW_MAX) : bh_buf_puts(&id, "(unnamed)");
	if (rc) {
		bh_buf_free(&id);
		return BH_ENOMEM;
	}
	ob.ident = id.data;
	rc = check_pod(&ob);
	bh_buf_free(&id);
	return rc;
}

/* ---- lines: a second walk over the document's events, following field paths ---- */

struct target {
	const char *path;
	unsigned long line; /* 0-based within the chunk, +1 once found */
};

struct walk {
	yaml_parser_t p;
	bh_buf path;
	struct target *t;
	size_t nt;
};

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const struct target *)a)->path, ((const struct target *)b)->path);
}

static void walk_mark(struct walk *w, unsigned long line)
{
	struct target key = { w->path.data ? w->path.data : "", 0 }, *t;
	if ((t = bsearch(&key, w->t, w->nt, sizeof(*w->t), cmp_target)))
		t->line = line + 1; /* the last duplicate key wins, as in the JSON form */
}

static void walk_cut(struct walk *w, size_t len)
{
	w->path.len = len;
	if (w->path.data)
		w->path.data[len] = 0;
}

/* Consumes ev and its subtree. ok: the current path is exact (not cut, key was a plain scalar). */
static int walk_node(struct walk *w, yaml_event_t *ev, unsigned long line, bool ok, unsigned depth)
{
	yaml_event_type_t type = ev->type;
	size_t plen = w->path.len, i;
	int rc = 0;

	yaml_event_delete(ev);
	if (ok)
		walk_mark(w, line);
	if (depth > BH_K8S_MAX_DEPTH + 1)
		return -1;
	if (type == YAML_SEQUENCE_START_EVENT) {
		for (i = 0; !rc; i++) {
			yaml_event_t c;
			bool cok;
			if (!yaml_parser_parse(&w->p, &c))
				return -1;
			if (c.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&c);
				break;
			}
			cok = ok && !bh_buf_printf(&w->path, "[%zu]", i) && w->path.len <= PATH_MAX_LEN;
			rc = walk_node(w, &c, c.start_mark.line, cok, depth + 1);
			walk_cut(w, plen);
		}
	} else if (type == YAML_MAPPING_START_EVENT) {
		while (!rc) {
			yaml_event_t k, v;
			unsigned long kline;
			bool cok;
			if (!yaml_parser_parse(&w->p, &k))
				return -1;
			if (k.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&k);
				break;
			}
			kline = k.start_mark.line;
			cok = ok && k.type == YAML_SCALAR_EVENT &&
			      !path_key(&w->path, (const char *)k.data.scalar.value, k.data.scalar.length) &&
			      w->path.len <= PATH_MAX_LEN;
			if ((rc = walk_node(w, &k, kline, false, depth + 1)))
				break;
			if (!yaml_parser_parse(&w->p, &v))
				return -1;
			rc = walk_node(w, &v, kline, cok, depth + 1);
			walk_cut(w, plen);
		}
	}
	return rc;
}

/* Gives every pending finding of d the line of its field (else the document's line). */
static int locate_lines(struct doc *d, const char *chunk, size_t n)
{
	struct walk w;
	yaml_event_t ev;
	size_t i, u = 0;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	if (!(w.t = calloc(d->n, sizeof(*w.t))))
		return BH_ENOMEM;
	for (i = 0; i < d->n; i++)
		w.t[i].path = d->p[i].locate;
	qsort(w.t, d->n, sizeof(*w.t), cmp_target);
	for (i = 0; i < d->n; i++)
		if (!u || strcmp(w.t[u - 1].path, w.t[i].path) != 0)
			w.t[u++] = w.t[i];
	w.nt = u;
	if (!yaml_parser_initialize(&w.p)) {
		free(w.t);
		return BH_ENOMEM;
	}
	yaml_parser_set_input_string(&w.p, (const unsigned char *)chunk, n);
	/* stream start, document start, root node; the text was validated by prescan */
	while (yaml_parser_parse(&w.p, &ev)) {
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		rc = walk_node(&w, &ev, ev.start_mark.line, true, 0);
		break;
	}
	for (i = 0; i < d->n; i++) {
		struct target key = { d->p[i].locate, 0 }, *t = bsearch(&key, w.t, w.nt, sizeof(*w.t), cmp_target);
		d->p[i].line = t && t->line ? d->line0 + t->line - 1 : d->root_line;
	}
	yaml_parser_delete(&w.p);
	bh_buf_free(&w.path);
	free(w.t);
	return rc == -1 ? 0 : rc; /* a walk that stops early only costs lines */
}

/* ---- documents ---- */

/* The Pod Security Standards controls (the rest are notes and hardening). */
static bool is_pss(int rule)
{
	return (rule >= R_HOSTPROCESS && rule <= R_CAPS_RESTR) || rule == R_HOSTPROBE || rule == R_PROCMOUNT_RESTR;
}

static int add_finding(struct file *f, int rule, const char *detail, unsigned long line, const char *status)
{
	bh_check_at at;
	char title[160];
	memset(&at, 0, sizeof(at));
	if (is_pss(rule)) {
		/* "Seccomp (Pod Security Standards restricted)" -> "... restricted, policy v1.37)": the version judged */
		const char *t = bh_k8s_rules[rule].title;
		snprintf(title, sizeof(title), "%.*s, policy v1.%d)", (int)(strlen(t) - 1), t, f->v);
		at.title = title;
	}
	at.category = "kubernetes";
	at.detail = detail;
	at.target = f->target;
	at.line = line;
	at.status = status;
	return bh_checks_emit(&f->found, &bh_k8s_rules[rule], &at);
}

struct scan {
	unsigned docs;
	bool alias;
	yaml_event_type_t root;   /* 0 when the document is empty */
	unsigned long root_line;  /* 0-based within the chunk */
};

/* Validates one chunk with libyaml alone: syntax, nesting, aliases, what the root is. */
static int prescan(const char *chunk, size_t n, unsigned long line0, const char *target, struct scan *s, bh_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	unsigned depth = 0;
	bool want_root = false;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!yaml_parser_initialize(&p))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)chunk, n);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.context)
				rc = bh_error_set(err, BH_EINVAL, "%s:%lu: YAML error: %s (%s at line %lu)", target,
						  line0 + (unsigned long)p.problem_mark.line, p.problem ? p.problem : "syntax",
						  p.context, line0 + (unsigned long)p.context_mark.line);
			else
				rc = bh_error_set(err, BH_EINVAL, "%s:%lu: YAML error: %s", target,
						  line0 + (unsigned long)p.problem_mark.line, p.problem ? p.problem : "syntax");
			break;
		}
		if (want_root && ev.type != YAML_DOCUMENT_END_EVENT) {
			s->root = ev.type;
			s->root_line = ev.start_mark.line;
			want_root = false;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			want_root = true;
			s->docs++;
			break;
		case YAML_ALIAS_EVENT:
			s->alias = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > BH_K8S_MAX_DEPTH)
				rc = bh_error_set(err, BH_ELIMIT, "%s:%lu: YAML nested deeper than %d levels", target,
						  line0 + (unsigned long)ev.start_mark.line, BH_K8S_MAX_DEPTH);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&p);
	/* a break libyaml sees but the line splitter did not (lone CR, U+2028) would hide a document */
	if (!rc && s->docs > 1)
		rc = bh_error_set(err, BH_EINVAL, "%s:%lu: documents must be separated by a '---' line", target, line0);
	return rc;
}

static void doc_free(struct doc *d)
{
	size_t i;
	for (i = 0; i < d->n; i++) {
		free(d->p[i].detail);
		free(d->p[i].locate);
	}
	free(d->p);
}

static int check_chunk(struct file *f, const char *chunk, size_t n, unsigned long line0, bh_error *err)
{
	struct scan s;
	struct doc d;
	json_t *j = NULL;
	size_t i;
	int rc;

	if ((rc = prescan(chunk, n, line0, f->target, &s, err)))
		return rc;
	if (s.root != YAML_MAPPING_START_EVENT)
		return 0; /* empty, a scalar or a sequence: not a Kubernetes object */
	if (s.alias) {
		char detail[96];
		snprintf(detail, sizeof(detail), "document at line %lu uses YAML aliases; they are not expanded",
			 line0 + s.root_line);
		if (f->total >= BH_K8S_MAX_FINDINGS)
			return 0;
		f->total++;
		return add_finding(f, R_NOTE, detail, line0 + s.root_line, "manual") ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
	}
	if ((rc = bh_yaml_load(chunk, n, BH_K8S_MAX_DEPTH, f->target, &j, err)))
		return rc;
	memset(&d, 0, sizeof(d));
	d.f = f;
	d.line0 = line0;
	d.root_line = line0 + s.root_line;
	rc = check_object(&d, j, "", 0);
	json_decref(j);
	if (!rc && d.n)
		rc = locate_lines(&d, chunk, n);
	for (i = 0; !rc && i < d.n; i++)
		rc = add_finding(f, d.p[i].rule, d.p[i].detail, d.p[i].line, NULL);
	doc_free(&d);
	return rc == BH_ENOMEM ? bh_error_set(err, rc, "out of memory") : rc;
}

/* "---" or "..." at column 0 followed by a blank or the end of the line: a document marker. */
static int marker(const char *l, size_t n)
{
	if (n < 3 || (memcmp(l, "---", 3) != 0 && memcmp(l, "...", 3) != 0))
		return 0;
	if (n > 3 && l[3] != ' ' && l[3] != '\t' && l[3] != '\r')
		return 0;
	return l[0] == '-' ? 1 : 2;
}

/* Blank, comment or (before any content) directive lines do not start a document's content. */
static bool filler(const char *l, size_t n, bool content)
{
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
		i++;
	return i == n || l[i] == '#' || (!content && i == 0 && l[0] == '%');
}

int bh_k8s_pss_minor(const char *version)
{
	const char *p = version;
	long n = 0;
	if (!p || !strcmp(p, "latest"))
		return BH_K8S_PSS_LATEST;
	if (*p == 'v')
		p++;
	if (strncmp(p, "1.", 2) != 0 || !p[2] || (p[2] == '0' && p[3]))
		return -1;
	for (p += 2; *p; p++) {
		if (*p < '0' || *p > '9' || (n = n * 10 + (*p - '0')) > BH_K8S_PSS_LATEST)
			return -1;
	}
	return (int)n;
}

int bh_k8s_check(const char *path, const char *text, size_t len, bh_checks *out, bh_error *err)
{
	return bh_k8s_check_pss(path, text, len, BH_K8S_PSS_LATEST, out, err);
}

int bh_k8s_check_pss(const char *path, const char *text, size_t len, int pss_minor, bh_checks *out, bh_error *err)
{
	struct file f;
	size_t off = 0, start = 0, i, added = 0;
	unsigned long line = 1, start_line = 1;
	bool content = false;
	int rc = 0;

	if (!path)
		path = "-";
	if (len > BH_K8S_MAX_BYTES)
		return bh_error_set(err, BH_ELIMIT, "%s: manifest larger than %zu bytes", path, BH_K8S_MAX_BYTES);
	if (!text && len)
		return bh_error_set(err, BH_EUSAGE, "%s: no text", path);
	if (pss_minor < 0 || pss_minor > BH_K8S_PSS_LATEST)
		return bh_error_set(err, BH_EUSAGE, "Pod Security Standards policy version v1.%d is not known (v1.0..v1.%d)",
				    pss_minor, BH_K8S_PSS_LATEST);
	memset(&f, 0, sizeof(f));
	f.target = path;
	f.v = pss_minor;
	/*
	 * Documents are split on their marker lines (as kubectl does) and each is parsed on its own, so
	 * one bad document names its own line and the JSON form of the others is never held at once.
	 */
	while (off < len && !rc) {
		const char *l = text + off, *nl = memchr(l, '\n', len - off);
		size_t n = nl ? (size_t)(nl - l) : len - off, next = off + n + (nl ? 1 : 0);
		int m = marker(l, n);
		if (m == 1 && content) {
			rc = check_chunk(&f, text + start, off - start, start_line, err);
			start = off;
			start_line = line;
		}
		if (m == 2) {
			rc = check_chunk(&f, text + start, next - start, start_line, err);
			start = next;
			start_line = line + 1;
			content = false;
		} else if (m == 1 || !filler(l, n, content)) {
			content = true;
		}
		off = next;
		line++;
	}
	if (!rc && content)
		rc = check_chunk(&f, text + start, len - start, start_line, err);
	if (!rc && f.truncated) {
		char detail[96];
		snprintf(detail, sizeof(detail), "stopped after %d findings; the rest of the file was not reported", BH_K8S_MAX_FINDINGS);
		rc = add_finding(&f, R_NOTE, detail, 0, "manual") ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
	}
	for (i = 0; !rc && i < f.found.n; i++) {
		if (bh_checks_add(out, &f.found.items[i]))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		else
			added++;
	}
	while (rc && added--)
		bh_checks_remove(out, out->n - 1);
	bh_checks_free(&f.found);
	return rc;
}
