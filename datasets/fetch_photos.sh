#!/usr/bin/env bash
# Fetches the photographs listed in datasets/photos.lock into a cache outside
# git and verifies each by size and sha256.
#
#   datasets/fetch_photos.sh [--dir DIR] [--lock FILE]
#
# DIR defaults to $OPSCOPE_PHOTO_DIR, else $HOME/.cache/opscope/photos.
#
# Each Debian package is downloaded with `apt-get download PACKAGE=VERSION`
# (no root needed, nothing installed) into a temporary directory and
# unpacked with `dpkg-deb -x`; only the files named in the lock are kept.
# Files already in the cache with the locked sha256 are left alone, so a
# re-run does no network work. Exits non-zero, naming the file, when a
# download fails or a file does not match the lock (a mismatching file is
# never installed). Needs apt-get (with package lists), dpkg-deb, sha256sum.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock_file="$script_dir/photos.lock"
photo_dir="${OPSCOPE_PHOTO_DIR:-${HOME:-/root}/.cache/opscope/photos}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) photo_dir="${2:?--dir needs a value}"; shift 2 ;;
    --lock) lock_file="${2:?--lock needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fetch_photos: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -r "$lock_file" ]] || { echo "fetch_photos: cannot read lock file $lock_file" >&2; exit 2; }
mkdir -p "$photo_dir"

matches() {  # FILE BYTES SHA256
  [[ -f "$1" ]] && [[ "$(wc -c < "$1" | tr -d ' ')" == "$2" ]] &&
    [[ "$(sha256sum -- "$1" | cut -d' ' -f1)" == "$3" ]]
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
declare -A unpacked=()
status=0
while read -r file package path bytes sha; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  dest="$photo_dir/$file"
  if matches "$dest" "$bytes" "$sha"; then
    echo "ok      $file (cached)"
    continue
  fi
  if [[ -z "${unpacked[$package]:-}" ]]; then
    pkg_dir="$work/${package%%=*}"
    mkdir -p "$pkg_dir"
    if ! (cd "$pkg_dir" && apt-get download -q "$package" >/dev/null 2>"$pkg_dir/apt.log"); then
      echo "fetch_photos: apt-get download $package failed:" >&2
      cat "$pkg_dir/apt.log" >&2
      exit 1
    fi
    dpkg-deb -x "$pkg_dir"/*.deb "$pkg_dir/root"
    unpacked[$package]="$pkg_dir/root"
  fi
  src="${unpacked[$package]}/$path"
  if ! matches "$src" "$bytes" "$sha"; then
    echo "fetch_photos: $file from $package does not match photos.lock (size or sha256)" >&2
    status=1
    continue
  fi
  cp "$src" "$dest.tmp.$$" && mv "$dest.tmp.$$" "$dest"
  echo "fetched $file"
done < "$lock_file"
exit "$status"
