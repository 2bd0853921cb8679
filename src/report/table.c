/* table.c - the human-readable inventory: a summary, then one row per component. */
#include <string.h>

#include "report/report.h"

int bh_report_table(const bh_sbom *s, FILE *fp, bh_error *err)
{
	size_t counts[BH_ECO__COUNT] = { 0 }, i, wname = 4, wver = 7, wtype = 4;
	(void)err;

	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		size_t ln = c->name ? strlen(c->name) + (c->namespace ? strlen(c->namespace) + 1 : 0) : 0;
		size_t lv = c->version ? strlen(c->version) : 0;
		counts[c->eco < BH_ECO__COUNT ? c->eco : 0]++;
		if (ln > wname) wname = ln;
		if (lv > wver) wver = lv;
		if (strlen(bh_ecosystem_name(c->eco)) > wtype) wtype = strlen(bh_ecosystem_name(c->eco));
	}
	if (wname > 60) wname = 60;
	if (wver > 40) wver = 40;
	fprintf(fp, "Target:  %s (%s)\n", s->name ? s->name : "?", s->kind ? s->kind : "?");
	if (s->image_id)
		fprintf(fp, "Image:   %s, %zu layer%s\n", s->image_id, s->nlayers, s->nlayers == 1 ? "" : "s");
	if (s->osinfo.family)
		fprintf(fp, "OS:      %s %s%s%s%s\n", s->osinfo.family, s->osinfo.version ? s->osinfo.version : "",
			s->osinfo.codename ? " (" : "", s->osinfo.codename ? s->osinfo.codename : "", s->osinfo.codename ? ")" : "");
	fprintf(fp, "Found:   %zu component%s", s->comps.n, s->comps.n == 1 ? "" : "s");
	for (i = 0; i < BH_ECO__COUNT; i++)
		if (counts[i])
			fprintf(fp, ", %zu %s", counts[i], bh_ecosystem_label((bh_ecosystem)i));
	fprintf(fp, "\n\n%-*s  %-*s  %-*s  %s\n", (int)wtype, "TYPE", (int)wname, "NAME", (int)wver, "VERSION", "WHERE");
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		char name[512];
		char where[64] = "";
		if (c->namespace)
			snprintf(name, sizeof(name), "%s:%s", c->namespace, c->name ? c->name : "");
		else
			snprintf(name, sizeof(name), "%s", c->name ? c->name : "");
		if (c->layer >= 0)
			snprintf(where, sizeof(where), "layer %d ", c->layer);
		fprintf(fp, "%-*s  %-*.*s  %-*.*s  %s%s\n", (int)wtype, bh_ecosystem_name(c->eco), (int)wname, 60, name,
			(int)wver, 40, c->version ? c->version : "-", where, c->path ? c->path : "");
	}
	if (s->nwarnings)
		fprintf(fp, "\n%zu warning%s (see --format json for the list)\n", s->nwarnings, s->nwarnings == 1 ? "" : "s");
	return 0;
}
