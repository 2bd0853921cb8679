/* suggest.h - "did you mean ...?": the nearest of a set of names by edit distance. */
#ifndef BH_CORE_SUGGEST_H
#define BH_CORE_SUGGEST_H

#include <stddef.h>

/*
 * Damerau-Levenshtein distance (insert, delete, substitute, swap of neighbours) between a and b,
 * compared case-insensitively; strings longer than 64 bytes count as far from everything (SIZE_MAX).
 */
size_t bh_suggest_distance(const char *a, const char *b);
/*
 * The candidate nearest to word, or NULL when none is near enough to be a typo: at most 1 edit
 * for words up to 4 bytes, 2 up to 8, else 3; a candidate that word is a prefix of (3+ bytes)
 * counts too. Ties go to the first. The result points into cand (not owned).
 */
const char *bh_suggest(const char *word, const char *const *cand, size_t n);

#endif
