/* log.h - warnings and progress to stderr; quiet unless enabled, never on stdout. */
#ifndef BH_CORE_LOG_H
#define BH_CORE_LOG_H

enum { BH_LOG_QUIET = 0, BH_LOG_WARN = 1, BH_LOG_INFO = 2, BH_LOG_DEBUG = 3 };

void bh_log_set_level(int level);
int bh_log_level(void);
void bh_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "bulkhead: MESSAGE" on stderr at every level (errors). Warnings, errors and the progress line
 * are escaped with bh_text_put_term: control characters from image content show as \xNN. */
void bh_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bh_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A transient status line on stderr, shown only when enabled (a TTY and not quiet). */
void bh_log_set_progress(int on);
void bh_log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears the status line if one is shown. */
void bh_log_progress_done(void);
/* Number of warnings emitted so far (also counted when quiet). */
unsigned long bh_log_warnings(void);

#endif
