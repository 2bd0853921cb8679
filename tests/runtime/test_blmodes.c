/* test_blmodes.c - baseline modes per label (runtime/blmodes.c and their use in runtime/blmon.c): parsing and its
 * refusals, matching, first match wins, bounds, the file written and read back, and a container's effective mode
 * deciding learning, deviations and the warning for a label without a baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "runtime/blmodes.h"
#include "runtime/blmon.h"

static bh_blmodes *ld(const char *doc, bh_error *err)
{
	bh_blmodes *ms = NULL;
	memset(err, 0, sizeof(*err));
	if (bh_blmodes_load(doc, strlen(doc), "modes.yaml", &ms, err))
		return NULL;
	return ms;
}

static int match(const bh_blmodes *ms, const char *labels)
{
	return bh_blmodes_match_text(ms, labels);
}

static void test_parse_match(void **st)
{
	bh_error err;
	bh_blmodes *ms = ld("apiVersion: bulkhead/v1\nkind: BaselineModes\nlabels:\n"
			    "  - {label: env=prod, mode: protect}\n"
			    "  - {label: team, mode: monitor}\n"
			    "  - {label: \"env=\", mode: learn}\n",
			    &err);
	(void)st;
	assert_non_null(ms);
	assert_int_equal(bh_blmodes_count(ms), 3);
	assert_string_equal(bh_blmodes_label(ms, 0), "env=prod");
	assert_int_equal(bh_blmodes_mode(ms, 0), BH_BL_PROTECT);
	assert_int_equal(match(ms, "{\"env\": \"prod\"}"), 0);
	/* first match wins: env=prod before team */
	assert_int_equal(match(ms, "{\"team\": \"web\", \"env\": \"prod\"}"), 0);
	assert_int_equal(match(ms, "{\"team\": \"web\", \"env\": \"dev\"}"), 1);
	/* KEY alone: any value, the empty one too; KEY= only the empty value */
	assert_int_equal(match(ms, "{\"team\": \"\"}"), 1);
	assert_int_equal(match(ms, "{\"env\": \"\"}"), 2);
	assert_int_equal(match(ms, "{\"env\": \"production\"}"), -1);
	assert_int_equal(match(ms, "{\"ENV\": \"prod\"}"), -1); /* labels are case-sensitive */
	assert_int_equal(match(ms, "{}"), -1);
	assert_int_equal(match(ms, NULL), -1);
	assert_int_equal(match(ms, "not json"), -1);
	assert_int_equal(match(ms, "[\"env=prod\"]"), -1);
	assert_int_equal(match(ms, "{\"env\": 1}"), -1); /* a value that is not a string is no value */
	bh_blmodes_free(ms);

	/* JSON, and an empty document, and no labels */
	assert_non_null(ms = ld("{\"kind\": \"BaselineModes\", \"labels\": [{\"label\": \"a=b\", \"mode\": \"learn\"}]}", &err));
	assert_int_equal(bh_blmodes_mode(ms, 0), BH_BL_LEARN);
	bh_blmodes_free(ms);
	assert_non_null(ms = ld(" \n", &err));
	assert_int_equal(bh_blmodes_count(ms), 0);
	bh_blmodes_free(ms);
	assert_non_null(ms = ld("kind: BaselineModes\nlabels: []\n", &err));
	assert_int_equal(bh_blmodes_count(ms), 0);
	bh_blmodes_free(ms);
}

static void test_refusals(void **st)
{
	static const struct {
		const char *doc, *want;
	} bad[] = {
		{ "kind: Baseline\nrepository: x\n", "kind" },
		{ "apiVersion: bulkhead/v9\n", "apiVersion" },
		{ "kind: BaselineModes\nlabel: []\n", "unknown field \"label\"" },
		{ "labels: {label: a, mode: protect}\n", "labels: not a list" },
		{ "labels:\n  - {label: a, mode: protekt}\n", "labels[0].mode" },
		{ "labels:\n  - {label: a, mdoe: protect}\n", "labels[0]: unknown field \"mdoe\"" },
		{ "labels:\n  - {mode: protect}\n", "labels[0].label: missing" },
		{ "labels:\n  - {label: a}\n", "labels[0].mode: missing" },
		{ "labels:\n  - {label: \"=prod\", mode: learn}\n", "labels[0].label" },
		{ "labels:\n  - {label: \"a\\tb\", mode: learn}\n", "labels[0].label" },
		{ "labels:\n  - {label: a, mode: learn}\n  - {label: a, mode: protect}\n", "labels[1].label: \"a\" is labels[0] already" },
		{ "labels:\n  - a=b\n", "labels[0]: not a mapping" },
		{ "{\"labels\": [{\"label\": 5, \"mode\": \"learn\"}]}", "labels[0].label: not a string" },
		{ "- a\n", "not a modes document" },
	};
	bh_error err;
	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bh_blmodes *ms = ld(bad[i].doc, &err);
		if (ms || !strstr(err.msg, bad[i].want) || !strstr(err.msg, "modes.yaml"))
			fail_msg("doc %zu: %s (want %s)", i, err.msg, bad[i].want);
	}
}

static void test_bounds_and_edit(void **st)
{
	bh_buf y = BH_BUF_INIT;
	bh_blmodes *ms, *back;
	bh_error err;
	char label[BH_BLMODES_LABEL_MAX + 8];
	(void)st;

	assert_int_equal(bh_blmodes_new(&ms, &err), 0);
	/* the longest label fits, one byte more does not */
	memset(label, 'k', sizeof(label));
	label[BH_BLMODES_LABEL_MAX - 1] = 0;
	assert_int_equal(bh_blmodes_set(ms, label, BH_BL_MONITOR, &err), 0);
	label[BH_BLMODES_LABEL_MAX - 1] = 'k';
	label[BH_BLMODES_LABEL_MAX] = 0;
	assert_int_equal(bh_blmodes_set(ms, label, BH_BL_MONITOR, &err), BH_EINVAL);
	assert_int_equal(bh_blmodes_remove(ms, bh_blmodes_label(ms, 0)), 1);
	for (int i = 0; i < BH_BLMODES_RULES_MAX; i++) {
		char l[32];
		snprintf(l, sizeof(l), "k%d=v", i);
		assert_int_equal(bh_blmodes_set(ms, l, (bh_bl_mode)(i % 3), &err), 0);
	}
	assert_int_equal(bh_blmodes_set(ms, "one=more", BH_BL_LEARN, &err), BH_ELIMIT);
	/* changing an existing rule keeps its place and is not one more */
	assert_int_equal(bh_blmodes_set(ms, "k7=v", BH_BL_PROTECT, &err), 0);
	assert_int_equal(bh_blmodes_mode(ms, 7), BH_BL_PROTECT);
	/* the YAML reads back the same, and a file over the rule bound is refused */
	assert_int_equal(bh_blmodes_to_yaml(ms, &y), 0);
	assert_int_equal(bh_blmodes_load(y.data, y.len, "m.yaml", &back, &err), 0);
	assert_int_equal(bh_blmodes_count(back), BH_BLMODES_RULES_MAX);
	for (size_t i = 0; i < bh_blmodes_count(ms); i++) {
		assert_string_equal(bh_blmodes_label(ms, i), bh_blmodes_label(back, i));
		assert_int_equal(bh_blmodes_mode(ms, i), bh_blmodes_mode(back, i));
	}
	bh_blmodes_free(back);
	bh_buf_puts(&y, "  - {label: \"one=more\", mode: learn}\n");
	assert_int_equal(bh_blmodes_load(y.data, y.len, "m.yaml", &back, &err), BH_ELIMIT);
	assert_non_null(strstr(err.msg, "m.yaml.labels"));
	bh_buf_free(&y);
	/* quotes and backslashes survive the round trip */
	assert_int_equal(bh_blmodes_remove(ms, "k0=v"), 1);
	assert_int_equal(bh_blmodes_remove(ms, "k0=v"), 0);
	assert_int_equal(bh_blmodes_set(ms, "a\"b=c\\d: e", BH_BL_PROTECT, &err), 0);
	assert_int_equal(bh_blmodes_to_yaml(ms, &y), 0);
	assert_int_equal(bh_blmodes_load(y.data, y.len, "m.yaml", &back, &err), 0);
	assert_int_equal(bh_blmodes_match_text(back, "{\"a\\\"b\": \"c\\\\d: e\"}"), (int)bh_blmodes_count(back) - 1);
	bh_blmodes_free(back);
	bh_buf_free(&y);
	bh_blmodes_free(ms);
}

/* ---- the effective mode in blmon ---- */

struct seen {
	int devs;
	bh_bl_mode mode;
	char mode_text[300];
	int notes;
	char note[1600];
	char chain[512];
};

static int on_dev(void *ud, const bh_blmon_dev *d)
{
	struct seen *s = ud;
	s->devs++;
	s->mode = d->mode;
	snprintf(s->mode_text, sizeof(s->mode_text), "%s", d->mode_text);
	snprintf(s->chain, sizeof(s->chain), "%s", d->chain);
	return 0;
}

static void on_note(void *ud, bh_baseline *bl, const char *what)
{
	struct seen *s = ud;
	(void)bl;
	s->notes++;
	snprintf(s->note, sizeof(s->note), "%s", what);
}

static void exec_of(bh_rt_event *ev, const char *path)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = BH_RT_EXEC;
	ev->pid = ev->tid = 4242;
	ev->ppid = 4241;
	snprintf(ev->comm, sizeof(ev->comm), "sh");
	snprintf(ev->pcomm, sizeof(ev->pcomm), "app");
	snprintf(ev->path, sizeof(ev->path), "%s", path);
	snprintf(ev->args, sizeof(ev->args), "%s", path);
}

static void test_effective_mode(void **st)
{
	static const char doc[] = "repository: localhost/app\nmode: monitor\nprocesses:\n  - {exe: /usr/bin/app}\n";
	char dir[] = "/tmp/bhblmodes.XXXXXX", path[256];
	bh_blmon_opts o;
	bh_blmon *m;
	bh_baseline *b;
	bh_error err;
	bh_rt_event ev;
	struct seen s;
	const char *rule;
	bh_rt_container prod = { "c1", "prod", "localhost/app:1", "", "{\"env\": \"prod\"}", false, 1, NULL, NULL };
	bh_rt_container plain = { "c2", "plain", "localhost/app:1", "", NULL, false, 2, NULL, NULL };
	bh_rt_container dev = { "c3", "dev", "localhost/app:1", "", "{\"env\": \"dev\"}", false, 3, NULL, NULL };
	bh_rt_container orphan = { "c4", "orphan", "localhost/other:1", "", "{\"env\": \"prod\"}", false, 4, NULL, NULL };
	FILE *fp;
	(void)st;

	assert_non_null(mkdtemp(dir));
	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	o.store_dir = dir;
	o.mode = BH_BL_LEARN;
	o.repos = (const char *const[]){ "" }; /* no repository gets a baseline of its own accord */
	o.nrepos = 1;
	o.no_hash = true;
	o.note = on_note;
	o.note_ud = &s;
	snprintf(path, sizeof(path), "%s/%s", dir, BH_BLMODES_FILE);
	assert_non_null(fp = fopen(path, "w"));
	fputs("kind: BaselineModes\nlabels:\n  - {label: env=prod, mode: protect}\n  - {label: env=dev, mode: learn}\n", fp);
	fclose(fp);
	assert_int_equal(bh_blmon_new(&o, &m, &err), 0);
	assert_int_equal(bh_blmon_load_dir(m, &err), 0); /* modes.yaml is not taken for a baseline */
	assert_int_equal(bh_blmon_count(m), 0);
	assert_int_equal(bh_blmodes_count(bh_blmon_modes(m)), 2);
	assert_int_equal(bh_baseline_load(doc, strlen(doc), "t", &b, &err), 0);
	assert_int_equal(bh_blmon_put(m, b, &err), 0);

	assert_int_equal(bh_blmon_mode_of(m, &prod, b, &rule), BH_BL_PROTECT);
	assert_string_equal(rule, "env=prod");
	assert_int_equal(bh_blmon_mode_of(m, &plain, b, &rule), BH_BL_MONITOR);
	assert_null(rule);

	/* the same shell: protect by label in one container, the baseline's monitor in the other */
	exec_of(&ev, "/bin/sh");
	assert_int_equal(bh_blmon_event(m, &ev, &prod, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 1);
	assert_int_equal(s.mode, BH_BL_PROTECT);
	assert_string_equal(s.mode_text, "protect (label env=prod)");
	assert_int_equal(bh_blmon_event(m, &ev, &plain, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 2);
	assert_int_equal(s.mode, BH_BL_MONITOR);
	assert_string_equal(s.mode_text, "monitor (baseline)");
	/* learn by label: no deviation, the entry is added to the monitored baseline */
	assert_int_equal(bh_blmon_event(m, &ev, &dev, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 2);
	assert_int_equal(bh_baseline_count(b, BH_BL_PROCESS), 2);
	assert_int_equal(bh_baseline_mode(b), BH_BL_MONITOR);
	assert_int_equal(bh_blmon_event(m, &ev, &plain, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 2); /* learned: no longer a deviation */

	/* protect by label without a baseline: not watched, said once */
	assert_int_equal(bh_blmon_event(m, &ev, &orphan, 1000, on_dev, &s, &err), 0);
	assert_int_equal(bh_blmon_event(m, &ev, &orphan, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 2);
	assert_int_equal(s.notes, 1);
	assert_non_null(strstr(s.note, "WARNING"));
	assert_non_null(strstr(s.note, "localhost/other has no baseline"));
	assert_null(bh_blmon_get(m, "localhost/other"));

	/* the file changed: read again by the tick (every 2 s at most), the first match decides anew */
	assert_int_equal(bh_blmon_tick(m, 2000, on_note, &s, &err), 0);
	assert_non_null(fp = fopen(path, "w"));
	fputs("kind: BaselineModes\nlabels:\n  - {label: env, mode: monitor}\n  - {label: env=prod, mode: protect}\n", fp);
	fclose(fp);
	{
		/* a different mtime even on a coarse clock */
		struct timespec ts[2] = { { 5, 0 }, { 5, 0 } };
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
	assert_int_equal(bh_blmon_tick(m, 2001, on_note, &s, &err), 0); /* within 2 s: not yet */
	assert_int_equal(bh_blmon_mode_of(m, &prod, b, NULL), BH_BL_PROTECT);
	assert_int_equal(bh_blmon_tick(m, 2002, on_note, &s, &err), 0);
	assert_non_null(strstr(s.note, "read again"));
	assert_int_equal(bh_blmon_mode_of(m, &prod, b, &rule), BH_BL_MONITOR);
	assert_string_equal(rule, "env");
	/* a broken file keeps the rules before, with a warning */
	assert_non_null(fp = fopen(path, "w"));
	fputs("labels: [{label: env, mode: nope}]\n", fp);
	fclose(fp);
	{
		struct timespec ts[2] = { { 9, 0 }, { 9, 0 } };
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
	assert_int_equal(bh_blmon_tick(m, 2010, on_note, &s, &err), 0);
	assert_non_null(strstr(s.note, "WARNING"));
	assert_non_null(strstr(s.note, "labels[0].mode"));
	assert_int_equal(bh_blmon_mode_of(m, &prod, b, NULL), BH_BL_MONITOR);
	/* removed: no rules */
	unlink(path);
	assert_int_equal(bh_blmon_tick(m, 2020, on_note, &s, &err), 0);
	assert_int_equal(bh_blmodes_count(bh_blmon_modes(m)), 0);
	assert_int_equal(bh_blmon_mode_of(m, &prod, b, &rule), BH_BL_MONITOR);
	assert_null(rule);
	bh_blmon_free(m);

	/* a repository named "modes" never has modes.yaml for its file */
	{
		char name[64];
		assert_int_equal(bh_blmon_file_of("modes", name, sizeof(name)), 0);
		assert_string_equal(name, "%6Dodes.yaml");
		assert_int_equal(bh_blmon_file_of("modes2", name, sizeof(name)), 0);
		assert_string_equal(name, "modes2.yaml");
	}
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* Learning ends after --learn-events events when they come before --learn-for (and nothing new
 * came for quiet_s), and the bound survives the file. */
static void test_learn_events(void **st)
{
	bh_blmon_opts o;
	bh_blmon *m;
	bh_baseline *b, *b2;
	bh_error err;
	bh_rt_event ev;
	struct seen s;
	bh_buf yaml = BH_BUF_INIT;
	bh_rt_container app = { "c9", "app", "localhost/app:1", "", NULL, false, 9, NULL, NULL };
	(void)st;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	o.mode = BH_BL_LEARN;
	o.learn_s = 3600;
	o.learn_events = 3;
	o.quiet_s = 0;
	o.no_hash = true;
	assert_int_equal(bh_blmon_new(&o, &m, &err), 0);
	exec_of(&ev, "/usr/bin/app");
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1000, on_dev, &s, &err), 0);
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1000, on_dev, &s, &err), 0);
	assert_int_equal(bh_blmon_tick(m, 1001, on_note, &s, &err), 0);
	assert_non_null(b = bh_blmon_at(m, 0));
	assert_int_equal(bh_baseline_mode(b), BH_BL_LEARN); /* 2 of 3 events, an hour to go */
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1002, on_dev, &s, &err), 0);
	assert_int_equal(bh_baseline_learn(b)->events, 3);
	assert_int_equal(bh_baseline_learn(b)->events_max, 3);
	assert_int_equal(bh_baseline_to_yaml(b, &yaml), 0);
	assert_int_equal(bh_baseline_load(yaml.data, yaml.len, "t", &b2, &err), 0);
	assert_int_equal(bh_baseline_learn(b2)->events_max, 3);
	bh_baseline_free(b2);
	bh_buf_free(&yaml);
	assert_int_equal(bh_blmon_tick(m, 1003, on_note, &s, &err), 0);
	assert_int_equal(bh_baseline_mode(b), BH_BL_MONITOR);
	assert_non_null(strstr(s.note, "promoted from learn to monitor"));
	bh_blmon_free(m);
}

/* A deviating exec says its ancestry as far as it was seen: the shell a script started under the
 * engine's entrypoint. */
static void test_chain(void **st)
{
	static const char doc[] = "repository: localhost/app\nmode: monitor\nprocesses:\n  - {exe: /usr/bin/app, parent: (engine)}\n"
				  "  - {exe: /usr/bin/run.sh, parent: /usr/bin/app}\n";
	bh_blmon_opts o;
	bh_blmon *m;
	bh_baseline *b;
	bh_error err;
	bh_rt_event ev;
	struct seen s;
	bh_rt_container app = { "c7", "app", "localhost/app:1", "", NULL, false, 7, NULL, NULL };
	(void)st;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	o.mode = BH_BL_MONITOR;
	o.no_hash = true;
	assert_int_equal(bh_blmon_new(&o, &m, &err), 0);
	assert_int_equal(bh_baseline_load(doc, strlen(doc), "t", &b, &err), 0);
	assert_int_equal(bh_blmon_put(m, b, &err), 0);
	exec_of(&ev, "/usr/bin/app");
	ev.pid = ev.tid = 100;
	ev.ppid = 50;
	snprintf(ev.pcomm, sizeof(ev.pcomm), "runc:[2:INIT]");
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1000, on_dev, &s, &err), 0);
	exec_of(&ev, "/usr/bin/run.sh");
	ev.pid = ev.tid = 101;
	ev.ppid = 100;
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 0);
	exec_of(&ev, "/bin/sh");
	ev.pid = ev.tid = 102;
	ev.ppid = 101;
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1000, on_dev, &s, &err), 0);
	assert_int_equal(s.devs, 1);
	assert_string_equal(s.chain, "/bin/sh < /usr/bin/run.sh < /usr/bin/app < (engine)");
	/* a parent that started before the watch is not known */
	exec_of(&ev, "/bin/sh");
	ev.pid = ev.tid = 201;
	ev.ppid = 200;
	assert_int_equal(bh_blmon_event(m, &ev, &app, 1000, on_dev, &s, &err), 0);
	assert_string_equal(s.chain, "/bin/sh < ?");
	bh_blmon_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_match),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bounds_and_edit),
		cmocka_unit_test(test_effective_mode),
		cmocka_unit_test(test_learn_events),
		cmocka_unit_test(test_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
