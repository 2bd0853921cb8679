/* contain.c - `bulkhead contain ACTION CONTAINER`: the runtime actions by hand (pause, unpause, stop, quarantine, unquarantine, release, forensics, status). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/error.h"
#include "runtime/action.h"

static void usage(FILE *fp)
{
	fputs("usage: bulkhead contain ACTION CONTAINER [options]\n"
	      "  carries out a runtime action on a running container (what `watch --enforce` does for a rule)\n"
	      "  or undoes it:\n"
	      "    pause          freeze every process (cgroup v1 freezer, else cgroup v2 cgroup.freeze)\n"
	      "    unpause        thaw them\n"
	      "    stop           stop it through the engine (POST /containers/ID/stop)\n"
	      "    quarantine     forensics (below), then an nftables table bulkhead_quarantine in its\n"
	      "                   network namespace that drops every packet in and out (loopback stays)\n"
	      "    unquarantine   delete that table\n"
	      "    release        unquarantine and unpause\n"
	      "    forensics      only the forensics: processes.tsv, upper.tsv, files/ (upper-layer files\n"
	      "                   up to 1 MiB each, 64 MiB in all), container.txt\n"
	      "    status         whether it is paused and quarantined\n"
	      "  options:\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket (default $DOCKER_HOST, then\n"
	      "                           the usual ones)\n"
	      "      --forensics-dir DIR  where forensics go (default ./bulkhead-forensics), one\n"
	      "                           DIR/NAME-TIME/ each\n"
	      "      --no-forensics       quarantine without forensics\n"
	      "      --timeout SECONDS    stop: SIGKILL after this long (default 10)\n"
	      "needs root (cgroups, setns, nft)\n", fp);
}

int bh_cmd_contain(int argc, char **argv)
{
	enum { O_ENGINE = 2000, O_FDIR, O_NOFOR, O_TIMEOUT };
	static const struct option longopts[] = {
		{ "engine-host", required_argument, NULL, O_ENGINE },
		{ "forensics-dir", required_argument, NULL, O_FDIR },
		{ "no-forensics", no_argument, NULL, O_NOFOR },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const actions[] = { "pause", "unpause", "stop", "quarantine", "unquarantine", "release", "forensics", "status" };
	const char *engine = NULL, *fdir = NULL, *act, *name, *mech = NULL;
	int ch, rc = 0, nofor = 0, timeout = 10;
	bh_action_target t;
	bh_error err;
	size_t a;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_ENGINE: engine = optarg; break;
		case O_FDIR: fdir = optarg; break;
		case O_NOFOR: nofor = 1; break;
		case O_TIMEOUT:
			if (bh_cli_parse_uint(optarg, 3600, &timeout)) {
				fprintf(stderr, "bulkhead contain: --timeout wants seconds from 0 to 3600, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: return bh_cli_bad_option("contain", longopts, ch, argv);
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return BH_EXIT_USAGE;
	}
	act = argv[optind];
	name = argv[optind + 1];
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]) && strcmp(actions[a], act) != 0; a++)
		;
	if (a == sizeof(actions) / sizeof(actions[0])) {
		fprintf(stderr, "bulkhead contain: unknown action \"%s\" (pause, unpause, stop, quarantine, unquarantine, release, forensics, status)\n", act);
		return BH_EXIT_USAGE;
	}
	if ((rc = bh_action_target_resolve(engine, name, &t, &err)))
		goto fail;
	if (!strcmp(act, "stop")) {
		if ((rc = bh_action_stop(engine, t.id, timeout, &err)))
			goto fail;
		printf("stopped %s (engine API POST /containers/%.12s/stop)\n", t.name, t.id);
	} else if (!strcmp(act, "pause") || !strcmp(act, "unpause")) {
		bool on = act[0] == 'p';
		if ((rc = bh_action_pause(&t, on, &mech, &err)))
			goto fail;
		printf("%s %s (%s)\n", on ? "paused" : "unpaused", t.name, mech);
	} else if (!strcmp(act, "quarantine")) {
		char dir[2048];
		if ((rc = bh_action_quarantine(&t, true, &err)))
			goto fail;
		printf("quarantined %s (nftables table inet bulkhead_quarantine in its network namespace, pid %d)\n", t.name, t.pid);
		if (!nofor) {
			if ((rc = bh_action_forensics(&t, fdir, dir, sizeof(dir), &err)))
				goto fail;
			printf("forensics in %s\n", dir);
		}
	} else if (!strcmp(act, "forensics")) {
		char dir[2048];
		if ((rc = bh_action_forensics(&t, fdir, dir, sizeof(dir), &err)))
			goto fail;
		printf("forensics in %s\n", dir);
	} else if (!strcmp(act, "unquarantine") || !strcmp(act, "release")) {
		if ((rc = bh_action_quarantine(&t, false, &err)))
			goto fail;
		printf("unquarantined %s\n", t.name);
		if (act[0] == 'r') {
			if ((rc = bh_action_pause(&t, false, &mech, &err)))
				goto fail;
			printf("unpaused %s (%s)\n", t.name, mech);
		}
	} else {
		int p = bh_action_is_paused(&t, &err), q;
		if (p < 0) {
			rc = p;
			goto fail;
		}
		q = bh_action_is_quarantined(&t, &err);
		if (q < 0) {
			rc = q;
			goto fail;
		}
		printf("%s pid %d paused %s quarantined %s\n", t.name, t.pid, p ? "yes" : "no", q ? "yes" : "no");
	}
	return 0;
fail:
	fprintf(stderr, "bulkhead contain: %s %s: %s\n", act, name, err.msg);
	return bh_cli_exit_code(rc);
}
