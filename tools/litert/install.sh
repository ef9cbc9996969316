#!/usr/bin/env bash
# Installs LiteRT.js (@litertjs/core, pinned in package-lock.json) into a cache
# outside git, for run_litert.mjs.
#
#   tools/litert/install.sh [--dir DIR]
#
# DIR defaults to $OPSCOPE_NODE_DIR, else $HOME/.cache/opscope/node. Exactly
# the locked versions, no install script, nothing downloaded when already
# up to date (tools/npm_locked_install.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../npm_locked_install.sh" litert @litertjs/core "$here" \
  "${OPSCOPE_NODE_DIR:-${HOME:-/root}/.cache/opscope/node}" "${BASH_SOURCE[0]}" "$@"
