/* cli.h - subcommand entry points and the exit-code mapping shared by them. */
#ifndef BH_CLI_CLI_H
#define BH_CLI_CLI_H

/* Exit codes (stable, documented in the README). */
enum {
	BH_EXIT_OK = 0,
	BH_EXIT_ERROR = 1,   /* anything else (out of memory, cannot write output) */
	BH_EXIT_USAGE = 2,   /* bad arguments */
	BH_EXIT_INPUT = 3,   /* target unreadable, invalid, hostile or digest mismatch */
	BH_EXIT_LIMIT = 4,   /* a configured limit was hit */
	BH_EXIT_NETWORK = 5, /* engine socket / registry / feed unreachable, TLS verification failed */
	BH_EXIT_AUTH = 6,    /* a registry refused the credentials, or wants some and none were given */
	BH_EXIT_NODB = 7     /* no vulnerability DB (--db, db import, db update say how to get one) */
};

/* Maps a library status (core/error.h) to one of the exit codes above; defined in cli/common.c. */
int bh_cli_exit_code(int status);
int bh_cmd_sbom(int argc, char **argv);
int bh_cmd_version(int argc, char **argv);
int bh_cmd_scan(int argc, char **argv);
int bh_cmd_db(int argc, char **argv);
int bh_cmd_rules(int argc, char **argv);
int bh_cmd_serve(int argc, char **argv);
int bh_cmd_token(int argc, char **argv);
int bh_cmd_agent(int argc, char **argv);
int bh_cmd_watch(int argc, char **argv);
int bh_cmd_drift(int argc, char **argv);
int bh_cmd_contain(int argc, char **argv);
int bh_cmd_baseline(int argc, char **argv);
int bh_cmd_netpol(int argc, char **argv);
int bh_cmd_netmap(int argc, char **argv);

#endif
