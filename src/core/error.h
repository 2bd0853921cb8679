/* error.h - status codes and the caller-owned error struct every library call fills. */
#ifndef BH_CORE_ERROR_H
#define BH_CORE_ERROR_H

#include <stdarg.h>

/* Status codes: 0 is success, every failure is negative and stable (the CLI maps them to exit codes). */
enum {
	BH_OK = 0,
	BH_EINVAL = -1,       /* input is malformed or hostile */
	BH_ENOMEM = -2,       /* allocation failed */
	BH_EIO = -3,          /* read/write/system call failed */
	BH_ELIMIT = -4,       /* a configured limit was hit */
	BH_ENOTFOUND = -5,    /* target, blob or file not found */
	BH_EUNSUPPORTED = -6, /* format recognised but not supported */
	BH_EDIGEST = -7,      /* content does not match its digest */
	BH_EUSAGE = -8,       /* caller/user error in arguments */
	BH_ENET = -9,         /* network or engine API failure */
	BH_EAUTH = -10,       /* credentials refused or missing (a registry answered 401/403) */
	BH_ENODB = -11,       /* no vulnerability DB where one was looked for */
	BH_EBUSY = -12        /* another process holds the work (a lock): try again later */
};

#define BH_ERROR_MSG_MAX 512

/* Owned by the caller (usually on its stack); filled by the callee on failure. */
typedef struct bh_error {
	int code;
	char msg[BH_ERROR_MSG_MAX];
} bh_error;

/* Sets err (if non-NULL) and returns code, so callers can write `return bh_error_set(...)`. */
int bh_error_set(bh_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends "prefix: " to an existing message (adds context such as the file name). */
int bh_error_wrap(bh_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bh_error_clear(bh_error *err);
/* Short stable name of a status code, e.g. "invalid input". */
const char *bh_error_name(int code);

#endif
