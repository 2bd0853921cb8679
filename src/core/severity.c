/* severity.c - the severity scale every finding uses, and the names vendors write for it. */
#include "core/severity.h"

#include <string.h>
#include <strings.h>

const char *bh_severity_name(bh_severity s)
{
	static const char *const n[] = { "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	return (unsigned)s <= BH_SEV_CRITICAL ? n[s] : "UNKNOWN";
}

bh_severity bh_severity_parse(const char *in)
{
	char s[32];
	size_t n;
	if (!in)
		return BH_SEV_UNKNOWN;
	/* the tracker marks unconfirmed urgencies with "**": "high**" */
	n = strcspn(in, "*");
	if (n >= sizeof(s))
		return BH_SEV_UNKNOWN;
	memcpy(s, in, n);
	s[n] = '\0';
	if (!strcasecmp(s, "critical")) return BH_SEV_CRITICAL;
	if (!strcasecmp(s, "high") || !strcasecmp(s, "important")) return BH_SEV_HIGH;
	if (!strcasecmp(s, "medium") || !strcasecmp(s, "moderate")) return BH_SEV_MEDIUM;
	if (!strcasecmp(s, "low") || !strcasecmp(s, "negligible") || !strcasecmp(s, "unimportant")) return BH_SEV_LOW;
	return BH_SEV_UNKNOWN;
}
