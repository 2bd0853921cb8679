/* report.h - writers for an inventory: table, native JSON, CycloneDX 1.5, SPDX 2.3. */
#ifndef BH_REPORT_REPORT_H
#define BH_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/attr.h"
#include "core/product.h"
#include "sbom/sbom.h"

typedef enum bh_format {
	BH_FORMAT_TABLE = 0,
	BH_FORMAT_JSON,
	BH_FORMAT_CYCLONEDX,       /* the newest CycloneDX spec bulkhead writes (1.6) */
	BH_FORMAT_SPDX,
	BH_FORMAT_CYCLONEDX_1_5
} bh_format;

/* Parses a format name (table, json, cyclonedx/cdx, cyclonedx-1.6, cyclonedx-1.5, spdx/spdx-json); BH_EUSAGE when unknown. */
BH_MUST_CHECK int bh_format_parse(const char *name, bh_format *out);
/* Writes s to fp in format f. */
BH_MUST_CHECK int bh_report_write(const bh_sbom *s, bh_format f, FILE *fp, bh_error *err);

/* Individual writers. The JSON ones build a document the caller json_decref's. */
BH_MUST_CHECK int bh_report_json(const bh_sbom *s, json_t **out, bh_error *err);
BH_MUST_CHECK int bh_report_cyclonedx(const bh_sbom *s, json_t **out, bh_error *err);
BH_MUST_CHECK int bh_report_spdx(const bh_sbom *s, json_t **out, bh_error *err);
BH_MUST_CHECK int bh_report_table(const bh_sbom *s, FILE *fp, bh_error *err);
/* Writes s to fp as a table cell: terminal-escaped (bh_text_put_term), cut to width columns
 * (code points) and, when pad, padded to width. */
void bh_report_cell(FILE *fp, const char *s, size_t width, bool pad);

/*
 * Writes doc (indented, key order kept, newline at the end) to fp and drops the caller's reference.
 * Output goes through a 64 KiB buffer: jansson writes token by token, and a report of 25,000
 * findings spent more time in fwrite than in matching.
 */
BH_MUST_CHECK int bh_report_dump(json_t *doc, FILE *fp, bh_error *err);

/*
 * A JSON document written as it is built, for reports too large to hold as one tree (25,000
 * findings took 130 MB and more time to build and free than to match). Output is byte for byte
 * what bh_report_dump writes for the same tree. Containers nest up to 16 deep; key is NULL inside
 * arrays. bh_jstream_value takes ownership of v. Errors are sticky and reported by bh_jstream_close,
 * which also frees the stream.
 */
typedef struct bh_jstream bh_jstream;
BH_MUST_CHECK bh_jstream *bh_jstream_open(FILE *fp);
void bh_jstream_begin(bh_jstream *js, const char *key, char open);
void bh_jstream_value(bh_jstream *js, const char *key, json_t *v);
void bh_jstream_end(bh_jstream *js);
BH_MUST_CHECK int bh_jstream_close(bh_jstream *js, bh_error *err);
/*
 * The bulkhead-sbom/1 document written member by member into js (as member key of the enclosing
 * object, or key NULL for the top level / an array element): one component tree at a time, so
 * memory does not grow with the report. Same bytes as bh_report_json + bh_report_dump. Failures
 * make bh_jstream_close fail.
 */
void bh_report_json_stream(const bh_sbom *s, bh_jstream *js, const char *key);
/* A new tree of the bulkhead-sbom/1 member "target", "os" or "warnings"; NULL when out of memory. */
BH_MUST_CHECK json_t *bh_report_json_member(const bh_sbom *s, const char *name);
/* The CycloneDX document written into js component by component, as for bh_report_json_stream. */
void bh_report_cyclonedx_stream(const bh_sbom *s, bh_jstream *js);
/*
 * The same document for a scan: its serial number derived with salt (a scan BOM is another
 * document than the inventory BOM of the same target), and tail(js, refs, arg) called after
 * "dependencies" to write more top-level members (e.g. "vulnerabilities"); refs gives each
 * component's bom-ref through bh_report_cyclonedx_ref and lives only during the call. tail is
 * not called when the document already failed.
 */
#define BH_REPORT_BREF_MAX 4200
typedef struct bh_report_cdx_refs {
	const bh_sbom *s;
	unsigned char *suffixed; /* per component: its bom-ref took "#INDEX" (a purl seen before, or none) */
} bh_report_cdx_refs;
typedef void (*bh_report_cdx_tail)(bh_jstream *js, const bh_report_cdx_refs *refs, void *arg);
void bh_report_cyclonedx_stream_tail(const bh_sbom *s, bh_jstream *js, const char *salt, bh_report_cdx_tail tail, void *arg);
/* Component i's bom-ref into out (BH_REPORT_BREF_MAX bytes). */
void bh_report_cyclonedx_ref(const bh_report_cdx_refs *refs, size_t i, char *out);
/* The SPDX document written into js package by package, as for bh_report_json_stream. */
void bh_report_spdx_stream(const bh_sbom *s, bh_jstream *js);

#endif
