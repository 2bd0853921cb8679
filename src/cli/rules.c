/* rules.c - `bulkhead rules list`: the catalogue of check rules as a table or JSON. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check/rules.h"
#include "cli/cli.h"
#include "core/severity.h"

#define TABLE_WIDTH 100 /* the table fits a 100-column terminal; longer titles end in "…" */

static void usage(FILE *fp)
{
	fputs("usage: bulkhead rules list [-f table|json]\n\n"
	      "Every check rule bulkhead can report (image, Dockerfile, container, host, Kubernetes and the\n"
	      "built-in secret patterns): id, CIS Docker Benchmark v1.6 id, default severity and title. A finding\n"
	      "may carry a higher or lower severity than its rule's default when what it saw warrants it.\n\n"
	      "  -f, --format FMT  table (default; fits 100 columns) or json (also category, why and fix)\n"
	      "  -h, --help        this help\n", fp);
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

int bh_cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, json = 0, rc;

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
