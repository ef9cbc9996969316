# Cross build for aarch64 Linux (glibc) with Debian's g++-aarch64-linux-gnu,
# against the private arm64 sysroot of scripts/aarch64_sysroot.sh
# (docs/bundles.md). No CMAKE_SYSROOT: the compiler keeps its own libc and
# libstdc++ (/usr/aarch64-linux-gnu); the sysroot adds Debian's arm64 builds of
# the libraries the runner links. Programs (flatc, protoc) come from the host:
# Debian 12 ships the same versions for both architectures.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT OPSCOPE_AARCH64_SYSROOT)
  if(DEFINED ENV{OPSCOPE_AARCH64_SYSROOT})
    set(OPSCOPE_AARCH64_SYSROOT "$ENV{OPSCOPE_AARCH64_SYSROOT}")
  else()
    set(OPSCOPE_AARCH64_SYSROOT "$ENV{HOME}/.cache/opscope/sysroot-aarch64")
  endif()
endif()
set(OPSCOPE_AARCH64_SYSROOT "${OPSCOPE_AARCH64_SYSROOT}" CACHE PATH
    "The arm64 sysroot of scripts/aarch64_sysroot.sh")
# try_compile projects see these too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES OPSCOPE_AARCH64_SYSROOT)

set(CMAKE_FIND_ROOT_PATH ${OPSCOPE_AARCH64_SYSROOT} /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The linker follows NEEDED entries of the sysroot's libraries (libXNNPACK
# needs libcpuinfo, libprotobuf needs libz) to check the link; tell it where.
foreach(dir lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu)
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT
         " -Wl,-rpath-link,${OPSCOPE_AARCH64_SYSROOT}/${dir}")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT
         " -Wl,-rpath-link,${OPSCOPE_AARCH64_SYSROOT}/${dir}")
endforeach()
