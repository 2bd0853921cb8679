/* log.c - leveled logging through per-thread logger objects; stderr by default. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/text.h"

static bh_logger g_default = { BH_LOG_WARN, false, false, 0, NULL, NULL };
/* Each thread writes to the logger it installed; threads that installed none share g_default. */
static _Thread_local bh_logger *t_current;

void bh_log_init(bh_logger *lg, int level, bh_log_sink sink, void *ud)
{
	lg->level = level;
	lg->progress = false;
	lg->progress_shown = false;
	lg->warnings = 0;
	lg->sink = sink;
	lg->ud = ud;
}

bh_logger *bh_log_current(void) { return t_current ? t_current : &g_default; }

void bh_log_set_sink(bh_logger *lg, bh_log_sink sink, void *ud)
{
	if (!lg)
		lg = bh_log_current();
	lg->sink = sink;
	lg->ud = ud;
}

bh_logger *bh_log_install(bh_logger *lg)
{
	bh_logger *prev = bh_log_current();
	t_current = lg;
	return prev;
}

void bh_log_set_level(int level) { bh_log_current()->level = level; }
int bh_log_level(void) { return bh_log_current()->level; }
unsigned long bh_log_warnings(void) { return __atomic_load_n(&bh_log_current()->warnings, __ATOMIC_RELAXED); }
void bh_log_set_progress(int on) { bh_log_current()->progress = on != 0; }

/*
 * Messages carry names from images (paths, package names): a file named "\033]0;..." must not
 * retitle or rewrite the user's terminal, nor a CR hide the start of a warning. The stderr sink
 * writes through bh_text_put_term; when even that allocation fails, the message is dropped.
 */
static void stderr_sink(int kind, const char *msg)
{
	static const char *const tags[] = { NULL, "warning", "info", "debug" };
	switch (kind) {
	case BH_LOG_PROGRESS:
		fputs("\r\033[K", stderr);
		bh_text_fput_term(stderr, msg, 0);
		fflush(stderr);
		return;
	case BH_LOG_PROGRESS_DONE:
		fputs("\r\033[K", stderr);
		return;
	default:
		if (kind > BH_LOG_ERROR && kind <= BH_LOG_DEBUG)
			fprintf(stderr, "bulkhead: %s: ", tags[kind]);
		else
			fputs("bulkhead: ", stderr);
		bh_text_fput_term(stderr, msg, 0);
		fputc('\n', stderr);
	}
}

static void deliver(bh_logger *lg, int kind, const char *msg)
{
	if (lg->sink)
		lg->sink(lg->ud, kind, msg);
	else
		stderr_sink(kind, msg);
}

void bh_log_progress_done(void)
{
	bh_logger *lg = bh_log_current();
	/* written only when set: loggers shared by server threads see this call from every thread */
	if (lg->progress_shown) {
		deliver(lg, BH_LOG_PROGRESS_DONE, "");
		lg->progress_shown = false;
	}
}

/* Formats once and hands the text to the current logger's sink. */
static void vemit(bh_logger *lg, int kind, const char *fmt, va_list ap)
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
	if (kind == BH_LOG_PROGRESS)
		lg->progress_shown = true;
	else
		bh_log_progress_done();
	deliver(lg, kind, msg);
	free(heap);
}

void bh_log_progress(const char *fmt, ...)
{
	bh_logger *lg = bh_log_current();
	va_list ap;
	if (!lg->progress)
		return;
	va_start(ap, fmt);
	vemit(lg, BH_LOG_PROGRESS, fmt, ap);
	va_end(ap);
}

void bh_log_warn(const char *fmt, ...)
{
	bh_logger *lg = bh_log_current();
	va_list ap;
	__atomic_fetch_add(&lg->warnings, 1, __ATOMIC_RELAXED);
	if (lg->level < BH_LOG_WARN)
		return;
	va_start(ap, fmt);
	vemit(lg, BH_LOG_WARN, fmt, ap);
	va_end(ap);
}

void bh_log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vemit(bh_log_current(), BH_LOG_ERROR, fmt, ap);
	va_end(ap);
}

void bh_log_info(const char *fmt, ...)
{
	bh_logger *lg = bh_log_current();
	va_list ap;
	if (lg->level < BH_LOG_INFO)
		return;
	va_start(ap, fmt);
	vemit(lg, BH_LOG_INFO, fmt, ap);
	va_end(ap);
}

void bh_log_debug(const char *fmt, ...)
{
	bh_logger *lg = bh_log_current();
	va_list ap;
	if (lg->level < BH_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vemit(lg, BH_LOG_DEBUG, fmt, ap);
	va_end(ap);
}
