/* baseline.c - `bulkhead baseline`: learn, list, show, export, import, mode, diff and accept behaviour baselines kept as YAML files, or on `bulkhead serve` (--server). */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/srvclient.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/file.h"
#include "core/text.h"
#include "net/http.h"
#include "registry/registry.h"
#include "runtime/baseline.h"
#include "runtime/blmodes.h"
#include "runtime/blmon.h"

/* Exit status of a baseline, label rule or version that is not there (README "Exit codes"). */
#define EXIT_NOT_FOUND 5

static void usage(FILE *fp)
{
	fputs("usage: bulkhead baseline COMMAND [options] ...\n"
	      "  behaviour baselines per image repository (README \"Baselines\"), kept as YAML in --dir\n"
	      "  learn IMAGE...            watch the images' containers and learn (runs `watch --learn`;\n"
	      "                            --learn-for, --quiet-for, --duration, --engine-host go to watch),\n"
	      "                            then monitor\n"
	      "  list                      every baseline: repository, mode, version, entries; and the label\n"
	      "                            rules\n"
	      "  show IMAGE [-f table|json|yaml]  one baseline\n"
	      "  export IMAGE [-o FILE]    its YAML (edit it, then import)\n"
	      "  import FILE...            check and store baselines (a newer version than the stored one)\n"
	      "  mode IMAGE learn|monitor|protect [--learn-for DURATION]  switch a baseline's mode (a running\n"
	      "                            `watch --baseline` reads it within 2 s)\n"
	      "  mode --label KEY=VALUE|KEY learn|monitor|protect|none\n"
	      "                            the mode of every container with that label, whatever its\n"
	      "                            baseline's (DIR/modes.yaml, first match wins; none removes the rule)\n"
	      "  diff IMAGE [--from V] [--to V] | diff FILE FILE  what changed between two versions\n"
	      "  accept IMAGE KIND FIELD=VALUE...  add an entry, e.g.\n"
	      "                            `accept app process exe=/bin/sh parent=/usr/bin/app`,\n"
	      "                            `accept app outbound peer=image:localhost/db proto=tcp port=5432`\n"
	      "options: --dir DIR (default $BULKHEAD_BASELINES, else ~/.local/share/bulkhead/baselines)\n"
	      "  --server URL [--token T] [--cacert FILE]  the same commands on `bulkhead serve` instead of\n"
	      "                            --dir (the token: --token or $BULKHEAD_TOKEN; viewer to read,\n"
	      "                            operator to change); learn IMAGE... --server [--learn-for D] puts\n"
	      "                            the baselines in learn on the server: the agents\n"
	      "                            (`agent --runtime --baselines`) learn them from their containers\n"
	      "exit: 0 done, 1 error, 2 usage, 3 a baseline file is invalid, 5 not found (or the server\n"
	      "away), 6 token refused\n",
	      fp);
}

static int load_file(const char *path, bh_baseline **out, bh_error *err)
{
	char *data;
	size_t len;
	int rc;

	if ((rc = bh_file_read_all(path, BH_BL_FILE_MAX, "baseline", &data, &len, err)))
		return rc;
	rc = bh_baseline_load(data, len, path, out, err);
	free(data);
	return rc;
}

/* The stored baseline of IMAGE's repository. */
static int load_stored(const char *dir, const char *image, bh_baseline **out, char *path, size_t pn, bh_error *err)
{
	char repo[BH_BL_STR_MAX], name[1024];

	if (!bh_registry_repository_of(image, repo, sizeof(repo)))
		return bh_error_set(err, BH_EUSAGE, "\"%s\" is not an image name", image);
	if (bh_blmon_file_of(repo, name, sizeof(name)))
		return bh_error_set(err, BH_ELIMIT, "repository name too long");
	snprintf(path, pn, "%s/%s", dir, name);
	if (load_file(path, out, err) == BH_ENOTFOUND)
		return bh_error_set(err, BH_ENOTFOUND, "no baseline of %s in %s (learn one: bulkhead baseline learn %s)", repo, dir, image);
	return err->code;
}

static int save(const char *dir, bh_baseline *b, bh_error *err)
{
	bh_blmon_opts o;
	bh_blmon *m;
	int rc;

	memset(&o, 0, sizeof(o));
	o.store_dir = dir;
	o.repos = (const char *const[]){ "" };
	o.nrepos = 1;
	if ((rc = bh_blmon_new(&o, &m, err)))
		return rc;
	/* through the monitor: the file it replaces goes to history/ as a monitor's save does */
	if ((rc = bh_blmon_load_dir(m, err)) == 0) {
		bh_baseline *cur = bh_blmon_get(m, bh_baseline_repository(b));
		if (cur && bh_baseline_version(b) <= bh_baseline_version(cur))
			while (bh_baseline_version(b) <= bh_baseline_version(cur))
				bh_baseline_bump(b);
		if ((rc = bh_blmon_put(m, b, err)) == 0)
			rc = bh_blmon_save(m, b, err);
	} else {
		bh_baseline_free(b);
	}
	bh_blmon_free(m);
	return rc;
}

static void print_table(const bh_baseline *b)
{
	printf("repository %s  mode %s  version %" PRIu64 "  learned on %s\n", bh_baseline_repository(b), bh_bl_mode_name(bh_baseline_mode(b)),
	       bh_baseline_version(b), bh_baseline_digest(b)[0] ? bh_baseline_digest(b) : "-");
	for (int k = 0; k < BH_BL__KIND_COUNT; k++) {
		size_t n = bh_baseline_count(b, (bh_bl_kind)k);
		printf("%s (%zu)\n", bh_bl_section_name((bh_bl_kind)k), n);
		for (size_t i = 0; i < n; i++) {
			bh_bl_entry e;
			char d[1200];
			bh_baseline_entry(b, (bh_bl_kind)k, i, &e);
			bh_baseline_entry_describe(&e, d, sizeof(d));
			fputs("  ", stdout);
			bh_text_fput_term(stdout, d, 96);
			printf("  x%" PRIu64 " %s\n", e.count, e.source ? e.source : "");
		}
	}
}

/* show and export: the baseline as a table, JSON or YAML (export: YAML, to outp or stdout). */
static int show_out(const bh_baseline *b, const char *cmd, const char *fmt, const char *outp, bh_error *err)
{
	int rc = 0;
	if (!strcmp(cmd, "export") || !strcmp(fmt, "yaml")) {
		bh_buf y = BH_BUF_INIT;
		FILE *fp = outp ? fopen(outp, "we") : stdout;
		if (!fp)
			rc = bh_error_set(err, BH_EIO, "%s: cannot write", outp);
		else if ((rc = bh_baseline_to_yaml(b, &y)) == 0 && fwrite(y.data, 1, y.len, fp) != y.len)
			rc = bh_error_set(err, BH_EIO, "cannot write the baseline");
		if (fp && fp != stdout && fclose(fp) && !rc)
			rc = bh_error_set(err, BH_EIO, "%s: cannot write", outp);
		bh_buf_free(&y);
	} else if (!strcmp(fmt, "json")) {
		json_t *j = bh_baseline_to_json(b);
		if (!j)
			return bh_error_set(err, BH_ENOMEM, "out of memory");
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else if (!strcmp(fmt, "table")) {
		print_table(b);
	} else {
		fprintf(stderr, "bulkhead baseline show: --format wants table, json or yaml, not \"%s\"\n", fmt);
		rc = BH_EUSAGE;
		err->msg[0] = 0;
	}
	return rc;
}

static void print_list_head(void)
{
	printf("%-40s %-8s %7s %9s %6s %6s %8s %7s\n", "REPOSITORY", "MODE", "VERSION", "PROCESSES", "FILES", "LISTEN", "OUTBOUND", "INBOUND");
}

static void print_list_row(const char *repository, const char *mode, uint64_t version, const size_t n[BH_BL__KIND_COUNT])
{
	char repo[48];
	bh_buf t = BH_BUF_INIT;
	bh_text_put_term(&t, repository, strlen(repository), 40);
	snprintf(repo, sizeof(repo), "%s", t.data ? t.data : "");
	bh_buf_free(&t);
	printf("%-40s %-8s %7" PRIu64 " %9zu %6zu %6zu %8zu %7zu\n", repo, mode, version, n[BH_BL_PROCESS], n[BH_BL_FILE], n[BH_BL_LISTEN],
	       n[BH_BL_OUTBOUND], n[BH_BL_INBOUND]);
}

/* The label rules after the baselines; where says where they are kept. */
static void print_rules(const bh_blmodes *ms, const char *where, const char *none_hint)
{
	if (!bh_blmodes_count(ms))
		printf("label rules: none (bulkhead baseline mode --label KEY=VALUE MODE%s)\n", none_hint);
	else
		printf("label rules (%s, first match wins over the baseline's mode):\n%-4s %-48s %s\n", where, "#", "LABEL", "MODE");
	for (size_t i = 0; i < bh_blmodes_count(ms); i++) {
		bh_buf t = BH_BUF_INIT;
		bh_text_put_term(&t, bh_blmodes_label(ms, i), strlen(bh_blmodes_label(ms, i)), 48);
		printf("%-4zu %-48s %s\n", i + 1, t.data ? t.data : "", bh_bl_mode_name(bh_blmodes_mode(ms, i)));
		bh_buf_free(&t);
	}
}

static int cmd_list(const char *dir, bh_error *err)
{
	bh_blmon_opts o;
	bh_blmon *m;
	int rc;

	memset(&o, 0, sizeof(o));
	o.store_dir = dir;
	if ((rc = bh_blmon_new(&o, &m, err)))
		return rc;
	if ((rc = bh_blmon_load_dir(m, err)) == 0) {
		char where[1200];
		print_list_head();
		for (size_t i = 0; i < bh_blmon_count(m); i++) {
			bh_baseline *b = bh_blmon_at(m, i);
			size_t n[BH_BL__KIND_COUNT];
			for (int k = 0; k < BH_BL__KIND_COUNT; k++)
				n[k] = bh_baseline_count(b, (bh_bl_kind)k);
			print_list_row(bh_baseline_repository(b), bh_bl_mode_name(bh_baseline_mode(b)), bh_baseline_version(b), n);
		}
		snprintf(where, sizeof(where), "%s/%s", dir, BH_BLMODES_FILE);
		print_rules(bh_blmon_modes(m), where, "");
	}
	bh_blmon_free(m);
	return rc;
}

/* mode --label L MODE: adds, changes or (none) removes the rule of label L in DIR/modes.yaml. */
static int cmd_mode_label(const char *dir, const char *label, const char *mode, bh_error *err)
{
	bh_blmodes *ms;
	bh_bl_mode m = BH_BL_MONITOR;
	const char *was = "(no rule)";
	int rc;

	if (strcmp(mode, "none") != 0 && bh_bl_mode_parse(mode, &m))
		return bh_error_set(err, BH_EUSAGE, "mode \"%s\" is not learn, monitor, protect or none", mode);
	if (!bh_blmodes_label_valid(label))
		return bh_error_set(err, BH_EUSAGE, "label \"%s\" is not KEY or KEY=VALUE (KEY not empty, at most %d bytes, no control characters)",
				    label, BH_BLMODES_LABEL_MAX - 1);
	if ((rc = bh_blmodes_read(dir, &ms, err)))
		return rc;
	for (size_t i = 0; i < bh_blmodes_count(ms); i++)
		if (!strcmp(bh_blmodes_label(ms, i), label))
			was = bh_bl_mode_name(bh_blmodes_mode(ms, i));
	if (!strcmp(mode, "none"))
		(void)bh_blmodes_remove(ms, label); /* none twice is still none */
	else
		rc = bh_blmodes_set(ms, label, m, err);
	if (!rc)
		rc = bh_blmodes_write(ms, dir, err);
	if (!rc) {
		fputs("label ", stdout);
		bh_text_fput_term(stdout, label, BH_BLMODES_LABEL_MAX);
		printf(": %s -> %s (%s/%s)\n", was, strcmp(mode, "none") ? bh_bl_mode_name(m) : "(no rule)", dir, BH_BLMODES_FILE);
	}
	bh_blmodes_free(ms);
	return rc;
}

/* accept's KIND FIELD=VALUE... into e (its strings point into argv, which is cut at each '='). */
static int parse_entry(int argc, char **argv, bh_bl_entry *e, bh_error *err)
{
	int k;

	memset(e, 0, sizeof(*e));
	for (k = 0; k < BH_BL__KIND_COUNT && strcmp(argv[0], bh_bl_kind_name((bh_bl_kind)k)) != 0; k++)
		;
	if (k == BH_BL__KIND_COUNT)
		return bh_error_set(err, BH_EUSAGE, "kind \"%s\" is not process, probe, file, listen, outbound, inbound or capability", argv[0]);
	e->kind = (bh_bl_kind)k;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *key = argv[i], *val;
		if (!eq)
			return bh_error_set(err, BH_EUSAGE, "\"%s\": want FIELD=VALUE", argv[i]);
		*eq = 0;
		val = eq + 1;
		if (!strcmp(key, "exe") || !strcmp(key, "path") || !strcmp(key, "peer") || !strcmp(key, "name"))
			e->a = val;
		else if (!strcmp(key, "parent") || !strcmp(key, "args") || !strcmp(key, "access") || !strcmp(key, "proto"))
			e->b = val;
		else if (!strcmp(key, "sha256"))
			e->sha256 = val;
		else if (!strcmp(key, "port")) {
			int p;
			if (bh_cli_parse_uint(val, 65535, &p))
				return bh_error_set(err, BH_EUSAGE, "port \"%s\": 0 to 65535", val);
			e->port = (uint32_t)p;
		} else {
			return bh_error_set(err, BH_EUSAGE, "unknown field \"%s\"", key);
		}
	}
	e->source = "accepted";
	e->first_seen = e->last_seen = (uint64_t)time(NULL);
	return 0;
}

/* accept IMAGE KIND k=v...: one entry from its fields. */
static int cmd_accept(const char *dir, int argc, char **argv, bh_error *err)
{
	bh_baseline *b = NULL;
	bh_bl_entry e;
	char path[2048];
	int rc;
	bool added = false;

	if ((rc = parse_entry(argc - 1, argv + 1, &e, err)))
		return rc;
	if ((rc = load_stored(dir, argv[0], &b, path, sizeof(path), err)))
		return rc;
	if ((rc = bh_baseline_add(b, &e, &added, err))) {
		bh_baseline_free(b);
		return rc;
	}
	if (!added) {
		printf("already in the baseline of %s\n", bh_baseline_repository(b));
		bh_baseline_free(b);
		return 0;
	}
	{
		char d[1200];
		bh_baseline_entry_describe(&e, d, sizeof(d));
		printf("accepted into %s: %s %s\n", bh_baseline_repository(b), bh_bl_kind_name(e.kind), d);
	}
	return save(dir, b, err);
}

/* ---------------------------------------------------------------- against the server (--server) */

/* What a remote command needs besides its arguments. */
struct remote {
	bh_srvclient c;
	const char *fmt, *outp, *from, *to;
	unsigned learn_for;
};

/* A request whose answer is JSON (*out, caller decrefs; NULL body: none sent). */
static int r_json(const struct remote *r, bh_http_method m, const char *path, const char *ctype, const char *body, size_t len,
		  json_t **out, bh_error *err)
{
	bh_buf a = BH_BUF_INIT;
	int rc = bh_srvclient_do(&r->c, m, path, ctype, body, len, &a, err);
	*out = NULL;
	if (!rc && !(*out = json_loadb(a.data ? a.data : "", a.len, 0, NULL)))
		rc = bh_error_set(err, BH_EINVAL, "%s: the server's answer is not JSON", path);
	bh_buf_free(&a);
	return rc;
}

/* POST a JSON body built by the caller (taken). */
static int r_post(const struct remote *r, const char *path, json_t *body, json_t **out, bh_error *err)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc;
	json_decref(body);
	if (!text)
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	rc = r_json(r, BH_HTTP_POST, path, "application/json", text, strlen(text), out, err);
	free(text);
	return rc;
}

/* prefix + ?repository=REPO (escaped) + extra into p; repo[BH_BL_STR_MAX] gets IMAGE's repository. */
static int r_path(bh_buf *p, const char *prefix, const char *image, char *repo, const char *extra, bh_error *err)
{
	if (!bh_registry_repository_of(image, repo, BH_BL_STR_MAX))
		return bh_error_set(err, BH_EUSAGE, "\"%s\" is not an image name", image);
	bh_buf_puts(p, prefix);
	bh_buf_puts(p, "?repository=");
	bh_http_escape(p, repo);
	if (extra)
		bh_buf_puts(p, extra);
	return bh_buf_oom(p) ? bh_error_set(err, BH_ENOMEM, "out of memory") : 0;
}

/* The server's baseline of IMAGE's repository; BH_ENOTFOUND saying how to get one. */
static int r_load(const struct remote *r, const char *image, bh_baseline **out, bh_error *err)
{
	char repo[BH_BL_STR_MAX], label[BH_BL_STR_MAX + 40];
	bh_buf p = BH_BUF_INIT;
	json_t *j = NULL;
	int rc;

	*out = NULL;
	if (!(rc = r_path(&p, "/api/v1/baselines/doc", image, repo, NULL, err)))
		rc = r_json(r, BH_HTTP_GET, p.data, NULL, NULL, 0, &j, err);
	bh_buf_free(&p);
	if (rc == BH_ENOTFOUND)
		return bh_error_set(err, BH_ENOTFOUND, "no baseline of %s on %s (learn one: bulkhead baseline learn %s --server %s)", repo,
				    r->c.server, image, r->c.server);
	if (rc)
		return rc;
	snprintf(label, sizeof(label), "the server's baseline of %s", repo);
	rc = bh_baseline_from_json(j, label, out, err);
	json_decref(j);
	return rc;
}

/* The server's label rules through the one parser (runtime/blmodes.c), and their version. */
static int r_rules(const struct remote *r, bh_blmodes **out, int64_t *version, bh_error *err)
{
	json_t *j = NULL, *d;
	char *text;
	int rc;

	*out = NULL;
	if ((rc = r_json(r, BH_HTTP_GET, "/api/v1/baselines/modes", NULL, NULL, 0, &j, err)))
		return rc;
	*version = json_integer_value(json_object_get(j, "version"));
	d = json_pack("{s:o}", "labels", json_is_array(json_object_get(j, "labels")) ? json_incref(json_object_get(j, "labels")) : json_array());
	json_decref(j);
	if (!d || !(text = json_dumps(d, JSON_COMPACT))) {
		json_decref(d);
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	}
	json_decref(d);
	rc = bh_blmodes_load(text, strlen(text), "the server's label rules", out, err);
	free(text);
	return rc;
}

static int r_list(const struct remote *r, bh_error *err)
{
	json_t *j = NULL, *it;
	bh_blmodes *ms = NULL;
	int64_t version = 0;
	size_t i;
	int rc;

	if ((rc = r_json(r, BH_HTTP_GET, "/api/v1/baselines", NULL, NULL, 0, &j, err)))
		return rc;
	print_list_head();
	json_array_foreach(json_object_get(j, "items"), i, it) {
		const char *repo = json_string_value(json_object_get(it, "repository")), *mode = json_string_value(json_object_get(it, "mode"));
		json_t *ent = json_object_get(it, "entries");
		size_t n[BH_BL__KIND_COUNT];
		for (int k = 0; k < BH_BL__KIND_COUNT; k++)
			n[k] = (size_t)json_integer_value(json_object_get(ent, bh_bl_section_name((bh_bl_kind)k)));
		print_list_row(repo ? repo : "", mode ? mode : "?", (uint64_t)json_integer_value(json_object_get(it, "version")), n);
	}
	json_decref(j);
	if (!(rc = r_rules(r, &ms, &version, err))) {
		char where[1700], hint[1600];
		snprintf(where, sizeof(where), "%.1500s, version %" PRId64, r->c.server, version);
		snprintf(hint, sizeof(hint), " --server %.1500s", r->c.server);
		print_rules(ms, where, hint);
	}
	bh_blmodes_free(ms);
	return rc;
}

static int r_import(const struct remote *r, int argc, char **argv, bh_error *err)
{
	int rc = 0;
	for (int i = 0; i < argc && !rc; i++) {
		char *data = NULL;
		size_t len = 0;
		bh_baseline *b = NULL;
		json_t *j = NULL;
		/* checked here first: a refusal names the file and field as the local import does */
		if (!(rc = bh_file_read_all(argv[i], BH_BL_FILE_MAX, "baseline", &data, &len, err)) &&
		    !(rc = bh_baseline_load(data, len, argv[i], &b, err)) &&
		    !(rc = r_json(r, BH_HTTP_POST, "/api/v1/baselines", "application/yaml", data, len, &j, err)))
			printf("imported %s: %s, mode %s\n", argv[i], bh_baseline_repository(b), bh_bl_mode_name(bh_baseline_mode(b)));
		json_decref(j);
		bh_baseline_free(b);
		free(data);
	}
	return rc;
}

/* POST /api/v1/baselines/mode; *version what the server stored. */
static int r_set_mode(const struct remote *r, const char *repo, bh_bl_mode m, unsigned learn_for, int64_t *version, bh_error *err)
{
	json_t *a = NULL, *body = json_pack("{s:s, s:s}", "repository", repo, "mode", bh_bl_mode_name(m));
	int rc;
	if (body && m == BH_BL_LEARN && learn_for)
		json_object_set_new(body, "learn_for", json_integer((json_int_t)learn_for));
	rc = r_post(r, "/api/v1/baselines/mode", body, &a, err);
	*version = json_integer_value(json_object_get(a, "version"));
	json_decref(a);
	return rc;
}

static int r_mode(const struct remote *r, const char *image, bh_bl_mode m, bh_error *err)
{
	bh_baseline *b = NULL;
	int64_t version = 0;
	int rc;
	if ((rc = r_load(r, image, &b, err)))
		return rc;
	if (!(rc = r_set_mode(r, bh_baseline_repository(b), m, r->learn_for, &version, err)))
		printf("%s: %s -> %s\n", bh_baseline_repository(b), bh_bl_mode_name(bh_baseline_mode(b)), bh_bl_mode_name(m));
	bh_baseline_free(b);
	return rc;
}

/* learn IMAGE... --server: the baseline's mode to learn on the server, or a new empty one in learn. */
static int r_learn(const struct remote *r, int argc, char **argv, bh_error *err)
{
	int rc = 0;
	for (int i = 0; i < argc && !rc; i++) {
		char repo[BH_BL_STR_MAX];
		bh_baseline *b = NULL;
		const char *was;
		int64_t version = 0;
		if (!bh_registry_repository_of(argv[i], repo, sizeof(repo)))
			return bh_error_set(err, BH_EUSAGE, "\"%s\" is not an image name", argv[i]);
		if ((rc = r_load(r, argv[i], &b, err)) == BH_ENOTFOUND) {
			/* none yet: an empty one in learn, which agents fill from the repository's containers */
			bh_buf y = BH_BUF_INIT;
			json_t *a = NULL;
			err->code = 0;
			was = "a new baseline";
			if (!(rc = bh_baseline_new(repo, NULL, &b, err))) {
				bh_baseline_learn(b)->started = bh_baseline_learn(b)->last_new = (uint64_t)time(NULL);
				if (r->learn_for)
					bh_baseline_learn(b)->duration_s = r->learn_for;
				if (bh_baseline_to_yaml(b, &y))
					rc = bh_error_set(err, BH_ENOMEM, "out of memory");
				else
					rc = r_json(r, BH_HTTP_POST, "/api/v1/baselines", "application/yaml", y.data, y.len, &a, err);
				version = json_integer_value(json_object_get(a, "version"));
			}
			json_decref(a);
			bh_buf_free(&y);
		} else if (!rc) {
			was = bh_bl_mode_name(bh_baseline_mode(b));
			rc = r_set_mode(r, repo, BH_BL_LEARN, r->learn_for, &version, err);
		} else {
			was = "";
		}
		if (!rc)
			printf("%s: learn on %s (version %" PRId64 ", was %s): agents running `bulkhead agent --runtime --baselines` learn it "
			       "from its containers%s\n",
			       repo, r->c.server, version, was, r->learn_for ? "" : " (for the baseline's learning time)");
		bh_baseline_free(b);
	}
	return rc;
}

/* mode --label L MODE --server: the rules read, changed and written back at the version read
 * (another writer in between: read again, up to 3 times). */
static int r_mode_label(const struct remote *r, const char *label, const char *mode, bh_error *err)
{
	bh_bl_mode m = BH_BL_MONITOR;
	int rc = BH_EBUSY;

	if (strcmp(mode, "none") != 0 && bh_bl_mode_parse(mode, &m))
		return bh_error_set(err, BH_EUSAGE, "mode \"%s\" is not learn, monitor, protect or none", mode);
	if (!bh_blmodes_label_valid(label))
		return bh_error_set(err, BH_EUSAGE, "label \"%s\" is not KEY or KEY=VALUE (KEY not empty, at most %d bytes, no control characters)",
				    label, BH_BLMODES_LABEL_MAX - 1);
	for (int tries = 0; tries < 3 && rc == BH_EBUSY; tries++) {
		bh_blmodes *ms = NULL;
		const char *was = "(no rule)";
		int64_t version = 0;
		bh_buf y = BH_BUF_INIT;
		char path[80];
		json_t *a = NULL;
		if ((rc = r_rules(r, &ms, &version, err)))
			return rc;
		for (size_t i = 0; i < bh_blmodes_count(ms); i++)
			if (!strcmp(bh_blmodes_label(ms, i), label))
				was = bh_bl_mode_name(bh_blmodes_mode(ms, i));
		if (!strcmp(mode, "none"))
			(void)bh_blmodes_remove(ms, label);
		else
			rc = bh_blmodes_set(ms, label, m, err);
		if (!rc && bh_blmodes_to_yaml(ms, &y))
			rc = bh_error_set(err, BH_ENOMEM, "out of memory");
		snprintf(path, sizeof(path), "/api/v1/baselines/modes?if_version=%" PRId64, version);
		if (!rc)
			rc = r_json(r, BH_HTTP_PUT, path, "application/yaml", y.data, y.len, &a, err);
		if (!rc) {
			fputs("label ", stdout);
			bh_text_fput_term(stdout, label, BH_BLMODES_LABEL_MAX);
			printf(": %s -> %s (%s, version %" PRId64 ")\n", was, strcmp(mode, "none") ? bh_bl_mode_name(m) : "(no rule)", r->c.server,
			       (int64_t)json_integer_value(json_object_get(a, "version")));
		}
		json_decref(a);
		bh_buf_free(&y);
		bh_blmodes_free(ms);
	}
	return rc;
}

/* diff IMAGE --server [--from V] [--to V]: from defaults to the version before to (the current one). */
static int r_diff(const struct remote *r, const char *image, bh_error *err)
{
	char repo[BH_BL_STR_MAX], extra[80];
	bh_buf p = BH_BUF_INIT;
	json_t *v = NULL, *it, *d = NULL;
	int64_t from = 0, to = 0;
	size_t i;
	char *end;
	int rc;

	if ((r->from && (!*r->from || (from = strtoll(r->from, &end, 10)) < 1 || *end)) ||
	    (r->to && (!*r->to || (to = strtoll(r->to, &end, 10)) < 1 || *end)))
		return bh_error_set(err, BH_EUSAGE, "--from and --to are version numbers");
	if (!from) {
		if (!(rc = r_path(&p, "/api/v1/baselines/versions", image, repo, NULL, err)))
			rc = r_json(r, BH_HTTP_GET, p.data, NULL, NULL, 0, &v, err);
		bh_buf_free(&p);
		if (rc)
			return rc;
		/* newest first: the first one below to (or below the current one) */
		json_array_foreach(json_object_get(v, "items"), i, it) {
			int64_t n = json_integer_value(json_object_get(it, "version"));
			if (!to && !i)
				to = n;
			else if (n < to) {
				from = n;
				break;
			}
		}
		json_decref(v);
		if (!from)
			return bh_error_set(err, BH_ENOTFOUND, "no earlier version of %s on %s", repo, r->c.server);
	}
	if (to)
		snprintf(extra, sizeof(extra), "&from=%" PRId64 "&to=%" PRId64, from, to);
	else
		snprintf(extra, sizeof(extra), "&from=%" PRId64, from);
	if (!(rc = r_path(&p, "/api/v1/baselines/diff", image, repo, extra, err)))
		rc = r_json(r, BH_HTTP_GET, p.data, NULL, NULL, 0, &d, err);
	bh_buf_free(&p);
	if (rc == BH_ENOTFOUND) {
		char msg[BH_ERROR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		rc = bh_error_set(err, BH_ENOTFOUND, "%s on %s: %s", repo, r->c.server, msg);
	}
	if (!rc) {
		json_dumpf(d, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(d);
	return rc;
}

/* accept IMAGE KIND FIELD=VALUE... --server: the entry posted with each kind's own field names. */
static int r_accept(const struct remote *r, int argc, char **argv, bh_error *err)
{
	static const char *const names[BH_BL__KIND_COUNT][2] = {
		[BH_BL_PROCESS] = { "exe", "parent" },  [BH_BL_PROBE] = { "exe", "args" },     [BH_BL_FILE] = { "path", "access" },
		[BH_BL_LISTEN] = { "name", "proto" },   [BH_BL_OUTBOUND] = { "peer", "proto" }, [BH_BL_INBOUND] = { "peer", "proto" },
		[BH_BL_CAPABILITY] = { "name", "proto" },
	};
	char repo[BH_BL_STR_MAX];
	bh_bl_entry e;
	json_t *entry, *a = NULL;
	int rc;

	if (!bh_registry_repository_of(argv[0], repo, sizeof(repo)))
		return bh_error_set(err, BH_EUSAGE, "\"%s\" is not an image name", argv[0]);
	if ((rc = parse_entry(argc - 1, argv + 1, &e, err)))
		return rc;
	if (!(entry = json_pack("{s:s}", "kind", bh_bl_kind_name(e.kind))))
		return bh_error_set(err, BH_ENOMEM, "out of memory");
	if (e.a)
		json_object_set_new(entry, names[e.kind][0], json_string(e.a));
	if (e.b)
		json_object_set_new(entry, names[e.kind][1], json_string(e.b));
	if (e.sha256)
		json_object_set_new(entry, "sha256", json_string(e.sha256));
	if (e.port)
		json_object_set_new(entry, "port", json_integer(e.port));
	rc = r_post(r, "/api/v1/baselines/accept", json_pack("{s:s, s:o}", "repository", repo, "entry", entry), &a, err);
	if (rc == BH_ENOTFOUND)
		rc = bh_error_set(err, BH_ENOTFOUND, "no baseline of %s on %s (learn one: bulkhead baseline learn %s --server %s)", repo,
				  r->c.server, argv[0], r->c.server);
	if (!rc && !json_is_true(json_object_get(a, "added")))
		printf("already in the baseline of %s\n", repo);
	else if (!rc)
		printf("accepted into %s: %s %s\n", repo, bh_bl_kind_name(e.kind),
		       json_is_string(json_object_get(a, "accepted")) ? json_string_value(json_object_get(a, "accepted")) : "");
	json_decref(a);
	return rc;
}

/* The commands against the server: the same arguments and output as the local ones. */
static int remote_cmd(const struct remote *r, const char *cmd, const char *label, int argc, char **argv, bh_error *err)
{
	int rc;
	if ((rc = bh_srvclient_check(&r->c, err)))
		return rc;
	if (!strcmp(cmd, "list"))
		return r_list(r, err);
	if (!strcmp(cmd, "show") || !strcmp(cmd, "export")) {
		bh_baseline *b = NULL;
		if (argc != 1)
			return bh_error_set(err, BH_EUSAGE, "one IMAGE expected");
		if (!(rc = r_load(r, argv[0], &b, err)))
			rc = show_out(b, cmd, r->fmt, r->outp, err);
		bh_baseline_free(b);
		return rc;
	}
	if (!strcmp(cmd, "import")) {
		if (argc < 1)
			return bh_error_set(err, BH_EUSAGE, "FILE expected");
		return r_import(r, argc, argv, err);
	}
	if (!strcmp(cmd, "learn")) {
		if (argc < 1)
			return bh_error_set(err, BH_EUSAGE, "IMAGE expected");
		return r_learn(r, argc, argv, err);
	}
	if (!strcmp(cmd, "mode") && label) {
		if (argc != 1)
			return bh_error_set(err, BH_EUSAGE, "mode --label KEY=VALUE: learn|monitor|protect|none expected");
		return r_mode_label(r, label, argv[0], err);
	}
	if (!strcmp(cmd, "mode")) {
		bh_bl_mode m;
		if (argc != 2 || bh_bl_mode_parse(argv[1], &m))
			return bh_error_set(err, BH_EUSAGE, "IMAGE learn|monitor|protect expected");
		return r_mode(r, argv[0], m, err);
	}
	if (!strcmp(cmd, "diff")) {
		if (argc != 1)
			return bh_error_set(err, BH_EUSAGE, "IMAGE expected (diff FILE FILE compares local files: no --server)");
		return r_diff(r, argv[0], err);
	}
	if (!strcmp(cmd, "accept")) {
		if (argc < 3)
			return bh_error_set(err, BH_EUSAGE, "IMAGE KIND FIELD=VALUE... expected");
		return r_accept(r, argc, argv, err);
	}
	return bh_error_set(err, BH_EUSAGE, "unknown command \"%s\"", cmd);
}

int bh_cmd_baseline(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },     { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },  { "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },      { "learn-for", required_argument, NULL, 'L' },
		{ "label", required_argument, NULL, 'l' },   { "help", no_argument, NULL, 'h' },
		{ "server", required_argument, NULL, 'S' },  { "token", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'c' },  { NULL, 0, NULL, 0 }
	};
	char dir[1024], path[2048];
	const char *cmd, *fmt = "table", *outp = NULL, *from = NULL, *to = NULL, *label = NULL;
	unsigned learn_for = 0;
	struct remote r;
	bool dir_given = false;
	bh_error err;
	bh_baseline *b = NULL, *b2 = NULL;
	int ch, rc = 0;

	memset(&err, 0, sizeof(err));
	memset(&r, 0, sizeof(r));
	r.c.token = getenv("BULKHEAD_TOKEN");
	bh_cli_baseline_dir(dir, sizeof(dir));
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BH_EXIT_USAGE : 0;
	}
	cmd = argv[1];
	for (int i = 2; i < argc && !strcmp(cmd, "learn"); i++)
		if (!strcmp(argv[i], "--server") || !strncmp(argv[i], "--server=", 9))
			cmd = "learn --server"; /* learning on the server: its options below */
	if (!strcmp(cmd, "learn")) {
		/* `watch --learn IMAGE ...`: the learning is the sensor's work, done by watch */
		char **wv = calloc((size_t)argc * 2 + 8, sizeof(char *));
		int wc = 0;
		if (!wv)
			return BH_EXIT_ERROR;
		wv[wc++] = (char *)"watch";
		wv[wc++] = (char *)"--alerts-only";
		wv[wc++] = (char *)"--no-default-rules";
		wv[wc++] = (char *)"--containers-only";
		for (int i = 2; i < argc; i++) {
			if (argv[i][0] == '-') {
				wv[wc++] = argv[i];
				if (strchr(argv[i], '=') == NULL && i + 1 < argc && strcmp(argv[i], "--stats") != 0 && strcmp(argv[i], "-v") != 0)
					wv[wc++] = argv[++i];
			} else {
				wv[wc++] = (char *)"--learn";
				wv[wc++] = argv[i];
			}
		}
		rc = bh_cmd_watch(wc, wv);
		free(wv);
		return rc;
	}
	optind = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:f:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': snprintf(dir, sizeof(dir), "%s", optarg); dir_given = true; break;
		case 'S': r.c.server = optarg; break;
		case 't': r.c.token = optarg; break;
		case 'c': r.c.ca_file = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': outp = optarg; break;
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'l': label = optarg; break;
		case 'L':
			if (bh_cli_parse_duration(optarg, &learn_for)) {
				fprintf(stderr, "bulkhead baseline: --learn-for wants seconds (or 30s, 5m), not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: return bh_cli_bad_option("baseline", longopts, ch, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (r.c.server && !(!strcmp(cmd, "diff") && argc == 2)) {
		if (dir_given) {
			fprintf(stderr, "bulkhead baseline %s: --dir or --server, not both\n", cmd);
			return BH_EXIT_USAGE;
		}
		r.fmt = fmt;
		r.outp = outp;
		r.from = from;
		r.to = to;
		r.learn_for = learn_for;
		if (!strcmp(cmd, "learn --server"))
			cmd = "learn";
		r.c.forbidden = "do this (reading takes a viewer token, changing an operator token)";
		rc = remote_cmd(&r, cmd, label, argc, argv, &err);
	} else if (!strcmp(cmd, "list")) {
		rc = cmd_list(dir, &err);
	} else if (!strcmp(cmd, "show") || !strcmp(cmd, "export")) {
		if (argc != 1) {
			fprintf(stderr, "bulkhead baseline %s: one IMAGE expected\n", cmd);
			return BH_EXIT_USAGE;
		}
		if (!(rc = load_stored(dir, argv[0], &b, path, sizeof(path), &err)))
			rc = show_out(b, cmd, fmt, outp, &err);
	} else if (!strcmp(cmd, "import")) {
		if (argc < 1) {
			fputs("bulkhead baseline import: FILE expected\n", stderr);
			return BH_EXIT_USAGE;
		}
		for (int i = 0; i < argc && !rc; i++) {
			if ((rc = load_file(argv[i], &b, &err)))
				break;
			printf("imported %s: %s, mode %s\n", argv[i], bh_baseline_repository(b), bh_bl_mode_name(bh_baseline_mode(b)));
			rc = save(dir, b, &err);
			b = NULL;
		}
	} else if (!strcmp(cmd, "mode") && label) {
		if (argc != 1) {
			fputs("bulkhead baseline mode --label KEY=VALUE: learn|monitor|protect|none expected\n", stderr);
			return BH_EXIT_USAGE;
		}
		rc = cmd_mode_label(dir, label, argv[0], &err);
	} else if (!strcmp(cmd, "mode")) {
		bh_bl_mode m;
		if (argc != 2 || bh_bl_mode_parse(argv[1], &m)) {
			fputs("bulkhead baseline mode: IMAGE learn|monitor|protect expected\n", stderr);
			return BH_EXIT_USAGE;
		}
		if (!(rc = load_stored(dir, argv[0], &b, path, sizeof(path), &err))) {
			bh_bl_mode was = bh_baseline_mode(b);
			/* a new version once, as on the server: set_mode raises it when the mode changes, save when not */
			bh_baseline_set_mode(b, m);
			if (m == BH_BL_LEARN) {
				bh_baseline_learn(b)->started = bh_baseline_learn(b)->last_new = (uint64_t)time(NULL);
				if (learn_for)
					bh_baseline_learn(b)->duration_s = learn_for;
			}
			printf("%s: %s -> %s\n", bh_baseline_repository(b), bh_bl_mode_name(was), bh_bl_mode_name(m));
			rc = save(dir, b, &err);
			b = NULL;
		}
	} else if (!strcmp(cmd, "diff")) {
		json_t *d;
		if (argc == 2) {
			if (!(rc = load_file(argv[0], &b, &err)))
				rc = load_file(argv[1], &b2, &err);
		} else if (argc == 1) {
			char name[1024], repo[BH_BL_STR_MAX], hp[2300];
			if (!(rc = load_stored(dir, argv[0], &b2, path, sizeof(path), &err))) {
				uint64_t fv, tv = bh_baseline_version(b2);
				char *end;
				fv = from ? strtoull(from, &end, 10) : tv - 1;
				bh_registry_repository_of(argv[0], repo, sizeof(repo));
				bh_blmon_file_of(repo, name, sizeof(name));
				name[strlen(name) - 5] = 0;
				if (to && strtoull(to, &end, 10) != tv) {
					bh_baseline_free(b2);
					b2 = NULL;
					snprintf(hp, sizeof(hp), "%s/history/%s.v%s.yaml", dir, name, to);
					rc = load_file(hp, &b2, &err);
				}
				/* the nearest earlier version that was written to history/ */
				for (; !rc && fv > 0 && !b; fv--) {
					snprintf(hp, sizeof(hp), "%s/history/%s.v%" PRIu64 ".yaml", dir, name, fv);
					if (load_file(hp, &b, &err) == BH_ENOTFOUND) {
						err.code = 0;
						if (from)
							break;
						continue;
					}
					rc = err.code;
				}
				if (!rc && !b)
					rc = bh_error_set(&err, BH_ENOTFOUND, "no earlier version of %s in %s/history", repo, dir);
			}
		} else {
			fputs("bulkhead baseline diff: IMAGE or FILE FILE expected\n", stderr);
			return BH_EXIT_USAGE;
		}
		if (!rc) {
			if (!(d = bh_baseline_diff(b, b2)))
				rc = bh_error_set(&err, BH_ENOMEM, "out of memory");
			else {
				json_object_set_new(d, "from_version", json_integer((json_int_t)bh_baseline_version(b)));
				json_object_set_new(d, "to_version", json_integer((json_int_t)bh_baseline_version(b2)));
				json_dumpf(d, stdout, JSON_INDENT(2));
				putchar('\n');
				json_decref(d);
			}
		}
	} else if (!strcmp(cmd, "accept")) {
		if (argc < 3) {
			fputs("bulkhead baseline accept: IMAGE KIND FIELD=VALUE... expected\n", stderr);
			return BH_EXIT_USAGE;
		}
		rc = cmd_accept(dir, argc, argv, &err);
	} else {
		fprintf(stderr, "bulkhead baseline: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	bh_baseline_free(b);
	bh_baseline_free(b2);
	if (rc) {
		if (err.msg[0])
			fprintf(stderr, "bulkhead baseline %s: %s\n", cmd, err.msg);
		/* README "Exit codes": no such baseline (here or on the server) is 5 */
		return rc == BH_ENOTFOUND ? EXIT_NOT_FOUND : bh_cli_exit_code(rc);
	}
	return 0;
}
