#!/usr/bin/env bash
# Installs LiteRT.js (@litertjs/core, pinned in package-lock.json) into a cache
# outside git, for run_litert.mjs.
#
#   tools/litert/install.sh [--dir DIR]
#
# DIR defaults to $OPSCOPE_NODE_DIR, else $HOME/.cache/opscope/node. The
# package.json and package-lock.json next to this script are copied there and
# `npm ci --ignore-scripts` installs exactly the locked versions (checked
# against their integrity hashes); no install script runs. Idempotent: when the
# installed lockfile already equals ours and the package is present, nothing is
# downloaded.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_dir="${OPSCOPE_NODE_DIR:-${HOME:-/root}/.cache/opscope/node}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) node_dir="${2:?--dir needs a value}"; shift 2 ;;
    --dir=*) node_dir="${1#--dir=}"; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v npm >/dev/null || { echo "install.sh: npm not found (need Node 20 and npm)" >&2; exit 1; }

marker="$node_dir/node_modules/@litertjs/core/package.json"
if [[ -f "$marker" && -f "$node_dir/package-lock.json" ]] &&
   cmp -s "$script_dir/package-lock.json" "$node_dir/package-lock.json" &&
   cmp -s "$script_dir/package.json" "$node_dir/package.json"; then
  echo "litert: up to date in $node_dir"
  exit 0
fi

mkdir -p "$node_dir"
cp "$script_dir/package.json" "$script_dir/package-lock.json" "$node_dir/"
# --no-audit/--no-fund: no extra registry round trips; CI=true keeps npm from
# prompting or drawing progress bars when there is no terminal.
(cd "$node_dir" && CI=true npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn)

version="$(node -p "require('$marker').version")"
echo "litert: installed @litertjs/core@$version in $node_dir"
