/* gitlab.h - scan results as GitLab CI reports: Code Quality (artifacts:reports:codequality) and Container Scanning (security report schema 15.2.4). */
#ifndef BH_REPORT_GITLAB_H
#define BH_REPORT_GITLAB_H

#include <stdio.h>

#include "check/check.h"
#include "core/attr.h"
#include "core/error.h"
#include "sbom/sbom.h"
#include "vuln/match.h"

/* The security report schema the container scanning report declares (GitLab accepts 15.x). */
#define BH_GITLAB_SCHEMA_VERSION "15.2.4"

/*
 * GitLab Code Quality: a JSON array of issues {description, check_name, fingerprint, severity
 * (info|minor|major|critical|blocker), location {path, lines {begin}}}. Vulnerabilities point at
 * the file their package was found in (no leading '/', line 1; a component without a file at
 * the target as written), failed checks (config, secret, licence; ck NULL = none) at their file
 * and line, else their target. A fingerprint is a SHA-256 of what identifies the finding, not of
 * its line, so an issue keeps it across runs; equal keys get a counter, so each is unique.
 * Streamed; nothing is kept. BH_EIO when fp fails, BH_ENOMEM.
 */
BH_MUST_CHECK int bh_gitlab_write_codequality(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp,
					      bh_error *err);

/*
 * GitLab Container Scanning (container-scanning-report-format.json, schema 15.2.4): version,
 * schema, scan {analyzer, scanner, type, start_time, end_time, status, messages} and one
 * vulnerability per finding with a stable UUID-shaped id, name, description, severity
 * (Critical..Info, Unknown), solution, identifiers (the advisory id first, then its aliases,
 * CVE ids first), links and location {dependency {package {name}, version}, operating_system,
 * image}. Check findings have no place in this schema: a scan message counts them and points to
 * -f gitlab-codequality. Streamed; nothing is kept. BH_EIO when fp fails, BH_ENOMEM.
 */
BH_MUST_CHECK int bh_gitlab_write_container_scanning(const bh_sbom *s, const bh_findings *f, const bh_checks *ck, FILE *fp,
						     bh_error *err);

#endif
