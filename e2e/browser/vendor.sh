#!/usr/bin/env bash
# Rebuilds board/web/vendor/graphql-ws.js, the one third-party file the board
# and advisor pages load: the graphql-ws client (npm, version pinned in
# package.json / package-lock.json), bundled by esbuild into a single minified
# ES module. The built file is committed, so `make run` never needs npm; run
# this only to change the graphql-ws version, then commit the result.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
[ -d node_modules/graphql-ws ] || npm ci --no-audit --no-fund
version=$(node -p 'require("./node_modules/graphql-ws/package.json").version')
out=../../board/web/vendor/graphql-ws.js
mkdir -p "$(dirname "$out")"
npx esbuild --bundle --format=esm --minify --platform=browser --target=es2020 \
	--legal-comments=eof \
	--banner:js="/* graphql-ws ${version} (MIT, github.com/enisdenjo/graphql-ws): client, bundled by e2e/browser/vendor.sh with esbuild. Do not edit. */" \
	node_modules/graphql-ws/dist/client.js --outfile="$out"
cp node_modules/graphql-ws/LICENSE.md "${out%.js}.LICENSE.md"
ls -l "$out"
