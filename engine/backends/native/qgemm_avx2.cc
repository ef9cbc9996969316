// The native int8 GEMM's AVX2 microkernel (qgemm.h) for CPUs without VNNI:
// the same u8 x s8 sums as vpdpbusd, formed exactly with 16-bit
// multiply-adds: the even and odd bytes of each 4-byte group are widened
// to int16 (activations zero-extended, weights sign-extended) and summed
// by two vpmaddwd (each pair at most 2 * 255 * 128: no saturation, unlike
// vpmaddubsw). MR rows x one panel of 16 channels. Compiled with -mavx2.
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
  const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
  for (int64_t g = 0; g < groups; ++g) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 64));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 64 + 32));
    const __m256i w0e = _mm256_srai_epi16(_mm256_slli_epi16(w0, 8), 8);
    const __m256i w0o = _mm256_srai_epi16(w0, 8);
    const __m256i w1e = _mm256_srai_epi16(_mm256_slli_epi16(w1, 8), 8);
    const __m256i w1o = _mm256_srai_epi16(w1, 8);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      int32_t v;
      std::memcpy(&v, rows[r] + 4 * g, 4);
      const __m256i u = _mm256_xor_si256(_mm256_set1_epi32(v), flip);
      const __m256i ue = _mm256_and_si256(u, low_bytes);
      const __m256i uo = _mm256_srli_epi16(u, 8);
      lo[r] = _mm256_add_epi32(lo[r], _mm256_add_epi32(_mm256_madd_epi16(ue, w0e),
                                                       _mm256_madd_epi16(uo, w0o)));
      hi[r] = _mm256_add_epi32(hi[r], _mm256_add_epi32(_mm256_madd_epi16(ue, w1e),
                                                       _mm256_madd_epi16(uo, w1o)));
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

void qgemm_block_avx2(const QGemmArgs& args) {
  constexpr int kMr = 4;
  const QGemmBlock& b = args.block;
  for (int64_t n = b.n0; n < b.n1; n += kQGemmNr) {
    int64_t i = 0;
    for (; i + kMr <= b.m; i += kMr) tile<kMr>(args, b.a + i * b.lda, kMr, n, b.y + i * b.ldy);
    for (; i < b.m; ++i) tile<1>(args, b.a + i * b.lda, 1, n, b.y + i * b.ldy);
  }
}

}  // namespace opscope::native
