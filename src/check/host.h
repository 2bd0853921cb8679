/* host.h - CIS Docker Benchmark v1.6 sections 1-3 checks of a Docker host, from its files. */
#ifndef BH_CHECK_HOST_H
#define BH_CHECK_HOST_H

#include "check/check.h"
#include "core/error.h"

/*
 * Checks the Docker host whose root directory is root ("/" normally; a mounted or unpacked host
 * tree otherwise) from files only: /etc/docker/daemon.json and the dockerd flags in the systemd
 * units (sections 2), ownership and modes of the daemon's files and sockets (section 3), audit rules
 * and /etc/fstab, /etc/group (section 1). Every path is resolved inside root (openat2
 * RESOLVE_IN_ROOT), so absolute symlinks in a foreign tree never reach this machine's files.
 *
 * Findings are appended to out (category "host", rules BH-HOST-NNN, target the file's path as seen
 * from here); out keeps ownership of them. Checks that need the running daemon (docker version,
 * docker info, its sockets) are added with status "not-applicable", BH_SEV_UNKNOWN and the reason
 * in detail; CIS "Manual" checks that found something to review have status "manual". When the
 * Docker engine is not installed under root (no dockerd, docker.service/.socket, daemon.json or
 * /var/lib/docker; an /etc/docker directory alone belongs to docker-registry or a client) the only
 * finding is one "not-applicable" BH-HOST-000.
 *
 * Returns 0; BH_ENOTFOUND / BH_EIO when root cannot be opened; BH_EUNSUPPORTED when root is not "/"
 * and the kernel lacks openat2 (Linux < 5.6); BH_ENOMEM (findings added before stay in out).
 */
/* The host rules (static); the catalogue (check/rules.h) lists them. */
extern const bh_rule bh_host_rules[];
extern const size_t bh_host_rule_count;

int bh_host_check(const char *root, bh_checks *out, bh_error *err);

#endif
