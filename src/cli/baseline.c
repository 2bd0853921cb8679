/* baseline.c - `bulkhead baseline`: learn, list, show, export, import, mode, diff and accept behaviour baselines kept as YAML files. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/file.h"
#include "core/text.h"
#include "runtime/baseline.h"
#include "runtime/blmodes.h"
#include "runtime/blmon.h"

static void usage(FILE *fp)
{
	fputs("usage: bulkhead baseline COMMAND [options] ...\n"
	      "  behaviour baselines per image repository (README \"Baselines\"), kept as YAML in --dir\n"
	      "  learn IMAGE...            watch the images' containers and learn (runs `watch --learn`; --learn-for,\n"
	      "                            --quiet-for, --duration, --engine-host go to watch), then monitor\n"
	      "  list                      every baseline: repository, mode, version, entries; and the label rules\n"
	      "  show IMAGE [-f table|json|yaml]  one baseline\n"
	      "  export IMAGE [-o FILE]    its YAML (edit it, then import)\n"
	      "  import FILE...            check and store baselines (a newer version than the stored one)\n"
	      "  mode IMAGE learn|monitor|protect [--learn-for DURATION]  switch a baseline's mode (a running\n"
	      "                            `watch --baseline` reads it within 2 s)\n"
	      "  mode --label KEY=VALUE|KEY learn|monitor|protect|none  the mode of every container with that label,\n"
	      "                            whatever its baseline's (DIR/modes.yaml, first match wins; none removes the rule)\n"
	      "  diff IMAGE [--from V] [--to V] | diff FILE FILE  what changed between two versions\n"
	      "  accept IMAGE KIND FIELD=VALUE...  add an entry, e.g. `accept app process exe=/bin/sh parent=/usr/bin/app`,\n"
	      "                            `accept app outbound peer=image:localhost/db proto=tcp port=5432`\n"
	      "options: --dir DIR (default $BULKHEAD_BASELINES, else ~/.local/share/bulkhead/baselines)\n"
	      "exit: 0 done, 1 error, 2 usage, 3 a baseline file is invalid, 5 not found\n",
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

	if (!bh_baseline_repository_of(image, repo, sizeof(repo)))
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
		printf("%-40s %-8s %7s %9s %6s %6s %8s %7s\n", "REPOSITORY", "MODE", "VERSION", "PROCESSES", "FILES", "LISTEN", "OUTBOUND", "INBOUND");
		for (size_t i = 0; i < bh_blmon_count(m); i++) {
			bh_baseline *b = bh_blmon_at(m, i);
			char repo[48];
			bh_buf t = BH_BUF_INIT;
			bh_text_put_term(&t, bh_baseline_repository(b), strlen(bh_baseline_repository(b)), 40);
			snprintf(repo, sizeof(repo), "%s", t.data ? t.data : "");
			bh_buf_free(&t);
			printf("%-40s %-8s %7" PRIu64 " %9zu %6zu %6zu %8zu %7zu\n", repo, bh_bl_mode_name(bh_baseline_mode(b)), bh_baseline_version(b),
			       bh_baseline_count(b, BH_BL_PROCESS), bh_baseline_count(b, BH_BL_FILE), bh_baseline_count(b, BH_BL_LISTEN),
			       bh_baseline_count(b, BH_BL_OUTBOUND), bh_baseline_count(b, BH_BL_INBOUND));
		}
		{
			const bh_blmodes *ms = bh_blmon_modes(m);
			if (!bh_blmodes_count(ms))
				printf("label rules: none (bulkhead baseline mode --label KEY=VALUE MODE)\n");
			else
				printf("label rules (%s/%s, first match wins over the baseline's mode):\n%-4s %-48s %s\n", dir, BH_BLMODES_FILE, "#",
				       "LABEL", "MODE");
			for (size_t i = 0; i < bh_blmodes_count(ms); i++) {
				bh_buf t = BH_BUF_INIT;
				bh_text_put_term(&t, bh_blmodes_label(ms, i), strlen(bh_blmodes_label(ms, i)), 48);
				printf("%-4zu %-48s %s\n", i + 1, t.data ? t.data : "", bh_bl_mode_name(bh_blmodes_mode(ms, i)));
				bh_buf_free(&t);
			}
		}
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

/* accept IMAGE KIND k=v...: one entry from its fields. */
static int cmd_accept(const char *dir, int argc, char **argv, bh_error *err)
{
	bh_baseline *b = NULL;
	bh_bl_entry e;
	char path[2048];
	int k, rc;
	bool added = false;

	memset(&e, 0, sizeof(e));
	for (k = 0; k < BH_BL__KIND_COUNT && strcmp(argv[1], bh_bl_kind_name((bh_bl_kind)k)) != 0; k++)
		;
	if (k == BH_BL__KIND_COUNT)
		return bh_error_set(err, BH_EUSAGE, "kind \"%s\" is not process, probe, file, listen, outbound, inbound or capability", argv[1]);
	e.kind = (bh_bl_kind)k;
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *key = argv[i], *val;
		if (!eq)
			return bh_error_set(err, BH_EUSAGE, "\"%s\": want FIELD=VALUE", argv[i]);
		*eq = 0;
		val = eq + 1;
		if (!strcmp(key, "exe") || !strcmp(key, "path") || !strcmp(key, "peer") || !strcmp(key, "name"))
			e.a = val;
		else if (!strcmp(key, "parent") || !strcmp(key, "args") || !strcmp(key, "access") || !strcmp(key, "proto"))
			e.b = val;
		else if (!strcmp(key, "sha256"))
			e.sha256 = val;
		else if (!strcmp(key, "port")) {
			int p;
			if (bh_cli_parse_uint(val, 65535, &p))
				return bh_error_set(err, BH_EUSAGE, "port \"%s\": 0 to 65535", val);
			e.port = (uint32_t)p;
		} else {
			return bh_error_set(err, BH_EUSAGE, "unknown field \"%s\"", key);
		}
	}
	e.source = "accepted";
	e.first_seen = e.last_seen = (uint64_t)time(NULL);
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

int bh_cmd_baseline(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },     { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },  { "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },      { "learn-for", required_argument, NULL, 'L' },
		{ "label", required_argument, NULL, 'l' },   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char dir[1024], path[2048];
	const char *cmd, *fmt = "table", *outp = NULL, *from = NULL, *to = NULL, *label = NULL;
	unsigned learn_for = 0;
	bh_error err;
	bh_baseline *b = NULL, *b2 = NULL;
	int ch, rc = 0;

	memset(&err, 0, sizeof(err));
	bh_cli_baseline_dir(dir, sizeof(dir));
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BH_EXIT_USAGE : 0;
	}
	cmd = argv[1];
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
		case 'd': snprintf(dir, sizeof(dir), "%s", optarg); break;
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
	if (!strcmp(cmd, "list")) {
		rc = cmd_list(dir, &err);
	} else if (!strcmp(cmd, "show") || !strcmp(cmd, "export")) {
		if (argc != 1) {
			fprintf(stderr, "bulkhead baseline %s: one IMAGE expected\n", cmd);
			return BH_EXIT_USAGE;
		}
		if (!(rc = load_stored(dir, argv[0], &b, path, sizeof(path), &err))) {
			if (!strcmp(cmd, "export") || !strcmp(fmt, "yaml")) {
				bh_buf y = BH_BUF_INIT;
				FILE *fp = outp ? fopen(outp, "we") : stdout;
				if (!fp)
					rc = bh_error_set(&err, BH_EIO, "%s: cannot write", outp);
				else if ((rc = bh_baseline_to_yaml(b, &y)) == 0 && fwrite(y.data, 1, y.len, fp) != y.len)
					rc = bh_error_set(&err, BH_EIO, "cannot write the baseline");
				if (fp && fp != stdout && fclose(fp) && !rc)
					rc = bh_error_set(&err, BH_EIO, "%s: cannot write", outp);
				bh_buf_free(&y);
			} else if (!strcmp(fmt, "json")) {
				json_t *j = bh_baseline_to_json(b);
				if (!j)
					rc = bh_error_set(&err, BH_ENOMEM, "out of memory");
				else {
					json_dumpf(j, stdout, JSON_INDENT(2));
					putchar('\n');
					json_decref(j);
				}
			} else if (!strcmp(fmt, "table")) {
				print_table(b);
			} else {
				fprintf(stderr, "bulkhead baseline show: --format wants table, json or yaml, not \"%s\"\n", fmt);
				rc = BH_EUSAGE;
				err.msg[0] = 0;
			}
		}
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
			bh_baseline_set_mode(b, m);
			bh_baseline_bump(b);
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
				bh_baseline_repository_of(argv[0], repo, sizeof(repo));
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
		return bh_cli_exit_code(rc);
	}
	return 0;
}
