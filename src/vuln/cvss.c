/* cvss.c - CVSS v3.0/v3.1 base score, per the FIRST specification section 7. */
#include "vuln/cvss.h"

#include <math.h>
#include <string.h>

static double roundup(double x)
{
	/* the spec's Roundup, done in integers to avoid floating-point surprises */
	long i = (long)llround(x * 100000.0);
	return i % 10000 == 0 ? (double)i / 100000.0 : (floor((double)i / 10000.0) + 1.0) / 10.0;
}

static int metric(const char *v, const char *key, char *out)
{
	char pat[8];
	const char *p;
	size_t kl = strlen(key);
	memcpy(pat, "/", 1);
	memcpy(pat + 1, key, kl);
	pat[kl + 1] = ':';
	pat[kl + 2] = '\0';
	p = strstr(v, pat);
	if (!p)
		return -1;
	*out = p[kl + 2];
	return 0;
}

double bh_cvss3_score(const char *v)
{
	char av, ac, pr, ui, s, c, i, a;
	double AV, AC, PR, UI, C, I, A, iss, impact, expl;
	if (!v || (strncmp(v, "CVSS:3.0/", 9) != 0 && strncmp(v, "CVSS:3.1/", 9) != 0))
		return -1;
	if (metric(v, "AV", &av) || metric(v, "AC", &ac) || metric(v, "PR", &pr) || metric(v, "UI", &ui) ||
	    metric(v, "S", &s) || metric(v, "C", &c) || metric(v, "I", &i) || metric(v, "A", &a))
		return -1;
	AV = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : av == 'P' ? 0.2 : -1;
	AC = ac == 'L' ? 0.77 : ac == 'H' ? 0.44 : -1;
	PR = pr == 'N' ? 0.85 : pr == 'L' ? (s == 'C' ? 0.68 : 0.62) : pr == 'H' ? (s == 'C' ? 0.5 : 0.27) : -1;
	UI = ui == 'N' ? 0.85 : ui == 'R' ? 0.62 : -1;
#define CIA(x) ((x) == 'H' ? 0.56 : (x) == 'L' ? 0.22 : (x) == 'N' ? 0.0 : -1)
	C = CIA(c);
	I = CIA(i);
	A = CIA(a);
#undef CIA
	if (AV < 0 || AC < 0 || PR < 0 || UI < 0 || C < 0 || I < 0 || A < 0 || (s != 'U' && s != 'C'))
		return -1;
	iss = 1 - (1 - C) * (1 - I) * (1 - A);
	impact = s == 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	expl = 8.22 * AV * AC * PR * UI;
	if (impact <= 0)
		return 0;
	return s == 'U' ? roundup(fmin(impact + expl, 10)) : roundup(fmin(1.08 * (impact + expl), 10));
}

const char *bh_cvss_severity(double score)
{
	if (score >= 9.0) return "CRITICAL";
	if (score >= 7.0) return "HIGH";
	if (score >= 4.0) return "MEDIUM";
	if (score > 0.0) return "LOW";
	return "NONE";
}
