#!/usr/bin/env bash
# The README's second command (and CI's): install, build, fetch the real
# models and the oracle, and run the whole test suite:
#   1. release build, the aarch64 runner bundle (cross-built), every test
#      (kernels, reader, engine, CLI, agreement with LiteRT.js on the real
#      models, the device transports against a real OpenSSH server and the
#      real adb client, the aarch64 bundle under qemu), and the native
#      backend's kernel tests cross-built for aarch64 and run under qemu;
#   2. in one clang build with AddressSanitizer and UndefinedBehaviorSanitizer
#      (preset asan): the reader and kernel tests, ONNX's node tests, the Loop and Scan
#      tests (bad control flow), the run-time Slice test (re-planning) and the hostile corpus
#      (tests/data/hostile) again, then a short libFuzzer run of the TFLite
#      and the ONNX readers.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPSCOPE_MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
export OPSCOPE_NODE_DIR="${OPSCOPE_NODE_DIR:-$HOME/.cache/opscope/node}"
# The model agreement tests fail (never skip) when the oracle is missing.
export OPSCOPE_REQUIRE_ORACLE=1
# The ssh transport tests fail (never skip) when sshd is missing.
export OPSCOPE_REQUIRE_SSHD=1
# The PostgreSQL tests fail (never skip) when the server is missing.
export OPSCOPE_REQUIRE_POSTGRES=1
# The adb transport tests fail (never skip) when adb or python3 is missing.
export OPSCOPE_REQUIRE_ADB=1
# The aarch64 bundle test (qemu) fails, never skips, when the bundle is missing.
export OPSCOPE_REQUIRE_AARCH64=1
JOBS="${JOBS:-$(nproc)}"
LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT

scripts/install_deps.sh
datasets/fetch_models.sh --dir "$OPSCOPE_MODEL_DIR"
/usr/bin/python3 datasets/export_torchvision.py --skip-existing --dir "$OPSCOPE_MODEL_DIR"
/usr/bin/python3 datasets/export_qdq.py --skip-existing --dir "$OPSCOPE_MODEL_DIR"
/usr/bin/python3 datasets/export_recurrent.py --skip-existing --dir "$OPSCOPE_MODEL_DIR"
/usr/bin/python3 datasets/export_qdq_torchvision.py --skip-existing --dir "$OPSCOPE_MODEL_DIR"
datasets/fetch_photos.sh
tools/litert/install.sh
tools/ort/install.sh
tools/tflite_web/install.sh

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
echo "== aarch64 runner bundle (cross build of the runner only)"
scripts/build_aarch64_bundle.sh build/release/cli/bundles/aarch64
echo "== native int8 kernels on aarch64 under qemu (portable and neondot against the reference)"
scripts/test_aarch64_native.sh
ctest --preset release -j "$JOBS" | tee "$LOGS/release.txt"

echo "== sanitizers and fuzzing (clang): reader, kernels (reference and native), QDQ fusion,"
echo "   ONNX's node tests under ASan+UBSan, then the TFLite and ONNX readers under libFuzzer, 30 s each"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS" --target tflite_reader_test all_kernel_tests \
  hostile_corpus_test native_int8_conformance_test engine_core_test onnx_node_tests_test \
  onnx_loop_test onnx_scan_test onnx_runtime_slice_test all_fuzzers
ctest --preset asan -j "$JOBS" \
  -R "tflite_reader_test|kernels_|hostile_corpus_test|native_int8_conformance|engine_core_test|onnx_node_tests_test|onnx_loop_test|onnx_scan_test|onnx_runtime_slice_test" \
  | tee "$LOGS/asan.txt"
ctest --preset asan -L fuzz | tee "$LOGS/fuzz.txt"

# One closing line over the stages (each ctest run above fails the
# script on its own if a test fails).
read -r total failed < <(cat "$LOGS"/*.txt | awk '
  /tests failed out of/ { t += $NF; for (i = 1; i <= NF; ++i) if ($i == "failed") f += $(i - 2) }
  END { print t + 0, f + 0 }')
echo "release, sanitizer and fuzz runs together:"
echo "total: $((total - failed)) passed, $failed failed"
