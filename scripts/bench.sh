#!/usr/bin/env bash
# Benchmarks of issues 7 and 18: queries vs PostGraphile, mutations vs
# pgbench, websocket fan-out of one instance and of two instances on one
# PostgreSQL, resume storm; a Goals table (issue 18) opens each run section.
#
#   scripts/bench.sh quick   a minute or two (make bench-quick)
#   scripts/bench.sh full    everything at full size (make bench)
#
# Builds the server fresh (go build -o bin/bayboard .), starts the private
# PostgreSQL (scripts/pg.sh), installs the two peers of the query section
# with npm ci: PostGraphile 4 into bench/postgraphile/node_modules and
# PostGraphile 5 into bench/postgraphile5/node_modules (both git-ignored),
# each with the Node.js 24 it runs on (V5 needs 22 or newer; the system's
# 20 is past its end of life), generates a dealership into
# its own database bench_<mode> (dropped at the end unless BENCH_KEEP_DB=1),
# then runs bench/cmd/bench, which starts and stops every server itself and
# replaces its section of BENCHMARKS.md. Everything listens on 127.0.0.1
# only and stops by itself (time limit: 5 min quick, 40 min full).
#
# Environment: BENCH_SERVER=path runs against a given server binary instead
# of building one; BENCH_ONLY=queries,mutations,fanout picks sections;
# BENCH_OUT=file writes elsewhere than BENCHMARKS.md ("" for nowhere);
# BENCH_FAN_N=1000,5000 picks the fan-out sizes (the two-instance step
# puts half of the largest on each instance); BENCH_PPROF=1 (with a
# server built with -tags pprof) gives each instance a profiler port.
# BENCH_DB=name generates into that database instead of bench_<mode> (two
# runs at once need two).
# BENCH_PEERS=v4,v5 picks the PostGraphiles (default both);
# BENCH_PEER_WORKERS=N runs each in N Node processes (default: one per core,
# cluster mode); BENCH_CONC=1,64 picks the query and mutation concurrencies.
#
# The smallest run, a check that every server starts and answers the same:
#   BENCH_ONLY=queries BENCH_CONC=1,64 BENCH_OUT= scripts/bench.sh quick
set -euo pipefail

MODE=${1:-quick}
case "$MODE" in quick | full) ;; *) echo "usage: scripts/bench.sh quick|full" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
WORK=$ROOT/.bench
mkdir -p "$WORK/bin"
say() { printf 'bench.sh: %s\n' "$*" >&2; }

# Ten thousand websockets on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
	say "warning: open files limited to $(ulimit -n); the 10,000-subscriber step needs about 10,100"
fi

SERVER=${BENCH_SERVER:-}
if [ -z "$SERVER" ]; then
	say "building the server (go build -o bin/bayboard .)"
	go build -o bin/bayboard . || { say "the server does not build; fix it or set BENCH_SERVER=path/to/bayboard"; exit 1; }
	SERVER=bin/bayboard
fi
say "building the benchmark programs"
go build -o "$WORK/bin/bench" ./bench/cmd/bench
go build -o "$WORK/bin/datagen" ./bench/cmd/datagen

PGBENCH=$(command -v pgbench || true)
[ -n "$PGBENCH" ] || PGBENCH=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n1)
[ -x "$PGBENCH" ] || { say "pgbench not found (it comes with the postgresql package)"; exit 1; }

BASE_URL=$(bash scripts/pg.sh start)
ADMIN_URL=${BASE_URL%%/bayboard?*}/postgres?sslmode=disable
DB=${BENCH_DB:-bench_$MODE}
URL=${BASE_URL%%/bayboard?*}/$DB?sslmode=disable
PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL")
command -v psql >/dev/null 2>&1 || PSQL=("$(dirname "$PGBENCH")/psql" -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL")

# npm_ci DIR NAME: install a peer unless its node_modules matches its lock file.
npm_ci() {
	if [ ! -f "$1/node_modules/postgraphile/package.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
		command -v npm >/dev/null 2>&1 || { say "npm not found: install Node.js 18 or newer"; exit 1; }
		say "installing $2 (npm ci in $1)"
		# PostGraphile 5's packages ask for Node 22; npm (on the system's
		# Node) only warns, and each folder brings the Node it runs on.
		(cd "$1" && npm ci --no-audit --no-fund --loglevel=error >&2)
	fi
}
PEERS=${BENCH_PEERS:-v4,v5}
case ",$PEERS," in *,v4,*) npm_ci bench/postgraphile "PostGraphile 4" ;; esac
case ",$PEERS," in *,v5,*) npm_ci bench/postgraphile5 "PostGraphile 5" ;; esac

drop_db() { "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; }
if [ "${BENCH_KEEP_DB:-0}" != 1 ]; then trap drop_db EXIT; fi

if [ "$MODE" = full ]; then SCALE=(--customers 20000 --vehicles 30000 --visits 200000); else SCALE=(--customers 2000 --vehicles 3000 --visits 20000); fi
say "generating the dealership into database $DB (${SCALE[*]})"
drop_db
"${PSQL[@]}" -c "CREATE DATABASE $DB"
"$SERVER" migrate --database-url "$URL" --log-level warn
"$WORK/bin/datagen" --database-url "$URL" "${SCALE[@]}" --seed 7 >"$WORK/fixture-$MODE.json"

pkgv() { node -p "require('./bench/$1/node_modules/$2/package.json').version"; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git status --porcelain -- . ':!BENCHMARKS.md' 2>/dev/null)" ] || commit="$commit+local changes"
VERSIONS="Bayboard $commit ($(go version | awk '{print $3}'))"
case ",$PEERS," in *,v4,*) VERSIONS+="; PostGraphile $(pkgv postgraphile postgraphile) + connection-filter $(pkgv postgraphile postgraphile-plugin-connection-filter) on Node $(bench/postgraphile/node_modules/.bin/node --version)" ;; esac
case ",$PEERS," in *,v5,*) VERSIONS+="; PostGraphile $(pkgv postgraphile5 postgraphile) (Grafast $(pkgv postgraphile5 grafast)) + connection-filter $(pkgv postgraphile5 postgraphile-plugin-connection-filter) on Node $(bench/postgraphile5/node_modules/.bin/node --version)" ;; esac
VERSIONS+="; $("$PGBENCH" --version)"

LIMIT=300
[ "$MODE" = full ] && LIMIT=2400
CMD="make bench-quick"
[ "$MODE" = full ] && CMD="make bench"
OUT=${BENCH_OUT-BENCHMARKS.md}
timeout --kill-after=10 "$LIMIT" "$WORK/bin/bench" --mode "$MODE" --server "$SERVER" --database-url "$URL" \
	--fixture "$WORK/fixture-$MODE.json" --pgbench "$PGBENCH" --postgraphile bench/postgraphile \
	--postgraphile5 bench/postgraphile5 --peers "$PEERS" ${BENCH_PEER_WORKERS:+--peer-workers "$BENCH_PEER_WORKERS"} \
	--out "$OUT" --log-dir "$WORK" --only "${BENCH_ONLY:-queries,mutations,fanout}" \
	${BENCH_FAN_N:+--fan-n "$BENCH_FAN_N"} ${BENCH_CONC:+--conc "$BENCH_CONC"} \
	--versions "$VERSIONS" --command "$CMD"
