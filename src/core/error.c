/* error.c - filling and decorating bh_error. */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

int bh_error_set(bh_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int bh_error_wrap(bh_error *err, const char *fmt, ...)
{
	char prefix[BH_ERROR_MSG_MAX];
	char old[BH_ERROR_MSG_MAX];
	size_t pl;
	va_list ap;

	if (!err)
		return BH_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is fine here: the message is for humans. */
	pl = strlen(prefix);
	if (pl > sizeof(err->msg) - 3)
		pl = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, pl);
	memcpy(err->msg + pl, ": ", 2);
	strncpy(err->msg + pl + 2, old, sizeof(err->msg) - pl - 3);
	err->msg[sizeof(err->msg) - 1] = '\0';
	return err->code;
}

void bh_error_clear(bh_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

const char *bh_error_name(int code)
{
	switch (code) {
	case BH_OK: return "ok";
	case BH_EINVAL: return "invalid input";
	case BH_ENOMEM: return "out of memory";
	case BH_EIO: return "i/o error";
	case BH_ELIMIT: return "limit exceeded";
	case BH_ENOTFOUND: return "not found";
	case BH_EUNSUPPORTED: return "unsupported";
	case BH_EDIGEST: return "digest mismatch";
	case BH_EUSAGE: return "usage error";
	case BH_ENET: return "network error";
	case BH_EAUTH: return "authentication failed";
	case BH_ENODB: return "no vulnerability DB";
	default: return "error";
	}
}
