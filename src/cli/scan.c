/* scan.c - `bulkhead scan TARGET`: inventory (or a stored SBOM), match against the DB, filter, report. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "policy/ignore.h"
#include "report/vulnreport.h"
#include "vuln/match.h"

enum { OPT_DB = 2000, OPT_SEVERITY, OPT_UNFIXED, OPT_EXITCODE, OPT_UNIMPORTANT, OPT_IGNORE };

static void usage(FILE *fp)
{
	fputs("usage: bulkhead scan [options] TARGET\n\n"
	      "  -f, --format FMT       table (default), json, sarif, cyclonedx (with vulnerabilities)\n"
	      "      --db PATH          vulnerability DB (default $XDG_CACHE_HOME/bulkhead/vuln.db)\n"
	      "      --severity LIST    only these severities, e.g. HIGH,CRITICAL\n"
	      "      --ignore-unfixed   only vulnerabilities with a fixed version\n"
	      "      --include-unimportant  Debian \"unimportant\" issues too\n"
	      "      --exit-code N      exit with N when findings remain after filtering\n"
	      "      --ignore-file F    suppress findings: text (ID [exp:YYYY-MM-DD] # reason) or YAML with ids,\n"
	      "                         purls, paths, expires and reason (repeatable)\n"
	      "      --vex F            OpenVEX or CycloneDX VEX: not_affected statements suppress findings (repeatable)\n"
	      BH_CLI_TARGET_HELP
	      "\nTARGET: any `bulkhead sbom` target, or an SBOM file (bulkhead JSON, CycloneDX, SPDX; prefix sbom: to force)\n", fp);
}

/* "HIGH,CRITICAL" -> bit set of severities; 0 on a bad name. */
static unsigned parse_severities(const char *s)
{
	unsigned mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		char one[16];
		bh_severity v;
		snprintf(one, sizeof(one), "%.*s", (int)(n < 15 ? n : 15), s);
		v = bh_severity_parse(one);
		if (v == BH_SEV_UNKNOWN && strcasecmp(one, "unknown") != 0)
			return 0;
		mask |= 1u << v;
		s += n;
		s += *s == ',';
	}
	return mask;
}

int bh_cmd_scan(int argc, char **argv)
{
	struct option longopts[24] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "ignore-unfixed", no_argument, NULL, OPT_UNFIXED },
		{ "exit-code", required_argument, NULL, OPT_EXITCODE },
		{ "include-unimportant", no_argument, NULL, OPT_UNIMPORTANT },
		{ "ignore-file", required_argument, NULL, OPT_IGNORE },
		{ "vex", required_argument, NULL, OPT_IGNORE },
	};
	bh_cli_common c;
	bh_scan_format fmt = BH_SCAN_TABLE;
	bh_match_opts mo = { false };
	unsigned sevmask = 0x1f;
	int ignore_unfixed = 0, exit_code = 0, ch, rc;
	char *dbpath = NULL;
	bh_vulndb *db = NULL;
	bh_findings f = { 0 };
	bh_ignores ig = { NULL, 0 };
	size_t suppressed = 0;
	time_t now = time(NULL);
	bh_sbom s;
	bh_error err;
	FILE *fp;
	size_t i, k;

	memcpy(longopts + 9, bh_cli_target_longopts, 8 * sizeof(struct option));
	bh_cli_common_init(&c);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:qvh", longopts, NULL)) != -1) {
		int r = bh_cli_common_opt(&c, ch, optarg, "scan");
		if (r < 0)
			return BH_EXIT_USAGE;
		if (r)
			continue;
		switch (ch) {
		case 'f':
			if (bh_scan_format_parse(optarg, &fmt)) {
				fprintf(stderr, "bulkhead scan: unknown format \"%s\" (table, json, sarif, cyclonedx)\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case OPT_DB: free(dbpath); dbpath = strdup(optarg); break;
		case OPT_SEVERITY:
			if (!(sevmask = parse_severities(optarg))) {
				fprintf(stderr, "bulkhead scan: bad --severity \"%s\" (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL)\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case OPT_UNFIXED: ignore_unfixed = 1; break;
		case OPT_UNIMPORTANT: mo.include_unimportant = true; break;
		case OPT_IGNORE:
			if ((rc = bh_ignore_load(&ig, optarg, &c.scan.limits, &err))) {
				fprintf(stderr, "bulkhead: %s\n", err.msg);
				bh_ignore_free(&ig);
				free(dbpath);
				return bh_cli_exit_code(rc);
			}
			break;
		case OPT_EXITCODE:
			exit_code = atoi(optarg);
			if (exit_code < 0 || exit_code > 255) {
				fprintf(stderr, "bulkhead scan: --exit-code takes 0..255\n");
				return BH_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return BH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		bh_ignore_free(&ig);
		free(dbpath);
		return BH_EXIT_USAGE;
	}
	if (!dbpath)
		dbpath = bh_vulndb_default_path();
	if ((rc = bh_vulndb_open(dbpath, &db, &err))) {
		fprintf(stderr, "bulkhead: %s: %s\n", bh_error_name(rc), err.msg);
		bh_ignore_free(&ig);
		free(dbpath);
		return bh_cli_exit_code(rc);
	}
	free(dbpath);
	if ((rc = bh_cli_inventory(&c, argv[optind], 1, &s)))
		goto done;
	{
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = bh_match(db, &s, &mo, &f, &err))) {
			fprintf(stderr, "bulkhead: %s\n", err.msg);
			goto done;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		bh_log_info("matched %zu components: %zu findings in %.1f ms", s.comps.n, f.n,
			    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	/* Filters drop findings before reports and before the exit code is decided. */
	for (i = k = 0; i < f.n; i++) {
		bh_finding *x = &f.items[i];
		if (!(sevmask & (1u << x->severity)) || (ignore_unfixed && !x->fixed)) {
			bh_finding_clear(x);
			continue;
		}
		{
			const bh_ignore_rule *r = bh_ignore_match(&ig, x->id, x->aliases, s.comps.items[x->comp], now);
			if (r) {
				if (c.verbose)
					fprintf(stderr, "bulkhead: %s in %s suppressed by %s%s%s\n", x->id, s.comps.items[x->comp]->name,
						r->origin, r->reason ? ": " : "", r->reason ? r->reason : "");
				suppressed++;
				bh_finding_clear(x);
				continue;
			}
		}
		f.items[k++] = *x;
	}
	f.n = k;
	if (suppressed && !c.quiet)
		fprintf(stderr, "bulkhead: %zu finding%s suppressed by ignore files or VEX\n", suppressed, suppressed == 1 ? "" : "s");
	bh_findings_sort(&s, &f);
	if (!(fp = bh_cli_open_output(&c))) {
		rc = BH_EIO;
		goto done;
	}
	rc = bh_vreport_write(&s, &f, NULL, fmt, fp, &err);
	if (rc)
		fprintf(stderr, "bulkhead: %s\n", err.msg);
	if (bh_cli_close_output(&c, fp) && !rc)
		rc = BH_EIO;
done:
	bh_ignore_free(&ig);
	bh_vulndb_close(db);
	bh_sbom_free(&s);
	ch = f.n;
	bh_findings_free(&f);
	if (rc)
		return bh_cli_exit_code(rc);
	return ch && exit_code ? exit_code : BH_EXIT_OK;
}
