/* exception.h - accepted risks: an advisory accepted for an image, a repository or everywhere, with a reason and an expiry. */
#ifndef BH_STORE_EXCEPTION_H
#define BH_STORE_EXCEPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * An exception hides the open findings of its advisory (optionally only those of one package name)
 * from the finding list while it is in force: scope "everywhere", or "image" (a digest) and
 * "repository" (a repository name, as in image repo tags, with or without the registry host), in
 * which case a finding is hidden when every image holding its component is in scope (or, when the
 * list is filtered to one image, when that image is). Past its expiry it stops applying by itself:
 * the findings come back, and the server records an exception.expired event once. Revoking keeps
 * the row (the audit trail) and stops it at once.
 */
typedef struct bh_exception {
	int64_t id;
	const char *advisory;
	const char *package;       /* NULL: every package the advisory names */
	const char *scope;         /* "everywhere" | "image" | "repository" */
	const char *value;         /* the digest or repository; NULL for everywhere */
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
