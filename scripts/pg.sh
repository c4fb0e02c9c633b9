#!/usr/bin/env bash
# Private PostgreSQL server for development and tests.
#
#   scripts/pg.sh start    start (initialising and installing if needed); prints the URL last on stdout
#   scripts/pg.sh stop     stop it (fast mode)
#   scripts/pg.sh status   say whether it runs (exit 0 if it does, 3 if not)
#   scripts/pg.sh url      print the URL
#   scripts/pg.sh reset    stop it and delete its data folder
#
# Usage: DATABASE_URL=$(scripts/pg.sh start)
#
# Only the URL goes to stdout; every other message goes to stderr.
# Port: ${BAYBOARD_PG_PORT:-54329}, listening on 127.0.0.1 only, trust auth, user postgres.
# Data: .pgdata/ at the repo root (data/ and log inside it), or, when the script runs as root
# and the postgres OS user cannot reach the repo (e.g. under /root), /tmp/bayboard-pgdata-<hash>.
set -euo pipefail

# fd 3 is the real stdout (for the URL); everything else goes to stderr.
exec 3>&1 1>&2

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PORT=${BAYBOARD_PG_PORT:-54329}
DB=bayboard
URL="postgres://postgres@127.0.0.1:${PORT}/${DB}?sslmode=disable"
ADMIN_URL="postgres://postgres@127.0.0.1:${PORT}/postgres?sslmode=disable&connect_timeout=5"
SOCKET_DIR=/tmp
PG_USER=postgres

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

case "$PORT" in '' | *[!0-9]*) die "BAYBOARD_PG_PORT must be a number, got '$PORT'" ;; esac

IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

# ---------------------------------------------------------------- binaries

PGBIN=""     # dir with pg_ctl/initdb/postgres ("" = use PATH)
CLIENTBIN="" # dir with psql/pg_isready, same dir as the server when possible

bin_version() { # major version of the server binaries in $1 ("" = PATH)
	local pgctl=${1:+$1/}pg_ctl
	"$pgctl" --version 2>/dev/null | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n1
}

find_server_bins() {
	PGBIN=""
	if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
		PGBIN=$(dirname "$(command -v pg_ctl)")
		return 0
	fi
	local d newest=""
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		[ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && newest=$d
	done
	[ -n "$newest" ] || return 1
	PGBIN=$newest
}

# install_postgres says what it installs and how (as root or with sudo),
# once, before installing.
install_postgres() {
	command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries not found and no apt-get here: install the PostgreSQL server (pg_ctl, initdb, postgres) by hand"
	local sudo=() how="as root"
	if [ "$IS_ROOT" != 1 ]; then
		command -v sudo >/dev/null 2>&1 || die "PostgreSQL server binaries not found; not root and no sudo: install the 'postgresql' package by hand"
		if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
		how="with sudo"
	fi
	say "installing postgresql (Debian package) for the private database server: its binaries were not found; $how"
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
}

setup_bins() {
	if ! find_server_bins; then
		install_postgres
		find_server_bins || die "PostgreSQL was installed but pg_ctl/initdb/postgres are still not found"
	fi
}

# After choose_base: pick the client tools, and the right major version for an existing cluster.
check_bins() {
	# If an existing data folder was made by another major version, prefer that version's binaries.
	if [ -f "$PGDATA/PG_VERSION" ]; then
		local want have
		want=$(cat "$PGDATA/PG_VERSION")
		have=$(bin_version "$PGBIN")
		if [ -n "$have" ] && [ "$want" != "$have" ]; then
			if [ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ] && [ -x "/usr/lib/postgresql/$want/bin/postgres" ]; then
				PGBIN=/usr/lib/postgresql/$want/bin
			else
				die "$PGDATA was made by PostgreSQL $want but the binaries are $have: run 'scripts/pg.sh reset' (deletes the dev data)"
			fi
		fi
	fi
	# Client tools: next to the real pg_ctl when present, else PATH.
	local real
	real=$(dirname "$(readlink -f "$PGBIN/pg_ctl")")
	CLIENTBIN=""
	if [ -x "$real/psql" ] && [ -x "$real/pg_isready" ]; then
		CLIENTBIN=$real
	elif [ -x "$PGBIN/psql" ] && [ -x "$PGBIN/pg_isready" ]; then
		CLIENTBIN=$PGBIN
	fi
}

client() { # client TOOL ARGS...
	local tool=$1
	shift
	if [ -n "$CLIENTBIN" ]; then
		"$CLIENTBIN/$tool" "$@"
	elif command -v "$tool" >/dev/null 2>&1; then
		"$tool" "$@"
	else
		die "$tool not found (install postgresql-client)"
	fi
}

# Find the client tools without installing anything (for stop/status).
setup_bins_quiet() {
	find_server_bins || true
	CLIENTBIN=""
	if [ -n "$PGBIN" ]; then
		local real
		real=$(dirname "$(readlink -f "$PGBIN/pg_ctl")")
		if [ -x "$real/psql" ]; then CLIENTBIN=$real; else CLIENTBIN=$PGBIN; fi
	fi
}

# ---------------------------------------------------------------- users and folders

# Run a command as the user that owns the server: postgres when we are root, else ourselves.
# cd / first: PostgreSQL tools fail if they cannot read the current directory (e.g. under /root).
as_pg() {
	if [ "$IS_ROOT" = 1 ]; then
		if command -v runuser >/dev/null 2>&1; then
			(cd / && runuser -u "$PG_USER" -- "$@")
		else
			local cmd
			cmd=$(printf '%q ' "$@")
			(cd / && su -s /bin/bash "$PG_USER" -c "$cmd")
		fi
	else
		"$@"
	fi
}

ensure_pg_user() {
	[ "$IS_ROOT" = 1 ] || return 0
	id -u "$PG_USER" >/dev/null 2>&1 && return 0
	say "creating the system user '$PG_USER'"
	useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /bin/bash "$PG_USER"
}

# Where the data lives. Sets BASE (our folder), PGDATA (the cluster) and LOG.
choose_base() {
	BASE=$REPO_ROOT/.pgdata
	if [ "$IS_ROOT" = 1 ] && id -u "$PG_USER" >/dev/null 2>&1; then
		if ! as_pg test -x "$REPO_ROOT" -a -r "$REPO_ROOT" 2>/dev/null; then
			local hash
			hash=$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-10)
			BASE=/tmp/bayboard-pgdata-$hash
			[ "${1:-}" = quiet ] || say "notice: user '$PG_USER' cannot reach $REPO_ROOT; the data folder is $BASE instead of .pgdata/"
		fi
	fi
	PGDATA=$BASE/data
	LOG=$BASE/log
}

prepare_base() {
	mkdir -p "$BASE"
	if [ "$IS_ROOT" = 1 ]; then
		chown "$PG_USER:" "$BASE"
		chmod 700 "$BASE"
		if [ -e "$PGDATA" ] && [ "$(stat -c %U "$PGDATA")" != "$PG_USER" ]; then
			chown -R "$PG_USER:" "$PGDATA"
		fi
		if [ -e "$LOG" ] && [ "$(stat -c %U "$LOG")" != "$PG_USER" ]; then
			chown "$PG_USER:" "$LOG"
		fi
	fi
}

# ---------------------------------------------------------------- liveness

# Is $1 the PID of a live postgres process? (Guards against PID reuse after a reboot.)
pid_is_postgres() {
	local pid=$1 comm
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	[ -d "/proc/$pid" ] || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
	case "$comm" in postgres | postmaster) ;; *) return 1 ;; esac
	# A zombie (killed, not yet reaped) does not count.
	local state
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)
	case "$state" in Z | X) return 1 ;; esac
	return 0
}

# PID of the postmaster running on our data folder, or nothing.
running_pid() {
	local pidfile=$PGDATA/postmaster.pid pid cwd
	[ -r "$pidfile" ] || return 1
	pid=$(head -n1 "$pidfile" 2>/dev/null || true)
	pid_is_postgres "$pid" || return 1
	# The postmaster's cwd is its data folder; check it when we are allowed to see it.
	if cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) && [ -n "$cwd" ]; then
		[ "$cwd" = "$(readlink -f "$PGDATA")" ] || return 1
	fi
	echo "$pid"
}

running_port() { sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true; }

# Remove lock files left by a server that is no longer running (killed machine, OOM, kill -9).
clear_stale_locks() {
	local pidfile=$PGDATA/postmaster.pid lock=$SOCKET_DIR/.s.PGSQL.$PORT.lock pid
	if [ -e "$pidfile" ] && ! running_pid >/dev/null; then
		say "removing stale $pidfile (pid $(head -n1 "$pidfile" 2>/dev/null || echo '?') is not a running server)"
		rm -f "$pidfile"
	fi
	if [ -e "$lock" ]; then
		pid=$(head -n1 "$lock" 2>/dev/null || true)
		if ! pid_is_postgres "$pid"; then
			say "removing stale socket lock $lock"
			rm -f "$lock" "$SOCKET_DIR/.s.PGSQL.$PORT" 2>/dev/null || true
		fi
	fi
}

# 0 accepting, 1 rejecting (starting up / shutting down), 2 no answer
port_state() {
	local rc=0
	client pg_isready -q -h 127.0.0.1 -p "$PORT" -t 3 || rc=$?
	return "$rc"
}

wait_ready() { # wait_ready SECONDS
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		port_state && return 0
		sleep 0.5
	done
	return 1
}

# ---------------------------------------------------------------- database

psql_admin() { client psql -X -q -v ON_ERROR_STOP=1 -At "$ADMIN_URL" "$@"; }

ensure_db() {
	local exists
	exists=$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") ||
		die "cannot connect to the server on 127.0.0.1:$PORT as user postgres"
	if [ "$exists" != 1 ]; then
		say "creating database $DB"
		if ! psql_admin -c "CREATE DATABASE $DB" >/dev/null; then
			# Another process may have created it at the same time.
			[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = 1 ] ||
				die "could not create database $DB"
		fi
	fi
}

warn_if_foreign() {
	local dir
	dir=$(psql_admin -c "SHOW data_directory" 2>/dev/null || true)
	if [ -n "$dir" ] && [ "$dir" != "$(readlink -f "$PGDATA" 2>/dev/null || echo "$PGDATA")" ]; then
		say "notice: the server on port $PORT uses data folder $dir, not this repo's $PGDATA"
	fi
}

# ---------------------------------------------------------------- commands

lock() {
	# Serialise concurrent starts (make run + make test at once). Best effort.
	command -v flock >/dev/null 2>&1 || return 0
	local f=/tmp/bayboard-pg-$PORT.lock
	[ -e "$f" ] || { : >"$f" && chmod 666 "$f"; } 2>/dev/null || return 0
	exec 9<"$f" || return 0
	flock -w 300 9 || say "warning: could not take $f; going on without it"
}

do_initdb() {
	say "initialising a new cluster in $PGDATA"
	local common=(-D "$PGDATA" --auth=trust -U postgres --encoding=UTF8 --no-sync)
	if ! as_pg "$PGBIN/initdb" "${common[@]}" --locale=C.UTF-8 >/dev/null; then
		say "initdb with --locale=C.UTF-8 failed; retrying with --locale=C"
		[ -d "$PGDATA" ] && find "$PGDATA" -mindepth 1 -delete
		as_pg "$PGBIN/initdb" "${common[@]}" --locale=C >/dev/null || die "initdb failed"
	fi
}

cmd_start() {
	lock
	setup_bins
	ensure_pg_user
	choose_base
	check_bins

	# Already running, ours or not?
	local pid
	if pid=$(running_pid); then
		local rport
		rport=$(running_port)
		if [ -n "$rport" ] && [ "$rport" != "$PORT" ]; then
			die "the server for $PGDATA already runs on port $rport: run 'scripts/pg.sh stop' first, or set BAYBOARD_PG_PORT=$rport"
		fi
		wait_ready 60 || die "server (pid $pid) runs but does not accept connections on 127.0.0.1:$PORT; see $LOG"
		say "already running on 127.0.0.1:$PORT (pid $pid, data $PGDATA)"
		ensure_db
		echo "$URL" >&3
		return 0
	fi
	local st=0
	port_state || st=$?
	if [ "$st" = 1 ]; then wait_ready 60 && st=0; fi
	if [ "$st" = 0 ]; then
		say "a server already runs on 127.0.0.1:$PORT; using it"
		warn_if_foreign
		ensure_db
		echo "$URL" >&3
		return 0
	fi

	prepare_base
	if [ ! -f "$PGDATA/PG_VERSION" ]; then
		if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA" 2>/dev/null)" ]; then
			say "$PGDATA is a half-made cluster (no PG_VERSION); starting it over"
			rm -rf "$PGDATA"
		fi
		do_initdb
	fi
	clear_stale_locks

	say "starting PostgreSQL $(bin_version "$PGBIN") on 127.0.0.1:$PORT (data $PGDATA, log $LOG)"
	local opts="-p $PORT -k $SOCKET_DIR -c listen_addresses=127.0.0.1"
	opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	opts+=" -c max_connections=300 -c shared_buffers=256MB"
	# Close fd 3 (our stdout, maybe a $(...) pipe) and fd 9 (the lock) so the server does not hold them.
	if ! as_pg "$PGBIN/pg_ctl" start -D "$PGDATA" -l "$LOG" -w -t 120 -o "$opts" >/dev/null 3>&- 9>&-; then
		say "pg_ctl start failed; last lines of $LOG:"
		tail -n 25 "$LOG" >&2 2>/dev/null || true
		exit 1
	fi
	wait_ready 30 || { tail -n 25 "$LOG" >&2 || true; die "server started but does not accept connections on 127.0.0.1:$PORT"; }
	ensure_db
	say "ready: $URL"
	echo "$URL" >&3
}

cmd_stop() {
	choose_base quiet
	setup_bins_quiet
	local pid
	if pid=$(running_pid); then
		[ -n "$PGBIN" ] || die "pg_ctl not found"
		as_pg "$PGBIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >/dev/null 3>&- 9>&-
		say "stopped (pid $pid, data $PGDATA)"
	else
		[ -e "$PGDATA/postmaster.pid" ] && clear_stale_locks
		say "not running (data $PGDATA)"
	fi
}

cmd_status() {
	choose_base quiet
	setup_bins_quiet
	local pid
	if pid=$(running_pid); then
		local st=0
		port_state || st=$?
		case $st in
		0) say "running: pid $pid, port $(running_port), data $PGDATA, log $LOG" ;;
		*) say "running (pid $pid, data $PGDATA) but not accepting connections on 127.0.0.1:$PORT (pg_isready $st)" ;;
		esac
		echo "$URL" >&3
		return 0
	fi
	say "not running (data $PGDATA)"
	exit 3
}

cmd_reset() {
	cmd_stop
	choose_base quiet
	say "deleting $BASE"
	rm -rf "$BASE"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
url) echo "$URL" >&3 ;;
reset) cmd_reset ;;
*)
	say "usage: scripts/pg.sh start|stop|status|url|reset"
	exit 2
	;;
esac
