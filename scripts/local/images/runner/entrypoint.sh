#!/bin/sh
# Copies the mounted project (bulwark.config.json and scenarios/, read-only in a ConfigMap or a bind
# mount) into a writable folder, where bulwark keeps its bundles, and runs bulwark there.
set -eu
if [ -d "$BULWARK_PROJECT_FROM" ] && [ ! -r "$BULWARK_PROJECT_FROM/bulwark.config.json" ]; then
  echo "bulwark-runner: $BULWARK_PROJECT_FROM/bulwark.config.json is missing or not readable by uid $(id -u)" >&2
  exit 2
fi
if [ -r "$BULWARK_PROJECT_FROM/bulwark.config.json" ]; then
  project=$(mktemp -d /tmp/bulwark-project.XXXXXX)
  cp -L "$BULWARK_PROJECT_FROM/bulwark.config.json" "$project/"
  if [ -d "$BULWARK_PROJECT_FROM/scenarios" ]; then cp -RL "$BULWARK_PROJECT_FROM/scenarios" "$project/"; fi
  cd "$project"
fi
exec /usr/local/bin/node /opt/bulwark/bin/bulwark.mjs "$@"
