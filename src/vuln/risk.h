/* risk.h - the risk score of one finding and the terms that made it (a pure function, no I/O). */
#ifndef BH_VULN_RISK_H
#define BH_VULN_RISK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/severity.h"

/*
 * The score is an integer 0..1000 (fixed point: 734 reads "73.4 of 100"), so a store keeps it in
 * an indexed integer column and sorting millions of findings is an index scan.
 *
 *   raw   = base x exploitation x reach x exposure x fix          (base: CVSS x 10, 0..100)
 *   score = round(raw x 1000 / BH_RISK_RAW_MAX)                   (0 when the policy accepts it)
 *
 * Every factor but base is a weight in percent (200 = x2.00); each is non-decreasing in its
 * evidence, so the score is monotone: more severe, exploited, reachable or exposed never ranks lower.
 *   base         CVSS base score x 10; without one the severity's band: critical 95, high 75,
 *                medium 50, low 25, unknown 40 (75 when known exploited: at least high)
 *   exploitation CISA KEV 200 (220 when used in ransomware campaigns); else EPSS 100 + 80 x
 *                percentile; else 100. KEV outranks any EPSS: the exploitation is observed.
 *   reach        running: 100 + 5 per host beyond the first (up to 150); not running 60;
 *                not known (a local scan of an image) 80
 *   exposure     of the running containers: 100 + published ports 15 + host network 15 +
 *                privileged 25 + added capabilities 10 + reached from outside 20 (the network
 *                map saw an external peer connect in: observed, not only possible); 100 when not
 *                running or not known
 *   fix          a fixed version exists 105 (actionable now), else 100
 */
#define BH_RISK_MAX 1000
/* 100 x 220% x 150% x 185% x 105%: the highest raw value, which scores 1000 */
#define BH_RISK_RAW_MAX 641.025

enum { BH_RISK_UNKNOWN = -1 };

typedef struct bh_risk_input {
	bh_severity severity;
	const char *severity_source; /* "debian", "cvss", … (NULL: not said) */
	double cvss;                 /* base score 0..10, <= 0 when none */
	const char *cvss_vector;     /* NULL when none */
	bool kev;
	const char *kev_date;        /* KEV dateAdded (YYYY-MM-DD), NULL when not known */
	bool kev_ransomware;         /* knownRansomwareCampaignUse = "Known" */
	bool has_epss;
	double epss, epss_pct;       /* probability and percentile, 0..1 */
	const char *epss_date;       /* the snapshot's score_date, NULL when not known */
	const char *epss_model;      /* the snapshot's model_version, NULL when not known */
	const char *fixed_version;   /* NULL or "": no fix */
	/* BH_RISK_UNKNOWN: not known (a local scan of an image); else counts of running containers
	 * that use the component, and of the hosts they run on */
	long running, hosts;
	/* exposure of those running containers; exposure_known false: not known */
	bool exposure_known;
	long ports;                  /* published ports */
	bool host_network, privileged;
	long cap_add;                /* added capabilities */
	long outside_peers;          /* external peers the network map saw connect in (0: none seen) */
	bool accepted;               /* the policy accepts or excepts it */
	const char *accepted_why;    /* the policy's reason (NULL: none given) */
} bh_risk_input;

typedef struct bh_risk_term {
	char name[16];     /* severity, kev, epss, running, exposure, fix, policy */
	char value[160];   /* what was known, in words */
	int weight;        /* severity: base points 0..100; others: factor in percent */
	char source[64];   /* where the value came from ("" when nowhere) */
	char date[40];     /* the value's date ("" when none) */
} bh_risk_term;

#define BH_RISK_NTERMS 7

/* Terms in the fixed order above, policy last. No allocation: the caller holds it. */
typedef struct bh_risk {
	int score;         /* 0..BH_RISK_MAX */
	size_t n;
	bh_risk_term terms[BH_RISK_NTERMS];
} bh_risk;

/* Fills out from in. Never fails. */
void bh_risk_compute(const bh_risk_input *in, bh_risk *out);
/* The base points of a severity without CVSS (the band's middle). */
int bh_risk_severity_base(bh_severity s);
/* {"score": n, "terms": [{name, value, weight, source, date}]} (source and date null when empty);
 * NULL when out of memory. Caller decrefs. */
json_t *bh_risk_json(const bh_risk *r);
/* Just the terms array, as stored beside the score. Caller decrefs. */
json_t *bh_risk_terms_json(const bh_risk *r);
/* Initialises in for a finding of severity sev: everything else not known. */
void bh_risk_input_init(bh_risk_input *in, bh_severity sev);

#endif
