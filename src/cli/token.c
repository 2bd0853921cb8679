/* token.c - `bulkhead token create|list|revoke`: argument parsing only; tokens live in the store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "store/store.h"

static void usage(FILE *fp)
{
	fputs("usage: bulkhead token create --data DIR [--store URL] --role viewer|operator|admin|agent\n"
	      "                             [--name N] [--host H] [--expires YYYY-MM-DD]\n"
	      "       bulkhead token list   --data DIR [--store URL]\n"
	      "       bulkhead token revoke --data DIR [--store URL] ID\n\n"
	      "Bearer tokens of `bulkhead serve` (its --data and --store). create prints the new token once on\n"
	      "stdout: only its SHA-256 is stored. An agent token needs --host, the host whose data it may\n"
	      "write. --expires: the token stops working at 00:00 UTC that day.\n"
	      "  --data DIR   data directory (default ./bulkhead-data)\n", fp);
}

/* YYYY-MM-DD at 00:00 UTC; -1 when malformed. */
static int64_t parse_date(const char *s)
{
	struct tm tm;
	char *end;
	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || !(end = strptime(s, "%Y-%m-%d", &tm)) || *end)
		return -1;
	return (int64_t)timegm(&tm);
}

static void fmt_time(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm))
		snprintf(out, n, "-");
	else
		strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static int list_cb(void *ud, const bh_store_token *t)
{
	char ex[32], cr[32], lu[32];
	int64_t now = *(const int64_t *)ud;
	fmt_time(t->expires, ex, sizeof(ex));
	fmt_time(t->created, cr, sizeof(cr));
	fmt_time(t->last_used, lu, sizeof(lu));
	printf("%-5lld %-9s %-20s %-20s %-17s %-17s %-17s %s\n", (long long)t->id, t->role ? t->role : "",
	       t->name && *t->name ? t->name : "-", t->host && *t->host ? t->host : "-", ex, cr, lu,
	       t->revoked ? "revoked" : t->expires && t->expires <= now ? "expired" : "active");
	return 0;
}

static int audit(bh_store *st, const char *action, const char *target, const char *detail, bh_error *err)
{
	bh_store_audit a;
	memset(&a, 0, sizeof(a));
	a.who = "cli";
	a.action = action;
	a.target = target;
	a.from_addr = "local";
	a.detail = detail;
	return bh_store_audit_add(st, &a, (int64_t)time(NULL), err);
}

int bh_cmd_token(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "store", required_argument, NULL, 's' },
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "host", required_argument, NULL, 'H' },
		{ "expires", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = "./bulkhead-data", *url = NULL, *role = NULL, *name = NULL, *host = NULL, *expires = NULL, *verb;
	int64_t exp = 0, now = (int64_t)time(NULL), id = 0;
	bh_store *st = NULL;
	bh_error err;
	char *tok = NULL, target[32];
	int ch, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BH_EXIT_USAGE : BH_EXIT_OK;
	}
	verb = argv[1];
	if (strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "revoke") != 0) {
		fprintf(stderr, "bulkhead token: unknown action \"%s\" (create, list, revoke)\n", verb);
		return BH_EXIT_USAGE;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': data = optarg; break;
		case 's': url = optarg; break;
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'H': host = optarg; break;
		case 'e': expires = optarg; break;
		case 'h': usage(stdout); return BH_EXIT_OK;
		default: return bh_cli_bad_option("token", longopts, ch, argv + 1);
		}
	}
	if (!strcmp(verb, "create")) {
		if (!role || optind != argc - 1) {
			fputs("bulkhead token create: --role viewer|operator|admin|agent is required (and no other argument)\n", stderr);
			return BH_EXIT_USAGE;
		}
		if (!strcmp(role, "agent") != !!host) {
			fputs("bulkhead token create: --host goes with --role agent, and an agent token needs it\n", stderr);
			return BH_EXIT_USAGE;
		}
		if (expires && (exp = parse_date(expires)) < 0) {
			fprintf(stderr, "bulkhead token create: --expires \"%s\": expected YYYY-MM-DD\n", expires);
			return BH_EXIT_USAGE;
		}
		if (expires && exp <= now)
			fprintf(stderr, "bulkhead token create: warning: %s is past; the token is expired already\n", expires);
	} else if (!strcmp(verb, "list") ? optind != argc - 1 : optind != argc - 2) {
		fprintf(stderr, "bulkhead token %s: %s\n", verb, !strcmp(verb, "list") ? "no argument expected" : "one token ID expected");
		return BH_EXIT_USAGE;
	}
	if (!strcmp(verb, "revoke")) {
		char *end;
		long long v = strtoll(argv[optind + 1], &end, 10);
		if (*end || v <= 0 || argv[optind + 1][0] == '+') {
			fprintf(stderr, "bulkhead token revoke: \"%s\" is not a token ID (see bulkhead token list)\n", argv[optind + 1]);
			return BH_EXIT_USAGE;
		}
		id = v;
	}
	rc = url ? bh_store_open(url, &st, &err) : bh_store_open_dir(data, &st, &err);
	if (!rc && !strcmp(verb, "create")) {
		rc = bh_store_token_create(st, role, name, host, exp, now, &tok, &id, &err);
		snprintf(target, sizeof(target), "token %lld", (long long)id);
		if (!rc)
			rc = audit(st, "token.create", target, role, &err);
		if (!rc) {
			printf("%s\n", tok);
			fprintf(stderr, "bulkhead token: created token %lld (%s); it is shown only now\n", (long long)id, role);
		}
	} else if (!rc && !strcmp(verb, "list")) {
		printf("%-5s %-9s %-20s %-20s %-17s %-17s %-17s %s\n", "ID", "ROLE", "NAME", "HOST", "EXPIRES", "CREATED",
		       "LAST USED", "STATE");
		int64_t after = 0, next = 0;
		do {
			rc = bh_store_token_list(st, after, 0, list_cb, &now, &next, &err);
			after = next;
		} while (!rc && next);
	} else if (!rc) {
		rc = bh_store_token_revoke(st, id, &err);
		snprintf(target, sizeof(target), "token %lld", (long long)id);
		if (!rc)
			rc = audit(st, "token.revoke", target, NULL, &err);
		if (!rc)
			fprintf(stderr, "bulkhead token: revoked token %lld\n", (long long)id);
	}
	free(tok);
	bh_store_close(st);
	if (rc) {
		bh_cli_print_error(rc, &err);
		return bh_cli_exit_code(rc);
	}
	return BH_EXIT_OK;
}
