/* agent.c - `bulkhead agent`: argument parsing and signals only; agent/agent does the work. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "core/log.h"
#include "registry/registry.h"
#include "runtime/baseline.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED); /* the agent's flusher thread reads it too */
}

static void usage(FILE *fp)
{
	fputs("usage: bulkhead agent --server URL --token T [--engine-host unix:///PATH] [--spool DIR]\n"
	      "                      [--once] [--host NAME]\n"
	      "                      [--runtime [--runtime-required] [--rules FILE]... [--no-default-rules]\n"
	      "                       [--baselines] [--learn IMAGE]... [--learn-for D] [--quiet-for D]\n"
	      "                       [--learn-events N] [--network-interval SECS] [--no-bytes]]\n\n"
	      "Reports this container host to `bulkhead serve`: host facts (OS, kernel, engine version), the\n"
	      "host's CIS Docker Benchmark results, every image (its SBOM computed and uploaded once per digest\n"
	      "the server lacks) and every container, stopped ones too, with its CIS section 5 results,\n"
	      "then follows the engine's events (container create/start/die/destroy, image pull/tag/delete)\n"
	      "until SIGTERM or SIGINT. While the server is away, events wait in a bounded on-disk spool and\n"
	      "are resent in order (the server drops duplicates by their key HOST/SEQ).\n\n"
	      "  --server URL         the server, e.g. http://127.0.0.1:8470\n"
	      "  --token T            a token made with `bulkhead token create --role agent --host NAME`\n"
	      "                       (or $BULKHEAD_TOKEN)\n"
	      "  --engine-host URL    Docker Engine API socket, unix:///PATH (default $DOCKER_HOST, then\n"
	      "                       /var/run/docker.sock, /run/podman/podman.sock)\n"
	      "  --spool DIR          the spool and the sequence number (default " BH_AGENT_SPOOL_DIR ")\n"
	      "  --spool-max MIB      spool cap in MiB (default 64); the oldest events go first when full\n"
	      "  --host NAME          this host's name in the inventory (default the hostname; must be the\n"
	      "                       token's host)\n"
	      "  --cacert FILE        CA bundle for an https:// server\n"
	      "  --host-root DIR      the host's root for the CIS host checks (default /; e.g. /host when the\n"
	      "                       agent runs in a container with the host's / mounted there)\n"
	      "  --once               list, send, exit (for cron); exit 5 when events stay spooled\n"
	      "  --runtime            also run the eBPF sensor (root, a kernel with BTF): every event of the\n"
	      "                       containers through the runtime rules (runtime.alert), files written in a\n"
	      "                       container's upper layer and executables run from it (drift.detected), and\n"
	      "                       counts and drops per class and container every 10 s (runtime.stats); when\n"
	      "                       the sensor cannot start, the agent says so once and goes on without it\n"
	      "  --runtime-required   with --runtime: exit when the sensor cannot start\n"
	      "  --rules FILE         runtime rules (Falco's YAML shape) after the default set (repeatable)\n"
	      "  --baselines          with --runtime: behaviour baselines (README \"Baselines\"), kept in\n"
	      "                       SPOOL/baselines and the server's /api/v1/baselines (every 5 s, newest\n"
	      "                       version wins); deviations go out as baseline.deviation; protect mode\n"
	      "                       kills in the kernel\n"
	      "  --learn IMAGE        learn a baseline for IMAGE's repository (repeatable; implies --baselines)\n"
	      "  --learn-for DURATION, --quiet-for DURATION, --learn-events N  as for `watch` (default 5m, 60s)\n"
	      "  --network-interval SECS  with --runtime: the network map (who talks to whom: containers, the\n"
	      "                       host, the outside, with ports, connection and byte counts) from the\n"
	      "                       sensor's connect/accept events, each container's /proc/PID/net and the\n"
	      "                       network policy's skb hooks attached to count bytes (nothing enforced),\n"
	      "                       sent as network.snapshot every SECS seconds when it changed and at stop\n"
	      "                       (default 30; 0: no map); without the hooks the agent says so once and\n"
	      "                       edges carry no byte counts\n"
	      "  --no-bytes           with --runtime: the network map without byte counts (no skb hooks)\n"
	      "  --no-default-rules   only the --rules files\n"
	      "  -q, --quiet          errors only     -v, --verbose  a line per upload and reconnect\n", fp);
}

int bh_cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "token", required_argument, NULL, 't' },
		{ "engine-host", required_argument, NULL, 'e' },
		{ "spool", required_argument, NULL, 'd' },
		{ "spool-max", required_argument, NULL, 'm' },
		{ "host", required_argument, NULL, 'H' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "host-root", required_argument, NULL, 'R' },
		{ "once", no_argument, NULL, '1' },
		{ "runtime", no_argument, NULL, 'r' },
		{ "runtime-required", no_argument, NULL, 'M' },
		{ "rules", required_argument, NULL, 'u' },
		{ "no-default-rules", no_argument, NULL, 'N' },
		{ "baselines", no_argument, NULL, 'B' },
		{ "learn", required_argument, NULL, 'L' },
		{ "learn-for", required_argument, NULL, 'F' },
		{ "quiet-for", required_argument, NULL, 'Q' },
		{ "learn-events", required_argument, NULL, 'E' },
		{ "network-interval", required_argument, NULL, 'I' },
		{ "no-bytes", no_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bh_agent_opts o;
	char learn[16][512];
	const char *learnp[16];
	size_t nlearn = 0;
	struct sigaction sa;
	bh_error err;
	int ch, rc, quiet = 0, verbose = 0, mib, netiv = -1;
	const char *rfiles[32];
	size_t nrfiles = 0;

	bh_agent_opts_default(&o);
	o.token = getenv("BULKHEAD_TOKEN");
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o.server = optarg; break;
		case 't': o.token = optarg; break;
		case 'e': o.engine_host = optarg; break;
		case 'd': o.spool_dir = optarg; break;
		case 'H': o.host = optarg; break;
		case 'c': o.ca_file = optarg; break;
		case 'R': o.host_root = optarg; break;
		case '1': o.once = true; break;
		case 'r': o.runtime = true; break;
		case 'M': o.runtime = o.runtime_required = true; break;
		case 'B': o.baselines = true; break;
		case 'L':
			if (nlearn == sizeof(learn) / sizeof(learn[0]) || !bh_registry_repository_of(optarg, learn[nlearn], sizeof(learn[0]))) {
				fputs("bulkhead agent: --learn wants an image (REPOSITORY[:TAG]), at most 16 of them\n", stderr);
				return BH_EXIT_USAGE;
			}
			learnp[nlearn] = learn[nlearn];
			nlearn++;
			o.baselines = true;
			break;
		case 'E': {
			char *end;
			errno = 0;
			o.learn_events = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || o.learn_events > 1000000000ul) {
				fprintf(stderr, "bulkhead agent: --learn-events wants a count from 1 to 1000000000, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		}
		case 'F':
		case 'Q':
			if (bh_cli_parse_duration(optarg, ch == 'F' ? &o.learn_s : &o.quiet_s)) {
				fprintf(stderr, "bulkhead agent: --%s wants seconds (or 30s, 5m), not \"%s\"\n", ch == 'F' ? "learn-for" : "quiet-for", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'I':
			if (bh_cli_parse_uint(optarg, 86400, &netiv)) {
				fprintf(stderr, "bulkhead agent: --network-interval wants seconds, 0 to 86400, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'N': o.no_default_rules = true; break;
		case 'b': o.network_no_bytes = true; break;
		case 'u':
			if (nrfiles == sizeof(rfiles) / sizeof(rfiles[0])) {
				fputs("bulkhead agent: at most 32 --rules files\n", stderr);
				return BH_EXIT_USAGE;
			}
			rfiles[nrfiles++] = optarg;
			break;
		case 'q': quiet = 1; break;
		case 'v': verbose++; break;
		case 'm':
			if (bh_cli_parse_uint(optarg, 1 << 20, &mib) || mib < 1) {
				fprintf(stderr, "bulkhead agent: --spool-max wants MiB, 1..1048576, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			o.spool_max = (uint64_t)mib << 20;
			break;
		case 'h': usage(stdout); return BH_EXIT_OK;
		default: return bh_cli_bad_option("agent", longopts, ch, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulkhead agent: unexpected argument \"%s\"\n", argv[optind]);
		return BH_EXIT_USAGE;
	}
	if (!o.server || !o.token) {
		fputs("bulkhead agent: --server URL and --token T are required (bulkhead agent --help)\n", stderr);
		return BH_EXIT_USAGE;
	}
	if ((nrfiles || o.no_default_rules || netiv >= 0 || o.network_no_bytes) && !o.runtime) {
		fputs("bulkhead agent: --rules, --no-default-rules, --network-interval and --no-bytes go with --runtime\n", stderr);
		return BH_EXIT_USAGE;
	}
	if (netiv >= 0)
		o.network_interval_s = (unsigned)netiv;
	o.rule_files = rfiles;
	o.nrule_files = nrfiles;
	o.learn_repos = learnp;
	o.nlearn_repos = nlearn;
	if (o.baselines && !o.runtime) {
		fputs("bulkhead agent: --baselines and --learn go with --runtime\n", stderr);
		return BH_EXIT_USAGE;
	}
	o.scan.engine_host = o.engine_host;
	o.cancel = &stop_flag;
	bh_log_set_level(quiet ? BH_LOG_QUIET : BH_LOG_WARN + verbose);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = bh_agent_run(&o, &err);
	if (rc) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	return BH_EXIT_OK;
}
