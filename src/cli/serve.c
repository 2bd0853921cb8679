/* serve.c - `bulkhead serve`: argument parsing only; the server (server/http, server/api) and the store do the work. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "server/api.h"
#include "server/http.h"
#include "store/store.h"

#define DEFAULT_DATA "./bulkhead-data"
#define DEFAULT_LISTEN "127.0.0.1:8470"

static void usage(FILE *fp)
{
	fputs("usage: bulkhead serve [--data DIR] [--listen HOST:PORT] [--store URL] [--tls-cert F --tls-key F] [--db FILE]\n\n"
	      "Runs the inventory server: the REST API /api/v1/... (docs/openapi.yaml), /healthz and /metrics,\n"
	      "until SIGTERM or SIGINT. Every route but /healthz needs a bearer token.\n\n"
	      "  --data DIR          data directory, made when missing (default " DEFAULT_DATA "); the SQLite store\n"
	      "                      is DIR/bulkhead.db\n"
	      "  --listen HOST:PORT  address to listen on (default " DEFAULT_LISTEN "; port 0 picks a free one;\n"
	      "                      [::]:8470 for every address)\n"
	      "  --store URL         PostgreSQL instead of SQLite: postgres://user@host/db or \"host=H dbname=D\"\n"
	      "  --tls-cert FILE     PEM certificate chain, with --tls-key: HTTPS\n"
	      "  --tls-key FILE      PEM private key\n"
	      "  --db FILE           vulnerability DB: uploaded SBOMs are matched into findings\n"
	      "  -q, --quiet         no line per request\n\n"
	      "Running in one command, then a token for curl:\n"
	      "  bulkhead serve &\n"
	      "  TOKEN=$(bulkhead token create --data " DEFAULT_DATA " --role viewer --name me)\n"
	      "  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8470/api/v1/images\n", fp);
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = DEFAULT_DATA, *listen = DEFAULT_LISTEN, *url = NULL, *cert = NULL, *key = NULL, *vdb = NULL;
	bool quiet = false;
	bh_api *api = NULL;
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
	memset(&acfg, 0, sizeof(acfg));
	acfg.store_url = url;
	acfg.data_dir = url ? NULL : data;
	acfg.vuln_db = vdb;
	rc = bh_api_new(&acfg, &api, &err);
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
		rc = bh_srv_new(&cfg, &srv, &err);
	}
	if (!rc)
		rc = bh_api_register(api, srv, &err);
	if (!rc)
		rc = bh_srv_start(srv, &err);
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
	bh_srv_free(srv);
	bh_api_free(api);
	if (!rc)
		fputs("bulkhead serve: stopped\n", stderr);
	return rc ? bh_cli_exit_code(rc) : BH_EXIT_OK;
}
