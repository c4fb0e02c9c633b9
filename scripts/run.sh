#!/usr/bin/env bash
# Run the server in demo mode (used by `make run`, after `make build`).
# Starts the private PostgreSQL (scripts/pg.sh) unless DATABASE_URL is already set.
# It installs nothing itself; pg.sh says on stderr what it installs, before it does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -z "${DATABASE_URL:-}" ]; then
	DATABASE_URL=$(scripts/pg.sh start)
fi
export DATABASE_URL
# A webhook receiver on this machine (a local test server) may be registered.
export BAYBOARD_WEBHOOK_ALLOW_PRIVATE=${BAYBOARD_WEBHOOK_ALLOW_PRIVATE:-true}

exec ./bin/bayboard serve --demo "$@"
