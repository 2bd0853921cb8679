/* report.c - format selection and the helpers the writers share. */
#include "report/report.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bh_format_parse(const char *name, bh_format *out)
{
	if (!strcmp(name, "table")) *out = BH_FORMAT_TABLE;
	else if (!strcmp(name, "json")) *out = BH_FORMAT_JSON;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cdx") || !strcmp(name, "cyclonedx-json")) *out = BH_FORMAT_CYCLONEDX;
	else if (!strcmp(name, "spdx") || !strcmp(name, "spdx-json")) *out = BH_FORMAT_SPDX;
	else return BH_EUSAGE;
	return 0;
}

void bh_report_timestamp(char out[32])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void bh_report_uuid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int bh_report_write(const bh_sbom *s, bh_format f, FILE *fp, bh_error *err)
{
	json_t *doc = NULL;
	int rc;
	switch (f) {
	case BH_FORMAT_TABLE:
		return bh_report_table(s, fp, err);
	case BH_FORMAT_JSON:
		rc = bh_report_json(s, &doc, err);
		break;
	case BH_FORMAT_CYCLONEDX:
		rc = bh_report_cyclonedx(s, &doc, err);
		break;
	case BH_FORMAT_SPDX:
		rc = bh_report_spdx(s, &doc, err);
		break;
	default:
		return bh_error_set(err, BH_EUSAGE, "unknown format");
	}
	if (rc)
		return rc;
	if (json_dumpf(doc, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', fp) == EOF) {
		json_decref(doc);
		return bh_error_set(err, BH_EIO, "cannot write the report");
	}
	json_decref(doc);
	return 0;
}
