/* serve.c - `bulkhead serve`: argument parsing only; the server (server/http, server/api) and the store do the work. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/buf.h"
#include "server/api.h"
#include "server/dbfeed.h"
#include "server/http.h"
#include "server/notify.h"
#include "server/tracker.h"
#include "server/regwatch.h"
#include "server/uimetrics.h"
#include "store/store.h"

#define DEFAULT_DATA "./bulkhead-data"
#define DEFAULT_LISTEN "127.0.0.1:8470"

static void usage(FILE *fp)
{
	fputs("usage: bulkhead serve [--data DIR] [--listen HOST:PORT] [--store URL] [--tls-cert F --tls-key F]\n"
	      "                      [--db FILE] [--db-update-interval DURATION] [--db-mirror URL]\n"
	      "                      [--db-check-interval DURATION] [--secret-key-file F] [--registry-tick SECONDS]\n"
	      "                      [--max-connections-per-ip N] [--metrics-interval DURATION]\n"
	      "                      [--metrics-sync-ms MS] [--network-retention DURATION]\n\n"
	      "Runs the inventory server: the REST API /api/v1/... (docs/openapi.yaml), /healthz and /metrics,\n"
	      "until SIGTERM or SIGINT. Every route but /healthz needs a bearer token.\n\n"
	      "  --data DIR          data directory, made when missing (default " DEFAULT_DATA "); the SQLite store\n"
	      "                      is DIR/bulkhead.db\n"
	      "  --listen HOST:PORT  address to listen on (default " DEFAULT_LISTEN "; port 0 picks a free one;\n"
	      "                      [::]:8470 for every address)\n"
	      "  --store URL         PostgreSQL instead of SQLite: postgres://user@host/db or \"host=H dbname=D\"\n"
	      "  --tls-cert FILE     PEM certificate chain, with --tls-key: HTTPS\n"
	      "  --tls-key FILE      PEM private key\n"
	      "  --db FILE           vulnerability DB (default DIR/vuln.db): uploaded SBOMs are matched into\n"
	      "                      findings, and every new DB re-evaluates the stored components (only those\n"
	      "                      whose advisories changed): finding.new/changed/resolved events\n"
	      "  --db-update-interval DURATION\n"
	      "                      fetch the advisory feeds this often (e.g. 6h, 30m; default: never; an\n"
	      "                      admin may POST a feed bundle to /api/v1/db, or a cron job may run\n"
	      "                      `bulkhead db update --db FILE`: the server notices the new file)\n"
	      "  --db-mirror URL     base URL of the feeds for --db-update-interval (`db update --mirror`)\n"
	      "  --db-check-interval DURATION\n"
	      "                      how often the DB file is looked at for a new copy (default 30s)\n"
	      "  --secret-key-file F registry passwords and tokens are stored sealed (AES-256-GCM) with the 32-byte\n"
	      "                      key in F (default DIR/secret.key, made with mode 0600 on first use); servers\n"
	      "                      sharing one PostgreSQL need the same file\n"
	      "  --registry-tick S   how often watched registries whose interval ran out get a poll (default 30)\n"
	      "  --max-connections-per-ip N\n"
	      "                      connections one client address may hold (default 64; raise it behind a\n"
	      "                      reverse proxy, where every client has the proxy's address)\n"
	      "  --metrics-interval DURATION\n"
	      "                      the dashboard's counts (overview, per-image) are stored and recounted within\n"
	      "                      a second of a write through this server, and this often in any case, for\n"
	      "                      writes through other servers on the same PostgreSQL (default 300s)\n"
	      "  --metrics-sync-ms MS a GET after a write counts on the spot while counting takes under MS\n"
	      "                      milliseconds (default 250; 0: always answer the stored copy)\n"
	      "  --network-retention DURATION\n"
	      "                      the network map forgets nodes and edges not seen for this long (default 30d;\n"
	      "                      0: never), so it shows what still talks and GET /api/v1/network stays bounded\n"
	      "  -q, --quiet         no line per request\n\n"
	      "Running in one command, then a token for curl:\n"
	      "  bulkhead serve &\n"
	      "  TOKEN=$(bulkhead token create --data " DEFAULT_DATA " --role viewer --name me)\n"
	      "  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8470/api/v1/images\n\n"
	      "Data directory layout, backup and restore (SQLite and PostgreSQL), upgrades, TLS, systemd units,\n"
	      "the container image and Kubernetes manifests: docs/OPERATIONS.md (files in deploy/).\n", fp);
}

/* "6h", "30m", "90s", "2d" or plain seconds; -1 when unreadable. */
static long duration_s(const char *s)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v <= 0 || end == s || v > 1000000000L / 86400)
		return -1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': v *= 60; break;
	case 'h': v *= 3600; break;
	case 'd': v *= 86400; break;
	default: return -1;
	}
	return *end && end[1] ? -1 : v;
}

int bh_cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'b' },
		{ "db-update-interval", required_argument, NULL, 'u' },
		{ "db-mirror", required_argument, NULL, 'm' },
		{ "db-check-interval", required_argument, NULL, 'C' },
		{ "secret-key-file", required_argument, NULL, 'K' },
		{ "registry-tick", required_argument, NULL, 'T' },
		{ "max-connections-per-ip", required_argument, NULL, 'P' },
		{ "metrics-interval", required_argument, NULL, 'M' },
		{ "metrics-sync-ms", required_argument, NULL, 'S' },
		{ "network-retention", required_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = DEFAULT_DATA, *listen = DEFAULT_LISTEN, *url = NULL, *cert = NULL, *key = NULL, *vdb = NULL;
	const char *mirror = NULL;
	long interval = 0, check = 0;
	bh_buf dbp = BH_BUF_INIT;
	bh_dbfeed *feed = NULL;
	bh_dbfeed_config fcfg;
	const char *keyfile = NULL;
	char keypath[4096];
	unsigned tick = 0, per_ip = 0;
	bool quiet = false;
	bh_api *api = NULL;
	bh_regwatch *watch = NULL;
	bh_regwatch_config wcfg;
	bh_notify *notify = NULL;
	bh_notify_config ncfg;
	bh_tracker_worker *trackers = NULL;
	bh_tracker_worker_config tcfg;
	bh_uimetrics *metrics = NULL;
	bh_uimetrics_config mcfg;
	long metrics_interval = 0, net_retention = 30L * 86400;
	int metrics_sync = -1;
	bh_srv *srv = NULL;
	bh_srv_config cfg;
	bh_api_config acfg;
	bh_error err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': data = optarg; break;
		case 'l': listen = optarg; break;
		case 's': url = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'b': vdb = optarg; break;
		case 'u':
			if ((interval = duration_s(optarg)) <= 0) {
				fprintf(stderr, "bulkhead serve: --db-update-interval \"%s\": give a duration such as 6h, 30m or 3600\n",
					optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'm': mirror = optarg; break;
		case 'C':
			if ((check = duration_s(optarg)) <= 0) {
				fprintf(stderr, "bulkhead serve: --db-check-interval \"%s\": give a duration such as 30s or 5m\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'K': keyfile = optarg; break;
		case 'M':
			if ((metrics_interval = duration_s(optarg)) <= 0) {
				fprintf(stderr, "bulkhead serve: --metrics-interval \"%s\": give a duration such as 300, 5m or 1h\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'R':
			if (strcmp(optarg, "0") != 0 && (net_retention = duration_s(optarg)) <= 0) {
				fprintf(stderr, "bulkhead serve: --network-retention \"%s\": give a duration such as 30d or 12h (0: never)\n",
					optarg);
				return BH_EXIT_USAGE;
			}
			if (!strcmp(optarg, "0"))
				net_retention = 0;
			break;
		case 'S': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || *optarg == '-' || v > 3600000) {
				fputs("bulkhead serve: --metrics-sync-ms takes milliseconds from 0 to 3600000\n", stderr);
				return BH_EXIT_USAGE;
			}
			metrics_sync = (int)v;
			break;
		}
		case 'P': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 100000) {
				fputs("bulkhead serve: --max-connections-per-ip takes a number from 1 to 100000\n", stderr);
				return BH_EXIT_USAGE;
			}
			per_ip = (unsigned)v;
			break;
		}
		case 'T': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 86400) {
				fputs("bulkhead serve: --registry-tick takes seconds from 1 to 86400\n", stderr);
				return BH_EXIT_USAGE;
			}
			tick = (unsigned)v;
			break;
		}
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return BH_EXIT_OK;
		default: return bh_cli_bad_option("serve", longopts, ch, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulkhead serve: unexpected argument \"%s\"\n", argv[optind]);
		return BH_EXIT_USAGE;
	}
	if (!listen || !*listen || !data || !*data) {
		fputs("bulkhead serve: --listen and --data need a value\n", stderr);
		return BH_EXIT_USAGE;
	}
	if (!cert != !key) {
		fputs("bulkhead serve: --tls-cert and --tls-key go together\n", stderr);
		return BH_EXIT_USAGE;
	}
	if (!vdb) {
		/* the DB beside the store; made by a bundle, a scheduled update or `db update --db` */
		if (mkdir(data, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "bulkhead serve: data directory %s: %s\n", data, strerror(errno));
			return BH_EXIT_ERROR;
		}
		bh_buf_printf(&dbp, "%s/vuln.db", data);
		if (!dbp.data)
			return BH_EXIT_ERROR;
		vdb = dbp.data;
	}
	if (!keyfile) {
		if ((size_t)snprintf(keypath, sizeof(keypath), "%s/secret.key", data) >= sizeof(keypath)) {
			fputs("bulkhead serve: --data path too long\n", stderr);
			return BH_EXIT_USAGE;
		}
		keyfile = keypath;
		/* with --store the data dir is not the store's, but it still holds the key */
		if (url && mkdir(data, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "bulkhead serve: cannot make %s for secret.key: %s (or give --secret-key-file)\n", data,
				strerror(errno));
			return BH_EXIT_USAGE;
		}
	}
	memset(&acfg, 0, sizeof(acfg));
	acfg.store_url = url;
	acfg.data_dir = url ? NULL : data;
	acfg.vuln_db = access(vdb, F_OK) == 0 ? vdb : NULL;
	acfg.network_retention_s = net_retention;
	rc = bh_api_new(&acfg, &api, &err);
	if (!rc) {
		memset(&fcfg, 0, sizeof(fcfg));
		fcfg.api = api;
		fcfg.db_path = vdb;
		fcfg.mirror = mirror;
		fcfg.update_interval_s = interval;
		fcfg.check_s = check;
		fcfg.reeval_at_start = true;
		rc = bh_dbfeed_start(&fcfg, &feed, &err);
	}
	if (!rc) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.listen = listen;
		cfg.tls_cert = cert;
		cfg.tls_key = key;
		cfg.authenticate = bh_api_authenticate;
		cfg.auth_ud = api;
		cfg.gauges = bh_api_gauges;
		cfg.gauges_ud = api;
		cfg.quiet = quiet;
		cfg.per_ip_connections = per_ip;
		rc = bh_srv_new(&cfg, &srv, &err);
	}
	if (!rc)
		rc = bh_api_register(api, srv, &err);
	if (!rc)
		rc = bh_dbfeed_register(feed, srv, &err);
	if (!rc)
		rc = bh_regwatch_set_key_file(keyfile, &err);
	if (!rc) {
		/* before the server starts: the dashboard's GETs find the worker from the first request */
		memset(&mcfg, 0, sizeof(mcfg));
		mcfg.api = api;
		mcfg.interval_s = (unsigned)metrics_interval;
		mcfg.sync_ms = metrics_sync;
		rc = bh_uimetrics_start(&mcfg, &metrics, &err);
	}
	if (!rc)
		rc = bh_srv_start(srv, &err);
	if (!rc) {
		memset(&wcfg, 0, sizeof(wcfg));
		wcfg.api = api;
		wcfg.tick_s = tick;
		rc = bh_regwatch_start(&wcfg, &watch, &err);
	}
	if (!rc) {
		memset(&ncfg, 0, sizeof(ncfg));
		ncfg.api = api;
		rc = bh_notify_start(&ncfg, &notify, &err);
	}
	if (!rc) {
		memset(&tcfg, 0, sizeof(tcfg));
		tcfg.api = api;
		rc = bh_tracker_start(&tcfg, &trackers, &err);
	}
	if (!rc) {
		/* the bound port, not the asked one: with port 0 this line is how a script finds it */
		const char *colon = strrchr(listen, ':');
		int hl = colon ? (int)(colon - listen) : (int)strlen(listen);
		fprintf(stderr, "bulkhead serve: listening on %s://%.*s:%u (store: %s)\n", cert ? "https" : "http", hl, listen,
			bh_srv_port(srv), url ? bh_api_backend(api) : data);
		rc = bh_srv_run(srv, &err);
		if (rc == BH_ELIMIT) {
			fprintf(stderr, "bulkhead serve: %s\n", err.msg);
			rc = 0; /* stopped as asked; the cut requests were logged */
		}
	}
	if (rc)
		bh_cli_print_error(rc, &err);
	/* the worker uses the API's store pool: joined before the API goes */
	bh_notify_stop(notify);
	bh_tracker_stop(trackers);
	bh_regwatch_stop(watch);
	bh_srv_free(srv);
	/* after the server: no handler reads the counts any more */
	bh_uimetrics_stop(metrics);
	bh_dbfeed_stop(feed);
	bh_api_free(api);
	bh_buf_free(&dbp);
	if (!rc)
		fputs("bulkhead serve: stopped\n", stderr);
	return rc ? bh_cli_exit_code(rc) : BH_EXIT_OK;
}
