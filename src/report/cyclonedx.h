/* cyclonedx.h - the CycloneDX writer's spec versions: 1.6 (the default, `-f cyclonedx`) and 1.5
 * (`-f cyclonedx-1.5`, for consumers that know no newer). report.h keeps the default entry points. */
#ifndef BH_REPORT_CYCLONEDX_H
#define BH_REPORT_CYCLONEDX_H

#include "report/report.h"

typedef enum bh_report_cdx_spec {
	BH_REPORT_CDX_1_6 = 0,
	BH_REPORT_CDX_1_5
} bh_report_cdx_spec;
#define BH_REPORT_CDX_NEWEST BH_REPORT_CDX_1_6

/* cyclonedx, cdx, cyclonedx-json, cyclonedx-1.6 -> 1.6; cyclonedx-1.5, cdx-1.5 -> 1.5; BH_EUSAGE otherwise. */
BH_MUST_CHECK int bh_report_cyclonedx_spec_parse(const char *name, bh_report_cdx_spec *out);
/* bh_report_cyclonedx, bh_report_cyclonedx_stream and bh_report_cyclonedx_stream_tail of report.h
 * (which write the newest), for a chosen spec version; ownership as there. */
BH_MUST_CHECK int bh_report_cyclonedx_as(const bh_sbom *s, bh_report_cdx_spec spec, json_t **out, bh_error *err);
void bh_report_cyclonedx_stream_as(const bh_sbom *s, bh_report_cdx_spec spec, bh_jstream *js);
void bh_report_cyclonedx_stream_tail_as(const bh_sbom *s, bh_report_cdx_spec spec, bh_jstream *js, const char *salt,
					bh_report_cdx_tail tail, void *arg);

#endif
