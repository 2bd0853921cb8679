/* drift.c - `bulkhead drift CONTAINER`: what a container changed against its image, as a table or JSON. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/text.h"
#include "runtime/drift.h"

#define TABLE_WIDTH 100
#define MAX_ALLOW 64

int bh_cmd_drift(int argc, char **argv);

static void usage(FILE *fp)
{
	fputs("usage: bulkhead drift [-f table|json] [--engine-host unix:///PATH] [--allow PATH]... CONTAINER\n\n"
	      "Compares a container (running or stopped) with its image through the engine: every file its\n"
	      "overlay upper layer added, changed (SHA-256 or link target), re-moded, re-owned or deleted\n"
	      "(whiteouts, opaque directories), each against the image's own file read from the image's layers.\n"
	      "New or changed executables and shared libraries are HIGH. Nothing in the container is followed\n"
	      "or executed. Volumes and bind mounts are not in the upper layer and are not compared; the\n"
	      "engine's own mount points (/etc/hosts, /etc/resolv.conf, /run/.containerenv, ...) are left out.\n"
	      "Reads the engine's storage: run as root on the engine's host.\n\n"
	      "  -f, --format FMT     table (default; fits 100 columns) or json\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket (default $DOCKER_HOST, then\n"
	      "                       /var/run/docker.sock, /run/podman/podman.sock)\n"
	      "      --allow PATH     a path the container may write (repeatable; replaces the default\n"
	      "                       /tmp /var/tmp /run /var/run /var/cache): reported as allowed, not drift\n"
	      "      --exit-code N    exit status when drift remains outside the allow-list (default 3)\n"
	      "  -q, --quiet          errors only\n"
	      "  -h, --help           this help\n\n"
	      "exit: 0 no drift, 3 (or --exit-code) drift, 2 usage, 5 engine unreachable, 1/3/4 other errors\n", fp);
}

static const char type_names[][10] = { "file", "dir", "symlink", "chardev", "blockdev", "fifo", "socket" };

static const char *type_name(char t)
{
	const char *k = strchr("fdlcbps", t);
	return t && k ? type_names[k - "fdlcbps"] : "?";
}

/* A UTF-8 copy for JSON (invalid bytes -> U+FFFD); NULL stays NULL. */
static json_t *jstr(const char *s)
{
	char *u;
	json_t *j;
	if (!s)
		return json_null();
	if (!(u = bh_text_utf8_dup(s)))
		return NULL;
	j = json_string(u);
	free(u);
	return j;
}

/* Docker's names start with "/" (the container's name in its parent's namespace); shown without it. */
static const char *ctr_name(const json_t *ins)
{
	const char *n = json_string_value(json_object_get(ins, "Name"));
	return n && n[0] == '/' ? n + 1 : n;
}

static json_t *jmeta(const bh_drift_meta *m)
{
	char mode[8];
	if (!m->present)
		return json_null();
	snprintf(mode, sizeof(mode), "%04o", (unsigned)m->mode);
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o?, s:o?}", "type", type_name(m->type), "mode", mode,
			 "uid", (json_int_t)m->uid, "gid", (json_int_t)m->gid, "size", (json_int_t)m->size,
			 "sha256", m->sha256[0] ? json_string(m->sha256) : NULL, "link", m->link ? jstr(m->link) : NULL);
}

static json_t *jsummary(const bh_drift_report *r)
{
	json_t *s = json_object();
	size_t ex = 0, lib = 0;
	for (size_t i = 0; i < r->n; i++) {
		ex += !r->v[i].allowed && r->v[i].executable && r->v[i].kind != BH_DRIFT_DELETED;
		lib += !r->v[i].allowed && r->v[i].library && r->v[i].kind != BH_DRIFT_DELETED;
	}
	int bad = !s;
	for (int k = 0; !bad && k < BH_DRIFT__COUNT; k++)
		bad |= json_object_set_new(s, bh_drift_kind_name((bh_drift_kind)k), json_integer((json_int_t)r->count[k]));
	if (!bad)
		bad |= json_object_set_new(s, "drift", json_integer((json_int_t)bh_drift_count(r))) |
		       json_object_set_new(s, "allowed", json_integer((json_int_t)r->allowed)) |
		       json_object_set_new(s, "executables", json_integer((json_int_t)ex)) |
		       json_object_set_new(s, "libraries", json_integer((json_int_t)lib)) |
		       json_object_set_new(s, "engine_paths_left_out", json_integer((json_int_t)r->skipped)) |
		       json_object_set_new(s, "entries_read", json_integer((json_int_t)r->walked));
	if (bad) {
		json_decref(s);
		return NULL;
	}
	return s;
}

static int write_json(FILE *fp, const json_t *ins, const bh_drift_report *r, const char *const *allow, size_t nallow)
{
	json_t *doc, *arr = json_array(), *al = json_array(), *state;
	int rc;
	for (size_t i = 0; arr && i < r->n; i++) {
		const bh_drift_entry *e = &r->v[i];
		json_t *o = json_pack("{s:o, s:s, s:s, s:b, s:b, s:b, s:o, s:o}", "path", jstr(e->path), "kind", bh_drift_kind_name(e->kind),
				      "severity", bh_severity_name(e->severity), "executable", e->executable, "library", e->library,
				      "allowed", e->allowed, "image", jmeta(&e->image), "container", jmeta(&e->container));
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			json_decref(al);
			return BH_ENOMEM;
		}
	}
	for (size_t i = 0; al && i < nallow; i++)
		json_array_append_new(al, jstr(allow[i]));
	state = json_object_get(ins, "State");
	doc = json_pack("{s:{s:o, s:o, s:o}, s:{s:o, s:o}, s:o, s:o, s:o, s:s}",
			"container", "id", jstr(json_string_value(json_object_get(ins, "Id"))),
			"name", jstr(ctr_name(ins)),
			"status", jstr(json_string_value(json_object_get(state, "Status"))),
			"image", "name", jstr(json_string_value(json_object_get(ins, "ImageName")) ? json_string_value(json_object_get(ins, "ImageName"))
											 : json_string_value(json_object_get(json_object_get(ins, "Config"), "Image"))),
			"id", jstr(json_string_value(json_object_get(ins, "Image"))),
			"allow", al, "drift", arr, "summary", jsummary(r),
			"note", "volumes and bind mounts are not in the upper layer and are not compared");
	if (!doc)
		return BH_ENOMEM;
	rc = json_dumpf(doc, fp, JSON_INDENT(2));
	json_decref(doc);
	if (rc)
		return BH_EIO;
	fputc('\n', fp);
	return 0;
}

/* Writes the escaped s in at most cols code points; a longer one keeps its end (the file name) after "…". */
static void put_path(FILE *fp, const char *s, size_t cols)
{
	bh_buf b = BH_BUF_INIT;
	size_t i, chars = 0, skip;
	if (bh_text_put_term(&b, s, strlen(s), 0) || !b.data) {
		bh_buf_free(&b);
		return;
	}
	for (i = 0; i < b.len; i++)
		chars += ((unsigned char)b.data[i] & 0xc0) != 0x80;
	if (chars <= cols) {
		fputs(b.data, fp);
	} else {
		/* drop chars - (cols - 1) code points from the front */
		for (i = 0, skip = chars - (cols - 1); i < b.len && skip; i++)
			if (i + 1 >= b.len || ((unsigned char)b.data[i + 1] & 0xc0) != 0x80)
				skip--;
		fputs("\xe2\x80\xa6", fp);
		fputs(b.data + i, fp);
	}
	bh_buf_free(&b);
}

static void detail(char *d, size_t n, const bh_drift_entry *e)
{
	const bh_drift_meta *m = e->kind == BH_DRIFT_DELETED ? &e->image : &e->container;
	switch (e->kind) {
	case BH_DRIFT_MODE:
		snprintf(d, n, "%04o -> %04o", (unsigned)e->image.mode, (unsigned)e->container.mode);
		break;
	case BH_DRIFT_OWNER:
		snprintf(d, n, "%u:%u -> %u:%u", (unsigned)e->image.uid, (unsigned)e->image.gid, (unsigned)e->container.uid,
			 (unsigned)e->container.gid);
		break;
	case BH_DRIFT_CHANGED:
		if (e->image.type != e->container.type)
			snprintf(d, n, "%s -> %s", type_name(e->image.type), type_name(e->container.type));
		else if (e->image.sha256[0])
			snprintf(d, n, "%.8s -> %.8s", e->image.sha256, e->container.sha256);
		else
			snprintf(d, n, "%s target", type_name(m->type));
		break;
	default:
		if (m->type == 'f')
			snprintf(d, n, "file %04o %llu B", (unsigned)m->mode, (unsigned long long)m->size);
		else
			snprintf(d, n, "%s %04o", type_name(m->type), (unsigned)m->mode);
	}
}

static int write_table(FILE *fp, const json_t *ins, const bh_drift_report *r, const char *const *allow, size_t nallow)
{
	const char *img = json_string_value(json_object_get(ins, "ImageName"));
	size_t ex = 0;
	if (!img)
		img = json_string_value(json_object_get(json_object_get(ins, "Config"), "Image"));
	fputs("container ", fp);
	put_path(fp, ctr_name(ins) ? ctr_name(ins) : "?", 40);
	fputs("  image ", fp);
	put_path(fp, img ? img : "?", 45);
	fputc('\n', fp);
	if (r->n) {
		fprintf(fp, "%-7s  %-8s  %-8s  %-22s  %s\n", "KIND", "SEVERITY", "FLAGS", "DETAIL", "PATH");
		for (size_t i = 0; i < r->n; i++) {
			const bh_drift_entry *e = &r->v[i];
			char d[64], flags[16];
			bool live = e->kind != BH_DRIFT_DELETED;
			snprintf(flags, sizeof(flags), "%s%s%s", e->allowed ? "allowed" : live && e->executable ? "exec" : "",
				 !e->allowed && live && e->executable && e->library ? "," : "",
				 !e->allowed && live && e->library ? "lib" : "");
			detail(d, sizeof(d), e);
			fprintf(fp, "%-7s  %-8s  %-8s  %-22.22s  ", bh_drift_kind_name(e->kind), bh_severity_name(e->severity),
				flags[0] ? flags : "-", d);
			/* 7+2+8+2+8+2+22+2 = 53 columns before the path; a link's target (escaped too) after it */
			if ((live ? e->container.link : e->image.link) != NULL) {
				bh_buf b = BH_BUF_INIT;
				(void)bh_buf_printf(&b, "%s -> %s", e->path, live ? e->container.link : e->image.link);
				put_path(fp, b.failed || !b.data ? e->path : b.data, TABLE_WIDTH - 53);
				bh_buf_free(&b);
			} else {
				put_path(fp, e->path, TABLE_WIDTH - 53);
			}
			fputc('\n', fp);
			ex += !e->allowed && live && (e->executable || e->library);
		}
	}
	fprintf(fp, "\ndrift: %zu added, %zu changed, %zu mode, %zu owner, %zu deleted; %zu executables or libraries\n",
		r->count[BH_DRIFT_ADDED], r->count[BH_DRIFT_CHANGED], r->count[BH_DRIFT_MODE], r->count[BH_DRIFT_OWNER],
		r->count[BH_DRIFT_DELETED], ex);
	fprintf(fp, "allowed: %zu under", r->allowed);
	for (size_t i = 0; i < nallow; i++) {
		fputc(' ', fp);
		put_path(fp, allow[i], 30);
	}
	fprintf(fp, "\nleft out: %zu engine mount points; volumes and bind mounts are not in the upper layer\n", r->skipped);
	return 0;
}

int bh_cmd_drift(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "engine-host", required_argument, NULL, 'e' },
		{ "allow", required_argument, NULL, 'a' },
		{ "exit-code", required_argument, NULL, 'x' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = NULL, *allow[MAX_ALLOW];
	size_t nallow = 0;
	int ch, json = 0, rc, exit_code = BH_EXIT_INPUT, quiet = 0;
	bh_drift_opts o;
	bh_drift_report r;
	bh_limits lim;
	bh_error err;
	json_t *ins = NULL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":f:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "table"))
				json = 0;
			else {
				fprintf(stderr, "bulkhead drift: unknown format \"%.40s\" (table, json)\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'e': host = optarg; break;
		case 'a':
			if (optarg[0] != '/' || nallow == MAX_ALLOW) {
				fprintf(stderr, "bulkhead drift: --allow takes an absolute path (at most %d)\n", MAX_ALLOW);
				return BH_EXIT_USAGE;
			}
			allow[nallow++] = optarg;
			break;
		case 'x':
			if (bh_cli_parse_uint(optarg, 255, &exit_code)) {
				fprintf(stderr, "bulkhead drift: --exit-code takes a decimal number 0..255\n");
				return BH_EXIT_USAGE;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return BH_EXIT_OK;
		default: return bh_cli_bad_option("drift", longopts, ch, argv);
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind < argc ? "bulkhead drift: one CONTAINER expected\n" : "bulkhead drift: missing CONTAINER; e.g. bulkhead drift web-1\n");
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	if (quiet)
		bh_log_set_level(BH_LOG_QUIET);
	memset(&o, 0, sizeof(o));
	if (nallow) {
		o.allow = allow;
		o.nallow = nallow;
	} else {
		for (size_t i = 0; i < bh_drift_default_nallow; i++)
			allow[i] = bh_drift_default_allow[i];
		nallow = bh_drift_default_nallow;
	}
	bh_limits_default(&lim);
	bh_error_clear(&err);
	rc = bh_drift_container(host, argv[optind], &lim, &o, &r, &ins, &err);
	if (rc) {
		bh_cli_print_error(rc, &err);
		bh_drift_report_free(&r);
		return bh_cli_exit_code(rc);
	}
	rc = json ? write_json(stdout, ins, &r, allow, nallow) : write_table(stdout, ins, &r, allow, nallow);
	if (!rc && (fflush(stdout) || ferror(stdout)))
		rc = BH_EIO;
	if (rc)
		fprintf(stderr, "bulkhead drift: cannot write the report\n");
	json_decref(ins);
	ch = bh_drift_count(&r) ? exit_code : BH_EXIT_OK;
	bh_drift_report_free(&r);
	return rc ? BH_EXIT_ERROR : ch;
}
