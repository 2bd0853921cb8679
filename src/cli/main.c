/* main.c - bulkhead command line: dispatches to one file per subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/product.h"
#include "core/suggest.h"

/* serve.c and token.c (declared here until cli/cli.h, not this helper's file, lists them) */

static void usage(FILE *fp)
{
	fputs("usage: bulkhead <command> [options]\n\n"
	      "commands:\n"
	      "  sbom TARGET     inventory of an image or directory (CycloneDX, SPDX, JSON, table)\n"
	      "  scan TARGET     vulnerabilities, misconfiguration, secrets and licences of an image, directory or\n"
	      "                  stored SBOM; also a Dockerfile, a Kubernetes manifest, host, container:NAME,\n"
	      "                  containers (table, JSON, SARIF, CycloneDX, JUnit, HTML, Markdown)\n"
	      "  db import PATH  load advisories (OSV, Debian tracker, DSA/DLA, Alpine secdb, RustSec, KEV, EPSS)\n"
	      "  db update       download the advisory feeds (or from --mirror) and rebuild the DB\n"
	      "  db status       what the vulnerability DB holds\n"
	      "  image TARGET    scan, as Trivy spells it; fs PATH and rootfs PATH scan dir:PATH\n"
	      "  rules list      every check rule: id, CIS id, severity, title (table or JSON); --runtime: the\n"
	      "                  runtime rules; rules lint FILE, rules test FILE: runtime rule files, tested\n"
	      "  serve           the inventory server: REST API /api/v1 over SQLite or PostgreSQL\n"
	      "  token create    a bearer token for the server (token list, token revoke ID)\n"
	      "  agent           report this container host (images, containers, engine events) to a server\n"
	      "  watch           runtime events of every container (eBPF sensor): exec, writes, connections\n"
	      "  drift CONTAINER what a container changed against its image (added, changed, deleted files)\n"
	      "  contain ACTION CONTAINER  pause, unpause, stop, quarantine (+ forensics), release a container\n"
	      "  baseline CMD    behaviour baselines per image: learn, list, show, export, import, mode,\n"
	      "                  diff, accept\n"
	      "  netmap          who talks to whom: containers, host, outside; ports, connections, bytes (eBPF)\n"
	      "  netpol check|enforce FILE  east-west network policy per container: validate, or enforce in the\n"
	      "                  kernel (cgroup eBPF hooks, else nftables), audit or protect\n"
	      "  version         print the version\n\n"
	      "TARGET: docker-archive:FILE | oci:DIR[:TAG] | oci-archive:FILE[:TAG] | dir:PATH | engine:IMAGE\n"
	      "        or a bare path (kind detected). `bulkhead sbom --help` for options.\n", fp);
}


int bh_cmd_version(int argc, char **argv)
{
	(void)argc; (void)argv;
	printf("bulkhead %s\n", BH_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	/*
	 * With TZ unset, glibc's tzset() stats /etc/localtime on every mktime(); libarchive calls it
	 * for each zip entry, which made that stat a tenth of a `dir:/` scan. A set TZ is read once.
	 */
	if (!getenv("TZ"))
		setenv("TZ", ":/etc/localtime", 0);
	if (argc < 2) {
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "sbom"))
		return bh_cmd_sbom(argc - 1, argv + 1);
	/* image, fs and rootfs: Trivy's words for scan and scan dir:PATH (scan.c reads argv[0]) */
	if (!strcmp(argv[1], "scan") || !strcmp(argv[1], "image") || !strcmp(argv[1], "fs") || !strcmp(argv[1], "rootfs"))
		return bh_cmd_scan(argc - 1, argv + 1);
	if (!strcmp(argv[1], "db"))
		return bh_cmd_db(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rules"))
		return bh_cmd_rules(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return bh_cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "token"))
		return bh_cmd_token(argc - 1, argv + 1);
	if (!strcmp(argv[1], "agent"))
		return bh_cmd_agent(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return bh_cmd_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "drift"))
		return bh_cmd_drift(argc - 1, argv + 1);
	if (!strcmp(argv[1], "baseline"))
		return bh_cmd_baseline(argc - 1, argv + 1);
	if (!strcmp(argv[1], "contain"))
		return bh_cmd_contain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "netpol"))
		return bh_cmd_netpol(argc - 1, argv + 1);
	if (!strcmp(argv[1], "netmap"))
		return bh_cmd_netmap(argc - 1, argv + 1);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version"))
		return bh_cmd_version(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	{
		static const char *const cmds[] = { "sbom", "scan", "image", "fs", "rootfs", "db", "rules", "serve", "token", "agent", "watch", "drift", "contain", "baseline", "netpol", "netmap", "version", "help" };
		const char *hit = bh_suggest(argv[1], cmds, sizeof(cmds) / sizeof(cmds[0]));
		if (hit)
			fprintf(stderr, "bulkhead: unknown command \"%s\"; did you mean %s?\n", argv[1], hit);
		else
			fprintf(stderr, "bulkhead: unknown command \"%s\"\n", argv[1]);
	}
	usage(stderr);
	return BH_EXIT_USAGE;
}
