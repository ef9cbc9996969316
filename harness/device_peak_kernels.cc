#include "harness/device_peak_kernels.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define OPSCOPE_PEAKS_X86 1
#endif

namespace opscope::harness {
namespace {

// Independent accumulators: more than latency x ports. Every k-loop over
// them is unrolled, so that they live in registers (a loop over an array
// of vectors would keep them in memory and measure the store-to-load
// round trip instead).
constexpr int kChains = 12;

#ifdef OPSCOPE_PEAKS_X86
// Lane sums through memory (GCC 12 warns on its own _mm512_reduce_* helpers).
__attribute__((target("avx512f"))) double sum_lanes(__m512 v) {
  float lanes[16];
  _mm512_storeu_ps(lanes, v);
  double total = 0;
  for (float x : lanes) total += x;
  return total;
}
__attribute__((target("avx512f"))) double sum_lanes(__m512i v) {
  int32_t lanes[16];
  _mm512_storeu_si512(lanes, v);
  double total = 0;
  for (int32_t x : lanes) total += x;
  return total;
}

__attribute__((target("avx512f"))) double fma_avx512(int64_t iterations) {
  __m512 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(0.001f * static_cast<float>(k + 1));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], a, b);
  }
  __m512 sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = _mm512_add_ps(sum, acc[k]);
  return sum_lanes(sum);
}

__attribute__((target("avx2,fma"))) double fma_avx2(int64_t iterations) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(0.001f * static_cast<float>(k + 1));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
  }
  __m256 sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = _mm256_add_ps(sum, acc[k]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  double total = 0;
  for (float v : lanes) total += v;
  return total;
}

#endif  // OPSCOPE_PEAKS_X86

double fma_scalar(int64_t iterations) {
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = 0.001f * static_cast<float>(k + 1);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * 0.999999f + 1e-7f;
  }
  double total = 0;
  for (float v : acc) total += v;
  return total;
}

#ifdef OPSCOPE_PEAKS_X86
__attribute__((target("avx512f,avx512bw,avx512vnni"))) double dot_vnni(int64_t iterations) {
  __m512i acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_epi32(k);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_dpbusd_epi32(acc[k], a, b);
  }
  __m512i sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = _mm512_add_epi32(sum, acc[k]);
  return sum_lanes(sum);
}

__attribute__((target("avx2"))) double dot_avx2(int64_t iterations) {
  __m256i acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_epi32(k);
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) {
      // The u8 operand follows the accumulator, so the products cannot be
      // hoisted out of the loop; 32 u8 x s8 products, summed in pairs to
      // i16 (vpmaddubsw), then in pairs to i32 (vpmaddwd), as GEMMs do.
      const __m256i x = _mm256_xor_si256(a, acc[k]);
      acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(_mm256_maddubs_epi16(x, b), ones));
    }
  }
  __m256i sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = _mm256_add_epi32(sum, acc[k]);
  int32_t lanes[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), sum);
  double total = 0;
  for (int32_t v : lanes) total += v;
  return total;
}

#endif  // OPSCOPE_PEAKS_X86

double dot_scalar(int64_t iterations) {
  int32_t acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = k;
  volatile uint8_t a = 3;
  volatile int8_t b = -2;
  const int32_t x = a, y = b;
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] += x * y + (acc[k] >> 31);
  }
  double total = 0;
  for (int32_t v : acc) total += v;
  return total;
}

#ifdef OPSCOPE_PEAKS_X86
__attribute__((target("avx512f"))) uint64_t read_avx512(const uint8_t* data, size_t bytes) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i < bytes; i += 256) {
    a0 = _mm512_add_epi64(a0, _mm512_loadu_si512(data + i));
    a1 = _mm512_add_epi64(a1, _mm512_loadu_si512(data + i + 64));
    a2 = _mm512_add_epi64(a2, _mm512_loadu_si512(data + i + 128));
    a3 = _mm512_add_epi64(a3, _mm512_loadu_si512(data + i + 192));
  }
  uint64_t lanes[8];
  _mm512_storeu_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
  uint64_t total = 0;
  for (uint64_t v : lanes) total += v;
  return total;
}

__attribute__((target("avx2"))) uint64_t read_avx2(const uint8_t* data, size_t bytes) {
  __m256i a[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                  _mm256_setzero_si256()};
  for (size_t i = 0; i < bytes; i += 128) {
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      a[k] = _mm256_add_epi64(
          a[k], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32 * k)));
    }
  }
  uint64_t lanes[4];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes),
                      _mm256_add_epi64(_mm256_add_epi64(a[0], a[1]), _mm256_add_epi64(a[2], a[3])));
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

#endif  // OPSCOPE_PEAKS_X86

uint64_t read_scalar(const uint8_t* data, size_t bytes) {
  uint64_t sum = 0;
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t v;
    std::memcpy(&v, data + i, sizeof(v));
    sum += v;
  }
  return sum;
}

#ifdef OPSCOPE_PEAKS_X86
bool has_avx2_fma() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#endif  // OPSCOPE_PEAKS_X86

}  // namespace

// Other architectures (the aarch64 runner) get the scalar loops for now;
// NEON loops are to come with the aarch64 roofs.
PeakKernel f32_fma_kernel() {
#ifdef OPSCOPE_PEAKS_X86
  if (__builtin_cpu_supports("avx512f")) return {"avx512f", kChains * 16, fma_avx512};
  if (has_avx2_fma()) return {"avx2+fma", kChains * 8, fma_avx2};
#endif
  return {"scalar", kChains, fma_scalar};
}

PeakKernel int8_dot_kernel() {
#ifdef OPSCOPE_PEAKS_X86
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) {
    return {"avx512vnni", kChains * 64, dot_vnni};
  }
  if (__builtin_cpu_supports("avx2")) return {"avx2", kChains * 32, dot_avx2};
#endif
  return {"scalar", kChains, dot_scalar};
}

uint64_t read_all(const uint8_t* data, size_t bytes) {
#ifdef OPSCOPE_PEAKS_X86
  if (__builtin_cpu_supports("avx512f")) return read_avx512(data, bytes);
  if (__builtin_cpu_supports("avx2")) return read_avx2(data, bytes);
#endif
  return read_scalar(data, bytes);
}

}  // namespace opscope::harness
