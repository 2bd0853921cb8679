/* netpol.c - `bulkhead netpol check FILE` (validate a network policy) and `bulkhead netpol enforce FILE` (enforce it until SIGINT/SIGTERM, verdicts as JSON lines). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/text.h"
#include "runtime/netpol.h"
#include "runtime/npyaml.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *fp)
{
	fputs("usage: bulkhead netpol check FILE\n"
	      "       bulkhead netpol enforce FILE [options]\n"
	      "  east-west network policy per container: allow-lists per image, label, name or network (YAML),\n"
	      "  enforced in the kernel (cgroup connect4/6, sendmsg4/6 and skb ingress eBPF hooks on the engines'\n"
	      "  parent cgroups, so containers are covered from birth; nftables in each container's network\n"
	      "  namespace where those hooks cannot load)\n"
	      "  check FILE              validate the policy file; print what it says (exit 0, or 3 naming\n"
	      "                          the error)\n"
	      "  enforce FILE            enforce it until SIGINT/SIGTERM; one JSON line per blocked (protect) or\n"
	      "                          would-be-blocked (audit) connection or datagram on stdout; the hooks and\n"
	      "                          the containers' policies on stderr\n"
	      "  enforce options:\n"
	      "      --mode audit|protect  every policy's mode (default: each policy's, else the file's `mode:`)\n"
	      "      --unmapped allow|deny a container that has just started, before bulkhead mapped it (default:\n"
	      "                          the file's `unmapped:`, else deny when any policy protects: fail closed)\n"
	      "      --mechanism auto|bpf|nft  eBPF hooks, nftables, or eBPF when every enforcing hook\n"
	      "                                attaches (auto)\n"
	      "      --cgroup-parent DIR   attach below this cgroup v2 dir instead of the engines'\n"
	      "                            (repeatable, 4 at most)\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket (default $DOCKER_HOST, then\n"
	      "                            the usual ones)\n"
	      "      --duration SECONDS    stop after this long\n"
	      "  -v, --verbose             libbpf's messages (verifier logs) on stderr\n"
	      "exit: 0 done (signal or --duration), 1 cannot enforce (no hook and no nft, not root), 2 usage,\n"
	      "      3 invalid policy file, 5 engine unreachable\n", fp);
}

static const char *peer_str(const bh_netpol_rule *r, char *buf, size_t n)
{
	char a[64];
	switch (r->peer) {
	case BH_NETPOL_PEER_ANY: return "any";
	case BH_NETPOL_PEER_HOST: return "host";
	case BH_NETPOL_PEER_WORLD: return "world";
	case BH_NETPOL_PEER_CIDR:
		bh_ctnet_addr_str(r->addr, a, sizeof(a));
		snprintf(buf, n, "%s/%u", a, bh_ctnet_addr_is_v4(r->addr) && r->prefix >= 96 ? r->prefix - 96u : r->prefix);
		return buf;
	case BH_NETPOL_PEER_IMAGE: snprintf(buf, n, "image=%s", r->value); return buf;
	case BH_NETPOL_PEER_LABEL: snprintf(buf, n, "label=%s", r->value); return buf;
	case BH_NETPOL_PEER_NAME: snprintf(buf, n, "name=%s", r->value); return buf;
	default: snprintf(buf, n, "network=%s", r->value); return buf;
	}
}

static void put_sel(const bh_npyaml_sel *s)
{
	const char *sep = "";
	if (s->image[0]) { printf("%simage=", sep); bh_text_fput_term(stdout, s->image, 200); sep = ","; }
	if (s->label[0]) { printf("%slabel=", sep); bh_text_fput_term(stdout, s->label, 200); sep = ","; }
	if (s->name[0]) { printf("%sname=", sep); bh_text_fput_term(stdout, s->name, 200); sep = ","; }
	if (s->network[0]) { printf("%snetwork=", sep); bh_text_fput_term(stdout, s->network, 200); }
}

static int cmd_check(const char *file)
{
	bh_npyaml_doc doc;
	bh_error err;
	int rc = bh_npyaml_load_file(file, &doc, &err);

	if (rc) {
		fprintf(stderr, "bulkhead netpol check: %s\n", err.msg);
		bh_npyaml_free(&doc);
		return rc == BH_ENOMEM ? BH_EXIT_ERROR : BH_EXIT_INPUT;
	}
	printf("%s: valid: %zu policies, %zu rules, %zu default-deny selectors, mode %s, unmapped containers %s\n", file, doc.npol, doc.nrules,
	       doc.ndd, bh_netpol_mode_name(doc.mode), doc.unmapped_deny < 0 ? "(deny when protecting)" : doc.unmapped_deny ? "deny" : "allow");
	for (size_t i = 0; i < doc.npol; i++) {
		const bh_npyaml_policy *p = &doc.pol[i];
		fputs("policy ", stdout);
		bh_text_fput_term(stdout, p->name, 128);
		fputs(" match ", stdout);
		put_sel(&p->match);
		printf(" mode %s default ingress %s egress %s\n", bh_netpol_mode_name(p->mode), p->deny_ingress ? "deny" : "allow",
		       p->deny_egress ? "deny" : "allow");
		for (size_t j = 0; j < p->nrules; j++) {
			const bh_netpol_rule *r = &p->rules[j];
			char buf[300], port[32];
			if (r->port == 0)
				snprintf(port, sizeof(port), "any");
			else if (r->port_end > r->port)
				snprintf(port, sizeof(port), "%u-%u", r->port, r->port_end);
			else
				snprintf(port, sizeof(port), "%u", r->port);
			printf("  %s ", r->dir == BH_NETPOL_INGRESS ? "ingress from" : "egress to");
			bh_text_fput_term(stdout, peer_str(r, buf, sizeof(buf)), 300);
			printf(" %s port %s\n", r->proto == 6 ? "tcp" : r->proto == 17 ? "udp" : "any", port);
		}
	}
	for (size_t i = 0; i < doc.ndd; i++) {
		fputs("default-deny ", stdout);
		put_sel(&doc.dd[i]);
		putchar('\n');
	}
	bh_npyaml_free(&doc);
	return 0;
}

static int on_verdict(void *ud, const bh_netpol_verdict *v)
{
	json_t *o = bh_netpol_verdict_json(v);
	(void)ud;
	if (!o)
		return BH_ENOMEM;
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
	return 0;
}

/* Which container has which policy, on stderr whenever it changed. */
static void print_bindings(bh_netpol *np, char **last)
{
	const bh_ctnet *cts = bh_netpol_containers(np);
	char *cur = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&cur, &len);

	if (!m)
		return;
	for (size_t i = 0; i < cts->n; i++) {
		const bh_ctnet_ct *ct = &cts->v[i];
		const char *k;
		if (!bh_netpol_managed(np, ct->cgroup_id))
			continue;
		k = bh_netpol_policy_of(np, ct->cgroup_id);
		fputs("netpol: container ", m);
		bh_text_fput_term(m, ct->name, 128);
		fprintf(m, " (%.12s, cgroup %llu) policy %s\n", ct->id, (unsigned long long)ct->cgroup_id, k[0] ? k : "(none)");
	}
	fclose(m);
	if (cur && (!*last || strcmp(*last, cur) != 0)) {
		fputs(cur[0] ? cur : "netpol: no container under the parents yet\n", stderr);
		fputs("netpol: mapped\n", stderr);
		fflush(stderr);
		free(*last);
		*last = cur;
	} else {
		free(cur);
	}
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmd_enforce(int argc, char **argv)
{
	enum { O_MODE = 2000, O_UNMAPPED, O_MECH, O_PARENT, O_ENGINE, O_DURATION };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, O_MODE },
		{ "unmapped", required_argument, NULL, O_UNMAPPED },
		{ "mechanism", required_argument, NULL, O_MECH },
		{ "cgroup-parent", required_argument, NULL, O_PARENT },
		{ "engine-host", required_argument, NULL, O_ENGINE },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bh_netpol_mode mode = BH_NETPOL_OFF, strongest;
	bh_netpol_opts o;
	bh_npyaml_doc doc;
	bh_netpol *np = NULL;
	struct sigaction sa;
	bh_error err;
	int ch, rc, unmapped = -1, warned_sync = 0;
	unsigned duration = 0;
	char *last = NULL;
	double start;

	memset(&o, 0, sizeof(o));
	memset(&doc, 0, sizeof(doc));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_MODE:
			if (!strcmp(optarg, "audit"))
				mode = BH_NETPOL_AUDIT;
			else if (!strcmp(optarg, "protect"))
				mode = BH_NETPOL_PROTECT;
			else {
				fprintf(stderr, "bulkhead netpol enforce: --mode wants audit or protect, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case O_UNMAPPED:
			if (strcmp(optarg, "allow") != 0 && strcmp(optarg, "deny") != 0) {
				fprintf(stderr, "bulkhead netpol enforce: --unmapped wants allow or deny, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			unmapped = optarg[0] == 'd';
			break;
		case O_MECH:
			if (!strcmp(optarg, "auto"))
				o.mech = BH_NETPOL_MECH_AUTO;
			else if (!strcmp(optarg, "bpf"))
				o.mech = BH_NETPOL_MECH_BPF;
			else if (!strcmp(optarg, "nft"))
				o.mech = BH_NETPOL_MECH_NFT;
			else {
				fprintf(stderr, "bulkhead netpol enforce: --mechanism wants auto, bpf or nft, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case O_PARENT:
			if (o.nparents == BH_NETPOL_MAX_PARENTS) {
				fputs("bulkhead netpol enforce: at most 4 --cgroup-parent dirs\n", stderr);
				return BH_EXIT_USAGE;
			}
			o.parents[o.nparents++] = optarg;
			break;
		case O_ENGINE: o.engine_host = optarg; break;
		case O_DURATION:
			if (bh_cli_parse_duration(optarg, &duration) || duration == 0) {
				fprintf(stderr, "bulkhead netpol enforce: --duration wants seconds (or 30s, 5m), not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'v': o.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: return bh_cli_bad_option("netpol enforce", longopts, ch, argv);
		}
	}
	if (argc - optind != 1) {
		fputs("bulkhead netpol enforce: one policy FILE expected\n", stderr);
		return BH_EXIT_USAGE;
	}
	if ((rc = bh_npyaml_load_file(argv[optind], &doc, &err))) {
		fprintf(stderr, "bulkhead netpol enforce: %s\n", err.msg);
		bh_npyaml_free(&doc);
		return rc == BH_ENOMEM ? BH_EXIT_ERROR : BH_EXIT_INPUT;
	}
	strongest = mode != BH_NETPOL_OFF ? mode : doc.mode;
	for (size_t i = 0; mode == BH_NETPOL_OFF && i < doc.npol; i++)
		if (doc.pol[i].mode > strongest)
			strongest = doc.pol[i].mode;
	if (unmapped < 0)
		unmapped = doc.unmapped_deny >= 0 ? doc.unmapped_deny : strongest == BH_NETPOL_PROTECT;
	o.unmapped_mode = unmapped ? strongest : BH_NETPOL_OFF;
	o.unmapped_deny = unmapped;
	if ((rc = bh_netpol_open(&o, &np, &err))) {
		fprintf(stderr, "bulkhead netpol enforce: %s\n", err.msg);
		bh_npyaml_free(&doc);
		return rc == BH_EUSAGE ? BH_EXIT_USAGE : BH_EXIT_ERROR;
	}
	{
		size_t n;
		const bh_netpol_hook *h = bh_netpol_hooks(np, &n);
		for (size_t i = 0; i < n; i++) {
			if (h[i].attached)
				fprintf(stderr, "hook %-20s on %s attached\n", h[i].hook, h[i].where);
			else
				fprintf(stderr, "WARNING: hook %s on %s UNAVAILABLE (%s: %s): %s\n", h[i].hook, h[i].where, h[i].stage, strerror(h[i].err), h[i].loses);
		}
		if (bh_netpol_is_nft(np) && o.mech != BH_NETPOL_MECH_NFT)
			fputs("WARNING: the eBPF cgroup hooks cannot enforce here: falling back to nftables in each container's network namespace "
			      "(a new container is unprotected until it is mapped, within 2 s)\n", stderr);
		fprintf(stderr, "netpol: %s; %zu policies; mode %s; unmapped containers %s\n", bh_netpol_mechanism(np), doc.npol,
			mode != BH_NETPOL_OFF ? bh_netpol_mode_name(mode) : "per policy", unmapped ? "denied until mapped (fail closed)" : "allowed until mapped");
	}
	if ((rc = bh_netpol_use_yaml(np, &doc, mode, &err)) || (rc = bh_netpol_sync(np, &err))) {
		fprintf(stderr, "bulkhead netpol enforce: %s\n", err.msg);
		bh_netpol_close(np);
		bh_npyaml_free(&doc);
		return rc == BH_ENET ? BH_EXIT_NETWORK : BH_EXIT_ERROR;
	}
	bh_npyaml_free(&doc);
	print_bindings(np, &last);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = mono_s();
	while (!stop_flag) {
		rc = bh_netpol_poll(np, 100, on_verdict, NULL, &err);
		if (rc < 0) {
			fprintf(stderr, "bulkhead netpol enforce: %s\n", err.msg[0] ? err.msg : "writing a verdict failed");
			break;
		}
		fflush(stdout);
		if (bh_netpol_last_sync_error(np)[0] && !warned_sync) {
			fprintf(stderr, "bulkhead netpol enforce: warning: %s\n", bh_netpol_last_sync_error(np));
			warned_sync = 1;
		} else if (!bh_netpol_last_sync_error(np)[0]) {
			warned_sync = 0;
		}
		print_bindings(np, &last);
		if (duration && mono_s() - start >= duration)
			break;
	}
	while (bh_netpol_poll(np, 0, on_verdict, NULL, &err) > 0)
		;
	fflush(stdout);
	if (bh_netpol_drops(np))
		fprintf(stderr, "netpol: %llu verdict records lost to a full ring buffer (the verdicts were applied)\n", (unsigned long long)bh_netpol_drops(np));
	free(last);
	bh_netpol_close(np);
	return rc < 0 ? BH_EXIT_ERROR : 0;
}

int bh_cmd_netpol(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BH_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "check")) {
		if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			usage(stdout);
			return 0;
		}
		if (argc != 3) {
			fputs("bulkhead netpol check: one policy FILE expected\n", stderr);
			return BH_EXIT_USAGE;
		}
		return cmd_check(argv[2]);
	}
	if (!strcmp(argv[1], "enforce"))
		return cmd_enforce(argc - 1, argv + 1);
	fprintf(stderr, "bulkhead netpol: unknown subcommand \"%s\" (check, enforce)\n", argv[1]);
	return BH_EXIT_USAGE;
}
