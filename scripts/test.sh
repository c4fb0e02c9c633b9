#!/usr/bin/env bash
# Everything CI checks (`make test`, `.ci/run`), in order, stopping at the first failure:
#   1. private PostgreSQL (scripts/pg.sh) unless DATABASE_URL is set; BAYBOARD_TEST_DB=require
#   2. go generate ./... must not change anything under graph/
#   3. gofmt, go vet
#   4. breaking-change check of schema.graphqls against schema/released.graphqls (tools/schema, npm)
#   5. go test -race (extra flags from GOTESTFLAGS, e.g. GOTESTFLAGS='-run TestBoard -v'), then
#      every fuzz target for FUZZTIME (default 20000x: executions, not seconds) each; this
#      runs the node suites too: e2e/ws (graphql-ws, subscriptions-transport-ws), e2e/http (audit)
#   6. browser tests in e2e/ (npm), when e2e/package.json exists
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STEP=""
TMPFILES=()
step() {
	STEP=$1
	printf '\n==> %s\n' "$*"
}
on_exit() {
	local rc=$?
	[ "${#TMPFILES[@]}" -eq 0 ] || rm -f "${TMPFILES[@]}"
	if [ "$rc" -ne 0 ]; then
		printf '\ntest.sh: FAILED at step "%s" (exit %s)\n' "$STEP" "$rc"
	fi
}
trap on_exit EXIT

# apt_install WHY PACKAGE...: installs Debian packages, first saying on stderr
# which, why and how (as root or with sudo), once per call: nothing is
# installed silently.
APT_UPDATED=0
apt_install() {
	local why=$1
	shift
	local sudo=() how="as root" what="Debian package"
	[ "$#" -gt 1 ] && what="Debian packages"
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "test.sh: need to install $* ($what) $why, but not root and no sudo: install by hand" >&2
			return 1
		}
		if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
		how="with sudo"
	fi
	echo "test.sh: installing $* ($what) $why, $how" >&2
	if [ "$APT_UPDATED" = 0 ]; then
		"${sudo[@]}" apt-get update
		APT_UPDATED=1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# Go lives in /usr/local/go on the project's machines; make sure it is on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	export PATH=$PATH:/usr/local/go/bin
fi
command -v go >/dev/null 2>&1 || {
	echo "test.sh: go not found" >&2
	exit 1
}

IN_GIT=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	IN_GIT=1
fi


# ------------------------------------------------------------------------------------------
step "1/6 database"
if [ -z "${DATABASE_URL:-}" ]; then
	DATABASE_URL=$(bash scripts/pg.sh start)
else
	echo "using DATABASE_URL from the environment"
fi
export DATABASE_URL
export BAYBOARD_TEST_DB=require
echo "DATABASE_URL=$(printf '%s' "$DATABASE_URL" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')"

# ------------------------------------------------------------------------------------------
step "2/6 go generate"
# State of graph/ as git sees it: status lines plus content hashes of the files they name.
graph_state() {
	local line path
	git status --porcelain --untracked-files=all -- graph/ | while IFS= read -r line; do
		path=${line:3}
		path=${path##* -> }
		if [ -f "$path" ]; then
			printf '%s %s\n' "$line" "$(git hash-object -- "$path")"
		else
			printf '%s\n' "$line"
		fi
	done
}
if [ "$IN_GIT" = 1 ]; then
	before=$(graph_state)
fi
go generate ./...
if [ "$IN_GIT" = 1 ]; then
	after=$(graph_state)
	# In a fresh clone `before` is empty, so this is "git status shows nothing under graph/".
	# Locally, only what go generate itself changed counts, not edits you have not committed yet.
	if [ "$before" != "$after" ]; then
		echo "generated code is stale: run go generate and commit"
		git status --porcelain --untracked-files=all -- graph/
		git --no-pager diff --stat -- graph/ || true
		exit 1
	fi
	echo "generated code is up to date"
else
	echo "not a git work tree: skipping the stale-generated-code check"
fi

# ------------------------------------------------------------------------------------------
step "3/6 gofmt and go vet"
gofiles=()
if [ "$IN_GIT" = 1 ]; then
	# Tracked files, plus new ones not yet added (that are not ignored).
	while IFS= read -r -d '' f; do
		case "$f" in */testdata/* | testdata/* | */node_modules/*) continue ;; esac
		[ -f "$f" ] && gofiles+=("$f")
	done < <(git ls-files -z --cached --others --exclude-standard -- '*.go')
else
	while IFS= read -r -d '' f; do
		gofiles+=("$f")
	done < <(find . \( -name node_modules -o -name testdata -o -name '.*' -a ! -name . \) -prune -o -name '*.go' -type f -print0)
fi
if [ "${#gofiles[@]}" -gt 0 ]; then
	unformatted=$(gofmt -l "${gofiles[@]}")
	if [ -n "$unformatted" ]; then
		echo "gofmt: these files need formatting (run: make fmt):"
		echo "$unformatted"
		exit 1
	fi
fi
echo "gofmt: ${#gofiles[@]} files ok"
# The module's packages (what ./... means), leaving out any Go files npm put in node_modules.
# A failing `go list` (say, a broken go.mod) fails the script here.
pkglist=$(go list -e ./...)
mapfile -t pkgs < <(printf '%s\n' "$pkglist" | grep -v -e '/node_modules/' -e '^$' || true)
if [ "${#pkgs[@]}" -gt 0 ]; then
	go vet "${pkgs[@]}"
fi
echo "go vet: ok"

# ------------------------------------------------------------------------------------------
# The websocket client tests (graph, e2e/ws) run the npm graphql-ws client under go test.
if ! command -v npm >/dev/null 2>&1; then
	apt_install "for the websocket client tests and the schema check" nodejs npm
fi

step "4/6 schema: breaking changes against schema/released.graphqls"
# graphql-inspector; accepted breaking changes are listed in schema/breaking-ok (docs/schema-changes.md).
if [ ! -f tools/schema/node_modules/.package-lock.json ] || [ tools/schema/package-lock.json -nt tools/schema/node_modules/.package-lock.json ]; then
	echo "test.sh: installing tools/schema's npm packages (npm ci, into tools/schema/node_modules)" >&2
	(cd tools/schema && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd tools/schema && npm run --silent check)

step "5/6 go test"
# The race detector needs cgo, and cgo needs a C compiler.
if [ "$(go env CGO_ENABLED)" != 1 ]; then
	if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
		apt_install "for go test -race (cgo needs a C compiler)" gcc libc6-dev
	fi
	export CGO_ENABLED=1
fi
read -r -a extra <<<"${GOTESTFLAGS:-}"
gotest_log=$(mktemp)
TMPFILES+=("$gotest_log")
if [ "${#pkgs[@]}" -gt 0 ]; then
	go test -race -count=1 -timeout 10m "${extra[@]}" "${pkgs[@]}" 2>&1 | tee "$gotest_log"
else
	echo "no Go packages"
fi
# Every fuzz target (parsers of untrusted input), briefly: FUZZTIME each (default
# 20000x, a count of executions: a duration makes go test report a spurious
# "context deadline exceeded" when a worker is busy as time runs out; 0 skips).
fuzztime=${FUZZTIME:-20000x}
fuzzed=0
if [ "$fuzztime" != 0 ]; then
	while IFS= read -r f; do
		dir=$(dirname "$f")
		for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f"); do
			echo "fuzz ./$dir $target ($fuzztime)"
			go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir"
			fuzzed=$((fuzzed + 1))
		done
	done < <(grep -rl --include='*_test.go' --exclude-dir=node_modules '^func Fuzz' . | sed 's#^\./##' | sort)
fi
echo "fuzz targets run: $fuzzed"
pkgs_ok=$(grep -c '^ok ' "$gotest_log" || true)
pkgs_notests=$(grep -c '^? ' "$gotest_log" || true)

# ------------------------------------------------------------------------------------------
step "6/6 browser tests"
browser="none yet"
if [ -f e2e/browser/package.json ]; then
	[ -x /usr/bin/chromium ] || apt_install "for the browser tests" chromium
	command -v psql >/dev/null 2>&1 || apt_install "for the browser tests (psql)" postgresql-client
	# Without CJK fonts Chinese renders as boxes in the screenshots.
	if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh | grep -q .; then
		apt_install "so that the browser tests render Chinese" fonts-noto-cjk
	fi
	# The browser tests drive the real server binary.
	go build -o bin/bayboard .
	export BAYBOARD_BIN="$PWD/bin/bayboard"
	if [ ! -f e2e/browser/node_modules/.package-lock.json ] || [ e2e/browser/package-lock.json -nt e2e/browser/node_modules/.package-lock.json ]; then
		echo "test.sh: installing e2e/browser's npm packages (npm ci, into e2e/browser/node_modules)" >&2
		(cd e2e/browser && npm ci --no-audit --no-fund)
	fi
	(cd e2e/browser && npm test)
	browser="passed"
else
	echo "no browser tests yet"
fi

STEP="done"
printf '\ntest.sh: all checks passed (generate, gofmt, vet, schema breaking changes, go test -race: %s packages ok, %s without tests; browser tests: %s)\n' \
	"$pkgs_ok" "$pkgs_notests" "$browser"
