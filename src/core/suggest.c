/* suggest.c - nearest-name suggestions for mistyped options and commands. */
#include "core/suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define MAXLEN 64

size_t bh_suggest_distance(const char *a, const char *b)
{
	size_t d[MAXLEN + 1][MAXLEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;
	if (la > MAXLEN || lb > MAXLEN)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *bh_suggest(const char *word, const char *const *cand, size_t n)
{
	size_t len = strlen(word), best = SIZE_MAX, max = len <= 4 ? 1 : len <= 8 ? 2 : 3, i;
	const char *hit = NULL;
	if (!len)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t dist;
		if (!cand[i])
			continue;
		dist = bh_suggest_distance(word, cand[i]);
		if (len >= 3 && !strncasecmp(cand[i], word, len) && dist > max)
			dist = max; /* an abbreviation getopt found ambiguous or a cut-off word */
		if (dist <= max && dist < best) {
			best = dist;
			hit = cand[i];
		}
	}
	return hit;
}
