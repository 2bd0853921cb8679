# pg.sh - sourced by the e2e scripts that run a PostgreSQL server of their own (not run alone).
# Debian's postgresql server in a folder of the test's, listening on a unix socket there only (no TCP):
# two tests never share a database, and each script's port number only names its socket.

PGBIN=${BH_PG_BINDIR:-/usr/lib/postgresql/15/bin}
PGDATA=
pg_why=

# pgrun CMD...: as the postgres user when root (initdb refuses to run as root), else as it is.
pgrun() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# pg_start DIR PORT: initdb in DIR/data and a server on DIR/.s.PGSQL.PORT; sets PGDATA for pg_stop.
# Non-zero, with the reason in pg_why for the caller's SKIP line, when there are no server binaries,
# no postgres user to run them as root, or initdb or the start failed (their logs: DIR/initdb.log, DIR/log).
# DIR's parents must let the postgres user through (chmod 711).
pg_start() {
	local dir=$1 port=$2
	pg_why=
	if ! [ -x "$PGBIN/initdb" ]; then
		pg_why="no $PGBIN/initdb (Debian package postgresql; or set BH_PG_BINDIR)"
	elif [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		pg_why="running as root and there is no postgres user to run initdb as"
	elif ! mkdir -p "$dir" || { [ "$(id -u)" = 0 ] && ! chown postgres: "$dir"; }; then
		pg_why="cannot make $dir for the postgres user"
	elif ! pgrun "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1; then
		pg_why="initdb failed: $(tail -1 "$dir/initdb.log")"
	elif ! pgrun "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
		-o "-p $port -k $dir -c listen_addresses='' -c fsync=off" start >/dev/null 2>&1; then
		pg_why="the PostgreSQL server did not start: $(tail -2 "$dir/log" 2>/dev/null | tr '\n' ' ')"
	else
		PGDATA=$dir/data
		return 0
	fi
	return 1
}

# pg_stop: stops what pg_start started (for the caller's cleanup; nothing when it did not start).
pg_stop() {
	[ -n "$PGDATA" ] && pgrun "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
	PGDATA=
}
