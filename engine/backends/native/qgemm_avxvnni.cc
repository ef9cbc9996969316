// The native int8 GEMM's AVX-VNNI microkernel (qgemm.h): MR rows x one
// panel of 16 channels (two ymm accumulators per row), 256-bit vpdpbusd on
// K in groups of 4. Compiled with -mavx2 -mavxvnni; called only when the
// CPU has AVX-VNNI.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "engine/backends/native/qgemm.h"
#include "engine/backends/native/qgemm_requant_avx2.h"

namespace opscope::native {
namespace {

template <int MR>
void tile(const QGemmArgs& args, const int8_t* a, int64_t mr, int64_t n, int8_t* y) {
  const QGemmBlock& b = args.block;
  const int64_t groups = args.kp / 4;
  const int8_t* w = args.packed + (n / kQGemmNr) * args.kp * kQGemmNr;
  const int8_t* rows[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) rows[r] = a + std::min<int64_t>(r, mr - 1) * b.lda;
  __m256i lo[MR], hi[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) lo[r] = hi[r] = _mm256_setzero_si256();
  const __m256i flip = _mm256_set1_epi32(static_cast<int32_t>(0x80808080u));
  for (int64_t g = 0; g < groups; ++g) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 64));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 64 + 32));
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      int32_t v;
      std::memcpy(&v, rows[r] + 4 * g, 4);
      const __m256i u = _mm256_xor_si256(_mm256_set1_epi32(v), flip);
      lo[r] = _mm256_dpbusd_avx_epi32(lo[r], u, w0);
      hi[r] = _mm256_dpbusd_avx_epi32(hi[r], u, w1);
    }
  }
  // Through memory with constant indices (see qgemm_avx512.cc).
  alignas(32) int32_t sums[MR][kQGemmNr];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(&sums[r][0]), lo[r]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(&sums[r][8]), hi[r]);
  }
  const QGemmRequant& rq = *args.rq;
  const int64_t nc = std::min<int64_t>(kQGemmNr, b.n1 - n);
  const Params8 p0 = load_params8(rq, n), p1 = load_params8(rq, n + 8);
  for (int r = 0; r < MR; ++r) {
    if (r >= mr) break;
    const __m256i s0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(&sums[r][0]));
    const __m256i s1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(&sums[r][8]));
    store16(y + r * b.ldy + n, requant8(s0, p0, rq), requant8(s1, p1, rq), nc);
  }
}

}  // namespace

void qgemm_block_avxvnni(const QGemmArgs& args) {
  constexpr int kMr = 6;
  const QGemmBlock& b = args.block;
  for (int64_t n = b.n0; n < b.n1; n += kQGemmNr) {
    int64_t i = 0;
    for (; i + kMr <= b.m; i += kMr) tile<kMr>(args, b.a + i * b.lda, kMr, n, b.y + i * b.ldy);
    const int64_t rest = b.m - i;
    if (rest > kMr / 2) {
      tile<kMr>(args, b.a + i * b.lda, rest, n, b.y + i * b.ldy);
    } else {
      for (; i < b.m; ++i) tile<1>(args, b.a + i * b.lda, 1, n, b.y + i * b.ldy);
    }
  }
}

}  // namespace opscope::native
