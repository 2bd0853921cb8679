/* containers.h - which container a cgroup id belongs to (engine inspect data, looked up lazily and cached), and whether an executable came from its upper layer. */
#ifndef BH_RUNTIME_CONTAINERS_H
#define BH_RUNTIME_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/event.h"

typedef struct bh_containers bh_containers;

/*
 * engine_host as for engine/engine.h (NULL: $DOCKER_HOST, then the usual sockets); cgroup_root is
 * where cgroupfs is mounted (NULL: /sys/fs/cgroup). No engine is not an error: containers are then
 * known by their id only. Free with bh_containers_free.
 */
int bh_containers_new(const char *engine_host, const char *cgroup_root, bh_containers **out, bh_error *err);
void bh_containers_free(bh_containers *c);

/*
 * The container of cgroup id cgid, or NULL for the host. A miss scans the engines' cgroup parent
 * dirs for a dir whose inode is cgid (libpod_parent/libpod-ID, machine.slice/libpod-ID.scope,
 * system.slice/docker-ID.scope, docker/ID) and inspects that ID; hits and host ids are cached.
 * The pointer stays valid until bh_containers_free.
 */
const bh_rt_container *bh_containers_lookup(bh_containers *c, uint64_t cgid);

/* A container by name or id (engine inspect, or an id prefix among the cgroup dirs). BH_ENOTFOUND. */
int bh_containers_find(bh_containers *c, const char *name_or_id, const bh_rt_container **out, bh_error *err);

/*
 * Whether path (relative ones against cwd) is a regular file in ct's overlay upper dir, i.e. it was
 * written in the container, not shipped in the image. False when unknown (no upper dir).
 * Not cached: a file can appear there at any moment and an lstat costs about a microsecond.
 */
bool bh_containers_exe_upper(bh_containers *c, const bh_rt_container *ct, const char *path, const char *cwd);

/*
 * The container one of whose network addresses is addr (family AF_INET: the first 4 bytes), or
 * NULL. A miss inspects every container cgroup dir not yet known (at most once a second), so a
 * peer that has not done anything yet is found too.
 */
const bh_rt_container *bh_containers_by_addr(bh_containers *c, int family, const uint8_t addr[16]);

/* Inspects every container cgroup dir not known yet (a peer or a protected container that has not done anything yet). */
void bh_containers_refresh(bh_containers *c);

/* Whether the last bh_containers_refresh saw cgid's cgroup dir: false once the container is gone
 * (cgroup ids are not reused). True when no refresh could read the engines' dirs: unknown is alive. */
bool bh_containers_live(const bh_containers *c, uint64_t cgid);
/* The containers known so far (those that stopped too: their cgroup ids are not reused). */
size_t bh_containers_count(const bh_containers *c);
const bh_rt_container *bh_containers_at(const bh_containers *c, size_t i);

/* Cgroup ids of the engines' parent dirs that exist here (for the sensor's containers-only switch). */
size_t bh_containers_parents(const bh_containers *c, uint64_t *ids, size_t max);

/* The last engine error (a container seen but not inspectable), "" when none; for one warning. */
const char *bh_containers_last_error(const bh_containers *c);

#endif
