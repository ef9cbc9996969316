// Single-threaded, cache-blocked integer GEMM of the int8 kernels:
//
//   C[i, j] = sum_p A[i, p] * B[p, j]        (int32, row-major, exact)
//
// A holds int16 values (an int8 activation minus its zero point, in
// [-255, 255]) and B int16 values (int8 weights), so every product is at
// most 255 * 128 = 32640 in magnitude and a sum of up to 65535 of them
// cannot overflow int32: callers check k <= kGemmS16MaxK. B is used packed in column panels kGemmS16Nr
// wide (k x kGemmS16Nr values each, the last panel zero-padded), built once
// in prepare from the int8 weights. The micro-kernel is plain C++ that GCC
// -O2 vectorizes; on x86-64 clones for AVX2 and x86-64-v2 (SSE4.1's pmulld)
// are chosen at load time. Integer sums are exact, so every clone gives the
// same result.
#pragma once

#include <cstdint>

namespace opscope::reference::int8 {

// Width of a packed B panel (columns per micro-kernel tile).
inline constexpr int64_t kGemmS16Nr = 8;
// The longest dot product whose int32 sum cannot overflow:
// 65535 * 32640 < 2^31 - 1.
inline constexpr int64_t kGemmS16MaxK = 65535;

// Elements of B (k x n) packed: k * round_up(n, kGemmS16Nr).
int64_t gemm_s16_packed_b_elements(int64_t k, int64_t n);

// Packs a k x n int8 matrix B whose element (p, j) is at
// b[p * row_stride + j * col_stride] (OHWI filters and FC weights [O, K]:
// row_stride 1, col_stride K).
void gemm_s16_pack_b(int64_t k, int64_t n, const int8_t* b, int64_t row_stride,
                     int64_t col_stride, int16_t* packed);

// C = A * B. A is m x k with row stride lda; `packed_b` comes from
// gemm_s16_pack_b with the same k and n; C is m x n with row stride ldc.
// Never allocates.
void gemm_s16(int64_t m, int64_t n, int64_t k, const int16_t* a, int64_t lda,
              const int16_t* packed_b, int32_t* c, int64_t ldc);

}  // namespace opscope::reference::int8
