#include "engine/backends/reference/kernels/gemm.h"

#include <algorithm>

namespace opscope::reference {
namespace {

// Rows per micro-kernel tile. 6 x 8 floats are 12 SSE registers of
// accumulators, leaving 4 for the B row and the broadcast A value.
constexpr int kMr = 6;
// K block: a B panel block (kKc x kGemmNr, 8 KiB) stays in L1 while the
// micro-kernel walks down an A block (kMc x kKc, 120 KiB) that stays in L2.
constexpr int64_t kKc = 256;
constexpr int64_t kMc = 120;  // a multiple of kMr
static_assert(kMc % kMr == 0);

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
// An AVX2 clone of the blocked loop, picked by the dynamic loader; the
// micro-kernels are inlined into each clone and compiled for its target.
#define OPSCOPE_GEMM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define OPSCOPE_GEMM_CLONES
#endif
#define OPSCOPE_GEMM_INLINE inline __attribute__((always_inline))

// Writes an MR x nr tile: C = acc + (first K block ? bias or 0 : C), clamped
// after the last K block. NR is kGemmNr for full tiles (so the loops have a
// constant trip count and vectorize) or 0 to use the runtime `nr`.
template <int MR, int64_t NR>
OPSCOPE_GEMM_INLINE void store_tile(const float (&acc)[MR][kGemmNr],
                                    int64_t nr, float* c, int64_t ldc,
                                    const float* bias, bool first, bool last,
                                    ActivationRange clamp) {
  const int64_t cols = NR != 0 ? NR : nr;
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    float row[kGemmNr];
    for (int64_t j = 0; j < kGemmNr; ++j) row[j] = acc[i][j];
    if (!first) {
      for (int64_t j = 0; j < cols; ++j) row[j] += ci[j];
    } else if (bias != nullptr) {
      for (int64_t j = 0; j < cols; ++j) row[j] += bias[j];
    }
    if (last) {
      for (int64_t j = 0; j < cols; ++j) row[j] = apply_activation(row[j], clamp);
    }
    for (int64_t j = 0; j < cols; ++j) ci[j] = row[j];
  }
}

// One MR x kGemmNr tile over a K block of length kc. `a` points at the
// tile's first row (row stride lda), `b` at the panel's K block.
template <int MR>
OPSCOPE_GEMM_INLINE void micro_kernel(int64_t kc, const float* a,
                                      int64_t lda, const float* b, float* c,
                                      int64_t ldc, int64_t nr,
                                      const float* bias, bool first,
                                      bool last, ActivationRange clamp) {
  float acc[MR][kGemmNr];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    for (int64_t j = 0; j < kGemmNr; ++j) acc[i][j] = 0.0f;
  }
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + p * kGemmNr;
    // Fully unrolled over rows so that the accumulators live in registers;
    // the loop over j is what the vectorizer turns into SIMD.
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const float ai = a[i * lda + p];
      for (int64_t j = 0; j < kGemmNr; ++j) acc[i][j] += ai * bp[j];
    }
  }
  if (nr == kGemmNr) {
    store_tile<MR, kGemmNr>(acc, nr, c, ldc, bias, first, last, clamp);
  } else {
    store_tile<MR, 0>(acc, nr, c, ldc, bias, first, last, clamp);
  }
}

// Fills C with bias (or 0), clamped: the k == 0 case.
void fill_bias(int64_t m, int64_t n, const float* bias, float* c, int64_t ldc,
               ActivationRange clamp) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      c[i * ldc + j] = apply_activation(bias ? bias[j] : 0.0f, clamp);
    }
  }
}

}  // namespace

int64_t gemm_packed_b_floats(int64_t k, int64_t n) {
  return k * ((n + kGemmNr - 1) / kGemmNr * kGemmNr);
}

void gemm_pack_b(int64_t k, int64_t n, const float* b, int64_t row_stride,
                 int64_t col_stride, float* packed) {
  for (int64_t j0 = 0; j0 < n; j0 += kGemmNr) {
    const int64_t nr = std::min(kGemmNr, n - j0);
    float* panel = packed + j0 * k;  // panel j0 / kGemmNr
    for (int64_t p = 0; p < k; ++p) {
      const float* src = b + p * row_stride + j0 * col_stride;
      float* dst = panel + p * kGemmNr;
      int64_t j = 0;
      for (; j < nr; ++j) dst[j] = src[j * col_stride];
      for (; j < kGemmNr; ++j) dst[j] = 0.0f;
    }
  }
}

OPSCOPE_GEMM_CLONES
void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t lda, const float* packed_b, const float* bias,
                 float* c, int64_t ldc, ActivationRange clamp) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    fill_bias(m, n, bias, c, ldc, clamp);
    return;
  }
  for (int64_t p0 = 0; p0 < k; p0 += kKc) {
    const int64_t kc = std::min(kKc, k - p0);
    const bool first = p0 == 0;
    const bool last = p0 + kc == k;
    for (int64_t i0 = 0; i0 < m; i0 += kMc) {
      const int64_t mc = std::min(kMc, m - i0);
      for (int64_t j0 = 0; j0 < n; j0 += kGemmNr) {
        const int64_t nr = std::min(kGemmNr, n - j0);
        const float* b = packed_b + j0 * k + p0 * kGemmNr;
        const float* panel_bias = bias ? bias + j0 : nullptr;
        for (int64_t i = i0; i < i0 + mc; i += kMr) {
          const float* ai = a + i * lda + p0;
          float* ci = c + i * ldc + j0;
          switch (std::min<int64_t>(kMr, i0 + mc - i)) {
            case 6:
              micro_kernel<6>(kc, ai, lda, b, ci, ldc, nr, panel_bias, first,
                              last, clamp);
              break;
            case 5:
              micro_kernel<5>(kc, ai, lda, b, ci, ldc, nr, panel_bias, first,
                              last, clamp);
              break;
            case 4:
              micro_kernel<4>(kc, ai, lda, b, ci, ldc, nr, panel_bias, first,
                              last, clamp);
              break;
            case 3:
              micro_kernel<3>(kc, ai, lda, b, ci, ldc, nr, panel_bias, first,
                              last, clamp);
              break;
            case 2:
              micro_kernel<2>(kc, ai, lda, b, ci, ldc, nr, panel_bias, first,
                              last, clamp);
              break;
            default:
              micro_kernel<1>(kc, ai, lda, b, ci, ldc, nr, panel_bias, first,
                              last, clamp);
              break;
          }
        }
      }
    }
  }
}

void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, const float* bias, float* c,
          int64_t ldc, float* scratch, ActivationRange clamp) {
  gemm_pack_b(k, n, b, ldb, 1, scratch);
  gemm_packed(m, n, k, a, lda, scratch, bias, c, ldc, clamp);
}

}  // namespace opscope::reference
