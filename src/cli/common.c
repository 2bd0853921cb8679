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
#include "sbom/sbomread.h"

void bh_cli_common_init(bh_cli_common *c)
{
	memset(c, 0, sizeof(*c));
	bh_source_opts_default(&c->scan);
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
	default: return BH_EXIT_ERROR;
	}
}
