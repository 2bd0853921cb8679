/* log.h - leveled messages through a logger object (stderr by default); never on stdout. */
#ifndef BH_CORE_LOG_H
#define BH_CORE_LOG_H

#include <stdbool.h>

/* Levels (a logger shows messages at or below its level). */
enum { BH_LOG_QUIET = 0, BH_LOG_WARN = 1, BH_LOG_INFO = 2, BH_LOG_DEBUG = 3 };
/* Message kinds a sink receives: the levels above, plus errors (shown at every level, even quiet)
 * and the transient progress line (BH_LOG_PROGRESS_DONE clears it; its text is ""). */
enum { BH_LOG_ERROR = 0, BH_LOG_PROGRESS = 4, BH_LOG_PROGRESS_DONE = 5 };

/*
 * Receives each message that passes the level, already formatted and not escaped: msg carries
 * names from images, so a sink that writes to a terminal or a log file escapes it for that medium.
 * A sink may be called from any thread that installed its logger; msg is valid during the call only.
 */
typedef void (*bh_log_sink)(void *ud, int kind, const char *msg);

/*
 * A logger: level, sink and counters. The owner keeps it alive while it is installed in any thread.
 * Members are private; use the functions below.
 */
typedef struct bh_logger {
	int level;
	bool progress;          /* deliver BH_LOG_PROGRESS messages */
	bool progress_shown;    /* a progress line is up and must be cleared before the next message */
	unsigned long warnings; /* atomically counted: every bh_log_warn, also when not shown */
	bh_log_sink sink;       /* NULL: stderr, "bulkhead: TAG: " and bh_text_put_term escaping */
	void *ud;
} bh_logger;

/* Initialises lg with level (BH_LOG_QUIET..BH_LOG_DEBUG), no progress line and the given sink
 * (NULL = stderr). Once installed, bh_log_set_level and bh_log_set_progress adjust it. */
void bh_log_init(bh_logger *lg, int level, bh_log_sink sink, void *ud);
/* Replaces the sink of lg (NULL lg = the current logger; NULL sink = stderr). */
void bh_log_set_sink(bh_logger *lg, bh_log_sink sink, void *ud);
/*
 * Makes lg the current logger of the calling thread (NULL = back to the process default, which
 * writes to stderr) and returns the previous one. The bh_log_* calls below all act on the
 * current logger, so a server thread or the CLI installs one and the library code stays as it is.
 */
bh_logger *bh_log_install(bh_logger *lg);
/* The calling thread's current logger (never NULL). */
bh_logger *bh_log_current(void);

/* Level, progress line and warning count of the current logger. */
void bh_log_set_level(int level);
int bh_log_level(void);
void bh_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "bulkhead: MESSAGE" at every level (errors). On stderr, warnings, errors and the progress line
 * are escaped with bh_text_put_term: control characters from image content show as \xNN. */
void bh_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A transient status line, shown only when enabled (the CLI: a TTY and not quiet). */
void bh_log_set_progress(int on);
void bh_log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears the status line if one is shown. */
void bh_log_progress_done(void);
/* Number of warnings emitted so far through the current logger (also counted when quiet). */
unsigned long bh_log_warnings(void);

#endif
