/* compreport.h - compliance reports: every control of a benchmark with its status, as a table, JSON or HTML. */
#ifndef BH_REPORT_COMPREPORT_H
#define BH_REPORT_COMPREPORT_H

#include <stdio.h>

#include "check/check.h"
#include "check/compliance.h"
#include "core/error.h"
#include "report/vulnreport.h"

/*
 * Writes c (evaluated against ck, whose failing findings each control lists) for the targets scanned
 * (targets[0..nt), as the user wrote them) to fp. Formats: BH_VREPORT_TABLE, _JSON (schema
 * "bulkhead-compliance/1", docs/json-format.md), _HTML (self-contained, no scripts or inline
 * handlers). Nothing is kept. BH_EUSAGE for another format, BH_EIO when fp fails, BH_ENOMEM.
 */
int bh_compreport_write(const bh_compliance *c, const bh_checks *ck, const char *const *targets, size_t nt,
			bh_vreport_format fmt, FILE *fp, bh_error *err);

#endif
