/* table.c - the human-readable inventory: a summary, then one row per component. Every name
 * comes from the image, so every cell goes through bh_report_cell (terminal-escaped). */
#include <string.h>

#include "core/text.h"
#include "report/report.h"

void bh_report_cell(FILE *fp, const char *s, size_t width, bool pad)
{
	bh_buf b = BH_BUF_INIT;
	size_t i = 0, cols = 0;
	if (!s)
		s = "";
	if (bh_text_put_term(&b, s, strlen(s), 0)) {
		bh_buf_free(&b);
		return;
	}
	/* count code points: bytes that do not continue a sequence */
	while (i < b.len) {
		size_t k = 1;
		while (i + k < b.len && ((unsigned char)b.data[i + k] & 0xc0) == 0x80)
			k++;
		if (width && cols == width)
			break;
		fwrite(b.data + i, 1, k, fp);
		cols++;
		i += k;
	}
	for (; pad && cols < width; cols++)
		fputc(' ', fp);
	bh_buf_free(&b);
}

int bh_report_table(const bh_sbom *s, FILE *fp, bh_error *err)
{
	size_t counts[BH_ECO__COUNT] = { 0 }, i, wname = 4, wver = 7, wtype = 4;

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
	fputs("Target:  ", fp);
	bh_report_cell(fp, s->name ? s->name : "?", 0, false);
	fputs(" (", fp);
	bh_report_cell(fp, s->kind ? s->kind : "?", 0, false);
	fputs(")\n", fp);
	if (s->image_id) {
		fputs("Image:   ", fp);
		bh_report_cell(fp, s->image_id, 0, false);
		fprintf(fp, ", %zu layer%s\n", s->nlayers, s->nlayers == 1 ? "" : "s");
	}
	if (s->osinfo.family) {
		fputs("OS:      ", fp);
		bh_report_cell(fp, s->osinfo.family, 0, false);
		fputc(' ', fp);
		bh_report_cell(fp, s->osinfo.version, 0, false);
		if (s->osinfo.codename) {
			fputs(" (", fp);
			bh_report_cell(fp, s->osinfo.codename, 0, false);
			fputc(')', fp);
		}
		fputc('\n', fp);
	}
	fprintf(fp, "Found:   %zu component%s", s->comps.n, s->comps.n == 1 ? "" : "s");
	for (i = 0; i < BH_ECO__COUNT; i++)
		if (counts[i])
			fprintf(fp, ", %zu %s", counts[i], bh_ecosystem_label((bh_ecosystem)i));
	fprintf(fp, "\n\n%-*s  %-*s  %-*s  %s\n", (int)wtype, "TYPE", (int)wname, "NAME", (int)wver, "VERSION", "WHERE");
	for (i = 0; i < s->comps.n; i++) {
		const bh_component *c = s->comps.items[i];
		char name[512];
		if (c->namespace)
			snprintf(name, sizeof(name), "%s:%s", c->namespace, c->name ? c->name : "");
		else
			snprintf(name, sizeof(name), "%s", c->name ? c->name : "");
		fprintf(fp, "%-*s  ", (int)wtype, bh_ecosystem_name(c->eco));
		bh_report_cell(fp, name, wname, true);
		fputs("  ", fp);
		bh_report_cell(fp, c->version ? c->version : "-", wver, true);
		fputs("  ", fp);
		/* layer N: the same 0-based N as the JSON layers[].index */
		if (c->layer >= 0)
			fprintf(fp, "layer %d ", c->layer);
		bh_report_cell(fp, c->path, 0, false);
		fputc('\n', fp);
	}
	for (i = 0; i < s->nwarnings; i++) {
		fputs(i ? "Warning: " : "\nWarning: ", fp);
		bh_report_cell(fp, s->warnings[i], 0, false);
		fputc('\n', fp);
	}
	if (ferror(fp))
		return bh_error_set(err, BH_EIO, "cannot write the report");
	return 0;
}
