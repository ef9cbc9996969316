#!/usr/bin/env bash
# Packs a runner bundle (docs/bundles.md): opscope-runner, every shared
# library it needs (by SONAME, recursively, libc and the dynamic loader
# included), a `run` wrapper and bundle.json, so that the runner starts on a
# device that has none of our packages:
#   <B>/lib/<loader> --library-path <B>/lib <B>/bin/opscope-runner ARGS
#
#   scripts/pack_bundle.sh --runner PATH --arch x86_64|aarch64 --out DIR
#                          [--lib-dir D]... [--version V]
#
# Libraries are looked up by SONAME in the --lib-dir folders, in order; a
# file of another machine type is passed over. When the arch is this
# machine's, the dynamic linker's cache (ldconfig -p) is the last resort.
# The files are copied dereferenced and unstripped (the loader needs their
# dynamic sections, and Debian's are stripped of debug info already). DIR is
# replaced. Fails, naming the library and who needs it, when one cannot be
# found.
set -euo pipefail

die() { echo "pack_bundle: $*" >&2; exit 1; }

runner="" arch="" out="" version=""
lib_dirs=()
while (($#)); do
  case "$1" in
    --runner) runner="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --lib-dir) lib_dirs+=("$2"); shift 2 ;;
    --version) version="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ -n "$runner" && -n "$arch" && -n "$out" ]] || die "usage: --runner PATH --arch ARCH --out DIR [--lib-dir D]..."
[[ -f "$runner" ]] || die "no runner at $runner"
case "$arch" in
  x86_64) loader="ld-linux-x86-64.so.2"; machine="X86-64"; ldconfig_tag="x86-64" ;;
  aarch64) loader="ld-linux-aarch64.so.1"; machine="AArch64"; ldconfig_tag="AArch64" ;;
  *) die "unsupported arch '$arch' (x86_64 or aarch64)" ;;
esac
command -v readelf >/dev/null || die "readelf not found (binutils)"

elf_machine() { readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }
needed_of() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

[[ "$(elf_machine "$runner")" == *"$machine"* ]] ||
  die "$runner is not an $arch executable ($(elf_machine "$runner"))"

# The path of the library with this SONAME, or nothing.
find_lib() {
  local name="$1" d f
  for d in "${lib_dirs[@]+"${lib_dirs[@]}"}"; do
    f="$d/$name"
    if [[ -e "$f" && "$(elf_machine "$f")" == *"$machine"* ]]; then
      echo "$f"
      return
    fi
  done
  if [[ "$arch" == "$(uname -m)" ]] && command -v ldconfig >/dev/null; then
    # Lines like "	libc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6".
    f="$(ldconfig -p | awk -v n="$name" -v t="$ldconfig_tag" \
          '$1 == n && index($0, t) { print $NF; exit }')"
    if [[ -n "$f" && -e "$f" ]]; then
      echo "$f"
    fi
  fi
}

version="${version:-$(git -C "$(dirname "$0")" describe --tags --always --dirty 2>/dev/null || echo unknown)}"

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp -L "$runner" "$out/bin/opscope-runner"
chmod 755 "$out/bin/opscope-runner"

# Breadth-first over NEEDED, starting at the runner; the loader is needed
# by libc (and named by the runner's PT_INTERP): ask for it outright.
declare -A seen=()
queue=("$loader")
while read -r n; do queue+=("$n"); done < <(needed_of "$runner")
declare -A needed_by=()
for n in "${queue[@]}"; do needed_by[$n]="bin/opscope-runner"; done
while ((${#queue[@]})); do
  name="${queue[0]}"
  queue=("${queue[@]:1}")
  [[ -n "${seen[$name]+x}" ]] && continue
  seen[$name]=1
  path="$(find_lib "$name")"
  [[ -n "$path" ]] || die "cannot find $name ($arch, needed by ${needed_by[$name]}) in: ${lib_dirs[*]:-(no --lib-dir)}"
  cp -L "$path" "$out/lib/$name"
  chmod 755 "$out/lib/$name"
  while read -r dep; do
    [[ -n "${seen[$dep]+x}" ]] && continue
    [[ -n "${needed_by[$dep]+x}" ]] || needed_by[$dep]="lib/$name"
    queue+=("$dep")
  done < <(needed_of "$path")
done

cat > "$out/run" <<EOF
#!/bin/sh
# Starts the bundled opscope-runner through the bundled loader and libraries.
d="\$(dirname "\$0")"
exec "\$d/lib/$loader" --library-path "\$d/lib" "\$d/bin/opscope-runner" "\$@"
EOF
chmod 755 "$out/run"

# bundle.json: every file but itself, relative, sorted.
files_json="$(cd "$out" && find . -type f ! -name bundle.json | sed 's|^\./||' | LC_ALL=C sort |
              sed 's/.*/"&"/' | paste -sd, -)"
json_escape() { sed 's/\\/\\\\/g; s/"/\\"/g' <<<"$1"; }
cat > "$out/bundle.json" <<EOF
{"format": 1, "arch": "$arch", "runner": "bin/opscope-runner", "loader": "lib/$loader", "library_path": "lib", "version": "$(json_escape "$version")", "files": [$files_json]}
EOF
echo "pack_bundle: $out ($arch, $(ls "$out/lib" | wc -l) libraries, $(du -sh "$out" | cut -f1))"
