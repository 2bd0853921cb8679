/* common.h - options shared by the subcommands that read a target (sbom, scan). */
#ifndef BH_CLI_COMMON_H
#define BH_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "image/source.h"
#include "image/target.h"
#include "core/glob.h"
#include "sbom/sbom.h"

/*
 * The shared options as getopt_long entries. A command's table lists its own options (ids from 2000,
 * or short letters), then BH_CLI_TARGET_LONGOPTS, then the { NULL, 0, NULL, 0 } terminator; the
 * compiler sizes the table. bh_cli_common_opt handles these ids.
 */
enum {
	BH_CLI_OPT_PLATFORM = 1000, BH_CLI_OPT_NOVERIFY, BH_CLI_OPT_LIMIT, BH_CLI_OPT_ENGINE,
	BH_CLI_OPT_REG_USER, BH_CLI_OPT_REG_PASS_STDIN, BH_CLI_OPT_REG_CA, BH_CLI_OPT_REG_INSECURE,
	BH_CLI_OPT_SKIP_DIRS, BH_CLI_OPT_SKIP_FILES, BH_CLI_OPT_TIMEOUT, BH_CLI_OPT_PKG_TYPES
};
#define BH_CLI_TARGET_LONGOPTS                                           \
	{ "output", required_argument, NULL, 'o' },                      \
	{ "quiet", no_argument, NULL, 'q' },                             \
	{ "verbose", no_argument, NULL, 'v' },                           \
	{ "platform", required_argument, NULL, BH_CLI_OPT_PLATFORM },    \
	{ "no-verify", no_argument, NULL, BH_CLI_OPT_NOVERIFY },         \
	{ "limit", required_argument, NULL, BH_CLI_OPT_LIMIT },          \
	{ "engine-host", required_argument, NULL, BH_CLI_OPT_ENGINE },   \
	{ "registry-user", required_argument, NULL, BH_CLI_OPT_REG_USER }, \
	{ "registry-password-stdin", no_argument, NULL, BH_CLI_OPT_REG_PASS_STDIN }, \
	{ "registry-ca", required_argument, NULL, BH_CLI_OPT_REG_CA },   \
	{ "insecure-registry", no_argument, NULL, BH_CLI_OPT_REG_INSECURE }, \
	{ "skip-dirs", required_argument, NULL, BH_CLI_OPT_SKIP_DIRS },  \
	{ "skip-files", required_argument, NULL, BH_CLI_OPT_SKIP_FILES }, \
	{ "timeout", required_argument, NULL, BH_CLI_OPT_TIMEOUT },      \
	{ "pkg-types", required_argument, NULL, BH_CLI_OPT_PKG_TYPES }
#define BH_CLI_TARGET_HELP \
	"  -o, --output FILE    write the report to FILE (only after a successful run)\n" \
	"  -q, --quiet          no warnings or progress on stderr\n" \
	"  -v, --verbose        more detail on stderr (repeat for debug)\n" \
	"      --platform OS/ARCH  image to pick from a multi-platform index (default linux/<this machine>)\n" \
	"      --no-verify      do not check layer and config digests (registry: targets always are)\n" \
	"      --limit NAME=VAL max-layer-size, max-files, max-file-read, max-meta-size, max-json-depth,\n" \
	"                       max-layers, max-archive-depth, time-budget (seconds); sizes take k/m/g\n" \
	"      --engine-host unix:///PATH  Docker Engine API socket (default $DOCKER_HOST)\n" \
	"      --registry-user USER  registry: user name; the password is read from stdin\n" \
	"      --registry-password-stdin  read the registry password from stdin (with --registry-user)\n" \
	"                       (default: $REGISTRY_AUTH_FILE, else ~/.docker/config.json, else anonymous)\n" \
	"      --registry-ca FILE  CA certificates (PEM) for the registry instead of the system's\n" \
	"      --insecure-registry  no TLS verification, plain HTTP allowed (loopback hosts always may)\n" \
	"      --skip-dirs GLOB directories not walked or read, relative to the scanned root or absolute,\n" \
	"                       `**` spans directories (repeatable, comma-separated), e.g. '**/node_modules'\n" \
	"      --skip-files GLOB files not analyzed or checked, same syntax, e.g. 'app/**/*.jar'\n" \
	"      --timeout DUR    give up after DUR (30s, 5m, 1h30m; a number alone is seconds):\n" \
	"                       --limit time-budget\n" \
	"      --pkg-types LIST os,library: OS packages (deb, apk, rpm), language packages, or both (default)\n"

typedef struct bh_cli_common {
	bh_source_opts scan;
	const char *output;
	int quiet, verbose;
	bool password_stdin; /* --registry-password-stdin: read when the target is read */
	bh_glob_skip skip;   /* --skip-dirs/--skip-files; scan.skip points here */
} bh_cli_common;

void bh_cli_common_init(bh_cli_common *c);
/* Frees what the options allocated (the skip patterns). */
void bh_cli_common_free(bh_cli_common *c);
/*
 * getopt_long returned '?' or ':' (optstrings start with ':'): prints "bulkhead CMD: unknown option
 * --severty; did you mean --severity?" (nearest of opts by edit distance) or "--x needs a value",
 * and where the options are listed. Returns BH_EXIT_USAGE.
 */
int bh_cli_bad_option(const char *cmd, const struct option *opts, int ch, char **argv);
/* Exactly one TARGET left after the options, else "bulkhead CMD: missing TARGET; e.g. bulkhead CMD
 * image.tar" or "one TARGET expected" naming the extra ones; 0 or BH_EXIT_USAGE. */
int bh_cli_one_target(const char *cmd, int argc, char **argv, int first);
/* "30s", "5m", "1h30m", "90" (seconds) -> seconds; 0 ok, -1 on anything else or over a year. */
int bh_cli_parse_duration(const char *s, unsigned *secs);
/* Where baselines are kept by default: $BULKHEAD_BASELINES, else $XDG_DATA_HOME/bulkhead/baselines, else ~/.local/share/bulkhead/baselines (into out[n]). */
void bh_cli_baseline_dir(char *out, size_t n);
/* "os,library" -> BH_PKGTYPE_* bits; 0 on an unknown name. */
unsigned bh_cli_parse_pkg_types(const char *s);
/* Handles one shared option; returns 1 if handled, 0 if not ours, -1 on a bad value (message printed). */
int bh_cli_common_opt(bh_cli_common *c, int ch, const char *arg, const char *cmd);
/* Sets logging from -q/-v, parses target (image/target.h) for the kinds in accept, then inventories
 * it (or reads the SBOM document when BH_TARGET_SBOM is accepted). s is initialised here; the caller
 * frees it with bh_sbom_free, also after a failure. Prints the error; returns the status. */
int bh_cli_inventory(bh_cli_common *c, const char *target, unsigned accept, bh_sbom *s);
/* Checks that --registry-user and --registry-password-stdin come together and reads the password
 * from stdin into c->scan.registry (once; bh_cli_inventory calls it, `scan` before its job). 0 or
 * BH_EUSAGE with err filled. */
int bh_cli_registry_credentials(bh_cli_common *c, bh_error *err);
/* "bulkhead: KIND: message" on stderr for a failed call's status and error. */
void bh_cli_print_error(int rc, const bh_error *err);
/* Strict decimal: digits only (no sign, space, hex or suffix), at most max; 0 ok, -1 otherwise. */
int bh_cli_parse_uint(const char *s, int max, int *out);

/*
 * The report's destination. Reports stream, so a regular file is written as OUTPUT.tmp-PID beside
 * it and renamed over OUTPUT only when the whole report was written: a failed scan or write never
 * leaves a truncated or partial report under the name. Devices and FIFOs (-o /dev/stdout) are
 * written directly. stdout when no -o.
 */
typedef struct bh_cli_out {
	FILE *fp;
	char *tmp; /* temporary path, NULL when writing directly; owned */
} bh_cli_out;

/* 0, or -1 with a message on stderr naming the file. */
int bh_cli_open_output(const bh_cli_common *c, bh_cli_out *o);
/* Flushes and closes; when ok, moves the temporary file into place, otherwise removes it.
 * 0, or BH_EXIT_ERROR with a message on stderr (also when !ok: nothing was moved). */
int bh_cli_close_output(const bh_cli_common *c, bh_cli_out *o, bool ok);

#endif
