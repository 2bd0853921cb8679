/* test_k8s.c - Pod Security Standards checks on Kubernetes manifests: every control fires and stays quiet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/k8s.h"
#include "support/checks.h"
#include "support/fixture.h"

#define FX "tests/fixtures/k8s/"

/* A Pod that meets the restricted level; cases change it with (path, JSON value) pairs. */
static const char base_pod[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"},"
	"\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
	"\"containers\":[{\"name\":\"app\",\"image\":\"nginx\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
	"\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}";

/* Sets the member at a dotted path ("spec.containers[0].securityContext.privileged"); "-" deletes it. */
static void set_path(json_t *root, const char *path, const char *value)
{
	char buf[256], *save = NULL, *tok, *next;
	json_t *cur = root;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = next) {
		char *br = strchr(tok, '[');
		long idx = -1;
		next = strtok_r(NULL, ".", &save);
		if (br) {
			*br = 0;
			idx = strtol(br + 1, NULL, 10);
		}
		if (!next && idx < 0) {
			if (!strcmp(value, "-"))
				json_object_del(cur, tok);
			else
				json_object_set_new(cur, tok, json_loads(value, JSON_DECODE_ANY, NULL));
			return;
		}
		if (!json_object_get(cur, tok))
			json_object_set_new(cur, tok, idx >= 0 ? json_array() : json_object());
		cur = json_object_get(cur, tok);
		if (idx >= 0) {
			while ((long)json_array_size(cur) <= idx)
				json_array_append_new(cur, json_object());
			if (!next) {
				json_array_set_new(cur, (size_t)idx, json_loads(value, JSON_DECODE_ANY, NULL));
				return;
			}
			cur = json_array_get(cur, (size_t)idx);
		}
	}
}

/* Checks the base pod with mods applied (NULL-terminated pairs); findings in out. */
/* Drops the hardening findings beyond the PSS (BH-K8S-018..021): the PSS cases judge the PSS alone. */
static void pss_only(bh_checks *out)
{
	size_t i;
	for (i = out->n; i-- > 0;)
		if (strncmp(out->items[i].rule, "BH-K8S-", 7) == 0 && strcmp(out->items[i].rule, "BH-K8S-018") >= 0 &&
		    strcmp(out->items[i].rule, "BH-K8S-021") <= 0)
			bh_checks_remove(out, i);
}

/* The base pod with mods applied, checked by the PSS of policy v1.v; every finding kept. */
static int run_mods_v(const char *const *mods, int v, bh_checks *out)
{
	json_t *pod = json_loads(base_pod, 0, NULL);
	char *text;
	bh_error err;
	int rc;
	assert_non_null(pod);
	for (; mods && mods[0]; mods += 2)
		set_path(pod, mods[0], mods[1]);
	text = json_dumps(pod, 0);
	rc = v == BH_K8S_PSS_LATEST ? bh_k8s_check("pod.json", text, strlen(text), out, &err)
				    : bh_k8s_check_pss("pod.json", text, strlen(text), v, out, &err);
	if (rc)
		print_message("error: %s\n", err.msg);
	free(text);
	json_decref(pod);
	return rc;
}

static int run_mods_all(const char *const *mods, bh_checks *out)
{
	return run_mods_v(mods, BH_K8S_PSS_LATEST, out);
}

/* The same, PSS findings only. */
static int run_mods(const char *const *mods, bh_checks *out)
{
	int rc = run_mods_all(mods, out);
	pss_only(out);
	return rc;
}

static void dump(const bh_checks *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		print_message("  %s line %lu: %s\n", l->items[i].rule, l->items[i].line, l->items[i].detail);
}

struct ccase {
	const char *name;
	const char *mods[9];
	const char *rule;    /* the rule that must fire (once per count), NULL = no finding at all */
	size_t count;
	const char *detail;  /* substring of the first such finding's detail */
};

/* Each control: one case that fires, one near miss that must stay quiet. */
static const struct ccase cases[] = {
	{ "base pod is restricted", { NULL }, NULL, 0, NULL },
	/* baseline */
	{ "hostProcess pod", { "spec.securityContext.windowsOptions", "{\"hostProcess\":true}", NULL }, "BH-K8S-001", 1,
	  "Pod/ns/p: spec.securityContext.windowsOptions.hostProcess=true" },
	{ "hostProcess container", { "spec.containers[0].securityContext.windowsOptions", "{\"hostProcess\":true}", NULL },
	  "BH-K8S-001", 1, "container \"app\": spec.containers[0].securityContext.windowsOptions.hostProcess=true" },
	{ "hostProcess false", { "spec.securityContext.windowsOptions", "{\"hostProcess\":false}", NULL }, NULL, 0, NULL },
	{ "hostNetwork", { "spec.hostNetwork", "true", NULL }, "BH-K8S-002", 1, "spec.hostNetwork=true" },
	{ "hostPID+hostIPC", { "spec.hostPID", "true", "spec.hostIPC", "\"yes\"", NULL }, "BH-K8S-002", 2, "spec.hostPID=true" },
	{ "host namespaces false", { "spec.hostNetwork", "false", "spec.hostPID", "\"no\"", "spec.hostIPC", "\"false\"", NULL },
	  NULL, 0, NULL },
	{ "privileged", { "spec.containers[0].securityContext.privileged", "true", NULL }, "BH-K8S-003", 1,
	  "Pod/ns/p container \"app\": spec.containers[0].securityContext.privileged=true" },
	{ "privileged YAML 1.1 on", { "spec.containers[0].securityContext.privileged", "\"On\"", NULL }, "BH-K8S-003", 1, "=On" },
	{ "privileged false", { "spec.containers[0].securityContext.privileged", "false", NULL }, NULL, 0, NULL },
	{ "capability SYS_ADMIN", { "spec.containers[0].securityContext.capabilities.add", "[\"SYS_ADMIN\",\"NET_RAW\"]", NULL },
	  "BH-K8S-004", 2, "capabilities.add[0]=SYS_ADMIN" },
	{ "capability NET_BIND_SERVICE", { "spec.containers[0].securityContext.capabilities.add", "[\"NET_BIND_SERVICE\"]", NULL },
	  NULL, 0, NULL },
	{ "hostPath", { "spec.volumes", "[{\"name\":\"h\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}}]", NULL }, "BH-K8S-005", 1,
	  "spec.volumes[0].hostPath=/var/run/docker.sock" },
	{ "hostPath null", { "spec.volumes", "[{\"name\":\"h\",\"hostPath\":null}]", NULL }, NULL, 0, NULL },
	{ "hostPort", { "spec.containers[0].ports", "[{\"containerPort\":80,\"hostPort\":80}]", NULL }, "BH-K8S-006", 1,
	  "spec.containers[0].ports[0].hostPort=80" },
	{ "hostPort 0", { "spec.containers[0].ports", "[{\"containerPort\":80,\"hostPort\":\"0x0\"}]", NULL }, NULL, 0, NULL },
	{ "AppArmor Unconfined", { "spec.containers[0].securityContext.appArmorProfile", "{\"type\":\"Unconfined\"}", NULL },
	  "BH-K8S-007", 1, "appArmorProfile.type=Unconfined" },
	{ "AppArmor annotation", { "metadata.annotations", "{\"container.apparmor.security.beta.kubernetes.io/app\":\"unconfined\"}", NULL },
	  "BH-K8S-007", 1, "container \"app\": metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]=unconfined" },
	{ "AppArmor allowed", { "spec.securityContext.appArmorProfile", "{\"type\":\"Localhost\",\"localhostProfile\":\"k8s-x\"}",
				"metadata.annotations", "{\"container.apparmor.security.beta.kubernetes.io/app\":\"localhost/k8s-x\"}", NULL },
	  NULL, 0, NULL },
	{ "SELinux type+user+role", { "spec.securityContext.seLinuxOptions", "{\"type\":\"spc_t\",\"user\":\"system_u\",\"role\":\"system_r\"}", NULL },
	  "BH-K8S-008", 3, "spec.securityContext.seLinuxOptions.type=spc_t" },
	{ "SELinux allowed", { "spec.containers[0].securityContext.seLinuxOptions", "{\"type\":\"container_init_t\",\"level\":\"s0:c1,c2\"}", NULL },
	  NULL, 0, NULL },
	{ "procMount Unmasked", { "spec.containers[0].securityContext.procMount", "\"Unmasked\"", NULL }, "BH-K8S-009", 1,
	  "procMount=Unmasked" },
	{ "procMount Default", { "spec.containers[0].securityContext.procMount", "\"Default\"", NULL }, NULL, 0, NULL },
	{ "seccomp Unconfined container", { "spec.containers[0].securityContext.seccompProfile", "{\"type\":\"Unconfined\"}", NULL },
	  "BH-K8S-010", 1, "spec.containers[0].securityContext.seccompProfile.type=Unconfined" },
	{ "seccomp Localhost container", { "spec.containers[0].securityContext.seccompProfile", "{\"type\":\"Localhost\",\"localhostProfile\":\"a.json\"}", NULL },
	  NULL, 0, NULL },
	/* the policy compares names exactly: the kubelet's "net/ipv4/..." spelling is not on its list */
	{ "sysctl unsafe", { "spec.securityContext.sysctls", "[{\"name\":\"kernel.msgmax\",\"value\":\"1\"},{\"name\":\"net/ipv4/tcp_syncookies\",\"value\":\"1\"}]", NULL },
	  "BH-K8S-011", 2, "spec.securityContext.sysctls[0].name=kernel.msgmax" },
	{ "sysctl safe", { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.ip_local_port_range\",\"value\":\"1024 65535\"},{\"name\":\"net.ipv4.tcp_keepalive_time\",\"value\":\"60\"}]", NULL },
	  NULL, 0, NULL },
	/* restricted */
	{ "volume nfs", { "spec.volumes", "[{\"name\":\"n\",\"nfs\":{\"server\":\"x\",\"path\":\"/\"}},{\"name\":\"g\",\"gitRepo\":{\"repository\":\"r\"}}]", NULL },
	  "BH-K8S-012", 2, "spec.volumes[0].nfs={...}" },
	{ "volume core types", { "spec.volumes", "[{\"name\":\"a\",\"emptyDir\":{}},{\"name\":\"b\",\"csi\":{\"driver\":\"d\"}},{\"name\":\"c\",\"ephemeral\":{}},{\"name\":\"d\",\"downwardAPI\":{}},{\"name\":\"e\",\"secret\":{\"secretName\":\"s\"}},{\"name\":\"f\",\"image\":{\"reference\":\"r\"}},{\"name\":\"g\"}]", NULL },
	  NULL, 0, NULL },
	{ "allowPrivilegeEscalation unset", { "spec.containers[0].securityContext.allowPrivilegeEscalation", "-", NULL }, "BH-K8S-013", 1,
	  "allowPrivilegeEscalation is not set (must be false)" },
	{ "allowPrivilegeEscalation true", { "spec.containers[0].securityContext.allowPrivilegeEscalation", "true", NULL }, "BH-K8S-013", 1,
	  "allowPrivilegeEscalation=true" },
	{ "allowPrivilegeEscalation YAML 1.1 off", { "spec.containers[0].securityContext.allowPrivilegeEscalation", "\"off\"", NULL }, NULL, 0, NULL },
	{ "runAsNonRoot unset", { "spec.securityContext.runAsNonRoot", "-", NULL }, "BH-K8S-014", 1,
	  "runAsNonRoot is not set (nor at pod level)" },
	{ "runAsNonRoot container false overrides pod", { "spec.containers[0].securityContext.runAsNonRoot", "false", NULL }, "BH-K8S-014", 1,
	  "spec.containers[0].securityContext.runAsNonRoot=false" },
	{ "runAsNonRoot pod false", { "spec.securityContext.runAsNonRoot", "false", NULL }, "BH-K8S-014", 1,
	  "Pod/ns/p: spec.securityContext.runAsNonRoot=false" },
	{ "runAsNonRoot on container only", { "spec.securityContext.runAsNonRoot", "-", "spec.containers[0].securityContext.runAsNonRoot", "true", NULL },
	  NULL, 0, NULL },
	{ "runAsUser 0", { "spec.securityContext.runAsUser", "0", "spec.containers[0].securityContext.runAsUser", "\"0o0\"", NULL }, "BH-K8S-015", 2,
	  "spec.securityContext.runAsUser=0" },
	{ "runAsUser 1000", { "spec.securityContext.runAsUser", "1000", "spec.containers[0].securityContext.runAsUser", "\"00\"", NULL }, "BH-K8S-015", 1,
	  "runAsUser=00" },
	{ "runAsUser non-zero", { "spec.securityContext.runAsUser", "1000", NULL }, NULL, 0, NULL },
	{ "seccomp unset", { "spec.securityContext.seccompProfile", "-", NULL }, "BH-K8S-016", 1,
	  "seccompProfile.type is not set (nor at pod level)" },
	/* any type but RuntimeDefault or Localhost fails the baseline (policy/check_seccompProfile_baseline.go) */
	{ "seccomp bogus pod type", { "spec.securityContext.seccompProfile", "{\"type\":\"Whatever\"}", NULL }, "BH-K8S-010", 1,
	  "spec.securityContext.seccompProfile.type=Whatever" },
	{ "seccomp profile without type", { "spec.containers[0].securityContext.seccompProfile", "{}", NULL }, "BH-K8S-010", 1,
	  "spec.containers[0].securityContext.seccompProfile.type is not set (must be RuntimeDefault or Localhost)" },
	{ "seccomp on container only", { "spec.securityContext.seccompProfile", "-", "spec.containers[0].securityContext.seccompProfile", "{\"type\":\"RuntimeDefault\"}", NULL },
	  NULL, 0, NULL },
	{ "capabilities not dropped", { "spec.containers[0].securityContext.capabilities.drop", "[\"NET_RAW\"]", NULL }, "BH-K8S-017", 1,
	  "capabilities.drop=[NET_RAW] (must include ALL)" },
	{ "capabilities default add", { "spec.containers[0].securityContext.capabilities.add", "[\"CHOWN\"]", NULL }, "BH-K8S-017", 1,
	  "capabilities.add[0]=CHOWN (restricted allows adding only NET_BIND_SERVICE)" },
	{ "capabilities drop ALL add NET_BIND_SERVICE", { "spec.containers[0].securityContext.capabilities", "{\"drop\":[\"ALL\"],\"add\":[\"NET_BIND_SERVICE\"]}", NULL },
	  NULL, 0, NULL },
	/* init and ephemeral containers count; pod-level settings cover them */
	{ "init container privileged", { "spec.initContainers", "[{\"name\":\"init\",\"securityContext\":{\"privileged\":true,\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}}]", NULL },
	  "BH-K8S-003", 1, "container \"init\": spec.initContainers[0].securityContext.privileged=true" },
	{ "ephemeral container unhardened", { "spec.ephemeralContainers", "[{\"name\":\"dbg\",\"image\":\"busybox\"}]", NULL },
	  "BH-K8S-013", 1, "container \"dbg\": spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation is not set" },
	/* Windows pods are exempt from the Linux-only restricted controls, not from the rest */
	{ "windows exemptions", { "spec.os", "{\"name\":\"windows\"}", "spec.securityContext.seccompProfile", "-",
				  "spec.containers[0].securityContext", "{}", NULL }, NULL, 0, NULL },
	{ "probe host", { "spec.containers[0].livenessProbe", "{\"httpGet\":{\"host\":\"bad.host\",\"port\":8080}}", NULL },
	  "BH-K8S-022", 1, "container \"app\": spec.containers[0].livenessProbe.httpGet.host=bad.host" },
	{ "lifecycle hook host", { "spec.containers[0].lifecycle", "{\"preStop\":{\"tcpSocket\":{\"host\":\"::1\",\"port\":1}}}", NULL },
	  "BH-K8S-022", 1, "spec.containers[0].lifecycle.preStop.tcpSocket.host=::1" },
	{ "probe empty host", { "spec.containers[0].readinessProbe", "{\"httpGet\":{\"host\":\"\",\"port\":8080}}", NULL }, NULL, 0, NULL },
	{ "Unmasked /proc in a user namespace: restricted only", { "spec.hostUsers", "false", "spec.containers[0].securityContext.procMount", "\"Unmasked\"", NULL },
	  "BH-K8S-023", 1, "procMount=Unmasked (with hostUsers: false)" },
	{ "Unmasked /proc, host users", { "spec.hostUsers", "true", "spec.containers[0].securityContext.procMount", "\"Unmasked\"", NULL },
	  "BH-K8S-009", 1, "procMount=Unmasked" },
	{ "v1.37 sysctls", { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.tcp_slow_start_after_idle\",\"value\":\"0\"},"
			     "{\"name\":\"net.ipv4.tcp_notsent_lowat\",\"value\":\"16384\"}]", NULL }, NULL, 0, NULL },
	{ "windows hostProcess", { "spec.os", "{\"name\":\"windows\"}", "spec.containers[0].securityContext", "{\"windowsOptions\":{\"hostProcess\":true}}", NULL },
	  "BH-K8S-001", 1, "hostProcess=true" },
};

static void test_controls(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];
		bh_checks out = { 0 };
		assert_int_equal(run_mods(c->mods, &out), 0);
		if (!c->rule) {
			if (out.n) {
				print_message("case '%s': expected no finding\n", c->name);
				dump(&out);
			}
			assert_int_equal(out.n, 0);
		} else {
			const bh_check_finding *f = bh_test_find(&out, c->rule, 0);
			if (bh_test_count(&out, c->rule) != c->count || !f || !strstr(f->detail, c->detail)) {
				print_message("case '%s': want %zu x %s with '%s'\n", c->name, c->count, c->rule, c->detail);
				dump(&out);
			}
			assert_int_equal(bh_test_count(&out, c->rule), c->count);
			assert_non_null(f);
			assert_non_null(strstr(f->detail, c->detail));
			assert_string_equal(f->category, "kubernetes");
			assert_string_equal(f->target, "pod.json");
			assert_null(f->status);
			{
				/* 022 (Host Probes / Lifecycle Hooks) came to the baseline later */
				bool base = strcmp(c->rule, "BH-K8S-012") < 0 || !strcmp(c->rule, "BH-K8S-022");
				if (!strcmp(c->rule, "BH-K8S-023"))
					assert_int_equal(bh_test_count(&out, "BH-K8S-009"), 0); /* not baseline */
				assert_int_equal(f->severity, base ? BH_SEV_HIGH : BH_SEV_MEDIUM);
				/* the rule's title with the policy version judged */
				assert_non_null(strstr(f->title, base ? "(Pod Security Standards baseline, policy v1.37)"
								  : "(Pod Security Standards restricted, policy v1.37)"));
			}
			assert_non_null(f->why);
			assert_non_null(f->fix);
		}
		bh_checks_free(&out);
	}
}

static char *slurp_check(const char *file, bh_checks *out)
{
	size_t n;
	char *t = bh_test_slurp(file, &n);
	bh_error err;
	int rc = bh_k8s_check(file, t, n, out, &err);
	if (rc)
		print_message("%s: %s\n", file, err.msg);
	assert_int_equal(rc, 0);
	pss_only(out);
	return t;
}

/* A finding with this rule whose detail contains want; its line is returned. */
static unsigned long line_of(const bh_checks *l, const char *rule, const char *want)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].rule, rule) && strstr(l->items[i].detail, want))
			return l->items[i].line;
	print_message("missing %s '%s'\n", rule, want);
	dump(l);
	fail();
	return 0;
}

/* Policy versions: each control from the version that added it, with the values each version allows
 * (pod-security-admission policy/check_*.go). count 0: no PSS finding at all. */
struct vcase {
	const char *name;
	int v;
	const char *mods[7];
	const char *rule;
	size_t count;
	const char *detail;
};

#define HOSTUSERS_FALSE "spec.hostUsers", "false"
#define WINDOWS "spec.os", "{\"name\":\"windows\"}"
static const struct vcase vcases[] = {
	/* restricted controls that came later */
	{ "privesc before v1.8", 7, { "spec.containers[0].securityContext.allowPrivilegeEscalation", "-", NULL }, NULL, 0, NULL },
	{ "privesc v1.8", 8, { "spec.containers[0].securityContext.allowPrivilegeEscalation", "-", NULL }, "BH-K8S-013", 1,
	  "allowPrivilegeEscalation is not set" },
	{ "seccomp restricted before v1.19", 18, { "spec.securityContext.seccompProfile", "-", NULL }, NULL, 0, NULL },
	{ "seccomp restricted v1.19", 19, { "spec.securityContext.seccompProfile", "-", NULL }, "BH-K8S-016", 1, "nor at pod level" },
	{ "drop ALL before v1.22", 21, { "spec.containers[0].securityContext.capabilities", "{\"add\":[\"CHOWN\"]}", NULL }, NULL, 0, NULL },
	{ "drop ALL v1.22", 22, { "spec.containers[0].securityContext.capabilities", "{\"add\":[\"CHOWN\"]}", NULL }, "BH-K8S-017", 2,
	  "capabilities.add[0]=CHOWN" },
	{ "runAsUser 0 before v1.23", 22, { "spec.securityContext.runAsUser", "0", NULL }, NULL, 0, NULL },
	{ "runAsUser 0 v1.23", 23, { "spec.securityContext.runAsUser", "0", NULL }, "BH-K8S-015", 1, "spec.securityContext.runAsUser=0" },
	/* the seccomp annotations decide before v1.19, the fields from then on */
	{ "seccomp field before v1.19", 18, { "spec.securityContext.seccompProfile", "{\"type\":\"Unconfined\"}", NULL }, NULL, 0, NULL },
	{ "seccomp pod annotation before v1.19", 18,
	  { "metadata.annotations", "{\"seccomp.security.alpha.kubernetes.io/pod\":\"unconfined\"}", NULL }, "BH-K8S-010", 1,
	  "Pod/ns/p: metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]=unconfined (before policy v1.19 the annotations decide)" },
	{ "seccomp container annotation empty before v1.19", 0,
	  { "metadata.annotations", "{\"container.seccomp.security.alpha.kubernetes.io/app\":\"\",\"container.seccomp.security.alpha.kubernetes.io/other\":\"unconfined\"}", NULL },
	  "BH-K8S-010", 1, "container \"app\": metadata.annotations[\"container.seccomp.security.alpha.kubernetes.io/app\"]=" },
	{ "seccomp annotations allowed before v1.19", 18,
	  { "metadata.annotations", "{\"seccomp.security.alpha.kubernetes.io/pod\":\"docker/default\",\"container.seccomp.security.alpha.kubernetes.io/app\":\"localhost/p.json\"}", NULL },
	  NULL, 0, NULL },
	{ "seccomp annotation ignored from v1.19", 19,
	  { "metadata.annotations", "{\"seccomp.security.alpha.kubernetes.io/pod\":\"unconfined\"}", NULL }, NULL, 0, NULL },
	/* Windows pods are exempt from the Linux-only restricted controls from v1.25 */
	{ "windows before v1.25", 24, { WINDOWS, "spec.containers[0].securityContext", "{}", NULL }, "BH-K8S-013", 1, "allowPrivilegeEscalation" },
	{ "windows v1.25", 25, { WINDOWS, "spec.containers[0].securityContext", "{}", NULL }, NULL, 0, NULL },
	/* allowed values that came later */
	{ "sysctl ip_local_reserved_ports before v1.27", 26,
	  { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.ip_local_reserved_ports\",\"value\":\"80\"}]", NULL }, "BH-K8S-011", 1,
	  "sysctls[0].name=net.ipv4.ip_local_reserved_ports" },
	{ "sysctl ip_local_reserved_ports v1.27", 27,
	  { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.ip_local_reserved_ports\",\"value\":\"80\"}]", NULL }, NULL, 0, NULL },
	{ "sysctl tcp_keepalive_time before v1.29", 28,
	  { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.tcp_keepalive_time\",\"value\":\"60\"}]", NULL }, "BH-K8S-011", 1, "tcp_keepalive_time" },
	{ "sysctl tcp_rmem before v1.32", 31,
	  { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.tcp_rmem\",\"value\":\"4096 87380 6291456\"}]", NULL }, "BH-K8S-011", 1, "tcp_rmem" },
	{ "sysctl tcp_rmem v1.32", 32,
	  { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.tcp_rmem\",\"value\":\"4096 87380 6291456\"}]", NULL }, NULL, 0, NULL },
	{ "sysctl tcp_notsent_lowat before v1.37", 36,
	  { "spec.securityContext.sysctls", "[{\"name\":\"net.ipv4.tcp_notsent_lowat\",\"value\":\"16384\"},{\"name\":\"net.ipv4.tcp_slow_start_after_idle\",\"value\":\"0\"}]", NULL },
	  "BH-K8S-011", 2, "tcp_notsent_lowat" },
	{ "SELinux container_engine_t before v1.31", 30,
	  { "spec.securityContext.seLinuxOptions", "{\"type\":\"container_engine_t\"}", NULL }, "BH-K8S-008", 1, "container_engine_t" },
	{ "SELinux container_engine_t v1.31", 31, { "spec.securityContext.seLinuxOptions", "{\"type\":\"container_engine_t\"}", NULL }, NULL, 0, NULL },
	/* Host Probes / Lifecycle Hooks from v1.34 */
	{ "probe host before v1.34", 33, { "spec.containers[0].startupProbe", "{\"tcpSocket\":{\"host\":\"10.0.0.1\",\"port\":1}}", NULL }, NULL, 0, NULL },
	{ "probe host v1.34", 34, { "spec.containers[0].startupProbe", "{\"tcpSocket\":{\"host\":\"10.0.0.1\",\"port\":1}}", NULL }, "BH-K8S-022", 1,
	  "startupProbe.tcpSocket.host=10.0.0.1" },
	{ "postStart host v1.34", 34, { "spec.containers[0].lifecycle", "{\"postStart\":{\"httpGet\":{\"host\":\"169.254.169.254\",\"port\":80}}}", NULL },
	  "BH-K8S-022", 1, "lifecycle.postStart.httpGet.host=169.254.169.254" },
	/* user namespaces (hostUsers: false) relax procMount (baseline), runAsNonRoot and runAsUser from v1.35 */
	{ "Unmasked in userns before v1.35", 34, { HOSTUSERS_FALSE, "spec.containers[0].securityContext.procMount", "\"Unmasked\"", NULL },
	  "BH-K8S-009", 1, "procMount=Unmasked" },
	{ "runAsUser 0 in userns before v1.35", 34, { HOSTUSERS_FALSE, "spec.containers[0].securityContext.runAsUser", "0", NULL },
	  "BH-K8S-015", 1, "runAsUser=0" },
	{ "runAsUser 0 in userns v1.35", 35, { HOSTUSERS_FALSE, "spec.containers[0].securityContext.runAsUser", "0", NULL }, NULL, 0, NULL },
	{ "runAsNonRoot false in userns v1.35", 35,
	  { HOSTUSERS_FALSE, "spec.securityContext.runAsNonRoot", "false", "spec.containers[0].securityContext.runAsNonRoot", "false", NULL },
	  NULL, 0, NULL },
	{ "runAsNonRoot false, host users v1.35", 35, { "spec.hostUsers", "true", "spec.securityContext.runAsNonRoot", "false", NULL },
	  "BH-K8S-014", 1, "spec.securityContext.runAsNonRoot=false" },
	/* every version: an empty AppArmor annotation is allowed */
	{ "AppArmor annotation empty", 0, { "metadata.annotations", "{\"container.apparmor.security.beta.kubernetes.io/app\":\"\"}", NULL }, NULL, 0, NULL },
};

static void test_versions(void **state)
{
	char want[64];
	bh_checks out = { 0 };
	bh_error err;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		const bh_check_finding *f;
		assert_int_equal(run_mods_v(c->mods, c->v, &out), 0);
		pss_only(&out);
		f = c->rule ? bh_test_find(&out, c->rule, 0) : NULL;
		if (c->rule ? (bh_test_count(&out, c->rule) != c->count || !f || !strstr(f->detail, c->detail)) : out.n != 0) {
			print_message("case '%s' (v1.%d): want %zu x %s with '%s'\n", c->name, c->v, c->count, c->rule ? c->rule : "-",
				      c->detail ? c->detail : "");
			dump(&out);
			fail();
		}
		if (f) {
			snprintf(want, sizeof(want), ", policy v1.%d)", c->v);
			assert_non_null(strstr(f->title, want));
		}
		bh_checks_free(&out);
	}
	/* the version names Kubernetes uses */
	assert_int_equal(bh_k8s_pss_minor(NULL), BH_K8S_PSS_LATEST);
	assert_int_equal(bh_k8s_pss_minor("latest"), BH_K8S_PSS_LATEST);
	assert_int_equal(bh_k8s_pss_minor("v1.0"), 0);
	assert_int_equal(bh_k8s_pss_minor("v1.25"), 25);
	assert_int_equal(bh_k8s_pss_minor("1.37"), 37);
	assert_int_equal(bh_k8s_pss_minor("v1.38"), -1);
	assert_int_equal(bh_k8s_pss_minor("v1.025"), -1);
	assert_int_equal(bh_k8s_pss_minor("v1."), -1);
	assert_int_equal(bh_k8s_pss_minor("v2.0"), -1);
	assert_int_equal(bh_k8s_pss_minor("v1.2x"), -1);
	assert_int_equal(bh_k8s_pss_minor("Latest"), -1);
	assert_int_equal(bh_k8s_check_pss("x", "", 0, BH_K8S_PSS_LATEST + 1, &out, &err), BH_EUSAGE);
	assert_int_equal(bh_k8s_check_pss("x", "", 0, -1, &out, &err), BH_EUSAGE);
	assert_int_equal(out.n, 0);
}

static void test_bad_fixture(void **state)
{
	bh_checks out = { 0 };
	char *t;
	(void)state;
	t = slurp_check(FX "bad.yaml", &out);
	/* Deployment: lines are those of the offending fields */
	assert_int_equal(line_of(&out, "BH-K8S-002", "Deployment/prod/web: spec.template.spec.hostNetwork=true"), 22);
	assert_int_equal(line_of(&out, "BH-K8S-003", "Deployment/prod/web container \"app\": spec.template.spec.containers[0].securityContext.privileged=true"), 27);
	assert_int_equal(line_of(&out, "BH-K8S-006", "spec.template.spec.containers[0].ports[0].hostPort=8080"), 30);
	assert_int_equal(line_of(&out, "BH-K8S-013", "Deployment/prod/web container \"app\": spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation is not set"), 26);
	assert_int_equal(line_of(&out, "BH-K8S-014", "Deployment/prod/web container \"app\""), 26);
	assert_int_equal(line_of(&out, "BH-K8S-017", "Deployment/prod/web container \"app\""), 26);
	/* DaemonSet */
	assert_int_equal(line_of(&out, "BH-K8S-002", "DaemonSet/kube-system/agent: spec.template.spec.hostPID=true"), 43);
	assert_int_equal(line_of(&out, "BH-K8S-010", "DaemonSet/kube-system/agent: spec.template.spec.securityContext.seccompProfile.type=Unconfined"), 46);
	assert_int_equal(line_of(&out, "BH-K8S-011", "spec.template.spec.securityContext.sysctls[0].name=kernel.msgmax"), 48);
	assert_int_equal(line_of(&out, "BH-K8S-004", "container \"setup\": spec.template.spec.initContainers[0].securityContext.capabilities.add[0]=SYS_ADMIN"), 55);
	assert_int_equal(line_of(&out, "BH-K8S-004", "capabilities.add[1]=NET_RAW"), 55);
	assert_int_equal(line_of(&out, "BH-K8S-009", "container \"agent\": spec.template.spec.containers[0].securityContext.procMount=Unmasked"), 60);
	assert_int_equal(line_of(&out, "BH-K8S-008", "seLinuxOptions.type=spc_t"), 62);
	assert_int_equal(line_of(&out, "BH-K8S-005", "spec.template.spec.volumes[0].hostPath=/"), 68);
	assert_int_equal(line_of(&out, "BH-K8S-007",
				 "DaemonSet/kube-system/agent container \"agent\": spec.template.metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/agent\"]=unconfined"), 41);
	/* pod-level Unconfined is reported once (baseline), not again per container */
	assert_int_equal(bh_test_count(&out, "BH-K8S-016"), 4);
	/* CronJob: no namespace */
	assert_int_equal(line_of(&out, "BH-K8S-002", "CronJob/backup: spec.jobTemplate.spec.template.spec.hostIPC=yes"), 82);
	assert_int_equal(line_of(&out, "BH-K8S-015", "CronJob/backup container \"backup\": spec.jobTemplate.spec.template.spec.containers[0].securityContext.runAsUser=0"), 87);
	assert_int_equal(line_of(&out, "BH-K8S-013", "allowPrivilegeEscalation=true"), 88);
	assert_int_equal(line_of(&out, "BH-K8S-012", "CronJob/backup: spec.jobTemplate.spec.template.spec.volumes[0].nfs={...}"), 91);
	/* List item, ephemeral container */
	assert_int_equal(line_of(&out, "BH-K8S-001", "Pod/dev/debug: items[0].spec.securityContext.windowsOptions.hostProcess=true"), 106);
	assert_int_equal(line_of(&out, "BH-K8S-003", "Pod/dev/debug container \"dbg\": items[0].spec.ephemeralContainers[0].securityContext.privileged=true"), 114);
	/* totals: 15 baseline (HIGH), the rest restricted (MEDIUM); nothing from the Service */
	{
		size_t i, high = 0;
		for (i = 0; i < out.n; i++)
			high += out.items[i].severity == BH_SEV_HIGH;
		assert_int_equal(high, 15);
	}
	assert_int_equal(out.n, 15 + 24);
	bh_checks_free(&out);
	free(t);
}

static void test_restricted_fixture(void **state)
{
	bh_checks out = { 0 };
	char *t;
	(void)state;
	t = slurp_check(FX "restricted.yaml", &out);
	if (out.n)
		dump(&out);
	assert_int_equal(out.n, 0);
	bh_checks_free(&out);
	free(t);
}

static void test_baseline_fixture(void **state)
{
	bh_checks out = { 0 };
	size_t i;
	char *t;
	(void)state;
	t = slurp_check(FX "baseline.yaml", &out);
	assert_true(out.n > 0);
	for (i = 0; i < out.n; i++) {
		assert_int_equal(out.items[i].severity, BH_SEV_MEDIUM);
		assert_true(strcmp(out.items[i].rule, "BH-K8S-012") >= 0);
	}
	assert_int_equal(bh_test_count(&out, "BH-K8S-012"), 1);
	assert_int_equal(bh_test_count(&out, "BH-K8S-015"), 1);
	assert_int_equal(bh_test_count(&out, "BH-K8S-017"), 4); /* CHOWN, SETUID added; two containers without drop ALL */
	assert_int_equal(line_of(&out, "BH-K8S-015", "Job/once container \"once\": spec.template.spec.containers[0].securityContext.runAsUser=0"), 42);
	bh_checks_free(&out);
	free(t);
}

/* Hardening beyond the PSS: unpinned image, no limits, writable root, automounted token (hostPath is BH-K8S-005). */
static const struct ccase hardening[] = {
	{ "image without tag", { NULL }, "BH-K8S-018", 1, "Pod/ns/p container \"app\": spec.containers[0].image=nginx" },
	{ "image latest", { "spec.containers[0].image", "\"nginx:latest\"", NULL }, "BH-K8S-018", 1, "image=nginx:latest" },
	{ "registry port, no tag", { "spec.containers[0].image", "\"registry.local:5000/team/app\"", NULL }, "BH-K8S-018", 1,
	  "image=registry.local:5000/team/app" },
	{ "no limits", { NULL }, "BH-K8S-019", 1, "spec.containers[0].resources.limits.{cpu,memory} is not set" },
	{ "cpu limit only", { "spec.containers[0].resources", "{\"limits\":{\"cpu\":\"500m\"}}", NULL }, "BH-K8S-019", 1,
	  "spec.containers[0].resources.limits.memory is not set" },
	{ "root filesystem unset", { NULL }, "BH-K8S-020", 1, "securityContext.readOnlyRootFilesystem is not set (must be true)" },
	{ "root filesystem false", { "spec.containers[0].securityContext.readOnlyRootFilesystem", "false", NULL }, "BH-K8S-020", 1,
	  "readOnlyRootFilesystem=false" },
	{ "token unset", { NULL }, "BH-K8S-021", 1, "Pod/ns/p: spec.automountServiceAccountToken is not set (must be false)" },
	{ "token true", { "spec.automountServiceAccountToken", "true", NULL }, "BH-K8S-021", 1, "automountServiceAccountToken=true" },
	{ "init container too", { "spec.initContainers", "[{\"name\":\"init\",\"image\":\"busybox:latest\"}]", NULL }, "BH-K8S-018", 2,
	  "image=nginx" },
	{ "hostPath volume", { "spec.volumes", "[{\"name\":\"h\",\"hostPath\":{\"path\":\"/var/run\"}}]", NULL }, "BH-K8S-005", 1,
	  "spec.volumes[0].hostPath=/var/run" },
};

static const char *const hardened[] = {
	"spec.containers[0].image", "\"registry.local:5000/team/app:1.4.2\"",
	"spec.containers[0].resources", "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}}",
	"spec.containers[0].securityContext.readOnlyRootFilesystem", "true",
	"spec.automountServiceAccountToken", "false",
	NULL
};

static void test_hardening(void **state)
{
	static const struct {
		const char *image;
		bool flagged;
	} images[] = {
		{ "nginx:1.25", false }, { "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false },
		{ "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false },
		{ "localhost:5000/app", true }, { "docker.io/library/nginx:latest", true }, { "app:2", false },
	};
	const char *mods[9];
	bh_checks out = { 0 };
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(hardening) / sizeof(hardening[0]); i++) {
		const struct ccase *c = &hardening[i];
		const bh_check_finding *f;
		assert_int_equal(run_mods_all(c->mods, &out), 0);
		f = bh_test_find(&out, c->rule, 0);
		if (bh_test_count(&out, c->rule) != c->count || !f || !strstr(f->detail, c->detail)) {
			print_message("case '%s': want %zu x %s with '%s'\n", c->name, c->count, c->rule, c->detail);
			dump(&out);
		}
		assert_int_equal(bh_test_count(&out, c->rule), c->count);
		assert_non_null(strstr(f->detail, c->detail));
		assert_string_equal(f->category, "kubernetes");
		assert_null(f->status);
		if (strcmp(c->rule, "BH-K8S-018") >= 0)
			assert_int_equal(f->severity, strcmp(c->rule, "BH-K8S-018") ? BH_SEV_LOW : BH_SEV_MEDIUM);
		bh_checks_free(&out);
	}
	/* the base pod (restricted) with every hardening setting: nothing at all */
	assert_int_equal(run_mods_all(hardened, &out), 0);
	if (out.n)
		dump(&out);
	assert_int_equal(out.n, 0);
	bh_checks_free(&out);
	/* digests pin whatever the tag says; a registry port is not a tag */
	for (i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		char v[200];
		memcpy(mods, hardened, sizeof(hardened));
		snprintf(v, sizeof(v), "\"%s\"", images[i].image);
		mods[1] = v;
		assert_int_equal(run_mods_all(mods, &out), 0);
		if (bh_test_count(&out, "BH-K8S-018") != (images[i].flagged ? 1u : 0u))
			fail_msg("image %s: want %s", images[i].image, images[i].flagged ? "BH-K8S-018" : "nothing");
		assert_int_equal(out.n, images[i].flagged ? 1 : 0);
		bh_checks_free(&out);
	}
	/* an ephemeral debug container is not held to limits or a read-only root */
	{
		const char *m2[11];
		memcpy(m2, hardened, sizeof(hardened));
		m2[8] = "spec.ephemeralContainers";
		m2[9] = "[{\"name\":\"dbg\",\"image\":\"busybox:1.36\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
			"\"capabilities\":{\"drop\":[\"ALL\"]}}}]";
		m2[10] = NULL;
		assert_int_equal(run_mods_all(m2, &out), 0);
		if (out.n)
			dump(&out);
		assert_int_equal(out.n, 0);
		bh_checks_free(&out);
	}
}

/* Every workload kind is followed to its pod template. */
static void test_kinds(void **state)
{
	static const struct {
		const char *yaml, *want;
	} k[] = {
		{ "kind: Pod\nmetadata: {name: a}\nspec:\n  hostPID: true\n", "Pod/a: spec.hostPID" },
		{ "kind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      hostPID: true\n", "Deployment/a: spec.template.spec.hostPID" },
		{ "kind: StatefulSet\nmetadata: {name: a}\nspec: {template: {spec: {hostPID: true}}}\n", "StatefulSet/a: spec.template.spec.hostPID" },
		{ "kind: DaemonSet\nmetadata: {name: a}\nspec: {template: {spec: {hostPID: true}}}\n", "DaemonSet/a: spec.template.spec.hostPID" },
		{ "kind: ReplicaSet\nmetadata: {name: a}\nspec: {template: {spec: {hostPID: true}}}\n", "ReplicaSet/a: spec.template.spec.hostPID" },
		{ "kind: ReplicationController\nmetadata: {name: a}\nspec: {template: {spec: {hostPID: true}}}\n", "ReplicationController/a: spec.template.spec.hostPID" },
		{ "kind: Job\nmetadata: {name: a}\nspec: {template: {spec: {hostPID: true}}}\n", "Job/a: spec.template.spec.hostPID" },
		{ "kind: CronJob\nmetadata: {name: a}\nspec: {jobTemplate: {spec: {template: {spec: {hostPID: true}}}}}\n", "CronJob/a: spec.jobTemplate.spec.template.spec.hostPID" },
		{ "kind: PodTemplate\nmetadata: {name: a}\ntemplate: {spec: {hostPID: true}}\n", "PodTemplate/a: template.spec.hostPID" },
		{ "kind: DeploymentList\nitems:\n- kind: Deployment\n  metadata: {name: a}\n  spec: {template: {spec: {hostPID: true}}}\n",
		  "Deployment/a: items[0].spec.template.spec.hostPID" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		bh_checks out = { 0 };
		bh_error err;
		assert_int_equal(bh_k8s_check("k.yaml", k[i].yaml, strlen(k[i].yaml), &out, &err), 0);
		assert_int_equal(bh_test_count(&out, "BH-K8S-002"), 1);
		assert_non_null(strstr(bh_test_find(&out, "BH-K8S-002", 0)->detail, k[i].want));
		bh_checks_free(&out);
	}
}

static void test_documents(void **state)
{
	/* markers with comments, "..." ends, directives, empty documents, a bare document after "..." */
	static const char y[] =
		"%YAML 1.1\n"
		"--- # first\n"
		"kind: Pod\n"
		"metadata: {name: a}\n"
		"spec: {hostPID: true}\n"
		"...\n"
		"kind: Pod\n"
		"metadata: {name: b}\n"
		"spec: {hostIPC: true}\n"
		"---\n"
		"---\r\n"
		"# only a comment\n"
		"--- [1, 2]\n"
		"--- plain scalar\n"
		"---\n"
		"kind: Pod\n"
		"metadata: {name: c}\n"
		"spec:\n"
		"  hostNetwork: true\n";
	bh_checks out = { 0 };
	bh_error err;
	(void)state;
	assert_int_equal(bh_k8s_check("d.yaml", y, strlen(y), &out, &err), 0);
	assert_int_equal(bh_test_count(&out, "BH-K8S-002"), 3);
	assert_int_equal(line_of(&out, "BH-K8S-002", "Pod/a: spec.hostPID"), 5);
	assert_int_equal(line_of(&out, "BH-K8S-002", "Pod/b: spec.hostIPC"), 9);
	assert_int_equal(line_of(&out, "BH-K8S-002", "Pod/c: spec.hostNetwork"), 19);
	bh_checks_free(&out);
}

static void test_hostile(void **state)
{
	/* billion laughs: aliases are never expanded; the document is reported as not checked */
	static const char bomb[] =
		"kind: Pod\nmetadata: {name: lol}\n"
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nspec: {containers: *i}\n"
		"---\nkind: Pod\nmetadata: {name: ok}\nspec: {hostPID: true}\n";
	static const char bad_yaml[] = "kind: Pod\n---\nkind: [unclosed\n";
	bh_checks out = { 0 };
	bh_error err;
	clock_t t0 = clock();
	char *big, *deep;
	size_t i, n;
	(void)state;

	assert_int_equal(bh_k8s_check("bomb.yaml", bomb, strlen(bomb), &out, &err), 0);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	assert_int_equal(bh_test_count(&out, "BH-K8S-000"), 1);
	assert_string_equal(bh_test_find(&out, "BH-K8S-000", 0)->status, "manual");
	assert_int_equal(bh_test_find(&out, "BH-K8S-000", 0)->line, 1);
	assert_int_equal(bh_test_count(&out, "BH-K8S-002"), 1);

	/* errors leave the list as it was */
	n = out.n;
	assert_int_equal(bh_k8s_check("bad.yaml", bad_yaml, strlen(bad_yaml), &out, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "bad.yaml:4: YAML error"));
	assert_non_null(strstr(err.msg, "at line 3)"));
	assert_int_equal(out.n, n);

	big = calloc(1, BH_K8S_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, '#', BH_K8S_MAX_BYTES + 1);
	assert_int_equal(bh_k8s_check("big.yaml", big, BH_K8S_MAX_BYTES + 1, &out, &err), BH_ELIMIT);
	free(big);

	deep = malloc(4000);
	assert_non_null(deep);
	for (i = 0; i < 1000; i++)
		deep[i] = '[';
	memcpy(deep + i, "]", 2);
	assert_int_equal(bh_k8s_check("deep.yaml", deep, strlen(deep), &out, &err), BH_ELIMIT);
	free(deep);

	/* a lone CR is a line break to libyaml: two documents the line splitter cannot see are refused */
	assert_int_equal(bh_k8s_check("cr.yaml", "kind: Pod\r---\rkind: Pod\r", 24, &out, &err), BH_EINVAL);
	assert_int_equal(out.n, n);

	/* hostile names are cleaned in the detail */
	{
		static const char y[] = "kind: Pod\nmetadata: {name: \"a\\x1b[31mb\"}\nspec: {hostPID: true}\n";
		bh_checks o2 = { 0 };
		assert_int_equal(bh_k8s_check("n.yaml", y, strlen(y), &o2, &err), 0);
		assert_non_null(strstr(o2.items[0].detail, "Pod/a?[31mb: spec.hostPID=true"));
		bh_checks_free(&o2);
	}
	assert_int_equal(bh_k8s_check("empty.yaml", "", 0, &out, &err), 0);
	assert_int_equal(out.n, n);
	bh_checks_free(&out);
}

/* Past the cap, findings stop and one note says so. */
static void test_cap(void **state)
{
	size_t i, cap = 6000 * 40 + 64;
	char *y = malloc(cap), *p = y;
	bh_checks out = { 0 };
	bh_error err;
	(void)state;
	assert_non_null(y);
	p += sprintf(p, "kind: Pod\nmetadata: {name: many}\nspec:\n  containers:\n");
	for (i = 0; i < 6000; i++)
		p += sprintf(p, "  - {name: c%zu}\n", i);
	assert_int_equal(bh_k8s_check("many.yaml", y, (size_t)(p - y), &out, &err), 0);
	assert_int_equal(out.n, BH_K8S_MAX_FINDINGS + 1);
	assert_int_equal(bh_test_count(&out, "BH-K8S-000"), 1);
	bh_checks_free(&out);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),	  cmocka_unit_test(test_versions),	  cmocka_unit_test(test_bad_fixture), cmocka_unit_test(test_restricted_fixture),
		cmocka_unit_test(test_baseline_fixture), cmocka_unit_test(test_kinds),	  cmocka_unit_test(test_documents),
		cmocka_unit_test(test_hostile),		  cmocka_unit_test(test_cap),	    cmocka_unit_test(test_hardening),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
