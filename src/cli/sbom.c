/* sbom.c - `bulkhead sbom TARGET`: argument parsing only; the library does the work. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "report/report.h"

static void usage(FILE *fp)
{
	char forms[400];
	bh_target_forms(BH_TARGETS_IMAGE, forms, sizeof(forms));
	fputs("usage: bulkhead sbom [options] TARGET\n\n"
	      "  -f, --format FMT     table (default), json, cyclonedx (1.6; cyclonedx-1.5 for 1.5), spdx\n"
	      BH_CLI_TARGET_HELP, fp);
	/* the forms, broken at their separators to fit 100 columns */
	fputs("\nTARGET:", fp);
	{
		const char *p = forms;
		size_t col = 8;
		while (*p) {
			const char *sep = strstr(p, " | ");
			size_t n = sep ? (size_t)(sep - p) : strlen(p);
			if (p != forms && col + 3 + n > 100) {
				fputs(" |\n       ", fp);
				col = 7;
			} else if (p != forms) {
				fputs(" |", fp);
				col += 2;
			}
			fprintf(fp, " %.*s", (int)n, p);
			col += 1 + n;
			p += n + (sep ? 3 : 0);
		}
	}
	fputc('\n', fp);
}

int bh_cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		BH_CLI_TARGET_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	bh_cli_common c;
	bh_format fmt = BH_FORMAT_TABLE;
	bh_sbom s;
	bh_error err;
	bh_cli_out out;
	int ch, rc, ret = BH_EXIT_OK;

	bh_cli_common_init(&c);
	optind = 1;
	opterr = 0; /* bh_cli_bad_option says it, with a suggestion */
	while ((ch = getopt_long(argc, argv, ":f:o:qvh", longopts, NULL)) != -1) {
		int r = bh_cli_common_opt(&c, ch, optarg, "sbom");
		if (r < 0) {
			ret = BH_EXIT_USAGE;
			goto done;
		}
		if (r)
			continue;
		switch (ch) {
		case 'f':
			if (bh_format_parse(optarg, &fmt)) {
				fprintf(stderr, "bulkhead sbom: unknown format \"%s\" (table, json, cyclonedx, cyclonedx-1.5, spdx)\n", optarg);
				ret = BH_EXIT_USAGE;
				goto done;
			}
			break;
		case 'h': usage(stdout); goto done;
		default: ret = bh_cli_bad_option("sbom", longopts, ch, argv); goto done;
		}
	}
	if ((ret = bh_cli_one_target("sbom", argc, argv, optind)))
		goto done;
	if ((rc = bh_cli_inventory(&c, argv[optind], BH_TARGETS_IMAGE, &s))) {
		bh_sbom_free(&s);
		ret = bh_cli_exit_code(rc);
		goto done;
	}
	if (bh_cli_open_output(&c, &out)) {
		bh_sbom_free(&s);
		ret = BH_EXIT_ERROR;
		goto done;
	}
	rc = bh_report_write(&s, fmt, out.fp, &err);
	if (rc)
		bh_cli_print_error(rc, &err);
	ch = bh_cli_close_output(&c, &out, rc == 0);
	bh_sbom_free(&s);
	ret = rc || ch ? BH_EXIT_ERROR : BH_EXIT_OK;
done:
	bh_cli_common_free(&c);
	return ret;
}
