#!/bin/sh
# Installs what `npm start` and `npm test` need on a fresh machine: npm dependencies and the CLI bundle.
# k6, the container engine and the test cluster are installed on demand by the commands that use them.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bulwark setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
node scripts/build.mjs
