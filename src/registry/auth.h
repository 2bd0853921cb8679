/* auth.h - registry credentials and challenges: WWW-Authenticate parsing, docker config.json auth files, token answers. */
#ifndef BH_REGISTRY_AUTH_H
#define BH_REGISTRY_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Longest header value, auth file and token answer these parsers accept (hostile servers and files). */
#define BH_REGAUTH_MAX_HEADER 8192u
#define BH_REGAUTH_MAX_FILE (4u << 20)
/* A bearer token longer than this is refused (Docker Hub's are about 1-2 KiB, large JWTs 8-16 KiB). */
#define BH_REGAUTH_MAX_TOKEN (64u << 10)

typedef enum bh_regauth_scheme { BH_REGAUTH_NONE = 0, BH_REGAUTH_BASIC, BH_REGAUTH_BEARER } bh_regauth_scheme;

/* One challenge of a WWW-Authenticate header. Strings are owned; free with bh_regauth_challenge_free. */
typedef struct bh_regauth_challenge {
	bh_regauth_scheme scheme;
	char *realm;   /* Bearer: the token server URL; Basic: the realm text; NULL when absent */
	char *service; /* Bearer: service=, or NULL */
	char *scope;   /* Bearer: scope= the server asked for, or NULL */
} bh_regauth_challenge;

/*
 * Parses the first Basic or Bearer challenge of a WWW-Authenticate value (RFC 7235 auth-params:
 * key=token or key="quoted \"string\"", comma separated; scheme names case-insensitive). Other
 * schemes before it are skipped. BH_EUNSUPPORTED when there is none of the two, BH_EINVAL for a
 * malformed value (unterminated quote, over BH_REGAUTH_MAX_HEADER, control bytes), BH_ENOMEM.
 */
int bh_regauth_challenge_parse(const char *value, size_t len, bh_regauth_challenge *c, bh_error *err);
void bh_regauth_challenge_free(bh_regauth_challenge *c);

/* A user name and password. Owned; free with bh_regauth_cred_free (which wipes the password). */
typedef struct bh_regauth_cred {
	char *user;
	char *password;
} bh_regauth_cred;

/*
 * Looks host ("127.0.0.1:5000", "docker.io") up in a docker config.json / containers auth.json
 * document: auths.KEY.auth (base64 "user:password") or auths.KEY.username + .password, where KEY
 * may also carry a scheme and a path ("https://index.docker.io/v1/" stands for docker.io). label
 * names the document in messages. 0 and *c filled when found; BH_ENOTFOUND when the document has
 * no entry for host (or only a credential helper, which is not run); BH_EINVAL for a malformed
 * document or entry, BH_ENOMEM.
 */
int bh_regauth_file_lookup(const char *json, size_t len, const char *host, unsigned max_depth, const char *label,
			   bh_regauth_cred *c, bh_error *err);
/*
 * The same from a file: path, else $REGISTRY_AUTH_FILE, else $HOME/.docker/config.json. A file that
 * does not exist (only when path is NULL) or has no entry is BH_ENOTFOUND; others as above, BH_EIO,
 * BH_ELIMIT over BH_REGAUTH_MAX_FILE. *used receives the path read (static or the argument).
 */
int bh_regauth_file_load(const char *path, const char *host, unsigned max_depth, bh_regauth_cred *c,
			 char *used, size_t used_len, bh_error *err);
void bh_regauth_cred_free(bh_regauth_cred *c);

/* "Basic base64(user:password)" into a new string (caller frees); NULL on allocation failure. */
char *bh_regauth_basic(const bh_regauth_cred *c);

/*
 * The token of a token server's JSON answer ("token", else "access_token"; at most
 * BH_REGAUTH_MAX_TOKEN bytes of visible ASCII). *token is owned by the caller. BH_EINVAL otherwise.
 */
int bh_regauth_token_parse(const char *json, size_t len, unsigned max_depth, char **token, bh_error *err);

#endif
