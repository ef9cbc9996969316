#!/usr/bin/env bash
# Installs ONNX Runtime for Node (onnxruntime-node, pinned in
# package-lock.json) into a cache outside git, for run_ort.mjs.
#
#   tools/ort/install.sh [--dir DIR]
#
# DIR defaults to $OPSCOPE_NODE_DIR/ort, else $HOME/.cache/opscope/node/ort
# (its own folder: LiteRT.js keeps the parent). `npm ci --ignore-scripts`
# installs exactly the locked versions; with ONNXRUNTIME_NODE_INSTALL=skip
# as well, nothing tries to download a GPU provider (the CPU binaries ship
# in the npm package). Idempotent.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_dir="${OPSCOPE_NODE_DIR:-${HOME:-/root}/.cache/opscope/node}/ort"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) node_dir="${2:?--dir needs a value}"; shift 2 ;;
    --dir=*) node_dir="${1#--dir=}"; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v npm >/dev/null || { echo "install.sh: npm not found (need Node 20 and npm)" >&2; exit 1; }

marker="$node_dir/node_modules/onnxruntime-node/package.json"
if [[ -f "$marker" && -f "$node_dir/package-lock.json" ]] &&
   cmp -s "$script_dir/package-lock.json" "$node_dir/package-lock.json" &&
   cmp -s "$script_dir/package.json" "$node_dir/package.json"; then
  echo "ort: up to date in $node_dir"
  exit 0
fi

mkdir -p "$node_dir"
cp "$script_dir/package.json" "$script_dir/package-lock.json" "$node_dir/"
(cd "$node_dir" && ONNXRUNTIME_NODE_INSTALL=skip CI=true \
   npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn)

version="$(node -p "require('$marker').version")"
echo "ort: installed onnxruntime-node@$version in $node_dir"
