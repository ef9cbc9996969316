#!/usr/bin/env bash
# Builds the aarch64 runner bundle (docs/bundles.md): the private arm64
# sysroot (scripts/aarch64_sysroot.sh, cached), the cross build of
# opscope-runner alone (preset aarch64, build/aarch64, ccache when present),
# and the bundle, packed into build/release/cli/bundles/aarch64 or $1.
# Prints the time taken and the bundle's size.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-build/release/cli/bundles/aarch64}"
JOBS="${JOBS:-$(nproc)}"
SYSROOT="${OPSCOPE_AARCH64_SYSROOT:-$HOME/.cache/opscope/sysroot-aarch64}"
start=$(date +%s)

scripts/aarch64_sysroot.sh "$SYSROOT"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset aarch64 -DOPSCOPE_AARCH64_SYSROOT="$SYSROOT" "${launcher[@]}" >/dev/null
cmake --build build/aarch64 -j "$JOBS" --target opscope-runner
scripts/pack_bundle.sh --runner build/aarch64/cli/opscope-runner --arch aarch64 --out "$OUT" \
  --lib-dir "$SYSROOT/usr/lib/aarch64-linux-gnu" --lib-dir "$SYSROOT/lib/aarch64-linux-gnu" \
  --lib-dir /usr/aarch64-linux-gnu/lib
echo "build_aarch64_bundle: $OUT: $(du -sh "$OUT" | cut -f1) ($(du -sb "$OUT" | cut -f1) bytes)," \
     "built in $(($(date +%s) - start)) s"
