/* exception.h - accepted risks: an advisory or a check rule accepted for an image, a repository, a host or everywhere, with a reason and an expiry. */
#ifndef BH_STORE_EXCEPTION_H
#define BH_STORE_EXCEPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * An advisory's exception hides the open findings of its advisory (optionally only those of one package name)
 * from the finding list while it is in force: scope "everywhere", or "image" (a digest) and
 * "repository" (a repository name, as in image repo tags, with or without the registry host), in
 * which case a finding is hidden when every image holding its component is in scope (or, when the
 * list is filtered to one image, when that image is). Past its expiry it stops applying by itself:
 * the findings come back, and the server records an exception.expired event once. Revoking keeps
 * the row (the audit trail) and stops it at once.
 *
 * A rule's exception marks the check results of that rule (CIS and bulkhead rules of images, hosts
 * and containers) accepted: everywhere; for an image digest or a repository (an image's own checks,
 * and the results of containers running that image); or for a host (its own results and its
 * containers'). The server matches them in C (bh_exception_rule_covers): check lists are small.
 */
typedef struct bh_exception {
	int64_t id;
	bool rule;                 /* a check rule accepted (advisory holds the rule id), else an advisory */
	const char *advisory;
	const char *package;       /* advisories: NULL, every package the advisory names */
	const char *target;        /* rules: NULL, every target of the rule; else only results of this target */
	const char *scope;         /* "everywhere" | "image" | "repository" | "host" (rules only) */
	const char *value;         /* the digest, repository or host name; NULL for everywhere */
	const char *justification; /* an OpenVEX not_affected justification, or NULL (risk accepted) */
	const char *reason;
	int64_t expires;           /* Unix seconds; 0: never */
	int64_t created;
	const char *created_by;
	int64_t revoked;           /* 0, or when it was revoked */
} bh_exception;
typedef int (*bh_exception_cb)(void *ud, const bh_exception *e);

int bh_exception_add(bh_store *st, const bh_exception *e, int64_t now, int64_t *id, bh_error *err);
/* BH_ENOTFOUND when there is no such exception in force. */
int bh_exception_revoke(bh_store *st, int64_t id, int64_t now, bh_error *err);
/* In id order: all (also expired and revoked) when all is set, else those in force at now. */
int bh_exception_list(bh_store *st, bool all, int64_t now, bh_exception_cb cb, void *ud, bh_error *err);
/* The exceptions in force at now that hide finding (component_id, advisory) (for ?accepted=true). */
int bh_exception_covering(bh_store *st, int64_t component_id, const char *advisory, const char *image_digest, int64_t now,
			  bh_exception_cb cb, void *ud, bh_error *err);
/* The rule exceptions in force at now, in id order (at most 10,000). */
int bh_exception_rules(bh_store *st, int64_t now, bh_exception_cb cb, void *ud, bh_error *err);

/* A check result as a rule exception's scope judges it: its rule and target, the host it was
 * reported for (NULL for an image's own checks), the image it comes from (NULL when unknown) and
 * that image's repositories (the image_repos names, with and without the registry host). */
typedef struct bh_exception_subject {
	const char *rule_id, *target, *host, *digest;
	const char *const *repos;
	size_t nrepos;
} bh_exception_subject;

/* Whether rule exception e (in force) covers s. Pure. */
bool bh_exception_rule_covers(const bh_exception *e, const bh_exception_subject *s);

/* cb(ud, name) for each repository name of the image digest (image_repos), at most 128. */
int bh_exception_image_repos(bh_store *st, const char *digest, int (*cb)(void *ud, const char *repo), void *ud,
			     bh_error *err);

/* Exceptions that ran out and were not reported yet: each is marked reported before cb sees it
 * (inside the caller's transaction, so the event and the mark commit together). */
int bh_exception_take_expired(bh_store *st, int64_t now, bh_exception_cb cb, void *ud, bh_error *err);

/* The repository names of an image's repo tags (JSON array text), for repository scopes; called
 * when an image is stored. NULL or unreadable JSON adds nothing. */
int bh_exception_index_image(bh_store *st, int64_t image_id, const char *repo_tags_json, bh_error *err);

/*
 * The SQL condition (for the finding list) that finding row f (component c) is hidden: $now is
 * bound at parameter index now_param, and, when image_param is non-zero, the one-image filter's
 * digest at image_param. Writes into buf[cap]; false when it does not fit.
 */
bool bh_exception_sql_hidden(char *buf, size_t cap, unsigned now_param, unsigned image_param);

/* "reg.example:5000/team/app:1.2@sha256:…" → "reg.example:5000/team/app" in out[cap], and the name
 * without the registry host ("team/app") in short_[cap] ("" when there is no host part). */
void bh_exception_repo_names(const char *tag, char *out, char *short_, size_t cap);

#endif
