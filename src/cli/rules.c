/* rules.c - `bulkhead rules list|lint|test`: the catalogue of check rules, and runtime rule files linted and tested on recorded events. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/rules.h"
#include "cli/cli.h"
#include "core/file.h"
#include "core/severity.h"
#include "core/text.h"
#include "core/yaml.h"
#include "runtime/eventjson.h"
#include "runtime/rules.h"

#define TABLE_WIDTH 100 /* the table fits a 100-column terminal; longer titles end in "…" */

static void usage(FILE *fp)
{
	fputs("usage: bulkhead rules list [-f table|json]\n"
	      "       bulkhead rules list --runtime [-f table|json] [FILE...]\n"
	      "       bulkhead rules lint [--default] FILE...\n"
	      "       bulkhead rules test [--default] FILE...\n\n"
	      "Every check rule bulkhead can report (image, Dockerfile, container, host, Kubernetes and the\n"
	      "built-in secret patterns): id, CIS Docker Benchmark v1.6 id, default severity and title. A finding\n"
	      "may carry a higher or lower severity than its rule's default when what it saw warrants it.\n\n"
	      "  -f, --format FMT  table (default; fits 100 columns) or json (also category, why and fix)\n"
	      "  -h, --help        this help\n\n"
	      "Runtime rules (Falco's shape; the default set is built in and is rules/default.yaml):\n"
	      "  list --runtime    the runtime rules: the default set, or the default set and then FILE...\n"
	      "  lint FILE...      load and compile the rule files in order; each problem as FILE:LINE:COL:\n"
	      "                    message; exit 0 clean (warnings allowed), 1 with errors. --default loads the\n"
	      "                    built-in set first\n"
	      "  test FILE...      rule files and test files (YAML `tests:` or JSON lines) in any order; each case\n"
	      "                    names `rule` (or `rules`), an `event` as `bulkhead watch -f json` prints it and\n"
	      "                    `expect: hit|miss` (optional: `name`, `packages` the image has); PASS/FAIL per\n"
	      "                    case, exit 1 on a failure. Without rule files the default set is tested;\n"
	      "                    --default adds it before them\n", fp);
}

/* The long secret ids (BH-SECRET-azure-storage-account-key) get an id column of their own, below the
 * others, so they do not take title room from the long CIS titles. */
struct table {
	FILE *fp;
	size_t idw[2]; /* [0] the module tables, [1] the secret patterns */
	const char *last; /* category of the row printed last */
};

static int secret_group(const char *category)
{
	return strcmp(category, "secret") == 0;
}

static int widest(const bh_rule *r, const char *category, void *ctx)
{
	struct table *t = ctx;
	size_t n = strlen(r->id);
	if (n > t->idw[secret_group(category)])
		t->idw[secret_group(category)] = n;
	return 0;
}

/* Writes s in at most cols columns (UTF-8 code points), ending in "…" when it had to be cut. */
static void put_cut(FILE *fp, const char *s, size_t cols)
{
	size_t i, chars = 0, cut = 0, len = strlen(s);
	for (i = 0; i < len; i++)
		chars += ((unsigned char)s[i] & 0xc0) != 0x80;
	if (chars <= cols) {
		fputs(s, fp);
		return;
	}
	/* keep cols - 1 code points, then the ellipsis */
	for (i = 0, chars = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == cols - 1) {
			cut = i;
			break;
		}
	}
	fwrite(s, 1, cut, fp);
	fputs("\xe2\x80\xa6", fp);
}

static int row(const bh_rule *r, const char *category, void *ctx)
{
	struct table *t = ctx;
	size_t w = t->idw[secret_group(category)], used = w + 2 + 6 + 2 + 8 + 2;
	if (t->last && secret_group(t->last) != secret_group(category))
		fputc('\n', t->fp);
	t->last = category;
	fprintf(t->fp, "%-*s  %-6s  %-8s  ", (int)w, r->id, r->cis ? r->cis : "-", bh_severity_name(r->severity));
	put_cut(t->fp, r->title, used < TABLE_WIDTH - 8 ? TABLE_WIDTH - used : 8);
	fputc('\n', t->fp);
	return 0;
}

static int jrule(const bh_rule *r, const char *category, void *ctx)
{
	json_t *o = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s?, s:s?}", "id", r->id, "cis", r->cis, "severity",
			      bh_severity_name(r->severity), "category", category, "title", r->title, "why", r->why, "fix", r->fix);
	if (!o || json_array_append_new(ctx, o))
		return BH_ENOMEM;
	return 0;
}

static int list(FILE *fp, int json)
{
	if (json) {
		json_t *a = json_array(), *doc;
		int rc;
		if (!a || bh_rules_each(jrule, a)) {
			json_decref(a);
			return BH_ENOMEM;
		}
		if (!(doc = json_pack("{s:o}", "rules", a)))
			return BH_ENOMEM;
		rc = json_dumpf(doc, fp, JSON_INDENT(2));
		json_decref(doc);
		if (rc)
			return BH_EIO;
		fputc('\n', fp);
	} else {
		struct table t;
		int rc;
		memset(&t, 0, sizeof(t));
		t.fp = fp;
		t.idw[0] = t.idw[1] = 2;
		bh_rules_each(widest, &t);
		fprintf(fp, "%-*s  %-6s  %-8s  %s\n", (int)t.idw[0], "ID", "CIS", "SEVERITY", "TITLE");
		if ((rc = bh_rules_each(row, &t)))
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ runtime rules */

static void print_diags(const bh_rules *r, FILE *fp, size_t *nerr, size_t *nwarn)
{
	size_t n, i;
	const bh_rules_diag *d = bh_rules_diags(r, &n);
	*nerr = *nwarn = 0;
	for (i = 0; i < n; i++) {
		bh_text_fput_term(fp, d[i].msg, 0);
		fputc('\n', fp);
		if (d[i].warning)
			(*nwarn)++;
		else
			(*nerr)++;
	}
}

static int runtime_usage(const char *what)
{
	fprintf(stderr, "bulkhead rules %s: %s\n", what, "see bulkhead rules --help");
	return BH_EXIT_USAGE;
}

/* Loads the files in order (the default set first when asked); diagnostics go to the set. */
static int load_rules(bh_rules *r, bool with_default, char **files, size_t n)
{
	bh_error err;
	size_t i;
	int rc = 0, x;
	if (with_default && (x = bh_rules_add_default(r, &err)))
		rc = x;
	for (i = 0; i < n; i++) {
		x = bh_rules_add_file(r, files[i], &err);
		if (x && x != BH_EINVAL) {
			fprintf(stderr, "bulkhead rules: %s\n", err.msg);
			return x;
		}
		if (x)
			rc = x;
	}
	x = bh_rules_compile(r, &err);
	return rc ? rc : x;
}

static int cmd_lint(int argc, char **argv)
{
	bool with_default = false;
	char **files;
	size_t nfiles = 0, nerr, nwarn;
	int i, rc;
	bh_rules *r;
	if (!(files = calloc((size_t)argc + 1, sizeof(*files))))
		return BH_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--default"))
			with_default = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			free(files);
			usage(stdout);
			return BH_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(files);
			fprintf(stderr, "bulkhead rules lint: unknown option %s\n", argv[i]);
			return BH_EXIT_USAGE;
		} else
			files[nfiles++] = argv[i];
	}
	if (!nfiles) {
		free(files);
		return runtime_usage("lint: no rule file given;");
	}
	if (!(r = bh_rules_new())) {
		free(files);
		return BH_EXIT_ERROR;
	}
	rc = load_rules(r, with_default, files, nfiles);
	print_diags(r, stdout, &nerr, &nwarn);
	printf("rules lint: %zu rules, %zu errors, %zu warnings\n", bh_rules_count(r), nerr, nwarn);
	bh_rules_free(r);
	free(files);
	if (rc && rc != BH_EINVAL)
		return bh_cli_exit_code(rc);
	return nerr ? BH_EXIT_ERROR : BH_EXIT_OK;
}

/* Test events are YAML: scalars come as strings; numbers and booleans are made so by key. */
static void coerce(json_t *o)
{
	static const char *const nums[] = { "pid", "tid", "ppid", "uid", "euid", "gid", "argc", "flags", "mode", "arg",
					    "target_pid", "ret", "cgroup_id", "sport", "dport" };
	static const char *const bools[] = { "exe_upper", "privileged", "stdio_net", "script_watch", "killed_in_kernel" };
	const char *k;
	json_t *v;
	size_t i;
	json_object_foreach(o, k, v) {
		if (json_is_object(v)) {
			coerce(v);
			continue;
		}
		if (!json_is_string(v))
			continue;
		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
			if (!strcmp(k, nums[i])) {
				char *end;
				long long n = strtoll(json_string_value(v), &end, 0);
				if (!*end && *json_string_value(v))
					json_object_set_new(o, k, json_integer(n));
			}
		for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
			if (!strcmp(k, bools[i]) && (!strcmp(json_string_value(v), "true") || !strcmp(json_string_value(v), "false")))
				json_object_set_new(o, k, json_boolean(!strcmp(json_string_value(v), "true")));
	}
}

struct tctx {
	const json_t *packages;
	const char **hits;
	size_t nhits;
};

static bool t_has_package(void *user, const bh_rt_container *ct, const char *name)
{
	const struct tctx *t = user;
	size_t i;
	json_t *v;
	(void)ct;
	json_array_foreach(t->packages, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return true;
	return false;
}

static int t_hit(const bh_rules_hit *h, void *user)
{
	struct tctx *t = user;
	if (t->nhits < 64)
		t->hits[t->nhits++] = h->rule->name;
	return 0;
}

struct tally {
	size_t pass, fail;
};

static void put_label(const char *label)
{
	bh_text_fput_term(stdout, label, 200);
}

/* One case: {name?, rule | rules, event, expect, packages?}. */
static void run_case(const bh_rules *r, const json_t *c, const char *where, struct tally *t)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	const char *expect = json_string_value(json_object_get(c, "expect"));
	json_t *rule = json_object_get(c, "rule"), *rules = json_object_get(c, "rules"), *ev = json_object_get(c, "event");
	json_t *list = NULL, *v;
	bh_rt_event e;
	bh_rt_container ct;
	bh_error err;
	const char *hits[64];
	struct tctx tc = { json_object_get(c, "packages"), hits, 0 };
	bh_cond_ctx ctx = { t_has_package, NULL, &tc };
	size_t i;
	bool want_hit;
	const char *k;
	json_object_foreach((json_t *)c, k, v) {
		if (strcmp(k, "name") != 0 && strcmp(k, "rule") != 0 && strcmp(k, "rules") != 0 && strcmp(k, "event") != 0 &&
		    strcmp(k, "expect") != 0 && strcmp(k, "packages") != 0) {
			printf("FAIL %s: unknown key \"%s\" in a test case\n", where, k);
			t->fail++;
			return;
		}
	}
	if (!expect || (strcmp(expect, "hit") != 0 && strcmp(expect, "miss") != 0) || !ev || (!rule && !rules)) {
		printf("FAIL %s: a case needs rule (or rules), event and expect: hit|miss\n", where);
		t->fail++;
		return;
	}
	want_hit = !strcmp(expect, "hit");
	if (tc.packages && !json_is_array(tc.packages))
		tc.packages = NULL;
	if (!tc.packages)
		ctx.has_package = NULL;
	if (bh_rt_event_from_json(ev, where, &e, &ct, &err)) {
		printf("FAIL %s: ", where);
		put_label(err.msg);
		putchar('\n');
		t->fail++;
		return;
	}
	if (bh_rules_eval(r, &e, &ct, &ctx, t_hit, &tc) < 0) {
		printf("FAIL %s: evaluation failed\n", where);
		t->fail++;
		return;
	}
	if (rule) {
		if (!(list = json_array()) || json_array_append(list, rule)) {
			json_decref(list);
			t->fail++;
			return;
		}
	} else {
		list = json_incref(rules);
	}
	json_array_foreach(list, i, v) {
		const char *rn = json_string_value(v);
		bool hit = false;
		size_t h;
		if (!rn || !bh_rules_lookup(r, rn)) {
			printf("FAIL %s: no rule named \"", where);
			put_label(rn ? rn : "?");
			printf("\"\n");
			t->fail++;
			continue;
		}
		for (h = 0; h < tc.nhits; h++)
			hit |= !strcmp(hits[h], rn);
		printf("%s %s: ", hit == want_hit ? "PASS" : "FAIL", where);
		put_label(name ? name : "");
		printf("%s[%s] expected %s, got %s", name ? " " : "", rn, expect, hit ? "hit" : "miss");
		if (hit != want_hit && tc.nhits) {
			printf(" (matched:");
			for (h = 0; h < tc.nhits; h++)
				printf(" \"%s\"", hits[h]);
			printf(")");
		}
		putchar('\n');
		if (hit == want_hit)
			t->pass++;
		else
			t->fail++;
	}
	json_decref(list);
}

static char *slurp(const char *path, size_t *len)
{
	bh_error err;
	char *data;
	if (bh_file_read_all(path, 64u << 20, "rules test file", &data, len, &err)) {
		fprintf(stderr, "bulkhead rules test: %s\n", err.msg);
		return NULL;
	}
	return data;
}

/* A test file: `tests:` in YAML, or JSON lines. Returns -1 when it is no test file (a rule file). */
static int run_file(const bh_rules *r, const char *path, const char *data, size_t len, struct tally *t)
{
	json_t *doc = NULL, *tests;
	bh_error err;
	size_t i;
	char where[600];
	const char *p = data;
	while (p < data + len && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	if (p < data + len && *p == '{') { /* JSON lines */
		size_t line = 0;
		const char *ln = data;
		while (ln < data + len) {
			const char *end = memchr(ln, '\n', (size_t)(data + len - ln));
			size_t n = end ? (size_t)(end - ln) : (size_t)(data + len - ln);
			json_error_t je;
			json_t *c;
			line++;
			snprintf(where, sizeof(where), "%s:%zu", path, line);
			if (n && !(n == 1 && ln[0] == '\r')) {
				if (!(c = json_loadb(ln, n, JSON_REJECT_DUPLICATES, &je))) {
					printf("FAIL %s: %s\n", where, je.text);
					t->fail++;
				} else {
					run_case(r, c, where, t);
					json_decref(c);
				}
			}
			ln += n + 1;
		}
		return 0;
	}
	if (bh_yaml_load(data, len, 32, path, &doc, &err)) {
		printf("FAIL %s: ", path);
		put_label(err.msg);
		putchar('\n');
		t->fail++;
		return 0;
	}
	if (!json_is_object(doc) || !(tests = json_object_get(doc, "tests"))) {
		json_decref(doc);
		return -1;
	}
	if (!json_is_array(tests)) {
		printf("FAIL %s: tests is a sequence of cases\n", path);
		t->fail++;
	} else {
		json_t *c;
		json_array_foreach(tests, i, c) {
			snprintf(where, sizeof(where), "%s#%zu", path, i + 1);
			if (json_is_object(json_object_get(c, "event")))
				coerce(json_object_get(c, "event"));
			if (!json_is_object(c)) {
				printf("FAIL %s: a case is a mapping\n", where);
				t->fail++;
				continue;
			}
			run_case(r, c, where, t);
		}
	}
	json_decref(doc);
	return 0;
}

static int cmd_test(int argc, char **argv)
{
	bool with_default = false;
	char **rulef = calloc((size_t)argc + 1, sizeof(char *)), **testf = calloc((size_t)argc + 1, sizeof(char *));
	char **data = calloc((size_t)argc + 1, sizeof(char *));
	size_t *lens = calloc((size_t)argc + 1, sizeof(size_t));
	size_t nr = 0, nt = 0, i, nerr, nwarn;
	struct tally t = { 0, 0 };
	int a, rc = BH_EXIT_OK;
	bh_rules *r = NULL;
	if (!rulef || !testf || !data || !lens) {
		rc = BH_EXIT_ERROR;
		goto out;
	}
	for (a = 1; a < argc; a++) {
		json_t *doc = NULL;
		bh_error err;
		const char *p;
		if (!strcmp(argv[a], "--default")) {
			with_default = true;
			continue;
		}
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			goto out;
		}
		if (argv[a][0] == '-' && argv[a][1]) {
			fprintf(stderr, "bulkhead rules test: unknown option %s\n", argv[a]);
			rc = BH_EXIT_USAGE;
			goto out;
		}
		if (!(data[nt] = slurp(argv[a], &lens[nt]))) {
			rc = BH_EXIT_INPUT;
			goto out;
		}
		/* a rule file is a sequence; a test file is a mapping with tests, or JSON lines */
		for (p = data[nt]; *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'; p++)
			;
		if (*p != '{' && (bh_yaml_load(data[nt], lens[nt], 32, argv[a], &doc, &err) || !json_is_object(doc) ||
				  !json_object_get(doc, "tests"))) {
			rulef[nr++] = argv[a];
			free(data[nt]);
			data[nt] = NULL;
		} else {
			testf[nt++] = argv[a];
		}
		json_decref(doc);
	}
	if (!nt) {
		rc = runtime_usage("test: no test file given;");
		goto out;
	}
	if (!(r = bh_rules_new())) {
		rc = BH_EXIT_ERROR;
		goto out;
	}
	if (load_rules(r, with_default || !nr, rulef, nr)) {
		print_diags(r, stdout, &nerr, &nwarn);
		if (nerr) {
			printf("rules test: the rules do not compile (%zu errors)\n", nerr);
			rc = BH_EXIT_ERROR;
			goto out;
		}
	}
	for (i = 0; i < nt; i++)
		run_file(r, testf[i], data[i], lens[i], &t);
	printf("rules test: %zu passed, %zu failed\n", t.pass, t.fail);
	rc = t.fail || !t.pass ? BH_EXIT_ERROR : BH_EXIT_OK;
out:
	for (i = 0; data && i < nt; i++)
		free(data[i]);
	free(data);
	free(lens);
	free(rulef);
	free(testf);
	bh_rules_free(r);
	return rc;
}

static int list_runtime(int json, char **files, size_t n)
{
	bh_rules *r = bh_rules_new();
	size_t i, k, nerr, nwarn;
	int rc;
	if (!r)
		return BH_EXIT_ERROR;
	rc = load_rules(r, true, files, n);
	if (rc) {
		print_diags(r, stderr, &nerr, &nwarn);
		if (nerr) {
			bh_rules_free(r);
			return rc == BH_EINVAL ? BH_EXIT_INPUT : bh_cli_exit_code(rc);
		}
	}
	if (json) {
		json_t *a = json_array(), *doc;
		for (i = 0; a && i < bh_rules_count(r); i++) {
			const bh_rules_rule *x = bh_rules_rule_at(r, i);
			json_t *tags = json_array();
			for (k = 0; tags && k < x->ntags; k++)
				json_array_append_new(tags, json_string(x->tags[k]));
			json_array_append_new(a, json_pack("{s:s, s:s?, s:s, s:s, s:b, s:o, s:s?, s:s}", "rule", x->name, "desc", x->desc,
							   "priority", bh_rules_priority_name(x->priority), "action",
							   bh_rules_action_name(x->action), "enabled", x->enabled, "tags",
							   tags ? tags : json_array(), "condition", x->condition, "source", x->file));
		}
		doc = json_pack("{s:o}", "rules", a ? a : json_array());
		if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2))) {
			json_decref(doc);
			bh_rules_free(r);
			return BH_EXIT_ERROR;
		}
		json_decref(doc);
		fputc('\n', stdout);
	} else {
		printf("%-44s  %-13s  %-10s  %s\n", "RULE", "PRIORITY", "ACTION", "TAGS");
		for (i = 0; i < bh_rules_count(r); i++) {
			const bh_rules_rule *x = bh_rules_rule_at(r, i);
			bh_buf tb = BH_BUF_INIT;
			for (k = 0; k < x->ntags; k++)
				bh_buf_printf(&tb, "%s%s", k ? "," : "", x->tags[k]);
			printf("%-44s  %-13s  %-10s  ", x->name, bh_rules_priority_name(x->priority), bh_rules_action_name(x->action));
			bh_text_fput_term(stdout, tb.data ? tb.data : "", 0);
			printf("%s\n", x->enabled ? "" : " (disabled)");
			bh_buf_free(&tb);
		}
	}
	bh_rules_free(r);
	return BH_EXIT_OK;
}

/* `rules list --runtime [-f FMT] [FILE...]` */
static int cmd_list_runtime(int argc, char **argv)
{
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	size_t n = 0;
	int i, json = 0, rc;
	if (!files)
		return BH_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "list") && i == 1)
			continue;
		if (!strcmp(argv[i], "--runtime"))
			continue;
		if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--format")) && i + 1 < argc) {
			json = !strcmp(argv[++i], "json");
			if (!json && strcmp(argv[i], "table") != 0) {
				fprintf(stderr, "bulkhead rules: unknown format \"%s\" (table, json)\n", argv[i]);
				free(files);
				return BH_EXIT_USAGE;
			}
			continue;
		}
		if (!strncmp(argv[i], "--format=", 9)) {
			json = !strcmp(argv[i] + 9, "json");
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "bulkhead rules list: unknown option %s\n", argv[i]);
			free(files);
			return BH_EXIT_USAGE;
		}
		files[n++] = argv[i];
	}
	rc = list_runtime(json, files, n);
	free(files);
	return rc;
}

int bh_cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, json = 0, rc, i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--runtime"))
			return cmd_list_runtime(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "lint"))
		return cmd_lint(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "test"))
		return cmd_test(argc - 1, argv + 1);
	optind = 1; /* GNU getopt moves "list" behind the options: they may come before or after it */
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "table") == 0)
				json = 0;
			else {
				fprintf(stderr, "bulkhead rules: unknown format \"%s\" (table, json)\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return BH_EXIT_OK;
		default: usage(stderr); return BH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || strcmp(argv[optind], "list") != 0) {
		if (optind < argc)
			fprintf(stderr, "bulkhead rules: unknown subcommand or argument \"%s\"\n",
				strcmp(argv[optind], "list") == 0 && optind + 1 < argc ? argv[optind + 1] : argv[optind]);
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	rc = list(stdout, json);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "bulkhead rules: cannot write the list\n");
		return BH_EXIT_ERROR;
	}
	return rc ? bh_cli_exit_code(rc) : BH_EXIT_OK;
}
