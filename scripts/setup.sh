#!/bin/sh
# Set-up for a fresh machine, run by npm before `npm start` and `npm test`: npm dependencies, the CLI
# bundle, then `bulwark setup` with what the npm script needs (the only command that installs anything;
# each part is skipped when already there). The test cluster is built by the cluster tests' own set-up
# (10-20 minutes cold), not here.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bulwark setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
node scripts/build.mjs
case "${npm_lifecycle_event:-}" in
  pretest) node bin/bulwark.mjs setup --engine --postgres --chromium --containers ;;
  *) node bin/bulwark.mjs setup --engine ;;
esac
