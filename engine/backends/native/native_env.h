// What every kernel of the native backend is given when it is made: the
// instruction set its microkernels use and the session's thread pool.
//
// The native backend ("native") runs int8 operators with kernels of our
// own: intrinsics microkernels chosen at run time by CPU features. Every
// kernel is bit-exact with the reference backend's int8 kernel of the same
// op (TFLite's integer semantics), on every instruction set: the ISA
// changes the speed, never the result.
//
// Source files of the native backend are compiled with flags by name
// (engine/CMakeLists.txt), so a microkernel for one ISA lives in a file of
// its own and is only called after the CPU was found to have that ISA:
//   *_avx2.cc        -mavx2 -mfma -mf16c          (x86-64 only)
//   *_avxvnni.cc     as avx2 plus -mavxvnni       (x86-64 only)
//   *_avx512.cc      -mavx512f/bw/dq/vl -mavx512vnni (x86-64 only)
//   *_neondot.cc     -march=armv8.2-a+dotprod     (aarch64 only)
// Files with none of these suffixes are built for the baseline of the
// target (x86-64 SSE2, aarch64 NEON) and must not assume more.
#pragma once

#include <string>
#include <string_view>

namespace opscope::native {

// Instruction-set levels, lowest first. A level implies the ones below it
// on its architecture (kAvx512Vnni implies kAvxVnni's and kAvx2's
// instructions on every CPU we dispatch it on, since we check them all).
enum class Isa {
  kPortable,    // plain C++: any CPU
  kAvx2,        // x86-64 AVX2 + FMA: 16-bit multiply-adds (vpmaddwd)
  kAvxVnni,     // x86-64 AVX-VNNI: 256-bit vpdpbusd
  kAvx512Vnni,  // x86-64 AVX-512 F/BW/DQ/VL + VNNI: 512-bit vpdpbusd
  kNeonDot,     // aarch64 NEON with the dot-product extension (sdot/udot)
};

std::string_view to_string(Isa isa);
// "portable", "avx2", "avxvnni", "avx512vnni", "neondot"; false if unknown.
bool parse_isa(std::string_view name, Isa* isa);

// The best level this CPU runs (cpuid on x86-64, HWCAP on aarch64).
Isa detect_isa();
// The level the native backend uses: detect_isa(), or the one named by the
// environment variable OPSCOPE_NATIVE_ISA when it is set, known and no
// higher than detect_isa() (tests force the lower paths with it; an unknown
// or unavailable name falls back to detect_isa()).
Isa selected_isa();
// Whether this CPU can run `isa`'s microkernels.
bool cpu_has(Isa isa);

struct NativeEnv {
  Isa isa = Isa::kPortable;
  // The session's pthreadpool (pthreadpool_t), or nullptr: run on the
  // calling thread. Typed void* so kernels that do not thread need not
  // include pthreadpool.h.
  void* threadpool = nullptr;
  int threads = 1;
};

}  // namespace opscope::native
