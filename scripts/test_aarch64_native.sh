#!/usr/bin/env bash
# The native backend's bit-exactness tests on aarch64, under qemu-aarch64:
# cross-builds them (build/aarch64 with OPSCOPE_CROSS_NATIVE_TESTS=ON,
# tests/cross_native) and runs each with the cross toolchain's loader and
# libraries plus the arm64 sysroot's. qemu's default CPU ("max") has the
# dot-product extension, so every test runs the portable and the neondot
# paths (OPSCOPE_NATIVE_ISA in turn) against the reference kernels, and
# the conformance test fails if neondot is not the best ISA it found
# (OPSCOPE_EXPECT_NATIVE_ISA).
# Proves results only: qemu's timing says nothing about Arm hardware.
# Extra arguments go to every test (e.g. --gtest_filter=...).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-$(nproc)}"
SYSROOT="${OPSCOPE_AARCH64_SYSROOT:-$HOME/.cache/opscope/sysroot-aarch64}"

scripts/aarch64_sysroot.sh "$SYSROOT"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset aarch64 -DOPSCOPE_AARCH64_SYSROOT="$SYSROOT" -DOPSCOPE_CROSS_NATIVE_TESTS=ON \
  "${launcher[@]}" >/dev/null
cmake --build build/aarch64 -j "$JOBS" --target cross_native_tests

libs="/usr/aarch64-linux-gnu/lib:$SYSROOT/usr/lib/aarch64-linux-gnu:$SYSROOT/lib/aarch64-linux-gnu"
failed=0
for t in build/aarch64/tests/cross_native/cross_*_test; do
  echo "== $t (qemu-aarch64)"
  if ! env -u OPSCOPE_NATIVE_ISA OPSCOPE_EXPECT_NATIVE_ISA=neondot qemu-aarch64 /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 \
      --library-path "$libs" "$t" --gtest_brief=1 "$@"; then
    failed=1
  fi
done
exit $failed
