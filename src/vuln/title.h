/* title.h - a one-line title for an advisory that has no summary (PYSEC, some OSV records). */
#ifndef BH_VULN_TITLE_H
#define BH_VULN_TITLE_H

#include <stddef.h>

#define BH_TITLE_MAX 160 /* bytes, before the "…" */

/*
 * The first sentence of details (Markdown as OSV records carry it) as plain text: headings, emphasis,
 * code marks and quote marks dropped, links reduced to their text, whitespace collapsed; cut at a
 * character boundary after max bytes with "…". NULL when details is NULL or holds no text, or when
 * out of memory. Caller frees.
 */
char *bh_title_from_details(const char *details, size_t max);

#endif
