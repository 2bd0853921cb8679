/* common.c - shared option handling and the inventory step every reading subcommand starts with. */
#include "cli/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/log.h"
#include "core/suggest.h"
#include "sbom/sbomread.h"

void bh_cli_common_init(bh_cli_common *c)
{
	memset(c, 0, sizeof(*c));
	bh_source_opts_default(&c->scan);
	c->scan.skip = &c->skip;
}

void bh_cli_common_free(bh_cli_common *c)
{
	bh_glob_skip_free(&c->skip);
}

int bh_cli_parse_duration(const char *s, unsigned *secs)
{
	unsigned long long total = 0;
	bool any = false;
	if (!s || !*s)
		return -1;
	while (*s) {
		unsigned long long v = 0, mul;
		int digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 12) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits)
			return -1;
		/* a bare number is seconds, as --limit time-budget takes */
		if ((!*s && !any) || *s == 's')
			mul = 1;
		else if (*s == 'h')
			mul = 3600;
		else if (*s == 'm' && s[1] != 's')
			mul = 60;
		else
			return -1;
		if (*s)
			s++;
		total += v * mul;
		if (total > 366ull * 86400)
			return -1;
		any = true;
	}
	*secs = (unsigned)total;
	return 0;
}

unsigned bh_cli_parse_pkg_types(const char *s)
{
	unsigned bits = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 2 && !strncmp(s, "os", 2))
			bits |= BH_PKGTYPE_OS;
		else if ((n == 7 && !strncmp(s, "library", 7)) || (n == 4 && !strncmp(s, "lang", 4)))
			bits |= BH_PKGTYPE_LIBRARY;
		else
			return 0;
		s += n;
		s += *s == ',';
	}
	return bits;
}

int bh_cli_bad_option(const char *cmd, const struct option *opts, int ch, char **argv)
{
	const char *arg = optind > 0 && argv[optind - 1] ? argv[optind - 1] : "";
	if (ch == ':') {
		/* a value is missing: name the option as it is spelt */
		const char *name = NULL;
		size_t i;
		for (i = 0; opts[i].name; i++)
			if (opts[i].val == optopt && opts[i].has_arg == required_argument) {
				name = opts[i].name;
				break;
			}
		if (name && !strncmp(arg, "--", 2))
			fprintf(stderr, "bulkhead %s: --%s needs a value\n", cmd, name);
		else
			fprintf(stderr, "bulkhead %s: -%c needs a value\n", cmd, optopt);
	} else if (!strncmp(arg, "--", 2)) {
		const char *cand[128];
		char word[65];
		size_t n = 0, len = strcspn(arg + 2, "="), nprefix = 0, i;
		const char *hit;
		for (; n < sizeof(cand) / sizeof(cand[0]) && opts[n].name; n++) {
			cand[n] = opts[n].name;
			nprefix += len && !strncmp(opts[n].name, arg + 2, len);
		}
		snprintf(word, sizeof(word), "%.*s", (int)(len < 64 ? len : 64), arg + 2);
		if (optopt) {
			fprintf(stderr, "bulkhead %s: --%s takes no value\n", cmd, word);
		} else if (nprefix > 1) {
			/* getopt takes unique abbreviations; this one fits several */
			fprintf(stderr, "bulkhead %s: --%s is ambiguous:", cmd, word);
			for (i = 0; i < n; i++)
				if (!strncmp(cand[i], word, strlen(word)))
					fprintf(stderr, " --%s", cand[i]);
			fputc('\n', stderr);
		} else if ((hit = bh_suggest(word, cand, n)) != NULL) {
			fprintf(stderr, "bulkhead %s: unknown option --%s; did you mean --%s?\n", cmd, word, hit);
		} else {
			fprintf(stderr, "bulkhead %s: unknown option --%s\n", cmd, word);
		}
	} else {
		fprintf(stderr, "bulkhead %s: unknown option -%c\n", cmd, optopt ? optopt : '?');
	}
	fprintf(stderr, "`bulkhead %s --help` lists the options\n", cmd);
	return BH_EXIT_USAGE;
}

int bh_cli_one_target(const char *cmd, int argc, char **argv, int first)
{
	int i;
	if (first >= argc) {
		fprintf(stderr, "bulkhead %s: missing TARGET; e.g. bulkhead %s %s (`bulkhead %s --help` lists the forms)\n", cmd, cmd,
			!strcmp(cmd, "fs") || !strcmp(cmd, "rootfs") ? "/path/to/rootfs" : "image.tar", cmd);
		return BH_EXIT_USAGE;
	}
	if (first == argc - 1)
		return 0;
	fprintf(stderr, "bulkhead %s: one TARGET expected, got %d:", cmd, argc - first);
	for (i = first; i < argc && i < first + 5; i++)
		fprintf(stderr, " \"%.80s\"", argv[i]);
	fprintf(stderr, "%s (options go before or after it; a value with spaces needs quotes)\n", argc - first > 5 ? " ..." : "");
	return BH_EXIT_USAGE;
}

int bh_cli_common_opt(bh_cli_common *c, int ch, const char *arg, const char *cmd)
{
	switch (ch) {
	case 'o': c->output = arg; return 1;
	case 'q': c->quiet = 1; return 1;
	case 'v': c->verbose++; return 1;
	case BH_CLI_OPT_PLATFORM: c->scan.platform = arg; return 1;
	case BH_CLI_OPT_NOVERIFY: c->scan.verify_digests = false; return 1;
	case BH_CLI_OPT_ENGINE: c->scan.engine_host = arg; return 1;
	case BH_CLI_OPT_REG_USER: c->scan.registry.user = arg; return 1;
	case BH_CLI_OPT_REG_PASS_STDIN: c->password_stdin = true; return 1;
	case BH_CLI_OPT_REG_CA: c->scan.registry.ca_file = arg; return 1;
	case BH_CLI_OPT_REG_INSECURE: c->scan.registry.insecure = true; return 1;
	case BH_CLI_OPT_SKIP_DIRS:
	case BH_CLI_OPT_SKIP_FILES: {
		bh_error err;
		int rc = bh_glob_skip_add(&c->skip, ch == BH_CLI_OPT_SKIP_DIRS, arg, &err);
		if (rc) {
			fprintf(stderr, "bulkhead %s: %s\n", cmd, err.msg);
			return -1;
		}
		return 1;
	}
	case BH_CLI_OPT_TIMEOUT:
		if (bh_cli_parse_duration(arg, &c->scan.limits.time_budget_s)) {
			fprintf(stderr, "bulkhead %s: --timeout takes a duration such as 30s, 5m or 1h30m, not \"%.40s\"\n", cmd, arg);
			return -1;
		}
		return 1;
	case BH_CLI_OPT_PKG_TYPES:
		if (!(c->scan.pkg_types = bh_cli_parse_pkg_types(arg))) {
			fprintf(stderr, "bulkhead %s: bad --pkg-types \"%.40s\" (os,library)\n", cmd, arg);
			return -1;
		}
		return 1;
	case BH_CLI_OPT_LIMIT:
		if (bh_limits_set(&c->scan.limits, arg)) {
			fprintf(stderr, "bulkhead %s: bad --limit \"%s\"\n", cmd, arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

/* The password of --registry-password-stdin: lives until exit, like the options' other strings. */
static char g_password[4096];

/* Reads the password from stdin (one line or all of it, without the final newline). */
static int read_password(bh_error *err)
{
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(g_password) - 1 && (r = read(0, g_password + n, sizeof(g_password) - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return bh_error_set(err, BH_EUSAGE, "--registry-password-stdin: cannot read stdin: %s", strerror(errno));
		}
		n += (size_t)r;
	}
	if (n == sizeof(g_password) - 1)
		return bh_error_set(err, BH_EUSAGE, "--registry-password-stdin: the password is longer than %zu bytes", sizeof(g_password) - 2);
	while (n && (g_password[n - 1] == '\n' || g_password[n - 1] == '\r'))
		n--;
	g_password[n] = '\0';
	if (!n)
		return bh_error_set(err, BH_EUSAGE, "--registry-password-stdin: stdin held no password");
	return 0;
}

/* --registry-user and --registry-password-stdin go together (a password never goes on the command line). */
int bh_cli_registry_credentials(bh_cli_common *c, bh_error *err)
{
	if (c->password_stdin && !c->scan.registry.user)
		return bh_error_set(err, BH_EUSAGE, "--registry-password-stdin needs --registry-user");
	if (c->scan.registry.user && !c->password_stdin)
		return bh_error_set(err, BH_EUSAGE, "--registry-user needs --registry-password-stdin (the password is read from stdin)");
	if (c->password_stdin && !c->scan.registry.password) {
		int rc = read_password(err);
		if (rc)
			return rc;
		c->scan.registry.password = g_password;
	}
	return 0;
}

int bh_cli_inventory(bh_cli_common *c, const char *target, unsigned accept, bh_sbom *s)
{
	bh_target t;
	bh_error err;
	int rc;

	bh_log_set_level(c->quiet ? BH_LOG_QUIET : BH_LOG_WARN + c->verbose);
	bh_log_set_progress(!c->quiet && isatty(2));
	bh_sbom_init(s);
	bh_error_clear(&err);
	if ((rc = bh_cli_registry_credentials(c, &err))) {
		bh_cli_print_error(rc, &err);
		return rc;
	}
	rc = bh_target_parse(target, accept & (BH_TARGETS_IMAGE | BH_TARGET_BIT(BH_TARGET_SBOM)), &t, &err);
	if (!rc && t.kind == BH_TARGET_SBOM)
		rc = bh_sbom_read(t.ref, &c->scan.limits, s, &err);
	else if (!rc)
		rc = bh_source_read(&t, &c->scan, s, &err);
	bh_target_free(&t);
	bh_log_progress_done();
	if (!rc)
		bh_complist_keep_pkgtypes(&s->comps, c->scan.pkg_types);
	if (rc)
		bh_cli_print_error(rc, &err);
	return rc;
}

void bh_cli_print_error(int rc, const bh_error *err)
{
	/* the kind is left out when the message already says it ("...: digest mismatch: expected ...") */
	if (strstr(err->msg, bh_error_name(rc)))
		bh_log_error("%s", err->msg);
	else
		bh_log_error("%s: %s", bh_error_name(rc), err->msg);
}

int bh_cli_parse_uint(const char *s, int max, int *out)
{
	long v = 0;
	if (!s || !*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int bh_cli_open_output(const bh_cli_common *c, bh_cli_out *o)
{
	struct stat st;
	char tmp[4096];
	int fd;
	o->fp = stdout;
	o->tmp = NULL;
	if (!c->output)
		return 0;
	if (stat(c->output, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or FIFO: there is nothing to rename over */
		if (!(o->fp = fopen(c->output, "w"))) {
			fprintf(stderr, "bulkhead: %s: cannot write: %s\n", c->output, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", c->output, (long)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "bulkhead: %s: cannot write: path too long\n", c->output);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || !(o->fp = fdopen(fd, "w")) || !(o->tmp = bh_strdup(tmp))) {
		fprintf(stderr, "bulkhead: %s: cannot write: %s\n", c->output, strerror(errno ? errno : ENOMEM));
		if (o->fp && o->fp != stdout)
			fclose(o->fp);
		else if (fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(tmp);
		o->fp = NULL;
		return -1;
	}
	return 0;
}

int bh_cli_close_output(const bh_cli_common *c, bh_cli_out *o, bool ok)
{
	int rc = 0;
	if (!o->fp)
		return BH_EXIT_ERROR;
	if (o->fp == stdout) {
		if (fflush(stdout) != 0) {
			fprintf(stderr, "bulkhead: stdout: write failed: %s\n", strerror(errno));
			rc = BH_EXIT_ERROR;
		}
	} else if (fclose(o->fp) != 0) {
		fprintf(stderr, "bulkhead: %s: write failed: %s\n", c->output, strerror(errno));
		rc = BH_EXIT_ERROR;
	}
	o->fp = NULL;
	if (o->tmp) {
		if (rc == 0 && ok && rename(o->tmp, c->output) != 0) {
			fprintf(stderr, "bulkhead: %s: cannot write: %s\n", c->output, strerror(errno));
			rc = BH_EXIT_ERROR;
		}
		if (rc || !ok)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	return rc ? rc : ok ? 0 : BH_EXIT_ERROR;
}

/* Maps a library status to the exit codes the README documents (one table for every subcommand). */
int bh_cli_exit_code(int status)
{
	switch (status) {
	case BH_OK: return BH_EXIT_OK;
	case BH_EUSAGE: return BH_EXIT_USAGE;
	case BH_EINVAL: case BH_ENOTFOUND: case BH_EIO: case BH_EDIGEST: case BH_EUNSUPPORTED: return BH_EXIT_INPUT;
	case BH_ELIMIT: return BH_EXIT_LIMIT;
	case BH_ENET: return BH_EXIT_NETWORK;
	case BH_EAUTH: return BH_EXIT_AUTH;
	case BH_ENODB: return BH_EXIT_NODB;
	default: return BH_EXIT_ERROR;
	}
}

void bh_cli_baseline_dir(char *out, size_t n)
{
	const char *e = getenv("BULKHEAD_BASELINES"), *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	if (e && e[0])
		snprintf(out, n, "%s", e);
	else if (x && x[0] == '/')
		snprintf(out, n, "%s/bulkhead/baselines", x);
	else
		snprintf(out, n, "%s/.local/share/bulkhead/baselines", h && h[0] ? h : "/root");
}
