/* scan.c - `bulkhead scan TARGET`: options into a scan job (src/scan), then the report and the exit code. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/scanupload.h"
#include "check/compliance.h"
#include "check/k8s.h"
#include "core/log.h"
#include "report/compreport.h"
#include "report/riskorder.h"
#include "report/vulnreport.h"
#include "scan/scan.h"

enum { OPT_DB = 2000, OPT_SEVERITY, OPT_UNFIXED, OPT_EXITCODE, OPT_UNIMPORTANT, OPT_IGNORE, OPT_SCANNERS,
       OPT_DOCKERFILE, OPT_POLICY, OPT_MAXAGE, OPT_LICDATA, OPT_INFORMATIONAL, OPT_COMPLIANCE, OPT_COMPDATA,
       OPT_LISTALL, OPT_SHOWSUPP, OPT_GROUPBY, OPT_PSSVERSION, OPT_SERVER, OPT_TOKEN, OPT_PIPEID, OPT_PIPEURL,
       OPT_COMMIT, OPT_BRANCH, OPT_SRVREQ, OPT_SORT };

static void usage(FILE *fp)
{
	fputs("usage: bulkhead scan [options] TARGET\n"
	      "       bulkhead scan --compliance docker-cis-1.6|k8s-pss [options] TARGET...\n"
	      "       bulkhead image [options] TARGET       (the same, as Trivy spells it)\n"
	      "       bulkhead fs|rootfs [options] PATH     (scan dir:PATH)\n\n"
	      "  -f, --format FMT       table (default), json, sarif, cyclonedx (1.6, with vulnerabilities;\n"
	      "                         cyclonedx-1.5 for 1.5), junit,\n"
	      "                         html, markdown, gitlab-codequality, gitlab-container-scanning\n"
	      "      --sort ORDER       risk (default: the risk score, its terms under each finding and in JSON),\n"
	      "                         severity, or package\n"
	      "      --group-by package one table row per package and version with its advisories and the\n"
	      "                         highest fixed version (JSON: a \"groups\" array too)\n"
	      "      --scanners LIST    vuln,config,secret,license (default: images vuln,config,secret;\n"
	      "                         directories and SBOMs vuln; Dockerfiles, manifests, host, containers\n"
	      "                         config)\n"
	      "      --dockerfile F     also lint the Dockerfile the image was built from\n"
	      "      --policy F         policy file (bulkhead.yaml): registries, denied packages and licences,\n"
	      "                         required labels, rules switched off, exceptions, severity, exit code\n"
	      "      --max-image-age D  report images created more than D days ago (default 365, 0 = off)\n"
	      "      --license-data F   SPDX licence list JSON (default: a built-in table of common licences)\n"
	      "      --db PATH          vulnerability DB (default $XDG_CACHE_HOME/bulkhead/vuln.db)\n"
	      "      --severity LIST    only these severities, e.g. HIGH,CRITICAL\n"
	      "      --ignore-unfixed   only vulnerabilities with a fixed version\n"
	      "      --include-unimportant  Debian \"unimportant\" issues too\n"
	      "      --include-informational  count RustSec unmaintained/unsound/notice advisories as\n"
	      "                               vulnerabilities\n"
	      "      --exit-code N      exit with N when findings remain after filtering\n"
	      "      --ignore-file F    suppress findings: text (ID [exp:YYYY-MM-DD] # reason) or YAML with ids,\n"
	      "                         purls, paths, expires and reason (repeatable)\n"
	      "      --vex F            OpenVEX or CycloneDX VEX: not_affected statements suppress findings\n"
	      "                         (repeatable)\n"
	      "      --compliance NAME  docker-cis-1.6: every control of the CIS Docker Benchmark v1.6 with its\n"
	      "                         status (pass, fail, not-applicable, manual) over all TARGETs together\n"
	      "                         (table, json, html)\n"
	      "      --pss-version V    Kubernetes manifests: the Pod Security Standards of policy version V,\n"
	      "                         v1.0..v1.37 or latest (default), as Kubernetes' pod-security-admission\n"
	      "                         defines them\n"
	      "      --compliance-data P  the benchmark's controls: docker-bench-security_checks.tsv or a\n"
	      "                         directory holding it (or cis-benchmarks/ of it); default $BH_SHARED_DATA,\n"
	      "                         ../shared/data, then ../../shared/data beside the bulkhead binary\n"
	      "                         (a .bulkheadignore at the root of a scanned directory is read as\n"
	      "                         --ignore-file)\n"
	      "      --show-suppressed  list what the policy, ignore files and VEX suppressed, with the reason\n"
	      "                         (table, JSON; not counted)\n"
	      "      --list-all-pkgs    accepted for Trivy users: the JSON report always holds every\n"
	      "                         component (sbom)\n"
	      "      --server URL       after the scan, upload the result to `bulkhead serve` (or\n"
	      "                         $BULKHEAD_SERVER): the image SBOM, findings, checks, verdict and\n"
	      "                         pipeline identifiers; a failed upload is said on stderr and leaves the\n"
	      "                         exit code as it was\n"
	      "      --token T          the server's bearer token, operator role (better: $BULKHEAD_TOKEN,\n"
	      "                         kept off the command line)\n"
	      "      --pipeline-id ID, --pipeline-url U, --commit SHA, --branch B\n"
	      "                         the pipeline's identifiers (default from $CI_PIPELINE_ID/$GITHUB_RUN_ID,\n"
	      "                         $CI_PIPELINE_URL, $CI_COMMIT_SHA/$GITHUB_SHA,\n"
	      "                         $CI_COMMIT_REF_NAME/$GITHUB_REF_NAME)\n"
	      "      --server-required  a failed upload is an error: exit 5 (server away) or 6 (token refused)\n"
	      BH_CLI_TARGET_HELP
	      "\nTARGET: any `bulkhead sbom` target, an SBOM file (bulkhead JSON, CycloneDX, SPDX; prefix sbom:\n"
	      "to force), a Dockerfile (or dockerfile:PATH), a Kubernetes manifest (.yaml, or k8s:PATH), host\n"
	      "(or host:ROOT) for the Docker host's CIS checks, container:NAME for a running container or\n"
	      "containers for all of them (Docker Engine API)\n", fp);
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

/* "vuln,secret" -> BH_SCANNER_* bits; -1 on an unknown name. */
static int parse_scanners(const char *s)
{
	int bits = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 4 && !strncmp(s, "vuln", 4)) bits |= BH_SCANNER_VULN;
		else if ((n == 6 && !strncmp(s, "config", 6)) || (n == 9 && !strncmp(s, "misconfig", 9))) bits |= BH_SCANNER_CONFIG;
		else if (n == 6 && !strncmp(s, "secret", 6)) bits |= BH_SCANNER_SECRET;
		else if (n == 7 && !strncmp(s, "license", 7)) bits |= BH_SCANNER_LICENSE;
		else return -1;
		s += n;
		s += *s == ',';
	}
	return bits;
}

/* Whether path is a readable regular file. */
static bool readable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/*
 * The benchmark file: --compliance-data (a file, or a directory holding it or cis-benchmarks/ with it),
 * else $BH_SHARED_DATA, ../shared/data (the project layout, from the repository root) and the
 * shared data two levels above the binary (build/bulkhead in a checkout). 0 and out filled, or -1.
 */
static int find_compliance_data(const char *opt, char *out, size_t n)
{
	static const char *const rel[] = { "cis-benchmarks/docker-bench-security_checks.tsv", "docker-bench-security_checks.tsv" };
	const char *env = getenv("BH_SHARED_DATA");
	char exe[4096], dirs[3][4096];
	size_t nd = 0, i, k;
	ssize_t l;
	if (opt) {
		struct stat st;
		if (stat(opt, &st) == 0 && !S_ISDIR(st.st_mode)) {
			snprintf(out, n, "%s", opt);
			return 0;
		}
		snprintf(dirs[nd++], sizeof(dirs[0]), "%s", opt);
	} else {
		if (env && *env)
			snprintf(dirs[nd++], sizeof(dirs[0]), "%s", env);
		snprintf(dirs[nd++], sizeof(dirs[0]), "../shared/data");
		if ((l = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
			char *slash;
			exe[l] = '\0';
			if ((slash = strrchr(exe, '/')) != NULL) {
				*slash = '\0';
				snprintf(dirs[nd++], sizeof(dirs[0]), "%.4000s/../../shared/data", exe);
			}
		}
	}
	for (i = 0; i < nd; i++)
		for (k = 0; k < sizeof(rel) / sizeof(rel[0]); k++)
			if ((size_t)snprintf(out, n, "%s/%s", dirs[i], rel[k]) < n && readable_file(out))
				return 0;
	return -1;
}

/* What a scanned target contributes to the compliance view (BH_COMP_RAN_* bits). */
static unsigned ran_bits(const char *target, const bh_scan_job *j, const bh_scan_result *r)
{
	bh_target t;
	bh_error e;
	unsigned bits = 0;
	int sc;
	if (bh_target_parse(target, BH_TARGETS_ALL, &t, &e) == 0) {
		sc = j->scanners >= 0 ? j->scanners : bh_scan_default_scanners(&t);
		if (t.kind == BH_TARGET_HOST)
			bits |= BH_COMP_RAN_HOST; /* unless it has no Docker (below) */
		else if (t.kind == BH_TARGET_CONTAINER || t.kind == BH_TARGET_CONTAINERS)
			bits |= r->containers ? BH_COMP_RAN_CONTAINER : 0;
		else if (t.kind == BH_TARGET_DOCKERFILE)
			bits |= BH_COMP_RAN_DOCKERFILE;
		else if (BH_TARGETS_IMAGE & BH_TARGET_BIT(t.kind))
			bits |= (sc & BH_SCANNER_CONFIG ? BH_COMP_RAN_IMAGE : 0) | (sc & BH_SCANNER_SECRET ? BH_COMP_RAN_SECRET : 0);
	}
	bh_target_free(&t);
	if (j->dockerfile)
		bits |= BH_COMP_RAN_DOCKERFILE;
	return bits & ~bh_compliance_na_categories(&r->checks);
}

/*
 * --compliance: every target scanned in turn (images with config and secret checks unless --scanners
 * says otherwise: compliance needs no vulnerability DB), the check findings pooled, the benchmark's
 * controls judged on the pool and written. Returns a BH_E* status (reported) or 0; *fail is set when
 * a control fails and --exit-code/the policy asks for a code.
 */
static int run_compliance(bh_cli_common *c, bh_scan_job *job, const char *name, const char *data_opt, bh_vreport_format fmt,
			  const char *const *targets, size_t nt, int exit_code, int *fail, bool *write_failed)
{
	bh_checks all = { NULL, 0, 0 };
	bh_compliance comp;
	bh_error err;
	bh_cli_out out;
	char path[8192];
	unsigned ran = 0;
	size_t i, k;
	int rc = 0;
	bool pss = strcmp(name, "k8s-pss") == 0;
	char **refs = NULL; /* k8s-pss: each manifest's path, as its findings name it */

	memset(&comp, 0, sizeof(comp));
	if (pss) {
		if (!(refs = calloc(nt, sizeof(*refs))))
			return BH_ENOMEM;
		for (i = 0; i < nt && !rc; i++) {
			bh_target t;
			if ((rc = bh_target_parse(targets[i], BH_TARGETS_ALL, &t, &err))) {
				bh_cli_print_error(rc, &err);
			} else if (t.kind != BH_TARGET_K8S) {
				fprintf(stderr, "bulkhead scan: --compliance k8s-pss takes Kubernetes manifests (.yaml, k8s:PATH), not \"%.200s\"\n",
					targets[i]);
				rc = BH_EUSAGE;
			} else if (!(refs[i] = strdup(t.ref))) {
				rc = BH_ENOMEM;
			}
			bh_target_free(&t);
		}
	} else if (find_compliance_data(data_opt, path, sizeof(path))) {
		fprintf(stderr, "bulkhead scan: the CIS Docker Benchmark controls (docker-bench-security_checks.tsv) were not found %s%s%s; "
			"give --compliance-data FILE|DIR\n", data_opt ? "at " : "in $BH_SHARED_DATA, ../shared/data or beside the binary",
			data_opt ? data_opt : "", "");
		return BH_ENOTFOUND;
	}
	if (!pss && (rc = bh_compliance_load_docker(path, &comp, &err)))
		bh_cli_print_error(rc, &err);
	if (job->scanners < 0)
		job->scanners = BH_SCANNER_CONFIG | BH_SCANNER_SECRET;
	for (i = 0; i < nt && !rc; i++) {
		bh_scan_result res;
		job->target = targets[i];
		bh_error_clear(&err);
		if ((rc = bh_scan_run(job, &res, &err))) {
			bh_cli_print_error(rc, &err);
		} else {
			ran |= ran_bits(targets[i], job, &res);
			for (k = 0; k < res.checks.n && !rc; k++)
				if (bh_checks_add(&all, &res.checks.items[k]))
					rc = BH_ENOMEM;
			if (res.suppressed && !c->quiet)
				fprintf(stderr, "bulkhead: %s: %zu finding%s suppressed by the policy, ignore files or VEX\n", targets[i],
					res.suppressed, res.suppressed == 1 ? "" : "s");
		}
		bh_scan_result_free(&res);
	}
	if (rc == BH_ENOMEM)
		fprintf(stderr, "bulkhead scan: out of memory\n");
	if (!rc && (rc = pss ? bh_compliance_pss((const char *const *)refs, nt, &all, &comp, &err) : bh_compliance_eval(&comp, &all, ran, &err)))
		bh_cli_print_error(rc, &err);
	if (!rc && pss) { /* the data line names the policy version the rows judge */
		char *src = NULL;
		if (asprintf(&src, "%s, policy v1.%d", comp.source ? comp.source : "Pod Security Standards",
			     bh_k8s_pss_minor(job->pss_version)) < 0)
			rc = BH_ENOMEM;
		else
			free(comp.source), comp.source = src;
	}
	if (!rc) {
		if (bh_cli_open_output(c, &out)) {
			*write_failed = true;
		} else {
			if ((rc = bh_compreport_write(&comp, &all, targets, nt, fmt, out.fp, &err))) {
				bh_cli_print_error(rc, &err);
				*write_failed = true;
				rc = 0;
			}
			if (bh_cli_close_output(c, &out, !*write_failed))
				*write_failed = true;
		}
		if (!*write_failed && exit_code && comp.count[BH_COMP_FAIL])
			*fail = exit_code;
	}
	bh_compliance_free(&comp);
	bh_checks_free(&all);
	for (i = 0; refs && i < nt; i++)
		free(refs[i]);
	free(refs);
	return rc;
}

/*
 * A .bulkheadignore at the root of a scanned directory (dir:PATH, or a bare path detected as one)
 * is read as if given with --ignore-file, as Trivy reads .trivyignore. 0 or the load's status.
 */
static int root_ignore_file(const char *target, const bh_cli_common *c, bh_ignores *ig)
{
	bh_target t;
	bh_error err;
	struct stat st;
	char path[4096];
	int rc = 0;
	if (bh_target_parse(target, BH_TARGETS_ALL, &t, &err)) {
		bh_target_free(&t);
		return 0; /* the scan reports the malformed target */
	}
	if (t.kind == BH_TARGET_DIR && t.ref &&
	    snprintf(path, sizeof(path), "%s%s.bulkheadignore", t.ref, t.ref[0] && t.ref[strlen(t.ref) - 1] == '/' ? "" : "/") <
		    (int)sizeof(path) &&
	    lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if (c->verbose && !c->quiet)
			fprintf(stderr, "bulkhead: reading %s (the scanned directory's .bulkheadignore), as with --ignore-file\n", path);
		if ((rc = bh_ignore_load(ig, path, &c->scan.limits, &err)))
			bh_cli_print_error(rc, &err);
	}
	bh_target_free(&t);
	return rc;
}

/* The table's width: the terminal's (stdout), else COLUMNS, else BH_VREPORT_WIDTH_DEFAULT. */
static size_t table_width(FILE *fp)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	int fd = fileno(fp), n;
	if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (cols && *cols && !bh_cli_parse_uint(cols, 1000000, &n) && n > 0) /* the report clamps it */
		return (size_t)n;
	return BH_VREPORT_WIDTH_DEFAULT;
}

int bh_cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "ignore-unfixed", no_argument, NULL, OPT_UNFIXED },
		{ "exit-code", required_argument, NULL, OPT_EXITCODE },
		{ "include-unimportant", no_argument, NULL, OPT_UNIMPORTANT },
		{ "ignore-file", required_argument, NULL, OPT_IGNORE },
		{ "vex", required_argument, NULL, OPT_IGNORE },
		{ "scanners", required_argument, NULL, OPT_SCANNERS },
		{ "dockerfile", required_argument, NULL, OPT_DOCKERFILE },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "max-image-age", required_argument, NULL, OPT_MAXAGE },
		{ "license-data", required_argument, NULL, OPT_LICDATA },
		{ "include-informational", no_argument, NULL, OPT_INFORMATIONAL },
		{ "compliance", required_argument, NULL, OPT_COMPLIANCE },
		{ "compliance-data", required_argument, NULL, OPT_COMPDATA },
		{ "list-all-pkgs", no_argument, NULL, OPT_LISTALL },
		{ "show-suppressed", no_argument, NULL, OPT_SHOWSUPP },
		{ "group-by", required_argument, NULL, OPT_GROUPBY },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "pss-version", required_argument, NULL, OPT_PSSVERSION },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "pipeline-id", required_argument, NULL, OPT_PIPEID },
		{ "pipeline-url", required_argument, NULL, OPT_PIPEURL },
		{ "commit", required_argument, NULL, OPT_COMMIT },
		{ "branch", required_argument, NULL, OPT_BRANCH },
		{ "server-required", no_argument, NULL, OPT_SRVREQ },
		BH_CLI_TARGET_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	bh_cli_common c;
	bh_vreport_format fmt = BH_VREPORT_TABLE;
	bh_vreport_opts vopts = { 0, false, NULL };
	bh_risksort sort = BH_RISKSORT_RISK;
	bh_risk *risks = NULL;
	int exit_code = 0, ch, rc = 0, fail = 0;
	bool write_failed = false;
	const char *policy_path = NULL, *sev_arg = NULL;
	bh_ignores ig = { NULL, 0 };
	bh_policy pol;
	bool have_policy = false, have_exit_code = false;
	bh_scan_job job;
	bh_scan_result res;
	bh_error err;
	bh_cli_out out;
	const char *compliance = NULL, *comp_data = NULL;
	/* argv[0] is the word used: scan, or the Trivy-style aliases image, fs and rootfs (fs: a directory) */
	const char *cmd = argv[0];
	bool as_dir = !strcmp(cmd, "fs") || !strcmp(cmd, "rootfs");
	char *dir_target = NULL;
	bh_scanupload_opts up = { getenv("BULKHEAD_SERVER"), getenv("BULKHEAD_TOKEN"), NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, 0 };
	bool server_required = false;
	int upload_rc = 0;

	memset(&pol, 0, sizeof(pol));
	memset(&res, 0, sizeof(res));
	bh_scan_job_init(&job);
	bh_cli_common_init(&c);
	optind = 1;
	opterr = 0; /* bh_cli_bad_option says it, with a suggestion */
	while ((ch = getopt_long(argc, argv, ":f:o:qvh", longopts, NULL)) != -1) {
		int r = bh_cli_common_opt(&c, ch, optarg, cmd);
		if (r < 0) {
			rc = BH_EUSAGE;
			goto done;
		}
		if (r)
			continue;
		switch (ch) {
		case 'f':
			if (bh_vreport_format_parse(optarg, &fmt)) {
				fprintf(stderr, "bulkhead scan: unknown format \"%s\" (table, json, sarif, cyclonedx, cyclonedx-1.5, junit, html, markdown, gitlab-codequality, gitlab-container-scanning)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_DB: job.db_path = optarg; break;
		case OPT_SEVERITY:
			sev_arg = optarg;
			if (!(job.severities = parse_severities(optarg))) {
				fprintf(stderr, "bulkhead scan: bad --severity \"%s\" (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_UNFIXED: job.ignore_unfixed = true; break;
		case OPT_UNIMPORTANT: job.match.include_unimportant = true; break;
		case OPT_INFORMATIONAL: job.include_informational = true; break;
		case OPT_LISTALL: break; /* the JSON always lists every component under "sbom" */
		case OPT_SHOWSUPP: job.show_suppressed = true; break;
		case OPT_PSSVERSION:
			if (bh_k8s_pss_minor(optarg) < 0) {
				fprintf(stderr, "bulkhead scan: --pss-version takes v1.0..v1.%d or latest, not \"%.40s\"\n", BH_K8S_PSS_LATEST, optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			job.pss_version = optarg;
			break;
		case OPT_SORT:
			if (bh_risksort_parse(optarg, &sort)) {
				fprintf(stderr, "bulkhead scan: --sort takes risk, severity or package, not \"%.40s\"\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_GROUPBY:
			if (strcmp(optarg, "package") != 0) {
				fprintf(stderr, "bulkhead scan: --group-by takes \"package\", not \"%.40s\"\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			vopts.group_by_package = true;
			break;
		case OPT_IGNORE:
			if ((rc = bh_ignore_load(&ig, optarg, &c.scan.limits, &err))) {
				bh_cli_print_error(rc, &err);
				goto done;
			}
			break;
		case OPT_EXITCODE:
			if (bh_cli_parse_uint(optarg, 255, &exit_code)) {
				fprintf(stderr, "bulkhead scan: --exit-code takes a decimal number 0..255, not \"%.40s\"\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			have_exit_code = true;
			break;
		case OPT_SCANNERS:
			if ((job.scanners = parse_scanners(optarg)) <= 0) {
				fprintf(stderr, "bulkhead scan: bad --scanners \"%s\" (vuln,config,secret,license)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case OPT_DOCKERFILE: job.dockerfile = optarg; break;
		case OPT_POLICY: policy_path = optarg; break;
		case OPT_LICDATA: job.license_data = optarg; break;
		case OPT_COMPLIANCE:
			if (strcmp(optarg, "docker-cis-1.6") != 0 && strcmp(optarg, "k8s-pss") != 0) {
				fprintf(stderr, "bulkhead scan: unknown --compliance \"%.60s\" (docker-cis-1.6, k8s-pss)\n", optarg);
				rc = BH_EUSAGE;
				goto done;
			}
			compliance = optarg;
			break;
		case OPT_COMPDATA: comp_data = optarg; break;
		case OPT_SERVER: up.server = optarg; break;
		case OPT_TOKEN: up.token = optarg; break;
		case OPT_PIPEID: up.pipeline_id = optarg; break;
		case OPT_PIPEURL: up.pipeline_url = optarg; break;
		case OPT_COMMIT: up.commit = optarg; break;
		case OPT_BRANCH: up.branch = optarg; break;
		case OPT_SRVREQ: server_required = true; break;
		case OPT_MAXAGE:
			if (bh_cli_parse_uint(optarg, 100000, &job.max_age_days)) {
				fprintf(stderr, "bulkhead scan: --max-image-age takes a number of days (0 = off)\n");
				rc = BH_EUSAGE;
				goto done;
			}
			break;
		case 'h': usage(stdout); goto done;
		default: bh_cli_bad_option(cmd, longopts, ch, argv); rc = BH_EUSAGE; goto done;
		}
	}
	if (compliance) {
		if (optind >= argc) {
			(void)bh_cli_one_target(cmd, argc, argv, optind); /* says what is missing */
			rc = BH_EUSAGE;
			goto done;
		}
		if (fmt != BH_VREPORT_TABLE && fmt != BH_VREPORT_JSON && fmt != BH_VREPORT_HTML) {
			fprintf(stderr, "bulkhead scan: --compliance writes table, json or html\n");
			rc = BH_EUSAGE;
			goto done;
		}
	} else if (bh_cli_one_target(cmd, argc, argv, optind)) {
		rc = BH_EUSAGE;
		goto done;
	}
	job.target = argv[optind];
	if (as_dir && strncmp(job.target, "dir:", 4) != 0) {
		size_t n = strlen(job.target);
		if (!(dir_target = malloc(n + 5))) {
			rc = BH_ENOMEM;
			goto done;
		}
		memcpy(dir_target, "dir:", 4);
		memcpy(dir_target + 4, job.target, n + 1);
		job.target = dir_target;
	}
	if ((rc = root_ignore_file(job.target, &c, &ig)))
		goto done;
	if (policy_path) {
		if ((rc = bh_policy_load(policy_path, &c.scan.limits, &pol, &err))) {
			bh_cli_print_error(rc, &err);
			goto done;
		}
		have_policy = true;
		job.policy = &pol;
		/* --exit-code wins; a policy with fail-on and no exit-code fails the run with 1 */
		if (!have_exit_code)
			exit_code = pol.exit_code ? pol.exit_code : pol.fail_on >= 0 ? BH_EXIT_ERROR : 0;
	}
	if ((rc = bh_cli_registry_credentials(&c, &err))) {
		bh_cli_print_error(rc, &err);
		goto done;
	}
	job.ignores = &ig;
	job.scan = c.scan;
	bh_log_set_level(c.quiet ? BH_LOG_QUIET : BH_LOG_WARN + c.verbose);
	bh_log_set_progress(!c.quiet && isatty(2));
	bh_error_clear(&err);
	if (compliance) {
		if (up.server && *up.server && !c.quiet)
			fprintf(stderr, "bulkhead scan: nothing uploaded: --server (or $BULKHEAD_SERVER) takes single scans, not --compliance\n");
		rc = run_compliance(&c, &job, compliance, comp_data, fmt, (const char *const *)argv + optind, (size_t)(argc - optind),
				    exit_code, &fail, &write_failed);
		goto done;
	}
	if ((rc = bh_scan_run(&job, &res, &err))) {
		bh_cli_print_error(rc, &err);
		goto done;
	}
	/* UNKNOWN is not "low": say what the severity list hid (Go advisories carry no severity) */
	if (res.findings.hidden_unknown && !c.quiet)
		fprintf(stderr, "bulkhead: %zu finding%s of UNKNOWN severity hidden by %s%s (their advisories carry none, as Go's; "
			"add UNKNOWN to the list to see them)\n", res.findings.hidden_unknown, res.findings.hidden_unknown == 1 ? "" : "s",
			sev_arg ? "--severity " : "the policy's severity list", sev_arg ? sev_arg : "");
	if (res.suppressed && !c.quiet)
		fprintf(stderr, "bulkhead: %zu finding%s suppressed by the policy, ignore files or VEX\n", res.suppressed,
			res.suppressed == 1 ? "" : "s");
	/* The scan is done: a report that cannot be written is exit 1 (README), whatever the cause. */
	if (bh_cli_open_output(&c, &out)) {
		write_failed = true;
		goto done;
	}
	/* a local scan: where the image runs is not known (the server knows; `bulkhead serve`) */
	if ((rc = bh_riskorder_apply(job.db_path, &res.sbom, &res.findings, NULL, sort, &risks, &err))) {
		bh_cli_print_error(rc, &err);
		goto done;
	}
	vopts.width = table_width(out.fp);
	vopts.suppressed = job.show_suppressed ? &res.suppressed_list : NULL;
	if ((rc = bh_vreport_write_risk(&res.sbom, &res.findings, &res.checks, fmt, &vopts, risks, out.fp, &err))) {
		bh_cli_print_error(rc, &err);
		write_failed = true;
		rc = 0;
	}
	if (bh_cli_close_output(&c, &out, !write_failed))
		write_failed = true;
	/* Not an error: the findings that remain (at or above the policy's fail-on) decide. */
	if (!write_failed && exit_code && bh_scan_failing(&res, have_policy ? &pol : NULL))
		fail = exit_code;
	if (up.server && *up.server) {
		up.target = job.target;
		up.policy = policy_path;
		up.failing = bh_scan_failing(&res, have_policy ? &pol : NULL) > 0;
		up.exit_code = write_failed ? BH_EXIT_ERROR : fail;
		if ((upload_rc = bh_scanupload_send(&up, &res, &err)) != 0)
			fprintf(stderr, "bulkhead scan: upload to %.300s failed: %s%s\n", up.server, err.msg,
				server_required ? "" : " (the exit code is the scan's; --server-required makes this an error)");
		else if (c.verbose && !c.quiet)
			fprintf(stderr, "bulkhead scan: result uploaded to %.300s\n", up.server);
		if (!server_required)
			upload_rc = 0;
	}
done:
	free(risks);
	bh_scan_result_free(&res);
	if (have_policy)
		bh_policy_free(&pol);
	bh_ignore_free(&ig);
	bh_cli_common_free(&c);
	free(dir_target);
	return rc ? bh_cli_exit_code(rc) : upload_rc ? bh_cli_exit_code(upload_rc) : write_failed ? BH_EXIT_ERROR : fail;
}
