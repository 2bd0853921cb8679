/* attr.h - compiler attributes shared by every folder (GCC and clang both accept them). */
#ifndef BH_CORE_ATTR_H
#define BH_CORE_ATTR_H

/*
 * On a function whose result must not be dropped: a finished buffer, a detached pointer, the
 * status of a report write. GCC warns even through a (void) cast, so with -Werror a caller has
 * to look at the result. Not put on appends that record their failure in the object itself
 * (bh_buf's sticky flag): those are checked once, at the end.
 */
#define BH_MUST_CHECK __attribute__((warn_unused_result))

#endif
