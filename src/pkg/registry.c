/* registry.c - the analyzer table: adding an ecosystem is one file plus one row here. */
#include "pkg/analyzer.h"

extern const bh_analyzer bh_analyzer_osrelease;
extern const bh_analyzer bh_analyzer_dpkg;
extern const bh_analyzer bh_analyzer_dpkgcopyright;
extern const bh_analyzer bh_analyzer_apk;
extern const bh_analyzer bh_analyzer_rpm;
extern const bh_analyzer bh_analyzer_npm;
extern const bh_analyzer bh_analyzer_python;
extern const bh_analyzer bh_analyzer_binary;
extern const bh_analyzer bh_analyzer_java;
extern const bh_analyzer bh_analyzer_ruby;
extern const bh_analyzer bh_analyzer_cargo;
extern const bh_analyzer bh_analyzer_composer;
extern const bh_analyzer bh_analyzer_vendorjs;

static const bh_analyzer *const table[] = {
	&bh_analyzer_osrelease,
	&bh_analyzer_dpkg,
	&bh_analyzer_dpkgcopyright,
	&bh_analyzer_apk,
	&bh_analyzer_rpm,
	&bh_analyzer_npm,
	&bh_analyzer_python,
	&bh_analyzer_binary,
	&bh_analyzer_java,
	&bh_analyzer_ruby,
	&bh_analyzer_cargo,
	&bh_analyzer_composer,
	&bh_analyzer_vendorjs,
};

const bh_analyzer *const *bh_analyzers_all(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
