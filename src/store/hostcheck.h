/* hostcheck.h - CIS results of a container host and of its containers (host_checks), replaced per host or per container. */
#ifndef BH_STORE_HOSTCHECK_H
#define BH_STORE_HOSTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * One result. container_id "" is the host itself (CIS sections 1-3), else one container's (section 5).
 * status: "fail" (NULL is taken as "fail"), "not-applicable" or "manual". Strings handed to callbacks
 * belong to the store and live only during the callback; host is the host's name.
 */
typedef struct bh_hostcheck {
	int64_t id;
	const char *host, *container_id, *rule_id, *target, *status, *severity, *title, *detail;
	int64_t updated_at;
} bh_hostcheck;
typedef int (*bh_hostcheck_cb)(void *ud, const bh_hostcheck *c);

/*
 * Replaces the results of host (created when unknown) and container_id ("" for the host) with these n,
 * in one transaction (nested in the caller's when one is open): n = 0 clears them. host and
 * container_id of the items are ignored; two items of the same rule and target keep the last.
 */
int bh_hostcheck_set(bh_store *st, const char *host, const char *container_id, const bh_hostcheck *checks, size_t n,
		     int64_t now, bh_error *err);

/*
 * Results by id, paged as the store's lists (store.h). host NULL: any host; container_id NULL: the
 * host and its containers, "" the host only, else that container's (on any host unless host is given).
 */
int bh_hostcheck_list(bh_store *st, const char *host, const char *container_id, int64_t after, size_t limit,
		      bh_hostcheck_cb cb, void *ud, int64_t *next, bh_error *err);

#endif
