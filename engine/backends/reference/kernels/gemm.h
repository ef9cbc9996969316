// Single-threaded, cache-blocked float GEMM of the reference backend:
//
//   C[i, j] = clamp(bias[j] + sum_p A[i, p] * B[p, j])     (row-major)
//
// B is used in a packed form: column panels kGemmNr wide, each holding all
// k rows of its columns contiguously (k x kGemmNr floats, the last panel
// zero-padded). Kernels whose B is constant weights pack it once in
// prepare(); others pack it into their scratch at run. A is read in place
// through `lda` (its rows must have unit column stride).
//
// The micro-kernel is plain C++ that GCC -O2 vectorizes (SSE2 baseline);
// on x86-64 an AVX2 clone is chosen at load time where the CPU has it. Both
// do the same multiplies and adds in the same order (no FMA contraction), so
// results do not depend on the CPU.
#pragma once

#include <cstdint>

#include "engine/backends/reference/kernels/activation.h"

namespace opscope::reference {

// Width of a packed B panel (columns per micro-kernel tile).
inline constexpr int64_t kGemmNr = 8;

// Floats needed for B (k x n) packed: k * round_up(n, kGemmNr).
int64_t gemm_packed_b_floats(int64_t k, int64_t n);

// Packs a k x n matrix B whose element (p, j) is at
// b[p * row_stride + j * col_stride]. Row-major B: (ldb, 1); a transposed
// [n, k] source such as FC weights [O, I]: (1, ldk).
void gemm_pack_b(int64_t k, int64_t n, const float* b, int64_t row_stride,
                 int64_t col_stride, float* packed);

// C = A * B (+ bias[n] when not null), then clamped to `clamp` (which is a
// no-op by default). A is m x k with row stride lda; `packed_b` comes from
// gemm_pack_b with the same k and n; C is m x n with row stride ldc. C must
// not overlap A or B. Never allocates.
void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t lda, const float* packed_b, const float* bias,
                 float* c, int64_t ldc, ActivationRange clamp = {});

// The same with a row-major B (row stride ldb), packed into `scratch`, which
// must hold gemm_packed_b_floats(k, n) floats.
void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, const float* bias, float* c,
          int64_t ldc, float* scratch, ActivationRange clamp = {});

}  // namespace opscope::reference
