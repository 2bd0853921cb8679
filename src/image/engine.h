/* engine.h - the Docker Engine API calls other modules need (containers); images go through source.h. */
#ifndef BH_IMAGE_ENGINE_H
#define BH_IMAGE_ENGINE_H

#include <jansson.h>

#include "core/error.h"
#include "core/limits.h"

/*
 * host is "unix:///path" or NULL (DOCKER_HOST, then the usual sockets). Answers are bounded by
 * lim->max_meta_size and max_json_depth; *out is the caller's to json_decref.
 */
/* GET /containers/{name}/json; BH_ENOTFOUND when there is no such container. */
int bh_engine_container_inspect(const char *host, const char *name, const bh_limits *lim, json_t **out, bh_error *err);
/* GET /containers/json (running containers). */
int bh_engine_container_list(const char *host, const bh_limits *lim, json_t **out, bh_error *err);

#endif
