/* test_cond.c - the condition language (src/runtime/cond.c): grammar, precedence, each operator, fields, errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/cond.h"

static bh_rt_event ev;
static bh_rt_container ct;

/* an exec of "sh -i" by bash in container web */
static void reset(void)
{
	memset(&ev, 0, sizeof(ev));
	ev.type = BH_RT_EXEC;
	ev.pid = 42;
	ev.ppid = 7;
	ev.uid = 1000;
	ev.euid = 1000;
	strcpy(ev.comm, "sh");
	strcpy(ev.pcomm, "bash");
	strcpy(ev.path, "/bin/sh");
	strcpy(ev.args, "sh -i -x");
	strcpy(ev.cwd, "/root");
	ct.id = "abc123";
	ct.name = "web";
	ct.image = "registry.example:5000/team/nginx:1.27";
	ct.image_digest = "sha256:feed";
	ct.privileged = false;
}

/* macros and lists for the env */
static const char *const shells[] = { "bash", "sh", "zsh" };
static const char *const mnames[] = { "spawned", "in_ct", "loop_a", "loop_b", "bad_macro" };

static const char *const *t_list(void *user, const char *name, size_t *n)
{
	(void)user;
	if (!strcmp(name, "shell_binaries")) {
		*n = 3;
		return shells;
	}
	return NULL;
}

static const char *t_macro(void *user, const char *name)
{
	(void)user;
	if (!strcmp(name, "spawned"))
		return "evt.type = execve";
	if (!strcmp(name, "in_ct"))
		return "container.id != host";
	if (!strcmp(name, "loop_a"))
		return "loop_b";
	if (!strcmp(name, "loop_b"))
		return "proc.name = x or loop_a";
	if (!strcmp(name, "bad_macro"))
		return "proc.name = x and\n  proc.nmae = y";
	return NULL;
}

static const char *const *t_names(void *user, size_t *n)
{
	(void)user;
	*n = 5;
	return mnames;
}

static const bh_cond_env env = { t_list, t_macro, t_names, NULL };

static bool pkg_curl(void *user, const bh_rt_container *c, const char *name)
{
	(void)user;
	(void)c;
	return !strcmp(name, "curl");
}

static int upper_says_image(void *user, const bh_rt_event *e, const bh_rt_container *c)
{
	(void)user;
	(void)e;
	(void)c;
	return 1;
}

static bool m(const char *text)
{
	bh_cond *c;
	bh_cond_pos pos;
	bh_error err;
	bh_cond_ctx ctx = { pkg_curl, NULL, NULL };
	bool r;
	int rc = bh_cond_compile(text, &env, &c, &pos, &err);
	if (rc)
		fail_msg("compile of \"%s\": %s (at %zu)", text, err.msg, pos.off);
	r = bh_cond_eval(c, &ev, &ct, &ctx);
	bh_cond_free(c);
	return r;
}

/* compile must fail with msg (substring) at offset off (macro NULL) */
static void bad(const char *text, const char *msg, size_t off, const char *macro)
{
	bh_cond *c = NULL;
	bh_cond_pos pos = { NULL, 999 };
	bh_error err;
	int rc = bh_cond_compile(text, &env, &c, &pos, &err);
	assert_int_equal(rc, BH_EINVAL);
	assert_null(c);
	if (!strstr(err.msg, msg))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.msg, msg);
	assert_int_equal(pos.off, off);
	if (macro)
		assert_string_equal(pos.macro, macro);
	else
		assert_null(pos.macro);
}

static void test_grammar(void **state)
{
	(void)state;
	reset();
	assert_true(m("proc.name = sh"));
	assert_true(m("proc.name == sh"));
	assert_false(m("proc.name = bash"));
	assert_true(m("not proc.name = bash"));
	assert_true(m("not not proc.name = sh"));
	/* and binds tighter than or */
	assert_true(m("proc.name = x and proc.name = y or proc.name = sh"));
	assert_true(m("proc.name = sh or proc.name = x and proc.name = y"));
	assert_false(m("(proc.name = sh or proc.name = x) and proc.name = y"));
	assert_false(m("not proc.name = sh or proc.name = x"));
	assert_true(m("not (proc.name = x or proc.name = y)"));
	assert_true(m("((((proc.name = sh))))"));
	/* quoting */
	assert_true(m("proc.name = 'sh'"));
	assert_true(m("proc.name = \"sh\""));
	assert_true(m("proc.args = \"-i -x\""));
	assert_false(m("proc.args = '-i'"));
	strcpy(ev.args, "sh it's \"q\"");
	assert_true(m("proc.args = 'it\\'s \"q\"'"));
	assert_true(m("proc.args = \"it's \\\"q\\\"\""));
	reset();
	/* keywords need a boundary: a macro named like "order" would not be "or" + "der" */
	assert_true(m("spawned and in_ct"));
	assert_true(m("spawned\nand\tin_ct"));
}

static void test_strings(void **state)
{
	(void)state;
	reset();
	assert_true(m("proc.exe != /bin/bash"));
	assert_true(m("proc.exe contains bin/"));
	assert_false(m("proc.exe contains BIN"));
	assert_true(m("proc.exe icontains BIN/SH"));
	assert_true(m("proc.exe startswith /bin/"));
	assert_false(m("proc.exe startswith bin"));
	assert_true(m("proc.exe endswith /sh"));
	assert_true(m("proc.exe glob '/bin/*'"));
	assert_true(m("proc.exe glob '/b?n/[rs]h'"));
	assert_false(m("proc.exe glob '/usr/*'"));
	assert_true(m("proc.exe iglob '/BIN/*'"));
	assert_true(m("proc.name in (bash, sh, zsh)"));
	assert_true(m("proc.name in (shell_binaries)"));
	assert_true(m("proc.name in (zsh, shell_binaries, fish)"));
	assert_false(m("proc.name in (\"shell_binaries\")")); /* quoted: the word, not the list */
	assert_false(m("proc.name in ()"));
	assert_true(m("proc.cwd pmatch (/etc, /root)"));
	assert_true(m("proc.cwd pmatch (/)"));
	strcpy(ev.cwd, "/rootx");
	assert_false(m("proc.cwd pmatch (/root)"));
	strcpy(ev.cwd, "/root/a/b");
	assert_true(m("proc.cwd pmatch (/root/)"));
	assert_true(m("proc.cmdline = \"sh -i -x\""));
	assert_true(m("proc.args = \"-i -x\""));
	assert_true(m("proc.argv intersects (-x, -y)"));
	assert_false(m("proc.argv intersects (-y)"));
	assert_true(m("proc.argv in (sh, -i, -x, -z)"));
	assert_false(m("proc.argv in (sh, -i)"));
	assert_true(m("proc.argv = -x"));
	assert_true(m("proc.argv != -y"));
	assert_false(m("proc.argv != -i"));
	assert_true(m("proc.aname[0] = sh and proc.aname[1] = bash and proc.aname = bash"));
	assert_false(m("proc.aname[2] exists"));
	assert_false(m("proc.aname[2] = init"));
	assert_true(m("not proc.aname[2] = init"));
	assert_true(m("proc.is_shell = true and proc.pname = bash"));
	strcpy(ev.comm, "nginx");
	assert_true(m("proc.is_shell = false"));
}

static void test_numbers(void **state)
{
	(void)state;
	reset();
	assert_true(m("user.uid = 1000"));
	assert_true(m("user.uid != 0"));
	assert_true(m("user.uid > 999 and user.uid >= 1000 and user.uid < 1001 and user.uid <= 1000"));
	assert_false(m("user.uid < 1000"));
	assert_true(m("user.uid in (0, 1000, 65534)"));
	assert_true(m("user.uid = 0x3e8"));
	assert_true(m("proc.pid = 42 and proc.ppid = 7"));
	assert_true(m("user.euid = val(user.uid)"));
	ev.euid = 0;
	assert_true(m("user.euid != val(user.uid)"));
	assert_true(m("user.euid < val(user.uid)"));
	ev.type = BH_RT_OPEN;
	ev.flags = 01 | 0100 | 01000;
	ev.mode = 0755;
	strcpy(ev.path, "/etc/passwd");
	assert_true(m("evt.arg.flags contains O_CREAT and evt.arg.flags contains O_WRONLY"));
	assert_false(m("evt.arg.flags contains O_RDWR"));
	assert_true(m("evt.arg.mode = 0755"));
	assert_true(m("evt.is_open_write = true and evt.is_open_read = false"));
	ev.ret = -13;
	assert_true(m("evt.arg.ret < 0 and evt.arg.ret = -13"));
	ev.type = BH_RT_CAPSET;
	ev.arg = 1ull << 21;
	assert_true(m("evt.arg.value contains CAP_SYS_ADMIN"));
	assert_false(m("evt.arg.value contains CAP_SYS_PTRACE"));
	ev.type = BH_RT_PTRACE;
	ev.arg = 16;
	ev.target_pid = 9;
	assert_true(m("evt.arg.value in (PTRACE_ATTACH, PTRACE_SEIZE) and evt.arg.target_pid = 9"));
}

static void test_types(void **state)
{
	bh_cond *c;
	bh_error err;
	(void)state;
	reset();
	assert_true(m("evt.type = execve"));
	assert_true(m("evt.type in (open, execveat)")); /* Falco's name of the same call */
	assert_true(m("evt.type != open"));
	assert_true(m("evt.class = proc and evt.dir = <"));
	assert_true(m("evt.type exists"));
	assert_int_equal(bh_cond_compile("evt.type in (open, connect) and proc.name = x", &env, &c, NULL, &err), 0);
	assert_int_equal(bh_cond_types(c), (1u << BH_RT_OPEN) | (1u << BH_RT_CONNECT));
	bh_cond_free(c);
	assert_int_equal(bh_cond_compile("spawned or evt.type = mount", &env, &c, NULL, &err), 0);
	assert_int_equal(bh_cond_types(c), (1u << BH_RT_EXEC) | (1u << BH_RT_MOUNT));
	bh_cond_free(c);
	assert_int_equal(bh_cond_compile("evt.class = net", &env, &c, NULL, &err), 0);
	assert_int_equal(bh_cond_types(c), (1u << BH_RT_CONNECT) | (1u << BH_RT_ACCEPT) | (1u << BH_RT_LISTEN));
	bh_cond_free(c);
	assert_int_equal(bh_cond_compile("proc.name = x or evt.type = open", &env, &c, NULL, &err), 0);
	assert_int_equal(bh_cond_types(c), ((1u << BH_RT__TYPE_COUNT) - 1) & ~1u); /* unconstrained */
	bh_cond_free(c);
	assert_int_equal(bh_cond_compile("not evt.type = open", &env, &c, NULL, &err), 0);
	assert_int_equal(bh_cond_types(c) & (1u << BH_RT_OPEN), 0);
	bh_cond_free(c);
}

static void test_fields(void **state)
{
	bh_cond_ctx ctx = { NULL, upper_says_image, NULL };
	bh_cond *c;
	bh_error err;
	(void)state;
	reset();
	/* absent fields: every comparison false, exists tells */
	assert_false(m("fd.name exists"));
	assert_false(m("fd.name = x"));
	assert_false(m("fd.name != x"));
	assert_true(m("not fd.name = x"));
	assert_true(m("proc.exe exists and proc.cwd = /root"));
	/* container */
	assert_true(m("container.id = abc123 and container.name = web and container.image.digest = sha256:feed"));
	assert_true(m("container.image.repository = registry.example:5000/team/nginx and container.image.tag = 1.27"));
	assert_true(m("container.privileged = false"));
	assert_true(m("in_ct"));
	ct.id = "";
	assert_true(m("container.id = host and container.name = host"));
	assert_false(m("container.image exists"));
	reset();
	/* image inventory through the context */
	assert_true(m("image.has_package[curl] = true"));
	assert_true(m("image.has_package[wget] = false"));
	/* drift: the event's flag, or the context's answer */
	ev.exe_upper = true;
	assert_true(m("proc.exe_from_image = false"));
	assert_int_equal(bh_cond_compile("proc.exe_from_image = true", &env, &c, NULL, &err), 0);
	assert_true(bh_cond_eval(c, &ev, &ct, &ctx));
	assert_false(bh_cond_eval(c, &ev, &ct, NULL));
	bh_cond_free(c);
	/* a program on a connection: the exec's flag; no exec, no value */
	assert_true(m("proc.stdio_net = false"));
	ev.stdio_net = true;
	assert_true(m("proc.stdio_net = true and proc.is_shell = true"));
	/* files */
	ev.type = BH_RT_RENAME;
	strcpy(ev.path, "/tmp/a/b.txt");
	strcpy(ev.path2, "/usr/bin/b");
	assert_true(m("fd.name = /tmp/a/b.txt and fd.directory = /tmp/a and fd.filename = b.txt and fd.name2 = /usr/bin/b"));
	assert_true(m("fd.typechar = f and evt.class = file"));
	assert_false(m("proc.exe exists"));
	assert_false(m("proc.stdio_net = true"));
	assert_false(m("proc.stdio_net = false"));
	/* network: connect from 10.0.0.2:40000 to 1.2.3.4:3333 */
	ev.type = BH_RT_CONNECT;
	ev.family = AF_INET;
	ev.proto = 6;
	inet_pton(AF_INET, "10.0.0.2", ev.saddr);
	inet_pton(AF_INET, "1.2.3.4", ev.daddr);
	ev.sport = 40000;
	ev.dport = 3333;
	ev.path[0] = '\0';
	assert_true(m("fd.sip = 1.2.3.4 and fd.sport = 3333 and fd.cip = 10.0.0.2 and fd.cport = 40000"));
	assert_true(m("fd.rip = 1.2.3.4 and fd.rport = 3333 and fd.lip = 10.0.0.2 and fd.lport = 40000"));
	assert_true(m("fd.l4proto = tcp and fd.family = inet and fd.typechar = 4"));
	assert_true(m("fd.name = \"10.0.0.2:40000->1.2.3.4:3333\""));
	/* accept: the peer is saddr */
	ev.type = BH_RT_ACCEPT;
	assert_true(m("fd.rip = 10.0.0.2 and fd.lport = 3333 and fd.sport = 3333"));
	ev.type = BH_RT_LISTEN;
	assert_true(m("fd.sip = 10.0.0.2 and fd.sport = 40000 and not fd.cip exists and not fd.rport exists"));
}

static void test_errors(void **state)
{
	(void)state;
	bad("proc.nam = sh", "unknown field proc.nam, did you mean proc.name?", 0, NULL);
	bad("proc.name = sh and proc.nme in (a)", "did you mean proc.name?", 19, NULL);
	bad("proc.name = sh and", "unexpected end of the condition", 18, NULL);
	bad("proc.name = sh)", "')' without its '('", 14, NULL);
	bad("(proc.name = sh", "missing ')'", 0, NULL);
	bad("proc.name in (a, b", "no closing ')'", 18, NULL);
	bad("proc.name in a", "expected '('", 13, NULL);
	bad("proc.name =", "expected a value", 11, NULL);
	bad("proc.name = 'abc", "unterminated string", 12, NULL);
	bad("proc.name", "needs an operator", 9, NULL);
	bad("spawnd and proc.name = x", "unknown macro spawnd, did you mean spawned?", 0, NULL);
	bad("spawned = x", "is a macro", 8, NULL);
	bad("evt.type = opne", "did you mean open?", 11, NULL);
	bad("user.uid = abc", "not a number", 11, NULL);
	bad("evt.arg.flags contains O_CRAET", "did you mean O_CREAT?", 23, NULL);
	bad("user.uid startswith 1", "is a number", 9, NULL);
	bad("proc.name > a", "compares numbers", 10, NULL);
	bad("proc.is_shell = maybe", "true or false", 16, NULL);
	bad("image.has_package = true", "needs an argument", 0, NULL);
	bad("proc.name[1] = x", "takes no argument", 9, NULL);
	bad("proc.name = x or and", "where a field", 17, NULL);
	bad("user.uid = val(proc.name)", "both fields", 15, NULL);
	bad("", "empty condition", 0, NULL);
	bad("loop_a", "refers to itself", 17, "loop_b");
	bad("spawned and bad_macro", "unknown field proc.nmae", 20, "bad_macro");
}

static void test_bounds(void **state)
{
	char *deep = malloc(40000), *p;
	bh_cond *c = NULL;
	bh_error err;
	int i;
	(void)state;
	assert_non_null(deep);
	p = deep;
	for (i = 0; i < 5000; i++)
		*p++ = '(';
	strcpy(p, "proc.name = x");
	p += strlen(p);
	for (i = 0; i < 5000; i++)
		*p++ = ')';
	*p = '\0';
	assert_int_equal(bh_cond_compile(deep, &env, &c, NULL, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "nested deeper"));
	p = deep;
	for (i = 0; i < 5000; i++) {
		memcpy(p, "not ", 4);
		p += 4;
	}
	strcpy(p, "proc.name = x");
	assert_int_equal(bh_cond_compile(deep, &env, &c, NULL, &err), BH_EINVAL);
	free(deep);
}

static void test_format(void **state)
{
	bh_cond_field f;
	size_t used;
	bh_buf b = BH_BUF_INIT;
	bh_error err;
	(void)state;
	reset();
	strcpy(ev.args, "sh \x1b[31mred\n");
	assert_int_equal(bh_cond_field_parse("proc.cmdline)", &used, &f, &err), 0);
	assert_int_equal(used, 12);
	assert_int_equal(bh_cond_field_format(&f, &ev, &ct, NULL, &b), 0);
	assert_string_equal(b.data, "sh \\x1b[31mred\\x0a"); /* escaped for a terminal */
	bh_cond_field_free(&f);
	bh_buf_reset(&b);
	assert_int_equal(bh_cond_field_parse("fd.name.", &used, &f, &err), 0);
	assert_int_equal(used, 7);
	assert_int_equal(bh_cond_field_format(&f, &ev, &ct, NULL, &b), 0);
	assert_string_equal(b.data, "<NA>");
	bh_cond_field_free(&f);
	bh_buf_reset(&b);
	assert_int_equal(bh_cond_field_parse("proc.aname[1]", &used, &f, &err), 0);
	assert_int_equal(bh_cond_field_format(&f, &ev, &ct, NULL, &b), 0);
	assert_string_equal(b.data, "bash");
	bh_cond_field_free(&f);
	assert_int_equal(bh_cond_field_parse("proc.nmae", &used, &f, &err), BH_EINVAL);
	assert_non_null(strstr(err.msg, "did you mean %proc.name?"));
	bh_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar), cmocka_unit_test(test_strings), cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_types),   cmocka_unit_test(test_fields),  cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bounds),  cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
