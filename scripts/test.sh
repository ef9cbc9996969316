#!/usr/bin/env bash
# The README's second command (and CI's): install, build, fetch the real
# models and the oracle, and run the whole test suite:
#   1. release build, every test (kernels, reader, engine, CLI, agreement
#      with LiteRT.js on the real models);
#   2. the reader and kernel tests again under AddressSanitizer and
#      UndefinedBehaviorSanitizer;
#   3. a short libFuzzer run of the TFLite reader.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPSCOPE_MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
export OPSCOPE_NODE_DIR="${OPSCOPE_NODE_DIR:-$HOME/.cache/opscope/node}"
# The model agreement tests fail (never skip) when the oracle is missing.
export OPSCOPE_REQUIRE_ORACLE=1
JOBS="${JOBS:-$(nproc)}"

scripts/install_deps.sh
datasets/fetch_models.sh --dir "$OPSCOPE_MODEL_DIR"
tools/litert/install.sh

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
ctest --preset release -j "$JOBS"

echo "== sanitizers: reader and kernels under ASan+UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS" --target tflite_reader_test all_kernel_tests
ctest --preset asan -j "$JOBS" -R "tflite_reader_test|kernels_"

echo "== fuzz: TFLite reader (libFuzzer)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$JOBS" --target all_fuzzers
ctest --preset fuzz
