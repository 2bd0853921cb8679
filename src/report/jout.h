/* jout.h - checked JSON building for the report writers: every string valid UTF-8, every failure kept. */
#ifndef BH_REPORT_JOUT_H
#define BH_REPORT_JOUT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/attr.h"
#include "sbom/sbom.h"

/*
 * jansson refuses a string that is not valid UTF-8 (json_string returns NULL) and
 * json_object_set_new then returns -1 and adds nothing: a path with a \xff byte silently lost
 * findings. These helpers repair strings (invalid bytes -> U+FFFD, as every format does) and
 * record any failure in *bad, which the writer turns into an error instead of a short report.
 */

/* s as a JSON string (repaired), json_null() for NULL; NULL only when out of memory. */
BH_MUST_CHECK json_t *bh_jstr(const char *s);
/* The first n bytes of s (repaired). */
BH_MUST_CHECK json_t *bh_jstrn(const char *s, size_t n);
/* o[key] = v (key repaired too); v is stolen. Sets *bad when o or v is NULL or jansson fails. */
void bh_jset(bool *bad, json_t *o, const char *key, json_t *v);
/* Appends v (stolen) to array a; *bad as for bh_jset. */
void bh_jpush(bool *bad, json_t *a, json_t *v);
/* v unchanged; *bad when v is NULL (a json_pack or constructor that failed). */
BH_MUST_CHECK json_t *bh_jok(bool *bad, json_t *v);
/* {"name": k, "value": v} appended to a when v is non-NULL (CycloneDX properties). */
void bh_jprop(bool *bad, json_t *a, const char *k, const char *v);

/*
 * The UUID of a document about s (core/stamp.h): under SOURCE_DATE_EPOCH derived from salt, the
 * target's identity and every component's purl, name, version and path; random otherwise.
 * 0 or BH_ENOMEM.
 */
BH_MUST_CHECK int bh_jdoc_uuid(const bh_sbom *s, const char *salt, char out[37]);

#endif
