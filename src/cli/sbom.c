/* sbom.c - `bulkhead sbom TARGET`: argument parsing only; the library does the work. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "image/source.h"
#include "report/report.h"

static void usage(FILE *fp)
{
	fputs("usage: bulkhead sbom [options] TARGET\n\n"
	      "  -f, --format FMT     table (default), json, cyclonedx, spdx\n"
	      "  -o, --output FILE    write the report to FILE (only after a successful scan)\n"
	      "  -q, --quiet          no warnings or progress on stderr\n"
	      "  -v, --verbose        more detail on stderr (repeat for debug)\n"
	      "      --platform OS/ARCH  image to pick from a multi-platform index (default linux/<this machine>)\n"
	      "      --no-verify      do not check layer and config digests\n"
	      "      --limit NAME=VAL max-layer-size, max-files, max-file-read, max-meta-size, max-json-depth,\n"
	      "                       max-layers, max-archive-depth, time-budget (seconds); sizes take k/m/g\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket (default $DOCKER_HOST)\n\n"
	      "TARGET: docker-archive:FILE | oci:DIR[:TAG] | oci-archive:FILE[:TAG] | dir:PATH | engine:IMAGE | PATH\n", fp);
}

int bh_cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "platform", required_argument, NULL, 'P' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "limit", required_argument, NULL, 'L' },
		{ "engine-host", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bh_scan_opts o;
	bh_format fmt = BH_FORMAT_TABLE;
	const char *output = NULL;
	int quiet = 0, verbose = 0, ch, rc;
	bh_sbom s;
	bh_error err;
	FILE *fp;

	bh_scan_opts_default(&o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (bh_format_parse(optarg, &fmt)) {
				fprintf(stderr, "bulkhead sbom: unknown format \"%s\" (table, json, cyclonedx, spdx)\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		case 'P': o.platform = optarg; break;
		case 'N': o.verify_digests = false; break;
		case 'E': o.engine_host = optarg; break;
		case 'L':
			if (bh_limits_set(&o.limits, optarg)) {
				fprintf(stderr, "bulkhead sbom: bad --limit \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return BH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	bh_log_set_level(quiet ? BH_LOG_QUIET : BH_LOG_WARN + verbose);
	bh_log_set_progress(!quiet && isatty(2));
	bh_sbom_init(&s);
	bh_error_clear(&err);
	rc = bh_scan_target(argv[optind], &o, &s, &err);
	bh_log_progress_done();
	if (rc) {
		fprintf(stderr, "bulkhead: %s: %s\n", bh_error_name(rc), err.msg);
		bh_sbom_free(&s);
		return bh_cli_exit_code(rc);
	}
	fp = output ? fopen(output, "w") : stdout;
	if (!fp) {
		perror(output);
		bh_sbom_free(&s);
		return BH_EXIT_ERROR;
	}
	rc = bh_report_write(&s, fmt, fp, &err);
	if (output && fclose(fp) != 0 && !rc)
		rc = bh_error_set(&err, BH_EIO, "%s: write failed", output);
	else if (!output && fflush(stdout) != 0 && !rc)
		rc = bh_error_set(&err, BH_EIO, "stdout: write failed");
	if (rc)
		fprintf(stderr, "bulkhead: %s\n", err.msg);
	bh_sbom_free(&s);
	return rc ? BH_EXIT_ERROR : BH_EXIT_OK;
}
