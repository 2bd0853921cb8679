/* licdata.h - the SPDX licence list (built-in table or spdx.org JSON), deprecated ids, exceptions and aliases. */
#ifndef BH_CHECK_LICDATA_H
#define BH_CHECK_LICDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* What a licence obliges; the built-in table assigns these, check/licclass derives the rest. */
typedef enum {
	BH_LIC_UNKNOWN,
	BH_LIC_PERMISSIVE,
	BH_LIC_WEAK_COPYLEFT,
	BH_LIC_STRONG_COPYLEFT,
	BH_LIC_NETWORK_COPYLEFT,
	BH_LIC_PUBLIC_DOMAIN,
	BH_LIC_PROPRIETARY
} bh_license_class;
#define BH_LIC_NCLASS 7

#define BH_LICDATA_KEY_MAX 512 /* longer names are never a known one */

/* One licence of the list. Strings are static (built-in) or owned by the list. */
typedef struct bh_licdata_entry {
	const char *id, *name, *url;
	unsigned char cls;   /* the built-in table's class, or BH_LIC_NCLASS when it names none */
	unsigned char osi;   /* OSI approved or FSF libre */
	unsigned char owned; /* the strings are the list's */
} bh_licdata_entry;

/* The loaded SPDX licence list plus the built-in table; read-only once loaded, so it may be shared. */
typedef struct bh_licdata bh_licdata;

/*
 * Loads the SPDX licence list from a JSON file or a directory holding spdx.json or licenses.json
 * (either the spdx.org licenses.json with "licenses":[{licenseId, name, isOsiApproved, isFsfLibre,
 * seeAlso}], the {id: {name, url, osiApproved}} map, or a plain array of ids). NULL: the built-in
 * table of about 100 common ids only. *out is the caller's, freed with bh_licdata_free.
 */
int bh_licdata_load(const char *spdx_json_path_or_NULL, bh_licdata **out, bh_error *err);
void bh_licdata_free(bh_licdata *l);

/*
 * Lookups. l NULL means the built-in table. Ids compare case-insensitively; names and URLs take the
 * keys of bh_licdata_key / bh_licdata_url_key. The entries belong to l (or are static).
 */
const bh_licdata_entry *bh_licdata_find_id(const bh_licdata *l, const char *id);
const bh_licdata_entry *bh_licdata_find_name(const bh_licdata *l, const char *key);
const bh_licdata_entry *bh_licdata_find_url(const bh_licdata *l, const char *url_key);
/* The built-in class of id, or BH_LIC_NCLASS when the built-in table does not list it. */
unsigned char bh_licdata_builtin_class(const char *id);

/* The current expression for a deprecated id ("GPL-2.0+" -> "GPL-2.0-or-later"), or NULL (static). */
const char *bh_licdata_deprecated(const char *id);
/* Index of a listed licence exception (case-insensitive), or -1. */
int bh_licdata_exception(const char *id);
/* Index of the first listed exception whose id is prefix + "-..." ("Autoconf-exception" -> "...-2.0"), or -1. */
int bh_licdata_exception_prefix(const char *prefix);
/* The exception at index i (from the two above): its id, and whether it makes copyleft weak for its users. */
const char *bh_licdata_exception_id(int i);
bool bh_licdata_exception_weak(int i);
/* The exception id for a name as Debian writes it ("autoconf", key form, "exception" removed), or NULL;
 * v3 picks the version-3 form where one exists. */
const char *bh_licdata_exception_named(const char *key, bool v3);
/* The SPDX expression of a whole name in key form ("apache software license", "mit/x11"), or NULL (static). */
const char *bh_licdata_alias(const char *key);

/* Key of a name: lower case, whitespace runs (and ',' ';') to one space, trimmed, no trailing '.',
 * no enclosing quotes, no leading "the ". */
void bh_licdata_key(const char *s, size_t n, char *out, size_t cap);
/* URL key: no scheme, no "www.", no query/fragment/trailing slash; lower case. */
void bh_licdata_url_key(const char *s, char *out, size_t cap);

#endif
