/* test_rules.c - runtime rule files (src/runtime/rules.c): items, overrides, exceptions, outputs, positions of errors, the default set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rules.h"

static bh_rt_event ev;
static bh_rt_container ct = { "c1", "web", "nginx:1", "sha256:aa", NULL, false, 0, NULL, NULL };

static void exec_of(const char *comm, const char *args)
{
	memset(&ev, 0, sizeof(ev));
	ev.type = BH_RT_EXEC;
	ev.uid = ev.euid = 1000;
	snprintf(ev.comm, sizeof(ev.comm), "%s", comm);
	snprintf(ev.path, sizeof(ev.path), "/bin/%s", comm);
	snprintf(ev.args, sizeof(ev.args), "%s", args);
	strcpy(ev.pcomm, "bash");
}

struct hits {
	char names[8][128];
	char out[8][512];
	int action[8];
	int n;
};

static int collect(const bh_rules_hit *h, void *user)
{
	struct hits *x = user;
	if (x->n < 8) {
		snprintf(x->names[x->n], sizeof(x->names[0]), "%s", h->rule->name);
		snprintf(x->out[x->n], sizeof(x->out[0]), "%s", h->output);
		x->action[x->n] = h->rule->action;
		x->n++;
	}
	return 0;
}

/* Loads the files (NULL-terminated), compiles; returns the set (must compile cleanly). */
static bh_rules *load(const char *a, const char *b)
{
	bh_rules *r = bh_rules_new();
	bh_error err;
	size_t n, i;
	const bh_rules_diag *d;
	assert_non_null(r);
	if (bh_rules_add_data(r, a, strlen(a), "a.yaml", &err) || (b && bh_rules_add_data(r, b, strlen(b), "b.yaml", &err)) ||
	    bh_rules_compile(r, &err)) {
		d = bh_rules_diags(r, &n);
		for (i = 0; i < n; i++)
			print_message("%s\n", d[i].msg);
		fail_msg("rules do not load: %s", err.msg);
	}
	return r;
}

static struct hits eval(const bh_rules *r)
{
	struct hits h;
	int rc;
	memset(&h, 0, sizeof(h));
	rc = bh_rules_eval(r, &ev, &ct, NULL, collect, &h);
	assert_int_equal(rc, h.n);
	return h;
}

/* the diagnostics joined by newlines */
static char *diags(const bh_rules *r)
{
	static char buf[8192];
	size_t n, i, len = 0;
	const bh_rules_diag *d = bh_rules_diags(r, &n);
	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf) - 600; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", d[i].msg);
	return buf;
}

static const char base[] =
	"- required_engine_version: 12\n"
	"- list: shells\n"
	"  items: [sh, bash]\n"
	"- list: more_shells\n"
	"  items: [shells, zsh]\n"
	"- macro: spawned\n"
	"  condition: evt.type = execve\n"
	"- rule: Shell\n"
	"  desc: a shell\n"
	"  condition: spawned and proc.name in (more_shells)\n"
	"  output: \"shell %proc.name (args %proc.args) in %container.name 100%%\"\n"
	"  priority: warning\n"
	"  tags: [shell, T1059]\n"
	"  action: kill\n"
	"- rule: Curl\n"
	"  desc: curl\n"
	"  condition: spawned and proc.name = curl\n"
	"  output: curl %proc.cmdline\n"
	"  priority: INFO\n";

static void test_load_eval(void **state)
{
	bh_rules *r = load(base, NULL);
	struct hits h;
	const bh_rules_rule *x;
	(void)state;
	assert_int_equal(bh_rules_count(r), 2);
	x = bh_rules_lookup(r, "Shell");
	assert_non_null(x);
	assert_int_equal(x->priority, BH_RULES_WARNING);
	assert_int_equal(x->action, BH_RULES_ACT_KILL);
	assert_int_equal(x->ntags, 2);
	assert_string_equal(x->tags[1], "T1059");
	assert_int_equal(bh_rules_lookup(r, "Curl")->priority, BH_RULES_INFORMATIONAL);
	assert_int_equal(bh_rules_lookup(r, "Curl")->action, BH_RULES_ACT_ALERT);
	exec_of("zsh", "zsh -c \x1b[2J");
	h = eval(r);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.names[0], "Shell");
	assert_string_equal(h.out[0], "shell zsh (args -c \\x1b[2J) in web 100%");
	assert_int_equal(h.action[0], BH_RULES_ACT_KILL);
	exec_of("curl", "curl -s x");
	h = eval(r);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.out[0], "curl curl -s x");
	/* another event type: not even looked at */
	ev.type = BH_RT_OPEN;
	assert_int_equal(eval(r).n, 0);
	assert_int_equal(bh_rules_eval(r, &ev, &ct, NULL, NULL, NULL), 0);
	bh_rules_free(r);
}

static void test_overrides(void **state)
{
	static const char over[] =
		"- list: shells\n"
		"  items: [ash]\n"
		"  override:\n"
		"    items: append\n"
		"- macro: spawned\n"
		"  condition: and user.uid = 1000\n"
		"  override: {condition: append}\n"
		"- rule: Shell\n"
		"  condition: and not proc.args contains safe\n"
		"  priority: CRITICAL\n"
		"  action: pause\n"
		"  output: appended\n"
		"  override: {condition: append, priority: replace, action: replace, output: append}\n"
		"- rule: Curl\n"
		"  enabled: false\n";
	bh_rules *r = load(base, over);
	struct hits h;
	(void)state;
	assert_int_equal(bh_rules_lookup(r, "Shell")->priority, BH_RULES_CRITICAL);
	assert_int_equal(bh_rules_lookup(r, "Shell")->action, BH_RULES_ACT_PAUSE);
	assert_false(bh_rules_lookup(r, "Curl")->enabled);
	exec_of("ash", "ash");
	h = eval(r);
	assert_int_equal(h.n, 1);
	assert_non_null(strstr(h.out[0], "100% appended"));
	exec_of("ash", "ash safe");
	assert_int_equal(eval(r).n, 0);
	exec_of("sh", "sh");
	ev.uid = 0;
	assert_int_equal(eval(r).n, 0); /* the macro's appended part */
	exec_of("curl", "curl");
	assert_int_equal(eval(r).n, 0); /* disabled */
	bh_rules_free(r);

	/* older `append: true`, and a redefinition replacing */
	r = load(base, "- list: shells\n  items: [fish]\n  append: true\n"
		       "- rule: Curl\n  desc: wget now\n  condition: spawned and proc.name = wget\n  output: w\n  priority: DEBUG\n");
	exec_of("fish", "fish");
	assert_int_equal(eval(r).n, 1);
	exec_of("curl", "curl");
	assert_int_equal(eval(r).n, 0);
	exec_of("wget", "wget");
	h = eval(r);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.out[0], "w");
	assert_int_equal(bh_rules_count(r), 2);
	bh_rules_free(r);
}

static void test_exceptions(void **state)
{
	static const char rules[] =
		"- list: ok_names\n"
		"  items: [good]\n"
		"- rule: Open\n"
		"  desc: d\n"
		"  condition: evt.type = open\n"
		"  output: o %fd.name\n"
		"  priority: NOTICE\n"
		"  exceptions:\n"
		"    - name: pairs\n"
		"      fields: [proc.name, fd.name]\n"
		"      comps: [=, startswith]\n"
		"      values:\n"
		"        - [app, /data/]\n"
		"        - [\"we'ird \\\"q\\\"\", /x]\n"
		"    - name: by_name\n"
		"      fields: proc.name\n"
		"      values: [ok_names, [a, b]]\n"
		"    - name: in_list\n"
		"      fields: [proc.name, fd.directory]\n"
		"      comps: [in, in]\n"
		"      values:\n"
		"        - [[c, d], [/tmp, /var/tmp]]\n"
		"    - name: empty\n"
		"      fields: proc.name\n"
		"      values: []\n";
	static const char more[] =
		"- rule: Open\n"
		"  exceptions:\n"
		"    - name: pairs\n"
		"      values:\n"
		"        - [db, /var/lib/db/]\n"
		"  override: {exceptions: append}\n";
	bh_rules *r = load(rules, more);
	static const struct {
		const char *comm, *path;
		int hit;
	} cases[] = {
		{ "app", "/data/x", 0 }, { "app", "/etc/x", 1 }, { "other", "/data/x", 1 }, { "we'ird \"q\"", "/x/y", 0 },
		{ "good", "/etc/x", 0 }, { "a", "/etc/x", 0 }, { "b", "/etc", 0 },    { "c", "/tmp/f", 0 },
		{ "c", "/etc/f", 1 },    { "e", "/tmp/f", 1 }, { "db", "/var/lib/db/1", 0 }, { "db", "/var/lib/x", 1 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = BH_RT_OPEN;
		snprintf(ev.comm, sizeof(ev.comm), "%s", cases[i].comm);
		snprintf(ev.path, sizeof(ev.path), "%s", cases[i].path);
		if (eval(r).n != cases[i].hit)
			fail_msg("case %zu (%s %s): expected %s", i, cases[i].comm, cases[i].path, cases[i].hit ? "hit" : "miss");
	}
	bh_rules_free(r);
}

/* one item, expecting an error with this text at this file:line:col */
static void expect_error(const char *yaml, const char *want)
{
	bh_rules *r = bh_rules_new();
	bh_error err;
	int rc = bh_rules_add_data(r, yaml, strlen(yaml), "t.yaml", &err);
	if (!rc)
		rc = bh_rules_compile(r, &err);
	assert_int_not_equal(rc, 0);
	if (!strstr(diags(r), want))
		fail_msg("diagnostics\n%slack \"%s\"", diags(r), want);
	bh_rules_free(r);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("- rule: r\n  desc: d\n  condition: >\n    evt.type = execve\n    and proc.nmae = x\n  output: o\n  priority: INFO\n",
		     "t.yaml:5:9: unknown field proc.nmae, did you mean proc.name?");
	expect_error("- rule: r\n  desc: d\n  condition: |\n    evt.type = execve and\n      (proc.name = x\n  output: o\n  priority: INFO\n",
		     "t.yaml:5:7: missing ')'");
	expect_error("- rule: r\n  desc: d\n  condition: \"evt.type = execve and proc.name in (a\"\n  output: o\n  priority: INFO\n",
		     "t.yaml:3:52: the list of values has no closing ')'");
	expect_error("- macro: m\n  condition: proc.name = x or\n- rule: r\n  desc: d\n  condition: evt.type = open and m\n  output: o\n  priority: INFO\n",
		     "t.yaml:2:30: unexpected end of the condition");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: LOUD\n", "t.yaml:5:13: priority is one of");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  action: explode\n",
		     "t.yaml:6:11: action is one of alert, kill, pause, stop, quarantine");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  outptu: o\n  priority: INFO\n",
		     "t.yaml:4:3: unknown key \"outptu\" in a rule, did you mean output?");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  priority: INFO\n", "t.yaml:1:9: rule r needs an output");
	expect_error("- rule: r\n  condition: and x\n  override: {condition: append}\n", "rule r to override is not defined before");
	expect_error("- list: l\n  items: [a]\n  override: {items: merge}\n", "t.yaml:3:21: override of items is append or replace");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  exceptions:\n"
		     "    - name: e\n      fields: [proc.name, fd.nam]\n      values: [[a, b]]\n",
		     "t.yaml:8:27: exception e: unknown field fd.nam, did you mean fd.name?");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  exceptions:\n"
		     "    - name: e\n      fields: [proc.name, fd.name]\n      values: [[a]]\n",
		     "t.yaml:9:16: exception e: each value is a sequence of 2");
	expect_error("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  override: {tags: append}\n",
		     "t.yaml:6:13: override of tags without a tags key");
	expect_error("- rule: r\n  desc: d\n  condition: x: [\n", "t.yaml:3:");
	expect_error("- rule: &a r\n  desc: *a\n", "aliases are not accepted");
	expect_error("rule: x\n", "t.yaml:1:1: a rule file is a sequence");
	expect_error("- list: a\n  items: [b]\n- list: b\n  items: [a]\n- rule: r\n  desc: d\n  condition: proc.name in (a) and evt.type = open\n"
		     "  output: o\n  priority: INFO\n",
		     "refers to itself");
	expect_error("- something: x\n  other: y\n", "t.yaml:1:3: unknown item \"something\"");
}

static void test_warnings(void **state)
{
	bh_rules *r = bh_rules_new();
	bh_error err;
	static const char y[] = "- macro: unused_m\n  condition: proc.name = x\n- list: unused_l\n  items: [a]\n"
				"- rule: every event\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: INFO\n"
				"- rule: k8s\n  desc: d\n  condition: ka.verb = get\n  output: o\n  priority: INFO\n  source: k8s_audit\n";
	(void)state;
	assert_int_equal(bh_rules_add_data(r, y, strlen(y), "w.yaml", &err), 0);
	assert_int_equal(bh_rules_compile(r, &err), 0);
	assert_non_null(strstr(diags(r), "w.yaml:1:3: warning: macro unused_m is not used"));
	assert_non_null(strstr(diags(r), "w.yaml:3:3: warning: list unused_l is not used"));
	assert_non_null(strstr(diags(r), "w.yaml:5:3: warning: rule every event does not test evt.type"));
	assert_non_null(strstr(diags(r), "source k8s_audit is not read by bulkhead"));
	/* the unconstrained rule is evaluated on every type */
	memset(&ev, 0, sizeof(ev));
	strcpy(ev.comm, "x");
	ev.type = BH_RT_MOUNT;
	assert_int_equal(bh_rules_eval(r, &ev, NULL, NULL, NULL, NULL), 1);
	bh_rules_free(r);
}

static void test_default_set(void **state)
{
	bh_rules *r = bh_rules_new();
	bh_error err;
	size_t len, n, i;
	const char *y = bh_rules_default_yaml(&len);
	(void)state;
	assert_true(len > 1000);
	assert_non_null(strstr(y, "- rule: Executable not from the image run"));
	assert_int_equal(bh_rules_add_default(r, &err), 0);
	assert_int_equal(bh_rules_compile(r, &err), 0);
	bh_rules_diags(r, &n);
	if (n)
		fail_msg("the default set has diagnostics:\n%s", diags(r));
	assert_true(bh_rules_count(r) >= 18);
	for (i = 0; i < bh_rules_count(r); i++) {
		const bh_rules_rule *x = bh_rules_rule_at(r, i);
		assert_non_null(x->desc);
		assert_true(x->ntags >= 2);
		assert_true(x->enabled);
	}
	/* drift with the kill action readable by actions */
	exec_of("x", "x");
	ev.exe_upper = true;
	{
		struct hits h = eval(r);
		assert_int_equal(h.n, 1);
		assert_string_equal(h.names[0], "Executable not from the image run");
		assert_non_null(strstr(h.out[0], "exe=/bin/x"));
		assert_non_null(strstr(h.out[0], "digest=sha256:aa"));
	}
	bh_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_eval), cmocka_unit_test(test_overrides), cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_errors),    cmocka_unit_test(test_warnings),  cmocka_unit_test(test_default_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
