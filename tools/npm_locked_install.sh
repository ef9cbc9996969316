#!/usr/bin/env bash
# Installs one npm package, pinned by the package.json and package-lock.json
# of LOCK_DIR, into a cache outside git; shared by tools/*/install.sh.
#
#   npm_locked_install.sh LABEL PACKAGE LOCK_DIR DEFAULT_DIR HELP_FILE [--dir DIR]
#
# The two files are copied to DIR (DEFAULT_DIR unless --dir) and
# `npm ci --ignore-scripts` installs exactly the locked versions (checked
# against their integrity hashes); no install script runs. Idempotent: when
# the installed lockfile already equals ours and PACKAGE is present, nothing
# is downloaded. -h prints HELP_FILE's header comment.
set -euo pipefail

label="$1" package="$2" lock_dir="$3" node_dir="$4" help_file="$5"
shift 5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) node_dir="${2:?--dir needs a value}"; shift 2 ;;
    --dir=*) node_dir="${1#--dir=}"; shift ;;
    -h|--help) sed -n '2,/^set -/p' "$help_file" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v npm >/dev/null || { echo "install.sh: npm not found (need Node 20 and npm)" >&2; exit 1; }

marker="$node_dir/node_modules/$package/package.json"
if [[ -f "$marker" && -f "$node_dir/package-lock.json" ]] &&
   cmp -s "$lock_dir/package-lock.json" "$node_dir/package-lock.json" &&
   cmp -s "$lock_dir/package.json" "$node_dir/package.json"; then
  echo "$label: up to date in $node_dir"
  exit 0
fi

mkdir -p "$node_dir"
cp "$lock_dir/package.json" "$lock_dir/package-lock.json" "$node_dir/"
# --no-audit/--no-fund: no extra registry round trips; CI=true keeps npm from
# prompting or drawing progress bars when there is no terminal.
(cd "$node_dir" && CI=true npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn)

version="$(node -p "require('$marker').version")"
echo "$label: installed $package@$version in $node_dir"
