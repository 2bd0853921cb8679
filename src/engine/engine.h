/* engine.h - the Docker Engine API client (docker, `podman system service`) over the engine's unix
 * socket: containers, images, image export and the event stream. */
#ifndef BH_ENGINE_ENGINE_H
#define BH_ENGINE_ENGINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/limits.h"
#include "net/http.h"

/*
 * host is "unix:///path", or NULL for $DOCKER_HOST, then /var/run/docker.sock or
 * /run/podman/podman.sock (whichever is usable). Other schemes are BH_EUSAGE; an engine that does
 * not answer is BH_ENET; errors name the socket and the API path.
 * JSON answers are bounded by lim->max_meta_size and lim->max_json_depth; *out is the caller's
 * to json_decref. A missing container or image is BH_ENOTFOUND.
 */
/* GET /containers/{name}/json. */
int bh_engine_container_inspect(const char *host, const char *name, const bh_limits *lim, json_t **out, bh_error *err);
/* GET /containers/json (running containers). */
int bh_engine_container_list(const char *host, const bh_limits *lim, json_t **out, bh_error *err);
/* GET /containers/json?all=1: every container, stopped and created ones too (State, Status). */
int bh_engine_container_list_all(const char *host, const bh_limits *lim, json_t **out, bh_error *err);
/* GET /version: the engine's Version, ApiVersion, Os, KernelVersion and Components ([{Name, Version}]). */
int bh_engine_version(const char *host, const bh_limits *lim, json_t **out, bh_error *err);
/* GET /images/{name}/json. */
int bh_engine_image_inspect(const char *host, const char *name, const bh_limits *lim, json_t **out, bh_error *err);
/* GET /images/json. */
int bh_engine_image_list(const char *host, const bh_limits *lim, json_t **out, bh_error *err);
/*
 * GET /images/{name}/get: the image as a docker-archive tar, streamed to fn (see bh_http_chunk_fn)
 * in order; more than max_bytes is BH_ELIMIT. The stream is not seekable and lists layers before
 * the manifest that orders them, so readers spool it.
 */
int bh_engine_image_export(const char *host, const char *name, uint64_t max_bytes, bh_http_chunk_fn fn, void *ud, bh_error *err);

/*
 * Called for each event of the stream; ev is borrowed (freed after the call). Returns 0 to go on,
 * BH_ENGINE_STOP to end the stream (bh_engine_events returns 0), or a negative status (with err
 * filled) that bh_engine_events returns.
 */
#define BH_ENGINE_STOP BH_HTTP_STOP
typedef int (*bh_engine_event_fn)(void *ud, json_t *ev, bh_error *err);

typedef struct bh_engine_events_opts {
	/* The API's filters object, e.g. {"type":["container"],"event":["start","die"]}; NULL: every event. */
	const json_t *filters;
	/* As the API takes them (Unix seconds or RFC 3339); NULL since: from now; NULL until: no end. */
	const char *since, *until;
	size_t max_line;           /* one event's bytes; longer ones are skipped with a warning; 0: 256 KiB */
	unsigned max_json_depth;   /* 0: 64 */
	const volatile int *cancel; /* set non-zero (e.g. from a signal handler) to end the stream; returns 0 */
	unsigned long *skipped;    /* if set, counts events skipped as over-long or malformed */
} bh_engine_events_opts;

/*
 * GET /events: reads the newline-delimited JSON stream and calls fn for each event until the
 * stream ends (until reached, engine gone: BH_ENET), fn stops it or *cancel is set.
 */
int bh_engine_events(const char *host, const bh_engine_events_opts *o, bh_engine_event_fn fn, void *ud, bh_error *err);

#endif
