#!/usr/bin/env bash
# What int8 buys on this CPU, in one run, side by side with ONNX Runtime:
#   1. ONNX: the float and QDQ int8 torchvision models (export_torchvision.py,
#      export_qdq_torchvision.py) in opscope and in ONNX Runtime 1.30,
#      alternating rounds (bench/compare_ort.mjs): each engine's int8/float
#      ratio, and opscope's int8 against ORT's int8 (targets: ≤ 0.9× ORT's
#      int8; int8/float ≤ 0.5× with VNNI, ≤ 0.7× without);
#   2. TFLite: float vs the int8 variant that `opscope quantize` makes from the
#      photos, interleaved runner processes, medians (target: int8/float ≤ 0.6×
#      with VNNI, ≤ 0.7× without);
#   3. the int8 convolution GEMM on resnet18's big layers against this core's
#      int8 peak (bench/kernels_bench.cc).
#
#   bench/int8_pays.sh [--backend native,xnnpack,cpu] [--threads 1] [--rounds 3]
#                      [--runs 20] [--skip-onnx] [--skip-tflite] [--skip-gemm]
#
# Needs build/release, the models (datasets/fetch_models.sh and the two
# torchvision export scripts), the photos and ONNX Runtime (scripts/test.sh
# fetches them all). Prints the CPU and the native backend's instruction set.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build/release
OPSCOPE=$BUILD/cli/opscope
RUNNER=$BUILD/cli/opscope-runner
MODEL_DIR="${OPSCOPE_MODEL_DIR:-$HOME/.cache/opscope/models}"
PHOTO_DIR="${OPSCOPE_PHOTO_DIR:-$HOME/.cache/opscope/photos}"
backend=native,xnnpack,cpu threads=1 rounds=3 runs=20 onnx=1 tflite=1 gemm=1
while (($#)); do
  case "$1" in
    --backend) backend="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --skip-onnx) onnx=0; shift ;;
    --skip-tflite) tflite=0; shift ;;
    --skip-gemm) gemm=0; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "int8_pays: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
vnni=no
[[ "$flags" == *avx512_vnni* || "$flags" == *avx_vnni* ]] && vnni=yes
cpu_vnni=$vnni
if [[ "${OPSCOPE_NATIVE_ISA:-}" == avx2 || "${OPSCOPE_NATIVE_ISA:-}" == portable ]]; then
  # Our int8 kernels forced below VNNI: judge them by the non-VNNI targets.
  # XNNPACK's float kernels and ONNX Runtime still use this CPU's best
  # instructions, so the ratios are pessimistic for our int8 against what an
  # AVX2-only CPU would give.
  vnni=no
  echo "OPSCOPE_NATIVE_ISA=$OPSCOPE_NATIVE_ISA: native int8 kernels without VNNI; float" \
    "(XNNPACK) and ONNX Runtime keep this CPU's best instructions"
fi
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
  "VNNI: $cpu_vnni; native ISA: ${OPSCOPE_NATIVE_ISA:-best available}"
echo "opscope backends: $backend, $threads thread(s); $rounds rounds x $runs warm runs, medians in ms"

if ((onnx)); then
  echo
  names=()
  for m in resnet18 mobilenet_v2 mobilenet_v3_small; do
    names+=("torchvision_$m" "torchvision_${m}_qdq")
  done
  node bench/compare_ort.mjs --only "$(IFS=,; echo "${names[*]}")" --backend "$backend" \
    --threads "$threads" --rounds "$rounds" --runs "$runs" --json "$work/ort.json" \
    >/dev/null 2>"$work/ort.log" || { cat "$work/ort.log" >&2; exit 1; }
  python3 - "$work/ort.json" "$vnni" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
goal = 0.5 if sys.argv[2] == "yes" else 0.7
print("ONNX, QDQ int8 vs float (ONNX Runtime 1.30 CPU EP, all graph optimizations):")
print(f"{'model':<20}{'ORT f32':>9}{'ORT int8':>10}{'ours f32':>10}{'ours int8':>11}"
      f"{'ours/ORT int8':>15}{'ours int8/f32':>15}{'ORT int8/f32':>14}")
for m in ("resnet18", "mobilenet_v2", "mobilenet_v3_small"):
    f, q = r[f"torchvision_{m}"], r[f"torchvision_{m}_qdq"]
    vs_ort = q["opscope_ms"] / q["ort_ms"]
    own = q["opscope_ms"] / f["opscope_ms"]
    # The int8/f32 target is set for resnet18 and mobilenet_v2 only
    # (mobilenet_v3_small's float is small and ORT's own int8 is slower).
    own_mark = ("ok" if own <= goal else "MISS") if m != "mobilenet_v3_small" else "-"
    print(f"{m:<20}{f['ort_ms']:>9.3f}{q['ort_ms']:>10.3f}{f['opscope_ms']:>10.3f}"
          f"{q['opscope_ms']:>11.3f}{vs_ort:>9.2f} {'ok' if vs_ort <= 0.9 else 'MISS':>4}"
          f"{own:>9.2f} {own_mark:>4}{q['ort_ms'] / f['ort_ms']:>14.2f}")
print(f"targets: ours/ORT int8 <= 0.9; ours int8/f32 <= {goal} (resnet18, mobilenet_v2)")
PY
fi

if ((tflite)); then
  echo
  echo "TFLite, int8 (opscope quantize, photos) vs float on the same engine:"
  printf '%-28s%10s%10s%9s\n' model f32 int8 int8/f32
  goal=0.7; [[ $vnni == yes ]] && goal=0.6
  for m in selfie_segmentation face_detection_full_range hand_landmark_full; do
    float="$MODEL_DIR/$m.tflite" int8="$work/${m}_int8.tflite"
    "$OPSCOPE" quantize "$float" --calibration "$PHOTO_DIR" --out "$int8" >/dev/null 2>&1
    for ((r = 0; r < rounds; ++r)); do
      for v in f32 int8; do
        model=$float; [[ $v == int8 ]] && model=$int8
        "$RUNNER" "$model" --backend "$backend" --threads "$threads" --runs "$runs" --warmup 3 \
          --min-secs 0 --no-op-profile --trace-invokes 0 --json "$work/$m.$v.$r.json" \
          >/dev/null 2>&1
      done
    done
    python3 - "$work" "$m" "$rounds" "$goal" <<'PY'
import json, statistics, sys
work, m, rounds, goal = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
med = {}
for v in ("f32", "int8"):
    s = []
    for r in range(rounds):
        s += json.load(open(f"{work}/{m}.{v}.{r}.json"))["latency_ms"]["samples"]
    med[v] = statistics.median(s)
ratio = med["int8"] / med["f32"]
print(f"{m:<28}{med['f32']:>10.3f}{med['int8']:>10.3f}{ratio:>9.2f} {'ok' if ratio <= goal else 'MISS'}")
PY
  done
  echo "target: int8/f32 <= $goal"
fi

if ((gemm)); then
  echo
  echo "int8 convolution GEMM (native) on resnet18, mobilenet_v2 and selfie layers vs this core's int8 peak:"
  "$BUILD/bench/opscope-bench-kernels" --benchmark_filter='INT8_CONV_GEMM/.*/native' \
    --benchmark_min_time=0.2 2>&1 | grep -E 'INT8_CONV_GEMM/|int8_peak' || true
fi
