#include "engine/backends/reference/kernels/int8/gemm_s16.h"

#include <algorithm>

namespace opscope::reference::int8 {
namespace {

// Rows per micro-kernel tile: 6 x 8 int32 accumulators.
constexpr int kMr = 6;
// K block: a B panel block (kKc x 8 int16, 4 KiB) stays in L1 while the
// micro-kernel walks down an A block (kMc x kKc int16, 60 KiB) in L2.
constexpr int64_t kKc = 256;
constexpr int64_t kMc = 120;
static_assert(kMc % kMr == 0);

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define OPSCOPE_GEMM_S16_CLONES \
  __attribute__((target_clones("avx2", "arch=x86-64-v2", "default")))
#else
#define OPSCOPE_GEMM_S16_CLONES
#endif
#define OPSCOPE_GEMM_S16_INLINE inline __attribute__((always_inline))

// One MR x kGemmS16Nr tile over a K block of length kc; the first K block
// stores its sums, later ones add to C. Only `nr` columns are written.
template <int MR>
OPSCOPE_GEMM_S16_INLINE void micro_kernel(int64_t kc, const int16_t* a, int64_t lda,
                                          const int16_t* b, int32_t* c, int64_t ldc,
                                          int64_t nr, bool first) {
  int32_t acc[MR][kGemmS16Nr];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    for (int64_t j = 0; j < kGemmS16Nr; ++j) acc[i][j] = 0;
  }
  for (int64_t p = 0; p < kc; ++p) {
    const int16_t* bp = b + p * kGemmS16Nr;
    // Widened straight from memory (one vpmovsxwd): staging the row in a
    // local array costs a store-forwarding stall per step.
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const int32_t ai = a[i * lda + p];
      for (int64_t j = 0; j < kGemmS16Nr; ++j) acc[i][j] += ai * static_cast<int32_t>(bp[j]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    int32_t* ci = c + i * ldc;
    if (nr == kGemmS16Nr) {
      if (first) {
        for (int64_t j = 0; j < kGemmS16Nr; ++j) ci[j] = acc[i][j];
      } else {
        for (int64_t j = 0; j < kGemmS16Nr; ++j) ci[j] += acc[i][j];
      }
    } else {
      for (int64_t j = 0; j < nr; ++j) ci[j] = first ? acc[i][j] : ci[j] + acc[i][j];
    }
  }
}

OPSCOPE_GEMM_S16_CLONES
void gemm_s16_blocked(int64_t m, int64_t n, int64_t k, const int16_t* a, int64_t lda,
                      const int16_t* packed_b, int32_t* c, int64_t ldc) {
  const int64_t panels = (n + kGemmS16Nr - 1) / kGemmS16Nr;
  for (int64_t p0 = 0; p0 < k; p0 += kKc) {
    const int64_t kc = std::min(kKc, k - p0);
    const bool first = p0 == 0;
    for (int64_t i0 = 0; i0 < m; i0 += kMc) {
      const int64_t mc = std::min(kMc, m - i0);
      for (int64_t panel = 0; panel < panels; ++panel) {
        const int64_t j0 = panel * kGemmS16Nr;
        const int64_t nr = std::min(kGemmS16Nr, n - j0);
        const int16_t* b = packed_b + panel * k * kGemmS16Nr + p0 * kGemmS16Nr;
        int64_t i = 0;
        for (; i + kMr <= mc; i += kMr) {
          micro_kernel<kMr>(kc, a + (i0 + i) * lda + p0, lda, b,
                            c + (i0 + i) * ldc + j0, ldc, nr, first);
        }
        for (; i < mc; ++i) {
          micro_kernel<1>(kc, a + (i0 + i) * lda + p0, lda, b, c + (i0 + i) * ldc + j0,
                          ldc, nr, first);
        }
      }
    }
  }
}

}  // namespace

int64_t gemm_s16_packed_b_elements(int64_t k, int64_t n) {
  return k * ((n + kGemmS16Nr - 1) / kGemmS16Nr) * kGemmS16Nr;
}

void gemm_s16_pack_b(int64_t k, int64_t n, const int8_t* b, int64_t row_stride,
                     int64_t col_stride, int16_t* packed) {
  const int64_t panels = (n + kGemmS16Nr - 1) / kGemmS16Nr;
  for (int64_t panel = 0; panel < panels; ++panel) {
    int16_t* dst = packed + panel * k * kGemmS16Nr;
    for (int64_t p = 0; p < k; ++p) {
      for (int64_t jj = 0; jj < kGemmS16Nr; ++jj) {
        const int64_t j = panel * kGemmS16Nr + jj;
        dst[p * kGemmS16Nr + jj] = j < n ? b[p * row_stride + j * col_stride] : 0;
      }
    }
  }
}

void gemm_s16(int64_t m, int64_t n, int64_t k, const int16_t* a, int64_t lda,
              const int16_t* packed_b, int32_t* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0);
    return;
  }
  gemm_s16_blocked(m, n, k, a, lda, packed_b, c, ldc);
}

}  // namespace opscope::reference::int8
