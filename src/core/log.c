/* log.c - leveled stderr logging. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/text.h"

static int g_level = BH_LOG_WARN;
static unsigned long g_warnings;
static int g_progress, g_progress_shown;

void bh_log_set_level(int level) { g_level = level; }
int bh_log_level(void) { return g_level; }
unsigned long bh_log_warnings(void) { return g_warnings; }

void bh_log_set_progress(int on) { g_progress = on; }

/*
 * Messages carry names from images (paths, package names): a file named "\033]0;..." must not
 * retitle or rewrite the user's terminal, nor a CR hide the start of a warning. The formatted
 * text goes out through bh_text_put_term; when even that allocation fails, it is dropped.
 */
static void put_escaped(const char *fmt, va_list ap)
{
	char small[512], *heap = NULL;
	const char *msg = small;
	va_list aq;
	int n;
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		heap = malloc((size_t)n + 1);
		if (!heap)
			return;
		vsnprintf(heap, (size_t)n + 1, fmt, ap);
		msg = heap;
	}
	bh_text_fput_term(stderr, msg, 0);
	free(heap);
}

void bh_log_progress(const char *fmt, ...)
{
	va_list ap;
	if (!g_progress)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	put_escaped(fmt, ap);
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
	put_escaped(fmt, ap);
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

void bh_log_error(const char *fmt, ...)
{
	va_list ap;
	bh_log_progress_done();
	fputs("bulkhead: ", stderr);
	va_start(ap, fmt);
	put_escaped(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
