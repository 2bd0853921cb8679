/* log.c - leveled stderr logging. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static int g_level = BH_LOG_WARN;
static unsigned long g_warnings;
static int g_progress, g_progress_shown;

void bh_log_set_level(int level) { g_level = level; }
int bh_log_level(void) { return g_level; }
unsigned long bh_log_warnings(void) { return g_warnings; }

void bh_log_set_progress(int on) { g_progress = on; }

void bh_log_progress(const char *fmt, ...)
{
	va_list ap;
	if (!g_progress)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	g_progress_shown = 1;
}

void bh_log_progress_done(void)
{
	if (g_progress_shown)
		fputs("\r\033[K", stderr);
	g_progress_shown = 0;
}

static void vlog(int level, const char *tag, const char *fmt, va_list ap)
{
	if (g_level < level)
		return;
	bh_log_progress_done();
	fprintf(stderr, "bulkhead: %s: ", tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void bh_log_warn(const char *fmt, ...)
{
	va_list ap;
	g_warnings++;
	va_start(ap, fmt);
	vlog(BH_LOG_WARN, "warning", fmt, ap);
	va_end(ap);
}

void bh_log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(BH_LOG_INFO, "info", fmt, ap);
	va_end(ap);
}

void bh_log_debug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(BH_LOG_DEBUG, "debug", fmt, ap);
	va_end(ap);
}
