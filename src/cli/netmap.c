/* netmap.c - `bulkhead netmap`: watches connections for a while (the eBPF sensor's connect/accept, netpol's byte counters, the containers' /proc/PID/net) and prints who talks to whom. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/text.h"
#include "runtime/ctnet.h"
#include "runtime/netmap.h"
#include "runtime/netpol.h"
#include "runtime/sensor.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *fp)
{
	fputs("usage: bulkhead netmap [--seconds N] [--format json|table] [options]\n"
	      "  the network map: who talks to whom (container to container, to the host, to the outside) with\n"
	      "  ports, protocols, connection and byte counts, first/last seen. Connections already open are read\n"
	      "  from each container's /proc/PID/net/{tcp,tcp6,udp,udp6}; new ones for N seconds from the eBPF\n"
	      "  sensor's connect/accept events; bytes from the network policy's skb hooks (counting only)\n"
	      "      --seconds N          how long to watch (default 10; 0: only the connections open now)\n"
	      "  -f, --format json|table  JSON {nodes, edges} (default) or a table\n"
	      "  -o, --output FILE        write there instead of stdout\n"
	      "      --no-bytes           do not attach the byte-counting hooks\n"
	      "      --cgroup-parent DIR  count bytes below this cgroup v2 dir instead of the engines' (repeatable)\n"
	      "      --engine-host unix:///PATH  Docker Engine API socket (default $DOCKER_HOST, then\n"
	      "                           the usual ones)\n"
	      "needs root for the sensor and the byte counters; without them the map has what /proc shows\n"
	      "exit: 0, 1 error, 2 usage, 5 engine unreachable\n", fp);
}

struct nm {
	bh_netmap_live live;
	bh_netpol *np;
};

static int on_event(void *ud, const bh_rt_event *ev)
{
	struct nm *n = ud;
	bh_error err;
	return bh_netmap_live_feed(&n->live, ev, NULL, &err) == BH_ENOMEM ? BH_ENOMEM : 0;
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A node's name for the table: the container's name, "host", or the address. */
static const char *node_name(const json_t *nodes, const char *id)
{
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		const json_t *n = json_array_get(nodes, i);
		if (!strcmp(json_string_value(json_object_get(n, "id")), id)) {
			const char *nm = json_string_value(json_object_get(n, "name"));
			return !strcmp(id, "host") ? "host" : nm && nm[0] ? nm : id;
		}
	}
	return id;
}

/* s escaped for a terminal, cut to w columns and padded to them (a code point a column). */
static void cell(FILE *fp, const char *s, size_t w)
{
	bh_buf b = BH_BUF_INIT;
	size_t cols = 0;
	size_t n = strlen(s ? s : "");
	/* a long name is cut so that it and the "..." put_term adds fill the column */
	if (bh_text_put_term(&b, s ? s : "", n, n > w && w > 3 ? w - 3 : 0) || bh_buf_oom(&b)) {
		bh_buf_free(&b);
		fprintf(fp, "%-*s", (int)w, "?");
		return;
	}
	for (size_t i = 0; i < b.len; i++)
		cols += ((unsigned char)b.data[i] & 0xC0) != 0x80;
	fprintf(fp, "%.*s%*s", (int)b.len, b.data ? b.data : "", (int)(cols < w ? w - cols : 0), "");
	bh_buf_free(&b);
}

static void print_table(FILE *fp, const json_t *map)
{
	const json_t *nodes = json_object_get(map, "nodes"), *edges = json_object_get(map, "edges");
	fprintf(fp, "%-24s %-24s %-10s %11s %12s %8s  %s\n", "FROM", "TO", "PORT", "CONNECTIONS", "BYTES", "BLOCKED", "LAST SEEN");
	for (size_t i = 0; i < json_array_size(edges); i++) {
		const json_t *e = json_array_get(edges, i);
		char port[24];
		cell(fp, node_name(nodes, json_string_value(json_object_get(e, "from"))), 24);
		fputc(' ', fp);
		cell(fp, node_name(nodes, json_string_value(json_object_get(e, "to"))), 24);
		snprintf(port, sizeof(port), "%d/%s", (int)json_integer_value(json_object_get(e, "port")), json_string_value(json_object_get(e, "proto")));
		fprintf(fp, " %-10s %11lld %12lld %8lld  %s\n", port, (long long)json_integer_value(json_object_get(e, "connections")),
			(long long)json_integer_value(json_object_get(e, "bytes")), (long long)json_integer_value(json_object_get(e, "blocked")),
			json_string_value(json_object_get(e, "last_seen")));
	}
	fprintf(fp, "%zu nodes, %zu edges\n", json_array_size(nodes), json_array_size(edges));
}

int bh_cmd_netmap(int argc, char **argv)
{
	enum { O_SECONDS = 2000, O_NOBYTES, O_PARENT, O_ENGINE };
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-bytes", no_argument, NULL, O_NOBYTES },
		{ "cgroup-parent", required_argument, NULL, O_PARENT },
		{ "engine-host", required_argument, NULL, O_ENGINE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL, *engine_host = NULL, *parents[BH_NETPOL_MAX_PARENTS];
	size_t nparents = 0;
	int ch, rc, seconds = 10, table = 0, nobytes = 0;
	bh_sensor *sensor = NULL;
	struct nm n;
	struct sigaction sa;
	json_t *map = NULL;
	bh_error err;
	double start, next_list;
	FILE *fp = stdout;

	memset(&n, 0, sizeof(n));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_SECONDS:
			if (bh_cli_parse_uint(optarg, 86400, &seconds)) {
				fprintf(stderr, "bulkhead netmap: --seconds wants 0 to 86400, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'f':
			if (!strcmp(optarg, "table"))
				table = 1;
			else if (strcmp(optarg, "json") != 0) {
				fprintf(stderr, "bulkhead netmap: --format wants json or table, not \"%s\"\n", optarg);
				return BH_EXIT_USAGE;
			}
			break;
		case 'o': output = optarg; break;
		case O_NOBYTES: nobytes = 1; break;
		case O_PARENT:
			if (nparents == BH_NETPOL_MAX_PARENTS) {
				fputs("bulkhead netmap: at most 4 --cgroup-parent dirs\n", stderr);
				return BH_EXIT_USAGE;
			}
			parents[nparents++] = optarg;
			break;
		case O_ENGINE: engine_host = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return bh_cli_bad_option("netmap", longopts, ch, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulkhead netmap: unexpected argument \"%s\"\n", argv[optind]);
		return BH_EXIT_USAGE;
	}
	if (seconds > 0) {
		bh_sensor_opts so;
		memset(&so, 0, sizeof(so));
		if (bh_sensor_open(&so, &sensor, &err))
			fprintf(stderr, "bulkhead netmap: warning: no new connections will be seen: %s\n", err.msg);
		if (!nobytes) {
			if (bh_netmap_counters_open(engine_host, parents, nparents, &n.np, &err) && !n.np) {
				fprintf(stderr, "bulkhead netmap: warning: bytes are not counted: %s\n", err.msg);
			} else {
				size_t nh;
				const bh_netpol_hook *h = bh_netpol_hooks(n.np, &nh);
				for (size_t i = 0; i < nh; i++)
					if (!h[i].attached)
						fprintf(stderr, "bulkhead netmap: warning: hook %s on %s unavailable: %s\n", h[i].hook, h[i].where, strerror(h[i].err));
				if (bh_netpol_sync(n.np, &err))
					fprintf(stderr, "bulkhead netmap: warning: %s\n", err.msg);
			}
		}
	}
	/* the sensor is on first: a connection is then either open for the /proc scan or seen starting */
	if ((rc = bh_netmap_live_open(&n.live, engine_host, &err)) < 0)
		goto fail;
	fprintf(stderr, "netmap: %zu containers, %d open connections, watching %d s%s%s\n", n.live.cts.n, rc, seconds,
		sensor ? "" : " (no sensor)", n.np ? "" : " (no byte counters)");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = mono_s();
	next_list = start + 2;
	while (!stop_flag && seconds > 0 && mono_s() - start < seconds) {
		if (sensor) {
			rc = bh_sensor_poll(sensor, 50, on_event, &n, &err);
			if (rc < 0)
				goto fail;
		} else {
			struct timespec ts = { 0, 50000000L };
			nanosleep(&ts, NULL);
		}
		if (mono_s() >= next_list) {
			(void)bh_netmap_live_relist(&n.live, &err);
			next_list = mono_s() + 2;
		}
	}
	if (sensor)
		while (bh_sensor_poll(sensor, 0, on_event, &n, &err) > 0)
			;
	/* events held for a list (a container that started moments after one) are drawn now */
	if ((rc = bh_netmap_live_flush(&n.live, true, &err)))
		goto fail;
	/* a sync that fails now leaves the peers as the last one judged them: the bytes are still worth printing */
	if (n.np && (rc = bh_netmap_live_bytes(&n.live, n.np, &err)) == BH_ENOMEM)
		goto fail;
	if ((rc = bh_netmap_to_json(n.live.map, &map, &err)))
		goto fail;
	if (output && !(fp = fopen(output, "we"))) {
		rc = bh_error_set(&err, BH_EIO, "%s: cannot write", output);
		goto fail;
	}
	if (table)
		print_table(fp, map);
	else {
		json_dumpf(map, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', fp);
	}
	if (fp != stdout && fclose(fp)) {
		rc = bh_error_set(&err, BH_EIO, "%s: write failed", output);
		goto fail;
	}
	json_decref(map);
	bh_netpol_close(n.np);
	bh_sensor_close(sensor);
	bh_netmap_live_close(&n.live);
	return 0;
fail:
	fprintf(stderr, "bulkhead netmap: %s\n", err.msg);
	json_decref(map);
	bh_netpol_close(n.np);
	bh_sensor_close(sensor);
	bh_netmap_live_close(&n.live);
	return rc == BH_ENET ? BH_EXIT_NETWORK : rc == BH_EUSAGE ? BH_EXIT_USAGE : BH_EXIT_ERROR;
}
