// Run-time CPU feature checks for the native backend's dispatch.
#include <cstdlib>

#include "engine/backends/native/native_env.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace opscope::native {
namespace {

#if defined(__x86_64__)
// AVX-VNNI is CPUID leaf 7, sub-leaf 1, EAX bit 4. Read directly: clang's
// __builtin_cpu_supports does not know "avxvnni" (GCC 12's does).
bool cpuid_avxvnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return false;
  return (eax & (1u << 4)) != 0;
}
#endif

}  // namespace

std::string_view to_string(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvxVnni: return "avxvnni";
    case Isa::kAvx512Vnni: return "avx512vnni";
    case Isa::kNeonDot: return "neondot";
  }
  return "portable";
}

bool parse_isa(std::string_view name, Isa* isa) {
  for (Isa i : {Isa::kPortable, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeonDot}) {
    if (name == to_string(i)) {
      *isa = i;
      return true;
    }
  }
  return false;
}

bool cpu_has(Isa isa) {
  switch (isa) {
    case Isa::kPortable:
      return true;
#if defined(__x86_64__)
    // libgcc's checks include the OS's XSAVE support of the AVX and
    // AVX-512 register state.
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kAvxVnni:
      return cpu_has(Isa::kAvx2) && cpuid_avxvnni();
    case Isa::kAvx512Vnni:
      return cpu_has(Isa::kAvx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
#if defined(__aarch64__) && defined(__linux__)
    case Isa::kNeonDot:
      return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
    default:
      return false;
  }
}

Isa detect_isa() {
  for (Isa i : {Isa::kAvx512Vnni, Isa::kAvxVnni, Isa::kAvx2, Isa::kNeonDot}) {
    if (cpu_has(i)) return i;
  }
  return Isa::kPortable;
}

Isa selected_isa() {
  const Isa best = detect_isa();
  const char* forced = std::getenv("OPSCOPE_NATIVE_ISA");
  Isa isa;
  if (forced == nullptr || !parse_isa(forced, &isa) || !cpu_has(isa)) return best;
  return isa;
}

}  // namespace opscope::native
