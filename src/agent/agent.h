/* agent.h - `bulkhead agent`: reports one container host (facts, images with their SBOMs, containers,
 * engine events) to `bulkhead serve`, through a bounded on-disk spool while the server is away. */
#ifndef BH_AGENT_AGENT_H
#define BH_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "image/source.h"

#define BH_AGENT_SPOOL_DIR "./bulkhead-agent-spool"

typedef struct bh_agent_opts {
	const char *server;      /* base URL, http(s)://HOST:PORT (required) */
	const char *token;       /* bearer token with role agent for this host (required) */
	const char *engine_host; /* "unix:///path"; NULL: $DOCKER_HOST, then the default sockets */
	const char *spool_dir;   /* NULL: BH_AGENT_SPOOL_DIR */
	uint64_t spool_max;      /* bytes; 0: BH_SPOOL_MAX_DEFAULT (agent/spool.h) */
	const char *host;        /* the host's name in the inventory; NULL: gethostname() */
	bool once;               /* list, send, return: no event stream */
	const char *ca_file;     /* server TLS: CA bundle instead of the system's; NULL: system */
	const char *host_root;   /* the host's root for the CIS host checks (a mount in a container); NULL: "/" */
	const volatile int *cancel; /* non-zero ends the event stream (a signal handler sets it) */
	bool runtime;            /* the eBPF sensor in a thread: runtime.alert, drift.detected, runtime.stats (agent/rtfeed.h) */
	bool runtime_required;   /* with runtime: a sensor that cannot start fails the run instead of a warning */
	const char *const *rule_files; /* runtime rules after the default set */
	size_t nrule_files;
	bool no_default_rules;
	bool baselines;          /* with runtime: behaviour baselines (runtime/blmon.h), mirrored with the server's
	                          * /api/v1/baselines every BH_AGENT_BASELINE_SYNC_S in SPOOL/baselines */
	const char *const *learn_repos; /* repositories whose baselines this agent learns */
	size_t nlearn_repos;
	unsigned learn_s, quiet_s;
	unsigned long learn_events;   /* learning also ends after this many events (0: time only) */
	unsigned network_interval_s; /* with runtime: network.snapshot every this many seconds when the map
	                          * changed (agent/netfeed.h); 0: no map. Default BH_AGENT_NETWORK_INTERVAL_S */
	bool network_no_bytes;   /* with the map: no byte counters (netpol's skb hooks not attached) */
	bh_source_opts scan;     /* how images are inventoried (limits); engine_host is set from above */
} bh_agent_opts;

#define BH_AGENT_BASELINE_SYNC_S 5
#define BH_AGENT_NETWORK_INTERVAL_S 30

/* Defaults for every field (server and token still to set). */
void bh_agent_opts_default(bh_agent_opts *o);

/*
 * Runs the agent: host facts and CIS host results, every image (its SBOM uploaded once per digest
 * the server does not have: POST /api/v1/images/known asks), every container with its CIS section 5
 * results (stopped ones with their last start and stop), then (unless once) the engine's event
 * stream until *cancel, reconnecting to the engine with backoff. Envelopes the server cannot take
 * now (no answer, 5xx) are spooled and resent in order; SBOMs and check results it could not take
 * are kept in memory and resent about once a second. Returns 0; with once, BH_ENET when events were left in the
 * spool (a later run sends them); BH_EUSAGE for bad options (and rule files that do not load);
 * BH_EIO when the spool is unusable; BH_ENET when the engine cannot be reached at start.
 * With runtime, the sensor's envelopes go through the same spool; a sensor that cannot start is
 * said once and the agent goes on without it, unless runtime_required (its status is returned).
 */
int bh_agent_run(const bh_agent_opts *o, bh_error *err);

#endif
