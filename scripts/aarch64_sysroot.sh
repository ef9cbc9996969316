#!/usr/bin/env bash
# Makes the private arm64 sysroot the aarch64 cross build links against
# (docs/bundles.md): Debian 12's arm64 packages of the libraries the runner
# links (XNNPACK, pthreadpool, cpuinfo, protobuf, libonnx, flatbuffers, libpng,
# libjpeg, zlib) and the header-only ones it includes, unpacked with
# dpkg-deb -x into one folder.
#
#   scripts/aarch64_sysroot.sh [SYSROOT]    (default ~/.cache/opscope/sysroot-aarch64,
#                                            or $OPSCOPE_AARCH64_SYSROOT)
#
# Debian's libxnnpack0:arm64 and friends are not co-installable with their
# amd64 builds, so nothing is installed: apt runs with a configuration of its
# own (state, cache and sources under SYSROOT.apt, architecture arm64) and
# only downloads. The machine's dpkg architectures are left as they are.
# Sources: the Debian 12 (bookworm) entries of the machine's /etc/apt, so the
# arm64 packages have the same versions as the host's protoc and flatc.
#
# Idempotent: when SYSROOT/.opscope-sysroot names this package list, it does
# nothing (delete the folder to refresh it).
set -euo pipefail

SYSROOT="${1:-${OPSCOPE_AARCH64_SYSROOT:-$HOME/.cache/opscope/sysroot-aarch64}}"
APTDIR="$SYSROOT.apt"

# Libraries with their -dev packages (headers, .so links, CMake configs),
# and the header-only packages (Architecture: all). flatbuffers-compiler-dev
# is left out on purpose: its FlatcTargets.cmake would name the arm64 flatc;
# the build takes the host's flatc instead (top CMakeLists.txt).
PACKAGES=(
  libxnnpack0 libxnnpack-dev
  libpthreadpool0 libpthreadpool-dev
  libcpuinfo0 libcpuinfo-dev
  libprotobuf32 libprotobuf-lite32 libprotobuf-dev
  libonnx1 libonnxifi libonnx-dev
  libflatbuffers2 libflatbuffers-dev
  libpng16-16 libpng-dev
  libjpeg62-turbo libjpeg62-turbo-dev
  zlib1g zlib1g-dev
  nlohmann-json3-dev libcli11-dev
)
STAMP="$SYSROOT/.opscope-sysroot"
want="format 2: ${PACKAGES[*]}"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "aarch64_sysroot: $SYSROOT is up to date"
  exit 0
fi

# The private apt configuration.
rm -rf "$APTDIR"
mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" \
         "$APTDIR/etc/sources.list.d" "$APTDIR/etc/preferences.d" "$APTDIR/debs"
: > "$APTDIR/state/status"
: > "$APTDIR/etc/sources.list"
# The machine's bookworm sources (one-line .list and deb822 .sources files);
# third-party repositories (Node.js, cloud SDKs) are not needed here.
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  if grep -qE '^[^#]*bookworm' "$f"; then
    cp "$f" "$APTDIR/etc/sources.list.d/"
  fi
done
if ! ls "$APTDIR/etc/sources.list.d/" | grep -q .; then
  echo "aarch64_sysroot: no Debian 12 (bookworm) source in /etc/apt" >&2
  exit 1
fi
APT=(apt-get -q
  -o "Dir::State=$APTDIR/state"
  -o "Dir::State::status=$APTDIR/state/status"
  -o "Dir::Cache=$APTDIR/cache"
  -o "Dir::Etc::SourceList=$APTDIR/etc/sources.list"
  -o "Dir::Etc::SourceParts=$APTDIR/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$APTDIR/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$APTDIR/etc/preferences.d"
  -o "APT::Architecture=arm64"
  -o "APT::Architectures::=arm64"
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none")
echo "aarch64_sysroot: apt-get update (arm64 package lists, private state in $APTDIR)"
"${APT[@]}" update >"$APTDIR/update.log" 2>&1 || { cat "$APTDIR/update.log" >&2; exit 1; }
echo "aarch64_sysroot: downloading ${#PACKAGES[@]} packages"
(cd "$APTDIR/debs" && "${APT[@]}" download "${PACKAGES[@]/%/:arm64}") \
  >"$APTDIR/download.log" 2>&1 || { cat "$APTDIR/download.log" >&2; exit 1; }

# The host's code generators must match the arm64 libraries: flatc writes
# headers for one flatbuffers version. (Debian 12 ships one version of each.)
host_flatc="$(flatc --version | awk '{print $NF}')"
arm_fb="$(dpkg-deb -f "$APTDIR"/debs/libflatbuffers-dev_*_arm64.deb Version)"
if [[ "$arm_fb" != "$host_flatc"* ]]; then
  echo "aarch64_sysroot: host flatc $host_flatc does not match arm64 libflatbuffers-dev $arm_fb" >&2
  exit 1
fi

rm -rf "$SYSROOT"
mkdir -p "$SYSROOT"
for deb in "$APTDIR"/debs/*.deb; do
  dpkg-deb -x "$deb" "$SYSROOT"
done
# Absolute links (/usr/lib/...) would point into the host: make them point
# inside the sysroot.
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  if [[ "$target" == /* ]]; then
    ln -sfn "$SYSROOT$target" "$link"
  fi
done < <(find "$SYSROOT" -type l -print0)
# Debian keeps a few arch-dependent headers (jconfig.h of libjpeg) in
# usr/include/aarch64-linux-gnu, where only a native compiler looks: copy them
# beside the others (no extra -I, so the flags stay those of a plain build).
if [[ -d "$SYSROOT/usr/include/aarch64-linux-gnu" ]]; then
  cp -rn "$SYSROOT/usr/include/aarch64-linux-gnu/." "$SYSROOT/usr/include/"
fi
echo "$want" > "$STAMP"
echo "aarch64_sysroot: $SYSROOT ($(du -sh "$SYSROOT" | cut -f1)) from $(ls "$APTDIR"/debs | wc -l) packages"
